// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-ttest: connections that time out, are refused by a packet filter
 * while the service is up, or are reset as they are reused — with real
 * software, each inside a network namespace of its own:
 *
 *   accept_queue     gunicorn with one sync worker and --backlog 2 behind
 *                    nginx (proxy_connect_timeout 2s); slow requests fill the
 *                    accept queue, the kernel drops nginx's SYNs, nginx gives
 *                    up and answers 504.  kwhy must tell accept_queue_full of
 *                    gunicorn's listener (its queue, backlog, ListenOverflows,
 *                    the clients that timed out) and connect_timeout for
 *                    nginx's connects, linked to it.
 *   firewall         nftables in the namespace (never the host's ruleset):
 *                    `reject with tcp reset`, `reject` (ICMP) and `drop` for
 *                    a client on the host side of a veth pair, while a
 *                    listener is up; a client inside the namespace is
 *                    allowed.  firewall_reject (mode tcp-reset, icmp),
 *                    firewall_drop with connect_timeout linked to it, and
 *                    nothing for the allowed client.
 *   keepalive_race   nginx with keepalive_timeout 1s; a client reuses its
 *                    connection 1.5 s after its last response, after nginx
 *                    closed it: reset.  keepalive_race with the timing; the
 *                    server's reset is part of it where the kernel traces
 *                    resets of time-wait sockets (tcp_send_reset with a
 *                    reason), and null on kernels whose tcp_send_reset does
 *                    not (6.1), as the ready record says.
 *   success          200 short connections, the client counting what it saw
 *                    fail: kwhy reports no more than that (no failure
 *                    event and no explanation when it saw none).
 *
 * Needs, found via PATH: gunicorn and nginx (accept_queue, keepalive_race),
 * nft (firewall), ip.  A scenario whose program is missing fails.
 *
 *   kwhy-ttest --kwhy PATH [--only NAME] [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "itest.h"

#define UP_MS		20000	/* a server answers */
#define BACKLOG		2	/* gunicorn's --backlog */
#define CLIENTS		8	/* concurrent requests through nginx */

static const char *g_kwhy;
static char g_dir[PATH_MAX];
static char g_gunicorn[PATH_MAX], g_nginx[PATH_MAX], g_nft[PATH_MAX];
static char g_send_reset_variant[160];	/* tcp_send_reset's, from ready */
static bool g_synack_fallback;		/* ready: the accept queue degraded */
static bool g_icmp_send;		/* ready: icmp:icmp_send attached (not 6.1) */

/* /slow holds the only worker 3 s */
static const char APP_SLOW[] =
	"import time\n"
	"def app(environ, start_response):\n"
	"    time.sleep(3)\n"
	"    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
	"    return [b'ok\\n']\n";

static bool need(const char *sc, const char *prog, const char *path)
{
	if (path[0])
		return true;
	it_fail(sc, "setup", "no %s in PATH: install it (tests/deps.sh --test), or put it in "
		"the VM's root file system", prog);
	return false;
}

/* ---- programs as children ---- */

struct exec_arg {
	const char *const *argv;
	const char *log;	/* stdout and stderr, or NULL: /dev/null */
};

/* In the forked child (already in its namespace): exec argv, its own
 * process group so that the driver can end its tree. */
static int child_exec(const void *p, int wr, int ctl)
{
	const struct exec_arg *a = p;
	int out = a->log ? open(a->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644) :
			   open("/dev/null", O_WRONLY | O_CLOEXEC);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)wr;
	(void)ctl;
	if (null >= 0)
		dup2(null, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	setpgid(0, 0);
	execv(a->argv[0], (char *const *)a->argv);
	_exit(127);
}

static void end_tree(struct it_child *c)
{
	if (c && !c->reaped)
		kill(-c->pid, SIGKILL);
	if (c)
		it_child_kill(c);
}

/* run argv in ns to its end within ms: true when it exited 0 */
static bool run_in(const char *sc, const char *what, struct it_netns *ns, const char *const *argv,
		   int ms)
{
	char log[PATH_MAX + 32], text[1024] = "";
	struct exec_arg a = { .argv = argv, .log = log };
	struct it_child *c;

	it_msgf(log, sizeof(log), "%s/run.log", g_dir);
	if (!(c = it_spawn(child_exec, &a, ns->holder->pid, NULL))) {
		it_fail(sc, what, "fork: %s", strerror(errno));
		return false;
	}
	if (it_child_wait(c, ms) && WIFEXITED(c->status) && !WEXITSTATUS(c->status)) {
		it_pass(sc, what);
		return true;
	}
	it_read_file(log, text, sizeof(text));
	it_fail(sc, what, "%s %s: %s", argv[0], c->reaped ? it_status_text(c->status) :
		"did not finish", text);
	end_tree(c);
	return false;
}

static bool write_file(const char *sc, const char *name, const char *text, char *path,
		       size_t len)
{
	int err;

	it_msgf(path, len, "%s/%s", g_dir, name);
	if ((err = it_create_file(path, text))) {
		it_fail(sc, "setup", "cannot write %s: %s", path, strerror(-err));
		return false;
	}
	return true;
}

/* nginx in the foreground with the http {} body given */
static struct it_child *start_nginx(const char *sc, struct it_netns *ns, int port,
				    const char *http_body)
{
	static char conf[PATH_MAX];
	static const char *argv[6];
	static struct exec_arg a;
	if (!it_nginx_conf(sc, g_dir, port, http_body, conf, sizeof(conf)))
		return NULL;
	argv[0] = g_nginx;
	argv[1] = "-c";
	argv[2] = conf;
	argv[3] = "-g";
	argv[4] = "daemon off;";
	argv[5] = NULL;
	a.argv = argv;
	a.log = NULL;
	return it_spawn(child_exec, &a, ns->holder->pid, NULL);
}

/* ---- clients, run inside the namespace ---- */

struct http_arg {
	int port;
	int n;			/* concurrent requests */
	const char *path;
};

/* n concurrent GETs to 127.0.0.1:port, the second half 0.5 s after the
 * first (whose connections then fill the upstream's accept queue, so the
 * kernel drops the SYNs of the second); reports how many answered 504 */
static int child_http_burst(const void *p, int wr, int ctl)
{
	const struct http_arg *a = p;
	struct pollfd pfd[CLIENTS];
	char req[128], buf[256];
	int n504 = 0, open_ = 0;

	(void)ctl;
	it_msgf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", a->path);
	for (int i = 0; i < a->n && i < CLIENTS; i++) {
		if (i == a->n / 2)
			usleep(500000);
		struct sockaddr_storage ss;
		socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", a->port);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		pfd[i].fd = -1;
		pfd[i].events = POLLIN;
		if (s < 0 || connect(s, (struct sockaddr *)&ss, len) ||
		    write(s, req, strlen(req)) != (ssize_t)strlen(req)) {
			if (s >= 0)
				close(s);
			continue;
		}
		pfd[i].fd = s;
		open_++;
	}
	/* bounded: 30 s for every answer */
	for (int64_t end = it_now_ms() + 30000; open_ && it_now_ms() < end;) {
		if (poll(pfd, a->n, 500) <= 0)
			continue;
		for (int i = 0; i < a->n; i++) {
			ssize_t got;
			int code = 0;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(pfd[i].fd, buf, sizeof(buf) - 1);
			if (got > 0) {
				buf[got] = '\0';
				sscanf(buf, "HTTP/%*s %d", &code);
				n504 += code == 504;
			}
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open_--;
		}
	}
	{
		struct it_report r = { .stage = IT_ST_OK, .count = n504 };

		if (write(wr, &r, sizeof(r)) != (ssize_t)sizeof(r))
			return 1;
	}
	return 0;
}

static int try_connect(const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, ip, port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return errno;
	if (connect(s, (struct sockaddr *)&ss, len))
		err = errno;
	close(s);
	return err;
}

/* poll until a connect to ip:port from ns (or here) succeeds, or ms */
struct wait_arg {
	const char *ip;
	int port;
	int ms;
};

static int child_wait_up(const void *p, int wr, int ctl)
{
	const struct wait_arg *a = p;
	int64_t end = it_now_ms() + a->ms;
	int err = -1;

	(void)ctl;
	while (it_now_ms() < end && (err = try_connect(a->ip, a->port)))
		usleep(100000);
	it_report(wr, IT_ST_OK, err, a->port, 0);
	return 0;
}

static bool wait_up(const char *sc, const char *what, struct it_netns *ns, const char *ip,
		    int port)
{
	struct wait_arg a = { .ip = ip, .port = port, .ms = UP_MS };
	struct it_child *c = it_spawn(child_wait_up, &a, ns ? ns->holder->pid : 0, NULL);
	struct it_report r;

	if (!c || !it_child_report(c, &r, UP_MS + 5000) || r.err) {
		it_fail(sc, what, "no connect to %s:%d within %d s", ip, port, UP_MS / 1000);
		return false;
	}
	it_pass(sc, what);
	it_child_wait(c, IT_CHILD_MS);
	return true;
}

/* ---- scenarios ---- */

static void scen_accept_queue(const char *sc)
{
	struct it_netns ns;
	char backlog[16], bind[64], front_conf[1024], dest[64], chdir_[PATH_MAX];
	const char *gargv[16];
	struct exec_arg ga;
	struct it_child *gun = NULL, *ngx = NULL, *cli;
	struct http_arg ha = { .n = CLIENTS, .path = "/slow" };
	const struct jq_val *aq, *ct;
	uint64_t since = it_nrecs;
	int gport = 18000 + (int)(it_self % 1000), fport = gport + 1000, k = 0;
	/* without inet_diag kwhy reads the queue from /proc/net/tcp, which
	 * has no backlog: the record says null, the explanation takes the
	 * backlog gunicorn's listen() set (traced) */
	int diag = it_sock_diag_answers(AF_INET);
	struct it_report r;
	char path[PATH_MAX];

	if (!need(sc, "gunicorn", g_gunicorn) || !need(sc, "nginx", g_nginx) ||
	    !write_file(sc, "slowapp.py", APP_SLOW, path, sizeof(path)) ||
	    !it_netns_new(sc, &ns, false, NULL))
		return;
	it_msgf(backlog, sizeof(backlog), "%d", BACKLOG);
	it_msgf(bind, sizeof(bind), "127.0.0.1:%d", gport);
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", gport);
	snprintf(chdir_, sizeof(chdir_), "%s", g_dir);
	gargv[k++] = g_gunicorn;
	gargv[k++] = "--chdir";
	gargv[k++] = chdir_;
	gargv[k++] = "-b";
	gargv[k++] = bind;
	gargv[k++] = "-w";
	gargv[k++] = "1";
	gargv[k++] = "--backlog";
	gargv[k++] = backlog;
	gargv[k++] = "--timeout";
	gargv[k++] = "60";
	gargv[k++] = "slowapp:app";
	gargv[k] = NULL;
	it_msgf(path, sizeof(path), "%s/gunicorn.log", g_dir);
	ga.argv = gargv;
	ga.log = path;
	if (!(gun = it_spawn(child_exec, &ga, ns.holder->pid, NULL)) ||
	    !wait_up(sc, "gunicorn answers", &ns, "127.0.0.1", gport))
		goto out;
	it_msgf(front_conf, sizeof(front_conf),
		"  server {\n"
		"    listen 127.0.0.1:%d;\n"
		"    location / { proxy_pass http://127.0.0.1:%d; proxy_connect_timeout 2s;\n"
		"                 proxy_read_timeout 30s; }\n"
		"  }\n", fport, gport);
	if (!(ngx = start_nginx(sc, &ns, fport, front_conf)) ||
	    !wait_up(sc, "nginx answers", &ns, "127.0.0.1", fport))
		goto out;
	ha.port = fport;
	if (!(cli = it_spawn(child_http_burst, &ha, ns.holder->pid, NULL)) ||
	    !it_child_report(cli, &r, 40000)) {
		it_fail(sc, "the burst of slow requests", "the client reported nothing");
		goto out;
	}
	if (r.count >= 1)
		it_pass(sc, "nginx answers 504 (upstream connect timed out)");
	else
		it_fail(sc, "nginx answers 504 (upstream connect timed out)", "no 504 among %d "
			"requests", CLIENTS);
	{
		const struct it_cond cc[] = {
			K_STR("type", "connect_timeout"),
			K_INT("remote.port", gport),
			C_STR("owner.comm", "nginx"),
			C_STR("given_up_by", "program"),
			C_RANGE("syn_retransmits", 1, 10),
			C_RANGE("waited_ms", 1500, 10000),
		};
		const struct it_cond qc[] = {
			K_STR("type", "listen_queue"),
			K_INT("local.port", gport),
			C_BOOL("found", true),
			diag > 0 ? (struct it_cond)C_INT("max_backlog", BACKLOG) :
				   (struct it_cond)C_NULL("max_backlog"),
			C_RANGE("queued", BACKLOG, BACKLOG + 1),
			C_RANGE("listen_overflows", 1, 1000000),
			C_STR("holders.0.comm", "gunicorn"),
		};

		it_expect(sc, "nginx's connects time out: connect_timeout events", since,
			  IT_EXPECT_MS, cc, IT_ARRAY_SIZE(cc));
		it_diag("%s: sock_diag %s TCP dumps here", sc, diag > 0 ? "answers" :
			diag == 0 ? "does not answer" : "could not be asked for");
		it_expect(sc, diag > 0 ? "gunicorn's queue read at the timeout: full, overflows "
			  "counted" : "gunicorn's queue read from /proc/net/tcp at the timeout (no "
			  "sock_diag): its length, no backlog, overflows counted", since,
			  IT_EXPECT_MS, qc, IT_ARRAY_SIZE(qc));
	}
	{
		const struct it_cond ac[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "accept_queue_full"),
			K_STR("facts.destination.text", dest),
			C_INT("facts.netns", (int64_t)ns.ino),
			C_STR("facts.listener.owner.comm", "gunicorn"),
			C_INT("facts.queue.max_backlog", BACKLOG),
			C_RANGE("facts.queue.queued", BACKLOG, BACKLOG + 1),
			C_RANGE("facts.queue.listen_overflows", 1, 1000000),
			C_STR("facts.queue.holders.0.comm", "gunicorn"),
			C_STR("facts.timed_out.0.client.comm", "nginx"),
			C_RANGE("facts.timed_out.0.syn_retransmits", 1, 10),
		};

		aq = it_expect(sc, "accept_queue_full names gunicorn's listener, its queue, "
			       "ListenOverflows and the nginx connects that timed out", since,
			       IT_EXPECT_MS, ac, IT_ARRAY_SIZE(ac));
	}
	{
		const struct it_cond tc[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "connect_timeout"),
			K_STR("facts.destination.text", dest),
			C_STR("facts.client.comm", "nginx"),
			C_STR("facts.server_cause", "accept_queue_full"),
			C_INT("facts.server_explanation", it_rec_id(aq)),
			C_BOOL("facts.listener_here", true),
		};

		ct = it_expect(sc, "connect_timeout of nginx, linked to accept_queue_full", since,
			       IT_EXPECT_MS, tc, IT_ARRAY_SIZE(tc));
		(void)ct;
	}
	/* the kernel's view of the accept queue's own drops: native (6.15+)
	 * or the fallback the ready record says */
	if (g_synack_fallback)
		it_pass(sc, "ready: no TCP_LISTEN_OVERFLOW here, said as a fallback (degraded: "
			"counters and SYN-ACK retransmits)");
	else
		it_pass(sc, "ready: TCP_LISTEN_OVERFLOW drops attached");
out:
	if (gun && !gun->reaped)
		{
			char log[1024] = "";

			if (it_verbose && it_read_file(path, log, sizeof(log)) > 0)
				it_diag("%s: gunicorn's log: %s", sc, log);
		}
	end_tree(ngx);
	end_tree(gun);
}

/* a listener inside ns on 0.0.0.0:port until released */
static struct it_child *listener_in(const char *sc, struct it_netns *ns, int port)
{
	static struct it_listen_arg la[4];
	static int n;
	struct it_listen_arg *a = &la[n++ % 4];
	struct it_child *c;
	struct it_report r;

	a->family = AF_INET;
	a->ip = "0.0.0.0";
	a->port = port;
	a->mode = IT_L_WAIT_CTL;
	c = it_spawn(it_child_listen, a, ns->holder->pid, NULL);
	if (!c || !it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(sc, "setup", "a listener on port %d in the namespace did not start", port);
		return NULL;
	}
	return c;
}

/* one connect from here (the host side of the veth) to ip:port; reports
 * its port and errno (non-blocking: SO_ERROR after 3 s at most) */
static struct it_child *connect_from_host(const char *from, const char *ip, int port,
					   bool nonblock)
{
	static struct it_conn_arg ca[4];
	static int n;
	struct it_conn_arg *a = &ca[n++ % 4];

	a->family = AF_INET;
	a->ip = ip;
	a->port = port;
	a->nonblock = nonblock;
	a->bind_ip = from;	/* its port is known: bound first */
	return it_spawn(it_child_connect, a, 0, NULL);
}

/* A client that gives up like nginx: non-blocking connect from `from`,
 * 2.5 s for an answer, then close.  Reports its port and SO_ERROR (0 and
 * stage IT_ST_POLL when nothing came). */
struct giveup_arg {
	const char *from, *ip;
	int port;
};

static int child_connect_giveup(const void *p, int wr, int ctl)
{
	const struct giveup_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, a->from, 0);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0, port;
	struct pollfd pf = { .events = POLLOUT };
	socklen_t elen = sizeof(err);

	(void)ctl;
	if (s < 0 || bind(s, (struct sockaddr *)&ss, len)) {
		it_report(wr, IT_ST_BIND, errno, -1, 0);
		return 1;
	}
	port = it_sock_port(s);
	len = it_mkaddr(&ss, AF_INET, a->ip, a->port);
	if (!connect(s, (struct sockaddr *)&ss, len) || errno != EINPROGRESS) {
		it_report(wr, IT_ST_OK, errno, port, 0);
		return 1;
	}
	pf.fd = s;
	if (poll(&pf, 1, 2500) <= 0) {
		it_report(wr, IT_ST_POLL, ETIMEDOUT, port, 0);
		close(s);
		return 0;
	}
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen);
	it_report(wr, IT_ST_OK, err, port, 0);
	close(s);
	return 0;
}

static void scen_firewall(const char *sc)
{
	struct it_netns ns;
	struct it_child *lis[3] = {}, *allowed = NULL, *cli;
	int base = 19000 + (int)(it_self % 1000), ports[3] = { base, base + 1, base + 2 };
	char rules[1024], path[PATH_MAX], dest[3][64];
	uint64_t since = it_nrecs;
	int64_t cpid[3] = { -1, -1, -1 }, cport[3] = { -1, -1, -1 };
	struct it_report r;

	if (!need(sc, "nft", g_nft) || !it_netns_new(sc, &ns, true, NULL))
		return;
	/* the rules live in the test's namespace only, and only match the
	 * host side of its veth pair */
	it_msgf(rules, sizeof(rules),
		"table inet kwhy_ttest {\n"
		"  chain input {\n"
		"    type filter hook input priority 0; policy accept;\n"
		"    ip saddr %s tcp dport %d reject with tcp reset\n"
		"    ip saddr %s tcp dport %d reject\n"
		"    ip saddr %s tcp dport %d drop\n"
		"  }\n"
		"}\n", ns.host_ip, ports[0], ns.host_ip, ports[1], ns.host_ip, ports[2]);
	if (!write_file(sc, "rules.nft", rules, path, sizeof(path)))
		return;
	{
		const char *const argv[] = { g_nft, "-f", path, NULL };

		if (!run_in(sc, "nft loads the rules in the test namespace", &ns, argv, IT_CMD_MS))
			return;
	}
	for (int i = 0; i < 3; i++) {
		it_msgf(dest[i], sizeof(dest[i]), "%s:%d", ns.ns_ip, ports[i]);
		if (!(lis[i] = listener_in(sc, &ns, ports[i])))
			goto out;
	}
	/* allowed: a client inside the namespace */
	if (!wait_up(sc, "a client inside the namespace is allowed", &ns, ns.ns_ip, ports[0]))
		goto out;
	allowed = NULL;
	for (int i = 0; i < 3; i++) {
		struct giveup_arg ga = { .from = ns.host_ip, .ip = ns.ns_ip, .port = ports[2] };

		if (!(cli = i < 2 ? connect_from_host(ns.host_ip, ns.ns_ip, ports[i], false) :
			    it_spawn(child_connect_giveup, &ga, 0, NULL)) ||
		    !it_child_report(cli, &r, 15000)) {
			it_fail(sc, "the host-side client", "reported nothing");
			goto out;
		}
		cpid[i] = cli->pid;
		cport[i] = r.port;
		it_child_wait(cli, IT_CHILD_MS);
		if (i < 2 && (r.err == ECONNREFUSED || r.err2 == ECONNREFUSED))
			it_pass(sc, i ? "reject (ICMP): the client is refused" :
				"reject with tcp reset: the client is refused");
		else if (i < 2)
			it_fail(sc, i ? "reject (ICMP): the client is refused" :
				"reject with tcp reset: the client is refused",
				"connect gave %s / %s", strerror(r.err), strerror(r.err2));
		else if (r.stage == IT_ST_POLL && r.err == ETIMEDOUT)
			it_pass(sc, "drop: the client gets no answer");
		else
			it_fail(sc, "drop: the client gets no answer", "connect gave %s / %s",
				strerror(r.err), strerror(r.err2));
	}
	{
		const struct it_cond rc[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "firewall_reject"),
			K_STR("facts.destination.text", dest[0]),
			C_STR("facts.mode", "tcp-reset"),
			C_BOOL("facts.mode_inferred", false),
			C_INT("facts.netns", (int64_t)ns.ino),
			C_INT("facts.client.pid", cpid[0]),
			C_INT("facts.client_addr.port", cport[0]),
			C_INT("facts.listener.owner.pid", lis[0]->pid),
			C_NULL("facts.icmp"),
		};
		/* the ICMP error's type and code where icmp:icmp_send is there;
		 * else (6.1) the mode from the client's side alone, no icmp */
		const struct it_cond ic[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "firewall_reject"),
			K_STR("facts.destination.text", dest[1]),
			C_STR("facts.mode", "icmp"),
			C_INT("facts.client_addr.port", cport[1]),
			C_INT("facts.listener.owner.pid", lis[1]->pid),
			C_INT("facts.icmp.type", 3),
			C_INT("facts.icmp.code", 3),
		};
		const struct it_cond ic_degraded[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "firewall_reject"),
			K_STR("facts.destination.text", dest[1]),
			C_STR("facts.mode", "icmp"),
			C_INT("facts.client_addr.port", cport[1]),
			C_INT("facts.listener.owner.pid", lis[1]->pid),
			C_NULL("facts.icmp"),
		};
		const struct it_cond dc[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "firewall_drop"),
			K_STR("facts.destination.text", dest[2]),
			C_STR("facts.mode", "drop"),
			C_RANGE("facts.syns_filtered", 2, 20),
			C_INT("facts.listener.owner.pid", lis[2]->pid),
		};
		const struct it_cond tc[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "connect_timeout"),
			K_STR("facts.destination.text", dest[2]),
			C_INT("facts.client.pid", cpid[2]),
			C_STR("facts.server_cause", "firewall_drop"),
		};
		const struct jq_val *d;

		it_expect(sc, "firewall_reject, mode tcp-reset, names the client and the listener",
			  since, IT_EXPECT_MS, rc, IT_ARRAY_SIZE(rc));
		if (g_icmp_send)
			it_expect(sc, "firewall_reject, mode icmp (port unreachable), names the "
				  "listener", since, IT_EXPECT_MS, ic, IT_ARRAY_SIZE(ic));
		else
			it_expect(sc, "firewall_reject, mode icmp, names the listener (no "
				  "icmp_send here: no type and code, degraded)", since,
				  IT_EXPECT_MS, ic_degraded, IT_ARRAY_SIZE(ic_degraded));
		d = it_expect(sc, "firewall_drop: the SYNs dropped silently, the listener up", since,
			      IT_EXPECT_MS, dc, IT_ARRAY_SIZE(dc));
		{
			const struct it_cond tl[] = {
				K_STR("type", "explanation"),
				K_STR("cause", "connect_timeout"),
				K_STR("facts.destination.text", dest[2]),
				C_INT("facts.server_explanation", it_rec_id(d)),
			};

			it_expect(sc, "connect_timeout of the dropped client", since, IT_EXPECT_MS,
				  tc, IT_ARRAY_SIZE(tc));
			it_expect(sc, "... linked to firewall_drop", since, IT_EXPECT_MS, tl,
				  IT_ARRAY_SIZE(tl));
		}
	}
	{
		/* the allowed client's connects (from inside) were never refused */
		const struct it_cond nf[] = {
			K_STR("type", "syn_filtered"),
			K_INT("netns", (int64_t)ns.ino),
			C_STR("remote.addr", ns.ns_ip),
		};
		const struct it_cond ne[] = {
			K_STR("type", "explanation"),
			K_STR("facts.client_addr.addr", ns.ns_ip),
		};

		it_expect_none(sc, "no syn_filtered for the allowed client", since, nf,
			       IT_ARRAY_SIZE(nf));
		it_expect_none(sc, "no explanation about the allowed client", since, ne,
			       IT_ARRAY_SIZE(ne));
	}
out:
	for (int i = 0; i < 3; i++)
		if (lis[i])
			it_child_kill(lis[i]);
	(void)allowed;
}

/* In the namespace: GET / with keep-alive, read the answer, wait 1.5 s (the
 * server closes after 1 s idle), write again: reports the port and the
 * errno of the second read (ECONNRESET, or 0 for end of file) */
static int child_keepalive(const void *p, int wr, int ctl)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	const struct http_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", a->port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;
	char buf[512];

	(void)ctl;
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len) ||
	    write(s, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1 ||
	    read(s, buf, sizeof(buf)) <= 0) {
		it_report(wr, IT_ST_SOCKET, errno, -1, 0);
		return 1;
	}
	usleep(1500000);
	/* the request goes out; the server's reset answers it.  The next
	 * read gives the server's FIN, the next write the error */
	if (send(s, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0) {
		err = errno;
	} else {
		usleep(100000);
		if (read(s, buf, sizeof(buf)) < 0)
			err = errno;
		else if (send(s, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			err = errno;
	}
	it_report(wr, IT_ST_OK, err, it_sock_port(s), 0);
	close(s);
	return 0;
}

static void scen_keepalive_race(const char *sc)
{
	struct it_netns ns;
	struct http_arg ha;
	struct it_child *ngx = NULL, *cli;
	char conf[512], dest[64];
	uint64_t since = it_nrecs;
	int port = 20000 + (int)(it_self % 1000);
	bool traced = strstr(g_send_reset_variant, "reason") != NULL;
	struct it_report r;

	if (!need(sc, "nginx", g_nginx) || !it_netns_new(sc, &ns, false, NULL))
		return;
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", port);
	it_msgf(conf, sizeof(conf),
		"  keepalive_timeout 1s;\n"
		"  server {\n"
		"    listen 127.0.0.1:%d;\n"
		"    location / { return 200 \"ok\\n\"; }\n"
		"  }\n", port);
	if (!(ngx = start_nginx(sc, &ns, port, conf)) ||
	    !wait_up(sc, "nginx answers", &ns, "127.0.0.1", port))
		goto out;
	ha.port = port;
	if (!(cli = it_spawn(child_keepalive, &ha, ns.holder->pid, NULL)) ||
	    !it_child_report(cli, &r, 15000) || r.stage != IT_ST_OK) {
		it_fail(sc, "the client reuses its connection", "it reported nothing");
		goto out;
	}
	if (r.err == ECONNRESET || r.err == EPIPE)
		it_pass(sc, "the reused connection is reset");
	else
		it_fail(sc, "the reused connection is reset", "the second read gave %s",
			r.err ? strerror(r.err) : "end of file");
	{
		const struct it_cond ec[] = {
			K_STR("type", "reset_after_close"),
			K_INT("owner.pid", cli->pid),
			C_STR("remote.text", dest),
			C_STR("tcp_state", "CLOSE_WAIT"),
			C_BOOL("wrote_after_fin", true),
		};
		const struct it_cond xc[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "keepalive_race"),
			K_STR("facts.destination.text", dest),
			C_INT("facts.client.pid", cli->pid),
			C_INT("facts.client_addr.port", r.port),
			C_RANGE("facts.closed_before_reset_ms", 200, 1500),
			C_RANGE("facts.wrote_after_close_ms", 200, 1500),
			C_RANGE("facts.reset_after_write_ms", 0, 200),
			C_RANGE("facts.idle_ms", 700, 1500),
		};
		const struct it_cond sc_[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "keepalive_race"),
			K_STR("facts.destination.text", dest),
			{ .path = "facts.server_reset_event", .op = traced ? IT_RANGE : IT_NULL,
			  .lo = 1, .hi = INT64_MAX },
		};
		const struct it_cond nr[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "reset_sent"),
			K_STR("facts.local.text", dest),
		};

		it_expect(sc, "reset_after_close: the client wrote after nginx's FIN", since,
			  IT_EXPECT_MS, ec, IT_ARRAY_SIZE(ec));
		it_expect(sc, "keepalive_race with its timing", since, IT_EXPECT_MS, xc,
			  IT_ARRAY_SIZE(xc));
		it_expect(sc, traced ? "the server's reset is part of the story" :
			  "degraded: this kernel does not trace resets of time-wait sockets, the "
			  "server's reset is null", since, IT_EXPECT_MS, sc_, IT_ARRAY_SIZE(sc_));
		it_expect_none(sc, "no separate reset_sent explanation for it", since, nr,
			       IT_ARRAY_SIZE(nr));
	}
out:
	end_tree(ngx);
}

/* In the namespace: n connects to 127.0.0.1:port, each closed after the
 * server's close (it_orderly_connect), counting what failed */
struct ok_arg {
	int port;
	int n;
};

static int child_success(const void *p, int wr, int ctl)
{
	const struct ok_arg *a = p;
	struct it_seen seen = { 0 };
	int64_t end = it_now_ms() + 25000;

	(void)ctl;
	for (int i = 0; i < a->n && it_now_ms() < end; i++) {
		int lport, err = it_orderly_connect(AF_INET, "127.0.0.1", a->port, 2000, &lport);

		it_seen_note(&seen, err, lport);
	}
	it_report_seen(wr, &seen);
	return 0;
}

/* In the namespace: accept and close on 127.0.0.1:port until ctl closes */
static int child_accepter(const void *p, int wr, int ctl)
{
	const struct ok_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", a->port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct pollfd pf[2];

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&ss, len) || listen(s, 128)) {
		it_report(wr, IT_ST_LISTEN, errno, -1, 0);
		return 1;
	}
	it_report(wr, IT_ST_OK, 0, a->port, 0);
	pf[0].fd = s;
	pf[0].events = POLLIN;
	pf[1].fd = ctl;
	pf[1].events = POLLIN;
	/* bounded: 60 s at most */
	for (int64_t end = it_now_ms() + 60000; it_now_ms() < end;) {
		if (poll(pf, 2, 500) <= 0)
			continue;
		if (pf[1].revents)
			break;
		if (pf[0].revents & POLLIN) {
			int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0)
				close(c);
		}
	}
	close(s);
	return 0;
}

static void scen_success(const char *sc)
{
	struct it_netns ns;
	struct ok_arg a = { .port = 21000 + (int)(it_self % 1000), .n = 200 };
	static const char *const types[] = { "connect_failed", "connect_timeout", "syn_filtered",
					     "reset_after_close", "reset_sent", "reset_received",
					     "accept_queue_overflow" };
	struct it_child *lis, *cli;
	uint64_t since = it_nrecs;
	struct it_report r;
	struct it_seen seen;

	if (!it_netns_new(sc, &ns, false, NULL))
		return;
	lis = it_spawn(child_accepter, &a, ns.holder->pid, NULL);
	if (!lis || !it_child_report(lis, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(sc, "setup", "the server did not start");
		return;
	}
	if (!(cli = it_spawn(child_success, &a, ns.holder->pid, NULL)) ||
	    !it_child_seen(cli, &seen, 30000) || !it_child_wait(cli, 30000)) {
		it_fail(sc, "200 connects made", "the client failed");
		it_child_kill(lis);
		return;
	}
	if (seen.total == a.n)
		it_pass(sc, "200 connects made");
	else
		it_fail(sc, "200 connects made", "only %d in 25 s", seen.total);
	it_drain(1500);
	/*
	 * kwhy reports no more than the client saw: none when it saw none.  On
	 * 6.1 the listener itself once reset a connection in 200 when the
	 * client closed at once (its ACK raced its own FIN to the listening
	 * socket): a real reset the client never saw.  This client waits for
	 * the server's close before its own, and sees any reset it gets.
	 */
	it_expect_no_more_than_seen(sc, since, ns.ino, a.port, &seen, types,
				    IT_ARRAY_SIZE(types));
	it_child_kill(lis);
}

static const struct it_scenario g_scenarios[] = {
	{ "accept_queue", scen_accept_queue },
	{ "firewall", scen_firewall },
	{ "keepalive_race", scen_keepalive_race },
	{ "success", scen_success },
};

/* the ready record, and the variant of tcp_send_reset it attached */
static void note_ready(uint64_t since)
{
	const struct it_cond rd[] = { K_STR("type", "ready") };
	const struct jq_val *ready;
	uint64_t first;
	size_t n;

	if (!it_count(since, rd, 1, &first) || !(ready = it_rec(first)))
		return;
	n = jq_len(ready, "fallbacks");
	for (size_t i = 0; i < n; i++) {
		char path[64];
		const char *tp;

		snprintf(path, sizeof(path), "fallbacks.%zu.tracepoint", i);
		tp = jq_str(ready, path);
		g_synack_fallback |= tp && !strcmp(tp, "tcp:tcp_retransmit_synack");
	}
	n = jq_len(ready, "attached");
	for (size_t i = 0; i < n; i++) {
		char p1[64], p2[64];
		const char *tp, *v;

		snprintf(p1, sizeof(p1), "attached.%zu.tracepoint", i);
		snprintf(p2, sizeof(p2), "attached.%zu.variant", i);
		tp = jq_str(ready, p1);
		v = jq_str(ready, p2);
		if (tp && v && !strcmp(tp, "tcp:tcp_send_reset"))
			snprintf(g_send_reset_variant, sizeof(g_send_reset_variant), "%s", v);
		g_icmp_send |= tp && strstr(tp, "icmp:icmp_send");
	}
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool ready = false;
	uint64_t since;
	int ret;

	ret = it_args(argc, argv, "kwhy-ttest", "  (root; gunicorn, nginx and nft in PATH)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-ttest");
	it_find_prog("gunicorn", g_gunicorn, sizeof(g_gunicorn));
	it_find_prog("nginx", g_nginx, sizeof(g_nginx));
	it_find_prog("nft", g_nft, sizeof(g_nft));
	it_msgf(g_dir, sizeof(g_dir), "/tmp/kwhy-ttest-%d", (int)getpid());
	if (mkdir(g_dir, 0755) && errno != EEXIST) {
		it_fail("setup", "work directory", "mkdir %s: %s", g_dir, strerror(errno));
	} else {
		const char *const args[] = { "watch", "--json", "--no-aggregate", NULL };

		since = it_nrecs;
		if (!it_kwhy_start(g_kwhy, args))
			it_fail("kwhy", "start", "cannot start %s: %s", g_kwhy, strerror(errno));
		else if ((ready = it_kwhy_ready("kwhy", since)))
			note_ready(since);
	}
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, ready,
			 "kwhy or the setup is not ready");
	if (ready)
		it_kwhy_stop("kwhy", since);
	it_cleanup("ttest");
	it_remove_dir("setup", g_dir);
	it_check_lines("kwhy");
	return it_summary();
}
