// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * storm: a storm of refused TCP connects on loopback, for the benchmark.
 *
 *   storm [-6] [-t SECONDS] [-n MAX_CONNECTS] [-c POOL] [-d NDEST] [-p PORT] [-w WORKERS]
 *         [-r RATE]
 *
 * Reserves NDEST closed ports on 127.0.0.1 (or ::1): a socket bound to each
 * but never listening, so the port stays closed and no one else takes it
 * (or dials PORT, PORT+1, ... with -p).  Then WORKERS processes each do as
 * many NON-BLOCKING connects to them as they can (round robin), keeping at
 * most POOL in flight in an epoll set, until SECONDS have passed or
 * MAX_CONNECTS (all workers together) were started.  With -r, all workers
 * together start at most RATE connects per second (each paces its share).  Every socket's outcome
 * is read with SO_ERROR; ECONNREFUSED is counted per destination.  Prints
 * one line of key=value:
 *
 *   family=4 dests=127.0.0.1:40001,... attempts=N refused=N refused_per_dest=a,b
 *   other=N elapsed_s=S rate=CONNECTS_PER_S cpu_s=S workers=W pids=P1,P2
 *
 * Bounded: SECONDS (default 5, at most 600), MAX_CONNECTS (default 10M),
 * POOL (default 64, at most 1024), NDEST (default 1, at most 16), WORKERS
 * (default 1, at most 16).  Every worker is a child of this process and is
 * waited for; a worker that does not end by SECONDS + 10 is killed by PID.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEST 16
#define MAX_POOL 1024
#define MAX_WORKERS 16

struct counts {
	unsigned long long attempts, refused, other;
	unsigned long long refused_per[MAX_DEST];
	double elapsed;
	int done;
};

static struct sockaddr_storage dst[MAX_DEST];
static socklen_t dlen;
static int family = AF_INET, ndest = 1, pool = 64;
static long seconds = 5, max = 10000000, rate;
static int nworkers = 1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "storm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long arg_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi) {
		fprintf(stderr, "storm: %s must be %ld..%ld\n", what, lo, hi);
		exit(2);
	}
	return v;
}

/* one worker's loop; its share of MAX is max_here */
static void work(struct counts *c, unsigned long long max_here, int first_dest)
{
	static int dest_of_fd[65536];
	struct epoll_event evs[MAX_POOL];
	int ep, inflight = 0, next = first_dest % ndest;
	double t0, deadline;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	t0 = now_s();
	deadline = t0 + seconds;
	for (;;) {
		double now = now_s();
		bool stop = c->attempts >= max_here || now >= deadline;
		/* -r: this worker's share of RATE, as a budget since t0 */
		unsigned long long budget = rate ? (unsigned long long)((now - t0) * rate / nworkers) + 1
						 : max_here;
		int n;

		/* fill the pool */
		while (!stop && inflight < pool && c->attempts < max_here && c->attempts < budget) {
			int d = next, s;
			struct epoll_event ev = { .events = EPOLLOUT };

			next = (next + 1) % ndest;
			s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (s < 0)
				die("socket");
			if (s >= 65536) {
				fprintf(stderr, "storm: descriptor %d out of range\n", s);
				exit(1);
			}
			c->attempts++;
			if (connect(s, (struct sockaddr *)&dst[d], dlen) == 0) {
				c->other++;	/* connected: something listens there */
				close(s);
				continue;
			}
			if (errno == ECONNREFUSED) {
				c->refused++;
				c->refused_per[d]++;
				close(s);
				continue;
			}
			if (errno != EINPROGRESS) {
				c->other++;	/* e.g. EADDRNOTAVAIL: no free local port */
				close(s);
				continue;
			}
			ev.data.fd = s;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev))
				die("epoll_ctl");
			dest_of_fd[s] = d;
			inflight++;
		}
		if (stop && !inflight)
			break;
		n = epoll_wait(ep, evs, MAX_POOL, rate ? 1 : 100);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			int s = evs[i].data.fd, err = 0;
			socklen_t el = sizeof(err);

			if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el))
				err = errno;
			if (err == ECONNREFUSED) {
				c->refused++;
				c->refused_per[dest_of_fd[s]]++;
			} else {
				c->other++;
			}
			close(s);	/* leaves the epoll set */
			inflight--;
		}
		/* a connect that never completes ends with the run, bounded */
		if (stop && n == 0 && now_s() > deadline + 5) {
			c->other += inflight;
			break;
		}
	}
	c->elapsed = now_s() - t0;
	c->done = 1;
}

int main(int argc, char **argv)
{
	int opt, first_port = 0, workers = 1;
	pid_t pids[MAX_WORKERS];
	bool reaped[MAX_WORKERS] = { false };
	struct counts *cs, tot = { 0 };
	struct rusage ru;
	double t0;

	while ((opt = getopt(argc, argv, "6t:n:c:d:p:w:r:")) != -1) {
		switch (opt) {
		case '6': family = AF_INET6; break;
		case 't': seconds = arg_long(optarg, 1, 600, "-t SECONDS"); break;
		case 'n': max = arg_long(optarg, 1, 1000000000, "-n MAX"); break;
		case 'c': pool = arg_long(optarg, 1, MAX_POOL, "-c POOL"); break;
		case 'd': ndest = arg_long(optarg, 1, MAX_DEST, "-d NDEST"); break;
		case 'p': first_port = arg_long(optarg, 1, 65535 - MAX_DEST, "-p PORT"); break;
		case 'w': workers = arg_long(optarg, 1, MAX_WORKERS, "-w WORKERS"); break;
		case 'r': rate = arg_long(optarg, 1, 10000000, "-r RATE"); break;
		default:
			fprintf(stderr, "usage: storm [-6] [-t SECONDS] [-n MAX] [-c POOL] "
				"[-d NDEST] [-p PORT] [-w WORKERS] [-r RATE]\n");
			return 2;
		}
	}

	/* closed destinations: bound, never listening (kept open to the end) */
	for (int i = 0; i < ndest; i++) {
		struct sockaddr_storage *ss = &dst[i];

		memset(ss, 0, sizeof(*ss));
		if (family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)ss;

			a->sin_family = AF_INET;
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			a->sin_port = htons(first_port ? first_port + i : 0);
			dlen = sizeof(*a);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

			a->sin6_family = AF_INET6;
			a->sin6_addr = in6addr_loopback;
			a->sin6_port = htons(first_port ? first_port + i : 0);
			dlen = sizeof(*a);
		}
		if (!first_port) {
			int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (s < 0 || bind(s, (struct sockaddr *)ss, dlen) ||
			    getsockname(s, (struct sockaddr *)ss, &dlen))
				die("reserving a closed port");
		}
	}

	nworkers = workers;
	cs = mmap(NULL, sizeof(*cs) * workers, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (cs == MAP_FAILED)
		die("mmap");
	memset(cs, 0, sizeof(*cs) * workers);
	fflush(stdout);
	t0 = now_s();
	for (int w = 0; w < workers; w++) {
		unsigned long long share = max / workers + (w < max % workers);

		pids[w] = fork();
		if (pids[w] < 0)
			die("fork");
		if (pids[w] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* ends with storm */
			work(&cs[w], share, w);
			_exit(0);
		}
	}
	/* wait for every worker; bounded: a worker that overstays is killed by
	 * its PID, which is still ours (not reaped yet) */
	for (int left = workers; left > 0;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (int w = 0; w < workers; w++)
				if (pids[w] == p)
					reaped[w] = true;
			left--;
			continue;
		}
		if (p < 0 && errno != EINTR)
			break;
		if (now_s() > t0 + seconds + 10)
			for (int w = 0; w < workers; w++)
				if (!reaped[w])
					kill(pids[w], SIGKILL);
		usleep(2000);
	}
	getrusage(RUSAGE_CHILDREN, &ru);

	for (int w = 0; w < workers; w++) {
		if (!cs[w].done) {
			fprintf(stderr, "storm: worker %d did not finish\n", (int)pids[w]);
			return 1;
		}
		tot.attempts += cs[w].attempts;
		tot.refused += cs[w].refused;
		tot.other += cs[w].other;
		for (int i = 0; i < ndest; i++)
			tot.refused_per[i] += cs[w].refused_per[i];
		if (cs[w].elapsed > tot.elapsed)
			tot.elapsed = cs[w].elapsed;
	}

	printf("family=%d dests=", family == AF_INET ? 4 : 6);
	for (int i = 0; i < ndest; i++) {
		char a[INET6_ADDRSTRLEN];

		if (family == AF_INET) {
			struct sockaddr_in *x = (struct sockaddr_in *)&dst[i];

			inet_ntop(AF_INET, &x->sin_addr, a, sizeof(a));
			printf("%s%s:%u", i ? "," : "", a, ntohs(x->sin_port));
		} else {
			struct sockaddr_in6 *x = (struct sockaddr_in6 *)&dst[i];

			inet_ntop(AF_INET6, &x->sin6_addr, a, sizeof(a));
			printf("%s[%s]:%u", i ? "," : "", a, ntohs(x->sin6_port));
		}
	}
	printf(" attempts=%llu refused=%llu refused_per_dest=", tot.attempts, tot.refused);
	for (int i = 0; i < ndest; i++)
		printf("%s%llu", i ? "," : "", tot.refused_per[i]);
	printf(" other=%llu elapsed_s=%.6f rate=%.1f cpu_s=%.3f workers=%d pids=", tot.other,
	       tot.elapsed, tot.attempts / tot.elapsed,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		       ru.ru_stime.tv_usec / 1e6,
	       workers);
	for (int w = 0; w < workers; w++)
		printf("%s%d", w ? "," : "", (int)pids[w]);
	printf("\n");
	return 0;
}
