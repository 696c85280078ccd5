/* SPDX-License-Identifier: MIT */
/*
 * filter.c - the filter compiler: the syscall class table (with a zone's
 * overrides) through libseccomp into one classic BPF program.
 *
 * Stages (libseccomp's own shape): validate the overrides against the table,
 * build libseccomp's rule database, export BPF into a memfd and read it back.
 * The program is installed by platform/, never here: this file only compiles.
 *
 * That costs milliseconds (libseccomp copies its rule database for every
 * rule, then optimises), so the programs for a job without syscall
 * overrides - one per set of kernel layers - are compiled at build time by
 * filter_gen.c through this same code and linked in (filter_prebuilt.h);
 * tests/unit/test_filter.c checks they are byte for byte what libseccomp
 * compiles now. Zones with syscall overrides compile at run time.
 *
 * Notified rows get the platform's trap action (platform_trap_action():
 * SECCOMP_RET_USER_NOTIF for unotify, SECCOMP_RET_TRACE for a tracer); the
 * build-time programs are for unotify's, any other compiles at run time.
 *
 * Non-native ABIs: libseccomp's architecture check sends i386 calls (and, on
 * x86_64, any number with __X32_SYSCALL_BIT) to the bad-arch action, which is
 * set to KILL_PROCESS here; tests/ proves both with int 0x80 and an x32
 * number. Unknown numbers get the default action, ERRNO(ENOSYS).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sentry/filter_prebuilt.h"
#include "common/kcompat.h"
#include "sentry/sentry_priv.h"

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
static int filter_add_pair_self(scmp_filter_ctx ctx, int nr, scmp_datum_t which,
				uint32_t trap)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
			      SCMP_A0(SCMP_CMP_EQ, which),
			      SCMP_A1(SCMP_CMP_EQ, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, trap, nr, 1,
				      SCMP_A0(SCMP_CMP_NE, which));
	if (!rc)
		rc = seccomp_rule_add(ctx, trap, nr, 1,
				      SCMP_A1(SCMP_CMP_NE, 0));
	return rc;
}

/*
 * How an int argument is matched. The kernel reads an int (the low 32
 * bits); a rule that ALLOWS must not be fooled by garbage in the high half,
 * and a set of refusing rules must still cover it.
 *
 * FILTER_SPACE_INT: the full 64-bit register; allowed values match only with
 * a zero high half, and everything else (a garbage high half included) falls
 * in the complement. Right when the kept values are the allowed ones.
 * FILTER_SPACE_LOW32: only the low 32 bits count, whatever the high half.
 * Right when the kept values are the refused ones (their complement is
 * allowed, and must not contain a spelling of a refused value).
 * A small mask (0xf for the socket type): only those bits count.
 */
#define FILTER_SPACE_INT UINT64_MAX
#define FILTER_SPACE_LOW32 0xffffffffULL
#define FILTER_MAX_CMP 3

/* The comparison "argument @arg is @v" in @space. */
static struct scmp_arg_cmp filter_is(unsigned int arg, uint64_t space,
				     uint64_t v)
{
	if (space == FILTER_SPACE_INT)
		return SCMP_CMP(arg, SCMP_CMP_EQ, v);
	return SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, space, v);
}

static bool filter_kept(uint64_t v, const uint64_t *keep, size_t n_keep)
{
	size_t i;

	for (i = 0; i < n_keep; i++)
		if (keep[i] == v)
			return true;
	return false;
}

/* Whether a value in [lo, lo + len) is kept. */
static bool filter_block_keeps(uint64_t lo, uint64_t len, const uint64_t *keep,
			       size_t n_keep)
{
	size_t i;

	for (i = 0; i < n_keep; i++)
		if (keep[i] >= lo && keep[i] - lo < len)
			return true;
	return false;
}

/*
 * Add rules with @action covering every value of argument @arg in @space
 * that is not in @keep, each rule also carrying the @n_pre comparisons of
 * @pre (on other arguments). The values are covered by aligned power-of-two
 * blocks (one MASKED_EQ each), plus "greater than every kept value" in
 * FILTER_SPACE_INT, so the rules are disjoint from each other and from any
 * rule that matches a kept value: libseccomp does not define which action
 * wins when rules of one call overlap, so no rule here ever does.
 */
static int filter_add_outside(scmp_filter_ctx ctx, uint32_t action, int nr,
			      const struct scmp_arg_cmp *pre,
			      unsigned int n_pre, unsigned int arg,
			      uint64_t space, const uint64_t *keep,
			      size_t n_keep)
{
	struct scmp_arg_cmp cmp[FILTER_MAX_CMP];
	uint64_t top = space, v = 0, len;
	size_t i;
	int rc;

	if (n_pre >= FILTER_MAX_CMP || !n_keep)
		return -EINVAL;
	if (n_pre)
		memcpy(cmp, pre, n_pre * sizeof(*pre));
	if (space == FILTER_SPACE_INT) {
		top = 0;
		for (i = 0; i < n_keep; i++)
			top = keep[i] > top ? keep[i] : top;
		cmp[n_pre] = SCMP_CMP(arg, SCMP_CMP_GT, top);
		rc = seccomp_rule_add_array(ctx, action, nr, n_pre + 1, cmp);
		if (rc)
			return rc;
	}
	/* Blocks over [0, top]; top + 1 may wrap to 0 in LOW32 (2^32 fits). */
	while (v <= top) {
		if (filter_kept(v, keep, n_keep)) {
			if (v == top)
				break;
			v++;
			continue;
		}
		len = 1;
		while (!(v & ((len << 1) - 1)) && v + (len << 1) - 1 <= top &&
		       !filter_block_keeps(v, len << 1, keep, n_keep))
			len <<= 1;
		cmp[n_pre] = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ,
				      (space & ~(len - 1)), v);
		rc = seccomp_rule_add_array(ctx, action, nr, n_pre + 1, cmp);
		if (rc)
			return rc;
		if (v + len - 1 >= top)
			break;
		v += len;
	}
	return 0;
}

/*
 * The sockets a job may create, the one table of them: a row per family,
 * and for families with kinds, the (type, protocols) pairs allowed; any
 * other type of that family gets the row's @err, a listed type with another
 * protocol its @proto_err. Families not here get EAFNOSUPPORT.
 * docs/network.md lists the same.
 *
 * An internet protocol cordon does not mediate (UDP-Lite, SCTP, MPTCP on
 * SOCK_STREAM) is EPROTONOSUPPORT, what the kernel says for a protocol it
 * lacks: programs read it as "not here" and fall back to UDP or TCP
 * (Go's MPTCP dialer, libraries probing UDP-Lite), where EACCES reads as a
 * hard failure.
 */
struct filter_socket_kind {
	uint64_t type; /* SOCK_* without the flag bits */
	uint64_t protocols[2];
	size_t n_protocols;
};

static const struct filter_socket_family {
	uint64_t domain;
	int err;	/* for a type of this family not listed */
	int proto_err;	/* for a listed type with a protocol not listed */
	size_t n_kinds; /* 0: every kind */
	struct filter_socket_kind kinds[2];
} filter_socket_families[] = {
	{AF_UNIX, 0, 0, 0, {{0}}},
	{AF_INET,
	 EACCES,
	 EPROTONOSUPPORT,
	 2,
	 {{SOCK_STREAM, {0, IPPROTO_TCP}, 2},
	  {SOCK_DGRAM, {0, IPPROTO_UDP}, 2}}},
	{AF_INET6,
	 EACCES,
	 EPROTONOSUPPORT,
	 2,
	 {{SOCK_STREAM, {0, IPPROTO_TCP}, 2},
	  {SOCK_DGRAM, {0, IPPROTO_UDP}, 2}}},
	/* getaddrinfo() and if_nameindex(): read-only without privilege. */
	{AF_NETLINK,
	 EAFNOSUPPORT,
	 EAFNOSUPPORT,
	 2,
	 {{SOCK_RAW, {0 /* NETLINK_ROUTE */}, 1},
	  {SOCK_DGRAM, {0 /* NETLINK_ROUTE */}, 1}}},
};

#define FILTER_SOCK_TYPE_MASK 0xfULL /* SOCK_NONBLOCK etc. live above */

/* One family's rules: its kinds allowed, the rest refused with its errno. */
static int filter_add_socket_family(scmp_filter_ctx ctx, int nr,
				    const struct filter_socket_family *f,
				    uint32_t allow)
{
	struct scmp_arg_cmp pre[2] = {
		filter_is(0, FILTER_SPACE_INT, f->domain)};
	uint64_t types[ARRAY_SIZE(f->kinds)];
	size_t i, j;
	int rc;

	if (!f->n_kinds)
		return seccomp_rule_add_array(ctx, allow, nr, 1, pre);
	for (i = 0; i < f->n_kinds; i++) {
		const struct filter_socket_kind *k = &f->kinds[i];

		types[i] = k->type;
		pre[1] = filter_is(1, FILTER_SOCK_TYPE_MASK, k->type);
		for (j = 0; j < k->n_protocols; j++) {
			struct scmp_arg_cmp cmp[3] = {
				pre[0], pre[1],
				filter_is(2, FILTER_SPACE_INT,
					  k->protocols[j])};

			rc = seccomp_rule_add_array(ctx, allow, nr, 3, cmp);
			if (rc)
				return rc;
		}
		rc = filter_add_outside(
			ctx, SCMP_ACT_ERRNO((uint32_t)f->proto_err), nr, pre, 2,
			2, FILTER_SPACE_INT, k->protocols, k->n_protocols);
		if (rc)
			return rc;
	}
	return filter_add_outside(ctx, SCMP_ACT_ERRNO((uint32_t)f->err), nr,
				  pre, 1, 1, FILTER_SOCK_TYPE_MASK, types,
				  f->n_kinds);
}

/*
 * @allow: what the allowed kinds get: SCMP_ACT_ALLOW, or the platform's trap
 * when the supervisor creates the job's sockets (FILTER_BIRTH).
 */
static int filter_add_socket_kinds(scmp_filter_ctx ctx, int nr, uint32_t allow)
{
	uint64_t domains[ARRAY_SIZE(filter_socket_families)];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(filter_socket_families); i++) {
		domains[i] = filter_socket_families[i].domain;
		rc = filter_add_socket_family(
			ctx, nr, &filter_socket_families[i], allow);
		if (rc)
			return rc;
	}
	return filter_add_outside(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, NULL,
				  0, 0, FILTER_SPACE_INT, domains,
				  ARRAY_SIZE(domains));
}

/*
 * setsockopt(..., SO_PASSRIGHTS, ...) answers ENOPROTOOPT; every other
 * option is allowed. The option number is matched on the low 32 bits (what
 * the kernel reads), so its allowed complement has no other spelling of it.
 * Any level: 83 names no other option today, and one comparison keeps this
 * to a block cover of one argument (31 rules, not 63) on a hot call.
 */
static int filter_add_no_passrights(scmp_filter_ctx ctx, int nr)
{
	static const uint64_t name[] = {SO_PASSRIGHTS};
	struct scmp_arg_cmp refused =
		filter_is(2, FILTER_SPACE_LOW32, SO_PASSRIGHTS);
	int rc;

	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(ENOPROTOOPT), nr, 1,
				    &refused);
	if (!rc)
		rc = filter_add_outside(ctx, SCMP_ACT_ALLOW, nr, NULL, 0, 2,
					FILTER_SPACE_LOW32, name, 1);
	return rc;
}

/*
 * prctl(PR_SET_DUMPABLE, 0) answers EPERM, decided on the registers: the
 * option is an int (low 32 bits, as the kernel reads it), the value an
 * unsigned long (all 64: 0 is SUID_DUMP_DISABLE and nothing else). Every
 * other option, and PR_SET_DUMPABLE with another value (1 is allowed, the
 * rest get the kernel's EINVAL), is allowed: the rules are disjoint.
 */
static int filter_add_keep_dumpable(scmp_filter_ctx ctx, int nr)
{
	static const uint64_t option[] = {PR_SET_DUMPABLE};
	struct scmp_arg_cmp refused[2] = {
		filter_is(0, FILTER_SPACE_LOW32, PR_SET_DUMPABLE),
		SCMP_A1(SCMP_CMP_EQ, 0),
	};
	struct scmp_arg_cmp other[2] = {
		filter_is(0, FILTER_SPACE_LOW32, PR_SET_DUMPABLE),
		SCMP_A1(SCMP_CMP_NE, 0),
	};
	int rc;

	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, 2, refused);
	if (!rc)
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 2, other);
	if (!rc)
		rc = filter_add_outside(ctx, SCMP_ACT_ALLOW, nr, NULL, 0, 0,
					FILTER_SPACE_LOW32, option, 1);
	return rc;
}

/*
 * ioctl(fd, TIOCSTI, ...) answers EPERM; every other request is allowed. The
 * request is an unsigned int to the kernel: matched on the low 32 bits, its
 * allowed complement a block cover of that one value (32 rules; ioctl is not
 * on the hot path of anything CI runs).
 */
static int filter_add_no_tiocsti(scmp_filter_ctx ctx, int nr)
{
	static const uint64_t request[] = {TIOCSTI};
	struct scmp_arg_cmp refused = filter_is(1, FILTER_SPACE_LOW32, TIOCSTI);
	int rc;

	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
				    &refused);
	if (!rc)
		rc = filter_add_outside(ctx, SCMP_ACT_ALLOW, nr, NULL, 0, 1,
					FILTER_SPACE_LOW32, request, 1);
	return rc;
}

/*
 * fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC, ...) gets @trap, every other command
 * is allowed. The command is an unsigned int to the kernel: matched on the
 * low 32 bits, the allowed complement a block cover of the two values.
 */
static int filter_add_fcntl_dupfd(scmp_filter_ctx ctx, int nr, uint32_t trap)
{
	static const uint64_t cmd[] = {F_DUPFD, F_DUPFD_CLOEXEC};
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < ARRAY_SIZE(cmd); i++) {
		struct scmp_arg_cmp dup =
			filter_is(1, FILTER_SPACE_LOW32, cmd[i]);

		rc = seccomp_rule_add_array(ctx, trap, nr, 1, &dup);
	}
	if (!rc)
		rc = filter_add_outside(ctx, SCMP_ACT_ALLOW, nr, NULL, 0, 1,
					FILTER_SPACE_LOW32, cmd,
					ARRAY_SIZE(cmd));
	return rc;
}

/* CLONE_UNTRACED (uapi linux/sched.h). */
#define FILTER_CLONE_UNTRACED 0x00800000UL

/* Whether @trap is SECCOMP_RET_TRACE (any data): a tracer's rows. */
static bool filter_trap_is_trace(uint32_t trap)
{
	return (trap & 0xffff0000U) == 0x7ff00000U;
}

static int filter_add_rule(scmp_filter_ctx ctx, const struct syscall_entry *e,
			   unsigned int layers, uint32_t trap)
{
	unsigned long bit;
	int rc;

	switch (e->rule) {
	case SYSCALL_RULE_NONE:
		return -EINVAL;
	case SYSCALL_RULE_CLONE_NO_NAMESPACES: {
		/*
		 * Under a tracer, CLONE_UNTRACED would start a task the
		 * kernel does not attach: refused as the namespaces are.
		 */
		unsigned long refused =
			FILTER_CLONE_NS_FLAGS |
			(filter_trap_is_trace(trap) ? FILTER_CLONE_UNTRACED
						    : 0);

		/*
		 * One EPERM rule per namespace flag, then allow when none is
		 * set: together they cover every value. Only the low 32 bits
		 * are compared, as the kernel only reads those.
		 */
		for (bit = 1; bit; bit <<= 1) {
			if (!(refused & bit))
				continue;
			rc = seccomp_rule_add(
				ctx, SCMP_ACT_ERRNO(EPERM), e->nr, 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
			if (rc)
				return rc;
		}
		/* With sockets owned from birth, seen (a table may be copied).
		 */
		return seccomp_rule_add(
			ctx, (layers & FILTER_BIRTH) ? trap : SCMP_ACT_ALLOW,
			e->nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, refused, 0));
	}
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
		rc = seccomp_rule_add(ctx, trap, e->nr, 1,
				      SCMP_A4(SCMP_CMP_NE, 0));
		if (rc)
			return rc;
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 1,
					SCMP_A4(SCMP_CMP_EQ, 0));
	case SYSCALL_RULE_ARCH_PRCTL_SET_FS:
		/* It marks a finished exec: only wanted for exec records. */
		if (!(layers & FILTER_EXECS))
			return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 0);
		/* The kernel reads an int: match the low 32 bits. */
		rc = seccomp_rule_add(ctx, trap, e->nr, 1,
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
		return seccomp_rule_add(ctx, trap, e->nr, 1,
					SCMP_A0(SCMP_CMP_NE, 0));
	case SYSCALL_RULE_PRIO_SELF:
		return filter_add_pair_self(ctx, e->nr, 0 /* PRIO_PROCESS */,
					    trap);
	case SYSCALL_RULE_IOPRIO_SELF:
		return filter_add_pair_self(ctx, e->nr,
					    1 /* IOPRIO_WHO_PROCESS */, trap);
	case SYSCALL_RULE_SETPGID_SELF:
		return filter_add_pair_self(ctx, e->nr, 0, trap);
	case SYSCALL_RULE_SOCKET_KINDS:
		return filter_add_socket_kinds(
			ctx, e->nr,
			(layers & FILTER_BIRTH) ? trap : SCMP_ACT_ALLOW);
	case SYSCALL_RULE_NO_PASSRIGHTS:
		return filter_add_no_passrights(ctx, e->nr);
	case SYSCALL_RULE_PRCTL_KEEP_DUMPABLE:
		return filter_add_keep_dumpable(ctx, e->nr);
	case SYSCALL_RULE_IOCTL_NO_TIOCSTI:
		return filter_add_no_tiocsti(ctx, e->nr);
	case SYSCALL_RULE_FCNTL_DUPFD:
		/* Only sockets owned from birth want a new fd seen. */
		if (!(layers & FILTER_BIRTH))
			return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, e->nr, 0);
		return filter_add_fcntl_dupfd(ctx, e->nr, trap);
	}
	return -EINVAL;
}

static int filter_add_entry(scmp_filter_ctx ctx, const struct syscall_entry *e,
			    const struct syscall_override *ov,
			    unsigned int layers, uint32_t trap)
{
	enum syscall_class cls = ov ? ov->cls : e->cls;
	int err = ov ? ov->err : e->err;

	/* A task-creating row with sockets owned from birth: seen. */
	if (!ov && e->task && (layers & FILTER_BIRTH) &&
	    cls == SYSCALL_CLASS_ALLOW)
		cls = SYSCALL_CLASS_NOTIFY;
	/* An exec row without an audit sink: nothing to record. */
	if (!ov && e->exec && !(layers & FILTER_EXECS))
		cls = SYSCALL_CLASS_ALLOW;
	/* A lateral row without its kernel layer: the supervisor layer. */
	if (!ov && e->lateral && !(layers & e->lateral))
		cls = SYSCALL_CLASS_NOTIFY;
	/*
	 * Sockets owned from birth: creation, the last close and what copies
	 * fds (pidfd_getfd; the task rows above) are seen.
	 */
	if (!ov && e->birth && (layers & FILTER_BIRTH) &&
	    cls == SYSCALL_CLASS_ALLOW)
		cls = SYSCALL_CLASS_NOTIFY;
	/* A zone that can translate a socket: its names are shown. */
	if (!ov && e->sockname && (layers & FILTER_SOCKNAMES) &&
	    cls == SYSCALL_CLASS_ALLOW)
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
		return seccomp_rule_add(ctx, trap, e->nr, 0);
	case SYSCALL_CLASS_RULE:
		return filter_add_rule(ctx, e, layers, trap);
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
	int abi = landlock ? platform_landlock_abi() : 0;

	if (abi >= 6)
		return SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN;
	/* Any domain refuses ptrace_may_access() of outsiders (ABI 1). */
	if (abi >= 1)
		return SYSCALL_LATERAL_DOMAIN;
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

/* The build-time program for @layers into @out. Return: 0, -ENOENT, -ENOMEM. */
static int filter_from_prebuilt(unsigned int layers, struct filter_prog *out)
{
	const struct filter_prebuilt *p = filter_prebuilt_find(layers);
	size_t size;

	if (!p)
		return -ENOENT;
	size = (size_t)p->len * sizeof(*p->insns);
	out->prog.filter = malloc(size);
	if (!out->prog.filter)
		return -ENOMEM;
	memcpy(out->prog.filter, p->insns, size);
	out->prog.len = p->len;
	out->digest = digest_xxh3_buf(p->insns, size);
	return 0;
}

/*
 * The platform's action for notified rows (platform_trap_action()): the
 * kernel's SECCOMP_RET_USER_NOTIF or SECCOMP_RET_TRACE with its 16 data
 * bits, which libseccomp's SCMP_ACT_NOTIFY and SCMP_ACT_TRACE(n) equal.
 */
static bool filter_trap_valid(uint32_t trap)
{
	return trap == SCMP_ACT_NOTIFY ||
	       (trap & ~0xffffU) == (SCMP_ACT_TRACE(0) & ~0xffffU);
}

_Static_assert(SCMP_ACT_NOTIFY == PLATFORM_TRAP_UNOTIFY,
	       "libseccomp's notify action is the kernel's USER_NOTIF");
_Static_assert(FILTER_PREBUILT_TRAP == PLATFORM_TRAP_UNOTIFY,
	       "the build-time programs are for the unotify platform");

int filter_compile(const struct syscall_override *ov, size_t n_ov,
		   unsigned int layers, uint32_t trap, struct filter_prog *out,
		   const char **why)
{
	int rc;

	if (n_ov == 0 && trap == FILTER_PREBUILT_TRAP) {
		memset(out, 0, sizeof(*out));
		if (why)
			*why = NULL;
		rc = filter_from_prebuilt(layers, out);
		if (rc != -ENOENT)
			return rc;
	}
	return filter_compile_libseccomp(ov, n_ov, layers, trap, out, why);
}

int filter_compile_libseccomp(const struct syscall_override *ov, size_t n_ov,
			      unsigned int layers, uint32_t trap,
			      struct filter_prog *out, const char **why)
{
	scmp_filter_ctx ctx;
	const char *dummy;
	size_t i;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (!filter_trap_valid(trap))
		return -EINVAL;
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
				      layers, trap);
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
