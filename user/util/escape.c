// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
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

/* a byte that is not text (a control, or not valid UTF-8) as "\xNN": the
 * same visible form as kw_escape_term, so nothing is lost or hidden */
static void put_hex_byte(struct kw_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	kw_buf_putn(b, esc, 4);
}

/* Walk src as escape_markup's callers need: valid UTF-8 passes, controls
 * and invalid bytes become \xNN, and each ASCII byte is handed to one_ascii,
 * which writes it (escaped or not). */
static void escape_text(struct kw_buf *b, const char *src, size_t n,
			void (*one_ascii)(struct kw_buf *b, char c))
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	for (size_t k = 0; k < n; k++) {
		if (!s[k]) {
			n = k;
			break;
		}
	}
	while (i < n) {
		unsigned char c = s[i];
		size_t seq;

		if (c < 0x20 || c == 0x7f) {
			put_hex_byte(b, c);
		} else if (c < 0x80) {
			one_ascii(b, c);
		} else if ((seq = utf8_seq_len(s + i, n - i))) {
			kw_buf_putn(b, (const char *)s + i, seq);
			i += seq;
			continue;
		} else {
			put_hex_byte(b, c);
		}
		i++;
	}
}

static void html_ascii(struct kw_buf *b, char c)
{
	switch (c) {
	case '&': kw_buf_puts(b, "&amp;"); break;
	case '<': kw_buf_puts(b, "&lt;"); break;
	case '>': kw_buf_puts(b, "&gt;"); break;
	case '"': kw_buf_puts(b, "&quot;"); break;
	case '\'': kw_buf_puts(b, "&#39;"); break;
	default: kw_buf_putc(b, c); break;
	}
}

void kw_escape_html(struct kw_buf *b, const char *src, size_t n)
{
	escape_text(b, src, n, html_ascii);
}

/* CommonMark: a backslash before ASCII punctuation makes it literal.  Only
 * what can start markup in the middle of a line is escaped (emphasis, code,
 * links, images, raw HTML, entities, tables, strikethrough), so addresses
 * and paths stay readable; the renderers never start a line with an
 * untrusted string, so line-start markup (#, -, 1.) cannot arise. */
static void md_ascii(struct kw_buf *b, char c)
{
	if (c && strchr("\\`*_[]<>&|~!", c))
		kw_buf_putc(b, '\\');
	kw_buf_putc(b, c);
}

void kw_escape_md(struct kw_buf *b, const char *src, size_t n)
{
	escape_text(b, src, n, md_ascii);
}
