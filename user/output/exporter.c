// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The export back-ends' shared state and helpers: see exporter.h. */
#include <stdio.h>
#include <string.h>
#include "util/textfmt.h"
#include "output/exporter.h"

void kw_exporter_write(struct kw_exporter *x, const char *p, size_t n)
{
	fwrite(p, 1, n, x->out);	/* errors: ferror() at the end */
}

void kw_exporter_puts(struct kw_exporter *x, const char *s)
{
	kw_exporter_write(x, s, strlen(s));
}

uint64_t kw_exporter_wall_ns(const struct kw_exporter *x, uint64_t boot_ns)
{
	int64_t w = kw_boot_to_wall(boot_ns, x->info.boot_to_wall_ns);

	return w > 0 ? (uint64_t)w : 0;
}

void kw_exporter_note_time(struct kw_exporter *x, const struct kw_event *ev)
{
	uint64_t ts = ev->hdr.ts_boot_ns;

	if (!ts || ev->hdr.type == KW_EV_REPEAT)	/* repeats: drain time */
		return;
	if (!x->first_ns || ts < x->first_ns)
		x->first_ns = ts;
	if (ts > x->last_ns)
		x->last_ns = ts;
}

/* what the trace's cgroup records say of a cgroup, as the explainer sees it */
void kw_exporter_place(const struct kw_exporter *x, uint64_t id, bool v1, struct kw_place *p)
{
	kw_place_from_cgroup(&x->pipeline.model, p, id, v1);
}

void kw_exporter_netns_place(const struct kw_exporter *x, uint32_t netns, uint64_t cookie,
			     struct kw_place *p)
{
	kw_place_from_netns(&x->pipeline.model, p, netns, cookie);
}

/* the subject's cgroup, else the event's, else a process seen in its netns */
void kw_exporter_event_place(const struct kw_exporter *x, const struct kw_event *ev,
			     const struct kw_task *t, struct kw_place *p)
{
	uint64_t id = t ? t->cgroup_id : 0;

	if (!id && (ev->hdr.flags & KW_F_CGROUP))
		id = ev->hdr.cgroup_id;
	kw_exporter_place(x, id, false, p);
	if (!p->known && (ev->hdr.flags & KW_F_NETNS) &&
	    kw_model_netns_cgroup(&x->pipeline.model, ev->hdr.netns_ino, ev->hdr.netns_cookie))
		kw_exporter_netns_place(x, ev->hdr.netns_ino, ev->hdr.netns_cookie, p);
}

bool kw_cause_is_refusal(uint8_t cause)
{
	return cause >= KW_CAUSE_WRONG_ADDRESS && cause <= KW_CAUSE_REMOTE;
}

bool kw_cause_is_death(uint8_t cause)
{
	return cause == KW_CAUSE_MEMCG_LIMIT || cause == KW_CAUSE_GLOBAL_OOM ||
	       cause == KW_CAUSE_USERSPACE_KILLER || cause == KW_CAUSE_RUNTIME_STOP;
}

/* A text line of kwhy's without its leading time, runs of spaces as one. */
void kw_strip_time(char *dst, size_t n, const char *src)
{
	const char *s = strchr(src, ' ');
	size_t k = 0;

	s = s ? s + 1 : src;
	for (; *s && k + 1 < n; s++) {
		if (*s == ' ' && k && dst[k - 1] == ' ')
			continue;
		dst[k++] = *s == '\n' ? ' ' : *s;
	}
	dst[k] = '\0';
}