/* The server's state, shared by its request handlers. Control thread only:
 * the store, the rate limiter and the media plane's session table are
 * used by this one thread. */
#ifndef MJ_API_SERVER_INTERNAL_H
#define MJ_API_SERVER_INTERNAL_H

#include "api/pwpool.h"
#include "api/server.h"
#include "api/settings.h"
#include "api/turn.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "io/media.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>

#define MJ_METRICS_TOKEN_MAX 256

/* Passphrase hashes waiting or running, in all and from one network (an
 * IPv4 /24, an IPv6 /48): see pwpool.h. Half the queue for one network
 * leaves a burst of sign-ins behind one carrier's NAT room; a network
 * that takes its half still yields places to others when the queue is
 * full. */
#define MJ_HASH_QUEUE             64
#define MJ_HASH_QUEUE_PER_NETWORK 32
#define MJ_HASH_NETWORK_V4_BITS   24
#define MJ_HASH_NETWORK_V6_BITS   48

typedef struct mj_server {
    mj_server_config cfg;
    mj_api_settings set;
    mj_store *store;
    uint8_t secret[MJ_SECRET_LEN];
    mj_http_server *http;
    mj_media *media;
    struct mj_live *live; /* the live rooms (live.h) */
    mj_ratelimit limiter; /* in memory only (docs/privacy.md) */
    mj_pw_pool *pool;     /* passphrase hashing off this thread */
    int64_t next_purge;   /* unix seconds: expired sessions go then */
    bool stopping;
    uint64_t http_requests;
    uint64_t http_status[6];                      /* by class: [2] = 2xx ... [5] = 5xx */
    char metrics_token[MJ_METRICS_TOKEN_MAX + 1]; /* "" = loopback only */
    mj_turn turn;                                 /* TURN credentials handed to clients (turn.h) */
} mj_server;

/* router.c: every request the HTTP layer hands over. */
void mj_router_handle(void *ctx, mj_http_req *req);

/* invites.c: on the first start (no account, no invite) creates the admin
 * invite and prints its link to out, once. */
MJ_MUST_USE int mj_invites_first_start(mj_server *srv, FILE *out);
/* me.c: now and then (every 10 minutes), removes expired sessions and
 * announcements whose time passed a day ago. */
void mj_server_sweep(mj_server *srv, int64_t now);

#endif
