#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The packaging under deploy/, for real:
#   - kwhy(8) renders with man-db without a warning, and names every long
#     option of user/cmd/cmdtab.c and every command (so it cannot drift);
#   - the bash completion parses (bash -n) and completes a command, an
#     option of that command and a value;
#   - the systemd unit passes `systemd-analyze verify` with no message;
#   - the DaemonSet parses and agrees with deploy/container-args.txt;
#   - the Debian package builds (make deb), is lintian clean at error
#     level, installs (dpkg -i: the files are there, `man kwhy` renders,
#     the installed unit verifies, the binary runs) and removes (dpkg -r,
#     then purge: the files are gone), and `make install` installs the same
#     set.  Run as root on a test machine; the package is removed at the end.
# Each checker is first shown a broken input, to prove it catches one.
#
#   tests/pkg/run.sh [KWHY]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
kwhy=${1:-$top/build/kwhy}
case $kwhy in /*) ;; *) kwhy=$PWD/$kwhy ;; esac
py=/usr/bin/python3
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
die() { echo "tests/pkg/run.sh: FAIL: $1" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs and removes the package)"
[ -x "$kwhy" ] || die "$kwhy is missing; build it with make"
for t in man bash systemd-analyze dpkg-buildpackage lintian dpkg "$py"; do
	command -v "$t" > /dev/null || die "$t is missing (tests/deps.sh --test)"
done
dir=$(mktemp -d /tmp/kwhy-pkg.XXXXXX)
installed=
cleanup() {
	[ -n "$installed" ] && dpkg -P kwhy > /dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
cd "$top" || exit 1

# ---- the man page ----
manwarn() { MANWIDTH=80 man --warnings -l "$1" 2>&1 > /dev/null; }
cp deploy/man/kwhy.8 "$dir/broken.8"
printf '.BOGUS macro\n\\f(XXoops\n' >> "$dir/broken.8"
[ -n "$(manwarn "$dir/broken.8")" ] && ok "man --warnings catches a broken page" ||
	not_ok "man --warnings catches a broken page"
w=$(manwarn deploy/man/kwhy.8)
[ -z "$w" ] && ok "kwhy(8) renders without warnings" || not_ok "kwhy(8) renders without warnings: $w"
# every option of the option tables, and every command of the table
opts=$(sed -n 's/^#define OPT_[A-Z_]*[[:space:]]*{ "\([a-z-]*\)".*/\1/p' user/cmd/cmdtab.c)
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", KW_CMD_.*/\1/p' user/cmd/cmdtab.c)
[ "$(echo "$opts" | wc -w)" -ge 15 ] && [ "$(echo "$cmds" | wc -w)" -ge 7 ] ||
	not_ok "the option and command tables were read from cmdtab.c ($opts / $cmds)"
missing=
for o in $opts; do
	grep -q -- "\\\\-\\\\-$(echo "$o" | sed 's/-/\\\\-/g')" deploy/man/kwhy.8 || missing="$missing --$o"
done
[ -z "$missing" ] && ok "kwhy(8) names every long option ($(echo $opts | wc -w))" ||
	not_ok "kwhy(8) lacks$missing"
missing=
for c in $cmds; do
	[ "$c" = help ] && continue
	grep -q "^\.B $c\$" deploy/man/kwhy.8 || missing="$missing $c"
done
[ -z "$missing" ] && ok "kwhy(8) describes every command" || not_ok "kwhy(8) lacks the commands$missing"
for s in "EXIT STATUS" FILES EXAMPLES; do
	grep -q "^\.SH $s" deploy/man/kwhy.8 && ok "kwhy(8) has $s" || not_ok "kwhy(8) has $s"
done

# ---- bash completion ----
printf '_kwhy() {\n  case x in\n' > "$dir/broken-completion"
bash -n "$dir/broken-completion" 2> /dev/null && not_ok "bash -n catches a broken script" ||
	ok "bash -n catches a broken script"
bash -n deploy/completion/kwhy && ok "bash -n deploy/completion/kwhy" ||
	not_ok "bash -n deploy/completion/kwhy"
# shellcheck disable=SC2016
got=$(KWHY="$kwhy" bash -c '
	. deploy/completion/kwhy
	complete -p kwhy > /dev/null || exit 1
	c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _kwhy; echo "${COMPREPLY[*]}"; }
	c "$KWHY" rep
	c "$KWHY" report t.kwt --fo
	c "$KWHY" report t.kwt --format ""
	c "$KWHY" export t.kwt --format p
	c "$KWHY" --no-a')
want='replay report
--format --force
md html
perfetto
--no-aggregate'
[ "$got" = "$want" ] && ok "completion: a command, report's options, their values, watch's options" ||
	not_ok "completion: got '$(echo "$got" | tr '\n' '|')', want '$(echo "$want" | tr '\n' '|')'"

# ---- the systemd unit ----
mkdir -p "$dir/man/man8" "$dir/unit" "$dir/badunit"
cp deploy/man/kwhy.8 "$dir/man/man8/"
sed "s|/usr/bin/kwhy|$kwhy|" deploy/systemd/kwhy.service > "$dir/unit/kwhy.service"
sed 's/^NoNewPrivileges=yes/NoNewPrivileges=perhaps\nProtectSystm=strict/' \
	"$dir/unit/kwhy.service" > "$dir/badunit/kwhy.service"
verify() { MANPATH=$dir/man systemd-analyze verify "$1" 2>&1; }
[ -n "$(verify "$dir/badunit/kwhy.service")" ] && ok "systemd-analyze verify catches a broken unit" ||
	not_ok "systemd-analyze verify catches a broken unit (it printed nothing: it cannot run here)"
out=$(verify "$dir/unit/kwhy.service")
rc=$?
[ $rc = 0 ] && [ -z "$out" ] && ok "systemd-analyze verify deploy/systemd/kwhy.service" ||
	not_ok "systemd-analyze verify deploy/systemd/kwhy.service (exit $rc): $out"
for k in NoNewPrivileges=yes ProtectSystem=strict StateDirectory=kwhy CapabilityBoundingSet=CAP_BPF; do
	grep -q "^$k" deploy/systemd/kwhy.service && ok "the unit has $k" || not_ok "the unit has $k"
done
grep -q '^CapabilityBoundingSet=.*CAP_SYS_RESOURCE' deploy/systemd/kwhy.service &&
	not_ok "the unit's bounding set has no CAP_SYS_RESOURCE" ||
	ok "the unit's bounding set has no CAP_SYS_RESOURCE"

# ---- the DaemonSet ----
if "$py" tests/pkg/check_k8s.py deploy/container-args.txt deploy/kubernetes/kwhy-daemonset.yaml \
	> "$dir/k8s.out"; then
	ok "the DaemonSet agrees with deploy/container-args.txt ($(grep -c '^ok' "$dir/k8s.out") checks)"
else
	not_ok "the DaemonSet agrees with deploy/container-args.txt: $(grep '^not ok' "$dir/k8s.out")"
fi
printf 'kind: DaemonSet\nspec: [unclosed\n' > "$dir/bad.yaml"
"$py" tests/pkg/check_k8s.py deploy/container-args.txt "$dir/bad.yaml" > /dev/null 2>&1 &&
	not_ok "the YAML check catches broken YAML" || ok "the YAML check catches broken YAML"

# ---- the Debian package ----
if dpkg-query -W kwhy > /dev/null 2>&1 || [ -e /usr/bin/kwhy ]; then
	not_ok "no kwhy installed before the test (dpkg -r kwhy first; not touching it)"
	echo "pkg: $pass passed, $fail failed"
	exit 1
fi
if make --no-print-directory deb > "$dir/deb.log" 2>&1; then
	ok "make deb builds the package"
else
	not_ok "make deb builds the package: $(tail -n 5 "$dir/deb.log" | tr '\n' ' ')"
fi
deb=$(ls build/deb/kwhy_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	if lintian --fail-on error "$deb" > "$dir/lintian.out" 2>&1; then
		ok "lintian: no error ($(grep -c '^[WI]:' "$dir/lintian.out") warnings/infos)"
	else
		not_ok "lintian: $(grep '^E:' "$dir/lintian.out" | head -n 5 | tr '\n' ' ')"
	fi
	files='/usr/bin/kwhy /usr/share/man/man8/kwhy.8.gz /usr/share/bash-completion/completions/kwhy
/lib/systemd/system/kwhy.service'
	if dpkg -i "$deb" > "$dir/dpkg.out" 2>&1; then
		installed=1
		ok "dpkg -i $(basename "$deb")"
	else
		not_ok "dpkg -i: $(tail -n 3 "$dir/dpkg.out" | tr '\n' ' ')"
	fi
	missing=
	for f in $files; do [ -e "$f" ] || missing="$missing $f"; done
	[ -z "$missing" ] && ok "installed: $(echo $files)" || not_ok "not installed:$missing"
	/usr/bin/kwhy --version > /dev/null 2>&1 && ok "the installed kwhy runs" ||
		not_ok "the installed kwhy runs"
	w=$(MANWIDTH=80 man --warnings kwhy 2>&1 > "$dir/man.txt")
	[ -z "$w" ] && grep -q 'kwhy report' "$dir/man.txt" && ok "man kwhy renders the installed page" ||
		not_ok "man kwhy renders the installed page: $w"
	out=$(systemd-analyze verify /lib/systemd/system/kwhy.service 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify of the installed unit" ||
		not_ok "systemd-analyze verify of the installed unit: $out"
	[ "$(systemctl is-enabled kwhy 2>/dev/null)" != enabled ] &&
		ok "the unit is installed, not enabled" || not_ok "the unit is installed, not enabled"
	dpkg -L kwhy | sort > "$dir/deb.files"
	if dpkg -r kwhy > "$dir/dpkg.out" 2>&1 && dpkg -P kwhy >> "$dir/dpkg.out" 2>&1; then
		installed=
		ok "dpkg -r and dpkg -P"
	else
		not_ok "dpkg -r: $(tail -n 3 "$dir/dpkg.out" | tr '\n' ' ')"
	fi
	left=
	for f in $files; do [ -e "$f" ] && left="$left $f"; done
	[ -z "$left" ] && ! dpkg-query -W kwhy > /dev/null 2>&1 && ok "removed: the files are gone" ||
		not_ok "left after removal:$left"
	# make install: the same files (the package compresses the man page and
	# adds its doc directory)
	make --no-print-directory install DESTDIR="$dir/inst" PREFIX=/usr \
		UNITDIR=/lib/systemd/system > /dev/null 2>&1
	(cd "$dir/inst" && find . -type f | sed 's|^\.||') | sort > "$dir/inst.files"
	grep -v '^/usr/share/doc' "$dir/deb.files" | sed 's/\.gz$//' |
		while read -r f; do [ -d "$f" ] || [ "$f" = /. ] || echo "$f"; done > "$dir/deb.list"
	# after removal the directories are gone: tell files from dirs by the list
	grep -E 'bin/kwhy$|man8/kwhy.8$|completions/kwhy$|kwhy.service$' "$dir/deb.list" | sort > "$dir/deb.cmp"
	if cmp -s "$dir/deb.cmp" "$dir/inst.files" && [ -s "$dir/inst.files" ]; then
		ok "make install installs the package's set: $(tr '\n' ' ' < "$dir/inst.files")"
	else
		not_ok "make install installs the package's set: $(tr '\n' ' ' < "$dir/inst.files") vs $(tr '\n' ' ' < "$dir/deb.cmp")"
	fi
else
	not_ok "a .deb in build/deb"
fi

echo "pkg: $pass passed, $fail failed"
[ "$fail" = 0 ]
