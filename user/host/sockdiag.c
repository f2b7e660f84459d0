// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TCP listeners from sock_diag, inside a namespace (see sockdiag.h). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "host/procparse.h"
#include "host/sockdiag.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define DIAG_BUF 32768		/* one recv() of replies */

struct ns_sock_req {
	int nsfd;
	int sock;
	int err;
};

static void *ns_sock_thread(void *arg)
{
	struct ns_sock_req *r = arg;

	/* only this short-lived thread changes namespace */
	if (setns(r->nsfd, CLONE_NEWNET)) {
		r->err = -errno;
		return NULL;
	}
	r->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (r->sock < 0)
		r->err = -errno;
	return NULL;
}

/* A NETLINK_SOCK_DIAG socket living in the namespace of nsfd, or -errno. */
static int diag_socket_in(int nsfd)
{
	struct ns_sock_req r = { .nsfd = nsfd, .sock = -1 };
	struct timeval tv = { .tv_sec = KW_DIAG_TIMEOUT_S };
	pthread_t th;
	int err;

	err = pthread_create(&th, NULL, ns_sock_thread, &r);
	if (err)
		return -err;
	pthread_join(th, NULL);
	if (r.sock < 0)
		return r.err ? r.err : -EIO;
	setsockopt(r.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return r.sock;
}

/* One dump in progress: the socket, the reply buffer, where entries go. */
struct diag {
	int sock;
	char *buf;
	kw_diag_fn fn;
	void *ctx;
};

static void diag_entry(struct diag *d, const struct inet_diag_msg *m, int v6only)
{
	struct kw_diag_listener l = {
		.ino = m->idiag_inode,
		.backlog = m->idiag_wqueue,	/* sk_max_ack_backlog for a listener */
		.queued = m->idiag_rqueue,	/* sk_ack_backlog for a listener */
		.v6only = v6only > 0,
	};

	if (m->idiag_state != KW_TCP_STATE_LISTEN)
		return;
	l.local.family = m->idiag_family;
	l.local.port = ntohs(m->id.idiag_sport);
	memcpy(l.local.addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	d->fn(d->ctx, &l);
}

/* Dump one family's listeners into d.  0 or -errno. */
static int diag_dump(struct diag *d, int family)
{
	char *buf = d->buf;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = (uint32_t)family,
		},
		.r = {
			.sdiag_family = (uint8_t)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1u << KW_TCP_STATE_LISTEN,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(d->sock, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int i = 0; i < KW_DIAG_MAX_RECV; i++) {
		ssize_t n = recv(d->sock, buf, DIAG_BUF, 0);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		/* each message advances off by at least its header */
		while (off + sizeof(struct nlmsghdr) <= (size_t)n) {
			const struct nlmsghdr *h = (const void *)(buf + off);
			const struct inet_diag_msg *m;
			const char *abase;
			size_t alen, aoff;
			int v6only = -1;

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off)
				return -EIO;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != req.nlh.nlmsg_seq)
				continue;	/* left over from a failed dump */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			/* attributes: INET_DIAG_SKV6ONLY (sent for v6 listeners) */
			abase = (const char *)m + NLMSG_ALIGN(sizeof(*m));
			alen = h->nlmsg_len - NLMSG_HDRLEN;
			alen = alen > NLMSG_ALIGN(sizeof(*m)) ? alen - NLMSG_ALIGN(sizeof(*m)) : 0;
			aoff = 0;
			while (aoff + sizeof(struct nlattr) <= alen) {
				const struct nlattr *a = (const void *)(abase + aoff);

				if (a->nla_len < sizeof(*a) || a->nla_len > alen - aoff)
					break;
				if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
				    a->nla_len >= NLA_HDRLEN + 1)
					v6only = *((const uint8_t *)a + NLA_HDRLEN);
				aoff += NLA_ALIGN(a->nla_len);
			}
			diag_entry(d, m, v6only);
		}
	}
	return -E2BIG;
}

int kw_sockdiag_listeners(int nsfd, kw_diag_fn fn, void *ctx, uint64_t *cookie)
{
	struct diag d = { .fn = fn, .ctx = ctx };
	socklen_t clen = sizeof(*cookie);
	int e4, e6;

	*cookie = 0;
	d.sock = diag_socket_in(nsfd);
	if (d.sock < 0)
		return d.sock;
	d.buf = malloc(DIAG_BUF);
	if (!d.buf) {
		close(d.sock);
		return -ENOMEM;
	}
	if (getsockopt(d.sock, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &clen) ||
	    clen != sizeof(*cookie))
		*cookie = 0;	/* before 5.14 */
	e4 = diag_dump(&d, AF_INET);
	e6 = diag_dump(&d, AF_INET6);
	close(d.sock);
	free(d.buf);
	return e4 && e6 ? e4 : 0;
}

int kw_netns_cookie(int nsfd, uint64_t *cookie)
{
	socklen_t clen = sizeof(*cookie);
	int sock = diag_socket_in(nsfd), err = 0;

	*cookie = 0;
	if (sock < 0)
		return sock;
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &clen) ||
	    clen != sizeof(*cookie)) {
		err = -errno ? -errno : -EIO;
		*cookie = 0;
	}
	close(sock);
	return err;
}

bool kw_sockdiag_hopeless(int err)
{
	switch (err) {
	case -EPERM:		/* setns: no CAP_SYS_ADMIN */
	case -EINVAL:		/* setns: not a namespace (a fake /proc) */
	case -ENOSYS:
	case -EPROTONOSUPPORT:	/* socket: no NETLINK_SOCK_DIAG */
	case -EAFNOSUPPORT:
	case -ENOENT:		/* dump: no tcp_diag */
	case -EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}
