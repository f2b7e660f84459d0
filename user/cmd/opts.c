// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/opts.h"

void kw_opts_default(struct kw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cmd = KW_CMD_WATCH;
	o->agg_window_ns = KW_DEFAULT_AGG_WINDOW_NS;
	o->stats_interval_ns = 5ULL * 1000000000ULL;
	o->ring_rare_kb = 256;
	o->ring_bulk_kb = 512;
	o->max_files = 4;
}

/* "64M", "1G", "500000": bytes */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end || v < 4096)
		return -1;
	*out = v;
	return 0;
}

void kw_usage(FILE *f)
{
	fputs("usage: kwhy [watch] [options]   trace the host, print events and why\n"
	      "       kwhy record -o FILE [options]   the same, into a trace file only\n"
	      "       kwhy replay FILE [--json] [--container ..] [--pid ..] [--port ..]\n"
	      "       kwhy export FILE --format jsonl|otlp|perfetto [-o OUT]\n"
	      "       kwhy info FILE [--json]\n"
	      "       kwhy doctor [--json]     what this kernel offers and what kwhy will use\n"
	      "       kwhy --help | --version\n"
	      "\n"
	      "watch options:\n"
	      "  --json                  one JSON object per line (docs/json-schema.md)\n"
	      "  --stats                 print event and loss counters every 5 s\n"
	      "  --aggregate-window SEC  fold repeats of the same refusal/reset seen within\n"
	      "                          SEC seconds into counts (default 5; 0 = off)\n"
	      "  --no-aggregate          same as --aggregate-window 0\n"
	      "  --duration SEC          stop after SEC seconds\n"
	      "  --ring-kb RARE,BULK     ring buffer sizes in KiB, powers of two >= 4\n"
	      "                          (default 256,512)\n"
	      "  --container TARGET      only this container's story: a name, an id or id\n"
	      "                          prefix, a pid in it, or a cgroup path\n"
	      "  --pid PID               only this process (and resets in its namespace)\n"
	      "  --port PORT             only connections and listeners on this port\n"
	      "  --window SEC            how long exits, closes, bind failures and OOM kills\n"
	      "                          count as recent causes (default 120)\n"
	      "  --host-root DIR         where the host's / is (container metadata), when\n"
	      "                          kwhy runs in a container (default /)\n"
	      "  --record FILE           also write a trace (zlib, flushed every second)\n"
	      "  --max-size SIZE         rotate the trace at SIZE bytes (K, M, G suffixes)\n"
	      "  --max-files N           trace files kept when rotating (default 4)\n"
	      "  --utc                   text timestamps in UTC\n"
	      "  -v, --verbose           libbpf's debug output on stderr\n"
	      "\n"
	      "exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 not permitted (run as\n"
	      "root), 4 kernel lacks a required feature (BTF, BPF ring buffer)\n", f);
}

/* seconds as a decimal number, to ns; rejects junk, negatives, overflow */
static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*ns = (uint64_t)(v * 1e9);
	return 0;
}

static int parse_kb(const char *s, char **end, uint32_t *kb)
{
	unsigned long v;

	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || *end == s || v < 4 || v > 1024 * 1024 || (v & (v - 1)))
		return -1;
	*kb = v;
	return 0;
}

int kw_opts_parse(struct kw_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	const char *watch_only = NULL;	/* an option doctor does not take */
	int i = 1;

	kw_opts_default(o);
	if (i < argc && argv[i][0] != '-') {
		if (!strcmp(argv[i], "watch")) {
			o->cmd = KW_CMD_WATCH;
		} else if (!strcmp(argv[i], "doctor")) {
			o->cmd = KW_CMD_DOCTOR;
		} else if (!strcmp(argv[i], "help")) {
			o->cmd = KW_CMD_HELP;
		} else if (!strcmp(argv[i], "record")) {
			o->cmd = KW_CMD_RECORD;
		} else if (!strcmp(argv[i], "replay")) {
			o->cmd = KW_CMD_REPLAY;
		} else if (!strcmp(argv[i], "info")) {
			o->cmd = KW_CMD_INFO;
		} else if (!strcmp(argv[i], "export")) {
			o->cmd = KW_CMD_EXPORT;
		} else {
			snprintf(err, errlen, "unknown command '%s' (try: watch, record, replay, "
				 "export, info, doctor, --help)", argv[i]);
			return -1;
		}
		i++;
	}
	for (; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[32];
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);

		/* the trace file of replay, info and export */
		if (a[0] != '-' && (o->cmd == KW_CMD_REPLAY || o->cmd == KW_CMD_INFO ||
				    o->cmd == KW_CMD_EXPORT) && !o->file) {
			o->file = a;
			continue;
		}
		if (nlen >= sizeof(name))
			nlen = sizeof(name) - 1;
		memcpy(name, a, nlen);
		name[nlen] = '\0';
		if (eq)
			val = eq + 1;

#define NEED_VALUE()                                                                  \
	do {                                                                          \
		if (!val) {                                                           \
			if (i + 1 >= argc) {                                          \
				snprintf(err, errlen, "option %s needs a value", name); \
				return -1;                                            \
			}                                                             \
			val = argv[++i];                                              \
		}                                                                     \
	} while (0)

#define NO_VALUE()                                                                    \
	do {                                                                          \
		if (val) {                                                            \
			snprintf(err, errlen, "option %s takes no value", name);        \
			return -1;                                                    \
		}                                                                     \
	} while (0)

		/* every option but these configures watch (and replay) */
		if (strcmp(name, "--json") && strcmp(name, "-h") && strcmp(name, "--help") &&
		    strcmp(name, "-V") && strcmp(name, "--version") && strcmp(name, "-o") &&
		    strcmp(name, "--format"))
			watch_only = name;

		if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
			NO_VALUE();
			o->cmd = KW_CMD_HELP;
		} else if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
			NO_VALUE();
			o->cmd = KW_CMD_VERSION;
		} else if (!strcmp(name, "--json")) {
			NO_VALUE();
			o->json = true;
		} else if (!strcmp(name, "--stats")) {
			NO_VALUE();
			o->stats = true;
		} else if (!strcmp(name, "-v") || !strcmp(name, "--verbose")) {
			NO_VALUE();
			o->verbose = true;
		} else if (!strcmp(name, "--utc")) {
			NO_VALUE();
			o->utc = true;
		} else if (!strcmp(name, "--no-aggregate")) {
			NO_VALUE();
			o->agg_window_ns = 0;
		} else if (!strcmp(name, "--aggregate-window")) {
			NEED_VALUE();
			if (parse_seconds(val, &o->agg_window_ns)) {
				snprintf(err, errlen, "--aggregate-window: '%s' is not a number of "
					 "seconds >= 0", val);
				return -1;
			}
		} else if (!strcmp(name, "--duration")) {
			NEED_VALUE();
			if (parse_seconds(val, &o->duration_ns) || !o->duration_ns) {
				snprintf(err, errlen, "--duration: '%s' is not a number of seconds > 0",
					 val);
				return -1;
			}
		} else if (!strcmp(name, "--window")) {
			NEED_VALUE();
			if (parse_seconds(val, &o->window_ns) || !o->window_ns) {
				snprintf(err, errlen, "--window: '%s' is not a number of seconds > 0",
					 val);
				return -1;
			}
		} else if (!strcmp(name, "--container")) {
			NEED_VALUE();
			if (!*val) {
				snprintf(err, errlen, "--container needs a name, id, pid or cgroup path");
				return -1;
			}
			o->container = val;
		} else if (!strcmp(name, "--host-root")) {
			NEED_VALUE();
			o->host_root = val;
		} else if (!strcmp(name, "--pid") || !strcmp(name, "--port")) {
			unsigned long v;
			char *end;
			bool pid = !strcmp(name, "--pid");

			NEED_VALUE();
			errno = 0;
			v = strtoul(val, &end, 10);
			if (errno || end == val || *end || !v || v > (pid ? 4194304UL : 65535UL)) {
				snprintf(err, errlen, "%s: '%s' is not a %s", name, val,
					 pid ? "process id" : "port number (1-65535)");
				return -1;
			}
			if (pid)
				o->pid = v;
			else
				o->port = v;
		} else if (!strcmp(name, "--record") || !strcmp(name, "-o")) {
			NEED_VALUE();
			if (!strcmp(name, "-o") && o->cmd == KW_CMD_EXPORT)
				o->out = val;
			else
				o->record = val;
		} else if (!strcmp(name, "--format")) {
			NEED_VALUE();
			if (strcmp(val, "jsonl") && strcmp(val, "otlp") && strcmp(val, "perfetto")) {
				snprintf(err, errlen, "--format: '%s' is not jsonl, otlp or perfetto",
					 val);
				return -1;
			}
			o->format = val;
		} else if (!strcmp(name, "--max-size")) {
			NEED_VALUE();
			if (parse_size(val, &o->max_size)) {
				snprintf(err, errlen, "--max-size: '%s' is not a size of at least 4096 "
					 "bytes (K, M, G suffixes)", val);
				return -1;
			}
		} else if (!strcmp(name, "--max-files")) {
			unsigned long v;
			char *end;

			NEED_VALUE();
			errno = 0;
			v = strtoul(val, &end, 10);
			if (errno || end == val || *end || v < 1 || v > 1000) {
				snprintf(err, errlen, "--max-files: '%s' is not a number from 1 to 1000",
					 val);
				return -1;
			}
			o->max_files = v;
		} else if (!strcmp(name, "--ring-kb")) {
			char *end;

			NEED_VALUE();
			if (parse_kb(val, &end, &o->ring_rare_kb) || *end != ',' ||
			    parse_kb(end + 1, &end, &o->ring_bulk_kb) || *end) {
				snprintf(err, errlen, "--ring-kb: '%s' is not RARE,BULK in KiB, powers "
					 "of two between 4 and 1048576", val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown option '%s' (see kwhy --help)", a);
			return -1;
		}
#undef NEED_VALUE
#undef NO_VALUE
	}
	if ((o->cmd == KW_CMD_DOCTOR || o->cmd == KW_CMD_INFO) && watch_only) {
		snprintf(err, errlen, "%s takes only --json, not %s",
			 o->cmd == KW_CMD_DOCTOR ? "doctor" : "info", watch_only);
		return -1;
	}
	if ((o->cmd == KW_CMD_REPLAY || o->cmd == KW_CMD_INFO || o->cmd == KW_CMD_EXPORT) &&
	    !o->file) {
		snprintf(err, errlen, "which trace file? (kwhy %s FILE)",
			 o->cmd == KW_CMD_REPLAY ? "replay" : o->cmd == KW_CMD_INFO ? "info" :
			 "export");
		return -1;
	}
	if (o->cmd == KW_CMD_EXPORT && !o->format) {
		snprintf(err, errlen, "export needs --format jsonl, otlp or perfetto");
		return -1;
	}
	if (o->cmd == KW_CMD_RECORD && !o->record) {
		snprintf(err, errlen, "record needs -o FILE");
		return -1;
	}
	return 0;
}
