/* Fuzz target for src/proto/rtp: parse, look up every extension id in both
 * forms and the audio level, check the view accounts for every byte, run
 * the in-place rewriters on a copy and parse it again, and round-trip a
 * header built from the input through the writer. */
#include "proto/rtp.h"

#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static void check_slice_inside(mj_slice s, const uint8_t *d, size_t n)
{
    ASSERT(s.p >= d && s.n <= n && (size_t)(s.p - d) <= n - s.n);
}

static void lookups(const mj_rtp_hdr *h, const uint8_t *d, size_t n)
{
    mj_slice e;
    for (unsigned id = 0; id <= 256; id++) {
        int rc = mj_rtp_ext_find(h, id, &e);
        ASSERT(rc == 0 || rc == MJ_ENOTFOUND || rc == MJ_ETRUNC);
        if (rc == 0) {
            check_slice_inside(e, h->ext.p, h->ext.n);
            check_slice_inside(e, d, n);
            ASSERT(id >= 1 && id <= (h->ext_form == MJ_RTP_EXT_ONE_BYTE ? 14u : 255u));
        }
    }
    for (unsigned id = 0; id <= 15; id++) {
        bool voice;
        uint8_t level;
        int rc = mj_rtp_audio_level(h, id, &voice, &level);
        ASSERT(rc == 0 || rc == MJ_ENOTFOUND || rc == MJ_ETRUNC || rc == MJ_EINVAL);
        if (rc == 0) ASSERT(level <= 127);
    }
}

static void rewrite(const mj_rtp_hdr *h, const uint8_t *d, size_t n)
{
    uint8_t *c = malloc(n);
    memcpy(c, d, n);
    uint16_t seq = (uint16_t)~h->seq;
    mj_rtp_set_ssrc(c, ~h->ssrc);
    mj_rtp_set_seq(c, seq);
    mj_rtp_set_ts(c, h->ts + 960);
    mj_rtp_set_pt(c, (uint8_t)(h->pt ^ 0x55));
    mj_rtp_set_marker(c, !h->marker);
    mj_rtp_hdr g;
    ASSERT(mj_rtp_parse(c, n, &g, NULL) == 0);
    ASSERT(g.ssrc == ~h->ssrc && g.seq == seq && g.ts == h->ts + 960);
    ASSERT(g.pt == ((h->pt ^ 0x55) & 0x7f) && g.marker == !h->marker);
    ASSERT(g.hdr_len == h->hdr_len && g.payload.n == h->payload.n);
    ASSERT(mj_rtp_peek_ssrc(c) == g.ssrc && mj_rtp_peek_seq(c) == seq);
    ASSERT(memcmp(c + 12, d + 12, n - 12) == 0);
    free(c);
}

static void write_round_trip(const uint8_t *d, size_t n)
{
    if (n < 14) return;
    mj_rtp_out o = {.marker = d[0] & 1,
                    .pt = d[1] & 0x7f,
                    .seq = mj_be16(d + 2),
                    .ts = mj_be32(d + 4),
                    .ssrc = mj_be32(d + 8),
                    .level_id = (uint8_t)(d[12] % 15),
                    .voice = d[13] >> 7,
                    .level = d[13] & 0x7f};
    uint8_t buf[20];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    long len = mj_rtp_write(&w, &o);
    ASSERT(len == (o.level_id ? 20 : 12));
    mj_rtp_hdr h;
    ASSERT(mj_rtp_parse(buf, (size_t)len, &h, NULL) == 0);
    ASSERT(h.marker == o.marker && h.pt == o.pt && h.seq == o.seq && h.ts == o.ts &&
           h.ssrc == o.ssrc && h.payload.n == 0);
    if (o.level_id) {
        bool voice;
        uint8_t level;
        ASSERT(mj_rtp_audio_level(&h, o.level_id, &voice, &level) == 0);
        ASSERT(voice == o.voice && level == o.level);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    write_round_trip(d, n);
    mj_rtp_hdr h;
    const char *why = NULL;
    int rc = mj_rtp_parse(d, n, &h, &why);
    if (rc != 0) {
        ASSERT((rc == MJ_ETRUNC || rc == MJ_EINVAL) && why);
        return 0;
    }
    ASSERT(h.version == 2 && h.hdr_len >= MJ_RTP_FIXED_LEN);
    ASSERT(h.hdr_len + h.payload.n + h.pad_len == n);
    ASSERT(h.payload.p == d + h.hdr_len);
    ASSERT(h.padding ? h.pad_len >= 1 : h.pad_len == 0);
    check_slice_inside(h.ext, d, n);
    check_slice_inside(h.payload, d, n);
    for (unsigned i = 0; i < h.csrc_count; i++)
        (void)mj_rtp_csrc(&h, i);
    lookups(&h, d, n);
    rewrite(&h, d, n);
    return 0;
}
