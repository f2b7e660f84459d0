// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * oom:mark_victim — who the OOM killer chose, and which memory cgroup's
 * limit made it.
 *
 * The tracepoint runs in the context of the task that invoked the OOM
 * killer (an allocating task, a writer of memory.max), not the victim's:
 * the victim's identity is read from the victim task.  No tracepoint
 * carries the OOM's memcg (oom_control is on the invoker's stack), so it is
 * recovered by walking from the victim's memory cgroup up its ancestors:
 * the first one whose usage is at its limit is the one whose limit fired;
 * none at its limit means the host ran out (../shared/docs/kernel-interfaces.md §3.1).
 */
#include "kwhy.bpf.h"

/* Up to 6.1 mm->rss_stat is a struct of atomic counters; since 6.2 an
 * array of percpu_counter (whose .count is the value the kernel's own
 * get_mm_counter() reports). */
struct mm_rss_stat___kw {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___kw_old {
	struct mm_rss_stat___kw rss_stat;
} __attribute__((preserve_access_index));

/* enum mm counter indexes, stable since 4.x */
#define KW_MM_FILEPAGES	 0
#define KW_MM_ANONPAGES	 1
#define KW_MM_SHMEMPAGES 3

/* A memcg is "at its limit" within this many pages: a failed charge leaves
 * usage below the limit by at most one charge batch (64 pages) or one huge
 * page (512). */
#define KW_OOM_MARGIN_PAGES 1024
/* page_counter max beyond this is "no limit" (PAGE_COUNTER_MAX is
 * LONG_MAX / PAGE_SIZE) */
#define KW_UNLIMITED_PAGES (1UL << 50)

static __always_inline __u64 rss_pages(struct mm_struct *mm, int idx)
{
	long v = 0;

	if (bpf_core_type_exists(struct mm_rss_stat___kw)) {
		struct mm_struct___kw_old *old = (void *)mm;

		bpf_core_read(&v, sizeof(v), &old->rss_stat.count[idx].counter);
	} else {
		bpf_core_read(&v, sizeof(v), &mm->rss_stat[idx].count);
	}
	return v > 0 ? v : 0;
}

static __always_inline void fill_memory(struct kw_ev_oom *e, struct task_struct *victim)
{
	__u64 kb_per_page = kw_page_size / 1024;
	struct mm_struct *mm = BPF_CORE_READ(victim, mm);

	if (!mm)
		return;
	e->total_vm_kb = BPF_CORE_READ(mm, total_vm) * kb_per_page;
	e->anon_rss_kb = rss_pages(mm, KW_MM_ANONPAGES) * kb_per_page;
	e->file_rss_kb = rss_pages(mm, KW_MM_FILEPAGES) * kb_per_page;
	e->shmem_rss_kb = rss_pages(mm, KW_MM_SHMEMPAGES) * kb_per_page;
	e->pgtables_kb = (__u64)BPF_CORE_READ(mm, pgtables_bytes.counter) >> 10;
}

/* Walk the victim's memory cgroup and its ancestors. */
static __always_inline void fill_memcg_levels(struct kw_ev_oom *e, struct task_struct *victim)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cgroups = BPF_CORE_READ(victim, cgroups);
	int idx;

	e->limit_level = KW_OOM_GLOBAL;
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return;
	idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (idx < 0 || idx >= CGROUP_SUBSYS_COUNT)
		return;
	bpf_core_read(&css, sizeof(css), &cgroups->subsys[idx]);
	if (css)
		e->memcg_v1 = BPF_CORE_READ(css, cgroup, root, hierarchy_id) != 0;

	for (int i = 0; i < KW_OOM_MAX_LEVELS; i++) {
		/* css is the first member of struct mem_cgroup */
		struct mem_cgroup *memcg = (struct mem_cgroup *)css;
		struct kw_oom_level *lv = &e->levels[i];
		__u64 usage, max;

		if (!css)
			break;
		usage = BPF_CORE_READ(memcg, memory.usage.counter);
		max = BPF_CORE_READ(memcg, memory.max);
		lv->cgroup_id = BPF_CORE_READ(css, cgroup, kn, id);
		lv->usage_bytes = usage * kw_page_size;
		lv->limit_bytes = max >= KW_UNLIMITED_PAGES ? ~0ULL : max * kw_page_size;
		if (e->limit_level == KW_OOM_GLOBAL && max < KW_UNLIMITED_PAGES &&
		    usage + KW_OOM_MARGIN_PAGES >= max)
			e->limit_level = i;
		e->nr_levels = i + 1;
		css = BPF_CORE_READ(css, parent);
	}
}

static __always_inline void on_victim(struct task_struct *victim, __u32 pid, __u32 uid,
				      __u8 src)
{
	struct kw_ev_oom *e;

	/* a victim not known by its task cannot be filtered: kept */
	if (victim && !kw_task_targeted(victim)) {
		kw_count(KW_CNT_FILTERED, KW_EV_OOM_KILL);
		return;
	}
	e = kw_reserve(&kw_rb_rare, sizeof(*e), KW_EV_OOM_KILL);
	if (!e)
		return;
	kw_hdr_from_current(&e->hdr);	/* the invoker */
	e->victim_src = src;
	e->limit_level = KW_OOM_GLOBAL;
	if (victim) {
		kw_fill_task(&e->victim, victim);
		if (src == KW_VICTIM_ARG)
			e->victim.uid = uid;
		e->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);
		fill_memory(e, victim);
		fill_memcg_levels(e, victim);
	} else {
		e->victim.pid = e->victim.tgid = pid;
	}
	kw_submit_rare_now(e);	/* its memory cgroup is read at once */
}

/* 6.9+ and stable backports: (task, uid) */
SEC("?tp_btf/mark_victim")
int BPF_PROG(kw_mark_victim_v2, struct task_struct *task, __u32 uid)
{
	on_victim(task, BPF_CORE_READ(task, pid), uid, KW_VICTIM_ARG);
	return 0;
}

/* 4.13–6.8: (pid).  The victim task is the target of the SIGKILL the OOM
 * killer generated just before, on this CPU. */
SEC("?tp_btf/mark_victim")
int BPF_PROG(kw_mark_victim_v1, int pid)
{
	struct task_struct *victim = NULL;
	struct kw_last_kill *lk;
	__u32 zero = 0;

	lk = bpf_map_lookup_elem(&kw_last_kill, &zero);
	if (lk && lk->task && bpf_ktime_get_boot_ns() - lk->ts_ns < 10000000ULL) {
		struct task_struct *t = (struct task_struct *)lk->task;

		if (BPF_CORE_READ(t, pid) == (__u32)pid)
			victim = t;
	}
	if (victim)
		on_victim(victim, pid, BPF_CORE_READ(victim, cred, uid.val), KW_VICTIM_SIGKILL);
	else
		on_victim(NULL, pid, 0, KW_VICTIM_PID_ONLY);
	return 0;
}
