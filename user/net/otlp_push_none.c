// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The static build's OTLP push: there is none (no static libcurl in
 * Debian, see otlp_push.h); the command says so when it is asked for. */
#include <stdio.h>
#include "net/otlp_push.h"

bool kw_push_available(void)
{
	return false;
}

struct kw_push *kw_push_start(const char *endpoint, char *err, size_t errlen)
{
	(void)endpoint;
	snprintf(err, errlen, "--otlp-endpoint: this kwhy is the static build, which has no "
		 "libcurl (Debian ships no static archives of its dependencies); use the "
		 "dynamically linked kwhy for OTLP push, or scrape --metrics");
	return NULL;
}

bool kw_push_submit(struct kw_push *p, enum kw_push_signal sig, const char *body, size_t len)
{
	(void)p, (void)sig, (void)body, (void)len;
	return false;
}

void kw_push_stats(struct kw_push *p, struct kw_push_stats *s)
{
	(void)p;
	*s = (struct kw_push_stats){};
}

bool kw_push_take_error(struct kw_push *p, char *msg, size_t len)
{
	(void)p, (void)msg, (void)len;
	return false;
}

void kw_push_stop(struct kw_push *p, int wait_ms)
{
	(void)p, (void)wait_ms;
}

void kw_push_free(struct kw_push *p)
{
	(void)p;
}
