// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Trace files: the format is described in trace.h. */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "util/json.h"
#include "util/jsonq.h"
#include "util/safefile.h"
#include "trace/trace.h"

#define OUT_CHUNK (64 * 1024)
#define IN_CHUNK (64 * 1024)

/* ---- the header ---- */

static void json_enum(struct kw_json *j, const char *key, const struct kw_enum_table *t)
{
	kw_json_arr_begin(j, key);
	for (size_t i = 0; i < t->n; i++) {
		kw_json_arr_begin(j, NULL);
		kw_json_u64(j, NULL, t->e[i].value);
		kw_json_str(j, NULL, t->e[i].name);
		kw_json_arr_end(j);
	}
	kw_json_arr_end(j);
}

static int header_json(struct kw_buf *b, const struct kw_trace_info *in)
{
	struct kw_json j;

	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, "format", KW_TRACE_VERSION);
	kw_json_u64(&j, "abi", KW_ABI_VERSION);
	kw_json_str(&j, "kwhy", in->kwhy_version);
	kw_json_str(&j, "host", in->host);
	kw_json_str(&j, "kernel", in->kernel);
	kw_json_str(&j, "boot_id", in->boot_id);
	kw_json_str(&j, "started", in->started);
	kw_json_i64(&j, "boot_to_wall_ns", in->boot_to_wall_ns);
	kw_json_i64(&j, "mono_to_wall_ns", in->mono_to_wall_ns);
	kw_json_u64(&j, "part", in->part);
	kw_json_str(&j, "attached", in->attached);
	if (in->target[0])
		kw_json_str(&j, "target", in->target);
	else
		kw_json_null(&j, "target");
	kw_json_obj_begin(&j, "enums");
	json_enum(&j, "sk_rst_reason", &in->rst_reasons);
	json_enum(&j, "skb_drop_reason", &in->drop_reasons);
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
	return b->truncated ? -1 : 0;
}

static void copy_str(char *dst, size_t len, const struct jq_val *v, const char *path)
{
	const char *s = jq_str(v, path);

	snprintf(dst, len, "%s", s ? s : "");
}

static void parse_enum(struct kw_enum_table *t, const struct jq_val *v, const char *path)
{
	const struct jq_val *arr = jq_get(v, path);

	kw_enum_clear(t);
	for (size_t i = 0; arr && arr->type == JQ_ARR && i < arr->len; i++) {
		int64_t val;
		const char *name = jq_str(arr->items[i], "1");

		if (jq_int(arr->items[i], "0", &val) && name && val >= 0 && val <= UINT32_MAX)
			kw_enum_add(t, (uint32_t)val, name, NULL);
	}
}

static int parse_header(const char *text, struct kw_trace_info *info, char *err, size_t errlen)
{
	char jerr[160];
	struct jq_val *v = jq_parse(text, jerr, sizeof(jerr));
	int64_t n, format, abi;
	bool has_format, has_abi;

	if (!v || v->type != JQ_OBJ) {
		snprintf(err, errlen, "the trace header is not a JSON object (%s)",
			 v ? "another JSON value" : jerr);
		jq_free(v);
		return -1;
	}
	memset(info, 0, sizeof(*info));
	/* compared as the 64-bit numbers they are: cast to 32 bits first,
	 * "abi":4294967297 would pass for ABI 1 */
	has_format = jq_int(v, "format", &format);
	has_abi = jq_int(v, "abi", &abi);
	info->format = has_format && format >= 0 && format <= UINT32_MAX ? (uint32_t)format : 0;
	info->abi = has_abi && abi >= 0 && abi <= UINT32_MAX ? (uint32_t)abi : 0;
	copy_str(info->kwhy_version, sizeof(info->kwhy_version), v, "kwhy");
	copy_str(info->host, sizeof(info->host), v, "host");
	copy_str(info->kernel, sizeof(info->kernel), v, "kernel");
	copy_str(info->boot_id, sizeof(info->boot_id), v, "boot_id");
	copy_str(info->started, sizeof(info->started), v, "started");
	copy_str(info->target, sizeof(info->target), v, "target");
	copy_str(info->attached, sizeof(info->attached), v, "attached");
	info->boot_to_wall_ns = jq_int(v, "boot_to_wall_ns", &n) ? n : 0;
	info->mono_to_wall_ns = jq_int(v, "mono_to_wall_ns", &n) ? n : 0;
	info->part = jq_int(v, "part", &n) && n >= 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
	parse_enum(&info->rst_reasons, v, "enums.sk_rst_reason");
	parse_enum(&info->drop_reasons, v, "enums.skb_drop_reason");
	jq_free(v);
	/* a newer format first: its ABI may well differ too, and "use a newer
	 * kwhy" is the more useful thing to say */
	if (has_format && format > KW_TRACE_VERSION) {
		snprintf(err, errlen, "format version %" PRId64 " is newer than this kwhy (%d)",
			 format, KW_TRACE_VERSION);
		return -1;
	}
	if (has_format && format < 1) {
		snprintf(err, errlen, "damaged trace header at offset 16 (format %" PRId64 ")",
			 format);
		return -1;
	}
	if (!has_abi || abi != KW_ABI_VERSION) {
		if (has_abi)
			snprintf(err, errlen, "the trace's event ABI is %" PRId64 ", this kwhy "
				 "reads ABI %d", abi, KW_ABI_VERSION);
		else
			snprintf(err, errlen, "the trace header names no event ABI (an integer), "
				 "this kwhy reads ABI %d", KW_ABI_VERSION);
		return -1;
	}
	return 0;
}

/* ---- writing ---- */

/*
 * The disk is written by a thread of its own, so the ring buffer consumer
 * never waits on it: compressed bytes go into 64 KiB chunks, queued (at
 * most KW_TRACE_QUEUE_MAX of them) for the writer thread.  The consumer
 * waits only when that much is stuck, or for at most SYNC_WAIT_MS at a
 * sync, so that what was synced is in the file whenever the disk keeps up.
 */
#define KW_TRACE_QUEUE_MAX 64		/* chunks: 4 MiB of compressed trace */
#define SYNC_WAIT_MS 50

struct chunk {
	struct chunk *next;
	size_t len;
	unsigned char data[OUT_CHUNK];
};

struct kw_trace_writer {
	struct kw_trace_opts o;
	char path[PATH_MAX];
	struct kw_trace_info *info;	/* kept for the headers of later parts */
	kw_trace_state_fn state;
	void *state_ctx;
	int fd;
	z_stream z;
	bool z_live;
	uint64_t file_bytes;		/* queued for the current file */
	uint64_t in_unsynced;		/* fed to deflate since the last sync */
	bool rotating;
	unsigned char out[OUT_CHUNK];

	pthread_t thread;
	bool thread_live;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* queue changed: both directions */
	struct chunk *head, *tail;	/* queued for the writer thread */
	struct chunk *cur;		/* being filled, not queued yet */
	uint32_t queued;
	bool busy;			/* the thread is writing a chunk */
	bool stop;
	int werr;			/* first write error, -errno */
};

static int write_fd(int fd, const unsigned char *c, size_t n)
{
	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		c += k;
		n -= k;
	}
	return 0;
}

static void *writer_thread(void *arg)
{
	struct kw_trace_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct chunk *c;
		int fd, err = 0;
		bool failed;

		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head)
			break;
		c = w->head;
		w->head = c->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		w->busy = true;
		fd = w->fd;
		failed = w->werr != 0;	/* after an error, only drop what is queued */
		pthread_mutex_unlock(&w->mu);
		if (!failed)
			err = write_fd(fd, c->data, c->len);
		free(c);
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		if (err && !w->werr)
			w->werr = err;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int push_chunk(struct kw_trace_writer *w, struct chunk *c)
{
	int err;

	pthread_mutex_lock(&w->mu);
	while (w->queued >= KW_TRACE_QUEUE_MAX && !w->werr)
		pthread_cond_wait(&w->cv, &w->mu);	/* the disk is stuck */
	c->next = NULL;
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
	w->queued++;
	err = w->werr;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return err;
}

static int flush_cur(struct kw_trace_writer *w)
{
	struct chunk *c = w->cur;

	w->cur = NULL;
	if (c && c->len)
		return push_chunk(w, c);
	free(c);
	return 0;
}

/* wait until the thread wrote everything queued; ms < 0: no limit */
static int drain(struct kw_trace_writer *w, int ms)
{
	struct timespec until;
	int err = flush_cur(w);

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while ((w->head || w->busy) && !w->werr) {
		if (ms < 0)
			pthread_cond_wait(&w->cv, &w->mu);
		else if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	err = err ?: w->werr;
	pthread_mutex_unlock(&w->mu);
	return err;
}

static int write_all(struct kw_trace_writer *w, const void *p, size_t n)
{
	const unsigned char *c = p;

	w->file_bytes += n;
	while (n) {
		size_t room, k;

		if (!w->cur) {
			w->cur = malloc(sizeof(*w->cur));
			if (!w->cur)
				return -ENOMEM;
			w->cur->len = 0;
		}
		room = sizeof(w->cur->data) - w->cur->len;
		k = n < room ? n : room;
		memcpy(w->cur->data + w->cur->len, c, k);
		w->cur->len += k;
		c += k;
		n -= k;
		if (w->cur->len == sizeof(w->cur->data)) {
			int err = flush_cur(w);

			if (err)
				return err;
		}
	}
	return 0;
}

/* run deflate with flush and write out what it produced */
static int pump(struct kw_trace_writer *w, int flush)
{
	int ret;

	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		ret = deflate(&w->z, flush);
		if (ret == Z_STREAM_ERROR)
			return -EIO;
		if (sizeof(w->out) - w->z.avail_out &&
		    (ret = write_all(w, w->out, sizeof(w->out) - w->z.avail_out)))
			return ret;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
	return 0;
}

/* A new file at w->path: replace says whether one may be there (then it is
 * replaced by rename, never written through). */
static int start_file(struct kw_trace_writer *w, bool replace, char *err, size_t errlen)
{
	size_t cap = 256 * 1024;
	char *hdr = malloc(cap);
	struct kw_buf b = { .p = hdr, .cap = cap };
	struct kw_newfile nf;
	uint32_t le[2];
	int ret;

	if (!hdr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kw_newfile_open(&nf, w->path, replace, err, errlen)) {
		free(hdr);
		return -1;
	}
	/* in place at once: the trace is readable while it is written */
	ret = kw_newfile_commit(&nf);
	if (ret) {
		snprintf(err, errlen, "cannot replace %s: %s", w->path, strerror(-ret));
		close(nf.fd);
		free(hdr);
		return -1;
	}
	w->fd = nf.fd;
	w->file_bytes = 0;
	w->in_unsynced = 0;
	kw_buf_reset(&b);
	if (header_json(&b, w->info)) {
		snprintf(err, errlen, "the trace header does not fit %zu bytes", cap);
		free(hdr);
		return -1;
	}
	le[0] = htole32(KW_TRACE_VERSION);
	le[1] = htole32((uint32_t)b.len);
	ret = write_all(w, KW_TRACE_MAGIC, 8) ?: write_all(w, le, sizeof(le)) ?:
	      write_all(w, hdr, b.len);
	free(hdr);
	if (ret) {
		snprintf(err, errlen, "writing %s: %s", w->path, strerror(-ret));
		return -1;
	}
	memset(&w->z, 0, sizeof(w->z));
	if (deflateInit(&w->z, w->o.level) != Z_OK) {
		snprintf(err, errlen, "zlib: cannot start compression");
		return -1;
	}
	w->z_live = true;
	return 0;
}

static int end_file(struct kw_trace_writer *w)
{
	int ret = 0;

	if (w->z_live) {
		ret = pump(w, Z_FINISH);
		deflateEnd(&w->z);
		w->z_live = false;
	}
	/* the file is closed only once the thread wrote all of it */
	if (w->thread_live) {
		int err = drain(w, -1);

		ret = ret ?: err;
	}
	if (w->fd >= 0) {
		if (fsync(w->fd) && !ret)
			ret = -errno;
		if (close(w->fd) && !ret)
			ret = -errno;
		w->fd = -1;
	}
	return ret;
}

static int rotate(struct kw_trace_writer *w)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16], err[256];
	int ret = end_file(w);

	/* renames within the directory: a name that was planted (a symlink)
	 * is moved or replaced, never followed */
	for (uint32_t i = w->o.max_files - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", w->path);
		else
			snprintf(from, sizeof(from), "%s.%u", w->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", w->path, i);
		rename(from, to);	/* a missing older part is fine */
	}
	/* one file kept: this one is cut, and the next starts afresh */
	if (w->o.max_files == 1 && unlink(w->path) && errno != ENOENT && !ret)
		ret = -errno;
	w->info->part++;
	/* the name is free now: whatever appeared there meanwhile is not ours */
	if (start_file(w, false, err, sizeof(err))) {
		fprintf(stderr, "kwhy: rotating the trace: %s\n", err);
		return -EIO;
	}
	/* a part starts with the state, so it replays on its own */
	w->rotating = true;
	if (w->state)
		w->state(w, w->state_ctx);
	w->rotating = false;
	return ret;
}

/* the older parts' names (path.1 ...) rotation would write over */
static bool rotated_name_taken(const struct kw_trace_opts *o, char *err, size_t errlen)
{
	char name[PATH_MAX + 16];

	for (uint32_t i = 1; o->max_size && i < o->max_files; i++) {
		snprintf(name, sizeof(name), "%s.%u", o->path, i);
		if (kw_path_taken(name)) {
			snprintf(err, errlen, "%s exists (an earlier recording?) and rotating would "
				 "replace it: remove it, choose another name, or give --force", name);
			return true;
		}
	}
	return false;
}

int kw_trace_names_free(const struct kw_trace_opts *o, char *err, size_t errlen)
{
	if (o->force)
		return 0;
	if (kw_path_taken(o->path)) {
		snprintf(err, errlen, "%s exists (a file, a directory or a symlink); kwhy does not "
			 "write over it: remove it, choose another name, or give --force to "
			 "replace it", o->path);
		return -1;
	}
	return rotated_name_taken(o, err, errlen) ? -1 : 0;
}

struct kw_trace_writer *kw_trace_open(const struct kw_trace_opts *o,
				      const struct kw_trace_info *info,
				      kw_trace_state_fn state, void *state_ctx,
				      char *err, size_t errlen)
{
	struct kw_trace_writer *w = calloc(1, sizeof(*w));

	if (!w || !(w->info = malloc(sizeof(*w->info)))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->o = *o;
	if (!w->o.max_files)
		w->o.max_files = 1;
	if (!w->o.level)
		w->o.level = 6;
	snprintf(w->path, sizeof(w->path), "%s", o->path);
	*w->info = *info;
	w->info->part = 0;
	w->state = state;
	w->state_ctx = state_ctx;
	w->fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_thread, w)) {
		snprintf(err, errlen, "cannot start the trace writer thread");
		free(w->info);
		free(w);
		return NULL;
	}
	w->thread_live = true;
	if (!o->force && rotated_name_taken(o, err, errlen)) {
		kw_trace_close(w);
		return NULL;
	}
	if (start_file(w, o->force, err, errlen)) {
		kw_trace_close(w);
		return NULL;
	}
	return w;
}

/*
 * Could the file, once finished, grow past max_size if `more` bytes of
 * frame went in now?  What deflate has not written out yet is counted at
 * its worst (deflateBound: stored blocks, the stream's end and trailer).
 */
static bool would_overflow(struct kw_trace_writer *w, uint64_t more)
{
	return w->file_bytes + deflateBound(&w->z, w->in_unsynced + more) > w->o.max_size;
}

/* Before a frame of `more` bytes: when it might not fit, write out what
 * deflate holds (a sync) to know exactly, and if it still might not, go
 * on in the next file.  The state a part starts with is never cut. */
static int make_room(struct kw_trace_writer *w, uint64_t more)
{
	int ret;

	if (w->rotating || !w->o.max_size || !would_overflow(w, more))
		return 0;
	ret = pump(w, Z_SYNC_FLUSH);
	w->in_unsynced = 0;
	if (ret || !would_overflow(w, more))
		return ret;
	return rotate(w);
}

static int frame(struct kw_trace_writer *w, uint16_t kind, const void *payload, uint32_t len)
{
	unsigned char hdr[8];
	uint32_t le_len = htole32(len);
	uint16_t le_kind = htole16(kind), zero = 0;
	int ret;

	if (!w->z_live)
		return -EIO;
	ret = make_room(w, sizeof(hdr) + (uint64_t)len);
	if (ret)
		return ret;
	w->in_unsynced += sizeof(hdr) + (uint64_t)len;
	memcpy(hdr, &le_len, 4);
	memcpy(hdr + 4, &le_kind, 2);
	memcpy(hdr + 6, &zero, 2);
	w->z.next_in = hdr;
	w->z.avail_in = sizeof(hdr);
	ret = pump(w, Z_NO_FLUSH);
	if (ret)
		return ret;
	w->z.next_in = (unsigned char *)payload;
	w->z.avail_in = len;
	return pump(w, Z_NO_FLUSH);
}

int kw_trace_event(struct kw_trace_writer *w, const struct kw_event *ev)
{
	return frame(w, KW_FRAME_EVENT, ev, ev->hdr.size);
}

int kw_trace_flush_mark(struct kw_trace_writer *w, uint64_t boot_ns)
{
	uint64_t le = htole64(boot_ns);

	return frame(w, KW_FRAME_FLUSH, &le, sizeof(le));
}

int kw_trace_counters(struct kw_trace_writer *w, const struct kw_counters *c)
{
	return frame(w, KW_FRAME_COUNTERS, c, sizeof(*c));
}

int kw_trace_sync(struct kw_trace_writer *w)
{
	int err = w->z_live ? pump(w, Z_SYNC_FLUSH) : -EIO;

	w->in_unsynced = 0;
	return err ?: drain(w, SYNC_WAIT_MS);
}

int kw_trace_error(struct kw_trace_writer *w)
{
	int err;

	pthread_mutex_lock(&w->mu);
	err = w->werr;
	pthread_mutex_unlock(&w->mu);
	return err;
}

uint64_t kw_trace_bytes(const struct kw_trace_writer *w)
{
	return w->file_bytes;
}

int kw_trace_close(struct kw_trace_writer *w)
{
	int ret;

	if (!w)
		return 0;
	ret = end_file(w);
	if (w->thread_live) {
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	while (w->head) {	/* left only after a write error */
		struct chunk *c = w->head;

		w->head = c->next;
		free(c);
	}
	free(w->cur);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->info);
	free(w);
	return ret;
}

/* ---- reading ---- */

struct kw_trace_reader {
	FILE *f;
	z_stream z;
	bool z_live;
	bool stream_end;
	bool truncated;
	uint64_t comp_offset;		/* file offset of the body start */
	uint64_t body_pos;		/* bytes of uncompressed body consumed */
	unsigned char in[IN_CHUNK];
};

/*
 * The hlen bytes of header that follow, NUL-terminated, in a buffer that
 * grows with the bytes that really arrive: a file of a few bytes that
 * declares a 1 MiB header costs a few KiB, not 1 MiB.  *got says how many
 * came; NULL only when out of memory.
 */
static char *read_header_text(FILE *f, uint32_t hlen, size_t *got)
{
	size_t cap = 0, n = 0;
	char *text = NULL;

	/* bounded: every round reads at least one byte or ends the loop */
	while (n < hlen) {
		size_t k;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *t;

			if (ncap > hlen)
				ncap = hlen;
			t = realloc(text, ncap + 1);
			if (!t) {
				free(text);
				return NULL;
			}
			text = t;
			cap = ncap;
		}
		k = fread(text + n, 1, cap - n, f);
		if (!k)
			break;
		n += k;
	}
	if (text)
		text[n] = '\0';
	*got = n;
	return text;
}

struct kw_trace_reader *kw_trace_read_open(FILE *f, struct kw_trace_info *info, char *err,
					   size_t errlen)
{
	struct kw_trace_reader *r;
	unsigned char head[KW_TRACE_PREAMBLE];
	uint32_t version, hlen;
	size_t got;
	char *text;

	size_t n = fread(head, 1, sizeof(head), f);

	if (n >= 8 && memcmp(head, KW_TRACE_MAGIC, 8)) {
		snprintf(err, errlen, "not a kwhy trace (no KWHYTRC magic at offset 0)");
		return NULL;
	}
	if (n != sizeof(head)) {
		snprintf(err, errlen, "too short for a kwhy trace (%zu bytes, the first %d are "
			 "the magic, version and header length)%s", n, KW_TRACE_PREAMBLE,
			 n && memcmp(head, KW_TRACE_MAGIC, n < 8 ? n : 8) ? ", and it does not "
			 "begin as one" : "");
		return NULL;
	}
	memcpy(&version, head + 8, 4);
	memcpy(&hlen, head + 12, 4);
	version = le32toh(version);
	hlen = le32toh(hlen);
	if (version > KW_TRACE_VERSION) {
		snprintf(err, errlen, "format version %u is newer than this kwhy (%d): use a newer "
			 "kwhy to read it", version, KW_TRACE_VERSION);
		return NULL;
	}
	if (version == 0 || hlen == 0 || hlen > KW_TRACE_HEADER_MAX) {
		snprintf(err, errlen, "damaged trace header at offset 8 (version %u, header of %u "
			 "bytes, at most %u accepted)", version, hlen, KW_TRACE_HEADER_MAX);
		return NULL;
	}
	text = read_header_text(f, hlen, &got);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (got != hlen) {
		snprintf(err, errlen, "the trace ends inside its header (offset 16, %u bytes "
			 "expected, %zu there)", hlen, got);
		free(text);
		return NULL;
	}
	if (strlen(text) != hlen || parse_header(text, info, err, errlen)) {
		if (strlen(text) != hlen)
			snprintf(err, errlen, "damaged trace header at offset 16 (a NUL byte inside)");
		free(text);
		return NULL;
	}
	free(text);
	r = calloc(1, sizeof(*r));
	if (!r || inflateInit(&r->z) != Z_OK) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->f = f;
	r->z_live = true;
	r->comp_offset = 16 + (uint64_t)hlen;
	return r;
}

/*
 * Fill buf with exactly n uncompressed bytes.  1 ok, 0 the body ended
 * before any byte, -2 it ended part-way (no message: the caller knows
 * where the frame began), -1 damage, with a message.
 */
static int read_exact(struct kw_trace_reader *r, void *buf, size_t n, char *err, size_t errlen)
{
	size_t got = 0;

	r->z.next_out = buf;
	r->z.avail_out = n;
	/* bounded: a round that neither consumes input nor produces output
	 * ends the loop, and there is only so much of either */
	while (r->z.avail_out) {
		unsigned int in_before, out_before;
		int ret;

		if (r->stream_end)
			break;
		if (r->z.avail_in == 0) {
			size_t k = fread(r->in, 1, sizeof(r->in), r->f);

			r->z.next_in = r->in;
			r->z.avail_in = k;
		}
		/* inflate even when the file has nothing more: the input it
		 * already took can still owe output (the rest of a match cut
		 * short by a full buffer last time), and those bytes are frames
		 * the recorder did write */
		in_before = r->z.avail_in;
		out_before = r->z.avail_out;
		ret = inflate(&r->z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			r->stream_end = true;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			snprintf(err, errlen, "damaged compressed data at file offset %" PRIu64
				 " (body offset %" PRIu64 "): %s",
				 r->comp_offset + r->z.total_in, r->body_pos + (n - r->z.avail_out),
				 r->z.msg ? r->z.msg : "zlib error");
			return -1;
		} else if (r->z.avail_in == in_before && r->z.avail_out == out_before) {
			/* no progress with all the file in: it ends before its
			 * stream does (zlib makes progress whenever it has input
			 * and room, so avail_in is 0 here) */
			r->truncated = true;
			break;
		}
	}
	got = n - r->z.avail_out;
	r->body_pos += got;
	if (got == n)
		return 1;
	return got ? -2 : 0;
}


/*
 * struct kw_counters is four arrays of one counter per counted event type
 * (KW_EV_COUNTED, fixed since the counted types are the kernel's): a
 * writer that counted fewer types wrote shorter arrays.  Those are read,
 * the types they lack counted 0; 0, or -1 when len fits no such layout.
 */
static int counters_frame(const void *payload, size_t len, struct kw_counters *c)
{
	const size_t arrays = 4, one = sizeof(c->emitted[0]);
	size_t types = len / (arrays * one);
	__u64 *to[] = { c->emitted, c->lost, c->aggregated, c->filtered };

	_Static_assert(sizeof(*c) == 4 * KW_EV_COUNTED * sizeof(c->emitted[0]),
		       "kw_counters is four per-type arrays");
	if (!types || types > KW_EV_COUNTED || len != types * arrays * one)
		return -1;
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < arrays; i++)
		memcpy(to[i], (const char *)payload + i * types * one, types * one);
	return 0;
}

int kw_trace_next(struct kw_trace_reader *r, struct kw_frame *fr, char *err, size_t errlen)
{
	unsigned char hdr[8], payload[KW_TRACE_FRAME_MAX];
	uint32_t len;
	uint16_t kind, reserved;
	uint64_t at = r->body_pos;
	char derr[160];
	int ret;

	err[0] = '\0';
	ret = read_exact(r, hdr, sizeof(hdr), err, errlen);
	if (ret == -2)
		goto cut;
	if (ret <= 0)
		return ret;
	memcpy(&len, hdr, 4);
	memcpy(&kind, hdr + 4, 2);
	memcpy(&reserved, hdr + 6, 2);
	len = le32toh(len);
	kind = le16toh(kind);
	if (len > KW_TRACE_FRAME_MAX || reserved ||
	    kind < KW_FRAME_EVENT || kind > KW_FRAME_COUNTERS) {
		snprintf(err, errlen, "damaged frame at body offset %" PRIu64 " (kind %u, %u bytes)",
			 at, kind, len);
		return -1;
	}
	if (len) {
		ret = read_exact(r, payload, len, err, errlen);
		if (ret == -1)
			return -1;
		if (ret != 1)
			goto cut;
	}
	memset(fr, 0, sizeof(*fr));
	fr->kind = kind;
	fr->offset = at;
	fr->len = len;
	switch (kind) {
	case KW_FRAME_EVENT:
		if (kw_decode(payload, len, &fr->ev, derr, sizeof(derr))) {
			snprintf(err, errlen, "bad event at body offset %" PRIu64 ": %s", at, derr);
			return -1;
		}
		break;
	case KW_FRAME_COUNTERS:
		if (counters_frame(payload, len, &fr->counters)) {
			snprintf(err, errlen, "bad counters frame at body offset %" PRIu64, at);
			return -1;
		}
		break;
	default:
		/* 8 bytes of time; none (an early writer): time unknown, 0 */
		if (len && len != sizeof(fr->flush_ns)) {
			snprintf(err, errlen, "bad flush frame at body offset %" PRIu64, at);
			return -1;
		}
		if (len) {
			memcpy(&fr->flush_ns, payload, sizeof(fr->flush_ns));
			fr->flush_ns = le64toh(fr->flush_ns);
		}
		break;
	}
	return 1;

cut:
	/* the offset of the frame, not of the part of it that was missing */
	snprintf(err, errlen, "the trace ends inside a frame at body offset %" PRIu64
		 " (the recorder stopped before writing it whole)", at);
	return -1;
}

bool kw_trace_truncated(const struct kw_trace_reader *r)
{
	return r->truncated && !r->stream_end;
}

void kw_trace_read_close(struct kw_trace_reader *r)
{
	if (!r)
		return;
	if (r->z_live)
		inflateEnd(&r->z);
	free(r);
}
