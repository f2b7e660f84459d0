// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A process's identity from /proc (see proctask.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/proctask.h"

#define MAX_CG_DEPTH 64
#define PROC_TEXT_MAX 16384	/* status and cgroup files are far smaller */

/* What one lookup reads, kept off the stack. */
struct scratch {
	char text[PROC_TEXT_MAX];
	struct kw_proc_cgroups cg;
	char dir[KW_PROC_PATH_MAX + 8];
};

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * The memory cgroup of a v2 cgroup: the cgroup itself when the memory
 * controller is enabled in it (memory.current exists), else its nearest
 * such ancestor, else the root: the css the kernel charges.  dir is
 * modified.
 */
static uint64_t v2_memcg(const char *mnt, char *dir, size_t dsz)
{
	size_t ml = strlen(mnt);
	char f[KW_PROC_PATH_MAX + 32];

	for (int depth = 0; depth < MAX_CG_DEPTH; depth++) {
		char *slash;

		if (strlen(dir) <= ml)
			return ino_of(mnt);
		if ((size_t)snprintf(f, sizeof(f), "%s/memory.current", dir) < sizeof(f) &&
		    !access(f, F_OK))
			return ino_of(dir);
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < ml)
			snprintf(dir, dsz, "%s", mnt);
		else
			*slash = '\0';
	}
	return 0;
}

static void task_cgroups(const struct kw_cgroup_mounts *m, struct scratch *s, struct kw_task *t)
{
	const struct kw_proc_cgroups *cg = &s->cg;

	if (cg->has_v2) {
		for (int i = 0; i < m->nr_cg2 && !t->cgroup_id; i++)
			if (!kw_cgroup_mount_dir(&m->cg2[i], cg->v2, s->dir, sizeof(s->dir)))
				t->cgroup_id = ino_of(s->dir);
	}
	/* v1 memory hierarchy when mounted; else the v2 memory cgroup */
	if (cg->has_mem) {
		for (int i = 0; i < m->nr_mem && !t->memcg_id; i++)
			if (!kw_cgroup_mount_dir(&m->mem[i], cg->mem, s->dir, sizeof(s->dir)))
				t->memcg_id = ino_of(s->dir);
		if (t->memcg_id)
			t->memcg_hier = cg->mem_hier;
	}
	if (!t->memcg_id && cg->has_v2 && t->cgroup_id) {
		for (int i = 0; i < m->nr_cg2 && !t->memcg_id; i++)
			if (!kw_cgroup_mount_dir(&m->cg2[i], cg->v2, s->dir, sizeof(s->dir)) &&
			    ino_of(s->dir))
				t->memcg_id = v2_memcg(m->cg2[i].mnt, s->dir, sizeof(s->dir));
	}
}

void kw_proc_task(int proc_fd, const struct kw_cgroup_mounts *mounts, uint32_t pid,
		  struct kw_task *t)
{
	struct scratch *s = malloc(sizeof(*s));
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = pid;
	if (!s)
		return;
	if (kw_proc_readat(proc_fd, pid, "comm", s->text, sizeof(s->text)) > 0) {
		size_t cl = strcspn(s->text, "\n");

		if (cl > sizeof(t->comm) - 1)
			cl = sizeof(t->comm) - 1;
		memcpy(t->comm, s->text, cl);	/* t zeroed: NUL-terminated */
	}
	if (kw_proc_readat(proc_fd, pid, "status", s->text, sizeof(s->text)) > 0)
		kw_parse_status_uid(s->text, &t->uid);
	if (!kw_proc_statat(proc_fd, pid, "ns/net", &st))
		t->netns_ino = (uint32_t)st.st_ino;
	if (!kw_proc_statat(proc_fd, pid, "ns/mnt", &st))
		t->mntns_ino = (uint32_t)st.st_ino;
	if (kw_proc_readat(proc_fd, pid, "cgroup", s->text, sizeof(s->text)) > 0 &&
	    !kw_parse_proc_cgroup(s->text, &s->cg))
		task_cgroups(mounts, s, t);
	free(s);
}
