// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The target's one --container rule, its filters and the offline scan
 * (see target.h).  Pure: the host side is host/target.c.
 */
#include <stdio.h>
#include <string.h>
#include "core/target.h"

/* ---- the --container rule ---- */

enum kw_want_kind kw_target_want_kind(const char *want)
{
	size_t n = strspn(want, "0123456789");

	if (want[0] == '/')
		return KW_WANT_PATH;
	return n && !want[n] ? KW_WANT_PID : KW_WANT_NAME;
}

bool kw_target_names_match(const char *want, enum kw_runtime rt, const char *id,
			   const char *name, const char *pod)
{
	size_t n = strlen(want);

	if (!n || rt == KW_RT_HOST)
		return false;
	return !strcmp(name, want) || !strcmp(id, want) || (pod[0] && !strcmp(pod, want)) ||
	       (n >= 4 && rt != KW_RT_SYSTEMD && !strncmp(id, want, n));
}

bool kw_target_path_match(const char *want, const char *path)
{
	size_t n = strlen(want);

	while (n > 0 && want[n - 1] == '/')	/* "/a/" is "/a", "/" everything */
		n--;
	return !strncmp(path, want, n) && (path[n] == '\0' || path[n] == '/');
}

int kw_target_mount_rel(const char *want, const char *const *mounts, size_t n_mounts,
			char *out, size_t len)
{
	size_t best = 0;
	bool found = false;

	for (size_t i = 0; i < n_mounts; i++) {
		size_t n = mounts[i] ? strlen(mounts[i]) : 0;

		while (n > 0 && mounts[i][n - 1] == '/')
			n--;
		/* "/" mounted is no hint that a path is a cgroupfs one */
		if (!n || (found && n <= best) || strncmp(want, mounts[i], n) ||
		    (want[n] != '\0' && want[n] != '/'))
			continue;
		best = n;
		found = true;
	}
	if (!found)
		return 0;
	if ((size_t)snprintf(out, len, "%s", want[best] ? want + best : "/") >= len)
		return -1;
	return 1;
}

bool kw_target_follows(const char *want)
{
	return want && want[0] && kw_target_want_kind(want) != KW_WANT_PID;
}

bool kw_target_record_matches(const char *want, const struct kw_ev_cgroup *c)
{
	if (!c->resolved)
		return false;
	switch (kw_target_want_kind(want)) {
	case KW_WANT_PATH:
		return kw_target_path_match(want, c->path);
	case KW_WANT_NAME:
		return kw_target_names_match(want, c->runtime, c->container_id, c->name, c->pod);
	default:
		return false;
	}
}

bool kw_target_same_container(const struct kw_ev_cgroup *own, const struct kw_ev_cgroup *c)
{
	if (!c->resolved || c->v1_memory != own->v1_memory)
		return false;
	if (own->runtime != KW_RT_HOST)
		return c->runtime == own->runtime && !strcmp(c->container_id, own->container_id);
	return kw_target_path_match(own->path, c->path);
}

/* ---- building a target ---- */

static bool has64(const uint64_t *v, uint32_t n, uint64_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool has32(const uint32_t *v, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

void kw_target_add_cgroup(struct kw_target *t, uint64_t id, bool v1_memory)
{
	uint64_t *ids = v1_memory ? t->memcg : t->cg2;
	uint32_t *n = v1_memory ? &t->n_memcg : &t->n_cg2;

	if (!has64(ids, *n, id) && *n < KW_TARGET_MAX_CG)
		ids[(*n)++] = id;
}

bool kw_target_has_cgroup(const struct kw_target *t, uint64_t id, bool v1_memory)
{
	return v1_memory ? has64(t->memcg, t->n_memcg, id) : has64(t->cg2, t->n_cg2, id);
}

bool kw_target_has_netns(const struct kw_target *t, uint32_t ino, uint64_t cookie)
{
	for (uint32_t i = 0; ino && i < t->n_netns; i++) {
		if (cookie && t->netns_cookie[i]) {
			if (t->netns_cookie[i] == cookie)
				return true;
		} else if (t->netns[i] == ino) {
			return true;
		}
	}
	return false;
}

void kw_target_add_netns(struct kw_target *t, uint32_t ino, uint64_t cookie)
{
	for (uint32_t i = 0; i < t->n_netns; i++) {
		if (t->netns[i] != ino || (cookie && t->netns_cookie[i] && t->netns_cookie[i] != cookie))
			continue;
		if (!t->netns_cookie[i])	/* the same namespace, its cookie learned */
			t->netns_cookie[i] = cookie;
		return;
	}
	if (ino && t->n_netns < KW_TARGET_MAX_NETNS) {
		t->netns[t->n_netns] = ino;
		t->netns_cookie[t->n_netns++] = cookie;
	}
}

/* ---- the filters ---- */

bool kw_target_has_task(const struct kw_target *t, const struct kw_task *k)
{
	return has32(t->tgids, t->n_tgids, k->tgid) || has64(t->cg2, t->n_cg2, k->cgroup_id) ||
	       (k->memcg_hier && has64(t->memcg, t->n_memcg, k->memcg_id));
}

static bool port_wanted(uint16_t port, uint16_t a, uint16_t b)
{
	return !port || a == port || b == port;
}

bool kw_target_wants_any(const struct kw_target *t, uint16_t port, const struct kw_event *ev)
{
	const struct kw_hdr *h = &ev->hdr;
	bool in;

	switch (h->type) {
	case KW_EV_CGROUP:
	case KW_EV_MEMCG_PROCS:
	case KW_EV_HOST_MEM:
		return true;
	case KW_EV_REPEAT:
		return port_wanted(port, ev->repeat.key.dest.port, 0) &&
		       (!t->on || kw_target_has_netns(t, ev->repeat.key.netns_ino, h->netns_cookie) ||
			has32(t->tgids, t->n_tgids, ev->repeat.key.tgid));
	case KW_EV_CONNECT_FAIL:
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:
		if (!port_wanted(port, ev->conn.local.port, ev->conn.remote.port))
			return false;
		break;
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE:
		if (!port_wanted(port, ev->listen.local.port, 0))
			return false;
		break;
	case KW_EV_BIND:
		if (!port_wanted(port, ev->bind.addr.port, ev->bind.bound_port))
			return false;
		break;
	case KW_EV_CONNECT_NOADDR:
		if (!port_wanted(port, ev->conn.remote.port, 0))
			return false;
		break;
	case KW_EV_PORT_USAGE:
		if (!port_wanted(port, ev->port_usage.dest.port, 0))
			return false;
		break;
	case KW_EV_UNIX_CONNECT_FAIL:	/* no port: not shown under --port */
	case KW_EV_UNIX_LISTEN:
	case KW_EV_UNIX_PATH:
	case KW_EV_ACCEPT_FAIL:
	case KW_EV_FD_USAGE:
		if (port)
			return false;
		break;
	default:
		break;
	}
	if (!t->on)
		return true;
	in = ((h->flags & KW_F_NETNS) && kw_target_has_netns(t, h->netns_ino, h->netns_cookie)) ||
	     ((h->flags & KW_F_TASK) && kw_target_has_task(t, &h->task));
	if (h->type == KW_EV_OOM_KILL)
		in = kw_target_has_task(t, &ev->oom.victim);
	else if (h->type == KW_EV_SIGNAL)
		in = in || kw_target_has_task(t, &ev->signal.target);
	else if (h->type == KW_EV_LISTEN_CLOSE)
		in = in || kw_target_has_task(t, &ev->listen.closer);
	return in;
}

bool kw_target_wants(const struct kw_target *t, uint16_t port, const struct kw_event *ev)
{
	const struct kw_hdr *h = &ev->hdr;

	if (port && h->type == KW_EV_LISTEN && ev->listen.local.port != port)
		return false;
	if (port && h->type == KW_EV_UNIX_LISTEN)
		return false;
	if (!t->on)
		return true;
	if ((h->flags & KW_F_NETNS) && kw_target_has_netns(t, h->netns_ino, h->netns_cookie))
		return true;
	if (!(h->flags & KW_F_TASK))
		return false;
	return has32(t->tgids, t->n_tgids, h->task.tgid) ||
	       has64(t->cg2, t->n_cg2, h->task.cgroup_id) ||
	       (h->task.memcg_hier && has64(t->memcg, t->n_memcg, h->task.memcg_id));
}

/* ---- the target from a trace ---- */

enum { PASS_PID_TASKS, PASS_PID_RECORDS };	/* the extra passes for a pid */

void kw_target_scan_init(struct kw_target_scan *sc, struct kw_target *t, const char *want,
			 uint32_t pid)
{
	memset(sc, 0, sizeof(*sc));
	memset(t, 0, sizeof(*t));
	sc->want = want;
	/* twice: ids first, then the namespaces their processes are in */
	sc->passes = 2;
	if (!want && !pid)
		return;
	t->on = true;
	if (pid) {
		t->tgids[t->n_tgids++] = pid;
		snprintf(t->desc, sizeof(t->desc), "process %u", pid);
	}
	if (!want)
		return;
	sc->kind = kw_target_want_kind(want);
	if (sc->kind == KW_WANT_PID) {
		uint64_t v = 0;

		/* too big for a pid: no process has it, nothing is found */
		for (const char *p = want; *p && v <= UINT32_MAX; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		sc->want_pid = v <= UINT32_MAX ? (uint32_t)v : 0;
		sc->passes += 2;
	}
}

/* the pid's own cgroup ids, from any task record of it */
static void scan_pid_task(struct kw_target_scan *sc, const struct kw_task *k)
{
	if (k->tgid != sc->want_pid)
		return;
	if (!sc->pid_cg[0] && k->cgroup_id)
		sc->pid_cg[0] = k->cgroup_id;
	if (!sc->pid_cg[1] && k->memcg_hier && k->memcg_id)
		sc->pid_cg[1] = k->memcg_id;
}

/* the records of the pid's own cgroups */
static void scan_own_record(struct kw_target_scan *sc, const struct kw_ev_cgroup *c)
{
	bool v1 = c->v1_memory;

	if (c->resolved && !sc->have_own[v1] && sc->pid_cg[v1] && c->cgroup_id == sc->pid_cg[v1]) {
		sc->own[v1] = *c;
		sc->have_own[v1] = true;
	}
}

static bool scan_wants_record(const struct kw_target_scan *sc, const struct kw_ev_cgroup *c)
{
	if (sc->kind != KW_WANT_PID)
		return kw_target_record_matches(sc->want, c);
	bool v1 = c->v1_memory;

	return sc->have_own[v1] && kw_target_same_container(&sc->own[v1], c);
}

static void scan_record(struct kw_target_scan *sc, struct kw_target *t,
			const struct kw_ev_cgroup *c)
{
	if (!scan_wants_record(sc, c))
		return;
	kw_target_add_cgroup(t, c->cgroup_id, c->v1_memory);
	if (t->desc[0])
		return;
	if (sc->kind == KW_WANT_PID)
		c = &sc->own[!!c->v1_memory];	/* what the pid is in, not what is below */
	if (sc->kind == KW_WANT_PID && c->runtime == KW_RT_HOST)
		snprintf(t->desc, sizeof(t->desc), "the cgroup of pid %u (%s)", sc->want_pid,
			 c->path);
	else
		snprintf(t->desc, sizeof(t->desc), "container %s (%.12s)", c->name,
			 c->container_id);
}

void kw_target_scan_event(struct kw_target_scan *sc, struct kw_target *t,
			  const struct kw_event *ev)
{
	int extra = sc->want && sc->kind == KW_WANT_PID ? 2 : 0;
	const struct kw_ev_cgroup *c = &ev->cgroup;

	if (sc->pass < extra) {
		if (sc->pass == PASS_PID_TASKS && (ev->hdr.flags & KW_F_TASK))
			scan_pid_task(sc, &ev->hdr.task);
		else if (sc->pass == PASS_PID_RECORDS && ev->hdr.type == KW_EV_CGROUP)
			scan_own_record(sc, c);
		return;
	}
	if (ev->hdr.type == KW_EV_CGROUP && sc->want)
		scan_record(sc, t, c);
	/* a namespace belongs to the target once one of its processes is
	 * seen in it: then resets there without a process are its too */
	if ((ev->hdr.flags & KW_F_TASK) && kw_target_has_task(t, &ev->hdr.task))
		kw_target_add_netns(t, ev->hdr.task.netns_ino,
				    (ev->hdr.flags & KW_F_NETNS) &&
				    ev->hdr.netns_ino == ev->hdr.task.netns_ino ?
				    ev->hdr.netns_cookie : 0);
}

bool kw_target_scan_next(struct kw_target_scan *sc)
{
	return ++sc->pass < sc->passes;
}

bool kw_target_scan_found(const struct kw_target_scan *sc, const struct kw_target *t)
{
	return !sc->want || t->n_cg2 || t->n_memcg;
}
