// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "core/event.h"

/* The ABI promises fixed sizes; a change that breaks them must be seen. */
_Static_assert(sizeof(struct kw_task) == 56, "kw_task layout");
_Static_assert(sizeof(struct kw_hdr) == 104, "kw_hdr layout");
_Static_assert(sizeof(struct kw_addr) == 20, "kw_addr layout");
_Static_assert(sizeof(struct kw_ev_oom) == 400, "kw_ev_oom layout");
_Static_assert(sizeof(struct kw_ev_exit) == 128, "kw_ev_exit layout");
_Static_assert(sizeof(struct kw_ev_signal) == 176, "kw_ev_signal layout");
_Static_assert(sizeof(struct kw_ev_listen) == 208, "kw_ev_listen layout");
_Static_assert(sizeof(struct kw_ev_conn) == 160, "kw_ev_conn layout");
_Static_assert(sizeof(struct kw_ev_bind) == 144, "kw_ev_bind layout");
_Static_assert(sizeof(struct kw_agg_key) == 40, "kw_agg_key layout");
_Static_assert(sizeof(struct kw_ev_repeat) == 176, "kw_ev_repeat layout");
_Static_assert(sizeof(struct kw_ev_cgroup) == 768, "kw_ev_cgroup layout");
_Static_assert(sizeof(struct kw_ev_memcg_procs) == 384, "kw_ev_memcg_procs layout");
_Static_assert(sizeof(struct kw_ev_sock_holders) == 480, "kw_ev_sock_holders layout");
_Static_assert(sizeof(struct kw_ev_resync) == 120, "kw_ev_resync layout");
/* counters have one size in every trace file */
_Static_assert(sizeof(struct kw_counters) == 4 * 40 * 8, "kw_counters layout");
_Static_assert(sizeof(struct kw_ev_unix_conn) == 232, "kw_ev_unix_conn layout");
_Static_assert(sizeof(struct kw_ev_unix_listen) == 240, "kw_ev_unix_listen layout");
_Static_assert(sizeof(struct kw_ev_unix_path) == 280, "kw_ev_unix_path layout");
_Static_assert(sizeof(struct kw_ev_port_usage) == 152, "kw_ev_port_usage layout");
_Static_assert(sizeof(struct kw_ev_accept_fail) == 136, "kw_ev_accept_fail layout");
_Static_assert(sizeof(struct kw_ev_fd_usage) == 152, "kw_ev_fd_usage layout");
_Static_assert(sizeof(struct kw_ev_accept_queue) == 168, "kw_ev_accept_queue layout");
_Static_assert(sizeof(struct kw_ev_connect_timeout) == 160, "kw_ev_connect_timeout layout");
_Static_assert(sizeof(struct kw_ev_syn_filtered) == 160, "kw_ev_syn_filtered layout");
_Static_assert(sizeof(struct kw_ev_idle_reset) == 200, "kw_ev_idle_reset layout");
_Static_assert(sizeof(struct kw_ev_listen_queue) == 504, "kw_ev_listen_queue layout");
_Static_assert(sizeof(struct kw_cgroup_mem) == 16, "kw_cgroup_mem layout");
_Static_assert(sizeof(struct kw_ev_host_mem) == 256, "kw_ev_host_mem layout");

size_t kw_event_size(unsigned int type)
{
	switch (type) {
	case KW_EV_OOM_KILL:	return sizeof(struct kw_ev_oom);
	case KW_EV_PROC_EXIT:	return sizeof(struct kw_ev_exit);
	case KW_EV_SIGNAL:	return sizeof(struct kw_ev_signal);
	case KW_EV_LISTEN:
	case KW_EV_LISTEN_CLOSE: return sizeof(struct kw_ev_listen);
	case KW_EV_CONNECT_FAIL:
	case KW_EV_RESET_SENT:
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:	return sizeof(struct kw_ev_conn);
	case KW_EV_BIND:	return sizeof(struct kw_ev_bind);
	case KW_EV_REPEAT:	return sizeof(struct kw_ev_repeat);
	case KW_EV_CGROUP:	return sizeof(struct kw_ev_cgroup);
	case KW_EV_MEMCG_PROCS:	return sizeof(struct kw_ev_memcg_procs);
	case KW_EV_SOCK_HOLDERS: return sizeof(struct kw_ev_sock_holders);
	case KW_EV_HOST_MEM:	return sizeof(struct kw_ev_host_mem);
	case KW_EV_RESYNC:	return sizeof(struct kw_ev_resync);
	case KW_EV_UNIX_CONNECT_FAIL: return sizeof(struct kw_ev_unix_conn);
	case KW_EV_CONNECT_NOADDR: return sizeof(struct kw_ev_conn);
	case KW_EV_ACCEPT_FAIL:	return sizeof(struct kw_ev_accept_fail);
	case KW_EV_UNIX_LISTEN:	return sizeof(struct kw_ev_unix_listen);
	case KW_EV_UNIX_PATH:	return sizeof(struct kw_ev_unix_path);
	case KW_EV_PORT_USAGE:	return sizeof(struct kw_ev_port_usage);
	case KW_EV_FD_USAGE:	return sizeof(struct kw_ev_fd_usage);
	case KW_EV_ACCEPT_QUEUE: return sizeof(struct kw_ev_accept_queue);
	case KW_EV_CONNECT_TIMEOUT: return sizeof(struct kw_ev_connect_timeout);
	case KW_EV_SYN_FILTERED: return sizeof(struct kw_ev_syn_filtered);
	case KW_EV_IDLE_RESET:	return sizeof(struct kw_ev_idle_reset);
	case KW_EV_LISTEN_QUEUE: return sizeof(struct kw_ev_listen_queue);
	default:		return 0;
	}
}

static void terminate(char *s, size_t n)
{
	s[n - 1] = '\0';
}

/* A system call's return: 0 or -errno, errno at most 4095 (MAX_ERRNO).
 * Whatever else a crafted trace holds is clamped there, so that every
 * reader may negate it (-INT_MIN is undefined). */
#define KW_MAX_ERRNO 4095

static void syscall_ret(__s32 *ret)
{
	if (*ret < -KW_MAX_ERRNO)
		*ret = -KW_MAX_ERRNO;
}

/* A sockaddr_un path as the kernel takes it: at most KW_UNIX_PATH_LEN
 * bytes; a filesystem path ends at its first NUL (addrlen may count the
 * terminator), an abstract name (first byte NUL) is all its bytes. */
static void unix_path_len(const char *path, __u16 *len)
{
	if (*len > KW_UNIX_PATH_LEN)
		*len = KW_UNIX_PATH_LEN;
	if (*len && path[0])
		*len = (__u16)strnlen(path, *len);
}

int kw_decode(const void *data, size_t len, struct kw_event *ev, char *err, size_t errlen)
{
	struct kw_hdr hdr;
	size_t want;

	if (len < sizeof(hdr)) {
		snprintf(err, errlen, "record of %zu bytes is shorter than a header (%zu)",
			 len, sizeof(hdr));
		return -1;
	}
	memcpy(&hdr, data, sizeof(hdr));
	want = kw_event_size(hdr.type);
	if (!want) {
		snprintf(err, errlen, "unknown event type %u", hdr.type);
		return -1;
	}
	if (hdr.size != len || len != want) {
		snprintf(err, errlen, "event type %u: record has %zu bytes, header says %u, "
			 "ABI %d wants %zu", hdr.type, len, hdr.size, KW_ABI_VERSION, want);
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	memcpy(ev, data, len);
	terminate(ev->hdr.task.comm, sizeof(ev->hdr.task.comm));
	if (hdr.type == KW_EV_OOM_KILL) {
		terminate(ev->oom.victim.comm, sizeof(ev->oom.victim.comm));
		if (ev->oom.nr_levels > KW_OOM_MAX_LEVELS)
			ev->oom.nr_levels = KW_OOM_MAX_LEVELS;
		if (ev->oom.limit_level >= ev->oom.nr_levels)
			ev->oom.limit_level = KW_OOM_GLOBAL;
	} else if (hdr.type == KW_EV_SIGNAL) {
		terminate(ev->signal.target.comm, sizeof(ev->signal.target.comm));
	} else if (hdr.type == KW_EV_LISTEN || hdr.type == KW_EV_LISTEN_CLOSE) {
		terminate(ev->listen.closer.comm, sizeof(ev->listen.closer.comm));
	} else if (hdr.type == KW_EV_CGROUP) {
		struct kw_ev_cgroup *c = &ev->cgroup;

		terminate(c->path, sizeof(c->path));
		terminate(c->container_id, sizeof(c->container_id));
		terminate(c->name, sizeof(c->name));
		terminate(c->pod, sizeof(c->pod));
		terminate(c->k8s_namespace, sizeof(c->k8s_namespace));
	} else if (hdr.type == KW_EV_BIND) {
		syscall_ret(&ev->bind.ret);
	} else if (hdr.type == KW_EV_ACCEPT_FAIL) {
		syscall_ret(&ev->accept_fail.ret);
	} else if (hdr.type == KW_EV_UNIX_CONNECT_FAIL) {
		syscall_ret(&ev->unix_conn.ret);
		unix_path_len(ev->unix_conn.path, &ev->unix_conn.path_len);
	} else if (hdr.type == KW_EV_UNIX_LISTEN) {
		unix_path_len(ev->unix_listen.path, &ev->unix_listen.path_len);
	} else if (hdr.type == KW_EV_UNIX_PATH) {
		unix_path_len(ev->unix_path.path, &ev->unix_path.path_len);
	} else if (hdr.type == KW_EV_MEMCG_PROCS) {
		if (ev->memcg_procs.nr > KW_MEMCG_PROCS_MAX)
			ev->memcg_procs.nr = KW_MEMCG_PROCS_MAX;
		for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++)
			terminate(ev->memcg_procs.procs[i].comm, KW_COMM_LEN);
	} else if (hdr.type == KW_EV_SOCK_HOLDERS) {
		if (ev->sock_holders.nr > KW_HOLDERS_MAX)
			ev->sock_holders.nr = KW_HOLDERS_MAX;
		for (int i = 0; i < KW_HOLDERS_MAX; i++)
			terminate(ev->sock_holders.holders[i].comm, KW_COMM_LEN);
	} else if (hdr.type == KW_EV_LISTEN_QUEUE) {
		if (ev->listen_queue.nr > KW_HOLDERS_MAX)
			ev->listen_queue.nr = KW_HOLDERS_MAX;
		for (int i = 0; i < KW_HOLDERS_MAX; i++)
			terminate(ev->listen_queue.holders[i].comm, KW_COMM_LEN);
	} else if (hdr.type == KW_EV_HOST_MEM) {
		if (ev->host_mem.nr_cgroups > KW_HOST_MEM_CGROUPS)
			ev->host_mem.nr_cgroups = KW_HOST_MEM_CGROUPS;
	}
	return 0;
}
