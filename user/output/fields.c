// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The field sink's two implementations, JSON and OTLP attributes: see
 * fields.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "output/fields.h"

static const char *key_of(const struct kw_fields *f, struct kw_key key)
{
	return key.k[f->kind];
}

void kw_f_attr_begin(struct kw_json *j, const char *key)
{
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "key", key);
	kw_json_obj_begin(j, "value");
}

void kw_f_attr_end(struct kw_json *j)
{
	kw_json_obj_end(j);
	kw_json_obj_end(j);
}

void kw_f_obj_begin(struct kw_fields *f, struct kw_key key)
{
	const char *k = key_of(f, key);

	if (k && f->kind == KW_FIELDS_JSON)
		kw_json_obj_begin(f->j, k);
}

void kw_f_obj_end(struct kw_fields *f, struct kw_key key)
{
	if (key_of(f, key) && f->kind == KW_FIELDS_JSON)
		kw_json_obj_end(f->j);
}

void kw_f_str(struct kw_fields *f, struct kw_key key, const char *val)
{
	const char *k = key_of(f, key);

	if (!k)
		return;
	if (f->kind == KW_FIELDS_JSON) {
		kw_json_str(f->j, k, val);
	} else if (val && val[0]) {
		kw_f_attr_begin(f->j, k);
		kw_json_str(f->j, "stringValue", val);
		kw_f_attr_end(f->j);
	}
}

void kw_f_strn(struct kw_fields *f, struct kw_key key, const char *val, size_t n)
{
	const char *k = key_of(f, key);

	if (!k)
		return;
	if (f->kind == KW_FIELDS_JSON) {
		kw_json_strn(f->j, k, val, n);
	} else if (n && val[0]) {
		kw_f_attr_begin(f->j, k);
		kw_json_strn(f->j, "stringValue", val, strnlen(val, n));
		kw_f_attr_end(f->j);
	}
}

static void otlp_int(struct kw_json *j, const char *key, int64_t val)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, val);
	kw_f_attr_begin(j, key);
	kw_json_str(j, "intValue", s);
	kw_f_attr_end(j);
}

/* an integer of either signedness: JSON writes it as it is, OTLP as the
 * int64 proto3 carries */
static void int_field(struct kw_fields *f, struct kw_key key, uint64_t bits, bool is_signed)
{
	const char *k = key_of(f, key);

	if (!k)
		return;
	if (f->kind == KW_FIELDS_OTLP)
		otlp_int(f->j, k, (int64_t)bits);
	else if (is_signed)
		kw_json_i64(f->j, k, (int64_t)bits);
	else
		kw_json_u64(f->j, k, bits);
}

void kw_f_u64(struct kw_fields *f, struct kw_key key, uint64_t val)
{
	int_field(f, key, val, false);
}

void kw_f_i64(struct kw_fields *f, struct kw_key key, int64_t val)
{
	int_field(f, key, (uint64_t)val, true);
}

void kw_f_bool(struct kw_fields *f, struct kw_key key, bool val)
{
	const char *k = key_of(f, key);

	if (!k)
		return;
	if (f->kind == KW_FIELDS_JSON) {
		kw_json_bool(f->j, k, val);
	} else {
		kw_f_attr_begin(f->j, k);
		kw_json_bool(f->j, "boolValue", val);
		kw_f_attr_end(f->j);
	}
}

void kw_f_null(struct kw_fields *f, struct kw_key key)
{
	const char *k = key_of(f, key);

	if (k && f->kind == KW_FIELDS_JSON)
		kw_json_null(f->j, k);
}
