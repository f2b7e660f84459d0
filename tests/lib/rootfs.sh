#!/bin/sh
# The Debian 12 root file system the real-server tests run in: python3,
# gunicorn, nginx-light and nft (nftables) from Debian, made by debootstrap (no registry,
# no image), cached as a tar so that a rerun takes no time.  The Docker
# tests `docker import` it as their image; the 6.1 VM unpacks it into its
# payload and chroots into it.
#
#   tests/lib/rootfs.sh        prints the tar's path, building it once
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/rootfs
tar=$cache/bookworm-servers-2.tar
PATH=$PATH:/usr/sbin:/sbin

fail() {
	echo "tests/lib/rootfs.sh: FAIL: $*" >&2
	exit 1
}

if [ ! -s "$tar" ]; then
	command -v debootstrap >/dev/null 2>&1 ||
		fail "debootstrap is missing: tests/deps.sh --test installs it"
	mkdir -p "$cache" || fail "cannot create $cache"
	echo "tests/lib/rootfs.sh: building the test root file system with debootstrap (once)" >&2
	rm -rf "$cache/rootfs"
	timeout 900 debootstrap --variant=minbase --include=python3-minimal,gunicorn,nginx-light,nftables \
		bookworm "$cache/rootfs" http://deb.debian.org/debian > "$cache/debootstrap.log" 2>&1 ||
		fail "debootstrap failed; its log: $(tail -n 5 "$cache/debootstrap.log" | tr '\n' ' ')"
	rm -rf "$cache/rootfs/var/cache/apt/archives/"*.deb "$cache/rootfs/var/lib/apt/lists/"* \
		"$cache/rootfs/usr/share/doc" "$cache/rootfs/usr/share/man" \
		"$cache/rootfs/usr/share/locale" "$cache/rootfs/usr/share/info"
	tar -C "$cache/rootfs" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" ||
		fail "cannot write $tar"
	rm -rf "$cache/rootfs"
fi
echo "$tar"
