# SPDX-License-Identifier: MIT
# Sourced by the guest scripts (. "$SRC/tests/vm/check.sh"): TAP lines.
n=0
fail=0
check() { # DESCRIPTION COMMAND...: "ok N" if it exits 0, else "not ok N" and its output
	desc=$1; shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
}
