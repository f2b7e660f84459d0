// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Causes of failed system calls (see explain.h): a UNIX connect (the path,
 * what is there, who listened there), a connect out of ephemeral ports, an
 * accept out of file descriptors.  Each decides from the failure's errno
 * and what was read at it (recorded events in the model), then renders.
 */
#include <errno.h>
#include <string.h>
#include "core/explain.h"

#define KW_READ_SKEW_NS 1000000000ULL	/* a read counts for a failure this long */

/* the dedup key of a path: family 1 (AF_UNIX) and an FNV-1a of its bytes */
static void path_dest(struct kw_addr *a, const char *path, uint16_t len)
{
	uint64_t h1 = 14695981039346656037ULL, h2 = 1099511628211ULL * 31;

	for (uint16_t i = 0; i < len && i < KW_UNIX_PATH_LEN; i++) {
		h1 = (h1 ^ (uint8_t)path[i]) * 1099511628211ULL;
		h2 = (h2 ^ (uint8_t)path[i]) * 1099511628211ULL;
	}
	memset(a, 0, sizeof(*a));
	a->family = 1;
	memcpy(a->addr, &h1, 8);
	memcpy(a->addr + 8, &h2, 8);
}

/* where the file name of a filesystem path starts */
static uint16_t base_at(const char *p, uint16_t len)
{
	uint16_t at = 0;

	for (uint16_t i = 0; i < len; i++)
		if (p[i] == '/')
			at = i + 1;
	return at;
}

/* Levenshtein distance of two paths (at most KW_UNIX_PATH_LEN bytes) */
static unsigned int distance(const char *a, uint16_t al, const char *b, uint16_t bl)
{
	unsigned int row[KW_UNIX_PATH_LEN + 1];

	for (uint16_t j = 0; j <= bl; j++)
		row[j] = j;
	for (uint16_t i = 1; i <= al; i++) {
		unsigned int diag = row[0], up;

		row[0] = i;
		for (uint16_t j = 1; j <= bl; j++) {
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[bl];
}

static bool is_fs_path(const char *p, uint16_t len)
{
	return len && p[0];
}

/* unix_missing: listening paths in the same directory, or with the same
 * file name elsewhere, nearest (by edit distance) first */
static void nearest_paths(const struct kw_model *m, struct kw_explanation *ex, uint64_t ts)
{
	const struct kw_unix_listener *best[KW_EX_LISTENERS] = { 0 };
	unsigned int bestd[KW_EX_LISTENERS] = { 0 };
	uint8_t how[KW_EX_LISTENERS] = { 0 };
	uint16_t b0 = base_at(ex->unix_path, ex->unix_path_len);

	if (!is_fs_path(ex->unix_path, ex->unix_path_len))
		return;
	for (uint32_t i = 0; i < m->nr_unix; i++) {
		const struct kw_unix_listener *u = &m->unix_l[i];
		uint16_t b1;
		uint8_t match = 0;
		unsigned int d;

		if (u->gone_ns || u->since_ns > ts || !is_fs_path(u->path, u->path_len) ||
		    kw_unix_path_eq(u->path, u->path_len, ex->unix_path, ex->unix_path_len))
			continue;
		b1 = base_at(u->path, u->path_len);
		if (b0 == b1 && !memcmp(u->path, ex->unix_path, b0))
			match = KW_UNIX_SAME_DIR;
		else if (ex->unix_path_len - b0 == u->path_len - b1 &&
			 !memcmp(u->path + b1, ex->unix_path + b0, u->path_len - b1))
			match = KW_UNIX_SAME_NAME;
		if (!match)
			continue;
		d = distance(u->path, u->path_len, ex->unix_path, ex->unix_path_len);
		for (int k = 0; k < KW_EX_LISTENERS; k++) {
			if (!best[k] || d < bestd[k]) {
				memmove(&best[k + 1], &best[k], (KW_EX_LISTENERS - 1 - k) * sizeof(best[0]));
				memmove(&bestd[k + 1], &bestd[k], (KW_EX_LISTENERS - 1 - k) * sizeof(bestd[0]));
				memmove(&how[k + 1], &how[k], (KW_EX_LISTENERS - 1 - k) * sizeof(how[0]));
				best[k] = u;
				bestd[k] = d;
				how[k] = match;
				break;
			}
		}
	}
	for (int k = 0; k < KW_EX_LISTENERS && best[k]; k++) {
		ex->ulisteners[ex->nr_ulisteners] = *best[k];
		ex->unix_match[ex->nr_ulisteners++] = how[k];
		kw_ex_add_event(ex, best[k]->event_id);
	}
}

/* the listener on the path: the live one the re-read found (backlog
 * full), else the one seen there last (a stale file's dead listener) */
static const struct kw_unix_listener *listener_at(const struct kw_model *m,
						  const struct kw_explanation *ex, bool live)
{
	const struct kw_unix_listener *found = NULL;

	for (uint32_t i = 0; i < m->nr_unix; i++) {
		const struct kw_unix_listener *u = &m->unix_l[i];

		if (!kw_unix_path_eq(u->path, u->path_len, ex->unix_path, ex->unix_path_len) ||
		    u->since_ns > ex->ts_ns || (live && u->gone_ns))
			continue;
		if (!found || u->seen_ns > found->seen_ns)
			found = u;
	}
	return found;
}

/* unix_no_listener: who listened on the path last, and how its owner died */
static void dead_listener(const struct kw_model *m, struct kw_explanation *ex)
{
	const struct kw_unix_listener *u = listener_at(m, ex, false);
	const struct kw_death *d;
	const struct kw_oom_rec *oom;

	if (!u)
		return;
	ex->dead_known = true;
	ex->ulisteners[0] = *u;
	ex->nr_ulisteners = 1;
	kw_ex_add_event(ex, u->event_id);
	if (!u->owner_known)
		return;
	d = kw_model_death_of(m, u->owner.tgid, ex->ts_ns);
	oom = kw_model_oom_of(m, u->owner.tgid, ex->ts_ns);
	if (d && d->ts_ns >= u->since_ns) {
		ex->dead_death_known = true;
		ex->dead_death = *d;
		kw_ex_add_event(ex, d->event_id);
	}
	if (oom && oom->ev.hdr.ts_boot_ns >= u->since_ns) {
		ex->dead_oom_event = oom->event_id;
		kw_ex_add_event(ex, oom->event_id);
	}
}

bool kw_unix_path_benign(const char *path, uint16_t len)
{
	static const char *const probes[] = { "/var/run/nscd/socket", "/run/nscd/socket" };

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (kw_unix_path_eq(path, len, probes[i], (uint16_t)strlen(probes[i])))
			return true;
	return false;
}

bool kw_explain_unix(const struct kw_model *m, struct kw_explanation *ex,
		     const struct kw_ev_unix_conn *c)
{
	const struct kw_unix_path_rec *p;
	const struct kw_unix_listener *u;
	int err = -c->ret;

	if (err == ENOENT && kw_unix_path_benign(c->path, c->path_len))
		return false;
	switch (err) {
	case ENOENT:
		ex->cause = KW_CAUSE_UNIX_MISSING;
		break;
	case ECONNREFUSED:
		ex->cause = KW_CAUSE_UNIX_NO_LISTENER;
		break;
	case EAGAIN:
		ex->cause = KW_CAUSE_UNIX_BACKLOG_FULL;
		break;
	case EACCES:
	case EPERM:
		ex->cause = KW_CAUSE_UNIX_PERMISSION;
		break;
	default:
		return false;
	}
	ex->sys_err = err;
	ex->ts_ns = c->hdr.ts_boot_ns;
	ex->netns = c->hdr.netns_ino;
	ex->netns_cookie = c->hdr.netns_cookie;
	memcpy(ex->unix_path, c->path, sizeof(ex->unix_path));
	ex->unix_path_len = c->path_len;
	path_dest(&ex->dest, c->path, c->path_len);
	if (c->hdr.flags & KW_F_TASK) {
		ex->client_known = true;
		ex->client_task = c->hdr.task;
		kw_place_from_cgroup(m, &ex->client_place, c->hdr.task.cgroup_id, false);
		ex->place = ex->client_place;
	}
	p = kw_model_unix_path(m, c->hdr.task.tgid, c->path, c->path_len, c->hdr.ts_boot_ns);
	if (p) {
		ex->path_known = true;
		ex->path = *p;
		kw_ex_add_event(ex, p->event_id);
	}
	switch (ex->cause) {
	case KW_CAUSE_UNIX_MISSING:
		nearest_paths(m, ex, ex->ts_ns);
		break;
	case KW_CAUSE_UNIX_NO_LISTENER:
		dead_listener(m, ex);
		break;
	case KW_CAUSE_UNIX_BACKLOG_FULL:
		u = listener_at(m, ex, true);
		if (u) {
			ex->ulisteners[0] = *u;
			ex->nr_ulisteners = 1;
			/* the queue at this failure is the re-read's; an older
			 * read (the snapshot's) tells another moment */
			if (!ex->path_known || !ex->path.ev.reread)
				ex->ulisteners[0].queued_known = 0;
			kw_ex_add_event(ex, u->event_id);
		}
		break;
	default:
		break;
	}
	kw_explain_render(ex);
	return true;
}

void kw_explain_no_port(const struct kw_model *m, struct kw_explanation *ex,
			const struct kw_ev_conn *c)
{
	ex->cause = KW_CAUSE_PORTS_EXHAUSTED;
	ex->sys_err = c->error;
	ex->ts_ns = c->hdr.ts_boot_ns;
	ex->netns = c->hdr.netns_ino;
	ex->netns_cookie = c->hdr.netns_cookie;
	ex->dest = c->remote;
	ex->client = c->local;
	if (c->hdr.flags & KW_F_TASK) {
		ex->client_known = true;
		ex->client_task = c->hdr.task;
		kw_place_from_cgroup(m, &ex->client_place, c->hdr.task.cgroup_id, false);
	}
	kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	if (!ex->place.known)
		ex->place = ex->client_place;
	for (uint32_t i = 0; i < m->port_usage.n; i++) {
		const struct kw_port_usage_rec *r = KW_RING_AT(&m->port_usage, i);
		uint64_t t = r->ev.hdr.ts_boot_ns;

		if (r->ev.hdr.netns_ino == ex->netns && t <= ex->ts_ns &&
		    ex->ts_ns - t <= KW_READ_SKEW_NS && r->ev.dest.port == ex->dest.port &&
		    kw_addr_same_ip(&r->ev.dest, &ex->dest)) {
			ex->ports_known = true;
			ex->ports = *r;
			kw_ex_add_event(ex, r->event_id);
			break;
		}
	}
	kw_explain_render(ex);
}

void kw_explain_fd_limit(const struct kw_model *m, struct kw_explanation *ex,
			 const struct kw_ev_accept_fail *a)
{
	uint32_t tgid = a->hdr.task.tgid;

	ex->cause = KW_CAUSE_FD_LIMIT;
	ex->sys_err = -a->ret;
	ex->accept = *a;
	ex->ts_ns = a->hdr.ts_boot_ns;
	ex->netns = a->hdr.netns_ino;
	ex->netns_cookie = a->hdr.netns_cookie;
	/* one explanation per server process */
	memset(&ex->dest, 0, sizeof(ex->dest));
	memcpy(ex->dest.addr, &tgid, sizeof(tgid));
	if (a->hdr.flags & KW_F_TASK) {
		ex->victim = a->hdr.task;
		kw_place_from_cgroup(m, &ex->place, a->hdr.task.cgroup_id, false);
	}
	for (uint32_t i = 0; i < m->fd_usage.n; i++) {
		const struct kw_fd_usage_rec *r = KW_RING_AT(&m->fd_usage, i);
		uint64_t t = r->ev.hdr.ts_boot_ns;

		if (r->ev.pid == tgid && t <= ex->ts_ns && ex->ts_ns - t <= KW_READ_SKEW_NS) {
			ex->fds_known = true;
			ex->fds = *r;
			kw_ex_add_event(ex, r->event_id);
			break;
		}
	}
	/* its listeners: where the connections it cannot take wait */
	for (uint32_t i = 0; i < m->nr_listeners && ex->nr_listeners < KW_EX_LISTENERS; i++)
		if (m->listeners[i].owner_known && m->listeners[i].owner.tgid == tgid)
			ex->listeners[ex->nr_listeners++] = m->listeners[i];
	for (uint32_t i = 0; i < m->nr_unix && ex->nr_ulisteners < KW_EX_LISTENERS; i++)
		if (!m->unix_l[i].gone_ns && m->unix_l[i].owner_known &&
		    m->unix_l[i].owner.tgid == tgid)
			ex->ulisteners[ex->nr_ulisteners++] = m->unix_l[i];
	kw_explain_render(ex);
}
