/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The listening UNIX sockets of one network namespace from sock_diag
 * (UNIX_DIAG with UDIAG_SHOW_NAME and UDIAG_SHOW_RQLEN): the path each is
 * bound to, its backlog and how many connections wait in its queue.  A
 * UNIX socket belongs to the namespace it was made in, though a
 * filesystem path reaches it from any.  Needs CAP_SYS_ADMIN (setns).
 */
#ifndef KWHY_UNIXDIAG_H
#define KWHY_UNIXDIAG_H

#include <stdint.h>
#include "core/event.h"

struct kw_unix_diag {
	uint64_t ino;		/* the socket's inode */
	uint32_t backlog;	/* sk_max_ack_backlog */
	uint32_t queued;	/* connections not accepted yet */
	uint16_t type;		/* SOCK_STREAM, SOCK_SEQPACKET */
	uint16_t path_len;	/* 0: not bound */
	char path[KW_UNIX_PATH_LEN];
};

typedef void (*kw_unix_diag_fn)(void *ctx, const struct kw_unix_diag *u);

/* Every listening UNIX socket of the namespace nsfd refers to, into fn.
 * The number found, or -errno. */
int kw_unixdiag_listeners(int nsfd, kw_unix_diag_fn fn, void *ctx);

#endif
