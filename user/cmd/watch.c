// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy watch`: the live pipeline.  Ring buffer records are decoded and
 * handed to the output; from the decoder on, everything is a function of
 * the event stream (and of the format context printed in `ready`).
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "kernel/probe.h"
#include "output/format.h"
#include "host/cgroups.h"
#include "host/enrich.h"
#include "output/explanation.h"
#include "kernel/kenum.h"
#include "kernel/loader.h"
#include "kernel/sandbox.h"
#include "host/sockdiag.h"
#include "output/status.h"
#include "core/pipeline.h"
#include "output/sinks.h"
#include "host/procfs.h"
#include "host/snapshot.h"
#include "host/target.h"
#include "host/unixsnap.h"
#include "trace/trace.h"
#include "cmd/commands.h"
#include "cmd/telemetry.h"
#include "util/version.h"

/*
 * Records of one poll are sorted by kernel time before they go on: the
 * rare and bulk rings are read one after the other, and what follows (the
 * model of the host) needs the order in which things happened.
 */
#define KW_BATCH_MAX 1024

/* Seconds after a target came back in which its cgroups are walked again
 * every second: its processes join them (and their namespaces) just after
 * the runtime makes them. */
#define KW_REFRESH_TICKS 5

struct batched {
	struct kw_event ev;
	uint64_t seq;		/* arrival order, for equal timestamps */
};

struct watch {
	const struct kw_opts *o;
	struct kw_target target;
	struct kw_target_spec spec;	/* how the target was resolved, to follow it */
	struct kw_target next;		/* what it resolves to again */
	int refresh_ticks;
	struct kw_fmt_ctx fmt;
	struct kw_enrich enrich;
	struct kw_output out;
	struct kw_trace_writer *rec;	/* --record: what the pipeline is fed */
	bool rec_failed;
	bool finishing;		/* stopping: nothing waits any more */
	int rec_err;			/* why it failed, -errno */
	uint64_t decode_errors;
	uint64_t seq;
	size_t nbatch;
	struct batched batch[KW_BATCH_MAX];
	struct kw_pipeline pipeline;
	/* lost events: the listeners are re-read (a resync), at most so often */
	struct kw_loader *loader;
	uint64_t next_resync, lost_resynced;
	struct kw_telemetry tel;	/* --metrics, --otlp-endpoint */
	int ep;				/* the rings and the metrics server */
};

#define KW_RESYNC_EVERY_NS (2ULL * 1000000000ULL)

static volatile sig_atomic_t g_stop;
/* stdout's file status flags before a stop made it non-blocking, restored
 * at exit (the pipe or terminal may be shared with a shell); -1: not
 * changed */
static volatile sig_atomic_t g_out_flags = -1;

static void restore_stdout(void)
{
	if (g_out_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, (int)g_out_flags);
	g_out_flags = -1;
}

/*
 * A stop request: the loop ends at its next turn.  A write blocked on a
 * stalled reader returns at once (no SA_RESTART: EINTR), and stdout is
 * made non-blocking so that no later write blocks either: the rings are
 * still drained, the BPF programs detached and the counters printed
 * whatever the reader does; lines it does not take are counted.  A second
 * SIGINT ends kwhy at once.  Only async-signal-safe calls here.
 */
static void on_signal(int sig)
{
	int fl;

	if (g_stop && sig == SIGINT) {
		restore_stdout();
		_exit(KW_EXIT_SECOND_SIGNAL);
	}
	g_stop = 1;
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK) && g_out_flags == -1 &&
	    !fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK))
		g_out_flags = fl;
}

static uint64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- into the pipeline ---- */

/*
 * The trace cannot be written (disk full, I/O error): said on stderr and,
 * with --json, as a `trace_error` record; the run stops (exit 5) unless
 * --keep-going.  What was written before stays readable: a trace cut short.
 */
static void record_failed(struct watch *w, int err)
{
	struct kw_trace_error_info ti = { .file = w->o->record, .err = -err,
					  .keep_going = w->o->keep_going,
					  .now_wall_ns = now_ns(CLOCK_REALTIME) };
	struct kw_buf b = KW_BUF_INIT(w->out.line);

	if (w->rec_failed)
		return;
	w->rec_failed = true;
	w->rec_err = err;
	kw_format_trace_error(&b, false, &ti);
	kw_output_line(&w->out, stderr, &b);
	if (w->o->json && w->out.f) {
		kw_buf_reset(&b);
		kw_format_trace_error(&b, true, &ti);
		kw_output_line(&w->out, w->out.f, &b);
		kw_output_flush(&w->out);
	}
}

/* The pipeline's inputs, and the trace: the same, so replay is exact. */
static void feed_pipeline(void *ctx, const struct kw_event *ev)
{
	struct watch *w = ctx;
	int err;

	kw_pipeline_event(&w->pipeline, ev);
	if (w->rec && !w->rec_failed && (err = kw_trace_event(w->rec, ev)))
		record_failed(w, err);
}

static void pipe_flush(struct watch *w)
{
	uint64_t now = now_ns(CLOCK_BOOTTIME);
	int err;

	kw_telemetry_now(&w->tel, now);
	kw_pipeline_flush_at(&w->pipeline, now);
	if (w->rec && !w->rec_failed && (err = kw_trace_flush_mark(w->rec, now)))
		record_failed(w, err);
}

/* one event from the kernel, the snapshot or the repeat drain */
static void emit(const struct kw_event *ev, void *ctx)
{
	struct watch *w = ctx;

	kw_enrich_event(&w->enrich, ev, feed_pipeline, w);
}

static int by_time(const void *a, const void *b)
{
	const struct batched *x = a, *y = b;

	if (x->ev.hdr.ts_boot_ns != y->ev.hdr.ts_boot_ns)
		return x->ev.hdr.ts_boot_ns < y->ev.hdr.ts_boot_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void resync_if_lost(struct watch *w);

static void flush_batch(struct watch *w)
{
	uint64_t now;

	/* nothing new and nothing waiting: a flush would change nothing */
	if (!w->nbatch && !kw_pipeline_pending(&w->pipeline) && !kw_enrich_pending(&w->enrich))
		return;
	now = now_ns(CLOCK_BOOTTIME);
	kw_telemetry_now(&w->tel, now);
	qsort(w->batch, w->nbatch, sizeof(w->batch[0]), by_time);
	for (size_t i = 0; i < w->nbatch; i++)
		emit(&w->batch[i].ev, w);
	w->nbatch = 0;
	/* after the batch: a close in it cancels a read */
	kw_enrich_tick(&w->enrich, w->finishing ? UINT64_MAX : now, now_ns(CLOCK_MONOTONIC),
		       feed_pipeline, w);
	resync_if_lost(w);	/* before a refusal is explained from ghosts */
	pipe_flush(w);
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct watch *w = ctx;
	struct batched *slot;
	char err[160];

	if (w->nbatch == KW_BATCH_MAX)
		flush_batch(w);
	slot = &w->batch[w->nbatch];
	if (kw_decode(data, len, &slot->ev, err, sizeof(err))) {
		if (w->decode_errors++ < 5)
			fprintf(stderr, "kwhy: dropped a malformed record: %s\n", err);
		return 0;
	}
	slot->seq = w->seq++;
	w->nbatch++;
	return 0;
}

static void print_stats(struct watch *w, struct kw_loader *l, bool final)
{
	struct kw_counters c;
	struct kw_stats_info si = { .c = &c, .decode_errors = w->decode_errors,
				    .final = final };
	struct kw_buf b = KW_BUF_INIT(w->out.line);

	if (kw_loader_counters(l, &c))
		return;
	si.now_wall_ns = now_ns(CLOCK_REALTIME);
	if (w->o->json && w->out.f) {
		kw_format_stats(&b, true, &si);
		kw_output_line(&w->out, w->out.f, &b);
		fflush(w->out.f);
		kw_buf_reset(&b);
	}
	if (!w->o->json || final) {
		kw_format_stats(&b, false, &si);
		kw_output_line(&w->out, stderr, &b);
	}
}

/* enum tables for reason names; static: too big for the stack */
static struct kw_enum_table g_rst_reasons, g_drop_reasons;

static void load_enums(struct kw_fmt_ctx *fmt, const struct btf *btf)
{
	if (!btf)
		return;
	if (kw_enum_load(&g_rst_reasons, btf, "sk_rst_reason", "SK_RST_REASON_") > 0)
		fmt->rst_reasons = &g_rst_reasons;
	if (kw_enum_load(&g_drop_reasons, btf, "skb_drop_reason", "SKB_DROP_REASON_") > 0)
		fmt->drop_reasons = &g_drop_reasons;
}

static int check_environment(const struct kw_features *f)
{
	if (!f->cap_bpf || !f->cap_perfmon) {
		fprintf(stderr, "kwhy: not permitted to load BPF programs (need CAP_BPF and "
			"CAP_PERFMON, or CAP_SYS_ADMIN); run it as root: sudo kwhy\n");
		return KW_EXIT_PERM;
	}
	if (!f->btf) {
		fprintf(stderr, "kwhy: %s\n", f->btf_error);
		return KW_EXIT_UNSUPPORTED;
	}
	if (f->ringbuf == 0) {
		fprintf(stderr, "kwhy: this kernel has no BPF ring buffer (Linux 5.8 or newer "
			"is needed)\n");
		return KW_EXIT_UNSUPPORTED;
	}
	return 0;
}

static int any_enabled(const struct kw_plan *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->items[i].enabled)
			return 1;
	return 0;
}

/* Listeners that existed before kwhy: into the model as snapshot events,
 * and their processes into the kernel's map, so their exits are reported. */
struct snap_ctx {
	struct watch *w;
	struct kw_loader *l;
	uint32_t n;
};

static void on_snapshot(const struct kw_event *ev, void *ctx)
{
	struct snap_ctx *sc = ctx;

	if (ev->hdr.flags & KW_F_TASK)
		kw_loader_note_listener_proc(sc->l, ev->hdr.task.tgid);
	if (!kw_target_wants(&sc->w->target, sc->w->o->port, ev))
		return;
	emit(ev, sc->w);
	sc->n++;
}

/* The target's cgroups, described into the stream (and the trace) at
 * start: a replay's --container finds them by name even when nothing in
 * them happens before they are gone. */
static void describe_target(struct watch *w)
{
	struct kw_hdr when = { .ts_boot_ns = now_ns(CLOCK_BOOTTIME),
			       .ts_mono_ns = now_ns(CLOCK_MONOTONIC) };

	for (uint32_t i = 0; i < w->target.n_cg2; i++)
		kw_enrich_cgroup(&w->enrich, w->target.cg2[i], false, &when, feed_pipeline, w);
	for (uint32_t i = 0; i < w->target.n_memcg; i++)
		kw_enrich_cgroup(&w->enrich, w->target.memcg[i], true, &when, feed_pipeline, w);
}

static void take_snapshot(struct watch *w, struct kw_loader *l)
{
	struct snap_ctx sc = { .w = w, .l = l };
	int n = kw_snapshot_listeners(KW_PROC_ROOT, on_snapshot, &sc, KW_M_LISTENERS);

	if (n < 0)
		fprintf(stderr, "kwhy: could not list the listeners that existed before kwhy "
			"(%s); they are unknown until they change\n", strerror(-n));
	n = kw_unix_snapshot(KW_PROC_ROOT, on_snapshot, &sc);
	if (n < 0)
		fprintf(stderr, "kwhy: could not list the UNIX listeners that existed before kwhy "
			"(%s); they are known once they fail a client\n", strerror(-n));
	pipe_flush(w);
}

/* The events whose loss leaves the model wrong: listeners, exits, binds,
 * kills, OOM kills (a lost refusal is only a refusal not explained). */
static uint64_t model_events_lost(const struct kw_counters *c)
{
	static const int types[] = { KW_EV_LISTEN, KW_EV_LISTEN_CLOSE, KW_EV_PROC_EXIT,
				     KW_EV_BIND, KW_EV_SIGNAL, KW_EV_OOM_KILL };
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		n += c->lost[types[i]];
	return n;
}

static void emit_resync(struct watch *w, uint32_t phase, uint32_t listeners, uint64_t lost)
{
	struct kw_event ev = {};

	ev.hdr.type = KW_EV_RESYNC;
	ev.hdr.size = sizeof(ev.resync);
	ev.hdr.ts_boot_ns = now_ns(CLOCK_BOOTTIME);
	ev.hdr.ts_mono_ns = now_ns(CLOCK_MONOTONIC);
	ev.resync.phase = phase;
	ev.resync.listeners = listeners;
	ev.resync.lost = lost;
	emit(&ev, w);
}

/* A ring was full and model events were lost: re-read every listener
 * from the kernel before the next refusal is explained, so that a
 * listener whose close was lost is not taken for a live one. */
static void resync_if_lost(struct watch *w)
{
	struct snap_ctx sc = { .w = w, .l = w->loader };
	uint64_t lost, now = now_ns(CLOCK_MONOTONIC);
	struct kw_counters c;
	int n;

	/* only when a refusal is about to be explained: re-reading every
	 * listener (sock_diag, /proc) is not free on a box that is losing
	 * events because it is busy */
	if (!w->loader || !kw_pipeline_pending(&w->pipeline) || now < w->next_resync ||
	    kw_loader_counters(w->loader, &c))
		return;
	lost = model_events_lost(&c);
	if (lost <= w->lost_resynced)
		return;
	w->lost_resynced = lost;
	w->next_resync = now + KW_RESYNC_EVERY_NS;
	emit_resync(w, KW_RESYNC_BEGIN, 0, lost);
	n = kw_snapshot_listeners(KW_PROC_ROOT, on_snapshot, &sc, KW_M_LISTENERS);
	if (n < 0) {
		fprintf(stderr, "kwhy: %" PRIu64 " events were lost and the listeners could not "
			"be read again (%s): explanations may rest on stale listeners\n", lost,
			strerror(-n));
		return;		/* no END: the model keeps what it had */
	}
	emit_resync(w, KW_RESYNC_END, sc.n, lost);
}

/* ---- recording ---- */

static void record_counters(struct watch *w, struct kw_loader *l)
{
	struct kw_counters c;
	int err;

	if (!w->rec || w->rec_failed)
		return;
	if (!kw_loader_counters(l, &c) && (err = kw_trace_counters(w->rec, &c)))
		record_failed(w, err);
	else if ((err = kw_trace_sync(w->rec)) || (err = kw_trace_error(w->rec)))
		record_failed(w, err);
}

/* A new trace file (after rotating) starts with what the model knows, so
 * it replays on its own: cgroups and containers, then listeners (TCP, then
 * UNIX ones believed open). */
static void write_state(struct kw_trace_writer *tw, void *ctx)
{
	struct watch *w = ctx;
	const struct kw_model *m = &w->pipeline.model;
	struct kw_counters c;
	struct kw_event ev;

	for (uint32_t i = 0; i < m->cgroups.n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.cgroup = *KW_RING_AT(&m->cgroups, m->cgroups.n - 1 - i);
		/* a fresh header: dated now, at the start of this part */
		ev.hdr = (struct kw_hdr){ .type = KW_EV_CGROUP, .size = sizeof(ev.cgroup),
					  .ts_boot_ns = m->now_ns };
		kw_trace_event(tw, &ev);
	}
	for (uint32_t i = 0; i < m->nr_listeners; i++) {
		const struct kw_listener *l = &m->listeners[i];

		memset(&ev, 0, sizeof(ev));
		ev.hdr.type = KW_EV_LISTEN;
		ev.hdr.size = sizeof(ev.listen);
		ev.hdr.ts_boot_ns = l->since_ns;
		ev.hdr.flags = KW_F_SNAPSHOT | KW_F_NETNS | (l->owner_known ? KW_F_TASK : 0) |
			       (l->cgroup_id ? KW_F_CGROUP : 0);
		ev.hdr.netns_ino = l->netns;
		ev.hdr.cgroup_id = l->cgroup_id;
		ev.hdr.task = l->owner;
		ev.listen.local = l->local;
		ev.listen.v6only = l->v6only;
		ev.listen.backlog = l->backlog;
		kw_trace_event(tw, &ev);
	}
	for (uint32_t i = 0; i < m->nr_unix; i++) {
		const struct kw_unix_listener *u = &m->unix_l[i];

		if (u->gone_ns)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.hdr.type = KW_EV_UNIX_LISTEN;
		ev.hdr.size = sizeof(ev.unix_listen);
		ev.hdr.ts_boot_ns = u->since_ns;
		ev.hdr.flags = KW_F_SNAPSHOT | KW_F_NETNS | (u->owner_known ? KW_F_TASK : 0);
		ev.hdr.netns_ino = u->netns;
		ev.hdr.task = u->owner;
		ev.unix_listen.ino = u->ino;
		ev.unix_listen.backlog = u->backlog;
		ev.unix_listen.queued = u->queued;
		ev.unix_listen.source = KW_UL_SNAPSHOT;
		ev.unix_listen.path_len = u->path_len;
		memcpy(ev.unix_listen.path, u->path, sizeof(ev.unix_listen.path));
		kw_trace_event(tw, &ev);
	}
	kw_trace_flush_mark(tw, m->now_ns);
	/* the counters as this part starts: `info` tells its own losses */
	if (w->loader && !kw_loader_counters(w->loader, &c))
		kw_trace_counters(tw, &c);
}

static void read_first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (f && fgets(out, len, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

static int start_recording(struct watch *w, const struct kw_opts *o, const struct kw_plan *p,
			   const struct kw_features *f)
{
	static struct kw_trace_info info;
	struct kw_trace_opts to = { .path = o->record, .max_size = o->max_size,
				    .max_files = o->max_files, .force = o->force };
	struct kw_buf b = KW_BUF_INIT(info.started);
	struct kw_buf att = KW_BUF_INIT(info.attached);
	char err[PATH_MAX + 320];

	memset(&info, 0, sizeof(info));
	snprintf(info.kwhy_version, sizeof(info.kwhy_version), "%s", kw_version);
	gethostname(info.host, sizeof(info.host) - 1);
	snprintf(info.kernel, sizeof(info.kernel), "%s", f->kernel_release);
	read_first_line("/proc/sys/kernel/random/boot_id", info.boot_id, sizeof(info.boot_id));
	kw_fmt_time_rfc3339(&b, now_ns(CLOCK_REALTIME));
	info.boot_to_wall_ns = w->out.fmt.boot_to_wall_ns;
	info.mono_to_wall_ns = (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < p->n; i++)
		if (p->items[i].enabled)
			kw_buf_printf(&att, "%s%s", att.len ? "," : "", p->items[i].event);
	if (w->target.on)
		snprintf(info.target, sizeof(info.target), "%s", w->target.desc);
	if (w->out.fmt.rst_reasons)
		info.rst_reasons = *w->out.fmt.rst_reasons;
	if (w->out.fmt.drop_reasons)
		info.drop_reasons = *w->out.fmt.drop_reasons;
	w->rec = kw_trace_open(&to, &info, write_state, w, err, sizeof(err));
	if (!w->rec) {
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_RUNTIME;
	}
	return 0;
}

/* ---- least privilege (kernel/sandbox.h) ---- */

static int probe_counters(void *ctx)
{
	struct kw_counters c;

	return kw_loader_counters(ctx, &c);
}

/* A failed step is said, and the run goes on with what it has: an
 * incident's trace matters more than the sandbox. */
static void sandbox_step(int (*step)(const struct kw_sandbox_cfg *, struct kw_sandbox *,
				     char *, size_t),
			 const struct kw_sandbox_cfg *c, struct kw_sandbox *sb)
{
	char err[256];

	if (step(c, sb, err, sizeof(err)))
		fprintf(stderr, "kwhy: the sandbox is incomplete: %s (see docs/threat-model.md)\n",
			err);
}

/* what the BPF side needs of the options */
static struct kw_loader_cfg loader_cfg(const struct kw_opts *o)
{
	return (struct kw_loader_cfg){ .agg_window_ns = o->agg_window_ns,
				       .ring_rare_kb = o->ring_rare_kb,
				       .ring_bulk_kb = o->ring_bulk_kb,
				       .filter_port = o->port };
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: a write blocked on a stalled reader must end (see
	 * on_signal); SIGINT during the handler is the "second" one */
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Is stdout still there?  A reader that went away is noticed even while
 * nothing is being written (a write would fail with EPIPE). */
static void check_output_open(struct watch *w)
{
	struct pollfd p = { .fd = w->out.f ? fileno(w->out.f) : -1 };

	if (p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
		w->out.failed = true;
		w->out.err = p.revents & POLLNVAL ? EBADF : EPIPE;
	}
}

/* the output and the pipeline that feeds it; fmt holds the reason names */
static void start_output(struct watch *w, const struct kw_opts *o, struct kw_fmt_ctx *fmt)
{
	struct kw_pipeline_cfg pc = { .model.recent_ns = o->window_ns,
				      .rst_reasons = fmt->rst_reasons,
				      .drop_reasons = fmt->drop_reasons };
	struct kw_sinks sinks;

	fmt->boot_to_wall_ns = (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_BOOTTIME);
	fmt->color = !o->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	fmt->utc = o->utc;
	/* `record` prints nothing but its messages */
	kw_output_init(&w->out, o->cmd == KW_CMD_RECORD ? NULL : stdout, o->json, fmt);
	sinks = kw_output_sinks(&w->out);
	if (w->tel.on)		/* counted on the way to the output */
		sinks = kw_telemetry_sinks(&w->tel, &sinks);
	kw_pipeline_init(&w->pipeline, &pc, &sinks);
}

/* what is attached and what is not: the `ready` record, or text on stderr */
static void print_ready(struct watch *w, const struct kw_plan *p, const struct kw_features *f)
{
	const struct kw_opts *o = w->o;
	struct kw_ready_info ri = { .version = kw_version, .pid = getpid(),
				    .agg_window_ns = o->agg_window_ns };
	struct kw_buf b = KW_BUF_INIT(w->out.line);

	ri.now_wall_ns = now_ns(CLOCK_REALTIME);
	ri.target = w->target.on ? w->target.desc : NULL;
	kw_format_ready(&b, o->json, p, f, &ri);
	if (o->json && w->out.f) {
		kw_output_line(&w->out, w->out.f, &b);
		fflush(w->out.f);
	} else {
		fputs(w->out.line, stderr);
	}
}

/* ---- following the target ---- */

/* a `target` record: on stderr, and as JSON with --json */
static void print_target(struct watch *w, const char *state, const char *previous_id)
{
	struct kw_target_info ti = { .state = state, .target = w->target.desc,
				     .id = w->target.id, .previous_id = previous_id,
				     .follows = kw_target_follows(w->o->container),
				     .now_wall_ns = now_ns(CLOCK_REALTIME) };
	struct kw_buf b = KW_BUF_INIT(w->out.line);

	kw_format_target(&b, false, &ti);
	kw_output_line(&w->out, stderr, &b);
	if (!w->o->json || !w->out.f)
		return;
	kw_buf_reset(&b);
	kw_format_target(&b, true, &ti);
	kw_output_line(&w->out, w->out.f, &b);
	fflush(w->out.f);
}

/* the kernel filter from w->target to w->next, which becomes the target */
static void retarget(struct watch *w, struct kw_loader *l)
{
	if (kw_loader_retarget(l, &w->target, &w->next))
		fprintf(stderr, "kwhy: the kernel filter did not take all of the target's "
			"cgroups and namespaces (%s); some of its events may be missed\n",
			strerror(errno));
	w->target = w->next;
}

/* Once a second: is the target gone, is it back (a restart, or a new
 * container of its name), has more of it appeared since it came back? */
static void follow_target(struct watch *w, struct kw_loader *l)
{
	char previous_id[sizeof(w->target.id)];

	if (kw_target_check_gone(&w->target))
		print_target(w, "gone", NULL);
	if (w->target.gone) {
		if (!kw_target_find_again(&w->target, &w->spec, &w->next))
			return;
		snprintf(previous_id, sizeof(previous_id), "%s", w->target.id);
		retarget(w, l);
		describe_target(w);
		w->refresh_ticks = KW_REFRESH_TICKS;
		print_target(w, "back", previous_id);
		return;
	}
	if (w->refresh_ticks > 0) {
		w->refresh_ticks--;
		w->next = w->target;
		kw_target_refresh(&w->next, KW_PROC_ROOT);
		if (w->next.n_cg2 != w->target.n_cg2 || w->next.n_memcg != w->target.n_memcg ||
		    w->next.n_netns != w->target.n_netns)
			retarget(w, l);
	}
}

/* One epoll set for the rings (the loader's epoll fd, on both) and the
 * metrics server's, so that a scrape is answered while the rings are quiet. */
static int open_wait_set(struct watch *w, struct kw_loader *l)
{
	int fds[2] = { l->epfd, kw_telemetry_fd(&w->tel) };

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };

		if (fds[i] >= 0 && epoll_ctl(w->ep, EPOLL_CTL_ADD, fds[i], &ev))
			return -errno;
	}
	return 0;
}

/* Wait up to ms for records or a scrape, then read the rings, the rare
 * one first (kw_loader_poll): the number of records, or -errno. */
static int wait_and_consume(struct watch *w, struct kw_loader *l, int ms)
{
	struct epoll_event ev[2];

	if (epoll_wait(w->ep, ev, 2, ms) < 0 && errno != EINTR)
		return -errno;
	return kw_loader_poll(l, 0);
}

/* Until SIGINT/SIGTERM, --duration or a failed output; an exit code. */
static int watch_loop(struct watch *w, struct kw_loader *l)
{
	const struct kw_opts *o = w->o;
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	uint64_t next_drain = start + 1000000000ULL;
	uint64_t next_stats = start + o->stats_interval_ns;

	while (!g_stop && !w->out.failed && !(w->rec_failed && !o->keep_going)) {
		/* a refusal waiting for its client goes out within a few ms */
		int n = wait_and_consume(w, l, kw_pipeline_pending(&w->pipeline) ||
					       kw_enrich_pending(&w->enrich) ? 5 : 100);
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		flush_batch(w);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "kwhy: reading the ring buffer failed: %s\n", strerror(-n));
			return KW_EXIT_RUNTIME;
		}
		/* after the batch, so a scrape counts what just arrived */
		kw_telemetry_tick(&w->tel, now);
		if (now >= next_drain) {
			kw_loader_drain_repeats(l, emit, w);
			pipe_flush(w);
			record_counters(w, l);	/* and sync: readable after a crash */
			follow_target(w, l);
			check_output_open(w);
			next_drain = now + 1000000000ULL;
		}
		kw_output_flush(&w->out);

		if (o->stats && now >= next_stats) {
			print_stats(w, l, false);
			next_stats = now + o->stats_interval_ns;
		}
		if (o->duration_ns && now - start >= o->duration_ns)
			break;
	}
	return KW_EXIT_OK;
}

static void close_trace(struct watch *w)
{
	int err = w->rec ? kw_trace_close(w->rec) : 0;

	w->rec = NULL;
	if (err)
		record_failed(w, err);
}

/* What is still in the rings and the aggregation map, then the totals;
 * ret, or KW_EXIT_RUNTIME when the output failed. */
static int finish(struct watch *w, struct kw_loader *l, int ret)
{
	for (int i = 0; i < 16 && kw_loader_poll(l, 0) > 0; i++)
		flush_batch(w);
	w->finishing = true;	/* the reads still waiting are made now */
	flush_batch(w);
	kw_loader_drain_repeats(l, emit, w);
	pipe_flush(w);
	kw_pipeline_finish(&w->pipeline);
	record_counters(w, l);
	close_trace(w);
	kw_output_flush(&w->out);
	if (w->out.failed) {
		fprintf(stderr, "kwhy: writing the output failed (%s: closed pipe or full disk); "
			"stopping\n", strerror(w->out.err));
		ret = KW_EXIT_RUNTIME;
	}
	kw_telemetry_stop(&w->tel);	/* the last pushes, with the final counts */
	if (w->out.not_written)
		fprintf(stderr, "kwhy: %" PRIu64 " output lines were not written: the reader was "
			"not reading when kwhy stopped\n", w->out.not_written);
	print_stats(w, l, true);
	/* blocking again only once nothing more goes to stdout */
	restore_stdout();
	if (w->rec_failed)
		ret = KW_EXIT_TRACE;
	return ret;
}

int kw_watch(const struct kw_opts *o)
{
	static struct watch w;
	struct kw_loader_cfg lc = loader_cfg(o);
	struct kw_loader l = {};	/* kw_loader_stop: a no-op until started */
	struct kw_cgroups *cg = NULL;
	struct kw_features f;
	struct kw_fmt_ctx fmt = {};
	struct btf *btf = NULL;
	struct kw_target_spec ts;
	struct kw_sandbox_cfg sbc = { .writes = o->record != NULL, .serves = o->metrics != NULL,
				      .pushes = o->otlp_endpoint != NULL,
				      .bpf_probe = probe_counters, .probe_ctx = &l };
	struct kw_sandbox sb;
	bool sandbox = !o->no_sandbox;
	char err[512];
	int ret;

	w.o = o;
	w.ep = -1;
	kw_loader_set_verbose(o->verbose);
	/* one parse of the kernel's BTF serves the probe, the reason names
	 * and libbpf's CO-RE target (kw_loader_start frees it) */
	kw_features_probe_btf(&f, true, &btf);
	load_enums(&fmt, btf);
	ret = check_environment(&f);
	if (ret)
		goto cleanup;
	catch_signals();
	/* the one process that keeps CAP_SYS_ADMIN (setns for sock_diag),
	 * forked while kwhy has no thread */
	if (sandbox && kw_nsbroker_start(err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s; running without the sandbox\n", err);
		sandbox = false;
	}

	ts = (struct kw_target_spec){ .container = o->container, .pid = o->pid,
				      .host_root = o->host_root, .proc_root = KW_PROC_ROOT,
				      .cg2_mount = f.cg2_mount,
				      .memcg_v1_mount = f.memcg_v1_mount };
	w.spec = ts;
	/* a trace that cannot be created is said before the slow BPF load */
	if (o->record && kw_trace_names_free(&(struct kw_trace_opts){ .path = o->record,
			.max_size = o->max_size, .max_files = o->max_files, .force = o->force },
			err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s\n", err);
		ret = KW_EXIT_RUNTIME;
		goto cleanup;
	}
	if (kw_target_resolve(&w.target, &ts, err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s\n", err);
		ret = KW_EXIT_USAGE;
		goto cleanup;
	}
	ret = kw_telemetry_start(&w.tel, o->metrics, o->otlp_endpoint, f.kernel_release,
				 w.target.on ? w.target.desc : NULL, fmt.rst_reasons,
				 fmt.drop_reasons,
				 (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_BOOTTIME));
	if (ret)
		goto cleanup;
	start_output(&w, o, &fmt);
	cg = kw_cgroups_new(f.cg2_mount, f.memcg_v1_mount);
	if (cg && o->host_root)
		kw_cgroups_set_meta_root(cg, o->host_root);
	kw_enrich_init(&w.enrich, cg);

	/* the loader cuts libbpf's CO-RE target from btf, then frees it */
	ret = kw_loader_start(&l, &lc, &f, &w.target, btf, on_record, &w, err, sizeof(err));
	btf = NULL;
	if (ret) {
		fprintf(stderr, "kwhy: %s\n", err);
		ret = KW_EXIT_RUNTIME;
		goto cleanup;
	}
	if (!any_enabled(&l.plan)) {
		fprintf(stderr, "kwhy: no tracepoint could be attached; see 'kwhy doctor'\n");
		ret = KW_EXIT_UNSUPPORTED;
		goto cleanup;
	}
	kw_telemetry_attach(&w.tel, &l, &w.decode_errors);
	if ((ret = open_wait_set(&w, &l))) {
		fprintf(stderr, "kwhy: cannot wait for the ring buffers: %s\n", strerror(-ret));
		ret = KW_EXIT_RUNTIME;
		goto cleanup;
	}
	print_ready(&w, &l.plan, &f);
	/* attached: what the loop does not need goes, before the trace
	 * writer's thread starts (capabilities are per thread) */
	if (sandbox)
		sandbox_step(kw_sandbox_drop, &sbc, &sb);
	if (o->record) {
		ret = start_recording(&w, o, &l.plan, &f);
		if (ret)
			goto cleanup;
	}
	describe_target(&w);
	take_snapshot(&w, &l);
	if (sandbox)
		sandbox_step(kw_sandbox_filter, &sbc, &sb);
	w.loader = &l;		/* from now on, lost events call for a resync */
	ret = finish(&w, &l, watch_loop(&w, &l));
cleanup:
	btf__free(btf);		/* when the loader was not reached */
	w.loader = NULL;
	kw_telemetry_stop(&w.tel);
	if (w.ep >= 0)
		close(w.ep);
	close_trace(&w);
	kw_loader_stop(&l);
	kw_cgroups_free(cg);
	return ret;
}
