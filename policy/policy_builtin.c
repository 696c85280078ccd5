/* SPDX-License-Identifier: MIT */
/*
 * policy_builtin.c - the built-in zones, written in the policy language and
 * parsed like any file (named "<builtin>"), so `cordon policy show` prints
 * them and their rules have locations. docs/policy.md lists them in full;
 * keep the two in step. Not responsible for the always-denied set
 * (policy_always.c), which holds in these zones as in every other.
 *
 * The filesystem rules (docs/filesystem.md): the system read-only (and
 * executable where programs live), /etc without the secret stores a
 * machine keeps there, the workspace and the private per-job $TMPDIR
 * read-write, the harmless devices; nothing of $HOME. internal-ci adds
 * the package caches under $HOME read-write and the toolchains installed
 * there read-only; release the caches read-only and no $TMPDIR.
 */
#include "policy/policy_priv.h"

/* What every program needs to start and run: read, execute. */
#define BUILTIN_FS_SYSTEM                                                      \
	"\tfs read,exec /usr\n"                                                \
	"\tfs read,exec /bin\n"                                                \
	"\tfs read,exec /sbin\n"                                               \
	"\tfs read,exec /lib\n"                                                \
	"\tfs read,exec /lib32\n"                                              \
	"\tfs read,exec /lib64\n"                                              \
	"\tfs read,exec /libx32\n"                                             \
	"\tfs read,exec /opt\n"                                                \
	"\tfs read /etc\n"                                                     \
	"\tfs deny /etc/shadow\n"                                              \
	"\tfs deny /etc/shadow-\n"                                             \
	"\tfs deny /etc/gshadow\n"                                             \
	"\tfs deny /etc/gshadow-\n"                                            \
	"\tfs deny /etc/sudoers\n"                                             \
	"\tfs deny /etc/sudoers.d\n"                                           \
	"\tfs deny /etc/ssh\n"                                                 \
	"\tfs deny /etc/ssl/private\n"                                         \
	"\tfs deny /etc/apt/auth.conf\n"                                       \
	"\tfs deny /etc/apt/auth.conf.d\n"                                     \
	"\tfs deny /etc/docker\n"                                              \
	"\tfs deny /etc/containerd\n"                                          \
	"\tfs deny /etc/pip.conf\n"                                            \
	"\tfs deny /etc/krb5.keytab\n"                                         \
	"\tfs deny /etc/security/opasswd\n"                                    \
	"\tfs deny /etc/NetworkManager/system-connections\n"                   \
	"\tfs deny /etc/wireguard\n"                                           \
	"\tfs deny /etc/ipsec.secrets\n"                                       \
	"\tfs deny /etc/letsencrypt\n"                                         \
	"\tfs read /proc\n"                                                    \
	"\tfs read /sys\n"                                                     \
	"\tfs read,write /dev/null\n"                                          \
	"\tfs read,write /dev/zero\n"                                          \
	"\tfs read,write /dev/full\n"                                          \
	"\tfs read /dev/random\n"                                              \
	"\tfs read /dev/urandom\n"                                             \
	"\tfs read,write /dev/tty\n"                                           \
	"\tfs read,write /dev/ptmx\n"                                          \
	"\tfs read,write /dev/pts\n"                                           \
	"\tfs read,write,exec $WORKSPACE\n"

/* Package caches a build fills: internal-ci writes them, release reads. */
#define BUILTIN_FS_CACHES(acc)                                                 \
	"\tfs " acc " $HOME/.cache/pip\n"                                      \
	"\tfs " acc " $HOME/.cache/pypoetry\n"                                 \
	"\tfs " acc " $HOME/.cache/go-build\n"                                 \
	"\tfs " acc " $HOME/.cache/yarn\n"                                     \
	"\tfs " acc " $HOME/.cache/ccache\n"                                   \
	"\tfs " acc " $HOME/.npm\n"                                            \
	"\tfs " acc " $HOME/.cargo/registry\n"                                 \
	"\tfs " acc " $HOME/.cargo/git\n"                                      \
	"\tfs " acc " $HOME/go/pkg/mod\n"                                      \
	"\tfs " acc " $HOME/.m2/repository\n"                                  \
	"\tfs " acc " $HOME/.gradle/caches\n"                                  \
	"\tfs " acc " $HOME/.local/share/pnpm/store\n"

/* Toolchains installed per user (rustup, cargo install, go install). */
#define BUILTIN_FS_TOOLCHAINS                                                  \
	"\tfs read,exec $HOME/.rustup\n"                                       \
	"\tfs read,exec $HOME/.cargo/bin\n"                                    \
	"\tfs read,exec $HOME/go/bin\n"

const char policy_builtin_text[] =
	"# fork-pr: untrusted code from a pull request. The default zone.\n"
	"zone fork-pr {\n"
	"\ttrust untrusted\n"
	"\tlisten deny\n"
	"\tunix defaults on\n"
	"\tlimit cpu 10m\n"
	"\tlimit wall 30m\n"
	"\tlimit mem 2G\n"
	"\tlimit pids 256\n"
	"\tlimit fds 1024\n"
	"\tlimit fsize 1G\n"
	"\tlimit disk 4G\n"
	"\tlimit log 16M\n"
	"\tlimit egress 64M\n"
	"\tlimit log-overflow truncate\n" BUILTIN_FS_SYSTEM
	"\tfs read,write,exec $TMPDIR\n"
	"\tfs read,write /dev/shm\n"
	"}\n"
	"\n"
	"# internal-ci: trusted builds that fetch from common registries.\n"
	"zone internal-ci {\n"
	"\ttrust trusted\n"
	"\tlisten deny\n"
	"\tunix defaults on\n"
	"\tallow tcp deb.debian.org:443\n"
	"\tallow tcp security.debian.org:443\n"
	"\tallow tcp registry.npmjs.org:443\n"
	"\tallow tcp pypi.org:443\n"
	"\tallow tcp files.pythonhosted.org:443\n"
	"\tallow tcp github.com:443\n"
	"\tallow tcp *.githubusercontent.com:443\n"
	"\tallow tcp proxy.golang.org:443\n"
	"\tallow tcp sum.golang.org:443\n"
	"\tallow tcp index.crates.io:443\n"
	"\tallow tcp static.crates.io:443\n"
	"\tlimit cpu 2h\n"
	"\tlimit wall 3h\n"
	"\tlimit mem 8G\n"
	"\tlimit pids 4096\n"
	"\tlimit fds 8192\n"
	"\tlimit fsize 8G\n"
	"\tlimit disk 32G\n"
	"\tlimit log 64M\n"
	"\tlimit egress 16G\n"
	"\tlimit log-overflow truncate\n" BUILTIN_FS_SYSTEM
	"\tfs read,write,exec $TMPDIR\n"
	"\tfs read,write /dev/shm\n" BUILTIN_FS_CACHES("read,write")
		BUILTIN_FS_TOOLCHAINS
	"}\n"
	"\n"
	"# release: deploy jobs; extend it with the deployment targets.\n"
	"zone release {\n"
	"\ttrust trusted\n"
	"\tlisten deny\n"
	"\tunix defaults on\n"
	"\tlimit cpu 30m\n"
	"\tlimit wall 1h\n"
	"\tlimit mem 4G\n"
	"\tlimit pids 512\n"
	"\tlimit fds 2048\n"
	"\tlimit fsize 2G\n"
	"\tlimit disk 8G\n"
	"\tlimit log 32M\n"
	"\tlimit egress 4G\n"
	"\tlimit log-overflow kill\n" BUILTIN_FS_SYSTEM BUILTIN_FS_CACHES(
		"read") BUILTIN_FS_TOOLCHAINS "}\n";
