/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A strict, small JSON parser: parses one JSON text into a tree
 * and answers path queries like "owner.pid" or "attached.0.event".  Reads
 * trace headers (replay) and, in the tests, kwhy's own output.
 * Rejects anything RFC 8259 rejects: trailing garbage, control characters
 * in strings, bad escapes, invalid UTF-8, leading zeros.
 */
#ifndef KWHY_JSONQ_H
#define KWHY_JSONQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jq_type { JQ_NULL, JQ_BOOL, JQ_NUM, JQ_STR, JQ_ARR, JQ_OBJ };

struct jq_val {
	enum jq_type type;
	bool b;
	double num;
	bool is_int;		/* an integer that fits int64 (or uint64 <= INT64_MAX) */
	int64_t i;		/* its value, when is_int and it fits */
	char *str;		/* JQ_STR, decoded, NUL-terminated */
	size_t len;		/* JQ_STR bytes; JQ_ARR/JQ_OBJ members */
	char **keys;		/* JQ_OBJ */
	struct jq_val **items;	/* JQ_ARR and JQ_OBJ */
};

/* NULL on error, with the reason and byte offset in err */
struct jq_val *jq_parse(const char *text, char *err, size_t errlen);
void jq_free(struct jq_val *v);

/* path: dot-separated keys and array indexes; "" is v itself */
const struct jq_val *jq_get(const struct jq_val *v, const char *path);
/* typed lookups: false/NULL when missing or of another type */
const char *jq_str(const struct jq_val *v, const char *path);
bool jq_int(const struct jq_val *v, const char *path, int64_t *out);
bool jq_bool(const struct jq_val *v, const char *path, bool *out);
bool jq_is_null(const struct jq_val *v, const char *path);
size_t jq_len(const struct jq_val *v, const char *path);

#endif
