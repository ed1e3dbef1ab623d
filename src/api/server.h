/* The server: ties the store, the HTTP API and the media workers together
 * and runs until SIGINT or SIGTERM. */
#ifndef MJ_API_SERVER_H
#define MJ_API_SERVER_H

#include "api/settings.h"
#include "base/addr.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_SERVER_PROXIES_MAX 16 /* trusted proxies */

typedef struct mj_server_config {
    const char *data_dir;
    mj_addr http;            /* HTTP listen address */
    mj_addr media_bind;      /* IP (port ignored) the media sockets bind to */
    uint16_t media_port;     /* first media port; worker i uses media_port + i */
    uint16_t media_tcp_port; /* first ICE-TCP port, the same way; 0: none */
    int max_tcp_conns;       /* ICE-TCP connections per worker; 0: the default */
    mj_addr announce;        /* IP put in SDP candidates */
    bool media_local_only;   /* for this machine only (mj_media_config) */
    int workers;             /* media worker threads */
    int max_sessions;        /* WHIP+WHEP sessions in all; beyond: 503 */
    int max_per_owner;       /* sessions per member's token or member; 0: no limit */
    int max_per_address;     /* sessions per client address (IPv6: /64); 0: no limit */
    int max_load_percent;    /* refuse new listeners above this worker load */
    int room_split;          /* listeners of one room per worker before it spreads */
    int handshake_threads;   /* DTLS handshake threads; 0: on the media workers */
    size_t max_body;         /* HTTP request body cap */
    int max_stage;           /* people on stage in a room */
    int max_hosted;          /* live rooms one member hosts at once */
    int consent_timeout_s;   /* media: a peer silent this long is gone (RFC 7675) */
    int connect_timeout_s;   /* media: a session not connected this long ends; 0: 10 s */
    int socket_grace_s;      /* a page's event socket may be away this long */
    int moderator_grace_s;   /* a hosted room without a moderator this long ends */
    /* Reverse proxies whose X-Forwarded-For names the client and whose
     * X-Forwarded-Proto counts (at most MJ_SERVER_PROXIES_MAX). */
    const mj_prefix *trusted_proxies;
    size_t ntrusted_proxies;
    /* A file holding the bearer token /metrics asks for; NULL: /metrics
     * answers loopback clients that did not come through a proxy. */
    const char *metrics_token_file;
    /* A listen address of its own for /metrics (port 0: none); the main
     * one then has no /metrics. */
    mj_addr metrics_listen;
    unsigned max_conns_per_addr; /* HTTP connections from one address (0: any) */
    const mj_api_overrides *api; /* members API settings given as flags; NULL: none */
    /* HTTPS: the certificate (chain) and key files, read again on SIGHUP;
     * NULL: plain HTTP. */
    const char *tls_cert;
    const char *tls_key;
    /* Plain HTTP that only redirects to HTTPS (port 0: none). The command
     * line allows it only with TLS; the fuzzer runs it without. */
    mj_addr http_redirect;
    /* TURN (turn.h): comma-separated turn:/turns: URLs, the file with
     * coturn's static-auth-secret, and how long a credential lasts. NULL
     * URLs: no TURN. */
    const char *const *turn_urls;
    size_t nturn_urls;
    const char *turn_secret_file;
    unsigned turn_ttl_s;
} mj_server_config;

/* Runs until a signal asks it to stop. Returns the process exit status. */
int mj_server_run(const mj_server_config *cfg);

#endif
