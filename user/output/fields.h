/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A field sink: what a record says, written once for the back-ends that
 * write fields by name.  Two implementations: a JSON record
 * (docs/json-schema.md) and OTLP log attributes (a flat list of
 * {"key","value"} with the semantic conventions' names).
 *
 * Every field names its key for each back-end at once, KW_KEY(json, otlp);
 * a NULL key means that back-end does not show the field.  The two differ
 * in three ways the sink handles, so the callers need not:
 *   - OTLP attributes are flat: objects are only grouping, begin/end write
 *     nothing there;
 *   - OTLP has no null: null fields and NULL or empty strings are left
 *     out;
 *   - OTLP integers are strings (proto3 JSON).
 */
#ifndef KWHY_OUTPUT_FIELDS_H
#define KWHY_OUTPUT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/json.h"

enum kw_fields_kind { KW_FIELDS_JSON, KW_FIELDS_OTLP, KW_FIELDS_KINDS };

/* a field's key in each back-end */
struct kw_key {
	const char *k[KW_FIELDS_KINDS];
};

#define KW_KEY(json, otlp) ((struct kw_key){ { (json), (otlp) } })
#define KW_JSON_ONLY(json) KW_KEY(json, NULL)
#define KW_OTLP_ONLY(otlp) KW_KEY(NULL, otlp)

struct kw_fields {
	enum kw_fields_kind kind;
	struct kw_json *j;		/* both write through the JSON writer */
};

/* a sink writing into a JSON writer that is inside an object (JSON) or an
 * "attributes" array (OTLP) */
static inline struct kw_fields kw_fields_json(struct kw_json *j)
{
	return (struct kw_fields){ .kind = KW_FIELDS_JSON, .j = j };
}

static inline struct kw_fields kw_fields_otlp(struct kw_json *j)
{
	return (struct kw_fields){ .kind = KW_FIELDS_OTLP, .j = j };
}

/* the JSON writer, for what only JSON has (arrays); NULL for OTLP */
static inline struct kw_json *kw_fields_json_only(const struct kw_fields *f)
{
	return f->kind == KW_FIELDS_JSON ? f->j : NULL;
}

void kw_f_obj_begin(struct kw_fields *f, struct kw_key key);
void kw_f_obj_end(struct kw_fields *f, struct kw_key key);
void kw_f_str(struct kw_fields *f, struct kw_key key, const char *val);	/* NULL: null */
/* a fixed-size field of an event, maybe without its NUL: untrusted bytes,
 * escaped and bounded by n */
void kw_f_strn(struct kw_fields *f, struct kw_key key, const char *val, size_t n);
void kw_f_u64(struct kw_fields *f, struct kw_key key, uint64_t val);
void kw_f_i64(struct kw_fields *f, struct kw_key key, int64_t val);
void kw_f_bool(struct kw_fields *f, struct kw_key key, bool val);
void kw_f_null(struct kw_fields *f, struct kw_key key);

/* OTLP: one attribute whose value is written by the caller, e.g. an
 * arrayValue: the value object is open between the two */
void kw_f_attr_begin(struct kw_json *j, const char *key);
void kw_f_attr_end(struct kw_json *j);

#endif
