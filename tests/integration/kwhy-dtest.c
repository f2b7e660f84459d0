// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-dtest: kwhy against real Docker containers.  tests/docker/run.sh
 * starts a Docker daemon when none answers (no bridge, no iptables) and
 * imports a small python3 image made by debootstrap; this driver runs
 * containers on --network none and checks kwhy's JSON:
 *
 *   refused_in_container  a refused connect inside container A, watched with
 *                         --container A: the cause and A's Docker name; a
 *                         refusal in container B at the same time is never
 *                         shown; the recorded trace replays to the same
 *                         explanation with `replay --container A`
 *   oom_in_container      a process over the container's -m 64m limit is
 *                         OOM-killed: memcg_limit, named by the container
 *   runtime_stop          `docker stop -t 2` of a process that ignores SIGTERM,
 *                         and `docker kill`: runtime_stop (runc's SIGTERM, the
 *                         grace period, its SIGKILL), never a userspace killer
 *   netns_reuse           container A is watched (--container A, and recorded),
 *                         then removed; containers are started until one gets
 *                         A's network namespace inode again (the kernel hands
 *                         inodes on at once); its refused connect is never
 *                         shown under A, live or in `replay --container A`
 *   stop_refuses_a_client gunicorn in container web is stopped by `docker stop`
 *                         (it shuts down on SIGTERM and exits 0); container cli
 *                         shares web's namespace and is refused: listener_exited
 *                         with the runtime's SIGTERM as the reason
 *   kwhy_in_container     kwhy itself runs as a container (KWHY_IMAGE, made by
 *                         `make image`), with the host's pid namespace, cgroups
 *                         and Docker's metadata under --host-root, and explains
 *                         a refusal in another container by its name
 *   containerd_ctr        a container of plain containerd (`ctr run`, in its own
 *                         namespace of dockerd's containerd, cgroup under ours):
 *                         its refusal is named by its containerd id
 *   ipv6_client_other_container
 *                         gunicorn listens on 0.0.0.0 (IPv4 only) in container
 *                         web; container cli joined web's network namespace
 *                         (--network container:web) and dials [::1]: refused.
 *                         wrong_family, and the place where nothing listens
 *                         is web (the server's), the client's container cli
 *
 * Containers are named kwt-<what>-<driver pid> and removed by name at the
 * end (and those of an earlier run that was killed, by the same prefix and
 * a pid that no longer exists).  Every wait is bounded.
 *
 *   kwhy-dtest --kwhy PATH [--image IMAGE] [--only NAME] [-v]
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "itest.h"

#define DOCKER_MS	60000	/* one docker command (run may create a cgroup tree) */
#define EXEC_MS		20000	/* a docker exec of a short python3 script */
#define OUT_LEN		(256 * 1024)

static const char *g_kwhy;
static const char *g_image = "kwhy-test/gunicorn:2";
static char g_docker[PATH_MAX];
static char g_names[16][64];	/* containers made, removed at the end */
static int g_nr_names;

/* listen on 127.0.0.1:PORT, say so, keep it open */
static const char PY_LISTEN[] =
	"import socket,sys,time\n"
	"s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
	"s.bind(('127.0.0.1',int(sys.argv[1]))); s.listen(16)\n"
	"print('listening',flush=True)\n"
	"time.sleep(600)\n";
/* connect to 127.0.0.1:PORT; exit 0 when refused, 1 otherwise */
static const char PY_CONNECT[] =
	"import socket,sys\n"
	"c=socket.socket()\n"
	"try:\n"
	"    c.connect(('127.0.0.1',int(sys.argv[1])))\n"
	"except ConnectionRefusedError:\n"
	"    sys.exit(0)\n"
	"sys.exit(1)\n";
/* connect to HOST:PORT (v4 or v6); exit 0 when refused, 1 otherwise */
static const char PY_CONNECT_TO[] =
	"import socket,sys\n"
	"h,p=sys.argv[1],int(sys.argv[2])\n"
	"c=socket.socket(socket.AF_INET6 if ':' in h else socket.AF_INET)\n"
	"try:\n"
	"    c.connect((h,p))\n"
	"except ConnectionRefusedError:\n"
	"    sys.exit(0)\n"
	"except OSError:\n"
	"    sys.exit(2)\n"
	"sys.exit(1)\n";
/* a WSGI app for gunicorn, written by the container's shell, then gunicorn
 * on 0.0.0.0:8000 (IPv4 only) with 2 workers */
static const char SH_GUNICORN[] =
	"printf 'def app(e, r):\\n    r(\"200 OK\", [])\\n    return [b\"ok\"]\\n' > /tmp/app.py && "
	"exec gunicorn --chdir /tmp -b 0.0.0.0:8000 -w 2 app:app";
/* a server that crashes: listens on 127.0.0.1:8000 for a second, exits 1;
 * the container's health probe then finds nothing there (refused), and the
 * container exits 1 for Docker's restart policy to start it again */
static const char SH_CRASHING[] =
	"python3 -c \"import socket,sys,time\n"
	"s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
	"s.bind(('127.0.0.1',8000)); s.listen(16); time.sleep(1); sys.exit(1)\"; "
	"python3 -c \"import socket; socket.create_connection(('127.0.0.1',8000))\" "
	"2>/dev/null; exit 1";
/* ignore SIGTERM, say so, wait */
static const char PY_IGNORE_TERM[] =
	"import signal,sys,time\n"
	"signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
	"print('listening',flush=True)\n"
	"time.sleep(int(sys.argv[1]))\n";
/* touch memory 8 MiB at a time until killed (bounded: 4 GiB) */
static const char PY_EAT[] =
	"b=[]\n"
	"for i in range(512):\n"
	"    b.append(bytearray(8<<20))\n";

static bool find_docker(void)
{
	const char *env = getenv("DOCKER");

	if (env && *env) {
		snprintf(g_docker, sizeof(g_docker), "%s", env);
		return !access(g_docker, X_OK);
	}
	/* Debian's client matches Debian's daemon; a newer one in
	 * /usr/local/bin may shadow it on PATH */
	snprintf(g_docker, sizeof(g_docker), "/usr/bin/docker");
	if (!access(g_docker, X_OK))
		return true;
	return it_find_prog("docker", g_docker, sizeof(g_docker));
}

/* Run `docker args...`; true when it exited 0.  out/err may be NULL. */
static bool docker(const char *sc, const char *what, int ms, const char *const *args, char *out,
		   size_t outlen)
{
	const char *argv[32];
	static char eb[8192];
	static char ob[8192];
	int st, n = 0;

	argv[n++] = "docker";
	for (int i = 0; args[i] && n < IT_ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (!out) {
		out = ob;
		outlen = sizeof(ob);
	}
	if (!it_run_capture(g_docker, argv + 1, ms, &st, out, outlen, eb, sizeof(eb))) {
		if (what)
			it_fail(sc, what, "docker %s did not finish within %d s (killed); stderr: %.300s",
				args[0], ms / 1000, eb);
		return false;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		if (what)
			it_fail(sc, what, "docker %s %s; stderr: %.300s", args[0],
				it_status_text(st), eb);
		return false;
	}
	if (what)
		it_pass(sc, what);
	return true;
}

#define DOCKER(sc, what, ...) \
	docker((sc), (what), DOCKER_MS, (const char *const[]){ __VA_ARGS__, NULL }, NULL, 0)

static void ctr_name(char *buf, size_t len, const char *what)
{
	it_msgf(buf, len, "kwt-%s-%d", what, (int)getpid());
}

static void remember(const char *name)
{
	if (g_nr_names < IT_ARRAY_SIZE(g_names))
		snprintf(g_names[g_nr_names++], sizeof(g_names[0]), "%s", name);
}

/* A detached container on --network none running python3 -c script arg. */
static bool run_ctr(const char *sc, const char *name, const char *mem, const char *script,
		    const char *arg)
{
	char what[160];

	it_msgf(what, sizeof(what), "docker run %s", name);
	remember(name);
	if (mem)
		return DOCKER(sc, what, "run", "-d", "--name", name, "--network", "none", "-m", mem,
			      "--memory-swap", mem, g_image, "python3", "-c", script, arg);
	return DOCKER(sc, what, "run", "-d", "--name", name, "--network", "none", g_image,
		      "python3", "-c", script, arg);
}

/* Wait (bounded) until the container's log says "listening". */
static bool wait_listening(const char *sc, const char *name)
{
	static char out[4096];

	for (int i = 0; i < 100; i++) {
		out[0] = '\0';
		docker(sc, NULL, DOCKER_MS, (const char *const[]){ "logs", name, NULL }, out,
		       sizeof(out));
		if (strstr(out, "listening")) {
			it_pass(sc, "the container's server listens");
			return true;
		}
		usleep(100 * 1000);
	}
	it_fail(sc, "the container's server listens", "no 'listening' in docker logs %s after 10 s: "
		"%.300s", name, out);
	return false;
}

/* docker exec name python3 -c script arg; its exit status in *st */
static bool exec_py(const char *name, const char *script, const char *arg, int *st)
{
	const char *const argv[] = { "exec", name, "python3", "-c", script, arg, NULL };
	static char out[4096], err[4096];

	return it_run_capture(g_docker, argv, EXEC_MS, st, out, sizeof(out), err, sizeof(err));
}

/* docker exec name python3 -c script a b; its exit status in *st */
static bool exec_py2(const char *name, const char *script, const char *a, const char *b, int *st)
{
	const char *const argv[] = { "exec", name, "python3", "-c", script, a, b, NULL };
	static char out[4096], err[4096];

	return it_run_capture(g_docker, argv, EXEC_MS, st, out, sizeof(out), err, sizeof(err));
}

static void scen_refused(const char *sc)
{
	char web[64], other[64], trace[PATH_MAX], dest[64], odest[64];
	const char *port = "8001", *wrong = "8002", *oport = "8003";
	static char out[OUT_LEN];
	uint64_t since;
	int st;

	ctr_name(web, sizeof(web), "web");
	ctr_name(other, sizeof(other), "other");
	it_msgf(trace, sizeof(trace), "/tmp/kwhy-dtest-%d.kwt", (int)getpid());
	unlink(trace);
	it_msgf(dest, sizeof(dest), "127.0.0.1:%s", wrong);
	it_msgf(odest, sizeof(odest), "127.0.0.1:%s", oport);
	if (!run_ctr(sc, web, NULL, PY_LISTEN, port) ||
	    !run_ctr(sc, other, NULL, PY_LISTEN, port) || !wait_listening(sc, web) ||
	    !wait_listening(sc, other))
		return;
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", "--container", web,
					     "--record", trace, NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	/* both at once: web's is watched, other's must not show */
	if (exec_py(web, PY_CONNECT, wrong, &st) && WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "web's connect to :8002 is refused");
	else
		it_fail(sc, "web's connect to :8002 is refused", "docker exec %s", it_status_text(st));
	if (exec_py(other, PY_CONNECT, oport, &st) && WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "other's connect to :8003 is refused");
	else
		it_fail(sc, "other's connect to :8003 is refused", "docker exec %s",
			it_status_text(st));
	{
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("remote.port", 8002),
			C_STR("error", "ECONNREFUSED"),
			C_STR("owner.comm", "python3"),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_port"),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", web),
			C_STR("facts.client.comm", "python3"),
		};

		it_expect(sc, "connect_failed of web's client", since, IT_EXPECT_MS, cf,
			  IT_ARRAY_SIZE(cf));
		it_expect(sc, "wrong_port, in container web by its Docker name", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	it_drain(1500);		/* other's events had time to arrive, if shown */
	it_kwhy_stop(sc, since);
	{
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("remote.port", 8003),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", odest),
		};
		const struct it_cond nm[] = {
			K_STR("container.name", other),
		};

		it_expect_none(sc, "no connect_failed of the other container", since, cf,
			       IT_ARRAY_SIZE(cf));
		it_expect_none(sc, "no explanation of the other container", since, ex,
			       IT_ARRAY_SIZE(ex));
		it_expect_none(sc, "nothing names the other container", since, nm,
			       IT_ARRAY_SIZE(nm));
	}
	/* the trace, read offline, tells the same story of web only */
	{
		const char *const args[] = { "replay", trace, "--json", "--container", web, NULL };
		static char err[4096];
		char want[160];

		if (!it_run_capture(g_kwhy, args, 20000, &st, out, sizeof(out), err, sizeof(err)) ||
		    !WIFEXITED(st) || WEXITSTATUS(st)) {
			it_fail(sc, "replay --container web", "kwhy replay %s; stderr: %.300s",
				it_status_text(st), err);
		} else {
			it_pass(sc, "replay --container web");
			it_msgf(want, sizeof(want), "\"cause\":\"wrong_port\",\"container\":{\"runtime\":"
				"\"docker\"");
			if (strstr(out, want) && strstr(out, dest) && strstr(out, web))
				it_pass(sc, "the replay explains web's refusal by name");
			else
				it_fail(sc, "the replay explains web's refusal by name",
					"no wrong_port explanation for %s in: %.400s", dest, out);
			if (!strstr(out, odest) && !strstr(out, other))
				it_pass(sc, "the replay shows nothing of the other container");
			else
				it_fail(sc, "the replay shows nothing of the other container",
					"%s or %s in the replay", odest, other);
		}
	}
	unlink(trace);
}

static void scen_oom(const char *sc)
{
	char name[64];
	uint64_t since;
	int st;

	ctr_name(name, sizeof(name), "oom");
	if (!run_ctr(sc, name, "64m", PY_LISTEN, "8001") || !wait_listening(sc, name))
		return;
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", "--container",
					     name, NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	if (exec_py(name, PY_EAT, "", &st) && WIFSIGNALED(st) == 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 137)
		it_pass(sc, "the memory eater is killed (docker exec says 137)");
	else
		it_fail(sc, "the memory eater is killed (docker exec says 137)", "docker exec %s",
			it_status_text(st));
	{
		const struct it_cond oom[] = {
			K_STR("type", "oom_kill"),
			C_STR("victim.comm", "python3"),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "memcg_limit"),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", name),
			C_STR("facts.victim.comm", "python3"),
			C_INT("facts.limiting_cgroup.limit_bytes", 64 * IT_MIB),
		};

		it_expect(sc, "oom_kill of the python3 in the container", since, IT_OOM_CHILD_MS,
			  oom, IT_ARRAY_SIZE(oom));
		it_expect(sc, "memcg_limit at the container's 64 MiB, by its Docker name", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
}

static void scen_runtime_stop(const char *sc)
{
	char stopped[64], killed[64];
	uint64_t since;

	ctr_name(stopped, sizeof(stopped), "stop");
	ctr_name(killed, sizeof(killed), "kill");
	if (!run_ctr(sc, stopped, NULL, PY_IGNORE_TERM, "600") ||
	    !run_ctr(sc, killed, NULL, PY_IGNORE_TERM, "600") || !wait_listening(sc, stopped) ||
	    !wait_listening(sc, killed))
		return;
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	DOCKER(sc, "docker stop -t 2 (SIGTERM ignored)", "stop", "-t", "2", stopped);
	DOCKER(sc, "docker kill", "kill", killed);
	{
		const struct it_cond st[] = {
			K_STR("type", "explanation"),
			K_STR("container.name", stopped),
			C_STR("cause", "runtime_stop"),
			C_STR("facts.victim.comm", "python3"),
			C_STR("facts.stopper.comm", "runc"),
			C_STR("facts.signal", "SIGKILL"),
			C_RANGE("facts.grace_ms", 1500, 5000),
		};
		const struct it_cond kl[] = {
			K_STR("type", "explanation"),
			K_STR("container.name", killed),
			C_STR("cause", "runtime_stop"),
			C_STR("facts.signal", "SIGKILL"),
			C_NULL("facts.sigterm_event"),
		};
		const struct it_cond uk[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "userspace_killer"),
			C_STR("facts.killer.comm", "runc"),
		};

		it_expect(sc, "docker stop: runtime_stop with the grace period", since,
			  IT_EXPECT_MS, st, IT_ARRAY_SIZE(st));
		it_expect(sc, "docker kill: runtime_stop, SIGKILL without SIGTERM", since,
			  IT_EXPECT_MS, kl, IT_ARRAY_SIZE(kl));
		it_expect_none(sc, "no userspace_killer for runc's signals", since, uk,
			       IT_ARRAY_SIZE(uk));
	}
	it_kwhy_stop(sc, since);
}

/* the network namespace inode of a running container's pid 1; 0 if none */
static unsigned long ctr_netns_ino(const char *name)
{
	static char out[256];
	char path[64];

	out[0] = '\0';
	if (!docker(NULL, NULL, DOCKER_MS, (const char *const[]){ "inspect", "-f",
		    "{{.State.Pid}}", name, NULL }, out, sizeof(out)))
		return 0;
	it_msgf(path, sizeof(path), "/proc/%d/ns/net", atoi(out));
	return atoi(out) > 0 ? it_ino_of(path) : 0;
}

static void scen_netns_reuse(const char *sc)
{
	char a[64], b[64] = "", trace[PATH_MAX], what[160];
	static char out[OUT_LEN];
	unsigned long ino_a, ino_b = 0;
	uint64_t since;
	int st, tries;

	ctr_name(a, sizeof(a), "reuse-a");
	it_msgf(trace, sizeof(trace), "/tmp/kwhy-dtest-reuse-%d.kwt", (int)getpid());
	unlink(trace);
	if (!run_ctr(sc, a, NULL, PY_LISTEN, "8001") || !wait_listening(sc, a))
		return;
	ino_a = ctr_netns_ino(a);
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", "--container", a,
					     "--record", trace, NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	DOCKER(sc, "docker rm -f A", "rm", "-f", a);
	/* bounded: a few containers until one has A's inode */
	for (tries = 0; tries < 8 && ino_b != ino_a; tries++) {
		if (b[0])
			DOCKER(sc, NULL, "rm", "-f", b);
		it_msgf(b, sizeof(b), "kwt-reuse-b%d-%d", tries, (int)getpid());
		remember(b);
		if (!run_ctr(sc, b, NULL, PY_LISTEN, "8001") || !wait_listening(sc, b))
			break;
		ino_b = ctr_netns_ino(b);
	}
	it_msgf(what, sizeof(what), "a new container got A's network namespace inode %lu", ino_a);
	if (!ino_a || ino_b != ino_a) {
		it_fail(sc, what, "after %d containers the inode is %lu: the kernel did not reuse "
			"it, so this run cannot show the reuse", tries, ino_b);
		it_kwhy_stop(sc, since);
		return;
	}
	it_pass(sc, what);
	if (exec_py(b, PY_CONNECT, "8003", &st) && WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "the new container's connect to :8003 is refused");
	else
		it_fail(sc, "the new container's connect to :8003 is refused", "docker exec %s",
			it_status_text(st));
	it_drain(1500);
	it_kwhy_stop(sc, since);
	{
		const struct it_cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", 8003),
		};
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("remote.port", 8003),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "127.0.0.1:8003"),
		};

		it_expect_none(sc, "no reset_sent of the new container under A", since, rs,
			       IT_ARRAY_SIZE(rs));
		it_expect_none(sc, "no connect_failed of the new container under A", since, cf,
			       IT_ARRAY_SIZE(cf));
		it_expect_none(sc, "no explanation of the new container under A", since, ex,
			       IT_ARRAY_SIZE(ex));
	}
	{
		const char *const args[] = { "replay", trace, "--json", "--container", a, NULL };
		static char err[4096];

		if (!it_run_capture(g_kwhy, args, 20000, &st, out, sizeof(out), err, sizeof(err)) ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			it_fail(sc, "replay --container A", "kwhy replay %s; stderr: %.300s",
				it_status_text(st), err);
		else if (strstr(out, ":8003") || strstr(out, "\"port\":8003"))
			it_fail(sc, "the replay shows nothing of the new container",
				"port 8003 in the replay: %.400s", strstr(out, "8003") - 200 > out ?
				strstr(out, "8003") - 200 : out);
		else
			it_pass(sc, "the replay shows nothing of the new container");
	}
	unlink(trace);
}

static void scen_stop_refuses(const char *sc)
{
	char web[64], cli[64], netcli[96], what[160];
	uint64_t since;
	int st = 0, i;

	ctr_name(web, sizeof(web), "sweb");
	ctr_name(cli, sizeof(cli), "scli");
	it_msgf(netcli, sizeof(netcli), "container:%s", web);
	remember(web);
	remember(cli);
	it_msgf(what, sizeof(what), "docker run %s (gunicorn)", web);
	if (!DOCKER(sc, what, "run", "-d", "--name", web, "--network", "none", g_image, "sh", "-c",
		    SH_GUNICORN))
		return;
	it_msgf(what, sizeof(what), "docker run %s in %s's network namespace", cli, web);
	if (!DOCKER(sc, what, "run", "-d", "--name", cli, "--network", netcli, g_image, "python3",
		    "-c", "import time; time.sleep(600)"))
		return;
	for (i = 0; i < 100; i++) {	/* gunicorn answers (bounded: 10 s) */
		if (exec_py2(cli, PY_CONNECT_TO, "127.0.0.1", "8000", &st) && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 1)
			break;
		usleep(100 * 1000);
	}
	if (i == 100) {
		it_fail(sc, "gunicorn answers", "the client's connect %s", it_status_text(st));
		return;
	}
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	DOCKER(sc, "docker stop web", "stop", "-t", "10", web);
	if (exec_py2(cli, PY_CONNECT_TO, "127.0.0.1", "8000", &st) && WIFEXITED(st) &&
	    !WEXITSTATUS(st))
		it_pass(sc, "cli's connect is refused once web is stopped");
	else
		it_fail(sc, "cli's connect is refused once web is stopped", "docker exec %s",
			it_status_text(st));
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "127.0.0.1:8000"),
			C_STR("cause", "listener_exited"),
			C_STR("facts.runtime_stop.stopper.comm", "runc"),
			C_STR("facts.runtime_stop.target.comm", "gunicorn"),
			C_STR("facts.client_container.name", cli),
		};

		it_expect(sc, "listener_exited: its container was being stopped by its runtime",
			  since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
}

/* kwhy as a fleet runs it: a container watching the host.  --privileged
 * asks for every capability, and this sandbox lacks CAP_SYS_RESOURCE: the
 * ones kwhy needs are given instead. */
/* deploy/container-args.txt, the one place the container run's arguments
 * live (KWHY_CONTAINER_ARGS, set by tests/docker/run.sh): "run --rm -i
 * --name=..." and its lines but the DaemonSet's ("k8s: "), the image, the
 * kwhy arguments after "--", then this test's own (--json --no-aggregate) */
#define KW_CARGS_MAX 48
static char cargs_text[8192];

static bool container_args(const char *sc, const char **args, const char *name_opt,
			   const char *img)
{
	const char *path = getenv("KWHY_CONTAINER_ARGS");
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t used = 0, len;
	int n = 0;
	char line[512];

	if (!f) {
		it_fail(sc, "the container arguments", "cannot read KWHY_CONTAINER_ARGS (%s): %s",
			path ? path : "unset", path ? strerror(errno) : "tests/docker/run.sh sets it");
		return false;
	}
	args[n++] = "run";
	args[n++] = "--rm";
	args[n++] = "-i";
	args[n++] = name_opt;
	while (fgets(line, sizeof(line), f) && n < KW_CARGS_MAX) {
		char *s = line;

		line[strcspn(line, "\n")] = '\0';
		if (!*s || *s == '#' || !strncmp(s, "k8s:", 4))
			continue;
		if (!strncmp(s, "docker:", 7))
			for (s += 7; *s == ' '; s++)
				;
		if (!strcmp(s, "--")) {
			args[n++] = img;
			continue;
		}
		len = strlen(s) + 1;
		if (used + len > sizeof(cargs_text))
			break;
		args[n++] = memcpy(cargs_text + used, s, len);
		used += len;
	}
	fclose(f);
	args[n++] = "--json";
	args[n++] = "--no-aggregate";
	args[n] = NULL;
	return true;
}

static void scen_kwhy_in_container(const char *sc)
{
	const char *img = getenv("KWHY_IMAGE");
	char web[64], kname[64];
	uint64_t since;
	int st;

	ctr_name(web, sizeof(web), "kweb");
	ctr_name(kname, sizeof(kname), "kwhy");
	if (!img || !*img) {
		it_fail(sc, "the kwhy image", "KWHY_IMAGE is not set (tests/docker/run.sh makes it "
			"with make image)");
		return;
	}
	if (!run_ctr(sc, web, NULL, PY_LISTEN, "8001") || !wait_listening(sc, web))
		return;
	remember(kname);
	{
		char name_opt[96];
		const char *args[KW_CARGS_MAX + 8];

		if (!container_args(sc, args, name_opt, img))
			return;
		it_msgf(name_opt, sizeof(name_opt), "--name=%s", kname);
		since = it_nrecs;
		if (!it_kwhy_start(g_docker, args)) {
			it_fail(sc, "kwhy starts in its container", "cannot start %s: %s", g_docker,
				strerror(errno));
			return;
		}
		/* its pid is the container's kwhy, not the docker client's */
		const struct it_cond rd[] = {
			K_STR("type", "ready"),
			C_NONEMPTY("attached"),
		};

		if (!it_expect(sc, "ready, in its container", since, IT_READY_MS, rd,
			       IT_ARRAY_SIZE(rd))) {
			it_kwhy_stop(sc, since);
			return;
		}
	}
	if (exec_py(web, PY_CONNECT, "8002", &st) && WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "the other container's connect to :8002 is refused");
	else
		it_fail(sc, "the other container's connect to :8002 is refused", "docker exec %s",
			it_status_text(st));
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "127.0.0.1:8002"),
			C_STR("cause", "wrong_port"),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", web),
		};

		it_expect(sc, "kwhy in a container explains it, naming the other container", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
}

#define CTR_SOCK "/run/docker/containerd/containerd.sock"
#define CTR_NS "kwtest"

/* ctr against dockerd's containerd; true when it exited 0 */
static bool ctr(const char *sc, const char *what, const char *const *args, char *out, size_t len)
{
	static char ob[8192], eb[4096];
	const char *argv[24] = { "-a", CTR_SOCK, "-n", CTR_NS };
	int st, n = 4;

	for (int i = 0; args[i] && n < IT_ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (!out) {
		out = ob;
		len = sizeof(ob);
	}
	if (!it_run_capture("/usr/bin/ctr", argv, DOCKER_MS, &st, out, len, eb, sizeof(eb)) ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		if (what)
			it_fail(sc, what, "ctr %s %s; stderr: %.300s", args[0], it_status_text(st), eb);
		return false;
	}
	if (what)
		it_pass(sc, what);
	return true;
}

static void scen_containerd_ctr(const char *sc)
{
	char name[64], cg[PATH_MAX], own[PATH_MAX], image[128];
	char save_cmd[512], refs[8192];
	uint64_t since;
	int st;

	it_msgf(name, sizeof(name), "kwt-ctr-%d", (int)getpid());
	it_msgf(image, sizeof(image), "docker.io/%s", g_image);
	if (access("/usr/bin/ctr", X_OK)) {
		it_fail(sc, "ctr", "no /usr/bin/ctr (Debian's containerd, a docker.io dependency)");
		return;
	}
	if (!it_own_cgroup_path(false, own, sizeof(own)) && !it_own_cgroup_path(true, own,
										sizeof(own))) {
		it_fail(sc, "setup", "cannot read this process's cgroup");
		return;
	}
	if (!strcmp(own, "/"))
		own[0] = '\0';
	it_msgf(cg, sizeof(cg), "%s/kwctr/%s", own, name);
	/* the image, from Docker into containerd's namespace (no registry) */
	refs[0] = '\0';
	ctr(sc, NULL, (const char *const[]){ "images", "ls", "-q", NULL }, refs, sizeof(refs));
	if (!strstr(refs, image)) {
		it_msgf(save_cmd, sizeof(save_cmd), "%s save %s | /usr/bin/ctr -a %s -n %s images "
			"import - >/dev/null", g_docker, g_image, CTR_SOCK, CTR_NS);
		if (system(save_cmd)) {
			it_fail(sc, "the image imported into containerd", "%s failed", save_cmd);
			return;
		}
	}
	if (!ctr(sc, "ctr run -d (a listener)", (const char *const[]){ "run", "-d", "--cgroup", cg,
		 image, name, "python3", "-c", PY_LISTEN, "8001", NULL }, NULL, 0))
		return;
	usleep(1500 * 1000);		/* python3 starts and listens */
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			goto out;
	}
	{
		const char *const argv[] = { "-a", CTR_SOCK, "-n", CTR_NS, "task", "exec",
					     "--exec-id", "kwconnect", name, "python3", "-c",
					     PY_CONNECT, "8002", NULL };
		static char out[4096], err[4096];

		if (it_run_capture("/usr/bin/ctr", argv, EXEC_MS, &st, out, sizeof(out), err,
				   sizeof(err)) && WIFEXITED(st) && !WEXITSTATUS(st))
			it_pass(sc, "the ctr container's connect to :8002 is refused");
		else
			it_fail(sc, "the ctr container's connect to :8002 is refused", "ctr task exec "
				"%s; stderr: %.300s", it_status_text(st), err);
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "127.0.0.1:8002"),
			C_STR("container.runtime", "containerd"),
			C_STR("container.id", name),
			C_STR("container.name", name),
		};

		it_expect(sc, "its refusal is named by its containerd id", since, IT_EXPECT_MS, ex,
			  IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
out:
	ctr(sc, NULL, (const char *const[]){ "task", "kill", "-s", "SIGKILL", name, NULL }, NULL,
	    0);
	usleep(500 * 1000);
	ctr(sc, NULL, (const char *const[]){ "task", "delete", name, NULL }, NULL, 0);
	ctr(sc, "ctr container delete", (const char *const[]){ "container", "delete", name, NULL },
	    NULL, 0);
}

static void scen_ipv6_other_container(const char *sc)
{
	char web[64], cli[64], netcli[96], what[160];
	uint64_t since;
	int st = 0, i;

	ctr_name(web, sizeof(web), "gweb");
	ctr_name(cli, sizeof(cli), "gcli");
	it_msgf(netcli, sizeof(netcli), "container:%s", web);
	it_msgf(what, sizeof(what), "docker run %s (gunicorn, IPv6 on lo)", web);
	remember(web);
	if (!DOCKER(sc, what, "run", "-d", "--name", web, "--network", "none", "--sysctl",
		    "net.ipv6.conf.all.disable_ipv6=0", "--sysctl",
		    "net.ipv6.conf.lo.disable_ipv6=0", g_image, "sh", "-c", SH_GUNICORN))
		return;
	it_msgf(what, sizeof(what), "docker run %s in %s's network namespace", cli, web);
	remember(cli);
	if (!DOCKER(sc, what, "run", "-d", "--name", cli, "--network", netcli, g_image, "python3",
		    "-c", "import time; time.sleep(600)"))
		return;
	/* gunicorn answers on IPv4 (bounded: 10 s) */
	for (i = 0; i < 100; i++) {
		if (exec_py2(cli, PY_CONNECT_TO, "127.0.0.1", "8000", &st) && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 1)
			break;
		usleep(100 * 1000);
	}
	if (i == 100) {
		it_fail(sc, "gunicorn answers on 127.0.0.1:8000", "the client's connect %s",
			it_status_text(st));
		return;
	}
	it_pass(sc, "gunicorn answers on 127.0.0.1:8000");
	{
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
			return;
	}
	if (exec_py2(cli, PY_CONNECT_TO, "::1", "8000", &st) && WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "cli's connect to [::1]:8000 is refused");
	else
		it_fail(sc, "cli's connect to [::1]:8000 is refused", "docker exec %s",
			it_status_text(st));
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "[::1]:8000"),
			C_STR("cause", "wrong_family"),
			C_STR("container.name", web),
			C_STR("facts.server_container.name", web),
			C_STR("facts.client_container.name", cli),
			C_STR("facts.client.comm", "python3"),
			C_STR("facts.listeners.0.owner.comm", "gunicorn"),
			C_STR("facts.listeners.0.addr.text", "0.0.0.0:8000"),
		};

		it_expect(sc, "wrong_family in container web (the server's), client in cli", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
}

/* a container's full id; "" if none */
static void ctr_id(const char *name, char *id, size_t len)
{
	static char out[256];

	out[0] = '\0';
	docker(NULL, NULL, DOCKER_MS, (const char *const[]){ "inspect", "-f", "{{.Id}}", name,
	       NULL }, out, sizeof(out));
	out[strcspn(out, "\n")] = '\0';
	snprintf(id, len, "%s", out);
}

/* After the target came back as id (was previous): gone, then back, then
 * a refused connect in the new container is shown, the kernel filter
 * having taken its new cgroups. */
static void expect_followed(const char *sc, const char *name, const char *id,
			    const char *previous, uint64_t since)
{
	const struct it_cond gone[] = {
		K_STR("type", "target"),
		K_STR("state", "gone"),
		C_STR("id", previous),
		C_BOOL("follows", true),
	};
	const struct it_cond back[] = {
		K_STR("type", "target"),
		K_STR("state", "back"),
		C_STR("id", id),
		C_STR("previous_id", previous),
	};
	const struct it_cond cf[] = {
		K_STR("type", "connect_failed"),
		K_INT("remote.port", 8002),
		C_STR("error", "ECONNREFUSED"),
	};
	const struct it_cond ex[] = {
		K_STR("type", "explanation"),
		K_STR("facts.destination.text", "127.0.0.1:8002"),
		C_STR("container.name", name),
	};
	int st;

	it_expect(sc, "a target record: gone", since, IT_EXPECT_MS, gone, IT_ARRAY_SIZE(gone));
	if (!it_expect(sc, "a target record: back, the new id", since, IT_EXPECT_MS, back,
		       IT_ARRAY_SIZE(back)))
		return;
	if (wait_listening(sc, name) && exec_py(name, PY_CONNECT, "8002", &st) &&
	    WIFEXITED(st) && !WEXITSTATUS(st))
		it_pass(sc, "the new container's connect to :8002 is refused");
	else
		it_fail(sc, "the new container's connect to :8002 is refused", "docker exec %s",
			it_status_text(st));
	it_expect(sc, "connect_failed of the new container", since, IT_EXPECT_MS, cf,
		  IT_ARRAY_SIZE(cf));
	it_expect(sc, "its explanation names the container", since, IT_EXPECT_MS, ex,
		  IT_ARRAY_SIZE(ex));
}

/* kwhy watch --json --container name */
static bool watch_container(const char *sc, const char *name, uint64_t *since)
{
	const char *const args[] = { "watch", "--json", "--no-aggregate", "--container", name,
				     NULL };

	return it_kwhy_start_ready(sc, g_kwhy, args, since);
}

/* docker restart: the same id, its cgroup made anew */
static void scen_follow_restart(const char *sc)
{
	char web[64], id[128];
	uint64_t since;

	ctr_name(web, sizeof(web), "frst");
	if (!run_ctr(sc, web, NULL, PY_LISTEN, "8001") || !wait_listening(sc, web))
		return;
	ctr_id(web, id, sizeof(id));
	if (!watch_container(sc, web, &since))
		return;
	/* python3 as pid 1 ignores SIGTERM: -t 1 kills it after a second */
	if (DOCKER(sc, "docker restart", "restart", "-t", "1", web))
		expect_followed(sc, web, id, id, since);
	it_kwhy_stop(sc, since);
}

/* docker rm, then docker run of another container with the same name */
static void scen_follow_new_name(const char *sc)
{
	char web[64], id[128], id2[128];
	uint64_t since;

	ctr_name(web, sizeof(web), "fnew");
	if (!run_ctr(sc, web, NULL, PY_LISTEN, "8001") || !wait_listening(sc, web))
		return;
	ctr_id(web, id, sizeof(id));
	if (!watch_container(sc, web, &since))
		return;
	if (!DOCKER(sc, "docker rm -f", "rm", "-f", web)) {
		it_kwhy_stop(sc, since);
		return;
	}
	it_drain(1500);		/* kwhy sees it gone before the new one comes */
	if (run_ctr(sc, web, NULL, PY_LISTEN, "8001")) {
		ctr_id(web, id2, sizeof(id2));
		if (strcmp(id, id2))
			it_pass(sc, "the new container has a new id");
		else
			it_fail(sc, "the new container has a new id", "the same id %s", id);
		expect_followed(sc, web, id2, id, since);
	}
	it_kwhy_stop(sc, since);
}

/* a stopped container is said to be stopped, exit code 2 */
static void scen_stopped(const char *sc)
{
	static char out[4096], err[4096];
	char web[64];
	const char *const args[] = { "watch", "--json", "--container", web, NULL };
	int st;

	ctr_name(web, sizeof(web), "stopped");
	if (!run_ctr(sc, web, NULL, PY_LISTEN, "8001") || !wait_listening(sc, web) ||
	    !DOCKER(sc, "docker stop", "stop", "-t", "1", web))
		return;
	if (!it_run_capture(g_kwhy, args, 20000, &st, out, sizeof(out), err, sizeof(err)) ||
	    !WIFEXITED(st) || WEXITSTATUS(st) != 2)
		it_fail(sc, "kwhy watch --container STOPPED exits with 2", "kwhy %s; stderr: %.300s",
			it_status_text(st), err);
	else
		it_pass(sc, "kwhy watch --container STOPPED exits with 2");
	if (strstr(err, "is stopped") && strstr(err, web))
		it_pass(sc, "the message says the container is stopped");
	else
		it_fail(sc, "the message says the container is stopped", "stderr: %.300s", err);
	it_diag("stderr: %s", err);
}

/*
 * Docker's restart policy brings a crashing server back again and again
 * (--restart=always: a new process, and on --network none a new network
 * namespace, each time): one crash_loop story of the container, its
 * restarts and their exits, not a new mystery at each refusal.
 */
static void scen_crash_loop_restart(const char *sc)
{
	char web[64];
	/* host-wide: between two runs the container is down, and --container
	 * would find it stopped */
	const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };
	uint64_t since;

	ctr_name(web, sizeof(web), "loop");
	remember(web);
	if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
		return;
	if (!DOCKER(sc, "docker run --restart=always (a server that crashes)", "run", "-d",
		    "--name", web, "--network", "none", "--restart=always", g_image, "sh", "-c",
		    SH_CRASHING)) {
		it_kwhy_stop(sc, since);
		return;
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", "127.0.0.1:8000"),
			/* a key: the first refusals are each a listener_exited */
			K_STR("cause", "crash_loop"),
			C_STR("container.name", web),
			C_STR("facts.server_container.name", web),
			C_RANGE("facts.restarts", 3, 12),
			C_STR("facts.cycles.0.owner.comm", "python3"),
			C_INT("facts.cycles.0.exit.code", 1),
			C_STR("facts.client.comm", "python3"),
		};

		/* Docker's back-off doubles from 100 ms: 4 cycles take ~10 s */
		it_expect(sc, "a crash_loop story of the container: its restarts and exits", since,
			  40000, ex, IT_ARRAY_SIZE(ex));
	}
	it_kwhy_stop(sc, since);
	DOCKER(sc, NULL, "update", "--restart=no", web);
}

static const struct it_scenario g_scenarios[] = {
	{ "refused_in_container", scen_refused },
	{ "oom_in_container", scen_oom },
	{ "runtime_stop", scen_runtime_stop },
	{ "netns_reuse", scen_netns_reuse },
	{ "stop_refuses_a_client", scen_stop_refuses },
	{ "kwhy_in_container", scen_kwhy_in_container },
	{ "containerd_ctr", scen_containerd_ctr },
	{ "ipv6_client_other_container", scen_ipv6_other_container },
	{ "follow_restart", scen_follow_restart },
	{ "follow_new_name", scen_follow_new_name },
	{ "stopped_container", scen_stopped },
	{ "crash_loop_restart_policy", scen_crash_loop_restart },
};

static void remove_containers(void)
{
	for (int i = 0; i < g_nr_names; i++) {
		char what[160];

		it_msgf(what, sizeof(what), "docker rm -f %s", g_names[i]);
		DOCKER("cleanup", what, "rm", "-f", g_names[i]);
	}
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	char about[256];
	int ret;

	/* --image IMAGE is ours; the rest is the drivers' common command line */
	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--image")) {
			g_image = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (argc - i - 1) * sizeof(argv[0]));
			argc -= 2;
			break;
		}
	}
	snprintf(about, sizeof(about), "  [--image IMAGE] (root; a Docker daemon and the image %s: "
		 "tests/docker/run.sh prepares both)\n", g_image);
	ret = it_args(argc, argv, "kwhy-dtest", about, g_scenarios, IT_ARRAY_SIZE(g_scenarios),
		      &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-dtest");
	if (!find_docker()) {
		it_fail("docker", "the docker client", "no docker in PATH (DOCKER= names one): "
			"install docker.io (tests/deps.sh --test)");
		return it_summary();
	}
	if (!DOCKER("docker", "the daemon answers", "info") ||
	    !DOCKER("docker", "the test image is there", "image", "inspect", g_image))
		return it_summary();	/* a scenario that cannot run fails; none is skipped */
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, true, NULL);
	remove_containers();
	it_check_lines("kwhy");
	return it_summary();
}
