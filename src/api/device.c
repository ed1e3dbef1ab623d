/* Device cookies (device.h): sealed (account, issued, passphrase tag). */
#include "api/device.h"

#include "base/rand.h"
#include "http/cookie.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TAG_LEN      8
#define PLAIN_LEN    (8 + 8 + TAG_LEN)
#define SEALED_LEN   (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_LEN)
#define COOKIE_CHARS 86 /* base64url of SEALED_LEN bytes, no padding */

_Static_assert(SEALED_LEN == 64, "the cookie's size");
_Static_assert(MJ_DEVICE_ID_LEN <= crypto_secretbox_NONCEBYTES, "the id is part of the nonce");

/* Its own key, so that a device cookie and a room token can never be
 * taken for each other. */
static void device_key(const mj_server *srv, uint8_t key[crypto_secretbox_KEYBYTES])
{
    static const char context[] = "majlis device cookie v1";
    crypto_generichash(key, crypto_secretbox_KEYBYTES, (const uint8_t *)context, sizeof context - 1,
                       srv->secret, sizeof srv->secret);
}

static void pass_tag(const char *pass_hash, uint8_t tag[TAG_LEN])
{
    crypto_generichash(tag, TAG_LEN, (const uint8_t *)pass_hash, strlen(pass_hash), NULL, 0);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void set_cookie(mj_http_req *req, bool https, const char *value, int64_t max_age)
{
    /* Sent to the login endpoint only, and only by our own pages (the
     * login is a same-origin fetch, so Strict costs nothing). */
    char v[256];
    snprintf(v, sizeof v, "%s=%s; Path=/api/login; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
             https ? MJ_DEVICE_COOKIE_SECURE : MJ_DEVICE_COOKIE, value, (long long)max_age,
             https ? "; Secure" : "");
    mj_http_add_header(req, "set-cookie", v);
}

void mj_device_set_cookie(const mj_server *srv, mj_http_req *req, bool https, int64_t user_id,
                          const char *pass_hash, int64_t now)
{
    uint8_t plain[PLAIN_LEN], sealed[SEALED_LEN], key[crypto_secretbox_KEYBYTES];
    put64(plain, (uint64_t)user_id);
    put64(plain + 8, (uint64_t)now);
    pass_tag(pass_hash, plain + 16);
    mj_rand_bytes(sealed, crypto_secretbox_NONCEBYTES);
    device_key(srv, key);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, plain, sizeof plain, sealed, key);
    char text[COOKIE_CHARS + 1];
    sodium_bin2base64(text, sizeof text, sealed, sizeof sealed,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    set_cookie(req, https, text, MJ_DEVICE_MAX_AGE);
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain, sizeof plain);
}

void mj_device_clear_cookie(mj_http_req *req, bool https)
{
    set_cookie(req, https, "", 0);
}

typedef struct opened {
    const mj_server *srv;
    uint8_t plain[PLAIN_LEN];
    uint8_t nonce[crypto_secretbox_NONCEBYTES];
} opened;

static bool open_cookie(const char *value, size_t len, void *ctx)
{
    opened *o = ctx;
    uint8_t sealed[SEALED_LEN], key[crypto_secretbox_KEYBYTES];
    size_t n = 0;
    if (len != COOKIE_CHARS ||
        sodium_base642bin(sealed, sizeof sealed, value, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != sizeof sealed)
        return false;
    device_key(o->srv, key);
    int err = crypto_secretbox_open_easy(o->plain, sealed + crypto_secretbox_NONCEBYTES,
                                         sizeof sealed - crypto_secretbox_NONCEBYTES, sealed, key);
    sodium_memzero(key, sizeof key);
    memcpy(o->nonce, sealed, sizeof o->nonce);
    return err == 0;
}

bool mj_device_recognised(const mj_server *srv, mj_http_req *req, bool https, int64_t user_id,
                          const char *pass_hash, int64_t now, uint8_t id[MJ_DEVICE_ID_LEN])
{
    char cookies[4096];
    int n = mj_http_header(req, MJ_HDR_COOKIE, cookies, sizeof cookies);
    opened o = {.srv = srv};
    const char *name = https ? MJ_DEVICE_COOKIE_SECURE : MJ_DEVICE_COOKIE;
    if (n <= 0 || !mj_cookie_find(cookies, (size_t)n, name, open_cookie, &o)) return false;
    uint8_t tag[TAG_LEN];
    pass_tag(pass_hash, tag);
    int64_t issued = (int64_t)get64(o.plain + 8);
    bool ok = (int64_t)get64(o.plain) == user_id && issued <= now + 300 &&
              now - issued < MJ_DEVICE_MAX_AGE && sodium_memcmp(tag, o.plain + 16, TAG_LEN) == 0;
    if (ok) memcpy(id, o.nonce, MJ_DEVICE_ID_LEN);
    sodium_memzero(&o, sizeof o);
    return ok;
}
