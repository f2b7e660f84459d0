/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Human names for a container, read from what its runtime and the kubelet
 * leave on the host: Kubernetes /var/log/containers and /var/log/pods
 * names, Docker containers/<id>/config.v2.json, podman's
 * overlay-containers/containers.json.  Reads are bounded; the parsing is
 * container_meta.c's.
 */
#ifndef KWHY_CONTAINER_NAMES_H
#define KWHY_CONTAINER_NAMES_H

#include "host/container.h"
#include "host/container_meta.h"

#define KW_META_READ_MAX (1 << 20)	/* bytes read of one metadata file */

/*
 * Names for ct (as kw_container_from_path left it) from metadata under
 * root ("/" normally, "/host" when kwhy runs in a container with the host's
 * root there).  Fields stay as they were when nothing is found.  Only
 * 64-hex ids are looked up, so an id can never point a path elsewhere.
 */
void kw_container_names(struct kw_container *ct, const char *root);

/*
 * A cgroup that no path rule names (plain containerd: `ctr run`, nerdctl,
 * whose cgroup is "/<namespace>/<id>" or whatever --cgroup said): it is a
 * containerd container when its last path component is a running task's
 * id, as containerd's shim state directories under root say
 * (run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>, and
 * dockerd's own containerd under run/docker/containerd/daemon).  ct is
 * set then (runtime, id, name = the id); bounded to 64 namespaces.
 */
bool kw_containerd_task(struct kw_container *ct, const char *cgroup_path, const char *root);

/* A container in Docker's metadata, running or not. */
struct kw_docker_found {
	char id[72];
	struct kw_docker_state state;
};

#define KW_DOCKER_FIND_MAX 4096		/* containers read by kw_docker_find */

/*
 * The first container under root's /var/lib/docker/containers that the
 * --container rule (kw_target_names_match) names want: 0 with out filled,
 * -ENOENT.  For saying a container that has no cgroup is stopped.
 */
int kw_docker_find(const char *root, const char *want, struct kw_docker_found *out);

#endif
