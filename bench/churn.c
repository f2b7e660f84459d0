// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * churn: listeners and short-lived processes at a high rate, for the
 * benchmark.  Its comm is "kwbchurn" (inherited by its children), so the
 * records kwhy writes about it can be told from the rest of the host's.
 *
 *   churn -m listen     [-t SECONDS] [-n MAX] [-r RATE]   socket, bind 127.0.0.1:0, listen, close
 *   churn -m fork       [-t SECONDS] [-n MAX]   fork; the child _exit()s; waitpid
 *   churn -m connect    [-t SECONDS] [-n MAX]   connect to its own listener on
 *                                              127.0.0.1, accept, close both (the
 *                                              success path: nothing to explain)
 *   churn -m forklisten [-t SECONDS] [-n MAX]   fork; the child opens a listener on
 *                                              127.0.0.1:0 and _exit()s holding it
 *
 * Prints one line: mode=M ops=N binds=N listens=N forks=N elapsed_s=S
 * rate=OPS_PER_S pid=PID comm=kwbchurn.  What kwhy should report for it:
 *   listen:     N bind, N listen, N listen_close (how "closed") owned by PID
 *   fork:       N exits, each only counted (stats.filtered.process_exit)
 *   forklisten: N bind, N listen, N listen_close (owner_exited), N process_exit
 *               (held_listener), by processes named kwbchurn
 * -r paces the operations to at most RATE a second (default: as fast as it can).
 * Bounded: SECONDS (default 3, at most 600), MAX (default 10M).  Only its
 * own children are waited for.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long arg_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi) {
		fprintf(stderr, "churn: %s must be %ld..%ld\n", what, lo, hi);
		exit(2);
	}
	return v;
}

static int usage(void)
{
	fprintf(stderr, "usage: churn -m listen|fork|forklisten|connect [-t SECONDS] [-n MAX] [-r RATE]\n");
	return 2;
}

/* bind 127.0.0.1:0 and listen; the socket, or -1 */
static int open_listener(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		close(s);
		return -1;
	}
	return s;
}

int main(int argc, char **argv)
{
	const char *mode = NULL;
	long seconds = 3, max = 10000000, rate = 0;
	unsigned long long ops = 0, binds = 0, listens = 0, forks = 0;
	struct sockaddr_in laddr;
	int lsock = -1;
	double t0, deadline, t1;
	int opt;

	while ((opt = getopt(argc, argv, "m:t:n:r:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 't': seconds = arg_long(optarg, 1, 600, "-t SECONDS"); break;
		case 'n': max = arg_long(optarg, 1, 1000000000, "-n MAX"); break;
		case 'r': rate = arg_long(optarg, 1, 10000000, "-r RATE"); break;
		default: return usage();
		}
	}
	if (optind != argc || !mode ||
	    (strcmp(mode, "listen") && strcmp(mode, "fork") && strcmp(mode, "forklisten") &&
	     strcmp(mode, "connect")))
		return usage();
	prctl(PR_SET_NAME, "kwbchurn", 0, 0, 0);
	if (!strcmp(mode, "connect")) {
		lsock = open_listener();
		if (lsock < 0 || getsockname(lsock, (struct sockaddr *)&laddr, &(socklen_t){ sizeof(laddr) }))
			die("listener");
	}

	t0 = now_s();
	deadline = t0 + seconds;
	while (ops < (unsigned long long)max && ((!rate && (ops & 63)) || now_s() < deadline)) {
		if (lsock >= 0) {	/* connect, accept, close both */
			int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

			if (c < 0 || connect(c, (struct sockaddr *)&laddr, sizeof(laddr)))
				die("connect");
			a = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (a < 0)
				die("accept");
			/* the server side closes first: the TIME_WAIT it leaves
			 * is on the listener's port, not on an ephemeral port
			 * that other programs' bind() would then find taken */
			close(a);
			close(c);
			ops++;
			continue;
		}
		if (rate && ops >= (unsigned long long)((now_s() - t0) * rate) + 1) {
			usleep(200);	/* ahead of the pace */
			continue;
		}
		if (!strcmp(mode, "listen")) {
			int s = open_listener();

			if (s < 0)
				die("listener");
			binds++;
			listens++;
			close(s);
		} else {
			int st;
			pid_t p = fork();

			if (p < 0)
				die("fork");
			if (p == 0) {
				if (mode[4] == 'l' && open_listener() < 0)
					_exit(3);
				_exit(0);	/* the listener, if any, is closed by the exit */
			}
			if (waitpid(p, &st, 0) != p)
				die("waitpid");
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "churn: child %d failed (status %#x)\n", (int)p, st);
				return 1;
			}
			forks++;
			if (mode[4] == 'l') {
				binds++;
				listens++;
			}
		}
		ops++;
	}
	t1 = now_s();
	printf("mode=%s ops=%llu binds=%llu listens=%llu forks=%llu elapsed_s=%.6f rate=%.1f "
	       "pid=%d comm=kwbchurn\n", mode, ops, binds, listens, forks, t1 - t0,
	       ops / (t1 - t0), (int)getpid());
	return 0;
}
