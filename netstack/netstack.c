/* SPDX-License-Identifier: MIT */
/*
 * netstack.c - the job's network state that is not per socket: the host's
 * addresses, the placeholder values of unix rules, the abstract names the
 * job bound. Not responsible for any decision (net_plan.c makes them, on
 * this state, through the zone's compiled tables) nor for the socket table
 * (sock_table.c).
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/common.h"
#include "netstack/netstack.h"

static const char *netstack_env(char *const *envp, const char *key)
{
	size_t klen = strlen(key), i;

	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], key, klen) && envp[i][klen] == '=')
			return envp[i] + klen + 1;
	return NULL;
}

void netstack_host_addrs_load(struct netstack *ns)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (ns->host_addrs_loaded)
		return;
	ns->host_addrs_loaded = true;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && n < NETSTACK_HOST_ADDRS_MAX; i = i->ifa_next) {
		struct policy_addr *a = &ns->host_addrs[n];

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a->family = 4;
			memcpy(a->b,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			       4);
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a->family = 6;
			memcpy(a->b,
			       &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			       16);
			n++;
		}
	}
	freeifaddrs(ifa);
	ns->rt.host_addrs = ns->host_addrs;
	ns->rt.n_host_addrs = n;
}

static void netstack_placeholder(char *dst, size_t len, const char *val,
				 const char **slot)
{
	if (!val || !*val || strlen(val) >= len) {
		*slot = NULL;
		return;
	}
	snprintf(dst, len, "%s", val);
	*slot = dst;
}

int netstack_init(struct netstack *ns, const struct zone_tables *tables,
		  char *const *envp, const char *cwd)
{
	const char *tmp = netstack_env(envp, "TMPDIR");

	/* @ns arrives zeroed (a calloc'd supervisor): touching all of it
	 * here would cost page faults at every start. */
	ns->tables = tables;
	netstack_placeholder(ns->cwd, sizeof(ns->cwd), cwd, &ns->rt.cwd);
	netstack_placeholder(ns->tmpdir, sizeof(ns->tmpdir), tmp ? tmp : "/tmp",
			     &ns->rt.tmpdir);
	netstack_placeholder(ns->xdg_runtime_dir, sizeof(ns->xdg_runtime_dir),
			     netstack_env(envp, "XDG_RUNTIME_DIR"),
			     &ns->rt.xdg_runtime_dir);
	netstack_placeholder(ns->home, sizeof(ns->home),
			     netstack_env(envp, "HOME"), &ns->rt.home);
	return 0;
}

void netstack_note_abstract(struct netstack *ns, const char *name, size_t len)
{
	size_t i, slot;

	if (len > NET_UNIX_PATH_MAX)
		return;
	for (i = 0; i < ns->n_abstract; i++)
		if (ns->abstract_names[i].len == len &&
		    !memcmp(ns->abstract[i], name, len))
			return;
	if (ns->n_abstract < NETSTACK_ABSTRACT_MAX) {
		slot = ns->n_abstract++;
	} else {
		slot = ns->abstract_next;
		ns->abstract_next = (slot + 1) % NETSTACK_ABSTRACT_MAX;
	}
	memcpy(ns->abstract[slot], name, len);
	ns->abstract_names[slot].name = ns->abstract[slot];
	ns->abstract_names[slot].len = len;
	ns->rt.abstract_bound = ns->abstract_names;
	ns->rt.n_abstract_bound = ns->n_abstract;
}
