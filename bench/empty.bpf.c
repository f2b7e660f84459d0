// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor: tp_btf programs that do nothing, attached by bench/emptyprog
 * to the tracepoints kwhy's hot programs use.  Their run time under
 * kernel.bpf_stats_enabled is what any program on that tracepoint costs at
 * least (the trampoline, the statistics themselves); kwbench reports kwhy's
 * programs as a multiple of it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(kwb_empty_set_state)
{
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(kwb_empty_send_reset)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
