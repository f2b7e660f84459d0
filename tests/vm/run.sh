#!/bin/sh
# Run the integration tests on Debian 12's 6.1 kernel in a VM (pure cgroup
# v2 there), with ../shared/vmtest.
#   tests/vm/run.sh STATIC_KWHY [base] [servers] [oom]   (default: all three)
# Three boots, each fails the run when its tests fail:
#  1. kwhy-itest, then kwhy-xtest, in the VM's busybox, without the
#     sock_diag modules (kwhy's /proc/net/tcp paths);
#  2. kwhy-gtest (real gunicorn and nginx), kwhy-utest (failed system
#     calls: nginx and gunicorn over UNIX sockets, ports, files) and
#     kwhy-ttest (timeouts, packet filters with nft, keep-alive resets) in
#     a chroot into Debian 12's root file system of tests/lib/rootfs.sh,
#     packed into the initramfs: the kernel is 6.1, the servers are
#     Debian's own, the sock_diag modules loaded as Debian does (the first
#     boot has none, so kwhy's /proc/net/tcp paths run there);
#  3. with 256 MiB of memory, kwhy-otest (a real host-wide OOM kill: only
#     ever in the VM).
# Needs: static build/tests/kwhy-itest, -xtest, -gtest and -otest, qemu,
# busybox-static, cpio, debootstrap (once: the root file system is cached).
set -eu

kwhy=${1:?usage: tests/vm/run.sh path/to/static/kwhy [base] [servers] [oom]}
shift
boots=${*:-base servers oom}
want() { case " $boots " in *" $1 "*) return 0 ;; esac; return 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
vmtest=${VMTEST:-$top/../shared/vmtest/vmtest.sh}
itest=$top/build/tests/kwhy-itest
xtest=$top/build/tests/kwhy-xtest
gtest=$top/build/tests/kwhy-gtest
utest=$top/build/tests/kwhy-utest
ttest=$top/build/tests/kwhy-ttest
otest=$top/build/tests/kwhy-otest

if [ ! -x "$vmtest" ]; then
	echo "tests/vm/run.sh: no vmtest harness at $vmtest (set VMTEST=path/to/vmtest.sh)" >&2
	exit 1
fi
for f in "$kwhy" "$itest" "$xtest" "$gtest" "$utest" "$ttest" "$otest"; do
	if [ ! -x "$f" ] || readelf -l "$f" | grep -q 'program interpreter'; then
		echo "tests/vm/run.sh: $f must be a static binary (the VM has no libc)" >&2
		exit 1
	fi
done
rootfs_tar=$("$top/tests/lib/rootfs.sh")

# One boot.  A boot the harness had to kill or could not finish (124: its
# timeout, 125: the VM or the harness failed) says nothing of kwhy's tests:
# under emulation the guest kernel was once seen to lock up both vCPUs for
# good (soft lockups, RCU's kthread starved).  Such a boot is tried once
# more, loudly; a test that fails (any other status) is never retried.
# The first two boots print warnings and stacks on the console (console
# log level 5; the harness's "quiet" would win over loglevel= on the
# command line, so it is set from inside), and a soft lockup the stacks of
# every CPU: the harness shows the console's tail when it had to kill the
# VM, and that tail then says where it hung.  The OOM boot does not (its
# OOM report would crawl out of the emulated serial port).
diag='echo 5 >/proc/sys/kernel/printk; echo 1 >/proc/sys/kernel/softlockup_all_cpu_backtrace;'
boot() {
	rc=0
	"$vmtest" "$@" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 125 ]; then
		echo "tests/vm/run.sh: the VM did not finish (status $rc: a hung or failed boot," \
			"not a test's verdict); booting it once more" >&2
		rc=0
		"$vmtest" "$@" || rc=$?
	fi
	return "$rc"
}

# idempotent: downloads Debian 12's kernel once into the vmtest cache
"$vmtest" --fetch-kernel debian-6.1 >/dev/null

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
if want base; then
	cp "$kwhy" "$payload/kwhy"
	cp "$itest" "$payload/kwhy-itest"
	cp "$xtest" "$payload/kwhy-xtest"
	echo "tests/vm/run.sh: integration tests on debian-6.1 in a VM" >&2
	boot --kernel debian-6.1 --payload "$payload" --modules "veth tun" --mem 1G \
		--cpus 2 --timeout 900 -- sh -c "$diag"' ./kwhy-itest --kwhy ./kwhy && ./kwhy-xtest --kwhy ./kwhy'
fi

# Real servers: Debian's root file system in the payload, the tests and
# kwhy inside it, the VM's /proc, /sys (cgroup2, tracefs, bpffs), /dev,
# /tmp and /run bound into it.
if want servers; then
	rm -rf "$payload" && mkdir "$payload"
	mkdir "$payload/rootfs"
	tar -C "$payload/rootfs" -xf "$rootfs_tar"
	mkdir -p "$payload/rootfs/kwhy"
	cp "$kwhy" "$gtest" "$utest" "$ttest" "$payload/rootfs/kwhy/"
	cat > "$payload/in-rootfs" <<'EOS'
#!/bin/sh
r=/payload/rootfs
for d in proc sys dev tmp run; do
	mount -o rbind "/$d" "$r/$d" || { echo "in-rootfs: cannot bind /$d" >&2; exit 125; }
done
exec chroot "$r" "$@"
EOS
	chmod +x "$payload/in-rootfs"
	cat > "$payload/rootfs/kwhy/run" <<'EOS'
#!/bin/sh
# every driver runs, whatever the one before gave; the status says all
rc=0
for t in kwhy-gtest kwhy-utest kwhy-ttest; do
	echo "# $t" >&2
	/kwhy/$t --kwhy /kwhy/kwhy || rc=1
done
exit $rc
EOS
	chmod +x "$payload/rootfs/kwhy/run"
	echo "tests/vm/run.sh: real gunicorn, nginx and nft on debian-6.1 in a VM" >&2
	# modules: nf_tables and its reject (crc32c_generic first: libcrc32c needs
	# a crc32c to load), and the sock_diag families, which Debian loads on the
	# first request (here nothing would: no modprobe in the initramfs)
	boot --kernel debian-6.1 --payload "$payload" \
		--modules "veth tun crc32c_generic nf_tables nft_reject nft_reject_inet nft_reject_ipv4 nft_reject_ipv6 inet_diag tcp_diag unix_diag" \
		--mem 1536M --cpus 2 --timeout 900 -- sh -c "$diag"' exec ./in-rootfs /kwhy/run'
fi

# The whole VM runs out of memory: little of it, so that it does quickly,
# and nothing else in the payload to hold it.
if want oom; then
	rm -rf "$payload" && mkdir "$payload"
	cp "$kwhy" "$payload/kwhy"
	cp "$otest" "$payload/kwhy-otest"
	echo "tests/vm/run.sh: a host-wide OOM on debian-6.1 in a VM with 256 MiB" >&2
	boot --kernel debian-6.1 --payload "$payload" --mem 256M --cpus 2 \
		--timeout 600 -- ./kwhy-otest --kwhy ./kwhy
fi
