/* Tests for src/proto/sdp*: browser and client offers from the fixtures,
 * hand-made edge cases, the server's answers (parsed back), our client's
 * offer, truncation and limits. */
#include "test.h"

#include "fixture.h"

#include "proto/sdp.h"

static mj_sdp sdp, back; /* ~48 KiB each: not on the stack */
static char out[32768];

/* ---- Helpers ----------------------------------------------------------- */

/* The whole fixture in a buffer of exactly its size (no NUL), so ASan sees
 * any read past the end. Caller frees. */
static char *load(const char *name, size_t *len)
{
    static char tmp[1 << 17];
    *len = mj_fixture_read("sdp", name, tmp, sizeof tmp);
    char *p = malloc(*len ? *len : 1);
    memcpy(p, tmp, *len);
    return p;
}

static int parse_n(const char *text, size_t n, mj_sdp *s, const char **why)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    *why = NULL;
    int rc = mj_sdp_parse(copy, n, s, why);
    free(copy);
    return rc;
}

static const char *why;

static int parse(const char *text, mj_sdp *s)
{
    return parse_n(text, strlen(text), s, &why);
}

static int parse_fixture(const char *name, mj_sdp *s)
{
    size_t n;
    char *t = load(name, &n);
    int rc = mj_sdp_parse(t, n, s, &why);
    free(t);
    return rc;
}

/* A copy of text where each line starting with prefix becomes `with`
 * (which may hold several lines; NULL deletes). Static ring of buffers. */
static const char *edit(const char *text, const char *prefix, const char *with)
{
    static char ring[4][1 << 17];
    static int next;
    char *o = ring[next++ % 4];
    size_t len = 0, plen = strlen(prefix);
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) + 1 : strlen(text);
        const char *src = text;
        size_t sn = n;
        if (strncmp(text, prefix, plen) == 0) {
            src = with ? with : "";
            sn = strlen(src);
        }
        memcpy(o + len, src, sn);
        len += sn;
        if (src != text && with && sn && src[sn - 1] != '\n') o[len++] = '\n';
        text += n;
    }
    o[len] = '\0';
    return o;
}

static void check_fp(const mj_sdp_fingerprint *fp, enum mj_sdp_hash hash, const char *hex)
{
    mj_sdp_fingerprint want;
    char text[256];
    snprintf(text, sizeof text, "%s %s", mj_sdp_hash_name(hash), hex);
    REQUIRE(mj_sdp_fingerprint_parse(text, strlen(text), &want, NULL) == 0);
    CHECK_EQ(fp->hash, hash);
    CHECK_EQ(fp->len, want.len);
    CHECK_MEM(fp->bytes, want.bytes, want.len);
}

static void check_cand(const mj_sdp_candidate *c, const char *foundation, unsigned comp,
                       enum mj_sdp_cand_type type, uint32_t prio, const char *addr)
{
    char s[MJ_ADDR_STRLEN];
    CHECK_STR(c->foundation, foundation);
    CHECK_EQ(c->component, comp);
    CHECK_EQ(c->type, type);
    CHECK_EQ(c->priority, prio);
    CHECK_STR(mj_addr_str(&c->addr, s), addr);
}

#define FP256                                                                                      \
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"   \
    "88:99"
#define SRV_UFRAG "mjSv"
#define SRV_PWD   "0123456789abcdefghijklmn"

/* A minimal offer that parses; the edge cases edit it. */
static const char MIN[] = "v=0\n"
                          "o=- 1 1 IN IP4 127.0.0.1\n"
                          "s=-\n"
                          "t=0 0\n"
                          "a=group:BUNDLE 0\n"
                          "m=audio 9 UDP/TLS/RTP/SAVPF 111\n"
                          "c=IN IP4 0.0.0.0\n"
                          "a=mid:0\n"
                          "a=ice-ufrag:abcd\n"
                          "a=ice-pwd:0123456789012345678901\n"
                          "a=fingerprint:sha-256 " FP256 "\n"
                          "a=setup:actpass\n"
                          "a=rtcp-mux\n"
                          "a=rtpmap:111 opus/48000/2\n";

static mj_addr cands[2];

/* The server's answer parameters: every usable section accepted. */
static void make_answer(mj_sdp_answer *a, const mj_sdp *offer, enum mj_sdp_dir dir, bool ssrc)
{
    memset(a, 0, sizeof *a);
    REQUIRE(mj_addr_parse("192.0.2.10:40000", &cands[0]) == 0);
    REQUIRE(mj_addr_parse("[2001:db8::10]:40000", &cands[1]) == 0);
    a->session_id = 0x8000000000000123ull; /* written as 0x123 (63 bits) */
    a->ice_ufrag = SRV_UFRAG;
    a->ice_pwd = SRV_PWD;
    a->fingerprint = "sha-256 " FP256;
    a->candidates = cands;
    a->ncandidates = 2;
    for (size_t i = 0; i < offer->nmedia; i++) {
        a->media[i].accept = mj_sdp_media_usable(&offer->media[i]);
        a->media[i].dir = dir;
        a->media[i].ssrc = ssrc ? 0x1000u + (uint32_t)i : 0;
        a->media[i].cname = "majlis";
        a->media[i].msid_stream = ssrc ? "room" : NULL;
        a->media[i].msid_track = ssrc ? "slot" : NULL;
    }
}

/* Writes the answer and parses it back into `back`; returns its length. */
static long answer_roundtrip(const mj_sdp *offer, const mj_sdp_answer *a)
{
    long n = mj_sdp_write_answer(offer, a, out, sizeof out);
    if (n <= 0) return n;
    CHECK_EQ(strlen(out), n);
    int rc = parse_n(out, (size_t)n, &back, &why);
    if (rc) fprintf(stderr, "  answer does not parse back: %s\n%s", why, out);
    return rc ? rc : n;
}

/* What every accepted section of our answer says. */
static void check_answer_section(const mj_sdp_media *m, int pt, enum mj_sdp_dir dir)
{
    CHECK_EQ(m->kind, MJ_SDP_AUDIO);
    CHECK_EQ(m->port, 40000);
    CHECK_STR(m->proto, "UDP/TLS/RTP/SAVPF");
    CHECK_EQ(m->npts, 1);
    CHECK_EQ(m->opus_pt, pt);
    /* Where the server receives, it asks the speaker for DTX. */
    CHECK_STR(m->opus_fmtp, dir == MJ_SDP_RECVONLY ? "minptime=10;useinbandfec=1;usedtx=1"
                                                   : "minptime=10;useinbandfec=1");
    CHECK_EQ(m->dir, dir);
    CHECK(m->rtcp_mux);
    CHECK(m->bundled);
    CHECK_STR(m->tr.ice_ufrag, SRV_UFRAG);
    CHECK_STR(m->tr.ice_pwd, SRV_PWD);
    CHECK_EQ(m->tr.setup, MJ_SDP_SETUP_PASSIVE);
    CHECK_EQ(m->tr.nfingerprints, 1);
    check_fp(&m->tr.fingerprints[0], MJ_SDP_HASH_SHA256, FP256);
    REQUIRE(m->ncandidates == 2);
    check_cand(&m->candidates[0], "1", 1, MJ_SDP_CAND_HOST, 2130706431, "192.0.2.10:40000");
    check_cand(&m->candidates[1], "2", 1, MJ_SDP_CAND_HOST, 2130706175, "[2001:db8::10]:40000");
    CHECK(m->end_of_candidates);
    CHECK(mj_sdp_media_usable(m));
}

/* ---- Browser and client offers ------------------------------------------------ */

TEST(chrome_whip_offer)
{
    REQUIRE(parse_fixture("chrome_whip_offer.sdp", &sdp) == 0);
    CHECK_EQ(sdp.origin_id, 6984514946311387478ull);
    CHECK_EQ(sdp.origin_version, 2);
    CHECK(!sdp.ice_lite);
    CHECK(sdp.extmap_allow_mixed);
    REQUIRE(sdp.nmedia == 1);
    CHECK_EQ(sdp.nbundle, 1);
    CHECK_EQ(mj_sdp_first_opus(&sdp), 0);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK_EQ(m->kind, MJ_SDP_AUDIO);
    CHECK_STR(m->media, "audio");
    CHECK_EQ(m->port, 50412);
    CHECK_STR(m->proto, "UDP/TLS/RTP/SAVPF");
    CHECK_STR(m->fmts, "111 63 9 0 8 13 110 126");
    CHECK_EQ(m->npts, 8);
    CHECK_EQ(m->pts[0], 111);
    CHECK_EQ(m->pts[7], 126);
    CHECK_STR(m->mid, "0");
    CHECK(m->bundled);
    CHECK_EQ(m->dir, MJ_SDP_SENDONLY);
    CHECK(m->rtcp_mux && m->rtcp_rsize && !m->rtcp_mux_only && !m->bundle_only);
    CHECK_EQ(m->opus_pt, 111);
    CHECK_STR(m->opus_fmtp, "minptime=10;useinbandfec=1");
    CHECK_EQ(m->audio_level_ext, 1);
    CHECK_EQ(m->audio_level_dir, MJ_SDP_SENDRECV);
    CHECK_EQ(m->mid_ext, 4);
    REQUIRE(m->nextmaps == 4);
    CHECK_EQ(m->extmaps[1].id, 2);
    CHECK_STR(m->extmaps[1].uri, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
    CHECK_EQ(m->extmaps[2].id, 3);
    CHECK_STR(m->extmaps[2].uri,
              "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    CHECK(m->has_ssrc);
    CHECK_EQ(m->ssrc, 2893482321u);
    CHECK_STR(m->cname, "kX3bT9pQw2LmZ7vR");
    CHECK_STR(m->msid_stream, "3c2a3d3e-5f1b-4e7a-9d5c-2b8f6a1e9c47");
    CHECK_STR(m->msid_track, "8e6d2f0a-7b4c-4d1e-a3f5-9c0b1e2d3f4a");
    CHECK_STR(m->tr.ice_ufrag, "7fKq");
    CHECK_STR(m->tr.ice_pwd, "Q2w1bJ3yVt8nE5mH0rXcZ6aP");
    CHECK(m->tr.ice_trickle && !m->tr.ice2);
    CHECK_EQ(m->tr.setup, MJ_SDP_SETUP_ACTPASS);
    REQUIRE(m->tr.nfingerprints == 1);
    check_fp(&m->tr.fingerprints[0], MJ_SDP_HASH_SHA256,
             "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:"
             "D0:A1:2C:19:08");
    CHECK_EQ(m->tr.fingerprints[0].bytes[0], 0x7B);
    REQUIRE(m->ncandidates == 1);
    check_cand(&m->candidates[0], "3349372736", 1, MJ_SDP_CAND_HOST, 2122260223, "127.0.0.1:50412");
    CHECK_EQ(m->candidates_skipped, 1); /* the TCP one */
    CHECK(!m->mdns_candidates && !m->end_of_candidates);
    CHECK_EQ(m->conn.family, 4);
    CHECK(mj_addr_is_loopback(&m->conn));
    CHECK_EQ(sdp.session.ice_ufrag[0], '\0');
    CHECK_EQ(sdp.session.nfingerprints, 0);
}

TEST(chrome_whep_offer_3audio)
{
    REQUIRE(parse_fixture("chrome_whep_offer_3audio.sdp", &sdp) == 0);
    REQUIRE(sdp.nmedia == 3);
    REQUIRE(sdp.nbundle == 3);
    char addr[MJ_ADDR_STRLEN], want[32];
    for (int i = 0; i < 3; i++) {
        const mj_sdp_media *m = &sdp.media[i];
        CHECK_EQ(sdp.bundle[i], i);
        snprintf(want, sizeof want, "%d", i);
        CHECK_STR(m->mid, want);
        CHECK_EQ(mj_sdp_find_mid(&sdp, want), i);
        CHECK_EQ(m->dir, MJ_SDP_RECVONLY);
        CHECK_EQ(m->opus_pt, 111);
        CHECK_EQ(m->audio_level_ext, 1);
        CHECK(!m->has_ssrc && !m->msid_stream[0]);
        CHECK_STR(m->tr.ice_ufrag, "Ab+9");
        CHECK_STR(m->tr.ice_pwd, "mN3/pQ7rS1tU5vW9xY2zA4bC");
        CHECK(mj_sdp_media_usable(m));
        REQUIRE(m->ncandidates == 1);
        snprintf(want, sizeof want, "10.0.2.15:%d", 51001 + i);
        CHECK_STR(mj_addr_str(&m->candidates[0].addr, addr), want);
        CHECK_EQ(m->port, 51001 + i);
    }
    CHECK_EQ(mj_sdp_find_mid(&sdp, "3"), MJ_ENOTFOUND);
    CHECK_EQ(mj_sdp_find_mid(&sdp, ""), MJ_ENOTFOUND);
}

TEST(chrome_whep_offer_1audio_mdns)
{
    REQUIRE(parse_fixture("chrome_whep_offer_1audio.sdp", &sdp) == 0);
    REQUIRE(sdp.nmedia == 1);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK_EQ(m->dir, MJ_SDP_RECVONLY);
    CHECK_EQ(m->opus_pt, 111);
    CHECK(m->mdns_candidates);
    CHECK_EQ(m->candidates_skipped, 2); /* the mDNS UDP one, the TCP one */
    REQUIRE(m->ncandidates == 1);
    check_cand(&m->candidates[0], "1162875081", 1, MJ_SDP_CAND_SRFLX, 1686052607,
               "203.0.113.45:61234");
    CHECK_STR(m->tr.ice_ufrag, "W9c2");
    CHECK_EQ(mj_sdp_first_opus(&sdp), 0);
}

TEST(firefox_whep_offer)
{
    REQUIRE(parse_fixture("firefox_whep_offer.sdp", &sdp) == 0);
    REQUIRE(sdp.nmedia == 1);
    const char *fp = "5A:E3:12:9C:F4:07:6B:D1:88:2E:A5:3F:C0:71:9D:E4:26:B8:0F:53:CA:17:6E:A9:34:"
                     "DB:02:8F:65:C1:7A:E0";
    /* Fingerprint and ice-options at session level, credentials per section. */
    REQUIRE(sdp.session.nfingerprints == 1);
    check_fp(&sdp.session.fingerprints[0], MJ_SDP_HASH_SHA256, fp);
    CHECK(sdp.session.ice_trickle);
    CHECK_EQ(sdp.session.ice_ufrag[0], '\0');
    const mj_sdp_media *m = &sdp.media[0];
    REQUIRE(m->tr.nfingerprints == 1);
    check_fp(&m->tr.fingerprints[0], MJ_SDP_HASH_SHA256, fp);
    CHECK(m->tr.ice_trickle);
    CHECK_STR(m->tr.ice_ufrag, "8f2e1c3a");
    CHECK_STR(m->tr.ice_pwd, "6b0c6d2c8e5f1a3b7d9e0f2a4c6b8d1e");
    CHECK_EQ(m->dir, MJ_SDP_RECVONLY);
    CHECK_EQ(m->opus_pt, 109);
    /* Firefox writes the fmtp before the rtpmap. */
    CHECK_STR(m->opus_fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    CHECK(!m->rtcp_rsize);
    CHECK_EQ(m->audio_level_ext, 1);
    CHECK_EQ(m->mid_ext, 3);
    REQUIRE(m->nextmaps == 3);
    CHECK_EQ(m->extmaps[1].id, 2);
    CHECK_EQ(m->extmaps[1].dir, MJ_SDP_RECVONLY);
    CHECK_STR(m->extmaps[1].uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
    CHECK(m->has_ssrc);
    CHECK_EQ(m->ssrc, 1822930437u);
    CHECK_STR(m->cname, "{4b1e7c3a-9f2d-4e8b-a6c1-3d5f7e9b0a2c}");
    CHECK(m->end_of_candidates);
    REQUIRE(m->ncandidates == 3);
    check_cand(&m->candidates[0], "0", 1, MJ_SDP_CAND_HOST, 2122252543, "192.168.1.34:54023");
    check_cand(&m->candidates[1], "2", 1, MJ_SDP_CAND_HOST, 2122187007, "[2001:db8:1:2::34]:59781");
    check_cand(&m->candidates[2], "1", 1, MJ_SDP_CAND_SRFLX, 1686052863, "198.51.100.20:54023");
    CHECK_EQ(m->candidates_skipped, 1);
    CHECK(mj_sdp_media_usable(m));
}

TEST(safari_whip_offer)
{
    REQUIRE(parse_fixture("safari_whip_offer.sdp", &sdp) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK_EQ(m->dir, MJ_SDP_SENDONLY);
    CHECK_EQ(m->opus_pt, 111);
    CHECK(!m->rtcp_rsize);
    CHECK_EQ(m->conn.family, 6);
    CHECK_EQ(m->port, 64151);
    CHECK_STR(m->msid_track, "4D2E8A61-3B9C-4F7D-8E15-A0C6B2D9F347");
    CHECK_EQ(m->ssrc, 4026519173u);
    REQUIRE(m->ncandidates == 2);
    check_cand(&m->candidates[0], "1853887674", 1, MJ_SDP_CAND_HOST, 2122262783,
               "[2001:db8:a0b:12f0::48]:64151");
    check_cand(&m->candidates[1], "842163049", 1, MJ_SDP_CAND_HOST, 2122194687,
               "192.168.1.48:64150");
    CHECK_STR(m->tr.ice_ufrag, "Zp4u");
    check_fp(&m->tr.fingerprints[0], MJ_SDP_HASH_SHA256,
             "C4:1D:8E:72:B9:05:3A:F6:E1:4C:97:28:D3:6B:0F:A5:58:E2:1B:CD:74:09:96:3E:F1:A2:5D:"
             "80:2B:C7:64:19");
    CHECK(mj_sdp_media_usable(m));
}

TEST(gstreamer_uppercase_opus)
{
    REQUIRE(parse_fixture("whip_client_uppercase_opus.sdp", &sdp) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK_EQ(m->opus_pt, 96); /* "OPUS/48000/2" */
    CHECK_STR(m->opus_fmtp, "sprop-maxcapturerate=48000;sprop-stereo=0");
    CHECK_STR(m->mid, "audio0");
    CHECK(m->bundled);
    CHECK_STR(m->tr.ice_ufrag, "h3GmFzOTSJ1bPc8UHBkXvJAr9q7YzLQd");
    CHECK_STR(m->tr.ice_pwd, "Wv1TqGx0Ho2YkC6s5LbN8eMrAz3JfUpD");
    CHECK_EQ(m->audio_level_ext, 0);
    CHECK_EQ(m->nextmaps, 1);
    CHECK_EQ(m->ssrc, 3484078950u);
    CHECK_STR(m->cname, "user1834224925@host-2b7c3e5a");
    CHECK_STR(m->msid_stream, ""); /* '@' is not an msid token char: skipped */
    REQUIRE(m->ncandidates == 1);
    check_cand(&m->candidates[0], "1", 1, MJ_SDP_CAND_HOST, 2015363327, "192.168.1.71:43812");
    CHECK(m->end_of_candidates);
    CHECK(mj_sdp_media_usable(m));
}

TEST(obs_session_level_transport)
{
    REQUIRE(parse_fixture("obs_whip_offer.sdp", &sdp) == 0);
    REQUIRE(sdp.nmedia == 2);
    CHECK_STR(sdp.session.ice_ufrag, "Hq6f");
    CHECK_EQ(sdp.session.setup, MJ_SDP_SETUP_ACTPASS);
    CHECK(sdp.session.ice2 && sdp.session.ice_trickle); /* "ice2,trickle" */
    CHECK_EQ(sdp.nbundle, 2);                           /* a=group:LS is not BUNDLE */
    for (int i = 0; i < 2; i++) {
        const mj_sdp_media *m = &sdp.media[i];
        CHECK_STR(m->tr.ice_ufrag, "Hq6f");
        CHECK_STR(m->tr.ice_pwd, "r7J2YpVbD9xKfN4tQmW8sL");
        CHECK_EQ(m->tr.setup, MJ_SDP_SETUP_ACTPASS);
        CHECK(m->tr.ice2 && m->tr.ice_trickle);
        CHECK_EQ(m->tr.nfingerprints, 1);
        CHECK_EQ(m->dir, MJ_SDP_SENDONLY);
    }
    CHECK(mj_sdp_media_usable(&sdp.media[0]));
    CHECK(!mj_sdp_media_usable(&sdp.media[1]));
    CHECK_EQ(sdp.media[0].ncandidates, 2);
    CHECK_EQ(sdp.media[1].ncandidates, 0);
    CHECK_STR(sdp.media[0].opus_fmtp,
              "minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1");
    CHECK_STR(sdp.media[1].msid_track, "obs-video");
    CHECK_EQ(sdp.media[1].kind, MJ_SDP_VIDEO);
}

TEST(audio_video_datachannel)
{
    REQUIRE(parse_fixture("audio_video_offer.sdp", &sdp) == 0);
    REQUIRE(sdp.nmedia == 3);
    CHECK_EQ(sdp.media[0].kind, MJ_SDP_AUDIO);
    CHECK_EQ(sdp.media[1].kind, MJ_SDP_VIDEO);
    CHECK_EQ(sdp.media[2].kind, MJ_SDP_APPLICATION);
    CHECK_EQ(sdp.media[0].dir, MJ_SDP_SENDRECV);
    CHECK_EQ(sdp.media[0].port, 9);
    CHECK_EQ(sdp.media[0].ncandidates, 0);
    CHECK_EQ(sdp.media[1].npts, 23);
    CHECK_EQ(sdp.media[1].nextmaps, MJ_SDP_MAX_EXTMAPS); /* of 11 */
    CHECK_EQ(sdp.media[1].mid_ext, 4);
    CHECK_EQ(sdp.media[1].opus_pt, -1);
    CHECK_EQ(sdp.media[1].ssrc, 2750184713u); /* the first of the FID pair */
    CHECK_STR(sdp.media[2].proto, "UDP/DTLS/SCTP");
    CHECK_STR(sdp.media[2].fmts, "webrtc-datachannel");
    CHECK_EQ(sdp.media[2].npts, 0);
    CHECK_EQ(mj_sdp_first_opus(&sdp), 0);
    CHECK(!mj_sdp_media_usable(&sdp.media[1]) && !mj_sdp_media_usable(&sdp.media[2]));
}

TEST(video_only_has_no_opus)
{
    REQUIRE(parse_fixture("video_only_offer.sdp", &sdp) == 0);
    CHECK_EQ(sdp.nmedia, 1);
    CHECK_EQ(sdp.media[0].kind, MJ_SDP_VIDEO);
    CHECK_EQ(sdp.media[0].dir, MJ_SDP_SENDONLY);
    CHECK_EQ(mj_sdp_first_opus(&sdp), MJ_ENOTFOUND);
}

TEST(lf_and_crlf_parse_alike)
{
    size_t n;
    char *lf = load("lf_line_endings.sdp", &n);
    REQUIRE(memchr(lf, '\r', n) == NULL);
    REQUIRE(mj_sdp_parse(lf, n, &sdp, &why) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK_EQ(m->opus_pt, 111);
    CHECK_STR(m->tr.ice_ufrag, "qWePcRvTbYnUmIoL");
    CHECK_STR(m->msid_stream, "pion-whip");
    CHECK_STR(m->msid_track, "audio");
    REQUIRE(m->ncandidates == 2);
    CHECK_EQ(m->candidates[1].component, 2);
    /* The same text with CRLF gives the same answer, byte for byte. */
    static char crlf[8192];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (lf[i] == '\n') crlf[k++] = '\r';
        crlf[k++] = lf[i];
    }
    free(lf);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    static char first[8192];
    long l1 = mj_sdp_write_answer(&sdp, &a, first, sizeof first);
    REQUIRE(l1 > 0);
    REQUIRE(parse_n(crlf, k, &sdp, &why) == 0);
    long l2 = mj_sdp_write_answer(&sdp, &a, out, sizeof out);
    CHECK_EQ(l1, l2);
    CHECK(strcmp(first, out) == 0);
}

TEST(opus_name_case_and_choice)
{
    const char *names[] = {"opus/48000/2", "OPUS/48000/2", "Opus/48000/2", "oPuS/48000/2"};
    for (size_t i = 0; i < 4; i++) {
        char line[64];
        snprintf(line, sizeof line, "a=rtpmap:111 %s", names[i]);
        CHECK_EQ(parse(edit(MIN, "a=rtpmap:", line), &sdp), 0);
        CHECK_EQ(sdp.media[0].opus_pt, 111);
    }
    const char *not_opus[] = {"opus/48000/1",  "opus/8000/2",    "opus/48000",
                              "opusx/48000/2", "opus/48000/2/1", "opus"};
    for (size_t i = 0; i < sizeof not_opus / sizeof not_opus[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "a=rtpmap:111 %s", not_opus[i]);
        CHECK_EQ(parse(edit(MIN, "a=rtpmap:", line), &sdp), 0);
        CHECK_EQ(sdp.media[0].opus_pt, -1);
        CHECK_EQ(mj_sdp_first_opus(&sdp), MJ_ENOTFOUND);
    }
    /* An rtpmap for a payload type not on the m= line does not count. */
    CHECK_EQ(parse(edit(MIN, "a=rtpmap:", "a=rtpmap:96 opus/48000/2"), &sdp), 0);
    CHECK_EQ(sdp.media[0].opus_pt, -1);
    /* Two Opus payload types: the m= line's order decides, not the rtpmaps'. */
    const char *two =
        edit(edit(MIN, "m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 0 96 111"), "a=rtpmap:",
             "a=rtpmap:111 opus/48000/2\na=rtpmap:96 OPUS/48000/2\n"
             "a=fmtp:111 a=1\na=fmtp:96 b=2");
    CHECK_EQ(parse(two, &sdp), 0);
    CHECK_EQ(sdp.media[0].opus_pt, 96);
    CHECK_STR(sdp.media[0].opus_fmtp, "b=2");
    /* No rtcp-mux, or a non-DTLS proto: parsed, but not usable. */
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", NULL), &sdp), 0);
    CHECK(!mj_sdp_media_usable(&sdp.media[0]));
    CHECK_EQ(parse(edit(MIN, "m=audio", "m=audio 9 RTP/AVP 111"), &sdp), 0);
    CHECK(!mj_sdp_media_usable(&sdp.media[0]));
}

/* ---- The server's answer -------------------------------------------------------- */

TEST(answer_whip_exact_and_parsed_back)
{
    REQUIRE(parse_fixture("chrome_whip_offer.sdp", &sdp) == 0);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    long n = answer_roundtrip(&sdp, &a);
    REQUIRE(n > 0);
    const char *want = "v=0\r\n"
                       "o=- 291 2 IN IP4 127.0.0.1\r\n"
                       "s=-\r\n"
                       "t=0 0\r\n"
                       "a=ice-lite\r\n"
                       "a=group:BUNDLE 0\r\n"
                       "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n"
                       "c=IN IP4 192.0.2.10\r\n"
                       "a=mid:0\r\n"
                       "a=recvonly\r\n"
                       "a=ice-ufrag:" SRV_UFRAG "\r\n"
                       "a=ice-pwd:" SRV_PWD "\r\n"
                       "a=fingerprint:sha-256 " FP256 "\r\n"
                       "a=setup:passive\r\n"
                       "a=rtcp-mux\r\n"
                       "a=rtpmap:111 opus/48000/2\r\n"
                       "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n"
                       "a=rtcp-rsize\r\n"
                       "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                       "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host\r\n"
                       "a=candidate:2 1 udp 2130706175 2001:db8::10 40000 typ host\r\n"
                       "a=end-of-candidates\r\n";
    CHECK_STR(out, want);
    CHECK(back.ice_lite);
    CHECK_EQ(back.origin_id, 0x123);
    REQUIRE(back.nmedia == 1);
    const mj_sdp_media *m = &back.media[0];
    check_answer_section(m, 111, MJ_SDP_RECVONLY);
    CHECK_STR(m->mid, "0");
    CHECK(m->rtcp_rsize);
    CHECK_EQ(m->audio_level_ext, 1);
    CHECK_EQ(m->nextmaps, 1);
    CHECK(!m->has_ssrc && !m->msid_stream[0]);
    CHECK(mj_sdp_dir_compatible(sdp.media[0].dir, m->dir));
}

TEST(answer_whep_slots_with_ssrc)
{
    const char *fixtures[] = {"chrome_whep_offer_3audio.sdp", "firefox_whep_offer.sdp",
                              "whip_client_uppercase_opus.sdp", "safari_whip_offer.sdp"};
    const int pts[] = {111, 109, 96, 111};
    for (size_t f = 0; f < 4; f++) {
        REQUIRE(parse_fixture(fixtures[f], &sdp) == 0);
        mj_sdp_answer a;
        make_answer(&a, &sdp, MJ_SDP_SENDONLY, true);
        REQUIRE(answer_roundtrip(&sdp, &a) > 0);
        REQUIRE(back.nmedia == sdp.nmedia);
        CHECK_EQ(back.nbundle, sdp.nmedia);
        for (size_t i = 0; i < back.nmedia; i++) {
            const mj_sdp_media *m = &back.media[i];
            check_answer_section(m, pts[f], MJ_SDP_SENDONLY);
            CHECK_STR(m->mid, sdp.media[i].mid);
            CHECK_EQ(back.bundle[i], i);
            CHECK(m->has_ssrc);
            CHECK_EQ(m->ssrc, 0x1000u + i);
            CHECK_STR(m->cname, "majlis");
            CHECK_STR(m->msid_stream, "room");
            CHECK_STR(m->msid_track, "slot");
            CHECK_EQ(m->rtcp_rsize, sdp.media[i].rtcp_rsize);
            CHECK_EQ(m->audio_level_ext, sdp.media[i].audio_level_ext);
        }
    }
    CHECK(strstr(out, "a=msid-semantic:WMS *\r\n") != NULL);
}

TEST(answer_rejects_what_it_cannot_take)
{
    REQUIRE(parse_fixture("audio_video_offer.sdp", &sdp) == 0);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK(strstr(out, "a=group:BUNDLE 0\r\n") != NULL);
    REQUIRE(back.nmedia == 3);
    REQUIRE(back.nbundle == 1);
    CHECK_EQ(back.bundle[0], 0);
    check_answer_section(&back.media[0], 111, MJ_SDP_RECVONLY);
    for (int i = 1; i < 3; i++) {
        const mj_sdp_media *r = &back.media[i];
        CHECK_EQ(r->port, 0);
        CHECK(!r->bundled);
        CHECK_STR(r->media, sdp.media[i].media);
        CHECK_STR(r->proto, sdp.media[i].proto);
        CHECK_STR(r->fmts, sdp.media[i].fmts);
        CHECK_STR(r->mid, sdp.media[i].mid);
        CHECK(!mj_sdp_media_usable(r));
    }
    /* A listener slot the caller declines: port 0, out of the group. */
    REQUIRE(parse_fixture("chrome_whep_offer_3audio.sdp", &sdp) == 0);
    make_answer(&a, &sdp, MJ_SDP_SENDONLY, true);
    a.media[1].accept = false;
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK(strstr(out, "a=group:BUNDLE 0 2\r\n") != NULL);
    CHECK(strstr(out, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n") != NULL);
    CHECK_EQ(back.media[1].port, 0);
    CHECK_EQ(back.nbundle, 2);
    /* Nothing usable: no BUNDLE group at all, and it still parses back. */
    REQUIRE(parse_fixture("video_only_offer.sdp", &sdp) == 0);
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK(strstr(out, "a=group") == NULL);
    CHECK_EQ(back.nbundle, 0);
    CHECK_EQ(back.media[0].port, 0);
    CHECK_EQ(mj_sdp_first_opus(&back), MJ_ENOTFOUND);
}

TEST(answer_too_small_buffer)
{
    REQUIRE(parse_fixture("chrome_whep_offer_3audio.sdp", &sdp) == 0);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_SENDONLY, true);
    long n = mj_sdp_write_answer(&sdp, &a, out, sizeof out);
    REQUIRE(n > 0);
    static char small[8192 + 64];
    for (size_t cap = 0; cap <= (size_t)n + 1; cap++) {
        memset(small, 0xA5, sizeof small);
        long r = mj_sdp_write_answer(&sdp, &a, small, cap);
        if (cap <= (size_t)n)
            CHECK_EQ(r, MJ_ENOSPC); /* the NUL needs one more byte */
        else
            CHECK_EQ(r, n);
        for (size_t k = cap; k < cap + 64; k++)
            if ((unsigned char)small[k] != 0xA5) {
                MJ_TEST_FAIL("wrote past cap %zu at %zu", cap, k);
                return;
            }
    }
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, NULL, 100), MJ_EINVAL);
}

TEST(answer_refuses_bad_parameters)
{
    REQUIRE(parse_fixture("audio_video_offer.sdp", &sdp) == 0);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, true);
    REQUIRE(mj_sdp_write_answer(&sdp, &a, out, sizeof out) > 0);
    a.media[1].accept = true; /* video */
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, out, sizeof out), MJ_EINVAL);
    a.media[1].accept = false;
    struct {
        const char **field;
        const char *value;
    } bad[] = {
        {&a.ice_ufrag, "abc"},
        {&a.ice_ufrag, "ab-cd"},
        {&a.ice_ufrag, NULL},
        {&a.ice_pwd, "short"},
        {&a.ice_pwd, SRV_PWD "\r\na=x"},
        {&a.fingerprint, "sha-256 AA:BB"},
        {&a.fingerprint, "sha-256"},
        {&a.fingerprint, "md5 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"},
        {&a.fingerprint, "sha-256 " FP256 "\r\na=evil"},
        {&a.media[0].cname, "has space"},
        {&a.media[0].cname, NULL},
        {&a.media[0].msid_stream, "a\r\nb"},
        {&a.media[0].msid_track, "x:y"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *saved = *bad[i].field;
        *bad[i].field = bad[i].value;
        if (mj_sdp_write_answer(&sdp, &a, out, sizeof out) != MJ_EINVAL)
            MJ_TEST_FAIL("bad parameter %zu accepted", i);
        *bad[i].field = saved;
    }
    a.media[0].msid_stream = NULL; /* a track without a stream */
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, out, sizeof out), MJ_EINVAL);
    a.media[0].msid_stream = "room";
    a.media[0].dir = (enum mj_sdp_dir)7;
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, out, sizeof out), MJ_EINVAL);
    a.media[0].dir = MJ_SDP_RECVONLY;
    mj_addr unset = {0};
    a.candidates = &unset;
    a.ncandidates = 1;
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, out, sizeof out), MJ_EINVAL);
    a.candidates = cands;
    a.ncandidates = MJ_SDP_MAX_CANDIDATES + 1;
    CHECK_EQ(mj_sdp_write_answer(&sdp, &a, out, sizeof out), MJ_EINVAL);
    a.ncandidates = 0; /* allowed: port 9, 0.0.0.0 */
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK_EQ(back.media[0].port, 9);
    CHECK_EQ(back.media[0].ncandidates, 0);
}

TEST(answer_ipv6_and_extmap_direction)
{
    /* An audio-level extension offered sendonly is answered recvonly. */
    const char *offer = edit(MIN, "a=rtcp-mux",
                             "a=rtcp-mux\na=extmap:3/sendonly "
                             "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    REQUIRE(parse(offer, &sdp) == 0);
    CHECK_EQ(sdp.media[0].audio_level_ext, 3);
    CHECK_EQ(sdp.media[0].audio_level_dir, MJ_SDP_SENDONLY);
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    mj_addr v6first[2] = {cands[1], cands[0]};
    a.candidates = v6first;
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK(strstr(out, "a=extmap:3/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"));
    CHECK(strstr(out, "o=- 291 2 IN IP6 ::1\r\n"));
    CHECK(strstr(out, "c=IN IP6 2001:db8::10\r\n"));
    CHECK_EQ(back.media[0].conn.family, 6);
    CHECK_EQ(back.media[0].audio_level_dir, MJ_SDP_RECVONLY);
    CHECK(!back.media[0].rtcp_rsize);
}

/* ---- Our client's offer -------------------------------------------------------------- */

TEST(client_offer_server_answer_client_parse)
{
    mj_sdp_offer_params p;
    memset(&p, 0, sizeof p);
    p.session_id = 77;
    p.ice_ufrag = "cLnt";
    p.ice_pwd = "clientpasswordclientpa";
    p.fingerprint = "sha-256 " FP256;
    p.cname = "bot1";
    p.nmedia = 3;
    for (int i = 0; i < 3; i++)
        p.media[i].dir = MJ_SDP_RECVONLY;
    long n = mj_sdp_write_offer(&p, out, sizeof out);
    REQUIRE(n > 0);
    /* The server's side. */
    REQUIRE(parse_n(out, (size_t)n, &sdp, &why) == 0);
    REQUIRE(sdp.nmedia == 3);
    CHECK_EQ(sdp.nbundle, 3);
    for (int i = 0; i < 3; i++) {
        const mj_sdp_media *m = &sdp.media[i];
        CHECK(mj_sdp_media_usable(m));
        CHECK_EQ(m->opus_pt, MJ_SDP_CLIENT_OPUS_PT);
        CHECK_EQ(m->audio_level_ext, MJ_SDP_CLIENT_AUDIO_LEVEL);
        CHECK_EQ(m->dir, MJ_SDP_RECVONLY);
        CHECK_EQ(m->tr.setup, MJ_SDP_SETUP_ACTPASS);
        CHECK_STR(m->tr.ice_ufrag, "cLnt");
        CHECK(!m->has_ssrc);
    }
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_SENDONLY, true);
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    /* The client's side: what it needs to connect. */
    CHECK(back.ice_lite);
    for (int i = 0; i < 3; i++) {
        check_answer_section(&back.media[i], MJ_SDP_CLIENT_OPUS_PT, MJ_SDP_SENDONLY);
        CHECK_EQ(back.media[i].ssrc, 0x1000u + (uint32_t)i);
    }
    /* A speaker: sendonly with its SSRC, msid and setup:active if asked. */
    p.nmedia = 1;
    p.setup = MJ_SDP_SETUP_ACTIVE;
    p.media[0] = (mj_sdp_offer_media){MJ_SDP_SENDONLY, 0xCAFE, "bot", "mic"};
    n = mj_sdp_write_offer(&p, out, sizeof out);
    REQUIRE(n > 0);
    REQUIRE(parse_n(out, (size_t)n, &sdp, &why) == 0);
    CHECK_EQ(sdp.media[0].dir, MJ_SDP_SENDONLY);
    CHECK_EQ(sdp.media[0].ssrc, 0xCAFE);
    CHECK_STR(sdp.media[0].cname, "bot1");
    CHECK_STR(sdp.media[0].msid_track, "mic");
    CHECK_EQ(sdp.media[0].tr.setup, MJ_SDP_SETUP_ACTIVE);
    CHECK_EQ(mj_sdp_write_offer(&p, out, (size_t)n), MJ_ENOSPC);
    p.nmedia = 0;
    CHECK_EQ(mj_sdp_write_offer(&p, out, sizeof out), MJ_EINVAL);
    p.nmedia = MJ_SDP_MAX_MEDIA + 1;
    CHECK_EQ(mj_sdp_write_offer(&p, out, sizeof out), MJ_EINVAL);
    p.nmedia = 1;
    p.cname = NULL; /* needed for the SSRC */
    CHECK_EQ(mj_sdp_write_offer(&p, out, sizeof out), MJ_EINVAL);
    p.cname = "bot1";
    p.ice_pwd = "too-short";
    CHECK_EQ(mj_sdp_write_offer(&p, out, sizeof out), MJ_EINVAL);
    /* Sixteen sections fit and parse. */
    p.ice_pwd = "clientpasswordclientpa";
    p.nmedia = MJ_SDP_MAX_MEDIA;
    n = mj_sdp_write_offer(&p, out, sizeof out);
    REQUIRE(n > 0);
    REQUIRE(parse_n(out, (size_t)n, &sdp, &why) == 0);
    CHECK_EQ(sdp.nbundle, MJ_SDP_MAX_MEDIA);
}

/* ---- Truncation, refusals and limits ------------------------------------------------- */

static const char *const fixtures[] = {
    "chrome_whip_offer.sdp",  "chrome_whep_offer_3audio.sdp", "chrome_whep_offer_1audio.sdp",
    "firefox_whep_offer.sdp", "safari_whip_offer.sdp",        "whip_client_uppercase_opus.sdp",
    "obs_whip_offer.sdp",     "audio_video_offer.sdp",        "video_only_offer.sdp",
    "lf_line_endings.sdp",
};

TEST(truncated_at_every_length)
{
    long ok = 0, refused = 0;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        size_t n;
        char *t = load(fixtures[f], &n);
        for (size_t len = 0; len <= n; len++) {
            int rc = parse_n(t, len, &sdp, &why);
            if (rc) {
                refused++;
                if (!why || !why[0])
                    MJ_TEST_FAIL("%s cut at %zu: error %d without a reason", fixtures[f], len, rc);
                continue;
            }
            /* Whatever parses can be answered, and the answer parses. */
            ok++;
            mj_sdp_answer a;
            make_answer(&a, &sdp, MJ_SDP_SENDONLY, true);
            if (answer_roundtrip(&sdp, &a) <= 0)
                MJ_TEST_FAIL("%s cut at %zu: answer failed", fixtures[f], len);
        }
        CHECK_EQ(parse_n(t, n, &sdp, &why), 0);
        free(t);
    }
    CHECK(ok > 0 && refused > 0);
}

TEST(not_sdp_and_broken_structure)
{
    struct {
        const char *text;
        const char *why;
    } cases[] = {
        {"", "empty SDP"},
        {"\r\n\n", "empty SDP"},
        {"{\"sdp\":\"v=0\"}", "not an SDP document (it must start with v=0)"},
        {"<html>", "not an SDP document (it must start with v=0)"},
        {"v=1\r\n", "unsupported SDP version (v= must be 0)"},
        {"o=- 1 1 IN IP4 1.2.3.4\nv=0\n", "not an SDP document (it must start with v=0)"},
        {"v=0\ns=-\nm=audio 9 UDP/TLS/RTP/SAVPF 111\n", "missing o= line"},
        {"v=0\no=- 1 1 IN IP4 0.0.0.0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\n", "missing s= line"},
        {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n", "SDP has no m= sections"},
        {"v=0\nv=0\n", "repeated v= line"},
        {"v=0\no=- 1 1 IN IP4 0.0.0.0\no=- 1 1 IN IP4 0.0.0.0\n", "repeated o= line"},
        {"v=0\no=- x 1 IN IP4 0.0.0.0\n",
         "bad o= line (expected o=<user> <id> <version> IN IP4 <address>)"},
        {"v=0\no=- 1 1 IN IP4\n",
         "bad o= line (expected o=<user> <id> <version> IN IP4 <address>)"},
        {"v=0\nx=1\n", "unknown SDP line type"},
        {"v=0\nhello world\n", "an SDP line is not <letter>=<value>"},
        {"v=0\nA=1\n", "an SDP line is not <letter>=<value>"},
        {"v=0\nc=IN IP4\n", "bad c= line (expected c=IN IP4 <address>)"},
        {"v=0\nc=XX IP4 1.2.3.4\n", "bad c= line (expected c=IN IP4 <address>)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse(cases[i].text, &sdp);
        if (rc >= 0 || !why || strcmp(why, cases[i].why) != 0)
            MJ_TEST_FAIL("case %zu: rc %d, why \"%s\", want \"%s\"", i, rc, why ? why : "(null)",
                         cases[i].why);
    }
    CHECK_EQ(parse_n("v=0\0\n", 5, &sdp, &why), MJ_EINVAL);
    CHECK_STR(why, "SDP contains a NUL byte");
    CHECK_EQ(mj_sdp_parse(NULL, 10, &sdp, &why), MJ_EINVAL);
    CHECK_EQ(mj_sdp_parse("v=0", 3, NULL, NULL), MJ_EINVAL);
    /* An o= line inside a section, and bad m= lines. */
    CHECK_EQ(parse(edit(MIN, "a=mid:0", "a=mid:0\no=- 1 1 IN IP4 1.1.1.1"), &sdp), MJ_EINVAL);
    CHECK_STR(why, "o= line inside an m= section");
    const char *bad_m[][2] = {
        {"m=audio 9 UDP/TLS/RTP/SAVPF", "an m= line has no formats"},
        {"m=audio 9", "bad m= line (expected m=<media> <port> <proto> <formats>)"},
        {"m=audio 70000 UDP/TLS/RTP/SAVPF 111", "bad port on an m= line"},
        {"m=audio 9/x UDP/TLS/RTP/SAVPF 111", "bad port on an m= line"},
        {"m=audio -1 UDP/TLS/RTP/SAVPF 111", "bad port on an m= line"},
        {"m=audio 9 UDP/TLS/RTP/SAVPF 128", "bad payload type on an m= line (0-127)"},
        {"m=audio 9 UDP/TLS/RTP/SAVPF opus", "bad payload type on an m= line (0-127)"},
        {"m=audi:o 9 UDP/TLS/RTP/SAVPF 111",
         "bad m= line (expected m=<media> <port> <proto> <formats>)"},
        {"m=audio 9 UDP/TLS/RTP/SAVPF/AND/SOMETHING/LONGER 111", "bad protocol on an m= line"},
        {"m=application 9 UDP/DTLS/SCTP web\"rtc", "bad format on an m= line"},
    };
    for (size_t i = 0; i < sizeof bad_m / sizeof bad_m[0]; i++) {
        int rc = parse(edit(MIN, "m=", bad_m[i][0]), &sdp);
        if (rc != MJ_EINVAL || !why || strcmp(why, bad_m[i][1]) != 0)
            MJ_TEST_FAIL("m= case %zu: rc %d, why \"%s\"", i, rc, why ? why : "(null)");
    }
    /* Tolerated: a port count, blank lines, trailing spaces, no final newline. */
    CHECK_EQ(parse(edit(MIN, "m=", "m=audio 9/2 UDP/TLS/RTP/SAVPF 111  \n\n"), &sdp), 0);
    CHECK_EQ(parse_n(MIN, strlen(MIN) - 1, &sdp, &why), 0);
    CHECK_EQ(sdp.media[0].opus_pt, 111);
}

TEST(missing_credentials_and_fingerprint)
{
    size_t n;
    char *t = load("chrome_whip_offer.sdp", &n);
    char *text = calloc(1, n + 1);
    memcpy(text, t, n);
    free(t);
    CHECK_EQ(parse(edit(edit(text, "a=ice-ufrag:", NULL), "a=ice-pwd:", NULL), &sdp), MJ_EINVAL);
    CHECK_STR(why, "SDP has no ICE credentials (a=ice-ufrag and a=ice-pwd)");
    CHECK_EQ(parse(edit(text, "a=ice-pwd:", NULL), &sdp), MJ_EINVAL);
    CHECK_STR(why, "SDP has a=ice-ufrag but no a=ice-pwd");
    CHECK_EQ(parse(edit(text, "a=ice-ufrag:", NULL), &sdp), MJ_EINVAL);
    CHECK_STR(why, "SDP has a=ice-pwd but no a=ice-ufrag");
    const char *no_fp = "SDP has no DTLS fingerprint (a=fingerprint with sha-1/224/256/384/512)";
    CHECK_EQ(parse(edit(text, "a=fingerprint:", NULL), &sdp), MJ_EINVAL);
    CHECK_STR(why, no_fp);
    CHECK_EQ(parse(edit(text, "a=fingerprint:", "a=fingerprint:md5 AA:BB"), &sdp), MJ_EINVAL);
    CHECK_STR(why, no_fp);
    free(text);
    /* A rejected section (port 0) needs none. */
    const char *rejected = edit(
        edit(edit(edit(MIN, "a=ice-ufrag:", NULL), "a=ice-pwd:", NULL), "a=fingerprint:", NULL),
        "m=audio", "m=audio 0 UDP/TLS/RTP/SAVPF 111");
    CHECK_EQ(parse(rejected, &sdp), 0);
    CHECK(!mj_sdp_media_usable(&sdp.media[0]));
    /* A bundle-only section takes the bundle's transport. */
    const char *bo = edit(edit(MIN, "a=group:", "a=group:BUNDLE 0 1"), "a=rtpmap:",
                          "a=rtpmap:111 opus/48000/2\nm=audio 0 UDP/TLS/RTP/SAVPF 111\n"
                          "c=IN IP4 0.0.0.0\na=bundle-only\na=mid:1\na=rtcp-mux\n"
                          "a=rtpmap:111 opus/48000/2");
    REQUIRE(parse(bo, &sdp) == 0);
    CHECK(sdp.media[1].bundle_only);
    CHECK_STR(sdp.media[1].tr.ice_ufrag, "abcd");
    CHECK_EQ(sdp.media[1].tr.nfingerprints, 1);
    CHECK(mj_sdp_media_usable(&sdp.media[1]));
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK_EQ(back.media[1].port, 40000);
    CHECK_EQ(back.nbundle, 2);
}

static const char *repeat(char c, size_t n)
{
    static char b[2][2048];
    static int k;
    char *s = b[k++ % 2];
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

TEST(limits)
{
    char line[4096];
    /* Line length: 1024 is fine (an unknown attribute), 1025 is not. */
    snprintf(line, sizeof line, "a=x-long:%s", repeat('z', 1024 - 9));
    CHECK_EQ(parse(edit(MIN, "t=", line), &sdp), 0);
    snprintf(line, sizeof line, "a=x-long:%s", repeat('z', 1025 - 9));
    CHECK_EQ(parse(edit(MIN, "t=", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "an SDP line is longer than 1024 bytes");
    /* The whole text. */
    static char big[MJ_SDP_MAX_SIZE + 2];
    memset(big, '\n', sizeof big);
    memcpy(big, MIN, strlen(MIN));
    CHECK_EQ(parse_n(big, MJ_SDP_MAX_SIZE, &sdp, &why), 0);
    CHECK_EQ(parse_n(big, MJ_SDP_MAX_SIZE + 1, &sdp, &why), MJ_ELIMIT);
    CHECK_STR(why, "SDP is larger than 64 KiB");
    /* 16 sections parse, 17 do not. */
    static char many[16384];
    for (int count = 16; count <= 17; count++) {
        size_t len = (size_t)snprintf(many, sizeof many, "%s", MIN);
        for (int i = 1; i < count; i++)
            len += (size_t)snprintf(many + len, sizeof many - len,
                                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:%d\na=rtcp-mux\n"
                                    "a=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901\n"
                                    "a=fingerprint:sha-256 " FP256 "\n",
                                    i);
        CHECK_EQ(parse(many, &sdp), count == 16 ? 0 : MJ_ELIMIT);
    }
    CHECK_STR(why, "more than 16 m= sections");
    /* Formats on one m= line. */
    size_t len = (size_t)snprintf(line, sizeof line, "m=audio 9 UDP/TLS/RTP/SAVPF");
    for (int i = 0; i < 65; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, " %d", i);
    CHECK_EQ(parse(edit(MIN, "m=", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "an m= line has more than 64 formats");
    line[strlen(line) - 3] = '\0'; /* 64 formats */
    CHECK_EQ(parse(edit(MIN, "m=", line), &sdp), 0);
    CHECK_EQ(sdp.media[0].npts, 64);
    /* Values with caps. */
    snprintf(line, sizeof line, "a=mid:%s", repeat('m', 33));
    CHECK_EQ(parse(edit(MIN, "a=mid:", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "a mid is longer than 32 characters");
    snprintf(line, sizeof line, "a=fmtp:111 %s", repeat('f', 256));
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "a=fmtp for Opus is longer than 255 bytes");
    snprintf(line, sizeof line, "a=fmtp:111 %s", repeat('f', 255));
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", line), &sdp), 0);
    len = (size_t)snprintf(line, sizeof line, "m=application 9 UDP/DTLS/SCTP");
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, " format-number-%02d", i);
    CHECK_EQ(parse(edit(MIN, "m=", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "m= line format list is longer than 255 bytes");
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", "a=fmtp:111 a=1\x01"), &sdp), MJ_EINVAL);
    CHECK_STR(why, "a=fmtp for Opus has control characters");
    /* Kept up to a cap, the rest counted or ignored. */
    len = 0;
    for (int i = 0; i < 10; i++)
        len += (size_t)snprintf(line + len, sizeof line - len,
                                "a=candidate:%d 1 udp 1 10.0.0.%d 5000 typ host\n", i, i);
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", line), &sdp), 0);
    CHECK_EQ(sdp.media[0].ncandidates, MJ_SDP_MAX_CANDIDATES);
    CHECK_EQ(sdp.media[0].candidates_skipped, 2);
    len = 0;
    for (int i = 1; i <= 20; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "a=extmap:%d urn:x:%d\n", i, i);
    snprintf(line + len, sizeof line - len,
             "a=extmap:21 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    CHECK_EQ(parse(edit(MIN, "a=rtcp-mux", line), &sdp), 0);
    CHECK_EQ(sdp.media[0].nextmaps, MJ_SDP_MAX_EXTMAPS);
    CHECK_EQ(sdp.media[0].audio_level_ext, 21); /* found beyond the cap */
}

TEST(ice_credentials_grammar)
{
    struct {
        const char *line;
        int rc;
        const char *why;
    } cases[] = {
        {"a=ice-ufrag:abc", MJ_EINVAL, "a=ice-ufrag is shorter than 4 characters"},
        {"a=ice-ufrag:ab-d", MJ_EINVAL, "a=ice-ufrag has characters other than A-Z a-z 0-9 + /"},
        {"a=ice-ufrag:ab cd", MJ_EINVAL, "a=ice-ufrag has characters other than A-Z a-z 0-9 + /"},
        {"a=ice-ufrag:a+/4", 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse(edit(MIN, "a=ice-ufrag:", cases[i].line), &sdp);
        CHECK_EQ(rc, cases[i].rc);
        if (cases[i].why) CHECK_STR(why, cases[i].why);
    }
    char line[512];
    snprintf(line, sizeof line, "a=ice-ufrag:%s", repeat('u', 64));
    CHECK_EQ(parse(edit(MIN, "a=ice-ufrag:", line), &sdp), 0);
    snprintf(line, sizeof line, "a=ice-ufrag:%s", repeat('u', 65));
    CHECK_EQ(parse(edit(MIN, "a=ice-ufrag:", line), &sdp), MJ_ELIMIT);
    CHECK_STR(why, "a=ice-ufrag is longer than 64 characters");
    snprintf(line, sizeof line, "a=ice-pwd:%s", repeat('p', 21));
    CHECK_EQ(parse(edit(MIN, "a=ice-pwd:", line), &sdp), MJ_EINVAL);
    CHECK_STR(why, "a=ice-pwd is shorter than 22 characters");
    snprintf(line, sizeof line, "a=ice-pwd:%s", repeat('p', 128));
    CHECK_EQ(parse(edit(MIN, "a=ice-pwd:", line), &sdp), 0);
    snprintf(line, sizeof line, "a=ice-pwd:%s", repeat('p', 129));
    CHECK_EQ(parse(edit(MIN, "a=ice-pwd:", line), &sdp), MJ_ELIMIT);
    CHECK_EQ(parse(edit(MIN, "a=ice-pwd:", "a=ice-pwd:0123456789012345678901_"), &sdp), MJ_EINVAL);
    CHECK(mj_sdp_ice_ufrag_valid("abcd") && !mj_sdp_ice_ufrag_valid("abc"));
    CHECK(!mj_sdp_ice_ufrag_valid(NULL) && !mj_sdp_ice_ufrag_valid(repeat('u', 65)));
    CHECK(mj_sdp_ice_pwd_valid(repeat('p', 22)) && !mj_sdp_ice_pwd_valid(repeat('p', 21)));
    CHECK(!mj_sdp_ice_pwd_valid("0123456789012345678901=") && mj_sdp_ice_pwd_valid(SRV_PWD));
}

TEST(fingerprint_variants)
{
    mj_sdp_fingerprint fp;
    const char *e = NULL;
    const char *sha1 = "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    CHECK_EQ(mj_sdp_fingerprint_parse(sha1, strlen(sha1), &fp, &e), 0);
    CHECK_EQ(fp.hash, MJ_SDP_HASH_SHA1);
    CHECK_EQ(fp.len, 20);
    CHECK_EQ(fp.bytes[19], 0x33);
    const char *lower = "SHA-256 aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
                        "00:11:22:33:44:55:66:77:88:99";
    CHECK_EQ(mj_sdp_fingerprint_parse(lower, strlen(lower), &fp, &e), 0);
    CHECK_EQ(fp.hash, MJ_SDP_HASH_SHA256);
    CHECK_EQ(fp.bytes[0], 0xAA);
    char text[300];
    const enum mj_sdp_hash hs[] = {MJ_SDP_HASH_SHA224, MJ_SDP_HASH_SHA384, MJ_SDP_HASH_SHA512};
    const int lens[] = {28, 48, 64};
    for (int h = 0; h < 3; h++) {
        size_t n = (size_t)snprintf(text, sizeof text, "%s ", mj_sdp_hash_name(hs[h]));
        for (int i = 0; i < lens[h]; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%02X", i ? ":" : "", i);
        CHECK_EQ(mj_sdp_fingerprint_parse(text, n, &fp, &e), 0);
        CHECK_EQ(fp.hash, hs[h]);
        CHECK_EQ(fp.len, lens[h]);
        CHECK_EQ(fp.bytes[lens[h] - 1], lens[h] - 1);
        text[n - 1] = 'G';
        CHECK_EQ(mj_sdp_fingerprint_parse(text, n, &fp, &e), MJ_EINVAL);
        CHECK_STR(e, "a=fingerprint is not hex pairs separated by colons");
    }
    CHECK_EQ(mj_sdp_fingerprint_parse("md5 AA:BB", 9, &fp, &e), MJ_EUNSUPP);
    CHECK_EQ(mj_sdp_fingerprint_parse("sha-1 AA:BB", 11, &fp, &e), MJ_EINVAL);
    CHECK_STR(e, "a=fingerprint length does not match its hash function");
    CHECK_EQ(mj_sdp_fingerprint_parse("sha-1", 5, &fp, &e), MJ_EINVAL);
    CHECK_EQ(mj_sdp_fingerprint_parse(sha1, strlen(sha1) - 3, &fp, &e), MJ_EINVAL);
    /* In an offer: an unknown hash is skipped, a malformed known one is not. */
    const char *two = edit(MIN, "a=fingerprint:",
                           "a=fingerprint:md5 AA:BB\n"
                           "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:"
                           "88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\n"
                           "a=fingerprint:sha-256 " FP256);
    REQUIRE(parse(two, &sdp) == 0);
    CHECK_EQ(sdp.media[0].tr.nfingerprints, 2);
    CHECK_EQ(sdp.media[0].tr.fingerprints[0].hash, MJ_SDP_HASH_SHA1);
    CHECK_EQ(parse(edit(MIN, "a=fingerprint:", "a=fingerprint:sha-256 AA"), &sdp), MJ_EINVAL);
    CHECK_STR(why, "a=fingerprint length does not match its hash function");
    const char *five = edit(MIN, "a=fingerprint:",
                            "a=fingerprint:sha-256 " FP256 "\na=fingerprint:sha-256 " FP256
                            "\na=fingerprint:sha-256 " FP256 "\na=fingerprint:sha-256 " FP256
                            "\na=fingerprint:sha-256 " FP256);
    REQUIRE(parse(five, &sdp) == 0);
    CHECK_EQ(sdp.media[0].tr.nfingerprints, MJ_SDP_MAX_FINGERPRINTS);
    /* Media level replaces session level entirely. */
    const char *both = edit(MIN, "t=",
                            "t=0 0\na=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:"
                            "99:AA:BB:CC:DD:EE:FF:00:11:22:33");
    REQUIRE(parse(both, &sdp) == 0);
    CHECK_EQ(sdp.session.fingerprints[0].hash, MJ_SDP_HASH_SHA1);
    CHECK_EQ(sdp.media[0].tr.nfingerprints, 1);
    CHECK_EQ(sdp.media[0].tr.fingerprints[0].hash, MJ_SDP_HASH_SHA256);
}

TEST(session_level_defaults_and_overrides)
{
    /* Session-level direction, c=, setup, credentials, end-of-candidates;
     * the section overrides what it writes itself. */
    const char *s =
        edit(edit(edit(edit(MIN, "c=", NULL), "a=ice-pwd:", NULL), "a=setup:", NULL), "t=",
             "t=0 0\na=recvonly\nc=IN IP6 ::1\na=setup:active\n"
             "a=ice-ufrag:sess\na=ice-pwd:sessionpasswordsession\n"
             "a=end-of-candidates\na=ice-lite");
    REQUIRE(parse(s, &sdp) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    CHECK(sdp.ice_lite);
    CHECK_EQ(m->dir, MJ_SDP_RECVONLY);
    CHECK_EQ(m->conn.family, 6);
    CHECK_EQ(m->tr.setup, MJ_SDP_SETUP_ACTIVE);
    CHECK_STR(m->tr.ice_ufrag, "abcd"); /* its own */
    CHECK_STR(m->tr.ice_pwd, "sessionpasswordsession");
    CHECK(m->end_of_candidates);
    CHECK_EQ(parse(edit(s, "a=mid:", "a=mid:0\na=inactive"), &sdp), 0);
    CHECK_EQ(sdp.media[0].dir, MJ_SDP_INACTIVE);
    /* Section-level ice-options replace the session's. */
    const char *io = edit(edit(MIN, "t=", "t=0 0\na=ice-options:trickle"),
                          "a=mid:", "a=mid:0\na=ice-options:ice2");
    REQUIRE(parse(io, &sdp) == 0);
    CHECK(sdp.media[0].tr.ice2 && !sdp.media[0].tr.ice_trickle);
    CHECK_EQ(parse(edit(MIN, "a=setup:", "a=setup:sometimes"), &sdp), MJ_EINVAL);
    CHECK_STR(why, "bad a=setup (expected actpass, active, passive or holdconn)");
    const enum mj_sdp_setup setups[] = {MJ_SDP_SETUP_PASSIVE, MJ_SDP_SETUP_HOLDCONN};
    const char *lines[] = {"a=setup:passive", "a=setup:holdconn"};
    for (int i = 0; i < 2; i++) {
        REQUIRE(parse(edit(MIN, "a=setup:", lines[i]), &sdp) == 0);
        CHECK_EQ(sdp.media[0].tr.setup, setups[i]);
    }
}

TEST(bundle_and_mids)
{
    /* Unknown mids in the group are dropped; later groups are ignored. */
    const char *g = edit(MIN, "a=group:", "a=group:BUNDLE 7 0\na=group:BUNDLE 9");
    REQUIRE(parse(g, &sdp) == 0);
    CHECK_EQ(sdp.nbundle, 1);
    CHECK(sdp.media[0].bundled);
    CHECK_EQ(parse(edit(MIN, "a=group:", "a=group:BUNDLE 0 a:b"), &sdp), MJ_EINVAL);
    CHECK_STR(why, "a mid is empty or has characters outside the SDP token set");
    CHECK_EQ(parse(edit(MIN, "a=group:", "a=group:BUNDLE 0 1 2 3 4 5 6 7 8 9 a b c d e f g"), &sdp),
             MJ_ELIMIT);
    CHECK_STR(why, "a=group:BUNDLE lists more than 16 mids");
    /* Two sections with the same mid. */
    const char *dup = edit(MIN, "a=rtpmap:",
                           "a=rtpmap:111 opus/48000/2\n"
                           "m=audio 0 UDP/TLS/RTP/SAVPF 111\na=mid:0");
    CHECK_EQ(parse(dup, &sdp), MJ_EINVAL);
    CHECK_STR(why, "two m= sections have the same a=mid");
    /* No BUNDLE and no mid (a legacy offer): answered without either. */
    const char *legacy = edit(edit(MIN, "a=group:", NULL), "a=mid:", NULL);
    REQUIRE(parse(legacy, &sdp) == 0);
    CHECK(!sdp.media[0].bundled && !sdp.media[0].mid[0]);
    CHECK(mj_sdp_media_usable(&sdp.media[0]));
    mj_sdp_answer a;
    make_answer(&a, &sdp, MJ_SDP_RECVONLY, false);
    REQUIRE(answer_roundtrip(&sdp, &a) > 0);
    CHECK(strstr(out, "a=group") == NULL && strstr(out, "a=mid") == NULL);
    CHECK_EQ(back.media[0].port, 40000);
}

TEST(extmaps_ssrc_msid_details)
{
    const char *x = edit(MIN, "a=rtcp-mux",
                         "a=rtcp-mux\n"
                         "a=extmap:0 urn:bad-id\n"
                         "a=extmap:256 urn:bad-id\n"
                         "a=extmap:5/sideways urn:bad-dir\n"
                         "a=extmap:6\n"
                         "a=extmap:15/inactive urn:ietf:params:rtp-hdrext:sdes:mid\n"
                         "a=extmap:200 urn:two-byte ext-attr\n"
                         "a=ssrc:notanumber cname:x\n"
                         "a=ssrc:42 label:foo\n"
                         "a=ssrc:43 cname:other\n"
                         "a=ssrc:42 cname:first\n"
                         "a=ssrc:42 msid:fallback track\n"
                         "a=msid:preferred track2 extra-token\n");
    REQUIRE(parse(x, &sdp) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    REQUIRE(m->nextmaps == 2);
    CHECK_EQ(m->mid_ext, 15);
    CHECK_EQ(m->extmaps[0].dir, MJ_SDP_INACTIVE);
    CHECK_EQ(m->extmaps[1].id, 200);
    CHECK_STR(m->extmaps[1].uri, "urn:two-byte");
    CHECK_EQ(m->ssrc, 42);
    CHECK_STR(m->cname, "first");
    /* The a=msid line had three tokens: skipped, the ssrc msid stays. */
    CHECK_STR(m->msid_stream, "fallback");
    CHECK_STR(m->msid_track, "track");
    REQUIRE(parse(edit(x, "a=msid:", "a=msid:preferred track2"), &sdp) == 0);
    CHECK_STR(sdp.media[0].msid_stream, "preferred");
    CHECK_STR(sdp.media[0].msid_track, "track2");
    REQUIRE(parse(edit(x, "a=msid:", "a=msid:- only-track"), &sdp) == 0);
    CHECK_STR(sdp.media[0].msid_stream, "-");
    char line[256];
    snprintf(line, sizeof line, "a=extmap:7 urn:%s", repeat('u', 130));
    REQUIRE(parse(edit(MIN, "a=rtcp-mux", line), &sdp) == 0);
    CHECK_EQ(sdp.media[0].nextmaps, 0); /* too long to keep, not an error */
}

TEST(candidate_details)
{
    char line[256];
    const char *c = edit(MIN, "a=rtcp-mux",
                         "a=rtcp-mux\n"
                         "a=candidate:1 1 UDP 100 1.2.3.4 5000 typ relay raddr 9.9.9.9 rport 1\n"
                         "a=candidate:2 1 udp 101 ::ffff:1.2.3.4 5001 typ prflx\n"
                         "a=candidate:3 1 tcp 102 1.2.3.4 5002 typ host tcptype passive\n"
                         "a=candidate:3a 1 tcp 102 1.2.3.4 9 typ host tcptype active\n"
                         "a=candidate:3b 1 tcp 102 1.2.3.4 5002 typ host\n"
                         "a=candidate:4 1 udp 103 stun.example.com 5003 typ host\n"
                         "a=candidate:5 1 udp 104 abc.LOCAL 5004 typ host\n"
                         "a=candidate:6 1 udp 105 1.2.3.4 5005 type host\n"
                         "a=candidate:7 1 udp 106 1.2.3.4 0 typ host\n"
                         "a=candidate:8 1 udp 107 1.2.3.4 5007\n"
                         "a=candidate:9 0 udp 108 1.2.3.4 5008 typ host\n"
                         "a=candidate:10 1 udp 4294967296 1.2.3.4 5009 typ host\n"
                         "a=candidate:1-1 1 udp 110 1.2.3.4 5010 typ host\n"
                         "a=candidate:12 1 udp 111 fe80::1%eth0 5011 typ host\n"
                         "a=candidate:13 1 udp 112 1.2.3.4 5012 typ srflx\n");
    REQUIRE(parse(c, &sdp) == 0);
    const mj_sdp_media *m = &sdp.media[0];
    REQUIRE(m->ncandidates == 4);
    check_cand(&m->candidates[0], "1", 1, MJ_SDP_CAND_RELAY, 100, "1.2.3.4:5000");
    check_cand(&m->candidates[1], "2", 1, MJ_SDP_CAND_PRFLX, 101, "[::ffff:1.2.3.4]:5001");
    /* RFC 6544: a passive TCP candidate is kept, marked; active ones and
     * those without a tcptype cannot be connected to. */
    check_cand(&m->candidates[2], "3", 1, MJ_SDP_CAND_HOST, 102, "1.2.3.4:5002");
    CHECK(m->candidates[2].addr.tcp);
    CHECK(!m->candidates[0].addr.tcp && !m->candidates[1].addr.tcp);
    check_cand(&m->candidates[3], "13", 1, MJ_SDP_CAND_SRFLX, 112, "1.2.3.4:5012");
    CHECK(!m->candidates[3].addr.tcp);
    CHECK_EQ(m->candidates_skipped, 11);
    CHECK(m->mdns_candidates);
    snprintf(line, sizeof line, "a=candidate:1 1 udp 1 %s.example 5 typ host", repeat('h', 70));
    REQUIRE(parse(edit(MIN, "a=rtcp-mux", line), &sdp) == 0);
    CHECK_EQ(sdp.media[0].candidates_skipped, 1);
    CHECK(!sdp.media[0].mdns_candidates);
    /* rtcp-mux-only implies rtcp-mux. */
    REQUIRE(parse(edit(MIN, "a=rtcp-mux", "a=rtcp-mux-only"), &sdp) == 0);
    CHECK(sdp.media[0].rtcp_mux && sdp.media[0].rtcp_mux_only);
    CHECK(mj_sdp_media_usable(&sdp.media[0]));
    /* Candidates at session level mean nothing. */
    REQUIRE(parse(edit(MIN, "t=", "t=0 0\na=candidate:1 1 udp 1 1.2.3.4 5 typ host"), &sdp) == 0);
    CHECK_EQ(sdp.media[0].ncandidates, 0);
}

TEST(direction_and_name_helpers)
{
    const enum mj_sdp_dir S = MJ_SDP_SENDRECV, SO = MJ_SDP_SENDONLY, RO = MJ_SDP_RECVONLY,
                          I = MJ_SDP_INACTIVE;
    CHECK(mj_sdp_dir_compatible(S, S) && mj_sdp_dir_compatible(S, SO));
    CHECK(mj_sdp_dir_compatible(S, RO) && mj_sdp_dir_compatible(S, I));
    CHECK(mj_sdp_dir_compatible(SO, RO) && mj_sdp_dir_compatible(SO, I));
    CHECK(!mj_sdp_dir_compatible(SO, SO) && !mj_sdp_dir_compatible(SO, S));
    CHECK(mj_sdp_dir_compatible(RO, SO) && !mj_sdp_dir_compatible(RO, RO));
    CHECK(!mj_sdp_dir_compatible(RO, S));
    CHECK(mj_sdp_dir_compatible(I, I) && !mj_sdp_dir_compatible(I, SO));
    CHECK(!mj_sdp_dir_compatible(S, (enum mj_sdp_dir)9));
    CHECK_EQ(mj_sdp_dir_reverse(SO), RO);
    CHECK_EQ(mj_sdp_dir_reverse(RO), SO);
    CHECK_EQ(mj_sdp_dir_reverse(S), S);
    CHECK_EQ(mj_sdp_dir_reverse(I), I);
    CHECK_STR(mj_sdp_dir_name(S), "sendrecv");
    CHECK_STR(mj_sdp_dir_name(I), "inactive");
    CHECK_STR(mj_sdp_hash_name(MJ_SDP_HASH_SHA384), "sha-384");
    CHECK_STR(mj_sdp_hash_name(MJ_SDP_HASH_NONE), "none");
}

TEST_MAIN(chrome_whip_offer, chrome_whep_offer_3audio, chrome_whep_offer_1audio_mdns,
          firefox_whep_offer, safari_whip_offer, gstreamer_uppercase_opus,
          obs_session_level_transport, audio_video_datachannel, video_only_has_no_opus,
          lf_and_crlf_parse_alike, opus_name_case_and_choice, answer_whip_exact_and_parsed_back,
          answer_whep_slots_with_ssrc, answer_rejects_what_it_cannot_take, answer_too_small_buffer,
          answer_refuses_bad_parameters, answer_ipv6_and_extmap_direction,
          client_offer_server_answer_client_parse, truncated_at_every_length,
          not_sdp_and_broken_structure, missing_credentials_and_fingerprint, limits,
          ice_credentials_grammar, fingerprint_variants, session_level_defaults_and_overrides,
          bundle_and_mids, extmaps_ssrc_msid_details, candidate_details, direction_and_name_helpers)
