# SPDX-License-Identifier: MIT
# Shared by scripts/*.sh: package installation and the build.
BUILD=${BUILD:-build}

# Every package named, none left to Recommends (a minimal Debian 12 root
# has no compiler, no libc headers, no procps, no netbase).
# What the build needs:
NSLAB_BUILD_PACKAGES=(gcc libc6-dev meson ninja-build pkg-config libnl-3-dev libnl-route-3-dev
	libinih-dev)
# What nslab runs: ip and bridge, ping and tracepath in nodes, dnsmasq for [dns].
NSLAB_RUN_PACKAGES=(iproute2 iputils-ping iputils-tracepath dnsmasq-base)
# What the scenarios run in their nodes (topologies/web, nat, lb, dns-tree,
# slaac, the routing labs; iperf3 for impair's rates). Installing them never
# starts their services on the host: see install_missing.
NSLAB_NODE_PACKAGES=(apache2 bind9 radvd nftables iptables curl frr iperf3)
# What the tests add: cmocka, the tools they look at the lab with (wg, of
# wireguard-tools, for WireGuard's peers; the VM guest uses the host's), and
# the basics a minimal root lacks (sysctl, /etc/services, findmnt, unshare,
# setpriv, mount; script, of bsdutils, for down --all's question on a terminal);
# groff and man for the man pages (tests/cli/install.sh); graphviz for
# 'nslab graph -f svg' and scripts/graphs.sh (graph's dot and mermaid need nothing);
# OpenSSH for 'nslab cluster' over real ssh between simulated hosts (test-multihost).
NSLAB_TEST_PACKAGES=("${NSLAB_BUILD_PACKAGES[@]}" "${NSLAB_RUN_PACKAGES[@]}" libcmocka-dev
	bind9-dnsutils tcpdump jq procps netbase util-linux mount bsdutils kmod bc time wireguard-tools
	groff-base man-db graphviz valgrind openssh-client openssh-server
	"${NSLAB_NODE_PACKAGES[@]}")
# The VM suite (GRE, which this kind of machine's kernel lacks); optional.
NSLAB_VM_PACKAGES=(qemu-system-x86 busybox-static xz-utils cpio)

# say_failed WHAT LOG: the last lines of a failed step's own output.
say_failed() {
	echo "${0##*/}: $1 failed; the last lines of its output:" >&2
	tail -n 25 "$2" | sed 's/^/    /' >&2
}

# apt_update_install LOG PKG...: install; when that fails, update the
# package lists (they may be empty or old) and install again.
apt_update_install() {
	local log=$1
	# Wait for another apt or dpkg (unattended-upgrades, a second
	# terminal) to let go of its lock instead of failing at once.
	local wait=(-o DPkg::Lock::Timeout=300)
	shift
	apt-get "${wait[@]}" install -y -q --no-install-recommends "$@" >"$log" 2>&1 && return 0
	if ! apt-get "${wait[@]}" update -q >"$log" 2>&1; then
		say_failed "apt-get update" "$log"
		return 1
	fi
	if ! apt-get "${wait[@]}" install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		say_failed "apt-get install $*" "$log"
		return 1
	fi
}

# install_missing PKG...: apt-get install the ones dpkg does not know as installed.
install_missing() {
	local missing=() p log
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp /tmp/nslab-apt.XXXXXX)
	# Packages such as apache2 and bind9 start their service on the host
	# when installed; policy-rc.d (invoke-rc.d's veto, status 101) stops
	# that while we install, unless the machine has one of its own.
	local veto=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		veto=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# nslab: no service starts while its packages install\nexit 101\n' >"$veto"
		chmod 755 "$veto"
	fi
	local rc=0
	apt_update_install "$log" "${missing[@]}" || rc=$?
	rm -f "$log"
	[ -z "$veto" ] || rm -f "$veto"
	return $rc
}

# build_nslab [MESON_OPTION...]: configure (once, or again with the
# options given) and build in $BUILD; on failure, meson's or ninja's words.
build_nslab() {
	local log rc=0
	log=$(mktemp /tmp/nslab-build.XXXXXX)
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$@" >"$log" 2>&1 || rc=$?
	elif [ $# -gt 0 ]; then
		meson configure "$BUILD" "$@" >"$log" 2>&1 || rc=$?
	fi
	if [ $rc != 0 ]; then
		say_failed "meson setup $BUILD $*" "$log"
		[ ! -f "$BUILD/meson-logs/meson-log.txt" ] || echo "    (all of it: $BUILD/meson-logs/meson-log.txt)" >&2
		rm -f "$log"
		return 1
	fi
	if ! ninja -C "$BUILD" >"$log" 2>&1; then
		say_failed "ninja -C $BUILD" "$log"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# `ip netns add` makes /run/netns a mount point (the directory bound on
# itself) and never undoes it. The suites and the benchmark call it, so
# they note what was there and put it back: run_netns_state before,
# run_netns_restore STATE after.
run_netns_state() {
	findmnt -rn --mountpoint /run/netns >/dev/null 2>&1 && echo mounted
	[ -d /run/netns ] && echo dir
	return 0
}
run_netns_restore() {
	case $1 in *mounted*) return 0 ;; esac
	while findmnt -rn --mountpoint /run/netns >/dev/null 2>&1; do
		[ -z "$(ls -A /run/netns 2>/dev/null)" ] || return 0 # someone's namespaces
		umount /run/netns 2>/dev/null || return 0
	done
	case $1 in *dir*) ;; *) rmdir /run/netns 2>/dev/null || true ;; esac
}

# report_counts FAILED TESTLOG...: count TAP subtests of every test in
# meson's logs, plus FAILED failures found otherwise (sanitizer reports).
report_counts() {
	local extra=$1
	shift
	awk -v f="$extra" '
		/^ok [0-9]+/ { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++; next }
		/^not ok [0-9]+/ { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else f++; next }
		END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
	' "$@"
}
