#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A recorder killed with SIGKILL leaves a trace that still replays: the
# writer sync-flushes every second, so everything up to the last sync is
# readable without the end of the zlib stream.  Runs `kwhy record`, makes
# connections to closed ports on 127.0.0.1, waits past two sync periods,
# kills the recorder by its PID with SIGKILL, then replays the trace as
# root and as nobody (replay needs no privileges): exit 0, an explanation
# for each refused port, and a warning that the end mark is missing.
#
#   tests/integration/trace-kill.sh        (root; POSIX sh)
#
# KWHY overrides the binary (default build/kwhy, relative to the
# repository root).  Prints ok / not ok lines, then "P passed, F failed";
# exits 1 when anything failed.

cd "$(dirname "$0")/../.." || {
	echo "trace-kill.sh: cannot cd to the repository root" >&2
	exit 1
}
KWHY=${KWHY:-build/kwhy}
PYTHON=${PYTHON:-python3}

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok $((passed + failed)) - $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok $((passed + failed)) - $*"
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}

if [ "$(id -u)" != 0 ]; then
	not_ok "must run as root (kwhy record loads BPF programs)"
	finish
fi
if [ ! -x "$KWHY" ]; then
	not_ok "$KWHY is missing; build it: make"
	finish
fi

dir=$(mktemp -d /tmp/kwhy-trace-kill.XXXXXX) || {
	not_ok "mktemp"
	finish
}
rec_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	# only the recorder this script started, by its PID
	if [ -n "$rec_pid" ] && kill -0 "$rec_pid" 2>/dev/null; then
		kill -9 "$rec_pid" 2>/dev/null
		wait "$rec_pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- record ----

"$KWHY" record -o "$dir/t.kwt" >"$dir/record.out" 2>"$dir/record.err" &
rec_pid=$!

# the trace file is created once the programs are attached: wait for it,
# at most 5 s (50 x 0.1 s)
i=0
while [ "$i" -lt 50 ] && [ ! -s "$dir/t.kwt" ] && kill -0 "$rec_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if [ -s "$dir/t.kwt" ]; then
	ok "kwhy record attached and created its trace (after ~$((i * 100)) ms)"
else
	not_ok "kwhy record did not create $dir/t.kwt within 5 s; its stderr:"
	sed 's/^/#   /' "$dir/record.err"
	finish
fi

# three closed ports, each connected to once: the script picks ports that
# refuse (a few candidates at most) and prints them
if ports=$("$PYTHON" -c '
import socket, sys
refused = []
for port in range(47301, 47341):
    if len(refused) == 3:
        break
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
    except ConnectionRefusedError:
        refused.append(port)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, refused)))
sys.exit(0 if len(refused) == 3 else 1)
' 2>"$dir/python.err"); then
	ok "refused connections to 127.0.0.1 ports $ports"
else
	not_ok "could not make 3 refused connections (got '$ports'):"
	sed 's/^/#   /' "$dir/python.err"
	finish
fi

# two sync periods (the recorder syncs every second) and a half
sleep 2.5

if kill -0 "$rec_pid" 2>/dev/null; then
	kill -9 "$rec_pid"
	wait "$rec_pid" 2>/dev/null
	rec_pid=
	ok "kwhy record was still running and was killed with SIGKILL"
else
	rec_pid=
	not_ok "kwhy record exited by itself before the kill; its stderr:"
	sed 's/^/#   /' "$dir/record.err"
	finish
fi

# ---- replay ----

# check_replay WHO OUT ERR RC: exit 0, an explanation per port, the
# missing end mark named on stderr
check_replay() {
	who=$1 out=$2 err=$3 rc=$4
	if [ "$rc" -eq 0 ]; then
		ok "$who: kwhy replay --json exits 0"
	else
		not_ok "$who: kwhy replay --json exited $rc; stderr:"
		sed 's/^/#   /' "$err"
	fi
	missing=
	for p in $ports; do
		grep '"type":"explanation"' "$out" | grep "\"destination\":{[^}]*\"text\":\"127.0.0.1:$p\"" |
			grep -Eq '"cause":"(no_listener|wrong_port)"' || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		ok "$who: no_listener/wrong_port explanations for ports $ports"
	else
		not_ok "$who: no no_listener/wrong_port explanation for port(s)$missing;" \
			"$(grep -c '"type":"explanation"' "$out") explanation line(s):"
		grep '"type":"explanation"' "$out" | cut -c1-300 | sed 's/^/#   /'
	fi
	if grep -q "without its end mark" "$err"; then
		ok "$who: stderr says the trace has no end mark"
	else
		not_ok "$who: stderr does not mention the missing end mark:"
		sed 's/^/#   /' "$err"
	fi
}

"$KWHY" replay "$dir/t.kwt" --json >"$dir/root.out" 2>"$dir/root.err"
check_replay root "$dir/root.out" "$dir/root.err" $?

# as nobody, from copies anyone can read: the trace is 0600 and the
# checkout may not be reachable
pub=$dir/pub
if ! { mkdir "$pub" && cp "$dir/t.kwt" "$KWHY" "$pub/" && chmod 755 "$dir" "$pub" &&
	chmod 644 "$pub/t.kwt" && chmod 755 "$pub/kwhy"; }; then
	not_ok "copying the trace and kwhy for nobody failed"
fi
# util-linux setpriv by path first: busybox's applet has no --reuid
setpriv=
for s in /usr/bin/setpriv /bin/setpriv "$(command -v setpriv 2>/dev/null)"; do
	if [ -n "$s" ] && [ -x "$s" ]; then
		setpriv=$s
		break
	fi
done
if [ -n "$setpriv" ]; then
	(cd "$pub" && "$setpriv" --reuid=65534 --regid=65534 --clear-groups \
		./kwhy replay t.kwt --json) >"$dir/nobody.out" 2>"$dir/nobody.err"
	check_replay nobody "$dir/nobody.out" "$dir/nobody.err" $?
	if cmp -s "$dir/root.out" "$dir/nobody.out"; then
		ok "nobody: the same output as root"
	else
		not_ok "nobody: the output differs from root's"
	fi
	# and it really ran unprivileged: the recorder's own file is 0600 root
	if (cd "$pub" && "$setpriv" --reuid=65534 --regid=65534 --clear-groups \
		./kwhy replay ../t.kwt --json) >/dev/null 2>&1; then
		not_ok "nobody: could read the 0600 trace, so it was not unprivileged"
	else
		ok "nobody: could not read the recorder's 0600 trace (really unprivileged)"
	fi
else
	not_ok "no setpriv (util-linux) to replay as nobody"
fi

finish
