/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What is read from the host at a failed system call, while it is still
 * so, and handed on as records of its own (see enrich.h):
 *
 *  - a UNIX connect: the listening UNIX sockets of the client's namespace
 *    (sock_diag, KW_UL_REREAD records), then the path as the client sees
 *    it (stat() below /proc/PID/root or /proc/PID/cwd, and its directory)
 *    and the client's credentials (a KW_EV_UNIX_PATH record);
 *  - a connect out of ports: the namespace's ip_local_port_range and the
 *    sockets holding ports of it, read from inside it (KW_EV_PORT_USAGE);
 *  - an accept at the open-file limit: the process's open fds, its limit
 *    and the host's file table (KW_EV_FD_USAGE).
 *
 * Each record is stamped with the failure's time and namespace.
 */
#ifndef KWHY_ATFAIL_H
#define KWHY_ATFAIL_H

#include "core/event.h"

typedef void (*kw_atfail_feed_fn)(void *ctx, const struct kw_event *ev);

/* 0, or -errno when the client's namespace could not be entered (the
 * UNIX_PATH record is fed either way, reread 0 then) */
int kw_atfail_unix(const char *proc_root, const struct kw_ev_unix_conn *c,
		   kw_atfail_feed_fn feed, void *ctx);
void kw_atfail_ports(const char *proc_root, const struct kw_ev_conn *c, kw_atfail_feed_fn feed,
		     void *ctx);
void kw_atfail_fds(const char *proc_root, const struct kw_ev_accept_fail *a,
		   kw_atfail_feed_fn feed, void *ctx);

#endif
