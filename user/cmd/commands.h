/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_WATCH_H
#define KWHY_WATCH_H

#include "cmd/opts.h"

/* `kwhy watch`; returns an exit code (opts.h) */
int kw_watch(const struct kw_opts *o);
/* `kwhy doctor` */
int kw_doctor(const struct kw_opts *o);
/* `kwhy report FILE` */
int kw_report(const struct kw_opts *o);
/* `kwhy info FILE` */
int kw_info(const struct kw_opts *o);

#endif
