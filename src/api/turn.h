/* TURN credentials for clients behind networks that let only HTTPS
 * through: the TURN REST API scheme coturn checks with use-auth-secret
 * and static-auth-secret. The username is "EXPIRY:SUFFIX" (EXPIRY in unix
 * seconds, SUFFIX random and fresh each time: it names nobody, and two
 * credentials cannot be linked to each other nor to a member), and the
 * password is base64(HMAC-SHA1(secret, username)). coturn accepts the
 * pair until EXPIRY without asking us. */
#ifndef MJ_API_TURN_H
#define MJ_API_TURN_H

#include "http/http.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_TURN_URLS_MAX   4
#define MJ_TURN_URL_MAX    200
#define MJ_TURN_SECRET_MAX 256
#define MJ_TURN_USER_MAX   48
#define MJ_TURN_CRED_MAX   32 /* base64 of 20 bytes is 28 */

typedef struct mj_turn {
    char urls[MJ_TURN_URLS_MAX][MJ_TURN_URL_MAX];
    size_t nurls; /* 0: no TURN */
    uint8_t secret[MJ_TURN_SECRET_MAX];
    size_t secret_len;
    unsigned ttl_s;
} mj_turn;

/* The password of a username: base64(HMAC-SHA1(secret, user)) into cred
 * (MJ_TURN_CRED_MAX). 0, or -1. */
int mj_turn_password(const uint8_t *secret, size_t secret_len, const char *user, char *cred);
/* A fresh username valid until now + ttl, and its password. */
int mj_turn_credentials(const mj_turn *t, int64_t now, char user[MJ_TURN_USER_MAX],
                        char cred[MJ_TURN_CRED_MAX]);

/* Parses a list of "turn:" / "turns:" URLs ("a,b" or one per call) into
 * t; -1 with the reason in why. */
int mj_turn_add_urls(mj_turn *t, const char *list, const char **why);
/* Reads the shared secret from the first line of path; -1 and why. */
int mj_turn_read_secret(mj_turn *t, const char *path, const char **why);

/* RTCPeerConnection's iceServers for one client: [] without TURN, else
 * one entry with every URL and a fresh credential. */
json_t *mj_turn_ice_servers(const mj_turn *t, int64_t now);
/* The same as Link headers (RFC 9725 section 4.6) on a WHIP/WHEP answer. */
void mj_turn_link_headers(const mj_turn *t, mj_http_req *req, int64_t now);

#endif
