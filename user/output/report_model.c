// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What a report holds, gathered from the pipeline's output: see
 * report_model.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/exit_status.h"
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/pieces.h"
#include "output/report.h"
#include "output/report_model.h"

const char *kw_report_cause_title(uint8_t cause)
{
	static const char *const titles[KW_CAUSE_MAX] = {
		[KW_CAUSE_WRONG_ADDRESS] = "refused: listening on another address",
		[KW_CAUSE_WRONG_FAMILY] = "refused: listening for the other IP family",
		[KW_CAUSE_LISTENER_EXITED] = "refused: the listener is gone",
		[KW_CAUSE_CRASH_LOOP] = "refused: the listener keeps restarting",
		[KW_CAUSE_BIND_FAILED] = "refused: the server could not bind",
		[KW_CAUSE_WRONG_PORT] = "refused: wrong port",
		[KW_CAUSE_WRONG_NETNS] = "refused: listening in another network namespace",
		[KW_CAUSE_NO_LISTENER] = "refused: nothing listens",
		[KW_CAUSE_REMOTE] = "refused by another host",
		[KW_CAUSE_RESET_SENT] = "connection reset by this host",
		[KW_CAUSE_PEER_RESET] = "connection reset by the peer",
		[KW_CAUSE_MEMCG_LIMIT] = "OOM kill: memory cgroup limit",
		[KW_CAUSE_GLOBAL_OOM] = "OOM kill: the host ran out of memory",
		[KW_CAUSE_USERSPACE_KILLER] = "killed by another process",
		[KW_CAUSE_RUNTIME_STOP] = "stopped by its container runtime",
	};

	return cause < KW_CAUSE_MAX && titles[cause] ? titles[cause] : "explanation";
}

/* ---- tracks ---- */

static void track_name(struct kw_report_track *t, const struct kw_place *p)
{
	struct kw_buf b = KW_BUF_INIT(t->name);

	switch (t->kind) {
	case KW_RT_TRACK_HOST:
		kw_buf_puts(&b, "host");
		break;
	case KW_RT_TRACK_UNKNOWN:
		kw_buf_puts(&b, "unknown container or host");
		break;
	case KW_RT_TRACK_OTHER:
		kw_buf_printf(&b, "other containers (past %d)", KW_REPORT_TRACKS);
		break;
	case KW_RT_TRACK_SERVICE:
		kw_buf_printf(&b, "service %.*s", (int)sizeof(p->name), p->name);
		break;
	default:
		kw_buf_printf(&b, "container %.*s", (int)sizeof(p->name), p->name);
		if (p->pod[0])
			kw_buf_printf(&b, " (pod %.*s/%.*s)", (int)sizeof(p->k8s_namespace),
				      p->k8s_namespace, (int)sizeof(p->pod), p->pod);
		break;
	}
}

static struct kw_report_track *track_of(struct kw_report *r, const struct kw_place *p)
{
	static const uint8_t kinds[] = {
		[KW_PLACE_UNKNOWN] = KW_RT_TRACK_UNKNOWN, [KW_PLACE_HOST] = KW_RT_TRACK_HOST,
		[KW_PLACE_SERVICE] = KW_RT_TRACK_SERVICE,
		[KW_PLACE_CONTAINER] = KW_RT_TRACK_CONTAINER,
	};
	uint8_t kind = kinds[kw_place_kind(p)];
	char key[72];
	struct kw_report_track *t;

	snprintf(key, sizeof(key), "%.*s", (int)sizeof(p->id),
		 kind == KW_RT_TRACK_HOST ? "host" : kind == KW_RT_TRACK_UNKNOWN ? "" : p->id);
	for (uint32_t i = 0; i < r->nr_tracks; i++)
		if (r->tracks[i].kind == kind && !strcmp(r->tracks[i].key, key))
			return &r->tracks[i];
	if (r->nr_tracks < KW_REPORT_TRACKS) {
		t = &r->tracks[r->nr_tracks++];
	} else {
		t = &r->other;
		if (t->used)
			return t;
		kind = KW_RT_TRACK_OTHER;
		key[0] = '\0';
	}
	t->used = true;
	t->kind = kind;
	snprintf(t->key, sizeof(t->key), "%s", key);
	track_name(t, p);
	return t;
}

static struct kw_report_track *event_track(struct kw_report *r, const struct kw_event *ev)
{
	struct kw_place pl;

	kw_exporter_event_place(r->c, ev, kw_event_subject(ev), &pl);
	return track_of(r, &pl);
}

uint32_t kw_report_track_list(const struct kw_report *r, const struct kw_report_track **out,
			      uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->nr_tracks && n < max; i++)
		out[n++] = &r->tracks[i];
	if (r->other.used && n < max)
		out[n++] = &r->other;
	return n;
}

/* ---- listeners ---- */

static void span_label(char *s, size_t n, const struct kw_ev_listen *l)
{
	struct kw_buf b = { .p = s, .cap = n };

	s[0] = '\0';
	kw_fmt_endpoint(&b, &l->local);
	if (l->hdr.flags & KW_F_TASK) {
		kw_buf_puts(&b, " (");
		kw_fmt_task(&b, &l->hdr.task);
		kw_buf_puts(&b, ")");
	}
}

static void add_span(struct kw_report_track *t, const struct kw_ev_listen *l, uint64_t start,
		     uint64_t end, bool before, bool open_at_end, const char *how)
{
	struct kw_report_span *s;

	if (t->nr_spans == KW_REPORT_SPANS) {
		t->spans_dropped++;
		return;
	}
	s = &t->spans[t->nr_spans++];
	s->start_ns = start;
	s->end_ns = end > start ? end : start;
	s->from_before = before;
	s->open_at_end = open_at_end;
	span_label(s->label, sizeof(s->label), l);
	snprintf(s->end, sizeof(s->end), "%s", how);
}

static struct kw_report_open *find_open(struct kw_report *r, const struct kw_ev_listen *e)
{
	for (uint32_t i = 0; i < r->nr_open; i++) {
		const struct kw_ev_listen *l = &r->open[i].ev;

		if (l->hdr.netns_ino == e->hdr.netns_ino && l->local.port == e->local.port &&
		    l->local.family == e->local.family &&
		    !memcmp(l->local.addr, e->local.addr, 16))
			return &r->open[i];
	}
	return NULL;
}

static void end_open(struct kw_report *r, struct kw_report_open *o, uint64_t end_ns,
		     bool open_at_end, const char *how)
{
	add_span(o->track, &o->ev, o->ev.hdr.ts_boot_ns, end_ns,
		 (o->ev.hdr.flags & KW_F_SNAPSHOT) != 0, open_at_end, how);
	*o = r->open[--r->nr_open];
}

static void on_listen(struct kw_report *r, const struct kw_event *ev)
{
	struct kw_report_open *o = find_open(r, &ev->listen);

	if (o)			/* listening again: the old one ends here */
		end_open(r, o, ev->hdr.ts_boot_ns, false, "listened again");
	if (r->nr_open == KW_REPORT_OPEN) {
		r->open_dropped++;
		return;
	}
	o = &r->open[r->nr_open++];
	o->ev = ev->listen;
	o->track = event_track(r, ev);
}

static const char *close_how(uint8_t how)
{
	switch (how) {
	case KW_CLOSE_CALL: return "closed";
	case KW_CLOSE_EXIT: return "its owner exited";
	case KW_CLOSE_KILLED: return "its owner was killed";
	default: return "closed";
	}
}

static void on_listen_close(struct kw_report *r, const struct kw_event *ev)
{
	const struct kw_ev_listen *e = &ev->listen;
	struct kw_report_open *o = find_open(r, e);
	uint64_t ts = e->hdr.ts_boot_ns, start;

	if (o) {
		end_open(r, o, ts, false, close_how(e->how));
		return;
	}
	/* listening since before the trace: from when the kernel says */
	start = e->since_boot_ns && e->since_boot_ns <= ts ? e->since_boot_ns :
		r->c->first_ns && r->c->first_ns <= ts ? r->c->first_ns : ts;
	add_span(event_track(r, ev), e, start, ts, true, false, close_how(e->how));
}

/* ---- marks: OOM kills, exits, kills ---- */

static void add_mark(struct kw_report *r, const struct kw_event *ev, uint8_t kind,
		     uint64_t usage, uint64_t limit)
{
	struct kw_report_track *t = event_track(r, ev);
	char line[1024];
	struct kw_buf b = KW_BUF_INIT(line);
	struct kw_report_mark *m;

	if (kind == KW_MARK_OOM)
		t->ooms++;
	if (t->nr_marks == KW_REPORT_MARKS) {
		t->marks_dropped++;
		return;
	}
	m = &t->marks[t->nr_marks++];
	m->ts_ns = ev->hdr.ts_boot_ns;
	m->kind = kind;
	m->usage_bytes = usage;
	m->limit_bytes = limit;
	kw_format_text(&b, ev, &r->c->fmt);
	kw_strip_time(m->label, sizeof(m->label), line);
}

static void on_oom(struct kw_report *r, const struct kw_event *ev)
{
	const struct kw_ev_oom *o = &ev->oom;
	uint64_t usage = 0, limit = ~0ULL;

	if (o->limit_level < o->nr_levels && o->limit_level < KW_OOM_MAX_LEVELS) {
		usage = o->levels[o->limit_level].usage_bytes;
		limit = o->levels[o->limit_level].limit_bytes;
	}
	add_mark(r, ev, KW_MARK_OOM, usage, limit);
}

static void on_exit_ev(struct kw_report *r, const struct kw_event *ev)
{
	bool killed = kw_exit_status(ev->exit.exit_code).signaled;

	add_mark(r, ev, killed ? KW_MARK_KILLED : KW_MARK_EXIT, 0, 0);
}

/* ---- the timeline ---- */

static struct kw_report_line *new_line(struct kw_report *r, uint64_t ts)
{
	struct kw_report_line *l;

	if (r->nr_lines == KW_REPORT_TIMELINE) {
		r->lines_dropped++;
		return NULL;
	}
	l = &r->lines[r->nr_lines];
	memset(l, 0, sizeof(*l));
	l->seq = r->nr_lines++;
	l->ts_ns = ts;
	return l;
}

/* the events a post-mortem tells: deaths, kills, listeners coming and
 * going, failed binds, losses; refusals and resets are told by their
 * explanations */
static bool tells(const struct kw_event *ev)
{
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:
	case KW_EV_PROC_EXIT:
	case KW_EV_SIGNAL:
	case KW_EV_LISTEN_CLOSE:
		return true;
	case KW_EV_LISTEN:
		return !(ev->hdr.flags & KW_F_SNAPSHOT);
	case KW_EV_BIND:
		return ev->bind.ret < 0;
	case KW_EV_RESYNC:
		return ev->resync.phase == KW_RESYNC_END;
	default:
		return false;
	}
}

static void event_line(struct kw_report *r, const struct kw_event *ev)
{
	struct kw_report_line *l = new_line(r, ev->hdr.ts_boot_ns);
	struct kw_buf pb;
	struct kw_place pl;
	char text[1024];
	struct kw_buf b = KW_BUF_INIT(text);

	if (!l)
		return;
	l->kind = KW_LINE_EVENT;
	l->ev_type = ev->hdr.type;
	kw_format_text(&b, ev, &r->c->fmt);
	kw_strip_time(l->text, sizeof(l->text), text);
	kw_exporter_event_place(r->c, ev, kw_event_subject(ev), &pl);
	pb = (struct kw_buf)KW_BUF_INIT(l->place);
	kw_place_text(&pb, &pl);
}

static void explanation_line(struct kw_report *r, const struct kw_explanation *ex)
{
	struct kw_report_line *l = new_line(r, ex->ts_ns);
	struct kw_buf pb;

	if (!l)
		return;
	l->kind = KW_LINE_EXPLANATION;
	l->cause = ex->cause;
	l->ex_id = ex->id;
	snprintf(l->text, sizeof(l->text), "%s", ex->text);
	pb = (struct kw_buf)KW_BUF_INIT(l->place);
	kw_place_text(&pb, &ex->place);
}

/* ---- refusals per second ---- */

static void add_refusals(struct kw_report_track *t, uint64_t ts_ns, uint8_t cause, uint64_t n)
{
	uint32_t sec = ts_ns / 1000000000ULL;
	struct kw_report_point *p;

	if (!n)
		return;
	t->refusals += n;
	/* they come in time order, nearly: look back a little for the same
	 * second and cause before taking a new point */
	for (uint32_t i = t->nr_points, k = 0; i > 0 && k < 8; i--, k++) {
		p = &t->points[i - 1];
		if (p->sec == sec && p->cause == cause) {
			p->count += n;
			return;
		}
	}
	if (t->nr_points == KW_REPORT_POINTS) {
		t->points_dropped += n;
		return;
	}
	p = &t->points[t->nr_points++];
	p->sec = sec;
	p->cause = cause;
	p->count = n;
}

/* a repeat window's count, spread evenly over its seconds: the kernel and
 * the pipeline count repeats per window, not per second */
static void spread_refusals(struct kw_report_track *t, uint64_t from_ns, uint64_t to_ns,
			    uint8_t cause, uint64_t n)
{
	uint64_t s0 = from_ns / 1000000000ULL, s1 = to_ns / 1000000000ULL, secs;

	if (!from_ns || from_ns > to_ns)
		s0 = s1;
	secs = s1 - s0 + 1;
	if (secs > KW_REPORT_SPREAD_MAX) {
		s0 = s1 - KW_REPORT_SPREAD_MAX + 1;
		secs = KW_REPORT_SPREAD_MAX;
	}
	for (uint64_t s = 0; s < secs; s++) {
		uint64_t k = n / secs + (s < n % secs ? 1 : 0);

		add_refusals(t, (s0 + s) * 1000000000ULL, cause, k);
	}
}

/* ---- the sinks ---- */

static void rp_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_report *r = ctx;

	(void)id;
	kw_exporter_note_time(r->c, ev);
	if (ev->hdr.type < KW_EV_MAX)
		r->per_type[ev->hdr.type]++;
	switch (ev->hdr.type) {
	case KW_EV_LISTEN:
		on_listen(r, ev);
		break;
	case KW_EV_LISTEN_CLOSE:
		on_listen_close(r, ev);
		break;
	case KW_EV_OOM_KILL:
		on_oom(r, ev);
		break;
	case KW_EV_PROC_EXIT:
		on_exit_ev(r, ev);
		break;
	case KW_EV_SIGNAL:
		add_mark(r, ev, KW_MARK_SIGNAL, 0, 0);
		break;
	case KW_EV_RESYNC:
		if (ev->resync.phase == KW_RESYNC_END)
			r->resyncs++;
		break;
	}
	if (tells(ev))
		event_line(r, ev);
}

static void rp_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct kw_report *r = ctx;

	r->nr_explanations++;
	if (ex->cause < KW_CAUSE_MAX) {
		r->explained[ex->cause]++;
		r->occurrences[ex->cause]++;
	}
	if (kw_cause_is_refusal(ex->cause))
		add_refusals(track_of(r, &ex->place), ex->ts_ns, ex->cause, 1);
	explanation_line(r, ex);
	if (r->on_explanation)
		r->on_explanation(r, ex);
}

static void rp_summary(void *ctx, const struct kw_summary *s)
{
	struct kw_report *r = ctx;
	struct kw_report_repeat *rep = NULL;
	struct kw_place pl;

	if (s->cause < KW_CAUSE_MAX)
		r->occurrences[s->cause] += s->count;
	if (kw_cause_is_refusal(s->cause)) {
		kw_exporter_netns_place(r->c, s->netns, 0, &pl);
		spread_refusals(track_of(r, &pl), s->since_ns, s->ts_ns, s->cause, s->count);
	}
	for (uint32_t i = 0; i < r->nr_repeats; i++)
		if (r->repeats[i].ex_id == s->explanation_id)
			rep = &r->repeats[i];
	if (!rep && r->nr_repeats == KW_REPORT_REPEATS) {
		r->repeats_dropped++;
		return;
	}
	if (!rep) {
		struct kw_buf b;

		rep = &r->repeats[r->nr_repeats++];
		rep->ex_id = s->explanation_id;
		rep->cause = s->cause;
		b = (struct kw_buf)KW_BUF_INIT(rep->dest);
		kw_fmt_endpoint(&b, &s->dest);
	}
	rep->total = s->total;		/* the explained one included */
}

struct kw_sinks kw_report_sinks(struct kw_report *r)
{
	return (struct kw_sinks){ .event = rp_event, .explanation = rp_explanation,
				  .summary = rp_summary, .ctx = r };
}

static int by_time(const void *a, const void *b)
{
	const struct kw_report_line *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;	/* in the order they came */
}

void kw_report_finish(struct kw_report *r)
{
	uint64_t end = r->c->last_ns;

	while (r->nr_open) {
		struct kw_report_open *o = &r->open[r->nr_open - 1];

		end_open(r, o, end > o->ev.hdr.ts_boot_ns ? end : o->ev.hdr.ts_boot_ns, true,
			 "open at the end of the trace");
	}
	/* explanations of refusals come out when their batch ends, after the
	 * events that followed them: the timeline is told in time order */
	qsort(r->lines, r->nr_lines, sizeof(r->lines[0]), by_time);
}

void kw_report_clock(struct kw_buf *b, const struct kw_report *r, uint64_t boot_ns)
{
	kw_fmt_time_short(b, (int64_t)kw_exporter_wall_ns(r->c, boot_ns), true);
}

void kw_report_date(struct kw_buf *b, const struct kw_report *r, uint64_t boot_ns)
{
	kw_fmt_time_rfc3339(b, (int64_t)kw_exporter_wall_ns(r->c, boot_ns));
}

void kw_report_append(FILE *out, FILE *in)
{
	char buf[8192];
	size_t n;

	rewind(in);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);	/* errors: the caller's ferror() */
}

uint64_t kw_report_lost(const struct kw_report *r)
{
	uint64_t lost = 0;

	for (int t = 0; t < KW_EV_COUNTED; t++)
		lost += r->c->counters.lost[t];
	return lost;
}

void kw_report_escaped(FILE *f, kw_escape_fn *esc, const char *s, size_t n)
{
	char out[4096];
	size_t i = 0, len = strnlen(s, n);

	/* in pieces of about 512 bytes, cut before an ASCII byte so that no
	 * UTF-8 sequence is split: escaping one grows it at most 6 times */
	while (i < len) {
		size_t k = len - i > 512 ? 512 : len - i;
		struct kw_buf b = KW_BUF_INIT(out);

		while (i + k < len && k < 600 && (unsigned char)s[i + k] >= 0x80)
			k++;
		esc(&b, s + i, k);
		fputs(out, f);
		i += k;
	}
}
