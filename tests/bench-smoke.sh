#!/bin/sh
# SPDX-License-Identifier: MIT
# CI's smoke test of the benchmark: scripts/bench.sh at N=100, once. A
# benchmark is no test of speed here; this only keeps the script working.
#   bench-smoke.sh SRCDIR BUILDDIR
set -u
out=$(cd "$1" && BUILD="$2" bash scripts/bench.sh --sizes 100 --runs 1 2>&1)
rc=$?
echo "1..1"
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q 'faster than ip -batch'; then
	echo "ok 1 - scripts/bench.sh --sizes 100 --runs 1"
else
	echo "not ok 1 - scripts/bench.sh --sizes 100 --runs 1 (exit $rc)"
	exit 1
fi
