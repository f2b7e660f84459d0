/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turning decoded events into output lines: JSON (docs/json-schema.md) and
 * text for a person.  Pure: the same event and context give the same bytes. */
#ifndef KWHY_FORMAT_H
#define KWHY_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"
#include "core/event.h"
#include "kernel/kenum.h"

#define KW_JSON_SCHEMA 1

struct kw_fmt_ctx {
	int64_t boot_to_wall_ns;	/* wall clock = boot time + this */
	const struct kw_enum_table *rst_reasons;	/* enum sk_rst_reason */
	const struct kw_enum_table *drop_reasons;	/* enum skb_drop_reason */
	bool utc;			/* text: UTC instead of local time */
	bool color;			/* text: ANSI colours (a terminal, no NO_COLOR) */
};

/* "10.0.0.5:8001", "[fd00::5]:8080", "*:8001" when unknown */
void kw_fmt_endpoint(struct kw_buf *b, const struct kw_addr *a);
/* the address alone, "10.0.0.5" / "fd00::5" */
void kw_fmt_ip(struct kw_buf *b, const struct kw_addr *a);
/* RFC 3339 UTC with nanoseconds */
void kw_fmt_time_rfc3339(struct kw_buf *b, int64_t wall_ns);
/* "64.0 MiB" / "1.5 GiB" */
void kw_fmt_bytes(struct kw_buf *b, uint64_t bytes);
/* "15:04:05.123" in local time (or UTC) */
void kw_fmt_time_short(struct kw_buf *b, int64_t wall_ns, bool utc);

/* One JSON object, no newline; with an event id ("id") when id != 0. */
void kw_format_json(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx);
void kw_format_json_id(struct kw_buf *b, const struct kw_event *ev, uint64_t id,
		       const struct kw_fmt_ctx *ctx);
/* One text line, no newline. */
void kw_format_text(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx);

/* Name of a reset reason (or drop reason, for the kfree_skb source). */
const char *kw_reset_reason_name(const struct kw_ev_conn *c, const struct kw_fmt_ctx *ctx);

#endif
