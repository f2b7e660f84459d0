// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Container identity from the names runtimes give things, without I/O:
 * cgroup paths and the kubelet's log file names.
 *
 * The cgroup path is the one thing every runtime leaves behind that the
 * kernel ids lead back to, so the runtime and id come from its directory
 * names (conventions in ../shared/docs/kernel-interfaces.md, section 4.1).  The
 * runtimes' JSON metadata is container_meta.c's.
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
