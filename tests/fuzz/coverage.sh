#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What a fuzz target's corpus reaches: the target built with clang's
# source-based coverage (no sanitizers), run once over every input of the
# corpus directories given, and llvm-cov's report of the lines, functions
# and branches of user/core, user/output and user/trace they executed.
#
#   tests/fuzz/coverage.sh trace|pipeline DIR...
#
# e.g. the committed corpora (tests/fuzz/README.md has the numbers):
#   tests/fuzz/coverage.sh trace tests/fuzz/corpus tests/fuzz/regress
#   tests/fuzz/coverage.sh pipeline tests/fuzz/corpus-pipeline tests/fuzz/regress-pipeline
# or what a campaign grew (build/fuzz/corpus-trace, build/fuzz/corpus-pipeline).
# Everything goes under build/fuzz-cov/ (OUT=... to move it).
set -eu

cd "$(dirname "$0")/../.."
OUT=${OUT:-build}/fuzz-cov
CLANG=${CLANG:-clang}
PROFDATA=${PROFDATA:-$(command -v llvm-profdata-14 || command -v llvm-profdata || true)}
COV=${COV:-$(command -v llvm-cov-14 || command -v llvm-cov || true)}

die() {
	echo "fuzz-coverage: $*" >&2
	exit 2
}

[ $# -ge 2 ] || die "usage: $0 trace|pipeline DIR..."
t=$1
shift
case $t in
trace) main="tests/fuzz/fuzz_trace.c" ;;
pipeline) main="tests/fuzz/fuzz_pipeline.c tests/fuzz/fuzz_mutate.c tests/fuzz/jsoncheck.c" ;;
*) die "'$t' is not trace or pipeline" ;;
esac
[ -n "$PROFDATA" ] && [ -n "$COV" ] || die "no llvm-profdata/llvm-cov (Debian's llvm-14)"
for d in "$@"; do
	[ -d "$d" ] || die "$d is not a directory"
done

mkdir -p "$OUT"
bin=$OUT/fuzz_$t
# shellcheck disable=SC2086
"$CLANG" -g -O1 -std=gnu11 -Iinclude -Iuser -D_GNU_SOURCE -DKWHY_VERSION='"fuzz"' -w \
	-fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer $main \
	user/core/*.c user/output/*.c user/util/*.c user/trace/*.c user/kernel/plan.c \
	user/kernel/sandbox.c -lz -lseccomp -o "$bin" || die "build failed"

rm -f "$OUT"/$t-*.profraw
LLVM_PROFILE_FILE="$OUT/$t-%p.profraw" "$bin" -runs=0 "$@" >"$OUT/$t.log" 2>&1 ||
	die "the target failed on its corpus: $OUT/$t.log"
"$PROFDATA" merge -sparse "$OUT"/$t-*.profraw -o "$OUT/$t.profdata"
echo "fuzz-coverage: $t over $* ($(find "$@" -type f -exec cat {} + | wc -c) bytes;" \
	"$(find "$@" -type f | wc -l) inputs)"
for dir in core output trace; do
	printf '%-12s ' "user/$dir"
	# TOTAL: regions, missed, cover, functions, missed, executed, lines,
	# missed, cover, branches, missed, cover
	"$COV" report "$bin" -instr-profile="$OUT/$t.profdata" user/$dir/ |
		awk '/^TOTAL/ { printf "lines %s of %s (%s), functions %s, branches %s\n",
			$8 - $9, $8, $10, $7, $13 }'
done
