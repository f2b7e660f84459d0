// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Chrome/Perfetto trace: see perfetto.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/explanation.h"
#include "output/perfetto.h"
#include "output/pieces.h"
#include "util/json.h"
#include "util/version.h"

#define LANE_TID 5000000	/* listener lanes: above any pid (PID_MAX_LIMIT) */
#define PRE_TID 6000000
#define PID_HOST 1

enum track_kind { TK_HOST, TK_CONTAINER, TK_SERVICE, TK_UNKNOWN, TK_OTHER };

static uint64_t wall_us(const struct kw_perfetto *pf, uint64_t boot_ns)
{
	return kw_exporter_wall_ns(pf->c, boot_ns) / 1000;
}

static void pf_put(struct kw_perfetto *pf, struct kw_buf *b)
{
	if (b->truncated) {
		pf->c->dropped++;
		return;
	}
	kw_exporter_puts(pf->c, pf->n++ ? ",\n" : "\n");
	kw_exporter_write(pf->c, b->p, b->len);
}

/* "ph" and "ts" first: some importers find ts by scanning the keys before
 * it, and do not take escapes there */
static void pf_head(struct kw_perfetto *pf, struct kw_json *j, struct kw_buf *b, const char *ph,
		    uint64_t ts_ns, uint32_t pid, uint32_t tid, const char *name, const char *cat)
{
	kw_json_init(j, b);
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "ph", ph);
	kw_json_u64(j, "ts", wall_us(pf, ts_ns));
	kw_json_u64(j, "pid", pid);
	kw_json_u64(j, "tid", tid);
	kw_json_str(j, "name", name);
	kw_json_str(j, "cat", cat);
}

/* an instant on a process track, up to the value of its first argument,
 * a record the caller writes */
static void pf_instant_begin(struct kw_perfetto *pf, struct kw_json *j, struct kw_buf *b,
			     uint64_t ts_ns, uint32_t pid, uint32_t tid, const char *name,
			     const char *cat, const char *first_arg)
{
	pf_head(pf, j, b, "i", ts_ns, pid, tid, name, cat);
	kw_json_str(j, "s", "p");
	kw_buf_printf(b, ",\"args\":{\"%s\":", first_arg);
}

static void pf_instant_end(struct kw_perfetto *pf, struct kw_buf *b)
{
	kw_buf_puts(b, "}}");
	pf_put(pf, b);
}

/* metadata: a name or a sort index for a process (tid 0) or a thread */
static void pf_meta(struct kw_perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		    const char *name, int64_t sort_index)
{
	struct kw_buf b = KW_BUF_INIT(pf->meta);
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
	pf_put(pf, &b);
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

static void track_start(struct kw_perfetto *pf, struct kw_pf_track *t, uint8_t kind,
			const char *key, const struct kw_place *p)
{
	char name[400];

	memset(t, 0, sizeof(*t));
	t->used = true;
	t->kind = kind;
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->pid = kind == TK_HOST ? PID_HOST : pf->next_pid++;
	track_name(name, sizeof(name), kind, p);
	pf_meta(pf, "process_name", t->pid, 0, name, 0);
	pf_meta(pf, "process_sort_index", t->pid, 0, NULL, t->pid);
}

/* the process track of a place, made on first use */
static struct kw_pf_track *track_of(struct kw_perfetto *pf, const struct kw_place *p)
{
	static const uint8_t kinds[] = {
		[KW_PLACE_UNKNOWN] = TK_UNKNOWN, [KW_PLACE_HOST] = TK_HOST,
		[KW_PLACE_SERVICE] = TK_SERVICE, [KW_PLACE_CONTAINER] = TK_CONTAINER,
	};
	uint8_t kind = kinds[kw_place_kind(p)];
	char key[72];
	uint32_t h = 2166136261u ^ kind;

	snprintf(key, sizeof(key), "%.*s", (int)sizeof(p->id),
		 kind == TK_HOST ? "host" : kind == TK_UNKNOWN ? "" : p->id);
	for (const char *s = key; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	for (uint32_t i = 0; i < KW_PF_TRACK_SLOTS; i++) {
		struct kw_pf_track *t = &pf->tracks[(h + i) % KW_PF_TRACK_SLOTS];

		if (t->used && t->kind == kind && !strcmp(t->key, key))
			return t;
		if (t->used)
			continue;
		if (pf->nr_tracks == KW_EXPORT_TRACKS)
			break;
		pf->nr_tracks++;
		track_start(pf, t, kind, key, p);
		return t;
	}
	if (!pf->other.used)
		track_start(pf, &pf->other, TK_OTHER, "", p);
	return &pf->other;
}

/* A listener's life as a complete event.  open_ev or close may be NULL. */
static void pf_span(struct kw_perfetto *pf, const struct kw_ev_listen *open_ev, uint64_t open_id,
		    const struct kw_event *close, uint64_t close_id, uint64_t start_ns,
		    uint64_t end_ns, bool clipped, uint32_t pid, uint32_t tid, const char *end)
{
	const struct kw_ev_listen *l = open_ev ? open_ev : &close->listen;
	const struct kw_hdr *owner = open_ev && (open_ev->hdr.flags & KW_F_TASK) ? &open_ev->hdr :
				     close && (close->hdr.flags & KW_F_TASK) ? &close->hdr : NULL;
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	char name[160];
	struct kw_buf nb = KW_BUF_INIT(name);
	uint64_t s_us = wall_us(pf, start_ns), e_us = wall_us(pf, end_ns);
	struct kw_event ev;
	struct kw_json j;

	kw_buf_puts(&nb, "listen ");
	kw_fmt_endpoint(&nb, &l->local);
	if (owner) {
		kw_buf_puts(&nb, " (");
		kw_fmt_task_short(&nb, &owner->task);
		kw_buf_puts(&nb, ")");
	}
	pf_head(pf, &j, &b, "X", start_ns, pid, tid, name, "listener");
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
		kw_format_json_id(&b, &ev, open_id, &pf->c->fmt);
	} else {
		kw_buf_puts(&b, "null");
	}
	kw_buf_puts(&b, ",\"close\":");
	if (close)
		kw_format_json_id(&b, close, close_id, &pf->c->fmt);
	else
		kw_buf_puts(&b, "null");
	kw_buf_puts(&b, "}}");
	pf_put(pf, &b);
}

static struct kw_pf_listener *find_open(struct kw_perfetto *pf, uint32_t netns,
					const struct kw_addr *a)
{
	for (uint32_t i = 0; i < pf->nr_open; i++) {
		struct kw_pf_listener *l = &pf->open[i];

		if (l->ev.hdr.netns_ino == netns && l->ev.local.port == a->port &&
		    l->ev.local.family == a->family && !memcmp(l->ev.local.addr, a->addr, 16))
			return l;
	}
	return NULL;
}

static void end_open(struct kw_perfetto *pf, struct kw_pf_listener *l,
		     const struct kw_event *close, uint64_t close_id, uint64_t end_ns,
		     const char *end)
{
	uint64_t start = l->ev.hdr.ts_boot_ns;
	bool clipped = false;

	if (l->lane < KW_PF_LANE_ENDS) {
		if (l->track->lane_end[l->lane] > start) {
			start = l->track->lane_end[l->lane];
			clipped = true;
		}
		if (end_ns < start)
			end_ns = start;
		l->track->lane_end[l->lane] = end_ns;
	}
	pf_span(pf, &l->ev, l->id, close, close_id, start, end_ns, clipped, l->track->pid,
		LANE_TID + l->lane, end);
	*l = pf->open[--pf->nr_open];
}

/* the lowest lane of the track no open listener is in: spans in a lane
 * never overlap */
static uint32_t lane_alloc(struct kw_perfetto *pf, struct kw_pf_track *t)
{
	uint32_t lane = 0;

	memset(pf->lane_busy, 0, sizeof(pf->lane_busy));
	for (uint32_t i = 0; i < pf->nr_open; i++)
		if (pf->open[i].track == t && pf->open[i].lane <= KW_EXPORT_LISTENERS)
			pf->lane_busy[pf->open[i].lane] = true;
	while (lane < KW_EXPORT_LISTENERS && pf->lane_busy[lane])
		lane++;
	for (; t->lanes_named <= lane; t->lanes_named++) {
		char name[48];

		if (t->lanes_named)
			snprintf(name, sizeof(name), "listeners (%u)", t->lanes_named + 1);
		else
			snprintf(name, sizeof(name), "listeners");
		pf_meta(pf, "thread_name", t->pid, LANE_TID + t->lanes_named, name, 0);
		pf_meta(pf, "thread_sort_index", t->pid, LANE_TID + t->lanes_named, NULL,
			t->lanes_named);
	}
	return lane;
}

static void pf_listen(struct kw_perfetto *pf, const struct kw_event *ev, uint64_t id)
{
	const struct kw_ev_listen *e = &ev->listen;
	struct kw_pf_listener *l = find_open(pf, e->hdr.netns_ino, &e->local);
	struct kw_place pl;
	struct kw_pf_track *t;

	if (l)			/* listening again: the old one ends here */
		end_open(pf, l, NULL, 0, e->hdr.ts_boot_ns, "listened again");
	if (pf->nr_open == KW_EXPORT_LISTENERS) {	/* the oldest goes */
		l = &pf->open[0];
		for (uint32_t i = 1; i < pf->nr_open; i++)
			if (pf->open[i].ev.hdr.ts_boot_ns < l->ev.hdr.ts_boot_ns)
				l = &pf->open[i];
		end_open(pf, l, NULL, 0, e->hdr.ts_boot_ns, "no longer followed (too many open)");
		pf->evicted++;
	}
	kw_exporter_event_place(pf->c, ev, kw_event_subject(ev), &pl);
	t = track_of(pf, &pl);
	l = &pf->open[pf->nr_open];
	l->ev = *e;
	l->id = id;
	l->track = t;
	l->lane = lane_alloc(pf, t);
	pf->nr_open++;
}

static void pf_listen_close(struct kw_perfetto *pf, const struct kw_event *ev, uint64_t id)
{
	const struct kw_ev_listen *e = &ev->listen;
	struct kw_pf_listener *l = find_open(pf, e->hdr.netns_ino, &e->local);
	uint64_t ts = e->hdr.ts_boot_ns, start;
	struct kw_place pl;
	struct kw_pf_track *t;
	bool clipped = false;
	uint32_t k = 0;

	if (l) {
		end_open(pf, l, ev, id, ts, "closed");
		return;
	}
	/* listening since before the trace: from when the kernel says, on a
	 * lane of its own */
	start = e->since_boot_ns && e->since_boot_ns <= ts ? e->since_boot_ns :
		pf->c->first_ns && pf->c->first_ns <= ts ? pf->c->first_ns : ts;
	kw_exporter_event_place(pf->c, ev, kw_event_subject(ev), &pl);
	t = track_of(pf, &pl);
	for (uint32_t i = 0; i < KW_PF_PRE_LANES; i++) {
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
		pf_meta(pf, "thread_name", t->pid, PRE_TID + t->pre_named, name, 0);
		pf_meta(pf, "thread_sort_index", t->pid, PRE_TID + t->pre_named, NULL,
			KW_EXPORT_LISTENERS + t->pre_named);
	}
	pf_span(pf, NULL, 0, ev, id, start, ts, clipped, t->pid, PRE_TID + k, "closed");
}

static void pf_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_perfetto *pf = ctx;

	kw_exporter_note_time(pf->c, ev);
	if (ev == pf->cur)
		pf->cur_id = id;
	if (ev->hdr.type == KW_EV_LISTEN)
		pf_listen(pf, ev, id);
	else if (ev->hdr.type == KW_EV_LISTEN_CLOSE)
		pf_listen_close(pf, ev, id);
}

static void pf_oom_counter(struct kw_perfetto *pf, const struct kw_ev_oom *o)
{
	const struct kw_oom_level *lv;
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	char name[300];
	struct kw_place pl;
	struct kw_pf_track *t;
	struct kw_json j;

	if (o->limit_level >= o->nr_levels || o->limit_level >= KW_OOM_MAX_LEVELS)
		return;		/* a host-wide OOM: no limit was reached */
	lv = &o->levels[o->limit_level];
	kw_exporter_place(pf->c, lv->cgroup_id, o->memcg_v1, &pl);
	if (!pl.known)
		kw_exporter_place(pf->c, o->victim.cgroup_id, false, &pl);
	t = track_of(pf, &pl);
	kw_exporter_place(pf->c, lv->cgroup_id, o->memcg_v1, &pl);
	if (pl.path[0])
		snprintf(name, sizeof(name), "memory %.*s", (int)sizeof(pl.path), pl.path);
	else
		snprintf(name, sizeof(name), "memory cgroup %" PRIu64,
			 (uint64_t)lv->cgroup_id);
	pf_head(pf, &j, &b, "C", o->hdr.ts_boot_ns, t->pid, 0, name, "memory");
	kw_json_obj_begin(&j, "args");
	kw_json_u64(&j, "usage_bytes", lv->usage_bytes);
	if (lv->limit_bytes != ~0ULL)
		kw_json_u64(&j, "limit_bytes", lv->limit_bytes);
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
	pf_put(pf, &b);
}

/* An event as an instant on its process's track, with the explanation it
 * triggered (an OOM kill, a kill by another process) when there is one. */
static void pf_instant(struct kw_perfetto *pf, const struct kw_event *ev, uint64_t id,
		       const struct kw_explanation *ex)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);
	const struct kw_task *t = kw_event_subject(ev);
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	char name[300];
	struct kw_buf nb = KW_BUF_INIT(name);
	const char *cat = kw_event_instant(ev);
	struct kw_place pl;
	struct kw_pf_track *tr;
	struct kw_json j;

	kw_exporter_event_place(pf->c, ev, t, &pl);
	tr = track_of(pf, &pl);
	k->title(&nb, ev, t);
	pf_instant_begin(pf, &j, &b, ev->hdr.ts_boot_ns, tr->pid, t ? t->tgid : 0, name, cat,
			 "event");
	kw_format_json_id(&b, ev, id, &pf->c->fmt);
	if (ex) {
		kw_buf_puts(&b, ",\"explanation\":");
		kw_format_explanation(&b, true, ex, &pf->c->fmt);
	}
	pf_instant_end(pf, &b);
	if (ev->hdr.type == KW_EV_OOM_KILL)
		pf_oom_counter(pf, &ev->oom);
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
	struct kw_perfetto *pf = ctx;
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	char name[200];
	struct kw_buf nb = KW_BUF_INIT(name);
	struct kw_pf_track *t;
	struct kw_json j;

	if (pf->cur && !pf->cur_has_ex && cites(ex, pf->cur_id)) {
		pf->cur_ex = *ex;	/* goes out with its event */
		pf->cur_has_ex = true;
		return;
	}
	t = track_of(pf, &ex->place);
	if (kw_cause_is_refusal(ex->cause) || ex->cause == KW_CAUSE_RESET_SENT ||
	    ex->cause == KW_CAUSE_PEER_RESET) {
		kw_buf_puts(&nb, kw_cause_is_refusal(ex->cause) ? "refused " : "reset ");
		kw_fmt_endpoint(&nb, &ex->dest);
		kw_buf_printf(&nb, " (%s)", kw_cause_name(ex->cause));
	} else {
		kw_buf_puts(&nb, kw_cause_name(ex->cause) ?: "explanation");
	}
	pf_instant_begin(pf, &j, &b, ex->ts_ns, t->pid, 0, name, "explanation", "explanation");
	kw_format_explanation(&b, true, ex, &pf->c->fmt);
	pf_instant_end(pf, &b);
}

static void pf_summary(void *ctx, const struct kw_summary *s)
{
	struct kw_perfetto *pf = ctx;
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	char name[200];
	struct kw_buf nb = KW_BUF_INIT(name);
	struct kw_place pl;
	struct kw_pf_track *t;
	struct kw_json j;

	kw_exporter_netns_place(pf->c, s->netns, 0, &pl);
	t = track_of(pf, &pl);
	kw_buf_printf(&nb, "x%" PRIu64 " more %s ", s->count, kw_cause_name(s->cause) ?: "");
	kw_fmt_endpoint(&nb, &s->dest);
	pf_instant_begin(pf, &j, &b, s->ts_ns, t->pid, 0, name, "summary", "summary");
	kw_format_summary(&b, true, s, &pf->c->fmt);
	pf_instant_end(pf, &b);
}

void kw_perfetto_begin(struct kw_perfetto *pf)
{
	kw_exporter_puts(pf->c, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
	pf->next_pid = PID_HOST + 1;
}

void kw_perfetto_finish(struct kw_perfetto *pf)
{
	struct kw_buf b = KW_BUF_INIT(pf->c->rec);
	struct kw_json j;
	uint64_t lost = 0;

	while (pf->nr_open) {
		struct kw_pf_listener *l = &pf->open[pf->nr_open - 1];
		uint64_t start = l->ev.hdr.ts_boot_ns;

		end_open(pf, l, NULL, 0, pf->c->last_ns > start ? pf->c->last_ns : start,
			 "open at the end of the trace");
	}
	for (int t = 0; t < KW_EV_COUNTED; t++)
		lost += pf->c->counters.lost[t];
	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "exporter", kw_exporter_name);
	kw_json_str(&j, "trace", pf->c->trace_file);
	kw_json_str(&j, "recorded_by", pf->c->info.kwhy_version);
	kw_json_str(&j, "host", pf->c->info.host);
	kw_json_str(&j, "kernel", pf->c->info.kernel);
	kw_json_str(&j, "boot_id", pf->c->info.boot_id);
	kw_json_str(&j, "started", pf->c->info.started);
	kw_json_u64(&j, "part", pf->c->info.part);
	kw_json_str(&j, "target", pf->c->info.target[0] ? pf->c->info.target : NULL);
	kw_json_str(&j, "clock", "ts: wall clock, microseconds since the Unix epoch (UTC)");
	kw_json_u64(&j, "listeners_no_longer_followed", pf->evicted);
	kw_json_u64(&j, "records_dropped", pf->c->dropped);
	if (pf->c->have_counters)
		kw_json_u64(&j, "lost_events", lost);
	else
		kw_json_null(&j, "lost_events");
	kw_json_obj_end(&j);
	kw_exporter_puts(pf->c, "\n],\"metadata\":");
	kw_exporter_puts(pf->c, b.truncated ? "{}" : b.p);
	kw_exporter_puts(pf->c, "}\n");
}

struct kw_sinks kw_perfetto_sinks(struct kw_perfetto *pf)
{
	return (struct kw_sinks){ .event = pf_event, .explanation = pf_explanation,
				  .summary = pf_summary, .ctx = pf };
}

/* The pipeline's work on one event; an event shown as an instant waits
 * for the explanation it triggers, to carry it. */
void kw_perfetto_event(struct kw_perfetto *pf, const struct kw_event *ev)
{
	pf->cur = kw_event_instant(ev) ? ev : NULL;
	pf->cur_has_ex = false;
	kw_pipeline_event(&pf->c->pipeline, ev);
	if (pf->cur)
		pf_instant(pf, ev, pf->cur_id, pf->cur_has_ex ? &pf->cur_ex : NULL);
	pf->cur = NULL;
}
