// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "util/escape.h"

void kw_escape_term(struct kw_buf *b, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n && src[i]; i++) {
		unsigned char c = src[i];

		if (c == '\\') {
			kw_buf_puts(b, "\\\\");
		} else if (c < 0x20 || c >= 0x7f) {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			kw_buf_putn(b, esc, 4);
		} else {
			kw_buf_putc(b, c);
		}
	}
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void kw_escape_json(struct kw_buf *b, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	/* stop at the first NUL */
	for (size_t k = 0; k < n; k++) {
		if (!s[k]) {
			n = k;
			break;
		}
	}
	while (i < n) {
		unsigned char c = s[i];
		size_t seq, run = i;

		/* the common case: a run of plain printable ASCII, in one copy */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i) {
			kw_buf_putn(b, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			kw_buf_putc(b, '\\');
			kw_buf_putc(b, c);
		} else if (c == '\n') {
			kw_buf_puts(b, "\\n");
		} else if (c == '\t') {
			kw_buf_puts(b, "\\t");
		} else if (c == '\r') {
			kw_buf_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			kw_buf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			kw_buf_putc(b, c);
		} else if ((seq = utf8_seq_len(s + i, n - i))) {
			kw_buf_putn(b, (const char *)s + i, seq);
			i += seq;
			continue;
		} else {
			kw_buf_printf(b, "\\u%04x", c);
		}
		i++;
	}
}
