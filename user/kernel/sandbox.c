// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Least privilege for the event loop: see sandbox.h.  The filter is made
 * with libseccomp (Debian's libseccomp-dev, also as libseccomp.a for the
 * static build): it knows each architecture's numbers and writes the BPF
 * that checks arguments, which is easy to get subtly wrong by hand. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "kernel/sandbox.h"
#include "util/caps.h"

#define KEEP_ALWAYS ((1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_SYS_PTRACE))

/* what the loop calls, whatever it writes */
static const int g_allowed[] = {
	/* files and /proc: read, and write to what is already open */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(getdents64), SCMP_SYS(readlinkat), SCMP_SYS(fcntl),
	SCMP_SYS(ioctl), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(dup),
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
	SCMP_SYS(madvise),
	/* the rings, waits, time, the trace writer thread */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(sched_yield),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getrandom), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	/* sock_diag on sockets the broker made, and talking to it */
	SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	/* signals, the end */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	SCMP_SYS(tgkill), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* bpf(): the map commands only */
static const int g_bpf_cmds[] = {
	BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY,
	BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
	BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH, BPF_OBJ_GET_INFO_BY_FD,
};

/* when recording: creating, renaming and removing the trace's files */
static const int g_write_calls[] = {
	SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(unlink),
	SCMP_SYS(unlinkat),
};

/* --metrics: the server's connections (the listening socket is made
 * before the filter) */
static const int g_serve_calls[] = {
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(shutdown), SCMP_SYS(epoll_ctl),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername),
};

/* --otlp-endpoint: libcurl's connections out, its wake-up pipes, the
 * threads of its resolver, and the resolver's files (read-only: openat) */
static const int g_push_calls[] = {
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(socketpair), SCMP_SYS(pipe2), SCMP_SYS(eventfd2), SCMP_SYS(shutdown),
	SCMP_SYS(bind), SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(sched_getaffinity), SCMP_SYS(prlimit64), SCMP_SYS(getppid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack),
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl),
};

static int add_list(scmp_filter_ctx ctx, const int *calls, size_t nr, int *n)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < nr; i++, ++*n) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
		if (ret == -EEXIST)	/* in another list too */
			ret = 0;
	}
	return ret;
}

static int add_rules(scmp_filter_ctx ctx, const struct kw_sandbox_cfg *c, int *n)
{
	bool writes = c->writes;
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(g_allowed) / sizeof(g_allowed[0]); i++, ++*n)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, g_allowed[i], 0);
	for (size_t i = 0; !ret && i < sizeof(g_bpf_cmds) / sizeof(g_bpf_cmds[0]); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
				       SCMP_A0(SCMP_CMP_EQ, g_bpf_cmds[i]));
	++*n;
	for (size_t i = 0; writes && !ret && i < sizeof(g_write_calls) / sizeof(g_write_calls[0]);
	     i++, ++*n)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, g_write_calls[i], 0);
	/* openat: for reading only, unless recording */
	if (!ret && writes)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 0);
	else if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
					       O_RDONLY));
	++*n;
	if (!ret && c->serves)
		ret = add_list(ctx, g_serve_calls, sizeof(g_serve_calls) / sizeof(g_serve_calls[0]),
			       n);
	if (!ret && c->pushes)
		ret = add_list(ctx, g_push_calls, sizeof(g_push_calls) / sizeof(g_push_calls[0]), n);
	return ret;
}

static int install_filter(const struct kw_sandbox_cfg *c, int *n)
{
	/* EPERM, not a kill: a call forgotten here fails like any refused
	 * call, which kwhy reports, instead of ending an incident's trace */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int ret = ctx ? 0 : -ENOMEM;

	*n = 0;
	/* every thread: the trace writer's too */
	if (!ret)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!ret)
		ret = add_rules(ctx, c, n);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

/* Does a map read work without CAP_BPF?  (Before 6.5, with
 * kernel.unprivileged_bpf_disabled set, every bpf() command needs it.) */
static bool bpf_needs_cap(const struct kw_sandbox_cfg *c)
{
	bool needs;

	if (!c->bpf_probe || kw_caps_lower(CAP_BPF))
		return true;
	needs = c->bpf_probe(c->probe_ctx) != 0;
	kw_caps_raise(CAP_BPF);
	return needs;
}

int kw_sandbox_drop(const struct kw_sandbox_cfg *c, struct kw_sandbox *sb, char *err,
		    size_t errlen)
{
	int ret;

	memset(sb, 0, sizeof(*sb));
	sb->bpf_needs_cap = bpf_needs_cap(c);
	sb->kept = KEEP_ALWAYS | (sb->bpf_needs_cap ? 1ULL << CAP_BPF : 0);
	ret = kw_caps_keep(sb->kept);
	if (ret) {
		snprintf(err, errlen, "dropping capabilities: %s", strerror(-ret));
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = -errno;
		snprintf(err, errlen, "no_new_privs: %s", strerror(-ret));
		return ret;
	}
	sb->no_new_privs = true;
	return 0;
}

int kw_sandbox_filter(const struct kw_sandbox_cfg *c, struct kw_sandbox *sb, char *err,
		      size_t errlen)
{
	int ret = install_filter(c, &sb->nr_syscalls);

	if (ret) {
		snprintf(err, errlen, "the seccomp filter: %s", strerror(-ret));
		return ret;
	}
	sb->seccomp = true;
	return 0;
}

const int kw_sandbox_caps[] = { CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_BPF };
const int kw_sandbox_ncaps = sizeof(kw_sandbox_caps) / sizeof(kw_sandbox_caps[0]);
const int kw_sandbox_broker_cap = CAP_SYS_ADMIN;

void kw_sandbox_describe(struct kw_buf *b)
{
	kw_buf_printf(b,
		"sandbox      after attaching, watch and record keep %s (other users'\n"
		"             /proc and container metadata), %s (/proc/PID/fd and ns)\n"
		"             and %s only when this kernel asks it for map reads;\n"
		"             no_new_privs; a seccomp allowlist for the event loop;\n"
		"             sock_diag in other namespaces through a broker process that\n"
		"             keeps %s alone (--no-sandbox: keep everything;\n"
		"             docs/threat-model.md)\n",
		kw_cap_name(CAP_DAC_READ_SEARCH), kw_cap_name(CAP_SYS_PTRACE), kw_cap_name(CAP_BPF),
		kw_cap_name(CAP_SYS_ADMIN));
}
