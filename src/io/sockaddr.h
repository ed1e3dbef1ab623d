/* Conversions between the cores' mj_addr and the kernel's sockaddr. */
#ifndef MJ_IO_SOCKADDR_H
#define MJ_IO_SOCKADDR_H

#include "base/addr.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static inline socklen_t mj_sockaddr_from_addr(const mj_addr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(struct sockaddr_in6));
    if (a->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a->port);
        memcpy(&s6->sin6_addr, a->ip, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(a->port);
    memcpy(&s4->sin_addr, a->ip, 4);
    return sizeof *s4;
}

static inline int mj_sockaddr_to_addr(const struct sockaddr_storage *ss, mj_addr *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        a->family = 4;
        a->port = ntohs(s4->sin_port);
        memcpy(a->ip, &s4->sin_addr, 4);
        return 0;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        a->family = 6;
        a->port = ntohs(s6->sin6_port);
        memcpy(a->ip, &s6->sin6_addr, 16);
        return 0;
    }
    return -1;
}

#endif
