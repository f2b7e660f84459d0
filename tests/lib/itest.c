// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Integration test machinery (see itest.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "itest.h"

#define INBUF_BYTES	(256 * 1024)

/* ---- globals ---- */

const char *it_prog = "itest";
bool it_verbose;
pid_t it_self;
unsigned long it_host_netns;
volatile sig_atomic_t it_stop;
bool it_losses_expected;
pid_t it_kwhy_pid;
bool it_kwhy_eof;
uint64_t it_nrecs;

static int g_kwhy_fd = -1;		/* kwhy's stdout, non-blocking */
static int g_checks, g_passed, g_failed;

/* ---- time ---- */

int64_t it_now_ms(void)
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

static void on_signal(int sig)
{
	(void)sig;
	it_stop = 1;
}

void it_init(const char *prog)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *path_env;
	char path[4096];

	it_prog = prog;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* `ip` lives in an sbin directory */
	path_env = getenv("PATH");
	snprintf(path, sizeof(path), "%s%s/usr/sbin:/usr/bin:/sbin:/bin", path_env ? path_env : "",
		 path_env && *path_env ? ":" : "");
	setenv("PATH", path, 1);
	it_self = getpid();
	it_host_netns = it_ino_of("/proc/self/ns/net");
}

/* ---- check reporting ---- */

void it_diag(const char *fmt, ...)
{
	va_list ap;

	if (!it_verbose)
		return;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void it_pass(const char *sc, const char *what)
{
	g_checks++;
	g_passed++;
	printf("ok %d - %s: %s\n", g_checks, sc, what);
	fflush(stdout);
}

void it_fail(const char *sc, const char *what, const char *fmt, ...)
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

void it_msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

const char *it_status_text(int st)
{
	static char buf[64];

	if (st == -1)
		snprintf(buf, sizeof(buf), "could not be reaped");
	else if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited with code %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, sizeof(buf), "has wait status 0x%x", st);
	return buf;
}

int it_summary(void)
{
	printf("%d passed, %d failed\n", g_passed, g_failed);
	fflush(stdout);
	return g_failed ? 1 : 0;
}

/* ---- kwhy's output: lines, parsed, in a bounded ring ---- */

struct rec {
	struct jq_val *v;
	char *text;
};

static struct rec g_recs[IT_MAX_RECS];
static uint64_t g_nlines, g_bad_lines;
static char g_bad_example[512];
static char g_inbuf[INBUF_BYTES];
static size_t g_inlen;
static bool g_discarding;		/* skipping an overlong line */

uint64_t it_oldest(void)
{
	return it_nrecs > IT_MAX_RECS ? it_nrecs - IT_MAX_RECS : 0;
}

const struct jq_val *it_rec(uint64_t seq)
{
	if (seq >= it_nrecs || seq < it_oldest())
		return NULL;
	return g_recs[seq % IT_MAX_RECS].v;
}

const char *it_rec_text(uint64_t seq)
{
	if (seq >= it_nrecs || seq < it_oldest())
		return NULL;
	return g_recs[seq % IT_MAX_RECS].text;
}

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
	if (it_verbose)
		fprintf(stderr, "# kwhy: %s\n", text);
	r = &g_recs[it_nrecs % IT_MAX_RECS];
	jq_free(r->v);
	free(r->text);
	r->v = v;
	r->text = text;
	it_nrecs++;
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
	for (int i = 0; i < 256 && !it_kwhy_eof; i++) {
		ssize_t n = read(g_kwhy_fd, g_inbuf + g_inlen, sizeof(g_inbuf) - g_inlen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				it_kwhy_eof = true;
			return;
		}
		if (n == 0) {
			it_kwhy_eof = true;
			if (g_inlen && !g_discarding)
				bad_line("unterminated last line", g_inbuf, g_inlen);
			g_inlen = 0;
			return;
		}
		g_inlen += n;
		split_lines();
	}
}

bool it_pump(int extra_fd, int ms)
{
	struct pollfd p[2];
	int n = 0, kfd = -1, xfd = -1;

	if (ms < 0)
		ms = 0;
	if (g_kwhy_fd >= 0 && !it_kwhy_eof) {
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

void it_drain(int ms)
{
	int64_t deadline = it_now_ms() + ms;

	for (int i = 0; i < 100000; i++) {
		int64_t left = deadline - it_now_ms();

		if (left <= 0)
			break;
		it_pump(-1, left > 50 ? 50 : (int)left);
	}
}

/* ---- matching records ---- */

static bool has_int(const struct jq_val *rec, const char *path, int64_t want)
{
	const struct jq_val *a = jq_get(rec, path);

	if (!a || a->type != JQ_ARR)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		const struct jq_val *e = a->items[i];

		if (e->type == JQ_NUM && e->is_int && e->i == want)
			return true;
	}
	return false;
}

bool it_cond_ok(const struct jq_val *rec, const struct it_cond *c)
{
	const struct jq_val *a;
	const char *s;
	size_t sl, l;
	int64_t i;
	bool b;

	switch (c->op) {
	case IT_STR:
		s = jq_str(rec, c->path);
		return s && !strcmp(s, c->s);
	case IT_STR2:
		s = jq_str(rec, c->path);
		return s && (!strcmp(s, c->s) || !strcmp(s, c->s2));
	case IT_INT:
		return jq_int(rec, c->path, &i) && i == c->lo;
	case IT_RANGE:
		return jq_int(rec, c->path, &i) && i >= c->lo && i <= c->hi;
	case IT_BOOL:
		return jq_bool(rec, c->path, &b) && b == (c->lo != 0);
	case IT_NULL:
		return jq_is_null(rec, c->path);
	case IT_SUFFIX:
		s = jq_str(rec, c->path);
		if (!s)
			return false;
		sl = strlen(s);
		l = strlen(c->s);
		return sl >= l && !strcmp(s + sl - l, c->s);
	case IT_HAS_INT:
		return has_int(rec, c->path, c->lo);
	case IT_NONEMPTY:
		a = jq_get(rec, c->path);
		return a && a->type == JQ_ARR && a->len > 0;
	}
	return false;
}

static void cond_want(const struct it_cond *c, char *buf, size_t len)
{
	switch (c->op) {
	case IT_STR:
		snprintf(buf, len, "%s == \"%s\"", c->path, c->s);
		break;
	case IT_STR2:
		snprintf(buf, len, "%s == \"%s\" or \"%s\"", c->path, c->s, c->s2);
		break;
	case IT_INT:
		snprintf(buf, len, "%s == %" PRId64, c->path, c->lo);
		break;
	case IT_RANGE:
		if (c->hi == INT64_MAX)
			snprintf(buf, len, "%s >= %" PRId64, c->path, c->lo);
		else
			snprintf(buf, len, "%s in [%" PRId64 ", %" PRId64 "]", c->path, c->lo,
				 c->hi);
		break;
	case IT_BOOL:
		snprintf(buf, len, "%s == %s", c->path, c->lo ? "true" : "false");
		break;
	case IT_NULL:
		snprintf(buf, len, "%s == null", c->path);
		break;
	case IT_SUFFIX:
		snprintf(buf, len, "%s ends with \"%s\"", c->path, c->s);
		break;
	case IT_HAS_INT:
		snprintf(buf, len, "%s contains %" PRId64, c->path, c->lo);
		break;
	case IT_NONEMPTY:
		snprintf(buf, len, "%s is a non-empty array", c->path);
		break;
	}
}

static void val_text(const struct jq_val *v, char *buf, size_t len)
{
	size_t used;

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
		/* short arrays of numbers in full: event id lists */
		used = snprintf(buf, len, "[");
		for (size_t i = 0; i < v->len && i < 16 && used + 24 < len; i++) {
			const struct jq_val *e = v->items[i];

			if (e->type == JQ_NUM && e->is_int)
				used += snprintf(buf + used, len - used, "%s%" PRId64, i ? "," : "",
						 e->i);
			else
				used += snprintf(buf + used, len - used, "%s…", i ? "," : "");
		}
		if (used + 2 < len)
			snprintf(buf + used, len - used, "%s]", v->len > 16 ? ",…" : "");
		break;
	case JQ_OBJ:
		snprintf(buf, len, "an object");
		break;
	}
}

/* "expected X, got Y" for every condition rec fails */
static void describe_misses(const struct jq_val *rec, const struct it_cond *c, int n, char *buf,
			    size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++) {
		char want[160], got[160];

		if (it_cond_ok(rec, &c[i]))
			continue;
		cond_want(&c[i], want, sizeof(want));
		val_text(jq_get(rec, c[i].path), got, sizeof(got));
		used += snprintf(buf + used, len - used, "%sexpected %s, got %s", used ? "; " : "",
				 want, got);
	}
}

static void describe_all(const struct it_cond *c, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++) {
		char want[160];

		cond_want(&c[i], want, sizeof(want));
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", want);
	}
}

const struct jq_val *it_expect(const char *sc, const char *what, uint64_t since,
			       int timeout_ms, const struct it_cond *c, int n)
{
	int64_t start = it_now_ms(), deadline = start + timeout_ms;
	uint64_t next = since, seen = 0, found_seq = 0;
	int best_score = -1, nkeys = 0;
	char misses[2048] = "", want[1536];
	char *best_text = NULL;
	bool found = false, keyed = false;

	for (int i = 0; i < n; i++)
		nkeys += c[i].key;
	for (int iter = 0; iter < 1000000 && !found; iter++) {
		int64_t now;

		if (next < it_oldest())
			next = it_oldest();
		for (; next < it_nrecs; next++) {
			const struct rec *r = &g_recs[next % IT_MAX_RECS];
			int sat = 0, keys = 0, score;

			seen++;
			for (int k = 0; k < n; k++)
				if (it_cond_ok(r->v, &c[k])) {
					sat++;
					keys += c[k].key;
				}
			if (sat == n) {
				found = true;
				found_seq = next;
				it_diag("%s: %s matched: %s", sc, what, r->text);
				break;
			}
			score = (keys == nkeys ? 100000 : 0) + (it_cond_ok(r->v, &c[0]) ? 1000 : 0) +
				sat;
			if (keys == nkeys && !keyed) {
				keyed = true;
				if (deadline > it_now_ms() + IT_GRACE_MS)
					deadline = it_now_ms() + IT_GRACE_MS;
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
		now = it_now_ms();
		if (now >= deadline || it_stop || it_kwhy_eof)
			break;
		it_pump(-1, deadline - now < 100 ? (int)(deadline - now) : 100);
	}
	if (found) {
		it_pass(sc, what);
		free(best_text);
		return g_recs[found_seq % IT_MAX_RECS].v;
	}
	describe_all(c, n, want, sizeof(want));
	if (best_score < 0)
		it_fail(sc, what, "wanted a record with %s; none arrived in %.1f s%s", want,
			(it_now_ms() - start) / 1000.0, it_kwhy_eof ? " (kwhy has exited)" : "");
	else if (best_score < 1000)
		it_fail(sc, what, "wanted a record with %s; no \"%s\" record among the %" PRIu64
			" received in %.1f s%s; closest record: %s", want, c[0].s, seen,
			(it_now_ms() - start) / 1000.0, it_kwhy_eof ? " (kwhy has exited)" : "",
			best_text ? best_text : "?");
	else
		it_fail(sc, what, "no record matched in %.1f s%s; the closest one differs: %s; "
			"closest record: %s", (it_now_ms() - start) / 1000.0,
			it_kwhy_eof ? " (kwhy has exited)" : "", misses, best_text ? best_text : "?");
	free(best_text);
	return NULL;
}

int it_count(uint64_t since, const struct it_cond *c, int n, uint64_t *first)
{
	int count = 0;

	if (since < it_oldest())
		since = it_oldest();
	for (uint64_t s = since; s < it_nrecs; s++) {
		const struct jq_val *v = g_recs[s % IT_MAX_RECS].v;
		int k;

		for (k = 0; k < n && it_cond_ok(v, &c[k]); k++)
			;
		if (k < n)
			continue;
		if (!count && first)
			*first = s;
		count++;
	}
	return count;
}

bool it_expect_none(const char *sc, const char *what, uint64_t since, const struct it_cond *c,
		    int n)
{
	char want[1536];
	uint64_t first = 0;
	int count = it_count(since, c, n, &first);

	if (!count) {
		it_pass(sc, what);
		return true;
	}
	describe_all(c, n, want, sizeof(want));
	it_fail(sc, what, "%d record(s) with %s; the first: %s", count, want,
		it_rec_text(first) ? it_rec_text(first) : "?");
	return false;
}

/* ---- children ---- */

static const char *const stage_names[] = {
	[IT_ST_OK] = "ok", [IT_ST_SOCKET] = "socket()", [IT_ST_BIND] = "bind()",
	[IT_ST_NAME] = "getsockname()", [IT_ST_LISTEN] = "listen()", [IT_ST_POLL] = "poll()",
	[IT_ST_UNSHARE] = "unshare(CLONE_NEWNET)", [IT_ST_CGROUP] = "joining the cgroup",
	[IT_ST_SETNS] = "setns(CLONE_NEWNET)", [IT_ST_OPT] = "setsockopt()",
};

/* Children of the running scenario; it_cleanup_to() kills what still
 * lives and truncates the table, so pointers into it stay valid until
 * then. */
static struct it_child g_kids[IT_MAX_CHILDREN];
static int g_nkids;

void it_report(int wr, int stage, int err, int port, int err2)
{
	struct it_report r = { .stage = stage, .err = err, .port = port, .err2 = err2 };

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

/* write our pid to dir/cgroup.procs (v1 without it: dir/tasks); 0 or -errno */
static int join_cgroup(const char *dir)
{
	char path[PATH_MAX + 32], pid[32];
	int err;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	err = it_write_file(path, pid);
	if (err) {
		snprintf(path, sizeof(path), "%s/tasks", dir);
		if (it_write_file(path, pid) == 0)
			err = 0;
	}
	return err;
}

struct it_child *it_spawn(it_child_fn fn, const void *arg, pid_t netns_of, const char *cgroup)
{
	int rep[2], ctl[2];
	struct it_child *c;
	pid_t pid;

	if (g_nkids >= IT_MAX_CHILDREN) {
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
		int err;

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != it_self)
			_exit(126);
		close(rep[0]);
		close(ctl[1]);
		if (g_kwhy_fd >= 0)
			close(g_kwhy_fd);
		if (cgroup && (err = join_cgroup(cgroup))) {
			it_report(rep[1], IT_ST_CGROUP, -err, -1, 0);
			_exit(125);
		}
		if (netns_of && join_netns(netns_of)) {
			it_report(rep[1], IT_ST_SETNS, errno, -1, 0);
			_exit(125);
		}
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

void it_child_close_fds(struct it_child *c)
{
	if (c->rd >= 0)
		close(c->rd);
	if (c->ctl >= 0)
		close(c->ctl);
	c->rd = c->ctl = -1;
}

void it_child_release(struct it_child *c)
{
	if (c->ctl >= 0)
		close(c->ctl);
	c->ctl = -1;
}

bool it_child_wait(struct it_child *c, int ms)
{
	int64_t deadline = it_now_ms() + ms;

	if (c->reaped)
		return true;
	for (int i = 0; i < 100000; i++) {
		int st;
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid) {
			c->reaped = true;
			c->status = st;
			it_child_close_fds(c);
			return true;
		}
		if (r < 0 && errno != EINTR) {	/* not ours any more: give up */
			c->reaped = true;
			c->status = -1;
			it_child_close_fds(c);
			return true;
		}
		if (it_now_ms() >= deadline)
			return false;
		it_pump(-1, 20);
	}
	return false;
}

void it_child_kill(struct it_child *c)
{
	if (c->reaped)
		return;
	kill(c->pid, SIGKILL);
	if (!it_child_wait(c, 5000))
		fprintf(stderr, "%s: child %d did not die after SIGKILL\n", it_prog, (int)c->pid);
}

/* One fixed-size message of c's into buf (zeroed first), waiting up to ms
 * and pumping kwhy's output meanwhile: true when all len bytes came. */
static bool child_message(struct it_child *c, void *buf, size_t len, int ms)
{
	int64_t deadline = it_now_ms() + ms;
	ssize_t n;

	memset(buf, 0, len);
	if (c->rd < 0)
		return false;
	for (int i = 0; i < 100000; i++) {
		int64_t left = deadline - it_now_ms();

		if (left <= 0)
			return false;
		if (it_pump(c->rd, left > 100 ? 100 : (int)left))
			break;
	}
	do {
		n = read(c->rd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

bool it_child_report(struct it_child *c, struct it_report *r, int ms)
{
	return child_message(c, r, sizeof(*r), ms);
}

/* ---- sock_diag, asked directly ---- */

int it_sock_diag_answers(int family)
{
	const char *off = getenv("KWHY_TEST_NO_SOCK_DIAG");
	struct {
		struct nlmsghdr nlh;
		union {
			struct inet_diag_req_v2 in;
			struct unix_diag_req un;
		} r;
	} req = {
		.nlh = {
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	union {
		struct nlmsghdr h;
		char buf[8192];
	} u;
	const struct nlmsgerr *e;
	ssize_t n;
	int s, ret;

	if (off && !strcmp(off, "1"))
		return 0;
	if (family == AF_UNIX) {
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.r.un));
		req.r.un.sdiag_family = AF_UNIX;
		req.r.un.udiag_states = 1u << 10;	/* listening */
	} else {
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.r.in));
		req.r.in.sdiag_family = (uint8_t)family;
		req.r.in.sdiag_protocol = IPPROTO_TCP;
		req.r.in.idiag_states = 1u << 10;
	}
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return errno == EPROTONOSUPPORT ? 0 : -errno;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(s, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	/* the first message tells: an error, or sockets (or none: DONE) */
	n = recv(s, u.buf, sizeof(u.buf), 0);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n < sizeof(u.h) || u.h.nlmsg_len > (size_t)n)
		ret = -EIO;
	else if (u.h.nlmsg_type != NLMSG_ERROR)
		ret = 1;
	else if (u.h.nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		ret = -EIO;
	else {
		e = NLMSG_DATA(&u.h);
		ret = e->error == -ENOENT ? 0 : e->error ? e->error : 1;
	}
out:
	close(s);
	return ret;
}

/* ---- what clients saw ---- */

/* wait up to ms for events on s; 0 ready, or ETIMEDOUT, or errno */
static int wait_for(int s, short events, int ms)
{
	struct pollfd pf = { .fd = s, .events = events };
	int64_t end = it_now_ms() + ms;

	for (int i = 0; i < 1000; i++) {
		int64_t left = end - it_now_ms();
		int n;

		if (left <= 0)
			return ETIMEDOUT;
		n = poll(&pf, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return errno;
	}
	return ETIMEDOUT;
}

static int sock_error(int s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

int it_orderly_connect(int family, const char *ip, int port, int ms, int *lport)
{
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, family, ip, port);
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	char c;

	*lport = 0;
	if (s < 0)
		return errno;
	if (connect(s, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		err = errno;
	*lport = it_sock_port(s);	/* bound by connect(), even when it fails */
	if (*lport < 0)
		*lport = 0;
	if (!err)
		err = wait_for(s, POLLOUT, ms);
	if (!err)
		err = sock_error(s);	/* the connect's result */
	if (!err)
		err = wait_for(s, POLLIN, ms);	/* the server's close */
	if (!err) {
		ssize_t n = read(s, &c, 1);

		err = n < 0 ? errno : n > 0 ? EPROTO : 0;
	}
	if (!err)
		err = sock_error(s);
	close(s);
	return err;
}

void it_seen_note(struct it_seen *s, int err, int lport)
{
	s->total++;
	if (!err)
		return;
	if (!s->failed++)
		s->first_err = err;
	if (s->nports < IT_SEEN_PORTS)
		s->ports[s->nports++] = lport;
}

void it_report_seen(int wr, const struct it_seen *s)
{
	/* smaller than PIPE_BUF: one atomic write */
	if (write(wr, s, sizeof(*s)) != sizeof(*s))
		_exit(124);
}

bool it_child_seen(struct it_child *c, struct it_seen *s, int ms)
{
	return child_message(c, s, sizeof(*s), ms) && s->nports >= 0 &&
	       s->nports <= IT_SEEN_PORTS;
}

/* was port among the failed ones the clients named? */
static bool seen_port(const struct it_seen *seen, int64_t port)
{
	for (int i = 0; i < seen->nports; i++)
		if (seen->ports[i] && seen->ports[i] == port)
			return true;
	return false;
}

/* the client port of an event: its endpoint that is not the server's */
static int64_t client_port(const struct jq_val *v, int server_port)
{
	int64_t l = 0, r = 0;

	jq_int(v, "local.port", &l);
	jq_int(v, "remote.port", &r);
	if (l && l != server_port)
		return l;
	if (r && r != server_port)
		return r;
	return 0;
}

/* a client port named by a record, kept once (while the set has room) */
static void add_conn(int64_t *conns, int *n, int cap, int64_t port)
{
	int k;

	for (k = 0; k < *n && conns[k] != port; k++)
		;
	if (k == *n && *n < cap)
		conns[(*n)++] = port;
}

/* every "port" under v (depth-bounded) but the server's and 0 into conns;
 * how many, and how many of them the clients did not see fail */
static void facts_ports(const struct jq_val *v, int server_port, const struct it_seen *seen,
			int depth, int64_t *conns, int *nconns, int cap, int *named, int *ok)
{
	if (!v || depth > 8 || (v->type != JQ_OBJ && v->type != JQ_ARR))
		return;
	for (size_t i = 0; i < v->len; i++) {
		const struct jq_val *m = v->items[i];

		if (v->type == JQ_OBJ && !strcmp(v->keys[i], "port") && m->type == JQ_NUM &&
		    m->is_int && m->i && m->i != server_port) {
			(*named)++;
			*ok += !seen_port(seen, m->i);
			add_conn(conns, nconns, cap, m->i);
		}
		facts_ports(m, server_port, seen, depth + 1, conns, nconns, cap, named, ok);
	}
}

void it_expect_no_more_than_seen(const char *sc, uint64_t since, uint64_t netns,
				 int server_port, const struct it_seen *seen,
				 const char *const *types, int ntypes)
{
	/* the list names every failed connection: a port not in it succeeded */
	bool complete = seen->failed == seen->nports;
	int64_t conns[256];
	int nconns = 0, unnamed = 0, stray = 0, nev = 0, nex = 0;
	uint64_t bad = UINT64_MAX, first = UINT64_MAX, first_ex = UINT64_MAX;
	char what[160];

	for (int i = 0; i < seen->nports; i++)
		complete = complete && seen->ports[i];
	if (since < it_oldest())
		since = it_oldest();
	for (uint64_t s = since; s < it_nrecs; s++) {
		const struct jq_val *v = it_rec(s);
		const char *type = v ? jq_str(v, "type") : NULL;
		int64_t ns = 0, port;
		bool nosock = false, is_failure = false;

		if (!type)
			continue;
		if (!strcmp(type, "explanation")) {
			int named = 0, ok = 0;

			if (!jq_int(v, "facts.netns", &ns) || (uint64_t)ns != netns)
				continue;
			if (first_ex == UINT64_MAX)
				first_ex = s;
			nex++;
			facts_ports(jq_get(v, "facts"), server_port, seen, 0, conns, &nconns,
				    IT_ARRAY_SIZE(conns), &named, &ok);
			if (!named)
				unnamed++;
			else if (complete && ok == named && bad == UINT64_MAX)
				bad = s;
			continue;
		}
		for (int t = 0; t < ntypes && !is_failure; t++)
			is_failure = !strcmp(type, types[t]);
		if (!is_failure || !jq_int(v, "netns", &ns) || (uint64_t)ns != netns)
			continue;
		if (!strcmp(type, "reset_sent") && jq_bool(v, "no_socket", &nosock) && nosock) {
			stray++;
			continue;
		}
		if (first == UINT64_MAX)
			first = s;
		nev++;
		port = client_port(v, server_port);
		if (!port) {
			unnamed++;	/* a socket_error after the close: port 0 */
			continue;
		}
		if (complete && !seen_port(seen, port) && bad == UINT64_MAX)
			bad = s;
		add_conn(conns, &nconns, IT_ARRAY_SIZE(conns), port);
	}
	it_diag("%s: the clients saw %d of %d connection(s) fail (first: %s); kwhy: %d failure "
		"event(s), %d explanation(s), naming %d connection(s), %d record(s) naming none, "
		"%d reset(s) for stray segments", sc, seen->failed, seen->total,
		seen->failed ? strerror(seen->first_err) : "none", nev, nex, nconns, unnamed, stray);
	if (!seen->failed) {
		if (first == UINT64_MAX)
			it_pass(sc, "no failure event in the namespace (the clients saw none)");
		else
			it_fail(sc, "no failure event in the namespace (the clients saw none)",
				"%s", it_rec_text(first) ? it_rec_text(first) : "?");
		if (first_ex == UINT64_MAX)
			it_pass(sc, "no explanation about the namespace (the clients saw none)");
		else
			it_fail(sc, "no explanation about the namespace (the clients saw none)",
				"%s", it_rec_text(first_ex) ? it_rec_text(first_ex) : "?");
		return;
	}
	if (bad == UINT64_MAX)
		it_pass(sc, "each failure event and explanation is about a connection the clients "
			"saw fail");
	else
		it_fail(sc, "each failure event and explanation is about a connection the clients "
			"saw fail", "this one is not: %s", it_rec_text(bad) ? it_rec_text(bad) : "?");
	it_msgf(what, sizeof(what), "they name at most the %d connection(s) the clients saw fail",
		seen->failed);
	if (nconns <= seen->failed)
		it_pass(sc, what);
	else
		it_fail(sc, what, "%d named; the first record: %s", nconns,
			it_rec_text(first) ? it_rec_text(first) : "?");
	/* what names no port (a socket's error after its close) cannot be
	 * matched: at most one on each side of each failed connection */
	it_msgf(what, sizeof(what), "at most %d record(s) naming no connection (2 per failure)",
		2 * seen->failed);
	if (unnamed <= 2 * seen->failed)
		it_pass(sc, what);
	else
		it_fail(sc, what, "%d", unnamed);
}

const char *it_report_text(const struct it_report *r)
{
	static char buf[128];
	const char *stage = r->stage >= 0 && r->stage < IT_ARRAY_SIZE(stage_names) &&
			    stage_names[r->stage] ? stage_names[r->stage] : "?";

	snprintf(buf, sizeof(buf), "%s failed: %s", stage, strerror(r->err));
	return buf;
}

/* ---- addresses ---- */

socklen_t it_mkaddr(struct sockaddr_storage *ss, int family, const char *ip, int port)
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

int it_sock_port(int s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(s, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int it_free_port(int family, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, family, ip, 0);
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (s < 0)
		return -1;
	if (!bind(s, (struct sockaddr *)&ss, len))
		port = it_sock_port(s);
	close(s);
	return port;
}

/* ---- child programs ---- */

int it_child_connect(const void *p, int wr, int ctl)
{
	const struct it_conn_arg *a = p;
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_storage ss;
	socklen_t len;
	int s, err = 0, err2 = 0, port = -1;

	(void)ctl;
	s = socket(a->family, SOCK_STREAM | (a->nonblock ? SOCK_NONBLOCK : 0), 0);
	if (s < 0) {
		it_report(wr, IT_ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (a->bind_ip) {
		len = it_mkaddr(&ss, a->family, a->bind_ip, 0);
		if (bind(s, (struct sockaddr *)&ss, len)) {
			it_report(wr, IT_ST_BIND, errno, -1, 0);
			return 1;
		}
		port = it_sock_port(s);
		if (port < 0) {
			it_report(wr, IT_ST_NAME, errno, -1, 0);
			return 1;
		}
	}
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = it_mkaddr(&ss, a->family, a->ip, a->port);
	if (connect(s, (struct sockaddr *)&ss, len))
		err = errno;
	if (a->nonblock && err == EINPROGRESS) {
		struct pollfd pf = { .fd = s, .events = POLLOUT };
		socklen_t elen = sizeof(err2);

		if (poll(&pf, 1, 5000) <= 0) {
			it_report(wr, IT_ST_POLL, errno ? errno : ETIMEDOUT, port, 0);
			return 1;
		}
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err2, &elen))
			err2 = -errno;
	}
	it_report(wr, IT_ST_OK, err, port, err2);
	close(s);
	return 0;
}

/* touch memory 1 MiB at a time: 512 MiB and still alive means no limit */
static int eat_memory(void)
{
	for (int i = 0; i < 512; i++) {
		char *m = mmap(NULL, IT_MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (m == MAP_FAILED)
			return 4;
		memset(m, 0x5a, IT_MIB);
	}
	return 3;
}

int it_child_listen(const void *p, int wr, int ctl)
{
	const struct it_listen_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, a->family, a->ip, a->port);
	int s, port, one = 1;
	char c;

	s = socket(a->family, SOCK_STREAM, 0);
	if (s < 0) {
		it_report(wr, IT_ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (a->v6only && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) {
		it_report(wr, IT_ST_OPT, errno, -1, 0);
		return 1;
	}
	if (bind(s, (struct sockaddr *)&ss, len)) {
		it_report(wr, IT_ST_BIND, errno, -1, 0);
		return 1;
	}
	if (listen(s, 16)) {
		it_report(wr, IT_ST_LISTEN, errno, -1, 0);
		return 1;
	}
	port = it_sock_port(s);
	if (port < 0) {
		it_report(wr, IT_ST_NAME, errno, -1, 0);
		return 1;
	}
	it_report(wr, IT_ST_OK, 0, port, 0);
	switch (a->mode) {
	case IT_L_EXIT:
		_exit(a->code);	/* exit_group(code) with the listener open */
	case IT_L_PAUSE:
		for (int i = 0; i < 3600; i++)	/* the driver SIGKILLs it */
			pause();
		return 1;
	case IT_L_OOM:
		/* should the host itself run short, be the first to go */
		it_write_file("/proc/self/oom_score_adj", "1000");
		return eat_memory();
	case IT_L_WAIT_CTL:
		while (read(ctl, &c, 1) < 0 && errno == EINTR)
			;
		break;
	}
	close(s);
	return 0;
}

int it_child_bind(const void *p, int wr, int ctl)
{
	const struct it_bind_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, a->family, a->ip, a->port);
	int s, err = 0;

	(void)ctl;
	s = socket(a->family, SOCK_STREAM, 0);
	if (s < 0) {
		it_report(wr, IT_ST_SOCKET, errno, -1, 0);
		return 1;
	}
	if (bind(s, (struct sockaddr *)&ss, len))
		err = errno;
	it_report(wr, IT_ST_OK, err, a->port, 0);
	close(s);
	return 0;
}

int it_child_pause(const void *p, int wr, int ctl)
{
	(void)p;
	(void)ctl;
	it_report(wr, IT_ST_OK, 0, -1, 0);
	for (int i = 0; i < 3600; i++)	/* the driver SIGKILLs it */
		pause();
	return 1;
}

int it_child_netns_holder(const void *p, int wr, int ctl)
{
	char c;

	(void)p;
	if (unshare(CLONE_NEWNET)) {
		it_report(wr, IT_ST_UNSHARE, errno, -1, 0);
		return 1;
	}
	it_report(wr, IT_ST_OK, 0, -1, 0);
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
	struct it_report r = { .stage = IT_ST_NAME, .err = ENODEV };

	(void)ctl;
	for (i = ni; i && i->if_index; i++) {
		if (!strcmp(i->if_name, "lo") || !strcmp(i->if_name, p))
			continue;
		if (r.stage == IT_ST_OK) {	/* a third interface: ambiguous */
			r.stage = IT_ST_NAME;
			r.err = EEXIST;
			break;
		}
		r.stage = IT_ST_OK;
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
	fprintf(stderr, "%s: cannot run ip: %s\n", it_prog, strerror(errno));
	return 127;
}

int it_child_oom(const void *p, int wr, int ctl)
{
	const char *dir = p;
	int err;

	(void)ctl;
	/* should the host itself run short, be the first to go */
	it_write_file("/proc/self/oom_score_adj", "1000");
	err = join_cgroup(dir);
	if (err) {
		it_report(wr, IT_ST_CGROUP, -err, -1, 0);
		return 2;
	}
	it_report(wr, IT_ST_OK, 0, -1, 0);
	return eat_memory();
}

/* ---- files ---- */

int it_write_file(const char *path, const char *s)
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

int it_read_file(const char *path, char *buf, size_t len)
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

int it_create_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), err = 0;

	if (fd < 0)
		return -errno;
	if (len && write(fd, s, len) != (ssize_t)len)
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int it_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t n;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	n = strlen(tmp);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		if (i < n)
			tmp[i] = '/';
	}
	return 0;
}

static int rm_tree_at(const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -errno : 0;
	if (depth > 16)
		return -ELOOP;
	d = opendir(path);
	if (!d)
		return -errno;
	for (int n = 0; n < 100000 && (de = readdir(d)); n++) {
		char sub[PATH_MAX];
		int e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub)) {
			err = -ENAMETOOLONG;
			continue;
		}
		e = rm_tree_at(sub, depth + 1);
		if (e && !err)
			err = e;
	}
	closedir(d);
	if (rmdir(path) && !err)
		err = -errno;
	return err;
}

int it_rm_tree(const char *path)
{
	return rm_tree_at(path, 0);
}

unsigned long it_ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

unsigned long it_netns_ino_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return it_ino_of(path);
}

bool it_has_token(const char *list, const char *sep, const char *word)
{
	char tmp[1024], *save, *t;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (t = strtok_r(tmp, sep, &save); t; t = strtok_r(NULL, sep, &save))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* ---- commands ---- */

bool it_run_ip(pid_t netns_of, char *msg, size_t msglen, const char *const *args)
{
	char *argv[32] = { (char *)"ip" };
	char cmd[256] = "ip";
	struct it_child *c;
	int n = 1;

	for (int i = 0; args[i] && n < 31; i++, n++) {
		argv[n] = (char *)args[i];
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	}
	argv[n] = NULL;
	it_diag("running: %s%s", cmd, netns_of ? " (in the test namespace)" : "");
	c = it_spawn(child_exec_ip, argv, netns_of, NULL);
	if (!c) {
		snprintf(msg, msglen, "cannot fork for '%s': %s", cmd, strerror(errno));
		return false;
	}
	if (!it_child_wait(c, IT_CMD_MS)) {
		it_child_kill(c);
		snprintf(msg, msglen, "'%s' did not finish in %d s", cmd, IT_CMD_MS / 1000);
		return false;
	}
	if (!WIFEXITED(c->status) || WEXITSTATUS(c->status)) {
		snprintf(msg, msglen, "'%s'%s %s", cmd, netns_of ? " (in the namespace)" : "",
			 it_status_text(c->status));
		return false;
	}
	return true;
}

static void close_kwhy_fd(void)
{
	if (g_kwhy_fd >= 0)
		close(g_kwhy_fd);
	g_kwhy_fd = -1;
}

bool it_run_capture(const char *path, const char *const *args, int ms, int *status, char *out,
		    size_t outlen, char *err, size_t errlen)
{
	int po[2], pe[2];
	size_t lo = 0, le = 0;
	int64_t deadline = it_now_ms() + ms;
	bool oeof = false, eeof = false, exited = false;
	pid_t pid;

	out[0] = err[0] = '\0';
	*status = -1;
	if (pipe2(po, O_CLOEXEC))
		return false;
	if (pipe2(pe, O_CLOEXEC)) {
		close(po[0]);
		close(po[1]);
		return false;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return false;
	}
	if (pid == 0) {
		char *argv[32] = { (char *)path };
		int n = 1;

		for (int i = 0; args[i] && n < 31; i++)
			argv[n++] = (char *)args[i];
		argv[n] = NULL;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != it_self)
			_exit(126);
		if (dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(126);
		execv(path, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	for (int i = 0; i < 100000 && !(oeof && eeof && exited); i++) {
		struct pollfd p[2] = { { .fd = oeof ? -1 : po[0], .events = POLLIN },
				       { .fd = eeof ? -1 : pe[0], .events = POLLIN } };
		int64_t left = deadline - it_now_ms();

		if (!exited) {
			int st;
			pid_t r = waitpid(pid, &st, WNOHANG);

			if (r == pid) {
				exited = true;
				*status = st;
			}
		}
		if (left <= 0)
			break;
		if (poll(p, 2, left > 50 ? 50 : (int)left) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < 2; k++) {
			char *buf = k ? err : out;
			size_t *used = k ? &le : &lo, cap = k ? errlen : outlen;
			bool *eof = k ? &eeof : &oeof;
			char tmp[4096];
			ssize_t n;

			if (*eof || !p[k].revents)
				continue;
			n = read(k ? pe[0] : po[0], tmp, sizeof(tmp));
			if (n <= 0) {
				if (n == 0 || errno != EINTR)
					*eof = true;
				continue;
			}
			if (*used + 1 < cap) {
				size_t take = (size_t)n < cap - 1 - *used ? (size_t)n : cap - 1 - *used;

				memcpy(buf + *used, tmp, take);
				*used += take;
				buf[*used] = '\0';
			}
		}
	}
	close(po[0]);
	close(pe[0]);
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return false;
	}
	return true;
}

/* ---- network namespaces ---- */

static char g_veths[IT_MAX_VETHS][IFNAMSIZ];	/* host ends, to delete */
static int g_nveths;
static int g_veth_seq;

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

bool it_netns_new(const char *sc, struct it_netns *ns, bool veth, const char *cgroup)
{
	char msg[512], path[128], cidr[40], buf[32];
	struct it_child *holder, *finder;
	struct it_report r;
	int idx;

	memset(ns, 0, sizeof(*ns));
	ns->veth = veth;
	if (veth) {
		ns->subnet = pick_subnet();
		if (ns->subnet < 0) {
			it_fail(sc, "setup", "every 10.213.N.0/30 for N in 1..64 is in use on this "
				"host");
			return false;
		}
		snprintf(ns->host_ip, sizeof(ns->host_ip), "10.213.%d.1", ns->subnet);
		snprintf(ns->ns_ip, sizeof(ns->ns_ip), "10.213.%d.2", ns->subnet);
	}

	if (!(holder = it_spawn(it_child_netns_holder, NULL, 0, cgroup))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return false;
	}
	holder->holder = true;
	ns->holder = holder;
	if (!it_child_report(holder, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(sc, "setup", "the namespace holder (pid %d): %s", (int)holder->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
		return false;
	}
	ns->ino = it_netns_ino_of(holder->pid);
	it_diag("%s: namespace net:[%lu], held by pid %d", sc, ns->ino, (int)holder->pid);
	if (!IT_IP(holder->pid, msg, "link", "set", "lo", "up")) {
		it_fail(sc, "setup", "%s", msg);
		return false;
	}
	if (!veth)
		return true;

	/*
	 * The pair is made inside the namespace and one end then moved out:
	 * at any moment an end is inside, so should this program die, the
	 * namespace's teardown deletes the pair.  Only an interface this run
	 * made is ever deleted.
	 */
	if (g_nveths >= IT_MAX_VETHS) {
		it_fail(sc, "setup", "too many veth pairs");
		return false;
	}
	if (g_veth_seq == 0)
		snprintf(ns->host_if, sizeof(ns->host_if), "kwit%d", (int)(it_self % 10000000));
	else
		snprintf(ns->host_if, sizeof(ns->host_if), "kwit%d-%d", (int)(it_self % 10000000),
			 g_veth_seq % 100);
	g_veth_seq++;
	snprintf(path, sizeof(path), "/sys/class/net/%s", ns->host_if);
	if (!access(path, F_OK)) {
		it_fail(sc, "setup", "an interface named %s exists already", ns->host_if);
		return false;
	}
	if (!IT_IP(holder->pid, msg, "link", "add", ns->host_if, "type", "veth")) {
		it_fail(sc, "setup", "%s", msg);
		return false;
	}
	if (!(finder = it_spawn(child_find_peer, ns->host_if, holder->pid, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return false;
	}
	if (!it_child_report(finder, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(sc, "setup", "cannot find the peer of %s in the namespace: %s", ns->host_if,
			r.stage ? it_report_text(&r) : "no report");
		return false;
	}
	it_child_wait(finder, IT_CHILD_MS);
	snprintf(ns->peer, sizeof(ns->peer), "%s", r.name);
	snprintf(buf, sizeof(buf), "%d", (int)it_self);
	if (!IT_IP(holder->pid, msg, "link", "set", ns->host_if, "netns", buf)) {
		it_fail(sc, "setup", "%s", msg);
		return false;
	}
	if (!access(path, F_OK))
		snprintf(g_veths[g_nveths++], IFNAMSIZ, "%s", ns->host_if);
	/* the host end's iflink is its peer's ifindex (in the namespace) */
	snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", ns->host_if);
	if (it_read_file(path, buf, sizeof(buf)) || (idx = atoi(buf)) != r.ifindex) {
		it_fail(sc, "setup", "%s: %s, expected the ifindex of %s in the namespace, %d",
			path, access(path, F_OK) ? "missing" : buf, ns->peer, r.ifindex);
		return false;
	}
	it_diag("%s: veth %s (host) <-> %s (namespace, ifindex %d), 10.213.%d.0/30", sc,
		ns->host_if, ns->peer, r.ifindex, ns->subnet);
	snprintf(cidr, sizeof(cidr), "%s/30", ns->host_ip);
	if (!IT_IP(0, msg, "addr", "add", cidr, "dev", ns->host_if) ||
	    !IT_IP(0, msg, "link", "set", ns->host_if, "up")) {
		it_fail(sc, "setup", "%s", msg);
		return false;
	}
	snprintf(cidr, sizeof(cidr), "%s/30", ns->ns_ip);
	if (!IT_IP(holder->pid, msg, "addr", "add", cidr, "dev", ns->peer) ||
	    !IT_IP(holder->pid, msg, "link", "set", ns->peer, "up")) {
		it_fail(sc, "setup", "%s", msg);
		return false;
	}
	return true;
}

/* ---- cgroups ---- */

static char g_cgroups[IT_MAX_CGROUPS][PATH_MAX];	/* created, in order */
static int g_ncgroups;

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

bool it_find_cgroup_mount(bool v2, char *root, char *point, size_t len)
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
			  !it_has_token(field[dash + 3], ",", "memory")))
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

bool it_own_cgroup_path(bool v2, char *out, size_t len)
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
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (v2 ? (!strcmp(line, "0") && c1[1] == '\0') :
			 it_has_token(c1 + 1, ",", "memory")) {
			snprintf(out, len, "%s", c2 + 1);
			found = true;
		}
	}
	fclose(f);
	return found;
}

bool it_cgroup_dir(const char *root, const char *point, const char *cg, char *out, size_t len)
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

bool it_memcg_find(struct it_memcg *e, char *why, size_t wlen)
{
	char root[PATH_MAX], point[PATH_MAX], cg[PATH_MAX], buf[512], path[PATH_MAX + 32];

	memset(e, 0, sizeof(*e));
	if (it_find_cgroup_mount(false, root, point, sizeof(root))) {
		e->v1 = true;
		if (!it_own_cgroup_path(false, cg, sizeof(cg))) {
			snprintf(why, wlen, "no memory line in /proc/self/cgroup");
			return false;
		}
		if (!it_cgroup_dir(root, point, cg, e->own, sizeof(e->own))) {
			it_msgf(why, wlen, "own memory cgroup %s is outside the mount %s (root %s)",
				cg, point, root);
			return false;
		}
		return true;
	}
	if (!it_find_cgroup_mount(true, root, point, sizeof(root))) {
		snprintf(why, wlen, "no memory controller: neither a cgroup v1 mount with "
			 "\"memory\" nor a cgroup2 mount in /proc/self/mountinfo");
		return false;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", point);
	if (it_read_file(path, buf, sizeof(buf)) || !it_has_token(buf, " \n", "memory")) {
		it_msgf(why, wlen, "no memory controller: cgroup2 at %s does not enable \"memory\" "
			"in its root cgroup.subtree_control", point);
		return false;
	}
	if (!it_own_cgroup_path(true, cg, sizeof(cg)) ||
	    !it_cgroup_dir(root, point, cg, e->own, sizeof(e->own))) {
		it_msgf(why, wlen, "cannot place the driver's cgroup2 cgroup under %s", point);
		return false;
	}
	return true;
}

int it_enable_memory(const char *dir)
{
	char path[PATH_MAX + 32], buf[512];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (!it_read_file(path, buf, sizeof(buf)) && it_has_token(buf, " \n", "memory"))
		return 0;
	return it_write_file(path, "+memory");
}

bool it_make_cgroup(const struct it_memcg *e, const char *dir, bool limit, char *why,
		    size_t wlen)
{
	char path[PATH_MAX + 32], val[32];
	int err;

	if (g_ncgroups >= IT_MAX_CGROUPS) {
		snprintf(why, wlen, "too many cgroups");
		return false;
	}
	if (strlen(dir) >= PATH_MAX) {
		snprintf(why, wlen, "cgroup path too long");
		return false;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		it_msgf(why, wlen, "mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	snprintf(g_cgroups[g_ncgroups++], PATH_MAX, "%s", dir);
	it_diag("created %s", dir);
	if (!limit)
		return true;
	snprintf(val, sizeof(val), "%lld", IT_OOM_LIMIT);
	snprintf(path, sizeof(path), "%s/%s", dir,
		 e->v1 ? "memory.limit_in_bytes" : "memory.max");
	err = it_write_file(path, val);
	if (err) {
		it_msgf(why, wlen, "writing %s to %s: %s", val, path, strerror(-err));
		return false;
	}
	if (e->v1) {
		snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
		it_write_file(path, val);	/* without swap accounting, absent */
	} else {
		snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
		if (!access(path, F_OK)) {
			err = it_write_file(path, "0");
			if (err) {
				it_msgf(why, wlen, "writing 0 to %s: %s", path, strerror(-err));
				return false;
			}
		}
	}
	return true;
}

/* rmdir a cgroup and the cgroups below it, deepest first */
static void rmdir_cgroups(const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 12)
		return;
	d = opendir(dir);
	for (int n = 0; d && n < 100000 && (de = readdir(d)); n++) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub))
			rmdir_cgroups(sub, depth + 1);
	}
	if (d)
		closedir(d);
	if (!rmdir(dir))
		it_diag("removed %s, left by an earlier run", dir);
}

void it_remove_stale_cgroups(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t pl = strlen(prefix);

	for (int n = 0; d && n < 100000 && (de = readdir(d)); n++) {
		char proc[32], path[PATH_MAX];
		const char *p = de->d_name + pl;
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix, pl) || *p < '1' || *p > '9')
			continue;
		pid = strtol(p, &end, 10);
		if (pid <= 0 || pid > INT_MAX || pid == it_self || (*end && *end != '-'))
			continue;
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (!access(proc, F_OK))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			rmdir_cgroups(path, 0);
	}
	if (d)
		closedir(d);
}

/* ---- cleanup ---- */

struct it_mark it_mark_now(void)
{
	return (struct it_mark){ .kids = g_nkids, .veths = g_nveths, .cgroups = g_ncgroups };
}

void it_cleanup_to(const char *sc, struct it_mark m)
{
	char msg[512], path[64];

	/* workers first, then the veths, then the namespace holders */
	for (int i = m.kids; i < g_nkids; i++)
		if (!g_kids[i].holder)
			it_child_kill(&g_kids[i]);
	for (int i = g_nveths - 1; i >= m.veths; i--) {
		snprintf(path, sizeof(path), "/sys/class/net/%s", g_veths[i]);
		if (!access(path, F_OK) && !IT_IP(0, msg, "link", "del", g_veths[i]))
			it_fail(sc, "cleanup", "%s", msg);
		g_veths[i][0] = '\0';
	}
	if (g_nveths > m.veths)
		g_nveths = m.veths;
	for (int i = m.kids; i < g_nkids; i++)
		if (g_kids[i].holder)
			it_child_kill(&g_kids[i]);
	for (int i = m.kids; i < g_nkids; i++)
		it_child_close_fds(&g_kids[i]);
	if (g_nkids > m.kids)
		g_nkids = m.kids;
	for (int i = g_ncgroups - 1; i >= m.cgroups; i--) {
		int err = 0;

		for (int k = 0; k < 50; k++) {
			if (!rmdir(g_cgroups[i]) || errno == ENOENT) {
				err = 0;
				break;
			}
			err = errno;
			it_pump(-1, 100);
		}
		if (err)
			it_fail(sc, "cleanup", "cannot remove cgroup %s: %s", g_cgroups[i],
				strerror(err));
		else
			it_diag("removed %s", g_cgroups[i]);
	}
	if (g_ncgroups > m.cgroups)
		g_ncgroups = m.cgroups;
}

void it_cleanup(const char *sc)
{
	it_cleanup_to(sc, (struct it_mark){ 0 });
}

/* ---- kwhy itself ---- */

bool it_kwhy_start(const char *path, const char *const *args)
{
	int p[2];
	pid_t pid;

	close_kwhy_fd();
	it_kwhy_eof = false;
	g_inlen = 0;
	g_discarding = false;
	if (pipe2(p, O_CLOEXEC))
		return false;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		char *argv[32] = { (char *)path };
		int n = 1;

		for (int i = 0; args[i] && n < 31; i++)
			argv[n++] = (char *)args[i];
		argv[n] = NULL;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* a terminal's ^C goes to the driver, which stops kwhy itself;
		 * should the driver die, kwhy stops too */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != it_self)
			_exit(126);
		if (dup2(p[1], 1) < 0)
			_exit(126);
		execv(path, argv);
		fprintf(stderr, "%s: exec %s: %s\n", it_prog, path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	it_kwhy_pid = pid;
	g_kwhy_fd = p[0];
	fcntl(g_kwhy_fd, F_SETFL, fcntl(g_kwhy_fd, F_GETFL) | O_NONBLOCK);
	fcntl(g_kwhy_fd, F_SETPIPE_SZ, 1 << 20);	/* best effort */
	return true;
}

/* The ready record: attached events and nothing unavailable. */
bool it_kwhy_ready(const char *sc, uint64_t since)
{
	const struct it_cond rd[] = {
		K_STR("type", "ready"),
		C_INT("pid", it_kwhy_pid),
	};
	static const char *const needed[] = { "oom_kill", "process_exit", "signal", "reset_sent",
					      "bind" };
	const struct jq_val *ready;
	char missing[256] = "", unavail[4096] = "";
	size_t n;

	ready = it_expect(sc, "ready", since, IT_READY_MS, rd, IT_ARRAY_SIZE(rd));
	if (!ready)
		return false;
	n = jq_len(ready, "attached");
	for (int k = 0; k < IT_ARRAY_SIZE(needed); k++) {
		bool have = false;

		for (size_t i = 0; i < n && !have; i++) {
			char path[64];
			const char *ev;

			snprintf(path, sizeof(path), "attached.%zu.event", i);
			ev = jq_str(ready, path);
			have = ev && it_has_token(ev, ",", needed[k]);
		}
		if (!have)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", needed[k]);
	}
	if (!jq_get(ready, "attached") || jq_get(ready, "attached")->type != JQ_ARR)
		it_fail(sc, "ready.attached", "no \"attached\" array in the ready record");
	else if (missing[0])
		it_fail(sc, "ready.attached", "not attached: %s", missing);
	else
		it_pass(sc, "ready.attached has oom_kill, process_exit, signal, reset_sent, bind");

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
		it_fail(sc, "ready.unavailable empty", "no \"unavailable\" array in the ready "
			"record");
	else if (n)
		it_fail(sc, "ready.unavailable empty", "%zu unavailable: %s", n, unavail);
	else
		it_pass(sc, "ready.unavailable empty");
	return true;
}

bool it_kwhy_start_ready(const char *sc, const char *path, const char *const *args,
			 uint64_t *since)
{
	*since = it_nrecs;
	if (!it_kwhy_start(path, args)) {
		it_fail(sc, "kwhy starts", "cannot start %s: %s", path, strerror(errno));
		return false;
	}
	if (!it_kwhy_ready(sc, *since)) {
		it_kwhy_stop(sc, *since);
		return false;
	}
	return true;
}

int64_t it_rec_id(const struct jq_val *rec)
{
	int64_t id = 0;

	if (!rec || !jq_int(rec, "id", &id))
		return -1;	/* matches no event id */
	return id;
}

void it_kwhy_stop(const char *sc, uint64_t since)
{
	int64_t deadline;
	bool exited = false;
	int st = 0;

	if (!it_kwhy_pid)
		return;
	if (kill(it_kwhy_pid, SIGINT))
		it_fail(sc, "stops on SIGINT", "kill(%d, SIGINT): %s", (int)it_kwhy_pid,
			strerror(errno));
	deadline = it_now_ms() + IT_STOP_MS;
	for (int i = 0; i < 100000 && it_now_ms() < deadline; i++) {
		if (!exited) {
			pid_t r = waitpid(it_kwhy_pid, &st, WNOHANG);

			if (r == it_kwhy_pid || (r < 0 && errno != EINTR))
				exited = true;
		}
		if (exited && it_kwhy_eof)
			break;
		it_pump(-1, 50);
	}
	if (!exited) {
		it_fail(sc, "exits 0 on SIGINT", "kwhy (pid %d) still running %d s after SIGINT; "
			"sending SIGKILL", (int)it_kwhy_pid, IT_STOP_MS / 1000);
		kill(it_kwhy_pid, SIGKILL);
		waitpid(it_kwhy_pid, &st, 0);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		it_pass(sc, "exits 0 on SIGINT");
	} else {
		it_fail(sc, "exits 0 on SIGINT", "kwhy %s", it_status_text(st));
	}
	it_kwhy_pid = 0;
	/* whatever is left in the pipe */
	for (int i = 0; i < 1000 && !it_kwhy_eof; i++)
		it_pump(-1, 10);
	{
		const struct it_cond fs[] = {
			K_STR("type", "stats"),
			C_BOOL("final", true),
			C_INT("decode_errors", 0),
			C_INT("lost_total", 0),	/* left out when losses are the test */
		};

		it_expect(sc, it_losses_expected ? "final stats, nothing malformed" :
			  "final stats, nothing lost", since, 1000, fs,
			  IT_ARRAY_SIZE(fs) - (it_losses_expected ? 1 : 0));
	}
	close_kwhy_fd();
}

void it_check_lines(const char *sc)
{
	if (g_bad_lines)
		it_fail(sc, "every output line is JSON", "%" PRIu64 " of %" PRIu64 " lines are not "
			"valid JSON; the first: %s", g_bad_lines, g_nlines, g_bad_example);
	else
		it_pass(sc, "every output line is JSON");
}

static void usage(FILE *f, const char *prog, const char *about, const struct it_scenario *tbl,
		  int n)
{
	fprintf(f, "usage: %s --kwhy PATH [--only NAME] [-v]\n%sscenarios:", prog, about);
	for (int i = 0; i < n; i++)
		fprintf(f, " %s", tbl[i].name);
	fputc('\n', f);
}

static bool has_scenario(const struct it_scenario *tbl, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(tbl[i].name, name))
			return true;
	return false;
}

bool it_selected(const char *only, const struct it_scenario *s)
{
	return !only || !strcmp(only, s->name);
}

void it_run_scenarios(const struct it_scenario *tbl, int n, const char *only, bool ready,
		      const char *why_not)
{
	for (int i = 0; i < n; i++) {
		const struct it_scenario *s = &tbl[i];
		struct it_mark m;

		if (!it_selected(only, s))
			continue;
		if (it_stop || !ready) {
			it_fail(s->name, "run", "not run: %s",
				it_stop ? "interrupted by a signal" : why_not);
			continue;
		}
		it_diag("scenario %s", s->name);
		m = it_mark_now();
		s->run(s->name);
		it_cleanup_to(s->name, m);
	}
}

bool it_find_prog(const char *name, char *out, size_t len)
{
	static const char *const usual[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin",
					     "/usr/local/bin" };
	const char *path = getenv("PATH");
	char dirs[4096];

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, name);
		if (d[0] == '/' && !access(out, X_OK))
			return true;
	}
	for (int i = 0; i < IT_ARRAY_SIZE(usual); i++) {
		snprintf(out, len, "%s/%s", usual[i], name);
		if (!access(out, X_OK))
			return true;
	}
	out[0] = '\0';
	return false;
}

void it_remove_dir(const char *sc, const char *dir)
{
	int err;

	if (!dir[0])
		return;
	err = it_rm_tree(dir);
	if (err && err != -ENOENT)
		it_fail(sc, "cleanup", "cannot remove %s: %s", dir, strerror(-err));
}

bool it_nginx_conf(const char *sc, const char *dir, int port, const char *http_body, char *path,
		   size_t len)
{
	char text[4096];
	int err;

	it_msgf(path, len, "%s/nginx-%d.conf", dir, port);
	it_msgf(text, sizeof(text),
		"worker_processes 1;\n"
		"pid %s/nginx-%d.pid;\n"
		"error_log %s/nginx-%d.err;\n"
		"events { worker_connections 64; }\n"
		"http {\n"
		"  access_log off;\n"
		"  client_body_temp_path %s/nginx-body;\n"
		"  proxy_temp_path %s/nginx-proxy;\n"
		"  fastcgi_temp_path %s/nginx-fcgi;\n"
		"  uwsgi_temp_path %s/nginx-uwsgi;\n"
		"  scgi_temp_path %s/nginx-scgi;\n"
		"%s"
		"}\n", dir, port, dir, port, dir, dir, dir, dir, dir, http_body);
	if ((err = it_create_file(path, text))) {
		it_fail(sc, "setup", "cannot write %s: %s", path, strerror(-err));
		return false;
	}
	return true;
}

int it_http_get(int port)
{
	static const char req[] = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), code = 0;
	char buf[256] = "";
	ssize_t n;

	if (s < 0)
		return 0;
	if (!connect(s, (struct sockaddr *)&ss, len) &&
	    write(s, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1 &&
	    (n = read(s, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		sscanf(buf, "HTTP/%*s %d", &code);
	}
	close(s);
	return code;
}

int it_args(int argc, char **argv, const char *prog, const char *about,
	    const struct it_scenario *tbl, int n, const char **kwhy, const char **only)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kwhy") && i + 1 < argc) {
			*kwhy = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			*only = argv[++i];
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			it_verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, prog, about, tbl, n);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", prog, argv[i]);
			usage(stderr, prog, about, tbl, n);
			return 2;
		}
	}
	if (!*kwhy) {
		usage(stderr, prog, about, tbl, n);
		return 2;
	}
	if (*only && !has_scenario(tbl, n, *only)) {
		fprintf(stderr, "%s: no scenario named '%s'\n", prog, *only);
		usage(stderr, prog, about, tbl, n);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root (BPF, namespaces, cgroups)\n", prog);
		return 1;
	}
	return -1;
}

/* n random lowercase hex digits (see itest.h) */
void it_random_hex(char *out, int n)
{
	static uint64_t x;
	unsigned char b[64];
	bool ok;
	int fd;

	if (n > 128)
		n = 128;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ok = fd >= 0 && read(fd, b, (n + 1) / 2) == (n + 1) / 2;

	if (fd >= 0)
		close(fd);
	if (!x)
		x = ((uint64_t)it_self << 32) ^ (uint64_t)it_now_ms() ^ 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < n; i++) {
		unsigned int v;

		if (ok) {
			v = (b[i / 2] >> ((i & 1) * 4)) & 0xf;
		} else {	/* xorshift: uniqueness is all that matters */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = x & 0xf;
		}
		out[i] = "0123456789abcdef"[v];
	}
	out[n] = '\0';
}
