#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# kwhy's benchmark: one command, as root, on this checkout.
#
#   bench/run.sh            the full run (about 6-8 minutes); writes bench/RESULTS.md
#   bench/run.sh --quick    a smoke run for CI (< 60 s, small counts); writes
#                           build/bench/RESULTS-quick.md, so the full results stay
#
# Builds kwhy (make at the repo root) and the helpers (cc, into build/bench/):
#   storm    refused non-blocking connects to closed loopback ports (bench/storm.c)
#   churn    listeners and short-lived processes (bench/churn.c)
#   growth   the model's growth, pure (bench/growth.c, linked with build/libkwhy.a)
#   peers    bpftrace and libbpf-tools tcpstates beside kwhy (bench/peers.sh;
#            Debian's bpftrace and libbpf-tools, from tests/deps.sh --test)
#   kwbench  the driver: runs baseline and kwhy alternately, reads kwhy's JSON
#            output, /proc and fdinfo, prints "R key value" results (bench/kwbench.c)
# and writes a report with the medians, ratios, targets (met/missed) and the
# peers' figures.  Every loop is bounded in count and time, every step is
# under `timeout`; traffic goes to 127.0.0.1 and ::1 only; only processes
# this run started are signalled, by PID (children also die with their
# parent: PR_SET_PDEATHSIG).  The one sysctl it changes,
# kernel.bpf_stats_enabled, is set only around the per-program step and
# restored on any exit.
#
# Exit status: 0 when every measurement was taken (targets missed or not),
# 1 when one could not be, 2 usage, 3 not root.
set -u
set -o pipefail

usage() { echo "usage: bench/run.sh [--quick]" >&2; exit 2; }
QUICK=0
case "${1:-}" in
"") ;;
--quick) QUICK=1 ;;
*) usage ;;
esac
[ $# -le 1 ] || usage
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run it as root (BPF, sysctl)" >&2; exit 3; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
B=build/bench
OUT=$B/out
KV=$OUT/results.kv
if [ $QUICK = 1 ]; then REPORT=$B/RESULTS-quick.md; else REPORT=bench/RESULTS.md; fi
CMDLINE="bench/run.sh${1:+ $1}"

for tool in cc make awk timeout bpftool; do
	command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] ||
		{ echo "bench/run.sh: $tool is missing (tests/deps.sh installs what kwhy needs)" >&2; exit 1; }
done
BPFTOOL=$(command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)

# ---- the sysctl, restored whatever happens ----
STATS_PATH=/proc/sys/kernel/bpf_stats_enabled
OLD_STATS=
restore_sysctl() {
	if [ -n "$OLD_STATS" ]; then
		echo "$OLD_STATS" >"$STATS_PATH" 2>/dev/null ||
			echo "bench/run.sh: could not restore kernel.bpf_stats_enabled=$OLD_STATS" >&2
		OLD_STATS=
	fi
}
trap restore_sysctl EXIT
trap 'restore_sysctl; exit 130' INT
trap 'restore_sysctl; exit 143' TERM

# ---- build ----
echo "== build" >&2
mkdir -p "$B" "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/*.err "$OUT"/*.head "$OUT"/*.count "$OUT"/*.out "$OUT"/*.res "$KV"
make -s >"$OUT/make.log" 2>&1 || { cat "$OUT/make.log" >&2; echo "bench/run.sh: make failed" >&2; exit 1; }
CFLAGS_B="-O2 -g -Wall -Wextra"
cc $CFLAGS_B -o $B/storm bench/storm.c &&
	cc $CFLAGS_B -o $B/churn bench/churn.c &&
	cc $CFLAGS_B -Iuser -o $B/kwbench bench/kwbench.c user/util/jsonq.c &&
	cc $CFLAGS_B -o $B/emptyprog bench/emptyprog.c -lbpf &&
	cc $CFLAGS_B -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -o $B/growth bench/growth.c build/libkwhy.a &&
	clang -g -O2 -target bpf -D__TARGET_ARCH_$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/') \
		-Ivmlinux/$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/') \
		-c bench/empty.bpf.c -o $B/empty.bpf.o ||
	{ echo "bench/run.sh: building the helpers failed" >&2; exit 1; }

NPROC=$(nproc)
if [ $QUICK = 1 ]; then
	PAIRS=1 SPAIRS=1 SEC=1 PAIRS_X=1 CHURN_SEC=1 RUNS=2 STEADY=3 LAT_SEC=1 PROG_SEC=1
	MAX=2000000
else
	PAIRS=5 SPAIRS=7 SEC=5 PAIRS_X=3 CHURN_SEC=3 RUNS=7 STEADY=5 LAT_SEC=10 PROG_SEC=5
	MAX=10000000
fi
COMMON=(--kwhy build/kwhy --storm $B/storm --churn $B/churn --bpftool "$BPFTOOL" --out "$OUT")

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)
FAILED=""

# step NAME TIME_LIMIT_S kwbench-args...: results appended to $KV
step() {
	local name=$1 limit=$2 rc
	shift 2
	echo "== $name" >&2
	timeout -k 15 "$limit" $B/kwbench "$@" "${COMMON[@]}" --tag "$name" >"$OUT/$name.res"
	rc=$?
	cat "$OUT/$name.res" >>"$KV"
	grep '^F ' "$OUT/$name.res" >&2
	if [ $rc != 0 ] || grep -q '^F ' "$OUT/$name.res"; then
		FAILED="$FAILED $name"
		echo "   $name: a measurement could not be taken (exit $rc)" >&2
	fi
}

# 1. storm: untraced vs kwhy, alternating; IPv4 and IPv6 with one worker per
#    CPU (the peers' ~200k/s class), then single-worker IPv4 and
#    --no-aggregate IPv4 for comparison
SLIM=$(( (SPAIRS * (2 * SEC + 12)) + 60 ))
XLIM=$(( (PAIRS_X * (2 * SEC + 12)) + 60 ))
step storm4 $SLIM storm --family 4 --pairs $SPAIRS --seconds $SEC --max $MAX --workers $NPROC --dests 2
step storm6 $SLIM storm --family 6 --pairs $SPAIRS --seconds $SEC --max $MAX --workers $NPROC --dests 2
step storm4_1w $XLIM storm --family 4 --pairs $PAIRS_X --seconds $SEC --max $MAX --workers 1 --dests 2
step storm4_noagg $XLIM storm --family 4 --pairs $PAIRS_X --seconds $SEC --max $MAX --workers $NPROC \
	--dests 2 --no-aggregate

# 1b. the peers beside kwhy, same rounds (bench/peers.sh)
echo "== peers" >&2
if ! timeout $((PAIRS * 5 * (SEC + 40) + 60)) bash -c ". bench/peers.sh; peers_run $PAIRS $SEC $NPROC $KV $OUT $B/storm build/kwhy"; then
	grep '^F peers' "$KV" >&2
	grep -q '^F peers' "$KV" || echo "F peers: the run did not finish" >>"$KV"
	FAILED="$FAILED peers"
fi

# 2. churn
CLIM=$(( (PAIRS * (2 * CHURN_SEC + 12)) + 60 ))
step churn_listen $CLIM churn --mode listen --pairs $PAIRS --seconds $CHURN_SEC --max $MAX
step churn_fork $CLIM churn --mode fork --pairs $PAIRS --seconds $CHURN_SEC --max $MAX
step churn_forklisten $CLIM churn --mode forklisten --pairs $PAIRS --seconds $CHURN_SEC --max $MAX
# the success path: connect, accept, close on loopback (nothing to explain)
step churn_connect $CLIM churn --mode connect --pairs $PAIRS --seconds $CHURN_SEC --max $MAX

# 2b. rare events during a storm: 1,000 listeners/s (each also an exit) and
#     1,000 more exits/s during a 50k/s storm; aggregated, then with every
#     refusal a record (--no-aggregate: the bulk ring overflows)
RLIM=$(( (PAIRS * (CHURN_SEC + 15)) + 60 ))
step rare $RLIM rare --pairs $PAIRS --seconds $CHURN_SEC --workers $NPROC
step rare_noagg $RLIM rare --pairs $PAIRS --seconds $CHURN_SEC --workers $NPROC --no-aggregate

# 3. per-program cost: kernel.bpf_stats_enabled=1 only for this step
if OLD_STATS=$(cat $STATS_PATH 2>/dev/null) && echo 1 >$STATS_PATH; then
	step progcost $((PROG_SEC + 2 * CHURN_SEC + 90)) progcost --seconds $PROG_SEC --workers $NPROC \
		--empty $B/emptyprog --empty-obj $B/empty.bpf.o
	restore_sysctl
else
	OLD_STATS=
	echo "F progcost: cannot set kernel.bpf_stats_enabled" >>"$KV"
	FAILED="$FAILED progcost"
fi

# 4. start-up and memory: 0, 100 and 10,000 listeners before kwhy starts
step startup0 $((RUNS * 10 + STEADY + 60)) startup --listeners 0 --runs $RUNS --steady $STEADY
step startup100 $((RUNS * 10 + STEADY + 60)) startup --listeners 100 --runs $RUNS --steady $STEADY
step startup10k $((RUNS * 10 + STEADY + 90)) startup --listeners 10000 --runs $RUNS --steady $STEADY

# 4b. the model's growth (pure, no root needed: bench/growth.c)
echo "== growth" >&2
if timeout 300 $B/growth $([ $QUICK = 1 ] && echo --quick) >"$OUT/growth.md" 2>"$OUT/growth.res"; then
	cat "$OUT/growth.res" >>"$KV"
else
	cat "$OUT/growth.res" >&2
	echo "F growth: bench/growth failed" >>"$KV"
	FAILED="$FAILED growth"
fi

# 5. latency, event -> explanation written: idle, then with a storm on
step lat_idle $((LAT_SEC + 90)) latency --seconds $LAT_SEC --interval-ms 20 --storm-workers 0
step lat_storm $((LAT_SEC + 90)) latency --seconds $LAT_SEC --interval-ms 20 --storm-workers $NPROC

T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report ----
R() { awk -v k="$1" '$1 == "R" && $2 == k { v = $3 } END { print (v == "" ? "n/a" : v) }' "$KV"; }
# verdict VALUE ge|le TARGET
verdict() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v == "n/a" || v == "") { print "n/a"; exit }
		ok = (op == "ge") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
		print ok ? "met" : "**missed**" }'
}
sum() { awk -v s=0 "BEGIN { for (i = 1; i < ARGC; i++) if (ARGV[i] != \"n/a\") s += ARGV[i]; print s }" "$@"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.1f%%", 100 * a / b; else print "n/a" }'; }

MEM_KB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
KVER=$(uname -r)
KWVER=$(git describe --always --dirty 2>/dev/null || echo unknown)
PERF_OUT=$(perf stat -e instructions true 2>&1) || PERF_OUT="not supported"
case "$PERF_OUT" in
*"not supported"* | *"not found"*) PERF="perf: no hardware counters (\`perf stat -e instructions\` not supported), software cpu-clock sampling only" ;;
*) PERF="perf: hardware counters available" ;;
esac

S4R=$(R storm4.ratio_median) S6R=$(R storm6.ratio_median)
S4CPU=$(R storm4.kwhy_cpu_pct) S6CPU=$(R storm6.kwhy_cpu_pct)
STORM_LOST=$(sum "$(R storm4.lost_total_sum)" "$(R storm6.lost_total_sum)")
EXPL_RUNS=$(sum "$(R storm4.explained_runs)" "$(R storm6.explained_runs)" "$(R storm4_1w.explained_runs)")
EXACT_RUNS=$(sum "$(R storm4.exact_runs)" "$(R storm6.exact_runs)" "$(R storm4_1w.exact_runs)")
ALL_RUNS=$(sum "$(R storm4.pairs)" "$(R storm6.pairs)" "$(R storm4_1w.pairs)")
RARE_LOST=$(sum "$(R churn_listen.lost_listen)" "$(R churn_listen.lost_listen_close)" "$(R churn_listen.lost_bind)" \
	"$(R churn_forklisten.lost_listen)" "$(R churn_forklisten.lost_listen_close)" "$(R churn_forklisten.lost_bind)" \
	"$(R churn_forklisten.lost_process_exit)" "$(R churn_fork.lost_process_exit)")
CHURN_UNCOUNTED=$(sum "$(R churn_listen.uncounted_types)" "$(R churn_forklisten.uncounted_types)")
CHURN_PROBES=$(sum "$(R churn_listen.probes)" "$(R churn_forklisten.probes)")
CHURN_PROBES_RIGHT=$(sum "$(R churn_listen.probes_right)" "$(R churn_forklisten.probes_right)")
CHURN_LOSSY=$(sum "$(R churn_listen.lossy_runs)" "$(R churn_forklisten.lossy_runs)")
CHURN_BAD=$(( CHURN_UNCOUNTED + CHURN_PROBES - CHURN_PROBES_RIGHT ))
[ "$CHURN_PROBES" -gt 0 ] 2>/dev/null || CHURN_BAD=1
RARE_EXP=$(sum "$(R churn_listen.expected_listen)" "$(R churn_listen.expected_listen_close)" "$(R churn_listen.expected_bind)" \
	"$(R churn_forklisten.expected_listen)" "$(R churn_forklisten.expected_listen_close)" "$(R churn_forklisten.expected_bind)" \
	"$(R churn_forklisten.expected_process_exit)")
PEAK_IDLE=$(R startup100.peak_rss_mib)
PEAK_STORM=$(awk -v a="$(R storm4.peak_rss_mib)" -v b="$(R storm6.peak_rss_mib)" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
PEAK_MAX=$(awk -v a="$PEAK_IDLE" -v b="$PEAK_STORM" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
yesno() { [ "$1" = "$2" ] && echo met || echo "**missed**"; }

{
cat <<EOF
# kwhy benchmark results

$( [ $QUICK = 1 ] && echo '**Quick smoke run (CI): small counts, one pair per measurement; not for conclusions.**' )

- Command: \`$CMDLINE\` (as root, at the repo root; $((T_END - T_START)) s)
- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
- kwhy: $KWVER
- Machine: $NPROC CPUs ($CPU_MODEL), $((MEM_KB / 1024)) MiB memory, kernel $KVER; $PERF
- Load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END. The machine is shared:
  other work running at the same time shows up as noise, which the alternating
  pairs and medians are there to absorb. Runs where another kwhy process was
  running during a baseline (storm4/storm6/churn): $(sum "$(R storm4.foreign_kwhy_runs)" "$(R storm6.foreign_kwhy_runs)" "$(R churn_listen.foreign_kwhy_runs)" "$(R churn_fork.foreign_kwhy_runs)" "$(R churn_forklisten.foreign_kwhy_runs)").
- Method: every figure is kwhy against a baseline taken in the same run,
  alternating (baseline, kwhy, baseline, kwhy, ...; $SPAIRS pairs for the
  IPv4 and IPv6 storms, $PAIRS for each churn, $PAIRS_X for the extra storm
  variants), reporting medians and ratios. kwhy runs as
  \`kwhy watch --json\` with its output to a file (the \`--no-aggregate\` storm:
  to a pipe read and thrown away). The storm uses $NPROC worker processes
  (one per CPU), each keeping 64 non-blocking connects in flight, for $SEC s;
  two closed destinations per run.

## Targets

| what | measured | target | |
|---|---|---|---|
| beside the peers (section 0): kwhy's storm ratio ÷ bpftrace counting in the kernel (the floor), same rounds | $(awk -v a="$(R peers.kwhy.ratio_median)" -v b="$(R peers.bpftrace_count.ratio_median)" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "n/a" }') ($(R peers.kwhy.ratio_median) / $(R peers.bpftrace_count.ratio_median)) | ≥ 0.95 / 0.976 (the issue's floor) | $(verdict "$(awk -v a="$(R peers.kwhy.ratio_median)" -v b="$(R peers.bpftrace_count.ratio_median)" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "n/a" }')" ge 0.973) |
| storm connects/s under kwhy ÷ untraced, IPv4 (median of $(R storm4.pairs) pairs) | $S4R (min $(R storm4.ratio_min), max $(R storm4.ratio_max)) | ≥ 0.95 | $(verdict "$S4R" ge 0.95) |
| same, IPv6 | $S6R (min $(R storm6.ratio_min), max $(R storm6.ratio_max)) | ≥ 0.95 | $(verdict "$S6R" ge 0.95) |
| kwhy CPU during the storm, % of one core (IPv4 / IPv6) | $S4CPU / $S6CPU | ≤ 10 | $(verdict "$(awk -v a="$S4CPU" -v b="$S6CPU" 'BEGIN{print (a+0>b+0)?a:b}')" le 10) |
| refusal events lost in the storm (all pairs, IPv4 + IPv6) | $STORM_LOST | 0 | $(verdict "$STORM_LOST" le 0) |
| listener/bind/exit events at full churn rate (listen + forklisten + fork; the issue's 100k changes/s class): lost, every loss counted, and the next refusal explained from listeners read again | $RARE_LOST of $RARE_EXP lost; uncounted: $CHURN_UNCOUNTED; refusal after the churn explained right $CHURN_PROBES_RIGHT of $CHURN_PROBES (runs with losses: $CHURN_LOSSY) | losses counted, model resynchronised | $(verdict "$CHURN_BAD" le 0) |
| listen/bind/exit events lost, 1,000 listeners/s + 2,000 exits/s during a $(R rare.storm_rate_median)/s storm (aggregated / \`--no-aggregate\`) | $(R rare.lost_rare) / $(R rare_noagg.lost_rare) lost, $(R rare.missing_rare) / $(R rare_noagg.missing_rare) missing of $(R rare.expected_rare) / $(R rare_noagg.expected_rare) (bulk events lost, counted: $(R rare.lost_bulk) / $(R rare_noagg.lost_bulk)) | 0 | $(verdict "$(sum "$(R rare.lost_rare)" "$(R rare_noagg.lost_rare)" "$(R rare.missing_rare)" "$(R rare_noagg.missing_rare)")" le 0) |
| success path: connect+accept+close/s under kwhy ÷ untraced (median of $(R churn_connect.pairs)) | $(R churn_connect.ratio_median) | ≥ 0.98 | $(verdict "$(R churn_connect.ratio_median)" ge 0.98) |
| \`inet_sock_set_state\` on the success path ÷ an empty tp_btf program on it, same run (bpf_stats) | $(R progcost.connect.kw_inet_sock_set_state.vs_empty) ($(R progcost.connect.kw_inet_sock_set_state.ns_per_run) / $(R progcost.connect.kw_inet_sock_set_state.empty_ns_per_run) ns per run) | ≤ 1.5 | $(verdict "$(R progcost.connect.kw_inet_sock_set_state.vs_empty)" le 1.5) |
| BPF time per refused connect, all programs (bpf_stats) | $(R progcost.storm.ns_per_connect) ns | ≤ 400 ns | $(verdict "$(R progcost.storm.ns_per_connect)" le 400) |
| OOM kill events lost | not exercised: this benchmark generates no OOM kills (kwhy's \`lost.oom_kill\` stays 0 in every run) | 0 | n/a |
| every distinct cause explained (one explanation per destination) | $EXPL_RUNS of $ALL_RUNS storm runs | all | $(yesno "$EXPL_RUNS" "$ALL_RUNS") |
| counts exact (explanation + Σ summary counts = refused connects seen by the generator) | $EXACT_RUNS of $ALL_RUNS storm runs (worst error: IPv4 $(R storm4.worst_count_error), IPv6 $(R storm6.worst_count_error), 1 worker $(R storm4_1w.worst_count_error)) | all | $(yesno "$EXACT_RUNS" "$ALL_RUNS") |
| p99 event → explanation, idle | $(R lat_idle.p99_ms) ms | ≤ 10 ms | $(verdict "$(R lat_idle.p99_ms)" le 10) |
| p99 event → explanation, during a storm | $(R lat_storm.p99_ms) ms | ≤ 20 ms | $(verdict "$(R lat_storm.p99_ms)" le 20) |
| peak RSS (VmHWM), idle with 100 listeners / under the storm | $PEAK_IDLE / $PEAK_STORM MiB | ≤ 10 MiB | $(verdict "$PEAK_MAX" le 10) |
| steady RSS (VmRSS after ${STEADY} s idle, 100 listeners) | $(R startup100.steady_rss_mib) MiB | ≤ 6 MiB | $(verdict "$(R startup100.steady_rss_mib)" le 6) |
| exec → \`ready\` record with 100 listeners (median of $(R startup100.runs)) | $(R startup100.ready_ms_median) ms | ≤ 50 ms | $(verdict "$(R startup100.ready_ms_median)" le 50) |
| exec → \`ready\` record with 10,000 listeners (median of $(R startup10k.runs)) | $(R startup10k.ready_ms_median) ms | ≤ 300 ms | $(verdict "$(R startup10k.ready_ms_median)" le 300) |
| model growth: explanation or listener change at $(R growth.top) listeners ÷ at 100, worst cause (section 4b) | $(R growth.worst_ratio)× | ≤ 2.5× (logarithmic) | $(verdict "$(R growth.worst_ratio)" le 2.5) |

## 0. Beside the peers, same run

The issue's table, measured here: each of $(R peers.rounds) rounds runs the storm
($NPROC workers, ${SEC} s) untraced, then under each tracer in turn; ratio =
connects/s traced ÷ untraced of the same round (median over rounds); output
lines and peak RSS (VmHWM just before SIGINT) of the tracer (bench/peers.sh).

| tracer | ratio (median) | output lines (median) | peak RSS (max) |
|---|---|---|---|
| bpftrace, counting resets in the kernel (\`tracepoint:tcp:tcp_receive_reset { @resets = count(); }\`: no who, no why) | $(R peers.bpftrace_count.ratio_median) | $(R peers.bpftrace_count.lines_median) | $(R peers.bpftrace_count.peak_rss_mib) MiB |
| **kwhy watch --json** | **$(R peers.kwhy.ratio_median)** | $(R peers.kwhy.lines_median) | $(R peers.kwhy.peak_rss_mib) MiB |
| bpftrace printing each received reset | $(R peers.bpftrace_print.ratio_median) | $(R peers.bpftrace_print.lines_median) | $(R peers.bpftrace_print.peak_rss_mib) MiB |
| libbpf-tools tcpstates | $(R peers.tcpstates.ratio_median) | $(R peers.tcpstates.lines_median) | $(R peers.tcpstates.peak_rss_mib) MiB |

\`\`\`
$(grep -h '^P peers' "$KV")
\`\`\`

## 1. Storm of refused connects

| variant | untraced connects/s (median) | under kwhy (median) | ratio (median of pairs) | kwhy CPU % of a core | kwhy CPU s per 100k connects | refused per run (median) | events emitted / aggregated in kernel (median) | lost (sum) | explanations per run (median) | summaries (median) | explained / exact runs | causes |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
for t in storm4 storm6 storm4_1w storm4_noagg; do
	case $t in
	storm4) label="IPv4, $NPROC workers" ;;
	storm6) label="IPv6, $NPROC workers" ;;
	storm4_1w) label="IPv4, 1 worker" ;;
	storm4_noagg) label="IPv4, $NPROC workers, \`--no-aggregate\`" ;;
	esac
	if [ "$(R $t.explained_runs)" = -1 ]; then ex="n/a (output not kept)"; else ex="$(R $t.explained_runs) / $(R $t.exact_runs) of $(R $t.pairs)"; fi
	echo "| $label | $(R $t.untraced_rate_median) | $(R $t.traced_rate_median) | $(R $t.ratio_median) | $(R $t.kwhy_cpu_pct) | $(R $t.kwhy_cpu_per_100k_s) | $(R $t.refused_median) | $(R $t.emitted_median) / $(R $t.aggregated_median) | $(R $t.lost_total_sum) | $(R $t.explanations_median) | $(R $t.summaries_median) | $ex | $(R $t.causes) |"
done
cat <<EOF

First events sent for the storm's destinations (the rest are counted in the
kernel): median per run $(R storm4.first_events_median) (IPv4), $(R storm6.first_events_median) (IPv6), $(R storm4_1w.first_events_median) (1 worker);
with aggregation working as documented it would be $(R storm4.first_events_expected), $(R storm6.first_events_expected) and $(R storm4_1w.first_events_expected):
per destination one \`reset_sent\` (its key has no process) and one
\`connect_failed\` per worker process. More means repeats were sent as new
first events.

Per pair (P lines: untraced and traced connects/s, ratio, kwhy CPU, lost, exactness):

\`\`\`
$(grep -h '^P storm' "$OUT"/storm*.res)
\`\`\`

## 2. Churn: listeners and short-lived processes

| generator | untraced ops/s (median) | under kwhy (median) | ratio | kwhy CPU % of a core | events kwhy wrote / the generator caused | lost (kwhy's \`stats.lost\`) | complete runs |
|---|---|---|---|---|---|---|---|
| bind + listen + close on 127.0.0.1:0 | $(R churn_listen.untraced_rate_median) | $(R churn_listen.traced_rate_median) | $(R churn_listen.ratio_median) | $(R churn_listen.kwhy_cpu_pct) | listen $(R churn_listen.seen_listen)/$(R churn_listen.expected_listen), listen_close $(R churn_listen.seen_listen_close)/$(R churn_listen.expected_listen_close), bind $(R churn_listen.seen_bind)/$(R churn_listen.expected_bind) | listen $(R churn_listen.lost_listen), listen_close $(R churn_listen.lost_listen_close), bind $(R churn_listen.lost_bind) | $(R churn_listen.complete_runs) of $(R churn_listen.pairs) |
| fork + \`_exit\` (exits are only counted, \`filtered\`) | $(R churn_fork.untraced_rate_median) | $(R churn_fork.traced_rate_median) | $(R churn_fork.ratio_median) | $(R churn_fork.kwhy_cpu_pct) | all counted (filtered ≥ forks) | process_exit $(R churn_fork.lost_process_exit) | $(R churn_fork.complete_runs) of $(R churn_fork.pairs) |
| fork; the child listens and \`_exit\`s holding it | $(R churn_forklisten.untraced_rate_median) | $(R churn_forklisten.traced_rate_median) | $(R churn_forklisten.ratio_median) | $(R churn_forklisten.kwhy_cpu_pct) | process_exit $(R churn_forklisten.seen_process_exit)/$(R churn_forklisten.expected_process_exit), listen $(R churn_forklisten.seen_listen)/$(R churn_forklisten.expected_listen), listen_close $(R churn_forklisten.seen_listen_close)/$(R churn_forklisten.expected_listen_close), bind $(R churn_forklisten.seen_bind)/$(R churn_forklisten.expected_bind) | process_exit $(R churn_forklisten.lost_process_exit), listen $(R churn_forklisten.lost_listen), listen_close $(R churn_forklisten.lost_listen_close), bind $(R churn_forklisten.lost_bind) | $(R churn_forklisten.complete_runs) of $(R churn_forklisten.pairs) |

| connect + accept + close on 127.0.0.1 (the success path) | $(R churn_connect.untraced_rate_median) | $(R churn_connect.traced_rate_median) | $(R churn_connect.ratio_median) | $(R churn_connect.kwhy_cpu_pct) | nothing to report | $(R churn_connect.lost_total_sum) | $(R churn_connect.complete_runs) of $(R churn_connect.pairs) |

Events are matched by the generator's comm (\`kwbchurn\`); "complete" means
every event the generator caused is in kwhy's output.

Rare events during a storm (\`kwbench rare\`: a paced storm of refused
connects, \`churn -m forklisten -r 1000\` and \`churn -m fork -r 1000\` at once):

\`\`\`
$(grep -h '^P rare' "$OUT"/rare*.res)
\`\`\`

\`\`\`
$(grep -h '^P churn' "$OUT"/churn*.res)
\`\`\`

## 3. Per-program cost (kernel.bpf_stats_enabled=1)

kwhy watching a ${PROG_SEC} s IPv4 storm ($(R progcost.storm.refused) refused connects at $(R progcost.storm.rate)/s), then successful connect+accept+close on loopback (phase \`connect\`: the success path, where the failed-call programs of connect, accept and kfree_skb run on every connection and must filter at once), then ${CHURN_SEC} s of fork+listen+exit churn ($(R progcost.churn.ops) processes); run_cnt and run_time_ns deltas from /proc/PID/fdinfo of kwhy's program descriptors, names from \`bpftool prog show\`. Statistics collection itself adds a little to each run.

| phase | program | runs | ns per run (average) |
|---|---|---|---|
EOF
awk '$1 == "R" && $2 ~ /^progcost\.(storm|connect|churn)\..*\.ns_per_run$/ {
	split($2, a, "."); ns[a[2] "." a[3]] = $3 }
     $1 == "R" && $2 ~ /^progcost\.(storm|connect|churn)\..*\.runs$/ {
	split($2, a, "."); runs[a[2] "." a[3]] = $3; order[++n] = a[2] "." a[3] }
     END { for (i = 1; i <= n; i++) { split(order[i], b, "."); printf "| %s | %s | %s | %s |\n", b[1], b[2], runs[order[i]], ns[order[i]] } }' "$KV"
cat <<EOF

BPF time in the kernel per refused connect (all of kwhy's programs): **$(R progcost.storm.ns_per_connect) ns**; per successful connect+accept+close: $(R progcost.connect.ns_per_op) ns ($(R progcost.connect.rate)/s); per churn process: $(R progcost.churn.ns_per_op) ns.

Against an empty tp_btf program attached to the same tracepoint in the same
phase (bench/empty.bpf.c; its run time is the trampoline and the statistics
themselves): \`inet_sock_set_state\` in the storm $(R progcost.storm.kw_inet_sock_set_state.vs_empty)× ($(R progcost.storm.kw_inet_sock_set_state.empty_ns_per_run) ns empty),
on the success path $(R progcost.connect.kw_inet_sock_set_state.vs_empty)× ($(R progcost.connect.kw_inet_sock_set_state.empty_ns_per_run) ns empty); \`tcp_send_reset\` in the storm
$(R progcost.storm.kw_tcp_send_reset_v3.vs_empty)× ($(R progcost.storm.kw_tcp_send_reset_v3.empty_ns_per_run) ns empty).

## 4. Start-up and memory

| listeners before kwhy | exec → \`ready\` (median of runs) | max | exec baseline (\`kwhy --version\` to exit) | exec → last snapshot \`listen\` of them | of them reported | RSS at ready | steady RSS (${STEADY} s idle) | peak RSS (VmHWM) |
|---|---|---|---|---|---|---|---|---|
| 0 | $(R startup0.ready_ms_median) ms | $(R startup0.ready_ms_max) ms | $(R startup0.exec_baseline_ms_median) ms | – | – | $(R startup0.rss_at_ready_mib) MiB | $(R startup0.steady_rss_mib) MiB | $(R startup0.peak_rss_mib) MiB |
| 100 | $(R startup100.ready_ms_median) ms | $(R startup100.ready_ms_max) ms | $(R startup100.exec_baseline_ms_median) ms | $(R startup100.snapshot_ms_median) ms | $(R startup100.snapshot_reported_min) of 100 | $(R startup100.rss_at_ready_mib) MiB | $(R startup100.steady_rss_mib) MiB | $(R startup100.peak_rss_mib) MiB |
| 10,000 | $(R startup10k.ready_ms_median) ms | $(R startup10k.ready_ms_max) ms | $(R startup10k.exec_baseline_ms_median) ms | $(R startup10k.snapshot_ms_median) ms | $(R startup10k.snapshot_reported_min) of 10000 | $(R startup10k.rss_at_ready_mib) MiB | $(R startup10k.steady_rss_mib) MiB | $(R startup10k.peak_rss_mib) MiB |

Peak RSS under the storm (VmHWM at the end of the storm runs, max): IPv4 $(R storm4.peak_rss_mib) MiB, IPv6 $(R storm6.peak_rss_mib) MiB.
BPF memory (sum of \`memlock\` in kwhy's fdinfo): maps $(R startup100.bpf_map_memlock_kib) KiB in $(R startup100.bpf_maps) maps; programs $(R startup100.bpf_prog_memlock_kib) KiB in $(R startup100.bpf_progs).

## 4b. Growth of the model (bench/growth.c: pure, no root)

Cost of one explanation by cause, and of one listener change (a listen or
a close), with the model holding this many listeners spread over this many
containers (a network namespace and a cgroup each); medians of 9 batches.

$(cat "$OUT/growth.md" 2>/dev/null)

## 5. Latency: kernel event → explanation written

A client refuses itself on a fresh closed port (bound, never listening, so
each probe is a new destination) every 20 ms for ${LAT_SEC} s; the reader takes
CLOCK_BOOTTIME when each \`explanation\` line arrives on kwhy's stdout (a
pipe) minus the record's \`boot_ns\`.

| condition | probes | explained | p50 | p99 | max |
|---|---|---|---|---|---|
| idle | $(R lat_idle.probes) | $(R lat_idle.explained) | $(R lat_idle.p50_ms) ms | $(R lat_idle.p99_ms) ms | $(R lat_idle.max_ms) ms |
| storm on another destination ($(R lat_storm.storm_rate) connects/s, $NPROC workers) | $(R lat_storm.probes) | $(R lat_storm.explained) | $(R lat_storm.p50_ms) ms | $(R lat_storm.p99_ms) ms | $(R lat_storm.max_ms) ms |

## Against the peers

Measured in this run, side by side: section 0.

## kwhy's exit after SIGINT

$( BAD=$(sum "$(R storm4.kwhy_bad_exits)" "$(R storm6.kwhy_bad_exits)" "$(R storm4_1w.kwhy_bad_exits)" "$(R storm4_noagg.kwhy_bad_exits)" "$(R churn_listen.kwhy_bad_exits)" "$(R churn_fork.kwhy_bad_exits)" "$(R churn_forklisten.kwhy_bad_exits)")
if [ "$BAD" = 0 ]; then echo "kwhy exited with status 0 after SIGINT in every storm and churn run."; else
echo "kwhy exited with a nonzero status after SIGINT in $BAD run(s) (its final counters were still read):"; echo; echo '```'; grep -h '^M ' "$KV"; echo '```'; fi )

## Measurements not taken

$( if [ -n "$FAILED" ]; then echo "These steps could not take every measurement:$FAILED"; echo; echo '```'; grep -h '^F ' "$KV"; echo '```'; else echo "None: every measurement was taken."; fi )

Profiles of the targets kwhy misses: \`bench/profile.sh\` (writes bench/PROFILE.md).
Raw results: \`$KV\` (R = result, P = per pair, F = not taken); kwhy's output of each run in \`$OUT/\`.
EOF
} >"$REPORT"

# every target line, measured / target / met, on the terminal too
sed -n '/^## Targets/,/^## 0\./p' "$REPORT" | sed '$d'
echo "== wrote $REPORT ($((T_END - T_START)) s)" >&2
if [ -n "$FAILED" ]; then
	echo "bench/run.sh: measurements not taken in:$FAILED" >&2
	exit 1
fi
exit 0
