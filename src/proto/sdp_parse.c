/* The SDP parser (sdp.h); helpers are in sdp.c, the writers in
 * sdp_write.c. One pass over the lines fills the struct; a short second
 * pass afterwards resolves what depends on the whole text (session-level
 * defaults, BUNDLE, the Opus a=fmtp, which Firefox writes before the
 * a=rtpmap that says which payload type is Opus). */
#include "proto/sdp.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

/* A borrowed piece of the input. */
typedef struct sv {
    const char *p;
    size_t n;
} sv;

typedef struct parser {
    mj_sdp *sdp;
    mj_sdp_media *m; /* the current section; NULL at session level */
    const char *why;
    bool seen_o, seen_s;
    bool sess_dir_set, sess_eoc;
    enum mj_sdp_dir sess_dir;
    mj_addr sess_conn;
    /* Per section: what was written there, to apply defaults later. */
    bool dir_set[MJ_SDP_MAX_MEDIA];
    bool iceopt_set[MJ_SDP_MAX_MEDIA];
    bool msid_attr[MJ_SDP_MAX_MEDIA]; /* msid came from a=msid */
    int opus_rank[MJ_SDP_MAX_MEDIA];  /* m= line position of opus_pt */
    size_t sec_start[MJ_SDP_MAX_MEDIA], sec_end[MJ_SDP_MAX_MEDIA];
    bool have_bundle;
    uint8_t nbundle_mids;
    char bundle_mids[MJ_SDP_MAX_MEDIA][MJ_SDP_MID_MAX + 1];
} parser;

/* Attribute handlers get the name (several names share one) and the value
 * after the colon; most need only one of them. */
#define ATTR_HANDLER(fn)                                                                           \
    static int fn(parser *p, __attribute__((unused)) sv name, __attribute__((unused)) sv v)

static int fail(parser *p, int code, const char *why)
{
    p->why = why;
    return code;
}

/* ---- Text helpers ------------------------------------------------------- */

static bool sv_eq(sv s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool sv_ieq(sv s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static sv sv_trim(sv s)
{
    while (s.n && is_space(s.p[0]))
        s.p++, s.n--;
    while (s.n && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Next token separated by spaces or tabs; false when none is left. */
static bool sv_token(sv *s, sv *tok)
{
    *s = sv_trim(*s);
    if (!s->n) return false;
    size_t i = 0;
    while (i < s->n && !is_space(s->p[i]))
        i++;
    *tok = (sv){s->p, i};
    s->p += i;
    s->n -= i;
    return true;
}

/* Splits at the first c: returns what precedes it and leaves *s after it
 * (empty when there is no c). */
static sv sv_cut(sv *s, char c)
{
    const char *at = s->n ? memchr(s->p, c, s->n) : NULL;
    sv head = {s->p, at ? (size_t)(at - s->p) : s->n};
    s->p += at ? head.n + 1 : s->n;
    s->n -= at ? head.n + 1 : s->n;
    return head;
}

/* Decimal digits only, at most max. */
static bool sv_uint(sv s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (s.n == 0 || s.n > 20) return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (v > max) return false;
    *out = v;
    return true;
}

static bool copy_sv(char *dst, size_t cap, sv s)
{
    if (s.n >= cap) return false;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return true;
}

/* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
static bool is_ice_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* RFC 8866 token-char: visible ASCII except "(),/:;<=>?@[\]. */
static bool is_token_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u > 0x20 && u < 0x7f && !strchr("\"(),/:;<=>?@[\\]", c);
}

/* Visible ASCII, for values we keep but that have no stricter grammar. */
static bool is_visible(char c)
{
    return c > 0x20 && c < 0x7f;
}

static bool sv_all(sv s, bool (*ok)(char))
{
    for (size_t i = 0; i < s.n; i++)
        if (!ok(s.p[i])) return false;
    return true;
}

static bool parse_ip(sv s, uint16_t port, mj_addr *a)
{
    char ip[MJ_ADDR_STRLEN];
    memset(a, 0, sizeof *a);
    if (!copy_sv(ip, sizeof ip, s)) return false;
    return mj_addr_parse_ip(ip, port, a) == 0;
}

/* One line from *pos, without its LF or CRLF; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, sv *line)
{
    if (*pos >= len) return false;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - start) : len - *pos;
    *pos += nl ? n + 1 : n;
    if (n && start[n - 1] == '\r') n--;
    *line = (sv){start, n};
    return true;
}

static bool dir_lookup(sv s, enum mj_sdp_dir *d)
{
    for (unsigned i = 0; i <= MJ_SDP_INACTIVE; i++)
        if (sv_eq(s, mj_sdp_dir_name((enum mj_sdp_dir)i))) {
            *d = (enum mj_sdp_dir)i;
            return true;
        }
    return false;
}

static mj_sdp_transport *cur_tr(parser *p)
{
    return p->m ? &p->m->tr : &p->sdp->session;
}

static size_t cur_idx(parser *p)
{
    return (size_t)(p->m - p->sdp->media);
}

/* ---- Session-level lines -------------------------------------------------- */

static int parse_version(parser *p, sv line)
{
    if (sv_eq(line, "v=0")) return 0;
    if (line.n >= 2 && line.p[0] == 'v' && line.p[1] == '=')
        return fail(p, MJ_EINVAL, "unsupported SDP version (v= must be 0)");
    return fail(p, MJ_EINVAL, "not an SDP document (it must start with v=0)");
}

static int parse_origin(parser *p, sv v)
{
    static const char bad[] = "bad o= line (expected o=<user> <id> <version> IN IP4 <address>)";
    sv f[6], extra;
    if (p->m) return fail(p, MJ_EINVAL, "o= line inside an m= section");
    if (p->seen_o) return fail(p, MJ_EINVAL, "repeated o= line");
    for (size_t i = 0; i < 6; i++)
        if (!sv_token(&v, &f[i])) return fail(p, MJ_EINVAL, bad);
    if (sv_token(&v, &extra) || !sv_eq(f[3], "IN") ||
        !sv_uint(f[1], UINT64_MAX, &p->sdp->origin_id) ||
        !sv_uint(f[2], UINT64_MAX, &p->sdp->origin_version))
        return fail(p, MJ_EINVAL, bad);
    p->seen_o = true;
    return 0;
}

static int parse_session_name(parser *p)
{
    p->seen_s |= !p->m; /* s= belongs before the first m= */
    return 0;
}

static int parse_conn(parser *p, sv v)
{
    sv net, type, addr, extra;
    mj_addr a;
    if (!sv_token(&v, &net) || !sv_token(&v, &type) || !sv_token(&v, &addr) ||
        sv_token(&v, &extra) || !sv_eq(net, "IN") || !(sv_eq(type, "IP4") || sv_eq(type, "IP6")))
        return fail(p, MJ_EINVAL, "bad c= line (expected c=IN IP4 <address>)");
    /* Drop a multicast "/ttl"; a host name leaves the address unset. */
    parse_ip(sv_cut(&addr, '/'), 0, &a);
    if (p->m)
        p->m->conn = a;
    else
        p->sess_conn = a;
    return 0;
}

/* ---- m= lines ---------------------------------------------------------------- */

static int parse_formats(parser *p, mj_sdp_media *m, sv v)
{
    bool rtp = strstr(m->proto, "RTP/") != NULL;
    size_t n = 0, used = 0;
    uint64_t pt;
    sv tok;
    while (sv_token(&v, &tok)) {
        if (n == MJ_SDP_MAX_FORMATS)
            return fail(p, MJ_ELIMIT, "an m= line has more than 64 formats");
        if (!sv_all(tok, is_token_char)) return fail(p, MJ_EINVAL, "bad format on an m= line");
        if (rtp && !sv_uint(tok, 127, &pt))
            return fail(p, MJ_EINVAL, "bad payload type on an m= line (0-127)");
        if (used + (used > 0) + tok.n > MJ_SDP_FMTS_MAX)
            return fail(p, MJ_ELIMIT, "m= line format list is longer than 255 bytes");
        if (used) m->fmts[used++] = ' ';
        memcpy(m->fmts + used, tok.p, tok.n);
        used += tok.n;
        if (rtp) m->pts[n] = (uint8_t)pt;
        n++;
    }
    if (n == 0) return fail(p, MJ_EINVAL, "an m= line has no formats");
    m->npts = rtp ? (uint8_t)n : 0;
    return 0;
}

static int parse_media(parser *p, sv v, size_t at)
{
    static const char bad[] = "bad m= line (expected m=<media> <port> <proto> <formats>)";
    mj_sdp *s = p->sdp;
    sv name, port, proto;
    uint64_t num, count;
    if (!p->seen_o) return fail(p, MJ_EINVAL, "missing o= line");
    if (!p->seen_s) return fail(p, MJ_EINVAL, "missing s= line");
    if (s->nmedia == MJ_SDP_MAX_MEDIA) return fail(p, MJ_ELIMIT, "more than 16 m= sections");
    if (p->m) p->sec_end[cur_idx(p)] = at;
    p->m = &s->media[s->nmedia++];
    p->m->opus_pt = -1;
    p->opus_rank[cur_idx(p)] = INT_MAX;
    p->sec_start[cur_idx(p)] = at;
    if (!sv_token(&v, &name) || !sv_token(&v, &port) || !sv_token(&v, &proto) ||
        !sv_all(name, is_token_char) || !copy_sv(p->m->media, sizeof p->m->media, name))
        return fail(p, MJ_EINVAL, bad);
    p->m->kind = sv_eq(name, "audio")         ? MJ_SDP_AUDIO
                 : sv_eq(name, "video")       ? MJ_SDP_VIDEO
                 : sv_eq(name, "application") ? MJ_SDP_APPLICATION
                                              : MJ_SDP_OTHER;
    sv pnum = sv_cut(&port, '/'); /* "<port>/<number of ports>" */
    if (!sv_uint(pnum, 65535, &num) || (port.n && !sv_uint(port, 65535, &count)))
        return fail(p, MJ_EINVAL, "bad port on an m= line");
    p->m->port = (uint16_t)num;
    if (!sv_all(proto, is_visible) || !copy_sv(p->m->proto, sizeof p->m->proto, proto))
        return fail(p, MJ_EINVAL, "bad protocol on an m= line");
    return parse_formats(p, p->m, v);
}

/* ---- Attributes: transport ------------------------------------------------- */

ATTR_HANDLER(a_ice_ufrag)
{
    if (v.n < MJ_SDP_UFRAG_MIN)
        return fail(p, MJ_EINVAL, "a=ice-ufrag is shorter than 4 characters");
    if (v.n > MJ_SDP_UFRAG_MAX)
        return fail(p, MJ_ELIMIT, "a=ice-ufrag is longer than 64 characters");
    if (!sv_all(v, is_ice_char))
        return fail(p, MJ_EINVAL, "a=ice-ufrag has characters other than A-Z a-z 0-9 + /");
    copy_sv(cur_tr(p)->ice_ufrag, sizeof cur_tr(p)->ice_ufrag, v);
    return 0;
}

ATTR_HANDLER(a_ice_pwd)
{
    if (v.n < MJ_SDP_PWD_MIN) return fail(p, MJ_EINVAL, "a=ice-pwd is shorter than 22 characters");
    if (v.n > MJ_SDP_PWD_MAX) return fail(p, MJ_ELIMIT, "a=ice-pwd is longer than 128 characters");
    if (!sv_all(v, is_ice_char))
        return fail(p, MJ_EINVAL, "a=ice-pwd has characters other than A-Z a-z 0-9 + /");
    copy_sv(cur_tr(p)->ice_pwd, sizeof cur_tr(p)->ice_pwd, v);
    return 0;
}

ATTR_HANDLER(a_ice_options)
{
    mj_sdp_transport *t = cur_tr(p);
    sv tok;
    if (p->m) p->iceopt_set[cur_idx(p)] = true;
    t->ice_trickle = t->ice2 = false;
    /* RFC 8839 separates options with spaces; libdatachannel uses commas. */
    while (sv_token(&v, &tok))
        while (tok.n) {
            sv opt = sv_cut(&tok, ',');
            t->ice_trickle |= sv_eq(opt, "trickle");
            t->ice2 |= sv_eq(opt, "ice2");
        }
    return 0;
}

ATTR_HANDLER(a_fingerprint)
{
    mj_sdp_transport *t = cur_tr(p);
    mj_sdp_fingerprint fp;
    const char *why;
    int rc = mj_sdp_fingerprint_parse(v.p, v.n, &fp, &why);
    if (rc == MJ_EUNSUPP) return 0; /* another hash function: a supported one may follow */
    if (rc) return fail(p, rc, why);
    if (t->nfingerprints < MJ_SDP_MAX_FINGERPRINTS) t->fingerprints[t->nfingerprints++] = fp;
    return 0;
}

ATTR_HANDLER(a_setup)
{
    static const char *const names[] = {"", "actpass", "active", "passive", "holdconn"};
    for (size_t i = 1; i < sizeof names / sizeof names[0]; i++)
        if (sv_eq(v, names[i])) {
            cur_tr(p)->setup = (enum mj_sdp_setup)i;
            return 0;
        }
    return fail(p, MJ_EINVAL, "bad a=setup (expected actpass, active, passive or holdconn)");
}

static int check_mid(parser *p, sv mid)
{
    if (mid.n > MJ_SDP_MID_MAX) return fail(p, MJ_ELIMIT, "a mid is longer than 32 characters");
    if (mid.n == 0 || !sv_all(mid, is_token_char))
        return fail(p, MJ_EINVAL, "a mid is empty or has characters outside the SDP token set");
    return 0;
}

ATTR_HANDLER(a_group)
{
    sv sem, mid;
    int rc;
    /* Only the first session-level BUNDLE group counts; LS and others are
     * not ours to act on. */
    if (p->m || p->have_bundle || !sv_token(&v, &sem) || !sv_eq(sem, "BUNDLE")) return 0;
    p->have_bundle = true;
    while (sv_token(&v, &mid)) {
        if (p->nbundle_mids == MJ_SDP_MAX_MEDIA)
            return fail(p, MJ_ELIMIT, "a=group:BUNDLE lists more than 16 mids");
        if ((rc = check_mid(p, mid))) return rc;
        copy_sv(p->bundle_mids[p->nbundle_mids++], MJ_SDP_MID_MAX + 1, mid);
    }
    return 0;
}

/* ---- Attributes: media ---------------------------------------------------- */

ATTR_HANDLER(a_mid)
{
    int rc;
    if (!p->m) return 0;
    if ((rc = check_mid(p, v))) return rc;
    copy_sv(p->m->mid, sizeof p->m->mid, v);
    return 0;
}

ATTR_HANDLER(a_direction)
{
    enum mj_sdp_dir d = MJ_SDP_SENDRECV;
    dir_lookup(name, &d);
    if (p->m) {
        p->m->dir = d;
        p->dir_set[cur_idx(p)] = true;
    } else {
        p->sess_dir = d;
        p->sess_dir_set = true;
    }
    return 0;
}

ATTR_HANDLER(a_flag)
{
    mj_sdp_media *m = p->m;
    if (sv_eq(name, "ice-lite"))
        p->sdp->ice_lite = true;
    else if (sv_eq(name, "end-of-candidates"))
        *(m ? &m->end_of_candidates : &p->sess_eoc) = true;
    else if (sv_eq(name, "extmap-allow-mixed") && !m)
        p->sdp->extmap_allow_mixed = true;
    else if (!m)
        return 0;
    else if (sv_eq(name, "rtcp-mux"))
        m->rtcp_mux = true;
    else if (sv_eq(name, "rtcp-mux-only"))
        m->rtcp_mux_only = m->rtcp_mux = true;
    else if (sv_eq(name, "rtcp-rsize"))
        m->rtcp_rsize = true;
    else if (sv_eq(name, "bundle-only"))
        m->bundle_only = true;
    return 0;
}

/* Other codecs' rtpmaps, even malformed ones, are none of our business. */
ATTR_HANDLER(a_rtpmap)
{
    sv pts, enc;
    uint64_t pt, clock;
    if (!p->m || !p->m->npts || !sv_token(&v, &pts) || !sv_token(&v, &enc) ||
        !sv_uint(pts, 127, &pt))
        return 0;
    sv codec = sv_cut(&enc, '/');
    sv rate = sv_cut(&enc, '/');
    if (!sv_ieq(codec, "opus") || !sv_uint(rate, UINT32_MAX, &clock) || clock != 48000 ||
        !sv_eq(enc, "2"))
        return 0;
    for (int i = 0; i < p->m->npts && i < p->opus_rank[cur_idx(p)]; i++)
        if (p->m->pts[i] == pt) {
            p->opus_rank[cur_idx(p)] = i;
            p->m->opus_pt = (int)pt;
        }
    return 0;
}

ATTR_HANDLER(a_extmap)
{
    mj_sdp_media *m = p->m;
    sv idd, uri;
    uint64_t id;
    enum mj_sdp_dir dir = MJ_SDP_SENDRECV;
    if (!m || !sv_token(&v, &idd) || !sv_token(&v, &uri)) return 0;
    sv ids = sv_cut(&idd, '/');
    if (!sv_uint(ids, 255, &id) || id == 0 || (idd.n && !dir_lookup(idd, &dir))) return 0;
    if (sv_eq(uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level") && !m->audio_level_ext) {
        m->audio_level_ext = (uint8_t)id;
        m->audio_level_dir = dir;
    }
    if (sv_eq(uri, "urn:ietf:params:rtp-hdrext:sdes:mid") && !m->mid_ext) m->mid_ext = (uint8_t)id;
    if (m->nextmaps < MJ_SDP_MAX_EXTMAPS && sv_all(uri, is_visible) &&
        copy_sv(m->extmaps[m->nextmaps].uri, MJ_SDP_URI_MAX + 1, uri)) {
        m->extmaps[m->nextmaps].id = (uint8_t)id;
        m->extmaps[m->nextmaps++].dir = dir;
    }
    return 0;
}

/* "<stream> [<track>]" (RFC 8830: 1*64token-char each) into m. */
static bool parse_msid(sv v, mj_sdp_media *m)
{
    sv stream, track = {v.p, 0}, extra;
    if (!sv_token(&v, &stream)) return false;
    sv_token(&v, &track);
    if (sv_token(&v, &extra) || !sv_all(stream, is_token_char) || !sv_all(track, is_token_char) ||
        stream.n > MJ_SDP_ID_MAX || track.n > MJ_SDP_ID_MAX)
        return false;
    copy_sv(m->msid_stream, sizeof m->msid_stream, stream);
    copy_sv(m->msid_track, sizeof m->msid_track, track);
    return true;
}

/* The server does not rely on the offer's msid, and stacks put '@' and
 * the like in it: a malformed one is skipped, not an error. */
ATTR_HANDLER(a_msid)
{
    if (p->m && !p->msid_attr[cur_idx(p)] && parse_msid(v, p->m)) p->msid_attr[cur_idx(p)] = true;
    return 0;
}

ATTR_HANDLER(a_ssrc)
{
    mj_sdp_media *m = p->m;
    sv num;
    uint64_t ssrc;
    if (!m || !sv_token(&v, &num) || !sv_uint(num, UINT32_MAX, &ssrc)) return 0;
    if (!m->has_ssrc) {
        m->has_ssrc = true;
        m->ssrc = (uint32_t)ssrc;
    } else if (m->ssrc != ssrc) {
        return 0;
    }
    v = sv_trim(v);
    sv attr = sv_cut(&v, ':');
    if (sv_eq(attr, "cname") && sv_all(v, is_visible))
        copy_sv(m->cname, sizeof m->cname, v); /* a longer cname is not kept */
    else if (sv_eq(attr, "msid") && !p->msid_attr[cur_idx(p)])
        parse_msid(v, m); /* the old form, a fallback */
    return 0;
}

enum { CAND_OK, CAND_SKIP, CAND_MDNS };

/* RFC 6544 §4.5: a TCP candidate says "tcptype active|passive|so" among
 * its extensions (name and value pairs after the type). */
static bool tcp_passive(sv v)
{
    sv name, value;
    while (sv_token(&v, &name) && sv_token(&v, &value))
        if (sv_eq(name, "tcptype")) return sv_eq(value, "passive");
    return false;
}

static int parse_candidate(sv v, mj_sdp_candidate *c)
{
    static const char *const types[] = {"host", "srflx", "prflx", "relay"};
    sv f[8];
    uint64_t comp, prio, port;
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < 8; i++)
        if (!sv_token(&v, &f[i])) return CAND_SKIP;
    if (f[4].n > 6 && strncasecmp(f[4].p + f[4].n - 6, ".local", 6) == 0) return CAND_MDNS;
    bool tcp = sv_ieq(f[2], "tcp");
    if ((!sv_ieq(f[2], "udp") && !tcp) || f[0].n > MJ_SDP_FOUNDATION_MAX ||
        !sv_all(f[0], is_ice_char) || !sv_uint(f[1], 256, &comp) || comp == 0 ||
        !sv_uint(f[3], UINT32_MAX, &prio) || !sv_uint(f[5], 65535, &port) || port == 0 ||
        !sv_eq(f[6], "typ") || !parse_ip(f[4], (uint16_t)port, &c->addr))
        return CAND_SKIP;
    size_t t = 0;
    while (t < 4 && !sv_eq(f[7], types[t]))
        t++;
    if (t == 4) return CAND_SKIP;
    /* Only a passive TCP candidate can be connected to. */
    if (tcp && !tcp_passive(v)) return CAND_SKIP;
    c->addr.tcp = tcp;
    c->type = (enum mj_sdp_cand_type)t;
    c->component = (uint16_t)comp;
    c->priority = (uint32_t)prio;
    copy_sv(c->foundation, sizeof c->foundation, f[0]);
    return CAND_OK;
}

/* Candidates never fail the parse: an ICE-lite server does not need them. */
ATTR_HANDLER(a_candidate)
{
    mj_sdp_media *m = p->m;
    mj_sdp_candidate c;
    if (!m) return 0;
    int r = parse_candidate(v, &c);
    m->mdns_candidates |= r == CAND_MDNS;
    if (r == CAND_OK && m->ncandidates < MJ_SDP_MAX_CANDIDATES)
        m->candidates[m->ncandidates++] = c;
    else if (m->candidates_skipped < UINT16_MAX)
        m->candidates_skipped++;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(parser *p, sv name, sv value);
} attrs[] = {
    {"ice-ufrag", a_ice_ufrag},
    {"ice-pwd", a_ice_pwd},
    {"ice-options", a_ice_options},
    {"fingerprint", a_fingerprint},
    {"setup", a_setup},
    {"group", a_group},
    {"mid", a_mid},
    {"sendrecv", a_direction},
    {"sendonly", a_direction},
    {"recvonly", a_direction},
    {"inactive", a_direction},
    {"ice-lite", a_flag},
    {"end-of-candidates", a_flag},
    {"extmap-allow-mixed", a_flag},
    {"rtcp-mux", a_flag},
    {"rtcp-mux-only", a_flag},
    {"rtcp-rsize", a_flag},
    {"bundle-only", a_flag},
    {"rtpmap", a_rtpmap},
    {"extmap", a_extmap},
    {"msid", a_msid},
    {"ssrc", a_ssrc},
    {"candidate", a_candidate},
};

static int parse_attr(parser *p, sv v)
{
    sv name = sv_cut(&v, ':');
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (sv_eq(name, attrs[i].name)) return attrs[i].fn(p, name, v);
    return 0;
}

/* ---- The whole text ---------------------------------------------------------- */

static int parse_line(parser *p, sv line, size_t at)
{
    if (line.n < 2 || line.p[1] != '=' || line.p[0] < 'a' || line.p[0] > 'z')
        return fail(p, MJ_EINVAL, "an SDP line is not <letter>=<value>");
    sv v = {line.p + 2, line.n - 2};
    switch (line.p[0]) {
    case 'v': return fail(p, MJ_EINVAL, "repeated v= line");
    case 'o': return parse_origin(p, v);
    case 's': return parse_session_name(p);
    case 'c': return parse_conn(p, v);
    case 'm': return parse_media(p, v, at);
    case 'a': return parse_attr(p, v);
    }
    /* RFC 8866 §5: i u e p b t r z k are known and of no use to us; any
     * other type makes the description unusable. */
    if (strchr("iuepbtrzk", line.p[0])) return 0;
    return fail(p, MJ_EINVAL, "unknown SDP line type");
}

static int parse_lines(parser *p, const char *text, size_t len)
{
    size_t pos = 0, start = 0;
    bool first = true;
    sv line;
    int rc;
    while (start = pos, next_line(text, len, &pos, &line)) {
        bool long_line = line.n > MJ_SDP_MAX_LINE;
        line = sv_trim(line);
        if (line.n == 0) continue; /* blank lines are not SDP, but harmless */
        if (first) {
            first = false;
            if ((rc = parse_version(p, line))) return rc;
            continue;
        }
        if (long_line) return fail(p, MJ_ELIMIT, "an SDP line is longer than 1024 bytes");
        if ((rc = parse_line(p, line, start))) return rc;
    }
    if (first) return fail(p, MJ_EINVAL, "empty SDP");
    if (!p->seen_o) return fail(p, MJ_EINVAL, "missing o= line");
    if (!p->seen_s) return fail(p, MJ_EINVAL, "missing s= line");
    if (!p->m) return fail(p, MJ_EINVAL, "SDP has no m= sections");
    p->sec_end[cur_idx(p)] = len;
    return 0;
}

/* ---- After the last line ------------------------------------------------------ */

static int check_mids(parser *p)
{
    const mj_sdp *s = p->sdp;
    for (size_t i = 0; i < s->nmedia; i++)
        for (size_t j = 0; j < i && s->media[i].mid[0]; j++)
            if (strcmp(s->media[i].mid, s->media[j].mid) == 0)
                return fail(p, MJ_EINVAL, "two m= sections have the same a=mid");
    return 0;
}

static void resolve_bundle(parser *p)
{
    mj_sdp *s = p->sdp;
    for (size_t k = 0; k < p->nbundle_mids; k++) {
        int i = mj_sdp_find_mid(s, p->bundle_mids[k]);
        if (i >= 0 && !s->media[i].bundled) {
            s->media[i].bundled = true;
            s->bundle[s->nbundle++] = (uint8_t)i;
        }
    }
}

/* Fills what a section did not write itself from `from`. */
static void inherit_transport(mj_sdp_transport *t, const mj_sdp_transport *from)
{
    if (!t->ice_ufrag[0]) memcpy(t->ice_ufrag, from->ice_ufrag, sizeof t->ice_ufrag);
    if (!t->ice_pwd[0]) memcpy(t->ice_pwd, from->ice_pwd, sizeof t->ice_pwd);
    if (!t->setup) t->setup = from->setup;
    if (!t->nfingerprints) {
        t->nfingerprints = from->nfingerprints;
        memcpy(t->fingerprints, from->fingerprints, sizeof t->fingerprints);
    }
}

static void apply_defaults(parser *p)
{
    mj_sdp *s = p->sdp;
    for (size_t i = 0; i < s->nmedia; i++) {
        mj_sdp_media *m = &s->media[i];
        inherit_transport(&m->tr, &s->session);
        if (!p->iceopt_set[i]) {
            m->tr.ice_trickle = s->session.ice_trickle;
            m->tr.ice2 = s->session.ice2;
        }
        if (!p->dir_set[i]) m->dir = p->sess_dir_set ? p->sess_dir : MJ_SDP_SENDRECV;
        if (!m->conn.family) m->conn = p->sess_conn;
        m->end_of_candidates |= p->sess_eoc;
    }
    /* RFC 8843 §7.1.3: bundled sections share the transport of the first
     * one; a bundle-only section may carry no transport attributes. */
    const mj_sdp_transport *tag = NULL;
    for (size_t k = 0; k < s->nbundle && !tag; k++) {
        const mj_sdp_transport *t = &s->media[s->bundle[k]].tr;
        if (t->ice_ufrag[0] && t->ice_pwd[0] && t->nfingerprints) tag = t;
    }
    for (size_t k = 0; k < s->nbundle && tag; k++)
        inherit_transport(&s->media[s->bundle[k]].tr, tag);
}

static int check_transports(parser *p)
{
    const mj_sdp *s = p->sdp;
    for (size_t i = 0; i < s->nmedia; i++) {
        const mj_sdp_transport *t = &s->media[i].tr;
        if (s->media[i].port == 0) continue; /* rejected, or bundle-only */
        if (!t->ice_ufrag[0] && !t->ice_pwd[0])
            return fail(p, MJ_EINVAL, "SDP has no ICE credentials (a=ice-ufrag and a=ice-pwd)");
        if (!t->ice_ufrag[0]) return fail(p, MJ_EINVAL, "SDP has a=ice-pwd but no a=ice-ufrag");
        if (!t->ice_pwd[0]) return fail(p, MJ_EINVAL, "SDP has a=ice-ufrag but no a=ice-pwd");
        if (!t->nfingerprints)
            return fail(p, MJ_EINVAL,
                        "SDP has no DTLS fingerprint (a=fingerprint with sha-1/224/256/384/512)");
    }
    return 0;
}

/* The Opus a=fmtp: only known once the rtpmaps said which pt is Opus. */
static int find_opus_fmtp(parser *p, const char *text, size_t i)
{
    mj_sdp_media *m = &p->sdp->media[i];
    size_t pos = p->sec_start[i];
    uint64_t pt;
    sv line, num;
    while (next_line(text, p->sec_end[i], &pos, &line)) {
        line = sv_trim(line);
        if (line.n < 7 || memcmp(line.p, "a=fmtp:", 7) != 0) continue;
        sv v = {line.p + 7, line.n - 7};
        if (!sv_token(&v, &num) || !sv_uint(num, 127, &pt) || (int)pt != m->opus_pt) continue;
        v = sv_trim(v);
        for (size_t k = 0; k < v.n; k++)
            if (!is_visible(v.p[k]) && v.p[k] != ' ')
                return fail(p, MJ_EINVAL, "a=fmtp for Opus has control characters");
        if (!copy_sv(m->opus_fmtp, sizeof m->opus_fmtp, v))
            return fail(p, MJ_ELIMIT, "a=fmtp for Opus is longer than 255 bytes");
        return 0;
    }
    return 0;
}

static int finish(parser *p, const char *text)
{
    int rc;
    if ((rc = check_mids(p))) return rc;
    resolve_bundle(p);
    apply_defaults(p);
    if ((rc = check_transports(p))) return rc;
    for (size_t i = 0; i < p->sdp->nmedia; i++)
        if (p->sdp->media[i].opus_pt >= 0 && (rc = find_opus_fmtp(p, text, i))) return rc;
    return 0;
}

int mj_sdp_parse(const char *text, size_t len, mj_sdp *out, const char **why)
{
    parser p;
    int rc;
    memset(&p, 0, sizeof p);
    p.sdp = out;
    if (!out) return MJ_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text || len == 0)
        rc = fail(&p, MJ_EINVAL, "empty SDP");
    else if (len > MJ_SDP_MAX_SIZE)
        rc = fail(&p, MJ_ELIMIT, "SDP is larger than 64 KiB");
    else if (memchr(text, '\0', len))
        rc = fail(&p, MJ_EINVAL, "SDP contains a NUL byte");
    else if (!(rc = parse_lines(&p, text, len)))
        rc = finish(&p, text);
    if (rc && why) *why = p.why;
    return rc;
}
