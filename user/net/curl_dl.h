/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libcurl, loaded when --otlp-endpoint asks for it (dlopen), not linked:
 * linked, it and its TLS libraries add about 7 MiB of mapped pages to
 * every kwhy, pushing or not, on the box kwhy is there to rescue.
 */
#ifndef KWHY_NET_CURL_DL_H
#define KWHY_NET_CURL_DL_H

#include <stddef.h>
#define CURL_DISABLE_TYPECHECK	/* calls go through the pointers below */
#include <curl/curl.h>

struct kw_curl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *curl);
	void (*easy_reset)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
};

extern struct kw_curl kw_curl;

/* Load libcurl.so.4 and its functions once.  0, or -1 with why in err
 * (not installed: Debian's libcurl4). */
int kw_curl_load(char *err, size_t errlen);

#endif
