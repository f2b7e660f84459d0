/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `kwhy export FILE --format jsonl|otlp|perfetto [-o OUT]`: a trace run
 * through the same pipeline as replay, written for other tools.
 *
 *   jsonl     exactly what `kwhy replay FILE --json` prints
 *   otlp      OpenTelemetry logs as the OTLP File Exporter writes them: JSON
 *             lines, each one LogsData object of up to KW_OTLP_BATCH log
 *             records (events, explanations, repeat summaries), for the
 *             collector's otlpjsonfile receiver
 *   perfetto  Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing):
 *             a process track per container, listener lifetimes as spans,
 *             deaths, refusals and failures as instants, memory usage and
 *             limit at each OOM kill as counters; ts is wall-clock
 *             microseconds
 *
 * Streamed: frames are read one at a time and records written as they
 * come.  What is held is bounded: the open listeners (KW_EXPORT_LISTENERS)
 * and the container tracks (KW_EXPORT_TRACKS).
 */
#ifndef KWHY_EXPORT_H
#define KWHY_EXPORT_H

#include "cmd/opts.h"
#include "output/otlp.h"		/* KW_OTLP_BATCH */
#include "output/perfetto.h"		/* KW_EXPORT_LISTENERS, KW_EXPORT_TRACKS */

/* Export o->file in o->format to o->out (created or truncated) or stdout.
 * Returns an exit code (opts.h): damage in the trace is reported on stderr
 * with its offset, after what came before it was exported, as replay does. */
int kw_export(const struct kw_opts *o);

#endif
