// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The host's memory at a global OOM kill (see hostmem.h). */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "host/cgroupfs.h"
#include "host/hostmem.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/readfile.h"
#include "util/topn.h"

#define MEMINFO_MAX 8192	/* /proc/meminfo is ~1.5 KiB */

static void read_meminfo(const char *proc_root, struct kw_ev_host_mem *out)
{
	char text[MEMINFO_MAX];
	int fd = kw_proc_open_root(proc_root);

	if (fd < 0)
		return;
	if (kw_read_small_at(fd, "meminfo", text, sizeof(text)))
		kw_parse_meminfo(text, out);
	close(fd);
}

static uint64_t usage_of(const void *cm)
{
	return ((const struct kw_cgroup_mem *)cm)->usage_bytes;
}

/* Keep the KW_HOST_MEM_CGROUPS biggest, biggest first. */
static void top_insert(struct kw_ev_host_mem *out, const struct kw_cgroup_mem *cm)
{
	uint32_t nr = out->nr_cgroups;
	int at = kw_top_slot(out->cgroups, sizeof(out->cgroups[0]), &nr, KW_HOST_MEM_CGROUPS,
			     cm->usage_bytes, usage_of);

	out->nr_cgroups = nr;
	if (at >= 0)
		out->cgroups[at] = *cm;
}

static void read_top_cgroups(const char *cg_mount, bool v1, struct kw_ev_host_mem *out)
{
	struct dirent *de;
	uint32_t visited = 0;
	DIR *d;

	if (!cg_mount || !cg_mount[0] || !(d = kw_cgroup_opendir(cg_mount, "/")))
		return;
	out->cgroups_v1 = v1;
	while (visited < KW_HOST_MEM_DIRS && (de = readdir(d))) {
		struct kw_cgroup_mem cm;
		uint64_t usage, id;
		int cfd;

		if (!kw_cgroup_is_child(dirfd(d), de))
			continue;
		visited++;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		if (kw_memcg_usage_at(cfd, v1, &usage) && !kw_cgroup_id_at(dirfd(d), de->d_name, &id)) {
			cm.cgroup_id = id;
			cm.usage_bytes = usage;
			out->cgroups_read++;
			top_insert(out, &cm);
		}
		close(cfd);
	}
	closedir(d);
}

void kw_host_mem_read(const char *proc_root, const char *cg_mount, bool v1,
		      struct kw_ev_host_mem *out)
{
	memset(out, 0, sizeof(*out));
	out->hdr.type = KW_EV_HOST_MEM;
	out->hdr.size = sizeof(*out);
	read_meminfo(proc_root, out);
	read_top_cgroups(cg_mount, v1, out);
}
