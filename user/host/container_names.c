// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Container names from runtime metadata on the host (see container_names.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "host/container_meta.h"
#include "host/container_names.h"
#include "host/readfile.h"
#include "core/target.h"

#define META_DIR_MAX 65536		/* entries read of one metadata dir */

static bool id_is_hex64(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");

	return n == KW_CT_ID_HEX && id[n] == '\0';
}

/* Calls fn for each entry name of dir (bounded); stops when fn says so. */
static bool scan_dir(const char *dir, bool (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool done = false;

	if (!d)
		return false;
	for (int i = 0; i < META_DIR_MAX && !done && (de = readdir(d)); i++)
		done = fn(de->d_name, ctx);
	closedir(d);
	return done;
}

/* the metadata root without its trailing '/' ("" for "/") */
static void base_of(char *base, size_t len, const char *root)
{
	size_t n;

	snprintf(base, len, "%s", root && *root ? root : "/");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), l = strlen(suffix);

	return n >= l && !strcmp(s + n - l, suffix);
}

/* /var/log/containers/<pod>_<namespace>_<container>-<id>.log */
static bool k8s_log_entry(const char *name, void *ctx)
{
	struct kw_container *ct = ctx;
	char suffix[KW_CT_ID_HEX + 8];
	struct kw_k8s_ref ref;

	snprintf(suffix, sizeof(suffix), "-%s.log", ct->id);
	if (!has_suffix(name, suffix) || kw_k8s_from_container_log(name, &ref))
		return false;
	snprintf(ct->name, sizeof(ct->name), "%s", ref.container);
	snprintf(ct->pod, sizeof(ct->pod), "%s", ref.pod);
	snprintf(ct->k8s_namespace, sizeof(ct->k8s_namespace), "%s", ref.k8s_namespace);
	return true;
}

/* /var/log/pods/<namespace>_<pod>_<uid>: the pod, not the container */
static bool k8s_pod_entry(const char *name, void *ctx)
{
	struct kw_container *ct = ctx;
	struct kw_k8s_ref ref;

	if (kw_k8s_from_pod_log_dir(name, &ref) || strcmp(ref.pod_uid, ct->pod_uid))
		return false;
	snprintf(ct->pod, sizeof(ct->pod), "%s", ref.pod);
	snprintf(ct->k8s_namespace, sizeof(ct->k8s_namespace), "%s", ref.k8s_namespace);
	return true;
}

static bool names_k8s(struct kw_container *ct, const char *base)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/var/log/containers", base);
	if (scan_dir(dir, k8s_log_entry, ct))
		return true;
	if (ct->pod_uid[0]) {
		snprintf(dir, sizeof(dir), "%s/var/log/pods", base);
		scan_dir(dir, k8s_pod_entry, ct);
	}
	return false;
}

/* Read a metadata file (bounded) and let parse take a name from it. */
static void name_from_file(struct kw_container *ct, const char *path, size_t max,
			   int (*parse)(const char *text, const char *id, char *name, size_t len))
{
	char name[sizeof(ct->name)];
	char *text = kw_read_file_at(AT_FDCWD, path, max);

	if (!text)
		return;
	if (!parse(text, ct->id, name, sizeof(name)))
		strcpy(ct->name, name);
	free(text);
}

static int docker_parse(const char *text, const char *id, char *name, size_t len)
{
	(void)id;	/* the file is already the container's own */
	return kw_docker_name_from_config(text, name, len);
}

void kw_container_names(struct kw_container *ct, const char *root)
{
	char base[PATH_MAX], path[PATH_MAX + 128];

	if (!ct || ct->runtime == KW_RT_HOST || ct->runtime == KW_RT_SYSTEMD ||
	    !id_is_hex64(ct->id))
		return;
	base_of(base, sizeof(base), root);

	/* kubelet's names beat cri-dockerd's "k8s_<container>_<pod>_..." */
	if (ct->runtime != KW_RT_PODMAN && names_k8s(ct, base))
		return;
	if (ct->runtime == KW_RT_DOCKER) {
		snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json",
			 base, ct->id);
		name_from_file(ct, path, KW_META_READ_MAX, docker_parse);
	} else if (ct->runtime == KW_RT_PODMAN) {
		snprintf(path, sizeof(path),
			 "%s/var/lib/containers/storage/overlay-containers/containers.json", base);
		name_from_file(ct, path, KW_META_JSON_MAX, kw_podman_name_from_containers);
	}
}

/* ---- plain containerd, from its shims' state directories ---- */

#define KW_CONTAINERD_NAMESPACES 64

static bool task_dir_in(const char *dir, const char *id)
{
	char path[PATH_MAX + 128];
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && !found && n++ < KW_CONTAINERD_NAMESPACES && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, de->d_name, id);
		found = !lstat(path, &st) && S_ISDIR(st.st_mode);
	}
	if (d)
		closedir(d);
	return found;
}

bool kw_containerd_task(struct kw_container *ct, const char *cgroup_path, const char *root)
{
	static const char *const task_roots[] = {
		"run/containerd/io.containerd.runtime.v2.task",
		"run/docker/containerd/daemon/io.containerd.runtime.v2.task",
	};
	const char *leaf = strrchr(cgroup_path, '/');
	char base[PATH_MAX], dir[PATH_MAX + 96];

	leaf = leaf ? leaf + 1 : cgroup_path;
	/* a task id is a path component: no dots-only names, nothing long */
	if (!*leaf || !strcmp(leaf, ".") || !strcmp(leaf, "..") ||
	    strlen(leaf) >= sizeof(ct->id))
		return false;
	base_of(base, sizeof(base), root);
	for (size_t i = 0; i < sizeof(task_roots) / sizeof(task_roots[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", base, task_roots[i]);
		if (!task_dir_in(dir, leaf))
			continue;
		memset(ct, 0, sizeof(*ct));
		ct->runtime = KW_RT_CONTAINERD;
		snprintf(ct->id, sizeof(ct->id), "%s", leaf);
		snprintf(ct->name, sizeof(ct->name), "%s", leaf);
		return true;
	}
	return false;
}

/* ---- a container Docker knows, by the --container rule ---- */

struct docker_find {
	const char *base;
	const char *want;
	struct kw_docker_found *out;
	int seen;
	bool found;
};

static bool docker_entry(const char *id, void *ctx)
{
	struct docker_find *df = ctx;
	struct kw_docker_state st;
	char path[PATH_MAX + 128];
	char *text;

	if (!id_is_hex64(id) || ++df->seen > KW_DOCKER_FIND_MAX)
		return df->seen > KW_DOCKER_FIND_MAX;
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", df->base,
		 id);
	text = kw_read_file_at(AT_FDCWD, path, KW_META_READ_MAX);
	if (text && !kw_docker_state_from_config(text, &st) &&
	    kw_target_names_match(df->want, KW_RT_DOCKER, id, st.name, "")) {
		snprintf(df->out->id, sizeof(df->out->id), "%s", id);
		df->out->state = st;
		df->found = true;
	}
	free(text);
	return df->found;
}

int kw_docker_find(const char *root, const char *want, struct kw_docker_found *out)
{
	char base[PATH_MAX], dir[PATH_MAX + 32];
	struct docker_find df = { .base = base, .want = want, .out = out };

	memset(out, 0, sizeof(*out));
	base_of(base, sizeof(base), root);
	snprintf(dir, sizeof(dir), "%s/var/lib/docker/containers", base);
	scan_dir(dir, docker_entry, &df);
	return df.found ? 0 : -ENOENT;
}
