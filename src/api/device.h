/* Device cookies: how the server recognises a browser that has signed in
 * to an account before, so that guesses at that account's passphrase from
 * elsewhere cannot lock its owner out.
 *
 * Logins from browsers the account does not know are held back per handle
 * (login_account) as well as per address; a browser showing the account's
 * device cookie skips the per-handle limit and has a back-off of its own
 * instead. An attacker can use up the per-handle limit from many addresses,
 * but never the owner's device.
 *
 * The cookie is sealed (XSalsa20-Poly1305, libsodium crypto_secretbox)
 * with a key derived from the data directory's secret.key, and holds the
 * account's internal number, when it was issued and a short tag of the
 * account's passphrase hash. Nothing is stored per device: the server
 * keeps no list of browsers. A cookie older than a year, or made before
 * the last passphrase change, is not recognised. To anyone without the
 * server's key it is random bytes; what it says is in docs/privacy.md. */
#ifndef MJ_API_DEVICE_H
#define MJ_API_DEVICE_H

#include "api/server_internal.h"
#include "http/http.h"

#include <stdbool.h>
#include <stdint.h>

#define MJ_DEVICE_COOKIE        "mj_device"
#define MJ_DEVICE_COOKIE_SECURE "__Secure-mj_device" /* over HTTPS */
#define MJ_DEVICE_MAX_AGE       (365 * 24 * 3600)
#define MJ_DEVICE_ID_LEN        16 /* what its back-off is keyed by */

/* Sets a fresh device cookie for user_id, whose passphrase hash is
 * pass_hash. */
void mj_device_set_cookie(const mj_server *srv, mj_http_req *req, bool https, int64_t user_id,
                          const char *pass_hash, int64_t now);
/* Removes it (account deletion). */
void mj_device_clear_cookie(mj_http_req *req, bool https);
/* Whether the request shows a device cookie this server made for user_id
 * while its passphrase hash was pass_hash, less than a year ago; then id
 * names that cookie. */
bool mj_device_recognised(const mj_server *srv, mj_http_req *req, bool https, int64_t user_id,
                          const char *pass_hash, int64_t now, uint8_t id[MJ_DEVICE_ID_LEN]);

#endif
