// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Who holds a listening socket now (see sockholders.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "host/pidwalk.h"
#include "host/procfs.h"
#include "host/proctask.h"
#include "host/proctcp.h"
#include "host/sockdiag.h"
#include "host/sockholders.h"

/* lines read per net/tcp file: the listeners come first */
#define KW_HOLDERS_MAX_LINES (1 << 16)

/* the listener found for the port: an exact address beats a wildcard */
struct pick {
	const struct kw_addr *want;
	struct kw_diag_listener best;
	int score;		/* 0 none, 1 same port, 2 wildcard, 3 same address */
};

static bool is_wildcard(const struct kw_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, a->family == 10 ? 16 : 4);
}

static void on_listener(void *ctx, const struct kw_diag_listener *l)
{
	struct pick *p = ctx;
	int score;

	if (l->local.port != p->want->port)
		return;
	if (l->local.family == p->want->family &&
	    !memcmp(l->local.addr, p->want->addr, l->local.family == 10 ? 16 : 4))
		score = 3;
	else if (is_wildcard(&l->local))
		score = 2;
	else
		score = 1;
	if (score > p->score) {
		p->score = score;
		p->best = *l;
	}
}

struct holders {
	uint64_t ino;
	bool found;		/* the current pid holds it */
};

static void on_socket(void *ctx, uint32_t pid, uint64_t sock_ino)
{
	struct holders *h = ctx;

	(void)pid;
	if (sock_ino == h->ino)
		h->found = true;
}

/* a process of the namespace: hint when it is one, else the lowest pid */
static uint32_t ns_member(const struct kw_pid_netns *pids, size_t nr, uint64_t netns,
			  uint32_t hint)
{
	uint32_t any = 0;

	for (size_t i = 0; i < nr; i++) {
		if (pids[i].netns != netns)
			continue;
		if (pids[i].pid == hint)
			return hint;
		if (!any)
			any = pids[i].pid;
	}
	return any;
}

int kw_sock_holders(const char *proc_root, const struct kw_cgroup_mounts *mounts,
		    uint64_t netns, uint32_t hint, uint32_t skip_tgid, const struct kw_addr *want,
		    struct kw_ev_sock_holders *out)
{
	return kw_sock_holders_diag(proc_root, mounts, netns, hint, skip_tgid, want, 1, out, NULL);
}

int kw_sock_holders_diag(const char *proc_root, const struct kw_cgroup_mounts *mounts,
			 uint64_t netns, uint32_t hint, uint32_t skip_tgid,
			 const struct kw_addr *want, int min_score, struct kw_ev_sock_holders *out,
			 struct kw_diag_listener *found)
{
	struct pick p = { .want = want };
	struct kw_pid_netns *pids = NULL;
	uint32_t truncated = 0, member;
	uint64_t cookie;
	size_t nr = 0;
	int root, nsfd, ret;

	memset(out, 0, sizeof(*out));
	root = kw_proc_open_root(proc_root);
	if (root < 0)
		return root;
	/* only the namespace's processes can hold it (an fd passed to
	 * another namespace is rare enough to miss) */
	ret = kw_pidwalk_netns(root, &pids, &nr, &truncated);
	if (ret)
		goto out;
	member = ns_member(pids, nr, netns, hint);
	if (!member) {
		ret = -ESRCH;	/* nobody is left in the namespace */
		goto out;
	}
	nsfd = kw_proc_openat(root, member, "ns/net", O_RDONLY);
	ret = nsfd < 0 ? nsfd : kw_sockdiag_listeners(nsfd, on_listener, &p, &cookie);
	if (nsfd >= 0)
		close(nsfd);
	if (kw_sockdiag_hopeless(ret)) {
		/* no sock_diag here (inet_diag not loaded): the member's
		 * net/tcp{,6} show the same listeners, with their inodes */
		ret = kw_proc_tcp_listeners(root, member, AF_INET, KW_HOLDERS_MAX_LINES,
					    on_listener, &p, &truncated);
		if (!ret)
			ret = kw_proc_tcp_listeners(root, member, AF_INET6, KW_HOLDERS_MAX_LINES,
						    on_listener, &p, &truncated);
	}
	if (ret)
		goto out;
	if (!p.score || p.score < min_score) {
		ret = -ESRCH;	/* nothing (good enough) listens there any more */
		goto out;
	}
	if (found)
		*found = p.best;
	out->local = p.best.local;
	out->sock_ino = p.best.ino;
	for (size_t i = 0; i < nr; i++) {
		struct holders h = { .ino = p.best.ino };

		if (pids[i].netns != netns || pids[i].pid == skip_tgid)
			continue;
		kw_pid_sockets(root, pids[i].pid, on_socket, &h, &truncated);
		if (!h.found)
			continue;
		if (out->nr < KW_HOLDERS_MAX)
			kw_proc_task(root, mounts, pids[i].pid, &out->holders[out->nr++]);
		out->total++;
	}
out:
	free(pids);
	close(root);
	return ret;
}
