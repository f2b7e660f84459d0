// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"

void kw_buf_reset(struct kw_buf *b)
{
	b->len = 0;
	b->truncated = false;
	if (b->cap)
		b->p[0] = '\0';
}

void kw_buf_putn(struct kw_buf *b, const char *s, size_t n)
{
	size_t room = b->cap - b->len - 1;

	if (n > room) {
		n = room;
		b->truncated = true;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void kw_buf_u64(struct kw_buf *b, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	kw_buf_putn(b, tmp + i, sizeof(tmp) - i);
}

void kw_buf_i64(struct kw_buf *b, int64_t v)
{
	if (v < 0) {
		kw_buf_putc(b, '-');
		kw_buf_u64(b, -(uint64_t)v);	/* INT64_MIN too */
	} else {
		kw_buf_u64(b, v);
	}
}

void kw_buf_puts(struct kw_buf *b, const char *s)
{
	kw_buf_putn(b, s, strlen(s));
}

void kw_buf_printf(struct kw_buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		b->len = b->cap - 1;
		b->truncated = true;
	} else {
		b->len += n;
	}
}

void kw_buf_double(struct kw_buf *b, double v)
{
	char s[40];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	kw_buf_puts(b, s);
}
