/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Capabilities, kept or given up for good: the raw capget/capset system
 * calls (three 64-bit sets, no library needed for that), the bounding set
 * and the ambient set.  Bits are capability numbers (CAP_BPF is bit 39).
 */
#ifndef KWHY_CAPS_H
#define KWHY_CAPS_H

#include <stdint.h>

/* Keep only `keep` (of what the process has): effective and permitted
 * lose the rest, the inheritable and ambient sets are emptied and the
 * bounding set loses the rest too, so that no execve can give them back.
 * 0 or -errno. */
int kw_caps_keep(uint64_t keep);
/* Take `cap` out of the effective set only (it stays permitted, to be
 * raised again with kw_caps_raise): to try whether something works
 * without it.  0 or -errno. */
int kw_caps_lower(int cap);
int kw_caps_raise(int cap);
/* the effective set, or 0 when it cannot be read */
uint64_t kw_caps_effective(void);
/* "CAP_BPF" for 39; NULL for a number without a name here */
const char *kw_cap_name(int cap);

#endif
