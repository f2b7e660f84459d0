// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bind(2) on AF_INET/AF_INET6, with its result: syscalls:sys_enter_bind
 * and sys_exit_bind.  These are ftrace syscall events with no BTF typedef,
 * so they attach only as classic tracepoints (tracefs must be mounted).
 * Process context: current is the binder.
 */
#include "kwhy.bpf.h"

struct kw_bind_args {
	__u8 sa[28];		/* sockaddr_in or sockaddr_in6 as passed */
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* thread id */
	__type(value, struct kw_bind_args);
} kw_bind_args SEC(".maps") __weak;

SEC("?tracepoint/syscalls/sys_enter_bind")
int kw_sys_enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	struct kw_bind_args a = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const void *uaddr = (const void *)ctx->args[1];
	__u16 family;

	a.fd = (__s32)ctx->args[0];
	/* sockaddr_in6 is 28 bytes; a shorter sockaddr_in may end at a page
	 * boundary, so fall back to its 16 bytes */
	if (bpf_probe_read_user(a.sa, 28, uaddr) && bpf_probe_read_user(a.sa, 16, uaddr))
		return 0;
	__builtin_memcpy(&family, a.sa, 2);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	bpf_map_update_elem(&kw_bind_args, &tid, &a, BPF_ANY);
	return 0;
}

SEC("?tracepoint/syscalls/sys_exit_bind")
int kw_sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kw_bind_args *a = bpf_map_lookup_elem(&kw_bind_args, &tid);
	struct kw_ev_bind *e;
	struct socket *sock;
	struct sock *sk;

	if (!a)
		return 0;
	if (!kw_task_targeted(kw_current()) ||
	    !kw_port_wanted(((__u16)a->sa[2] << 8) | a->sa[3], 0)) {
		kw_count(KW_CNT_FILTERED, KW_EV_BIND);
		goto out;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_BIND);
	if (!e)
		goto out;
	kw_hdr_from_current(&e->hdr);
	e->ret = (__s32)ctx->ret;
	e->fd = a->fd;
	__builtin_memcpy(&e->addr.family, a->sa, 2);
	e->addr.port = ((__u16)a->sa[2] << 8) | a->sa[3];
	if (e->addr.family == AF_INET)
		__builtin_memcpy(e->addr.addr, a->sa + 4, 4);
	else
		__builtin_memcpy(e->addr.addr, a->sa + 8, 16);

	/* EBADF/ENOTSOCK: fd is not a socket, nothing more to read */
	if (e->ret != -EBADF && e->ret != -ENOTSOCK && (sock = kw_fd_socket(a->fd))) {
		e->sock_type = BPF_CORE_READ(sock, type);
		sk = BPF_CORE_READ(sock, sk);
		if (sk) {
			e->protocol = BPF_CORE_READ(sk, sk_protocol);
			e->bound_port = BPF_CORE_READ(sk, __sk_common.skc_num);
			e->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
			e->reuseaddr = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
			e->reuseport = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
			/* the socket's namespace, which is where the port is */
			kw_hdr_set_net(&e->hdr, kw_sk_net(sk));
		}
	}
	/* a failed bind has its port's holders read at once (user/host/enrich.c) */
	if (e->ret)
		kw_submit_rare_now(e);
	else
		kw_submit_lazy(e);
out:
	bpf_map_delete_elem(&kw_bind_args, &tid);
	return 0;
}
