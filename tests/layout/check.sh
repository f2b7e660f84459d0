#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The layout rules of user/ (README "Layout"), checked from the sources:
#   - no .c file directly under user/: every file lives in its stage's folder;
#   - each folder includes only the folders below it:
#       util   -> util
#       core   -> util core                 (pure: see below)
#       host   -> util core host
#       trace  -> util core trace
#       kernel -> util core host kernel
#       output -> util core kernel trace output
#       net    -> util net                  (transports: bytes in and out,
#                                            nothing of the pipeline)
#       cmd    -> anything
#   - core/ is pure: no I/O, no clock, no /proc, no environment; it turns
#     events into explanations and nothing else.
#
#   tests/layout/check.sh [DIR]        check DIR (default: the user/ here)
#   tests/layout/check.sh --selftest   plant each kind of violation in a copy
#                                      and check that it is caught
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)

allowed() {
	case $1 in
	util) echo "util" ;;
	core) echo "util core" ;;
	host) echo "util core host" ;;
	trace) echo "util core trace" ;;
	kernel) echo "util core host kernel" ;;
	output) echo "util core kernel trace output" ;;
	net) echo "util net" ;;
	cmd) echo "util core host trace kernel output net cmd" ;;
	*) echo "" ;;
	esac
}

# calls that reach outside the process, or read the clock or environment
IO_CALLS='f?open|fdopen|openat|creat|read|write|pread|pwrite|close|fclose|fread|fwrite|fgets|getline|fflush|opendir|readdir|closedir|stat|lstat|fstat|fstatat|readlink|readlinkat|access|printf|fprintf|vfprintf|puts|fputs|putchar|perror|clock_gettime|gettimeofday|time|getpid|getenv|setenv|socket|connect|sendmsg|recvmsg|ioctl|syscall|mmap|exit|abort|system|popen|fork|kill'
IO_HEADERS='fcntl.h|unistd.h|dirent.h|sys/stat.h|sys/socket.h|sys/ioctl.h|sys/mman.h|time.h|pthread.h|bpf/[a-z_]+.h'

check() {
	dir=$1
	bad=0
	for f in "$dir"/*.c; do
		[ -e "$f" ] || continue
		echo "layout: $f: a source file directly under user/; put it in the folder of its stage" >&2
		bad=1
	done
	for sub in "$dir"/*/; do
		d=$(basename "$sub")
		ok=$(allowed "$d")
		if [ -z "$ok" ]; then
			echo "layout: $dir/$d: a folder the layout does not name (README \"Layout\")" >&2
			bad=1
			continue
		fi
		for f in "$sub"*.c "$sub"*.h; do
			[ -e "$f" ] || continue
			# "folder/file.h" includes
			for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
				[ "$inc" = kwhy ] && continue
				case " $ok " in
				*" $inc "*) ;;
				*)
					echo "layout: $f includes from $inc/, which $d/ may not use (allowed: $ok)" >&2
					bad=1
					;;
				esac
			done
			# bare includes hide where a header lives
			if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^/"]*"' "$f" | grep -v 'kwhy.skel.h' >/dev/null; then
				echo "layout: $f: include headers by folder (\"core/model.h\"), not bare names" >&2
				bad=1
			fi
		done
	done
	if [ -d "$dir/core" ]; then
		for f in "$dir"/core/*.c "$dir"/core/*.h; do
			[ -e "$f" ] || continue
			# comments and strings do not count: the compiler strips the
			# comments (-fpreprocessed: no macro is expanded), sed the strings
			hits=$(${CC:-cc} -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null |
				sed -e 's/"[^"]*"/""/g' |
				grep -nE "(^|[^a-zA-Z0-9_.>])($IO_CALLS)[[:space:]]*\(" | head -n 3)
			if [ -n "$hits" ]; then
				echo "layout: $f: core/ is pure, but calls I/O, the clock or the environment:" >&2
				echo "$hits" | sed 's/^/    /' >&2
				bad=1
			fi
			if grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($IO_HEADERS)>" "$f" >/dev/null; then
				echo "layout: $f: core/ is pure, but includes a system I/O header:" >&2
				grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($IO_HEADERS)>" "$f" | sed 's/^/    /' >&2
				bad=1
			fi
			if grep -n '"/proc\|"/sys/' "$f" >/dev/null; then
				echo "layout: $f: core/ is pure, but names a host path (/proc or /sys)" >&2
				bad=1
			fi
		done
	fi
	return $bad
}

if [ "${1:-}" = "--selftest" ]; then
	n=0 fail=0
	tmp=$(mktemp -d /tmp/kwhy-layout.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	plant() {	# NAME FILE LINE: a copy with LINE appended to FILE must fail
		rm -rf "$tmp/user" && cp -r "$top/user" "$tmp/user"
		printf '%s\n' "$3" >> "$tmp/user/$2"
		n=$((n + 1))
		if check "$tmp/user" 2>/dev/null; then
			echo "not ok $n - a planted $1 is caught"
			fail=$((fail + 1))
		else
			echo "ok $n - a planted $1 is caught"
		fi
	}
	n=$((n + 1))
	if check "$top/user"; then echo "ok $n - the tree passes"; else echo "not ok $n - the tree passes"; fail=$((fail + 1)); fi
	plant "core include of host/" core/model.c '#include "host/cgroups.h"'
	plant "core include of output/" core/explain.h '#include "output/format.h"'
	plant "core fopen" core/model.c 'static void *kw_planted(void) { return fopen("x", "r"); }'
	plant "core clock read" core/pipeline.c 'static long kw_planted(void) { return time(0); }'
	plant "core unistd.h" core/names.c '#include <unistd.h>'
	plant "core write() after a comment" core/enums.c '/* a comment */ static long kw_planted(void) { return write(1, "", 0); }'
	plant "util include of core/" util/buf.c '#include "core/event.h"'
	plant "host include of cmd/" host/enrich.c '#include "cmd/opts.h"'
	plant "net include of core/" net/http.c '#include "core/metrics.h"'
	plant "output include of net/" output/metrics.c '#include "net/http.h"'
	plant "bare include" output/sinks.c '#include "model.h"'
	n=$((n + 1))
	rm -rf "$tmp/user" && cp -r "$top/user" "$tmp/user" && echo 'int x;' > "$tmp/user/stray.c"
	if check "$tmp/user" 2>/dev/null; then
		echo "not ok $n - a .c file directly under user/ is caught"; fail=$((fail + 1))
	else
		echo "ok $n - a .c file directly under user/ is caught"
	fi
	echo "layout: $((n - fail)) passed, $fail failed"
	[ $fail = 0 ]
	exit
fi

if check "${1:-$top/user}"; then
	echo "layout: user/ follows the rules"
else
	echo "layout: FAIL (rules at the top of tests/layout/check.sh and in README \"Layout\")" >&2
	exit 1
fi
