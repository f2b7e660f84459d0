#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Golden outputs: every offline command on recorded traces, byte for byte.
# tests/golden/traces/*.kwt were recorded on a real host (kwhy watch
# --record while kwhy-itest or kwhy-xtest ran); tests/golden/expected/ holds
# what replay, replay --json, info, each export format and report printed for them.
# A change that alters any byte of that output fails here; when the change
# is meant, regenerate with --update and review the diff.
#
#   tests/golden/run.sh [--update] [KWHY]       (no root needed)
#
# The exporter's own version (`kwhy --version`) is written as @VERSION@, so
# the files do not change with every commit.
set -u
TZ=UTC LC_ALL=C
export TZ LC_ALL

top=$(cd "$(dirname "$0")/../.." && pwd)
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
kwhy=${1:-$top/build/kwhy}
dir=$top/tests/golden
exp=$dir/expected
if [ ! -x "$kwhy" ]; then
	echo "tests/golden/run.sh: FAIL: $kwhy is missing; build it with make" >&2
	exit 1
fi
ver=$("$kwhy" --version | awk '{ print $2 }')
[ -n "$ver" ] || { echo "tests/golden/run.sh: FAIL: $kwhy --version printed nothing" >&2; exit 1; }
out=$(mktemp -d /tmp/kwhy-golden.XXXXXX)
trap 'rm -rf "$out"' EXIT
mkdir -p "$exp"

pass=0 fail=0 n=0
# one case: NAME then the kwhy arguments; stdout and stderr both count
run_case() {
	name=$1
	shift
	"$kwhy" "$@" > "$out/$name.out" 2> "$out/$name.err"
	echo "exit $?" >> "$out/$name.err"
	for s in out err; do
		sed "s/$ver/@VERSION@/g; s#$top/##g" "$out/$name.$s" > "$out/$name.$s.n"
		n=$((n + 1))
		if [ $update = 1 ]; then
			cp "$out/$name.$s.n" "$exp/$name.$s"
			pass=$((pass + 1))
		elif cmp -s "$out/$name.$s.n" "$exp/$name.$s"; then
			pass=$((pass + 1))
			echo "ok $n - $name ($s)"
		else
			fail=$((fail + 1))
			echo "not ok $n - $name ($s): kwhy $*"
			diff -u "$exp/$name.$s" "$out/$name.$s.n" | head -n 20 | cut -c 1-300 | sed 's/^/#   /'
		fi
	done
}

cd "$top" || exit 1
for t in itest xtest; do
	tr=tests/golden/traces/$t.kwt
	run_case "$t.replay" replay "$tr"
	run_case "$t.replay-utc" replay "$tr" --utc
	run_case "$t.replay-json" replay "$tr" --json
	run_case "$t.info" info "$tr"
	run_case "$t.info-json" info "$tr" --json
	run_case "$t.jsonl" export "$tr" --format jsonl
	run_case "$t.otlp" export "$tr" --format otlp
	run_case "$t.perfetto" export "$tr" --format perfetto
	run_case "$t.report-md" report "$tr"
	run_case "$t.report-html" report "$tr" --format html
done
# the offline filters
run_case xtest.container replay tests/golden/traces/xtest.kwt --json --container 20333a1159dd
run_case xtest.container-otlp export tests/golden/traces/xtest.kwt --format otlp --container a958136d8daf
run_case itest.port replay tests/golden/traces/itest.kwt --port 47091
run_case itest.pid-perfetto export tests/golden/traces/itest.kwt --format perfetto --pid 1
run_case xtest.container-report report tests/golden/traces/xtest.kwt --container 20333a1159dd
run_case xtest.bad-filter replay tests/golden/traces/xtest.kwt --container no-such-container

echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
