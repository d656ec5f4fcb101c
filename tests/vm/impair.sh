#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's stock kernel, which has sch_netem): delay,
# jitter and loss measured for real. Prints TAP.   impair.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
# avg RTT in ms of COUNT pings h1 -> h2 every INTERVAL s
rtt() { ip netns exec vmimp-h1 ping -c "$1" -i "$2" -q 10.78.0.2 | sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
# packet loss in % of COUNT pings every INTERVAL s
lost() { ip netns exec vmimp-h1 ping -c "$1" -i "$2" -W 1 -q 10.78.0.2 | sed -n 's|.* \([0-9.]*\)% packet loss.*|\1|p'; }
# is A within [LO, HI]?
within() { echo "$1 $2 $3" | awk '{ exit !($1 >= $2 && $1 <= $3) }'; }

cat > /tmp/vmimp.ini <<'INI'
[lab]
name = vmimp
[node h1]
addr = 10.78.0.1/24 dev eth0
[node h2]
addr = 10.78.0.2/24 dev eth0
[links]
link = h1:eth0 h2:eth0
INI

echo "1..14"
echo "# guest kernel $(uname -r)"
check "nslab up of a plain two-node lab" "$N" up /tmp/vmimp.ini
base=$(rtt 50 0.01)
echo "# RTT without impairments: $base ms"
check "impair h1:eth0 delay 50ms" "$N" impair vmimp h1:eth0 delay 50ms
check "tc -j shows netem with a 50 ms delay on h1:eth0" sh -c \
	"tc -j -n vmimp-h1 qdisc show dev eth0 | jq -e '.[0].kind == \"netem\" and .[0].options.delay.delay == 0.05'"
d=$(rtt 20 0.1)
echo "# RTT with 50 ms: $d ms"
check "the RTT rises by the delay, within 10 % (50 +- 5 ms)" within "$(echo "$d - $base" | bc)" 45 55
check "show reports the delay" sh -c "'$N' show vmimp h1 | grep -q 'peer h2:eth0  delay 50ms'"
check "impair h1:eth0 loss 10% (the delay goes: settings not given are gone)" \
	"$N" impair vmimp h1:eth0 loss 10%
l=$(lost 400 0.005)
echo "# loss over 400 pings with 10 %: $l %"
check "the loss lands within 5 points of 10 % over 400 packets" within "$l" 5 15
check "impair --clear" "$N" impair vmimp h1:eth0 --clear
c=$(rtt 50 0.01)
echo "# RTT after --clear: $c ms"
check "--clear restores the RTT (within 2 ms of $base ms)" within "$c" 0 "$(echo "$base + 2" | bc)"
check "down leaves nothing" sh -c "'$N' down vmimp >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/vmimp ]"

# in the topology: 20 ms each way, and a rate under it
sed -i 's/^link = h1:eth0 h2:eth0$/link = h1:eth0 h2:eth0 delay 20ms rate 50mbit/' /tmp/vmimp.ini
"$N" up /tmp/vmimp.ini >/dev/null
t=$(rtt 40 0.05)
echo "# RTT with delay 20ms each way: $t ms"
check "a link's delay applies both ways: RTT 40 ms within 10 %" within "$(echo "$t - $base" | bc)" 36 44
check "netem with tbf under it, on both ends (tc -j)" sh -c \
	"for h in h1 h2; do tc -j -n vmimp-\$h qdisc show dev eth0 | jq -e '[.[].kind] == [\"netem\", \"tbf\"]' >/dev/null || exit 1; done"
"$N" impair vmimp h1:eth0 delay 10ms jitter 5ms >/dev/null
j=$(ip netns exec vmimp-h1 ping -c 40 -i 0.05 -q 10.78.0.2 | sed -n 's|.*/\([0-9.]*\) ms$|\1|p')
echo "# RTT spread (mdev) with jitter 5ms on one end: $j ms"
check "jitter spreads the RTT (mdev of 40 pings at least 1.5 ms)" within "$j" 1.5 10
check "down leaves nothing" sh -c "'$N' down vmimp >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/vmimp ]"
exit $fail
