// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listening UNIX sockets at start (see unixsnap.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "host/cgmounts.h"
#include "host/pidwalk.h"
#include "host/procfs.h"
#include "host/proctask.h"
#include "host/sockdiag.h"
#include "host/unixdiag.h"
#include "host/unixsnap.h"

#define NETNS_TRIES 8		/* members tried per namespace */

struct usock {
	struct kw_unix_diag d;
	uint32_t netns;
	uint32_t owner;		/* lowest pid holding it, 0 none found */
};

struct usnap {
	struct usock *u;
	size_t nr;
	uint32_t netns;		/* the namespace being read */
};

static void on_diag(void *ctx, const struct kw_unix_diag *d)
{
	struct usnap *s = ctx;

	if (s->nr == KW_UNIX_SNAP_MAX)
		return;
	s->u[s->nr].d = *d;
	s->u[s->nr].netns = s->netns;
	s->u[s->nr].owner = 0;
	s->nr++;
}

static int cmp_ino(const void *a, const void *b)
{
	const struct usock *x = a, *y = b;

	return x->d.ino < y->d.ino ? -1 : x->d.ino > y->d.ino;
}

static void on_socket(void *ctx, uint32_t pid, uint64_t ino)
{
	struct usnap *s = ctx;
	struct usock key = { .d.ino = ino }, *u;

	u = s->nr ? bsearch(&key, s->u, s->nr, sizeof(key), cmp_ino) : NULL;
	if (u && (!u->owner || pid < u->owner))
		u->owner = pid;
}

/* one namespace (a run of pids): sock_diag through a member still there;
 * false when sock_diag will not answer anywhere */
static bool read_netns(int proc_fd, struct usnap *s, const struct kw_pid_netns *g, size_t ng)
{
	for (size_t i = 0; i < ng && i < NETNS_TRIES; i++) {
		struct stat st;
		int nsfd = kw_proc_openat(proc_fd, g[i].pid, "ns/net", O_RDONLY), n;

		if (nsfd < 0)
			continue;
		if (fstat(nsfd, &st) || st.st_ino != g[i].netns) {
			close(nsfd);	/* exited, pid reused */
			continue;
		}
		s->netns = (uint32_t)g[i].netns;
		n = kw_unixdiag_listeners(nsfd, on_diag, s);
		close(nsfd);
		return n >= 0 || !kw_sockdiag_hopeless(n);
	}
	return true;
}

int kw_unix_snapshot(const char *proc_root, kw_emit_fn emit, void *ctx)
{
	struct timespec boot, mono;
	struct kw_cgroup_mounts mounts;
	struct kw_pid_netns *pids = NULL;
	struct usnap s = { 0 };
	uint32_t truncated = 0;
	size_t npids = 0;
	int proc_fd, ret;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	proc_fd = kw_proc_open_root(proc_root);
	if (proc_fd < 0)
		return proc_fd;
	s.u = calloc(KW_UNIX_SNAP_MAX, sizeof(*s.u));
	ret = s.u ? kw_pidwalk_netns(proc_fd, &pids, &npids, &truncated) : -ENOMEM;
	if (ret)
		goto out;
	/* one run of pids per namespace */
	for (size_t i = 0, ng; i < npids; i += ng) {
		for (ng = 1; i + ng < npids && pids[i + ng].netns == pids[i].netns; ng++)
			;
		if (pids[i].netns && !read_netns(proc_fd, &s, &pids[i], ng))
			break;
	}
	if (s.nr) {
		qsort(s.u, s.nr, sizeof(s.u[0]), cmp_ino);
		for (size_t i = 0; i < npids; i++)
			kw_pid_sockets(proc_fd, pids[i].pid, on_socket, &s, &truncated);
	}
	kw_cgroup_mounts_read(proc_fd, &mounts);
	for (size_t i = 0; i < s.nr; i++) {
		const struct usock *u = &s.u[i];
		struct kw_event ev;
		struct kw_ev_unix_listen *e = &ev.unix_listen;

		memset(&ev, 0, sizeof(ev));
		e->hdr.type = KW_EV_UNIX_LISTEN;
		e->hdr.size = sizeof(*e);
		e->hdr.flags = KW_F_SNAPSHOT | KW_F_NETNS;
		e->hdr.ts_boot_ns = (uint64_t)boot.tv_sec * 1000000000ull + boot.tv_nsec;
		e->hdr.ts_mono_ns = (uint64_t)mono.tv_sec * 1000000000ull + mono.tv_nsec;
		e->hdr.netns_ino = u->netns;
		if (u->owner) {
			kw_proc_task(proc_fd, &mounts, u->owner, &e->hdr.task);
			e->hdr.flags |= KW_F_TASK;
			e->hdr.cgroup_id = e->hdr.task.cgroup_id;
			if (e->hdr.cgroup_id)
				e->hdr.flags |= KW_F_CGROUP;
		}
		e->ino = u->d.ino;
		e->backlog = u->d.backlog;
		e->queued = u->d.queued;
		e->sock_type = u->d.type;
		e->source = KW_UL_SNAPSHOT;
		e->path_len = u->d.path_len;
		memcpy(e->path, u->d.path, sizeof(e->path));
		emit(&ev, ctx);
	}
	ret = (int)s.nr;
out:
	free(pids);
	free(s.u);
	close(proc_fd);
	return ret;
}
