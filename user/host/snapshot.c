// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Start-up snapshot of TCP listeners (see snapshot.h): this file
 * orchestrates; pidwalk.c walks /proc, procparse.c parses it, sockdiag.c
 * asks the kernel, proctask.c reads the owners' identity.
 *
 *  1. /proc/<pid>: every process and the inode of its network namespace,
 *     sorted by (namespace, pid): one group per namespace.
 *  2. Per namespace, one live member's net/tcp and net/tcp6 give the LISTEN
 *     sockets (inode, local endpoint).  Then, when allowed, a sock_diag
 *     socket created inside the namespace (by a helper thread that setns()
 *     into it, so kwhy's own threads never change namespace) adds
 *     IPV6_V6ONLY and the backlog, which /proc does not print, and the
 *     netns cookie; it also finds listeners in namespaces that no process
 *     is in but a bind mount keeps alive (/run/netns, ip-netns(8)).
 *  3. the links in /proc/<pid>/fd, "socket:[N]", map each socket to the processes
 *     holding it; the lowest pid (the usual parent or master) is the owner.
 *  4. One KW_EV_LISTEN record per listener.
 *
 * Without CAP_SYS_ADMIN (or with KW_SNAP_NO_DIAG) step 2 is /proc only:
 * v6only and backlog stay 0 (unknown), the cookie 0, and a namespace that
 * no process is in is not seen.  Also not seen: a namespace whose only
 * members are threads that setns()'d away from their group leader.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "host/cgmounts.h"
#include "host/pidwalk.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/proctcp.h"
#include "host/proctask.h"
#include "host/snapshot.h"
#include "host/sockdiag.h"

#define NETNS_TRIES 8		/* members tried per namespace */

struct lsn {
	uint64_t ino;
	uint64_t cookie;
	struct kw_addr local;
	uint32_t netns;
	uint32_t backlog;
	uint32_t nr_holders;
	uint32_t nr_listed;
	uint32_t last_pid;
	uint32_t holders[KW_SNAP_HOLDERS_MAX];
	uint8_t v6only;
	uint8_t diag;
};

struct owner {
	uint32_t pid;
	struct kw_task task;
};

struct snap {
	int proc_fd;
	unsigned int flags;
	struct kw_pid_netns *pids;
	size_t nr_pids;
	struct lsn *l;
	size_t nr, cap, max;
	uint64_t *extra_ns;		/* namespaces found in netns dirs */
	size_t nr_extra;
	bool diag_off, diag_ok;
	struct kw_snap_stats st;
	struct kw_cgroup_mounts mounts;
};

static struct lsn *add_listener(struct snap *s)
{
	if (s->nr >= s->max) {
		s->st.dropped++;
		return NULL;
	}
	if (s->nr == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct lsn *nl;

		if (ncap > s->max)
			ncap = s->max;
		nl = realloc(s->l, ncap * sizeof(*nl));
		if (!nl) {
			s->st.dropped++;
			return NULL;
		}
		s->l = nl;
		s->cap = ncap;
	}
	memset(&s->l[s->nr], 0, sizeof(s->l[0]));
	return &s->l[s->nr++];
}

static int cmp_lsn_ino(const void *a, const void *b)
{
	const struct lsn *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_lsn_out(const void *a, const void *b)
{
	const struct lsn *x = a, *y = b;
	int c;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->local.family != y->local.family)
		return x->local.family < y->local.family ? -1 : 1;
	if (x->local.port != y->local.port)
		return x->local.port < y->local.port ? -1 : 1;
	c = memcmp(x->local.addr, y->local.addr, sizeof(x->local.addr));
	if (c)
		return c;
	return cmp_lsn_ino(a, b);
}

static int cmp_pid_netns(const void *a, const void *b)
{
	const struct kw_pid_netns *x = a, *y = b;

	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct lsn *find_ino(struct lsn *base, size_t n, uint64_t ino)
{
	struct lsn key = { .ino = ino };

	if (!n)
		return NULL;
	return bsearch(&key, base, n, sizeof(*base), cmp_lsn_ino);
}


/* 1. every process and its network namespace: pidwalk.c */

/* 2. LISTEN lines of <pid>/net/tcp or tcp6: proctcp.c.  -errno when it
 * cannot be opened (the caller tries another member of the namespace). */
struct tcp_ctx {
	struct snap *s;
	uint32_t netns;
};

static void tcp_entry(void *ctx, const struct kw_diag_listener *d)
{
	struct tcp_ctx *tc = ctx;
	struct lsn *l = add_listener(tc->s);

	if (!l)
		return;
	l->ino = d->ino;
	l->local = d->local;
	l->netns = tc->netns;
}

static int read_tcp_table(struct snap *s, uint32_t pid, int family, uint32_t netns)
{
	struct tcp_ctx tc = { .s = s, .netns = netns };

	return kw_proc_tcp_listeners(s->proc_fd, pid, family, KW_SNAP_MAX_LINES, tcp_entry, &tc,
				     &s->st.truncated);
}

/* ---- sock_diag, inside a namespace: sockdiag.c ---- */

struct diag_ctx {
	struct snap *s;
	size_t start, end;	/* this namespace's entries from /proc, by inode */
	uint32_t netns;
};

static void diag_entry(void *ctx, const struct kw_diag_listener *d)
{
	struct diag_ctx *dc = ctx;
	struct snap *s = dc->s;
	struct lsn *l = find_ino(s->l + dc->start, dc->end - dc->start, d->ino);

	if (!l) {	/* not in /proc's tables: opened since, or no member */
		l = add_listener(s);
		if (!l)
			return;
		l->ino = d->ino;
		l->netns = dc->netns;
		l->local = d->local;
	}
	l->backlog = d->backlog;
	l->v6only = d->v6only;
	l->diag = 1;
}

/* sock_diag for the namespace of nsfd: enrich [start, s->nr), add what is
 * missing, set the cookie.  0 or -errno. */
static int diag_netns(struct snap *s, int nsfd, uint32_t netns, size_t start)
{
	struct diag_ctx dc = { .s = s, .start = start, .end = s->nr, .netns = netns };
	uint64_t cookie;
	int err = kw_sockdiag_listeners(nsfd, diag_entry, &dc, &cookie);

	for (size_t i = start; i < s->nr; i++)
		s->l[i].cookie = cookie;
	if (err)
		return err;
	s->st.netns_diag++;
	s->diag_ok = true;
	return 0;
}

/* sock_diag through <pid>/ns/net of the first group member still there. */
static void diag_group(struct snap *s, const struct kw_pid_netns *g, size_t ng, size_t start)
{
	for (size_t i = 0; i < ng && i < NETNS_TRIES; i++) {
		struct stat st;
		int nsfd, err;

		/* a namespace link: followed, not O_NOFOLLOW */
		nsfd = kw_proc_openat(s->proc_fd, g[i].pid, "ns/net", O_RDONLY);
		if (nsfd < 0)
			continue;
		if (fstat(nsfd, &st) || st.st_ino != g[i].netns) {
			close(nsfd);	/* exited, pid reused */
			continue;
		}
		err = diag_netns(s, nsfd, (uint32_t)g[i].netns, start);
		close(nsfd);
		if (err && kw_sockdiag_hopeless(err))
			s->diag_off = true;
		return;
	}
}

/* Namespaces kept by bind mounts, with no process in them. */
static void scan_netns_dir(struct snap *s, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (int n = 0; (de = readdir(d)) != NULL; n++) {
		struct kw_pid_netns key = { 0 };
		struct stat st;
		size_t start;
		int fd;

		if (n >= KW_SNAP_MAX_NETNS_DIR) {
			s->st.truncated++;
			break;
		}
		if (de->d_name[0] == '.' || s->diag_off)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		key.netns = st.st_ino;
		/* known: some process is in it (pids are sorted by namespace
		 * first), or another entry named it */
		if ((s->nr_pids && bsearch(&key, s->pids, s->nr_pids, sizeof(key), cmp_pid_netns)) ||
		    (s->nr_extra && bsearch(&key.netns, s->extra_ns, s->nr_extra,
					    sizeof(uint64_t), cmp_u64))) {
			close(fd);
			continue;
		}
		start = s->nr;
		if (!diag_netns(s, fd, (uint32_t)st.st_ino, start)) {
			s->st.netns++;
			if (s->nr_extra < (size_t)2 * KW_SNAP_MAX_NETNS_DIR) {
				size_t k = s->nr_extra++;

				/* insert in order */
				for (; k > 0 && s->extra_ns[k - 1] > st.st_ino; k--)
					s->extra_ns[k] = s->extra_ns[k - 1];
				s->extra_ns[k] = st.st_ino;
			}
		}
		close(fd);
	}
	closedir(d);
}

static void read_namespaces(struct snap *s)
{
	size_t i = 0;

	/* one group per namespace; the loop advances i by the group size */
	while (i < s->nr_pids) {
		const struct kw_pid_netns *g = &s->pids[i];
		size_t ng = 1, start = s->nr;
		bool got = false;

		while (i + ng < s->nr_pids && s->pids[i + ng].netns == g->netns)
			ng++;
		i += ng;
		if (!g->netns)
			continue;	/* namespace unknown (exited, no access) */
		s->st.netns++;
		for (int fam = 0; fam < 2; fam++) {
			/* the first member whose table opens; no tcp6 without IPv6 */
			for (size_t k = 0; k < ng && k < NETNS_TRIES; k++) {
				if (!read_tcp_table(s, g[k].pid, fam ? AF_INET6 : AF_INET,
						    (uint32_t)g->netns)) {
					got = true;
					break;
				}
			}
		}
		if (got)
			s->st.netns_read++;
		if (s->nr > start)
			qsort(s->l + start, s->nr - start, sizeof(s->l[0]), cmp_lsn_ino);
		if (!(s->flags & KW_SNAP_NO_DIAG) && !s->diag_off)
			diag_group(s, g, ng, start);
	}
	if (!(s->flags & KW_SNAP_NO_DIAG) && s->diag_ok && !s->diag_off) {
		s->extra_ns = calloc((size_t)2 * KW_SNAP_MAX_NETNS_DIR, sizeof(uint64_t));
		if (s->extra_ns) {
			scan_netns_dir(s, "/run/netns");
			scan_netns_dir(s, "/run/docker/netns");
		}
	}
}

/* ---- 3. holders ---- */

static void add_holder(struct lsn *l, uint32_t pid)
{
	uint32_t n;

	if (l->last_pid == pid)		/* the same socket on another fd */
		return;
	l->last_pid = pid;
	l->nr_holders++;
	/* keep the KW_SNAP_HOLDERS_MAX lowest, sorted */
	n = l->nr_listed;
	if (n == KW_SNAP_HOLDERS_MAX) {
		if (pid >= l->holders[n - 1])
			return;
		n--;
	} else {
		l->nr_listed++;
	}
	while (n > 0 && l->holders[n - 1] > pid) {
		l->holders[n] = l->holders[n - 1];
		n--;
	}
	l->holders[n] = pid;
}


static void on_socket(void *ctx, uint32_t pid, uint64_t ino)
{
	struct snap *s = ctx;
	struct lsn *l = find_ino(s->l, s->nr, ino);

	if (l)
		add_holder(l, pid);
}

/* ---- 4. the owners' identity: proctask.c ---- */

static struct owner *find_owner(struct owner *o, size_t n, uint32_t pid)
{
	struct owner key = { .pid = pid };

	if (!n)
		return NULL;
	return bsearch(&key, o, n, sizeof(*o), cmp_owner);
}

static int emit_all(struct snap *s, const struct timespec *boot, const struct timespec *mono,
		    kw_snap_fn fn, void *ctx)
{
	struct owner *owners = NULL;
	uint32_t *pids = NULL;
	size_t no = 0;
	int emitted = 0;

	if (s->nr) {
		pids = malloc(s->nr * sizeof(*pids));
		if (!pids)
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->nr; i++)
		if (s->l[i].nr_listed)
			pids[no++] = s->l[i].holders[0];
	if (no) {
		size_t u = 0;

		qsort(pids, no, sizeof(*pids), cmp_u32);
		for (size_t i = 0; i < no; i++)
			if (!u || pids[u - 1] != pids[i])
				pids[u++] = pids[i];
		no = u;
		owners = calloc(no, sizeof(*owners));
		if (!owners) {
			free(pids);
			return -ENOMEM;
		}
		for (size_t i = 0; i < no; i++) {
			owners[i].pid = pids[i];
			kw_proc_task(s->proc_fd, &s->mounts, pids[i], &owners[i].task);
		}
	}
	free(pids);

	if (s->nr)
		qsort(s->l, s->nr, sizeof(s->l[0]), cmp_lsn_out);
	for (size_t i = 0; i < s->nr; i++) {
		const struct lsn *l = &s->l[i];
		struct kw_snap_info info = {
			.sock_ino = l->ino,
			.nr_holders = l->nr_holders,
			.nr_listed = l->nr_listed,
			.from_diag = l->diag,
		};
		struct kw_event ev;
		struct kw_ev_listen *e = &ev.listen;
		struct owner *o = l->nr_listed ? find_owner(owners, no, l->holders[0]) : NULL;

		memcpy(info.holders, l->holders, sizeof(info.holders));
		memset(&ev, 0, sizeof(ev));
		e->hdr.type = KW_EV_LISTEN;
		e->hdr.size = sizeof(*e);
		e->hdr.flags = KW_F_SNAPSHOT | KW_F_NETNS;
		e->hdr.ts_boot_ns = (uint64_t)boot->tv_sec * 1000000000ull + (uint64_t)boot->tv_nsec;
		e->hdr.ts_mono_ns = (uint64_t)mono->tv_sec * 1000000000ull + (uint64_t)mono->tv_nsec;
		e->hdr.netns_ino = l->netns;
		e->hdr.netns_cookie = l->cookie;
		if (o) {
			e->hdr.task = o->task;
			e->hdr.flags |= KW_F_TASK;
			e->hdr.cgroup_id = o->task.cgroup_id;
			if (e->hdr.cgroup_id)
				e->hdr.flags |= KW_F_CGROUP;
		} else {
			s->st.unowned++;
		}
		e->local = l->local;
		e->backlog = l->backlog;
		e->v6only = l->v6only;
		fn(&ev, &info, ctx);
		emitted++;
	}
	free(owners);
	s->st.listeners = (uint32_t)emitted;
	return emitted;
}

int kw_snapshot_listeners_ex(const char *proc_root, size_t max_listeners, unsigned int flags,
			     kw_snap_fn fn, void *ctx, struct kw_snap_stats *stats)
{
	struct timespec boot = { 0 }, mono = { 0 };
	struct snap *s;
	int ret;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!proc_root || !fn)
		return -EINVAL;
	/* before anything is read: live events during the scan sort after;
	 * monotonic first, so that boot >= mono as in the kernel's records */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->flags = flags;
	s->max = max_listeners ? max_listeners : KW_SNAP_DEF_LISTENERS;
	if (s->max > KW_SNAP_MAX_LISTENERS)
		s->max = KW_SNAP_MAX_LISTENERS;
	s->proc_fd = kw_proc_open_root(proc_root);
	if (s->proc_fd < 0) {
		ret = s->proc_fd;
		free(s);
		return ret;
	}
	ret = kw_pidwalk_netns(s->proc_fd, &s->pids, &s->nr_pids, &s->st.truncated);
	if (ret)
		goto out;
	s->st.pids = (uint32_t)s->nr_pids;
	read_namespaces(s);

	/* one entry per socket; then sorted by inode for the fd scan */
	if (s->nr) {
		size_t u = 0;

		qsort(s->l, s->nr, sizeof(s->l[0]), cmp_lsn_ino);
		for (size_t i = 0; i < s->nr; i++) {
			if (!u || !s->l[i].ino || s->l[u - 1].ino != s->l[i].ino)
				s->l[u++] = s->l[i];
			else if (s->l[i].diag)	/* keep the enriched copy */
				s->l[u - 1] = s->l[i];
		}
		s->nr = u;
		for (size_t i = 0; i < s->nr_pids; i++)
			kw_pid_sockets(s->proc_fd, s->pids[i].pid, on_socket, s,
				       &s->st.truncated);
	}
	kw_cgroup_mounts_read(s->proc_fd, &s->mounts);	/* none: ids stay 0 */
	ret = emit_all(s, &boot, &mono, fn, ctx);
out:
	if (stats)
		*stats = s->st;
	close(s->proc_fd);
	free(s->pids);
	free(s->l);
	free(s->extra_ns);
	free(s);
	return ret;
}

struct emit_tramp {
	kw_emit_fn emit;
	void *ctx;
};

static void tramp(const struct kw_event *ev, const struct kw_snap_info *info, void *ctx)
{
	struct emit_tramp *t = ctx;

	(void)info;
	t->emit(ev, t->ctx);
}

int kw_snapshot_listeners(const char *proc_root, kw_emit_fn emit, void *ctx, size_t max_listeners)
{
	struct emit_tramp t = { .emit = emit, .ctx = ctx };

	if (!emit)
		return -EINVAL;
	return kw_snapshot_listeners_ex(proc_root, max_listeners, 0, tramp, &t, NULL);
}
