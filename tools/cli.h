/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the command line's help texts and usage errors: `cordon help
 * TOPIC`, `cordon TOPIC --help`, and the one-line usage error with its
 * "try 'cordon TOPIC --help'" that every subcommand prints (exit 125).
 * Stateless; called from the main thread only.
 */
#ifndef CORDON_CLI_H
#define CORDON_CLI_H

#include <stddef.h>
#include <stdio.h>

/**
 * cli_help() - print the help of @topic on @f.
 * @topic: "run", "policy", "policy check", "policy show", "policy explain",
 *         "doctor", "version", "help"; NULL or "" for the overview.
 * Return: 0, or -ENOENT (nothing printed) for a topic that has no help.
 */
int cli_help(const char *topic, FILE *f);

/**
 * cli_usage_error() - "cordon: MSG" and "cordon: try 'cordon @topic --help'"
 * on stderr, two lines, never the whole usage.
 * Return: CORDON_EXIT_FAILURE (125), for `return cli_usage_error(...)`.
 */
int cli_usage_error(const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * cli_try() - the "cordon: try 'cordon @topic --help'" line alone, after a
 * diagnostic printed elsewhere. Return: CORDON_EXIT_FAILURE.
 */
int cli_try(const char *topic);

/**
 * cli_suggest() - the candidate closest to @word (edit distance at most 2
 * and less than its length), for "did you mean"; NULL when none is close.
 * @cands: @n strings, compared whole (give "--limit", not "limit").
 */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);

#endif /* CORDON_CLI_H */
