/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal HTTP/1.1 server for `watch --metrics`: GET (and HEAD) only,
 * one request per connection (Connection: close), driven from the caller's
 * event loop.  Everything is non-blocking and bounded: at most
 * KW_HTTP_CONNS connections (when all are taken, the oldest that has not
 * sent its request is closed for the new one; 503 when all are being
 * answered), requests
 * up to KW_HTTP_REQ_MAX bytes (431 beyond), KW_HTTP_TIMEOUT_MS per
 * connection, responses up to the caller's body buffer.
 *
 * Why not a library: Debian's libmicrohttpd is built with GnuTLS, and a
 * static link of it needs libp11-kit and libunistring, of which Debian
 * ships no static archive; the static kwhy (the VM tests, the container
 * image, a DaemonSet's metrics port) would lose its metrics.  Serving one
 * read-only page needs little of HTTP, and this keeps the event loop's
 * single thread: the page is rendered from the pipeline's state where it
 * lives, with no lock.
 */
#ifndef KWHY_NET_HTTP_H
#define KWHY_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"

#define KW_HTTP_CONNS 8
#define KW_HTTP_REQ_MAX 4096
#define KW_HTTP_TIMEOUT_MS 10000

struct kw_http;

/* What a GET of path answers: fill body and return the status (200, 404);
 * *type is the Content-Type.  A truncated body is a 500. */
typedef int (*kw_http_handler)(void *ctx, const char *path, struct kw_buf *body,
			       const char **type);

/* Listen on "[ADDR:]PORT" (ADDR an IPv4 address or [IPv6]; PORT alone:
 * every IPv4 address).  NULL with a message in err. */
struct kw_http *kw_http_open(const char *spec, size_t body_max, char *err, size_t errlen);
/* an fd that is readable when there is something to do (an epoll fd) */
int kw_http_fd(const struct kw_http *h);
/* the address listened on, as "127.0.0.1:9100" */
const char *kw_http_address(const struct kw_http *h);
/* Accept, read, answer, write what can be done now without blocking, and
 * close connections past their time (now_ms: a monotonic clock). */
void kw_http_serve(struct kw_http *h, uint64_t now_ms, kw_http_handler fn, void *ctx);
void kw_http_close(struct kw_http *h);

/* does spec parse as "[ADDR:]PORT" (for the command line) */
int kw_http_parse_spec(const char *spec, char *addr, size_t addrlen, uint16_t *port);

#endif
