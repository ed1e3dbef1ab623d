/* Who a request comes from.
 *
 * Directly connected, the client is the TCP peer. Behind a reverse proxy
 * every connection comes from the proxy, so limits counted per address
 * would lump everyone together: one attacker's failed logins would stop
 * everybody's. When the TCP peer is one of the configured trusted proxies,
 * the client is read from X-Forwarded-For instead: the rightmost entry
 * that is not itself a trusted proxy. Entries to its left were written by
 * the client (anyone can send the header), entries to its right by our
 * own proxies. Without trusted proxies the header is ignored. */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

#define XFF_MAX 2048

static bool trusted(const mj_http_server *srv, const mj_addr *a)
{
    for (size_t i = 0; i < srv->ntrusted; i++)
        if (mj_prefix_contains(&srv->trusted[i], a)) return true;
    return false;
}

/* Trims spaces and takes off "[...]" around an IPv6 address and a ":port"
 * after an IPv4 one, which some proxies add. */
static bool entry_addr(const char *s, size_t len, mj_addr *out)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close) return false;
        s++;
        len = (size_t)(close - s);
    } else if (memchr(s, '.', len)) {
        const char *colon = memchr(s, ':', len);
        if (colon) len = (size_t)(colon - s);
    }
    char ip[MJ_ADDR_STRLEN];
    if (len == 0 || len >= sizeof ip) return false;
    memcpy(ip, s, len);
    ip[len] = '\0';
    if (mj_addr_parse_ip(ip, 0, out) != 0) return false;
    mj_addr_unmap(out);
    return true;
}

/* The client behind the proxy *hop: walks X-Forwarded-For from its right
 * end while the entries are trusted proxies. Leaves *hop as it is when the
 * header is missing, too long or malformed: then the request counts as
 * the proxy's, which lumps it with others rather than letting a forged
 * entry pick its own address. Returns whether the header was there. */
static bool forwarded_client(struct lws *wsi, const mj_http_server *srv, mj_addr *hop)
{
    char xff[XFF_MAX];
    int n = lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR);
    if (n <= 0) return false;
    if ((size_t)n >= sizeof xff ||
        lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) < 0)
        return true;
    size_t end = (size_t)n;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        mj_addr a;
        if (!entry_addr(xff + start, end - start, &a)) return true;
        *hop = a;
        if (!trusted(srv, &a)) return true;
        end = start ? start - 1 : 0;
    }
    return true;
}

void mj_http_find_client(mj_http_req *req, struct lws *wsi)
{
    char tcp[sizeof req->peer];
    tcp[0] = '\0';
    lws_get_peer_simple(wsi, tcp, sizeof tcp);
    req->via_proxy = false;
    req->from_proxy = false;
    mj_addr a;
    if (req->srv->ntrusted == 0 || mj_addr_parse_ip(tcp, 0, &a) != 0) {
        snprintf(req->peer, sizeof req->peer, "%s", tcp);
        return;
    }
    mj_addr_unmap(&a);
    if (trusted(req->srv, &a)) {
        req->from_proxy = true;
        req->via_proxy = forwarded_client(wsi, req->srv, &a);
    }
    mj_addr_ip_str(&a, req->peer);
}

bool mj_http_via_proxy(const mj_http_req *req)
{
    return req->via_proxy;
}

bool mj_http_forwarded(mj_http_req *req)
{
    static const enum lws_token_indexes known[] = {WSI_TOKEN_X_FORWARDED_FOR,
                                                   WSI_TOKEN_HTTP_X_REAL_IP, WSI_TOKEN_HTTP_VIA};
    static const char *const custom[] = {"forwarded:", "x-forwarded-proto:", "x-forwarded-host:"};
    if (req->via_proxy) return true;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (lws_hdr_total_length(req->wsi, known[i]) > 0) return true;
    for (size_t i = 0; i < sizeof custom / sizeof custom[0]; i++)
        if (lws_hdr_custom_length(req->wsi, custom[i], (int)strlen(custom[i])) >= 0) return true;
    return false;
}
