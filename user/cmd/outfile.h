/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * -o OUT of the commands that write a file from a trace (export, report):
 * never the trace itself, created safely (util/safefile.h: a new file,
 * mode 0600, never through a symlink; with --force a temporary file renamed
 * over OUT at the end, so a run that fails leaves the old OUT as it was).
 */
#ifndef KWHY_CMD_OUTFILE_H
#define KWHY_CMD_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include "util/safefile.h"
#include "cmd/opts.h"

/* o->out opened for writing (stdout when there is none), or NULL after
 * saying why on stderr; *code is then the exit code. */
FILE *kw_outfile_open(const struct kw_opts *o, struct kw_newfile *nf, int *code);
/* Flush and close f (not stdout); on success put it in place, otherwise
 * remove what was written.  ok: the run itself went well.  True when the
 * output is complete and in place. */
bool kw_outfile_close(const struct kw_opts *o, FILE *f, struct kw_newfile *nf, bool ok);

#endif
