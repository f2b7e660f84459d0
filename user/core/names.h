/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names for the numbers in events: stable identifiers used in JSON and in
 * text.  Unknown values get a NULL from these; callers print the number. */
#ifndef KWHY_NAMES_H
#define KWHY_NAMES_H

const char *kw_event_name(unsigned int type);	/* JSON "type" */
const char *kw_tcp_state_name(unsigned int state);
const char *kw_errno_name(int err);		/* "ECONNREFUSED" */
const char *kw_signal_name(int sig);		/* "SIGKILL" */
const char *kw_family_name(unsigned int family); /* "ipv4" */
const char *kw_sock_type_name(unsigned int type);
const char *kw_close_how_name(unsigned int how);
const char *kw_conn_source_name(unsigned int src);
const char *kw_victim_src_name(unsigned int src);
const char *kw_aq_source_name(unsigned int src);	/* enum kw_aq_source */
const char *kw_runtime_name(unsigned int rt);	/* enum kw_runtime: "docker" */

#endif
