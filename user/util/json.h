/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A minimal streaming JSON writer into a kw_buf: it tracks nesting so
 * commas are always right, and escapes every string it is given. */
#ifndef KWHY_JSON_H
#define KWHY_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"

#define KW_JSON_MAX_DEPTH 16

struct kw_json {
	struct kw_buf *b;
	int depth;
	bool need_comma[KW_JSON_MAX_DEPTH];
};

void kw_json_init(struct kw_json *j, struct kw_buf *b);
void kw_json_obj_begin(struct kw_json *j, const char *key); /* key NULL: a value */
void kw_json_obj_end(struct kw_json *j);
void kw_json_arr_begin(struct kw_json *j, const char *key);
void kw_json_arr_end(struct kw_json *j);
void kw_json_str(struct kw_json *j, const char *key, const char *val);
void kw_json_strn(struct kw_json *j, const char *key, const char *val, size_t n);
void kw_json_u64(struct kw_json *j, const char *key, uint64_t val);
void kw_json_i64(struct kw_json *j, const char *key, int64_t val);
/* shortest exact %g; NaN and infinities, which JSON lacks, as 0 */
void kw_json_double(struct kw_json *j, const char *key, double val);
void kw_json_bool(struct kw_json *j, const char *key, bool val);
void kw_json_null(struct kw_json *j, const char *key);

#endif
