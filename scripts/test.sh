#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing (Debian 12, as root), build, run every suite.
# Ends with "N passed, N failed, N skipped" and exits non-zero on failure.
#   scripts/test.sh                 unit + integration (integration needs root)
#   scripts/test.sh --suite unit    one suite
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_missing "${NSLAB_TEST_PACKAGES[@]}"
if [ "$(id -u)" = 0 ]; then
	install_missing "${NSLAB_VM_PACKAGES[@]}" ||
		echo "test.sh: cannot install qemu: the VM suite will report itself skipped" >&2
fi
build_nslab

args=(--print-errorlogs --num-processes 1)
if [ "$(id -u)" != 0 ]; then
	echo "test.sh: not root: running the unit suite only (integration needs root)" >&2
	args+=(--suite unit)
fi
status=0
netns_before=$(run_netns_state)
meson test -C "$BUILD" "${args[@]}" "$@" || status=$?
[ "$(id -u)" != 0 ] || run_netns_restore "$netns_before"
report_counts "$BUILD/meson-logs/testlog.txt" || true
exit "$status"
