/* Answering a client's SDP offer for one media session: which sections
 * the session takes, the session parameters they give, and the answer.
 * Pure: the caller brings the ids, ICE credentials, fingerprint and
 * candidate, places the session, and sends it to a worker.
 *
 * Kinds of session (see mj_sfu_session_params):
 *   WHIP (RFC 9725)  the first audio section the client sends on
 *                    (sendonly or sendrecv), answered recvonly;
 *   WHEP             up to MJ_SFU_MAX_SLOTS sections it receives on
 *                    (recvonly or sendrecv), answered sendonly, section i
 *                    carrying slot i's SSRC;
 *   VISIT            a browser's one connection for a whole visit: up to
 *                    MJ_SFU_MAX_SLOTS recvonly sections for the slots and
 *                    one section to send on (the first that is sendonly
 *                    or sendrecv), answered recvonly, which is not heard
 *                    until its person may speak; a further sendrecv
 *                    section is a slot.
 * Only Opus audio over UDP/TLS/RTP/SAVP(F) with rtcp-mux is taken (see
 * mj_sdp_media_usable); a session has one ICE/DTLS transport, so after
 * the first section taken only sections bundled with it (RFC 8843) are.
 * Everything else is refused with port 0 in the answer, never dropped.
 *
 * Ownership: an mj_offer is plain data of about 50 KiB (it holds the
 * parsed offer): keep it off small stacks. It copies what it keeps. */
#ifndef MJ_SFU_OFFER_H
#define MJ_SFU_OFFER_H

#include "base/addr.h"
#include "base/err.h"
#include "proto/sdp.h"
#include "sfu/sfu.h"

#include <stddef.h>
#include <stdint.h>

typedef enum mj_offer_kind {
    MJ_OFFER_WHIP = 0,
    MJ_OFFER_WHEP = 1,
    MJ_OFFER_VISIT = 2,
} mj_offer_kind;

typedef struct mj_offer {
    mj_sdp sdp;
    mj_sdp_answer ans;
    mj_offer_kind kind;
    int transport; /* the section whose ICE and DTLS parameters apply */
    int send;      /* the section the client sends on, -1 if none */
    int nslots;    /* sections taken as slots, in offer order */
} mj_offer;

/* Parses an offer and chooses its sections for `kind`, then fills in what
 * the offer decides of *p: the remote ICE credentials and fingerprint, the
 * Opus payload types, the audio-level extension id, nslots and send. The
 * rest of *p (id, room, person, local credentials, may_send, home,
 * branches) is left for the caller. 0, or MJ_EINVAL with *code
 * ("bad_offer": not SDP or a transport this server cannot use;
 * "no_audio": no section to take) and *why, short and fit for an HTTP 400
 * body. */
MJ_MUST_USE int mj_offer_read(mj_offer *o, mj_offer_kind kind, const char *text, size_t len,
                              mj_sfu_session_params *p, const char **code, const char **why);

#define MJ_OFFER_CANDIDATES_MAX 8 /* MJ_SDP_MAX_CANDIDATES */

/* What the answer says of this side. */
typedef struct mj_offer_local {
    uint64_t session_id; /* the answer's o= sess-id */
    const char *ice_ufrag, *ice_pwd;
    const char *fingerprint; /* "sha-256 AB:CD:..." */
    /* The worker's addresses, most preferred first (1..MAX). */
    mj_addr candidates[MJ_OFFER_CANDIDATES_MAX];
    size_t ncandidates;
    mj_addr tcp_candidate; /* its ICE-TCP address (passive); family 0: none */
} mj_offer_local;

/* Writes the answer to an offer read above into buf, NUL-terminated.
 * Returns its length, MJ_ENOSPC, or MJ_EINVAL (bad local parameters). */
MJ_MUST_USE long mj_offer_answer(mj_offer *o, const mj_offer_local *loc, char *buf, size_t cap);

#endif
