/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The target of `--container NAME|ID|ID-PREFIX|PID|CGROUP-PATH` and
 * `--pid PID`, as the filters see it: cgroup ids (the container's cgroup
 * and every cgroup below it, in the v2 and the v1 memory hierarchy), the
 * network namespaces its processes are in (for events that have no
 * process), and pids.  Pure: live watching fills it from the host
 * (host/target.h), replay and export from a trace's records (the scan
 * below); both use the one --container rule here, so the same string
 * names the same container live and offline.
 */
#ifndef KWHY_CORE_TARGET_H
#define KWHY_CORE_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"

#define KW_TARGET_MAX_CG 1024
#define KW_TARGET_MAX_NETNS 64
#define KW_TARGET_MAX_PIDS 1024

struct kw_target {
	bool on;
	char desc[300];			/* for messages and the ready record */
	char cg2_dir[512];		/* live: absolute, "" when none */
	char memcg_dir[512];
	/* live: the cgroup id of cg2_dir (else memcg_dir) when resolved: a
	 * container restarted in a directory of the same path has a new one */
	uint64_t dir_cgroup_id;
	char id[72];			/* the container's id, "" when not one */
	uint64_t cg2[KW_TARGET_MAX_CG];
	uint32_t n_cg2;
	uint64_t memcg[KW_TARGET_MAX_CG];
	uint32_t n_memcg;
	/* the target's network namespaces: the inode for display and for
	 * traces without cookies, the cookie (0 unknown) for identity, since
	 * the kernel reuses an inode number as soon as its namespace is gone */
	uint32_t netns[KW_TARGET_MAX_NETNS];
	uint64_t netns_cookie[KW_TARGET_MAX_NETNS];
	uint32_t n_netns;
	uint32_t tgids[KW_TARGET_MAX_PIDS];
	uint32_t n_tgids;
	bool gone;			/* reported gone already */
};

/* ---- the --container rule ---- */

/*
 * What a --container string names, by its form alone:
 *   KW_WANT_PID   all digits: the container (else the cgroup) of that process
 *   KW_WANT_PATH  "/...": that cgroup and everything below it
 *   KW_WANT_NAME  anything else: a container by name, id, id prefix or pod
 */
enum kw_want_kind { KW_WANT_NAME, KW_WANT_PID, KW_WANT_PATH };

enum kw_want_kind kw_target_want_kind(const char *want);

/*
 * KW_WANT_NAME: a container (never the host) whose name, id or Kubernetes
 * pod is want, or whose id starts with want when want has 4 characters or
 * more (ids only: systemd unit names are not prefixes).
 */
bool kw_target_names_match(const char *want, enum kw_runtime rt, const char *id,
			   const char *name, const char *pod);

/* KW_WANT_PATH: path is the cgroup want or below it ("/a" holds "/a/b", not "/ab"). */
bool kw_target_path_match(const char *want, const char *path);

/*
 * A KW_WANT_PATH string given as an absolute cgroupfs path: when want is
 * a mount point of mounts[] or below one (the longest that holds it), the
 * path relative to that hierarchy (mount "/m", want "/m/docker/x" ->
 * "/docker/x", the mount itself -> "/") goes into out and 1 is returned;
 * 0 when want is under none of them (it is then relative already), -1
 * when the result does not fit.
 */
int kw_target_mount_rel(const char *want, const char *const *mounts, size_t n_mounts,
			char *out, size_t len);

/*
 * A target that follows what it names: a name, id or cgroup path can
 * name a container again after it went away (a restart, or a new
 * container with the same name); a pid never comes back.
 */
bool kw_target_follows(const char *want);

/*
 * A cgroup record (a resolved KW_EV_CGROUP, live or recorded) that a
 * KW_WANT_NAME or KW_WANT_PATH string names.  KW_WANT_PID needs the
 * process's cgroup first: kw_target_same_container.
 */
bool kw_target_record_matches(const char *want, const struct kw_ev_cgroup *c);

/*
 * For KW_WANT_PID: c belongs with the process's own cgroup record own (the
 * same hierarchy): the same container when own is in one, else own's cgroup
 * or below it.  The same as lifting the process's cgroup to its container's
 * own cgroup and taking everything below.
 */
bool kw_target_same_container(const struct kw_ev_cgroup *own, const struct kw_ev_cgroup *c);

/* ---- building a target ---- */

/* Add a cgroup id (v1_memory: of the v1 memory hierarchy), a network
 * namespace, once each, up to the bounds. */
void kw_target_add_cgroup(struct kw_target *t, uint64_t id, bool v1_memory);
void kw_target_add_netns(struct kw_target *t, uint32_t ino, uint64_t cookie);
/* Is the namespace (ino, cookie) the target's?  By cookie when both sides
 * know it, else by inode. */
bool kw_target_has_netns(const struct kw_target *t, uint32_t ino, uint64_t cookie);
/* Is the cgroup id (v1_memory: of the v1 memory hierarchy) the target's? */
bool kw_target_has_cgroup(const struct kw_target *t, uint64_t id, bool v1_memory);
/* True when a task is in the target: its pid, its cgroup or its memory cgroup. */
bool kw_target_has_task(const struct kw_target *t, const struct kw_task *k);

/* ---- the filters ---- */

/* Userspace side of the filter, for events the kernel did not filter
 * (the start-up snapshot): same rules as the BPF programs. */
bool kw_target_wants(const struct kw_target *t, uint16_t port, const struct kw_event *ev);
/* The same for any event type, for replay: the other tasks an event
 * names (an OOM victim, a signal's target, a listener's closer) and the
 * ports of connections count too; enrichment records always pass. */
bool kw_target_wants_any(const struct kw_target *t, uint16_t port, const struct kw_event *ev);

/* ---- the target from a trace (replay, export) ---- */

/*
 * Events go through kw_target_scan_event once per pass, every pass over
 * the whole trace in order, until kw_target_scan_next says no more are
 * needed.  The passes: (for a pid: its cgroups from its tasks, then their
 * records), the cgroup records the rule names, then the network
 * namespaces their processes were seen in.
 */
struct kw_target_scan {
	const char *want;		/* --container, NULL for none */
	enum kw_want_kind kind;
	uint32_t want_pid;		/* KW_WANT_PID */
	int pass;
	int passes;
	uint64_t pid_cg[2];		/* [v1_memory]: the pid's cgroup ids, 0 unknown */
	bool have_own[2];
	struct kw_ev_cgroup own[2];	/* [v1_memory]: their records */
};

/* t is cleared; on when want or pid is given (pid 0: no --pid). */
void kw_target_scan_init(struct kw_target_scan *sc, struct kw_target *t, const char *want,
			 uint32_t pid);
void kw_target_scan_event(struct kw_target_scan *sc, struct kw_target *t,
			  const struct kw_event *ev);
/* After a pass: true when another is needed. */
bool kw_target_scan_next(struct kw_target_scan *sc);
/* After the last pass: false when --container named nothing in the trace. */
bool kw_target_scan_found(const struct kw_target_scan *sc, const struct kw_target *t);

#endif
