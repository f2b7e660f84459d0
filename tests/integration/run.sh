#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests: kwhy against the real kernel.  Loads BPF programs,
# creates a network namespace, a veth pair and memory cgroups, so it must
# run as root.  POSIX sh; works under busybox sh.
#
#   tests/integration/run.sh [--only NAME] [-v]
#
# KWHY and ITEST override the binaries (default build/kwhy and
# build/tests/kwhy-itest, relative to the repository root).

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
for f in "$KWHY" "$ITEST"; do
	if [ ! -x "$f" ]; then
		echo "tests/integration/run.sh: FAIL: $f is missing; build it: make && make $ITEST" >&2
		exit 1
	fi
done

# ip(8) lives in sbin
PATH=${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin
export PATH

"$ITEST" --kwhy "$KWHY" "$@"
rc=$?
if [ "$rc" != 0 ]; then
	echo "tests/integration/run.sh: FAIL: $ITEST exited with status $rc" >&2
	exit 1
fi
exit 0
