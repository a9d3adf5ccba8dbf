#!/bin/bash
# PID 1 of fresh pid/mount/uts/cgroup namespaces (test/helpers/systemd.ts starts it with
# `unshare`): gives systemd a private view of the system, then becomes systemd. Nothing written
# inside reaches the host: /etc, /var and /opt are overlays on tmpfs (an install into /opt stays
# in there), /dev, /run and /tmp are fresh, /proc/sys and /sys are read-only.
# The recipe: ../shared/notes/systemd.md.
#
#   $1  a scratch directory (created and owned by the caller; a tmpfs is mounted on it here)
#   $2  a directory of the host kept under the new /tmp at the same path (the test's files)
set -eu
scratch=$1 keep=$2

# unshare --propagation private made every mount private already. /run first, and without
# writing mount(8)'s record (/run/mount/utab), which would be the host's until then.
mount -n -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs "$scratch"

# Writable copies of /etc, /var and /opt.
for dir in etc var opt; do
  mkdir -p "$scratch/$dir/up" "$scratch/$dir/work"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$scratch/$dir/up,workdir=$scratch/$dir/work" "/$dir"
done

# A private /dev.
dev=$scratch/dev
mkdir -p "$dev"
mount -t tmpfs -o mode=0755 tmpfs "$dev"
mkdir -p "$dev/pts" "$dev/shm"
for node in null zero full random urandom tty; do
  touch "$dev/$node"
  mount --bind "/dev/$node" "$dev/$node"
done
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dev/pts"
ln -s pts/ptmx "$dev/ptmx"
mount -t tmpfs -o mode=1777 tmpfs "$dev/shm"
touch "$dev/console"
mount --bind /dev/null "$dev/console"
ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"
ln -s /proc/self/fd/1 "$dev/stdout"
ln -s /proc/self/fd/2 "$dev/stderr"
mount --move "$dev" /dev

# A fresh /tmp; the test's own folder is bound back in at the same path. The new /tmp is
# made aside and moved over the old one, which hides the scratch folder too (what is mounted from
# it stays).
newtmp=$scratch/tmp
mkdir -p "$newtmp"
mount -t tmpfs -o mode=1777 tmpfs "$newtmp"
case $keep in
  /tmp/*) mkdir -p "$newtmp/${keep#/tmp/}" && mount --bind "$keep" "$newtmp/${keep#/tmp/}" ;;
  *) ;;
esac
mount --move "$newtmp" /tmp

mount --bind -o ro /proc/sys /proc/sys
[ ! -e /proc/sysrq-trigger ] || mount --bind -o ro /proc/sysrq-trigger /proc/sysrq-trigger
mount --bind -o ro /sys /sys
mount -t cgroup2 cgroup2 /sys/fs/cgroup

# Only what a container can run, and none of the host's enabled services.
units=/etc/systemd/system
rm -rf "$units"/*.wants
for unit in \
  systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
  systemd-udev-settle.service systemd-timesyncd.service systemd-sysctl.service systemd-modules-load.service \
  proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-binfmt.service \
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
  dev-hugepages.mount dev-mqueue.mount systemd-firstboot.service systemd-repart.service \
  systemd-pcrphase.service systemd-pcrphase-initrd.service systemd-pcrphase-sysinit.service \
  systemd-machine-id-commit.service systemd-hwdb-update.service systemd-random-seed.service \
  systemd-journald-audit.socket getty@tty1.service console-getty.service getty.target \
  systemd-networkd.service systemd-resolved.service systemd-logind.service \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service postgresql.service \
  carbon-cache.service carbon-c-relay.service prometheus.service prometheus-node-exporter.service victoria-metrics.service; do
  ln -sf /dev/null "$units/$unit"
done

exec env -i container=docker PATH=/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd --system --unit=basic.target
