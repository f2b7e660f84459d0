/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small helpers shared by the unit tests (header-only: static inline). */
#ifndef KWHY_TESTUTIL_H
#define KWHY_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "util/jsonq.h"

/* Parse text, failing the test with the parser's reason when it is not JSON. */
static inline struct jq_val *tu_parse(const char *text)
{
	char err[160] = "";
	struct jq_val *v = jq_parse(text, err, sizeof(err));

	ck_assert_msg(v != NULL, "not valid JSON (%s): %s", err, text);
	return v;
}

/* True when text parses as JSON. */
static inline bool tu_is_json(const char *text)
{
	char err[160];
	struct jq_val *v = jq_parse(text, err, sizeof(err));
	bool ok = v != NULL;

	jq_free(v);
	return ok;
}

/* Assert an integer at path. */
#define tu_assert_int(v, path, want)                                              \
	do {                                                                      \
		int64_t got_;                                                     \
		ck_assert_msg(jq_int((v), (path), &got_), "%s: not an integer", (path)); \
		ck_assert_msg(got_ == (int64_t)(want), "%s: got %lld, want %lld", (path), \
			      (long long)got_, (long long)(want));                \
	} while (0)

/* Assert a boolean at path. */
#define tu_assert_bool(v, path, want)                                             \
	do {                                                                      \
		bool got_;                                                        \
		ck_assert_msg(jq_bool((v), (path), &got_), "%s: not a boolean", (path)); \
		ck_assert_msg(got_ == (want), "%s: got %d, want %d", (path), got_, \
			      (int)(want));                                       \
	} while (0)

/* Assert a string at path. */
#define tu_assert_str(v, path, want)                                              \
	do {                                                                      \
		const char *got_ = jq_str((v), (path));                           \
		ck_assert_msg(got_ != NULL, "%s: not a string", (path));          \
		ck_assert_msg(!strcmp(got_, (want)), "%s: got \"%s\", want \"%s\"",  \
			      (path), got_, (want));                              \
	} while (0)

#define tu_assert_null(v, path) \
	ck_assert_msg(jq_is_null((v), (path)), "%s: not null", (path))

#define tu_assert_absent(v, path) \
	ck_assert_msg(jq_get((v), (path)) == NULL, "%s: present, should be absent", (path))

#define tu_assert_contains(hay, needle)                                           \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" does not contain \"%s\"", \
		      (hay), (needle))

#define tu_assert_not_contains(hay, needle)                                       \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "\"%s\" contains \"%s\"", \
		      (hay), (needle))

#endif
