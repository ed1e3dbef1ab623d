/* DTLS 1.2 over OpenSSL, driven sans-IO through a datagram-preserving BIO.
 *
 * Why a custom BIO and not BIO_s_mem: a memory BIO is a byte stream, so
 * two records written as two datagrams would come out glued together and a
 * received datagram could be split across reads. Here every write OpenSSL
 * makes (its buffering BIO flushes one MTU-sized batch of records per
 * write) becomes one queued datagram, and a read returns exactly the one
 * datagram being handled. */
#include "rtc/dtls.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/rand.h"

#define CIPHERS                                                                                    \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384"
#define GROUPS         "X25519:P-256:P-384"
#define SRTP_PROFILES  "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80"
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"
/* Outgoing datagrams waiting for poll_transmit. A flight is a few KiB; a
 * caller that stops draining loses datagrams beyond this, which DTLS
 * treats as loss. */
#define QUEUE_MAX (16 * 1024)
/* Datagrams carrying epoch-1 records accepted while handshaking; see
 * admit_datagram(). A real peer sends a handful. */
#define EPOCH1_MAX 24
#define CERT_DAYS  30

struct mj_dtls_identity {
    EVP_PKEY *key;
    X509 *cert;
    SSL_CTX *ctx[2]; /* [0] client role, [1] server role */
    char fingerprint[MJ_DTLS_FP_TEXT_MAX];
};

struct mj_dtls {
    SSL *ssl; /* owns the BIO */
    const EVP_MD *md;
    uint8_t fp[MJ_DTLS_FP_MAX];
    uint8_t fp_len;
    bool is_server;
    bool started;
    uint8_t state; /* enum mj_dtls_state */
    int err;
    uint16_t mtu;
    uint16_t initial_ms, max_ms;
    uint8_t max_retx, retx;
    uint8_t epoch1_in;
    /* The datagram being handled; NULL once OpenSSL has read it. */
    const uint8_t *in;
    size_t in_len;
    /* Outgoing datagrams, each as a 2-byte length and its bytes. Freed
     * whenever it drains after the handshake. */
    uint8_t *q;
    size_t q_off, q_len, q_cap;
    uint32_t dropped;
    mj_srtp_keys keys;
};

/* ---- The datagram BIO ---------------------------------------------------- */

static BIO_METHOD *bio_method; /* process lifetime, made by global_init */

static bool queue_push(mj_dtls *d, const uint8_t *p, size_t n)
{
    if (n > 0xffff) return false;
    if (d->q_off == d->q_len) d->q_off = d->q_len = 0;
    size_t need = d->q_len + 2 + n;
    if (need > d->q_cap && d->q_off > 0) {
        memmove(d->q, d->q + d->q_off, d->q_len - d->q_off);
        d->q_len -= d->q_off;
        d->q_off = 0;
        need = d->q_len + 2 + n;
    }
    if (need > d->q_cap) {
        if (need > QUEUE_MAX) return false;
        size_t cap = d->q_cap ? d->q_cap * 2 : 2048;
        while (cap < need)
            cap *= 2;
        if (cap > QUEUE_MAX) cap = QUEUE_MAX;
        uint8_t *q = realloc(d->q, cap);
        if (!q) return false;
        d->q = q;
        d->q_cap = cap;
    }
    mj_put_be16(d->q + d->q_len, (uint16_t)n);
    memcpy(d->q + d->q_len + 2, p, n);
    d->q_len += 2 + n;
    return true;
}

static int bio_write(BIO *b, const char *data, int len)
{
    mj_dtls *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len < 0) return -1;
    /* A datagram that does not fit is dropped, not refused: a refusal would
     * stall the handshake, a drop is ordinary loss that DTLS retransmits. */
    if (!queue_push(d, (const uint8_t *)data, (size_t)len)) d->dropped++;
    return len;
}

static int bio_read(BIO *b, char *out, int cap)
{
    mj_dtls *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (!d->in || cap <= 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    size_t n = d->in_len < (size_t)cap ? d->in_len : (size_t)cap;
    memcpy(out, d->in, n);
    d->in = NULL;
    d->in_len = 0;
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)ptr;
    mj_dtls *d = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return d->in ? (long)d->in_len : 0;
    /* Queued datagrams count as sent: OpenSSL sizes records by the MTU
     * minus what is still pending in the BIO. */
    case BIO_CTRL_WPENDING: return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return d->mtu;
    /* Our MTU is the UDP payload size: no IP/UDP header to subtract. */
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 0;
    case BIO_CTRL_DGRAM_SET_MTU: return num;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED: return 0;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_SET_CONNECTED:
    case BIO_CTRL_DGRAM_SET_PEER:
    case BIO_CTRL_DGRAM_SET_DONT_FRAG: return 1;
    default: return 0;
    }
}

/* One-time setup. Not thread-safe: runs from mj_dtls_identity_new, which
 * the server calls at startup. */
static int global_init(void)
{
    if (bio_method) return 0;
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mj_dtls_dgram");
    if (!m || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
        !BIO_meth_set_ctrl(m, bio_ctrl)) {
        BIO_meth_free(m);
        return MJ_ECRYPTO;
    }
    bio_method = m;
    return 0;
}

/* ---- Fingerprints -------------------------------------------------------- */

static const struct {
    const char *name;
    const EVP_MD *(*md)(void);
} hashes[] = {
    {"sha-1", EVP_sha1},     {"sha-224", EVP_sha224}, {"sha-256", EVP_sha256},
    {"sha-384", EVP_sha384}, {"sha-512", EVP_sha512},
};

static int hash_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
        if (strlen(hashes[i].name) == len && strncasecmp(hashes[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int mj_dtls_fingerprint_parse(const char *text, size_t len, char *alg, size_t alg_cap, uint8_t *fp,
                              size_t fp_cap)
{
    size_t i = 0;
    while (i < len && text[i] == ' ')
        i++;
    size_t name_at = i;
    while (i < len && text[i] != ' ')
        i++;
    int h = hash_find(text + name_at, i - name_at);
    if (h < 0) return i > name_at ? MJ_EUNSUPP : MJ_EINVAL;
    size_t want = (size_t)EVP_MD_get_size(hashes[h].md());
    if (alg_cap <= strlen(hashes[h].name) || fp_cap < want) return MJ_ENOSPC;
    memcpy(alg, hashes[h].name, strlen(hashes[h].name) + 1); /* fits: checked above */
    while (i < len && text[i] == ' ')
        i++;
    size_t n = 0;
    for (;;) {
        if (i + 2 > len || n == want) return MJ_EINVAL;
        int hi = hexval(text[i]), lo = hexval(text[i + 1]);
        if (hi < 0 || lo < 0) return MJ_EINVAL;
        fp[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
        if (i < len && text[i] == ':') {
            i++;
            continue;
        }
        break;
    }
    while (i < len && (text[i] == ' ' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i != len || n != want) return MJ_EINVAL;
    return (int)n;
}

bool mj_dtls_is_record(const uint8_t *data, size_t n)
{
    return n > 0 && data[0] >= 20 && data[0] <= 63;
}

static bool fingerprint_matches(const mj_dtls *d, X509 *cert)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!cert || X509_digest(cert, d->md, md, &n) != 1) return false;
    return n == d->fp_len && CRYPTO_memcmp(md, d->fp, n) == 0;
}

/* ---- Identity ------------------------------------------------------------ */

static X509 *make_cert(EVP_PKEY *key)
{
    X509 *x = X509_new();
    if (!x) return NULL;
    uint64_t serial = mj_rand_u64() >> 1; /* positive, 63 bits */
    X509_NAME *name = X509_get_subject_name(x);
    if (!X509_set_version(x, X509_VERSION_3) ||
        !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial ? serial : 1) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), CERT_DAYS * 24L * 3600) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"majlis", -1,
                                    -1, 0) ||
        !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key) ||
        X509_sign(x, key, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int format_fingerprint(X509 *cert, char *out, size_t cap)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return MJ_ECRYPTO;
    static const char hex[] = "0123456789ABCDEF";
    mj_wbuf w;
    mj_wbuf_init(&w, out, cap);
    mj_wbuf_put(&w, "sha-256 ", 8);
    for (unsigned i = 0; i < n; i++) {
        if (i) mj_wbuf_u8(&w, ':');
        mj_wbuf_u8(&w, (uint8_t)hex[md[i] >> 4]);
        mj_wbuf_u8(&w, (uint8_t)hex[md[i] & 15]);
    }
    mj_wbuf_u8(&w, 0);
    return mj_wbuf_result(&w) < 0 ? MJ_ENOSPC : 0;
}

/* Trust comes from the SDP fingerprint, not from a CA: accept whatever the
 * chain looks like (self-signed is normal) but reject a leaf whose digest
 * differs from the signalled one, so the handshake fails with an alert. */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    (void)ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    mj_dtls *d = ssl ? SSL_get_app_data(ssl) : NULL;
    if (!d) return 0;
    if (X509_STORE_CTX_get_error_depth(xs) != 0) return 1;
    if (!fingerprint_matches(d, X509_STORE_CTX_get_current_cert(xs))) {
        d->err = MJ_EAUTH;
        X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    X509_STORE_CTX_set_error(xs, X509_V_OK);
    return 1;
}

/* Both roles share these settings; as a server, our preference order wins
 * (ciphers and SRTP profiles). */
static SSL_CTX *ctx_new(mj_dtls_identity *id)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (!ctx) return NULL;
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* SSL_MODE_RELEASE_BUFFERS does nothing for DTLS in OpenSSL 3.0; see
     * ssl_enter() for how idle buffers are released instead. */
    SSL_CTX_set_read_ahead(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    /* DTLS 1.2 only, also when linked against a later OpenSSL:
     * admit_datagram() relies on 1.2 without renegotiation having only
     * epochs 0 and 1. Records never exceed the MTU, so the write buffer
     * needs no room for 16 KiB ones. */
    if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) ||
        SSL_CTX_set_max_send_fragment(ctx, MJ_DTLS_MAX_MTU) != 1 ||
        SSL_CTX_use_certificate(ctx, id->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, id->key) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1 || SSL_CTX_set_cipher_list(ctx, CIPHERS) != 1 ||
        SSL_CTX_set1_groups_list(ctx, GROUPS) != 1 ||
        SSL_CTX_set_tlsext_use_srtp(ctx, SRTP_PROFILES) != 0 /* 0 is success here */) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

void mj_dtls_identity_free(mj_dtls_identity *id)
{
    if (!id) return;
    SSL_CTX_free(id->ctx[0]);
    SSL_CTX_free(id->ctx[1]);
    X509_free(id->cert);
    EVP_PKEY_free(id->key);
    free(id);
}

int mj_dtls_identity_new(mj_dtls_identity **out)
{
    *out = NULL;
    int err = global_init();
    if (err) return err;
    mj_dtls_identity *id = calloc(1, sizeof *id);
    if (!id) return MJ_ENOMEM;
    err = MJ_ECRYPTO;
    id->key = EVP_EC_gen("P-256");
    if (!id->key || !(id->cert = make_cert(id->key))) goto fail;
    if ((err = format_fingerprint(id->cert, id->fingerprint, sizeof id->fingerprint)) != 0)
        goto fail;
    err = MJ_ECRYPTO;
    if (!(id->ctx[0] = ctx_new(id)) || !(id->ctx[1] = ctx_new(id))) goto fail;
    *out = id;
    return 0;
fail:
    mj_error("dtls: cannot create identity: %s", ERR_reason_error_string(ERR_peek_error()));
    ERR_clear_error();
    mj_dtls_identity_free(id);
    return err;
}

const char *mj_dtls_identity_fingerprint(const mj_dtls_identity *id)
{
    return id->fingerprint;
}

int mj_dtls_identity_set_srtp_profiles(mj_dtls_identity *id, const char *profiles)
{
    for (int i = 0; i < 2; i++)
        if (SSL_CTX_set_tlsext_use_srtp(id->ctx[i], profiles) != 0) {
            ERR_clear_error();
            return MJ_EINVAL;
        }
    return 0;
}

int mj_dtls_identity_set_ciphers(mj_dtls_identity *id, const char *ciphers)
{
    for (int i = 0; i < 2; i++)
        if (SSL_CTX_set_cipher_list(id->ctx[i], ciphers) != 1) {
            ERR_clear_error();
            return MJ_EINVAL;
        }
    return 0;
}

/* ---- Connection ---------------------------------------------------------- */

/* OpenSSL asks for the next retransmission timeout: 0 means "first". */
static unsigned int timer_cb(SSL *ssl, unsigned int prev_us)
{
    const mj_dtls *d = SSL_get_app_data(ssl);
    unsigned int max_us = d->max_ms * 1000u;
    if (prev_us == 0) return d->initial_ms * 1000u;
    return prev_us >= max_us / 2 ? max_us : prev_us * 2;
}

int mj_dtls_new(mj_dtls **out, mj_dtls_identity *id, bool is_server, const char *remote_fp_alg,
                const uint8_t *remote_fp, size_t remote_fp_len)
{
    *out = NULL;
    if (!bio_method) return MJ_ESTATE;
    int h = hash_find(remote_fp_alg, strlen(remote_fp_alg));
    if (h < 0) return MJ_EUNSUPP;
    const EVP_MD *md = hashes[h].md();
    if (remote_fp_len != (size_t)EVP_MD_get_size(md)) return MJ_EINVAL;
    mj_dtls *d = calloc(1, sizeof *d);
    if (!d) return MJ_ENOMEM;
    d->md = md;
    memcpy(d->fp, remote_fp, remote_fp_len);
    d->fp_len = (uint8_t)remote_fp_len;
    d->is_server = is_server;
    d->mtu = MJ_DTLS_DEFAULT_MTU;
    d->initial_ms = MJ_DTLS_INITIAL_TIMEOUT_MS;
    d->max_ms = MJ_DTLS_MAX_TIMEOUT_MS;
    d->max_retx = MJ_DTLS_MAX_RETRANSMITS;
    d->state = MJ_DTLS_HANDSHAKING;

    BIO *bio = NULL;
    if (!(d->ssl = SSL_new(id->ctx[is_server ? 1 : 0])) || !(bio = BIO_new(bio_method))) goto fail;
    BIO_set_data(bio, d);
    BIO_set_init(bio, 1);
    SSL_set_bio(d->ssl, bio, bio); /* the SSL owns the BIO from here */
    SSL_set_app_data(d->ssl, d);
    if (is_server)
        SSL_set_accept_state(d->ssl);
    else
        SSL_set_connect_state(d->ssl);
    DTLS_set_timer_cb(d->ssl, timer_cb);
    if (DTLS_set_link_mtu(d->ssl, d->mtu) != 1) goto fail;
    *out = d;
    return 0;
fail:
    ERR_clear_error();
    if (!d->ssl || SSL_get_rbio(d->ssl) != bio) BIO_free(bio);
    mj_dtls_free(d);
    return MJ_ENOMEM;
}

void mj_dtls_free(mj_dtls *d)
{
    if (!d) return;
    SSL_free(d->ssl);
    free(d->q);
    OPENSSL_cleanse(&d->keys, sizeof d->keys);
    free(d);
}

int mj_dtls_set_mtu(mj_dtls *d, size_t mtu)
{
    if (d->started) return MJ_ESTATE;
    if (mtu < MJ_DTLS_MIN_MTU || mtu > MJ_DTLS_MAX_MTU) return MJ_EINVAL;
    if (DTLS_set_link_mtu(d->ssl, (long)mtu) != 1) {
        ERR_clear_error();
        return MJ_EINVAL;
    }
    d->mtu = (uint16_t)mtu;
    return 0;
}

int mj_dtls_set_retransmit(mj_dtls *d, unsigned initial_ms, unsigned max_ms,
                           unsigned max_retransmits)
{
    if (d->started) return MJ_ESTATE;
    if (initial_ms < 20 || max_ms < initial_ms || max_ms > 60000 || max_retransmits > 255)
        return MJ_EINVAL;
    d->initial_ms = (uint16_t)initial_ms;
    d->max_ms = (uint16_t)max_ms;
    d->max_retx = (uint8_t)max_retransmits;
    return 0;
}

/* OpenSSL 3.0 keeps a 16.7 KiB read buffer (and a write buffer) per DTLS
 * connection for its whole life. They hold nothing between our calls, so
 * they are allocated around each call into OpenSSL and freed after it: a
 * waiting or connected SSL object shrinks by about a third.
 * SSL_alloc_buffers must come first because DTLS writes (retransmissions,
 * alerts) assume the write buffer exists. */
static bool ssl_enter(mj_dtls *d)
{
    ERR_clear_error();
    return SSL_alloc_buffers(d->ssl) == 1;
}

static void ssl_leave(mj_dtls *d)
{
    (void)SSL_free_buffers(d->ssl); /* refuses, harmlessly, if data is pending */
    ERR_clear_error();
}

static int fail(mj_dtls *d, int err)
{
    if (mj_log_level_current >= MJ_LOG_DEBUG) {
        unsigned long e = ERR_peek_error();
        mj_debug("dtls: %s failed: %s (%s)", d->is_server ? "server" : "client", mj_strerror(err),
                 e ? ERR_reason_error_string(e) : "no OpenSSL error");
    }
    ERR_clear_error();
    d->state = MJ_DTLS_FAILED;
    d->err = err;
    return err;
}

/* The handshake just completed: check the peer is who the SDP said, then
 * export and split the SRTP keying material (RFC 5764 section 4.2):
 * client key | server key | client salt | server salt. */
static int finish_handshake(mj_dtls *d)
{
    if (!fingerprint_matches(d, SSL_get0_peer_certificate(d->ssl))) return fail(d, MJ_EAUTH);
    const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
    size_t kl, sl;
    if (!p || mj_srtp_profile_lengths((int)p->id, &kl, &sl) != 0) return fail(d, MJ_EPROTO);
    uint8_t m[2 * (MJ_SRTP_MAX_KEY_LEN + MJ_SRTP_MAX_SALT_LEN)];
    if (SSL_export_keying_material(d->ssl, m, 2 * (kl + sl), EXPORTER_LABEL, strlen(EXPORTER_LABEL),
                                   NULL, 0, 0) != 1)
        return fail(d, MJ_ECRYPTO);
    const uint8_t *ck = m, *sk = m + kl, *cs = m + 2 * kl, *ss = m + 2 * kl + sl;
    mj_srtp_keys *k = &d->keys;
    k->profile = (uint16_t)p->id;
    k->key_len = (uint8_t)kl;
    k->salt_len = (uint8_t)sl;
    memcpy(k->local_key, d->is_server ? sk : ck, kl);
    memcpy(k->local_salt, d->is_server ? ss : cs, sl);
    memcpy(k->remote_key, d->is_server ? ck : sk, kl);
    memcpy(k->remote_salt, d->is_server ? cs : ss, sl);
    OPENSSL_cleanse(m, sizeof m);
    d->state = MJ_DTLS_CONNECTED;
    d->retx = 0;
    mj_debug("dtls: %s connected, %s, %s", d->is_server ? "server" : "client",
             SSL_get_cipher_name(d->ssl), p->name);
    return 0;
}

/* Interprets an SSL call's result that was not success. */
static int check_result(mj_dtls *d, int r)
{
    int e = SSL_get_error(d->ssl, r);
    switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return 0;
    case SSL_ERROR_ZERO_RETURN:
        /* close_notify: answer with ours (RFC 5246 7.2.1). */
        d->state = MJ_DTLS_CLOSED;
        ERR_clear_error();
        (void)SSL_shutdown(d->ssl);
        ERR_clear_error();
        return 0;
    default:
        mj_debug("dtls: SSL error %d (result %d)", e, r);
        return fail(d, d->err ? d->err : MJ_EPROTO);
    }
}

/* Connected: consume application data (we carry none) and alerts. The
 * loop is bounded by what one datagram can hold. */
static int read_app(mj_dtls *d)
{
    uint8_t scratch[512];
    for (int i = 0; i < 256; i++) {
        ERR_clear_error();
        int r = SSL_read(d->ssl, scratch, sizeof scratch);
        if (r <= 0) return check_result(d, r);
    }
    return 0;
}

static int advance_inner(mj_dtls *d)
{
    if (d->state == MJ_DTLS_HANDSHAKING) {
        ERR_clear_error();
        int r = SSL_do_handshake(d->ssl);
        if (r != 1) return check_result(d, r);
        int err = finish_handshake(d);
        if (err) return err;
    }
    return d->state == MJ_DTLS_CONNECTED ? read_app(d) : 0;
}

static int advance(mj_dtls *d)
{
    if (!ssl_enter(d)) return fail(d, MJ_ENOMEM);
    int err = advance_inner(d);
    ssl_leave(d);
    return err;
}

/* Shortest epoch-1 record worth decrypting. OpenSSL 3.0 treats a record
 * too short to hold the AEAD nonce and tag as an internal error and fails
 * the whole connection (while the same record one byte longer is silently
 * dropped, as DTLS requires), so such records must never reach it:
 * AES-GCM needs 8 + 16 bytes, ChaCha20-Poly1305 16. */
static size_t min_protected_len(const mj_dtls *d)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(d->ssl);
    if (!c) c = SSL_get_pending_cipher(d->ssl);
    return c && SSL_CIPHER_get_cipher_nid(c) == NID_chacha20_poly1305 ? 16 : 24;
}

/* Screens a datagram before OpenSSL sees it:
 *  - DTLS 1.2 without renegotiation only has epochs 0 and 1, so a record
 *    from any other epoch is garbage;
 *  - epoch-1 records too short to be valid are dropped (min_protected_len);
 *  - while handshaking, OpenSSL buffers each record of the next epoch
 *    together with a whole 16.7 KiB read buffer (up to 100 of them), so
 *    datagrams with epoch-1 records are capped then; a real peer sends one
 *    per Finished flight it transmits. */
static bool admit_datagram(mj_dtls *d, const uint8_t *p, size_t n)
{
    bool has_epoch1 = false;
    size_t min_len = 0;
    size_t i = 0;
    for (; i + 13 <= n; i += 13 + mj_be16(p + i + 11)) {
        /* RFC 6347 §4.1 framing: a known content type, a DTLS version
         * (major 0xFE) and a length that stays inside the datagram. Junk
         * fails here and is counted by the caller. */
        if (p[i] < 20 || p[i] > 25 || p[i + 1] != 0xFE || i + 13 + mj_be16(p + i + 11) > n)
            return false;
        uint16_t epoch = mj_be16(p + i + 3);
        if (epoch > 1) return false;
        if (epoch == 1) {
            if (!min_len) min_len = min_protected_len(d);
            if (mj_be16(p + i + 11) < min_len) return false;
            has_epoch1 = true;
        }
    }
    if (has_epoch1 && d->state == MJ_DTLS_HANDSHAKING) {
        if (d->epoch1_in >= EPOCH1_MAX) return false;
        d->epoch1_in++;
    }
    return i == n; /* no trailing partial record */
}

/* A failure also shows in the state, so callers without a result to
 * return may ignore it. */
static int start(mj_dtls *d)
{
    if (d->started) return 0;
    d->started = true;
    if (d->is_server || d->state != MJ_DTLS_HANDSHAKING) return 0;
    return advance(d);
}

int mj_dtls_start(mj_dtls *d)
{
    return start(d);
}

int mj_dtls_handle_datagram(mj_dtls *d, mj_time now, const uint8_t *data, size_t n)
{
    (void)now;
    if (d->state == MJ_DTLS_FAILED) return MJ_ESTATE;
    if (d->state == MJ_DTLS_CLOSED) return 0;
    /* Refused datagrams leave the connection as it was. */
    if (!mj_dtls_is_record(data, n) || !admit_datagram(d, data, n)) return MJ_EINVAL;
    if (!d->started) {
        int err = start(d);
        if (err) return err;
    }
    d->in = data;
    d->in_len = n;
    int err = advance(d);
    d->in = NULL;
    d->in_len = 0;
    return err;
}

long mj_dtls_poll_transmit(mj_dtls *d, uint8_t *buf, size_t cap)
{
    if (d->q_off == d->q_len) return 0;
    size_t n = mj_be16(d->q + d->q_off);
    if (n > cap) return MJ_ENOSPC;
    memcpy(buf, d->q + d->q_off + 2, n);
    d->q_off += 2 + n;
    if (d->q_off == d->q_len) {
        d->q_off = d->q_len = 0;
        if (d->state != MJ_DTLS_HANDSHAKING) {
            free(d->q);
            d->q = NULL;
            d->q_cap = 0;
        }
    }
    return (long)n;
}

/* OpenSSL's timer runs on the real clock; its remaining time (0 once
 * expired, and already 0 in its last 15 ms) is mapped onto the caller's. */
static bool timer_remaining(const mj_dtls *d, mj_time *left)
{
    struct timeval tv;
    if (DTLSv1_get_timeout(d->ssl, &tv) != 1) return false;
    *left = (mj_time)tv.tv_sec * 1000000 + tv.tv_usec;
    return true;
}

mj_time mj_dtls_next_timeout(const mj_dtls *d, mj_time now)
{
    if (!d->started) return d->is_server ? MJ_TIME_NEVER : now;
    mj_time left;
    if (d->state > MJ_DTLS_CONNECTED || !timer_remaining(d, &left)) return MJ_TIME_NEVER;
    return now + left;
}

void mj_dtls_handle_timeout(mj_dtls *d, mj_time now)
{
    (void)now;
    if (!d->started) {
        (void)start(d);
        return;
    }
    mj_time left;
    if (d->state > MJ_DTLS_CONNECTED || !timer_remaining(d, &left) || left > 0) return;
    if (d->state == MJ_DTLS_HANDSHAKING && d->retx >= d->max_retx) {
        (void)fail(d, MJ_ETIMEDOUT);
        return;
    }
    if (!ssl_enter(d)) {
        (void)fail(d, MJ_ENOMEM);
        return;
    }
    int r = DTLSv1_handle_timeout(d->ssl);
    ssl_leave(d);
    if (r < 0)
        (void)fail(d, MJ_ETIMEDOUT);
    else if (r > 0 && d->retx < 255)
        d->retx++;
}

enum mj_dtls_state mj_dtls_state_get(const mj_dtls *d)
{
    return (enum mj_dtls_state)d->state;
}

int mj_dtls_error(const mj_dtls *d)
{
    return d->state == MJ_DTLS_FAILED ? d->err : 0;
}

bool mj_dtls_is_server(const mj_dtls *d)
{
    return d->is_server;
}

int mj_dtls_srtp_keys(const mj_dtls *d, mj_srtp_keys *out)
{
    if (d->state != MJ_DTLS_CONNECTED && !(d->state == MJ_DTLS_CLOSED && d->keys.key_len))
        return MJ_ESTATE;
    *out = d->keys;
    return 0;
}

void mj_dtls_close(mj_dtls *d)
{
    if (d->state == MJ_DTLS_CONNECTED && ssl_enter(d)) {
        (void)SSL_shutdown(d->ssl);
        ssl_leave(d);
    }
    if (d->state <= MJ_DTLS_CONNECTED) d->state = MJ_DTLS_CLOSED;
}
