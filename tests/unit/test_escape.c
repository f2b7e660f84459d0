// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_escape_term and kw_escape_json: untrusted bytes made safe for a
 * terminal and for JSON. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "suites.h"
#include "testutil.h"

static char out[4096];

static const char *term(const char *src, size_t n)
{
	struct kw_buf b = KW_BUF_INIT(out);

	kw_buf_reset(&b);
	kw_escape_term(&b, src, n);
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, strlen(out));
	return out;
}

static const char *ejson(const char *src, size_t n)
{
	struct kw_buf b = KW_BUF_INIT(out);

	kw_buf_reset(&b);
	kw_escape_json(&b, src, n);
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, strlen(out));
	return out;
}

static const char *markup(void (*esc)(struct kw_buf *, const char *, size_t), const char *src)
{
	struct kw_buf b = KW_BUF_INIT(out);

	kw_buf_reset(&b);
	esc(&b, src, strlen(src));
	ck_assert(!b.truncated);
	return out;
}

/* what a comm or a container name could smuggle into the report's page */
START_TEST(html_escapes_markup_and_bytes)
{
	ck_assert_str_eq(markup(kw_escape_html, "<script>alert('x')</script>"),
			 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	ck_assert_str_eq(markup(kw_escape_html, "a\"b&c"), "a&quot;b&amp;c");
	ck_assert_str_eq(markup(kw_escape_html, "x\x1b[31m\xff"), "x\\x1b[31m\\xff");
	ck_assert_str_eq(markup(kw_escape_html, "caf\xc3\xa9 10.0.0.5:80"), "caf\xc3\xa9 10.0.0.5:80");
}
END_TEST

START_TEST(md_escapes_inline_markup)
{
	ck_assert_str_eq(markup(kw_escape_md, "a*b_c`d[e](f)|g<h>&i~j!k\\"),
			 "a\\*b\\_c\\`d\\[e\\](f)\\|g\\<h\\>\\&i\\~j\\!k\\\\");
	/* addresses and paths stay readable */
	ck_assert_str_eq(markup(kw_escape_md, "127.0.0.1:8001 /docker/ab-c"),
			 "127.0.0.1:8001 /docker/ab-c");
	ck_assert_str_eq(markup(kw_escape_md, "x\ny\xfe"), "x\\x0ay\\xfe");
}
END_TEST

/*
 * Escape src for JSON, wrap the result in quotes, parse it back and return
 * the decoded string (caller frees with jq_free on *v).
 */
static const struct jq_val *roundtrip(const char *src, size_t n, struct jq_val **v)
{
	char quoted[4200];

	snprintf(quoted, sizeof(quoted), "\"%s\"", ejson(src, n));
	*v = tu_parse(quoted);
	ck_assert_int_eq((*v)->type, JQ_STR);
	return *v;
}

/* UTF-8 of a code point, as the JSON parser would decode \u00XX */
static size_t utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
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

/* ---- terminal ---- */

START_TEST(term_plain_ascii)
{
	ck_assert_str_eq(term("nginx: worker", 64), "nginx: worker");
	/* the printable range ends are kept: space and tilde */
	ck_assert_str_eq(term(" ~", 2), " ~");
	/* quotes are harmless on a terminal */
	ck_assert_str_eq(term("a\"b'c", 5), "a\"b'c");
}
END_TEST

START_TEST(term_control_bytes)
{
	ck_assert_str_eq(term("a\x1b[31mb", 16), "a\\x1b[31mb");
	ck_assert_str_eq(term("\t\n\r", 3), "\\x09\\x0a\\x0d");
	ck_assert_str_eq(term("\x01\x1f", 2), "\\x01\\x1f");
}
END_TEST

START_TEST(term_del)
{
	ck_assert_str_eq(term("x\x7fy", 3), "x\\x7fy");
}
END_TEST

START_TEST(term_high_bytes)
{
	/* even valid UTF-8 is escaped: the terminal's charset is unknown */
	ck_assert_str_eq(term("\xc3\xa9", 2), "\\xc3\\xa9");
	ck_assert_str_eq(term("\x80\xff", 2), "\\x80\\xff");
	ck_assert_str_eq(term("\x9b" "2J", 3), "\\x9b2J");	/* 8-bit CSI */
}
END_TEST

START_TEST(term_backslash_doubled)
{
	ck_assert_str_eq(term("a\\b", 3), "a\\\\b");
	/* an escape cannot be forged by the input */
	ck_assert_str_eq(term("\\x1b", 4), "\\\\x1b");
}
END_TEST

START_TEST(term_stops_at_nul)
{
	ck_assert_str_eq(term("ab\0cd", 5), "ab");
	ck_assert_str_eq(term("\0abc", 4), "");
}
END_TEST

START_TEST(term_stops_at_n)
{
	ck_assert_str_eq(term("abcdef", 3), "abc");
	ck_assert_str_eq(term("abcdef", 0), "");
	/* a 16-byte comm without a NUL is read exactly to n */
	ck_assert_str_eq(term("0123456789abcdefXYZ", 16), "0123456789abcdef");
}
END_TEST

START_TEST(term_every_byte_printable)
{
	/* whatever the byte, the output is printable ASCII only */
	for (int c = 1; c < 256; c++) {
		char in[1] = { (char)c };
		const char *s = term(in, 1);

		for (const char *p = s; *p; p++)
			ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte 0x%02x gave raw 0x%02x", c,
				      (unsigned char)*p);
	}
}
END_TEST

START_TEST(term_truncates_in_bounds)
{
	char small[8 + 8];
	struct kw_buf b = { .p = small, .cap = 8 };

	memset(small, 'Z', sizeof(small));
	kw_buf_reset(&b);
	kw_escape_term(&b, "\x1b\x1b\x1b\x1b", 4);
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_int_eq(small[7], '\0');
	for (size_t i = 8; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 'Z');
}
END_TEST

/* ---- JSON ---- */

START_TEST(json_plain)
{
	ck_assert_str_eq(ejson("nginx", 16), "nginx");
	ck_assert_str_eq(ejson("", 16), "");
}
END_TEST

START_TEST(json_quote_backslash)
{
	ck_assert_str_eq(ejson("a\"b\\c", 5), "a\\\"b\\\\c");
}
END_TEST

START_TEST(json_short_escapes)
{
	ck_assert_str_eq(ejson("\n\t\r", 3), "\\n\\t\\r");
}
END_TEST

START_TEST(json_other_controls)
{
	ck_assert_str_eq(ejson("\x01", 1), "\\u0001");
	ck_assert_str_eq(ejson("\x08\x0c", 2), "\\u0008\\u000c");
	ck_assert_str_eq(ejson("\x1b[0m", 4), "\\u001b[0m");
	ck_assert_str_eq(ejson("\x1f", 1), "\\u001f");
	ck_assert_str_eq(ejson("\x7f", 1), "\\u007f");
}
END_TEST

START_TEST(json_valid_utf8_passes)
{
	static const char *const ok[] = {
		"\xc2\x80",		/* U+0080, smallest 2-byte */
		"caf\xc3\xa9",		/* é */
		"\xdf\xbf",		/* U+07FF */
		"\xe0\xa0\x80",		/* U+0800, smallest 3-byte */
		"\xe2\x82\xac",		/* € */
		"\xed\x9f\xbf",		/* U+D7FF, just below the surrogates */
		"\xee\x80\x80",		/* U+E000, just above them */
		"\xef\xbf\xbf",		/* U+FFFF */
		"\xf0\x90\x80\x80",	/* U+10000, smallest 4-byte */
		"\xf0\x9f\x98\x80",	/* 😀 */
		"\xf4\x8f\xbf\xbf",	/* U+10FFFF, the last code point */
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct jq_val *v;

		ck_assert_str_eq(ejson(ok[i], strlen(ok[i])), ok[i]);
		roundtrip(ok[i], strlen(ok[i]), &v);
		ck_assert_str_eq(v->str, ok[i]);
		jq_free(v);
	}
}
END_TEST

START_TEST(json_invalid_utf8_escaped)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "\x80", "\\u0080" },				/* lone continuation */
		{ "\xbf", "\\u00bf" },
		{ "\xff", "\\u00ff" },
		{ "\xfe", "\\u00fe" },
		{ "\xc0\x80", "\\u00c0\\u0080" },		/* overlong NUL */
		{ "\xc1\xbf", "\\u00c1\\u00bf" },		/* overlong '?' */
		{ "\xe0\x80\x80", "\\u00e0\\u0080\\u0080" },	/* overlong 3-byte */
		{ "\xe0\x9f\xbf", "\\u00e0\\u009f\\u00bf" },	/* overlong U+07FF */
		{ "\xf0\x80\x80\x80", "\\u00f0\\u0080\\u0080\\u0080" },
		{ "\xf0\x8f\xbf\xbf", "\\u00f0\\u008f\\u00bf\\u00bf" }, /* overlong U+FFFF */
		{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" },	/* U+D800 */
		{ "\xed\xbf\xbf", "\\u00ed\\u00bf\\u00bf" },	/* U+DFFF */
		{ "\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080" }, /* > U+10FFFF */
		{ "\xf5\x80\x80\x80", "\\u00f5\\u0080\\u0080\\u0080" },
		{ "\xe2\x82", "\\u00e2\\u0082" },		/* truncated € */
		{ "\xe2(", "\\u00e2(" },			/* bad continuation */
		{ "\xc3\xc3\xa9", "\\u00c3\xc3\xa9" },		/* resync on é */
		{ "\xe2\x82\xac\xac", "\xe2\x82\xac\\u00ac" },	/* € then a stray */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jq_val *v;

		ck_assert_str_eq(ejson(cases[i].in, strlen(cases[i].in)), cases[i].want);
		/* and the output is valid JSON */
		roundtrip(cases[i].in, strlen(cases[i].in), &v);
		jq_free(v);
	}
}
END_TEST

START_TEST(json_sequence_cut_by_n)
{
	/* n ends inside a valid sequence: the partial bytes are not UTF-8 */
	ck_assert_str_eq(ejson("\xe2\x82\xac", 2), "\\u00e2\\u0082");
	ck_assert_str_eq(ejson("\xc3\xa9", 1), "\\u00c3");
}
END_TEST

START_TEST(json_stops_at_nul_or_n)
{
	ck_assert_str_eq(ejson("ab\0\"cd", 6), "ab");
	ck_assert_str_eq(ejson("abcdef", 3), "abc");
	ck_assert_str_eq(ejson("abcdef", 0), "");
	/* a NUL just after a lead byte ends the string: no read past it */
	ck_assert_str_eq(ejson("\xe2\0\x82\xac", 4), "\\u00e2");
}
END_TEST

/* every single byte: valid JSON, and it decodes to U+00XX (Latin-1) */
START_TEST(json_every_byte_roundtrips)
{
	for (unsigned int c = 1; c < 256; c++) {
		char in[1] = { (char)c }, want[4];
		size_t wn = utf8(want, c);
		struct jq_val *v;

		roundtrip(in, 1, &v);
		ck_assert_msg(v->len == wn && !memcmp(v->str, want, wn),
			      "byte 0x%02x decoded wrong", c);
		jq_free(v);
	}
}
END_TEST

/* a small deterministic PRNG, so failures reproduce */
static uint32_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

START_TEST(json_random_bytes_always_valid)
{
	rng_state = 0x6b776879;
	for (int iter = 0; iter < 5000; iter++) {
		char in[48];
		size_t n = 1 + rng() % (sizeof(in) - 1);
		struct jq_val *v;

		for (size_t i = 0; i < n; i++) {
			uint32_t r = rng();

			/* bias towards the interesting bytes */
			in[i] = (r & 3) == 0 ? (char)(0x80 | (r >> 8 & 0x7f)) :
				(r & 3) == 1 ? (char)(0xc0 | (r >> 8 & 0x3f)) :
				(char)(r >> 8);
		}
		roundtrip(in, n, &v);
		jq_free(v);
	}
}
END_TEST

START_TEST(json_random_valid_utf8_exact)
{
	rng_state = 0x1badb002;
	for (int iter = 0; iter < 2000; iter++) {
		char in[128];
		size_t n = 0;
		struct jq_val *v;

		while (n < sizeof(in) - 5) {
			uint32_t cp;

			do {
				uint32_t r = rng();

				cp = (r & 3) == 0 ? 0x20 + r % 0x5f : r % 0x110000;
			} while (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff));
			n += utf8(in + n, cp);
		}
		in[n] = '\0';
		roundtrip(in, n, &v);
		ck_assert_uint_eq(v->len, n);
		ck_assert_msg(!memcmp(v->str, in, n), "valid UTF-8 not preserved (iter %d)", iter);
		jq_free(v);
	}
}
END_TEST

START_TEST(json_truncates_in_bounds)
{
	char small[10 + 16];
	struct kw_buf b = { .p = small, .cap = 10 };

	memset(small, 'Z', sizeof(small));
	kw_buf_reset(&b);
	kw_escape_json(&b, "\x01\x02\x03\x04", 4);
	ck_assert(b.truncated);
	ck_assert_uint_le(b.len, 9);
	ck_assert_int_eq(small[b.len], '\0');
	for (size_t i = 10; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 'Z');
}
END_TEST

Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *t = tcase_create("term");
	TCase *j = tcase_create("json");

	tcase_add_test(t, term_plain_ascii);
	tcase_add_test(t, term_control_bytes);
	tcase_add_test(t, term_del);
	tcase_add_test(t, term_high_bytes);
	tcase_add_test(t, term_backslash_doubled);
	tcase_add_test(t, term_stops_at_nul);
	tcase_add_test(t, term_stops_at_n);
	tcase_add_test(t, term_every_byte_printable);
	tcase_add_test(t, term_truncates_in_bounds);
	suite_add_tcase(s, t);

	tcase_add_test(j, json_plain);
	tcase_add_test(j, json_quote_backslash);
	tcase_add_test(j, json_short_escapes);
	tcase_add_test(j, json_other_controls);
	tcase_add_test(j, json_valid_utf8_passes);
	tcase_add_test(j, json_invalid_utf8_escaped);
	tcase_add_test(j, json_sequence_cut_by_n);
	tcase_add_test(j, json_stops_at_nul_or_n);
	tcase_add_test(j, json_every_byte_roundtrips);
	tcase_add_test(j, json_random_bytes_always_valid);
	tcase_add_test(j, json_random_valid_utf8_exact);
	tcase_add_test(j, json_truncates_in_bounds);
	tcase_add_test(j, html_escapes_markup_and_bytes);
	tcase_add_test(j, md_escapes_inline_markup);
	suite_add_tcase(s, j);
	return s;
}
