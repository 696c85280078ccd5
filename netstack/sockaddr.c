/* SPDX-License-Identifier: MIT */
/*
 * sockaddr.c - parse socket addresses copied out of the job. The bytes are
 * hostile: every length is checked before it is read, as the kernel checks
 * it, so that what cordon judges is exactly what the kernel would use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>

#include "netstack/netstack.h"

int sockaddr_parse(const uint8_t *p, size_t len, struct net_endpoint *out)
{
	sa_family_t fam;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(sa_family_t))
		return -EINVAL;
	memcpy(&fam, p, sizeof(fam));
	out->family = fam;
	switch (fam) {
	case AF_UNSPEC:
		out->kind = NET_ENDPOINT_UNSPEC;
		return 0;
	case AF_INET: {
		struct sockaddr_in in;

		/* inet_stream_connect: addr_len < sizeof(sockaddr_in) */
		if (len < sizeof(in))
			return -EINVAL;
		memcpy(&in, p, sizeof(in));
		out->kind = NET_ENDPOINT_INET;
		out->addr.family = 4;
		memcpy(out->addr.b, &in.sin_addr, 4);
		out->port = ntohs(in.sin_port);
		return 0;
	}
	case AF_INET6: {
		struct sockaddr_in6 in6;

		/* SIN6_LEN_RFC2133 (24) is the kernel's minimum */
		if (len < 24)
			return -EINVAL;
		memset(&in6, 0, sizeof(in6));
		memcpy(&in6, p, len < sizeof(in6) ? len : sizeof(in6));
		out->kind = NET_ENDPOINT_INET;
		out->addr.family = 6;
		memcpy(out->addr.b, &in6.sin6_addr, 16);
		out->port = ntohs(in6.sin6_port);
		out->scope_id = len >= sizeof(in6) ? in6.sin6_scope_id : 0;
		return 0;
	}
	case AF_UNIX: {
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t n;

		if (len > sizeof(struct sockaddr_un))
			return -EINVAL;
		n = len - off;
		if (len <= off || n == 0) {
			out->kind = NET_ENDPOINT_UNNAMED;
			return 0;
		}
		if (p[off] == '\0') {
			/* Abstract: every byte after the NUL is the name. */
			out->kind = NET_ENDPOINT_ABSTRACT;
			out->path_len = n - 1;
			memcpy(out->path, p + off + 1, n - 1);
			return 0;
		}
		/* A path ends at the first NUL, or at the length. */
		out->kind = NET_ENDPOINT_UNIX;
		out->path_len = strnlen((const char *)p + off, n);
		memcpy(out->path, p + off, out->path_len);
		out->path[out->path_len] = '\0';
		return 0;
	}
	case AF_NETLINK: {
		struct sockaddr_nl nl;

		/* netlink_sendmsg/netlink_connect: shorter is EINVAL */
		if (len < sizeof(nl))
			return -EINVAL;
		memcpy(&nl, p, sizeof(nl));
		out->kind = NET_ENDPOINT_NETLINK;
		out->nl_pid = nl.nl_pid;
		out->nl_groups = nl.nl_groups;
		return 0;
	}
	default:
		out->kind = NET_ENDPOINT_OTHER;
		return -EAFNOSUPPORT;
	}
}

void sockaddr_fmt(const struct net_endpoint *e, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	size_t n;

	switch (e->kind) {
	case NET_ENDPOINT_UNSPEC:
		snprintf(out, outlen, "AF_UNSPEC");
		return;
	case NET_ENDPOINT_INET:
		inet_ntop(e->addr.family == 6 ? AF_INET6 : AF_INET, e->addr.b,
			  a, sizeof(a));
		if (e->addr.family == 6)
			snprintf(out, outlen, "[%s]:%u", a, e->port);
		else
			snprintf(out, outlen, "%s:%u", a, e->port);
		return;
	case NET_ENDPOINT_UNIX:
		snprintf(out, outlen, "unix:%s", e->path);
		return;
	case NET_ENDPOINT_ABSTRACT:
		/* Any byte, NULs included: escaped as rules write them. */
		n = (size_t)snprintf(out, outlen, "unix:@");
		if (n < outlen)
			policy_unix_abstract_fmt(e->path, e->path_len, out + n,
						 outlen - n);
		return;
	case NET_ENDPOINT_UNNAMED:
		snprintf(out, outlen, "unix:(unnamed)");
		return;
	case NET_ENDPOINT_NETLINK:
		if (!e->nl_pid && !e->nl_groups)
			snprintf(out, outlen, "netlink:kernel");
		else
			snprintf(out, outlen, "netlink:pid=%u,groups=0x%x",
				 e->nl_pid, e->nl_groups);
		return;
	case NET_ENDPOINT_OTHER:
		snprintf(out, outlen, "family %d", e->family);
		return;
	}
}

int sockaddr_parse_as(int sock_family, enum sockaddr_use use, uint8_t *p,
		      size_t *len, struct net_endpoint *out)
{
	int rc = sockaddr_parse(p, *len, out);
	sa_family_t inet = AF_INET;
	struct sockaddr_in in;

	if (rc < 0 || out->kind != NET_ENDPOINT_UNSPEC ||
	    use == SOCKADDR_CONNECT)
		return rc;
	if (sock_family == AF_INET) {
		/* inet_bind/udp_sendmsg read an AF_UNSPEC name as AF_INET
		 * (bind: for INADDR_ANY only, "compatibility"). */
		if (*len < sizeof(in))
			return -EINVAL;
		memcpy(&in, p, sizeof(in));
		if (use == SOCKADDR_BIND &&
		    in.sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
		memcpy(p, &inet, sizeof(inet));
		return sockaddr_parse(p, *len, out);
	}
	if (sock_family == AF_INET6 && use == SOCKADDR_SEND) {
		/* udpv6_sendmsg: AF_UNSPEC is "no name", the connected peer */
		*len = 0;
		return 0;
	}
	return use == SOCKADDR_BIND ? -EAFNOSUPPORT : 0;
}

socklen_t sockaddr_build(const struct net_endpoint *e, int sock_family,
			 struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (sock_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;

		in->sin_family = AF_INET;
		in->sin_port = htons(e->port);
		memcpy(&in->sin_addr,
		       e->addr.family == 4 ? e->addr.b : e->addr.b + 12, 4);
		return sizeof(*in);
	}
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(e->port);
		in6->sin6_scope_id = e->scope_id;
		if (e->addr.family == 4) {
			in6->sin6_addr.s6_addr[10] = 0xff;
			in6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&in6->sin6_addr.s6_addr[12], e->addr.b, 4);
		} else {
			memcpy(&in6->sin6_addr, e->addr.b, 16);
		}
		return sizeof(*in6);
	}
}

bool sockaddr_same(const struct sockaddr_storage *a,
		   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	return false;
}

bool sockaddr_needs_cwd(const uint8_t *p, size_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	sa_family_t fam;

	/* As sockaddr_parse() takes it: a longer name is EINVAL. */
	if (len <= off || len > sizeof(struct sockaddr_un))
		return false;
	memcpy(&fam, p, sizeof(fam));
	return fam == AF_UNIX && p[off] != '\0' && p[off] != '/';
}
