// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The biggest processes of a memory cgroup (see memcg_top.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host/cgroupfs.h"
#include "host/memcg_top.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/readfile.h"
#include "util/topn.h"

#define STATUS_MAX 8192			/* /proc/<pid>/status is ~1.5 KiB */
#define PROCS_READ_MAX (1 << 20)	/* bytes read of one cgroup.procs */

struct procs_walk {
	struct kw_ev_memcg_procs *out;
	int proc_fd;
	uint32_t dirs;
	uint32_t status_reads;
	bool full;		/* KW_MEMCG_MAX_PIDS counted: stop */
};

static bool proc_mem(int proc_fd, uint32_t pid, struct kw_proc_mem *pm)
{
	char buf[STATUS_MAX];
	uint64_t rss_kb;

	if (kw_proc_readat(proc_fd, pid, "status", buf, sizeof(buf)) < 0)
		return false;	/* gone since cgroup.procs was read */
	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	kw_parse_status_mem(buf, pm->comm, sizeof(pm->comm), &rss_kb);
	pm->rss_kb = rss_kb;
	return true;
}

static uint64_t rss_of(const void *pm)
{
	return ((const struct kw_proc_mem *)pm)->rss_kb;
}

/* Keep the KW_MEMCG_PROCS_MAX biggest, biggest first. */
static void top_insert(struct kw_ev_memcg_procs *out, const struct kw_proc_mem *pm)
{
	int at = kw_top_slot(out->procs, sizeof(out->procs[0]), &out->nr, KW_MEMCG_PROCS_MAX,
			     pm->rss_kb, rss_of);

	if (at >= 0)
		out->procs[at] = *pm;
}

static void procs_pid(struct procs_walk *pw, uint32_t pid)
{
	struct kw_proc_mem pm;

	if (pw->out->total_procs >= KW_MEMCG_MAX_PIDS) {
		pw->full = true;
		return;
	}
	pw->out->total_procs++;
	if (pw->status_reads >= KW_MEMCG_MAX_STATUS)
		return;
	pw->status_reads++;
	if (pw->proc_fd >= 0 && proc_mem(pw->proc_fd, pid, &pm))
		top_insert(pw->out, &pm);
}

/* The pids in one cgroup's cgroup.procs, one decimal per line. */
static void procs_file(struct procs_walk *pw, int dirfd)
{
	char *text = kw_read_file_at(dirfd, "cgroup.procs", PROCS_READ_MAX);
	char *p, *end;

	if (!text)
		return;
	for (p = text; *p && !pw->full; p = end) {
		unsigned long pid = strtoul(p, &end, 10);

		if (end == p) {
			end = strchr(p, '\n');	/* not a number: skip the line */
			if (!end)
				break;
		} else if (pid > 0 && pid <= UINT32_MAX) {
			procs_pid(pw, (uint32_t)pid);
		}
		end += strspn(end, "\n");
	}
	free(text);
}

/* This cgroup's processes, then its descendants'; closes fd. */
static void procs_dir(struct procs_walk *pw, int fd, unsigned int depth)
{
	DIR *d;
	struct dirent *de;

	procs_file(pw, fd);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while (!pw->full && depth + 1 < KW_CG_WALK_DEPTH &&
	       pw->dirs < KW_MEMCG_WALK_DIRS && (de = readdir(d))) {
		int cfd;

		if (!kw_cgroup_is_child(dirfd(d), de))
			continue;
		pw->dirs++;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd >= 0)
			procs_dir(pw, cfd, depth + 1);
	}
	closedir(d);
}

int kw_memcg_top_procs(struct kw_cgroups *c, const char *proc_root, uint64_t memcg_id, bool v1,
		       struct kw_ev_memcg_procs *out)
{
	struct procs_walk pw = { .out = out };
	char path[KW_CG_PATH_MAX];
	uint64_t usage;
	int r, fd;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->hdr.type = KW_EV_MEMCG_PROCS;
	out->hdr.size = sizeof(*out);
	out->cgroup_id = memcg_id;
	r = kw_cgroups_path(c, memcg_id, v1, path, sizeof(path));
	if (r)
		return r;
	fd = kw_cgroup_open(kw_cgroups_mount(c, v1), path);
	if (fd < 0)
		return fd;
	if (kw_memcg_usage_at(fd, v1, &usage))
		out->usage_bytes = usage;
	pw.proc_fd = kw_proc_open_root(proc_root);	/* none: counted, not sized */
	procs_dir(&pw, fd, 0);
	if (pw.proc_fd >= 0)
		close(pw.proc_fd);
	return 0;
}
