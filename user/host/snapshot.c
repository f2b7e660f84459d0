// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Start-up snapshot of TCP listeners (see snapshot.h).
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
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "host/snapshot.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define TCP_STATE_SYN_RECV 3
#define NETNS_TRIES 8		/* members tried per namespace */
#define MAX_CG_MOUNTS 8		/* cgroup2 / v1 memory mounts kept */
#define MAX_MOUNTINFO_LINES 100000
#define MAX_CGROUP_LINES 256
#define MAX_CG_DEPTH 64
#define DIAG_MAX_RECV 65536	/* recv() calls per dump */
#define DIAG_TIMEOUT_S 2

/* ---- pure parsers ---- */

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_token(const char *p)
{
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* exactly n (<= 8) hex digits */
static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* decimal digits up to a space or the end; advances *pp */
static int parse_dec64(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;

	for (; *p >= '0' && *p <= '9'; p++, n++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (n >= 20 || v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -EINVAL;
		v = v * 10 + d;
	}
	if (!n)
		return -EINVAL;
	*pp = p;
	*out = v;
	return 0;
}

/*
 * "HEX:PORT".  The kernel prints an IPv4 address as one %08X of the __be32
 * value, and an IPv6 one as four %08X of its __be32 words: each word is
 * the host-order integer whose memory image is the network-order bytes, so
 * storing the parsed integer back into memory restores those bytes on any
 * byte order.  The port is printed already in host order.
 */
static int parse_endpoint(const char **pp, int family, struct kw_addr *a)
{
	size_t nwords = family == AF_INET ? 1 : 4;
	const char *p = *pp;
	uint32_t w, port;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < nwords; i++) {
		if (parse_hex32(p, 8, &w))
			return -EINVAL;
		memcpy(&a->addr[i * 4], &w, 4);
		p += 8;
	}
	if (*p++ != ':')
		return -EINVAL;
	if (parse_hex32(p, 4, &port))
		return -EINVAL;
	p += 4;
	if (*p && *p != ' ' && *p != '\t')
		return -EINVAL;
	a->family = (uint16_t)family;
	a->port = (uint16_t)port;
	*pp = p;
	return 0;
}

int kw_parse_proc_net_tcp_line(const char *line, int family, struct kw_addr *local,
			       unsigned int *state, uint64_t *inode)
{
	struct kw_addr l, r;
	const char *p;
	uint64_t slot, ino;
	uint32_t st;

	if (!line || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	/* "   0: " */
	p = skip_spaces(line);
	if (parse_dec64(&p, &slot) || *p++ != ':')
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, &l))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, &r))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_hex32(p, 2, &st))
		return -EINVAL;
	p += 2;
	if (*p != ' ' && *p != '\t')
		return -EINVAL;
	/* tx_queue:rx_queue tr:tm->when retrnsmt uid timeout, then inode */
	for (int i = 0; i < 5; i++) {
		p = skip_spaces(p);
		if (!*p || *p == '\n')
			return -EINVAL;
		p = skip_token(p);
	}
	p = skip_spaces(p);
	if (parse_dec64(&p, &ino))
		return -EINVAL;
	if (*p && *p != ' ' && *p != '\t' && *p != '\n')
		return -EINVAL;
	if (local)
		*local = l;
	if (state)
		*state = st;
	if (inode)
		*inode = ino;
	return 0;
}

int kw_parse_socket_link(const char *target, uint64_t *inode)
{
	static const char pfx[] = "socket:[";
	const char *p;
	uint64_t v;

	if (!target || strncmp(target, pfx, sizeof(pfx) - 1) != 0)
		return -EINVAL;
	p = target + sizeof(pfx) - 1;
	if (parse_dec64(&p, &v) || p[0] != ']' || p[1] != '\0')
		return -EINVAL;
	*inode = v;
	return 0;
}

int kw_parse_status_uid(const char *status, uint32_t *uid)
{
	const char *p = status;
	uint64_t v;

	/* bounded by the text's length: each step moves past a newline */
	while (p && *p) {
		if (!strncmp(p, "Uid:", 4)) {
			p = skip_spaces(p + 4);
			if (parse_dec64(&p, &v) || v > UINT32_MAX)
				return -EINVAL;
			*uid = (uint32_t)v;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

bool kw_opt_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (!n)
		return false;
	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* copy [s, s+n) into out, stopping at a newline; -ENAMETOOLONG if longer */
static int copy_field(const char *s, size_t n, char *out, size_t outsz)
{
	if (n >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int kw_parse_proc_cgroup(const char *text, struct kw_proc_cgroups *cg)
{
	const char *p = text;
	int found = 0;

	memset(cg, 0, sizeof(*cg));
	for (int i = 0; p && *p && i < MAX_CGROUP_LINES; i++) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *c1 = memchr(p, ':', len), *c2, *path;
		uint64_t hier;
		char ctl[256];

		if (!c1)
			goto next;
		c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p));
		if (!c2)
			goto next;
		path = c2 + 1;
		{
			const char *q = p;

			if (parse_dec64(&q, &hier) || q != c1 || hier > UINT32_MAX)
				goto next;
		}
		if (path >= p + len || *path != '/' ||
		    copy_field(c1 + 1, (size_t)(c2 - c1 - 1), ctl, sizeof(ctl)))
			goto next;
		if (hier == 0 && !ctl[0]) {
			if (!copy_field(path, len - (size_t)(path - p), cg->v2, sizeof(cg->v2))) {
				cg->has_v2 = true;
				found = 1;
			}
		} else if (kw_opt_list_has(ctl, "memory")) {
			if (!copy_field(path, len - (size_t)(path - p), cg->mem, sizeof(cg->mem))) {
				cg->has_mem = true;
				cg->mem_hier = (uint32_t)hier;
				found = 1;
			}
		}
next:
		p = eol ? eol + 1 : NULL;
	}
	return found ? 0 : -EINVAL;
}

/* a mountinfo path field: "\040"-style octal escapes decoded */
static int unescape_field(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= outsz)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int kw_parse_mountinfo_line(const char *line, struct kw_mountinfo *m)
{
	const char *tok[64];
	size_t len[64];
	int n = 0, dash = -1;
	const char *p = line;

	memset(m, 0, sizeof(*m));
	if (!line)
		return -EINVAL;
	while (n < 64) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		tok[n] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	/* id parent maj:min root mountpoint options [optional...] - fstype source super */
	for (int i = 6; i < n; i++) {
		if (len[i] == 1 && tok[i][0] == '-') {
			dash = i;
			break;
		}
	}
	if (dash < 0 || dash + 3 >= n)
		return -EINVAL;
	if (unescape_field(tok[3], len[3], m->root, sizeof(m->root)) ||
	    unescape_field(tok[4], len[4], m->mnt, sizeof(m->mnt)) ||
	    copy_field(tok[dash + 1], len[dash + 1], m->fstype, sizeof(m->fstype)) ||
	    copy_field(tok[dash + 3], len[dash + 3], m->super, sizeof(m->super)))
		return -EINVAL;
	return 0;
}

/* ---- the snapshot ---- */

struct pid_ns {
	uint32_t pid;
	uint32_t _pad;
	uint64_t netns;		/* st_ino of <pid>/ns/net, 0 unknown */
};

struct lsn {
	uint64_t ino;		/* socket inode */
	uint64_t cookie;	/* netns cookie, 0 unknown */
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
	struct pid_ns *pids;
	size_t nr_pids, cap_pids;
	struct lsn *l;
	size_t nr, cap, max;
	uint64_t *extra_ns;		/* namespaces found in netns dirs */
	size_t nr_extra;
	struct kw_mountinfo cg2[MAX_CG_MOUNTS], mem[MAX_CG_MOUNTS];
	int nr_cg2, nr_mem;
	bool diag_off, diag_ok;
	struct kw_snap_stats st;
	struct kw_proc_cgroups cgs;
	char text[16384];		/* file contents being parsed */
	_Alignas(struct nlmsghdr) char nlbuf[32768]; /* sock_diag replies */
	char path[2 * KW_SNAP_PATH_MAX + 64];
};

/* Read a small file relative to dirfd into buf (NUL-terminated).  Returns
 * the length or -errno. */
static ssize_t read_at(int dirfd, const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < 4096 && len + 1 < size; i++) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

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

static int cmp_pid_ns(const void *a, const void *b)
{
	const struct pid_ns *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
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
	const struct pid_ns *x = a, *y = b;

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

/* 1. every process and its network namespace */
static int walk_pids(struct snap *s)
{
	struct dirent *de;
	DIR *d;
	int fd = openat(s->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* bounded: non-pid entries are few, pids stop at KW_SNAP_MAX_PIDS */
	for (size_t seen = 0; (de = readdir(d)) != NULL; seen++) {
		const char *q = de->d_name;
		struct stat st;
		uint64_t pid;

		if (seen >= KW_SNAP_MAX_PIDS + 4096) {
			s->st.truncated++;
			break;
		}
		if (parse_dec64(&q, &pid) || *q || !pid || pid > UINT32_MAX)
			continue;
		if (s->nr_pids >= KW_SNAP_MAX_PIDS) {
			s->st.truncated++;
			break;
		}
		if (s->nr_pids == s->cap_pids) {
			size_t ncap = s->cap_pids ? s->cap_pids * 2 : 1024;
			struct pid_ns *np;

			if (ncap > KW_SNAP_MAX_PIDS)
				ncap = KW_SNAP_MAX_PIDS;
			np = realloc(s->pids, ncap * sizeof(*np));
			if (!np) {
				closedir(d);
				return -ENOMEM;
			}
			s->pids = np;
			s->cap_pids = ncap;
		}
		snprintf(s->path, sizeof(s->path), "%s/ns/net", de->d_name);
		s->pids[s->nr_pids] = (struct pid_ns){ .pid = (uint32_t)pid };
		if (!fstatat(s->proc_fd, s->path, &st, 0))
			s->pids[s->nr_pids].netns = st.st_ino;
		s->nr_pids++;
	}
	closedir(d);
	s->st.pids = (uint32_t)s->nr_pids;
	if (s->nr_pids)
		qsort(s->pids, s->nr_pids, sizeof(s->pids[0]), cmp_pid_ns);
	return 0;
}

/* 2. LISTEN lines of <pid>/net/tcp or tcp6.  -errno when it cannot be
 * opened (the caller tries another member of the namespace). */
static int read_tcp_table(struct snap *s, uint32_t pid, int family, uint32_t netns)
{
	char line[512];
	bool skipping = false;
	FILE *f;
	int fd;

	snprintf(s->path, sizeof(s->path), "%u/net/%s", pid, family == AF_INET ? "tcp" : "tcp6");
	fd = openat(s->proc_fd, s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		int err = -errno;

		close(fd);
		return err;
	}
	for (long n = 0; fgets(line, sizeof(line), f); n++) {
		bool whole = strchr(line, '\n') != NULL;
		struct kw_addr local;
		unsigned int state;
		uint64_t ino;
		struct lsn *l;

		if (n >= KW_SNAP_MAX_LINES) {
			s->st.truncated++;
			break;
		}
		if (skipping) {		/* the rest of an over-long line */
			skipping = !whole;
			continue;
		}
		skipping = !whole && !feof(f);
		if (kw_parse_proc_net_tcp_line(line, family, &local, &state, &ino))
			continue;	/* the header, or junk */
		if (state != KW_TCP_STATE_LISTEN) {
			/*
			 * The kernel prints the listening hash first, then the
			 * established one, which holds no listener.  Old
			 * kernels show SYN_RECV requests among the listeners;
			 * anything else means the listeners are done: stop
			 * before walking every connection on a busy host.
			 */
			if (state != TCP_STATE_SYN_RECV)
				break;
			continue;
		}
		l = add_listener(s);
		if (!l)
			continue;
		l->ino = ino;
		l->local = local;
		l->netns = netns;
	}
	fclose(f);
	return 0;
}

/* ---- sock_diag, inside a namespace ---- */

struct ns_sock_req {
	int nsfd;
	int sock;
	int err;
};

static void *ns_sock_thread(void *arg)
{
	struct ns_sock_req *r = arg;

	/* only this short-lived thread changes namespace */
	if (setns(r->nsfd, CLONE_NEWNET)) {
		r->err = -errno;
		return NULL;
	}
	r->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (r->sock < 0)
		r->err = -errno;
	return NULL;
}

/* A NETLINK_SOCK_DIAG socket living in the namespace of nsfd, or -errno. */
static int diag_socket_in(int nsfd)
{
	struct ns_sock_req r = { .nsfd = nsfd, .sock = -1 };
	struct timeval tv = { .tv_sec = DIAG_TIMEOUT_S };
	pthread_t th;
	int err;

	err = pthread_create(&th, NULL, ns_sock_thread, &r);
	if (err)
		return -err;
	pthread_join(th, NULL);
	if (r.sock < 0)
		return r.err ? r.err : -EIO;
	setsockopt(r.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return r.sock;
}

static void diag_entry(struct snap *s, const struct inet_diag_msg *m, int v6only, size_t start,
		       size_t end, uint32_t netns)
{
	struct lsn *l;

	if (m->idiag_state != KW_TCP_STATE_LISTEN)
		return;
	l = find_ino(s->l + start, end - start, m->idiag_inode);
	if (!l) {	/* not in /proc's tables: opened since, or no member */
		l = add_listener(s);
		if (!l)
			return;
		l->ino = m->idiag_inode;
		l->netns = netns;
		l->local.family = m->idiag_family;
		l->local.port = ntohs(m->id.idiag_sport);
		memcpy(l->local.addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	}
	l->backlog = m->idiag_wqueue;	/* sk_max_ack_backlog for a listener */
	l->v6only = v6only > 0;
	l->diag = 1;
}

/* Dump one family's listeners; entries [start, end) are this namespace's
 * from /proc, sorted by inode.  0 or -errno. */
static int diag_dump(struct snap *s, int sock, int family, size_t start, size_t end,
		     uint32_t netns)
{
	char *buf = s->nlbuf;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = (uint32_t)family,
		},
		.r = {
			.sdiag_family = (uint8_t)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1u << KW_TCP_STATE_LISTEN,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(sock, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int i = 0; i < DIAG_MAX_RECV; i++) {
		ssize_t n = recv(sock, buf, sizeof(s->nlbuf), 0);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		/* each message advances off by at least its header */
		while (off + sizeof(struct nlmsghdr) <= (size_t)n) {
			const struct nlmsghdr *h = (const void *)(buf + off);
			const struct inet_diag_msg *m;
			const char *abase;
			size_t alen, aoff;
			int v6only = -1;

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off)
				return -EIO;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != req.nlh.nlmsg_seq)
				continue;	/* left over from a failed dump */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			/* attributes: INET_DIAG_SKV6ONLY (sent for v6 listeners) */
			abase = (const char *)m + NLMSG_ALIGN(sizeof(*m));
			alen = h->nlmsg_len - NLMSG_HDRLEN;
			alen = alen > NLMSG_ALIGN(sizeof(*m)) ? alen - NLMSG_ALIGN(sizeof(*m)) : 0;
			aoff = 0;
			while (aoff + sizeof(struct nlattr) <= alen) {
				const struct nlattr *a = (const void *)(abase + aoff);

				if (a->nla_len < sizeof(*a) || a->nla_len > alen - aoff)
					break;
				if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
				    a->nla_len >= NLA_HDRLEN + 1)
					v6only = *((const uint8_t *)a + NLA_HDRLEN);
				aoff += NLA_ALIGN(a->nla_len);
			}
			diag_entry(s, m, v6only, start, end, netns);
		}
	}
	return -E2BIG;
}

/* sock_diag for the namespace of nsfd: enrich [start, s->nr), add what is
 * missing, set the cookie.  0 or -errno. */
static int diag_netns(struct snap *s, int nsfd, uint32_t netns, size_t start)
{
	size_t end = s->nr;
	uint64_t cookie = 0;
	socklen_t clen = sizeof(cookie);
	int sock, e4, e6;

	sock = diag_socket_in(nsfd);
	if (sock < 0)
		return sock;
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &clen) || clen != sizeof(cookie))
		cookie = 0;	/* before 5.14 */
	e4 = diag_dump(s, sock, AF_INET, start, end, netns);
	e6 = diag_dump(s, sock, AF_INET6, start, end, netns);
	close(sock);
	for (size_t i = start; i < s->nr; i++)
		s->l[i].cookie = cookie;
	if (e4 && e6)
		return e4;
	s->st.netns_diag++;
	s->diag_ok = true;
	return 0;
}

/* Errors that every namespace would give again: stop asking. */
static bool diag_hopeless(int err)
{
	switch (err) {
	case -EPERM:		/* setns: no CAP_SYS_ADMIN */
	case -EINVAL:		/* setns: not a namespace (a fake /proc) */
	case -ENOSYS:
	case -EPROTONOSUPPORT:	/* socket: no NETLINK_SOCK_DIAG */
	case -EAFNOSUPPORT:
	case -ENOENT:		/* dump: no tcp_diag */
	case -EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}

/* sock_diag through <pid>/ns/net of the first group member still there. */
static void diag_group(struct snap *s, const struct pid_ns *g, size_t ng, size_t start)
{
	for (size_t i = 0; i < ng && i < NETNS_TRIES; i++) {
		struct stat st;
		int nsfd, err;

		snprintf(s->path, sizeof(s->path), "%u/ns/net", g[i].pid);
		nsfd = openat(s->proc_fd, s->path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			continue;
		if (fstat(nsfd, &st) || st.st_ino != g[i].netns) {
			close(nsfd);	/* exited, pid reused */
			continue;
		}
		err = diag_netns(s, nsfd, (uint32_t)g[i].netns, start);
		close(nsfd);
		if (err && diag_hopeless(err))
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
		struct pid_ns key = { 0 };
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
		const struct pid_ns *g = &s->pids[i];
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

static void scan_fds(struct snap *s, uint32_t pid)
{
	char target[64];
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(s->path, sizeof(s->path), "%u/fd", pid);
	fd = openat(s->proc_fd, s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	for (int n = 0; (de = readdir(d)) != NULL; n++) {
		uint64_t ino;
		ssize_t k;
		struct lsn *l;

		if (n >= KW_SNAP_MAX_FDS + 2) {
			s->st.truncated++;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		k = readlinkat(fd, de->d_name, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		if (kw_parse_socket_link(target, &ino))
			continue;
		l = find_ino(s->l, s->nr, ino);
		if (l)
			add_holder(l, pid);
	}
	closedir(d);
}

/* ---- 4. the owner's identity ---- */

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static void load_mounts(struct snap *s)
{
	struct kw_mountinfo *mi = malloc(sizeof(*mi));
	bool skipping = false;
	char line[4096];
	FILE *f;
	int fd;

	if (!mi)
		return;
	fd = openat(s->proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		free(mi);
		return;
	}
	for (int n = 0; n < MAX_MOUNTINFO_LINES && fgets(line, sizeof(line), f); n++) {
		bool whole = strchr(line, '\n') || feof(f), part = skipping;

		skipping = !whole;	/* over-long: its pieces are not lines */
		if (part || !whole || kw_parse_mountinfo_line(line, mi))
			continue;
		if (!strcmp(mi->fstype, "cgroup2") && s->nr_cg2 < MAX_CG_MOUNTS)
			s->cg2[s->nr_cg2++] = *mi;
		else if (!strcmp(mi->fstype, "cgroup") && kw_opt_list_has(mi->super, "memory") &&
			 s->nr_mem < MAX_CG_MOUNTS)
			s->mem[s->nr_mem++] = *mi;
	}
	fclose(f);
	free(mi);
}

/* The directory of cgroup path under mount m, or -ENOENT when the mount
 * does not show that part of the hierarchy. */
static int cg_dir(const struct kw_mountinfo *m, const char *path, char *out, size_t n)
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

/*
 * The memory cgroup of a v2 cgroup: the cgroup itself when the memory
 * controller is enabled in it (memory.current exists), else its nearest
 * such ancestor, else the root: the css the kernel charges.  dir is
 * modified.
 */
static uint64_t v2_memcg(const char *mnt, char *dir, size_t dsz)
{
	size_t ml = strlen(mnt);
	char f[KW_SNAP_PATH_MAX + 32];

	for (int depth = 0; depth < MAX_CG_DEPTH; depth++) {
		char *slash;

		if (strlen(dir) <= ml)
			return ino_of(mnt);
		if ((size_t)snprintf(f, sizeof(f), "%s/memory.current", dir) < sizeof(f) &&
		    !access(f, F_OK))
			return ino_of(dir);
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < ml)
			snprintf(dir, dsz, "%s", mnt);
		else
			*slash = '\0';
	}
	return 0;
}

static void fill_task(struct snap *s, uint32_t pid, struct kw_task *t)
{
	struct kw_proc_cgroups *cg = &s->cgs;
	char dir[KW_SNAP_PATH_MAX + 8];
	struct stat st;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = pid;
	snprintf(s->path, sizeof(s->path), "%u/comm", pid);
	n = read_at(s->proc_fd, s->path, s->text, sizeof(s->text));
	if (n > 0) {
		size_t cl = strcspn(s->text, "\n");

		if (cl > sizeof(t->comm) - 1)
			cl = sizeof(t->comm) - 1;
		memcpy(t->comm, s->text, cl);	/* t zeroed: NUL-terminated */
	}
	snprintf(s->path, sizeof(s->path), "%u/status", pid);
	if (read_at(s->proc_fd, s->path, s->text, sizeof(s->text)) > 0)
		kw_parse_status_uid(s->text, &t->uid);
	snprintf(s->path, sizeof(s->path), "%u/ns/net", pid);
	if (!fstatat(s->proc_fd, s->path, &st, 0))
		t->netns_ino = (uint32_t)st.st_ino;
	snprintf(s->path, sizeof(s->path), "%u/ns/mnt", pid);
	if (!fstatat(s->proc_fd, s->path, &st, 0))
		t->mntns_ino = (uint32_t)st.st_ino;

	snprintf(s->path, sizeof(s->path), "%u/cgroup", pid);
	if (read_at(s->proc_fd, s->path, s->text, sizeof(s->text)) <= 0 ||
	    kw_parse_proc_cgroup(s->text, cg))
		return;
	if (cg->has_v2) {
		for (int i = 0; i < s->nr_cg2 && !t->cgroup_id; i++)
			if (!cg_dir(&s->cg2[i], cg->v2, dir, sizeof(dir)))
				t->cgroup_id = ino_of(dir);
	}
	/* v1 memory hierarchy when mounted; else the v2 memory cgroup */
	if (cg->has_mem) {
		for (int i = 0; i < s->nr_mem && !t->memcg_id; i++)
			if (!cg_dir(&s->mem[i], cg->mem, dir, sizeof(dir)))
				t->memcg_id = ino_of(dir);
		if (t->memcg_id)
			t->memcg_hier = cg->mem_hier;
	}
	if (!t->memcg_id && cg->has_v2 && t->cgroup_id) {
		for (int i = 0; i < s->nr_cg2 && !t->memcg_id; i++)
			if (!cg_dir(&s->cg2[i], cg->v2, dir, sizeof(dir)) && ino_of(dir))
				t->memcg_id = v2_memcg(s->cg2[i].mnt, dir, sizeof(dir));
	}
}

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
			fill_task(s, pids[i], &owners[i].task);
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
	s->proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->proc_fd < 0) {
		ret = -errno;
		free(s);
		return ret;
	}
	ret = walk_pids(s);
	if (ret)
		goto out;
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
			scan_fds(s, s->pids[i].pid);
	}
	load_mounts(s);
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
