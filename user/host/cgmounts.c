// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cgroup mounts of this host, from mountinfo (see cgmounts.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host/cgmounts.h"
#include "host/procfs.h"

#define MOUNTINFO_LINE_MAX 4096

/* A v1 option that names a controller: not a mount flag, not name=. */
static bool is_controller(const char *opt, size_t n)
{
	static const char *const flags[] = { "rw", "ro", "relatime", "noexec", "nosuid", "nodev" };

	if (n >= 5 && !strncmp(opt, "name=", 5))
		return false;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i]) == n && !strncmp(opt, flags[i], n))
			return false;
	return n > 0;
}

static bool has_controller(const char *super)
{
	const char *p = super;

	/* bounded by the list's length: each step moves past a comma */
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (is_controller(p, n))
			return true;
		p = p[n] ? p + n + 1 : NULL;
	}
	return false;
}

void kw_cgroup_mounts_add(struct kw_cgroup_mounts *m, const struct kw_mountinfo *mi)
{
	if (!strcmp(mi->fstype, "cgroup2")) {
		if (m->nr_cg2 < KW_CG_MOUNTS_MAX)
			m->cg2[m->nr_cg2++] = *mi;
	} else if (!strcmp(mi->fstype, "cgroup")) {
		if (has_controller(mi->super))
			m->v1_controllers = true;
		if (kw_opt_list_has(mi->super, "memory")) {
			if (m->nr_mem < KW_CG_MOUNTS_MAX)
				m->mem[m->nr_mem++] = *mi;
		} else if (m->nr_v1 < KW_CG_V1_MAX && strlen(mi->mnt) < sizeof(m->v1_mnt[0])) {
			strcpy(m->v1_mnt[m->nr_v1++], mi->mnt);
		}
	}
}

int kw_cgroup_mounts_read(int proc_fd, struct kw_cgroup_mounts *m)
{
	struct kw_mountinfo *mi;
	bool skipping = false;
	char *line;
	FILE *f;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = kw_proc_openat(proc_fd, KW_PROC_SELF, "mountinfo", O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	mi = malloc(sizeof(*mi));
	line = malloc(MOUNTINFO_LINE_MAX);
	if (!f || !mi || !line) {
		if (f)
			fclose(f);
		else
			close(fd);
		free(mi);
		free(line);
		return -ENOMEM;
	}
	for (int n = 0; n < KW_MOUNTINFO_LINES_MAX && fgets(line, MOUNTINFO_LINE_MAX, f); n++) {
		bool whole = strchr(line, '\n') || feof(f), part = skipping;

		skipping = !whole;	/* over-long: its pieces are not lines */
		if (part || !whole || kw_parse_mountinfo_line(line, mi))
			continue;
		kw_cgroup_mounts_add(m, mi);
	}
	fclose(f);
	free(mi);
	free(line);
	return 0;
}

int kw_cgroup_mounts_load(const char *proc_root, struct kw_cgroup_mounts *m)
{
	int dfd = kw_proc_open_root(proc_root), err;

	if (dfd < 0) {
		memset(m, 0, sizeof(*m));
		return dfd;
	}
	err = kw_cgroup_mounts_read(dfd, m);
	close(dfd);
	return err;
}

int kw_cgroup_mount_dir(const struct kw_mountinfo *m, const char *path, char *out, size_t n)
{
	size_t rl = strlen(m->root);
	const char *rest;

	if (!strcmp(m->root, "/"))
		rest = path;
	else if (!strncmp(path, m->root, rl) && (path[rl] == '/' || path[rl] == '\0'))
		rest = path + rl;
	else
		return -ENOENT;
	if (!strcmp(rest, "/"))
		rest = "";
	if ((size_t)snprintf(out, n, "%s%s", m->mnt, rest) >= n)
		return -ENAMETOOLONG;
	return 0;
}
