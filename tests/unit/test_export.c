// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy export: a trace written with the trace writer (a docker container's
 * listener, a bind failure, an OOM kill in a limited memory cgroup, the
 * listener gone with it, a refusal of its port, and a listener still open
 * at the end), exported in every format and parsed back: OTLP JSON lines
 * record by record, the Chrome trace as one document, jsonl against
 * replay's own output.  Damaged input still gives valid output.
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/export.h"
#include "cmd/opts.h"
#include "cmd/replay.h"
#include "suites.h"
#include "testutil.h"
#include "trace/trace.h"

#define SEC 1000000000ULL
#define B2W (1700000000LL * 1000000000LL)	/* wall = boot + this */
#define NS_A 4026531001u
#define CG_WEB 500u
#define CT_ID "3f2a9c0d11e2b5f6a7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
#define MIB (1024ULL * 1024ULL)

static char dir[64], trace_path[128], out_path[128], ref_path[128];

/* ---- building a trace ---- */

static struct kw_addr ep(const char *ip, uint16_t port)
{
	struct kw_addr a = { .port = port, .family = 2 };

	ck_assert_int_eq(inet_pton(AF_INET, ip, a.addr), 1);
	return a;
}

static struct kw_task task(uint32_t pid, const char *comm, uint64_t cg)
{
	struct kw_task t = { .pid = pid, .tgid = pid, .netns_ino = NS_A, .cgroup_id = cg };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

static void hdr(struct kw_event *ev, uint16_t type, uint64_t ts, const struct kw_task *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = kw_event_size(type);
	ev->hdr.ts_boot_ns = ts;
	ev->hdr.ts_mono_ns = ts;
	ev->hdr.netns_ino = NS_A;
	ev->hdr.flags = KW_F_NETNS;
	if (t) {
		ev->hdr.flags |= KW_F_TASK | KW_F_CGROUP;
		ev->hdr.task = *t;
		ev->hdr.cgroup_id = t->cgroup_id;
	}
}

static void put(struct kw_trace_writer *w, const struct kw_event *ev)
{
	ck_assert_int_eq(kw_trace_event(w, ev), 0);
}

static struct kw_trace_writer *open_trace(void)
{
	static struct kw_trace_info info;
	struct kw_trace_opts to = { .path = trace_path };
	struct kw_trace_writer *w;
	char err[256] = "";

	memset(&info, 0, sizeof(info));
	strcpy(info.kwhy_version, "test");
	strcpy(info.host, "testhost");
	strcpy(info.kernel, "6.1.0-test");
	strcpy(info.boot_id, "0c4e2d9a-0000-4000-8000-000000000001");
	strcpy(info.started, "2023-11-14T22:13:29Z");
	strcpy(info.attached, "oom_kill,listen,listen_close,bind");
	info.boot_to_wall_ns = B2W;
	kw_enum_add(&info.rst_reasons, 1, "SK_RST_REASON_NO_SOCKET", "SK_RST_REASON_");
	w = kw_trace_open(&to, &info, NULL, NULL, err, sizeof(err));
	ck_assert_msg(w != NULL, "kw_trace_open: %s", err);
	return w;
}

static void write_scenario(void)
{
	struct kw_task gun = task(41, "gunicorn", CG_WEB), gun2 = task(42, "gunicorn", CG_WEB);
	struct kw_task nginx = task(50, "nginx", CG_WEB), curl = task(900, "curl", CG_WEB);
	struct kw_trace_writer *w = open_trace();
	struct kw_event ev;

	/* the container */
	hdr(&ev, KW_EV_CGROUP, 9 * SEC, NULL);
	ev.hdr.flags = 0;
	ev.cgroup.cgroup_id = CG_WEB;
	ev.cgroup.runtime = KW_RT_DOCKER;
	ev.cgroup.resolved = 1;
	strcpy(ev.cgroup.path, "/system.slice/docker-" CT_ID ".scope");
	strcpy(ev.cgroup.container_id, CT_ID);
	strcpy(ev.cgroup.name, "web");
	put(w, &ev);

	/* two listeners */
	hdr(&ev, KW_EV_LISTEN, 10 * SEC, &gun);
	ev.listen.local = ep("127.0.0.1", 8001);
	ev.listen.backlog = 128;
	put(w, &ev);
	hdr(&ev, KW_EV_LISTEN, 12 * SEC, &nginx);
	ev.listen.local = ep("127.0.0.1", 9090);
	ev.listen.backlog = 511;
	put(w, &ev);
	ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);

	/* a second gunicorn cannot have nginx's port */
	hdr(&ev, KW_EV_BIND, 15 * SEC, &gun2);
	ev.bind.addr = ep("127.0.0.1", 9090);
	ev.bind.ret = -98;
	ev.bind.sock_type = 1;
	ev.bind.protocol = 6;
	put(w, &ev);
	ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);

	/* gunicorn is OOM-killed at the container's limit ... */
	hdr(&ev, KW_EV_OOM_KILL, 20 * SEC, &gun);
	ev.oom.victim = gun;
	ev.oom.victim_src = KW_VICTIM_ARG;
	ev.oom.anon_rss_kb = 250 * 1024;
	ev.oom.nr_levels = 2;
	ev.oom.limit_level = 0;
	ev.oom.levels[0] = (struct kw_oom_level){ CG_WEB, 256 * MIB, 256 * MIB };
	ev.oom.levels[1] = (struct kw_oom_level){ 1, 1024 * MIB, ~0ULL };
	put(w, &ev);
	hdr(&ev, KW_EV_PROC_EXIT, 20 * SEC + 500000, &gun);
	ev.exit.exit_code = 9;
	ev.exit.why = KW_EXIT_LISTENER | KW_EXIT_SIGNALED;
	ev.exit.nr_listeners = 1;
	ev.exit.group_dead = 1;
	put(w, &ev);
	/* ... and its listener goes with it */
	hdr(&ev, KW_EV_LISTEN_CLOSE, 20 * SEC + 1000000, &gun);
	ev.hdr.flags |= KW_F_OWNER;
	ev.listen.local = ep("127.0.0.1", 8001);
	ev.listen.how = KW_CLOSE_KILLED;
	ev.listen.owner_known = 1;
	ev.listen.closer = gun;
	ev.listen.closer_exit_code = 9;
	ev.listen.since_boot_ns = 10 * SEC;
	put(w, &ev);
	ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);

	/* curl is refused: nothing listens on :8001 any more */
	hdr(&ev, KW_EV_RESET_SENT, 21 * SEC, NULL);
	ev.conn.local = ep("127.0.0.1", 8001);
	ev.conn.remote = ep("127.0.0.1", 40000);
	ev.conn.source = KW_SRC_SEND_RESET;
	ev.conn.has_reason = 1;
	ev.conn.reason = 1;
	ev.conn.tcp_flags = KW_TCP_SYN;
	put(w, &ev);
	hdr(&ev, KW_EV_CONNECT_FAIL, 21 * SEC + 1000, &curl);
	ev.hdr.flags |= KW_F_OWNER;
	ev.conn.local = ep("127.0.0.1", 40000);
	ev.conn.remote = ep("127.0.0.1", 8001);
	ev.conn.source = KW_SRC_SET_STATE;
	ev.conn.state = 2;
	ev.conn.error = 111;
	ev.conn.reset_received = 1;
	put(w, &ev);
	ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);
	ck_assert_int_eq(kw_trace_close(w), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/kwhy-export-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(trace_path, sizeof(trace_path), "%s/t.kwt", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(ref_path, sizeof(ref_path), "%s/ref", dir);
}

static void teardown(void)
{
	unlink(trace_path);
	unlink(out_path);
	unlink(ref_path);
	rmdir(dir);
}

static void export_opts(struct kw_opts *o, const char *format, const char *file);

static int export_as(const char *format, const char *file)
{
	struct kw_opts o;

	export_opts(&o, format, file);
	return kw_export(&o);
}

/* the whole file, NUL-terminated; free() it */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fread(s, 1, n, f), n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* ---- otlp ---- */

static const struct jq_val *attr(const struct jq_val *rec, const char *key)
{
	const struct jq_val *a = jq_get(rec, "attributes");

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->type, JQ_ARR);
	for (size_t i = 0; i < a->len; i++) {
		const char *k = jq_str(a->items[i], "key");

		ck_assert_ptr_nonnull(k);
		if (!strcmp(k, key))
			return jq_get(a->items[i], "value");
	}
	return NULL;
}

static const char *attr_str(const struct jq_val *rec, const char *key)
{
	const struct jq_val *v = attr(rec, key);

	return v ? jq_str(v, "stringValue") : NULL;
}

/* intValue: a string of digits (proto3 JSON int64) */
static const char *attr_int(const struct jq_val *rec, const char *key)
{
	const struct jq_val *v = attr(rec, key);

	return v ? jq_str(v, "intValue") : NULL;
}

static bool all_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

struct otlp_seen {
	bool strict;			/* the facts of the scenario, too */
	uint32_t lines, records, max_per_line;
	bool oom, oom_ex, refusal_ex, bind, listen, cgroup;
};

static void check_record(const struct jq_val *r, struct otlp_seen *s)
{
	const char *type = attr_str(r, "kwhy.type"), *t = jq_str(r, "timeUnixNano");
	int64_t sev;

	ck_assert_msg(all_digits(t), "timeUnixNano %s", t ? t : "(none)");
	ck_assert_str_eq(jq_str(r, "observedTimeUnixNano"), t);
	ck_assert(jq_int(r, "severityNumber", &sev));
	ck_assert(sev == 5 || sev == 9 || sev == 13 || sev == 17);
	ck_assert_ptr_nonnull(jq_str(r, "severityText"));
	ck_assert_ptr_nonnull(jq_str(r, "body.stringValue"));
	ck_assert_int_gt(strlen(jq_str(r, "body.stringValue")), 0);
	ck_assert_ptr_nonnull(type);
	ck_assert(all_digits(attr_int(r, !strcmp(type, "explanation") ? "kwhy.explanation_id" :
				      !strcmp(type, "summary") ? "kwhy.explanation_id" :
				      "kwhy.event_id")));
	s->records++;
	if (!s->strict)
		return;
	if (!strcmp(type, "cgroup"))
		s->cgroup = true;
	if (!strcmp(type, "oom_kill")) {
		s->oom = true;
		ck_assert_int_eq(sev, 17);
		tu_assert_str(r, "severityText", "ERROR");
		ck_assert_str_eq(t, "1700000020000000000");
		ck_assert_str_eq(attr_int(r, "process.pid"), "41");
		ck_assert_str_eq(attr_str(r, "process.executable.name"), "gunicorn");
		ck_assert_str_eq(attr_str(r, "container.name"), "web");
		ck_assert_str_eq(attr_str(r, "container.id"), CT_ID);
		ck_assert_str_eq(attr_str(r, "container.runtime"), "docker");
		ck_assert_str_eq(attr_int(r, "kwhy.oom.limit_bytes"), "268435456");
		tu_assert_contains(jq_str(r, "body.stringValue"), "OOM-KILL gunicorn pid 41");
	}
	if (!strcmp(type, "bind") && attr(r, "error.type")) {
		s->bind = true;
		ck_assert_int_eq(sev, 13);
		ck_assert_str_eq(attr_str(r, "error.type"), "EADDRINUSE");
		ck_assert_str_eq(attr_int(r, "network.local.port"), "9090");
		ck_assert_str_eq(attr_str(r, "network.transport"), "tcp");
	}
	if (!strcmp(type, "listen") && !strcmp(attr_int(r, "server.port"), "8001")) {
		s->listen = true;
		ck_assert_int_eq(sev, 9);
		ck_assert_str_eq(attr_str(r, "server.address"), "127.0.0.1");
		ck_assert_str_eq(attr_str(r, "network.type"), "ipv4");
		ck_assert_str_eq(attr_str(r, "container.name"), "web");
	}
	if (!strcmp(type, "explanation")) {
		const char *cause = attr_str(r, "kwhy.cause");
		const struct jq_val *ids = attr(r, "kwhy.event_ids");

		ck_assert_ptr_nonnull(cause);
		ck_assert_ptr_nonnull(attr_str(r, "kwhy.fix"));
		ck_assert_ptr_nonnull(ids);
		ck_assert_int_gt(jq_len(ids, "arrayValue.values"), 0);
		ck_assert(all_digits(jq_str(ids, "arrayValue.values.0.intValue")));
		if (!strcmp(cause, "memcg_limit")) {
			s->oom_ex = true;
			ck_assert_int_eq(sev, 17);
			ck_assert_str_eq(attr_int(r, "process.pid"), "41");
			ck_assert_str_eq(attr_str(r, "container.name"), "web");
		} else if (!strcmp(cause, "listener_exited")) {
			s->refusal_ex = true;
			ck_assert_int_eq(sev, 13);
			ck_assert_str_eq(attr_str(r, "server.address"), "127.0.0.1");
			ck_assert_str_eq(attr_int(r, "server.port"), "8001");
			ck_assert_str_eq(attr_str(r, "error.type"), "ECONNREFUSED");
			ck_assert_str_eq(attr_str(r, "container.name"), "web");
			ck_assert_str_eq(attr_int(r, "kwhy.client.pid"), "900");
			tu_assert_contains(jq_str(r, "body.stringValue"), "OOM-killed");
		}
	}
}

/* every line one LogsData object; returns what was seen */
static void check_otlp(char *text, struct otlp_seen *s, bool strict)
{
	char *line = text, *nl;

	memset(s, 0, sizeof(*s));
	s->strict = strict;
	for (; *line; line = nl + 1) {
		struct jq_val *v;
		const struct jq_val *res, *recs;

		nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "the last line has no newline");
		*nl = '\0';
		v = tu_parse(line);
		s->lines++;
		ck_assert_int_eq(jq_len(v, "resourceLogs"), 1);
		res = jq_get(v, "resourceLogs.0.resource");
		ck_assert_str_eq(attr_str(res, "host.name"), "testhost");
		ck_assert_str_eq(attr_str(res, "os.type"), "linux");
		ck_assert_str_eq(attr_str(res, "service.name"), "kwhy");
		tu_assert_str(v, "resourceLogs.0.scopeLogs.0.scope.name", "kwhy");
		ck_assert_ptr_nonnull(jq_str(v, "resourceLogs.0.scopeLogs.0.scope.version"));
		recs = jq_get(v, "resourceLogs.0.scopeLogs.0.logRecords");
		ck_assert_ptr_nonnull(recs);
		ck_assert_int_eq(recs->type, JQ_ARR);
		ck_assert_int_gt(recs->len, 0);
		ck_assert_int_le(recs->len, KW_OTLP_BATCH);
		if (recs->len > s->max_per_line)
			s->max_per_line = recs->len;
		for (size_t i = 0; i < recs->len; i++)
			check_record(recs->items[i], s);
		jq_free(v);
	}
}

START_TEST(otlp_records_parse_back)
{
	struct otlp_seen s;
	char *text;

	write_scenario();
	ck_assert_int_eq(export_as("otlp", trace_path), KW_EXIT_OK);
	text = slurp(out_path);
	check_otlp(text, &s, true);
	ck_assert_int_eq(s.lines, 1);
	/* 9 events less the cgroup record, and 2 explanations at least */
	ck_assert_int_ge(s.records, 10);
	ck_assert(s.oom && s.oom_ex && s.refusal_ex && s.bind && s.listen);
	ck_assert(!s.cgroup);
	free(text);
}
END_TEST

START_TEST(otlp_batches_lines)
{
	struct kw_task t = task(7, "binder", CG_WEB);
	struct kw_trace_writer *w = open_trace();
	struct kw_event ev;
	struct otlp_seen s;
	char *text;

	for (int i = 0; i < KW_OTLP_BATCH + 100; i++) {
		hdr(&ev, KW_EV_BIND, (uint64_t)(i + 1) * 1000, &t);
		ev.bind.addr = ep("0.0.0.0", 1000 + i);
		ev.bind.bound_port = 1000 + i;
		put(w, &ev);
		if (i % 50 == 0)
			ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);
	}
	ck_assert_int_eq(kw_trace_close(w), 0);
	ck_assert_int_eq(export_as("otlp", trace_path), KW_EXIT_OK);
	text = slurp(out_path);
	check_otlp(text, &s, true);
	ck_assert_int_eq(s.lines, 2);
	ck_assert_int_eq(s.records, KW_OTLP_BATCH + 100);
	ck_assert_int_eq(s.max_per_line, KW_OTLP_BATCH);
	free(text);
}
END_TEST

/* ---- perfetto ---- */

static const struct jq_val *find_event(const struct jq_val *evs, const char *ph, const char *name)
{
	for (size_t i = 0; i < evs->len; i++) {
		const char *p = jq_str(evs->items[i], "ph"), *n = jq_str(evs->items[i], "name");

		if (p && n && !strcmp(p, ph) && !strncmp(n, name, strlen(name)))
			return evs->items[i];
	}
	return NULL;
}

START_TEST(perfetto_document_parses_back)
{
	const struct jq_val *evs, *e, *m = NULL;
	int64_t pid, web_pid = -1, n;
	struct jq_val *v;
	char *text;

	write_scenario();
	ck_assert_int_eq(export_as("perfetto", trace_path), KW_EXIT_OK);
	text = slurp(out_path);
	v = tu_parse(text);
	tu_assert_str(v, "displayTimeUnit", "ms");
	tu_assert_str(v, "metadata.host", "testhost");
	evs = jq_get(v, "traceEvents");
	ck_assert_ptr_nonnull(evs);
	ck_assert_int_eq(evs->type, JQ_ARR);

	/* the container's process track */
	for (size_t i = 0; i < evs->len; i++) {
		const char *name = jq_str(evs->items[i], "args.name");

		if (!strcmp(jq_str(evs->items[i], "ph"), "M") && name &&
		    !strcmp(jq_str(evs->items[i], "name"), "process_name") &&
		    !strcmp(name, "container web"))
			m = evs->items[i];
	}
	ck_assert_msg(m != NULL, "no process_name \"container web\"");
	ck_assert(jq_int(m, "pid", &web_pid));

	/* the listener's life: 10 s -> 20.001 s */
	e = find_event(evs, "X", "listen 127.0.0.1:8001 (gunicorn 41)");
	ck_assert_msg(e != NULL, "no span for the listener");
	tu_assert_int(e, "ts", (B2W + 10 * (int64_t)SEC) / 1000);
	tu_assert_int(e, "dur", 10001000);
	tu_assert_int(e, "pid", web_pid);
	tu_assert_str(e, "args.end", "closed");
	tu_assert_str(e, "args.close.how", "owner_killed");
	tu_assert_int(e, "args.listen.owner.pid", 41);

	/* still open at the end: until the last event, 21.000001 s */
	e = find_event(evs, "X", "listen 127.0.0.1:9090 (nginx 50)");
	ck_assert_msg(e != NULL, "no span for the open listener");
	tu_assert_int(e, "dur", 9000001);
	tu_assert_str(e, "args.end", "open at the end of the trace");
	tu_assert_null(e, "args.close");

	/* the OOM kill, with its explanation */
	e = find_event(evs, "i", "OOM kill gunicorn 41");
	ck_assert_msg(e != NULL, "no instant for the OOM kill");
	tu_assert_str(e, "s", "p");
	tu_assert_int(e, "ts", (B2W + 20 * (int64_t)SEC) / 1000);
	tu_assert_int(e, "pid", web_pid);
	tu_assert_str(e, "args.event.type", "oom_kill");
	tu_assert_str(e, "args.explanation.cause", "memcg_limit");

	/* memory at the kill */
	e = find_event(evs, "C", "memory /system.slice/docker-" CT_ID ".scope");
	ck_assert_msg(e != NULL, "no memory counter");
	tu_assert_int(e, "args.usage_bytes", 256 * MIB);
	tu_assert_int(e, "args.limit_bytes", 256 * MIB);
	tu_assert_int(e, "pid", web_pid);

	/* the refusal, explained */
	e = find_event(evs, "i", "refused 127.0.0.1:8001 (listener_exited)");
	ck_assert_msg(e != NULL, "no instant for the refusal");
	tu_assert_str(e, "s", "p");
	tu_assert_str(e, "args.explanation.cause", "listener_exited");
	ck_assert(jq_int(e, "pid", &pid));
	ck_assert_int_eq(pid, web_pid);

	/* the bind failure */
	e = find_event(evs, "i", "bind 127.0.0.1:9090 failed: EADDRINUSE");
	ck_assert_msg(e != NULL, "no instant for the bind failure");
	tu_assert_int(e, "args.event.errno", 98);

	/* no two spans of one thread overlap */
	n = 0;
	for (size_t i = 0; i < evs->len; i++) {
		int64_t ts, dur, p, t;

		if (strcmp(jq_str(evs->items[i], "ph"), "X"))
			continue;
		n++;
		ck_assert(jq_int(evs->items[i], "ts", &ts) && jq_int(evs->items[i], "dur", &dur));
		ck_assert(jq_int(evs->items[i], "pid", &p) && jq_int(evs->items[i], "tid", &t));
		for (size_t k = 0; k < evs->len; k++) {
			int64_t ts2, dur2, p2, t2;

			if (k == i || strcmp(jq_str(evs->items[k], "ph"), "X"))
				continue;
			jq_int(evs->items[k], "ts", &ts2);
			jq_int(evs->items[k], "dur", &dur2);
			jq_int(evs->items[k], "pid", &p2);
			jq_int(evs->items[k], "tid", &t2);
			ck_assert(p != p2 || t != t2 || ts + dur <= ts2 || ts2 + dur2 <= ts);
		}
	}
	ck_assert_int_eq(n, 2);
	jq_free(v);
	free(text);
}
END_TEST

/* a listener closed without its listen in the trace: from the kernel's
 * since, on a lane of its own */
START_TEST(perfetto_listener_from_before_the_trace)
{
	struct kw_task t = task(60, "redis", CG_WEB);
	struct kw_trace_writer *w = open_trace();
	const struct jq_val *e;
	struct kw_event ev;
	struct jq_val *v;
	char *text;

	hdr(&ev, KW_EV_LISTEN_CLOSE, 30 * SEC, &t);
	ev.listen.local = ep("0.0.0.0", 6379);
	ev.listen.how = KW_CLOSE_CALL;
	ev.listen.closer = t;
	ev.listen.since_boot_ns = 5 * SEC;
	put(w, &ev);
	ck_assert_int_eq(kw_trace_flush_mark(w, ev.hdr.ts_boot_ns + 1000000), 0);
	ck_assert_int_eq(kw_trace_close(w), 0);
	ck_assert_int_eq(export_as("perfetto", trace_path), KW_EXIT_OK);
	text = slurp(out_path);
	v = tu_parse(text);
	e = find_event(jq_get(v, "traceEvents"), "X", "listen 0.0.0.0:6379 (redis 60)");
	ck_assert_ptr_nonnull(e);
	tu_assert_int(e, "dur", 25 * 1000000);
	tu_assert_null(e, "args.listen");
	tu_assert_str(e, "args.close.type", "listen_close");
	jq_free(v);
	free(text);
}
END_TEST

/* ---- jsonl, damage, refusals ---- */

START_TEST(jsonl_is_replay_output)
{
	struct kw_opts o;
	char *a, *b, *line, *nl;
	FILE *f;

	write_scenario();
	ck_assert_int_eq(export_as("jsonl", trace_path), KW_EXIT_OK);
	kw_opts_default(&o);
	o.cmd = KW_CMD_REPLAY;
	o.file = trace_path;
	f = fopen(ref_path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(kw_replay_into(&o, f, true), KW_EXIT_OK);
	fclose(f);
	a = slurp(out_path);
	b = slurp(ref_path);
	ck_assert_int_gt(strlen(a), 0);
	ck_assert_str_eq(a, b);
	for (line = a; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		ck_assert_msg(tu_is_json(line), "not JSON: %s", line);
	}
	free(a);
	free(b);
}
END_TEST

static void export_opts(struct kw_opts *o, const char *format, const char *file)
{
	kw_opts_default(o);
	o->cmd = KW_CMD_EXPORT;
	o->file = file;
	o->format = format;
	o->out = out_path;
	o->force = true;	/* the tests write out_path again and again */
}

/* kw_export with stderr silenced: its complaints are expected */
static int quietly(const struct kw_opts *o)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY), ret;

	fflush(stderr);
	dup2(null, 2);
	ret = kw_export(o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(null);
	return ret;
}

static int export_quietly(const char *format, const char *file)
{
	struct kw_opts o;

	export_opts(&o, format, file);
	return quietly(&o);
}

START_TEST(damaged_trace_still_gives_valid_output)
{
	char cut[160];
	struct otlp_seen s;
	struct jq_val *v;
	char *text, *whole;
	size_t n;
	FILE *f;

	write_scenario();
	whole = slurp(trace_path);	/* binary: length from the file */
	f = fopen(trace_path, "rb");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	snprintf(cut, sizeof(cut), "%s/cut.kwt", dir);
	f = fopen(cut, "wb");
	ck_assert_int_eq(fwrite(whole, 1, n - 40, f), n - 40);
	fclose(f);

	export_quietly("perfetto", cut);
	text = slurp(out_path);
	v = tu_parse(text);
	ck_assert_ptr_nonnull(jq_get(v, "traceEvents"));
	jq_free(v);
	free(text);

	export_quietly("otlp", cut);
	text = slurp(out_path);
	check_otlp(text, &s, false);
	ck_assert_int_gt(s.records, 0);
	free(text);
	unlink(cut);
	free(whole);
}
END_TEST

START_TEST(refuses_what_it_cannot_do)
{
	struct kw_opts o;

	write_scenario();
	export_opts(&o, "otlp", trace_path);
	o.out = trace_path;		/* would truncate the trace */
	ck_assert_int_eq(quietly(&o), KW_EXIT_USAGE);
	/* the filters work offline, from the trace's cgroup records, for
	 * every format: an unknown container is a usage error */
	export_opts(&o, "perfetto", trace_path);
	o.container = "no-such-container";
	ck_assert_int_eq(quietly(&o), KW_EXIT_USAGE);
	o.container = "web";
	ck_assert_int_eq(quietly(&o), KW_EXIT_OK);
	ck_assert_int_eq(export_quietly("otlp", out_path), KW_EXIT_RUNTIME);	/* no trace */
	ck_assert_int_eq(export_as("jsonl", trace_path), KW_EXIT_OK);	/* still whole */
}
END_TEST

/* -o: an existing file is not written over without --force, and with it
 * is replaced, not written through (a symlink stays pointing where it
 * pointed, its target untouched) */
START_TEST(existing_output_refused_without_force)
{
	char target[200], *text;
	struct kw_opts o;
	FILE *f;

	write_scenario();
	snprintf(target, sizeof(target), "%s/target", dir);
	f = fopen(target, "w");
	fputs("precious\n", f);
	fclose(f);
	unlink(out_path);
	ck_assert_int_eq(symlink(target, out_path), 0);
	export_opts(&o, "jsonl", trace_path);
	o.force = false;
	ck_assert_int_eq(quietly(&o), KW_EXIT_RUNTIME);
	text = slurp(target);
	ck_assert_str_eq(text, "precious\n");
	free(text);
	o.force = true;
	ck_assert_int_eq(quietly(&o), KW_EXIT_OK);
	text = slurp(target);
	ck_assert_str_eq(text, "precious\n");
	free(text);
	text = slurp(out_path);		/* a file of its own now */
	ck_assert_ptr_nonnull(strstr(text, "\"type\""));
	free(text);
	unlink(target);
}
END_TEST

Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, otlp_records_parse_back);
	tcase_add_test(tc, otlp_batches_lines);
	tcase_add_test(tc, perfetto_document_parses_back);
	tcase_add_test(tc, perfetto_listener_from_before_the_trace);
	tcase_add_test(tc, jsonl_is_replay_output);
	tcase_add_test(tc, damaged_trace_still_gives_valid_output);
	tcase_add_test(tc, refuses_what_it_cannot_do);
	tcase_add_test(tc, existing_output_refused_without_force);
	suite_add_tcase(s, tc);
	return s;
}
