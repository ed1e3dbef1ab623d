/* A room's fan-out on one worker: which speakers fill the slots, and the
 * copies for listeners.
 *
 * Slot policy for now: a speaker whose packets are louder than the
 * activity threshold takes the lowest free slot, or the slot of the
 * speaker that has been quiet longest once that one has been quiet for
 * MJ_SLOT_IDLE. (Loudness-ranked top-K comes later.) A listener with k
 * slots hears slots 0..k-1, so a one-slot WHEP player hears the first
 * active speaker. */
#include "sfu/sfu_internal.h"

#include "proto/rtp.h"

#include <stdlib.h>
#include <string.h>

#define MJ_SLOT_IDLE MJ_MSEC(1500)
/* RFC 6464 level (-dBov) at or below which a packet counts as speech. */
#define MJ_ACTIVE_LEVEL 70
#define MJ_OPUS_RATE_PER_MS 48

static int grow(mj_session ***arr, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    mj_session **n = realloc(*arr, ncap * sizeof *n);
    if (!n)
        return MJ_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

int mj_fanout_add(mj_fanout *r, mj_session *sess)
{
    sess->room = r;
    sess->slot = -1;
    if (sess->role == MJ_SFU_PUBLISHER) {
        int err = grow(&r->speakers, &r->speakers_cap, r->nspeakers + 1);
        if (err)
            return err;
        sess->room_index = r->nspeakers;
        r->speakers[r->nspeakers++] = sess;
    } else {
        int err = grow(&r->listeners, &r->listeners_cap, r->nlisteners + 1);
        if (err)
            return err;
        sess->room_index = r->nlisteners;
        r->listeners[r->nlisteners++] = sess;
    }
    return 0;
}

static void swap_remove(mj_session **arr, uint32_t *n, uint32_t i)
{
    arr[i] = arr[--*n];
    arr[i]->room_index = i;
}

void mj_fanout_remove(mj_fanout *r, mj_session *sess)
{
    if (sess->role == MJ_SFU_PUBLISHER) {
        if (sess->slot >= 0)
            r->slots[sess->slot].src = NULL;
        sess->slot = -1;
        swap_remove(r->speakers, &r->nspeakers, sess->room_index);
    } else {
        swap_remove(r->listeners, &r->nlisteners, sess->room_index);
    }
    sess->room = NULL;
}

void mj_fanout_dispose(mj_fanout *r)
{
    free(r->speakers);
    free(r->listeners);
    r->speakers = r->listeners = NULL;
    r->nspeakers = r->nlisteners = 0;
}

/* Points slot i at a new source so its output continues one clean stream:
 * the next sequence number follows the last one sent, and the timestamp
 * advances by the wall-clock gap (at least one 20 ms frame). */
static void slot_switch(mj_slot *sl, mj_session *src, const mj_rtp_hdr *h, mj_time now)
{
    if (sl->src)
        sl->src->slot = -1;
    sl->src = src;
    sl->first_seq = h->seq;
    if (!sl->started) {
        sl->seq_offset = 0;
        sl->ts_offset = 0;
    } else {
        mj_time gap_ms = (now - sl->last_time) / 1000;
        uint32_t gap = gap_ms > 20 ? (uint32_t)(gap_ms * MJ_OPUS_RATE_PER_MS) : 960;
        sl->seq_offset = (uint16_t)(sl->last_seq + 1 - h->seq);
        sl->ts_offset = sl->last_ts + gap - h->ts;
    }
    sl->mark_next = true;
}

/* Finds a slot for an active speaker that has none; -1 if all are held by
 * speakers more recently active than MJ_SLOT_IDLE. */
static int pick_slot(mj_fanout *r, mj_time now)
{
    int oldest = -1;
    for (int i = 0; i < MJ_SFU_MAX_SLOTS; i++) {
        mj_session *src = r->slots[i].src;
        if (!src)
            return i;
        if (oldest < 0 || src->last_active < r->slots[oldest].src->last_active)
            oldest = i;
    }
    if (oldest >= 0 && now - r->slots[oldest].src->last_active >= MJ_SLOT_IDLE)
        return oldest;
    return -1;
}

static bool is_active(const mj_session *from, const mj_rtp_hdr *h)
{
    if (!from->audio_level_id)
        return true; /* no levels: every packet counts */
    bool voice;
    uint8_t level;
    if (mj_rtp_audio_level(h, from->audio_level_id, &voice, &level) != 0)
        return true;
    return level <= MJ_ACTIVE_LEVEL;
}

/* Sends the rewritten packet (12-byte header + payload in out[0..len)) to
 * every connected listener here that has slot `slot`. */
void mj_fanout_send(mj_fanout *r, unsigned slot, const uint8_t *out, size_t len, bool marker,
                     mj_txq *tx, mj_sfu_stats *st)
{
    for (uint32_t i = 0; i < r->nlisteners; i++) {
        mj_session *l = r->listeners[i];
        if (l->nslots <= slot || !mj_peer_media_ready(&l->peer))
            continue;
        uint8_t *buf = mj_txq_slot(tx);
        memcpy(buf, out, len);
        buf[1] = (uint8_t)((marker ? 0x80 : 0) | l->opus_pt);
        long n = mj_peer_protect_rtp(&l->peer, buf, len, MJ_TXQ_SLOT_SIZE);
        if (n < 0) {
            st->fwd_errors++;
            continue;
        }
        mj_txq_commit(tx, (size_t)n, mj_peer_remote(&l->peer));
        l->tx_rtp++;
        st->fwd_packets++;
    }
}

void mj_fanout_forward(mj_fanout *r, mj_session *from, mj_time now, const uint8_t *pkt, size_t len,
                     mj_txq *tx, mj_sfu_stats *st)
{
    mj_rtp_hdr h;
    if (mj_rtp_parse(pkt, len, &h, NULL) != 0 || h.pt != from->opus_pt) {
        st->drop_rtp++;
        return;
    }
    from->last_packet = now;
    if (is_active(from, &h))
        from->last_active = now;
    if (from->slot < 0) {
        if (from->last_active != now)
            return; /* quiet speakers do not claim slots */
        int i = pick_slot(r, now);
        if (i < 0)
            return;
        from->slot = (int8_t)i;
        slot_switch(&r->slots[i], from, &h, now);
    }
    mj_slot *sl = &r->slots[from->slot];
    /* Packets from before the switch belong to the old numbering. */
    if (mj_seq_newer(sl->first_seq, h.seq))
        return;
    uint16_t seq = (uint16_t)(h.seq + sl->seq_offset);
    uint32_t ts = h.ts + sl->ts_offset;
    if (h.payload.n > MJ_TXQ_SLOT_SIZE - 12 - MJ_SRTP_MAX_TRAILER) {
        st->drop_rtp++;
        return;
    }
    uint8_t out[MJ_TXQ_SLOT_SIZE];
    out[0] = 0x80;
    out[1] = 0; /* marker and payload type are per listener */
    mj_put_be16(out + 2, seq);
    mj_put_be32(out + 4, ts);
    mj_put_be32(out + 8, mj_sfu_slot_ssrc((unsigned)from->slot));
    memcpy(out + 12, h.payload.p, h.payload.n);
    bool marker = sl->mark_next || h.marker;
    sl->mark_next = false;
    size_t n = 12 + h.payload.n;
    /* Branches first, so that they encrypt for their listeners while this
     * worker does its own. */
    if (r->branches && r->export)
        r->export(r->export_ctx, r->branches, r->id, (unsigned)from->slot, out, n, marker);
    mj_fanout_send(r, (unsigned)from->slot, out, n, marker, tx, st);
    if (!sl->started || mj_seq_newer(seq, sl->last_seq)) {
        sl->last_seq = seq;
        sl->last_ts = ts;
        sl->last_time = now;
        sl->started = true;
    }
}
