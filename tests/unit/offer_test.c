/* Tests for src/sfu/offer: which sections each kind of session takes from
 * real browser offers (tests/fixtures/sdp), the parameters they give, and
 * the answers, parsed back. */
#include "test.h"

#include "fixture.h"

#include "sfu/offer.h"

static mj_offer offer;     /* ~50 KiB: not on the stack */
static mj_sdp back;        /* the answer, parsed back */
static char text[1 << 17]; /* the offer being tested */
static char answer[16384];
static mj_sfu_session_params p;
static const char *code, *why;
static bool with_tcp; /* answers carry an ICE-TCP candidate too */

static size_t load(const char *name)
{
    return mj_fixture_read("sdp", name, text, sizeof text);
}

/* Replaces the first `from` in text by `to` (a hand-made variant). */
static void edit(const char *from, const char *to)
{
    char *at = strstr(text, from);
    if (!at) {
        fprintf(stderr, "edit: no \"%s\" in the offer\n", from);
        exit(1);
    }
    size_t fl = strlen(from), tl = strlen(to), rest = strlen(at + fl);
    memmove(at + tl, at + fl, rest + 1);
    memcpy(at, to, tl);
}

static int read_as(mj_offer_kind kind)
{
    memset(&p, 0, sizeof p);
    code = why = NULL;
    return mj_offer_read(&offer, kind, text, strlen(text), &p, &code, &why);
}

/* Answers the offer read last and parses the answer back. */
static long answer_and_parse(void)
{
    mj_offer_local loc = {
        .session_id = 42,
        .ice_ufrag = "srvUfrag",
        .ice_pwd = "serverpassword0123456789",
        .fingerprint = "sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:"
                       "24:C2:43:F0:A1:58:D0:A1:2C:19:08",
    };
    mj_addr_parse("127.0.0.1:40002", &loc.candidates[0]);
    mj_addr_parse("192.0.2.10:40002", &loc.candidates[1]);
    loc.ncandidates = 2;
    if (with_tcp) mj_addr_parse("192.0.2.10:40012", &loc.tcp_candidate);
    long n = mj_offer_answer(&offer, &loc, answer, sizeof answer);
    if (n > 0 && mj_sdp_parse(answer, (size_t)n, &back, &why) != 0) return -1;
    /* The answer borrowed loc for the call only. */
    CHECK(offer.ans.candidates == NULL && offer.ans.ice_ufrag == NULL);
    return n;
}

static bool taken(int i)
{
    return back.media[i].port != 0;
}

TEST(chrome_visit_offer_gives_three_slots_and_a_send_section)
{
    load("chrome_visit_offer.sdp");
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    CHECK_EQ(p.nslots, 3);
    CHECK(p.send);
    CHECK_EQ(offer.send, 3);
    CHECK_EQ(offer.transport, 0);
    CHECK_EQ(p.opus_pt, 111);
    CHECK_EQ(p.send_pt, 111);
    CHECK_EQ(p.audio_level_id, 1);
    CHECK_STR(p.remote_ufrag, "Vx7e");
    CHECK_STR(p.remote_pwd, "kL3pR9sT1uW5yA7cE2gJ4nQ6");
    CHECK_STR(p.remote_fp_alg, "sha-256");
    CHECK_EQ(p.remote_fp_len, 32);
    CHECK_EQ(p.remote_fp[0], 0x3E);
    /* What the offer does not decide is left to the caller. */
    CHECK_EQ(p.id, 0);
    CHECK(!p.room[0] && !p.local_ufrag[0] && !p.may_send);
    REQUIRE(answer_and_parse() > 0);
    REQUIRE(back.nmedia == 4);
    CHECK_EQ(back.nbundle, 4);
    for (int i = 0; i < 3; i++) {
        CHECK(taken(i));
        CHECK_EQ(back.media[i].dir, MJ_SDP_SENDONLY);
        CHECK(back.media[i].has_ssrc);
        CHECK_EQ(back.media[i].ssrc, mj_sfu_slot_ssrc((unsigned)i));
        CHECK_EQ(back.media[i].port, 40002);
    }
    /* Every address of the worker, the first preferred. */
    char addr[MJ_ADDR_STRLEN];
    REQUIRE(back.media[0].ncandidates == 2);
    CHECK_STR(mj_addr_str(&back.media[0].candidates[0].addr, addr), "127.0.0.1:40002");
    CHECK_STR(mj_addr_str(&back.media[0].candidates[1].addr, addr), "192.0.2.10:40002");
    CHECK(back.media[0].candidates[0].priority > back.media[0].candidates[1].priority);
    /* The microphone's section: we only receive on it, and ask for DTX. */
    CHECK(taken(3));
    CHECK_EQ(back.media[3].dir, MJ_SDP_RECVONLY);
    CHECK(!back.media[3].has_ssrc);
    CHECK(strstr(back.media[3].opus_fmtp, "usedtx=1") != NULL);
    CHECK_EQ(back.media[3].audio_level_ext, 1);
    CHECK_EQ(back.origin_id, 42);
}

TEST(the_visit_offer_read_as_whep_or_whip_takes_only_its_part)
{
    load("chrome_visit_offer.sdp");
    REQUIRE(read_as(MJ_OFFER_WHEP) == 0);
    CHECK_EQ(p.nslots, 3);
    CHECK(!p.send);
    CHECK_EQ(p.audio_level_id, 0);
    REQUIRE(answer_and_parse() > 0);
    CHECK(taken(0) && taken(1) && taken(2));
    CHECK(!taken(3)); /* refused with port 0, never dropped */
    CHECK_EQ(back.nmedia, 4);
    CHECK_EQ(back.nbundle, 3);

    REQUIRE(read_as(MJ_OFFER_WHIP) == 0);
    CHECK_EQ(p.nslots, 0);
    CHECK(p.send);
    CHECK_EQ(offer.transport, 3);
    REQUIRE(answer_and_parse() > 0);
    CHECK(!taken(0) && !taken(1) && !taken(2));
    CHECK(taken(3));
    CHECK_EQ(back.media[3].dir, MJ_SDP_RECVONLY);
}

TEST(whip_fixtures_as_every_kind)
{
    const char *fixtures[] = {"chrome_whip_offer.sdp", "safari_whip_offer.sdp",
                              "obs_whip_offer.sdp"};
    for (size_t f = 0; f < 3; f++) {
        load(fixtures[f]);
        REQUIRE(read_as(MJ_OFFER_WHIP) == 0);
        CHECK(p.send);
        CHECK_EQ(p.nslots, 0);
        REQUIRE(answer_and_parse() > 0);
        CHECK(taken(offer.send));
        CHECK_EQ(back.media[offer.send].dir, MJ_SDP_RECVONLY);
        /* Nothing to receive: a WHEP session cannot use it. */
        CHECK_EQ(read_as(MJ_OFFER_WHEP), MJ_EINVAL);
        CHECK_STR(code, "no_audio");
        CHECK(strstr(why, "receive") != NULL);
    }
    /* A visit with a microphone and no slots is allowed: it hears nobody. */
    load("chrome_whip_offer.sdp");
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    CHECK(p.send);
    CHECK_EQ(p.nslots, 0);
}

TEST(whep_fixtures_as_every_kind)
{
    const char *fixtures[] = {"chrome_whep_offer_3audio.sdp", "chrome_whep_offer_1audio.sdp",
                              "firefox_whep_offer.sdp"};
    const int slots[] = {3, 1, 1};
    for (size_t f = 0; f < 3; f++) {
        load(fixtures[f]);
        REQUIRE(read_as(MJ_OFFER_WHEP) == 0);
        CHECK_EQ(p.nslots, slots[f]);
        CHECK(!p.send);
        REQUIRE(answer_and_parse() > 0);
        for (int i = 0; i < slots[f]; i++)
            CHECK_EQ(back.media[i].ssrc, mj_sfu_slot_ssrc((unsigned)i));
        /* A visit needs a section to send from. */
        CHECK_EQ(read_as(MJ_OFFER_VISIT), MJ_EINVAL);
        CHECK_STR(code, "no_audio");
        CHECK(strstr(why, "send") != NULL);
        CHECK_EQ(read_as(MJ_OFFER_WHIP), MJ_EINVAL);
        CHECK_STR(code, "no_audio");
    }
}

TEST(a_visit_takes_the_first_sending_section_and_further_sendrecv_as_slots)
{
    /* A page that added its microphone first (addTrack: sendrecv). */
    load("chrome_visit_offer.sdp");
    edit("a=recvonly", "a=sendrecv");
    edit("a=recvonly", "a=sendrecv");
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    CHECK_EQ(offer.send, 0);
    CHECK_EQ(p.nslots, 2);
    REQUIRE(answer_and_parse() > 0);
    CHECK_EQ(back.media[0].dir, MJ_SDP_RECVONLY);
    CHECK_EQ(back.media[1].dir, MJ_SDP_SENDONLY);
    CHECK_EQ(back.media[1].ssrc, mj_sfu_slot_ssrc(0));
    CHECK_EQ(back.media[2].ssrc, mj_sfu_slot_ssrc(1));
    /* A second section to send on is refused: one microphone a visit. */
    CHECK(!taken(3));
}

TEST(each_part_keeps_its_own_payload_type)
{
    load("chrome_visit_offer.sdp");
    /* The microphone's section puts Opus on 109 (legal in a bundle as long
     * as no two codecs share a number). */
    char *mic = strstr(text, "a=mid:3");
    REQUIRE(mic);
    char *m = mic;
    while (m > text && strncmp(m, "m=audio", 7) != 0)
        m--;
    memcpy(m, "m=audio 9 UDP/TLS/RTP/SAVPF 109", 31);
    for (char *rtpmap; (rtpmap = strstr(mic, "a=rtpmap:111 "));)
        memcpy(rtpmap, "a=rtpmap:109 ", 13);
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    CHECK_EQ(p.opus_pt, 111);
    CHECK_EQ(p.send_pt, 109);
}

TEST(sections_not_bundled_with_the_first_are_refused)
{
    load("chrome_visit_offer.sdp");
    edit("a=group:BUNDLE 0 1 2 3", "a=group:BUNDLE 1 2 3");
    REQUIRE(read_as(MJ_OFFER_VISIT) == MJ_EINVAL); /* section 0 alone: no microphone */
    CHECK_STR(code, "no_audio");
    REQUIRE(read_as(MJ_OFFER_WHEP) == 0);
    CHECK_EQ(p.nslots, 1);
    REQUIRE(answer_and_parse() > 0);
    CHECK(taken(0) && !taken(1) && !taken(2) && !taken(3));
}

TEST(what_is_not_opus_audio_is_refused_with_port_zero)
{
    load("audio_video_offer.sdp");
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    CHECK_EQ(offer.send, 0); /* the sendrecv audio is the microphone */
    CHECK_EQ(p.nslots, 0);
    REQUIRE(answer_and_parse() > 0);
    CHECK_EQ(back.nmedia, 3);
    CHECK(taken(0));
    CHECK(!taken(1) && !taken(2));
    CHECK_EQ(back.media[1].kind, MJ_SDP_VIDEO);
    CHECK_EQ(back.nbundle, 1);
    load("video_only_offer.sdp");
    CHECK_EQ(read_as(MJ_OFFER_WHIP), MJ_EINVAL);
    CHECK_STR(code, "no_audio");
    CHECK(strstr(why, "Opus") != NULL);
}

TEST(unusable_transports_are_bad_offers)
{
    CHECK_EQ(mj_offer_read(&offer, MJ_OFFER_VISIT, "hello", 5, &p, &code, &why), MJ_EINVAL);
    CHECK_STR(code, "bad_offer");
    load("chrome_visit_offer.sdp");
    for (int i = 0; i < 4; i++)
        edit("a=setup:actpass", "a=setup:passive");
    CHECK_EQ(read_as(MJ_OFFER_VISIT), MJ_EINVAL);
    CHECK_STR(code, "bad_offer");
    CHECK(strstr(why, "passive") != NULL);
    load("chrome_visit_offer.sdp");
    for (int i = 0; i < 4; i++)
        edit("a=fingerprint:sha-256", "a=fingerprint:sha-224");
    CHECK_EQ(read_as(MJ_OFFER_VISIT), MJ_EINVAL);
    CHECK_STR(code, "bad_offer");
    CHECK(strstr(why, "fingerprint") != NULL);
}

/* RFC 6544: a passive TCP host candidate after the UDP one, lower in
 * priority, in every accepted section; none unless asked for. */
TEST(the_answer_offers_a_passive_tcp_candidate_below_udp)
{
    load("chrome_visit_offer.sdp");
    REQUIRE(read_as(MJ_OFFER_VISIT) == 0);
    REQUIRE(answer_and_parse() > 0);
    CHECK(strstr(answer, " tcp ") == NULL);
    with_tcp = true;
    long n = answer_and_parse();
    with_tcp = false;
    REQUIRE(n > 0);
    /* Both UDP candidates (loopback first), then the TCP one. */
    const char *udp = "a=candidate:1 1 udp 2130706431 127.0.0.1 40002 typ host\r\n"
                      "a=candidate:2 1 udp 2130706175 192.0.2.10 40002 typ host\r\n";
    const char *tcp =
        "a=candidate:3 1 tcp 1520435199 192.0.2.10 40012 typ host tcptype passive\r\n";
    int sections = 0;
    for (const char *at = answer; (at = strstr(at, udp)); at += strlen(udp)) {
        sections++;
        CHECK(strncmp(at + strlen(udp), tcp, strlen(tcp)) == 0);
    }
    CHECK_EQ(sections, 4);
    CHECK(1520435199u < 2130706175u);
    /* Our own client reads them back, the TCP one marked. */
    for (int i = 0; i < 4; i++) {
        REQUIRE(back.media[i].ncandidates == 3);
        CHECK(!back.media[i].candidates[0].addr.tcp && !back.media[i].candidates[1].addr.tcp);
        CHECK(back.media[i].candidates[2].addr.tcp);
        CHECK_EQ(back.media[i].candidates[2].addr.port, 40012);
        CHECK_EQ(back.media[i].candidates[2].priority, 1520435199u);
    }
}

TEST_MAIN(chrome_visit_offer_gives_three_slots_and_a_send_section,
          the_answer_offers_a_passive_tcp_candidate_below_udp,
          the_visit_offer_read_as_whep_or_whip_takes_only_its_part, whip_fixtures_as_every_kind,
          whep_fixtures_as_every_kind,
          a_visit_takes_the_first_sending_section_and_further_sendrecv_as_slots,
          each_part_keeps_its_own_payload_type, sections_not_bundled_with_the_first_are_refused,
          what_is_not_opus_audio_is_refused_with_port_zero, unusable_transports_are_bad_offers)
