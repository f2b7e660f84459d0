// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SVG elements for the report: see svg.h. */
#include <string.h>
#include "output/svg.h"
#include "util/buf.h"
#include "util/escape.h"

/* s escaped for text or an attribute value, bounded */
static void put_escaped(FILE *f, const char *s)
{
	char out[4096];
	struct kw_buf b = KW_BUF_INIT(out);

	kw_escape_html(&b, s, strlen(s));
	fputs(out, f);
}

static void title_or_end(FILE *f, const char *elem, const char *title)
{
	if (!title) {
		fputs("/>", f);
		return;
	}
	fputs("><title>", f);
	put_escaped(f, title);
	fprintf(f, "</title></%s>", elem);
}

void kw_svg_open(FILE *f, double w, double h, const char *label)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", w, h, w, h);
	put_escaped(f, label);
	fputs("\" font-family=\"sans-serif\">\n", f);
}

void kw_svg_close(FILE *f)
{
	fputs("</svg>\n", f);
}

void kw_svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
		 const char *title)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y,
		w, h, fill);
	title_or_end(f, "rect", title);
	fputc('\n', f);
}

void kw_svg_frame(FILE *f, double x, double y, double w, double h, const char *stroke)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"%s\"/>\n", x, y, w, h, stroke);
}

void kw_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
		 double width)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"%.1f\"/>\n", x1, y1, x2, y2, stroke, width);
}

void kw_svg_circle(FILE *f, double cx, double cy, double r, const char *fill,
		   const char *title)
{
	fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"", cx, cy, r, fill);
	title_or_end(f, "circle", title);
	fputc('\n', f);
}

void kw_svg_tri(FILE *f, double x, double y, double size, const char *fill, const char *title)
{
	fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"", x, y,
		x - size / 2, y - size, x + size / 2, y - size, fill);
	title_or_end(f, "path", title);
	fputc('\n', f);
}

void kw_svg_text(FILE *f, double x, double y, const char *anchor, double size,
		 const char *fill, const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.1f\" "
		"fill=\"%s\">", x, y, anchor, size, fill);
	put_escaped(f, text);
	fputs("</text>\n", f);
}

void kw_svg_text_clipped(FILE *f, double x, double y, double max_w, double size,
			 const char *fill, const char *text, unsigned int clip_id)
{
	fprintf(f, "<clipPath id=\"kwc%u\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\"/></clipPath>", clip_id, x, y - size, max_w, size * 1.4);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"%s\" "
		"clip-path=\"url(#kwc%u)\">", x, y, size, fill, clip_id);
	put_escaped(f, text);
	fputs("</text>\n", f);
}
