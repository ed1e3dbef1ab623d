/* This machine's own addresses (io/localaddr.h). */
#include "io/localaddr.h"

#include "io/sockaddr.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#define REREAD_EVERY 1000000 /* µs */

static bool is_link_local(const mj_addr *a)
{
    if (a->family == 4) return a->ip[0] == 169 && a->ip[1] == 254;
    return a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80;
}

static bool listed(const mj_addr *a, const mj_addr *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mj_addr_eq(a, &list[i])) return true;
    return false;
}

size_t mj_local_addrs(int family, mj_addr *out, size_t cap)
{
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0) return 0;
    size_t n = 0;
    for (struct ifaddrs *i = all; i && n < cap; i = i->ifa_next) {
        if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
        mj_addr a;
        if (mj_sockaddr_to_addr((const struct sockaddr_storage *)(const void *)i->ifa_addr, &a) !=
            0)
            continue;
        a.port = 0;
        if ((family && a.family != family) || mj_addr_is_loopback(&a) || is_link_local(&a))
            continue;
        if (!listed(&a, out, n)) out[n++] = a;
    }
    freeifaddrs(all);
    return n;
}

void mj_local_set_init(mj_local_set *s, int family)
{
    memset(s, 0, sizeof *s);
    s->family = family;
}

static bool known(const mj_local_set *s, const mj_addr *ip)
{
    mj_addr a = *ip;
    a.port = 0;
    return listed(&a, s->addrs, s->n);
}

bool mj_local_set_has(mj_local_set *s, const mj_addr *ip, mj_time now)
{
    if (mj_addr_is_loopback(ip) || known(s, ip)) return true;
    if (s->read_at && now - s->read_at < REREAD_EVERY) return false;
    s->n = mj_local_addrs(s->family, s->addrs, MJ_LOCAL_ADDRS_MAX);
    s->read_at = now;
    return known(s, ip);
}
