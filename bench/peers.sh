#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# kwhy beside its peers in the same run (sourced by bench/run.sh as root):
# each round runs the refused-connect storm untraced, then under each
# tracer in turn, and the ratio is the tracer's connects/s ÷ the untraced
# connects/s of the same round.  The tracers (Debian: bpftrace,
# libbpf-tools; tests/deps.sh --test installs them):
#   bpftrace counting tcp_receive_reset in the kernel (the floor: no who, no why)
#   kwhy watch --json
#   bpftrace printing each received reset
#   libbpf-tools tcpstates (a line per state change)
# Each tracer's output goes to a file; its peak RSS is VmHWM read just
# before SIGINT; output lines are counted after it exits.  Only processes
# started here are signalled, by PID.
#
#   peers_run ROUNDS SECONDS WORKERS KV OUTDIR STORM KWHY
# appends "P peers ..." and "R peers.<tracer>.<key> value" lines to KV.

peer_cmd() {	# the command line of tracer $1
	case $1 in
	bpftrace_count) echo "bpftrace -e tracepoint:tcp:tcp_receive_reset{@resets=count();}" ;;
	kwhy) echo "stdbuf -oL $PEER_KWHY watch --json" ;;	# ready comes out at once
	bpftrace_print) echo "bpftrace -e tracepoint:tcp:tcp_receive_reset{printf(\"%d\\n\",args->dport);}" ;;
	tcpstates) echo "stdbuf -oL tcpstates" ;;	# its header says it is attached
	esac
}

# ready when its output says so: kwhy's ready record, bpftrace's
# "Attaching", tcpstates' header (printed after attaching)
peer_ready() {
	case $1 in
	kwhy) grep -q '"type":"ready"' "$2" ;;
	bpftrace_*) grep -q '^Attaching' "$2" ;;
	tcpstates) grep -q 'SKADDR' "$2" ;;
	esac
}

# SIGINT, up to 10 s to exit, then SIGKILL
peer_stop() {
	local i
	kill -INT $1 2>/dev/null
	for ((i = 0; i < 100; i++)); do kill -0 $1 2>/dev/null || break; sleep 0.1; done
	kill -KILL $1 2>/dev/null
	wait $1 2>/dev/null
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

peers_run() {
	local rounds=$1 sec=$2 workers=$3 kv=$4 dir=$5 storm=$6
	PEER_KWHY=$7
	local tracers="bpftrace_count kwhy bpftrace_print tcpstates" t r pid line urate trate hwm i
	local -A ratios lines rss
	for t in $tracers; do
		local tool=${t%%_*}
		[ $t = kwhy ] || command -v $tool >/dev/null 2>&1 ||
			{ echo "F peers: $tool is not installed (Debian bpftrace, libbpf-tools: tests/deps.sh --test)" >>"$kv"; return 1; }
	done
	for ((r = 1; r <= rounds; r++)); do
		line=$(timeout $((sec + 30)) "$storm" -t "$sec" -n 100000000 -w "$workers" -d 2 | tail -1)
		urate=$(echo "$line" | sed -n 's/.* rate=\([0-9.]*\).*/\1/p')
		[ -n "$urate" ] || { echo "F peers: round $r: no untraced rate" >>"$kv"; return 1; }
		for t in $tracers; do
			local out="$dir/peer-$t-$r.out"
			# shellcheck disable=SC2046
			setsid $(peer_cmd $t) >"$out" 2>"$dir/peer-$t-$r.err" &
			pid=$!
			for ((i = 0; i < 300; i++)); do	# up to 30 s to be ready
				peer_ready $t "$out" && break
				kill -0 $pid 2>/dev/null || break
				sleep 0.1
			done
			if ! peer_ready $t "$out"; then
				peer_stop $pid
				echo "F peers: round $r: $t did not start: $(head -c 300 "$dir/peer-$t-$r.err")" >>"$kv"
				return 1
			fi
			sleep 1		# attached: bpftrace says so just before
			line=$(timeout $((sec + 30)) "$storm" -t "$sec" -n 100000000 -w "$workers" -d 2 | tail -1)
			trate=$(echo "$line" | sed -n 's/.* rate=\([0-9.]*\).*/\1/p')
			hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status 2>/dev/null)
			peer_stop $pid
			ratios[$t]+="$(awk -v a="$trate" -v b="$urate" 'BEGIN { printf "%.4f", (b > 0) ? a / b : 0 }') "
			lines[$t]+="$(wc -l <"$out") "
			rss[$t]+="${hwm:-0} "
			echo "P peers round=$r tracer=$t untraced=$urate traced=$trate lines=$(wc -l <"$out") peak_rss_mib=${hwm:-n/a}" >>"$kv"
		done
	done
	for t in $tracers; do
		echo "R peers.$t.ratio_median $(echo ${ratios[$t]} | tr ' ' '\n' | median)" >>"$kv"
		echo "R peers.$t.lines_median $(echo ${lines[$t]} | tr ' ' '\n' | median)" >>"$kv"
		echo "R peers.$t.peak_rss_mib $(echo ${rss[$t]} | tr ' ' '\n' | sort -g | tail -1)" >>"$kv"
	done
	echo "R peers.rounds $rounds" >>"$kv"
	return 0
}
