// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pure parsers of what /proc prints (see procparse.h): text in, fields
 * out, no I/O, so every hostile or truncated input can be unit-tested.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "host/procparse.h"

#define MAX_CGROUP_LINES 256
#define MAX_MOUNTINFO_FIELDS 64

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_token(const char *p)
{
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* exactly n (<= 8) hex digits */
static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* decimal digits up to a space or the end; advances *pp */
static int parse_dec64(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;

	for (; *p >= '0' && *p <= '9'; p++, n++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (n >= 20 || v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -EINVAL;
		v = v * 10 + d;
	}
	if (!n)
		return -EINVAL;
	*pp = p;
	*out = v;
	return 0;
}

/*
 * "HEX:PORT".  The kernel prints an IPv4 address as one %08X of the __be32
 * value, and an IPv6 one as four %08X of its __be32 words: each word is
 * the host-order integer whose memory image is the network-order bytes, so
 * storing the parsed integer back into memory restores those bytes on any
 * byte order.  The port is printed already in host order.
 */
static int parse_endpoint(const char **pp, int family, struct kw_addr *a)
{
	size_t nwords = family == AF_INET ? 1 : 4;
	const char *p = *pp;
	uint32_t w, port;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < nwords; i++) {
		if (parse_hex32(p, 8, &w))
			return -EINVAL;
		memcpy(&a->addr[i * 4], &w, 4);
		p += 8;
	}
	if (*p++ != ':')
		return -EINVAL;
	if (parse_hex32(p, 4, &port))
		return -EINVAL;
	p += 4;
	if (*p && *p != ' ' && *p != '\t')
		return -EINVAL;
	a->family = (uint16_t)family;
	a->port = (uint16_t)port;
	*pp = p;
	return 0;
}

int kw_parse_proc_net_tcp_line(const char *line, int family, struct kw_addr *local,
			       unsigned int *state, uint64_t *inode, uint32_t *rx_queue)
{
	struct kw_addr l, r;
	const char *p;
	uint64_t slot, ino;
	uint32_t st, txq, rxq;

	if (!line || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	/* "   0: " */
	p = skip_spaces(line);
	if (parse_dec64(&p, &slot) || *p++ != ':')
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, &l))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, &r))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_hex32(p, 2, &st))
		return -EINVAL;
	p += 2;
	if (*p != ' ' && *p != '\t')
		return -EINVAL;
	/* tx_queue:rx_queue, two %08X (for a listener, rx_queue is its
	 * sk_ack_backlog: get_tcp4_sock(), get_tcp6_sock()) */
	p = skip_spaces(p);
	if (parse_hex32(p, 8, &txq) || p[8] != ':' || parse_hex32(p + 9, 8, &rxq))
		return -EINVAL;
	p += 17;
	if (*p != ' ' && *p != '\t')
		return -EINVAL;
	/* tr:tm->when retrnsmt uid timeout, then inode */
	for (int i = 0; i < 4; i++) {
		p = skip_spaces(p);
		if (!*p || *p == '\n')
			return -EINVAL;
		p = skip_token(p);
	}
	p = skip_spaces(p);
	if (parse_dec64(&p, &ino))
		return -EINVAL;
	if (*p && *p != ' ' && *p != '\t' && *p != '\n')
		return -EINVAL;
	if (local)
		*local = l;
	if (state)
		*state = st;
	if (inode)
		*inode = ino;
	if (rx_queue)
		*rx_queue = rxq;
	return 0;
}

int kw_parse_socket_link(const char *target, uint64_t *inode)
{
	static const char pfx[] = "socket:[";
	const char *p;
	uint64_t v;

	if (!target || strncmp(target, pfx, sizeof(pfx) - 1) != 0)
		return -EINVAL;
	p = target + sizeof(pfx) - 1;
	if (parse_dec64(&p, &v) || p[0] != ']' || p[1] != '\0')
		return -EINVAL;
	*inode = v;
	return 0;
}

int kw_parse_status_uid(const char *status, uint32_t *uid)
{
	const char *p = status;
	uint64_t v;

	/* bounded by the text's length: each step moves past a newline */
	while (p && *p) {
		if (!strncmp(p, "Uid:", 4)) {
			p = skip_spaces(p + 4);
			if (parse_dec64(&p, &v) || v > UINT32_MAX)
				return -EINVAL;
			*uid = (uint32_t)v;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

int kw_parse_proc_net_tcp_conn(const char *line, int family, struct kw_addr *local,
			       struct kw_addr *remote, unsigned int *state)
{
	const char *p;
	uint64_t slot;
	uint32_t st;

	if (!line || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	p = skip_spaces(line);
	if (parse_dec64(&p, &slot) || *p++ != ':')
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, local))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_endpoint(&p, family, remote))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_hex32(p, 2, &st))
		return -EINVAL;
	*state = st;
	return 0;
}

/* the line of text that starts with key, past the key; NULL if none */
static const char *line_of(const char *text, const char *key)
{
	size_t n = strlen(key);

	/* bounded by the text's length: each step moves past a newline */
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, n))
			return p + n;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* the second decimal field of a status line ("Uid:\t0\t1000\t...") */
static int second_field(const char *p, uint32_t *out)
{
	uint64_t a, b;

	if (!p)
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_dec64(&p, &a))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_dec64(&p, &b) || b > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)b;
	return 0;
}

int kw_parse_status_creds(const char *status, uint32_t gid, uint32_t *euid, uint32_t *egid,
			  bool *in_group)
{
	const char *g;
	uint64_t v;

	if (!status || second_field(line_of(status, "Uid:"), euid) ||
	    second_field(line_of(status, "Gid:"), egid))
		return -EINVAL;
	*in_group = *egid == gid;
	g = line_of(status, "Groups:");
	/* at most 65536 groups (NGROUPS_MAX); each step takes one */
	for (int i = 0; g && !*in_group && i < 65536; i++) {
		g = skip_spaces(g);
		if (parse_dec64(&g, &v))
			break;
		*in_group = v == gid;
	}
	return 0;
}

static int parse_limit(const char **pp, uint64_t *out)
{
	*pp = skip_spaces(*pp);
	if (!strncmp(*pp, "unlimited", 9)) {
		*pp += 9;
		*out = UINT64_MAX;
		return 0;
	}
	return parse_dec64(pp, out);
}

int kw_parse_limits_nofile(const char *text, uint64_t *soft, uint64_t *hard)
{
	const char *p = text ? line_of(text, "Max open files") : NULL;

	if (!p || parse_limit(&p, soft) || parse_limit(&p, hard))
		return -EINVAL;
	return 0;
}

int kw_parse_two(const char *text, uint64_t *a, uint64_t *b)
{
	const char *p = text;

	if (!p)
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_dec64(&p, a))
		return -EINVAL;
	p = skip_spaces(p);
	return parse_dec64(&p, b);
}

int kw_parse_file_nr(const char *text, uint64_t *nr, uint64_t *max)
{
	const char *p = text;
	uint64_t unused;

	if (!p)
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_dec64(&p, nr))
		return -EINVAL;
	p = skip_spaces(p);
	if (parse_dec64(&p, &unused))
		return -EINVAL;
	p = skip_spaces(p);
	return parse_dec64(&p, max);
}

bool kw_opt_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (!n)
		return false;
	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* copy [s, s+n) into out, stopping at a newline; -ENAMETOOLONG if longer */
static int copy_field(const char *s, size_t n, char *out, size_t outsz)
{
	if (n >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int kw_parse_proc_cgroup(const char *text, struct kw_proc_cgroups *cg)
{
	const char *p = text;
	int found = 0;

	memset(cg, 0, sizeof(*cg));
	for (int i = 0; p && *p && i < MAX_CGROUP_LINES; i++) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *c1 = memchr(p, ':', len), *c2, *path;
		uint64_t hier;
		char ctl[256];

		if (!c1)
			goto next;
		c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p));
		if (!c2)
			goto next;
		path = c2 + 1;
		{
			const char *q = p;

			if (parse_dec64(&q, &hier) || q != c1 || hier > UINT32_MAX)
				goto next;
		}
		if (path >= p + len || *path != '/' ||
		    copy_field(c1 + 1, (size_t)(c2 - c1 - 1), ctl, sizeof(ctl)))
			goto next;
		if (hier == 0 && !ctl[0]) {
			if (!copy_field(path, len - (size_t)(path - p), cg->v2, sizeof(cg->v2))) {
				cg->has_v2 = true;
				found = 1;
			}
		} else if (kw_opt_list_has(ctl, "memory")) {
			if (!copy_field(path, len - (size_t)(path - p), cg->mem, sizeof(cg->mem))) {
				cg->has_mem = true;
				cg->mem_hier = (uint32_t)hier;
				found = 1;
			}
		}
next:
		p = eol ? eol + 1 : NULL;
	}
	return found ? 0 : -EINVAL;
}

/* a mountinfo path field: "\040"-style octal escapes decoded */
static int unescape_field(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= outsz)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int kw_parse_mountinfo_line(const char *line, struct kw_mountinfo *m)
{
	const char *tok[MAX_MOUNTINFO_FIELDS];
	size_t len[MAX_MOUNTINFO_FIELDS];
	int n = 0, dash = -1;
	const char *p = line;

	memset(m, 0, sizeof(*m));
	if (!line)
		return -EINVAL;
	while (n < MAX_MOUNTINFO_FIELDS) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		tok[n] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	/* id parent maj:min root mountpoint options [optional...] - fstype source super */
	for (int i = 6; i < n; i++) {
		if (len[i] == 1 && tok[i][0] == '-') {
			dash = i;
			break;
		}
	}
	if (dash < 0 || dash + 3 >= n)
		return -EINVAL;
	if (unescape_field(tok[3], len[3], m->root, sizeof(m->root)) ||
	    unescape_field(tok[4], len[4], m->mnt, sizeof(m->mnt)) ||
	    copy_field(tok[dash + 1], len[dash + 1], m->fstype, sizeof(m->fstype)) ||
	    copy_field(tok[dash + 3], len[dash + 3], m->super, sizeof(m->super)))
		return -EINVAL;
	return 0;
}

int kw_parse_pid(const char *s, uint32_t *pid)
{
	const char *q = s;
	uint64_t v;

	if (!s || parse_dec64(&q, &v) || *q || !v || v > UINT32_MAX)
		return -EINVAL;
	*pid = (uint32_t)v;
	return 0;
}

/* "Name:" is escaped by the kernel ("\n" and "\\"); undo it so the comm
 * matches what BPF reports. */
static void status_comm(const char *v, char *comm, size_t cap)
{
	size_t n = 0;

	for (; *v && *v != '\n' && n + 1 < cap; v++) {
		char ch = *v;

		if (ch == '\\' && v[1] == 'n') {
			ch = '\n';
			v++;
		} else if (ch == '\\' && v[1] == '\\') {
			v++;
		}
		comm[n++] = ch;
	}
	comm[n] = '\0';
}

void kw_parse_status_mem(const char *status, char *comm, size_t cap, uint64_t *rss_kb)
{
	const char *line = status;

	if (cap)
		comm[0] = '\0';
	*rss_kb = 0;
	/* bounded by the text's length: each step moves past a newline */
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (!strncmp(line, "Name:\t", 6) && cap)
			status_comm(line + 6, comm, cap);
		else if (!strncmp(line, "VmRSS:", 6))
			*rss_kb = strtoull(line + 6, NULL, 10);
		line = nl ? nl + 1 : NULL;
	}
}

int kw_parse_meminfo(const char *text, struct kw_ev_host_mem *hm)
{
	const struct {
		const char *key;
		__u64 *kb;
	} keys[] = {
		{ "MemTotal:", &hm->mem_total_kb },
		{ "MemAvailable:", &hm->mem_available_kb },
		{ "MemFree:", &hm->mem_free_kb },
		{ "SwapTotal:", &hm->swap_total_kb },
		{ "SwapFree:", &hm->swap_free_kb },
	};
	const char *line = text;
	bool total = false;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		*keys[k].kb = 0;
	/* bounded by the text's length: each step moves past a newline */
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t n = strlen(keys[k].key);

			if (!strncmp(line, keys[k].key, n)) {
				*keys[k].kb = strtoull(line + n, NULL, 10);
				total |= k == 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	hm->has_meminfo = total;
	return total ? 0 : -EINVAL;
}

/* the length of the line at s, without its newline */
static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

int kw_parse_netstat(const char *text, const char *section, const char *name,
		     uint64_t *value)
{
	size_t sl = strlen(section), nl = strlen(name);
	const char *line = text;

	/* bounded by the text: each step moves past a newline */
	while (line && *line) {
		size_t hl = line_len(line);
		const char *vals = line[hl] ? line + hl + 1 : NULL;
		const char *h = line + sl, *v;
		size_t col = 0, want = 0;
		bool found = false;

		if (strncmp(line, section, sl) || !vals || strncmp(vals, section, sl)) {
			line = vals;
			continue;
		}
		/* the header's columns: which one is name */
		while (h < line + hl && !found) {
			while (h < line + hl && *h == ' ')
				h++;
			if (h >= line + hl)
				break;
			if (!strncmp(h, name, nl) && (h + nl == line + hl || h[nl] == ' ')) {
				want = col;
				found = true;
			}
			while (h < line + hl && *h != ' ')
				h++;
			col++;
		}
		if (!found)
			return -ENOENT;
		v = vals + sl;
		for (col = 0; *v && *v != '\n'; col++) {
			char *end;
			unsigned long long x;

			while (*v == ' ')
				v++;
			x = strtoull(v, &end, 10);
			if (end == v)
				return -ENOENT;
			if (col == want) {
				*value = x;
				return 0;
			}
			v = end;
		}
		return -ENOENT;
	}
	return -ENOENT;
}
