/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every kwhy BPF program shares: the maps, the load-time config and
 * the helpers that fill the event header.  Maps are __weak so that each
 * .bpf.c carries the same definition and `bpftool gen object` merges them
 * into one; the config is defined once, in config.bpf.c.
 *
 * Rule for attribution: a task is reported as the actor only when the
 * program runs in that task's process context (listen, connect, bind, exit,
 * signal sender, OOM invoker) or when the socket's owner was recorded
 * earlier in such a context (kw_sock_owner).  Softirq-time programs never
 * take pid/comm from `current`.
 */
#ifndef KWHY_BPF_H
#define KWHY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "kwhy/events.h"

/* The loader hands libbpf a CO-RE target cut down to the types this
 * object names (user/kernel/corebtf.h): it keeps no pointee behind a
 * field, which bpf_core_type_matches compares, and its type ids are not
 * the kernel's, which bpf_core_type_id_kernel returns.  Neither may be
 * used: a call is a build error. */
#undef bpf_core_type_matches
#define bpf_core_type_matches(type) kw_not_with_a_cut_core_target(type)
#undef bpf_core_type_id_kernel
#define bpf_core_type_id_kernel(type) kw_not_with_a_cut_core_target(type)

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define SIGKILL		9
#define SIGTERM		15
#define SI_KERNEL	0x80
#define PF_EXITING	0x00000004
#define PF_KTHREAD	0x00200000
#define SIGNAL_GROUP_EXIT 0x00000004
#define ENOTSOCK	88
#define ETIMEDOUT	110
#define EBADF		9
#define AF_UNIX		1
#define EPERM		1
#define ENOENT		2
#define EAGAIN		11
#define EACCES		13
#define ENFILE		23
#define EMFILE		24
#define EADDRNOTAVAIL	99
#define ECONNREFUSED	111
#define RLIMIT_NOFILE	7

/* TCP states (uapi values, stable) */
#define KW_TCP_ESTABLISHED	1
#define KW_TCP_SYN_SENT		2
#define KW_TCP_SYN_RECV		3
#define KW_TCP_FIN_WAIT2	5
#define KW_TCP_CLOSE		7
#define KW_TCP_CLOSE_WAIT	8
#define KW_TCP_LAST_ACK		9
#define KW_TCP_LISTEN		10
#define KW_TCP_CLOSING		11

/* ---- load-time configuration, set by the loader through the skeleton ---- */
extern const volatile __u64 kw_agg_window_ns;	/* 0: send every event */
extern const volatile __u32 kw_page_size;	/* bytes */
extern const volatile __u8 kw_filter_on;	/* --container/--pid: only the target */
extern const volatile __u16 kw_filter_port;	/* --port, 0: any */
/* rare records nothing waits for wake kwhy only past this much unread
 * data in the rare ring (0: every record may wake it; kw_submit_lazy) */
extern const volatile __u32 kw_rare_wake_bytes;
extern const volatile __u8 kw_netns_by_cookie;	/* kw_target_netns holds cookies,
						 * else inode numbers */
extern const volatile __u64 kw_tick_ns;		/* one jiffy (1/HZ) in ns */

/* ---- maps ---- */

/* Rare, precious events (OOM, exits, signals, listeners, binds) get a ring
 * of their own so that a reset storm cannot crowd them out. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} kw_rb_rare SEC(".maps") __weak;

/* Connection events: resets, refused connects, socket errors. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} kw_rb_bulk SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kw_counters);
} kw_counters SEC(".maps") __weak;

/* Who owns a socket, recorded in process context at listen() and
 * connect(), read later from softirq context. */
struct kw_sock_owner {
	struct kw_task task;
	__u64 since_ns;			/* boot ns of listen()/connect() */
	__u8 reset_received;		/* connect: a RST arrived in SYN_SENT */
	__u8 fail_reported;		/* connect: CONNECT_FAIL already sent */
	__u16 local_port;		/* while still bound: listen() time, or
					 * the RST of a connect */
	__u8 syn_retrans;		/* connect: SYNs retransmitted so far */
	__u8 closed;			/* connect: its CLOSE was traced; kept for
					 * the error report and the reset that
					 * follow it in the same kernel call */
	__u8 _pad[2];
};

/* Listeners' owners, by socket address: few and long-lived, so an LRU
 * hash (a connect never evicts one: connects have kw_conn_owner).  Per-CPU
 * LRU lists keep two CPUs that listen at full rate off one lock. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u64);		/* struct sock address */
	__type(value, struct kw_sock_owner);
} kw_sock_owner SEC(".maps") __weak;

/*
 * Owners of connecting sockets: a two-way cache in an array, written at
 * every connect() into one of two slots chosen by a hash of the socket's
 * address (an empty one, or one whose socket has closed, else the first).
 * An array lookup is inlined by the verifier (no helper, no lock), where
 * an LRU hash insert and delete per connection were most of the cost of a
 * connect; the second way keeps a long-lived connection's owner until two
 * live sockets share both its slots.  A slot names its socket, so a
 * socket whose slot was taken by a later one has no owner ("unknown"),
 * never another's.  seq is odd while a connect writes the slot (claimed
 * by compare-and-swap: one writer at a time); a reader copies the record
 * and keeps it only if seq did not move.
 */
#define KW_CONN_OWNER_BITS 15
struct kw_conn_owner {
	__u64 seq;
	__u64 sk;			/* kw_sk_id of the socket, 0 none */
	struct kw_sock_owner o;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KW_CONN_OWNER_BITS);
	__type(key, __u32);
	__type(value, struct kw_conn_owner);
} kw_conn_owner SEC(".maps") __weak;

/* Processes that opened a listening socket: their exits are reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);		/* tgid */
	__type(value, __u32);		/* listening sockets opened */
} kw_listener_procs SEC(".maps") __weak;

/* Of those, the ones that forked since: their children may hold the
 * listeners still when they die (a prefork master and its workers). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);		/* tgid */
	__type(value, __u8);
} kw_listener_forked SEC(".maps") __weak;

/* Processes that closed a listening socket while alive (close(), a SIGTERM
 * handler, a graceful shutdown): their exit within KW_CLOSE_EXIT_WINDOW_NS
 * is reported too, since it is often the reason the socket went away.  LRU:
 * a process that closes and lives on is forgotten under pressure. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tgid */
	__type(value, __u64);		/* boot ns of the last such close */
} kw_listener_closers SEC(".maps") __weak;

/* Processes whose connect was refused lately (the first of each repeat
 * key only, so a storm costs nothing more): their exit soon after is
 * reported, the next link of an upstream chain. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tgid */
	__type(value, __u64);		/* boot ns of the refusal */
} kw_refused_procs SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kw_agg_key);
	__type(value, struct kw_agg_val);
} kw_agg SEC(".maps") __weak;

/* Listener generations by port (hashed into KW_LISTEN_GENS slots; two
 * ports sharing one only make a few more events unfolded): bumped when a
 * listener starts or stops, part of every aggregation key. */
#define KW_LISTEN_GENS 4096
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KW_LISTEN_GENS);
	__type(key, __u32);
	__type(value, __u32);
} kw_listen_gen SEC(".maps") __weak;

static __always_inline void kw_listen_gen_bump(__u16 port)
{
	__u32 slot = port & (KW_LISTEN_GENS - 1);
	__u32 *g = bpf_map_lookup_elem(&kw_listen_gen, &slot);

	if (g)
		__sync_fetch_and_add(g, 1);
}

/* The last SIGKILL generated on this CPU.  On kernels whose mark_victim
 * carries only a pid, the OOM killer's SIGKILL (sent just before, on the
 * same CPU) gives the victim's task.  Written by proc.bpf.c, read by
 * oom.bpf.c. */
struct kw_last_kill {
	__u64 task;		/* struct task_struct address, probe-read only */
	__u64 ts_ns;
	__u32 tgid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kw_last_kill);
} kw_last_kill SEC(".maps") __weak;

/*
 * The target (--container, --pid): its cgroups (v2 ids and v1 memory
 * cgroup ids; an event matches when its cgroup or an ancestor is listed,
 * so cgroups made later inside the container match too), its network
 * namespaces (for events without a process), and pids.  Filled by the
 * loader before attaching.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} kw_target_cg2 SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} kw_target_memcg SEC(".maps") __weak;

/* The target's network namespaces, by cookie: an inode number is handed to
 * the next namespace as soon as one is freed (by inode only where the
 * kernel has no cookie). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} kw_target_netns SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} kw_target_tgids SEC(".maps") __weak;

/* ---- counters ---- */

enum kw_counter_kind { KW_CNT_EMITTED, KW_CNT_LOST, KW_CNT_AGGREGATED, KW_CNT_FILTERED };

static __always_inline void kw_count(enum kw_counter_kind kind, __u16 type)
{
	__u32 zero = 0;
	struct kw_counters *c = bpf_map_lookup_elem(&kw_counters, &zero);

	if (!c || type >= KW_EV_COUNTED)
		return;
	switch (kind) {
	case KW_CNT_EMITTED:	c->emitted[type]++; break;
	case KW_CNT_LOST:	c->lost[type]++; break;
	case KW_CNT_AGGREGATED:	c->aggregated[type]++; break;
	case KW_CNT_FILTERED:	c->filtered[type]++; break;
	}
}

/* ---- record construction ---- */

/* Reserve a zeroed record and fill the timing part of its header. */
static __always_inline void *kw_reserve(void *ring, __u32 size, __u16 type)
{
	struct kw_hdr *h = bpf_ringbuf_reserve(ring, size, 0);

	if (!h) {
		kw_count(KW_CNT_LOST, type);
		return NULL;
	}
	__builtin_memset(h, 0, size);
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->ts_mono_ns = bpf_ktime_get_ns();
	return h;
}

static __always_inline void kw_submit_flags(void *rec, __u64 flags)
{
	kw_count(KW_CNT_EMITTED, ((struct kw_hdr *)rec)->type);
	bpf_ringbuf_submit(rec, flags);
}

static __always_inline void kw_submit(void *rec)
{
	kw_submit_flags(rec, 0);
}

/*
 * A rare record that nothing waits for (a listener opened or closed, a
 * bind that worked, a signal, a death that needs no read of the host):
 * submitted without waking kwhy, which reads it at its next wake-up (a
 * record that wakes it, or its poll timeout, 100 ms at most), in time
 * order with the rest.  A wake-up is an interrupt and a task wake-up on
 * the submitting CPU: measured 7-19 us per record on this kernel (a VM),
 * against ~1 us for the whole program without it.  Past
 * kw_rare_wake_bytes of unread data every record wakes kwhy, so a burst
 * cannot fill the ring while it sleeps.
 */
/* A rare record that must be read at once (it calls for a read of the
 * host while what it names still exists): it wakes kwhy even when lazy
 * records wait before it, which the ring's own rule (wake only a reader
 * that had read everything) would not. */
static __always_inline void kw_submit_rare_now(void *rec)
{
	kw_submit_flags(rec, kw_rare_wake_bytes ? BPF_RB_FORCE_WAKEUP : 0);
}

static __always_inline void kw_submit_lazy(void *rec)
{
	__u64 flags = 0;

	if (kw_rare_wake_bytes)
		flags = bpf_ringbuf_query(&kw_rb_rare, BPF_RB_AVAIL_DATA) >= kw_rare_wake_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	kw_submit_flags(rec, flags);
}

static __always_inline void kw_hdr_set_net(struct kw_hdr *h, struct net *net)
{
	if (!net)
		return;
	h->netns_ino = BPF_CORE_READ(net, ns.inum);
	if (bpf_core_field_exists(net->net_cookie))
		h->netns_cookie = BPF_CORE_READ(net, net_cookie);
	h->flags |= KW_F_NETNS;
}

static __always_inline struct net *kw_sk_net(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net);
}

static __always_inline __u64 kw_sk_cgroup_id(const struct sock *sk)
{
	if (!bpf_core_field_exists(sk->sk_cgrp_data))
		return 0;
	return BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
}

/* Identity of a task: ids, namespaces, memory cgroup.  Works for any task
 * pointer (probe reads), including one that is exiting. */
static __always_inline void kw_fill_task(struct kw_task *t, struct task_struct *task)
{
	struct css_set *cgroups;
	struct cgroup_subsys_state *css = NULL;
	struct cgroup *cg;

	t->pid = BPF_CORE_READ(task, pid);
	t->tgid = BPF_CORE_READ(task, tgid);
	t->uid = BPF_CORE_READ(task, cred, uid.val);
	cgroups = BPF_CORE_READ(task, cgroups);
	t->cgroup_id = BPF_CORE_READ(cgroups, dfl_cgrp, kn, id);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
		int idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

		if (idx >= 0 && idx < CGROUP_SUBSYS_COUNT)
			bpf_core_read(&css, sizeof(css), &cgroups->subsys[idx]);
	}
	if (css) {
		cg = BPF_CORE_READ(css, cgroup);
		t->memcg_id = BPF_CORE_READ(cg, kn, id);
		t->memcg_hier = BPF_CORE_READ(cg, root, hierarchy_id);
	}
	t->netns_ino = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	t->mntns_ino = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	bpf_core_read_str(t->comm, sizeof(t->comm), &task->comm);
}

static __always_inline struct task_struct *kw_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* kw_fill_task for the current task, for hot paths (every connect).  Where
 * the kernel has bpf_get_current_task_btf (5.11+): plain loads from the BTF
 * task, of the fields the helpers would read (task->pid, ->tgid,
 * ->cred->uid, the css_set's default cgroup, ->comm); else the helpers
 * and probe reads. */
static __always_inline void kw_fill_current(struct kw_task *t)
{
	struct cgroup_subsys_state *css = NULL;

	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct task_struct *task = kw_current();
		__u64 id = bpf_get_current_pid_tgid();

		t->pid = (__u32)id;
		t->tgid = id >> 32;
		t->uid = (__u32)bpf_get_current_uid_gid();
		t->cgroup_id = bpf_get_current_cgroup_id();
		bpf_get_current_comm(t->comm, sizeof(t->comm));
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
			int idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
			struct css_set *cgroups = BPF_CORE_READ(task, cgroups);

			if (idx >= 0 && idx < CGROUP_SUBSYS_COUNT)
				bpf_core_read(&css, sizeof(css), &cgroups->subsys[idx]);
		}
		if (css) {
			struct cgroup *cg = BPF_CORE_READ(css, cgroup);

			t->memcg_id = BPF_CORE_READ(cg, kn, id);
			t->memcg_hier = BPF_CORE_READ(cg, root, hierarchy_id);
		}
		t->netns_ino = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
		t->mntns_ino = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
		return;
	}
	{
		struct task_struct *task = bpf_get_current_task_btf();
		struct css_set *cgroups = task->cgroups;
		struct nsproxy *nsp = task->nsproxy;

		t->pid = task->pid;
		t->tgid = task->tgid;
		t->uid = task->cred->uid.val;
		t->cgroup_id = cgroups->dfl_cgrp->kn->id;
		/* two 8-byte loads (the verifier allows an int array to be
		 * read in any width within its end); the kernel keeps its
		 * last byte NUL, as the helper's copy would */
		{
			const __u64 *comm = (const __u64 *)task->comm;
			__u64 *out = (__u64 *)t->comm;

			out[0] = comm[0];
			out[1] = comm[1];
		}
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
			int idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

			if (idx >= 0 && idx < CGROUP_SUBSYS_COUNT)
				css = cgroups->subsys[idx];
		}
		if (css) {
			struct cgroup *cg = css->cgroup;

			t->memcg_id = cg->kn->id;
			t->memcg_hier = cg->root->hierarchy_id;
		}
		if (nsp) {	/* NULL once an exiting task dropped it */
			t->netns_ino = nsp->net_ns->ns.inum;
			t->mntns_ino = nsp->mnt_ns->ns.inum;
		}
	}
}

/* Header for an event that runs in the actor's own process context. */
static __always_inline void kw_hdr_from_current(struct kw_hdr *h)
{
	struct task_struct *cur = kw_current();

	kw_fill_task(&h->task, cur);
	h->cgroup_id = h->task.cgroup_id;
	h->flags |= KW_F_TASK | KW_F_CGROUP;
	kw_hdr_set_net(h, BPF_CORE_READ(cur, nsproxy, net_ns));
}

/* wait(2)-style status of an exiting task: the group's when the whole
 * group is exiting (exit_group, fatal signal), else the thread's own. */
static __always_inline __u32 kw_exit_status(struct task_struct *task)
{
	__u32 sflags = BPF_CORE_READ(task, signal, flags);

	if (sflags & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(task, signal, group_exit_code);
	return BPF_CORE_READ(task, exit_code);
}

/* ---- the target filter ---- */

#define KW_TARGET_DEPTH 8	/* cgroup ancestors looked at */

static __always_inline bool kw_cgroup_in(void *map, struct cgroup *cg)
{
	for (int i = 0; i < KW_TARGET_DEPTH && cg; i++) {
		__u64 id = BPF_CORE_READ(cg, kn, id);

		if (bpf_map_lookup_elem(map, &id))
			return true;
		cg = BPF_CORE_READ(cg, self.parent, cgroup);
	}
	return false;
}

/* tgid -> the time of its latest noted act, in an LRU map.  An LRU update
 * allocates a node under a lock: a process already there is refreshed in
 * place, and at most once a second, so a loop of closes or refusals costs a
 * lookup, not an update each time. */
static __always_inline void kw_note_proc_time(void *map, __u32 tgid, __u64 now)
{
	__u64 *prev = bpf_map_lookup_elem(map, &tgid);

	if (prev) {
		if (now - *prev > 1000000000ULL)
			*prev = now;
		return;
	}
	bpf_map_update_elem(map, &tgid, &now, BPF_ANY);
}

/* At the process's exit: was its act noted by kw_note_proc_time at most
 * KW_CLOSE_EXIT_WINDOW_NS ago?  Its entry goes either way. */
static __always_inline bool kw_take_recent_proc(void *map, __u32 tgid)
{
	__u64 *at = bpf_map_lookup_elem(map, &tgid);
	bool recent;

	if (!at)
		return false;
	recent = bpf_ktime_get_boot_ns() - *at <= KW_CLOSE_EXIT_WINDOW_NS;
	bpf_map_delete_elem(map, &tgid);
	return recent;
}

static __always_inline bool kw_netns_targeted(struct net *net)
{
	__u64 key = 0;

	if (!kw_filter_on)
		return true;
	if (!net)
		return false;
	if (kw_netns_by_cookie && bpf_core_field_exists(net->net_cookie))
		key = BPF_CORE_READ(net, net_cookie);
	else
		key = BPF_CORE_READ(net, ns.inum);
	return key && bpf_map_lookup_elem(&kw_target_netns, &key);
}

static __always_inline bool kw_task_targeted(struct task_struct *t)
{
	struct css_set *cgroups;
	struct cgroup_subsys_state *css = NULL;
	__u32 tgid;

	if (!kw_filter_on)
		return true;
	tgid = BPF_CORE_READ(t, tgid);
	if (bpf_map_lookup_elem(&kw_target_tgids, &tgid))
		return true;
	cgroups = BPF_CORE_READ(t, cgroups);
	if (kw_cgroup_in(&kw_target_cg2, BPF_CORE_READ(cgroups, dfl_cgrp)))
		return true;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
		int idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

		if (idx >= 0 && idx < CGROUP_SUBSYS_COUNT)
			bpf_core_read(&css, sizeof(css), &cgroups->subsys[idx]);
		if (css && kw_cgroup_in(&kw_target_memcg, BPF_CORE_READ(css, cgroup)))
			return true;
	}
	return false;
}

/* a recorded owner (socket events): its pid and its cgroup v2 id, which
 * is matched exactly (the loader lists the target's descendants) */
static __always_inline bool kw_owner_targeted(const struct kw_task *t)
{
	return bpf_map_lookup_elem(&kw_target_tgids, &t->tgid) ||
	       bpf_map_lookup_elem(&kw_target_cg2, &t->cgroup_id) ||
	       (t->memcg_hier && bpf_map_lookup_elem(&kw_target_memcg, &t->memcg_id));
}

static __always_inline bool kw_port_wanted(__u16 a, __u16 b)
{
	return !kw_filter_port || a == kw_filter_port || b == kw_filter_port;
}

/* ---- socket helpers ---- */

/* The file behind fd in the current task, or NULL. */
static __always_inline struct file *kw_fd_file(int fd)
{
	struct task_struct *cur = kw_current();
	struct fdtable *fdt = BPF_CORE_READ(cur, files, fdt);
	struct file **fds, *file = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* The socket behind fd in the current task, or NULL (for a socket fd,
 * file->private_data is the struct socket). */
static __always_inline struct socket *kw_fd_socket(int fd)
{
	struct file *file = kw_fd_file(fd);

	return file ? BPF_CORE_READ(file, private_data) : NULL;
}

/* The socket's addresses.  sk is a tracepoint argument (a BTF pointer):
 * plain loads, not one bpf_probe_read_kernel call per field. */
static __always_inline void kw_sk_addrs(const struct sock *sk, struct kw_addr *local,
					struct kw_addr *remote)
{
	__u16 family = sk->__sk_common.skc_family;

	local->family = remote->family = family;
	local->port = sk->__sk_common.skc_num;
	remote->port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (family == AF_INET) {
		__be32 a = sk->__sk_common.skc_rcv_saddr;

		__builtin_memcpy(local->addr, &a, 4);
		a = sk->__sk_common.skc_daddr;
		__builtin_memcpy(remote->addr, &a, 4);
	} else if (family == AF_INET6) {
		__u32 *l = (__u32 *)local->addr, *r = (__u32 *)remote->addr;

		for (int i = 0; i < 4; i++) {
			l[i] = sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i];
			r[i] = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i];
		}
	}
}

/* The same for a socket reached by reading kernel memory (not a BTF
 * pointer: a classic tracepoint's fd turned into its sock): CO-RE reads. */
static __always_inline void kw_sk_addrs_read(const struct sock *sk, struct kw_addr *local,
					     struct kw_addr *remote)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	local->family = remote->family = family;
	local->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	remote->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(local->addr, &a, 4);
		a = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(remote->addr, &a, 4);
	} else if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&local->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&remote->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/*
 * The namespace of a tracepoint's socket argument (a BTF pointer), loaded
 * once where a program starts, before it branches.  Since 6.3 the verifier
 * checks a pointer loaded from a trusted argument against its lists of safe
 * fields by looking their names up in the kernel's BTF, a linear search of
 * every type (about 0.1 ms each, several per load), on every path that
 * reaches the load: loaded after the branches, this one load cost the
 * start-up milliseconds per program.  barrier_var keeps clang from sinking
 * it back into the branches that use it.
 */
static __always_inline struct net *kw_btf_sk_net(const struct sock *sk)
{
	struct net *net = sk->__sk_common.skc_net.net;

	barrier_var(net);
	return net;
}

static __always_inline __u32 kw_net_ino(const struct net *net)
{
	return net ? net->ns.inum : 0;
}

/* The same with probe reads, which the verifier checks without searching:
 * for paths that few events take, at ~20 ns more each */
static __always_inline __u32 kw_sk_netns_ino_read(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* ---- socket owners ---- */

/* The seq of a kw_conn_owner slot, read in order with the record around
 * it: on x86 (TSO) loads are not reordered with loads, so a plain load in
 * program order will do; elsewhere a compare-and-swap that changes nothing
 * is the full barrier BPF has. */
#ifdef __TARGET_ARCH_x86
#define kw_seq_read(p) (*(volatile __u64 *)(p))
#else
#define kw_seq_read(p) __sync_val_compare_and_swap((p), 0, 0)
#endif

/* A socket's identity as a number: its address less the map's.  The
 * verifier allows no arithmetic on a socket pointer but this one (pointer
 * minus pointer), whose result is a plain scalar; the map's address is
 * fixed, so equal sockets give equal ids. */
static __always_inline __u64 kw_sk_id(const struct sock *sk)
{
	return (__u64)sk - (__u64)(void *)&kw_conn_owner;
}

/* The two slots where the socket with this id may be: two fields of one
 * multiplicative hash (the id times 2^64/phi). */
static __always_inline struct kw_conn_owner *kw_conn_way(__u64 id, int way)
{
	__u64 h = id * 0x9E3779B97F4A7C15ULL;
	__u32 i = way ? (h >> (64 - 2 * KW_CONN_OWNER_BITS)) & ((1 << KW_CONN_OWNER_BITS) - 1)
		      : h >> (64 - KW_CONN_OWNER_BITS);

	return bpf_map_lookup_elem(&kw_conn_owner, &i);
}

static __always_inline bool kw_conn_names(struct kw_conn_owner *s, __u64 id)
{
	return *(volatile __u64 *)&s->sk == id;
}

/* The slot that names the socket with this id, or NULL. */
static __always_inline struct kw_conn_owner *kw_conn_find(__u64 id)
{
	struct kw_conn_owner *s = kw_conn_way(id, 0);

	if (s && kw_conn_names(s, id))
		return s;
	s = kw_conn_way(id, 1);
	return s && kw_conn_names(s, id) ? s : NULL;
}

static __always_inline bool kw_conn_free(struct kw_conn_owner *s)
{
	return !s->sk || s->o.closed;
}

/* connect(): the current task owns sk.  When another connect is writing
 * the chosen slot at this moment, this owner stays unknown. */
static __always_inline void kw_conn_owner_record(const struct sock *sk)
{
	__u64 id = kw_sk_id(sk), seq;
	struct kw_conn_owner *s0 = kw_conn_way(id, 0), *s1 = kw_conn_way(id, 1), *s;

	if (!s0 || !s1)
		return;
	/* a slot already naming this address (a socket before it, closed)
	 * is the one to take: the other way must never name it twice */
	if (kw_conn_names(s0, id))
		s = s0;
	else if (kw_conn_names(s1, id))
		s = s1;
	else if (kw_conn_free(s0) || !kw_conn_free(s1))
		s = s0;
	else
		s = s1;
	seq = kw_seq_read(&s->seq);
	if ((seq & 1) || __sync_val_compare_and_swap(&s->seq, seq, seq + 1) != seq)
		return;
	s->sk = id;
	__builtin_memset(&s->o, 0, sizeof(s->o));
	kw_fill_current(&s->o.task);
	s->o.since_ns = bpf_ktime_get_boot_ns();
	s->o.local_port = sk->__sk_common.skc_num;
	__sync_val_compare_and_swap(&s->seq, seq + 1, seq + 2);
}

/* A copy of connecting socket sk's owner into *out; false when unknown.
 * closed_too: also after sk's CLOSE (see kw_sock_owner.closed). */
static __always_inline bool kw_conn_owner_get(const struct sock *sk, struct kw_sock_owner *out,
					      bool closed_too)
{
	__u64 id = kw_sk_id(sk), seq;
	struct kw_conn_owner *s = kw_conn_find(id);

	if (!s)
		return false;
	seq = kw_seq_read(&s->seq);
	if ((seq & 1) || !kw_conn_names(s, id))
		return false;
	__builtin_memcpy(out, &s->o, sizeof(*out));
	barrier();
	/* a connect took the slot meanwhile: the copy may be half of each */
	if (kw_seq_read(&s->seq) != seq)
		return false;
	return closed_too || !out->closed;
}

/* Connecting socket sk's record in its slot, to update its connect facts
 * in place (reset received, SYN retransmits, ...); NULL when unknown.  A
 * connect that takes the slot between this check and the update would get
 * the update: two sockets in one slot within nanoseconds, and only a fact
 * of the connect, never its owner. */
static __always_inline struct kw_sock_owner *kw_conn_owner_live(const struct sock *sk)
{
	__u64 id = kw_sk_id(sk), seq;
	struct kw_conn_owner *s = kw_conn_find(id);

	if (!s)
		return NULL;
	seq = kw_seq_read(&s->seq);
	if ((seq & 1) || !kw_conn_names(s, id) || s->o.closed)
		return NULL;
	return &s->o;
}

/* The socket went to CLOSE: its record stays, marked, for what follows in
 * the same call (the error report, a reset), and its slot is free for the
 * next connect; a passive child at the same address clears it. */
static __always_inline void kw_conn_owner_closed(const struct sock *sk)
{
	struct kw_sock_owner *o = kw_conn_owner_live(sk);

	if (o)
		o->closed = 1;
}

/* A new socket that is no connect (a passive child) took sk's address:
 * what a previous one left in its slot goes. */
static __always_inline void kw_conn_owner_forget(const struct sock *sk)
{
	__u64 id = kw_sk_id(sk), seq;
	struct kw_conn_owner *s = kw_conn_find(id);

	if (!s)
		return;
	seq = kw_seq_read(&s->seq);
	if (!(seq & 1) && __sync_val_compare_and_swap(&s->seq, seq, seq + 1) == seq) {
		if (s->sk == id)
			s->sk = 0;
		__sync_val_compare_and_swap(&s->seq, seq + 1, seq + 2);
	}
}

/* A copy of the recorded owner of a socket (a tracepoint's BTF pointer),
 * also just after its CLOSE: a listener's from kw_sock_owner, any other's
 * from kw_conn_owner.  False when unknown. */
static __always_inline bool kw_sock_owner_get(const struct sock *sk, struct kw_sock_owner *out)
{
	struct kw_sock_owner *o;
	__u64 key = (__u64)sk;

	if (sk->__sk_common.skc_state != KW_TCP_LISTEN)
		return kw_conn_owner_get(sk, out, true);
	o = bpf_map_lookup_elem(&kw_sock_owner, &key);
	if (!o)
		return false;
	__builtin_memcpy(out, o, sizeof(*out));
	return true;
}

/* Socket event header: namespace and cgroup from the socket; the actor
 * only from its recorded owner o (NULL: unknown). */
static __always_inline void kw_hdr_sock(struct kw_hdr *h, const struct sock *sk,
					const struct kw_sock_owner *o)
{
	kw_hdr_set_net(h, kw_sk_net(sk));
	h->cgroup_id = kw_sk_cgroup_id(sk);
	if (h->cgroup_id)
		h->flags |= KW_F_CGROUP;
	if (o) {
		h->task = o->task;
		h->flags |= KW_F_TASK | KW_F_OWNER;
	}
}

/* Does a socket event belong to the target: its namespace, or its
 * recorded owner o (NULL: unknown)?  Also applies --port to either end. */
static __always_inline bool kw_sock_wanted(const struct sock *sk, const struct kw_sock_owner *o,
					   __u16 lport, __u16 rport)
{
	if (!kw_port_wanted(lport, rport))
		return false;
	if (!kw_filter_on)
		return true;
	if (kw_netns_targeted(kw_sk_net(sk)))
		return true;
	return o && kw_owner_targeted(&o->task);
}

/*
 * Aggregation: returns true when this occurrence must be sent, i.e. the
 * key has been idle for longer than the window.  Otherwise the occurrence
 * is only counted, to be drained by userspace into a REPEAT record.
 */
static __always_inline bool kw_agg_repeat(struct kw_agg_val *v, __u64 now, __u16 type)
{
	__sync_fetch_and_add(&v->suppressed, 1);
	v->last_ns = now;
	kw_count(KW_CNT_AGGREGATED, type);
	return false;
}

static __always_inline bool kw_agg_first(struct kw_agg_key *key)
{
	struct kw_agg_val *v, nv = {};
	__u64 now;

	if (!kw_agg_window_ns)
		return true;
	{
		__u32 slot = key->dest.port & (KW_LISTEN_GENS - 1);
		__u32 *g = bpf_map_lookup_elem(&kw_listen_gen, &slot);

		key->gen = g ? *g : 0;
	}
	now = bpf_ktime_get_boot_ns();
	v = bpf_map_lookup_elem(&kw_agg, key);
	if (v) {
		/* signed: another CPU may have stored a last_ns a little after
		 * this CPU's now; unsigned, that would look like a long idle */
		if ((__s64)(now - v->last_ns) < (__s64)kw_agg_window_ns)
			return kw_agg_repeat(v, now, key->type);
		/* idle for a window: a new first, in the same entry, so the
		 * suppressed count stays monotonic and is never overwritten */
		v->first_ns = now;
		v->last_ns = now;
		return true;
	}
	nv.first_ns = now;
	nv.last_ns = now;
	if (bpf_map_update_elem(&kw_agg, key, &nv, BPF_NOEXIST) == 0)
		return true;
	/* another CPU created it a moment ago: this one is a repeat of it
	 * (a blind update would overwrite the repeats it already counted) */
	v = bpf_map_lookup_elem(&kw_agg, key);
	if (v)
		return kw_agg_repeat(v, now, key->type);
	return true;
}

#endif /* KWHY_BPF_H */
