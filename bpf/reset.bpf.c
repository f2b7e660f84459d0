// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resets and socket errors: tcp:tcp_send_reset (2- and 3-argument
 * variants), skb:kfree_skb with NO_SOCKET (for kernels whose send_reset
 * does not fire without a socket), tcp:tcp_receive_reset and
 * sock:inet_sk_error_report.
 *
 * All of these run in softirq or timer context, or in a peer's context on
 * loopback: the namespace comes from the socket or the packet's device and
 * the actor only from kw_sock_owner.  The loader enables exactly one of
 * the send_reset variants, and kfree_skb only with the 2-argument one.
 */
#include "kwhy.bpf.h"

struct kw_iphdr {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	__be32 saddr;
	__be32 daddr;
};

struct kw_ipv6hdr {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct kw_tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_res;
	__u8 flags;
	__be16 window;
};

/*
 * The TCP/IP 4-tuple of a received packet: src is the sender (the client
 * whose SYN found no socket), dst what it dialled.  Returns the TCP flags,
 * or -1 when the packet is not TCP over IPv4/IPv6.
 */
static __always_inline int kw_skb_tuple(const struct sk_buff *skb, struct kw_addr *src,
					struct kw_addr *dst)
{
	/* skb is a tracepoint argument (a BTF pointer): plain loads; the
	 * packet bytes are one probe read of the IP header and, when TCP
	 * follows it at once (no options, no extension headers: the common
	 * case), the TCP header with it */
	unsigned char *head = skb->head;
	__u16 nh = skb->network_header, th = skb->transport_header;
	union {
		struct { struct kw_iphdr ip; struct kw_tcphdr tcp; } v4;
		struct { struct kw_ipv6hdr ip; struct kw_tcphdr tcp; } v6;
		__u8 ver;
	} p;
	struct kw_tcphdr *tcp;
	__u8 ver;

	if (!head || bpf_probe_read_kernel(&p, sizeof(p), head + nh))
		return -1;
	ver = p.ver >> 4;
	if (ver == 4) {
		if (p.v4.ip.protocol != IPPROTO_TCP)
			return -1;
		src->family = dst->family = AF_INET;
		__builtin_memcpy(src->addr, &p.v4.ip.saddr, 4);
		__builtin_memcpy(dst->addr, &p.v4.ip.daddr, 4);
		tcp = &p.v4.tcp;
		if (th != nh + sizeof(p.v4.ip) &&
		    bpf_probe_read_kernel(tcp, sizeof(*tcp), head + th))
			return -1;
	} else if (ver == 6) {
		/* extension headers are skipped: transport_header already
		 * points at TCP; only the next header of the base one is
		 * checked to rule out non-TCP quickly */
		src->family = dst->family = AF_INET6;
		__builtin_memcpy(src->addr, p.v6.ip.saddr, 16);
		__builtin_memcpy(dst->addr, p.v6.ip.daddr, 16);
		tcp = &p.v6.tcp;
		if (th == nh + sizeof(p.v6.ip)) {
			if (p.v6.ip.nexthdr != IPPROTO_TCP)
				return -1;
		} else if (bpf_probe_read_kernel(tcp, sizeof(*tcp), head + th)) {
			return -1;
		}
	} else {
		return -1;
	}
	src->port = bpf_ntohs(tcp->source);
	dst->port = bpf_ntohs(tcp->dest);
	return tcp->flags;
}

/* The namespace of a received packet: its device's (plain loads), else
 * its route's (probe reads); *ino its inode number. */
static __always_inline struct net *kw_skb_net(const struct sk_buff *skb, __u32 *ino)
{
	struct net_device *dev = skb->dev;
	unsigned long refdst;
	struct net *net;

	if (dev) {
		net = dev->nd_net.net;
		*ino = net ? net->ns.inum : 0;
		return net;
	}
	refdst = skb->_skb_refdst;
	dev = BPF_CORE_READ((struct dst_entry *)(refdst & ~1UL), dev);
	net = dev ? BPF_CORE_READ(dev, nd_net.net) : NULL;
	*ino = net ? BPF_CORE_READ(net, ns.inum) : 0;
	return net;
}

/* A reset answering a packet that matched no socket: a refused SYN. */
static __always_inline void on_reset_no_socket(const struct sk_buff *skb, __u32 reason,
					       __u8 source)
{
	struct kw_addr client = {}, dialled = {};
	struct kw_agg_key ak = {};
	struct kw_ev_conn *e;
	struct net *net;
	int flags;

	if (!skb)
		return;
	flags = kw_skb_tuple(skb, &client, &dialled);
	if (flags < 0 || (flags & KW_TCP_RST))	/* never answered with a RST */
		return;
	net = kw_skb_net(skb, &ak.netns_ino);

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
	e->has_reason = 1;
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
	struct kw_sock_owner *o;
	struct kw_ev_conn *e;
	__u64 key = (__u64)sk;

	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_SENT);
		return;
	}
	o = bpf_map_lookup_elem(&kw_sock_owner, &key);
	ak.type = KW_EV_RESET_SENT;
	ak.netns_ino = kw_btf_sk_netns_ino(sk);
	ak.tgid = o ? o->task.tgid : 0;
	ak.code = has_reason ? reason : 0xffffffff;
	ak.dest = local;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_RESET_SENT);
	if (!e)
		return;
	kw_hdr_from_sock(&e->hdr, sk);
	e->local = local;
	e->remote = remote;
	e->state = sk->__sk_common.skc_state;
	e->reason = reason;
	e->has_reason = has_reason;
	e->source = KW_SRC_SEND_RESET;
	kw_submit(e);
}

/* 6.10+: (sk, skb, reason); fires without a socket too (sk == NULL). */
SEC("?tp_btf/tcp_send_reset")
int BPF_PROG(kw_tcp_send_reset_v3, const struct sock *sk, const struct sk_buff *skb,
	     int reason)
{
	if (!sk)
		on_reset_no_socket(skb, reason, KW_SRC_SEND_RESET);
	else
		on_reset_with_socket(sk, reason, 1);
	return 0;
}

/* 4.15–6.9: (sk, skb); full sockets only, no reason. */
SEC("?tp_btf/tcp_send_reset")
int BPF_PROG(kw_tcp_send_reset_v2, const struct sock *sk, const struct sk_buff *skb)
{
	if (sk)
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
	on_reset_no_socket(skb, reason, KW_SRC_KFREE_SKB);
	return 0;
}

SEC("?tp_btf/tcp_receive_reset")
int BPF_PROG(kw_tcp_receive_reset, struct sock *sk)
{
	struct kw_addr local = {}, remote = {};
	struct kw_agg_key ak = {};
	struct kw_sock_owner *o;
	struct kw_ev_conn *e;
	__u64 key = (__u64)sk;
	__u32 state = sk->__sk_common.skc_state;

	o = bpf_map_lookup_elem(&kw_sock_owner, &key);
	if (state == KW_TCP_SYN_SENT) {
		/* a refused connect: reported once, by the SYN_SENT->CLOSE
		 * transition that follows, which carries this fact */
		if (o) {
			o->reset_received = 1;
			/* the port is released before SYN_SENT->CLOSE is
			 * traced; keep it for the CONNECT_FAIL event */
			o->local_port = sk->__sk_common.skc_num;
		}
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_RECV);
		return 0;
	}
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_RESET_RECV);
		return 0;
	}
	ak.type = KW_EV_RESET_RECV;
	ak.netns_ino = kw_btf_sk_netns_ino(sk);
	ak.tgid = o ? o->task.tgid : 0;
	ak.code = state;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return 0;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_RESET_RECV);
	if (!e)
		return 0;
	kw_hdr_from_sock(&e->hdr, sk);
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
	struct kw_sock_owner *o;
	struct kw_ev_conn *e;
	int err;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	o = kw_sock_owner_of(sk);	/* after tcp_done: in the CLOSE slot */
	if (o && o->fail_reported) {	/* the failed connect says it all */
		kw_count(KW_CNT_FILTERED, KW_EV_SOCK_ERROR);
		return 0;
	}
	err = sk->sk_err;
	kw_sk_addrs(sk, &local, &remote);
	if (!kw_sock_wanted(sk, local.port, remote.port)) {
		kw_count(KW_CNT_FILTERED, KW_EV_SOCK_ERROR);
		return 0;
	}
	ak.type = KW_EV_SOCK_ERROR;
	ak.netns_ino = kw_btf_sk_netns_ino(sk);
	ak.tgid = o ? o->task.tgid : 0;
	ak.code = err;
	ak.dest = remote;
	if (!kw_agg_first(&ak))
		return 0;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_SOCK_ERROR);
	if (!e)
		return 0;
	kw_hdr_from_sock(&e->hdr, sk);
	e->local = local;
	e->remote = remote;
	e->state = sk->__sk_common.skc_state;
	e->error = err;
	e->source = KW_SRC_ERROR_REPORT;
	kw_submit(e);
	return 0;
}
