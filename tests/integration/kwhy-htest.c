// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-htest: kwhy under faults and hostile input (issue 14).  Each
 * scenario runs a kwhy of its own:
 *
 *   symlink_refused   record -o, watch --record and export -o onto a planted
 *                     symlink are refused and its target is untouched;
 *                     with --force the link is replaced, not followed
 *   existing_refused  an existing trace or export is refused without
 *                     --force; with it, replaced by a new file, mode 0600
 *   stalled_reader    SIGINT while stdout is a full pipe nobody reads: kwhy
 *                     ends (a hang check, bounded at 3 s), exit 0, final
 *                     counters on stderr; two SIGINTs in a row end it too
 *   closed_stdout     the reader of stdout goes away while nothing is
 *                     written: noticed, exit 1
 *   max_files         --max-size 64K with --max-files 1 (cut and started
 *                     again) and 3: no file over 64K, no more files than
 *                     kept, at every look and at the end; --max-size
 *                     17179869185G refused
 *   info_part         info on a rotated part: its own span (not the state
 *                     it starts with) and its own losses
 *   bad_trace_files   a directory, a 12-byte file: said precisely
 *   enospc            record onto a full tmpfs (in a private mount
 *                     namespace): exit 5 with the reason, the partial trace
 *                     readable; watch --record says it as a trace_error record
 *   privileges        a running kwhy's /proc/PID/status: only the kept
 *                     capabilities, NoNewPrivs, seccomp filter; and it still
 *                     names the processes of a refusal it explains
 *
 *   kwhy-htest --kwhy PATH [--only NAME] [-v]
 *
 * Output: "ok N - name" / "not ok N - name: ..." per check, then "P
 * passed, F failed".  Root.  Traffic only to loopback ports this program
 * picked; kwhy filters on them (--port), so another kwhy or test running
 * at the same time does not disturb it.  Every wait is bounded; processes
 * are killed only by the PIDs of children this program forked; the files,
 * directories and the tmpfs it makes are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "itest.h"

#define HANG_MS		3000	/* a stop must end kwhy within this: a hang check */
#define LOAD_MS		30000	/* kwhy loads and attaches */
#define ROT_SIZE	(64 * 1024)
#define REFUSALS_MAX	200000	/* refused connects one scenario makes at most */

static const char *g_kwhy;
static char g_dir[64];		/* this run's files */

/* ---- small helpers ---- */

static void path_in(char *out, size_t len, const char *name)
{
	it_msgf(out, len, "%s/%s", g_dir, name);
}

/* n refused connects to 127.0.0.1:port; how many were refused */
static int refuse(int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t sl = it_mkaddr(&ss, AF_INET, "127.0.0.1", port);
	int refused = 0;

	for (int i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0)
			break;
		if (connect(s, (struct sockaddr *)&ss, sl) && errno == ECONNREFUSED)
			refused++;
		close(s);
	}
	return refused;
}

/* Fork and exec kwhy with args, stdout and stderr onto the fds given
 * (-1: /dev/null); its pid, or -1. */
static pid_t spawn(const char *const *args, int out, int err)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[32] = { (char *)g_kwhy };
		int n = 1, null = open("/dev/null", O_RDWR);

		for (int i = 0; args[i] && n < 31; i++)
			argv[n++] = (char *)args[i];
		argv[n] = NULL;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != it_self)
			_exit(126);
		if (dup2(out >= 0 ? out : null, 1) < 0 || dup2(err >= 0 ? err : null, 2) < 0)
			_exit(126);
		execv(g_kwhy, argv);
		_exit(127);
	}
	return pid;
}

/* wait up to ms for pid; true with its status when it exited */
static bool wait_exit(pid_t pid, int ms, int *st)
{
	int64_t deadline = it_now_ms() + ms;

	for (int i = 0; i < 100000; i++) {
		pid_t r = waitpid(pid, st, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if (it_now_ms() >= deadline)
			return false;
		usleep(5000);
	}
	return false;
}

/* our child pid, killed and reaped when it is still there */
static void reap(pid_t pid)
{
	int st;

	if (pid > 0 && !wait_exit(pid, 0, &st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
}

static bool exited_with(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* a file's whole text (bounded), "" when unreadable */
static const char *text_of(const char *path)
{
	static char buf[65536];

	if (it_read_file(path, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	return buf;
}

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* wait up to ms for path to exist (a recorder that has started) */
static bool wait_file(const char *path, pid_t pid, int ms)
{
	int64_t deadline = it_now_ms() + ms;
	int st;

	for (int i = 0; i < 100000 && it_now_ms() < deadline; i++) {
		if (size_of(path) > 0)
			return true;
		if (pid > 0 && waitpid(pid, &st, WNOHANG) == pid) {
			it_diag("kwhy exited before %s appeared: %s", path, it_status_text(st));
			return false;
		}
		usleep(20000);
	}
	return false;
}

/* kwhy COMMAND... to completion (bounded), its stdout and stderr */
static bool run_kwhy(const char *const *args, int *st, char *out, size_t olen, char *err,
		     size_t elen)
{
	return it_run_capture(g_kwhy, args, IT_CMD_MS, st, out, olen, err, elen);
}

/* a planted file: "precious" in path */
static bool plant(const char *sc, const char *path)
{
	unlink(path);
	if (it_create_file(path, "precious\n")) {
		it_fail(sc, "setup", "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static void check_untouched(const char *sc, const char *what, const char *path)
{
	const char *t = text_of(path);

	if (!strcmp(t, "precious\n"))
		it_pass(sc, what);
	else
		it_fail(sc, what, "%s now holds %.60s", path, t);
}

/* ---- symlink_refused, existing_refused ---- */

/* a trace to export from: a short recording */
static bool make_trace(const char *sc, const char *path)
{
	const char *const args[] = { "record", "-o", path, "--duration", "1", "--port", "1",
				     NULL };
	char out[4096], err[8192];
	int st;

	if (!run_kwhy(args, &st, out, sizeof(out), err, sizeof(err)) || !exited_with(st, 0)) {
		it_fail(sc, "setup: a trace to export", "kwhy record %s: %s", it_status_text(st),
			err);
		return false;
	}
	return true;
}

static void refused_onto(const char *sc, const char *what, const char *const *args,
			 const char *target)
{
	char out[4096], err[8192];
	int st;

	if (!run_kwhy(args, &st, out, sizeof(out), err, sizeof(err))) {
		it_fail(sc, what, "kwhy did not finish");
		return;
	}
	if (exited_with(st, 1) && strstr(err, "--force"))
		it_pass(sc, what);
	else
		it_fail(sc, what, "kwhy %s: %s", it_status_text(st), err);
	check_untouched(sc, "the symlink's target is untouched", target);
}

static void sc_symlink_refused(const char *sc)
{
	char target[128], link[128], trace[128], tmpl[160];
	struct stat st;

	path_in(target, sizeof(target), "etc-something");
	path_in(link, sizeof(link), "incident.kwt");
	path_in(trace, sizeof(trace), "source.kwt");
	if (!plant(sc, target) || !make_trace(sc, trace))
		return;
	unlink(link);
	if (symlink(target, link)) {
		it_fail(sc, "setup", "symlink: %s", strerror(errno));
		return;
	}
	refused_onto(sc, "record -o onto a symlink is refused",
		     (const char *const[]){ "record", "-o", link, "--duration", "1", NULL }, target);
	refused_onto(sc, "watch --record onto a symlink is refused",
		     (const char *const[]){ "watch", "--record", link, "--duration", "1", NULL },
		     target);
	refused_onto(sc, "export -o onto a symlink is refused",
		     (const char *const[]){ "export", trace, "--format", "otlp", "-o", link, NULL },
		     target);
	/* --force: a new file in the link's place, the target as it was */
	{
		const char *const args[] = { "export", trace, "--format", "perfetto", "-o", link,
					     "--force", NULL };
		char out[4096], err[8192];
		int status;

		if (run_kwhy(args, &status, out, sizeof(out), err, sizeof(err)) &&
		    exited_with(status, 0) && !lstat(link, &st) && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0777) == 0600 && strstr(text_of(link), "traceEvents"))
			it_pass(sc, "export --force replaces the link with a file of mode 0600");
		else
			it_fail(sc, "export --force replaces the link with a file of mode 0600",
				"kwhy %s: %s", it_status_text(status), err);
		check_untouched(sc, "... and the target is still untouched", target);
	}
	/* a planted link at a rotated name (incident.kwt.2) is refused too */
	unlink(link);
	it_msgf(tmpl, sizeof(tmpl), "%s.2", link);
	unlink(tmpl);
	if (!symlink(target, tmpl))
		refused_onto(sc, "record with rotation refuses a planted incident.kwt.2",
			     (const char *const[]){ "record", "-o", link, "--max-size", "64K",
						    "--max-files", "3", "--duration", "1", NULL },
			     target);
	unlink(tmpl);
	unlink(link);
	unlink(target);
	unlink(trace);
}

static void sc_existing_refused(const char *sc)
{
	char trace[128], out_path[128];
	char out[4096], err[8192];
	struct stat st;
	int status;

	path_in(trace, sizeof(trace), "existing.kwt");
	path_in(out_path, sizeof(out_path), "existing.jsonl");
	if (!plant(sc, trace))
		return;
	refused_onto(sc, "record -o onto an existing file is refused",
		     (const char *const[]){ "record", "-o", trace, "--duration", "1", NULL }, trace);
	{
		const char *const args[] = { "record", "-o", trace, "--duration", "1", "--force",
					     "--port", "1", NULL };

		if (run_kwhy(args, &status, out, sizeof(out), err, sizeof(err)) &&
		    exited_with(status, 0) && !lstat(trace, &st) && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0777) == 0600 && !memcmp(text_of(trace), "KWHYTRC\n", 8))
			it_pass(sc, "record --force replaces it with a trace of mode 0600");
		else
			it_fail(sc, "record --force replaces it with a trace of mode 0600",
				"kwhy %s: %s", it_status_text(status), err);
	}
	if (!plant(sc, out_path))
		return;
	refused_onto(sc, "export -o onto an existing file is refused",
		     (const char *const[]){ "export", trace, "--format", "jsonl", "-o", out_path,
					    NULL }, out_path);
	unlink(out_path);
	unlink(trace);
}

/* ---- stalled_reader, closed_stdout ---- */

/* Read p until kwhy's ready record went by (then read no more); bounded. */
static bool read_until_ready(int fd, pid_t pid, int ms)
{
	static char buf[1 << 16];
	size_t used = 0;
	int64_t deadline = it_now_ms() + ms;
	int st;

	for (int i = 0; i < 100000 && it_now_ms() < deadline; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 50) <= 0) {
			if (waitpid(pid, &st, WNOHANG) == pid) {
				it_diag("kwhy exited before ready: %s", it_status_text(st));
				return false;
			}
			continue;
		}
		if (used >= sizeof(buf) - 1)
			used = 0;	/* only the ready line matters */
		k = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (k <= 0)
			return false;
		used += k;
		buf[used] = '\0';
		if (strstr(buf, "\"type\":\"ready\""))
			return true;
	}
	return false;
}

/* kwhy watch --json on a pipe, ready, the pipe then filled by refusals to
 * port with nobody reading it; kwhy's pid, or -1 */
static pid_t stalled_kwhy(const char *sc, int port, int pipefd[2], int errfd)
{
	char portstr[16];
	pid_t pid;
	int queued = 0, size;

	it_msgf(portstr, sizeof(portstr), "%d", port);
	if (pipe2(pipefd, O_CLOEXEC)) {
		it_fail(sc, "setup", "pipe: %s", strerror(errno));
		return -1;
	}
	pid = spawn((const char *const[]){ "watch", "--json", "--no-aggregate", "--port", portstr,
					   NULL }, pipefd[1], errfd);
	close(pipefd[1]);
	if (pid < 0 || !read_until_ready(pipefd[0], pid, LOAD_MS)) {
		it_fail(sc, "setup", "kwhy did not become ready");
		reap(pid);
		close(pipefd[0]);
		return -1;
	}
	size = fcntl(pipefd[0], F_GETPIPE_SZ);
	/* refusals until the pipe is full: kwhy is then blocked writing */
	for (int round = 0; round < 100 && queued < size - 4096; round++) {
		refuse(port, 200);
		usleep(20000);
		if (ioctl(pipefd[0], FIONREAD, &queued))
			break;
	}
	it_diag("%d bytes waiting in a pipe of %d", queued, size);
	if (queued < size - 4096) {
		it_fail(sc, "setup: stdout full", "only %d of %d bytes in the pipe", queued, size);
		reap(pid);
		close(pipefd[0]);
		return -1;
	}
	refuse(port, 200);	/* more, while it is blocked */
	return pid;
}

static void sc_stalled_reader(const char *sc)
{
	int port = it_free_port(AF_INET, "127.0.0.1");
	char errpath[128], what[128];
	int p[2], st, errfd;
	int64_t t0, took;
	pid_t pid;

	path_in(errpath, sizeof(errpath), "stalled.err");
	for (int twice = 0; twice < 2; twice++) {
		errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		pid = stalled_kwhy(sc, port, p, errfd);
		close(errfd);
		if (pid < 0)
			return;
		t0 = it_now_ms();
		kill(pid, SIGINT);
		if (twice)
			kill(pid, SIGINT);
		if (!wait_exit(pid, HANG_MS, &st)) {
			it_fail(sc, twice ? "two SIGINTs end it" : "SIGINT ends it",
				"still running %d ms after SIGINT with its reader stalled", HANG_MS);
			reap(pid);
			close(p[0]);
			continue;
		}
		took = it_now_ms() - t0;
		close(p[0]);
		it_diag("exited %" PRId64 " ms after SIGINT%s", took, twice ? " x2" : "");
		if (!twice) {
			it_msgf(what, sizeof(what), "SIGINT with stdout stalled ends it, exit 0");
			if (exited_with(st, 0))
				it_pass(sc, what);
			else
				it_fail(sc, what, "kwhy %s: %s", it_status_text(st), text_of(errpath));
			if (strstr(text_of(errpath), "final counters"))
				it_pass(sc, "final counters on stderr");
			else
				it_fail(sc, "final counters on stderr", "stderr: %s", text_of(errpath));
			if (strstr(text_of(errpath), "not written"))
				it_pass(sc, "the lines the reader did not take are counted");
			else
				it_fail(sc, "the lines the reader did not take are counted", "stderr: %s",
					text_of(errpath));
		} else if (exited_with(st, 0) || exited_with(st, 130)) {
			it_pass(sc, "two SIGINTs in a row end it (exit 0 or 130)");
		} else {
			it_fail(sc, "two SIGINTs in a row end it (exit 0 or 130)", "kwhy %s",
				it_status_text(st));
		}
	}
	unlink(errpath);
}

static void sc_closed_stdout(const char *sc)
{
	char errpath[128];
	int p[2], st, errfd;
	pid_t pid;

	path_in(errpath, sizeof(errpath), "closed.err");
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pipe2(p, O_CLOEXEC)) {
		it_fail(sc, "setup", "pipe: %s", strerror(errno));
		return;
	}
	/* a port nothing happens on: kwhy has nothing to write */
	pid = spawn((const char *const[]){ "watch", "--json", "--port", "1", NULL }, p[1], errfd);
	close(p[1]);
	close(errfd);
	if (pid < 0 || !read_until_ready(p[0], pid, LOAD_MS)) {
		it_fail(sc, "setup", "kwhy did not become ready");
		reap(pid);
		close(p[0]);
		return;
	}
	close(p[0]);
	if (!wait_exit(pid, 5000, &st)) {
		it_fail(sc, "a closed stdout is noticed", "still running 5 s after its reader left");
		reap(pid);
	} else if (exited_with(st, 1) && strstr(text_of(errpath), "writing the output failed")) {
		it_pass(sc, "a closed stdout is noticed, exit 1");
	} else {
		it_fail(sc, "a closed stdout is noticed, exit 1", "kwhy %s: %s", it_status_text(st),
			text_of(errpath));
	}
	unlink(errpath);
}

/* ---- max_files, info_part ---- */

/* the bytes of path and path.1 .. (every file over ROT_SIZE and any file
 * past path.(files-1) is a failure); -1 when one was */
static long long rot_use(const char *sc, const char *path, int files, bool report)
{
	char p[200];
	long long sum = 0;

	for (int i = 0; i <= files; i++) {
		long long n;

		if (i)
			it_msgf(p, sizeof(p), "%s.%d", path, i);
		else
			it_msgf(p, sizeof(p), "%s", path);
		n = size_of(p);
		if (n < 0)
			continue;
		if (i >= files || n > ROT_SIZE) {
			if (report)
				it_fail(sc, "disk use bounded", "%s is %lld bytes (--max-size %d, "
					"--max-files %d)", p, n, ROT_SIZE, files);
			return -1;
		}
		sum += n;
	}
	return sum;
}

/* A listener on 127.0.0.2:port, so the state each part starts with
 * holds a listener dated before kwhy started */
static struct it_child *side_listener(int port)
{
	static struct it_listen_arg la;
	struct it_child *c;
	struct it_report r;

	la = (struct it_listen_arg){ .family = AF_INET, .ip = "127.0.0.2", .port = port,
				     .mode = IT_L_WAIT_CTL };
	c = it_spawn(it_child_listen, &la, 0, NULL);
	if (c && !it_child_report(c, &r, IT_CHILD_MS)) {
		it_child_kill(c);
		return NULL;
	}
	return c;
}

static void rotate_run(const char *sc, int files, const char *path)
{
	int port = it_free_port(AF_INET, "127.0.0.1");
	char portstr[16], filesstr[16], what[160];
	struct it_child *l = side_listener(port);
	long long use, worst = 0;
	bool bounded = true;
	int st;
	pid_t pid;

	it_msgf(portstr, sizeof(portstr), "%d", port);
	it_msgf(filesstr, sizeof(filesstr), "%d", files);
	if (!l) {
		it_fail(sc, "setup", "no listener on 127.0.0.2:%d", port);
		return;
	}
	pid = spawn((const char *const[]){ "record", "-o", path, "--max-size", "64K",
					   "--max-files", filesstr, "--no-aggregate", "--port",
					   portstr, "--force", NULL }, -1, -1);
	if (pid < 0 || !wait_file(path, pid, LOAD_MS)) {
		it_fail(sc, "setup", "the recorder did not start");
		reap(pid);
		it_child_kill(l);
		return;
	}
	/* enough refusals for several files, the disk looked at in between */
	for (int round = 0; round < 40 && bounded; round++) {
		refuse(port, 500);
		usleep(50000);
		use = rot_use(sc, path, files, true);
		bounded = use >= 0;
		if (use > worst)
			worst = use;
	}
	kill(pid, SIGINT);
	if (!wait_exit(pid, IT_STOP_MS, &st) || !exited_with(st, 0))
		it_fail(sc, "the recorder exits 0", "kwhy %s", it_status_text(st));
	reap(pid);
	it_child_kill(l);
	use = rot_use(sc, path, files, bounded);
	it_diag("--max-files %d: at most %lld bytes on disk, %lld at the end", files, worst, use);
	it_msgf(what, sizeof(what), "--max-size 64K --max-files %d: no file over 64K, at most %d "
		"files", files, files);
	if (bounded && use >= 0)
		it_pass(sc, what);
}

/* the part number and what else info --json says of path */
static struct jq_val *info_json(const char *path)
{
	static char out[65536];
	char err[8192], jerr[128];
	int st;

	if (!run_kwhy((const char *const[]){ "info", path, "--json", NULL }, &st, out,
		      sizeof(out), err, sizeof(err)) || !exited_with(st, 0)) {
		it_diag("info %s: %s: %s", path, it_status_text(st), err);
		return NULL;
	}
	return jq_parse(out, jerr, sizeof(jerr));
}

static char g_rot3[128];	/* max_files' 3-file recording, for info_part */

static void sc_max_files(const char *sc)
{
	char one[128], err[4096], out[256];
	struct jq_val *v;
	int64_t part = 0;
	int st;

	path_in(one, sizeof(one), "m1.kwt");
	path_in(g_rot3, sizeof(g_rot3), "m3.kwt");
	rotate_run(sc, 1, one);
	v = info_json(one);
	if (v && jq_int(v, "part", &part) && part > 0)
		it_pass(sc, "--max-files 1: the file was cut and started again");
	else
		it_fail(sc, "--max-files 1: the file was cut and started again", "part %" PRId64,
			part);
	jq_free(v);
	rotate_run(sc, 3, g_rot3);
	if (run_kwhy((const char *const[]){ "record", "-o", one, "--max-size", "17179869185G",
					    NULL }, &st, out, sizeof(out), err, sizeof(err)) &&
	    exited_with(st, 2) && strstr(err, "--max-size"))
		it_pass(sc, "--max-size 17179869185G refused (it wraps to 1G in 64 bits)");
	else
		it_fail(sc, "--max-size 17179869185G refused", "kwhy %s: %s", it_status_text(st),
			err);
	unlink(one);
}

static void sc_info_part(const char *sc)
{
	char older[160], newer[160];
	struct jq_val *o, *n;
	const char *of, *nf;
	int64_t lost = -1, all = -1, part = 0;

	if (!g_rot3[0] || size_of(g_rot3) < 0) {
		path_in(g_rot3, sizeof(g_rot3), "m3.kwt");
		rotate_run(sc, 3, g_rot3);
	}
	it_msgf(older, sizeof(older), "%s.2", g_rot3);
	it_msgf(newer, sizeof(newer), "%s.1", g_rot3);
	o = info_json(older);
	n = info_json(newer);
	of = o ? jq_str(o, "first_event") : NULL;
	nf = n ? jq_str(n, "first_event") : NULL;
	/* each part starts with the listener on 127.0.0.2, dated before kwhy
	 * started: counted in the span, every part would begin there */
	if (of && nf && strcmp(nf, of) > 0)
		it_pass(sc, "a later part's span begins later (its own, not the state's)");
	else
		it_fail(sc, "a later part's span begins later", "%s begins %s, %s begins %s", older,
			of ? of : "-", newer, nf ? nf : "-");
	if (n && jq_int(n, "part", &part) && part > 0 && jq_int(n, "lost_events", &lost) &&
	    jq_int(n, "lost_events_since_start", &all) && lost >= 0 && lost <= all)
		it_pass(sc, "a part's losses are its own (at most those since the start)");
	else
		it_fail(sc, "a part's losses are its own", "part %" PRId64 ", lost %" PRId64 ", "
			"since the start %" PRId64, part, lost, all);
	jq_free(o);
	jq_free(n);
	for (int i = 0; i < 3; i++) {
		char p[160];

		it_msgf(p, sizeof(p), i ? "%s.%d" : "%s", g_rot3, i);
		unlink(p);
	}
}

static void sc_bad_trace_files(const char *sc)
{
	char shortf[128], out[4096], err[8192];
	int st;

	if (run_kwhy((const char *const[]){ "info", g_dir, NULL }, &st, out, sizeof(out), err,
		     sizeof(err)) && exited_with(st, 1) && strstr(err, "is a directory"))
		it_pass(sc, "a directory is said to be one");
	else
		it_fail(sc, "a directory is said to be one", "kwhy %s: %s", it_status_text(st), err);
	path_in(shortf, sizeof(shortf), "short.kwt");
	it_create_file(shortf, "KWHYTRC\n1234");
	if (run_kwhy((const char *const[]){ "replay", shortf, NULL }, &st, out, sizeof(out), err,
		     sizeof(err)) && exited_with(st, 1) && strstr(err, "12 bytes long, too short"))
		it_pass(sc, "a 12-byte file is said to be too short");
	else
		it_fail(sc, "a 12-byte file is said to be too short", "kwhy %s: %s",
			it_status_text(st), err);
	unlink(shortf);
}

/* ---- enospc ---- */

static char g_mnt[128];

/* a 128 KiB tmpfs in a mount namespace of this program's own (kwhy, its
 * child, sees it; the host does not) */
static bool small_tmpfs(const char *sc)
{
	if (g_mnt[0])
		return true;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		it_fail(sc, "setup", "a private mount namespace: %s", strerror(errno));
		return false;
	}
	path_in(g_mnt, sizeof(g_mnt), "tmpfs");
	if (mkdir(g_mnt, 0700) || mount("kwhy-htest", g_mnt, "tmpfs", 0, "size=128k,mode=0700")) {
		it_fail(sc, "setup", "mount a tmpfs on %s: %s", g_mnt, strerror(errno));
		rmdir(g_mnt);
		g_mnt[0] = '\0';
		return false;
	}
	return true;
}

/* refusals until pid exits by itself (bounded); its status */
static bool refuse_until_exit(int port, pid_t pid, int *st)
{
	for (int round = 0; round < REFUSALS_MAX / 500; round++) {
		if (waitpid(pid, st, WNOHANG) == pid)
			return true;
		if (it_kwhy_pid == pid)
			it_pump(-1, 20);
		refuse(port, 500);
	}
	return wait_exit(pid, 2000, st);
}

static void check_partial(const char *sc, const char *path)
{
	char out[8192], err[8192];
	int st;

	if (run_kwhy((const char *const[]){ "info", path, NULL }, &st, out, sizeof(out), err,
		     sizeof(err)) && exited_with(st, 0) && strstr(out, "connect_failed"))
		it_pass(sc, "the partial trace is readable, with the events before the disk filled");
	else
		it_fail(sc, "the partial trace is readable", "info %s: %s: %s%s", path,
			it_status_text(st), out, err);
}

static void sc_enospc(const char *sc)
{
	int port = it_free_port(AF_INET, "127.0.0.1");
	char portstr[16], trace[160], errpath[128];
	int st, errfd;
	pid_t pid;

	if (!small_tmpfs(sc))
		return;
	it_msgf(portstr, sizeof(portstr), "%d", port);
	it_msgf(trace, sizeof(trace), "%s/full.kwt", g_mnt);
	path_in(errpath, sizeof(errpath), "enospc.err");
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid = spawn((const char *const[]){ "record", "-o", trace, "--no-aggregate", "--port",
					   portstr, NULL }, -1, errfd);
	close(errfd);
	if (pid < 0 || !wait_file(trace, pid, LOAD_MS)) {
		it_fail(sc, "setup", "the recorder did not start");
		reap(pid);
		return;
	}
	if (!refuse_until_exit(port, pid, &st)) {
		it_fail(sc, "record stops when the disk is full", "still running after %d refusals",
			REFUSALS_MAX);
		reap(pid);
	} else if (exited_with(st, 5) && strstr(text_of(errpath), "No space left on device")) {
		it_pass(sc, "record stops when the disk is full: exit 5, the reason on stderr");
	} else {
		it_fail(sc, "record stops when the disk is full: exit 5", "kwhy %s: %s",
			it_status_text(st), text_of(errpath));
	}
	check_partial(sc, trace);
	unlink(trace);
	unlink(errpath);

	/* watch --record: the same, and a trace_error record in its JSON */
	{
		const struct it_cond te[] = {
			K_STR("type", "trace_error"),
			C_STR("error", "ENOSPC"),
			C_STR("action", "stop"),
			C_STR("file", trace),
		};
		uint64_t since = it_nrecs;

		if (!it_kwhy_start(g_kwhy, (const char *const[]){ "watch", "--json",
				   "--no-aggregate", "--port", portstr, "--record", trace, NULL }) ||
		    !it_kwhy_ready(sc, since)) {
			it_fail(sc, "setup", "watch --record did not start");
			reap(it_kwhy_pid);
			it_kwhy_pid = 0;
			return;
		}
		pid = it_kwhy_pid;
		if (!refuse_until_exit(port, pid, &st)) {
			it_fail(sc, "watch --record stops when the disk is full", "still running");
			reap(pid);
		} else if (exited_with(st, 5)) {
			it_pass(sc, "watch --record stops when the disk is full: exit 5");
		} else {
			it_fail(sc, "watch --record stops when the disk is full: exit 5", "kwhy %s",
				it_status_text(st));
		}
		it_kwhy_pid = 0;
		for (int i = 0; i < 1000 && !it_kwhy_eof; i++)
			it_pump(-1, 10);
		it_expect(sc, "a trace_error record says why", since, 1000, te,
			  IT_ARRAY_SIZE(te));
		check_partial(sc, trace);
		unlink(trace);
	}
}

static void unmount_tmpfs(void)
{
	if (!g_mnt[0])
		return;
	if (umount2(g_mnt, MNT_DETACH))
		it_fail("enospc", "cleanup", "umount %s: %s", g_mnt, strerror(errno));
	rmdir(g_mnt);
	g_mnt[0] = '\0';
}

/* ---- privileges ---- */

/* a "Name:\tvalue" line of /proc/pid/status, "" when none */
static const char *status_field(pid_t pid, const char *name)
{
	static char buf[8192], val[128];
	char path[64];
	const char *p;
	size_t n = strlen(name);

	val[0] = '\0';
	it_msgf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (it_read_file(path, buf, sizeof(buf)) < 0)
		return val;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			p += strspn(p, " \t");
			it_msgf(val, sizeof(val), "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	}
	return val;
}

/* the capabilities a running kwhy keeps (docs/threat-model.md):
 * CAP_DAC_READ_SEARCH (2), CAP_SYS_PTRACE (19), and CAP_BPF (39) on
 * kernels that ask it for map reads; its namespace broker keeps
 * CAP_SYS_ADMIN (21) alone */
#define KEPT_CAPS ((1ULL << 2) | (1ULL << 19))
#define CAP_BPF_BIT (1ULL << 39)
#define BROKER_CAPS (1ULL << 21)

/* the broker: kwhy's child named kwhy-nsbroker, 0 when none */
static pid_t broker_of(pid_t kwhy)
{
	char path[64], list[512], comm[64];
	char *p = list, *end;

	it_msgf(path, sizeof(path), "/proc/%d/task/%d/children", (int)kwhy, (int)kwhy);
	if (it_read_file(path, list, sizeof(list)) < 0)
		return 0;
	for (int i = 0; i < 64 && *p; i++, p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		it_msgf(path, sizeof(path), "/proc/%ld/comm", pid);
		if (it_read_file(path, comm, sizeof(comm)) >= 0 && !strncmp(comm, "kwhy-nsbroker", 13))
			return (pid_t)pid;
	}
	return 0;
}

static void sc_privileges(const char *sc)
{
	static struct it_listen_arg la;
	int port = it_free_port(AF_INET, "127.0.0.1");
	char portstr[16];
	const struct it_cond why[] = {
		K_STR("type", "explanation"),
		C_STR("cause", "wrong_address"),
		C_INT("facts.destination.port", port),
		C_INT("facts.client.pid", it_self),
	};
	uint64_t since = it_nrecs, eff;
	struct it_child *l;
	struct it_report r;
	const char *v;
	pid_t broker;

	it_msgf(portstr, sizeof(portstr), "%d", port);
	/* a listener from before kwhy: found by the start-up snapshot */
	la = (struct it_listen_arg){ .family = AF_INET, .ip = "127.0.0.2", .port = port,
				     .mode = IT_L_WAIT_CTL };
	l = it_spawn(it_child_listen, &la, 0, NULL);
	if (!l || !it_child_report(l, &r, IT_CHILD_MS)) {
		it_fail(sc, "setup", "no listener on 127.0.0.2:%d", port);
		if (l)
			it_child_kill(l);
		return;
	}
	if (!it_kwhy_start_ready(sc, g_kwhy, (const char *const[]){ "watch", "--json",
				 "--no-aggregate", "--port", portstr, NULL }, &since)) {
		it_child_kill(l);
		return;
	}
	it_drain(300);
	v = status_field(it_kwhy_pid, "CapEff");
	eff = strtoull(v, NULL, 16);
	it_diag("kwhy CapEff %s", v);
	if (v[0] && (eff == KEPT_CAPS || eff == (KEPT_CAPS | CAP_BPF_BIT)))
		it_pass(sc, "CapEff holds only the kept capabilities");
	else
		it_fail(sc, "CapEff holds only the kept capabilities", "CapEff %s, want %016llx "
			"(and CAP_BPF when the kernel asks it for map reads)", v,
			(unsigned long long)KEPT_CAPS);
	v = status_field(it_kwhy_pid, "CapPrm");
	if (strtoull(v, NULL, 16) == eff)
		it_pass(sc, "CapPrm too (dropped for good)");
	else
		it_fail(sc, "CapPrm too (dropped for good)", "CapPrm %s", v);
	v = status_field(it_kwhy_pid, "CapBnd");
	if (strtoull(v, NULL, 16) == eff)
		it_pass(sc, "CapBnd too (no execve gets them back)");
	else
		it_fail(sc, "CapBnd too (no execve gets them back)", "CapBnd %s", v);
	broker = broker_of(it_kwhy_pid);
	v = broker ? status_field(broker, "CapEff") : "";
	if (broker && strtoull(v, NULL, 16) == BROKER_CAPS &&
	    !strcmp(status_field(broker, "Seccomp"), "2") &&
	    !strcmp(status_field(broker, "NoNewPrivs"), "1"))
		it_pass(sc, "the namespace broker keeps CAP_SYS_ADMIN alone, under seccomp");
	else
		it_fail(sc, "the namespace broker keeps CAP_SYS_ADMIN alone, under seccomp",
			"broker pid %d, CapEff %s", (int)broker, v);
	v = status_field(it_kwhy_pid, "NoNewPrivs");
	if (!strcmp(v, "1"))
		it_pass(sc, "NoNewPrivs: 1");
	else
		it_fail(sc, "NoNewPrivs: 1", "NoNewPrivs: %s", v);
	v = status_field(it_kwhy_pid, "Seccomp");
	if (!strcmp(v, "2"))
		it_pass(sc, "Seccomp: 2 (a filter)");
	else
		it_fail(sc, "Seccomp: 2 (a filter)", "Seccomp: %s", v);
	/* still working: a refusal explained with the listener's owner and the
	 * client, read from /proc after the drop */
	refuse(port, 1);
	it_expect(sc, "after the drop, a refusal is explained with its processes", since,
		  IT_EXPECT_MS, why, IT_ARRAY_SIZE(why));
	it_child_kill(l);
	it_kwhy_stop(sc, since);
}

/* ---- the driver ---- */

static const struct it_scenario g_scenarios[] = {
	{ "symlink_refused", sc_symlink_refused },
	{ "existing_refused", sc_existing_refused },
	{ "stalled_reader", sc_stalled_reader },
	{ "closed_stdout", sc_closed_stdout },
	{ "max_files", sc_max_files },
	{ "info_part", sc_info_part },
	{ "bad_trace_files", sc_bad_trace_files },
	{ "enospc", sc_enospc },
	{ "privileges", sc_privileges },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	int ret;

	ret = it_args(argc, argv, "kwhy-htest", "", g_scenarios, IT_ARRAY_SIZE(g_scenarios),
		      &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-htest");
	it_msgf(g_dir, sizeof(g_dir), "/tmp/kwhy-htest-XXXXXX");
	if (!mkdtemp(g_dir)) {
		it_fail("setup", "a temporary directory", "mkdtemp: %s", strerror(errno));
		return it_summary();
	}
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, true, NULL);
	unmount_tmpfs();
	if (it_rm_tree(g_dir))
		it_fail("cleanup", "remove the temporary directory", "%s is left", g_dir);
	return it_summary();
}
