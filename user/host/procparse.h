/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pure parsers of what /proc prints: net/tcp lines, fd links, the
 * status file, /proc/PID/cgroup and mountinfo.  One parser per format:
 * every reader of these files in kwhy goes through here.  No I/O; the
 * text is NUL-terminated and never read past its NUL.
 */
#ifndef KWHY_PROCPARSE_H
#define KWHY_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/event.h"

#define KW_PROC_PATH_MAX 1024	/* cgroup and mount paths kept */

/* TCP_LISTEN as /proc/net/tcp prints it ("0A") */
#define KW_TCP_STATE_LISTEN 10

/*
 * One line of /proc/net/tcp (family AF_INET) or /proc/net/tcp6 (AF_INET6):
 * the local endpoint (addr in network order, port host order), the state,
 * the socket inode and the rx_queue column: for a LISTEN socket the
 * kernel prints there its accept queue's length (sk_ack_backlog), for
 * others the bytes not read yet.  Returns 0, or -EINVAL for a header or
 * malformed line.  Any of the outputs may be NULL.
 */
int kw_parse_proc_net_tcp_line(const char *line, int family, struct kw_addr *local,
			       unsigned int *state, uint64_t *inode, uint32_t *rx_queue);

/* The same line's local and remote endpoints and state.  0 or -EINVAL. */
int kw_parse_proc_net_tcp_conn(const char *line, int family, struct kw_addr *local,
			       struct kw_addr *remote, unsigned int *state);

/* A /proc/<pid>/fd link target "socket:[N]": 0 and N, else -EINVAL. */
int kw_parse_socket_link(const char *target, uint64_t *inode);

/* The effective uid and gid (Uid:, Gid: second fields) of
 * /proc/<pid>/status, and whether gid is the egid or among Groups:.
 * 0 or -EINVAL. */
int kw_parse_status_creds(const char *status, uint32_t gid, uint32_t *euid, uint32_t *egid,
			  bool *in_group);

/* "Max open files  SOFT  HARD  files" of /proc/<pid>/limits ("unlimited":
 * UINT64_MAX).  0 or -EINVAL. */
int kw_parse_limits_nofile(const char *text, uint64_t *soft, uint64_t *hard);

/* Two numbers separated by blanks ("32768\t60999", or /proc/sys/fs/file-nr's
 * first and third of three).  0 or -EINVAL. */
int kw_parse_two(const char *text, uint64_t *a, uint64_t *b);
int kw_parse_file_nr(const char *text, uint64_t *nr, uint64_t *max);

/* The Uid: line of /proc/<pid>/status: the real uid.  0 or -EINVAL. */
int kw_parse_status_uid(const char *status, uint32_t *uid);

/*
 * The Name: (unescaped as BPF reports the comm, cut to cap - 1) and VmRSS:
 * (kB, 0 when absent: a kernel thread) lines of /proc/<pid>/status.
 */
void kw_parse_status_mem(const char *status, char *comm, size_t cap, uint64_t *rss_kb);

/*
 * /proc/meminfo into host_mem's mem_total_kb, mem_available_kb,
 * mem_free_kb, swap_total_kb and swap_free_kb (kB; 0 for a line that is
 * absent).  0 and has_meminfo set when MemTotal was there, else -EINVAL.
 */
int kw_parse_meminfo(const char *text, struct kw_ev_host_mem *host_mem);

/*
 * A counter of /proc/net/netstat (or /proc/net/snmp): the line pair whose
 * header starts with section ("TcpExt:") names the columns, the next line
 * holds the values.  0 and *value, or -ENOENT when it is not there.
 */
int kw_parse_netstat(const char *text, const char *section, const char *name,
		     uint64_t *value);

/* A /proc directory name that is a pid: 0 and the pid (1..UINT32_MAX), else -EINVAL. */
int kw_parse_pid(const char *s, uint32_t *pid);

/* /proc/<pid>/cgroup: the v2 path ("0::/path") and the v1 memory one. */
struct kw_proc_cgroups {
	bool has_v2;
	bool has_mem;		/* a v1 hierarchy with the memory controller */
	uint32_t mem_hier;	/* its hierarchy id */
	char v2[KW_PROC_PATH_MAX];
	char mem[KW_PROC_PATH_MAX];
};

/* 0 when at least one usable line was found, else -EINVAL. */
int kw_parse_proc_cgroup(const char *text, struct kw_proc_cgroups *cg);

/* One /proc/self/mountinfo line, octal escapes (\040) decoded. */
struct kw_mountinfo {
	char root[KW_PROC_PATH_MAX];	/* the mount's root within its fs */
	char mnt[KW_PROC_PATH_MAX];	/* mount point */
	char fstype[32];
	char super[256];		/* super block options */
};

int kw_parse_mountinfo_line(const char *line, struct kw_mountinfo *m);

/* True when the comma-separated list holds item exactly. */
bool kw_opt_list_has(const char *list, const char *item);

#endif
