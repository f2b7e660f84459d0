/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_REPLAY_H
#define KWHY_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include "cmd/opts.h"
#include "cmd/target_offline.h"
#include "cmd/tracefile.h"
#include "trace/trace.h"

/* `kwhy replay FILE`; an exit code as in opts.h */
int kw_replay(const struct kw_opts *o);
/* replay into out, as JSON lines or text: also the jsonl export */
int kw_replay_into(const struct kw_opts *o, FILE *out, bool json);

#endif
