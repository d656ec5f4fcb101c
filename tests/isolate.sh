#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a root test in a private mount namespace, so that it neither sees nor
# touches the labs of the machine's users, and clean up whatever it left.
#   isolate.sh CMD [ARGS...]
# Inside, /run is a new tmpfs (so /run/netns, /run/nslab and every lock
# there are the test's own) and /etc/netns is private: a tmpfs over it (an
# empty /etc/netns is made first where the host has none, and removed
# after). Nothing else is created on the host. After CMD, every lab still up in the
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
# checkouts): each holds a shared lock on the host's /etc/netns while it
# runs, and only the last one out removes the folder that one of them made
# (its mark, a file under the tmpfs). Removing it while another runs would
# take that one's tmpfs away: since Linux 3.18, rmdir of a mount point in
# one mount namespace detaches what is mounted on it in every other.
MARK=.made-by-nslab-isolate
if [ ! -d /etc/netns ]; then
	mkdir /etc/netns 2>/dev/null || [ -d /etc/netns ] || fail "cannot make /etc/netns"
	: >"/etc/netns/$MARK"
fi
exec 9</etc/netns || fail "cannot open /etc/netns"
flock -s 9 || fail "cannot lock /etc/netns"
mount -t tmpfs -o mode=0755 nslab-test-etc /etc/netns || fail "cannot mount a tmpfs on /etc/netns"

status=0
"$@" 9<&- || status=$?

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
# the last one out, of a folder we made that holds nothing but our mark
if [ -e "/etc/netns/$MARK" ] && flock -xn 9 &&
	[ "$(ls -A /etc/netns)" = "$MARK" ]; then
	rm -f "/etc/netns/$MARK"
	rmdir /etc/netns 2>/dev/null
fi
exec 9<&-
if [ -n "$left" ]; then
	echo "# isolate.sh: the test left these behind (now removed):$left"
	[ "$status" != 0 ] || status=1
fi
exit "$status"
