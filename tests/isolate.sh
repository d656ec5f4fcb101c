#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a root test in a private mount namespace, so that it neither sees nor
# touches the labs of the machine's users, and clean up whatever it left.
#   isolate.sh CMD [ARGS...]
# Inside, /run is a new tmpfs (so /run/netns, /run/nslab and every lock
# there are the test's own) and /etc/netns is private: a tmpfs over it (an
# empty /etc/netns is made first where the host has none, and removed
# after; a file .nslab-isolate.PID in it, under the tmpfs, while CMD runs).
# Nothing else is created on the host. After CMD (also when a signal
# stopped it), every lab still up in the
# private /run/nslab is taken down and every namespace left in the private
# /run/netns is emptied of processes and deleted; if there was any, the test
# fails: a test removes what it makes, also when it fails.
# Not root: CMD runs as it is (root tests skip themselves).
set -u
if [ "$(id -u)" != 0 ]; then
	exec "$@"
fi
if [ "${NSLAB_ISOLATED:-}" != 1 ]; then
	NSLAB_ISOLATED=1 exec unshare --mount --propagation private -- "$0" "$@"
fi

fail() {
	echo "isolate.sh: $*" >&2
	exit 1
}
# The host's mounts under /run (its labs' namespaces) were copied into this
# mount namespace: detach them here, where it touches nothing of the host's,
# so that the test sees none of them, hidden under the tmpfs or not.
findmnt -rn -o TARGET | grep -E '^/run(/|$)' | sort -r | while read -r m; do
	umount -l "$m" 2>/dev/null
done
mount -t tmpfs -o mode=0755,size=64m nslab-test-run /run || fail "cannot mount a tmpfs on /run"
# Where the host has no /etc/netns, an empty one is made for the test's
# tmpfs and removed after it (what ip-netns(8) and nslab's DNS make on first
# use anyway). Not an overlay over all of /etc: a node's root lays one more
# over /etc, and on a root that is itself an overlay (a container, fresh.sh)
# the kernel refuses a third layer of stacking.
# Several isolate.sh may run at once (a machine shared by several
# checkouts). Since Linux 3.18, rmdir of a directory in one mount namespace
# detaches whatever other namespaces have mounted on it: one that removed
# the /etc/netns it made would take the tmpfs of every other away. So each
# keeps a file of its own in the host's /etc/netns while it runs (under its
# tmpfs, unseen by the test), and no rmdir succeeds then; a folder one of
# them made carries a mark, and goes when the last one out finds only that.
# A run killed outright (SIGKILL, a meson timeout's second signal) leaves
# its file: the next run removes the file of a PID of this PID namespace
# that is no isolate.sh any more (a file without its namespace: an older
# run's, of this one).
MARK=.made-by-nslab-isolate
GUARD=.nslab-isolate.$$
PIDNS=$(readlink /proc/self/ns/pid)
for g in /etc/netns/.nslab-isolate.*; do
	[ -f "$g" ] || continue
	pid=${g##*.}
	ns=$(cat "$g" 2>/dev/null)
	[ -z "$ns" ] || [ "$ns" = "$PIDNS" ] || continue
	case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
	*isolate.sh*) ;;
	*) rm -f "$g" ;;
	esac
done
for _ in 1 2 3; do
	if [ ! -d /etc/netns ] && mkdir /etc/netns 2>/dev/null; then
		touch "/etc/netns/$MARK"
	fi
	echo "$PIDNS" 2>/dev/null >"/etc/netns/$GUARD" && break
done
[ -e "/etc/netns/$GUARD" ] || fail "cannot make /etc/netns/$GUARD"
mount -t tmpfs -o mode=0755 nslab-test-etc /etc/netns || fail "cannot mount a tmpfs on /etc/netns"

# Interrupted (Ctrl-C, a meson timeout's SIGTERM, which CMD gets too):
# clean up once CMD has ended, as after a normal end.
status=0
trap 'status=130; finish' INT
trap 'status=143; finish' TERM
trap 'status=129; finish' HUP
finish() {
	trap '' INT TERM HUP
	left=
	for d in /run/nslab/*/; do
		[ -d "$d" ] || continue
		lab=$(basename "$d")
		left="$left lab:$lab"
		"${NSLAB_BIN:-nslab}" --prefix "" down "$lab" >/dev/null 2>&1 # its full name
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		left="$left netns:$ns"
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	umount -l /etc/netns 2>/dev/null
	rm -f "/etc/netns/$GUARD"
	# the last one out, of a folder one of us made
	if [ "$(ls -A /etc/netns 2>/dev/null)" = "$MARK" ]; then
		rm -f "/etc/netns/$MARK"
		rmdir /etc/netns 2>/dev/null
	fi
	if [ -n "$left" ]; then
		echo "# isolate.sh: the test left these behind (now removed):$left"
		[ "$status" != 0 ] || status=1
	fi
	exit "$status"
}
"$@" || status=$?
finish
