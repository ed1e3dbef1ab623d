/* The control plane's view of the media plane: starts the workers, keeps
 * the table of media sessions (resource id -> worker), places rooms on
 * workers, turns an SDP offer into a session (sfu/offer.h) on the right
 * worker, relays who may send, and reads the workers' counters for
 * /metrics.
 *
 * Sessions are of three kinds: WHIP (one send section), WHEP (1..3
 * receive slots) and VISIT (a browser's one peer connection for a whole
 * visit: up to 3 slots and one send section that is not heard until its
 * person may speak). Every session belongs to a person, the room's id for
 * them (0: the session is its own person): one person holds one slot at
 * most and never hears their own voice.
 *
 * Placement: a room's home worker holds its WHIP speakers and its slot
 * state; WHEP and VISIT sessions go home until the room has room_split of
 * them there, then to branch workers. A VISIT on a branch that may send is
 * decrypted there and handed to the home, which hears it like its own.
 *
 * Runs on the control thread only. Workers report back through events,
 * drained by mj_media_poll() when the HTTP loop is woken. */
#ifndef MJ_IO_MEDIA_H
#define MJ_IO_MEDIA_H

#include "base/addr.h"
#include "base/buf.h"
#include "sfu/offer.h"
#include "sfu/sfu.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_media mj_media;

typedef struct mj_media_config {
    mj_addr bind; /* media IP; port ignored */
    uint16_t first_port;
    /* ICE-TCP (passive, RFC 6544): worker i listens on first_tcp_port + i
     * too; 0: UDP only. At most max_tcp_conns connections per worker (0:
     * MJ_WORKER_TCP_CONNS). */
    uint16_t first_tcp_port;
    int max_tcp_conns;
    mj_addr announce; /* IP written in candidates */
    /* For this machine only: bind is loopback, the sockets take datagrams
     * from this machine's addresses alone, and answers name those
     * addresses after the announced one (io/localaddr.h says why). */
    bool local_only;
    int workers;
    int max_sessions;
    /* Sessions one owner (a member's token, or a member in person) may
     * hold at once, and sessions from one client address (IPv4 address,
     * IPv6 /64); beyond, 429. 0: no limit. Token listeners (WHEP) may
     * fill only max_sessions less a reserve (a twentieth), so that
     * speakers and members' own visits still find room. */
    int max_per_owner;
    int max_per_address;
    /* New listeners are refused (503) while the room's worker is busier
     * than this, in thousandths of a core; 1000 never refuses, 0 refuses
     * every new listener (draining the server). */
    int max_load_permille;
    /* Listeners of one room a worker takes before the room spreads to
     * another worker (a branch); 0: never spread. */
    int room_split;
    mj_time consent_timeout; /* 0: 30 s */
    mj_time connect_timeout; /* 0: 10 s (MJ_SFU_CONNECT_TIMEOUT) */
    /* Threads for the DTLS handshakes; 0: each worker runs its own. */
    int handshake_threads;
    void (*wake)(void *ctx); /* called from worker threads */
    void *wake_ctx;
} mj_media_config;

int mj_media_start(const mj_media_config *cfg, mj_media **out, const char **why);
void mj_media_stop(mj_media *m);

#define MJ_MEDIA_RESOURCE_LEN 32 /* hex characters */

typedef enum mj_media_kind {
    MJ_MEDIA_WHIP = MJ_OFFER_WHIP,
    MJ_MEDIA_WHEP = MJ_OFFER_WHEP,
    MJ_MEDIA_VISIT = MJ_OFFER_VISIT,
} mj_media_kind;

typedef struct mj_media_request {
    const char *room;
    mj_media_kind kind;
    uint64_t person; /* 0: the session is its own person */
    bool may_send;   /* forwarding allowed from the start */
    uint64_t owner;  /* whose sessions are counted (max_per_owner); 0: none */
    /* Its client's IPv4 address or IPv6 /64 (one household, one phone),
     * hashed (mj_call_client_hash); 0: not counted. */
    uint64_t client_key;
    const char *offer;
    size_t offer_len;
} mj_media_request;

typedef struct mj_media_result {
    int status;          /* HTTP status: 201, or an error status */
    const char *code;    /* error code for the JSON body */
    const char *message; /* plain reason */
    char resource[MJ_MEDIA_RESOURCE_LEN + 1];
    char *answer; /* malloc'd SDP answer on success; caller frees */
    size_t answer_len;
} mj_media_result;

/* Creates a session from an SDP offer. Fills *res in every case. */
void mj_media_session_create(mj_media *m, const mj_media_request *rq, mj_media_result *res);
/* Ends a session: nothing more is sent to it and nothing of it is heard.
 * 0, or MJ_ENOTFOUND. */
int mj_media_session_delete(mj_media *m, const char *resource);
/* Allows or stops forwarding what a session sends (on stage and unmuted,
 * or not). Stopping takes effect at the session's next packet: its slot is
 * freed at once. Sessions without a send section only note it. 0,
 * MJ_ENOTFOUND, or MJ_ENOMEM. */
int mj_media_session_set_send(mj_media *m, const char *resource, bool may_send);
/* What the table knows of a session (room, kind, person); MJ_ENOTFOUND. */
int mj_media_session_info(const mj_media *m, const char *resource,
                          char room[MJ_SFU_ROOM_ID_MAX + 1], mj_media_kind *kind, uint64_t *person);

typedef struct mj_media_level {
    uint64_t person; /* a session that is its own person: an internal id */
    uint8_t level;   /* smoothed RFC 6464 level: -dBov, 0 loudest, 127 silence */
} mj_media_level;

typedef struct mj_media_sink {
    void *ctx;
    /* A session ended by itself (consent expired, DTLS failed, refused by
     * its worker); not called for mj_media_session_delete. */
    void (*closed)(void *ctx, const char *resource, const char *room, uint64_t person,
                   const char *reason);
    /* Who is speaking in a room, loudest first: every ~220 ms while
     * someone allowed to send speaks, then once with n == 0. */
    void (*levels)(void *ctx, const char *room, const mj_media_level *lv, size_t n);
} mj_media_sink;

/* Drains worker events. Control thread. sink may be NULL: events are then
 * dropped (closed sessions are still forgotten). */
void mj_media_poll(mj_media *m, const mj_media_sink *sink);

/* Appends Prometheus text for the media plane. */
void mj_media_metrics(mj_media *m, mj_wbuf *out);
int mj_media_session_count(const mj_media *m);
const char *mj_media_fingerprint(const mj_media *m);

#endif
