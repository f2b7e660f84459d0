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
	f.bind_tp = true;
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
	f.rst_reason_enum = true;
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
	ck_assert_int_eq(p.n, 8);
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
	/* resets without a socket come from tcp_send_reset itself */
	ck_assert_ptr_null(by_tp("skb:kfree_skb"));
	ck_assert(!plan_loads("kw_kfree_skb_no_socket"));
	ck_assert(!plan_loads("kw_tcp_send_reset_v2"));
	ck_assert_str_eq(item("tcp:tcp_send_reset")->event, "reset_sent");
}
END_TEST

START_TEST(kernel_6_1_kfree_skb_fallback)
{
	const struct kw_plan_item *it;

	kernel_6_1();
	kw_plan_make(&f, &p);
	assert_consistent();
	ck_assert_int_eq(p.n, 9);
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
	/* every other item is native */
	for (int i = 0; i < p.n; i++) {
		ck_assert_msg(p.items[i].enabled, "%s: %s", p.items[i].tracepoint, p.items[i].why);
		if (&p.items[i] != it && strcmp(p.items[i].tracepoint, "oom:mark_victim"))
			ck_assert(!p.items[i].fallback);
	}
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

		if (tp == KW_TP_KFREE_SKB)	/* not used there, see below */
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
	tcase_add_test(t, send_reset_2_kfree_skb_without_reason);
	tcase_add_test(t, pure_function);
	tcase_add_test(t, arity_sweep_consistent);
	suite_add_tcase(s, t);
	return s;
}
