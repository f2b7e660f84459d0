// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A listener's queue, holders and namespace counters (see listenq.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host/listenq.h"
#include "host/pidwalk.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/sockholders.h"

#define NETSTAT_MAX 16384

/* In pid's namespace: the listener taking want at least as well as
 * min_score (sockholders.h), its holders and the namespace's counters. */
static int read_in(const char *proc_root, const struct kw_cgroup_mounts *mounts, uint32_t pid,
		   const struct kw_addr *want, int min_score, struct kw_ev_listen_queue *out)
{
	struct kw_ev_sock_holders *h = malloc(sizeof(*h));
	struct kw_diag_listener d = {};
	uint64_t overflows = 0, drops = 0;
	char *text = NULL;
	struct stat st;
	int ret;

	if (!h)
		return -ENOMEM;
	ret = kw_proc_stat(proc_root, pid, "ns/net", &st);
	if (!ret)
		ret = kw_sock_holders_diag(proc_root, mounts, st.st_ino, pid, 0, want, min_score, h,
					   &d);
	if (ret)
		goto out;
	memset(out, 0, sizeof(*out));
	out->found = 1;
	out->local = d.local;
	out->queued = d.queued;
	out->max_backlog = d.backlog_known ? d.backlog : 0;
	out->backlog_unknown = !d.backlog_known;
	out->sock_ino = d.ino;
	out->nr = h->nr;
	out->total = h->total;
	memcpy(out->holders, h->holders, sizeof(out->holders));
	out->hdr.netns_ino = (uint32_t)st.st_ino;
	text = malloc(NETSTAT_MAX);
	if (text && kw_proc_read(proc_root, pid, "net/netstat", text, NETSTAT_MAX) > 0 &&
	    !kw_parse_netstat(text, "TcpExt:", "ListenOverflows", &overflows) &&
	    !kw_parse_netstat(text, "TcpExt:", "ListenDrops", &drops)) {
		out->counters_read = 1;
		out->listen_overflows = overflows;
		out->listen_drops = drops;
	}
out:
	free(text);
	free(h);
	return ret;
}

int kw_listen_queue_read(const char *proc_root, const struct kw_cgroup_mounts *mounts,
			 uint32_t pid, uint32_t netns, const struct kw_addr *want, bool search,
			 struct kw_ev_listen_queue *out)
{
	struct kw_pid_netns *pids = NULL;
	uint64_t tried = 0, last = 0;
	uint32_t truncated = 0, looked = 0;
	size_t nr = 0;
	struct stat st;
	int ret = -ESRCH, root;

	memset(out, 0, sizeof(*out));
	out->local = *want;
	if (pid) {
		ret = read_in(proc_root, mounts, pid, want, 2, out);
		if (ret != -ESRCH || !search)
			return ret;
		if (!kw_proc_stat(proc_root, pid, "ns/net", &st))
			tried = st.st_ino;
	}
	root = kw_proc_open_root(proc_root);
	if (root < 0)
		return root;
	if (kw_pidwalk_netns(root, &pids, &nr, &truncated) == 0) {
		/* pids come sorted by namespace: the first pid of each run */
		for (size_t i = 0; i < nr && looked < KW_LISTENQ_MAX_NETNS; i++) {
			if (!pids[i].netns || pids[i].netns == last || pids[i].netns == tried)
				continue;
			last = pids[i].netns;
			if (netns && pids[i].netns != netns)
				continue;
			looked++;
			ret = read_in(proc_root, mounts, pids[i].pid, want, netns ? 2 : 3, out);
			if (ret != -ESRCH)
				break;
		}
	}
	free(pids);
	close(root);
	if (ret) {
		memset(out, 0, sizeof(*out));
		out->local = *want;
	}
	return ret;
}
