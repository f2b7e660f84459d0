/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TCP listeners of one network namespace from sock_diag netlink: what
 * /proc/net/tcp does not print (IPV6_V6ONLY, the backlog) and the
 * namespace's cookie.  The netlink socket is created inside the namespace
 * by a short-lived helper thread that setns()'s into it, so kwhy's own
 * threads never change namespace.  Needs CAP_SYS_ADMIN; or, once kwhy has
 * given that up (kernel/sandbox.h), the broker: a small process of its own,
 * started before, that keeps CAP_SYS_ADMIN and nothing else and only ever
 * makes such sockets (a namespace's fd in, a netlink socket out).
 */
#ifndef KWHY_SOCKDIAG_H
#define KWHY_SOCKDIAG_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"

#define KW_DIAG_MAX_RECV 65536	/* recv() calls per dump */
#define KW_DIAG_TIMEOUT_S 2	/* per recv() */

struct kw_diag_listener {
	uint64_t ino;		/* socket inode */
	struct kw_addr local;	/* addr in network order, port host order */
	uint32_t backlog;	/* sk_max_ack_backlog, when backlog_known */
	uint32_t queued;	/* sk_ack_backlog: connections waiting for accept() */
	bool backlog_known;	/* false from /proc/net/tcp, which does not print it */
	bool v6only;
};

typedef void (*kw_diag_fn)(void *ctx, const struct kw_diag_listener *l);

/*
 * Dump the IPv4 and IPv6 listeners of the namespace nsfd refers to into
 * fn.  *cookie is the namespace's SO_NETNS_COOKIE (0 before 5.14, or when
 * no socket could be made).  Returns 0 when at least one family answered,
 * else -errno.
 */
int kw_sockdiag_listeners(int nsfd, kw_diag_fn fn, void *ctx, uint64_t *cookie);

/* The cookie of the namespace nsfd refers to (SO_NETNS_COOKIE, 5.14+):
 * unlike its inode number, which the kernel hands to the next namespace
 * at once, unique for the life of the boot.  0, or -errno with *cookie 0. */
int kw_netns_cookie(int nsfd, uint64_t *cookie);

/* Start the broker; from then on the sockets come from it.  It ends when
 * kwhy does (its socket closes, or PR_SET_PDEATHSIG).  Call before any
 * thread is started.  0, or -errno with a message in err. */
int kw_nsbroker_start(char *err, size_t errlen);
/* its pid, 0 when there is none */
int kw_nsbroker_pid(void);
/* /proc/sys/net/ipv4/ip_local_port_range of the namespace of nsfd, opened
 * by the broker inside it; -ENOSYS when no broker runs, or -errno. */
int kw_netns_port_range_fd(int nsfd);
/*
 * Send req (a SOCK_DIAG_BY_FAMILY dump request of reqlen bytes whose
 * sequence number is seq) on sock, a NETLINK_SOCK_DIAG socket, and hand
 * each answer with at least min_payload bytes after its header to fn,
 * reading into buf (buflen bytes).  The number of answers handed, or
 * -errno (the kernel's error for the dump, -EIO for a malformed answer).
 */
struct nlmsghdr;
typedef void (*kw_diag_msg_fn)(void *ctx, const struct nlmsghdr *h);
int kw_diag_dump(int sock, const void *req, size_t reqlen, uint32_t seq, char *buf,
		 size_t buflen, size_t min_payload, kw_diag_msg_fn fn, void *ctx);

/* A NETLINK_SOCK_DIAG socket living in the namespace of nsfd (receive
 * timeout KW_DIAG_TIMEOUT_S), or -errno. */
int kw_diag_socket_in(int nsfd);

/* Errors every namespace would give again (no privilege, no sock_diag,
 * not a namespace): stop asking. */
bool kw_sockdiag_hopeless(int err);

/*
 * For tests only: with KWHY_TEST_NO_SOCK_DIAG=1 in the environment every
 * dump (inet_diag's and unix_diag's) answers -ENOENT, as on a kernel where
 * those modules are not loaded (the netlink socket and the namespace
 * cookie still work there), so the /proc fallbacks can be run on any box.
 * -ENOENT when so, else 0.
 */
int kw_sockdiag_test_absent(void);

#endif
