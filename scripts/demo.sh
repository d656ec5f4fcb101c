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

# The built-in router lab under a name of the demo's own, so that it never
# meets a lab of the user's: nslab-demo, namespaces nslab-demo-NODE.
LAB=nslab-demo
TOPO=$BUILD/nslab-demo.ini
sed 's/^name = router$/name = nslab-demo/' topologies/router.ini >"$TOPO"
grep -q '^name = nslab-demo$' "$TOPO" || { echo "demo.sh: topologies/router.ini has no 'name = router'" >&2; exit 1; }

# Run through sudo, nslab names the lab after the user: alice-nslab-demo
# (NSLAB_PREFIX or SUDO_USER; 'nslab help'). FULL is the name it gets.
prefix=${NSLAB_PREFIX-}
if [ -z "${NSLAB_PREFIX+set}" ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
	prefix=$SUDO_USER
fi
FULL=${prefix:+$prefix-}$LAB

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A lab of this name that the demo made (the same topology) is replaced;
# any other is left alone.
if "$NSLAB" ls --json | grep -q "\"name\": *\"$FULL\""; then
	if cmp -s "$TOPO" "/run/nslab/$FULL/topology.ini"; then
		say "an earlier demo's lab is up: nslab down $LAB"
		"$NSLAB" down "$LAB"
	else
		echo "demo.sh: a lab named '$FULL' is up and the demo did not make it; take it down first: $NSLAB down $LAB" >&2
		exit 1
	fi
fi

say "nslab up $TOPO    (topologies/router.ini, named $LAB)"
"$NSLAB" up "$TOPO"

say "nslab show $LAB    (read back from the kernel)"
"$NSLAB" show "$LAB"

say "nslab ping h1 h2: from h1 to h2's address, through r1"
"$NSLAB" ping "$LAB" h1 h2

say "nslab tracepath h1 h2: r1 is the first hop, h2 the second"
"$NSLAB" tracepath "$LAB" h1 h2

say "nslab pingall: every node pings every node"
"$NSLAB" pingall "$LAB"

say "the same lab as ip(8) commands: nslab plan $TOPO"
"$NSLAB" plan "$TOPO" | sed -n '/# links/,$p'

hint() { if [ -n "$2" ]; then printf '  %-52s # %s\n' "$1" "$2"; else printf '  %s\n' "$1"; fi; }
echo
echo "The lab '$FULL' is up. Each node is a network namespace named $FULL-NODE:"
hint "sudo $NSLAB shell $LAB h1" "a shell on h1"
hint "sudo $NSLAB exec $LAB r1 ip route" "one command on r1"
hint "sudo ip netns exec $FULL-h2 bash" "the same, as iproute2 does it"
hint "sudo $NSLAB pingall $LAB" "every node pings every node"
hint "sudo $NSLAB ls" "running labs"
echo "Tear it down (kills what runs inside, deletes its namespaces and files):"
hint "sudo $NSLAB down $LAB" ""
