/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_FMT_EXPLAIN_H
#define KWHY_FMT_EXPLAIN_H

#include <stdbool.h>
#include "util/buf.h"
#include "output/format.h"
#include "core/pipeline.h"

/* one JSON object, or text lines (sentence, then the fix), no final newline */
void kw_format_explanation(struct kw_buf *b, bool json, const struct kw_explanation *ex,
			   const struct kw_fmt_ctx *ctx);
void kw_format_summary(struct kw_buf *b, bool json, const struct kw_summary *s,
		       const struct kw_fmt_ctx *ctx);

/* the facts of failed system calls' causes (explanation_sys.c) */
struct kw_fields;
void kw_put_sys_facts(struct kw_fields *f, const struct kw_explanation *ex);

#endif
