/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A few SVG elements, written straight to a file: enough for the
 * report's timeline.  Every string given (text, tooltips) is untrusted and
 * escaped here (util/escape.c's HTML escaping, valid for SVG in HTML and
 * for XML); colours and class names are the caller's constants.
 * Coordinates are in user units, written with one decimal.
 */
#ifndef KWHY_OUTPUT_SVG_H
#define KWHY_OUTPUT_SVG_H

#include <stdio.h>

/* <svg> with its size; label is its accessible name */
void kw_svg_open(FILE *f, double w, double h, const char *label);
void kw_svg_close(FILE *f);
/* a filled rectangle; title (NULL: none) shows on hover */
void kw_svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
		 const char *title);
/* an unfilled rectangle's outline */
void kw_svg_frame(FILE *f, double x, double y, double w, double h, const char *stroke);
void kw_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
		 double width);
void kw_svg_circle(FILE *f, double cx, double cy, double r, const char *fill,
		   const char *title);
/* a triangle pointing down, its tip at (x, y) */
void kw_svg_tri(FILE *f, double x, double y, double size, const char *fill, const char *title);
/* anchor: "start", "middle" or "end" */
void kw_svg_text(FILE *f, double x, double y, const char *anchor, double size,
		 const char *fill, const char *text);
/* text that stops at max_w user units (a clip of its own id) */
void kw_svg_text_clipped(FILE *f, double x, double y, double max_w, double size,
			 const char *fill, const char *text, unsigned int clip_id);

#endif
