// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Writes the seed corpus of fuzz_pipeline (tests/fuzz/corpus-pipeline/)
 * in its input form (pipeline_input.h):
 *   - each trace given, read with the real reader, whole and split into
 *     pieces of a few dozen frames (each piece after the trace's cgroup
 *     records so far, as a rotated part starts with the state);
 *   - hand-made stories of the event types the recorded traces lack
 *     (UNIX sockets, ports and files exhausted, accept queues, timeouts,
 *     packet filters, keep-alive races, holders, host memory, resyncs),
 *     after the unit tests' (tests/unit/test_net.c, test_syscalls.c).
 *
 *   tests/fuzz/run.sh --mkseeds DIR      (DIR gets *.fzp)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace/read.h"
#include "pipeline_input.h"

#define SEC 1000000000ULL
#define MS 1000000ULL
#define NS 4026532001u
#define PIECE 40

static const char *outdir;

struct seed {
	uint8_t buf[256 * 1024];
	size_t len;
};

static void die(const char *what)
{
	fprintf(stderr, "mkseeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void s_begin(struct seed *s, int64_t boot_to_wall)
{
	struct fz_prelude pre = { .boot_to_wall = boot_to_wall };

	fz_prelude_put(s->buf, &pre);
	s->len = FZ_PRELUDE;
}

static void s_frame(struct seed *s, uint16_t kind, const void *p, uint32_t len)
{
	if (s->len + FZ_FRAME_HDR + len > sizeof(s->buf)) {
		fprintf(stderr, "mkseeds: a seed over %zu bytes\n", sizeof(s->buf));
		exit(1);
	}
	fz_frame_hdr_put(s->buf + s->len, kind, len);
	memcpy(s->buf + s->len + FZ_FRAME_HDR, p, len);
	s->len += FZ_FRAME_HDR + len;
}

static void s_event(struct seed *s, const struct kw_event *ev)
{
	s_frame(s, KW_FRAME_EVENT, ev, ev->hdr.size);
}

static void s_flush(struct seed *s, uint64_t ns)
{
	uint64_t le = htole64(ns);

	s_frame(s, KW_FRAME_FLUSH, &le, 8);
}

static void s_enum(struct seed *s, int table, uint32_t value, const char *name)
{
	uint8_t p[5 + KW_ENUM_NAME_LEN];
	uint32_t le = htole32(value);
	size_t n = strnlen(name, KW_ENUM_NAME_LEN);

	p[0] = (uint8_t)table;
	memcpy(p + 1, &le, 4);
	memcpy(p + 5, name, n);
	s_frame(s, FZ_FRAME_ENUM, p, 5 + (uint32_t)n);
}

static void s_info(struct seed *s, enum fz_info which, const char *v)
{
	uint8_t p[1 + 1024];
	size_t n = strnlen(v, 1024);

	p[0] = (uint8_t)which;
	memcpy(p + 1, v, n);
	s_frame(s, FZ_FRAME_INFO, p, 1 + (uint32_t)n);
}

static void s_write(const struct seed *s, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.fzp", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f))
		die(path);
}

/* ---- the traces ---- */

#define T_FRAMES 20000

static struct kw_frame tframes[T_FRAMES];
static uint32_t nr_tframes;

static void collect(void *ctx, const struct kw_frame *fr)
{
	(void)ctx;
	if (nr_tframes < T_FRAMES)
		tframes[nr_tframes++] = *fr;
}

static void s_tframe(struct seed *s, const struct kw_frame *fr)
{
	switch (fr->kind) {
	case KW_FRAME_EVENT:
		s_event(s, &fr->ev);
		break;
	case KW_FRAME_FLUSH:
		s_flush(s, fr->flush_ns);
		break;
	case KW_FRAME_COUNTERS:
		s_frame(s, KW_FRAME_COUNTERS, &fr->counters, fr->len);
		break;
	}
}

/* the header: its strings, and of its enum tables the first max entries */
static void s_header(struct seed *s, const struct kw_trace_info *info, size_t max)
{
	s_info(s, FZ_INFO_HOST, info->host);
	s_info(s, FZ_INFO_KERNEL, info->kernel);
	s_info(s, FZ_INFO_VERSION, info->kwhy_version);
	s_info(s, FZ_INFO_BOOT_ID, info->boot_id);
	s_info(s, FZ_INFO_STARTED, info->started);
	s_info(s, FZ_INFO_ATTACHED, info->attached);
	if (info->target[0])
		s_info(s, FZ_INFO_TARGET, info->target);
	for (size_t i = 0; i < info->rst_reasons.n && i < max; i++)
		s_enum(s, 0, info->rst_reasons.e[i].value, info->rst_reasons.e[i].name);
	for (size_t i = 0; i < info->drop_reasons.n && i < max; i++)
		s_enum(s, 1, info->drop_reasons.e[i].value, info->drop_reasons.e[i].name);
}

static void s_filter(struct seed *s, uint32_t pid, uint16_t port, const char *want)
{
	uint8_t p[6 + 256];
	uint32_t le = htole32(pid);
	uint16_t le16 = htole16(port);
	size_t n = want ? strnlen(want, 255) : 0;

	memcpy(p, &le, 4);
	memcpy(p + 4, &le16, 2);
	memcpy(p + 6, want ? want : "", n);
	s_frame(s, FZ_FRAME_FILTER, p, 6 + (uint32_t)n);
}

/* the whole trace behind the offline filters: the first container its
 * cgroup records name (by a 12-character id prefix), the first process,
 * the first listener's port */
static void filtered(struct seed *s, const struct kw_trace_info *info, const char *name)
{
	char want[16] = "", buf[300];
	uint32_t pid = 0;
	uint16_t port = 0;

	for (uint32_t i = 0; i < nr_tframes; i++) {
		const struct kw_event *e = &tframes[i].ev;

		if (tframes[i].kind != KW_FRAME_EVENT)
			continue;
		if (!want[0] && e->hdr.type == KW_EV_CGROUP && e->cgroup.runtime == KW_RT_DOCKER)
			snprintf(want, sizeof(want), "%.12s", e->cgroup.container_id);
		if (!pid && (e->hdr.flags & KW_F_TASK))
			pid = e->hdr.task.tgid;
		if (!port && e->hdr.type == KW_EV_LISTEN)
			port = e->listen.local.port;
	}
	for (int v = 0; v < 3; v++) {
		s_begin(s, info->boot_to_wall_ns);
		s_header(s, info, 24);
		s_filter(s, v == 1 ? pid : 0, v == 2 ? port : 0, v == 0 ? want : NULL);
		for (uint32_t i = 0; i < nr_tframes; i++)
			s_tframe(s, &tframes[i]);
		snprintf(buf, sizeof(buf), "%s-%s", name, (const char *[]){ "container", "pid",
									   "port" }[v]);
		s_write(s, buf);
	}
}

static void from_trace(const char *path)
{
	static struct kw_trace_info info;
	static struct seed s;
	char err[KW_TRACE_ERR_MAX], name[256];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t blen = strcspn(base, ".");

	nr_tframes = 0;
	if (kw_trace_read_file(path, &info, collect, NULL, err, sizeof(err)) != KW_TRACE_END_OK) {
		fprintf(stderr, "mkseeds: %s\n", err);
		exit(1);
	}
	s_begin(&s, info.boot_to_wall_ns);
	s_header(&s, &info, KW_ENUM_MAX);
	for (uint32_t i = 0; i < nr_tframes; i++)
		s_tframe(&s, &tframes[i]);
	snprintf(name, sizeof(name), "trace-%.*s", (int)blen, base);
	s_write(&s, name);
	filtered(&s, &info, name);

	for (uint32_t at = 0, piece = 0; at < nr_tframes; at += PIECE, piece++) {
		s_begin(&s, info.boot_to_wall_ns);
		s_header(&s, &info, 24);
		for (uint32_t i = 0; i < at; i++)
			if (tframes[i].kind == KW_FRAME_EVENT && tframes[i].ev.hdr.type == KW_EV_CGROUP)
				s_tframe(&s, &tframes[i]);
		for (uint32_t i = at; i < at + PIECE && i < nr_tframes; i++)
			s_tframe(&s, &tframes[i]);
		snprintf(name, sizeof(name), "trace-%.*s-%02u", (int)blen, base, piece);
		s_write(&s, name);
	}
}

/* ---- stories ---- */

static struct kw_addr ep(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	return (struct kw_addr){ .family = 2, .port = port, .addr = { a, b, c, d } };
}

static struct kw_task task(uint32_t pid, const char *comm)
{
	struct kw_task t = { .pid = pid, .tgid = pid, .netns_ino = NS, .cgroup_id = 7,
			     .memcg_id = 7 };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

static void hdr(struct kw_event *ev, uint16_t type, uint64_t ts, const struct kw_task *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = (uint16_t)kw_event_size(type);
	ev->hdr.ts_boot_ns = ts;
	ev->hdr.netns_ino = NS;
	ev->hdr.netns_cookie = 4096;
	ev->hdr.cgroup_id = 7;
	ev->hdr.flags = KW_F_NETNS | KW_F_CGROUP;
	if (t) {
		ev->hdr.flags |= KW_F_TASK;
		ev->hdr.task = *t;
	}
}

static struct seed st;
static struct kw_event ev;

static void cgroup(uint64_t ts, uint64_t id, const char *path, const char *cid, const char *name)
{
	hdr(&ev, KW_EV_CGROUP, ts, NULL);
	ev.cgroup.cgroup_id = id;
	ev.cgroup.resolved = 1;
	ev.cgroup.runtime = KW_RT_DOCKER;
	snprintf(ev.cgroup.path, sizeof(ev.cgroup.path), "%s", path);
	snprintf(ev.cgroup.container_id, sizeof(ev.cgroup.container_id), "%s", cid);
	snprintf(ev.cgroup.name, sizeof(ev.cgroup.name), "%s", name);
	s_event(&st, &ev);
}

static void listen_ev(uint64_t ts, struct kw_addr local, struct kw_task o)
{
	hdr(&ev, KW_EV_LISTEN, ts, &o);
	ev.listen.local = local;
	ev.listen.backlog = 2;
	s_event(&st, &ev);
}

static void listen_close(uint64_t ts, struct kw_addr local, struct kw_task o, uint8_t how)
{
	hdr(&ev, KW_EV_LISTEN_CLOSE, ts, &o);
	ev.listen.local = local;
	ev.listen.how = how;
	ev.listen.owner_known = 1;
	ev.listen.since_boot_ns = ts - 3 * SEC;
	ev.listen.closer = o;
	ev.listen.closer_exit_code = how == KW_CLOSE_KILLED ? 9 : 0;
	s_event(&st, &ev);
}

static void refused(uint64_t ts, struct kw_addr local, struct kw_addr remote, struct kw_task t)
{
	hdr(&ev, KW_EV_RESET_SENT, ts, NULL);
	ev.conn.local = remote;
	ev.conn.remote = local;
	ev.conn.source = KW_SRC_SEND_RESET;
	ev.conn.tcp_flags = KW_TCP_SYN;
	ev.conn.has_reason = 1;
	ev.conn.reason = 1;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_CONNECT_FAIL, ts + 1000, &t);
	ev.conn.local = local;
	ev.conn.remote = remote;
	ev.conn.state = 2;
	ev.conn.error = 111;
	ev.conn.reset_received = 1;
	ev.conn.source = KW_SRC_SET_STATE;
	s_event(&st, &ev);
}

static void proc_exit(uint64_t ts, struct kw_task t, uint32_t status, uint32_t why)
{
	hdr(&ev, KW_EV_PROC_EXIT, ts, &t);
	ev.exit.exit_code = status;
	ev.exit.why = why;
	ev.exit.group_dead = 1;
	ev.exit.maxrss_kb = 123456;
	s_event(&st, &ev);
}

static void story_begin(void)
{
	s_begin(&st, 1796393466102196678LL);
	s_enum(&st, 0, 1, "NO_SOCKET");
	s_enum(&st, 1, 2, "NO_SOCKET");
	s_enum(&st, 1, 3, "NETFILTER_DROP");
	cgroup(1, 7, "/system.slice/docker-0123456789ab.scope", "0123456789abcdef", "web");
}

static void story_refused(void)
{
	struct kw_addr srv = ep(127, 0, 0, 1, 8080), cli = ep(127, 0, 0, 1, 41000);
	struct kw_task py = task(41, "python3"), curl = task(50, "curl");

	story_begin();
	listen_ev(1 * SEC, ep(0, 0, 0, 0, 8080), py);
	refused(2 * SEC, cli, ep(127, 0, 0, 1, 8081), curl);	/* wrong port */
	s_flush(&st, 2 * SEC + 20 * MS);
	hdr(&ev, KW_EV_SIGNAL, 3 * SEC, &curl);
	ev.signal.target = py;
	ev.signal.sig = 9;
	ev.signal.group = 1;
	s_event(&st, &ev);
	listen_close(3 * SEC + 1000, ep(0, 0, 0, 0, 8080), py, KW_CLOSE_KILLED);
	proc_exit(3 * SEC + 2000, py, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	refused(4 * SEC, cli, srv, curl);			/* listener killed */
	s_flush(&st, 4 * SEC + 20 * MS);
	hdr(&ev, KW_EV_REPEAT, 6 * SEC, NULL);
	ev.repeat.key.netns_ino = NS;
	ev.repeat.key.type = KW_EV_RESET_SENT;
	ev.repeat.key.code = 1;
	ev.repeat.key.dest = srv;
	ev.repeat.count = ev.repeat.total = 5;
	ev.repeat.first_ns = 4 * SEC;
	ev.repeat.last_ns = 6 * SEC;
	s_event(&st, &ev);
	s_flush(&st, 12 * SEC);
	s_write(&st, "story-refused-killed");
}

static void story_oom(void)
{
	struct kw_task app = task(60, "java"), sh = task(61, "sh");

	story_begin();
	hdr(&ev, KW_EV_MEMCG_PROCS, 2 * SEC, NULL);
	ev.memcg_procs.cgroup_id = 7;
	ev.memcg_procs.usage_bytes = 512ULL << 20;
	ev.memcg_procs.nr = 2;
	ev.memcg_procs.total_procs = 3;
	ev.memcg_procs.procs[0] = (struct kw_proc_mem){ .pid = 60, .rss_kb = 400000, .comm = "java" };
	ev.memcg_procs.procs[1] = (struct kw_proc_mem){ .pid = 61, .rss_kb = 1000, .comm = "sh" };
	s_event(&st, &ev);
	hdr(&ev, KW_EV_OOM_KILL, 2 * SEC, &sh);
	ev.oom.victim = app;
	ev.oom.victim_src = KW_VICTIM_ARG;
	ev.oom.anon_rss_kb = 400000;
	ev.oom.total_vm_kb = 900000;
	ev.oom.nr_levels = 2;
	ev.oom.limit_level = 0;
	ev.oom.levels[0] = (struct kw_oom_level){ 7, 512ULL << 20, 512ULL << 20 };
	ev.oom.levels[1] = (struct kw_oom_level){ 1, 1ULL << 30, ~0ULL };
	s_event(&st, &ev);
	proc_exit(2 * SEC + 5 * MS, app, 9, KW_EXIT_SIGNALED | KW_EXIT_TARGET);
	/* a host-wide one, and what the host's memory was */
	hdr(&ev, KW_EV_OOM_KILL, 5 * SEC, &sh);
	ev.oom.victim = task(70, "chrome");
	ev.oom.victim_src = KW_VICTIM_SIGKILL;
	ev.oom.nr_levels = 1;
	ev.oom.limit_level = KW_OOM_GLOBAL;
	ev.oom.levels[0] = (struct kw_oom_level){ 9, 3ULL << 30, ~0ULL };
	s_event(&st, &ev);
	hdr(&ev, KW_EV_HOST_MEM, 5 * SEC, NULL);
	ev.host_mem.victim_pid = 70;
	ev.host_mem.has_meminfo = 1;
	ev.host_mem.mem_total_kb = 4000000;
	ev.host_mem.mem_available_kb = 20000;
	ev.host_mem.nr_cgroups = 2;
	ev.host_mem.cgroups_read = 5;
	ev.host_mem.cgroups[0] = (struct kw_cgroup_mem){ 9, 3ULL << 30 };
	ev.host_mem.cgroups[1] = (struct kw_cgroup_mem){ 7, 512ULL << 20 };
	s_event(&st, &ev);
	s_flush(&st, 6 * SEC);
	s_write(&st, "story-oom");
}

static void story_holders_resync(void)
{
	struct kw_addr l = ep(0, 0, 0, 0, 8000);
	struct kw_task master = task(41, "gunicorn"), worker = task(42, "gunicorn"),
		       other = task(80, "python3");

	story_begin();
	listen_ev(1 * SEC, l, master);
	proc_exit(2 * SEC, master, 0, KW_EXIT_LISTENER);
	hdr(&ev, KW_EV_SOCK_HOLDERS, 2 * SEC, NULL);
	ev.sock_holders.local = l;
	ev.sock_holders.trigger = KW_HOLDERS_AT_CREATOR_EXIT;
	ev.sock_holders.sock_ino = 5555;
	ev.sock_holders.nr = ev.sock_holders.total = 1;
	ev.sock_holders.holders[0] = worker;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_BIND, 3 * SEC, &other);
	ev.bind.addr = l;
	ev.bind.ret = -98;
	ev.bind.sock_type = 1;
	ev.bind.protocol = 6;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_SOCK_HOLDERS, 3 * SEC, NULL);
	ev.sock_holders.local = l;
	ev.sock_holders.trigger = KW_HOLDERS_AT_BIND;
	ev.sock_holders.sock_ino = 5555;
	ev.sock_holders.nr = ev.sock_holders.total = 1;
	ev.sock_holders.holders[0] = worker;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_RESYNC, 4 * SEC, NULL);
	ev.resync.phase = KW_RESYNC_BEGIN;
	ev.resync.lost = 12;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_LISTEN, 4 * SEC, &worker);
	ev.hdr.flags |= KW_F_SNAPSHOT;
	ev.listen.local = l;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_RESYNC, 4 * SEC, NULL);
	ev.resync.phase = KW_RESYNC_END;
	ev.resync.listeners = 1;
	ev.resync.lost = 12;
	s_event(&st, &ev);
	listen_close(5 * SEC, l, worker, KW_CLOSE_CALL);
	refused(6 * SEC, ep(127, 0, 0, 1, 41000), ep(127, 0, 0, 1, 8000), other);
	s_flush(&st, 6 * SEC + 20 * MS);
	s_write(&st, "story-holders-resync");
}

static void set_path(char *dst, uint16_t *len, const char *path)
{
	memset(dst, 0, KW_UNIX_PATH_LEN);
	*len = (uint16_t)strlen(path);
	memcpy(dst, path, *len);
}

static void unix_listen(uint64_t ts, const struct kw_task *owner, const char *path,
			uint64_t ino, uint8_t source, uint32_t backlog, uint32_t queued)
{
	hdr(&ev, KW_EV_UNIX_LISTEN, ts, owner);
	if (source == KW_UL_SNAPSHOT)
		ev.hdr.flags |= KW_F_SNAPSHOT;
	set_path(ev.unix_listen.path, &ev.unix_listen.path_len, path);
	ev.unix_listen.ino = ino;
	ev.unix_listen.source = source;
	ev.unix_listen.backlog = backlog;
	ev.unix_listen.queued = queued;
	s_event(&st, &ev);
}

static void unix_path(uint64_t ts, uint32_t pid, const char *path, int stat_err,
		      uint32_t mode, uint32_t uid)
{
	hdr(&ev, KW_EV_UNIX_PATH, ts, NULL);
	set_path(ev.unix_path.path, &ev.unix_path.path_len, path);
	ev.unix_path.client_pid = pid;
	ev.unix_path.stat_err = stat_err;
	ev.unix_path.mode = mode;
	ev.unix_path.uid = uid;
	ev.unix_path.reread = 1;
	ev.unix_path.creds_read = 1;
	ev.unix_path.client_euid = 33;
	s_event(&st, &ev);
}

static void unix_fail(uint64_t ts, const struct kw_task *client, const char *path, int err)
{
	hdr(&ev, KW_EV_UNIX_CONNECT_FAIL, ts, client);
	set_path(ev.unix_conn.path, &ev.unix_conn.path_len, path);
	ev.unix_conn.ret = -err;
	ev.unix_conn.sock_type = 1;
	s_event(&st, &ev);
}

static void story_unix(void)
{
	struct kw_task gun = task(41, "gunicorn"), ngx = task(7, "nginx");

	story_begin();
	unix_listen(1 * SEC, &gun, "/run/app/gunicorn.sock", 100, KW_UL_LISTEN, 2048, 0);
	unix_listen(1 * SEC, &gun, "/srv/other/app.sock", 101, KW_UL_LISTEN, 16, 0);
	unix_listen(2 * SEC, NULL, "/run/app/gunicorn.sock", 100, KW_UL_REREAD, 2048, 0);
	unix_path(2 * SEC, 7, "/run/app/app.sock", ENOENT, 0, 0);
	unix_fail(2 * SEC, &ngx, "/run/app/app.sock", ENOENT);
	unix_listen(5 * SEC, &gun, "/run/g.sock", 102, KW_UL_SNAPSHOT, 2048, 0);
	proc_exit(6 * SEC, gun, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	unix_path(7 * SEC, 7, "/run/g.sock", 0, 0140777, 0);
	unix_fail(7 * SEC, &ngx, "/run/g.sock", ECONNREFUSED);
	unix_listen(8 * SEC, &ngx, "/run/s.sock", 103, KW_UL_LISTEN, 1, 0);
	unix_listen(9 * SEC, NULL, "/run/s.sock", 103, KW_UL_REREAD, 1, 2);
	unix_path(9 * SEC, 9, "/run/s.sock", 0, 0140777, 0);
	unix_fail(9 * SEC, &gun, "/run/s.sock", EAGAIN);
	unix_path(10 * SEC, 9, "/run/s.sock", 0, 0140600, 0);
	unix_fail(10 * SEC, &gun, "/run/s.sock", EACCES);
	unix_fail(11 * SEC, &gun, "\0abstract", ECONNREFUSED);
	s_flush(&st, 12 * SEC);
	s_write(&st, "story-unix");
}

static void story_ports_fds(void)
{
	struct kw_task cli = task(9, "client"), srv = task(41, "server");

	story_begin();
	hdr(&ev, KW_EV_PORT_USAGE, 2 * SEC, NULL);
	ev.port_usage.dest = ep(127, 0, 0, 1, 8000);
	ev.port_usage.client_pid = 9;
	ev.port_usage.range_lo = 40000;
	ev.port_usage.range_hi = 40009;
	ev.port_usage.to_dest = 10;
	ev.port_usage.to_dest_time_wait = 3;
	ev.port_usage.in_range = 10;
	ev.port_usage.read_ok = 1;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_CONNECT_NOADDR, 2 * SEC, &cli);
	ev.conn.remote = ep(127, 0, 0, 1, 8000);
	ev.conn.error = EADDRNOTAVAIL;
	ev.conn.source = KW_SRC_SYSCALL;
	s_event(&st, &ev);
	listen_ev(3 * SEC, ep(127, 0, 0, 1, 8000), srv);
	hdr(&ev, KW_EV_FD_USAGE, 4 * SEC, NULL);
	ev.fd_usage.pid = 41;
	ev.fd_usage.open_fds = 32;
	ev.fd_usage.nofile_soft = ev.fd_usage.nofile_hard = 32;
	ev.fd_usage.file_nr = 1216;
	ev.fd_usage.file_max = 9223372036854775807ULL;
	ev.fd_usage.fds_read = ev.fd_usage.limits_read = ev.fd_usage.file_nr_read = 1;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_ACCEPT_FAIL, 4 * SEC, &srv);
	ev.accept_fail.ret = -EMFILE;
	ev.accept_fail.accept4 = 1;
	ev.accept_fail.nofile_cur = ev.accept_fail.nofile_max = 32;
	ev.accept_fail.max_fds = 64;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_ACCEPT_FAIL, 5 * SEC, &srv);
	ev.accept_fail.ret = -ENFILE;
	s_event(&st, &ev);
	s_flush(&st, 6 * SEC);
	s_write(&st, "story-ports-fds");
}

static void story_queue_timeout(void)
{
	struct kw_addr g = ep(127, 0, 0, 1, 8000);
	struct kw_task gun = task(41, "gunicorn"), ngx = task(50, "nginx");

	story_begin();
	listen_ev(1 * SEC, g, gun);
	hdr(&ev, KW_EV_ACCEPT_QUEUE, 4 * SEC, NULL);
	ev.accept_queue.local = g;
	ev.accept_queue.remote = ep(127, 0, 0, 1, 39999);
	ev.accept_queue.queued = 3;
	ev.accept_queue.max_backlog = 2;
	ev.accept_queue.oldest_wait_ns = 1500 * MS;
	ev.accept_queue.source = KW_AQ_SYNACK_RETRANSMIT;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_LISTEN_QUEUE, 5 * SEC, NULL);
	ev.listen_queue.local = g;
	ev.listen_queue.found = 1;
	ev.listen_queue.queued = 3;
	ev.listen_queue.max_backlog = 2;
	ev.listen_queue.counters_read = 1;
	ev.listen_queue.listen_overflows = ev.listen_queue.listen_drops = 7;
	ev.listen_queue.nr = ev.listen_queue.total = 1;
	ev.listen_queue.holders[0] = gun;
	s_event(&st, &ev);
	for (int i = 0; i < 2; i++) {
		hdr(&ev, KW_EV_CONNECT_TIMEOUT, 5 * SEC + i * 10 * MS, &ngx);
		ev.connect_timeout.local = ep(127, 0, 0, 1, 40000 + i);
		ev.connect_timeout.remote = g;
		ev.connect_timeout.syn_retransmits = 1;
		ev.connect_timeout.waited_ns = 2 * SEC;
		ev.connect_timeout.error = i ? 110 : 0;
		s_event(&st, &ev);
	}
	s_flush(&st, 6 * SEC);
	s_write(&st, "story-queue-timeout");
}

static void syn(uint64_t ts, struct kw_addr dest, struct kw_addr client, bool icmp, bool retry)
{
	hdr(&ev, KW_EV_SYN_FILTERED, ts, NULL);
	ev.syn_filtered.local = dest;
	ev.syn_filtered.remote = client;
	ev.syn_filtered.reason = 3;
	ev.syn_filtered.icmp_type = icmp ? 3 : KW_ICMP_NONE;
	ev.syn_filtered.icmp_code = icmp ? 3 : KW_ICMP_NONE;
	ev.syn_filtered.retransmit = retry;
	ev.syn_filtered.tcp_flags = KW_TCP_SYN;
	s_event(&st, &ev);
}

static void story_firewall(void)
{
	struct kw_addr d1 = ep(10, 213, 1, 2, 9001), d2 = ep(10, 213, 1, 2, 9002),
		       d3 = ep(10, 213, 1, 2, 9003);
	struct kw_addr c1 = ep(10, 213, 1, 1, 41000), c3 = ep(10, 213, 1, 1, 41002);
	struct kw_task py = task(60, "python3"), curl = task(70, "curl");

	story_begin();
	listen_ev(1 * SEC, ep(0, 0, 0, 0, 9001), py);
	listen_ev(1 * SEC, ep(0, 0, 0, 0, 9002), py);
	listen_ev(1 * SEC, ep(0, 0, 0, 0, 9003), py);
	syn(2 * SEC, d1, c1, false, false);
	hdr(&ev, KW_EV_CONNECT_FAIL, 2 * SEC + 1000, &curl);
	ev.conn.local = c1;
	ev.conn.remote = d1;
	ev.conn.state = 2;
	ev.conn.error = 111;
	ev.conn.reset_received = 1;
	s_event(&st, &ev);
	syn(3 * SEC, d2, ep(10, 213, 1, 1, 41001), true, false);
	s_flush(&st, 3 * SEC + 20 * MS);
	syn(4 * SEC, d3, c3, false, false);
	syn(5 * SEC, d3, c3, false, true);
	hdr(&ev, KW_EV_CONNECT_TIMEOUT, 6500 * MS, &curl);
	ev.connect_timeout.local = c3;
	ev.connect_timeout.remote = d3;
	ev.connect_timeout.syn_retransmits = 2;
	ev.connect_timeout.waited_ns = 2500 * MS;
	ev.connect_timeout.error = 110;
	s_event(&st, &ev);
	s_flush(&st, 9 * SEC);
	s_write(&st, "story-firewall");
}

static void story_keepalive(void)
{
	struct kw_addr s = ep(127, 0, 0, 1, 8080), c = ep(127, 0, 0, 1, 43000);
	struct kw_task curl = task(70, "curl");

	story_begin();
	hdr(&ev, KW_EV_RESET_SENT, 10 * SEC, NULL);
	ev.conn.local = s;
	ev.conn.remote = c;
	ev.conn.state = 6;
	ev.conn.source = KW_SRC_SEND_RESET;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_IDLE_RESET, 10 * SEC + 1000, &curl);
	ev.idle_reset.local = c;
	ev.idle_reset.remote = s;
	ev.idle_reset.state = 8;
	ev.idle_reset.fin_ago_ns = 500 * MS;
	ev.idle_reset.last_send_ago_ns = 4 * MS;
	ev.idle_reset.last_recv_ago_ns = 1500 * MS;
	ev.idle_reset.known = KW_IDLE_FIN | KW_IDLE_SEND | KW_IDLE_RECV;
	ev.idle_reset.bytes_received = 120;
	ev.idle_reset.conn_age_ns = 5 * SEC;
	s_event(&st, &ev);
	s_flush(&st, 11 * SEC);
	hdr(&ev, KW_EV_RESET_RECV, 12 * SEC, &curl);
	ev.conn.local = c;
	ev.conn.remote = s;
	ev.conn.state = 1;
	ev.conn.error = 104;
	ev.conn.source = KW_SRC_RECV_RESET;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_SOCK_ERROR, 13 * SEC, &curl);
	ev.conn.local = c;
	ev.conn.remote = s;
	ev.conn.error = 113;
	ev.conn.source = KW_SRC_ERROR_REPORT;
	s_event(&st, &ev);
	s_flush(&st, 14 * SEC);
	s_write(&st, "story-keepalive");
}

static void signal_ev(uint64_t ts, struct kw_task from, struct kw_task to, uint32_t sig)
{
	hdr(&ev, KW_EV_SIGNAL, ts, &from);
	ev.signal.target = to;
	ev.signal.sig = sig;
	ev.signal.group = 1;
	s_event(&st, &ev);
}

/* docker stop: SIGTERM from the shim, ignored, SIGKILL after the grace
 * period; the listener closes with its owner, then a refusal */
static void story_runtime_stop(void)
{
	struct kw_task shim = task(900, "containerd-shim"), app = task(41, "node"),
		       curl = task(50, "curl");
	struct kw_addr l = ep(0, 0, 0, 0, 3000);

	story_begin();
	listen_ev(1 * SEC, l, app);
	signal_ev(2 * SEC, shim, app, 15);
	signal_ev(12 * SEC, shim, app, 9);
	listen_close(12 * SEC + 1000, l, app, KW_CLOSE_KILLED);
	proc_exit(12 * SEC + 2000, app, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	refused(13 * SEC, ep(127, 0, 0, 1, 41000), ep(127, 0, 0, 1, 3000), curl);
	s_flush(&st, 13 * SEC + 20 * MS);
	s_write(&st, "story-runtime-stop");
}

/* a prefork server: the master that opened the listener dies, a worker
 * holds it on (its heir), then closes it and exits after; a refusal */
static void story_heirs(void)
{
	struct kw_task master = task(41, "gunicorn"), worker = task(42, "gunicorn"),
		       curl = task(50, "curl");
	struct kw_addr l = ep(0, 0, 0, 0, 8000);

	story_begin();
	listen_ev(1 * SEC, l, master);
	proc_exit(2 * SEC, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	hdr(&ev, KW_EV_SOCK_HOLDERS, 2 * SEC, NULL);
	ev.sock_holders.local = l;
	ev.sock_holders.trigger = KW_HOLDERS_AT_CREATOR_EXIT;
	ev.sock_holders.sock_ino = 777;
	ev.sock_holders.nr = ev.sock_holders.total = 1;
	ev.sock_holders.holders[0] = worker;
	s_event(&st, &ev);
	hdr(&ev, KW_EV_LISTEN_CLOSE, 5 * SEC, &master);
	ev.listen.local = l;
	ev.listen.how = KW_CLOSE_CALL;
	ev.listen.owner_known = 1;
	ev.listen.since_boot_ns = 1 * SEC;
	ev.listen.closer = worker;
	s_event(&st, &ev);
	proc_exit(6 * SEC, worker, 3 << 8, KW_EXIT_CLOSED_LISTENER);
	refused(7 * SEC, ep(127, 0, 0, 1, 41000), ep(127, 0, 0, 1, 8000), curl);
	s_flush(&st, 7 * SEC + 20 * MS);
	s_write(&st, "story-heirs");
}

/* the database is not up: the backend's connect is refused, the backend
 * exits because of it, then nginx's connect to the backend is refused */
static void story_upstream(void)
{
	struct kw_task backend = task(60, "backend"), ngx = task(7, "nginx");
	struct kw_addr b = ep(127, 0, 0, 1, 8000);

	story_begin();
	listen_ev(1 * SEC, b, backend);
	refused(2 * SEC, ep(127, 0, 0, 1, 42000), ep(127, 0, 0, 1, 5432), backend);
	s_flush(&st, 2 * SEC + 20 * MS);
	listen_close(2 * SEC + 30 * MS, b, backend, KW_CLOSE_EXIT);
	proc_exit(2 * SEC + 31 * MS, backend, 1 << 8, KW_EXIT_LISTENER | KW_EXIT_AFTER_REFUSAL);
	refused(3 * SEC, ep(127, 0, 0, 1, 43000), b, ngx);
	s_flush(&st, 3 * SEC + 20 * MS);
	s_write(&st, "story-upstream");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [TRACE.kwt...]\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	for (int i = 2; i < argc; i++)
		from_trace(argv[i]);
	story_refused();
	story_oom();
	story_holders_resync();
	story_unix();
	story_ports_fds();
	story_queue_timeout();
	story_firewall();
	story_keepalive();
	story_runtime_stop();
	story_heirs();
	story_upstream();
	return 0;
}
