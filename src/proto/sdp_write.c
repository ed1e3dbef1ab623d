/* The SDP writers (sdp.h): the server's answer and our client's offer.
 *
 * Every string that goes into the text is checked first, so a bad
 * parameter cannot inject lines, and everything written parses back with
 * mj_sdp_parse (the fuzz target checks that). Output goes through mj_wbuf,
 * which never writes past cap. */
#include "proto/sdp.h"

#include "base/buf.h"

#include <inttypes.h>
#include <string.h>

#define CRLF "\r\n"

/* RFC 8866 token-char, the grammar of msid ids (RFC 8830); we hold cnames
 * to it as well. */
static bool token_ok(const char *s, size_t max)
{
    if (!s) return false;
    size_t n = strnlen(s, max + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]", c)) return false;
    }
    return n >= 1 && n <= max;
}

static bool fingerprint_ok(const char *s)
{
    mj_sdp_fingerprint fp;
    size_t n = s ? strnlen(s, 256) : 0;
    return s && n < 256 && mj_sdp_fingerprint_parse(s, n, &fp, NULL) == 0;
}

static bool transport_ok(const char *ufrag, const char *pwd, const char *fingerprint)
{
    return mj_sdp_ice_ufrag_valid(ufrag) && mj_sdp_ice_pwd_valid(pwd) &&
           fingerprint_ok(fingerprint);
}

/* An a=msid needs a stream id; a=ssrc lines need a cname. */
static bool stream_ok(enum mj_sdp_dir dir, uint32_t ssrc, const char *cname, const char *stream,
                      const char *track)
{
    return (unsigned)dir <= MJ_SDP_INACTIVE && (!ssrc || token_ok(cname, MJ_SDP_ID_MAX)) &&
           (!stream || token_ok(stream, MJ_SDP_ID_MAX)) &&
           (!track || (stream && token_ok(track, MJ_SDP_ID_MAX)));
}

/* ---- Pieces shared by both writers ------------------------------------------ */

/* o= says IP6 when the first candidate is IPv6; JSEP ignores it anyway. */
static void put_session(mj_wbuf *w, uint64_t id, bool v6)
{
    mj_wbuf_printf(w, "v=0" CRLF "o=- %" PRIu64 " 2 IN %s" CRLF "s=-" CRLF "t=0 0" CRLF,
                   id & INT64_MAX, v6 ? "IP6 ::1" : "IP4 127.0.0.1");
}

static void put_transport(mj_wbuf *w, const char *ufrag, const char *pwd, const char *fp,
                          const char *setup)
{
    mj_wbuf_printf(
        w, "a=ice-ufrag:%s" CRLF "a=ice-pwd:%s" CRLF "a=fingerprint:%s" CRLF "a=setup:%s" CRLF,
        ufrag, pwd, fp, setup);
}

/* Format parameters say what we prefer to receive (RFC 7587 §6.1). Where
 * we receive (a speaker's section), ask for DTX as well: a speaker who is
 * silent then sends a packet every 400 ms instead of every 20 ms, which
 * cuts what the server forwards to every listener. */
static void put_opus(mj_wbuf *w, int pt, bool receiving)
{
    mj_wbuf_printf(w,
                   "a=rtcp-mux" CRLF "a=rtpmap:%d opus/48000/2" CRLF
                   "a=fmtp:%d minptime=10;useinbandfec=1%s" CRLF,
                   pt, pt, receiving ? ";usedtx=1" : "");
}

static void put_stream(mj_wbuf *w, uint32_t ssrc, const char *cname, const char *stream,
                       const char *track)
{
    const char *sp = track ? " " : "";
    track = track ? track : "";
    if (stream) mj_wbuf_printf(w, "a=msid:%s%s%s" CRLF, stream, sp, track);
    if (ssrc) mj_wbuf_printf(w, "a=ssrc:%" PRIu32 " cname:%s" CRLF, ssrc, cname);
    if (ssrc && stream)
        mj_wbuf_printf(w, "a=ssrc:%" PRIu32 " msid:%s%s%s" CRLF, ssrc, stream, sp, track);
}

/* ---- The answer --------------------------------------------------------------- */

static bool accepted(const mj_sdp *offer, const mj_sdp_answer *a, size_t i)
{
    return a->media[i].accept && mj_sdp_media_usable(&offer->media[i]);
}

static bool candidates_ok(const mj_addr *c, size_t n)
{
    if (n > MJ_SDP_MAX_CANDIDATES || (n && !c)) return false;
    for (size_t k = 0; k < n; k++)
        if ((c[k].family != 4 && c[k].family != 6) || c[k].port == 0) return false;
    return true;
}

static int check_answer(const mj_sdp *offer, const mj_sdp_answer *a)
{
    if (offer->nmedia > MJ_SDP_MAX_MEDIA || !candidates_ok(a->candidates, a->ncandidates) ||
        !candidates_ok(a->tcp_candidates, a->ntcp_candidates) ||
        !transport_ok(a->ice_ufrag, a->ice_pwd, a->fingerprint))
        return MJ_EINVAL;
    for (size_t i = 0; i < offer->nmedia; i++) {
        const mj_sdp_answer_media *am = &a->media[i];
        if (am->accept &&
            (!mj_sdp_media_usable(&offer->media[i]) ||
             !stream_ok(am->dir, am->ssrc, am->cname, am->msid_stream, am->msid_track)))
            return MJ_EINVAL;
    }
    return 0;
}

static void answer_session(mj_wbuf *w, const mj_sdp *offer, const mj_sdp_answer *a)
{
    bool group = false, msid = false;
    put_session(w, a->session_id, a->ncandidates && a->candidates[0].family == 6);
    mj_wbuf_printf(w, "a=ice-lite" CRLF);
    /* Only sections the offer bundled may be bundled, in its order. */
    for (size_t k = 0; k < offer->nbundle; k++) {
        size_t i = offer->bundle[k];
        if (!accepted(offer, a, i) || !offer->media[i].mid[0]) continue;
        mj_wbuf_printf(w, "%s %s", group ? "" : "a=group:BUNDLE", offer->media[i].mid);
        group = true;
    }
    if (group) mj_wbuf_printf(w, CRLF);
    for (size_t i = 0; i < offer->nmedia; i++)
        msid |= accepted(offer, a, i) && a->media[i].msid_stream;
    if (msid) mj_wbuf_printf(w, "a=msid-semantic:WMS *" CRLF);
}

static void answer_candidates(mj_wbuf *w, const mj_sdp_answer *a)
{
    char ip[MJ_ADDR_STRLEN];
    for (size_t k = 0; k < a->ncandidates; k++) {
        /* RFC 8445 §5.1.2.1: host type preference 126, local preference
         * falling with the order given, component 1. */
        uint32_t prio = (126u << 24) | ((65535u - (uint32_t)k) << 8) | 255u;
        mj_wbuf_printf(w, "a=candidate:%zu 1 udp %" PRIu32 " %s %u typ host" CRLF, k + 1, prio,
                       mj_addr_ip_str(&a->candidates[k], ip), (unsigned)a->candidates[k].port);
    }
    for (size_t k = 0; k < a->ntcp_candidates; k++) {
        /* RFC 6544 §4.2: a TCP host candidate's type preference below
         * UDP's (90, as libwebrtc gives its own), and a local preference
         * of direction (a passive host: 4 << 13) and order. */
        uint32_t local = (4u << 13) | (8191u - (uint32_t)k);
        uint32_t prio = (90u << 24) | (local << 8) | 255u;
        mj_wbuf_printf(w, "a=candidate:%zu 1 tcp %" PRIu32 " %s %u typ host tcptype passive" CRLF,
                       a->ncandidates + k + 1, prio, mj_addr_ip_str(&a->tcp_candidates[k], ip),
                       (unsigned)a->tcp_candidates[k].port);
    }
    mj_wbuf_printf(w, "a=end-of-candidates" CRLF);
}

static void answer_accepted(mj_wbuf *w, const mj_sdp_media *m, const mj_sdp_answer *a,
                            const mj_sdp_answer_media *am)
{
    const mj_addr *c0 = a->ncandidates ? &a->candidates[0] : NULL;
    char ip[MJ_ADDR_STRLEN] = "0.0.0.0";
    if (c0) mj_addr_ip_str(c0, ip);
    mj_wbuf_printf(w, "m=audio %u %s %d" CRLF "c=IN IP%d %s" CRLF, c0 ? (unsigned)c0->port : 9u,
                   m->proto, m->opus_pt, c0 && c0->family == 6 ? 6 : 4, ip);
    if (m->mid[0]) mj_wbuf_printf(w, "a=mid:%s" CRLF, m->mid);
    mj_wbuf_printf(w, "a=%s" CRLF, mj_sdp_dir_name(am->dir));
    put_transport(w, a->ice_ufrag, a->ice_pwd, a->fingerprint, "passive");
    put_opus(w, m->opus_pt, am->dir == MJ_SDP_RECVONLY);
    if (m->rtcp_rsize) mj_wbuf_printf(w, "a=rtcp-rsize" CRLF);
    if (m->audio_level_ext) {
        /* RFC 8285 §7: a direction in the offer is answered reversed. */
        enum mj_sdp_dir d = mj_sdp_dir_reverse(m->audio_level_dir);
        mj_wbuf_printf(w, "a=extmap:%u%s%s urn:ietf:params:rtp-hdrext:ssrc-audio-level" CRLF,
                       (unsigned)m->audio_level_ext, d == MJ_SDP_SENDRECV ? "" : "/",
                       d == MJ_SDP_SENDRECV ? "" : mj_sdp_dir_name(d));
    }
    put_stream(w, am->ssrc, am->cname, am->msid_stream, am->msid_track);
    answer_candidates(w, a);
}

/* RFC 3264 §6 / RFC 8829 §5.3.1: a rejected section keeps the offer's
 * media, proto and formats, with port 0; RFC 8843 §7.3.3 keeps it out of
 * the BUNDLE group, and its mid stays for JSEP. */
static void answer_rejected(mj_wbuf *w, const mj_sdp_media *m)
{
    mj_wbuf_printf(w, "m=%s 0 %s %s" CRLF "c=IN IP4 0.0.0.0" CRLF, m->media, m->proto, m->fmts);
    if (m->mid[0]) mj_wbuf_printf(w, "a=mid:%s" CRLF, m->mid);
}

long mj_sdp_write_answer(const mj_sdp *offer, const mj_sdp_answer *a, char *buf, size_t cap)
{
    mj_wbuf w;
    if (!offer || !a || !buf || check_answer(offer, a)) return MJ_EINVAL;
    mj_wbuf_init(&w, buf, cap);
    answer_session(&w, offer, a);
    for (size_t i = 0; i < offer->nmedia; i++) {
        if (accepted(offer, a, i))
            answer_accepted(&w, &offer->media[i], a, &a->media[i]);
        else
            answer_rejected(&w, &offer->media[i]);
    }
    return mj_wbuf_result(&w);
}

/* ---- Our client's offer ----------------------------------------------------------- */

static int check_offer(const mj_sdp_offer_params *p)
{
    if (p->nmedia < 1 || p->nmedia > MJ_SDP_MAX_MEDIA ||
        (unsigned)p->setup > MJ_SDP_SETUP_HOLDCONN ||
        !transport_ok(p->ice_ufrag, p->ice_pwd, p->fingerprint))
        return MJ_EINVAL;
    for (size_t i = 0; i < p->nmedia; i++) {
        const mj_sdp_offer_media *om = &p->media[i];
        if (!stream_ok(om->dir, om->ssrc, p->cname, om->msid_stream, om->msid_track))
            return MJ_EINVAL;
    }
    return 0;
}

long mj_sdp_write_offer(const mj_sdp_offer_params *p, char *buf, size_t cap)
{
    static const char *const setups[] = {"actpass", "actpass", "active", "passive", "holdconn"};
    mj_wbuf w;
    bool msid = false;
    if (!p || !buf || check_offer(p)) return MJ_EINVAL;
    mj_wbuf_init(&w, buf, cap);
    put_session(&w, p->session_id, false);
    mj_wbuf_printf(&w, "a=group:BUNDLE");
    for (size_t i = 0; i < p->nmedia; i++) {
        mj_wbuf_printf(&w, " %zu", i);
        msid |= p->media[i].msid_stream != NULL;
    }
    mj_wbuf_printf(&w, CRLF "%s", msid ? "a=msid-semantic:WMS *" CRLF : "");
    for (size_t i = 0; i < p->nmedia; i++) {
        const mj_sdp_offer_media *om = &p->media[i];
        mj_wbuf_printf(&w,
                       "m=audio 9 UDP/TLS/RTP/SAVPF %d" CRLF "c=IN IP4 0.0.0.0" CRLF
                       "a=mid:%zu" CRLF "a=%s" CRLF,
                       MJ_SDP_CLIENT_OPUS_PT, i, mj_sdp_dir_name(om->dir));
        put_transport(&w, p->ice_ufrag, p->ice_pwd, p->fingerprint, setups[p->setup]);
        put_opus(&w, MJ_SDP_CLIENT_OPUS_PT, false);
        mj_wbuf_printf(
            &w, "a=rtcp-rsize" CRLF "a=extmap:%d urn:ietf:params:rtp-hdrext:ssrc-audio-level" CRLF,
            MJ_SDP_CLIENT_AUDIO_LEVEL);
        put_stream(&w, om->ssrc, p->cname, om->msid_stream, om->msid_track);
    }
    return mj_wbuf_result(&w);
}
