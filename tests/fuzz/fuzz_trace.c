// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the trace-file reader (user/trace.c): the input is
 * a whole trace file, read through a FILE as `kwhy replay` reads one.
 * Built and run by tests/fuzz/run.sh.
 *
 * Besides "no crash, no hang, no leak", it checks the reader's promises:
 * every failure comes with a message, damage in the body names an offset,
 * frames come back in body order and events are validated, and a clean
 * end comes only after every whole frame in the body (worked out with
 * zlib in one go) came back: none is lost at the end of a cut file.
 *
 * Most mutations of a zlib stream only reach zlib's own error paths, so a
 * custom mutator also inflates the body, mutates the frames themselves (or
 * the JSON header) and deflates them again: that gets the fuzzer past the
 * checksums into the frame parser and the event validation.
 *
 * Built with -DKW_FUZZ_MKCORPUS instead (no libFuzzer) it is the program
 * that wrote the seed corpus in tests/fuzz/corpus/ with the real writer:
 * `tests/fuzz/run.sh --mkcorpus DIR`.
 */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "trace/trace.h"

/* a file of more frames than this is read only this far: bounds the time
 * one input can take (a small input can inflate to many frames) */
#define FUZZ_MAX_FRAMES 100000

#ifndef KW_FUZZ_MKCORPUS

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_trace: broken promise: %s\n", what);
		abort();
	}
}

static void check_info(const struct kw_trace_info *info)
{
	/* strings from the header are bounded and terminated */
	check(memchr(info->host, 0, sizeof(info->host)) != NULL, "host unterminated");
	check(memchr(info->target, 0, sizeof(info->target)) != NULL, "target unterminated");
	check(memchr(info->attached, 0, sizeof(info->attached)) != NULL,
	      "attached unterminated");
	check(info->rst_reasons.n <= KW_ENUM_MAX && info->drop_reasons.n <= KW_ENUM_MAX,
	      "enum table overflow");
	check(info->abi == KW_ABI_VERSION, "a header of another ABI was accepted");
	check(info->format <= KW_TRACE_VERSION, "a newer format was accepted");
}

/* The number of whole frames in the body of data, inflated in one go, or
 * -1 when it inflates to more than the buffer (then nothing is checked). */
static long whole_frames(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 20];
	size_t head, got, pos = 0;
	uint32_t le;
	long n = 0;
	z_stream z;

	memcpy(&le, data + 12, 4);
	head = 16 + (size_t)le32toh(le);
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (uint8_t *)data + head;
	z.avail_in = size - head;
	z.next_out = out;
	z.avail_out = sizeof(out);
	inflate(&z, Z_SYNC_FLUSH);
	got = sizeof(out) - z.avail_out;
	inflateEnd(&z);
	if (!z.avail_out)
		return -1;
	for (int i = 0; i < FUZZ_MAX_FRAMES && pos + 8 <= got; i++, n++) {
		memcpy(&le, out + pos, 4);
		if (le32toh(le) > got - pos - 8)
			break;
		pos += 8 + le32toh(le);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* static: the info is ~50 KiB, the frame ~800 bytes */
	static struct kw_trace_info info;
	static struct kw_frame fr;
	struct kw_trace_reader *r;
	char err[320];
	uint64_t next_at = 0;
	long frames = 0;
	FILE *f;
	int n = 1;

	/* fmemopen refuses an empty buffer; an empty file is covered by
	 * the unit tests */
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	err[0] = '\0';
	r = kw_trace_read_open(f, &info, err, sizeof(err));
	if (!r) {
		check(err[0] != '\0', "read_open failed without a message");
		fclose(f);
		return 0;
	}
	check_info(&info);
	for (int i = 0; i < FUZZ_MAX_FRAMES; i++) {
		n = kw_trace_next(r, &fr, err, sizeof(err));
		if (n != 1)
			break;
		frames++;
		check(fr.offset >= next_at, "frames out of body order");
		switch (fr.kind) {
		case KW_FRAME_EVENT:
			check(fr.ev.hdr.size == kw_event_size(fr.ev.hdr.type) &&
			      fr.ev.hdr.size != 0, "an invalid event came back");
			next_at = fr.offset + 8 + fr.ev.hdr.size;
			break;
		case KW_FRAME_COUNTERS:
			/* four arrays of one counter per type this build or an
			 * older one knew */
			check(fr.len && fr.len <= sizeof(fr.counters) && fr.len % 32 == 0,
			      "a counters frame of an impossible size came back");
			next_at = fr.offset + 8 + fr.len;
			break;
		case KW_FRAME_FLUSH:
			next_at = fr.offset + 8;
			break;
		default:
			check(0, "a frame of an unknown kind came back");
		}
	}
	if (n < 0)
		check(strstr(err, "offset") != NULL, "damage reported without its offset");
	if (n == 0) {
		long want = whole_frames(data, size);

		/* a clean end: every frame was valid, so all must be here */
		check(want < 0 || frames == want, "a clean end before the last whole frame");
		(void)kw_trace_truncated(r);
	}
	kw_trace_read_close(r);
	fclose(f);
	return 0;
}

/* ---- structure-aware mutation ---- */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define MUT_BODY_MAX (256 * 1024)

/* The uncompressed body of a trace: whatever inflates before an error or
 * the end of the input.  Returns its length. */
static size_t inflate_body(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream z;
	size_t got;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (uint8_t *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	/* one call: the output buffer bounds the work */
	inflate(&z, Z_SYNC_FLUSH);
	got = cap - z.avail_out;
	inflateEnd(&z);
	return got;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static uint8_t body[MUT_BODY_MAX], zbody[MUT_BODY_MAX + 1024];
	uint32_t hlen, le;
	size_t blen, head;
	uLongf zlen = sizeof(zbody);

	/* half of the time, and whenever the input is no trace: plain byte
	 * mutations (damage to lengths, header, compressed data) */
	if (seed % 2 == 0 || size < 16 || memcmp(data, KW_TRACE_MAGIC, 8))
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(&le, data + 12, 4);
	hlen = le32toh(le);
	if (hlen > size - 16)
		return LLVMFuzzerMutate(data, size, max_size);
	head = 16 + (size_t)hlen;

	if (seed % 4 == 1) {
		/* the JSON header, keeping header_len right */
		size_t room = max_size - (size - head) - 16, nh;
		static uint8_t tail[64 * 1024];

		if (size - head > sizeof(tail) || max_size < size || room < hlen)
			return LLVMFuzzerMutate(data, size, max_size);
		memcpy(tail, data + head, size - head);
		nh = LLVMFuzzerMutate(data + 16, hlen, room);
		memcpy(data + 16 + nh, tail, size - head);
		le = htole32((uint32_t)nh);
		memcpy(data + 12, &le, 4);
		return 16 + nh + (size - head);
	}

	/* the frames: inflate, mutate, deflate (finished or only synced) */
	blen = inflate_body(data + head, size - head, body, sizeof(body) / 2);
	blen = LLVMFuzzerMutate(body, blen, sizeof(body));
	if (compress2(zbody, &zlen, body, blen, Z_DEFAULT_COMPRESSION) != Z_OK ||
	    head + zlen > max_size)
		return LLVMFuzzerMutate(data, size, max_size);
	/* a recorder killed after a sync leaves no adler32 trailer */
	if (seed % 8 == 3 && zlen > 4)
		zlen -= 4;
	memcpy(data + head, zbody, zlen);
	return head + zlen;
}

#else /* KW_FUZZ_MKCORPUS: write the seed corpus */

#include <errno.h>
#include <unistd.h>

static void fill_info(struct kw_trace_info *info, bool target)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->kwhy_version, sizeof(info->kwhy_version), "0.1-fuzz");
	snprintf(info->host, sizeof(info->host), "seed \"host\"");
	snprintf(info->kernel, sizeof(info->kernel), "6.1.0-18-amd64");
	snprintf(info->boot_id, sizeof(info->boot_id), "0f8b1d3c-4c1e-4a4e-9d36-0c7a9e1b2f00");
	snprintf(info->started, sizeof(info->started), "2024-05-01T12:00:00.000Z");
	snprintf(info->attached, sizeof(info->attached), "listen,connect_fail,oom_kill");
	if (target)
		snprintf(info->target, sizeof(info->target), "container web (0123456789ab)");
	info->boot_to_wall_ns = 1714560000000000000LL;
	info->mono_to_wall_ns = 1714560000000000001LL;
	kw_enum_add(&info->rst_reasons, 1, "NO_SOCKET", NULL);
	kw_enum_add(&info->rst_reasons, 2, "TCP_INVALID_ACK_SEQUENCE", NULL);
	kw_enum_add(&info->drop_reasons, 2, "NO_SOCKET", NULL);
}

static void make_event(struct kw_event *ev, unsigned int type, uint16_t port)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = kw_event_size(type);
	ev->hdr.ts_boot_ns = 1000000000ULL + port;
	ev->hdr.flags = KW_F_TASK | KW_F_NETNS;
	ev->hdr.netns_ino = 4026531840u;
	ev->hdr.task.pid = ev->hdr.task.tgid = 4242;
	snprintf(ev->hdr.task.comm, sizeof(ev->hdr.task.comm), "curl");
	if (type == KW_EV_LISTEN || type == KW_EV_CONNECT_FAIL) {
		struct kw_addr *a = type == KW_EV_LISTEN ? &ev->listen.local : &ev->conn.remote;

		a->family = 2;
		a->port = port;
		a->addr[0] = 127;
		a->addr[3] = 1;
	}
	if (type == KW_EV_CONNECT_FAIL)
		ev->conn.error = 111;
	if (type == KW_EV_CGROUP)
		snprintf(ev->cgroup.path, sizeof(ev->cgroup.path), "/system.slice/web.service");
}

static void state_fn(struct kw_trace_writer *w, void *ctx)
{
	struct kw_event ev;

	(void)ctx;
	make_event(&ev, KW_EV_LISTEN, 8080);
	ev.hdr.flags |= KW_F_SNAPSHOT;
	kw_trace_event(w, &ev);
	kw_trace_flush_mark(w, 1000005000ULL);
}

static void die(const char *what)
{
	fprintf(stderr, "mkcorpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die(path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void spit(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die(path);
}

/* Write a trace of the given event types with the real writer into buf;
 * with synced, also the file as it was after kw_trace_sync and before
 * close (what a recorder killed at that moment leaves). */
static size_t write_trace(const char *dir, const unsigned int *types, int n, bool target,
			  uint8_t *buf, size_t cap, uint8_t *synced, size_t *synced_len)
{
	static struct kw_trace_info info;
	struct kw_trace_opts o = { 0 };
	struct kw_trace_writer *w;
	struct kw_counters c;
	struct kw_event ev;
	char path[4096], err[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/.tmp.kwt", dir);
	o.path = path;
	fill_info(&info, target);
	w = kw_trace_open(&o, &info, NULL, NULL, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "mkcorpus: %s\n", err);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		make_event(&ev, types[i], 8000 + i);
		kw_trace_event(w, &ev);
	}
	kw_trace_flush_mark(w, 1000005000ULL);
	memset(&c, 0, sizeof(c));
	c.emitted[KW_EV_CONNECT_FAIL] = 3;
	c.lost[KW_EV_LISTEN] = 1;
	kw_trace_counters(w, &c);
	kw_trace_sync(w);
	if (synced)
		*synced_len = slurp(path, synced, cap);
	if (kw_trace_close(w))
		die("close");
	len = slurp(path, buf, cap);
	unlink(path);
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t buf[64 * 1024], synced[64 * 1024], tmp[64 * 1024];
	const unsigned int small[] = { KW_EV_LISTEN, KW_EV_CONNECT_FAIL, KW_EV_CONNECT_FAIL };
	unsigned int every[KW_EV_MAX - 1], nr_every = 0;
	static struct kw_trace_info info;
	struct kw_trace_opts o = { 0 };
	struct kw_trace_writer *w;
	struct kw_event ev;
	char path[4096], err[256];
	size_t len, slen, head;
	uint32_t le;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (unsigned int t = 1; t < KW_EV_MAX; t++)
		if (kw_event_size(t))	/* a number may be left free */
			every[nr_every++] = t;

	len = write_trace(argv[1], small, 3, false, buf, sizeof(buf), synced, &slen);
	spit(argv[1], "small.kwt", buf, len);
	spit(argv[1], "small-synced-unclosed.kwt", synced, slen);
	memcpy(&le, buf + 12, 4);
	head = 16 + le32toh(le);
	spit(argv[1], "small-cut-body.kwt", buf, head + (len - head) / 2);
	spit(argv[1], "small-cut-header.kwt", buf, 40);
	memcpy(tmp, buf, len);
	tmp[head + (len - head) / 3] ^= 0x40;
	spit(argv[1], "small-flipped-body.kwt", tmp, len);
	memcpy(tmp, buf, len);
	le = htole32(0xffffffffu);
	memcpy(tmp + 12, &le, 4);
	spit(argv[1], "small-header-len-huge.kwt", tmp, len);
	memcpy(tmp, buf, len);
	le = htole32(KW_TRACE_VERSION + 1);
	memcpy(tmp + 8, &le, 4);
	spit(argv[1], "small-version-newer.kwt", tmp, len);

	len = write_trace(argv[1], every, nr_every, true, buf, sizeof(buf), NULL, NULL);
	spit(argv[1], "every-type.kwt", buf, len);

	len = write_trace(argv[1], small, 0, false, buf, sizeof(buf), NULL, NULL);
	spit(argv[1], "no-events.kwt", buf, len);

	/* a rotated part: starts with the state the callback writes */
	snprintf(path, sizeof(path), "%s/.tmp-rot.kwt", argv[1]);
	o.path = path;
	o.max_size = 1;
	o.max_files = 2;
	fill_info(&info, false);
	w = kw_trace_open(&o, &info, state_fn, NULL, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "mkcorpus: %s\n", err);
		return 1;
	}
	make_event(&ev, KW_EV_CONNECT_FAIL, 9000);
	kw_trace_event(w, &ev);
	kw_trace_sync(w);
	kw_trace_event(w, &ev);	/* over max_size: rotates after this frame */
	kw_trace_event(w, &ev);
	if (kw_trace_close(w))
		die("close");
	len = slurp(path, buf, sizeof(buf));
	spit(argv[1], "rotated-part.kwt", buf, len);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.tmp-rot.kwt.1", argv[1]);
	unlink(path);
	return 0;
}

#endif
