/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `kwhy report`'s renderers, one file each: the timeline as SVG
 * (report_svg.c), the Markdown write-up (report_md.c) and the single
 * self-contained HTML page (report_html.c), from what report_model.c
 * gathered.  Each explanation is rendered as it comes into a scratch file
 * (r->ctx), which the page then takes in whole.
 */
#ifndef KWHY_OUTPUT_REPORT_H
#define KWHY_OUTPUT_REPORT_H

#include <stdio.h>
#include "output/report_model.h"

/* the per-container timeline */
void kw_report_svg(FILE *f, const struct kw_report *r);

/* on_explanation for each format: r->ctx is the FILE * of explanations */
kw_report_ex_fn kw_report_md_explanation, kw_report_html_explanation;
/* the whole document to out; explanations holds what the callbacks wrote */
void kw_report_md(FILE *out, const struct kw_report *r, FILE *explanations);
void kw_report_html(FILE *out, const struct kw_report *r, FILE *explanations);

/* shared by the renderers (report_model.c) */
/* "14:13:35.636" of a boot time, UTC */
void kw_report_clock(struct kw_buf *b, const struct kw_report *r, uint64_t boot_ns);
/* "2026-12-04T14:13:35.636973341Z" */
void kw_report_date(struct kw_buf *b, const struct kw_report *r, uint64_t boot_ns);
/* s (up to n bytes or its NUL) escaped by esc (util/escape.h), any length */
typedef void kw_escape_fn(struct kw_buf *b, const char *src, size_t n);
void kw_report_escaped(FILE *f, kw_escape_fn *esc, const char *s, size_t n);
/* what a rendered explanation file holds, appended to out */
void kw_report_append(FILE *out, FILE *in);
/* the total lost by the ring buffers, and whether the trace said */
uint64_t kw_report_lost(const struct kw_report *r);

#endif
