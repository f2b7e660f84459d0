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

	add_single(p, f, "reset_received", KW_TP_RECV_RESET, 1, "tp_btf (sk)",
		   "kw_tcp_receive_reset");
	add_single(p, f, "socket_error", KW_TP_ERROR_REPORT, 1, "tp_btf (sk)",
		   "kw_inet_sk_error_report");

	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	it->event = "bind";
	it->tracepoint = "syscalls:sys_enter_bind,sys_exit_bind";
	if (!f->btf) {		/* the programs are CO-RE: they need BTF too */
		snprintf(it->why, sizeof(it->why), "no kernel BTF: %s", f->btf_error);
	} else if (!f->tracefs[0]) {
		snprintf(it->why, sizeof(it->why), "tracefs is not mounted and could not be "
			 "mounted (%s); mount it: mount -t tracefs nodev /sys/kernel/tracing",
			 f->tracefs_error[0] ? f->tracefs_error : "not tried");
	} else if (!f->bind_tp) {
		snprintf(it->why, sizeof(it->why), "no syscalls:sys_enter_bind in %s/events "
			 "(kernel without CONFIG_FTRACE_SYSCALLS)", f->tracefs);
	} else {
		use(it, "classic tracepoint (tracefs)", "kw_sys_enter_bind");
		it->progs[1] = "kw_sys_exit_bind";
	}
}
