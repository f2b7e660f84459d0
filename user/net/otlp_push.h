/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `watch --otlp-endpoint URL`: OTLP/HTTP JSON requests POSTed to
 * URL/v1/metrics and URL/v1/logs by a worker thread with libcurl, so the
 * event loop never waits on the network.  The queue is bounded
 * (KW_PUSH_QUEUE requests, KW_PUSH_BYTES bytes): a request that does not
 * fit is dropped and counted, and a metrics request waiting in the queue
 * is replaced by a newer one (the values are cumulative).  Each request
 * is tried KW_PUSH_TRIES times when the failure may pass (no connection,
 * a timeout, HTTP 429, 502, 503, 504), with a growing pause; other
 * answers fail at once.  Failures are counted; the first one is kept for
 * the caller to say.
 *
 * The static build has no libcurl (Debian ships no static libcurl
 * dependencies such as libgssapi_krb5 and libldap): there
 * kw_push_available() is false and kw_push_start() fails
 * (otlp_push_none.c).
 */
#ifndef KWHY_NET_OTLP_PUSH_H
#define KWHY_NET_OTLP_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KW_PUSH_QUEUE 16
#define KW_PUSH_BYTES (16u << 20)
#define KW_PUSH_TRIES 3
#define KW_PUSH_TIMEOUT_MS 10000

enum kw_push_signal { KW_PUSH_METRICS, KW_PUSH_LOGS, KW_PUSH_SIGNALS };

struct kw_push_stats {
	uint64_t sent[KW_PUSH_SIGNALS];
	uint64_t failed[KW_PUSH_SIGNALS];
	uint64_t dropped[KW_PUSH_SIGNALS];
};

struct kw_push;

bool kw_push_available(void);
/* NULL with a message in err */
struct kw_push *kw_push_start(const char *endpoint, char *err, size_t errlen);
/* a copy of body goes in the queue; false when it was dropped */
bool kw_push_submit(struct kw_push *p, enum kw_push_signal sig, const char *body, size_t len);
void kw_push_stats(struct kw_push *p, struct kw_push_stats *s);
/* the first failure's message, once: true the first time there is one */
bool kw_push_take_error(struct kw_push *p, char *msg, size_t len);
/* what is queued goes out within wait_ms (then it is dropped), and the
 * thread ends; the stats and the error can still be read */
void kw_push_stop(struct kw_push *p, int wait_ms);
void kw_push_free(struct kw_push *p);

#endif
