#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests: kwhy against the real kernel.  Loads BPF programs,
# creates a network namespace, a veth pair and memory cgroups, so it must
# run as root.  POSIX sh; works under busybox sh.
#
#   tests/integration/run.sh [--only NAME] [-v]
#
# Runs three drivers, each against its own kwhy: kwhy-itest (events),
# kwhy-xtest (explanations, fake containers) and kwhy-mtest (--metrics
# scraped by a real Prometheus); --only NAME runs the drivers that have a
# scenario of that name.  KWHY, ITEST, XTEST and MTEST override the
# binaries (default build/kwhy, build/tests/kwhy-itest,
# build/tests/kwhy-xtest and build/tests/kwhy-mtest, relative to the
# repository root).

cd "$(dirname "$0")/../.." || {
	echo "tests/integration/run.sh: cannot cd to the repository root" >&2
	exit 1
}

uid=$(id -u 2>/dev/null)
if [ -z "$uid" ]; then
	# no id(1): the real uid from /proc
	uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status 2>/dev/null)
fi
if [ "$uid" != 0 ]; then
	echo "tests/integration/run.sh: FAIL: must run as root (uid is ${uid:-unknown}):" \
		"the tests load BPF programs and create namespaces and cgroups; try: sudo $0" >&2
	exit 1
fi

KWHY=${KWHY:-build/kwhy}
ITEST=${ITEST:-build/tests/kwhy-itest}
XTEST=${XTEST:-build/tests/kwhy-xtest}
MTEST=${MTEST:-build/tests/kwhy-mtest}
for f in "$KWHY" "$ITEST" "$XTEST" "$MTEST"; do
	if [ ! -x "$f" ]; then
		echo "tests/integration/run.sh: FAIL: $f is missing; build it:" \
			"make && make $ITEST $XTEST $MTEST" >&2
		exit 1
	fi
done

# --only NAME: which drivers know NAME (their --help lists the scenarios)
only=
prev=
for a in "$@"; do
	[ "$prev" = --only ] && only=$a
	prev=$a
done
has_scenario() {
	[ -z "$only" ] && return 0
	"$1" --help | grep '^scenarios:' | tr ' ' '\n' | grep -qx -- "$only"
}
if [ -n "$only" ] && ! has_scenario "$ITEST" && ! has_scenario "$XTEST" &&
	! has_scenario "$MTEST"; then
	echo "tests/integration/run.sh: FAIL: no scenario named '$only'" >&2
	exit 1
fi

# ip(8) lives in sbin
PATH=${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin
export PATH

failed=0
for t in "$ITEST" "$XTEST" "$MTEST"; do
	has_scenario "$t" || continue
	"$t" --kwhy "$KWHY" "$@"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "tests/integration/run.sh: FAIL: $t exited with status $rc" >&2
		failed=1
	fi
done
exit $failed
