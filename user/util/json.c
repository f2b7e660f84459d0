// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <string.h>
#include "util/escape.h"
#include "util/json.h"

void kw_json_init(struct kw_json *j, struct kw_buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

/* plain printable ASCII with nothing to escape: true of every key the
 * program itself writes, so those are copied as they are */
static bool plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '"' ||
		    s[i] == '\\')
			return false;
	return true;
}

/* comma and key before any value */
static void prefix(struct kw_json *j, const char *key)
{
	size_t n;

	if (j->need_comma[j->depth])
		kw_buf_putc(j->b, ',');
	j->need_comma[j->depth] = true;
	if (key) {
		n = strlen(key);
		kw_buf_putc(j->b, '"');
		if (plain(key, n))
			kw_buf_putn(j->b, key, n);
		else
			kw_escape_json(j->b, key, n);
		kw_buf_putn(j->b, "\":", 2);
	}
}

static void open(struct kw_json *j, const char *key, char c)
{
	prefix(j, key);
	kw_buf_putc(j->b, c);
	if (j->depth < KW_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct kw_json *j, char c)
{
	kw_buf_putc(j->b, c);
	if (j->depth > 0)
		j->depth--;
}

void kw_json_obj_begin(struct kw_json *j, const char *key) { open(j, key, '{'); }
void kw_json_obj_end(struct kw_json *j) { close_(j, '}'); }
void kw_json_arr_begin(struct kw_json *j, const char *key) { open(j, key, '['); }
void kw_json_arr_end(struct kw_json *j) { close_(j, ']'); }

void kw_json_strn(struct kw_json *j, const char *key, const char *val, size_t n)
{
	prefix(j, key);
	kw_buf_putc(j->b, '"');
	kw_escape_json(j->b, val, n);
	kw_buf_putc(j->b, '"');
}

void kw_json_str(struct kw_json *j, const char *key, const char *val)
{
	if (!val) {
		kw_json_null(j, key);
		return;
	}
	kw_json_strn(j, key, val, strlen(val));
}

void kw_json_u64(struct kw_json *j, const char *key, uint64_t val)
{
	prefix(j, key);
	kw_buf_u64(j->b, val);
}

void kw_json_i64(struct kw_json *j, const char *key, int64_t val)
{
	prefix(j, key);
	kw_buf_i64(j->b, val);
}

void kw_json_double(struct kw_json *j, const char *key, double val)
{
	prefix(j, key);
	/* JSON has no NaN or infinity */
	if (val != val || val > 1e300 || val < -1e300)
		kw_buf_puts(j->b, "0");
	else
		kw_buf_double(j->b, val);
}

void kw_json_bool(struct kw_json *j, const char *key, bool val)
{
	prefix(j, key);
	kw_buf_puts(j->b, val ? "true" : "false");
}

void kw_json_null(struct kw_json *j, const char *key)
{
	prefix(j, key);
	kw_buf_puts(j->b, "null");
}
