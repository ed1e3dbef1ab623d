/* This machine's own addresses, for a server that is for this machine
 * only (media bound to loopback) but must still be reachable at a
 * non-loopback address: Firefox never pairs a loopback candidate with
 * its own non-loopback ones, and gathers no loopback candidate itself.
 *
 * The media socket then binds every address and takes datagrams only
 * from this machine's own addresses. A packet from the network that
 * claims one of them as its source is dropped by the kernel before it
 * gets here (a "martian" source, unless net.ipv4.conf.*.accept_local is
 * set), so the check admits only local clients.
 *
 * The load generator and the bot use the same set the other way round:
 * they send only to this machine (client/target.h). */
#ifndef MJ_IO_LOCALADDR_H
#define MJ_IO_LOCALADDR_H

#include "base/addr.h"
#include "io/clock.h"

#include <stdbool.h>
#include <stddef.h>

#define MJ_LOCAL_ADDRS_MAX 64

/* The addresses of family (4 or 6; 0: both) on this machine's interfaces
 * that are up, leaving out loopback and link-local ones (port 0), at most
 * cap of them. Returns how many. */
size_t mj_local_addrs(int family, mj_addr *out, size_t cap);

/* A copy of them, read again at most once a second when an address is
 * not found (an interface came up), so that a flood from elsewhere costs
 * one read a second. */
typedef struct mj_local_set {
    int family;
    size_t n;
    mj_addr addrs[MJ_LOCAL_ADDRS_MAX];
    mj_time read_at; /* 0: never read */
} mj_local_set;

void mj_local_set_init(mj_local_set *s, int family); /* family 0: both */
/* Whether ip (its port ignored) is loopback or one of this machine's. */
bool mj_local_set_has(mj_local_set *s, const mj_addr *ip, mj_time now);

#endif
