#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing (Debian 12, as root), build nslab, bring up the
# built-in lab (h1 - r1 - h2), show it working, and say how to use it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: network namespaces need root; run: sudo $0" >&2
	exit 1
fi
install_missing "${NSLAB_BUILD_PACKAGES[@]}" "${NSLAB_RUN_PACKAGES[@]}"
build_nslab
NSLAB=$BUILD/src/nslab

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "nslab up    (no file: the built-in router lab, topologies/router.ini)"
"$NSLAB" up --replace

say "nslab show router    (read back from the kernel)"
"$NSLAB" show router

say "ping h2 from h1, through r1"
ip netns exec router-h1 ping -c 3 -i 0.2 10.0.2.10

say "tracepath: r1 is the first hop, h2 the second"
ip netns exec router-h1 tracepath -n 10.0.2.10

say "the same lab as ip(8) commands: nslab plan topologies/router.ini"
"$NSLAB" plan topologies/router.ini | sed -n '/# links/,$p'

hint() { if [ -n "$2" ]; then printf '  %-48s # %s\n' "$1" "$2"; else printf '  %s\n' "$1"; fi; }
echo
echo "The lab is up. Each node is a network namespace named router-NODE:"
hint "sudo $NSLAB shell router h1" "a shell on h1"
hint "sudo $NSLAB exec router r1 -- ip route" "one command on r1"
hint "sudo ip netns exec router-h2 bash" "the same, as iproute2 does it"
hint "sudo $NSLAB pingall router" "every node pings every node"
hint "sudo $NSLAB ls" "running labs"
echo "Tear it down (kills what runs inside, removes every trace):"
hint "sudo $NSLAB down router" ""
