// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The model's growth: what an explanation and a listener change cost with
 * 100 / 10,000 / 100,000 listeners and 10 / 1,000 containers in the model.
 * Pure: the model is fed synthetic events (as the pipeline feeds it) and
 * the explainer is timed on it; no root, no BPF.
 *
 *   growth [--quick] [LISTENERS...]
 *
 * Prints a Markdown table on stdout and "R growth.<key> <value>" lines on
 * stderr for run.sh, with growth.worst_ratio: the largest cost at the top
 * size ÷ the cost at the first size, same cause and containers (flat is 1;
 * logarithmic from 100 to 100,000 is log 100000 / log 100 = 2.5).
 * Each container is a network namespace with its own cgroup (a KW_EV_CGROUP
 * record naming it); listeners are spread over the containers, one port
 * each from 10000 up, on 0.0.0.0 or [::] in turn.
 * Costs are medians of 9 batches (each of at least 2 ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/explain.h"
#include "core/model.h"

#define NS0 0xf0000000u

static struct kw_model m;		/* big: static, zeroed */
static struct kw_explanation ex;
static uint64_t ts = 1000000000ULL;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static struct kw_addr addr4(uint32_t ip, uint16_t port)
{
	struct kw_addr a = { .family = 2, .port = port };

	memcpy(a.addr, &ip, 4);
	return a;
}

static void listen_at(uint32_t netns, struct kw_addr a, uint32_t pid, uint64_t cg, bool close)
{
	struct kw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = close ? KW_EV_LISTEN_CLOSE : KW_EV_LISTEN;
	ev.hdr.size = kw_event_size(ev.hdr.type);
	ev.hdr.ts_boot_ns = ts++;
	ev.hdr.netns_ino = netns;
	ev.hdr.netns_cookie = netns;
	ev.hdr.flags = KW_F_NETNS | KW_F_TASK | KW_F_CGROUP | (close ? KW_F_OWNER : 0);
	ev.hdr.task.pid = ev.hdr.task.tgid = pid;
	ev.hdr.task.netns_ino = netns;
	ev.hdr.task.cgroup_id = cg;
	strcpy(ev.hdr.task.comm, "server");
	ev.hdr.cgroup_id = cg;
	ev.listen.local = a;
	if (close) {
		ev.listen.owner_known = 1;
		ev.listen.how = KW_CLOSE_CALL;
		ev.listen.closer = ev.hdr.task;
	}
	kw_model_apply(&m, &ev, ts);
}

static void container(uint32_t i)
{
	struct kw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = KW_EV_CGROUP;
	ev.hdr.size = kw_event_size(ev.hdr.type);
	ev.hdr.ts_boot_ns = ts++;
	ev.cgroup.cgroup_id = 100000 + i;
	ev.cgroup.runtime = KW_RT_DOCKER;
	ev.cgroup.resolved = 1;
	snprintf(ev.cgroup.path, sizeof(ev.cgroup.path), "/system.slice/docker-%064u.scope", i);
	snprintf(ev.cgroup.container_id, sizeof(ev.cgroup.container_id), "%064u", i);
	snprintf(ev.cgroup.name, sizeof(ev.cgroup.name), "app-%u", i);
	kw_model_apply(&m, &ev, ts);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median ns per call of fn over 9 batches */
static double time_it(void (*fn)(void *), void *arg)
{
	double per[9];
	int n = 1;

	for (;;) {			/* a batch of at least 2 ms */
		double t0 = now_ns();

		for (int i = 0; i < n; i++)
			fn(arg);
		if (now_ns() - t0 >= 2e6 || n >= (1 << 24))
			break;
		n *= 2;
	}
	for (int b = 0; b < 9; b++) {
		double t0 = now_ns();

		for (int i = 0; i < n; i++)
			fn(arg);
		per[b] = (now_ns() - t0) / n;
	}
	qsort(per, 9, sizeof(per[0]), cmp_double);
	return per[4];
}

struct refusal {
	uint32_t netns;
	struct kw_addr dest;
	uint8_t want;		/* the cause it must find */
};

static void explain(void *arg)
{
	const struct refusal *r = arg;

	memset(&ex, 0, sizeof(ex));
	kw_explain_refusal(&m, &ex, r->netns, r->netns, &r->dest, ts);
}

static uint32_t churn_i;
static uint32_t g_containers;

/* a listener comes and goes in the last container */
static void churn(void *arg)
{
	uint32_t netns = NS0 + g_containers - 1;
	struct kw_addr a = addr4(0, (uint16_t)(2000 + churn_i++ % 1000));

	(void)arg;
	listen_at(netns, a, 77, 100000 + g_containers - 1, false);
	listen_at(netns, a, 77, 100000 + g_containers - 1, true);
}

static const char *const cause_keys[] = { "no_listener", "wrong_port", "wrong_address",
					  "wrong_netns", "listener_exited" };

static int run(uint32_t listeners, uint32_t containers, double out[6])
{
	struct kw_model_cfg cfg = { 0 };
	uint32_t per = (listeners + containers - 1) / containers;
	struct refusal r[5];
	uint32_t last = NS0 + containers - 1;

	kw_model_init(&m, &cfg);
	g_containers = containers;
	for (uint32_t c = 0; c < containers; c++)
		container(c);
	for (uint32_t i = 0; i < listeners; i++) {
		uint32_t c = i / per;
		uint16_t port = (uint16_t)(10000 + i % per);

		if (i % 2)
			listen_at(NS0 + c, addr4(0, port), 1000 + i, 100000 + c, false);
		else {
			struct kw_addr a6 = { .family = 10, .port = port };

			listen_at(NS0 + c, a6, 1000 + i, 100000 + c, false);
		}
	}
	if (m.nr_listeners != listeners) {
		fprintf(stderr, "growth: the model holds %u of %u listeners\n", m.nr_listeners,
			listeners);
		return -1;
	}
	/* in the last container: a port nothing listens on anywhere; one
	 * next to a listener; a listener's port on another address; a port
	 * listened on only in the first container; a listener just closed */
	r[0] = (struct refusal){ last, addr4(0x0100007f, 60999), KW_CAUSE_NO_LISTENER };
	r[1] = (struct refusal){ last, addr4(0x0100007f, 2999), KW_CAUSE_WRONG_PORT };
	r[2] = (struct refusal){ last, addr4(0x0200007f, 3000), KW_CAUSE_WRONG_ADDRESS };
	r[3] = (struct refusal){ last, addr4(0x0100007f, 5000), KW_CAUSE_WRONG_NETNS };
	r[4] = (struct refusal){ last, addr4(0x0100007f, 3001), KW_CAUSE_LISTENER_EXITED };
	listen_at(last, addr4(0x0100007f, 3000), 9, 100000 + containers - 1, false);
	listen_at(last, addr4(0x0100007f, 3001), 9, 100000 + containers - 1, false);
	listen_at(last, addr4(0x0100007f, 3001), 9, 100000 + containers - 1, true);
	listen_at(NS0, addr4(0, 5000), 9, 100000, false);	/* the first container only */
	ts += 1000;
	for (int k = 0; k < 5; k++) {
		explain(&r[k]);
		if (ex.cause != r[k].want) {
			fprintf(stderr, "growth: %u listeners, %u containers: %s found cause %u\n",
				listeners, containers, cause_keys[k], ex.cause);
			return -1;
		}
		out[k] = time_it(explain, &r[k]);
	}
	out[5] = time_it(churn, NULL) / 2;
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t sizes[8] = { 100, 10000, 100000 }, nsizes = 3;
	const uint32_t containers[] = { 10, 1000 };
	int a = 1;

	if (a < argc && !strcmp(argv[a], "--quick")) {
		sizes[2] = 20000;	/* a smaller top for the smoke run */
		a++;
	}
	if (a < argc) {
		for (nsizes = 0; a < argc && nsizes < 8; a++)
			sizes[nsizes++] = (uint32_t)strtoul(argv[a], NULL, 10);
	}
	double first[2][6] = {}, worst = 0;

	printf("| listeners | containers | no_listener | wrong_port | wrong_address | wrong_netns | "
	       "listener_exited | listen or close |\n|---|---|---|---|---|---|---|---|\n");
	for (uint32_t s = 0; s < nsizes; s++) {
		for (uint32_t c = 0; c < 2; c++) {
			double out[6];

			if (run(sizes[s], containers[c], out))
				return 1;
			printf("| %u | %u |", sizes[s], containers[c]);
			for (int k = 0; k < 6; k++)
				printf(" %.0f ns |", out[k]);
			printf("\n");
			for (int k = 0; k < 6; k++) {
				fprintf(stderr, "R growth.%u.%u.%s %.0f\n", sizes[s], containers[c],
					k < 5 ? cause_keys[k] : "listen_event", out[k]);
				if (!s)
					first[c][k] = out[k];
				else if (s == nsizes - 1 && out[k] / first[c][k] > worst)
					worst = out[k] / first[c][k];
			}
		}
	}
	fprintf(stderr, "R growth.top %u\nR growth.worst_ratio %.2f\n", sizes[nsizes - 1], worst);
	return 0;
}
