#!/bin/sh
# SPDX-License-Identifier: MIT
# One scenario's reach, noreach and tcp checks, from sockets (sockprobe.c)
# and from processes (NSLAB_CHECK_PROCESSES=1): the same outcomes as the lab
# is built and with one host's eth0 down. Run by test-sockprobe.c, several
# at once; prints one line: "agree NAME", "lacks NAME: WHY" or
# "differ NAME: ..." (details in DIR/NAME.log).
#   usage: checks-agree.sh NSLAB DIR NAME   (DIR/topologies: the copy to use)
set -u
nslab=$1 dir=$2 name=$3
lab=nslt-ic-$(printf %.20s "$name")
log=$dir/$name.log
: >"$log"

outcomes() { # ENV: each check's outcome and name, one a line
	env "$@" "$nslab" check --json "$lab" 2>>"$log" | jq -r '.results[] | "\(.ok) \(.name)"'
}

# sockets, then processes; again once if they differ (a daemon converging)
agree() {
	for round in 1 2; do
		a=$(outcomes NSLAB_CHECK_PROCESSES=0)
		b=$(outcomes NSLAB_CHECK_PROCESSES=1)
		[ -n "$a" ] && [ "$a" = "$b" ] && return 0
		printf '%s, round %s\nsockets:\n%s\nprocesses:\n%s\n' "$1" "$round" "$a" "$b" >>"$log"
	done
	return 1
}

out=$("$nslab" up --name "$lab" "$dir/topologies/$name.ini" 2>&1)
case $out in
*"kernel lacks"*)
	echo "lacks $name: ${out#*kernel lacks }"
	exit 0
	;;
esac
if ! "$nslab" ls --json | jq -e --arg l "$lab" '.[] | select(.name == $l)' >/dev/null; then
	echo "differ $name: up failed: $out"
	exit 0
fi
# as built: every check holds once routing has converged (60 s at most)
i=0
until [ "$(outcomes NSLAB_CHECK_PROCESSES=0 | grep -c '^false')" = 0 ] || [ $i -ge 12 ]; do
	sleep 1
	i=$((i + 1))
done
result="agree $name"
if ! agree "as built"; then
	result="differ $name: as built"
else
	# a host's cable pulled: the first node with eth0 as its one interface
	ns=$("$nslab" show --json "$lab" | jq -r '[.nodes[] | select(.name != "(switch)") |
		select([.interfaces[] | select(.name != "lo")] | length == 1) |
		select(.interfaces[] | .name == "eth0")][0].netns // empty')
	if [ -n "$ns" ]; then
		ip -n "$ns" link set eth0 down
		if agree "with eth0 of $ns down"; then
			result="$result, also with eth0 of $ns down: $(printf '%s\n' "$a" | grep -c '^false') fail"
		else
			result="differ $name: with eth0 of $ns down"
		fi
	fi
fi
"$nslab" down "$lab" >>"$log" 2>&1 || result="differ $name: down failed"
echo "$result"
