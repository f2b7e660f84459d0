/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A fixed-capacity text buffer: appends never overflow; a record that does
 * not fit is marked truncated instead of growing memory without bound. */
#ifndef KWHY_BUF_H
#define KWHY_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct kw_buf {
	char *p;
	size_t len;
	size_t cap;		/* includes room for the terminating NUL */
	bool truncated;
};

#define KW_BUF_INIT(storage) { .p = (storage), .len = 0, .cap = sizeof(storage) }

void kw_buf_reset(struct kw_buf *b);
void kw_buf_putc(struct kw_buf *b, char c);
void kw_buf_puts(struct kw_buf *b, const char *s);
void kw_buf_putn(struct kw_buf *b, const char *s, size_t n);
void kw_buf_printf(struct kw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
