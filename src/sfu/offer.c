/* Choosing an offer's sections by the kind of session, the session
 * parameters they give, and the answer (see offer.h). */
#include "sfu/offer.h"

#include <stdio.h>
#include <string.h>

enum section_use { USE_NONE, USE_SEND, USE_SLOT };

static bool sends(enum mj_sdp_dir d)
{
    return d == MJ_SDP_SENDONLY || d == MJ_SDP_SENDRECV;
}

static bool receives(enum mj_sdp_dir d)
{
    return d == MJ_SDP_RECVONLY || d == MJ_SDP_SENDRECV;
}

/* What a usable section is to a session of o->kind, given what it took
 * already. */
static enum section_use use_of(const mj_offer *o, enum mj_sdp_dir dir)
{
    bool send_free = o->send < 0, slot_free = o->nslots < MJ_SFU_MAX_SLOTS;
    switch (o->kind) {
    case MJ_OFFER_WHIP: return send_free && sends(dir) ? USE_SEND : USE_NONE;
    case MJ_OFFER_WHEP: return slot_free && receives(dir) ? USE_SLOT : USE_NONE;
    case MJ_OFFER_VISIT:
        if (dir == MJ_SDP_RECVONLY) return slot_free ? USE_SLOT : USE_NONE;
        if (sends(dir) && send_free) return USE_SEND;
        return dir == MJ_SDP_SENDRECV && slot_free ? USE_SLOT : USE_NONE;
    }
    return USE_NONE;
}

static void take(mj_offer *o, int i, enum section_use use)
{
    static const char *const track_ids[MJ_SFU_MAX_SLOTS] = {"slot0", "slot1", "slot2"};
    mj_sdp_answer_media *am = &o->ans.media[i];
    am->accept = true;
    if (use == USE_SEND) {
        am->dir = MJ_SDP_RECVONLY;
        o->send = i;
    } else {
        am->dir = MJ_SDP_SENDONLY;
        am->ssrc = mj_sfu_slot_ssrc((unsigned)o->nslots);
        am->cname = MJ_SFU_CNAME;
        am->msid_stream = "majlis";
        am->msid_track = track_ids[o->nslots];
        o->nslots++;
    }
    if (o->transport < 0) o->transport = i;
}

static void choose_sections(mj_offer *o)
{
    o->transport = o->send = -1;
    o->nslots = 0;
    for (int i = 0; i < o->sdp.nmedia; i++) {
        const mj_sdp_media *sec = &o->sdp.media[i];
        if (!mj_sdp_media_usable(sec)) continue;
        /* One ICE/DTLS transport per session: after the first section,
         * only sections bundled with it can share it. */
        if (o->transport >= 0 && (!sec->bundled || !o->sdp.media[o->transport].bundled)) continue;
        enum section_use use = use_of(o, sec->dir);
        if (use != USE_NONE) take(o, i, use);
    }
}

static const char *missing(const mj_offer *o)
{
    switch (o->kind) {
    case MJ_OFFER_WHEP: return o->nslots ? NULL : "offer has no audio section with Opus to receive";
    case MJ_OFFER_VISIT:
        return o->send >= 0 ? NULL : "offer has no audio section with Opus to send from";
    case MJ_OFFER_WHIP: break;
    }
    return o->send >= 0 ? NULL : "offer has no audio section with Opus to send";
}

static const mj_sdp_fingerprint *usable_fingerprint(const mj_sdp_transport *tr)
{
    for (int i = 0; i < tr->nfingerprints; i++) {
        enum mj_sdp_hash h = tr->fingerprints[i].hash;
        if (h == MJ_SDP_HASH_SHA256 || h == MJ_SDP_HASH_SHA384 || h == MJ_SDP_HASH_SHA512 ||
            h == MJ_SDP_HASH_SHA1)
            return &tr->fingerprints[i];
    }
    return NULL;
}

/* The remote side of the transport, from the section it comes from. */
static int fill_transport(const mj_sdp_transport *tr, mj_sfu_session_params *p, const char **why)
{
    if (!tr->ice_ufrag[0] || !tr->ice_pwd[0]) {
        *why = "offer has no ICE credentials";
        return MJ_EINVAL;
    }
    if (strlen(tr->ice_ufrag) > MJ_ICE_UFRAG_MAX || strlen(tr->ice_pwd) > MJ_ICE_PWD_MAX) {
        *why = "offer's ICE credentials are longer than this server accepts";
        return MJ_EINVAL;
    }
    const mj_sdp_fingerprint *fp = usable_fingerprint(tr);
    if (!fp) {
        *why = "offer has no usable DTLS fingerprint";
        return MJ_EINVAL;
    }
    if (tr->setup == MJ_SDP_SETUP_PASSIVE) {
        *why = "offer asks for setup:passive, but this server is always DTLS passive";
        return MJ_EINVAL;
    }
    memcpy(p->remote_ufrag, tr->ice_ufrag, strlen(tr->ice_ufrag) + 1);
    memcpy(p->remote_pwd, tr->ice_pwd, strlen(tr->ice_pwd) + 1);
    snprintf(p->remote_fp_alg, sizeof p->remote_fp_alg, "%s", mj_sdp_hash_name(fp->hash));
    memcpy(p->remote_fp, fp->bytes, fp->len);
    p->remote_fp_len = fp->len;
    return 0;
}

int mj_offer_read(mj_offer *o, mj_offer_kind kind, const char *text, size_t len,
                  mj_sfu_session_params *p, const char **code, const char **why)
{
    memset(&o->ans, 0, sizeof o->ans);
    o->kind = kind;
    *code = "bad_offer";
    *why = "offer is not valid SDP";
    if (mj_sdp_parse(text, len, &o->sdp, why) != 0) return MJ_EINVAL;
    choose_sections(o);
    const char *lack = missing(o);
    if (lack) {
        *code = "no_audio";
        *why = lack;
        return MJ_EINVAL;
    }
    if (fill_transport(&o->sdp.media[o->transport].tr, p, why) != 0) return MJ_EINVAL;
    /* Slots are ours to send on, the send section the client's: each has
     * its own payload type, which a bundle may make differ. */
    int first_slot = -1;
    for (int i = 0; i < o->sdp.nmedia && first_slot < 0; i++)
        if (o->ans.media[i].accept && i != o->send) first_slot = i;
    const mj_sdp_media *send = o->send >= 0 ? &o->sdp.media[o->send] : NULL;
    const mj_sdp_media *slot = first_slot >= 0 ? &o->sdp.media[first_slot] : send;
    p->opus_pt = (uint8_t)slot->opus_pt;
    p->send_pt = (uint8_t)(send ? send->opus_pt : 0);
    p->audio_level_id = send ? send->audio_level_ext : 0;
    p->nslots = (uint8_t)o->nslots;
    p->send = send != NULL;
    return 0;
}

long mj_offer_answer(mj_offer *o, const mj_offer_local *loc, char *buf, size_t cap)
{
    o->ans.session_id = loc->session_id;
    o->ans.ice_ufrag = loc->ice_ufrag;
    o->ans.ice_pwd = loc->ice_pwd;
    o->ans.fingerprint = loc->fingerprint;
    o->ans.candidates = loc->candidates;
    o->ans.ncandidates = loc->ncandidates;
    o->ans.tcp_candidates = loc->tcp_candidate.family ? &loc->tcp_candidate : NULL;
    o->ans.ntcp_candidates = loc->tcp_candidate.family ? 1 : 0;
    long n = mj_sdp_write_answer(&o->sdp, &o->ans, buf, cap);
    /* The answer borrows loc for this call only. */
    o->ans.ice_ufrag = o->ans.ice_pwd = o->ans.fingerprint = NULL;
    o->ans.candidates = o->ans.tcp_candidates = NULL;
    o->ans.ncandidates = o->ans.ntcp_candidates = 0;
    return n;
}
