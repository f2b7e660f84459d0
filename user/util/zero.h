/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Clearing big tables without allocating the pages they never used. */
#ifndef KWHY_ZERO_H
#define KWHY_ZERO_H

#include <stddef.h>

/*
 * memset(p, 0, n), writing only the blocks that are not zero already.
 * kwhy's tables (the pipeline's pending explanations, the metrics, ...)
 * live in static memory and are cleared at start: a memset there writes
 * every page, which the kernel must then allocate (a megabyte of idle
 * RSS), while reading a page never written maps the kernel's shared zero
 * page and allocates nothing.  Memory that was used is cleared as before.
 */
void kw_zero(void *p, size_t n);

#endif
