/* The media plane's control-side state, shared by io/media.c (sessions,
 * rooms, placement) and io/media_metrics.c (what /metrics shows of it).
 * Owned by the control thread. */
#ifndef MJ_IO_MEDIA_INTERNAL_H
#define MJ_IO_MEDIA_INTERNAL_H

#include "base/map.h"
#include "io/handshaker.h"
#include "io/media.h"
#include "io/worker.h"

struct mj_media {
    mj_media_config cfg;
    mj_dtls_identity *identity;
    mj_handshaker *handshaker;
    mj_worker **workers;
    int *worker_load; /* sessions per worker */
    mj_map by_resource;
    mj_map by_id;
    mj_map rooms;
    mj_map counts; /* count_rec by key */
    int nsessions;
    uint64_t refused_full, refused_busy, offers_bad, refused_owner, refused_address;
    /* cfg.local_only: this machine's addresses, named in answers after
     * the announced one, and when they were read. */
    mj_addr locals[MJ_OFFER_CANDIDATES_MAX - 1];
    size_t nlocals;
    mj_time locals_read;
};

#endif
