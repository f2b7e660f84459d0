// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Connections that time out instead of being refused.
 *
 * tcp:tcp_retransmit_skb — a connecting socket's SYN retransmits are
 * counted in its owner record (kw_conn_owner, made at connect() in
 * process context); the SYN_SENT -> CLOSE that follows is a connect_timeout
 * (timeout.bpf.h).  Every other retransmit returns at once.  Only (sk,
 * skb) are read: valid for the 2-argument form and the later (sk, skb,
 * err).
 *
 * tcp:tcp_retransmit_synack — a listener resends a SYN-ACK when the
 * client's ACK did not turn into an accepted connection; with its accept
 * queue at its limit, that ACK was dropped (ListenOverflows): an
 * accept_queue_overflow event with the queue as the kernel reports it and
 * how long its oldest connection has waited for accept().  Softirq or
 * timer context: the actor is the listener's recorded owner.
 */
#include "kwhy.bpf.h"
#include "accept_queue.bpf.h"

SEC("?tp_btf/tcp_retransmit_skb")
int BPF_PROG(kw_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	struct kw_sock_owner *o;

	if (!sk || sk->__sk_common.skc_state != KW_TCP_SYN_SENT)
		return 0;
	o = kw_conn_owner_live(sk);
	if (!o)
		return 0;
	if (o->syn_retrans < 255)
		o->syn_retrans++;
	/* the port is chosen after SYN_SENT is set, and released before the
	 * close is traced: keep it now */
	if (!o->local_port)
		o->local_port = sk->__sk_common.skc_num;
	return 0;
}

SEC("?tp_btf/tcp_retransmit_synack")
int BPF_PROG(kw_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct kw_addr client = {}, ignored = {};

	if (!sk || !req || BPF_CORE_READ(sk, __sk_common.skc_state) != KW_TCP_LISTEN)
		return 0;
	/* a request sock begins with the same sock_common as a socket */
	kw_sk_addrs((const struct sock *)req, &ignored, &client);
	kw_accept_queue_full(sk, &client, KW_AQ_SYNACK_RETRANSMIT);
	return 0;
}
