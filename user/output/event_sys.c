// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Failed system calls (UNIX connects, connects out of ports, accepts at
 * the open-file limit), UNIX listeners, and what kwhy read about them at
 * the failure: their fields (JSON, OTLP) and text lines, as event_fields.c
 * and event_text.c do for the socket events.
 */
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/pieces.h"
#include "util/textfmt.h"

static void text_verb(struct kw_buf *b, const char *verb)
{
	kw_buf_printf(b, "%-13s", verb);
}

static void text_netns(struct kw_buf *b, const struct kw_hdr *h)
{
	if (h->flags & KW_F_NETNS)
		kw_buf_printf(b, " [netns %u]", h->netns_ino);
}

/* a UNIX path: its text (abstract names as "@name"), and whether abstract */
static void put_unix_path(struct kw_fields *f, const char *path, uint32_t len)
{
	char t[KW_UNIX_TEXT_LEN];

	kw_unix_path_text(t, path, len);
	kw_f_str(f, KW_KEY("path", "network.peer.address"), t);
	kw_f_bool(f, KW_JSON_ONLY("abstract"), len && !path[0]);
}

void kw_fields_unix_conn(struct kw_fields *f, const struct kw_event *ev,
			 const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_unix_conn *e = &ev->unix_conn;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("process"), &e->hdr);
	put_unix_path(f, e->path, e->path_len);
	kw_f_str(f, KW_OTLP_ONLY("network.transport"), "unix");
	kw_put_errno(f, KW_KEY("error", "error.type"), -e->ret);
	kw_f_i64(f, KW_JSON_ONLY("errno"), -e->ret);
	kw_f_i64(f, KW_JSON_ONLY("fd"), e->fd);
	kw_f_str(f, KW_JSON_ONLY("sock_type"), kw_sock_type_name(e->sock_type));
}

void kw_text_unix_conn(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_unix_conn *e = &ev->unix_conn;

	(void)ctx;
	text_verb(b, "CONNECT-FAIL");
	if (e->hdr.flags & KW_F_TASK)
		kw_fmt_task(b, &e->hdr.task);
	kw_buf_puts(b, " -> unix:");
	kw_fmt_unix_path(b, e->path, e->path_len);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, -e->ret);
	text_netns(b, &e->hdr);
}

void kw_text_no_port(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	text_verb(b, "CONNECT-FAIL");
	if (e->hdr.flags & KW_F_TASK)
		kw_fmt_task(b, &e->hdr.task);
	kw_buf_puts(b, " -> ");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, ": EADDRNOTAVAIL (no local port or address for it)");
	text_netns(b, &e->hdr);
}

void kw_fields_accept_fail(struct kw_fields *f, const struct kw_event *ev,
			   const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_accept_fail *e = &ev->accept_fail;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("process"), &e->hdr);
	kw_f_str(f, KW_KEY("syscall", "kwhy.syscall"), e->accept4 ? "accept4" : "accept");
	kw_put_errno(f, KW_KEY("error", "error.type"), -e->ret);
	kw_f_i64(f, KW_JSON_ONLY("errno"), -e->ret);
	kw_f_u64(f, KW_KEY("nofile_soft", "kwhy.nofile_soft"), e->nofile_cur);
	kw_f_u64(f, KW_JSON_ONLY("nofile_hard"), e->nofile_max);
	kw_f_u64(f, KW_JSON_ONLY("fd_table_size"), e->max_fds);
}

void kw_text_accept_fail(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_accept_fail *e = &ev->accept_fail;

	(void)ctx;
	text_verb(b, "ACCEPT-FAIL");
	if (e->hdr.flags & KW_F_TASK)
		kw_fmt_task(b, &e->hdr.task);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, -e->ret);
	kw_buf_printf(b, " (open-file limit %llu)", (unsigned long long)e->nofile_cur);
	text_netns(b, &e->hdr);
}

static const char *unix_source_name(unsigned int s)
{
	return s == KW_UL_LISTEN ? "listen" : s == KW_UL_SNAPSHOT ? "snapshot" :
	       s == KW_UL_REREAD ? "reread" : NULL;
}

void kw_fields_unix_listen(struct kw_fields *f, const struct kw_event *ev,
			   const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_unix_listen *e = &ev->unix_listen;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	put_unix_path(f, e->path, e->path_len);
	kw_f_str(f, KW_OTLP_ONLY("network.transport"), "unix");
	kw_f_u64(f, KW_JSON_ONLY("ino"), e->ino);
	kw_f_u64(f, KW_KEY("backlog", "kwhy.backlog"), e->backlog);
	if (e->source == KW_UL_LISTEN)
		kw_f_null(f, KW_JSON_ONLY("queued"));
	else
		kw_f_u64(f, KW_JSON_ONLY("queued"), e->queued);
	kw_f_str(f, KW_JSON_ONLY("source"), unix_source_name(e->source));
	kw_f_str(f, KW_JSON_ONLY("sock_type"), kw_sock_type_name(e->sock_type));
}

void kw_text_unix_listen(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_unix_listen *e = &ev->unix_listen;

	(void)ctx;
	text_verb(b, "LISTEN");
	if (e->hdr.flags & KW_F_TASK)
		kw_fmt_task(b, &e->hdr.task);
	else
		kw_buf_puts(b, "a socket");
	kw_buf_puts(b, " on unix:");
	kw_fmt_unix_path(b, e->path, e->path_len);
	kw_buf_printf(b, " backlog %u", e->backlog);
	if (e->source != KW_UL_LISTEN)
		kw_buf_printf(b, ", %u waiting (%s)", e->queued, unix_source_name(e->source));
	text_netns(b, &e->hdr);
}

/* st_mode, uid, gid of a stat() that worked; nulls when it did not */
static void put_stat(struct kw_fields *f, const char *obj, int err, uint32_t mode, uint32_t uid,
		     uint32_t gid)
{
	char m[KW_MODE_TEXT_LEN];

	kw_f_obj_begin(f, KW_JSON_ONLY(obj));
	kw_put_errno(f, KW_JSON_ONLY("error"), err);
	if (err) {
		kw_f_null(f, KW_JSON_ONLY("mode"));
		kw_f_null(f, KW_JSON_ONLY("perms"));
		kw_f_null(f, KW_JSON_ONLY("uid"));
		kw_f_null(f, KW_JSON_ONLY("gid"));
	} else {
		kw_fmt_mode(m, mode);
		kw_f_u64(f, KW_JSON_ONLY("mode"), mode & 07777);
		kw_f_str(f, KW_JSON_ONLY("perms"), m);
		kw_f_u64(f, KW_JSON_ONLY("uid"), uid);
		kw_f_u64(f, KW_JSON_ONLY("gid"), gid);
	}
	kw_f_obj_end(f, KW_JSON_ONLY(obj));
}

void kw_fields_unix_path(struct kw_fields *f, const struct kw_event *ev,
			 const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_unix_path *e = &ev->unix_path;

	(void)ctx;
	kw_f_u64(f, KW_JSON_ONLY("client_pid"), e->client_pid);
	put_unix_path(f, e->path, e->path_len);
	put_stat(f, "file", e->stat_err, e->mode, e->uid, e->gid);
	kw_f_bool(f, KW_JSON_ONLY("is_socket"), !e->stat_err && (e->mode & 0170000) == 0140000);
	put_stat(f, "dir", e->dir_err, e->dir_mode, e->dir_uid, e->dir_gid);
	if (e->creds_read) {
		kw_f_u64(f, KW_JSON_ONLY("client_euid"), e->client_euid);
		kw_f_u64(f, KW_JSON_ONLY("client_egid"), e->client_egid);
		kw_f_bool(f, KW_JSON_ONLY("client_in_group"), e->client_in_group);
	} else {
		kw_f_null(f, KW_JSON_ONLY("client_euid"));
		kw_f_null(f, KW_JSON_ONLY("client_egid"));
		kw_f_null(f, KW_JSON_ONLY("client_in_group"));
	}
	kw_f_bool(f, KW_JSON_ONLY("reread"), e->reread);
	/* why the re-read failed (ENOENT: no unix_diag), null when it did not */
	kw_f_str(f, KW_JSON_ONLY("reread_error"),
		 !e->reread && e->reread_err ? kw_errno_name(e->reread_err) : NULL);
	kw_f_u64(f, KW_JSON_ONLY("listeners"), e->listeners);
}

void kw_fields_port_usage(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_port_usage *e = &ev->port_usage;

	(void)ctx;
	kw_put_endpoint(f, KW_JSON_ONLY("dest"), &e->dest, KW_EP_OBJECT);
	kw_f_u64(f, KW_JSON_ONLY("client_pid"), e->client_pid);
	if (e->range_hi) {
		kw_f_u64(f, KW_JSON_ONLY("range_lo"), e->range_lo);
		kw_f_u64(f, KW_JSON_ONLY("range_hi"), e->range_hi);
	} else {
		kw_f_null(f, KW_JSON_ONLY("range_lo"));
		kw_f_null(f, KW_JSON_ONLY("range_hi"));
	}
	kw_f_bool(f, KW_JSON_ONLY("tables_read"), e->read_ok);
	kw_f_u64(f, KW_JSON_ONLY("to_dest"), e->to_dest);
	kw_f_u64(f, KW_JSON_ONLY("to_dest_time_wait"), e->to_dest_time_wait);
	kw_f_u64(f, KW_JSON_ONLY("in_range"), e->in_range);
}

void kw_fields_fd_usage(struct kw_fields *f, const struct kw_event *ev,
			const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_fd_usage *e = &ev->fd_usage;

	(void)ctx;
	kw_f_u64(f, KW_JSON_ONLY("pid"), e->pid);
	if (e->fds_read)
		kw_f_u64(f, KW_JSON_ONLY("open_fds"), e->open_fds);
	else
		kw_f_null(f, KW_JSON_ONLY("open_fds"));
	if (e->limits_read) {
		kw_f_u64(f, KW_JSON_ONLY("nofile_soft"), e->nofile_soft);
		kw_f_u64(f, KW_JSON_ONLY("nofile_hard"), e->nofile_hard);
	} else {
		kw_f_null(f, KW_JSON_ONLY("nofile_soft"));
		kw_f_null(f, KW_JSON_ONLY("nofile_hard"));
	}
	if (e->file_nr_read) {
		kw_f_u64(f, KW_JSON_ONLY("file_nr"), e->file_nr);
		kw_f_u64(f, KW_JSON_ONLY("file_max"), e->file_max);
	} else {
		kw_f_null(f, KW_JSON_ONLY("file_nr"));
		kw_f_null(f, KW_JSON_ONLY("file_max"));
	}
}
