// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON facts of the connection stories of core/explain_net.c:
 * accept_queue_full, connect_timeout, firewall_reject, firewall_drop and
 * keepalive_race (docs/json-schema.md). */
#include "core/names.h"
#include "output/explanation_net.h"
#include "output/pieces.h"
#include "util/json.h"

#define MS(ns) ((ns) / 1000000)

static void task(struct kw_fields *f, const char *key, bool known, const struct kw_task *t)
{
	if (known)
		kw_put_task(f, KW_JSON_ONLY(key), t, true);
	else
		kw_json_null(f->j, key);
}

static void endpoint(struct kw_fields *f, const char *key, const struct kw_addr *a)
{
	kw_put_endpoint(f, KW_JSON_ONLY(key), a, KW_EP_OBJECT);
}

static void id_or_null(struct kw_json *j, const char *key, uint64_t id)
{
	if (id)
		kw_json_u64(j, key, id);
	else
		kw_json_null(j, key);
}

static void ms_or_null(struct kw_json *j, const char *key, bool known, uint64_t ns)
{
	if (known)
		kw_json_u64(j, key, MS(ns));
	else
		kw_json_null(j, key);
}

/* {"addr", "v6only", "netns", "owner", "snapshot"}, as explanations give
 * listeners, or null */
static void listener(struct kw_fields *f, const char *key, const struct kw_ex_net *n)
{
	struct kw_json *j = f->j;
	const struct kw_listener *l = &n->listener;

	if (!n->listener_known) {
		kw_json_null(j, key);
		return;
	}
	kw_json_obj_begin(j, key);
	endpoint(f, "addr", &l->local);
	kw_json_bool(j, "v6only", l->v6only);
	kw_json_u64(j, "netns", l->netns);
	task(f, "owner", l->owner_known, &l->owner);
	kw_json_bool(j, "snapshot", l->snapshot);
	kw_json_obj_end(j);
}

/* the listener's queue: as read (listen_queue), else as the kernel's
 * overflow event gave it; null when neither */
static void queue(struct kw_fields *f, const struct kw_ex_net *n)
{
	const struct kw_ev_listen_queue *q = &n->queue;
	struct kw_json *j = f->j;
	uint32_t backlog;

	if (!n->queue_known && !n->overflow_known) {
		kw_json_null(j, "queue");
		return;
	}
	kw_json_obj_begin(j, "queue");
	kw_json_u64(j, "queued", n->queue_known ? q->queued : n->overflow.queued);
	if (kw_ex_queue_backlog(n, &backlog))
		kw_json_u64(j, "max_backlog", backlog);
	else
		kw_json_null(j, "max_backlog");
	if (n->queue_known && q->counters_read) {
		kw_json_u64(j, "listen_overflows", q->listen_overflows);
		kw_json_u64(j, "listen_drops", q->listen_drops);
	} else {
		kw_json_null(j, "listen_overflows");
		kw_json_null(j, "listen_drops");
	}
	if (n->overflows_before_known)
		kw_json_u64(j, "listen_overflows_before", n->overflows_before);
	else
		kw_json_null(j, "listen_overflows_before");
	ms_or_null(j, "oldest_wait_ms", n->overflow_known && n->overflow.oldest_wait_ns,
		   n->overflow.oldest_wait_ns);
	if (n->queue_known) {
		kw_put_task_list(f, "holders", q->holders, q->nr < KW_HOLDERS_MAX ? q->nr :
				 KW_HOLDERS_MAX, true);
		kw_json_u64(j, "holders_total", q->total);
	} else {
		kw_json_null(j, "holders");
		kw_json_null(j, "holders_total");
	}
	id_or_null(j, "queue_event", n->queue_event_id);
	id_or_null(j, "overflow_event", n->overflow_event_id);
	kw_json_obj_end(j);
}

static void timeout(struct kw_fields *f, const struct kw_timeout_rec *t)
{
	struct kw_json *j = f->j;

	task(f, "client", t->client_known, &t->client);
	endpoint(f, "client_addr", &t->local);
	kw_json_u64(j, "syn_retransmits", t->syn_retransmits);
	kw_json_u64(j, "waited_ms", MS(t->waited_ns));
	kw_json_str(j, "given_up_by", t->error ? "kernel" : "program");
}

static void accept_queue_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	const struct kw_ex_net *n = &ex->net;
	struct kw_json *j = f->j;

	kw_json_u64(j, "netns", ex->netns);
	endpoint(f, "destination", &ex->dest);
	listener(f, "listener", n);
	queue(f, n);
	kw_json_arr_begin(j, "timed_out");
	for (uint32_t i = 0; i < n->nr_clients; i++) {
		kw_json_obj_begin(j, NULL);
		timeout(f, &n->clients[i]);
		kw_json_u64(j, "event", n->clients[i].event_id);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
	kw_json_u64(j, "timed_out_total", n->clients_total);
	if (n->overflow_known)
		endpoint(f, "stalled_client_addr", &n->overflow.remote);
	else
		kw_json_null(j, "stalled_client_addr");
	kw_put_place(f, "server_container", &ex->place);
}

static void connect_timeout_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	const struct kw_ex_net *n = &ex->net;
	struct kw_json *j = f->j;

	kw_json_u64(j, "netns", ex->netns);
	endpoint(f, "destination", &ex->dest);
	timeout(f, &n->conn);
	kw_put_errno(f, KW_JSON_ONLY("error"), n->conn.error);
	kw_put_place(f, "client_container", &ex->place);
	kw_json_bool(j, "listener_here", n->listener_here);
	listener(f, "listener", n);
	kw_json_str(j, "server_cause", n->server_cause ? kw_cause_name(n->server_cause) : NULL);
	id_or_null(j, "server_explanation", n->server_explanation);
	if (n->server_cause == KW_CAUSE_ACCEPT_QUEUE_FULL)
		queue(f, n);
	else
		kw_json_null(j, "queue");
	kw_json_u64(j, "syns_filtered", n->server_cause == KW_CAUSE_FIREWALL_DROP ?
		    n->syns_dropped : 0);
}

static void firewall_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	const struct kw_ex_net *n = &ex->net;
	struct kw_json *j = f->j;

	kw_json_u64(j, "netns", ex->netns);
	endpoint(f, "destination", &ex->dest);
	endpoint(f, "client_addr", &ex->client);
	task(f, "client", ex->client_known, &ex->client_task);
	if (ex->client_known)
		kw_put_place(f, "client_container", &ex->client_place);
	else
		kw_json_null(j, "client_container");
	kw_json_str(j, "mode", kw_fw_mode_name(n->fw_mode));
	kw_json_bool(j, "mode_inferred", n->fw_mode_inferred);
	if (n->syn.icmp_type != KW_ICMP_NONE) {
		kw_json_obj_begin(j, "icmp");
		kw_json_u64(j, "type", n->syn.icmp_type);
		kw_json_u64(j, "code", n->syn.icmp_code);
		kw_json_obj_end(j);
	} else {
		kw_json_null(j, "icmp");
	}
	kw_json_u64(j, "syns_filtered", n->syns_dropped);
	id_or_null(j, "syn_event", n->syn_event_id);
	listener(f, "listener", n);
	kw_put_place(f, "server_container", &ex->place);
}

static void keepalive_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	const struct kw_ev_idle_reset *e = &ex->net.idle;
	struct kw_json *j = f->j;

	kw_json_u64(j, "netns", ex->netns);
	endpoint(f, "destination", &ex->dest);
	endpoint(f, "client_addr", &ex->client);
	task(f, "client", ex->client_known, &ex->client_task);
	kw_put_place(f, "client_container", &ex->place);
	ms_or_null(j, "idle_ms", (e->known & KW_IDLE_RECV) && e->last_recv_ago_ns >= e->fin_ago_ns,
		   e->last_recv_ago_ns - e->fin_ago_ns);
	kw_json_u64(j, "closed_before_reset_ms", MS(e->fin_ago_ns));
	kw_json_u64(j, "wrote_after_close_ms", MS(e->fin_ago_ns - e->last_send_ago_ns));
	kw_json_u64(j, "reset_after_write_ms", MS(e->last_send_ago_ns));
	kw_json_u64(j, "bytes_received", e->bytes_received);
	kw_json_u64(j, "bytes_sent", e->bytes_sent);
	ms_or_null(j, "connection_age_ms", e->conn_age_ns != 0, e->conn_age_ns);
	id_or_null(j, "server_reset_event", ex->net.server_reset_known ?
		   ex->net.server_reset_event_id : 0);
}

void kw_json_net_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	switch (ex->cause) {
	case KW_CAUSE_ACCEPT_QUEUE_FULL:
		accept_queue_facts(f, ex);
		break;
	case KW_CAUSE_CONNECT_TIMEOUT:
		connect_timeout_facts(f, ex);
		break;
	case KW_CAUSE_FIREWALL_REJECT:
	case KW_CAUSE_FIREWALL_DROP:
		firewall_facts(f, ex);
		break;
	case KW_CAUSE_KEEPALIVE_RACE:
		keepalive_facts(f, ex);
		break;
	default:
		break;
	}
}
