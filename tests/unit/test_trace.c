// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Trace files (user/trace.c): what the writer writes the reader gives back
 * exactly (header, every event type, flush and counters frames), the body
 * is really compressed, synced data is readable while the recorder still
 * runs, rotation keeps self-contained parts, and every kind of damage -
 * a cut at any byte, flipped bytes, absurd lengths, a header that is no
 * JSON, another format or ABI - ends in a message, never in a crash or a
 * big allocation.  Inputs the fuzzer found (tests/fuzz/regress/) are read
 * again here.
 */
#include <check.h>
#include <dirent.h>
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "cmd/opts.h"
#include "cmd/replay.h"
#include "suites.h"
#include "testutil.h"
#include "trace/trace.h"

#define KEEP_FRAMES 64		/* frames a read-back keeps; more are counted */
#define READ_BOUND 200000	/* frames a read-back reads at most */
#define FILE_MAX (4 << 20)	/* bytes of a trace file the tests load */

/* ---- fixtures ---- */

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kwhy-test-trace-XXXXXX");
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %m");
	snprintf(path, sizeof(path), "%s/t.kwt", dir);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[256];

	/* the tests make a handful of files; the bound is only a guard */
	for (int i = 0; d && i < 1000 && (de = readdir(d)); i++) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* ---- making traces ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure repeats */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void fill_info(struct kw_trace_info *in, bool target)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->kwhy_version, sizeof(in->kwhy_version), "0.9-test-g1234567");
	/* characters JSON must escape, and UTF-8 */
	snprintf(in->host, sizeof(in->host), "db \"primary\" \\ h\xc3\xb4te\ttab");
	snprintf(in->kernel, sizeof(in->kernel), "6.1.0-18-amd64");
	snprintf(in->boot_id, sizeof(in->boot_id), "0f8b1d3c-4c1e-4a4e-9d36-0c7a9e1b2f00");
	snprintf(in->started, sizeof(in->started), "2024-05-01T12:00:00.123Z");
	snprintf(in->attached, sizeof(in->attached), "oom_kill,listen,connect_fail,reset_sent");
	if (target)
		snprintf(in->target, sizeof(in->target), "container web (0123456789ab)");
	in->boot_to_wall_ns = 1714560000123456789LL;
	in->mono_to_wall_ns = -42;
	in->part = 7;		/* the writer starts at part 0 whatever it is told */
	kw_enum_add(&in->rst_reasons, 0, "NOT_SPECIFIED", NULL);
	kw_enum_add(&in->rst_reasons, 1, "NO_SOCKET", NULL);
	kw_enum_add(&in->rst_reasons, UINT32_MAX,
		    "A_NAME_OF_FORTY_SEVEN_CHARACTERS_XXXXXXXXXXXXXX", NULL);
	kw_enum_add(&in->drop_reasons, 2, "NO_SOCKET", NULL);
	kw_enum_add(&in->drop_reasons, 77, "TCP_\"ODD\"_NAME", NULL);
}

/*
 * An event of type with pseudo-random contents, already in the form
 * kw_decode leaves it in (strings terminated, counts in range), so the
 * reader must give back exactly these bytes.
 */
static void make_event(struct kw_event *ev, unsigned int type, uint64_t seed)
{
	unsigned char *p = (unsigned char *)ev;
	struct kw_event check;
	char err[160];

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	memset(ev, 0, sizeof(*ev));
	for (size_t i = 0; i < kw_event_size(type); i++)
		p[i] = (unsigned char)rng();
	ev->hdr.type = type;
	ev->hdr.size = kw_event_size(type);
	ev->hdr.task.comm[KW_COMM_LEN - 1] = '\0';
	switch (type) {
	case KW_EV_OOM_KILL:
		ev->oom.victim.comm[KW_COMM_LEN - 1] = '\0';
		ev->oom.nr_levels = 3;
		ev->oom.limit_level = 1;
		break;
	case KW_EV_SIGNAL:
		ev->signal.target.comm[KW_COMM_LEN - 1] = '\0';
		break;
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE:
		ev->listen.closer.comm[KW_COMM_LEN - 1] = '\0';
		break;
	case KW_EV_CGROUP:
		ev->cgroup.path[KW_PATH_LEN - 1] = '\0';
		ev->cgroup.container_id[sizeof(ev->cgroup.container_id) - 1] = '\0';
		ev->cgroup.name[sizeof(ev->cgroup.name) - 1] = '\0';
		ev->cgroup.pod[sizeof(ev->cgroup.pod) - 1] = '\0';
		ev->cgroup.k8s_namespace[sizeof(ev->cgroup.k8s_namespace) - 1] = '\0';
		break;
	case KW_EV_MEMCG_PROCS:
		ev->memcg_procs.nr = 5;
		for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++)
			ev->memcg_procs.procs[i].comm[KW_COMM_LEN - 1] = '\0';
		break;
	case KW_EV_SOCK_HOLDERS:
		ev->sock_holders.nr = 3;
		for (int i = 0; i < KW_HOLDERS_MAX; i++)
			ev->sock_holders.holders[i].comm[KW_COMM_LEN - 1] = '\0';
		break;
	case KW_EV_HOST_MEM:
		ev->host_mem.nr_cgroups = 4;
		break;
	case KW_EV_BIND:
		ev->bind.ret = -98;	/* a system call's return: 0 or -errno */
		break;
	case KW_EV_ACCEPT_FAIL:
		ev->accept_fail.ret = -24;
		break;
	case KW_EV_UNIX_CONNECT_FAIL:
		ev->unix_conn.ret = -111;
		memset(ev->unix_conn.path, 0, KW_UNIX_PATH_LEN);
		memcpy(ev->unix_conn.path, "/run/x.sock", 11);
		ev->unix_conn.path_len = 11;
		break;
	case KW_EV_UNIX_LISTEN:
		memset(ev->unix_listen.path, 0, KW_UNIX_PATH_LEN);
		memcpy(ev->unix_listen.path, "\0abstract", 9);	/* an abstract name */
		ev->unix_listen.path_len = 9;
		break;
	case KW_EV_UNIX_PATH:
		ev->unix_path.path_len = KW_UNIX_PATH_LEN;
		memset(ev->unix_path.path, 'p', KW_UNIX_PATH_LEN);
		break;
	case KW_EV_LISTEN_QUEUE:
		ev->listen_queue.nr = 2;
		for (int i = 0; i < KW_HOLDERS_MAX; i++)
			ev->listen_queue.holders[i].comm[KW_COMM_LEN - 1] = '\0';
		break;
	default:
		break;
	}
	/* the premise of exact comparisons: decoding changes nothing */
	ck_assert_int_eq(kw_decode(ev, ev->hdr.size, &check, err, sizeof(err)), 0);
	ck_assert(!memcmp(&check, ev, sizeof(check)));
}

/* a connection failure to 127.0.0.1:port, as the recorder would see one */
static void make_connect_fail(struct kw_event *ev, uint16_t port, uint64_t ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = KW_EV_CONNECT_FAIL;
	ev->hdr.size = sizeof(ev->conn);
	ev->hdr.ts_boot_ns = ts;
	ev->hdr.ts_mono_ns = ts - 1000;
	ev->hdr.flags = KW_F_TASK | KW_F_NETNS;
	ev->hdr.netns_ino = 4026531840u;
	ev->hdr.task.pid = ev->hdr.task.tgid = 4242;
	snprintf(ev->hdr.task.comm, sizeof(ev->hdr.task.comm), "curl");
	ev->conn.remote.family = 2;
	ev->conn.remote.port = port;
	ev->conn.remote.addr[0] = 127;
	ev->conn.remote.addr[3] = 1;
	ev->conn.local = ev->conn.remote;
	ev->conn.local.port = 40000 + port % 1000;
	ev->conn.error = 111;
	ev->conn.source = KW_SRC_SET_STATE;
	ev->conn.reset_received = 1;
}

/* what a test wrote, in order, to compare with what comes back */
struct expect {
	int n;
	enum kw_frame_kind kind[KEEP_FRAMES];
	struct kw_event ev[KEEP_FRAMES];
	struct kw_counters counters[KEEP_FRAMES];
	uint64_t flush_ns[KEEP_FRAMES];
};

static struct expect want;

static struct kw_trace_writer *open_writer(const struct kw_trace_opts *o,
					   const struct kw_trace_info *in, kw_trace_state_fn fn,
					   void *ctx)
{
	char err[320] = "";
	struct kw_trace_writer *w = kw_trace_open(o, in, fn, ctx, err, sizeof(err));

	ck_assert_msg(w != NULL, "kw_trace_open: %s", err);
	return w;
}

static void put_event(struct kw_trace_writer *w, const struct kw_event *ev)
{
	ck_assert_int_eq(kw_trace_event(w, ev), 0);
	ck_assert_int_lt(want.n, KEEP_FRAMES);
	want.kind[want.n] = KW_FRAME_EVENT;
	want.ev[want.n++] = *ev;
}

static void put_flush(struct kw_trace_writer *w)
{
	/* a distinct time per flush, with bits in every byte */
	uint64_t ns = 0x0102030405060708ULL * (uint64_t)(want.n + 1);

	ck_assert_int_eq(kw_trace_flush_mark(w, ns), 0);
	ck_assert_int_lt(want.n, KEEP_FRAMES);
	want.flush_ns[want.n] = ns;
	want.kind[want.n++] = KW_FRAME_FLUSH;
}

static void put_counters(struct kw_trace_writer *w, uint64_t seed)
{
	struct kw_counters c;

	for (int t = 0; t < KW_EV_COUNTED; t++) {
		c.emitted[t] = seed * 1000 + t;
		c.lost[t] = seed * 2000 + t;
		c.aggregated[t] = UINT64_MAX - t - seed;
		c.filtered[t] = (uint64_t)t << 40;
	}
	ck_assert_int_eq(kw_trace_counters(w, &c), 0);
	ck_assert_int_lt(want.n, KEEP_FRAMES);
	want.kind[want.n] = KW_FRAME_COUNTERS;
	want.counters[want.n++] = c;
}

/* A small trace of every frame kind: each event type, repeated events (so
 * deflate makes long matches), flushes and counters.  Leaves it open. */
static struct kw_trace_writer *write_small(const char *p, const struct kw_trace_info *in)
{
	struct kw_trace_opts o = { .path = p };
	struct kw_trace_writer *w = open_writer(&o, in, NULL, NULL);
	struct kw_event ev;

	memset(&want, 0, sizeof(want));
	for (unsigned int t = 1; t < KW_EV_MAX; t++) {
		if (!kw_event_size(t))	/* a number left free */
			continue;
		make_event(&ev, t, t);
		put_event(w, &ev);
	}
	put_flush(w);
	for (int i = 0; i < 4; i++) {
		make_connect_fail(&ev, 9000, 5000000000ULL);
		put_event(w, &ev);
	}
	put_counters(w, 3);
	put_flush(w);
	return w;
}

/* ---- reading traces ---- */

struct readback {
	bool opened;
	int n;			/* frames that came back */
	int ret;		/* kw_trace_next's last answer */
	bool truncated;
	char err[320];
	struct kw_trace_info info;
	struct kw_frame fr[KEEP_FRAMES];
};

static struct readback rb;

static void read_stream(FILE *f, struct readback *b)
{
	static struct kw_frame fr;
	struct kw_trace_reader *r;

	memset(b, 0, sizeof(*b));
	r = kw_trace_read_open(f, &b->info, b->err, sizeof(b->err));
	if (!r) {
		ck_assert_msg(b->err[0] != '\0', "read_open failed without a message");
		return;
	}
	b->opened = true;
	for (int i = 0; i < READ_BOUND; i++) {
		b->ret = kw_trace_next(r, &fr, b->err, sizeof(b->err));
		if (b->ret != 1)
			break;
		if (b->n < KEEP_FRAMES)
			b->fr[b->n] = fr;
		b->n++;
	}
	ck_assert_msg(b->ret != 1, "more than %d frames", READ_BOUND);
	if (b->ret < 0)
		ck_assert_msg(strstr(b->err, "offset"), "damage reported without an offset: %s",
			      b->err);
	else
		ck_assert_msg(b->err[0] == '\0', "a clean end with a message: %s", b->err);
	b->truncated = kw_trace_truncated(r);
	kw_trace_read_close(r);
}

static void read_path(const char *p, struct readback *b)
{
	FILE *f = fopen(p, "rb");

	ck_assert_msg(f != NULL, "cannot open %s: %m", p);
	read_stream(f, b);
	fclose(f);
}

/* read the first len bytes of data as a file */
static void read_bytes(const unsigned char *data, size_t len, struct readback *b)
{
	FILE *f = tmpfile();

	ck_assert(f != NULL);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	rewind(f);
	read_stream(f, b);
	fclose(f);
}

static size_t load(const char *p, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(p, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s: %m", p);
	n = fread(buf, 1, cap, f);
	ck_assert_msg(n < cap, "%s is bigger than the test expects", p);
	fclose(f);
	return n;
}

static uint32_t header_len_of(const unsigned char *file)
{
	uint32_t le;

	memcpy(&le, file + 12, 4);
	return le32toh(le);
}

/* frames 0..n-1 of b are frames 0..n-1 of what was written */
static void assert_frames(const struct readback *b, int n, const char *where)
{
	uint64_t at = 0;

	for (int i = 0; i < n && i < KEEP_FRAMES; i++) {
		const struct kw_frame *fr = &b->fr[i];

		ck_assert_msg(fr->kind == want.kind[i], "%s: frame %d: kind %d, want %d", where, i,
			      fr->kind, want.kind[i]);
		ck_assert_msg(fr->offset == at, "%s: frame %d at %llu, want %llu", where, i,
			      (unsigned long long)fr->offset, (unsigned long long)at);
		at += 8;
		if (fr->kind == KW_FRAME_EVENT) {
			ck_assert_msg(!memcmp(&fr->ev, &want.ev[i], sizeof(fr->ev)),
				      "%s: frame %d: event type %u differs", where, i,
				      want.ev[i].hdr.type);
			at += want.ev[i].hdr.size;
		} else if (fr->kind == KW_FRAME_COUNTERS) {
			ck_assert_msg(!memcmp(&fr->counters, &want.counters[i],
					      sizeof(fr->counters)),
				      "%s: frame %d: counters differ", where, i);
			at += sizeof(fr->counters);
		} else {
			ck_assert_msg(fr->flush_ns == want.flush_ns[i],
				      "%s: frame %d: flush time %llu, want %llu", where, i,
				      (unsigned long long)fr->flush_ns,
				      (unsigned long long)want.flush_ns[i]);
			at += sizeof(fr->flush_ns);
		}
	}
}

static void assert_same_enums(const struct kw_enum_table *a, const struct kw_enum_table *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_uint_eq(a->e[i].value, b->e[i].value);
		ck_assert_str_eq(a->e[i].name, b->e[i].name);
	}
}

/* ---- round trips ---- */

static struct kw_trace_info info_in;

static void header_round_trip(bool target)
{
	static unsigned char file[64 * 1024];
	struct jq_val *v;
	char *json;
	uint32_t hlen;
	size_t len;

	fill_info(&info_in, target);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	read_path(path, &rb);
	ck_assert_msg(rb.opened, "%s", rb.err);
	ck_assert_uint_eq(rb.info.format, KW_TRACE_VERSION);
	ck_assert_uint_eq(rb.info.abi, KW_ABI_VERSION);
	ck_assert_str_eq(rb.info.kwhy_version, info_in.kwhy_version);
	ck_assert_str_eq(rb.info.host, info_in.host);
	ck_assert_str_eq(rb.info.kernel, info_in.kernel);
	ck_assert_str_eq(rb.info.boot_id, info_in.boot_id);
	ck_assert_str_eq(rb.info.started, info_in.started);
	ck_assert_str_eq(rb.info.target, info_in.target);
	ck_assert_str_eq(rb.info.attached, info_in.attached);
	ck_assert_int_eq(rb.info.boot_to_wall_ns, info_in.boot_to_wall_ns);
	ck_assert_int_eq(rb.info.mono_to_wall_ns, info_in.mono_to_wall_ns);
	ck_assert_uint_eq(rb.info.part, 0);
	assert_same_enums(&rb.info.rst_reasons, &info_in.rst_reasons);
	assert_same_enums(&rb.info.drop_reasons, &info_in.drop_reasons);

	/* the header itself: the layout trace.h documents */
	len = load(path, file, sizeof(file));
	ck_assert_uint_ge(len, 16);
	ck_assert(!memcmp(file, KW_TRACE_MAGIC, 8));
	ck_assert_uint_eq(file[8] | file[9] << 8 | file[10] << 16 | (uint32_t)file[11] << 24,
			  KW_TRACE_VERSION);
	hlen = header_len_of(file);
	ck_assert_uint_le(16 + (size_t)hlen, len);
	json = strndup((char *)file + 16, hlen);
	v = tu_parse(json);
	tu_assert_int(v, "format", KW_TRACE_VERSION);
	tu_assert_int(v, "abi", KW_ABI_VERSION);
	tu_assert_int(v, "part", 0);
	if (target)
		tu_assert_str(v, "target", info_in.target);
	else
		tu_assert_null(v, "target");
	tu_assert_int(v, "enums.sk_rst_reason.2.0", UINT32_MAX);
	/* a name is a C identifier: other bytes were '?' when it was added */
	tu_assert_str(v, "enums.skb_drop_reason.1.1", "TCP_?ODD?_NAME");
	jq_free(v);
	free(json);
}

START_TEST(header_round_trip_with_target)
{
	header_round_trip(true);
}
END_TEST

START_TEST(header_round_trip_whole_host)
{
	header_round_trip(false);
}
END_TEST

START_TEST(header_round_trip_full_enum_tables)
{
	char name[KW_ENUM_NAME_LEN];
	struct kw_trace_opts o = { .path = path };

	fill_info(&info_in, true);
	kw_enum_clear(&info_in.rst_reasons);
	kw_enum_clear(&info_in.drop_reasons);
	for (uint32_t i = 0; i < KW_ENUM_MAX; i++) {
		snprintf(name, sizeof(name), "REASON_%u_%037u", i, i);
		kw_enum_add(&info_in.rst_reasons, i * 3, name, NULL);
		kw_enum_add(&info_in.drop_reasons, UINT32_MAX - i, name, NULL);
	}
	ck_assert_int_eq(kw_trace_close(open_writer(&o, &info_in, NULL, NULL)), 0);
	read_path(path, &rb);
	ck_assert_msg(rb.opened, "%s", rb.err);
	ck_assert_uint_eq(rb.info.rst_reasons.n, KW_ENUM_MAX);
	assert_same_enums(&rb.info.rst_reasons, &info_in.rst_reasons);
	assert_same_enums(&rb.info.drop_reasons, &info_in.drop_reasons);
	/* no frames: a clean, finished, empty body */
	ck_assert_int_eq(rb.n, 0);
	ck_assert_int_eq(rb.ret, 0);
	ck_assert(!rb.truncated);
}
END_TEST

START_TEST(frames_round_trip)
{
	fill_info(&info_in, false);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	read_path(path, &rb);
	ck_assert_msg(rb.opened, "%s", rb.err);
	ck_assert_int_eq(rb.n, want.n);
	assert_frames(&rb, rb.n, "closed file");
	ck_assert_int_eq(rb.ret, 0);
	ck_assert_msg(!rb.truncated, "a closed trace reads as truncated");
}
END_TEST

START_TEST(body_is_compressed)
{
	struct kw_trace_opts o = { .path = path };
	struct kw_trace_writer *w;
	struct kw_event ev;
	struct stat st;
	const int n = 10000;
	const size_t raw = (size_t)n * (8 + sizeof(struct kw_ev_conn));

	fill_info(&info_in, false);
	w = open_writer(&o, &info_in, NULL, NULL);
	for (int i = 0; i < n; i++) {
		/* similar, not identical: time and port move */
		make_connect_fail(&ev, 8000 + i % 50, 1000000000ULL + i * 1000003ULL);
		ck_assert_int_eq(kw_trace_event(w, &ev), 0);
		if (i % 100 == 99)
			ck_assert_int_eq(kw_trace_flush_mark(w, 0), 0);
	}
	ck_assert_int_eq(kw_trace_close(w), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_msg((size_t)st.st_size * 10 < raw, "%lld bytes for %zu of frames",
		      (long long)st.st_size, raw);
	read_path(path, &rb);
	ck_assert_int_eq(rb.n, n + n / 100);
	ck_assert_int_eq(rb.ret, 0);
}
END_TEST

/* ---- a recorder still running, or killed ---- */

START_TEST(synced_data_is_readable_before_close)
{
	struct kw_trace_writer *w;
	struct kw_event ev;
	int first;

	fill_info(&info_in, false);
	w = write_small(path, &info_in);
	ck_assert_int_eq(kw_trace_sync(w), 0);
	read_path(path, &rb);
	ck_assert_msg(rb.opened, "%s", rb.err);
	ck_assert_int_eq(rb.n, want.n);
	assert_frames(&rb, rb.n, "synced once");
	ck_assert_int_eq(rb.ret, 0);
	ck_assert_msg(rb.truncated, "an unfinished trace does not read as truncated");

	/* more, synced again: the new frames follow the old ones */
	first = want.n;
	make_event(&ev, KW_EV_RESET_SENT, 99);
	put_event(w, &ev);
	put_flush(w);
	ck_assert_int_eq(kw_trace_sync(w), 0);
	read_path(path, &rb);
	ck_assert_int_eq(rb.n, first + 2);
	assert_frames(&rb, rb.n, "synced twice");
	ck_assert(rb.truncated);

	ck_assert_int_eq(kw_trace_close(w), 0);
	read_path(path, &rb);
	ck_assert_int_eq(rb.n, first + 2);
	ck_assert(!rb.truncated);
}
END_TEST

/*
 * What a reader must get from the first cut bytes of a trace, worked out
 * with zlib directly: every frame whole in what inflates from the cut body
 * comes back; then a clean end (cut on a frame boundary) or an error
 * (inside a frame).
 */
static void expect_from_prefix(const unsigned char *file, size_t cut, int *frames,
			       bool *partial)
{
	static unsigned char out[1 << 20];
	size_t head = 16 + header_len_of(file), pos = 0, got;
	z_stream z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit(&z), Z_OK);
	z.next_in = (unsigned char *)file + head;
	z.avail_in = cut - head;
	z.next_out = out;
	z.avail_out = sizeof(out);
	inflate(&z, Z_SYNC_FLUSH);
	ck_assert_uint_gt(z.avail_out, 0);
	got = sizeof(out) - z.avail_out;
	inflateEnd(&z);
	*frames = 0;
	for (int i = 0; i < READ_BOUND && pos + 8 <= got; i++) {
		uint32_t len;

		memcpy(&len, out + pos, 4);
		len = le32toh(len);
		if (pos + 8 + len > got)
			break;
		pos += 8 + len;
		(*frames)++;
	}
	*partial = pos != got;
}

static void cut_everywhere(const unsigned char *file, size_t len, bool finished)
{
	size_t head = 16 + header_len_of(file);
	int prev = 0, frames;
	bool partial;
	char where[64];

	for (size_t cut = 0; cut <= len; cut++) {
		snprintf(where, sizeof(where), "cut at %zu of %zu", cut, len);
		read_bytes(file, cut, &rb);
		if (cut < head) {
			ck_assert_msg(!rb.opened, "%s: a cut header was accepted", where);
			continue;
		}
		ck_assert_msg(rb.opened, "%s: %s", where, rb.err);
		expect_from_prefix(file, cut, &frames, &partial);
		ck_assert_msg(rb.n == frames, "%s: %d frames came back, %d were there", where,
			      rb.n, frames);
		assert_frames(&rb, rb.n, where);
		ck_assert_msg(rb.n >= prev, "%s: fewer frames than a shorter cut", where);
		prev = rb.n;
		if (partial) {
			ck_assert_msg(rb.ret == -1, "%s: a cut frame was not reported", where);
		} else {
			ck_assert_msg(rb.ret == 0, "%s: %s", where, rb.err);
			ck_assert_msg(rb.truncated == !(finished && cut == len),
				      "%s: truncated is %d", where, rb.truncated);
		}
	}
	ck_assert_int_eq(prev, want.n);
}

START_TEST(cut_at_every_byte_of_a_closed_trace)
{
	static unsigned char file[64 * 1024];
	size_t len;

	fill_info(&info_in, false);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	len = load(path, file, sizeof(file));
	cut_everywhere(file, len, true);
}
END_TEST

START_TEST(cut_at_every_byte_of_a_synced_trace)
{
	static unsigned char file[64 * 1024];
	struct kw_trace_writer *w;
	size_t len;

	/* what a recorder killed after a sync leaves: no end of stream */
	fill_info(&info_in, true);
	w = write_small(path, &info_in);
	ck_assert_int_eq(kw_trace_sync(w), 0);
	len = load(path, file, sizeof(file));
	cut_everywhere(file, len, false);
	kw_trace_close(w);
}
END_TEST

START_TEST(flipped_bytes_in_the_body)
{
	static unsigned char file[64 * 1024], bad[64 * 1024];
	static const unsigned char masks[] = { 0x01, 0x10, 0x80, 0xff };
	size_t len, head;
	int damaged = 0;

	fill_info(&info_in, false);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	len = load(path, file, sizeof(file));
	head = 16 + header_len_of(file);
	for (size_t at = head; at < len; at++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(bad, file, len);
			bad[at] ^= masks[m];
			read_bytes(bad, len, &rb);
			ck_assert_msg(rb.opened, "byte %zu: %s", at, rb.err);
			/* read_stream checked: an error names an offset */
			ck_assert_int_le(rb.n, READ_BOUND);
			if (rb.ret < 0)
				damaged++;
		}
	}
	/* adler32 sees every single flip the inflater did not */
	ck_assert_int_gt(damaged, (int)(len - head) * 3);
}
END_TEST

START_TEST(flipped_bytes_in_the_header)
{
	static unsigned char file[64 * 1024], bad[64 * 1024];
	size_t len, head;

	fill_info(&info_in, true);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	len = load(path, file, sizeof(file));
	head = 16 + header_len_of(file);
	for (size_t at = 0; at < head; at++) {
		memcpy(bad, file, len);
		bad[at] ^= 0x80;
		/* either refused with a message or read: checked in read_stream */
		read_bytes(bad, len, &rb);
		if (at < 8)
			ck_assert_msg(!rb.opened, "byte %zu: a bad magic was accepted", at);
	}
}
END_TEST

/* ---- versions and hand-made headers ---- */

/* magic, version, header_len, header bytes, then body bytes */
static size_t make_raw(unsigned char *out, uint32_t version, uint32_t hlen_field,
		       const char *hdr, size_t hdr_len, const void *body, size_t body_len)
{
	uint32_t le;

	memcpy(out, KW_TRACE_MAGIC, 8);
	le = htole32(version);
	memcpy(out + 8, &le, 4);
	le = htole32(hlen_field);
	memcpy(out + 12, &le, 4);
	memcpy(out + 16, hdr, hdr_len);
	if (body_len)
		memcpy(out + 16 + hdr_len, body, body_len);
	return 16 + hdr_len + body_len;
}

static void read_header_text(const char *hdr, size_t hdr_len)
{
	static unsigned char file[8192];
	/* a finished, empty zlib stream */
	static const unsigned char empty[] = { 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };

	ck_assert_uint_lt(hdr_len + 64, sizeof(file));
	read_bytes(file, make_raw(file, 1, hdr_len, hdr, hdr_len, empty, sizeof(empty)), &rb);
}

#define HDR_OK_TAIL "\"kwhy\":\"x\",\"host\":\"h\",\"target\":null,\"enums\":{}}"

START_TEST(newer_format_version_refused)
{
	static unsigned char file[64 * 1024];
	char msg[80];
	uint32_t le = htole32(KW_TRACE_VERSION + 1);
	size_t len;

	fill_info(&info_in, false);
	ck_assert_int_eq(kw_trace_close(write_small(path, &info_in)), 0);
	len = load(path, file, sizeof(file));
	memcpy(file + 8, &le, 4);
	read_bytes(file, len, &rb);
	ck_assert(!rb.opened);
	snprintf(msg, sizeof(msg), "format version %d is newer than this kwhy (%d)",
		 KW_TRACE_VERSION + 1, KW_TRACE_VERSION);
	ck_assert_str_eq(msg, "format version 2 is newer than this kwhy (1)");
	tu_assert_contains(rb.err, msg);

	/* the same said by the JSON header of a version 1 file */
	read_header_text("{\"format\":2,\"abi\":1," HDR_OK_TAIL,
			 strlen("{\"format\":2,\"abi\":1," HDR_OK_TAIL));
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, msg);

	/* nor a format that is no version at all */
	read_header_text("{\"format\":-1,\"abi\":1," HDR_OK_TAIL,
			 strlen("{\"format\":-1,\"abi\":1," HDR_OK_TAIL));
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, "damaged trace header");
	/* 2^32 + 1 is newer, not version 1 */
	read_header_text("{\"format\":4294967297,\"abi\":1," HDR_OK_TAIL,
			 strlen("{\"format\":4294967297,\"abi\":1," HDR_OK_TAIL));
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, "format version 4294967297 is newer");

	/* version 0 was never written */
	le = 0;
	memcpy(file + 8, &le, 4);
	read_bytes(file, len, &rb);
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, "offset 8");
}
END_TEST

START_TEST(other_abi_refused)
{
	static const char *const bad[] = {
		"{\"format\":1,\"abi\":2," HDR_OK_TAIL,
		"{\"format\":1,\"abi\":0," HDR_OK_TAIL,
		"{\"format\":1," HDR_OK_TAIL,		/* no abi at all */
		"{\"format\":1,\"abi\":\"1\"," HDR_OK_TAIL,
		"{\"format\":1,\"abi\":1.5," HDR_OK_TAIL,
		"{\"format\":1,\"abi\":-4294967295," HDR_OK_TAIL,
		/* 2^32 + 1: ABI 1 only after truncation to 32 bits */
		"{\"format\":1,\"abi\":4294967297," HDR_OK_TAIL,
	};

	read_header_text("{\"format\":1,\"abi\":1," HDR_OK_TAIL,
			 strlen("{\"format\":1,\"abi\":1," HDR_OK_TAIL));
	ck_assert_msg(rb.opened, "a good header refused: %s", rb.err);
	ck_assert_int_eq(rb.ret, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_header_text(bad[i], strlen(bad[i]));
		ck_assert_msg(!rb.opened, "accepted: %s", bad[i]);
		tu_assert_contains(rb.err, "ABI");
	}
}
END_TEST

/* the address space this process uses now, from /proc/self/status */
static rlim_t vm_size(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;

	ck_assert(f != NULL);
	for (int i = 0; i < 200 && fgets(line, sizeof(line), f); i++)
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	ck_assert_uint_gt(kb, 0);
	return (rlim_t)kb * 1024;
}

/*
 * Read raw under an address-space limit of room bytes over what is in use:
 * an allocation by what the file declares rather than what it holds fails,
 * and then the reader would say "out of memory" instead of the damage.
 */
static void read_limited(const unsigned char *raw, size_t len, rlim_t room)
{
	struct rlimit old, lim;
	FILE *f = tmpfile();

	/* file and stdio buffer first, outside the limit */
	ck_assert(f != NULL);
	ck_assert_uint_eq(fwrite(raw, 1, len, f), len);
	rewind(f);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &old), 0);
	lim = old;
	lim.rlim_cur = vm_size() + room;
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	read_stream(f, &rb);
	/* only the soft limit moved: it can go back even without root */
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);
	fclose(f);
	tu_assert_not_contains(rb.err, "out of memory");
}

START_TEST(absurd_header_len_refused_without_allocating)
{
	static unsigned char raw[256];
	const char *hdr = "{\"format\":1,\"abi\":1}";
	const uint32_t lens[] = { 0xffffffffu, KW_TRACE_HEADER_MAX + 1, 0x80000000u, 0 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		read_limited(raw, make_raw(raw, 1, lens[i], hdr, strlen(hdr), NULL, 0),
			     64 << 20);
		ck_assert_msg(!rb.opened, "header_len %u accepted", lens[i]);
		tu_assert_contains(rb.err, "damaged trace header at offset 8");
	}
}
END_TEST

START_TEST(declared_header_len_is_not_allocated_before_it_is_read)
{
	static unsigned char raw[256];
	const char *hdr = "{\"format\":1,\"abi\":1}";

	/* 36 bytes that claim the biggest header allowed: refused as cut
	 * short, with memory for what is there, not for 1 MiB */
	read_limited(raw, make_raw(raw, 1, KW_TRACE_HEADER_MAX, hdr, strlen(hdr), NULL, 0),
		     512 << 10);
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, "ends inside its header");
}
END_TEST

START_TEST(header_of_the_largest_size_accepted)
{
	static unsigned char raw[KW_TRACE_HEADER_MAX + 64];
	static char hdr[KW_TRACE_HEADER_MAX + 1];
	const char *head = "{\"format\":1,\"abi\":1,\"host\":\"";
	size_t n = strlen(head);

	/* exactly KW_TRACE_HEADER_MAX bytes: a long string, then "} */
	memcpy(hdr, head, n);
	memset(hdr + n, 'a', KW_TRACE_HEADER_MAX - n - 2);
	memcpy(hdr + KW_TRACE_HEADER_MAX - 2, "\"}", 2);
	read_bytes(raw, make_raw(raw, 1, KW_TRACE_HEADER_MAX, hdr, KW_TRACE_HEADER_MAX, NULL, 0),
		   &rb);
	ck_assert_msg(rb.opened, "%s", rb.err);
	ck_assert_uint_eq(strlen(rb.info.host), sizeof(rb.info.host) - 1);
	ck_assert_int_eq(rb.n, 0);
	ck_assert(rb.truncated);
}
END_TEST

START_TEST(header_not_json_refused)
{
	static const char *const bad[] = {
		"not json",
		"[1,2]",
		"\"a string\"",
		"{\"format\":1,\"abi\":1",
		"{\"format\":1,\"abi\":1}}",
		"{\"format\":1,\"abi\":1,\"host\":\"\x01\"}",
		"{\"format\":1,\"abi\":1,\"host\":\"\xff\"}",
		"{\"format\":1,\"abi\":1,\"host\":\"\\ud800\"}",
		/* deeper than the parser's limit */
		"{\"format\":1,\"abi\":1,\"x\":"
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	};
	static const char nul[] = "{\"format\":1,\"abi\":1,\"host\":\"a\0b\"}";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_header_text(bad[i], strlen(bad[i]));
		ck_assert_msg(!rb.opened, "accepted: %s", bad[i]);
		tu_assert_contains(rb.err, "header");
	}
	read_header_text(nul, sizeof(nul) - 1);
	ck_assert(!rb.opened);
	tu_assert_contains(rb.err, "NUL");
	tu_assert_contains(rb.err, "offset 16");
}
END_TEST

START_TEST(not_a_trace_refused)
{
	static const char *const bad[] = {
		"", "KWHYTRC", "KWHYTRC\n", "KWHYTRC\n\x01\0\0\0\x05\0\0",
		"kwhytrc\n\x01\0\0\0\x02\0\0\0{}",
		"\x1f\x8b\x08\0\0\0\0\0\0\x03", "{\"format\":1}\n",
	};
	static const size_t lens[] = { 0, 7, 8, 15, 18, 10, 13 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_bytes((const unsigned char *)bad[i], lens[i], &rb);
		ck_assert_msg(!rb.opened, "input %zu accepted", i);
		/* too short to hold the magic, version and header length */
		tu_assert_contains(rb.err, lens[i] < 16 && !memcmp(bad[i], "KWHYTRC\n",
				   lens[i] < 8 ? lens[i] : 8) ? "too short" : "offset 0");
	}
}
END_TEST

/* ---- damage inside the body that zlib cannot see ---- */

/* a body of frames compressed properly, so only the frame parser can object */
static void read_frames_raw(const unsigned char *frames, size_t len)
{
	static unsigned char file[64 * 1024], z[32 * 1024];
	const char *hdr = "{\"format\":1,\"abi\":1}";
	uLongf zlen = sizeof(z);

	ck_assert_int_eq(compress2(z, &zlen, frames, len, 6), Z_OK);
	read_bytes(file, make_raw(file, 1, strlen(hdr), hdr, strlen(hdr), z, zlen), &rb);
	ck_assert(rb.opened);
}

static size_t put_frame(unsigned char *out, uint32_t len, uint16_t kind, uint16_t reserved,
			const void *payload, size_t payload_len)
{
	uint32_t le_len = htole32(len);
	uint16_t le_kind = htole16(kind), le_res = htole16(reserved);

	memcpy(out, &le_len, 4);
	memcpy(out + 4, &le_kind, 2);
	memcpy(out + 6, &le_res, 2);
	if (payload_len)
		memcpy(out + 8, payload, payload_len);
	return 8 + payload_len;
}

START_TEST(bad_frames_refused_with_their_offset)
{
	static unsigned char body[16 * 1024];
	static struct kw_event ev;
	static const struct kw_counters c;
	/* each after a good flush frame at 0 (an early writer's, without its
	 * time), so at body offset 8 */
	const struct {
		uint32_t len;
		uint16_t kind, reserved;
		const void *payload;
		size_t payload_len;
		const char *needle;
	} cases[] = {
		{ 0xffffffffu, KW_FRAME_EVENT, 0, NULL, 0, "damaged frame at body offset 8" },
		{ KW_TRACE_FRAME_MAX + 1, KW_FRAME_EVENT, 0, NULL, 0, "damaged frame" },
		{ 0, 0, 0, NULL, 0, "damaged frame at body offset 8 (kind 0" },
		{ 0, 4, 0, NULL, 0, "damaged frame" },
		{ 0, KW_FRAME_FLUSH, 1, NULL, 0, "damaged frame" },
		{ 4, KW_FRAME_FLUSH, 0, "abcd", 4, "bad flush frame at body offset 8" },
		{ 16, KW_FRAME_FLUSH, 0, &c, 16, "bad flush frame at body offset 8" },
		{ 8, KW_FRAME_COUNTERS, 0, &c, 8, "bad counters frame at body offset 8" },
		{ 0, KW_FRAME_EVENT, 0, NULL, 0, "bad event at body offset 8" },
		{ sizeof(ev.conn) - 1, KW_FRAME_EVENT, 0, &ev, sizeof(ev.conn) - 1, "bad event" },
		/* frames that promise more than the body has */
		{ KW_TRACE_FRAME_MAX, KW_FRAME_EVENT, 0, &ev, sizeof(ev.conn),
		  "ends inside a frame at body offset 8" },
		{ 20, KW_FRAME_EVENT, 0, NULL, 0, "ends inside a frame at body offset 8" },
	};
	size_t n;

	make_connect_fail(&ev, 9000, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = put_frame(body, 0, KW_FRAME_FLUSH, 0, NULL, 0);
		n += put_frame(body + n, cases[i].len, cases[i].kind, cases[i].reserved,
			       cases[i].payload, cases[i].payload_len);
		read_frames_raw(body, n);
		ck_assert_msg(rb.n == 1 && rb.fr[0].kind == KW_FRAME_FLUSH,
			      "case %zu: the good frame before it is lost", i);
		ck_assert_msg(rb.ret == -1, "case %zu accepted", i);
		tu_assert_contains(rb.err, cases[i].needle);
	}
	/* and a frame header cut short by the end of the stream */
	n = put_frame(body, 0, KW_FRAME_FLUSH, 0, NULL, 0);
	read_frames_raw(body, n + 5);
	ck_assert_int_eq(rb.ret, -1);
	tu_assert_contains(rb.err, "offset 8");
}
END_TEST

/* ---- rotation ---- */

struct rot {
	uint32_t calls;		/* state callbacks so far: the part now written */
};

/* the state a part starts with: a cgroup record naming the part, a
 * listener snapshot, a flush */
static void rot_state(struct kw_trace_writer *w, void *ctx)
{
	struct rot *r = ctx;
	struct kw_event ev;

	r->calls++;
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = KW_EV_CGROUP;
	ev.hdr.size = sizeof(ev.cgroup);
	ev.cgroup.cgroup_id = 1234;
	ev.cgroup.resolved = 1;
	snprintf(ev.cgroup.path, sizeof(ev.cgroup.path), "/state/%u", r->calls);
	kw_trace_event(w, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = KW_EV_LISTEN;
	ev.hdr.size = sizeof(ev.listen);
	ev.hdr.flags = KW_F_SNAPSHOT | KW_F_NETNS;
	ev.hdr.netns_ino = 4026531840u;
	ev.listen.local.family = 2;
	ev.listen.local.port = 8080;
	kw_trace_event(w, &ev);
	kw_trace_flush_mark(w, 0);
}

/* kwhy replay --json on one file: exits 0 and prints JSON lines */
static void replays_alone(const char *p)
{
	struct kw_opts o;
	FILE *out = tmpfile();
	char line[16384];
	int lines = 0;

	ck_assert(out != NULL);
	kw_opts_default(&o);
	o.cmd = KW_CMD_REPLAY;
	o.file = p;
	o.json = true;
	ck_assert_int_eq(kw_replay_into(&o, out, true), KW_EXIT_OK);
	rewind(out);
	for (int i = 0; i < 100000 && fgets(line, sizeof(line), out); i++, lines++)
		ck_assert_msg(tu_is_json(line), "%s: not JSON: %s", p, line);
	fclose(out);
	ck_assert_msg(lines > 0, "%s replays to nothing", p);
}

START_TEST(rotation_keeps_self_contained_parts)
{
	struct kw_trace_opts o = { .path = path, .max_size = 4096, .max_files = 3 };
	struct kw_trace_writer *w;
	struct rot rot = { 0 };
	struct kw_event ev;
	char part_path[3][160], p3[160];
	uint32_t parts[3];
	struct stat st;

	fill_info(&info_in, false);
	w = open_writer(&o, &info_in, rot_state, &rot);
	/* poorly compressible events, synced often (file_bytes grows on
	 * writes), until the writer has rotated four times */
	for (int i = 0; i < 100000 && rot.calls < 4; i++) {
		make_event(&ev, KW_EV_CONNECT_FAIL, 1000 + i);
		ck_assert_int_eq(kw_trace_event(w, &ev), 0);
		if (i % 4 == 3) {
			ck_assert_int_eq(kw_trace_flush_mark(w, 0), 0);
			ck_assert_int_eq(kw_trace_sync(w), 0);
		}
	}
	ck_assert_uint_eq(rot.calls, 4);
	make_connect_fail(&ev, 9000, 5000000000ULL);
	ck_assert_int_eq(kw_trace_event(w, &ev), 0);
	ck_assert_int_eq(kw_trace_close(w), 0);

	snprintf(part_path[0], sizeof(part_path[0]), "%s.2", path);
	snprintf(part_path[1], sizeof(part_path[1]), "%s.1", path);
	snprintf(part_path[2], sizeof(part_path[2]), "%s", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	ck_assert_msg(stat(p3, &st) != 0, "%s kept with --max-files 3", p3);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(stat(part_path[i], &st) == 0, "%s missing", part_path[i]);
		read_path(part_path[i], &rb);
		ck_assert_msg(rb.opened, "%s: %s", part_path[i], rb.err);
		ck_assert_msg(rb.ret == 0 && !rb.truncated, "%s: not a whole file: %s",
			      part_path[i], rb.err);
		parts[i] = rb.info.part;
		/* oldest first: parts 2, 3, 4; numbered like the callbacks */
		ck_assert_uint_eq(parts[i], rot.calls - 2 + i);
		ck_assert_int_ge(rb.n, 3);
		ck_assert(rb.fr[0].kind == KW_FRAME_EVENT && rb.fr[0].ev.hdr.type == KW_EV_CGROUP);
		ck_assert_uint_eq(rb.fr[0].offset, 0);
		ck_assert(rb.fr[1].kind == KW_FRAME_EVENT && rb.fr[1].ev.hdr.type == KW_EV_LISTEN);
		ck_assert(rb.fr[1].ev.hdr.flags & KW_F_SNAPSHOT);
		ck_assert(rb.fr[2].kind == KW_FRAME_FLUSH);
		{
			char state[32];

			snprintf(state, sizeof(state), "/state/%u", parts[i]);
			ck_assert_str_eq(rb.fr[0].ev.cgroup.path, state);
		}
		/* the header of a later part is the first one's, but its number */
		ck_assert_str_eq(rb.info.host, info_in.host);
		assert_same_enums(&rb.info.rst_reasons, &info_in.rst_reasons);
		replays_alone(part_path[i]);
	}
}
END_TEST

/* the bytes of path and path.1 .. path.(n-1), each at most max, none
 * beyond path.(n-1) */
static uint64_t disk_use(uint32_t n, uint64_t max)
{
	char p[200];
	struct stat st;
	uint64_t sum = 0;

	for (uint32_t i = 0; i <= n; i++) {
		if (i)
			snprintf(p, sizeof(p), "%s.%u", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		if (stat(p, &st))
			continue;
		ck_assert_msg(i < n || n == 0, "%s exists with --max-files %u", p, n);
		ck_assert_msg((uint64_t)st.st_size <= max, "%s is %lld bytes, over %llu", p,
			      (long long)st.st_size, (unsigned long long)max);
		sum += st.st_size;
	}
	return sum;
}

/* --max-size x --max-files bounds the disk in every combination, 1 file
 * included (cut and started again), at every sync and after close, and
 * each file stays a whole trace */
START_TEST(rotation_bounds_disk)
{
	static const uint32_t files[] = { 1, 2, 3 };
	const uint64_t max = 8192;

	fill_info(&info_in, false);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct kw_trace_opts o = { .path = path, .max_size = max, .max_files = files[k],
					   .force = true };
		struct kw_trace_writer *w = open_writer(&o, &info_in, rot_state, &(struct rot){ 0 });
		struct kw_event ev;

		for (int i = 0; i < 20000; i++) {
			make_event(&ev, KW_EV_CONNECT_FAIL, 1000 + i * 7919);
			ev.hdr.ts_boot_ns = (uint64_t)i * 2654435761u;	/* little to compress */
			ck_assert_int_eq(kw_trace_event(w, &ev), 0);
			if (i % 50 == 49) {
				ck_assert_int_eq(kw_trace_sync(w), 0);
				ck_assert_uint_le(disk_use(files[k], max), max * files[k]);
			}
		}
		ck_assert_int_eq(kw_trace_close(w), 0);
		ck_assert_uint_le(disk_use(files[k], max), max * files[k]);
		read_path(path, &rb);
		ck_assert_msg(rb.opened && rb.ret == 0 && !rb.truncated, "%s: %s", path, rb.err);
		ck_assert_uint_gt(rb.info.part, 0);
	}
}
END_TEST

/* an existing trace, or a name rotation would write over, is refused
 * without force; a symlink is never written through */
START_TEST(existing_files_refused)
{
	struct kw_trace_opts o = { .path = path, .max_size = 8192, .max_files = 3 };
	char target[200], one[200], err[400];
	struct kw_trace_writer *w;
	struct stat st;
	FILE *f;

	fill_info(&info_in, false);
	snprintf(target, sizeof(target), "%s/target", dir);
	f = fopen(target, "w");
	fputs("precious", f);
	fclose(f);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_ptr_null(kw_trace_open(&o, &info_in, NULL, NULL, err, sizeof(err)));
	tu_assert_contains(err, "--force");
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 8);
	unlink(path);
	snprintf(one, sizeof(one), "%s.2", path);
	ck_assert_int_eq(symlink(target, one), 0);
	ck_assert_ptr_null(kw_trace_open(&o, &info_in, NULL, NULL, err, sizeof(err)));
	tu_assert_contains(err, ".2 exists");
	ck_assert_int_eq(symlink(target, path), 0);
	o.force = true;
	w = open_writer(&o, &info_in, NULL, NULL);
	ck_assert_int_eq(kw_trace_close(w), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 8);
	unlink(one);
	unlink(target);
}
END_TEST

/* ---- inputs the fuzzer found ---- */

START_TEST(fuzz_regressions_read_cleanly)
{
	static unsigned char file[FILE_MAX];
	const char *rdir = getenv("KWHY_FUZZ_REGRESS") ?: "tests/fuzz/regress";
	DIR *d = opendir(rdir);
	struct dirent *de;
	char p[512];
	int files = 0;

	ck_assert_msg(d != NULL, "cannot open %s (run from the source tree): %m", rdir);
	for (int i = 0; i < 10000 && (de = readdir(d)); i++) {
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", rdir, de->d_name);
		len = load(p, file, sizeof(file));
		/* read_stream asserts the rest: a message for every refusal and
		 * every error, an offset for damage, a bounded number of frames */
		read_bytes(file, len, &rb);
		ck_assert_msg(!rb.opened || rb.ret == 0 || rb.ret == -1, "%s: ret %d", p,
			      rb.ret);
		if (rb.opened && rb.ret == 0) {
			int frames;
			bool partial;

			/* a clean end comes after every whole frame */
			expect_from_prefix(file, len, &frames, &partial);
			ck_assert_msg(rb.n == frames, "%s: %d frames, %d in the body", p, rb.n,
				      frames);
		}
		files++;
	}
	closedir(d);
	ck_assert_int_gt(files, 0);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *rt = tcase_create("round trip");
	TCase *dmg = tcase_create("damage");
	TCase *rot = tcase_create("rotation");

	tcase_add_checked_fixture(rt, setup, teardown);
	tcase_add_test(rt, header_round_trip_with_target);
	tcase_add_test(rt, header_round_trip_whole_host);
	tcase_add_test(rt, header_round_trip_full_enum_tables);
	tcase_add_test(rt, frames_round_trip);
	tcase_add_test(rt, body_is_compressed);
	tcase_add_test(rt, synced_data_is_readable_before_close);
	tcase_set_timeout(rt, 60);
	suite_add_tcase(s, rt);

	tcase_add_checked_fixture(dmg, setup, teardown);
	tcase_add_test(dmg, cut_at_every_byte_of_a_closed_trace);
	tcase_add_test(dmg, cut_at_every_byte_of_a_synced_trace);
	tcase_add_test(dmg, flipped_bytes_in_the_body);
	tcase_add_test(dmg, flipped_bytes_in_the_header);
	tcase_add_test(dmg, newer_format_version_refused);
	tcase_add_test(dmg, other_abi_refused);
	tcase_add_test(dmg, absurd_header_len_refused_without_allocating);
	tcase_add_test(dmg, declared_header_len_is_not_allocated_before_it_is_read);
	tcase_add_test(dmg, header_of_the_largest_size_accepted);
	tcase_add_test(dmg, header_not_json_refused);
	tcase_add_test(dmg, not_a_trace_refused);
	tcase_add_test(dmg, bad_frames_refused_with_their_offset);
	tcase_add_test(dmg, fuzz_regressions_read_cleanly);
	tcase_set_timeout(dmg, 60);
	suite_add_tcase(s, dmg);

	tcase_add_checked_fixture(rot, setup, teardown);
	tcase_add_test(rot, rotation_keeps_self_contained_parts);
	tcase_add_test(rot, rotation_bounds_disk);
	tcase_add_test(rot, existing_files_refused);
	tcase_set_timeout(rot, 60);
	suite_add_tcase(s, rot);
	return s;
}
