// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resets and socket errors: tcp:tcp_send_reset (2- and 3-argument
 * variants), skb:kfree_skb with NO_SOCKET (for kernels whose send_reset
 * does not fire without a socket), tcp:tcp_receive_reset and
 * sock:inet_sk_error_report.
 *
 * All of these run in softirq or timer context, or in a peer's context on
 * loopback: the namespace comes from the socket or the packet's device and
 * the actor only from the recorded owner (kw_sock_owner_get).  The loader enables exactly one of
 * the send_reset variants, and kfree_skb only with the 2-argument one.
 */
#include "kwhy.bpf.h"
#include "skb.bpf.h"
#include "idle_reset.bpf.h"

/* A reset answering a packet that matched no socket: a refused SYN. */
static __always_inline void on_reset_no_socket(const struct sk_buff *skb, __u32 reason,
					       __u8 has_reason, __u8 source)
{
	struct kw_addr client = {}, dialled = {};
	struct kw_agg_key ak = {};
	struct kw_ev_conn *e;
	struct net_device *dev;
	struct net *net;
	int flags;

	if (!skb)
		return;
	dev = kw_skb_dev(skb);
	flags = kw_skb_tuple(skb, &client, &dialled);
	if (flags < 0 || (flags & KW_TCP_RST))	/* never answered with a RST */
		return;
	net = kw_skb_net(skb, dev, &ak.netns_ino);

	ak.type = KW_EV_RESET_SENT;
	if (!kw_port_wanted(dialled.port, client.port) || !kw_netns_targeted(net)) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_SENT);
		return;
	}
	ak.code = reason;
	ak.dest = dialled;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_RESET_SENT);
	if (!e)
		return;
	kw_hdr_set_net(&e->hdr, net);
	e->local = dialled;
	e->remote = client;
	e->reason = reason;
	e->has_reason = has_reason;
	e->source = source;
	e->tcp_flags = flags;
	kw_submit(e);
}

/* A reset sent on behalf of a socket (active reset, or an invalid segment
 * for an existing socket, time-wait or request socket). */
static __always_inline void on_reset_with_socket(const struct sock *sk, __u32 reason,
						 __u8 has_reason)
{
	struct kw_addr local = {}, remote = {};
	struct kw_agg_key ak = {};
	struct kw_sock_owner o;
	struct kw_ev_conn *e;
	bool known;

	/* also just after its CLOSE: a close that drops unread data resets */
	known = kw_sock_owner_get(sk, &o);
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, known ? &o : NULL, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_SENT);
		return;
	}
	ak.type = KW_EV_RESET_SENT;
	ak.netns_ino = kw_sk_netns_ino_read(sk);	/* refusals have no socket */
	ak.tgid = known ? o.task.tgid : 0;
	ak.code = has_reason ? reason : 0xffffffff;
	ak.dest = local;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_RESET_SENT);
	if (!e)
		return;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	e->remote = remote;
	e->state = sk->__sk_common.skc_state;
	e->reason = reason;
	e->has_reason = has_reason;
	e->source = KW_SRC_SEND_RESET;
	kw_submit(e);
}

/*
 * A listener answers a segment that belongs to no connection of its own
 * (an ACK or FIN of one already gone, or of a handshake it dropped): the
 * reset is about that segment's 4-tuple, not about the listener, whose
 * addresses (0.0.0.0:8080 <-> 0.0.0.0:0) would say nothing.  It is told
 * like a reset without a socket, from the packet.
 */
static __always_inline bool kw_sk_listening(const struct sock *sk)
{
	return sk->__sk_common.skc_state == KW_TCP_LISTEN;
}

/* 6.10+: (sk, skb, reason); fires without a socket too (sk == NULL). */
SEC("?tp_btf/tcp_send_reset")
int BPF_PROG(kw_tcp_send_reset_v3, const struct sock *sk, const struct sk_buff *skb,
	     int reason)
{
	if (!sk || kw_sk_listening(sk))
		on_reset_no_socket(skb, reason, 1, KW_SRC_SEND_RESET);
	else
		on_reset_with_socket(sk, reason, 1);
	return 0;
}

/* 4.15–6.9: (sk, skb); full sockets only, no reason. */
SEC("?tp_btf/tcp_send_reset")
int BPF_PROG(kw_tcp_send_reset_v2, const struct sock *sk, const struct sk_buff *skb)
{
	if (sk && kw_sk_listening(sk))
		on_reset_no_socket(skb, 0, 0, KW_SRC_SEND_RESET);
	else if (sk)
		on_reset_with_socket(sk, 0, 0);
	return 0;
}

/* Fallback where send_reset is silent for no-socket resets: the SYN that
 * found no socket is freed with drop reason NO_SOCKET.  Reads only the
 * first three arguments, valid for the 3- and 4-argument signatures. */
SEC("?tp_btf/kfree_skb")
int BPF_PROG(kw_kfree_skb_no_socket, struct sk_buff *skb, void *location, int reason)
{
	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return 0;
	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return 0;
	on_reset_no_socket(skb, reason, 1, KW_SRC_KFREE_SKB);
	return 0;
}

SEC("?tp_btf/tcp_receive_reset")
int BPF_PROG(kw_tcp_receive_reset, struct sock *sk)
{
	struct kw_addr local = {}, remote = {};
	struct kw_agg_key ak = {};
	struct kw_sock_owner o;
	struct kw_ev_conn *e;
	__u32 state = sk->__sk_common.skc_state;
	bool known;

	if (state == KW_TCP_CLOSE_WAIT) {	/* after the peer's FIN: its own event */
		kw_on_idle_reset(sk);
		return 0;
	}
	/* after this side's own close with the peer's FIN seen, or all of
	 * its data acknowledged (LAST_ACK, CLOSING, FIN_WAIT2): the peer's
	 * reset ends a connection both had finished; nothing is lost and
	 * nothing can see it.  Not a failure. */
	if (state == KW_TCP_LAST_ACK || state == KW_TCP_CLOSING || state == KW_TCP_FIN_WAIT2) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_RECV);
		return 0;
	}
	if (state == KW_TCP_SYN_SENT) {
		/* a refused connect: reported once, by the SYN_SENT->CLOSE
		 * transition that follows, which carries this fact */
		struct kw_sock_owner *live = kw_conn_owner_live(sk);

		if (live) {
			live->reset_received = 1;
			/* the port is released before SYN_SENT->CLOSE is
			 * traced; keep it for the CONNECT_FAIL event */
			live->local_port = sk->__sk_common.skc_num;
		}
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_RECV);
		return 0;
	}
	known = kw_sock_owner_get(sk, &o);
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, known ? &o : NULL, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_RECV);
		return 0;
	}
	ak.type = KW_EV_RESET_RECV;
	ak.netns_ino = kw_sk_netns_ino_read(sk);	/* not the refused connects' path */
	ak.tgid = known ? o.task.tgid : 0;
	ak.code = state;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return 0;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_RESET_RECV);
	if (!e)
		return 0;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	e->remote = remote;
	e->state = state;
	e->source = KW_SRC_RECV_RESET;
	kw_submit(e);
	return 0;
}

SEC("?tp_btf/inet_sk_error_report")
int BPF_PROG(kw_inet_sk_error_report, const struct sock *sk)
{
	struct kw_addr local = {}, remote = {};
	struct kw_agg_key ak = {};
	struct kw_sock_owner o;
	struct kw_ev_conn *e;
	bool known;
	int err;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	known = kw_sock_owner_get(sk, &o);	/* after tcp_done: marked closed */
	if (known && o.fail_reported) {	/* the failed connect says it all */
		kw_count(KW_CNT_FILTERED, KW_EV_SOCK_ERROR);
		return 0;
	}
	err = sk->sk_err;
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, known ? &o : NULL, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_SOCK_ERROR);
		return 0;
	}
	ak.type = KW_EV_SOCK_ERROR;
	ak.netns_ino = kw_sk_netns_ino_read(sk);	/* failed connects returned above */
	ak.tgid = known ? o.task.tgid : 0;
	ak.code = err;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return 0;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_SOCK_ERROR);
	if (!e)
		return 0;
	kw_hdr_sock(&e->hdr, sk, known ? &o : NULL);
	e->local = local;
	e->remote = remote;
	e->state = sk->__sk_common.skc_state;
	e->error = err;
	e->source = KW_SRC_ERROR_REPORT;
	kw_submit(e);
	return 0;
}
