#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Fuzz the trace-file reader (user/trace/) with libFuzzer, ASan and UBSan.
#
#   tests/fuzz/run.sh [SECONDS]          build, then fuzz SECONDS (default 30)
#   tests/fuzz/run.sh --repro FILE...    build, run the target once on FILEs
#   tests/fuzz/run.sh --mkcorpus DIR     write the seed corpus into DIR with
#                                        the real writer (tests/fuzz/corpus/
#                                        was made this way)
#
# Everything goes under build/fuzz/ (OUT=... to move it): the binary, a
# working corpus that starts as a copy of tests/fuzz/corpus/ and
# tests/fuzz/regress/ and grows from run to run, and one artifact
# directory per run.  Nothing is written into the source tree.
# Exits nonzero when the fuzzer finds a crash, leak, timeout or
# out-of-memory, after printing the path of the input that caused it.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS="-fork=2").
set -eu

cd "$(dirname "$0")/../.."
OUT=${OUT:-build}/fuzz
CLANG=${CLANG:-clang}
SRCS="user/trace/trace.c user/core/decode.c user/util/jsonq.c user/util/json.c user/util/buf.c user/util/escape.c user/util/safefile.c
      user/core/enums.c"
# the project's warnings; UBSan findings abort like ASan's instead of only
# printing, so the fuzzer stops on them and keeps the input
CFLAGS="-g -O1 -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
	-Wno-unknown-warning-option -Wno-format-truncation -Iinclude -Iuser -D_GNU_SOURCE"
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
LIBS="-lbpf -lelf -lz"

die() {
	echo "fuzz: $*" >&2
	exit 2
}

mkdir -p "$OUT"
command -v "$CLANG" >/dev/null 2>&1 || die "no $CLANG (apt-get install clang)"

if [ "${1:-}" = "--mkcorpus" ]; then
	[ $# -eq 2 ] || die "usage: $0 --mkcorpus DIR"
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS -DKW_FUZZ_MKCORPUS tests/fuzz/fuzz_trace.c $SRCS $LIBS \
		-o "$OUT/mkcorpus"
	mkdir -p "$2"
	exec "$OUT/mkcorpus" "$2"
fi

echo "fuzz: building $OUT/fuzz_trace"
# shellcheck disable=SC2086
"$CLANG" $CFLAGS $SAN tests/fuzz/fuzz_trace.c $SRCS $LIBS -o "$OUT/fuzz_trace" ||
	die "build failed: see the compiler above (a missing fuzzer runtime is Debian's libclang-rt-14-dev)"

if [ "${1:-}" = "--repro" ]; then
	shift
	[ $# -ge 1 ] || die "usage: $0 --repro FILE..."
	exec "$OUT/fuzz_trace" "$@"
fi

SECS=${1:-30}
case $SECS in
'' | *[!0-9]*) die "SECONDS must be a number, not '$SECS'" ;;
esac

# the working corpus: seeds and regressions on top of what earlier runs found
mkdir -p "$OUT/corpus"
cp tests/fuzz/corpus/* "$OUT/corpus/"
if [ -d tests/fuzz/regress ]; then
	for f in tests/fuzz/regress/*; do
		[ -f "$f" ] && cp "$f" "$OUT/corpus/"
	done
fi

# words of the format, for mutations of the header
cat >"$OUT/trace.dict" <<'EOF'
"KWHYTRC\x0a"
"\x01\x00\x00\x00"
"\xff\xff\xff\xff"
"\"format\":"
"\"abi\":"
"\"part\":"
"\"target\":"
"\"enums\":"
"\"sk_rst_reason\":"
"\"skb_drop_reason\":"
"\"boot_to_wall_ns\":"
"\\u0000"
"null"
"9223372036854775808"
"4294967297"
EOF

ART=$OUT/artifacts/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$ART"
LOG=$ART/fuzz.log
echo "fuzz: $SECS s; corpus $OUT/corpus, log $LOG"
status=0
# -malloc_limit_mb=1: inputs are at most 4 KiB (libFuzzer's default
# -max_len for this corpus), so any single allocation of 1 MiB or more
# follows a size the input declares rather than the bytes it holds
# shellcheck disable=SC2086
"$OUT/fuzz_trace" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=512 -malloc_limit_mb=1 \
	-dict="$OUT/trace.dict" -artifact_prefix="$ART/" -print_final_stats=1 \
	${FUZZ_ARGS:-} "$OUT/corpus" >"$LOG" 2>&1 || status=$?

# the final statistics, and any input the fuzzer kept as a failure
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$LOG" || true
found=0
for f in "$ART"/crash-* "$ART"/leak-* "$ART"/timeout-* "$ART"/oom-*; do
	[ -f "$f" ] || continue
	found=$((found + 1))
	echo "fuzz: FAILING INPUT: $f"
done
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|broken promise|runtime error' "$LOG" | head -20 >&2 || true
	echo "fuzz: FAILED (exit $status; full log $LOG;" \
		"reproduce: tests/fuzz/run.sh --repro FILE)" >&2
	exit 1
fi
echo "fuzz: ok, no crash in $SECS s"
