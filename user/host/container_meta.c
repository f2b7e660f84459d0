// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Container names from runtime JSON metadata (see container_meta.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "host/container_meta.h"
#include "util/jsonq.h"

/*
 * jsonq builds a tree of the whole text, a node per value: count the
 * characters that can start or separate values first, so a hostile file
 * of "[0,0,0,...]" cannot make it a hundred times its size in memory.
 */
static struct jq_val *meta_parse(const char *text)
{
	size_t n = strnlen(text, KW_META_JSON_MAX + 1), values = 1;
	char err[96];

	if (n > KW_META_JSON_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (text[i] == ',' || text[i] == '[' || text[i] == '{')
			values++;
	if (values > KW_META_JSON_VALUES)
		return NULL;
	return jq_parse(text, err, sizeof(err));
}

/* A string a C string can carry: no NUL decoded from "\u0000". */
static const char *whole_str(const struct jq_val *v)
{
	return v && v->type == JQ_STR && strlen(v->str) == v->len ? v->str : NULL;
}

/* Copy s into name (len > 0), cut to fit without splitting a UTF-8
 * character; false when nothing of it fits. */
static bool copy_name(char *name, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len) {
		n = len - 1;
		for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
			n--;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	return n > 0;
}

/*
 * The common start: name cleared, text parsed as a JSON value of type
 * want.  NULL for bad arguments or text (then *r = -EINVAL), else the
 * tree, with *r = -ENOENT until a name is found.
 */
static struct jq_val *meta_begin(const char *text, char *name, size_t len, enum jq_type want,
				 int *r)
{
	struct jq_val *v = NULL;

	*r = -EINVAL;
	if (!name || len == 0)
		return NULL;
	name[0] = '\0';
	if (text)
		v = meta_parse(text);
	if (v && v->type != want) {
		jq_free(v);
		v = NULL;
	}
	if (v)
		*r = -ENOENT;
	return v;
}

int kw_docker_name_from_config(const char *json_text, char *name, size_t len)
{
	int r;
	struct jq_val *v = meta_begin(json_text, name, len, JQ_OBJ, &r);

	/* the first usable one, as Docker reads its own file */
	for (size_t i = 0; v && i < v->len && r; i++) {
		const char *s = strcmp(v->keys[i], "Name") ? NULL : whole_str(v->items[i]);

		/* Docker keeps names as "/name", a leftover of container links */
		if (s && copy_name(name, len, s + (*s == '/')))
			r = 0;
	}
	jq_free(v);
	return r;
}

int kw_podman_name_from_containers(const char *json_text, const char *id,
				   char *name, size_t len)
{
	int r;
	struct jq_val *v = meta_begin(id ? json_text : NULL, name, len, JQ_ARR, &r);

	for (size_t i = 0; v && i < v->len && r; i++) {
		const struct jq_val *ct = v->items[i];
		const char *cid = ct->type == JQ_OBJ ? whole_str(jq_get(ct, "id")) : NULL;
		const char *first = NULL;

		if (cid && !strcmp(cid, id))
			first = whole_str(jq_get(ct, "names.0"));
		if (first && copy_name(name, len, first))
			r = 0;
	}
	jq_free(v);
	return r;
}

int kw_docker_state_from_config(const char *json_text, struct kw_docker_state *st)
{
	const struct jq_val *state, *v;
	struct jq_val *root;
	bool b;
	int r;

	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	r = kw_docker_name_from_config(json_text, st->name, sizeof(st->name));
	if (r)
		return r;
	root = meta_parse(json_text);	/* parsed above already: within the bounds */
	state = root ? jq_get(root, "State") : NULL;
	if (!state || state->type != JQ_OBJ) {
		jq_free(root);
		return -ENOENT;
	}
	/* a restarting or paused container is not stopped */
	st->running = (jq_bool(state, "Running", &b) && b) ||
		      (jq_bool(state, "Restarting", &b) && b) || (jq_bool(state, "Paused", &b) && b);
	if (!jq_int(state, "ExitCode", &st->exit_code))
		st->exit_code = -1;
	v = jq_get(state, "FinishedAt");
	/* printed: only what an RFC 3339 time is made of */
	if (whole_str(v) && v->len < sizeof(st->finished_at) &&
	    strspn(v->str, "0123456789TZ:.+-") == v->len)
		memcpy(st->finished_at, v->str, v->len + 1);
	jq_free(root);
	return 0;
}
