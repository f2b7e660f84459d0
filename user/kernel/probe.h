/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the running kernel and machine offer, learnt from the kernel's BTF,
 * tracefs, /proc and capabilities — never from the kernel version — and
 * the plan derived from it: which BPF program variant serves each event,
 * which fallbacks are used and what is unavailable.  kw_plan_make() is a
 * pure function of the features, so every kernel shape can be unit-tested.
 */
#ifndef KWHY_PROBE_H
#define KWHY_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum kw_tp {
	KW_TP_MARK_VICTIM,
	KW_TP_PROCESS_EXIT,
	KW_TP_SIGNAL_GENERATE,
	KW_TP_SET_STATE,
	KW_TP_SEND_RESET,
	KW_TP_RECV_RESET,
	KW_TP_ERROR_REPORT,
	KW_TP_KFREE_SKB,
	KW_TP_RETRANSMIT_SKB,
	KW_TP_RETRANSMIT_SYNACK,
	KW_TP_ICMP_SEND,
	KW_TP_MAX
};

enum kw_cg_layout {
	KW_CG_NONE = 0,
	KW_CG_V1,	/* only v1 hierarchies */
	KW_CG_HYBRID,	/* v1 controllers plus a cgroup2 mount */
	KW_CG_V2,	/* pure cgroup v2 */
};

struct kw_features {
	char kernel_release[65];
	bool btf;			/* /sys/kernel/btf/vmlinux readable */
	char btf_error[160];
	int tp_args[KW_TP_MAX];		/* tracepoint arguments, -1 absent */
	bool rst_reason_enum;		/* enum sk_rst_reason in BTF */
	bool drop_netfilter;		/* SKB_DROP_REASON_NETFILTER_DROP */
	bool drop_listen_overflow;	/* SKB_DROP_REASON_TCP_LISTEN_OVERFLOW (6.15+) */
	bool task_pt_regs;		/* BPF_FUNC_task_pt_regs (5.15+): a syscall's
					 * exit reads its arguments, no enter program */

	char tracefs[64];		/* where tracefs is mounted, "" none */
	bool tracefs_mounted_now;	/* kwhy mounted it */
	char tracefs_error[160];
	bool bind_tp;			/* syscalls:sys_{enter,exit}_bind exist */
	bool connect_tp;		/* ... _connect */
	bool listen_tp;			/* ... _listen */
	bool accept_tp;			/* sys_exit_accept4 and sys_exit_accept */

	enum kw_cg_layout cg_layout;
	char cg2_mount[128];		/* "" when none */
	char memcg_v1_mount[128];	/* "" when none */

	bool root;
	bool cap_bpf;			/* CAP_BPF, or CAP_SYS_ADMIN on older kernels */
	bool cap_perfmon;
	bool cap_sys_admin;
	int ringbuf;			/* 1 yes, 0 no, -1 could not probe */
	int sock_diag;			/* 1 answers, 0 no (inet_diag not loaded),
					 * -1 not probed */
};

extern const char *const kw_tp_names[KW_TP_MAX];	/* "oom:mark_victim" */

/*
 * Probe this machine.  mount_tracefs: mount tracefs at /sys/kernel/tracing
 * when no tracefs is mounted (the watch command does, doctor does not).
 */
void kw_features_probe(struct kw_features *f, bool mount_tracefs);
/* The same, handing over the parsed vmlinux BTF (NULL when there is none)
 * so the caller need not parse its megabytes again; free with btf__free. */
struct btf;
void kw_features_probe_btf(struct kw_features *f, bool mount_tracefs, struct btf **btf);

/* Whether sock_diag answers for TCP here (doctor only: it dumps this
 * namespace's listeners).  Without it kwhy reads /proc/net/tcp. */
void kw_features_probe_sockdiag(struct kw_features *f);

/* Arity of btf_trace_<name> in btf (without the hidden __data), -1 absent */
struct btf;
int kw_btf_tp_args(const struct btf *btf, const char *name);

#define KW_PLAN_MAX 28
#define KW_PLAN_PROGS 2

struct kw_plan_item {
	const char *event;		/* JSON event type(s) it produces */
	const char *tracepoint;		/* "tcp:tcp_send_reset" */
	const char *variant;		/* "tp_btf (sk, skb, reason)" */
	const char *progs[KW_PLAN_PROGS]; /* BPF program names to load */
	bool enabled;
	bool fallback;			/* a substitute for a missing capability */
	char why[200];			/* for fallbacks and unavailable items */
};

struct kw_plan {
	int n;
	struct kw_plan_item items[KW_PLAN_MAX];
};

void kw_plan_make(const struct kw_features *f, struct kw_plan *p);

const char *kw_cg_layout_name(enum kw_cg_layout l);

#endif
