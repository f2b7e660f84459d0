// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "kwhy.skel.h"
#include "kernel/corebtf.h"
#include "kernel/loader.h"

/* ---- libbpf messages ---- */

static bool g_verbose;
static char g_last_err[4][256];	/* the last warning/error lines, for messages */
static int g_last_err_n;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !g_verbose)
		return 0;
	if (level != LIBBPF_DEBUG) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(g_last_err[g_last_err_n % 4], sizeof(g_last_err[0]), fmt, copy);
		va_end(copy);
		g_last_err_n++;
	}
	if (!g_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void kw_loader_set_verbose(bool verbose)
{
	g_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

/* The program whose load failed, as libbpf names it: "prog 'NAME': ..." */
static bool failed_prog(char *name, size_t len)
{
	for (int i = 0; i < 4 && i < g_last_err_n; i++) {
		const char *line = g_last_err[(g_last_err_n - 1 - i) % 4];
		const char *p = strstr(line, "prog '");
		const char *q = p ? strchr(p + 6, '\'') : NULL;

		if (q && (size_t)(q - p - 6) < len) {
			memcpy(name, p + 6, q - p - 6);
			name[q - p - 6] = '\0';
			return true;
		}
	}
	return false;
}

static void last_error_text(char *out, size_t len)
{
	const char *line = g_last_err_n ? g_last_err[(g_last_err_n - 1) % 4] : "";

	snprintf(out, len, "%s", line);
	out[strcspn(out, "\n")] = '\0';
}

/* ---- start / stop ---- */

static bool item_has_prog(const struct kw_plan_item *it, const char *name)
{
	for (int k = 0; k < KW_PLAN_PROGS; k++)
		if (it->progs[k] && !strcmp(it->progs[k], name))
			return true;
	return false;
}

static bool prog_wanted(const struct kw_plan *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (p->items[i].enabled && item_has_prog(&p->items[i], name))
			return true;
	return false;
}

static void disable_item_of(struct kw_plan *p, const char *prog, const char *why)
{
	for (int i = 0; i < p->n; i++) {
		struct kw_plan_item *it = &p->items[i];

		if (it->enabled && item_has_prog(it, prog)) {
			it->enabled = false;
			snprintf(it->why, sizeof(it->why), "the kernel refused to load %s: %s",
				 prog, why);
		}
	}
}

/* The kernel filter matches namespaces by cookie when every one of the
 * target's is known by its cookie (5.14+), else by inode number. */
static bool netns_by_cookie(const struct kw_target *t)
{
	for (uint32_t i = 0; i < t->n_netns; i++)
		if (!t->netns_cookie[i])
			return false;
	return t->n_netns > 0;
}

/* One jiffy in ns: the resolution of the coarse clocks is the tick
 * (TICK_NSEC); the BPF side turns a socket's jiffies into ns with it. */
static __u64 tick_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || !res.tv_nsec)
		return 4000000;		/* HZ=250, Debian's */
	return res.tv_nsec;
}

static int write_all(int fd, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* The CO-RE target cut from the kernel's BTF for the object skel opened
 * (kernel/corebtf.h), written to fd; 0, or -1 to do without. */
static int write_core_btf(int fd, const struct btf *vmlinux, const struct kwhy_bpf *skel)
{
	const struct btf *local = bpf_object__btf(skel->obj);
	struct btf *cut = local ? kw_core_btf_cut(vmlinux, local) : NULL;
	const void *raw;
	__u32 size;
	int ret = -1;

	if (!cut)
		return -1;
	raw = btf__raw_data(cut, &size);
	if (raw && !write_all(fd, raw, size))
		ret = 0;
	btf__free(cut);
	return ret;
}

/* Open the skeleton.  The first time, with vmlinux (kwhy's own parse of
 * the kernel's BTF), libbpf is given a cut-down CO-RE target in a memfd
 * (*core_fd, read by path at load); if that cannot be made, the object is
 * opened again without one.  vmlinux is freed either way, before libbpf
 * reads the kernel's BTF itself: the two are never held at once. */
static struct kwhy_bpf *open_skel(struct btf **vmlinux, int *core_fd)
{
	char path[64];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = path);
	struct kwhy_bpf *skel;

	if (*vmlinux && *core_fd < 0) {
		*core_fd = memfd_create("kwhy-core-btf", MFD_CLOEXEC);
		if (*core_fd >= 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", *core_fd);
			skel = kwhy_bpf__open_opts(&opts);
			if (skel && !write_core_btf(*core_fd, *vmlinux, skel)) {
				btf__free(*vmlinux);
				*vmlinux = NULL;
				return skel;
			}
			kwhy_bpf__destroy(skel);
			close(*core_fd);
			*core_fd = -1;
		}
	}
	btf__free(*vmlinux);
	*vmlinux = NULL;
	if (*core_fd < 0)
		return kwhy_bpf__open();
	/* a retry: the target is written already */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *core_fd);
	return kwhy_bpf__open_opts(&opts);
}

static int open_and_load(struct kw_loader *l, const struct kw_loader_cfg *cfg,
			 const struct kw_target *t, struct btf **vmlinux, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int core_fd = -1, ret = -1;

	/* a verifier rejection of one program is retried without it */
	for (int attempt = 0; attempt <= KW_PLAN_MAX; attempt++) {
		char name[64], why[200];

		l->skel = open_skel(vmlinux, &core_fd);
		if (!l->skel) {
			snprintf(err, errlen, "cannot open the embedded BPF object: %s",
				 strerror(errno));
			ret = -1;	/* a retry's open: the last load's error is gone */
			break;
		}
		l->skel->rodata->kw_agg_window_ns = cfg->agg_window_ns;
		l->skel->rodata->kw_page_size = sysconf(_SC_PAGESIZE);
		l->skel->rodata->kw_filter_on = t->on;
		l->skel->rodata->kw_filter_port = cfg->filter_port;
		l->netns_by_cookie = netns_by_cookie(t);
		l->skel->rodata->kw_netns_by_cookie = l->netns_by_cookie;
		l->skel->rodata->kw_tick_ns = tick_ns();
		bpf_map__set_max_entries(l->skel->maps.kw_rb_rare, cfg->ring_rare_kb * 1024);
		/* a quarter full: records nothing waits for wake kwhy again
		 * (kw_submit_lazy); below, its poll timeout reads them */
		l->skel->rodata->kw_rare_wake_bytes = cfg->ring_rare_kb * 1024 / 4;
		bpf_map__set_max_entries(l->skel->maps.kw_rb_bulk, cfg->ring_bulk_kb * 1024);
		bpf_object__for_each_program(prog, l->skel->obj)
			bpf_program__set_autoload(prog, prog_wanted(&l->plan, bpf_program__name(prog)));

		g_last_err_n = 0;
		ret = kwhy_bpf__load(l->skel);
		if (!ret)
			break;
		last_error_text(why, sizeof(why));
		kwhy_bpf__destroy(l->skel);
		l->skel = NULL;
		if (!failed_prog(name, sizeof(name)) && core_fd >= 0) {
			/* not a program's failure: perhaps the cut CO-RE
			 * target (unreadable at its /proc path?); once more
			 * with the kernel's whole BTF, as libbpf would */
			close(core_fd);
			core_fd = -1;
			continue;
		}
		if (!failed_prog(name, sizeof(name)) || !prog_wanted(&l->plan, name)) {
			snprintf(err, errlen, "loading the BPF programs failed: %s (%s); run "
				 "'kwhy doctor' and 'kwhy watch -v' for details",
				 strerror(-ret), why);
			break;
		}
		disable_item_of(&l->plan, name, why);
		if (attempt == KW_PLAN_MAX)
			snprintf(err, errlen, "loading the BPF programs failed repeatedly");
	}
	btf__free(*vmlinux);	/* when the skeleton could not be opened */
	*vmlinux = NULL;
	if (core_fd >= 0)
		close(core_fd);
	return ret ? -1 : 0;
}

/* the kernel filter's key of a namespace: its cookie or its inode, as
 * the programs were loaded to look it up; 0 when unknown that way */
static __u64 netns_key(const struct kw_loader *l, const struct kw_target *t, uint32_t i)
{
	return l->netns_by_cookie ? t->netns_cookie[i] : t->netns[i];
}

/* Put the ids of t that old lacks into the filter maps (old NULL: all),
 * then take out those of old that t lacks; errno of the first failure. */
static int put_target(struct kw_loader *l, const struct kw_target *old,
		      const struct kw_target *t)
{
	int cg2 = bpf_map__fd(l->skel->maps.kw_target_cg2);
	int memcg = bpf_map__fd(l->skel->maps.kw_target_memcg);
	int netns = bpf_map__fd(l->skel->maps.kw_target_netns);
	int tgids = bpf_map__fd(l->skel->maps.kw_target_tgids);
	__u8 one = 1;
	int err = 0;

	for (uint32_t i = 0; i < t->n_cg2; i++)
		if (!old || !kw_target_has_cgroup(old, t->cg2[i], false))
			err |= bpf_map_update_elem(cg2, &t->cg2[i], &one, 0);
	for (uint32_t i = 0; i < t->n_memcg; i++)
		if (!old || !kw_target_has_cgroup(old, t->memcg[i], true))
			err |= bpf_map_update_elem(memcg, &t->memcg[i], &one, 0);
	for (uint32_t i = 0; i < t->n_netns; i++) {
		__u64 key = netns_key(l, t, i);

		if (key)
			err |= bpf_map_update_elem(netns, &key, &one, 0);
	}
	for (uint32_t i = 0; i < t->n_tgids; i++)
		err |= bpf_map_update_elem(tgids, &t->tgids[i], &one, 0);
	if (!old)
		return err ? -1 : 0;
	/* a key already gone from the map is no failure */
	for (uint32_t i = 0; i < old->n_cg2; i++)
		if (!kw_target_has_cgroup(t, old->cg2[i], false))
			bpf_map_delete_elem(cg2, &old->cg2[i]);
	for (uint32_t i = 0; i < old->n_memcg; i++)
		if (!kw_target_has_cgroup(t, old->memcg[i], true))
			bpf_map_delete_elem(memcg, &old->memcg[i]);
	for (uint32_t i = 0; i < old->n_netns; i++) {
		__u64 key = netns_key(l, old, i);

		if (key && !kw_target_has_netns(t, old->netns[i], old->netns_cookie[i]))
			bpf_map_delete_elem(netns, &key);
	}
	return err ? -1 : 0;
}

int kw_loader_retarget(struct kw_loader *l, const struct kw_target *old,
		       const struct kw_target *t)
{
	return l->skel ? put_target(l, old, t) : -1;
}

static void attach_all(struct kw_loader *l)
{
	for (int i = 0; i < l->plan.n; i++) {
		struct kw_plan_item *it = &l->plan.items[i];

		for (int k = 0; it->enabled && k < KW_PLAN_PROGS && it->progs[k]; k++) {
			struct bpf_program *prog =
				bpf_object__find_program_by_name(l->skel->obj, it->progs[k]);
			struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;

			if (!link) {
				int e = prog ? errno : ENOENT;

				it->enabled = false;
				snprintf(it->why, sizeof(it->why), "attaching %s to %s failed: %s",
					 it->progs[k], it->tracepoint, strerror(e));
				break;
			}
			l->links[i][k] = link;
		}
		/* a half-attached pair (bind enter without exit) is detached */
		if (!it->enabled)
			for (int k = 0; k < KW_PLAN_PROGS; k++) {
				bpf_link__destroy(l->links[i][k]);
				l->links[i][k] = NULL;
			}
	}
}

/* ---- the rings ---- */

/* a bulk record: passed on, and the batch ends at KW_BULK_BATCH (a
 * negative return stops libbpf's loop after this record is consumed) */
static int on_bulk(void *ctx, void *data, size_t len)
{
	struct kw_loader *l = ctx;
	int ret = l->on_record(l->cb_ctx, data, len);

	if (ret)
		return ret;
	return ++l->bulk_n >= KW_BULK_BATCH ? -EAGAIN : 0;
}

static int open_rings(struct kw_loader *l, ring_buffer_sample_fn on_record, void *cb_ctx)
{
	int rare = bpf_map__fd(l->skel->maps.kw_rb_rare);
	int bulk = bpf_map__fd(l->skel->maps.kw_rb_bulk);
	struct epoll_event ev = { .events = EPOLLIN };

	l->on_record = on_record;
	l->cb_ctx = cb_ctx;
	l->rb_rare = ring_buffer__new(rare, on_record, cb_ctx, NULL);
	l->rb_bulk = ring_buffer__new(bulk, on_bulk, l, NULL);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!l->rb_rare || !l->rb_bulk || l->epfd < 0)
		return -1;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, rare, &ev) ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, bulk, &ev))
		return -1;
	return 0;
}

int kw_loader_poll(struct kw_loader *l, int timeout_ms)
{
	struct epoll_event evs[2];
	int total = 0, n;

	if (timeout_ms > 0) {
		n = epoll_wait(l->epfd, evs, 2, timeout_ms);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
	}
	for (int round = 0; round < KW_BULK_ROUNDS; round++) {
		n = ring_buffer__consume(l->rb_rare);
		if (n < 0)
			return n;
		total += n;
		l->bulk_n = 0;
		n = ring_buffer__consume(l->rb_bulk);
		if (n == -EAGAIN && l->bulk_n >= KW_BULK_BATCH) {
			total += l->bulk_n;	/* a full batch: more may wait */
			continue;
		}
		if (n < 0)
			return n;
		total += n;
		break;
	}
	return total;
}

int kw_loader_start(struct kw_loader *l, const struct kw_loader_cfg *cfg,
		    const struct kw_features *f, const struct kw_target *t, struct btf *vmlinux,
		    ring_buffer_sample_fn on_record, void *cb_ctx, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->epfd = -1;
	kw_plan_make(f, &l->plan);
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs: %s", strerror(-l->ncpus));
		btf__free(vmlinux);
		return -1;
	}
	if (kw_agg_seen_init(&l->agg_seen)) {
		snprintf(err, errlen, "out of memory");
		btf__free(vmlinux);
		return -1;
	}
	if (open_and_load(l, cfg, t, &vmlinux, err, errlen))
		return -1;
	/* the target's ids go into the kernel's filter maps before any
	 * program is attached, so no event of another container slips through */
	if (put_target(l, NULL, t)) {
		snprintf(err, errlen, "cannot fill the target filter maps: %s", strerror(errno));
		return -1;
	}
	attach_all(l);
	if (open_rings(l, on_record, cb_ctx)) {
		snprintf(err, errlen, "cannot set up the BPF ring buffers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void kw_loader_stop(struct kw_loader *l)
{
	ring_buffer__free(l->rb_rare);
	ring_buffer__free(l->rb_bulk);
	l->rb_rare = l->rb_bulk = NULL;
	if (l->epfd > 0)
		close(l->epfd);
	l->epfd = -1;
	for (int i = 0; i < KW_PLAN_MAX; i++)
		for (int k = 0; k < KW_PLAN_PROGS; k++) {
			bpf_link__destroy(l->links[i][k]);
			l->links[i][k] = NULL;
		}
	kwhy_bpf__destroy(l->skel);
	l->skel = NULL;
	kw_agg_seen_free(&l->agg_seen);
}

void kw_loader_note_listener_proc(struct kw_loader *l, uint32_t tgid)
{
	__u32 one = 1;

	/* BPF_NOEXIST: a count kept by the kernel stays as it is */
	bpf_map_update_elem(bpf_map__fd(l->skel->maps.kw_listener_procs), &tgid, &one,
			    BPF_NOEXIST);
}

/* ---- counters and repeats ---- */

int kw_loader_counters(struct kw_loader *l, struct kw_counters *sum)
{
	struct kw_counters *percpu;
	__u32 zero = 0;
	int ret;

	memset(sum, 0, sizeof(*sum));
	percpu = calloc(l->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	ret = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.kw_counters), &zero, percpu);
	if (!ret) {
		for (int c = 0; c < l->ncpus; c++)
			for (int t = 0; t < KW_EV_COUNTED; t++) {
				sum->emitted[t] += percpu[c].emitted[t];
				sum->lost[t] += percpu[c].lost[t];
				sum->aggregated[t] += percpu[c].aggregated[t];
				sum->filtered[t] += percpu[c].filtered[t];
			}
	}
	free(percpu);
	return ret;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void kw_loader_drain_repeats(struct kw_loader *l, kw_emit_fn emit, void *ctx)
{
	int fd = bpf_map__fd(l->skel->maps.kw_agg);
	struct kw_agg_key key, next;
	struct kw_agg_val val;
	void *prev = NULL;
	/* the map has at most max_entries keys; bound the walk anyway, since
	 * the kernel may insert while it runs */
	uint32_t budget = 2 * bpf_map__max_entries(l->skel->maps.kw_agg);

	kw_agg_seen_begin_pass(&l->agg_seen);
	while (budget-- && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		uint64_t delta = kw_agg_seen_delta(&l->agg_seen, &key, val.suppressed);

		if (!delta)
			continue;
		struct kw_event ev = {};

		ev.repeat.hdr.type = KW_EV_REPEAT;
		ev.repeat.hdr.size = sizeof(ev.repeat);
		ev.repeat.hdr.ts_boot_ns = clock_ns(CLOCK_BOOTTIME);
		ev.repeat.hdr.ts_mono_ns = clock_ns(CLOCK_MONOTONIC);
		if (key.netns_ino) {
			ev.repeat.hdr.netns_ino = key.netns_ino;
			ev.repeat.hdr.flags |= KW_F_NETNS;
		}
		ev.repeat.key = key;
		ev.repeat.count = delta;
		ev.repeat.total = val.suppressed;
		ev.repeat.first_ns = val.first_ns;
		ev.repeat.last_ns = val.last_ns;
		emit(&ev, ctx);
	}
	kw_agg_seen_end_pass(&l->agg_seen);
}
