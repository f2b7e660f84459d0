// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one definition of the load-time configuration (see kwhy.bpf.h). */
#include "kwhy.bpf.h"

const volatile __u64 kw_agg_window_ns = 0;
const volatile __u32 kw_page_size = 4096;
const volatile __u8 kw_filter_on = 0;
const volatile __u16 kw_filter_port = 0;
const volatile __u8 kw_netns_by_cookie = 0;
const volatile __u64 kw_tick_ns = 4000000;	/* HZ=250 until the loader says */
const volatile __u32 kw_rare_wake_bytes = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";
