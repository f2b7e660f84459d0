// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cut-down CO-RE target (see corebtf.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/corebtf.h"

/* ---- essential names, as libbpf's bpf_core_essential_name_len ---- */

/* "sock___old" -> 4: the length before the last "___x" flavour suffix */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	return n;
}

/* The local names, an open-addressing set of (pointer, length), and a
 * bitmap of their first two bytes that turns most of the kernel's names
 * away before their essential length and hash are computed */
struct name_set {
	const char **name;
	size_t *len;
	size_t cap;			/* a power of two */
	uint8_t first2[65536 / 8];
};

static unsigned int first2(const char *s)
{
	return (unsigned char)s[0] << 8 | (unsigned char)(s[0] ? s[1] : 0);
}

static bool maybe_in(const struct name_set *set, const char *s)
{
	unsigned int k = first2(s);

	return set->first2[k / 8] & (1u << (k % 8));
}

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static bool set_has(const struct name_set *set, const char *s, size_t n)
{
	for (size_t i = hash_name(s, n) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (!set->name[i])
			return false;
		if (set->len[i] == n && !memcmp(set->name[i], s, n))
			return true;
	}
}

static void set_add(struct name_set *set, const char *s, size_t n)
{
	size_t i = hash_name(s, n) & (set->cap - 1);

	while (set->name[i]) {
		if (set->len[i] == n && !memcmp(set->name[i], s, n))
			return;
		i = (i + 1) & (set->cap - 1);
	}
	set->name[i] = s;
	set->len[i] = n;
	for (int two = 0; two < 2; two++) {
		/* "x___y" has the essential name "x": its second byte is '_' */
		unsigned int k = first2(s);

		if (n == 1)
			k = (unsigned int)(unsigned char)s[0] << 8 | (two ? '_' : 0);

		set->first2[k / 8] |= 1u << (k % 8);
	}
}

/* the kinds a CO-RE relocation can start from */
static bool root_kind(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_TYPEDEF: case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_FWD:
		return true;
	default:
		return false;
	}
}

/* ---- which types, under which new ids ---- */

/*
 * A type is copied in one of two modes: FULL (a root, or what a FULL
 * pointer, typedef or modifier leads to) or MEMBER (the type of a field,
 * or what a MEMBER typedef, modifier or array leads to), where a pointer
 * becomes a pointer to void.  Only pointers and what leads to them differ
 * between the modes; the others get one id, the FULL one.
 */
enum { FULL, MEMBER };

struct cut {
	const struct btf *src;
	uint32_t *id[2];		/* [mode][old id] -> new id, 0: not taken */
	uint32_t *order;		/* old id << 1 | mode, in new id order */
	uint32_t n, cap;
	uint32_t void_ptr;		/* the new id of the one `void *` */
};

static bool two_modes(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_ARRAY:
		return true;
	default:
		return false;
	}
}

static int take(struct cut *c, uint32_t old, int mode);

/* the types t refers to, each in the mode its place calls for */
static int take_refs(struct cut *c, const struct btf_type *t, int mode)
{
	int err = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		return mode == MEMBER ? 0 : take(c, t->type, FULL);
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return take(c, t->type, mode);
	case BTF_KIND_ARRAY:
		err = take(c, btf_array(t)->index_type, FULL);
		return err ?: take(c, btf_array(t)->type, mode);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; !err && i < btf_vlen(t); i++, m++)
			err = take(c, m->type, MEMBER);
		return err;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		err = take(c, t->type, FULL);
		for (int i = 0; !err && i < btf_vlen(t); i++, p++)
			err = take(c, p->type, FULL);
		return err;
	}
	default:		/* INT, ENUM, ENUM64, FWD, FLOAT */
		return 0;
	}
}

/* Give old (in mode) a new id, then what it refers to.  Depth-first with
 * an explicit stack would be longer; the nesting of types by value is
 * shallow (a struct inside a struct inside ...), and pointers, the only
 * way around, stop at MEMBER. */
static int take(struct cut *c, uint32_t old, int mode)
{
	const struct btf_type *t;

	if (!old)
		return 0;		/* void */
	t = btf__type_by_id(c->src, old);
	if (!t)
		return -EINVAL;
	if (!two_modes(t))
		mode = FULL;
	if (c->id[mode][old])
		return 0;
	if (mode == MEMBER && btf_is_ptr(t)) {
		c->id[mode][old] = c->void_ptr;
		return 0;
	}
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? 2 * c->cap : 1024;
		uint32_t *o = realloc(c->order, cap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		c->order = o;
		c->cap = cap;
	}
	c->order[c->n++] = old << 1 | mode;
	c->id[mode][old] = c->n + 1;	/* new id 1 is the void pointer */
	return take_refs(c, t, mode);
}

/* ---- writing them out ---- */

/* the new id of what t refers to at this place */
static int new_ref(const struct cut *c, uint32_t old, int mode)
{
	const struct btf_type *t = old ? btf__type_by_id(c->src, old) : NULL;

	if (!t)
		return 0;
	return c->id[two_modes(t) ? mode : FULL][old];
}

static int emit(struct btf *dst, const struct cut *c, uint32_t old, int mode)
{
	const struct btf_type *t = btf__type_by_id(c->src, old);
	const char *name = btf__name_by_offset(c->src, t->name_off);
	int err = 0, id;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return btf__add_int(dst, name, t->size, btf_int_encoding(t));
	case BTF_KIND_FLOAT:
		return btf__add_float(dst, name, t->size);
	case BTF_KIND_FWD:
		return btf__add_fwd(dst, name, btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
	case BTF_KIND_PTR:
		return btf__add_ptr(dst, new_ref(c, t->type, FULL));
	case BTF_KIND_TYPEDEF:
		return btf__add_typedef(dst, name, new_ref(c, t->type, mode));
	case BTF_KIND_VOLATILE:
		return btf__add_volatile(dst, new_ref(c, t->type, mode));
	case BTF_KIND_CONST:
		return btf__add_const(dst, new_ref(c, t->type, mode));
	case BTF_KIND_RESTRICT:
		return btf__add_restrict(dst, new_ref(c, t->type, mode));
	case BTF_KIND_TYPE_TAG:
		return btf__add_type_tag(dst, name, new_ref(c, t->type, mode));
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		return btf__add_array(dst, new_ref(c, a->index_type, FULL),
				      new_ref(c, a->type, mode), a->nelems);
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *v = btf_enum(t);

		id = btf__add_enum(dst, name, t->size);
		for (int i = 0; id > 0 && !err && i < btf_vlen(t); i++, v++)
			err = btf__add_enum_value(dst, btf__name_by_offset(c->src, v->name_off),
						  v->val);
		return err ?: id;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *v = btf_enum64(t);

		id = btf__add_enum64(dst, name, t->size, btf_kflag(t));
		for (int i = 0; id > 0 && !err && i < btf_vlen(t); i++, v++)
			err = btf__add_enum64_value(dst, btf__name_by_offset(c->src, v->name_off),
						    btf_enum64_value(v));
		return err ?: id;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		id = btf_is_struct(t) ? btf__add_struct(dst, name, t->size) :
					btf__add_union(dst, name, t->size);
		for (int i = 0; id > 0 && !err && i < btf_vlen(t); i++, m++)
			err = btf__add_field(dst, btf__name_by_offset(c->src, m->name_off),
					     new_ref(c, m->type, MEMBER),
					     btf_member_bit_offset(t, i),
					     btf_member_bitfield_size(t, i));
		return err ?: id;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		id = btf__add_func_proto(dst, new_ref(c, t->type, FULL));
		for (int i = 0; id > 0 && !err && i < btf_vlen(t); i++, p++)
			err = btf__add_func_param(dst, btf__name_by_offset(c->src, p->name_off),
						  new_ref(c, p->type, FULL));
		return err ?: id;
	}
	default:		/* FUNC, VAR, DATASEC, DECL_TAG: never referred to */
		return -EINVAL;
	}
}

/* ---- together ---- */

static int local_names(const struct btf *local, struct name_set *set)
{
	uint32_t n = btf__type_cnt(local);

	set->cap = 64;
	while (set->cap < 2 * n)
		set->cap *= 2;
	set->name = calloc(set->cap, sizeof(*set->name));
	set->len = calloc(set->cap, sizeof(*set->len));
	if (!set->name || !set->len)
		return -ENOMEM;
	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(local, i);
		const char *name = btf__name_by_offset(local, t->name_off);

		if (root_kind(t) && name && name[0])
			set_add(set, name, essential_len(name));
	}
	return 0;
}

static int cut_types(struct cut *c, const struct btf *vmlinux, const struct name_set *set)
{
	uint32_t n = btf__type_cnt(vmlinux);
	int err = 0;

	c->src = vmlinux;
	c->void_ptr = 1;
	c->id[FULL] = calloc(n, sizeof(uint32_t));
	c->id[MEMBER] = calloc(n, sizeof(uint32_t));
	if (!c->id[FULL] || !c->id[MEMBER])
		return -ENOMEM;
	for (uint32_t i = 1; !err && i < n; i++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, i);
		const char *name;

		if (!root_kind(t) || !t->name_off)
			continue;
		name = btf__name_by_offset(vmlinux, t->name_off);
		if (name && name[0] && maybe_in(set, name) &&
		    set_has(set, name, essential_len(name)))
			err = take(c, i, FULL);
	}
	return err;
}

struct btf *kw_core_btf_cut(const struct btf *vmlinux, const struct btf *local)
{
	struct name_set *set = calloc(1, sizeof(*set));
	struct cut c = {};
	struct btf *dst = NULL;
	int err;

	err = set ? local_names(local, set) : -ENOMEM;
	if (!err)
		err = cut_types(&c, vmlinux, set);
	if (!err) {
		dst = btf__new_empty();
		err = dst ? 0 : -errno;
	}
	if (!err && btf__add_ptr(dst, 0) != (int)c.void_ptr)
		err = -EINVAL;
	for (uint32_t k = 0; !err && k < c.n; k++) {
		int id = emit(dst, &c, c.order[k] >> 1, c.order[k] & 1);

		/* the ids were handed out in this order: they must match */
		if (id < 0)
			err = id;
		else if ((uint32_t)id != k + 2)
			err = -EINVAL;
	}
	if (set) {
		free(set->name);
		free(set->len);
		free(set);
	}
	free(c.id[FULL]);
	free(c.id[MEMBER]);
	free(c.order);
	if (err) {
		btf__free(dst);
		errno = -err;
		return NULL;
	}
	return dst;
}
