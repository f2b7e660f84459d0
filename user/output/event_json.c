// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Events as JSON objects; the schema is docs/json-schema.md (version
 * KW_JSON_SCHEMA).  Names, not numbers, wherever a name is known; the
 * number stays beside it so nothing is lost.  The head is every event's;
 * what follows is its type's, from event_kinds.c. */
#include "util/textfmt.h"
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/format.h"
#include "output/pieces.h"

static void json_header(struct kw_fields *f, const struct kw_hdr *h, uint64_t id,
			const struct kw_fmt_ctx *ctx)
{
	kw_f_u64(f, KW_JSON_ONLY("schema"), KW_JSON_SCHEMA);
	kw_f_str(f, KW_JSON_ONLY("type"), kw_event_name(h->type));
	if (id)
		kw_f_u64(f, KW_JSON_ONLY("id"), id);
	if (h->flags & KW_F_SNAPSHOT)
		kw_f_bool(f, KW_JSON_ONLY("snapshot"), true);
	kw_put_time(f, KW_JSON_ONLY("time"), kw_boot_to_wall(h->ts_boot_ns, ctx->boot_to_wall_ns));
	kw_f_u64(f, KW_JSON_ONLY("boot_ns"), h->ts_boot_ns);
	kw_f_u64(f, KW_JSON_ONLY("mono_ns"), h->ts_mono_ns);
	kw_f_u64(f, KW_JSON_ONLY("cpu"), h->cpu);
	if (h->flags & KW_F_NETNS) {
		kw_f_u64(f, KW_JSON_ONLY("netns"), h->netns_ino);
		kw_f_u64(f, KW_JSON_ONLY("netns_cookie"), h->netns_cookie);
	} else {
		kw_f_null(f, KW_JSON_ONLY("netns"));
	}
	if (h->flags & KW_F_CGROUP)
		kw_f_u64(f, KW_JSON_ONLY("cgroup_id"), h->cgroup_id);
	else
		kw_f_null(f, KW_JSON_ONLY("cgroup_id"));
	/* how the actor was identified: "current" (process context) or
	 * "socket_owner" (recorded at listen()/connect()) */
	if (h->flags & KW_F_TASK)
		kw_f_str(f, KW_JSON_ONLY("attribution"),
			 (h->flags & KW_F_OWNER) ? "socket_owner" : "current");
	else
		kw_f_str(f, KW_JSON_ONLY("attribution"), "none");
}

void kw_format_json(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	kw_format_json_id(b, ev, 0, ctx);
}

void kw_format_json_id(struct kw_buf *b, const struct kw_event *ev, uint64_t id,
		       const struct kw_fmt_ctx *ctx)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);
	struct kw_json j;
	struct kw_fields f = kw_fields_json(&j);

	kw_json_init(&j, b);
	kw_json_obj_begin(&j, NULL);
	json_header(&f, &ev->hdr, id, ctx);
	if (k)
		k->fields(&f, ev, ctx);
	kw_json_obj_end(&j);
}
