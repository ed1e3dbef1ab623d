#include "base/addr.h"
#include "base/err.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mj_addr_eq(const mj_addr *a, const mj_addr *b)
{
    if (a->family != b->family || a->port != b->port)
        return false;
    return memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

uint64_t mj_addr_hash(const mj_addr *a)
{
    /* FNV-1a over the significant bytes, then a final mix. */
    uint64_t h = 1469598103934665603ull;
    size_t n = a->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->ip[i]) * 1099511628211ull;
    h = (h ^ a->port) * 1099511628211ull;
    h = (h ^ a->family) * 1099511628211ull;
    h ^= h >> 31;
    return h;
}

static void ip_str(const mj_addr *a, char *buf, size_t cap)
{
    if (a->family == 4)
        inet_ntop(AF_INET, a->ip, buf, (socklen_t)cap);
    else if (a->family == 6)
        inet_ntop(AF_INET6, a->ip, buf, (socklen_t)cap);
    else
        snprintf(buf, cap, "unset");
}

const char *mj_addr_ip_str(const mj_addr *a, char buf[MJ_ADDR_STRLEN])
{
    ip_str(a, buf, MJ_ADDR_STRLEN);
    return buf;
}

const char *mj_addr_str(const mj_addr *a, char buf[MJ_ADDR_STRLEN])
{
    char ip[46]; /* INET6_ADDRSTRLEN: "[ip]:port" then always fits */
    ip_str(a, ip, sizeof ip);
    if (a->family == 6)
        snprintf(buf, MJ_ADDR_STRLEN, "[%s]:%u", ip, (unsigned)a->port);
    else
        snprintf(buf, MJ_ADDR_STRLEN, "%s:%u", ip, (unsigned)a->port);
    return buf;
}

int mj_addr_parse_ip(const char *ip, uint16_t port, mj_addr *a)
{
    memset(a, 0, sizeof *a);
    a->port = port;
    if (inet_pton(AF_INET, ip, a->ip) == 1) {
        a->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, ip, a->ip) == 1) {
        a->family = 6;
        return 0;
    }
    return MJ_EINVAL;
}

int mj_addr_parse(const char *text, mj_addr *a)
{
    char host[MJ_ADDR_STRLEN];
    const char *colon;
    size_t hlen;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return MJ_EINVAL;
        hlen = (size_t)(close - text - 1);
        if (hlen >= sizeof host)
            return MJ_EINVAL;
        memcpy(host, text + 1, hlen);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return MJ_EINVAL;
        hlen = (size_t)(colon - text);
        if (hlen >= sizeof host)
            return MJ_EINVAL;
        memcpy(host, text, hlen);
    }
    host[hlen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
        return MJ_EINVAL;
    return mj_addr_parse_ip(host, (uint16_t)port, a);
}

bool mj_addr_is_loopback(const mj_addr *a)
{
    static const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (a->family == 4)
        return a->ip[0] == 127;
    if (a->family == 6)
        return memcmp(a->ip, v6_loop, 16) == 0;
    return false;
}
