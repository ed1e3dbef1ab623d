/* What each memnet client heard, for the SFU's stage and slot tests: every
 * speaker fills its payload with its own tag byte, so a listener's record
 * says whose voice came through which slot, not only that bytes arrived.
 * Header-only, on top of memnet.h. */
#ifndef MJ_TESTS_HEARD_H
#define MJ_TESTS_HEARD_H

#include "memnet.h"

typedef struct heard {
    int total;
    int by_tag[256];                /* packets per speaker */
    int by_slot[MJ_SFU_MAX_SLOTS];  /* packets per slot */
    uint8_t tag[MJ_SFU_MAX_SLOTS];  /* whose voice the slot carried last */
    int switches[MJ_SFU_MAX_SLOTS]; /* times the slot changed voice */
    bool seq_gap[MJ_SFU_MAX_SLOTS]; /* a slot's numbering jumped */
    uint16_t last_seq[MJ_SFU_MAX_SLOTS];
} heard;

typedef struct heard_client {
    memnet_client *c;
    heard h;
} heard_client;

/* memnet's on_rtp: note what a client heard. */
static inline void heard_rtp(memnet *net, memnet_client *mc, const uint8_t *p, size_t len)
{
    (void)net;
    heard *h = mc->user;
    mj_rtp_hdr r;
    if (!h || mj_rtp_parse(p, len, &r, NULL) != 0 || !r.payload.n) return;
    int slot = (int)(r.ssrc - mj_sfu_slot_ssrc(0));
    uint8_t tag = r.payload.p[0];
    h->total++;
    h->by_tag[tag]++;
    if (slot < 0 || slot >= MJ_SFU_MAX_SLOTS) return;
    if (h->by_slot[slot]) {
        if (h->tag[slot] != tag) h->switches[slot]++;
        if ((uint16_t)(h->last_seq[slot] + 1) != r.seq) h->seq_gap[slot] = true;
    }
    h->by_slot[slot]++;
    h->tag[slot] = tag;
    h->last_seq[slot] = r.seq;
}

/* Attaches a record to a connected client (NULL stays NULL). */
static inline heard_client *heard_adopt(memnet_client *mc)
{
    if (!mc) return NULL;
    heard_client *hc = calloc(1, sizeof *hc);
    if (!hc) return NULL;
    hc->c = mc;
    mc->user = &hc->h;
    return hc;
}

/* The records of a test's clients, freed together. */
typedef struct heard_set {
    heard_client *all[64];
    int n;
} heard_set;

/* Opens a session on net (memnet_open) with a record. NULL on failure. */
static inline heard_client *heard_open(heard_set *set, memnet *net, const memnet_opts *o)
{
    if (set->n == 64) return NULL;
    heard_client *hc = heard_adopt(memnet_open(net, o));
    if (hc) set->all[set->n++] = hc;
    return hc;
}

static inline void heard_set_free(heard_set *set)
{
    for (int i = 0; i < set->n; i++)
        free(set->all[i]);
    set->n = 0;
}

/* The slot carrying a tag as last heard, or -1. */
static inline int heard_slot_of(const heard *h, uint8_t tag)
{
    for (int i = 0; i < MJ_SFU_MAX_SLOTS; i++)
        if (h->by_slot[i] && h->tag[i] == tag) return i;
    return -1;
}

#endif
