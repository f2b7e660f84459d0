// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-gtest: kwhy against real servers (Debian's gunicorn), in the ways
 * they really fail.  Each scenario runs gunicorn from its package, with a
 * WSGI app and a config written here, and checks kwhy's JSON:
 *
 *   prefork_oom        `gunicorn --preload -w 2` in a 64 MiB memory cgroup;
 *                      the master grows until the OOM killer takes it; its
 *                      orphaned workers keep the inherited listening socket
 *                      until they notice and exit; then connects are
 *                      refused.  The explanation must carry the OOM kill of
 *                      the master, and name the worker that closed it last.
 *   prefork_oom_pidns  the same with the master as pid 1 of its own pid
 *                      namespace: the kernel kills the workers with it.
 *   restart_race       the old gunicorn gets SIGTERM while its worker serves a
 *                      slow request; a new gunicorn's bind fails with
 *                      EADDRINUSE (it retries, then exits 1); the worker
 *                      finishes and the socket closes: refused.  kwhy must
 *                      name the worker that held the port (read from /proc
 *                      at the failed bind), not only the old master that
 *                      opened it, and tell the failed restart.
 *   upstream_chain     the database port refuses; gunicorn --preload connects to
 *                      it while loading the app, gives up and exits 1 before it
 *                      ever listens; nginx proxies to it and answers 502.  The
 *                      explanation of nginx's refused connect must carry the
 *                      chain: the backend died after its own connect to the
 *                      database was refused, and why that was refused.
 *   crash_loop         a supervisor (a bounded shell loop, as systemd's
 *                      Restart=always would) restarts a server that listens,
 *                      then exits 1 a second later: refusals in between are
 *                      one crash_loop story with its restarts and down time
 *   graceful_exit      a worker fails to boot (the app raises at import);
 *                      the master closes its socket, then exits with code 3.
 *                      The explanation carries that exit code.
 *   ipv6_client_other_pod  gunicorn on 0.0.0.0 (IPv4 only) in a Docker-named
 *                      cgroup and its own network namespace; a client in a
 *                      Kubernetes-named cgroup, in the same namespace (as a
 *                      pod's sidecar would be), connects to [::1]: refused.
 *                      The place is the server's container, the client's
 *                      container is named as the client's.
 *
 * One host-wide kwhy (`watch --json --no-aggregate`) watches them all.
 * gunicorn's processes are ended by their pids (the master's group) when a
 * scenario is over; every wait is bounded.
 *
 *   kwhy-gtest --kwhy PATH [--only NAME] [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "itest.h"

#define UP_MS		20000	/* gunicorn answers */
#define REFUSED_MS	40000	/* connects are refused after a death */

static const char *g_kwhy;
static char g_dir[PATH_MAX];	/* app and config files */
static char g_gunicorn[PATH_MAX];
static char g_unshare[PATH_MAX];
static char g_nginx[PATH_MAX];

static const char APP_OK[] =
	"def app(environ, start_response):\n"
	"    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
	"    return [b'ok\\n']\n";
/* /slow holds its worker for 12 s: longer than a new gunicorn retries its
 * bind (5 tries, 1 s apart) */
static const char APP_SLOW[] =
	"import time\n"
	"def app(environ, start_response):\n"
	"    if environ.get('PATH_INFO') == '/slow':\n"
	"        time.sleep(12)\n"
	"    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
	"    return [b'ok\\n']\n";
/* connects to its database (the port in KWHY_DB_PORT) while loading */
static const char APP_NEEDS_DB[] =
	"import os, socket\n"
	"socket.create_connection(('127.0.0.1', int(os.environ['KWHY_DB_PORT'])), 2)\n"
	"def app(environ, start_response):\n"
	"    start_response('200 OK', [])\n"
	"    return [b'ok\\n']\n";
static const char APP_BROKEN[] =
	"raise RuntimeError('kwhy-gtest: this app fails to import')\n";
/* the master (the process that runs when_ready) grows by 4 MiB every
 * 10 ms, 2 s after it is ready, until it is killed; bounded at 4 GiB */
static const char CONF_MASTER_EATS[] =
	"import threading, time\n"
	"def eat():\n"
	"    time.sleep(2)\n"
	"    b = []\n"
	"    for i in range(1024):\n"
	"        b.append(bytearray(4 << 20))\n"
	"        time.sleep(0.01)\n"
	"def when_ready(server):\n"
	"    threading.Thread(target=eat, daemon=True).start()\n";

static bool write_files(const char *sc)
{
	static const struct {
		const char *name, *text;
	} files[] = {
		{ "okapp.py", APP_OK },
		{ "slowapp.py", APP_SLOW },
		{ "dbapp.py", APP_NEEDS_DB },
		{ "brokenapp.py", APP_BROKEN },
		{ "conf_master_eats.py", CONF_MASTER_EATS },
	};

	for (int i = 0; i < IT_ARRAY_SIZE(files); i++) {
		char path[PATH_MAX + 64];
		int err;

		it_msgf(path, sizeof(path), "%s/%s", g_dir, files[i].name);
		if ((err = it_create_file(path, files[i].text))) {
			it_fail(sc, "setup", "cannot write %s: %s", path, strerror(-err));
			return false;
		}
	}
	return true;
}

/* ---- gunicorn as a child of ours ---- */

struct gunicorn_arg {
	const char *app;	/* module:callable */
	const char *conf;	/* -c FILE, or NULL */
	int port;
	int workers;
	bool preload;
	bool pidns;		/* as pid 1 of a new pid namespace (unshare) */
	int graceful;		/* --graceful-timeout, 0: 2 s */
	const char *ip;		/* the address to bind, NULL: 127.0.0.1 */
};

/* In the forked child (already in its cgroup): become gunicorn. */
static int child_gunicorn(const void *p, int wr, int ctl)
{
	const struct gunicorn_arg *g = p;
	char bind[64], workers[16], graceful[16], conf[PATH_MAX + 64];
	const char *argv[24];
	int n = 0, null;

	(void)wr;
	(void)ctl;
	it_msgf(bind, sizeof(bind), "%s:%d", g->ip ? g->ip : "127.0.0.1", g->port);
	it_msgf(workers, sizeof(workers), "%d", g->workers);
	it_msgf(graceful, sizeof(graceful), "%d", g->graceful ? g->graceful : 2);
	if (g->pidns) {
		argv[n++] = g_unshare;
		argv[n++] = "--pid";
		argv[n++] = "--fork";
		argv[n++] = "--kill-child";
		argv[n++] = "--";
	}
	argv[n++] = g_gunicorn;
	argv[n++] = "--chdir";
	argv[n++] = g_dir;
	argv[n++] = "-b";
	argv[n++] = bind;
	argv[n++] = "-w";
	argv[n++] = workers;
	argv[n++] = "--graceful-timeout";
	argv[n++] = graceful;
	if (g->preload)
		argv[n++] = "--preload";
	if (g->conf) {
		it_msgf(conf, sizeof(conf), "%s/%s", g_dir, g->conf);
		argv[n++] = "-c";
		argv[n++] = conf;
	}
	argv[n++] = g->app;
	argv[n] = NULL;
	/* gunicorn's own log goes to a file the failure message can show */
	{
		char log[PATH_MAX + 64];
		int fd;

		it_msgf(log, sizeof(log), "%s/gunicorn-%d.log", g_dir, g->port);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0);
	}
	/* its own process group, so that the driver can end the whole tree */
	setpgid(0, 0);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

static void show_log(const char *sc, int port)
{
	char path[PATH_MAX + 64], buf[1024];

	it_msgf(path, sizeof(path), "%s/gunicorn-%d.log", g_dir, port);
	if (it_read_file(path, buf, sizeof(buf)) > 0)
		it_diag("%s: gunicorn's log: %s", sc, buf);
}

/* One connect to 127.0.0.1:port: 0, or the errno. */
static int try_connect(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return errno;
	if (connect(s, (struct sockaddr *)&ss, len))
		err = errno;
	close(s);
	return err;
}

/* Poll until a connect gives want (0: success) or ms pass; one check. */
static bool wait_connect(const char *sc, const char *what, int port, int want, int ms)
{
	int64_t end = it_now_ms() + ms;
	int err = -1;

	while (it_now_ms() < end && !it_stop) {
		err = try_connect(port);
		if (err == want) {
			it_pass(sc, what);
			return true;
		}
		it_drain(100);
	}
	it_fail(sc, what, "after %d s a connect to 127.0.0.1:%d still gives %s", ms / 1000, port,
		err ? strerror(err) : "success");
	return false;
}

/* End what is left of gunicorn's tree: its process group, by the pid of
 * our child, then reap the child. */
static void end_gunicorn(struct it_child *c)
{
	if (!c->reaped)
		kill(-c->pid, SIGKILL);
	it_child_kill(c);
}

static bool memcg_for(const char *sc, const char *tag, char *dir, size_t len, struct it_memcg *e)
{
	char why[PATH_MAX + 256];
	int err;

	if (!it_memcg_find(e, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	it_remove_stale_cgroups(e->own, "kwhy-gtest-");
	if (!e->v1 && (err = it_enable_memory(e->own))) {
		it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s",
			e->own, strerror(-err));
		return false;
	}
	if (snprintf(dir, len, "%s/kwhy-gtest-%d-%s", e->own, (int)it_self, tag) >= (int)len) {
		it_fail(sc, "setup", "cannot run: the cgroup path %s is too long", e->own);
		return false;
	}
	if (!it_make_cgroup(e, dir, true, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	return true;
}

/* The gunicorn master's listen on port: its pid, -1 when not seen (a
 * failed check). */
static int64_t master_listen(const char *sc, int port, uint64_t since)
{
	const struct it_cond lc[] = {
		K_STR("type", "listen"),
		K_INT("local.port", port),
		C_STR("owner.comm", "gunicorn"),
	};
	const struct jq_val *rec = it_expect(sc, "listen of the gunicorn master", since,
					     IT_EXPECT_MS, lc, IT_ARRAY_SIZE(lc));
	int64_t pid = -1;

	if (rec)
		jq_int(rec, "owner.pid", &pid);
	return pid;
}

/* ---- scenarios ---- */

static void prefork_oom(const char *sc, bool pidns)
{
	struct gunicorn_arg g = { .app = "okapp:app", .conf = "conf_master_eats.py",
				  .workers = 2, .preload = true, .pidns = pidns };
	char cg[PATH_MAX], dest[64];
	const struct jq_val *orec, *crec;
	uint64_t since = it_nrecs;
	int64_t master = -1, closer = -1;
	struct it_child *c;
	struct it_memcg e;

	if (!memcg_for(sc, pidns ? "pidns" : "oom", cg, sizeof(cg), &e))
		return;
	g.port = it_free_port(AF_INET, "127.0.0.1");
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", g.port);
	if (!(c = it_spawn(child_gunicorn, &g, 0, cg))) {
		it_fail(sc, "gunicorn starts", "fork: %s", strerror(errno));
		return;
	}
	if (!wait_connect(sc, "gunicorn answers", g.port, 0, UP_MS)) {
		show_log(sc, g.port);
		end_gunicorn(c);
		return;
	}
	master = master_listen(sc, g.port, since);
	{
		const struct it_cond oc[] = {
			K_STR("type", "oom_kill"),
			K_INT("victim.pid", master),
			C_STR("constraint", "memcg"),
		};

		orec = it_expect(sc, "the master is OOM-killed", since, IT_OOM_CHILD_MS, oc,
				 IT_ARRAY_SIZE(oc));
	}
	if (!wait_connect(sc, "then connects are refused", g.port, ECONNREFUSED, REFUSED_MS)) {
		show_log(sc, g.port);
		end_gunicorn(c);
		return;
	}
	{
		const struct it_cond cc[] = {
			K_STR("type", "listen_close"),
			K_INT("local.port", g.port),
			C_INT("owner.pid", master),
		};

		crec = it_expect(sc, "listen_close of the master's socket", since, IT_EXPECT_MS, cc,
				 IT_ARRAY_SIZE(cc));
		if (crec)
			jq_int(crec, "closer.pid", &closer);
		if (crec && closer != master)
			it_pass(sc, "a worker, not the master, closed it last");
		else if (crec)
			it_fail(sc, "a worker, not the master, closed it last",
				"closer.pid is the master's, %lld", (long long)master);
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_INT("facts.listeners.0.owner.pid", master),
			C_INT("facts.oom_kill_event", it_rec_id(orec)),
			C_HAS("events", it_rec_id(orec)),
			C_HAS("events", it_rec_id(crec)),
			C_INT("facts.creator_death.pid", master),
			C_STR("facts.creator_death.how", "oom_killed"),
			C_INT("facts.closed_by.pid", closer),
		};

		it_expect(sc, "listener_exited tells the master's OOM kill and the worker that "
			  "closed it", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	if (!pidns && !getenv("VMTEST")) {
		/* the workers outlive their master: who held the socket is
		 * read at its death (in a pid namespace they die with it).
		 * A worker may notice and leave before the read: at least one
		 * is there, never more than were started.  Not under the
		 * VM's emulation, where reading /proc of every process can
		 * take longer than the workers take to leave (seen there:
		 * none left, and the story then says "the processes that
		 * inherited the socket"). */
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_INT("facts.creator_death.pid", master),
			C_RANGE("facts.creator_death.holders_total", 1, g.workers),
			C_STR("facts.creator_death.holders.0.comm", "gunicorn"),
		};

		it_expect(sc, "the master's workers, read at its death, are named", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(c);
}

static void scen_prefork_oom(const char *sc)
{
	prefork_oom(sc, false);
}

static void scen_prefork_oom_pidns(const char *sc)
{
	prefork_oom(sc, true);
}

/* A connected socket that has sent GET /slow: the worker is busy. */
static int slow_request(int port)
{
	static const char req[] = "GET /slow HTTP/1.0\r\nHost: x\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&ss, len) ||
	    write(s, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		close(s);
		return -1;
	}
	return s;
}

static void scen_restart_race(const char *sc)
{
	/* the old server waits for its worker's request (12 s) */
	struct gunicorn_arg g = { .app = "slowapp:app", .workers = 1, .graceful = 30 };
	const struct jq_val *hrec;
	uint64_t since = it_nrecs;
	struct it_child *old, *new_;
	int64_t holder = -1;
	char dest[64];
	int req;

	g.port = it_free_port(AF_INET, "127.0.0.1");
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", g.port);
	if (!(old = it_spawn(child_gunicorn, &g, 0, NULL))) {
		it_fail(sc, "the old gunicorn starts", "fork: %s", strerror(errno));
		return;
	}
	if (!wait_connect(sc, "the old gunicorn answers", g.port, 0, UP_MS) ||
	    (req = slow_request(g.port)) < 0) {
		show_log(sc, g.port);
		end_gunicorn(old);
		return;
	}
	it_drain(500);		/* the worker took the request */
	kill(old->pid, SIGTERM);	/* a graceful stop: the worker finishes first */
	it_drain(300);
	if (!(new_ = it_spawn(child_gunicorn, &g, 0, NULL))) {
		it_fail(sc, "the new gunicorn starts", "fork: %s", strerror(errno));
		close(req);
		end_gunicorn(old);
		return;
	}
	{
		const struct it_cond bc[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", new_->pid),
			C_STR("error", "EADDRINUSE"),
		};
		const struct it_cond hc[] = {
			K_STR("type", "sock_holders"),
			K_INT("local.port", g.port),
			C_NONEMPTY("holders"),
			C_STR("holders.0.comm", "gunicorn"),
		};

		it_expect(sc, "the new gunicorn's bind fails with EADDRINUSE", since,
				 IT_EXPECT_MS, bc, IT_ARRAY_SIZE(bc));
		hrec = it_expect(sc, "who holds the port, read at the failed bind", since,
				 IT_EXPECT_MS, hc, IT_ARRAY_SIZE(hc));
		if (hrec)
			jq_int(hrec, "holders.0.pid", &holder);
		if (hrec && holder != old->pid && holder != new_->pid)
			it_pass(sc, "the holder is the old worker, not either master");
		else if (hrec)
			it_fail(sc, "the holder is the old worker, not either master",
				"holders.0.pid is %lld (old master %d, new master %d)",
				(long long)holder, (int)old->pid, (int)new_->pid);
	}
	if (it_child_wait(new_, 20000) && WIFEXITED(new_->status) && WEXITSTATUS(new_->status))
		it_pass(sc, "the new gunicorn gives up");
	else
		it_fail(sc, "the new gunicorn gives up", "it %s",
			new_->reaped ? it_status_text(new_->status) : "was still running");
	wait_connect(sc, "once the worker is done, connects are refused", g.port, ECONNREFUSED,
		     REFUSED_MS);
	close(req);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_INT("facts.listeners.0.owner.pid", old->pid),
			C_INT("facts.bind_failed_before.binder.pid", new_->pid),
			C_STR("facts.bind_failed_before.bind_error", "EADDRINUSE"),
			C_INT("facts.bind_failed_before.holders.0.pid", holder),
			C_BOOL("facts.bind_failed_before.draining", true),
			C_INT("facts.closed_by.pid", holder),
		};

		it_expect(sc, "listener_exited tells the failed restart and the worker that held "
			  "the port", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(new_);
	end_gunicorn(old);
}

/* In the forked child: nginx in the foreground, its config in g_dir. */
static int child_nginx(const void *p, int wr, int ctl)
{
	const char *conf = p;
	const char *const argv[] = { g_nginx, "-c", conf, "-g", "daemon off;", NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)wr;
	(void)ctl;
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	setpgid(0, 0);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* nginx on port, proxying to 127.0.0.1:upstream; the config's path */
static bool nginx_conf(const char *sc, int port, int upstream, char *path, size_t len)
{
	char body[256];

	it_msgf(body, sizeof(body),
		"  server {\n"
		"    listen 127.0.0.1:%d;\n"
		"    location / { proxy_pass http://127.0.0.1:%d; }\n"
		"  }\n", port, upstream);
	return it_nginx_conf(sc, g_dir, port, body, path, len);
}

static void scen_upstream_chain(const char *sc)
{
	struct gunicorn_arg g = { .app = "dbapp:app", .workers = 1, .preload = true };
	int db = it_free_port(AF_INET, "127.0.0.1"), front = 0, code = 0;
	uint64_t since = it_nrecs;
	char conf[PATH_MAX], dest[64], dbdest[64], env[32];
	struct it_child *gun, *ngx;

	g.port = it_free_port(AF_INET, "127.0.0.1");
	while (!front || front == g.port || front == db)
		front = it_free_port(AF_INET, "127.0.0.1");
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", g.port);
	it_msgf(dbdest, sizeof(dbdest), "127.0.0.1:%d", db);
	it_msgf(env, sizeof(env), "%d", db);
	setenv("KWHY_DB_PORT", env, 1);	/* inherited by gunicorn */
	gun = it_spawn(child_gunicorn, &g, 0, NULL);
	unsetenv("KWHY_DB_PORT");
	if (!gun) {
		it_fail(sc, "gunicorn starts", "fork: %s", strerror(errno));
		return;
	}
	if (it_child_wait(gun, UP_MS) && WIFEXITED(gun->status) && WEXITSTATUS(gun->status))
		it_pass(sc, "gunicorn gives up: its database refuses");
	else
		it_fail(sc, "gunicorn gives up: its database refuses", "it %s",
			gun->reaped ? it_status_text(gun->status) : "was still running");
	{
		const struct it_cond xc[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", gun->pid),
			C_BOOL("after_refusal", true),
		};

		it_expect(sc, "its exit is reported: after a refused connect", since, IT_EXPECT_MS,
			  xc, IT_ARRAY_SIZE(xc));
	}
	if (!nginx_conf(sc, front, g.port, conf, sizeof(conf)) ||
	    !(ngx = it_spawn(child_nginx, conf, 0, NULL))) {
		end_gunicorn(gun);
		return;
	}
	if (!wait_connect(sc, "nginx answers", front, 0, UP_MS)) {
		end_gunicorn(ngx);
		end_gunicorn(gun);
		return;
	}
	code = it_http_get(front);
	if (code == 502)
		it_pass(sc, "nginx answers 502");
	else
		it_fail(sc, "nginx answers 502", "the status was %d", code);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "no_listener"),
			C_STR("facts.client.comm", "nginx"),
			C_INT("facts.upstream.process.pid", gun->pid),
			C_STR("facts.upstream.destination.text", dbdest),
			C_STR("facts.upstream.cause", "no_listener"),
		};

		it_expect(sc, "nginx's refusal carries the chain: the backend died after its "
			  "database refused", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(ngx);
	end_gunicorn(gun);
}

struct loop_arg {
	int port;
};

/* In the forked child: restart a server that listens on port, then exits
 * 1 after 0.8 s, five times, 0.4 s apart (bounded). */
static int child_crash_loop(const void *p, int wr, int ctl)
{
	const struct loop_arg *a = p;
	char script[1024];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)wr;
	(void)ctl;
	it_msgf(script, sizeof(script),
		"for i in 1 2 3 4 5; do "
		"python3 -c 'import socket,sys,time\n"
		"s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
		"s.bind((\"127.0.0.1\",%d)); s.listen(8); time.sleep(0.8); sys.exit(1)'; "
		"sleep 0.4; done", a->port);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	setpgid(0, 0);
	execl("/bin/sh", "sh", "-c", script, (char *)NULL);
	_exit(127);
}

static void scen_crash_loop(const char *sc)
{
	struct loop_arg a = { .port = it_free_port(AF_INET, "127.0.0.1") };
	uint64_t since = it_nrecs;
	int64_t end = it_now_ms() + 9000;
	struct it_child *c;
	char dest[64];

	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", a.port);
	if (!(c = it_spawn(child_crash_loop, &a, 0, NULL))) {
		it_fail(sc, "the supervisor starts", "fork: %s", strerror(errno));
		return;
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			K_STR("cause", "crash_loop"),
		};

		/* dial every 100 ms (bounded: 9 s) until the loop is told */
		while (it_now_ms() < end && !it_stop) {
			try_connect(a.port);
			it_drain(100);
			if (it_count(since, ex, IT_ARRAY_SIZE(ex), NULL) > 0)
				break;
		}
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "crash_loop"),
			C_RANGE("facts.restarts", 3, 6),
			C_RANGE("facts.down_ms", 300, 9000),
			C_STR("facts.cycles.0.owner.comm", "python3"),
			C_INT("facts.cycles.0.exit.code", 1),
		};

		it_expect(sc, "a crash_loop story: its restarts, exits and down time", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(c);
}

static void scen_graceful_exit(const char *sc)
{
	struct gunicorn_arg g = { .app = "brokenapp:app", .workers = 1 };
	uint64_t since = it_nrecs;
	const struct jq_val *xrec, *crec;
	int64_t master = -1;
	struct it_child *c;
	char dest[64];

	g.port = it_free_port(AF_INET, "127.0.0.1");
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", g.port);
	if (!(c = it_spawn(child_gunicorn, &g, 0, NULL))) {
		it_fail(sc, "gunicorn starts", "fork: %s", strerror(errno));
		return;
	}
	master = master_listen(sc, g.port, since);
	if (it_child_wait(c, UP_MS) && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 3) {
		it_pass(sc, "gunicorn exits with code 3 (worker failed to boot)");
	} else {
		it_fail(sc, "gunicorn exits with code 3 (worker failed to boot)", "it %s",
			c->reaped ? it_status_text(c->status) : "was still running");
		show_log(sc, g.port);
		end_gunicorn(c);
		return;
	}
	{
		const struct it_cond cc[] = {
			K_STR("type", "listen_close"),
			K_INT("local.port", g.port),
			C_STR("how", "closed"),
			C_INT("closer.pid", master),
		};
		const struct it_cond xc[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", master),
			C_INT("exit_code", 3),
			C_BOOL("closed_listener", true),
		};

		crec = it_expect(sc, "the master closed its socket (alive)", since, IT_EXPECT_MS,
				 cc, IT_ARRAY_SIZE(cc));
		xrec = it_expect(sc, "then its exit with code 3 is reported", since, IT_EXPECT_MS,
				 xc, IT_ARRAY_SIZE(xc));
	}
	wait_connect(sc, "connects are refused", g.port, ECONNREFUSED, REFUSED_MS);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_INT("facts.listeners.0.owner.pid", master),
			C_STR("facts.how", "closed"),
			C_INT("facts.closer_exit.exit.code", 3),
			C_INT("facts.closer_exit.event", it_rec_id(xrec)),
			C_HAS("events", it_rec_id(crec)),
			C_HAS("events", it_rec_id(xrec)),
		};

		it_expect(sc, "listener_exited carries the exit code 3 that followed the close",
			  since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(c);
}

/*
 * Two containers' cgroups, as their runtimes name them, on the cgroup2
 * mount (the one BPF's cgroup ids come from): <cg2>/kwg-<pid>/
 * system.slice/docker-<web>.scope and <cg2>/kwg-<pid>/kubepods.slice/
 * kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/
 * cri-containerd-<cli>.scope.  Each level is made (and later removed) here.
 */
static bool container_cgroups(const char *sc, char *web, char *web_id, char *cli, char *cli_id,
			      size_t len)
{
	char root[PATH_MAX], cg2[PATH_MAX], base[PATH_MAX], uid[40], why[PATH_MAX + 256];
	char levels[6][PATH_MAX + 256];
	int n = 0;

	if (!it_find_cgroup_mount(true, root, cg2, sizeof(cg2))) {
		it_fail(sc, "setup", "cannot run: no cgroup2 mount in /proc/self/mountinfo");
		return false;
	}
	it_remove_stale_cgroups(cg2, "kwg-");
	it_random_hex(web_id, 64);
	it_random_hex(cli_id, 64);
	it_random_hex(uid, 32);
	it_msgf(base, sizeof(base), "%s/kwg-%d", cg2, (int)it_self);
	it_msgf(levels[n++], sizeof(levels[0]), "%s", base);
	it_msgf(levels[n++], sizeof(levels[0]), "%s/system.slice", base);
	it_msgf(levels[n++], sizeof(levels[0]), "%s/kubepods.slice", base);
	it_msgf(levels[n++], sizeof(levels[0]), "%s/kubepods.slice/kubepods-besteffort.slice",
		base);
	it_msgf(levels[n++], sizeof(levels[0]), "%s/kubepods.slice/kubepods-besteffort.slice/"
		"kubepods-besteffort-pod%s.slice", base, uid);
	it_msgf(web, len, "%s/system.slice/docker-%s.scope", base, web_id);
	it_msgf(cli, len, "%s/cri-containerd-%s.scope", levels[4], cli_id);
	for (int i = 0; i < n; i++)
		if (!it_make_cgroup(NULL, levels[i], false, why, sizeof(why)))
			goto fail;
	if (!it_make_cgroup(NULL, web, false, why, sizeof(why)) ||
	    !it_make_cgroup(NULL, cli, false, why, sizeof(why)))
		goto fail;
	return true;
fail:
	it_fail(sc, "setup", "cannot run: %s", why);
	return false;
}

static void scen_ipv6_other_pod(const char *sc)
{
	struct gunicorn_arg g = { .app = "okapp:app", .workers = 1, .ip = "0.0.0.0" };
	char web[PATH_MAX], cli[PATH_MAX], web_id[80], cli_id[80], dest[64];
	struct it_conn_arg ca = { .family = AF_INET6, .ip = "::1" };
	uint64_t since = it_nrecs;
	struct it_child *c = NULL, *client;
	struct it_netns ns;
	struct it_report r;
	int64_t master;

	if (!container_cgroups(sc, web, web_id, cli, cli_id, sizeof(web)))
		return;
	/* the namespace is the server container's: its holder lives there */
	if (!it_netns_new(sc, &ns, false, web))
		return;
	/* a fresh namespace: any port is free in it */
	g.port = 8000;
	it_msgf(dest, sizeof(dest), "[::1]:%d", g.port);
	if (!(c = it_spawn(child_gunicorn, &g, ns.holder->pid, web))) {
		it_fail(sc, "gunicorn starts", "fork: %s", strerror(errno));
		return;
	}
	master = master_listen(sc, g.port, since);
	if (master < 0) {
		show_log(sc, g.port);
		end_gunicorn(c);
		return;
	}
	ca.port = g.port;
	client = it_spawn(it_child_connect, &ca, ns.holder->pid, cli);
	if (!client)
		it_fail(sc, "the client's connect to [::1]:8000 is refused", "fork: %s",
			strerror(errno));
	else if (!it_child_report(client, &r, IT_CHILD_MS))
		it_fail(sc, "the client's connect to [::1]:8000 is refused", "no report");
	else if (r.err != ECONNREFUSED)
		it_fail(sc, "the client's connect to [::1]:8000 is refused", "%s",
			it_report_text(&r));
	else
		it_pass(sc, "the client's connect to [::1]:8000 is refused");
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			K_INT("facts.netns", (int64_t)ns.ino),
			C_STR("cause", "wrong_family"),
			C_STR("container.id", web_id),
			C_STR("facts.server_container.id", web_id),
			C_STR("facts.server_container.runtime", "docker"),
			C_STR("facts.client_container.id", cli_id),
			C_STR("facts.client_container.runtime", "containerd"),
			C_INT("facts.listeners.0.owner.pid", master),
			C_STR("facts.listeners.0.addr.text", "0.0.0.0:8000"),
		};

		it_expect(sc, "wrong_family in the server's container, the client's named as the "
			  "client's", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	end_gunicorn(c);
}

static const struct it_scenario g_scenarios[] = {
	{ "prefork_oom", scen_prefork_oom },
	{ "prefork_oom_pidns", scen_prefork_oom_pidns },
	{ "restart_race", scen_restart_race },
	{ "upstream_chain", scen_upstream_chain },
	{ "crash_loop", scen_crash_loop },
	{ "graceful_exit", scen_graceful_exit },
	{ "ipv6_client_other_pod", scen_ipv6_other_pod },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool ready = false;
	uint64_t since;
	int ret;

	ret = it_args(argc, argv, "kwhy-gtest", "  (root; gunicorn and nginx from Debian's packages)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-gtest");
	if (!it_find_prog("gunicorn", g_gunicorn, sizeof(g_gunicorn)))
		it_fail("setup", "gunicorn", "no gunicorn: install Debian's gunicorn "
			"(tests/deps.sh --test)");
	if (!it_find_prog("unshare", g_unshare, sizeof(g_unshare)))
		it_fail("setup", "unshare", "no unshare: install util-linux");
	if (!it_find_prog("nginx", g_nginx, sizeof(g_nginx)))
		it_fail("setup", "nginx", "no nginx: install Debian's nginx-light "
			"(tests/deps.sh --test)");
	it_msgf(g_dir, sizeof(g_dir), "/tmp/kwhy-gtest-%d", (int)getpid());
	if (mkdir(g_dir, 0755) && errno != EEXIST)
		it_fail("setup", "work directory", "mkdir %s: %s", g_dir, strerror(errno));
	else if (g_gunicorn[0] && g_unshare[0] && g_nginx[0] && write_files("setup")) {
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		since = it_nrecs;
		if (!it_kwhy_start(g_kwhy, args))
			it_fail("kwhy", "start", "cannot start %s: %s", g_kwhy, strerror(errno));
		else
			ready = it_kwhy_ready("kwhy", since);
	}
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, ready,
			 "kwhy or the setup is not ready");
	if (ready)
		it_kwhy_stop("kwhy", since);
	it_cleanup("gunicorn");
	it_remove_dir("setup", g_dir);
	it_check_lines("kwhy");
	return it_summary();
}
