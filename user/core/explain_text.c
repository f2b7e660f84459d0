// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The sentence and the suggested fix for each cause, from the facts alone.
 * Strings from the host (comm, container names) are escaped here. */
#include <string.h>
#include "util/escape.h"
#include "core/explain.h"
#include "core/exit_status.h"
#include "util/textfmt.h"
#include "core/names.h"

void kw_place_text(struct kw_buf *b, const struct kw_place *p)
{
	if (!p->known) {
		kw_buf_puts(b, "an unknown container");
		return;
	}
	if (p->runtime == KW_RT_HOST) {
		kw_buf_puts(b, "the host");
		return;
	}
	if (p->runtime == KW_RT_SYSTEMD) {
		kw_buf_puts(b, "service ");
		kw_escape_term(b, p->name, sizeof(p->name));
		return;
	}
	kw_buf_puts(b, "container ");
	kw_escape_term(b, p->name, sizeof(p->name));
	if (p->pod[0]) {
		kw_buf_puts(b, " (pod ");
		kw_escape_term(b, p->k8s_namespace, sizeof(p->k8s_namespace));
		kw_buf_putc(b, '/');
		kw_escape_term(b, p->pod, sizeof(p->pod));
		kw_buf_putc(b, ')');
	}
}

void kw_place_in(struct kw_buf *b, const struct kw_place *p)
{
	if (!p->known || p->runtime == KW_RT_HOST)
		return;
	kw_buf_puts(b, " in ");
	kw_place_text(b, p);
}

static void listener_text(struct kw_buf *b, const struct kw_listener *l, bool past)
{
	if (l->owner_known) {
		kw_fmt_task(b, &l->owner);
		kw_buf_puts(b, past ? " listened on " : " listens on ");
	} else {
		kw_buf_puts(b, past ? "a socket listened on " : "a socket listens on ");
	}
	kw_fmt_endpoint(b, &l->local);
}

/* " and exited with code 3 3 ms later", when the closer exited soon after */
static void closer_exit_text(struct kw_buf *t, const struct kw_closed_listener *c)
{
	if (!c->closer_exited)
		return;
	kw_buf_puts(t, " and ");
	kw_exit_status_text(t, c->closer_wait_status, KW_EXIT_SENTENCE);
	kw_buf_putc(t, ' ');
	kw_fmt_duration(t, c->closer_exit_ns - c->closed_ns);
	kw_buf_puts(t, " later");
}

/* The listener's end when its creator closed it or died holding it:
 * "gunicorn pid 41 listened on 0.0.0.0:8000 until it closed it and exited
 * with code 3 3 ms later" */
static void closed_text(struct kw_buf *t, const struct kw_closed_listener *c, bool global)
{
	listener_text(t, &c->l, true);
	kw_buf_puts(t, " until ");
	if (c->oom_event_id) {
		kw_buf_puts(t, global ? "it was OOM-killed when the host ran out of memory" :
			    "it was OOM-killed");
	} else if (c->how == KW_CLOSE_KILLED || c->how == KW_CLOSE_EXIT) {
		kw_buf_puts(t, "it ");
		kw_exit_status_text(t, c->wait_status, KW_EXIT_SENTENCE);
	} else if (c->how == KW_CLOSE_CALL && c->closer.tgid &&
		   (!c->l.owner_known || c->closer.tgid != c->l.owner.tgid)) {
		/* another process had it too (a worker that inherited it), or
		 * the one that opened it is not known */
		kw_fmt_task(t, &c->closer);
		kw_buf_puts(t, c->l.owner_known ? ", which inherited it, closed it" : " closed it");
		closer_exit_text(t, c);
	} else if (c->how == KW_CLOSE_CALL && c->closer_exited) {
		kw_buf_puts(t, "it closed it");
		closer_exit_text(t, c);
	} else if (c->how == KW_CLOSE_CALL) {
		kw_buf_puts(t, "the program closed it");
	} else {
		kw_buf_puts(t, "it was closed");
	}
}

/* who held it when its creator died: "its 2 other holders (gunicorn pid
 * 57, gunicorn pid 58)"; "the processes that inherited the socket" when
 * they were not read */
static void heirs_text(struct kw_buf *t, const struct kw_ev_sock_holders *h)
{
	uint32_t shown = h ? (h->nr < KW_HOLDERS_MAX ? h->nr : KW_HOLDERS_MAX) : 0;

	if (!shown) {
		kw_buf_puts(t, "the processes that inherited the socket");
		return;
	}
	kw_buf_printf(t, "its %u other holder%s (", h->total, h->total == 1 ? "" : "s");
	for (uint32_t i = 0; i < shown; i++) {
		if (i)
			kw_buf_puts(t, ", ");
		kw_fmt_task(t, &h->holders[i]);
	}
	if (h->total > shown)
		kw_buf_printf(t, " and %u more", h->total - shown);
	kw_buf_putc(t, ')');
}

/* The listener outlived its creator in processes that inherited it
 * (prefork workers): "gunicorn pid 41, which opened it (0.0.0.0:8000), was
 * OOM-killed 1.7 s before it was closed; its 2 other holders (gunicorn pid
 * 57, gunicorn pid 58) kept it open until gunicorn pid 57 closed
 * it".  heirs: who held it at the death, NULL when not read. */
static void inherited_text(struct kw_buf *t, const struct kw_closed_listener *c, bool global,
			   const struct kw_ev_sock_holders *heirs)
{
	const struct kw_death *d = &c->creator_death;

	kw_fmt_task(t, &c->l.owner);
	kw_buf_puts(t, ", which opened it (");
	kw_fmt_endpoint(t, &c->l.local);
	kw_buf_puts(t, "), ");
	if (d->oom_event_id)
		kw_buf_puts(t, global ? "was OOM-killed when the host ran out of memory" :
			    "was OOM-killed");
	else
		kw_exit_status_text(t, d->wait_status, KW_EXIT_SENTENCE);
	kw_buf_putc(t, ' ');
	kw_fmt_duration(t, c->closed_ns - d->ts_ns);
	kw_buf_puts(t, " before it was closed; ");
	heirs_text(t, heirs);
	kw_buf_puts(t, " kept it open until ");
	kw_fmt_task(t, &c->closer);
	if (c->how == KW_CLOSE_KILLED || c->how == KW_CLOSE_EXIT) {
		kw_buf_putc(t, ' ');
		kw_exit_status_text(t, c->wait_status, KW_EXIT_SENTENCE);
	} else {
		kw_buf_puts(t, " closed it");
		closer_exit_text(t, c);
	}
}

/* "python3 pid 41 in container web was stopped by its container runtime
 * (runc pid 77): SIGTERM, still running 10.0 s later (the stop's grace
 * period), then SIGKILL" */
static void runtime_stop_text(struct kw_buf *t, struct kw_buf *f, const struct kw_explanation *ex)
{
	kw_fmt_task(t, &ex->victim);
	kw_place_in(t, &ex->place);
	kw_buf_puts(t, " was stopped by its container runtime (");
	kw_fmt_task(t, &ex->kill.sender);
	kw_buf_puts(t, "): ");
	if (ex->kill.sig == 15) {
		kw_buf_puts(t, "SIGTERM, which ended it");
	} else if (ex->term_known) {
		kw_buf_puts(t, "SIGTERM, still running ");
		kw_fmt_duration(t, ex->kill.ts_ns - ex->term.ts_ns);
		kw_buf_puts(t, " later (the stop's grace period), then SIGKILL");
	} else {
		kw_buf_puts(t, "SIGKILL with no SIGTERM before it (docker kill, or a stop with "
			    "no grace period)");
	}
	kw_buf_puts(f, "the container was stopped on purpose (docker stop/kill, a deploy, a "
		    "pod deleted or evicted): see the runtime's events (docker events, kubectl "
		    "describe pod)");
	if (ex->term_known)
		kw_buf_puts(f, "; it ignored SIGTERM: handle it, or the stop waits the whole "
			    "grace period and kills it");
}

/* "; the port is held by gunicorn pid 57 and 1 more (0.0.0.0:8000), which
 * inherited it from gunicorn pid 41, which opened it and exited with code 0
 * 3.1 s before: draining" */
static void holders_text(struct kw_buf *t, const struct kw_explanation *ex)
{
	const struct kw_ev_sock_holders *h = &ex->holders;

	kw_buf_puts(t, "; the port is held by ");
	kw_fmt_task(t, &h->holders[0]);
	if (h->total > 1)
		kw_buf_printf(t, " and %u more", h->total - 1);
	kw_buf_puts(t, " (");
	kw_fmt_endpoint(t, &h->local);
	kw_buf_puts(t, ")");
	if (!ex->opener_gone)
		return;
	kw_buf_puts(t, ", which inherited it from ");
	kw_fmt_task(t, &ex->holder);
	if (ex->opener_death.ts_ns) {
		kw_buf_puts(t, ", which opened it and ");
		kw_exit_status_text(t, ex->opener_death.wait_status, KW_EXIT_SENTENCE);
		kw_buf_putc(t, ' ');
		kw_fmt_duration(t, ex->bind.ts_ns - ex->opener_death.ts_ns);
		kw_buf_puts(t, " before");
	} else {
		kw_buf_puts(t, ", which opened it and no longer holds it");
	}
	kw_buf_puts(t, ": the old server is still draining");
}

/* listener_exited after a restart race: "; before that, gunicorn pid 90
 * failed to bind 0.0.0.0:8000 with EADDRINUSE 4.0 s before this refusal;
 * the port is held by ..." */
static void meanwhile_text(struct kw_buf *t, const struct kw_explanation *ex)
{
	kw_buf_puts(t, "; before that, ");
	kw_fmt_task(t, &ex->bind.task);
	kw_buf_puts(t, " failed to bind ");
	kw_fmt_endpoint(t, &ex->bind.addr);
	kw_buf_printf(t, " with %s ", kw_errno_name(ex->bind.err) ?: "an error");
	kw_fmt_duration(t, ex->ts_ns - ex->bind.ts_ns);
	kw_buf_puts(t, " before this refusal");
	if (ex->holders_known)
		holders_text(t, ex);
}

/* "gunicorn pid 41 exited with code 1 3.2 s before, 180 ms after its own
 * connect to 127.0.0.1:5432 was refused (nothing listens on ...)"; whole:
 * with the process and its death, else only the link */
static void upstream_text(struct kw_buf *t, const struct kw_explanation *ex, bool whole)
{
	const struct kw_refused_conn *r = &ex->upstream;

	if (whole) {
		kw_fmt_task(t, &ex->upstream_victim);
		kw_buf_putc(t, ' ');
		kw_exit_status_text(t, ex->upstream_victim_status, KW_EXIT_SENTENCE);
		kw_buf_putc(t, ' ');
		kw_fmt_duration(t, ex->ts_ns > ex->upstream_victim_ns ? ex->ts_ns - ex->upstream_victim_ns : 0);
		kw_buf_puts(t, " before, ");
	} else {
		kw_fmt_task(t, &ex->upstream_victim);
		kw_buf_puts(t, " had died ");
	}
	kw_fmt_duration(t, ex->upstream_victim_ns - r->ts_ns);
	kw_buf_puts(t, " after its own connect to ");
	kw_fmt_endpoint(t, &r->dest);
	kw_buf_puts(t, " was refused (");
	kw_buf_puts(t, ex->upstream_text);	/* rendered, escaped already */
	kw_buf_putc(t, ')');
}

/* one cycle of a crash loop: "python3 pid 41 exited with code 1" */
static void cycle_text(struct kw_buf *t, const struct kw_closed_listener *c)
{
	if (c->how == KW_CLOSE_EXIT || c->how == KW_CLOSE_KILLED) {
		kw_fmt_task(t, &c->closer);
		kw_buf_putc(t, ' ');
		kw_exit_status_text(t, c->wait_status, KW_EXIT_SENTENCE);
	} else if (c->creator_died) {
		kw_fmt_task(t, &c->creator_death.task);
		kw_buf_putc(t, ' ');
		if (c->creator_death.oom_event_id)
			kw_buf_puts(t, "was OOM-killed");
		else
			kw_exit_status_text(t, c->creator_death.wait_status, KW_EXIT_SENTENCE);
	} else if (c->closer_exited) {
		kw_fmt_task(t, &c->closer);
		kw_buf_puts(t, " closed it and ");
		kw_exit_status_text(t, c->closer_wait_status, KW_EXIT_SENTENCE);
	} else {
		kw_fmt_task(t, &c->closer);
		kw_buf_puts(t, " closed it");
	}
}

static void render_refused(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_listener *l0 = ex->nr_listeners ? &ex->listeners[0] : NULL;

	switch (ex->cause) {
	case KW_CAUSE_WRONG_ADDRESS:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		kw_buf_puts(t, "; ");
		for (uint32_t i = 0; i < ex->nr_listeners; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			listener_text(t, &ex->listeners[i], false);
		}
		kw_buf_puts(t, " only");
		kw_buf_puts(f, "listen on the wildcard address (0.0.0.0 or [::]) or on ");
		kw_fmt_ip(f, &ex->dest);
		kw_buf_puts(f, ", or connect to ");
		kw_fmt_endpoint(f, &l0->local);
		break;
	case KW_CAUSE_WRONG_FAMILY:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_buf_printf(t, " for %s", ex->dest.family == 10 ? "IPv6" : "IPv4");
		kw_place_in(t, &ex->place);
		kw_buf_puts(t, "; ");
		listener_text(t, l0, false);
		if (l0->local.family == 10 && l0->v6only)
			kw_buf_puts(t, ", IPv6 only (IPV6_V6ONLY), and the client used IPv4");
		else
			kw_buf_printf(t, ", %s only, and the client used %s",
				      l0->local.family == 10 ? "IPv6" : "IPv4",
				      ex->dest.family == 10 ? "IPv6" : "IPv4");
		kw_buf_puts(f, "listen dual-stack on [::] with IPV6_V6ONLY off, or connect over ");
		kw_buf_puts(f, l0->local.family == 10 ? "IPv6" : "IPv4");
		break;
	case KW_CAUSE_LISTENER_EXITED:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		kw_buf_puts(t, " any more: ");
		if (ex->closed.creator_died)
			inherited_text(t, &ex->closed, ex->closed_oom_global,
				       ex->heirs_known ? &ex->heirs : NULL);
		else
			closed_text(t, &ex->closed, ex->closed_oom_global);
		kw_buf_puts(t, ", ");
		kw_fmt_duration(t, ex->delay_ns);
		kw_buf_puts(t, " before this refusal");
		if (ex->stop_known) {
			kw_buf_puts(t, "; its container was being stopped: its runtime (");
			kw_fmt_task(t, &ex->stop.sender);
			kw_buf_puts(t, ") sent ");
			kw_fmt_task(t, &ex->stop.target);
			kw_buf_puts(t, " SIGTERM ");
			kw_fmt_duration(t, ex->closed.closed_ns - ex->stop.ts_ns);
			kw_buf_puts(t, " before the close");
		}
		if (ex->bind_meanwhile)
			meanwhile_text(t, ex);
		if (ex->upstream_known) {
			kw_buf_puts(t, "; ");
			upstream_text(t, ex, false);
		}
		if (ex->upstream_known && !ex->closed.oom_event_id) {
			kw_buf_puts(f, "the upstream failed first: make ");
			kw_fmt_endpoint(f, &ex->upstream.dest);
			kw_buf_puts(f, " reachable (see why it refused), then restart the service");
		} else if (ex->stop_known && !ex->bind_meanwhile) {
			kw_buf_puts(f, "the container was stopped on purpose (docker stop, a deploy, a "
				    "pod deleted or evicted): start it again, or find who stopped it in "
				    "the runtime's events (docker events, kubectl describe pod)");
		} else if (ex->bind_meanwhile) {
			kw_buf_puts(f, "a restart raced the old server: let the new one wait for the "
				    "port (retry longer, or SO_REUSEPORT) or the old one finish first, "
				    "then start it again");
		} else if (ex->closed.oom_event_id && ex->closed_oom_global) {
			kw_buf_puts(f, "see the OOM kill of its owner: the host ran out of memory; add "
				    "memory or swap, or limit the biggest consumers, then restart the "
				    "service");
		} else if (ex->closed.oom_event_id) {
			kw_buf_puts(f, "see the OOM kill of its owner: raise that memory limit or cut "
				    "its memory use, then restart the service");
		} else if (ex->closed.closer_exited &&
			   ex->closed.closer_wait_status) {
			kw_buf_puts(f, "find out why ");
			kw_fmt_task(f, &ex->closed.closer);
			kw_buf_putc(f, ' ');
			kw_exit_status_text(f, ex->closed.closer_wait_status, KW_EXIT_SENTENCE);
			kw_buf_puts(f, " (its logs), then restart the service");
		} else {
			kw_buf_puts(f, "restart the service and find out why it stopped (its exit "
				    "status and logs)");
		}
		break;
	case KW_CAUSE_CRASH_LOOP:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		kw_buf_printf(t, ": it is in a crash loop: its listener went away %u times in ",
			      ex->nr_cycles);
		kw_fmt_duration(t, ex->loop_window_ns);
		kw_buf_puts(t, " (");
		for (uint32_t i = 0; i < ex->nr_cycles; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			cycle_text(t, &ex->cycles[i]);
		}
		kw_buf_printf(t, "); nothing listened on :%u for ", ex->dest.port);
		kw_fmt_duration(t, ex->loop_down_ns);
		kw_buf_puts(t, " of that, the last time since ");
		kw_fmt_duration(t, ex->delay_ns);
		kw_buf_puts(t, " before this refusal");
		if (ex->upstream_known) {
			kw_buf_puts(t, "; ");
			upstream_text(t, ex, false);
		}
		kw_buf_puts(f, "find out why it keeps exiting (its logs from the first exit on, "
			    "e.g. docker logs); restarting it again will not fix it");
		break;
	case KW_CAUSE_BIND_FAILED:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		kw_buf_puts(t, ": ");
		kw_fmt_task(t, &ex->bind.task);
		kw_buf_puts(t, " failed to bind ");
		kw_fmt_endpoint(t, &ex->bind.addr);
		kw_buf_printf(t, " with %s ", kw_errno_name(ex->bind.err) ?: "an error");
		kw_fmt_duration(t, ex->delay_ns);
		kw_buf_puts(t, " before");
		if (ex->holders_known)
			holders_text(t, ex);
		else if (ex->holder_known) {
			kw_buf_puts(t, "; the port is held by ");
			kw_fmt_task(t, &ex->holder);
			kw_buf_puts(t, " (");
			kw_fmt_endpoint(t, &ex->holder_addr);
			kw_buf_puts(t, ")");
		}
		if (ex->bind.err == 98)
			kw_buf_puts(f, ex->opener_gone ? "wait for the old server's processes to "
				    "finish (or stop them), or retry the new server's bind for longer" :
				    ex->holder_known || ex->holders_known ?
				    "stop the process holding the port, or configure another port" :
				    "free the port or configure another one");
		else if (ex->bind.err == 13)
			kw_buf_puts(f, "ports below 1024 need CAP_NET_BIND_SERVICE; use a higher port "
				    "or grant the capability");
		else if (ex->bind.err == 99)
			kw_buf_puts(f, "the address is not configured in that namespace: bind to "
				    "0.0.0.0/[::] or to an address the host has");
		else
			kw_buf_puts(f, "fix the bind error of the service and restart it");
		break;
	case KW_CAUSE_WRONG_PORT:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		kw_buf_puts(t, "; nearest listener");
		kw_buf_puts(t, ex->nr_listeners > 1 ? "s: " : ": ");
		for (uint32_t i = 0; i < ex->nr_listeners; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			kw_buf_printf(t, ":%u", ex->listeners[i].local.port);
			if (ex->listeners[i].owner_known) {
				kw_buf_puts(t, " (");
				kw_fmt_task(t, &ex->listeners[i].owner);
				kw_buf_puts(t, ")");
			}
		}
		kw_buf_printf(t, " — wrong port?");
		kw_buf_printf(f, "connect to port %u, or start the service meant for port %u",
			      l0->local.port, ex->dest.port);
		break;
	case KW_CAUSE_WRONG_NETNS:
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_buf_puts(t, " in this network namespace");
		if (ex->place.known) {
			kw_buf_puts(t, " (");
			kw_place_text(t, &ex->place);
			kw_buf_puts(t, ")");
		}
		kw_buf_puts(t, "; ");
		listener_text(t, l0, false);
		kw_buf_puts(t, " in another one");
		if (ex->other_place.known) {
			kw_buf_puts(t, " (");
			kw_place_text(t, &ex->other_place);
			kw_buf_puts(t, ")");
		}
		kw_buf_puts(f, "connect to that namespace's address, or publish the port into "
			    "this one");
		break;
	default:		/* no_listener */
		kw_buf_puts(t, "nothing listens on ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_place_in(t, &ex->place);
		if (ex->upstream_known) {
			/* a process of the same place that failed: told as what it
			 * is, a neighbour that gave up, likely the server */
			kw_buf_puts(t, "; in that namespace, ");
			upstream_text(t, ex, true);
			kw_buf_puts(f, "the upstream failed first: ");
			kw_buf_puts(f, "make ");
			kw_fmt_endpoint(f, &ex->upstream.dest);
			kw_buf_puts(f, " reachable (see why it refused), then start the service");
			break;
		}
		if (ex->ghosts) {
			/* never contradict the kernel: it refused */
			kw_buf_puts(t, "; a listener there was still believed open, but the kernel "
				    "refused the connection: its close was among lost events, and it "
				    "is gone");
			kw_buf_puts(f, "start the service again if it should be running; kwhy lost "
				    "events (see its stats): give it larger rings (--ring-kb)");
			break;
		}
		kw_buf_printf(t, "; checked %u known listener%s in that network namespace%s, "
			      "recent exits, closes and bind failures: none explains it",
			      ex->listeners_checked, ex->listeners_checked == 1 ? "" : "s",
			      ex->snapshot_taken ? " (including those found at start)" : "");
		kw_buf_puts(f, "start the service, or check the address and port the client uses");
		break;
	}
}

/* Resets of existing connections, in words. */
static const char *reset_words(const char *reason)
{
	static const struct { const char *name, *words; } map[] = {
		{ "NOT_SPECIFIED", "no reason given by the kernel" },
		{ "NO_SOCKET", "no socket matched the segment" },
		{ "TCP_INVALID_ACK_SEQUENCE", "an ACK for data never sent" },
		{ "TCP_RFC7323_PAWS", "a segment failed the timestamp check (PAWS)" },
		{ "TCP_TOO_OLD_ACK", "an ACK older than anything in flight" },
		{ "TCP_ACK_UNSENT_DATA", "an ACK for data not yet sent" },
		{ "TCP_FLAGS", "invalid TCP flags" },
		{ "TCP_OLD_ACK", "a stale ACK" },
		{ "TCP_ABORT_ON_DATA", "data arrived after the application closed the socket" },
		{ "TCP_TIMEWAIT_SOCKET", "a segment hit a connection in TIME_WAIT" },
		{ "INVALID_SYN", "an invalid SYN" },
		{ "TCP_ABORT_ON_CLOSE", "the application closed the socket with unread data" },
		{ "TCP_ABORT_ON_LINGER", "the application closed with SO_LINGER set to 0" },
		{ "TCP_ABORT_ON_MEMORY", "the kernel ran out of TCP memory for orphaned sockets" },
		{ "TCP_STATE", "the application aborted the connection (shutdown/disconnect)" },
		{ "TCP_KEEPALIVE_TIMEOUT", "keepalive probes went unanswered" },
		{ "TCP_DISCONNECT_WITH_DATA", "disconnect with unsent data" },
	};

	for (size_t i = 0; reason && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, reason))
			return map[i].words;
	return NULL;
}

static void render_reset(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const char *words = reset_words(ex->reason_name[0] ? ex->reason_name : NULL);

	if (ex->cause == KW_CAUSE_PEER_RESET) {
		kw_buf_puts(t, "the peer ");
		kw_fmt_endpoint(t, &ex->dest);
		kw_buf_puts(t, " reset the connection from ");
		kw_fmt_endpoint(t, &ex->client);
		if (ex->client_known) {
			kw_buf_puts(t, " (");
			kw_fmt_task(t, &ex->client_task);
			kw_buf_puts(t, ")");
		}
		kw_buf_printf(t, " in %s", kw_tcp_state_name(ex->tcp_state) ?: "?");
		kw_buf_puts(f, "look at the peer: it crashed, closed with unread data, or an "
			    "idle timeout or middlebox dropped the connection");
		return;
	}
	kw_buf_puts(t, "this host reset the connection ");
	kw_fmt_endpoint(t, &ex->client);
	kw_buf_puts(t, " <-> ");
	kw_fmt_endpoint(t, &ex->dest);
	if (ex->client_known) {
		kw_buf_puts(t, " of ");
		kw_fmt_task(t, &ex->client_task);
	}
	kw_buf_puts(t, ": ");
	if (words)
		kw_buf_puts(t, words);
	else if (ex->reason_name[0])
		kw_buf_printf(t, "reason %s", ex->reason_name);
	else
		kw_buf_puts(t, "the kernel gives no reason on this version");
	kw_buf_puts(f, "check how the application closes connections (unread data, "
		    "SO_LINGER) and the host's TCP memory");
}

/* "5.8 GiB total, 42.0 MiB available when the kill was seen, no swap": read
 * after the kill, when the victim's memory may be free again */
static void host_mem_text(struct kw_buf *t, const struct kw_ev_host_mem *h)
{
	kw_fmt_bytes(t, h->mem_total_kb * 1024);
	kw_buf_puts(t, " total, ");
	kw_fmt_bytes(t, h->mem_available_kb * 1024);
	kw_buf_puts(t, " available when the kill was seen, ");
	if (!h->swap_total_kb) {
		kw_buf_puts(t, "no swap");
		return;
	}
	kw_buf_puts(t, "swap ");
	kw_fmt_bytes(t, h->swap_free_kb * 1024);
	kw_buf_puts(t, " free of ");
	kw_fmt_bytes(t, h->swap_total_kb * 1024);
}

/* A top-level cgroup by what it is: a container by its name, anything
 * else (a slice, a plain directory) by its path, unknown ones by id. */
static void cgroup_text(struct kw_buf *t, const struct kw_place *p, uint64_t id)
{
	if (p->known && p->runtime != KW_RT_HOST && p->runtime != KW_RT_SYSTEMD)
		kw_place_text(t, p);
	else if (p->known && p->path[0])
		kw_escape_term(t, p->path, sizeof(p->path));
	else
		kw_buf_printf(t, "cgroup %llu", (unsigned long long)id);
}

static void biggest_cgroups_text(struct kw_buf *t, const struct kw_explanation *ex)
{
	const struct kw_ev_host_mem *h = &ex->host_mem;

	kw_buf_puts(t, "; biggest cgroups: ");
	for (uint32_t i = 0; i < h->nr_cgroups && i < KW_EX_CGROUPS; i++) {
		if (i)
			kw_buf_puts(t, ", ");
		cgroup_text(t, &ex->cgroup_places[i], h->cgroups[i].cgroup_id);
		kw_buf_putc(t, ' ');
		kw_fmt_bytes(t, h->cgroups[i].usage_bytes);
	}
}

static void render_oom(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_oom *o = &ex->oom;
	uint64_t rss_kb = o->anon_rss_kb + o->file_rss_kb + o->shmem_rss_kb;

	kw_fmt_task(t, &ex->victim);
	kw_buf_puts(t, " (RSS ");
	kw_fmt_bytes(t, rss_kb * 1024);
	kw_buf_puts(t, ")");
	kw_place_in(t, &ex->place);
	if (ex->cause == KW_CAUSE_MEMCG_LIMIT) {
		const struct kw_oom_level *lv = &o->levels[o->limit_level];

		kw_buf_puts(t, " was OOM-killed: memory cgroup ");
		if (ex->limit_place.known && ex->limit_place.path[0])
			kw_escape_term(t, ex->limit_place.path, sizeof(ex->limit_place.path));
		else
			kw_buf_printf(t, "%llu", (unsigned long long)lv->cgroup_id);
		if (o->limit_level)
			kw_buf_printf(t, " (%u level%s above the victim's own)", o->limit_level,
				      o->limit_level == 1 ? "" : "s");
		kw_buf_puts(t, " reached its limit, ");
		kw_fmt_bytes(t, lv->usage_bytes);
		kw_buf_puts(t, " used of ");
		kw_fmt_bytes(t, lv->limit_bytes);
		kw_buf_puts(f, "raise the memory limit of that cgroup or reduce the memory its "
			    "processes use");
	} else if (ex->host_mem_known && ex->host_mem.has_meminfo) {
		kw_buf_puts(t, " was OOM-killed: the host ran out of memory (");
		host_mem_text(t, &ex->host_mem);
		kw_buf_puts(t, ")");
		kw_buf_puts(f, "add memory or swap, or set memory limits on the biggest consumers");
	} else {
		kw_buf_puts(t, " was OOM-killed: the host ran out of memory (no memory cgroup on its "
			    "path was at its limit)");
		if (o->nr_levels) {
			kw_buf_puts(t, ", total in use ");
			kw_fmt_bytes(t, o->levels[o->nr_levels - 1].usage_bytes);
		}
		kw_buf_puts(f, "add memory or swap, or set memory limits on the biggest consumers");
	}
	if (ex->cause == KW_CAUSE_GLOBAL_OOM && ex->host_mem_known && ex->host_mem.nr_cgroups)
		biggest_cgroups_text(t, ex);
	if (ex->procs_known && ex->procs.nr && ex->procs.procs[0].rss_kb) {
		kw_buf_puts(t, ex->cause == KW_CAUSE_GLOBAL_OOM ? "; biggest processes: " :
			    "; biggest there: ");
		/* 0 kB: the victim itself, already gone when they were read */
		for (uint32_t i = 0; i < ex->procs.nr && i < 3 && ex->procs.procs[i].rss_kb; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			kw_escape_term(t, ex->procs.procs[i].comm, KW_COMM_LEN);
			kw_buf_printf(t, " pid %u ", ex->procs.procs[i].pid);
			kw_fmt_bytes(t, ex->procs.procs[i].rss_kb * 1024);
		}
	}
	if (ex->ooms_in_window > 1)
		kw_buf_printf(t, "; OOM kill %u there in the window", ex->ooms_in_window);
}

void kw_explain_render(struct kw_explanation *ex)
{
	struct kw_buf t = KW_BUF_INIT(ex->text), f = KW_BUF_INIT(ex->fix);

	kw_buf_reset(&t);
	kw_buf_reset(&f);
	switch (ex->cause) {
	case KW_CAUSE_REMOTE:
		kw_buf_puts(&t, "the reset came from another host: ");
		kw_fmt_endpoint(&t, &ex->dest);
		kw_buf_puts(&t, " refused the connection");
		if (ex->client_known) {
			kw_buf_puts(&t, " from ");
			kw_fmt_task(&t, &ex->client_task);
		}
		kw_buf_puts(&t, "; nothing on this host explains it");
		kw_buf_puts(&f, "check the service on that host, or a firewall rejecting with RST");
		break;
	case KW_CAUSE_RESET_SENT:
	case KW_CAUSE_PEER_RESET:
		render_reset(ex, &t, &f);
		break;
	case KW_CAUSE_MEMCG_LIMIT:
	case KW_CAUSE_GLOBAL_OOM:
		render_oom(ex, &t, &f);
		break;
	case KW_CAUSE_USERSPACE_KILLER:
		kw_fmt_task(&t, &ex->victim);
		kw_place_in(&t, &ex->place);
		kw_buf_puts(&t, " was killed with SIGKILL by ");
		kw_fmt_task(&t, &ex->kill.sender);
		kw_place_in(&t, &ex->other_place);
		kw_buf_puts(&t, ", not by the kernel's OOM killer");
		kw_buf_puts(&f, "find out why that process killed it (systemd-oomd, earlyoom or "
			    "kubelet policy, a deploy script): see its logs");
		break;
	case KW_CAUSE_RUNTIME_STOP:
		runtime_stop_text(&t, &f, ex);
		break;
	case KW_CAUSE_UNIX_MISSING:
	case KW_CAUSE_UNIX_NO_LISTENER:
	case KW_CAUSE_UNIX_BACKLOG_FULL:
	case KW_CAUSE_UNIX_PERMISSION:
	case KW_CAUSE_PORTS_EXHAUSTED:
	case KW_CAUSE_FD_LIMIT:
		kw_render_sys(ex, &t, &f);
		break;
	case KW_CAUSE_ACCEPT_QUEUE_FULL:
	case KW_CAUSE_CONNECT_TIMEOUT:
	case KW_CAUSE_FIREWALL_REJECT:
	case KW_CAUSE_FIREWALL_DROP:
	case KW_CAUSE_KEEPALIVE_RACE:
		kw_explain_render_net(ex, &t, &f);
		break;
	default:
		render_refused(ex, &t, &f);
		if (ex->resynced)
			kw_buf_printf(&t, " [the listeners were re-read from the kernel after "
				      "%llu lost events]", (unsigned long long)ex->resync_lost);
		if (ex->client_known) {
			/* who was refused, as a prefix would be too long: a suffix */
			kw_buf_puts(&t, " (client ");
			kw_fmt_task(&t, &ex->client_task);
			/* its own container, when that is another one */
			if (ex->client_place.known && ex->client_place.runtime != KW_RT_HOST &&
			    strcmp(ex->client_place.id, ex->place.id))
				kw_place_in(&t, &ex->client_place);
			kw_buf_puts(&t, ")");
		}
		break;
	}
}
