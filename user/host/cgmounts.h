/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the cgroup hierarchies are mounted, from /proc/self/mountinfo:
 * the cgroup2 mounts, the v1 mounts of the memory controller, and whether
 * any v1 hierarchy carries a controller (a v1 or hybrid host).  The probe
 * reports the first of each; the snapshot maps /proc/PID/cgroup paths to
 * directories through all of them.
 */
#ifndef KWHY_CGMOUNTS_H
#define KWHY_CGMOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include "host/procparse.h"

#define KW_CG_MOUNTS_MAX 8		/* mounts kept of each kind */
#define KW_CG_V1_MAX 16			/* other v1 mounts kept */
#define KW_MOUNTINFO_LINES_MAX 100000	/* lines read of mountinfo */

struct kw_cgroup_mounts {
	struct kw_mountinfo cg2[KW_CG_MOUNTS_MAX];	/* in mountinfo order */
	struct kw_mountinfo mem[KW_CG_MOUNTS_MAX];	/* v1, "memory" among the options */
	/* the mount points of the other v1 hierarchies ("" when too long) */
	char v1_mnt[KW_CG_V1_MAX][256];
	int nr_cg2, nr_mem, nr_v1;
	bool v1_controllers;	/* a v1 mount with a controller, not just name=... */
};

/*
 * Read self/mountinfo below a /proc fd (kw_proc_open_root) into m, which
 * is cleared first.  Over-long lines are skipped.  0 or -errno when the
 * file cannot be opened.
 */
int kw_cgroup_mounts_read(int proc_fd, struct kw_cgroup_mounts *m);
/* The same from a /proc root path (NULL: KW_PROC_ROOT). */
int kw_cgroup_mounts_load(const char *proc_root, struct kw_cgroup_mounts *m);

/* The pure part: account one mountinfo entry into m. */
void kw_cgroup_mounts_add(struct kw_cgroup_mounts *m, const struct kw_mountinfo *mi);

/*
 * The directory of cgroup path (as /proc/PID/cgroup prints it) under mount
 * m: 0, -ENOENT when the mount does not show that part of the hierarchy
 * (its root is elsewhere), -ENAMETOOLONG.
 */
int kw_cgroup_mount_dir(const struct kw_mountinfo *m, const char *path, char *out, size_t n);

#endif
