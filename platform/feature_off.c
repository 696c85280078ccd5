/* SPDX-License-Identifier: MIT */
/*
 * feature_off.c - CORDON_IGNORE_FEATURES: behave as if chosen kernel
 * facilities were missing, so that the paths cordon takes on older kernels
 * and under container seccomp profiles can be tested and benchmarked on a
 * new kernel. Read once, before the first probe or fork; it only ever takes
 * facilities away, so what cordon does without them must stand on its own.
 *
 * Thread ownership: the table is written once under pthread_once() and is
 * read-only afterwards, so any thread (and any forked child) may read it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "platform/unotify_priv.h"

/* One row per facility that can be ignored; the order is the doctor's. */
static const struct {
	const char *name;
	unsigned int bit;
	const char *what;
} feature_off_names[] = {
	{"sync_wake_up", FEATURE_OFF_SYNC_WAKE_UP,
	 "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6)"},
	{"addfd_send", FEATURE_OFF_ADDFD_SEND,
	 "SECCOMP_ADDFD_FLAG_SEND (5.14)"},
	{"wait_killable_recv", FEATURE_OFF_WAIT_KILLABLE_RECV,
	 "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)"},
	{"pidfd_getfd", FEATURE_OFF_PIDFD_GETFD,
	 "pidfd_getfd (5.6; refused by Docker's default profile)"},
	{"process_vm", FEATURE_OFF_PROCESS_VM,
	 "process_vm_readv/writev (refused by Docker's default profile)"},
	{"passrights", FEATURE_OFF_PASSRIGHTS, "SO_PASSRIGHTS (6.16)"},
	{"sock_diag", FEATURE_OFF_SOCK_DIAG,
	 "sock_diag's unix_diag and inet_diag handlers (modules in Debian's "
	 "kernel)"},
};

static struct feature_off feature_off_state;
static char feature_off_err[160];
static pthread_once_t feature_off_once = PTHREAD_ONCE_INIT;

/* Parse a decimal ABI cap "0".."99"; -1 when @s is not one. */
static int feature_off_abi(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 2)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int feature_off_word(const char *w, size_t len, struct feature_off *out,
			    char *why, size_t n)
{
	static const char abi_eq[] = "landlock_abi=";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feature_off_names); i++) {
		if (strlen(feature_off_names[i].name) == len &&
		    !memcmp(w, feature_off_names[i].name, len)) {
			out->bits |= feature_off_names[i].bit;
			return 0;
		}
	}
	if (len == 8 && !memcmp(w, "landlock", 8)) {
		out->landlock_cap = 0;
		return 0;
	}
	if (len == 14 && !memcmp(w, "landlock_scope", 14)) {
		/* Signal and abstract-socket scoping arrived in ABI 6. */
		if (out->landlock_cap < 0 || out->landlock_cap > 5)
			out->landlock_cap = 5;
		return 0;
	}
	if (len > sizeof(abi_eq) - 1 &&
	    !memcmp(w, abi_eq, sizeof(abi_eq) - 1)) {
		int abi = feature_off_abi(w + sizeof(abi_eq) - 1,
					  len - (sizeof(abi_eq) - 1));

		if (abi < 0) {
			snprintf(why, n, "'%.*s': the ABI cap is a number",
				 (int)len, w);
			return -EINVAL;
		}
		if (out->landlock_cap < 0 || out->landlock_cap > abi)
			out->landlock_cap = abi;
		return 0;
	}
	snprintf(why, n,
		 "unknown feature '%.*s' (known: sync_wake_up, addfd_send, "
		 "wait_killable_recv, pidfd_getfd, process_vm, passrights, "
		 "sock_diag, landlock, landlock_scope, landlock_abi=N)",
		 (int)(len > 40 ? 40 : len), w);
	return -EINVAL;
}

int feature_off_parse(const char *s, struct feature_off *out, char *why,
		      size_t n)
{
	const char *p = s;

	out->bits = 0;
	out->landlock_cap = -1;
	if (!s)
		return 0;
	while (*p) {
		size_t len = strcspn(p, ", ");

		if (len > 0 && feature_off_word(p, len, out, why, n) < 0) {
			out->bits = 0;
			out->landlock_cap = -1;
			return -EINVAL;
		}
		p += len;
		p += strspn(p, ", ");
	}
	return 0;
}

static void feature_off_init(void)
{
	if (feature_off_parse(getenv("CORDON_IGNORE_FEATURES"),
			      &feature_off_state, feature_off_err,
			      sizeof(feature_off_err)) < 0) {
		/*
		 * The CLI refuses to run with a bad value (platform_features_
		 * off_check()); a library user that did not ask gets every
		 * facility ignored that can be, which is the closed side.
		 */
		feature_off_state.bits = ~0U;
		feature_off_state.landlock_cap = 0;
	}
}

const struct feature_off *feature_off_get(void)
{
	pthread_once(&feature_off_once, feature_off_init);
	return &feature_off_state;
}

bool feature_off(unsigned int bit)
{
	return (feature_off_get()->bits & bit) != 0;
}

bool platform_ignores_sock_diag(void)
{
	return feature_off(FEATURE_OFF_SOCK_DIAG);
}

int feature_off_landlock(int abi)
{
	int cap = feature_off_get()->landlock_cap;

	return cap >= 0 && abi > cap ? cap : abi;
}

int platform_features_off_check(char *why, size_t n)
{
	feature_off_get();
	if (feature_off_err[0]) {
		snprintf(why, n, "CORDON_IGNORE_FEATURES: %s", feature_off_err);
		return -EINVAL;
	}
	return 0;
}

size_t platform_features_off_describe(char *buf, size_t n)
{
	const struct feature_off *f = feature_off_get();
	size_t used = 0, i;
	int w;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(feature_off_names); i++) {
		if (!(f->bits & feature_off_names[i].bit))
			continue;
		w = snprintf(buf + used, used < n ? n - used : 0, "%s%s",
			     used ? ", " : "", feature_off_names[i].what);
		used += w > 0 ? (size_t)w : 0;
	}
	if (f->landlock_cap >= 0) {
		w = snprintf(buf + used, used < n ? n - used : 0,
			     "%sLandlock ABI above %d", used ? ", " : "",
			     f->landlock_cap);
		used += w > 0 ? (size_t)w : 0;
	}
	return used;
}
