/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pipeline's part for timeouts, packet filters and keep-alive resets
 * (pipeline_net.c), and the few pipeline.c helpers it shares.  Internal to
 * core/.
 */
#ifndef KWHY_PIPELINE_NET_H
#define KWHY_PIPELINE_NET_H

#include "core/pipeline.h"

/* pipeline.c */
struct kw_dedup *kw_pl_dedup_find(struct kw_pipeline *p, uint8_t cause, uint32_t netns,
				  const struct kw_addr *dest);
/* explain now unless an identical (cause, namespace, destination) is recent */
void kw_pl_explain_or_count(struct kw_pipeline *p, struct kw_explanation *ex, bool server_side);
void kw_pl_explain_reset(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id);

/* pipeline_net.c: each returns true when it dealt with the event */
void kw_pl_net_event(struct kw_pipeline *p, const struct kw_event *ev, uint64_t id);
/* a client's refusal: the filter's reset or ICMP error */
bool kw_pl_net_refused(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id);
/* a connecting socket's error report: the client of a filtered SYN */
void kw_pl_net_sock_error(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id);
/* a reset from a closed connection: held for its client's side */
bool kw_pl_net_hold_reset(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id);
bool kw_pl_net_repeat(struct kw_pipeline *p, const struct kw_ev_repeat *r);
/* what waited long enough (all of it when force) goes out */
void kw_pl_net_flush(struct kw_pipeline *p, bool force);
/* something waits that a flush a few ms from now would send */
bool kw_pl_net_pending(const struct kw_pipeline *p);

#endif
