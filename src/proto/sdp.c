/* Small SDP helpers shared by the parser (sdp_parse.c), the writers
 * (sdp_write.c) and the modules that act on an offer: names, the
 * direction rules of RFC 3264 §6.1, what the server can accept, and the
 * a=fingerprint and ICE credential grammars. */
#include "proto/sdp.h"

#include <string.h>
#include <strings.h>

/* ---- Names ---------------------------------------------------------------- */

static const struct {
    const char *name;
    enum mj_sdp_hash hash;
    uint8_t len;
} hashes[] = {
    {"sha-1", MJ_SDP_HASH_SHA1, 20},     {"sha-224", MJ_SDP_HASH_SHA224, 28},
    {"sha-256", MJ_SDP_HASH_SHA256, 32}, {"sha-384", MJ_SDP_HASH_SHA384, 48},
    {"sha-512", MJ_SDP_HASH_SHA512, 64},
};
#define NHASHES (sizeof hashes / sizeof hashes[0])

const char *mj_sdp_hash_name(enum mj_sdp_hash h)
{
    for (size_t i = 0; i < NHASHES; i++)
        if (hashes[i].hash == h) return hashes[i].name;
    return "none";
}

static const char *const dir_names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

const char *mj_sdp_dir_name(enum mj_sdp_dir d)
{
    return (unsigned)d <= MJ_SDP_INACTIVE ? dir_names[d] : "inactive";
}

/* ---- Offer/answer rules ------------------------------------------------------ */

enum mj_sdp_dir mj_sdp_dir_reverse(enum mj_sdp_dir d)
{
    return d == MJ_SDP_SENDONLY ? MJ_SDP_RECVONLY : d == MJ_SDP_RECVONLY ? MJ_SDP_SENDONLY : d;
}

bool mj_sdp_dir_compatible(enum mj_sdp_dir offer, enum mj_sdp_dir answer)
{
    if ((unsigned)answer > MJ_SDP_INACTIVE) return false;
    return offer == MJ_SDP_SENDRECV || answer == MJ_SDP_INACTIVE ||
           answer == mj_sdp_dir_reverse(offer);
}

bool mj_sdp_media_usable(const mj_sdp_media *m)
{
    return m->kind == MJ_SDP_AUDIO && m->opus_pt >= 0 && m->rtcp_mux &&
           (m->port != 0 || m->bundle_only) &&
           (strcmp(m->proto, "UDP/TLS/RTP/SAVPF") == 0 ||
            strcmp(m->proto, "UDP/TLS/RTP/SAVP") == 0) &&
           m->tr.ice_ufrag[0] && m->tr.ice_pwd[0] && m->tr.nfingerprints > 0;
}

int mj_sdp_first_opus(const mj_sdp *sdp)
{
    for (size_t i = 0; i < sdp->nmedia && i < MJ_SDP_MAX_MEDIA; i++)
        if (mj_sdp_media_usable(&sdp->media[i])) return (int)i;
    return MJ_ENOTFOUND;
}

int mj_sdp_find_mid(const mj_sdp *sdp, const char *mid)
{
    for (size_t i = 0; mid && mid[0] && i < sdp->nmedia && i < MJ_SDP_MAX_MEDIA; i++)
        if (strcmp(sdp->media[i].mid, mid) == 0) return (int)i;
    return MJ_ENOTFOUND;
}

/* ---- Grammars ----------------------------------------------------------------- */

/* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
static bool is_ice_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

static bool ice_valid(const char *s, size_t min, size_t max)
{
    if (!s) return false;
    size_t n = strnlen(s, max + 1);
    for (size_t i = 0; i < n; i++)
        if (!is_ice_char(s[i])) return false;
    return n >= min && n <= max;
}

bool mj_sdp_ice_ufrag_valid(const char *s)
{
    return ice_valid(s, MJ_SDP_UFRAG_MIN, MJ_SDP_UFRAG_MAX);
}

bool mj_sdp_ice_pwd_valid(const char *s)
{
    return ice_valid(s, MJ_SDP_PWD_MIN, MJ_SDP_PWD_MAX);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The digest after the hash name: exactly len hex pairs joined by ':'. */
static bool parse_hex_pairs(const char *s, size_t n, uint8_t *out, size_t len)
{
    if (n != len * 3 - 1) return false;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i + 1 < len && s[3 * i + 2] != ':')) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

int mj_sdp_fingerprint_parse(const char *text, size_t len, mj_sdp_fingerprint *out,
                             const char **why)
{
    const char *reason = "bad a=fingerprint (expected <hash> AB:CD:...)";
    int rc = MJ_EINVAL;
    memset(out, 0, sizeof *out);
    /* RFC 8122 §5: hash-func SP fingerprint, nothing else. */
    const char *sp = text ? memchr(text, ' ', len) : NULL;
    if (!sp || sp == text) goto fail;
    size_t nlen = (size_t)(sp - text), hlen = len - nlen - 1;
    size_t h = 0;
    while (h < NHASHES &&
           !(strlen(hashes[h].name) == nlen && strncasecmp(text, hashes[h].name, nlen) == 0))
        h++;
    if (h == NHASHES) {
        reason = "a=fingerprint uses an unsupported hash function";
        rc = MJ_EUNSUPP;
        goto fail;
    }
    if (hlen != (size_t)hashes[h].len * 3 - 1) {
        reason = "a=fingerprint length does not match its hash function";
        goto fail;
    }
    if (!parse_hex_pairs(sp + 1, hlen, out->bytes, hashes[h].len)) {
        reason = "a=fingerprint is not hex pairs separated by colons";
        goto fail;
    }
    out->hash = hashes[h].hash;
    out->len = hashes[h].len;
    return 0;
fail:
    memset(out, 0, sizeof *out);
    if (why) *why = reason;
    return rc;
}
