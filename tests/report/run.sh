#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `kwhy report` on real traces: the two recorded by the integration tests
# (tests/golden/traces) and a fresh one recorded here while kwhy-itest
# runs a memory-cgroup OOM kill, a listener killed by a signal and a
# refused connect.  For each trace:
#   - the Markdown holds every explanation `kwhy replay --json` gives (its
#     JSON facts verbatim, its sentence and fix: tests/report/check.py);
#   - the HTML renders in headless Chromium (Debian's chromium) with no
#     console message at all: the page has no script, and its Content
#     Security Policy makes anything fetched from elsewhere an error there;
#     a broken page is run first to show the check catches one;
#   - the screenshot shows the timeline: the listeners', OOM kill's and
#     refusals' colours drawn (check.py decodes the PNG with python3-pil).
# And -o is created safely: 0600, not over an existing file without
# --force, never through a symbolic link.
#
#   tests/report/run.sh [KWHY]        (root: it records a live trace)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
kwhy=${1:-$top/build/kwhy}
itest=${ITEST:-$top/build/tests/kwhy-itest}
py=/usr/bin/python3		# Debian's, with python3-pil
chromium=${CHROMIUM:-/usr/bin/chromium}
pass=0 fail=0 n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
die() { echo "tests/report/run.sh: FAIL: $1" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it records a live trace)"
for f in "$kwhy" "$itest" "$chromium" "$py"; do
	[ -x "$f" ] || die "$f is missing (make; make $itest; tests/deps.sh --test)"
done
"$py" -c 'import PIL' 2>/dev/null || die "python3-pil is missing (tests/deps.sh --test)"

dir=$(mktemp -d /tmp/kwhy-report.XXXXXX)
kpid=
cleanup() {
	[ -n "$kpid" ] && kill -INT "$kpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# Headless Chromium: the page's screenshot, and its console on stderr
# (--enable-logging=stderr prints every console message as a CONSOLE line).
# Bounded: 60 s.
shoot() {	# HTML PNG ERRLOG
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$dir/chromium" --enable-logging=stderr --v=0 \
		--force-color-profile=srgb --force-device-scale-factor=1 --hide-scrollbars \
		--window-size=1200,2400 --screenshot="$2" "file://$1" > /dev/null 2> "$3"
}

# 1. the console check catches a broken page: a script error, and a fetch
# from elsewhere that the report's policy forbids
cat > "$dir/broken.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>broken</title></head><body><img src="http://127.0.0.1:9/x.png" alt="">
<script>no_such_function();</script></body></html>
EOF
shoot "$dir/broken.html" "$dir/broken.png" "$dir/broken.err"
if grep -q ':CONSOLE' "$dir/broken.err"; then
	ok "a broken page shows in Chromium's console log ($(grep -c ':CONSOLE' "$dir/broken.err") messages)"
else
	not_ok "a broken page shows in Chromium's console log (stderr: $(head -c 300 "$dir/broken.err"))"
fi

# 2. a fresh trace, recorded while real scenarios run
"$kwhy" watch --json --record "$dir/fresh.kwt" > "$dir/live.json" 2> "$dir/live.err" &
kpid=$!
i=0
while [ $i -lt 200 ] && ! grep -q '"type":"ready"' "$dir/live.json" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '"type":"ready"' "$dir/live.json" || not_ok "recorder ready ($(head -c 300 "$dir/live.err"))"
for s in listener_killed_by_signal refused_ipv4 oom_memcg; do
	"$itest" --kwhy "$kwhy" --only "$s" > "$dir/itest-$s.out" 2>&1 ||
		echo "# kwhy-itest --only $s: $(tail -n 1 "$dir/itest-$s.out") (its own checks; the trace is what counts here)"
done
sleep 1.5			# past a sync
kill -INT "$kpid"
i=0
while [ $i -lt 100 ] && kill -0 "$kpid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$kpid" 2>/dev/null && { kill -KILL "$kpid"; not_ok "recorder stops on SIGINT"; }
kpid=
"$kwhy" replay "$dir/fresh.kwt" --json > "$dir/fresh.jsonl" 2> /dev/null
for kind in oom_kill listen_close connect_failed; do
	if grep -q "\"type\":\"$kind\"" "$dir/fresh.jsonl"; then
		ok "the fresh trace holds $kind"
	else
		not_ok "the fresh trace holds $kind"
	fi
done

# 3. each trace's report
# the timeline's colours (user/output/report_svg.c): listeners; OOM kill;
# refusals by cause
listen='#1f77b4,#6baed6'
oom='#d62728'
refused='#ff7f0e,#bcbd22,#e377c2,#843c39,#17becf,#2ca02c,#393b79,#f5b800,#637939'
for t in "$top/tests/golden/traces/itest.kwt" "$top/tests/golden/traces/xtest.kwt" \
	 "$dir/fresh.kwt"; do
	name=$(basename "$t" .kwt)
	"$kwhy" replay "$t" --json > "$dir/$name.jsonl" 2> /dev/null
	if "$kwhy" report "$t" -o "$dir/$name.md" 2> "$dir/$name.md.err"; then
		ok "$name: report -o $name.md"
	else
		not_ok "$name: report -o $name.md ($(head -c 300 "$dir/$name.md.err"))"
	fi
	if "$py" "$top/tests/report/check.py" md "$dir/$name.jsonl" "$dir/$name.md" \
		> "$dir/check.out"; then
		ok "$name: $(cat "$dir/check.out")"
	else
		not_ok "$name: the Markdown holds every explanation: $(head -c 600 "$dir/check.out")"
	fi
	if "$kwhy" report "$t" -o "$dir/$name.html" 2> "$dir/$name.html.err" &&
	   head -n 1 "$dir/$name.html" | grep -q '<!DOCTYPE html>'; then
		ok "$name: report -o $name.html is HTML"
	else
		not_ok "$name: report -o $name.html is HTML ($(head -c 300 "$dir/$name.html.err"))"
	fi
	if grep -Eiq '<script|src="http|href="http|<link ' "$dir/$name.html"; then
		not_ok "$name: the page loads nothing from elsewhere and runs no script"
	else
		ok "$name: the page loads nothing from elsewhere and runs no script"
	fi
	shoot "$dir/$name.html" "$dir/$name.png" "$dir/$name.chromium"
	if [ ! -s "$dir/$name.png" ]; then
		not_ok "$name: Chromium rendered the page ($(grep -v ':CONSOLE' "$dir/$name.chromium" | head -c 300))"
	elif grep -q ':CONSOLE' "$dir/$name.chromium"; then
		not_ok "$name: no console message: $(grep ':CONSOLE' "$dir/$name.chromium" | head -n 3)"
	else
		ok "$name: Chromium renders the page with no console message"
	fi
	groups="$listen"
	grep -q '"type":"oom_kill"' "$dir/$name.jsonl" && groups="$groups $oom"
	grep -q '"cause":"\(wrong_\|listener_exited\|no_listener\|bind_failed\|remote\|crash_loop\)' \
		"$dir/$name.jsonl" && groups="$groups $refused"
	# shellcheck disable=SC2086
	if "$py" "$top/tests/report/check.py" png "$dir/$name.png" $groups > "$dir/check.out"; then
		ok "$name: the screenshot shows the timeline: $(tr '\n' ' ' < "$dir/check.out")"
	else
		not_ok "$name: the screenshot shows the timeline: $(tr '\n' ' ' < "$dir/check.out")"
	fi
done
if [ -n "${KWHY_REPORT_PNG:-}" ]; then	# the README's picture
	cp "$dir/fresh.png" "$KWHY_REPORT_PNG"
	cp "$dir/fresh.html" "${KWHY_REPORT_PNG%.png}.html"
fi

# 4. -o is created safely
t=$top/tests/golden/traces/itest.kwt
mode=$(stat -c %a "$dir/itest.md")
[ "$mode" = 600 ] && ok "-o is created with mode 0600" || not_ok "-o is created with mode 0600 (got $mode)"
echo keep > "$dir/exists.md"
if "$kwhy" report "$t" -o "$dir/exists.md" 2> "$dir/e.err"; then
	not_ok "an existing -o is refused without --force"
elif [ "$(cat "$dir/exists.md")" = keep ] && grep -q -- '--force' "$dir/e.err"; then
	ok "an existing -o is refused without --force, and left as it was"
else
	not_ok "an existing -o is left as it was ($(cat "$dir/e.err"))"
fi
if "$kwhy" report "$t" -o "$dir/exists.md" --force 2> "$dir/e.err" &&
   grep -q '^# Incident report' "$dir/exists.md"; then
	ok "--force replaces an existing regular file"
else
	not_ok "--force replaces an existing regular file ($(cat "$dir/e.err"))"
fi
echo target > "$dir/target.md"
ln -s "$dir/target.md" "$dir/link.md"
if ! "$kwhy" report "$t" -o "$dir/link.md" 2> "$dir/e.err" &&
   [ "$(cat "$dir/target.md")" = target ] && [ -L "$dir/link.md" ]; then
	ok "a symbolic link as -o is refused and not followed"
else
	not_ok "a symbolic link as -o is refused and not followed ($(cat "$dir/e.err"))"
fi
# --force replaces the link itself (a rename over it), never its target
if "$kwhy" report "$t" -o "$dir/link.md" --force 2> "$dir/e.err" &&
   [ "$(cat "$dir/target.md")" = target ] && [ ! -L "$dir/link.md" ] &&
   grep -q '^# Incident report' "$dir/link.md"; then
	ok "--force replaces a symbolic link itself, not its target"
else
	not_ok "--force replaces a symbolic link itself, not its target ($(cat "$dir/e.err"))"
fi
cp "$t" "$dir/copy.kwt"
if ! "$kwhy" report "$dir/copy.kwt" -o "$dir/copy.kwt" --force 2> "$dir/e.err" &&
   cmp -s "$dir/copy.kwt" "$t"; then
	ok "the trace itself is never the output"
else
	not_ok "the trace itself is never the output"
fi

echo "report: $pass passed, $fail failed"
[ "$fail" = 0 ]
