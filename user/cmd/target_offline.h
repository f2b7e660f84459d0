/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_TARGET_OFFLINE_H
#define KWHY_TARGET_OFFLINE_H

#include "cmd/opts.h"
#include "core/target.h"

/* --container/--pid from the trace's own records, by the rule live watching
 * uses (core/target.h); an exit code, with the message printed. */
int kw_offline_target(const struct kw_opts *o, struct kw_target *t);

#endif
