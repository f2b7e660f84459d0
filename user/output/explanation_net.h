/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The JSON facts of the connection stories (explanation_net.c). */
#ifndef KWHY_EXPLANATION_NET_H
#define KWHY_EXPLANATION_NET_H

#include "core/explain.h"
#include "output/fields.h"

/* the facts of accept_queue_full, connect_timeout, firewall_reject,
 * firewall_drop and keepalive_race, into the open "facts" object */
void kw_json_net_facts(struct kw_fields *f, const struct kw_explanation *ex);

#endif
