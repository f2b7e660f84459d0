/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The input of tests/fuzz/fuzz_pipeline.c: a trace's frames, uncompressed
 * and without the trace header, after a small fixed prelude for what the
 * header and the command line would set.  All integers little-endian.
 *
 *   prelude (16 bytes)
 *     u8  opts          FZ_OPT_*
 *     u8  reserved
 *     u16 window_s      --window (model.recent_ns), 0: the default
 *     u32 summary_ms    the summary interval, 0: the default
 *     i64 boot_to_wall  the header's boot_to_wall_ns (any value)
 *   frames, as in a trace body: u32 payload length, u16 kind, u16 (any),
 *   payload (at most KW_TRACE_FRAME_MAX bytes)
 *     KW_FRAME_EVENT     an event record (include/kwhy/events.h)
 *     KW_FRAME_FLUSH     u64 boot ns, or empty (a flush without a time)
 *     KW_FRAME_COUNTERS  struct kw_counters, or a prefix of it
 *     FZ_FRAME_ENUM      what a header's enum tables hold: u8 table (even:
 *                        sk_rst_reason, odd: skb_drop_reason), u32 value,
 *                        then the name's bytes
 *     FZ_FRAME_INFO      a string of the header: u8 which (FZ_INFO_*), then
 *                        its bytes (the header's strings are untrusted too)
 *     FZ_FRAME_FILTER    the offline filters of replay, export and report:
 *                        u32 --pid (0: none), u16 --port (0: none), then
 *                        the --container string's bytes (none: no
 *                        --container)
 * Enum, info and filter frames apply wherever they are, before the
 * events, as a header or the command line would (the last filter wins).  A frame of another kind, and the bytes after the last
 * whole frame, are ignored.
 *
 * tests/fuzz/mkseeds.c writes the seeds in this form from the golden
 * traces and from hand-made stories of each event type.
 */
#ifndef KWHY_FUZZ_PIPELINE_INPUT_H
#define KWHY_FUZZ_PIPELINE_INPUT_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#define FZ_PRELUDE 16
#define FZ_FRAME_HDR 8
#define FZ_FRAME_ENUM 8
#define FZ_FRAME_INFO 9
#define FZ_FRAME_FILTER 10

#define FZ_OPT_UTC	(1u << 0)	/* text: --utc */
#define FZ_OPT_COLOR	(1u << 1)	/* text: colours */
#define FZ_OPT_BACK	(1u << 2)	/* the target record: "back", not "gone" */
#define FZ_OPT_FOLLOWS	(1u << 3)	/* ... it follows; the trace: --keep-going */

enum fz_info { FZ_INFO_HOST, FZ_INFO_KERNEL, FZ_INFO_VERSION, FZ_INFO_BOOT_ID, FZ_INFO_STARTED,
	       FZ_INFO_TARGET, FZ_INFO_ATTACHED, FZ_INFO_FILE, FZ_INFO_N };

struct fz_prelude {
	uint8_t opts;
	uint16_t window_s;
	uint32_t summary_ms;
	int64_t boot_to_wall;
};

static inline void fz_prelude_get(const uint8_t *p, struct fz_prelude *pre)
{
	uint16_t w;
	uint32_t s;
	uint64_t b;

	memcpy(&w, p + 2, 2);
	memcpy(&s, p + 4, 4);
	memcpy(&b, p + 8, 8);
	pre->opts = p[0];
	pre->window_s = le16toh(w);
	pre->summary_ms = le32toh(s);
	pre->boot_to_wall = (int64_t)le64toh(b);
}

static inline void fz_prelude_put(uint8_t *p, const struct fz_prelude *pre)
{
	uint16_t w = htole16(pre->window_s);
	uint32_t s = htole32(pre->summary_ms);
	uint64_t b = htole64((uint64_t)pre->boot_to_wall);

	p[0] = pre->opts;
	p[1] = 0;
	memcpy(p + 2, &w, 2);
	memcpy(p + 4, &s, 4);
	memcpy(p + 8, &b, 8);
}

/* One frame at p (n bytes left): its kind, payload and length; the bytes
 * it takes, or 0 when no whole frame is left. */
static inline size_t fz_frame_get(const uint8_t *p, size_t n, uint16_t *kind,
				  const uint8_t **payload, uint32_t *len)
{
	uint32_t l;
	uint16_t k;

	if (n < FZ_FRAME_HDR)
		return 0;
	memcpy(&l, p, 4);
	memcpy(&k, p + 4, 2);
	l = le32toh(l);
	if (l > n - FZ_FRAME_HDR)
		return 0;
	*kind = le16toh(k);
	*payload = p + FZ_FRAME_HDR;
	*len = l;
	return FZ_FRAME_HDR + (size_t)l;
}

static inline void fz_frame_hdr_put(uint8_t *p, uint16_t kind, uint32_t len)
{
	uint32_t l = htole32(len);
	uint16_t k = htole16(kind), z = 0;

	memcpy(p, &l, 4);
	memcpy(p + 4, &k, 2);
	memcpy(p + 6, &z, 2);
}

#endif
