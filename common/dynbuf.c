/* SPDX-License-Identifier: MIT */
/* dynbuf.c - growable byte buffers with a hard maximum (see common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

void dynbuf_init(struct dynbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void dynbuf_free(struct dynbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void dynbuf_reset(struct dynbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int dynbuf_add(struct dynbuf *b, const void *p, size_t len)
{
	size_t need;

	if (len > b->max || b->len > b->max - len)
		return -E2BIG;
	need = b->len + len + 1;
	if (need > b->alloc) {
		size_t n = b->alloc ? b->alloc : 128;
		char *q;

		while (n < need)
			n *= 2;
		if (n > b->max + 1)
			n = b->max + 1;
		q = realloc(b->data, n);
		if (!q)
			return -ENOMEM;
		b->data = q;
		b->alloc = n;
	}
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n, rc;
	char *big;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return dynbuf_add(b, small, (size_t)n);
	if ((size_t)n > b->max)
		return -E2BIG;
	big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = dynbuf_add(b, big, (size_t)n);
	free(big);
	return rc;
}
