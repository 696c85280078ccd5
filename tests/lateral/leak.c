/* SPDX-License-Identifier: MIT */
/*
 * leak.c - an ASan+LSan instrumented program that leaks 4242 bytes on
 * purpose. At exit LeakSanitizer stops the world by ptracing the program's
 * own threads from a helper task: under cordon that must keep working, and
 * the report (exit status 23) must come out.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *lateral_leak_here(void);
static void *lateral_leak_sink;

void *lateral_leak_here(void)
{
	char *p = malloc(4242);

	if (p)
		memset(p, 'x', 4242);
	return p;
}

static void *lateral_leak_thread(void *arg)
{
	(void)arg;
	return NULL;
}

int main(void)
{
	pthread_t t;

	/* A second thread, so that there is more than one to stop. */
	if (pthread_create(&t, NULL, lateral_leak_thread, NULL) == 0)
		pthread_join(t, NULL);
	lateral_leak_sink = lateral_leak_here();
	lateral_leak_sink = NULL;
	printf("leaked\n");
	return 0;
}
