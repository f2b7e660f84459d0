// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Capabilities: see caps.h.  libcap would do, but the three calls kwhy
 * needs are smaller than the dependency (and its static build). */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "util/caps.h"

#define CAP_BITS 64

static int get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

static int set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

int kw_caps_keep(uint64_t keep)
{
	struct __user_cap_data_struct d[2];
	int ret = get(d);

	if (ret)
		return ret;
	/* the bounding set first: dropping from it needs CAP_SETPCAP, which
	 * goes with the rest below; EINVAL is a number this kernel lacks */
	for (int c = 0; c < CAP_BITS; c++)
		if (!(keep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));

		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable = 0;
	}
	return set(d);
}

static int change(int cap, bool on)
{
	struct __user_cap_data_struct d[2];
	int ret = get(d);

	if (ret || cap < 0 || cap >= CAP_BITS)
		return ret ?: -EINVAL;
	if (on)
		d[cap / 32].effective |= 1u << (cap % 32);
	else
		d[cap / 32].effective &= ~(1u << (cap % 32));
	return set(d);
}

int kw_caps_lower(int cap)
{
	return change(cap, false);
}

int kw_caps_raise(int cap)
{
	return change(cap, true);
}

uint64_t kw_caps_effective(void)
{
	struct __user_cap_data_struct d[2];

	if (get(d))
		return 0;
	return (uint64_t)d[1].effective << 32 | d[0].effective;
}

const char *kw_cap_name(int cap)
{
	static const char *const names[] = {
		[0] = "CAP_CHOWN", [1] = "CAP_DAC_OVERRIDE", [2] = "CAP_DAC_READ_SEARCH",
		[3] = "CAP_FOWNER", [4] = "CAP_FSETID", [5] = "CAP_KILL", [6] = "CAP_SETGID",
		[7] = "CAP_SETUID", [8] = "CAP_SETPCAP", [10] = "CAP_NET_BIND_SERVICE",
		[12] = "CAP_NET_ADMIN", [13] = "CAP_NET_RAW", [19] = "CAP_SYS_PTRACE",
		[21] = "CAP_SYS_ADMIN", [24] = "CAP_SYS_RESOURCE", [38] = "CAP_PERFMON",
		[39] = "CAP_BPF",
	};

	return cap >= 0 && cap < (int)(sizeof(names) / sizeof(names[0])) ? names[cap] : NULL;
}
