#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# kwhy against a real Docker daemon (root).  Uses the daemon that answers on
# /var/run/docker.sock; when none does, starts dockerd itself with a config
# that makes no bridge and touches no iptables, its containers' cgroups
# under this script's own memory cgroup (from /proc/self/cgroup), and stops
# it (by its pid) at the end.  The test image is tests/lib/rootfs.sh's
# Debian 12 (python3, gunicorn, nginx-light; made by debootstrap, cached in
# build/rootfs/) imported with `docker import`: no registry.  Then runs
# build/tests/kwhy-dtest.  Fails loudly, never skips, when Docker cannot run.
#
#   tests/docker/run.sh [kwhy-dtest options: --only NAME, -v]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
KWHY=${KWHY:-build/kwhy}
DTEST=${DTEST:-build/tests/kwhy-dtest}
IMAGE=kwhy-test/gunicorn:2
cache=$top/build/docker
PATH=$PATH:/usr/sbin:/sbin
# Debian's client matches Debian's daemon; a newer one in /usr/local/bin
# may shadow it on PATH
DOCKER=${DOCKER:-/usr/bin/docker}
export PATH DOCKER

fail() {
	echo "tests/docker/run.sh: FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (Docker, BPF); try: sudo $0"
for c in "$DOCKER" dockerd debootstrap; do
	command -v "$c" >/dev/null 2>&1 || fail "$c is missing: tests/deps.sh --test installs docker.io and debootstrap"
done
for f in "$KWHY" "$DTEST"; do
	[ -x "$f" ] || fail "$f is missing; build it: make && make $DTEST"
done
mkdir -p "$cache" || fail "cannot create $cache"

dpid=
cleanup() {
	if [ -n "$dpid" ]; then
		kill -TERM "$dpid" 2>/dev/null
		i=0
		while [ $i -lt 200 ] && kill -0 "$dpid" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$dpid" 2>/dev/null; then
			echo "tests/docker/run.sh: dockerd (pid $dpid) did not stop in 20 s; SIGKILL" >&2
			kill -KILL "$dpid" 2>/dev/null
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

answers() {
	timeout 10 "$DOCKER" info >/dev/null 2>&1
}

if answers; then
	echo "tests/docker/run.sh: using the Docker daemon that answers" >&2
else
	# the containers' cgroups go below our own memory cgroup (v1 memory
	# hierarchy on hybrid hosts, the v2 cgroup on pure v2 ones)
	own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	[ -n "$own" ] || own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ "$own" = / ] && own=
	cat > "$cache/daemon.json" <<EOF2 || fail "cannot write $cache/daemon.json"
{"bridge": "none", "iptables": false, "ip6tables": false, "ip-forward": false,
 "ip-masq": false, "userland-proxy": false, "exec-opts": ["native.cgroupdriver=cgroupfs"],
 "cgroup-parent": "$own/docker", "log-driver": "json-file", "storage-driver": "overlay2"}
EOF2
	echo "tests/docker/run.sh: starting dockerd (no bridge, no iptables, cgroups under $own/docker)" >&2
	dockerd --config-file "$cache/daemon.json" > "$cache/dockerd.log" 2>&1 &
	dpid=$!
	i=0
	while [ $i -lt 60 ] && ! answers; do
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.5
		i=$((i + 1))
	done
	answers || fail "dockerd did not start within 30 s; its log: $(tail -n 5 "$cache/dockerd.log" | tr '\n' ' ')"
fi

if ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
	rootfs=$(tests/lib/rootfs.sh) || fail "no root file system for the test image"
	"$DOCKER" import "$rootfs" "$IMAGE" >/dev/null ||
		fail "docker import of $rootfs failed"
fi

# kwhy itself as a container, for the scenario that runs it so
make -C "$top" --no-print-directory image DOCKER="$DOCKER" >/dev/null ||
	fail "make image failed: kwhy as a container cannot be tested"
KWHY_IMAGE=kwhy:latest KWHY_CONTAINER_ARGS=$top/deploy/container-args.txt "$DTEST" --kwhy "$KWHY" --image "$IMAGE" "$@"
