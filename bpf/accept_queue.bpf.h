/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A listener's accept queue at its limit (struct kw_ev_accept_queue): told
 * from a SYN-ACK retransmit (timeout.bpf.c) or a handshake ACK dropped with
 * TCP_LISTEN_OVERFLOW (filter.bpf.c).
 */
#ifndef KWHY_ACCEPT_QUEUE_BPF_H
#define KWHY_ACCEPT_QUEUE_BPF_H

#include "kwhy.bpf.h"

/* How long the oldest connection in sk's accept queue has waited: since
 * its first SYN-ACK (tcp_request_sock.snt_synack, tcp clock in us =
 * CLOCK_MONOTONIC); 0 when unknown. */
static __always_inline __u64 kw_oldest_accept_wait_ns(const struct sock *sk)
{
	const struct inet_connection_sock *icsk = (const void *)sk;
	struct request_sock *head = BPF_CORE_READ(icsk, icsk_accept_queue.rskq_accept_head);
	__u64 sent_us, now_us;

	if (!head)
		return 0;
	sent_us = BPF_CORE_READ((struct tcp_request_sock *)head, snt_synack);
	now_us = bpf_ktime_get_ns() / 1000;
	return sent_us && now_us > sent_us ? (now_us - sent_us) * 1000 : 0;
}

/* The accept queue of listener sk is full: tell it, with the client whose
 * handshake stalled (remote). */
static __always_inline void kw_accept_queue_full(const struct sock *sk,
						 const struct kw_addr *remote, __u8 source)
{
	struct kw_addr local = {}, ignored = {};
	struct kw_ev_accept_queue *e;
	struct kw_agg_key ak = {};
	struct kw_sock_owner o;
	bool known;
	__u32 queued = BPF_CORE_READ(sk, sk_ack_backlog);
	__u32 max = BPF_CORE_READ(sk, sk_max_ack_backlog);

	if (queued < max)	/* a SYN-ACK lost on the way: not our story */
		return;
	known = kw_sock_owner_get(sk, &o);	/* a listener: kw_sock_owner */
	kw_sk_addrs(sk, &local, &ignored);
	if (!kw_sock_wanted(sk, known ? &o : NULL, local.port, remote->port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_ACCEPT_QUEUE);
		return;
	}
	ak.type = KW_EV_ACCEPT_QUEUE;
	ak.netns_ino = kw_sk_netns_ino_read(sk);	/* a rare path: probe-read */
	ak.tgid = known ? o.task.tgid : 0;
	ak.code = source;
	ak.dest = local;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_ACCEPT_QUEUE);
	if (!e)
		return;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	e->remote = *remote;
	e->queued = queued;
	e->max_backlog = max;
	e->oldest_wait_ns = kw_oldest_accept_wait_ns(sk);
	e->source = source;
	kw_submit(e);
}

#endif /* KWHY_ACCEPT_QUEUE_BPF_H */
