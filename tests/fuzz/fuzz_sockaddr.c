/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sockaddr.c - libFuzzer target for the socket address parsers
 * (netstack/sockaddr.c): the bytes a job hands connect(), sendto(), bind().
 * The first input byte picks the socket's family and the call; the rest is
 * the sockaddr. Every parse is bounded by the length (ASan sees a read past
 * it); what parses must hold together: an internet address rebuilt as a
 * sockaddr parses back to itself, a unix path is NUL-terminated within
 * bounds, the formatter stays inside its buffer, and sockaddr_needs_cwd()
 * agrees with the parse. Any mismatch aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstack/netstack.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_sockaddr_fail(const char *what)
{
	fprintf(stderr, "sockaddr: %s\n", what);
	abort();
}

static void fuzz_sockaddr_inet(const struct net_endpoint *e, int family)
{
	struct sockaddr_storage ss;
	struct net_endpoint back;
	socklen_t l;

	if (e->addr.family != 4 && e->addr.family != 6)
		fuzz_sockaddr_fail("inet family");
	/* An IPv6 address cannot be rebuilt for an IPv4 socket. */
	if (family == AF_INET && e->addr.family == 6)
		return;
	l = sockaddr_build(e, family, &ss);
	if (l > sizeof(ss) || ss.ss_family != family)
		fuzz_sockaddr_fail("build");
	if (sockaddr_parse((const uint8_t *)&ss, l, &back) ||
	    back.kind != NET_ENDPOINT_INET || back.port != e->port)
		fuzz_sockaddr_fail("build/parse round trip");
	if (e->addr.family == back.addr.family &&
	    memcmp(e->addr.b, back.addr.b, e->addr.family == 4 ? 4 : 16))
		fuzz_sockaddr_fail("round trip address");
	if (!sockaddr_same(&ss, &ss))
		fuzz_sockaddr_fail("same");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fams[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK};
	static const enum sockaddr_use uses[] = {SOCKADDR_CONNECT,
						 SOCKADDR_SEND, SOCKADDR_BIND};
	uint8_t copy[256];
	struct net_endpoint e;
	char text[300];
	size_t len;
	int family, rc;

	if (size < 1)
		return 0;
	family = fams[data[0] & 3];
	len = size - 1 < sizeof(copy) ? size - 1 : sizeof(copy);
	memcpy(copy, data + 1, len);
	/* The plain parser first, on the job's bytes as they are. */
	rc = sockaddr_parse(data + 1, len, &e);
	sockaddr_fmt(&e, text, sizeof(text));
	if (strlen(text) >= sizeof(text))
		fuzz_sockaddr_fail("fmt");
	if (rc == 0 && e.kind == NET_ENDPOINT_UNIX) {
		if (e.path_len > NET_UNIX_PATH_MAX || e.path[e.path_len])
			fuzz_sockaddr_fail("unix path bounds");
		if (sockaddr_needs_cwd(data + 1, len) != (e.path[0] != '/'))
			fuzz_sockaddr_fail("needs_cwd");
	} else if (sockaddr_needs_cwd(data + 1, len)) {
		fuzz_sockaddr_fail("needs_cwd without a unix path");
	}
	if (rc == 0 && e.kind == NET_ENDPOINT_ABSTRACT &&
	    e.path_len > NET_UNIX_PATH_MAX)
		fuzz_sockaddr_fail("abstract bounds");
	if (rc == 0 && e.kind == NET_ENDPOINT_INET)
		fuzz_sockaddr_inet(&e, family == AF_INET ? AF_INET : AF_INET6);
	/* Then as the kernel reads it for a call on that family. */
	rc = sockaddr_parse_as(family, uses[(data[0] >> 2) % 3], copy, &len,
			       &e);
	if (len > size - 1)
		fuzz_sockaddr_fail("parse_as grew the name");
	if (rc == 0 && e.kind == NET_ENDPOINT_INET)
		fuzz_sockaddr_inet(&e, family == AF_INET ? AF_INET : AF_INET6);
	if (rc == 0 && e.kind == NET_ENDPOINT_UNSPEC && len &&
	    family == AF_INET && uses[(data[0] >> 2) % 3] != SOCKADDR_CONNECT)
		fuzz_sockaddr_fail("AF_UNSPEC left on an IPv4 send or bind");
	return 0;
}
