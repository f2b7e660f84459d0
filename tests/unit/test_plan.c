// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_plan_make: which program variant serves each event, for kernel shapes
 * described as struct kw_features. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "kernel/probe.h"
#include "suites.h"
#include "testutil.h"

static struct kw_features f;
static struct kw_plan p;

static void base(void)
{
	memset(&f, 0, sizeof(f));
	snprintf(f.kernel_release, sizeof(f.kernel_release), "test");
	f.btf = true;
	snprintf(f.tracefs, sizeof(f.tracefs), "/sys/kernel/tracing");
	f.bind_tp = f.connect_tp = f.listen_tp = f.accept_tp = true;
	f.cg_layout = KW_CG_V2;
	f.root = f.cap_bpf = f.cap_perfmon = f.cap_sys_admin = true;
	f.ringbuf = 1;
}

/* a 6.18-like kernel: every tracepoint in its newest form */
static void kernel_6_18(void)
{
	base();
	f.tp_args[KW_TP_MARK_VICTIM] = 2;
	f.tp_args[KW_TP_PROCESS_EXIT] = 2;
	f.tp_args[KW_TP_SIGNAL_GENERATE] = 5;
	f.tp_args[KW_TP_SET_STATE] = 3;
	f.tp_args[KW_TP_SEND_RESET] = 3;
	f.tp_args[KW_TP_RECV_RESET] = 1;
	f.tp_args[KW_TP_ERROR_REPORT] = 1;
	f.tp_args[KW_TP_KFREE_SKB] = 4;
	f.tp_args[KW_TP_RETRANSMIT_SKB] = 3;
	f.tp_args[KW_TP_RETRANSMIT_SYNACK] = 2;
	f.tp_args[KW_TP_ICMP_SEND] = 3;
	f.rst_reason_enum = true;
	f.drop_netfilter = f.drop_listen_overflow = true;
	f.task_pt_regs = true;
}

/* a 6.1-like kernel: tcp_send_reset(sk, skb), kfree_skb with a reason */
static void kernel_6_1(void)
{
	base();
	f.tp_args[KW_TP_MARK_VICTIM] = 1;
	f.tp_args[KW_TP_PROCESS_EXIT] = 1;
	f.tp_args[KW_TP_SIGNAL_GENERATE] = 5;
	f.tp_args[KW_TP_SET_STATE] = 3;
	f.tp_args[KW_TP_SEND_RESET] = 2;
	f.tp_args[KW_TP_RECV_RESET] = 1;
	f.tp_args[KW_TP_ERROR_REPORT] = 1;
	f.tp_args[KW_TP_KFREE_SKB] = 3;
	f.tp_args[KW_TP_RETRANSMIT_SKB] = 2;
	f.tp_args[KW_TP_RETRANSMIT_SYNACK] = 2;
	f.tp_args[KW_TP_ICMP_SEND] = 3;	/* Debian's 6.1 has it */
	f.drop_netfilter = true;
	f.task_pt_regs = true;		/* 5.15+ */
}

static const struct kw_plan_item *by_tp(const char *tracepoint)
{
	const struct kw_plan_item *found = NULL;

	for (int i = 0; i < p.n; i++) {
		if (!strcmp(p.items[i].tracepoint, tracepoint)) {
			ck_assert_msg(!found, "two plan items for %s", tracepoint);
			found = &p.items[i];
		}
	}
	return found;
}

static const struct kw_plan_item *item(const char *tracepoint)
{
	const struct kw_plan_item *it = by_tp(tracepoint);

	ck_assert_msg(it != NULL, "no plan item for %s", tracepoint);
	return it;
}

/* the program an enabled item loads */
#define assert_prog(tp, prog)                                                      \
	do {                                                                       \
		const struct kw_plan_item *it_ = item(tp);                         \
		ck_assert_msg(it_->enabled, "%s not enabled: %s", (tp), it_->why); \
		ck_assert_pstr_eq(it_->progs[0], (prog));                          \
	} while (0)

static bool plan_loads(const char *prog)
{
	for (int i = 0; i < p.n; i++)
		for (int k = 0; k < KW_PLAN_PROGS; k++)
			if (p.items[i].enabled && p.items[i].progs[k] &&
			    !strcmp(p.items[i].progs[k], prog))
				return true;
	return false;
}

/* invariants every plan keeps, whatever the kernel */
static void assert_consistent(void)
{
	ck_assert_int_le(p.n, KW_PLAN_MAX);
	ck_assert_int_ge(p.n, 8);
	for (int i = 0; i < p.n; i++) {
		const struct kw_plan_item *it = &p.items[i];

		ck_assert_ptr_nonnull(it->event);
		ck_assert_ptr_nonnull(it->tracepoint);
		ck_assert_msg(memchr(it->why, '\0', sizeof(it->why)), "why not terminated");
		if (it->enabled) {
			ck_assert_msg(it->variant && it->variant[0], "%s: no variant",
				      it->tracepoint);
			ck_assert_msg(it->progs[0] && it->progs[0][0], "%s: no program",
				      it->tracepoint);
		} else {
			ck_assert_msg(it->why[0], "%s unavailable without a why", it->tracepoint);
			ck_assert_msg(!it->progs[0], "%s unavailable but loads %s",
				      it->tracepoint, it->progs[0]);
			ck_assert_msg(!it->fallback, "%s: unavailable fallback", it->tracepoint);
		}
		if (it->fallback)
			ck_assert_msg(it->why[0], "%s: fallback without a why", it->tracepoint);
	}
}

START_TEST(tp_names)
{
	for (int i = 0; i < KW_TP_MAX; i++) {
		ck_assert_ptr_nonnull(kw_tp_names[i]);
		ck_assert_ptr_nonnull(strchr(kw_tp_names[i], ':'));
	}
	ck_assert_str_eq(kw_tp_names[KW_TP_SEND_RESET], "tcp:tcp_send_reset");
	ck_assert_str_eq(kw_tp_names[KW_TP_KFREE_SKB], "skb:kfree_skb");
	ck_assert_str_eq(kw_cg_layout_name(KW_CG_V2), "v2");
	ck_assert_str_eq(kw_cg_layout_name(KW_CG_HYBRID), "hybrid");
	ck_assert_str_eq(kw_cg_layout_name(KW_CG_V1), "v1");
	ck_assert_str_eq(kw_cg_layout_name(KW_CG_NONE), "none");
}
END_TEST

START_TEST(kernel_6_18_everything_native)
{
	kernel_6_18();
	kw_plan_make(&f, &p);
	assert_consistent();
	ck_assert_int_eq(p.n, 14);
	for (int i = 0; i < p.n; i++) {
		ck_assert_msg(p.items[i].enabled, "%s: %s", p.items[i].tracepoint, p.items[i].why);
		ck_assert_msg(!p.items[i].fallback, "%s is a fallback", p.items[i].tracepoint);
	}
	assert_prog("oom:mark_victim", "kw_mark_victim_v2");
	assert_prog("sched:sched_process_exit", "kw_sched_process_exit_v2");
	assert_prog("signal:signal_generate", "kw_signal_generate");
	assert_prog("sock:inet_sock_set_state", "kw_inet_sock_set_state");
	assert_prog("tcp:tcp_send_reset", "kw_tcp_send_reset_v3");
	assert_prog("tcp:tcp_receive_reset", "kw_tcp_receive_reset");
	assert_prog("sock:inet_sk_error_report", "kw_inet_sk_error_report");
	assert_prog("syscalls:sys_enter_bind,sys_exit_bind", "kw_sys_enter_bind");
	ck_assert_str_eq(item("syscalls:sys_enter_bind,sys_exit_bind")->progs[1],
			 "kw_sys_exit_bind");
	/* a failed connect's arguments from the task's registers */
	assert_prog("syscalls:sys_exit_connect", "kw_sys_exit_connect");
	ck_assert_ptr_null(item("syscalls:sys_exit_connect")->progs[1]);
	ck_assert(!plan_loads("kw_sys_enter_connect"));
	assert_prog("syscalls:sys_enter_listen,sys_exit_listen", "kw_sys_enter_listen");
	assert_prog("syscalls:sys_exit_accept4,sys_exit_accept", "kw_sys_exit_accept4");
	ck_assert_str_eq(item("syscalls:sys_exit_accept4,sys_exit_accept")->progs[1],
			 "kw_sys_exit_accept");
	/* resets without a socket come from tcp_send_reset itself */
	ck_assert_ptr_null(by_tp("skb:kfree_skb"));
	ck_assert(!plan_loads("kw_kfree_skb_no_socket"));
	ck_assert(!plan_loads("kw_tcp_send_reset_v2"));
	ck_assert_str_eq(item("tcp:tcp_send_reset")->event, "reset_sent");
	/* timeouts and filters: every source, the accept queue's drops too */
	assert_prog("tcp:tcp_retransmit_skb", "kw_tcp_retransmit_skb");
	assert_prog("tcp:tcp_retransmit_synack", "kw_tcp_retransmit_synack");
	assert_prog("skb:kfree_skb,icmp:icmp_send", "kw_kfree_skb_filter_v4");
	ck_assert_str_eq(item("skb:kfree_skb,icmp:icmp_send")->progs[1], "kw_icmp_send");
	ck_assert_str_eq(item("skb:kfree_skb,icmp:icmp_send")->event,
			 "syn_filtered,accept_queue_overflow");
}
END_TEST

START_TEST(kernel_6_1_kfree_skb_fallback)
{
	const struct kw_plan_item *it;

	kernel_6_1();
	kw_plan_make(&f, &p);
	assert_consistent();
	ck_assert_int_eq(p.n, 15);
	assert_prog("sched:sched_process_exit", "kw_sched_process_exit_v1");
	assert_prog("tcp:tcp_send_reset", "kw_tcp_send_reset_v2");
	ck_assert(!item("tcp:tcp_send_reset")->fallback);
	ck_assert(!plan_loads("kw_tcp_send_reset_v3"));

	it = item("skb:kfree_skb");
	ck_assert(it->enabled);
	ck_assert(it->fallback);
	ck_assert_str_eq(it->event, "reset_sent");
	ck_assert_pstr_eq(it->progs[0], "kw_kfree_skb_no_socket");
	ck_assert_msg(it->why[0], "fallback without a why");
	tu_assert_contains(it->why, "tcp_send_reset");
	/* every other item is native, but the accept queue: no drop reason
	 * for its overflow before 6.15 */
	for (int i = 0; i < p.n; i++) {
		ck_assert_msg(p.items[i].enabled, "%s: %s", p.items[i].tracepoint, p.items[i].why);
		if (&p.items[i] != it && strcmp(p.items[i].tracepoint, "oom:mark_victim") &&
		    strcmp(p.items[i].tracepoint, "tcp:tcp_retransmit_synack"))
			ck_assert(!p.items[i].fallback);
	}
	it = item("tcp:tcp_retransmit_synack");
	ck_assert(it->fallback);
	tu_assert_contains(it->why, "TCP_LISTEN_OVERFLOW");
	assert_prog("tcp:tcp_retransmit_skb", "kw_tcp_retransmit_skb");
	assert_prog("skb:kfree_skb,icmp:icmp_send", "kw_kfree_skb_filter_v3");
	ck_assert_str_eq(item("skb:kfree_skb,icmp:icmp_send")->event, "syn_filtered");
}
END_TEST

START_TEST(kfree_skb_with_more_args_still_used)
{
	kernel_6_1();
	f.tp_args[KW_TP_KFREE_SKB] = 4;	/* (skb, location, reason, rx_sk) */
	kw_plan_make(&f, &p);
	assert_consistent();
	ck_assert(plan_loads("kw_kfree_skb_no_socket"));
}
END_TEST

START_TEST(mark_victim_pid_only)
{
	const struct kw_plan_item *it;

	kernel_6_18();
	f.tp_args[KW_TP_MARK_VICTIM] = 1;
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("oom:mark_victim");
	ck_assert(it->enabled);
	ck_assert(it->fallback);
	ck_assert_pstr_eq(it->progs[0], "kw_mark_victim_v1");
	ck_assert_str_eq(it->event, "oom_kill");
	tu_assert_contains(it->why, "pid");
	ck_assert(!plan_loads("kw_mark_victim_v2"));
}
END_TEST

START_TEST(missing_tracepoints)
{
	/* each BTF tracepoint absent in turn, on the newest kernel shape */
	for (int tp = 0; tp < KW_TP_MAX; tp++) {
		const struct kw_plan_item *it;

		if (tp == KW_TP_KFREE_SKB || tp == KW_TP_ICMP_SEND)	/* see below */
			continue;
		kernel_6_18();
		f.tp_args[tp] = -1;
		kw_plan_make(&f, &p);
		assert_consistent();
		it = item(kw_tp_names[tp]);
		ck_assert_msg(!it->enabled, "%s enabled though absent", kw_tp_names[tp]);
		ck_assert(!it->fallback);
		tu_assert_contains(it->why, kw_tp_names[tp]);
		tu_assert_contains(it->why, "not in this kernel's BTF");
		/* the others are unaffected */
		for (int i = 0; i < p.n; i++)
			if (&p.items[i] != it)
				ck_assert_msg(p.items[i].enabled, "%s disabled too",
					      p.items[i].tracepoint);
	}
}
END_TEST

START_TEST(missing_kfree_skb_on_6_1)
{
	const struct kw_plan_item *it;

	kernel_6_1();
	f.tp_args[KW_TP_KFREE_SKB] = -1;
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("skb:kfree_skb");
	ck_assert(!it->enabled);
	ck_assert(!it->fallback);
	ck_assert(it->why[0]);
	ck_assert(item("tcp:tcp_send_reset")->enabled);
}
END_TEST

START_TEST(unknown_signatures)
{
	static const struct {
		enum kw_tp tp;
		int args;
	} odd[] = {
		{ KW_TP_MARK_VICTIM, 3 }, { KW_TP_PROCESS_EXIT, 0 },
		{ KW_TP_SIGNAL_GENERATE, 4 }, { KW_TP_SET_STATE, 2 },
		{ KW_TP_SEND_RESET, 1 }, { KW_TP_SEND_RESET, 4 },
		{ KW_TP_RECV_RESET, 2 }, { KW_TP_ERROR_REPORT, 0 },
	};

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const struct kw_plan_item *it;
		char want[32];

		kernel_6_18();
		f.tp_args[odd[i].tp] = odd[i].args;
		kw_plan_make(&f, &p);
		assert_consistent();
		it = item(kw_tp_names[odd[i].tp]);
		ck_assert_msg(!it->enabled, "%s with %d args enabled", kw_tp_names[odd[i].tp],
			      odd[i].args);
		tu_assert_contains(it->why, "unknown signature");
		snprintf(want, sizeof(want), "(%d arguments)", odd[i].args);
		tu_assert_contains(it->why, want);
		ck_assert_ptr_null(by_tp("skb:kfree_skb"));
	}
}
END_TEST

static void kernel_without_btf(void)
{
	base();
	f.btf = false;
	snprintf(f.btf_error, sizeof(f.btf_error), "cannot read /sys/kernel/btf/vmlinux (No "
		 "such file or directory); kwhy needs a kernel built with CONFIG_DEBUG_INFO_BTF");
	/* what probe_btf() leaves without BTF */
	for (int i = 0; i < KW_TP_MAX; i++)
		f.tp_args[i] = -1;
}

START_TEST(no_btf_tracepoints_unavailable)
{
	kernel_without_btf();
	kw_plan_make(&f, &p);
	assert_consistent();
	for (int i = 0; i < p.n; i++) {
		const struct kw_plan_item *it = &p.items[i];

		if (!strncmp(it->tracepoint, "syscalls:", 9))
			continue;	/* see no_btf_bind_unavailable */
		ck_assert_msg(!it->enabled, "%s enabled without BTF", it->tracepoint);
		tu_assert_contains(it->why, "no kernel BTF");
		tu_assert_contains(it->why, "CONFIG_DEBUG_INFO_BTF");
	}
}
END_TEST

/* the bind programs use CO-RE reads too: without BTF nothing can load */
START_TEST(no_btf_bind_unavailable)
{
	const struct kw_plan_item *it;

	kernel_without_btf();
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("syscalls:sys_enter_bind,sys_exit_bind");
	ck_assert_msg(!it->enabled, "bind planned as '%s' on a kernel without BTF", it->variant);
	tu_assert_contains(it->why, "BTF");
}
END_TEST

START_TEST(no_tracefs)
{
	const struct kw_plan_item *it;

	kernel_6_18();
	f.tracefs[0] = '\0';
	f.bind_tp = false;
	snprintf(f.tracefs_error, sizeof(f.tracefs_error),
		 "mount -t tracefs nodev /sys/kernel/tracing: Operation not permitted");
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("syscalls:sys_enter_bind,sys_exit_bind");
	ck_assert(!it->enabled);
	ck_assert_str_eq(it->event, "bind");
	tu_assert_contains(it->why, "tracefs is not mounted");
	tu_assert_contains(it->why, "Operation not permitted");
	tu_assert_contains(it->why, "mount -t tracefs nodev /sys/kernel/tracing");
	/* the BTF-based events do not need tracefs */
	ck_assert(item("tcp:tcp_send_reset")->enabled);
	ck_assert(item("oom:mark_victim")->enabled);

	f.tracefs_error[0] = '\0';	/* mounting was not tried */
	kw_plan_make(&f, &p);
	it = item("syscalls:sys_enter_bind,sys_exit_bind");
	ck_assert(!it->enabled);
	tu_assert_contains(it->why, "not tried");
	tu_assert_contains(it->why, "mount -t tracefs nodev /sys/kernel/tracing");
}
END_TEST

/* before bpf_task_pt_regs (5.15): connect's entry keeps its arguments for
 * the exit */
START_TEST(connect_args_without_task_pt_regs)
{
	const struct kw_plan_item *it;

	kernel_6_1();
	f.task_pt_regs = false;
	kw_plan_make(&f, &p);
	assert_consistent();
	ck_assert_ptr_null(by_tp("syscalls:sys_exit_connect"));
	it = item("syscalls:sys_enter_connect,sys_exit_connect");
	ck_assert(it->enabled);
	ck_assert(!it->fallback);
	ck_assert_pstr_eq(it->progs[0], "kw_sys_enter_connect");
	ck_assert_pstr_eq(it->progs[1], "kw_sys_exit_connect");
	ck_assert_str_eq(it->event, "unix_connect_failed,connect_no_port");
}
END_TEST

/* a kernel whose tracefs lacks the connect/listen/accept syscall events:
 * those items say so, bind stays */
START_TEST(no_connect_listen_accept_tracepoints)
{
	static const char *const tps[] = { "syscalls:sys_enter_connect,sys_exit_connect",
					   "syscalls:sys_enter_listen,sys_exit_listen",
					   "syscalls:sys_exit_accept4,sys_exit_accept" };

	kernel_6_1();
	f.connect_tp = f.listen_tp = f.accept_tp = false;
	kw_plan_make(&f, &p);
	assert_consistent();
	for (int i = 0; i < 3; i++) {
		const struct kw_plan_item *it = item(tps[i]);

		ck_assert_msg(!it->enabled, "%s enabled though absent", tps[i]);
		tu_assert_contains(it->why, "CONFIG_FTRACE_SYSCALLS");
	}
	ck_assert_str_eq(item(tps[0])->event, "unix_connect_failed,connect_no_port");
	ck_assert(item("syscalls:sys_enter_bind,sys_exit_bind")->enabled);
	ck_assert(!plan_loads("kw_sys_exit_connect"));
	ck_assert(!plan_loads("kw_sys_exit_accept"));
}
END_TEST

START_TEST(no_bind_tracepoints)
{
	const struct kw_plan_item *it;

	kernel_6_18();
	snprintf(f.tracefs, sizeof(f.tracefs), "/sys/kernel/debug/tracing");
	f.bind_tp = false;
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("syscalls:sys_enter_bind,sys_exit_bind");
	ck_assert(!it->enabled);
	tu_assert_contains(it->why, "/sys/kernel/debug/tracing/events");
	tu_assert_contains(it->why, "CONFIG_FTRACE_SYSCALLS");
}
END_TEST

START_TEST(send_reset_2_kfree_skb_without_reason)
{
	const struct kw_plan_item *it;

	kernel_6_1();
	f.tp_args[KW_TP_KFREE_SKB] = 2;	/* (skb, location): no drop reason */
	kw_plan_make(&f, &p);
	assert_consistent();
	assert_prog("tcp:tcp_send_reset", "kw_tcp_send_reset_v2");
	it = item("skb:kfree_skb");
	ck_assert(!it->enabled);
	ck_assert(!it->fallback);
	ck_assert_str_eq(it->event, "reset_sent");
	tu_assert_contains(it->why, "no socket");
	tu_assert_contains(it->why, "not visible");
	ck_assert(!plan_loads("kw_kfree_skb_no_socket"));
}
END_TEST

START_TEST(pure_function)
{
	struct kw_plan p2;

	kernel_6_1();
	kw_plan_make(&f, &p);
	memset(&p2, 0xff, sizeof(p2));
	kw_plan_make(&f, &p2);
	ck_assert_int_eq(memcmp(&p, &p2, sizeof(p)), 0);
}
END_TEST

/* every arity of every tracepoint, on both shapes: the plan stays sane */
START_TEST(arity_sweep_consistent)
{
	for (int shape = 0; shape < 2; shape++) {
		for (int tp = 0; tp < KW_TP_MAX; tp++) {
			for (int n = -1; n <= 6; n++) {
				if (shape)
					kernel_6_1();
				else
					kernel_6_18();
				f.tp_args[tp] = n;
				kw_plan_make(&f, &p);
				assert_consistent();
			}
		}
	}
}
END_TEST

/* without icmp_send, an ICMP reject is told from the client only: the
 * filter's item is a fallback that says so */
START_TEST(no_icmp_send)
{
	const struct kw_plan_item *it;

	kernel_6_18();
	f.tp_args[KW_TP_ICMP_SEND] = -1;
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("skb:kfree_skb");
	ck_assert(it->enabled);
	ck_assert(it->fallback);
	ck_assert_ptr_null(it->progs[1]);
	tu_assert_contains(it->why, "icmp_send");
	ck_assert(!plan_loads("kw_icmp_send"));
}
END_TEST

/* no NETFILTER_DROP (nor TCP_LISTEN_OVERFLOW): nothing to filter kfree_skb
 * by; the accept queue is a fallback then */
START_TEST(no_drop_reasons)
{
	const struct kw_plan_item *it;

	kernel_6_18();
	f.drop_netfilter = f.drop_listen_overflow = false;
	kw_plan_make(&f, &p);
	assert_consistent();
	it = item("skb:kfree_skb,icmp:icmp_send");
	ck_assert(!it->enabled);
	tu_assert_contains(it->why, "NETFILTER_DROP");
	ck_assert(!plan_loads("kw_kfree_skb_filter_v4"));
	ck_assert(!plan_loads("kw_kfree_skb_filter_v3"));
	ck_assert(item("tcp:tcp_retransmit_synack")->fallback);
}
END_TEST

/* the SYN retransmit counter reads (sk, skb): both forms are fine */
START_TEST(retransmit_skb_forms)
{
	for (int n = 1; n <= 4; n++) {
		kernel_6_18();
		f.tp_args[KW_TP_RETRANSMIT_SKB] = n;
		kw_plan_make(&f, &p);
		assert_consistent();
		ck_assert_int_eq(item("tcp:tcp_retransmit_skb")->enabled, n == 2 || n == 3);
	}
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *t = tcase_create("shapes");

	tcase_add_test(t, tp_names);
	tcase_add_test(t, kernel_6_18_everything_native);
	tcase_add_test(t, kernel_6_1_kfree_skb_fallback);
	tcase_add_test(t, kfree_skb_with_more_args_still_used);
	tcase_add_test(t, mark_victim_pid_only);
	tcase_add_test(t, missing_tracepoints);
	tcase_add_test(t, missing_kfree_skb_on_6_1);
	tcase_add_test(t, unknown_signatures);
	tcase_add_test(t, no_btf_tracepoints_unavailable);
	tcase_add_test(t, no_btf_bind_unavailable);
	tcase_add_test(t, no_tracefs);
	tcase_add_test(t, no_bind_tracepoints);
	tcase_add_test(t, no_connect_listen_accept_tracepoints);
	tcase_add_test(t, connect_args_without_task_pt_regs);
	tcase_add_test(t, send_reset_2_kfree_skb_without_reason);
	tcase_add_test(t, pure_function);
	tcase_add_test(t, arity_sweep_consistent);
	tcase_add_test(t, no_icmp_send);
	tcase_add_test(t, no_drop_reasons);
	tcase_add_test(t, retransmit_skb_forms);
	suite_add_tcase(s, t);
	return s;
}
