/* majlis bot speak: a file into a room, in real time, over WHIP. */
#include "client/bot.h"
#include "client/bot_run.h"

#include "base/log.h"
#include "base/rand.h"
#include "client/audio_in.h"
#include "client/level.h"
#include "client/session.h"
#include "io/clock.h"
#include "proto/rtp.h"

#include <opus.h>
#include <stdio.h>
#include <string.h>

#define FRAME      960 /* 20 ms at 48 kHz */
#define FRAME_TIME MJ_MSEC(20)
#define MAX_BEHIND MJ_MSEC(200) /* later than this, resync instead of bursting */
#define OPUS_MAX   1275

typedef struct speaker {
    mj_bot_run b; /* first: the hooks get &sp->b */
    const mj_speak_opts *o;
    mj_audio_in *in;
    OpusEncoder *enc;
    mj_time t0;
    uint64_t frame_no, sent, loops;
    uint16_t seq;
    uint32_t ts;
    bool eof;
} speaker;

#define note(sp, ...)  mj_bot_note(&(sp)->b, __VA_ARGS__)
#define finish(sp, rc) mj_bot_finish(&(sp)->b, rc)

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
        .pt = sp->b.sess.opus_pt,
        .seq = sp->seq,
        .ts = sp->ts,
        .ssrc = sp->b.sess.ssrc,
        .level_id = sp->b.sess.level_id,
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
    long sent = mj_csess_send_rtp(&sp->b.sess, pkt, (size_t)hl + (size_t)n, sizeof pkt);
    if (sent < 0 && sent != MJ_ESTATE) mj_debug("bot: send failed: %s", mj_strerror((int)sent));
    sp->seq++;
    sp->ts += FRAME;
    sp->sent++;
    return 0;
}

static void on_tick(mj_bot_run *b)
{
    speaker *sp = (speaker *)b;
    mj_loop *l = &b->loop;
    mj_time now = mj_loop_now(l);
    if (now - (sp->t0 + (mj_time)sp->frame_no * FRAME_TIME) > MAX_BEHIND) {
        /* Suspended or starved: carry on from now rather than burst. */
        sp->t0 = now - (mj_time)sp->frame_no * FRAME_TIME;
    }
    while (!b->finishing && sp->t0 + (mj_time)sp->frame_no * FRAME_TIME <= now) {
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
    if (mj_loop_timer_set(l, &b->tick, sp->t0 + (mj_time)sp->frame_no * FRAME_TIME) != 0)
        finish(sp, 1);
}

static int on_connected(mj_bot_run *b, mj_csess *s)
{
    speaker *sp = (speaker *)b;
    note(sp, "connected; speaking %s into room %s%s", sp->o->file, sp->o->room,
         sp->o->loop ? " (looping; Ctrl-C to stop)" : "");
    if (s->level_id == 0)
        note(sp, "the server did not accept audio levels; heard only while a slot is free");
    sp->t0 = mj_loop_now(&b->loop);
    return mj_loop_timer_set(&b->loop, &b->tick, sp->t0);
}

static const mj_bot_hooks speak_hooks = {.on_connected = on_connected, .on_tick = on_tick};

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
    sp.b.hooks = &speak_hooks;
    sp.b.quiet = o->quiet;
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
    if (make_encoder(&sp) == 0) {
        sp.seq = (uint16_t)mj_rand_u32();
        sp.ts = mj_rand_u32();
        rc = mj_bot_run_main(&sp.b, o->url, o->room, o->token, o->tcp, false, 0);
        if (sp.b.started)
            note(&sp, "sent %llu packets (%.1f s)", (unsigned long long)sp.sent,
                 (double)sp.sent * 0.02);
    }
    mj_bot_run_dispose(&sp.b);
    if (sp.enc) opus_encoder_destroy(sp.enc);
    mj_audio_in_close(sp.in);
    return rc;
}
