/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A connect that got no answer (see struct kw_ev_connect_timeout): called
 * at SYN_SENT -> CLOSE by sockstate.bpf.c, from the SYN retransmits that
 * timeout.bpf.c counted in the socket's owner record.
 */
#ifndef KWHY_TIMEOUT_BPF_H
#define KWHY_TIMEOUT_BPF_H

#include "kwhy.bpf.h"

/* True when sk's SYN was retransmitted and the event is told (or counted
 * as a repeat, or filtered out); false when this close is no timeout. */
static __always_inline bool kw_connect_timed_out(const struct sock *sk, int err)
{
	struct kw_addr local = {}, remote = {};
	struct kw_ev_connect_timeout *e;
	struct kw_agg_key ak = {};
	struct kw_sock_owner *live, o;
	__u64 now;

	if (!sk)
		return false;
	live = kw_conn_owner_live(sk);
	if (!live || !live->syn_retrans)
		return false;
	live->fail_reported = 1;
	if (!kw_conn_owner_get(sk, &o, false))
		return false;
	kw_sk_addrs(sk, &local, &remote);
	if (!local.port)	/* tcp_set_state() put the port first */
		local.port = o.local_port;
	if (!kw_sock_wanted(sk, &o, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_CONNECT_TIMEOUT);
		return true;
	}
	ak.type = KW_EV_CONNECT_TIMEOUT;
	ak.netns_ino = kw_sk_netns_ino_read(sk);
	ak.tgid = o.task.tgid;
	ak.code = err;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return true;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_CONNECT_TIMEOUT);
	if (!e)
		return true;
	kw_hdr_sock(&e->hdr, sk, &o);
	e->local = local;
	e->remote = remote;
	e->error = err;
	now = e->hdr.ts_boot_ns;
	e->syn_retransmits = o.syn_retrans;
	e->waited_ns = now > o.since_ns ? now - o.since_ns : 0;
	kw_submit(e);
	return true;
}

#endif /* KWHY_TIMEOUT_BPF_H */
