/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Container identity from the names runtimes give things: the cgroup path
 * a runtime chose for a container, and the kubelet's log file and
 * directory names.  Everything here is pure (no I/O) so every layout, and
 * every hostile input, can be unit-tested; container_meta.h parses the
 * runtimes' JSON metadata and container_names.h does the reading.
 *
 * Strings produced here are copied as they were found: they are untrusted
 * and are escaped when printed (escape.h), not here.
 */
#ifndef KWHY_CONTAINER_H
#define KWHY_CONTAINER_H

#include <stddef.h>
#include "kwhy/events.h"

#define KW_CT_ID_HEX 64		/* full docker/containerd/cri-o/podman id */
#define KW_CT_SHORT_ID 12	/* default name: the id as `docker ps` shows it */

struct kw_container {
	enum kw_runtime runtime;
	char id[72];		/* 64 hex, a systemd unit name, or "host" */
	char name[128];		/* human name; the short id until known */
	char pod[128];		/* Kubernetes pod name, "" unknown */
	char k8s_namespace[64];
	char pod_uid[40];	/* with dashes, as the API server shows it */
};

/*
 * Classify a cgroup path (relative to its hierarchy's root, as in
 * /proc/<pid>/cgroup) into runtime and id.  The deepest component naming a
 * container wins, so sub-paths below it (".../container", "/init.scope")
 * belong to that container.  A bare 64-hex directory whose parent names no
 * known runtime is KW_RT_OTHER; a /<unit>.service with no container in it
 * is KW_RT_SYSTEMD; everything else is KW_RT_HOST with id and name "host".
 * Returns 0, or -EINVAL for NULL arguments (out, when given, is then host).
 */
int kw_container_from_path(const char *cgroup_path, struct kw_container *out);

/* What kubelet's log file and directory names say about a container. */
struct kw_k8s_ref {
	char k8s_namespace[64];
	char pod[128];
	char pod_uid[40];	/* only from /var/log/pods names */
	char container[128];	/* only from /var/log/containers names */
	char id[72];		/* only from /var/log/containers names */
};

/*
 * "<namespace>_<pod>_<uid>", the name of a directory in /var/log/pods
 * (a leading path is ignored).  Names that do not fit are cut; a uid that
 * does not fit is an error.  Returns 0 or -EINVAL; out is cleared first.
 */
int kw_k8s_from_pod_log_dir(const char *dirname, struct kw_k8s_ref *out);

/*
 * "<pod>_<namespace>_<container>-<64hex>.log", the name of a file in
 * /var/log/containers (a leading path is ignored).  Returns 0 or -EINVAL;
 * out is cleared first.
 */
int kw_k8s_from_container_log(const char *filename, struct kw_k8s_ref *out);

#endif
