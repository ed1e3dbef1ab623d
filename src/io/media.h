/* The control plane's view of the media plane: starts the workers, keeps
 * the table of WHIP/WHEP sessions (resource id -> worker), places rooms on
 * workers, turns an SDP offer into session parameters and an SDP answer,
 * and reads the workers' counters for /metrics.
 *
 * Runs on the control thread only. Workers report back through events,
 * drained by mj_media_poll() when the HTTP loop is woken. */
#ifndef MJ_IO_MEDIA_H
#define MJ_IO_MEDIA_H

#include "base/addr.h"
#include "base/buf.h"
#include "sfu/sfu.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mj_media mj_media;

typedef struct mj_media_config {
    mj_addr bind;       /* media IP; port ignored */
    uint16_t first_port;
    mj_addr announce;   /* IP written in candidates */
    int workers;
    int max_sessions;
    /* New listeners are refused (503) while the room's worker is busier
     * than this, in thousandths of a core; 1000 never refuses, 0 refuses
     * every new listener (draining the server). */
    int max_load_permille;
    /* Listeners of one room a worker takes before the room spreads to
     * another worker (a branch); 0: never spread. */
    int room_split;
    mj_time consent_timeout; /* 0: 30 s */
    void (*wake)(void *ctx); /* called from worker threads */
    void *wake_ctx;
} mj_media_config;

int mj_media_start(const mj_media_config *cfg, mj_media **out, const char **why);
void mj_media_stop(mj_media *m);

/* Drains worker events (closed sessions). Control thread. */
void mj_media_poll(mj_media *m);

#define MJ_MEDIA_RESOURCE_LEN 32 /* hex characters */

typedef struct mj_media_result {
    int status;          /* HTTP status: 201, or an error status */
    const char *code;    /* error code for the JSON body */
    const char *message; /* plain reason */
    char resource[MJ_MEDIA_RESOURCE_LEN + 1];
    char *answer;        /* malloc'd SDP answer on success; caller frees */
    size_t answer_len;
} mj_media_result;

/* Creates a session in `room` from an SDP offer. Publishers (WHIP) send,
 * subscribers (WHEP) receive. Fills *res in every case. */
void mj_media_session_create(mj_media *m, const char *room, mj_sfu_role role, const char *offer,
                             size_t len, mj_media_result *res);
/* Ends a session. 0, or MJ_ENOTFOUND when the resource does not exist (or
 * belongs to another room or kind). */
int mj_media_session_delete(mj_media *m, const char *room, mj_sfu_role role,
                            const char *resource);

/* Appends Prometheus text for the media plane. */
void mj_media_metrics(mj_media *m, mj_wbuf *out);
int mj_media_session_count(const mj_media *m);
const char *mj_media_fingerprint(const mj_media *m);

#endif
