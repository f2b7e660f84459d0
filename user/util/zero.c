// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* See zero.h. */
#include <string.h>
#include "util/zero.h"

void kw_zero(void *p, size_t n)
{
	static const unsigned char zeros[256];
	unsigned char *b = p;

	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		if (memcmp(b, zeros, k))
			memset(b, 0, k);
		b += k;
		n -= k;
	}
}
