/* SRTP/SRTCP transforms (RFC 3711, RFC 7714) over OpenSSL: session key
 * derivation, per-SSRC packet indices and replay windows, and in-place
 * protect and unprotect for AES-CM + HMAC-SHA1 and AES-GCM. */

/* HMAC-SHA1 is RFC 2104 over OpenSSL's SHA-1 on SHA_CTX states we keep
 * (the key's inner and outer pads, absorbed once): OpenSSL 3.0's EVP HMAC,
 * re-initialized per packet, duplicates a digest context twice per packet
 * (two heap allocations; EVP_MAC_CTX_dup makes eleven), and this path must
 * allocate nothing. The SHA1_* calls are deprecated in 3.0 but present. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "rtc/srtp.h"
#include "rtc/srtp_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "base/buf.h"

#define HMAC_KEY_LEN 20  /* n_a for HMAC-SHA1 (RFC 3711 section 8.2) */
#define GCM_TAG_LEN  16  /* RFC 7714 section 4: 16-octet tags only */
#define WINDOW       128 /* replay window, in packets */
#define E_FLAG       0x80000000u

struct mj_srtp_profile_info {
    uint16_t id;
    uint8_t key_len, salt_len;
    uint8_t rtp_tag, rtcp_tag; /* bytes */
    bool aead;
    const EVP_CIPHER *(*cipher)(void);
    const char *name;
};

static const struct mj_srtp_profile_info profiles[] = {
    {MJ_SRTP_AES128_CM_SHA1_80, 16, 14, 10, 10, false, EVP_aes_128_ctr, "AES_CM_128_HMAC_SHA1_80"},
    /* RFC 5764 4.1.2: the _32 profile still uses an 80-bit SRTCP tag. */
    {MJ_SRTP_AES128_CM_SHA1_32, 16, 14, 4, 10, false, EVP_aes_128_ctr, "AES_CM_128_HMAC_SHA1_32"},
    {MJ_SRTP_AEAD_AES_128_GCM, 16, 12, 16, 16, true, EVP_aes_128_gcm, "AEAD_AES_128_GCM"},
    {MJ_SRTP_AEAD_AES_256_GCM, 32, 12, 16, 16, true, EVP_aes_256_gcm, "AEAD_AES_256_GCM"},
};

/* The HMAC-SHA1 states of one direction: SHA-1 after the inner and after
 * the outer padded key block, for SRTP and for SRTCP. */
struct mj_srtp_hmac {
    SHA_CTX rtp[2];
    SHA_CTX rtcp[2];
};

/* What key derivation yields for one direction (RFC 3711 section 4.3.2). */
struct session_keys {
    uint8_t rtp_key[MJ_SRTP_MAX_KEY_LEN], rtp_auth[HMAC_KEY_LEN], rtp_salt[MJ_SRTP_MAX_SALT_LEN];
    uint8_t rtcp_key[MJ_SRTP_MAX_KEY_LEN], rtcp_auth[HMAC_KEY_LEN], rtcp_salt[MJ_SRTP_MAX_SALT_LEN];
};

enum { SEEN_RTP = 1, SEEN_RTCP = 2 };

/* The receiving direction, made only for a context that receives. */
struct mj_srtp_inbound {
    mj_srtp_dir dir;
    uint8_t n;
    mj_srtp_stream streams[MJ_SRTP_MAX_INBOUND_SSRCS];
    uint64_t rtcp_seen[MJ_SRTP_MAX_INBOUND_SSRCS][2]; /* SRTCP windows of streams */
};

static const struct mj_srtp_profile_info *profile_find(int id)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (profiles[i].id == id) return &profiles[i];
    return NULL;
}

int mj_srtp_profile_lengths(int profile, size_t *key_len, size_t *salt_len)
{
    const struct mj_srtp_profile_info *p = profile_find(profile);
    if (!p) return MJ_EUNSUPP;
    *key_len = p->key_len;
    *salt_len = p->salt_len;
    return 0;
}

const char *mj_srtp_profile_name(int profile)
{
    const struct mj_srtp_profile_info *p = profile_find(profile);
    return p ? p->name : "unknown";
}

void mj_srtp_keys_wipe(mj_srtp_keys *k)
{
    explicit_bzero(k, sizeof *k);
}

int mj_srtp_global_init(void)
{
    return 0;
}

/* ---- Primitives ------------------------------------------------------------ */

static void hmac_key(SHA_CTX st[2], const uint8_t key[HMAC_KEY_LEN])
{
    uint8_t pad[SHA_CBLOCK];
    for (int k = 0; k < 2; k++) {
        memset(pad, k ? 0x5c : 0x36, sizeof pad);
        for (int i = 0; i < HMAC_KEY_LEN; i++)
            pad[i] ^= key[i];
        SHA1_Init(&st[k]);
        SHA1_Update(&st[k], pad, sizeof pad);
    }
    explicit_bzero(pad, sizeof pad);
}

/* HMAC-SHA1 of a || b under the key st was made from. */
static void hmac_sha1(const SHA_CTX st[2], const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                      uint8_t mac[SHA_DIGEST_LENGTH])
{
    SHA_CTX c = st[0];
    SHA1_Update(&c, a, an);
    if (bn) SHA1_Update(&c, b, bn);
    uint8_t inner[SHA_DIGEST_LENGTH];
    SHA1_Final(inner, &c);
    c = st[1];
    SHA1_Update(&c, inner, sizeof inner);
    SHA1_Final(mac, &c);
}

static int cipher_new(const struct mj_srtp_profile_info *p, const uint8_t *key, bool decrypt,
                      EVP_CIPHER_CTX **out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c) return MJ_ENOMEM;
    /* AES-CM is its own inverse; only GCM needs to know the direction. */
    int enc = p->aead && decrypt ? 0 : 1;
    if (EVP_CipherInit_ex(c, p->cipher(), NULL, key, NULL, enc) != 1) {
        EVP_CIPHER_CTX_free(c);
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    *out = c;
    return 0;
}

/* XORs n bytes at p with the AES-CM keystream from iv (RFC 3711 section
 * 4.1.1): OpenSSL's AES-CTR, whose 128-bit counter increment equals
 * AES-CM's for any packet shorter than 2^16 blocks. */
static int ctr_xor(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *p, size_t n)
{
    int out;
    if (n == 0) return 0;
    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1 ||
        EVP_EncryptUpdate(c, p, &out, p, (int)n) != 1) {
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    return 0;
}

/* AES-GCM over p[0..n) in place, with aad || aad2 as associated data;
 * the tag goes to tag. */
static int gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_n,
                    const uint8_t *aad2, size_t aad2_n, uint8_t *p, size_t n, uint8_t *tag)
{
    int out;
    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1 ||
        EVP_EncryptUpdate(c, NULL, &out, aad, (int)aad_n) != 1 ||
        (aad2_n && EVP_EncryptUpdate(c, NULL, &out, aad2, (int)aad2_n) != 1) ||
        (n && EVP_EncryptUpdate(c, p, &out, p, (int)n) != 1) ||
        EVP_EncryptFinal_ex(c, tag, &out) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, GCM_TAG_LEN, tag) != 1) {
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    return 0;
}

/* The inverse of gcm_seal; MJ_EAUTH leaves p as it was. */
static int gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_n,
                    const uint8_t *aad2, size_t aad2_n, uint8_t *p, size_t n, uint8_t *tag)
{
    int out;
    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1 ||
        EVP_DecryptUpdate(c, NULL, &out, aad, (int)aad_n) != 1 ||
        (aad2_n && EVP_DecryptUpdate(c, NULL, &out, aad2, (int)aad2_n) != 1) ||
        (n && EVP_DecryptUpdate(c, p, &out, p, (int)n) != 1) ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, GCM_TAG_LEN, tag) != 1) {
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    if (EVP_DecryptFinal_ex(c, tag, &out) == 1) return 0;
    /* A forgery: running the same counter mode over what it just turned
     * into garbage gives the ciphertext back, so the caller's buffer is
     * unchanged. (A failed tag check leaves nothing on OpenSSL's error
     * queue, so none is cleared here: that would allocate the thread's
     * error state.) */
    if (n && (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1 ||
              EVP_DecryptUpdate(c, p, &out, p, (int)n) != 1)) {
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    return MJ_EAUTH;
}

/* The per-packet IV. AES-CM (RFC 3711 section 4.1.1): (k_s * 2^16) XOR
 * (SSRC * 2^64) XOR (i * 2^16), 16 bytes. AES-GCM (RFC 7714 sections 8.1,
 * 9.1): k_s XOR (0^16 || SSRC || 48-bit index), 12 bytes, where the index
 * is ROC || SEQ for SRTP and 0^17 || SRTCP index for SRTCP. Either way the
 * SSRC and then the 48-bit index follow each other. */
static void make_iv(uint8_t iv[16], const uint8_t *salt, bool aead, uint32_t ssrc, uint64_t index)
{
    size_t at = aead ? 2 : 4;
    memset(iv, 0, 16);
    memcpy(iv, salt, aead ? 12 : 14);
    for (int i = 0; i < 4; i++)
        iv[at + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 6; i++)
        iv[at + 4 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

/* ---- Key derivation (RFC 3711 section 4.3) -------------------------------- */

/* One label's PRF output with c keyed by the master key. */
static int kdf_label(EVP_CIPHER_CTX *c, const uint8_t *salt, size_t salt_len, uint8_t label,
                     uint8_t *out, size_t n)
{
    /* x = key_id XOR master_salt, key_id = label || r with r = 0, right
     * aligned in 112 bits; the IV is x * 2^16. A 96-bit salt is placed as
     * its 112-bit form times 2^16 (RFC 7714 erratum 4938), so both kinds
     * start at the first byte. */
    uint8_t iv[16] = {0};
    memcpy(iv, salt, salt_len);
    iv[7] ^= label;
    memset(out, 0, n);
    return ctr_xor(c, iv, out, n);
}

static int kdf_new(const uint8_t *master_key, size_t key_len, EVP_CIPHER_CTX **out)
{
    if (key_len != 16 && key_len != 32) return MJ_EINVAL;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c) return MJ_ENOMEM;
    const EVP_CIPHER *prf = key_len == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr();
    if (EVP_EncryptInit_ex(c, prf, NULL, master_key, NULL) != 1) {
        EVP_CIPHER_CTX_free(c);
        ERR_clear_error();
        return MJ_ECRYPTO;
    }
    *out = c;
    return 0;
}

int mj_srtp_kdf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt,
                size_t salt_len, uint8_t label, uint8_t *out, size_t n)
{
    if (salt_len > MJ_SRTP_MAX_SALT_LEN || label > 5) return MJ_EINVAL;
    EVP_CIPHER_CTX *c;
    int err = kdf_new(master_key, key_len, &c);
    if (err) return err;
    err = kdf_label(c, master_salt, salt_len, label, out, n);
    EVP_CIPHER_CTX_free(c);
    return err;
}

static int derive(struct session_keys *k, const struct mj_srtp_profile_info *p,
                  const uint8_t *master_key, const uint8_t *master_salt)
{
    EVP_CIPHER_CTX *c;
    int err = kdf_new(master_key, p->key_len, &c);
    if (err) return err;
    const uint8_t *ms = master_salt;
    size_t sl = p->salt_len;
    if (!err) err = kdf_label(c, ms, sl, 0, k->rtp_key, p->key_len);
    if (!err && !p->aead) err = kdf_label(c, ms, sl, 1, k->rtp_auth, HMAC_KEY_LEN);
    if (!err) err = kdf_label(c, ms, sl, 2, k->rtp_salt, p->salt_len);
    if (!err) err = kdf_label(c, ms, sl, 3, k->rtcp_key, p->key_len);
    if (!err && !p->aead) err = kdf_label(c, ms, sl, 4, k->rtcp_auth, HMAC_KEY_LEN);
    if (!err) err = kdf_label(c, ms, sl, 5, k->rtcp_salt, p->salt_len);
    EVP_CIPHER_CTX_free(c);
    return err;
}

/* ---- Setting up ------------------------------------------------------------- */

static void dir_dispose(mj_srtp_dir *d)
{
    EVP_CIPHER_CTX_free(d->ctx);
    if (d->hmac) {
        explicit_bzero(d->hmac, sizeof *d->hmac);
        free(d->hmac);
    }
    explicit_bzero(d, sizeof *d);
}

static int dir_setup(mj_srtp_dir *d, const struct mj_srtp_profile_info *p,
                     const struct session_keys *k, bool decrypt)
{
    int err = cipher_new(p, k->rtp_key, decrypt, &d->ctx);
    if (err) return err;
    memcpy(d->rtp_key, k->rtp_key, p->key_len);
    memcpy(d->rtcp_key, k->rtcp_key, p->key_len);
    memcpy(d->rtp_salt, k->rtp_salt, p->salt_len);
    memcpy(d->rtcp_salt, k->rtcp_salt, p->salt_len);
    if (!p->aead) {
        d->hmac = malloc(sizeof *d->hmac);
        if (!d->hmac) return MJ_ENOMEM;
        hmac_key(d->hmac->rtp, k->rtp_auth);
        hmac_key(d->hmac->rtcp, k->rtcp_auth);
    }
    return 0;
}

/* The receiving direction's block, set up from k. */
static int inbound_new(mj_srtp *s, const struct mj_srtp_profile_info *p,
                       const struct session_keys *k)
{
    s->in = calloc(1, sizeof *s->in);
    if (!s->in) return MJ_ENOMEM;
    return dir_setup(&s->in->dir, p, k, true);
}

static void inbound_free(mj_srtp *s)
{
    if (!s->in) return;
    dir_dispose(&s->in->dir);
    explicit_bzero(s->in, sizeof *s->in);
    free(s->in);
    s->in = NULL;
}

/* Keys a direction's context with key (the IV is set per packet). */
static int rekey(EVP_CIPHER_CTX *c, const uint8_t *key)
{
    if (EVP_CipherInit_ex(c, NULL, NULL, key, NULL, -1) == 1) return 0;
    ERR_clear_error();
    return MJ_ECRYPTO;
}

/* After an SRTCP packet: the context back on the SRTP key, or, should
 * that ever fail, no context at all, so that no RTP is ever sealed or
 * opened under the wrong key. */
static void rekey_rtp(mj_srtp_dir *d)
{
    if (rekey(d->ctx, d->rtp_key) == 0) return;
    EVP_CIPHER_CTX_free(d->ctx);
    d->ctx = NULL;
}

void mj_srtp_dispose(mj_srtp *s)
{
    dir_dispose(&s->out);
    inbound_free(s);
    memset(s, 0, sizeof *s);
}

int mj_srtp_init(mj_srtp *s, const mj_srtp_keys *keys, unsigned flags)
{
    memset(s, 0, sizeof *s);
    const struct mj_srtp_profile_info *p = profile_find(keys->profile);
    if (!p) return MJ_EUNSUPP;
    if (keys->key_len != p->key_len || keys->salt_len != p->salt_len) return MJ_EINVAL;
    struct session_keys k;
    int err = derive(&k, p, keys->local_key, keys->local_salt);
    if (!err) err = dir_setup(&s->out, p, &k, false);
    if (!err && !(flags & MJ_SRTP_OUTBOUND_ONLY)) {
        err = derive(&k, p, keys->remote_key, keys->remote_salt);
        if (!err) err = inbound_new(s, p, &k);
    }
    explicit_bzero(&k, sizeof k);
    if (err) {
        mj_srtp_dispose(s);
        return err;
    }
    s->p = p;
    return 0;
}

int mj_srtp_add_inbound(mj_srtp *s, const mj_srtp_keys *keys)
{
    if (!s->p) return MJ_ESTATE;
    if (s->in) return 0;
    const struct mj_srtp_profile_info *p = profile_find(keys->profile);
    if (p != s->p || keys->key_len != p->key_len || keys->salt_len != p->salt_len) return MJ_EINVAL;
    struct session_keys k;
    int err = derive(&k, p, keys->remote_key, keys->remote_salt);
    if (!err) err = inbound_new(s, p, &k);
    explicit_bzero(&k, sizeof k);
    if (err) inbound_free(s);
    return err;
}

int mj_srtp_init_session(mj_srtp *s, int profile, const uint8_t *key, const uint8_t *salt,
                         const uint8_t *auth_key)
{
    memset(s, 0, sizeof *s);
    const struct mj_srtp_profile_info *p = profile_find(profile);
    if (!p) return MJ_EUNSUPP;
    if (!p->aead && !auth_key) return MJ_EINVAL;
    struct session_keys k;
    memset(&k, 0, sizeof k);
    memcpy(k.rtp_key, key, p->key_len);
    memcpy(k.rtcp_key, key, p->key_len);
    memcpy(k.rtp_salt, salt, p->salt_len);
    memcpy(k.rtcp_salt, salt, p->salt_len);
    if (auth_key) {
        memcpy(k.rtp_auth, auth_key, HMAC_KEY_LEN);
        memcpy(k.rtcp_auth, auth_key, HMAC_KEY_LEN);
    }
    int err = dir_setup(&s->out, p, &k, false);
    if (!err) err = inbound_new(s, p, &k);
    explicit_bzero(&k, sizeof k);
    if (err) {
        mj_srtp_dispose(s);
        return err;
    }
    s->p = p;
    return 0;
}

long long mj_srtp_stream_roc(const mj_srtp *s, bool inbound, uint32_t ssrc)
{
    const mj_srtp_stream *t = inbound ? (s->in ? s->in->streams : NULL) : s->out_streams;
    unsigned n = inbound ? (s->in ? s->in->n : 0) : s->n_out;
    for (unsigned i = 0; i < n; i++)
        if (t[i].ssrc == ssrc) return t[i].roc;
    return -1;
}

/* ---- Packet indices and replay windows (RFC 3711 section 3.3) ------------- */

/* The SSRC's stream, or a fresh one in the first free place (counted only
 * by stream_commit), or NULL when the table is full. */
static mj_srtp_stream *stream_get(mj_srtp_stream *t, unsigned n, unsigned cap, uint32_t ssrc)
{
    for (unsigned i = 0; i < n; i++)
        if (t[i].ssrc == ssrc) return &t[i];
    if (n >= cap) return NULL;
    memset(&t[n], 0, sizeof t[n]);
    t[n].ssrc = ssrc;
    return &t[n];
}

static void stream_commit(mj_srtp_stream *t, uint8_t *n, const mj_srtp_stream *st)
{
    if (st == &t[*n]) (*n)++;
}

/* The packet index for seq (RFC 3711 appendix A): the rollover counter
 * guessed from the highest sequence number so far. Like libsrtp, never a
 * guess below ROC 0: a stream's first packets may start anywhere. */
static uint64_t rtp_index(const mj_srtp_stream *st, uint16_t seq)
{
    if (!(st->flags & SEEN_RTP)) return seq;
    int64_t v = st->roc;
    if (st->s_l < 32768) {
        if ((int)seq - (int)st->s_l > 32768 && v > 0) v--;
    } else if ((int)st->s_l - 32768 > (int)seq) {
        v++;
    }
    return ((uint64_t)v << 16) | seq;
}

/* 0 when index is new: above top, or within the window below it and not
 * yet seen. */
static int window_check(const uint64_t seen[2], uint64_t top, uint64_t index)
{
    if (index > top) return 0;
    uint64_t k = top - index;
    if (k >= WINDOW) return MJ_EREPLAY;
    return (seen[k / 64] >> (k % 64)) & 1 ? MJ_EREPLAY : 0;
}

/* Marks index seen; returns the new top. */
static uint64_t window_add(uint64_t seen[2], uint64_t top, uint64_t index)
{
    if (index <= top) {
        uint64_t k = top - index;
        seen[k / 64] |= 1ull << (k % 64);
        return top;
    }
    uint64_t d = index - top;
    if (d >= 128) {
        seen[1] = seen[0] = 0;
    } else if (d >= 64) {
        seen[1] = seen[0] << (d - 64);
        seen[0] = 0;
    } else {
        seen[1] = seen[1] << d | seen[0] >> (64 - d);
        seen[0] <<= d;
    }
    seen[0] |= 1;
    return index;
}

static int rtp_check(const mj_srtp_stream *st, uint64_t index)
{
    if (!(st->flags & SEEN_RTP)) return 0;
    return window_check(st->rtp_seen, (uint64_t)st->roc << 16 | st->s_l, index);
}

static void rtp_commit(mj_srtp_stream *st, uint64_t index)
{
    uint64_t top = st->flags & SEEN_RTP ? (uint64_t)st->roc << 16 | st->s_l : index;
    top = window_add(st->rtp_seen, top, index);
    st->roc = (uint32_t)(top >> 16);
    st->s_l = (uint16_t)top;
    st->flags |= SEEN_RTP;
}

/* A received SSRC's SRTCP window. */
static uint64_t *rtcp_seen(mj_srtp *s, const mj_srtp_stream *st)
{
    return s->in->rtcp_seen[st - s->in->streams];
}

static int rtcp_check(mj_srtp *s, const mj_srtp_stream *st, uint32_t index)
{
    if (!(st->flags & SEEN_RTCP)) return 0;
    return window_check(rtcp_seen(s, st), st->rtcp_index, index);
}

static void rtcp_commit(mj_srtp *s, mj_srtp_stream *st, uint32_t index)
{
    uint64_t *seen = rtcp_seen(s, st), top = index;
    if (st->flags & SEEN_RTCP) {
        top = st->rtcp_index;
    } else {
        seen[0] = seen[1] = 0;
    }
    st->rtcp_index = (uint32_t)window_add(seen, top, index);
    st->flags |= SEEN_RTCP;
}

/* ---- SRTP ----------------------------------------------------------------- */

/* Length of the RTP header with its CSRCs and extension (RFC 3550 section
 * 5.3.1), which stay in the clear, or MJ_EINVAL if it passes len. */
static long rtp_header_len(const uint8_t *p, size_t len)
{
    if (len < 12) return MJ_EINVAL;
    size_t h = 12 + 4 * (size_t)(p[0] & 0x0f);
    if (p[0] & 0x10) {
        if (len < h + 4) return MJ_EINVAL;
        h += 4 + 4 * (size_t)mj_be16(p + h + 2);
    }
    return h <= len ? (long)h : MJ_EINVAL;
}

/* Encrypts the payload buf[h..len) and appends the tag. */
static int rtp_seal(const mj_srtp *s, uint8_t *buf, size_t h, size_t len, uint64_t index)
{
    const mj_srtp_dir *d = &s->out;
    uint8_t iv[16];
    make_iv(iv, d->rtp_salt, s->p->aead, mj_be32(buf + 8), index);
    if (s->p->aead) return gcm_seal(d->ctx, iv, buf, h, NULL, 0, buf + h, len - h, buf + len);
    int err = ctr_xor(d->ctx, iv, buf + h, len - h);
    if (err) return err;
    /* RFC 3711 section 4.2: the tag covers the packet and then the ROC. */
    uint8_t roc[4], mac[SHA_DIGEST_LENGTH];
    mj_put_be32(roc, (uint32_t)(index >> 16));
    hmac_sha1(d->hmac->rtp, buf, len, roc, sizeof roc, mac);
    memcpy(buf + len, mac, s->p->rtp_tag);
    return 0;
}

/* Checks the tag at buf[n..n+tag) and decrypts buf[h..n). */
static int rtp_open(const mj_srtp *s, uint8_t *buf, size_t h, size_t n, uint64_t index)
{
    const mj_srtp_dir *d = &s->in->dir;
    uint8_t iv[16];
    make_iv(iv, d->rtp_salt, s->p->aead, mj_be32(buf + 8), index);
    if (s->p->aead) return gcm_open(d->ctx, iv, buf, h, NULL, 0, buf + h, n - h, buf + n);
    uint8_t roc[4], mac[SHA_DIGEST_LENGTH];
    mj_put_be32(roc, (uint32_t)(index >> 16));
    hmac_sha1(d->hmac->rtp, buf, n, roc, sizeof roc, mac);
    if (CRYPTO_memcmp(mac, buf + n, s->p->rtp_tag) != 0) return MJ_EAUTH;
    return ctr_xor(d->ctx, iv, buf + h, n - h);
}

/* Common argument checks for protect. */
static int check_protect(const mj_srtp *s, size_t len, size_t cap, size_t min_len)
{
    if (!s->p || !s->out.ctx) return MJ_ESTATE;
    if (len < min_len) return MJ_EINVAL;
    if (cap < len || cap - len < MJ_SRTP_MAX_TRAILER) return MJ_ENOSPC;
    if (len > (size_t)INT_MAX - MJ_SRTP_MAX_TRAILER) return MJ_EINVAL;
    return 0;
}

long mj_srtp_protect_rtp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap)
{
    int err = check_protect(s, len, cap, 12);
    if (err) return err;
    long h = rtp_header_len(buf, len);
    if (h < 0) return h;
    mj_srtp_stream *st =
        stream_get(s->out_streams, s->n_out, MJ_SRTP_MAX_OUTBOUND_SSRCS, mj_be32(buf + 8));
    if (!st) return MJ_ELIMIT;
    uint64_t index = rtp_index(st, mj_be16(buf + 2));
    /* A sequence number sent before would reuse its keystream. */
    if ((err = rtp_check(st, index)) != 0) return err;
    if (index >> 48) return MJ_ELIMIT; /* 2^48 packets: the key is used up */
    if ((err = rtp_seal(s, buf, (size_t)h, len, index)) != 0) return err;
    rtp_commit(st, index);
    stream_commit(s->out_streams, &s->n_out, st);
    return (long)(len + s->p->rtp_tag);
}

long mj_srtp_unprotect_rtp(mj_srtp *s, uint8_t *buf, size_t len)
{
    if (!s->p || !s->in || !s->in->dir.ctx) return MJ_ESTATE;
    size_t tag = s->p->rtp_tag;
    if (len < 12 + tag || len > INT_MAX) return MJ_EINVAL;
    long h = rtp_header_len(buf, len - tag);
    if (h < 0) return h;
    mj_srtp_stream *st =
        stream_get(s->in->streams, s->in->n, MJ_SRTP_MAX_INBOUND_SSRCS, mj_be32(buf + 8));
    if (!st) return MJ_ELIMIT;
    uint64_t index = rtp_index(st, mj_be16(buf + 2));
    int err = rtp_check(st, index);
    if (err) return err;
    if (index >> 48) return MJ_EINVAL; /* no sender can have got there */
    if ((err = rtp_open(s, buf, (size_t)h, len - tag, index)) != 0) return err;
    rtp_commit(st, index);
    stream_commit(s->in->streams, &s->in->n, st);
    return (long)(len - tag);
}

/* ---- SRTCP ---------------------------------------------------------------- */

/* Encrypts buf[8..len) and appends the E flag and index word and the tag:
 * AES-CM packet || word || tag (RFC 3711 section 3.4), AES-GCM packet ||
 * tag || word with the word in the associated data (RFC 7714 section 9). */
static long rtcp_seal(const mj_srtp *s, uint8_t *buf, size_t len, uint32_t index)
{
    const mj_srtp_dir *d = &s->out; /* its context on the SRTCP key */
    uint8_t iv[16], word[4];
    mj_put_be32(word, E_FLAG | index);
    make_iv(iv, d->rtcp_salt, s->p->aead, mj_be32(buf + 4), index);
    int err;
    if (s->p->aead) {
        err = gcm_seal(d->ctx, iv, buf, 8, word, 4, buf + 8, len - 8, buf + len);
        memcpy(buf + len + GCM_TAG_LEN, word, 4);
        return err ? err : (long)(len + GCM_TAG_LEN + 4);
    }
    if ((err = ctr_xor(d->ctx, iv, buf + 8, len - 8)) != 0) return err;
    memcpy(buf + len, word, 4);
    uint8_t mac[SHA_DIGEST_LENGTH];
    hmac_sha1(d->hmac->rtcp, buf, len + 4, NULL, 0, mac);
    memcpy(buf + len + 4, mac, s->p->rtcp_tag);
    return (long)(len + 4 + s->p->rtcp_tag);
}

/* The inverse of rtcp_seal for a packet whose word says index and E.
 * Without E the packet is only authenticated: for AES-GCM all of it is
 * associated data (RFC 7714 section 9.2). */
static int rtcp_open(const mj_srtp *s, uint8_t *buf, size_t len, uint32_t word)
{
    const mj_srtp_dir *d = &s->in->dir; /* its context on the SRTCP key */
    uint32_t index = word & ~E_FLAG;
    bool enc = word & E_FLAG;
    uint8_t iv[16];
    make_iv(iv, d->rtcp_salt, s->p->aead, mj_be32(buf + 4), index);
    if (s->p->aead) {
        size_t body = len - 4 - GCM_TAG_LEN;
        uint8_t *w = buf + len - 4, *tag = buf + body;
        if (enc) return gcm_open(d->ctx, iv, buf, 8, w, 4, buf + 8, body - 8, tag);
        return gcm_open(d->ctx, iv, buf, body, w, 4, NULL, 0, tag);
    }
    size_t n = len - s->p->rtcp_tag; /* the authenticated part, word included */
    uint8_t mac[SHA_DIGEST_LENGTH];
    hmac_sha1(d->hmac->rtcp, buf, n, NULL, 0, mac);
    if (CRYPTO_memcmp(mac, buf + n, s->p->rtcp_tag) != 0) return MJ_EAUTH;
    return enc ? ctr_xor(d->ctx, iv, buf + 8, n - 4 - 8) : 0;
}

long mj_srtp_protect_rtcp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap)
{
    int err = check_protect(s, len, cap, 8);
    if (err) return err;
    mj_srtp_stream *st =
        stream_get(s->out_streams, s->n_out, MJ_SRTP_MAX_OUTBOUND_SSRCS, mj_be32(buf + 4));
    if (!st) return MJ_ELIMIT;
    /* RFC 3711 section 3.3.2: the index starts at 0 and counts packets. */
    uint32_t index = st->rtcp_index;
    if (index & E_FLAG) return MJ_ELIMIT; /* 2^31 packets: the key is used up */
    if ((err = rekey(s->out.ctx, s->out.rtcp_key)) != 0) return err;
    long n = rtcp_seal(s, buf, len, index);
    rekey_rtp(&s->out);
    if (n < 0) return n;
    st->rtcp_index = index + 1;
    st->flags |= SEEN_RTCP;
    stream_commit(s->out_streams, &s->n_out, st);
    return n;
}

long mj_srtp_unprotect_rtcp(mj_srtp *s, uint8_t *buf, size_t len)
{
    if (!s->p || !s->in || !s->in->dir.ctx) return MJ_ESTATE;
    /* A header, the E-flag and index, and the tag. */
    size_t tag = s->p->rtcp_tag;
    if (len < 8 + 4 + tag || len > INT_MAX) return MJ_EINVAL;
    mj_srtp_stream *st =
        stream_get(s->in->streams, s->in->n, MJ_SRTP_MAX_INBOUND_SSRCS, mj_be32(buf + 4));
    if (!st) return MJ_ELIMIT;
    uint32_t word = mj_be32(buf + (s->p->aead ? len - 4 : len - tag - 4));
    uint32_t index = word & ~E_FLAG;
    int err = rtcp_check(s, st, index);
    if (err) return err;
    if ((err = rekey(s->in->dir.ctx, s->in->dir.rtcp_key)) != 0) return err;
    err = rtcp_open(s, buf, len, word);
    rekey_rtp(&s->in->dir);
    if (err) return err;
    rtcp_commit(s, st, index);
    stream_commit(s->in->streams, &s->in->n, st);
    return (long)(len - tag - 4);
}
