// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What each event type says, written once for JSON (docs/json-schema.md)
 * and OTLP attributes: every field names its key in both, KW_KEY(json,
 * otlp), or in the one that shows it.  The record's head (JSON: schema,
 * type, time, ...; OTLP: kwhy.type, the process and its place) is the
 * back-end's; these write what follows it.  A field placed differently in
 * the two appears twice, once with each back-end's key.
 */
#include "core/exit_status.h"
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/pieces.h"

void kw_fields_oom(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_oom *e = &ev->oom;
	struct kw_json *j = kw_fields_json_only(f);
	bool limited = e->limit_level != KW_OOM_GLOBAL && e->limit_level < e->nr_levels &&
		       e->limit_level < KW_OOM_MAX_LEVELS;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("invoker"), &e->hdr);
	kw_put_task(f, KW_JSON_ONLY("victim"), &e->victim, false);
	kw_f_str(f, KW_JSON_ONLY("victim_source"), kw_victim_src_name(e->victim_src));
	kw_f_obj_begin(f, KW_JSON_ONLY("victim_memory"));
	kw_f_u64(f, KW_JSON_ONLY("total_vm_kb"), e->total_vm_kb);
	kw_f_u64(f, KW_JSON_ONLY("anon_rss_kb"), e->anon_rss_kb);
	kw_f_u64(f, KW_JSON_ONLY("file_rss_kb"), e->file_rss_kb);
	kw_f_u64(f, KW_JSON_ONLY("shmem_rss_kb"), e->shmem_rss_kb);
	kw_f_u64(f, KW_JSON_ONLY("rss_kb"), e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb);
	kw_f_u64(f, KW_JSON_ONLY("pgtables_kb"), e->pgtables_kb);
	kw_f_i64(f, KW_JSON_ONLY("oom_score_adj"), e->oom_score_adj);
	kw_f_obj_end(f, KW_JSON_ONLY("victim_memory"));
	kw_f_str(f, KW_KEY("constraint", "kwhy.oom.constraint"),
		 e->limit_level == KW_OOM_GLOBAL ? "global" : "memcg");
	if (limited) {
		const struct kw_oom_level *lv = &e->levels[e->limit_level];
		bool no_limit = lv->limit_bytes == ~0ULL;

		kw_f_obj_begin(f, KW_JSON_ONLY("limiting_memcg"));
		kw_f_u64(f, KW_KEY("cgroup_id", "kwhy.oom.cgroup_id"), lv->cgroup_id);
		kw_f_u64(f, KW_JSON_ONLY("level"), e->limit_level);
		kw_f_u64(f, KW_KEY("usage_bytes", "kwhy.oom.usage_bytes"), lv->usage_bytes);
		/* OTLP leaves out "no limit" rather than say 2^64 - 1 */
		kw_f_u64(f, KW_KEY("limit_bytes", no_limit ? NULL : "kwhy.oom.limit_bytes"),
			 lv->limit_bytes);
		kw_f_bool(f, KW_JSON_ONLY("v1"), e->memcg_v1);
		kw_f_obj_end(f, KW_JSON_ONLY("limiting_memcg"));
	} else {
		kw_f_null(f, KW_JSON_ONLY("limiting_memcg"));
	}
	if (j) {
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
	kw_f_u64(f, KW_OTLP_ONLY("kwhy.oom.rss_kb"),
		 e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb);
	if (e->hdr.flags & KW_F_TASK)
		kw_put_task(f, KW_OTLP_ONLY("invoker"), &e->hdr.task, false);
}

void kw_fields_exit(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_exit *e = &ev->exit;
	bool held = e->why & KW_EXIT_LISTENER;
	bool closed = e->why & KW_EXIT_CLOSED_LISTENER;
	bool after_refusal = e->why & KW_EXIT_AFTER_REFUSAL;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("process"), &e->hdr);
	kw_f_u64(f, KW_JSON_ONLY("wait_status"), e->exit_code);
	kw_put_exit_status(f, &kw_exit_keys_event, e->exit_code);
	kw_f_bool(f, KW_JSON_ONLY("group_dead"), e->group_dead);
	kw_f_bool(f, KW_JSON_ONLY("held_listener"), held);
	kw_f_u64(f, KW_KEY("listeners_open", held ? "kwhy.listeners_open" : NULL), e->nr_listeners);
	/* it closed a listener shortly before, alive: a graceful shutdown */
	kw_f_bool(f, KW_KEY("closed_listener", closed ? "kwhy.closed_listener" : NULL), closed);
	/* one of its connects was refused shortly before: an upstream chain */
	kw_f_bool(f, KW_KEY("after_refusal", after_refusal ? "kwhy.after_refusal" : NULL),
		  after_refusal);
	kw_f_u64(f, KW_JSON_ONLY("maxrss_kb"), e->maxrss_kb);
}

void kw_fields_signal(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_signal *e = &ev->signal;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("sender"), &e->hdr);
	kw_put_task(f, KW_JSON_ONLY("target"), &e->target, false);
	kw_put_signal(f, KW_KEY("signal", "kwhy.signal"), e->sig);
	if (e->hdr.flags & KW_F_TASK)
		kw_put_task(f, KW_OTLP_ONLY("sender"), &e->hdr.task, false);
	kw_f_u64(f, KW_JSON_ONLY("signo"), e->sig);
	kw_f_bool(f, KW_JSON_ONLY("group"), e->group);
	kw_f_bool(f, KW_KEY("from_kernel", "kwhy.from_kernel"), e->from_kernel);
	kw_f_i64(f, KW_JSON_ONLY("result"), e->result);
}

void kw_fields_listen(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_listen *e = &ev->listen;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	kw_put_endpoint(f, KW_OTLP_ONLY("server"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("local", "network.local"), &e->local, KW_EP_OBJECT);
	kw_put_network(f, "tcp", &e->local);
	kw_f_u64(f, KW_KEY("backlog", "kwhy.backlog"), e->backlog);
	kw_f_bool(f, KW_JSON_ONLY("v6only"), e->v6only);
}

/* a listen event's fields, then how it ended */
void kw_fields_listen_close(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_listen *e = &ev->listen;

	kw_fields_listen(f, ev, ctx);
	kw_f_str(f, KW_KEY("how", "kwhy.close_how"), kw_close_how_name(e->how));
	kw_put_task(f, KW_KEY("closer", e->closer.tgid ? "closer" : NULL), &e->closer, false);
	if (e->how == KW_CLOSE_EXIT || e->how == KW_CLOSE_KILLED)
		kw_put_exit_status(f, &kw_exit_keys_brief, e->closer_exit_code);
	if (e->since_boot_ns && e->since_boot_ns <= e->hdr.ts_boot_ns)
		kw_f_u64(f, KW_JSON_ONLY("listened_ms"),
			 (e->hdr.ts_boot_ns - e->since_boot_ns) / 1000000);
	else
		kw_f_null(f, KW_JSON_ONLY("listened_ms"));
}

/* what every connection event says first */
static void conn_fields(struct kw_fields *f, const struct kw_ev_conn *e)
{
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	kw_put_endpoint(f, KW_KEY("local", "network.local"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("remote", "network.peer"), &e->remote, KW_EP_OBJECT);
	kw_put_network(f, "tcp", e->remote.family ? &e->remote : &e->local);
	kw_f_str(f, KW_KEY("tcp_state", "kwhy.tcp_state"),
		 e->state ? kw_tcp_state_name(e->state) : NULL);
	kw_f_str(f, KW_JSON_ONLY("source"), kw_conn_source_name(e->source));
}

/* the socket's error: JSON by name and by number, OTLP as error.type */
static void conn_error(struct kw_fields *f, const struct kw_ev_conn *e)
{
	kw_put_errno(f, KW_KEY("error", "error.type"), e->error);
	kw_f_i64(f, KW_JSON_ONLY("errno"), e->error);
}

void kw_fields_connect_fail(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	conn_fields(f, e);
	kw_put_endpoint(f, KW_OTLP_ONLY("server"), &e->remote, KW_EP_OBJECT);
	conn_error(f, e);
	kw_f_bool(f, KW_KEY("reset_received", "kwhy.reset_received"), e->reset_received);
}

static void tcp_flags(struct kw_json *j, unsigned int flags)
{
	kw_json_arr_begin(j, "tcp_flags");
	if (flags & KW_TCP_SYN)
		kw_json_str(j, NULL, "SYN");
	if (flags & KW_TCP_ACK)
		kw_json_str(j, NULL, "ACK");
	if (flags & KW_TCP_FIN)
		kw_json_str(j, NULL, "FIN");
	if (flags & KW_TCP_RST)
		kw_json_str(j, NULL, "RST");
	kw_json_arr_end(j);
}

void kw_fields_reset_sent(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;
	struct kw_json *j = kw_fields_json_only(f);

	conn_fields(f, e);
	if (!e->state) {	/* nothing listens where the client dialled */
		kw_put_endpoint(f, KW_OTLP_ONLY("server"), &e->local, KW_EP_OBJECT);
		kw_put_endpoint(f, KW_OTLP_ONLY("client"), &e->remote, KW_EP_OBJECT);
	}
	kw_f_bool(f, KW_KEY("no_socket", "kwhy.no_socket"), e->state == 0);
	kw_f_str(f, KW_KEY("reason", "kwhy.reset_reason"), kw_fmt_reset_reason(e, ctx));
	if (e->has_reason)
		kw_f_u64(f, KW_JSON_ONLY("reason_code"), e->reason);
	else
		kw_f_null(f, KW_JSON_ONLY("reason_code"));
	if (j)
		tcp_flags(j, e->tcp_flags);
}

void kw_fields_reset_recv(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	(void)ctx;
	conn_fields(f, &ev->conn);
}

void kw_fields_sock_error(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	conn_fields(f, e);
	conn_error(f, e);
}

void kw_fields_bind(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_bind *e = &ev->bind;
	bool udp = e->protocol == 17 || e->sock_type == 2;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("process"), &e->hdr);
	kw_put_endpoint(f, KW_KEY("addr", "network.local"), &e->addr, KW_EP_OBJECT);
	kw_put_network(f, udp ? "udp" : "tcp", &e->addr);
	kw_f_bool(f, KW_KEY("ok", "kwhy.bind_ok"), e->ret == 0);
	kw_put_errno(f, KW_KEY("error", e->ret < 0 ? "error.type" : NULL), -e->ret);
	kw_f_i64(f, KW_JSON_ONLY("errno"), e->ret < 0 ? -e->ret : 0);
	kw_f_i64(f, KW_JSON_ONLY("fd"), e->fd);
	if (e->ret == 0)
		kw_f_u64(f, KW_JSON_ONLY("bound_port"), e->bound_port);
	else
		kw_f_null(f, KW_JSON_ONLY("bound_port"));
	kw_f_str(f, KW_JSON_ONLY("sock_type"), kw_sock_type_name(e->sock_type));
	kw_f_str(f, KW_JSON_ONLY("protocol"),
		 e->protocol == 6 ? "tcp" : e->protocol == 17 ? "udp" : NULL);
	kw_f_bool(f, KW_JSON_ONLY("v6only"), e->v6only);
	kw_f_bool(f, KW_JSON_ONLY("reuseaddr"), e->reuseaddr);
	kw_f_bool(f, KW_JSON_ONLY("reuseport"), e->reuseport);
}

void kw_fields_repeat(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_repeat *e = &ev->repeat;

	(void)ctx;
	kw_f_str(f, KW_KEY("of", "kwhy.repeat_of"), kw_event_name(e->key.type));
	kw_put_endpoint(f, KW_KEY("dest", "server"), &e->key.dest, KW_EP_OBJECT);
	if (e->key.tgid)
		kw_f_u64(f, KW_JSON_ONLY("pid"), e->key.tgid);
	else
		kw_f_null(f, KW_JSON_ONLY("pid"));
	kw_f_u64(f, KW_JSON_ONLY("code"), e->key.code);
	kw_f_u64(f, KW_KEY("count", "kwhy.count"), e->count);
	kw_f_u64(f, KW_JSON_ONLY("total_suppressed"), e->total);
	kw_f_u64(f, KW_JSON_ONLY("first_boot_ns"), e->first_ns);
	kw_f_u64(f, KW_JSON_ONLY("last_boot_ns"), e->last_ns);
	if (e->key.netns_ino)
		kw_f_u64(f, KW_OTLP_ONLY("kwhy.netns"), e->key.netns_ino);
}

void kw_fields_cgroup(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_cgroup *e = &ev->cgroup;

	(void)ctx;
	kw_f_u64(f, KW_JSON_ONLY("cgroup"), e->cgroup_id);
	kw_f_bool(f, KW_JSON_ONLY("v1_memory"), e->v1_memory);
	kw_f_bool(f, KW_JSON_ONLY("resolved"), e->resolved);
	kw_f_strn(f, KW_JSON_ONLY("path"), e->path, sizeof(e->path));
	kw_f_str(f, KW_JSON_ONLY("runtime"), kw_runtime_name(e->runtime));
	kw_f_strn(f, KW_JSON_ONLY("container_id"), e->container_id, sizeof(e->container_id));
	kw_f_strn(f, KW_JSON_ONLY("name"), e->name, sizeof(e->name));
	kw_f_strn(f, KW_JSON_ONLY("pod"), e->pod, sizeof(e->pod));
	kw_f_strn(f, KW_JSON_ONLY("k8s_namespace"), e->k8s_namespace, sizeof(e->k8s_namespace));
}

void kw_fields_memcg_procs(struct kw_fields *f, const struct kw_event *ev,
			   const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_memcg_procs *e = &ev->memcg_procs;
	struct kw_json *j = kw_fields_json_only(f);

	(void)ctx;
	kw_f_u64(f, KW_JSON_ONLY("memcg_id"), e->cgroup_id);
	kw_f_u64(f, KW_JSON_ONLY("usage_bytes"), e->usage_bytes);
	kw_f_u64(f, KW_JSON_ONLY("total_procs"), e->total_procs);
	if (!j)
		return;
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

void kw_fields_sock_holders(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_sock_holders *e = &ev->sock_holders;

	(void)ctx;
	kw_put_endpoint(f, KW_JSON_ONLY("local"), &e->local, KW_EP_OBJECT);
	kw_f_str(f, KW_JSON_ONLY("trigger"), e->trigger == KW_HOLDERS_AT_CREATOR_EXIT ?
		 "creator_exit" : "bind_failed");
	kw_f_u64(f, KW_JSON_ONLY("sock_ino"), e->sock_ino);
	kw_f_u64(f, KW_JSON_ONLY("total"), e->total);
	kw_put_task_list(f, "holders", e->holders, e->nr < KW_HOLDERS_MAX ? e->nr : KW_HOLDERS_MAX,
			 true);
}

/* a meminfo field in kB, null when /proc/meminfo could not be read */
static void meminfo_kb(struct kw_fields *f, const char *key, bool known, uint64_t kb)
{
	if (known)
		kw_f_u64(f, KW_JSON_ONLY(key), kb);
	else
		kw_f_null(f, KW_JSON_ONLY(key));
}

void kw_fields_host_mem(struct kw_fields *f, const struct kw_event *ev,
			const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_host_mem *e = &ev->host_mem;
	struct kw_json *j = kw_fields_json_only(f);

	(void)ctx;
	kw_f_u64(f, KW_JSON_ONLY("victim_pid"), e->victim_pid);
	meminfo_kb(f, "mem_total_kb", e->has_meminfo, e->mem_total_kb);
	meminfo_kb(f, "mem_available_kb", e->has_meminfo, e->mem_available_kb);
	meminfo_kb(f, "mem_free_kb", e->has_meminfo, e->mem_free_kb);
	meminfo_kb(f, "swap_total_kb", e->has_meminfo, e->swap_total_kb);
	meminfo_kb(f, "swap_free_kb", e->has_meminfo, e->swap_free_kb);
	kw_f_bool(f, KW_JSON_ONLY("cgroups_v1"), e->cgroups_v1);
	kw_f_u64(f, KW_JSON_ONLY("cgroups_read"), e->cgroups_read);
	if (!j)
		return;
	kw_json_arr_begin(j, "cgroups");
	for (uint32_t i = 0; i < e->nr_cgroups && i < KW_HOST_MEM_CGROUPS; i++) {
		kw_json_obj_begin(j, NULL);
		kw_json_u64(j, "cgroup_id", e->cgroups[i].cgroup_id);
		kw_json_u64(j, "usage_bytes", e->cgroups[i].usage_bytes);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

void kw_fields_resync(struct kw_fields *f, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_resync *e = &ev->resync;

	(void)ctx;
	kw_f_str(f, KW_KEY("phase", "kwhy.resync.phase"),
		 e->phase == KW_RESYNC_BEGIN ? "begin" : "end");
	kw_f_u64(f, KW_KEY("listeners", "kwhy.resync.listeners"), e->listeners);
	kw_f_u64(f, KW_KEY("lost", "kwhy.resync.lost"), e->lost);
}
