/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* OpenTelemetry logs as the OTLP File Exporter writes them: JSON lines,
 * each one LogsData object of up to KW_OTLP_BATCH log records (events,
 * explanations, repeat summaries), for the collector's otlpjsonfile
 * receiver.  Attributes follow the semantic conventions. */
#ifndef KWHY_OUTPUT_OTLP_H
#define KWHY_OUTPUT_OTLP_H

#include <stdint.h>
#include "output/exporter.h"

#define KW_OTLP_BATCH 512		/* log records per line */

struct kw_otlp {
	struct kw_exporter *c;		/* what every back-end shares */
	char head[8192];		/* a line up to its first log record */
	uint32_t n;			/* records on the current line */
};

/* after c's trace header is read: the resource of every line */
void kw_otlp_begin(struct kw_otlp *ot);
/* sinks for kw_pipeline_init */
struct kw_sinks kw_otlp_sinks(struct kw_otlp *ot);
/* ends the last line */
void kw_otlp_finish(struct kw_otlp *ot);

#endif
