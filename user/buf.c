// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "buf.h"

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

void kw_buf_putc(struct kw_buf *b, char c)
{
	kw_buf_putn(b, &c, 1);
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
