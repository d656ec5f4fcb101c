#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing (Debian 12, as root), build, run every suite, then
# the unit and integration suites again under ASan and UBSan, and the unit
# suite under valgrind.
# Ends with "N passed, N failed, N skipped" and exits non-zero on failure.
#   scripts/test.sh                 every suite (integration and vm need root)
#   scripts/test.sh --suite unit    one suite (meson test's arguments), in both builds
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_missing "${NSLAB_TEST_PACKAGES[@]}"
if [ "$(id -u)" = 0 ]; then
	install_missing "${NSLAB_VM_PACKAGES[@]}" ||
		echo "test.sh: cannot install qemu: the VM suite will report itself skipped" >&2
fi
build_nslab -Dtests=enabled
# The second build has AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc's, no extra package). Their reports go to files, so that a report
# fails the run even where a test only looks at an exit status, or
# ignores one.
SAN_BUILD=$BUILD-san
BUILD=$SAN_BUILD build_nslab -Dtests=enabled -Db_sanitize=address,undefined

args=(--print-errorlogs --num-processes 1)
san_args=(--suite unit --suite integration)
if [ "$(id -u)" != 0 ]; then
	echo "test.sh: not root: running the unit suite only (integration needs root)" >&2
	args+=(--suite unit)
	san_args=(--suite unit)
fi
[ $# -eq 0 ] || san_args=("$@")

netns_before=$(run_netns_state)
SAN_LOGS=$(mktemp -d /tmp/nslab-san.XXXXXX)
finish() {
	[ "$(id -u)" != 0 ] || run_netns_restore "$netns_before"
	rm -rf "$SAN_LOGS" "$SAN_LOGS.supp"
}
trap finish EXIT

status=0
meson test -C "$BUILD" "${args[@]}" "$@" || status=$?
# The integration test programs' own leaks are not nslab's: a failed
# assertion jumps past their cleanup. nslab, and the unit tests of the
# core library, are checked in full. print_suppressions=0: a list of the
# leaks suppressed is no report (LeakSanitizer writes it to the log file).
printf 'leak:/tests/integration/test-\n' >"$SAN_LOGS.supp"
ASAN_OPTIONS=detect_leaks=1:log_path=$SAN_LOGS/asan \
LSAN_OPTIONS=suppressions=$SAN_LOGS.supp:print_suppressions=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$SAN_LOGS/ubsan \
	meson test -C "$SAN_BUILD" "${args[@]}" "${san_args[@]}" || status=$?
# The unit suite once more under valgrind's memcheck (the C tests through
# tests/tap-skip.sh): an error or a definite or indirect leak fails the test
# (exit 99). Its own log, so that the counts below take each run once.
VALGRIND_LOG=$BUILD/meson-logs/valgrind.txt
rm -f "$VALGRIND_LOG"
if [ $# -eq 0 ]; then
	NSLAB_TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
		meson test -C "$BUILD" --print-errorlogs --suite unit --logbase valgrind --timeout-multiplier 10 ||
		status=$?
fi
reports=$(find "$SAN_LOGS" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
	echo "test.sh: $reports sanitizer report(s):" >&2
	find "$SAN_LOGS" -type f -exec cat {} + >&2
	status=1
fi
logs=("$BUILD/meson-logs/testlog.txt" "$SAN_BUILD/meson-logs/testlog.txt")
[ ! -f "$VALGRIND_LOG" ] || logs+=("$VALGRIND_LOG")
report_counts "$reports" "${logs[@]}" || true
exit "$status"
