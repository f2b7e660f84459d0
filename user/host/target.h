/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The target of `--container NAME|ID|ID-PREFIX|PID|CGROUP-PATH` or
 * `--pid PID`: resolved once at start into what the kernel filters on —
 * cgroup ids (the container's cgroup and every cgroup below it, in the v2
 * and the v1 memory hierarchy), the network namespaces its processes are
 * in (for events that have no process), and pids.
 */
#ifndef KWHY_TARGET_H
#define KWHY_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "cmd/opts.h"
#include "kernel/probe.h"

#define KW_TARGET_MAX_CG 1024
#define KW_TARGET_MAX_NETNS 64
#define KW_TARGET_MAX_PIDS 1024

struct kw_target {
	bool on;
	char desc[300];			/* for messages and the ready record */
	char cg2_dir[512];		/* absolute, "" when none */
	char memcg_dir[512];
	uint64_t cg2[KW_TARGET_MAX_CG];
	uint32_t n_cg2;
	uint64_t memcg[KW_TARGET_MAX_CG];
	uint32_t n_memcg;
	uint32_t netns[KW_TARGET_MAX_NETNS];
	uint32_t n_netns;
	uint32_t tgids[KW_TARGET_MAX_PIDS];
	uint32_t n_tgids;
	bool gone;			/* reported gone already */
};

/* Returns 0 (t->on false when no target was asked for), or -1 with a
 * message saying what was looked for and where. */
int kw_target_resolve(struct kw_target *t, const struct kw_opts *o, const struct kw_features *f,
		      char *err, size_t errlen);

/* True once, the first time the target is seen gone (its cgroup removed,
 * or its process exited). */
bool kw_target_check_gone(struct kw_target *t);

/* Userspace side of the filter, for events the kernel did not filter
 * (the start-up snapshot): same rules as the BPF programs. */
bool kw_target_wants(const struct kw_target *t, uint16_t port, const struct kw_event *ev);
/* The same for any event type, for replay: the other tasks an event
 * names (an OOM victim, a signal's target, a listener's closer) and the
 * ports of connections count too; enrichment records always pass. */
bool kw_target_wants_any(const struct kw_target *t, uint16_t port, const struct kw_event *ev);

#endif
