#!/bin/sh
# Install the Debian packages kwhy needs, only those missing.
#   tests/deps.sh          build and run: clang, llvm, libbpf, bpftool, libelf, zlib,
#                          libseccomp (the sandbox of the event loop)
#   tests/deps.sh --test   also the test tools: check, iproute2, util-linux
#                          (setpriv), python3 (one shell test's client),
#                          libFuzzer's runtime, for the 6.1 VM run qemu,
#                          static busybox and cpio, and for the container
#                          tests Docker (docker.io) and debootstrap, and the
#                          real servers the tests run (gunicorn, nginx), and
#                          for kwhy report and the packaging: chromium,
#                          python3-pil and -yaml, man-db, systemd, debhelper,
#                          devscripts, lintian,
#                          Prometheus (kwhy-mtest scrapes kwhy with it; its
#                          promtool checks the page) with curl, and
#                          nftables (rules inside a test namespace only)
set -eu

pkgs="make gcc pkg-config clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev libseccomp-dev"
pkgs="$pkgs libcurl4-openssl-dev"
if [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs check iproute2 util-linux python3 libclang-rt-14-dev qemu-system-x86"
	pkgs="$pkgs busybox-static cpio xz-utils binutils docker.io debootstrap gunicorn nginx-light"
	# kwhy report in a browser; the packaging's checks (man, systemd-analyze,
	# the Debian package, the DaemonSet's YAML)
	pkgs="$pkgs chromium python3-pil python3-yaml man-db systemd debhelper devscripts lintian"
	pkgs="$pkgs fakeroot"
	pkgs="$pkgs prometheus curl"
	pkgs="$pkgs nftables"
	# the peers bench/run.sh measures beside kwhy
	pkgs="$pkgs bpftrace libbpf-tools"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: missing Debian packages:$missing; run as root (sudo make ...)" >&2
	exit 1
fi
echo "tests/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
