#!/bin/sh
# Run the integration tests on Debian 12's 6.1 kernel in a VM (pure cgroup
# v2 there), with ../shared/vmtest.  Usage: tests/vm/run.sh STATIC_KWHY
# Needs: static build/tests/kwhy-itest, qemu, busybox-static, cpio.
set -eu

kwhy=${1:?usage: tests/vm/run.sh path/to/static/kwhy}
top=$(cd "$(dirname "$0")/../.." && pwd)
vmtest=${VMTEST:-$top/../shared/vmtest/vmtest.sh}
itest=$top/build/tests/kwhy-itest

if [ ! -x "$vmtest" ]; then
	echo "tests/vm/run.sh: no vmtest harness at $vmtest (set VMTEST=path/to/vmtest.sh)" >&2
	exit 1
fi
for f in "$kwhy" "$itest"; do
	if [ ! -x "$f" ] || readelf -l "$f" | grep -q 'program interpreter'; then
		echo "tests/vm/run.sh: $f must be a static binary (the VM has no libc)" >&2
		exit 1
	fi
done

# idempotent: downloads Debian 12's kernel once into the vmtest cache
"$vmtest" --fetch-kernel debian-6.1 >/dev/null

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
cp "$kwhy" "$payload/kwhy"
cp "$itest" "$payload/kwhy-itest"
echo "tests/vm/run.sh: integration tests on debian-6.1 in a VM" >&2
"$vmtest" --kernel debian-6.1 --payload "$payload" --modules veth --mem 1G --cpus 2 \
	--timeout 900 -- ./kwhy-itest --kwhy ./kwhy
