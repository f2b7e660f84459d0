// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* OTLP file-exporter logs: see otlp.h.  A log record is the back-end's
 * envelope (times, severity, body) around attributes written through the
 * field sink: an event's from its type's row in event_kinds.c, the same
 * function that writes its JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/explanation.h"
#include "output/otlp.h"
#include "output/pieces.h"
#include "util/json.h"
#include "util/version.h"

static const char *sev_text(int sev)
{
	return sev >= KW_SEV_ERROR ? "ERROR" : sev >= KW_SEV_WARN ? "WARN" :
	       sev >= KW_SEV_INFO ? "INFO" : "DEBUG";
}

void kw_otlp_begin(struct kw_otlp *ot)
{
	const struct kw_trace_info *info = &ot->c->info;
	struct kw_buf b = KW_BUF_INIT(ot->head);
	struct kw_json j;
	struct kw_fields f = kw_fields_otlp(&j);

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_arr_begin(&j, "resourceLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "resource");
	kw_json_arr_begin(&j, "attributes");
	kw_f_str(&f, KW_OTLP_ONLY("host.name"), info->host);
	kw_f_str(&f, KW_OTLP_ONLY("os.type"), "linux");
	kw_f_str(&f, KW_OTLP_ONLY("service.name"), "kwhy");
	kw_f_str(&f, KW_OTLP_ONLY("service.version"), info->kwhy_version);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.kernel"), info->kernel);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.boot_id"), info->boot_id);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.trace.started"), info->started);
	kw_f_i64(&f, KW_OTLP_ONLY("kwhy.trace.part"), info->part);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.target"), info->target);
	kw_json_arr_end(&j);
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, "scopeLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "scope");
	kw_json_str(&j, "name", "kwhy");
	kw_json_str(&j, "version", kw_version);
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

/* one log record being built in the shared record buffer */
struct otlp_rec {
	struct kw_buf b;
	struct kw_json j;
	struct kw_fields f;		/* its attributes */
};

/* a log record up to its attributes, which r->f then writes, in storage */
static void rec_begin(struct otlp_rec *r, char *storage, size_t cap, uint64_t wall_ns, int sev,
		      const char *body)
{
	struct kw_json *j = &r->j;
	char t[24];

	r->b = (struct kw_buf){ .p = storage, .cap = cap };
	r->f = kw_fields_otlp(j);
	snprintf(t, sizeof(t), "%" PRIu64, wall_ns);
	kw_json_init(j, &r->b);
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

static void otlp_begin(struct kw_otlp *ot, struct otlp_rec *r, uint64_t ts_ns, int sev,
		       const char *body)
{
	rec_begin(r, ot->c->rec, sizeof(ot->c->rec), kw_exporter_wall_ns(ot->c, ts_ns), sev,
		  body);
}

/* a finished record onto the current line */
static void otlp_add(struct kw_otlp *ot, struct otlp_rec *r)
{
	if (r->b.truncated || !ot->head[0]) {
		ot->c->dropped++;
		return;
	}
	kw_exporter_puts(ot->c, ot->n ? "," : ot->head);
	kw_exporter_write(ot->c, r->b.p, r->b.len);
	if (++ot->n == KW_OTLP_BATCH)
		kw_otlp_finish(ot);
}

static void otlp_end(struct kw_otlp *ot, struct otlp_rec *r)
{
	kw_json_arr_end(&r->j);
	kw_json_obj_end(&r->j);
	otlp_add(ot, r);
}

static void otlp_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_otlp *ot = ctx;
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);
	const struct kw_task *t = kw_event_subject(ev);
	char line[2048], body[2048];
	struct kw_buf lb = KW_BUF_INIT(line);	/* the text line, the body */
	struct kw_place pl;
	struct otlp_rec r;

	kw_exporter_note_time(ot->c, ev);
	if (k && k->context)
		return;		/* context for the others, on their records */
	kw_format_text(&lb, ev, &ot->c->fmt);
	kw_strip_time(body, sizeof(body), line);
	kw_exporter_event_place(ot->c, ev, t, &pl);

	otlp_begin(ot, &r, ev->hdr.ts_boot_ns, kw_event_severity(ev), body);
	kw_f_str(&r.f, KW_OTLP_ONLY("kwhy.type"), kw_event_name(ev->hdr.type));
	kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.event_id"), id);
	if (ev->hdr.flags & KW_F_NETNS)
		kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.netns"), ev->hdr.netns_ino);
	if (ev->hdr.flags & KW_F_SNAPSHOT)
		kw_f_bool(&r.f, KW_OTLP_ONLY("kwhy.snapshot"), true);
	if (t)
		kw_put_task(&r.f, KW_OTLP_ONLY("process"), t, false);
	kw_put_place(&r.f, NULL, &pl);
	if (k)
		k->fields(&r.f, ev, &ot->c->fmt);
	otlp_end(ot, &r);
}

/* kwhy.event_ids: an array of the events an explanation cites */
static void otlp_event_ids(struct kw_json *j, const struct kw_explanation *ex)
{
	kw_f_attr_begin(j, "kwhy.event_ids");
	kw_json_obj_begin(j, "arrayValue");
	kw_json_arr_begin(j, "values");
	for (uint32_t i = 0; i < ex->nr_events && i < KW_EX_EVENTS; i++) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRIu64, ex->events[i]);
		kw_json_obj_begin(j, NULL);
		kw_json_str(j, "intValue", s);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
	kw_json_obj_end(j);
	kw_f_attr_end(j);
}

/* an explanation's log record, its attributes in r->f */
static void explanation_rec(struct otlp_rec *r, char *storage, size_t cap,
			    const struct kw_explanation *ex, uint64_t wall_ns)
{
	int sev = ex->cause == KW_CAUSE_MEMCG_LIMIT || ex->cause == KW_CAUSE_GLOBAL_OOM ?
		  KW_SEV_ERROR : KW_SEV_WARN;

	rec_begin(r, storage, cap, wall_ns, sev, ex->text);
	kw_f_str(&r->f, KW_OTLP_ONLY("kwhy.type"), "explanation");
	kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.explanation_id"), ex->id);
	kw_f_str(&r->f, KW_OTLP_ONLY("kwhy.cause"), kw_cause_name(ex->cause));
	kw_f_str(&r->f, KW_OTLP_ONLY("kwhy.fix"), ex->fix);
	kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.count"), ex->count);
	otlp_event_ids(&r->j, ex);
	kw_put_place(&r->f, NULL, &ex->place);
	if (kw_cause_is_death(ex->cause)) {
		kw_put_task(&r->f, KW_OTLP_ONLY("process"), &ex->victim, false);
		if (ex->cause == KW_CAUSE_USERSPACE_KILLER) {
			kw_put_task(&r->f, KW_OTLP_ONLY("killer"), &ex->kill.sender, false);
		} else if (ex->cause == KW_CAUSE_RUNTIME_STOP) {
			kw_put_task(&r->f, KW_OTLP_ONLY("stopper"), &ex->kill.sender, false);
			kw_put_signal(&r->f, KW_OTLP_ONLY("kwhy.signal"), ex->kill.sig);
			if (ex->term_known)
				kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.grace_ms"),
					 (ex->kill.ts_ns - ex->term.ts_ns) / 1000000);
		} else if (ex->cause == KW_CAUSE_MEMCG_LIMIT &&
			   ex->oom.limit_level < KW_OOM_MAX_LEVELS) {
			const struct kw_oom_level *lv = &ex->oom.levels[ex->oom.limit_level];

			kw_f_strn(&r->f, KW_OTLP_ONLY("kwhy.oom.cgroup.path"), ex->limit_place.path,
				  sizeof(ex->limit_place.path));
			kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.oom.usage_bytes"), lv->usage_bytes);
			if (lv->limit_bytes != ~0ULL)
				kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.oom.limit_bytes"),
					 lv->limit_bytes);
		}
	} else if (ex->cause == KW_CAUSE_RESET_SENT || ex->cause == KW_CAUSE_PEER_RESET) {
		kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.netns"), ex->netns);
		kw_put_endpoint(&r->f, KW_OTLP_ONLY("network.local"), &ex->client, KW_EP_TEXT);
		kw_put_endpoint(&r->f, KW_OTLP_ONLY("network.peer"), &ex->dest, KW_EP_TEXT);
		kw_put_network(&r->f, "tcp", &ex->dest);
		kw_f_str(&r->f, KW_OTLP_ONLY("kwhy.reset_reason"), ex->reason_name);
		if (ex->client_known)
			kw_put_task(&r->f, KW_OTLP_ONLY("process"), &ex->client_task, false);
	} else {
		kw_f_u64(&r->f, KW_OTLP_ONLY("kwhy.netns"), ex->netns);
		kw_put_endpoint(&r->f, KW_OTLP_ONLY("server"), &ex->dest, KW_EP_TEXT);
		kw_put_endpoint(&r->f, KW_OTLP_ONLY("client"), &ex->client, KW_EP_TEXT);
		kw_put_endpoint(&r->f, KW_OTLP_ONLY("network.peer"), &ex->client, KW_EP_TEXT);
		kw_put_network(&r->f, "tcp", &ex->dest);
		kw_f_str(&r->f, KW_OTLP_ONLY("error.type"), "ECONNREFUSED");
		if (ex->client_known)
			kw_put_task(&r->f, KW_OTLP_ONLY("client"), &ex->client_task, false);
	}
	kw_json_arr_end(&r->j);
	kw_json_obj_end(&r->j);
}


static void otlp_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct kw_otlp *ot = ctx;
	struct otlp_rec r;

	explanation_rec(&r, ot->c->rec, sizeof(ot->c->rec), ex,
			kw_exporter_wall_ns(ot->c, ex->ts_ns));
	otlp_add(ot, &r);
}

static void otlp_summary(void *ctx, const struct kw_summary *s)
{
	struct kw_otlp *ot = ctx;
	char line[1024], body[1024];
	struct kw_buf lb = KW_BUF_INIT(line);
	struct kw_place pl;
	struct otlp_rec r;

	kw_format_summary(&lb, false, s, &ot->c->fmt);
	kw_strip_time(body, sizeof(body), line);
	kw_exporter_netns_place(ot->c, s->netns, 0, &pl);
	otlp_begin(ot, &r, s->ts_ns, KW_SEV_WARN, body);
	kw_f_str(&r.f, KW_OTLP_ONLY("kwhy.type"), "summary");
	kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.explanation_id"), s->explanation_id);
	kw_f_str(&r.f, KW_OTLP_ONLY("kwhy.cause"), kw_cause_name(s->cause));
	kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.count"), s->count);
	kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.total"), s->total);
	kw_f_bool(&r.f, KW_OTLP_ONLY("kwhy.final"), s->final);
	kw_f_u64(&r.f, KW_OTLP_ONLY("kwhy.netns"), s->netns);
	kw_put_place(&r.f, NULL, &pl);
	/* a refusal's destination is the server nothing listened as */
	kw_put_endpoint(&r.f, KW_OTLP_ONLY(kw_cause_is_refusal(s->cause) ? "server" :
					   "network.peer"), &s->dest, KW_EP_TEXT);
	kw_put_network(&r.f, "tcp", &s->dest);
	otlp_end(ot, &r);
}

struct kw_sinks kw_otlp_sinks(struct kw_otlp *ot)
{
	return (struct kw_sinks){ .event = otlp_event, .explanation = otlp_explanation,
				  .summary = otlp_summary, .ctx = ot };
}

/* ---- live export ---- */

void kw_otlp_resource_json(struct kw_json *j, const struct kw_otlp_resource *r)
{
	struct kw_fields f = kw_fields_otlp(j);

	kw_json_obj_begin(j, "resource");
	kw_json_arr_begin(j, "attributes");
	kw_f_str(&f, KW_OTLP_ONLY("service.name"), "kwhy");
	kw_f_str(&f, KW_OTLP_ONLY("service.instance.id"), r->host);
	kw_f_str(&f, KW_OTLP_ONLY("service.version"), r->version);
	kw_f_str(&f, KW_OTLP_ONLY("host.name"), r->host);
	kw_f_str(&f, KW_OTLP_ONLY("os.type"), "linux");
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.kernel"), r->kernel);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.boot_id"), r->boot_id);
	kw_f_str(&f, KW_OTLP_ONLY("kwhy.target"), r->target);
	kw_json_arr_end(j);
	kw_json_obj_end(j);
}

void kw_otlp_logs_head(struct kw_buf *b, const struct kw_otlp_resource *r)
{
	struct kw_json j;

	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	kw_json_arr_begin(&j, "resourceLogs");
	kw_json_obj_begin(&j, NULL);
	kw_otlp_resource_json(&j, r);
	kw_json_arr_begin(&j, "scopeLogs");
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "scope");
	kw_json_str(&j, "name", "kwhy");
	kw_json_str(&j, "version", kw_version);
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, "logRecords");
}

void kw_otlp_explanation_record(struct kw_buf *b, const struct kw_explanation *ex,
				uint64_t wall_ns)
{
	struct otlp_rec r;

	explanation_rec(&r, b->p + b->len, b->cap - b->len, ex, wall_ns);
	if (r.b.truncated)
		b->truncated = true;
	else
		b->len += r.b.len;
}
