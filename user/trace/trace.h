/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kwhy trace files: what `kwhy record` / `watch --record` write and
 * `replay`, `export` and `info` read.
 *
 * Layout (all integers little-endian):
 *   "KWHYTRC\n"                 8 bytes, magic
 *   u32 format_version          KW_TRACE_VERSION
 *   u32 header_len              bytes of the header that follows
 *   header                      a JSON object (self-describing, see below)
 *   body                        one zlib stream of frames, sync-flushed at
 *                               least every second, finished on close
 * A frame: u32 length of the payload, u16 kind, u16 reserved (0), payload.
 *   KW_FRAME_EVENT    an event record exactly as in include/kwhy/events.h
 *                     (ABI version in the header), as fed to the pipeline
 *   KW_FRAME_FLUSH    the end of a delivery batch (the pipeline's flush):
 *                     u64 CLOCK_BOOTTIME ns of that moment
 *   KW_FRAME_COUNTERS struct kw_counters, summed over CPUs, at that time
 *
 * The header: {"format":1,"abi":1,"kwhy":"<version>","host":"…",
 * "kernel":"…","boot_id":"…","boot_to_wall_ns":N,"mono_to_wall_ns":N,
 * "started":"<RFC 3339>","part":N,"attached":[…],"unavailable":[…],
 * "target":null|"…","enums":{"sk_rst_reason":[[value,"NAME"],…],
 * "skb_drop_reason":[…]}}
 *
 * Everything read from a file is untrusted: sizes are checked against
 * fixed bounds before anything is allocated, and damage is reported with
 * its offset, after the frames that were intact.
 */
#ifndef KWHY_TRACE_H
#define KWHY_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/event.h"
#include "core/enums.h"

#define KW_TRACE_MAGIC "KWHYTRC\n"
#define KW_TRACE_VERSION 1
#define KW_TRACE_PREAMBLE 16		/* magic, version, header length */
#define KW_TRACE_HEADER_MAX (1u << 20)	/* bytes of header JSON accepted */
#define KW_TRACE_FRAME_MAX 4096		/* bytes of one frame's payload */

enum kw_frame_kind {
	KW_FRAME_EVENT = 1,
	KW_FRAME_FLUSH = 2,
	KW_FRAME_COUNTERS = 3,
};

/* What the header says, decoded. */
struct kw_trace_info {
	uint32_t format;
	uint32_t abi;
	char kwhy_version[64];
	char host[256];
	char kernel[128];
	char boot_id[64];
	char started[48];
	char target[300];		/* "" when the whole host */
	int64_t boot_to_wall_ns;
	int64_t mono_to_wall_ns;
	uint32_t part;			/* 0 first file, then 1, 2, ... rotation */
	char attached[1024];		/* comma-separated event names */
	struct kw_enum_table rst_reasons;
	struct kw_enum_table drop_reasons;
};

/* ---- writing ---- */

struct kw_trace_writer;

struct kw_trace_opts {
	const char *path;
	uint64_t max_size;		/* bytes per file before rotating, 0: never */
	uint32_t max_files;		/* files kept: path, path.1, ... (>= 1);
					 * 1 with max_size: the file is cut and
					 * started again when full */
	int level;			/* zlib level, default 6 */
	bool force;			/* replace path (and path.N) when they exist */
};

/* Callback that writes the state a new file starts with (after rotating):
 * the current listeners, cgroups, ... as ordinary event frames. */
typedef void (*kw_trace_state_fn)(struct kw_trace_writer *w, void *ctx);

/*
 * NULL with a message in err (cannot create the file, it exists, ...).
 * Files are created as util/safefile.h says: path, or one of the names
 * rotation will use (path.1 ...), existing already is refused unless
 * o->force.  With max_size, no file grows past it: a frame that could
 * make the file, finished, exceed max_size goes into the next file (the
 * header and the state a part starts with are always written whole), so
 * the trace takes at most max_size * max_files bytes.
 */
struct kw_trace_writer *kw_trace_open(const struct kw_trace_opts *o,
				      const struct kw_trace_info *info,
				      kw_trace_state_fn state, void *state_ctx,
				      char *err, size_t errlen);
/* Would kw_trace_open refuse o for a file in the way (path or one of the
 * rotated names existing, without o->force)?  0, or -1 with err: a check
 * before the slow start of a recording; kw_trace_open checks again. */
int kw_trace_names_free(const struct kw_trace_opts *o, char *err, size_t errlen);
int kw_trace_event(struct kw_trace_writer *w, const struct kw_event *ev);
int kw_trace_flush_mark(struct kw_trace_writer *w, uint64_t boot_ns);	/* KW_FRAME_FLUSH */
int kw_trace_counters(struct kw_trace_writer *w, const struct kw_counters *c);
/* make what was written readable after a crash: sync-flush and write out;
 * call at least once a second */
int kw_trace_sync(struct kw_trace_writer *w);
/* finish the stream and close; 0 or -errno */
int kw_trace_close(struct kw_trace_writer *w);
/* bytes written to the current file, and write errors so far */
uint64_t kw_trace_bytes(const struct kw_trace_writer *w);
/* the first write error (-errno), 0 when none: the frame functions return
 * it too, this says it without writing */
int kw_trace_error(struct kw_trace_writer *w);

/* ---- reading ---- */

struct kw_trace_reader;

struct kw_frame {
	enum kw_frame_kind kind;
	struct kw_event ev;		/* KW_FRAME_EVENT, validated */
	struct kw_counters counters;	/* KW_FRAME_COUNTERS */
	uint64_t flush_ns;		/* KW_FRAME_FLUSH: boot time of the flush */
	uint64_t offset;		/* of the frame in the uncompressed body */
	uint32_t len;			/* of its payload: a counters frame of an
					 * older writer is shorter than counters */
};

/* NULL with a message (and the offset where it went wrong) in err:
 * not a kwhy trace, a newer format ("format version N is newer than this
 * kwhy (M)"), a damaged header.  f is read from its current position and
 * not closed by the reader. */
struct kw_trace_reader *kw_trace_read_open(FILE *f, struct kw_trace_info *info, char *err,
					   size_t errlen);
/* 1: a frame; 0: the end of the file; -1: damage, with err saying what
 * and where (the frames before it were good) */
int kw_trace_next(struct kw_trace_reader *r, struct kw_frame *fr, char *err, size_t errlen);
/* true when the stream ended without its proper end (a recorder killed) */
bool kw_trace_truncated(const struct kw_trace_reader *r);
void kw_trace_read_close(struct kw_trace_reader *r);

#endif
