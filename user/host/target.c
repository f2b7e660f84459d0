// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host/cgroupfs.h"
#include "host/cgroups.h"
#include "host/container_names.h"
#include "host/container.h"
#include "host/target.h"

#define WALK_MAX_DIRS 20000
#define WALK_MAX_DEPTH 32

/* ---- a bounded walk of a cgroup tree ---- */

typedef bool (*walk_fn)(void *ctx, const char *abs, const char *rel, int depth);

/* Pre-order walk of the directories below root (root included, rel "/").
 * fn returns false to not descend into that directory. */
static void walk(const char *root, walk_fn fn, void *ctx)
{
	struct frame {
		char *rel;
		int depth;
	} *stack = calloc(WALK_MAX_DIRS, sizeof(*stack));
	int top = 0, visited = 0;

	if (!stack)
		return;
	stack[top++] = (struct frame){ strdup("/"), 0 };
	while (top > 0 && visited < WALK_MAX_DIRS) {
		struct frame f = stack[--top];
		char abs[1024];
		DIR *d;
		struct dirent *de;

		visited++;
		snprintf(abs, sizeof(abs), "%s%s", root, strcmp(f.rel, "/") ? f.rel : "");
		if (!f.rel || !fn(ctx, abs, f.rel, f.depth) || f.depth >= WALK_MAX_DEPTH ||
		    !(d = opendir(abs))) {
			free(f.rel);
			continue;
		}
		while ((de = readdir(d)) && top < WALK_MAX_DIRS) {
			char *rel;

			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			if (asprintf(&rel, "%s%s%s", f.rel, strcmp(f.rel, "/") ? "/" : "",
				     de->d_name) < 0)
				break;
			stack[top++] = (struct frame){ rel, f.depth + 1 };
		}
		closedir(d);
		free(f.rel);
	}
	while (top > 0)
		free(stack[--top].rel);
	free(stack);
}

/* ---- finding the container's cgroup ---- */

struct find {
	const char *want;
	const char *host_root;
	char found_rel[512];
	char found_id[72];
	char found_name[128];
	int found_depth;
	bool ambiguous;
	char other_id[72];
};

static bool matches(const struct kw_container *ct, const char *want)
{
	size_t n = strlen(want);

	return !strcmp(ct->name, want) || !strcmp(ct->id, want) ||
	       (ct->pod[0] && !strcmp(ct->pod, want)) ||
	       (n >= 4 && ct->runtime != KW_RT_SYSTEMD && !strncmp(ct->id, want, n));
}

static bool find_cb(void *ctx, const char *abs, const char *rel, int depth)
{
	struct find *fd = ctx;
	struct kw_container ct;

	(void)abs;
	if (kw_container_from_path(rel, &ct) || ct.runtime == KW_RT_HOST)
		return true;
	kw_container_names(&ct, fd->host_root);
	if (!matches(&ct, fd->want))
		return true;
	if (fd->found_id[0] && strcmp(fd->found_id, ct.id)) {
		fd->ambiguous = true;
		snprintf(fd->other_id, sizeof(fd->other_id), "%s", ct.id);
		return false;
	}
	/* the shallowest directory of that container is its cgroup */
	if (!fd->found_id[0] || depth < fd->found_depth) {
		snprintf(fd->found_rel, sizeof(fd->found_rel), "%s", rel);
		snprintf(fd->found_id, sizeof(fd->found_id), "%s", ct.id);
		snprintf(fd->found_name, sizeof(fd->found_name), "%s", ct.name);
		fd->found_depth = depth;
	}
	return false;	/* below it is the same container */
}

/* ---- collecting ids and namespaces ---- */

struct collect {
	struct kw_target *t;
	bool v1;
};

static void add_netns_of(struct kw_target *t, const char *pid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%s/ns/net", pid);
	if (stat(p, &st))
		return;
	for (uint32_t i = 0; i < t->n_netns; i++)
		if (t->netns[i] == st.st_ino)
			return;
	if (t->n_netns < KW_TARGET_MAX_NETNS)
		t->netns[t->n_netns++] = st.st_ino;
}

static bool collect_cb(void *ctx, const char *abs, const char *rel, int depth)
{
	struct collect *c = ctx;
	struct kw_target *t = c->t;
	char procs[1100], line[32];
	uint64_t id;
	FILE *f;

	(void)rel;
	(void)depth;
	if (kw_cgroup_id_at(AT_FDCWD, abs, &id) == 0) {
		if (c->v1 && t->n_memcg < KW_TARGET_MAX_CG)
			t->memcg[t->n_memcg++] = id;
		else if (!c->v1 && t->n_cg2 < KW_TARGET_MAX_CG)
			t->cg2[t->n_cg2++] = id;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", abs);
	f = fopen(procs, "r");
	for (int n = 0; f && n < 4096 && fgets(line, sizeof(line), f); n++) {
		line[strcspn(line, "\n")] = '\0';
		add_netns_of(t, line);
	}
	if (f)
		fclose(f);
	return true;
}

static void collect(struct kw_target *t, const char *dir, bool v1)
{
	struct collect c = { .t = t, .v1 = v1 };

	if (dir[0])
		walk(dir, collect_cb, &c);
}

/* ---- resolution ---- */

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The cgroup of a process, lifted to its container's own cgroup when the
 * process sits in a sub-cgroup of one. */
static void cgroup_of_pid(const char *pid, const char *mount, bool v1, char *out, size_t len)
{
	char p[64], line[1024], rel[1024] = "";
	struct kw_container full, up;
	FILE *f;

	out[0] = '\0';
	if (!mount || !mount[0])
		return;
	snprintf(p, sizeof(p), "/proc/%s/cgroup", pid);
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (v1 ? !!strstr(ctrl + 1, "memory") : !strcmp(ctrl + 1, "")) {
			snprintf(rel, sizeof(rel), "%s", path);
			break;
		}
	}
	if (f)
		fclose(f);
	if (!rel[0])
		return;
	kw_container_from_path(rel, &full);
	while (full.runtime != KW_RT_HOST && strrchr(rel, '/') && strrchr(rel, '/') != rel) {
		char parent[1024];

		snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(rel, '/') - rel), rel);
		kw_container_from_path(parent, &up);
		if (strcmp(up.id, full.id))
			break;
		snprintf(rel, sizeof(rel), "%s", parent);
	}
	snprintf(out, len, "%s%s", mount, strcmp(rel, "/") ? rel : "");
}

int kw_target_resolve(struct kw_target *t, const struct kw_opts *o, const struct kw_features *f,
		      char *err, size_t errlen)
{
	const char *want = o->container;
	char p[64];

	memset(t, 0, sizeof(*t));
	if (!want && !o->pid)
		return 0;
	t->on = true;
	if (o->pid) {
		snprintf(p, sizeof(p), "/proc/%u", o->pid);
		if (!is_dir(p)) {
			snprintf(err, errlen, "--pid %u: no such process", o->pid);
			return -1;
		}
		t->tgids[t->n_tgids++] = o->pid;
		snprintf(p, sizeof(p), "%u", o->pid);
		add_netns_of(t, p);
		snprintf(t->desc, sizeof(t->desc), "process %u", o->pid);
	}
	if (!want)
		return 0;

	if (all_digits(want)) {
		snprintf(p, sizeof(p), "/proc/%s", want);
		if (!is_dir(p)) {
			snprintf(err, errlen, "--container %s: no process with that pid", want);
			return -1;
		}
		cgroup_of_pid(want, f->cg2_mount, false, t->cg2_dir, sizeof(t->cg2_dir));
		cgroup_of_pid(want, f->memcg_v1_mount, true, t->memcg_dir, sizeof(t->memcg_dir));
		snprintf(t->desc, sizeof(t->desc), "the cgroup of pid %s (%s)", want,
			 t->cg2_dir[0] ? t->cg2_dir : t->memcg_dir);
	} else if (want[0] == '/') {
		if (f->cg2_mount[0])
			snprintf(t->cg2_dir, sizeof(t->cg2_dir), "%s%s", f->cg2_mount, want);
		if (f->memcg_v1_mount[0])
			snprintf(t->memcg_dir, sizeof(t->memcg_dir), "%s%s", f->memcg_v1_mount, want);
		if (!is_dir(t->cg2_dir))
			t->cg2_dir[0] = '\0';
		if (!is_dir(t->memcg_dir))
			t->memcg_dir[0] = '\0';
		snprintf(t->desc, sizeof(t->desc), "cgroup %s", want);
	} else {
		const char *mounts[2] = { f->cg2_mount, f->memcg_v1_mount };
		char *dirs[2] = { t->cg2_dir, t->memcg_dir };

		for (int h = 0; h < 2; h++) {
			struct find fd = { .want = want,
					   .host_root = o->host_root ? o->host_root : "/" };

			if (!mounts[h][0])
				continue;
			walk(mounts[h], find_cb, &fd);
			if (fd.ambiguous) {
				snprintf(err, errlen, "--container %s matches more than one container "
					 "(%.12s and %.12s); give more of the id", want, fd.found_id,
					 fd.other_id);
				return -1;
			}
			if (fd.found_id[0]) {
				snprintf(dirs[h], 512, "%s%s", mounts[h], fd.found_rel);
				snprintf(t->desc, sizeof(t->desc), "container %s (%.12s)",
					 fd.found_name, fd.found_id);
			}
		}
	}
	if (!t->cg2_dir[0] && !t->memcg_dir[0]) {
		snprintf(err, errlen, "--container %s: no such container (looked for a container "
			 "name, id or id prefix, pid or cgroup path in %s%s%s)", want,
			 f->cg2_mount[0] ? f->cg2_mount : "", f->memcg_v1_mount[0] ? " and " : "",
			 f->memcg_v1_mount);
		return -1;
	}
	collect(t, t->cg2_dir, false);
	collect(t, t->memcg_dir, true);
	return 0;
}

bool kw_target_check_gone(struct kw_target *t)
{
	char p[64];
	bool gone;

	if (!t->on || t->gone)
		return false;
	if (t->cg2_dir[0] || t->memcg_dir[0]) {
		gone = !is_dir(t->cg2_dir[0] ? t->cg2_dir : t->memcg_dir);
	} else {
		snprintf(p, sizeof(p), "/proc/%u", t->tgids[0]);
		gone = !is_dir(p);
	}
	t->gone = gone;
	return gone;
}

static bool has64(const uint64_t *v, uint32_t n, uint64_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool has32(const uint32_t *v, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool task_wanted(const struct kw_target *t, const struct kw_task *k)
{
	return has32(t->tgids, t->n_tgids, k->tgid) || has64(t->cg2, t->n_cg2, k->cgroup_id) ||
	       (k->memcg_hier && has64(t->memcg, t->n_memcg, k->memcg_id));
}

static bool port_wanted(uint16_t port, uint16_t a, uint16_t b)
{
	return !port || a == port || b == port;
}

bool kw_target_wants_any(const struct kw_target *t, uint16_t port, const struct kw_event *ev)
{
	const struct kw_hdr *h = &ev->hdr;
	bool in;

	switch (h->type) {
	case KW_EV_CGROUP:
	case KW_EV_MEMCG_PROCS:
		return true;
	case KW_EV_REPEAT:
		return port_wanted(port, ev->repeat.key.dest.port, 0) &&
		       (!t->on || has32(t->netns, t->n_netns, ev->repeat.key.netns_ino) ||
			has32(t->tgids, t->n_tgids, ev->repeat.key.tgid));
	case KW_EV_CONNECT_FAIL:
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:
		if (!port_wanted(port, ev->conn.local.port, ev->conn.remote.port))
			return false;
		break;
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE:
		if (!port_wanted(port, ev->listen.local.port, 0))
			return false;
		break;
	case KW_EV_BIND:
		if (!port_wanted(port, ev->bind.addr.port, ev->bind.bound_port))
			return false;
		break;
	default:
		break;
	}
	if (!t->on)
		return true;
	in = ((h->flags & KW_F_NETNS) && has32(t->netns, t->n_netns, h->netns_ino)) ||
	     ((h->flags & KW_F_TASK) && task_wanted(t, &h->task));
	if (h->type == KW_EV_OOM_KILL)
		in = task_wanted(t, &ev->oom.victim);
	else if (h->type == KW_EV_SIGNAL)
		in = in || task_wanted(t, &ev->signal.target);
	else if (h->type == KW_EV_LISTEN_CLOSE)
		in = in || task_wanted(t, &ev->listen.closer);
	return in;
}

bool kw_target_wants(const struct kw_target *t, uint16_t port, const struct kw_event *ev)
{
	const struct kw_hdr *h = &ev->hdr;

	if (port && h->type == KW_EV_LISTEN && ev->listen.local.port != port)
		return false;
	if (!t->on)
		return true;
	if ((h->flags & KW_F_NETNS) && has32(t->netns, t->n_netns, h->netns_ino))
		return true;
	if (!(h->flags & KW_F_TASK))
		return false;
	return has32(t->tgids, t->n_tgids, h->task.tgid) ||
	       has64(t->cg2, t->n_cg2, h->task.cgroup_id) ||
	       (h->task.memcg_hier && has64(t->memcg, t->n_memcg, h->task.memcg_id));
}
