// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Explanations and repeat summaries as JSON (docs/json-schema.md) and as
 * text for a person. */
#include "core/names.h"
#include "util/escape.h"
#include "output/explanation.h"
#include "core/exit_status.h"
#include "util/json.h"
#include "core/names.h"

static void j_task(struct kw_json *j, const char *key, const struct kw_task *t)
{
	kw_json_obj_begin(j, key);
	kw_json_u64(j, "pid", t->tgid);
	kw_json_strn(j, "comm", t->comm, sizeof(t->comm));
	kw_json_u64(j, "cgroup_id", t->cgroup_id);
	kw_json_u64(j, "netns", t->netns_ino);
	kw_json_obj_end(j);
}

static void j_endpoint(struct kw_json *j, const char *key, const struct kw_addr *a)
{
	char tmp[64];
	struct kw_buf b = KW_BUF_INIT(tmp);

	if (!a->family) {
		kw_json_null(j, key);
		return;
	}
	kw_fmt_endpoint(&b, a);
	kw_json_str(j, key, tmp);
}

static void j_place(struct kw_json *j, const char *key, const struct kw_place *p)
{
	if (!p->known) {
		kw_json_null(j, key);
		return;
	}
	kw_json_obj_begin(j, key);
	kw_json_str(j, "runtime", kw_runtime_name(p->runtime));
	kw_json_strn(j, "id", p->id, sizeof(p->id));
	kw_json_strn(j, "name", p->name, sizeof(p->name));
	if (p->pod[0]) {
		kw_json_strn(j, "pod", p->pod, sizeof(p->pod));
		kw_json_strn(j, "k8s_namespace", p->k8s_namespace, sizeof(p->k8s_namespace));
	}
	kw_json_strn(j, "cgroup_path", p->path, sizeof(p->path));
	kw_json_u64(j, "cgroup_id", p->cgroup_id);
	kw_json_obj_end(j);
}

static void j_listener(struct kw_json *j, const struct kw_listener *l)
{
	kw_json_obj_begin(j, NULL);
	j_endpoint(j, "addr", &l->local);
	kw_json_bool(j, "v6only", l->v6only);
	kw_json_u64(j, "netns", l->netns);
	if (l->owner_known)
		j_task(j, "owner", &l->owner);
	else
		kw_json_null(j, "owner");
	kw_json_bool(j, "snapshot", l->snapshot);
	kw_json_obj_end(j);
}

static void j_wait(struct kw_json *j, uint32_t status)
{
	struct kw_exit_status st = kw_exit_status(status);

	if (st.signaled) {
		kw_json_null(j, "exit_code");
		kw_json_str(j, "signal", kw_signal_name(st.sig));
	} else {
		kw_json_u64(j, "exit_code", st.code);
		kw_json_null(j, "signal");
	}
}

static void j_refusal_facts(struct kw_json *j, const struct kw_explanation *ex)
{
	kw_json_u64(j, "netns", ex->netns);
	j_endpoint(j, "destination", &ex->dest);
	j_endpoint(j, "client_addr", &ex->client);
	if (ex->client_known)
		j_task(j, "client", &ex->client_task);
	else
		kw_json_null(j, "client");
	switch (ex->cause) {
	case KW_CAUSE_WRONG_ADDRESS:
	case KW_CAUSE_WRONG_FAMILY:
	case KW_CAUSE_WRONG_PORT:
	case KW_CAUSE_WRONG_NETNS:
		kw_json_arr_begin(j, "listeners");
		for (uint32_t i = 0; i < ex->nr_listeners; i++)
			j_listener(j, &ex->listeners[i]);
		kw_json_arr_end(j);
		if (ex->cause == KW_CAUSE_WRONG_NETNS)
			j_place(j, "listener_container", &ex->other_place);
		break;
	case KW_CAUSE_LISTENER_EXITED:
		kw_json_arr_begin(j, "listeners");
		j_listener(j, &ex->closed.l);
		kw_json_arr_end(j);
		kw_json_str(j, "how", ex->closed.oom_event_id ? "oom_killed" :
			    kw_close_how_name(ex->closed.how));
		if (ex->closed.how == KW_CLOSE_EXIT || ex->closed.how == KW_CLOSE_KILLED)
			j_wait(j, ex->closed.wait_status);
		if (ex->closed.oom_event_id)
			kw_json_u64(j, "oom_kill_event", ex->closed.oom_event_id);
		else
			kw_json_null(j, "oom_kill_event");
		kw_json_u64(j, "closed_before_ms", ex->delay_ns / 1000000);
		break;
	case KW_CAUSE_BIND_FAILED:
		j_task(j, "binder", &ex->bind.task);
		j_endpoint(j, "bind_addr", &ex->bind.addr);
		kw_json_str(j, "bind_error", kw_errno_name(ex->bind.err));
		kw_json_u64(j, "bind_before_ms", ex->delay_ns / 1000000);
		if (ex->holder_known) {
			j_task(j, "holder", &ex->holder);
			j_endpoint(j, "holder_addr", &ex->holder_addr);
		} else {
			kw_json_null(j, "holder");
		}
		break;
	case KW_CAUSE_NO_LISTENER:
		kw_json_u64(j, "listeners_checked", ex->listeners_checked);
		kw_json_bool(j, "snapshot_taken", ex->snapshot_taken);
		break;
	default:
		break;
	}
}

static void j_oom_facts(struct kw_json *j, const struct kw_explanation *ex)
{
	const struct kw_ev_oom *o = &ex->oom;

	j_task(j, "victim", &ex->victim);
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
		j_place(j, "limit_container", &ex->limit_place);
	} else if (o->nr_levels) {
		kw_json_u64(j, "host_usage_bytes", o->levels[o->nr_levels - 1].usage_bytes);
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
	int64_t wall = (int64_t)ex->ts_ns + ctx->boot_to_wall_ns;
	struct kw_json j;
	char tmp[48];
	struct kw_buf tb = KW_BUF_INIT(tmp);

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
	kw_fmt_time_rfc3339(&tb, wall);
	kw_json_str(&j, "time", tmp);
	kw_json_u64(&j, "boot_ns", ex->ts_ns);
	kw_json_str(&j, "cause", kw_cause_name(ex->cause));
	j_place(&j, "container", &ex->place);
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
		j_oom_facts(&j, ex);
		break;
	case KW_CAUSE_USERSPACE_KILLER:
		j_task(&j, "victim", &ex->victim);
		j_task(&j, "killer", &ex->kill.sender);
		j_place(&j, "killer_container", &ex->other_place);
		break;
	case KW_CAUSE_RESET_SENT:
	case KW_CAUSE_PEER_RESET:
		kw_json_u64(&j, "netns", ex->netns);
		j_endpoint(&j, "local", &ex->client);
		j_endpoint(&j, "remote", &ex->dest);
		kw_json_str(&j, "tcp_state", kw_tcp_state_name(ex->tcp_state));
		kw_json_str(&j, "reason", ex->reason_name[0] ? ex->reason_name : NULL);
		if (ex->client_known)
			j_task(&j, "owner", &ex->client_task);
		else
			kw_json_null(&j, "owner");
		break;
	default:
		j_refusal_facts(&j, ex);
		break;
	}
	kw_json_obj_end(&j);
	kw_json_obj_end(&j);
}

void kw_format_summary(struct kw_buf *b, bool json, const struct kw_summary *s,
		       const struct kw_fmt_ctx *ctx)
{
	int64_t wall = (int64_t)s->ts_ns + ctx->boot_to_wall_ns;
	double window = (s->ts_ns - s->since_ns) / 1e9;
	struct kw_json j;
	char tmp[48];
	struct kw_buf tb = KW_BUF_INIT(tmp);

	if (!json) {
		kw_fmt_time_short(b, wall, ctx->utc);
		kw_buf_printf(b, " REPEATED     x%llu more in the last %.1f s, same cause (%s, ",
			      (unsigned long long)s->count, window, kw_cause_name(s->cause));
		kw_fmt_endpoint(b, &s->dest);
		kw_buf_printf(b, "; %llu in all, see explanation #%llu)%s",
			      (unsigned long long)s->total, (unsigned long long)s->explanation_id,
			      s->final ? " [final]" : "");
		return;
	}
	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, "schema", KW_JSON_SCHEMA);
	kw_json_str(&j, "type", "summary");
	kw_fmt_time_rfc3339(&tb, wall);
	kw_json_str(&j, "time", tmp);
	kw_json_u64(&j, "explanation_id", s->explanation_id);
	kw_json_str(&j, "cause", kw_cause_name(s->cause));
	kw_json_u64(&j, "netns", s->netns);
	j_endpoint(&j, "destination", &s->dest);
	kw_json_u64(&j, "count", s->count);
	kw_json_u64(&j, "total", s->total);
	kw_json_u64(&j, "window_ms", (s->ts_ns - s->since_ns) / 1000000);
	kw_json_bool(&j, "final", s->final);
	kw_json_obj_end(&j);
}
