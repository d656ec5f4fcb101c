#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot Debian's stock kernel (linux-image-amd64: ip_gre, sch_netem, 8021q
# as modules) under QEMU and run a script inside it as root. The guest sees
# the host's root filesystem through a copy-on-write overlay (9p, read-only
# on the host), so the nslab built here runs there as it is.
#
# usage: run.sh GUEST_SCRIPT [ARGS...]
#   exit status: the guest script's; 125 VM or harness failure; 77 a
#   prerequisite is missing (then "run.sh: SKIP: reason" on stderr).
# env: KERNELVM_ACCEL auto|kvm|tcg, KERNELVM_CACHE, KERNELVM_TIMEOUT (s),
#      KERNELVM_MEM (MiB), KERNELVM_SMP, KERNELVM_VERBOSE=1
# Technique from the team's shared/tools/kernel-vm (see its README for the
# pitfalls it solved: PVH boot of the uncompressed vmlinux, multidevs=remap,
# module pruning, kvm_pvm hosts where only TCG boots a stock kernel).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KERNELVM_CACHE:-/var/tmp/nslab-vm-cache}
ACCEL=${KERNELVM_ACCEL:-auto}
TIMEOUT=${KERNELVM_TIMEOUT:-120}
MEM=${KERNELVM_MEM:-1024}
SMP=${KERNELVM_SMP:-1}
# modules put into the initramfs (deps are added from modules.dep)
IRMODS="virtio_pci 9pnet_virtio 9p overlay"

die()  { echo "run.sh: $*" >&2; exit 125; }
skip() { echo "run.sh: SKIP: $*" >&2; exit 77; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
BB=$(command -v busybox || true)
[ -n "$BB" ] || skip "busybox missing (apt-get install busybox-static)"
"$BB" --list | grep -qx depmod || skip "need busybox-static (full applet set)"
case $(LC_ALL=C file -b "$BB" 2>/dev/null || echo static) in
  *dynamic*) skip "busybox is dynamically linked; install busybox-static";; esac

[ $# -gt 0 ] || die "usage: run.sh GUEST_SCRIPT [ARGS...]"
GUEST=$1; shift
[ -f "$GUEST" ] || die "no such guest script: $GUEST"
GUEST=$(cd "$(dirname "$GUEST")" && pwd)/$(basename "$GUEST")

# ---------------------------------------------------------------- kernel ----
KDIR=$CACHE/kernel
if [ ! -f "$KDIR/.done" ]; then
  command -v apt-get >/dev/null || skip "no apt-get to fetch linux-image-amd64"
  rm -rf "$KDIR" "$CACHE/dl"; mkdir -p "$CACHE/dl" "$KDIR"
  ( cd "$CACHE/dl" &&
    { apt-get download -q linux-image-amd64 >&2 2>/dev/null ||
      { apt-get update -q >/dev/null 2>&1 && apt-get download -q linux-image-amd64 >&2 2>/dev/null; }; } &&
    dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/[ ,(].*//') &&
    apt-get download -q "$dep" >&2 2>/dev/null ) ||
    skip "apt-get download linux-image-amd64 failed (run apt-get update?)"
  dpkg -x "$(ls "$CACHE"/dl/linux-image-[0-9]*.deb)" "$KDIR"
  rm -rf "$CACHE/dl"
  KV=$(ls "$KDIR/lib/modules")
  # prune modules nobody needs in a network lab (~400 MB -> ~60 MB)
  M=$KDIR/lib/modules/$KV/kernel
  rm -rf "$M/sound" "$M/drivers/net/wireless" "$M/drivers/net/ethernet"
  for d in "$M"/drivers/*; do
    case ${d##*/} in net|virtio|char|block|vhost|ptp|pps) ;; *) rm -rf "$d";; esac
  done
  for d in "$M"/fs/*; do
    case ${d##*/} in 9p|netfs|fscache|fuse|overlayfs|nls) ;; *) rm -rf "$d";; esac
  done
  rm -f "$KDIR/lib/modules/$KV"/modules.*.bin
  "$BB" depmod -b "$KDIR" "$KV" || die "depmod failed"
  # Uncompressed ELF vmlinux (Debian sets CONFIG_PVH=y): QEMU boots it directly
  # via the PVH entry point, skipping the xz decompressor (~2 s under TCG).
  # busybox xzcat cannot do it (x86 BCJ filter) -> needs xz-utils; optional.
  Z=$KDIR/boot/vmlinuz-$KV
  if command -v xz >/dev/null; then
    for off in $(grep -abo "$(printf '\3757zXZ')" "$Z" | cut -d: -f1); do
      tail -c +$((off + 1)) "$Z" | xz -dcq > "$KDIR/boot/vmlinux-$KV" 2>/dev/null || true  # trailing data -> rc!=0
      [ "$(head -c 4 "$KDIR/boot/vmlinux-$KV" | od -An -c | tr -d ' ')" = "177ELF" ] && break
      rm -f "$KDIR/boot/vmlinux-$KV"
    done
  fi
  touch "$KDIR/.done"
fi
KV=$(ls "$KDIR/lib/modules")
VMLINUZ=$KDIR/boot/vmlinux-$KV
[ -f "$VMLINUZ" ] && [ "${KERNELVM_BZIMAGE:-0}" != 1 ] || VMLINUZ=$KDIR/boot/vmlinuz-$KV
[ -f "$VMLINUZ" ] || die "kernel image missing: $VMLINUZ"

# ------------------------------------------------------------- initramfs ----
INITRD=$CACHE/initrd-$KV.gz
if [ ! -f "$INITRD" ] || [ "$HERE/run.sh" -nt "$INITRD" ]; then
  IR=$(mktemp -d); trap 'rm -rf "$IR"' EXIT
  mkdir -p "$IR/bin" "$IR/sbin" "$IR/proc" "$IR/sys" "$IR/dev" "$IR/host" \
           "$IR/newroot" "$IR/rw" "$IR/lib/modules/$KV"
  cp "$BB" "$IR/bin/busybox"
  for m in $IRMODS; do
    grep -E "(^|/)$m\.ko:" "$KDIR/lib/modules/$KV/modules.dep" || die "module $m not found"
  done | tr -d ':' | tr ' ' '\n' | sort -u | while read -r f; do
    mkdir -p "$IR/lib/modules/$KV/${f%/*}"; cp "$KDIR/lib/modules/$KV/$f" "$IR/lib/modules/$KV/$f"
  done
  "$BB" depmod -b "$IR" "$KV"
  echo "$IRMODS" > "$IR/irmods"
  cat > "$IR/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; ln -s /bin/modprobe /sbin/modprobe
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
fail() { echo "KERNELVM-INIT-FAIL: $*"; poweroff -f; }
modprobe -a $(cat /irmods) || fail "modprobe $(cat /irmods)"
for a in $(cat /proc/cmdline); do case $a in kernelvm.*=*) a=${a#kernelvm.}; eval "KG_${a%%=*}=\${a#*=}";; esac; done
O=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $O,ro,cache=loose hostroot /host || fail "9p hostroot"
mount -t 9p -o $O,cache=none kernelvmout /rw 2>/dev/null || fail "9p out"
# full module tree from the host cache -> modprobe / kernel auto-loading work
mount --bind "/host$KG_kdir/lib/modules" /lib/modules || fail "modules bind"
mkdir -p /tmp; mount -t tmpfs -o size=50% tmp /tmp; mkdir /tmp/u /tmp/w
mount -t overlay -o lowerdir=/host,upperdir=/tmp/u,workdir=/tmp/w root /newroot || fail overlay
R=/newroot
mount -t proc proc $R/proc; mount -t sysfs sys $R/sys; mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm; mount -t devpts devpts $R/dev/pts; mount -t tmpfs shm $R/dev/shm
mount -t tmpfs run $R/run
[ "$KG_tmp" = host ] || mount -t tmpfs -o mode=1777 tmp $R/tmp
mkdir -p $R/lib/modules "$R$KG_out"; mount --rbind /lib/modules $R/lib/modules
mount --bind /rw "$R$KG_out" || fail "out bind"
ip link set lo up
echo "KERNELVM-GUEST-START uptime=$(cut -d' ' -f1 /proc/uptime)"
chroot $R /bin/sh -c 'cd "$1" 2>/dev/null || cd /; export KERNELVM_OUT="$2" HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; shift 2; exec /bin/sh "$@"' \
  sh "$KG_cwd" "$KG_out" "$KG_out/guest.sh" $(cat /rw/args 2>/dev/null)
rc=$?
echo $rc > /rw/rc; sync
echo "KERNELVM-GUEST-END rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
  chmod +x "$IR/init"
  ( cd "$IR" && find . | "$BB" cpio -o -H newc 2>/dev/null | gzip -1 ) > "$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"; rm -rf "$IR"; trap - EXIT
fi

# ------------------------------------------------------------------ accel ----
kvm_ok() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
case $ACCEL in
  kvm) QACCEL="-accel kvm -cpu host" ;;
  tcg) QACCEL="-accel tcg,thread=multi -cpu max" ;;
  auto)
    # Only trust KVM when the CPU exposes VT-x/AMD-V. Where /dev/kvm is backed by
    # kvm_pvm (no vmx/svm) a stock (non-PVM) kernel crawls through in-kernel
    # instruction emulation and dies with "KVM internal error ... emulation failure".
    if kvm_ok && grep -qwE 'vmx|svm' /proc/cpuinfo; then QACCEL="-accel kvm -cpu host"
    else QACCEL="-accel tcg,thread=multi -cpu max"; fi ;;
  *) die "KERNELVM_ACCEL must be auto|kvm|tcg" ;;
esac

# -------------------------------------------------------------------- run ----
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kernelvm.XXXXXX")
[ "${KERNELVM_KEEP:-0}" = 1 ] || trap 'rm -rf "$OUT"' EXIT
cp "$GUEST" "$OUT/guest.sh"
printf '%s\n' "$@" > "$OUT/args"
CWD=$(pwd)
case "$CWD$OUT$KDIR" in *[[:space:]]*) die "paths must not contain whitespace";; esac
case $CWD/ in /tmp/*) TMPMODE=host;; *) TMPMODE=tmpfs;; esac  # keep /tmp visible if cwd is in it
QUIET="quiet loglevel=0"; [ "${KERNELVM_VERBOSE:-0}" = 1 ] && QUIET=""
LOG=$OUT/console.log

set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 $QACCEL -m "$MEM" -smp "$SMP" \
  -machine q35 -nodefaults -no-user-config -display none -vga none -no-reboot \
  -serial stdio -monitor none \
  -kernel "$VMLINUZ" -initrd "$INITRD" \
  -append "console=ttyS0 panic=-1 mitigations=off $QUIET rdinit=/init kernelvm.kdir=$KDIR kernelvm.out=$OUT kernelvm.cwd=$CWD kernelvm.tmp=$TMPMODE" \
  -fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=r,mount_tag=hostroot \
  -fsdev local,id=o,path="$OUT",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=o,mount_tag=kernelvmout \
  </dev/null 2>&1 | tee "$LOG" | tr -d '\r' | grep -av -e '^KERNELVM-GUEST' -e 'reboot: Power down' -e '\[?7l' -e 'SeaBIOS' -e 'Booting from ROM'
set -e
if [ -f "$OUT/rc" ]; then exit "$(cat "$OUT/rc")"; fi
grep -a 'KERNELVM-INIT-FAIL' "$LOG" >&2 || true
die "VM did not report a result (timeout ${TIMEOUT}s / boot failure); accel: $QACCEL"
