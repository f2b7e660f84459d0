/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* OpenTelemetry logs as the OTLP File Exporter writes them: JSON lines,
 * each one LogsData object of up to KW_OTLP_BATCH log records (events,
 * explanations, repeat summaries), for the collector's otlpjsonfile
 * receiver.  Attributes follow the semantic conventions. */
#ifndef KWHY_OUTPUT_OTLP_H
#define KWHY_OUTPUT_OTLP_H

#include <stdint.h>
#include "output/exporter.h"
#include "util/json.h"

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

/* ---- live export (watch --otlp-endpoint): OTLP/HTTP JSON requests ---- */

/* who sends: the resource of every request */
struct kw_otlp_resource {
	const char *host;
	const char *version;
	const char *kernel;
	const char *boot_id;
	const char *target;		/* NULL: the whole host */
};

/* "resource":{"attributes":[...]} inside the object j is in */
void kw_otlp_resource_json(struct kw_json *j, const struct kw_otlp_resource *r);
/* an ExportLogsServiceRequest up to its first log record, and its end */
void kw_otlp_logs_head(struct kw_buf *b, const struct kw_otlp_resource *r);
#define KW_OTLP_LOGS_TAIL "]}]}]}"
/* one explanation's log record (the attributes of the file export) at
 * the wall-clock time wall_ns, in b; b->truncated when it did not fit */
void kw_otlp_explanation_record(struct kw_buf *b, const struct kw_explanation *ex,
				uint64_t wall_ns);

#endif
