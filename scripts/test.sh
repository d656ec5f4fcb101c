#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing (Debian 12, as root), build, run every suite, then
# the unit and integration suites again under ASan and UBSan.
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
# The unit and integration suites run once more, built with AddressSanitizer
# and UndefinedBehaviorSanitizer (gcc's, no extra package): a leak, an
# overflow or undefined behaviour in nslab or in a test fails them.
SAN_BUILD=$BUILD-san
[ -f "$SAN_BUILD/build.ninja" ] || meson setup "$SAN_BUILD" -Db_sanitize=address,undefined >/dev/null
ninja -C "$SAN_BUILD" >/dev/null

args=(--print-errorlogs --num-processes 1)
san_suites=(--suite unit --suite integration)
if [ "$(id -u)" != 0 ]; then
	echo "test.sh: not root: running the unit suite only (integration needs root)" >&2
	args+=(--suite unit)
	san_suites=(--suite unit)
fi
status=0
netns_before=$(run_netns_state)
meson test -C "$BUILD" "${args[@]}" "$@" || status=$?
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C "$SAN_BUILD" --print-errorlogs --num-processes 1 "${san_suites[@]}" || status=$?
[ "$(id -u)" != 0 ] || run_netns_restore "$netns_before"
report_counts "$BUILD/meson-logs/testlog.txt" "$SAN_BUILD/meson-logs/testlog.txt" || true
exit "$status"
