/* Who fills a room's slots, and who is reported speaking.
 *
 * Every sender allowed to send has a smoothed loudness: the RFC 6464
 * level of each packet (-dBov, 0 loudest, 127 silence; a packet without
 * the extension counts as silence) turned into dB above silence and
 * averaged with weight 1/8 per 20 ms frame (a time constant of about
 * 160 ms), decaying as silence over the frames a sender skips (Opus DTX
 * sends one packet in 400 ms while nobody talks).
 *
 * Slots, with K = MJ_SFU_MAX_SLOTS and more senders than slots:
 *   - a free slot goes to the first sender whose packet says speech or
 *     carries no level at all (a client that cannot tell);
 *   - a holder is *quiet* when its last packet carried no level or none
 *     said speech for MJ_SLOT_QUIET; a speaking sender takes a quiet
 *     holder's slot at once (the one quiet longest), so neither silence
 *     nor a missing level keeps a slot that someone speaking needs;
 *   - otherwise a speaking challenger takes the slot of the quietest
 *     holder only when it has been MJ_SLOT_MARGIN_DB louder for
 *     MJ_SLOT_CHALLENGE and that holder has had its slot for
 *     MJ_SLOT_MIN_HOLD: two similar voices never trade a slot back and
 *     forth;
 *   - one person holds one slot at most: a sender whose person already
 *     has one may only take that slot over, when its holder is quiet.
 * Each decision compares with the K holders only: no allocation and no
 * scan of the room per packet. */
#include "sfu/sfu_internal.h"

#define MJ_FRAME          MJ_MSEC(20)
#define MJ_LOUD_UNIT      16 /* loudness is kept in 1/16 dB */
#define MJ_SMOOTH_SHIFT   3
#define MJ_SLOT_QUIET     MJ_MSEC(1500)
#define MJ_SLOT_MARGIN_DB 6
#define MJ_SLOT_CHALLENGE MJ_SEC(1)
#define MJ_SLOT_MIN_HOLD  MJ_SEC(2)
/* A level report names a sender while its last speech is this recent, so
 * that the short gaps between words do not make it blink. */
#define MJ_SPEAKING_HOLD MJ_MSEC(400)
/* Past this many silent frames the loudness is as good as zero. */
#define MJ_DECAY_FRAMES_MAX 64

/* The loudness as it stands at `now`, counting the frames it did not send
 * as silence. */
static uint16_t loud_at(const mj_sender *snd, mj_time now)
{
    mj_time gap = now - snd->last_packet;
    if (!snd->last_packet || gap <= 2 * MJ_FRAME) return snd->loud;
    mj_time frames = gap / MJ_FRAME - 1;
    if (frames > MJ_DECAY_FRAMES_MAX) return 0;
    uint16_t loud = snd->loud;
    for (mj_time i = 0; i < frames && loud; i++)
        loud = (uint16_t)(loud - ((loud + (1u << MJ_SMOOTH_SHIFT) - 1) >> MJ_SMOOTH_SHIFT));
    return loud;
}

void mj_slots_hear(mj_sender *snd, mj_time now, int level)
{
    int loud = loud_at(snd, now);
    int x = level < 0 ? 0 : (127 - level) * MJ_LOUD_UNIT;
    /* Round away from the old value so that a steady level is reached,
     * not approached forever. */
    int step = x - loud;
    step = step > 0 ? (step + (1 << MJ_SMOOTH_SHIFT) - 1) >> MJ_SMOOTH_SHIFT
                    : -((-step + (1 << MJ_SMOOTH_SHIFT) - 1) >> MJ_SMOOTH_SHIFT);
    snd->loud = (uint16_t)(loud + step);
    snd->last_packet = now;
    snd->has_level = level >= 0;
    if (mj_slots_voice(level)) snd->last_voice = now;
}

static bool quiet(const mj_sender *h, mj_time now)
{
    return !h->has_level || now - h->last_voice >= MJ_SLOT_QUIET;
}

/* A speaking challenger against the quietest holder that is not quiet:
 * the slot, once it has been clearly louder for long enough. */
static int challenge(const mj_fanout *r, mj_sender *c, int weakest, mj_time now)
{
    const mj_sender *h = r->slots[weakest].src;
    int margin = MJ_SLOT_MARGIN_DB * MJ_LOUD_UNIT;
    if (loud_at(c, now) < loud_at(h, now) + margin) {
        c->louder_since = MJ_TIME_NEVER;
        return -1;
    }
    if (c->louder_since == MJ_TIME_NEVER) c->louder_since = now;
    if (now - c->louder_since < MJ_SLOT_CHALLENGE || now - h->slot_since < MJ_SLOT_MIN_HOLD)
        return -1;
    return weakest;
}

int mj_slots_choose(const mj_fanout *r, mj_sender *c, int level, mj_time now)
{
    bool voice = mj_slots_voice(level);
    int free_slot = -1, quietest = -1, weakest = -1;
    uint16_t weakest_loud = UINT16_MAX;
    for (int i = 0; i < MJ_SFU_MAX_SLOTS; i++) {
        const mj_sender *h = r->slots[i].src;
        if (!h) {
            if (free_slot < 0) free_slot = i;
            continue;
        }
        if (h->person == c->person) return voice && quiet(h, now) ? i : -1;
        if (quiet(h, now)) {
            if (quietest < 0 || h->last_voice < r->slots[quietest].src->last_voice) quietest = i;
            continue;
        }
        uint16_t l = loud_at(h, now);
        if (l < weakest_loud) {
            weakest_loud = l;
            weakest = i;
        }
    }
    if (free_slot >= 0) return voice || level < 0 ? free_slot : -1;
    if (!voice) return -1;
    if (quietest >= 0) return quietest;
    return weakest >= 0 ? challenge(r, c, weakest, now) : -1;
}

void mj_slots_release(mj_fanout *r, mj_sender *snd)
{
    if (snd->slot >= 0 && snd->slot < MJ_SFU_MAX_SLOTS && r->slots[snd->slot].src == snd)
        r->slots[snd->slot].src = NULL;
    snd->slot = -1;
    snd->louder_since = MJ_TIME_NEVER;
}

/* Puts one sender into the report, loudest first, one entry per person
 * (their loudest session). */
static void report_add(mj_sfu_level *out, size_t *n, size_t cap, const mj_sender *snd, mj_time now)
{
    if (!snd->last_packet || now - snd->last_voice >= MJ_SPEAKING_HOLD) return;
    int loud = (loud_at(snd, now) + MJ_LOUD_UNIT / 2) / MJ_LOUD_UNIT;
    uint8_t level = (uint8_t)(loud >= 127 ? 0 : 127 - loud);
    for (size_t j = 0; j < *n; j++) {
        if (out[j].person != snd->person) continue;
        if (out[j].level <= level) return;
        for (size_t k = j + 1; k < *n; k++) /* a louder session of theirs: re-place them */
            out[k - 1] = out[k];
        (*n)--;
        break;
    }
    size_t at = *n;
    while (at > 0 && out[at - 1].level > level)
        at--;
    if (at >= cap) return;
    size_t last = *n < cap ? *n : cap - 1;
    for (size_t k = last; k > at; k--)
        out[k] = out[k - 1];
    out[at].person = snd->person;
    out[at].level = level;
    if (*n < cap) (*n)++;
}

size_t mj_slots_levels(const mj_fanout *r, mj_time now, mj_sfu_level *out, size_t cap)
{
    size_t n = 0;
    if (!cap) return 0;
    for (uint32_t i = 0; i < r->nsenders; i++)
        report_add(out, &n, cap, &r->senders[i]->snd, now);
    for (int i = 0; i < MJ_FANOUT_REMOTE_MAX; i++)
        if (r->remotes[i].id && !r->remotes[i].refused)
            report_add(out, &n, cap, &r->remotes[i].snd, now);
    return n;
}
