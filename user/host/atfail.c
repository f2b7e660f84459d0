// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reads at a failed system call (see atfail.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "host/atfail.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/sockdiag.h"
#include "host/unixdiag.h"

#define MAX_TCP_LINES (1 << 21)	/* lines read per tcp table */
#define MAX_FDS (1 << 20)	/* fd entries counted */
#define TCP_TIME_WAIT 6

static void stamp(struct kw_hdr *h, const struct kw_hdr *cause, unsigned int type, size_t size)
{
	h->type = type;
	h->size = size;
	h->ts_boot_ns = cause->ts_boot_ns;
	h->ts_mono_ns = cause->ts_mono_ns;
	h->cpu = cause->cpu;
	h->flags = cause->flags & KW_F_NETNS;
	h->netns_ino = cause->netns_ino;
	h->netns_cookie = cause->netns_cookie;
}

/* ---- UNIX ---- */

struct reread {
	const struct kw_ev_unix_conn *c;
	kw_atfail_feed_fn feed;
	void *ctx;
};

static void on_unix(void *ctx, const struct kw_unix_diag *u)
{
	struct reread *r = ctx;
	struct kw_event ev;

	memset(&ev, 0, sizeof(ev));
	stamp(&ev.hdr, &r->c->hdr, KW_EV_UNIX_LISTEN, sizeof(ev.unix_listen));
	ev.unix_listen.ino = u->ino;
	ev.unix_listen.backlog = u->backlog;
	ev.unix_listen.queued = u->queued;
	ev.unix_listen.sock_type = u->type;
	ev.unix_listen.source = KW_UL_REREAD;
	ev.unix_listen.path_len = u->path_len;
	memcpy(ev.unix_listen.path, u->path, sizeof(u->path));
	r->feed(r->ctx, &ev);
}

/* the inode of kwhy's own namespace of a kind ("mnt", "net"), 0 unknown */
static uint64_t own_ns(const char *proc_root, const char *kind)
{
	char name[16];
	struct stat st;

	snprintf(name, sizeof(name), "ns/%s", kind);
	return kw_proc_stat(proc_root, KW_PROC_SELF, name, &st) ? 0 : st.st_ino;
}

/* "<root>/<pid>/root/<path>" for an absolute path, ".../cwd/<path>" else;
 * pid KW_PROC_SELF: the path as kwhy sees it (a client already gone that
 * was in kwhy's mount namespace) */
static int client_path(char *out, size_t len, const char *proc_root, uint32_t pid,
		       const char *path, bool dir)
{
	char p[KW_UNIX_PATH_LEN + 1];
	char *slash;
	int n;

	memcpy(p, path, KW_UNIX_PATH_LEN);
	p[KW_UNIX_PATH_LEN] = '\0';
	if (dir) {
		slash = strrchr(p, '/');
		if (slash && slash != p)
			*slash = '\0';
		else if (slash)
			slash[1] = '\0';	/* "/x": the root */
		else
			strcpy(p, ".");
	}
	if (pid == KW_PROC_SELF)
		n = snprintf(out, len, "%s", p);
	else
		n = snprintf(out, len, "%s/%u/%s%s", kw_proc_root(proc_root), pid,
			     p[0] == '/' ? "root" : "cwd/", p);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kw_atfail_unix(const char *proc_root, const struct kw_ev_unix_conn *c,
		   kw_atfail_feed_fn feed, void *ctx)
{
	struct reread r = { .c = c, .feed = feed, .ctx = ctx };
	struct kw_event ev;
	struct kw_ev_unix_path *p = &ev.unix_path;
	uint32_t pid = c->hdr.task.tgid;
	char path[KW_UNIX_PATH_LEN + 64], status[4096];
	struct stat st;
	int nsfd, n, ret = 0;

	memset(&ev, 0, sizeof(ev));
	stamp(&ev.hdr, &c->hdr, KW_EV_UNIX_PATH, sizeof(*p));
	p->client_pid = pid;
	p->path_len = c->path_len;
	memcpy(p->path, c->path, sizeof(p->path));

	nsfd = kw_proc_open_root(proc_root);
	if (nsfd >= 0) {
		int root = nsfd;

		nsfd = kw_proc_openat(root, pid, "ns/net", O_RDONLY);
		close(root);
	}
	/* the client is gone already (a short-lived one): kwhy's own
	 * namespace when it was the client's */
	if (nsfd < 0 && c->hdr.task.netns_ino && c->hdr.task.netns_ino == own_ns(proc_root, "net"))
		nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		ret = nsfd;
	} else {
		n = kw_unixdiag_listeners(nsfd, on_unix, &r);
		close(nsfd);
		if (n >= 0) {
			p->reread = 1;
			p->listeners = (uint32_t)n;
		} else {
			ret = n;
			p->reread_err = (uint16_t)(-n <= UINT16_MAX ? -n : EIO);
		}
	}
	if (kw_proc_stat(proc_root, pid, "root", &st) && c->hdr.task.mntns_ino &&
	    c->hdr.task.mntns_ino == own_ns(proc_root, "mnt") && c->path[0] == '/')
		pid = KW_PROC_SELF;	/* gone, and it saw the files as kwhy does */
	if (c->path_len && c->path[0]) {	/* a filesystem path */
		p->stat_err = client_path(path, sizeof(path), proc_root, pid, c->path, false) ? :
			      stat(path, &st) ? errno : 0;
		if (!p->stat_err) {
			p->mode = st.st_mode;
			p->uid = st.st_uid;
			p->gid = st.st_gid;
			p->ino = st.st_ino;
		}
		p->dir_err = client_path(path, sizeof(path), proc_root, pid, c->path, true) ? :
			     stat(path, &st) ? errno : 0;
		if (!p->dir_err) {
			p->dir_mode = st.st_mode;
			p->dir_uid = st.st_uid;
			p->dir_gid = st.st_gid;
		}
	} else {
		p->stat_err = p->dir_err = ENOENT;	/* abstract: no file */
	}
	if (pid != KW_PROC_SELF &&
	    kw_proc_read(proc_root, pid, "status", status, sizeof(status)) > 0) {
		bool in_group = false;

		if (!kw_parse_status_creds(status, p->gid, &p->client_euid, &p->client_egid,
					   &in_group)) {
			p->creds_read = 1;
			p->client_in_group = in_group;
		}
	}
	feed(ctx, &ev);
	return ret;
}

/* ---- ephemeral ports, from inside the namespace ---- */

struct ports_req {
	int nsfd;
	struct kw_ev_port_usage *u;
	bool range_ok;
};

static bool same_dest(const struct kw_addr *remote, const struct kw_addr *dest)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (remote->port != dest->port)
		return false;
	if (remote->family == dest->family)
		return !memcmp(remote->addr, dest->addr, dest->family == AF_INET6 ? 16 : 4);
	/* an IPv4 destination dialled from an IPv6 socket: ::ffff:a.b.c.d */
	return remote->family == AF_INET6 && dest->family == AF_INET &&
	       !memcmp(remote->addr, mapped, 12) && !memcmp(remote->addr + 12, dest->addr, 4);
}

static void count_table(const char *file, int family, struct kw_ev_port_usage *u)
{
	FILE *f = fopen(file, "re");
	char line[512];

	if (!f)
		return;
	u->read_ok = 1;
	for (long n = 0; n < MAX_TCP_LINES && fgets(line, sizeof(line), f); n++) {
		struct kw_addr l, r;
		unsigned int state;

		if (kw_parse_proc_net_tcp_conn(line, family, &l, &r, &state))
			continue;
		if (l.port < u->range_lo || l.port > u->range_hi)
			continue;
		u->in_range++;
		if (same_dest(&r, &u->dest)) {
			u->to_dest++;
			u->to_dest_time_wait += state == TCP_TIME_WAIT;
		}
	}
	fclose(f);
}

/* "lo hi" of ip_local_port_range from fd (closed here) into u */
static bool read_range(int fd, struct kw_ev_port_usage *u)
{
	char buf[64];
	uint64_t lo, hi;
	ssize_t n;

	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (kw_parse_two(buf, &lo, &hi) || !hi || hi > 65535 || lo > hi)
		return false;
	u->range_lo = (uint16_t)lo;
	u->range_hi = (uint16_t)hi;
	return true;
}

/* Without the broker (--no-sandbox): a short-lived thread enters the
 * namespace, where /proc/sys/net is that namespace's. */
static void *range_thread(void *arg)
{
	struct ports_req *r = arg;
	int fd;

	if (setns(r->nsfd, CLONE_NEWNET))
		return NULL;
	fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		r->range_ok = read_range(fd, r->u);
	return NULL;
}

/* The namespace's port range, through the broker (kwhy keeps no
 * CAP_SYS_ADMIN once sandboxed), else from a thread inside it. */
static bool port_range(struct ports_req *r)
{
	int fd = kw_netns_port_range_fd(r->nsfd);
	pthread_t th;

	if (fd >= 0)
		return read_range(fd, r->u);
	if (fd != -ENOSYS || pthread_create(&th, NULL, range_thread, r))
		return false;
	pthread_join(th, NULL);
	return r->range_ok;
}

void kw_atfail_ports(const char *proc_root, const struct kw_ev_conn *c, kw_atfail_feed_fn feed,
		     void *ctx)
{
	struct kw_event ev;
	struct ports_req r = { .u = &ev.port_usage };
	int root;

	memset(&ev, 0, sizeof(ev));
	stamp(&ev.hdr, &c->hdr, KW_EV_PORT_USAGE, sizeof(ev.port_usage));
	ev.port_usage.dest = c->remote;
	ev.port_usage.client_pid = c->hdr.task.tgid;
	root = kw_proc_open_root(proc_root);
	r.nsfd = root >= 0 ? kw_proc_openat(root, c->hdr.task.tgid, "ns/net", O_RDONLY) : -1;
	if (root >= 0)
		close(root);
	if (r.nsfd >= 0 && port_range(&r)) {
		/* the client's net/tcp{,6}: its namespace's sockets */
		char path[64];

		snprintf(path, sizeof(path), "%s/%u/net/tcp", proc_root, c->hdr.task.tgid);
		count_table(path, AF_INET, r.u);
		snprintf(path, sizeof(path), "%s/%u/net/tcp6", proc_root, c->hdr.task.tgid);
		count_table(path, AF_INET6, r.u);
	}
	if (r.nsfd >= 0)
		close(r.nsfd);
	feed(ctx, &ev);
}

/* ---- open files ---- */

void kw_atfail_fds(const char *proc_root, const struct kw_ev_accept_fail *a,
		   kw_atfail_feed_fn feed, void *ctx)
{
	struct kw_event ev;
	struct kw_ev_fd_usage *u = &ev.fd_usage;
	uint32_t pid = a->hdr.task.tgid;
	char text[4096];
	uint64_t soft, hard;
	int root, fd;
	DIR *d;

	memset(&ev, 0, sizeof(ev));
	stamp(&ev.hdr, &a->hdr, KW_EV_FD_USAGE, sizeof(*u));
	u->pid = pid;
	root = kw_proc_open_root(proc_root);
	fd = root >= 0 ? kw_proc_openat(root, pid, "fd", O_RDONLY | O_DIRECTORY) : -1;
	if (root >= 0)
		close(root);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		struct dirent *de;
		uint32_t n = 0;

		while (n < MAX_FDS && (de = readdir(d)))
			n += de->d_name[0] != '.';
		closedir(d);
		u->open_fds = n;
		u->fds_read = 1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (kw_proc_read(proc_root, pid, "limits", text, sizeof(text)) > 0 &&
	    !kw_parse_limits_nofile(text, &soft, &hard)) {
		u->nofile_soft = soft;
		u->nofile_hard = hard;
		u->limits_read = 1;
	}
	fd = open("/proc/sys/fs/file-nr", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, text, 64);

		close(fd);
		if (n > 0) {
			text[n] = '\0';
			u->file_nr_read = !kw_parse_file_nr(text, &soft, &hard);
			u->file_nr = soft;
			u->file_max = hard;
		}
	}
	feed(ctx, &ev);
}
