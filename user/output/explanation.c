// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Explanations and repeat summaries as JSON (docs/json-schema.md) and as
 * text for a person. */
#include "util/textfmt.h"
#include "core/exit_status.h"
#include "core/names.h"
#include "output/explanation.h"
#include "output/explanation_net.h"
#include "output/pieces.h"
#include "util/json.h"

/* explanations name tasks briefly; endpoints are the same objects as in
 * events ({"family","addr","port","text"}, schema 2) */
static void j_task(struct kw_fields *f, const char *key, const struct kw_task *t)
{
	kw_put_task(f, KW_JSON_ONLY(key), t, true);
}

static void j_endpoint(struct kw_fields *f, const char *key, const struct kw_addr *a)
{
	kw_put_endpoint(f, KW_JSON_ONLY(key), a, KW_EP_OBJECT);
}

static void j_listener(struct kw_fields *f, const struct kw_listener *l)
{
	struct kw_json *j = f->j;

	kw_json_obj_begin(j, NULL);
	j_endpoint(f, "addr", &l->local);
	kw_json_bool(j, "v6only", l->v6only);
	kw_json_u64(j, "netns", l->netns);
	if (l->owner_known)
		j_task(f, "owner", &l->owner);
	else
		kw_json_null(j, "owner");
	kw_json_bool(j, "snapshot", l->snapshot);
	kw_json_obj_end(j);
}

/* {"code": 3} or {"signal": "SIGKILL", "core": false} */
static void j_exit(struct kw_fields *f, const char *key, uint32_t wait_status)
{
	struct kw_exit_status st = kw_exit_status(wait_status);
	struct kw_json *j = f->j;

	kw_json_obj_begin(j, key);
	if (st.signaled) {
		kw_put_signal(f, KW_JSON_ONLY("signal"), st.sig);
		kw_json_bool(j, "core", st.core_dumped);
	} else {
		kw_json_u64(j, "code", st.code);
	}
	kw_json_obj_end(j);
}

static void j_event_id(struct kw_json *j, const char *key, uint64_t id)
{
	if (id)
		kw_json_u64(j, key, id);
	else
		kw_json_null(j, key);
}

/* who held the socket when its creator died (read then), null if unknown */
static void j_heirs(struct kw_fields *f, const struct kw_ev_sock_holders *h)
{
	struct kw_json *j = f->j;

	if (!h) {
		kw_json_null(j, "holders");
		kw_json_null(j, "holders_total");
		return;
	}
	kw_put_task_list(f, "holders", h->holders, h->nr < KW_HOLDERS_MAX ? h->nr : KW_HOLDERS_MAX,
			 true);
	kw_json_u64(j, "holders_total", h->total);
}

/* listener_exited: who closed the socket, what became of its creator
 * before (and who held the socket then), and of the closer after
 * (docs/json-schema.md) */
static void j_closed_story(struct kw_fields *f, const struct kw_closed_listener *c,
			   const struct kw_ev_sock_holders *heirs)
{
	struct kw_json *j = f->j;

	if (c->how != KW_CLOSE_UNKNOWN)
		j_task(f, "closed_by", &c->closer);
	else
		kw_json_null(j, "closed_by");
	if (c->creator_died) {
		const struct kw_death *d = &c->creator_death;

		kw_json_obj_begin(j, "creator_death");
		kw_json_u64(j, "pid", d->task.tgid);
		kw_json_strn(j, "comm", d->task.comm, sizeof(d->task.comm));
		kw_json_str(j, "how", d->oom_event_id ? "oom_killed" :
			    kw_exit_status(d->wait_status).signaled ? "killed" : "exited");
		j_exit(f, "exit", d->wait_status);
		j_event_id(j, "event", d->event_id);
		j_event_id(j, "oom_kill_event", d->oom_event_id);
		kw_json_u64(j, "boot_ns", d->ts_ns);
		kw_json_u64(j, "before_close_ms", (c->closed_ns - d->ts_ns) / 1000000);
		j_heirs(f, heirs);
		kw_json_obj_end(j);
	} else {
		kw_json_null(j, "creator_death");
	}
	if (c->closer_exited) {
		kw_json_obj_begin(j, "closer_exit");
		j_exit(f, "exit", c->closer_wait_status);
		j_event_id(j, "event", c->closer_exit_event_id);
		kw_json_u64(j, "boot_ns", c->closer_exit_ns);
		kw_json_u64(j, "after_close_ms", (c->closer_exit_ns - c->closed_ns) / 1000000);
		kw_json_obj_end(j);
	} else {
		kw_json_null(j, "closer_exit");
	}
}

/* bind_failed: who holds the port now (null when not read), and whether
 * the process that opened it is gone (the old server draining) */
static void j_holders(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;

	if (!ex->holders_known) {
		kw_json_null(j, "holders");
		return;
	}
	kw_put_task_list(f, "holders", ex->holders.holders,
			 ex->holders.nr < KW_HOLDERS_MAX ? ex->holders.nr : KW_HOLDERS_MAX, true);
	kw_json_u64(j, "holders_total", ex->holders.total);
	kw_json_bool(j, "draining", ex->opener_gone);
	if (ex->opener_gone && ex->opener_death.ts_ns)
		j_exit(f, "opener_exit", ex->opener_death.wait_status);
	else
		kw_json_null(j, "opener_exit");
}

/* listener_exited, no_listener: the process that died after its own
 * connect was refused, and why that was refused; or null */
static void j_upstream(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;

	if (!ex->upstream_known) {
		kw_json_null(j, "upstream");
		return;
	}
	kw_json_obj_begin(j, "upstream");
	j_task(f, "process", &ex->upstream_victim);
	j_exit(f, "exit", ex->upstream_victim_status);
	j_endpoint(f, "destination", &ex->upstream.dest);
	j_event_id(j, "connect_failed_event", ex->upstream.event_id);
	kw_json_u64(j, "refused_boot_ns", ex->upstream.ts_ns);
	kw_json_u64(j, "death_boot_ns", ex->upstream_victim_ns);
	kw_json_u64(j, "refused_before_death_ms",
		    (ex->upstream_victim_ns - ex->upstream.ts_ns) / 1000000);
	kw_json_str(j, "cause", kw_cause_name(ex->upstream_cause));
	kw_json_str(j, "text", ex->upstream_text);
	kw_json_obj_end(j);
}

/* listener_exited: a new server's failed bind before the old socket closed
 * (a restart race), or null */
static void j_bind_meanwhile(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;

	if (!ex->bind_meanwhile) {
		kw_json_null(j, "bind_failed_before");
		return;
	}
	kw_json_obj_begin(j, "bind_failed_before");
	j_task(f, "binder", &ex->bind.task);
	j_endpoint(f, "bind_addr", &ex->bind.addr);
	kw_json_str(j, "bind_error", kw_errno_name(ex->bind.err));
	kw_json_u64(j, "boot_ns", ex->bind.ts_ns);
	kw_json_u64(j, "before_ms", (ex->ts_ns - ex->bind.ts_ns) / 1000000);
	j_holders(f, ex);
	kw_json_obj_end(j);
}

/* crash_loop: the listener's last lives, oldest first */
static void j_cycles(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;

	kw_json_u64(j, "restarts", ex->nr_cycles);
	kw_json_u64(j, "window_ms", ex->loop_window_ns / 1000000);
	kw_json_u64(j, "down_ms", ex->loop_down_ns / 1000000);
	kw_json_arr_begin(j, "cycles");
	for (uint32_t i = 0; i < ex->nr_cycles; i++) {
		const struct kw_closed_listener *c = &ex->cycles[i];

		kw_json_obj_begin(j, NULL);
		if (c->l.owner_known)
			j_task(f, "owner", &c->l.owner);
		else
			kw_json_null(j, "owner");
		kw_json_u64(j, "listened_ms", c->closed_ns > c->l.since_ns && c->l.since_ns ?
			    (c->closed_ns - c->l.since_ns) / 1000000 : 0);
		kw_json_str(j, "how", kw_close_how_name(c->how));
		if (c->how == KW_CLOSE_EXIT || c->how == KW_CLOSE_KILLED)
			j_exit(f, "exit", c->wait_status);
		else if (c->closer_exited)
			j_exit(f, "exit", c->closer_wait_status);
		else
			kw_json_null(j, "exit");
		kw_json_u64(j, "close_event", c->event_id);
		kw_json_u64(j, "closed_boot_ns", c->closed_ns);
		kw_json_u64(j, "before_ms", (ex->ts_ns - c->closed_ns) / 1000000);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

static void j_refusal_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;

	kw_json_u64(j, "netns", ex->netns);
	j_endpoint(f, "destination", &ex->dest);
	j_endpoint(f, "client_addr", &ex->client);
	if (ex->client_known)
		j_task(f, "client", &ex->client_task);
	else
		kw_json_null(j, "client");
	kw_json_bool(j, "resynced", ex->resynced);
	/* where nothing listens, and where the client is */
	kw_put_place(f, "server_container", &ex->place);
	if (ex->client_known)
		kw_put_place(f, "client_container", &ex->client_place);
	else
		kw_json_null(j, "client_container");
	switch (ex->cause) {
	case KW_CAUSE_WRONG_ADDRESS:
	case KW_CAUSE_WRONG_FAMILY:
	case KW_CAUSE_WRONG_PORT:
	case KW_CAUSE_WRONG_NETNS:
		kw_json_arr_begin(j, "listeners");
		for (uint32_t i = 0; i < ex->nr_listeners; i++)
			j_listener(f, &ex->listeners[i]);
		kw_json_arr_end(j);
		if (ex->cause == KW_CAUSE_WRONG_NETNS)
			kw_put_place(f, "listener_container", &ex->other_place);
		break;
	case KW_CAUSE_CRASH_LOOP:
		/* the cycles, then the last one as a listener_exited */
		j_cycles(f, ex);
		/* fall through */
	case KW_CAUSE_LISTENER_EXITED:
		kw_json_arr_begin(j, "listeners");
		j_listener(f, &ex->closed.l);
		kw_json_arr_end(j);
		/* how the socket itself ended; when its creator died first and
		 * others held it, the creator's death is in creator_death */
		kw_json_str(j, "how", ex->closed.oom_event_id && !ex->closed.creator_died ?
			    "oom_killed" : kw_close_how_name(ex->closed.how));
		if (ex->closed.how == KW_CLOSE_EXIT || ex->closed.how == KW_CLOSE_KILLED)
			kw_put_exit_status(f, &kw_exit_keys_brief, ex->closed.wait_status);
		if (ex->closed.oom_event_id)
			kw_json_u64(j, "oom_kill_event", ex->closed.oom_event_id);
		else
			kw_json_null(j, "oom_kill_event");
		kw_json_u64(j, "closed_boot_ns", ex->closed.closed_ns);
		kw_json_u64(j, "closed_before_ms", ex->delay_ns / 1000000);
		j_closed_story(f, &ex->closed, ex->heirs_known ? &ex->heirs : NULL);
		j_bind_meanwhile(f, ex);
		j_upstream(f, ex);
		if (ex->stop_known) {
			kw_json_obj_begin(j, "runtime_stop");
			j_task(f, "stopper", &ex->stop.sender);
			j_task(f, "target", &ex->stop.target);
			j_event_id(j, "sigterm_event", ex->stop.event_id);
			kw_json_u64(j, "boot_ns", ex->stop.ts_ns);
			kw_json_u64(j, "before_close_ms",
				    (ex->closed.closed_ns - ex->stop.ts_ns) / 1000000);
			kw_json_obj_end(j);
		} else {
			kw_json_null(j, "runtime_stop");
		}
		break;
	case KW_CAUSE_BIND_FAILED:
		j_task(f, "binder", &ex->bind.task);
		j_endpoint(f, "bind_addr", &ex->bind.addr);
		kw_json_str(j, "bind_error", kw_errno_name(ex->bind.err));
		kw_json_u64(j, "bind_boot_ns", ex->bind.ts_ns);
		kw_json_u64(j, "bind_before_ms", ex->delay_ns / 1000000);
		if (ex->holder_known) {
			j_task(f, "holder", &ex->holder);
			j_endpoint(f, "holder_addr", &ex->holder_addr);
		} else {
			kw_json_null(j, "holder");
		}
		j_holders(f, ex);
		break;
	case KW_CAUSE_NO_LISTENER:
		kw_json_u64(j, "listeners_checked", ex->listeners_checked);
		kw_json_bool(j, "snapshot_taken", ex->snapshot_taken);
		kw_json_u64(j, "ghosts", ex->ghosts);
		j_upstream(f, ex);
		break;
	default:
		break;
	}
}

/* global: the host's memory when the kill was seen, null when it was not
 * recorded; its biggest top-level cgroups, [] then */
static void j_host_mem_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	const struct kw_ev_host_mem *h = &ex->host_mem;
	struct kw_json *j = f->j;

	if (ex->host_mem_known && h->has_meminfo) {
		kw_json_obj_begin(j, "host_memory");
		kw_json_u64(j, "total_bytes", h->mem_total_kb * 1024);
		kw_json_u64(j, "available_bytes", h->mem_available_kb * 1024);
		kw_json_u64(j, "free_bytes", h->mem_free_kb * 1024);
		kw_json_u64(j, "swap_total_bytes", h->swap_total_kb * 1024);
		kw_json_u64(j, "swap_free_bytes", h->swap_free_kb * 1024);
		kw_json_obj_end(j);
	} else {
		kw_json_null(j, "host_memory");
	}
	/* the ones the text names, compact (the record has them all): six
	 * places in full could outgrow the output line */
	kw_json_arr_begin(j, "biggest_cgroups");
	for (uint32_t i = 0; ex->host_mem_known && i < h->nr_cgroups && i < KW_EX_CGROUPS; i++) {
		const struct kw_place *p = &ex->cgroup_places[i];
		enum kw_place_kind kind = kw_place_kind(p);

		kw_json_obj_begin(j, NULL);
		kw_json_u64(j, "cgroup_id", h->cgroups[i].cgroup_id);
		if (p->known)
			kw_json_strn(j, "path", p->path, sizeof(p->path));
		else
			kw_json_null(j, "path");
		kw_json_bool(j, "v1", h->cgroups_v1);
		kw_json_u64(j, "usage_bytes", h->cgroups[i].usage_bytes);
		if (kind == KW_PLACE_CONTAINER || kind == KW_PLACE_SERVICE)
			kw_json_strn(j, "container_name", p->name, sizeof(p->name));
		else
			kw_json_null(j, "container_name");
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

static void j_oom_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;
	const struct kw_ev_oom *o = &ex->oom;

	j_task(f, "victim", &ex->victim);
	kw_json_u64(j, "victim_rss_kb", o->anon_rss_kb + o->file_rss_kb + o->shmem_rss_kb);
	if (ex->cause == KW_CAUSE_MEMCG_LIMIT) {
		const struct kw_oom_level *lv = &o->levels[o->limit_level];

		kw_json_obj_begin(j, "limiting_cgroup");
		kw_json_u64(j, "id", lv->cgroup_id);
		kw_json_strn(j, "path", ex->limit_place.path, sizeof(ex->limit_place.path));
		kw_json_u64(j, "level", o->limit_level);
		kw_json_u64(j, "usage_bytes", lv->usage_bytes);
		kw_json_u64(j, "limit_bytes", lv->limit_bytes);
		kw_json_bool(j, "v1", o->memcg_v1);
		kw_json_obj_end(j);
		kw_put_place(f, "limit_container", &ex->limit_place);
	} else {
		if (o->nr_levels)
			kw_json_u64(j, "host_usage_bytes", o->levels[o->nr_levels - 1].usage_bytes);
		j_host_mem_facts(f, ex);
	}
	kw_json_arr_begin(j, "biggest");
	for (uint32_t i = 0; ex->procs_known && i < ex->procs.nr; i++) {
		kw_json_obj_begin(j, NULL);
		kw_json_u64(j, "pid", ex->procs.procs[i].pid);
		kw_json_strn(j, "comm", ex->procs.procs[i].comm, KW_COMM_LEN);
		kw_json_u64(j, "rss_kb", ex->procs.procs[i].rss_kb);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
	kw_json_u64(j, "oom_kills_in_window", ex->ooms_in_window);
}

void kw_format_explanation(struct kw_buf *b, bool json, const struct kw_explanation *ex,
			   const struct kw_fmt_ctx *ctx)
{
	int64_t wall = kw_boot_to_wall(ex->ts_ns, ctx->boot_to_wall_ns);
	struct kw_json j;
	struct kw_fields f = kw_fields_json(&j);

	if (!json) {
		kw_fmt_time_short(b, wall, ctx->utc);
		if (ctx->color)	/* bold: the line the reader is looking for */
			kw_buf_printf(b, " \033[1;33mWHY\033[0m          \033[1m%s\033[0m: ",
				      kw_cause_name(ex->cause));
		else
			kw_buf_printf(b, " WHY          %s: ", kw_cause_name(ex->cause));
		kw_buf_puts(b, ex->text);	/* escaped when rendered */
		kw_buf_printf(b, "\n%*s fix: %s", 12, "", ex->fix);
		return;
	}
	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, "schema", KW_JSON_SCHEMA);
	kw_json_str(&j, "type", "explanation");
	kw_json_u64(&j, "id", ex->id);
	kw_put_time(&f, KW_JSON_ONLY("time"), wall);
	kw_json_u64(&j, "boot_ns", ex->ts_ns);
	kw_json_str(&j, "cause", kw_cause_name(ex->cause));
	kw_put_place(&f, "container", &ex->place);
	kw_json_str(&j, "text", ex->text);
	kw_json_str(&j, "fix", ex->fix);
	kw_json_arr_begin(&j, "events");
	for (uint32_t i = 0; i < ex->nr_events; i++)
		kw_json_u64(&j, NULL, ex->events[i]);
	kw_json_arr_end(&j);
	kw_json_obj_begin(&j, "facts");
	switch (ex->cause) {
	case KW_CAUSE_MEMCG_LIMIT:
	case KW_CAUSE_GLOBAL_OOM:
		j_oom_facts(&f, ex);
		break;
	case KW_CAUSE_USERSPACE_KILLER:
		j_task(&f, "victim", &ex->victim);
		j_task(&f, "killer", &ex->kill.sender);
		kw_put_place(&f, "killer_container", &ex->other_place);
		break;
	case KW_CAUSE_RUNTIME_STOP:
		j_task(&f, "victim", &ex->victim);
		j_task(&f, "stopper", &ex->kill.sender);
		kw_put_signal(&f, KW_JSON_ONLY("signal"), ex->kill.sig);
		j_event_id(&j, "signal_event", ex->kill.event_id);
		kw_json_u64(&j, "signal_boot_ns", ex->kill.ts_ns);
		if (ex->term_known) {
			j_event_id(&j, "sigterm_event", ex->term.event_id);
			kw_json_u64(&j, "sigterm_boot_ns", ex->term.ts_ns);
			kw_json_u64(&j, "grace_ms", (ex->kill.ts_ns - ex->term.ts_ns) / 1000000);
		} else {
			kw_json_null(&j, "sigterm_event");
			kw_json_null(&j, "grace_ms");
		}
		break;
	case KW_CAUSE_ACCEPT_QUEUE_FULL:
	case KW_CAUSE_CONNECT_TIMEOUT:
	case KW_CAUSE_FIREWALL_REJECT:
	case KW_CAUSE_FIREWALL_DROP:
	case KW_CAUSE_KEEPALIVE_RACE:
		kw_json_net_facts(&f, ex);
		break;
	case KW_CAUSE_RESET_SENT:
	case KW_CAUSE_PEER_RESET:
		kw_json_u64(&j, "netns", ex->netns);
		j_endpoint(&f, "local", &ex->client);
		j_endpoint(&f, "remote", &ex->dest);
		kw_json_str(&j, "tcp_state", kw_tcp_state_name(ex->tcp_state));
		kw_json_str(&j, "reason", ex->reason_name[0] ? ex->reason_name : NULL);
		if (ex->client_known)
			j_task(&f, "owner", &ex->client_task);
		else
			kw_json_null(&j, "owner");
		break;
	case KW_CAUSE_UNIX_MISSING:
	case KW_CAUSE_UNIX_NO_LISTENER:
	case KW_CAUSE_UNIX_BACKLOG_FULL:
	case KW_CAUSE_UNIX_PERMISSION:
	case KW_CAUSE_PORTS_EXHAUSTED:
	case KW_CAUSE_FD_LIMIT:
		kw_put_sys_facts(&f, ex);
		break;
	default:
		j_refusal_facts(&f, ex);
		break;
	}
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
}

void kw_format_summary(struct kw_buf *b, bool json, const struct kw_summary *s,
		       const struct kw_fmt_ctx *ctx)
{
	int64_t wall = kw_boot_to_wall(s->ts_ns, ctx->boot_to_wall_ns);
	double window = (s->ts_ns - s->since_ns) / 1e9;
	struct kw_json j;
	struct kw_fields f = kw_fields_json(&j);

	if (!json) {
		kw_fmt_time_short(b, wall, ctx->utc);
		kw_buf_printf(b, " REPEATED     x%llu more in the last %.1f s, same cause (%s, ",
			      (unsigned long long)s->count, window, kw_cause_name(s->cause));
		if (s->dest.family == 2 || s->dest.family == 10)
			kw_fmt_endpoint(b, &s->dest);
		else
			kw_buf_puts(b, "the same path or process");
		kw_buf_printf(b, "; %llu in all, see explanation #%llu)%s",
			      (unsigned long long)s->total, (unsigned long long)s->explanation_id,
			      s->final ? " [final]" : "");
		return;
	}
	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, "schema", KW_JSON_SCHEMA);
	kw_json_str(&j, "type", "summary");
	kw_put_time(&f, KW_JSON_ONLY("time"), wall);
	kw_json_u64(&j, "explanation_id", s->explanation_id);
	kw_json_str(&j, "cause", kw_cause_name(s->cause));
	kw_json_u64(&j, "netns", s->netns);
	/* a summary counts repeats of a destination: its text, as in schema 1 */
	if (s->dest.family == 2 || s->dest.family == 10)
		kw_put_endpoint(&f, KW_JSON_ONLY("destination"), &s->dest, KW_EP_TEXT);
	else	/* a UNIX path or a process: see the explanation */
		kw_json_null(&j, "destination");
	kw_json_u64(&j, "count", s->count);
	kw_json_u64(&j, "total", s->total);
	kw_json_u64(&j, "window_ms", (s->ts_ns - s->since_ns) / 1000000);
	kw_json_bool(&j, "final", s->final);
	kw_json_obj_end(&j);
}
