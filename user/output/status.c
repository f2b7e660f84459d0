// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <string.h>
#include "util/escape.h"
#include "util/json.h"
#include "output/pieces.h"
#include "output/status.h"
#include "kernel/sandbox.h"
#include "util/caps.h"
#include "core/names.h"

static void json_begin(struct kw_json *j, struct kw_buf *b, const char *type, int64_t wall)
{
	struct kw_fields f = kw_fields_json(j);

	kw_json_init(j, b);
	kw_json_obj_begin(j, NULL);
	kw_json_u64(j, "schema", KW_JSON_SCHEMA);
	kw_json_str(j, "type", type);
	kw_put_time(&f, KW_JSON_ONLY("time"), wall);
}

/* the items attached by a fallback, or those not attached, and why */
static void json_plan_why(struct kw_json *j, const char *key, const struct kw_plan *p,
			  bool fallbacks)
{
	kw_json_arr_begin(j, key);
	for (int i = 0; i < p->n; i++) {
		const struct kw_plan_item *it = &p->items[i];

		if (fallbacks ? !it->enabled || !it->fallback : it->enabled)
			continue;
		kw_json_obj_begin(j, NULL);
		kw_json_str(j, "event", it->event);
		kw_json_str(j, "tracepoint", it->tracepoint);
		kw_json_str(j, "why", it->why);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

static void json_plan_items(struct kw_json *j, const struct kw_plan *p)
{
	kw_json_arr_begin(j, "attached");
	for (int i = 0; i < p->n; i++) {
		const struct kw_plan_item *it = &p->items[i];

		if (!it->enabled)
			continue;
		kw_json_obj_begin(j, NULL);
		kw_json_str(j, "event", it->event);
		kw_json_str(j, "tracepoint", it->tracepoint);
		kw_json_str(j, "variant", it->variant);
		kw_json_bool(j, "fallback", it->fallback);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
	json_plan_why(j, "fallbacks", p, true);
	json_plan_why(j, "unavailable", p, false);
}

static void text_plan_items(struct kw_buf *b, const struct kw_plan *p, const char *indent)
{
	for (int i = 0; i < p->n; i++) {
		const struct kw_plan_item *it = &p->items[i];

		kw_buf_printf(b, "%s%-34s %-26s ", indent, it->event, it->tracepoint);
		if (!it->enabled)
			kw_buf_printf(b, "UNAVAILABLE: %s\n", it->why);
		else if (it->fallback)
			kw_buf_printf(b, "fallback %s: %s\n", it->variant, it->why);
		else
			kw_buf_printf(b, "%s\n", it->variant);
	}
}

void kw_format_ready(struct kw_buf *b, bool json, const struct kw_plan *p,
		     const struct kw_features *f, const struct kw_ready_info *ri)
{
	struct kw_json j;

	if (!json) {
		kw_buf_printf(b, "kwhy %s watching %s (kernel %s, cgroups %s, pid %u); events:\n",
			      ri->version, ri->target ? ri->target : "the whole host",
			      f->kernel_release, kw_cg_layout_name(f->cg_layout), ri->pid);
		text_plan_items(b, p, "  ");
		if (f->tracefs_mounted_now)
			kw_buf_printf(b, "  (mounted tracefs at %s for the bind tracepoints)\n",
				      f->tracefs);
		if (ri->agg_window_ns)
			kw_buf_printf(b, "  repeats within %.1f s of each other are counted in the "
				      "kernel and reported as REPEAT lines\n",
				      ri->agg_window_ns / 1e9);
		return;
	}
	json_begin(&j, b, "ready", ri->now_wall_ns);
	kw_json_str(&j, "version", ri->version);
	kw_json_u64(&j, "abi", KW_ABI_VERSION);
	kw_json_str(&j, "kernel", f->kernel_release);
	kw_json_u64(&j, "pid", ri->pid);
	kw_json_str(&j, "cgroup_layout", kw_cg_layout_name(f->cg_layout));
	kw_json_u64(&j, "aggregation_window_ms", ri->agg_window_ns / 1000000);
	kw_json_str(&j, "target", ri->target);
	kw_json_obj_begin(&j, "tracefs");
	kw_json_str(&j, "path", f->tracefs[0] ? f->tracefs : NULL);
	kw_json_bool(&j, "mounted_by_kwhy", f->tracefs_mounted_now);
	kw_json_obj_end(&j);
	json_plan_items(&j, p);
	kw_json_obj_end(&j);
}

uint64_t kw_counters_lost_total(const struct kw_counters *c)
{
	uint64_t n = 0;

	for (int t = 0; t < KW_EV_COUNTED; t++)
		n += c->lost[t];
	return n;
}

/* the types BPF counts: the kernel's events, not userspace records */
static bool kernel_event(int t)
{
	return kw_event_name(t) &&
	       (t < KW_EV_REPEAT || (t >= KW_EV_ACCEPT_QUEUE && t <= KW_EV_IDLE_RESET));
}

static void json_counter_obj(struct kw_json *j, const char *key, const __u64 *v)
{
	kw_json_obj_begin(j, key);
	for (int t = 1; t < KW_EV_COUNTED; t++)
		if (kernel_event(t))
			kw_json_u64(j, kw_event_name(t), v[t]);
	kw_json_obj_end(j);
}

void kw_format_stats(struct kw_buf *b, bool json, const struct kw_stats_info *si)
{
	const struct kw_counters *c = si->c;
	struct kw_json j;

	if (json) {
		json_begin(&j, b, "stats", si->now_wall_ns);
		kw_json_bool(&j, "final", si->final);
		kw_json_u64(&j, "lost_total", kw_counters_lost_total(c));
		kw_json_u64(&j, "decode_errors", si->decode_errors);
		json_counter_obj(&j, "emitted", c->emitted);
		json_counter_obj(&j, "lost", c->lost);
		json_counter_obj(&j, "aggregated", c->aggregated);
		json_counter_obj(&j, "filtered", c->filtered);
		kw_json_obj_end(&j);
		return;
	}
	kw_buf_printf(b, "kwhy %s: %" PRIu64 " lost, %" PRIu64 " malformed; per event "
		      "(sent/aggregated/filtered/lost):", si->final ? "final counters" : "counters",
		      kw_counters_lost_total(c), si->decode_errors);
	for (int t = 1; t < KW_EV_COUNTED; t++) {
		if (!kernel_event(t) || !(c->emitted[t] | c->aggregated[t] | c->filtered[t] |
					   c->lost[t]))
			continue;
		kw_buf_printf(b, " %s %llu/%llu/%llu/%llu", kw_event_name(t),
			      (unsigned long long)c->emitted[t],
			      (unsigned long long)c->aggregated[t],
			      (unsigned long long)c->filtered[t], (unsigned long long)c->lost[t]);
	}
}

static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* target descriptions hold container names: untrusted, escaped */
static void text_target(struct kw_buf *b, const struct kw_target_info *ti)
{
	bool back = !strcmp(ti->state, "back");

	kw_buf_printf(b, "kwhy: %s", back ? "the target is back: " : "the target, ");
	kw_escape_term(b, ti->target, strlen(ti->target));
	if (back && or_null(ti->previous_id))
		kw_buf_printf(b, ", was %.12s", ti->previous_id);
	if (back)
		kw_buf_printf(b, "; watching it");
	else if (ti->follows)
		kw_buf_printf(b, ", has gone away (its cgroup was removed, or made anew by a "
			      "restart); watching for a container of that name to return");
	else
		kw_buf_printf(b, ", has gone away (its cgroup or process no longer exists); "
			      "still watching in case it returns");
}

void kw_format_target(struct kw_buf *b, bool json, const struct kw_target_info *ti)
{
	struct kw_json j;

	if (!json) {
		text_target(b, ti);
		return;
	}
	json_begin(&j, b, "target", ti->now_wall_ns);
	kw_json_str(&j, "state", ti->state);
	kw_json_str(&j, "target", ti->target);
	kw_json_str(&j, "id", or_null(ti->id));
	if (!strcmp(ti->state, "back"))
		kw_json_str(&j, "previous_id", or_null(ti->previous_id));
	kw_json_bool(&j, "follows", ti->follows);
	kw_json_obj_end(&j);
}

void kw_format_trace_error(struct kw_buf *b, bool json, const struct kw_trace_error_info *ti)
{
	const char *name = kw_errno_name(ti->err);
	struct kw_json j;

	if (!json) {
		kw_buf_printf(b, "kwhy: writing the trace ");
		kw_escape_term(b, ti->file, strlen(ti->file));
		kw_buf_printf(b, " failed: %s (%s); %s; what was written before it is readable "
			      "(kwhy replay, info)", strerror(ti->err), name ? name : "?",
			      ti->keep_going ? "watching on without it (--keep-going), exit code "
			      "5 at the end" : "stopping with exit code 5");
		return;
	}
	json_begin(&j, b, "trace_error", ti->now_wall_ns);
	kw_json_str(&j, "file", ti->file);
	kw_json_str(&j, "error", name);
	kw_json_i64(&j, "errno", ti->err);
	kw_json_str(&j, "message", strerror(ti->err));
	kw_json_str(&j, "action", ti->keep_going ? "continue" : "stop");
	kw_json_obj_end(&j);
}

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
}

/* the runtimes found; what was not found is listed too, as not found */
static void json_runtimes(struct kw_json *j, const struct kw_runtime_found *rt)
{
	kw_json_arr_begin(j, "runtimes");
	for (int i = 0; rt && i < KW_RUNTIMES_N; i++) {
		const struct kw_runtime_found *r = &rt[i];

		kw_json_obj_begin(j, NULL);
		kw_json_str(j, "runtime", kw_runtime_name(r->runtime));
		kw_json_bool(j, "found", r->found);
		kw_json_str(j, "evidence", or_null(r->evidence));
		kw_json_str(j, "cgroup_driver", or_null(r->driver));
		kw_json_str(j, "cgroup_layout", or_null(r->layout));
		kw_json_bool(j, "names", r->names);
		kw_json_str(j, "names_from", or_null(r->names_from));
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

static void text_runtimes(struct kw_buf *b, const struct kw_runtime_found *rt)
{
	kw_buf_puts(b, "runtimes\n");
	for (int i = 0; rt && i < KW_RUNTIMES_N; i++) {
		const struct kw_runtime_found *r = &rt[i];

		if (!r->found) {
			kw_buf_printf(b, "  %-11s not found\n", kw_runtime_name(r->runtime));
			continue;
		}
		kw_buf_printf(b, "  %-11s %s", kw_runtime_name(r->runtime), r->evidence);
		if (r->layout[0])
			kw_buf_printf(b, "; cgroup driver %s, containers at %s", r->driver,
				      r->layout);
		else
			kw_buf_puts(b, "; no running container shows its cgroup layout");
		kw_buf_printf(b, "; names %s%s\n", r->names ? "from " : "unreadable: ",
			      r->names_from);
	}
}

void kw_format_doctor(struct kw_buf *b, bool json, const struct kw_plan *p,
		      const struct kw_features *f, const struct kw_runtime_found *rt)
{
	struct kw_json j;

	if (json) {
		json_begin(&j, b, "doctor", 0);
		kw_json_str(&j, "kernel", f->kernel_release);
		kw_json_bool(&j, "btf", f->btf);
		kw_json_str(&j, "btf_error", f->btf ? NULL : f->btf_error);
		kw_json_bool(&j, "root", f->root);
		kw_json_bool(&j, "cap_bpf", f->cap_bpf);
		kw_json_bool(&j, "cap_perfmon", f->cap_perfmon);
		if (f->ringbuf < 0)
			kw_json_null(&j, "ringbuf");
		else
			kw_json_bool(&j, "ringbuf", f->ringbuf);
		if (f->sock_diag < 0)
			kw_json_null(&j, "sock_diag");
		else
			kw_json_bool(&j, "sock_diag", f->sock_diag);
		kw_json_str(&j, "tracefs", f->tracefs[0] ? f->tracefs : NULL);
		kw_json_str(&j, "cgroup_layout", kw_cg_layout_name(f->cg_layout));
		kw_json_str(&j, "cgroup2_mount", f->cg2_mount[0] ? f->cg2_mount : NULL);
		kw_json_str(&j, "memcg_v1_mount", f->memcg_v1_mount[0] ? f->memcg_v1_mount : NULL);
		kw_json_obj_begin(&j, "tracepoint_args");
		for (int i = 0; i < KW_TP_MAX; i++)
			kw_json_i64(&j, kw_tp_names[i], f->tp_args[i]);
		kw_json_obj_end(&j);
		json_runtimes(&j, rt);
		json_plan_items(&j, p);
		kw_json_obj_begin(&j, "sandbox");
		kw_json_arr_begin(&j, "kept_capabilities");
		for (int i = 0; i < kw_sandbox_ncaps; i++)
			kw_json_str(&j, NULL, kw_cap_name(kw_sandbox_caps[i]));
		kw_json_arr_end(&j);
		kw_json_str(&j, "cap_bpf", "kept only when this kernel asks it for map reads");
		kw_json_bool(&j, "no_new_privs", true);
		kw_json_str(&j, "seccomp", "allowlist");
		kw_json_arr_begin(&j, "broker_keeps");
		kw_json_str(&j, NULL, kw_cap_name(kw_sandbox_broker_cap));
		kw_json_arr_end(&j);
		kw_json_obj_end(&j);
		kw_json_obj_end(&j);
		return;
	}
	kw_buf_printf(b, "kernel       %s (shown only: every decision below comes from BTF "
		      "and tracefs)\n", f->kernel_release);
	kw_buf_printf(b, "BTF          %s\n", f->btf ? "/sys/kernel/btf/vmlinux" : f->btf_error);
	kw_buf_printf(b, "privileges   root %s, CAP_BPF %s, CAP_PERFMON %s%s\n", yes_no(f->root),
		      yes_no(f->cap_bpf), yes_no(f->cap_perfmon),
		      f->cap_bpf && f->cap_perfmon ? "" : "  -> run kwhy as root (sudo)");
	kw_buf_printf(b, "ring buffer  %s\n", f->ringbuf < 0 ? "not probed (needs root)" :
		      f->ringbuf ? "yes" : "NO: kwhy needs BPF_MAP_TYPE_RINGBUF (Linux 5.8+)");
	if (f->sock_diag >= 0)
		kw_buf_printf(b, "sock_diag    %s\n", f->sock_diag ? "yes" :
			      "no (inet_diag is not loaded: modprobe inet_diag tcp_diag); "
			      "listeners are read from /proc/net/tcp, without their backlog "
			      "or IPV6_V6ONLY");
	if (f->tracefs[0])
		kw_buf_printf(b, "tracefs      %s\n", f->tracefs);
	else
		kw_buf_printf(b, "tracefs      not mounted: 'kwhy watch' mounts it at "
			      "/sys/kernel/tracing for the bind tracepoints\n");
	kw_buf_printf(b, "cgroups      %s", kw_cg_layout_name(f->cg_layout));
	if (f->cg2_mount[0])
		kw_buf_printf(b, ", cgroup2 at %s", f->cg2_mount);
	if (f->memcg_v1_mount[0])
		kw_buf_printf(b, ", v1 memory controller at %s (OOM limits are read there)",
			      f->memcg_v1_mount);
	kw_buf_puts(b, "\n");
	if (rt)
		text_runtimes(b, rt);
	kw_buf_puts(b, "tracepoints  (arguments in BTF, -1 = absent)\n");
	for (int i = 0; i < KW_TP_MAX; i++)
		kw_buf_printf(b, "  %-28s %d\n", kw_tp_names[i], f->tp_args[i]);
	kw_buf_puts(b, "plan\n");
	text_plan_items(b, p, "  ");
	kw_sandbox_describe(b);
}
