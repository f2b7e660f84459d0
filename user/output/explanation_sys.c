// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON facts of failed system calls' causes: unix_*, ports_exhausted,
 * fd_limit (docs/json-schema.md). */
#include "core/exit_status.h"
#include "core/names.h"
#include "output/explanation.h"
#include "output/pieces.h"
#include "util/json.h"
#include "util/textfmt.h"

static void j_path(struct kw_json *j, const char *key, const char *p, uint16_t len)
{
	char t[KW_UNIX_TEXT_LEN];

	kw_unix_path_text(t, p, len);
	kw_json_str(j, key, t);
}

static void j_task(struct kw_fields *f, const char *key, const struct kw_task *t, bool known)
{
	if (known)
		kw_put_task(f, KW_JSON_ONLY(key), t, true);
	else
		kw_json_null(f->j, key);
}

static void j_event(struct kw_json *j, const char *key, uint64_t id)
{
	if (id)
		kw_json_u64(j, key, id);
	else
		kw_json_null(j, key);
}

static void j_unix_listener(struct kw_fields *f, const char *key, const struct kw_unix_listener *u,
			    int match)
{
	struct kw_json *j = f->j;

	kw_json_obj_begin(j, key);
	j_path(j, "path", u->path, u->path_len);
	j_task(f, "owner", &u->owner, u->owner_known);
	kw_json_u64(j, "ino", u->ino);
	kw_json_u64(j, "backlog", u->backlog);
	if (u->queued_known)
		kw_json_u64(j, "queued", u->queued);
	else
		kw_json_null(j, "queued");
	kw_json_u64(j, "netns", u->netns);
	if (match)
		kw_json_str(j, "match", match == KW_UNIX_SAME_DIR ? "same_directory" :
			    "same_name");
	j_event(j, "event", u->event_id);
	kw_json_obj_end(j);
}

/* the path as the client saw it at the failure, null when not read */
static void j_file(struct kw_json *j, const struct kw_explanation *ex)
{
	const struct kw_ev_unix_path *p = &ex->path.ev;

	if (!ex->path_known) {
		kw_json_null(j, "file");
		return;
	}
	kw_json_obj_begin(j, "file");
	kw_json_bool(j, "exists", !p->stat_err);
	kw_json_bool(j, "is_socket", !p->stat_err && (p->mode & 0170000) == 0140000);
	if (p->stat_err) {
		kw_json_null(j, "mode");
		kw_json_null(j, "uid");
		kw_json_null(j, "gid");
	} else {
		kw_json_u64(j, "mode", p->mode & 07777);
		kw_json_u64(j, "uid", p->uid);
		kw_json_u64(j, "gid", p->gid);
	}
	kw_json_bool(j, "dir_exists", !p->dir_err);
	kw_json_u64(j, "listeners_reread", p->listeners);
	kw_json_bool(j, "reread", p->reread);
	/* why it failed, when it did: ENOENT is no unix_diag */
	if (!p->reread && p->reread_err && kw_errno_name(p->reread_err))
		kw_json_str(j, "reread_error", kw_errno_name(p->reread_err));
	else
		kw_json_null(j, "reread_error");
	j_event(j, "event", ex->path.event_id);
	kw_json_obj_end(j);
}

static void unix_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;
	const struct kw_ev_unix_path *p = &ex->path.ev;

	j_path(j, "path", ex->unix_path, ex->unix_path_len);
	kw_json_bool(j, "abstract", ex->unix_path_len && !ex->unix_path[0]);
	kw_json_str(j, "error", kw_errno_name(ex->sys_err));
	kw_json_u64(j, "netns", ex->netns);
	j_task(f, "client", &ex->client_task, ex->client_known);
	if (ex->client_known)
		kw_put_place(f, "client_container", &ex->client_place);
	else
		kw_json_null(j, "client_container");
	j_file(j, ex);
	switch (ex->cause) {
	case KW_CAUSE_UNIX_MISSING:
		kw_json_arr_begin(j, "nearest");
		for (uint32_t i = 0; i < ex->nr_ulisteners; i++)
			j_unix_listener(f, NULL, &ex->ulisteners[i], ex->unix_match[i]);
		kw_json_arr_end(j);
		break;
	case KW_CAUSE_UNIX_NO_LISTENER:
		if (ex->dead_known)
			j_unix_listener(f, "dead_listener", &ex->ulisteners[0], 0);
		else
			kw_json_null(j, "dead_listener");
		if (ex->dead_death_known) {
			struct kw_exit_status st = kw_exit_status(ex->dead_death.wait_status);

			kw_json_obj_begin(j, "owner_death");
			kw_json_str(j, "how", ex->dead_oom_event ? "oom_killed" :
				    st.signaled ? "killed" : "exited");
			kw_put_exit_status(f, &kw_exit_keys_brief, ex->dead_death.wait_status);
			j_event(j, "event", ex->dead_death.event_id);
			j_event(j, "oom_kill_event", ex->dead_oom_event);
			kw_json_u64(j, "before_ms", (ex->ts_ns - ex->dead_death.ts_ns) / 1000000);
			kw_json_obj_end(j);
		} else {
			kw_json_null(j, "owner_death");
		}
		break;
	case KW_CAUSE_UNIX_BACKLOG_FULL:
		if (ex->nr_ulisteners)
			j_unix_listener(f, "listener", &ex->ulisteners[0], 0);
		else
			kw_json_null(j, "listener");
		break;
	case KW_CAUSE_UNIX_PERMISSION:
		/* the kernel's (real) uid of the client, always; its effective
		 * ids when /proc could still be read */
		if (ex->client_known)
			kw_json_u64(j, "client_uid", ex->client_task.uid);
		else
			kw_json_null(j, "client_uid");
		if (ex->path_known && p->creds_read && ex->client_known &&
		    p->client_pid == ex->client_task.tgid) {
			kw_json_u64(j, "client_euid", p->client_euid);
			kw_json_u64(j, "client_egid", p->client_egid);
			kw_json_bool(j, "client_in_group", p->client_in_group);
		} else {
			kw_json_null(j, "client_euid");
			kw_json_null(j, "client_egid");
			kw_json_null(j, "client_in_group");
		}
		break;
	default:
		break;
	}
}

static void ports_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;
	const struct kw_ev_port_usage *u = &ex->ports.ev;

	kw_json_u64(j, "netns", ex->netns);
	kw_put_endpoint(f, KW_JSON_ONLY("destination"), &ex->dest, KW_EP_OBJECT);
	j_task(f, "client", &ex->client_task, ex->client_known);
	if (ex->ports_known && u->range_hi) {
		kw_json_obj_begin(j, "port_range");
		kw_json_u64(j, "lo", u->range_lo);
		kw_json_u64(j, "hi", u->range_hi);
		kw_json_u64(j, "size", (unsigned)u->range_hi - u->range_lo + 1);
		kw_json_obj_end(j);
		kw_json_u64(j, "in_use_to_dest", u->to_dest);
		kw_json_u64(j, "time_wait_to_dest", u->to_dest_time_wait);
		kw_json_u64(j, "in_use_in_range", u->in_range);
	} else {
		kw_json_null(j, "port_range");
		kw_json_null(j, "in_use_to_dest");
		kw_json_null(j, "time_wait_to_dest");
		kw_json_null(j, "in_use_in_range");
	}
	j_event(j, "port_usage_event", ex->ports_known ? ex->ports.event_id : 0);
}

static void fd_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	struct kw_json *j = f->j;
	const struct kw_ev_fd_usage *u = &ex->fds.ev;

	kw_json_u64(j, "netns", ex->netns);
	j_task(f, "process", &ex->victim, true);
	kw_json_str(j, "error", kw_errno_name(ex->sys_err));
	kw_json_str(j, "syscall", ex->accept.accept4 ? "accept4" : "accept");
	kw_json_u64(j, "nofile_soft", ex->accept.nofile_cur);
	kw_json_u64(j, "nofile_hard", ex->accept.nofile_max);
	if (ex->fds_known && u->fds_read)
		kw_json_u64(j, "open_fds", u->open_fds);
	else
		kw_json_null(j, "open_fds");
	if (ex->fds_known && u->file_nr_read) {
		kw_json_u64(j, "host_files_open", u->file_nr);
		kw_json_u64(j, "host_file_max", u->file_max);
	} else {
		kw_json_null(j, "host_files_open");
		kw_json_null(j, "host_file_max");
	}
	kw_json_arr_begin(j, "listeners");
	for (uint32_t i = 0; i < ex->nr_listeners; i++) {
		kw_json_obj_begin(j, NULL);
		kw_put_endpoint(f, KW_JSON_ONLY("addr"), &ex->listeners[i].local, KW_EP_OBJECT);
		kw_json_u64(j, "backlog", ex->listeners[i].backlog);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
	kw_json_arr_begin(j, "unix_listeners");
	for (uint32_t i = 0; i < ex->nr_ulisteners; i++)
		j_path(j, NULL, ex->ulisteners[i].path, ex->ulisteners[i].path_len);
	kw_json_arr_end(j);
	j_event(j, "fd_usage_event", ex->fds_known ? ex->fds.event_id : 0);
}

void kw_put_sys_facts(struct kw_fields *f, const struct kw_explanation *ex)
{
	switch (ex->cause) {
	case KW_CAUSE_PORTS_EXHAUSTED:
		ports_facts(f, ex);
		break;
	case KW_CAUSE_FD_LIMIT:
		fd_facts(f, ex);
		break;
	default:
		unix_facts(f, ex);
		break;
	}
}
