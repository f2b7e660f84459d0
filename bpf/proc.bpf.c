// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process deaths and who caused them: sched:sched_process_exit (1- and
 * 2-argument variants) and signal:signal_generate for SIGKILL/SIGTERM;
 * sched:sched_process_fork marks a listener's opener that forked.
 *
 * Exits are frequent; only those worth explaining are sent: a process
 * that opened a listening socket, one that closed a listener shortly before
 * (a graceful shutdown, then exit(3)), or one killed by a signal.  The rest
 * are counted.  Both tracepoints run in process context: the exiting task, and
 * the signal's sender.
 */
#include "kwhy.bpf.h"

static __always_inline void on_exit(struct task_struct *task, bool group_dead)
{
	__u32 tgid = BPF_CORE_READ(task, tgid), code, why = 0, *nlisten;
	struct kw_ev_exit *e;
	__u8 *forked = NULL;

	if (!group_dead)	/* a thread; the process lives on */
		return;
	code = kw_exit_status(task);
	nlisten = bpf_map_lookup_elem(&kw_listener_procs, &tgid);
	if (nlisten && *nlisten > 0) {	/* still holds one it opened */
		why |= KW_EXIT_LISTENER;
		forked = bpf_map_lookup_elem(&kw_listener_forked, &tgid);
	}
	if (kw_take_recent_proc(&kw_listener_closers, tgid))
		why |= KW_EXIT_CLOSED_LISTENER;
	if (kw_take_recent_proc(&kw_refused_procs, tgid))
		why |= KW_EXIT_AFTER_REFUSAL;
	if (code & 0x7f)
		why |= KW_EXIT_SIGNALED;
	if (kw_filter_on) {	/* every exit of the target, nothing else */
		if (kw_task_targeted(task))
			why |= KW_EXIT_TARGET;
		else
			why = 0;
	}
	if (!why) {
		kw_count(KW_CNT_FILTERED, KW_EV_PROC_EXIT);
		return;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_PROC_EXIT);
	if (e) {
		kw_fill_task(&e->hdr.task, task);
		e->hdr.cgroup_id = e->hdr.task.cgroup_id;
		e->hdr.flags |= KW_F_TASK | KW_F_CGROUP;
		kw_hdr_set_net(&e->hdr, BPF_CORE_READ(task, nsproxy, net_ns));
		e->exit_code = code;
		e->why = why;
		e->nr_listeners = nlisten ? *nlisten : 0;
		e->group_dead = 1;
		e->listeners_forked = forked ? 1 : 0;
		e->maxrss_kb = BPF_CORE_READ(task, signal, maxrss) * (kw_page_size / 1024);
		/* its children's holding of the listeners is read at once */
		if (forked)
			kw_submit_rare_now(e);
		else
			kw_submit_lazy(e);
	}
	if (nlisten)
		bpf_map_delete_elem(&kw_listener_procs, &tgid);
	if (forked)
		bpf_map_delete_elem(&kw_listener_forked, &tgid);
}

/* A process with open listeners forks: its child inherits them (a
 * thread shares them and is no other holder).  Most forks find nothing. */
SEC("?tp_btf/sched_process_fork")
int BPF_PROG(kw_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = parent->tgid, *n;
	__u8 one = 1;

	if (child->tgid == tgid)
		return 0;
	n = bpf_map_lookup_elem(&kw_listener_procs, &tgid);
	if (n && *n > 0 && !bpf_map_lookup_elem(&kw_listener_forked, &tgid))
		bpf_map_update_elem(&kw_listener_forked, &tgid, &one, BPF_ANY);
	return 0;
}

/* 6.16+: (task, group_dead) */
SEC("?tp_btf/sched_process_exit")
int BPF_PROG(kw_sched_process_exit_v2, struct task_struct *task, bool group_dead)
{
	on_exit(task, group_dead);
	return 0;
}

/* up to 6.15: (task); signal->live has already dropped to 0 when this is
 * the group's last thread */
SEC("?tp_btf/sched_process_exit")
int BPF_PROG(kw_sched_process_exit_v1, struct task_struct *task)
{
	on_exit(task, BPF_CORE_READ(task, signal, live.counter) == 0);
	return 0;
}

SEC("?tp_btf/signal_generate")
int BPF_PROG(kw_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct task_struct *cur = kw_current();
	struct kw_ev_signal *e;
	__u32 zero = 0, tgid;
	int si_code = 0;

	if (sig != SIGKILL && sig != SIGTERM)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	if (sig == SIGKILL) {
		struct kw_last_kill *lk = bpf_map_lookup_elem(&kw_last_kill, &zero);

		if (lk) {
			lk->task = (__u64)task;
			lk->ts_ns = bpf_ktime_get_boot_ns();
			lk->tgid = tgid;
		}
	}
	if (tgid == BPF_CORE_READ(cur, tgid))	/* a process signalling itself */
		return 0;
	if (!kw_task_targeted(cur) && !kw_task_targeted(task)) {
		kw_count(KW_CNT_FILTERED, KW_EV_SIGNAL);
		return 0;
	}

	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_SIGNAL);
	if (!e)
		return 0;
	kw_hdr_from_current(&e->hdr);
	kw_fill_task(&e->target, task);
	e->sig = sig;
	e->result = result;
	e->group = group;
	/* SEND_SIG_PRIV is ((struct kernel_siginfo *)1): the kernel itself,
	 * e.g. the OOM killer */
	if ((unsigned long)info > 1)
		si_code = BPF_CORE_READ(info, si_code);
	e->from_kernel = (unsigned long)info == 1 || si_code == SI_KERNEL;
	kw_submit_lazy(e);
	return 0;
}
