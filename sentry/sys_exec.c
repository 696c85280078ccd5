/* SPDX-License-Identifier: MIT */
/*
 * sys_exec.c - handlers for the process-image family: execve, execveat,
 * arch_prctl(ARCH_SET_FS) and personality.
 *
 * Exec is allowed (there is no exec policy yet) and recorded. Seccomp user
 * notification only stops a call on entry, so the record of what was really
 * executed is taken when the new program makes its first notified call:
 * every x86_64 runtime (glibc's ld.so and static start-up, musl, Go) sets its
 * thread pointer with arch_prctl(ARCH_SET_FS) before main(). At that point
 * /proc/TID/exe is the file the kernel actually mapped, whatever the path in
 * the execve() arguments said or was raced to say; that file is what gets
 * fingerprinted. The requested path is read from job memory for the record
 * only: it decides nothing, so answering CONTINUE after reading it keeps the
 * rule of shared/DESIGN.md invariant 2.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_EXEC_PER_QUERY 0xffffffffU

static struct exec_pending_slot *sys_exec_slot(struct sentry *s, pid_t tid,
					       bool for_insert)
{
	size_t i, h = (size_t)tid * 2654435761U;

	/* Open addressing over a short probe; the oldest entry is evicted. */
	for (i = 0; i < 8; i++) {
		struct exec_pending_slot *p =
			&s->pending[(h + i) % EXEC_PENDING_SLOTS];

		if (p->used && p->tid == tid)
			return p;
		if (!p->used && for_insert)
			return p;
	}
	if (!for_insert)
		return NULL;
	s->pending_evicted++;
	return &s->pending[h % EXEC_PENDING_SLOTS];
}

static void sys_exec_note(struct sentry *s, struct sentry_call *c,
			  uint64_t path_addr)
{
	struct exec_pending_slot *p = sys_exec_slot(s, c->pc.tid, true);
	ssize_t n;

	n = platform_read_str(s->plat, &c->pc, path_addr, p->path,
			      sizeof(p->path));
	if (n == -ENAMETOOLONG)
		memcpy(p->path + sizeof(p->path) - 4, "...", 4);
	else if (n < 0)
		snprintf(p->path, sizeof(p->path), "(unreadable)");
	p->tid = c->pc.tid;
	p->used = true;
	snprintf(c->detail, sizeof(c->detail), "path=%s", p->path);
	verdict_continue(&c->v, "exec is allowed and recorded");
}

int sys_execve(struct sentry *s, struct sentry_call *c)
{
	sys_exec_note(s, c, c->pc.args[0]);
	return 0;
}

int sys_execveat(struct sentry *s, struct sentry_call *c)
{
	sys_exec_note(s, c, c->pc.args[1]);
	return 0;
}

int sys_arch_prctl(struct sentry *s, struct sentry_call *c)
{
	struct exec_pending_slot *p = sys_exec_slot(s, c->pc.tid, false);

	verdict_continue(&c->v, "arch_prctl is allowed");
	snprintf(c->detail, sizeof(c->detail), "code=ARCH_SET_FS");
	if (!p)
		return 0; /* a new thread setting its TLS, not an exec */
	snprintf(c->exec_path, sizeof(c->exec_path), "%s", p->path);
	p->used = false;
	c->exe_fd = procfs_exe_open(c->pc.tid);
	/*
	 * Only trust the fd if the caller is still the one that stopped:
	 * otherwise the tid may name another process by now.
	 */
	if (c->exe_fd >= 0 && platform_call_valid(s->plat, &c->pc) < 0) {
		close(c->exe_fd);
		c->exe_fd = -1;
		s->pending_evicted++; /* an exec without its record: counted */
	}
	return 0;
}

int sys_personality(struct sentry *s, struct sentry_call *c)
{
	/* The kernel reads an unsigned int: judge the low 32 bits. */
	uint32_t persona = (uint32_t)c->pc.args[0];

	(void)s;
	snprintf(c->detail, sizeof(c->detail), "persona=0x%x", persona);
	if (persona == 0 || persona == SYS_EXEC_PER_QUERY) {
		/* Decided on a register value: CONTINUE is safe here. */
		verdict_continue(
			&c->v,
			"personality: PER_LINUX and the query are allowed");
		return 0;
	}
	verdict_deny(
		&c->v, EPERM, VERDICT_CAT_RULE,
		"personality: only PER_LINUX (0) and the query are allowed");
	return 0;
}

static void sys_exec_argv(pid_t tid, struct jsonw *w)
{
	char buf[4096];
	char *argv[sizeof(buf) + 1]; /* every argument of the 4 KiB */
	ssize_t n, i, start = 0;
	size_t argc = 0;

	n = procfs_cmdline(tid, buf, sizeof(buf) - 1);
	for (i = 0; i < n && argc + 1 < ARRAY_SIZE(argv); i++) {
		if (buf[i])
			continue;
		argv[argc++] = buf + start;
		start = i + 1;
	}
	if (n > 0 && start < n && argc + 1 < ARRAY_SIZE(argv)) {
		buf[n] = '\0';
		argv[argc++] = buf + start; /* cut at 4 KiB */
	}
	argv[argc] = NULL;
	/* The job's bytes: redacted as the header's argv is. */
	sentry_argv_json(w, argv);
}

void sys_exec_finish(struct sentry *s, struct sentry_call *c)
{
	struct exe_id id;
	struct jsonw w;

	exe_id_from_fd(&s->exe_cache, c->exe_fd, &id);
	close(c->exe_fd);
	c->exe_fd = -1;
	audit_begin(&s->audit, &w, "exec");
	jsonw_key_i64(&w, "tid", c->pc.tid);
	jsonw_key_str(&w, "path", c->exec_path);
	exe_id_write_json(&id, &w);
	sys_exec_argv(c->pc.tid, &w);
	jsonw_key_str(&w, "zone", s->o->zone_name);
	audit_commit(&s->audit, &w, 0, NULL, false);
}
