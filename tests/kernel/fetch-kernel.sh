#!/bin/bash
# SPDX-License-Identifier: MIT
# fetch-kernel.sh SERIES - fetch Debian's stock kernel package of SERIES
# (e.g. 6.1: linux-image-6.1.0-NN-amd64, NN what linux-image-amd64 depends
# on today) with `apt-get download`, never installing it on the host, and
# prepare from it, in a cache, what tests/kernel/run-6.1.sh boots: the
# uncompressed kernel (the ELF inside vmlinuz, which qemu starts directly
# through its PVH entry: no real mode, no decompressor under TCG), the
# modules the guest's initramfs loads and the package's whole module tree
# (lib/modules/RELEASE, with a modules.dep). Prints the prepared directory.
#
# Cache: $CORDON_KERNEL_CACHE (default /var/cache/cordon/kernels), one
# directory per package version, made in a temporary directory and renamed
# into place once complete (a stamp file is written last), under flock. A
# cached version is reused when apt cannot name or fetch a newer one (no
# package lists, mirror down), so the step works offline once it has worked;
# with nothing cached and nothing fetchable it fails with the reason.
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES}
cache=${CORDON_KERNEL_CACHE:-/var/cache/cordon/kernels}
# The modules stage 1 needs, in load order (the package has no modules.dep
# usable without depmod): virtio transport, 9p, overlayfs for a writable
# root, and dummy for tests/lib/netns.sh's namespace device.
FETCH_MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio
drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev
drivers/virtio/virtio_pci drivers/virtio/virtio_mmio fs/netfs/netfs
fs/fscache/fscache net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p
fs/overlayfs/overlay drivers/net/dummy"

# What a cached directory holds; one of another format is made anew.
FETCH_FORMAT=2

# fetch_complete DIR - DIR was fully prepared, in this format.
fetch_complete() {
	[ -f "$1/stamp" ] && grep -qx "format $FETCH_FORMAT" "$1/stamp"
}

fetch_die() {
	echo "fetch-kernel: $*" >&2
	exit 1
}

# fetch_pkg_name - the versioned package of SERIES that the meta-package
# linux-image-amd64 depends on (empty when apt has no lists).
fetch_pkg_name() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-${series//./\\.}\.[0-9]*-[0-9]*-amd64\)\$/\1/p" |
		head -n1
}

# fetch_cached - the newest complete cached directory of SERIES.
fetch_cached() {
	local d best=""
	for d in "$cache"/linux-image-"$series".*-amd64_*; do
		fetch_complete "$d" && best=$d
	done
	[ -n "$best" ] && printf '%s\n' "$best"
}

# fetch_extract DEB DIR - the kernel ELF and the modules from DEB into DIR.
fetch_extract() {
	local deb=$1 dir=$2 x m off
	x=$dir/x
	mkdir -p "$x" "$dir/modules"
	dpkg-deb -x "$deb" "$x"
	local vmlinuz
	vmlinuz=$(ls "$x"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$vmlinuz" ] || fetch_die "no /boot/vmlinuz-* in $deb"
	# The bzImage carries the kernel as one xz stream after its setup code
	# and decompressor: find the xz magic (FD 37 7A 58 5A 00) and inflate.
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || fetch_die "no xz stream in $vmlinuz"
	# (From a file: through a pipe, tail dies of SIGPIPE when xz stops at
	# the stream's end, and pipefail reads that as a failure.)
	tail -c +"$((off + 1))" "$vmlinuz" >"$dir/vmlinux.xz"
	xz -dc --single-stream "$dir/vmlinux.xz" >"$dir/vmlinux"
	rm -f "$dir/vmlinux.xz"
	[ "$(head -c4 "$dir/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		fetch_die "the stream inflated from $vmlinuz is not an ELF kernel"
	for m in $FETCH_MODULES; do
		local ko
		ko=$(ls "$x"/lib/modules/*/kernel/"$m".ko* 2>/dev/null | head -n1)
		[ -n "$ko" ] || fetch_die "module $m not in $deb"
		cp "$ko" "$dir/modules/"
	done
	cp "$x"/boot/config-* "$dir/config"
	ls "$x"/lib/modules >"$dir/release"
	echo "$FETCH_MODULES" | tr ' ' '\n' | sed 's|.*/||' >"$dir/modules.order"
	# The whole module tree with a modules.dep, for the guest's on-demand
	# loading as on a real Debian 12 (sock_diag's inet_diag, udp_diag and
	# unix_diag, netlink families, ...: all =m there). busybox's depmod: the
	# host needs no kmod.
	mkdir -p "$dir/lib"
	mv "$x/lib/modules" "$dir/lib/modules"
	/bin/busybox depmod -b "$dir" "$(cat "$dir/release")" ||
		fetch_die "depmod of the $(cat "$dir/release") modules failed"
	rm -rf "$x"
}

fetch_main() {
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	# A run killed half-way left its temporary directory: none is in use
	# while we hold the lock.
	rm -rf "$cache"/.tmp.*
	local pkg ver dir deb
	pkg=$(fetch_pkg_name)
	if [ -z "$pkg" ]; then
		dir=$(fetch_cached) ||
			fetch_die "apt-cache names no linux-image-$series.*-amd64 (run apt-get update?) and none is cached in $cache"
		echo "fetch-kernel: apt names no $series package; using the cached $(basename "$dir")" >&2
		printf '%s\n' "$dir"
		return 0
	fi
	ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1)
	dir=$cache/${pkg}_$ver
	if fetch_complete "$dir"; then
		printf '%s\n' "$dir"
		return 0
	fi
	tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# _apt cannot write into a root-only temporary directory: let it.
	chmod 755 "$tmp"
	if ! (cd "$tmp" && apt-get download -q "$pkg" >"$tmp/download.log" 2>&1); then
		cat "$tmp/download.log" >&2
		rm -rf "$tmp"
		dir=$(fetch_cached) ||
			fetch_die "apt-get download $pkg failed and no $series kernel is cached in $cache"
		echo "fetch-kernel: apt-get download $pkg failed; using the cached $(basename "$dir")" >&2
		printf '%s\n' "$dir"
		return 0
	fi
	deb=$(ls "$tmp"/*.deb | head -n1)
	mkdir "$tmp/out"
	fetch_extract "$deb" "$tmp/out"
	echo "$pkg $ver $(sha256sum "$deb" | cut -d' ' -f1)" >"$tmp/out/package"
	rm -f "$deb"
	printf 'format %s\n%s\n' "$FETCH_FORMAT" "$(date -u +%FT%TZ)" >"$tmp/out/stamp"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
	rm -rf "$tmp"
	printf '%s\n' "$dir"
}

fetch_main
