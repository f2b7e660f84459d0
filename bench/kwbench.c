// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwbench: the driver of kwhy's benchmark (bench/run.sh calls it).
 *
 *   kwbench storm    --family 4|6 [--pairs N] [--seconds S] [--max M] [--workers W]
 *                    [--dests D] [--no-aggregate]
 *   kwbench churn    --mode listen|fork|forklisten [--pairs N] [--seconds S] [--max M]
 *   kwbench rare     [--pairs N] [--seconds S] [--workers W] [--storm-rate R]
 *                    [--listen-rate L] [--exit-rate X] [--no-aggregate]
 *   kwbench churn    --mode connect ...     the success path (connect, accept, close)
 *   kwbench progcost [--seconds S] [--workers W] [--empty PATH --empty-obj PATH]
 *   kwbench startup  [--listeners N] [--runs R] [--steady S]
 *   kwbench latency  [--seconds S] [--interval-ms MS] [--storm-workers W]
 *   common: --kwhy PATH --storm PATH --churn PATH --bpftool PATH --out DIR --tag TAG
 *
 * Every measurement is taken against a baseline in the same invocation,
 * alternating (baseline, kwhy, baseline, kwhy, ...).  Results go to stdout
 * as "R TAG.KEY VALUE" lines, progress to stderr; a measurement that could
 * not be taken prints "F TAG: why" and makes the exit status 1 (a target
 * missed does not).
 *
 * Bounds: every wait has a deadline, every loop a count; only processes this
 * program started are signalled, by their PIDs; traffic goes to 127.0.0.1
 * and ::1 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "util/jsonq.h"

#define MAX_PAIRS 32
#define MAX_DEST 16
#define NTYPES 10

static const char *const g_types[NTYPES] = {
	"oom_kill", "process_exit", "signal", "listen", "listen_close",
	"connect_failed", "reset_sent", "reset_received", "socket_error", "bind",
};
enum { T_OOM, T_EXIT, T_SIGNAL, T_LISTEN, T_LCLOSE, T_CONNFAIL, T_RSTSENT, T_RSTRECV,
       T_SOCKERR, T_BIND };

/* ---- options ---- */

static struct {
	const char *kwhy, *storm, *churn, *bpftool, *out, *tag, *mode, *empty, *empty_obj;
	int family, pairs, seconds, workers, dests, listeners, runs, steady, interval_ms;
	long max, storm_rate, listen_rate, exit_rate;
	bool no_aggregate;
} O = {
	.kwhy = "build/kwhy", .storm = "build/bench/storm", .churn = "build/bench/churn",
	.bpftool = "bpftool", .out = "build/bench/out", .tag = NULL, .family = 4, .pairs = 5,
	.seconds = 5, .workers = 2, .dests = 2, .listeners = 0, .runs = 5, .steady = 5,
	.interval_ms = 20, .max = 10000000, .storm_rate = 50000, .listen_rate = 1000,
	.exit_rate = 2000,
};

static int g_failed;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("F %s: ", O.tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	g_failed = 1;
}

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "  [%s] ", O.tag);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void res(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("R %s.%s ", O.tag, key);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/* ---- time, numbers ---- */

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* the q-quantile (nearest rank) of n values; sorts them */
static double quantile(double *v, int n, double q)
{
	int k;

	if (n <= 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (int)(q * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static double median(const double *in, int n)
{
	double v[MAX_PAIRS * 4];

	if (n <= 0)
		return 0;
	if (n > (int)(sizeof(v) / sizeof(v[0])))
		n = sizeof(v) / sizeof(v[0]);
	memcpy(v, in, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- processes ---- */

/* fork and exec argv with the given stdin/stdout/stderr (-1: /dev/null) */
static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	pid_t p = fork();

	if (p < 0)
		return -1;
	if (p == 0) {
		int nul = open("/dev/null", O_RDWR);

		/* if this driver dies, so do its children (kwhy: a clean stop) */
		prctl(PR_SET_PDEATHSIG, argv[0] == O.kwhy ? SIGINT : SIGTERM);

		dup2(nul, 0);
		dup2(out_fd >= 0 ? out_fd : nul, 1);
		dup2(err_fd >= 0 ? err_fd : nul, 2);
		execv(argv[0], argv);
		fprintf(stderr, "kwbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return p;
}

/* wait for pid at most ms; then SIGKILL it (ours, not reaped) and say so */
static int wait_bounded(pid_t pid, int ms, int *status, struct rusage *ru)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000ULL;
	struct rusage dummy;
	int st = 0;

	for (;;) {
		pid_t r = wait4(pid, &st, WNOHANG, ru ? ru : &dummy);

		if (r == pid) {
			if (status)
				*status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ns(CLOCK_MONOTONIC) > end) {
			kill(pid, SIGKILL);
			wait4(pid, &st, 0, ru ? ru : &dummy);
			if (status)
				*status = st;
			return -1;
		}
		sleep_ms(2);
	}
}

/* a program's path: as given when it has a '/', else found in PATH or sbin */
static const char *which(const char *name)
{
	static char found[8][PATH_MAX];
	static int nfound;
	char dirs[4096], *save = NULL, *d;
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return name;
	snprintf(dirs, sizeof(dirs), "%s:/usr/local/sbin:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *f = found[nfound % 8];

		snprintf(f, PATH_MAX, "%s/%s", d, name);
		if (!access(f, X_OK)) {
			nfound++;
			return f;
		}
	}
	return name;
}

/* run argv, its stdout into buf (NUL-terminated); -1 on failure or timeout */
static int run_capture(char *const argv[], int timeout_ms, char *buf, size_t len)
{
	int fds[2], st;
	size_t got = 0;
	pid_t p;
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000ULL;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	p = spawn(argv, fds[1], 2);
	close(fds[1]);
	if (p < 0) {
		close(fds[0]);
		return -1;
	}
	for (;;) {
		struct pollfd pf = { fds[0], POLLIN, 0 };
		int64_t left = (int64_t)(end - now_ns(CLOCK_MONOTONIC)) / 1000000;
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&pf, 1, left > 1000 ? 1000 : (int)left) <= 0)
			continue;
		n = read(fds[0], buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
		if (got == len - 1)
			break;
	}
	buf[got] = '\0';
	close(fds[0]);
	if (wait_bounded(p, (int)((end > now_ns(CLOCK_MONOTONIC) ?
				   end - now_ns(CLOCK_MONOTONIC) : 0) / 1000000) + 100, &st, NULL))
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* utime + stime of a process, seconds */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after the comm: state(3) ... utime(14) stime(15) */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* a "Name:  N kB" line of /proc/PID/status, in KiB; -1 when missing */
static long proc_status_kb(pid_t pid, const char *name)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, nl) && line[nl] == ':') {
			v = strtol(line + nl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* processes named kwhy that are not ours: another tracer on the same
 * tracepoints makes a baseline "untraced" run less so */
static int foreign_kwhy(pid_t ours)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		int fd, len;

		if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == ours)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (len > 0 && !strncmp(comm, "kwhy\n", 5))
			n++;
	}
	closedir(d);
	return n;
}

static char g_loadavg[64];

static const char *loadavg(void)
{
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC), n = -1;

	if (fd >= 0) {
		n = read(fd, g_loadavg, sizeof(g_loadavg) - 1);
		close(fd);
	}
	g_loadavg[n > 0 ? n : 0] = '\0';
	g_loadavg[strcspn(g_loadavg, " ")] = '\0';	/* the 1-minute figure */
	return g_loadavg;
}

/* ---- BPF objects of a process, from /proc/PID/fdinfo ---- */

#define MAX_PROGS 64

struct bpf_objs {
	int nprogs;
	struct { uint32_t id; uint64_t run_ns, run_cnt, memlock; } prog[MAX_PROGS];
	int nmaps;
	uint64_t map_memlock;
};

static uint64_t fdinfo_u64(const char *text, const char *key)
{
	const char *p = text;
	size_t kl = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && p[kl] == ':')
			return strtoull(p + kl + 1, NULL, 10);
		p += kl;
	}
	return 0;
}

static int bpf_objs_read(pid_t pid, struct bpf_objs *b)
{
	char dir[64];
	DIR *d;
	struct dirent *e;

	memset(b, 0, sizeof(*b));
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], link[128], info[4096];
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-prog") && strcmp(link, "anon_inode:bpf-map"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, info, sizeof(info) - 1);
		close(fd);
		if (n <= 0)
			continue;
		info[n] = '\0';
		if (!strcmp(link, "anon_inode:bpf-map")) {
			b->nmaps++;
			b->map_memlock += fdinfo_u64(info, "memlock");
		} else if (b->nprogs < MAX_PROGS) {
			b->prog[b->nprogs].id = fdinfo_u64(info, "prog_id");
			b->prog[b->nprogs].run_ns = fdinfo_u64(info, "run_time_ns");
			b->prog[b->nprogs].run_cnt = fdinfo_u64(info, "run_cnt");
			b->prog[b->nprogs].memlock = fdinfo_u64(info, "memlock");
			b->nprogs++;
		}
	}
	closedir(d);
	return 0;
}

/* ---- kwhy ---- */

enum out_mode { OUT_FILE, OUT_PIPE, OUT_DRAIN };

struct kwhy {
	pid_t pid, drain;
	int out_pipe;		/* OUT_PIPE: its stdout, else -1 */
	char out[PATH_MAX], err[PATH_MAX];
	uint64_t t_exec;	/* CLOCK_MONOTONIC just before fork */
};

/* OUT_DRAIN: a child reads kwhy's stdout and throws it away (a reader that
 * costs next to nothing), keeping the first line (ready) in out_path and
 * "lines=N bytes=N" in out_path.count when the pipe closes */
static pid_t drain_start(int rfd, int wfd, const char *out_path)
{
	pid_t p = fork();

	if (p == 0) {
		static char buf[1 << 16];
		unsigned long long lines = 0, bytes = 0;
		char cpath[PATH_MAX + 8];
		int hd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		bool first = true;
		ssize_t n;
		FILE *f;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(wfd);	/* only kwhy writes: EOF when it exits */
		alarm(1200);	/* bounded if kwhy never closes its stdout */
		while ((n = read(rfd, buf, sizeof(buf))) > 0) {
			char *nl = first ? memchr(buf, '\n', n) : NULL;

			for (ssize_t i = 0; i < n; i++)
				lines += buf[i] == '\n';
			bytes += n;
			if (first && hd >= 0 && write(hd, buf, nl ? nl - buf + 1 : n) < 0)
				_exit(3);
			first = first && !nl;
		}
		snprintf(cpath, sizeof(cpath), "%s.count", out_path);
		f = fopen(cpath, "we");
		if (f) {
			fprintf(f, "lines=%llu bytes=%llu\n", lines, bytes);
			fclose(f);
		}
		_exit(0);
	}
	return p;
}

/* start `kwhy watch --json [extra]`, stdout as mode says */
static int kwhy_start(struct kwhy *k, enum out_mode mode, const char *out_path, const char *err_path,
		      const char *extra)
{
	char *argv[8] = { (char *)O.kwhy, "watch", "--json", NULL };
	int out = -1, err, fds[2] = { -1, -1 }, n = 3;

	if (extra)
		argv[n++] = (char *)extra;
	argv[n] = NULL;
	memset(k, 0, sizeof(*k));
	k->out_pipe = -1;
	snprintf(k->err, sizeof(k->err), "%s", err_path);
	snprintf(k->out, sizeof(k->out), "%s", out_path ? out_path : "");
	err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (err < 0)
		return -1;
	if (mode == OUT_FILE) {
		out = open(k->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else if (!pipe2(fds, O_CLOEXEC)) {
		out = fds[1];
		if (mode == OUT_PIPE) {
			k->out_pipe = fds[0];
		} else {
			unlink(k->out);
			k->drain = drain_start(fds[0], fds[1], k->out);
			close(fds[0]);
		}
	}
	if (out < 0 || k->drain < 0) {
		close(err);
		if (out >= 0)
			close(out);
		return -1;
	}
	k->t_exec = now_ns(CLOCK_MONOTONIC);
	k->pid = spawn(argv, out, err);
	close(out);
	close(err);
	return k->pid > 0 ? 0 : -1;
}

/* the first line of the output file is the ready record; 0 when it came */
static int kwhy_wait_ready_file(struct kwhy *k, int timeout_ms)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000ULL;

	while (now_ns(CLOCK_MONOTONIC) < end) {
		char buf[8192];
		int fd, st;
		ssize_t n = 0;

		if ((fd = open(k->out, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				if (strchr(buf, '\n'))
					return strstr(buf, "\"type\":\"ready\"") ? 0 : -1;
			}
		}
		if (waitpid(k->pid, &st, WNOHANG) == k->pid) {
			k->pid = 0;
			return -1;
		}
		sleep_ms(2);
	}
	return -1;
}

/* SIGINT (unless already sent), then wait (bounded); rusage of the run;
 * its exit status or -1 */
static int kwhy_stop_(struct kwhy *k, struct rusage *ru, double *stop_s, bool signal_it)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	int st = 0, r;

	if (k->pid <= 0)
		return -1;
	if (signal_it)
		kill(k->pid, SIGINT);
	r = wait_bounded(k->pid, 30000, &st, ru);
	if (stop_s)
		*stop_s = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	k->pid = 0;
	if (k->drain > 0 && wait_bounded(k->drain, 10000, NULL, NULL))
		r = -1;
	k->drain = 0;
	if (r)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int kwhy_stop(struct kwhy *k, struct rusage *ru, double *stop_s)
{
	return kwhy_stop_(k, ru, stop_s, true);
}

/* kwhy exited with a nonzero status after SIGINT: a finding about kwhy,
 * not a measurement lost (its final counters are still read); "M" lines
 * carry kwhy's own words from its stderr */
static int g_bad_exits;

static void note_bad_exit(int rc, const char *err_path, int pair)
{
	char line[512], last[512] = "";
	FILE *f = fopen(err_path, "re");

	g_bad_exits++;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "kwhy: ", 6) && !last[0]) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(last, sizeof(last), "%s", line);
		}
	if (f)
		fclose(f);
	printf("M %s pair %d: kwhy exited with status %d after SIGINT: %s\n", O.tag, pair, rc,
	       last[0] ? last : "(nothing on stderr)");
	fflush(stdout);
}

/* ---- kwhy's counters ---- */

struct kstats {
	bool have;
	long long lost_total, decode_errors;
	long long emitted[NTYPES], lost[NTYPES], aggregated[NTYPES], filtered[NTYPES];
};

static void stats_from_json(struct kstats *s, const struct jq_val *v)
{
	int64_t x;
	char path[64];

	memset(s, 0, sizeof(*s));
	s->have = true;
	if (jq_int(v, "lost_total", &x))
		s->lost_total = x;
	if (jq_int(v, "decode_errors", &x))
		s->decode_errors = x;
	for (int t = 0; t < NTYPES; t++) {
		snprintf(path, sizeof(path), "emitted.%s", g_types[t]);
		if (jq_int(v, path, &x))
			s->emitted[t] = x;
		snprintf(path, sizeof(path), "lost.%s", g_types[t]);
		if (jq_int(v, path, &x))
			s->lost[t] = x;
		snprintf(path, sizeof(path), "aggregated.%s", g_types[t]);
		if (jq_int(v, path, &x))
			s->aggregated[t] = x;
		snprintf(path, sizeof(path), "filtered.%s", g_types[t]);
		if (jq_int(v, path, &x))
			s->filtered[t] = x;
	}
}

/* the text form on stderr: "kwhy final counters: L lost, M malformed; per
 * event (sent/aggregated/filtered/lost): TYPE a/b/c/d ..." */
static void stats_from_stderr(struct kstats *s, const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	memset(s, 0, sizeof(*s));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "kwhy final counters:"), *q;

		if (!p)
			continue;
		s->have = true;
		sscanf(p, "kwhy final counters: %lld lost, %lld malformed", &s->lost_total,
		       &s->decode_errors);
		q = strstr(p, "):");
		for (q = q ? q + 2 : p; *q;) {
			char name[32];
			long long a, b, c, d;
			int used = 0;

			if (sscanf(q, " %31[a-z_] %lld/%lld/%lld/%lld%n", name, &a, &b, &c, &d, &used) != 5)
				break;
			for (int t = 0; t < NTYPES; t++)
				if (!strcmp(name, g_types[t])) {
					s->emitted[t] = a;
					s->aggregated[t] = b;
					s->filtered[t] = c;
					s->lost[t] = d;
				}
			q += used;
		}
	}
	fclose(f);
}

/* call fn for each JSON line of a file; the number of lines that did not parse */
static long for_each_record(const char *path, void (*fn)(const struct jq_val *, void *), void *ctx,
			    long *nlines)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, err[128];
	size_t cap = 0;
	long bad = 0;
	ssize_t n;

	*nlines = 0;
	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct jq_val *v;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		(*nlines)++;
		v = jq_parse(line, err, sizeof(err));
		if (!v) {
			bad++;
			continue;
		}
		fn(v, ctx);
		jq_free(v);
	}
	free(line);
	fclose(f);
	return bad;
}

static bool type_is(const struct jq_val *v, const char *t)
{
	const char *s = jq_str(v, "type");

	return s && !strcmp(s, t);
}

/* ---- key=value output of the generators ---- */

static bool kv_get(const char *line, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " \n");

			if (n >= len)
				n = len - 1;
			memcpy(out, p + kl + 1, n);
			out[n] = '\0';
			return true;
		}
		p += kl;
	}
	return false;
}

static double kv_num(const char *line, const char *key)
{
	char v[64];

	return kv_get(line, key, v, sizeof(v)) ? strtod(v, NULL) : -1;
}

struct storm_out {
	bool ok;
	double rate, elapsed, cpu_s;
	unsigned long long attempts, refused, other;
	int ndest;
	char dest[MAX_DEST][64];
	unsigned long long per[MAX_DEST];
};

static int run_storm(struct storm_out *s, int family, int seconds, long max, int workers, int dests,
		     const char *tag)
{
	char t[16], n[24], w[8], d[8], buf[4096], list[2048], *p;
	char *argv[16] = { (char *)O.storm, "-t", t, "-n", n, "-w", w, "-d", d };
	int a = 9;

	memset(s, 0, sizeof(*s));
	snprintf(t, sizeof(t), "%d", seconds);
	snprintf(n, sizeof(n), "%ld", max);
	snprintf(w, sizeof(w), "%d", workers);
	snprintf(d, sizeof(d), "%d", dests);
	if (family == 6)
		argv[a++] = "-6";
	argv[a] = NULL;
	if (run_capture(argv, (seconds + 20) * 1000, buf, sizeof(buf))) {
		fail("%s: the storm generator failed", tag);
		return -1;
	}
	s->rate = kv_num(buf, "rate");
	s->elapsed = kv_num(buf, "elapsed_s");
	s->cpu_s = kv_num(buf, "cpu_s");
	s->attempts = (unsigned long long)kv_num(buf, "attempts");
	s->refused = (unsigned long long)kv_num(buf, "refused");
	s->other = (unsigned long long)kv_num(buf, "other");
	if (kv_get(buf, "dests", list, sizeof(list)))
		for (p = strtok(list, ","); p && s->ndest < MAX_DEST; p = strtok(NULL, ","))
			snprintf(s->dest[s->ndest++], sizeof(s->dest[0]), "%s", p);
	if (kv_get(buf, "refused_per_dest", list, sizeof(list))) {
		int i = 0;

		for (p = strtok(list, ","); p && i < MAX_DEST; p = strtok(NULL, ","))
			s->per[i++] = strtoull(p, NULL, 10);
	}
	s->ok = s->rate > 0 && s->ndest > 0;
	if (!s->ok)
		fail("%s: no rate from the storm generator: %s", tag, buf);
	return s->ok ? 0 : -1;
}

/* ---- 1. storm ---- */

struct storm_check {
	const struct storm_out *so;
	int nexpl[MAX_DEST];
	char cause[MAX_DEST][32];
	long long sum_count[MAX_DEST], final_total[MAX_DEST];
	long explanations_all, summaries, repeats, events_ours;
	struct kstats st;
};

static int dest_index(const struct storm_out *so, const char *d)
{
	for (int i = 0; d && i < so->ndest; i++)
		if (!strcmp(so->dest[i], d))
			return i;
	return -1;
}

static void storm_rec(const struct jq_val *v, void *ctx)
{
	struct storm_check *c = ctx;
	const char *type = jq_str(v, "type");
	int64_t x;
	int i;

	if (!type)
		return;
	if (!strcmp(type, "stats")) {
		bool fin = false;

		if (jq_bool(v, "final", &fin) && fin)
			stats_from_json(&c->st, v);
	} else if (!strcmp(type, "explanation")) {
		c->explanations_all++;
		i = dest_index(c->so, jq_str(v, "facts.destination.text"));
		if (i >= 0) {
			c->nexpl[i]++;
			snprintf(c->cause[i], sizeof(c->cause[i]), "%s", jq_str(v, "cause") ?: "?");
		}
	} else if (!strcmp(type, "summary")) {
		i = dest_index(c->so, jq_str(v, "destination"));
		if (i >= 0) {
			c->summaries++;
			if (jq_int(v, "count", &x))
				c->sum_count[i] += x;
			if (jq_int(v, "total", &x))
				c->final_total[i] = x;
		}
	} else if (!strcmp(type, "repeat")) {
		if (dest_index(c->so, jq_str(v, "dest.text")) >= 0)
			c->repeats++;
	} else if (!strcmp(type, "connect_failed")) {
		if (dest_index(c->so, jq_str(v, "remote.text")) >= 0)
			c->events_ours++;
	} else if (!strcmp(type, "reset_sent")) {
		if (dest_index(c->so, jq_str(v, "local.text")) >= 0)
			c->events_ours++;
	}
}

static int cmd_storm(void)
{
	double ru_[MAX_PAIRS], rt[MAX_PAIRS], ratio[MAX_PAIRS], cpu100k[MAX_PAIRS], cpupct[MAX_PAIRS];
	double hwm[MAX_PAIRS], emitted[MAX_PAIRS], aggregated[MAX_PAIRS], lost[MAX_PAIRS];
	double expl[MAX_PAIRS], summ[MAX_PAIRS], recs[MAX_PAIRS], refused[MAX_PAIRS], firsts[MAX_PAIRS];
	int n = 0, exact_runs = 0, explained_runs = 0, foreign = 0;
	char causes[256] = "";
	long long lost_sum = 0, count_err = 0;
	int max_expl = 0;

	if (O.pairs > MAX_PAIRS)
		O.pairs = MAX_PAIRS;
	for (int i = 0; i < O.pairs; i++) {
		struct storm_out su, st;
		struct storm_check c;
		struct kwhy k;
		struct rusage ru;
		char out[PATH_MAX], err[PATH_MAX];
		double cpu0, cpu1, stop_s;
		long nlines = 0, bad;
		int rc;
		bool exact = true, explained = true;

		foreign += foreign_kwhy(0) > 0;
		if (run_storm(&su, O.family, O.seconds, O.max, O.workers, O.dests, "untraced"))
			return 1;

		snprintf(out, sizeof(out), "%s/%s-%d.jsonl", O.out, O.tag, i + 1);
		snprintf(err, sizeof(err), "%s/%s-%d.err", O.out, O.tag, i + 1);
		if (O.no_aggregate)	/* too much to keep: read and thrown away */
			snprintf(out, sizeof(out), "%s/%s-%d.head", O.out, O.tag, i + 1);
		if (kwhy_start(&k, O.no_aggregate ? OUT_DRAIN : OUT_FILE, out, err,
			       O.no_aggregate ? "--no-aggregate" : NULL) ||
		    kwhy_wait_ready_file(&k, 30000)) {
			fail("kwhy did not start (see %s)", err);
			if (k.pid > 0)
				kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		cpu0 = proc_cpu_s(k.pid);
		rc = run_storm(&st, O.family, O.seconds, O.max, O.workers, O.dests, "traced");
		cpu1 = proc_cpu_s(k.pid);
		hwm[n] = proc_status_kb(k.pid, "VmHWM") / 1024.0;
		if (rc) {
			kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		rc = kwhy_stop(&k, &ru, &stop_s);
		if (rc < 0) {
			fail("kwhy did not exit within 30 s of SIGINT (see %s)", err);
			return 1;
		}
		if (rc > 0)
			note_bad_exit(rc, err, i + 1);

		memset(&c, 0, sizeof(c));
		c.so = &st;
		if (O.no_aggregate) {
			char cpath[PATH_MAX + 8], cb[128] = "";
			FILE *f;

			stats_from_stderr(&c.st, err);
			bad = 0;
			snprintf(cpath, sizeof(cpath), "%s.count", out);
			if ((f = fopen(cpath, "re"))) {
				if (fgets(cb, sizeof(cb), f))
					nlines = (long)kv_num(cb, "lines");
				fclose(f);
			}
		} else {
			bad = for_each_record(out, storm_rec, &c, &nlines);
		}
		if (!c.st.have) {
			fail("no final stats from kwhy (%s)", O.no_aggregate ? err : out);
			return 1;
		}
		if (bad)
			fail("%ld lines of %s are not JSON", bad, out);

		ru_[n] = su.rate;
		rt[n] = st.rate;
		ratio[n] = st.rate / su.rate;
		refused[n] = st.refused;
		cpu100k[n] = (cpu1 - cpu0) / st.refused * 1e5;
		cpupct[n] = (cpu1 - cpu0) / st.elapsed * 100;
		emitted[n] = c.st.emitted[T_CONNFAIL] + c.st.emitted[T_RSTSENT];
		aggregated[n] = c.st.aggregated[T_CONNFAIL] + c.st.aggregated[T_RSTSENT];
		lost[n] = c.st.lost_total;
		lost_sum += c.st.lost_total;
		summ[n] = c.summaries;
		recs[n] = nlines;
		firsts[n] = c.events_ours;
		expl[n] = 0;
		for (int d = 0; d < st.ndest; d++) {
			/* every explanation reports its first, summaries the rest */
			long long counted = c.nexpl[d] + c.sum_count[d];

			expl[n] += c.nexpl[d];
			if (O.no_aggregate)
				continue;
			if (c.nexpl[d] != 1)
				explained = false;
			if (c.nexpl[d] != 1 || counted != (long long)st.per[d] ||
			    c.final_total[d] != (long long)st.per[d])
				exact = false;
			if (llabs(counted - (long long)st.per[d]) > llabs(count_err))
				count_err = counted - (long long)st.per[d];
			if (c.nexpl[d] > max_expl)
				max_expl = c.nexpl[d];
			if (!strstr(causes, c.cause[d]) && strlen(causes) + strlen(c.cause[d]) + 2 <
								   sizeof(causes))
				snprintf(causes + strlen(causes), sizeof(causes) - strlen(causes), "%s%s",
					 causes[0] ? "," : "", c.cause[d]);
			logmsg("pair %d dest %s: refused %llu, explanations %d (%s), kwhy's count "
			       "(explanations + sum of summary counts) %lld, last summary total %lld", i + 1, st.dest[d], st.per[d], c.nexpl[d],
			       c.cause[d], counted, c.final_total[d]);
		}
		exact_runs += exact;
		explained_runs += explained;
		logmsg("pair %d: untraced %.0f/s, traced %.0f/s (ratio %.3f); kwhy cpu %.2f s "
		       "(%.1f%% of a core, %.3f s/100k), lost %lld, emitted %.0f, aggregated %.0f, "
		       "%ld records, exit %.2f s after SIGINT, maxrss %ld KiB", i + 1, su.rate, st.rate,
		       ratio[n], cpu1 - cpu0, cpupct[n], cpu100k[n], c.st.lost_total, emitted[n],
		       aggregated[n], nlines, stop_s, ru.ru_maxrss);
		printf("P %s pair=%d untraced=%.0f traced=%.0f ratio=%.4f kwcpu_s=%.2f cpu_pct=%.1f "
		       "cpu_per_100k=%.4f refused=%llu lost=%lld emitted=%.0f aggregated=%.0f "
		       "explanations=%.0f summaries=%.0f exact=%s\n", O.tag, i + 1, su.rate, st.rate,
		       ratio[n], cpu1 - cpu0, cpupct[n], cpu100k[n], st.refused, c.st.lost_total,
		       emitted[n], aggregated[n], expl[n], summ[n],
		       O.no_aggregate ? "n/a" : exact ? "yes" : "no");
		if (!O.no_aggregate && nlines < 2)
			fail("pair %d: kwhy wrote %ld lines", i + 1, nlines);
		n++;
	}
	res("pairs", "%d", n);
	res("untraced_rate_median", "%.0f", median(ru_, n));
	res("traced_rate_median", "%.0f", median(rt, n));
	res("ratio_median", "%.4f", median(ratio, n));
	res("ratio_of_medians", "%.4f", median(rt, n) / median(ru_, n));
	{
		double lo = ratio[0], hi = ratio[0];

		for (int i = 1; i < n; i++) {
			lo = ratio[i] < lo ? ratio[i] : lo;
			hi = ratio[i] > hi ? ratio[i] : hi;
		}
		res("ratio_min", "%.4f", lo);
		res("ratio_max", "%.4f", hi);
	}
	res("refused_median", "%.0f", median(refused, n));
	res("kwhy_cpu_per_100k_s", "%.4f", median(cpu100k, n));
	res("kwhy_cpu_pct", "%.1f", median(cpupct, n));
	res("peak_rss_mib", "%.1f", quantile(hwm, n, 1.0));
	res("emitted_median", "%.0f", median(emitted, n));
	res("aggregated_median", "%.0f", median(aggregated, n));
	res("lost_total_sum", "%lld", lost_sum);
	res("lost_median", "%.0f", median(lost, n));
	res("records_median", "%.0f", median(recs, n));
	res("explanations_median", "%.1f", median(expl, n));
	res("summaries_median", "%.1f", median(summ, n));
	/* with aggregation: per destination, the first reset_sent (no owner in
	 * its key) and the first connect_failed of each worker process */
	if (!O.no_aggregate) {
		res("first_events_median", "%.0f", median(firsts, n));
		res("first_events_expected", "%d", O.dests * (1 + O.workers));
	}
	res("explained_runs", "%d", O.no_aggregate ? -1 : explained_runs);
	res("exact_runs", "%d", O.no_aggregate ? -1 : exact_runs);
	res("causes", "%s", causes[0] ? causes : "-");
	res("max_explanations_per_dest", "%d", O.no_aggregate ? -1 : max_expl);
	res("worst_count_error", "%lld", count_err);
	res("foreign_kwhy_runs", "%d", foreign);
	res("kwhy_bad_exits", "%d", g_bad_exits);
	res("loadavg_end", "%s", loadavg());
	return g_failed;
}

/* ---- 2. churn ---- */

struct churn_check {
	long long seen[NTYPES];
	struct kstats st;
	int probe_port;		/* refused once after the churn */
	bool probe_explained;	/* no_listener, explained */
	bool probe_resynced;	/* ... after re-reading the listeners */
};

/* One refused connect to a port nothing listens on (bound, then closed):
 * its port, or -1.  After a churn that lost events, kwhy must read its
 * listeners again before it explains it. */
static int refuse_once(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &alen))
		port = ntohs(a.sin_port);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || port < 0 || !connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    errno != ECONNREFUSED)
		port = -1;
	if (fd >= 0)
		close(fd);
	return port;
}

static bool comm_is(const struct jq_val *v, const char *path)
{
	const char *c = jq_str(v, path);

	return c && !strcmp(c, "kwbchurn");
}

static void churn_rec(const struct jq_val *v, void *ctx)
{
	struct churn_check *c = ctx;
	const char *type = jq_str(v, "type");
	bool fin = false, snap = false;

	if (!type)
		return;
	if (!strcmp(type, "stats")) {
		if (jq_bool(v, "final", &fin) && fin)
			stats_from_json(&c->st, v);
	} else if (!strcmp(type, "bind")) {
		c->seen[T_BIND] += comm_is(v, "process.comm");
	} else if (!strcmp(type, "listen")) {
		if (!(jq_bool(v, "snapshot", &snap) && snap))
			c->seen[T_LISTEN] += comm_is(v, "owner.comm");
	} else if (!strcmp(type, "listen_close")) {
		c->seen[T_LCLOSE] += comm_is(v, "owner.comm");
	} else if (!strcmp(type, "process_exit")) {
		c->seen[T_EXIT] += comm_is(v, "process.comm");
	} else if (!strcmp(type, "explanation") && c->probe_port > 0) {
		int64_t port = 0;
		const char *cause = jq_str(v, "cause");
		bool resynced = false;

		if (jq_int(v, "facts.destination.port", &port) && port == c->probe_port &&
		    cause && !strcmp(cause, "no_listener")) {
			c->probe_explained = true;
			c->probe_resynced = jq_bool(v, "facts.resynced", &resynced) && resynced;
		}
	}
}

static int run_churn(const char *mode, char *buf, size_t len)
{
	char t[16], n[24];
	char *argv[] = { (char *)O.churn, "-m", (char *)mode, "-t", t, "-n", n, NULL };

	snprintf(t, sizeof(t), "%d", O.seconds);
	snprintf(n, sizeof(n), "%ld", O.max);
	if (run_capture(argv, (O.seconds + 30) * 1000, buf, len) || kv_num(buf, "rate") <= 0) {
		fail("the churn generator failed: %s", buf);
		return -1;
	}
	return 0;
}

static int cmd_churn(void)
{
	double ru_[MAX_PAIRS], rt[MAX_PAIRS], ratio[MAX_PAIRS], cpupct[MAX_PAIRS];
	long long exp_tot[NTYPES] = { 0 }, seen_tot[NTYPES] = { 0 }, lost_tot[NTYPES] = { 0 };
	long long filtered_exit_min = -1, lost_all = 0;
	bool want[NTYPES] = { false };
	int n = 0, complete_runs = 0, foreign = 0, uncounted = 0, probes = 0, probes_right = 0;
	int lossy_runs = 0;
	bool fork_mode = !strcmp(O.mode, "fork"), forkl = !strcmp(O.mode, "forklisten");
	bool conn_mode = !strcmp(O.mode, "connect");	/* success path: nothing to report */

	if (!fork_mode && !conn_mode) {
		want[T_BIND] = want[T_LISTEN] = want[T_LCLOSE] = true;
		if (forkl)
			want[T_EXIT] = true;
	}
	if (O.pairs > MAX_PAIRS)
		O.pairs = MAX_PAIRS;
	for (int i = 0; i < O.pairs; i++) {
		char bu[1024], bt[1024], out[PATH_MAX], err[PATH_MAX];
		struct churn_check c;
		struct kwhy k;
		double cpu0, cpu1, ops;
		long nlines, bad;
		long long expect[NTYPES] = { 0 };
		bool complete = true;
		int rc;

		foreign += foreign_kwhy(0) > 0;
		if (run_churn(O.mode, bu, sizeof(bu)))
			return 1;
		snprintf(out, sizeof(out), "%s/%s-%d.jsonl", O.out, O.tag, i + 1);
		snprintf(err, sizeof(err), "%s/%s-%d.err", O.out, O.tag, i + 1);
		if (kwhy_start(&k, OUT_FILE, out, err, NULL) || kwhy_wait_ready_file(&k, 30000)) {
			fail("kwhy did not start (see %s)", err);
			if (k.pid > 0)
				kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		cpu0 = proc_cpu_s(k.pid);
		rc = run_churn(O.mode, bt, sizeof(bt));
		cpu1 = proc_cpu_s(k.pid);
		if (rc) {
			kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		memset(&c, 0, sizeof(c));
		if (!fork_mode && !conn_mode) {
			c.probe_port = refuse_once();
			usleep(300 * 1000);	/* its explanation waits for the client */
		}
		if ((rc = kwhy_stop(&k, NULL, NULL)) < 0) {
			fail("kwhy did not exit within 30 s of SIGINT (see %s)", err);
			return 1;
		}
		if (rc > 0)
			note_bad_exit(rc, err, i + 1);
		bad = for_each_record(out, churn_rec, &c, &nlines);
		if (!c.st.have) {
			fail("no final stats from kwhy (%s)", out);
			return 1;
		}
		if (bad)
			fail("%ld lines of %s are not JSON", bad, out);
		ops = kv_num(bt, "ops");
		if (!fork_mode && !conn_mode) {
			expect[T_BIND] = expect[T_LISTEN] = expect[T_LCLOSE] = kv_num(bt, "listens");
			if (forkl)
				expect[T_EXIT] = kv_num(bt, "forks");
		}
		for (int t = 0; t < NTYPES; t++) {
			if (want[t] && c.seen[t] != expect[t])
				complete = false;
			/* every one not seen is counted lost (host-wide, so
			 * other processes' losses can add to it) */
			if (want[t] && c.seen[t] + c.st.lost[t] < expect[t])
				uncounted++;
			exp_tot[t] += expect[t];
			seen_tot[t] += c.seen[t];
			lost_tot[t] += c.st.lost[t];
		}
		lost_all += c.st.lost_total;
		if (fork_mode) {
			/* sent exits would be lost ones; the rest are counted only,
			 * host-wide, so at least as many as the generator forked */
			complete = c.st.filtered[T_EXIT] + c.st.emitted[T_EXIT] >= ops &&
				   c.st.lost[T_EXIT] == 0;
			if (filtered_exit_min < 0 || c.st.filtered[T_EXIT] - ops < filtered_exit_min)
				filtered_exit_min = c.st.filtered[T_EXIT] - ops;
		}
		if (conn_mode)
			complete = c.st.lost_total == 0;
		complete_runs += complete;
		if (c.probe_port > 0) {
			probes++;
			probes_right += c.probe_explained && (c.probe_resynced || !c.st.lost_total);
			lossy_runs += c.st.lost_total > 0;
		}
		ru_[n] = kv_num(bu, "rate");
		rt[n] = kv_num(bt, "rate");
		ratio[n] = rt[n] / ru_[n];
		cpupct[n] = (cpu1 - cpu0) / kv_num(bt, "elapsed_s") * 100;
		logmsg("pair %d: untraced %.0f/s, traced %.0f/s (ratio %.3f), kwhy %.1f%% of a core; "
		       "ops %.0f; seen bind %lld/%lld listen %lld/%lld listen_close %lld/%lld "
		       "process_exit %lld/%lld; lost total %lld (listen %lld, listen_close %lld, "
		       "bind %lld, process_exit %lld); filtered exits %lld", i + 1, ru_[n], rt[n],
		       ratio[n], cpupct[n], ops, c.seen[T_BIND], expect[T_BIND], c.seen[T_LISTEN],
		       expect[T_LISTEN], c.seen[T_LCLOSE], expect[T_LCLOSE], c.seen[T_EXIT],
		       expect[T_EXIT], c.st.lost_total, c.st.lost[T_LISTEN], c.st.lost[T_LCLOSE],
		       c.st.lost[T_BIND], c.st.lost[T_EXIT], c.st.filtered[T_EXIT]);
		printf("P %s pair=%d untraced=%.0f traced=%.0f ratio=%.4f cpu_pct=%.1f ops=%.0f "
		       "lost=%lld complete=%s\n", O.tag, i + 1, ru_[n], rt[n], ratio[n], cpupct[n], ops,
		       c.st.lost_total, complete ? "yes" : "no");
		n++;
	}
	res("pairs", "%d", n);
	res("untraced_rate_median", "%.0f", median(ru_, n));
	res("traced_rate_median", "%.0f", median(rt, n));
	res("ratio_median", "%.4f", median(ratio, n));
	res("kwhy_cpu_pct", "%.1f", median(cpupct, n));
	for (int t = 0; t < NTYPES; t++) {
		char k1[64];

		if (!want[t])
			continue;
		snprintf(k1, sizeof(k1), "expected_%s", g_types[t]);
		res(k1, "%lld", exp_tot[t]);
		snprintf(k1, sizeof(k1), "seen_%s", g_types[t]);
		res(k1, "%lld", seen_tot[t]);
		snprintf(k1, sizeof(k1), "lost_%s", g_types[t]);
		res(k1, "%lld", lost_tot[t]);
	}
	if (fork_mode) {
		res("lost_process_exit", "%lld", lost_tot[T_EXIT]);
		res("filtered_exits_beyond_ours_min", "%lld", filtered_exit_min);
	}
	res("lost_total_sum", "%lld", lost_all);
	res("complete_runs", "%d", complete_runs);
	/* losses allowed at full rate, but counted, and the model right after */
	res("uncounted_types", "%d", uncounted);
	res("lossy_runs", "%d", lossy_runs);
	res("probes", "%d", probes);
	res("probes_right", "%d", probes_right);
	res("foreign_kwhy_runs", "%d", foreign);
	res("kwhy_bad_exits", "%d", g_bad_exits);
	return g_failed;
}


/* ---- 2b. rare events under a storm ---- */

/* start a generator with its stdout into path; its pid or -1 */
static pid_t spawn_to(char *const argv[], const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t p;

	if (fd < 0)
		return -1;
	p = spawn(argv, fd, 2);
	close(fd);
	return p;
}

static void read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * The rare ring's promise: a storm of refused connects (--storm-rate, all
 * workers together) while processes open listeners and exit holding them
 * (--listen-rate: each is a bind, a listen, a listen_close and a reported
 * process_exit) and more processes just exit (--exit-rate minus
 * --listen-rate: counted in the kernel).  Every listen/bind/exit event the
 * generators caused must be in kwhy's output, and kwhy's lost counters for
 * them must stay 0.  With --no-aggregate every refused connect is a record
 * on the bulk ring: the worst case for a consumer that drains both.
 */
static int cmd_rare(void)
{
	long long lost_rare = 0, lost_bulk = 0, missing = 0, expected_all = 0, seen_all = 0;
	double srate[MAX_PAIRS], cpupct[MAX_PAIRS];
	int n = 0, complete_runs = 0;
	long plain_exits = O.exit_rate > O.listen_rate ? O.exit_rate - O.listen_rate : 0;

	if (O.pairs > MAX_PAIRS)
		O.pairs = MAX_PAIRS;
	for (int i = 0; i < O.pairs; i++) {
		char out[PATH_MAX], err[PATH_MAX], p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX];
		char t[16], w[8], sr[24], lr[24], xr[24], bs[4096], bl[1024], bx[1024];
		char *sargv[] = { (char *)O.storm, "-t", t, "-w", w, "-d", "2", "-r", sr, NULL };
		char *largv[] = { (char *)O.churn, "-m", "forklisten", "-t", t, "-r", lr, NULL };
		char *xargv[] = { (char *)O.churn, "-m", "fork", "-t", t, "-r", xr, NULL };
		pid_t ps, pl, px = -1;
		struct churn_check c;
		struct kwhy k;
		double cpu0, cpu1;
		long nlines;
		long long expect, lost_r;
		int st1 = 0, st2 = 0, st3 = 0, rc;
		bool ok;

		snprintf(t, sizeof(t), "%d", O.seconds);
		snprintf(w, sizeof(w), "%d", O.workers);
		snprintf(sr, sizeof(sr), "%ld", O.storm_rate);
		snprintf(lr, sizeof(lr), "%ld", O.listen_rate);
		snprintf(xr, sizeof(xr), "%ld", plain_exits);
		snprintf(out, sizeof(out), "%s/%s-%d.jsonl", O.out, O.tag, i + 1);
		snprintf(err, sizeof(err), "%s/%s-%d.err", O.out, O.tag, i + 1);
		snprintf(p1, sizeof(p1), "%s/%s-%d.storm", O.out, O.tag, i + 1);
		snprintf(p2, sizeof(p2), "%s/%s-%d.listen", O.out, O.tag, i + 1);
		snprintf(p3, sizeof(p3), "%s/%s-%d.exit", O.out, O.tag, i + 1);
		if (kwhy_start(&k, OUT_FILE, out, err, O.no_aggregate ? "--no-aggregate" : NULL) ||
		    kwhy_wait_ready_file(&k, 30000)) {
			fail("kwhy did not start (see %s)", err);
			if (k.pid > 0)
				kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		cpu0 = proc_cpu_s(k.pid);
		ps = spawn_to(sargv, p1);
		sleep_ms(200);	/* the storm is on before the first listener */
		pl = spawn_to(largv, p2);
		if (plain_exits)
			px = spawn_to(xargv, p3);
		ok = ps > 0 && pl > 0 && (!plain_exits || px > 0);
		if (ps > 0 && wait_bounded(ps, (O.seconds + 30) * 1000, &st1, NULL))
			ok = false;
		if (pl > 0 && wait_bounded(pl, (O.seconds + 30) * 1000, &st2, NULL))
			ok = false;
		if (px > 0 && wait_bounded(px, (O.seconds + 30) * 1000, &st3, NULL))
			ok = false;
		cpu1 = proc_cpu_s(k.pid);
		rc = kwhy_stop(&k, NULL, NULL);
		if (!ok || st1 || st2 || st3) {
			fail("a generator failed (storm %#x, forklisten %#x, fork %#x)", st1, st2, st3);
			return 1;
		}
		if (rc < 0) {
			fail("kwhy did not exit within 30 s of SIGINT (see %s)", err);
			return 1;
		}
		if (rc > 0)
			note_bad_exit(rc, err, i + 1);
		read_small(p1, bs, sizeof(bs));
		read_small(p2, bl, sizeof(bl));
		read_small(p3, bx, sizeof(bx));
		memset(&c, 0, sizeof(c));
		if (for_each_record(out, churn_rec, &c, &nlines))
			fail("lines of %s are not JSON", out);
		if (!c.st.have) {
			fail("no final stats from kwhy (%s)", out);
			return 1;
		}
		expect = (long long)kv_num(bl, "listens");
		lost_r = c.st.lost[T_LISTEN] + c.st.lost[T_LCLOSE] + c.st.lost[T_BIND] +
			 c.st.lost[T_EXIT] + c.st.lost[T_OOM] + c.st.lost[T_SIGNAL];
		lost_rare += lost_r;
		lost_bulk += c.st.lost[T_CONNFAIL] + c.st.lost[T_RSTSENT] + c.st.lost[T_RSTRECV] +
			     c.st.lost[T_SOCKERR];
		expected_all += 4 * expect;
		seen_all += c.seen[T_BIND] + c.seen[T_LISTEN] + c.seen[T_LCLOSE] + c.seen[T_EXIT];
		missing += 4 * expect - (c.seen[T_BIND] + c.seen[T_LISTEN] + c.seen[T_LCLOSE] +
					 c.seen[T_EXIT]);
		complete_runs += lost_r == 0 && c.seen[T_BIND] == expect && c.seen[T_LISTEN] == expect &&
				 c.seen[T_LCLOSE] == expect && c.seen[T_EXIT] == expect;
		srate[n] = kv_num(bs, "rate");
		cpupct[n] = (cpu1 - cpu0) / (O.seconds + 0.2) * 100;
		logmsg("run %d: storm %.0f/s, listeners %lld (%.0f/s), plain exits %.0f; seen bind "
		       "%lld listen %lld listen_close %lld exit %lld; lost rare %lld, bulk %lld; "
		       "kwhy %.1f%%", i + 1, srate[n], expect, kv_num(bl, "rate"), kv_num(bx, "forks"),
		       c.seen[T_BIND], c.seen[T_LISTEN], c.seen[T_LCLOSE], c.seen[T_EXIT], lost_r,
		       c.st.lost_total - lost_r, cpupct[n]);
		printf("P %s run=%d storm_rate=%.0f listens=%lld plain_exits=%.0f seen=%lld/%lld "
		       "lost_rare=%lld lost_bulk=%lld cpu_pct=%.1f\n", O.tag, i + 1, srate[n], expect,
		       kv_num(bx, "forks"), c.seen[T_BIND] + c.seen[T_LISTEN] + c.seen[T_LCLOSE] +
		       c.seen[T_EXIT], 4 * expect, lost_r, c.st.lost_total - lost_r, cpupct[n]);
		n++;
	}
	res("runs", "%d", n);
	res("storm_rate_median", "%.0f", median(srate, n));
	res("kwhy_cpu_pct", "%.1f", median(cpupct, n));
	res("expected_rare", "%lld", expected_all);
	res("seen_rare", "%lld", seen_all);
	res("missing_rare", "%lld", missing);
	res("lost_rare", "%lld", lost_rare);
	res("lost_bulk", "%lld", lost_bulk);
	res("complete_runs", "%d", complete_runs);
	res("kwhy_bad_exits", "%d", g_bad_exits);
	return g_failed;
}

/* ---- 3. per-program cost ---- */

struct prog_names {
	int n;
	struct { uint32_t id; char name[64]; } p[MAX_PROGS * 8];
};

static void prog_names_load(struct prog_names *pn)
{
	static char buf[4 << 20];
	char *argv[] = { (char *)which(O.bpftool), "-j", "prog", "show", NULL };
	char err[128];
	struct jq_val *v;

	pn->n = 0;
	if (run_capture(argv, 20000, buf, sizeof(buf)))
		return;
	v = jq_parse(buf, err, sizeof(err));
	if (!v)
		return;
	for (size_t i = 0; i < jq_len(v, "") && pn->n < (int)(sizeof(pn->p) / sizeof(pn->p[0])); i++) {
		char path[32];
		int64_t id;
		const char *name;

		snprintf(path, sizeof(path), "%zu.id", i);
		if (!jq_int(v, path, &id))
			continue;
		snprintf(path, sizeof(path), "%zu.name", i);
		name = jq_str(v, path);
		pn->p[pn->n].id = id;
		snprintf(pn->p[pn->n].name, sizeof(pn->p[0].name), "%s", name ? name : "?");
		pn->n++;
	}
	jq_free(v);
}

static const char *prog_name(const struct prog_names *pn, uint32_t id)
{
	for (int i = 0; i < pn->n; i++)
		if (pn->p[i].id == id)
			return pn->p[i].name;
	return "?";
}

static int read_sysctl_int(const char *path)
{
	char b[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = -1;

	if (fd >= 0) {
		n = read(fd, b, sizeof(b) - 1);
		close(fd);
	}
	return n > 0 ? atoi(b) : -1;
}

static void prog_delta(const struct bpf_objs *a, const struct bpf_objs *b, const struct prog_names *pn,
		       const char *phase, double per_what, const char *per_name)
{
	uint64_t tot_ns = 0, tot_cnt = 0;

	for (int i = 0; i < b->nprogs; i++) {
		uint64_t ns = b->prog[i].run_ns, cnt = b->prog[i].run_cnt;
		char key[128];

		for (int j = 0; j < a->nprogs; j++)
			if (a->prog[j].id == b->prog[i].id) {
				ns -= a->prog[j].run_ns;
				cnt -= a->prog[j].run_cnt;
			}
		tot_ns += ns;
		tot_cnt += cnt;
		if (!cnt)
			continue;
		snprintf(key, sizeof(key), "%s.%s.runs", phase, prog_name(pn, b->prog[i].id));
		res(key, "%" PRIu64, cnt);
		snprintf(key, sizeof(key), "%s.%s.ns_per_run", phase, prog_name(pn, b->prog[i].id));
		res(key, "%.0f", (double)ns / cnt);
		logmsg("%s: %-28s %10" PRIu64 " runs %8.0f ns/run", phase, prog_name(pn, b->prog[i].id),
		       cnt, (double)ns / cnt);
	}
	{
		char key[128];

		snprintf(key, sizeof(key), "%s.total_ms", phase);
		res(key, "%.1f", tot_ns / 1e6);
		snprintf(key, sizeof(key), "%s.ns_per_%s", phase, per_name);
		res(key, "%.0f", per_what > 0 ? tot_ns / per_what : 0);
	}
	if (!tot_cnt)
		fail("%s: no BPF program of kwhy ran (run_cnt did not move)", phase);
}

/* emptyprog holding the empty programs; its pid, *ctl its stdin (close:
 * it exits), or -1 */
static pid_t empty_start(int *ctl)
{
	int in[2], outp[2];
	char buf[64] = "";
	pid_t p;
	ssize_t n;
	struct pollfd pf;

	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(outp, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	p = fork();
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(in[0], 0);
		dup2(outp[1], 1);
		execl(O.empty, O.empty, O.empty_obj, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	pf = (struct pollfd){ outp[0], POLLIN, 0 };
	n = poll(&pf, 1, 30000) > 0 ? read(outp[0], buf, sizeof(buf) - 1) : -1;
	close(outp[0]);
	*ctl = in[1];
	if (p < 0 || n <= 0 || strncmp(buf, "ready", 5)) {
		close(in[1]);
		if (p > 0)
			wait_bounded(p, 5000, NULL, NULL);
		return -1;
	}
	return p;
}

/* run count and ns per run of the program named name between a and b */
static double prog_ns(const struct bpf_objs *a, const struct bpf_objs *b, const struct prog_names *pn,
		      const char *name, uint64_t *runs)
{
	for (int i = 0; i < b->nprogs; i++) {
		uint64_t ns = b->prog[i].run_ns, cnt = b->prog[i].run_cnt;

		if (strcmp(prog_name(pn, b->prog[i].id), name))
			continue;
		for (int j = 0; j < a->nprogs; j++)
			if (a->prog[j].id == b->prog[i].id) {
				ns -= a->prog[j].run_ns;
				cnt -= a->prog[j].run_cnt;
			}
		if (runs)
			*runs = cnt;
		return cnt ? (double)ns / cnt : -1;
	}
	return -1;
}

/* kwhy's program against the empty one on the same tracepoint, same phase */
static void prog_vs_empty(const struct bpf_objs *k0, const struct bpf_objs *k1,
			  const struct bpf_objs *e0, const struct bpf_objs *e1,
			  const struct prog_names *pn, const char *phase, const char *kw,
			  const char *empty)
{
	uint64_t rk = 0, re = 0;
	double nk = prog_ns(k0, k1, pn, kw, &rk), ne = prog_ns(e0, e1, pn, empty, &re);
	char key[160];

	if (nk < 0 || ne <= 0) {
		fail("%s: no runs of %s or %s", phase, kw, empty);
		return;
	}
	snprintf(key, sizeof(key), "%s.%s.empty_ns_per_run", phase, kw);
	res(key, "%.0f", ne);
	snprintf(key, sizeof(key), "%s.%s.vs_empty", phase, kw);
	res(key, "%.2f", nk / ne);
	logmsg("%s: %s %.0f ns/run (%" PRIu64 " runs), empty %s %.0f ns/run (%" PRIu64
	       " runs): %.2fx", phase, kw, nk, rk, empty, ne, re, nk / ne);
}

static int cmd_progcost(void)
{
	struct bpf_objs b0, b1, b2, b3, e0, e1, e2;
	struct prog_names pn;
	struct storm_out so;
	struct kwhy k;
	char out[PATH_MAX], err[PATH_MAX], bt[1024], bc[1024];
	double ops;
	int rc, ctl = -1;
	pid_t ep = -1;

	if (read_sysctl_int("/proc/sys/kernel/bpf_stats_enabled") != 1) {
		fail("kernel.bpf_stats_enabled is not 1: run times are not collected");
		return 1;
	}
	snprintf(out, sizeof(out), "%s/%s.jsonl", O.out, O.tag);
	snprintf(err, sizeof(err), "%s/%s.err", O.out, O.tag);
	if (kwhy_start(&k, OUT_FILE, out, err, NULL) || kwhy_wait_ready_file(&k, 30000)) {
		fail("kwhy did not start (see %s)", err);
		if (k.pid > 0)
			kwhy_stop(&k, NULL, NULL);
		return 1;
	}
	if (O.empty && (ep = empty_start(&ctl)) < 0)
		fail("the empty programs (%s %s) did not load", O.empty, O.empty_obj);
	bpf_objs_read(k.pid, &b0);
	bpf_objs_read(ep, &e0);
	rc = run_storm(&so, 4, O.seconds, O.max, O.workers, 1, "storm");
	bpf_objs_read(k.pid, &b1);
	bpf_objs_read(ep, &e1);
	if (!rc)
		rc = run_churn("connect", bc, sizeof(bc));
	bpf_objs_read(k.pid, &b2);
	bpf_objs_read(ep, &e2);
	prog_names_load(&pn);	/* while the empty programs are there */
	if (ep > 0) {	/* gone before the churn, which it would only slow */
		close(ctl);
		wait_bounded(ep, 10000, NULL, NULL);
	}
	if (!rc)
		rc = run_churn("forklisten", bt, sizeof(bt));
	bpf_objs_read(k.pid, &b3);
	if (kwhy_stop(&k, NULL, NULL))
		fail("kwhy did not exit cleanly after SIGINT");
	if (rc)
		return 1;
	if (!pn.n)
		fail("no program names from '%s -j prog show'", O.bpftool);
	res("progs", "%d", b3.nprogs);
	res("storm.refused", "%llu", so.refused);
	res("storm.rate", "%.0f", so.rate);
	prog_delta(&b0, &b1, &pn, "storm", so.refused, "connect");
	ops = kv_num(bc, "ops");
	res("connect.ops", "%.0f", ops);
	res("connect.rate", "%.0f", kv_num(bc, "rate"));
	prog_delta(&b1, &b2, &pn, "connect", ops, "op");
	if (ep > 0) {
		prog_vs_empty(&b0, &b1, &e0, &e1, &pn, "storm", "kw_inet_sock_set_state",
			      "kwb_empty_set_state");
		prog_vs_empty(&b0, &b1, &e0, &e1, &pn, "storm", "kw_tcp_send_reset_v3",
			      "kwb_empty_send_reset");
		prog_vs_empty(&b1, &b2, &e1, &e2, &pn, "connect", "kw_inet_sock_set_state",
			      "kwb_empty_set_state");
	}
	ops = kv_num(bt, "ops");
	res("churn.ops", "%.0f", ops);
	prog_delta(&b2, &b3, &pn, "churn", ops, "op");
	return g_failed;
}

/* ---- 4. start-up ---- */

/* a child holding n listening sockets on 127.0.0.1 ephemeral ports; their
 * ports are written to *ports (malloc'ed); ctl: close it to end the child */
static pid_t listeners_start(int n, uint16_t **ports, int *ctl)
{
	int up[2], down[2];
	pid_t p;

	*ports = calloc(n > 0 ? n : 1, sizeof(**ports));
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -1;
	p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		struct rlimit rl;
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		close(down[1]);
		alarm(900);	/* bounded even if the parent vanishes without closing */
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)n + 64) {
			rl.rlim_cur = n + 64;
			if (rl.rlim_max < rl.rlim_cur)
				rl.rlim_max = rl.rlim_cur;
			if (setrlimit(RLIMIT_NOFILE, &rl))
				_exit(3);
		}
		for (int i = 0; i < n; i++) {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			socklen_t al = sizeof(a);
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			uint16_t port;

			if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
			    getsockname(s, (struct sockaddr *)&a, &al))
				_exit(4);
			port = ntohs(a.sin_port);
			if (write(up[1], &port, sizeof(port)) != sizeof(port))
				_exit(5);
		}
		close(up[1]);
		while (read(down[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	for (int got = 0; got < n;) {
		ssize_t r = read(up[0], *ports + got, (n - got) * sizeof(**ports));

		if (r <= 0) {
			close(up[0]);
			close(down[1]);
			wait_bounded(p, 5000, NULL, NULL);
			return -1;
		}
		got += r / sizeof(**ports);	/* 2-byte writes on a pipe are atomic */
	}
	close(up[0]);
	*ctl = down[1];
	return p;
}

/* kwhy's stdout, a pipe, read line by line with the time each line came */
struct line_reader {
	int fd;
	char buf[1 << 16];
	size_t len;
	bool eof;
	uint64_t t_last;	/* when the last read returned: every complete line
				 * in buf was completed by it (we read only when
				 * there is none) */
};

/* one complete line (NUL-terminated, no newline) or NULL; *t the arrival
 * time of the read that completed it */
static char *lr_next(struct line_reader *r, int timeout_ms, uint64_t *t, clockid_t clk)
{
	static char line[1 << 16];
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000ULL;

	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);

		if (nl) {
			size_t n = nl - r->buf;

			memcpy(line, r->buf, n);
			line[n] = '\0';
			memmove(r->buf, nl + 1, r->len - n - 1);
			r->len -= n + 1;
			if (t)
				*t = r->t_last;
			return line;
		}
		if (r->len == sizeof(r->buf))	/* a line too long to be ours: drop */
			r->len = 0;
		if (r->eof)
			return NULL;
		{
			struct pollfd pf = { r->fd, POLLIN, 0 };
			int64_t left = (int64_t)(end - now_ns(CLOCK_MONOTONIC)) / 1000000;
			ssize_t n;

			if (left <= 0)
				return NULL;
			if (poll(&pf, 1, (int)left) <= 0)
				continue;
			n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
			r->t_last = now_ns(clk);
			if (n <= 0) {
				r->eof = true;
				continue;
			}
			r->len += n;
		}
	}
}

static int cmd_startup(void)
{
	double ready_ms[64], snap_ms[64], base_ms[64];
	uint16_t *ports = NULL;
	unsigned char *want = calloc(65536, 1);
	int ctl = -1, runs = O.runs > 64 ? 64 : O.runs, nr = 0, nsnap = 0, snap_found_min = 0;
	pid_t helper = 0;
	long rss_ready = -1, rss_steady = -1, hwm = -1;
	struct bpf_objs bo = { 0 };

	if (O.listeners > 0) {
		helper = listeners_start(O.listeners, &ports, &ctl);
		if (helper <= 0) {
			fail("could not open %d listeners", O.listeners);
			return 1;
		}
		for (int i = 0; i < O.listeners; i++)
			want[ports[i]] = 1;
	}
	logmsg("%d listeners held by pid %d", O.listeners, (int)helper);
	for (int r = 0; r < runs; r++) {
		struct line_reader *lr = calloc(1, sizeof(*lr));
		char err[PATH_MAX], *line, *argv[] = { (char *)O.kwhy, "--version", NULL };
		unsigned char *seen = calloc(65536, 1);
		struct kwhy k;
		uint64_t t, t0, t_ready = 0, t_snap = 0;
		int found = 0, st;
		pid_t p;

		/* baseline: exec of the same binary, to its exit */
		t0 = now_ns(CLOCK_MONOTONIC);
		p = spawn(argv, -1, -1);
		if (p < 0 || wait_bounded(p, 10000, &st, NULL)) {
			fail("kwhy --version failed");
			goto out;
		}
		base_ms[nr] = (now_ns(CLOCK_MONOTONIC) - t0) / 1e6;

		snprintf(err, sizeof(err), "%s/%s-%d.err", O.out, O.tag, r + 1);
		if (kwhy_start(&k, OUT_PIPE, NULL, err, NULL)) {
			fail("cannot start kwhy");
			goto out;
		}
		lr->fd = k.out_pipe;
		line = lr_next(lr, 30000, &t, CLOCK_MONOTONIC);
		if (!line || !strstr(line, "\"type\":\"ready\"")) {
			fail("run %d: no ready record (see %s)", r + 1, err);
			kwhy_stop(&k, NULL, NULL);
			goto out;
		}
		t_ready = t;
		if (r == 0)
			rss_ready = proc_status_kb(k.pid, "VmRSS");
		/* the helper's listeners, as reported from the snapshot: until all
		 * were, or no more came for a second (kwhy may keep fewer) */
		while (found < O.listeners && (line = lr_next(lr, 1000, &t, CLOCK_MONOTONIC))) {
			char e[64];
			struct jq_val *v;
			int64_t port;
			bool snap = false;

			if (!strstr(line, "\"snapshot\":true") || !(v = jq_parse(line, e, sizeof(e))))
				continue;
			if (type_is(v, "listen") && jq_bool(v, "snapshot", &snap) && snap &&
			    jq_int(v, "local.port", &port) && port > 0 && port < 65536 &&
			    want[port] && !seen[port]) {
				seen[port] = 1;
				found++;
				t_snap = t;
			}
			jq_free(v);
		}
		if (found < snap_found_min || r == 0)
			snap_found_min = found;
		ready_ms[nr] = (t_ready - k.t_exec) / 1e6;
		if (t_snap)
			snap_ms[nsnap++] = (t_snap - k.t_exec) / 1e6;
		logmsg("run %d: ready after %.1f ms; %d of %d listeners reported from the snapshot, "
		       "the last after %.1f ms (exec baseline %.1f ms)", r + 1, ready_ms[nr], found,
		       O.listeners, t_snap ? (t_snap - k.t_exec) / 1e6 : 0, base_ms[nr]);
		nr++;
		if (r == runs - 1 && O.steady > 0) {
			/* idle: keep reading (the host's other events) for O.steady s */
			uint64_t end = now_ns(CLOCK_MONOTONIC) + O.steady * 1000000000ULL;

			while (now_ns(CLOCK_MONOTONIC) < end)
				lr_next(lr, (int)((end - now_ns(CLOCK_MONOTONIC)) / 1000000) + 1, NULL,
					CLOCK_MONOTONIC);
			rss_steady = proc_status_kb(k.pid, "VmRSS");
			hwm = proc_status_kb(k.pid, "VmHWM");
			bpf_objs_read(k.pid, &bo);
		}
		kill(k.pid, SIGINT);
		while (lr_next(lr, 30000, NULL, CLOCK_MONOTONIC))	/* to EOF */
			;
		close(lr->fd);
		if (kwhy_stop_(&k, NULL, NULL, false))	/* already signalled: reap it */
			fail("run %d: kwhy did not exit cleanly", r + 1);
		free(lr);
		free(seen);
	}
	res("runs", "%d", nr);
	res("ready_ms_median", "%.1f", median(ready_ms, nr));
	res("ready_ms_max", "%.1f", quantile(ready_ms, nr, 1.0));
	res("exec_baseline_ms_median", "%.1f", median(base_ms, nr));
	if (O.listeners > 0) {
		res("snapshot_ms_median", "%.1f", median(snap_ms, nsnap));
		res("snapshot_reported_min", "%d", snap_found_min);
		if (!nsnap)
			fail("none of the %d listeners was reported from the snapshot", O.listeners);
	}
	if (rss_ready >= 0)
		res("rss_at_ready_mib", "%.2f", rss_ready / 1024.0);
	if (O.steady > 0) {
		if (rss_steady < 0 || hwm < 0)
			fail("no RSS read");
		res("steady_rss_mib", "%.2f", rss_steady / 1024.0);
		res("peak_rss_mib", "%.2f", hwm / 1024.0);
		res("bpf_maps", "%d", bo.nmaps);
		res("bpf_map_memlock_kib", "%.0f", bo.map_memlock / 1024.0);
		{
			uint64_t pm = 0;

			for (int i = 0; i < bo.nprogs; i++)
				pm += bo.prog[i].memlock;
			res("bpf_progs", "%d", bo.nprogs);
			res("bpf_prog_memlock_kib", "%.0f", pm / 1024.0);
		}
	}
out:
	if (helper > 0) {
		close(ctl);
		if (wait_bounded(helper, 10000, NULL, NULL))
			fail("the listener helper did not exit");
	}
	free(ports);
	free(want);
	return g_failed;
}

/* ---- 5. latency ---- */

/* every interval_ms: reserve a closed port (bound, not listening, and kept
 * so that no later probe gets the same port), report it on fd, connect to
 * it (refused); count times */
static void latency_client(int fd, int count, int interval_ms)
{
	struct timespec next;
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)count + 64) {
		rl.rlim_cur = count + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int i = 0; i < count; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t al = sizeof(a);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;
		uint16_t port;

		next.tv_nsec += interval_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(s, (struct sockaddr *)&a, &al))
			_exit(3);
		port = ntohs(a.sin_port);
		if (write(fd, &port, sizeof(port)) != sizeof(port))
			_exit(4);
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ECONNREFUSED)
			_exit(5);
		close(c);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	_exit(0);
}

/* the ports the client wrote so far; false at its EOF */
static bool read_ports(int fd, unsigned char *want, int *sent)
{
	for (;;) {
		uint16_t ports[256];
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pf, 1, 0) <= 0)
			return true;
		r = read(fd, ports, sizeof(ports));
		if (r <= 0)
			return false;
		for (int i = 0; i < r / 2; i++) {
			want[ports[i]] = 1;
			(*sent)++;
		}
	}
}

static int cmd_latency(void)
{
	/* at most 5000 probes: each keeps its port (a descriptor) to the end */
	int count = O.seconds * 1000 / O.interval_ms, up[2], nlat = 0, client_st = 0;
	double *lat = calloc(count + 1, sizeof(double));
	unsigned char *want = calloc(65536, 1), *seen = calloc(65536, 1);
	struct line_reader *lr = calloc(1, sizeof(*lr));
	pid_t client = 0, storm = 0;
	char err[PATH_MAX], stormout[PATH_MAX], *line;
	struct kwhy k;
	uint64_t t, client_end = 0;
	int sent = 0, stormfd = -1;
	bool client_open = true;

	if (count > 5000)
		count = 5000;
	snprintf(err, sizeof(err), "%s/%s.err", O.out, O.tag);
	if (kwhy_start(&k, OUT_PIPE, NULL, err, NULL)) {
		fail("cannot start kwhy");
		return 1;
	}
	lr->fd = k.out_pipe;
	line = lr_next(lr, 30000, NULL, CLOCK_BOOTTIME);
	if (!line || !strstr(line, "\"type\":\"ready\"")) {
		fail("no ready record (see %s)", err);
		kwhy_stop(&k, NULL, NULL);
		return 1;
	}
	if (O.workers > 0) {
		char ts[16], w[8];
		char *argv[] = { (char *)O.storm, "-t", ts, "-w", w, "-d", "1", NULL };

		snprintf(ts, sizeof(ts), "%d", O.seconds + 2);
		snprintf(w, sizeof(w), "%d", O.workers);
		snprintf(stormout, sizeof(stormout), "%s/%s-storm.out", O.out, O.tag);
		stormfd = open(stormout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		storm = spawn(argv, stormfd, 2);
		close(stormfd);
		if (storm <= 0) {
			fail("cannot start the storm");
			kwhy_stop(&k, NULL, NULL);
			return 1;
		}
		sleep_ms(700);	/* the storm is on, its first events explained */
	}
	if (pipe2(up, O_CLOEXEC)) {
		fail("pipe");
		return 1;
	}
	client = fork();
	if (client == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		latency_client(up[1], count, O.interval_ms);
	}
	close(up[1]);
	/* read both: the client's ports and kwhy's lines; bounded */
	for (uint64_t end = now_ns(CLOCK_MONOTONIC) + (O.seconds + 30) * 1000000000ULL;
	     now_ns(CLOCK_MONOTONIC) < end;) {
		client_open = client_open && read_ports(up[0], want, &sent);
		if (!client_open && !client_end)
			client_end = now_ns(CLOCK_MONOTONIC);
		/* done: the client ended and every port was explained, or 2 s after */
		if (!client_open && (nlat >= sent ||
				     now_ns(CLOCK_MONOTONIC) > client_end + 2000000000ULL))
			break;
		line = lr_next(lr, 5, &t, CLOCK_BOOTTIME);
		if (!line || !strstr(line, "\"type\":\"explanation\""))
			continue;
		{
			char e[64];
			struct jq_val *v = jq_parse(line, e, sizeof(e));
			const char *d = v ? jq_str(v, "facts.destination.text") : NULL;
			int64_t boot;

			if (d && !strncmp(d, "127.0.0.1:", 10) && jq_int(v, "boot_ns", &boot)) {
				int port = atoi(d + 10);

				/* the client wrote the port before it connected:
				 * what it wrote so far decides */
				if (client_open && port > 0 && port < 65536 && !want[port])
					client_open = read_ports(up[0], want, &sent);
				if (port > 0 && port < 65536 && want[port] && !seen[port] &&
				    nlat < count) {
					seen[port] = 1;
					lat[nlat++] = ((int64_t)t - boot) / 1e6;
				}
			}
			jq_free(v);
		}
	}
	close(up[0]);
	if (wait_bounded(client, 5000, &client_st, NULL) || !WIFEXITED(client_st) ||
	    WEXITSTATUS(client_st))
		fail("the latency client failed (status %#x)", client_st);
	if (storm > 0 && wait_bounded(storm, (O.seconds + 20) * 1000, NULL, NULL))
		fail("the storm did not end");
	kill(k.pid, SIGINT);
	while (lr_next(lr, 30000, NULL, CLOCK_BOOTTIME))
		;
	close(lr->fd);
	if (kwhy_stop_(&k, NULL, NULL, false))
		fail("kwhy did not exit cleanly");
	{
		int matched = 0, missing = 0;
		double *m = calloc(nlat + 1, sizeof(double));

		for (int p = 1; p < 65536; p++) {
			if (want[p] && !seen[p])
				missing++;
		}
		/* lat[]: the client's ports, each explained once */
		matched = nlat;
		memcpy(m, lat, nlat * sizeof(double));
		res("probes", "%d", sent);
		res("explained", "%d", matched);
		res("missing", "%d", missing);
		res("p50_ms", "%.2f", quantile(m, matched, 0.50));
		res("p99_ms", "%.2f", quantile(m, matched, 0.99));
		res("max_ms", "%.2f", quantile(m, matched, 1.0));
		if (O.workers > 0) {
			char sb[4096] = "";
			FILE *f = fopen(stormout, "re");

			if (f) {
				if (!fgets(sb, sizeof(sb), f))
					sb[0] = '\0';
				fclose(f);
			}
			res("storm_rate", "%.0f", kv_num(sb, "rate"));
		}
		if (matched < sent * 9 / 10)
			fail("only %d of %d probes were explained", matched, sent);
		free(m);
	}
	free(lat);
	free(want);
	free(seen);
	free(lr);
	return g_failed;
}

/* ---- main ---- */

static int usage(void)
{
	fprintf(stderr, "usage: kwbench storm|churn|rare|progcost|startup|latency [options]\n"
			"  see the comment at the top of bench/kwbench.c\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

#define STR(name, field) if (!strcmp(a, name) && v) { O.field = v; i++; continue; }
#define INT(name, field) if (!strcmp(a, name) && v) { O.field = atol(v); i++; continue; }
		STR("--kwhy", kwhy) STR("--storm", storm) STR("--churn", churn)
		STR("--bpftool", bpftool) STR("--empty", empty) STR("--empty-obj", empty_obj) STR("--out", out) STR("--tag", tag) STR("--mode", mode)
		INT("--family", family) INT("--pairs", pairs) INT("--seconds", seconds)
		INT("--workers", workers) INT("--storm-workers", workers) INT("--dests", dests)
		INT("--listeners", listeners) INT("--runs", runs) INT("--steady", steady)
		INT("--interval-ms", interval_ms) INT("--max", max)
		INT("--storm-rate", storm_rate) INT("--listen-rate", listen_rate)
		INT("--exit-rate", exit_rate)
		if (!strcmp(a, "--no-aggregate")) {
			O.no_aggregate = true;
			continue;
		}
		fprintf(stderr, "kwbench: unknown option %s\n", a);
		return usage();
	}
	if (!O.tag)
		O.tag = cmd;
	if (O.pairs < 1 || O.seconds < 1 || O.seconds > 600 || O.runs < 1 || O.interval_ms < 1 ||
	    O.dests < 1 || O.dests > MAX_DEST || O.listeners < 0 || O.listeners > 60000)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	mkdir(O.out, 0755);
	if (!strcmp(cmd, "storm"))
		return cmd_storm();
	if (!strcmp(cmd, "churn")) {
		if (!O.mode)
			return usage();
		return cmd_churn();
	}
	if (!strcmp(cmd, "rare"))
		return cmd_rare();
	if (!strcmp(cmd, "progcost"))
		return cmd_progcost();
	if (!strcmp(cmd, "startup"))
		return cmd_startup();
	if (!strcmp(cmd, "latency"))
		return cmd_latency();
	return usage();
}
