// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "util/version.h"

/* the Makefile passes KWHY_VERSION to this file only */
const char kw_version[] = KWHY_VERSION;
const char kw_exporter_name[] = "kwhy " KWHY_VERSION;
