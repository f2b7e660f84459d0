// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which BPF program variant serves each event on this kernel: a pure
 * function of struct kw_features (kernel/probe.h). */
#include <stdio.h>
#include <string.h>
#include "kernel/probe.h"

const char *const kw_tp_names[KW_TP_MAX] = {
	[KW_TP_MARK_VICTIM] = "oom:mark_victim",
	[KW_TP_PROCESS_EXIT] = "sched:sched_process_exit",
	[KW_TP_SIGNAL_GENERATE] = "signal:signal_generate",
	[KW_TP_SET_STATE] = "sock:inet_sock_set_state",
	[KW_TP_SEND_RESET] = "tcp:tcp_send_reset",
	[KW_TP_RECV_RESET] = "tcp:tcp_receive_reset",
	[KW_TP_ERROR_REPORT] = "sock:inet_sk_error_report",
	[KW_TP_KFREE_SKB] = "skb:kfree_skb",
	[KW_TP_RETRANSMIT_SKB] = "tcp:tcp_retransmit_skb",
	[KW_TP_RETRANSMIT_SYNACK] = "tcp:tcp_retransmit_synack",
	[KW_TP_ICMP_SEND] = "icmp:icmp_send",
};

const char *kw_cg_layout_name(enum kw_cg_layout l)
{
	switch (l) {
	case KW_CG_V1:		return "v1";
	case KW_CG_HYBRID:	return "hybrid";
	case KW_CG_V2:		return "v2";
	default:		return "none";
	}
}

static struct kw_plan_item *add(struct kw_plan *p, const char *event, enum kw_tp tp)
{
	struct kw_plan_item *it = &p->items[p->n++];

	memset(it, 0, sizeof(*it));
	it->event = event;
	it->tracepoint = kw_tp_names[tp];
	return it;
}

static void use(struct kw_plan_item *it, const char *variant, const char *prog)
{
	it->variant = variant;
	it->progs[0] = prog;
	it->enabled = true;
}

static void missing(struct kw_plan_item *it, const struct kw_features *f, enum kw_tp tp)
{
	if (!f->btf)
		snprintf(it->why, sizeof(it->why), "no kernel BTF: %s", f->btf_error);
	else if (f->tp_args[tp] < 0)
		snprintf(it->why, sizeof(it->why), "%s is not in this kernel's BTF",
			 kw_tp_names[tp]);
	else
		snprintf(it->why, sizeof(it->why), "%s has an unknown signature (%d arguments)",
			 kw_tp_names[tp], f->tp_args[tp]);
}

/* A tracepoint with one known signature: its program, or why it is missing. */
static void add_single(struct kw_plan *p, const struct kw_features *f, const char *event,
		       enum kw_tp tp, int nargs, const char *variant, const char *prog)
{
	struct kw_plan_item *it = add(p, event, tp);

	if (f->tp_args[tp] == nargs)
		use(it, variant, prog);
	else
		missing(it, f, tp);
}

/* A pair of classic syscall tracepoints (tracefs, CONFIG_FTRACE_SYSCALLS) */
static struct kw_plan_item *add_syscalls(struct kw_plan *p, const struct kw_features *f,
					 const char *event, const char *tracepoint,
					 const char *first, bool present, const char *prog0,
					 const char *prog1)
{
	struct kw_plan_item *it = &p->items[p->n++];

	memset(it, 0, sizeof(*it));
	it->event = event;
	it->tracepoint = tracepoint;
	if (!f->btf) {		/* the programs are CO-RE: they need BTF too */
		snprintf(it->why, sizeof(it->why), "no kernel BTF: %s", f->btf_error);
	} else if (!f->tracefs[0]) {
		snprintf(it->why, sizeof(it->why), "tracefs is not mounted and could not be "
			 "mounted (%s); mount it: mount -t tracefs nodev /sys/kernel/tracing",
			 f->tracefs_error[0] ? f->tracefs_error : "not tried");
	} else if (!present) {
		snprintf(it->why, sizeof(it->why), "no syscalls:%s in %s/events "
			 "(kernel without CONFIG_FTRACE_SYSCALLS)", first, f->tracefs);
	} else {
		use(it, "classic tracepoint (tracefs)", prog0);
		it->progs[1] = prog1;
	}
	return it;
}

/*
 * Timeouts and packet filters: SYN retransmits (connect_timeout), a full
 * accept queue (accept_queue_overflow) and SYNs dropped by netfilter
 * (syn_filtered), from what this kernel has.
 */
static void plan_timeouts(struct kw_plan *p, const struct kw_features *f)
{
	struct kw_plan_item *it;
	int n = f->tp_args[KW_TP_RETRANSMIT_SKB];
	bool overflow_drops = f->tp_args[KW_TP_KFREE_SKB] == 4 && f->drop_listen_overflow;

	it = add(p, "connect_timeout", KW_TP_RETRANSMIT_SKB);
	if (n == 2 || n == 3)
		use(it, n == 2 ? "tp_btf (sk, skb): SYN retransmits of connecting sockets" :
		    "tp_btf (sk, skb, err): SYN retransmits of connecting sockets",
		    "kw_tcp_retransmit_skb");
	else
		missing(it, f, KW_TP_RETRANSMIT_SKB);

	it = add(p, "accept_queue_overflow", KW_TP_RETRANSMIT_SYNACK);
	if (f->tp_args[KW_TP_RETRANSMIT_SYNACK] == 2) {
		use(it, "tp_btf (sk, req): SYN-ACK retransmits of a listener at its limit",
		    "kw_tcp_retransmit_synack");
		if (!overflow_drops) {
			it->fallback = true;
			snprintf(it->why, sizeof(it->why), "no TCP_LISTEN_OVERFLOW drop reason in "
				 "kfree_skb (6.15+): a full accept queue is seen by the SYN-ACKs it "
				 "resends and the namespace's ListenOverflows counter only");
		}
	} else {
		missing(it, f, KW_TP_RETRANSMIT_SYNACK);
	}

	it = add(p, overflow_drops ? "syn_filtered,accept_queue_overflow" : "syn_filtered",
		 KW_TP_KFREE_SKB);
	n = f->tp_args[KW_TP_KFREE_SKB];
	if (f->tp_args[KW_TP_ICMP_SEND] == 3)
		it->tracepoint = "skb:kfree_skb,icmp:icmp_send";
	if (!f->btf || n < 3) {
		missing(it, f, KW_TP_KFREE_SKB);
		if (f->btf && n >= 0)
			snprintf(it->why, sizeof(it->why), "kfree_skb has no drop reason here: SYNs "
				 "dropped by a packet filter are not seen");
		return;
	}
	if (!f->drop_netfilter && !overflow_drops) {
		snprintf(it->why, sizeof(it->why), "no NETFILTER_DROP drop reason in this kernel: "
			 "SYNs dropped by a packet filter are not seen");
		return;
	}
	use(it, n == 4 ? "tp_btf kfree_skb (skb, location, reason, rx_sk): NETFILTER_DROP of a "
		"SYN, TCP_LISTEN_OVERFLOW" : "tp_btf kfree_skb (skb, location, reason): "
		"NETFILTER_DROP of a SYN", n == 4 ? "kw_kfree_skb_filter_v4" : "kw_kfree_skb_filter_v3");
	if (f->tp_args[KW_TP_ICMP_SEND] == 3) {
		it->progs[1] = "kw_icmp_send";
	} else {
		it->fallback = true;
		snprintf(it->why, sizeof(it->why), "no icmp:icmp_send: a REJECT with an ICMP error "
			 "is told from the client's side only (refused without a reset)");
	}
}

void kw_plan_make(const struct kw_features *f, struct kw_plan *p)
{
	struct kw_plan_item *it;
	int n;

	memset(p, 0, sizeof(*p));

	it = add(p, "oom_kill", KW_TP_MARK_VICTIM);
	n = f->tp_args[KW_TP_MARK_VICTIM];
	if (n == 2) {
		use(it, "tp_btf (task, uid)", "kw_mark_victim_v2");
	} else if (n == 1) {
		use(it, "tp_btf (pid), victim task from the preceding SIGKILL",
		    "kw_mark_victim_v1");
		it->fallback = true;
		snprintf(it->why, sizeof(it->why), "mark_victim carries only a pid here: the "
			 "victim's task is taken from the OOM killer's SIGKILL");
	} else {
		missing(it, f, KW_TP_MARK_VICTIM);
	}

	it = add(p, "process_exit", KW_TP_PROCESS_EXIT);
	n = f->tp_args[KW_TP_PROCESS_EXIT];
	if (n == 2)
		use(it, "tp_btf (task, group_dead)", "kw_sched_process_exit_v2");
	else if (n == 1)
		use(it, "tp_btf (task)", "kw_sched_process_exit_v1");
	else
		missing(it, f, KW_TP_PROCESS_EXIT);
	/* whose listeners outlive them: read at once (user/host/enrich.c) */
	if (it->enabled)
		it->progs[1] = "kw_sched_process_fork";

	add_single(p, f, "signal", KW_TP_SIGNAL_GENERATE, 5,
		   "tp_btf (sig, info, task, group, result)", "kw_signal_generate");
	add_single(p, f, "listen,listen_close,connect_failed", KW_TP_SET_STATE, 3,
		   "tp_btf (sk, oldstate, newstate)", "kw_inet_sock_set_state");

	it = add(p, "reset_sent", KW_TP_SEND_RESET);
	n = f->tp_args[KW_TP_SEND_RESET];
	if (n == 3) {
		use(it, "tp_btf (sk, skb, reason): all resets, with or without a socket",
		    "kw_tcp_send_reset_v3");
	} else if (n == 2) {
		use(it, "tp_btf (sk, skb): resets of existing sockets only",
		    "kw_tcp_send_reset_v2");
		it = add(p, "reset_sent", KW_TP_KFREE_SKB);
		if (f->tp_args[KW_TP_KFREE_SKB] >= 3) {
			use(it, "tp_btf kfree_skb, drop reason NO_SOCKET, TCP not RST",
			    "kw_kfree_skb_no_socket");
			it->fallback = true;
			snprintf(it->why, sizeof(it->why), "tcp_send_reset does not fire for a "
				 "SYN to a port with no socket on this kernel (2-argument form)");
		} else {
			snprintf(it->why, sizeof(it->why), "resets for ports with no socket are not "
				 "visible: tcp_send_reset skips them and kfree_skb has no drop "
				 "reason here");
		}
	} else {
		missing(it, f, KW_TP_SEND_RESET);
	}

	add_single(p, f, "reset_received,reset_after_close", KW_TP_RECV_RESET, 1, "tp_btf (sk)",
		   "kw_tcp_receive_reset");
	add_single(p, f, "socket_error", KW_TP_ERROR_REPORT, 1, "tp_btf (sk)",
		   "kw_inet_sk_error_report");

	plan_timeouts(p, f);

	add_syscalls(p, f, "bind", "syscalls:sys_enter_bind,sys_exit_bind", "sys_enter_bind",
		     f->bind_tp, "kw_sys_enter_bind", "kw_sys_exit_bind");
	it = add_syscalls(p, f, "unix_connect_failed,connect_no_port",
			  "syscalls:sys_enter_connect,sys_exit_connect", "sys_enter_connect",
			  f->connect_tp, "kw_sys_enter_connect", "kw_sys_exit_connect");
	if (it->enabled && f->task_pt_regs) {
		/* the exit reads a failed call's arguments from the task's
		 * registers: nothing runs on every connect's entry */
		it->tracepoint = "syscalls:sys_exit_connect";
		it->variant = "classic tracepoint (tracefs), arguments from the task's registers";
		it->progs[0] = "kw_sys_exit_connect";
		it->progs[1] = NULL;
	}
	add_syscalls(p, f, "unix_listen", "syscalls:sys_enter_listen,sys_exit_listen",
		     "sys_enter_listen", f->listen_tp, "kw_sys_enter_listen", "kw_sys_exit_listen");
	add_syscalls(p, f, "accept_failed", "syscalls:sys_exit_accept4,sys_exit_accept",
		     "sys_exit_accept4", f->accept_tp, "kw_sys_exit_accept4", "kw_sys_exit_accept");
}
