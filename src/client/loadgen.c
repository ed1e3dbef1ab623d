/* majlis loadgen: the run. See loadgen.h for what is measured and how. */
#include "client/loadgen_internal.h"

#include "base/log.h"
#include "base/rand.h"
#include "client/level.h"
#include "client/textf.h"
#include "io/clock.h"
#include "proto/rtp.h"

#include <math.h>
#include <opus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define FRAME        960
#define FRAME_TIME   MJ_MSEC(20)
#define SPEAKERS_MAX MJ_SEC(15) /* for every speaker to connect */
#define JOIN_MAX     MJ_SEC(30) /* a listener not in by then has failed */
#define SETTLE       MJ_SEC(1)  /* after the last join, before "steady" */
#define DRAIN        MJ_MSEC(500)
#define LEAVE_MAX    MJ_SEC(30)
#define TONE_HZ      440.0
#define TONE_LEVEL   0.25 /* amplitude: about -15 dBov, level 15 */

static void enter_phase(loadgen *g, enum lg_phase p);

/* ---- Pre-encoded audio ------------------------------------------------------ */

/* One second of tone, encoded once; each packet is padded (RFC 6716
 * §3.2.5) so that its last LG_TAG_LEN bytes are padding we may fill. */
static int encode_frames(loadgen *g)
{
    int err;
    OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err);
    if (!enc) return -1;
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
    int rc = 0;
    for (int f = 0; f < LG_FRAMES && rc == 0; f++) {
        float pcm[FRAME];
        for (int i = 0; i < FRAME; i++)
            pcm[i] = (float)(TONE_LEVEL * sin(2.0 * M_PI * TONE_HZ * (f * FRAME + i) / 48000.0));
        lg_frame *fr = &g->frames[f];
        fr->level = mj_level_from_pcm(pcm, FRAME);
        opus_int32 n = opus_encode_float(enc, pcm, FRAME, fr->data, LG_OPUS_MAX - LG_TAG_LEN - 8);
        /* Two bytes of code-3 framing, then the padding: pad a little more
         * and check where the padding really starts. */
        if (n <= 0 || opus_packet_pad(fr->data, n, n + LG_TAG_LEN + 4) != OPUS_OK) rc = -1;
        fr->len = (uint16_t)(n + LG_TAG_LEN + 4);
        /* Code 3 with the padding flag: byte 1 is 0x40 | 1 frame. */
        if (rc == 0 &&
            ((fr->data[0] & 3) != 3 || !(fr->data[1] & 0x40) || fr->data[2] < LG_TAG_LEN))
            rc = -1;
    }
    opus_encoder_destroy(enc);
    return rc;
}

/* ---- Speakers --------------------------------------------------------------------- */

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void speaker_send(loadgen *g, lg_speaker *sp)
{
    const lg_frame *fr = &g->frames[sp->tag_seq % LG_FRAMES];
    uint8_t pkt[12 + 8 + LG_OPUS_MAX + MJ_SRTP_MAX_TRAILER];
    mj_wbuf w;
    mj_wbuf_init(&w, pkt, sizeof pkt);
    mj_rtp_out ro = {
        .marker = sp->sent == 0,
        .pt = sp->sess.opus_pt,
        .seq = sp->seq,
        .ts = sp->ts,
        .ssrc = sp->sess.ssrc,
        .level_id = sp->sess.level_id,
        .voice = true,
        .level = fr->level,
    };
    long hl = mj_rtp_write(&w, &ro);
    uint8_t *pl = mj_wbuf_reserve(&w, fr->len);
    if (hl < 0 || !pl) return;
    memcpy(pl, fr->data, fr->len);
    uint8_t *tag = pl + fr->len - LG_TAG_LEN;
    mj_put_be32(tag, LG_TAG_MAGIC);
    mj_put_be16(tag + 4, sp->id);
    mj_put_be16(tag + 6, 0);
    mj_put_be32(tag + 8, sp->tag_seq);
    mj_put_be64(tag + 12, (uint64_t)wall_us());
    if (mj_csess_send_rtp(&sp->sess, pkt, w.len, sizeof pkt) > 0) {
        sp->sent++;
        g->sent++;
    }
    sp->seq++;
    sp->ts += FRAME;
    sp->tag_seq++;
}

/* Speaker i sends at i/M of each 20 ms period: real speakers are not in
 * step, and bursts that coincide would only measure our own queueing. */
static mj_time sub_tick_time(const loadgen *g, uint64_t j)
{
    return g->t_ramp + (mj_time)(j * (uint64_t)FRAME_TIME / (uint64_t)g->o->speakers);
}

static void on_tick(mj_loop *l, mj_timer *t)
{
    loadgen *g = t->ctx;
    mj_time now = mj_loop_now(l);
    uint64_t m = (uint64_t)g->o->speakers;
    /* Late by more than a few frames (a stall): skip ahead, do not burst. */
    if (now - sub_tick_time(g, g->frame_no) > 5 * FRAME_TIME)
        g->frame_no = (uint64_t)(now - g->t_ramp) * m / (uint64_t)FRAME_TIME;
    while (sub_tick_time(g, g->frame_no) <= now) {
        lg_speaker *sp = &g->speakers[g->frame_no % m];
        if (sp->sess.state == MJ_CSESS_CONNECTED) speaker_send(g, sp);
        g->frame_no++;
    }
    if (mj_loop_timer_set(l, &g->tick, sub_tick_time(g, g->frame_no)) != 0) l->stop = true;
}

static void note_error(loadgen *g, const char *text)
{
    for (uint32_t i = 0; i < g->nerrors; i++) {
        if (strncmp(g->errors[i].text, text, sizeof g->errors[i].text - 1) == 0) {
            g->errors[i].count++;
            return;
        }
    }
    if (g->nerrors == LG_MAX_ERRORS) {
        g->errors_other++;
        return;
    }
    snprintf(g->errors[g->nerrors].text, sizeof g->errors[g->nerrors].text, "%s", text);
    g->errors[g->nerrors++].count = 1;
}

static void abort_run(loadgen *g, const char *why)
{
    if (g->fatal) return;
    g->fatal = true;
    mj_textf(g->fatal_msg, sizeof g->fatal_msg, "%s", why);
    enter_phase(g, LG_LEAVING);
}

static void on_speaker_state(mj_csess *s)
{
    lg_speaker *sp = s->user;
    loadgen *g = s->cl->loop->ctx;
    if (s->state == MJ_CSESS_CONNECTED) {
        sp->in_room = true;
        g->speakers_in++;
    } else if (s->state == MJ_CSESS_FAILED && g->phase < LG_LEAVING) {
        char msg[700];
        snprintf(msg, sizeof msg, "speaker %u: %s", sp->id, s->error);
        g->speakers_failed++;
        note_error(g, msg);
        /* Without every speaker there is nothing to measure; a speaker
         * lost later is reported with the rest. */
        if (g->phase == LG_SPEAKERS) abort_run(g, msg);
        return;
    } else if (mj_csess_ended(s)) {
        g->left++;
    }
    if (g->phase == LG_SPEAKERS && g->speakers_in == (uint32_t)g->o->speakers)
        enter_phase(g, LG_RAMP);
}

static const mj_csess_ops speaker_ops = {.on_state = on_speaker_state};

/* ---- Listeners ---------------------------------------------------------------------- */

static void check_all_started(loadgen *g)
{
    if (g->phase == LG_RAMP && g->started == (uint32_t)g->o->listeners &&
        g->joined + g->failed == (uint32_t)g->o->listeners)
        enter_phase(g, LG_STEADY);
}

static void on_listener_rtp(mj_csess *s, uint8_t *pkt, size_t len, const mj_rx_time *at)
{
    mj_time now = at->now;
    lg_listener *l = s->user;
    loadgen *g = s->cl->loop->ctx;
    mj_rtp_hdr h;
    if (mj_rtp_parse(pkt, len, &h, NULL) != 0 || h.pt != s->opus_pt) {
        l->bad_payload++;
        g->bad_payload++;
        return;
    }
    unsigned slot = 0;
    while (slot < s->nslots && s->slot_ssrc[slot] != h.ssrc)
        slot++;
    if (slot == s->nslots) {
        l->bad_ssrc++;
        g->bad_ssrc++;
        return;
    }
    const uint8_t *tag = h.payload.p + h.payload.n - LG_TAG_LEN;
    if (h.payload.n < LG_TAG_LEN + 1 || mj_be32(tag) != LG_TAG_MAGIC) {
        l->bad_payload++;
        g->bad_payload++;
        return;
    }
    uint16_t who = mj_be16(tag + 4);
    /* A listen-only process (no speakers of its own) can check the tag
     * but not who is in the room. */
    if (g->o->speakers > 0 ? who >= g->o->speakers || !g->speakers[who].in_room
                           : who >= MJ_LOADGEN_MAX_SPEAKERS) {
        l->bad_origin++;
        g->bad_origin++;
        return;
    }
    if (mj_seqtrack_add(&l->seq[slot], h.seq) == MJ_SEQ_DUPLICATE) return;
    /* Through the server: send -> the kernel queued it for us. Our own
     * wait on top of that is kept apart (delay_app). */
    int64_t sent = (int64_t)mj_be64(tag + 12);
    int64_t rx = at->kernel_wall_us ? at->kernel_wall_us : at->wall_us;
    uint64_t delay = rx > sent ? (uint64_t)(rx - sent) : 0;
    uint64_t app = at->wall_us > sent ? (uint64_t)(at->wall_us - sent) : 0;
    mj_hist_add(&g->delay_all, delay);
    mj_hist_add(&g->delay_tick, delay);
    if (g->phase == LG_STEADY && now >= g->t_steady) {
        mj_hist_add(&g->delay_steady, delay);
        mj_hist_add(&g->delay_app, app);
    }
    if (delay > l->max_delay_us)
        l->max_delay_us = delay > UINT32_MAX ? UINT32_MAX : (uint32_t)delay;
    l->received++;
    g->received++;
    if (!l->joined) {
        l->joined = true;
        l->join_ms = (float)((double)(now - s->t_post) / 1000.0);
        g->joined++;
        check_all_started(g);
    }
}

static void on_listener_refused(mj_csess *s, int err)
{
    lg_listener *l = s->user;
    loadgen *g = s->cl->loop->ctx;
    if (s->state != MJ_CSESS_CONNECTED)
        return; /* handshake noise, e.g. a late DTLS retransmission */
    if (err == MJ_EAUTH) {
        l->srtp_auth++;
        g->srtp_auth++;
    } else if (err == MJ_EREPLAY) {
        l->srtp_replay++;
        g->srtp_replay++;
    } else {
        l->srtp_other++;
        g->srtp_other++;
    }
}

static void on_listener_state(mj_csess *s)
{
    lg_listener *l = s->user;
    loadgen *g = s->cl->loop->ctx;
    if (s->state == MJ_CSESS_FAILED && g->phase < LG_LEAVING) {
        if (!l->joined)
            g->failed++;
        else
            g->dropped++;
        note_error(g, s->error);
        /* The first listener refused at the door: the rest would be too. */
        if (g->joined == 0 && !s->location && g->failed == 1 && s->t_answer) abort_run(g, s->error);
        check_all_started(g);
    } else if (mj_csess_ended(s)) {
        g->left++;
    }
}

static const mj_csess_ops listener_ops = {
    .on_state = on_listener_state,
    .on_rtp = on_listener_rtp,
    .on_refused = on_listener_refused,
};

static void start_listener(loadgen *g, lg_listener *l)
{
    l->started = true;
    g->started++;
    for (unsigned i = 0; i < MJ_CSESS_MAX_SLOTS; i++)
        mj_seqtrack_init(&l->seq[i]);
    if (mj_csess_start(&l->sess, g->cl, true, (unsigned)g->o->slots, g->o->listener_token,
                       &listener_ops, l) != 0) {
        g->failed++;
        note_error(g, l->sess.error);
        check_all_started(g);
    }
}

static void on_ramp(mj_loop *lp, mj_timer *t)
{
    loadgen *g = t->ctx;
    mj_time now = mj_loop_now(lp);
    double per_us = (double)g->o->ramp / 1e6;
    uint64_t due = (uint64_t)((double)(now - g->t_ramp) * per_us) + 1;
    if (due > (uint64_t)g->o->listeners) due = (uint64_t)g->o->listeners;
    while (g->started < due && g->phase == LG_RAMP)
        start_listener(g, &g->listeners[g->started]);
    if (g->started < (uint32_t)g->o->listeners) {
        mj_time next = g->t_ramp + (mj_time)((double)g->started / per_us);
        if (mj_loop_timer_set(lp, &g->ramp, next) != 0) lp->stop = true;
    } else {
        g->t_all_started = now;
        check_all_started(g);
    }
}

/* ---- Timeline ------------------------------------------------------------------------ */

static void on_phase_timer(mj_loop *lp, mj_timer *t)
{
    loadgen *g = t->ctx;
    mj_time now = mj_loop_now(lp);
    switch (g->phase) {
    case LG_SPEAKERS: abort_run(g, "the speakers did not connect in time"); break;
    case LG_RAMP:
    case LG_STEADY:
        if (now >= g->t_send_end) {
            enter_phase(g, LG_DRAIN);
        } else if (g->phase == LG_RAMP) {
            /* Joins that take this long have failed. */
            enter_phase(g, LG_STEADY);
        }
        break;
    case LG_DRAIN: enter_phase(g, LG_LEAVING); break;
    case LG_LEAVING: lp->stop = true; break;
    case LG_DONE: break;
    }
}

static void arm(loadgen *g, mj_timer *t, mj_time at)
{
    if (mj_loop_timer_set(&g->loop, t, at) != 0) g->loop.stop = true;
}

static void leave_all(loadgen *g)
{
    for (long i = 0; i < g->o->listeners; i++) {
        lg_listener *l = &g->listeners[i];
        if (l->started && !mj_csess_ended(&l->sess)) mj_csess_leave(&l->sess);
    }
    for (long i = 0; i < g->o->speakers; i++)
        if (!mj_csess_ended(&g->speakers[i].sess)) mj_csess_leave(&g->speakers[i].sess);
}

static bool all_left(const loadgen *g)
{
    for (long i = 0; i < g->o->listeners; i++)
        if (g->listeners[i].started && !mj_csess_ended(&g->listeners[i].sess)) return false;
    for (long i = 0; i < g->o->speakers; i++)
        if (g->speakers[i].sess.state != MJ_CSESS_IDLE && !mj_csess_ended(&g->speakers[i].sess))
            return false;
    return true;
}

static void enter_phase(loadgen *g, enum lg_phase p)
{
    if (p <= g->phase) return;
    mj_time now = mj_clock_now();
    g->phase = p;
    switch (p) {
    case LG_SPEAKERS: break;
    case LG_RAMP:
        g->t_ramp = now;
        lg_sample_take(g, &g->s_base);
        if (g->o->speakers > 0) arm(g, &g->tick, now);
        if (g->o->listeners > 0) {
            arm(g, &g->ramp, now);
            arm(g, &g->phase_timer,
                mj_time_min(g->t_send_end,
                            now + (mj_time)((double)g->o->listeners / (double)g->o->ramp * 1e6) +
                                JOIN_MAX));
        } else {
            enter_phase(g, LG_STEADY);
        }
        break;
    case LG_STEADY:
        /* The steady window opens once the last joins have settled. */
        g->t_steady = now + SETTLE;
        arm(g, &g->phase_timer, g->t_send_end);
        break;
    case LG_DRAIN:
        mj_loop_timer_stop(&g->loop, &g->tick);
        mj_loop_timer_stop(&g->loop, &g->ramp);
        g->t_send_end = now;
        lg_sample_take(g, &g->s_end);
        arm(g, &g->phase_timer, now + DRAIN);
        break;
    case LG_LEAVING:
        mj_loop_timer_stop(&g->loop, &g->tick);
        mj_loop_timer_stop(&g->loop, &g->ramp);
        if (!g->s_end.ok) lg_sample_take(g, &g->s_end);
        g->t_end = now;
        leave_all(g);
        arm(g, &g->phase_timer, now + LEAVE_MAX);
        break;
    case LG_DONE: g->loop.stop = true; break;
    }
}

static void on_progress(mj_loop *lp, mj_timer *t)
{
    loadgen *g = t->ctx;
    mj_time now = mj_loop_now(lp);
    lg_sample s;
    lg_sample_take(g, &s);
    if (s.server.rss_kib > g->server_rss_peak_kib) g->server_rss_peak_kib = s.server.rss_kib;
    /* The steady sample is the first one after the window opened. */
    if (g->phase == LG_STEADY && !g->s_steady.ok && now >= g->t_steady) g->s_steady = s;
    if (!g->o->quiet && g->phase < LG_LEAVING) lg_progress_line(g, now, false);
    g->s_last = s;
    mj_hist_init(&g->delay_tick);
    if (g->phase == LG_LEAVING && all_left(g)) lp->stop = true;
    arm(g, &g->progress, now + (g->phase == LG_LEAVING ? MJ_MSEC(100) : MJ_SEC(1)));
}

static void on_signal(mj_loop *lp, int signo)
{
    loadgen *g = lp->ctx;
    if (g->interrupted || g->phase >= LG_LEAVING) {
        lp->stop = true;
        return;
    }
    g->interrupted = true;
    fprintf(stderr, "\nmajlis loadgen: interrupted; finishing the run\n");
    enter_phase(g, g->phase >= LG_RAMP ? LG_DRAIN : LG_LEAVING);
}

/* ---- Set-up --------------------------------------------------------------------------- */

static int raise_fd_limit(long need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    if (rl.rlim_cur >= (rlim_t)need) return 0;
    if (rl.rlim_max < (rlim_t)need) {
        fprintf(stderr,
                "majlis loadgen: %ld sockets need %ld open files but the hard limit is %llu "
                "(raise it with ulimit -Hn)\n",
                need - 64, need, (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = (rlim_t)need;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

static int setup(loadgen *g, const mj_loadgen_opts *o)
{
    const char *why = "?";
    char msg[600];
    mj_local_set local;
    mj_local_set_init(&local, 0);
    if (mj_target_check_url(o->url, &local, msg, sizeof msg) != 0) {
        fprintf(stderr, "majlis loadgen: refused: %s\n", msg);
        return 2;
    }
    if (raise_fd_limit(o->listeners + o->speakers + 64) != 0) return 1;
    if (encode_frames(g) != 0) {
        fprintf(stderr, "majlis loadgen: cannot pre-encode the Opus frames\n");
        return 1;
    }
    mj_client_config cc = {
        .url = o->url, .room = o->room, .local_only = true, .timestamps = true, .tcp = o->tcp};
    if (mj_loop_init(&g->loop) != 0) return 1;
    g->loop.ctx = g;
    g->loop.on_signal = on_signal;
    if (mj_loop_catch_signals(&g->loop) != 0 || mj_client_new(&g->loop, &cc, &g->cl, &why) != 0) {
        fprintf(stderr, "majlis loadgen: %s\n", why);
        return 1;
    }
    g->speakers = calloc((size_t)o->speakers, sizeof *g->speakers);
    g->listeners = calloc((size_t)(o->listeners ? o->listeners : 1), sizeof *g->listeners);
    if (!g->speakers || !g->listeners) {
        fprintf(stderr, "majlis loadgen: out of memory\n");
        return 1;
    }
    for (long i = 0; i < o->listeners; i++)
        g->listeners[i].id = (uint32_t)i;
    mj_timer_init(&g->tick, on_tick, g);
    mj_timer_init(&g->ramp, on_ramp, g);
    mj_timer_init(&g->progress, on_progress, g);
    mj_timer_init(&g->phase_timer, on_phase_timer, g);
    mj_hist_init(&g->delay_all);
    mj_hist_init(&g->delay_steady);
    mj_hist_init(&g->delay_tick);
    mj_hist_init(&g->delay_app);
    return 0;
}

static void teardown(loadgen *g)
{
    if (g->listeners)
        for (long i = 0; i < g->o->listeners; i++)
            mj_csess_dispose(&g->listeners[i].sess);
    if (g->speakers)
        for (long i = 0; i < g->o->speakers; i++) {
            mj_csess_dispose(&g->speakers[i].sess);
            free(g->speakers[i].token);
        }
    mj_client_free(g->cl);
    if (g->loop.epfd > 0) mj_loop_dispose(&g->loop);
    free(g->listeners);
    free(g->speakers);
}

/* Entry i of a comma-separated list, taken round: speaker i's token. A
 * room hears one voice per person, and a token is one person, so three
 * speakers that are heard at once need three tokens. */
static char *nth_token(const char *list, size_t i)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    const char *start = list;
    for (size_t k = i % n; k > 0; k--)
        start = strchr(start, ',') + 1;
    return strndup(start, strcspn(start, ","));
}

int mj_loadgen_run(const mj_loadgen_opts *o)
{
    loadgen *g = calloc(1, sizeof *g);
    if (!g) return 1;
    g->o = o;
    int rc = setup(g, o);
    if (rc) {
        teardown(g);
        free(g);
        return rc;
    }
    if (o->server_pid && mj_proc_read((int)o->server_pid, &g->s_start.server) != 0) {
        fprintf(stderr, "majlis loadgen: cannot read /proc/%ld (no such process?)\n",
                o->server_pid);
        teardown(g);
        free(g);
        return 2;
    }
    g->metrics_ok = lg_metrics_read(o->url, &g->m_start) == 0;
    g->t_start = mj_clock_now();
    g->t_send_end = g->t_start + MJ_SEC(o->duration);
    lg_sample_take(g, &g->s_start);
    g->s_last = g->s_start;
    g->server_rss_peak_kib = g->s_start.server.rss_kib;
    g->phase = LG_SPEAKERS;
    for (long i = 0; i < o->speakers; i++) {
        lg_speaker *sp = &g->speakers[i];
        sp->id = (uint16_t)i;
        sp->seq = (uint16_t)mj_rand_u32();
        sp->ts = mj_rand_u32();
        sp->token = nth_token(o->speaker_token, (size_t)i);
        if (!sp->token) {
            abort_run(g, "out of memory");
            break;
        }
        if (mj_csess_start(&sp->sess, g->cl, false, 0, sp->token, &speaker_ops, sp) != 0) {
            abort_run(g, sp->sess.error);
            break;
        }
    }
    arm(g, &g->phase_timer, g->t_start + SPEAKERS_MAX);
    arm(g, &g->progress, g->t_start + MJ_SEC(1));
    if (o->speakers == 0) enter_phase(g, LG_RAMP);
    mj_loop_run(&g->loop);
    if (g->s_end.ok && g->metrics_ok) g->metrics_ok = lg_metrics_read(o->url, &g->m_end) == 0;
    if (!o->quiet) fputc('\n', stderr);
    if (g->fatal) {
        fprintf(stderr, "majlis loadgen: %s\n", g->fatal_msg);
        rc = 1;
    } else {
        lg_report(g);
    }
    teardown(g);
    free(g);
    return rc;
}
