// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy replay FILE`: no root, no BPF.  A trace holds
 * exactly what the live pipeline was fed (events, enrichment records, flush
 * points), so replay runs the same pipeline into the same output code and
 * gives the same explanations.  --container, --pid and --port filter
 * offline, from the cgroup records in the trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host/container.h"
#include "output/sinks.h"
#include "cmd/replay.h"
#include "host/target.h"
#include "trace/trace.h"

/* ---- offline target ---- */

/* A container named, by id or prefix, by pod, or by cgroup path, in the
 * trace's cgroup records: collect the cgroup ids that belong to it. */
static void target_from_cgroup(struct kw_target *t, const char *want, const struct kw_ev_cgroup *c)
{
	size_t n = strlen(want);
	bool hit = !strcmp(c->name, want) || !strcmp(c->container_id, want) ||
		   (c->pod[0] && !strcmp(c->pod, want)) ||
		   (n >= 4 && c->runtime != KW_RT_SYSTEMD && c->runtime != KW_RT_HOST &&
		    !strncmp(c->container_id, want, n)) ||
		   (want[0] == '/' && !strncmp(c->path, want, n) &&
		    (c->path[n] == '\0' || c->path[n] == '/'));

	if (!hit)
		return;
	if (c->v1_memory && t->n_memcg < KW_TARGET_MAX_CG)
		t->memcg[t->n_memcg++] = c->cgroup_id;
	else if (!c->v1_memory && t->n_cg2 < KW_TARGET_MAX_CG)
		t->cg2[t->n_cg2++] = c->cgroup_id;
	if (!t->desc[0])
		snprintf(t->desc, sizeof(t->desc), "container %s (%.12s)", c->name,
			 c->container_id);
}

struct scan {
	const struct kw_opts *o;
	struct kw_target *t;
};

static bool task_in(const struct kw_target *t, const struct kw_task *k)
{
	struct kw_event probe = {};

	probe.hdr.flags = KW_F_TASK;
	probe.hdr.task = *k;
	return kw_target_wants(t, 0, &probe);
}

static void add_netns(struct kw_target *t, uint32_t ino)
{
	for (uint32_t i = 0; i < t->n_netns; i++)
		if (t->netns[i] == ino)
			return;
	if (ino && t->n_netns < KW_TARGET_MAX_NETNS)
		t->netns[t->n_netns++] = ino;
}

static void scan_frame(void *ctx, const struct kw_frame *fr)
{
	struct scan *sc = ctx;
	const struct kw_event *ev = &fr->ev;

	if (fr->kind != KW_FRAME_EVENT)
		return;
	if (ev->hdr.type == KW_EV_CGROUP && sc->o->container)
		target_from_cgroup(sc->t, sc->o->container, &ev->cgroup);
	/* a namespace belongs to the target once one of its processes is
	 * seen in it: then resets there without a process are its too */
	if ((ev->hdr.flags & KW_F_TASK) && task_in(sc->t, &ev->hdr.task))
		add_netns(sc->t, ev->hdr.task.netns_ino);
}

int kw_offline_target(const struct kw_opts *o, struct kw_target *t)
{
	struct kw_trace_info info;
	struct scan sc = { .o = o, .t = t };
	int ret;

	memset(t, 0, sizeof(*t));
	if (!o->container && !o->pid)
		return 0;
	t->on = true;
	if (o->pid) {
		t->tgids[t->n_tgids++] = o->pid;
		snprintf(t->desc, sizeof(t->desc), "process %u", o->pid);
	}
	/* twice: ids first, then the namespaces their processes are in */
	ret = kw_read_trace(o->file, &info, scan_frame, &sc, "read");
	if (ret == KW_EXIT_OK)
		ret = kw_read_trace(o->file, &info, scan_frame, &sc, "read");
	if (ret)
		return ret;
	if (o->container && !t->n_cg2 && !t->n_memcg) {
		fprintf(stderr, "kwhy: --container %s: no such container in %s (compare the names "
			"in 'kwhy export %s --format jsonl', type cgroup)\n", o->container, o->file,
			o->file);
		return KW_EXIT_USAGE;
	}
	return 0;
}

/* ---- replay ---- */

struct replay {
	const struct kw_opts *o;
	struct kw_target target;
	struct kw_output out;
	struct kw_pipeline pipeline;
};

static void replay_frame(void *ctx, const struct kw_frame *fr)
{
	struct replay *rp = ctx;

	switch (fr->kind) {
	case KW_FRAME_EVENT:
		if (kw_target_wants_any(&rp->target, rp->o->port, &fr->ev))
			kw_pipeline_event(&rp->pipeline, &fr->ev);
		break;
	case KW_FRAME_FLUSH:
		kw_pipeline_flush_at(&rp->pipeline, fr->flush_ns);
		break;
	default:
		break;
	}
}

int kw_replay_into(const struct kw_opts *o, FILE *out, bool json)
{
	static struct replay rp;
	static struct kw_trace_info info;
	struct kw_fmt_ctx fmt = {};
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;
	int ret;

	memset(&rp, 0, sizeof(rp) - sizeof(rp.pipeline));
	rp.o = o;
	ret = kw_trace_header(o->file, &info) ?: kw_offline_target(o, &rp.target);
	if (ret)
		goto out;
	fmt.boot_to_wall_ns = info.boot_to_wall_ns;
	fmt.rst_reasons = &info.rst_reasons;
	fmt.drop_reasons = &info.drop_reasons;
	fmt.utc = o->utc;
	fmt.color = !json && out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	kw_output_init(&rp.out, out, json, &fmt);
	pc.model.recent_ns = o->window_ns;
	pc.rst_reasons = &info.rst_reasons;
	pc.drop_reasons = &info.drop_reasons;
	sinks = kw_output_sinks(&rp.out);
	kw_pipeline_init(&rp.pipeline, &pc, &sinks);
	ret = kw_read_trace(o->file, &info, replay_frame, &rp, "replayed");
	kw_pipeline_finish(&rp.pipeline);
	if (fflush(out) || rp.out.failed) {
		fprintf(stderr, "kwhy: writing the output failed\n");
		ret = KW_EXIT_RUNTIME;
	}
out:
	return ret;
}

int kw_replay(const struct kw_opts *o)
{
	return kw_replay_into(o, stdout, o->json);
}
