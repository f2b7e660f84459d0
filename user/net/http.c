// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metrics page's HTTP server: see http.h for what it does and why it
 * is not a library. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "net/http.h"

#define ACCEPT_PER_CALL 16
#define EVENTS_PER_CALL 16

struct conn {
	int fd;				/* -1: free */
	uint64_t deadline_ms;
	size_t in_len;
	char in[KW_HTTP_REQ_MAX];
	char *out;			/* the response, while it is written */
	size_t out_len, out_off;
};

struct kw_http {
	int lfd, ep;
	char addr[64];
	size_t body_max;
	char *body;			/* the handler's page, body_max bytes */
	struct conn conns[KW_HTTP_CONNS];
};

int kw_http_parse_spec(const char *spec, char *addr, size_t addrlen, uint16_t *port)
{
	const char *p = strrchr(spec, ':');
	unsigned char tmp[sizeof(struct in6_addr)];
	char *end;
	unsigned long v;
	size_t n;

	if (!p) {
		snprintf(addr, addrlen, "0.0.0.0");
		p = spec;
	} else {
		n = p - spec;
		if (n && spec[0] == '[' && spec[n - 1] == ']') {
			snprintf(addr, addrlen, "%.*s", (int)(n - 2), spec + 1);
			if (inet_pton(AF_INET6, addr, tmp) != 1)
				return -1;
		} else {
			snprintf(addr, addrlen, "%.*s", (int)n, spec);
			if (inet_pton(AF_INET, addr, tmp) != 1)
				return -1;
		}
		p++;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || end == p || *end || *p == '-' || v > 65535)
		return -1;
	*port = v;
	return 0;
}

static int listen_on(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *in4 = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	bool v6 = strchr(addr, ':');
	int one = 1, fd;

	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &in4->sin_addr);
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot make a socket for the metrics: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&ss, v6 ? sizeof(*in6) : sizeof(*in4)) || listen(fd, 16)) {
		snprintf(err, errlen, "cannot serve the metrics on %s%s%s:%u: %s%s", v6 ? "[" : "",
			 addr, v6 ? "]" : "", port, strerror(errno),
			 errno == EADDRINUSE ? " (another process has that port; choose another "
			 "with --metrics)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

struct kw_http *kw_http_open(const char *spec, size_t body_max, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct epoll_event ev = { .events = EPOLLIN };
	char addr[INET6_ADDRSTRLEN + 2], host[INET6_ADDRSTRLEN];
	struct kw_http *h;
	uint16_t port;

	if (kw_http_parse_spec(spec, addr, sizeof(addr), &port)) {
		snprintf(err, errlen, "--metrics: '%s' is not [ADDR:]PORT", spec);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h)
		h->body = malloc(body_max);
	if (!h || !h->body) {
		free(h);
		snprintf(err, errlen, "out of memory for the metrics server");
		return NULL;
	}
	h->body_max = body_max;
	h->ep = -1;
	for (int i = 0; i < KW_HTTP_CONNS; i++)
		h->conns[i].fd = -1;
	h->lfd = listen_on(addr, port, err, errlen);
	if (h->lfd < 0)
		goto fail;
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = NULL;	/* NULL: the listening socket */
	if (h->ep < 0 || epoll_ctl(h->ep, EPOLL_CTL_ADD, h->lfd, &ev)) {
		snprintf(err, errlen, "cannot set up the metrics server: %s", strerror(errno));
		goto fail;
	}
	/* the port actually bound (PORT 0: one the kernel chose) */
	if (!getsockname(h->lfd, (void *)&ss, &sl)) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (void *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			snprintf(h->addr, sizeof(h->addr), "[%s]:%u", host, ntohs(a->sin6_port));
		} else {
			struct sockaddr_in *a = (void *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			snprintf(h->addr, sizeof(h->addr), "%s:%u", host, ntohs(a->sin_port));
		}
	}
	return h;
fail:
	kw_http_close(h);
	return NULL;
}

int kw_http_fd(const struct kw_http *h)
{
	return h->ep;
}

const char *kw_http_address(const struct kw_http *h)
{
	return h->addr;
}

static void conn_close(struct kw_http *h, struct conn *c)
{
	epoll_ctl(h->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
}

/* write what the socket takes now; closed when all is out */
static void conn_write(struct kw_http *h, struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;		/* EPOLLOUT brings us back */
		if (n <= 0)
			break;
		c->out_off += n;
	}
	conn_close(h, c);
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* the whole response into c->out, then written as the socket takes it */
static void conn_respond(struct kw_http *h, struct conn *c, int status, const char *type,
			 const char *body, size_t len, bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
			 status_text(status), type, len);
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	if (head)
		len = 0;
	c->out = malloc(n + len);
	if (!c->out) {
		conn_close(h, c);
		return;
	}
	memcpy(c->out, hdr, n);
	memcpy(c->out + n, body, len);
	c->out_len = n + len;
	c->out_off = 0;
	epoll_ctl(h->ep, EPOLL_CTL_MOD, c->fd, &ev);
	conn_write(h, c);
}

static void conn_error(struct kw_http *h, struct conn *c, int status)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%d %s\n", status, status_text(status));

	conn_respond(h, c, status, "text/plain; charset=utf-8", body, n, false);
}

/* a complete request head is in c->in: answer it */
static void conn_request(struct kw_http *h, struct conn *c, kw_http_handler fn, void *ctx)
{
	char method[8], path[256];
	struct kw_buf body = { .p = h->body, .cap = h->body_max };
	const char *type = "text/plain; charset=utf-8";
	bool head;
	int status;

	c->in[c->in_len] = '\0';
	if (sscanf(c->in, "%7s %255s HTTP/1.%*c", method, path) != 2 || path[0] != '/') {
		conn_error(h, c, 400);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		conn_error(h, c, 405);
		return;
	}
	path[strcspn(path, "?#")] = '\0';
	h->body[0] = '\0';
	status = fn(ctx, path, &body, &type);
	if (body.truncated) {
		conn_error(h, c, 500);
		return;
	}
	conn_respond(h, c, status, type, body.p, body.len, head);
}

static void conn_read(struct kw_http *h, struct conn *c, kw_http_handler fn, void *ctx)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len,
				 MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {		/* closed before a whole request */
			conn_close(h, c);
			return;
		}
		c->in_len += n;
		c->in[c->in_len] = '\0';
		if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
			conn_request(h, c, fn, ctx);
			return;
		}
		if (c->in_len == sizeof(c->in) - 1) {
			conn_error(h, c, 431);
			return;
		}
	}
}

static void accept_conns(struct kw_http *h, uint64_t now_ms)
{
	for (int k = 0; k < ACCEPT_PER_CALL; k++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c = NULL;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;		/* EAGAIN, or a connection gone already */
		for (int i = 0; i < KW_HTTP_CONNS && !c; i++)
			if (h->conns[i].fd < 0)
				c = &h->conns[i];
		/* full: the oldest connection that has not sent its request
		 * goes, so idle connections cannot keep a scraper out */
		for (int i = 0; i < KW_HTTP_CONNS && !c; i++)
			if (!h->conns[i].out && (!c || h->conns[i].deadline_ms < c->deadline_ms))
				c = &h->conns[i];
		if (c && c->fd >= 0)
			conn_close(h, c);
		if (!c) {
			/* all are being answered: a best-effort 503, never
			 * waiting for the peer */
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				"Content-Length: 0\r\nConnection: close\r\n\r\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0;	/* the peer will see the close */
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline_ms = now_ms + KW_HTTP_TIMEOUT_MS;
		ev.data.ptr = c;
		if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			c->fd = -1;
		}
	}
}

void kw_http_serve(struct kw_http *h, uint64_t now_ms, kw_http_handler fn, void *ctx)
{
	struct epoll_event evs[EVENTS_PER_CALL];
	int n = epoll_wait(h->ep, evs, EVENTS_PER_CALL, 0);

	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;

		if (!c)
			accept_conns(h, now_ms);
		else if (c->fd < 0)
			continue;	/* closed earlier in this round */
		else if (c->out)
			conn_write(h, c);
		else
			conn_read(h, c, fn, ctx);
	}
	for (int i = 0; i < KW_HTTP_CONNS; i++)
		if (h->conns[i].fd >= 0 && now_ms >= h->conns[i].deadline_ms)
			conn_close(h, &h->conns[i]);
}

void kw_http_close(struct kw_http *h)
{
	if (!h)
		return;
	for (int i = 0; i < KW_HTTP_CONNS; i++)
		if (h->conns[i].fd >= 0)
			conn_close(h, &h->conns[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->ep >= 0)
		close(h->ep);
	free(h->body);
	free(h);
}
