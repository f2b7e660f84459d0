// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libcurl through dlopen (see curl_dl.h). */
#include <dlfcn.h>
#include <stdio.h>
#include "net/curl_dl.h"

struct kw_curl kw_curl;

int kw_curl_load(char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} fns[] = {
#define FN(field, sym) { sym, offsetof(struct kw_curl, field) }
		FN(global_init, "curl_global_init"),
		FN(global_cleanup, "curl_global_cleanup"),
		FN(easy_init, "curl_easy_init"),
		FN(easy_cleanup, "curl_easy_cleanup"),
		FN(easy_reset, "curl_easy_reset"),
		FN(easy_setopt, "curl_easy_setopt"),
		FN(easy_perform, "curl_easy_perform"),
		FN(easy_getinfo, "curl_easy_getinfo"),
		FN(easy_strerror, "curl_easy_strerror"),
		FN(slist_append, "curl_slist_append"),
		FN(slist_free_all, "curl_slist_free_all"),
#undef FN
	};
	static void *lib;

	if (lib)
		return 0;
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen, "--otlp-endpoint needs libcurl (Debian's libcurl4): %s",
			 dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		void *f = dlsym(lib, fns[i].name);

		if (!f) {
			snprintf(err, errlen, "--otlp-endpoint: libcurl has no %s", fns[i].name);
			dlclose(lib);
			lib = NULL;
			return -1;
		}
		/* POSIX: a data pointer from dlsym converts to a function one */
		*(void **)((char *)&kw_curl + fns[i].off) = f;
	}
	return 0;
}
