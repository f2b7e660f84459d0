// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* OTLP/HTTP JSON push with libcurl from a worker thread: see otlp_push.h. */
#include "net/curl_dl.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "net/otlp_push.h"

struct item {
	enum kw_push_signal sig;
	char *body;
	size_t len;
};

struct kw_push {
	char url[KW_PUSH_SIGNALS][1024];
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	uint64_t deadline_ns;		/* stopping: give up after it */
	struct item q[KW_PUSH_QUEUE];	/* a ring */
	uint32_t head, n;
	size_t bytes;
	struct kw_push_stats st;
	char error[512];
	bool error_new, error_said;
	CURL *curl;			/* the worker's */
};

static const char *const g_paths[KW_PUSH_SIGNALS] = { "/v1/metrics", "/v1/logs" };

bool kw_push_available(void)
{
	return true;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;	/* the answer's body is not needed */
}

/* mu held */
static void note_failure(struct kw_push *p, const char *url, const char *why)
{
	if (p->error[0])
		return;
	snprintf(p->error, sizeof(p->error), "POST %s: %s", url, why);
	p->error_new = true;
}

/* One POST: 0, 1 for a failure that may pass (try again), -1 otherwise;
 * why says what happened. */
static int post(struct kw_push *p, const struct item *it, char *why, size_t len)
{
	struct curl_slist *hdrs = kw_curl.slist_append(NULL, "Content-Type: application/json");
	long code = 0;
	CURLcode rc;

	kw_curl.easy_reset(p->curl);
	kw_curl.easy_setopt(p->curl, CURLOPT_URL, p->url[it->sig]);
	kw_curl.easy_setopt(p->curl, CURLOPT_POST, 1L);
	kw_curl.easy_setopt(p->curl, CURLOPT_POSTFIELDS, it->body);
	kw_curl.easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	kw_curl.easy_setopt(p->curl, CURLOPT_HTTPHEADER, hdrs);
	kw_curl.easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);	/* a thread: no SIGALRM */
	kw_curl.easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, (long)KW_PUSH_TIMEOUT_MS);
	kw_curl.easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	kw_curl.easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	kw_curl.easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, discard);
	kw_curl.easy_setopt(p->curl, CURLOPT_USERAGENT, "kwhy");
	rc = kw_curl.easy_perform(p->curl);
	kw_curl.slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		snprintf(why, len, "%s", kw_curl.easy_strerror(rc));
		return 1;
	}
	kw_curl.easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 0;
	snprintf(why, len, "HTTP %ld", code);
	return code == 429 || code == 502 || code == 503 || code == 504 ? 1 : -1;
}

/* mu held: wait until ns (monotonic) or a stop; true when stopping */
static bool pause_until(struct kw_push *p, uint64_t ns)
{
	while (!p->stopping && mono_ns() < ns) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;		/* re-checked at least every second */
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	return p->stopping;
}

static void *worker(void *arg)
{
	struct kw_push *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct item it;
		char why[256];
		int r = 1;

		while (!p->n && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->n || (p->stopping && mono_ns() > p->deadline_ns))
			break;
		it = p->q[p->head];
		p->head = (p->head + 1) % KW_PUSH_QUEUE;
		p->n--;
		p->bytes -= it.len;
		for (int t = 0; t < KW_PUSH_TRIES && r > 0; t++) {
			/* 1 s, then 2 s; none once stopping and past the deadline */
			if (t && (pause_until(p, mono_ns() + (1000000000ULL << (t - 1))) &&
				  mono_ns() > p->deadline_ns))
				break;
			pthread_mutex_unlock(&p->mu);
			r = post(p, &it, why, sizeof(why));
			pthread_mutex_lock(&p->mu);
		}
		if (r == 0) {
			p->st.sent[it.sig]++;
		} else {
			p->st.failed[it.sig]++;
			note_failure(p, p->url[it.sig], why);
		}
		free(it.body);
	}
	/* what is left past the deadline is dropped */
	while (p->n) {
		struct item *it = &p->q[p->head];

		p->st.dropped[it->sig]++;
		free(it->body);
		p->head = (p->head + 1) % KW_PUSH_QUEUE;
		p->n--;
	}
	p->bytes = 0;
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct kw_push *kw_push_start(const char *endpoint, char *err, size_t errlen)
{
	struct kw_push *p = calloc(1, sizeof(*p));
	size_t n = strlen(endpoint);

	if (!p) {
		snprintf(err, errlen, "out of memory for the OTLP export");
		return NULL;
	}
	while (n && endpoint[n - 1] == '/')
		n--;
	for (int s = 0; s < KW_PUSH_SIGNALS; s++)
		if (snprintf(p->url[s], sizeof(p->url[s]), "%.*s%s", (int)n, endpoint,
			     g_paths[s]) >= (int)sizeof(p->url[s])) {
			snprintf(err, errlen, "--otlp-endpoint: the URL is too long");
			free(p);
			return NULL;
		}
	if (kw_curl_load(err, errlen)) {
		free(p);
		return NULL;
	}
	if (kw_curl.global_init(CURL_GLOBAL_DEFAULT) || !(p->curl = kw_curl.easy_init())) {
		snprintf(err, errlen, "--otlp-endpoint: libcurl could not be set up");
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	errno = pthread_create(&p->thread, NULL, worker, p);
	if (errno) {
		snprintf(err, errlen, "--otlp-endpoint: cannot start its thread: %s",
			 strerror(errno));
		kw_curl.easy_cleanup(p->curl);
		free(p);
		return NULL;
	}
	return p;
}

bool kw_push_submit(struct kw_push *p, enum kw_push_signal sig, const char *body, size_t len)
{
	char *copy = malloc(len + 1);
	bool ok = false;

	pthread_mutex_lock(&p->mu);
	if (copy && sig == KW_PUSH_METRICS) {
		/* a newer snapshot of cumulative values replaces a waiting one */
		for (uint32_t i = 0; i < p->n; i++) {
			struct item *it = &p->q[(p->head + i) % KW_PUSH_QUEUE];

			if (it->sig == KW_PUSH_METRICS && p->bytes - it->len + len <= KW_PUSH_BYTES) {
				memcpy(copy, body, len);
				copy[len] = '\0';
				p->bytes = p->bytes - it->len + len;
				free(it->body);
				it->body = copy;
				it->len = len;
				p->st.dropped[sig]++;	/* the older one never went */
				pthread_mutex_unlock(&p->mu);
				return true;
			}
		}
	}
	if (copy && !p->stopping && p->n < KW_PUSH_QUEUE && p->bytes + len <= KW_PUSH_BYTES) {
		struct item *it = &p->q[(p->head + p->n) % KW_PUSH_QUEUE];

		memcpy(copy, body, len);
		copy[len] = '\0';
		*it = (struct item){ .sig = sig, .body = copy, .len = len };
		p->n++;
		p->bytes += len;
		ok = true;
		pthread_cond_signal(&p->cv);
	} else {
		p->st.dropped[sig]++;
		free(copy);
	}
	pthread_mutex_unlock(&p->mu);
	return ok;
}

void kw_push_stats(struct kw_push *p, struct kw_push_stats *s)
{
	pthread_mutex_lock(&p->mu);
	*s = p->st;
	pthread_mutex_unlock(&p->mu);
}

bool kw_push_take_error(struct kw_push *p, char *msg, size_t len)
{
	bool said;

	pthread_mutex_lock(&p->mu);
	said = p->error_new && !p->error_said;
	if (said) {
		snprintf(msg, len, "%s", p->error);
		p->error_said = true;
	}
	p->error_new = false;
	pthread_mutex_unlock(&p->mu);
	return said;
}

void kw_push_stop(struct kw_push *p, int wait_ms)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	p->deadline_ns = mono_ns() + (uint64_t)wait_ms * 1000000ULL;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	/* a POST in flight ends within its own timeout */
	pthread_join(p->thread, NULL);
}

void kw_push_free(struct kw_push *p)
{
	if (!p)
		return;
	kw_curl.easy_cleanup(p->curl);
	kw_curl.global_cleanup();
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
