# SPDX-License-Identifier: MIT
# Shared by scripts/*.sh: package installation and the build.
BUILD=${BUILD:-build}

NSLAB_BUILD_PACKAGES=(gcc meson ninja-build pkg-config libnl-3-dev libnl-route-3-dev libinih-dev)
NSLAB_RUN_PACKAGES=(iproute2 iputils-ping iputils-tracepath dnsmasq-base)
NSLAB_TEST_PACKAGES=("${NSLAB_BUILD_PACKAGES[@]}" "${NSLAB_RUN_PACKAGES[@]}" libcmocka-dev
	bind9-dnsutils tcpdump jq)
# The VM suite (GRE, which this kind of machine's kernel lacks); optional.
NSLAB_VM_PACKAGES=(qemu-system-x86 busybox-static xz-utils)

# install_missing PKG...: apt-get install the ones dpkg does not know as installed.
install_missing() {
	local missing=() p
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
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	}
}

build_nslab() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" >/dev/null
	fi
	ninja -C "$BUILD" >/dev/null
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
