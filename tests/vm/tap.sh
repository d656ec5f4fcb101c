#!/bin/sh
# SPDX-License-Identifier: MIT
# Meson's entry to the VM suite: run GUEST in a VM and pass its TAP through;
# when the VM cannot run here, one skipped test with the reason.
#   tap.sh NAME GUEST_SCRIPT [ARGS...]
set -u
name=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
err=$(mktemp)
"$here/run.sh" "$@" 2>"$err"
rc=$?
if [ "$rc" = 77 ]; then
	why=$(sed -n 's/^run.sh: SKIP: //p' "$err" | head -n 1)
	printf '1..1\nok 1 - %s # SKIP %s\n' "$name" "${why:-prerequisite missing}"
	rm -f "$err"
	exit 0
fi
if [ "$rc" = 125 ]; then
	echo "Bail out! $name: the VM failed to run the test"
	sed 's/^/# /' "$err"
fi
rm -f "$err"
exit "$rc"
