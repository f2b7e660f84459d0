// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The sentences and fixes of failed system calls' causes (explain_sys.c),
 * from the facts alone.  Host strings (comm, paths) are escaped here. */
#include <errno.h>
#include <string.h>
#include "core/exit_status.h"
#include "core/explain.h"
#include "core/names.h"
#include "util/escape.h"
#include "util/textfmt.h"

static void upath(struct kw_buf *b, const char *p, uint16_t len)
{
	kw_buf_puts(b, "unix:");
	kw_fmt_unix_path(b, p, len);
}

/* the directory of a filesystem path, escaped */
static void dir_of(struct kw_buf *b, const char *p, uint16_t len)
{
	uint16_t end = 0;

	for (uint16_t i = 0; i < len; i++)
		if (p[i] == '/')
			end = i;
	kw_escape_term(b, end ? p : "/", end ? end : 1);
}

/* "srw------- uid 0 gid 0" */
static void perms(struct kw_buf *b, uint32_t mode, uint32_t uid, uint32_t gid)
{
	char m[KW_MODE_TEXT_LEN];

	kw_fmt_mode(m, mode);
	kw_buf_puts(b, m);
	kw_buf_printf(b, " owned by uid %u gid %u", uid, gid);
}

static void client_suffix(struct kw_buf *t, const struct kw_explanation *ex)
{
	if (!ex->client_known)
		return;
	kw_buf_puts(t, " (client ");
	kw_fmt_task(t, &ex->client_task);
	if (ex->client_place.known && ex->client_place.runtime != KW_RT_HOST) {
		kw_buf_puts(t, " in ");
		kw_place_text(t, &ex->client_place);
	}
	kw_buf_putc(t, ')');
}

static void unix_missing(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_unix_path *p = &ex->path.ev;

	kw_buf_puts(t, "no socket file at ");
	upath(t, ex->unix_path, ex->unix_path_len);
	if (ex->unix_path_len && !ex->unix_path[0])
		kw_buf_puts(t, " (an abstract name: nothing is bound to it in that namespace)");
	else if (ex->path_known && p->dir_err == ENOENT) {
		kw_buf_puts(t, "; its directory ");
		dir_of(t, ex->unix_path, ex->unix_path_len);
		kw_buf_puts(t, " does not exist either");
	}
	if (ex->nr_ulisteners) {
		kw_buf_puts(t, "; listening nearby: ");
		for (uint32_t i = 0; i < ex->nr_ulisteners; i++) {
			const struct kw_unix_listener *u = &ex->ulisteners[i];

			if (i)
				kw_buf_puts(t, ", ");
			upath(t, u->path, u->path_len);
			kw_buf_puts(t, " (");
			if (u->owner_known) {
				kw_fmt_task(t, &u->owner);
				kw_buf_puts(t, ", ");
			}
			kw_buf_puts(t, ex->unix_match[i] == KW_UNIX_SAME_DIR ? "same directory" :
				    "same file name");
			kw_buf_putc(t, ')');
		}
		kw_buf_puts(t, " — wrong path?");
		kw_buf_puts(f, "point the client at ");
		upath(f, ex->ulisteners[0].path, ex->ulisteners[0].path_len);
		kw_buf_puts(f, ", or make the server listen on ");
		upath(f, ex->unix_path, ex->unix_path_len);
	} else {
		kw_buf_puts(t, "; no UNIX listener in that directory or of that file name elsewhere: "
			    "the server is not running, or has not created its socket yet");
		kw_buf_puts(f, "start the server (or wait for it to create its socket), and check "
			    "that client and server name the same path");
	}
	client_suffix(t, ex);
}

static void unix_no_listener(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_unix_listener *u = &ex->ulisteners[0];

	kw_buf_puts(t, "nothing listens on ");
	upath(t, ex->unix_path, ex->unix_path_len);
	kw_buf_puts(t, ": the socket file is stale");
	if (ex->dead_known && u->owner_known) {
		kw_buf_puts(t, "; ");
		kw_fmt_task(t, &u->owner);
		kw_buf_puts(t, " listened there");
		if (ex->dead_oom_event) {
			kw_buf_puts(t, " until it was OOM-killed");
			if (ex->dead_death_known) {
				kw_buf_putc(t, ' ');
				kw_fmt_duration(t, ex->ts_ns - ex->dead_death.ts_ns);
				kw_buf_puts(t, " before this refusal");
			}
		} else if (ex->dead_death_known) {
			kw_buf_puts(t, " until it ");
			kw_exit_status_text(t, ex->dead_death.wait_status, KW_EXIT_SENTENCE);
			kw_buf_putc(t, ' ');
			kw_fmt_duration(t, ex->ts_ns - ex->dead_death.ts_ns);
			kw_buf_puts(t, " before this refusal, leaving the file behind");
		} else {
			kw_buf_puts(t, "; its socket was closed and the file left behind");
		}
	} else if (ex->dead_known) {
		kw_buf_puts(t, "; a socket listened there, and was closed leaving the file behind");
	} else {
		kw_buf_puts(t, "; whoever made it is gone (kwhy did not see it listen)");
	}
	if (ex->dead_death_known || ex->dead_oom_event) {
		kw_buf_puts(f, "restart the server (it re-creates the socket) and find out why ");
		kw_fmt_task(f, &u->owner);
		kw_buf_puts(f, ex->dead_oom_event ? " ran out of memory" : " died (its logs)");
	} else {
		kw_buf_puts(f, "start the server again (it re-creates the socket), or remove the "
			    "stale file if nothing should listen there");
	}
	client_suffix(t, ex);
}

/* why the queue of a full UNIX listener is not known: the re-read at the
 * failure did not happen, or failed (no unix_diag: its module not loaded) */
static void unix_queue_unread(const struct kw_explanation *ex, struct kw_buf *t)
{
	const struct kw_ev_unix_path *p = &ex->path.ev;
	const char *name = kw_errno_name(p->reread_err);

	kw_buf_puts(t, "; how many connections wait to be accepted could not be read (");
	if (!ex->path_known)
		kw_buf_puts(t, "no re-read at the failure");
	else if (p->reread_err == ENOENT)
		kw_buf_puts(t, "no unix_diag: the kernel's unix_diag module is not loaded");
	else if (p->reread_err && name)
		kw_buf_printf(t, "the re-read at the failure failed: %s", name);
	else if (p->reread_err)
		kw_buf_printf(t, "the re-read at the failure failed: errno %u", p->reread_err);
	else
		kw_buf_puts(t, "the listeners were not re-read at the failure");
	kw_buf_putc(t, ')');
}

static void unix_backlog_full(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_unix_listener *u = &ex->ulisteners[0];

	kw_buf_puts(t, "the queue of ");
	upath(t, ex->unix_path, ex->unix_path_len);
	kw_buf_puts(t, " is full");
	if (ex->nr_ulisteners) {
		kw_buf_puts(t, ": ");
		if (u->owner_known) {
			kw_fmt_task(t, &u->owner);
			kw_buf_puts(t, " listens there with ");
		} else {
			kw_buf_puts(t, "its listener has ");
		}
		kw_buf_printf(t, "a backlog of %u", u->backlog);
		if (u->queued_known)
			kw_buf_printf(t, ", and %u connection%s wait%s to be accepted", u->queued,
				      u->queued == 1 ? "" : "s", u->queued == 1 ? "s" : "");
		else
			unix_queue_unread(ex, t);
	}
	kw_buf_puts(t, "; the non-blocking client got EAGAIN");
	kw_buf_puts(f, "the server does not accept fast enough: give it more workers or a larger "
		    "backlog (its listen() and net.core.somaxconn), or let the client wait and retry");
	client_suffix(t, ex);
}

static void unix_permission(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_unix_path *p = &ex->path.ev;

	kw_buf_puts(t, "permission denied on ");
	upath(t, ex->unix_path, ex->unix_path_len);
	if (ex->path_known && !p->stat_err) {
		kw_buf_puts(t, ": the socket file is ");
		perms(t, p->mode, p->uid, p->gid);
		if (!p->dir_err && !(p->dir_mode & 0001)) {
			kw_buf_puts(t, ", in a directory ");
			perms(t, p->dir_mode, p->dir_uid, p->dir_gid);
		}
		if (p->creds_read && ex->client_known && p->client_pid == ex->client_task.tgid)
			kw_buf_printf(t, ", and the client runs as uid %u gid %u%s", p->client_euid,
				      p->client_egid, p->client_in_group ? " (in the file's group)" :
				      "");
		else if (ex->client_known)
			kw_buf_printf(t, ", and the client runs as uid %u", ex->client_task.uid);
		kw_buf_puts(t, "; connecting needs write permission on the file (and search on its "
			    "directories)");
	} else if (ex->path_known && p->dir_err == EACCES) {
		kw_buf_puts(t, ": a directory on the path may not be searched");
	}
	if (ex->sys_err == EPERM)
		kw_buf_puts(t, " [EPERM: a security module may have refused it]");
	kw_buf_puts(f, "let the client's user write to the socket (chmod/chown it, or the "
		    "server's umask or socket-mode setting: gunicorn --umask, systemd SocketMode=), "
		    "or run the client as a user that may");
	client_suffix(t, ex);
}

static void ports_exhausted(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_port_usage *u = &ex->ports.ev;
	unsigned int size = ex->ports_known && u->range_hi ? u->range_hi - u->range_lo + 1 : 0;

	kw_buf_puts(t, "no free local port to connect to ");
	kw_fmt_endpoint(t, &ex->dest);
	if (size) {
		kw_buf_printf(t, ": %u of the %u ephemeral ports (%u-%u, net.ipv4.ip_local_port_range)"
			      " are in use toward it", u->to_dest, size, u->range_lo, u->range_hi);
		if (u->to_dest_time_wait)
			kw_buf_printf(t, ", %u of them in TIME_WAIT", u->to_dest_time_wait);
		if (u->to_dest < size)
			kw_buf_printf(t, "; %u sockets hold ports of the range in all (bound ports and "
				      "ip_local_reserved_ports are not free either)", u->in_range);
	} else {
		kw_buf_puts(t, " (EADDRNOTAVAIL; the namespace's port range could not be read)");
	}
	if (ex->place.known && ex->place.runtime != KW_RT_HOST) {
		kw_buf_puts(t, " in ");
		kw_place_text(t, &ex->place);
	}
	kw_buf_puts(f, "reuse connections (keep-alive, a pool), widen net.ipv4.ip_local_port_range "
		    "in that namespace, or spread over more destination addresses; TIME_WAIT ports "
		    "free up after 60 s");
	client_suffix(t, ex);
}

static void fd_limit(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_fd_usage *u = &ex->fds.ev;
	bool host = ex->sys_err == ENFILE;

	kw_fmt_task(t, &ex->victim);
	if (ex->place.known && ex->place.runtime != KW_RT_HOST) {
		kw_buf_puts(t, " in ");
		kw_place_text(t, &ex->place);
	}
	kw_buf_puts(t, " cannot accept connections: ");
	if (host) {
		kw_buf_puts(t, "the host's open-file table is full (ENFILE)");
		if (ex->fds_known && u->file_nr_read)
			kw_buf_printf(t, ", %llu files open, fs.file-max %llu",
				      (unsigned long long)u->file_nr, (unsigned long long)u->file_max);
	} else {
		kw_buf_puts(t, "it is at its open-file limit (EMFILE)");
		if (ex->fds_known && u->fds_read)
			kw_buf_printf(t, ", %u files open", u->open_fds);
		kw_buf_printf(t, ", RLIMIT_NOFILE %llu (hard %llu)",
			      (unsigned long long)ex->accept.nofile_cur,
			      (unsigned long long)ex->accept.nofile_max);
	}
	if (ex->nr_listeners || ex->nr_ulisteners) {
		kw_buf_puts(t, "; connections to ");
		for (uint32_t i = 0; i < ex->nr_listeners; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			kw_fmt_endpoint(t, &ex->listeners[i].local);
		}
		for (uint32_t i = 0; i < ex->nr_ulisteners; i++) {
			if (i || ex->nr_listeners)
				kw_buf_puts(t, ", ");
			upath(t, ex->ulisteners[i].path, ex->ulisteners[i].path_len);
		}
		kw_buf_puts(t, " wait in its queue until they time out or it is full");
	}
	if (host)
		kw_buf_puts(f, "raise fs.file-max, or find the processes holding most files");
	else
		kw_buf_puts(f, "raise its open-file limit (ulimit -n, LimitNOFILE= in systemd, "
			    "docker --ulimit nofile=) or find what holds so many files (ls /proc/PID/fd): "
			    "a leak?");
}

void kw_render_sys(const struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	switch (ex->cause) {
	case KW_CAUSE_UNIX_MISSING:
		unix_missing(ex, t, f);
		break;
	case KW_CAUSE_UNIX_NO_LISTENER:
		unix_no_listener(ex, t, f);
		break;
	case KW_CAUSE_UNIX_BACKLOG_FULL:
		unix_backlog_full(ex, t, f);
		break;
	case KW_CAUSE_UNIX_PERMISSION:
		unix_permission(ex, t, f);
		break;
	case KW_CAUSE_PORTS_EXHAUSTED:
		ports_exhausted(ex, t, f);
		break;
	case KW_CAUSE_FD_LIMIT:
		fd_limit(ex, t, f);
		break;
	default:
		break;
	}
}
