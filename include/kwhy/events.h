/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kwhy event ABI: the records BPF programs write into the ring buffers,
 * read back by userspace (and, later, stored in trace files).  Shared by
 * both sides, so: fixed-width types only, no pointers, explicit padding, and
 * every struct a multiple of 8 bytes.  BPF code includes vmlinux.h first.
 *
 * Changing a layout means bumping KW_ABI_VERSION.
 */
#ifndef KWHY_EVENTS_H
#define KWHY_EVENTS_H

#ifndef __bpf__
#include <linux/types.h>	/* BPF gets these from vmlinux.h */
#endif

#define KW_ABI_VERSION 1
#define KW_COMM_LEN 16
#define KW_OOM_MAX_LEVELS 8

enum kw_event_type {
	KW_EV_NONE = 0,
	KW_EV_OOM_KILL = 1,	/* oom:mark_victim */
	KW_EV_PROC_EXIT = 2,	/* sched:sched_process_exit, filtered */
	KW_EV_SIGNAL = 3,	/* signal:signal_generate, SIGKILL/SIGTERM */
	KW_EV_LISTEN = 4,	/* a TCP socket entered LISTEN */
	KW_EV_LISTEN_CLOSE = 5,	/* LISTEN -> CLOSE */
	KW_EV_CONNECT_FAIL = 6,	/* SYN_SENT -> CLOSE: a failed connect */
	KW_EV_RESET_SENT = 7,	/* this host sent a TCP RST */
	KW_EV_RESET_RECV = 8,	/* RST received on an established socket */
	KW_EV_SOCK_ERROR = 9,	/* socket error report outside connect */
	KW_EV_BIND = 10,	/* bind(2) on AF_INET/AF_INET6 */
	KW_EV_REPEAT = 11,	/* userspace: repeats counted in the kernel */
	KW_EV_CGROUP = 12,	/* userspace: a cgroup id's path and container */
	KW_EV_MEMCG_PROCS = 13,	/* userspace: biggest processes in a memcg */
	KW_EV_SOCK_HOLDERS = 14, /* userspace: who holds a listening socket now */
	KW_EV_HOST_MEM = 15,	/* userspace: host memory at a global OOM kill */
	KW_EV_RESYNC = 16,	/* userspace: listeners re-read after lost events */
	/* 20..29: failed system calls (connect, accept) and UNIX sockets */
	KW_EV_UNIX_CONNECT_FAIL = 20,	/* connect(2) on AF_UNIX failed */
	KW_EV_CONNECT_NOADDR = 21,	/* connect(2) on AF_INET/6: EADDRNOTAVAIL */
	KW_EV_ACCEPT_FAIL = 22,		/* accept(2)/accept4(2): EMFILE, ENFILE */
	KW_EV_UNIX_LISTEN = 23,		/* an AF_UNIX socket listens (kernel:
					 * listen(2); userspace: found so) */
	KW_EV_UNIX_PATH = 24,	/* userspace: a failed UNIX connect's path as
				 * its client sees it, read at the failure */
	KW_EV_PORT_USAGE = 25,	/* userspace: ephemeral ports of a namespace */
	KW_EV_FD_USAGE = 26,	/* userspace: a process's open files, limit */
	/* timeouts, firewalls, keep-alive resets (issue 11, part B) */
	KW_EV_ACCEPT_QUEUE = 30, /* a listener's accept queue full: a handshake
				  * stalled (SYN-ACK retransmitted) or dropped */
	KW_EV_CONNECT_TIMEOUT = 31, /* a connect that got no answer: SYNs
				     * retransmitted, then given up */
	KW_EV_SYN_FILTERED = 32, /* a SYN dropped by netfilter on this host */
	KW_EV_IDLE_RESET = 33,	/* a reset received after the peer's FIN */
	KW_EV_LISTEN_QUEUE = 34, /* userspace: a listener's queue and its
				  * namespace's TcpExt counters, read now */
	KW_EV_MAX
};

/*
 * struct kw_counters has a slot for each type below this: the kernel's and
 * the userspace records among them (never counted by BPF).  Trace files
 * written before it grew from 14 hold fewer slots; readers take any count
 * up to this one.
 */
#define KW_EV_COUNTED 40

/* kw_hdr.flags */
#define KW_F_TASK	 (1u << 0) /* hdr.task describes a real process */
#define KW_F_OWNER	 (1u << 1) /* ... the socket's owner, recorded earlier
				    * in process context, not `current` */
#define KW_F_NETNS	 (1u << 2) /* hdr.netns_* are valid */
#define KW_F_CGROUP	 (1u << 3) /* hdr.cgroup_id is valid */
#define KW_F_SNAPSHOT	 (1u << 4) /* state found at start, not a live event */

/*
 * A process as seen at one moment.  memcg_id is the kernfs id of the task's
 * memory cgroup in the hierarchy memcg_hier names (0 = the cgroup v2
 * hierarchy; another number = a cgroup v1 hierarchy id).
 */
struct kw_task {
	__u32 pid;		/* thread id */
	__u32 tgid;		/* process id */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u64 memcg_id;
	__u32 memcg_hier;
	__u32 uid;
	__u32 netns_ino;
	__u32 mntns_ino;
	char comm[KW_COMM_LEN];
};

struct kw_hdr {
	__u16 type;		/* enum kw_event_type */
	__u16 size;		/* whole record, bytes */
	__u16 cpu;
	__u16 flags;		/* KW_F_* */
	__u64 ts_boot_ns;	/* CLOCK_BOOTTIME */
	__u64 ts_mono_ns;	/* CLOCK_MONOTONIC */
	__u64 netns_cookie;	/* namespace the event happened in */
	__u32 netns_ino;
	__u32 _pad;
	__u64 cgroup_id;	/* cgroup of the event (socket's or task's) */
	struct kw_task task;	/* the actor, valid with KW_F_TASK */
};

/* An endpoint.  addr holds 4 bytes (IPv4) or 16 (IPv6), network order. */
struct kw_addr {
	__u16 family;		/* AF_INET (2) or AF_INET6 (10); 0 unknown */
	__u16 port;		/* host order */
	__u8 addr[16];
};

struct kw_oom_level {
	__u64 cgroup_id;
	__u64 usage_bytes;
	__u64 limit_bytes;	/* ~0 when unlimited */
};

/* kw_ev_oom.limit_level when no level was at its limit: a host-wide OOM */
#define KW_OOM_GLOBAL 0xff

/* kw_ev_oom.victim_src: how the victim task was found */
enum kw_victim_src {
	KW_VICTIM_ARG = 1,	/* mark_victim(task, uid) argument */
	KW_VICTIM_SIGKILL = 2,	/* SIGKILL seen just before mark_victim(pid) */
	KW_VICTIM_PID_ONLY = 3, /* only the pid is known */
};

struct kw_ev_oom {
	struct kw_hdr hdr;	/* hdr.task = the task that invoked the OOM */
	struct kw_task victim;	/* ids taken from the victim task itself */
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 pgtables_kb;
	__s32 oom_score_adj;
	__u8 victim_src;	/* enum kw_victim_src */
	__u8 nr_levels;		/* valid entries in levels[] */
	__u8 limit_level;	/* index of the memcg at its limit, or
				 * KW_OOM_GLOBAL */
	__u8 memcg_v1;		/* levels[] are cgroup v1 memory cgroups */
	/* levels[0] = the victim's memory cgroup, then its ancestors */
	struct kw_oom_level levels[KW_OOM_MAX_LEVELS];
};

/* kw_ev_exit.why: why this exit was reported rather than only counted */
#define KW_EXIT_LISTENER (1u << 0) /* the process held a listening socket */
#define KW_EXIT_SIGNALED (1u << 1) /* killed by a signal */
#define KW_EXIT_TARGET	 (1u << 2) /* a process of the --container target */
#define KW_EXIT_CLOSED_LISTENER (1u << 3) /* it closed a listening socket, alive,
					    * at most KW_CLOSE_EXIT_WINDOW_NS before */
#define KW_EXIT_AFTER_REFUSAL (1u << 4)	/* one of its connects was refused at most
					 * KW_CLOSE_EXIT_WINDOW_NS before (a backend
					 * that exits when its database refuses) */

/* A close of a listener and its closer's exit this close in time are one
 * story (a graceful shutdown that ends in exit(3)). */
#define KW_CLOSE_EXIT_WINDOW_NS (10ULL * 1000000000ULL)

struct kw_ev_exit {
	struct kw_hdr hdr;	/* hdr.task = the exiting task */
	__u32 exit_code;	/* raw wait(2) status */
	__u32 why;		/* KW_EXIT_* */
	__u32 nr_listeners;	/* listening sockets it opened, still open */
	__u8 group_dead;	/* the whole thread group is gone */
	__u8 listeners_forked;	/* it forked while holding them: its
				 * children may hold them still */
	__u8 _pad[2];
	__u64 maxrss_kb;	/* peak RSS of the thread group */
};

struct kw_ev_signal {
	struct kw_hdr hdr;	/* hdr.task = the sender (current) */
	struct kw_task target;
	__u32 sig;
	__s32 result;		/* TRACE_SIGNAL_* (0 = delivered) */
	__u8 group;		/* sent to the whole thread group */
	__u8 from_kernel;	/* SEND_SIG_PRIV / si_code SI_KERNEL */
	__u8 _pad[6];
};

/* kw_ev_listen.how for LISTEN_CLOSE */
enum kw_close_how {
	KW_CLOSE_UNKNOWN = 0,
	KW_CLOSE_CALL = 1,	/* close()/shutdown() by a live process */
	KW_CLOSE_EXIT = 2,	/* the process was exiting */
	KW_CLOSE_KILLED = 3,	/* the process was exiting after a signal */
};

struct kw_ev_listen {
	struct kw_hdr hdr;	/* hdr.task = who called listen() */
	struct kw_addr local;
	__u32 backlog;
	__u8 v6only;
	__u8 how;		/* enum kw_close_how (LISTEN_CLOSE) */
	__u8 owner_known;	/* LISTEN_CLOSE: hdr.task is the listen() caller */
	__u8 _pad;
	__u32 _pad1;
	__u64 since_boot_ns;	/* LISTEN_CLOSE: when LISTEN began, 0 unknown */
	struct kw_task closer;	/* LISTEN_CLOSE: the task that closed it */
	__u32 closer_exit_code; /* wait status when the closer was exiting */
	__u32 _pad2;
};

/* kw_ev_conn.source: the tracepoint that produced the event */
enum kw_conn_source {
	KW_SRC_SET_STATE = 1,	 /* sock:inet_sock_set_state */
	KW_SRC_SEND_RESET = 2,	 /* tcp:tcp_send_reset */
	KW_SRC_KFREE_SKB = 3,	 /* skb:kfree_skb reason NO_SOCKET (derived) */
	KW_SRC_RECV_RESET = 4,	 /* tcp:tcp_receive_reset */
	KW_SRC_ERROR_REPORT = 5, /* sock:inet_sk_error_report */
	KW_SRC_SYSCALL = 6,	 /* syscalls:sys_exit_connect */
};

/* TCP header flags as on the wire */
#define KW_TCP_FIN 0x01
#define KW_TCP_SYN 0x02
#define KW_TCP_RST 0x04
#define KW_TCP_ACK 0x10

/*
 * Connection-level events.  local is this host's end; remote the peer.  For
 * a reset sent because no socket matched, local is the address and port
 * the peer dialled (the SYN's destination).
 */
struct kw_ev_conn {
	struct kw_hdr hdr;
	struct kw_addr local;
	struct kw_addr remote;
	__u32 state;		/* TCP state at the event, 0 = no socket */
	__s32 error;		/* errno from the socket (sk_err), 0 none */
	__u32 reason;		/* RESET_SENT: enum sk_rst_reason (SEND_RESET)
				 * or enum skb_drop_reason (KFREE_SKB) value */
	__u8 source;		/* enum kw_conn_source */
	__u8 tcp_flags;		/* of the packet answered, when known */
	__u8 reset_received;	/* CONNECT_FAIL: a RST arrived first */
	__u8 has_reason;	/* reason is meaningful */
};

struct kw_ev_bind {
	struct kw_hdr hdr;	/* hdr.task = the binder */
	struct kw_addr addr;	/* as requested */
	__s32 ret;		/* 0 or -errno */
	__s32 fd;
	__u16 bound_port;	/* port after bind (differs for port 0) */
	__u16 sock_type;	/* SOCK_STREAM, SOCK_DGRAM, 0 unknown */
	__u8 protocol;		/* IPPROTO_*, 0 unknown */
	__u8 v6only;
	__u8 reuseaddr;
	__u8 reuseport;
	__u32 _pad;
};

/*
 * In-kernel aggregation of repeats.  The first event of a key is sent; the
 * ones after it, within the aggregation window, only bump `suppressed`.
 * Userspace drains the deltas into KW_EV_REPEAT records.
 */
struct kw_agg_key {
	__u32 netns_ino;
	__u16 type;		/* enum kw_event_type aggregated */
	__u16 _pad;
	__u32 tgid;		/* owner, 0 when unknown */
	__u32 code;		/* reason (resets) or errno (client side) */
	struct kw_addr dest;	/* the address:port that was dialled */
	__u32 gen;		/* the listener generation of dest's port (BPF):
				 * a listener that starts or stops there starts a
				 * new key, so refusals on either side of that
				 * change are never folded into one count */
};

struct kw_agg_val {
	__u64 first_ns;		/* boot ns of the emitted first event */
	__u64 last_ns;		/* boot ns of the latest occurrence */
	__u64 suppressed;	/* occurrences not sent, monotonic */
};

struct kw_ev_repeat {
	struct kw_hdr hdr;	/* ts = when drained; netns from the key */
	struct kw_agg_key key;
	__u64 count;		/* occurrences since the previous REPEAT */
	__u64 total;		/* suppressed since the first event */
	__u64 first_ns;
	__u64 last_ns;
};

/*
 * Records made by userspace from what it reads on the host (/sys/fs/cgroup,
 * /proc, container metadata) when the kernel's events call for it.  They
 * enter the stream like kernel events, so everything after them is a pure
 * function of the stream and replays identically.
 */
enum kw_runtime {
	KW_RT_HOST = 0,		/* not in a container */
	KW_RT_DOCKER = 1,
	KW_RT_CONTAINERD = 2,	/* containerd / CRI (Kubernetes) */
	KW_RT_CRIO = 3,
	KW_RT_PODMAN = 4,
	KW_RT_SYSTEMD = 5,	/* a systemd service or scope, not a container */
	KW_RT_OTHER = 6,
};

#define KW_PATH_LEN 256

struct kw_ev_cgroup {
	struct kw_hdr hdr;
	__u64 cgroup_id;
	__u8 v1_memory;		/* id is in the v1 memory hierarchy, not v2 */
	__u8 runtime;		/* enum kw_runtime */
	__u8 resolved;		/* path found; otherwise only the id is known */
	__u8 _pad[5];
	char path[KW_PATH_LEN];	/* relative to the hierarchy's root, "/..." */
	char container_id[72];	/* full id, unit name, or "host" */
	char name[128];		/* human name when known, else the short id */
	char pod[128];		/* Kubernetes pod name */
	char k8s_namespace[64];
};

#define KW_MEMCG_PROCS_MAX 8

struct kw_proc_mem {
	__u32 pid;
	__u32 _pad;
	__u64 rss_kb;
	char comm[KW_COMM_LEN];
};

struct kw_ev_memcg_procs {
	struct kw_hdr hdr;	/* ts = when read */
	__u64 cgroup_id;	/* the memory cgroup that was read */
	__u64 usage_bytes;	/* its usage when read */
	__u32 nr;		/* valid entries in procs[] */
	__u32 total_procs;	/* processes found in it and its children */
	struct kw_proc_mem procs[KW_MEMCG_PROCS_MAX]; /* biggest RSS first */
};

/*
 * Who holds a listening socket now, read from /proc the way `ss -p` does
 * (every process with an fd on it: prefork workers inherit it, so the
 * process that opened it may be gone), when a bind fails with EADDRINUSE,
 * and when the process that opened a listener dies while it stays open.
 */
#define KW_HOLDERS_MAX 6

enum kw_holders_trigger {
	KW_HOLDERS_AT_BIND = 0,		/* a bind failed with EADDRINUSE */
	KW_HOLDERS_AT_CREATOR_EXIT = 1,	/* its creator died, the socket lives on */
};

struct kw_ev_sock_holders {
	struct kw_hdr hdr;	/* ts and netns = the triggering event's */
	struct kw_addr local;	/* the listener's address */
	__u32 trigger;		/* enum kw_holders_trigger */
	__u64 sock_ino;		/* its socket inode */
	__u32 nr;		/* valid entries in holders[] */
	__u32 total;		/* processes found holding it */
	struct kw_task holders[KW_HOLDERS_MAX]; /* lowest pid first */
};

#define KW_HOST_MEM_CGROUPS 6

struct kw_cgroup_mem {
	__u64 cgroup_id;
	__u64 usage_bytes;	/* memory.current (v2), memory.usage_in_bytes (v1) */
};

/*
 * The host's memory, read from /proc/meminfo and the top-level memory
 * cgroups when a host-wide OOM kill (limit_level KW_OOM_GLOBAL) arrives:
 * after the kill, so the victim's memory may already be free again.
 */
struct kw_ev_host_mem {
	struct kw_hdr hdr;	/* ts = the OOM kill's that called for it */
	__u32 victim_pid;	/* that kill's victim (tgid) */
	__u8 has_meminfo;	/* the mem_* and swap_* fields were read */
	__u8 cgroups_v1;	/* cgroups[] are in the v1 memory hierarchy */
	__u8 nr_cgroups;	/* valid entries in cgroups[] */
	__u8 _pad;
	__u64 mem_total_kb;	/* MemTotal */
	__u64 mem_available_kb;	/* MemAvailable */
	__u64 mem_free_kb;	/* MemFree */
	__u64 swap_total_kb;	/* SwapTotal */
	__u64 swap_free_kb;	/* SwapFree */
	__u32 cgroups_read;	/* top-level memory cgroups whose usage was read */
	__u32 _pad1;
	/* the biggest top-level memory cgroups by usage, biggest first */
	struct kw_cgroup_mem cgroups[KW_HOST_MEM_CGROUPS];
};

/*
 * Events were lost (a ring buffer was full): the listeners are re-read
 * from the kernel (sock_diag, /proc) between a begin and an end record, so
 * the model drops the ones the lost events would have closed, instead of
 * explaining refusals with ghosts.
 */
#define KW_RESYNC_BEGIN 1
#define KW_RESYNC_END 2

struct kw_ev_resync {
	struct kw_hdr hdr;
	__u32 phase;		/* KW_RESYNC_BEGIN, KW_RESYNC_END */
	__u32 listeners;	/* END: listeners read */
	__u64 lost;		/* events lost before it, in all */
};

/*
 * UNIX sockets.  A path as in sockaddr_un: sun_path bytes, path_len of
 * them used; an abstract name starts with a NUL byte.
 */
#define KW_UNIX_PATH_LEN 108

/* kw_ev_unix_conn.sock_type etc.: SOCK_STREAM 1, SOCK_DGRAM 2,
 * SOCK_SEQPACKET 5, 0 unknown */

/*
 * connect(2) on an AF_UNIX socket failed with ENOENT (no such file),
 * ECONNREFUSED (a file, but nothing listens on it), EAGAIN (the
 * listener's backlog is full, non-blocking client), EACCES or EPERM.
 */
struct kw_ev_unix_conn {
	struct kw_hdr hdr;	/* hdr.task = the client (process context) */
	__s32 ret;		/* -errno */
	__s32 fd;
	__u16 path_len;		/* bytes of path[] in use */
	__u16 sock_type;	/* of the client's socket, 0 unknown */
	__u32 _pad;
	char path[KW_UNIX_PATH_LEN];
	__u32 _pad2;
};

/* kw_ev_unix_listen.source */
enum kw_unix_source {
	KW_UL_LISTEN = 1,	/* listen(2) traced in the kernel */
	KW_UL_SNAPSHOT = 2,	/* found at start (sock_diag, /proc) */
	KW_UL_REREAD = 3,	/* found by a re-read at a failed connect */
};

struct kw_ev_unix_listen {
	struct kw_hdr hdr;	/* hdr.task = who called listen() (LISTEN), the
				 * lowest pid holding it (SNAPSHOT), none
				 * (REREAD); netns = the socket's */
	__u64 ino;		/* the socket's inode */
	__u32 backlog;		/* sk_max_ack_backlog */
	__u32 queued;		/* connections waiting to be accepted, when
				 * read by sock_diag (SNAPSHOT, REREAD) */
	__u16 path_len;
	__u16 sock_type;
	__u8 source;		/* enum kw_unix_source */
	__u8 _pad[3];
	char path[KW_UNIX_PATH_LEN];
	__u32 _pad2;
};

/*
 * Read when a UNIX connect fails (at most once per path and interval): the
 * path as its client sees it (stat() below /proc/PID/root, and its
 * directory), the client's credentials, and the UNIX listeners of the
 * client's namespace re-read just before (KW_UL_REREAD records, stamped
 * with the same time): a listener of that namespace not among them is
 * gone.
 */
struct kw_ev_unix_path {
	struct kw_hdr hdr;	/* ts = the failed connect's; netns = the client's */
	__u32 client_pid;	/* tgid */
	__s32 stat_err;		/* 0, or the errno of stat() on the path */
	__u32 mode;		/* st_mode of the path */
	__u32 uid, gid;
	__s32 dir_err;		/* 0, or the errno of stat() on its directory */
	__u32 dir_mode;
	__u32 dir_uid, dir_gid;
	__u32 client_euid, client_egid;	/* from /proc/PID/status */
	__u8 client_in_group;	/* gid is among the client's groups */
	__u8 creds_read;	/* client_* were read */
	__u8 reread;		/* the namespace's listeners were re-read */
	__u8 _pad;
	__u32 listeners;	/* ... and this many found */
	__u16 path_len;
	__u16 reread_err;	/* errno of the re-read when it failed (ENOENT:
				 * no unix_diag), 0 when it did not or is not
				 * known */
	__u64 ino;		/* the file's inode, 0 when stat failed */
	char path[KW_UNIX_PATH_LEN];
	__u32 _pad2;
};

/*
 * A connect failed with EADDRNOTAVAIL: the namespace's ephemeral port
 * range and the sockets holding ports of it, read at the failure from
 * inside that namespace (/proc/sys/net/ipv4/ip_local_port_range and its
 * /proc/net/tcp, tcp6).
 */
struct kw_ev_port_usage {
	struct kw_hdr hdr;	/* ts = the failed connect's; netns = its */
	struct kw_addr dest;	/* the destination dialled */
	__u32 client_pid;
	__u16 range_lo, range_hi;	/* ip_local_port_range, 0 0 not read */
	__u32 to_dest;		/* sockets with a local port in the range
				 * connected to dest, any state */
	__u32 to_dest_time_wait; /* ... of them in TIME_WAIT */
	__u32 in_range;		/* sockets with a local port in the range,
				 * any destination */
	__u8 read_ok;		/* the tcp tables were read */
	__u8 _pad[3];
};

/* accept(2) or accept4(2) failed with EMFILE (the process's limit) or
 * ENFILE (the host's) */
struct kw_ev_accept_fail {
	struct kw_hdr hdr;	/* hdr.task = the server (process context) */
	__s32 ret;		/* -errno */
	__u32 accept4;		/* 1: accept4(2), 0: accept(2) */
	__u64 nofile_cur;	/* RLIMIT_NOFILE, soft */
	__u64 nofile_max;	/* ... and hard */
	__u32 max_fds;		/* the size of its fd table */
	__u32 _pad;
};

/* A process's open files, read from /proc when its accept failed */
struct kw_ev_fd_usage {
	struct kw_hdr hdr;	/* ts = the failed accept's */
	__u32 pid;		/* tgid */
	__u32 open_fds;		/* entries of /proc/PID/fd */
	__u64 nofile_soft;	/* /proc/PID/limits "Max open files" */
	__u64 nofile_hard;
	__u64 file_nr;		/* /proc/sys/fs/file-nr: open files, host */
	__u64 file_max;		/* ... and fs.file-max */
	__u8 fds_read;		/* open_fds is known */
	__u8 limits_read;	/* nofile_* are known */
	__u8 file_nr_read;	/* file_nr, file_max are known */
	__u8 _pad[5];
};

/*
 * A listener's accept queue is full (sk_ack_backlog above
 * sk_max_ack_backlog): the kernel drops new SYNs and completed handshakes
 * instead of refusing them, and clients time out.  Seen when the listener
 * retransmits a SYN-ACK because the client's ACK found the queue full, or
 * (kernels with the TCP_LISTEN_OVERFLOW drop reason) when that ACK is
 * dropped.  A SYN dropped because the queue is full has no event of its
 * own: the namespace's ListenOverflows counter (KW_EV_LISTEN_QUEUE) counts
 * it, and the client's connect_timeout shows it.
 */
enum kw_aq_source {
	KW_AQ_SYNACK_RETRANSMIT = 1,	/* tcp:tcp_retransmit_synack */
	KW_AQ_LISTEN_OVERFLOW = 2,	/* skb:kfree_skb TCP_LISTEN_OVERFLOW */
};

struct kw_ev_accept_queue {
	struct kw_hdr hdr;	/* hdr.task = the listener's owner, when known */
	struct kw_addr local;	/* the listener */
	struct kw_addr remote;	/* the client whose handshake stalled */
	__u32 queued;		/* sk_ack_backlog */
	__u32 max_backlog;	/* sk_max_ack_backlog */
	__u64 oldest_wait_ns;	/* how long the oldest connection in the
				 * queue has waited for accept(), 0 unknown */
	__u8 source;		/* enum kw_aq_source */
	__u8 _pad[7];
};

/*
 * A connect that never got an answer: its SYN was retransmitted, then
 * either the kernel gave up (ETIMEDOUT) or the program closed it (nginx's
 * proxy_connect_timeout).  A connect closed before any retransmit is the
 * program's own business and not reported.
 */
struct kw_ev_connect_timeout {
	struct kw_hdr hdr;	/* hdr.task = the connect()'s caller */
	struct kw_addr local;
	struct kw_addr remote;	/* what was dialled */
	__s32 error;		/* sk_err: ETIMEDOUT, or 0 when the program
				 * gave up first */
	__u32 syn_retransmits;
	__u64 waited_ns;	/* from connect() to the close */
};

/*
 * A SYN dropped by netfilter (skb drop reason NETFILTER_DROP) on this host:
 * a REJECT or DROP rule.  icmp_type/icmp_code: the ICMP error netfilter sent
 * for it (icmp:icmp_send on the same packet just before), 0xff when none
 * was seen.  A `reject with tcp reset` sends its RST by itself, past every
 * tracepoint: only the client's side (a reset received) shows it.
 */
#define KW_ICMP_NONE 0xff

struct kw_ev_syn_filtered {
	struct kw_hdr hdr;	/* no task: softirq */
	struct kw_addr local;	/* what the SYN dialled */
	struct kw_addr remote;	/* the client */
	__u32 reason;		/* enum skb_drop_reason value */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 retransmit;	/* the same SYN (4-tuple, sequence) was
				 * dropped before: the client got no answer */
	__u8 tcp_flags;
	__u32 seq;		/* the SYN's sequence number */
	__u32 _pad;
};

/*
 * A reset received on a connection the peer had already closed (its FIN
 * came first: CLOSE_WAIT).  When this host wrote on it after that FIN, it is
 * the keep-alive race: the server closed the idle connection as the client
 * reused it.  Ages are before the reset, in jiffies turned into ns (a
 * tick's resolution); `known` says which the socket had.
 */
struct kw_ev_idle_reset {
	struct kw_hdr hdr;	/* hdr.task = the socket's owner (connect()) */
	struct kw_addr local;
	struct kw_addr remote;
	__u64 fin_ago_ns;	/* the peer's FIN (its last ACK) arrived */
	__u64 last_recv_ago_ns;	/* the last data received (before the FIN) */
	__u64 last_send_ago_ns;	/* the last data this side sent */
	__u64 bytes_received;
	__u64 bytes_sent;
	__u64 conn_age_ns;	/* since connect(), 0 unknown */
	__u32 state;		/* TCP state at the reset (CLOSE_WAIT) */
	__u32 known;		/* KW_IDLE_*: which ages are known (0 is
				 * "within the same tick") */
};

#define KW_IDLE_FIN  (1u << 0)
#define KW_IDLE_RECV (1u << 1)
#define KW_IDLE_SEND (1u << 2)

/*
 * A listener's queue and its namespace's TcpExt counters, read from
 * sock_diag and /proc/PID/net/netstat when an accept_queue or a
 * connect_timeout event calls for it, with the processes holding the
 * listener (like sock_holders).  The counters count since the namespace
 * was made.  Without sock_diag (inet_diag not loaded) the listener comes
 * from /proc/net/tcp, which prints its queue (rx_queue) but not its
 * backlog: backlog_unknown.
 */
struct kw_ev_listen_queue {
	struct kw_hdr hdr;	/* ts = the event's that called for it;
				 * netns = the listener's */
	struct kw_addr local;	/* the listener */
	__u8 found;		/* a listener for it was found */
	__u8 counters_read;	/* netstat was read */
	__u8 backlog_unknown;	/* max_backlog was not read (/proc/net/tcp) */
	__u8 _pad;
	__u32 queued;		/* connections waiting for accept() */
	__u32 max_backlog;	/* 0 when backlog_unknown */
	__u64 sock_ino;
	__u64 listen_overflows;	/* TcpExt ListenOverflows */
	__u64 listen_drops;	/* TcpExt ListenDrops */
	__u32 nr;		/* valid entries in holders[] */
	__u32 total;		/* processes found holding it */
	struct kw_task holders[KW_HOLDERS_MAX]; /* lowest pid first */
};

/* Per-CPU counters, one array slot, summed by userspace. */
struct kw_counters {
	__u64 emitted[KW_EV_COUNTED];	/* records submitted */
	__u64 lost[KW_EV_COUNTED];	/* ring buffer reservation failed */
	__u64 aggregated[KW_EV_COUNTED]; /* folded into an aggregation key */
	__u64 filtered[KW_EV_COUNTED];	/* seen, counted, deliberately not sent */
};

#endif /* KWHY_EVENTS_H */
