/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one impure step after the ring buffer: what the kernel's events call
 * for from the host is read now, while it still exists (a container's
 * cgroup path and name, the biggest processes of a memory cgroup that just
 * OOM-killed), and handed on as records of its own before the event that
 * needed it.  Recorded with the stream, they make replay exact.
 */
#ifndef KWHY_ENRICH_H
#define KWHY_ENRICH_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "host/cgmounts.h"

#define KW_ENRICH_SEEN 4096
#define KW_ENRICH_HOLDER_PORTS 16	/* ports whose holders were read lately */
#define KW_HOLDERS_EVERY_NS 500000000ULL	/* at most this often per port */
#define KW_ENRICH_LISTENERS 256	/* listeners whose opener's death is watched */
#define KW_ENRICH_FAIL_KEYS 32	/* failures whose reads were made lately */
#define KW_ENRICH_DEFERRED 64	/* holder reads waiting for their time */
/* The holders of a listener whose opener died without forking are read
 * this long after the death, and not at all if it closes first: a process
 * that dies holding the only copy closes it microseconds after the exit
 * event (exit_files follows the sched_process_exit tracepoint), and
 * reading /proc at every such death cost a listener churn half a core */
#define KW_HOLDERS_DEFER_NS 20000000ULL

struct kw_cgroups;

/* a (namespace, port) read from the host lately */
struct kw_port_read {
	uint32_t netns;
	uint16_t port;
	uint64_t ts_ns;
};

struct kw_enrich {
	struct kw_cgroups *cg;	/* NULL: no cgroup lookups */
	struct {
		uint64_t id;
		bool v1;
	} seen[KW_ENRICH_SEEN];	/* ids already described in the stream */
	uint32_t nr_seen;
	/* who holds a port, read when a bind fails with EADDRINUSE: a server
	 * retrying its bind (gunicorn: 5 times) is read once per interval */
	bool holders_off;	/* no /proc or no sock_diag: stop asking */
	struct kw_cgroup_mounts mounts;
	struct kw_port_read holder_reads[KW_ENRICH_HOLDER_PORTS];
	uint32_t next_holder_read;
	/* open listeners and who opened them, from the stream's listen and
	 * listen_close records: when such a process dies and its listener
	 * lives on (prefork workers inherited it), its holders are read */
	struct {
		uint32_t owner;		/* tgid of the listen() caller, 0: free */
		uint32_t netns;
		struct kw_addr local;
	} listeners[KW_ENRICH_LISTENERS];
	uint32_t next_listener;	/* the slot overwritten when all are taken */
	/* reads at failed system calls (host/atfail.h), likewise at most
	 * once per interval and (namespace, path / destination / process) */
	struct {
		uint32_t netns;
		uint16_t type;
		uint64_t key;
		uint64_t ts_ns;
	} fail_reads[KW_ENRICH_FAIL_KEYS];
	uint32_t next_fail_read;
	/* a listener's queue, read at an accept queue overflow or a connect
	 * timeout: a burst of them is read once per interval */
	struct kw_port_read queue_reads[KW_ENRICH_HOLDER_PORTS];
	uint32_t next_queue_read;
	/* holder reads after an opener's death, due at due_ns (boot time) */
	struct {
		uint64_t due_ns;	/* 0: free */
		uint32_t tgid;		/* the dead opener, not a holder */
		struct kw_addr local;
		struct kw_hdr cause;	/* the exit, in the listener's netns */
	} deferred[KW_ENRICH_DEFERRED];
	uint32_t nr_deferred;
};

typedef void (*kw_feed_fn)(void *ctx, const struct kw_event *ev);

void kw_enrich_init(struct kw_enrich *e, struct kw_cgroups *cg);
/* feed the record of one cgroup (once), stamped with when's time: the
 * --container target's, at start, so a trace names what it was filtered to */
void kw_enrich_cgroup(struct kw_enrich *e, uint64_t id, bool v1, const struct kw_hdr *when,
		      kw_feed_fn feed, void *ctx);
/* feed the records ev calls for, then ev itself */
void kw_enrich_event(struct kw_enrich *e, const struct kw_event *ev, kw_feed_fn feed, void *ctx);
/* Are reads waiting for their time?  Then call kw_enrich_tick soon. */
bool kw_enrich_pending(const struct kw_enrich *e);
/* Make the reads due by now (CLOCK_BOOTTIME and CLOCK_MONOTONIC ns; all
 * of them with now_boot_ns UINT64_MAX), stamped now; called after the
 * rings were read, so a close that cancels a read is seen first. */
void kw_enrich_tick(struct kw_enrich *e, uint64_t now_boot_ns, uint64_t now_mono_ns,
		    kw_feed_fn feed, void *ctx);

#endif
