/* A room's fan-out on one worker: who is in it, the rewrite of a speaker's
 * packet into its slot's stream, the copies for listeners, and the senders
 * its branch workers hand over. Which sender fills which slot is decided
 * in slots.c.
 *
 * A listener with k slots hears slots 0..k-1, so a one-slot WHEP player
 * hears the first speaker to arrive, and nobody hears their own voice. */
#include "sfu/sfu_internal.h"

#include <stdlib.h>
#include <string.h>

#define MJ_OPUS_RATE_PER_MS 48
/* How long a refused remote sender's packets are still dropped when its
 * entry is wanted for another: more than any packet spends in an inbox. */
#define MJ_REMOTE_REFUSED_KEEP MJ_SEC(2)

static int grow(mj_session ***arr, uint32_t *cap, uint32_t need)
{
    if (need <= *cap) return 0;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    mj_session **n = realloc(*arr, ncap * sizeof *n);
    if (!n) return MJ_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

static int senders_add(mj_fanout *r, mj_session *sess)
{
    int err = grow(&r->senders, &r->senders_cap, r->nsenders + 1);
    if (err) return err;
    sess->sender_index = r->nsenders;
    r->senders[r->nsenders++] = sess;
    return 0;
}

static void senders_remove(mj_fanout *r, mj_session *sess)
{
    mj_slots_release(r, &sess->snd);
    uint32_t i = sess->sender_index;
    r->senders[i] = r->senders[--r->nsenders];
    r->senders[i]->sender_index = i;
}

static void listeners_remove(mj_fanout *r, mj_session *sess)
{
    uint32_t i = sess->listener_index;
    r->listeners[i] = r->listeners[--r->nlisteners];
    r->listeners[i]->listener_index = i;
}

int mj_fanout_add(mj_fanout *r, mj_session *sess)
{
    sess->snd.slot = -1;
    if (sess->nslots) {
        int err = grow(&r->listeners, &r->listeners_cap, r->nlisteners + 1);
        if (err) return err;
        sess->listener_index = r->nlisteners;
        r->listeners[r->nlisteners++] = sess;
    }
    if (sess->send && sess->may_send && senders_add(r, sess) != 0) {
        if (sess->nslots) listeners_remove(r, sess);
        return MJ_ENOMEM;
    }
    sess->room = r;
    r->nsessions++;
    return 0;
}

void mj_fanout_remove(mj_fanout *r, mj_session *sess)
{
    if (sess->nslots) listeners_remove(r, sess);
    if (sess->send && sess->may_send) senders_remove(r, sess);
    r->nsessions--;
    sess->room = NULL;
}

int mj_fanout_set_send(mj_fanout *r, mj_session *sess, bool may_send)
{
    if (!sess->send || sess->may_send == may_send) return 0;
    if (may_send) {
        int err = senders_add(r, sess);
        if (err) return err;
    } else {
        senders_remove(r, sess);
    }
    sess->may_send = may_send;
    return 0;
}

bool mj_fanout_idle(const mj_fanout *r)
{
    return r->nsessions == 0 && r->branches == 0;
}

void mj_fanout_dispose(mj_fanout *r)
{
    free(r->senders);
    free(r->listeners);
    r->senders = r->listeners = NULL;
    r->nsenders = r->nlisteners = 0;
}

/* ---- Remote senders (the home of a room spread over workers) ---- */

static void remote_forget(mj_fanout *r, mj_remote *e)
{
    mj_slots_release(r, &e->snd);
    memset(e, 0, sizeof *e);
}

/* An entry that may be reused: a sender silent for MJ_SFU_REMOTE_FORGET,
 * or one refused long enough ago that nothing of it is still on its way. */
static bool remote_stale(const mj_remote *e, mj_time now)
{
    if (e->refused) return now - e->refused_at >= MJ_REMOTE_REFUSED_KEEP;
    return now - e->snd.last_packet >= MJ_SFU_REMOTE_FORGET;
}

/* The entry for id, else a free or stale one (forgotten first), else NULL. */
static mj_remote *remote_entry(mj_fanout *r, uint64_t id, mj_time now, bool *found)
{
    mj_remote *free_e = NULL, *stale = NULL;
    *found = false;
    for (int i = 0; i < MJ_FANOUT_REMOTE_MAX; i++) {
        mj_remote *e = &r->remotes[i];
        if (e->id == id) {
            *found = true;
            return e;
        }
        if (!e->id) {
            if (!free_e) free_e = e;
        } else if (!stale && remote_stale(e, now)) {
            stale = e;
        }
    }
    mj_remote *e = free_e ? free_e : stale;
    if (e && e->id) remote_forget(r, e);
    return e;
}

static void remote_init(mj_remote *e, uint64_t id, uint64_t person)
{
    memset(e, 0, sizeof *e);
    e->id = id;
    e->snd.person = person;
    e->snd.slot = -1;
    e->snd.louder_since = MJ_TIME_NEVER;
}

int mj_fanout_remote(mj_fanout *r, uint64_t id, uint64_t person, mj_time now, mj_remote **out)
{
    bool found;
    mj_remote *e = remote_entry(r, id, now, &found);
    if (!e) return MJ_ELIMIT;
    if (found && e->refused) return MJ_ESTATE;
    if (!found) remote_init(e, id, person);
    *out = e;
    return 0;
}

void mj_fanout_remote_set_send(mj_fanout *r, uint64_t id, bool may_send, mj_time now)
{
    bool found;
    mj_remote *e = remote_entry(r, id, now, &found);
    if (may_send) {
        if (found && e->refused) memset(e, 0, sizeof *e);
        return;
    }
    if (!e) return; /* full of live senders: its late packets may still pass */
    if (found)
        mj_slots_release(r, &e->snd);
    else
        remote_init(e, id, 0);
    e->refused = true;
    e->refused_at = now;
}

void mj_fanout_remote_sweep(mj_fanout *r, mj_time now)
{
    for (int i = 0; i < MJ_FANOUT_REMOTE_MAX; i++) {
        mj_remote *e = &r->remotes[i];
        if (e->id && !e->refused && remote_stale(e, now)) remote_forget(r, e);
    }
}

/* ---- Rewrite and copies ---- */

/* Points slot i at a new source so its output continues one clean stream:
 * the next sequence number follows the last one sent, and the timestamp
 * advances by the wall-clock gap (at least one 20 ms frame). */
static void slot_switch(mj_slot *sl, int i, mj_sender *src, const mj_rtp_hdr *h, mj_time now)
{
    if (sl->src) sl->src->slot = -1;
    sl->src = src;
    src->slot = (int8_t)i;
    src->slot_since = now;
    src->louder_since = MJ_TIME_NEVER;
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

/* The person's own sessions skip their voice; a ready one notes that it
 * was not sent, for its sender reports. Rare: the speaker's own sessions. */
static void skip_own(mj_session *l, unsigned slot, size_t len)
{
    if (mj_peer_media_ready(&l->peer)) mj_reports_unsent(l, slot, len - 12);
}

/* Sends the rewritten packet (12-byte header + payload in out[0..len)) to
 * every connected listener here that has slot `slot`, except the person
 * whose voice it is. */
void mj_fanout_send(mj_fanout *r, unsigned slot, uint64_t person, const uint8_t *out, size_t len,
                    bool marker, mj_txq *tx, mj_sfu_stats *st)
{
    for (uint32_t i = 0; i < r->nlisteners; i++) {
        mj_session *l = r->listeners[i];
        if (l->nslots <= slot) continue;
        if (l->person == person) {
            skip_own(l, slot, len);
            continue;
        }
        if (!mj_peer_media_ready(&l->peer)) continue;
        uint8_t *buf = mj_txq_slot(tx);
        memcpy(buf, out, len);
        buf[1] = (uint8_t)((marker ? 0x80 : 0) | l->opus_pt);
        long n = mj_peer_protect_rtp(&l->peer, buf, len, MJ_TXQ_SLOT_SIZE);
        if (n < 0) {
            st->fwd_errors++;
            mj_reports_unsent(l, slot, len - 12);
            continue;
        }
        mj_txq_commit(tx, (size_t)n, mj_peer_remote(&l->peer));
        l->tx_rtp++;
        st->fwd_packets++;
    }
}

/* After a packet of the slot's stream went out: its totals, and where
 * its numbering and clock stand (the newest packet, not a late one). */
static void slot_sent(mj_slot *sl, uint16_t seq, uint32_t ts, size_t payload, mj_time now)
{
    sl->packets++;
    sl->octets += (uint32_t)payload;
    if (!sl->started || mj_seq_newer(seq, sl->last_seq)) {
        sl->last_seq = seq;
        sl->last_ts = ts;
        sl->last_time = now;
        sl->started = true;
    }
}

static void arm_report(mj_fanout *r, mj_time now)
{
    /* The heap has room for every room's timer (reserved when the room
     * was made), so this allocates nothing. */
    if (!mj_heap_node_queued(&r->report) &&
        mj_heap_set(r->timers, &r->report, now + MJ_SFU_LEVELS_EVERY) != 0)
        return; /* cannot happen; the next packet tries again */
}

void mj_fanout_forward(mj_fanout *r, mj_sender *from, mj_time now, const mj_rtp_hdr *h, int level,
                       mj_txq *tx, mj_sfu_stats *st)
{
    mj_slots_hear(from, now, level);
    if (mj_slots_voice(level)) arm_report(r, now);
    if (from->slot < 0) {
        int i = mj_slots_choose(r, from, level, now);
        if (i < 0) return;
        slot_switch(&r->slots[i], i, from, h, now);
    }
    mj_slot *sl = &r->slots[from->slot];
    /* Packets from before the switch belong to the old numbering. */
    if (mj_seq_newer(sl->first_seq, h->seq)) return;
    if (h->payload.n > MJ_TXQ_SLOT_SIZE - 12 - MJ_SRTP_MAX_TRAILER) {
        st->drop_rtp++;
        return;
    }
    uint16_t seq = (uint16_t)(h->seq + sl->seq_offset);
    uint32_t ts = h->ts + sl->ts_offset;
    uint8_t out[MJ_TXQ_SLOT_SIZE];
    out[0] = 0x80;
    out[1] = 0; /* marker and payload type are per listener */
    mj_put_be16(out + 2, seq);
    mj_put_be32(out + 4, ts);
    mj_put_be32(out + 8, mj_sfu_slot_ssrc((unsigned)from->slot));
    memcpy(out + 12, h->payload.p, h->payload.n);
    bool marker = sl->mark_next || h->marker;
    sl->mark_next = false;
    size_t n = 12 + h->payload.n;
    /* Branches first, so that they encrypt for their listeners while this
     * worker does its own. */
    if (r->branches && r->cfg->on_export)
        r->cfg->on_export(r->cfg->export_ctx, r->branches, r->id, (unsigned)from->slot,
                          from->person, out, n, marker);
    mj_fanout_send(r, (unsigned)from->slot, from->person, out, n, marker, tx, st);
    slot_sent(sl, seq, ts, h->payload.n, now);
}

void mj_fanout_inject(mj_fanout *r, unsigned slot, uint64_t person, const uint8_t *pkt, size_t len,
                      bool marker, mj_time now, mj_txq *tx, mj_sfu_stats *st)
{
    mj_fanout_send(r, slot, person, pkt, len, marker, tx, st);
    slot_sent(&r->slots[slot], mj_be16(pkt + 2), mj_be32(pkt + 4), len - 12, now);
}
