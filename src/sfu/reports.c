/* Sender reports for listeners (RFC 3550 §6.4.1, §6.5; see sfu.h).
 *
 * Each listener has a timer in a heap of its own kind, so a worker's
 * thousands of listeners come due spread over the second and each call
 * does a bounded share. Nothing here runs per packet: the fan-out keeps
 * per-slot running totals once per room packet, and a listener's counts
 * are those totals less what they were when it was first ready (less the
 * packets of its own voice, which the fan-out notes as it skips them). */
#include "sfu/sfu_internal.h"

#include "base/log.h"
#include "base/rand.h"
#include "proto/rtcp.h"

#include <stddef.h>
#include <string.h>

#define MJ_NTP_UNIX_OFFSET 2208988800u /* seconds from 1900 to 1970 */
#define MJ_OPUS_RATE_KHZ   48

void mj_reports_init(mj_reports *rp)
{
    memset(rp, 0, sizeof *rp);
    mj_heap_init(&rp->timers);
    rp->spread = mj_rand_u64() | 1;
}

void mj_reports_dispose(mj_reports *rp)
{
    mj_heap_dispose(&rp->timers);
}

void mj_reports_set_wall_clock(mj_reports *rp, mj_time now, int64_t unix_ns)
{
    if (unix_ns <= 0) return;
    rp->wall_at = now;
    rp->wall_ns = unix_ns;
}

/* 0.5 to 1.5 times `every`, at random (RFC 3550 §6.3.1). The spread
 * needs no secrecy, so a xorshift generator seeded once does, at a
 * fraction of the system generator's cost per report. */
static mj_time jittered(mj_reports *rp, mj_time every)
{
    uint64_t x = rp->spread;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rp->spread = x;
    return every / 2 + (mj_time)((x >> 32) % (uint64_t)every);
}

static void arm(mj_reports *rp, mj_session *l, mj_time at)
{
    if (mj_heap_set(&rp->timers, &l->sr.timer, at) != 0)
        mj_warn("sfu: cannot schedule a sender report (out of memory)");
}

void mj_reports_start(mj_reports *rp, mj_session *l, mj_time now)
{
    if (!l->nslots || !l->room) return;
    for (unsigned i = 0; i < MJ_SFU_MAX_SLOTS; i++) {
        l->sr.base_packets[i] = l->room->slots[i].packets;
        l->sr.base_octets[i] = l->room->slots[i].octets;
    }
    /* The first report comes sooner, as RFC 3550 §6.3.1 halves the first
     * interval: a new listener's statistics fill in quickly. */
    arm(rp, l, now + jittered(rp, MJ_SFU_REPORT_EVERY / 2));
}

void mj_reports_stop(mj_reports *rp, mj_session *l)
{
    mj_heap_remove(&rp->timers, &l->sr.timer);
}

mj_time mj_reports_next(const mj_reports *rp)
{
    const mj_heap_node *n = mj_heap_peek(&rp->timers);
    return n ? n->at : MJ_TIME_NEVER;
}

/* The wall clock at monotonic `now`, as a 32.32 NTP timestamp. */
static uint64_t ntp_at(const mj_reports *rp, mj_time now)
{
    int64_t ns = rp->wall_ns + (now - rp->wall_at) * 1000;
    uint64_t sec = (uint64_t)(ns / 1000000000) + MJ_NTP_UNIX_OFFSET;
    uint64_t frac = ((uint64_t)(ns % 1000000000) << 32) / 1000000000u;
    return sec << 32 | frac;
}

/* The slot stream's RTP timestamp at `now`: its last packet's, advanced by
 * the time since at Opus's 48 kHz (wrapping, as timestamps do). */
static uint32_t rtp_ts_at(const mj_slot *sl, mj_time now)
{
    return sl->last_ts + (uint32_t)((now - sl->last_time) * MJ_OPUS_RATE_KHZ / 1000);
}

/* Writes the listener's compound packet into w: an SR per slot stream it
 * was sent anything on, then one SDES. Returns how many SRs (0: nothing
 * to report), or a negative error. */
static int write_compound(const mj_reports *rp, const mj_session *l, mj_time now, mj_wbuf *w)
{
    const mj_fanout *r = l->room;
    uint32_t ssrcs[MJ_SFU_MAX_SLOTS];
    size_t n = 0;
    uint64_t ntp = ntp_at(rp, now);
    for (unsigned i = 0; i < l->nslots; i++) {
        const mj_slot *sl = &r->slots[i];
        uint32_t packets = sl->packets - l->sr.base_packets[i];
        if (!sl->started || packets == 0) continue;
        mj_rtcp_sender_info si = {
            .ntp = ntp,
            .rtp_ts = rtp_ts_at(sl, now),
            .packet_count = packets,
            .octet_count = sl->octets - l->sr.base_octets[i],
        };
        ssrcs[n] = mj_sfu_slot_ssrc(i);
        if (mj_rtcp_write_sr(w, ssrcs[n], &si, NULL, 0) < 0) return MJ_ENOSPC;
        n++;
    }
    if (n == 0) return 0;
    long len = mj_rtcp_write_sdes_cnames(w, ssrcs, n, MJ_SFU_CNAME, strlen(MJ_SFU_CNAME));
    return len < 0 ? (int)len : (int)n;
}

/* One listener's compound packet, protected and queued, if it has
 * anything to report. */
static void report(const mj_reports *rp, mj_session *l, mj_time now, mj_txq *tx, mj_sfu_stats *st)
{
    if (!l->room || !mj_peer_media_ready(&l->peer)) return;
    uint8_t *buf = mj_txq_slot(tx);
    mj_wbuf w;
    mj_wbuf_init(&w, buf, MJ_TXQ_SLOT_SIZE - MJ_SRTP_MAX_TRAILER);
    if (write_compound(rp, l, now, &w) <= 0) return;
    long n = mj_peer_protect_rtcp(&l->peer, buf, w.len, MJ_TXQ_SLOT_SIZE);
    if (n < 0) {
        st->fwd_errors++;
        return;
    }
    mj_txq_commit(tx, (size_t)n, mj_peer_remote(&l->peer));
    st->tx_reports++;
}

void mj_reports_run(mj_reports *rp, mj_time now, mj_txq *tx, mj_sfu_stats *st)
{
    mj_heap_node *n;
    for (int done = 0;
         done < MJ_SFU_REPORTS_PER_CALL && (n = mj_heap_peek(&rp->timers)) && n->at <= now;
         done++) {
        mj_session *l = (mj_session *)((char *)n - offsetof(mj_session, sr.timer));
        /* Without a wall clock there is no NTP time to give; the timer
         * keeps running so reports start as soon as there is one. */
        if (rp->wall_ns) report(rp, l, now, tx, st);
        /* Re-arming a queued node moves it: the heap does not grow. */
        arm(rp, l, now + jittered(rp, MJ_SFU_REPORT_EVERY));
    }
}
