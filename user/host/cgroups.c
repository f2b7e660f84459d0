// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup ids to paths, containers and processes, read from this host.
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
#include "host/cgroups.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe	/* include/linux/exportfs.h: the u64 kernfs id */
#endif

#define CG_BUCKET_BITS 13
#define CG_BUCKETS (1u << CG_BUCKET_BITS)
#define CG_MOUNT_LEN 256
#define META_DIR_MAX 65536		/* entries read of one metadata dir */
#define META_LIST_MAX (4u << 20)	/* podman's containers.json: all of them */
#define STATUS_MAX 8192			/* /proc/<pid>/status is ~1.5 KiB */

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

int kw_cgroup_id_at(int dirfd, const char *name, uint64_t *id)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	struct stat st;
	int mount_id;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (!name_to_handle_at(dirfd, name, &h.fh, &mount_id, 0) &&
	    h.fh.handle_type == FILEID_KERNFS && h.fh.handle_bytes == sizeof(*id)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	/* the inode is the id on 64-bit kernels >= 5.5, and a stable key
	 * on any other filesystem (tests walk ordinary directories) */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	*id = st.st_ino;
	return 0;
}

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
static bool is_subdir(int dirfd, const struct dirent *de)
{
	struct stat st;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return !fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

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

		if (!is_subdir(dirfd(d), de))
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
	kw_container_names(&ct, c->root);
	out->runtime = (__u8)ct.runtime;
	snprintf(out->container_id, sizeof(out->container_id), "%s", ct.id);
	snprintf(out->name, sizeof(out->name), "%s", ct.name);
	snprintf(out->pod, sizeof(out->pod), "%s", ct.pod);
	snprintf(out->k8s_namespace, sizeof(out->k8s_namespace), "%s", ct.k8s_namespace);
	return 0;
}

/* ---- bounded reads ---- */

/*
 * Open name for reading only if it is a regular file: a FIFO or device
 * planted among metadata must neither block us nor feed us forever.
 */
static int open_regular(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read into buf until EOF or full; returns the bytes read. */
static size_t read_fd(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	return n;
}

/*
 * At most max bytes of a file, NUL-terminated, in memory grown only as far
 * as the file goes (most are small).  NULL when it cannot be opened.
 */
static char *read_file_at(int dirfd, const char *name, size_t max)
{
	size_t cap = 4096, n = 0;
	int fd = open_regular(dirfd, name);
	char *buf, *nb;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		n += read_fd(fd, buf + n, cap - n);
		if (n < cap || cap >= max)
			break;
		cap = cap * 2 < max ? cap * 2 : max;
		nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* A small file into buf, NUL-terminated; false when unreadable. */
static bool read_small_at(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = open_regular(dirfd, name);
	size_t n;

	if (fd < 0)
		return false;
	n = read_fd(fd, buf, cap - 1);
	close(fd);
	buf[n] = '\0';
	return true;
}

/* ---- human names from runtime metadata ---- */

static bool id_is_hex64(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");

	return n == KW_CT_ID_HEX && id[n] == '\0';
}

/* Calls fn for each entry name of dir (bounded); stops when fn says so. */
static bool scan_dir(const char *dir, bool (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool done = false;

	if (!d)
		return false;
	for (int i = 0; i < META_DIR_MAX && !done && (de = readdir(d)); i++)
		done = fn(de->d_name, ctx);
	closedir(d);
	return done;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), l = strlen(suffix);

	return n >= l && !strcmp(s + n - l, suffix);
}

/* /var/log/containers/<pod>_<namespace>_<container>-<id>.log */
static bool k8s_log_entry(const char *name, void *ctx)
{
	struct kw_container *ct = ctx;
	char suffix[KW_CT_ID_HEX + 8];
	struct kw_k8s_ref ref;

	snprintf(suffix, sizeof(suffix), "-%s.log", ct->id);
	if (!has_suffix(name, suffix) || kw_k8s_from_container_log(name, &ref))
		return false;
	snprintf(ct->name, sizeof(ct->name), "%s", ref.container);
	snprintf(ct->pod, sizeof(ct->pod), "%s", ref.pod);
	snprintf(ct->k8s_namespace, sizeof(ct->k8s_namespace), "%s", ref.k8s_namespace);
	return true;
}

/* /var/log/pods/<namespace>_<pod>_<uid>: the pod, not the container */
static bool k8s_pod_entry(const char *name, void *ctx)
{
	struct kw_container *ct = ctx;
	struct kw_k8s_ref ref;

	if (kw_k8s_from_pod_log_dir(name, &ref) || strcmp(ref.pod_uid, ct->pod_uid))
		return false;
	snprintf(ct->pod, sizeof(ct->pod), "%s", ref.pod);
	snprintf(ct->k8s_namespace, sizeof(ct->k8s_namespace), "%s", ref.k8s_namespace);
	return true;
}

static bool names_k8s(struct kw_container *ct, const char *base)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/var/log/containers", base);
	if (scan_dir(dir, k8s_log_entry, ct))
		return true;
	if (ct->pod_uid[0]) {
		snprintf(dir, sizeof(dir), "%s/var/log/pods", base);
		scan_dir(dir, k8s_pod_entry, ct);
	}
	return false;
}

/* Read a metadata file (bounded) and let parse take a name from it. */
static void name_from_file(struct kw_container *ct, const char *path, size_t max,
			   int (*parse)(const char *text, const char *id, char *name, size_t len))
{
	char name[sizeof(ct->name)];
	char *text = read_file_at(AT_FDCWD, path, max);

	if (!text)
		return;
	if (!parse(text, ct->id, name, sizeof(name)))
		strcpy(ct->name, name);
	free(text);
}

static int docker_parse(const char *text, const char *id, char *name, size_t len)
{
	(void)id;	/* the file is already the container's own */
	return kw_docker_name_from_config(text, name, len);
}

void kw_container_names(struct kw_container *ct, const char *root)
{
	char base[PATH_MAX], path[PATH_MAX + 128];
	size_t n;

	if (!ct || ct->runtime == KW_RT_HOST || ct->runtime == KW_RT_SYSTEMD ||
	    !id_is_hex64(ct->id))
		return;
	snprintf(base, sizeof(base), "%s", root && *root ? root : "/");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';

	/* kubelet's names beat cri-dockerd's "k8s_<container>_<pod>_..." */
	if (ct->runtime != KW_RT_PODMAN && names_k8s(ct, base))
		return;
	if (ct->runtime == KW_RT_DOCKER) {
		snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json",
			 base, ct->id);
		name_from_file(ct, path, KW_META_READ_MAX, docker_parse);
	} else if (ct->runtime == KW_RT_PODMAN) {
		snprintf(path, sizeof(path),
			 "%s/var/lib/containers/storage/overlay-containers/containers.json", base);
		name_from_file(ct, path, META_LIST_MAX, kw_podman_name_from_containers);
	}
}

/* ---- the biggest processes of a memory cgroup ---- */

struct procs_walk {
	struct kw_ev_memcg_procs *out;
	uint32_t dirs;
	uint32_t status_reads;
	bool full;		/* KW_MEMCG_MAX_PIDS counted: stop */
};

/* "Name:" is escaped by the kernel ("\n" and "\\"); undo it so the comm
 * matches what BPF reports. */
static void status_comm(const char *v, char *comm, size_t cap)
{
	size_t n = 0;

	for (; *v && *v != '\n' && n + 1 < cap; v++) {
		char ch = *v;

		if (ch == '\\' && v[1] == 'n') {
			ch = '\n';
			v++;
		} else if (ch == '\\' && v[1] == '\\') {
			v++;
		}
		comm[n++] = ch;
	}
	comm[n] = '\0';
}

static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

static bool proc_mem(uint32_t pid, struct kw_proc_mem *pm)
{
	char path[32], buf[STATUS_MAX];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (!read_small_at(AT_FDCWD, path, buf, sizeof(buf)))
		return false;	/* gone since cgroup.procs was read */
	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	for (line = buf; line; line = next_line(line)) {
		if (!strncmp(line, "Name:\t", 6))
			status_comm(line + 6, pm->comm, sizeof(pm->comm));
		else if (!strncmp(line, "VmRSS:", 6))
			pm->rss_kb = strtoull(line + 6, NULL, 10);
	}
	return true;
}

/* Keep the KW_MEMCG_PROCS_MAX biggest, biggest first. */
static void top_insert(struct kw_ev_memcg_procs *out, const struct kw_proc_mem *pm)
{
	uint32_t i = out->nr;

	if (i == KW_MEMCG_PROCS_MAX) {
		if (pm->rss_kb <= out->procs[i - 1].rss_kb)
			return;
		i--;
	} else {
		out->nr++;
	}
	for (; i > 0 && out->procs[i - 1].rss_kb < pm->rss_kb; i--)
		out->procs[i] = out->procs[i - 1];
	out->procs[i] = *pm;
}

static void procs_pid(struct procs_walk *pw, uint32_t pid)
{
	struct kw_proc_mem pm;

	if (pw->out->total_procs >= KW_MEMCG_MAX_PIDS) {
		pw->full = true;
		return;
	}
	pw->out->total_procs++;
	if (pw->status_reads >= KW_MEMCG_MAX_STATUS)
		return;
	pw->status_reads++;
	if (proc_mem(pid, &pm))
		top_insert(pw->out, &pm);
}

/* The pids in one cgroup's cgroup.procs, one decimal per line. */
static void procs_file(struct procs_walk *pw, int dirfd)
{
	char *text = read_file_at(dirfd, "cgroup.procs", KW_META_READ_MAX);
	char *p, *end;

	if (!text)
		return;
	for (p = text; *p && !pw->full; p = end) {
		unsigned long pid = strtoul(p, &end, 10);

		if (end == p) {
			end = strchr(p, '\n');	/* not a number: skip the line */
			if (!end)
				break;
		} else if (pid > 0 && pid <= UINT32_MAX) {
			procs_pid(pw, (uint32_t)pid);
		}
		end += strspn(end, "\n");
	}
	free(text);
}

/* This cgroup's processes, then its descendants'; closes fd. */
static void procs_dir(struct procs_walk *pw, int fd, unsigned int depth)
{
	DIR *d;
	struct dirent *de;

	procs_file(pw, fd);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while (!pw->full && depth + 1 < KW_CG_WALK_DEPTH &&
	       pw->dirs < KW_MEMCG_WALK_DIRS && (de = readdir(d))) {
		int cfd;

		if (!is_subdir(dirfd(d), de))
			continue;
		pw->dirs++;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd >= 0)
			procs_dir(pw, cfd, depth + 1);
	}
	closedir(d);
}

static int open_cgroup(const struct kw_cgroups *c, int h, const char *path)
{
	int mfd = open(c->mount[h], O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	const char *rel = path + strspn(path, "/");

	if (mfd < 0)
		return -errno;
	fd = openat(mfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(mfd);
	return fd;
}

int kw_memcg_top_procs(struct kw_cgroups *c, uint64_t memcg_id, bool v1,
		       struct kw_ev_memcg_procs *out)
{
	struct procs_walk pw = { .out = out };
	char path[KW_CG_PATH_MAX], num[32];
	int r, fd;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->hdr.type = KW_EV_MEMCG_PROCS;
	out->hdr.size = sizeof(*out);
	out->cgroup_id = memcg_id;
	r = kw_cgroups_path(c, memcg_id, v1, path, sizeof(path));
	if (r)
		return r;
	fd = open_cgroup(c, v1 ? H_V1 : H_V2, path);
	if (fd < 0)
		return fd;
	if (read_small_at(fd, v1 ? "memory.usage_in_bytes" : "memory.current", num, sizeof(num)))
		out->usage_bytes = strtoull(num, NULL, 10);
	procs_dir(&pw, fd, 0);
	return 0;
}
