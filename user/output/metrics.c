// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Every metrics family, walked once for every format: see metrics.h and
 * docs/metrics.md (keep the two in step). */
#include <stdio.h>
#include "core/names.h"
#include "output/metrics.h"
#include "util/version.h"

static void point(const struct kw_mwriter *w, double v, const char *k1, const char *v1,
		  const char *k2, const char *v2, const char *k3, const char *v3)
{
	struct kw_mlabel l[KW_MLABELS_MAX] = { { k1, v1 }, { k2, v2 }, { k3, v3 } };
	int n = k3 ? 3 : k2 ? 2 : k1 ? 1 : 0;

	w->point(w->ctx, l, n, v);
}

static void refusals(const struct kw_metrics *m, const struct kw_mwriter *w)
{
	char port[8];

	w->family(w->ctx, "kwhy_refusals", KW_M_COUNTER, "Refused TCP connections, by the "
		  "cause kwhy found, the container where nothing listened and the destination "
		  "port (repeats included).", "1");
	for (int c = 0; c < KW_CAUSE_MAX; c++)
		for (uint32_t k = 0; k <= KW_METRICS_CONTAINERS; k++)
			for (uint32_t p = 0; p <= KW_METRICS_PORTS; p++)
				if (m->refusals[c][k][p])
					point(w, m->refusals[c][k][p], "cause", kw_cause_name(c),
					      "container", kw_metrics_container(m, k), "port",
					      kw_metrics_port(m, p, port, sizeof(port)));
	w->family_end(w->ctx);
}

static void deaths(const struct kw_metrics *m, const struct kw_mwriter *w, bool oom)
{
	if (oom)
		w->family(w->ctx, "kwhy_oom_kills", KW_M_COUNTER, "Processes killed by the OOM "
			  "killer, by cause (memcg_limit, global_oom) and container.", "1");
	else
		w->family(w->ctx, "kwhy_kills", KW_M_COUNTER, "Processes killed by a signal kwhy "
			  "explained, by cause (userspace_killer, runtime_stop) and container.",
			  "1");
	for (int c = 0; c < KW_CAUSE_MAX; c++) {
		bool is_oom = c == KW_CAUSE_MEMCG_LIMIT || c == KW_CAUSE_GLOBAL_OOM;

		if (!kw_metrics_is_death(c) || is_oom != oom)
			continue;
		for (uint32_t k = 0; k <= KW_METRICS_CONTAINERS; k++)
			if (m->deaths[c][k])
				point(w, m->deaths[c][k], "cause", kw_cause_name(c), "container",
				      kw_metrics_container(m, k), NULL, NULL);
	}
	w->family_end(w->ctx);
}

static void explanations(const struct kw_metrics *m, const struct kw_mwriter *w)
{
	w->family(w->ctx, "kwhy_explanations", KW_M_COUNTER, "Explanations printed, by cause "
		  "(a storm of one refusal is one explanation).", "1");
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		point(w, m->explanations[c], "cause", kw_cause_name(c), NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
}

static void resets(const struct kw_metrics *m, const struct kw_mwriter *w)
{
	static const char *const dirs[KW_RESET_DIRS] = { "sent", "received" };

	w->family(w->ctx, "kwhy_resets", KW_M_COUNTER, "TCP resets this host sent or received, "
		  "by the kernel's reason (sk_rst_reason, or skb_drop_reason for the kfree_skb "
		  "source).", "1");
	for (int d = 0; d < KW_RESET_DIRS; d++)
		for (uint32_t r = 0; r < KW_METRICS_REASONS + 2; r++)
			if (m->resets[d][r])
				point(w, m->resets[d][r], "direction", dirs[d], "reason",
				      kw_metrics_reason(m, r), NULL, NULL);
	w->family_end(w->ctx);
}

/* the kernel's counters: one family per outcome */
static void kernel_events(const struct kw_metrics_host *h, const struct kw_mwriter *w)
{
	static const struct {
		const char *name, *help;
	} fams[] = {
		{ "kwhy_events_seen", "Events the BPF programs saw, by type: sent, aggregated, "
		  "filtered or lost." },
		{ "kwhy_events_aggregated", "Events counted in the kernel as repeats instead of "
		  "sent, by type." },
		{ "kwhy_events_filtered", "Events seen and deliberately not sent (the --container, "
		  "--pid or --port filter), by type." },
		{ "kwhy_events_lost", "Events lost because a ring buffer was full, by type." },
	};
	const struct kw_counters *c = &h->counters;

	if (!h->have_counters)
		return;
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		w->family(w->ctx, fams[f].name, KW_M_COUNTER, fams[f].help, "1");
		for (int t = 1; t < KW_EV_COUNTED; t++) {
			const char *name = kw_event_name(t);
			uint64_t v = f == 1 ? c->aggregated[t] : f == 2 ? c->filtered[t] :
				     f == 3 ? c->lost[t] :
				     c->emitted[t] + c->aggregated[t] + c->filtered[t] + c->lost[t];

			/* userspace's own records are never counted by BPF */
			if (name && t != KW_EV_REPEAT && t != KW_EV_CGROUP &&
			    t != KW_EV_MEMCG_PROCS)
				point(w, v, "type", name, NULL, NULL, NULL, NULL);
		}
		w->family_end(w->ctx);
	}
}

static void delivered(const struct kw_metrics *m, const struct kw_metrics_host *h,
		      const struct kw_mwriter *w)
{
	w->family(w->ctx, "kwhy_events_delivered", KW_M_COUNTER, "Records that reached the "
		  "pipeline, by type: the kernel's events and the records kwhy made from what "
		  "it read on the host.", "1");
	for (int t = 1; t < KW_EV_MAX; t++)
		if (kw_event_name(t))
			point(w, m->delivered[t], "type", kw_event_name(t), NULL, NULL, NULL,
			      NULL);
	w->family_end(w->ctx);
	w->family(w->ctx, "kwhy_decode_errors", KW_M_COUNTER, "Ring buffer records dropped as "
		  "malformed.", "1");
	point(w, h->decode_errors, NULL, NULL, NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
}

static void latency(const struct kw_metrics *m, const struct kw_mwriter *w)
{
	w->family(w->ctx, "kwhy_explanation_latency_seconds", KW_M_HISTOGRAM, "From the first "
		  "event of an explanation (kernel time) to the explanation going out: ring "
		  "buffer delivery, the wait for a refused client, the model.", "s");
	w->histogram(w->ctx, m->lat_buckets, m->lat_count, (double)m->lat_sum_ns / 1e9);
	w->family_end(w->ctx);
}

static void rings(const struct kw_metrics_host *h, const struct kw_mwriter *w)
{
	static const char *const names[2] = { "rare", "bulk" };

	if (!h->have_rings)
		return;
	w->family(w->ctx, "kwhy_ringbuf_size_bytes", KW_M_GAUGE, "Size of each BPF ring "
		  "buffer.", "By");
	for (int i = 0; i < 2; i++)
		point(w, h->ring_size[i], "ring", names[i], NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
	w->family(w->ctx, "kwhy_ringbuf_used_bytes", KW_M_GAUGE, "Bytes written to each ring "
		  "buffer and not yet read, when scraped.", "By");
	for (int i = 0; i < 2; i++)
		point(w, h->ring_used[i], "ring", names[i], NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
	w->family(w->ctx, "kwhy_ringbuf_fill_ratio", KW_M_GAUGE, "Used over size of each ring "
		  "buffer, when scraped (1: events are being lost).", "1");
	for (int i = 0; i < 2; i++)
		point(w, h->ring_size[i] ? (double)h->ring_used[i] / h->ring_size[i] : 0,
		      "ring", names[i], NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
}

static void bpf_progs(const struct kw_metrics_host *h, const struct kw_mwriter *w)
{
	if (h->bpf_stats < 0)
		return;
	w->family(w->ctx, "kwhy_bpf_stats_enabled", KW_M_GAUGE, "kernel.bpf_stats_enabled: 1 "
		  "when the kernel counts BPF run time (then kwhy_bpf_prog_* are served).", "1");
	point(w, h->bpf_stats, NULL, NULL, NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
	if (h->bpf_stats != 1)
		return;
	w->family(w->ctx, "kwhy_bpf_prog_run_seconds", KW_M_COUNTER, "Time the kernel spent in "
		  "each of kwhy's BPF programs while bpf_stats was on.", "s");
	for (uint32_t i = 0; i < h->n_progs; i++)
		point(w, (double)h->progs[i].run_ns / 1e9, "prog", h->progs[i].name, NULL, NULL,
		      NULL, NULL);
	w->family_end(w->ctx);
	w->family(w->ctx, "kwhy_bpf_prog_runs", KW_M_COUNTER, "Runs of each of kwhy's BPF "
		  "programs while bpf_stats was on.", "1");
	for (uint32_t i = 0; i < h->n_progs; i++)
		point(w, h->progs[i].run_cnt, "prog", h->progs[i].name, NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
}

static void otlp(const struct kw_metrics_host *h, const struct kw_mwriter *w)
{
	static const char *const sig[2] = { "metrics", "logs" };

	if (!h->have_otlp)
		return;
	w->family(w->ctx, "kwhy_otlp_exports", KW_M_COUNTER, "OTLP/HTTP export requests, by "
		  "signal and result: ok, failed (after the retries), dropped (the queue was "
		  "full).", "1");
	for (int i = 0; i < 2; i++) {
		point(w, h->otlp_sent[i], "signal", sig[i], "result", "ok", NULL, NULL);
		point(w, h->otlp_failed[i], "signal", sig[i], "result", "failed", NULL, NULL);
		point(w, h->otlp_dropped[i], "signal", sig[i], "result", "dropped", NULL, NULL);
	}
	w->family_end(w->ctx);
}

void kw_metrics_walk(const struct kw_metrics *m, const struct kw_metrics_host *h,
		     const struct kw_mwriter *w)
{
	w->family(w->ctx, "kwhy_info", KW_M_GAUGE, "1, labelled with kwhy's version.", "1");
	point(w, 1, "version", kw_version, NULL, NULL, NULL, NULL);
	w->family_end(w->ctx);
	if (h->start_wall_ns) {
		w->family(w->ctx, "kwhy_start_time_seconds", KW_M_GAUGE, "When kwhy started, "
			  "seconds since the epoch.", "s");
		point(w, (double)(h->start_wall_ns / 1000000) / 1e3, NULL, NULL, NULL, NULL,
		      NULL, NULL);
		w->family_end(w->ctx);
	}
	refusals(m, w);
	deaths(m, w, true);
	deaths(m, w, false);
	explanations(m, w);
	resets(m, w);
	latency(m, w);
	kernel_events(h, w);
	delivered(m, h, w);
	rings(h, w);
	bpf_progs(h, w);
	otlp(h, w);
}
