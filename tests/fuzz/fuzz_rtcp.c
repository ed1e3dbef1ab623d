/* Fuzz target for src/proto/rtcp: iterate every sub-packet of a compound
 * packet, parse each by type and walk everything it exposes, then write
 * the report blocks and SDES/BYE contents back and parse them again. */
#include "proto/rtcp.h"

#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static uint8_t out[2048];

static void inside(mj_slice s, mj_slice outer)
{
    ASSERT(s.p >= outer.p && s.n <= outer.n && (size_t)(s.p - outer.p) <= outer.n - s.n);
}

static void report(const mj_rtcp_hdr *h)
{
    mj_rtcp_report r;
    if (mj_rtcp_parse_report(h, &r, NULL) != 0) return;
    ASSERT(r.rb_count <= h->count);
    inside(r.ext, h->body);
    mj_rtcp_rb rbs[MJ_RTCP_MAX_COUNT];
    for (unsigned i = 0; i < r.rb_count; i++) {
        ASSERT(mj_rtcp_report_block(&r, i, &rbs[i]) == 0);
        ASSERT(rbs[i].cumulative_lost >= -0x800000 && rbs[i].cumulative_lost <= 0x7fffff);
    }
    ASSERT(mj_rtcp_report_block(&r, r.rb_count, &rbs[0]) == MJ_EINVAL);
    /* Blocks survive a write and a parse unchanged. */
    mj_wbuf w;
    mj_wbuf_init(&w, out, sizeof out);
    long n = r.is_sr ? mj_rtcp_write_sr(&w, r.ssrc, &r.si, rbs, r.rb_count)
                     : mj_rtcp_write_rr(&w, r.ssrc, rbs, r.rb_count);
    ASSERT(n == (r.is_sr ? 28 : 8) + 24 * r.rb_count);
    mj_rtcp_iter it;
    mj_rtcp_hdr g;
    mj_rtcp_report q;
    mj_rtcp_iter_init(&it, out, (size_t)n);
    ASSERT(mj_rtcp_next(&it, &g, NULL) == 1 && mj_rtcp_parse_report(&g, &q, NULL) == 0);
    ASSERT(q.rb_count == r.rb_count && q.ssrc == r.ssrc && q.si.ntp == r.si.ntp);
    ASSERT(memcmp(q.rb, r.rb, 24 * (size_t)r.rb_count) == 0);
}

static void sdes(const mj_rtcp_hdr *h)
{
    mj_rtcp_sdes_iter it;
    mj_rtcp_sdes_item item;
    ASSERT(mj_rtcp_sdes_init(&it, h) == 0);
    int rc, items = 0;
    while ((rc = mj_rtcp_sdes_next(&it, &item, NULL)) > 0) {
        inside(item.text, h->body);
        ASSERT(item.type != 0 && ++items <= 1024);
    }
    ASSERT(rc == 0 || rc == MJ_ETRUNC);
    ASSERT(mj_rtcp_sdes_next(&it, &item, NULL) == 0);
    uint32_t ssrc;
    mj_slice cname;
    if (mj_rtcp_sdes_cname(h, &ssrc, &cname) == 0) {
        mj_wbuf w;
        mj_wbuf_init(&w, out, sizeof out);
        long n = mj_rtcp_write_sdes_cname(&w, ssrc, (const char *)cname.p, cname.n);
        ASSERT(n > 0 && n % 4 == 0);
        mj_rtcp_iter ci;
        mj_rtcp_hdr g;
        mj_rtcp_iter_init(&ci, out, (size_t)n);
        ASSERT(mj_rtcp_next(&ci, &g, NULL) == 1);
        uint32_t s2;
        mj_slice c2;
        ASSERT(mj_rtcp_sdes_cname(&g, &s2, &c2) == 0 && s2 == ssrc && mj_slice_eq(c2, cname));
    }
}

static void bye(const mj_rtcp_hdr *h)
{
    mj_rtcp_bye b;
    if (mj_rtcp_parse_bye(h, &b, NULL) != 0) return;
    ASSERT(b.count <= h->count && 4 * (size_t)b.count <= h->body.n);
    inside(b.reason, h->body);
    uint32_t ssrcs[MJ_RTCP_MAX_COUNT];
    for (unsigned i = 0; i < b.count; i++)
        ssrcs[i] = mj_rtcp_bye_ssrc(&b, i);
    mj_wbuf w;
    mj_wbuf_init(&w, out, sizeof out);
    long n = mj_rtcp_write_bye(&w, ssrcs, b.count, (const char *)b.reason.p, b.reason.n);
    ASSERT(n > 0);
    mj_rtcp_iter it;
    mj_rtcp_hdr g;
    mj_rtcp_bye c;
    mj_rtcp_iter_init(&it, out, (size_t)n);
    ASSERT(mj_rtcp_next(&it, &g, NULL) == 1 && mj_rtcp_parse_bye(&g, &c, NULL) == 0);
    ASSERT(c.count == b.count && mj_slice_eq(c.reason, b.reason));
}

/* Writing the expanded sequence numbers and expanding again gives the
 * same set. */
static void nack_round_trip(const mj_rtcp_fb *fb, const uint16_t *seqs, size_t k)
{
    static uint8_t want[65536], got[65536];
    static uint16_t again[400 * 17];
    mj_wbuf w;
    mj_wbuf_init(&w, out, sizeof out);
    long n = mj_rtcp_write_nack(&w, fb->sender_ssrc, fb->media_ssrc, seqs, k);
    ASSERT(n > 0 && (size_t)n <= 12 + 4 * k);
    mj_rtcp_iter it;
    mj_rtcp_hdr g;
    mj_rtcp_fb f2;
    mj_rtcp_iter_init(&it, out, (size_t)n);
    ASSERT(mj_rtcp_next(&it, &g, NULL) == 1 && mj_rtcp_parse_fb(&g, &f2, NULL) == 0);
    ASSERT(f2.sender_ssrc == fb->sender_ssrc && f2.media_ssrc == fb->media_ssrc);
    size_t m = mj_rtcp_nack_seqs(&f2, again, sizeof again / sizeof again[0]);
    for (size_t i = 0; i < k; i++)
        want[seqs[i]] = 1;
    for (size_t i = 0; i < m; i++)
        got[again[i]] = 1;
    for (size_t i = 0; i < k; i++)
        ASSERT(got[seqs[i]]);
    for (size_t i = 0; i < m; i++)
        ASSERT(want[again[i]]);
    for (size_t i = 0; i < k; i++)
        want[seqs[i]] = got[seqs[i]] = 0;
    for (size_t i = 0; i < m; i++)
        want[again[i]] = got[again[i]] = 0;
}

static void feedback(const mj_rtcp_hdr *h)
{
    mj_rtcp_fb fb;
    if (mj_rtcp_parse_fb(h, &fb, NULL) != 0) return;
    inside(fb.fci, h->body);
    static uint16_t seqs[17 * 4096];
    if (fb.pt == MJ_RTCP_RTPFB && fb.fmt == MJ_RTCP_FMT_NACK) {
        size_t k = mj_rtcp_nack_seqs(&fb, seqs, sizeof seqs / sizeof seqs[0]);
        ASSERT(k >= mj_rtcp_nack_count(&fb) || k == sizeof seqs / sizeof seqs[0]);
        if (k > 0 && k <= 400) nack_round_trip(&fb, seqs, k);
    } else if (fb.pt == MJ_RTCP_PSFB && fb.fmt == MJ_RTCP_FMT_FIR) {
        for (unsigned i = 0; i < mj_rtcp_fir_count(&fb); i++) {
            uint32_t ssrc;
            uint8_t seq;
            mj_rtcp_fir_entry(&fb, i, &ssrc, &seq);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    mj_rtcp_iter it;
    mj_rtcp_hdr h;
    mj_rtcp_iter_init(&it, d, n);
    const char *why = NULL;
    int rc;
    mj_slice all = mj_slice_make(d, n);
    while ((rc = mj_rtcp_next(&it, &h, &why)) > 0) {
        inside(h.pkt, all);
        inside(h.body, h.pkt);
        ASSERT(h.version == 2 && h.pkt.n == 4 * ((size_t)h.length + 1));
        switch (h.pt) {
        case MJ_RTCP_SR:
        case MJ_RTCP_RR: report(&h); break;
        case MJ_RTCP_SDES: sdes(&h); break;
        case MJ_RTCP_BYE: bye(&h); break;
        case MJ_RTCP_APP: {
            mj_rtcp_app a;
            if (mj_rtcp_parse_app(&h, &a, NULL) == 0) inside(a.data, h.body);
            break;
        }
        case MJ_RTCP_RTPFB:
        case MJ_RTCP_PSFB: feedback(&h); break;
        default: break;
        }
    }
    ASSERT(rc == 0 || ((rc == MJ_ETRUNC || rc == MJ_EINVAL) && why));
    if (rc < 0) ASSERT(mj_rtcp_next(&it, &h, NULL) == rc);
    return 0;
}
