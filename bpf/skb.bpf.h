/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading a received packet's headers and namespace, for programs that
 * have a packet and no socket (a reset without a socket, a drop).
 */
#ifndef KWHY_SKB_BPF_H
#define KWHY_SKB_BPF_H

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
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	struct kw_tcphdr tcp;
	__u8 ver = 0;

	if (!head || bpf_probe_read_kernel(&ver, 1, head + nh))
		return -1;
	ver >>= 4;
	if (ver == 4) {
		struct kw_iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) ||
		    ip.protocol != IPPROTO_TCP)
			return -1;
		src->family = dst->family = AF_INET;
		__builtin_memcpy(src->addr, &ip.saddr, 4);
		__builtin_memcpy(dst->addr, &ip.daddr, 4);
	} else if (ver == 6) {
		struct kw_ipv6hdr ip6;

		/* extension headers are skipped: transport_header already
		 * points at TCP; only the next header of the base one is
		 * checked to rule out non-TCP quickly */
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return -1;
		src->family = dst->family = AF_INET6;
		__builtin_memcpy(src->addr, ip6.saddr, 16);
		__builtin_memcpy(dst->addr, ip6.daddr, 16);
		if (ip6.nexthdr != IPPROTO_TCP && th == nh + sizeof(ip6))
			return -1;
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th))
		return -1;
	src->port = bpf_ntohs(tcp.source);
	dst->port = bpf_ntohs(tcp.dest);
	return tcp.flags;
}

/* The namespace of a received packet: its device's, else its route's. */
static __always_inline struct net *kw_skb_net(const struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	unsigned long refdst;

	if (!dev) {
		refdst = BPF_CORE_READ(skb, _skb_refdst);
		dev = BPF_CORE_READ((struct dst_entry *)(refdst & ~1UL), dev);
	}
	return dev ? BPF_CORE_READ(dev, nd_net.net) : NULL;
}

/* The TCP sequence number of a packet kw_skb_tuple() accepted. */
static __always_inline __u32 kw_skb_tcp_seq(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	struct kw_tcphdr tcp = {};

	bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th);
	return bpf_ntohl(tcp.seq);
}

#endif /* KWHY_SKB_BPF_H */
