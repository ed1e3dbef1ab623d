#include "proto/rtp.h"

#define FAIL(code, reason)                                                                         \
    do {                                                                                           \
        if (why) *why = (reason);                                                                  \
        return (code);                                                                             \
    } while (0)

/* Straight-line on purpose: this runs for every packet a speaker sends.
 * The extension block is located, not walked; elements are read only when
 * someone asks for one. */
int mj_rtp_parse(const uint8_t *d, size_t n, mj_rtp_hdr *h, const char **why)
{
    if (n < MJ_RTP_FIXED_LEN) FAIL(MJ_ETRUNC, "rtp: shorter than the fixed header");
    uint8_t b0 = d[0], b1 = d[1];
    h->version = b0 >> 6;
    if (h->version != MJ_RTP_VERSION) FAIL(MJ_EINVAL, "rtp: version is not 2");
    h->padding = (b0 & 0x20) != 0;
    h->extension = (b0 & 0x10) != 0;
    h->csrc_count = b0 & 0x0f;
    h->marker = (b1 & 0x80) != 0;
    h->pt = b1 & 0x7f;
    h->seq = mj_be16(d + 2);
    h->ts = mj_be32(d + 4);
    h->ssrc = mj_be32(d + 8);
    h->csrc = d + MJ_RTP_FIXED_LEN;

    size_t off = MJ_RTP_FIXED_LEN + 4 * (size_t)h->csrc_count;
    if (off > n) FAIL(MJ_ETRUNC, "rtp: CSRC list runs past the end");
    h->ext_form = MJ_RTP_EXT_NONE;
    h->ext_profile = 0;
    h->ext = mj_slice_make(d + off, 0);
    if (h->extension) {
        if (n - off < 4) FAIL(MJ_ETRUNC, "rtp: extension header runs past the end");
        uint16_t profile = mj_be16(d + off);
        size_t len = 4 * (size_t)mj_be16(d + off + 2);
        off += 4;
        if (len > n - off) FAIL(MJ_ETRUNC, "rtp: extension block runs past the end");
        h->ext_profile = profile;
        h->ext = mj_slice_make(d + off, len);
        off += len;
        if (profile == MJ_RTP_EXT_ONE_BYTE_PROFILE)
            h->ext_form = MJ_RTP_EXT_ONE_BYTE;
        else if ((profile & 0xfff0) == MJ_RTP_EXT_TWO_BYTE_PROFILE)
            h->ext_form = MJ_RTP_EXT_TWO_BYTE;
        else
            h->ext_form = MJ_RTP_EXT_OTHER;
    }
    h->hdr_len = off;

    size_t body = n - off;
    h->pad_len = 0;
    if (h->padding) {
        if (body == 0) FAIL(MJ_EINVAL, "rtp: padding flag set but no padding");
        uint8_t pad = d[n - 1];
        /* The count includes itself (RFC 3550 §5.1), so zero is invalid. */
        if (pad == 0 || pad > body) FAIL(MJ_EINVAL, "rtp: bad padding count");
        h->pad_len = pad;
        body -= pad;
    }
    h->payload = mj_slice_make(d + off, body);
    return 0;
}

/* RFC 8285 §4.2: a byte with id 0 is padding (libwebrtc also skips a
 * nonzero length there, one byte at a time), id 15 ends the block. */
static int find_one_byte(mj_slice ext, unsigned id, mj_slice *data)
{
    size_t i = 0;
    while (i < ext.n) {
        uint8_t b = ext.p[i];
        unsigned eid = b >> 4;
        if (eid == 0) {
            i++;
            continue;
        }
        if (eid == 15) return MJ_ENOTFOUND;
        size_t len = (size_t)(b & 0x0f) + 1;
        if (len > ext.n - i - 1) return MJ_ETRUNC;
        if (eid == id) {
            *data = mj_slice_make(ext.p + i + 1, len);
            return 0;
        }
        i += 1 + len;
    }
    return MJ_ENOTFOUND;
}

/* RFC 8285 §4.3: id byte, length byte, data; zero bytes between are
 * padding. */
static int find_two_byte(mj_slice ext, unsigned id, mj_slice *data)
{
    size_t i = 0;
    while (i < ext.n) {
        unsigned eid = ext.p[i];
        if (eid == 0) {
            i++;
            continue;
        }
        if (ext.n - i < 2) return MJ_ETRUNC;
        size_t len = ext.p[i + 1];
        if (len > ext.n - i - 2) return MJ_ETRUNC;
        if (eid == id) {
            *data = mj_slice_make(ext.p + i + 2, len);
            return 0;
        }
        i += 2 + len;
    }
    return MJ_ENOTFOUND;
}

int mj_rtp_ext_find(const mj_rtp_hdr *h, unsigned id, mj_slice *data)
{
    switch (h->ext_form) {
    case MJ_RTP_EXT_ONE_BYTE:
        if (id < 1 || id > 14) return MJ_ENOTFOUND;
        return find_one_byte(h->ext, id, data);
    case MJ_RTP_EXT_TWO_BYTE:
        if (id < 1 || id > 255) return MJ_ENOTFOUND;
        return find_two_byte(h->ext, id, data);
    default: return MJ_ENOTFOUND;
    }
}

int mj_rtp_audio_level(const mj_rtp_hdr *h, unsigned id, bool *voice, uint8_t *level)
{
    mj_slice e;
    int rc = mj_rtp_ext_find(h, id, &e);
    if (rc < 0) return rc;
    if (e.n != 1) return MJ_EINVAL;
    *voice = (e.p[0] & 0x80) != 0;
    *level = e.p[0] & 0x7f;
    return 0;
}

long mj_rtp_write(mj_wbuf *w, const mj_rtp_out *o)
{
    if (o->pt > 127 || o->level_id > 14 || o->level > 127) return MJ_EINVAL;
    bool ext = o->level_id != 0;
    size_t len = MJ_RTP_FIXED_LEN + (ext ? 8 : 0);
    uint8_t *p = mj_wbuf_reserve(w, len);
    if (!p) return MJ_ENOSPC;
    p[0] = (uint8_t)(MJ_RTP_VERSION << 6 | (ext ? 0x10 : 0));
    p[1] = (uint8_t)((o->marker ? 0x80 : 0) | o->pt);
    mj_put_be16(p + 2, o->seq);
    mj_put_be32(p + 4, o->ts);
    mj_put_be32(p + 8, o->ssrc);
    if (ext) {
        /* One word of elements: id/len, level, two padding zeros. */
        mj_put_be16(p + 12, MJ_RTP_EXT_ONE_BYTE_PROFILE);
        mj_put_be16(p + 14, 1);
        p[16] = (uint8_t)(o->level_id << 4);
        p[17] = (uint8_t)((o->voice ? 0x80 : 0) | o->level);
        p[18] = 0;
        p[19] = 0;
    }
    return (long)len;
}
