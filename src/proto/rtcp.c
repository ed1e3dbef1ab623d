#include "proto/rtcp.h"

#include "proto/rtp.h" /* sequence number arithmetic */

#define FAIL(code, reason)                                                                         \
    do {                                                                                           \
        if (why) *why = (reason);                                                                  \
        return (code);                                                                             \
    } while (0)

void mj_rtcp_iter_init(mj_rtcp_iter *it, const uint8_t *d, size_t n)
{
    it->p = d;
    it->n = n;
    it->off = 0;
    it->err = 0;
}

static int iter_fail(mj_rtcp_iter *it, int err, const char *reason, const char **why)
{
    it->err = err;
    if (why) *why = reason;
    return err;
}

int mj_rtcp_next(mj_rtcp_iter *it, mj_rtcp_hdr *h, const char **why)
{
    if (it->err) FAIL(it->err, "rtcp: stopped at an earlier malformed sub-packet");
    if (it->off >= it->n) return 0;
    const uint8_t *p = it->p + it->off;
    size_t left = it->n - it->off;
    if (left < MJ_RTCP_HDR_LEN)
        return iter_fail(it, MJ_ETRUNC, "rtcp: trailing bytes shorter than a header", why);
    if (p[0] >> 6 != 2) return iter_fail(it, MJ_EINVAL, "rtcp: version is not 2", why);
    uint16_t length = mj_be16(p + 2);
    size_t size = 4 * ((size_t)length + 1);
    if (size > left) return iter_fail(it, MJ_ETRUNC, "rtcp: length runs past the end", why);
    size_t body = size - MJ_RTCP_HDR_LEN;
    bool padding = (p[0] & 0x20) != 0;
    if (padding) {
        /* The count includes itself (RFC 3550 §6.4.1); RFC 3550 wants a
         * multiple of four, which is not worth rejecting. */
        uint8_t pad = p[size - 1];
        if (pad == 0 || pad > body) return iter_fail(it, MJ_EINVAL, "rtcp: bad padding count", why);
        body -= pad;
    }
    h->version = 2;
    h->padding = padding;
    h->count = p[0] & 0x1f;
    h->pt = p[1];
    h->length = length;
    h->pkt = mj_slice_make(p, size);
    h->body = mj_slice_make(p + MJ_RTCP_HDR_LEN, body);
    it->off += size;
    return 1;
}

int mj_rtcp_parse_report(const mj_rtcp_hdr *h, mj_rtcp_report *r, const char **why)
{
    if (h->pt != MJ_RTCP_SR && h->pt != MJ_RTCP_RR) FAIL(MJ_EINVAL, "rtcp: not an SR or RR");
    mj_slice b = h->body;
    r->is_sr = h->pt == MJ_RTCP_SR;
    size_t off = r->is_sr ? 24 : 4;
    if (b.n < off)
        FAIL(MJ_ETRUNC,
             r->is_sr ? "rtcp: SR shorter than its sender info" : "rtcp: RR without SSRC");
    r->ssrc = mj_be32(b.p);
    if (r->is_sr) {
        r->si.ntp = mj_be64(b.p + 4);
        r->si.rtp_ts = mj_be32(b.p + 12);
        r->si.packet_count = mj_be32(b.p + 16);
        r->si.octet_count = mj_be32(b.p + 20);
    } else {
        r->si = (mj_rtcp_sender_info){0};
    }
    size_t fit = (b.n - off) / MJ_RTCP_RB_LEN;
    r->rb_count = (uint8_t)(h->count < fit ? h->count : fit);
    r->rb = b.p + off;
    off += (size_t)r->rb_count * MJ_RTCP_RB_LEN;
    r->ext = mj_slice_make(b.p + off, b.n - off);
    return 0;
}

int mj_rtcp_report_block(const mj_rtcp_report *r, unsigned i, mj_rtcp_rb *out)
{
    if (i >= r->rb_count) return MJ_EINVAL;
    const uint8_t *p = r->rb + (size_t)i * MJ_RTCP_RB_LEN;
    out->ssrc = mj_be32(p);
    out->fraction_lost = p[4];
    uint32_t lost = mj_be24(p + 5);
    out->cumulative_lost = (int32_t)(lost & 0x800000 ? (int64_t)lost - 0x1000000 : lost);
    out->highest_seq = mj_be32(p + 8);
    out->jitter = mj_be32(p + 12);
    out->lsr = mj_be32(p + 16);
    out->dlsr = mj_be32(p + 20);
    return 0;
}

int mj_rtcp_sdes_init(mj_rtcp_sdes_iter *it, const mj_rtcp_hdr *h)
{
    if (h->pt != MJ_RTCP_SDES) return MJ_EINVAL;
    it->body = h->body;
    it->off = 0;
    it->chunks_left = h->count;
    it->in_chunk = false;
    it->ssrc = 0;
    return 0;
}

static int sdes_fail(mj_rtcp_sdes_iter *it, const char *reason, const char **why)
{
    it->off = it->body.n;
    it->chunks_left = 0;
    it->in_chunk = false;
    if (why) *why = reason;
    return MJ_ETRUNC;
}

int mj_rtcp_sdes_next(mj_rtcp_sdes_iter *it, mj_rtcp_sdes_item *item, const char **why)
{
    const uint8_t *p = it->body.p;
    size_t n = it->body.n;
    /* Every pass consumes at least one byte, so this ends. */
    for (;;) {
        if (!it->in_chunk) {
            if (it->chunks_left == 0 || it->off >= n) return 0;
            if (n - it->off < 4)
                return sdes_fail(it, "rtcp: SDES chunk SSRC runs past the end", why);
            it->ssrc = mj_be32(p + it->off);
            it->off += 4;
            it->chunks_left--;
            it->in_chunk = true;
        }
        if (it->off >= n) {
            it->in_chunk = false;
            continue;
        }
        uint8_t type = p[it->off];
        if (type == MJ_RTCP_SDES_END) {
            /* Null octets pad the chunk to a 32-bit boundary; chunks start
             * aligned because the body does. */
            size_t next = (it->off + 4) & ~(size_t)3;
            it->off = next < n ? next : n;
            it->in_chunk = false;
            continue;
        }
        if (n - it->off < 2 || p[it->off + 1] > n - it->off - 2)
            return sdes_fail(it, "rtcp: SDES item runs past the end", why);
        item->ssrc = it->ssrc;
        item->type = type;
        item->text = mj_slice_make(p + it->off + 2, p[it->off + 1]);
        it->off += 2 + (size_t)p[it->off + 1];
        return 1;
    }
}

int mj_rtcp_sdes_cname(const mj_rtcp_hdr *h, uint32_t *ssrc, mj_slice *cname)
{
    mj_rtcp_sdes_iter it;
    mj_rtcp_sdes_item item;
    int rc = mj_rtcp_sdes_init(&it, h);
    if (rc < 0) return rc;
    while ((rc = mj_rtcp_sdes_next(&it, &item, NULL)) > 0) {
        if (item.type == MJ_RTCP_SDES_CNAME) {
            *ssrc = item.ssrc;
            *cname = item.text;
            return 0;
        }
    }
    return rc < 0 ? rc : MJ_ENOTFOUND;
}

int mj_rtcp_parse_bye(const mj_rtcp_hdr *h, mj_rtcp_bye *b, const char **why)
{
    if (h->pt != MJ_RTCP_BYE) FAIL(MJ_EINVAL, "rtcp: not a BYE");
    mj_slice body = h->body;
    size_t fit = body.n / 4;
    b->count = (uint8_t)(h->count < fit ? h->count : fit);
    b->ssrcs = body.p;
    size_t off = 4 * (size_t)b->count;
    b->reason = mj_slice_make(body.p + off, 0);
    /* With the count capped, what follows is a cut-off SSRC, not a reason. */
    if (b->count < h->count || off >= body.n) return 0;
    size_t len = body.p[off];
    if (len > body.n - off - 1) FAIL(MJ_ETRUNC, "rtcp: BYE reason runs past the end");
    b->reason = mj_slice_make(body.p + off + 1, len);
    return 0;
}

int mj_rtcp_parse_app(const mj_rtcp_hdr *h, mj_rtcp_app *a, const char **why)
{
    if (h->pt != MJ_RTCP_APP) FAIL(MJ_EINVAL, "rtcp: not an APP");
    if (h->body.n < 8) FAIL(MJ_ETRUNC, "rtcp: APP shorter than SSRC and name");
    a->subtype = h->count;
    a->ssrc = mj_be32(h->body.p);
    memcpy(a->name, h->body.p + 4, 4);
    a->data = mj_slice_make(h->body.p + 8, h->body.n - 8);
    return 0;
}

int mj_rtcp_parse_fb(const mj_rtcp_hdr *h, mj_rtcp_fb *fb, const char **why)
{
    if (h->pt != MJ_RTCP_RTPFB && h->pt != MJ_RTCP_PSFB)
        FAIL(MJ_EINVAL, "rtcp: not a feedback message");
    if (h->body.n < 8) FAIL(MJ_ETRUNC, "rtcp: feedback shorter than its two SSRCs");
    fb->pt = h->pt;
    fb->fmt = h->count;
    fb->sender_ssrc = mj_be32(h->body.p);
    fb->media_ssrc = mj_be32(h->body.p + 4);
    fb->fci = mj_slice_make(h->body.p + 8, h->body.n - 8);
    return 0;
}

size_t mj_rtcp_nack_seqs(const mj_rtcp_fb *fb, uint16_t *out, size_t cap)
{
    size_t k = 0;
    unsigned pairs = mj_rtcp_nack_count(fb);
    for (unsigned i = 0; i < pairs && k < cap; i++) {
        uint16_t pid, blp;
        mj_rtcp_nack_pair(fb, i, &pid, &blp);
        out[k++] = pid;
        for (unsigned bit = 0; bit < 16 && k < cap; bit++)
            if (blp & (1u << bit)) out[k++] = (uint16_t)(pid + bit + 1);
    }
    return k;
}

/* Writers. Each reserves its whole sub-packet at once, so a packet that
 * does not fit leaves the writer failed without a partial header in the
 * caller's accounting. */

static void put_hdr(uint8_t *p, unsigned count, uint8_t pt, size_t size)
{
    p[0] = (uint8_t)(2 << 6 | count);
    p[1] = pt;
    mj_put_be16(p + 2, (uint16_t)(size / 4 - 1));
}

static void put_rb(uint8_t *p, const mj_rtcp_rb *rb)
{
    int32_t lost = rb->cumulative_lost;
    if (lost > 0x7fffff) lost = 0x7fffff;
    if (lost < -0x800000) lost = -0x800000;
    mj_put_be32(p, rb->ssrc);
    p[4] = rb->fraction_lost;
    mj_put_be24(p + 5, (uint32_t)lost & 0xffffff);
    mj_put_be32(p + 8, rb->highest_seq);
    mj_put_be32(p + 12, rb->jitter);
    mj_put_be32(p + 16, rb->lsr);
    mj_put_be32(p + 20, rb->dlsr);
}

long mj_rtcp_write_sr(mj_wbuf *w, uint32_t ssrc, const mj_rtcp_sender_info *si,
                      const mj_rtcp_rb *rbs, size_t nrb)
{
    if (nrb > MJ_RTCP_MAX_COUNT) return MJ_EINVAL;
    size_t size = 28 + MJ_RTCP_RB_LEN * nrb;
    uint8_t *p = mj_wbuf_reserve(w, size);
    if (!p) return MJ_ENOSPC;
    put_hdr(p, (unsigned)nrb, MJ_RTCP_SR, size);
    mj_put_be32(p + 4, ssrc);
    mj_put_be64(p + 8, si->ntp);
    mj_put_be32(p + 16, si->rtp_ts);
    mj_put_be32(p + 20, si->packet_count);
    mj_put_be32(p + 24, si->octet_count);
    for (size_t i = 0; i < nrb; i++)
        put_rb(p + 28 + MJ_RTCP_RB_LEN * i, &rbs[i]);
    return mj_wbuf_result(w);
}

long mj_rtcp_write_rr(mj_wbuf *w, uint32_t ssrc, const mj_rtcp_rb *rbs, size_t nrb)
{
    if (nrb > MJ_RTCP_MAX_COUNT) return MJ_EINVAL;
    size_t size = 8 + MJ_RTCP_RB_LEN * nrb;
    uint8_t *p = mj_wbuf_reserve(w, size);
    if (!p) return MJ_ENOSPC;
    put_hdr(p, (unsigned)nrb, MJ_RTCP_RR, size);
    mj_put_be32(p + 4, ssrc);
    for (size_t i = 0; i < nrb; i++)
        put_rb(p + 8 + MJ_RTCP_RB_LEN * i, &rbs[i]);
    return mj_wbuf_result(w);
}

long mj_rtcp_write_sdes_cnames(mj_wbuf *w, const uint32_t *ssrcs, size_t n, const char *cname,
                               size_t len)
{
    if (n == 0 || n > MJ_RTCP_MAX_COUNT || len > 255) return MJ_EINVAL;
    /* Each chunk: SSRC, the item, then one to four null octets: at least
     * one ends the item list, the rest pad the chunk to 32 bits. */
    size_t nulls = 4 - ((2 + len) & 3);
    size_t chunk = 4 + 2 + len + nulls;
    size_t size = 4 + chunk * n;
    uint8_t *p = mj_wbuf_reserve(w, size);
    if (!p) return MJ_ENOSPC;
    put_hdr(p, (unsigned)n, MJ_RTCP_SDES, size);
    for (size_t i = 0; i < n; i++) {
        uint8_t *c = p + 4 + chunk * i;
        mj_put_be32(c, ssrcs[i]);
        c[4] = MJ_RTCP_SDES_CNAME;
        c[5] = (uint8_t)len;
        if (len) memcpy(c + 6, cname, len);
        memset(c + 6 + len, 0, nulls);
    }
    return mj_wbuf_result(w);
}

long mj_rtcp_write_sdes_cname(mj_wbuf *w, uint32_t ssrc, const char *cname, size_t len)
{
    return mj_rtcp_write_sdes_cnames(w, &ssrc, 1, cname, len);
}

long mj_rtcp_write_bye(mj_wbuf *w, const uint32_t *ssrcs, size_t n, const char *reason,
                       size_t reason_len)
{
    if (n > MJ_RTCP_MAX_COUNT || reason_len > 255) return MJ_EINVAL;
    size_t rsize = reason_len ? (1 + reason_len + 3) & ~(size_t)3 : 0;
    size_t size = 4 + 4 * n + rsize;
    uint8_t *p = mj_wbuf_reserve(w, size);
    if (!p) return MJ_ENOSPC;
    put_hdr(p, (unsigned)n, MJ_RTCP_BYE, size);
    for (size_t i = 0; i < n; i++)
        mj_put_be32(p + 4 + 4 * i, ssrcs[i]);
    if (rsize) {
        uint8_t *r = p + 4 + 4 * n;
        memset(r, 0, rsize);
        r[0] = (uint8_t)reason_len;
        memcpy(r + 1, reason, reason_len);
    }
    return mj_wbuf_result(w);
}

long mj_rtcp_write_fb(mj_wbuf *w, uint8_t pt, uint8_t fmt, uint32_t sender_ssrc,
                      uint32_t media_ssrc, const uint8_t *fci, size_t len)
{
    if ((pt != MJ_RTCP_RTPFB && pt != MJ_RTCP_PSFB) || fmt > MJ_RTCP_MAX_COUNT || len % 4 ||
        len > 4 * (size_t)(0xffff - 2))
        return MJ_EINVAL;
    size_t size = 12 + len;
    uint8_t *p = mj_wbuf_reserve(w, size);
    if (!p) return MJ_ENOSPC;
    put_hdr(p, fmt, pt, size);
    mj_put_be32(p + 4, sender_ssrc);
    mj_put_be32(p + 8, media_ssrc);
    if (len) memcpy(p + 12, fci, len);
    return mj_wbuf_result(w);
}

/* Pairs are packed into the writer behind a reserved header, which is
 * filled in once their number is known. */
long mj_rtcp_write_nack(mj_wbuf *w, uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs,
                        size_t n)
{
    if (n == 0) return MJ_EINVAL;
    size_t start = w->len;
    uint8_t *p = mj_wbuf_reserve(w, 12);
    if (!p) return MJ_ENOSPC;
    uint8_t *pair = NULL;
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        if (pair) {
            int32_t d = mj_seq_diff(seqs[i], mj_be16(pair));
            if (d == 0) continue;
            if (d > 0 && d <= 16) {
                mj_put_be16(pair + 2, (uint16_t)(mj_be16(pair + 2) | 1u << (d - 1)));
                continue;
            }
        }
        pair = mj_wbuf_reserve(w, 4);
        if (!pair) return MJ_ENOSPC;
        mj_put_be16(pair, seqs[i]);
        mj_put_be16(pair + 2, 0);
        pairs++;
    }
    if (2 + pairs > 0xffff) {
        w->len = start;
        return MJ_EINVAL;
    }
    put_hdr(p, MJ_RTCP_FMT_NACK, MJ_RTCP_RTPFB, 12 + 4 * pairs);
    mj_put_be32(p + 4, sender_ssrc);
    mj_put_be32(p + 8, media_ssrc);
    return mj_wbuf_result(w);
}
