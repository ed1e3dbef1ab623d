/* majlis bot speak: a file into a room, in real time, over WHIP. */
#include "client/bot.h"

#include "base/log.h"
#include "base/rand.h"
#include "client/audio_in.h"
#include "client/level.h"
#include "client/session.h"
#include "io/clock.h"
#include "proto/rtp.h"

#include <opus.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FRAME       960 /* 20 ms at 48 kHz */
#define FRAME_TIME  MJ_MSEC(20)
#define MAX_BEHIND  MJ_MSEC(200) /* later than this, resync instead of bursting */
#define CONNECT_MAX MJ_SEC(30)
#define LEAVE_MAX   MJ_SEC(5)
#define OPUS_MAX    1275

typedef struct speaker {
    const mj_speak_opts *o;
    mj_loop loop;
    mj_client *cl;
    mj_csess sess;
    mj_audio_in *in;
    OpusEncoder *enc;
    mj_timer tick, deadline;
    mj_time t0;
    uint64_t frame_no, sent, loops;
    uint16_t seq;
    uint32_t ts;
    bool started, eof, finishing;
    int rc;
} speaker;

static void note(const speaker *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const speaker *sp, const char *fmt, ...)
{
    if (sp->o->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("majlis bot: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Ends the run: DELETE the session, then stop when the server answered
 * (or after LEAVE_MAX). */
static void finish(speaker *sp, int rc)
{
    if (sp->finishing) return;
    sp->finishing = true;
    sp->rc = rc;
    mj_loop_timer_stop(&sp->loop, &sp->tick);
    if (mj_loop_timer_set(&sp->loop, &sp->deadline, mj_loop_now(&sp->loop) + LEAVE_MAX) != 0)
        sp->loop.stop = true;
    mj_csess_leave(&sp->sess);
    if (mj_csess_ended(&sp->sess)) sp->loop.stop = true;
}

/* Fills one 20 ms frame; at the end of the file starts again (--loop) or
 * pads with silence and marks the end. */
static int next_frame(speaker *sp, float *pcm)
{
    size_t have = 0;
    bool rewound = false;
    while (have < FRAME) {
        long n = mj_audio_in_read(sp->in, pcm + have, FRAME - have);
        if (n < 0) {
            fprintf(stderr, "majlis bot: %s\n", mj_audio_in_error(sp->in));
            return -1;
        }
        have += (size_t)n;
        if (have == FRAME) break;
        /* Fewer samples than asked: the end of the file. */
        if (!sp->o->loop || (rewound && n == 0)) {
            sp->eof = true;
            break;
        }
        if (mj_audio_in_rewind(sp->in) != 0) {
            fprintf(stderr, "majlis bot: cannot start the file again\n");
            return -1;
        }
        rewound = true;
        sp->loops++;
    }
    memset(pcm + have, 0, (FRAME - have) * sizeof(float));
    return have > 0 ? 0 : 1;
}

static int send_frame(speaker *sp)
{
    float pcm[FRAME];
    int r = next_frame(sp, pcm);
    if (r != 0) return r;
    uint8_t level = mj_level_from_pcm(pcm, FRAME);
    uint8_t pkt[12 + 8 + OPUS_MAX + MJ_SRTP_MAX_TRAILER];
    mj_wbuf w;
    mj_wbuf_init(&w, pkt, sizeof pkt);
    mj_rtp_out ro = {
        .marker = sp->sent == 0,
        .pt = sp->sess.opus_pt,
        .seq = sp->seq,
        .ts = sp->ts,
        .ssrc = sp->sess.ssrc,
        .level_id = sp->sess.level_id,
        .voice = mj_level_voice(level),
        .level = level,
    };
    long hl = mj_rtp_write(&w, &ro);
    if (hl < 0) return -1;
    opus_int32 n = opus_encode_float(sp->enc, pcm, FRAME, pkt + hl, OPUS_MAX);
    if (n < 0) {
        fprintf(stderr, "majlis bot: Opus encoding failed: %s\n", opus_strerror(n));
        return -1;
    }
    long sent = mj_csess_send_rtp(&sp->sess, pkt, (size_t)hl + (size_t)n, sizeof pkt);
    if (sent < 0 && sent != MJ_ESTATE) mj_debug("bot: send failed: %s", mj_strerror((int)sent));
    sp->seq++;
    sp->ts += FRAME;
    sp->sent++;
    return 0;
}

static void on_tick(mj_loop *l, mj_timer *t)
{
    speaker *sp = t->ctx;
    mj_time now = mj_loop_now(l);
    if (now - (sp->t0 + (mj_time)sp->frame_no * FRAME_TIME) > MAX_BEHIND) {
        /* Suspended or starved: carry on from now rather than burst. */
        sp->t0 = now - (mj_time)sp->frame_no * FRAME_TIME;
    }
    while (!sp->finishing && sp->t0 + (mj_time)sp->frame_no * FRAME_TIME <= now) {
        int r = send_frame(sp);
        sp->frame_no++;
        if (r < 0) {
            finish(sp, 1);
            return;
        }
        if (r > 0 || sp->eof) {
            note(sp, "end of %s after %.1f s; leaving", sp->o->file, (double)sp->sent * 0.02);
            finish(sp, 0);
            return;
        }
    }
    if (mj_loop_timer_set(l, &sp->tick, sp->t0 + (mj_time)sp->frame_no * FRAME_TIME) != 0)
        finish(sp, 1);
}

static void on_state(mj_csess *s)
{
    speaker *sp = s->user;
    switch ((enum mj_csess_state)s->state) {
    case MJ_CSESS_CONNECTED:
        mj_loop_timer_stop(&sp->loop, &sp->deadline);
        note(sp, "connected; speaking %s into room %s%s", sp->o->file, sp->o->room,
             sp->o->loop ? " (looping; Ctrl-C to stop)" : "");
        if (s->level_id == 0)
            note(sp, "the server did not accept audio levels; every packet counts as speech");
        sp->started = true;
        sp->t0 = mj_loop_now(&sp->loop);
        if (mj_loop_timer_set(&sp->loop, &sp->tick, sp->t0) != 0) finish(sp, 1);
        break;
    case MJ_CSESS_FAILED:
        fprintf(stderr, "majlis bot: %s\n", s->error);
        sp->rc = 1;
        sp->loop.stop = true;
        break;
    case MJ_CSESS_DONE: sp->loop.stop = true; break;
    default: break;
    }
}

static void on_deadline(mj_loop *l, mj_timer *t)
{
    speaker *sp = t->ctx;
    if (sp->finishing) {
        fprintf(stderr, "majlis bot: the server did not answer the DELETE in time\n");
        l->stop = true;
        return;
    }
    fprintf(stderr, "majlis bot: could not connect to the room in %d s\n",
            (int)(CONNECT_MAX / MJ_SEC(1)));
    finish(sp, 1);
}

static void on_signal(mj_loop *l, int signo)
{
    speaker *sp = l->ctx;
    if (sp->finishing) {
        l->stop = true; /* a second Ctrl-C: do not wait for the DELETE */
        return;
    }
    note(sp, "stopping");
    finish(sp, 0);
}

static const mj_csess_ops speak_ops = {.on_state = on_state};

static int make_encoder(speaker *sp)
{
    int err;
    sp->enc = opus_encoder_create(MJ_AUDIO_RATE, 1, OPUS_APPLICATION_AUDIO, &err);
    if (!sp->enc) {
        fprintf(stderr, "majlis bot: cannot create the Opus encoder: %s\n", opus_strerror(err));
        return -1;
    }
    opus_encoder_ctl(sp->enc,
                     OPUS_SET_BITRATE(sp->o->bitrate ? (opus_int32)sp->o->bitrate : 64000));
    opus_encoder_ctl(sp->enc, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(sp->enc, OPUS_SET_PACKET_LOSS_PERC(5));
    return 0;
}

int mj_bot_speak(const mj_speak_opts *o)
{
    speaker sp;
    memset(&sp, 0, sizeof sp);
    sp.o = o;
    char err[600];
    if (mj_audio_in_open(o->file, &sp.in, err, sizeof err) != 0) {
        fprintf(stderr, "majlis bot: %s\n", err);
        return 1;
    }
    const mj_audio_info *ai = mj_audio_in_info(sp.in);
    note(&sp, "%s: %s, %u Hz, %u channel%s%s, %.1f s", o->file, ai->kind, ai->rate, ai->channels,
         ai->channels == 1 ? "" : "s", ai->rate != MJ_AUDIO_RATE ? " (resampled to 48 kHz)" : "",
         ai->seconds);
    int rc = 1;
    const char *why = "?";
    mj_client_config cc = {.url = o->url, .room = o->room};
    if (make_encoder(&sp) != 0 || mj_loop_init(&sp.loop) != 0) goto out;
    sp.loop.ctx = &sp;
    sp.loop.on_signal = on_signal;
    if (mj_loop_catch_signals(&sp.loop) != 0 || mj_client_new(&sp.loop, &cc, &sp.cl, &why) != 0) {
        fprintf(stderr, "majlis bot: %s\n", why);
        goto out;
    }
    mj_timer_init(&sp.tick, on_tick, &sp);
    mj_timer_init(&sp.deadline, on_deadline, &sp);
    sp.seq = (uint16_t)mj_rand_u32();
    sp.ts = mj_rand_u32();
    if (mj_csess_start(&sp.sess, sp.cl, false, 0, o->token, &speak_ops, &sp) != 0) {
        fprintf(stderr, "majlis bot: %s\n", sp.sess.error);
        goto out;
    }
    if (mj_loop_timer_set(&sp.loop, &sp.deadline, mj_loop_now(&sp.loop) + CONNECT_MAX) != 0)
        goto out;
    mj_loop_run(&sp.loop);
    rc = sp.rc;
    if (sp.started)
        note(&sp, "sent %llu packets (%.1f s)", (unsigned long long)sp.sent,
             (double)sp.sent * 0.02);
out:
    mj_csess_dispose(&sp.sess);
    mj_client_free(sp.cl);
    if (sp.loop.epfd > 0) mj_loop_dispose(&sp.loop);
    if (sp.enc) opus_encoder_destroy(sp.enc);
    mj_audio_in_close(sp.in);
    return rc;
}
