#include "proto/stun.h"

#include "proto/crc32.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define ATTR_HDR 4
#define MI_LEN   20 /* HMAC-SHA1 */
#define FP_LEN   4

static int fail(const char **why, const char *reason, int err)
{
    if (why) *why = reason;
    return err;
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

bool mj_stun_is_stun(const uint8_t *d, size_t n)
{
    if (n < MJ_STUN_HEADER_LEN || (d[0] & 0xC0) != 0 || mj_be32(d + 4) != MJ_STUN_MAGIC)
        return false;
    size_t len = mj_be16(d + 2);
    return (len & 3) == 0 && len == n - MJ_STUN_HEADER_LEN;
}

static int parse_header(const uint8_t *d, size_t n, mj_stun_msg *m, const char **why)
{
    if (n < MJ_STUN_HEADER_LEN) return fail(why, "shorter than a STUN header", MJ_ETRUNC);
    if (d[0] & 0xC0) return fail(why, "top two bits not zero", MJ_EINVAL);
    if (mj_be32(d + 4) != MJ_STUN_MAGIC) return fail(why, "bad magic cookie", MJ_EINVAL);
    size_t len = mj_be16(d + 2);
    if (len & 3) return fail(why, "length not a multiple of 4", MJ_EINVAL);
    if (MJ_STUN_HEADER_LEN + len > n)
        return fail(why, "length field past the end of the datagram", MJ_ETRUNC);
    if (MJ_STUN_HEADER_LEN + len < n) return fail(why, "bytes after the message", MJ_EINVAL);
    if (n > MJ_STUN_MAX_LEN) return fail(why, "message larger than MJ_STUN_MAX_LEN", MJ_ELIMIT);
    m->data = d;
    m->len = n;
    m->type = mj_be16(d);
    memcpy(m->tid, d + 8, MJ_STUN_TID_LEN);
    return 0;
}

static int parse_xor_addr(mj_stun_msg *m, const uint8_t *v, size_t n, const char **why)
{
    if (m->has_xor_mapped) return fail(why, "duplicate XOR-MAPPED-ADDRESS", MJ_EINVAL);
    if (n < 4) return fail(why, "XOR-MAPPED-ADDRESS too short", MJ_EINVAL);
    mj_addr *a = &m->xor_mapped;
    uint8_t mask[16];
    mj_put_be32(mask, MJ_STUN_MAGIC);
    memcpy(mask + 4, m->tid, MJ_STUN_TID_LEN);
    size_t iplen;
    if (v[1] == 0x01 && n == 8) {
        a->family = 4;
        iplen = 4;
    } else if (v[1] == 0x02 && n == 20) {
        a->family = 6;
        iplen = 16;
    } else {
        return fail(why, "XOR-MAPPED-ADDRESS family or length wrong", MJ_EINVAL);
    }
    a->port = (uint16_t)(mj_be16(v + 2) ^ (MJ_STUN_MAGIC >> 16));
    for (size_t i = 0; i < iplen; i++)
        a->ip[i] = v[4 + i] ^ mask[i];
    m->has_xor_mapped = true;
    return 0;
}

static int parse_error_code(mj_stun_msg *m, const uint8_t *v, size_t n, const char **why)
{
    if (m->has_error) return fail(why, "duplicate ERROR-CODE", MJ_EINVAL);
    if (n < 4 || n > 4 + MJ_STUN_REASON_MAX) return fail(why, "ERROR-CODE length wrong", MJ_EINVAL);
    unsigned cls = v[2] & 0x07, num = v[3];
    if (cls < 3 || cls > 6 || num > 99) return fail(why, "ERROR-CODE out of range", MJ_EINVAL);
    m->error_code = (uint16_t)(cls * 100 + num);
    m->error_reason = mj_slice_make(v + 4, n - 4);
    m->has_error = true;
    return 0;
}

/* Fixed-size attributes: checks the length and that it came only once. */
static int want_once(bool *seen, size_t n, size_t want, const char **why, const char *name)
{
    if (*seen || n != want) return fail(why, name, MJ_EINVAL);
    *seen = true;
    return 0;
}

static void note_unknown(mj_stun_msg *m, uint16_t type)
{
    for (size_t i = 0; i < m->n_unknown; i++)
        if (m->unknown[i] == type) return;
    if (m->n_unknown < MJ_STUN_MAX_UNKNOWN) m->unknown[m->n_unknown++] = type;
}

/* One attribute before MESSAGE-INTEGRITY (or FINGERPRINT). off is the
 * offset of its header in the message, v its value, n its unpadded length. */
static int parse_attr(mj_stun_msg *m, size_t off, uint16_t type, const uint8_t *v, size_t n,
                      const char **why)
{
    int rc;
    switch (type) {
    case MJ_STUN_ATTR_USERNAME:
        if (m->has_username || n > MJ_STUN_USERNAME_MAX)
            return fail(why, "duplicate or oversized USERNAME", MJ_EINVAL);
        m->has_username = true;
        m->username = mj_slice_make(v, n);
        return 0;
    case MJ_STUN_ATTR_PRIORITY:
        rc = want_once(&m->has_priority, n, 4, why, "bad or duplicate PRIORITY");
        m->priority = rc ? 0 : mj_be32(v);
        return rc;
    case MJ_STUN_ATTR_USE_CANDIDATE:
        return want_once(&m->use_candidate, n, 0, why, "bad or duplicate USE-CANDIDATE");
    case MJ_STUN_ATTR_ICE_CONTROLLING:
    case MJ_STUN_ATTR_ICE_CONTROLLED:
        if (m->has_controlling || m->has_controlled || n != 8)
            return fail(why, "bad, duplicate or conflicting ICE role", MJ_EINVAL);
        m->has_controlling = type == MJ_STUN_ATTR_ICE_CONTROLLING;
        m->has_controlled = !m->has_controlling;
        m->tiebreaker = mj_be64(v);
        return 0;
    case MJ_STUN_ATTR_XOR_MAPPED_ADDRESS: return parse_xor_addr(m, v, n, why);
    case MJ_STUN_ATTR_ERROR_CODE: return parse_error_code(m, v, n, why);
    case MJ_STUN_ATTR_MESSAGE_INTEGRITY:
        rc = want_once(&m->has_integrity, n, MI_LEN, why, "bad MESSAGE-INTEGRITY length");
        m->integrity_off = rc ? 0 : off;
        return rc;
    case MJ_STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
        if (n < 16 || n > 32 || (n & 3))
            return fail(why, "bad MESSAGE-INTEGRITY-SHA256 length", MJ_EINVAL);
        m->has_integrity_sha256 = true;
        return 0;
    case MJ_STUN_ATTR_FINGERPRINT:
        rc = want_once(&m->has_fingerprint, n, FP_LEN, why, "bad FINGERPRINT length");
        m->fingerprint_off = rc ? 0 : off;
        return rc;
    case MJ_STUN_ATTR_MAPPED_ADDRESS:
    case MJ_STUN_ATTR_UNKNOWN_ATTRIBUTES:
    case MJ_STUN_ATTR_REALM:
    case MJ_STUN_ATTR_NONCE:
    case MJ_STUN_ATTR_PASSWORD_ALGORITHM:
    case MJ_STUN_ATTR_USERHASH: return 0; /* understood, not needed by ICE */
    default:
        if (type < 0x8000) note_unknown(m, type);
        return 0;
    }
}

int mj_stun_parse(const uint8_t *d, size_t n, mj_stun_msg *m, const char **why)
{
    memset(m, 0, sizeof *m);
    int rc = parse_header(d, n, m, why);
    if (rc < 0) return rc;
    size_t off = MJ_STUN_HEADER_LEN;
    while (off < n) {
        /* The header guarantees n - off is a positive multiple of 4. */
        uint16_t type = mj_be16(d + off);
        size_t alen = mj_be16(d + off + 2);
        if (pad4(alen) > n - off - ATTR_HDR)
            return fail(why, "attribute runs past the end", MJ_ETRUNC);
        if (m->n_attrs == MJ_STUN_MAX_ATTRS) return fail(why, "too many attributes", MJ_ELIMIT);
        m->n_attrs++;
        if (m->has_fingerprint) return fail(why, "attribute after FINGERPRINT", MJ_EINVAL);
        /* §14.5/§14.6: after an integrity attribute only FINGERPRINT counts. */
        bool sealed = m->has_integrity || m->has_integrity_sha256;
        if (!sealed || type == MJ_STUN_ATTR_FINGERPRINT) {
            rc = parse_attr(m, off, type, d + off + ATTR_HDR, alen, why);
            if (rc < 0) return rc;
        }
        off += ATTR_HDR + pad4(alen);
    }
    return (int)n;
}

/* HMAC-SHA1 of msg[0..upto) with the header length field replaced by
 * `length`, as §14.5 defines for both creating and checking. */
static int integrity_mac(const uint8_t *msg, size_t upto, size_t length, const void *key,
                         size_t keylen, uint8_t out[MI_LEN])
{
    static const uint8_t empty_key[1];
    uint8_t copy[MJ_STUN_MAX_LEN];
    if (upto > sizeof copy || upto < MJ_STUN_HEADER_LEN || keylen > INT_MAX) return MJ_EINVAL;
    memcpy(copy, msg, upto);
    mj_put_be16(copy + 2, (uint16_t)length);
    unsigned int outlen = 0;
    if (!HMAC(EVP_sha1(), keylen ? key : empty_key, (int)keylen, copy, upto, out, &outlen) ||
        outlen != MI_LEN)
        return MJ_ECRYPTO;
    return 0;
}

int mj_stun_check_integrity(const mj_stun_msg *m, const void *key, size_t keylen)
{
    if (!m->has_integrity) return MJ_EAUTH;
    size_t off = m->integrity_off;
    uint8_t mac[MI_LEN];
    int rc =
        integrity_mac(m->data, off, off + ATTR_HDR + MI_LEN - MJ_STUN_HEADER_LEN, key, keylen, mac);
    if (rc < 0) return rc == MJ_EINVAL ? MJ_EAUTH : rc;
    return CRYPTO_memcmp(mac, m->data + off + ATTR_HDR, MI_LEN) == 0 ? 0 : MJ_EAUTH;
}

int mj_stun_check_fingerprint(const mj_stun_msg *m)
{
    if (!m->has_fingerprint) return MJ_EINVAL;
    /* FINGERPRINT is last, so the length field already covers it. */
    size_t off = m->fingerprint_off;
    uint32_t want = mj_crc32(m->data, off) ^ MJ_STUN_FP_XOR;
    return mj_be32(m->data + off + ATTR_HDR) == want ? 0 : MJ_EINVAL;
}

int mj_stun_peek_ufrag(const uint8_t *d, size_t n, mj_slice *local, mj_slice *remote)
{
    mj_stun_msg m;
    int rc = mj_stun_parse(d, n, &m, NULL);
    if (rc < 0) return rc;
    if (m.type != MJ_STUN_BINDING_REQUEST || !m.has_username) return MJ_ENOTFOUND;
    const uint8_t *colon = memchr(m.username.p, ':', m.username.n);
    if (!colon || colon == m.username.p || colon == m.username.p + m.username.n - 1)
        return MJ_ENOTFOUND;
    *local = mj_slice_make(m.username.p, (size_t)(colon - m.username.p));
    if (remote) *remote = mj_slice_make(colon + 1, m.username.n - local->n - 1);
    return 0;
}

/* ---- writer ---- */

static void writer_fail(mj_stun_writer *sw, int err)
{
    if (!sw->err) sw->err = err;
}

static void writer_set_len(mj_stun_writer *sw)
{
    mj_put_be16(sw->w.p + 2, (uint16_t)(sw->w.len - MJ_STUN_HEADER_LEN));
}

void mj_stun_writer_init(mj_stun_writer *sw, void *buf, size_t cap, uint16_t type,
                         const uint8_t tid[MJ_STUN_TID_LEN])
{
    memset(sw, 0, sizeof *sw);
    mj_wbuf_init(&sw->w, buf, cap);
    if (type & 0xC000) writer_fail(sw, MJ_EINVAL);
    mj_wbuf_be16(&sw->w, type);
    mj_wbuf_be16(&sw->w, 0);
    mj_wbuf_be32(&sw->w, MJ_STUN_MAGIC);
    mj_wbuf_put(&sw->w, tid, MJ_STUN_TID_LEN);
    if (sw->w.failed) writer_fail(sw, MJ_ENOSPC);
}

/* Reserves an attribute with n value bytes (zero padding included) and
 * returns a pointer to its value, or NULL after recording the error. */
static uint8_t *attr_begin(mj_stun_writer *sw, uint16_t type, size_t n)
{
    if (sw->err) return NULL;
    if (sw->finished || (sw->sealed && type != MJ_STUN_ATTR_FINGERPRINT) || n > 0xFFFF ||
        sw->w.len - MJ_STUN_HEADER_LEN + ATTR_HDR + pad4(n) > 0xFFFF) {
        writer_fail(sw, MJ_EINVAL);
        return NULL;
    }
    uint8_t *at = mj_wbuf_reserve(&sw->w, ATTR_HDR + pad4(n));
    if (!at) {
        writer_fail(sw, MJ_ENOSPC);
        return NULL;
    }
    mj_put_be16(at, type);
    mj_put_be16(at + 2, (uint16_t)n);
    memset(at + ATTR_HDR, 0, pad4(n));
    writer_set_len(sw);
    return at + ATTR_HDR;
}

void mj_stun_add(mj_stun_writer *sw, uint16_t type, const void *value, size_t n)
{
    uint8_t *v = attr_begin(sw, type, n);
    if (v && n) memcpy(v, value, n);
}

void mj_stun_add_u32(mj_stun_writer *sw, uint16_t type, uint32_t x)
{
    uint8_t v[4];
    mj_put_be32(v, x);
    mj_stun_add(sw, type, v, sizeof v);
}

void mj_stun_add_u64(mj_stun_writer *sw, uint16_t type, uint64_t x)
{
    uint8_t v[8];
    mj_put_be64(v, x);
    mj_stun_add(sw, type, v, sizeof v);
}

void mj_stun_add_username(mj_stun_writer *sw, const char *s, size_t n)
{
    if (n > MJ_STUN_USERNAME_MAX) writer_fail(sw, MJ_EINVAL);
    mj_stun_add(sw, MJ_STUN_ATTR_USERNAME, s, n);
}

void mj_stun_add_priority(mj_stun_writer *sw, uint32_t priority)
{
    mj_stun_add_u32(sw, MJ_STUN_ATTR_PRIORITY, priority);
}

void mj_stun_add_use_candidate(mj_stun_writer *sw)
{
    mj_stun_add(sw, MJ_STUN_ATTR_USE_CANDIDATE, NULL, 0);
}

void mj_stun_add_ice_controlling(mj_stun_writer *sw, uint64_t tiebreaker)
{
    mj_stun_add_u64(sw, MJ_STUN_ATTR_ICE_CONTROLLING, tiebreaker);
}

void mj_stun_add_ice_controlled(mj_stun_writer *sw, uint64_t tiebreaker)
{
    mj_stun_add_u64(sw, MJ_STUN_ATTR_ICE_CONTROLLED, tiebreaker);
}

void mj_stun_add_xor_mapped(mj_stun_writer *sw, const mj_addr *a)
{
    size_t iplen = a->family == 4 ? 4 : a->family == 6 ? 16 : 0;
    if (!iplen) {
        writer_fail(sw, MJ_EINVAL);
        return;
    }
    uint8_t *v = attr_begin(sw, MJ_STUN_ATTR_XOR_MAPPED_ADDRESS, 4 + iplen);
    if (!v) return;
    uint8_t mask[16];
    mj_put_be32(mask, MJ_STUN_MAGIC);
    memcpy(mask + 4, sw->w.p + 8, MJ_STUN_TID_LEN); /* the header's transaction id */
    v[0] = 0;
    v[1] = a->family == 4 ? 0x01 : 0x02;
    mj_put_be16(v + 2, (uint16_t)(a->port ^ (MJ_STUN_MAGIC >> 16)));
    for (size_t i = 0; i < iplen; i++)
        v[4 + i] = a->ip[i] ^ mask[i];
}

void mj_stun_add_error(mj_stun_writer *sw, int code, const char *reason)
{
    size_t rlen = reason ? strlen(reason) : 0;
    if (code < 300 || code > 699 || rlen > MJ_STUN_REASON_MAX) {
        writer_fail(sw, MJ_EINVAL);
        return;
    }
    uint8_t *v = attr_begin(sw, MJ_STUN_ATTR_ERROR_CODE, 4 + rlen);
    if (!v) return;
    v[2] = (uint8_t)(code / 100);
    v[3] = (uint8_t)(code % 100);
    if (rlen) memcpy(v + 4, reason, rlen);
}

void mj_stun_add_unknown(mj_stun_writer *sw, const uint16_t *types, size_t n)
{
    uint8_t *v = attr_begin(sw, MJ_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n);
    for (size_t i = 0; v && i < n; i++)
        mj_put_be16(v + 2 * i, types[i]);
}

void mj_stun_add_integrity(mj_stun_writer *sw, const void *key, size_t keylen)
{
    uint8_t *v = attr_begin(sw, MJ_STUN_ATTR_MESSAGE_INTEGRITY, MI_LEN);
    if (!v) return;
    /* The length field now counts the attribute, as §14.5 requires. */
    size_t upto = (size_t)(v - ATTR_HDR - sw->w.p);
    int rc = integrity_mac(sw->w.p, upto, sw->w.len - MJ_STUN_HEADER_LEN, key, keylen, v);
    if (rc < 0) writer_fail(sw, rc);
    sw->sealed = true;
}

void mj_stun_add_fingerprint(mj_stun_writer *sw)
{
    uint8_t *v = attr_begin(sw, MJ_STUN_ATTR_FINGERPRINT, FP_LEN);
    if (!v) return;
    size_t upto = (size_t)(v - ATTR_HDR - sw->w.p);
    mj_put_be32(v, mj_crc32(sw->w.p, upto) ^ MJ_STUN_FP_XOR);
    sw->finished = true;
}

int mj_stun_finish(const mj_stun_writer *sw)
{
    return sw->err ? sw->err : (int)sw->w.len;
}
