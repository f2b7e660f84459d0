// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listening UNIX sockets from sock_diag, inside a namespace (unixdiag.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include "host/sockdiag.h"
#include "host/unixdiag.h"

#define UDIAG_BUF 32768
#define TCP_LISTEN 10		/* UNIX sockets report their state in TCP's terms */

/* one reply message: the socket and its attributes */
static void entry(const struct nlmsghdr *h, kw_unix_diag_fn fn, void *ctx)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const char *abase = (const char *)m + NLMSG_ALIGN(sizeof(*m));
	size_t alen = h->nlmsg_len - NLMSG_LENGTH(0), aoff = 0;
	struct kw_unix_diag u = { .ino = m->udiag_ino, .type = m->udiag_type };

	if (m->udiag_state != TCP_LISTEN)
		return;
	alen = alen > NLMSG_ALIGN(sizeof(*m)) ? alen - NLMSG_ALIGN(sizeof(*m)) : 0;
	while (aoff + sizeof(struct nlattr) <= alen) {
		const struct nlattr *a = (const void *)(abase + aoff);
		size_t plen;

		if (a->nla_len < sizeof(*a) || a->nla_len > alen - aoff)
			break;
		plen = a->nla_len - NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) == UNIX_DIAG_NAME) {
			if (plen > KW_UNIX_PATH_LEN)
				plen = KW_UNIX_PATH_LEN;
			memcpy(u.path, (const char *)a + NLA_HDRLEN, plen);
			u.path_len = (uint16_t)plen;
			/* a filesystem name may come with its NUL */
			if (u.path_len && u.path[0])
				u.path_len = (uint16_t)strnlen(u.path, u.path_len);
		} else if ((a->nla_type & NLA_TYPE_MASK) == UNIX_DIAG_RQLEN &&
			   plen >= sizeof(struct unix_diag_rqlen)) {
			struct unix_diag_rqlen q;

			memcpy(&q, (const char *)a + NLA_HDRLEN, sizeof(q));
			u.queued = q.udiag_rqueue;	/* a listener: its accept queue */
			u.backlog = q.udiag_wqueue;	/* ... and sk_max_ack_backlog */
		}
		aoff += NLA_ALIGN(a->nla_len);
	}
	fn(ctx, &u);
}

static int dump(int sock, char *buf, kw_unix_diag_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.r = {
			.sdiag_family = AF_UNIX,
			.udiag_states = 1u << TCP_LISTEN,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int found = kw_sockdiag_test_absent();

	if (found)
		return found;
	if (sendto(sock, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int i = 0; i < KW_DIAG_MAX_RECV; i++) {
		ssize_t n = recv(sock, buf, UDIAG_BUF, 0);
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

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off)
				return -EIO;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != req.nlh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
				continue;
			entry(h, fn, ctx);
			found++;
		}
	}
	return -E2BIG;
}

int kw_unixdiag_listeners(int nsfd, kw_unix_diag_fn fn, void *ctx)
{
	int sock = kw_diag_socket_in(nsfd), ret;
	char *buf;

	if (sock < 0)
		return sock;
	buf = malloc(UDIAG_BUF);
	ret = buf ? dump(sock, buf, fn, ctx) : -ENOMEM;
	free(buf);
	close(sock);
	return ret;
}
