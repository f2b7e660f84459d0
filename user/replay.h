/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_REPLAY_H
#define KWHY_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include "opts.h"

/* `kwhy replay FILE` and `kwhy info FILE`; exit codes as in opts.h */
int kw_replay(const struct kw_opts *o);
int kw_info(const struct kw_opts *o);
/* replay into out, as JSON lines or text: also the jsonl export */
int kw_replay_into(const struct kw_opts *o, FILE *out, bool json);

#endif
