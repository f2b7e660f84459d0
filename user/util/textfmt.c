// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Addresses and timestamps as people read them. */
#include <arpa/inet.h>
#include <time.h>
#include "util/escape.h"
#include "util/textfmt.h"

void kw_fmt_ip(struct kw_buf *b, const struct kw_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (a->family == 2 && inet_ntop(AF_INET, a->addr, s, sizeof(s)))
		kw_buf_puts(b, s);
	else if (a->family == 10 && inet_ntop(AF_INET6, a->addr, s, sizeof(s)))
		kw_buf_puts(b, s);
	else
		kw_buf_putc(b, '*');
}

void kw_fmt_endpoint(struct kw_buf *b, const struct kw_addr *a)
{
	if (a->family == 10)
		kw_buf_putc(b, '[');
	kw_fmt_ip(b, a);
	if (a->family == 10)
		kw_buf_putc(b, ']');
	kw_buf_printf(b, ":%u", a->port);
}

void kw_fmt_task(struct kw_buf *b, const struct kw_task *t)
{
	kw_escape_term(b, t->comm, sizeof(t->comm));
	kw_buf_printf(b, " pid %u", t->tgid);
}

void kw_fmt_mode(char out[KW_MODE_TEXT_LEN], uint32_t mode)
{
	/* every value of the 4 type bits has a slot: a crafted trace's mode
	 * may say 13, 14 or 15 */
	static const char types[16] = { [1] = 'p', [2] = 'c', [4] = 'd', [6] = 'b', [8] = '-',
					[10] = 'l', [12] = 's' };
	const char *rwx = "rwxrwxrwx";

	out[0] = types[(mode >> 12) & 0xf] ?: '?';
	for (int i = 0; i < 9; i++)
		out[1 + i] = mode & (0400 >> i) ? rwx[i] : '-';
	out[10] = '\0';
}

void kw_fmt_bytes(struct kw_buf *b, uint64_t bytes)
{
	if (bytes >= (1ULL << 30))
		kw_buf_printf(b, "%.1f GiB", bytes / (double)(1ULL << 30));
	else
		kw_buf_printf(b, "%.1f MiB", bytes / (double)(1ULL << 20));
}

static void split(int64_t wall_ns, time_t *sec, long *nsec)
{
	*sec = wall_ns / 1000000000LL;
	*nsec = wall_ns % 1000000000LL;
	if (*nsec < 0) {
		*nsec += 1000000000L;
		(*sec)--;
	}
}

void kw_fmt_time_rfc3339(struct kw_buf *b, int64_t wall_ns)
{
	struct tm tm;
	time_t sec;
	long nsec;

	split(wall_ns, &sec, &nsec);
	gmtime_r(&sec, &tm);
	kw_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

void kw_fmt_time_short(struct kw_buf *b, int64_t wall_ns, bool utc)
{
	struct tm tm;
	time_t sec;
	long nsec;

	split(wall_ns, &sec, &nsec);
	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	kw_buf_printf(b, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		      nsec / 1000000);
}

void kw_unix_path_text(char out[KW_UNIX_TEXT_LEN], const char *path, uint32_t len)
{
	uint32_t n = 0;

	if (len > KW_UNIX_PATH_LEN)
		len = KW_UNIX_PATH_LEN;
	for (uint32_t i = 0; i < len; i++) {
		if (!path[i] && i && path[0])
			break;		/* a filesystem path ends at its NUL */
		out[n++] = path[i] ? path[i] : '@';
	}
	out[n] = '\0';
}

void kw_fmt_unix_path(struct kw_buf *b, const char *path, uint32_t len)
{
	char t[KW_UNIX_TEXT_LEN];

	kw_unix_path_text(t, path, len);
	kw_escape_term(b, t, sizeof(t));
}

void kw_fmt_duration(struct kw_buf *b, uint64_t ns)
{
	if (ns < 1000000000ULL)
		kw_buf_printf(b, "%llu ms", (unsigned long long)(ns / 1000000));
	else
		kw_buf_printf(b, "%.1f s", ns / 1e9);
}
