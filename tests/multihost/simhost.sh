# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Simulated hosts on one machine, for the multi-host tests (root, bash;
# source it). A simulated host ("simhost") is a network namespace with a
# mount namespace of its own, held by one long-lived process: its /run is a
# tmpfs (so its own /run/netns, /run/nslab and /run/lock), /etc/netns a
# tmpfs, /sys the sysfs of its network namespace, lo up. The hosts are
# joined by an underlay: a bridge in a namespace of its own (also held by a
# process, never named in /run/netns), one veth per host, the host's end
# `eth0` with 198.18.0.N/24. Nothing is named on the machine: the holders'
# PIDs are the handles, kept in a state folder.
#
#   simhost_init [DIR]        the state folder (default: a new /tmp/nslt-mh-sim.*,
#                             exported as NSLAB_SIMHOST_DIR) and the underlay
#   simhost_create NAME N     a host NAME with 198.18.0.N/24 on eth0
#   simhost_run NAME CMD...   CMD inside NAME (its mount and network
#                             namespaces, this working directory)
#   simhost_pid NAME          the holder's PID
#   simhost_leftovers NAME [LAB]
#                             what is left on NAME: namespaces (all, or LAB's),
#                             /run/nslab entries, vxlan devices of the host's
#                             own namespace, processes; prints nothing if clean
#   simhost_destroy_all       kill what is left in the hosts, the holders and
#                             the underlay, by PID; 1 (and what it found) if
#                             anything was left or remains
#
# Call simhost_init and simhost_create in the script's own shell, never in a
# $(...) subshell: each holder dies with the shell that started it
# (PR_SET_PDEATHSIG), so nothing outlives a test killed by SIGKILL.
# Needs /etc/netns to exist (tests/isolate.sh makes one): a tmpfs goes over
# it in each host, and nothing is created on the machine's file system but
# the state folder.
# tests/multihost/transport.sh is the NSLAB_CLUSTER_TRANSPORT that runs
# nslab in a simhost from this state folder.

SIMHOST_NET=198.18.0
# the mark in the environment of everything run in a host: a process that
# carries it is the run's (simhost_leftovers)
SIMHOST_MARK=NSLAB_SIMHOST

_simhost_die() {
	echo "simhost: $*" >&2
	return 1
}

# _simhost_running PID: PID is a process, not a zombie (a holder is
# disowned: the shell reaps it, but says nothing of its being killed)
_simhost_running() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]
}

# _simhost_alive PID: PID is a holder of this run (alive, and its /run is
# the tmpfs with the ready file it made: a reused PID is not taken for it)
_simhost_alive() {
	[ -n "$1" ] && [ -e "/proc/$1/root/run/.nslt-simhost-ready" ] 2>/dev/null
}

simhost_init() {
	if [ -n "${1:-}" ]; then
		NSLAB_SIMHOST_DIR=$1
		mkdir -p "$NSLAB_SIMHOST_DIR" || return 1
	else
		NSLAB_SIMHOST_DIR=$(mktemp -d /tmp/nslt-mh-sim.XXXXXX) || return 1
	fi
	export NSLAB_SIMHOST_DIR
	[ -d /etc/netns ] || _simhost_die "/etc/netns does not exist (run under tests/isolate.sh)" || return 1
	[ -e "$NSLAB_SIMHOST_DIR/underlay.pid" ] && return 0
	# the underlay: a bridge in a network namespace of its own (the machine's
	# mounts: it says it is ready with a file in the state folder)
	# shellcheck disable=SC2016 # $1 is the inner shell's
	setpriv --pdeathsig KILL -- unshare --net -- sh -c '
		ip link set lo up && ip link add br0 type bridge && ip link set br0 up &&
		touch "$1/underlay.ready" && exec sleep infinity' sh "$NSLAB_SIMHOST_DIR" &
	local pid=$!
	disown "$pid"
	echo "$pid" >"$NSLAB_SIMHOST_DIR/underlay.pid"
	for _ in $(seq 100); do
		[ -e "$NSLAB_SIMHOST_DIR/underlay.ready" ] && return 0
		_simhost_running "$pid" || break
		sleep 0.05
	done
	_simhost_die "the underlay did not come up (holder $pid)"
}

simhost_pid() {
	local pid
	pid=$(cat "${NSLAB_SIMHOST_DIR:?}/$1.pid" 2>/dev/null) || { _simhost_die "no host '$1'"; return 1; }
	echo "$pid"
}

simhost_create() {
	local name=$1 n=$2 pid upid
	case $name in '' | *[!a-zA-Z0-9_-]*) _simhost_die "bad host name '$name'"; return 1 ;; esac
	[ -e "${NSLAB_SIMHOST_DIR:?call simhost_init first}/$name.pid" ] && { _simhost_die "host '$name' exists"; return 1; }
	upid=$(cat "$NSLAB_SIMHOST_DIR/underlay.pid") || return 1
	# its own /run, /etc/netns and /sys, private to its mount namespace
	setpriv --pdeathsig KILL -- unshare --mount --net --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755,size=64m nslt-mh-run /run &&
		mount -t tmpfs -o mode=0755 nslt-mh-etc /etc/netns &&
		mount -t sysfs nslt-mh-sys /sys &&
		ip link set lo up &&
		touch /run/.nslt-simhost-ready && exec sleep infinity' &
	pid=$!
	disown "$pid"
	echo "$pid" >"$NSLAB_SIMHOST_DIR/$name.pid"
	echo "$n" >"$NSLAB_SIMHOST_DIR/$name.n"
	for _ in $(seq 100); do
		_simhost_alive "$pid" && break
		_simhost_running "$pid" || break
		sleep 0.05
	done
	_simhost_alive "$pid" || { _simhost_die "host '$name' did not come up (holder $pid)"; return 1; }
	# its cable to the underlay: eth0 in the host, h-NAME on the bridge
	local port
	port=$(printf 'h-%s' "$name" | cut -c1-15)
	if ! { nsenter -t "$upid" -n -- ip link add "$port" type veth peer name eth0 netns "$pid" &&
		nsenter -t "$upid" -n -- ip link set "$port" master br0 up &&
		nsenter -t "$pid" -n -- ip addr add "$SIMHOST_NET.$n/24" dev eth0 &&
		nsenter -t "$pid" -n -- ip link set eth0 up; }; then
		_simhost_die "cannot cable host '$name'"
		return 1
	fi
}

simhost_run() {
	local name=$1 pid
	shift
	pid=$(simhost_pid "$name") || return 1
	_simhost_alive "$pid" || { _simhost_die "host '$name' (holder $pid) is gone"; return 1; }
	# --root: entering a mount namespace sets the root to that namespace's
	# own; in a chroot (fresh.sh) that is the machine's /, not the holder's
	env "$SIMHOST_MARK=$NSLAB_SIMHOST_DIR:$name" nsenter -t "$pid" -m -n --root --wd="$PWD" -- "$@"
}

# _simhost_procs NAME: the processes of host NAME but its holder: in its
# mount or network namespace, or carrying its mark
_simhost_procs() {
	local name=$1 pid mnt net p
	pid=$(simhost_pid "$name") || return 0
	mnt=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)
	net=$(readlink "/proc/$pid/ns/net" 2>/dev/null)
	[ -n "$mnt" ] && [ -n "$net" ] || return 0
	{
		find /proc/[0-9]*/ns -maxdepth 1 \( \( -name mnt -lname "$mnt" \) -o \( -name net -lname "$net" \) \) \
			-printf '%h\n' 2>/dev/null | sed 's|^/proc/||; s|/ns$||'
		grep -lzxF -- "$SIMHOST_MARK=$NSLAB_SIMHOST_DIR:$name" /proc/[0-9]*/environ 2>/dev/null |
			sed 's|^/proc/||; s|/environ$||'
	} | sort -un | while read -r p; do
		# not the holder, nor this shell (nor its subshells: they are not in
		# the host and carry no mark)
		[ "$p" = "$pid" ] && continue
		_simhost_running "$p" && echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}

simhost_leftovers() {
	local name=$1 lab=${2:-} pid root ns
	pid=$(simhost_pid "$name") || return 0
	_simhost_alive "$pid" || { echo "$name: host gone (holder $pid)"; return 0; }
	root=/proc/$pid/root
	for ns in $(nsenter -t "$pid" -m -n --root -- ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$lab"-* | "$lab") echo "$name: namespace $ns" ;; *) [ -n "$lab" ] || echo "$name: namespace $ns" ;; esac
	done
	# a lab's run folder and DNS files (all labs': the host-wide record
	# of raised limits is no lab's)
	local f
	for f in "$root"/run/nslab/* "$root"/run/nslab/.[!.]* "$root"/etc/netns/* "$root"/etc/netns/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		case ${f##*/} in .host-limits) continue ;; esac
		case ${f##*/} in "$lab" | "$lab"-*) ;; *) [ -z "$lab" ] || continue ;; esac
		echo "$name: ${f#"$root"}"
	done
	nsenter -t "$pid" -n -- ip -o link show type vxlan 2>/dev/null | awk -v h="$name" -F': ' '{print h ": vxlan " $2 " in the host namespace"}'
	_simhost_procs "$name" | sed "s|^|$name: process |"
}

simhost_names() {
	local f
	for f in "${NSLAB_SIMHOST_DIR:?}"/*.n; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.n}"
	done
}

simhost_destroy_all() {
	[ -n "${NSLAB_SIMHOST_DIR:-}" ] && [ -d "$NSLAB_SIMHOST_DIR" ] || return 0
	local name pid p left=''
	for name in $(simhost_names); do
		pid=$(simhost_pid "$name") || continue
		if _simhost_alive "$pid"; then
			left="$left
$(simhost_leftovers "$name")"
			# what still runs in it (a node's service left behind), then the holder
			for p in $(_simhost_procs "$name" | awk '{print $1}'); do
				kill -KILL "$p" 2>/dev/null
			done
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	pid=$(cat "$NSLAB_SIMHOST_DIR/underlay.pid" 2>/dev/null) && [ -n "$pid" ] &&
		[ -e "$NSLAB_SIMHOST_DIR/underlay.ready" ] && kill -KILL "$pid" 2>/dev/null
	# wait for the holders (our children) to be gone
	for name in $(simhost_names) underlay; do
		pid=$(cat "$NSLAB_SIMHOST_DIR/$name.pid" 2>/dev/null) || continue
		for _ in $(seq 100); do
			_simhost_running "$pid" || break
			sleep 0.05
		done
		_simhost_running "$pid" && left="$left
holder of $name (PID $pid) still there"
	done
	# anything that still carries a host's mark
	left="$left
$(grep -lzF -- "$SIMHOST_MARK=$NSLAB_SIMHOST_DIR:" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|^/proc/||; s|/environ$||' | while read -r p; do
			_simhost_running "$p" && echo "process $p still there: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done)"
	rm -rf "$NSLAB_SIMHOST_DIR"
	left=$(printf '%s\n' "$left" | sed '/^$/d')
	[ -z "$left" ] && return 0
	printf 'simhost: left behind (removed):\n%s\n' "$left" >&2
	return 1
}
