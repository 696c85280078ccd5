/* SPDX-License-Identifier: MIT */
/*
 * test_syscall_table.c - the class table is well formed, its numbers are the
 * kernel's, and every call the foundation issue requires to be refused in
 * the kernel is refused there with the documented errno.
 */
#include <asm/unistd_64.h>
#include <errno.h>
#include <seccomp.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "sentry/sentry.h"

static void test_sorted_unique(void)
{
	size_t i, j, n = syscall_table_size();

	CHECK(n > 350);
	for (i = 1; i < n; i++)
		CHECK_MSG(syscall_table_at(i - 1)->nr < syscall_table_at(i)->nr,
			  "not sorted at %s", syscall_table_at(i)->name);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK_MSG(strcmp(syscall_table_at(i)->name,
					 syscall_table_at(j)->name),
				  "duplicate name %s",
				  syscall_table_at(i)->name);
}

/* Every name libseccomp knows must resolve to the number in our table. */
static void test_numbers_match_libseccomp(void)
{
	size_t i, checked = 0;

	for (i = 0; i < syscall_table_size(); i++) {
		const struct syscall_entry *e = syscall_table_at(i);
		int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64,
							   e->name);

		if (nr == __NR_SCMP_ERROR)
			continue; /* newer than this libseccomp */
		CHECK_MSG(nr == e->nr, "%s: table %d, libseccomp %d", e->name,
			  e->nr, nr);
		checked++;
	}
	CHECK(checked > 340);
	/* Spot checks against the kernel headers. */
	CHECK_EQ(syscall_table_by_name("io_uring_setup")->nr,
		 __NR_io_uring_setup);
	CHECK_EQ(syscall_table_by_name("clone3")->nr, __NR_clone3);
	CHECK_EQ(syscall_table_by_name("execve")->nr, __NR_execve);
	CHECK_EQ(syscall_table_by_nr(__NR_read)->cls, SYSCALL_CLASS_ALLOW);
	CHECK(syscall_table_by_nr(1000) == NULL);
}

static void test_handlers(void)
{
	size_t i;

	for (i = 0; i < syscall_table_size(); i++) {
		const struct syscall_entry *e = syscall_table_at(i);

		if (e->cls == SYSCALL_CLASS_NOTIFY)
			CHECK_MSG(e->handler, "%s notified without handler",
				  e->name);
		if (e->cls == SYSCALL_CLASS_ERRNO)
			CHECK_MSG(e->err > 0, "%s: errno %d", e->name, e->err);
		if (e->cls == SYSCALL_CLASS_RULE)
			CHECK_MSG(e->rule != SYSCALL_RULE_NONE, "%s: no rule",
				  e->name);
		/* A lateral row is notified when its layer is missing. */
		if (e->lateral)
			CHECK_MSG(e->handler && e->cls == SYSCALL_CLASS_ALLOW &&
					  !e->locked,
				  "%s: lateral row without handler", e->name);
	}
}

static const struct {
	const char *name;
	int err;
} required_denials[] = {
	{"io_uring_setup", ENOSYS},
	{"io_uring_enter", ENOSYS},
	{"io_uring_register", ENOSYS},
	{"bpf", EPERM},
	{"perf_event_open", EACCES},
	{"userfaultfd", EPERM},
	{"keyctl", ENOSYS},
	{"add_key", ENOSYS},
	{"request_key", ENOSYS},
	{"kexec_load", EPERM},
	{"kexec_file_load", EPERM},
	{"init_module", EPERM},
	{"finit_module", EPERM},
	{"delete_module", EPERM},
	{"mount", EPERM},
	{"umount2", EPERM},
	{"pivot_root", EPERM},
	{"fsopen", EPERM},
	{"fsmount", EPERM},
	{"fsconfig", EPERM},
	{"move_mount", EPERM},
	{"open_tree", EPERM},
	{"mount_setattr", EPERM},
	{"unshare", EPERM},
	{"setns", EPERM},
	{"clone3", ENOSYS},
	{"acct", EPERM},
	{"swapon", EPERM},
	{"swapoff", EPERM},
	{"reboot", EPERM},
	{"syslog", EPERM},
	{"vhangup", EPERM},
	{"lookup_dcookie", ENOSYS},
	{"quotactl", EPERM},
};

static void test_required_denials(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required_denials); i++) {
		const struct syscall_entry *e =
			syscall_table_by_name(required_denials[i].name);

		CHECK_MSG(e, "%s missing", required_denials[i].name);
		CHECK_MSG(e->cls == SYSCALL_CLASS_ERRNO &&
				  e->err == required_denials[i].err,
			  "%s: class %s errno %d", e->name,
			  syscall_class_name(e->cls), e->err);
	}
	CHECK_EQ(syscall_table_by_name("clone")->rule,
		 SYSCALL_RULE_CLONE_NO_NAMESPACES);
	CHECK_EQ(syscall_table_by_name("seccomp")->rule,
		 SYSCALL_RULE_SECCOMP_NO_LISTENER);
	CHECK_EQ(syscall_table_by_name("personality")->cls,
		 SYSCALL_CLASS_NOTIFY);
	/* Bypasses can never be allowed by a zone. */
	CHECK(syscall_table_by_name("io_uring_setup")->locked);
	CHECK(syscall_table_by_name("unshare")->locked);
	CHECK(syscall_table_by_name("bpf")->locked);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_sorted_unique),
	HARNESS_TEST(test_numbers_match_libseccomp),
	HARNESS_TEST(test_handlers),
	HARNESS_TEST(test_required_denials),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
