// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy export`: see export.h.  jsonl is replay's own output
 * (kw_replay_into).  otlp and perfetto run the same pipeline as replay and
 * give its sinks other writers: every record is built in one fixed buffer
 * through the JSON writer and written at once; a record that does not fit
 * is dropped (and counted), never cut.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "host/container.h"
#include "core/explain.h"
#include "core/exit_status.h"
#include "cmd/export.h"
#include "output/explanation.h"
#include "output/format.h"
#include "util/json.h"
#include "core/names.h"
#include "core/pipeline.h"
#include "cmd/replay.h"
#include "trace/trace.h"

#define REC_MAX (32 * 1024)	/* one log record or trace event */
#define TRACK_SLOTS (2 * KW_EXPORT_TRACKS)
#define PRE_LANES 16		/* per track: listeners opened before the trace */
#define LANE_ENDS 64		/* per track: lanes whose last end is kept */
#define LANE_TID 5000000	/* listener lanes: above any pid (PID_MAX_LIMIT) */
#define PRE_TID 6000000
#define PID_HOST 1

#define SEV_DEBUG 5
#define SEV_INFO 9
#define SEV_WARN 13
#define SEV_ERROR 17

#define ECONNREFUSED_ 111
#define SIGKILL_ 9

enum track_kind { TK_HOST, TK_CONTAINER, TK_SERVICE, TK_UNKNOWN, TK_OTHER };

/* a perfetto process: the host, a container, a service */
struct track {
	bool used;
	uint8_t kind;
	uint32_t pid;
	char key[72];			/* container id, "host", "" unknown */
	uint32_t lanes_named;		/* thread_name written for lanes below this */
	uint32_t pre_named;
	/* where the last span of a lane ended: a span starting before it (the
	 * CPUs' events are ordered only roughly) starts there instead; lanes
	 * past LANE_ENDS (that many listeners open at once) are not checked */
	uint64_t lane_end[LANE_ENDS];
	uint64_t pre_end[PRE_LANES];	/* 0: never used */
};

struct open_listener {
	struct kw_ev_listen ev;		/* its listen event */
	uint64_t id;
	struct track *track;
	uint32_t lane;
};

struct exporter {
	const struct kw_opts *o;
	FILE *out;
	bool otlp;
	struct kw_target target;	/* --container/--pid, from the trace */
	struct kw_trace_info info;
	struct kw_fmt_ctx fmt;
	uint64_t first_ns, last_ns;	/* event times seen */
	uint64_t dropped;		/* records too big for rec */
	struct kw_counters counters;
	bool have_counters;
	char rec[REC_MAX];
	char meta[2048];
	/* otlp */
	char otlp_head[8192];		/* a line up to its first log record */
	uint32_t otlp_n;		/* records on the current line */
	/* perfetto */
	uint64_t pf_n;			/* trace events written */
	struct track tracks[TRACK_SLOTS];
	uint32_t nr_tracks, next_pid;
	struct track other;		/* the tracks are full: everything else */
	struct open_listener open[KW_EXPORT_LISTENERS];
	uint32_t nr_open;
	uint64_t evicted;
	bool lane_busy[KW_EXPORT_LISTENERS + 1];
	const struct kw_event *cur;	/* an event whose instant waits for the
					 * explanation it triggers */
	uint64_t cur_id;
	bool cur_has_ex;
	struct kw_explanation cur_ex;
	struct kw_pipeline pipeline;	/* last: the big one */
};

/* ---- shared ---- */

static void out(struct exporter *x, const char *p, size_t n)
{
	fwrite(p, 1, n, x->out);	/* errors: ferror() at the end */
}

static void out_str(struct exporter *x, const char *s)
{
	out(x, s, strlen(s));
}

static uint64_t wall_ns(const struct exporter *x, uint64_t boot_ns)
{
	int64_t w = (int64_t)boot_ns + x->info.boot_to_wall_ns;

	return w > 0 ? (uint64_t)w : 0;
}

static void note_time(struct exporter *x, const struct kw_event *ev)
{
	uint64_t ts = ev->hdr.ts_boot_ns;

	if (!ts || ev->hdr.type == KW_EV_REPEAT)	/* repeats: drain time */
		return;
	if (!x->first_ns || ts < x->first_ns)
		x->first_ns = ts;
	if (ts > x->last_ns)
		x->last_ns = ts;
}

/* the process an event is about */
static const struct kw_task *subject(const struct kw_event *ev)
{
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:
		return &ev->oom.victim;
	case KW_EV_SIGNAL:
		return &ev->signal.target;
	case KW_EV_REPEAT:
	case KW_EV_CGROUP:
	case KW_EV_MEMCG_PROCS:
		return NULL;
	default:
		return (ev->hdr.flags & KW_F_TASK) ? &ev->hdr.task : NULL;
	}
}

/* what the trace's cgroup records say of a cgroup, as the explainer sees it */
static void place_of(const struct exporter *x, uint64_t id, bool v1, struct kw_place *p)
{
	kw_place_from_cgroup(&x->pipeline.model, p, id, v1);
}

static void place_of_netns(const struct exporter *x, uint32_t netns, struct kw_place *p)
{
	kw_place_from_netns(&x->pipeline.model, p, netns);
}

/* the subject's cgroup, else the event's, else a process seen in its netns */
static void event_place(const struct exporter *x, const struct kw_event *ev,
			const struct kw_task *t, struct kw_place *p)
{
	uint64_t id = t ? t->cgroup_id : 0;

	if (!id && (ev->hdr.flags & KW_F_CGROUP))
		id = ev->hdr.cgroup_id;
	place_of(x, id, false, p);
	if (!p->known && (ev->hdr.flags & KW_F_NETNS) &&
	    kw_model_netns_cgroup(&x->pipeline.model, ev->hdr.netns_ino))
		place_of_netns(x, ev->hdr.netns_ino, p);
}

static bool is_refusal(uint8_t cause)
{
	return cause >= KW_CAUSE_WRONG_ADDRESS && cause <= KW_CAUSE_REMOTE;
}

static bool is_death(uint8_t cause)
{
	return cause == KW_CAUSE_MEMCG_LIMIT || cause == KW_CAUSE_GLOBAL_OOM ||
	       cause == KW_CAUSE_USERSPACE_KILLER;
}

static void errno_str(char *s, size_t n, int err)
{
	const char *name = kw_errno_name(err);

	if (name)
		snprintf(s, n, "%s", name);
	else
		snprintf(s, n, "errno %d", err);
}

/* A text line of kwhy's without its leading time, runs of spaces as one. */
static void strip_line(char *dst, size_t n, const char *src)
{
	const char *s = strchr(src, ' ');
	size_t k = 0;

	s = s ? s + 1 : src;
	for (; *s && k + 1 < n; s++) {
		if (*s == ' ' && k && dst[k - 1] == ' ')
			continue;
		dst[k++] = *s == '\n' ? ' ' : *s;
	}
	dst[k] = '\0';
}

/* ---- otlp ---- */

static void a_begin(struct kw_json *j, const char *key)
{
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "key", key);
	kw_json_obj_begin(j, "value");
}

static void a_end(struct kw_json *j)
{
	kw_json_obj_end(j);
	kw_json_obj_end(j);
}

static void a_str(struct kw_json *j, const char *key, const char *val)
{
	if (!val || !val[0])
		return;
	a_begin(j, key);
	kw_json_str(j, "stringValue", val);
	a_end(j);
}

/* a fixed-size field of an event, maybe without its NUL */
static void a_strn(struct kw_json *j, const char *key, const char *val, size_t n)
{
	if (!n || !val[0])
		return;
	a_begin(j, key);
	kw_json_strn(j, "stringValue", val, strnlen(val, n));
	a_end(j);
}

/* proto3 JSON: 64-bit integers are strings */
static void a_int(struct kw_json *j, const char *key, int64_t val)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, val);
	a_begin(j, key);
	kw_json_str(j, "intValue", s);
	a_end(j);
}

static void a_bool(struct kw_json *j, const char *key, bool val)
{
	a_begin(j, key);
	kw_json_bool(j, "boolValue", val);
	a_end(j);
}

static void a_addr(struct kw_json *j, const char *addr_key, const char *port_key,
		   const struct kw_addr *a)
{
	char ip[64];
	struct kw_buf b = KW_BUF_INIT(ip);

	if (!a->family)
		return;
	kw_fmt_ip(&b, a);
	a_str(j, addr_key, ip);
	if (port_key)
		a_int(j, port_key, a->port);
}

static void a_net(struct kw_json *j, const char *transport, const struct kw_addr *a)
{
	a_str(j, "network.transport", transport);
	a_str(j, "network.type", kw_family_name(a->family));
}

static void a_task(struct kw_json *j, const struct kw_task *t)
{
	a_int(j, "process.pid", t->tgid);
	a_strn(j, "process.executable.name", t->comm, sizeof(t->comm));
	a_int(j, "process.user.id", t->uid);
}

/* another process named by a record: kwhy.<role>.pid / .name */
static void a_other(struct kw_json *j, const char *role, const struct kw_task *t)
{
	char k[48];

	snprintf(k, sizeof(k), "kwhy.%s.pid", role);
	a_int(j, k, t->tgid);
	snprintf(k, sizeof(k), "kwhy.%s.name", role);
	a_strn(j, k, t->comm, sizeof(t->comm));
}

static void a_place(struct kw_json *j, const struct kw_place *p)
{
	if (!p->known) {
		if (p->cgroup_id)
			a_int(j, "kwhy.cgroup_id", (int64_t)p->cgroup_id);
		return;
	}
	switch (p->runtime) {
	case KW_RT_HOST:
		a_str(j, "kwhy.place", "host");
		break;
	case KW_RT_SYSTEMD:
		a_str(j, "kwhy.place", "service");
		a_strn(j, "kwhy.systemd.unit", p->id, sizeof(p->id));
		break;
	default:
		a_str(j, "kwhy.place", "container");
		a_strn(j, "container.id", p->id, sizeof(p->id));
		a_strn(j, "container.name", p->name, sizeof(p->name));
		a_str(j, "container.runtime", kw_runtime_name(p->runtime));
		a_strn(j, "k8s.pod.name", p->pod, sizeof(p->pod));
		a_strn(j, "k8s.namespace.name", p->k8s_namespace, sizeof(p->k8s_namespace));
		break;
	}
	a_strn(j, "kwhy.cgroup.path", p->path, sizeof(p->path));
	a_int(j, "kwhy.cgroup_id", (int64_t)p->cgroup_id);
}

static void a_errno(struct kw_json *j, int err)
{
	char s[32];

	if (!err)
		return;
	errno_str(s, sizeof(s), err);
	a_str(j, "error.type", s);
}

static const char *sev_text(int sev)
{
	return sev >= SEV_ERROR ? "ERROR" : sev >= SEV_WARN ? "WARN" : sev >= SEV_INFO ? "INFO" :
	       "DEBUG";
}

static void otlp_head(struct exporter *x)
{
	struct kw_buf b = KW_BUF_INIT(x->otlp_head);
	struct kw_json j;

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_arr_begin(&j, "resourceLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "resource");
	kw_json_arr_begin(&j, "attributes");
	a_str(&j, "host.name", x->info.host);
	a_str(&j, "os.type", "linux");
	a_str(&j, "service.name", "kwhy");
	a_str(&j, "service.version", x->info.kwhy_version);
	a_str(&j, "kwhy.kernel", x->info.kernel);
	a_str(&j, "kwhy.boot_id", x->info.boot_id);
	a_str(&j, "kwhy.trace.started", x->info.started);
	a_int(&j, "kwhy.trace.part", x->info.part);
	a_str(&j, "kwhy.target", x->info.target);
	kw_json_arr_end(&j);
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, "scopeLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "scope");
	kw_json_str(&j, "name", "kwhy");
	kw_json_str(&j, "version", KWHY_VERSION);
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, "logRecords");
	if (b.truncated)	/* not with these sizes; never half a line */
		x->otlp_head[0] = '\0';
}

static void otlp_end_line(struct exporter *x)
{
	if (!x->otlp_n)
		return;
	out_str(x, "]}]}]}\n");
	x->otlp_n = 0;
}

static void otlp_begin(struct exporter *x, struct kw_json *j, struct kw_buf *b, uint64_t ts_ns,
		       int sev, const char *body)
{
	char t[24];

	snprintf(t, sizeof(t), "%" PRIu64, wall_ns(x, ts_ns));
	kw_json_init(j, b);
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "timeUnixNano", t);
	kw_json_str(j, "observedTimeUnixNano", t);
	kw_json_u64(j, "severityNumber", sev);
	kw_json_str(j, "severityText", sev_text(sev));
	kw_json_obj_begin(j, "body");
	kw_json_str(j, "stringValue", body);
	kw_json_obj_end(j);
	kw_json_arr_begin(j, "attributes");
}

static void otlp_end(struct exporter *x, struct kw_json *j, struct kw_buf *b)
{
	kw_json_arr_end(j);
	kw_json_obj_end(j);
	if (b->truncated || !x->otlp_head[0]) {
		x->dropped++;
		return;
	}
	out_str(x, x->otlp_n ? "," : x->otlp_head);
	out(x, b->p, b->len);
	if (++x->otlp_n == KW_OTLP_BATCH)
		otlp_end_line(x);
}

static int event_severity(const struct kw_event *ev)
{
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:
		return SEV_ERROR;
	case KW_EV_PROC_EXIT:
		return ev->exit.exit_code ? SEV_WARN : SEV_INFO;
	case KW_EV_SIGNAL:
		return ev->signal.sig == SIGKILL_ ? SEV_WARN : SEV_INFO;
	case KW_EV_LISTEN:
		return SEV_INFO;
	case KW_EV_LISTEN_CLOSE:
		return ev->listen.how == KW_CLOSE_KILLED ? SEV_WARN : SEV_INFO;
	case KW_EV_BIND:
		return ev->bind.ret ? SEV_WARN : SEV_INFO;
	case KW_EV_REPEAT:
		return SEV_DEBUG;
	default:			/* connect failures, resets, socket errors */
		return SEV_WARN;
	}
}

static void otlp_conn(struct kw_json *j, const struct kw_ev_conn *c, const struct kw_fmt_ctx *ctx)
{
	a_addr(j, "network.local.address", "network.local.port", &c->local);
	a_addr(j, "network.peer.address", "network.peer.port", &c->remote);
	a_net(j, "tcp", c->remote.family ? &c->remote : &c->local);
	if (c->state)
		a_str(j, "kwhy.tcp_state", kw_tcp_state_name(c->state));
	switch (c->hdr.type) {
	case KW_EV_CONNECT_FAIL:
		a_addr(j, "server.address", "server.port", &c->remote);
		a_errno(j, c->error);
		a_bool(j, "kwhy.reset_received", c->reset_received);
		break;
	case KW_EV_RESET_SENT:
		if (!c->state) {	/* nothing listens where the client dialled */
			a_addr(j, "server.address", "server.port", &c->local);
			a_addr(j, "client.address", "client.port", &c->remote);
		}
		a_bool(j, "kwhy.no_socket", !c->state);
		a_str(j, "kwhy.reset_reason", kw_fmt_reset_reason(c, ctx));
		break;
	case KW_EV_SOCK_ERROR:
		a_errno(j, c->error);
		break;
	default:
		break;
	}
}

static void otlp_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct exporter *x = ctx;
	const struct kw_task *t = subject(ev);
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char line[2048], body[2048];
	struct kw_buf lb = KW_BUF_INIT(line);
	struct kw_place pl;
	struct kw_exit_status st;
	struct kw_json j;
	const char *sig;

	note_time(x, ev);
	if (ev->hdr.type == KW_EV_CGROUP || ev->hdr.type == KW_EV_MEMCG_PROCS)
		return;		/* context for the others, on their records */
	kw_format_text(&lb, ev, &x->fmt);
	strip_line(body, sizeof(body), line);
	event_place(x, ev, t, &pl);

	otlp_begin(x, &j, &b, ev->hdr.ts_boot_ns, event_severity(ev), body);
	a_str(&j, "kwhy.type", kw_event_name(ev->hdr.type));
	a_int(&j, "kwhy.event_id", (int64_t)id);
	if (ev->hdr.flags & KW_F_NETNS)
		a_int(&j, "kwhy.netns", ev->hdr.netns_ino);
	if (ev->hdr.flags & KW_F_SNAPSHOT)
		a_bool(&j, "kwhy.snapshot", true);
	if (t)
		a_task(&j, t);
	a_place(&j, &pl);
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL: {
		const struct kw_ev_oom *o = &ev->oom;

		a_str(&j, "kwhy.oom.constraint",
		      o->limit_level == KW_OOM_GLOBAL ? "global" : "memcg");
		if (o->limit_level < o->nr_levels && o->limit_level < KW_OOM_MAX_LEVELS) {
			const struct kw_oom_level *lv = &o->levels[o->limit_level];

			a_int(&j, "kwhy.oom.cgroup_id", (int64_t)lv->cgroup_id);
			a_int(&j, "kwhy.oom.usage_bytes", (int64_t)lv->usage_bytes);
			if (lv->limit_bytes != ~0ULL)
				a_int(&j, "kwhy.oom.limit_bytes", (int64_t)lv->limit_bytes);
		}
		a_int(&j, "kwhy.oom.rss_kb",
		      (int64_t)(o->anon_rss_kb + o->file_rss_kb + o->shmem_rss_kb));
		if (o->hdr.flags & KW_F_TASK)
			a_other(&j, "invoker", &o->hdr.task);
		break;
	}
	case KW_EV_PROC_EXIT:
		st = kw_exit_status(ev->exit.exit_code);
		sig = kw_signal_name(st.sig);
		if (st.signaled)
			a_str(&j, "kwhy.signal", sig ?: "unknown");
		else
			a_int(&j, "process.exit.code", st.code);
		if (ev->exit.why & KW_EXIT_LISTENER)
			a_int(&j, "kwhy.listeners_open", ev->exit.nr_listeners);
		break;
	case KW_EV_SIGNAL:
		sig = kw_signal_name(ev->signal.sig);
		a_str(&j, "kwhy.signal", sig ?: "unknown");
		if (ev->hdr.flags & KW_F_TASK)
			a_other(&j, "sender", &ev->hdr.task);
		a_bool(&j, "kwhy.from_kernel", ev->signal.from_kernel);
		break;
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE:
		a_addr(&j, "server.address", "server.port", &ev->listen.local);
		a_addr(&j, "network.local.address", "network.local.port", &ev->listen.local);
		a_net(&j, "tcp", &ev->listen.local);
		a_int(&j, "kwhy.backlog", ev->listen.backlog);
		if (ev->hdr.type == KW_EV_LISTEN_CLOSE) {
			a_str(&j, "kwhy.close_how", kw_close_how_name(ev->listen.how));
			if (ev->listen.closer.tgid)
				a_other(&j, "closer", &ev->listen.closer);
		}
		break;
	case KW_EV_CONNECT_FAIL:
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:
		otlp_conn(&j, &ev->conn, &x->fmt);
		break;
	case KW_EV_BIND:
		a_addr(&j, "network.local.address", "network.local.port", &ev->bind.addr);
		a_net(&j, ev->bind.protocol == 17 || ev->bind.sock_type == 2 ? "udp" : "tcp",
		      &ev->bind.addr);
		a_bool(&j, "kwhy.bind_ok", ev->bind.ret == 0);
		a_errno(&j, ev->bind.ret < 0 ? -ev->bind.ret : 0);
		break;
	case KW_EV_REPEAT:
		a_str(&j, "kwhy.repeat_of", kw_event_name(ev->repeat.key.type));
		a_addr(&j, "server.address", "server.port", &ev->repeat.key.dest);
		a_int(&j, "kwhy.count", (int64_t)ev->repeat.count);
		if (ev->repeat.key.netns_ino)
			a_int(&j, "kwhy.netns", ev->repeat.key.netns_ino);
		break;
	default:
		break;
	}
	otlp_end(x, &j, &b);
}

static void otlp_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct exporter *x = ctx;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	int sev = ex->cause == KW_CAUSE_MEMCG_LIMIT || ex->cause == KW_CAUSE_GLOBAL_OOM ?
		  SEV_ERROR : SEV_WARN;
	struct kw_json j;

	otlp_begin(x, &j, &b, ex->ts_ns, sev, ex->text);
	a_str(&j, "kwhy.type", "explanation");
	a_int(&j, "kwhy.explanation_id", (int64_t)ex->id);
	a_str(&j, "kwhy.cause", kw_cause_name(ex->cause));
	a_str(&j, "kwhy.fix", ex->fix);
	a_int(&j, "kwhy.count", (int64_t)ex->count);
	a_begin(&j, "kwhy.event_ids");
	kw_json_obj_begin(&j, "arrayValue");
	kw_json_arr_begin(&j, "values");
	for (uint32_t i = 0; i < ex->nr_events && i < KW_EX_EVENTS; i++) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRIu64, ex->events[i]);
		kw_json_obj_begin(&j, NULL);
		kw_json_str(&j, "intValue", s);
		kw_json_obj_end(&j);
	}
	kw_json_arr_end(&j);
	kw_json_obj_end(&j);
	a_end(&j);
	a_place(&j, &ex->place);
	if (is_death(ex->cause)) {
		a_task(&j, &ex->victim);
		if (ex->cause == KW_CAUSE_USERSPACE_KILLER) {
			a_other(&j, "killer", &ex->kill.sender);
		} else if (ex->cause == KW_CAUSE_MEMCG_LIMIT &&
			   ex->oom.limit_level < KW_OOM_MAX_LEVELS) {
			const struct kw_oom_level *lv = &ex->oom.levels[ex->oom.limit_level];

			a_strn(&j, "kwhy.oom.cgroup.path", ex->limit_place.path,
			       sizeof(ex->limit_place.path));
			a_int(&j, "kwhy.oom.usage_bytes", (int64_t)lv->usage_bytes);
			if (lv->limit_bytes != ~0ULL)
				a_int(&j, "kwhy.oom.limit_bytes", (int64_t)lv->limit_bytes);
		}
	} else if (ex->cause == KW_CAUSE_RESET_SENT || ex->cause == KW_CAUSE_PEER_RESET) {
		a_int(&j, "kwhy.netns", ex->netns);
		a_addr(&j, "network.local.address", "network.local.port", &ex->client);
		a_addr(&j, "network.peer.address", "network.peer.port", &ex->dest);
		a_net(&j, "tcp", &ex->dest);
		a_str(&j, "kwhy.reset_reason", ex->reason_name);
		if (ex->client_known)
			a_task(&j, &ex->client_task);
	} else {
		a_int(&j, "kwhy.netns", ex->netns);
		a_addr(&j, "server.address", "server.port", &ex->dest);
		a_addr(&j, "client.address", "client.port", &ex->client);
		a_addr(&j, "network.peer.address", "network.peer.port", &ex->client);
		a_net(&j, "tcp", &ex->dest);
		a_str(&j, "error.type", "ECONNREFUSED");
		if (ex->client_known)
			a_other(&j, "client", &ex->client_task);
	}
	otlp_end(x, &j, &b);
}

static void otlp_summary(void *ctx, const struct kw_summary *s)
{
	struct exporter *x = ctx;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char line[1024], body[1024];
	struct kw_buf lb = KW_BUF_INIT(line);
	struct kw_place pl;
	struct kw_json j;

	kw_format_summary(&lb, false, s, &x->fmt);
	strip_line(body, sizeof(body), line);
	place_of_netns(x, s->netns, &pl);
	otlp_begin(x, &j, &b, s->ts_ns, SEV_WARN, body);
	a_str(&j, "kwhy.type", "summary");
	a_int(&j, "kwhy.explanation_id", (int64_t)s->explanation_id);
	a_str(&j, "kwhy.cause", kw_cause_name(s->cause));
	a_int(&j, "kwhy.count", (int64_t)s->count);
	a_int(&j, "kwhy.total", (int64_t)s->total);
	a_bool(&j, "kwhy.final", s->final);
	a_int(&j, "kwhy.netns", s->netns);
	a_place(&j, &pl);
	if (is_refusal(s->cause))
		a_addr(&j, "server.address", "server.port", &s->dest);
	else
		a_addr(&j, "network.peer.address", "network.peer.port", &s->dest);
	a_net(&j, "tcp", &s->dest);
	otlp_end(x, &j, &b);
}

/* ---- perfetto ---- */

static uint64_t wall_us(const struct exporter *x, uint64_t boot_ns)
{
	return wall_ns(x, boot_ns) / 1000;
}

static void pf_put(struct exporter *x, struct kw_buf *b)
{
	if (b->truncated) {
		x->dropped++;
		return;
	}
	out_str(x, x->pf_n++ ? ",\n" : "\n");
	out(x, b->p, b->len);
}

/* "ph" and "ts" first: some importers find ts by scanning the keys before
 * it, and do not take escapes there */
static void pf_head(struct exporter *x, struct kw_json *j, struct kw_buf *b, const char *ph,
		    uint64_t ts_ns, uint32_t pid, uint32_t tid, const char *name, const char *cat)
{
	kw_json_init(j, b);
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "ph", ph);
	kw_json_u64(j, "ts", wall_us(x, ts_ns));
	kw_json_u64(j, "pid", pid);
	kw_json_u64(j, "tid", tid);
	kw_json_str(j, "name", name);
	kw_json_str(j, "cat", cat);
}

/* metadata: a name or a sort index for a process (tid 0) or a thread */
static void pf_meta(struct exporter *x, const char *what, uint32_t pid, uint32_t tid,
		    const char *name, int64_t sort_index)
{
	struct kw_buf b = KW_BUF_INIT(x->meta);
	struct kw_json j;

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "ph", "M");
	kw_json_u64(&j, "pid", pid);
	kw_json_u64(&j, "tid", tid);
	kw_json_str(&j, "name", what);
	kw_json_obj_begin(&j, "args");
	if (name)
		kw_json_str(&j, "name", name);
	else
		kw_json_i64(&j, "sort_index", sort_index);
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
	pf_put(x, &b);
}

static void track_name(char *s, size_t n, uint8_t kind, const struct kw_place *p)
{
	switch (kind) {
	case TK_HOST:
		snprintf(s, n, "host");
		break;
	case TK_UNKNOWN:
		snprintf(s, n, "unknown container or host");
		break;
	case TK_OTHER:
		snprintf(s, n, "other containers (more than %d)", KW_EXPORT_TRACKS);
		break;
	case TK_SERVICE:
		snprintf(s, n, "service %.*s", (int)sizeof(p->name), p->name);
		break;
	default:
		if (p->pod[0])
			snprintf(s, n, "container %.*s (pod %.*s/%.*s)", (int)sizeof(p->name),
				 p->name, (int)sizeof(p->k8s_namespace), p->k8s_namespace,
				 (int)sizeof(p->pod), p->pod);
		else
			snprintf(s, n, "container %.*s", (int)sizeof(p->name), p->name);
		break;
	}
}

static void track_start(struct exporter *x, struct track *t, uint8_t kind, const char *key,
			const struct kw_place *p)
{
	char name[400];

	memset(t, 0, sizeof(*t));
	t->used = true;
	t->kind = kind;
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->pid = kind == TK_HOST ? PID_HOST : x->next_pid++;
	track_name(name, sizeof(name), kind, p);
	pf_meta(x, "process_name", t->pid, 0, name, 0);
	pf_meta(x, "process_sort_index", t->pid, 0, NULL, t->pid);
}

/* the process track of a place, made on first use */
static struct track *track_of(struct exporter *x, const struct kw_place *p)
{
	uint8_t kind = !p->known ? TK_UNKNOWN : p->runtime == KW_RT_HOST ? TK_HOST :
		       p->runtime == KW_RT_SYSTEMD ? TK_SERVICE : TK_CONTAINER;
	char key[72];
	uint32_t h = 2166136261u ^ kind;

	snprintf(key, sizeof(key), "%.*s", (int)sizeof(p->id),
		 kind == TK_HOST ? "host" : kind == TK_UNKNOWN ? "" : p->id);
	for (const char *s = key; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	for (uint32_t i = 0; i < TRACK_SLOTS; i++) {
		struct track *t = &x->tracks[(h + i) % TRACK_SLOTS];

		if (t->used && t->kind == kind && !strcmp(t->key, key))
			return t;
		if (t->used)
			continue;
		if (x->nr_tracks == KW_EXPORT_TRACKS)
			break;
		x->nr_tracks++;
		track_start(x, t, kind, key, p);
		return t;
	}
	if (!x->other.used)
		track_start(x, &x->other, TK_OTHER, "", p);
	return &x->other;
}

static void pf_name_task(struct kw_buf *b, const struct kw_task *t)
{
	kw_buf_printf(b, "%.*s %u", (int)strnlen(t->comm, sizeof(t->comm)), t->comm, t->tgid);
}

/* A listener's life as a complete event.  open_ev or close may be NULL. */
static void pf_span(struct exporter *x, const struct kw_ev_listen *open_ev, uint64_t open_id,
		    const struct kw_event *close, uint64_t close_id, uint64_t start_ns,
		    uint64_t end_ns, bool clipped, uint32_t pid, uint32_t tid, const char *end)
{
	const struct kw_ev_listen *l = open_ev ? open_ev : &close->listen;
	const struct kw_hdr *owner = open_ev && (open_ev->hdr.flags & KW_F_TASK) ? &open_ev->hdr :
				     close && (close->hdr.flags & KW_F_TASK) ? &close->hdr : NULL;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char name[160];
	struct kw_buf nb = KW_BUF_INIT(name);
	uint64_t s_us = wall_us(x, start_ns), e_us = wall_us(x, end_ns);
	struct kw_event ev;
	struct kw_json j;

	kw_buf_puts(&nb, "listen ");
	kw_fmt_endpoint(&nb, &l->local);
	if (owner) {
		kw_buf_puts(&nb, " (");
		pf_name_task(&nb, &owner->task);
		kw_buf_puts(&nb, ")");
	}
	pf_head(x, &j, &b, "X", start_ns, pid, tid, name, "listener");
	kw_json_u64(&j, "dur", e_us > s_us ? e_us - s_us : 0);
	kw_buf_puts(&b, ",\"args\":{\"end\":");
	kw_json_init(&j, &b);
	kw_json_str(&j, NULL, end);
	if (clipped)	/* the lane was taken until later than it began */
		kw_buf_puts(&b, ",\"start_clipped\":true");
	kw_buf_puts(&b, ",\"listen\":");
	if (open_ev) {
		memset(&ev, 0, sizeof(ev.listen));
		ev.listen = *open_ev;
		kw_format_json_id(&b, &ev, open_id, &x->fmt);
	} else {
		kw_buf_puts(&b, "null");
	}
	kw_buf_puts(&b, ",\"close\":");
	if (close)
		kw_format_json_id(&b, close, close_id, &x->fmt);
	else
		kw_buf_puts(&b, "null");
	kw_buf_puts(&b, "}}");
	pf_put(x, &b);
}

static struct open_listener *find_open(struct exporter *x, uint32_t netns,
				       const struct kw_addr *a)
{
	for (uint32_t i = 0; i < x->nr_open; i++) {
		struct open_listener *l = &x->open[i];

		if (l->ev.hdr.netns_ino == netns && l->ev.local.port == a->port &&
		    l->ev.local.family == a->family && !memcmp(l->ev.local.addr, a->addr, 16))
			return l;
	}
	return NULL;
}

static void end_open(struct exporter *x, struct open_listener *l, const struct kw_event *close,
		     uint64_t close_id, uint64_t end_ns, const char *end)
{
	uint64_t start = l->ev.hdr.ts_boot_ns;
	bool clipped = false;

	if (l->lane < LANE_ENDS) {
		if (l->track->lane_end[l->lane] > start) {
			start = l->track->lane_end[l->lane];
			clipped = true;
		}
		if (end_ns < start)
			end_ns = start;
		l->track->lane_end[l->lane] = end_ns;
	}
	pf_span(x, &l->ev, l->id, close, close_id, start, end_ns, clipped, l->track->pid,
		LANE_TID + l->lane, end);
	*l = x->open[--x->nr_open];
}

/* the lowest lane of the track no open listener is in: spans in a lane
 * never overlap */
static uint32_t lane_alloc(struct exporter *x, struct track *t)
{
	uint32_t lane = 0;

	memset(x->lane_busy, 0, sizeof(x->lane_busy));
	for (uint32_t i = 0; i < x->nr_open; i++)
		if (x->open[i].track == t && x->open[i].lane <= KW_EXPORT_LISTENERS)
			x->lane_busy[x->open[i].lane] = true;
	while (lane < KW_EXPORT_LISTENERS && x->lane_busy[lane])
		lane++;
	for (; t->lanes_named <= lane; t->lanes_named++) {
		char name[48];

		if (t->lanes_named)
			snprintf(name, sizeof(name), "listeners (%u)", t->lanes_named + 1);
		else
			snprintf(name, sizeof(name), "listeners");
		pf_meta(x, "thread_name", t->pid, LANE_TID + t->lanes_named, name, 0);
		pf_meta(x, "thread_sort_index", t->pid, LANE_TID + t->lanes_named, NULL,
			t->lanes_named);
	}
	return lane;
}

static void pf_listen(struct exporter *x, const struct kw_event *ev, uint64_t id)
{
	const struct kw_ev_listen *e = &ev->listen;
	struct open_listener *l = find_open(x, e->hdr.netns_ino, &e->local);
	struct kw_place pl;
	struct track *t;

	if (l)			/* listening again: the old one ends here */
		end_open(x, l, NULL, 0, e->hdr.ts_boot_ns, "listened again");
	if (x->nr_open == KW_EXPORT_LISTENERS) {	/* the oldest goes */
		l = &x->open[0];
		for (uint32_t i = 1; i < x->nr_open; i++)
			if (x->open[i].ev.hdr.ts_boot_ns < l->ev.hdr.ts_boot_ns)
				l = &x->open[i];
		end_open(x, l, NULL, 0, e->hdr.ts_boot_ns, "no longer followed (too many open)");
		x->evicted++;
	}
	event_place(x, ev, subject(ev), &pl);
	t = track_of(x, &pl);
	l = &x->open[x->nr_open];
	l->ev = *e;
	l->id = id;
	l->track = t;
	l->lane = lane_alloc(x, t);
	x->nr_open++;
}

static void pf_listen_close(struct exporter *x, const struct kw_event *ev, uint64_t id)
{
	const struct kw_ev_listen *e = &ev->listen;
	struct open_listener *l = find_open(x, e->hdr.netns_ino, &e->local);
	uint64_t ts = e->hdr.ts_boot_ns, start;
	struct kw_place pl;
	struct track *t;
	bool clipped = false;
	uint32_t k = 0;

	if (l) {
		end_open(x, l, ev, id, ts, "closed");
		return;
	}
	/* listening since before the trace: from when the kernel says, on a
	 * lane of its own */
	start = e->since_boot_ns && e->since_boot_ns <= ts ? e->since_boot_ns :
		x->first_ns && x->first_ns <= ts ? x->first_ns : ts;
	event_place(x, ev, subject(ev), &pl);
	t = track_of(x, &pl);
	for (uint32_t i = 0; i < PRE_LANES; i++) {
		if (t->pre_end[i] <= start) {
			k = i;
			break;
		}
		if (t->pre_end[i] < t->pre_end[k])
			k = i;
	}
	if (t->pre_end[k] > start) {	/* all taken: a shorter span, said so */
		start = t->pre_end[k] < ts ? t->pre_end[k] : ts;
		clipped = true;
	}
	if (ts > t->pre_end[k])
		t->pre_end[k] = ts;
	for (; t->pre_named <= k; t->pre_named++) {
		char name[64];

		snprintf(name, sizeof(name), "listeners from before the trace (%u)",
			 t->pre_named + 1);
		pf_meta(x, "thread_name", t->pid, PRE_TID + t->pre_named, name, 0);
		pf_meta(x, "thread_sort_index", t->pid, PRE_TID + t->pre_named, NULL,
			KW_EXPORT_LISTENERS + t->pre_named);
	}
	pf_span(x, NULL, 0, ev, id, start, ts, clipped, t->pid, PRE_TID + k, "closed");
}

static bool pf_wants_instant(const struct kw_event *ev)
{
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:
	case KW_EV_PROC_EXIT:
	case KW_EV_SIGNAL:
	case KW_EV_SOCK_ERROR:
		return true;
	case KW_EV_BIND:
		return ev->bind.ret != 0;
	case KW_EV_CONNECT_FAIL:	/* refusals come as explanations */
		return ev->conn.error != ECONNREFUSED_;
	default:
		return false;
	}
}

static void pf_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct exporter *x = ctx;

	note_time(x, ev);
	if (ev == x->cur)
		x->cur_id = id;
	if (ev->hdr.type == KW_EV_LISTEN)
		pf_listen(x, ev, id);
	else if (ev->hdr.type == KW_EV_LISTEN_CLOSE)
		pf_listen_close(x, ev, id);
}

static void pf_oom_counter(struct exporter *x, const struct kw_ev_oom *o)
{
	const struct kw_oom_level *lv;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char name[300];
	struct kw_place pl;
	struct track *t;
	struct kw_json j;

	if (o->limit_level >= o->nr_levels || o->limit_level >= KW_OOM_MAX_LEVELS)
		return;		/* a host-wide OOM: no limit was reached */
	lv = &o->levels[o->limit_level];
	place_of(x, lv->cgroup_id, o->memcg_v1, &pl);
	if (!pl.known)
		place_of(x, o->victim.cgroup_id, false, &pl);
	t = track_of(x, &pl);
	place_of(x, lv->cgroup_id, o->memcg_v1, &pl);
	if (pl.path[0])
		snprintf(name, sizeof(name), "memory %.*s", (int)sizeof(pl.path), pl.path);
	else
		snprintf(name, sizeof(name), "memory cgroup %" PRIu64,
			 (uint64_t)lv->cgroup_id);
	pf_head(x, &j, &b, "C", o->hdr.ts_boot_ns, t->pid, 0, name, "memory");
	kw_json_obj_begin(&j, "args");
	kw_json_u64(&j, "usage_bytes", lv->usage_bytes);
	if (lv->limit_bytes != ~0ULL)
		kw_json_u64(&j, "limit_bytes", lv->limit_bytes);
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
	pf_put(x, &b);
}

/* An event as an instant on its process's track, with the explanation it
 * triggered (an OOM kill, a kill by another process) when there is one. */
static void pf_instant(struct exporter *x, const struct kw_event *ev, uint64_t id,
		       const struct kw_explanation *ex)
{
	const struct kw_task *t = subject(ev);
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char name[300], err[32];
	struct kw_buf nb = KW_BUF_INIT(name);
	const char *cat = "event", *sig;
	struct kw_exit_status st;
	struct kw_place pl;
	struct track *tr;
	struct kw_json j;

	event_place(x, ev, t, &pl);
	tr = track_of(x, &pl);
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:
		cat = "oom";
		kw_buf_puts(&nb, "OOM kill ");
		pf_name_task(&nb, t);
		break;
	case KW_EV_PROC_EXIT:
		cat = "exit";
		kw_buf_puts(&nb, "exit ");
		if (t)
			pf_name_task(&nb, t);
		st = kw_exit_status(ev->exit.exit_code);
		sig = kw_signal_name(st.sig);
		if (st.signaled)
			kw_buf_printf(&nb, ": %s", sig ?: "signal");
		else
			kw_buf_printf(&nb, ": code %u", st.code);
		break;
	case KW_EV_SIGNAL:
		cat = "signal";
		sig = kw_signal_name(ev->signal.sig);
		kw_buf_printf(&nb, "%s to ", sig ?: "signal");
		pf_name_task(&nb, t);
		break;
	case KW_EV_BIND:
		cat = "bind";
		errno_str(err, sizeof(err), -ev->bind.ret);
		kw_buf_puts(&nb, "bind ");
		kw_fmt_endpoint(&nb, &ev->bind.addr);
		kw_buf_printf(&nb, " failed: %s", err);
		if (t) {
			kw_buf_puts(&nb, " (");
			pf_name_task(&nb, t);
			kw_buf_puts(&nb, ")");
		}
		break;
	default:		/* connect failures, socket errors */
		cat = "connection";
		errno_str(err, sizeof(err), ev->conn.error);
		kw_buf_puts(&nb, ev->hdr.type == KW_EV_CONNECT_FAIL ? "connect " : "socket error ");
		kw_fmt_endpoint(&nb, &ev->conn.remote);
		kw_buf_printf(&nb, ": %s", err);
		break;
	}
	pf_head(x, &j, &b, "i", ev->hdr.ts_boot_ns, tr->pid, t ? t->tgid : 0, name, cat);
	kw_json_str(&j, "s", "p");
	kw_buf_puts(&b, ",\"args\":{\"event\":");
	kw_format_json_id(&b, ev, id, &x->fmt);
	if (ex) {
		kw_buf_puts(&b, ",\"explanation\":");
		kw_format_explanation(&b, true, ex, &x->fmt);
	}
	kw_buf_puts(&b, "}}");
	pf_put(x, &b);
	if (ev->hdr.type == KW_EV_OOM_KILL)
		pf_oom_counter(x, &ev->oom);
}

static bool cites(const struct kw_explanation *ex, uint64_t id)
{
	for (uint32_t i = 0; i < ex->nr_events && i < KW_EX_EVENTS; i++)
		if (ex->events[i] == id)
			return true;
	return false;
}

static void pf_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct exporter *x = ctx;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char name[200];
	struct kw_buf nb = KW_BUF_INIT(name);
	struct track *t;
	struct kw_json j;

	if (x->cur && !x->cur_has_ex && cites(ex, x->cur_id)) {
		x->cur_ex = *ex;	/* goes out with its event */
		x->cur_has_ex = true;
		return;
	}
	t = track_of(x, &ex->place);
	if (is_refusal(ex->cause) || ex->cause == KW_CAUSE_RESET_SENT ||
	    ex->cause == KW_CAUSE_PEER_RESET) {
		kw_buf_puts(&nb, is_refusal(ex->cause) ? "refused " : "reset ");
		kw_fmt_endpoint(&nb, &ex->dest);
		kw_buf_printf(&nb, " (%s)", kw_cause_name(ex->cause));
	} else {
		kw_buf_puts(&nb, kw_cause_name(ex->cause) ?: "explanation");
	}
	pf_head(x, &j, &b, "i", ex->ts_ns, t->pid, 0, name, "explanation");
	kw_json_str(&j, "s", "p");
	kw_buf_puts(&b, ",\"args\":{\"explanation\":");
	kw_format_explanation(&b, true, ex, &x->fmt);
	kw_buf_puts(&b, "}}");
	pf_put(x, &b);
}

static void pf_summary(void *ctx, const struct kw_summary *s)
{
	struct exporter *x = ctx;
	struct kw_buf b = KW_BUF_INIT(x->rec);
	char name[200];
	struct kw_buf nb = KW_BUF_INIT(name);
	struct kw_place pl;
	struct track *t;
	struct kw_json j;

	place_of_netns(x, s->netns, &pl);
	t = track_of(x, &pl);
	kw_buf_printf(&nb, "x%" PRIu64 " more %s ", s->count, kw_cause_name(s->cause) ?: "");
	kw_fmt_endpoint(&nb, &s->dest);
	pf_head(x, &j, &b, "i", s->ts_ns, t->pid, 0, name, "summary");
	kw_json_str(&j, "s", "p");
	kw_buf_puts(&b, ",\"args\":{\"summary\":");
	kw_format_summary(&b, true, s, &x->fmt);
	kw_buf_puts(&b, "}}");
	pf_put(x, &b);
}

static void pf_begin(struct exporter *x)
{
	out_str(x, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
	x->next_pid = PID_HOST + 1;
}

static void pf_finish(struct exporter *x)
{
	struct kw_buf b = KW_BUF_INIT(x->rec);
	struct kw_json j;
	uint64_t lost = 0;

	while (x->nr_open) {
		struct open_listener *l = &x->open[x->nr_open - 1];
		uint64_t start = l->ev.hdr.ts_boot_ns;

		end_open(x, l, NULL, 0, x->last_ns > start ? x->last_ns : start,
			 "open at the end of the trace");
	}
	for (int t = 0; t < KW_EV_MAX; t++)
		lost += x->counters.lost[t];
	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "exporter", "kwhy " KWHY_VERSION);
	kw_json_str(&j, "trace", x->o->file);
	kw_json_str(&j, "recorded_by", x->info.kwhy_version);
	kw_json_str(&j, "host", x->info.host);
	kw_json_str(&j, "kernel", x->info.kernel);
	kw_json_str(&j, "boot_id", x->info.boot_id);
	kw_json_str(&j, "started", x->info.started);
	kw_json_u64(&j, "part", x->info.part);
	kw_json_str(&j, "target", x->info.target[0] ? x->info.target : NULL);
	kw_json_str(&j, "clock", "ts: wall clock, microseconds since the Unix epoch (UTC)");
	kw_json_u64(&j, "listeners_no_longer_followed", x->evicted);
	kw_json_u64(&j, "records_dropped", x->dropped);
	if (x->have_counters)
		kw_json_u64(&j, "lost_events", lost);
	else
		kw_json_null(&j, "lost_events");
	kw_json_obj_end(&j);
	out_str(x, "\n],\"metadata\":");
	out_str(x, b.truncated ? "{}" : b.p);
	out_str(x, "}\n");
}

/* ---- running ---- */

static void export_frame(void *ctx, const struct kw_frame *fr)
{
	struct exporter *x = ctx;
	const struct kw_event *ev = &fr->ev;

	switch (fr->kind) {
	case KW_FRAME_EVENT:
		if (!kw_target_wants_any(&x->target, x->o->port, ev))
			break;
		x->cur = !x->otlp && pf_wants_instant(ev) ? ev : NULL;
		x->cur_has_ex = false;
		kw_pipeline_event(&x->pipeline, ev);
		if (x->cur)
			pf_instant(x, ev, x->cur_id, x->cur_has_ex ? &x->cur_ex : NULL);
		x->cur = NULL;
		break;
	case KW_FRAME_FLUSH:
		kw_pipeline_flush_at(&x->pipeline, fr->flush_ns);
		break;
	case KW_FRAME_COUNTERS:
		x->counters = fr->counters;
		x->have_counters = true;
		break;
	}
}

static int run(struct exporter *x)
{
	const struct kw_opts *o = x->o;
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;
	int ret;

	ret = kw_trace_header(o->file, &x->info) ?: kw_offline_target(o, &x->target);
	if (ret)
		return ret;
	x->fmt.boot_to_wall_ns = x->info.boot_to_wall_ns;
	x->fmt.rst_reasons = &x->info.rst_reasons;
	x->fmt.drop_reasons = &x->info.drop_reasons;
	x->fmt.utc = true;
	pc.model.recent_ns = o->window_ns;
	pc.rst_reasons = &x->info.rst_reasons;
	pc.drop_reasons = &x->info.drop_reasons;
	if (x->otlp) {
		sinks = (struct kw_sinks){ .event = otlp_event, .explanation = otlp_explanation,
					   .summary = otlp_summary, .ctx = x };
		otlp_head(x);
	} else {
		sinks = (struct kw_sinks){ .event = pf_event, .explanation = pf_explanation,
					   .summary = pf_summary, .ctx = x };
		pf_begin(x);
	}
	kw_pipeline_init(&x->pipeline, &pc, &sinks);
	ret = kw_read_trace(o->file, &x->info, export_frame, x, "exported");
	kw_pipeline_finish(&x->pipeline);
	if (x->otlp)
		otlp_end_line(x);
	else
		pf_finish(x);
	if (x->dropped)
		fprintf(stderr, "kwhy: %" PRIu64 " records too big to export were left out\n",
			x->dropped);
	return ret;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int kw_export(const struct kw_opts *o)
{
	static struct exporter x;
	const char *format = o->format ? o->format : "jsonl";
	bool jsonl = !strcmp(format, "jsonl");
	FILE *f = stdout;
	bool bad;
	int ret;

	if (!jsonl && strcmp(format, "otlp") && strcmp(format, "perfetto")) {
		fprintf(stderr, "kwhy: --format: '%s' is not jsonl, otlp or perfetto\n", format);
		return KW_EXIT_USAGE;
	}
	/* the trace is readable at all, before an output is created for it */
	ret = kw_trace_header(o->file, &x.info);
	if (ret)
		return ret;
	if (o->out && same_file(o->out, o->file)) {
		fprintf(stderr, "kwhy: -o %s is the trace itself\n", o->out);
		return KW_EXIT_USAGE;
	}
	if (o->out && !(f = fopen(o->out, "w"))) {
		fprintf(stderr, "kwhy: cannot create %s: %m\n", o->out);
		return KW_EXIT_RUNTIME;
	}
	if (jsonl) {
		ret = kw_replay_into(o, f, true);
	} else {
		memset(&x, 0, sizeof(x) - sizeof(x.pipeline));
		x.o = o;
		x.out = f;
		x.otlp = !strcmp(format, "otlp");
		ret = run(&x);
	}
	bad = fflush(f) != 0 || ferror(f);
	if (f != stdout && fclose(f))
		bad = true;
	if (bad) {
		fprintf(stderr, "kwhy: writing %s failed\n", o->out ? o->out : "the output");
		ret = KW_EXIT_RUNTIME;
	}
	return ret;
}
