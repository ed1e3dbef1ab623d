/* SRTP/SRTCP over libsrtp2: policy setup per DTLS-SRTP profile, in-place
 * protect and unprotect, and libsrtp status codes mapped to MJ_E*. */
#include "rtc/srtp.h"

#include <nss.h>

#include <limits.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "base/buf.h"
#include "base/log.h"

struct profile_info {
    uint16_t id;
    uint8_t key_len;
    uint8_t salt_len;
    void (*set_rtp)(srtp_crypto_policy_t *p);
    void (*set_rtcp)(srtp_crypto_policy_t *p);
    const char *name;
};

static const struct profile_info profiles[] = {
    {MJ_SRTP_AES128_CM_SHA1_80, 16, 14, srtp_crypto_policy_set_rtp_default,
     srtp_crypto_policy_set_rtp_default, "AES_CM_128_HMAC_SHA1_80"},
    /* RFC 5764 4.1.2: the _32 profile still uses an 80-bit SRTCP tag. */
    {MJ_SRTP_AES128_CM_SHA1_32, 16, 14, srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
     srtp_crypto_policy_set_rtp_default, "AES_CM_128_HMAC_SHA1_32"},
    {MJ_SRTP_AEAD_AES_128_GCM, 16, 12, srtp_crypto_policy_set_aes_gcm_128_16_auth,
     srtp_crypto_policy_set_aes_gcm_128_16_auth, "AEAD_AES_128_GCM"},
};

static const struct profile_info *profile_find(int id)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (profiles[i].id == id) return &profiles[i];
    return NULL;
}

int mj_srtp_profile_lengths(int profile, size_t *key_len, size_t *salt_len)
{
    const struct profile_info *p = profile_find(profile);
    if (!p) return MJ_EUNSUPP;
    *key_len = p->key_len;
    *salt_len = p->salt_len;
    return 0;
}

const char *mj_srtp_profile_name(int profile)
{
    const struct profile_info *p = profile_find(profile);
    return p ? p->name : "unknown";
}

void mj_srtp_keys_wipe(mj_srtp_keys *k)
{
    explicit_bzero(k, sizeof *k);
}

static int map_status(srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok: return 0;
    case srtp_err_status_auth_fail: return MJ_EAUTH;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return MJ_EREPLAY;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err: return MJ_EINVAL;
    case srtp_err_status_alloc_fail: return MJ_ENOMEM;
    default: return MJ_ECRYPTO;
    }
}

static srtp_err_status_t session_new(srtp_t *out, const struct profile_info *p,
                                     srtp_ssrc_type_t dir, const uint8_t *key, const uint8_t *salt)
{
    /* libsrtp takes the master key and salt as one concatenated string. */
    uint8_t master[MJ_SRTP_MAX_KEY_LEN + MJ_SRTP_MAX_SALT_LEN];
    memcpy(master, key, p->key_len);
    memcpy(master + p->key_len, salt, p->salt_len);

    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    p->set_rtp(&policy.rtp);
    p->set_rtcp(&policy.rtcp);
    policy.ssrc.type = dir;
    policy.key = master;
    policy.window_size = 0;     /* libsrtp's default, 128 packets */
    policy.allow_repeat_tx = 0; /* never reuse a keystream */
    policy.next = NULL;
    srtp_err_status_t st = srtp_create(out, &policy);
    explicit_bzero(master, sizeof master);
    if (st != srtp_err_status_ok) *out = NULL;
    return st;
}

int mj_srtp_global_init(void)
{
    /* Kept for the life of the process: libsrtp's NSS backend opens an NSS
     * context per cipher and NSS shuts itself down when the last one
     * closes, so without a permanent session every idle moment would cost
     * a full NSS shutdown and re-initialization. Creating it here also
     * makes the first NSS initialization happen before any thread. */
    static srtp_t keeper;
    static bool done;
    if (done) return 0;
    /* Debian builds libsrtp2 on NSS, whose own contexts ask for
     * NSS_INIT_OPTIMIZESPACE: a 32-bucket table for key objects, searched on
     * every packet, so protect slowed down in step with the number of
     * listeners (13 us per packet at 1,000). NSS is initialized once per
     * process with the first caller's flags, so initializing it here first,
     * without that flag, gives libsrtp the time-optimized tables. */
    static NSSInitContext *nss;
    if (!nss) {
        nss = NSS_InitContext("", "", "", "", NULL,
                              NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB |
                                  NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT);
        if (!nss) {
            mj_error("srtp: cannot initialize NSS");
            return MJ_ECRYPTO;
        }
    }
    srtp_err_status_t st = srtp_init();
    if (st != srtp_err_status_ok) {
        mj_error("srtp: srtp_init failed (%d)", (int)st);
        return MJ_ECRYPTO;
    }
    static const uint8_t zero[MJ_SRTP_MAX_KEY_LEN + MJ_SRTP_MAX_SALT_LEN];
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        srtp_t s;
        st = session_new(&s, &profiles[i], ssrc_any_outbound, zero, zero);
        if (st != srtp_err_status_ok) {
            mj_error("srtp: libsrtp cannot do %s (%d)", profiles[i].name, (int)st);
            return MJ_EUNSUPP;
        }
        if (!keeper)
            keeper = s;
        else
            srtp_dealloc(s);
    }
    done = true;
    return 0;
}

void mj_srtp_dispose(mj_srtp *s)
{
    if (s->out) srtp_dealloc(s->out);
    if (s->in) srtp_dealloc(s->in);
    memset(s, 0, sizeof *s);
}

int mj_srtp_init(mj_srtp *s, const mj_srtp_keys *keys, unsigned flags)
{
    memset(s, 0, sizeof *s);
    const struct profile_info *p = profile_find(keys->profile);
    if (!p) return MJ_EUNSUPP;
    if (keys->key_len != p->key_len || keys->salt_len != p->salt_len) return MJ_EINVAL;
    s->profile = p->id;
    srtp_err_status_t st =
        session_new(&s->out, p, ssrc_any_outbound, keys->local_key, keys->local_salt);
    if (st == srtp_err_status_ok && !(flags & MJ_SRTP_OUTBOUND_ONLY))
        st = session_new(&s->in, p, ssrc_any_inbound, keys->remote_key, keys->remote_salt);
    if (st != srtp_err_status_ok) {
        mj_srtp_dispose(s);
        return map_status(st) == MJ_ENOMEM ? MJ_ENOMEM : MJ_ECRYPTO;
    }
    return 0;
}

int mj_srtp_add_inbound(mj_srtp *s, const mj_srtp_keys *keys)
{
    if (!s->out) return MJ_ESTATE;
    if (s->in) return 0;
    const struct profile_info *p = profile_find(keys->profile);
    if (!p || p->id != s->profile || keys->key_len != p->key_len || keys->salt_len != p->salt_len)
        return MJ_EINVAL;
    srtp_err_status_t st =
        session_new(&s->in, p, ssrc_any_inbound, keys->remote_key, keys->remote_salt);
    if (st != srtp_err_status_ok) {
        s->in = NULL;
        return map_status(st) == MJ_ENOMEM ? MJ_ENOMEM : MJ_ECRYPTO;
    }
    return 0;
}

/* Common argument checks for protect: libsrtp takes an int length and
 * trusts that the trailer fits. */
static int check_protect(const mj_srtp *s, size_t len, size_t cap, size_t min_len)
{
    if (!s->out) return MJ_ESTATE;
    if (len < min_len) return MJ_EINVAL;
    if (cap < len || cap - len < MJ_SRTP_MAX_TRAILER) return MJ_ENOSPC;
    if (len > (size_t)INT_MAX - MJ_SRTP_MAX_TRAILER) return MJ_EINVAL;
    return 0;
}

long mj_srtp_protect_rtp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap)
{
    int err = check_protect(s, len, cap, 12);
    if (err) return err;
    int n = (int)len;
    err = map_status(srtp_protect(s->out, buf, &n));
    return err ? err : n;
}

long mj_srtp_protect_rtcp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap)
{
    int err = check_protect(s, len, cap, 8);
    if (err) return err;
    int n = (int)len;
    err = map_status(srtp_protect_rtcp(s->out, buf, &n));
    return err ? err : n;
}

/* Admits an inbound SSRC: known ones always, a new one while there is room.
 * It is remembered only after its packet authenticates (ssrc_remember). */
static bool ssrc_known(const mj_srtp *s, uint32_t ssrc)
{
    for (unsigned i = 0; i < s->n_in_ssrcs; i++)
        if (s->in_ssrcs[i] == ssrc) return true;
    return false;
}

static void ssrc_remember(mj_srtp *s, uint32_t ssrc)
{
    if (!ssrc_known(s, ssrc) && s->n_in_ssrcs < MJ_SRTP_MAX_INBOUND_SSRCS)
        s->in_ssrcs[s->n_in_ssrcs++] = ssrc;
}

static int check_unprotect(const mj_srtp *s, const uint8_t *buf, size_t len, size_t min_len,
                           size_t ssrc_at)
{
    if (!s->in) return MJ_ESTATE;
    if (len < min_len || len > INT_MAX) return MJ_EINVAL;
    uint32_t ssrc = mj_be32(buf + ssrc_at);
    if (!ssrc_known(s, ssrc) && s->n_in_ssrcs >= MJ_SRTP_MAX_INBOUND_SSRCS) return MJ_ELIMIT;
    return 0;
}

long mj_srtp_unprotect_rtp(mj_srtp *s, uint8_t *buf, size_t len)
{
    /* A header and at least the shortest tag (4 bytes, SHA1_32). */
    int err = check_unprotect(s, buf, len, 12 + 4, 8);
    if (err) return err;
    uint32_t ssrc = mj_be32(buf + 8);
    int n = (int)len;
    err = map_status(srtp_unprotect(s->in, buf, &n));
    if (err) return err;
    ssrc_remember(s, ssrc);
    return n;
}

long mj_srtp_unprotect_rtcp(mj_srtp *s, uint8_t *buf, size_t len)
{
    /* A header, the E-flag and index, and the shortest SRTCP tag (10). */
    int err = check_unprotect(s, buf, len, 8 + 4 + 10, 4);
    if (err) return err;
    uint32_t ssrc = mj_be32(buf + 4);
    int n = (int)len;
    err = map_status(srtp_unprotect_rtcp(s->in, buf, &n));
    if (err) return err;
    ssrc_remember(s, ssrc);
    return n;
}
