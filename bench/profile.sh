#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Where kwhy's time and memory go, for the targets bench/run.sh reports as
# missed.  As root, at the repo root:
#
#   bench/profile.sh        writes bench/PROFILE.md (about 2 minutes)
#
# Uses valgrind (callgrind: instructions per function; massif: heap over
# time) and perf with the software cpu-clock event (this machine class has
# no hardware counters).  Builds a static kwhy into build/bench/static so
# that libbpf's internal functions have names in the profiles; the heap
# profile uses the normal dynamic build/kwhy (massif needs malloc in a
# shared libc).  Every run is bounded in time; only processes started here
# are signalled, by PID; kernel.bpf_stats_enabled is set for one step and
# restored on any exit.
set -u
set -o pipefail

[ "$(id -u)" = 0 ] || { echo "bench/profile.sh: run it as root" >&2; exit 3; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
for tool in valgrind callgrind_annotate ms_print perf cc make timeout; do
	command -v $tool >/dev/null 2>&1 || { echo "bench/profile.sh: $tool is missing" >&2; exit 1; }
done
B=build/bench
P=$B/prof
REPORT=bench/PROFILE.md
mkdir -p "$P"
rm -f "$P"/*

STATS_PATH=/proc/sys/kernel/bpf_stats_enabled
OLD_STATS=
KWPID=
restore() {
	[ -n "$KWPID" ] && kill -INT "$KWPID" 2>/dev/null
	if [ -n "$OLD_STATS" ]; then echo "$OLD_STATS" >"$STATS_PATH"; OLD_STATS=; fi
}
trap restore EXIT
trap 'restore; exit 130' INT
trap 'restore; exit 143' TERM

echo "== build" >&2
make -s >"$P/make.log" 2>&1 && make -s STATIC=1 OUT=$B/static >>"$P/make.log" 2>&1 ||
	{ cat "$P/make.log" >&2; exit 1; }
cc -O2 -g -o $B/storm bench/storm.c && cc -O2 -g -o $B/churn bench/churn.c &&
	cc -O2 -g -Iuser -o $B/kwbench bench/kwbench.c user/util/jsonq.c || exit 1
KW=build/kwhy
KWS=$B/static/kwhy
BPFTOOL=$(command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)

# start_kwhy OUT ERR CMD...: runs it in the background; KWPID from its ready record
start_kwhy() {
	local out=$1 err=$2 i
	shift 2
	"$@" watch --json >"$out" 2>"$err" &
	KWPID=
	for i in $(seq 1 600); do	# 60 s: valgrind is slow to start
		KWPID=$(head -n1 "$out" 2>/dev/null | grep -o '"pid":[0-9]*' | head -n1 | cut -d: -f2)
		[ -n "$KWPID" ] && return 0
		sleep 0.1
	done
	echo "bench/profile.sh: kwhy did not become ready ($err)" >&2
	return 1
}
# stop_kwhy: SIGINT to the kwhy started above, wait for it (bounded)
stop_kwhy() {
	local i
	[ -n "$KWPID" ] || return 0
	kill -INT "$KWPID" 2>/dev/null
	for i in $(seq 1 600); do
		kill -0 "$KWPID" 2>/dev/null || break
		sleep 0.1
	done
	KWPID=
	wait 2>/dev/null
}
# top N lines of a callgrind profile, inclusive, functions only
cg_top() {
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
		sed -n '/file:function/,/^$/p' | grep -v 'file:function\|^-*$' | head -n "$2" |
		sed -e 's/ \[[^]]*\]$//' -e 's|/work/main/||'
}
perf_top() {	# perf_top FILE N [extra report args]
	local f=$1 n=$2
	shift 2
	perf report -i "$f" --no-children --sort dso,sym --stdio -g none "$@" 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n "$n"
}

# ---- 1. start-up ----
echo "== start-up: callgrind and perf" >&2
timeout 300 valgrind --tool=callgrind --callgrind-out-file=$P/startup.callgrind \
	$KWS watch --json --duration 0.001 >/dev/null 2>$P/startup.callgrind.log
timeout 120 perf record -q -F 5000 -e cpu-clock -g -o $P/startup.perf -- \
	$KWS watch --json --duration 0.001 >/dev/null 2>$P/startup.perf.log
STARTUP_DSO=$(perf report -i $P/startup.perf --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -5)
# the kernel's part, by the kwhy call that asked for it
STARTUP_KERNEL=$(perf report -i $P/startup.perf --no-children --sort sym --stdio -g none 2>/dev/null |
	grep '\[k\]' | head -12)
STARTUP_CHILDREN=$(perf report -i $P/startup.perf --children --sort sym --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' | grep -E 'bpf_check|do_check|bpf_prog_load|kernfs_fop_read|btf_parse|__sys_bpf|do_syscall_64|exc_page_fault|kw_snapshot|kw_features_probe|load_enums|bpf_object_load|bpf_core|btf__parse|btf_new' | head -20)

# ---- 2. peak memory ----
echo "== memory: massif" >&2
timeout 300 valgrind --tool=massif --depth=14 --massif-out-file=$P/massif.out \
	$KW watch --json --duration 1 >/dev/null 2>$P/massif.log
ms_print $P/massif.out >$P/massif.txt 2>/dev/null
MS_PEAK_N=$(grep -o '[0-9]* (peak)' $P/massif.txt | head -1 | cut -d' ' -f1)
MS_TABLE=$(awk '/^ +n +time\(i\)/ { t = 1 } t && /^ +[0-9]+ +[0-9,]+ +[0-9,]+/ { print }' $P/massif.txt |
	awk '!seen[$1]++' | awk '{ gsub(",", "", $3); printf "%s %.1f\n", $1, $3 / 1048576 }')
MS_MAX=$(echo "$MS_TABLE" | awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }')
MS_LAST=$(echo "$MS_TABLE" | tail -1 | awk '{ print $2 }')
# the peak snapshot's allocation tree, top levels (>= 1%)
MS_PEAK_TREE=$(awk -v n="$MS_PEAK_N" '$1 == n && $2 ~ /^[0-9,]+$/ { go = 1; next } go && /^ +[0-9]+ +[0-9,]+ +[0-9,]+/ { exit } go' $P/massif.txt |
	grep -E '^(->|\| ->|\| \| ->|\|   ->|\| \|   ->|\| \|   \|? ?->)' | grep -v 'below massif' | head -60 | cut -c1-170)

# ---- 3. listener churn ----
echo "== listener churn: perf and callgrind of kwhy" >&2
start_kwhy $P/churn-perf.jsonl $P/churn-perf.err $KWS || exit 1
timeout 60 perf record -q -F 2000 -e cpu-clock -g -p "$KWPID" -o $P/churn.perf -- sleep 4 >/dev/null 2>&1 &
PERFPID=$!
sleep 0.5
timeout 60 $B/churn -m listen -t 3 >$P/churn-perf.gen
wait $PERFPID
stop_kwhy
CHURN_PERF=$(perf_top $P/churn.perf 25)
CHURN_PERF_DSO=$(perf report -i $P/churn.perf --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -4)
start_kwhy $P/churn-cg.jsonl $P/churn-cg.err valgrind --tool=callgrind --callgrind-out-file=$P/churn.callgrind $KWS || exit 1
sleep 1
callgrind_control -z "$KWPID" >/dev/null 2>&1	# start-up out: only the records count
timeout 60 $B/churn -m listen -t 3 >$P/churn-cg.gen
sleep 2
stop_kwhy
CHURN_CG=$(cg_top $P/churn.callgrind 40)
CHURN_LOST=$(tail -n1 $P/churn-perf.jsonl | grep -o '"lost_total":[0-9]*')

# ---- 4. the storm: where the storm's CPU goes with kwhy attached ----
echo "== storm: perf of the whole machine, with and without kwhy" >&2
timeout 60 perf record -q -a -F 2000 -e cpu-clock -g -o $P/storm-untraced.perf -- \
	$B/storm -t 3 -w "$(nproc)" >$P/storm-untraced.gen 2>/dev/null
start_kwhy $P/storm.jsonl $P/storm.err $KW || exit 1
timeout 60 perf record -q -a -F 2000 -e cpu-clock -g -o $P/storm-traced.perf -- \
	$B/storm -t 3 -w "$(nproc)" >$P/storm-traced.gen 2>/dev/null
stop_kwhy
STORM_T=$(perf_top $P/storm-traced.perf 25 --comms storm --percentage relative)
STORM_U=$(perf_top $P/storm-untraced.perf 12 --comms storm --percentage relative)
# inclusive: everything under the tracepoint hooks that run BPF programs
STORM_BPF=$(perf report -i $P/storm-traced.perf --children --sort dso,sym --stdio -g none --comms storm --percentage relative 2>/dev/null |
	grep -E 'bpf_trace_run[0-9]|bpf_prog_[0-9a-f]+_kw|htab_lru_map_update_elem|bpf_lru_pop_free|bpf_lru_push_free|__htab_map_lookup_elem|bpf_probe_read_kernel|copy_from_kernel_nofault$|bpf_ktime_get_boot_ns|bpf_ringbuf' | head -20)
STORM_BPF_SUM=$(echo "$STORM_BPF" | awk '$NF ~ /^bpf_trace_run[0-9]/ { gsub("%", "", $1); s += $1 } END { printf "%.1f%%", s }')

# per-program cost with 1 and with nproc storm workers (contention)
echo "== per-program cost, 1 worker and $(nproc) workers" >&2
OLD_STATS=$(cat $STATS_PATH)
echo 1 >$STATS_PATH
timeout 120 $B/kwbench progcost --seconds 3 --workers 1 --kwhy $KW --storm $B/storm --churn $B/churn \
	--bpftool "$BPFTOOL" --out $P --tag pc1 >$P/pc1.res 2>/dev/null
timeout 120 $B/kwbench progcost --seconds 3 --workers "$(nproc)" --kwhy $KW --storm $B/storm --churn $B/churn \
	--bpftool "$BPFTOOL" --out $P --tag pcN >$P/pcN.res 2>/dev/null
echo "$OLD_STATS" >$STATS_PATH
OLD_STATS=
PC_TABLE=$(awk '$1 == "R" && $2 ~ /\.storm\..*\.ns_per_run$/ { split($2, a, "."); ns[FILENAME, a[3]] = $3; names[a[3]] = 1 }
	$1 == "R" && $2 ~ /\.storm\.rate$/ { rate[FILENAME] = $3 }
	$1 == "R" && $2 ~ /\.storm\.ns_per_connect$/ { per[FILENAME] = $3 }
	END { for (n in names) printf "| %s | %s | %s |\n", n, ns[ARGV[1], n], ns[ARGV[2], n]
	      printf "| **all programs, per refused connect** | **%s** | **%s** |\n", per[ARGV[1]], per[ARGV[2]]
	      printf "| storm rate (connects/s, statistics on) | %s | %s |\n", rate[ARGV[1]], rate[ARGV[2]] }' \
	$P/pc1.res $P/pcN.res)

# ---- 5. the storm's counts: first events per destination ----
FIRSTS=""
for f in $B/out/storm4-*.jsonl $B/out/storm6-*.jsonl; do
	[ -f "$f" ] || continue
	FIRSTS="$FIRSTS$(awk -v file="$(basename "$f")" '
		/"type":"reset_sent"/ && /"no_socket":true/ { if (match($0, /"local":\{[^}]*"text":"[^"]*"/)) { s = substr($0, RSTART, RLENGTH); sub(/.*"text":"/, "", s); sub(/"$/, "", s); rs[s]++; if (match($0, /"cpu":[0-9]+/)) cpu[s, substr($0, RSTART + 6, RLENGTH - 6)]++ } }
		/"type":"connect_failed"/ { if (match($0, /"remote":\{[^}]*"text":"[^"]*"/)) { s = substr($0, RSTART, RLENGTH); sub(/.*"text":"/, "", s); sub(/"$/, "", s); cf[s]++ } }
		/"type":"explanation"/ { if (match($0, /"destination":\{[^}]*"text":"[^"]*"/)) { s = substr($0, RSTART, RLENGTH); sub(/.*"text":"/, "", s); sub(/"$/, "", s); ex[s]++ } }
		END { for (d in ex) if (rs[d] + cf[d] > 0) printf "| %s | %s | %d | %d (cpu 0: %d, cpu 1: %d) | %d |\n", file, d, ex[d], rs[d], cpu[d, 0], cpu[d, 1], cf[d] }' "$f")
"
done

# ---- the report ----
{
cat <<EOF
# Where kwhy's time and memory go

Written by \`bench/profile.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), kernel $(uname -r), $(nproc) CPUs,
kwhy $(git describe --always --dirty 2>/dev/null). Companion to bench/RESULTS.md.
Percentages are of the profiled process's samples (perf, cpu-clock at 2-5 kHz)
or of its instructions (callgrind, user space only).

## 1. Start-up (exec → \`ready\`): perf, static build

By object (kernel vs kwhy's own code with libbpf linked in):

\`\`\`
$STARTUP_DSO
\`\`\`

Kernel functions (self):

\`\`\`
$STARTUP_KERNEL
\`\`\`

Selected call paths, inclusive:

\`\`\`
$STARTUP_CHILDREN
\`\`\`

User space by function, inclusive (callgrind, static build so libbpf's
internal functions are named):

\`\`\`
$(cg_top $P/startup.callgrind 40)
\`\`\`

## 2. Peak memory (VmHWM): massif, dynamic build

Heap over the run (snapshot, MiB): peak $MS_MAX MiB, at the end $MS_LAST MiB.

\`\`\`
$(echo "$MS_TABLE" | awk '{ printf "%s:%s  ", $1, $2 } NR % 8 == 0 { print "" } END { print "" }')
\`\`\`

The peak snapshot ($MS_PEAK_N), by allocation site:

\`\`\`
$MS_PEAK_TREE
\`\`\`

## 3. Listener churn (events lost, kwhy's CPU)

$(cat $P/churn-perf.gen) — kwhy's final $CHURN_LOST.

perf of kwhy, by object:

\`\`\`
$CHURN_PERF_DSO
\`\`\`

perf of kwhy, by function (self):

\`\`\`
$CHURN_PERF
\`\`\`

callgrind of kwhy (user space, inclusive; under valgrind kwhy is ~50x
slower, so it loses more, but the cost per record is what it is):

\`\`\`
$CHURN_CG
\`\`\`

## 4. The storm: the storm processes' CPU with kwhy attached

$(cat $P/storm-untraced.gen) (untraced)
$(cat $P/storm-traced.gen) (kwhy attached)

BPF-related symbols in the storm's samples (kwhy attached); columns are
inclusive (children) and self. Everything kwhy's programs do runs under
\`bpf_trace_runN\` (the tracepoint hook): together $STORM_BPF_SUM of the storm's
CPU samples.

\`\`\`
$STORM_BPF
\`\`\`

Top symbols, storm processes, kwhy attached:

\`\`\`
$STORM_T
\`\`\`

Top symbols, storm processes, untraced:

\`\`\`
$STORM_U
\`\`\`

Per-program average ns per run during a 3 s storm (kernel.bpf_stats_enabled=1),
with 1 storm worker and with $(nproc) (one per CPU):

| program | 1 worker | $(nproc) workers |
|---|---|---|
$PC_TABLE

## 5. Aggregation in the storm: first events and explanations per destination

From the storm runs of the last \`bench/run.sh\` (build/bench/out). With
aggregation as documented, each destination would have one \`reset_sent\`
and one \`connect_failed\` per storm worker, and one explanation.

| run | destination | explanations | \`reset_sent\` records (by CPU) | \`connect_failed\` records |
|---|---|---|---|---|
$FIRSTS
EOF
} >"$REPORT"
echo "== wrote $REPORT" >&2
