// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The shared pieces of records: see pieces.h. */
#include <stdio.h>
#include <string.h>
#include "core/exit_status.h"
#include "core/names.h"
#include "output/pieces.h"
#include "util/textfmt.h"

/* a task's fields, in the object the caller opened */
static void task_fields(struct kw_fields *f, const struct kw_task *t, bool brief,
			const char *pid_key, const char *name_key, const char *uid_key)
{
	kw_f_u64(f, KW_KEY("pid", pid_key), t->tgid);
	kw_f_u64(f, KW_JSON_ONLY(brief ? NULL : "tid"), t->pid);
	kw_f_strn(f, KW_KEY("comm", name_key), t->comm, sizeof(t->comm));
	kw_f_u64(f, KW_KEY(brief ? NULL : "uid", uid_key), t->uid);
	kw_f_u64(f, KW_JSON_ONLY("cgroup_id"), t->cgroup_id);
	kw_f_u64(f, KW_JSON_ONLY(brief ? NULL : "memcg_id"), t->memcg_id);
	kw_f_bool(f, KW_JSON_ONLY(brief ? NULL : "memcg_v1"), t->memcg_hier != 0);
	kw_f_u64(f, KW_JSON_ONLY("netns"), t->netns_ino);
	kw_f_u64(f, KW_JSON_ONLY(brief ? NULL : "mntns"), t->mntns_ino);
}

void kw_put_task(struct kw_fields *f, struct kw_key role, const struct kw_task *t, bool brief)
{
	const char *otlp_role = role.k[KW_FIELDS_OTLP];
	struct kw_key obj = KW_JSON_ONLY(role.k[KW_FIELDS_JSON]);
	char pid_key[48], name_key[48];
	const char *uid_key = NULL;

	if (!role.k[f->kind])	/* this back-end does not show it */
		return;
	if (otlp_role && !strcmp(otlp_role, "process")) {
		snprintf(pid_key, sizeof(pid_key), "process.pid");
		snprintf(name_key, sizeof(name_key), "process.executable.name");
		uid_key = "process.user.id";
	} else if (otlp_role) {
		snprintf(pid_key, sizeof(pid_key), "kwhy.%s.pid", otlp_role);
		snprintf(name_key, sizeof(name_key), "kwhy.%s.name", otlp_role);
	}
	kw_f_obj_begin(f, obj);
	task_fields(f, t, brief, otlp_role ? pid_key : NULL, otlp_role ? name_key : NULL, uid_key);
	kw_f_obj_end(f, obj);
}

void kw_put_task_list(struct kw_fields *f, const char *json_key, const struct kw_task *t,
		      uint32_t n, bool brief)
{
	struct kw_json *j = kw_fields_json_only(f);

	if (!j)
		return;
	kw_json_arr_begin(j, json_key);
	for (uint32_t i = 0; i < n; i++) {
		kw_json_obj_begin(j, NULL);
		task_fields(f, &t[i], brief, NULL, NULL, NULL);
		kw_json_obj_end(j);
	}
	kw_json_arr_end(j);
}

void kw_put_actor(struct kw_fields *f, struct kw_key role, const struct kw_hdr *h)
{
	if (h->flags & KW_F_TASK)
		kw_put_task(f, role, &h->task, false);
	else
		kw_f_null(f, role);
}

void kw_put_endpoint(struct kw_fields *f, struct kw_key key, const struct kw_addr *a,
		     enum kw_endpoint_form form)
{
	const char *prefix = key.k[KW_FIELDS_OTLP];
	char ip[64], text[64], addr_key[48] = "", port_key[48] = "";
	struct kw_buf ib = KW_BUF_INIT(ip), tb = KW_BUF_INIT(text);
	/* JSON: the object's key, or NULL for the text form */
	const char *json_obj = form == KW_EP_OBJECT ? key.k[KW_FIELDS_JSON] : NULL;
	struct kw_key obj = KW_JSON_ONLY(json_obj);

	if (!a->family && (form == KW_EP_TEXT || f->kind == KW_FIELDS_OTLP)) {
		kw_f_null(f, key);
		return;
	}
	if (prefix) {
		snprintf(addr_key, sizeof(addr_key), "%s.address", prefix);
		snprintf(port_key, sizeof(port_key), "%s.port", prefix);
	}
	kw_fmt_ip(&ib, a);
	kw_fmt_endpoint(&tb, a);
	kw_f_obj_begin(f, obj);
	kw_f_str(f, KW_JSON_ONLY(json_obj ? "family" : NULL), kw_family_name(a->family));
	kw_f_str(f, KW_KEY(json_obj ? "addr" : NULL, prefix ? addr_key : NULL), ip);
	kw_f_u64(f, KW_KEY(json_obj ? "port" : NULL, prefix ? port_key : NULL), a->port);
	kw_f_str(f, KW_JSON_ONLY(json_obj ? "text" : key.k[KW_FIELDS_JSON]), text);
	kw_f_obj_end(f, obj);
}

void kw_put_network(struct kw_fields *f, const char *transport, const struct kw_addr *a)
{
	kw_f_str(f, KW_OTLP_ONLY("network.transport"), transport);
	kw_f_str(f, KW_OTLP_ONLY("network.type"), kw_family_name(a->family));
}

enum kw_place_kind kw_place_kind(const struct kw_place *p)
{
	if (!p->known)
		return KW_PLACE_UNKNOWN;
	if (p->runtime == KW_RT_HOST)
		return KW_PLACE_HOST;
	return p->runtime == KW_RT_SYSTEMD ? KW_PLACE_SERVICE : KW_PLACE_CONTAINER;
}

void kw_put_place(struct kw_fields *f, const char *json_key, const struct kw_place *p)
{
	static const char *const kind_names[] = {
		[KW_PLACE_HOST] = "host",
		[KW_PLACE_SERVICE] = "service",
		[KW_PLACE_CONTAINER] = "container",
	};
	enum kw_place_kind kind = kw_place_kind(p);
	bool ctr = kind == KW_PLACE_CONTAINER;
	struct kw_key obj = KW_JSON_ONLY(json_key);

	if (f->kind == KW_FIELDS_JSON && !json_key)
		return;
	if (kind == KW_PLACE_UNKNOWN) {
		kw_f_null(f, obj);
		if (p->cgroup_id)
			kw_f_u64(f, KW_OTLP_ONLY("kwhy.cgroup_id"), p->cgroup_id);
		return;
	}
	kw_f_obj_begin(f, obj);
	kw_f_str(f, KW_OTLP_ONLY("kwhy.place"), kind_names[kind]);
	kw_f_str(f, KW_JSON_ONLY("runtime"), kw_runtime_name(p->runtime));
	kw_f_strn(f, KW_KEY("id", kind == KW_PLACE_SERVICE ? "kwhy.systemd.unit" :
			    ctr ? "container.id" : NULL), p->id, sizeof(p->id));
	kw_f_strn(f, KW_KEY("name", ctr ? "container.name" : NULL), p->name, sizeof(p->name));
	kw_f_str(f, KW_OTLP_ONLY(ctr ? "container.runtime" : NULL), kw_runtime_name(p->runtime));
	/* JSON names the pod only for a pod */
	kw_f_strn(f, KW_KEY(p->pod[0] ? "pod" : NULL, ctr ? "k8s.pod.name" : NULL), p->pod,
		  sizeof(p->pod));
	kw_f_strn(f, KW_KEY(p->pod[0] ? "k8s_namespace" : NULL, ctr ? "k8s.namespace.name" : NULL),
		  p->k8s_namespace, sizeof(p->k8s_namespace));
	kw_f_strn(f, KW_KEY("cgroup_path", "kwhy.cgroup.path"), p->path, sizeof(p->path));
	kw_f_u64(f, KW_KEY("cgroup_id", "kwhy.cgroup_id"), p->cgroup_id);
	kw_f_obj_end(f, obj);
}

const struct kw_exit_keys kw_exit_keys_event = {
	.code = KW_KEY("exit_code", "process.exit.code"),
	.signal = KW_KEY("signal", "kwhy.signal"),
	.signo = KW_JSON_ONLY("signo"),
	.core_dumped = KW_JSON_ONLY("core_dumped"),
};

const struct kw_exit_keys kw_exit_keys_brief = {
	.code = KW_JSON_ONLY("exit_code"),
	.signal = KW_JSON_ONLY("signal"),
};

void kw_put_exit_status(struct kw_fields *f, const struct kw_exit_keys *k, uint32_t wait_status)
{
	struct kw_exit_status st = kw_exit_status(wait_status);

	if (st.signaled) {
		kw_f_null(f, k->code);
		kw_put_signal(f, k->signal, st.sig);
		kw_f_u64(f, k->signo, st.sig);
	} else {
		kw_f_u64(f, k->code, st.code);
		kw_f_null(f, k->signal);
		kw_f_null(f, k->signo);
	}
	kw_f_bool(f, k->core_dumped, st.core_dumped);
}

void kw_put_signal(struct kw_fields *f, struct kw_key key, int sig)
{
	const char *name = kw_signal_name(sig);

	/* an attribute is never null: an unknown signal is said so */
	kw_f_str(f, key, name || f->kind == KW_FIELDS_JSON ? name : "unknown");
}

void kw_fmt_task_short(struct kw_buf *b, const struct kw_task *t)
{
	kw_buf_printf(b, "%.*s %u", (int)strnlen(t->comm, sizeof(t->comm)), t->comm, t->tgid);
}

void kw_fmt_errno(struct kw_buf *b, int err)
{
	const char *name = kw_errno_name(err);

	if (name)
		kw_buf_puts(b, name);
	else
		kw_buf_printf(b, "errno %d", err);
}

void kw_put_errno(struct kw_fields *f, struct kw_key key, int err)
{
	char s[32];
	struct kw_buf b = KW_BUF_INIT(s);

	if (!err) {
		kw_f_null(f, key);
	} else if (f->kind == KW_FIELDS_JSON && !kw_errno_name(err)) {
		kw_f_i64(f, key, err);
	} else {
		kw_fmt_errno(&b, err);
		kw_f_str(f, key, s);
	}
}

void kw_put_time(struct kw_fields *f, struct kw_key key, int64_t wall_ns)
{
	char s[48];
	struct kw_buf b = KW_BUF_INIT(s);

	kw_fmt_time_rfc3339(&b, wall_ns);
	kw_f_str(f, key, s);
}
