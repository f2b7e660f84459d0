// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TCP listeners from sock_diag, inside a namespace (see sockdiag.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "host/procparse.h"
#include "host/sockdiag.h"
#include "util/caps.h"

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

/* ---- the broker ---- */

enum { KW_BROKER_DIAG = 0, KW_BROKER_PORT_RANGE = 1 };	/* what to make there */

static int g_broker = -1;	/* kwhy's end of the broker's socket */
static pid_t g_broker_pid;

/* one message of an int and, optionally, an fd; 0 or -errno */
static int send_fd(int s, int val, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &val, .iov_len = sizeof(val) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(s, &m, MSG_NOSIGNAL) == sizeof(val) ? 0 : -errno;
}

/* the int of one message and its fd (-1: none); 0, 1 at the end, -errno */
static int recv_fd(int s, int *val, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = val, .iov_len = sizeof(*val) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 1;
	if (n != sizeof(*val))
		return n < 0 ? -errno : -EPROTO;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* The broker's own filter: what its loop calls, and nothing else. */
static int broker_seccomp(void)
{
	static const int allowed[] = {
		SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(setns), SCMP_SYS(close),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(restart_syscall),
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int ret = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; !ret && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* the port range of a namespace: opening for reading only */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
					       O_RDONLY));
	/* sockets: netlink sock_diag only */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				       SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
				       SCMP_A2(SCMP_CMP_EQ, NETLINK_SOCK_DIAG));
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

/* The broker: a namespace fd in, a sock_diag socket made inside it out
 * (or an error), until kwhy closes its end. */
static void __attribute__((noreturn)) broker_main(int s)
{
	int nsfd, val;

	signal(SIGINT, SIG_IGN);	/* a ^C is for kwhy, which ends us */
	signal(SIGTERM, SIG_IGN);
	prctl(PR_SET_NAME, "kwhy-nsbroker", 0, 0, 0);
	if (kw_caps_keep(1ULL << CAP_SYS_ADMIN) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    broker_seccomp())
		_exit(1);
	for (;;) {
		int sock = -1, err = 0;

		if (recv_fd(s, &val, &nsfd))
			_exit(0);
		if (nsfd < 0)
			err = -EBADF;
		else if (setns(nsfd, CLONE_NEWNET))
			err = -errno;
		else if (val == KW_BROKER_PORT_RANGE)	/* /proc/sys/net is the namespace's */
			sock = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
		else
			sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (!err && sock < 0)
			err = -errno;
		if (nsfd >= 0)
			close(nsfd);
		if (send_fd(s, err, sock))
			_exit(0);
		if (sock >= 0)
			close(sock);
	}
}

int kw_nsbroker_start(char *err, size_t errlen)
{
	int sv[2];
	pid_t pid;

	if (g_broker >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair for the namespace broker: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork of the namespace broker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() == 1)
			_exit(0);
		broker_main(sv[1]);
	}
	close(sv[1]);
	g_broker = sv[0];
	g_broker_pid = pid;
	return 0;
}

int kw_nsbroker_pid(void)
{
	return g_broker_pid;
}

static int broker_socket_in(int nsfd, int what)
{
	int val, sock, ret = send_fd(g_broker, what, nsfd);

	if (ret)
		return ret;
	ret = recv_fd(g_broker, &val, &sock);
	if (ret)
		return ret > 0 ? -EPIPE : ret;
	if (val < 0 || sock < 0) {
		if (sock >= 0)
			close(sock);
		return val < 0 ? val : -EIO;
	}
	return sock;
}

/* A NETLINK_SOCK_DIAG socket living in the namespace of nsfd (see sockdiag.h) */
int kw_diag_socket_in(int nsfd)
{
	struct ns_sock_req r = { .nsfd = nsfd, .sock = -1 };
	struct timeval tv = { .tv_sec = KW_DIAG_TIMEOUT_S };
	pthread_t th;
	int err;

	if (g_broker >= 0) {
		r.sock = broker_socket_in(nsfd, KW_BROKER_DIAG);
		if (r.sock < 0)
			return r.sock;
		setsockopt(r.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		return r.sock;
	}
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
		.backlog_known = true,
		.v6only = v6only > 0,
	};

	if (m->idiag_state != KW_TCP_STATE_LISTEN)
		return;
	l.local.family = m->idiag_family;
	l.local.port = ntohs(m->id.idiag_sport);
	memcpy(l.local.addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	d->fn(d->ctx, &l);
}

int kw_diag_dump(int sock, const void *req, size_t reqlen, uint32_t seq, char *buf,
		 size_t buflen, size_t min_payload, kw_diag_msg_fn fn, void *ctx)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int found = 0;

	if (sendto(sock, req, reqlen, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int i = 0; i < KW_DIAG_MAX_RECV; i++) {
		ssize_t n = recv(sock, buf, buflen, 0);
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
			if (h->nlmsg_seq != seq)
				continue;	/* left over from a failed dump */
			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(min_payload))
				continue;
			fn(ctx, h);
			found++;
		}
	}
	return -E2BIG;
}

/* One inet_diag answer: its attributes (INET_DIAG_SKV6ONLY, sent for v6
 * listeners), then the listener. */
static void inet_msg(void *ctx, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const char *abase = (const char *)m + NLMSG_ALIGN(sizeof(*m));
	size_t alen = h->nlmsg_len - NLMSG_HDRLEN, aoff = 0;
	int v6only = -1;

	alen = alen > NLMSG_ALIGN(sizeof(*m)) ? alen - NLMSG_ALIGN(sizeof(*m)) : 0;
	while (aoff + sizeof(struct nlattr) <= alen) {
		const struct nlattr *a = (const void *)(abase + aoff);

		if (a->nla_len < sizeof(*a) || a->nla_len > alen - aoff)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
		    a->nla_len >= NLA_HDRLEN + 1)
			v6only = *((const uint8_t *)a + NLA_HDRLEN);
		aoff += NLA_ALIGN(a->nla_len);
	}
	diag_entry(ctx, m, v6only);
}

/* Dump one family's listeners into d.  0 or -errno. */
static int diag_dump(struct diag *d, int family)
{
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
	int ret = kw_sockdiag_test_absent();

	if (!ret)
		ret = kw_diag_dump(d->sock, &req, sizeof(req), req.nlh.nlmsg_seq, d->buf, DIAG_BUF,
				   sizeof(struct inet_diag_msg), inet_msg, d);
	return ret < 0 ? ret : 0;
}

int kw_sockdiag_listeners(int nsfd, kw_diag_fn fn, void *ctx, uint64_t *cookie)
{
	struct diag d = { .fn = fn, .ctx = ctx };
	socklen_t clen = sizeof(*cookie);
	int e4, e6;

	*cookie = 0;
	d.sock = kw_diag_socket_in(nsfd);
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
	int sock = kw_diag_socket_in(nsfd), err = 0;

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

int kw_sockdiag_test_absent(void)
{
	const char *v = getenv("KWHY_TEST_NO_SOCK_DIAG");

	return v && !strcmp(v, "1") ? -ENOENT : 0;
}

int kw_netns_port_range_fd(int nsfd)
{
	return g_broker >= 0 ? broker_socket_in(nsfd, KW_BROKER_PORT_RANGE) : -ENOSYS;
}
