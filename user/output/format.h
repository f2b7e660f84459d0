/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turning decoded events into output lines: JSON (docs/json-schema.md) and
 * text for a person.  Pure: the same event and context give the same bytes. */
#ifndef KWHY_FORMAT_H
#define KWHY_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/textfmt.h"
#include "core/event.h"
#include "core/enums.h"

#define KW_JSON_SCHEMA 2

struct kw_fmt_ctx {
	int64_t boot_to_wall_ns;	/* wall clock = boot time + this */
	const struct kw_enum_table *rst_reasons;	/* enum sk_rst_reason */
	const struct kw_enum_table *drop_reasons;	/* enum skb_drop_reason */
	bool utc;			/* text: UTC instead of local time */
	bool color;			/* text: ANSI colours (a terminal, no NO_COLOR) */
};

/* One JSON object, no newline; with an event id ("id") when id != 0. */
void kw_format_json(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx);
void kw_format_json_id(struct kw_buf *b, const struct kw_event *ev, uint64_t id,
		       const struct kw_fmt_ctx *ctx);
/* One text line, no newline. */
void kw_format_text(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx);

/* Name of a reset reason (or drop reason, for the kfree_skb source). */
static inline const char *kw_fmt_reset_reason(const struct kw_ev_conn *c,
					      const struct kw_fmt_ctx *ctx)
{
	return kw_reset_reason_name(c, ctx->rst_reasons, ctx->drop_reasons);
}

#endif
