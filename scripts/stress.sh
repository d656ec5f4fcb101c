#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reliability runs (issue #21), as root, in a private /run and /etc/netns
# (tests/isolate.sh): nothing of the machine's other labs is seen or touched.
#   scripts/stress.sh                 every part
#   scripts/stress.sh PART...         cycles parallel race kill symlink
#   scripts/stress.sh selftest        that the leak checks see a planted leak
# cycles:   100 up/down cycles of lan and of web (services, DNS); no growth
#           in namespaces, mounts, /run and /etc/netns entries, processes,
#           fds, root-namespace interfaces
# parallel: 4 labs (lan, router, vxlan, web) up and down at once, 20 rounds
# race:     two ups of one lab at once, 20 times: one wins, the other says
#           so and changes nothing
# kill:     every scenario the kernel can run, killed (SIGKILL) at 20 or more
#           points of up, then down leaves nothing; a few kills from outside
#           at a random moment
# symlink:  links planted at /run/nslab/LAB, /etc/netns/LAB-NODE and in a
#           node's folder are never followed; run directories are 0700
# Prints TAP lines ("ok N - ..."), then "N passed, N failed, N skipped";
# exits 1 when a check failed. NSLAB_BIN: the binary (default
# $BUILD/src/nslab, built when missing).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh
SRC=$PWD
PARTS=(cycles parallel race kill symlink)

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - stress.sh # SKIP not root (it makes namespaces)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
for p in "$@"; do
	case " ${PARTS[*]} selftest " in *" $p "*) ;; *)
		echo "stress.sh: no part '$p'; the parts are: ${PARTS[*]}" >&2
		exit 2 ;;
	esac
done
if [ "${NSLAB_STRESS_ISOLATED:-}" != 1 ]; then
	if [ -z "${NSLAB_BIN:-}" ]; then
		install_missing "${NSLAB_TEST_PACKAGES[@]}" || exit 1
		[ -x "$BUILD/src/nslab" ] || build_nslab || exit 1
		NSLAB_BIN=$SRC/$BUILD/src/nslab
	fi
	export NSLAB_BIN NSLAB_STRESS_ISOLATED=1 NSLAB_PREFIX="" SUDO_USER=""
	exec tests/isolate.sh "$SRC/scripts/stress.sh" "$@"
fi
[ $# -gt 0 ] || set -- "${PARTS[@]}"

N=$NSLAB_BIN
T=$SRC/topologies
W=$(mktemp -d /tmp/nslab-stress.XXXXXX)
trap 'rm -rf "$W"' EXIT
P=nslt-st- # every lab here is named so
RANDOM=21  # the outside kills' moments, the same each run
passed=0 failed=0 skipped=0 n=0
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	printf '#   %s\n' "$@"
}
skip() { n=$((n + 1)) skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
# verdict BAD WHAT OK-TEXT: ok when BAD (what went wrong) is empty
verdict() {
	if [ -z "$1" ]; then ok "$2: $3"; else fail "$2" "$1"; fi
}
note() { echo "# $*"; }

# ---- what a lab may leave behind -------------------------------------

# Namespaces made here, as "[INODE]": first the private mount namespace of
# this run, then every lab namespace seen while up.
NSSET=$W/nsset
readlink /proc/$$/ns/mnt | sed 's/^[a-z]*://' >"$NSSET"
# remember LAB: the inodes of its namespaces (net, and its nodes' mnt, uts)
remember() {
	local f
	for f in /run/netns/"$1"-* /run/nslab/"$1"/ns/*; do
		[ -e "$f" ] && echo "[$(stat -L -c %i "$f")]"
	done >>"$NSSET"
}

# below PID: is PID this shell, or one of its children (the snapshot's own
# subshells and commands)? A process a lab left behind is not: nslab's
# services and dnsmasq leave the nslab that started them.
below_me() {
	local pid=$1 stat
	while [ "$pid" -gt 1 ]; do
		[ "$pid" != $$ ] || return 0
		read -r stat <"/proc/$pid/stat" 2>/dev/null || return 1
		stat=${stat##*) }
		read -r _ pid _ <<<"$stat"
	done
	return 1
}

# Processes of this run, less this shell and its children: "PID COMM
# NETNS". Ours: in our mount namespace or a node's, and in a lab's network
# namespace or carrying our mark in its environment (what this run starts
# inherits it). The kernel gives a namespace's inode number to the next
# one made, anyone's: the inode alone could name another's process. The
# list is taken by one find, whose PID is known and left out.
export NSLAB_STRESS_MARK=$$-$RANDOM
marked() {
	local env
	mapfile -d "" -t env 2>/dev/null <"/proc/$1/environ" || return 1
	[[ " ${env[*]} " == *" NSLAB_STRESS_MARK=$NSLAB_STRESS_MARK "* ]]
}
our_procs() {
	find /proc/[0-9]*/ns/mnt /proc/[0-9]*/ns/net -maxdepth 0 -printf '%h %l\n' 2>/dev/null >"$W/ns" &
	local f=$!
	wait $f
	awk -v self=$$ -v f=$f '
		NR == FNR { ours[$1] = 1; next }
		{ split($1, p, "/"); pid = p[3]; if (pid == self || pid == f) next
		  ino = substr($2, index($2, "["))
		  if ($2 ~ /^mnt:/) { if (ino in ours) mine[pid] = 1 } else { net[pid] = $2; lab[pid] = ino in ours } }
		END { for (pid in mine) print pid, net[pid], lab[pid] }' "$NSSET" "$W/ns" | sort -n |
		while read -r pid net lab; do
			[ "$lab" = 1 ] || marked "$pid" || continue
			below_me "$pid" || echo "$pid $(cat /proc/"$pid"/comm 2>/dev/null) $net"
		done
}

# File descriptors of this run's processes (our_procs) that hold a lab
# namespace (its inode, as stat -L of the fd sees it: a namespace opened
# by its file, once that is deleted, shows as "/"): "PID FD INODE".
ns_fds() {
	local fds
	fds=$(our_procs | awk '{ printf "/proc/%s/fd/* ", $1 }')
	[ -n "$fds" ] || return 0
	# shellcheck disable=SC2086 # one glob a process
	stat -L -c '[%i] %n' $fds 2>/dev/null |
		awk 'NR == FNR { if (FNR > 1) ours[$1] = 1; next }
		($1 in ours) { split($2, p, "/"); print p[3], p[5], $1 }' "$NSSET" -
}

# The state a lab must leave as it found it, one "KEY VALUE" a line.
snapshot() {
	echo "netns $(ip netns list 2>/dev/null | wc -l)"
	echo "run-netns $(find /run/netns -mindepth 1 2>/dev/null | wc -l)"
	echo "mounts $(findmnt -rn | wc -l)"
	echo "mountinfo $(wc -l </proc/self/mountinfo)"
	# all of /run is this run's own (isolate.sh); the lock files are
	# never deleted, by design (rundir.h): counted on their own
	echo "run $(find /run -path /run/lock/nslab -prune -o -print | wc -l)"
	echo "run-nslab $(find /run/nslab 2>/dev/null | wc -l)"
	echo "etc-netns $(find /etc/netns -mindepth 1 2>&1 | wc -l)"
	echo "root-links $(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort | tr '\n' ' ')"
	echo "procs $(our_procs | wc -l)"
	echo "fds-here $(find /proc/$$/fd -mindepth 1 | wc -l)"
	echo "ns-fds $(ns_fds | wc -l)"
}

# expect_same WHAT BEFORE AFTER: every key the same (no growth at all)
expect_same() {
	local what=$1 diffs
	diffs=$(diff "$2" "$3" | grep '^[<>]')
	if [ -z "$diffs" ]; then
		ok "$what: nothing left ($(tr '\n' ' ' <"$3" | sed 's/root-links [^0-9]*procs/procs/'))"
		return 0
	fi
	fail "$what: something stays" "before and after:" "$diffs" "processes:" "$(our_procs)" \
		"fds on lab namespaces:" "$(ns_fds)"
	return 1
}

# quick_clean LAB: what must be true after its down, at once
quick_clean() {
	local left
	left=$(
		compgen -G "/run/netns/$1-*"
		[ ! -e "/run/nslab/$1" ] || echo "/run/nslab/$1"
		compgen -G "/etc/netns/$1-*"
		grep -E " /run/nslab/$1/| /run/netns/$1-" /proc/self/mountinfo
	)
	[ -z "$left" ] && return 0
	echo "$left"
	return 1
}


# ---- 1. cycles ----------------------------------------------------------

cycles_of() { # NAME FILE COUNT SERVICES
	local lab=$P$1 file=$2 count=$3 svc=$4 i out bad=""
	snapshot >"$W/before"
	for ((i = 1; i <= count; i++)); do
		if ! out=$($N up --name "$lab" "$file" 2>&1); then
			bad="cycle $i: up failed: $out"
			break
		fi
		[ $i != 1 ] && [ $((i % 25)) != 0 ] || remember "$lab"
		if [ "$svc" != 0 ] && [ $((i % 10)) = 1 ] &&
			[ "$($N ps "$lab" | grep -c ' running ')" != "$svc" ]; then
			bad="cycle $i: not $svc services running: $($N ps "$lab")"
			break
		fi
		if ! out=$($N down "$lab" 2>&1); then
			bad="cycle $i: down failed: $out"
			break
		fi
		if ! out=$(quick_clean "$lab"); then
			bad="cycle $i: left after down: $out"
			break
		fi
	done
	$N down "$lab" >/dev/null 2>&1
	verdict "$bad" "cycles: $count up/down of $1" "$file, each down left nothing at once" || return
	snapshot >"$W/after"
	expect_same "cycles: after $count cycles of $1" "$W/before" "$W/after"
}

part_cycles() {
	local t0=$SECONDS
	for l in lan web; do # their lock files, before the counts
		$N up --name "$P$l" "$T/$l.ini" >/dev/null 2>&1
		$N down "$P$l" >/dev/null 2>&1
	done
	local locks
	locks=$(ls /run/lock/nslab)
	cycles_of lan "$T/lan.ini" 100 0
	note "cycles: lan took $((SECONDS - t0)) s"
	cycles_of web "$T/web.ini" 100 1
	if [ "$(ls /run/lock/nslab)" = "$locks" ]; then
		ok "cycles: one lock file per lab name, no more (/run/lock/nslab, kept by design): $(echo $locks)"
	else
		fail "cycles: lock files" "before: $locks" "after: $(ls /run/lock/nslab)"
	fi
	note "cycles took $((SECONDS - t0)) s"
}

# ---- 2. parallel, race --------------------------------------------------

part_parallel() {
	local t0=$SECONDS round labs=(lan router vxlan web) l bad="" pids=() rc
	snapshot >"$W/before"
	for ((round = 1; round <= 20 && !${#bad}; round++)); do
		pids=()
		for l in "${labs[@]}"; do
			$N up --name "$P$l" "$T/$l.ini" >"$W/up-$l" 2>&1 &
			pids+=($!)
		done
		for i in "${!labs[@]}"; do
			wait "${pids[$i]}" || bad+="round $round: up ${labs[$i]}: $(cat "$W/up-${labs[$i]}"); "
		done
		[ $round != 1 ] || for l in "${labs[@]}"; do remember "$P$l"; done
		for l in "${labs[@]}"; do
			[ -n "$bad" ] || $N diff "$P$l" "$T/$l.ini" >"$W/diff-$l" 2>&1 ||
				bad+="round $round: diff $l: $(cat "$W/diff-$l"); "
		done
		pids=()
		for l in "${labs[@]}"; do
			$N down "$P$l" >"$W/down-$l" 2>&1 &
			pids+=($!)
		done
		for i in "${!labs[@]}"; do
			wait "${pids[$i]}" || bad+="round $round: down ${labs[$i]}: $(cat "$W/down-${labs[$i]}"); "
		done
		for l in "${labs[@]}"; do
			rc=$(quick_clean "$P$l") || bad+="round $round: $l left $rc; "
		done
	done
	for l in "${labs[@]}"; do $N down "$P$l" >/dev/null 2>&1; done
	verdict "$bad" "parallel: 4 labs up and down at once" \
		"${labs[*]} up at once, as their files say (diff), and down at once, 20 rounds"
	snapshot >"$W/after"
	expect_same "parallel: after 20 rounds" "$W/before" "$W/after"
	note "parallel took $((SECONDS - t0)) s"
}

# Two ups of one lab at once: one wins, the other exits 1 naming the lab
# and what to do, and the winner's lab is intact. A held lock is waited for
# half a second (rundir_lock): web (up in ~0.1 s) mostly meets "already
# up", ospf (FRR, ~2 s) the lock.
part_race() {
	local t0=$SECONDS lab=${P}race file k a b ra rb bad="" busy=0 already=0 loser
	snapshot >"$W/before"
	for ((k = 1; k <= 20 && !${#bad}; k++)); do
		file=$T/web.ini
		[ $k -le 17 ] || file=$T/ospf.ini
		$N up --name "$lab" "$file" >"$W/a" 2>&1 &
		a=$!
		# at the same moment, or a little later (inside the winner's up)
		[ $((k % 2)) = 0 ] || sleep 0.02
		$N up --name "$lab" "$file" >"$W/b" 2>&1 &
		b=$!
		wait $a
		ra=$?
		wait $b
		rb=$?
		if [ $((ra == 0)) = $((rb == 0)) ]; then
			bad="try $k: exit $ra and $rb: $(cat "$W/a" "$W/b")"
			break
		fi
		loser=$W/b
		[ $ra = 0 ] || loser=$W/a
		[ $k != 1 ] || remember "$lab"
		if grep -q "lab '$lab' is being changed by another nslab right now.*nothing was changed: wait for it" "$loser"; then
			busy=$((busy + 1))
		elif grep -q "lab '$lab' is already up.*'nslab down $lab' first" "$loser"; then
			already=$((already + 1))
		else
			bad="try $k: the loser says: $(cat "$loser")"
			break
		fi
		$N diff "$lab" "$file" >"$W/d" 2>&1 || bad="try $k: diff after the race: $(cat "$W/d")"
		# once more after a failure: a busy machine can delay a reply
		# past check's wait; what the race broke would fail twice
		$N check "$lab" >"$W/c" 2>&1 || { sleep 1; $N check "$lab" >"$W/c" 2>&1; } ||
			bad="try $k: check after the race: $(cat "$W/c")"
		[ "$($N ps "$lab" | grep -c ' running ')" -ge 1 ] || bad="try $k: services: $($N ps "$lab")"
		$N down "$lab" >/dev/null 2>&1 || bad="try $k: down failed"
	done
	$N down "$lab" >/dev/null 2>&1
	verdict "$bad" "race: two ups of one lab" "20 times (web, ospf): one won, the other exited 1 naming the lab ($busy times 'being changed by another nslab', $already times 'already up'), the winner's lab intact (diff, check, its service)"
	if [ $busy -gt 0 ]; then
		ok "race: the lock was contended $busy times in 20, and the message says what to do: $(grep -h "being changed" "$W/a" "$W/b" | head -n 1)"
	else
		fail "race: the two ups never met inside the lock (timing): the lock's message went untested"
	fi
	snapshot >"$W/after"
	expect_same "race: after 20 races" "$W/before" "$W/after"
	note "race took $((SECONDS - t0)) s"
}

# ---- 3. kill --------------------------------------------------------------

# SCENARIO files: topologies/*.ini and the course's labs (tests/course's
# reference answers, as test-course runs them)
scenarios() {
	ls "$T"/*.ini "$SRC"/tests/course/*.ini 2>/dev/null
}

# steps_of FILE LAB: the number of steps of its up (from NSLAB_PROFILE) in
# $W/steps-LAB, "service" on its second line when services start; false
# when up fails (the reason in $W/why-LAB). The lab is down after.
steps_of() {
	local out
	if ! out=$(NSLAB_PROFILE=1 $N up --name "$2" "$1" 2>&1); then
		echo "$out" >"$W/why-$2"
		$N down "$2" >/dev/null 2>&1
		return 1
	fi
	remember "$2"
	$N down "$2" >/dev/null 2>&1
	echo "$out" | awk '/profile:/ { n += $4 } END { print n }' >"$W/steps-$2"
	grep -q 'profile: \(service\|frr\) ' <<<"$out" && echo service >>"$W/steps-$2"
	return 0
}

# kill_once LAB FILE [REPLACE|DOWN] ENV...: up dies by SIGKILL where ENV
# says (REPLACE: an up --replace of the lab, up; DOWN: a down of it, up,
# killed half way); then down leaves nothing. Empty output, or what went
# wrong.
kill_once() {
	local lab=$1 file=$2 rc out mode=
	shift 2
	case $1 in REPLACE | DOWN)
		mode=$1
		shift
		out=$($N up --name "$lab" "$file" 2>&1) || echo "[$mode $*] the first up failed: $out" ;;
	esac
	if [ "$mode" = DOWN ]; then
		NSLAB_TEST_KILL_AT=teardown "$N" down "$lab" >/dev/null 2>&1
	else
		env "$@" "$N" up ${mode:+--replace} --name "$lab" "$file" >/dev/null 2>&1
	fi
	rc=$?
	[ $rc = 137 ] || echo "[$mode $*] exited $rc, not by SIGKILL"
	out=$($N down "$lab" 2>&1) ||
		echo "[$mode $*] down failed: $out; locks: $(grep FLOCK /proc/locks | tr '\n' ' ')"
	out=$(quick_clean "$lab") || echo "[$mode $*] left: $out"
	# and a second down is a no-op (once a lab: it costs a process a run)
	[ "$mode" != DOWN ] || out=$($N down "$lab" 2>&1) || echo "[$mode $*] a second down failed: $out"
}

# The kill points of a lab of NSTEPS steps (SVC: it starts services), one
# a line: 20 step indices spread over 0..N-1 (all when fewer), the points
# outside the step loop (lab.h: lab_test_kill_at), a failed step's undo,
# an up --replace and a down killed half way; to 20 at least.
kill_points() {
	local nsteps=$1 svc=$2 k at pts=()
	for ((k = 0; k < 20; k++)); do
		at="NSLAB_TEST_KILL_STEP=$((k * (nsteps - 1) / 19))"
		[ ${#pts[@]} -gt 0 ] && [ "${pts[-1]}" = "$at" ] || pts+=("$at")
	done
	for at in locked cleaned rundir journal steps-done journal-done; do
		pts+=("NSLAB_TEST_KILL_AT=$at")
	done
	pts+=("NSLAB_TEST_KILL_AT=undo NSLAB_TEST_FAIL_STEP=$((nsteps / 2))")
	pts+=("REPLACE NSLAB_TEST_KILL_AT=teardown" "REPLACE NSLAB_TEST_KILL_AT=cleaned" DOWN)
	[ -z "$svc" ] || pts+=(NSLAB_TEST_KILL_AT=service-spawned NSLAB_TEST_KILL_AT=service-recorded)
	# a small lab: more failed steps undone, and more steps of --replace
	for ((k = 0; ${#pts[@]} < 20 && k < nsteps; k++)); do
		[ $k = $((nsteps / 2)) ] || pts+=("NSLAB_TEST_KILL_AT=undo NSLAB_TEST_FAIL_STEP=$k")
	done
	for ((k = 0; ${#pts[@]} < 20 && k < nsteps; k++)); do
		pts+=("REPLACE NSLAB_TEST_KILL_STEP=$k")
	done
	printf '%s\n' "${pts[@]}"
}

# kill_scenario FILE LAB: its verdict in $W/kill-NAME: "ok|fail|skip",
# the text, details; its number of runs in $W/runs-NAME.
kill_scenario() {
	local f=$1 lab=$2 name nsteps svc at bad="" runs=0
	name=$(basename "$f" .ini)
	if ! steps_of "$f" "$lab"; then
		if grep -qi 'kernel\|module' "$W/why-$lab"; then
			printf 'skip\nkill: %s\nthe kernel cannot run it: %s\n' "$name" "$(head -n 1 "$W/why-$lab")"
		else
			printf 'fail\nkill: %s does not come up\n%s\n' "$name" "$(cat "$W/why-$lab")"
		fi >"$W/kill-$name"
		echo 0 >"$W/runs-$name"
		return
	fi
	nsteps=$(head -n 1 "$W/steps-$lab")
	svc=$(sed -n 2p "$W/steps-$lab")
	while read -r at; do
		# shellcheck disable=SC2086 # two words in one point
		bad+=$(kill_once "$lab" "$f" $at </dev/null)
		runs=$((runs + 1))
	done < <(kill_points "$nsteps" "$svc")
	echo $runs >"$W/runs-$name"
	if [ -n "$bad" ]; then
		printf 'fail\nkill: %s (%s steps) killed at %s points\n%s\n' "$name" "$nsteps" $runs "$bad"
	else
		printf 'ok\nkill: %s (%s steps) killed at %s points (steps 0..%s, before the journal, after the steps, during an undo%s, in an up --replace, in a down), down left nothing\n' \
			"$name" "$nsteps" $runs $((nsteps - 1)) "${svc:+, during service start}"
	fi >"$W/kill-$name"
}

# Two lanes at once (two labs of the scenarios, each its own name): the
# machine has 2 cores, and labs side by side are part of the test.
part_kill() {
	local t0=$SECONDS f name total=0 ran=0 skipped_list="" files lane
	snapshot >"$W/before"
	mapfile -t files < <(scenarios)
	for lane in 0 1; do
		(for ((i = lane; i < ${#files[@]}; i += 2)); do kill_scenario "${files[$i]}" "${P}k$lane"; done) &
	done
	wait
	for f in "${files[@]}"; do
		name=$(basename "$f" .ini)
		total=$((total + $(cat "$W/runs-$name")))
		case $(head -n 1 "$W/kill-$name") in
		ok) ok "$(sed -n 2p "$W/kill-$name")"; ran=$((ran + 1)) ;;
		skip) skip "$(sed -n 2p "$W/kill-$name")" "$(sed -n 3p "$W/kill-$name")"; skipped_list+=" $name" ;;
		*) fail "$(sed -n 2p "$W/kill-$name")" "$(tail -n +3 "$W/kill-$name")"; ran=$((ran + 1)) ;;
		esac
	done
	# the real path: SIGKILL from outside, at a moment up does not choose
	local real=(web k8s-flannel-vxlan dns-tree lan ospf) bad="" k ms pid out
	for name in "${real[@]}"; do
		f=$T/$name.ini
		for k in 1 2; do
			ms=$((RANDOM % 120))
			$N up --name "${P}k" "$f" >/dev/null 2>&1 &
			pid=$!
			sleep "$(printf '0.%03d' "$ms")"
			kill -KILL $pid 2>/dev/null
			wait $pid 2>/dev/null
			out=$($N down "${P}k" 2>&1) || bad+="$name after ${ms} ms: down failed: $out; "
			out=$(quick_clean "${P}k") || bad+="$name after ${ms} ms: left $out; "
			total=$((total + 1))
		done
	done
	verdict "$bad" "kill: SIGKILL from outside at a random moment" \
		"RANDOM=21, 2 each of ${real[*]}: down left nothing"
	snapshot >"$W/after"
	expect_same "kill: after $total killed runs of $ran scenarios" "$W/before" "$W/after"
	[ -z "$skipped_list" ] || note "kill: skipped (the host kernel lacks their kinds):$skipped_list"
	note "kill took $((SECONDS - t0)) s"
}

# ---- 4. symlink -----------------------------------------------------------

# canary DIR: a folder of the test's with files named as nslab's own
# (journal, info, resolv.conf, hosts); its listing and contents as a sum
canary() {
	mkdir -p "$1"
	for f in canary journal info resolv.conf hosts; do echo "canary $f" >"$1/$f"; done
	touch -d '2020-01-01' "$1"/*
}
canary_sum() { (cd "$1" && stat -c "%n %s %Y" . && ls -lA --time-style=+%s && cat ./*) | md5sum; }

part_symlink() {
	local lab=${P}sl out rc c=$W/canary sum mode
	canary "$c"
	sum=$(canary_sum "$c")

	# /run/nslab/LAB
	mkdir -p /run/nslab
	ln -s "$c" "/run/nslab/$lab"
	out=$($N up --name "$lab" "$T/lan.ini" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q "/run/nslab/$lab is a symbolic link.*follows no link.*rm /run/nslab/$lab" <<<"$out" &&
		[ "$(canary_sum "$c")" = "$sum" ] && [ -z "$(ip netns list | grep "^$lab-")" ]; then
		ok "symlink: up refuses a link at /run/nslab/LAB, makes nothing, the folder it points to untouched: $out"
	else
		fail "symlink: up with a link at /run/nslab/LAB" "exit $rc: $out" "$(ls -la "$c")"
	fi
	out=$($N down "$lab" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q "is a symbolic link" <<<"$out" && [ -L "/run/nslab/$lab" ] &&
		[ "$(canary_sum "$c")" = "$sum" ]; then
		ok "symlink: down refuses it too, and deletes nothing through it"
	else
		fail "symlink: down with a link at /run/nslab/LAB" "exit $rc: $out" "$(ls -la "$c")"
	fi
	rm -f "/run/nslab/$lab"
	rmdir /run/nslab 2>/dev/null

	# /etc/netns/LAB-NODE, for a lab with DNS (nslab writes there) ...
	ln -s "$c" "/etc/netns/$lab-h1"
	out=$($N up --name "$lab" "$T/dns.ini" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q "/etc/netns/$lab-h1 is a symbolic link.*rm /etc/netns/$lab-h1" <<<"$out" &&
		[ "$(canary_sum "$c")" = "$sum" ] && [ -z "$(ip netns list | grep "^$lab-")" ] &&
		[ ! -e "/run/nslab/$lab" ]; then
		ok "symlink: up refuses a link at /etc/netns/LAB-NODE (writes no resolv.conf through it), undoes itself: $(tail -n 1 <<<"$out")"
	else
		fail "symlink: up with a link at /etc/netns/LAB-NODE" "exit $rc: $out" "$(ls -la "$c")"
	fi
	# ... and for one without (down removes resolv.conf and hosts there)
	out=$($N up --name "$lab" "$T/lan.ini" 2>&1) && out=$($N down "$lab" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$(canary_sum "$c")" = "$sum" ] && [ -L "/etc/netns/$lab-h1" ] &&
		grep -q "/etc/netns/$lab-h1 stays" <<<"$out"; then
		ok "symlink: down deletes no resolv.conf or hosts through a link at /etc/netns/LAB-NODE, and says it stays"
	else
		fail "symlink: down with a link at /etc/netns/LAB-NODE" "exit $rc: $out" "$(ls -la "$c")"
	fi
	rm -f "/etc/netns/$lab-h1"
	$N down "$lab" >/dev/null 2>&1

	# a node's folder: a link at its top is refused; one inside is laid
	# over as a link, and nslab writes nothing through it
	local d=$W/topo
	mkdir -p "$d/h1/etc" "$d/h2"
	cp "$T/dns.ini" "$d/lab.ini"
	ln -s "$c/resolv.conf" "$d/h1/etc/resolv.conf"
	ln -s "$c/hosts" "$d/h1/etc/hosts"
	ln -s "$c" "$d/h2/srv"
	out=$($N up --name "$lab" "$d/lab.ini" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q "h2/srv is a symbolic link" <<<"$out" && [ "$(canary_sum "$c")" = "$sum" ]; then
		ok "symlink: a link at the top of a node's folder is refused: $(grep -m1 'symbolic link' <<<"$out")"
	else
		fail "symlink: a link at the top of a node's folder" "exit $rc: $out"
	fi
	rm "$d/h2/srv"
	out=$($N up --name "$lab" "$d/lab.ini" 2>&1)
	rc=$?
	mode=$(stat -c %a "/run/nslab/$lab" 2>/dev/null)
	local link
	link=$($N exec "$lab" h1 -- readlink /etc/resolv.conf 2>&1)
	$N exec "$lab" h1 -- cat /etc/hosts >/dev/null 2>&1
	local down
	down=$($N down "$lab" 2>&1)
	if [ $rc = 0 ] && [ "$link" = "$c/resolv.conf" ] && [ "$(canary_sum "$c")" = "$sum" ] &&
		quick_clean "$lab" >/dev/null; then
		ok "symlink: links inside a node's folder stay links in the node; up and down write and delete nothing through them"
	else
		fail "symlink: links inside a node's folder" "up exit $rc: $out" "readlink: $link" "down: $down" "$(ls -la "$c")"
	fi
	if [ "$mode" = 700 ]; then
		ok "symlink: the run directory /run/nslab/LAB is 0700"
	else
		fail "symlink: the run directory's mode is '$mode', not 700"
	fi
}

# Not a part of the run: that the leak checks can fail. Each of what a lab
# could leave is planted here, and the snapshots must tell.
part_selftest() {
	local what pid
	for what in netns mount run etc proc nsfd; do
		snapshot >"$W/before"
		case $what in
		netns) ip netns add "${P}plant" ;;
		mount) mkdir -p /run/nslt-st-plant && mount -t tmpfs none /run/nslt-st-plant ;;
		run) mkdir -p /run/nslab/"${P}plant" ;;
		etc) mkdir -p /etc/netns/"${P}plant" ;;
		proc) (setsid sleep 60 </dev/null >/dev/null 2>&1 &) ;;
		nsfd)
			ip netns add "${P}plant-x"
			remember "${P}plant"
			(setsid sleep 60 </dev/null >/dev/null 2>&1 9</run/netns/"${P}plant-x" &)
			ip netns del "${P}plant-x" ;;
		esac
		sleep 0.1
		[ -z "${NSLAB_STRESS_DEBUG:-}" ] || { our_procs; ns_fds; } >&2
		snapshot >"$W/after"
		if diff "$W/before" "$W/after" >"$W/self"; then
			fail "selftest: a planted $what went unseen"
		else
			ok "selftest: a planted $what is seen: $(grep '^>' "$W/self" | tr '\n' ' ')"
		fi
		ip netns del "${P}plant" 2>/dev/null
		umount /run/nslt-st-plant 2>/dev/null && rmdir /run/nslt-st-plant
		rm -rf /run/nslab/"${P}plant" /etc/netns/"${P}plant"
		rmdir /run/nslab 2>/dev/null
		for pid in $(our_procs | awk '$2 == "sleep" { print $1 }'); do kill "$pid"; done
	done
}

# A first up/down (not counted) leaves, by design: /run/lock/nslab/LAB.lock
# (locks are never deleted, rundir.h), the empty folders /run/lock and
# /run/netns (something may have /run/netns bound: netns.c)
find /run >"$W/run0"
$N up --name "${P}first" "$T/lan.ini" >/dev/null 2>&1
$N down "${P}first" >/dev/null 2>&1
note "the first up and down made: $(find /run | sort | comm -13 <(sort "$W/run0") - | tr '\n' ' ')"

t0=$SECONDS
for part in "$@"; do
	"part_$part"
done
note "stress.sh: $* in $((SECONDS - t0)) s"
echo "1..$n"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
