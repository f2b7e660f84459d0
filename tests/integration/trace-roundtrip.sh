#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Record, then replay without root: the same output.  A host-wide
# `kwhy watch --json --record` runs while the real integration scenarios of
# kwhy-itest run (refused connects, binds failing with EADDRINUSE, listeners
# whose owners exit or are killed, memory-cgroup OOM kills).  Then the trace
# is replayed as nobody: every event, explanation and summary line must be
# identical to what the live run printed, and the session must hold each of
# those four kinds of events.
#
#   tests/integration/trace-roundtrip.sh        (root; POSIX sh)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
kwhy=${KWHY:-$top/build/kwhy}
itest=${ITEST:-$top/build/tests/kwhy-itest}
pass=0 fail=0 n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

if [ "$(id -u)" != 0 ]; then
	echo "trace-roundtrip.sh: FAIL: must run as root (it loads BPF programs)" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/kwhy-roundtrip.XXXXXX)
chmod 755 "$dir"
kpid=
cleanup() {
	[ -n "$kpid" ] && kill -INT "$kpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

"$kwhy" watch --json --record "$dir/t.kwt" > "$dir/live.json" 2> "$dir/live.err" &
kpid=$!
i=0	# wait for the ready record, at most 20 s
while [ $i -lt 200 ] && ! grep -q '"type":"ready"' "$dir/live.json" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '"type":"ready"' "$dir/live.json"; then
	ok "recorder ready"
else
	not_ok "recorder ready (stderr: $(head -c 300 "$dir/live.err"))"
fi

"$itest" --kwhy "$kwhy" > "$dir/itest.out" 2>&1
if tail -n 1 "$dir/itest.out" | grep -q ', 0 failed'; then
	ok "the integration scenarios ran: $(tail -n 1 "$dir/itest.out")"
else
	not_ok "the integration scenarios ran: $(tail -n 3 "$dir/itest.out" | tr '\n' ' ')"
fi
sleep 1.5			# past a sync and a repeat drain
kill -INT "$kpid"
i=0
while [ $i -lt 100 ] && kill -0 "$kpid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$kpid" 2>/dev/null; then
	not_ok "recorder stops on SIGINT"
	kill -KILL "$kpid"
else
	ok "recorder stops on SIGINT"
fi
kpid=

for kind in '"type":"connect_failed"' '"error":"EADDRINUSE"' \
	    '"type":"listen_close"' '"type":"oom_kill"'; do
	if grep -q "$kind" "$dir/live.json"; then
		ok "the session holds $kind"
	else
		not_ok "the session holds $kind"
	fi
done

chmod 644 "$dir/t.kwt"
if ! setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$kwhy" replay "$dir/t.kwt" --json > "$dir/replay.json" 2> "$dir/replay.err"; then
	not_ok "replay as nobody exits 0 ($(head -c 300 "$dir/replay.err"))"
else
	ok "replay as nobody exits 0"
fi
grep -v '"type":"ready"' "$dir/live.json" | grep -v '"type":"stats"' > "$dir/live.cmp"
nexp=$(grep -c '"type":"explanation"' "$dir/live.cmp")
if [ "$nexp" -gt 0 ] && cmp -s "$dir/live.cmp" "$dir/replay.json"; then
	ok "replay is identical to the live run ($(wc -l < "$dir/live.cmp") lines, $nexp explanations)"
else
	not_ok "replay is identical to the live run ($nexp explanations; first difference: $(cmp "$dir/live.cmp" "$dir/replay.json" 2>&1 | head -c 200))"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
