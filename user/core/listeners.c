// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The model's listener table and its indexes (see model.h): by namespace
 * and port, by port, by namespace (with a count, newest first) and by age
 * (oldest evicted when full).  The table stays dense (a removed slot takes
 * the last one), and a moved slot keeps its place in every chain.
 */
#include <string.h>
#include "core/model.h"

#define NP_MASK (KW_M_LX_NP_BUCKETS - 1)
#define PORT_MASK (KW_M_LX_PORT_BUCKETS - 1)
#define NETNS_MASK (KW_M_LX_NETNS - 1)

static uint32_t *np_head(struct kw_model *m, uint32_t netns, uint16_t port)
{
	return &m->lx_np[kw_ix_hash(netns * 0x9e3779b1u ^ port) & NP_MASK];
}

static uint32_t *port_head(struct kw_model *m, uint16_t port)
{
	return &m->lx_port[kw_ix_hash(port) & PORT_MASK];
}

uint32_t kw_lx_np_first(const struct kw_model *m, uint32_t netns, uint16_t port)
{
	return *np_head((struct kw_model *)m, netns, port);
}

uint32_t kw_lx_port_first(const struct kw_model *m, uint16_t port)
{
	return *port_head((struct kw_model *)m, port);
}

/* ---- namespaces: open addressing, linear probing, no tombstones ---- */

static uint32_t netns_pos(const struct kw_model *m, uint32_t ino)
{
	uint32_t i = kw_ix_hash(ino) & NETNS_MASK;

	while (m->lx_netns[i].count && m->lx_netns[i].ino != ino)
		i = (i + 1) & NETNS_MASK;
	return i;		/* its entry, or the empty one where it goes */
}

static struct kw_lx_netns *netns_entry(struct kw_model *m, uint32_t ino)
{
	struct kw_lx_netns *e = &m->lx_netns[netns_pos(m, ino)];

	return e->count ? e : NULL;
}

/* an entry leaves: the ones after it in its probe run move back */
static void netns_delete(struct kw_model *m, uint32_t i)
{
	for (uint32_t j = i;;) {
		uint32_t k;

		j = (j + 1) & NETNS_MASK;
		if (!m->lx_netns[j].count)
			break;
		k = kw_ix_hash(m->lx_netns[j].ino) & NETNS_MASK;
		/* j may move to i when its home k is not in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			m->lx_netns[i] = m->lx_netns[j];
			i = j;
		}
	}
	m->lx_netns[i].count = 0;
}

uint32_t kw_lx_netns_count(const struct kw_model *m, uint32_t netns)
{
	return m->lx_netns[netns_pos(m, netns)].count;
}

uint32_t kw_lx_netns_first(const struct kw_model *m, uint32_t netns)
{
	const struct kw_lx_netns *e = &m->lx_netns[netns_pos(m, netns)];

	return e->count ? e->head : 0;
}

/* ---- age: newest at the head, the oldest kept for eviction ---- */

static void age_add(struct kw_model *m, uint32_t s)
{
	kw_ix_add(&m->lx_newest, m->lx_age, s);
	if (!m->lx_oldest)
		m->lx_oldest = s + 1;
}

static void age_del(struct kw_model *m, uint32_t s)
{
	if (!m->lx_age[s].next)
		m->lx_oldest = m->lx_age[s].prev;
	kw_ix_del(&m->lx_newest, m->lx_age, s);
}

/* ---- the table ---- */

static void link_slot(struct kw_model *m, uint32_t s)
{
	const struct kw_listener *l = &m->listeners[s];
	struct kw_lx_netns *e = &m->lx_netns[netns_pos(m, l->netns)];

	kw_ix_add(np_head(m, l->netns, l->local.port), m->lx_np_link, s);
	kw_ix_add(port_head(m, l->local.port), m->lx_port_link, s);
	if (!e->count) {
		e->ino = l->netns;
		e->head = 0;
	}
	e->count++;
	kw_ix_add(&e->head, m->lx_ns_link, s);
	age_add(m, s);
}

static void unlink_slot(struct kw_model *m, uint32_t s)
{
	const struct kw_listener *l = &m->listeners[s];
	uint32_t pos = netns_pos(m, l->netns);
	struct kw_lx_netns *e = &m->lx_netns[pos];

	kw_ix_del(np_head(m, l->netns, l->local.port), m->lx_np_link, s);
	kw_ix_del(port_head(m, l->local.port), m->lx_port_link, s);
	kw_ix_del(&e->head, m->lx_ns_link, s);
	if (!--e->count)
		netns_delete(m, pos);
	age_del(m, s);
}

static void move_slot(struct kw_model *m, uint32_t from, uint32_t to)
{
	const struct kw_listener *l = &m->listeners[from];

	kw_ix_move(np_head(m, l->netns, l->local.port), m->lx_np_link, from, to);
	kw_ix_move(port_head(m, l->local.port), m->lx_port_link, from, to);
	kw_ix_move(&netns_entry(m, l->netns)->head, m->lx_ns_link, from, to);
	if (m->lx_oldest == from + 1)
		m->lx_oldest = to + 1;
	kw_ix_move(&m->lx_newest, m->lx_age, from, to);
	m->listeners[to] = m->listeners[from];
}

void kw_lx_reset(struct kw_model *m)
{
	/* a model used before: clear what its listeners hold in the
	 * indexes (zeroed memory holds nothing) */
	while (m->nr_listeners)
		kw_lx_remove(m, &m->listeners[m->nr_listeners - 1]);
	m->lx_newest = m->lx_oldest = 0;
}

struct kw_listener *kw_lx_find(const struct kw_model *m, uint32_t netns,
			       const struct kw_addr *local)
{
	uint32_t s;

	KW_IX_FOR(s, kw_lx_np_first(m, netns, local->port), m->lx_np_link) {
		const struct kw_listener *l = &m->listeners[s];

		if (l->netns == netns && l->local.port == local->port &&
		    kw_addr_same_ip(&l->local, local))
			return (struct kw_listener *)l;
	}
	return NULL;
}

void kw_lx_remove(struct kw_model *m, struct kw_listener *l)
{
	uint32_t s = l - m->listeners, last = m->nr_listeners - 1;

	unlink_slot(m, s);
	if (s != last)
		move_slot(m, last, s);
	m->nr_listeners--;
}

struct kw_listener *kw_lx_insert(struct kw_model *m, uint32_t netns, const struct kw_addr *local)
{
	struct kw_listener *l;

	if (m->nr_listeners == KW_M_LISTENERS) {	/* the oldest goes */
		kw_lx_remove(m, &m->listeners[m->lx_oldest - 1]);
		m->listeners_evicted++;
	}
	l = &m->listeners[m->nr_listeners];
	memset(l, 0, sizeof(*l));
	l->netns = netns;
	l->local = *local;
	link_slot(m, m->nr_listeners++);
	return l;
}

void kw_lx_touch(struct kw_model *m, struct kw_listener *l)
{
	uint32_t s = l - m->listeners;
	struct kw_lx_netns *e = netns_entry(m, l->netns);

	kw_ix_del(&e->head, m->lx_ns_link, s);
	kw_ix_add(&e->head, m->lx_ns_link, s);
	age_del(m, s);
	age_add(m, s);
}
