// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolving --container and --pid on this host (see target.h).  Which
 * container a string names is core/target.c's rule; this file finds it
 * in the cgroup mounts, /proc and the runtimes' metadata.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host/cgmounts.h"
#include "host/cgroupfs.h"
#include "host/container_names.h"
#include "host/container.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/sockdiag.h"
#include "host/target.h"

#define WALK_MAX_DIRS 20000
#define WALK_MAX_DEPTH 32
#define PROC_CGROUP_MAX 16384	/* /proc/PID/cgroup: a line per hierarchy */

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

static bool find_cb(void *ctx, const char *abs, const char *rel, int depth)
{
	struct find *fd = ctx;
	struct kw_container ct;

	(void)abs;
	if (kw_container_from_path(rel, &ct) || ct.runtime == KW_RT_HOST)
		return true;
	kw_container_names(&ct, fd->host_root);
	if (!kw_target_names_match(fd->want, ct.runtime, ct.id, ct.name, ct.pod))
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
	const char *proc_root;
	bool v1;
};

/* The namespace of a process, for events that have no process: its inode
 * and, where the kernel gives it (5.14+), its cookie, which no later
 * namespace can have. */
static void add_netns_of(struct kw_target *t, const char *proc_root, uint32_t pid)
{
	uint64_t cookie = 0;
	struct stat st;
	int root, fd;

	if (kw_proc_stat(proc_root, pid, "ns/net", &st))
		return;
	for (uint32_t i = 0; i < t->n_netns; i++)
		if (t->netns[i] == (uint32_t)st.st_ino && t->netns_cookie[i])
			return;		/* known: no thread, no setns */
	root = kw_proc_open_root(proc_root);
	fd = root >= 0 ? kw_proc_openat(root, pid, "ns/net", O_RDONLY) : -1;
	if (fd >= 0) {
		kw_netns_cookie(fd, &cookie);
		close(fd);
	}
	if (root >= 0)
		close(root);
	kw_target_add_netns(t, (uint32_t)st.st_ino, cookie);
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
	if (kw_cgroup_id_at(AT_FDCWD, abs, &id) == 0)
		kw_target_add_cgroup(t, id, c->v1);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", abs);
	f = fopen(procs, "re");
	for (int n = 0; f && n < 4096 && fgets(line, sizeof(line), f); n++) {
		uint32_t pid;

		line[strcspn(line, "\n")] = '\0';
		if (!kw_parse_pid(line, &pid))
			add_netns_of(t, c->proc_root, pid);
	}
	if (f)
		fclose(f);
	return true;
}

static void collect(struct kw_target *t, const char *proc_root, const char *dir, bool v1)
{
	struct collect c = { .t = t, .proc_root = proc_root, .v1 = v1 };

	if (dir[0])
		walk(dir, collect_cb, &c);
}

/* ---- resolution ---- */

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool pid_exists(const char *proc_root, uint32_t pid)
{
	struct stat st;

	return !kw_proc_stat(proc_root, pid, "", &st) && S_ISDIR(st.st_mode);
}

/* The cgroup of a process, lifted to its container's own cgroup when the
 * process sits in a sub-cgroup of one. */
static void cgroup_of_pid(const char *proc_root, uint32_t pid, const char *mount, bool v1,
			  char *out, size_t len)
{
	struct kw_container full, up;
	struct kw_proc_cgroups *cg;
	char *text, *rel;

	out[0] = '\0';
	if (!mount || !mount[0])
		return;
	cg = malloc(sizeof(*cg));
	text = malloc(PROC_CGROUP_MAX);
	if (!cg || !text || kw_proc_read(proc_root, pid, "cgroup", text, PROC_CGROUP_MAX) <= 0 ||
	    kw_parse_proc_cgroup(text, cg) || !(v1 ? cg->has_mem : cg->has_v2))
		goto out;
	rel = v1 ? cg->mem : cg->v2;
	kw_container_from_path(rel, &full);
	while (full.runtime != KW_RT_HOST && strrchr(rel, '/') && strrchr(rel, '/') != rel) {
		char *slash = strrchr(rel, '/');

		*slash = '\0';	/* the parent */
		kw_container_from_path(rel, &up);
		if (strcmp(up.id, full.id)) {
			*slash = '/';
			break;
		}
	}
	snprintf(out, len, "%s%s", mount, strcmp(rel, "/") ? rel : "");
out:
	free(cg);
	free(text);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* --container PID: the cgroups of that process's container */
static int resolve_pid(struct kw_target *t, const struct kw_target_spec *sp, char *err,
		       size_t errlen)
{
	const char *want = sp->container;
	uint32_t pid;

	if (kw_parse_pid(want, &pid) || !pid_exists(sp->proc_root, pid)) {
		snprintf(err, errlen, "--container %s: no process with that pid", want);
		return -1;
	}
	cgroup_of_pid(sp->proc_root, pid, sp->cg2_mount, false, t->cg2_dir, sizeof(t->cg2_dir));
	cgroup_of_pid(sp->proc_root, pid, sp->memcg_v1_mount, true, t->memcg_dir,
		      sizeof(t->memcg_dir));
	snprintf(t->desc, sizeof(t->desc), "the cgroup of pid %s (%s)", want,
		 t->cg2_dir[0] ? t->cg2_dir : t->memcg_dir);
	return 0;
}

/* --container /sys/fs/cgroup/...: the path within its hierarchy, under
 * whichever cgroup mount holds it; else want is one already */
static int path_in_hierarchy(const struct kw_target_spec *sp, char *rel, size_t len)
{
	const char *mounts[2 + 2 * KW_CG_MOUNTS_MAX + KW_CG_V1_MAX];
	struct kw_cgroup_mounts *m = malloc(sizeof(*m));
	size_t n = 0;
	int r;

	mounts[n++] = or_empty(sp->cg2_mount);
	mounts[n++] = or_empty(sp->memcg_v1_mount);
	if (m && !kw_cgroup_mounts_load(sp->proc_root, m)) {
		for (int i = 0; i < m->nr_cg2; i++)
			mounts[n++] = m->cg2[i].mnt;
		for (int i = 0; i < m->nr_mem; i++)
			mounts[n++] = m->mem[i].mnt;
		for (int i = 0; i < m->nr_v1; i++)
			mounts[n++] = m->v1_mnt[i];
	}
	r = kw_target_mount_rel(sp->container, mounts, n, rel, len);
	if (r == 0)
		snprintf(rel, len, "%s", sp->container);
	free(m);
	return r < 0 ? -1 : 0;
}

/* --container /PATH: that cgroup, in each hierarchy that has it */
static int resolve_path(struct kw_target *t, const struct kw_target_spec *sp, char *err,
			size_t errlen)
{
	const char *cg2 = or_empty(sp->cg2_mount), *mem = or_empty(sp->memcg_v1_mount);
	struct kw_container ct;
	char want[512];

	if (path_in_hierarchy(sp, want, sizeof(want))) {
		snprintf(err, errlen, "--container %s: the path is too long", sp->container);
		return -1;
	}

	if (cg2[0])
		snprintf(t->cg2_dir, sizeof(t->cg2_dir), "%s%s", cg2, want);
	if (mem[0])
		snprintf(t->memcg_dir, sizeof(t->memcg_dir), "%s%s", mem, want);
	if (!is_dir(t->cg2_dir))
		t->cg2_dir[0] = '\0';
	if (!is_dir(t->memcg_dir))
		t->memcg_dir[0] = '\0';
	snprintf(t->desc, sizeof(t->desc), "cgroup %s", want);
	if (!kw_container_from_path(want, &ct) && ct.runtime != KW_RT_HOST)
		snprintf(t->id, sizeof(t->id), "%s", ct.id);
	return 0;
}

/* --container NAME: the container the rule names, found by walking each hierarchy */
static int resolve_name(struct kw_target *t, const struct kw_target_spec *sp, char *err,
			size_t errlen)
{
	const char *want = sp->container;
	const char *mounts[2] = { or_empty(sp->cg2_mount), or_empty(sp->memcg_v1_mount) };
	char *dirs[2] = { t->cg2_dir, t->memcg_dir };

	for (int h = 0; h < 2; h++) {
		struct find fd = { .want = want, .host_root = sp->host_root ? sp->host_root : "/" };

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
			snprintf(t->desc, sizeof(t->desc), "container %s (%.12s)", fd.found_name,
				 fd.found_id);
			snprintf(t->id, sizeof(t->id), "%s", fd.found_id);
		}
	}
	return 0;
}

/* A name with no cgroup that Docker knows as a stopped container: say so.
 * The name is the user's own string; the metadata's is not printed. */
static bool stopped_message(const struct kw_target_spec *sp, char *err, size_t errlen)
{
	struct kw_docker_found *d = malloc(sizeof(*d));
	bool stopped = d && !kw_docker_find(sp->host_root, sp->container, d) &&
		       !d->state.running;

	if (stopped)
		snprintf(err, errlen, "--container %s: container %.12s is stopped (exit code "
			 "%lld%s%.39s); start it (docker start) and run kwhy again", sp->container,
			 d->id, (long long)d->state.exit_code,
			 d->state.finished_at[0] ? ", finished at " : "", d->state.finished_at);
	free(d);
	return stopped;
}

int kw_target_resolve(struct kw_target *t, const struct kw_target_spec *sp, char *err,
		      size_t errlen)
{
	const char *want = sp->container;
	const char *cg2 = or_empty(sp->cg2_mount), *mem = or_empty(sp->memcg_v1_mount);
	int r = 0;

	memset(t, 0, sizeof(*t));
	if (!want && !sp->pid)
		return 0;
	t->on = true;
	if (sp->pid) {
		if (!pid_exists(sp->proc_root, sp->pid)) {
			snprintf(err, errlen, "--pid %u: no such process", sp->pid);
			return -1;
		}
		t->tgids[t->n_tgids++] = sp->pid;
		add_netns_of(t, sp->proc_root, sp->pid);
		snprintf(t->desc, sizeof(t->desc), "process %u", sp->pid);
	}
	if (!want)
		return 0;
	switch (kw_target_want_kind(want)) {
	case KW_WANT_PID:
		r = resolve_pid(t, sp, err, errlen);
		break;
	case KW_WANT_PATH:
		r = resolve_path(t, sp, err, errlen);
		break;
	case KW_WANT_NAME:
		r = resolve_name(t, sp, err, errlen);
		break;
	}
	if (r)
		return r;
	if (!t->cg2_dir[0] && !t->memcg_dir[0] && kw_target_want_kind(want) == KW_WANT_NAME &&
	    stopped_message(sp, err, errlen))
		return -1;
	if (!t->cg2_dir[0] && !t->memcg_dir[0]) {
		snprintf(err, errlen, "--container %s: no such container (looked for a container "
			 "name, id or id prefix, pid or cgroup path in %s%s%s)", want, cg2,
			 mem[0] ? " and " : "", mem);
		return -1;
	}
	kw_cgroup_id_at(AT_FDCWD, t->cg2_dir[0] ? t->cg2_dir : t->memcg_dir, &t->dir_cgroup_id);
	kw_target_refresh(t, sp->proc_root);
	return 0;
}

void kw_target_refresh(struct kw_target *t, const char *proc_root)
{
	collect(t, proc_root, t->cg2_dir, false);
	collect(t, proc_root, t->memcg_dir, true);
}

/* The target's cgroup is no longer the one resolved: removed, or removed
 * and made again (a restarted container), which gives it a new id. */
static bool cgroup_replaced(const struct kw_target *t)
{
	const char *dir = t->cg2_dir[0] ? t->cg2_dir : t->memcg_dir;
	uint64_t id;

	if (!is_dir(dir))
		return true;
	return t->dir_cgroup_id && !kw_cgroup_id_at(AT_FDCWD, dir, &id) && id != t->dir_cgroup_id;
}

bool kw_target_check_gone(struct kw_target *t)
{
	bool gone;

	if (!t->on || t->gone)
		return false;
	if (t->cg2_dir[0] || t->memcg_dir[0])
		gone = cgroup_replaced(t);
	else
		gone = !pid_exists(KW_PROC_ROOT, t->tgids[0]);
	t->gone = gone;
	return gone;
}

bool kw_target_find_again(const struct kw_target *t, const struct kw_target_spec *sp,
			  struct kw_target *next)
{
	struct kw_target_spec again = *sp;
	char err[512];

	/* --pid is kept as it was: a pid that is gone stays gone */
	again.pid = 0;
	if (!t->gone || !kw_target_follows(sp->container) ||
	    kw_target_resolve(next, &again, err, sizeof(err)))
		return false;
	memcpy(next->tgids, t->tgids, sizeof(t->tgids));
	next->n_tgids = t->n_tgids;
	return true;
}
