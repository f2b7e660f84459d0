// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-mtest: integration test of `watch --metrics` and `--otlp-endpoint`
 * with a real Prometheus (Debian's `prometheus` package).  Runs
 *
 *   kwhy watch --json --host-root DIR --metrics 127.0.0.1:M
 *              --otlp-endpoint http://127.0.0.1:P/api/v1/otlp
 *
 * and a Prometheus on 127.0.0.1:P (a configuration and a database of its
 * own in a temporary directory) that scrapes kwhy every second, then makes
 * an incident happen in a fake Docker container "kwm-web" (a cgroup named
 * the way Docker names its own, with metadata under DIR and a network
 * namespace of its own): refused connects to a loopback port inside that
 * namespace, and a memory cgroup OOM kill in it.  Checks, through
 * Prometheus' HTTP query API (/api/v1/query):
 *   - kwhy_refusals_total{cause, container="kwm-web", port} rose to the
 *     number of refused connects, with the cause kwhy's explanation gave;
 *   - kwhy_oom_kills_total{cause="memcg_limit", container="kwm-web"} rose;
 *   - kwhy_otlp_exports_total{signal="metrics", result="failed"} rose: no
 *     Debian package of Prometheus has the OTLP receiver (Debian's builds
 *     leave it out: 2.42 in Debian 12, and 2.53 and 3.5 in Debian 13 and
 *     unstable have neither --enable-feature=otlp-write-receiver nor
 *     --web.enable-otlp-receiver), so the real Prometheus answers kwhy's
 *     pushes 404 and this checks that a failing endpoint is counted and
 *     never stops kwhy;
 * and that `promtool check metrics` accepts kwhy's page.
 *
 *   kwhy-mtest --kwhy PATH [--only NAME] [-v]
 *
 * Must run as root.  Traffic goes only to loopback (here and inside the
 * namespace it makes).  Everything it makes (children, the namespace,
 * cgroups, the temporary directory, Prometheus) is removed or killed by
 * the PIDs it started, also on failure; every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "itest.h"

#define CTR_NAME	"kwm-web"
#define REFUSALS	5	/* refused connects in the container */
#define PROM_READY_MS	60000	/* Prometheus starts and answers */
#define SERIES_MS	40000	/* a series shows what kwhy counted */
#define PROM_STOP_MS	15000
#define QUERY_MS	10000	/* one curl */

static const char *g_kwhy;
static char g_tmp[PATH_MAX];		/* Prometheus' config and database, the metadata */
static char g_root[PATH_MAX];		/* --host-root */
static char g_id[65];			/* the container's id */
static char g_scope[PATH_MAX];		/* its cgroup (v2) */
static char g_memcg[PATH_MAX];		/* where its OOM victim's limit is */
static struct it_memcg g_e;
static struct it_netns g_ns;
static int g_mport, g_pport;
static pid_t g_prom;
static char g_curl[64], g_prometheus[64], g_promtool[64];
static char g_out[256 * 1024], g_err[16 * 1024];

/* ---- the container ---- */

static bool make_cg(const char *sc, const char *dir, bool limit)
{
	char why[PATH_MAX + 256];

	if (it_make_cgroup(limit ? &g_e : NULL, dir, limit, why, sizeof(why)))
		return true;
	it_fail(sc, "setup", "cannot run: %s", why);
	return false;
}

static bool enable_memory(const char *sc, const char *dir)
{
	int err = it_enable_memory(dir);

	if (!err)
		return true;
	it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s", dir,
		strerror(-err));
	return false;
}

/*
 * kwm-<pid>/system.slice/docker-<id>.scope with a namespace holder in it,
 * and Docker's metadata naming it kwm-web.  Hybrid (v1 memory): the
 * container under the cgroup2 mount and its OOM victim's 64 MiB limit in
 * a v1 memory cgroup under the driver's own; pure v2: the container under
 * the driver's own cgroup, the limit on the container.
 */
static bool fixture(const char *sc)
{
	char why[PATH_MAX + 256], base[PATH_MAX], p[PATH_MAX], file[PATH_MAX + 64], text[512];
	char root[PATH_MAX], cg2[PATH_MAX];
	int err;

	if (!it_memcg_find(&g_e, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return false;
	}
	if (g_e.v1) {
		if (!it_find_cgroup_mount(true, root, cg2, sizeof(cg2))) {
			it_fail(sc, "setup", "cannot run: no cgroup2 mount in /proc/self/mountinfo");
			return false;
		}
		it_remove_stale_cgroups(cg2, "kwm-");
		it_remove_stale_cgroups(g_e.own, "kwhy-mtest-");
		it_msgf(base, sizeof(base), "%s/kwm-%d", cg2, (int)it_self);
	} else {
		if (!enable_memory(sc, g_e.own))
			return false;
		it_remove_stale_cgroups(g_e.own, "kwm-");
		it_msgf(base, sizeof(base), "%s/kwm-%d", g_e.own, (int)it_self);
	}
	it_random_hex(g_id, 64);
	it_msgf(p, sizeof(p), "%s/system.slice", base);
	it_msgf(g_scope, sizeof(g_scope), "%s/docker-%s.scope", p, g_id);
	if (!make_cg(sc, base, false) || (!g_e.v1 && !enable_memory(sc, base)) ||
	    !make_cg(sc, p, false) || (!g_e.v1 && !enable_memory(sc, p)) ||
	    !make_cg(sc, g_scope, !g_e.v1))
		return false;
	if (g_e.v1) {
		it_msgf(g_memcg, sizeof(g_memcg), "%s/kwhy-mtest-%d-oom", g_e.own, (int)it_self);
		if (!make_cg(sc, g_memcg, true))
			return false;
	} else {
		snprintf(g_memcg, sizeof(g_memcg), "%s", g_scope);
	}

	it_msgf(g_root, sizeof(g_root), "%s/root", g_tmp);
	it_msgf(file, sizeof(file), "%s/var/lib/docker/containers/%s", g_root, g_id);
	err = it_mkdirs(file);
	if (!err) {
		it_msgf(file, sizeof(file), "%s/var/lib/docker/containers/%s/config.v2.json",
			g_root, g_id);
		it_msgf(text, sizeof(text), "{\"ID\":\"%s\",\"Name\":\"/%s\",\"Config\":"
			"{\"Hostname\":\"%.12s\",\"Image\":\"nginx:1.25\"},\"State\":"
			"{\"Running\":true}}\n", g_id, CTR_NAME, g_id);
		err = it_create_file(file, text);
	}
	if (err) {
		it_fail(sc, "setup", "cannot run: writing %s: %s", file, strerror(-err));
		return false;
	}
	if (!it_netns_new(sc, &g_ns, false, g_scope))
		return false;
	it_msgf(why, sizeof(why), "container %s: cgroup %s, namespace %lu, OOM limit in %s (%s)",
		CTR_NAME, g_scope, g_ns.ino, g_memcg, g_e.v1 ? "cgroup v1" : "cgroup v2");
	it_pass(sc, why);
	return true;
}

/* ---- Prometheus ---- */

static bool prom_start(const char *sc)
{
	char cfg[PATH_MAX + 16], data[PATH_MAX + 16], log[PATH_MAX + 16], text[512];
	char listen[64], cfgarg[PATH_MAX + 32], dataarg[PATH_MAX + 32];
	int err, fd;

	it_msgf(cfg, sizeof(cfg), "%s/prometheus.yml", g_tmp);
	it_msgf(data, sizeof(data), "%s/data", g_tmp);
	it_msgf(log, sizeof(log), "%s/prometheus.log", g_tmp);
	it_msgf(text, sizeof(text), "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
		"scrape_configs:\n  - job_name: kwhy\n    static_configs:\n"
		"      - targets: ['127.0.0.1:%d']\n", g_mport);
	err = it_create_file(cfg, text);
	if (err) {
		it_fail(sc, "start Prometheus", "writing %s: %s", cfg, strerror(-err));
		return false;
	}
	it_msgf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", g_pport);
	it_msgf(cfgarg, sizeof(cfgarg), "--config.file=%s", cfg);
	it_msgf(dataarg, sizeof(dataarg), "--storage.tsdb.path=%s", data);
	fflush(stdout);
	fflush(stderr);
	g_prom = fork();
	if (g_prom < 0) {
		it_fail(sc, "start Prometheus", "fork: %s", strerror(errno));
		return false;
	}
	if (!g_prom) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execl(g_prometheus, g_prometheus, cfgarg, dataarg, listen,
		      "--storage.tsdb.retention.time=1h", "--log.level=warn", (char *)NULL);
		_exit(127);
	}
	it_diag("%s: prometheus pid %d on 127.0.0.1:%d, scraping 127.0.0.1:%d, log %s", sc,
		(int)g_prom, g_pport, g_mport, log);
	return true;
}

static void prom_stop(const char *sc)
{
	int64_t end;
	int st;

	if (g_prom <= 0)
		return;
	kill(g_prom, SIGTERM);		/* our own child, by its pid */
	end = it_now_ms() + PROM_STOP_MS;
	while (it_now_ms() < end) {
		if (waitpid(g_prom, &st, WNOHANG) == g_prom) {
			g_prom = 0;
			return;
		}
		usleep(50000);
	}
	kill(g_prom, SIGKILL);
	waitpid(g_prom, &st, 0);
	it_fail(sc, "Prometheus stops", "pid %d ignored SIGTERM for %d s", (int)g_prom,
		PROM_STOP_MS / 1000);
	g_prom = 0;
}

/* GET url with curl: the body in g_out; false when curl failed */
static bool http_get(const char *url, const char *query)
{
	const char *const with_q[] = { "-s", "-f", "-m", "5", "-G", "--data-urlencode", query,
				       url, NULL };
	const char *const plain[] = { "-s", "-f", "-m", "5", url, NULL };
	int st;

	return it_run_capture(g_curl, query ? with_q : plain, QUERY_MS, &st, g_out,
			      sizeof(g_out), g_err, sizeof(g_err)) &&
	       WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * Ask Prometheus `promql` until a series satisfies ok() or ms pass (kwhy
 * is read meanwhile).  The last result's first series is kept in *got
 * (jq_free it).  True when one did.
 */
typedef bool (*series_ok)(const struct jq_val *series, const void *arg);

static bool prom_wait(const char *promql, int ms, series_ok ok, const void *arg,
		      struct jq_val **got)
{
	char url[128], q[1024], perr[128];
	int64_t end = it_now_ms() + ms;

	it_msgf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/query", g_pport);
	it_msgf(q, sizeof(q), "query=%s", promql);
	*got = NULL;
	for (int i = 0; i < 1000 && it_now_ms() < end && !it_stop; i++) {
		struct jq_val *v;
		const struct jq_val *res;

		if (http_get(url, q) && (v = jq_parse(g_out, perr, sizeof(perr)))) {
			res = jq_get(v, "data.result");
			for (size_t k = 0; res && k < jq_len(res, ""); k++) {
				const struct jq_val *s = res->items[k];

				if (ok(s, arg)) {
					jq_free(*got);
					*got = v;
					return true;
				}
			}
			jq_free(*got);
			*got = v;
		}
		it_drain(500);
	}
	return false;
}

/* the series' value, -1 when it has none */
static double series_value(const struct jq_val *s)
{
	const char *v = jq_str(s, "value.1");

	return v ? strtod(v, NULL) : -1;
}

struct want {
	const char *labels[8];		/* name, value, ...; NULL ends */
	double min;
};

static bool want_ok(const struct jq_val *s, const void *arg)
{
	const struct want *w = arg;

	for (int i = 0; i < 8 && w->labels[i]; i += 2) {
		char path[64];
		const char *v;

		snprintf(path, sizeof(path), "metric.%s", w->labels[i]);
		v = jq_str(s, path);
		if (!v || strcmp(v, w->labels[i + 1]))
			return false;
	}
	return series_value(s) >= w->min;
}

/* One check: promql has a series with w's labels and a value >= w->min. */
static void expect_series(const char *sc, const char *what, const char *promql,
			  const struct want *w)
{
	struct jq_val *got;
	char msg[512];

	if (prom_wait(promql, SERIES_MS, want_ok, w, &got)) {
		const struct jq_val *s = NULL;

		for (size_t k = 0; k < jq_len(got, "data.result"); k++)
			if (want_ok(jq_get(got, "data.result")->items[k], w))
				s = jq_get(got, "data.result")->items[k];
		it_msgf(msg, sizeof(msg), "%s: %s = %g", what, promql, series_value(s));
		it_pass(sc, msg);
	} else {
		it_fail(sc, what, "after %d s, Prometheus answers %s with %.600s", SERIES_MS / 1000,
			promql, got ? g_out : "nothing (see the curl errors)");
	}
	jq_free(got);
}

/* ---- scenarios ---- */

static bool any_series(const struct jq_val *s, const void *arg)
{
	(void)arg;
	return series_value(s) == 1;
}

/* Prometheus is up and scrapes kwhy */
static bool scen_scraped(const char *sc)
{
	struct jq_val *got;
	bool ok = prom_wait("up{job=\"kwhy\"}", PROM_READY_MS, any_series, NULL, &got);

	if (ok)
		it_pass(sc, "Prometheus scrapes kwhy: up{job=\"kwhy\"} = 1");
	else
		it_fail(sc, "Prometheus scrapes kwhy", "up{job=\"kwhy\"} is not 1 after %d s: %.400s",
			PROM_READY_MS / 1000, got ? g_out : "no answer");
	jq_free(got);
	return ok;
}

static void scen_refusals(const char *sc)
{
	struct it_conn_arg ca = { .family = AF_INET, .ip = "127.0.0.1" };
	uint64_t since = it_nrecs;
	const struct jq_val *ex;
	char cause[64], port[16], total[16], promql[256];
	int ok = 0;

	/* any port: nothing listens in the new namespace */
	ca.port = 20000 + (it_self % 20000);
	for (int i = 0; i < REFUSALS; i++) {
		struct it_child *c = it_spawn(it_child_connect, &ca, g_ns.holder->pid, g_scope);
		struct it_report r;

		if (!c) {
			it_fail(sc, "refused connects", "fork: %s", strerror(errno));
			return;
		}
		if (it_child_report(c, &r, IT_CHILD_MS) && r.stage == IT_ST_OK &&
		    r.err == ECONNREFUSED)
			ok++;
		it_child_wait(c, IT_CHILD_MS);
	}
	if (ok != REFUSALS) {
		it_fail(sc, "refused connects", "%d of %d connects were refused", ok, REFUSALS);
		return;
	}
	it_msgf(port, sizeof(port), "%d", ca.port);
	{
		const struct it_cond c[] = {
			K_STR("type", "explanation"),
			K_INT("facts.destination.port", ca.port),
			C_STR("container.name", CTR_NAME),
		};

		ex = it_expect(sc, "kwhy explains the refusal in " CTR_NAME, since, IT_EXPECT_MS, c,
			       IT_ARRAY_SIZE(c));
	}
	/* a copy: the record goes when kwhy's output ring wraps */
	if (!ex || !jq_str(ex, "cause"))
		return;
	snprintf(cause, sizeof(cause), "%s", jq_str(ex, "cause"));
	it_msgf(total, sizeof(total), "%d", REFUSALS);
	it_msgf(promql, sizeof(promql), "kwhy_refusals_total{container=\"%s\",port=\"%s\"}",
		CTR_NAME, port);
	{
		/* every refused connect: the explanation, then its repeats'
		 * summary (every 5 s) */
		struct want w = { { "cause", cause, "container", CTR_NAME, "port", port, NULL },
				  REFUSALS };

		expect_series(sc, "the refusal series rose to every refused connect", promql, &w);
	}
}

static void scen_oom(const char *sc)
{
	struct it_child *v = it_spawn(it_child_oom, g_memcg, 0, g_scope);
	uint64_t since = it_nrecs;

	if (!v) {
		it_fail(sc, "OOM victim", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_wait(v, IT_OOM_CHILD_MS)) {
		it_child_kill(v);
		it_fail(sc, "OOM-killed", "the victim (pid %d) was alive after %d s", (int)v->pid,
			IT_OOM_CHILD_MS / 1000);
		return;
	}
	if (!WIFSIGNALED(v->status) || WTERMSIG(v->status) != SIGKILL) {
		it_fail(sc, "OOM-killed", "the victim %s", it_status_text(v->status));
		return;
	}
	it_pass(sc, "OOM-killed");
	{
		const struct it_cond c[] = {
			K_STR("type", "explanation"),
			K_INT("facts.victim.pid", v->pid),
			C_STR("cause", "memcg_limit"),
			C_STR("container.name", CTR_NAME),
		};

		it_expect(sc, "kwhy explains the OOM kill in " CTR_NAME, since, IT_EXPECT_MS, c,
			  IT_ARRAY_SIZE(c));
	}
	{
		struct want w = { { "cause", "memcg_limit", "container", CTR_NAME, NULL }, 1 };

		expect_series(sc, "the OOM series rose",
			      "kwhy_oom_kills_total{container=\"" CTR_NAME "\"}", &w);
	}
}

static void scen_promtool(const char *sc)
{
	char url[128], file[PATH_MAX + 16], cmd[PATH_MAX * 2];
	int st, err;

	it_msgf(url, sizeof(url), "http://127.0.0.1:%d/metrics", g_mport);
	it_msgf(file, sizeof(file), "%s/metrics.txt", g_tmp);
	if (!http_get(url, NULL)) {
		it_fail(sc, "GET /metrics", "curl %s failed: %.300s", url, g_err);
		return;
	}
	if (!strstr(g_out, "# TYPE kwhy_refusals_total counter\n")) {
		it_fail(sc, "GET /metrics", "no kwhy_refusals_total family in %.300s", g_out);
		return;
	}
	/* what the incident left on the page (-v) */
	for (const char *l = g_out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (!strncmp(line, "kwhy_", 5) && strstr(line, CTR_NAME))
			it_diag("%s: %s", sc, line);
	}
	err = it_create_file(file, g_out);
	if (err) {
		it_fail(sc, "promtool check metrics", "writing %s: %s", file, strerror(-err));
		return;
	}
	it_msgf(cmd, sizeof(cmd), "%s check metrics < '%s'", g_promtool, file);
	if (!it_run_capture("/bin/sh", (const char *const[]){ "-c", cmd, NULL }, QUERY_MS, &st,
			    g_out, sizeof(g_out), g_err, sizeof(g_err))) {
		it_fail(sc, "promtool check metrics", "did not run");
		return;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !g_out[0] && !g_err[0])
		it_pass(sc, "promtool check metrics: no problem");
	else
		it_fail(sc, "promtool check metrics", "%s: %.400s%.400s", it_status_text(st), g_out,
			g_err);
}

/* a connection to the metrics port, 127.0.0.1; -1 on failure */
static int metrics_conn(void)
{
	struct sockaddr_storage ss;
	socklen_t len = it_mkaddr(&ss, AF_INET, "127.0.0.1", g_mport);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s >= 0 && connect(s, (void *)&ss, len)) {
		close(s);
		s = -1;
	}
	return s;
}

/* Idle connections do not keep a scraper out, a request too big is
 * refused, and kwhy answers while they hang. */
static void scen_http_bounds(const char *sc)
{
	int idle[20], big, n = 0, st;
	char url[128], req[6000], ans[64] = "";
	ssize_t got = -1;

	for (int i = 0; i < IT_ARRAY_SIZE(idle); i++)
		if ((idle[i] = metrics_conn()) >= 0)
			n++;
	big = metrics_conn();
	memset(req, 'a', sizeof(req));
	memcpy(req, "GET /metrics HTTP/1.1\r\nX-Big: ", 31);
	if (big >= 0 && send(big, req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req)) {
		struct pollfd p = { .fd = big, .events = POLLIN };

		if (poll(&p, 1, QUERY_MS) == 1)
			got = recv(big, ans, sizeof(ans) - 1, 0);
	}
	if (got > 0 && !strncmp(ans, "HTTP/1.1 431", 12))
		it_pass(sc, "a request head over 4 KiB is answered 431");
	else
		it_fail(sc, "a request head over 4 KiB is answered 431", "got \"%.40s\"", ans);
	it_msgf(url, sizeof(url), "http://127.0.0.1:%d/metrics", g_mport);
	if (n == IT_ARRAY_SIZE(idle) && http_get(url, NULL) && strstr(g_out, "kwhy_info"))
		it_pass(sc, "/metrics answers while 20 idle connections are open");
	else
		it_fail(sc, "/metrics answers while 20 idle connections are open",
			"%d connections made; curl: %.200s", n, g_err);
	for (int i = 0; i < IT_ARRAY_SIZE(idle); i++)
		if (idle[i] >= 0)
			close(idle[i]);
	if (big >= 0)
		close(big);
	(void)st;
}

static void scen_otlp_failure(const char *sc)
{
	struct want w = { { "signal", "metrics", "result", "failed", NULL }, 1 };

	/* kwhy pushes every 5 s; Debian's Prometheus answers 404 */
	expect_series(sc, "a failing OTLP endpoint is counted, kwhy goes on",
		      "kwhy_otlp_exports_total{signal=\"metrics\",result=\"failed\"}", &w);
}

static const struct it_scenario g_scenarios[] = {
	{ "refusals", scen_refusals },
	{ "oom", scen_oom },
	{ "promtool", scen_promtool },
	{ "http_bounds", scen_http_bounds },
	{ "otlp_failure", scen_otlp_failure },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	char metrics[64], endpoint[96];
	uint64_t since = 0;
	bool ready = false;
	int ret;

	ret = it_args(argc, argv, "kwhy-mtest",
		      "  runs PATH watch --metrics and a real Prometheus that scrapes it, makes refused\n"
		      "  connects and an OOM kill happen in a fake container, and checks the series\n"
		      "  through Prometheus' query API (root only)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &g_kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-mtest");
	if (!it_find_prog("curl", g_curl, sizeof(g_curl)) ||
	    !it_find_prog("prometheus", g_prometheus, sizeof(g_prometheus)) ||
	    !it_find_prog("promtool", g_promtool, sizeof(g_promtool))) {
		it_fail("setup", "tools", "cannot run: curl, prometheus and promtool are needed "
			"(Debian packages curl and prometheus: tests/deps.sh --test)");
		return it_summary();
	}
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/kwhy-mtest-XXXXXX");
	if (!mkdtemp(g_tmp)) {
		it_fail("setup", "temporary directory", "mkdtemp: %s", strerror(errno));
		return it_summary();
	}
	g_mport = it_free_port(AF_INET, "127.0.0.1");
	g_pport = it_free_port(AF_INET, "127.0.0.1");
	if (fixture("setup") && prom_start("setup")) {
		const char *const args[] = { "watch", "--json", "--host-root", g_root, "--metrics",
					     metrics, "--otlp-endpoint", endpoint, NULL };

		snprintf(metrics, sizeof(metrics), "127.0.0.1:%d", g_mport);
		snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d/api/v1/otlp", g_pport);
		ready = it_kwhy_start_ready("kwhy", g_kwhy, args, &since) && scen_scraped("scrape");
	}
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, ready,
			 "kwhy or Prometheus did not start");
	if (it_kwhy_pid)
		it_kwhy_stop("kwhy", since);
	prom_stop("cleanup");
	it_cleanup("cleanup");
	it_remove_dir("cleanup", g_tmp);
	it_check_lines("kwhy");
	return it_summary();
}
