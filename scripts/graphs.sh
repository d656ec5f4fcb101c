#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Draw again every committed picture in docs/img from its topology:
#   docs/img/NAME.dot  what 'nslab graph topologies/NAME.ini' writes (the
#                      same bytes for the same file, on any machine)
#   docs/img/NAME.svg  Graphviz's drawing of that dot, with the dot's sha256
#                      in a comment on its second line
# tests/graphs-fresh.sh fails when a .dot is not what nslab draws now, or an
# .svg was not drawn from its .dot; Graphviz versions draw differently, so the
# SVG's bytes are never compared.
#   usage: scripts/graphs.sh [NSLAB]  (default: $BUILD/src/nslab, built when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# The topologies drawn in the docs (docs/graph.md, README.md).
PICTURES=(k8s-flannel-vxlan)

NSLAB=${1:-$BUILD/src/nslab}
if [ $# -eq 0 ] && [ ! -x "$NSLAB" ]; then
	build_nslab
fi
if ! command -v dot >/dev/null; then
	echo "graphs.sh: Graphviz's 'dot' is not installed (Debian package graphviz: apt-get install graphviz)" >&2
	exit 1
fi
for name in "${PICTURES[@]}"; do
	dotfile=docs/img/$name.dot svg=docs/img/$name.svg
	"$NSLAB" graph -f dot "topologies/$name.ini" -o "$dotfile"
	sum=$(sha256sum "$dotfile" | cut -d' ' -f1)
	dot -Tsvg "$dotfile" >"$svg.tmp"
	# after the XML declaration, which must stay first
	sed -i "1a <!-- nslab graph: drawn from $dotfile sha256 $sum (scripts/graphs.sh) -->" "$svg.tmp"
	mv "$svg.tmp" "$svg"
	echo "graphs.sh: $svg from topologies/$name.ini ($(dot -V 2>&1))"
done
