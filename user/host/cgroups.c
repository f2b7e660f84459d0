// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup ids to paths and containers, read from this host (see cgroups.h).
 *
 * BPF can only report a cgroup's kernfs id; the path, which says whose the
 * cgroup is, lives in the cgroup filesystem.  Walking a whole hierarchy on
 * every event would be ruinous on a busy node, so a miss walks it once,
 * caching every id it sees, and ids a walk did not find are remembered so
 * a deleted cgroup (common right after an OOM kill) costs one walk only.
 * Kernfs ids are not reused within a boot, so a cached path stays right.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host/cgroupfs.h"
#include "host/cgroups.h"
#include "host/container_names.h"

#define CG_BUCKET_BITS 13
#define CG_BUCKETS (1u << CG_BUCKET_BITS)
#define CG_MOUNT_LEN 256

enum { H_V2, H_V1, H_MAX };

struct cg_entry {
	uint64_t id;
	int32_t next;		/* hash chain, -1 ends it */
	bool used;
	bool v1;
	char path[KW_CG_PATH_MAX];
};

struct kw_cgroups {
	char mount[H_MAX][CG_MOUNT_LEN];
	char root[PATH_MAX];
	struct cg_entry *ent;		/* KW_CG_CACHE_MAX, filled in FIFO order */
	uint32_t next_slot;		/* the oldest entry once full */
	int32_t bucket[CG_BUCKETS];
	uint64_t miss[H_MAX][KW_CG_MISS_MAX];
	uint32_t miss_next[H_MAX];
	struct kw_cgroups_counts counts;
};

static void set_str(char *dst, size_t cap, const char *src)
{
	/* a cut mount path would name another directory: treat as absent */
	if (!src || strlen(src) >= cap)
		src = "";
	strcpy(dst, src);
}

struct kw_cgroups *kw_cgroups_new(const char *v2_mount, const char *memcg_v1_mount)
{
	struct kw_cgroups *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ent = calloc(KW_CG_CACHE_MAX, sizeof(*c->ent));
	if (!c->ent) {
		free(c);
		return NULL;
	}
	for (uint32_t i = 0; i < CG_BUCKETS; i++)
		c->bucket[i] = -1;
	set_str(c->mount[H_V2], sizeof(c->mount[H_V2]), v2_mount);
	set_str(c->mount[H_V1], sizeof(c->mount[H_V1]), memcg_v1_mount);
	strcpy(c->root, "/");
	return c;
}

void kw_cgroups_free(struct kw_cgroups *c)
{
	if (!c)
		return;
	free(c->ent);
	free(c);
}

void kw_cgroups_set_meta_root(struct kw_cgroups *c, const char *root)
{
	if (c)
		set_str(c->root, sizeof(c->root), root && *root ? root : "/");
}

const char *kw_cgroups_mount(const struct kw_cgroups *c, bool v1_memory)
{
	return c ? c->mount[v1_memory ? H_V1 : H_V2] : "";
}

void kw_cgroups_counts(const struct kw_cgroups *c, struct kw_cgroups_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (c)
		*out = c->counts;
}

/* ---- the id -> path cache ---- */

static uint32_t cg_hash(uint64_t id, bool v1)
{
	uint64_t h = (id ^ ((uint64_t)v1 << 63)) * 0x9e3779b97f4a7c15ull;

	return h >> (64 - CG_BUCKET_BITS);
}

static struct cg_entry *cg_find(struct kw_cgroups *c, uint64_t id, bool v1)
{
	for (int32_t i = c->bucket[cg_hash(id, v1)]; i >= 0; i = c->ent[i].next) {
		if (c->ent[i].id == id && c->ent[i].v1 == v1)
			return &c->ent[i];
	}
	return NULL;
}

static void cg_unlink(struct kw_cgroups *c, int32_t slot)
{
	struct cg_entry *e = &c->ent[slot];
	int32_t *pp = &c->bucket[cg_hash(e->id, e->v1)];

	while (*pp >= 0 && *pp != slot)
		pp = &c->ent[*pp].next;
	if (*pp == slot)
		*pp = e->next;
	e->used = false;
}

static void cg_insert(struct kw_cgroups *c, uint64_t id, bool v1, const char *path)
{
	struct cg_entry *e = cg_find(c, id, v1);

	if (!e) {
		int32_t slot = c->next_slot;
		uint32_t h = cg_hash(id, v1);

		c->next_slot = (c->next_slot + 1) % KW_CG_CACHE_MAX;
		e = &c->ent[slot];
		if (e->used) {
			cg_unlink(c, slot);
			c->counts.evictions++;
		} else {
			c->counts.entries++;
		}
		e->id = id;
		e->v1 = v1;
		e->used = true;
		e->next = c->bucket[h];
		c->bucket[h] = slot;
	}
	/* v1 cgroups can be renamed: the latest walk knows best */
	snprintf(e->path, sizeof(e->path), "%s", path);
}

static bool miss_known(const struct kw_cgroups *c, int h, uint64_t id)
{
	for (uint32_t i = 0; i < KW_CG_MISS_MAX; i++) {
		if (c->miss[h][i] == id)
			return true;
	}
	return false;
}

static void miss_add(struct kw_cgroups *c, int h, uint64_t id)
{
	c->miss[h][c->miss_next[h]] = id;
	c->miss_next[h] = (c->miss_next[h] + 1) % KW_CG_MISS_MAX;
}

/* ---- walking a hierarchy ---- */

struct walk {
	struct kw_cgroups *c;
	bool v1;
	uint64_t want;
	bool found;
	uint32_t dirs;
	size_t len;
	char path[KW_CG_PATH_MAX];	/* "" for the root */
	char found_path[KW_CG_PATH_MAX];
};

static void walk_visit(struct walk *w, uint64_t id)
{
	const char *path = w->len ? w->path : "/";

	cg_insert(w->c, id, w->v1, path);
	if (id == w->want && !w->found) {
		w->found = true;
		strcpy(w->found_path, path);
	}
}

/* cgroupfs fills d_type; the fallback is for other filesystems */
/* Append "/name" to w->path; false when it would not fit. */
static bool walk_push(struct walk *w, const char *name)
{
	size_t nl = strlen(name);

	if (w->len + 1 + nl >= sizeof(w->path))
		return false;
	w->path[w->len] = '/';
	memcpy(w->path + w->len + 1, name, nl + 1);
	w->len += 1 + nl;
	return true;
}

/* Visit the subdirectories of fd (which this closes), depth-first. */
static void walk_dir(struct walk *w, int fd, unsigned int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while (w->dirs < KW_CG_WALK_DIRS && (de = readdir(d))) {
		size_t save = w->len;
		uint64_t id;
		int cfd;

		if (!kw_cgroup_is_child(dirfd(d), de))
			continue;
		w->dirs++;
		/* a path too long to report names nothing below it either */
		if (!walk_push(w, de->d_name))
			continue;
		if (!kw_cgroup_id_at(dirfd(d), de->d_name, &id))
			walk_visit(w, id);
		if (depth + 1 < KW_CG_WALK_DEPTH) {
			cfd = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd >= 0)
				walk_dir(w, cfd, depth + 1);
		}
		w->len = save;
		w->path[save] = '\0';
	}
	closedir(d);
}

/*
 * Walk hierarchy h, caching every cgroup.  Returns 1 when want was among
 * them (its path in found), 0 when not, -errno when the walk could not run
 * (which says nothing about want).
 */
static int cg_walk(struct kw_cgroups *c, int h, uint64_t want, char *found, size_t len)
{
	struct walk *w = calloc(1, sizeof(*w));
	uint64_t id;
	int fd, r;

	if (!w)
		return -ENOMEM;
	w->c = c;
	w->v1 = h == H_V1;
	w->want = want;
	fd = open(c->mount[h], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	c->counts.walks++;
	if (!kw_cgroup_id_at(fd, ".", &id))
		walk_visit(w, id);
	walk_dir(w, fd, 0);
	c->counts.walk_dirs += w->dirs;
	r = w->found;
	if (r) {
		/* the walk may have pushed it out again: it is wanted now */
		cg_insert(c, want, w->v1, w->found_path);
		snprintf(found, len, "%s", w->found_path);
	}
	free(w);
	return r;
}

static int copy_path(char *dst, size_t len, const char *src)
{
	return snprintf(dst, len, "%s", src) >= (int)len ? -ENAMETOOLONG : 0;
}

int kw_cgroups_path(struct kw_cgroups *c, uint64_t id, bool v1_memory,
		    char *path, size_t len)
{
	char found[KW_CG_PATH_MAX];
	int h = v1_memory ? H_V1 : H_V2, r;
	struct cg_entry *e;

	if (!c || !path || len == 0)
		return -EINVAL;
	path[0] = '\0';
	if (!c->mount[h][0])
		return -ENODEV;
	e = cg_find(c, id, v1_memory);
	if (e) {
		c->counts.hits++;
		return copy_path(path, len, e->path);
	}
	/* id 0 is never a cgroup, and the miss list starts out zeroed */
	if (id == 0 || miss_known(c, h, id)) {
		c->counts.misses++;
		return -ENOENT;
	}
	r = cg_walk(c, h, id, found, sizeof(found));
	if (r <= 0) {
		/* only a walk that ran may rule the id out for good */
		if (r == 0)
			miss_add(c, h, id);
		c->counts.misses++;
		return -ENOENT;
	}
	return copy_path(path, len, found);
}

int kw_cgroups_resolve(struct kw_cgroups *c, uint64_t id, bool v1_memory,
		       struct kw_ev_cgroup *out)
{
	char path[KW_CG_PATH_MAX];
	struct kw_container ct;
	int r;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->hdr.type = KW_EV_CGROUP;
	out->hdr.size = sizeof(*out);
	out->cgroup_id = id;
	out->v1_memory = v1_memory;
	r = kw_cgroups_path(c, id, v1_memory, path, sizeof(path));
	if (r)
		return r;
	out->resolved = 1;
	snprintf(out->path, sizeof(out->path), "%s", path);
	kw_container_from_path(path, &ct);
	if (ct.runtime == KW_RT_HOST || ct.runtime == KW_RT_OTHER)
		kw_containerd_task(&ct, path, c->root);
	kw_container_names(&ct, c->root);
	out->runtime = (__u8)ct.runtime;
	snprintf(out->container_id, sizeof(out->container_id), "%s", ct.id);
	snprintf(out->name, sizeof(out->name), "%s", ct.name);
	snprintf(out->pod, sizeof(out->pod), "%s", ct.pod);
	snprintf(out->k8s_namespace, sizeof(out->k8s_namespace), "%s", ct.k8s_namespace);
	return 0;
}

