// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Failed system calls that no socket tracepoint tells: connect(2) on an
 * AF_UNIX socket (ENOENT, ECONNREFUSED, EAGAIN, EACCES, EPERM), connect(2)
 * out of ephemeral ports (EADDRNOTAVAIL), and accept(2)/accept4(2) at the
 * open-file limit (EMFILE, ENFILE).  syscalls:sys_{enter,exit}_* are
 * ftrace syscall events: classic tracepoints only (tracefs).  Process
 * context: current is the caller.
 *
 * The success path is what matters for cost: a connect's exit compares the
 * result and stops there unless it is one of the failures above.  Only
 * then are the call's arguments looked at: from the task's saved user
 * registers (bpf_task_pt_regs, 5.15+), so no program runs at the call's
 * entry; on older kernels sys_enter_connect keeps them in the thread's
 * slot (the loader attaches it only there).  The sockaddr is read from the
 * caller's memory, which is as it was at the call.
 */
#include "kwhy.bpf.h"

struct kw_connect_args {
	__u64 uaddr;		/* struct sockaddr __user * */
	__s32 fd;
	__u32 addrlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);		/* thread id */
	__type(value, struct kw_connect_args);
} kw_connect_args SEC(".maps") __weak;

SEC("?tracepoint/syscalls/sys_enter_connect")
int kw_sys_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kw_connect_args *a = bpf_map_lookup_elem(&kw_connect_args, &tid);
	struct kw_connect_args n;

	if (a) {		/* this thread's slot: rewritten in place */
		a->uaddr = ctx->args[1];
		a->fd = (__s32)ctx->args[0];
		a->addrlen = (__u32)ctx->args[2];
		return 0;
	}
	n.uaddr = ctx->args[1];
	n.fd = (__s32)ctx->args[0];
	n.addrlen = (__u32)ctx->args[2];
	bpf_map_update_elem(&kw_connect_args, &tid, &n, BPF_ANY);
	return 0;
}

static __always_inline bool unix_failure(long ret)
{
	return ret == -ENOENT || ret == -ECONNREFUSED || ret == -EAGAIN || ret == -EACCES ||
	       ret == -EPERM;
}

/* a UNIX path as an aggregation key's destination: two FNV-1a hashes */
static __always_inline void path_key(struct kw_addr *dest, const char *path, __u32 len)
{
	__u64 h1 = 14695981039346656037ULL, h2 = 1099511628211ULL * 31;

	for (int i = 0; i < KW_UNIX_PATH_LEN; i++) {
		if (i >= len)
			break;
		h1 = (h1 ^ (__u8)path[i]) * 1099511628211ULL;
		h2 = (h2 ^ (__u8)path[i]) * 1099511628211ULL;
	}
	dest->family = AF_UNIX;
	__builtin_memcpy(dest->addr, &h1, 8);
	__builtin_memcpy(dest->addr + 8, &h2, 8);
}

static __always_inline void on_unix_fail(const struct kw_connect_args *a, long ret)
{
	struct kw_agg_key ak = {};
	struct kw_ev_unix_conn *e;
	struct socket *sock;
	char path[128] = {};	/* the mask's bound, not the path's */
	__u32 len = a->addrlen > 2 ? a->addrlen - 2 : 0;

	if (kw_filter_port || !kw_task_targeted(kw_current())) {
		kw_count(KW_CNT_FILTERED, KW_EV_UNIX_CONNECT_FAIL);
		return;
	}
	if (len > KW_UNIX_PATH_LEN)
		len = KW_UNIX_PATH_LEN;
	/* the verifier needs the bound on the register passed: keep the mask */
	barrier_var(len);
	len &= 127;
	if (len && bpf_probe_read_user(path, len, (const void *)(a->uaddr + 2)))
		len = 0;
	/* repeats of one (process, path, error) are counted, not sent */
	ak.type = KW_EV_UNIX_CONNECT_FAIL;
	ak.netns_ino = BPF_CORE_READ(kw_current(), nsproxy, net_ns, ns.inum);
	ak.tgid = bpf_get_current_pid_tgid() >> 32;
	ak.code = -ret;
	path_key(&ak.dest, path, len);
	if (!kw_agg_first(&ak))
		return;
	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_UNIX_CONNECT_FAIL);
	if (!e)
		return;
	kw_hdr_from_current(&e->hdr);
	__builtin_memcpy(e->path, path, KW_UNIX_PATH_LEN);
	e->path_len = len;
	e->ret = (__s32)ret;
	e->fd = a->fd;
	sock = kw_fd_socket(a->fd);
	if (sock)
		e->sock_type = BPF_CORE_READ(sock, type);
	kw_submit(e);
}

/* EADDRNOTAVAIL: no local port (or address) for this destination */
static __always_inline void on_no_addr(const struct kw_connect_args *a, __u16 family)
{
	struct kw_agg_key ak = {};
	struct kw_ev_conn *e;
	struct kw_addr dest = { .family = family };
	__u8 sa[24] = {};
	struct socket *sock;
	struct sock *sk;

	if (family == AF_INET) {
		if (bpf_probe_read_user(sa, 8, (const void *)a->uaddr))
			return;
		__builtin_memcpy(dest.addr, sa + 4, 4);
	} else {
		if (bpf_probe_read_user(sa, 24, (const void *)a->uaddr))
			return;
		__builtin_memcpy(dest.addr, sa + 8, 16);
	}
	dest.port = ((__u16)sa[2] << 8) | sa[3];
	if (!kw_port_wanted(dest.port, 0) || !kw_task_targeted(kw_current())) {
		kw_count(KW_CNT_FILTERED, KW_EV_CONNECT_NOADDR);
		return;
	}
	ak.type = KW_EV_CONNECT_NOADDR;
	ak.netns_ino = BPF_CORE_READ(kw_current(), nsproxy, net_ns, ns.inum);
	ak.tgid = bpf_get_current_pid_tgid() >> 32;
	ak.code = EADDRNOTAVAIL;
	ak.dest = dest;
	if (!kw_agg_first(&ak))
		return;
	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_CONNECT_NOADDR);
	if (!e)
		return;
	kw_hdr_from_current(&e->hdr);
	e->remote = dest;
	e->error = EADDRNOTAVAIL;
	e->source = KW_SRC_SYSCALL;
	sock = kw_fd_socket(a->fd);
	sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (sk) {
		struct kw_addr remote;

		kw_sk_addrs_read(sk, &e->local, &remote);
		e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
		kw_hdr_set_net(&e->hdr, kw_sk_net(sk));
	}
	kw_submit(e);
}

/* The arguments of the connect(2) that is returning, into *a. */
static __always_inline bool connect_args(struct kw_connect_args *a)
{
	struct kw_connect_args *kept;
	__u32 tid;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		/* the syscall's user registers: the x86-64 and arm64 entry
		 * code keeps the arguments there (arm64's first in orig_x0) */
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(
			bpf_get_current_task_btf());

		a->fd = (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a->uaddr = PT_REGS_PARM2_CORE_SYSCALL(regs);
		a->addrlen = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
		return true;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	kept = bpf_map_lookup_elem(&kw_connect_args, &tid);
	if (!kept)
		return false;
	*a = *kept;
	return true;
}

SEC("?tracepoint/syscalls/sys_exit_connect")
int kw_sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;
	struct kw_connect_args a;
	__u16 family = 0;

	/* the success path (and EINPROGRESS, ECONNREFUSED of TCP, ...) ends here */
	if (!unix_failure(ret) && ret != -EADDRNOTAVAIL)
		return 0;
	if (!connect_args(&a) || bpf_probe_read_user(&family, 2, (const void *)a.uaddr))
		return 0;
	if (family == AF_UNIX && unix_failure(ret))
		on_unix_fail(&a, ret);
	else if ((family == AF_INET || family == AF_INET6) && ret == -EADDRNOTAVAIL)
		on_no_addr(&a, family);
	return 0;
}

static __always_inline void on_accept_exit(long ret, __u32 is4)
{
	struct task_struct *cur;
	struct signal_struct *sig;
	struct kw_ev_accept_fail *e;
	struct kw_agg_key ak = {};

	if (ret != -EMFILE && ret != -ENFILE)
		return;
	cur = kw_current();
	if (kw_filter_port || !kw_task_targeted(cur)) {
		kw_count(KW_CNT_FILTERED, KW_EV_ACCEPT_FAIL);
		return;
	}
	/* a server at its limit retries at once: one event, then counts */
	ak.type = KW_EV_ACCEPT_FAIL;
	ak.netns_ino = BPF_CORE_READ(cur, nsproxy, net_ns, ns.inum);
	ak.tgid = bpf_get_current_pid_tgid() >> 32;
	ak.code = -ret;
	if (!kw_agg_first(&ak))
		return;
	e = kw_reserve(&kw_rb_bulk, sizeof(*e), KW_EV_ACCEPT_FAIL);
	if (!e)
		return;
	kw_hdr_from_current(&e->hdr);
	e->ret = (__s32)ret;
	e->accept4 = is4;
	sig = BPF_CORE_READ(cur, signal);
	bpf_core_read(&e->nofile_cur, sizeof(e->nofile_cur), &sig->rlim[RLIMIT_NOFILE].rlim_cur);
	bpf_core_read(&e->nofile_max, sizeof(e->nofile_max), &sig->rlim[RLIMIT_NOFILE].rlim_max);
	e->max_fds = BPF_CORE_READ(cur, files, fdt, max_fds);
	kw_submit(e);
}

SEC("?tracepoint/syscalls/sys_exit_accept4")
int kw_sys_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	on_accept_exit(ctx->ret, 1);
	return 0;
}

SEC("?tracepoint/syscalls/sys_exit_accept")
int kw_sys_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	on_accept_exit(ctx->ret, 0);
	return 0;
}
