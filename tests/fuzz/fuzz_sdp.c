/* Fuzz target for the SDP codec (src/proto/sdp*.c).
 *
 * Parses the input as an offer. When it parses, answers it the way the
 * server would (every usable section accepted, directions and SSRCs drawn
 * from the input), into a roomy buffer and into one that is too small (an
 * exact-size heap buffer, so ASan sees any write past cap), and parses the
 * answer back: it must parse, keep the section count, and accept exactly
 * the sections the server accepted, with the offer's Opus payload type and
 * mid. A slice of the input is also tried as cname, msid and ufrag: the
 * writers may refuse it, but whatever they write must parse back with it
 * intact (no line injection). Input bytes also drive our client's offer
 * writer, and the input goes to the a=fingerprint parser on its own. */
#include "proto/sdp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mj_sdp offer, back;
static char answer[65536];

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_sdp: %s\n", what);
    abort();
}

static void make_answer(mj_sdp_answer *a, const mj_addr *cands, const uint8_t *data, size_t size)
{
    memset(a, 0, sizeof *a);
    a->session_id = size ? data[0] * 0x0101010101010101ull : 0;
    a->ice_ufrag = "fUzZ";
    a->ice_pwd = "fuzzfuzzfuzzfuzzfuzz+/";
    a->fingerprint = "sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:"
                     "16:17:18:19:1A:1B:1C:1D:1E:1F";
    a->candidates = cands;
    a->ncandidates = size % 3; /* none, v4, or v4 and v6 */
    for (size_t i = 0; i < offer.nmedia; i++) {
        uint8_t b = size ? data[i % size] : 0;
        a->media[i].accept = mj_sdp_media_usable(&offer.media[i]) && (b & 1);
        a->media[i].dir = (enum mj_sdp_dir)((b >> 1) & 3);
        a->media[i].ssrc = (b & 8) ? 0x10000u + (uint32_t)i : 0;
        a->media[i].cname = "cname";
        a->media[i].msid_stream = (b & 16) ? "stream" : NULL;
        a->media[i].msid_track = (b & 48) == 48 ? "track" : NULL;
    }
}

static void check_back(const mj_sdp_answer *a)
{
    if (back.nmedia != offer.nmedia) fail("answer has another number of sections");
    for (size_t i = 0; i < offer.nmedia; i++) {
        const mj_sdp_media *o = &offer.media[i], *r = &back.media[i];
        if (strcmp(o->mid, r->mid) != 0) fail("answer changed a mid");
        if (!a->media[i].accept) {
            if (r->port != 0 || r->bundled || strcmp(o->fmts, r->fmts) != 0)
                fail("rejected section not rejected as written");
            continue;
        }
        if (!mj_sdp_media_usable(r) || r->opus_pt != o->opus_pt || r->dir != a->media[i].dir ||
            r->tr.setup != MJ_SDP_SETUP_PASSIVE || r->bundled != o->bundled ||
            r->ncandidates != a->ncandidates || r->has_ssrc != (a->media[i].ssrc != 0))
            fail("accepted section does not read back");
    }
}

/* The last bytes of the input as a C string. */
static const char *tail_string(const uint8_t *data, size_t size)
{
    static char tok[48];
    size_t n = size < sizeof tok - 1 ? size : sizeof tok - 1;
    memcpy(tok, data + size - n, n);
    tok[n] = '\0';
    return tok;
}

/* Untrusted strings in the writer's parameters. */
static void check_injection(mj_sdp_answer *a, const char *tok)
{
    size_t i = 0;
    while (i < offer.nmedia && !a->media[i].accept)
        i++;
    if (i == offer.nmedia) return;
    a->media[i].ssrc = 7;
    a->media[i].cname = tok;
    a->media[i].msid_stream = tok;
    a->media[i].msid_track = tok;
    long n = mj_sdp_write_answer(&offer, a, answer, sizeof answer);
    if (n < 0) return;
    if (mj_sdp_parse(answer, (size_t)n, &back, NULL) != 0 || strcmp(back.media[i].cname, tok) ||
        strcmp(back.media[i].msid_stream, tok) || strcmp(back.media[i].msid_track, tok))
        fail("accepted stream ids do not read back");
    a->ice_ufrag = tok;
    n = mj_sdp_write_answer(&offer, a, answer, sizeof answer);
    if (n >= 0 && (mj_sdp_parse(answer, (size_t)n, &back, NULL) != 0 ||
                   strcmp(back.media[i].tr.ice_ufrag, tok)))
        fail("accepted ufrag does not read back");
}

/* Our client's offer, shaped by the input. */
static void check_offer(const uint8_t *data, size_t size)
{
    static char text[65536];
    mj_sdp_offer_params p;
    memset(&p, 0, sizeof p);
    p.session_id = size;
    p.ice_ufrag = "oFfR";
    p.ice_pwd = "offerofferofferoffer+/";
    p.fingerprint = "sha-1 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13";
    p.setup = size ? (enum mj_sdp_setup)(data[0] % 5) : MJ_SDP_SETUP_NONE;
    p.cname = "c";
    p.nmedia = 1 + size % MJ_SDP_MAX_MEDIA;
    for (size_t i = 0; i < p.nmedia; i++) {
        uint8_t b = size ? data[i % size] : 0;
        p.media[i].dir = (enum mj_sdp_dir)(b & 3);
        p.media[i].ssrc = (b & 4) ? b : 0;
        p.media[i].msid_stream = (b & 8) ? "s" : NULL;
    }
    long n = mj_sdp_write_offer(&p, text, sizeof text);
    if (n <= 0 || mj_sdp_parse(text, (size_t)n, &back, NULL) != 0 || back.nmedia != p.nmedia)
        fail("client offer does not parse back");
    for (size_t i = 0; i < p.nmedia; i++)
        if (!mj_sdp_media_usable(&back.media[i]) || back.media[i].dir != p.media[i].dir ||
            back.media[i].has_ssrc != (p.media[i].ssrc != 0))
            fail("client offer section does not read back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mj_sdp_fingerprint fp;
    if (mj_sdp_fingerprint_parse((const char *)data, size, &fp, NULL) == 0 &&
        (fp.len < 20 || fp.hash == MJ_SDP_HASH_NONE))
        fail("fingerprint parsed without a digest");

    if (size < 64) /* short inputs are enough to shape it, and it is slow */
        check_offer(data, size);

    const char *why = NULL;
    if (mj_sdp_parse((const char *)data, size, &offer, &why) != 0) {
        if (!why || !why[0]) fail("error without a reason");
        return 0;
    }
    (void)mj_sdp_first_opus(&offer);

    mj_addr cands[2];
    if (mj_addr_parse("198.51.100.1:40000", &cands[0]) ||
        mj_addr_parse("[2001:db8::1]:40000", &cands[1]))
        fail("bad test address");
    mj_sdp_answer a;
    make_answer(&a, cands, data, size);
    long n = mj_sdp_write_answer(&offer, &a, answer, sizeof answer);
    if (n <= 0 || (size_t)n != strlen(answer)) fail("answer not written");

    /* Too small by a little or by a lot: refused, never written past cap. */
    size_t cap = size ? (size_t)n - 1 - (data[size - 1] % (size_t)n) : (size_t)n / 2;
    char *small = malloc(cap ? cap : 1);
    if (mj_sdp_write_answer(&offer, &a, small, cap) != MJ_ENOSPC) fail("short buffer not refused");
    free(small);

    if (mj_sdp_parse(answer, (size_t)n, &back, &why) != 0) {
        fprintf(stderr, "%s\n---\n%s", why, answer);
        fail("answer does not parse back");
    }
    check_back(&a);
    check_injection(&a, tail_string(data, size));
    return 0;
}
