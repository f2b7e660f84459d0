/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing): a process
 * track per container, listener lifetimes as spans, deaths, refusals and
 * failures as instants, memory usage and limit at each OOM kill as
 * counters; ts is wall-clock microseconds.  What is held is bounded: the
 * open listeners (KW_EXPORT_LISTENERS) and the tracks (KW_EXPORT_TRACKS). */
#ifndef KWHY_OUTPUT_PERFETTO_H
#define KWHY_OUTPUT_PERFETTO_H

#include <stdbool.h>
#include <stdint.h>
#include "output/exporter.h"

#define KW_EXPORT_LISTENERS 4096	/* open listeners tracked */
#define KW_EXPORT_TRACKS 1024		/* containers with a track */

#define KW_PF_TRACK_SLOTS (2 * KW_EXPORT_TRACKS)
#define KW_PF_PRE_LANES 16	/* per track: listeners opened before the trace */
#define KW_PF_LANE_ENDS 64	/* per track: lanes whose last end is kept */

/* a perfetto process: the host, a container, a service */
struct kw_pf_track {
	bool used;
	uint8_t kind;
	uint32_t pid;
	char key[72];			/* container id, "host", "" unknown */
	uint32_t lanes_named;		/* thread_name written for lanes below this */
	uint32_t pre_named;
	/* where the last span of a lane ended: a span starting before it (the
	 * CPUs' events are ordered only roughly) starts there instead; lanes
	 * past KW_PF_LANE_ENDS (that many listeners open at once) are not
	 * checked */
	uint64_t lane_end[KW_PF_LANE_ENDS];
	uint64_t pre_end[KW_PF_PRE_LANES];	/* 0: never used */
};

struct kw_pf_listener {
	struct kw_ev_listen ev;		/* its listen event */
	uint64_t id;
	struct kw_pf_track *track;
	uint32_t lane;
};

struct kw_perfetto {
	struct kw_exporter *c;		/* what every back-end shares */
	char meta[2048];
	uint64_t n;			/* trace events written */
	struct kw_pf_track tracks[KW_PF_TRACK_SLOTS];
	uint32_t nr_tracks, next_pid;
	struct kw_pf_track other;	/* the tracks are full: everything else */
	struct kw_pf_listener open[KW_EXPORT_LISTENERS];
	uint32_t nr_open;
	uint64_t evicted;
	bool lane_busy[KW_EXPORT_LISTENERS + 1];
	const struct kw_event *cur;	/* an event whose instant waits for the
					 * explanation it triggers */
	uint64_t cur_id;
	bool cur_has_ex;
	struct kw_explanation cur_ex;
};

void kw_perfetto_begin(struct kw_perfetto *pf);
/* sinks for kw_pipeline_init */
struct kw_sinks kw_perfetto_sinks(struct kw_perfetto *pf);
/* one event of the trace through c's pipeline, in place of
 * kw_pipeline_event */
void kw_perfetto_event(struct kw_perfetto *pf, const struct kw_event *ev);
/* ends the open spans and writes the metadata */
void kw_perfetto_finish(struct kw_perfetto *pf);

#endif
