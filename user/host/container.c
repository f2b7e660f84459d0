// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Container identity from cgroup paths and runtime metadata, without I/O.
 *
 * The cgroup path is the one thing every runtime leaves behind that the
 * kernel ids lead back to, so the runtime and id come from its directory
 * names (conventions in docs/kernel-interfaces.md section 4.1).  Human
 * names come from files the runtimes write; those are parsed here from
 * their contents so a hostile file can be tested without a host.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "host/container.h"

/* A piece of a NUL-terminated string: one path component, one field. */
struct span {
	const char *p;
	size_t n;
};

static bool span_eq(struct span s, const char *lit)
{
	return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static bool span_prefix(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && !memcmp(s.p, lit, l);
}

static bool span_suffix(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && !memcmp(s.p + s.n - l, lit, l);
}

static struct span span_cut(struct span s, size_t head, size_t tail)
{
	struct span r = { s.p + head, s.n - head - tail };

	return r;
}

/* Copy n bytes into dst, cut to fit cap (cap > 0), always NUL-terminated. */
static void copy_span(char *dst, size_t cap, struct span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* Runtimes write ids as 64 lowercase hex digits; anything else is not one. */
static bool is_hex64(struct span s)
{
	if (s.n != KW_CT_ID_HEX)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

/*
 * A pod uid as the API server writes it.  The systemd driver cannot have
 * dashes inside a slice name (they mean nesting), so it writes '_' instead;
 * turn those back.  Static pods have 32-hex uids without dashes.
 */
static bool pod_uid_from(struct span s, char *uid, size_t cap)
{
	char tmp[sizeof(((struct kw_container *)0)->pod_uid)];

	if (s.n == 0 || s.n >= sizeof(tmp) || s.n >= cap)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i] == '_' ? '-' : s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return false;
		tmp[i] = c;
	}
	tmp[s.n] = '\0';
	memcpy(uid, tmp, s.n + 1);
	return true;
}

/* "kubepods-burstable-pod<uid_with_underscores>.slice", "kubepods-pod<uid>.slice" */
static bool pod_uid_systemd(struct span s, char *uid, size_t cap)
{
	size_t dash;

	if (!span_prefix(s, "kubepods") || !span_suffix(s, ".slice"))
		return false;
	s.n -= strlen(".slice");
	for (dash = s.n; dash > 0 && s.p[dash - 1] != '-'; dash--)
		;
	if (dash == 0)
		return false;
	s = span_cut(s, dash, 0);
	if (!span_prefix(s, "pod"))
		return false;
	return pod_uid_from(span_cut(s, 3, 0), uid, cap);
}

/* "pod<uid>" below a kubepods directory: the cgroupfs driver */
static bool pod_uid_cgroupfs(struct span s, char *uid, size_t cap)
{
	return span_prefix(s, "pod") && pod_uid_from(span_cut(s, 3, 0), uid, cap);
}

struct rt_word {
	const char *word;
	enum kw_runtime rt;
};

/* "<prefix><64hex>[.scope]" leaf names; the conmon scopes do not match
 * because what follows the prefix is not an id */
static const struct rt_word ct_prefixes[] = {
	{ "docker-", KW_RT_DOCKER },		/* systemd driver, cri-dockerd */
	{ "cri-containerd-", KW_RT_CONTAINERD },
	{ "nerdctl-", KW_RT_CONTAINERD },
	{ "crio-", KW_RT_CRIO },
	{ "libpod-", KW_RT_PODMAN },
};

/* "<slice>:<word>:<64hex>": systemd-style cgroupsPath on the cgroupfs driver */
static const struct rt_word ct_colon_words[] = {
	{ "cri-containerd", KW_RT_CONTAINERD },
	{ "crio", KW_RT_CRIO },
	{ "docker", KW_RT_DOCKER },
	{ "libpod", KW_RT_PODMAN },
};

static bool match_prefixed(struct span c, enum kw_runtime *rt, struct span *id)
{
	if (span_suffix(c, ".scope"))
		c.n -= strlen(".scope");
	for (size_t i = 0; i < sizeof(ct_prefixes) / sizeof(ct_prefixes[0]); i++) {
		struct span rest;

		if (!span_prefix(c, ct_prefixes[i].word))
			continue;
		rest = span_cut(c, strlen(ct_prefixes[i].word), 0);
		if (is_hex64(rest)) {
			*rt = ct_prefixes[i].rt;
			*id = rest;
			return true;
		}
	}
	return false;
}

static bool match_colon(struct span c, enum kw_runtime *rt, struct span *id,
			char *uid, size_t uid_cap)
{
	struct span word, slice;
	size_t w;

	if (c.n < KW_CT_ID_HEX + 3 || c.p[c.n - KW_CT_ID_HEX - 1] != ':')
		return false;
	*id = span_cut(c, c.n - KW_CT_ID_HEX, 0);
	if (!is_hex64(*id))
		return false;
	for (w = c.n - KW_CT_ID_HEX - 1; w > 0 && c.p[w - 1] != ':'; w--)
		;
	if (w == 0)
		return false;
	word = span_cut(c, w, KW_CT_ID_HEX + 1);
	slice = span_cut(c, 0, c.n - w + 1);
	for (size_t i = 0; i < sizeof(ct_colon_words) / sizeof(ct_colon_words[0]); i++) {
		if (span_eq(word, ct_colon_words[i].word)) {
			*rt = ct_colon_words[i].rt;
			if (!pod_uid_systemd(slice, uid, uid_cap))
				uid[0] = '\0';
			return true;
		}
	}
	return false;
}

/* What the path says so far, walking from the root to the leaf. */
struct classify {
	bool in_kubepods;	/* a kubepods directory is above */
	char pod_uid[40];	/* the nearest pod directory above */
	struct span parent;
	bool have_ct;
	enum kw_runtime rt;
	struct span id;
	char ct_pod_uid[40];
	struct span unit;	/* deepest "<unit>.service" */
};

/* A bare 64-hex directory: its parent tells whose it is. */
static enum kw_runtime bare_id_runtime(const struct classify *st)
{
	if (span_eq(st->parent, "docker"))
		return KW_RT_DOCKER;
	if (span_prefix(st->parent, "podman-") && span_suffix(st->parent, ".scope"))
		return KW_RT_PODMAN;	/* rootless: podman-<pid>.scope/<id> */
	if (st->in_kubepods && st->pod_uid[0])
		return KW_RT_CONTAINERD; /* cgroupfs: kubepods/<qos>/pod<uid>/<id> */
	return KW_RT_OTHER;
}

static void classify_component(struct classify *st, struct span c)
{
	char colon_uid[40] = "";
	enum kw_runtime rt;
	struct span id;
	bool found;

	if (span_prefix(c, "kubepods"))
		st->in_kubepods = true;
	if (!pod_uid_systemd(c, st->pod_uid, sizeof(st->pod_uid)) && st->in_kubepods)
		pod_uid_cgroupfs(c, st->pod_uid, sizeof(st->pod_uid));

	found = match_prefixed(c, &rt, &id) ||
		match_colon(c, &rt, &id, colon_uid, sizeof(colon_uid));
	if (!found && is_hex64(c)) {
		rt = bare_id_runtime(st);
		id = c;
		found = true;
	}
	/* an unknown id inside a known container is that container's business
	 * (docker-in-docker and the like), not a new container */
	if (found && !(rt == KW_RT_OTHER && st->have_ct)) {
		st->have_ct = true;
		st->rt = rt;
		st->id = id;
		strcpy(st->ct_pod_uid, colon_uid[0] ? colon_uid : st->pod_uid);
	}
	if (span_suffix(c, ".service") && c.n > strlen(".service"))
		st->unit = c;
	st->parent = c;
}

static void container_host(struct kw_container *out)
{
	memset(out, 0, sizeof(*out));
	out->runtime = KW_RT_HOST;
	strcpy(out->id, "host");
	strcpy(out->name, "host");
}

int kw_container_from_path(const char *cgroup_path, struct kw_container *out)
{
	struct classify st = { 0 };
	const char *p = cgroup_path;

	if (!out)
		return -EINVAL;
	container_host(out);
	if (!cgroup_path)
		return -EINVAL;
	while (*p) {
		struct span c = { p, strcspn(p, "/") };

		if (c.n)
			classify_component(&st, c);
		p += c.n;
		if (*p == '/')
			p++;
	}
	if (st.have_ct) {
		out->runtime = st.rt;
		copy_span(out->id, sizeof(out->id), st.id);
		copy_span(out->name, KW_CT_SHORT_ID + 1, st.id);
		strcpy(out->pod_uid, st.ct_pod_uid);
	} else if (st.unit.n) {
		out->runtime = KW_RT_SYSTEMD;
		copy_span(out->id, sizeof(out->id), st.unit);
		copy_span(out->name, sizeof(out->name), st.unit);
	}
	return 0;
}

/*
 * Just enough JSON to pull a few strings out of runtime metadata.  The text
 * ends at its NUL and every step checks for it, so truncated input stops
 * the scan instead of running off the end; nesting is skipped with a
 * counter, not recursion, so deep input cannot exhaust the stack.
 */
struct jscan {
	const char *p;
};

static void j_ws(struct jscan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

static bool j_lit(struct jscan *s, char c)
{
	j_ws(s);
	if (*s->p != c)
		return false;
	s->p++;
	return true;
}

/* Output of a string being decoded: stops growing, whole characters
 * only, once full; out may be NULL to only skip. */
struct jout {
	char *out;
	size_t cap;
	size_t n;
	bool cut;
};

static void jout_put(struct jout *o, const char *b, size_t n)
{
	if (!o->out || o->cut)
		return;
	if (o->n + n >= o->cap) {
		size_t room = o->cap - 1 - o->n;

		/* keep what fits, less a UTF-8 character split by the cut */
		for (int i = 0; i < 3 && room > 0 && ((unsigned char)b[room] & 0xc0) == 0x80; i++)
			room--;
		n = room;
		o->cut = true;
	}
	memcpy(o->out + o->n, b, n);
	o->n += n;
	o->out[o->n] = '\0';
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

/* Four hex digits after "\u"; -1 when they are not (NUL included). */
static long j_hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hexval(p[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void jout_utf8(struct jout *o, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	jout_put(o, b, n);
}

/* "\uXXXX" (and its low surrogate) at s->p; false when malformed or NUL,
 * which a C string cannot carry */
static bool j_unicode(struct jscan *s, struct jout *o)
{
	long cp = j_hex4(s->p + 2), lo;

	if (cp <= 0)
		return false;
	s->p += 6;
	if (cp >= 0xd800 && cp <= 0xdbff && s->p[0] == '\\' && s->p[1] == 'u' &&
	    (lo = j_hex4(s->p + 2)) >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		s->p += 6;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;	/* a lone surrogate has no UTF-8 form */
	}
	jout_utf8(o, cp);
	return true;
}

static bool j_escape(struct jscan *s, struct jout *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (s->p[1] == 'u')
		return j_unicode(s, o);
	if (s->p[1] == '\0' || !(e = strchr(from, s->p[1])))
		return false;
	jout_put(o, &to[e - from], 1);
	s->p += 2;
	return true;
}

/* The string at s->p (a '"'), decoded into o. */
static bool j_string(struct jscan *s, struct jout *o)
{
	if (*s->p != '"')
		return false;
	s->p++;
	for (;;) {
		const char *run = s->p;

		s->p += strcspn(s->p, "\"\\");
		jout_put(o, run, s->p - run);
		if (*s->p == '"') {
			s->p++;
			return true;
		}
		if (*s->p == '\0' || !j_escape(s, o))
			return false;
	}
}

static bool j_skip_string(struct jscan *s)
{
	struct jout none = { 0 };

	return j_string(s, &none);
}

/* Skip one object or array, counting depth instead of recursing. */
static bool j_skip_nested(struct jscan *s)
{
	size_t depth = 0;

	for (;;) {
		char c = *s->p;

		if (c == '\0')
			return false;
		if (c == '"') {
			if (!j_skip_string(s))
				return false;
			continue;
		}
		s->p++;
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return false;
			if (--depth == 0)
				return true;
		}
	}
}

/* Skip one value of any kind. */
static bool j_skip(struct jscan *s)
{
	const char *start;

	j_ws(s);
	if (*s->p == '"')
		return j_skip_string(s);
	if (*s->p == '{' || *s->p == '[')
		return j_skip_nested(s);
	start = s->p;
	s->p += strcspn(s->p, ",}] \t\r\n");
	return s->p > start && *s->p != '\0';
}

/* Called with s->p at a member's value; consumes it.  Returns 0 to go on,
 * 1 to stop early (found), negative on malformed input. */
typedef int (*j_member_fn)(void *ctx, struct jscan *s, const char *key);

/* Walk the members of the object at s->p.  Returns 0 when the object ended,
 * 1 when fn stopped the walk, -EINVAL when the text is not an object. */
static int j_object(struct jscan *s, j_member_fn fn, void *ctx)
{
	if (!j_lit(s, '{'))
		return -EINVAL;
	j_ws(s);
	if (*s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		char key[32];
		struct jout k = { key, sizeof(key) };
		int r;

		key[0] = '\0';
		j_ws(s);
		if (!j_string(s, &k) || !j_lit(s, ':'))
			return -EINVAL;
		j_ws(s);
		r = fn(ctx, s, k.cut ? "" : key);	/* long keys match nothing */
		if (r)
			return r < 0 ? -EINVAL : 1;
		if (j_lit(s, ','))
			continue;
		if (j_lit(s, '}'))
			return 0;
		return -EINVAL;
	}
}

/* Decode the string at s->p into out, or skip a value of another kind. */
static int j_member_string(struct jscan *s, char *out, size_t cap, bool *got)
{
	struct jout o = { out, cap };

	if (*s->p != '"')
		return j_skip(s) ? 0 : -EINVAL;
	out[0] = '\0';
	if (!j_string(s, &o))
		return -EINVAL;
	*got = !o.cut;
	return 0;
}

struct docker_ctx {
	char *name;
	size_t len;
};

static int docker_member(void *ctx, struct jscan *s, const char *key)
{
	struct docker_ctx *d = ctx;
	char raw[256] = "";
	struct jout o = { raw, sizeof(raw) };
	const char *v = raw;

	if (strcmp(key, "Name") || *s->p != '"')
		return j_skip(s) ? 0 : -EINVAL;
	if (!j_string(s, &o))
		return -EINVAL;
	/* Docker keeps names as "/name", a leftover of container links */
	if (*v == '/')
		v++;
	o = (struct jout){ d->name, d->len };
	d->name[0] = '\0';
	jout_put(&o, v, strlen(v));
	return d->name[0] ? 1 : 0;
}

int kw_docker_name_from_config(const char *json_text, char *name, size_t len)
{
	struct docker_ctx d = { name, len };
	struct jscan s = { json_text };
	int r;

	if (!name || len == 0)
		return -EINVAL;
	name[0] = '\0';
	if (!json_text)
		return -EINVAL;
	r = j_object(&s, docker_member, &d);
	if (r == 1)
		return 0;
	name[0] = '\0';
	return r < 0 ? -EINVAL : -ENOENT;
}

struct podman_ctx {
	const char *want;
	bool match;
	bool got_name;
	char name[128];
};

/* The first string of the array at s->p. */
static int j_first_string(struct jscan *s, char *out, size_t cap, bool *got)
{
	if (*s->p != '[')
		return j_skip(s) ? 0 : -EINVAL;
	s->p++;
	if (j_lit(s, ']'))
		return 0;
	for (bool first = true;; first = false) {
		j_ws(s);
		if (first && *s->p == '"') {
			if (j_member_string(s, out, cap, got))
				return -EINVAL;
		} else if (!j_skip(s)) {
			return -EINVAL;
		}
		if (j_lit(s, ','))
			continue;
		return j_lit(s, ']') ? 0 : -EINVAL;
	}
}

static int podman_member(void *ctx, struct jscan *s, const char *key)
{
	struct podman_ctx *pc = ctx;
	int r;

	if (!strcmp(key, "id")) {
		char id[80];
		bool got = false;

		r = j_member_string(s, id, sizeof(id), &got);
		pc->match = got && !strcmp(id, pc->want);
	} else if (!strcmp(key, "names")) {
		r = j_first_string(s, pc->name, sizeof(pc->name), &pc->got_name);
	} else {
		r = j_skip(s) ? 0 : -EINVAL;
	}
	if (r)
		return r;
	return pc->match && pc->got_name && pc->name[0];
}

int kw_podman_name_from_containers(const char *json_text, const char *id,
				   char *name, size_t len)
{
	struct jscan s = { json_text };

	if (!name || len == 0)
		return -EINVAL;
	name[0] = '\0';
	if (!json_text || !id || !j_lit(&s, '['))
		return -EINVAL;
	if (j_lit(&s, ']'))
		return -ENOENT;
	for (;;) {
		struct podman_ctx pc = { .want = id };

		j_ws(&s);
		if (*s.p == '{') {
			int r = j_object(&s, podman_member, &pc);

			if (r < 0)
				return -EINVAL;
			if (r == 1) {
				snprintf(name, len, "%s", pc.name);
				return 0;
			}
		} else if (!j_skip(&s)) {
			return -EINVAL;
		}
		if (j_lit(&s, ','))
			continue;
		return j_lit(&s, ']') ? -ENOENT : -EINVAL;
	}
}

/* The last component of a path, ignoring trailing slashes. */
static struct span last_component(const char *path)
{
	size_t n = strlen(path), start;

	while (n > 0 && path[n - 1] == '/')
		n--;
	for (start = n; start > 0 && path[start - 1] != '/'; start--)
		;
	return (struct span){ path + start, n - start };
}

/* Kubernetes names cannot contain '_', which is why kubelet joins with it:
 * exactly three non-empty fields or it is not one of kubelet's names. */
static bool split3(struct span s, struct span f[3])
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] != '_')
			continue;
		if (k == 3 || i == start)
			return false;
		f[k++] = span_cut(s, start, s.n - i);
		start = i + 1;
	}
	return k == 3;
}

int kw_k8s_from_pod_log_dir(const char *dirname, struct kw_k8s_ref *out)
{
	struct span f[3];

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!dirname || !split3(last_component(dirname), f) ||
	    !pod_uid_from(f[2], out->pod_uid, sizeof(out->pod_uid)))
		return -EINVAL;
	copy_span(out->k8s_namespace, sizeof(out->k8s_namespace), f[0]);
	copy_span(out->pod, sizeof(out->pod), f[1]);
	return 0;
}

int kw_k8s_from_container_log(const char *filename, struct kw_k8s_ref *out)
{
	struct span b, id, f[3];

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!filename)
		return -EINVAL;
	b = last_component(filename);
	if (!span_suffix(b, ".log"))
		return -EINVAL;
	b.n -= strlen(".log");
	if (b.n < KW_CT_ID_HEX + 2 || b.p[b.n - KW_CT_ID_HEX - 1] != '-')
		return -EINVAL;
	id = span_cut(b, b.n - KW_CT_ID_HEX, 0);
	if (!is_hex64(id) || !split3(span_cut(b, 0, KW_CT_ID_HEX + 1), f))
		return -EINVAL;
	copy_span(out->pod, sizeof(out->pod), f[0]);
	copy_span(out->k8s_namespace, sizeof(out->k8s_namespace), f[1]);
	copy_span(out->container, sizeof(out->container), f[2]);
	copy_span(out->id, sizeof(out->id), id);
	return 0;
}
