// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counts for the metrics: see metrics.h. */
#include <stdio.h>
#include <string.h>
#include "core/metrics.h"
#include "util/zero.h"

const double kw_metrics_bucket_le[KW_METRICS_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

void kw_metrics_init(struct kw_metrics *m, const struct kw_enum_table *rst,
		     const struct kw_enum_table *drop)
{
	kw_zero(m, sizeof(*m));		/* util/zero.h */
	m->rst_reasons = rst;
	m->drop_reasons = drop;
}

void kw_metrics_set_now(struct kw_metrics *m, uint64_t boot_ns)
{
	m->now_ns = boot_ns;
}

static bool is_refusal(uint8_t c)
{
	return c >= KW_CAUSE_WRONG_ADDRESS && c <= KW_CAUSE_REMOTE;
}

bool kw_metrics_is_death(uint8_t c)
{
	return c == KW_CAUSE_MEMCG_LIMIT || c == KW_CAUSE_GLOBAL_OOM ||
	       c == KW_CAUSE_USERSPACE_KILLER || c == KW_CAUSE_RUNTIME_STOP;
}

/* ---- label slots ---- */

/* a container's label: its name, else the start of its id; "host" for
 * the host, a systemd service, or what is not known */
static void container_label(const struct kw_place *p, char *out, size_t len)
{
	if (!p->known || p->runtime == KW_RT_HOST || p->runtime == KW_RT_SYSTEMD) {
		snprintf(out, len, "%s", KW_METRICS_HOST);
		return;
	}
	if (p->name[0])
		snprintf(out, len, "%.*s", (int)sizeof(p->name), p->name);
	else if (p->id[0])
		snprintf(out, len, "%.12s", p->id);
	else
		snprintf(out, len, "%s", KW_METRICS_HOST);
}

static uint32_t container_slot(struct kw_metrics *m, const struct kw_place *p)
{
	char label[KW_METRICS_LABEL_LEN];

	container_label(p, label, sizeof(label));
	for (uint32_t i = 0; i < m->n_containers; i++)
		if (!strcmp(m->containers[i], label))
			return i;
	if (m->n_containers == KW_METRICS_CONTAINERS)
		return KW_METRICS_CONTAINERS;
	memcpy(m->containers[m->n_containers], label, sizeof(label));
	return m->n_containers++;
}

static uint32_t port_slot(struct kw_metrics *m, uint16_t port)
{
	for (uint32_t i = 0; i < m->n_ports; i++)
		if (m->ports[i] == port)
			return i;
	if (m->n_ports == KW_METRICS_PORTS)
		return KW_METRICS_PORTS;
	m->ports[m->n_ports] = port;
	return m->n_ports++;
}

const char *kw_metrics_container(const struct kw_metrics *m, uint32_t slot)
{
	return slot < m->n_containers ? m->containers[slot] : KW_METRICS_OTHER;
}

const char *kw_metrics_port(const struct kw_metrics *m, uint32_t slot, char *buf, size_t len)
{
	if (slot >= m->n_ports)
		return KW_METRICS_OTHER;
	snprintf(buf, len, "%u", m->ports[slot]);
	return buf;
}

const char *kw_metrics_reason(const struct kw_metrics *m, uint32_t slot)
{
	if (slot < KW_METRICS_REASONS)
		return m->reasons[slot].used ? m->reasons[slot].name : KW_METRICS_OTHER;
	return slot == KW_METRICS_REASONS ? KW_METRICS_OTHER : "unknown";
}

/* a reset's reason slot: by name (both tables name it), else other/unknown */
static uint32_t reason_slot(struct kw_metrics *m, uint8_t source, uint32_t code,
			    const char *name)
{
	uint32_t i;

	if (!name) {
		/* a repeat carries only the code (of either table): the
		 * reason of an earlier reset with that code */
		for (i = 0; i < KW_METRICS_REASONS && m->reasons[i].used; i++)
			if (m->reasons[i].code == code)
				return i;
		return KW_METRICS_REASONS + 1;
	}
	for (i = 0; i < KW_METRICS_REASONS && m->reasons[i].used; i++)
		if (!strcmp(m->reasons[i].name, name))
			return i;
	if (i == KW_METRICS_REASONS)
		return KW_METRICS_REASONS;
	m->reasons[i].used = true;
	m->reasons[i].source = source;
	m->reasons[i].code = code;
	snprintf(m->reasons[i].name, sizeof(m->reasons[i].name), "%s", name);
	return i;
}

/* ---- the sinks ---- */

void kw_metrics_event(struct kw_metrics *m, const struct kw_event *ev)
{
	const struct kw_ev_conn *c = &ev->conn;
	uint32_t slot;

	if (ev->hdr.type < KW_EV_MAX)
		m->delivered[ev->hdr.type]++;
	switch (ev->hdr.type) {
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
		slot = c->has_reason ?
		       reason_slot(m, c->source, c->reason,
				   kw_reset_reason_name(c, m->rst_reasons, m->drop_reasons)) :
		       KW_METRICS_REASONS + 1;
		/* a reason the tables do not name: by its code, as "other" */
		m->resets[ev->hdr.type == KW_EV_RESET_SENT ? KW_RESET_SENT_DIR :
			  KW_RESET_RECEIVED_DIR][slot]++;
		break;
	case KW_EV_REPEAT:
		/* resets the kernel counted instead of sending */
		if (ev->repeat.key.type == KW_EV_RESET_SENT)
			m->resets[KW_RESET_SENT_DIR][reason_slot(m, KW_SRC_SEND_RESET,
								 ev->repeat.key.code, NULL)] +=
				ev->repeat.count;
		break;
	default:
		break;
	}
}

static void observe_latency(struct kw_metrics *m, uint64_t ts_ns)
{
	uint64_t d;
	double s;
	int i;

	if (!m->now_ns)
		return;		/* replay: no clock */
	d = m->now_ns > ts_ns ? m->now_ns - ts_ns : 0;
	s = (double)d / 1e9;
	for (i = 0; i < KW_METRICS_BUCKETS && s > kw_metrics_bucket_le[i]; i++)
		;
	if (i < KW_METRICS_BUCKETS)
		m->lat_buckets[i]++;
	m->lat_count++;
	m->lat_sum_ns += d;
}

void kw_metrics_explanation(struct kw_metrics *m, const struct kw_explanation *ex)
{
	uint32_t ctr, port;

	if (ex->cause >= KW_CAUSE_MAX)
		return;
	m->explanations[ex->cause]++;
	observe_latency(m, ex->ts_ns);
	if (kw_metrics_is_death(ex->cause)) {
		m->deaths[ex->cause][container_slot(m, &ex->place)]++;
		return;
	}
	if (!is_refusal(ex->cause))
		return;
	ctr = container_slot(m, &ex->place);
	port = port_slot(m, ex->dest.port);
	/* one: the repeats folded into it come in its summaries */
	m->refusals[ex->cause][ctr][port]++;
	m->ex_map[ex->id % KW_METRICS_EX_MAP].id = ex->id;
	m->ex_map[ex->id % KW_METRICS_EX_MAP].cause = ex->cause;
	m->ex_map[ex->id % KW_METRICS_EX_MAP].ctr = ctr;
	m->ex_map[ex->id % KW_METRICS_EX_MAP].port = port;
}

void kw_metrics_summary(struct kw_metrics *m, const struct kw_summary *s)
{
	typeof(m->ex_map[0]) *e = &m->ex_map[s->explanation_id % KW_METRICS_EX_MAP];
	uint32_t ctr = KW_METRICS_CONTAINERS, port;

	if (!is_refusal(s->cause))
		return;
	if (e->id == s->explanation_id) {
		ctr = e->ctr;
		port = e->port;
	} else {
		/* its explanation left the map long ago: the port is known */
		port = port_slot(m, s->dest.port);
	}
	m->refusals[s->cause][ctr][port] += s->count;
}
