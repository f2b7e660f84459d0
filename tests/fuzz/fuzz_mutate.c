// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The custom mutator of fuzz_pipeline.c: mutations of whole frames and of
 * the fields of events, so that what comes out is still a stream of valid
 * records (right type and size) and the fuzzer spends its time in the
 * model rather than in kw_decode's refusals (fuzz_trace covers those).
 *
 * Each field of each event type has a class (a pid, a network namespace,
 * an endpoint, a socket inode, a UNIX path, a time ...): a field is set to
 * a value of its class taken from another event of the input, so events
 * come to agree (the refused connect names the listener's port, the exit
 * the listener's owner) the way a real story does; or to a value of the
 * class's edge cases.  Timestamps are re-stamped in order, or made to go
 * back, or pushed to the ends of the range.  Frames are inserted (an event
 * of any type, a flush point, counters, enum names, header strings),
 * deleted, duplicated, swapped, and events change type.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/event.h"
#include "trace/trace.h"
#include "pipeline_input.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed);

/* ---- the fields ---- */

enum fz_class {
	C_TS,		/* u64 boot ns */
	C_DUR,		/* u64 ns, a duration */
	C_PID,		/* u32 */
	C_NETNS,	/* u32 inode */
	C_COOKIE,	/* u64 */
	C_CGROUP,	/* u64 id */
	C_ADDR,		/* struct kw_addr */
	C_TASK,		/* struct kw_task */
	C_INO,		/* u64 socket inode */
	C_UPATH,	/* char[KW_UNIX_PATH_LEN], its u16 length at off2 */
	C_STR,		/* char[size], a name */
	C_ERRNO,	/* s32, positive or negative by the field */
	C_U8, C_U16, C_U32, C_U64,
	C_NCLASSES
};

struct fz_field {
	uint16_t type;
	uint16_t off, size, off2;
	uint8_t cls;
};

#define EV(t, s, m, c) { t, offsetof(struct s, m), sizeof(((struct s *)0)->m), 0, c }
#define UP(t, s) { t, offsetof(struct s, path), KW_UNIX_PATH_LEN, offsetof(struct s, path_len), C_UPATH }
#define TASK_OF(t, s, m)							\
	EV(t, s, m, C_TASK), EV(t, s, m.tgid, C_PID), EV(t, s, m.pid, C_PID),	\
	EV(t, s, m.cgroup_id, C_CGROUP), EV(t, s, m.memcg_id, C_CGROUP),	\
	EV(t, s, m.netns_ino, C_NETNS), EV(t, s, m.uid, C_U32), EV(t, s, m.comm, C_STR)

/* type 0: every type's header */
static const struct fz_field fields[] = {
	EV(0, kw_hdr, ts_boot_ns, C_TS),
	EV(0, kw_hdr, ts_boot_ns, C_TS),
	EV(0, kw_hdr, flags, C_U16),
	EV(0, kw_hdr, netns_cookie, C_COOKIE),
	EV(0, kw_hdr, netns_ino, C_NETNS),
	EV(0, kw_hdr, cgroup_id, C_CGROUP),
	TASK_OF(0, kw_hdr, task),

	TASK_OF(KW_EV_OOM_KILL, kw_ev_oom, victim),
	EV(KW_EV_OOM_KILL, kw_ev_oom, levels[0].cgroup_id, C_CGROUP),
	EV(KW_EV_OOM_KILL, kw_ev_oom, levels[1].cgroup_id, C_CGROUP),
	EV(KW_EV_OOM_KILL, kw_ev_oom, levels[0].usage_bytes, C_U64),
	EV(KW_EV_OOM_KILL, kw_ev_oom, levels[0].limit_bytes, C_U64),
	EV(KW_EV_OOM_KILL, kw_ev_oom, nr_levels, C_U8),
	EV(KW_EV_OOM_KILL, kw_ev_oom, limit_level, C_U8),
	EV(KW_EV_OOM_KILL, kw_ev_oom, victim_src, C_U8),
	EV(KW_EV_OOM_KILL, kw_ev_oom, memcg_v1, C_U8),
	EV(KW_EV_OOM_KILL, kw_ev_oom, oom_score_adj, C_U32),
	EV(KW_EV_OOM_KILL, kw_ev_oom, anon_rss_kb, C_U64),

	EV(KW_EV_PROC_EXIT, kw_ev_exit, exit_code, C_U32),
	EV(KW_EV_PROC_EXIT, kw_ev_exit, why, C_U32),
	EV(KW_EV_PROC_EXIT, kw_ev_exit, nr_listeners, C_U32),
	EV(KW_EV_PROC_EXIT, kw_ev_exit, group_dead, C_U8),
	EV(KW_EV_PROC_EXIT, kw_ev_exit, maxrss_kb, C_U64),

	TASK_OF(KW_EV_SIGNAL, kw_ev_signal, target),
	EV(KW_EV_SIGNAL, kw_ev_signal, sig, C_U32),
	EV(KW_EV_SIGNAL, kw_ev_signal, result, C_U32),
	EV(KW_EV_SIGNAL, kw_ev_signal, group, C_U8),
	EV(KW_EV_SIGNAL, kw_ev_signal, from_kernel, C_U8),

#define LISTEN_FIELDS(t)						\
	EV(t, kw_ev_listen, local, C_ADDR),				\
	EV(t, kw_ev_listen, local.port, C_U16),				\
	EV(t, kw_ev_listen, backlog, C_U32),				\
	EV(t, kw_ev_listen, v6only, C_U8),				\
	EV(t, kw_ev_listen, how, C_U8),					\
	EV(t, kw_ev_listen, owner_known, C_U8),				\
	EV(t, kw_ev_listen, since_boot_ns, C_TS),			\
	EV(t, kw_ev_listen, closer_exit_code, C_U32),			\
	TASK_OF(t, kw_ev_listen, closer)
	LISTEN_FIELDS(KW_EV_LISTEN),
	LISTEN_FIELDS(KW_EV_LISTEN_CLOSE),

#define CONN_FIELDS(t)							\
	EV(t, kw_ev_conn, local, C_ADDR),				\
	EV(t, kw_ev_conn, remote, C_ADDR),				\
	EV(t, kw_ev_conn, remote.port, C_U16),				\
	EV(t, kw_ev_conn, state, C_U32),				\
	EV(t, kw_ev_conn, error, C_ERRNO),				\
	EV(t, kw_ev_conn, reason, C_U32),				\
	EV(t, kw_ev_conn, source, C_U8),				\
	EV(t, kw_ev_conn, tcp_flags, C_U8),				\
	EV(t, kw_ev_conn, reset_received, C_U8),			\
	EV(t, kw_ev_conn, has_reason, C_U8)
	CONN_FIELDS(KW_EV_CONNECT_FAIL),
	CONN_FIELDS(KW_EV_RESET_SENT),
	CONN_FIELDS(KW_EV_RESET_RECV),
	CONN_FIELDS(KW_EV_SOCK_ERROR),
	CONN_FIELDS(KW_EV_CONNECT_NOADDR),

	EV(KW_EV_BIND, kw_ev_bind, addr, C_ADDR),
	EV(KW_EV_BIND, kw_ev_bind, ret, C_ERRNO),
	EV(KW_EV_BIND, kw_ev_bind, fd, C_U32),
	EV(KW_EV_BIND, kw_ev_bind, bound_port, C_U16),
	EV(KW_EV_BIND, kw_ev_bind, sock_type, C_U16),
	EV(KW_EV_BIND, kw_ev_bind, protocol, C_U8),
	EV(KW_EV_BIND, kw_ev_bind, v6only, C_U8),
	EV(KW_EV_BIND, kw_ev_bind, reuseaddr, C_U8),
	EV(KW_EV_BIND, kw_ev_bind, reuseport, C_U8),

	EV(KW_EV_REPEAT, kw_ev_repeat, key.netns_ino, C_NETNS),
	EV(KW_EV_REPEAT, kw_ev_repeat, key.type, C_U16),
	EV(KW_EV_REPEAT, kw_ev_repeat, key.tgid, C_PID),
	EV(KW_EV_REPEAT, kw_ev_repeat, key.code, C_U32),
	EV(KW_EV_REPEAT, kw_ev_repeat, key.dest, C_ADDR),
	EV(KW_EV_REPEAT, kw_ev_repeat, count, C_U64),
	EV(KW_EV_REPEAT, kw_ev_repeat, total, C_U64),
	EV(KW_EV_REPEAT, kw_ev_repeat, first_ns, C_TS),
	EV(KW_EV_REPEAT, kw_ev_repeat, last_ns, C_TS),

	EV(KW_EV_CGROUP, kw_ev_cgroup, cgroup_id, C_CGROUP),
	EV(KW_EV_CGROUP, kw_ev_cgroup, v1_memory, C_U8),
	EV(KW_EV_CGROUP, kw_ev_cgroup, runtime, C_U8),
	EV(KW_EV_CGROUP, kw_ev_cgroup, resolved, C_U8),
	EV(KW_EV_CGROUP, kw_ev_cgroup, path, C_STR),
	EV(KW_EV_CGROUP, kw_ev_cgroup, container_id, C_STR),
	EV(KW_EV_CGROUP, kw_ev_cgroup, name, C_STR),
	EV(KW_EV_CGROUP, kw_ev_cgroup, pod, C_STR),
	EV(KW_EV_CGROUP, kw_ev_cgroup, k8s_namespace, C_STR),

	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, cgroup_id, C_CGROUP),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, usage_bytes, C_U64),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, nr, C_U32),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, total_procs, C_U32),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, procs[0].pid, C_PID),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, procs[0].rss_kb, C_U64),
	EV(KW_EV_MEMCG_PROCS, kw_ev_memcg_procs, procs[1].comm, C_STR),

	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, local, C_ADDR),
	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, trigger, C_U32),
	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, sock_ino, C_INO),
	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, nr, C_U32),
	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, total, C_U32),
	TASK_OF(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, holders[0]),
	EV(KW_EV_SOCK_HOLDERS, kw_ev_sock_holders, holders[1], C_TASK),

	EV(KW_EV_HOST_MEM, kw_ev_host_mem, victim_pid, C_PID),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, has_meminfo, C_U8),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, cgroups_v1, C_U8),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, nr_cgroups, C_U8),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, mem_total_kb, C_U64),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, mem_available_kb, C_U64),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, swap_total_kb, C_U64),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, cgroups_read, C_U32),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, cgroups[0].cgroup_id, C_CGROUP),
	EV(KW_EV_HOST_MEM, kw_ev_host_mem, cgroups[0].usage_bytes, C_U64),

	EV(KW_EV_RESYNC, kw_ev_resync, phase, C_U32),
	EV(KW_EV_RESYNC, kw_ev_resync, listeners, C_U32),
	EV(KW_EV_RESYNC, kw_ev_resync, lost, C_U64),

	EV(KW_EV_UNIX_CONNECT_FAIL, kw_ev_unix_conn, ret, C_ERRNO),
	EV(KW_EV_UNIX_CONNECT_FAIL, kw_ev_unix_conn, sock_type, C_U16),
	UP(KW_EV_UNIX_CONNECT_FAIL, kw_ev_unix_conn),

	EV(KW_EV_ACCEPT_FAIL, kw_ev_accept_fail, ret, C_ERRNO),
	EV(KW_EV_ACCEPT_FAIL, kw_ev_accept_fail, accept4, C_U32),
	EV(KW_EV_ACCEPT_FAIL, kw_ev_accept_fail, nofile_cur, C_U64),
	EV(KW_EV_ACCEPT_FAIL, kw_ev_accept_fail, nofile_max, C_U64),
	EV(KW_EV_ACCEPT_FAIL, kw_ev_accept_fail, max_fds, C_U32),

	EV(KW_EV_UNIX_LISTEN, kw_ev_unix_listen, ino, C_INO),
	EV(KW_EV_UNIX_LISTEN, kw_ev_unix_listen, backlog, C_U32),
	EV(KW_EV_UNIX_LISTEN, kw_ev_unix_listen, queued, C_U32),
	EV(KW_EV_UNIX_LISTEN, kw_ev_unix_listen, sock_type, C_U16),
	EV(KW_EV_UNIX_LISTEN, kw_ev_unix_listen, source, C_U8),
	UP(KW_EV_UNIX_LISTEN, kw_ev_unix_listen),

	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, client_pid, C_PID),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, stat_err, C_ERRNO),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, mode, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, uid, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, gid, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, dir_err, C_ERRNO),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, dir_mode, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, client_euid, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, client_in_group, C_U8),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, creds_read, C_U8),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, reread, C_U8),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, listeners, C_U32),
	EV(KW_EV_UNIX_PATH, kw_ev_unix_path, ino, C_INO),
	UP(KW_EV_UNIX_PATH, kw_ev_unix_path),

	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, dest, C_ADDR),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, client_pid, C_PID),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, range_lo, C_U16),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, range_hi, C_U16),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, to_dest, C_U32),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, to_dest_time_wait, C_U32),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, in_range, C_U32),
	EV(KW_EV_PORT_USAGE, kw_ev_port_usage, read_ok, C_U8),

	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, pid, C_PID),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, open_fds, C_U32),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, nofile_soft, C_U64),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, nofile_hard, C_U64),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, file_nr, C_U64),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, file_max, C_U64),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, fds_read, C_U8),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, limits_read, C_U8),
	EV(KW_EV_FD_USAGE, kw_ev_fd_usage, file_nr_read, C_U8),

	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, local, C_ADDR),
	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, remote, C_ADDR),
	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, queued, C_U32),
	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, max_backlog, C_U32),
	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, oldest_wait_ns, C_DUR),
	EV(KW_EV_ACCEPT_QUEUE, kw_ev_accept_queue, source, C_U8),

	EV(KW_EV_CONNECT_TIMEOUT, kw_ev_connect_timeout, local, C_ADDR),
	EV(KW_EV_CONNECT_TIMEOUT, kw_ev_connect_timeout, remote, C_ADDR),
	EV(KW_EV_CONNECT_TIMEOUT, kw_ev_connect_timeout, error, C_ERRNO),
	EV(KW_EV_CONNECT_TIMEOUT, kw_ev_connect_timeout, syn_retransmits, C_U32),
	EV(KW_EV_CONNECT_TIMEOUT, kw_ev_connect_timeout, waited_ns, C_DUR),

	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, local, C_ADDR),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, remote, C_ADDR),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, reason, C_U32),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, icmp_type, C_U8),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, icmp_code, C_U8),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, retransmit, C_U8),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, tcp_flags, C_U8),
	EV(KW_EV_SYN_FILTERED, kw_ev_syn_filtered, seq, C_U32),

	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, local, C_ADDR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, remote, C_ADDR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, fin_ago_ns, C_DUR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, last_recv_ago_ns, C_DUR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, last_send_ago_ns, C_DUR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, bytes_received, C_U64),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, conn_age_ns, C_DUR),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, state, C_U32),
	EV(KW_EV_IDLE_RESET, kw_ev_idle_reset, known, C_U32),

	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, local, C_ADDR),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, found, C_U8),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, counters_read, C_U8),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, queued, C_U32),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, max_backlog, C_U32),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, sock_ino, C_INO),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, listen_overflows, C_U64),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, listen_drops, C_U64),
	EV(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, nr, C_U32),
	TASK_OF(KW_EV_LISTEN_QUEUE, kw_ev_listen_queue, holders[0]),
};

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* ---- the input as a list of frames ---- */

#define M_FRAMES 1024
#define M_BYTES (256 * 1024)

struct m_frame {
	uint16_t kind;
	uint32_t len;
	uint8_t *p;
};

struct m_input {
	uint8_t prelude[FZ_PRELUDE];
	uint32_t n;
	struct m_frame f[M_FRAMES];
	uint8_t store[M_BYTES];
	size_t used;
};

static uint32_t rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

static uint8_t *m_alloc(struct m_input *in, size_t n)
{
	uint8_t *p;

	if (in->used + n > sizeof(in->store))
		return NULL;
	p = in->store + in->used;
	in->used += n;
	return p;
}

static void m_parse(struct m_input *in, const uint8_t *data, size_t size)
{
	const uint8_t *p;
	uint32_t len;
	uint16_t kind;
	size_t at, used;

	in->n = 0;
	in->used = 0;
	memset(in->prelude, 0, sizeof(in->prelude));
	memcpy(in->prelude, data, size < FZ_PRELUDE ? size : FZ_PRELUDE);
	for (at = FZ_PRELUDE; size > FZ_PRELUDE && in->n < M_FRAMES; at += used) {
		uint8_t *dst;

		used = fz_frame_get(data + at, size - at, &kind, &p, &len);
		if (!used || len > KW_TRACE_FRAME_MAX || !(dst = m_alloc(in, len)))
			break;
		memcpy(dst, p, len);
		in->f[in->n++] = (struct m_frame){ .kind = kind, .len = len, .p = dst };
	}
}

static size_t m_write(const struct m_input *in, uint8_t *out, size_t max)
{
	size_t at = FZ_PRELUDE;

	if (max < FZ_PRELUDE)
		return 0;
	memcpy(out, in->prelude, FZ_PRELUDE);
	for (uint32_t i = 0; i < in->n; i++) {
		if (at + FZ_FRAME_HDR + in->f[i].len > max)
			break;
		fz_frame_hdr_put(out + at, in->f[i].kind, in->f[i].len);
		memcpy(out + at + FZ_FRAME_HDR, in->f[i].p, in->f[i].len);
		at += FZ_FRAME_HDR + in->f[i].len;
	}
	return at;
}

static bool is_event(const struct m_frame *f)
{
	uint16_t type;

	if (f->kind != KW_FRAME_EVENT || f->len < sizeof(struct kw_hdr))
		return false;
	memcpy(&type, f->p, 2);
	return kw_event_size(type) == f->len;
}

static uint16_t ev_type(const struct m_frame *f)
{
	uint16_t type;

	memcpy(&type, f->p, 2);
	return type;
}

/* a random event frame, -1 when there is none */
static int pick_event(const struct m_input *in, unsigned int *s)
{
	uint32_t start;

	if (!in->n)
		return -1;
	start = rnd(s) % in->n;
	for (uint32_t k = 0; k < in->n; k++) {
		uint32_t i = (start + k) % in->n;

		if (is_event(&in->f[i]))
			return (int)i;
	}
	return -1;
}

static uint64_t ev_ts(const struct m_frame *f)
{
	uint64_t ts;

	memcpy(&ts, f->p + offsetof(struct kw_hdr, ts_boot_ns), 8);
	return ts;
}

static void set_ts(struct m_frame *f, uint64_t ts)
{
	memcpy(f->p + offsetof(struct kw_hdr, ts_boot_ns), &ts, 8);
}

/* a field of the event's type (or of the header), -1 when none */
static int pick_field(uint16_t type, unsigned int *s, int cls)
{
	int cand[NR_FIELDS], n = 0;

	for (size_t i = 0; i < NR_FIELDS; i++)
		if ((fields[i].type == 0 || fields[i].type == type) &&
		    (cls < 0 || fields[i].cls == cls))
			cand[n++] = (int)i;
	return n ? cand[rnd(s) % n] : -1;
}

/* ---- values ---- */

static const uint64_t edge64[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xffffffffffffffffULL, 0xfffffffffffffffeULL, 1000000000ULL, 999999999ULL,
	15000000ULL, 1500000000ULL, 10000000000ULL, 120000000000ULL,
};
static const int32_t errnos[] = { 0, 1, 2, 11, 13, 22, 23, 24, 98, 99, 104, 110, 111, 113,
				  -1, -2, -11, -13, -24, -23, -98, -99, -110, -111,
				  0x7fffffff, (int32_t)0x80000000, -0x7fffffff, 4096, -4096 };
static const uint16_t ports[] = { 0, 22, 80, 443, 5432, 8000, 8080, 9000, 32768, 60999, 65535 };

static void put(uint8_t *p, size_t size, uint64_t v)
{
	memcpy(p, &v, size > 8 ? 8 : size);	/* little-endian host */
}

static void set_addr(uint8_t *p, unsigned int *s)
{
	struct kw_addr a = { 0 };
	uint32_t r = rnd(s);

	a.family = (uint16_t[]){ 2, 2, 10, 10, 0, 1, 0xffff }[r % 7];
	a.port = ports[rnd(s) % (sizeof(ports) / sizeof(ports[0]))];
	switch (rnd(s) % 6) {
	case 0:
		a.addr[0] = 127, a.addr[3] = 1;
		break;
	case 1:
		break;			/* 0.0.0.0, :: */
	case 2:
		a.addr[10] = a.addr[11] = 0xff, a.addr[12] = 127, a.addr[15] = 1;
		break;
	case 3:
		a.addr[15] = 1;		/* ::1 */
		break;
	case 4:
		a.addr[0] = 10, a.addr[1] = (uint8_t)r, a.addr[3] = 2;
		break;
	default:
		for (int i = 0; i < 16; i++)
			a.addr[i] = (uint8_t)rnd(s);
	}
	memcpy(p, &a, sizeof(a));
}

static void set_str(uint8_t *p, size_t size, unsigned int *s)
{
	static const char *const strs[] = {
		"", "nginx", "a\"b\\c", "<script>x</script>", "\x1b[31mred", "tab\there",
		"line\nbreak", "\xff\xfe bad utf-8", "caf\xc3\xa9", "/system.slice/web.service",
		"/kubepods/burstable/pod1/0123456789ab", "0123456789abcdef0123456789abcdef",
		"docker-0123456789ab.scope", "& &amp; ]]> */ -->", "%s%n%x", "\x7f",
		"/run/app.sock", "/", "..", "host", "containerd-shim", "runc", "dockerd",
		"kubepods", "gunicorn", "system.slice",
	};
	const char *v = strs[rnd(s) % (sizeof(strs) / sizeof(strs[0]))];
	size_t n = strlen(v);

	if (rnd(s) % 8 == 0) {		/* full, unterminated */
		memset(p, 'A' + rnd(s) % 26, size);
		return;
	}
	memset(p, 0, size);
	memcpy(p, v, n < size ? n : size);
}

/* a value of the class, from another event of the input when one has a
 * field of the class */
static bool copy_from_other(const struct m_input *in, const struct fz_field *to, uint8_t *dst,
			    unsigned int *s)
{
	for (int tries = 0; tries < 8; tries++) {
		int j = pick_event(in, s), k;

		if (j < 0)
			return false;
		k = pick_field(ev_type(&in->f[j]), s, to->cls);
		if (k < 0 || fields[k].size != to->size)
			continue;
		memmove(dst, in->f[j].p + fields[k].off, to->size);
		if (to->cls == C_UPATH)
			memmove(dst - to->off + to->off2, in->f[j].p + fields[k].off2, 2);
		return true;
	}
	return false;
}

static void mutate_field(struct m_input *in, struct m_frame *f, const struct fz_field *fd,
			 unsigned int *s)
{
	uint8_t *p = f->p + fd->off;
	uint64_t v;

	if (rnd(s) % 2 && copy_from_other(in, fd, p, s))
		return;
	switch (fd->cls) {
	case C_ADDR:
		set_addr(p, s);
		return;
	case C_TASK:
		memset(p, 0, fd->size);
		put(p + offsetof(struct kw_task, pid), 4, 1 + rnd(s) % 5000);
		memcpy(p + offsetof(struct kw_task, tgid), p + offsetof(struct kw_task, pid), 4);
		set_str(p + offsetof(struct kw_task, comm), KW_COMM_LEN, s);
		return;
	case C_STR:
		set_str(p, fd->size, s);
		return;
	case C_UPATH: {
		uint16_t len;

		set_str(p, fd->size, s);
		len = rnd(s) % 4 ? (uint16_t)strnlen((char *)p, fd->size) + rnd(s) % 2
				 : (uint16_t)rnd(s);
		memcpy(f->p + fd->off2, &len, 2);
		if (rnd(s) % 6 == 0)
			p[0] = '\0';	/* abstract */
		return;
	}
	case C_ERRNO:
		put(p, 4, (uint32_t)errnos[rnd(s) % (sizeof(errnos) / sizeof(errnos[0]))]);
		return;
	case C_TS:
		memcpy(&v, p, 8);
		switch (rnd(s) % 4) {
		case 0:
			v = edge64[rnd(s) % (sizeof(edge64) / sizeof(edge64[0]))];
			break;
		case 1:
			v += (uint64_t)(rnd(s) % 3000) * 1000000ULL;
			break;
		case 2:
			v -= (uint64_t)(rnd(s) % 3000) * 1000000ULL;
			break;
		default:
			v = ev_ts(f) + (rnd(s) % 2 ? 1 : -1) * (int64_t)(rnd(s) % 20) * 1000000;
		}
		put(p, 8, v);
		return;
	default:
		break;
	}
	switch (rnd(s) % 4) {
	case 0:
		v = edge64[rnd(s) % (sizeof(edge64) / sizeof(edge64[0]))];
		break;
	case 1:
		v = rnd(s) % 16;
		break;
	case 2:
		v = 0;
		memcpy(&v, p, fd->size > 8 ? 8 : fd->size);
		v += (rnd(s) % 2 ? 1 : -1);
		break;
	default:
		v = fd->size == 2 ? ports[rnd(s) % (sizeof(ports) / sizeof(ports[0]))]
				  : (uint64_t)rnd(s) << (rnd(s) % 40);
	}
	put(p, fd->size, v);
}

/* ---- frame mutations ---- */

static bool insert_at(struct m_input *in, uint32_t at, uint16_t kind, const uint8_t *src,
		      uint32_t len)
{
	uint8_t *p;

	if (in->n >= M_FRAMES || !(p = m_alloc(in, len ? len : 1)))
		return false;
	if (at > in->n)
		at = in->n;
	memmove(&in->f[at + 1], &in->f[at], (in->n - at) * sizeof(in->f[0]));
	if (src)
		memcpy(p, src, len);
	else
		memset(p, 0, len);
	in->f[at] = (struct m_frame){ .kind = kind, .len = len, .p = p };
	in->n++;
	return true;
}

static const uint16_t types[] = {
	KW_EV_OOM_KILL, KW_EV_PROC_EXIT, KW_EV_SIGNAL, KW_EV_LISTEN, KW_EV_LISTEN_CLOSE,
	KW_EV_CONNECT_FAIL, KW_EV_RESET_SENT, KW_EV_RESET_RECV, KW_EV_SOCK_ERROR, KW_EV_BIND,
	KW_EV_REPEAT, KW_EV_CGROUP, KW_EV_MEMCG_PROCS, KW_EV_SOCK_HOLDERS, KW_EV_HOST_MEM,
	KW_EV_RESYNC, KW_EV_UNIX_CONNECT_FAIL, KW_EV_CONNECT_NOADDR, KW_EV_ACCEPT_FAIL,
	KW_EV_UNIX_LISTEN, KW_EV_UNIX_PATH, KW_EV_PORT_USAGE, KW_EV_FD_USAGE,
	KW_EV_ACCEPT_QUEUE, KW_EV_CONNECT_TIMEOUT, KW_EV_SYN_FILTERED, KW_EV_IDLE_RESET,
	KW_EV_LISTEN_QUEUE,
};

/* a new event of a type: another of the type as it is, or the header of a
 * neighbour with a body of fields set one by one */
static void insert_event(struct m_input *in, unsigned int *s)
{
	uint16_t type = types[rnd(s) % (sizeof(types) / sizeof(types[0]))];
	uint16_t size = (uint16_t)kw_event_size(type);
	uint32_t at = in->n ? rnd(s) % (in->n + 1) : 0;
	struct kw_event ev;
	int j = pick_event(in, s);

	memset(&ev, 0, sizeof(ev));
	if (j >= 0)
		memcpy(&ev, in->f[j].p, sizeof(struct kw_hdr));
	else
		ev.hdr.ts_boot_ns = 1000000000ULL;
	ev.hdr.type = type;
	ev.hdr.size = size;
	if (!insert_at(in, at, KW_FRAME_EVENT, (uint8_t *)&ev, size))
		return;
	for (int k = 0, n = 1 + rnd(s) % 6; k < n; k++) {
		int fi = pick_field(type, s, -1);

		if (fi >= 0 && fields[fi].type)
			mutate_field(in, &in->f[at], &fields[fi], s);
	}
}

/* change an event's type, keeping its header and what of its body fits */
static void retype(struct m_input *in, int i, unsigned int *s)
{
	uint16_t type = types[rnd(s) % (sizeof(types) / sizeof(types[0]))];
	uint16_t size = (uint16_t)kw_event_size(type);
	struct kw_event ev;
	uint8_t *p;

	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, in->f[i].p, in->f[i].len < size ? in->f[i].len : size);
	ev.hdr.type = type;
	ev.hdr.size = size;
	if (size > in->f[i].len) {
		if (!(p = m_alloc(in, size)))
			return;
		in->f[i].p = p;
	}
	memcpy(in->f[i].p, &ev, size);
	in->f[i].len = size;
}

/* the events' times: in order from a base with gaps, one jump back, or all
 * shifted to the ends of the range */
static void restamp(struct m_input *in, unsigned int *s)
{
	uint64_t t = rnd(s) % 4 ? 1000000000ULL + (uint64_t)rnd(s) * 1000 : edge64[rnd(s) % 8];
	uint32_t mode = rnd(s) % 4, back = in->n ? rnd(s) % in->n : 0;

	for (uint32_t i = 0; i < in->n; i++) {
		struct m_frame *f = &in->f[i];

		if (mode == 3) {	/* shift all, wrapping */
			if (is_event(f))
				set_ts(f, ev_ts(f) + 0x7fffffffffff0000ULL);
			continue;
		}
		t += (uint64_t[]){ 0, 1000, 1000000, 5000000, 20000000, 1100000000ULL,
				   3000000000ULL, 130000000000ULL }[rnd(s) % 8];
		if (mode == 2 && i == back)
			t -= (uint64_t)(rnd(s) % 5000) * 1000000ULL;
		if (is_event(f))
			set_ts(f, t);
		else if (f->kind == KW_FRAME_FLUSH && f->len == 8)
			memcpy(f->p, &t, 8);
	}
}

static void insert_flush(struct m_input *in, unsigned int *s)
{
	uint32_t at = in->n ? rnd(s) % (in->n + 1) : 0;
	uint64_t t = 0;

	for (uint32_t i = at; i-- > 0;)
		if (is_event(&in->f[i])) {
			t = ev_ts(&in->f[i]);
			break;
		}
	t += (uint64_t[]){ 0, 1, 1000000, 15000000, 16000000, 1600000000ULL, 6000000000ULL,
			   0xffffffffffffffffULL - t }[rnd(s) % 8];
	if (rnd(s) % 8 == 0)
		insert_at(in, at, KW_FRAME_FLUSH, NULL, 0);
	else
		insert_at(in, at, KW_FRAME_FLUSH, (uint8_t *)&t, 8);
}

static void insert_counters(struct m_input *in, unsigned int *s)
{
	struct kw_counters c;
	uint64_t *w = (uint64_t *)&c;
	uint32_t len = sizeof(c);

	memset(&c, 0, sizeof(c));
	for (size_t i = 0, n = rnd(s) % 12; i < n; i++)
		w[rnd(s) % (sizeof(c) / 8)] = rnd(s) % 3 ? rnd(s) % 1000
						 : edge64[rnd(s) % (sizeof(edge64) / 8)];
	if (rnd(s) % 4 == 0)
		len = 32 * (1 + rnd(s) % 40);	/* an older writer's */
	insert_at(in, in->n ? rnd(s) % (in->n + 1) : 0, KW_FRAME_COUNTERS, (uint8_t *)&c, len);
}

static void insert_enum(struct m_input *in, unsigned int *s)
{
	uint8_t p[5 + KW_ENUM_NAME_LEN];
	uint32_t v = rnd(s) % 4 ? rnd(s) % 16 : (uint32_t)edge64[rnd(s) % 14];

	p[0] = (uint8_t)rnd(s);
	memcpy(p + 1, &v, 4);
	set_str(p + 5, KW_ENUM_NAME_LEN, s);
	insert_at(in, 0, FZ_FRAME_ENUM, p, 5 + (uint32_t)strnlen((char *)p + 5, KW_ENUM_NAME_LEN));
}

static void insert_info(struct m_input *in, unsigned int *s)
{
	uint8_t p[1 + 300];

	p[0] = (uint8_t)(rnd(s) % FZ_INFO_N);
	set_str(p + 1, 300, s);
	insert_at(in, 0, FZ_FRAME_INFO, p, 1 + (uint32_t)strnlen((char *)p + 1, 300));
}

/* the offline filters: a pid, a port or a container that an event of the
 * input names, or anything */
static void insert_filter(struct m_input *in, unsigned int *s)
{
	uint8_t p[6 + 256];
	uint32_t pid = 0, len = 6;
	uint16_t port = 0;
	int j = pick_event(in, s), k;

	memset(p, 0, sizeof(p));
	if (j >= 0 && rnd(s) % 3 == 0 && (k = pick_field(ev_type(&in->f[j]), s, C_PID)) >= 0)
		memcpy(&pid, in->f[j].p + fields[k].off, 4);
	if (j >= 0 && rnd(s) % 3 == 0 && (k = pick_field(ev_type(&in->f[j]), s, C_ADDR)) >= 0)
		memcpy(&port, in->f[j].p + fields[k].off + offsetof(struct kw_addr, port), 2);
	switch (rnd(s) % 4) {
	case 0:
		break;			/* no --container */
	case 1:
		if (j >= 0 && ev_type(&in->f[j]) == KW_EV_CGROUP) {
			static const size_t offs[] = { offsetof(struct kw_ev_cgroup, container_id),
						       offsetof(struct kw_ev_cgroup, name),
						       offsetof(struct kw_ev_cgroup, pod),
						       offsetof(struct kw_ev_cgroup, path) };
			const char *v = (const char *)in->f[j].p + offs[rnd(s) % 4];
			size_t n = strnlen(v, 64);

			if (rnd(s) % 2 && n > 4)
				n = 4 + rnd(s) % (n - 4);	/* an id's prefix */
			memcpy(p + 6, v, n);
			len += (uint32_t)n;
			break;
		}
		/* fall through */
	case 2:
		len += (uint32_t)snprintf((char *)p + 6, 250, "%u", pid ? pid : rnd(s) % 100);
		break;
	default:
		set_str(p + 6, 250, s);
		len += (uint32_t)strnlen((char *)p + 6, 250);
	}
	memcpy(p, &pid, 4);
	memcpy(p + 4, &port, 2);
	insert_at(in, 0, FZ_FRAME_FILTER, p, len);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static struct m_input in;
	unsigned int s = seed;
	int i, fi, n = 1 + (int)(rnd(&s) % 3);

	/* now and then the bytes as they are: lengths, kinds, the prelude */
	if (rnd(&s) % 16 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	m_parse(&in, data, size);
	while (n--) {
		switch (rnd(&s) % 16) {
		case 0:
		case 1:
		case 2:
		case 3:			/* a field, by its class */
			i = pick_event(&in, &s);
			if (i < 0)
				goto insert;
			fi = pick_field(ev_type(&in.f[i]), &s, -1);
			if (fi >= 0)
				mutate_field(&in, &in.f[i], &fields[fi], &s);
			break;
		case 4: {		/* the bytes of one frame, its size kept */
			uint8_t tmp[KW_TRACE_FRAME_MAX];
			uint32_t len;
			size_t got;

			if (!in.n)
				goto insert;
			i = (int)(rnd(&s) % in.n);
			len = in.f[i].len;
			if (!len)
				break;
			memcpy(tmp, in.f[i].p, len);
			got = LLVMFuzzerMutate(tmp, len, len);
			memset(tmp + got, 0, len - got);
			if (is_event(&in.f[i]))	/* the type and size stay */
				memcpy(tmp, in.f[i].p, 4);
			memcpy(in.f[i].p, tmp, len);
			break;
		}
		case 5:
		case 6:
		insert:
			insert_event(&in, &s);
			break;
		case 7:			/* delete */
			if (in.n) {
				i = (int)(rnd(&s) % in.n);
				memmove(&in.f[i], &in.f[i + 1], (in.n - i - 1) * sizeof(in.f[0]));
				in.n--;
			}
			break;
		case 8:			/* duplicate, later */
			if (in.n) {
				struct m_frame f = in.f[rnd(&s) % in.n];

				insert_at(&in, rnd(&s) % (in.n + 1), f.kind, f.p, f.len);
			}
			break;
		case 9:			/* swap */
			if (in.n > 1) {
				uint32_t a = rnd(&s) % in.n, b = rnd(&s) % in.n;
				struct m_frame t = in.f[a];

				in.f[a] = in.f[b];
				in.f[b] = t;
			}
			break;
		case 10:
			restamp(&in, &s);
			break;
		case 11:
			insert_flush(&in, &s);
			break;
		case 12:
			i = pick_event(&in, &s);
			if (i >= 0)
				retype(&in, i, &s);
			break;
		case 13:
			if (rnd(&s) % 8 == 0)
				insert_filter(&in, &s);
			else if (rnd(&s) % 2)
				insert_counters(&in, &s);
			else if (rnd(&s) % 2)
				insert_enum(&in, &s);
			else
				insert_info(&in, &s);
			break;
		case 14:		/* the prelude */
			LLVMFuzzerMutate(in.prelude, FZ_PRELUDE, FZ_PRELUDE);
			break;
		default:		/* a frame's type-specific field from a neighbour */
			i = pick_event(&in, &s);
			if (i < 0)
				goto insert;
			fi = pick_field(ev_type(&in.f[i]), &s, C_ADDR);
			if (fi >= 0)
				copy_from_other(&in, &fields[fi], in.f[i].p + fields[fi].off, &s);
			break;
		}
	}
	return m_write(&in, data, max_size);
}

/* the frames of one input up to a point, then the other's from a point */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed)
{
	static struct m_input a, b;
	unsigned int s = seed;
	uint32_t cut_a, cut_b;

	m_parse(&a, d1, s1);
	m_parse(&b, d2, s2);
	cut_a = a.n ? rnd(&s) % (a.n + 1) : 0;
	cut_b = b.n ? rnd(&s) % (b.n + 1) : 0;
	a.n = cut_a;
	for (uint32_t i = cut_b; i < b.n; i++)
		if (!insert_at(&a, a.n, b.f[i].kind, b.f[i].p, b.f[i].len))
			break;
	return m_write(&a, out, max_out);
}
