// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Container identity: cgroup path layouts, the metadata parsers on valid,
 * truncated and hostile input, and the host side (names, the id cache,
 * a memory cgroup's biggest processes) against fake trees in a temp dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host/cgroupfs.h"
#include "host/cgroups.h"
#include "host/container_meta.h"
#include "host/container_names.h"
#include "host/hostmem.h"
#include "host/memcg_top.h"
#include "host/procparse.h"
#include "host/procfs.h"
#include "host/container.h"
#include "core/names.h"
#include "suites.h"

#define ID_A "a1b2c3d4e5f60718a1b2c3d4e5f60718a1b2c3d4e5f60718a1b2c3d4e5f60718"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_C "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID_D "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define ID_E "e0e1e2e3e4e5e6e7e8e9eaebecedeeefe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define ID_P "9999888877776666555544443333222211110000aaaabbbbccccddddeeeeffff"
#define ID_63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define UID "6f1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
#define UID_US "6f1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d"
#define KP_BURST "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US ".slice"

static void check_ct(const char *path, enum kw_runtime rt, const char *id, const char *uid)
{
	struct kw_container ct;

	memset(&ct, 'X', sizeof(ct));
	ck_assert_int_eq(kw_container_from_path(path, &ct), 0);
	ck_assert_msg(ct.runtime == rt, "%s: runtime %s, want %s", path,
		      kw_runtime_name(ct.runtime), kw_runtime_name(rt));
	ck_assert_msg(!strcmp(ct.id, id), "%s: id \"%s\", want \"%s\"", path, ct.id, id);
	ck_assert_msg(!strcmp(ct.pod_uid, uid), "%s: pod uid \"%s\", want \"%s\"", path,
		      ct.pod_uid, uid);
	ck_assert_str_eq(ct.pod, "");
	ck_assert_str_eq(ct.k8s_namespace, "");
	if (rt == KW_RT_HOST)
		ck_assert_str_eq(ct.name, "host");
	else if (rt == KW_RT_SYSTEMD)
		ck_assert_str_eq(ct.name, id);
	else
		ck_assert_msg(strlen(ct.name) == 12 && !strncmp(ct.name, id, 12),
			      "%s: name \"%s\" is not the short id", path, ct.name);
}

static void check_host(const char *path)
{
	check_ct(path, KW_RT_HOST, "host", "");
}

START_TEST(docker_layouts)
{
	check_ct("/docker/" ID_A, KW_RT_DOCKER, ID_A, "");
	check_ct("/system.slice/docker-" ID_A ".scope", KW_RT_DOCKER, ID_A, "");
	/* docker in docker: the innermost container is the one that ran */
	check_ct("/docker/" ID_A "/docker/" ID_B, KW_RT_DOCKER, ID_B, "");
	/* cri-dockerd under kubepods */
	check_ct("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_US
		 ".slice/docker-" ID_C ".scope", KW_RT_DOCKER, ID_C, UID);
}
END_TEST

START_TEST(k8s_containerd_layouts)
{
	check_ct(KP_BURST "/cri-containerd-" ID_A ".scope", KW_RT_CONTAINERD, ID_A, UID);
	/* guaranteed QoS has no QoS slice */
	check_ct("/kubepods.slice/kubepods-pod" UID_US ".slice/cri-containerd-" ID_B ".scope",
		 KW_RT_CONTAINERD, ID_B, UID);
	check_ct("/kubepods/burstable/pod" UID "/" ID_C, KW_RT_CONTAINERD, ID_C, UID);
	check_ct("/kubepods/pod" UID "/" ID_C, KW_RT_CONTAINERD, ID_C, UID);
	check_ct("/kubepods/besteffort/pod" UID "/" ID_C "/", KW_RT_CONTAINERD, ID_C, UID);
	/* static pods: 32-hex uids */
	check_ct("/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID_A,
		 KW_RT_CONTAINERD, ID_A, "0123456789abcdef0123456789abcdef");
	/* systemd-style cgroupsPath on the cgroupfs driver */
	check_ct("/kubepods-burstable-pod" UID_US ".slice:cri-containerd:" ID_D,
		 KW_RT_CONTAINERD, ID_D, UID);
	check_ct("/system.slice/containerd.service/kubepods-besteffort-pod" UID_US
		 ".slice:cri-containerd:" ID_D, KW_RT_CONTAINERD, ID_D, UID);
	check_ct("/system.slice/nerdctl-" ID_E ".scope", KW_RT_CONTAINERD, ID_E, "");
}
END_TEST

START_TEST(crio_layouts)
{
	check_ct(KP_BURST "/crio-" ID_A ".scope", KW_RT_CRIO, ID_A, UID);
	check_ct("/kubepods/besteffort/pod" UID "/crio-" ID_B, KW_RT_CRIO, ID_B, UID);
	check_ct(KP_BURST "/crio-" ID_A ".scope/container", KW_RT_CRIO, ID_A, UID);
	check_ct("/kubepods-pod" UID_US ".slice:crio:" ID_B, KW_RT_CRIO, ID_B, UID);
	/* conmon watches the container; it is not it */
	check_host(KP_BURST "/crio-conmon-" ID_A ".scope");
	check_host("/kubepods/besteffort/pod" UID "/crio-conmon-" ID_B);
}
END_TEST

START_TEST(podman_layouts)
{
	check_ct("/machine.slice/libpod-" ID_A ".scope", KW_RT_PODMAN, ID_A, "");
	check_ct("/machine.slice/libpod-" ID_A ".scope/container", KW_RT_PODMAN, ID_A, "");
	check_host("/machine.slice/libpod-conmon-" ID_A ".scope");
	check_ct("/user.slice/user-1000.slice/user@1000.service/user.slice/podman-4242.scope/"
		 ID_B, KW_RT_PODMAN, ID_B, "");
	check_ct("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_C
		 ".scope/container", KW_RT_PODMAN, ID_C, "");
	/* podman's own process scope has no container id */
	check_ct("/user.slice/user-1000.slice/user@1000.service/user.slice/podman-4242.scope",
		 KW_RT_SYSTEMD, "user@1000.service", "");
}
END_TEST

START_TEST(sub_paths)
{
	check_ct("/system.slice/docker-" ID_A ".scope/init.scope", KW_RT_DOCKER, ID_A, "");
	check_ct("/docker/" ID_A "/a/b/c", KW_RT_DOCKER, ID_A, "");
	check_ct("//docker//" ID_A "//", KW_RT_DOCKER, ID_A, "");
	check_ct("docker/" ID_A, KW_RT_DOCKER, ID_A, "");
	check_ct(KP_BURST "/cri-containerd-" ID_A ".scope/sub.service", KW_RT_CONTAINERD, ID_A,
		 UID);
	/* an unknown id inside a container is still that container */
	check_ct("/system.slice/docker-" ID_A ".scope/" ID_B, KW_RT_DOCKER, ID_A, "");
	/* but a bare id with no known parent is some other runtime's */
	check_ct("/default/" ID_B, KW_RT_OTHER, ID_B, "");
}
END_TEST

START_TEST(systemd_and_host)
{
	check_ct("/system.slice/nginx.service", KW_RT_SYSTEMD, "nginx.service", "");
	check_ct("/system.slice/docker.service", KW_RT_SYSTEMD, "docker.service", "");
	check_ct("/system.slice/nginx.service/worker", KW_RT_SYSTEMD, "nginx.service", "");
	check_ct("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
		 KW_RT_SYSTEMD, "foo.service", "");
	check_host("/");
	check_host("");
	check_host("/user.slice/user-1000.slice/session-3.scope");
	check_host("/process_api/3d23d355f4ed5b5ad3e3746ac5bbcc71");
	check_host("/system.slice");
	check_host("/system.slice/.service");
	check_host("/kubepods.slice/kubepods-burstable.slice");
	check_host("/kubepods/burstable/pod" UID);
}
END_TEST

START_TEST(not_quite_ids)
{
	const char *upper = "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";

	check_host("/docker/" ID_63);
	check_host("/system.slice/docker-" ID_63 ".scope");
	check_host("/docker/" ID_A "0");
	check_host("/system.slice/docker-" ID_A "0.scope");
	check_host("/system.slice/docker-" ID_A ".scopex");
	check_host(upper);
	check_host("/system.slice/docker-" ID_A ".scope.scope");
	check_host("/machine.slice/libpod-" ID_A "-x.scope");
	check_host("/x:unknown:" ID_A);
	/* an empty slice before the runtime word is still that runtime's */
	check_ct(":cri-containerd:" ID_A, KW_RT_CONTAINERD, ID_A, "");
	check_host(":cri-containerd:" ID_63);
	check_host("/kubepods/burstable/pod" UID "/" ID_63);
	/* a pod uid with characters no uid has is not a pod */
	check_ct("/kubepods/burstable/podNOTAUID/" ID_A, KW_RT_OTHER, ID_A, "");
	/* "pod..." outside kubepods is just a name */
	check_ct("/pod" UID "/" ID_A, KW_RT_OTHER, ID_A, "");
}
END_TEST

START_TEST(hostile_paths)
{
	struct kw_container ct;
	size_t n = 1 << 20;
	char *p = malloc(n + 1);
	char unit[400];

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i += 2)
		memcpy(p + i, "/a", 2);
	p[n] = '\0';
	check_host(p);
	memset(p, '/', n);
	check_host(p);
	/* an id at the end of a megabyte of path */
	snprintf(p + n - 100, 100, "/docker/%s", ID_A);
	check_ct(p, KW_RT_DOCKER, ID_A, "");
	free(p);

	/* a unit name longer than the id field is cut, not overrun */
	memset(unit, 'u', sizeof(unit));
	memcpy(unit, "/system.slice/", 14);
	strcpy(unit + sizeof(unit) - 9, ".service");
	ck_assert_int_eq(kw_container_from_path(unit, &ct), 0);
	ck_assert_int_eq(ct.runtime, KW_RT_SYSTEMD);
	ck_assert_uint_eq(strlen(ct.id), sizeof(ct.id) - 1);
	ck_assert_uint_eq(strlen(ct.name), sizeof(ct.name) - 1);

	ck_assert_int_eq(kw_container_from_path(NULL, &ct), -EINVAL);
	ck_assert_int_eq(ct.runtime, KW_RT_HOST);
	ck_assert_str_eq(ct.id, "host");
	ck_assert_int_eq(kw_container_from_path("/", NULL), -EINVAL);
}
END_TEST

START_TEST(runtime_names)
{
	ck_assert_str_eq(kw_runtime_name(KW_RT_HOST), "host");
	ck_assert_str_eq(kw_runtime_name(KW_RT_DOCKER), "docker");
	ck_assert_str_eq(kw_runtime_name(KW_RT_CONTAINERD), "containerd");
	ck_assert_str_eq(kw_runtime_name(KW_RT_CRIO), "cri-o");
	ck_assert_str_eq(kw_runtime_name(KW_RT_PODMAN), "podman");
	ck_assert_str_eq(kw_runtime_name(KW_RT_SYSTEMD), "systemd");
	ck_assert_str_eq(kw_runtime_name(KW_RT_OTHER), "other");
	ck_assert_str_eq(kw_runtime_name((enum kw_runtime)99), "other");
}
END_TEST

/* ---- Docker config.v2.json ---- */

/* Shaped like the real file: nested "Name"s before the top-level one. */
static const char docker_cfg[] =
	"{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":4242,\"ExitCode\":0,"
	"\"Health\":null},\"ID\":\"" ID_B "\",\"Created\":\"2024-05-01T10:00:00Z\","
	"\"Managed\":false,\"Path\":\"nginx\",\"Args\":[\"-g\",\"daemon off;\",{\"Name\":\"no\"}],"
	"\"Config\":{\"Hostname\":\"0123456789ab\",\"Labels\":{\"Name\":\"label\",\"a}\":\"[{\"}},"
	"\"MountPoints\":{\"/data\":{\"Source\":\"\",\"Name\":\"vol-data\",\"RW\":true}},"
	"\"Image\":\"sha256:ab\",\"Quote\":\"say \\\"Name\\\": \\\"x\\\"\","
	"\"Name\":\"/web-1\",\"Driver\":\"overlay2\",\"RestartCount\":0}";

static int docker_name(const char *text, char *name, size_t len)
{
	/* an exact-size copy, so reading past the NUL is caught by ASan */
	size_t n = strlen(text) + 1;
	char *copy = malloc(n);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n);
	r = kw_docker_name_from_config(copy, name, len);
	free(copy);
	return r;
}

START_TEST(docker_config_valid)
{
	char name[128];

	ck_assert_int_eq(docker_name(docker_cfg, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "web-1");
	ck_assert_int_eq(docker_name(" \n{ \"Name\" : \"\\/a\\u002db\\\\c\" } ", name,
				     sizeof(name)), 0);
	ck_assert_str_eq(name, "a-b\\c");
	/* a surrogate pair; a lone surrogate is not JSON (jsonq is strict) */
	ck_assert_int_eq(docker_name("{\"Name\":\"/x\\ud83d\\ude00y\"}", name, sizeof(name)),
			 0);
	ck_assert_str_eq(name, "x\xf0\x9f\x98\x80y");
	ck_assert_int_eq(docker_name("{\"Name\":\"/x\\ud800y\"}", name, sizeof(name)), -EINVAL);
	/* UTF-8 and escaped control bytes are kept as they are: escaping is
	 * for output; a raw control byte is not JSON */
	ck_assert_int_eq(docker_name("{\"Name\":\"/\xc3\xa9\\u001b[31m\"}", name, sizeof(name)),
			 0);
	ck_assert_str_eq(name, "\xc3\xa9\x1b[31m");
	ck_assert_int_eq(docker_name("{\"Name\":\"/\x1b[31m\"}", name, sizeof(name)), -EINVAL);
	/* a non-string Name, and an empty one, are skipped */
	ck_assert_int_eq(docker_name("{\"Name\":1,\"Name\":\"/\",\"Name\":\"/real\"}", name,
				     sizeof(name)), 0);
	ck_assert_str_eq(name, "real");
	ck_assert_int_eq(docker_name("{\"Config\":{\"Name\":\"/inner\"}}", name, sizeof(name)),
			 -ENOENT);
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(docker_name("{}", name, sizeof(name)), -ENOENT);
}
END_TEST

START_TEST(docker_config_cut_names)
{
	char small[4], one[1];

	ck_assert_int_eq(docker_name("{\"Name\":\"/abcdef\"}", small, sizeof(small)), 0);
	ck_assert_str_eq(small, "abc");
	ck_assert_int_eq(docker_name("{\"Name\":\"/\xc3\xa9\xc3\xa9\"}", small, sizeof(small)),
			 0);
	ck_assert_str_eq(small, "\xc3\xa9");	/* whole characters only */
	ck_assert_int_eq(docker_name("{\"Name\":\"abc\"}", one, sizeof(one)), -ENOENT);
	ck_assert_int_eq(kw_docker_name_from_config("{}", small, 0), -EINVAL);
	ck_assert_int_eq(kw_docker_name_from_config("{}", NULL, 4), -EINVAL);
	ck_assert_int_eq(kw_docker_name_from_config(NULL, small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "");
}
END_TEST

/* A stopped container's State: not running, its exit code and end time;
 * a restarting one counts as running; a hostile time is not kept. */
START_TEST(docker_state)
{
	struct kw_docker_state st;

	ck_assert_int_eq(kw_docker_state_from_config(
		"{\"Name\":\"/web\",\"State\":{\"Running\":false,\"Paused\":false,"
		"\"Restarting\":false,\"ExitCode\":137,"
		"\"FinishedAt\":\"2026-12-04T15:06:10.080887228Z\"}}", &st), 0);
	ck_assert_str_eq(st.name, "web");
	ck_assert(!st.running);
	ck_assert_int_eq(st.exit_code, 137);
	ck_assert_str_eq(st.finished_at, "2026-12-04T15:06:10.080887228Z");
	ck_assert_int_eq(kw_docker_state_from_config(
		"{\"Name\":\"/web\",\"State\":{\"Running\":false,\"Restarting\":true,"
		"\"FinishedAt\":\"\\u001b[31m\"}}", &st), 0);
	ck_assert(st.running);
	ck_assert_int_eq(st.exit_code, -1);
	ck_assert_str_eq(st.finished_at, "");
	ck_assert_int_eq(kw_docker_state_from_config("{\"Name\":\"/web\"}", &st), -ENOENT);
	ck_assert_int_eq(kw_docker_state_from_config(
		"{\"Name\":\"/web\",\"State\":[]}", &st), -ENOENT);
	ck_assert_int_eq(kw_docker_state_from_config("{\"State\":{}}", &st), -ENOENT);
	ck_assert_int_eq(kw_docker_state_from_config("[", &st), -EINVAL);
	ck_assert_int_eq(kw_docker_state_from_config("{}", NULL), -EINVAL);
}
END_TEST

/* A file cut short (a read bound, a write in progress) is not JSON: no
 * name is believed from it, whatever came before the cut. */
START_TEST(docker_config_truncated)
{
	size_t n = strlen(docker_cfg);
	int found = 0;

	for (size_t cut = 0; cut <= n; cut++) {
		char *t = strndup(docker_cfg, cut);
		char name[128];
		int r;

		ck_assert_ptr_nonnull(t);
		r = docker_name(t, name, sizeof(name));
		if (cut == n) {
			ck_assert_msg(r == 0 && !strcmp(name, "web-1"), "whole: %d \"%s\"", r,
				      name);
			found++;
		} else {
			ck_assert_msg(r < 0 && name[0] == '\0', "cut %zu: %d \"%s\"", cut, r,
				      name);
		}
		free(t);
	}
	ck_assert_int_eq(found, 1);
}
END_TEST

START_TEST(docker_config_hostile)
{
	static const char *const bad[] = {
		"", "   ", "[]", "\"Name\"", "{", "{\"Name\"", "{\"Name\":", "{\"Name\":\"",
		"{\"Name\":\"/abc", "{\"Name\":\"/a\\", "{\"Name\":\"/a\\u", "{\"Name\":\"/a\\u12",
		"{\"Name\":\"/a\\u12zz\"}", "{\"Name\":\"/a\\u0000b\"}", "{\"Name\":\"/a\\q\"}",
		"{\"a\":}", "{\"a\" \"Name\":\"/x\"}", "{\"a\":1 \"Name\":\"/x\"}", "{,}",
		"{\"a\":]}", "{\"a\":[}", "{\"a\":\"\\", "{\"a\":tru", "{\"a\":{\"b\":[1,2",
		"{\"Name\"::\"/x\"}", "{Name:\"/x\"}", "{'Name':'/x'}",
	};
	char name[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = docker_name(bad[i], name, sizeof(name));

		ck_assert_msg(r < 0, "\"%s\" gave %d \"%s\"", bad[i], r, name);
		ck_assert_str_eq(name, "");
	}
}
END_TEST

/* Nesting a million deep must neither recurse far nor be believed: jsonq
 * stops at its depth bound, balanced or not; real files nest a few deep. */
START_TEST(docker_config_deep)
{
	size_t depth = 1000000, n = 2 * depth + 64;
	char *t = malloc(n), name[64];
	size_t k = 0;

	ck_assert_ptr_nonnull(t);
	k += sprintf(t, "{\"a\":");
	memset(t + k, '[', depth);
	k += depth;
	t[k] = '\0';
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), -EINVAL);
	memset(t + k, ']', depth);
	k += depth;
	strcpy(t + k, ",\"Name\":\"/deep\"}");
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), -EINVAL);
	ck_assert_str_eq(name, "");
	/* 32 deep is within the bound */
	k = (size_t)sprintf(t, "{\"a\":");
	memset(t + k, '[', 32);
	memset(t + k + 32, ']', 32);
	strcpy(t + k + 64, ",\"Name\":\"/deep\"}");
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "deep");
	free(t);
}
END_TEST

/* The parsed tree is bounded: too many values, or too many bytes, are
 * refused before a node is made. */
START_TEST(docker_config_bounds)
{
	size_t n = 2 * KW_META_JSON_VALUES + 64, k;
	char *t = malloc(KW_META_JSON_MAX + 64), name[64];

	ck_assert_ptr_nonnull(t);
	k = (size_t)sprintf(t, "{\"Name\":\"/big\",\"a\":[");
	for (size_t i = 0; i < KW_META_JSON_VALUES; i++, k += 2)
		memcpy(t + k, "0,", 2);
	strcpy(t + k, "0]}");
	ck_assert_uint_lt(strlen(t), n);
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), -EINVAL);
	/* the same just under the bound is read */
	k = (size_t)sprintf(t, "{\"Name\":\"/big\",\"a\":[");
	for (size_t i = 0; i < KW_META_JSON_VALUES - 8; i++, k += 2)
		memcpy(t + k, "0,", 2);
	strcpy(t + k, "0]}");
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "big");
	/* too many bytes, even of one string */
	k = (size_t)sprintf(t, "{\"Name\":\"/");
	memset(t + k, 'x', KW_META_JSON_MAX);
	strcpy(t + k + KW_META_JSON_MAX, "\"}");
	ck_assert_int_eq(docker_name(t, name, sizeof(name)), -EINVAL);
	free(t);
}
END_TEST

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random JSON-ish bytes and random mutations of the real file: no crash,
 * no read past the end (ASan), results always NUL-terminated in bounds. */
START_TEST(parsers_fuzz)
{
	static const char alpha[] = "{}[]\":,\\/u0aeN mdI\x01\xff";
	char text[160], name[16], path[160];
	struct kw_k8s_ref ref;
	struct kw_container ct;

	for (int iter = 0; iter < 100000; iter++) {
		size_t n = rnd() % (sizeof(text) - 1);

		if (iter & 1) {
			for (size_t i = 0; i < n; i++)
				text[i] = alpha[rnd() % (sizeof(alpha) - 1)];
		} else {
			n = n < sizeof(docker_cfg) - 1 ? n : sizeof(docker_cfg) - 1;
			memcpy(text, docker_cfg + strlen(docker_cfg) - n, n);
			text[0] = '{';
			for (int m = 0; m < 3 && n; m++)
				text[rnd() % n] = alpha[rnd() % (sizeof(alpha) - 1)];
		}
		text[n] = '\0';
		memset(name, 'Z', sizeof(name));
		docker_name(text, name, sizeof(name));
		ck_assert(memchr(name, '\0', sizeof(name)) != NULL);
		memset(name, 'Z', sizeof(name));
		kw_podman_name_from_containers(text, ID_A, name, sizeof(name));
		ck_assert(memchr(name, '\0', sizeof(name)) != NULL);
		for (size_t i = 0; i < n; i++)
			path[i] = "/_-.:podkubes0a9"[rnd() % 16];
		path[n] = '\0';
		kw_container_from_path(path, &ct);
		ck_assert(memchr(ct.id, '\0', sizeof(ct.id)) != NULL);
		kw_k8s_from_pod_log_dir(path, &ref);
		kw_k8s_from_container_log(path, &ref);
	}
}
END_TEST

/* ---- podman containers.json ---- */

static const char podman_json[] =
	"[{\"id\":\"" ID_A "\",\"names\":[\"first\"],\"image\":\"i\",\"metadata\":"
	"\"{\\\"image-name\\\":\\\"x\\\"}\"},"
	"{\"names\":[\"web\",\"alias\"],\"layer\":\"l\",\"id\":\"" ID_P "\",\"flags\":{}},"
	"{\"id\":\"" ID_C "\",\"names\":[]}]";

START_TEST(podman_containers)
{
	char name[64];

	ck_assert_int_eq(kw_podman_name_from_containers(podman_json, ID_A, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "first");
	ck_assert_int_eq(kw_podman_name_from_containers(podman_json, ID_P, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "web");
	ck_assert_int_eq(kw_podman_name_from_containers(podman_json, ID_C, name, sizeof(name)),
			 -ENOENT);
	ck_assert_int_eq(kw_podman_name_from_containers(podman_json, ID_B, name, sizeof(name)),
			 -ENOENT);
	ck_assert_int_eq(kw_podman_name_from_containers("[]", ID_B, name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(kw_podman_name_from_containers("{}", ID_B, name, sizeof(name)), -EINVAL);
	ck_assert_int_eq(kw_podman_name_from_containers("[{\"id\":\"" ID_B "\",\"names\":[\"x\"",
							ID_B, name, sizeof(name)), -EINVAL);
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(kw_podman_name_from_containers(podman_json, NULL, name, sizeof(name)),
			 -EINVAL);

	/* every truncation: found once the matching object is complete */
	for (size_t cut = 0; cut < sizeof(podman_json); cut++) {
		char *t = strndup(podman_json, cut);
		int r;

		ck_assert_ptr_nonnull(t);
		r = kw_podman_name_from_containers(t, ID_P, name, sizeof(name));
		ck_assert(r == 0 ? !strcmp(name, "web") : name[0] == '\0');
		free(t);
	}
}
END_TEST

/* ---- kubelet log names ---- */

START_TEST(k8s_pod_log_dirs)
{
	struct kw_k8s_ref r;

	ck_assert_int_eq(kw_k8s_from_pod_log_dir("/var/log/pods/shop_web-1_" UID, &r), 0);
	ck_assert_str_eq(r.k8s_namespace, "shop");
	ck_assert_str_eq(r.pod, "web-1");
	ck_assert_str_eq(r.pod_uid, UID);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("kube-system_coredns-5d78c9869d-abcde_" UID "/",
						 &r), 0);
	ck_assert_str_eq(r.k8s_namespace, "kube-system");
	ck_assert_str_eq(r.pod, "coredns-5d78c9869d-abcde");
	ck_assert_str_eq(r.container, "");

	/* kubelet before 1.14 used the bare uid */
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("/var/log/pods/" UID, &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a_b_c_" UID, &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a__" UID, &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("_b_" UID, &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a_b_", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a_b_not-a-uid", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a_b_" UID UID, &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("/", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_pod_log_dir(NULL, &r), -EINVAL);
	ck_assert_str_eq(r.pod, "");
	ck_assert_int_eq(kw_k8s_from_pod_log_dir("a_b_c", NULL), -EINVAL);
}
END_TEST

START_TEST(k8s_container_logs)
{
	struct kw_k8s_ref r;
	char longname[600];

	ck_assert_int_eq(kw_k8s_from_container_log(
				 "/var/log/containers/web-1_shop_nginx-" ID_A ".log", &r), 0);
	ck_assert_str_eq(r.pod, "web-1");
	ck_assert_str_eq(r.k8s_namespace, "shop");
	ck_assert_str_eq(r.container, "nginx");
	ck_assert_str_eq(r.id, ID_A);
	ck_assert_str_eq(r.pod_uid, "");
	ck_assert_int_eq(kw_k8s_from_container_log(
				 "coredns-5d78c9869d-abcde_kube-system_core-dns-" ID_B ".log", &r), 0);
	ck_assert_str_eq(r.pod, "coredns-5d78c9869d-abcde");
	ck_assert_str_eq(r.container, "core-dns");

	ck_assert_int_eq(kw_k8s_from_container_log("web_shop_nginx-" ID_A ".txt", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log("web_shop_nginx-" ID_63 ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log("web_shop_nginx_" ID_A ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log("web_shop-" ID_A ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log("a_b_c_d-" ID_A ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log("-" ID_A ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log(ID_A ".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log(".log", &r), -EINVAL);
	ck_assert_int_eq(kw_k8s_from_container_log(NULL, &r), -EINVAL);
	ck_assert_str_eq(r.id, "");

	/* names longer than the fields are cut, the id is still whole */
	memset(longname, 'p', sizeof(longname));
	strcpy(longname + 300, "_ns_c-" ID_A ".log");
	ck_assert_int_eq(kw_k8s_from_container_log(longname, &r), 0);
	ck_assert_uint_eq(strlen(r.pod), sizeof(r.pod) - 1);
	ck_assert_str_eq(r.id, ID_A);
}
END_TEST

/* ---- the host side, on fake trees ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	ck_assert_int_eq(nftw(dir, rm_one, 64, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * Every tree lives under one temp root made and removed by the parent
 * process (an unchecked fixture), so a failed test leaves nothing behind.
 */
static char tmproot[64];

static void tmproot_make(void)
{
	strcpy(tmproot, "/tmp/kwhy-ct-XXXXXX");
	if (!mkdtemp(tmproot))
		tmproot[0] = '\0';
}

static void tmproot_remove(void)
{
	if (tmproot[0])
		nftw(tmproot, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

static void tmp_dir(char *dir, size_t len, const char *what)
{
	ck_assert_msg(tmproot[0], "no temp root");
	snprintf(dir, len, "%s/%s-XXXXXX", tmproot, what);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void mkdirs(const char *base, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (char *p = path + strlen(base) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s: %s", path,
		      strerror(errno));
}

static void write_file(const char *base, const char *rel, const char *text, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static char meta[128];

/* The metadata a node running all four runtimes would have. */
static void make_meta(void)
{
	size_t big = 2u << 20;
	char *late = malloc(big + 64);
	char path[4096];

	tmp_dir(meta, sizeof(meta), "meta");
	mkdirs(meta, "var/log/containers");
	snprintf(path, sizeof(path), "%s/var/log/containers/web-1_shop_nginx-%s.log", meta, ID_A);
	ck_assert_int_eq(symlink("/nonexistent/0.log", path), 0);
	write_file(meta, "var/log/containers/junk_without_id.log", "", 0);
	write_file(meta, "var/log/containers/web-1_shop_nginx-" ID_63 ".log", "", 0);
	mkdirs(meta, "var/log/pods/shop_web-2_" UID);
	mkdirs(meta, "var/log/pods/shop_other_" "00000000-0000-0000-0000-000000000000");
	mkdirs(meta, "var/lib/docker/containers/" ID_B);
	write_file(meta, "var/lib/docker/containers/" ID_B "/config.v2.json", docker_cfg,
		   strlen(docker_cfg));
	/* a FIFO where a config should be: opening it must not block */
	mkdirs(meta, "var/lib/docker/containers/" ID_C);
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", meta, ID_C);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* a config whose Name lies past the read bound */
	ck_assert_ptr_nonnull(late);
	memcpy(late, "{\"X\":\"", 6);
	memset(late + 6, 'a', big);
	strcpy(late + 6 + big, "\",\"Name\":\"/late\"}");
	mkdirs(meta, "var/lib/docker/containers/" ID_D);
	write_file(meta, "var/lib/docker/containers/" ID_D "/config.v2.json", late, strlen(late));
	free(late);
	mkdirs(meta, "var/lib/containers/storage/overlay-containers");
	write_file(meta, "var/lib/containers/storage/overlay-containers/containers.json",
		   podman_json, strlen(podman_json));
}

static struct kw_container named(const char *cgroup_path)
{
	struct kw_container ct;

	ck_assert_int_eq(kw_container_from_path(cgroup_path, &ct), 0);
	kw_container_names(&ct, meta);
	return ct;
}

START_TEST(names_from_metadata)
{
	struct kw_container ct;
	struct timespec t0, t1;

	make_meta();
	ct = named(KP_BURST "/cri-containerd-" ID_A ".scope");
	ck_assert_str_eq(ct.name, "nginx");
	ck_assert_str_eq(ct.pod, "web-1");
	ck_assert_str_eq(ct.k8s_namespace, "shop");

	/* no log for this container: the pod is still known from its uid */
	ct = named("/kubepods/besteffort/pod" UID "/" ID_E);
	ck_assert_str_eq(ct.name, "e0e1e2e3e4e5");
	ck_assert_str_eq(ct.pod, "web-2");
	ck_assert_str_eq(ct.k8s_namespace, "shop");

	ct = named("/system.slice/docker-" ID_B ".scope");
	ck_assert_str_eq(ct.name, "web-1");
	ck_assert_str_eq(ct.pod, "");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ct = named("/docker/" ID_C);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_str_eq(ct.name, "fedcba987654");
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);

	ct = named("/docker/" ID_D);
	ck_assert_str_eq(ct.name, "001122334455");

	ct = named("/machine.slice/libpod-" ID_P ".scope/container");
	ck_assert_str_eq(ct.name, "web");
	ct = named("/machine.slice/libpod-" ID_C ".scope");
	ck_assert_str_eq(ct.name, "fedcba987654");

	ct = named("/system.slice/nginx.service");
	ck_assert_str_eq(ct.name, "nginx.service");
	ct = named("/");
	ck_assert_str_eq(ct.name, "host");

	/* an id that is not one never becomes part of a path */
	memset(&ct, 0, sizeof(ct));
	ct.runtime = KW_RT_DOCKER;
	strcpy(ct.id, "../../../../etc");
	strcpy(ct.name, "keep");
	kw_container_names(&ct, meta);
	ck_assert_str_eq(ct.name, "keep");
	kw_container_names(NULL, meta);

	/* a trailing slash on the root is the same root */
	ck_assert_int_eq(kw_container_from_path("/docker/" ID_B, &ct), 0);
	{
		char slashed[80];

		snprintf(slashed, sizeof(slashed), "%s//", meta);
		kw_container_names(&ct, slashed);
	}
	ck_assert_str_eq(ct.name, "web-1");
	rm_tree(meta);
}
END_TEST

static uint64_t id_of(const char *base, const char *rel)
{
	char path[4096];
	uint64_t id;

	snprintf(path, sizeof(path), "%s%s", base, rel);
	ck_assert_int_eq(kw_cgroup_id_at(AT_FDCWD, path, &id), 0);
	return id;
}

START_TEST(resolve_fake_hierarchy)
{
	char cg[128], deep[200] = "", lnk[128];
	const char *kpath = KP_BURST "/cri-containerd-" ID_A ".scope";
	struct kw_cgroups_counts n;
	struct kw_ev_cgroup ev;
	struct kw_cgroups *c;

	make_meta();
	tmp_dir(cg, sizeof(cg), "cg");
	mkdirs(cg, "system.slice/docker-" ID_B ".scope");
	mkdirs(cg, kpath + 1);
	snprintf(lnk, sizeof(lnk), "%s/loop", cg);
	ck_assert_int_eq(symlink(cg, lnk), 0);	/* never followed */
	for (int i = 0; i < 34; i++)
		strcat(deep, "/d");
	mkdirs(cg, deep + 1);

	c = kw_cgroups_new(cg, NULL);
	ck_assert_ptr_nonnull(c);
	kw_cgroups_set_meta_root(c, meta);

	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, "/system.slice/docker-" ID_B ".scope"),
					    false, &ev), 0);
	ck_assert_int_eq(ev.hdr.type, KW_EV_CGROUP);
	ck_assert_uint_eq(ev.hdr.size, sizeof(ev));
	ck_assert_uint_eq(ev.resolved, 1);
	ck_assert_uint_eq(ev.v1_memory, 0);
	ck_assert_str_eq(ev.path, "/system.slice/docker-" ID_B ".scope");
	ck_assert_uint_eq(ev.runtime, KW_RT_DOCKER);
	ck_assert_str_eq(ev.container_id, ID_B);
	ck_assert_str_eq(ev.name, "web-1");

	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, kpath), false, &ev), 0);
	ck_assert_str_eq(ev.path, kpath);
	ck_assert_uint_eq(ev.runtime, KW_RT_CONTAINERD);
	ck_assert_str_eq(ev.name, "nginx");
	ck_assert_str_eq(ev.pod, "web-1");
	ck_assert_str_eq(ev.k8s_namespace, "shop");
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, ""), false, &ev), 0);
	ck_assert_str_eq(ev.path, "/");
	ck_assert_uint_eq(ev.runtime, KW_RT_HOST);
	ck_assert_str_eq(ev.container_id, "host");

	kw_cgroups_counts(c, &n);
	ck_assert_uint_eq(n.walks, 1);
	ck_assert_uint_eq(n.hits, 2);
	/* 2 + 4 + 32 of the 34 nested "d" (the 33rd is too deep); the
	 * symlink is not a directory to walk; the root makes one more entry */
	ck_assert_uint_eq(n.walk_dirs, 38);
	ck_assert_uint_eq(n.entries, 39);

	deep[32 * 2] = '\0';
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, deep), false, &ev), 0);
	ck_assert_str_eq(ev.path, deep);
	deep[32 * 2] = '/';
	deep[33 * 2] = '\0';
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, deep), false, &ev), -ENOENT);
	ck_assert_uint_eq(ev.resolved, 0);
	ck_assert_uint_eq(ev.cgroup_id, id_of(cg, deep));
	ck_assert_str_eq(ev.path, "");
	kw_cgroups_counts(c, &n);
	ck_assert_uint_eq(n.walks, 2);
	/* a miss is remembered: no walk for it again */
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, deep), false, &ev), -ENOENT);
	ck_assert_int_eq(kw_cgroups_resolve(c, 0, false, &ev), -ENOENT);
	kw_cgroups_counts(c, &n);
	ck_assert_uint_eq(n.walks, 2);
	ck_assert_uint_eq(n.misses, 3);

	/* a cgroup made after the first walk is found by the next one */
	mkdirs(cg, "system.slice/docker-" ID_D ".scope");
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, "/system.slice/docker-" ID_D ".scope"),
					    false, &ev), 0);
	ck_assert_str_eq(ev.name, "001122334455");
	ck_assert_int_eq(kw_cgroups_resolve(c, 1, true, &ev), -ENODEV);
	ck_assert_uint_eq(ev.v1_memory, 1);
	ck_assert_int_eq(kw_cgroups_resolve(NULL, 1, false, &ev), -EINVAL);
	ck_assert_int_eq(kw_cgroups_resolve(c, 1, false, NULL), -EINVAL);
	{
		char small[8];

		ck_assert_int_eq(kw_cgroups_path(c, id_of(cg, kpath), false, small,
						 sizeof(small)), -ENAMETOOLONG);
	}
	kw_cgroups_free(c);
	kw_cgroups_free(NULL);
	rm_tree(cg);
	rm_tree(meta);
}
END_TEST

/* Paths longer than the cache holds are not cached, nor walked below. */
START_TEST(resolve_long_paths)
{
	char cg[128], seg[251], rel[1024] = "";
	struct kw_ev_cgroup ev;
	struct kw_cgroups *c;

	tmp_dir(cg, sizeof(cg), "cg");
	memset(seg, 's', sizeof(seg) - 1);
	seg[sizeof(seg) - 1] = '\0';
	c = kw_cgroups_new(cg, "");
	ck_assert_ptr_nonnull(c);
	for (int i = 1; i <= 3; i++) {
		strcat(rel, "/");
		strcat(rel, seg);
		mkdirs(cg, rel + 1);
	}
	rel[251] = '\0';
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, rel), false, &ev), 0);
	rel[251] = '/';
	rel[502] = '\0';
	/* 502 bytes fit the cache, not the record: the record is cut */
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, rel), false, &ev), 0);
	ck_assert_uint_eq(strlen(ev.path), KW_PATH_LEN - 1);
	ck_assert(!strncmp(ev.path, rel, KW_PATH_LEN - 1));
	rel[502] = '/';
	ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, rel), false, &ev), -ENOENT);
	kw_cgroups_free(c);
	rm_tree(cg);
}
END_TEST

/* A mount that could not be walked rules nothing out. */
START_TEST(resolve_mount_appears)
{
	char cg[128], later[160], from[160];
	struct kw_cgroups_counts n;
	struct kw_ev_cgroup ev;
	struct kw_cgroups *c;
	uint64_t id;

	tmp_dir(cg, sizeof(cg), "cg");
	mkdirs(cg, "x/docker/" ID_A);
	id = id_of(cg, "/x/docker/" ID_A);
	snprintf(later, sizeof(later), "%s/mnt", cg);
	c = kw_cgroups_new(later, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(kw_cgroups_resolve(c, id, false, &ev), -ENOENT);
	kw_cgroups_counts(c, &n);
	ck_assert_uint_eq(n.walks, 0);
	/* the hierarchy turns up where the mount was said to be */
	snprintf(from, sizeof(from), "%s/x", cg);
	ck_assert_int_eq(rename(from, later), 0);
	ck_assert_int_eq(kw_cgroups_resolve(c, id, false, &ev), 0);
	ck_assert_str_eq(ev.path, "/docker/" ID_A);
	ck_assert_uint_eq(ev.runtime, KW_RT_DOCKER);
	kw_cgroups_free(c);
}
END_TEST

/* More cgroups than cache entries: the oldest go, answers stay right. */
START_TEST(resolve_eviction)
{
	char cg[128], rel[32];
	const int ndirs = KW_CG_CACHE_MAX + 104;
	struct kw_cgroups_counts n;
	struct kw_ev_cgroup ev;
	struct kw_cgroups *c;

	tmp_dir(cg, sizeof(cg), "cg");
	for (int i = 0; i < ndirs; i++) {
		snprintf(rel, sizeof(rel), "c%d", i);
		mkdirs(cg, rel);
	}
	c = kw_cgroups_new(cg, NULL);
	ck_assert_ptr_nonnull(c);
	for (int k = 0; k < 40; k++) {
		int i = (int)(rnd() % ndirs);

		snprintf(rel, sizeof(rel), "/c%d", i);
		ck_assert_int_eq(kw_cgroups_resolve(c, id_of(cg, rel), false, &ev), 0);
		ck_assert_str_eq(ev.path, rel);
	}
	kw_cgroups_counts(c, &n);
	ck_assert_uint_eq(n.entries, KW_CG_CACHE_MAX);
	ck_assert_uint_ge(n.walks, 1);
	ck_assert_uint_ge(n.evictions, (uint64_t)(ndirs + 1 - KW_CG_CACHE_MAX) * n.walks);
	ck_assert_uint_eq(n.walk_dirs, (uint64_t)ndirs * n.walks);
	kw_cgroups_free(c);
	rm_tree(cg);
}
END_TEST

/* A child that holds some resident memory under a known name. */
static pid_t spawn_hog(size_t bytes, int *done_fd)
{
	int go[2], done[2];
	pid_t pid;
	char ch;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* volatile: the compiler may not drop stores nobody reads */
		volatile char *m = malloc(bytes);

		close(go[0]);
		close(done[1]);	/* else the read below never sees EOF */
		prctl(PR_SET_NAME, "kwt-hog");
		for (size_t i = 0; m && i < bytes; i += 4096)
			m[i] = 1;
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		if (read(done[0], &ch, 1) < 0)
			_exit(1);
		_exit(m ? 0 : 1);
	}
	ck_assert_int_eq(read(go[0], &ch, 1), 1);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	*done_fd = done[1];
	return pid;
}

/* Killed rather than told: later hogs inherit earlier hogs' pipe ends. */
static void stop_hog(pid_t pid, int done_fd)
{
	int st;

	close(done_fd);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

START_TEST(memcg_top_fake)
{
	char cg[128], text[128];
	struct kw_ev_memcg_procs ev;
	struct kw_cgroups *c;
	int done;
	pid_t hog = spawn_hog(96u << 20, &done);

	tmp_dir(cg, sizeof(cg), "cg");
	mkdirs(cg, "kubepods/pod" UID "/child");
	snprintf(text, sizeof(text), "%d\nnot-a-pid\n999999999999\n-3\n", (int)getpid());
	write_file(cg, "kubepods/pod" UID "/cgroup.procs", text, strlen(text));
	snprintf(text, sizeof(text), "%d\n", (int)hog);
	write_file(cg, "kubepods/pod" UID "/child/cgroup.procs", text, strlen(text));
	write_file(cg, "kubepods/pod" UID "/memory.current", "123456789\n", 10);
	write_file(cg, "kubepods/pod" UID "/memory.usage_in_bytes", "987654321\n", 10);

	/* as a v2 hierarchy */
	c = kw_cgroups_new(cg, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, id_of(cg, "/kubepods/pod" UID), false, &ev), 0);
	ck_assert_int_eq(ev.hdr.type, KW_EV_MEMCG_PROCS);
	ck_assert_uint_eq(ev.hdr.size, sizeof(ev));
	ck_assert_uint_eq(ev.cgroup_id, id_of(cg, "/kubepods/pod" UID));
	ck_assert_uint_eq(ev.usage_bytes, 123456789);
	ck_assert_uint_eq(ev.total_procs, 2);
	ck_assert_uint_eq(ev.nr, 2);
	ck_assert_uint_eq(ev.procs[0].pid, (uint32_t)hog);
	ck_assert_str_eq(ev.procs[0].comm, "kwt-hog");
	ck_assert_uint_ge(ev.procs[0].rss_kb, 96u << 10);
	ck_assert_uint_eq(ev.procs[1].pid, (uint32_t)getpid());
	ck_assert_uint_gt(ev.procs[1].rss_kb, 0);
	ck_assert_uint_lt(ev.procs[1].rss_kb, ev.procs[0].rss_kb);
	/* a leaf: only its own process */
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, id_of(cg, "/kubepods/pod" UID "/child"), false,
					    &ev), 0);
	ck_assert_uint_eq(ev.total_procs, 1);
	ck_assert_uint_eq(ev.usage_bytes, 0);
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, 12345678901ull, false, &ev), -ENOENT);
	ck_assert_uint_eq(ev.nr, 0);
	ck_assert_uint_eq(ev.cgroup_id, 12345678901ull);
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, 1, true, &ev), -ENODEV);
	kw_cgroups_free(c);

	/* as the v1 memory hierarchy */
	c = kw_cgroups_new("", cg);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, id_of(cg, "/kubepods/pod" UID), true, &ev), 0);
	ck_assert_uint_eq(ev.usage_bytes, 987654321);
	ck_assert_uint_eq(ev.total_procs, 2);
	kw_cgroups_free(c);

	stop_hog(hog, done);
	rm_tree(cg);
}
END_TEST

START_TEST(meminfo_parsed)
{
	static const char text[] = "MemTotal:        6081740 kB\n"
				   "MemFree:           30000 kB\n"
				   "MemAvailable:      43008 kB\n"
				   "Buffers:             512 kB\n"
				   "SwapCached:            0 kB\n"
				   "SwapTotal:       2097148 kB\n"
				   "SwapFree:        1048576 kB\n";
	struct kw_ev_host_mem h;

	memset(&h, 0xa5, sizeof(h));
	ck_assert_int_eq(kw_parse_meminfo(text, &h), 0);
	ck_assert_uint_eq(h.has_meminfo, 1);
	ck_assert_uint_eq(h.mem_total_kb, 6081740);
	ck_assert_uint_eq(h.mem_free_kb, 30000);
	ck_assert_uint_eq(h.mem_available_kb, 43008);
	ck_assert_uint_eq(h.swap_total_kb, 2097148);
	ck_assert_uint_eq(h.swap_free_kb, 1048576);
	/* cut short: what is there counts, the rest is 0 */
	ck_assert_int_eq(kw_parse_meminfo("MemTotal: 1024 kB\nMemFr", &h), 0);
	ck_assert_uint_eq(h.mem_total_kb, 1024);
	ck_assert_uint_eq(h.mem_available_kb, 0);
	ck_assert_uint_eq(h.swap_total_kb, 0);
	/* no MemTotal: nothing to say */
	ck_assert_int_eq(kw_parse_meminfo("MemFree: 3 kB\n", &h), -EINVAL);
	ck_assert_uint_eq(h.has_meminfo, 0);
	ck_assert_int_eq(kw_parse_meminfo("", &h), -EINVAL);
}
END_TEST

/* A fake /proc and cgroup mount: meminfo, and the top-level cgroups by
 * usage; a child without the memory files (controller off) is skipped. */
START_TEST(host_mem_fake)
{
	char proc[128], cg[128], name[32];
	struct kw_ev_host_mem h;

	tmp_dir(proc, sizeof(proc), "proc");
	tmp_dir(cg, sizeof(cg), "cg");
	write_file(proc, "meminfo", "MemTotal: 262144 kB\nMemAvailable: 9000 kB\n", 42);
	for (int i = 0; i < KW_HOST_MEM_CGROUPS + 2; i++) {
		char usage[32];

		snprintf(name, sizeof(name), "cg%d", i);
		mkdirs(cg, name);
		snprintf(name, sizeof(name), "cg%d/memory.current", i);
		snprintf(usage, sizeof(usage), "%d\n", (i + 1) << 20);
		write_file(cg, name, usage, strlen(usage));
		snprintf(name, sizeof(name), "cg%d/memory.usage_in_bytes", i);
		snprintf(usage, sizeof(usage), "%d\n", (100 - i) << 20);
		write_file(cg, name, usage, strlen(usage));
	}
	mkdirs(cg, "no-memory/deeper");

	kw_host_mem_read(proc, cg, false, &h);
	ck_assert_uint_eq(h.hdr.type, KW_EV_HOST_MEM);
	ck_assert_uint_eq(h.hdr.size, sizeof(h));
	ck_assert_uint_eq(h.has_meminfo, 1);
	ck_assert_uint_eq(h.mem_total_kb, 262144);
	ck_assert_uint_eq(h.mem_available_kb, 9000);
	ck_assert_uint_eq(h.cgroups_v1, 0);
	ck_assert_uint_eq(h.cgroups_read, KW_HOST_MEM_CGROUPS + 2);
	ck_assert_uint_eq(h.nr_cgroups, KW_HOST_MEM_CGROUPS);
	for (int i = 0; i < KW_HOST_MEM_CGROUPS; i++) {
		int want = KW_HOST_MEM_CGROUPS + 1 - i;	/* biggest first */

		snprintf(name, sizeof(name), "/cg%d", want);
		ck_assert_uint_eq(h.cgroups[i].usage_bytes, (uint64_t)(want + 1) << 20);
		ck_assert_uint_eq(h.cgroups[i].cgroup_id, id_of(cg, name));
	}
	/* the v1 memory hierarchy: its own file, the other order */
	kw_host_mem_read(proc, cg, true, &h);
	ck_assert_uint_eq(h.cgroups_v1, 1);
	ck_assert_uint_eq(h.cgroups[0].usage_bytes, 100ULL << 20);
	ck_assert_uint_eq(h.cgroups[0].cgroup_id, id_of(cg, "/cg0"));
	/* neither readable: an empty record, no error */
	kw_host_mem_read("/nonexistent-proc", "", false, &h);
	ck_assert_uint_eq(h.hdr.type, KW_EV_HOST_MEM);
	ck_assert_uint_eq(h.has_meminfo, 0);
	ck_assert_uint_eq(h.nr_cgroups, 0);
	ck_assert_uint_eq(h.cgroups_read, 0);
	rm_tree(proc);
	rm_tree(cg);
}
END_TEST

/* More processes than slots: the biggest stay, in order. */
/* plain containerd: a task's state directory names the container */
START_TEST(containerd_task_from_shim_state)
{
	char root[] = "/tmp/kwhy-ctr-XXXXXX";
	struct kw_container ct;

	ck_assert_ptr_nonnull(mkdtemp(root));
	mkdirs(root, "run/containerd/io.containerd.runtime.v2.task/default/web1");
	ck_assert(kw_containerd_task(&ct, "/default/web1", root));
	ck_assert_int_eq(ct.runtime, KW_RT_CONTAINERD);
	ck_assert_str_eq(ct.id, "web1");
	ck_assert_str_eq(ct.name, "web1");
	/* any cgroup parent (ctr run --cgroup), the leaf is the task */
	ck_assert(kw_containerd_task(&ct, "/mine/kwctr/web1", root));
	ck_assert(!kw_containerd_task(&ct, "/default/web2", root));
	ck_assert(!kw_containerd_task(&ct, "/", root));
	ck_assert(!kw_containerd_task(&ct, "/default/..", root));
	mkdirs(root, "run/docker/containerd/daemon/io.containerd.runtime.v2.task/kwtest/web3");
	ck_assert(kw_containerd_task(&ct, "/x/web3", root));
	rm_tree(root);
}
END_TEST

START_TEST(memcg_top_order)
{
	char cg[128], text[512] = "";
	const int nhogs = KW_MEMCG_PROCS_MAX + 3;
	pid_t hogs[KW_MEMCG_PROCS_MAX + 3];
	int done[KW_MEMCG_PROCS_MAX + 3];
	struct kw_ev_memcg_procs ev;
	struct kw_cgroups *c;

	tmp_dir(cg, sizeof(cg), "cg");
	for (int i = 0; i < nhogs; i++) {
		char line[16];

		hogs[i] = spawn_hog((size_t)(i + 1) * (4u << 20), &done[i]);
		snprintf(line, sizeof(line), "%d\n", (int)hogs[i]);
		strcat(text, line);
	}
	write_file(cg, "cgroup.procs", text, strlen(text));
	c = kw_cgroups_new(cg, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(kw_memcg_top_procs(c, KW_PROC_ROOT, id_of(cg, ""), false, &ev), 0);
	ck_assert_uint_eq(ev.total_procs, nhogs);
	ck_assert_uint_eq(ev.nr, KW_MEMCG_PROCS_MAX);
	for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++)
		ck_assert_uint_eq(ev.procs[i].pid, (uint32_t)hogs[nhogs - 1 - i]);
	kw_cgroups_free(c);
	for (int i = 0; i < nhogs; i++)
		stop_hog(hogs[i], done[i]);
	rm_tree(cg);
}
END_TEST

Suite *container_suite(void)
{
	Suite *s = suite_create("container");
	TCase *paths = tcase_create("paths");
	TCase *parsers = tcase_create("parsers");
	TCase *host = tcase_create("host");

	tcase_add_test(paths, docker_layouts);
	tcase_add_test(parsers, docker_state);
	tcase_add_test(paths, k8s_containerd_layouts);
	tcase_add_test(paths, crio_layouts);
	tcase_add_test(paths, podman_layouts);
	tcase_add_test(paths, sub_paths);
	tcase_add_test(paths, systemd_and_host);
	tcase_add_test(paths, not_quite_ids);
	tcase_add_test(paths, hostile_paths);
	tcase_add_test(paths, runtime_names);
	suite_add_tcase(s, paths);

	tcase_add_test(parsers, docker_config_valid);
	tcase_add_test(parsers, docker_config_cut_names);
	tcase_add_test(parsers, docker_config_truncated);
	tcase_add_test(parsers, docker_config_hostile);
	tcase_add_test(parsers, docker_config_deep);
	tcase_add_test(parsers, docker_config_bounds);
	tcase_add_test(parsers, parsers_fuzz);
	tcase_add_test(parsers, podman_containers);
	tcase_add_test(parsers, k8s_pod_log_dirs);
	tcase_add_test(parsers, k8s_container_logs);
	tcase_set_timeout(parsers, 60);
	suite_add_tcase(s, parsers);

	tcase_add_test(host, names_from_metadata);
	tcase_add_test(host, resolve_fake_hierarchy);
	tcase_add_test(host, resolve_long_paths);
	tcase_add_test(host, resolve_mount_appears);
	tcase_add_test(host, resolve_eviction);
	tcase_add_test(host, memcg_top_fake);
	tcase_add_test(host, meminfo_parsed);
	tcase_add_test(host, host_mem_fake);
	tcase_add_test(host, memcg_top_order);
	tcase_add_test(host, containerd_task_from_shim_state);
	tcase_add_unchecked_fixture(host, tmproot_make, tmproot_remove);
	tcase_set_timeout(host, 60);
	suite_add_tcase(s, host);
	return s;
}
