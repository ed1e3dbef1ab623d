/* Fuzz target for answering offers (src/sfu/offer.c).
 *
 * Reads the input as an offer for each kind of session. When one is
 * taken, the parameters must fit the kind (WHIP: a send section and no
 * slot; WHEP: 1..3 slots and no send section; VISIT: a send section and at
 * most 3 slots), and the answer must parse back with exactly the chosen
 * sections open: the send section recvonly without an SSRC, slot i
 * sendonly with slot i's SSRC, everything else port 0. A refusal must say
 * why with one of the two codes. */
#include "sfu/offer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mj_offer offer;
static mj_sdp back;
static char answer[65536];

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_offer: %s\n", what);
    abort();
}

static void check_params(mj_offer_kind kind, const mj_sfu_session_params *p)
{
    if (p->nslots > MJ_SFU_MAX_SLOTS || p->nslots != offer.nslots || p->send != (offer.send >= 0))
        fail("parameters do not match the sections taken");
    if ((kind == MJ_OFFER_WHIP && (!p->send || p->nslots)) ||
        (kind == MJ_OFFER_WHEP && (p->send || !p->nslots)) || (kind == MJ_OFFER_VISIT && !p->send))
        fail("a session of the wrong shape for its kind");
    if (!p->remote_ufrag[0] || !p->remote_pwd[0] || !p->remote_fp_len || p->opus_pt > 127 ||
        p->send_pt > 127)
        fail("transport or payload type missing");
}

static void check_answer(long n)
{
    if (n <= 0 || mj_sdp_parse(answer, (size_t)n, &back, NULL) != 0)
        fail("answer does not parse back");
    if (back.nmedia != offer.sdp.nmedia) fail("answer has another number of sections");
    int slots = 0;
    for (int i = 0; i < back.nmedia; i++) {
        const mj_sdp_media *m = &back.media[i];
        if (i == offer.send) {
            if (!m->port || m->dir != MJ_SDP_RECVONLY || m->has_ssrc)
                fail("send section not answered recvonly");
        } else if (m->port) {
            if (m->dir != MJ_SDP_SENDONLY || !m->has_ssrc ||
                m->ssrc != mj_sfu_slot_ssrc((unsigned)slots))
                fail("slot not answered sendonly with its SSRC");
            slots++;
        }
    }
    if (slots != offer.nslots) fail("answer opens another number of slots");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mj_offer_local loc = {
        .session_id = size,
        .ice_ufrag = "fUzZ",
        .ice_pwd = "fuzzfuzzfuzzfuzzfuzz+/",
        .fingerprint = "sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:"
                       "15:16:17:18:19:1A:1B:1C:1D:1E:1F",
    };
    if (mj_addr_parse("198.51.100.1:40000", &loc.candidates[0]) != 0) fail("bad test address");
    loc.ncandidates = 1;
    for (int k = MJ_OFFER_WHIP; k <= MJ_OFFER_VISIT; k++) {
        mj_sfu_session_params p;
        memset(&p, 0, sizeof p);
        const char *code = NULL, *why = NULL;
        if (mj_offer_read(&offer, (mj_offer_kind)k, (const char *)data, size, &p, &code, &why) !=
            0) {
            if (!code || (strcmp(code, "bad_offer") && strcmp(code, "no_audio")) || !why || !why[0])
                fail("refused without a code and a reason");
            continue;
        }
        check_params((mj_offer_kind)k, &p);
        check_answer(mj_offer_answer(&offer, &loc, answer, sizeof answer));
    }
    return 0;
}
