/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Least privilege for the event loop (docs/threat-model.md).  Loading and
 * attaching the BPF programs needs nearly everything; reading the rings,
 * /proc, cgroupfs and container metadata afterwards needs little, while
 * that is where untrusted strings are parsed.  Once attached, kwhy:
 *
 *   - keeps CAP_DAC_READ_SEARCH (other users' /proc files and container
 *     metadata), CAP_SYS_PTRACE (/proc/PID/fd and /proc/PID/ns of other
 *     users' and of non-dumpable processes) and, on kernels that still ask
 *     for it for every bpf() command, CAP_BPF (the map reads and updates:
 *     counters, repeats, the --container filter); it tries the map read
 *     without CAP_BPF first and keeps it only when that fails.  Everything
 *     else goes, from the bounding set too.  sock_diag inside other
 *     network namespaces (setns: CAP_SYS_ADMIN) is asked of the broker
 *     (host/sockdiag.h), a process that keeps CAP_SYS_ADMIN alone;
 *   - sets no_new_privs;
 *   - installs a seccomp allowlist of the system calls the loop makes: no
 *     execve, no ptrace, no process or thread creation, bpf() only for map
 *     commands, sockets only as received from the broker, and files opened
 *     for writing, renamed or removed only when recording a trace.
 */
#ifndef KWHY_SANDBOX_H
#define KWHY_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"

struct kw_sandbox_cfg {
	bool writes;		/* a trace is written: create, rename, unlink */
	bool serves;		/* --metrics: accept and answer on its socket */
	bool pushes;		/* --otlp-endpoint: libcurl connects out from
				 * its thread (and a resolver thread) */
	/* a map read through bpf(), 0 when it worked: run once without
	 * CAP_BPF to learn whether this kernel needs it */
	int (*bpf_probe)(void *ctx);
	void *probe_ctx;
};

struct kw_sandbox {
	uint64_t kept;		/* capabilities kept */
	bool bpf_needs_cap;	/* the map read failed without CAP_BPF */
	bool no_new_privs;
	bool seccomp;
	int nr_syscalls;	/* in the allowlist */
};

/* Capabilities and no_new_privs, before any thread is started (both are
 * per thread; threads started later inherit them).  0, or -errno with err
 * saying which step failed (what was done before it stays done). */
int kw_sandbox_drop(const struct kw_sandbox_cfg *c, struct kw_sandbox *sb, char *err,
		    size_t errlen);
/* The seccomp allowlist, for every thread of the process (TSYNC): once
 * the trace writer runs and the start-up snapshot was taken. */
int kw_sandbox_filter(const struct kw_sandbox_cfg *c, struct kw_sandbox *sb, char *err,
		      size_t errlen);
/* What is kept, for doctor: the capabilities the loop may keep (CAP_BPF
 * last: only when needed), and the one the broker keeps. */
extern const int kw_sandbox_caps[];
extern const int kw_sandbox_ncaps;
extern const int kw_sandbox_broker_cap;
/* the same as text lines, for doctor */
void kw_sandbox_describe(struct kw_buf *b);

#endif
