/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A fixed-capacity text buffer: appends never overflow; a record that does
 * not fit is marked truncated instead of growing memory without bound. */
#ifndef KWHY_BUF_H
#define KWHY_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kw_buf {
	char *p;
	size_t len;
	size_t cap;		/* includes room for the terminating NUL */
	bool truncated;
};

#define KW_BUF_INIT(storage) { .p = (storage), .len = 0, .cap = sizeof(storage) }

void kw_buf_reset(struct kw_buf *b);
void kw_buf_putn(struct kw_buf *b, const char *s, size_t n);

/* the hot path of every formatter: one byte, inline */
static inline void kw_buf_putc(struct kw_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
	} else {
		kw_buf_putn(b, &c, 1);	/* sets truncated */
	}
}

void kw_buf_puts(struct kw_buf *b, const char *s);
/* decimal, without printf's machinery (it dominated JSON formatting) */
void kw_buf_u64(struct kw_buf *b, uint64_t v);
void kw_buf_i64(struct kw_buf *b, int64_t v);
/* the shortest %g that reads back as v (up to 17 digits) */
void kw_buf_double(struct kw_buf *b, double v);
void kw_buf_printf(struct kw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
