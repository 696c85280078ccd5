#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
# guest-init.sh - stage 1 of the qemu guest (run-6.1.sh), /init of its
# initramfs, run by the static busybox it carries: load the virtio, 9p,
# overlayfs and dummy modules (built as modules in Debian's package, loaded
# in the order of /modules.order since the package's modules.dep is not
# carried), mount the host's root read-only over 9p under a tmpfs overlay
# (the tests write /etc/netns, /tmp, users' homes; nothing reaches the
# host), mount the job share read-write at /run/cordon-job, then
# switch_root to the host's bash running stage 2 (guest-job.sh). Not
# chroot: the kernel refuses new user namespaces to a chrooted process
# (create_user_ns(): current_chrooted()).
export PATH=/bin
/bin/busybox --install -s /bin

init_die() {
	echo "cordon-guest: stage 1 failed: $*"
	poweroff -f
}

mount -t devtmpfs dev /dev || init_die "devtmpfs"
mount -t proc proc /proc || init_die "proc"
for m in $(cat /modules.order); do
	insmod "/modules/$m.ko" || init_die "insmod $m"
done
mkdir -p /lower /upper /newroot
p9=trans=virtio,version=9p2000.L,msize=262144,cache=loose
mount -t 9p -o "$p9,ro" hostroot /lower || init_die "9p hostroot"
mount -t tmpfs -o mode=755 upper /upper || init_die "tmpfs upper"
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w \
	root /newroot || init_die "overlay root"
# Fresh run-time directories: the host's /run and /dev/shm hold the host's
# state (pid files, sockets) that means nothing here.
mount -t tmpfs -o mode=755,nosuid,nodev run /newroot/run || init_die "tmpfs /run"
mkdir -p /newroot/run/cordon-job /newroot/run/lock
mount -t 9p -o "$p9" job /newroot/run/cordon-job || init_die "9p job"
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount --move /dev /newroot/dev || init_die "move /dev"
mkdir -p /newroot/dev/shm
mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm || init_die "shm"
mkdir -p /newroot/dev/pts
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts \
	/newroot/dev/pts || init_die "devpts"
mount --move /proc /newroot/proc || init_die "move /proc"
mount -t sysfs sysfs /newroot/sys || init_die "sysfs"
mount -t securityfs securityfs /newroot/sys/kernel/security 2>/dev/null
exec switch_root /newroot /bin/bash /run/cordon-job/guest-job.sh
