// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-xtest: integration tests of kwhy's explanations.  Makes real refused
 * connects, dead listeners, bind conflicts, OOM kills and kills happen in
 * forked children, some of them inside fake containers (cgroup v2
 * directories named the way Docker and Kubernetes name theirs, each with
 * its own network namespace behind a veth pair, and runtime metadata in a
 * temporary --host-root), and checks the `explanation` and `summary`
 * records: cause, container, the pids, addresses and ports in the facts,
 * and the ids of the events they rest on.
 *
 *   kwhy-xtest --kwhy PATH [--only NAME] [-v]
 *
 * kwhy runs three times: `watch --json --no-aggregate --host-root DIR` for
 * most scenarios, with aggregation on for "storm", and with
 * `--container backend` for "container_filter".
 *
 * Output: one "ok N - name" or "not ok N - name: ..." line per check, then
 * "P passed, F failed" alone on a line.  Exit status 1 when anything failed.
 * A scenario that cannot run fails; none is skipped.
 *
 * "remote" plays the other host with a TUN device (10.213.9.1/24) in a
 * namespace of its own: a process holding the TUN answers the client's SYN
 * to 10.213.9.2 with a RST it writes itself, so no network stack on this
 * host sends a reset.  It needs /dev/net/tun (made with mknod, and removed
 * again, when the tun driver is there but the node is not).
 *
 * Must run as root, statically linked (it also runs in a busybox-only VM
 * with pure cgroup v2).  Traffic goes only to loopback and to addresses
 * inside the network namespaces this program creates (10.213.N.0/30, and
 * 10.213.9.0/24 behind the TUN).  Everything created (children, veths,
 * namespaces, the TUN, cgroups, the metadata directory) is removed, also
 * on failure; processes are killed only by the PIDs of children this
 * program forked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "itest.h"

#define STORM_N		2000	/* refused connects in the storm */
#define STORM_MS	60000	/* ... at most this long */
#define EXITED_DELAY_MS	200	/* from a listener's exit to the connect */
#define SUMMARY_MS	3000	/* kwhy's repeat drain runs every second */

/* "remote": a TUN device in a new namespace, a process behind it */
#define TUN_DEV		"/dev/net/tun"
#define TUN_IP		"10.213.9.1"	/* the TUN's address, /24 */
#define TUN_PEER_IP	"10.213.9.2"	/* the "other host": the peer process */
#define TUN_PEER_MS	30000		/* the peer answers at most this long */
#define TUN_PEER_PKTS	1000		/* ... and reads at most this many packets */

#define BACKEND_NAME	"backend"
#define POD_NAME	"shop-7c9d8f6b5-x2k4p"
#define POD_NS		"prod"
#define POD_CONTAINER	"frontend"

/* ---- the fake containers ---- */

struct ctr {
	const char *what;		/* "backend" (Docker), "pod" (Kubernetes) */
	const char *runtime;		/* as kwhy names it */
	const char *name;		/* the name kwhy should find */
	char id[65];
	char dir[PATH_MAX];		/* its cgroup v2 directory */
	unsigned long cgid;		/* its cgroup id (the directory's inode) */
	struct it_netns ns;
};

static struct ctr g_backend = { .what = "backend", .runtime = "docker", .name = BACKEND_NAME };
static struct ctr g_pod = { .what = "pod", .runtime = "containerd", .name = POD_CONTAINER };
static char g_pod_uid[40];
static char g_root[PATH_MAX];		/* --host-root: a temporary directory */
static bool g_fixture_ok;
static char g_fixture_why[512] = "the containers fixture was not set up";
static struct it_mark g_fixture_mark;	/* what exists with the fixture */
static const char *g_kwhy;

/* the snapshot scenario's listener, started before kwhy */
static struct it_child *g_snap;
static int g_snap_port;

/* ---- small helpers ---- */

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A TCP port free on the host (for every address); with pair, port + 1
 * is free too.  Ports used inside the test's namespaces come from here as
 * well, so no listener elsewhere on the host shares them. */
static int host_port(bool pair)
{
	for (int i = 0; i < 50; i++) {
		int p = it_free_port(AF_INET, "0.0.0.0"), s;
		struct sockaddr_storage ss;
		socklen_t len;
		bool free2;

		if (p <= 0 || !pair)
			return p;
		if (p >= 65535)
			continue;
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -1;
		len = it_mkaddr(&ss, AF_INET, "0.0.0.0", p + 1);
		free2 = !bind(s, (struct sockaddr *)&ss, len);
		close(s);
		if (free2)
			return p;
	}
	return -1;
}

static void endpoint(char *buf, size_t len, const char *ip, int port)
{
	if (strchr(ip, ':'))
		snprintf(buf, len, "[%s]:%d", ip, port);
	else
		snprintf(buf, len, "%s:%d", ip, port);
}

static bool need_fixture(const char *sc)
{
	if (g_fixture_ok)
		return true;
	it_fail(sc, "run", "not run: %s", g_fixture_why);
	return false;
}

/* Start a listener (in ns's namespace and cgroup dir when given); its
 * port in *port.  NULL after a failed check `what`. */
static struct it_child *listener(const char *sc, const char *what,
				 const struct it_listen_arg *la, pid_t ns, const char *cg,
				 int *port)
{
	struct it_child *c;
	struct it_report r;

	if (!(c = it_spawn(it_child_listen, la, ns, cg))) {
		it_fail(sc, what, "fork: %s", strerror(errno));
		return NULL;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(c);
		it_fail(sc, what, "the listener (pid %d): %s", (int)c->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
		return NULL;
	}
	*port = r.port;
	return c;
}

/* Spawn a client (no wait); NULL after a failed check. */
static struct it_child *client_start(const char *sc, const struct it_conn_arg *ca, pid_t ns,
				     const char *cg)
{
	struct it_child *c = it_spawn(it_child_connect, ca, ns, cg);

	if (!c)
		it_fail(sc, "connect refused", "fork: %s", strerror(errno));
	return c;
}

/* The client's report: one check "connect refused" (what). */
static bool client_done(const char *sc, const char *what, struct it_child *c,
			const struct it_conn_arg *ca, struct it_report *r)
{
	if (!it_child_report(c, r, IT_CHILD_MS)) {
		if (!it_child_wait(c, 1000))
			it_child_kill(c);
		it_fail(sc, what, "the client (pid %d) reported nothing; it %s", (int)c->pid,
			c->reaped ? it_status_text(c->status) : "was killed");
		return false;
	}
	it_child_wait(c, IT_CHILD_MS);
	if (r->stage != IT_ST_OK) {
		it_fail(sc, what, "the client (pid %d): %s", (int)c->pid, it_report_text(r));
		return false;
	}
	if (r->err != ECONNREFUSED) {
		it_fail(sc, what, "connect() to %s port %d: %s, expected ECONNREFUSED", ca->ip,
			ca->port, r->err ? strerror(r->err) : "success");
		return false;
	}
	it_pass(sc, what);
	return true;
}

/* A client that connects once and must be refused. */
static struct it_child *client(const char *sc, const struct it_conn_arg *ca, pid_t ns,
			       const char *cg, struct it_report *r)
{
	struct it_child *c = client_start(sc, ca, ns, cg);

	if (!c || !client_done(sc, "connect refused", c, ca, r))
		return NULL;
	return c;
}

/*
 * The client side of a refusal: its connect_failed record, and the
 * explanation for dest naming that client (facts.client) and citing its
 * connect_failed.  Two checks.
 */
static void expect_client(const char *sc, uint64_t since, const char *dest,
			  const struct it_child *cli)
{
	const struct it_cond cf[] = {
		K_STR("type", "connect_failed"),
		K_INT("owner.pid", cli->pid),
		C_STR("error", "ECONNREFUSED"),
		C_SUFFIX("remote.text", strrchr(dest, ':')),
	};
	const struct jq_val *crec;

	crec = it_expect(sc, "connect_failed of the client", since, IT_EXPECT_MS, cf,
			 IT_ARRAY_SIZE(cf));
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_HAS("events", it_rec_id(crec)),
		};

		it_expect(sc, "explanation names the client and cites its connect_failed", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
}

/* ---- the containers fixture ---- */

static bool fixture_cgroup(const char *dir)
{
	char why[PATH_MAX + 256];

	if (!it_make_cgroup(NULL, dir, false, why, sizeof(why))) {
		snprintf(g_fixture_why, sizeof(g_fixture_why), "%s", why);
		return false;
	}
	return true;
}

/* the holder's cgroup v2 path ("0::" line) ends with the container's dir */
static bool in_cgroup(pid_t pid, const char *dir, char *got, size_t len)
{
	char path[64], buf[4096], *l;
	const char *leaf = strrchr(dir, '/');

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	got[0] = '\0';
	if (it_read_file(path, buf, sizeof(buf)))
		return false;
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		size_t n, ll;

		if (strncmp(l, "0::", 3))
			continue;
		snprintf(got, len, "%s", l + 3);
		n = strlen(l + 3);
		ll = leaf ? strlen(leaf) : 0;
		return leaf && n >= ll && !strcmp(l + 3 + n - ll, leaf);
	}
	return false;
}

/*
 * <cg2>/kwx-<pid>/system.slice/docker-<id>.scope and
 * <cg2>/kwx-<pid>/kubepods.slice/kubepods-burstable.slice/
 *   kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope, each
 * with a namespace holder inside and a veth to the host; metadata under
 * a temporary --host-root that names them "backend" and pod
 * prod/shop-…/frontend.
 */
static void fixture(const char *sc)
{
	char root[PATH_MAX], cg2[PATH_MAX], base[PATH_MAX], p[PATH_MAX], uid_[40], got[PATH_MAX];
	char file[PATH_MAX + 256], text[512], msg[PATH_MAX + 128];
	int err;

	if (!it_find_cgroup_mount(true, root, cg2, sizeof(cg2))) {
		snprintf(g_fixture_why, sizeof(g_fixture_why), "no cgroup2 mount in "
			 "/proc/self/mountinfo");
		it_fail(sc, "setup", "cannot run: %s", g_fixture_why);
		return;
	}
	it_remove_stale_cgroups(cg2, "kwx-");
	it_random_hex(g_backend.id, 64);
	it_random_hex(g_pod.id, 64);
	it_random_hex(p, 32);
	snprintf(g_pod_uid, sizeof(g_pod_uid), "%.8s-%.4s-4%.3s-a%.3s-%.12s", p, p + 8, p + 12,
		 p + 15, p + 18);
	snprintf(uid_, sizeof(uid_), "%s", g_pod_uid);
	for (char *c = uid_; *c; c++)
		if (*c == '-')
			*c = '_';

	it_msgf(base, sizeof(base), "%s/kwx-%d", cg2, (int)it_self);
	it_msgf(g_backend.dir, sizeof(g_backend.dir), "%s/system.slice/docker-%s.scope", base,
		g_backend.id);
	it_msgf(g_pod.dir, sizeof(g_pod.dir), "%s/kubepods.slice/kubepods-burstable.slice/"
		"kubepods-burstable-pod%s.slice/cri-containerd-%s.scope", base, uid_, g_pod.id);
	if (!fixture_cgroup(base))
		goto fail;
	it_msgf(p, sizeof(p), "%s/system.slice", base);
	if (!fixture_cgroup(p) || !fixture_cgroup(g_backend.dir))
		goto fail;
	it_msgf(p, sizeof(p), "%s/kubepods.slice", base);
	if (!fixture_cgroup(p))
		goto fail;
	it_msgf(p, sizeof(p), "%s/kubepods.slice/kubepods-burstable.slice", base);
	if (!fixture_cgroup(p))
		goto fail;
	it_msgf(p, sizeof(p), "%s/kubepods.slice/kubepods-burstable.slice/"
		"kubepods-burstable-pod%s.slice", base, uid_);
	if (!fixture_cgroup(p) || !fixture_cgroup(g_pod.dir))
		goto fail;
	g_backend.cgid = it_ino_of(g_backend.dir);
	g_pod.cgid = it_ino_of(g_pod.dir);
	it_diag("%s: backend %s (id %lu), pod %s (id %lu)", sc, g_backend.dir, g_backend.cgid,
		g_pod.dir, g_pod.cgid);

	/* metadata, as Docker and the kubelet write it */
	snprintf(g_root, sizeof(g_root), "/tmp/kwhy-xtest-XXXXXX");
	if (!mkdtemp(g_root)) {
		it_msgf(g_fixture_why, sizeof(g_fixture_why), "mkdtemp %s: %s", g_root,
			strerror(errno));
		g_root[0] = '\0';
		goto fail;
	}
	it_msgf(file, sizeof(file), "%s/var/lib/docker/containers/%s", g_root, g_backend.id);
	err = it_mkdirs(file);
	if (!err) {
		it_msgf(file, sizeof(file), "%s/var/lib/docker/containers/%s/config.v2.json",
			g_root, g_backend.id);
		it_msgf(text, sizeof(text), "{\"ID\":\"%s\",\"Name\":\"/%s\",\"Config\":"
			"{\"Hostname\":\"%.12s\",\"Image\":\"nginx:1.25\"},\"State\":"
			"{\"Running\":true}}\n", g_backend.id, BACKEND_NAME, g_backend.id);
		err = it_create_file(file, text);
	}
	if (!err) {
		it_msgf(file, sizeof(file), "%s/var/log/containers", g_root);
		err = it_mkdirs(file);
	}
	if (!err) {
		it_msgf(file, sizeof(file), "%s/var/log/containers/%s_%s_%s-%s.log", g_root,
			POD_NAME, POD_NS, POD_CONTAINER, g_pod.id);
		err = it_create_file(file, "");
	}
	if (err) {
		it_msgf(g_fixture_why, sizeof(g_fixture_why), "writing %s: %s", file,
			strerror(-err));
		goto fail;
	}

	/* each container: a namespace holder inside, a veth to the host */
	if (!it_netns_new(sc, &g_backend.ns, true, g_backend.dir)) {
		snprintf(g_fixture_why, sizeof(g_fixture_why), "the backend's namespace failed");
		goto failed;
	}
	if (!it_netns_new(sc, &g_pod.ns, true, g_pod.dir)) {
		snprintf(g_fixture_why, sizeof(g_fixture_why), "the pod's namespace failed");
		goto failed;
	}
	if (!in_cgroup(g_backend.ns.holder->pid, g_backend.dir, got, sizeof(got)) ||
	    !in_cgroup(g_pod.ns.holder->pid, g_pod.dir, p, sizeof(p))) {
		it_msgf(g_fixture_why, sizeof(g_fixture_why), "the namespace holders are not in "
			"the containers' cgroups: backend %s, pod %s", got, p);
		goto fail;
	}
	it_msgf(msg, sizeof(msg), "Docker- and Kubernetes-like cgroups, namespaces %lu and %lu, "
		"metadata in %s", g_backend.ns.ino, g_pod.ns.ino, g_root);
	it_pass(sc, msg);
	g_fixture_ok = true;
	g_fixture_mark = it_mark_now();
	return;
fail:
	it_fail(sc, "setup", "cannot run: %s", g_fixture_why);
failed:
	g_fixture_ok = false;
}

/* ---- scenarios (kwhy --no-aggregate --host-root) ---- */

/* A listener in each container: listen records in the container's
 * namespace and cgroup, and cgroup records naming the containers from
 * the metadata under --host-root. */
static uint64_t g_since_start;	/* the main kwhy's first record */

static void scen_containers(const char *sc)
{
	uint64_t since = it_nrecs;
	struct ctr *cs[] = { &g_backend, &g_pod };

	if (!need_fixture(sc))
		return;
	for (int i = 0; i < 2; i++) {
		struct ctr *c = cs[i];
		struct it_listen_arg la = { .family = AF_INET, .ip = "0.0.0.0",
					    .port = host_port(false), .mode = IT_L_WAIT_CTL };
		char what[64], suffix[128];
		struct it_child *l;
		int port;

		if (c == &g_backend)
			snprintf(suffix, sizeof(suffix), "/system.slice/docker-%s.scope", c->id);
		else
			snprintf(suffix, sizeof(suffix), "/cri-containerd-%s.scope", c->id);
		snprintf(what, sizeof(what), "listen in the %s container", c->what);
		if (!(l = listener(sc, what, &la, c->ns.holder->pid, c->dir, &port)))
			continue;
		{
			const struct it_cond ls[] = {
				K_STR("type", "listen"),
				K_INT("owner.pid", l->pid),
				C_INT("local.port", port),
				C_INT("netns", c->ns.ino),
				C_INT("cgroup_id", c->cgid),
				C_INT("owner.cgroup_id", c->cgid),
			};

			it_expect(sc, what, since, IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
		}
		snprintf(what, sizeof(what), "cgroup record names the %s container", c->what);
		if (c == &g_backend) {
			const struct it_cond cg[] = {
				K_STR("type", "cgroup"),
				K_INT("cgroup", c->cgid),
				C_BOOL("v1_memory", false),
				C_BOOL("resolved", true),
				C_SUFFIX("path", suffix),
				C_STR("runtime", "docker"),
				C_STR("container_id", c->id),
				C_STR("name", BACKEND_NAME),
			};

			it_expect(sc, what, g_since_start, IT_EXPECT_MS, cg, IT_ARRAY_SIZE(cg));
		} else {
			const struct it_cond cg[] = {
				K_STR("type", "cgroup"),
				K_INT("cgroup", c->cgid),
				C_BOOL("v1_memory", false),
				C_BOOL("resolved", true),
				C_SUFFIX("path", suffix),
				C_STR("runtime", "containerd"),
				C_STR("container_id", c->id),
				C_STR("name", POD_CONTAINER),
				C_STR("pod", POD_NAME),
				C_STR("k8s_namespace", POD_NS),
			};

			it_expect(sc, what, g_since_start, IT_EXPECT_MS, cg, IT_ARRAY_SIZE(cg));
		}
	}
}

/* In "backend" a server listens on 127.0.0.1:P; a host client dials the
 * container's veth address on P. */
static void scen_wrong_address(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .mode = IT_L_WAIT_CTL };
	struct it_conn_arg ca = { .family = AF_INET };
	struct it_child *srv, *cli;
	const struct jq_val *lrec, *rrec;
	struct it_report r;
	char dest[64], caddr[64], laddr[64];
	int port;

	if (!need_fixture(sc))
		return;
	la.port = host_port(false);
	if (!(srv = listener(sc, "listen in backend", &la, g_backend.ns.holder->pid,
			     g_backend.dir, &port)))
		return;
	ca.ip = g_backend.ns.ns_ip;
	ca.port = port;
	ca.bind_ip = g_backend.ns.host_ip;
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		return;
	endpoint(dest, sizeof(dest), ca.ip, port);
	endpoint(caddr, sizeof(caddr), ca.bind_ip, r.port);
	endpoint(laddr, sizeof(laddr), "127.0.0.1", port);
	{
		const struct it_cond ls[] = {
			K_STR("type", "listen"),
			K_INT("owner.pid", srv->pid),
			C_INT("local.port", port),
			C_INT("netns", g_backend.ns.ino),
		};
		const struct it_cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", port),
			C_STR("local.addr", ca.ip),
			C_INT("netns", g_backend.ns.ino),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_address"),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", BACKEND_NAME),
			C_STR("container.id", g_backend.id),
			C_INT("container.cgroup_id", g_backend.cgid),
			C_INT("facts.netns", g_backend.ns.ino),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
			C_STR("facts.listeners.0.addr.text", laddr),
			C_INT("facts.listeners.0.netns", g_backend.ns.ino),
			C_STR("facts.client_addr.text", caddr),
		};

		lrec = it_expect(sc, "listen", since, IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
		rrec = it_expect(sc, "reset_sent", since, IT_EXPECT_MS, rs, IT_ARRAY_SIZE(rs));
		it_expect(sc, "explanation wrong_address in container backend", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(rrec)),
				C_HAS("events", it_rec_id(lrec)),
			};

			it_expect(sc, "explanation cites the reset_sent and the listen", since,
				  IT_EXPECT_MS, ev, IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* In the pod: 0.0.0.0:P with a client to [::1]:P, and a v6-only [::]:P2
 * with a client to 127.0.0.1:P2. */
static void scen_wrong_family(const char *sc)
{
	pid_t ns;
	const char *cg;

	if (!need_fixture(sc))
		return;
	ns = g_pod.ns.holder->pid;
	cg = g_pod.dir;
	for (int v6only = 0; v6only < 2; v6only++) {
		uint64_t since = it_nrecs;
		struct it_listen_arg la = { .family = v6only ? AF_INET6 : AF_INET,
					    .ip = v6only ? "::" : "0.0.0.0",
					    .port = host_port(false), .mode = IT_L_WAIT_CTL,
					    .v6only = v6only };
		struct it_conn_arg ca = { .family = v6only ? AF_INET : AF_INET6,
					  .ip = v6only ? "127.0.0.1" : "::1" };
		struct it_child *srv, *cli;
		const struct jq_val *lrec;
		struct it_report r;
		char dest[64], laddr[64], what[128];
		int port;

		if (!(srv = listener(sc, v6only ? "listen on [::] v6-only" : "listen on 0.0.0.0",
				     &la, ns, cg, &port)))
			continue;
		ca.port = port;
		if (!(cli = client(sc, &ca, ns, cg, &r)))
			continue;
		endpoint(dest, sizeof(dest), ca.ip, port);
		endpoint(laddr, sizeof(laddr), la.ip, port);
		{
			const struct it_cond ls[] = {
				K_STR("type", "listen"),
				K_INT("owner.pid", srv->pid),
				C_INT("local.port", port),
				C_BOOL("v6only", v6only),
			};
			const struct it_cond ex[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_STR("cause", "wrong_family"),
				C_STR("container.runtime", "containerd"),
				C_STR("container.name", POD_CONTAINER),
				C_STR("container.pod", POD_NAME),
				C_STR("container.k8s_namespace", POD_NS),
				C_INT("facts.netns", g_pod.ns.ino),
				C_INT("facts.listeners.0.owner.pid", srv->pid),
				C_STR("facts.listeners.0.addr.text", laddr),
				C_BOOL("facts.listeners.0.v6only", v6only),
				};

			lrec = it_expect(sc, v6only ? "listen [::] v6only" : "listen 0.0.0.0", since,
					 IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
			snprintf(what, sizeof(what), "explanation wrong_family for %s (%s listener)",
				 dest, laddr);
			it_expect(sc, what, since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
			{
				const struct it_cond ev[] = {
					K_STR("type", "explanation"),
					K_STR("facts.destination.text", dest),
					C_HAS("events", it_rec_id(lrec)),
				};

				it_expect(sc, v6only ? "explanation cites the v6-only listen" :
					  "explanation cites the IPv4 listen", since, IT_EXPECT_MS,
					  ev, IT_ARRAY_SIZE(ev));
			}
		}
		expect_client(sc, since, dest, cli);
	}
}

/* In the pod a server listens on P and exits with code 3; 200 ms later a
 * client connects to P. */
static void scen_listener_exited(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "0.0.0.0", .mode = IT_L_EXIT,
				    .code = 3 };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_child *srv, *cli;
	const struct jq_val *lc;
	struct it_report r;
	char dest[64], laddr[64];
	int port;

	if (!need_fixture(sc))
		return;
	la.port = host_port(false);
	if (!(srv = listener(sc, "listen", &la, g_pod.ns.holder->pid, g_pod.dir, &port)))
		return;
	if (!it_child_wait(srv, IT_CHILD_MS)) {
		it_child_kill(srv);
		it_fail(sc, "exit code 3", "the listener (pid %d) did not exit", (int)srv->pid);
		return;
	}
	if (WIFEXITED(srv->status) && WEXITSTATUS(srv->status) == 3)
		it_pass(sc, "exit code 3");
	else
		it_fail(sc, "exit code 3", "the listener %s", it_status_text(srv->status));
	sleep_ms(EXITED_DELAY_MS);
	ca.port = port;
	if (!(cli = client(sc, &ca, g_pod.ns.holder->pid, g_pod.dir, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.1", port);
	endpoint(laddr, sizeof(laddr), "0.0.0.0", port);
	{
		const struct it_cond lcc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", srv->pid),
			C_INT("local.port", port),
			C_STR("how", "owner_exited"),
			C_INT("exit_code", 3),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_STR("container.runtime", "containerd"),
			C_STR("container.name", POD_CONTAINER),
			C_STR("container.pod", POD_NAME),
			C_STR("container.k8s_namespace", POD_NS),
			C_STR("container.id", g_pod.id),
			C_INT("facts.netns", g_pod.ns.ino),
			C_STR("facts.how", "owner_exited"),
			C_INT("facts.exit_code", 3),
			C_NULL("facts.signal"),
			C_NULL("facts.oom_kill_event"),
			C_RANGE("facts.closed_before_ms", EXITED_DELAY_MS - 50, 60000),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
			C_STR("facts.listeners.0.addr.text", laddr),
		};

		lc = it_expect(sc, "listen_close", since, IT_EXPECT_MS, lcc, IT_ARRAY_SIZE(lcc));
		it_expect(sc, "explanation listener_exited, exit code 3, in the pod", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(lc)),
			};

			it_expect(sc, "explanation cites the listen_close", since, IT_EXPECT_MS, ev,
				  IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* A binds 127.0.0.1:P and listens; B's bind of 0.0.0.0:P fails with
 * EADDRINUSE; a client dials 127.0.0.2:P. */
static void scen_bind_failed(const char *sc)
{
	uint64_t since = it_nrecs;
	int port = host_port(false);
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = port,
				    .mode = IT_L_WAIT_CTL };
	struct it_bind_arg ba = { .family = AF_INET, .ip = "0.0.0.0", .port = port };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.2", .port = port };
	struct it_child *a, *b, *cli;
	const struct jq_val *brec;
	struct it_report r;
	char dest[64], baddr[64], haddr[64];

	if (port <= 0) {
		it_fail(sc, "setup", "no free TCP port: %s", strerror(errno));
		return;
	}
	if (!(a = listener(sc, "A binds 127.0.0.1 and listens", &la, 0, NULL, &port)))
		return;
	if (!(b = it_spawn(it_child_bind, &ba, 0, NULL))) {
		it_fail(sc, "B's bind EADDRINUSE", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(b, &r, IT_CHILD_MS) || r.stage != IT_ST_OK)
		it_fail(sc, "B's bind EADDRINUSE", "B (pid %d): %s", (int)b->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
	else if (r.err != EADDRINUSE)
		it_fail(sc, "B's bind EADDRINUSE", "bind() to 0.0.0.0 port %d: %s", port,
			r.err ? strerror(r.err) : "success");
	else
		it_pass(sc, "B's bind EADDRINUSE");
	it_child_wait(b, IT_CHILD_MS);	/* B gives up */
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.2", port);
	endpoint(baddr, sizeof(baddr), "0.0.0.0", port);
	endpoint(haddr, sizeof(haddr), "127.0.0.1", port);
	{
		const struct it_cond bc[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", b->pid),
			C_BOOL("ok", false),
			C_STR("error", "EADDRINUSE"),
			C_INT("addr.port", port),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "bind_failed"),
			C_STR("container.runtime", "host"),
			C_INT("facts.netns", it_host_netns),
			C_INT("facts.holder.pid", a->pid),
			C_STR("facts.holder_addr.text", haddr),
			C_INT("facts.binder.pid", b->pid),
			C_STR("facts.bind_addr.text", baddr),
			C_STR("facts.bind_error", "EADDRINUSE"),
		};

		brec = it_expect(sc, "bind EADDRINUSE of B", since, IT_EXPECT_MS, bc,
				 IT_ARRAY_SIZE(bc));
		it_expect(sc, "explanation bind_failed names holder A and binder B", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(brec)),
			};

			it_expect(sc, "explanation cites B's failed bind", since, IT_EXPECT_MS, ev,
				  IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* In "backend" a server listens on P; a client there dials P+1. */
static void scen_wrong_port(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "0.0.0.0", .mode = IT_L_WAIT_CTL };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_child *srv, *cli;
	const struct jq_val *lrec;
	struct it_report r;
	char dest[64], suffix[16];
	int port;

	if (!need_fixture(sc))
		return;
	la.port = host_port(true);
	if (la.port <= 0) {
		it_fail(sc, "setup", "no two free adjacent TCP ports");
		return;
	}
	if (!(srv = listener(sc, "listen", &la, g_backend.ns.holder->pid, g_backend.dir, &port)))
		return;
	ca.port = port + 1;
	if (!(cli = client(sc, &ca, g_backend.ns.holder->pid, g_backend.dir, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.1", port + 1);
	snprintf(suffix, sizeof(suffix), ":%d", port);
	{
		const struct it_cond ls[] = {
			K_STR("type", "listen"),
			K_INT("owner.pid", srv->pid),
			C_INT("local.port", port),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_port"),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", BACKEND_NAME),
			C_INT("facts.netns", g_backend.ns.ino),
			C_SUFFIX("facts.listeners.0.addr.text", suffix),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
		};

		lrec = it_expect(sc, "listen", since, IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
		it_expect(sc, "explanation wrong_port names the listener on P", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(lrec)),
			};

			it_expect(sc, "explanation cites the listen", since, IT_EXPECT_MS, ev,
				  IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* A server on 0.0.0.0:P in backend's namespace; a client in the pod's
 * namespace dials its own 127.0.0.1:P. */
static void scen_wrong_netns(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "0.0.0.0", .mode = IT_L_WAIT_CTL };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_child *srv, *cli;
	const struct jq_val *lrec;
	struct it_report r;
	char dest[64], laddr[64];
	int port;

	if (!need_fixture(sc))
		return;
	la.port = host_port(false);
	if (!(srv = listener(sc, "listen in backend", &la, g_backend.ns.holder->pid,
			     g_backend.dir, &port)))
		return;
	ca.port = port;
	if (!(cli = client(sc, &ca, g_pod.ns.holder->pid, g_pod.dir, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.1", port);
	endpoint(laddr, sizeof(laddr), "0.0.0.0", port);
	{
		const struct it_cond ls[] = {
			K_STR("type", "listen"),
			K_INT("owner.pid", srv->pid),
			C_INT("local.port", port),
			C_INT("netns", g_backend.ns.ino),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_netns"),
			C_STR("container.runtime", "containerd"),
			C_STR("container.name", POD_CONTAINER),
			C_STR("container.pod", POD_NAME),
			C_INT("facts.netns", g_pod.ns.ino),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
			C_STR("facts.listeners.0.addr.text", laddr),
			C_INT("facts.listeners.0.netns", g_backend.ns.ino),
			C_STR("facts.listener_container.runtime", "docker"),
			C_STR("facts.listener_container.name", BACKEND_NAME),
		};

		lrec = it_expect(sc, "listen in backend", since, IT_EXPECT_MS, ls,
				 IT_ARRAY_SIZE(ls));
		it_expect(sc, "explanation wrong_netns: pod dialled, backend listens", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(lrec)),
			};

			it_expect(sc, "explanation cites the listen in backend", since,
				  IT_EXPECT_MS, ev, IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* A new namespace with nothing in it; a client there (the only process
 * kwhy ever sees in it) dials a closed port. */
static void scen_no_listener(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_child *cli;
	struct it_report r;
	struct it_netns ns;
	char dest[64];

	if (!it_netns_new(sc, &ns, false, NULL))
		return;
	ca.port = host_port(false);
	if (!(cli = client(sc, &ca, ns.holder->pid, NULL, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.1", ca.port);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "no_listener"),
			C_INT("facts.netns", ns.ino),
			C_INT("facts.listeners_checked", 0),
		};
		const struct it_cond host[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("container.runtime", "host"),
		};

		it_expect(sc, "explanation no_listener", since, IT_EXPECT_MS, ex,
			  IT_ARRAY_SIZE(ex));
		it_expect(sc, "explanation's container is the host (the client's)", since,
			  IT_EXPECT_MS, host, IT_ARRAY_SIZE(host));
	}
	expect_client(sc, since, dest, cli);
}

/* ---- remote: the other host is a process behind a TUN device ---- */

struct tun_arg {
	char name[IFNAMSIZ];	/* the TUN device */
	int port;		/* SYNs to TUN_PEER_IP:port are refused */
};

/* what the peer was doing when its setup failed (its report's count) */
static const char *const g_tun_steps[] = {
	"open " TUN_DEV, "ioctl(TUNSETIFF)", "socket(AF_INET, SOCK_DGRAM)",
	"ioctl(SIOCSIFADDR " TUN_IP ")", "ioctl(SIOCSIFNETMASK /24)", "ioctl(SIOCGIFFLAGS)",
	"ioctl(SIOCSIFFLAGS IFF_UP)", "if_nametoindex",
};

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static void csum_put(uint8_t *at, uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	at[0] = sum >> 8;
	at[1] = sum & 0xff;
}

/*
 * When pkt (n bytes, from the TUN) is an IPv4 TCP SYN to peer:port, the
 * RST|ACK that refuses it in out (40 bytes): addresses and ports swapped,
 * seq 0, ack = the SYN's seq + 1, both checksums.  Its length, else 0.
 */
static size_t tun_rst(const uint8_t *pkt, size_t n, const uint8_t peer[4], int port,
		      uint8_t out[40])
{
	const uint8_t *syn;
	size_t ihl;
	uint32_t ack, sum;
	uint8_t *tcp = out + 20;

	if (n < 40 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP)
		return 0;
	ihl = (size_t)(pkt[0] & 0xf) * 4;
	if (ihl < 20 || n < ihl + 20 || ((pkt[6] & 0x1f) << 8 | pkt[7]) != 0 ||
	    memcmp(pkt + 16, peer, 4))
		return 0;
	syn = pkt + ihl;
	if ((syn[2] << 8 | syn[3]) != port || (syn[13] & 0x17) != 0x02)	/* SYN alone */
		return 0;
	memset(out, 0, 40);
	out[0] = 0x45;
	out[3] = 40;			/* total length */
	out[6] = 0x40;			/* DF */
	out[8] = 64;			/* TTL */
	out[9] = IPPROTO_TCP;
	memcpy(out + 12, pkt + 16, 4);	/* from the address the SYN went to */
	memcpy(out + 16, pkt + 12, 4);
	csum_put(out + 10, csum_add(0, out, 20));
	memcpy(tcp, syn + 2, 2);	/* ports swapped */
	memcpy(tcp + 2, syn, 2);
	ack = ((uint32_t)syn[4] << 24 | (uint32_t)syn[5] << 16 | (uint32_t)syn[6] << 8 | syn[7]) + 1;
	tcp[8] = ack >> 24;
	tcp[9] = ack >> 16;
	tcp[10] = ack >> 8;
	tcp[11] = ack;
	tcp[12] = 5 << 4;		/* 20 bytes, no options */
	tcp[13] = 0x14;			/* RST|ACK */
	sum = csum_add(0, out + 12, 8) + IPPROTO_TCP + 20;	/* the pseudo-header */
	csum_put(tcp + 16, csum_add(sum, tcp, 20));
	return 40;
}

static int tun_setup_failed(int wr, int step, int err)
{
	struct it_report r = { .stage = IT_ST_OPT, .err = err, .count = step };
	ssize_t n = write(wr, &r, sizeof(r));

	(void)n;	/* short or not, the driver hears of a failed setup */
	return 1;
}

static bool ifr_ioctl(int s, unsigned long req, const char *name, struct ifreq *ifr)
{
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	return !ioctl(s, req, ifr);
}

/*
 * In the client's namespace: a TUN device 10.213.9.1/24, up, so that
 * 10.213.9.2 is routed into it; reports (name, ifindex), then answers
 * SYNs to 10.213.9.2:port with RST|ACK until the driver closes ctl, for at
 * most TUN_PEER_PKTS packets and TUN_PEER_MS.  The final report: RSTs
 * written (count), packets read (err2), the first write error (err).
 */
static int child_tun_peer(const void *p, int wr, int ctl)
{
	const struct tun_arg *a = p;
	struct it_report r = { .stage = IT_ST_OK, .port = a->port };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int64_t deadline = it_now_ms() + TUN_PEER_MS;
	uint8_t peer[4], pkt[2048], rst[40];
	struct ifreq ifr;
	int fd, s;

	fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return tun_setup_failed(wr, 0, errno);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (!ifr_ioctl(fd, TUNSETIFF, a->name, &ifr))
		return tun_setup_failed(wr, 1, errno);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return tun_setup_failed(wr, 2, errno);
	memset(&ifr, 0, sizeof(ifr));
	inet_pton(AF_INET, TUN_IP, &sin.sin_addr);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	if (!ifr_ioctl(s, SIOCSIFADDR, a->name, &ifr))
		return tun_setup_failed(wr, 3, errno);
	inet_pton(AF_INET, "255.255.255.0", &sin.sin_addr);
	memcpy(&ifr.ifr_netmask, &sin, sizeof(sin));
	if (!ifr_ioctl(s, SIOCSIFNETMASK, a->name, &ifr))
		return tun_setup_failed(wr, 4, errno);
	memset(&ifr, 0, sizeof(ifr));
	if (!ifr_ioctl(s, SIOCGIFFLAGS, a->name, &ifr))
		return tun_setup_failed(wr, 5, errno);
	ifr.ifr_flags |= IFF_UP;
	if (!ifr_ioctl(s, SIOCSIFFLAGS, a->name, &ifr))
		return tun_setup_failed(wr, 6, errno);
	close(s);
	r.ifindex = (int)if_nametoindex(a->name);
	if (!r.ifindex)
		return tun_setup_failed(wr, 7, errno);
	snprintf(r.name, sizeof(r.name), "%s", a->name);
	if (write(wr, &r, sizeof(r)) != sizeof(r))
		return 1;

	inet_pton(AF_INET, TUN_PEER_IP, peer);
	r.ifindex = 0;
	for (int i = 0; i < TUN_PEER_PKTS; i++) {
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN }, { .fd = ctl, .events = POLLIN } };
		int64_t left = deadline - it_now_ms();
		ssize_t n;
		size_t len;

		if (left <= 0 || poll(pf, 2, left > 1000 ? 1000 : (int)left) < 0) {
			if (left <= 0 || errno != EINTR)
				break;
			continue;
		}
		if (pf[1].revents)	/* the driver is done (or gone) */
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		n = read(fd, pkt, sizeof(pkt));
		if (n <= 0)
			continue;
		r.err2++;
		len = tun_rst(pkt, (size_t)n, peer, a->port, rst);
		if (!len)
			continue;
		if (write(fd, rst, len) == (ssize_t)len)
			r.count++;
		else if (!r.err)
			r.err = errno ? errno : EIO;
	}
	close(fd);		/* the TUN goes with it */
	if (write(wr, &r, sizeof(r)) != sizeof(r))
		return 1;
	return 0;
}

/* TUN_DEV exists: else made (with /dev/net) when the tun driver is there;
 * what was made in *made_dir, *made_dev.  False after a failed check. */
static bool tun_dev(const char *sc, bool *made_dir, bool *made_dev)
{
	*made_dir = *made_dev = false;
	if (!access(TUN_DEV, F_OK))
		return true;
	if (errno != ENOENT) {
		it_fail(sc, "setup", "cannot run: %s: %s", TUN_DEV, strerror(errno));
		return false;
	}
	if (!mkdir("/dev/net", 0755))
		*made_dir = true;
	else if (errno != EEXIST)
		goto fail;
	if (mknod(TUN_DEV, S_IFCHR | 0600, makedev(10, 200)))
		goto fail;
	*made_dev = true;
	it_diag("%s: made %s (char 10:200)", sc, TUN_DEV);
	return true;
fail:
	it_fail(sc, "setup", "cannot run: no %s and cannot make it: %s", TUN_DEV, strerror(errno));
	if (*made_dir)
		rmdir("/dev/net");
	*made_dir = false;
	return false;
}

/*
 * A new namespace with a TUN device 10.213.9.1/24 and a peer process
 * behind it: a client there dials 10.213.9.2:P, the peer answers the SYN
 * with a RST of its own making.  No network stack on this host sent a
 * reset: the explanation is "remote".
 */
static void scen_remote(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_conn_arg ca = { .family = AF_INET, .ip = TUN_PEER_IP };
	struct tun_arg ta = { .port = 0 };
	struct it_child *peer, *cli;
	const struct jq_val *crec, *xrec;
	bool made_dir, made_dev;
	struct it_report r, pr;
	struct it_netns ns;
	char dest[64], what[128];

	ca.port = ta.port = host_port(false);
	if (ca.port <= 0) {
		it_fail(sc, "setup", "no free TCP port: %s", strerror(errno));
		return;
	}
	endpoint(dest, sizeof(dest), TUN_PEER_IP, ca.port);
	snprintf(ta.name, sizeof(ta.name), "kwtun%d", (int)(it_self % 10000000));
	if (!tun_dev(sc, &made_dir, &made_dev))
		return;
	if (!it_netns_new(sc, &ns, false, NULL))
		goto out;
	snprintf(what, sizeof(what), "TUN %s " TUN_IP "/24 in a new namespace, a peer behind it",
		 ta.name);
	if (!(peer = it_spawn(child_tun_peer, &ta, ns.holder->pid, NULL))) {
		it_fail(sc, what, "fork: %s", strerror(errno));
		goto out;
	}
	if (!it_child_report(peer, &pr, IT_CHILD_MS) || pr.stage != IT_ST_OK) {
		it_child_kill(peer);
		if (pr.stage == IT_ST_OPT && pr.count >= 0 && pr.count < IT_ARRAY_SIZE(g_tun_steps))
			it_fail(sc, what, "the peer (pid %d): %s failed: %s%s", (int)peer->pid,
				g_tun_steps[pr.count], strerror(pr.err),
				pr.count <= 1 ? " (no tun driver? CONFIG_TUN, modprobe tun)" : "");
		else
			it_fail(sc, what, "the peer (pid %d): %s", (int)peer->pid,
				pr.stage ? it_report_text(&pr) : "reported nothing");
		goto out;
	}
	it_pass(sc, what);
	it_diag("%s: %s (ifindex %d) in net:[%lu], peer pid %d", sc, pr.name, pr.ifindex, ns.ino,
		(int)peer->pid);

	cli = client(sc, &ca, ns.holder->pid, NULL, &r);
	it_child_release(peer);
	if (!it_child_report(peer, &pr, IT_CHILD_MS))
		it_fail(sc, "the peer answered the one SYN with a RST", "the peer (pid %d) said "
			"nothing at the end", (int)peer->pid);
	else if (pr.count != 1)
		it_fail(sc, "the peer answered the one SYN with a RST", "%d RSTs written, %d packets "
			"read from the TUN%s%s", pr.count, pr.err2, pr.err ? "; write: " : "",
			pr.err ? strerror(pr.err) : "");
	else
		it_pass(sc, "the peer answered the one SYN with a RST");
	it_child_wait(peer, IT_CHILD_MS);
	if (!cli)
		goto out;
	{
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", cli->pid),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", TUN_PEER_IP),
			C_INT("remote.port", ca.port),
			C_BOOL("reset_received", true),
			C_INT("netns", ns.ino),
		};

		crec = it_expect(sc, "connect_failed of the client, refused by " TUN_PEER_IP, since,
				 IT_EXPECT_MS, cf, IT_ARRAY_SIZE(cf));
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "remote"),
			C_INT("facts.client.pid", cli->pid),
			C_INT("facts.netns", ns.ino),
			C_HAS("events", it_rec_id(crec)),
		};
		const char *text;

		xrec = it_expect(sc, "explanation remote names the client, cites its connect_failed",
				 since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		text = xrec ? jq_str(xrec, "text") : NULL;
		if (text && strstr(text, "another host"))
			it_pass(sc, "the text says another host refused");
		else
			it_fail(sc, "the text says another host refused", "%s%s", xrec ?
				"text: " : "no explanation", xrec ? (text ? text : "(none)") : "");
	}
	/* a reset sent by this host would have had time to arrive */
	it_drain(1000);
	{
		const struct it_cond from[] = {
			K_STR("type", "reset_sent"),
			C_STR("local.addr", TUN_PEER_IP),
		};
		const struct it_cond to[] = {
			K_STR("type", "reset_sent"),
			C_STR("remote.addr", TUN_PEER_IP),
		};
		const struct it_cond in[] = {
			K_STR("type", "reset_sent"),
			C_INT("netns", ns.ino),
		};
		uint64_t first = 0;
		int n = it_count(since, from, IT_ARRAY_SIZE(from), &first);

		if (!n)
			n = it_count(since, to, IT_ARRAY_SIZE(to), &first);
		if (!n)
			n = it_count(since, in, IT_ARRAY_SIZE(in), &first);
		if (!n)
			it_pass(sc, "no reset_sent from, to or in the client's namespace");
		else
			it_fail(sc, "no reset_sent from, to or in the client's namespace", "%s",
				it_rec_text(first));
	}
out:	/* the peer and the holder (with the TUN and namespace) go in it_cleanup_to() */
	if (made_dev && unlink(TUN_DEV))
		it_fail(sc, "cleanup", "cannot remove %s: %s", TUN_DEV, strerror(errno));
	if (made_dir && rmdir("/dev/net"))
		it_fail(sc, "cleanup", "cannot remove /dev/net: %s", strerror(errno));
}

/* Started before kwhy: a listener on 127.0.0.1:P. */
static void snapshot_server(void)
{
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .mode = IT_L_WAIT_CTL };
	struct it_report r;

	la.port = host_port(false);
	g_snap = it_spawn(it_child_listen, &la, 0, NULL);
	if (g_snap && (!it_child_report(g_snap, &r, IT_CHILD_MS) || r.stage != IT_ST_OK)) {
		it_fail("snapshot", "listen before kwhy starts", "the listener (pid %d): %s",
			(int)g_snap->pid, r.stage ? it_report_text(&r) : "reported nothing");
		it_child_kill(g_snap);
		g_snap = NULL;
		return;
	}
	if (!g_snap) {
		it_fail("snapshot", "listen before kwhy starts", "fork: %s", strerror(errno));
		return;
	}
	g_snap_port = r.port;
	it_diag("snapshot: pid %d listens on 127.0.0.1:%d before kwhy", (int)g_snap->pid,
		g_snap_port);
}

/* The listener from before kwhy: a snapshot listen record, and a client
 * to 127.0.0.2:P is told about it. */
static void scen_snapshot(const char *sc)
{
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.2" };
	const struct jq_val *lrec;
	struct it_child *cli;
	struct it_report r;
	char dest[64], laddr[64];
	uint64_t since = it_nrecs;

	if (!g_snap) {
		it_fail(sc, "run", "not run: no listener started before kwhy");
		return;
	}
	{
		const struct it_cond ls[] = {
			K_STR("type", "listen"),
			K_INT("local.port", g_snap_port),
			K_INT("netns", it_host_netns),
			C_BOOL("snapshot", true),
			C_INT("owner.pid", g_snap->pid),
			C_STR("local.addr", "127.0.0.1"),
		};

		lrec = it_expect(sc, "snapshot listen record of the earlier listener", g_since_start,
				 IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
	}
	ca.port = g_snap_port;
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.2", g_snap_port);
	endpoint(laddr, sizeof(laddr), "127.0.0.1", g_snap_port);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_address"),
			C_STR("container.runtime", "host"),
			C_INT("facts.listeners.0.owner.pid", g_snap->pid),
			C_STR("facts.listeners.0.addr.text", laddr),
			C_BOOL("facts.listeners.0.snapshot", true),
		};
		const struct it_cond ev[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_HAS("events", it_rec_id(lrec)),
		};

		it_expect(sc, "explanation wrong_address names the earlier listener", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		it_expect(sc, "explanation cites the snapshot listen", since, IT_EXPECT_MS, ev,
			  IT_ARRAY_SIZE(ev));
	}
	expect_client(sc, since, dest, cli);
}

/* ---- OOM ---- */

/* A 64 MiB memory cgroup named kwhy-xtest-<pid>-<tag> under the driver's
 * own; with child, an unlimited cgroup below it.  The victim's directory
 * in victim, the limited one's in top; false after a failed check. */
static bool oom_cgroups(const char *sc, const char *tag, bool child, char *top, char *victim,
			size_t len, struct it_memcg *e)
{
	char why[PATH_MAX + 256];
	int err;

	if (!it_memcg_find(e, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	it_remove_stale_cgroups(e->own, "kwhy-xtest-");
	if (!e->v1 && (err = it_enable_memory(e->own))) {
		it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s",
			e->own, strerror(-err));
		return false;
	}
	if (snprintf(top, len, "%s/kwhy-xtest-%d-%s", e->own, (int)it_self, tag) >= (int)len) {
		it_fail(sc, "setup", "cannot run: the cgroup path %s is too long", e->own);
		return false;
	}
	if (!it_make_cgroup(e, top, true, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	snprintf(victim, len, "%s", top);
	if (!child)
		return true;
	if (!e->v1 && (err = it_enable_memory(top))) {
		it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s",
			top, strerror(-err));
		return false;
	}
	if (snprintf(victim, len, "%s/child", top) >= (int)len) {
		it_fail(sc, "setup", "cannot run: the cgroup path %s is too long", top);
		return false;
	}
	if (!it_make_cgroup(e, victim, false, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	return true;
}

static bool oom_died(const char *sc, struct it_child *c)
{
	if (!it_child_wait(c, IT_OOM_CHILD_MS)) {
		it_child_kill(c);
		it_fail(sc, "OOM-killed", "the victim (pid %d) was still alive after %d s",
			(int)c->pid, IT_OOM_CHILD_MS / 1000);
		return false;
	}
	if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL) {
		it_pass(sc, "OOM-killed");
		return true;
	}
	it_fail(sc, "OOM-killed", "the victim (pid %d) %s; expected death by SIGKILL%s",
		(int)c->pid, it_status_text(c->status),
		WIFEXITED(c->status) && WEXITSTATUS(c->status) == 3 ?
		" (it touched 512 MiB: the limit did not apply)" : "");
	return false;
}

/* A server in a 64 MiB cgroup listens on 0.0.0.0:P, then eats memory
 * until the OOM killer takes it; then a client dials 127.0.0.1:P. */
static void scen_oom_chain(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "0.0.0.0", .mode = IT_L_OOM };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	char top[PATH_MAX], victim[PATH_MAX], dest[64], laddr[64];
	const struct jq_val *orec, *lc;
	struct it_child *srv, *cli;
	struct it_report r;
	struct it_memcg e;
	int port;

	if (!oom_cgroups(sc, "oom", false, top, victim, sizeof(top), &e))
		return;
	la.port = host_port(false);
	if (!(srv = listener(sc, "listen in the 64 MiB cgroup", &la, 0, victim, &port)))
		return;
	oom_died(sc, srv);
	{
		const struct it_cond oc[] = {
			K_STR("type", "oom_kill"),
			K_INT("victim.pid", srv->pid),
			C_STR("constraint", "memcg"),
		};

		orec = it_expect(sc, "oom_kill", since, IT_EXPECT_MS, oc, IT_ARRAY_SIZE(oc));
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_INT("facts.victim.pid", srv->pid),
			C_STR("cause", "memcg_limit"),
			C_INT("facts.limiting_cgroup.id", it_ino_of(top)),
			C_INT("facts.limiting_cgroup.level", 0),
			C_INT("facts.limiting_cgroup.limit_bytes", IT_OOM_LIMIT),
			C_BOOL("facts.limiting_cgroup.v1", e.v1),
			C_RANGE("facts.victim_rss_kb", 16385, INT64_MAX),
			C_NONEMPTY("facts.biggest"),
			C_HAS("events", it_rec_id(orec)),
		};
		const struct it_cond uk[] = {
			K_STR("type", "explanation"),
			K_INT("facts.victim.pid", srv->pid),
			C_STR("cause", "userspace_killer"),
		};

		it_expect(sc, "explanation memcg_limit, citing the oom_kill", since, IT_EXPECT_MS,
			  ex, IT_ARRAY_SIZE(ex));
		it_expect_none(sc, "no userspace_killer explanation for the OOM victim", since, uk,
			       IT_ARRAY_SIZE(uk));
	}
	ca.port = port;
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		return;
	endpoint(dest, sizeof(dest), "127.0.0.1", port);
	endpoint(laddr, sizeof(laddr), "0.0.0.0", port);
	{
		const struct it_cond lcc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", srv->pid),
			C_INT("local.port", port),
			C_STR("how", "owner_killed"),
		};
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "listener_exited"),
			C_STR("facts.how", "oom_killed"),
			C_INT("facts.oom_kill_event", it_rec_id(orec)),
			C_STR("facts.signal", "SIGKILL"),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
			C_STR("facts.listeners.0.addr.text", laddr),
		};

		lc = it_expect(sc, "listen_close", since, IT_EXPECT_MS, lcc, IT_ARRAY_SIZE(lcc));
		it_expect(sc, "explanation listener_exited, how oom_killed", since, IT_EXPECT_MS,
			  ex, IT_ARRAY_SIZE(ex));
		{
			const struct it_cond ev[] = {
				K_STR("type", "explanation"),
				K_STR("facts.destination.text", dest),
				C_HAS("events", it_rec_id(orec)),
				C_HAS("events", it_rec_id(lc)),
			};

			it_expect(sc, "explanation cites the oom_kill and the listen_close", since,
				  IT_EXPECT_MS, ev, IT_ARRAY_SIZE(ev));
		}
	}
	expect_client(sc, since, dest, cli);
}

/* The limit on a parent cgroup, the victim in its child. */
static void scen_oom_parent(const char *sc)
{
	uint64_t since = it_nrecs;
	char top[PATH_MAX], victim[PATH_MAX];
	const struct jq_val *orec;
	struct it_report r;
	struct it_child *c;
	struct it_memcg e;

	if (!oom_cgroups(sc, "parent", true, top, victim, sizeof(top), &e))
		return;
	if (!(c = it_spawn(it_child_oom, victim, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(c);
		it_fail(sc, "OOM-killed", "the victim (pid %d): %s", (int)c->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	oom_died(sc, c);
	{
		const struct it_cond oc[] = {
			K_STR("type", "oom_kill"),
			K_INT("victim.pid", c->pid),
		};

		orec = it_expect(sc, "oom_kill", since, IT_EXPECT_MS, oc, IT_ARRAY_SIZE(oc));
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_INT("facts.victim.pid", c->pid),
			C_STR("cause", "memcg_limit"),
			C_INT("facts.limiting_cgroup.level", 1),
			C_INT("facts.limiting_cgroup.id", it_ino_of(top)),
			C_INT("facts.limiting_cgroup.limit_bytes", IT_OOM_LIMIT),
			C_NONEMPTY("facts.biggest"),
			C_HAS("events", it_rec_id(orec)),
		};

		it_expect(sc, "explanation memcg_limit at level 1 (the parent)", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
}

/* The driver SIGKILLs a process of the backend container. */
static void scen_userspace_killer(const char *sc)
{
	uint64_t since = it_nrecs;
	const struct jq_val *srec, *xrec;
	struct it_report r;
	struct it_child *c;

	if (!need_fixture(sc))
		return;
	if (!(c = it_spawn(it_child_pause, NULL, g_backend.ns.holder->pid, g_backend.dir))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(c);
		it_fail(sc, "killed", "the victim (pid %d): %s", (int)c->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	if (kill(c->pid, SIGKILL)) {
		it_fail(sc, "killed", "kill(%d, SIGKILL): %s", (int)c->pid, strerror(errno));
		return;
	}
	if (!it_child_wait(c, IT_CHILD_MS))
		it_fail(sc, "killed", "the victim (pid %d) did not die", (int)c->pid);
	else if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL)
		it_pass(sc, "killed");
	else
		it_fail(sc, "killed", "the victim %s", it_status_text(c->status));
	{
		const struct it_cond sg[] = {
			K_STR("type", "signal"),
			K_INT("target.pid", c->pid),
			C_INT("sender.pid", it_self),
			C_STR("signal", "SIGKILL"),
		};
		const struct it_cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_STR("signal", "SIGKILL"),
		};

		srec = it_expect(sc, "signal", since, IT_EXPECT_MS, sg, IT_ARRAY_SIZE(sg));
		xrec = it_expect(sc, "process_exit", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_INT("facts.victim.pid", c->pid),
			C_STR("cause", "userspace_killer"),
			C_INT("facts.killer.pid", it_self),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", BACKEND_NAME),
			C_STR("facts.killer_container.runtime", "host"),
			C_HAS("events", it_rec_id(srec)),
			C_HAS("events", it_rec_id(xrec)),
		};

		it_expect(sc, "explanation userspace_killer: the driver killed backend's process",
			  since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
}

/* ---- scenarios with their own kwhy ---- */

struct storm_arg {
	const char *ip;
	int port;
	int n;
};

/* n blocking connects to ip:port, bounded by STORM_MS; reports how many
 * were refused (count), how many were tried (port) and the first other
 * outcome (err). */
static int child_storm(const void *p, int wr, int ctl)
{
	const struct storm_arg *a = p;
	struct it_report r = { .stage = IT_ST_OK };
	int64_t deadline = it_now_ms() + STORM_MS;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, a->ip, a->port);
	int i;

	(void)ctl;
	for (i = 0; i < a->n && it_now_ms() < deadline; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			r.stage = IT_ST_SOCKET;
			r.err = errno;
			break;
		}
		if (connect(s, (struct sockaddr *)&ss, len) && errno == ECONNREFUSED)
			r.count++;
		else if (!r.err)
			r.err = errno ? errno : -1;
		close(s);
	}
	r.port = i;
	if (write(wr, &r, sizeof(r)) != sizeof(r))
		return 1;
	return 0;
}

/* With aggregation on: 2000 refused connects to one closed port make one
 * explanation and summaries that count the other 1999. */
static void scen_storm(const char *sc)
{
	const char *const args[] = { "watch", "--json", "--host-root", g_root, NULL };
	struct storm_arg a = { .ip = "127.0.0.1", .n = STORM_N };
	uint64_t since, first = 0;
	int64_t id = -1, sum = 0, final_total = -1;
	int nex, nsum = 0, nfinal = 0;
	struct it_report r;
	struct it_child *c;
	char dest[64];

	if (!g_root[0]) {
		it_fail(sc, "run", "not run: %s", g_fixture_why);
		return;
	}
	if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
		return;
	a.port = host_port(false);
	endpoint(dest, sizeof(dest), a.ip, a.port);
	if (!(c = it_spawn(child_storm, &a, 0, NULL))) {
		it_fail(sc, "2000 connects refused", "fork: %s", strerror(errno));
	} else if (!it_child_report(c, &r, STORM_MS + IT_CHILD_MS)) {
		it_child_kill(c);
		it_fail(sc, "2000 connects refused", "the client (pid %d) reported nothing",
			(int)c->pid);
	} else if (r.stage != IT_ST_OK || r.count != STORM_N) {
		it_fail(sc, "2000 connects refused", "%d of %d tried were refused%s%s", r.count,
			r.port, r.err ? "; another ended with " : "",
			r.err > 0 ? strerror(r.err) : r.err ? "success" : "");
	} else {
		it_pass(sc, "2000 connects refused");
	}
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
		};
		const struct jq_val *rec = it_expect(sc, "an explanation for the destination", since,
						     IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));

		if (rec)
			id = it_rec_id(rec);
	}
	it_drain(SUMMARY_MS);
	it_kwhy_stop(sc, since);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
		};

		nex = it_count(since, ex, IT_ARRAY_SIZE(ex), &first);
		if (nex == 1)
			it_pass(sc, "exactly one explanation for the destination");
		else
			it_fail(sc, "exactly one explanation for the destination", "%d explanations "
				"for %s%s%s", nex, dest, nex ? "; the first: " : "",
				nex ? it_rec_text(first) : "");
	}
	for (uint64_t s = since < it_oldest() ? it_oldest() : since; s < it_nrecs; s++) {
		const struct jq_val *v = it_rec(s);
		const char *t = jq_str(v, "type"), *d = jq_str(v, "destination");
		int64_t eid = 0, count = 0, total = 0;
		bool fin = false;

		if (!t || strcmp(t, "summary") || !d || strcmp(d, dest))
			continue;
		jq_int(v, "explanation_id", &eid);
		jq_int(v, "count", &count);
		jq_int(v, "total", &total);
		jq_bool(v, "final", &fin);
		if (eid != id) {
			it_fail(sc, "summaries refer to the explanation", "summary for explanation "
				"%" PRId64 ", expected %" PRId64 ": %s", eid, id, it_rec_text(s));
			continue;
		}
		nsum++;
		sum += count;
		if (fin) {
			nfinal++;
			final_total = total;
		}
	}
	if (nsum && sum + 1 == STORM_N)
		it_pass(sc, "summary counts + 1 == 2000");
	else
		it_fail(sc, "summary counts + 1 == 2000", "%d summaries for %s (explanation %" PRId64
			"), counts add up to %" PRId64 " (+ 1 = %" PRId64 ")", nsum, dest, id, sum,
			sum + 1);
	if (nfinal == 1 && final_total == STORM_N)
		it_pass(sc, "one final summary, total 2000");
	else
		it_fail(sc, "one final summary, total 2000", "%d final summaries, last total %" PRId64,
			nfinal, final_total);
}

/* kwhy --container backend: two containers refused at once; only
 * backend's story is told. */
static void scen_container_filter(const char *sc)
{
	const char *const args[] = { "watch", "--json", "--no-aggregate", "--host-root", g_root,
				     "--container", BACKEND_NAME, NULL };
	struct it_conn_arg cb = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_conn_arg cp = { .family = AF_INET, .ip = "127.0.0.1" };
	struct it_child *b, *p;
	struct it_report r;
	char db[64], dp[64];
	uint64_t since;

	if (!need_fixture(sc))
		return;
	if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
		return;
	cb.port = host_port(false);
	cp.port = host_port(false);
	if (cp.port == cb.port)
		cp.port = host_port(false);
	endpoint(db, sizeof(db), cb.ip, cb.port);
	endpoint(dp, sizeof(dp), cp.ip, cp.port);
	/* both at once */
	b = client_start(sc, &cb, g_backend.ns.holder->pid, g_backend.dir);
	p = client_start(sc, &cp, g_pod.ns.holder->pid, g_pod.dir);
	if (b)
		client_done(sc, "backend's connect refused", b, &cb, &r);
	if (p)
		client_done(sc, "the pod's connect refused", p, &cp, &r);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", db),
			C_INT("facts.netns", g_backend.ns.ino),
		};
		const struct it_cond nm[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", db),
			C_STR("container.runtime", "docker"),
			C_STR("container.name", BACKEND_NAME),
		};
		const struct it_cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", cb.port),
			C_INT("netns", g_backend.ns.ino),
		};

		it_expect(sc, "reset_sent in backend's namespace (no process) is shown", since,
			  IT_EXPECT_MS, rs, IT_ARRAY_SIZE(rs));
		it_expect(sc, "explanation for backend's destination", since, IT_EXPECT_MS, ex,
			  IT_ARRAY_SIZE(ex));
		it_expect(sc, "explanation names container backend", since, IT_EXPECT_MS, nm,
			  IT_ARRAY_SIZE(nm));
		if (b)
			expect_client(sc, since, db, b);
	}
	/* what the pod did had time to arrive as well */
	it_drain(1000);
	it_kwhy_stop(sc, since);
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dp),
		};
		const struct it_cond ns[] = {
			K_INT("netns", g_pod.ns.ino),
		};
		const struct it_cond fn[] = {
			K_INT("facts.netns", g_pod.ns.ino),
		};

		it_expect_none(sc, "no explanation for the pod's destination", since, ex,
			       IT_ARRAY_SIZE(ex));
		it_expect_none(sc, "no record from the pod's namespace", since, ns,
			       IT_ARRAY_SIZE(ns));
		it_expect_none(sc, "no explanation about the pod's namespace", since, fn,
			       IT_ARRAY_SIZE(fn));
	}
}

/* --container with a target that does not exist: exit 2, a message. */
static void scen_container_missing(const char *sc)
{
	const char *const args[] = { "watch", "--json", "--host-root",
				     g_root[0] ? g_root : "/", "--container",
				     "does-not-exist", NULL };
	char out[4096], err[4096];
	int st;

	if (!it_run_capture(g_kwhy, args, 20000, &st, out, sizeof(out), err, sizeof(err))) {
		it_fail(sc, "--container does-not-exist exits 2", "kwhy did not exit within 20 s "
			"(killed); stderr: %.300s", err);
		return;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		it_pass(sc, "--container does-not-exist exits 2");
	else
		it_fail(sc, "--container does-not-exist exits 2", "kwhy %s; stderr: %.300s",
			it_status_text(st), err);
	if (err[0] && err[strspn(err, " \t\n")])
		it_pass(sc, "a message on stderr");
	else
		it_fail(sc, "a message on stderr", "stderr is empty; stdout: %.300s", out);
	if (!strstr(out, "\"type\":\"ready\""))
		it_pass(sc, "no ready record");
	else
		it_fail(sc, "no ready record", "stdout: %.300s", out);
}

/* n listen/close cycles on 127.0.0.1 port 0, as fast as it can (bounded),
 * to overflow a tiny ring; reports how many it made (count) */
static int child_listen_burst(const void *p, int wr, int ctl)
{
	int n = *(const int *)p, done = 0;

	(void)ctl;
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", 0);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0)
			break;
		if (!bind(s, (struct sockaddr *)&ss, len) && !listen(s, 1))
			done++;
		close(s);
	}
	{
		struct it_report r = { .stage = IT_ST_OK, .count = done };

		if (write(wr, &r, sizeof(r)) != (ssize_t)sizeof(r))
			return 1;
	}
	return 0;
}

/* Events lost (a 4 KiB ring under a burst of listeners): the listener on
 * P closes in the middle of it; its close is likely lost.  kwhy re-reads
 * the listeners from the kernel and never explains a refusal on P with a
 * ghost of P. */
static void scen_lost_events(const char *sc)
{
	const char *const args[] = { "watch", "--json", "--no-aggregate", "--ring-kb", "4,4",
				     NULL };
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .mode = IT_L_WAIT_CTL };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	int burst = 3000, port = 0;
	struct it_child *l, *b1, *b2, *cli;
	struct it_report r;
	uint64_t since;
	char dest[64];

	if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
		return;
	it_losses_expected = true;
	la.port = host_port(false);
	if (!(l = listener(sc, "listen on P", &la, 0, NULL, &port))) {
		it_kwhy_stop(sc, since);
		it_losses_expected = false;
		return;
	}
	endpoint(dest, sizeof(dest), "127.0.0.1", port);
	b1 = it_spawn(child_listen_burst, &burst, 0, NULL);
	b2 = it_spawn(child_listen_burst, &burst, 0, NULL);
	it_child_release(l);		/* P closes amid the burst */
	it_child_wait(l, IT_CHILD_MS);
	if (b1 && it_child_report(b1, &r, IT_CHILD_MS))
		it_child_wait(b1, IT_CHILD_MS);
	if (b2 && it_child_report(b2, &r, IT_CHILD_MS))
		it_child_wait(b2, IT_CHILD_MS);
	it_drain(500);
	ca.port = port;
	if ((cli = client(sc, &ca, 0, NULL, &r)) != NULL) {
		/* the refusal calls for the listeners to be re-read first */
		const struct it_cond rs[] = {
			K_STR("type", "resync"),
			C_STR("phase", "end"),
			C_RANGE("lost", 1, INT64_MAX),
		};

		it_expect(sc, "events were lost, and the listeners re-read (resync)", since,
			  IT_EXPECT_MS, rs, IT_ARRAY_SIZE(rs));
	}
	if (cli) {
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_BOOL("facts.resynced", true),
		};
		const struct it_cond ghost_port[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "wrong_port"),
		};

		it_expect(sc, "the refusal on P is explained from the re-read listeners", since,
			  IT_EXPECT_MS, ex,
			  IT_ARRAY_SIZE(ex));
		it_expect_none(sc, "never by a ghost of P's own listener", since, ghost_port,
			       IT_ARRAY_SIZE(ghost_port));
	}
	it_kwhy_stop(sc, since);
	it_losses_expected = false;
}

enum runs_in { MAIN_KWHY, OWN_KWHY };

/*
 * With the kernel's aggregation on (the default): a probe is refused
 * before the server starts (no_listener); the server listens, exits 3; a
 * refusal a second later, inside the aggregation window, must be told as
 * the server's death, not folded into the probe's count (the listener
 * change starts a new aggregation key in the kernel).
 */
static void scen_story_changes(const char *sc)
{
	const char *const args[] = { "watch", "--json", "--host-root", g_root, NULL };
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .mode = IT_L_EXIT,
				    .code = 3 };
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	const struct jq_val *first;
	struct it_child *srv, *cli;
	struct it_report r;
	int64_t first_id = -1;
	bool folded = false;
	uint64_t since;
	char dest[64];
	int port;

	if (!g_root[0]) {
		it_fail(sc, "run", "not run: %s", g_fixture_why);
		return;
	}
	if (!it_kwhy_start_ready(sc, g_kwhy, args, &since))
		return;
	la.port = ca.port = host_port(false);
	endpoint(dest, sizeof(dest), "127.0.0.1", ca.port);
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		goto out;
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			C_STR("cause", "no_listener"),
		};

		first = it_expect(sc, "the probe: no_listener", since, IT_EXPECT_MS, ex,
				  IT_ARRAY_SIZE(ex));
		if (first)
			first_id = it_rec_id(first);
	}
	if (!(srv = listener(sc, "the server listens", &la, 0, NULL, &port)))
		goto out;
	if (!it_child_wait(srv, IT_CHILD_MS)) {
		it_child_kill(srv);
		it_fail(sc, "the server exits 3", "the listener (pid %d) did not exit",
			(int)srv->pid);
		goto out;
	}
	it_pass(sc, "the server exits 3");
	sleep_ms(EXITED_DELAY_MS);
	if (!(cli = client(sc, &ca, 0, NULL, &r)))
		goto out;
	{
		const struct it_cond ex[] = {
			K_STR("type", "explanation"),
			K_STR("facts.destination.text", dest),
			K_STR("cause", "listener_exited"),
			C_INT("facts.listeners.0.owner.pid", srv->pid),
			C_STR("facts.how", "owner_exited"),
		};

		it_expect(sc, "the refusal after: listener_exited, within the window", since,
			  IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
out:
	it_drain(SUMMARY_MS);
	it_kwhy_stop(sc, since);
	/* no count of the probe's story took the later refusal */
	for (uint64_t s = since < it_oldest() ? it_oldest() : since; s < it_nrecs; s++) {
		const struct jq_val *v = it_rec(s);
		const char *t = jq_str(v, "type"), *d = jq_str(v, "destination");
		int64_t eid = 0, total = 0;

		if (!t || strcmp(t, "summary") || !d || strcmp(d, dest))
			continue;
		jq_int(v, "explanation_id", &eid);
		jq_int(v, "total", &total);
		if (eid == first_id && total > 1) {
			it_fail(sc, "no summary folds the later refusal into the probe's story",
				"%s", it_rec_text(s));
			folded = true;
		}
	}
	if (!folded)
		it_pass(sc, "no summary folds the later refusal into the probe's story");
}

/* tag: enum runs_in */
static const struct it_scenario g_scenarios[] = {
	{ "containers", scen_containers, MAIN_KWHY },
	{ "wrong_address", scen_wrong_address, MAIN_KWHY },
	{ "wrong_family", scen_wrong_family, MAIN_KWHY },
	{ "listener_exited", scen_listener_exited, MAIN_KWHY },
	{ "bind_failed", scen_bind_failed, MAIN_KWHY },
	{ "wrong_port", scen_wrong_port, MAIN_KWHY },
	{ "wrong_netns", scen_wrong_netns, MAIN_KWHY },
	{ "no_listener", scen_no_listener, MAIN_KWHY },
	{ "remote", scen_remote, MAIN_KWHY },
	{ "snapshot", scen_snapshot, MAIN_KWHY },
	{ "oom_chain", scen_oom_chain, MAIN_KWHY },
	{ "oom_parent_limit", scen_oom_parent, MAIN_KWHY },
	{ "userspace_killer", scen_userspace_killer, MAIN_KWHY },
	{ "storm", scen_storm, OWN_KWHY },
	{ "container_filter", scen_container_filter, OWN_KWHY },
	{ "container_missing", scen_container_missing, OWN_KWHY },
	{ "lost_events", scen_lost_events, OWN_KWHY },
	{ "story_changes", scen_story_changes, OWN_KWHY },
};

int main(int argc, char **argv)
{
	int ret;
	const char *only = NULL;
	bool ready = false, main_needed = false, started = false, runnable;
	uint64_t since = 0;

	ret = it_args(argc, argv, "kwhy-xtest",
		      "  runs PATH watch --json --host-root DIR (fake Docker and Kubernetes metadata)\n"
		      "  and checks its explanations of real refused connects, listener deaths, bind\n"
		      "  conflicts, OOM kills and kills, in and out of fake containers, and a refusal\n"
		      "  by another host (a process behind a TUN device) (root only)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-xtest");
	for (int i = 0; i < IT_ARRAY_SIZE(g_scenarios); i++)
		main_needed |= it_selected(only, &g_scenarios[i]) && g_scenarios[i].tag == MAIN_KWHY;

	runnable = !access(g_kwhy, X_OK);
	if (!runnable) {
		it_fail("kwhy", "start", "%s: %s", g_kwhy, strerror(errno));
	} else {
		fixture("containers");
		if (main_needed) {
			const char *const args[] = { "watch", "--json", "--no-aggregate",
						     "--host-root", g_root, NULL };

			if (!only || !strcmp(only, "snapshot"))
				snapshot_server();
			since = g_since_start = it_nrecs;
			if (!g_root[0])
				it_fail("kwhy", "start", "no --host-root directory: %s",
					g_fixture_why);
			else if (!it_kwhy_start(g_kwhy, args))
				it_fail("kwhy", "start", "cannot start %s: %s", g_kwhy,
					strerror(errno));
			else
				started = true;
			if (started)
				ready = it_kwhy_ready("kwhy", since);
		}
	}
	/* a scenario that cannot run fails; none is skipped */
	for (int i = 0; i < IT_ARRAY_SIZE(g_scenarios); i++) {
		const struct it_scenario *s = &g_scenarios[i];

		if (!it_selected(only, s))
			continue;
		if (s->tag == OWN_KWHY && started) {	/* the main kwhy is done */
			it_cleanup_to("kwhy", g_fixture_mark);
			if (g_snap) {
				it_child_kill(g_snap);
				g_snap = NULL;
			}
			it_kwhy_stop("kwhy", since);
			started = false;
		}
		if (it_stop || !runnable || (s->tag == MAIN_KWHY && !ready)) {
			it_fail(s->name, "run", "not run: %s", it_stop ? "interrupted by a signal" :
				s->tag == MAIN_KWHY ? "kwhy did not become ready" :
				"kwhy cannot be run");
			continue;
		}
		it_diag("scenario %s", s->name);
		{
			struct it_mark m = it_mark_now();

			s->run(s->name);
			it_cleanup_to(s->name, m);
		}
	}
	if (started) {
		if (g_snap)
			it_child_kill(g_snap);
		it_kwhy_stop("kwhy", since);
	}
	it_cleanup("containers");
	it_remove_dir("containers", g_root);
	it_check_lines("kwhy");
	return it_summary();
}
