/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The target of `--container` and `--pid`, resolved once at start from
 * this host into what the kernel filters on (struct kw_target, core/target.h):
 * the cgroups of the container the one --container rule names, walked in
 * the cgroup mounts with names from runtime metadata, and the network
 * namespaces of the processes in them.
 */
#ifndef KWHY_TARGET_H
#define KWHY_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/target.h"

/* What the user asked for, and where this host keeps what answers it. */
struct kw_target_spec {
	const char *container;		/* --container, NULL for none */
	uint32_t pid;			/* --pid, 0 for none */
	const char *host_root;		/* --host-root: runtime metadata; NULL "/" */
	const char *proc_root;		/* NULL: KW_PROC_ROOT */
	const char *cg2_mount;		/* the cgroup2 mount, NULL or "" when none */
	const char *memcg_v1_mount;	/* the v1 memory mount, NULL or "" when none */
};

/* Returns 0 (t->on false when no target was asked for), or -1 with a
 * message saying what was looked for and where. */
int kw_target_resolve(struct kw_target *t, const struct kw_target_spec *spec, char *err,
		      size_t errlen);

/* Collect again what is below the target's cgroups: cgroups made since,
 * and the network namespaces of processes that joined (added, never
 * removed). */
void kw_target_refresh(struct kw_target *t, const char *proc_root);

/* True once, the first time the target is seen gone: its cgroup removed
 * or replaced by a new one of the same path (a restart), or its process
 * exited, in KW_PROC_ROOT. */
bool kw_target_check_gone(struct kw_target *t);

/*
 * For a gone target that follows its name or path (kw_target_follows):
 * resolve it again, as at start; true with next filled (the --pid kept
 * from t) when a container answers to it again.  A full resolution walks
 * the cgroup mounts: the caller bounds how often.
 */
bool kw_target_find_again(const struct kw_target *t, const struct kw_target_spec *sp,
			  struct kw_target *next);

#endif
