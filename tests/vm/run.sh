#!/bin/sh
# Run the integration tests on Debian 12's 6.1 kernel in a VM (pure cgroup
# v2 there), with ../shared/vmtest.  Usage: tests/vm/run.sh STATIC_KWHY
# Runs kwhy-itest, then kwhy-xtest; then, in a second, short boot with
# 256 MiB of memory, kwhy-otest (a real host-wide OOM kill: only ever in
# the VM).  Fails when any fails.
# Needs: static build/tests/kwhy-itest, kwhy-xtest and kwhy-otest, qemu,
# busybox-static, cpio.
set -eu

kwhy=${1:?usage: tests/vm/run.sh path/to/static/kwhy}
top=$(cd "$(dirname "$0")/../.." && pwd)
vmtest=${VMTEST:-$top/../shared/vmtest/vmtest.sh}
itest=$top/build/tests/kwhy-itest
xtest=$top/build/tests/kwhy-xtest
otest=$top/build/tests/kwhy-otest

if [ ! -x "$vmtest" ]; then
	echo "tests/vm/run.sh: no vmtest harness at $vmtest (set VMTEST=path/to/vmtest.sh)" >&2
	exit 1
fi
for f in "$kwhy" "$itest" "$xtest" "$otest"; do
	if [ ! -x "$f" ] || readelf -l "$f" | grep -q 'program interpreter'; then
		echo "tests/vm/run.sh: $f must be a static binary (the VM has no libc)" >&2
		exit 1
	fi
done

# idempotent: downloads Debian 12's kernel once into the vmtest cache
"$vmtest" --fetch-kernel debian-6.1 >/dev/null

payload=$(mktemp -d)
oom_payload=$(mktemp -d)
trap 'rm -rf "$payload" "$oom_payload"' EXIT
cp "$kwhy" "$payload/kwhy"
cp "$itest" "$payload/kwhy-itest"
cp "$xtest" "$payload/kwhy-xtest"
echo "tests/vm/run.sh: integration tests on debian-6.1 in a VM" >&2
"$vmtest" --kernel debian-6.1 --payload "$payload" --modules "veth tun" --mem 1G --cpus 2 \
	--timeout 900 -- sh -c './kwhy-itest --kwhy ./kwhy && ./kwhy-xtest --kwhy ./kwhy'

# The whole VM runs out of memory: little of it, so that it does quickly,
# and nothing else in the payload to hold it.
cp "$kwhy" "$oom_payload/kwhy"
cp "$otest" "$oom_payload/kwhy-otest"
echo "tests/vm/run.sh: a host-wide OOM on debian-6.1 in a VM with 256 MiB" >&2
"$vmtest" --kernel debian-6.1 --payload "$oom_payload" --mem 256M --cpus 2 \
	--timeout 600 -- ./kwhy-otest --kwhy ./kwhy
