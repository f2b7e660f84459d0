// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UNIX listeners appearing: listen(2) on an AF_UNIX socket, with the path
 * it is bound to (syscalls:sys_{enter,exit}_listen, classic tracepoints).
 * No tracepoint tells a UNIX socket's close (sock:inet_sock_set_state is
 * AF_INET/6 only): userspace re-reads the listeners (sock_diag) when a
 * UNIX connect fails, and the owner's exit is reported (the process is put
 * in kw_listener_procs), which is how a stale socket file is explained.
 * listen(2) is rare: its cost does not matter.
 */
#include "kwhy.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* thread id */
	__type(value, __s32);		/* fd */
} kw_listen_fd SEC(".maps") __weak;

SEC("?tracepoint/syscalls/sys_enter_listen")
int kw_sys_enter_listen(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 fd = (__s32)ctx->args[0];

	bpf_map_update_elem(&kw_listen_fd, &tid, &fd, BPF_ANY);
	return 0;
}

SEC("?tracepoint/syscalls/sys_exit_listen")
int kw_sys_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), tgid, one = 1, *n;
	__s32 *fdp = bpf_map_lookup_elem(&kw_listen_fd, &tid), fd;
	struct kw_ev_unix_listen *e;
	struct unix_address *addr;
	struct unix_sock *u;
	struct socket *sock;
	struct file *file;
	struct sock *sk;
	__u32 len;
	int alen;
	char name[128] = {};	/* the mask's bound, not the path's */

	if (!fdp)
		return 0;
	fd = *fdp;
	bpf_map_delete_elem(&kw_listen_fd, &tid);
	if (ctx->ret != 0)
		return 0;
	file = kw_fd_file(fd);
	sock = file ? BPF_CORE_READ(file, private_data) : NULL;
	sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return 0;
	/* its exit is reported: a stale socket file's story ends there */
	tgid = bpf_get_current_pid_tgid() >> 32;
	n = bpf_map_lookup_elem(&kw_listener_procs, &tgid);
	if (!n)
		bpf_map_update_elem(&kw_listener_procs, &tgid, &one, BPF_NOEXIST);
	if (kw_filter_port || !kw_task_targeted(kw_current())) {
		kw_count(KW_CNT_FILTERED, KW_EV_UNIX_LISTEN);
		return 0;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_UNIX_LISTEN);
	if (!e)
		return 0;
	kw_hdr_from_current(&e->hdr);
	kw_hdr_set_net(&e->hdr, kw_sk_net(sk));
	e->source = KW_UL_LISTEN;
	e->ino = BPF_CORE_READ(file, f_inode, i_ino);
	e->backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	e->sock_type = BPF_CORE_READ(sock, type);
	u = (struct unix_sock *)sk;
	addr = BPF_CORE_READ(u, addr);
	if (addr) {
		alen = BPF_CORE_READ(addr, len) - 2;	/* minus sun_family */
		len = alen > 0 ? alen : 0;
		if (len > KW_UNIX_PATH_LEN)
			len = KW_UNIX_PATH_LEN;
		barrier_var(len);	/* the verifier needs the mask kept */
		len &= 127;
		if (len && !bpf_core_read(name, len, &addr->name[0].sun_path)) {
			__builtin_memcpy(e->path, name, KW_UNIX_PATH_LEN);
			e->path_len = len;
		}
	}
	kw_submit_lazy(e);
	return 0;
}
