// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include "core/names.h"
#include "kwhy/events.h"

#define NAME_AT(table, i) ((i) < sizeof(table) / sizeof(table[0]) ? table[i] : NULL)

const char *kw_event_name(unsigned int type)
{
	static const char *const names[KW_EV_MAX] = {
		[KW_EV_OOM_KILL] = "oom_kill",
		[KW_EV_PROC_EXIT] = "process_exit",
		[KW_EV_SIGNAL] = "signal",
		[KW_EV_LISTEN] = "listen",
		[KW_EV_LISTEN_CLOSE] = "listen_close",
		[KW_EV_CONNECT_FAIL] = "connect_failed",
		[KW_EV_RESET_SENT] = "reset_sent",
		[KW_EV_RESET_RECV] = "reset_received",
		[KW_EV_SOCK_ERROR] = "socket_error",
		[KW_EV_BIND] = "bind",
		[KW_EV_REPEAT] = "repeat",
		[KW_EV_CGROUP] = "cgroup",
		[KW_EV_MEMCG_PROCS] = "memcg_procs",
		[KW_EV_SOCK_HOLDERS] = "sock_holders",
		[KW_EV_HOST_MEM] = "host_memory",
		[KW_EV_RESYNC] = "resync",
		[KW_EV_UNIX_CONNECT_FAIL] = "unix_connect_failed",
		[KW_EV_CONNECT_NOADDR] = "connect_no_port",
		[KW_EV_ACCEPT_FAIL] = "accept_failed",
		[KW_EV_UNIX_LISTEN] = "unix_listen",
		[KW_EV_UNIX_PATH] = "unix_path",
		[KW_EV_PORT_USAGE] = "port_usage",
		[KW_EV_FD_USAGE] = "fd_usage",
		[KW_EV_ACCEPT_QUEUE] = "accept_queue_overflow",
		[KW_EV_CONNECT_TIMEOUT] = "connect_timeout",
		[KW_EV_SYN_FILTERED] = "syn_filtered",
		[KW_EV_IDLE_RESET] = "reset_after_close",
		[KW_EV_LISTEN_QUEUE] = "listen_queue",
	};
	return NAME_AT(names, type);
}

const char *kw_tcp_state_name(unsigned int state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};
	return NAME_AT(names, state);
}

const char *kw_errno_name(int err)
{
	/* INT_MIN has no positive counterpart (and names nothing) */
	switch (err == INT_MIN ? 0 : err < 0 ? -err : err) {
	case ECONNREFUSED:	return "ECONNREFUSED";
	case ECONNRESET:	return "ECONNRESET";
	case ETIMEDOUT:		return "ETIMEDOUT";
	case EHOSTUNREACH:	return "EHOSTUNREACH";
	case ENETUNREACH:	return "ENETUNREACH";
	case EPIPE:		return "EPIPE";
	case ECONNABORTED:	return "ECONNABORTED";
	case EADDRINUSE:	return "EADDRINUSE";
	case EADDRNOTAVAIL:	return "EADDRNOTAVAIL";
	case EACCES:		return "EACCES";
	case EPERM:		return "EPERM";
	case EINVAL:		return "EINVAL";
	case EBADF:		return "EBADF";
	case ENOTSOCK:		return "ENOTSOCK";
	case EAFNOSUPPORT:	return "EAFNOSUPPORT";
	case ENOMEM:		return "ENOMEM";
	case EPROTO:		return "EPROTO";
	case EHOSTDOWN:		return "EHOSTDOWN";
	case ENETDOWN:		return "ENETDOWN";
	case EFAULT:		return "EFAULT";
	/* writing a trace */
	case ENOSPC:		return "ENOSPC";
	case EDQUOT:		return "EDQUOT";
	case EIO:		return "EIO";
	case EFBIG:		return "EFBIG";
	case EROFS:		return "EROFS";
	/* failed connects and accepts */
	case ENOENT:		return "ENOENT";
	case EAGAIN:		return "EAGAIN";
	case EMFILE:		return "EMFILE";
	case ENFILE:		return "ENFILE";
	case ENOTDIR:		return "ENOTDIR";
	case EPROTOTYPE:	return "EPROTOTYPE";
	default:		return NULL;
	}
}

const char *kw_signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	return sig < 0 ? NULL : NAME_AT(names, (unsigned int)sig);
}

const char *kw_family_name(unsigned int family)
{
	return family == 2 ? "ipv4" : family == 10 ? "ipv6" : NULL;
}

const char *kw_sock_type_name(unsigned int type)
{
	static const char *const names[] = {
		[1] = "stream", [2] = "dgram", [3] = "raw", [5] = "seqpacket",
	};
	return NAME_AT(names, type);
}

const char *kw_close_how_name(unsigned int how)
{
	static const char *const names[] = {
		[KW_CLOSE_UNKNOWN] = "unknown", [KW_CLOSE_CALL] = "closed",
		[KW_CLOSE_EXIT] = "owner_exited", [KW_CLOSE_KILLED] = "owner_killed",
	};
	return NAME_AT(names, how);
}

const char *kw_conn_source_name(unsigned int src)
{
	static const char *const names[] = {
		[KW_SRC_SET_STATE] = "inet_sock_set_state",
		[KW_SRC_SEND_RESET] = "tcp_send_reset",
		[KW_SRC_KFREE_SKB] = "kfree_skb",
		[KW_SRC_RECV_RESET] = "tcp_receive_reset",
		[KW_SRC_ERROR_REPORT] = "inet_sk_error_report",
		[KW_SRC_SYSCALL] = "sys_exit_connect",
	};
	return NAME_AT(names, src);
}

const char *kw_aq_source_name(unsigned int src)
{
	static const char *const names[] = {
		[KW_AQ_SYNACK_RETRANSMIT] = "tcp_retransmit_synack",
		[KW_AQ_LISTEN_OVERFLOW] = "kfree_skb",
	};
	return NAME_AT(names, src);
}

const char *kw_victim_src_name(unsigned int src)
{
	static const char *const names[] = {
		[KW_VICTIM_ARG] = "tracepoint",
		[KW_VICTIM_SIGKILL] = "sigkill",
		[KW_VICTIM_PID_ONLY] = "pid_only",
	};
	return NAME_AT(names, src);
}

const char *kw_runtime_name(unsigned int rt)
{
	switch (rt) {
	case KW_RT_HOST:
		return "host";
	case KW_RT_DOCKER:
		return "docker";
	case KW_RT_CONTAINERD:
		return "containerd";
	case KW_RT_CRIO:
		return "cri-o";
	case KW_RT_PODMAN:
		return "podman";
	case KW_RT_SYSTEMD:
		return "systemd";
	case KW_RT_OTHER:
		break;
	}
	return "other";
}
