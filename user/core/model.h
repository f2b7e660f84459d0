/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A live model of the host, fed only by decoded events: listeners per
 * network namespace, recently closed listeners and why, bind results,
 * deaths, OOM kills, kill signals, and what is known of cgroups and
 * namespaces.  Pure: no I/O, no clock; time is the events' boot time.
 * Bounded: every table has a cap and an eviction rule (oldest goes).
 */
#ifndef KWHY_MODEL_H
#define KWHY_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "core/index.h"

/*
 * Listeners: up to 131,072 (a host with more is beyond what kwhy models;
 * the oldest goes).  The table and its indexes are fixed arrays in the
 * model (~26 MiB of address space, zero until used): a listener costs
 * about 190 bytes of resident memory (its slot, four links), the buckets
 * a page each as they are first used.
 */
#define KW_M_LISTENERS	131072
#define KW_M_LX_NP_BUCKETS (1u << 17)	/* by namespace and port */
#define KW_M_LX_PORT_BUCKETS (1u << 12)	/* by port */
#define KW_M_LX_NETNS	(2 * KW_M_LISTENERS)	/* namespaces with listeners */
#define KW_M_RECENT	256	/* closed listeners, binds, deaths, kills */
#define KW_M_OOMS	64
#define KW_M_CGROUPS	1024
#define KW_M_NETNS	1024
#define KW_M_MEMCG_PROCS 16
#define KW_M_HOLDERS	16	/* sock_holders records kept */
#define KW_M_HOST_MEM	4	/* one per global OOM kill, read with it */
#define KW_M_UNIX	1024	/* UNIX listeners, live and lately gone */
#define KW_M_READS	16	/* reads at failed system calls, of each kind */
#define KW_M_TIMEOUTS	64	/* connects that timed out */
#define KW_M_QUEUES	16	/* listen_queue records kept */
#define KW_M_OVERFLOWS	32	/* accept queue overflow events kept */

struct kw_model_cfg {
	uint64_t recent_ns;	/* how long things stay "recent" */
};

#define KW_DEFAULT_RECENT_NS (120ULL * 1000000000ULL)

struct kw_listener {
	uint32_t netns;
	uint64_t netns_cookie;	/* 0 unknown */
	struct kw_addr local;
	uint8_t v6only;
	uint8_t owner_known;
	uint8_t snapshot;	/* found at start (or at a resync) */
	uint8_t stale;		/* during a resync: not read again yet */
	uint32_t backlog;
	struct kw_task owner;
	uint64_t cgroup_id;	/* the socket's */
	uint64_t since_ns;
	uint64_t event_id;
};

struct kw_death {
	struct kw_task task;
	uint32_t wait_status;
	uint64_t ts_ns;
	uint64_t event_id;	/* 0: known only from its OOM kill */
	uint64_t oom_event_id;
};

struct kw_closed_listener {
	struct kw_listener l;
	uint64_t closed_ns;
	uint8_t how;		/* enum kw_close_how */
	uint32_t wait_status;	/* of the closer, when it was exiting */
	struct kw_task closer;
	uint64_t event_id;
	uint64_t oom_event_id;	/* the owner was an OOM victim; 0 if not */
	/*
	 * A socket outlives the process that created it when others hold it
	 * (prefork workers inherit the listener): then the creator's death
	 * before the close is where the story starts, and the close by the
	 * last holder is where it ends.
	 */
	bool creator_died;
	struct kw_death creator_death;
	/* the closer, alive when it closed, exited soon after (a graceful
	 * shutdown: close, then exit(3)) */
	bool closer_exited;
	uint32_t closer_wait_status;
	uint64_t closer_exit_ns;
	uint64_t closer_exit_event_id;
};

struct kw_bind_rec {
	uint32_t netns;
	struct kw_addr addr;
	int32_t err;		/* 0 ok, else errno */
	uint16_t bound_port;
	struct kw_task task;
	uint64_t ts_ns;
	uint64_t event_id;
};

/* a connect of a known process that was refused: the first link of an
 * upstream chain (the database refuses, the backend exits, ...) */
struct kw_refused_conn {
	struct kw_task client;
	struct kw_addr dest;
	uint32_t netns;
	uint64_t netns_cookie;
	uint64_t ts_ns;
	uint64_t event_id;
};

/* a connect that got no answer (connect_timeout event) */
struct kw_timeout_rec {
	bool client_known;
	struct kw_task client;
	uint32_t netns;			/* the client's */
	uint64_t netns_cookie;
	struct kw_addr local;
	struct kw_addr dest;
	int32_t error;			/* ETIMEDOUT, or 0: the program gave up */
	uint32_t syn_retransmits;
	uint64_t waited_ns;
	uint64_t ts_ns;
	uint64_t event_id;
};

struct kw_overflow_rec {
	struct kw_ev_accept_queue ev;
	uint64_t event_id;
};

struct kw_queue_rec {
	struct kw_ev_listen_queue ev;
	uint64_t event_id;
};

struct kw_syn_rec {
	struct kw_ev_syn_filtered ev;
	uint64_t event_id;
};

struct kw_kill {
	struct kw_task sender;
	struct kw_task target;
	uint32_t sig;
	uint8_t from_kernel;
	uint64_t ts_ns;
	uint64_t event_id;
};

struct kw_oom_rec {
	struct kw_ev_oom ev;
	uint64_t event_id;
};

/*
 * A network namespace and the cgroups seen in it, for its container.  A
 * namespace is shared (`docker run --network container:web`, a Kubernetes
 * pod): the container whose processes listen there is the one it belongs
 * to, and a client that joined it is only a client.
 */
struct kw_netns_rec {
	uint32_t ino;
	uint64_t cookie;		/* 0 unknown: the inode alone tells */
	uint64_t cgroup_id;		/* the latest process seen in it */
	uint64_t listener_cgroup_id;	/* the latest listener's, 0 none seen */
	uint64_t last_ns;
};

/* A listening UNIX socket: from listen(2), the snapshot, or a re-read at
 * a failed connect.  No tracepoint tells its close: it is gone when a
 * re-read of its namespace no longer finds it (gone_ns). */
struct kw_unix_listener {
	uint32_t netns;
	uint64_t ino;
	char path[KW_UNIX_PATH_LEN];
	uint16_t path_len;
	uint8_t source;		/* enum kw_unix_source of the first record */
	uint8_t owner_known;
	uint8_t queued_known;	/* a sock_diag read gave queued (listen(2)
				 * traced alone does not) */
	uint32_t backlog;
	uint32_t queued;	/* as the latest sock_diag read said */
	struct kw_task owner;
	uint64_t since_ns;	/* first seen */
	uint64_t seen_ns;	/* last seen */
	uint64_t gone_ns;	/* 0: believed open */
	uint64_t event_id;	/* the first record's */
};

/* a record read at a failure, with its place in the stream */
struct kw_unix_path_rec {
	struct kw_ev_unix_path ev;
	uint64_t event_id;
};

struct kw_port_usage_rec {
	struct kw_ev_port_usage ev;
	uint64_t event_id;
};

struct kw_fd_usage_rec {
	struct kw_ev_fd_usage ev;
	uint64_t event_id;
};

/* a namespace's listeners: how many, the newest first */
struct kw_lx_netns {
	uint32_t ino;
	uint32_t count;		/* 0: an empty entry */
	uint32_t head;		/* slot + 1 */
};

/* a fixed-size ring of T, newest overwriting oldest */
#define KW_RING(T, N) struct { T v[N]; uint32_t head, n; }

struct kw_model {
	struct kw_model_cfg cfg;
	uint64_t now_ns;		/* latest event time seen */
	struct kw_listener listeners[KW_M_LISTENERS];
	uint32_t nr_listeners;
	/* indexes of listeners[] (core/listeners.c) */
	struct kw_ix_link lx_np_link[KW_M_LISTENERS], lx_port_link[KW_M_LISTENERS],
		lx_ns_link[KW_M_LISTENERS], lx_age[KW_M_LISTENERS];
	uint32_t lx_np[KW_M_LX_NP_BUCKETS];
	uint32_t lx_port[KW_M_LX_PORT_BUCKETS];
	uint32_t lx_newest, lx_oldest;
	struct kw_lx_netns lx_netns[KW_M_LX_NETNS];
	uint64_t listeners_evicted;
	bool snapshot_taken;
	uint64_t resync_ns;		/* the latest resync's end, 0 none */
	uint64_t resync_lost;		/* events lost before it */
	KW_RING(struct kw_closed_listener, KW_M_RECENT) closed;
	KW_RING(struct kw_bind_rec, KW_M_RECENT) binds;
	KW_RING(struct kw_death, KW_M_RECENT) deaths;
	KW_RING(struct kw_kill, KW_M_RECENT) kills;
	KW_RING(struct kw_refused_conn, KW_M_RECENT) refused;
	KW_RING(struct kw_oom_rec, KW_M_OOMS) ooms;
	KW_RING(struct kw_ev_memcg_procs, KW_M_MEMCG_PROCS) memcg_procs;
	KW_RING(struct kw_ev_sock_holders, KW_M_HOLDERS) holders;	/* as recorded */
	KW_RING(struct kw_ev_host_mem, KW_M_HOST_MEM) host_mem;
	KW_RING(struct kw_ev_cgroup, KW_M_CGROUPS) cgroups;	/* as recorded */
	KW_RING(struct kw_netns_rec, KW_M_NETNS) netns;
	struct kw_unix_listener unix_l[KW_M_UNIX];
	uint32_t nr_unix;
	KW_RING(struct kw_unix_path_rec, KW_M_READS) unix_paths;
	KW_RING(struct kw_port_usage_rec, KW_M_READS) port_usage;
	KW_RING(struct kw_fd_usage_rec, KW_M_READS) fd_usage;
	/* timeouts, packet filters (explain_net.c) */
	KW_RING(struct kw_timeout_rec, KW_M_TIMEOUTS) timeouts;
	KW_RING(struct kw_overflow_rec, KW_M_OVERFLOWS) overflows;
	KW_RING(struct kw_queue_rec, KW_M_QUEUES) queues;
	KW_RING(struct kw_syn_rec, KW_M_RECENT) syns;
	/* indexes of the two rings above: by cgroup id, by inode */
	uint32_t cg_heads[KW_M_CGROUPS], netns_heads[KW_M_NETNS];
	struct kw_ix_link cg_link[KW_M_CGROUPS], netns_link[KW_M_NETNS];
};

/* ring access: i = 0 is the newest */
#define KW_RING_CAP(r) (sizeof((r)->v) / sizeof((r)->v[0]))
#define KW_RING_AT(r, i) (&(r)->v[((r)->head + KW_RING_CAP(r) - 1 - (i)) % KW_RING_CAP(r)])
#define KW_RING_PUSH(r) (&(r)->v[kw_ring_push(&(r)->head, &(r)->n, KW_RING_CAP(r))])

static inline uint32_t kw_ring_push(uint32_t *head, uint32_t *n, uint32_t cap)
{
	uint32_t at = *head;

	*head = (*head + 1) % cap;
	if (*n < cap)
		(*n)++;
	return at;
}

/* m is zeroed memory (static, calloc) or a model initialised before */
void kw_model_init(struct kw_model *m, const struct kw_model_cfg *cfg);
/* apply one event; id is the event's position in the stream */
void kw_model_apply(struct kw_model *m, const struct kw_event *ev, uint64_t id);

/* queries */
bool kw_addr_is_wildcard(const struct kw_addr *a);
bool kw_addr_is_loopback(const struct kw_addr *a);
bool kw_addr_same_ip(const struct kw_addr *a, const struct kw_addr *b);
/* would listener l accept a connection to dest (same netns assumed)? */
bool kw_listener_accepts(const struct kw_listener *l, const struct kw_addr *dest);
const struct kw_ev_cgroup *kw_model_cgroup(const struct kw_model *m, uint64_t id, bool v1);
/* the cgroup (v2 id) of some process seen in netns, 0 if none */
uint64_t kw_model_netns_cgroup(const struct kw_model *m, uint32_t netns, uint64_t cookie);
const struct kw_oom_rec *kw_model_oom_of(const struct kw_model *m, uint32_t tgid,
					 uint64_t before_ns);
bool kw_model_recent(const struct kw_model *m, uint64_t ts_ns);
/* the newest connect of tgid refused at most KW_CLOSE_EXIT_WINDOW_NS before
 * ts (its death), NULL if none */
const struct kw_refused_conn *kw_model_refused_before(const struct kw_model *m, uint32_t tgid,
						      uint64_t ts);
/* the newest recent death of tgid at or before ts; NULL if none */
const struct kw_death *kw_model_death_of(const struct kw_model *m, uint32_t tgid, uint64_t ts);
/* a listener in netns that takes dest, NULL if none (explain_net.c) */
const struct kw_listener *kw_model_listener_for(const struct kw_model *m, uint32_t netns,
						const struct kw_addr *dest);
/* who held the listener on port in netns, as read at or before ts when
 * trigger (enum kw_holders_trigger) called for it */
const struct kw_ev_sock_holders *kw_model_holders(const struct kw_model *m, uint32_t netns,
						  uint16_t port, uint64_t ts, uint32_t trigger);

/* UNIX sockets: two paths are the same (bytes and length) */
bool kw_unix_path_eq(const char *a, uint16_t alen, const char *b, uint16_t blen);
/* the newest path record of this client and path at or up to a second
 * before ts, NULL if none */
const struct kw_unix_path_rec *kw_model_unix_path(const struct kw_model *m, uint32_t pid,
						  const char *path, uint16_t len, uint64_t ts);
/* the listener table (core/listeners.c) */
void kw_lx_reset(struct kw_model *m);
struct kw_listener *kw_lx_find(const struct kw_model *m, uint32_t netns,
			       const struct kw_addr *local);
/* a new listener with these keys, the rest zero (the oldest goes when full) */
struct kw_listener *kw_lx_insert(struct kw_model *m, uint32_t netns, const struct kw_addr *local);
void kw_lx_remove(struct kw_model *m, struct kw_listener *l);
/* l was listened on again: the newest of its namespace */
void kw_lx_touch(struct kw_model *m, struct kw_listener *l);
uint32_t kw_lx_netns_count(const struct kw_model *m, uint32_t netns);
/* chain starts (slot + 1, 0 none) for KW_IX_FOR; chains by hash hold
 * other keys too: compare */
uint32_t kw_lx_np_first(const struct kw_model *m, uint32_t netns, uint16_t port);
uint32_t kw_lx_port_first(const struct kw_model *m, uint16_t port);
uint32_t kw_lx_netns_first(const struct kw_model *m, uint32_t netns);	/* newest first */
#define KW_LX_FOR_NP(m, s, netns, port) \
	KW_IX_FOR(s, kw_lx_np_first(m, netns, port), (m)->lx_np_link)
#define KW_LX_FOR_PORT(m, s, port) KW_IX_FOR(s, kw_lx_port_first(m, port), (m)->lx_port_link)
#define KW_LX_FOR_NETNS(m, s, netns) \
	KW_IX_FOR(s, kw_lx_netns_first(m, netns), (m)->lx_ns_link)

#endif
