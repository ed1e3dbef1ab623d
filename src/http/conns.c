/* Connections per client address.
 *
 * Each connection holds a socket, and while it sends its request head a
 * header buffer from a pool of MJ_HTTP_HEAD_POOL: a client that opens
 * hundreds of connections and sends their heads a line at a time, slowly,
 * would hold them all and every other request would wait. So one address
 * (an IPv6 /64) may hold at most max_conns_per_addr connections, of which
 * at most a quarter may still be sending their first request head; beyond
 * that a new connection is closed as soon as it is accepted. Trusted
 * proxies carry everybody's connections and are not counted. A head must
 * also be complete within MJ_HTTP_HEAD_TIMEOUT_S of its first byte
 * (libwebsockets' header-buffer timeout, server.c).
 *
 * Many addresses of one network (an IPv4 /24, an IPv6 /48: one hosting
 * range, one home's prefixes) share NET_HEADS_SHARES addresses' worth of
 * slow heads, so that filling the pool takes that many networks, not
 * that many addresses. */
#include "http/http_internal.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NET_HEADS_SHARES 4 /* a network's heads: this many addresses' share */

typedef struct addr_count {
    /* family (| NET_KEY for a network's count), then the IPv4 address or
     * the IPv6 /64, or the network's /24 or /48 */
    uint8_t key[9];
    unsigned conns;
    unsigned heads; /* still sending their first request head */
} addr_count;

#define NET_KEY 0x80

typedef struct conn {
    struct lws *wsi;
    addr_count *addr, *net;
    bool in_head;
} conn;

static bool addr_of(const struct sockaddr *sa, mj_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET) {
        out->family = 4;
        memcpy(out->ip, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        out->family = 6;
        memcpy(out->ip, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        mj_addr_unmap(out);
    } else {
        return false;
    }
    return true;
}

static void key_of(const mj_addr *a, bool net, uint8_t key[9])
{
    uint8_t bytes[16] = {0};
    unsigned bits = a->family == 4 ? (net ? 24 : 32) : (net ? 48 : 64);
    (void)mj_addr_prefix_bytes(a, bits, bytes);
    key[0] = (uint8_t)(a->family | (net ? NET_KEY : 0));
    memcpy(key + 1, bytes, 8);
}

static bool is_trusted(const mj_http_server *srv, const mj_addr *a)
{
    for (size_t i = 0; i < srv->ntrusted; i++)
        if (mj_prefix_contains(&srv->trusted[i], a)) return true;
    return false;
}

/* Keyed (SipHash), so that nobody can choose addresses that all land in
 * one corner of the table. */
static uint64_t addr_hash(const mj_http_server *srv, const uint8_t key[9])
{
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, key, 9, srv->conn_key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

static addr_count *find_addr(const mj_http_server *srv, const uint8_t key[9])
{
    size_t it = 0;
    addr_count *c;
    while ((c = mj_map_next(&srv->addrs, addr_hash(srv, key), &it)))
        if (memcmp(c->key, key, 9) == 0) return c;
    return NULL;
}

static uint64_t wsi_hash(const struct lws *wsi)
{
    return mj_hash_bytes(&wsi, sizeof wsi);
}

static conn *find_conn(const mj_http_server *srv, const struct lws *wsi)
{
    size_t it = 0;
    conn *c;
    while ((c = mj_map_next(&srv->conns, wsi_hash(wsi), &it)))
        if (c->wsi == wsi) return c;
    return NULL;
}

static unsigned heads_max(const mj_http_server *srv)
{
    unsigned q = srv->cfg.max_conns_per_addr / 4;
    return q ? q : 1;
}

bool mj_http_conn_admit(mj_http_server *srv, const struct sockaddr *sa)
{
    mj_addr a;
    if (!srv->cfg.max_conns_per_addr || !addr_of(sa, &a) || is_trusted(srv, &a)) return true;
    uint8_t key[9], nkey[9];
    key_of(&a, false, key);
    key_of(&a, true, nkey);
    const addr_count *c = find_addr(srv, key), *n = find_addr(srv, nkey);
    bool ok = (!c || (c->conns < srv->cfg.max_conns_per_addr && c->heads < heads_max(srv))) &&
              (!n || n->heads < NET_HEADS_SHARES * heads_max(srv));
    if (!ok) srv->refused_conns++;
    return ok;
}

/* The count under key, made if there is none yet; NULL when memory is
 * short. */
static addr_count *count_get(mj_http_server *srv, const uint8_t key[9])
{
    addr_count *ac = find_addr(srv, key);
    if (ac || (ac = calloc(1, sizeof *ac)) == NULL) return ac;
    memcpy(ac->key, key, sizeof ac->key);
    if (mj_map_add(&srv->addrs, addr_hash(srv, key), ac) != 0) {
        free(ac);
        return NULL;
    }
    return ac;
}

/* One connection fewer under ac; the count goes with its last. */
static void count_put(mj_http_server *srv, addr_count *ac)
{
    if (ac && ac->conns == 0) {
        mj_map_remove(&srv->addrs, addr_hash(srv, ac->key), ac);
        free(ac);
    }
}

void mj_http_conn_opened(mj_http_server *srv, struct lws *wsi)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    mj_addr a;
    if (!srv->cfg.max_conns_per_addr ||
        getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&ss, &len) != 0 ||
        !addr_of((const struct sockaddr *)&ss, &a) || is_trusted(srv, &a))
        return;
    uint8_t key[9], nkey[9];
    key_of(&a, false, key);
    key_of(&a, true, nkey);
    addr_count *ac = count_get(srv, key);
    addr_count *net = ac ? count_get(srv, nkey) : NULL;
    conn *c = calloc(1, sizeof *c);
    if (!c || !ac || !net || mj_map_add(&srv->conns, wsi_hash(wsi), c) != 0) {
        free(c); /* not counted: memory is short, and a count that is
                  * sometimes low is better than refusing everyone */
        count_put(srv, ac);
        count_put(srv, net);
        return;
    }
    c->wsi = wsi;
    c->addr = ac;
    c->net = net;
    c->in_head = true;
    ac->conns++;
    ac->heads++;
    net->conns++;
    net->heads++;
}

void mj_http_conn_head_done(mj_http_server *srv, struct lws *wsi)
{
    conn *c = find_conn(srv, wsi);
    if (c && c->in_head) {
        c->in_head = false;
        c->addr->heads--;
        c->net->heads--;
    }
}

void mj_http_conn_closed(mj_http_server *srv, struct lws *wsi)
{
    conn *c = find_conn(srv, wsi);
    if (!c) return;
    mj_http_conn_head_done(srv, wsi);
    mj_map_remove(&srv->conns, wsi_hash(wsi), c);
    addr_count *ac = c->addr, *net = c->net;
    free(c);
    ac->conns--;
    net->conns--;
    count_put(srv, ac);
    count_put(srv, net);
}

void mj_http_conns_dispose(mj_http_server *srv)
{
    /* Connections closed before the context went; anything left is freed
     * with the maps' owners here. */
    for (size_t i = 0; srv->conns.slots && i <= srv->conns.mask; i++)
        free(srv->conns.slots[i].value);
    for (size_t i = 0; srv->addrs.slots && i <= srv->addrs.mask; i++)
        free(srv->addrs.slots[i].value);
    mj_map_dispose(&srv->conns);
    mj_map_dispose(&srv->addrs);
}
