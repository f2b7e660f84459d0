// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The container runtimes on this host (see runtimes.h). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host/container.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/runtimes.h"

#define PROC_CGROUP_MAX 16384

/* Where each runtime leaves a trace of itself: sockets, then state. */
static const struct runtime_paths {
	enum kw_runtime runtime;
	const char *paths[5];
	const char *names[3];	/* readable: container names come from there */
} g_paths[KW_RUNTIMES_N] = {
	{ KW_RT_DOCKER, { "/run/docker.sock", "/var/run/docker.sock", "/var/lib/docker/containers" },
	  { "/var/lib/docker/containers", "/var/log/containers" } },
	{ KW_RT_CONTAINERD, { "/run/containerd/containerd.sock", "/var/lib/containerd" },
	  { "/var/log/containers", "/var/log/pods" } },
	{ KW_RT_CRIO, { "/run/crio/crio.sock", "/var/run/crio/crio.sock", "/etc/crio" },
	  { "/var/log/containers", "/var/log/pods" } },
	{ KW_RT_PODMAN, { "/run/podman/podman.sock", "/var/lib/containers/storage/overlay-containers" },
	  { "/var/lib/containers/storage/overlay-containers/containers.json" } },
};

static void join(char *out, size_t len, const char *root, const char *path)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	snprintf(out, len, "%.*s%s", (int)n, root, path);
}

static void find_paths(struct kw_runtime_found *r, const struct runtime_paths *p,
		       const char *root)
{
	char path[PATH_MAX];
	struct stat st;

	r->runtime = p->runtime;
	for (int i = 0; i < 5 && p->paths[i] && !r->found; i++) {
		join(path, sizeof(path), root, p->paths[i]);
		if (!stat(path, &st)) {
			r->found = true;
			snprintf(r->evidence, sizeof(r->evidence), "%s", path);
		}
	}
	for (int i = 0; i < 3 && p->names[i] && !r->names; i++) {
		join(path, sizeof(path), root, p->names[i]);
		if (!access(path, R_OK)) {
			r->names = true;
			snprintf(r->names_from, sizeof(r->names_from), "%s", path);
		}
	}
	if (!r->names)
		snprintf(r->names_from, sizeof(r->names_from), "none of its metadata is readable "
			 "under %s: short ids only", root);
}

/* The first running container of each runtime gives its driver and layout. */
static void find_layouts(struct kw_runtime_found out[KW_RUNTIMES_N], const char *proc_root)
{
	DIR *d = opendir(proc_root ? proc_root : KW_PROC_ROOT);
	struct kw_proc_cgroups *cg = malloc(sizeof(*cg));
	char *text = malloc(PROC_CGROUP_MAX);
	struct dirent *de;
	int left = KW_RUNTIMES_N;

	for (int n = 0; d && cg && text && left > 0 && n < KW_RUNTIMES_PROCS_MAX &&
	     (de = readdir(d)); n++) {
		struct kw_container ct;
		const char *path;
		uint32_t pid;

		if (kw_parse_pid(de->d_name, &pid) ||
		    kw_proc_read(proc_root, pid, "cgroup", text, PROC_CGROUP_MAX) <= 0 ||
		    kw_parse_proc_cgroup(text, cg))
			continue;
		path = cg->has_v2 ? cg->v2 : cg->has_mem ? cg->mem : "";
		if (kw_container_from_path(path, &ct))
			continue;
		for (int i = 0; i < KW_RUNTIMES_N; i++) {
			struct kw_runtime_found *r = &out[i];

			if (r->runtime == ct.runtime && !r->layout[0] &&
			    kw_runtime_layout(path, ct.id, r->driver, sizeof(r->driver), r->layout,
					      sizeof(r->layout)))
				left--;
		}
	}
	if (d)
		closedir(d);
	free(cg);
	free(text);
}

void kw_runtimes_find(const char *root, const char *proc_root,
		      struct kw_runtime_found out[KW_RUNTIMES_N])
{
	memset(out, 0, sizeof(*out) * KW_RUNTIMES_N);
	for (int i = 0; i < KW_RUNTIMES_N; i++)
		find_paths(&out[i], &g_paths[i], root && *root ? root : "/");
	find_layouts(out, proc_root);
}
