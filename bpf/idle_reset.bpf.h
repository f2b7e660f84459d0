/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A reset received after the peer's FIN (CLOSE_WAIT), with the timing the
 * socket keeps (struct kw_ev_idle_reset): the keep-alive race, where a
 * server closes an idle connection just as the client reuses it, is a write
 * after that FIN answered by a reset.  Called by tcp:tcp_receive_reset
 * (reset.bpf.c); softirq, or the owner's context when it held the socket.
 *
 * The socket's clocks are jiffies (tcp_sock.rcv_tstamp: the last ACK
 * received, which the FIN carried; lsndtime: the last data sent;
 * icsk_ack.lrcvtime: the last data received), turned into ns with the
 * tick length the loader read (clock_getres of CLOCK_MONOTONIC_COARSE).
 */
#ifndef KWHY_IDLE_RESET_BPF_H
#define KWHY_IDLE_RESET_BPF_H

#include "kwhy.bpf.h"

/* how long before now (jiffies) then was, in ns; 0 and not known when
 * then is 0 (never set) */
static __always_inline __u64 kw_jiffies_ago_ns(__u32 now, __u32 then, __u32 *known, __u32 bit)
{
	if (!then)
		return 0;
	*known |= bit;
	return (__u64)(__u32)(now - then) * kw_tick_ns;
}

static __noinline void kw_on_idle_reset(const struct sock *sk)
{
	const struct tcp_sock *tp = (const void *)sk;
	struct kw_addr local = {}, remote = {};
	struct kw_ev_idle_reset *e;
	struct kw_agg_key ak = {};
	struct kw_sock_owner o;
	__u32 now;
	bool known;

	if (!sk)
		return;
	known = kw_sock_owner_get(sk, &o);
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, known ? &o : NULL, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_IDLE_RESET);
		return;
	}
	ak.type = KW_EV_IDLE_RESET;
	ak.netns_ino = kw_sk_netns_ino_read(sk);	/* a rare path: probe-read */
	ak.tgid = known ? o.task.tgid : 0;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_IDLE_RESET);
	if (!e)
		return;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	e->remote = remote;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	now = (__u32)bpf_jiffies64();
	e->fin_ago_ns = kw_jiffies_ago_ns(now, BPF_CORE_READ(tp, rcv_tstamp), &e->known,
					  KW_IDLE_FIN);
	e->last_send_ago_ns = kw_jiffies_ago_ns(now, BPF_CORE_READ(tp, lsndtime), &e->known,
						KW_IDLE_SEND);
	e->last_recv_ago_ns = kw_jiffies_ago_ns(now, BPF_CORE_READ(tp, inet_conn.icsk_ack.lrcvtime),
						&e->known, KW_IDLE_RECV);
	e->bytes_received = BPF_CORE_READ(tp, bytes_received);
	if (bpf_core_field_exists(tp->bytes_sent))
		e->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	if (known && e->hdr.ts_boot_ns > o.since_ns)
		e->conn_age_ns = e->hdr.ts_boot_ns - o.since_ns;
	kw_submit(e);
}

#endif /* KWHY_IDLE_RESET_BPF_H */
