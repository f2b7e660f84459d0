/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Causes: from an event and the model, the one sentence that says why, the
 * facts that prove it and a suggested fix.  Pure.
 */
#ifndef KWHY_EXPLAIN_H
#define KWHY_EXPLAIN_H

#include "util/buf.h"
#include "core/model.h"

enum kw_cause {
	KW_CAUSE_NONE = 0,
	/* refused connections */
	KW_CAUSE_WRONG_ADDRESS,
	KW_CAUSE_WRONG_FAMILY,
	KW_CAUSE_LISTENER_EXITED,
	KW_CAUSE_CRASH_LOOP,		/* the listener keeps coming and going */
	KW_CAUSE_BIND_FAILED,
	KW_CAUSE_WRONG_PORT,
	KW_CAUSE_WRONG_NETNS,
	KW_CAUSE_NO_LISTENER,
	KW_CAUSE_REMOTE,
	/* resets of established connections */
	KW_CAUSE_RESET_SENT,
	KW_CAUSE_PEER_RESET,
	/* deaths */
	KW_CAUSE_MEMCG_LIMIT,
	KW_CAUSE_GLOBAL_OOM,
	KW_CAUSE_USERSPACE_KILLER,
	KW_CAUSE_RUNTIME_STOP,		/* docker stop/kill, a pod's deletion */
	/* failed system calls: UNIX connects, out of ports, out of files */
	KW_CAUSE_UNIX_MISSING,		/* ENOENT: no socket file at that path */
	KW_CAUSE_UNIX_NO_LISTENER,	/* ECONNREFUSED: a stale socket file */
	KW_CAUSE_UNIX_BACKLOG_FULL,	/* EAGAIN: the listener's queue is full */
	KW_CAUSE_UNIX_PERMISSION,	/* EACCES, EPERM */
	KW_CAUSE_PORTS_EXHAUSTED,	/* connect: EADDRNOTAVAIL */
	KW_CAUSE_FD_LIMIT,		/* accept: EMFILE, ENFILE */
	/* no answer, filtered, reset on reuse (explain_net.c) */
	KW_CAUSE_ACCEPT_QUEUE_FULL,
	KW_CAUSE_CONNECT_TIMEOUT,
	KW_CAUSE_FIREWALL_REJECT,
	KW_CAUSE_FIREWALL_DROP,
	KW_CAUSE_KEEPALIVE_RACE,
	KW_CAUSE_MAX
};

#define KW_EX_LISTENERS 3
#define KW_EX_EVENTS 8
#define KW_EX_CGROUPS 3		/* global: biggest cgroups said */

struct kw_place {		/* where something is: a container or the host */
	bool known;
	uint64_t cgroup_id;
	uint8_t runtime;	/* enum kw_runtime */
	char id[72];
	char name[128];
	char pod[128];
	char k8s_namespace[64];
	char path[KW_PATH_LEN];
};

/* firewall_reject / firewall_drop: what the filter did */
enum kw_fw_mode {
	KW_FW_UNKNOWN = 0,
	KW_FW_TCP_RESET,	/* reject with tcp reset: the client got a RST */
	KW_FW_ICMP,		/* reject: an ICMP error (port unreachable, ...) */
	KW_FW_DROP,		/* drop: nothing; the client retried, then gave up */
};

#define KW_EX_CLIENTS 4

/* The facts of the connection stories of explain_net.c. */
struct kw_ex_net {
	/* accept_queue_full: the listener, its queue as read, the kernel's
	 * overflow event, the clients that timed out */
	bool listener_known;
	struct kw_listener listener;
	bool queue_known;
	struct kw_ev_listen_queue queue;
	uint64_t queue_event_id;
	bool overflows_before_known;	/* an earlier read in that namespace */
	uint64_t overflows_before;
	bool overflow_known;
	struct kw_ev_accept_queue overflow;
	uint64_t overflow_event_id;
	uint32_t nr_clients;
	uint32_t clients_total;
	struct kw_timeout_rec clients[KW_EX_CLIENTS];
	/* connect_timeout: this connect, and what the server side says */
	struct kw_timeout_rec conn;
	uint8_t server_cause;		/* accept_queue_full, firewall_drop, 0 */
	uint64_t server_explanation;	/* its id (the pipeline's), 0 none */
	bool listener_here;		/* a listener on this host takes it */
	/* firewall_reject, firewall_drop */
	struct kw_ev_syn_filtered syn;
	uint64_t syn_event_id;
	uint8_t fw_mode;		/* enum kw_fw_mode */
	bool fw_mode_inferred;		/* no retry seen: the client was answered */
	uint32_t syns_dropped;		/* the client's SYNs the filter dropped */
	/* keepalive_race: the socket's timing, and the server's reset */
	struct kw_ev_idle_reset idle;
	bool server_reset_known;
	uint64_t server_reset_event_id;
};

struct kw_explanation {
	uint64_t id;			/* 1, 2, ... in stream order */
	uint8_t cause;			/* enum kw_cause */
	uint64_t ts_ns;			/* boot time of the first event */
	struct kw_place place;		/* where it happened */

	/* refusals and resets */
	uint32_t netns;
	uint64_t netns_cookie;		/* 0 unknown */
	struct kw_addr dest;		/* what was dialled */
	struct kw_addr client;
	bool client_known;		/* a process is known as the client */
	struct kw_task client_task;
	struct kw_place client_place;	/* the client's container (place is the
					 * server's: where nothing listens) */
	struct kw_listener listeners[KW_EX_LISTENERS];
	uint32_t nr_listeners;
	struct kw_place other_place;	/* wrong_netns: where the listener is */
	struct kw_closed_listener closed;	/* listener_exited */
	bool closed_oom_global;		/* ... its owner died in a host-wide OOM */
	uint64_t delay_ns;		/* listener_exited/bind_failed: before it */
	struct kw_bind_rec bind;	/* bind_failed; listener_exited with
					 * bind_meanwhile: a new server's failed
					 * bind before the old one's socket closed
					 * (a restart race) */
	bool bind_meanwhile;
	bool holder_known;
	struct kw_task holder;		/* bind_failed: who opened the listener
					 * that has the port (or bound it) */
	struct kw_addr holder_addr;
	bool holders_known;		/* bind_failed: who holds it now, from
					 * /proc when the bind failed */
	struct kw_ev_sock_holders holders;
	bool heirs_known;		/* listener_exited after its creator died:
					 * who held it then, read at the death */
	struct kw_ev_sock_holders heirs;
	bool opener_gone;		/* the opener is not among the holders:
					 * it died, others drain the socket */
	struct kw_death opener_death;
	uint32_t listeners_checked;	/* no_listener: known in that netns */
	uint32_t ghosts;		/* no_listener: listeners believed open that
					 * would take it: their close was lost */
	bool resynced;			/* events were lost: the listeners were
					 * re-read from the kernel since */
	uint64_t resync_lost;
	bool snapshot_taken;
	uint32_t reason;		/* resets: kernel reason value */
	char reason_name[48];
	uint32_t tcp_state;

	/* deaths */
	struct kw_ev_oom oom;
	bool procs_known;
	struct kw_ev_memcg_procs procs;
	uint32_t ooms_in_window;	/* in the same limiting cgroup */
	bool host_mem_known;		/* global: the host's memory was read */
	struct kw_ev_host_mem host_mem;
	struct kw_place cgroup_places[KW_EX_CGROUPS];	/* the first host_mem.cgroups[] */
	struct kw_place limit_place;	/* the cgroup whose limit fired */
	struct kw_kill kill;		/* userspace_killer, runtime_stop: the
					 * signal that ended it */
	bool term_known;		/* runtime_stop: the SIGTERM before a SIGKILL */
	struct kw_kill term;
	/* listener_exited, no_listener: the process that died had its own
	 * connect refused just before (an upstream chain): which, and why */
	bool upstream_known;
	struct kw_refused_conn upstream;
	struct kw_task upstream_victim;	/* the process that then died */
	uint32_t upstream_victim_status;
	uint64_t upstream_victim_ns;
	uint8_t upstream_cause;
	char upstream_text[512];
	/* crash_loop: the last listeners on the port in that place, oldest
	 * first, and how long nothing listened in that time */
#define KW_EX_CYCLES 6
	uint32_t nr_cycles;
	struct kw_closed_listener cycles[KW_EX_CYCLES];
	uint64_t loop_window_ns;
	uint64_t loop_down_ns;
	bool stop_known;		/* listener_exited: its container was being
					 * stopped (the runtime's SIGTERM) */
	struct kw_kill stop;
	struct kw_task victim;

	/* UNIX connects: the path dialled, the call's errno, the path as the
	 * client saw it then, and the listeners that tell the story: the
	 * nearest paths (unix_missing), the dead one (unix_no_listener), the
	 * full one (unix_backlog_full) */
	char unix_path[KW_UNIX_PATH_LEN];
	uint16_t unix_path_len;
	int32_t sys_err;
	bool path_known;
	struct kw_unix_path_rec path;
	struct kw_unix_listener ulisteners[KW_EX_LISTENERS];
	uint32_t nr_ulisteners;
	uint8_t unix_match[KW_EX_LISTENERS];	/* KW_UNIX_SAME_* */
	bool dead_known;		/* ulisteners[0] listened on the path */
	bool dead_death_known;		/* ... and its owner died */
	struct kw_death dead_death;
	uint64_t dead_oom_event;	/* ... of an OOM kill */
	/* ports_exhausted */
	bool ports_known;
	struct kw_port_usage_rec ports;
	/* fd_limit: the failed accept, and the files read then; listeners[]
	 * holds its TCP listeners, ulisteners[] its UNIX ones */
	struct kw_ev_accept_fail accept;
	bool fds_known;
	struct kw_fd_usage_rec fds;
	struct kw_ex_net net;		/* explain_net.c's causes */

	uint64_t events[KW_EX_EVENTS];	/* ids of the events it rests on */
	uint32_t nr_events;
	uint64_t count;			/* occurrences it covers, so far */
	char text[1024];
	char fix[384];
};

const char *kw_cause_name(enum kw_cause c);	/* stable JSON identifiers */
/* a refusal explained from this host's listeners (not remote, not a reset) */
bool kw_cause_refused_here(uint8_t cause);

void kw_ex_add_event(struct kw_explanation *ex, uint64_t id);

/* Refused: a connection to dest in netns was refused at time ts.  Fills
 * cause, facts, text and fix. */
void kw_explain_refusal(const struct kw_model *m, struct kw_explanation *ex, uint32_t netns,
			uint64_t netns_cookie, const struct kw_addr *dest, uint64_t ts);
/* The destination is not on this host. */
void kw_explain_remote(const struct kw_model *m, struct kw_explanation *ex,
		       const struct kw_ev_conn *c);
/* A reset of an existing connection, sent or received. */
void kw_explain_reset(const struct kw_model *m, struct kw_explanation *ex,
		      const struct kw_ev_conn *c, const char *reason_name);
/* An OOM kill (the model already holds it and any memcg_procs read). */
void kw_explain_oom(const struct kw_model *m, struct kw_explanation *ex,
		    const struct kw_ev_oom *oom);
/* A SIGKILL from another process killed this one (userspace_killer), or
 * the container runtime stopped it (runtime_stop: its SIGTERM, then after
 * the grace period its SIGKILL); false if neither. */
bool kw_explain_kill(const struct kw_model *m, struct kw_explanation *ex,
		     const struct kw_ev_exit *e);

/* a nearest UNIX path: in the same directory, or the same file name */
#define KW_UNIX_SAME_DIR 1
#define KW_UNIX_SAME_NAME 2

/* A UNIX path whose failed connects are routine probes, not failures:
 * glibc asks nscd's socket on every name lookup where nscd is not run */
bool kw_unix_path_benign(const char *path, uint16_t len);

/* A connect to a UNIX path failed (unix_missing, unix_no_listener,
 * unix_backlog_full, unix_permission); false for an errno none is for. */
bool kw_explain_unix(const struct kw_model *m, struct kw_explanation *ex,
		     const struct kw_ev_unix_conn *c);
/* A connect found no local port (ports_exhausted). */
void kw_explain_no_port(const struct kw_model *m, struct kw_explanation *ex,
			const struct kw_ev_conn *c);
/* An accept found no free file descriptor (fd_limit). */
void kw_explain_fd_limit(const struct kw_model *m, struct kw_explanation *ex,
			 const struct kw_ev_accept_fail *a);
/* their sentences and fixes: explain_sys_text.c */
void kw_render_sys(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f);

/* ---- explain_net.c: timeouts, packet filters, keep-alive resets ---- */

/* The evidence that the listener l's accept queue is full at ts: a
 * listen_queue read or an overflow event; false when there is none. */
bool kw_explain_accept_queue(const struct kw_model *m, struct kw_explanation *ex,
			     const struct kw_listener *l, uint32_t netns, const struct kw_addr *local,
			     uint64_t ts);
/* The backlog of the listener whose queue n holds: as read with the queue
 * (sock_diag), else as the kernel's overflow event gave it, else as its
 * listen() set it (traced; a listener found at start through
 * /proc/net/tcp has none).  false when none of them knows it. */
bool kw_ex_queue_backlog(const struct kw_ex_net *n, uint32_t *backlog);
/* A connect that got no answer: its server side (accept_queue_full,
 * firewall_drop, nothing) in server_cause; the caller links the id. */
void kw_explain_connect_timeout(const struct kw_model *m, struct kw_explanation *ex,
				const struct kw_ev_connect_timeout *e);
/* The listener a connect from netns to dest reached on this host, NULL
 * when none: the client's namespace first, then one listening on dest's
 * very address in another. */
const struct kw_listener *kw_explain_server_of(const struct kw_model *m, uint32_t netns,
					       const struct kw_addr *dest);
/* A SYN dropped by a packet filter (the syn_filtered event), in the mode
 * given (KW_FW_UNKNOWN: from the event alone). */
void kw_explain_firewall(const struct kw_model *m, struct kw_explanation *ex,
			 const struct kw_ev_syn_filtered *syn, uint64_t syn_id, uint8_t mode,
			 bool inferred);
/* A reset after the peer's FIN: keepalive_race when this side wrote after
 * that FIN on a connection that carried data, else peer_reset. */
void kw_explain_idle_reset(const struct kw_model *m, struct kw_explanation *ex,
			   const struct kw_ev_idle_reset *e);
/* the sentences (explain_net_text.c) */
void kw_explain_render_net(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f);
const char *kw_fw_mode_name(uint8_t mode);

/* Where a refusal happened, once more: the client (named after the
 * server's reset) may be what tells the namespace's container. */
void kw_explain_refresh_place(const struct kw_model *m, struct kw_explanation *ex);

/* text and fix from the facts (called by the kw_explain_* functions) */
void kw_explain_render(struct kw_explanation *ex);
/* what the model knows of a cgroup / of a namespace's processes */
void kw_place_from_cgroup(const struct kw_model *m, struct kw_place *p, uint64_t id, bool v1);
void kw_place_from_netns(const struct kw_model *m, struct kw_place *p, uint32_t netns,
			 uint64_t cookie);

/* "container web (docker 3f2a…)" / "the host" */
void kw_place_text(struct kw_buf *b, const struct kw_place *p);
/* " in container X" (nothing for the host or an unknown place) */
void kw_place_in(struct kw_buf *b, const struct kw_place *p);

#endif
