// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmdtab.h"
#include "cmd/opts.h"
#include "net/http.h"

void kw_opts_default(struct kw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cmd = KW_CMD_WATCH;
	o->usage_of = KW_CMD_HELP;
	o->agg_window_ns = KW_DEFAULT_AGG_WINDOW_NS;
	o->stats_interval_ns = 5ULL * 1000000000ULL;
	/* Each ring is mapped twice (libbpf's wrap-around view), so 384 KiB
	 * of rings are 768 KiB of kwhy's RSS.  Measured (bench/PROFILE.md):
	 * no rare event lost at 1,000 listeners/s and 2,000 exits/s during a
	 * 50k/s storm, no event lost in a 4,000-port scan in 0.1 s. */
	o->ring_rare_kb = 128;
	o->ring_bulk_kb = 256;
	o->max_files = 4;
}

/* no trace file is allowed to be bigger: 1 TiB, so that SIZE * --max-files
 * (at most 1000) cannot overflow either */
#define KW_MAX_TRACE_SIZE (1ULL << 40)

/* "64M", "1G", "500000": bytes, from 4096 to KW_MAX_TRACE_SIZE */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	/* checked before the shift: 17179869185G would wrap to 1 GiB */
	if (*end || v > KW_MAX_TRACE_SIZE >> shift || v << shift < 4096)
		return -1;
	*out = v << shift;
	return 0;
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

/* --pid and --port: a decimal number from 1 to max */
static int parse_id(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' || !*out || *out > max ? -1 : 0;
}

/* KW_PARSE_ERROR, with the message in err */
static int __attribute__((format(printf, 3, 4)))
value_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return KW_PARSE_ERROR;
}

/* One option's value into o: KW_PARSE_OK, or KW_PARSE_ERROR with err. */
static int set_option(struct kw_opts *o, enum kw_cmd cmd, int opt, const char *val, char *err,
		      size_t errlen)
{
	char addr[64], *end;
	unsigned long v;
	uint16_t port;

	switch (opt) {
	case 'h':
		o->cmd = KW_CMD_HELP;
		break;
	case 'V':
		o->cmd = KW_CMD_VERSION;
		break;
	case 'v':
		o->verbose = true;
		break;
	case KW_OPT_JSON:
		o->json = true;
		break;
	case KW_OPT_STATS:
		o->stats = true;
		break;
	case KW_OPT_UTC:
		o->utc = true;
		break;
	case KW_OPT_NO_AGGREGATE:
		o->agg_window_ns = 0;
		break;
	case KW_OPT_AGGREGATE_WINDOW:
		if (parse_seconds(val, &o->agg_window_ns))
			return value_error(err, errlen, "--aggregate-window: '%s' is not a number "
					   "of seconds >= 0", val);
		break;
	case KW_OPT_DURATION:
		if (parse_seconds(val, &o->duration_ns) || !o->duration_ns)
			return value_error(err, errlen, "--duration: '%s' is not a number of "
					   "seconds > 0", val);
		break;
	case KW_OPT_WINDOW:
		if (parse_seconds(val, &o->window_ns) || !o->window_ns)
			return value_error(err, errlen, "--window: '%s' is not a number of seconds "
					   "> 0", val);
		break;
	case KW_OPT_CONTAINER:
		if (!*val)
			return value_error(err, errlen, "--container needs a name, id, pid or "
					   "cgroup path");
		o->container = val;
		break;
	case KW_OPT_HOST_ROOT:
		o->host_root = val;
		break;
	case KW_OPT_PID:
		if (parse_id(val, 4194304UL, &v))
			return value_error(err, errlen, "--pid: '%s' is not a process id", val);
		o->pid = v;
		break;
	case KW_OPT_PORT:
		if (parse_id(val, 65535UL, &v))
			return value_error(err, errlen, "--port: '%s' is not a port number "
					   "(1-65535)", val);
		o->port = v;
		break;
	case 'o':
		/* export's and report's output; record's trace */
		if (cmd == KW_CMD_EXPORT || cmd == KW_CMD_REPORT)
			o->out = val;
		else
			o->record = val;
		break;
	case KW_OPT_RECORD:
		o->record = val;
		break;
	case KW_OPT_FORCE:
		o->force = true;
		break;
	case KW_OPT_FORMAT:
		if (cmd == KW_CMD_REPORT) {
			if (strcmp(val, "md") && strcmp(val, "html"))
				return value_error(err, errlen, "--format: '%s' is not md or html",
						   val);
			o->format = val;
			break;
		}
		if (strcmp(val, "jsonl") && strcmp(val, "otlp") && strcmp(val, "perfetto"))
			return value_error(err, errlen, "--format: '%s' is not jsonl, otlp or "
					   "perfetto", val);
		o->format = val;
		break;
	case KW_OPT_MAX_SIZE:
		if (parse_size(val, &o->max_size))
			return value_error(err, errlen, "--max-size: '%s' is not a size from "
					   "4096 bytes to 1024G (K, M, G suffixes)", val);
		break;
	case KW_OPT_MAX_FILES:
		if (parse_id(val, 1000, &v))
			return value_error(err, errlen, "--max-files: '%s' is not a number from 1 "
					   "to 1000", val);
		o->max_files = v;
		break;
	case KW_OPT_METRICS:
		if (kw_http_parse_spec(val, addr, sizeof(addr), &port))
			return value_error(err, errlen, "--metrics: '%s' is not [ADDR:]PORT (an "
					   "IPv4 address or [IPv6], a port from 0 to 65535)", val);
		o->metrics = val;
		break;
	case KW_OPT_OTLP_ENDPOINT:
		if (strncmp(val, "http://", 7) && strncmp(val, "https://", 8))
			return value_error(err, errlen, "--otlp-endpoint: '%s' is not an http:// "
					   "or https:// URL", val);
		o->otlp_endpoint = val;
		break;
	case KW_OPT_KEEP_GOING:
		o->keep_going = true;
		break;
	case KW_OPT_NO_SANDBOX:
		o->no_sandbox = true;
		break;
	case KW_OPT_RING_KB:
		if (parse_kb(val, &end, &o->ring_rare_kb) || *end != ',' ||
		    parse_kb(end + 1, &end, &o->ring_bulk_kb) || *end)
			return value_error(err, errlen, "--ring-kb: '%s' is not RARE,BULK in KiB, "
					   "powers of two between 4 and 1048576", val);
		break;
	}
	return KW_PARSE_OK;
}

/* The option as typed, without its value: "--port" of "--port=80", "-x". */
static void typed_name(const char *arg, int optopt_ch, char *name, size_t len)
{
	if (!strncmp(arg, "--", 2))
		snprintf(name, len, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(name, len, "-%c", optopt_ch);
}

/* getopt_long said '?': a flag given a value, an option this command does
 * not take, or one no command takes */
static int bad_option(const struct kw_command *c, const char *arg, char *err, size_t errlen)
{
	char name[64];
	bool known;

	typed_name(arg, optopt, name, sizeof(name));
	if (name[1] == '-' && optopt && strchr(arg, '=')) {
		snprintf(err, errlen, "option %s takes no value", name);
		return KW_PARSE_USAGE;
	}
	known = name[1] == '-' ? kw_option_known_long(name + 2, strlen(name + 2)) :
				 kw_option_known_short(optopt);
	if (known)
		snprintf(err, errlen, "%s does not take %s", c->name, name);
	else
		snprintf(err, errlen, "unknown option '%s'", name);
	return KW_PARSE_USAGE;
}

/* FILE of replay, info and export; anything else is a mistake */
static int positional(struct kw_opts *o, const struct kw_command *c, const char *arg,
		      char *err, size_t errlen)
{
	if (c->takes_file && !o->file) {
		o->file = arg;
		return KW_PARSE_OK;
	}
	if (c->takes_file)
		snprintf(err, errlen, "%s reads one trace file, not also '%s'", c->name, arg);
	else
		snprintf(err, errlen, "%s takes no argument '%s'", c->name, arg);
	return KW_PARSE_USAGE;
}

/* what a command cannot do without, unless it is only asked for help */
static int check_needed(const struct kw_opts *o, const struct kw_command *c, char *err,
			size_t errlen)
{
	if (o->cmd == KW_CMD_HELP || o->cmd == KW_CMD_VERSION)
		return KW_PARSE_OK;
	if (c->takes_file && !o->file) {
		snprintf(err, errlen, "which trace file? (kwhy %s FILE)", c->name);
		return KW_PARSE_USAGE;
	}
	if (c->cmd == KW_CMD_EXPORT && !o->format) {
		snprintf(err, errlen, "export needs --format jsonl, otlp or perfetto");
		return KW_PARSE_USAGE;
	}
	if (c->cmd == KW_CMD_RECORD && !o->record) {
		snprintf(err, errlen, "record needs -o FILE");
		return KW_PARSE_USAGE;
	}
	if (c->cmd == KW_CMD_RECORD && o->keep_going) {
		snprintf(err, errlen, "record --keep-going: record does nothing but write the "
			 "trace (watch --record --keep-going watches on)");
		return KW_PARSE_USAGE;
	}
	return KW_PARSE_OK;
}

/* argv[0] is the command's name (or kwhy's, when none was given) */
static int parse_command(struct kw_opts *o, const struct kw_command *c, int argc, char **argv,
			 char *err, size_t errlen)
{
	int ret = KW_PARSE_OK;

	/* getopt keeps its place in globals: start over, and say nothing */
	optind = 0;
	opterr = 0;
	while (ret == KW_PARSE_OK) {
		int at = optind ? optind : 1, li = -1;
		int opt = getopt_long(argc, argv, c->shortopts, c->longopts, &li);
		char name[64];

		if (opt == -1)
			break;
		switch (opt) {
		case 1:
			ret = positional(o, c, optarg, err, errlen);
			break;
		case ':':
			typed_name(argv[at], optopt, name, sizeof(name));
			snprintf(err, errlen, "option %s needs a value", name);
			ret = KW_PARSE_USAGE;
			break;
		case '?':
			ret = bad_option(c, argv[at], err, errlen);
			break;
		default:
			/* getopt_long takes "--js" for --json: the full name only,
			 * so no later option can make an old command line ambiguous */
			typed_name(argv[at], opt, name, sizeof(name));
			if (li >= 0 && strcmp(name + 2, c->longopts[li].name)) {
				snprintf(err, errlen, "unknown option '%s'", name);
				ret = KW_PARSE_USAGE;
				break;
			}
			ret = set_option(o, c->cmd, opt, optarg, err, errlen);
			break;
		}
	}
	/* after "--", getopt stops: what is left is FILE */
	for (; ret == KW_PARSE_OK && optind > 0 && optind < argc; optind++)
		ret = positional(o, c, argv[optind], err, errlen);
	return ret ?: check_needed(o, c, err, errlen);
}

int kw_opts_parse(struct kw_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	const struct kw_command *c = kw_command_of(KW_CMD_WATCH);

	kw_opts_default(o);
	/* a command is only recognised first; none is watch */
	if (argc > 1 && argv[1][0] != '-') {
		c = kw_command_by_name(argv[1]);
		if (!c) {
			snprintf(err, errlen, "unknown command '%s' (try: watch, record, replay, "
				 "export, report, info, doctor, --help)", argv[1]);
			return KW_PARSE_ERROR;
		}
		o->usage_of = c->cmd;
		argc--;
		argv++;
	}
	o->cmd = c->cmd;
	return parse_command(o, c, argc, argv, err, errlen);
}
