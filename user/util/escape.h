/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strings from the kernel (comm, paths) and from the host (container
 * names) are untrusted bytes.  Before they reach a terminal, control bytes
 * and anything outside printable ASCII become \xNN; in JSON, the result is
 * always valid UTF-8 with invalid bytes written as \u00NN.
 */
#ifndef KWHY_ESCAPE_H
#define KWHY_ESCAPE_H

#include <stddef.h>
#include "util/buf.h"

/* src is read up to n bytes or the first NUL, whichever comes first */
void kw_escape_term(struct kw_buf *b, const char *src, size_t n);
void kw_escape_json(struct kw_buf *b, const char *src, size_t n);
/* HTML text and attribute values (and SVG inside HTML): & < > " ' as
 * entities; controls and invalid UTF-8 as \xNN */
void kw_escape_html(struct kw_buf *b, const char *src, size_t n);
/* Markdown (CommonMark/GFM) inline text: markup characters backslashed,
 * controls and invalid UTF-8 as \xNN */
void kw_escape_md(struct kw_buf *b, const char *src, size_t n);

#endif
