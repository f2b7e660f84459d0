// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-itest: the integration test driver.  Runs `kwhy watch --json
 * --no-aggregate`, makes real things happen in forked children (refused
 * connects, listeners that die, bind conflicts, OOM kills in memory
 * cgroups, a network namespace behind a veth pair) and checks the records
 * kwhy prints about them.
 *
 *   kwhy-itest --kwhy PATH [--only NAME] [-v]
 *
 * Output: one "ok N - name" or "not ok N - name: ..." line per check, then
 * "P passed, F failed" alone on a line.  Exit status 1 when anything failed.
 *
 * Must run as root, statically linked: on a Debian host with hybrid
 * cgroups and full iproute2, and in a busybox-only VM with pure cgroup v2.
 * Traffic goes only to loopback and to addresses inside the network
 * namespace this program creates (10.213.N.0/30).  Everything created
 * (children, veths, namespaces, cgroups) is removed at the end of each
 * scenario, also on failure; processes are killed only by the PIDs of
 * children this program forked.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "jsonq.h"

#define ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define READY_MS	30000	/* kwhy loads and attaches */
#define EXPECT_MS	10000	/* a record to show up */
#define GRACE_MS	2000	/* ... once a record with the right identity differs */
#define CHILD_MS	10000	/* a child reports or exits */
#define OOM_CHILD_MS	60000	/* an OOM victim is killed */
#define STOP_MS		15000	/* kwhy exits after SIGINT */
#define CMD_MS		10000	/* an `ip` command */

#define MAX_RECS	4096	/* records kept; older ones are dropped */
#define INBUF_BYTES	(256 * 1024)
#define MAX_CHILDREN	64
#define MAX_CGROUPS	8
#define MIB		(1024LL * 1024LL)
#define OOM_LIMIT	(64 * MIB)

/* ---- globals ---- */

static bool g_verbose;
static pid_t g_self;			/* the driver's pid */
static unsigned long g_host_netns;	/* inode of the driver's network namespace */
static volatile sig_atomic_t g_stop;	/* SIGINT/SIGTERM/SIGHUP arrived */

static pid_t g_kwhy_pid;
static int g_kwhy_fd = -1;		/* kwhy's stdout, non-blocking */
static bool g_kwhy_eof;

static int g_checks, g_passed, g_failed;

/* ---- time ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- check reporting ---- */

static void diag(const char *fmt, ...)
{
	va_list ap;

	if (!g_verbose)
		return;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void pass(const char *sc, const char *what)
{
	g_checks++;
	g_passed++;
	printf("ok %d - %s: %s\n", g_checks, sc, what);
	fflush(stdout);
}

static void __attribute__((format(printf, 3, 4)))
fail(const char *sc, const char *what, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line per check, whatever the message holds */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	g_checks++;
	g_failed++;
	printf("not ok %d - %s: %s: %s\n", g_checks, sc, what, msg);
	fflush(stdout);
}

static const char *status_text(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited with code %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, sizeof(buf), "has wait status 0x%x", st);
	return buf;
}

/* ---- kwhy's output: lines, parsed, in a bounded ring ---- */

struct rec {
	struct jq_val *v;
	char *text;
};

static struct rec g_recs[MAX_RECS];
static uint64_t g_nrecs;		/* records received; also the next seq */
static uint64_t g_nlines, g_bad_lines;
static char g_bad_example[512];
static char g_inbuf[INBUF_BYTES];
static size_t g_inlen;
static bool g_discarding;		/* skipping an overlong line */

static void bad_line(const char *why, const char *text, size_t len)
{
	g_bad_lines++;
	if (g_bad_lines == 1)
		snprintf(g_bad_example, sizeof(g_bad_example), "%s: %.*s", why,
			 (int)(len > 300 ? 300 : len), text);
}

static void add_line(const char *line, size_t len)
{
	char err[160];
	struct jq_val *v;
	struct rec *r;
	char *text;

	g_nlines++;
	if (memchr(line, '\0', len)) {
		bad_line("NUL byte in line", line, strlen(line));
		return;
	}
	text = strndup(line, len);
	if (!text) {
		bad_line("out of memory", line, len);
		return;
	}
	v = jq_parse(text, err, sizeof(err));
	if (!v) {
		bad_line(err, text, len);
		free(text);
		return;
	}
	if (g_verbose)
		fprintf(stderr, "# kwhy: %s\n", text);
	r = &g_recs[g_nrecs % MAX_RECS];
	jq_free(r->v);
	free(r->text);
	r->v = v;
	r->text = text;
	g_nrecs++;
}

static void split_lines(void)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(g_inbuf + start, '\n', g_inlen - start))) {
		size_t len = nl - (g_inbuf + start);

		if (g_discarding)
			g_discarding = false;
		else
			add_line(g_inbuf + start, len);
		start += len + 1;
	}
	memmove(g_inbuf, g_inbuf + start, g_inlen - start);
	g_inlen -= start;
	if (g_inlen == sizeof(g_inbuf)) {	/* a line longer than the buffer */
		if (!g_discarding)
			bad_line("line longer than 256 KiB", g_inbuf, 200);
		g_discarding = true;
		g_inlen = 0;
	}
}

static void read_kwhy(void)
{
	for (int i = 0; i < 256 && !g_kwhy_eof; i++) {
		ssize_t n = read(g_kwhy_fd, g_inbuf + g_inlen, sizeof(g_inbuf) - g_inlen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				g_kwhy_eof = true;
			return;
		}
		if (n == 0) {
			g_kwhy_eof = true;
			if (g_inlen && !g_discarding)
				bad_line("unterminated last line", g_inbuf, g_inlen);
			g_inlen = 0;
			return;
		}
		g_inlen += n;
		split_lines();
	}
}

/*
 * Wait up to ms for extra_fd (when >= 0) to become readable, reading
 * kwhy's output meanwhile.  Returns early when either has something;
 * true when extra_fd is readable or hung up.
 */
static bool pump(int extra_fd, int ms)
{
	struct pollfd p[2];
	int n = 0, kfd = -1, xfd = -1;

	if (ms < 0)
		ms = 0;
	if (g_kwhy_fd >= 0 && !g_kwhy_eof) {
		p[n] = (struct pollfd){ .fd = g_kwhy_fd, .events = POLLIN };
		kfd = n++;
	}
	if (extra_fd >= 0) {
		p[n] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
		xfd = n++;
	}
	if (!n) {
		sleep_ms(ms);
		return false;
	}
	if (poll(p, n, ms) <= 0)
		return false;
	if (kfd >= 0 && p[kfd].revents)
		read_kwhy();
	return xfd >= 0 && p[xfd].revents;
}

/* ---- matching records ---- */

enum op { OP_STR, OP_STR2, OP_INT, OP_RANGE, OP_BOOL, OP_NULL };

struct cond {
	const char *path;
	enum op op;
	bool key;		/* identifies the record (type, pid, port) */
	const char *s, *s2;
	int64_t lo, hi;
};

#define K_STR(p, v)	 { .path = (p), .op = OP_STR, .key = true, .s = (v) }
#define K_INT(p, v)	 { .path = (p), .op = OP_INT, .key = true, .lo = (v) }
#define C_STR(p, v)	 { .path = (p), .op = OP_STR, .s = (v) }
#define C_STR2(p, a, b)	 { .path = (p), .op = OP_STR2, .s = (a), .s2 = (b) }
#define C_INT(p, v)	 { .path = (p), .op = OP_INT, .lo = (v) }
#define C_RANGE(p, a, b) { .path = (p), .op = OP_RANGE, .lo = (a), .hi = (b) }
#define C_BOOL(p, v)	 { .path = (p), .op = OP_BOOL, .lo = (v) }
#define C_NULL(p)	 { .path = (p), .op = OP_NULL }

static bool cond_ok(const struct jq_val *rec, const struct cond *c)
{
	const char *s;
	int64_t i;
	bool b;

	switch (c->op) {
	case OP_STR:
		s = jq_str(rec, c->path);
		return s && !strcmp(s, c->s);
	case OP_STR2:
		s = jq_str(rec, c->path);
		return s && (!strcmp(s, c->s) || !strcmp(s, c->s2));
	case OP_INT:
		return jq_int(rec, c->path, &i) && i == c->lo;
	case OP_RANGE:
		return jq_int(rec, c->path, &i) && i >= c->lo && i <= c->hi;
	case OP_BOOL:
		return jq_bool(rec, c->path, &b) && b == (c->lo != 0);
	case OP_NULL:
		return jq_is_null(rec, c->path);
	}
	return false;
}

static void cond_want(const struct cond *c, char *buf, size_t len)
{
	switch (c->op) {
	case OP_STR:
		snprintf(buf, len, "%s == \"%s\"", c->path, c->s);
		break;
	case OP_STR2:
		snprintf(buf, len, "%s == \"%s\" or \"%s\"", c->path, c->s, c->s2);
		break;
	case OP_INT:
		snprintf(buf, len, "%s == %" PRId64, c->path, c->lo);
		break;
	case OP_RANGE:
		if (c->hi == INT64_MAX)
			snprintf(buf, len, "%s >= %" PRId64, c->path, c->lo);
		else
			snprintf(buf, len, "%s in [%" PRId64 ", %" PRId64 "]", c->path, c->lo,
				 c->hi);
		break;
	case OP_BOOL:
		snprintf(buf, len, "%s == %s", c->path, c->lo ? "true" : "false");
		break;
	case OP_NULL:
		snprintf(buf, len, "%s == null", c->path);
		break;
	}
}

static void val_text(const struct jq_val *v, char *buf, size_t len)
{
	if (!v) {
		snprintf(buf, len, "(missing)");
		return;
	}
	switch (v->type) {
	case JQ_NULL:
		snprintf(buf, len, "null");
		break;
	case JQ_BOOL:
		snprintf(buf, len, "%s", v->b ? "true" : "false");
		break;
	case JQ_NUM:
		if (v->is_int)
			snprintf(buf, len, "%" PRId64, v->i);
		else
			snprintf(buf, len, "%g", v->num);
		break;
	case JQ_STR:
		snprintf(buf, len, "\"%s\"", v->str);
		break;
	case JQ_ARR:
		snprintf(buf, len, "an array");
		break;
	case JQ_OBJ:
		snprintf(buf, len, "an object");
		break;
	}
}

/* "expected X, got Y" for every condition rec fails */
static void describe_misses(const struct jq_val *rec, const struct cond *c, int n, char *buf,
			    size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++) {
		char want[160], got[160];

		if (cond_ok(rec, &c[i]))
			continue;
		cond_want(&c[i], want, sizeof(want));
		val_text(jq_get(rec, c[i].path), got, sizeof(got));
		used += snprintf(buf + used, len - used, "%sexpected %s, got %s", used ? "; " : "",
				 want, got);
	}
}

static void describe_all(const struct cond *c, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++) {
		char want[160];

		cond_want(&c[i], want, sizeof(want));
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", want);
	}
}

/*
 * Wait up to timeout_ms for a record received since seq `since` that
 * satisfies every condition; c[0] must be the type.  One check line.
 * When it fails, the closest record is shown with what differs: closest
 * means all key conditions hold if any record has them, then the type,
 * then the most conditions satisfied.
 */
static bool expect(const char *sc, const char *what, uint64_t since, int timeout_ms,
		   const struct cond *c, int n)
{
	int64_t start = now_ms(), deadline = start + timeout_ms;
	uint64_t next = since, seen = 0;
	int best_score = -1, nkeys = 0;
	char misses[2048] = "", want[1536];
	char *best_text = NULL;
	bool found = false, keyed = false;

	for (int i = 0; i < n; i++)
		nkeys += c[i].key;
	for (int iter = 0; iter < 1000000 && !found; iter++) {
		uint64_t oldest = g_nrecs > MAX_RECS ? g_nrecs - MAX_RECS : 0;
		int64_t now;

		if (next < oldest)
			next = oldest;
		for (; next < g_nrecs; next++) {
			const struct rec *r = &g_recs[next % MAX_RECS];
			int sat = 0, keys = 0, score;

			seen++;
			for (int k = 0; k < n; k++)
				if (cond_ok(r->v, &c[k])) {
					sat++;
					keys += c[k].key;
				}
			if (sat == n) {
				found = true;
				diag("%s: %s matched: %s", sc, what, r->text);
				break;
			}
			score = (keys == nkeys ? 100000 : 0) + (cond_ok(r->v, &c[0]) ? 1000 : 0) +
				sat;
			if (keys == nkeys && !keyed) {
				keyed = true;
				if (deadline > now_ms() + GRACE_MS)
					deadline = now_ms() + GRACE_MS;
			}
			if (score > best_score) {
				best_score = score;
				free(best_text);
				best_text = strdup(r->text);
				describe_misses(r->v, c, n, misses, sizeof(misses));
			}
		}
		if (found)
			break;
		now = now_ms();
		if (now >= deadline || g_stop || g_kwhy_eof)
			break;
		pump(-1, deadline - now < 100 ? (int)(deadline - now) : 100);
	}
	if (found) {
		pass(sc, what);
		free(best_text);
		return true;
	}
	describe_all(c, n, want, sizeof(want));
	if (best_score < 0)
		fail(sc, what, "wanted a record with %s; none arrived in %.1f s%s", want,
		     (now_ms() - start) / 1000.0, g_kwhy_eof ? " (kwhy has exited)" : "");
	else if (best_score < 1000)
		fail(sc, what, "wanted a record with %s; no \"%s\" record among the %" PRIu64
		     " received in %.1f s%s; closest record: %s", want, c[0].s, seen,
		     (now_ms() - start) / 1000.0, g_kwhy_eof ? " (kwhy has exited)" : "",
		     best_text ? best_text : "?");
	else
		fail(sc, what, "no record matched in %.1f s%s; the closest one differs: %s; "
		     "closest record: %s", (now_ms() - start) / 1000.0,
		     g_kwhy_eof ? " (kwhy has exited)" : "", misses, best_text ? best_text : "?");
	free(best_text);
	return false;
}

/* ---- children ---- */

/* What a child tells the driver.  stage != ST_OK: setup failed there. */
enum stage { ST_OK, ST_SOCKET, ST_BIND, ST_NAME, ST_LISTEN, ST_POLL, ST_UNSHARE, ST_CGROUP };

static const char *const stage_names[] = {
	[ST_OK] = "ok", [ST_SOCKET] = "socket()", [ST_BIND] = "bind()",
	[ST_NAME] = "getsockname()", [ST_LISTEN] = "listen()", [ST_POLL] = "poll()",
	[ST_UNSHARE] = "unshare(CLONE_NEWNET)", [ST_CGROUP] = "joining the cgroup",
};

struct report {
	int stage;
	int err;		/* errno of the stage, or of the action */
	int port;		/* a local port */
	int err2;		/* a second errno (SO_ERROR) */
	int ifindex;
	char name[IFNAMSIZ];	/* an interface */
};

struct child {
	pid_t pid;
	int rd;			/* reports from the child */
	int ctl;		/* closing it tells the child to finish */
	bool holder;		/* holds a network namespace */
	bool reaped;
	int status;
};

typedef int (*child_fn)(const void *arg, int wr, int ctl);

/* Children of the running scenario; cleanup() kills what still lives and
 * empties the table, so pointers into it stay valid for a scenario. */
static struct child g_kids[MAX_CHILDREN];
static int g_nkids;

static void report(int wr, int stage, int err, int port, int err2)
{
	struct report r = { .stage = stage, .err = err, .port = port, .err2 = err2 };

	if (write(wr, &r, sizeof(r)) != sizeof(r))
		_exit(124);
}

static int join_netns(pid_t holder)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)holder);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}

/* Fork a child running fn, in holder's network namespace when netns_of.
 * NULL with errno set on failure. */
static struct child *spawn(child_fn fn, const void *arg, pid_t netns_of)
{
	int rep[2], ctl[2];
	struct child *c;
	pid_t pid;

	if (g_nkids >= MAX_CHILDREN) {
		errno = EMFILE;
		return NULL;
	}
	if (pipe2(rep, O_CLOEXEC))
		return NULL;
	if (pipe2(ctl, O_CLOEXEC)) {
		close(rep[0]);
		close(rep[1]);
		return NULL;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(rep[0]);
		close(rep[1]);
		close(ctl[0]);
		close(ctl[1]);
		return NULL;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != g_self)
			_exit(126);
		close(rep[0]);
		close(ctl[1]);
		if (g_kwhy_fd >= 0)
			close(g_kwhy_fd);
		if (netns_of && join_netns(netns_of))
			_exit(125);
		_exit(fn(arg, rep[1], ctl[0]) & 0xff);
	}
	close(rep[1]);
	close(ctl[0]);
	c = &g_kids[g_nkids++];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->rd = rep[0];
	c->ctl = ctl[1];
	return c;
}

static void child_close_fds(struct child *c)
{
	if (c->rd >= 0)
		close(c->rd);
	if (c->ctl >= 0)
		close(c->ctl);
	c->rd = c->ctl = -1;
}

/* Reap c within ms, reading kwhy meanwhile.  True when it has exited. */
static bool child_wait(struct child *c, int ms)
{
	int64_t deadline = now_ms() + ms;

	if (c->reaped)
		return true;
	for (int i = 0; i < 100000; i++) {
		int st;
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid) {
			c->reaped = true;
			c->status = st;
			child_close_fds(c);
			return true;
		}
		if (r < 0 && errno != EINTR) {	/* not ours any more: give up */
			c->reaped = true;
			c->status = -1;
			child_close_fds(c);
			return true;
		}
		if (now_ms() >= deadline)
			return false;
		pump(-1, 20);
	}
	return false;
}

/* SIGKILL our own child c (by its pid) and reap it. */
static void child_kill(struct child *c)
{
	if (c->reaped)
		return;
	kill(c->pid, SIGKILL);
	if (!child_wait(c, 5000))
		fprintf(stderr, "kwhy-itest: child %d did not die after SIGKILL\n", (int)c->pid);
}

/* Read the child's report within ms; false if it exited or said nothing. */
static bool child_report(struct child *c, struct report *r, int ms)
{
	int64_t deadline = now_ms() + ms;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 100000; i++) {
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return false;
		if (pump(c->rd, left > 100 ? 100 : (int)left))
			break;
	}
	do {
		n = read(c->rd, r, sizeof(*r));
	} while (n < 0 && errno == EINTR);
	return n == sizeof(*r);
}

static const char *report_text(const struct report *r)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s failed: %s", stage_names[r->stage], strerror(r->err));
	return buf;
}

/* ---- addresses ---- */

static socklen_t mkaddr(struct sockaddr_storage *ss, int family, const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, ip, &a->sin_addr);
		return sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		return sizeof(*a);
	}
}

static int sock_port(int s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(s, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A TCP port nobody listens on: bind port 0, note it, close. */
static int free_port(int family, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family, ip, 0);
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (s < 0)
		return -1;
	if (!bind(s, (struct sockaddr *)&ss, len))
		port = sock_port(s);
	close(s);
	return port;
}

/* ---- child programs ---- */

struct conn_arg {
	int family;
	const char *ip;		/* where to connect */
	int port;
	bool nonblock;
	const char *bind_ip;	/* bind this address, port 0, first */
};

/* connect() to a closed port: reports its own port, connect's errno and,
 * non-blocking, SO_ERROR after poll(). */
static int child_connect(const void *p, int wr, int ctl)
{
	const struct conn_arg *a = p;
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_storage ss;
	socklen_t len;
	int s, err = 0, err2 = 0, port = -1;

	(void)ctl;
	s = socket(a->family, SOCK_STREAM | (a->nonblock ? SOCK_NONBLOCK : 0), 0);
	if (s < 0) {
		report(wr, ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (a->bind_ip) {
		len = mkaddr(&ss, a->family, a->bind_ip, 0);
		if (bind(s, (struct sockaddr *)&ss, len)) {
			report(wr, ST_BIND, errno, -1, 0);
			return 1;
		}
		port = sock_port(s);
		if (port < 0) {
			report(wr, ST_NAME, errno, -1, 0);
			return 1;
		}
	}
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = mkaddr(&ss, a->family, a->ip, a->port);
	if (connect(s, (struct sockaddr *)&ss, len))
		err = errno;
	if (a->nonblock && err == EINPROGRESS) {
		struct pollfd pf = { .fd = s, .events = POLLOUT };
		socklen_t elen = sizeof(err2);

		if (poll(&pf, 1, 5000) <= 0) {
			report(wr, ST_POLL, errno ? errno : ETIMEDOUT, port, 0);
			return 1;
		}
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err2, &elen))
			err2 = -errno;
	}
	report(wr, ST_OK, err, port, err2);
	close(s);
	return 0;
}

enum listen_mode { L_WAIT_CTL, L_EXIT_7, L_PAUSE };

struct listen_arg {
	int family;
	const char *ip;
	int port;		/* 0: any */
	enum listen_mode mode;
};

/* Listen on ip:port, report the port, then finish as the mode says. */
static int child_listen(const void *p, int wr, int ctl)
{
	const struct listen_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, a->family, a->ip, a->port);
	int s, port;
	char c;

	s = socket(a->family, SOCK_STREAM, 0);
	if (s < 0) {
		report(wr, ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (bind(s, (struct sockaddr *)&ss, len)) {
		report(wr, ST_BIND, errno, -1, 0);
		return 1;
	}
	if (listen(s, 16)) {
		report(wr, ST_LISTEN, errno, -1, 0);
		return 1;
	}
	port = sock_port(s);
	if (port < 0) {
		report(wr, ST_NAME, errno, -1, 0);
		return 1;
	}
	report(wr, ST_OK, 0, port, 0);
	switch (a->mode) {
	case L_EXIT_7:
		_exit(7);	/* exit_group(7) with the listener open */
	case L_PAUSE:
		for (int i = 0; i < 3600; i++)	/* the driver SIGKILLs it */
			pause();
		return 1;
	case L_WAIT_CTL:
		while (read(ctl, &c, 1) < 0 && errno == EINTR)
			;
		break;
	}
	close(s);
	return 0;
}

struct bind_arg {
	int family;
	const char *ip;
	int port;
};

/* bind() only; reports its errno */
static int child_bind(const void *p, int wr, int ctl)
{
	const struct bind_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, a->family, a->ip, a->port);
	int s, err = 0;

	(void)ctl;
	s = socket(a->family, SOCK_STREAM, 0);
	if (s < 0) {
		report(wr, ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (bind(s, (struct sockaddr *)&ss, len))
		err = errno;
	report(wr, ST_OK, err, a->port, 0);
	close(s);
	return 0;
}

/* Holds a new network namespace until the driver closes ctl (or dies). */
static int child_netns_holder(const void *p, int wr, int ctl)
{
	char c;

	(void)p;
	if (unshare(CLONE_NEWNET)) {
		report(wr, ST_UNSHARE, errno, -1, 0);
		return 1;
	}
	report(wr, ST_OK, 0, -1, 0);
	for (int i = 0; i < 1000; i++) {
		ssize_t n = read(ctl, &c, 1);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	return 0;
}

/* In a namespace holding only lo, the veth p and its peer: the peer's
 * name and index. */
static int child_find_peer(const void *p, int wr, int ctl)
{
	struct if_nameindex *ni = if_nameindex(), *i;
	struct report r = { .stage = ST_NAME, .err = ENODEV };

	(void)ctl;
	for (i = ni; i && i->if_index; i++) {
		if (!strcmp(i->if_name, "lo") || !strcmp(i->if_name, p))
			continue;
		if (r.stage == ST_OK) {		/* a third interface: ambiguous */
			r.stage = ST_NAME;
			r.err = EEXIST;
			break;
		}
		r.stage = ST_OK;
		r.err = 0;
		r.ifindex = i->if_index;
		snprintf(r.name, sizeof(r.name), "%s", i->if_name);
	}
	if (ni)
		if_freenameindex(ni);
	if (write(wr, &r, sizeof(r)) != sizeof(r))
		return 1;
	return 0;
}

/* exec `ip ARGS...` (argv[0] is "ip"); stdout goes to stderr */
static int child_exec_ip(const void *p, int wr, int ctl)
{
	char *const *argv = p;
	char *bb[32] = { (char *)"busybox" };

	(void)wr;
	(void)ctl;
	dup2(2, 1);
	execvp("ip", argv);
	for (int i = 0; i < 30 && argv[i]; i++)
		bb[i + 1] = argv[i];
	execvp("busybox", bb);
	fprintf(stderr, "kwhy-itest: cannot run ip: %s\n", strerror(errno));
	return 127;
}

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err ? err : 0;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	buf[n] = '\0';
	close(fd);
	return 0;
}

/* Move into the cgroup directory p, then eat memory 1 MiB at a time. */
static int child_oom(const void *p, int wr, int ctl)
{
	const char *dir = p;
	char path[PATH_MAX + 32], pid[32];
	int err;

	(void)ctl;
	/* should the host itself run short, be the first to go */
	write_file("/proc/self/oom_score_adj", "1000");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	err = write_file(path, pid);
	if (err) {
		snprintf(path, sizeof(path), "%s/tasks", dir);
		if (write_file(path, pid) == 0)
			err = 0;
	}
	if (err) {
		report(wr, ST_CGROUP, -err, -1, 0);
		return 2;
	}
	report(wr, ST_OK, 0, -1, 0);
	for (int i = 0; i < 512; i++) {
		char *m = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (m == MAP_FAILED)
			return 4;
		memset(m, 0x5a, MIB);
	}
	return 3;	/* 512 MiB and still alive: no limit applied */
}

/* ---- commands, namespaces, cgroups ---- */

static bool run_ip(pid_t netns_of, char *msg, size_t msglen, const char *const *args)
{
	char *argv[32] = { (char *)"ip" };
	char cmd[256] = "ip";
	struct child *c;
	int n = 1;

	for (int i = 0; args[i] && n < 31; i++, n++) {
		argv[n] = (char *)args[i];
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	}
	argv[n] = NULL;
	diag("running: %s%s", cmd, netns_of ? " (in the test namespace)" : "");
	c = spawn(child_exec_ip, argv, netns_of);
	if (!c) {
		snprintf(msg, msglen, "cannot fork for '%s': %s", cmd, strerror(errno));
		return false;
	}
	if (!child_wait(c, CMD_MS)) {
		child_kill(c);
		snprintf(msg, msglen, "'%s' did not finish in %d s", cmd, CMD_MS / 1000);
		return false;
	}
	if (!WIFEXITED(c->status) || WEXITSTATUS(c->status)) {
		snprintf(msg, msglen, "'%s'%s %s", cmd, netns_of ? " (in the namespace)" : "",
			 status_text(c->status));
		return false;
	}
	return true;
}

#define IP(ns, msg, ...) run_ip((ns), (msg), sizeof(msg), (const char *const[]){ __VA_ARGS__, NULL })

static char g_veth[IFNAMSIZ];			/* host end, to delete */
static char g_cgroups[MAX_CGROUPS][PATH_MAX];	/* created, in order */
static int g_ncgroups;

/* Remove everything a scenario created; fails a check for what could
 * not be removed. */
static void cleanup(const char *sc)
{
	char msg[512], path[64];

	/* workers first, then the veth, then the namespace holders */
	for (int i = 0; i < g_nkids; i++)
		if (!g_kids[i].holder)
			child_kill(&g_kids[i]);
	if (g_veth[0]) {
		snprintf(path, sizeof(path), "/sys/class/net/%s", g_veth);
		if (!access(path, F_OK) && !IP(0, msg, "link", "del", g_veth))
			fail(sc, "cleanup", "%s", msg);
		g_veth[0] = '\0';
	}
	for (int i = 0; i < g_nkids; i++)
		if (g_kids[i].holder)
			child_kill(&g_kids[i]);
	for (int i = 0; i < g_nkids; i++)
		child_close_fds(&g_kids[i]);
	g_nkids = 0;
	for (int i = g_ncgroups - 1; i >= 0; i--) {
		int err = 0;

		for (int k = 0; k < 50; k++) {
			if (!rmdir(g_cgroups[i]) || errno == ENOENT) {
				err = 0;
				break;
			}
			err = errno;
			pump(-1, 100);
		}
		if (err)
			fail(sc, "cleanup", "cannot remove cgroup %s: %s", g_cgroups[i],
			     strerror(err));
		else
			diag("removed %s", g_cgroups[i]);
	}
	g_ncgroups = 0;
}

static unsigned long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

/* ---- scenarios ---- */

static unsigned long netns_ino_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return ino_of(path);
}

/* A blocking (or non-blocking) connect to a closed loopback port. */
static void scen_refused(const char *sc, int family, const char *ip, bool nonblock)
{
	uint64_t since = g_nrecs;
	int port = free_port(family, ip);
	struct conn_arg a = { .family = family, .ip = ip, .port = port, .nonblock = nonblock,
			      .bind_ip = nonblock ? NULL : ip };
	struct report r;
	struct child *c;

	if (port <= 0) {
		fail(sc, "setup", "no free TCP port on %s: %s", ip, strerror(errno));
		return;
	}
	diag("%s: connecting to %s port %d", sc, ip, port);
	if (!(c = spawn(child_connect, &a, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(c, &r, CHILD_MS)) {
		if (!child_wait(c, 1000))
			child_kill(c);
		fail(sc, "connect refused", "the client (pid %d) reported nothing; it %s",
		     (int)c->pid, status_text(c->status));
		return;
	}
	child_wait(c, CHILD_MS);
	if (r.stage != ST_OK) {
		fail(sc, "connect refused", "the client (pid %d): %s", (int)c->pid, report_text(&r));
		return;
	}
	if (nonblock) {
		if (r.err == EINPROGRESS && r.err2 == ECONNREFUSED)
			pass(sc, "connect EINPROGRESS, then SO_ERROR ECONNREFUSED");
		else
			fail(sc, "connect EINPROGRESS, then SO_ERROR ECONNREFUSED",
			     "connect() to %s port %d: %s, SO_ERROR %d (%s)", ip, port,
			     r.err ? strerror(r.err) : "success", r.err2, strerror(r.err2));
	} else if (r.err == ECONNREFUSED) {
		pass(sc, "connect refused");
	} else {
		fail(sc, "connect refused", "connect() to %s port %d: %s, expected ECONNREFUSED",
		     ip, port, r.err ? strerror(r.err) : "success");
	}

	if (!nonblock) {
		const struct cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", port),
			C_STR("local.addr", ip),
			C_INT("remote.port", r.port),
			C_STR("remote.addr", ip),
			C_BOOL("no_socket", true),
			C_INT("netns", g_host_netns),
			C_STR("reason", "NO_SOCKET"),
			C_STR2("source", "tcp_send_reset", "kfree_skb"),
		};
		const struct cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", c->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ip),
			C_INT("remote.port", port),
			C_INT("local.port", r.port),
			C_BOOL("reset_received", true),
			C_INT("netns", g_host_netns),
		};

		expect(sc, "reset_sent", since, EXPECT_MS, rs, ARRAY_SIZE(rs));
		expect(sc, "connect_failed", since, EXPECT_MS, cf, ARRAY_SIZE(cf));
	} else {
		const struct cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", c->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ip),
			C_INT("remote.port", port),
			C_BOOL("reset_received", true),
		};

		expect(sc, "connect_failed", since, EXPECT_MS, cf, ARRAY_SIZE(cf));
	}
}

static void scen_refused_ipv4(const char *sc)
{
	scen_refused(sc, AF_INET, "127.0.0.1", false);
}

static void scen_refused_ipv6(const char *sc)
{
	scen_refused(sc, AF_INET6, "::1", false);
}

static void scen_refused_nonblocking(const char *sc)
{
	scen_refused(sc, AF_INET, "127.0.0.1", true);
}

/* A free 10.213.N.0/30: no address of the host in it. */
static int pick_subnet(void)
{
	struct ifaddrs *ifa, *i;
	bool used[65] = { false };

	if (getifaddrs(&ifa))
		return 1;
	for (i = ifa; i; i = i->ifa_next) {
		const unsigned char *b;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		b = (const unsigned char *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (b[0] == 10 && b[1] == 213 && b[2] >= 1 && b[2] <= 64 && b[3] < 4)
			used[b[2]] = true;
	}
	freeifaddrs(ifa);
	for (int n = 1; n <= 64; n++)
		if (!used[n])
			return n;
	return -1;
}

/* Namespace A behind a veth pair; a listener on A's 127.0.0.1:P; a host
 * client dials A's veth address on P and is refused by A. */
static void scen_netns(const char *sc)
{
	uint64_t since = g_nrecs;
	char msg[512], path[128], peer[IF_NAMESIZE + 1] = "", host_ip[32], ns_ip[32], cidr[40];
	char buf[32], veth[IFNAMSIZ];
	struct child *holder, *finder, *lsn, *cli;
	struct report r;
	unsigned long ns_ino;
	int subnet, port, idx, peer_idx;
	struct listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = 0,
				 .mode = L_WAIT_CTL };
	struct conn_arg ca = { .family = AF_INET };

	subnet = pick_subnet();
	if (subnet < 0) {
		fail(sc, "setup", "every 10.213.N.0/30 for N in 1..64 is in use on this host");
		return;
	}
	snprintf(host_ip, sizeof(host_ip), "10.213.%d.1", subnet);
	snprintf(ns_ip, sizeof(ns_ip), "10.213.%d.2", subnet);

	if (!(holder = spawn(child_netns_holder, NULL, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	holder->holder = true;
	if (!child_report(holder, &r, CHILD_MS) || r.stage != ST_OK) {
		fail(sc, "setup", "the namespace holder (pid %d): %s", (int)holder->pid,
		     r.stage ? report_text(&r) : "reported nothing");
		return;
	}
	ns_ino = netns_ino_of(holder->pid);
	diag("%s: namespace A is net:[%lu], held by pid %d", sc, ns_ino, (int)holder->pid);

	/*
	 * The pair is made inside A and one end then moved out: at any moment
	 * an end is in A, so should this program die, A's teardown deletes
	 * the pair.  Only an interface this run made is ever deleted.
	 */
	snprintf(veth, sizeof(veth), "kwit%d", (int)(g_self % 10000000));
	snprintf(path, sizeof(path), "/sys/class/net/%s", veth);
	if (!access(path, F_OK)) {
		fail(sc, "setup", "an interface named %s exists already", veth);
		return;
	}
	if (!IP(holder->pid, msg, "link", "add", veth, "type", "veth")) {
		fail(sc, "setup", "%s", msg);
		return;
	}
	if (!(finder = spawn(child_find_peer, veth, holder->pid))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(finder, &r, CHILD_MS) || r.stage != ST_OK) {
		fail(sc, "setup", "cannot find the peer of %s in A: %s", veth,
		     r.stage ? report_text(&r) : "no report");
		return;
	}
	child_wait(finder, CHILD_MS);
	snprintf(peer, sizeof(peer), "%s", r.name);
	peer_idx = r.ifindex;
	snprintf(buf, sizeof(buf), "%d", (int)g_self);
	if (!IP(holder->pid, msg, "link", "set", veth, "netns", buf)) {
		fail(sc, "setup", "%s", msg);
		return;
	}
	if (!access(path, F_OK))
		snprintf(g_veth, sizeof(g_veth), "%s", veth);
	/* the host end's iflink is its peer's ifindex (in A) */
	snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", veth);
	if (read_file(path, buf, sizeof(buf)) || (idx = atoi(buf)) != peer_idx) {
		fail(sc, "setup", "%s: %s, expected the ifindex of %s in A, %d", path,
		     g_veth[0] ? buf : "missing", peer, peer_idx);
		return;
	}
	diag("%s: veth %s (host) <-> %s (A, ifindex %d), 10.213.%d.0/30", sc, veth, peer,
	     peer_idx, subnet);
	snprintf(cidr, sizeof(cidr), "%s/30", host_ip);
	if (!IP(0, msg, "addr", "add", cidr, "dev", veth) ||
	    !IP(0, msg, "link", "set", veth, "up")) {
		fail(sc, "setup", "%s", msg);
		return;
	}
	snprintf(cidr, sizeof(cidr), "%s/30", ns_ip);
	if (!IP(holder->pid, msg, "link", "set", "lo", "up") ||
	    !IP(holder->pid, msg, "addr", "add", cidr, "dev", peer) ||
	    !IP(holder->pid, msg, "link", "set", peer, "up")) {
		fail(sc, "setup", "%s", msg);
		return;
	}

	/* the listener, inside A, on A's loopback */
	if (!(lsn = spawn(child_listen, &la, holder->pid))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(lsn, &r, CHILD_MS) || r.stage != ST_OK) {
		child_kill(lsn);
		fail(sc, "listener in A", "the listener (pid %d): %s", (int)lsn->pid,
		     r.stage ? report_text(&r) : "reported nothing");
		return;
	}
	port = r.port;
	{
		const struct cond ls[] = {
			K_STR("type", "listen"),
			K_INT("owner.pid", lsn->pid),
			C_STR("local.addr", "127.0.0.1"),
			C_INT("local.port", port),
			C_INT("netns", ns_ino),
		};

		expect(sc, "listen in A", since, EXPECT_MS, ls, ARRAY_SIZE(ls));
	}

	/* the client, on the host, dials A's veth address */
	ca.ip = ns_ip;
	ca.port = port;
	if (!(cli = spawn(child_connect, &ca, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(cli, &r, CHILD_MS)) {
		child_kill(cli);
		fail(sc, "connect refused", "the client (pid %d) reported nothing", (int)cli->pid);
		return;
	}
	child_wait(cli, CHILD_MS);
	if (r.stage != ST_OK)
		fail(sc, "connect refused", "the client (pid %d): %s", (int)cli->pid,
		     report_text(&r));
	else if (r.err != ECONNREFUSED)
		fail(sc, "connect refused", "connect() to %s port %d: %s, expected ECONNREFUSED",
		     ns_ip, port, r.err ? strerror(r.err) : "success");
	else
		pass(sc, "connect refused");
	{
		const struct cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", port),
			C_STR("local.addr", ns_ip),
			C_STR("remote.addr", host_ip),
			C_BOOL("no_socket", true),
			C_INT("netns", ns_ino),
			C_STR("reason", "NO_SOCKET"),
			C_STR2("source", "tcp_send_reset", "kfree_skb"),
		};
		const struct cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", cli->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ns_ip),
			C_INT("remote.port", port),
			C_STR("local.addr", host_ip),
			C_INT("netns", g_host_netns),
			C_BOOL("reset_received", true),
		};

		expect(sc, "reset_sent in A", since, EXPECT_MS, rs, ARRAY_SIZE(rs));
		expect(sc, "connect_failed on the host", since, EXPECT_MS, cf, ARRAY_SIZE(cf));
	}
}

/* Two binds of one address: the second gets EADDRINUSE. */
static void scen_bind(const char *sc)
{
	uint64_t since = g_nrecs;
	int port = free_port(AF_INET, "127.0.0.1");
	struct listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = port,
				 .mode = L_WAIT_CTL };
	struct bind_arg ba = { .family = AF_INET, .ip = "127.0.0.1", .port = port };
	struct child *c1, *c2;
	struct report r;

	if (port <= 0) {
		fail(sc, "setup", "no free TCP port: %s", strerror(errno));
		return;
	}
	if (!(c1 = spawn(child_listen, &la, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(c1, &r, CHILD_MS) || r.stage != ST_OK) {
		fail(sc, "first bind and listen", "child 1 (pid %d): %s", (int)c1->pid,
		     r.stage ? report_text(&r) : "reported nothing");
		return;
	}
	if (!(c2 = spawn(child_bind, &ba, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(c2, &r, CHILD_MS) || r.stage != ST_OK)
		fail(sc, "second bind EADDRINUSE", "child 2 (pid %d): %s", (int)c2->pid,
		     r.stage ? report_text(&r) : "reported nothing");
	else if (r.err != EADDRINUSE)
		fail(sc, "second bind EADDRINUSE", "bind() to 127.0.0.1 port %d: %s", port,
		     r.err ? strerror(r.err) : "success");
	else
		pass(sc, "second bind EADDRINUSE");
	child_wait(c2, CHILD_MS);
	close(c1->ctl);		/* child 1 may go */
	c1->ctl = -1;
	child_wait(c1, CHILD_MS);
	{
		const struct cond b2[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", c2->pid),
			C_BOOL("ok", false),
			C_STR("error", "EADDRINUSE"),
			C_INT("addr.port", port),
			C_STR("addr.addr", "127.0.0.1"),
			C_NULL("bound_port"),
		};
		const struct cond b1[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", c1->pid),
			C_BOOL("ok", true),
			C_NULL("error"),
			C_INT("addr.port", port),
			C_STR("addr.addr", "127.0.0.1"),
			C_INT("bound_port", port),
		};

		expect(sc, "bind EADDRINUSE of child 2", since, EXPECT_MS, b2, ARRAY_SIZE(b2));
		expect(sc, "bind ok of child 1", since, EXPECT_MS, b1, ARRAY_SIZE(b1));
	}
}

/* A listener that exits with code 7, or is SIGKILLed by the driver. */
static void scen_listener_dies(const char *sc, bool killed)
{
	uint64_t since = g_nrecs;
	struct listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = 0,
				 .mode = killed ? L_PAUSE : L_EXIT_7 };
	struct report r;
	struct child *c;
	int port;

	if (!(c = spawn(child_listen, &la, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(c, &r, CHILD_MS) || r.stage != ST_OK) {
		child_kill(c);
		fail(sc, "listen", "the listener (pid %d): %s", (int)c->pid,
		     r.stage ? report_text(&r) : "reported nothing");
		return;
	}
	port = r.port;
	if (killed && kill(c->pid, SIGKILL)) {
		fail(sc, "kill", "kill(%d, SIGKILL): %s", (int)c->pid, strerror(errno));
		return;
	}
	if (!child_wait(c, CHILD_MS)) {
		child_kill(c);
		fail(sc, killed ? "killed" : "exit code 7", "the listener (pid %d) did not exit",
		     (int)c->pid);
	} else if (killed) {
		if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL)
			pass(sc, "killed");
		else
			fail(sc, "killed", "the listener %s", status_text(c->status));
	} else {
		if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 7)
			pass(sc, "exit code 7");
		else
			fail(sc, "exit code 7", "the listener %s", status_text(c->status));
	}

	if (killed) {
		const struct cond sg[] = {
			K_STR("type", "signal"),
			K_INT("target.pid", c->pid),
			C_INT("sender.pid", g_self),
			C_STR("signal", "SIGKILL"),
		};
		const struct cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_STR("signal", "SIGKILL"),
			C_NULL("exit_code"),
			C_BOOL("held_listener", true),
		};
		const struct cond lc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", c->pid),
			C_INT("local.port", port),
			C_STR("local.addr", "127.0.0.1"),
			C_STR("how", "owner_killed"),
			C_STR("signal", "SIGKILL"),
		};

		expect(sc, "signal", since, EXPECT_MS, sg, ARRAY_SIZE(sg));
		expect(sc, "process_exit", since, EXPECT_MS, ex, ARRAY_SIZE(ex));
		expect(sc, "listen_close", since, EXPECT_MS, lc, ARRAY_SIZE(lc));
	} else {
		const struct cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_INT("exit_code", 7),
			C_NULL("signal"),
			C_BOOL("held_listener", true),
		};
		const struct cond lc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", c->pid),
			C_INT("local.port", port),
			C_STR("local.addr", "127.0.0.1"),
			C_STR("how", "owner_exited"),
			C_INT("exit_code", 7),
		};

		expect(sc, "process_exit", since, EXPECT_MS, ex, ARRAY_SIZE(ex));
		expect(sc, "listen_close", since, EXPECT_MS, lc, ARRAY_SIZE(lc));
	}
}

static void scen_listener_exits(const char *sc)
{
	scen_listener_dies(sc, false);
}

static void scen_listener_killed(const char *sc)
{
	scen_listener_dies(sc, true);
}

/* ---- memory cgroups ---- */

struct memcg_env {
	bool v1;
	char own[PATH_MAX];	/* the driver's own memory cgroup directory */
};

static void unescape_mnt(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static bool has_token(const char *list, const char *sep, const char *word)
{
	char tmp[1024], *save, *t;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (t = strtok_r(tmp, sep, &save); t; t = strtok_r(NULL, sep, &save))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* The mount of a cgroup v1 hierarchy with the memory controller (v2:
 * false), or of cgroup2 (v2: true): its root and mount point. */
static bool find_cgroup_mount(bool v2, char *root, char *point, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	for (int n = 0; n < 10000 && !found && fgets(line, sizeof(line), f); n++) {
		char *field[64], *save, *t;
		int nf = 0, dash = -1;

		line[strcspn(line, "\n")] = '\0';
		for (t = strtok_r(line, " ", &save); t && nf < 64; t = strtok_r(NULL, " ", &save))
			field[nf++] = t;
		for (int i = 6; i < nf; i++)
			if (!strcmp(field[i], "-")) {
				dash = i;
				break;
			}
		if (dash < 0 || dash + 3 >= nf)
			continue;
		if (v2 ? strcmp(field[dash + 1], "cgroup2") :
			 (strcmp(field[dash + 1], "cgroup") ||
			  !has_token(field[dash + 3], ",", "memory")))
			continue;
		unescape_mnt(field[3]);
		unescape_mnt(field[4]);
		snprintf(root, len, "%s", field[3]);
		snprintf(point, len, "%s", field[4]);
		found = true;
	}
	fclose(f);
	return found;
}

/* The driver's cgroup in the v1 memory hierarchy (v2: the unified one). */
static bool own_cgroup_path(bool v2, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	for (int n = 0; n < 1000 && !found && fgets(line, sizeof(line), f); n++) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		line[strlen(line)] = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (v2 ? (!strcmp(line, "0") && c1[1] == '\0') : has_token(c1 + 1, ",", "memory")) {
			snprintf(out, len, "%s", c2 + 1);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The mount point plus the cgroup's path below the mount's root. */
static bool cgroup_dir(const char *root, const char *point, const char *cg, char *out,
		       size_t len)
{
	size_t rl = strlen(root);
	const char *rel;

	if (!strcmp(root, "/"))
		rel = cg;
	else if (!strncmp(cg, root, rl) && (cg[rl] == '/' || cg[rl] == '\0'))
		rel = cg + rl;
	else
		return false;
	if (!strcmp(rel, "/"))
		rel = "";
	return snprintf(out, len, "%s%s", point, rel) < (int)len;
}

/* snprintf for messages, where truncation is harmless */
static void __attribute__((format(printf, 3, 4)))
msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool memcg_find(struct memcg_env *e, char *why, size_t wlen)
{
	char root[PATH_MAX], point[PATH_MAX], cg[PATH_MAX], buf[512], path[PATH_MAX + 32];

	memset(e, 0, sizeof(*e));
	if (find_cgroup_mount(false, root, point, sizeof(root))) {
		e->v1 = true;
		if (!own_cgroup_path(false, cg, sizeof(cg))) {
			snprintf(why, wlen, "no memory line in /proc/self/cgroup");
			return false;
		}
		if (!cgroup_dir(root, point, cg, e->own, sizeof(e->own))) {
			msgf(why, wlen, "own memory cgroup %s is outside the mount %s (root %s)", cg,
			     point, root);
			return false;
		}
		return true;
	}
	if (!find_cgroup_mount(true, root, point, sizeof(root))) {
		snprintf(why, wlen, "no memory controller: neither a cgroup v1 mount with "
			 "\"memory\" nor a cgroup2 mount in /proc/self/mountinfo");
		return false;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", point);
	if (read_file(path, buf, sizeof(buf)) || !has_token(buf, " \n", "memory")) {
		snprintf(why, wlen, "no memory controller: cgroup2 at %s does not enable \"memory\" "
			 "in its root cgroup.subtree_control", point);
		return false;
	}
	if (!own_cgroup_path(true, cg, sizeof(cg)) ||
	    !cgroup_dir(root, point, cg, e->own, sizeof(e->own))) {
		snprintf(why, wlen, "cannot place the driver's cgroup2 cgroup under %s", point);
		return false;
	}
	return true;
}

/* Enable the memory controller for dir's children (v2). */
static int enable_memory(const char *dir)
{
	char path[PATH_MAX + 32], buf[512];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (!read_file(path, buf, sizeof(buf)) && has_token(buf, " \n", "memory"))
		return 0;
	return write_file(path, "+memory");
}

static bool make_cgroup(const struct memcg_env *e, const char *dir, bool limit, char *why,
			size_t wlen)
{
	char path[PATH_MAX + 32], val[32];
	int err;

	if (g_ncgroups >= MAX_CGROUPS) {
		snprintf(why, wlen, "too many cgroups");
		return false;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(why, wlen, "mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	snprintf(g_cgroups[g_ncgroups++], PATH_MAX, "%s", dir);
	diag("created %s", dir);
	if (!limit)
		return true;
	snprintf(val, sizeof(val), "%lld", OOM_LIMIT);
	snprintf(path, sizeof(path), "%s/%s", dir, e->v1 ? "memory.limit_in_bytes" : "memory.max");
	err = write_file(path, val);
	if (err) {
		snprintf(why, wlen, "writing %s to %s: %s", val, path, strerror(-err));
		return false;
	}
	if (e->v1) {
		snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
		write_file(path, val);	/* without swap accounting, absent */
	} else {
		snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
		if (!access(path, F_OK)) {
			err = write_file(path, "0");
			if (err) {
				snprintf(why, wlen, "writing 0 to %s: %s", path, strerror(-err));
				return false;
			}
		}
	}
	return true;
}

/* Remove what an earlier run killed by SIGKILL left in own: kwhy-itest-PID-*
 * cgroups of PIDs that no longer exist (and have no tasks: rmdir says so). */
static void remove_stale_cgroups(const char *own)
{
	DIR *d = opendir(own);
	struct dirent *de;

	for (int n = 0; d && n < 100000 && (de = readdir(d)); n++) {
		char rest[32], proc[32], path[PATH_MAX + 300];
		int pid;

		if (sscanf(de->d_name, "kwhy-itest-%d-%31s", &pid, rest) != 2 || pid <= 0 ||
		    pid == g_self || (strcmp(rest, "oom") && strcmp(rest, "parent")))
			continue;
		snprintf(proc, sizeof(proc), "/proc/%d", pid);
		if (!access(proc, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s/child", own, de->d_name);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/%s", own, de->d_name);
		if (!rmdir(path))
			diag("removed %s, left by an earlier run", path);
	}
	if (d)
		closedir(d);
}

/* A memory hog in a 64 MiB cgroup (parent_limit: in an unlimited child of
 * a 64 MiB cgroup) is OOM-killed; kwhy names the cgroup whose limit did it. */
static void scen_oom(const char *sc, bool parent_limit)
{
	uint64_t since = g_nrecs;
	char why[PATH_MAX + 256], top[PATH_MAX], sub[PATH_MAX];
	const char *victim_dir;
	unsigned long limit_id, victim_id;
	struct memcg_env e;
	struct report r;
	struct child *c;
	int err;

	if (!memcg_find(&e, why, sizeof(why))) {
		fail(sc, "setup", "cannot run: %s", why);
		return;
	}
	diag("%s: memory cgroup %s (%s)", sc, e.own, e.v1 ? "v1" : "v2");
	remove_stale_cgroups(e.own);
	if (!e.v1 && (err = enable_memory(e.own))) {
		fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s",
		     e.own, strerror(-err));
		return;
	}
	if (snprintf(top, sizeof(top), "%s/kwhy-itest-%d-%s", e.own, (int)g_self,
		     parent_limit ? "parent" : "oom") >= (int)sizeof(top)) {
		fail(sc, "setup", "cannot run: the cgroup path %s is too long", e.own);
		return;
	}
	if (!make_cgroup(&e, top, true, why, sizeof(why))) {
		fail(sc, "setup", "cannot run: %s", why);
		return;
	}
	victim_dir = top;
	if (parent_limit) {
		if (!e.v1 && (err = enable_memory(top))) {
			fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: "
			     "%s", top, strerror(-err));
			return;
		}
		if (snprintf(sub, sizeof(sub), "%s/child", top) >= (int)sizeof(sub)) {
			fail(sc, "setup", "cannot run: the cgroup path %s is too long", top);
			return;
		}
		if (!make_cgroup(&e, sub, false, why, sizeof(why))) {
			fail(sc, "setup", "cannot run: %s", why);
			return;
		}
		victim_dir = sub;
	}
	limit_id = ino_of(top);
	victim_id = ino_of(victim_dir);
	diag("%s: limit in %s (id %lu), victim in %s (id %lu)", sc, top, limit_id, victim_dir,
	     victim_id);

	if (!(c = spawn(child_oom, victim_dir, 0))) {
		fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!child_report(c, &r, CHILD_MS) || r.stage != ST_OK) {
		child_kill(c);
		fail(sc, "OOM-killed", "the victim (pid %d): %s", (int)c->pid,
		     r.stage ? report_text(&r) : "reported nothing");
		return;
	}
	if (!child_wait(c, OOM_CHILD_MS)) {
		child_kill(c);
		fail(sc, "OOM-killed", "the victim (pid %d) was still alive after %d s", (int)c->pid,
		     OOM_CHILD_MS / 1000);
	} else if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL) {
		pass(sc, "OOM-killed");
	} else {
		fail(sc, "OOM-killed", "the victim (pid %d) %s; expected death by SIGKILL%s",
		     (int)c->pid, status_text(c->status),
		     WIFEXITED(c->status) && WEXITSTATUS(c->status) == 3 ?
		     " (it touched 512 MiB: the limit did not apply)" : "");
	}
	{
		const struct cond oom[] = {
			K_STR("type", "oom_kill"),
			K_INT("victim.pid", c->pid),
			C_STR("constraint", "memcg"),
			C_INT("limiting_memcg.cgroup_id", limit_id),
			C_INT("limiting_memcg.limit_bytes", OOM_LIMIT),
			C_INT("limiting_memcg.level", parent_limit ? 1 : 0),
			C_RANGE("limiting_memcg.usage_bytes", OOM_LIMIT - 8 * MIB, OOM_LIMIT),
			C_RANGE("victim_memory.anon_rss_kb", 16385, INT64_MAX),
			C_INT("victim.memcg_id", victim_id),
		};
		const struct cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_STR("signal", "SIGKILL"),
			C_NULL("exit_code"),
		};

		expect(sc, "oom_kill", since, EXPECT_MS, oom, ARRAY_SIZE(oom));
		expect(sc, "process_exit", since, EXPECT_MS, ex, ARRAY_SIZE(ex));
	}
}

static void scen_oom_memcg(const char *sc)
{
	scen_oom(sc, false);
}

static void scen_oom_parent(const char *sc)
{
	scen_oom(sc, true);
}

static const struct scenario {
	const char *name;
	void (*run)(const char *sc);
} g_scenarios[] = {
	{ "refused_ipv4", scen_refused_ipv4 },
	{ "refused_ipv6", scen_refused_ipv6 },
	{ "refused_nonblocking", scen_refused_nonblocking },
	{ "netns_localhost_listener", scen_netns },
	{ "bind_eaddrinuse", scen_bind },
	{ "listener_exits_with_code", scen_listener_exits },
	{ "listener_killed_by_signal", scen_listener_killed },
	{ "oom_memcg", scen_oom_memcg },
	{ "oom_parent_limit", scen_oom_parent },
};

/* ---- kwhy itself ---- */

static bool start_kwhy(const char *path)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return false;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		char *argv[] = { (char *)path, (char *)"watch", (char *)"--json",
				 (char *)"--no-aggregate", NULL };

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* a terminal's ^C goes to the driver, which stops kwhy itself;
		 * should the driver die, kwhy stops too */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != g_self)
			_exit(126);
		if (dup2(p[1], 1) < 0)
			_exit(126);
		execv(path, argv);
		fprintf(stderr, "kwhy-itest: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	g_kwhy_pid = pid;
	g_kwhy_fd = p[0];
	fcntl(g_kwhy_fd, F_SETFL, fcntl(g_kwhy_fd, F_GETFL) | O_NONBLOCK);
	fcntl(g_kwhy_fd, F_SETPIPE_SZ, 1 << 20);	/* best effort */
	return true;
}

/* The ready record: attached events and nothing unavailable. */
static bool check_ready(uint64_t since)
{
	const struct cond rd[] = {
		K_STR("type", "ready"),
		C_INT("pid", g_kwhy_pid),
	};
	static const char *const needed[] = { "oom_kill", "process_exit", "signal", "reset_sent",
					      "bind" };
	const struct jq_val *ready = NULL;
	char missing[256] = "", unavail[4096] = "";
	size_t n;

	if (!expect("kwhy", "ready", since, READY_MS, rd, ARRAY_SIZE(rd)))
		return false;
	if (g_nrecs > MAX_RECS && since < g_nrecs - MAX_RECS)
		since = g_nrecs - MAX_RECS;
	for (uint64_t s = since; s < g_nrecs; s++) {
		const char *t = jq_str(g_recs[s % MAX_RECS].v, "type");

		if (t && !strcmp(t, "ready")) {
			ready = g_recs[s % MAX_RECS].v;
			break;
		}
	}
	if (!ready)
		return false;
	n = jq_len(ready, "attached");
	for (int k = 0; k < ARRAY_SIZE(needed); k++) {
		bool have = false;

		for (size_t i = 0; i < n && !have; i++) {
			char path[64];
			const char *ev;

			snprintf(path, sizeof(path), "attached.%zu.event", i);
			ev = jq_str(ready, path);
			have = ev && has_token(ev, ",", needed[k]);
		}
		if (!have)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", needed[k]);
	}
	if (!jq_get(ready, "attached") || jq_get(ready, "attached")->type != JQ_ARR)
		fail("kwhy", "ready.attached", "no \"attached\" array in the ready record");
	else if (missing[0])
		fail("kwhy", "ready.attached", "not attached: %s", missing);
	else
		pass("kwhy", "ready.attached has oom_kill, process_exit, signal, reset_sent, bind");

	n = jq_len(ready, "unavailable");
	for (size_t i = 0; i < n; i++) {
		char p1[64], p2[64];
		const char *ev, *why;

		snprintf(p1, sizeof(p1), "unavailable.%zu.event", i);
		snprintf(p2, sizeof(p2), "unavailable.%zu.why", i);
		ev = jq_str(ready, p1);
		why = jq_str(ready, p2);
		snprintf(unavail + strlen(unavail), sizeof(unavail) - strlen(unavail), "%s%s (%s)",
			 i ? "; " : "", ev ? ev : "?", why ? why : "?");
	}
	if (!jq_get(ready, "unavailable") || jq_get(ready, "unavailable")->type != JQ_ARR)
		fail("kwhy", "ready.unavailable empty", "no \"unavailable\" array in the ready "
		     "record");
	else if (n)
		fail("kwhy", "ready.unavailable empty", "%zu unavailable: %s", n, unavail);
	else
		pass("kwhy", "ready.unavailable empty");
	return true;
}

/* SIGINT to kwhy (its pid), then exit status 0 and the final stats. */
static void stop_kwhy(uint64_t since)
{
	int64_t deadline;
	bool exited = false;
	int st = 0;

	if (!g_kwhy_pid)
		return;
	if (kill(g_kwhy_pid, SIGINT))
		fail("kwhy", "stops on SIGINT", "kill(%d, SIGINT): %s", (int)g_kwhy_pid,
		     strerror(errno));
	deadline = now_ms() + STOP_MS;
	for (int i = 0; i < 100000 && now_ms() < deadline; i++) {
		if (!exited) {
			pid_t r = waitpid(g_kwhy_pid, &st, WNOHANG);

			if (r == g_kwhy_pid || (r < 0 && errno != EINTR))
				exited = true;
		}
		if (exited && g_kwhy_eof)
			break;
		pump(-1, 50);
	}
	if (!exited) {
		fail("kwhy", "exits 0 on SIGINT", "kwhy (pid %d) still running %d s after SIGINT; "
		     "sending SIGKILL", (int)g_kwhy_pid, STOP_MS / 1000);
		kill(g_kwhy_pid, SIGKILL);
		waitpid(g_kwhy_pid, &st, 0);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		pass("kwhy", "exits 0 on SIGINT");
	} else {
		fail("kwhy", "exits 0 on SIGINT", "kwhy %s", status_text(st));
	}
	g_kwhy_pid = 0;
	/* whatever is left in the pipe */
	for (int i = 0; i < 1000 && !g_kwhy_eof; i++)
		pump(-1, 10);
	{
		const struct cond fs[] = {
			K_STR("type", "stats"),
			C_BOOL("final", true),
			C_INT("lost_total", 0),
			C_INT("decode_errors", 0),
		};

		expect("kwhy", "final stats, nothing lost", since, 1000, fs, ARRAY_SIZE(fs));
	}
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: kwhy-itest --kwhy PATH [--only NAME] [-v]\n"
	      "  runs PATH watch --json --no-aggregate and checks what it reports about real\n"
	      "  refused connects, listener deaths, bind conflicts and OOM kills (root only)\n"
	      "scenarios:", f);
	for (int i = 0; i < ARRAY_SIZE(g_scenarios); i++)
		fprintf(f, " %s", g_scenarios[i].name);
	fputc('\n', f);
}

int main(int argc, char **argv)
{
	const char *kwhy = NULL, *only = NULL, *path_env;
	struct sigaction sa = { .sa_handler = on_signal };
	char path[4096];
	bool ready = false;
	uint64_t since;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kwhy") && i + 1 < argc) {
			kwhy = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			g_verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "kwhy-itest: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!kwhy) {
		usage(stderr);
		return 2;
	}
	if (only) {
		bool known = false;

		for (int i = 0; i < ARRAY_SIZE(g_scenarios); i++)
			known |= !strcmp(only, g_scenarios[i].name);
		if (!known) {
			fprintf(stderr, "kwhy-itest: no scenario named '%s'\n", only);
			usage(stderr);
			return 2;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "kwhy-itest: must run as root (BPF, namespaces, cgroups)\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* `ip` lives in an sbin directory */
	path_env = getenv("PATH");
	snprintf(path, sizeof(path), "%s%s/usr/sbin:/usr/bin:/sbin:/bin", path_env ? path_env : "",
		 path_env && *path_env ? ":" : "");
	setenv("PATH", path, 1);

	g_self = getpid();
	g_host_netns = ino_of("/proc/self/ns/net");
	since = g_nrecs;
	if (access(kwhy, X_OK))
		fail("kwhy", "start", "%s: %s", kwhy, strerror(errno));
	else if (!start_kwhy(kwhy))
		fail("kwhy", "start", "cannot start %s: %s", kwhy, strerror(errno));
	else
		ready = check_ready(since);
	/* a scenario that cannot run fails; none is skipped */
	for (int i = 0; i < ARRAY_SIZE(g_scenarios); i++) {
		const struct scenario *s = &g_scenarios[i];

		if (only && strcmp(only, s->name))
			continue;
		if (!ready || g_stop) {
			fail(s->name, "run", "not run: %s", g_stop ? "interrupted by a signal" :
			     "kwhy did not become ready");
			continue;
		}
		diag("scenario %s", s->name);
		s->run(s->name);
		cleanup(s->name);
	}
	cleanup("kwhy-itest");
	stop_kwhy(since);
	if (g_bad_lines)
		fail("kwhy", "every output line is JSON", "%" PRIu64 " of %" PRIu64 " lines are not "
		     "valid JSON; the first: %s", g_bad_lines, g_nlines, g_bad_example);
	else
		pass("kwhy", "every output line is JSON");
	printf("%d passed, %d failed\n", g_passed, g_failed);
	fflush(stdout);
	return g_failed ? 1 : 0;
}
