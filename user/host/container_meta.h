/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Human container names from the JSON metadata runtimes write, parsed
 * from its contents (no I/O) with the project's one JSON reader,
 * util/jsonq, so a hostile file can be tested without a host.
 *
 * The text is untrusted: it must be valid JSON (RFC 8259, as Docker and
 * podman write it), at most KW_META_JSON_MAX bytes long with at most
 * KW_META_JSON_VALUES values, so the parsed tree stays small; nesting is
 * bounded by jsonq.  Names are copied as found, cut to fit on a UTF-8
 * character boundary, and escaped when printed (escape.h), not here.
 */
#ifndef KWHY_CONTAINER_META_H
#define KWHY_CONTAINER_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KW_META_JSON_MAX (4u << 20)	/* bytes: podman's containers.json holds them all */
#define KW_META_JSON_VALUES (1u << 18)	/* values (each a node in memory) */

/*
 * The top-level "Name" of Docker's containers/<id>/config.v2.json
 * ("/web-1" -> "web-1"): the first one that is a non-empty string.  A name
 * longer than len - 1 is cut.  Returns 0, -ENOENT when there is no usable
 * top-level Name, -EINVAL for arguments or text that is not a JSON object
 * within the bounds.
 */
int kw_docker_name_from_config(const char *json_text, char *name, size_t len);

/* What Docker's config.v2.json says of a container's state. */
struct kw_docker_state {
	char name[128];		/* without Docker's leading '/' */
	bool running;		/* State.Running (or Restarting, or Paused) */
	int64_t exit_code;	/* State.ExitCode */
	char finished_at[40];	/* State.FinishedAt, RFC 3339, "" unknown */
};

/*
 * The name and State of a config.v2.json.  Returns 0, -ENOENT when it has
 * no usable Name or no State object, -EINVAL for arguments or text that
 * is not a JSON object within the bounds.
 */
int kw_docker_state_from_config(const char *json_text, struct kw_docker_state *st);

/*
 * The first of "names" of the object whose "id" is id in podman's
 * storage/overlay-containers/containers.json (a JSON array of objects).
 * Returns 0, -ENOENT when id is not there (or has no name), -EINVAL for
 * arguments or text that is not a JSON array within the bounds.
 */
int kw_podman_name_from_containers(const char *json_text, const char *id,
				   char *name, size_t len);

#endif
