/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The start-up snapshot of TCP listeners.  Services started before kwhy
 * must be known too, so at start every TCP socket in LISTEN, in every
 * network namespace on the host, is found with the process(es) holding it
 * and fed into the pipeline as an ordinary KW_EV_LISTEN record flagged
 * KW_F_SNAPSHOT.
 *
 * Source: /proc, which works on every kernel.  Processes are grouped by
 * network namespace; one process per namespace gives its net/tcp and
 * net/tcp6 tables; /proc/<pid>/fd links "socket:[N]" give the holders.
 * When kwhy may enter namespaces (CAP_SYS_ADMIN), sock_diag netlink adds
 * what /proc does not print (IPV6_V6ONLY, the backlog, the netns cookie)
 * and covers namespaces kept alive only by a bind mount (/run/netns).
 *
 * Every loop is bounded (the KW_SNAP_MAX_* limits below) and memory is
 * bounded by max_listeners and KW_SNAP_MAX_PIDS.
 */
#ifndef KWHY_SNAPSHOT_H
#define KWHY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/event.h"
#include "host/pidwalk.h"

/* Same type as loader.h's (a compatible typedef may be repeated in C11). */
typedef void (*kw_emit_fn)(const struct kw_event *ev, void *ctx);

#define KW_SNAP_MAX_PIDS	KW_PIDWALK_MAX_PIDS /* processes examined */
#define KW_SNAP_MAX_FDS		KW_PIDWALK_MAX_FDS  /* fds examined per process */
#define KW_SNAP_MAX_LINES	(1 << 21) /* lines read per net/tcp file */
#define KW_SNAP_MAX_NETNS_DIR	4096	 /* entries per /run/netns-like dir */
#define KW_SNAP_DEF_LISTENERS	65536	 /* max_listeners 0 means this */
#define KW_SNAP_MAX_LISTENERS	(1 << 20) /* max_listeners is clamped to it */
#define KW_SNAP_HOLDERS_MAX	8	 /* holder tgids kept per listener */

/*
 * Snapshot every TCP listener and call emit() once per listener with a
 * KW_EV_LISTEN record: flags KW_F_SNAPSHOT | KW_F_NETNS, plus KW_F_TASK
 * when a process holding the socket was found (hdr.task = the lowest pid
 * holding it), plus KW_F_CGROUP when that process's cgroup v2 id is known
 * (hdr.cgroup_id).  hdr.netns_ino is the socket's namespace; both
 * timestamps are taken once, before anything is read, so a live event seen
 * during the scan sorts after the snapshot.  Records come out ordered by
 * namespace, family, port, address.
 *
 * proc_root is normally "/proc" (tests pass a fake tree; its
 * "self/mountinfo" locates the cgroup mounts).  At most max_listeners
 * listeners are kept (0 = KW_SNAP_DEF_LISTENERS).  Returns the number of
 * records emitted, or -errno when proc_root cannot be read or memory runs
 * out (nothing emitted then).
 */
int kw_snapshot_listeners(const char *proc_root, kw_emit_fn emit, void *ctx, size_t max_listeners);

/* What a record cannot carry, for callers that want it. */
struct kw_snap_info {
	uint64_t sock_ino;	/* socket inode */
	uint32_t nr_holders;	/* processes with an fd on it, owner included */
	uint32_t nr_listed;	/* valid entries in holders[] */
	uint32_t holders[KW_SNAP_HOLDERS_MAX]; /* tgids, lowest first; [0] = owner */
	bool from_diag;		/* backlog and v6only came from sock_diag */
};

struct kw_snap_stats {
	uint32_t pids;		/* processes examined */
	uint32_t netns;		/* network namespaces seen */
	uint32_t netns_read;	/* ... whose tcp tables were read */
	uint32_t netns_diag;	/* ... that sock_diag answered for */
	uint32_t listeners;	/* listeners emitted */
	uint32_t dropped;	/* listeners over max_listeners, not emitted */
	uint32_t unowned;	/* emitted without an owning process */
	uint32_t truncated;	/* bounded walks cut short (pids, fds, lines) */
};

/* kw_snapshot_listeners_ex flags */
#define KW_SNAP_NO_DIAG (1u << 0) /* /proc only: no setns, no sock_diag */

typedef void (*kw_snap_fn)(const struct kw_event *ev, const struct kw_snap_info *info, void *ctx);

/* As kw_snapshot_listeners, with the holders of each socket and counts.
 * The caller seeding the map of listener-holding processes can take every
 * holder, not only the owner.  stats may be NULL. */
int kw_snapshot_listeners_ex(const char *proc_root, size_t max_listeners, unsigned int flags,
			     kw_snap_fn fn, void *ctx, struct kw_snap_stats *stats);

#endif
