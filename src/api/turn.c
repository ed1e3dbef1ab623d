/* TURN REST API credentials (turn.h). */
#include "api/turn.h"

#include "base/rand.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int mj_turn_password(const uint8_t *secret, size_t secret_len, const char *user, char *cred)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    if (!HMAC(EVP_sha1(), secret, (int)secret_len, (const uint8_t *)user, strlen(user), mac,
              &mac_len) ||
        mac_len != 20)
        return -1;
    /* 20 bytes: 28 characters and one '='. */
    return EVP_EncodeBlock((unsigned char *)cred, mac, (int)mac_len) == 28 ? 0 : -1;
}

int mj_turn_credentials(const mj_turn *t, int64_t now, char user[MJ_TURN_USER_MAX],
                        char cred[MJ_TURN_CRED_MAX])
{
    uint8_t raw[9];
    char suffix[16];
    mj_rand_bytes(raw, sizeof raw);
    sodium_bin2base64(suffix, sizeof suffix, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(user, MJ_TURN_USER_MAX, "%lld:%s", (long long)(now + t->ttl_s), suffix);
    return mj_turn_password(t->secret, t->secret_len, user, cred);
}

static bool url_ok(const char *u, size_t n)
{
    bool scheme = (n > 5 && strncmp(u, "turn:", 5) == 0) || (n > 6 && strncmp(u, "turns:", 6) == 0);
    /* Printable ASCII without what would break a Link header or JSON. */
    for (size_t i = 0; i < n; i++)
        if (u[i] <= ' ' || u[i] > '~' || strchr("\"<>,;\\", u[i])) return false;
    return scheme;
}

int mj_turn_add_urls(mj_turn *t, const char *list, const char **why)
{
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n) {
            if (t->nurls == MJ_TURN_URLS_MAX) {
                *why = "too many TURN URLs";
                return -1;
            }
            if (n >= MJ_TURN_URL_MAX || !url_ok(p, n)) {
                *why = "a TURN URL must start with turn: or turns: (like "
                       "turns:turn.example.org:443?transport=tcp)";
                return -1;
            }
            memcpy(t->urls[t->nurls], p, n);
            t->urls[t->nurls++][n] = '\0';
        }
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

int mj_turn_read_secret(mj_turn *t, const char *path, const char **why)
{
    FILE *f = fopen(path, "r");
    char line[MJ_TURN_SECRET_MAX + 2];
    bool ok = f && fgets(line, sizeof line, f);
    if (f) fclose(f);
    size_t n = ok ? strcspn(line, "\r\n") : 0;
    if (!ok || n < 16 || n > MJ_TURN_SECRET_MAX) {
        *why = "cannot read a TURN secret of 16 to 256 characters from the first line of the file";
        sodium_memzero(line, sizeof line);
        return -1;
    }
    memcpy(t->secret, line, n);
    t->secret_len = n;
    sodium_memzero(line, sizeof line);
    return 0;
}

json_t *mj_turn_ice_servers(const mj_turn *t, int64_t now)
{
    json_t *list = json_array();
    char user[MJ_TURN_USER_MAX], cred[MJ_TURN_CRED_MAX];
    if (!list || t->nurls == 0 || mj_turn_credentials(t, now, user, cred) != 0) return list;
    json_t *urls = json_array();
    for (size_t i = 0; i < t->nurls; i++)
        json_array_append_new(urls, json_string(t->urls[i]));
    json_array_append_new(
        list, json_pack("{s:o, s:s, s:s}", "urls", urls, "username", user, "credential", cred));
    return list;
}

void mj_turn_link_headers(const mj_turn *t, mj_http_req *req, int64_t now)
{
    char user[MJ_TURN_USER_MAX], cred[MJ_TURN_CRED_MAX];
    if (t->nurls == 0 || mj_turn_credentials(t, now, user, cred) != 0) return;
    for (size_t i = 0; i < t->nurls; i++) {
        char v[MJ_TURN_URL_MAX + MJ_TURN_USER_MAX + MJ_TURN_CRED_MAX + 96];
        snprintf(v, sizeof v,
                 "<%s>; rel=\"ice-server\"; username=\"%s\"; credential=\"%s\"; "
                 "credential-type=\"password\"",
                 t->urls[i], user, cred);
        mj_http_add_header(req, "link", v);
    }
}
