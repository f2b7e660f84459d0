// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probing the running kernel and machine (see probe.h). */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "host/cgmounts.h"
#include "host/procfs.h"
#include "host/sockdiag.h"
#include "kernel/probe.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const char *const tp_btf_names[KW_TP_MAX] = {
	[KW_TP_MARK_VICTIM] = "mark_victim",
	[KW_TP_PROCESS_EXIT] = "sched_process_exit",
	[KW_TP_SIGNAL_GENERATE] = "signal_generate",
	[KW_TP_SET_STATE] = "inet_sock_set_state",
	[KW_TP_SEND_RESET] = "tcp_send_reset",
	[KW_TP_RECV_RESET] = "tcp_receive_reset",
	[KW_TP_ERROR_REPORT] = "inet_sk_error_report",
	[KW_TP_KFREE_SKB] = "kfree_skb",
	[KW_TP_RETRANSMIT_SKB] = "tcp_retransmit_skb",
	[KW_TP_RETRANSMIT_SYNACK] = "tcp_retransmit_synack",
	[KW_TP_ICMP_SEND] = "icmp_send",
};

/* Is NAME a value of the enum whose id is id (-1: none) in btf? */
static bool enum_has(const struct btf *btf, int id, const char *name)
{
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);
	const struct btf_enum *v = t ? btf_enum(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++, v++)
		if (!strcmp(btf__name_by_offset(btf, v->name_off), name))
			return true;
	return false;
}

/* the arguments of the tracepoint whose typedef btf_trace_NAME is id */
static int tp_args_of(const struct btf *btf, int id)
{
	const struct btf_type *t;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);		/* typedef -> pointer */
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);	/* pointer -> func proto */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;			/* minus void *__data */
}

int kw_btf_tp_args(const struct btf *btf, const char *name)
{
	char tname[96];

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return tp_args_of(btf, btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF));
}

/* What the probe looks up, by id (-1: absent): the typedefs
 * btf_trace_<tracepoint>, the two reason enums and the helpers' ids */
struct probe_ids {
	int tp[KW_TP_MAX];
	int rst_enum, drop_enum, func_enum;
};

/* All of them in one pass over the kernel's types, the first of each name
 * as btf__find_by_name_kind finds it (one pass of its own per name: the
 * 14 lookups were 1.5 ms of the start-up) */
static void find_probe_ids(const struct btf *btf, struct probe_ids *ids)
{
	uint32_t n = btf__type_cnt(btf);

	for (int k = 0; k < KW_TP_MAX; k++)
		ids->tp[k] = -1;
	ids->rst_enum = ids->drop_enum = ids->func_enum = -1;
	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_typedef(t) && !btf_is_enum(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name)
			continue;
		if (btf_is_enum(t)) {
			if (ids->rst_enum < 0 && !strcmp(name, "sk_rst_reason"))
				ids->rst_enum = i;
			else if (ids->drop_enum < 0 && !strcmp(name, "skb_drop_reason"))
				ids->drop_enum = i;
			else if (ids->func_enum < 0 && !strcmp(name, "bpf_func_id"))
				ids->func_enum = i;
			continue;
		}
		if (strncmp(name, "btf_trace_", 10))
			continue;
		for (int k = 0; k < KW_TP_MAX; k++)
			if (ids->tp[k] < 0 && !strcmp(name + 10, tp_btf_names[k]))
				ids->tp[k] = i;
	}
}

/*
 * The kernel's BTF, mapped where the kernel allows it (6.16+; libbpf 1.6
 * does the same): btf__new's copy is then the only one in memory, without
 * the ~1,400 page-sized reads of the file and the buffer they fill (half
 * the time of the parse, and 5.5 MiB of the probe's peak).  Elsewhere, or
 * on any failure, libbpf reads it as before.
 */
static struct btf *load_vmlinux_btf(void)
{
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	struct btf *btf = NULL;
	struct stat st;
	void *m;

	if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0) {
		m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			btf = btf__new(m, st.st_size);
			munmap(m, st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	return btf ?: btf__load_vmlinux_btf();
}

static void probe_btf(struct kw_features *f, struct btf **keep)
{
	struct btf *btf = load_vmlinux_btf();
	struct probe_ids ids;

	for (int i = 0; i < KW_TP_MAX; i++)
		f->tp_args[i] = -1;
	if (!btf) {
		snprintf(f->btf_error, sizeof(f->btf_error),
			 "cannot read /sys/kernel/btf/vmlinux (%s); kwhy needs a kernel built "
			 "with CONFIG_DEBUG_INFO_BTF", strerror(errno));
		return;
	}
	f->btf = true;
	find_probe_ids(btf, &ids);
	for (int i = 0; i < KW_TP_MAX; i++)
		f->tp_args[i] = tp_args_of(btf, ids.tp[i]);
	f->rst_reason_enum = ids.rst_enum >= 0;
	f->drop_netfilter = enum_has(btf, ids.drop_enum, "SKB_DROP_REASON_NETFILTER_DROP");
	f->drop_listen_overflow = enum_has(btf, ids.drop_enum,
					   "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW");
	f->task_pt_regs = enum_has(btf, ids.func_enum, "BPF_FUNC_task_pt_regs");
	if (keep)
		*keep = btf;
	else
		btf__free(btf);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* syscalls:NAME exists in tracefs (a kernel with CONFIG_FTRACE_SYSCALLS) */
static bool syscall_tp(const struct kw_features *f, const char *name)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", f->tracefs, name);
	return exists(path);
}

static void probe_tracefs(struct kw_features *f, bool mount_it)
{
	/* libbpf looks under debugfs first, then /sys/kernel/tracing */
	static const char *const candidates[] = { "/sys/kernel/debug/tracing",
						  "/sys/kernel/tracing" };
	char path[160];

	for (size_t i = 0; i < 2 && !f->tracefs[0]; i++) {
		snprintf(path, sizeof(path), "%s/events", candidates[i]);
		if (exists(path))
			snprintf(f->tracefs, sizeof(f->tracefs), "%s", candidates[i]);
	}
	if (!f->tracefs[0] && mount_it) {
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
			snprintf(f->tracefs, sizeof(f->tracefs), "/sys/kernel/tracing");
			f->tracefs_mounted_now = true;
		} else {
			snprintf(f->tracefs_error, sizeof(f->tracefs_error),
				 "mount -t tracefs nodev /sys/kernel/tracing: %s", strerror(errno));
		}
	}
	if (f->tracefs[0]) {
		f->bind_tp = syscall_tp(f, "sys_enter_bind") && syscall_tp(f, "sys_exit_bind");
		f->connect_tp = syscall_tp(f, "sys_enter_connect") &&
				syscall_tp(f, "sys_exit_connect");
		f->listen_tp = syscall_tp(f, "sys_enter_listen") && syscall_tp(f, "sys_exit_listen");
		f->accept_tp = syscall_tp(f, "sys_exit_accept4") && syscall_tp(f, "sys_exit_accept");
	}
}

/* The first cgroup2 mount and the first v1 memory mount: the hierarchies
 * whose ids BPF reports (host/cgmounts.c reads mountinfo for everyone). */
static void probe_cgroups(struct kw_features *f)
{
	struct kw_cgroup_mounts *m = malloc(sizeof(*m));

	if (!m || kw_cgroup_mounts_load(KW_PROC_ROOT, m)) {
		free(m);
		return;
	}
	if (m->nr_cg2)
		snprintf(f->cg2_mount, sizeof(f->cg2_mount), "%s", m->cg2[0].mnt);
	if (m->nr_mem)
		snprintf(f->memcg_v1_mount, sizeof(f->memcg_v1_mount), "%s", m->mem[0].mnt);
	if (m->v1_controllers && f->cg2_mount[0])
		f->cg_layout = KW_CG_HYBRID;
	else if (m->v1_controllers)
		f->cg_layout = KW_CG_V1;
	else if (f->cg2_mount[0])
		f->cg_layout = KW_CG_V2;
	free(m);
}

static void probe_caps(struct kw_features *f)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	f->root = geteuid() == 0;
	if (syscall(SYS_capget, &hdr, data))
		return;
#define HAS(cap) (!!(data[(cap) / 32].effective & (1u << ((cap) % 32))))
	f->cap_sys_admin = HAS(CAP_SYS_ADMIN);
	f->cap_bpf = HAS(CAP_BPF) || f->cap_sys_admin;
	f->cap_perfmon = HAS(CAP_PERFMON) || f->cap_sys_admin;
#undef HAS
}

void kw_features_probe(struct kw_features *f, bool mount_tracefs)
{
	kw_features_probe_btf(f, mount_tracefs, NULL);
}

void kw_features_probe_btf(struct kw_features *f, bool mount_tracefs, struct btf **btf)
{
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (btf)
		*btf = NULL;
	if (uname(&u) == 0)	/* shown to the user; never used to decide */
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%s", u.release);
	probe_btf(f, btf);
	probe_caps(f);
	probe_tracefs(f, mount_tracefs && f->cap_sys_admin);
	probe_cgroups(f);
	f->ringbuf = -1;
	f->sock_diag = -1;
	if (f->cap_bpf)
		f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
}

static void no_listener(void *ctx, const struct kw_diag_listener *l)
{
	(void)ctx;
	(void)l;
}

void kw_features_probe_sockdiag(struct kw_features *f)
{
	uint64_t cookie;
	int nsfd, err;

	nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return;
	err = kw_sockdiag_listeners(nsfd, no_listener, NULL, &cookie);
	close(nsfd);
	if (!err)
		f->sock_diag = 1;
	else if (kw_sockdiag_hopeless(err) && err != -EPERM)
		f->sock_diag = 0;
}
