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

/* A received packet's device, loaded once where the program starts, for
 * the reason given at kw_btf_sk_net. */
static __always_inline struct net_device *kw_skb_dev(const struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	barrier_var(dev);
	return dev;
}

/* The namespace of a received packet: its device's (dev, from
 * kw_skb_dev: plain loads), else its route's (probe reads); *ino its
 * inode number. */
static __always_inline struct net *kw_skb_net(const struct sk_buff *skb,
					      struct net_device *dev, __u32 *ino)
{
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

/* The same with probe reads only, for paths that few packets take (see
 * kw_sk_netns_ino_read) */
static __always_inline struct net *kw_skb_net_read(const struct sk_buff *skb, __u32 *ino)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct net *net;

	if (!dev) {
		unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst);

		dev = BPF_CORE_READ((struct dst_entry *)(refdst & ~1UL), dev);
	}
	net = dev ? BPF_CORE_READ(dev, nd_net.net) : NULL;
	*ino = net ? BPF_CORE_READ(net, ns.inum) : 0;
	return net;
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
