#include "base/addr.h"
#include "base/err.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mj_addr_eq(const mj_addr *a, const mj_addr *b)
{
    if (a->family != b->family || a->port != b->port || a->tcp != b->tcp) return false;
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
    h = (h ^ (a->family | (a->tcp ? 0x100u : 0u))) * 1099511628211ull;
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
        if (!close || close[1] != ':') return MJ_EINVAL;
        hlen = (size_t)(close - text - 1);
        if (hlen >= sizeof host) return MJ_EINVAL;
        memcpy(host, text + 1, hlen);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon) return MJ_EINVAL;
        hlen = (size_t)(colon - text);
        if (hlen >= sizeof host) return MJ_EINVAL;
        memcpy(host, text, hlen);
    }
    host[hlen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) return MJ_EINVAL;
    return mj_addr_parse_ip(host, (uint16_t)port, a);
}

bool mj_addr_is_loopback(const mj_addr *a)
{
    static const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (a->family == 4) return a->ip[0] == 127;
    if (a->family == 6) return memcmp(a->ip, v6_loop, 16) == 0;
    return false;
}

void mj_addr_unmap(mj_addr *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a->family != 6 || memcmp(a->ip, mapped, sizeof mapped) != 0) return;
    memmove(a->ip, a->ip + 12, 4);
    memset(a->ip + 4, 0, 12);
    a->family = 4;
}

size_t mj_addr_prefix_bytes(const mj_addr *a, unsigned bits, uint8_t out[16])
{
    unsigned max = a->family == 4 ? 32 : 128;
    if (bits > max) bits = max;
    size_t n = (bits + 7) / 8;
    memcpy(out, a->ip, n);
    if (bits % 8) out[n - 1] &= (uint8_t)(0xff << (8 - bits % 8));
    return n;
}

int mj_prefix_parse(const char *text, mj_prefix *out)
{
    char ip[MJ_ADDR_STRLEN];
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    if (len == 0 || len >= sizeof ip) return MJ_EINVAL;
    memcpy(ip, text, len);
    ip[len] = '\0';
    memset(out, 0, sizeof *out);
    if (mj_addr_parse_ip(ip, 0, &out->net) != 0) return MJ_EINVAL;
    unsigned max = out->net.family == 4 ? 32 : 128;
    unsigned long bits = max;
    if (slash) {
        char *end;
        bits = strtoul(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || bits > max) return MJ_EINVAL;
    }
    out->bits = (uint8_t)bits;
    uint8_t masked[16] = {0};
    size_t n = mj_addr_prefix_bytes(&out->net, out->bits, masked);
    size_t all = out->net.family == 4 ? 4 : 16;
    if (memcmp(masked, out->net.ip, n) != 0 || memcmp(masked + n, out->net.ip + n, all - n) != 0)
        return MJ_EINVAL; /* "10.0.0.1/8": say which network is meant */
    return 0;
}

bool mj_prefix_contains(const mj_prefix *p, const mj_addr *a)
{
    mj_addr x = *a;
    mj_addr_unmap(&x);
    if (x.family != p->net.family) return false;
    uint8_t bytes[16];
    size_t n = mj_addr_prefix_bytes(&x, p->bits, bytes);
    return memcmp(bytes, p->net.ip, n) == 0;
}
