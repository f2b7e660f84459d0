// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_decode: validation of raw ring-buffer records against the ABI. */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include "core/event.h"
#include "suites.h"
#include "testutil.h"

/* a raw record, aligned like the ring buffer's */
static union {
	struct kw_event ev;
	unsigned char bytes[1024];
} rec;
static struct kw_event ev;
static char err[256];

static const struct {
	unsigned int type;
	size_t size;
} abi_sizes[] = {
	{ KW_EV_OOM_KILL, 400 },
	{ KW_EV_PROC_EXIT, 128 },
	{ KW_EV_SIGNAL, 176 },
	{ KW_EV_LISTEN, 208 },
	{ KW_EV_LISTEN_CLOSE, 208 },
	{ KW_EV_CONNECT_FAIL, 160 },
	{ KW_EV_RESET_SENT, 160 },
	{ KW_EV_RESET_RECV, 160 },
	{ KW_EV_SOCK_ERROR, 160 },
	{ KW_EV_BIND, 144 },
	{ KW_EV_REPEAT, 176 },
	{ KW_EV_CGROUP, 768 },
	{ KW_EV_MEMCG_PROCS, 384 },
	{ KW_EV_SOCK_HOLDERS, 480 },
	{ KW_EV_HOST_MEM, 256 },
	{ KW_EV_RESYNC, 120 },
	{ KW_EV_UNIX_CONNECT_FAIL, 232 },
	{ KW_EV_CONNECT_NOADDR, 160 },
	{ KW_EV_ACCEPT_FAIL, 136 },
	{ KW_EV_UNIX_LISTEN, 240 },
	{ KW_EV_UNIX_PATH, 280 },
	{ KW_EV_PORT_USAGE, 152 },
	{ KW_EV_FD_USAGE, 152 },
	{ KW_EV_ACCEPT_QUEUE, 168 },
	{ KW_EV_CONNECT_TIMEOUT, 160 },
	{ KW_EV_SYN_FILTERED, 160 },
	{ KW_EV_IDLE_RESET, 200 },
	{ KW_EV_LISTEN_QUEUE, 504 },
};
#define NR_TYPES (sizeof(abi_sizes) / sizeof(abi_sizes[0]))

static void make(unsigned int type, size_t size)
{
	memset(&rec, 0, sizeof(rec));
	rec.ev.hdr.type = type;
	rec.ev.hdr.size = size;
	rec.ev.hdr.ts_boot_ns = 123456789;
	strcpy(rec.ev.hdr.task.comm, "nginx");
	memset(err, 0, sizeof(err));
}

static void assert_rejected(size_t len, const char *needle)
{
	memset(&ev, 0xa5, sizeof(ev));
	ck_assert_int_eq(kw_decode(rec.bytes, len, &ev, err, sizeof(err)), -1);
	ck_assert_msg(err[0] != '\0', "no message for a rejected record");
	if (needle)
		tu_assert_contains(err, needle);
}

START_TEST(event_sizes_match_abi)
{
	unsigned int known = 0;

	/* every type that has a size is listed (the numbers have gaps) */
	for (unsigned int t = 1; t < KW_EV_MAX; t++)
		known += kw_event_size(t) != 0;
	ck_assert_uint_eq(NR_TYPES, known);
	for (size_t i = 0; i < NR_TYPES; i++)
		ck_assert_msg(kw_event_size(abi_sizes[i].type) == abi_sizes[i].size,
			      "type %u: size %zu, ABI %zu", abi_sizes[i].type,
			      kw_event_size(abi_sizes[i].type), abi_sizes[i].size);
	ck_assert_uint_eq(kw_event_size(KW_EV_NONE), 0);
	ck_assert_uint_eq(kw_event_size(KW_EV_MAX), 0);
	ck_assert_uint_eq(kw_event_size(0xffff), 0);
	ck_assert_uint_eq(kw_event_size(~0u), 0);
}
END_TEST

START_TEST(accepts_every_type)
{
	for (size_t i = 0; i < NR_TYPES; i++) {
		make(abi_sizes[i].type, abi_sizes[i].size);
		memset(err, 0, sizeof(err));
		ck_assert_msg(kw_decode(rec.bytes, abi_sizes[i].size, &ev, err, sizeof(err)) == 0,
			      "type %u rejected: %s", abi_sizes[i].type, err);
		ck_assert_uint_eq(ev.hdr.type, abi_sizes[i].type);
		ck_assert_uint_eq(ev.hdr.size, abi_sizes[i].size);
		ck_assert_uint_eq(ev.hdr.ts_boot_ns, 123456789);
		ck_assert_str_eq(ev.hdr.task.comm, "nginx");
	}
}
END_TEST

/* every byte of the record reaches the decoded event (bar forced NULs) */
START_TEST(copies_whole_record)
{
	struct kw_ev_conn *c = &rec.ev.conn;

	make(KW_EV_RESET_SENT, sizeof(*c));
	for (size_t i = 0; i < sizeof(*c); i++)
		rec.bytes[i] = (unsigned char)(i * 7 + 1);
	c->hdr.type = KW_EV_RESET_SENT;
	c->hdr.size = sizeof(*c);
	c->hdr.task.comm[KW_COMM_LEN - 1] = '\0';
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*c), &ev, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&ev, rec.bytes, sizeof(*c)), 0);
	/* the rest of the union is zeroed, not left over */
	for (size_t i = sizeof(*c); i < sizeof(ev); i++)
		ck_assert_uint_eq(((unsigned char *)&ev)[i], 0);
}
END_TEST

START_TEST(rejects_short_records)
{
	static const size_t lens[] = { 0, 1, 8, 16, sizeof(struct kw_hdr) - 1 };

	make(KW_EV_PROC_EXIT, sizeof(struct kw_ev_exit));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		assert_rejected(lens[i], "shorter than a header");
}
END_TEST

START_TEST(rejects_unknown_types)
{
	static const unsigned int types[] = { KW_EV_NONE, KW_EV_MAX, 100, 0xffff };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		make(types[i], sizeof(struct kw_hdr));
		assert_rejected(sizeof(struct kw_hdr), "unknown event type");
		/* also with a plausible length */
		make(types[i], 160);
		assert_rejected(160, "unknown event type");
	}
}
END_TEST

START_TEST(rejects_len_larger_than_abi)
{
	/* header agrees with len, both bigger than the ABI */
	make(KW_EV_CONNECT_FAIL, 168);
	assert_rejected(168, "wants 160");
	/* header says ABI size, but the record is bigger */
	make(KW_EV_CONNECT_FAIL, 160);
	assert_rejected(168, "record has 168 bytes");
}
END_TEST

START_TEST(rejects_len_smaller_than_abi)
{
	make(KW_EV_OOM_KILL, 200);
	assert_rejected(200, "wants 400");
	make(KW_EV_OOM_KILL, 400);
	assert_rejected(399, "record has 399 bytes");
}
END_TEST

START_TEST(rejects_header_size_mismatch)
{
	/* len is the ABI size, but the header disagrees */
	make(KW_EV_BIND, 152);
	assert_rejected(144, "header says 152");
	make(KW_EV_BIND, 0);
	assert_rejected(144, "header says 0");
	/* a record of one type with the size of another */
	make(KW_EV_LISTEN, sizeof(struct kw_ev_conn));
	assert_rejected(sizeof(struct kw_ev_conn), "wants 208");
}
END_TEST

START_TEST(small_error_buffer_is_bounded)
{
	char small[8 + 8];

	memset(small, 'Z', sizeof(small));
	make(KW_EV_BIND, 152);
	ck_assert_int_eq(kw_decode(rec.bytes, 144, &ev, small, 8), -1);
	ck_assert_uint_eq(strlen(small), 7);
	for (size_t i = 8; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 'Z');
}
END_TEST

static void fill_comm(char *c)
{
	memset(c, 'A', KW_COMM_LEN);	/* 16 bytes, no NUL */
}

START_TEST(terminates_header_comm)
{
	for (size_t i = 0; i < NR_TYPES; i++) {
		make(abi_sizes[i].type, abi_sizes[i].size);
		fill_comm(rec.ev.hdr.task.comm);
		ck_assert_int_eq(kw_decode(rec.bytes, abi_sizes[i].size, &ev, err, sizeof(err)), 0);
		ck_assert_int_eq(ev.hdr.task.comm[KW_COMM_LEN - 1], '\0');
		ck_assert_str_eq(ev.hdr.task.comm, "AAAAAAAAAAAAAAA");
	}
}
END_TEST

START_TEST(terminates_oom_victim_comm)
{
	make(KW_EV_OOM_KILL, sizeof(struct kw_ev_oom));
	fill_comm(rec.ev.oom.victim.comm);
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(struct kw_ev_oom), &ev, err, sizeof(err)), 0);
	ck_assert_str_eq(ev.oom.victim.comm, "AAAAAAAAAAAAAAA");
}
END_TEST

START_TEST(terminates_signal_target_comm)
{
	make(KW_EV_SIGNAL, sizeof(struct kw_ev_signal));
	fill_comm(rec.ev.signal.target.comm);
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(struct kw_ev_signal), &ev, err,
				   sizeof(err)), 0);
	ck_assert_str_eq(ev.signal.target.comm, "AAAAAAAAAAAAAAA");
}
END_TEST

START_TEST(terminates_listen_closer_comm)
{
	static const unsigned int types[] = { KW_EV_LISTEN, KW_EV_LISTEN_CLOSE };

	for (size_t i = 0; i < 2; i++) {
		make(types[i], sizeof(struct kw_ev_listen));
		fill_comm(rec.ev.listen.closer.comm);
		ck_assert_int_eq(kw_decode(rec.bytes, sizeof(struct kw_ev_listen), &ev, err,
					   sizeof(err)), 0);
		ck_assert_str_eq(ev.listen.closer.comm, "AAAAAAAAAAAAAAA");
	}
}
END_TEST

START_TEST(terminates_cgroup_strings)
{
	struct kw_ev_cgroup *c = &rec.ev.cgroup;

	make(KW_EV_CGROUP, sizeof(*c));
	memset(c->path, 'p', sizeof(c->path));
	memset(c->container_id, 'c', sizeof(c->container_id));
	memset(c->name, 'n', sizeof(c->name));
	memset(c->pod, 'o', sizeof(c->pod));
	memset(c->k8s_namespace, 's', sizeof(c->k8s_namespace));
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*c), &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(ev.cgroup.path), sizeof(c->path) - 1);
	ck_assert_uint_eq(strlen(ev.cgroup.container_id), sizeof(c->container_id) - 1);
	ck_assert_uint_eq(strlen(ev.cgroup.name), sizeof(c->name) - 1);
	ck_assert_uint_eq(strlen(ev.cgroup.pod), sizeof(c->pod) - 1);
	ck_assert_uint_eq(strlen(ev.cgroup.k8s_namespace), sizeof(c->k8s_namespace) - 1);
	ck_assert_int_eq(ev.cgroup.path[0], 'p');
	ck_assert_int_eq(ev.cgroup.k8s_namespace[0], 's');
}
END_TEST

START_TEST(sock_holders_sanitized)
{
	struct kw_ev_sock_holders *h = &rec.ev.sock_holders;

	make(KW_EV_SOCK_HOLDERS, sizeof(*h));
	h->nr = 1000;
	for (int i = 0; i < KW_HOLDERS_MAX; i++)
		fill_comm(h->holders[i].comm);
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*h), &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(ev.sock_holders.nr, KW_HOLDERS_MAX);
	for (int i = 0; i < KW_HOLDERS_MAX; i++)
		ck_assert_str_eq(ev.sock_holders.holders[i].comm, "AAAAAAAAAAAAAAA");
}
END_TEST

/* a host_memory record claiming more cgroups than it holds is cut to them */
START_TEST(host_mem_sanitized)
{
	struct kw_ev_host_mem *h = &rec.ev.host_mem;

	make(KW_EV_HOST_MEM, sizeof(*h));
	h->nr_cgroups = 200;
	h->victim_pid = 41;
	h->mem_total_kb = 6081740;
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*h), &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(ev.host_mem.nr_cgroups, KW_HOST_MEM_CGROUPS);
	ck_assert_uint_eq(ev.host_mem.victim_pid, 41);
	ck_assert_uint_eq(ev.host_mem.mem_total_kb, 6081740);
	make(KW_EV_HOST_MEM, sizeof(*h) - 8);
	assert_rejected(sizeof(*h) - 8, "ABI");
}
END_TEST

START_TEST(memcg_procs_sanitized)
{
	struct kw_ev_memcg_procs *m = &rec.ev.memcg_procs;

	make(KW_EV_MEMCG_PROCS, sizeof(*m));
	m->nr = 100;
	for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++)
		fill_comm(m->procs[i].comm);
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*m), &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(ev.memcg_procs.nr, KW_MEMCG_PROCS_MAX);
	for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++)
		ck_assert_str_eq(ev.memcg_procs.procs[i].comm, "AAAAAAAAAAAAAAA");

	make(KW_EV_MEMCG_PROCS, sizeof(*m));
	m->nr = 3;
	strcpy(m->procs[0].comm, "java");
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(*m), &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(ev.memcg_procs.nr, 3);
	ck_assert_str_eq(ev.memcg_procs.procs[0].comm, "java");
}
END_TEST

START_TEST(short_comm_kept)
{
	make(KW_EV_SIGNAL, sizeof(struct kw_ev_signal));
	strcpy(rec.ev.signal.target.comm, "kworker/0:1");
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(struct kw_ev_signal), &ev, err,
				   sizeof(err)), 0);
	ck_assert_str_eq(ev.signal.target.comm, "kworker/0:1");
	ck_assert_str_eq(ev.hdr.task.comm, "nginx");
}
END_TEST

static struct kw_ev_oom *decode_oom(unsigned int nr_levels, unsigned int limit_level)
{
	make(KW_EV_OOM_KILL, sizeof(struct kw_ev_oom));
	rec.ev.oom.nr_levels = nr_levels;
	rec.ev.oom.limit_level = limit_level;
	ck_assert_int_eq(kw_decode(rec.bytes, sizeof(struct kw_ev_oom), &ev, err, sizeof(err)), 0);
	return &ev.oom;
}

START_TEST(oom_nr_levels_clamped)
{
	ck_assert_uint_eq(decode_oom(200, 0)->nr_levels, KW_OOM_MAX_LEVELS);
	ck_assert_uint_eq(decode_oom(KW_OOM_MAX_LEVELS + 1, 0)->nr_levels, KW_OOM_MAX_LEVELS);
	ck_assert_uint_eq(decode_oom(KW_OOM_MAX_LEVELS, 0)->nr_levels, KW_OOM_MAX_LEVELS);
	ck_assert_uint_eq(decode_oom(3, 0)->nr_levels, 3);
}
END_TEST

START_TEST(oom_limit_level_clamped)
{
	/* within the levels: kept */
	ck_assert_uint_eq(decode_oom(3, 2)->limit_level, 2);
	ck_assert_uint_eq(decode_oom(3, 0)->limit_level, 0);
	/* beyond the valid levels: a host-wide OOM, not an out-of-bounds index */
	ck_assert_uint_eq(decode_oom(3, 3)->limit_level, KW_OOM_GLOBAL);
	ck_assert_uint_eq(decode_oom(3, 7)->limit_level, KW_OOM_GLOBAL);
	ck_assert_uint_eq(decode_oom(0, 0)->limit_level, KW_OOM_GLOBAL);
	ck_assert_uint_eq(decode_oom(200, 9)->limit_level, KW_OOM_GLOBAL);
	ck_assert_uint_eq(decode_oom(2, KW_OOM_GLOBAL)->limit_level, KW_OOM_GLOBAL);
	/* after clamping nr_levels to 8, level 7 is still valid */
	ck_assert_uint_eq(decode_oom(200, 7)->limit_level, 7);
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *t = tcase_create("validate");
	TCase *c = tcase_create("sanitize");

	tcase_add_test(t, event_sizes_match_abi);
	tcase_add_test(t, accepts_every_type);
	tcase_add_test(t, copies_whole_record);
	tcase_add_test(t, rejects_short_records);
	tcase_add_test(t, rejects_unknown_types);
	tcase_add_test(t, rejects_len_larger_than_abi);
	tcase_add_test(t, rejects_len_smaller_than_abi);
	tcase_add_test(t, rejects_header_size_mismatch);
	tcase_add_test(t, small_error_buffer_is_bounded);
	suite_add_tcase(s, t);

	tcase_add_test(c, terminates_header_comm);
	tcase_add_test(c, terminates_oom_victim_comm);
	tcase_add_test(c, terminates_signal_target_comm);
	tcase_add_test(c, terminates_listen_closer_comm);
	tcase_add_test(c, terminates_cgroup_strings);
	tcase_add_test(c, memcg_procs_sanitized);
	tcase_add_test(c, sock_holders_sanitized);
	tcase_add_test(c, host_mem_sanitized);
	tcase_add_test(c, short_comm_kept);
	tcase_add_test(c, oom_nr_levels_clamped);
	tcase_add_test(c, oom_limit_level_clamped);
	suite_add_tcase(s, c);
	return s;
}
