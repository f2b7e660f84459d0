// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sock:inet_sock_set_state — listener lifecycle and connect outcomes.
 *
 * Context per transition (../shared/docs/kernel-interfaces.md §1.4): ->LISTEN and
 * ->SYN_SENT run in the process that called listen()/connect(), so that is
 * where socket owners are recorded (listeners in kw_sock_owner, connects in
 * kw_conn_owner); LISTEN->CLOSE runs in the closer
 * (close(), or the exiting task's file teardown); SYN_SENT->CLOSE runs in
 * softirq or a timer, so its actor comes from the owner map.
 */
#include "kwhy.bpf.h"
#include "timeout.bpf.h"

/* listen() is rare: its owner by probe reads (kw_fill_task), so that the
 * verifier walks the plain loads of kw_fill_current from the BTF task once
 * in this program, for connects (kw_conn_owner_record), not twice (see
 * kw_btf_sk_net for what each one costs it) */
static __always_inline void record_listener_owner(const struct sock *sk)
{
	struct kw_sock_owner o = {};
	__u64 key = (__u64)sk;

	kw_fill_task(&o.task, kw_current());
	o.since_ns = bpf_ktime_get_boot_ns();
	o.local_port = sk->__sk_common.skc_num;
	bpf_map_update_elem(&kw_sock_owner, &key, &o, BPF_ANY);
}

static __always_inline void on_listen(const struct sock *sk)
{
	struct kw_ev_listen *e;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, one = 1, *n;

	record_listener_owner(sk);
	n = bpf_map_lookup_elem(&kw_listener_procs, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&kw_listener_procs, &tgid, &one, BPF_NOEXIST);

	if (!kw_port_wanted(BPF_CORE_READ(sk, __sk_common.skc_num), 0) ||
	    !(kw_task_targeted(kw_current()) ||
	      kw_netns_targeted(kw_sk_net(sk)))) {
		kw_count(KW_CNT_FILTERED, KW_EV_LISTEN);
		return;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_LISTEN);
	if (!e)
		return;
	kw_hdr_from_current(&e->hdr);
	/* the socket's own namespace and cgroup describe the listener */
	kw_hdr_set_net(&e->hdr, kw_sk_net(sk));
	e->hdr.cgroup_id = kw_sk_cgroup_id(sk) ?: e->hdr.cgroup_id;
	kw_sk_addrs(sk, &e->local, &(struct kw_addr){});
	e->backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	e->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	kw_submit_lazy(e);
}

static __always_inline void on_listen_close(const struct sock *sk)
{
	struct task_struct *cur = kw_current();
	struct kw_sock_owner *o;
	struct kw_ev_listen *e;
	__u64 key = (__u64)sk;
	__u32 pflags, *n;

	o = bpf_map_lookup_elem(&kw_sock_owner, &key);
	if (!kw_sock_wanted(sk, o, o ? o->local_port : BPF_CORE_READ(sk, __sk_common.skc_num), 0) &&
	    !(kw_filter_on && !kw_filter_port && kw_task_targeted(cur))) {
		kw_count(KW_CNT_FILTERED, KW_EV_LISTEN_CLOSE);
		goto out;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_LISTEN_CLOSE);
	if (!e)
		goto out;
	kw_hdr_sock(&e->hdr, sk, o);
	if (o) {
		e->owner_known = 1;
		e->since_boot_ns = o->since_ns;
	}
	kw_sk_addrs(sk, &e->local, &(struct kw_addr){});
	/* an auto-assigned port is released before this transition is
	 * traced: take it from listen() time */
	if (!e->local.port && o)
		e->local.port = o->local_port;
	e->backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	e->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);

	/* Who closed it: a kthread (deferred fput, netns teardown) tells us
	 * nothing; an exiting task means the process died holding it. */
	kw_fill_task(&e->closer, cur);
	pflags = BPF_CORE_READ(cur, flags);
	if (pflags & PF_KTHREAD) {
		e->how = KW_CLOSE_UNKNOWN;
	} else if (pflags & PF_EXITING) {
		e->closer_exit_code = kw_exit_status(cur);
		e->how = (e->closer_exit_code & 0x7f) ? KW_CLOSE_KILLED : KW_CLOSE_EXIT;
	} else {
		e->how = KW_CLOSE_CALL;
		kw_note_proc_time(&kw_listener_closers, e->closer.tgid, e->hdr.ts_boot_ns);
	}
	kw_submit_lazy(e);
out:
	if (o) {
		n = bpf_map_lookup_elem(&kw_listener_procs, &o->task.tgid);
		if (n && *n > 0)
			__sync_fetch_and_add(n, -1);
	}
	bpf_map_delete_elem(&kw_sock_owner, &key);
}

static __always_inline void on_connect_closed(const struct sock *sk)
{
	struct kw_agg_key ak = {};
	struct kw_ev_conn *e;
	struct kw_addr local = {}, remote = {};
	struct net *net = kw_btf_sk_net(sk);
	struct kw_sock_owner *live, o;
	int err = sk->sk_err;
	bool known;

	/* its SYNs went unanswered: the kernel or the program gave up */
	if ((!err || err == ETIMEDOUT) && kw_connect_timed_out(sk, err))
		return;
	if (!err) {	/* closed by its owner before it completed */
		kw_count(KW_CNT_FILTERED, KW_EV_CONNECT_FAIL);
		return;
	}
	live = kw_conn_owner_live(sk);
	if (live)
		live->fail_reported = 1;
	known = kw_conn_owner_get(sk, &o, false);
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, known ? &o : NULL, known ? o.local_port : local.port,
			    remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_CONNECT_FAIL);
		return;
	}

	ak.type = KW_EV_CONNECT_FAIL;
	ak.netns_ino = kw_net_ino(net);
	ak.tgid = known ? o.task.tgid : 0;
	ak.code = err;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return;
	if (err == 111 && known)	/* ECONNREFUSED: its exit soon after is a story */
		kw_note_proc_time(&kw_refused_procs, o.task.tgid, bpf_ktime_get_boot_ns());

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_CONNECT_FAIL);
	if (!e)
		return;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	if (!e->local.port && known)	/* tcp_set_state() put the port first */
		e->local.port = o.local_port;
	e->remote = remote;
	e->state = KW_TCP_SYN_SENT;
	e->error = err;
	e->source = KW_SRC_SET_STATE;
	e->reset_received = known ? o.reset_received : 0;
	kw_submit(e);
}

/*
 * Most transitions concern no listener and no failure (a successful
 * connection makes about ten): they return on the two state arguments
 * alone, before anything of the socket is read.
 */
SEC("?tp_btf/inet_sock_set_state")
int BPF_PROG(kw_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	if (newstate == KW_TCP_SYN_SENT) {
		if (sk->sk_protocol == IPPROTO_TCP)
			kw_conn_owner_record(sk);
	} else if (newstate == KW_TCP_CLOSE) {
		if (sk->sk_protocol != IPPROTO_TCP)
			return 0;
		if (oldstate == KW_TCP_LISTEN) {
			kw_listen_gen_bump(sk->__sk_common.skc_num);
			on_listen_close(sk);
			return 0;
		}
		if (oldstate == KW_TCP_SYN_SENT)
			on_connect_closed(sk);
		/* a connect that failed, or any connection at its end */
		kw_conn_owner_closed(sk);
	} else if (newstate == KW_TCP_SYN_RECV) {
		/* a passive child (LISTEN -> SYN_RECV): what a previous socket
		 * at this address left behind goes, so nothing is
		 * misattributed */
		if (oldstate == KW_TCP_LISTEN)
			kw_conn_owner_forget(sk);
	} else if (newstate == KW_TCP_LISTEN) {
		if (sk->sk_protocol == IPPROTO_TCP) {
			kw_listen_gen_bump(sk->__sk_common.skc_num);
			on_listen(sk);
		}
	}
	return 0;
}
