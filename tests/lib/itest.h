/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The machinery of the integration test drivers (kwhy-itest, kwhy-xtest):
 * kwhy as a child whose JSON lines are parsed into a bounded ring, waits
 * for records that match conditions (bounded in time), forked children
 * that listen, connect, bind, pause or eat memory (optionally inside a
 * cgroup and a network namespace), network namespaces behind veth pairs
 * made with `ip` (iproute2 or busybox), cgroups on hybrid v1 and pure v2
 * hosts, cleanup of all of it, and TAP-like reporting that ends with
 * "P passed, F failed".
 *
 * Nothing here runs by itself: a driver calls it_init() first.  Every wait
 * is bounded in time and every loop in count; processes are killed only by
 * the PIDs of children this program forked.
 */
#ifndef KWHY_ITEST_H
#define KWHY_ITEST_H

#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "util/jsonq.h"

#define IT_ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define IT_READY_MS	30000	/* kwhy loads and attaches */
#define IT_EXPECT_MS	10000	/* a record to show up */
#define IT_GRACE_MS	2000	/* ... once a record with the right identity differs */
#define IT_CHILD_MS	10000	/* a child reports or exits */
#define IT_OOM_CHILD_MS	60000	/* an OOM victim is killed */
#define IT_STOP_MS	15000	/* kwhy exits after SIGINT */
#define IT_CMD_MS	10000	/* an `ip` command */

#define IT_MAX_RECS	8192	/* records kept; older ones are dropped */
#define IT_MAX_CHILDREN	128
#define IT_MAX_CGROUPS	32
#define IT_MAX_VETHS	8
#define IT_MIB		(1024LL * 1024LL)
#define IT_OOM_LIMIT	(64 * IT_MIB)

/* ---- state ---- */

extern const char *it_prog;		/* the driver's name, for messages */
extern bool it_verbose;
extern pid_t it_self;			/* the driver's pid */
extern unsigned long it_host_netns;	/* inode of the driver's network namespace */
extern volatile sig_atomic_t it_stop;	/* SIGINT/SIGTERM/SIGHUP arrived */
extern pid_t it_kwhy_pid;		/* the running kwhy, 0 when none */
extern bool it_kwhy_eof;		/* its stdout is closed */
extern uint64_t it_nrecs;		/* records received; also the next seq */
extern bool it_losses_expected;		/* it_kwhy_stop: a full ring is the test */

/* Signal handlers, pid, host namespace, PATH with the sbin directories. */
void it_init(const char *prog);

/* ---- reporting ---- */

void it_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void it_pass(const char *sc, const char *what);
void it_fail(const char *sc, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* snprintf for messages, where truncation is harmless */
void it_msgf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *it_status_text(int st);	/* "exited with code 3", static buffer */
/* "P passed, F failed" alone on a line; the exit status (1 if any failed) */
int it_summary(void);

/* ---- kwhy's records ---- */

/* record seq (0 .. it_nrecs-1), NULL when dropped from the ring */
const struct jq_val *it_rec(uint64_t seq);
const char *it_rec_text(uint64_t seq);
/* the oldest seq still held */
uint64_t it_oldest(void);
/* Wait up to ms for extra_fd (when >= 0) to become readable, reading
 * kwhy's output meanwhile; true when extra_fd is readable or hung up. */
bool it_pump(int extra_fd, int ms);
/* read kwhy's output for ms */
void it_drain(int ms);

/* ---- matching records ---- */

enum it_op { IT_STR, IT_STR2, IT_INT, IT_RANGE, IT_BOOL, IT_NULL, IT_SUFFIX, IT_HAS_INT,
	     IT_NONEMPTY };

struct it_cond {
	const char *path;
	enum it_op op;
	bool key;		/* identifies the record (type, pid, port) */
	const char *s, *s2;
	int64_t lo, hi;
};

#define K_STR(p, v)	 { .path = (p), .op = IT_STR, .key = true, .s = (v) }
#define K_INT(p, v)	 { .path = (p), .op = IT_INT, .key = true, .lo = (v) }
#define C_STR(p, v)	 { .path = (p), .op = IT_STR, .s = (v) }
#define C_STR2(p, a, b)	 { .path = (p), .op = IT_STR2, .s = (a), .s2 = (b) }
#define C_INT(p, v)	 { .path = (p), .op = IT_INT, .lo = (v) }
#define C_RANGE(p, a, b) { .path = (p), .op = IT_RANGE, .lo = (a), .hi = (b) }
#define C_BOOL(p, v)	 { .path = (p), .op = IT_BOOL, .lo = (v) }
#define C_NULL(p)	 { .path = (p), .op = IT_NULL }
#define C_SUFFIX(p, v)	 { .path = (p), .op = IT_SUFFIX, .s = (v) }
#define C_HAS(p, v)	 { .path = (p), .op = IT_HAS_INT, .lo = (v) }	/* array holds v */
#define C_NONEMPTY(p)	 { .path = (p), .op = IT_NONEMPTY }		/* non-empty array */

bool it_cond_ok(const struct jq_val *rec, const struct it_cond *c);

/*
 * Wait up to timeout_ms for a record received since seq `since` that
 * satisfies every condition; c[0] must be the type.  One check line.
 * When it fails, the closest record is shown with what differs.  Returns
 * the record (valid until the ring wraps), NULL when none matched.
 */
const struct jq_val *it_expect(const char *sc, const char *what, uint64_t since,
			       int timeout_ms, const struct it_cond *c, int n);
/* Records since `since` (still held) satisfying every condition; the
 * first one's seq in *first when first is not NULL. */
int it_count(uint64_t since, const struct it_cond *c, int n, uint64_t *first);
/* One check: no record since `since` satisfies every condition. */
bool it_expect_none(const char *sc, const char *what, uint64_t since, const struct it_cond *c,
		    int n);

/* ---- kwhy itself ---- */

/* Start `path args...` (args NULL-terminated), stdout to the ring. */
bool it_kwhy_start(const char *path, const char *const *args);
/* Start path args... and wait for its ready record; since gets the first
 * record's seq.  False (after a failed check of sc, kwhy stopped) when it
 * did not start or become ready. */
bool it_kwhy_start_ready(const char *sc, const char *path, const char *const *args,
			 uint64_t *since);
/* a record's "id", -1 (which matches no event id) when it has none */
int64_t it_rec_id(const struct jq_val *rec);
/* CLOCK_MONOTONIC in ms */
int64_t it_now_ms(void);
/* The ready record (checks "ready", attached events, nothing unavailable,
 * under scenario name sc); false when it did not come. */
bool it_kwhy_ready(const char *sc, uint64_t since);
/* SIGINT to kwhy (its pid), then exit status 0 and the final stats. */
void it_kwhy_stop(const char *sc, uint64_t since);
/* the "every output line is JSON" check */
void it_check_lines(const char *sc);

/* Run path args... to completion within ms, stdout and stderr in bufs;
 * false when it could not run or did not finish (then killed by pid). */
bool it_run_capture(const char *path, const char *const *args, int ms, int *status, char *out,
		    size_t outlen, char *err, size_t errlen);

/* ---- children ---- */

/* What a child tells the driver.  stage != IT_ST_OK: setup failed there. */
enum it_stage { IT_ST_OK, IT_ST_SOCKET, IT_ST_BIND, IT_ST_NAME, IT_ST_LISTEN, IT_ST_POLL,
		IT_ST_UNSHARE, IT_ST_CGROUP, IT_ST_SETNS, IT_ST_OPT };

struct it_report {
	int stage;
	int err;		/* errno of the stage, or of the action */
	int port;		/* a local port */
	int err2;		/* a second errno (SO_ERROR) */
	int ifindex;
	int count;
	char name[IFNAMSIZ];	/* an interface */
};

struct it_child {
	pid_t pid;
	int rd;			/* reports from the child */
	int ctl;		/* closing it tells the child to finish */
	bool holder;		/* holds a network namespace */
	bool reaped;
	int status;
};

typedef int (*it_child_fn)(const void *arg, int wr, int ctl);

/* Fork a child running fn: first into the cgroup directory `cgroup`
 * (when not NULL), then into netns_of's network namespace (when not 0).
 * NULL with errno set on failure. */
struct it_child *it_spawn(it_child_fn fn, const void *arg, pid_t netns_of, const char *cgroup);
void it_report(int wr, int stage, int err, int port, int err2);
void it_child_close_fds(struct it_child *c);
/* Reap c within ms, reading kwhy meanwhile.  True when it has exited. */
bool it_child_wait(struct it_child *c, int ms);
/* SIGKILL our own child c (by its pid) and reap it. */
void it_child_kill(struct it_child *c);
/* Read the child's report within ms; false if it exited or said nothing. */
bool it_child_report(struct it_child *c, struct it_report *r, int ms);
const char *it_report_text(const struct it_report *r);
/* Tell c to finish (close its ctl pipe). */
void it_child_release(struct it_child *c);

/* ---- addresses ---- */

socklen_t it_mkaddr(struct sockaddr_storage *ss, int family, const char *ip, int port);
int it_sock_port(int s);
/* A TCP port nobody listens on: bind port 0, note it, close. */
int it_free_port(int family, const char *ip);

/* ---- child programs ---- */

struct it_conn_arg {
	int family;
	const char *ip;		/* where to connect */
	int port;
	bool nonblock;
	const char *bind_ip;	/* bind this address, port 0, first */
};

/* connect() to a closed port: reports its own port, connect's errno and,
 * non-blocking, SO_ERROR after poll(). */
int it_child_connect(const void *p, int wr, int ctl);

enum it_listen_mode {
	IT_L_WAIT_CTL,		/* until the driver closes ctl */
	IT_L_EXIT,		/* exit_group(code) with the listener open */
	IT_L_PAUSE,		/* until killed */
	IT_L_OOM,		/* touch memory 1 MiB at a time until killed */
};

struct it_listen_arg {
	int family;
	const char *ip;
	int port;		/* 0: any */
	enum it_listen_mode mode;
	int code;		/* IT_L_EXIT: the exit code */
	bool v6only;		/* IPV6_V6ONLY */
};

/* Listen on ip:port, report the port, then finish as the mode says. */
int it_child_listen(const void *p, int wr, int ctl);

struct it_bind_arg {
	int family;
	const char *ip;
	int port;
};

/* bind() only; reports its errno */
int it_child_bind(const void *p, int wr, int ctl);
/* reports, then pauses until killed */
int it_child_pause(const void *p, int wr, int ctl);
/* Holds a new network namespace until the driver closes ctl (or dies). */
int it_child_netns_holder(const void *p, int wr, int ctl);
/* Move into the cgroup directory p, then eat memory 1 MiB at a time. */
int it_child_oom(const void *p, int wr, int ctl);

/* ---- what clients saw: kwhy says no more failures than that ---- */

#define IT_SEEN_PORTS 64	/* failed connections named by their port */

/* A client's count of its own connections, sent whole through its report
 * pipe (it_report_seen, it_child_seen): how many it made, how many failed
 * as it saw them (a connect error, ECONNRESET/EPIPE or a timeout on its
 * read, SO_ERROR), the first errno, and the local ports of the first
 * IT_SEEN_PORTS that failed (0: not known). */
struct it_seen {
	int total;
	int failed;
	int first_err;
	int nports;
	int ports[IT_SEEN_PORTS];
};

/*
 * One short connection done the orderly way, by a client that checks what
 * it gets: a non-blocking connect (so its local port is known even when it
 * fails), then the server's close awaited (EOF), SO_ERROR, and its own
 * close.  Each wait at most ms.  0 when all went well, else the errno seen
 * (ETIMEDOUT: no answer within ms; EPROTO: data where EOF was due);
 * *lport: the local port, 0 when not known.
 */
int it_orderly_connect(int family, const char *ip, int port, int ms, int *lport);
/* note one connection's result in s */
void it_seen_note(struct it_seen *s, int err, int lport);
/* child side: send s; the driver: read it within ms (false: none came) */
void it_report_seen(int wr, const struct it_seen *s);
bool it_child_seen(struct it_child *c, struct it_seen *s, int ms);

/*
 * The checks that kwhy reported no more failures about the namespace netns
 * than its clients saw: the failure events of types[] there (a reset_sent
 * for a stray segment, no_socket, is no connection's) and the
 * explanations about it.  When the clients saw none: none at all.  When
 * they saw k: each event and explanation names (by its client port: an
 * endpoint's port that is not server_port) a connection the clients saw
 * fail, when all their ports are known; at most k connections named in
 * all; and at most 2k records naming none (a socket's error after its
 * close has port 0: one per side of a connection).
 */
void it_expect_no_more_than_seen(const char *sc, uint64_t since, uint64_t netns,
				 int server_port, const struct it_seen *seen,
				 const char *const *types, int ntypes);

/*
 * Does sock_diag answer dumps of family's sockets here (AF_INET: TCP,
 * through inet_diag and tcp_diag; AF_UNIX: unix_diag)?  Asked of the
 * kernel by the test itself, not by kwhy.  1 yes, 0 no (-ENOENT: the
 * module is not loaded), -errno when it could not ask.  0 too when
 * KWHY_TEST_NO_SOCK_DIAG=1, which makes kwhy behave so.
 */
int it_sock_diag_answers(int family);

/* ---- files ---- */

int it_write_file(const char *path, const char *s);	/* 0 or -errno */
int it_read_file(const char *path, char *buf, size_t len);
/* create path (mode 0644) with the text s; 0 or -errno */
int it_create_file(const char *path, const char *s);
/* mkdir -p, 0755; 0 or -errno */
int it_mkdirs(const char *path);
/* remove a directory tree this program made (bounded depth); 0 or -errno */
int it_rm_tree(const char *path);
unsigned long it_ino_of(const char *path);
unsigned long it_netns_ino_of(pid_t pid);
bool it_has_token(const char *list, const char *sep, const char *word);
/* n random lowercase hex digits (n <= 128) and a NUL, as container ids are */
void it_random_hex(char *out, int n);

/* ---- ip(8) ---- */

bool it_run_ip(pid_t netns_of, char *msg, size_t msglen, const char *const *args);
#define IT_IP(ns, msg, ...) \
	it_run_ip((ns), (msg), sizeof(msg), (const char *const[]){ __VA_ARGS__, NULL })

/* ---- network namespaces ---- */

struct it_netns {
	struct it_child *holder;
	unsigned long ino;
	bool veth;		/* with a veth pair to the host */
	int subnet;		/* 10.213.subnet.0/30 */
	char host_if[IFNAMSIZ];	/* the host end */
	char peer[IFNAMSIZ];	/* the end in the namespace */
	char host_ip[32];	/* 10.213.N.1 */
	char ns_ip[32];		/* 10.213.N.2 */
};

/*
 * A new network namespace held by a child (in cgroup when not NULL) with
 * lo up and, with veth, a veth pair to the host: 10.213.N.1/30 on the host,
 * 10.213.N.2/30 inside.  On failure a check of sc ("setup") fails and the
 * result is false; cleanup removes what was made.
 */
bool it_netns_new(const char *sc, struct it_netns *ns, bool veth, const char *cgroup);

/* ---- cgroups ---- */

struct it_memcg {
	bool v1;
	char own[4096];		/* the driver's own memory cgroup directory */
};

/* The mount of a cgroup v1 hierarchy with the memory controller (v2:
 * false), or of cgroup2 (v2: true): its root and mount point. */
bool it_find_cgroup_mount(bool v2, char *root, char *point, size_t len);
/* The driver's cgroup in the v1 memory hierarchy (v2: the unified one). */
bool it_own_cgroup_path(bool v2, char *out, size_t len);
/* The mount point plus the cgroup's path below the mount's root. */
bool it_cgroup_dir(const char *root, const char *point, const char *cg, char *out, size_t len);
/* Where memory cgroups go: v1 memory hierarchy, else cgroup2 with memory. */
bool it_memcg_find(struct it_memcg *e, char *why, size_t wlen);
/* Enable the memory controller for dir's children (v2); 0 or -errno. */
int it_enable_memory(const char *dir);
/* mkdir dir (remembered for cleanup); with limit, a 64 MiB memory limit
 * and no swap (e describes the hierarchy; may be NULL without limit). */
bool it_make_cgroup(const struct it_memcg *e, const char *dir, bool limit, char *why,
		    size_t wlen);
/* Remove what an earlier run killed by SIGKILL left in dir: directories
 * named <prefix><pid>... of pids that no longer exist, with whatever
 * (empty) cgroups they hold. */
void it_remove_stale_cgroups(const char *dir, const char *prefix);

/* ---- cleanup ---- */

/* What exists at a point; it_cleanup_to removes what was made after it. */
struct it_mark {
	int kids, veths, cgroups;
};

struct it_mark it_mark_now(void);
/* Remove everything made since m: workers first, then veths, namespace
 * holders, cgroups; fails a check of sc for what could not be removed. */
void it_cleanup_to(const char *sc, struct it_mark m);
/* everything */
void it_cleanup(const char *sc);

/* One scenario of a driver: run(sc), sc being its name; tag is the
 * driver's own (kwhy-xtest: which kwhy it runs under). */
struct it_scenario {
	const char *name;
	void (*run)(const char *sc);
	int tag;
};

/*
 * The drivers' command line: --kwhy PATH [--only NAME] [-v] [-h], the
 * scenario name checked against tbl, and root checked.  The usage says
 * about (lines of its own, or "") and the scenarios' names.  Returns -1
 * to go on, else the exit code to end with (usage was shown).
 */
int it_args(int argc, char **argv, const char *prog, const char *about,
	    const struct it_scenario *tbl, int n, const char **kwhy, const char **only);
/* Is s to run, under --only only (NULL: all)? */
bool it_selected(const char *only, const struct it_scenario *s);
/*
 * Run the selected scenarios of tbl in order, each between it_mark_now
 * and it_cleanup_to.  When !ready (why_not says why) or after a signal,
 * each fails as not run: a scenario that cannot run fails, none is
 * skipped.
 */
void it_run_scenarios(const struct it_scenario *tbl, int n, const char *only, bool ready,
		      const char *why_not);
/* name in PATH or a usual bin/sbin directory: true, its path in out; else
 * false and out "" */
bool it_find_prog(const char *name, char *out, size_t len);
/* Remove a driver's work directory; a failed check of sc if it stays. */
void it_remove_dir(const char *sc, const char *dir);

/* An nginx config for a test server on port: one worker, its pid file,
 * error log and temporary files in dir, and http_body inside http {}.
 * Its path (dir/nginx-PORT.conf) in path; false (a failed check of sc)
 * when it cannot be written. */
bool it_nginx_conf(const char *sc, const char *dir, int port, const char *http_body, char *path,
		   size_t len);
/* GET / from 127.0.0.1:port: the status code, 0 when there was none */
int it_http_get(int port);

#endif
