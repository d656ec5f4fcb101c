#!/bin/sh
# SPDX-License-Identifier: MIT
# NSLAB_CLUSTER_TRANSPORT for simulated hosts (tests/multihost/simhost.sh):
#   transport.sh HOSTNAME DEST nslab ARGS...
# runs the nslab binary NSLAB_BIN with ARGS inside the simhost HOSTNAME of
# the state folder NSLAB_SIMHOST_DIR (its mount and network namespaces,
# this working directory), as `ssh DEST nslab ARGS...` would on a real
# host. DEST is only checked to be given. A program other than nslab runs
# as it is named. Exit status: the program's, or 255 (as ssh) when the host
# cannot be reached.
set -u
if [ $# -lt 3 ]; then
	echo "usage: transport.sh HOSTNAME DEST nslab ARGS..." >&2
	exit 255
fi
host=$1 prog=$3
shift 3
dir=${NSLAB_SIMHOST_DIR:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "transport.sh: NSLAB_SIMHOST_DIR is not a simhost state folder" >&2
	exit 255
fi
case $host in '' | *[!a-zA-Z0-9_-]*) echo "transport.sh: bad host name '$host'" >&2; exit 255 ;; esac
pid=$(cat "$dir/$host.pid" 2>/dev/null)
if [ -z "$pid" ] || [ ! -e "/proc/$pid/root/run/.nslt-simhost-ready" ]; then
	echo "transport.sh: no simulated host '$host' in $dir" >&2
	exit 255
fi
if [ "$prog" = nslab ]; then
	prog=${NSLAB_BIN:?NSLAB_BIN is not set}
fi
# --root, as simhost_run: the holder's root, also in a chroot
NSLAB_SIMHOST="$dir:$host" exec nsenter -t "$pid" -m -n --root --wd="$PWD" -- "$prog" "$@"
