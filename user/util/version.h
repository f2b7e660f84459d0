/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kwhy's own version, from `git describe` at build time.  One object holds
 * it, so a new commit rebuilds that object alone and nothing can carry an
 * older version than the binary it is linked into. */
#ifndef KWHY_VERSION_H
#define KWHY_VERSION_H

extern const char kw_version[];		/* "fcd225b", "0.1" */
extern const char kw_exporter_name[];	/* "kwhy fcd225b" */

#endif
