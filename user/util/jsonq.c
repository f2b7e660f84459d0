// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/jsonq.h"

#define JQ_MAX_DEPTH 64

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	p->failed = true;
}

static void skip_ws(struct parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	       p->s[p->pos] == '\r')
		p->pos++;
}

static struct jq_val *new_val(enum jq_type t)
{
	struct jq_val *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static struct jq_val *parse_value(struct parser *p, int depth);

static int hex4(const char *s, unsigned int *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*out |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*out |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	} else if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* length of a valid UTF-8 sequence at s, 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static char *parse_string_raw(struct parser *p, size_t *len_out)
{
	size_t start = ++p->pos, cap = 16, len = 0;
	char *out = malloc(cap);

	(void)start;
	if (!out) {
		fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		unsigned char c = p->s[p->pos];
		char tmp[4];
		size_t n = 0;

		if (c == '"') {
			p->pos++;
			break;
		}
		if (c == '\0') {
			fail(p, "unterminated string");
			goto bad;
		}
		if (c < 0x20) {
			fail(p, "control character in string");
			goto bad;
		}
		if (c == '\\') {
			char e = p->s[p->pos + 1];
			unsigned int cp;

			p->pos += 2;
			switch (e) {
			case '"': tmp[n++] = '"'; break;
			case '\\': tmp[n++] = '\\'; break;
			case '/': tmp[n++] = '/'; break;
			case 'b': tmp[n++] = '\b'; break;
			case 'f': tmp[n++] = '\f'; break;
			case 'n': tmp[n++] = '\n'; break;
			case 'r': tmp[n++] = '\r'; break;
			case 't': tmp[n++] = '\t'; break;
			case 'u':
				if (hex4(p->s + p->pos, &cp)) {
					fail(p, "bad \\u escape");
					goto bad;
				}
				p->pos += 4;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					unsigned int lo;

					if (p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
					    hex4(p->s + p->pos + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
						fail(p, "unpaired surrogate");
						goto bad;
					}
					p->pos += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp <= 0xdfff) {
					fail(p, "unpaired surrogate");
					goto bad;
				}
				n = put_utf8(tmp, cp);
				break;
			default:
				fail(p, "bad escape");
				goto bad;
			}
		} else {
			n = utf8_len((const unsigned char *)p->s + p->pos);
			if (!n) {
				fail(p, "invalid UTF-8");
				goto bad;
			}
			memcpy(tmp, p->s + p->pos, n);
			p->pos += n;
		}
		if (len + n + 1 > cap) {
			char *grown;

			cap *= 2;
			grown = realloc(out, cap);
			if (!grown) {
				fail(p, "out of memory");
				goto bad;
			}
			out = grown;
		}
		memcpy(out + len, tmp, n);
		len += n;
	}
	out[len] = '\0';
	*len_out = len;
	return out;
bad:
	free(out);
	return NULL;
}

static struct jq_val *parse_number(struct parser *p)
{
	size_t start = p->pos;
	const char *s = p->s;
	bool is_int = true;
	struct jq_val *v;
	char *end;

	if (s[p->pos] == '-')
		p->pos++;
	if (s[p->pos] == '0') {
		p->pos++;
	} else if (s[p->pos] >= '1' && s[p->pos] <= '9') {
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	} else {
		fail(p, "bad number");
		return NULL;
	}
	if (s[p->pos] == '.') {
		is_int = false;
		p->pos++;
		if (s[p->pos] < '0' || s[p->pos] > '9') {
			fail(p, "bad fraction");
			return NULL;
		}
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	}
	if (s[p->pos] == 'e' || s[p->pos] == 'E') {
		is_int = false;
		p->pos++;
		if (s[p->pos] == '+' || s[p->pos] == '-')
			p->pos++;
		if (s[p->pos] < '0' || s[p->pos] > '9') {
			fail(p, "bad exponent");
			return NULL;
		}
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	}
	v = new_val(JQ_NUM);
	if (!v) {
		fail(p, "out of memory");
		return NULL;
	}
	v->num = strtod(s + start, NULL);
	if (is_int) {
		errno = 0;
		v->i = strtoll(s + start, &end, 10);
		v->is_int = errno == 0;
		if (!v->is_int && s[start] != '-') {	/* uint64 beyond int64 */
			unsigned long long u;

			errno = 0;
			u = strtoull(s + start, &end, 10);
			if (!errno && u <= (unsigned long long)INT64_MAX) {
				v->i = (int64_t)u;
				v->is_int = true;
			}
		}
	}
	return v;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

static bool push(struct parser *p, struct jq_val *c, struct jq_val *item, char *key)
{
	/* room doubles whenever len reaches a power of two: a long array
	 * (untrusted metadata) costs linear, not quadratic, copying */
	if (!(c->len & (c->len - 1))) {
		size_t cap = c->len ? c->len * 2 : 1;
		struct jq_val **items = realloc(c->items, cap * sizeof(*items));

		if (!items) {
			fail(p, "out of memory");
			return false;
		}
		c->items = items;
		if (c->type == JQ_OBJ) {
			char **keys = realloc(c->keys, cap * sizeof(*keys));

			if (!keys) {
				fail(p, "out of memory");
				return false;
			}
			c->keys = keys;
		}
	}
	if (c->type == JQ_OBJ)
		c->keys[c->len] = key;
	c->items[c->len++] = item;
	return true;
}

static struct jq_val *parse_container(struct parser *p, int depth, bool obj)
{
	struct jq_val *c = new_val(obj ? JQ_OBJ : JQ_ARR);
	char close = obj ? '}' : ']';

	if (!c) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos++;
	skip_ws(p);
	if (p->s[p->pos] == close) {
		p->pos++;
		return c;
	}
	for (;;) {
		char *key = NULL;
		struct jq_val *item;

		skip_ws(p);
		if (obj) {
			size_t klen;

			if (p->s[p->pos] != '"') {
				fail(p, "expected a key");
				break;
			}
			key = parse_string_raw(p, &klen);
			if (!key)
				break;
			skip_ws(p);
			if (p->s[p->pos] != ':') {
				free(key);
				fail(p, "expected ':'");
				break;
			}
			p->pos++;
		}
		item = parse_value(p, depth + 1);
		if (!item || !push(p, c, item, key)) {
			free(key);
			jq_free(item);
			break;
		}
		skip_ws(p);
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] == close) {
			p->pos++;
			return c;
		}
		fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	jq_free(c);
	return NULL;
}

static struct jq_val *parse_value(struct parser *p, int depth)
{
	struct jq_val *v;
	char c;

	if (depth > JQ_MAX_DEPTH) {
		fail(p, "nested too deeply");
		return NULL;
	}
	skip_ws(p);
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return parse_container(p, depth, c == '{');
	if (c == '"') {
		v = new_val(JQ_STR);
		if (!v) {
			fail(p, "out of memory");
			return NULL;
		}
		v->str = parse_string_raw(p, &v->len);
		if (!v->str) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (literal(p, "true") || literal(p, "false")) {
		v = new_val(JQ_BOOL);
		if (v)
			v->b = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
		return v;
	}
	if (literal(p, "null"))
		return new_val(JQ_NULL);
	fail(p, "unexpected character");
	return NULL;
}

struct jq_val *jq_parse(const char *text, char *err, size_t errlen)
{
	struct parser p = { .s = text, .err = err, .errlen = errlen };
	struct jq_val *v = parse_value(&p, 0);

	if (v) {
		skip_ws(&p);
		if (p.s[p.pos]) {
			fail(&p, "trailing characters");
			jq_free(v);
			v = NULL;
		}
	}
	return v;
}

void jq_free(struct jq_val *v)
{
	if (!v)
		return;
	for (size_t i = 0; (v->type == JQ_ARR || v->type == JQ_OBJ) && i < v->len; i++) {
		jq_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct jq_val *jq_get(const struct jq_val *v, const char *path)
{
	char seg[128];

	while (v && path && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (path[n] == '.');
		if (v->type == JQ_OBJ) {
			const struct jq_val *next = NULL;

			for (size_t i = 0; i < v->len; i++)
				if (!strcmp(v->keys[i], seg))
					next = v->items[i];
			v = next;
		} else if (v->type == JQ_ARR) {
			char *end;
			unsigned long idx = strtoul(seg, &end, 10);

			v = (*seg && !*end && idx < v->len) ? v->items[idx] : NULL;
		} else {
			return NULL;
		}
	}
	return v;
}

const char *jq_str(const struct jq_val *v, const char *path)
{
	v = jq_get(v, path);
	return v && v->type == JQ_STR ? v->str : NULL;
}

bool jq_int(const struct jq_val *v, const char *path, int64_t *out)
{
	v = jq_get(v, path);
	if (!v || v->type != JQ_NUM || !v->is_int)
		return false;
	*out = v->i;
	return true;
}

bool jq_bool(const struct jq_val *v, const char *path, bool *out)
{
	v = jq_get(v, path);
	if (!v || v->type != JQ_BOOL)
		return false;
	*out = v->b;
	return true;
}

bool jq_is_null(const struct jq_val *v, const char *path)
{
	v = jq_get(v, path);
	return v && v->type == JQ_NULL;
}

size_t jq_len(const struct jq_val *v, const char *path)
{
	v = jq_get(v, path);
	return v && (v->type == JQ_ARR || v->type == JQ_OBJ) ? v->len : 0;
}
