/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `kwhy report` draws and tells, gathered from a trace run through
 * the same pipeline as replay: a track per container (or the host, a
 * service) with its listeners' lifetimes, its OOM kills (memory against
 * the limit), exits and kills, and refusals per second by cause; the
 * timeline of what happened; counts and losses.  The explanations
 * themselves are not held: each goes to the renderer's callback as it
 * comes (the renderer streams it to a file), so a trace with any number of
 * them is reported whole.  Everything else is bounded by the KW_REPORT_*
 * caps; what passes a cap is counted and said, never silently left out.
 */
#ifndef KWHY_OUTPUT_REPORT_MODEL_H
#define KWHY_OUTPUT_REPORT_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "core/explain.h"
#include "output/exporter.h"

#define KW_REPORT_TRACKS 16	/* tracks drawn; the rest share one */
#define KW_REPORT_SPANS 96	/* listener lifetimes per track */
#define KW_REPORT_MARKS 256	/* OOM kills, exits and kills per track */
#define KW_REPORT_POINTS 2048	/* (second, cause) refusal counts per track */
#define KW_REPORT_OPEN 4096	/* listeners open at once, followed */
#define KW_REPORT_TIMELINE 400	/* timeline lines kept */
#define KW_REPORT_REPEATS 1024	/* explanations with repeats, listed */
#define KW_REPORT_SPREAD_MAX 600 /* seconds a repeat window is spread over */

enum kw_report_track_kind { KW_RT_TRACK_HOST, KW_RT_TRACK_CONTAINER, KW_RT_TRACK_SERVICE,
			    KW_RT_TRACK_UNKNOWN, KW_RT_TRACK_OTHER };

enum kw_report_mark_kind {
	KW_MARK_OOM,		/* an OOM kill: usage against the limit */
	KW_MARK_EXIT,		/* an exit with a code */
	KW_MARK_KILLED,		/* an exit by a signal */
	KW_MARK_SIGNAL,		/* SIGKILL or SIGTERM sent */
};

/* a listener's life; labels are raw (unescaped) text */
struct kw_report_span {
	uint64_t start_ns, end_ns;	/* boot time */
	bool from_before;		/* listening before the trace began */
	bool open_at_end;		/* still listening when the trace ended */
	char label[112];		/* "0.0.0.0:8001 (python3 42)" */
	char end[48];			/* "closed", "owner killed by SIGKILL" */
};

struct kw_report_mark {
	uint64_t ts_ns;
	uint8_t kind;			/* enum kw_report_mark_kind */
	uint64_t usage_bytes, limit_bytes;	/* KW_MARK_OOM; limit ~0: none */
	char label[200];		/* the event's text line, without its time */
};

struct kw_report_point {
	uint32_t sec;			/* boot seconds */
	uint8_t cause;
	uint32_t count;
};

struct kw_report_track {
	bool used;
	uint8_t kind;			/* enum kw_report_track_kind */
	char key[72];			/* container id, "host", "" unknown */
	char name[400];			/* "container web (pod ns/web-1)", raw */
	uint32_t nr_spans, nr_marks, nr_points;
	uint64_t spans_dropped, marks_dropped, points_dropped;
	uint64_t refusals, ooms;
	struct kw_report_span spans[KW_REPORT_SPANS];
	struct kw_report_mark marks[KW_REPORT_MARKS];
	struct kw_report_point points[KW_REPORT_POINTS];
};

struct kw_report_open {
	struct kw_ev_listen ev;
	struct kw_report_track *track;
};

enum kw_report_line_kind { KW_LINE_EVENT, KW_LINE_EXPLANATION };

/* one line of the timeline; text is the text line kwhy prints (already
 * escaped for a terminal: no controls), without its time */
struct kw_report_line {
	uint64_t ts_ns;
	uint32_t seq;			/* order of arrival */
	uint8_t kind;			/* enum kw_report_line_kind */
	uint8_t cause;			/* KW_LINE_EXPLANATION */
	uint64_t ex_id;
	uint8_t ev_type;		/* KW_LINE_EVENT */
	char place[160];		/* where, as kw_place_text says it */
	char text[360];
};

struct kw_report_repeat {
	uint64_t ex_id;
	uint8_t cause;
	uint64_t total;			/* occurrences, the explained one included */
	char dest[64];
};

struct kw_report;
typedef void kw_report_ex_fn(struct kw_report *r, const struct kw_explanation *ex);

struct kw_report {
	struct kw_exporter *c;		/* header, pipeline, counters, times */
	kw_report_ex_fn *on_explanation;	/* the renderer's, as they come */
	void *ctx;			/* the renderer's */
	uint64_t per_type[KW_EV_MAX];
	uint64_t explained[KW_CAUSE_MAX];	/* explanations */
	uint64_t occurrences[KW_CAUSE_MAX];	/* with their repeats */
	uint64_t nr_explanations;
	uint64_t resyncs;
	struct kw_report_track tracks[KW_REPORT_TRACKS];
	uint32_t nr_tracks;
	struct kw_report_track other;	/* past KW_REPORT_TRACKS */
	struct kw_report_open open[KW_REPORT_OPEN];
	uint32_t nr_open;
	uint64_t open_dropped;
	struct kw_report_line lines[KW_REPORT_TIMELINE];
	uint32_t nr_lines;
	uint64_t lines_dropped;
	struct kw_report_repeat repeats[KW_REPORT_REPEATS];
	uint32_t nr_repeats;
	uint64_t repeats_dropped;
};

/* r->c and r->on_explanation set, the rest zeroed; then sinks for
 * kw_pipeline_init, and at the end of the trace kw_report_finish */
struct kw_sinks kw_report_sinks(struct kw_report *r);
/* the listeners still open end with the trace */
void kw_report_finish(struct kw_report *r);

/* a cause as a heading says it: "wrong address" */
const char *kw_report_cause_title(uint8_t cause);
/* the tracks in use, in the order they appeared, the shared one last */
uint32_t kw_report_track_list(const struct kw_report *r, const struct kw_report_track **out,
			      uint32_t max);

#endif
