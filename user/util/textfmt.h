/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Addresses, sizes and times as people read them: the text pieces shared by
 * the explanations (core) and every output. */
#ifndef KWHY_TEXTFMT_H
#define KWHY_TEXTFMT_H

#include <stdbool.h>
#include <stdint.h>
#include "kwhy/events.h"
#include "util/buf.h"

/* "10.0.0.5:8001", "[fd00::5]:8080", "*:8001" when unknown */
void kw_fmt_endpoint(struct kw_buf *b, const struct kw_addr *a);
/* the address alone, "10.0.0.5" / "fd00::5" */
void kw_fmt_ip(struct kw_buf *b, const struct kw_addr *a);
/*
 * A CLOCK_BOOTTIME time as wall-clock time: boot_ns + boot_to_wall_ns,
 * both of which may come from an untrusted trace, so saturated at the ends
 * of int64_t instead of overflowing (undefined, and a nonsense date).
 */
static inline int64_t kw_boot_to_wall(uint64_t boot_ns, int64_t boot_to_wall_ns)
{
	int64_t b = boot_ns > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)boot_ns, w;

	if (__builtin_add_overflow(b, boot_to_wall_ns, &w))
		return boot_to_wall_ns > 0 ? INT64_MAX : INT64_MIN;
	return w;
}

/* RFC 3339 UTC with nanoseconds */
void kw_fmt_time_rfc3339(struct kw_buf *b, int64_t wall_ns);
/* "nginx pid 41": the comm escaped for a terminal, bounded by its field */
void kw_fmt_task(struct kw_buf *b, const struct kw_task *t);
/* "64.0 MiB" / "1.5 GiB" */
void kw_fmt_bytes(struct kw_buf *b, uint64_t bytes);
/* a duration as a sentence says it: "300 ms", or "1.2 s" from a second */
void kw_fmt_duration(struct kw_buf *b, uint64_t ns);
/* "srw-rw----": a st_mode's file type and permissions as ls -l shows
 * them, '?' for a type that is none of the seven (any 32 bits in) */
#define KW_MODE_TEXT_LEN 11
void kw_fmt_mode(char out[KW_MODE_TEXT_LEN], uint32_t mode);
/* A UNIX socket path as ss(8) shows it, into out (NUL-terminated, at
 * most KW_UNIX_TEXT_LEN with the NUL): a filesystem path as it is, an
 * abstract name as "@name" (its NUL bytes as '@'), "" for none.  Not
 * escaped: the caller escapes for its output. */
#define KW_UNIX_TEXT_LEN (KW_UNIX_PATH_LEN + 2)
void kw_unix_path_text(char out[KW_UNIX_TEXT_LEN], const char *path, uint32_t len);
/* the same, escaped for a terminal */
void kw_fmt_unix_path(struct kw_buf *b, const char *path, uint32_t len);
/* "15:04:05.123" in local time (or UTC) */
void kw_fmt_time_short(struct kw_buf *b, int64_t wall_ns, bool utc);

#endif
