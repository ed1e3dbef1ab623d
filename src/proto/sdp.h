/* SDP offers and answers as WebRTC uses them: a pure codec, no sockets, no
 * clock, no allocation.
 *
 * Implemented:
 *   RFC 8866   syntax: <type>=<value> lines, CRLF or bare LF, v=0 first,
 *              o= and s= required before the first m=, unknown line types
 *              refused (§5), unknown attributes ignored; c= (IN IP4/IP6),
 *              m= (media, port[/n], proto, formats);
 *              session-level a=sendrecv/sendonly/recvonly/inactive as the
 *              default for sections that have none (RFC 3264 §5.1).
 *   RFC 8839   a=ice-ufrag (ice-chars, 4..MJ_SDP_UFRAG_MAX), a=ice-pwd
 *              (ice-chars, 22..MJ_SDP_PWD_MAX), a=ice-lite, a=ice-options
 *              (space- or comma-separated), a=candidate (UDP, and TCP
 *              with tcptype passive per RFC 6544, its addr.tcp set; IPv4
 *              and IPv6 literals; mDNS ".local" names are noted and
 *              skipped),
 *              a=end-of-candidates.
 *   RFC 8842   a=fingerprint (sha-1, sha-224, sha-256, sha-384, sha-512;
 *              up to MJ_SDP_MAX_FINGERPRINTS), a=setup.
 *   RFC 8843   a=group:BUNDLE (the first one), a=mid, a=bundle-only.
 *              Bundled sections without their own ICE/DTLS attributes take
 *              those of the first bundled section that has them.
 *   RFC 8285   a=extmap:<id>[/<direction>] <uri>, a=extmap-allow-mixed.
 *   RFC 7587   Opus: a=rtpmap:<pt> opus/48000/2 (name case-insensitive),
 *              the first such payload type in m= line order wins; its
 *              a=fmtp is kept raw.
 *   RFC 5576 / RFC 8830  a=ssrc (the first SSRC, its cname and msid),
 *              a=msid.
 *   RFC 5761   a=rtcp-mux, a=rtcp-mux-only; RFC 5506 a=rtcp-rsize.
 * Media-level a=ice-ufrag, a=ice-pwd, a=ice-options, a=fingerprint and
 * a=setup override the session-level ones; after parsing, each section's
 * `tr` holds the values that apply to it.
 *
 * Limits: the whole text MJ_SDP_MAX_SIZE, a line MJ_SDP_MAX_LINE, and the
 * MJ_SDP_MAX_* counts below. Values the server relies on (credentials,
 * fingerprints, setup, mids, BUNDLE, m= and c= lines, the Opus fmtp) that
 * are too long or malformed make the parse fail with a reason; details it
 * does not rely on (rtpmaps of other codecs, extmaps, a=ssrc, a=msid,
 * candidates: malformed, too long or beyond the caps) are skipped.
 *
 * The writers produce the server's answer (ICE-lite, DTLS passive,
 * rtcp-mux, BUNDLE, Opus audio only; everything else rejected with port 0)
 * and our own client's offer. Output is CRLF text, NUL-terminated.
 *
 * Ownership: mj_sdp is plain data; every string is copied into it, so the
 * text may be freed after mj_sdp_parse. It is about 48 KiB: keep it off
 * small stacks. Writers borrow their parameters for the call only. */
#ifndef MJ_PROTO_SDP_H
#define MJ_PROTO_SDP_H

#include "base/addr.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_SDP_MAX_SIZE         65536 /* whole description */
#define MJ_SDP_MAX_LINE         1024  /* one line, without its line ending */
#define MJ_SDP_MAX_MEDIA        16    /* m= sections */
#define MJ_SDP_MAX_FORMATS      64    /* formats on one m= line */
#define MJ_SDP_MAX_CANDIDATES   8     /* UDP candidates kept per section */
#define MJ_SDP_MAX_EXTMAPS      8     /* a=extmap entries kept per section */
#define MJ_SDP_MAX_FINGERPRINTS 4     /* a=fingerprint lines kept per level */
#define MJ_SDP_UFRAG_MIN        4     /* RFC 8839 §5.4 */
#define MJ_SDP_UFRAG_MAX        64    /* ours; RFC 8839 allows 256 */
#define MJ_SDP_PWD_MIN          22    /* RFC 8839 §5.4 */
#define MJ_SDP_PWD_MAX          128   /* ours; RFC 8839 allows 256 */
#define MJ_SDP_FP_MAX           64    /* sha-512 digest bytes */
#define MJ_SDP_MID_MAX          32
#define MJ_SDP_ID_MAX           64  /* msid ids (RFC 8830: 1*64token-char), cname */
#define MJ_SDP_MEDIA_NAME_MAX   15  /* "audio", "application", ... */
#define MJ_SDP_PROTO_MAX        31  /* "UDP/TLS/RTP/SAVPF", ... */
#define MJ_SDP_FMTS_MAX         255 /* the m= format list as text */
#define MJ_SDP_FMTP_MAX         255 /* the Opus a=fmtp parameters */
#define MJ_SDP_URI_MAX          127 /* extmap URIs; longer ones are not kept */
#define MJ_SDP_FOUNDATION_MAX   32  /* RFC 8839: 1*32ice-char */

enum mj_sdp_kind {
    MJ_SDP_AUDIO = 0,
    MJ_SDP_VIDEO,
    MJ_SDP_APPLICATION,
    MJ_SDP_OTHER,
};

/* Media direction (RFC 3264 §5.1); also extmap directions (RFC 8285). */
enum mj_sdp_dir {
    MJ_SDP_SENDRECV = 0, /* the default when none is written */
    MJ_SDP_SENDONLY,
    MJ_SDP_RECVONLY,
    MJ_SDP_INACTIVE,
};

/* a=setup (RFC 4145 §4, RFC 8842 §5). NONE: not written (RFC 4145 says an
 * offer without it means active). */
enum mj_sdp_setup {
    MJ_SDP_SETUP_NONE = 0,
    MJ_SDP_SETUP_ACTPASS,
    MJ_SDP_SETUP_ACTIVE,
    MJ_SDP_SETUP_PASSIVE,
    MJ_SDP_SETUP_HOLDCONN,
};

enum mj_sdp_hash {
    MJ_SDP_HASH_NONE = 0,
    MJ_SDP_HASH_SHA1,   /* 20 bytes */
    MJ_SDP_HASH_SHA224, /* 28 */
    MJ_SDP_HASH_SHA256, /* 32 */
    MJ_SDP_HASH_SHA384, /* 48 */
    MJ_SDP_HASH_SHA512, /* 64 */
};

enum mj_sdp_cand_type {
    MJ_SDP_CAND_HOST = 0,
    MJ_SDP_CAND_SRFLX,
    MJ_SDP_CAND_PRFLX,
    MJ_SDP_CAND_RELAY,
};

typedef struct mj_sdp_fingerprint {
    enum mj_sdp_hash hash;
    uint8_t len; /* digest bytes */
    uint8_t bytes[MJ_SDP_FP_MAX];
} mj_sdp_fingerprint;

/* ICE and DTLS transport parameters of one level (session or section). */
typedef struct mj_sdp_transport {
    char ice_ufrag[MJ_SDP_UFRAG_MAX + 1]; /* "" = none */
    char ice_pwd[MJ_SDP_PWD_MAX + 1];     /* "" = none */
    bool ice_trickle;                     /* a=ice-options lists "trickle" */
    bool ice2;                            /* a=ice-options lists "ice2" */
    enum mj_sdp_setup setup;
    uint8_t nfingerprints;
    mj_sdp_fingerprint fingerprints[MJ_SDP_MAX_FINGERPRINTS];
} mj_sdp_transport;

typedef struct mj_sdp_extmap {
    uint8_t id;          /* 1..255 */
    enum mj_sdp_dir dir; /* SENDRECV when none is written */
    char uri[MJ_SDP_URI_MAX + 1];
} mj_sdp_extmap;

/* A UDP or passive TCP candidate (addr.tcp) with an IP literal (other
 * TCP ones, mDNS and other names are skipped, see mj_sdp_media). */
typedef struct mj_sdp_candidate {
    char foundation[MJ_SDP_FOUNDATION_MAX + 1];
    uint16_t component; /* 1 = RTP (the only one with rtcp-mux) */
    enum mj_sdp_cand_type type;
    uint32_t priority;
    mj_addr addr; /* with the candidate's port */
} mj_sdp_candidate;

typedef struct mj_sdp_media {
    /* m= line */
    enum mj_sdp_kind kind;
    char media[MJ_SDP_MEDIA_NAME_MAX + 1]; /* as written: "audio" */
    uint16_t port;                         /* 0: rejected, or bundle-only */
    char proto[MJ_SDP_PROTO_MAX + 1];      /* as written: "UDP/TLS/RTP/SAVPF" */
    char fmts[MJ_SDP_FMTS_MAX + 1];        /* format list, single spaces */
    uint8_t npts;                          /* RTP protos: the formats as */
    uint8_t pts[MJ_SDP_MAX_FORMATS];       /* payload types, in order */
    mj_addr conn;                          /* c= (own or session); family 0: none or a name */

    char mid[MJ_SDP_MID_MAX + 1]; /* "" = no a=mid */
    bool bundled;                 /* its mid is in the a=group:BUNDLE */
    bool bundle_only;
    enum mj_sdp_dir dir; /* own, else session-level, else SENDRECV */
    bool rtcp_mux, rtcp_mux_only, rtcp_rsize;

    /* Opus: the first opus/48000/2 payload type on the m= line, or -1. */
    int opus_pt;
    char opus_fmtp[MJ_SDP_FMTP_MAX + 1]; /* "minptime=10;useinbandfec=1" */

    /* Header extensions: ids of the two the server uses (0 = not offered)
     * and every entry up to MJ_SDP_MAX_EXTMAPS. */
    uint8_t audio_level_ext; /* urn:ietf:params:rtp-hdrext:ssrc-audio-level */
    enum mj_sdp_dir audio_level_dir;
    uint8_t mid_ext; /* urn:ietf:params:rtp-hdrext:sdes:mid */
    uint8_t nextmaps;
    mj_sdp_extmap extmaps[MJ_SDP_MAX_EXTMAPS];

    /* The first a=ssrc and its attributes; msid from a=msid when present,
     * else from "a=ssrc:<ssrc> msid:". */
    bool has_ssrc;
    uint32_t ssrc;
    char cname[MJ_SDP_ID_MAX + 1];
    char msid_stream[MJ_SDP_ID_MAX + 1]; /* "-" is Chrome's "no stream" */
    char msid_track[MJ_SDP_ID_MAX + 1];

    /* Candidates. Not needed by an ICE-lite server (it learns addresses
     * from checks); our client uses those of the server's answer. */
    uint8_t ncandidates;
    mj_sdp_candidate candidates[MJ_SDP_MAX_CANDIDATES];
    bool mdns_candidates;        /* a ".local" candidate was seen */
    uint16_t candidates_skipped; /* active TCP, names, malformed, over the cap */
    bool end_of_candidates;      /* own or session level */

    mj_sdp_transport tr; /* effective ICE/DTLS parameters for this section */
} mj_sdp_media;

typedef struct mj_sdp {
    uint64_t origin_id;      /* o= sess-id */
    uint64_t origin_version; /* o= sess-version */
    bool ice_lite;
    bool extmap_allow_mixed;  /* session level */
    mj_sdp_transport session; /* session-level values as written */
    uint8_t nbundle;
    uint8_t bundle[MJ_SDP_MAX_MEDIA]; /* section indexes in a=group:BUNDLE
                                         order; unknown mids dropped */
    uint8_t nmedia;
    mj_sdp_media media[MJ_SDP_MAX_MEDIA];
} mj_sdp;

/* ---- Parsing ------------------------------------------------------------ */

/* Parses len bytes of text (not NUL-terminated) into *out. Returns 0, or
 * MJ_EINVAL (malformed, or missing ICE credentials or DTLS fingerprint for
 * a section with a non-zero port) or MJ_ELIMIT (a cap above was exceeded),
 * with *why (optional) set to a short static reason fit for an HTTP 400
 * body. On failure *out holds what was parsed so far and must not be used.
 * An offer without Opus audio is not an error: see mj_sdp_first_opus. */
MJ_MUST_USE int mj_sdp_parse(const char *text, size_t len, mj_sdp *out, const char **why);

/* Can the server take this section: audio, UDP/TLS/RTP/SAVP(F), rtcp-mux,
 * opus/48000/2, port non-zero or bundle-only? Direction is not checked. */
bool mj_sdp_media_usable(const mj_sdp_media *m);
/* Index of the first usable section, or MJ_ENOTFOUND. */
int mj_sdp_first_opus(const mj_sdp *sdp);
/* Index of the section with this mid, or MJ_ENOTFOUND. */
int mj_sdp_find_mid(const mj_sdp *sdp, const char *mid);

/* May an answer use `answer` for a section offered with `offer`
 * (RFC 3264 §6.1)? */
bool mj_sdp_dir_compatible(enum mj_sdp_dir offer, enum mj_sdp_dir answer);
/* The direction seen from the other side: SENDONLY <-> RECVONLY. */
enum mj_sdp_dir mj_sdp_dir_reverse(enum mj_sdp_dir d);
const char *mj_sdp_dir_name(enum mj_sdp_dir d);   /* "sendrecv", ... */
const char *mj_sdp_hash_name(enum mj_sdp_hash h); /* "sha-256", ... */

/* Parses an a=fingerprint value "sha-256 AB:CD:.." (hash name and hex
 * case-insensitive). 0, MJ_EUNSUPP for another hash function, MJ_EINVAL. */
MJ_MUST_USE int mj_sdp_fingerprint_parse(const char *text, size_t len, mj_sdp_fingerprint *out,
                                         const char **why);
/* RFC 8839 ice-chars and the lengths above (MIN..MAX). */
bool mj_sdp_ice_ufrag_valid(const char *s);
bool mj_sdp_ice_pwd_valid(const char *s);

/* ---- The server's answer -------------------------------------------------- */

typedef struct mj_sdp_answer_media {
    bool accept;             /* only for sections mj_sdp_media_usable() accepts */
    enum mj_sdp_dir dir;     /* SENDONLY for a WHEP slot, RECVONLY for WHIP */
    uint32_t ssrc;           /* 0 = no a=ssrc lines (a receive-only section) */
    const char *cname;       /* token chars; required when ssrc != 0 */
    const char *msid_stream; /* NULL = no msid; token chars, <= 64 */
    const char *msid_track;  /* NULL or token chars, <= 64 */
} mj_sdp_answer_media;

typedef struct mj_sdp_answer {
    uint64_t session_id; /* o= sess-id; written modulo 2^63 (RFC 8829 §5.2.1) */
    const char *ice_ufrag;
    const char *ice_pwd;
    const char *fingerprint;   /* "sha-256 AB:CD:..." as mj_dtls_identity_fingerprint gives it */
    const mj_addr *candidates; /* host UDP candidates; m=/c= use the first */
    size_t ncandidates;        /* 0..MJ_SDP_MAX_CANDIDATES */
    /* Passive host TCP candidates (RFC 6544 ICE-TCP), written after the
     * UDP ones with lower priorities, so that a client uses them only
     * when UDP does not get through. */
    const mj_addr *tcp_candidates;
    size_t ntcp_candidates;                      /* 0..MJ_SDP_MAX_CANDIDATES */
    mj_sdp_answer_media media[MJ_SDP_MAX_MEDIA]; /* by offer section index */
} mj_sdp_answer;

/* Writes the answer to `offer` (as parsed by mj_sdp_parse) into buf,
 * NUL-terminated. Accepted sections: m=audio <port> <the offer's proto,
 * UDP/TLS/RTP/SAVPF> <the offer's Opus pt only>, c= of the first candidate,
 * the offer's mid, ans->media[i].dir, ICE/DTLS attributes
 * (a=setup:passive), rtcp-mux, rtcp-rsize if offered, opus/48000/2 with
 * minptime=10;useinbandfec=1, the offer's audio-level extmap id, ssrc and
 * msid lines, the candidates (UDP, then passive TCP) and
 * a=end-of-candidates. Every other section
 * is rejected: port 0 with the offer's media, proto and formats, and left
 * out of the BUNDLE group, which lists the accepted sections the offer
 * bundled. Returns the length (without the NUL), MJ_ENOSPC when buf is too
 * small (it needs length + 1 bytes; nothing is written past cap), or
 * MJ_EINVAL for bad parameters (an accepted section that is not usable,
 * malformed credentials, fingerprint, ids or candidates).
 * Every accepted section gets the same port and candidates, so accept
 * several only when the offer bundled them all (m->bundled); the writer
 * does not check the direction (see mj_sdp_dir_compatible) or a=setup
 * (the offer's must be actpass, active or absent for us to be passive). */
MJ_MUST_USE long mj_sdp_write_answer(const mj_sdp *offer, const mj_sdp_answer *ans, char *buf,
                                     size_t cap);

/* ---- Our client's offer ------------------------------------------------------ */

#define MJ_SDP_CLIENT_OPUS_PT     111
#define MJ_SDP_CLIENT_AUDIO_LEVEL 1 /* extmap id */

typedef struct mj_sdp_offer_media {
    enum mj_sdp_dir dir;     /* SENDONLY for a speaker, RECVONLY for a listener */
    uint32_t ssrc;           /* 0 = no a=ssrc lines */
    const char *msid_stream; /* NULL = no msid */
    const char *msid_track;
} mj_sdp_offer_media;

typedef struct mj_sdp_offer_params {
    uint64_t session_id; /* written modulo 2^63 */
    const char *ice_ufrag;
    const char *ice_pwd;
    const char *fingerprint; /* "sha-256 AB:CD:..." */
    enum mj_sdp_setup setup; /* NONE writes actpass, as RFC 8842 §5.2 requires
                                of an offerer; the server answers passive */
    const char *cname;       /* required when any ssrc != 0 */
    size_t nmedia;           /* 1..MJ_SDP_MAX_MEDIA audio sections, mids "0".. */
    mj_sdp_offer_media media[MJ_SDP_MAX_MEDIA];
} mj_sdp_offer_params;

/* Writes an offer of p->nmedia BUNDLEd audio sections: port 9, no
 * candidates (the server is ICE-lite), Opus on MJ_SDP_CLIENT_OPUS_PT,
 * audio level on extmap MJ_SDP_CLIENT_AUDIO_LEVEL, rtcp-mux, rtcp-rsize.
 * Returns the length, MJ_ENOSPC or MJ_EINVAL, as mj_sdp_write_answer. */
MJ_MUST_USE long mj_sdp_write_offer(const mj_sdp_offer_params *p, char *buf, size_t cap);

#endif
