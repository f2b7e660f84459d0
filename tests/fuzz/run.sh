#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Fuzz kwhy with libFuzzer, ASan and UBSan (tests/fuzz/README.md):
#   trace     the trace-file reader (user/trace/), fuzz_trace.c: inputs
#             are whole trace files (corpus/, regress/)
#   pipeline  everything after the reader (user/core/, user/output/),
#             fuzz_pipeline.c: inputs are a trace's frames, uncompressed
#             (pipeline_input.h; corpus-pipeline/, regress-pipeline/)
#
#   tests/fuzz/run.sh [--fresh] [--target trace|pipeline|all] [SECONDS]
#                                        build, then fuzz SECONDS (default
#                                        30) per target (default all);
#                                        --fresh: from the committed seeds
#                                        and regressions alone, not the
#                                        working corpus (make fuzz-smoke)
#   tests/fuzz/run.sh --repro FILE...    build, run the target once on FILEs
#                                        (*.fzp and regress-pipeline/* are
#                                        pipeline inputs, the rest traces)
#   tests/fuzz/run.sh --mkcorpus DIR     write fuzz_trace's seed corpus into
#                                        DIR with the real writer
#                                        (tests/fuzz/corpus/ was made so)
#   tests/fuzz/run.sh --mkseeds DIR      write fuzz_pipeline's seeds into DIR
#                                        from tests/golden/traces/ and
#                                        hand-made stories (corpus-pipeline/)
#
# The Makefile builds the targets (make fuzz-bins, under build/fuzz/).
# Everything else goes under build/fuzz/ too (OUT=... to move it): a
# working corpus per target that starts as a copy of the committed seeds
# and regressions and grows from run to run, and one artifact directory
# per run.  Nothing is written into the source tree.
# Exits nonzero when the fuzzer finds a crash, leak, timeout or
# out-of-memory, after printing the path of the input that caused it.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS="-fork=2").
set -eu

cd "$(dirname "$0")/../.."
BUILD=${OUT:-build}
OUT=$BUILD/fuzz
CLANG=${CLANG:-clang}
MAKE=${MAKE:-make}
# for --mkcorpus only: the targets are built by the Makefile
SRCS="user/trace/trace.c user/core/decode.c user/util/jsonq.c user/util/json.c user/util/buf.c user/util/escape.c user/util/safefile.c
      user/core/enums.c"
CFLAGS="-g -O1 -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
	-Wno-unknown-warning-option -Wno-format-truncation -Iinclude -Iuser -D_GNU_SOURCE"
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

# the targets: built (or brought up to date) by the Makefile
"$MAKE" --no-print-directory -s OUT="$BUILD" fuzz-bins ||
	die "build failed: see the compiler above (a missing fuzzer runtime is Debian's libclang-rt-14-dev)"

if [ "${1:-}" = "--mkseeds" ]; then
	[ $# -eq 2 ] || die "usage: $0 --mkseeds DIR"
	mkdir -p "$2"
	exec "$OUT/mkseeds" "$2" tests/golden/traces/*.kwt
fi

if [ "${1:-}" = "--repro" ]; then
	shift
	[ $# -ge 1 ] || die "usage: $0 --repro FILE..."
	status=0
	for f in "$@"; do
		case $f in
		*.fzp | *regress-pipeline/* | *corpus-pipeline/*) t=pipeline ;;
		*) t=trace ;;
		esac
		"$OUT/fuzz_$t" "$f" || status=$?
	done
	exit $status
fi

FRESH=0
if [ "${1:-}" = "--fresh" ]; then
	FRESH=1
	shift
fi
TARGET=all
if [ "${1:-}" = "--target" ]; then
	[ $# -ge 2 ] || die "usage: $0 --target trace|pipeline|all [SECONDS]"
	TARGET=$2
	shift 2
fi
case $TARGET in
trace | pipeline | all) ;;
*) die "--target: '$TARGET' is not trace, pipeline or all" ;;
esac
SECS=${1:-30}
case $SECS in
'' | *[!0-9]*) die "SECONDS must be a number, not '$SECS'" ;;
esac

# words of the trace format, for mutations of the header
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

failed=0
# one campaign: fuzz TARGET SEEDS REGRESS OPTIONS...
fuzz() {
	t=$1 seeds=$2 regress=$3
	shift 3
	# the working corpus: seeds and regressions on top of what earlier
	# runs found (--fresh: a corpus of its own, emptied first)
	corpus=$OUT/corpus-$t
	if [ $FRESH = 1 ]; then
		corpus=$OUT/fresh-$t
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus"
	cp "$seeds"/* "$corpus/"
	if [ -d "$regress" ]; then
		for f in "$regress"/*; do
			[ -f "$f" ] && cp "$f" "$corpus/"
		done
	fi
	ART=$OUT/artifacts/$(date +%Y%m%d-%H%M%S)-$$-$t
	mkdir -p "$ART"
	LOG=$ART/fuzz.log
	echo "fuzz: $t, $SECS s; corpus $corpus, log $LOG"
	status=0
	# shellcheck disable=SC2086
	"$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=10 -artifact_prefix="$ART/" \
		-print_final_stats=1 "$@" ${FUZZ_ARGS:-} "$corpus" >"$LOG" 2>&1 || status=$?

	# the final statistics, and any input the fuzzer kept as a failure
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$LOG" || true
	grep -E '^#[0-9]+.*(DONE|pulse)' "$LOG" | tail -1 || true
	found=0
	for f in "$ART"/crash-* "$ART"/leak-* "$ART"/timeout-* "$ART"/oom-*; do
		[ -f "$f" ] || continue
		found=$((found + 1))
		echo "fuzz: FAILING INPUT: $f"
	done
	if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|broken promise|runtime error' "$LOG" | head -20 >&2 || true
		echo "fuzz: $t FAILED (exit $status; full log $LOG;" \
			"reproduce: tests/fuzz/run.sh --repro FILE)" >&2
		failed=1
		return
	fi
	echo "fuzz: $t ok, no crash in $SECS s"
}

if [ "$TARGET" = trace ] || [ "$TARGET" = all ]; then
	# -malloc_limit_mb=1: inputs are at most 4 KiB (libFuzzer's default
	# -max_len for this corpus), so any single allocation of 1 MiB or
	# more follows a size the input declares rather than the bytes it holds
	fuzz trace tests/fuzz/corpus tests/fuzz/regress -rss_limit_mb=512 -malloc_limit_mb=1 \
		-dict="$OUT/trace.dict"
fi
if [ "$TARGET" = pipeline ] || [ "$TARGET" = all ]; then
	# inputs up to 32 KiB: a hundred events or more (the golden traces are
	# seeds whole, cut to that when read)
	fuzz pipeline tests/fuzz/corpus-pipeline tests/fuzz/regress-pipeline -rss_limit_mb=1024 \
		-max_len=32768
fi
exit $failed
