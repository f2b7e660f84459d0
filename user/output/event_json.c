// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Events as JSON objects; the schema is docs/json-schema.md (version
 * KW_JSON_SCHEMA).  Names, not numbers, wherever a name is known; the
 * number stays beside it so nothing is lost. */
#include <string.h>
#include "output/format.h"
#include "core/exit_status.h"
#include "util/json.h"
#include "core/names.h"
#include "core/names.h"

static void json_task(struct kw_json *j, const char *key, const struct kw_task *t)
{
	kw_json_obj_begin(j, key);
	kw_json_u64(j, "pid", t->tgid);
	kw_json_u64(j, "tid", t->pid);
	kw_json_strn(j, "comm", t->comm, sizeof(t->comm));
	kw_json_u64(j, "uid", t->uid);
	kw_json_u64(j, "cgroup_id", t->cgroup_id);
	kw_json_u64(j, "memcg_id", t->memcg_id);
	kw_json_bool(j, "memcg_v1", t->memcg_hier != 0);
	kw_json_u64(j, "netns", t->netns_ino);
	kw_json_u64(j, "mntns", t->mntns_ino);
	kw_json_obj_end(j);
}

/* The header's actor under the name of its role, or null. */
static void json_actor(struct kw_json *j, const char *role, const struct kw_hdr *h)
{
	if (h->flags & KW_F_TASK)
		json_task(j, role, &h->task);
	else
		kw_json_null(j, role);
}

static void json_endpoint(struct kw_json *j, const char *key, const struct kw_addr *a)
{
	char tmp[64];
	struct kw_buf b = KW_BUF_INIT(tmp);

	kw_json_obj_begin(j, key);
	kw_json_str(j, "family", kw_family_name(a->family));
	kw_fmt_ip(&b, a);
	kw_json_str(j, "addr", tmp);
	kw_json_u64(j, "port", a->port);
	kw_buf_reset(&b);
	kw_fmt_endpoint(&b, a);
	kw_json_str(j, "text", tmp);
	kw_json_obj_end(j);
}

static void json_errno(struct kw_json *j, const char *key, int err)
{
	const char *name = kw_errno_name(err);

	if (!err)
		kw_json_null(j, key);
	else if (name)
		kw_json_str(j, key, name);
	else
		kw_json_i64(j, key, err);
}

static void json_header(struct kw_json *j, const struct kw_hdr *h, uint64_t id,
			const struct kw_fmt_ctx *ctx)
{
	char tmp[48];
	struct kw_buf b = KW_BUF_INIT(tmp);

	kw_json_u64(j, "schema", KW_JSON_SCHEMA);
	kw_json_str(j, "type", kw_event_name(h->type));
	if (id)
		kw_json_u64(j, "id", id);
	if (h->flags & KW_F_SNAPSHOT)
		kw_json_bool(j, "snapshot", true);
	kw_fmt_time_rfc3339(&b, (int64_t)h->ts_boot_ns + ctx->boot_to_wall_ns);
	kw_json_str(j, "time", tmp);
	kw_json_u64(j, "boot_ns", h->ts_boot_ns);
	kw_json_u64(j, "mono_ns", h->ts_mono_ns);
	kw_json_u64(j, "cpu", h->cpu);
	if (h->flags & KW_F_NETNS) {
		kw_json_u64(j, "netns", h->netns_ino);
		kw_json_u64(j, "netns_cookie", h->netns_cookie);
	} else {
		kw_json_null(j, "netns");
	}
	if (h->flags & KW_F_CGROUP)
		kw_json_u64(j, "cgroup_id", h->cgroup_id);
	else
		kw_json_null(j, "cgroup_id");
	/* how the actor was identified: "current" (process context) or
	 * "socket_owner" (recorded at listen()/connect()) */
	if (h->flags & KW_F_TASK)
		kw_json_str(j, "attribution", (h->flags & KW_F_OWNER) ? "socket_owner" : "current");
	else
		kw_json_str(j, "attribution", "none");
}

static void json_oom(struct kw_json *j, const struct kw_ev_oom *e)
{
	json_actor(j, "invoker", &e->hdr);
	json_task(j, "victim", &e->victim);
	kw_json_str(j, "victim_source", kw_victim_src_name(e->victim_src));
	kw_json_obj_begin(j, "victim_memory");
	kw_json_u64(j, "total_vm_kb", e->total_vm_kb);
	kw_json_u64(j, "anon_rss_kb", e->anon_rss_kb);
	kw_json_u64(j, "file_rss_kb", e->file_rss_kb);
	kw_json_u64(j, "shmem_rss_kb", e->shmem_rss_kb);
	kw_json_u64(j, "rss_kb", e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb);
	kw_json_u64(j, "pgtables_kb", e->pgtables_kb);
	kw_json_i64(j, "oom_score_adj", e->oom_score_adj);
	kw_json_obj_end(j);
	kw_json_str(j, "constraint", e->limit_level == KW_OOM_GLOBAL ? "global" : "memcg");
	if (e->limit_level != KW_OOM_GLOBAL && e->limit_level < e->nr_levels) {
		const struct kw_oom_level *lv = &e->levels[e->limit_level];

		kw_json_obj_begin(j, "limiting_memcg");
		kw_json_u64(j, "cgroup_id", lv->cgroup_id);
		kw_json_u64(j, "level", e->limit_level);
		kw_json_u64(j, "usage_bytes", lv->usage_bytes);
		kw_json_u64(j, "limit_bytes", lv->limit_bytes);
		kw_json_bool(j, "v1", e->memcg_v1);
		kw_json_obj_end(j);
	} else {
		kw_json_null(j, "limiting_memcg");
	}
	kw_json_arr_begin(j, "memcg_levels");
	for (int i = 0; i < e->nr_levels && i < KW_OOM_MAX_LEVELS; i++) {
		kw_json_obj_begin(j, NULL);
		kw_json_u64(j, "cgroup_id", e->levels[i].cgroup_id);
		kw_json_u64(j, "usage_bytes", e->levels[i].usage_bytes);
		if (e->levels[i].limit_bytes == ~0ULL)
			kw_json_null(j, "limit_bytes");
		else
			kw_json_u64(j, "limit_bytes", e->levels[i].limit_bytes);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

static void json_exit(struct kw_json *j, const struct kw_ev_exit *e)
{
	struct kw_exit_status st = kw_exit_status(e->exit_code);

	json_actor(j, "process", &e->hdr);
	kw_json_u64(j, "wait_status", e->exit_code);
	if (st.signaled) {
		kw_json_null(j, "exit_code");
		kw_json_str(j, "signal", kw_signal_name(st.sig));
		kw_json_u64(j, "signo", st.sig);
	} else {
		kw_json_u64(j, "exit_code", st.code);
		kw_json_null(j, "signal");
		kw_json_null(j, "signo");
	}
	kw_json_bool(j, "core_dumped", st.core_dumped);
	kw_json_bool(j, "group_dead", e->group_dead);
	kw_json_bool(j, "held_listener", e->why & KW_EXIT_LISTENER);
	kw_json_u64(j, "listeners_open", e->nr_listeners);
	kw_json_u64(j, "maxrss_kb", e->maxrss_kb);
}

static void json_signal(struct kw_json *j, const struct kw_ev_signal *e)
{
	json_actor(j, "sender", &e->hdr);
	json_task(j, "target", &e->target);
	kw_json_str(j, "signal", kw_signal_name(e->sig));
	kw_json_u64(j, "signo", e->sig);
	kw_json_bool(j, "group", e->group);
	kw_json_bool(j, "from_kernel", e->from_kernel);
	kw_json_i64(j, "result", e->result);
}

static void json_listen(struct kw_json *j, const struct kw_ev_listen *e)
{
	json_actor(j, "owner", &e->hdr);
	json_endpoint(j, "local", &e->local);
	kw_json_u64(j, "backlog", e->backlog);
	kw_json_bool(j, "v6only", e->v6only);
	if (e->hdr.type != KW_EV_LISTEN_CLOSE)
		return;
	kw_json_str(j, "how", kw_close_how_name(e->how));
	json_task(j, "closer", &e->closer);
	if (e->how == KW_CLOSE_EXIT || e->how == KW_CLOSE_KILLED) {
		struct kw_exit_status st = kw_exit_status(e->closer_exit_code);

		if (st.signaled) {
			kw_json_null(j, "exit_code");
			kw_json_str(j, "signal", kw_signal_name(st.sig));
		} else {
			kw_json_u64(j, "exit_code", st.code);
			kw_json_null(j, "signal");
		}
	}
	if (e->since_boot_ns && e->since_boot_ns <= e->hdr.ts_boot_ns)
		kw_json_u64(j, "listened_ms", (e->hdr.ts_boot_ns - e->since_boot_ns) / 1000000);
	else
		kw_json_null(j, "listened_ms");
}

static void json_tcp_flags(struct kw_json *j, unsigned int f)
{
	kw_json_arr_begin(j, "tcp_flags");
	if (f & KW_TCP_SYN)
		kw_json_str(j, NULL, "SYN");
	if (f & KW_TCP_ACK)
		kw_json_str(j, NULL, "ACK");
	if (f & KW_TCP_FIN)
		kw_json_str(j, NULL, "FIN");
	if (f & KW_TCP_RST)
		kw_json_str(j, NULL, "RST");
	kw_json_arr_end(j);
}

static void json_conn(struct kw_json *j, const struct kw_ev_conn *e, const struct kw_fmt_ctx *ctx)
{
	json_actor(j, "owner", &e->hdr);
	json_endpoint(j, "local", &e->local);
	json_endpoint(j, "remote", &e->remote);
	if (e->state)
		kw_json_str(j, "tcp_state", kw_tcp_state_name(e->state));
	else
		kw_json_null(j, "tcp_state");
	kw_json_str(j, "source", kw_conn_source_name(e->source));
	switch (e->hdr.type) {
	case KW_EV_CONNECT_FAIL:
	case KW_EV_SOCK_ERROR:
		json_errno(j, "error", e->error);
		kw_json_i64(j, "errno", e->error);
		if (e->hdr.type == KW_EV_CONNECT_FAIL)
			kw_json_bool(j, "reset_received", e->reset_received);
		break;
	case KW_EV_RESET_SENT: {
		const char *name = kw_fmt_reset_reason(e, ctx);

		kw_json_bool(j, "no_socket", e->state == 0);
		if (name)
			kw_json_str(j, "reason", name);
		else
			kw_json_null(j, "reason");
		if (e->has_reason)
			kw_json_u64(j, "reason_code", e->reason);
		else
			kw_json_null(j, "reason_code");
		json_tcp_flags(j, e->tcp_flags);
		break;
	}
	default:
		break;
	}
}

static void json_bind(struct kw_json *j, const struct kw_ev_bind *e)
{
	json_actor(j, "process", &e->hdr);
	json_endpoint(j, "addr", &e->addr);
	kw_json_bool(j, "ok", e->ret == 0);
	json_errno(j, "error", -e->ret);
	kw_json_i64(j, "errno", e->ret < 0 ? -e->ret : 0);
	kw_json_i64(j, "fd", e->fd);
	if (e->ret == 0)
		kw_json_u64(j, "bound_port", e->bound_port);
	else
		kw_json_null(j, "bound_port");
	kw_json_str(j, "sock_type", kw_sock_type_name(e->sock_type));
	kw_json_str(j, "protocol", e->protocol == 6 ? "tcp" : e->protocol == 17 ? "udp" : NULL);
	kw_json_bool(j, "v6only", e->v6only);
	kw_json_bool(j, "reuseaddr", e->reuseaddr);
	kw_json_bool(j, "reuseport", e->reuseport);
}

static void json_repeat(struct kw_json *j, const struct kw_ev_repeat *e)
{
	kw_json_str(j, "of", kw_event_name(e->key.type));
	json_endpoint(j, "dest", &e->key.dest);
	if (e->key.tgid)
		kw_json_u64(j, "pid", e->key.tgid);
	else
		kw_json_null(j, "pid");
	kw_json_u64(j, "code", e->key.code);
	kw_json_u64(j, "count", e->count);
	kw_json_u64(j, "total_suppressed", e->total);
	kw_json_u64(j, "first_boot_ns", e->first_ns);
	kw_json_u64(j, "last_boot_ns", e->last_ns);
}

static void json_cgroup(struct kw_json *j, const struct kw_ev_cgroup *e)
{
	kw_json_u64(j, "cgroup", e->cgroup_id);
	kw_json_bool(j, "v1_memory", e->v1_memory);
	kw_json_bool(j, "resolved", e->resolved);
	kw_json_strn(j, "path", e->path, sizeof(e->path));
	kw_json_str(j, "runtime", kw_runtime_name(e->runtime));
	kw_json_strn(j, "container_id", e->container_id, sizeof(e->container_id));
	kw_json_strn(j, "name", e->name, sizeof(e->name));
	kw_json_strn(j, "pod", e->pod, sizeof(e->pod));
	kw_json_strn(j, "k8s_namespace", e->k8s_namespace, sizeof(e->k8s_namespace));
}

static void json_memcg_procs(struct kw_json *j, const struct kw_ev_memcg_procs *e)
{
	kw_json_u64(j, "memcg_id", e->cgroup_id);
	kw_json_u64(j, "usage_bytes", e->usage_bytes);
	kw_json_u64(j, "total_procs", e->total_procs);
	kw_json_arr_begin(j, "procs");
	for (uint32_t i = 0; i < e->nr && i < KW_MEMCG_PROCS_MAX; i++) {
		kw_json_obj_begin(j, NULL);
		kw_json_u64(j, "pid", e->procs[i].pid);
		kw_json_strn(j, "comm", e->procs[i].comm, KW_COMM_LEN);
		kw_json_u64(j, "rss_kb", e->procs[i].rss_kb);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

void kw_format_json(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	kw_format_json_id(b, ev, 0, ctx);
}

void kw_format_json_id(struct kw_buf *b, const struct kw_event *ev, uint64_t id,
		       const struct kw_fmt_ctx *ctx)
{
	struct kw_json j;

	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	json_header(&j, &ev->hdr, id, ctx);
	switch (ev->hdr.type) {
	case KW_EV_OOM_KILL:	json_oom(&j, &ev->oom); break;
	case KW_EV_PROC_EXIT:	json_exit(&j, &ev->exit); break;
	case KW_EV_SIGNAL:	json_signal(&j, &ev->signal); break;
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE: json_listen(&j, &ev->listen); break;
	case KW_EV_CONNECT_FAIL:
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:	json_conn(&j, &ev->conn, ctx); break;
	case KW_EV_BIND:	json_bind(&j, &ev->bind); break;
	case KW_EV_REPEAT:	json_repeat(&j, &ev->repeat); break;
	case KW_EV_CGROUP:	json_cgroup(&j, &ev->cgroup); break;
	case KW_EV_MEMCG_PROCS:	json_memcg_procs(&j, &ev->memcg_procs); break;
	default:		break;
	}
	kw_json_obj_end(&j);
}
