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

struct unix_dump {
	kw_unix_diag_fn fn;
	void *ctx;
};

static void unix_msg(void *ctx, const struct nlmsghdr *h)
{
	const struct unix_dump *u = ctx;

	entry(h, u->fn, u->ctx);
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
	struct unix_dump u = { .fn = fn, .ctx = ctx };
	int absent = kw_sockdiag_test_absent();

	if (absent)
		return absent;
	return kw_diag_dump(sock, &req, sizeof(req), req.nlh.nlmsg_seq, buf, UDIAG_BUF,
			    sizeof(struct unix_diag_msg), unix_msg, &u);
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
