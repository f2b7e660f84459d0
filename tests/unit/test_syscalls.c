// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Failed system calls through the pipeline, as watch and replay feed them:
 * UNIX connects (missing path, stale socket file, full backlog, no
 * permission), connects out of ports, accepts out of files; events out of
 * order and missing; the reads at the failure present or not; the
 * procparse readers those reads use.
 */
#include <check.h>
#include <errno.h>
#include <string.h>
#include "core/pipeline.h"
#include "host/procparse.h"
#include "output/explanation.h"
#include "util/jsonq.h"
#include "suites.h"
#include "testutil.h"

#define NS 4026531001u
#define SEC 1000000000ULL

static struct kw_explanation g_ex[8];
static uint32_t g_nex;

static void cap_expl(void *ctx, const struct kw_explanation *ex)
{
	(void)ctx;
	if (g_nex < 8)
		g_ex[g_nex] = *ex;
	g_nex++;
}

static struct kw_pipeline *pipe_new(void)
{
	static struct kw_pipeline p;
	struct kw_pipeline_cfg cfg = { .model.recent_ns = 60 * SEC };
	struct kw_sinks sinks = { .explanation = cap_expl };

	g_nex = 0;
	kw_pipeline_init(&p, &cfg, &sinks);
	return &p;
}

static struct kw_task task(uint32_t pid, const char *comm, uint32_t uid)
{
	struct kw_task t = { .pid = pid, .tgid = pid, .uid = uid, .netns_ino = NS, .cgroup_id = 7 };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

static void hdr(struct kw_hdr *h, unsigned int type, size_t size, uint64_t ts,
		const struct kw_task *t)
{
	h->type = type;
	h->size = size;
	h->ts_boot_ns = ts;
	h->flags = KW_F_NETNS;
	h->netns_ino = NS;
	if (t) {
		h->task = *t;
		h->flags |= KW_F_TASK;
	}
}

static void set_path(char *dst, uint16_t *len, const char *path)
{
	memset(dst, 0, KW_UNIX_PATH_LEN);
	*len = (uint16_t)strlen(path);
	memcpy(dst, path, *len);
}

static void unix_listen(struct kw_pipeline *p, uint64_t ts, const struct kw_task *owner,
			const char *path, uint64_t ino, uint8_t source, uint32_t backlog,
			uint32_t queued)
{
	struct kw_event ev = { 0 };

	hdr(&ev.hdr, KW_EV_UNIX_LISTEN, sizeof(ev.unix_listen), ts, owner);
	if (source == KW_UL_SNAPSHOT)
		ev.hdr.flags |= KW_F_SNAPSHOT;
	set_path(ev.unix_listen.path, &ev.unix_listen.path_len, path);
	ev.unix_listen.ino = ino;
	ev.unix_listen.source = source;
	ev.unix_listen.backlog = backlog;
	ev.unix_listen.queued = queued;
	kw_pipeline_event(p, &ev);
}

static void unix_path(struct kw_pipeline *p, uint64_t ts, uint32_t pid, const char *path,
		      int stat_err, uint32_t mode, uint32_t uid, bool reread)
{
	struct kw_event ev = { 0 };

	hdr(&ev.hdr, KW_EV_UNIX_PATH, sizeof(ev.unix_path), ts, NULL);
	set_path(ev.unix_path.path, &ev.unix_path.path_len, path);
	ev.unix_path.client_pid = pid;
	ev.unix_path.stat_err = stat_err;
	ev.unix_path.mode = mode;
	ev.unix_path.uid = uid;
	ev.unix_path.reread = reread;
	kw_pipeline_event(p, &ev);
}

static void unix_fail(struct kw_pipeline *p, uint64_t ts, const struct kw_task *client,
		      const char *path, int err)
{
	struct kw_event ev = { 0 };

	hdr(&ev.hdr, KW_EV_UNIX_CONNECT_FAIL, sizeof(ev.unix_conn), ts, client);
	set_path(ev.unix_conn.path, &ev.unix_conn.path_len, path);
	ev.unix_conn.ret = -err;
	kw_pipeline_event(p, &ev);
}

static void proc_exit(struct kw_pipeline *p, uint64_t ts, const struct kw_task *t, uint32_t st)
{
	struct kw_event ev = { 0 };

	hdr(&ev.hdr, KW_EV_PROC_EXIT, sizeof(ev.exit), ts, t);
	ev.exit.exit_code = st;
	ev.exit.group_dead = 1;
	kw_pipeline_event(p, &ev);
}

/* the explanation as JSON, parsed */
static struct jq_val *as_json(const struct kw_explanation *ex)
{
	static char out[16384];
	struct kw_buf b = KW_BUF_INIT(out);
	struct kw_fmt_ctx ctx = { 0 };

	kw_buf_reset(&b);
	kw_format_explanation(&b, true, ex, &ctx);
	ck_assert(!b.truncated);
	return tu_parse(out);
}

START_TEST(unix_missing_names_nearest)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task gun = task(41, "gunicorn", 0), ngx = task(7, "nginx", 33);
	struct jq_val *v;

	unix_listen(p, 1 * SEC, &gun, "/run/app/gunicorn.sock", 100, KW_UL_LISTEN, 2048, 0);
	unix_listen(p, 1 * SEC, &gun, "/srv/other/app.sock", 101, KW_UL_LISTEN, 16, 0);
	unix_listen(p, 1 * SEC, &gun, "/tmp/far/away.sock", 102, KW_UL_LISTEN, 16, 0);
	/* the re-read at the failure finds them still there */
	unix_listen(p, 2 * SEC, NULL, "/run/app/gunicorn.sock", 100, KW_UL_REREAD, 2048, 0);
	unix_listen(p, 2 * SEC, NULL, "/srv/other/app.sock", 101, KW_UL_REREAD, 16, 0);
	unix_listen(p, 2 * SEC, NULL, "/tmp/far/away.sock", 102, KW_UL_REREAD, 16, 0);
	unix_path(p, 2 * SEC, 7, "/run/app/app.sock", ENOENT, 0, 0, true);
	unix_fail(p, 2 * SEC, &ngx, "/run/app/app.sock", ENOENT);
	ck_assert_uint_eq(g_nex, 1);
	ck_assert_str_eq(kw_cause_name(g_ex[0].cause), "unix_missing");
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "facts.path", "/run/app/app.sock");
	tu_assert_str(v, "facts.client.comm", "nginx");
	tu_assert_bool(v, "facts.file.exists", false);
	ck_assert_uint_eq(jq_len(v, "facts.nearest"), 2);
	tu_assert_str(v, "facts.nearest.0.path", "/run/app/gunicorn.sock");
	tu_assert_str(v, "facts.nearest.0.match", "same_directory");
	tu_assert_str(v, "facts.nearest.0.owner.comm", "gunicorn");
	tu_assert_str(v, "facts.nearest.1.path", "/srv/other/app.sock");
	tu_assert_str(v, "facts.nearest.1.match", "same_name");
	tu_assert_contains(g_ex[0].text, "wrong path?");
	tu_assert_contains(g_ex[0].fix, "unix:/run/app/gunicorn.sock");
	jq_free(v);
	/* the same failure again: counted, not explained again */
	unix_fail(p, 3 * SEC, &ngx, "/run/app/app.sock", ENOENT);
	ck_assert_uint_eq(g_nex, 1);
}
END_TEST

/* the killed gunicorn's exit, the snapshot record after the live listen
 * (out of time order), then the refused connect */
START_TEST(unix_no_listener_names_the_dead)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task gun = task(41, "gunicorn", 0), ngx = task(7, "nginx", 33);
	struct jq_val *v;

	unix_listen(p, 5 * SEC, &gun, "/run/g.sock", 100, KW_UL_SNAPSHOT, 2048, 0);
	unix_listen(p, 1 * SEC, &gun, "/run/g.sock", 100, KW_UL_LISTEN, 2048, 0);
	proc_exit(p, 6 * SEC, &gun, 9);		/* SIGKILL */
	unix_path(p, 7 * SEC, 7, "/run/g.sock", 0, 0140777, 0, true);
	unix_fail(p, 7 * SEC, &ngx, "/run/g.sock", ECONNREFUSED);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "unix_no_listener");
	tu_assert_bool(v, "facts.file.is_socket", true);
	tu_assert_int(v, "facts.dead_listener.owner.pid", 41);
	tu_assert_str(v, "facts.owner_death.how", "killed");
	tu_assert_str(v, "facts.owner_death.signal", "SIGKILL");
	tu_assert_int(v, "facts.owner_death.before_ms", 1000);
	tu_assert_contains(g_ex[0].text, "gunicorn pid 41 listened there until it was killed by SIGKILL");
	jq_free(v);
}
END_TEST

/* nothing of the listener was seen (kwhy started after it died), nor read */
START_TEST(unix_no_listener_unseen)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task ngx = task(7, "nginx", 33);
	struct jq_val *v;

	unix_fail(p, 7 * SEC, &ngx, "/run/g.sock", ECONNREFUSED);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "unix_no_listener");
	ck_assert(jq_get(v, "facts.dead_listener")->type == JQ_NULL);
	ck_assert(jq_get(v, "facts.file")->type == JQ_NULL);
	tu_assert_contains(g_ex[0].text, "kwhy did not see it listen");
	jq_free(v);
}
END_TEST

/* a listener the re-read no longer finds is gone: not offered as nearest */
START_TEST(unix_reread_forgets_the_gone)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task gun = task(41, "gunicorn", 0), ngx = task(7, "nginx", 33);

	unix_listen(p, 1 * SEC, &gun, "/run/app/a.sock", 100, KW_UL_LISTEN, 16, 0);
	unix_path(p, 2 * SEC, 7, "/run/app/b.sock", ENOENT, 0, 0, true);
	unix_fail(p, 2 * SEC, &ngx, "/run/app/b.sock", ENOENT);
	ck_assert_uint_eq(g_nex, 1);
	ck_assert_uint_eq(g_ex[0].nr_ulisteners, 0);
	tu_assert_contains(g_ex[0].text, "the server is not running");
}
END_TEST

START_TEST(unix_backlog_full_and_permission)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task srv = task(41, "server", 0), cli = task(9, "client", 65534);
	struct jq_val *v;

	unix_listen(p, 1 * SEC, &srv, "/run/s.sock", 100, KW_UL_LISTEN, 1, 0);
	unix_listen(p, 2 * SEC, NULL, "/run/s.sock", 100, KW_UL_REREAD, 1, 2);
	unix_path(p, 2 * SEC, 9, "/run/s.sock", 0, 0140777, 0, true);
	unix_fail(p, 2 * SEC, &cli, "/run/s.sock", EAGAIN);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "unix_backlog_full");
	tu_assert_int(v, "facts.listener.backlog", 1);
	tu_assert_int(v, "facts.listener.queued", 2);
	tu_assert_int(v, "facts.listener.owner.pid", 41);
	tu_assert_null(v, "facts.file.reread_error");
	jq_free(v);
	tu_assert_contains(g_ex[0].text, "a backlog of 1, and 2 connections wait to be accepted");

	unix_path(p, 3 * SEC, 9, "/run/s.sock", 0, 0140600, 0, true);
	unix_fail(p, 3 * SEC, &cli, "/run/s.sock", EACCES);
	ck_assert_uint_eq(g_nex, 2);
	v = as_json(&g_ex[1]);
	tu_assert_str(v, "cause", "unix_permission");
	tu_assert_int(v, "facts.file.mode", 0600);
	tu_assert_int(v, "facts.client_uid", 65534);
	tu_assert_contains(g_ex[1].text, "srw------- owned by uid 0");
	jq_free(v);
}
END_TEST

/* no unix_diag (its module not loaded): the re-read at the failure fails
 * with ENOENT, the listener is known from listen(2) alone; its queue is
 * said unread and why, never 0 */
START_TEST(unix_backlog_full_queue_unread)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task srv = task(41, "server", 0), cli = task(9, "client", 65534);
	struct kw_event ev = { 0 };
	struct jq_val *v;

	unix_listen(p, 1 * SEC, &srv, "/run/s.sock", 100, KW_UL_LISTEN, 1, 0);
	hdr(&ev.hdr, KW_EV_UNIX_PATH, sizeof(ev.unix_path), 2 * SEC, NULL);
	set_path(ev.unix_path.path, &ev.unix_path.path_len, "/run/s.sock");
	ev.unix_path.client_pid = 9;
	ev.unix_path.mode = 0140777;
	ev.unix_path.reread_err = ENOENT;
	kw_pipeline_event(p, &ev);
	unix_fail(p, 2 * SEC, &cli, "/run/s.sock", EAGAIN);
	ck_assert_uint_eq(g_nex, 1);
	tu_assert_contains(g_ex[0].text, "server pid 41 listens there with a backlog of 1; how many "
			   "connections wait to be accepted could not be read (no unix_diag");
	ck_assert_ptr_null(strstr(g_ex[0].text, "0 connections"));
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "unix_backlog_full");
	tu_assert_int(v, "facts.listener.backlog", 1);
	tu_assert_null(v, "facts.listener.queued");
	tu_assert_bool(v, "facts.file.reread", false);
	tu_assert_str(v, "facts.file.reread_error", "ENOENT");
	jq_free(v);

	/* a snapshot's queue is of another moment: not the failure's */
	p = pipe_new();
	unix_listen(p, 1 * SEC, &srv, "/run/s.sock", 100, KW_UL_SNAPSHOT, 1, 0);
	unix_fail(p, 2 * SEC, &cli, "/run/s.sock", EAGAIN);
	ck_assert_uint_eq(g_nex, 1);
	tu_assert_contains(g_ex[0].text, "could not be read (no re-read at the failure)");
	v = as_json(&g_ex[0]);
	tu_assert_null(v, "facts.listener.queued");
	tu_assert_null(v, "facts.file");
	jq_free(v);
}
END_TEST

START_TEST(unix_nscd_probe_is_no_failure)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task curl = task(9, "curl", 0);

	unix_fail(p, 1 * SEC, &curl, "/var/run/nscd/socket", ENOENT);
	ck_assert_uint_eq(g_nex, 0);
}
END_TEST

START_TEST(ports_exhausted_with_and_without_the_read)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task cli = task(9, "client", 0);
	struct kw_event ev = { 0 }, u = { 0 };
	struct jq_val *v;

	hdr(&ev.hdr, KW_EV_CONNECT_NOADDR, sizeof(ev.conn), 2 * SEC, &cli);
	ev.conn.remote = (struct kw_addr){ .family = 2, .port = 8000, .addr = { 127, 0, 0, 1 } };
	ev.conn.error = EADDRNOTAVAIL;
	/* no read (a kernel or a process that did not let it): degraded */
	kw_pipeline_event(p, &ev);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "ports_exhausted");
	ck_assert(jq_get(v, "facts.port_range")->type == JQ_NULL);
	jq_free(v);

	p = pipe_new();
	hdr(&u.hdr, KW_EV_PORT_USAGE, sizeof(u.port_usage), 2 * SEC, NULL);
	u.port_usage.dest = ev.conn.remote;
	u.port_usage.range_lo = 40000;
	u.port_usage.range_hi = 40009;
	u.port_usage.to_dest = 10;
	u.port_usage.to_dest_time_wait = 3;
	u.port_usage.in_range = 10;
	u.port_usage.read_ok = 1;
	kw_pipeline_event(p, &u);
	kw_pipeline_event(p, &ev);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_int(v, "facts.port_range.lo", 40000);
	tu_assert_int(v, "facts.port_range.size", 10);
	tu_assert_int(v, "facts.in_use_to_dest", 10);
	tu_assert_int(v, "facts.time_wait_to_dest", 3);
	tu_assert_str(v, "facts.destination.text", "127.0.0.1:8000");
	tu_assert_contains(g_ex[0].text, "10 of the 10 ephemeral ports (40000-40009");
	jq_free(v);
}
END_TEST

START_TEST(fd_limit_names_limit_and_listener)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_task srv = task(41, "server", 0);
	struct kw_event l = { 0 }, a = { 0 }, u = { 0 };
	struct jq_val *v;

	hdr(&l.hdr, KW_EV_LISTEN, sizeof(l.listen), 1 * SEC, &srv);
	l.listen.local = (struct kw_addr){ .family = 2, .port = 8000, .addr = { 127, 0, 0, 1 } };
	l.listen.backlog = 16;
	kw_pipeline_event(p, &l);
	hdr(&u.hdr, KW_EV_FD_USAGE, sizeof(u.fd_usage), 2 * SEC, NULL);
	u.fd_usage.pid = 41;
	u.fd_usage.open_fds = 32;
	u.fd_usage.fds_read = 1;
	kw_pipeline_event(p, &u);
	hdr(&a.hdr, KW_EV_ACCEPT_FAIL, sizeof(a.accept_fail), 2 * SEC, &srv);
	a.accept_fail.ret = -EMFILE;
	a.accept_fail.accept4 = 1;
	a.accept_fail.nofile_cur = a.accept_fail.nofile_max = 32;
	kw_pipeline_event(p, &a);
	ck_assert_uint_eq(g_nex, 1);
	v = as_json(&g_ex[0]);
	tu_assert_str(v, "cause", "fd_limit");
	tu_assert_int(v, "facts.process.pid", 41);
	tu_assert_int(v, "facts.open_fds", 32);
	tu_assert_int(v, "facts.nofile_soft", 32);
	tu_assert_int(v, "facts.listeners.0.addr.port", 8000);
	ck_assert(jq_get(v, "facts.host_files_open")->type == JQ_NULL);
	jq_free(v);
}
END_TEST

/* a no-socket reset answering an ACK (a connection this end forgot) is no
 * refusal: nothing is explained */
START_TEST(reset_for_a_late_ack_is_no_refusal)
{
	struct kw_pipeline *p = pipe_new();
	struct kw_event ev = { 0 };

	hdr(&ev.hdr, KW_EV_RESET_SENT, sizeof(ev.conn), 1 * SEC, NULL);
	ev.conn.local = (struct kw_addr){ .family = 2, .port = 41000, .addr = { 127, 0, 0, 1 } };
	ev.conn.remote = (struct kw_addr){ .family = 2, .port = 8080, .addr = { 127, 0, 0, 1 } };
	ev.conn.tcp_flags = KW_TCP_ACK;
	kw_pipeline_event(p, &ev);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(g_nex, 0);
	ev.conn.tcp_flags = KW_TCP_SYN;	/* the same to a SYN is a refusal */
	kw_pipeline_event(p, &ev);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(g_nex, 1);
}
END_TEST

START_TEST(procparse_readers)
{
	uint32_t euid, egid;
	bool in;
	uint64_t a, b;
	struct kw_addr l, r;
	unsigned int st;

	ck_assert_int_eq(kw_parse_status_creds("Name:\tx\nUid:\t0\t65534\t0\t0\nGid:\t5\t6\t5\t5\n"
					       "Groups:\t10 20 30\n", 20, &euid, &egid, &in), 0);
	ck_assert_uint_eq(euid, 65534);
	ck_assert_uint_eq(egid, 6);
	ck_assert(in);
	ck_assert_int_eq(kw_parse_status_creds("Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\n", 2,
					       &euid, &egid, &in), 0);
	ck_assert(!in);
	ck_assert_int_eq(kw_parse_status_creds("Name:\tx\n", 2, &euid, &egid, &in), -EINVAL);
	ck_assert_int_eq(kw_parse_limits_nofile("Limit  Soft Limit  Hard Limit  Units\n"
						"Max open files            1024                 "
						"524288               files\n", &a, &b), 0);
	ck_assert_uint_eq(a, 1024);
	ck_assert_uint_eq(b, 524288);
	ck_assert_int_eq(kw_parse_limits_nofile("Max open files  unlimited  unlimited  files\n",
						&a, &b), 0);
	ck_assert_uint_eq(a, UINT64_MAX);
	ck_assert_int_eq(kw_parse_limits_nofile("Max processes 5 5\n", &a, &b), -EINVAL);
	ck_assert_int_eq(kw_parse_two("40000\t40009\n", &a, &b), 0);
	ck_assert_uint_eq(a, 40000);
	ck_assert_uint_eq(b, 40009);
	ck_assert_int_eq(kw_parse_file_nr("1216\t0\t9223372036854775807\n", &a, &b), 0);
	ck_assert_uint_eq(a, 1216);
	ck_assert_uint_eq(b, 9223372036854775807ULL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_conn(
		"   3: 0100007F:9C40 0100007F:1F40 06 00000000:00000000 03:00000F9B 00000000     0 "
		"       0 0 3 0000000000000000\n", 2, &l, &r, &st), 0);
	ck_assert_uint_eq(l.port, 40000);
	ck_assert_uint_eq(r.port, 8000);
	ck_assert_uint_eq(st, 6);
	ck_assert_uint_eq(r.addr[0], 127);
	ck_assert_int_eq(kw_parse_proc_net_tcp_conn("  sl  local_address rem_address   st\n", 2,
						    &l, &r, &st), -EINVAL);
}
END_TEST

Suite *syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *t = tcase_create("causes");

	tcase_add_test(t, unix_missing_names_nearest);
	tcase_add_test(t, unix_no_listener_names_the_dead);
	tcase_add_test(t, unix_no_listener_unseen);
	tcase_add_test(t, unix_reread_forgets_the_gone);
	tcase_add_test(t, unix_backlog_full_and_permission);
	tcase_add_test(t, unix_backlog_full_queue_unread);
	tcase_add_test(t, unix_nscd_probe_is_no_failure);
	tcase_add_test(t, ports_exhausted_with_and_without_the_read);
	tcase_add_test(t, fd_limit_names_limit_and_listener);
	tcase_add_test(t, reset_for_a_late_ack_is_no_refusal);
	tcase_add_test(t, procparse_readers);
	suite_add_tcase(s, t);
	return s;
}
