// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packets this host's kernel threw away on purpose, as skb:kfree_skb tells
 * them by drop reason:
 *
 *   NETFILTER_DROP on a SYN: a packet filter (nftables, iptables) refused
 *   or dropped a connection attempt — a syn_filtered event.  A REJECT rule
 *   that answers with an ICMP error calls icmp_send() on the same packet
 *   just before dropping it: icmp:icmp_send notes that per CPU, and the
 *   event carries it.  The same SYN (4-tuple and sequence number) dropped
 *   again is the client retrying: it got no answer (a DROP rule).
 *
 *   TCP_LISTEN_OVERFLOW (6.15+, where kfree_skb also carries the receiving
 *   socket): a handshake's ACK dropped because the listener's accept queue
 *   is full — an accept_queue_overflow event.
 *
 * Softirq context: the namespace comes from the packet's device, never a
 * process.  Two variants: (skb, location, reason) and (..., rx_sk); the
 * loader picks the one the kernel's kfree_skb has.  Every other drop
 * returns after comparing its reason.
 */
#include "kwhy.bpf.h"
#include "skb.bpf.h"
#include "accept_queue.bpf.h"

#define ICMP_DEST_UNREACH 3

/* The last ICMP error sent on this CPU: which packet it answered. */
struct kw_last_icmp {
	__u64 skb;
	__u64 ts_ns;
	__u8 type;
	__u8 code;
	__u8 _pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kw_last_icmp);
} kw_last_icmp SEC(".maps");

/* A filtered SYN seen lately: its sequence number, to tell a retry. */
struct kw_syn_key {
	__u32 netns_ino;
	__u16 sport;
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kw_syn_key);
	__type(value, __u32);
} kw_filtered_syns SEC(".maps");

/* an ICMP error for this very packet (the same skb), sent on this CPU
 * just before its drop in the same softirq; the bound only keeps a much
 * later reuse of the skb's address from matching.  Generous: under the
 * 6.1 VM's emulation 1 ms between the two was seen to be too short. */
#define KW_ICMP_SAME_PACKET_NS 50000000ULL

SEC("?tp_btf/icmp_send")
int BPF_PROG(kw_icmp_send, const struct sk_buff *skb, int type, int code)
{
	struct kw_last_icmp *l;
	__u32 zero = 0;

	if (type != ICMP_DEST_UNREACH || !skb)
		return 0;
	l = bpf_map_lookup_elem(&kw_last_icmp, &zero);
	if (!l)
		return 0;
	l->skb = (__u64)skb;
	l->ts_ns = bpf_ktime_get_ns();
	l->type = type;
	l->code = code;
	return 0;
}

static __always_inline void on_syn_filtered(const struct sk_buff *skb, __u32 reason)
{
	struct kw_addr client = {}, dialled = {};
	struct kw_syn_key sk = {};
	struct kw_ev_syn_filtered *e;
	struct kw_agg_key ak = {};
	struct kw_last_icmp *l;
	__u8 icmp_type = KW_ICMP_NONE, icmp_code = KW_ICMP_NONE, retry = 0;
	__u32 zero = 0, seq, *prev, ino;
	struct net *net;
	int flags;

	flags = kw_skb_tuple(skb, &client, &dialled);
	/* a connection attempt: SYN without ACK (nor RST) */
	if (flags < 0 || (flags & (KW_TCP_SYN | KW_TCP_ACK | KW_TCP_RST)) != KW_TCP_SYN)
		return;
	net = kw_skb_net_read(skb, &ino);	/* only SYNs a filter dropped */
	if (!kw_port_wanted(dialled.port, client.port) || !kw_netns_targeted(net)) {
		kw_count(KW_CNT_FILTERED, KW_EV_SYN_FILTERED);
		return;
	}
	l = bpf_map_lookup_elem(&kw_last_icmp, &zero);
	if (l && l->skb == (__u64)skb && bpf_ktime_get_ns() - l->ts_ns < KW_ICMP_SAME_PACKET_NS) {
		icmp_type = l->type;
		icmp_code = l->code;
		l->skb = 0;
	}
	seq = kw_skb_tcp_seq(skb);
	sk.netns_ino = net ? BPF_CORE_READ(net, ns.inum) : 0;
	sk.sport = client.port;
	sk.dport = dialled.port;
	__builtin_memcpy(sk.saddr, client.addr, 16);
	__builtin_memcpy(sk.daddr, dialled.addr, 16);
	prev = bpf_map_lookup_elem(&kw_filtered_syns, &sk);
	if (prev && *prev == seq)
		retry = 1;
	else
		bpf_map_update_elem(&kw_filtered_syns, &sk, &seq, BPF_ANY);

	/* a storm of first SYNs is one key, and so are their retries */
	ak.type = KW_EV_SYN_FILTERED;
	ak.netns_ino = sk.netns_ino;
	ak.code = (retry ? 1 : 0) | (icmp_type != KW_ICMP_NONE ? 2 : 0);
	ak.dest = dialled;
	if (!kw_agg_first(&ak))
		return;

	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_SYN_FILTERED);
	if (!e)
		return;
	kw_hdr_set_net(&e->hdr, net);
	e->local = dialled;
	e->remote = client;
	e->reason = reason;
	e->icmp_type = icmp_type;
	e->icmp_code = icmp_code;
	e->retransmit = retry;
	e->tcp_flags = flags;
	e->seq = seq;
	kw_submit(e);
}

/* A handshake's ACK dropped because rx_sk's accept queue is full. */
static __always_inline void on_listen_overflow(const struct sk_buff *skb, const struct sock *rx_sk)
{
	struct kw_addr client = {}, dialled = {};

	if (!rx_sk || BPF_CORE_READ(rx_sk, __sk_common.skc_state) != KW_TCP_LISTEN)
		return;
	if (kw_skb_tuple(skb, &client, &dialled) < 0)
		return;
	kw_accept_queue_full(rx_sk, &client, KW_AQ_LISTEN_OVERFLOW);
}

static __always_inline int on_drop(const struct sk_buff *skb, int reason, const struct sock *rx_sk)
{
	if (!skb)
		return 0;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP))
		on_syn_filtered(skb, reason);
	else if (rx_sk &&
		 bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW) &&
		 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		on_listen_overflow(skb, rx_sk);
	return 0;
}

/* 5.17–6.10: (skb, location, reason) */
SEC("?tp_btf/kfree_skb")
int BPF_PROG(kw_kfree_skb_filter_v3, struct sk_buff *skb, void *location, int reason)
{
	return on_drop(skb, reason, NULL);
}

/* 6.11+: (skb, location, reason, rx_sk) */
SEC("?tp_btf/kfree_skb")
int BPF_PROG(kw_kfree_skb_filter_v4, struct sk_buff *skb, void *location, int reason,
	     struct sock *rx_sk)
{
	return on_drop(skb, reason, rx_sk);
}
