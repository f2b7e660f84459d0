/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `kwhy doctor` says of a container runtime on this host (found by
 * host/runtimes.c), and the pure part of finding its cgroup driver and
 * layout: from the cgroup path of one of its containers.
 */
#ifndef KWHY_CORE_RUNTIMES_H
#define KWHY_CORE_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>
#include "kwhy/events.h"

#define KW_RUNTIMES_N 4		/* Docker, containerd, CRI-O, podman */

struct kw_runtime_found {
	enum kw_runtime runtime;
	bool found;
	char evidence[256];	/* the first path that says it is here */
	char driver[16];	/* "cgroupfs", "systemd", "" when no container runs */
	char layout[200];	/* a container's cgroup, its id as "<id>" */
	bool names;		/* its containers' names can be read */
	char names_from[200];	/* where they come from, or why not */
};

/*
 * Driver and layout of a container's cgroup path (as /proc/PID/cgroup
 * shows it) whose id is id: "systemd" when the directory holding the id
 * is a ".scope", else "cgroupfs"; the layout is the path up to the end
 * of that directory with the id written "<id>".  False when id is not in
 * the path.
 */
bool kw_runtime_layout(const char *path, const char *id, char *driver, size_t dlen,
		       char *layout, size_t llen);

#endif
