// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* OTLP file-exporter logs: see otlp.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/exit_status.h"
#include "core/names.h"
#include "output/explanation.h"
#include "output/otlp.h"
#include "util/json.h"

#define SEV_DEBUG 5
#define SEV_INFO 9
#define SEV_WARN 13
#define SEV_ERROR 17

#define SIGKILL_ 9

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
	kw_errno_text(s, sizeof(s), err);
	a_str(j, "error.type", s);
}

static const char *sev_text(int sev)
{
	return sev >= SEV_ERROR ? "ERROR" : sev >= SEV_WARN ? "WARN" : sev >= SEV_INFO ? "INFO" :
	       "DEBUG";
}

void kw_otlp_begin(struct kw_otlp *ot)
{
	struct kw_buf b = KW_BUF_INIT(ot->head);
	struct kw_json j;

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_arr_begin(&j, "resourceLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "resource");
	kw_json_arr_begin(&j, "attributes");
	a_str(&j, "host.name", ot->c->info.host);
	a_str(&j, "os.type", "linux");
	a_str(&j, "service.name", "kwhy");
	a_str(&j, "service.version", ot->c->info.kwhy_version);
	a_str(&j, "kwhy.kernel", ot->c->info.kernel);
	a_str(&j, "kwhy.boot_id", ot->c->info.boot_id);
	a_str(&j, "kwhy.trace.started", ot->c->info.started);
	a_int(&j, "kwhy.trace.part", ot->c->info.part);
	a_str(&j, "kwhy.target", ot->c->info.target);
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
		ot->head[0] = '\0';
}

void kw_otlp_finish(struct kw_otlp *ot)
{
	if (!ot->n)
		return;
	kw_exporter_puts(ot->c, "]}]}]}\n");
	ot->n = 0;
}

static void otlp_begin(struct kw_otlp *ot, struct kw_json *j, struct kw_buf *b, uint64_t ts_ns,
		       int sev, const char *body)
{
	char t[24];

	snprintf(t, sizeof(t), "%" PRIu64, kw_exporter_wall_ns(ot->c, ts_ns));
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

static void otlp_end(struct kw_otlp *ot, struct kw_json *j, struct kw_buf *b)
{
	kw_json_arr_end(j);
	kw_json_obj_end(j);
	if (b->truncated || !ot->head[0]) {
		ot->c->dropped++;
		return;
	}
	kw_exporter_puts(ot->c, ot->n ? "," : ot->head);
	kw_exporter_write(ot->c, b->p, b->len);
	if (++ot->n == KW_OTLP_BATCH)
		kw_otlp_finish(ot);
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
	struct kw_otlp *ot = ctx;
	const struct kw_task *t = kw_event_subject(ev);
	struct kw_buf b = KW_BUF_INIT(ot->c->rec);
	char line[2048], body[2048];
	struct kw_buf lb = KW_BUF_INIT(line);
	struct kw_place pl;
	struct kw_exit_status st;
	struct kw_json j;
	const char *sig;

	kw_exporter_note_time(ot->c, ev);
	if (ev->hdr.type == KW_EV_CGROUP || ev->hdr.type == KW_EV_MEMCG_PROCS)
		return;		/* context for the others, on their records */
	kw_format_text(&lb, ev, &ot->c->fmt);
	kw_strip_time(body, sizeof(body), line);
	kw_exporter_event_place(ot->c, ev, t, &pl);

	otlp_begin(ot, &j, &b, ev->hdr.ts_boot_ns, event_severity(ev), body);
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
		otlp_conn(&j, &ev->conn, &ot->c->fmt);
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
	otlp_end(ot, &j, &b);
}

static void otlp_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct kw_otlp *ot = ctx;
	struct kw_buf b = KW_BUF_INIT(ot->c->rec);
	int sev = ex->cause == KW_CAUSE_MEMCG_LIMIT || ex->cause == KW_CAUSE_GLOBAL_OOM ?
		  SEV_ERROR : SEV_WARN;
	struct kw_json j;

	otlp_begin(ot, &j, &b, ex->ts_ns, sev, ex->text);
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
	if (kw_cause_is_death(ex->cause)) {
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
	otlp_end(ot, &j, &b);
}

static void otlp_summary(void *ctx, const struct kw_summary *s)
{
	struct kw_otlp *ot = ctx;
	struct kw_buf b = KW_BUF_INIT(ot->c->rec);
	char line[1024], body[1024];
	struct kw_buf lb = KW_BUF_INIT(line);
	struct kw_place pl;
	struct kw_json j;

	kw_format_summary(&lb, false, s, &ot->c->fmt);
	kw_strip_time(body, sizeof(body), line);
	kw_exporter_netns_place(ot->c, s->netns, &pl);
	otlp_begin(ot, &j, &b, s->ts_ns, SEV_WARN, body);
	a_str(&j, "kwhy.type", "summary");
	a_int(&j, "kwhy.explanation_id", (int64_t)s->explanation_id);
	a_str(&j, "kwhy.cause", kw_cause_name(s->cause));
	a_int(&j, "kwhy.count", (int64_t)s->count);
	a_int(&j, "kwhy.total", (int64_t)s->total);
	a_bool(&j, "kwhy.final", s->final);
	a_int(&j, "kwhy.netns", s->netns);
	a_place(&j, &pl);
	if (kw_cause_is_refusal(s->cause))
		a_addr(&j, "server.address", "server.port", &s->dest);
	else
		a_addr(&j, "network.peer.address", "network.peer.port", &s->dest);
	a_net(&j, "tcp", &s->dest);
	otlp_end(ot, &j, &b);
}

struct kw_sinks kw_otlp_sinks(struct kw_otlp *ot)
{
	return (struct kw_sinks){ .event = otlp_event, .explanation = otlp_explanation,
				  .summary = otlp_summary, .ctx = ot };
}
