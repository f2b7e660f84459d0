/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A decoded event: one record of the ABI in include/kwhy/events.h, copied
 * out of the ring buffer and validated.  Everything after the ring buffer
 * works on these. */
#ifndef KWHY_EVENT_H
#define KWHY_EVENT_H

#include <linux/types.h>
#include <stddef.h>
#include "kwhy/events.h"

struct kw_event {
	union {
		struct kw_hdr hdr;
		struct kw_ev_oom oom;
		struct kw_ev_exit exit;
		struct kw_ev_signal signal;
		struct kw_ev_listen listen;
		struct kw_ev_conn conn;
		struct kw_ev_bind bind;
		struct kw_ev_repeat repeat;
		struct kw_ev_cgroup cgroup;
		struct kw_ev_memcg_procs memcg_procs;
		struct kw_ev_sock_holders sock_holders;
		struct kw_ev_host_mem host_mem;
		struct kw_ev_resync resync;
		struct kw_ev_unix_conn unix_conn;
		struct kw_ev_unix_listen unix_listen;
		struct kw_ev_unix_path unix_path;
		struct kw_ev_port_usage port_usage;
		struct kw_ev_accept_fail accept_fail;
		struct kw_ev_fd_usage fd_usage;
		struct kw_ev_accept_queue accept_queue;
		struct kw_ev_connect_timeout connect_timeout;
		struct kw_ev_syn_filtered syn_filtered;
		struct kw_ev_idle_reset idle_reset;
		struct kw_ev_listen_queue listen_queue;
	};
};

/* Size of the record for an event type, 0 for an unknown type. */
size_t kw_event_size(unsigned int type);

/*
 * Validate a raw record of len bytes and copy it into ev.  Returns 0, or
 * -1 with a reason in err (type unknown, size mismatch, ...).  Strings are
 * NUL-terminated in the copy whatever the record held, counts bounded by
 * their arrays, system call returns by -4095 (-errno).
 */
int kw_decode(const void *data, size_t len, struct kw_event *ev, char *err, size_t errlen);

#endif
