/* majlis bot record: listen to a room over WHEP and write what it hears.
 *
 * Each slot (one speaker at a time) has a jitter buffer (jitter.h, 60 ms)
 * and an Opus decoder. Every 20 ms of wall-clock time, each slot yields
 * 20 ms of audio: a decoded packet; for a lost one, in-band FEC from the
 * packet after it when that is here, else Opus packet loss concealment
 * (opus_decode with no data); when the slot falls silent, a few frames of
 * concealment that fade out, then zeros. The slots are summed, clipped
 * and written. The recording's clock is ours: it is as long as the time
 * spent recording, whatever arrives. */
#include "client/bot.h"
#include "client/bot_run.h"

#include "base/log.h"
#include "client/analyze.h"
#include "client/audio_in.h"
#include "client/audio_out.h"
#include "client/jitter.h"
#include "client/session.h"
#include "proto/rtp.h"

#include <opus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME       960
#define FRAME_TIME  MJ_MSEC(20)
#define MAX_DECODE  5760 /* 120 ms: the longest Opus packet */
#define JITTER      MJ_MSEC(60)
#define FADE_FRAMES 5 /* concealment after a slot falls silent */
#define MAX_BEHIND  MJ_MSEC(500)

typedef struct slot {
    OpusDecoder *dec;
    mj_jitter jit;
    float pcm[MAX_DECODE + FRAME]; /* decoded, not yet mixed */
    size_t len;
    unsigned quiet; /* frames since the last packet or concealment */
    bool heard;     /* decoded something since the last silence */
} slot;

typedef struct recorder {
    mj_bot_run b; /* first: the hooks get &r->b */
    const mj_record_opts *o;
    mj_audio_out *out;
    slot slots[MJ_CSESS_MAX_SLOTS];
    mj_time t0;
    uint64_t frames, target;
    uint64_t packets, unknown_ssrc, bad_pt, concealed, fec, decode_errors;
} recorder;

#define note(r, ...)  mj_bot_note(&(r)->b, __VA_ARGS__)
#define finish(r, rc) mj_bot_finish(&(r)->b, rc)

static void close_file(recorder *r)
{
    if (!r->out) return;
    char err[600];
    double secs = (double)mj_audio_out_samples(r->out) / MJ_AUDIO_RATE;
    if (mj_audio_out_close(r->out, err, sizeof err) != 0) {
        fprintf(stderr, "majlis bot: %s\n", err);
        r->b.rc = 1;
    } else {
        note(r, "wrote %.2f s to %s", secs, r->o->out);
    }
    r->out = NULL;
}

/* Before leaving for any reason: the recording is safe before we talk to
 * the server again. */
static void before_leave(mj_bot_run *b)
{
    close_file((recorder *)b);
}

static void on_rtp(mj_bot_run *b, uint8_t *pkt, size_t len, const mj_rx_time *at)
{
    recorder *r = (recorder *)b;
    const mj_csess *s = &b->sess;
    mj_rtp_hdr h;
    if (mj_rtp_parse(pkt, len, &h, NULL) != 0) return;
    if (h.pt != s->opus_pt) {
        r->bad_pt++;
        return;
    }
    for (unsigned i = 0; i < s->nslots; i++) {
        if (s->slot_ssrc[i] == h.ssrc) {
            mj_jitter_push(&r->slots[i].jit, h.seq, h.payload.p, h.payload.n, at->now);
            r->packets++;
            return;
        }
    }
    r->unknown_ssrc++;
}

/* Adds audio for one slot until it holds at least a frame. */
static void fill_slot(recorder *r, slot *sl, mj_time now)
{
    while (sl->len < FRAME) {
        const uint8_t *data;
        size_t len;
        enum mj_jitter_out what = mj_jitter_pop(&sl->jit, now, &data, &len);
        int n;
        float *at = sl->pcm + sl->len;
        if (what == MJ_JITTER_PACKET) {
            n = opus_decode_float(sl->dec, data, (opus_int32)len, at, MAX_DECODE, 0);
            sl->heard = true;
            sl->quiet = 0;
        } else if (what == MJ_JITTER_LOST && data) {
            n = opus_decode_float(sl->dec, data, (opus_int32)len, at, FRAME, 1);
            r->fec++;
        } else if (what == MJ_JITTER_LOST || (sl->heard && sl->quiet < FADE_FRAMES)) {
            n = opus_decode_float(sl->dec, NULL, 0, at, FRAME, 0);
            if (what == MJ_JITTER_LOST)
                r->concealed++;
            else
                sl->quiet++;
        } else {
            sl->heard = false;
            memset(at, 0, FRAME * sizeof(float));
            n = FRAME;
        }
        if (n < 0) {
            r->decode_errors++;
            memset(at, 0, FRAME * sizeof(float));
            n = FRAME;
        }
        sl->len += (size_t)n;
    }
}

static int mix_frame(recorder *r, mj_time now)
{
    float mix[FRAME];
    memset(mix, 0, sizeof mix);
    for (unsigned i = 0; i < r->b.sess.nslots; i++) {
        slot *sl = &r->slots[i];
        fill_slot(r, sl, now);
        for (int k = 0; k < FRAME; k++)
            mix[k] += sl->pcm[k];
        sl->len -= FRAME;
        memmove(sl->pcm, sl->pcm + FRAME, sl->len * sizeof(float));
    }
    for (int k = 0; k < FRAME; k++)
        mix[k] = mix[k] > 1.0f ? 1.0f : mix[k] < -1.0f ? -1.0f : mix[k];
    char err[600];
    if (mj_audio_out_write(r->out, mix, FRAME, err, sizeof err) != 0) {
        fprintf(stderr, "majlis bot: %s\n", err);
        return -1;
    }
    r->frames++;
    return 0;
}

static void on_tick(mj_bot_run *b)
{
    recorder *r = (recorder *)b;
    mj_loop *l = &b->loop;
    mj_time now = mj_loop_now(l);
    if (now - (r->t0 + (mj_time)r->frames * FRAME_TIME) > MAX_BEHIND)
        r->t0 = now - (mj_time)r->frames * FRAME_TIME; /* we were stopped: skip, do not burst */
    while (r->t0 + (mj_time)(r->frames + 1) * FRAME_TIME <= now) {
        if (mix_frame(r, now) != 0) {
            finish(r, 1);
            return;
        }
        if (r->target && r->frames >= r->target) {
            finish(r, 0);
            return;
        }
    }
    if (mj_loop_timer_set(l, &b->tick, r->t0 + (mj_time)(r->frames + 1) * FRAME_TIME) != 0)
        finish(r, 1);
}

static int on_connected(mj_bot_run *b, mj_csess *s)
{
    recorder *r = (recorder *)b;
    if (r->o->seconds)
        note(r, "connected; recording room %s to %s for %ld s (%u slot%s)", r->o->room, r->o->out,
             r->o->seconds, s->nslots, s->nslots == 1 ? "" : "s");
    else
        note(r, "connected; recording room %s to %s until Ctrl-C (%u slot%s)", r->o->room,
             r->o->out, s->nslots, s->nslots == 1 ? "" : "s");
    r->t0 = mj_loop_now(&b->loop);
    return mj_loop_timer_set(&b->loop, &b->tick, r->t0 + FRAME_TIME);
}

static const mj_bot_hooks record_hooks = {
    .on_connected = on_connected,
    .on_tick = on_tick,
    .before_leave = before_leave,
    .on_rtp = on_rtp,
};

static void report(const recorder *r)
{
    uint64_t late = 0, dup = 0;
    for (unsigned i = 0; i < MJ_CSESS_MAX_SLOTS; i++) {
        late += r->slots[i].jit.st.late;
        dup += r->slots[i].jit.st.duplicates;
    }
    note(r,
         "%llu packets; %llu lost (%llu recovered by FEC, %llu concealed); %llu late, %llu "
         "duplicate, %llu from unknown SSRCs",
         (unsigned long long)r->packets, (unsigned long long)(r->fec + r->concealed),
         (unsigned long long)r->fec, (unsigned long long)r->concealed, (unsigned long long)late,
         (unsigned long long)dup, (unsigned long long)r->unknown_ssrc);
    if (r->b.started && r->packets == 0) note(r, "heard nothing: is anyone speaking in the room?");
}

int mj_bot_record(const mj_record_opts *o)
{
    recorder *r = calloc(1, sizeof *r); /* the slots hold ~150 KiB: not on the stack */
    if (!r) {
        fprintf(stderr, "majlis bot: out of memory\n");
        return 1;
    }
    r->o = o;
    r->b.hooks = &record_hooks;
    r->b.quiet = o->quiet;
    r->target = (uint64_t)o->seconds * 50;
    int rc = 1;
    char err[600];
    for (unsigned i = 0; i < MJ_CSESS_MAX_SLOTS; i++) {
        int e;
        r->slots[i].dec = opus_decoder_create(MJ_AUDIO_RATE, 1, &e);
        if (!r->slots[i].dec) {
            fprintf(stderr, "majlis bot: cannot create an Opus decoder: %s\n", opus_strerror(e));
            goto out;
        }
        mj_jitter_init(&r->slots[i].jit, JITTER);
    }
    if (mj_audio_out_open(o->out, &r->out, err, sizeof err) != 0) {
        fprintf(stderr, "majlis bot: %s\n", err);
        goto out;
    }
    rc = mj_bot_run_main(&r->b, o->url, o->room, o->token, o->tcp, true, o->slots ? o->slots : 3);
    close_file(r);
    rc = rc ? rc : r->b.rc;
    if (r->b.started) report(r);
out:
    if (r->out) {
        /* Failed before recording: leave no half-made file behind. */
        close_file(r);
        if (!r->b.started) remove(o->out);
    }
    mj_bot_run_dispose(&r->b);
    for (unsigned i = 0; i < MJ_CSESS_MAX_SLOTS; i++)
        if (r->slots[i].dec) opus_decoder_destroy(r->slots[i].dec);
    free(r);
    return rc;
}

/* ---- probe ------------------------------------------------------------------- */

int mj_bot_probe(const char *path)
{
    mj_audio_in *in;
    char err[600];
    if (mj_audio_in_open(path, &in, err, sizeof err) != 0) {
        fprintf(stderr, "majlis bot: %s\n", err);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    float *pcm = malloc(cap * sizeof *pcm);
    int rc = 1;
    while (pcm) {
        if (n == cap) {
            if (cap >= ((size_t)MJ_AUDIO_RATE * 3600)) {
                fprintf(stderr, "majlis bot: %s is longer than an hour; probing the first\n", path);
                break;
            }
            float *p = realloc(pcm, 2 * cap * sizeof *pcm);
            if (!p) break;
            pcm = p;
            cap *= 2;
        }
        long got = mj_audio_in_read(in, pcm + n, cap - n);
        if (got < 0) {
            fprintf(stderr, "majlis bot: %s\n", mj_audio_in_error(in));
            goto out;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    if (!pcm) goto out;
    /* The frequency from the middle half second, where a recording is
     * steady (2 Hz bins, refined to 0.5 Hz). */
    size_t win = n < MJ_AUDIO_RATE / 2 ? n : MJ_AUDIO_RATE / 2;
    size_t from = (n - win) / 2;
    const mj_audio_info *ai = mj_audio_in_info(in);
    printf("{\"format\":\"%s\",\"rate\":%u,\"channels\":%u,\"seconds\":%.3f,\"rms_dbfs\":%.1f,"
           "\"peak_hz\":%.1f}\n",
           ai->kind, ai->rate, ai->channels, (double)n / MJ_AUDIO_RATE, mj_analyze_rms_db(pcm, n),
           mj_analyze_peak_hz(pcm + from, win, MJ_AUDIO_RATE, 20.0, 8000.0));
    rc = 0;
out:
    free(pcm);
    mj_audio_in_close(in);
    return rc;
}
