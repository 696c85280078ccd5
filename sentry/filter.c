/* SPDX-License-Identifier: MIT */
/*
 * filter.c - the filter compiler: the syscall class table (with a zone's
 * overrides) through libseccomp into one classic BPF program.
 *
 * Stages (libseccomp's own shape): validate the overrides against the table,
 * build libseccomp's rule database, export BPF into a memfd and read it back.
 * The program is installed by platform/, never here: this file only compiles.
 *
 * Non-native ABIs: libseccomp's architecture check sends i386 calls (and, on
 * x86_64, any number with __X32_SYSCALL_BIT) to the bad-arch action, which is
 * set to KILL_PROCESS here; tests/ proves both with int 0x80 and an x32
 * number. Unknown numbers get the default action, ERRNO(ENOSYS).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sentry_priv.h"

/* Every CLONE_NEW* flag clone() accepts (CLONE_NEWTIME is clone3-only). */
#define FILTER_CLONE_NS_FLAGS                                                  \
	(0x00020000UL /* CLONE_NEWNS */ | 0x02000000UL /* CLONE_NEWCGROUP */ | \
	 0x04000000UL /* CLONE_NEWUTS */ | 0x08000000UL /* CLONE_NEWIPC */ |   \
	 0x10000000UL /* CLONE_NEWUSER */ | 0x20000000UL /* CLONE_NEWPID */ |  \
	 0x40000000UL /* CLONE_NEWNET */)
#define FILTER_ARCH_SET_FS 0x1002
#define FILTER_SECCOMP_SET_MODE_FILTER 1
#define FILTER_SECCOMP_NEW_LISTENER (1UL << 3)

/*
 * (@which, 0) - the calling thread or process itself - is allowed in the
 * kernel; every other pair is notified. The two notify rules and the allow
 * rule are exact complements on the full registers.
 */
static int filter_add_pair_self(scmp_filter_ctx ctx, int nr, scmp_datum_t which)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
			      SCMP_A0(SCMP_CMP_EQ, which),
			      SCMP_A1(SCMP_CMP_EQ, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
				      SCMP_A0(SCMP_CMP_NE, which));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
				      SCMP_A1(SCMP_CMP_NE, 0));
	return rc;
}

static int filter_add_rule(scmp_filter_ctx ctx, const struct syscall_entry *e,
			   unsigned int layers)
{
	unsigned long bit;
	int rc;

	switch (e->rule) {
	case SYSCALL_RULE_NONE:
		return -EINVAL;
	case SYSCALL_RULE_CLONE_NO_NAMESPACES:
		/*
		 * One EPERM rule per namespace flag, then allow when none is
		 * set: together they cover every value. Only the low 32 bits
		 * are compared, as the kernel only reads those.
		 */
		for (bit = 1; bit; bit <<= 1) {
			if (!(FILTER_CLONE_NS_FLAGS & bit))
				continue;
			rc = seccomp_rule_add(
				ctx, SCMP_ACT_ERRNO(EPERM), e->nr, 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
			if (rc)
				return rc;
		}
		/* Under a pids limit, what would be allowed is counted. */
		return seccomp_rule_add(
			ctx,
			(layers & FILTER_TASKS) ? SCMP_ACT_NOTIFY
						: SCMP_ACT_ALLOW,
			e->nr, 1,
			SCMP_A0(SCMP_CMP_MASKED_EQ, FILTER_CLONE_NS_FLAGS, 0));
	case SYSCALL_RULE_SECCOMP_NO_LISTENER:
		/*
		 * A nested listener would let the job answer its own calls
		 * from a process it controls; plain filter stacking is fine.
		 */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), e->nr, 2,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					      FILTER_SECCOMP_SET_MODE_FILTER),
				      SCMP_A1(SCMP_CMP_MASKED_EQ,
					      FILTER_SECCOMP_NEW_LISTENER,
					      FILTER_SECCOMP_NEW_LISTENER));
		if (rc)
			return rc;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ,
					      FILTER_SECCOMP_NEW_LISTENER, 0));
		if (rc)
			return rc;
		return seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, e->nr, 1,
			SCMP_A0(SCMP_CMP_NE, FILTER_SECCOMP_SET_MODE_FILTER));
	case SYSCALL_RULE_ADDR_ARG4:
		/* arg 4 is the destination pointer: NULL means send(). */
		rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, e->nr, 1,
				      SCMP_A4(SCMP_CMP_NE, 0));
		if (rc)
			return rc;
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 1,
					SCMP_A4(SCMP_CMP_EQ, 0));
	case SYSCALL_RULE_ARCH_PRCTL_SET_FS:
		/* The kernel reads an int: match the low 32 bits. */
		rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, e->nr, 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					      FILTER_ARCH_SET_FS));
		if (rc)
			return rc;
		return seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, e->nr, 1,
			SCMP_A0(SCMP_CMP_NE, FILTER_ARCH_SET_FS));
	case SYSCALL_RULE_ARG0_SELF:
		/*
		 * Only an all-zero register is "self" in the filter; a pid
		 * with garbage in the high half (the kernel reads an int)
		 * goes to the supervisor, which judges the low 32 bits.
		 */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 1,
				      SCMP_A0(SCMP_CMP_EQ, 0));
		if (rc)
			return rc;
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, e->nr, 1,
					SCMP_A0(SCMP_CMP_NE, 0));
	case SYSCALL_RULE_PRIO_SELF:
		return filter_add_pair_self(ctx, e->nr, 0 /* PRIO_PROCESS */);
	case SYSCALL_RULE_IOPRIO_SELF:
		return filter_add_pair_self(ctx, e->nr,
					    1 /* IOPRIO_WHO_PROCESS */);
	case SYSCALL_RULE_SETPGID_SELF:
		return filter_add_pair_self(ctx, e->nr, 0);
	}
	return -EINVAL;
}

static int filter_add_entry(scmp_filter_ctx ctx, const struct syscall_entry *e,
			    const struct syscall_override *ov,
			    unsigned int layers)
{
	enum syscall_class cls = ov ? ov->cls : e->cls;
	int err = ov ? ov->err : e->err;

	/* A task-creating row under a pids limit: counted by the supervisor. */
	if (!ov && e->task && (layers & FILTER_TASKS) &&
	    cls == SYSCALL_CLASS_ALLOW)
		cls = SYSCALL_CLASS_NOTIFY;
	/* A lateral row without its kernel layer: the supervisor layer. */
	if (!ov && e->lateral && !(layers & e->lateral))
		cls = SYSCALL_CLASS_NOTIFY;

	switch (cls) {
	case SYSCALL_CLASS_ALLOW:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 0);
	case SYSCALL_CLASS_ERRNO:
		/* libseccomp refuses a rule equal to the default action. */
		if (err == ENOSYS)
			return 0;
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err),
					e->nr, 0);
	case SYSCALL_CLASS_NOTIFY:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, e->nr, 0);
	case SYSCALL_CLASS_RULE:
		return filter_add_rule(ctx, e, layers);
	}
	return -EINVAL;
}

/* The override for @e, after checking every override names a row. */
static const struct syscall_override *
filter_override_for(const struct syscall_entry *e,
		    const struct syscall_override *ov, size_t n)
{
	const struct syscall_override *found = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ov[i].name, e->name))
			found = &ov[i]; /* the last one wins */
	return found;
}

static int filter_validate(const struct syscall_override *ov, size_t n,
			   const char **why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct syscall_entry *e =
			syscall_table_by_name(ov[i].name);

		*why = ov[i].name;
		if (!e)
			return -EINVAL;
		if (ov[i].cls == SYSCALL_CLASS_ERRNO) {
			if (ov[i].err <= 0 || ov[i].err > 4095)
				return -EINVAL;
			continue;
		}
		if (ov[i].cls != SYSCALL_CLASS_ALLOW)
			return -EINVAL;
		/*
		 * Allowing in the kernel is only for calls the table refuses
		 * for hygiene: never a mediated call (it would pass without a
		 * decision) and never a locked bypass.
		 */
		if (e->cls != SYSCALL_CLASS_ERRNO || e->locked)
			return -EPERM;
	}
	*why = NULL;
	return 0;
}

static int filter_export(scmp_filter_ctx ctx, struct filter_prog *out)
{
	struct sock_filter *insns;
	off_t size;
	int fd, rc;

	fd = memfd_create("cordon-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc)
		goto out_close;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > 4096) {
		rc = -E2BIG;
		goto out_close;
	}
	insns = malloc((size_t)size);
	if (!insns) {
		rc = -ENOMEM;
		goto out_close;
	}
	if (pread(fd, insns, (size_t)size, 0) != size) {
		rc = -EIO;
		free(insns);
		goto out_close;
	}
	out->prog.filter = insns;
	out->prog.len = (unsigned short)(size / (off_t)sizeof(*insns));
	out->digest = digest_xxh3_buf(insns, (size_t)size);
	rc = 0;
out_close:
	close(fd);
	return rc;
}

unsigned int filter_lateral_layers(bool landlock)
{
	if (landlock && platform_landlock_abi() >= 6)
		return SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN;
	return 0;
}

size_t filter_mediated_rows(unsigned int layers)
{
	size_t i, n = 0;

	for (i = 0; i < syscall_table_size(); i++) {
		const struct syscall_entry *e = syscall_table_at(i);

		if (e->lateral && !(layers & e->lateral))
			n++;
		else if (e->rule == SYSCALL_RULE_ARG0_SELF ||
			 e->rule == SYSCALL_RULE_PRIO_SELF ||
			 e->rule == SYSCALL_RULE_IOPRIO_SELF ||
			 e->rule == SYSCALL_RULE_SETPGID_SELF ||
			 !strcmp(e->name, "process_mrelease"))
			n++;
	}
	return n;
}

int filter_compile(const struct syscall_override *ov, size_t n_ov,
		   unsigned int layers, struct filter_prog *out,
		   const char **why)
{
	scmp_filter_ctx ctx;
	const char *dummy;
	size_t i;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(out, 0, sizeof(*out));
	rc = filter_validate(ov, n_ov, why);
	if (rc)
		return rc;
	ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (!ctx)
		return -ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	/* platform/ sets no_new_privs itself, before Landlock. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary tree over syscall numbers instead of a linear chain. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (i = 0; !rc && i < syscall_table_size(); i++) {
		const struct syscall_entry *e = syscall_table_at(i);

		rc = filter_add_entry(ctx, e, filter_override_for(e, ov, n_ov),
				      layers);
		if (rc)
			*why = e->name;
	}
	if (!rc)
		rc = filter_export(ctx, out);
	seccomp_release(ctx);
	return rc;
}

void filter_prog_free(struct filter_prog *f)
{
	free(f->prog.filter);
	f->prog.filter = NULL;
	f->prog.len = 0;
}
