# SPDX-License-Identifier: MIT
# deps.sh - the one list of Debian 12 packages cordon needs to build, test
# and demo. Sourced by scripts/setup-demo.sh, scripts/test.sh and .ci/run.
CORDON_DEPS="build-essential cmake pkg-config libseccomp-dev libxxhash-dev
libunwind-dev libcapstone-dev clang llvm libclang-rt-14-dev clang-format
python3 iproute2 dnsmasq-base curl util-linux passwd procps cppcheck time strace gdb bc
wget git nodejs golang-go bind9-dnsutils python3-requests openssh-client
golang-github-containers-common python3-seccomp tinyproxy-bin
qemu-system-x86 busybox-static cpio"

# cordon_missing_deps - print the packages of CORDON_DEPS not installed.
cordon_missing_deps() {
	local p
	for p in $CORDON_DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || printf '%s ' "$p"
	done
}

# cordon_install_deps - install what is missing (as root), or print the one
# apt-get line to run and fail.
cordon_install_deps() {
	local missing
	missing=$(cordon_missing_deps)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $missing >/dev/null
	else
		echo "cordon needs these Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y $missing" >&2
		return 1
	fi
}
