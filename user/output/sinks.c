// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include "output/event_kinds.h"
#include "output/explanation.h"
#include "output/sinks.h"

void kw_output_init(struct kw_output *o, FILE *f, bool json, const struct kw_fmt_ctx *fmt)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->fmt = *fmt;
}

/* a failed write: a broken output, or one that is only not ready */
static void write_failed(struct kw_output *o, FILE *f)
{
	if (errno == EAGAIN || errno == EINTR) {
		o->not_written++;
		clearerr(f);	/* what stdio held is dropped; later lines may go */
		return;
	}
	if (!o->failed)
		o->err = errno;
	o->failed = true;
}

void kw_output_line(struct kw_output *o, FILE *f, struct kw_buf *b)
{
	kw_buf_putc(b, '\n');
	if (!f || b->truncated)	/* never emit half a JSON object */
		return;
	if (fwrite(b->p, 1, b->len, f) != b->len)
		write_failed(o, f);
}

void kw_output_flush(struct kw_output *o)
{
	if (o->f && fflush(o->f))
		write_failed(o, o->f);
}

static void out_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_output *o = ctx;
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);
	struct kw_buf b = KW_BUF_INIT(o->line);

	if (!o->f)
		return;
	if (o->json)
		kw_format_json_id(&b, ev, id, &o->fmt);
	else if (k && k->context)
		return;		/* context for the explanations, not news */
	else
		kw_format_text(&b, ev, &o->fmt);
	kw_output_line(o, o->f, &b);
}

/* an explanation, or else a summary, as one line */
static void out_result(struct kw_output *o, const struct kw_explanation *ex,
		       const struct kw_summary *s)
{
	struct kw_buf b = KW_BUF_INIT(o->line);

	if (!o->f)
		return;
	if (ex)
		kw_format_explanation(&b, o->json, ex, &o->fmt);
	else
		kw_format_summary(&b, o->json, s, &o->fmt);
	kw_output_line(o, o->f, &b);
}

static void out_explanation(void *ctx, const struct kw_explanation *ex)
{
	out_result(ctx, ex, NULL);
}

static void out_summary(void *ctx, const struct kw_summary *s)
{
	out_result(ctx, NULL, s);
}

struct kw_sinks kw_output_sinks(struct kw_output *o)
{
	return (struct kw_sinks){ .event = out_event, .explanation = out_explanation,
				  .summary = out_summary, .ctx = o };
}
