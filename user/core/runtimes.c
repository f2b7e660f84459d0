// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A runtime's cgroup driver and layout from a path (see runtimes.h). */
#include <stdio.h>
#include <string.h>
#include "core/runtimes.h"

bool kw_runtime_layout(const char *path, const char *id, char *driver, size_t dlen,
		       char *layout, size_t llen)
{
	const char *at = id[0] ? strstr(path, id) : NULL;
	const char *after, *end;
	size_t tail;

	if (!at)
		return false;
	/* the container's own directory: the component that holds the id */
	after = at + strlen(id);
	tail = strcspn(after, "/");
	end = after + tail;
	snprintf(driver, dlen, "%s", end - at >= 6 && !strncmp(end - 6, ".scope", 6) ?
		 "systemd" : "cgroupfs");
	snprintf(layout, llen, "%.*s<id>%.*s", (int)(at - path), path, (int)tail, after);
	return true;
}
