// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The start-up listener snapshot: the /proc parsers, and a whole snapshot
 * of a fake /proc tree made in a temporary directory. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "host/cgmounts.h"
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/snapshot.h"
#include "suites.h"
#include "testutil.h"

static const char tcp_header[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
	"   uid  timeout inode\n";
static const char tcp6_header[] =
	"  sl  local_address                         remote_address                        st"
	" tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/*
 * A /proc/net/tcp{,6} line as the kernel prints it: each __be32 of the
 * address as %08X of its value on this host, the port in host order.
 */
static void kline(char *out, size_t n, int family, const char *addr, unsigned int port,
		  unsigned int state, unsigned long long ino)
{
	unsigned char a[16] = { 0 };
	char hex[40] = "", *h = hex;
	int words = family == AF_INET ? 1 : 4;

	ck_assert_int_eq(inet_pton(family, addr, a), 1);
	for (int i = 0; i < words; i++) {
		uint32_t w;

		memcpy(&w, a + 4 * i, 4);
		h += sprintf(h, "%08X", w);
	}
	snprintf(out, n, "%4d: %s:%04X %s:0000 %02X 00000000:00000000 00:00000000 00000000"
		 "     0        0 %llu 1 0000000000000000 100 0 0 10 0\n",
		 0, hex, port, family == AF_INET ? "00000000" : "00000000000000000000000000000000",
		 state, ino);
}

static void assert_addr(const struct kw_addr *a, int family, const char *want, unsigned int port)
{
	unsigned char w[16] = { 0 };

	ck_assert_int_eq(inet_pton(family, want, w), 1);
	ck_assert_uint_eq(a->family, family);
	ck_assert_uint_eq(a->port, port);
	ck_assert_msg(!memcmp(a->addr, w, sizeof(w)), "address is not %s", want);
}

static void parse_ok(const char *line, int family, const char *addr, unsigned int port,
		     unsigned int state, unsigned long long ino)
{
	struct kw_addr a;
	unsigned int st = 999;
	uint64_t i = 0;

	memset(&a, 0xa5, sizeof(a));
	ck_assert_msg(kw_parse_proc_net_tcp_line(line, family, &a, &st, &i, NULL) == 0,
		      "rejected: %s", line);
	assert_addr(&a, family, addr, port);
	ck_assert_uint_eq(st, state);
	ck_assert_uint_eq(i, ino);
}

/* lines copied from a little-endian host (x86-64, kernel 6.18) */
START_TEST(parse_real_lines)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	parse_ok("   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
		 "     0        0 24094 1 0000000000000000 100 0 0 10 0",
		 AF_INET, "127.0.0.1", 41001, KW_TCP_STATE_LISTEN, 24094);
	parse_ok("   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
		 "     0        0 1151 1 00000000deadbeef 100 0 0 10 0\n",
		 AF_INET, "0.0.0.0", 2024, KW_TCP_STATE_LISTEN, 1151);
	parse_ok("  12: 0500000A:18EB 0200000A:D431 01 00000000:00000000 02:0000A3F1 00000000"
		 "   999        0 77123 2 0000000000000000 20 4 30 10 -1",
		 AF_INET, "10.0.0.5", 6379, 1, 77123);
	parse_ok("   0: 00000000000000000000000000000000:A02A 00000000000000000000000000000000:0000"
		 " 0A 00000000:00000000 00:00000000 00000000     0        0 24096 1 00000000eadca922"
		 " 100 0 0 10 0",
		 AF_INET6, "::", 41002, KW_TCP_STATE_LISTEN, 24096);
	parse_ok("   1: 0000000000000000FFFF00000100007F:A02C 00000000000000000000000000000000:0000"
		 " 0A 00000000:00000000 00:00000000 00000000     0        0 24095 1 00000000bb83a487"
		 " 100 0 0 10 0",
		 AF_INET6, "::ffff:127.0.0.1", 41004, KW_TCP_STATE_LISTEN, 24095);
	parse_ok("   0: 000000FD000000000000000001000000:A02B 00000000000000000000000000000000:0000"
		 " 0A 00000000:00000000 00:00000000 00000000     0        0 24097 1 00000000a17234e7"
		 " 100 0 0 10 0",
		 AF_INET6, "fd00::1", 41003, KW_TCP_STATE_LISTEN, 24097);
	parse_ok("   2: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000"
		 " 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0000000000000000"
		 " 100 0 0 10 0",
		 AF_INET6, "::1", 80, KW_TCP_STATE_LISTEN, 9);
#endif
}
END_TEST

/* the same through the kernel's formula, on any byte order */
START_TEST(parse_kernel_format)
{
	static const struct {
		int family;
		const char *addr;
		unsigned int port, state;
		unsigned long long ino;
	} c[] = {
		{ AF_INET, "127.0.0.1", 8080, 0x0A, 5001 },
		{ AF_INET, "0.0.0.0", 22, 0x0A, 5002 },
		{ AF_INET, "192.168.10.200", 65535, 0x06, 0 },
		{ AF_INET6, "::1", 1, 0x0A, 18446744073709551615ull },
		{ AF_INET6, "::", 443, 0x0A, 7 },
		{ AF_INET6, "::ffff:10.1.2.3", 8443, 0x0A, 8 },
		{ AF_INET6, "fd00::1", 9000, 0x0A, 9 },
		{ AF_INET6, "fd12:3456:789a:1::abcd:ef01", 9001, 0x01, 10 },
		{ AF_INET6, "2001:db8::8:800:200c:417a", 53, 0x0A, 11 },
	};
	char line[256];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		kline(line, sizeof(line), c[i].family, c[i].addr, c[i].port, c[i].state, c[i].ino);
		parse_ok(line, c[i].family, c[i].addr, c[i].port, c[i].state, c[i].ino);
	}
}
END_TEST

/* the rx_queue column: a listener's accept queue (sk_ack_backlog), as a
 * 6.18 host printed it with three connections waiting and as 6.1 prints
 * the same format; a malformed queue column is no line */
START_TEST(parse_rx_queue)
{
	uint32_t rxq = 999;
	unsigned int st;

	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:4A38 00000000:0000 0A 00000000:00000003 00:00000000 00000000"
		"     0        0 85755558 1 0000000000000000 100 0 0 10 0\n", AF_INET, NULL, &st,
		NULL, &rxq), 0);
	ck_assert_uint_eq(st, KW_TCP_STATE_LISTEN);
	ck_assert_uint_eq(rxq, 3);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000"
		" 0A 00000000:0000012C 00:00000000 00000000     0        0 24096 1 00000000eadca922"
		" 100 0 0 10 0", AF_INET6, NULL, &st, NULL, &rxq), 0);
	ck_assert_uint_eq(rxq, 300);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:4A38 00000000:0000 0A 00000000:FFFFFFFF 00:00000000 00000000"
		"     0        0 1 1 0000000000000000 100 0 0 10 0", AF_INET, NULL, NULL, NULL,
		&rxq), 0);
	ck_assert_uint_eq(rxq, 0xffffffffu);
	rxq = 7;
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:4A38 00000000:0000 0A 00000000:0000003 00:00000000 00000000"
		"     0        0 1 1 0000000000000000 100 0 0 10 0", AF_INET, NULL, NULL, NULL,
		&rxq), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:4A38 00000000:0000 0A 00000000-00000003 00:00000000 00000000"
		"     0        0 1 1 0000000000000000 100 0 0 10 0", AF_INET, NULL, NULL, NULL,
		&rxq), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:4A38 00000000:0000 0A 00000000:0000000G 00:00000000 00000000"
		"     0        0 1 1 0000000000000000 100 0 0 10 0", AF_INET, NULL, NULL, NULL,
		&rxq), -EINVAL);
	ck_assert_uint_eq(rxq, 7);
}
END_TEST

START_TEST(parse_rejects_malformed)
{
	static const char *const v4[] = {
		"",
		"\n",
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
		"   uid  timeout inode",
		/* short address, bad hex, no port, bad state, no inode, junk inode */
		"   0: 100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 0100007G:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 0100007F:A029 00000000:0000 ZZ 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0",
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 x1",
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1x",
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0"
		" 99999999999999999999999",
		"0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 0100007F:A0290 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		/* an IPv6 line is not an IPv4 one */
		"   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000"
		" 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0",
	};
	struct kw_addr a;
	unsigned int st;
	uint64_t ino;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		ck_assert_msg(kw_parse_proc_net_tcp_line(v4[i], AF_INET, &a, &st, &ino, NULL) == -EINVAL,
			      "accepted: \"%s\"", v4[i]);
	/* an IPv4 line is not an IPv6 one; headers; bad families; NULL */
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
		"     0        0 24094 1 0000000000000000 100 0 0 10 0", AF_INET6, &a, &st, &ino, NULL),
		-EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(tcp6_header, AF_INET6, &a, &st, &ino, NULL), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(tcp_header, AF_INET, &a, &st, &ino, NULL), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
		"     0        0 24094 1 0000000000000000 100 0 0 10 0", 0, &a, &st, &ino, NULL), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(NULL, AF_INET, &a, &st, &ino, NULL), -EINVAL);
	/* outputs are optional */
	ck_assert_int_eq(kw_parse_proc_net_tcp_line(
		"   0: 0100007F:A029 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
		"     0        0 24094 1 0000000000000000 100 0 0 10 0", AF_INET, NULL, NULL, NULL, NULL), 0);
}
END_TEST

START_TEST(parse_socket_links)
{
	uint64_t ino = 0;

	ck_assert_int_eq(kw_parse_socket_link("socket:[24094]", &ino), 0);
	ck_assert_uint_eq(ino, 24094);
	ck_assert_int_eq(kw_parse_socket_link("socket:[18446744073709551615]", &ino), 0);
	ck_assert_uint_eq(ino, UINT64_MAX);
	ck_assert_int_eq(kw_parse_socket_link("socket:[]", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("socket:[12a]", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("socket:[12]x", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("socket:[12", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("socket:[18446744073709551616]", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("pipe:[12]", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("anon_inode:[eventpoll]", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link("/dev/null", &ino), -EINVAL);
	ck_assert_int_eq(kw_parse_socket_link(NULL, &ino), -EINVAL);
}
END_TEST

START_TEST(parse_status_uid)
{
	uint32_t uid = 7;

	ck_assert_int_eq(kw_parse_status_uid("Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\n"
					     "Tgid:\t812\nUid:\t33\t34\t35\t36\nGid:\t33\t33\t33\t33\n",
					     &uid), 0);
	ck_assert_uint_eq(uid, 33);
	ck_assert_int_eq(kw_parse_status_uid("Uid:\t0\t0\t0\t0\n", &uid), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_int_eq(kw_parse_status_uid("Name:\tx\nGid:\t1\t1\t1\t1\n", &uid), -EINVAL);
	ck_assert_int_eq(kw_parse_status_uid("Uid:\tabc\n", &uid), -EINVAL);
	ck_assert_int_eq(kw_parse_status_uid("", &uid), -EINVAL);
}
END_TEST

START_TEST(parse_cgroup_file)
{
	static struct kw_proc_cgroups cg;

	ck_assert_int_eq(kw_parse_proc_cgroup("12:hugetlb:/\n"
					      "4:memory:/process_api/5f4a\n"
					      "3:cpu,cpuacct:/system.slice/a.service\n"
					      "1:name=systemd:/system.slice/a.service\n"
					      "0::/system.slice/a.service\n", &cg), 0);
	ck_assert(cg.has_v2);
	ck_assert_str_eq(cg.v2, "/system.slice/a.service");
	ck_assert(cg.has_mem);
	ck_assert_uint_eq(cg.mem_hier, 4);
	ck_assert_str_eq(cg.mem, "/process_api/5f4a");

	/* pure v2; a path with a colon; no newline at the end */
	ck_assert_int_eq(kw_parse_proc_cgroup("0::/kubepods/pod1:x", &cg), 0);
	ck_assert(cg.has_v2 && !cg.has_mem);
	ck_assert_str_eq(cg.v2, "/kubepods/pod1:x");

	/* memory among other controllers; "memory_x" is not memory */
	ck_assert_int_eq(kw_parse_proc_cgroup("7:blkio,memory:/a\n", &cg), 0);
	ck_assert(cg.has_mem && !cg.has_v2);
	ck_assert_uint_eq(cg.mem_hier, 7);
	ck_assert_int_eq(kw_parse_proc_cgroup("7:memory_x:/a\n", &cg), -EINVAL);

	ck_assert_int_eq(kw_parse_proc_cgroup("", &cg), -EINVAL);
	ck_assert_int_eq(kw_parse_proc_cgroup("garbage\nx:memory:/a\n0::relative\n", &cg), -EINVAL);
}
END_TEST

START_TEST(parse_mountinfo)
{
	static struct kw_mountinfo m;

	ck_assert_int_eq(kw_parse_mountinfo_line("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime"
						 " shared:9 - cgroup2 cgroup2 rw,nsdelegate\n", &m), 0);
	ck_assert_str_eq(m.root, "/");
	ck_assert_str_eq(m.mnt, "/sys/fs/cgroup/unified");
	ck_assert_str_eq(m.fstype, "cgroup2");
	ck_assert_str_eq(m.super, "rw,nsdelegate");

	/* no optional fields; escaped spaces; a root inside the hierarchy */
	ck_assert_int_eq(kw_parse_mountinfo_line("35 31 0:32 /kube\\040pods /mnt/my\\040cg\\134x rw"
						 " - cgroup cgroup rw,memory", &m), 0);
	ck_assert_str_eq(m.root, "/kube pods");
	ck_assert_str_eq(m.mnt, "/mnt/my cg\\x");
	ck_assert_str_eq(m.fstype, "cgroup");
	ck_assert(kw_opt_list_has(m.super, "memory"));

	ck_assert_int_eq(kw_parse_mountinfo_line("41 31 0:38 / /x rw shared:9 cgroup2 cgroup2 rw",
						 &m), -EINVAL);
	ck_assert_int_eq(kw_parse_mountinfo_line("41 31 0:38 / /x rw - cgroup2", &m), -EINVAL);
	ck_assert_int_eq(kw_parse_mountinfo_line("", &m), -EINVAL);
}
END_TEST

START_TEST(opt_lists)
{
	ck_assert(kw_opt_list_has("rw,memory", "memory"));
	ck_assert(kw_opt_list_has("memory", "memory"));
	ck_assert(kw_opt_list_has("memory,rw", "memory"));
	ck_assert(!kw_opt_list_has("rw,memory_x", "memory"));
	ck_assert(!kw_opt_list_has("rw,xmemory", "memory"));
	ck_assert(!kw_opt_list_has("", "memory"));
	ck_assert(!kw_opt_list_has("rw", ""));
}
END_TEST

/* ---- a fake /proc ---- */

START_TEST(parse_pids_and_status_mem)
{
	char comm[16], small[4];
	uint64_t rss;
	uint32_t pid;

	ck_assert_int_eq(kw_parse_pid("4242", &pid), 0);
	ck_assert_uint_eq(pid, 4242);
	ck_assert_int_eq(kw_parse_pid("4294967295", &pid), 0);
	ck_assert_int_eq(kw_parse_pid("4294967296", &pid), -EINVAL);
	ck_assert_int_eq(kw_parse_pid("0", &pid), -EINVAL);
	ck_assert_int_eq(kw_parse_pid("", &pid), -EINVAL);
	ck_assert_int_eq(kw_parse_pid("12a", &pid), -EINVAL);
	ck_assert_int_eq(kw_parse_pid("self", &pid), -EINVAL);
	ck_assert_int_eq(kw_parse_pid(NULL, &pid), -EINVAL);

	/* the kernel escapes "\n" and "\\" in Name: */
	kw_parse_status_mem("Name:\ta\\nb\\\\c\nUmask:\t0022\nVmRSS:\t    1234 kB\n", comm,
			    sizeof(comm), &rss);
	ck_assert_str_eq(comm, "a\nb\\c");
	ck_assert_uint_eq(rss, 1234);
	kw_parse_status_mem("Name:\tkthreadd\nState:\tS\n", comm, sizeof(comm), &rss);
	ck_assert_str_eq(comm, "kthreadd");
	ck_assert_uint_eq(rss, 0);				/* a kernel thread */
	kw_parse_status_mem("Name:\tpostgres\n", small, sizeof(small), &rss);
	ck_assert_str_eq(small, "pos");
	kw_parse_status_mem("", comm, sizeof(comm), &rss);
	ck_assert_str_eq(comm, "");
}
END_TEST

/* What the probe reports and the snapshot maps through: one reader. */
START_TEST(cgroup_mounts)
{
	static const char *const lines[] = {
		"25 1 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755",
		"26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
		"27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd",
		"28 25 0:25 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,nosuid,memory",
	};
	static struct kw_cgroup_mounts m;
	static struct kw_mountinfo mi;
	char dir[256];

	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(kw_parse_mountinfo_line(lines[i], &mi), 0);
		kw_cgroup_mounts_add(&m, &mi);
	}
	ck_assert_int_eq(m.nr_cg2, 1);
	ck_assert_str_eq(m.cg2[0].mnt, "/sys/fs/cgroup/unified");
	ck_assert(!m.v1_controllers);		/* name=systemd only: pure v2 */
	ck_assert_int_eq(m.nr_mem, 0);
	ck_assert_int_eq(m.nr_v1, 1);		/* other v1 mounts: for --container paths */
	ck_assert_str_eq(m.v1_mnt[0], "/sys/fs/cgroup/systemd");
	ck_assert_int_eq(kw_parse_mountinfo_line(lines[3], &mi), 0);
	kw_cgroup_mounts_add(&m, &mi);
	ck_assert(m.v1_controllers);		/* hybrid now */
	ck_assert_int_eq(m.nr_mem, 1);
	ck_assert_int_eq(m.nr_v1, 1);		/* memory is kept apart */
	ck_assert_str_eq(m.mem[0].mnt, "/sys/fs/cgroup/my memory");

	ck_assert_int_eq(kw_cgroup_mount_dir(&m.cg2[0], "/a/b", dir, sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified/a/b");
	ck_assert_int_eq(kw_cgroup_mount_dir(&m.cg2[0], "/", dir, sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified");
	strcpy(m.mem[0].root, "/kube");
	ck_assert_int_eq(kw_cgroup_mount_dir(&m.mem[0], "/kube/grp", dir, sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/my memory/grp");
	ck_assert_int_eq(kw_cgroup_mount_dir(&m.mem[0], "/kubex", dir, sizeof(dir)), -ENOENT);
	ck_assert_int_eq(kw_cgroup_mount_dir(&m.cg2[0], "/a", dir, 8), -ENAMETOOLONG);
}
END_TEST

static char root[256];	/* the temporary directory; has a space in it */

static void path_of(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", root, rel);
}

static void mkdirs(const char *rel)
{
	char p[512], *s;

	path_of(p, sizeof(p), rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	ck_assert_msg(!mkdir(p, 0755) || errno == EEXIST, "mkdir %s", p);
}

static void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *rel, const char *fmt, ...)
{
	char p[512];
	va_list ap;
	FILE *f;

	path_of(p, sizeof(p), rel);
	f = fopen(p, "w");
	ck_assert_msg(f != NULL, "create %s", p);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void sock_fd(const char *rel, unsigned long long ino)
{
	char p[512], t[64];

	path_of(p, sizeof(p), rel);
	snprintf(t, sizeof(t), "socket:[%llu]", ino);
	ck_assert(!symlink(t, p));
}

static uint64_t ino(const char *rel)
{
	char p[512];
	struct stat st;

	path_of(p, sizeof(p), rel);
	ck_assert_msg(!stat(p, &st), "stat %s", p);
	return st.st_ino;
}

/* a mountinfo path field: a space as \040 */
static void esc(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; *s && o + 5 < n; s++) {
		if (*s == ' ') {
			memcpy(out + o, "\\040", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/*
 * pid 100 "nginx" (uid 33) and its worker 150 share namespace A; 100 holds
 * 127.0.0.1:8080 (twice, dup'ed) and [::]:8443, 150 holds 8080 too.
 * 0.0.0.0:22 in A has no holder.  A v4-mapped listener in A is held by
 * 150 only.  pid 200 "redis" is alone in namespace B, where 300's tables
 * are missing (it exited) and 200's are read instead; it holds
 * 10.0.0.5:6379.  An established socket in A is not a listener, nor is a
 * LISTEN line after it.  Cgroups: 100 and 150 in v2 /svc/app (v1 memory
 * "/kube/grp" on a mount whose root is "/kube", hierarchy 7); 200 in v2
 * /svc/db, whose memory cgroup is its parent /svc.
 */
static void make_tree(void)
{
	char line[256], m1[512], m2[512], mnt[512];

	strcpy(root, "/tmp/kw snapshot.XXXXXX");
	ck_assert(mkdtemp(root) != NULL);
	mkdirs("proc/self");
	mkdirs("proc/abc");
	mkdirs("cg2/svc/app");
	mkdirs("cg2/svc/db");
	mkdirs("mem/grp");
	put("cg2/svc/memory.current", "0\n");
	put("cg2/svc/app/memory.current", "0\n");
	path_of(mnt, sizeof(mnt), "cg2");
	esc(m1, sizeof(m1), mnt);
	path_of(mnt, sizeof(mnt), "mem");
	esc(m2, sizeof(m2), mnt);
	put("proc/self/mountinfo",
	    "22 1 0:21 / / rw - ext4 /dev/vda rw\n"
	    "40 22 0:37 / %s rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	    "41 22 0:38 /kube %s rw - cgroup cgroup rw,memory\n", m1, m2);

	/* namespace A */
	mkdirs("proc/100/ns");
	mkdirs("proc/100/net");
	mkdirs("proc/100/fd");
	put("proc/100/ns/net", "A");
	put("proc/100/ns/mnt", "mntA");
	put("proc/100/comm", "nginx\n");
	put("proc/100/status", "Name:\tnginx\nUid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\n");
	put("proc/100/cgroup", "7:memory:/kube/grp\n1:name=systemd:/x\n0::/svc/app\n");
	{
		char l1[256], l2[256], l3[256], l4[256];

		kline(l1, sizeof(l1), AF_INET, "127.0.0.1", 8080, 0x0A, 5001);
		kline(l2, sizeof(l2), AF_INET, "0.0.0.0", 22, 0x0A, 5002);
		kline(l3, sizeof(l3), AF_INET, "127.0.0.1", 40000, 0x01, 5009);
		kline(l4, sizeof(l4), AF_INET, "127.0.0.1", 9999, 0x0A, 5008);
		put("proc/100/net/tcp", "%s%s%s%s%s", tcp_header, l1, l2, l3, l4);
		kline(l1, sizeof(l1), AF_INET6, "::", 8443, 0x0A, 5003);
		kline(l2, sizeof(l2), AF_INET6, "::ffff:127.0.0.1", 8081, 0x0A, 5004);
		put("proc/100/net/tcp6", "%sgarbage line\n%s%s", tcp6_header, l1, l2);
	}
	sock_fd("proc/100/fd/3", 5001);
	sock_fd("proc/100/fd/4", 5003);
	sock_fd("proc/100/fd/5", 5001);
	sock_fd("proc/100/fd/6", 5009);
	ck_assert(!symlink("pipe:[77]", (path_of(line, sizeof(line), "proc/100/fd/7"), line)));
	ck_assert(!symlink("/dev/null", (path_of(line, sizeof(line), "proc/100/fd/8"), line)));

	mkdirs("proc/150/ns");
	mkdirs("proc/150/fd");
	{
		char a[512], b[512];

		path_of(a, sizeof(a), "proc/100/ns/net");
		path_of(b, sizeof(b), "proc/150/ns/net");
		ck_assert(!link(a, b));
		path_of(a, sizeof(a), "proc/100/ns/mnt");
		path_of(b, sizeof(b), "proc/150/ns/mnt");
		ck_assert(!link(a, b));
	}
	put("proc/150/comm", "nginx\n");
	put("proc/150/status", "Uid:\t33\t33\t33\t33\n");
	put("proc/150/cgroup", "7:memory:/kube/grp\n0::/svc/app\n");
	sock_fd("proc/150/fd/3", 5001);
	sock_fd("proc/150/fd/9", 5004);

	/* namespace B: 200 is read after 300's tables fail to open */
	mkdirs("proc/200/ns");
	mkdirs("proc/200/net");
	mkdirs("proc/200/fd");
	mkdirs("proc/300/ns");
	put("proc/200/ns/net", "B");
	put("proc/200/ns/mnt", "mntB");
	{
		char a[512], b[512];

		path_of(a, sizeof(a), "proc/200/ns/net");
		path_of(b, sizeof(b), "proc/300/ns/net");
		ck_assert(!link(a, b));
	}
	put("proc/200/comm", "redis-server-with-a-long-name\n");
	put("proc/200/status", "Uid:\t999\t999\t999\t999\n");
	put("proc/200/cgroup", "0::/svc/db\n");
	kline(line, sizeof(line), AF_INET, "10.0.0.5", 6379, 0x0A, 6001);
	put("proc/200/net/tcp", "%s%s", tcp_header, line);
	sock_fd("proc/200/fd/3", 6001);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void remove_tree(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

#define MAX_GOT 16
static struct kw_event got[MAX_GOT];
static struct kw_snap_info got_info[MAX_GOT];
static int ngot;

static void collect(const struct kw_event *ev, const struct kw_snap_info *info, void *ctx)
{
	(void)ctx;
	ck_assert_int_lt(ngot, MAX_GOT);
	got[ngot] = *ev;
	got_info[ngot++] = *info;
}

static void collect_plain(const struct kw_event *ev, void *ctx)
{
	(void)ctx;
	ck_assert_int_lt(ngot, MAX_GOT);
	got[ngot++] = *ev;
}

static const struct kw_event *find_port(unsigned int port)
{
	for (int i = 0; i < ngot; i++)
		if (got[i].listen.local.port == port)
			return &got[i];
	ck_abort_msg("no listener on port %u", port);
	return NULL;
}

static void assert_nginx(const struct kw_task *t, uint32_t pid, uint32_t netns)
{
	ck_assert_uint_eq(t->pid, pid);
	ck_assert_uint_eq(t->tgid, pid);
	ck_assert_str_eq(t->comm, "nginx");
	ck_assert_uint_eq(t->uid, 33);
	ck_assert_uint_eq(t->cgroup_id, ino("cg2/svc/app"));
	ck_assert_uint_eq(t->memcg_id, ino("mem/grp"));
	ck_assert_uint_eq(t->memcg_hier, 7);
	ck_assert_uint_eq(t->netns_ino, netns);
	ck_assert_uint_eq(t->mntns_ino, (uint32_t)ino("proc/100/ns/mnt"));
}

START_TEST(fake_proc_tree)
{
	char proc[512];
	struct kw_snap_stats st;
	uint32_t ns_a, ns_b;
	const struct kw_event *e;
	int n;

	make_tree();
	ns_a = (uint32_t)ino("proc/100/ns/net");
	ns_b = (uint32_t)ino("proc/200/ns/net");
	path_of(proc, sizeof(proc), "proc");
	ngot = 0;
	n = kw_snapshot_listeners_ex(proc, 0, KW_SNAP_NO_DIAG, collect, NULL, &st);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(ngot, 5);
	ck_assert_uint_eq(st.pids, 4);
	ck_assert_uint_eq(st.netns, 2);
	ck_assert_uint_eq(st.netns_read, 2);
	ck_assert_uint_eq(st.netns_diag, 0);
	ck_assert_uint_eq(st.listeners, 5);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.unowned, 1);
	ck_assert_uint_eq(st.truncated, 0);

	/* ordered by namespace, family, port */
	for (int i = 1; i < ngot; i++) {
		const struct kw_ev_listen *a = &got[i - 1].listen, *b = &got[i].listen;

		ck_assert(a->hdr.netns_ino < b->hdr.netns_ino ||
			  (a->hdr.netns_ino == b->hdr.netns_ino &&
			   (a->local.family < b->local.family ||
			    (a->local.family == b->local.family && a->local.port < b->local.port))));
	}
	for (int i = 0; i < ngot; i++) {
		const struct kw_hdr *h = &got[i].hdr;

		ck_assert_uint_eq(h->type, KW_EV_LISTEN);
		ck_assert_uint_eq(h->size, sizeof(struct kw_ev_listen));
		ck_assert(h->flags & KW_F_SNAPSHOT);
		ck_assert(h->flags & KW_F_NETNS);
		ck_assert(!(h->flags & KW_F_OWNER));
		ck_assert_uint_gt(h->ts_mono_ns, 0);
		ck_assert_uint_ge(h->ts_boot_ns, h->ts_mono_ns);
		ck_assert_uint_eq(h->ts_boot_ns, got[0].hdr.ts_boot_ns);
		ck_assert_uint_eq(h->netns_cookie, 0);
		ck_assert_uint_eq(got[i].listen.backlog, 0);
		ck_assert_uint_eq(got[i].listen.v6only, 0);
		ck_assert(!got_info[i].from_diag);
	}

	/* 127.0.0.1:8080: owner 100, held by 100 and 150 */
	e = find_port(8080);
	assert_addr(&e->listen.local, AF_INET, "127.0.0.1", 8080);
	ck_assert_uint_eq(e->hdr.flags, KW_F_SNAPSHOT | KW_F_NETNS | KW_F_TASK | KW_F_CGROUP);
	ck_assert_uint_eq(e->hdr.netns_ino, ns_a);
	ck_assert_uint_eq(e->hdr.cgroup_id, ino("cg2/svc/app"));
	assert_nginx(&e->hdr.task, 100, ns_a);
	ck_assert_uint_eq(got_info[e - got].sock_ino, 5001);
	ck_assert_uint_eq(got_info[e - got].nr_holders, 2);
	ck_assert_uint_eq(got_info[e - got].nr_listed, 2);
	ck_assert_uint_eq(got_info[e - got].holders[0], 100);
	ck_assert_uint_eq(got_info[e - got].holders[1], 150);

	/* 0.0.0.0:22: nobody holds it */
	e = find_port(22);
	assert_addr(&e->listen.local, AF_INET, "0.0.0.0", 22);
	ck_assert_uint_eq(e->hdr.flags, KW_F_SNAPSHOT | KW_F_NETNS);
	ck_assert_uint_eq(e->hdr.netns_ino, ns_a);
	ck_assert_uint_eq(e->hdr.cgroup_id, 0);
	ck_assert_uint_eq(e->hdr.task.pid, 0);
	ck_assert_uint_eq(got_info[e - got].nr_holders, 0);

	/* [::]:8443 */
	e = find_port(8443);
	assert_addr(&e->listen.local, AF_INET6, "::", 8443);
	assert_nginx(&e->hdr.task, 100, ns_a);
	ck_assert_uint_eq(got_info[e - got].nr_holders, 1);

	/* [::ffff:127.0.0.1]:8081, held by the worker only */
	e = find_port(8081);
	assert_addr(&e->listen.local, AF_INET6, "::ffff:127.0.0.1", 8081);
	assert_nginx(&e->hdr.task, 150, ns_a);

	/* 10.0.0.5:6379 in B; memcg from the v2 parent; comm cut to 15 */
	e = find_port(6379);
	assert_addr(&e->listen.local, AF_INET, "10.0.0.5", 6379);
	ck_assert_uint_eq(e->hdr.netns_ino, ns_b);
	ck_assert_uint_eq(e->hdr.flags, KW_F_SNAPSHOT | KW_F_NETNS | KW_F_TASK | KW_F_CGROUP);
	ck_assert_uint_eq(e->hdr.task.pid, 200);
	ck_assert_str_eq(e->hdr.task.comm, "redis-server-wi");
	ck_assert_uint_eq(e->hdr.task.uid, 999);
	ck_assert_uint_eq(e->hdr.cgroup_id, ino("cg2/svc/db"));
	ck_assert_uint_eq(e->hdr.task.memcg_id, ino("cg2/svc"));
	ck_assert_uint_eq(e->hdr.task.memcg_hier, 0);
	ck_assert_uint_eq(e->hdr.task.netns_ino, ns_b);
	ck_assert_uint_eq(e->hdr.task.mntns_ino, (uint32_t)ino("proc/200/ns/mnt"));

	/* not listeners: the established socket and what follows it */
	for (int i = 0; i < ngot; i++) {
		ck_assert_uint_ne(got[i].listen.local.port, 40000);
		ck_assert_uint_ne(got[i].listen.local.port, 9999);
	}

	/* the plain API (sock_diag attempted, refused by the fake tree) */
	ngot = 0;
	ck_assert_int_eq(kw_snapshot_listeners(proc, collect_plain, NULL, 0), 5);
	ck_assert_int_eq(ngot, 5);
	ck_assert_uint_eq(find_port(8080)->hdr.task.pid, 100);
	ck_assert_uint_eq(find_port(6379)->hdr.netns_ino, ns_b);

	/* bounded: two listeners kept, the rest counted */
	ngot = 0;
	ck_assert_int_eq(kw_snapshot_listeners_ex(proc, 2, KW_SNAP_NO_DIAG, collect, NULL, &st), 2);
	ck_assert_uint_eq(st.dropped, 3);
	ck_assert_uint_eq(st.listeners, 2);
	remove_tree();
}
END_TEST

START_TEST(fake_proc_without_cgroup_mounts)
{
	char proc[512];
	int n;

	make_tree();
	put("proc/self/mountinfo", "22 1 0:21 / / rw - ext4 /dev/vda rw\n");
	path_of(proc, sizeof(proc), "proc");
	ngot = 0;
	n = kw_snapshot_listeners_ex(proc, 0, KW_SNAP_NO_DIAG, collect, NULL, NULL);
	ck_assert_int_eq(n, 5);
	for (int i = 0; i < ngot; i++) {
		ck_assert_uint_eq(got[i].hdr.cgroup_id, 0);
		ck_assert(!(got[i].hdr.flags & KW_F_CGROUP));
		ck_assert_uint_eq(got[i].hdr.task.memcg_id, 0);
	}
	ck_assert(find_port(8080)->hdr.flags & KW_F_TASK);
	remove_tree();
}
END_TEST

/* The one /proc opener: relative names, a moved root, no following links. */
START_TEST(proc_opener)
{
	char proc[512], rel[32], buf[64];
	static struct kw_cgroup_mounts m;
	struct stat st;
	int fd;

	ck_assert_int_eq(kw_proc_rel(rel, sizeof(rel), 42, "cgroup"), 0);
	ck_assert_str_eq(rel, "42/cgroup");
	ck_assert_int_eq(kw_proc_rel(rel, sizeof(rel), KW_PROC_SELF, "mountinfo"), 0);
	ck_assert_str_eq(rel, "self/mountinfo");
	ck_assert_int_eq(kw_proc_rel(rel, sizeof(rel), 42, ""), 0);
	ck_assert_str_eq(rel, "42");
	ck_assert_int_eq(kw_proc_rel(rel, 4, 42, "cgroup"), -ENAMETOOLONG);
	ck_assert_str_eq(kw_proc_root(NULL), "/proc");
	ck_assert_str_eq(kw_proc_root(""), "/proc");

	make_tree();
	path_of(proc, sizeof(proc), "proc");
	ck_assert_int_eq(kw_proc_read(proc, 200, "comm", buf, sizeof(buf)), 30);
	ck_assert_str_eq(buf, "redis-server-with-a-long-name\n");
	ck_assert_int_eq(kw_proc_read(proc, 200, "comm", buf, 4), 3);	/* bounded */
	ck_assert_str_eq(buf, "red");
	ck_assert_int_eq(kw_proc_read(proc, 999, "comm", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(kw_proc_stat(proc, 200, "", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* a plain file that is a link is not read through */
	ck_assert_int_eq(kw_proc_read(proc, 100, "fd/3", buf, sizeof(buf)), -ELOOP);
	fd = kw_proc_open_root(proc);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kw_proc_readat(fd, 200, "comm", buf, sizeof(buf)), 30);
	ck_assert_int_eq(kw_proc_statat(fd, 100, "ns/net", &st), 0);
	close(fd);
	/* mountinfo through the opener, octal escapes decoded */
	ck_assert_int_eq(kw_cgroup_mounts_load(proc, &m), 0);
	ck_assert_int_eq(m.nr_cg2, 1);
	ck_assert_int_eq(m.nr_mem, 1);
	ck_assert_str_eq(m.mem[0].root, "/kube");
	ck_assert_ptr_nonnull(strstr(m.cg2[0].mnt, "/kw snapshot."));
	remove_tree();
	ck_assert_int_lt(kw_cgroup_mounts_load("/nonexistent/proc", &m), 0);
	ck_assert_int_eq(m.nr_cg2, 0);
}
END_TEST

START_TEST(bad_arguments)
{
	ck_assert_int_eq(kw_snapshot_listeners("/nonexistent/proc", collect_plain, NULL, 0), -ENOENT);
	ck_assert_int_eq(kw_snapshot_listeners("/proc", NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(kw_snapshot_listeners(NULL, collect_plain, NULL, 0), -EINVAL);
}
END_TEST

Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, parse_real_lines);
	tcase_add_test(tc, parse_kernel_format);
	tcase_add_test(tc, parse_rx_queue);
	tcase_add_test(tc, parse_rejects_malformed);
	tcase_add_test(tc, parse_socket_links);
	tcase_add_test(tc, parse_status_uid);
	tcase_add_test(tc, parse_cgroup_file);
	tcase_add_test(tc, parse_mountinfo);
	tcase_add_test(tc, opt_lists);
	tcase_add_test(tc, parse_pids_and_status_mem);
	tcase_add_test(tc, cgroup_mounts);
	suite_add_tcase(s, tc);
	tc = tcase_create("fake_proc");
	tcase_add_test(tc, fake_proc_tree);
	tcase_add_test(tc, fake_proc_without_cgroup_mounts);
	tcase_add_test(tc, proc_opener);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
