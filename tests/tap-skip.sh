#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a cmocka test binary and fix one line of its TAP: cmocka 1.1.5 prints
# a skipped test as "not ok N # SKIP", which meson counts as a failure;
# TAP (and newer cmocka) say "ok N # SKIP". The exit status is the test's.
# NSLAB_TEST_WRAP, when set, is a command line put before the binary
# (scripts/test.sh's valgrind run of the unit suite).
set -u
status=0
# shellcheck disable=SC2086 # the wrapper's words are its arguments
{ ${NSLAB_TEST_WRAP:-} "$@" || status=$?; echo "tap-skip-status $status"; } | {
	while IFS= read -r line; do
		case $line in
		"not ok "*" # SKIP"*) printf '%s\n' "ok ${line#not ok }" ;;
		"tap-skip-status "*) exit "${line#tap-skip-status }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}
