#include "client/bot_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CONNECT_MAX MJ_SEC(30)
#define LEAVE_MAX   MJ_SEC(5)

void mj_bot_note(const mj_bot_run *b, const char *fmt, ...)
{
    if (b->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("majlis bot: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void mj_bot_finish(mj_bot_run *b, int rc)
{
    if (b->finishing) return;
    b->finishing = true;
    b->rc = rc;
    mj_loop_timer_stop(&b->loop, &b->tick);
    if (b->hooks->before_leave) b->hooks->before_leave(b);
    if (mj_loop_timer_set(&b->loop, &b->deadline, mj_loop_now(&b->loop) + LEAVE_MAX) != 0)
        b->loop.stop = true;
    mj_csess_leave(&b->sess);
    if (mj_csess_ended(&b->sess)) b->loop.stop = true;
}

static void on_state(mj_csess *s)
{
    mj_bot_run *b = s->user;
    switch ((enum mj_csess_state)s->state) {
    case MJ_CSESS_CONNECTED:
        mj_loop_timer_stop(&b->loop, &b->deadline);
        b->started = true;
        if (b->hooks->on_connected(b, s) != 0) mj_bot_finish(b, 1);
        break;
    case MJ_CSESS_FAILED:
        fprintf(stderr, "majlis bot: %s\n", s->error);
        if (b->hooks->before_leave) b->hooks->before_leave(b);
        b->rc = 1;
        b->loop.stop = true;
        break;
    case MJ_CSESS_DONE: b->loop.stop = true; break;
    default: break;
    }
}

static void on_rtp(mj_csess *s, uint8_t *pkt, size_t len, const mj_rx_time *at)
{
    mj_bot_run *b = s->user;
    if (b->hooks->on_rtp) b->hooks->on_rtp(b, pkt, len, at);
}

static void on_tick(mj_loop *l, mj_timer *t)
{
    (void)l;
    mj_bot_run *b = t->ctx;
    b->hooks->on_tick(b);
}

static void on_deadline(mj_loop *l, mj_timer *t)
{
    mj_bot_run *b = t->ctx;
    if (b->finishing) {
        fprintf(stderr, "majlis bot: the server did not answer the DELETE in time\n");
        l->stop = true;
        return;
    }
    fprintf(stderr, "majlis bot: could not connect to the room in %d s\n",
            (int)(CONNECT_MAX / MJ_SEC(1)));
    mj_bot_finish(b, 1);
}

static void on_signal(mj_loop *l, int signo)
{
    (void)signo;
    mj_bot_run *b = l->ctx;
    if (b->finishing) {
        l->stop = true; /* a second Ctrl-C: do not wait for the DELETE */
        return;
    }
    mj_bot_note(b, "stopping");
    mj_bot_finish(b, 0);
}

static const mj_csess_ops bot_ops = {.on_state = on_state, .on_rtp = on_rtp};

int mj_bot_run_main(mj_bot_run *b, const char *url, const char *room, const char *token, bool tcp,
                    bool listen, unsigned nslots)
{
    const char *why = "?";
    mj_client_config cc = {.url = url, .room = room, .tcp = tcp};
    b->rc = 1;
    if (mj_loop_init(&b->loop) != 0) return 1;
    b->loop.ctx = b;
    b->loop.on_signal = on_signal;
    if (mj_loop_catch_signals(&b->loop) != 0 || mj_client_new(&b->loop, &cc, &b->cl, &why) != 0) {
        fprintf(stderr, "majlis bot: %s\n", why);
        return 1;
    }
    mj_timer_init(&b->tick, on_tick, b);
    mj_timer_init(&b->deadline, on_deadline, b);
    if (mj_csess_start(&b->sess, b->cl, listen, nslots, token, &bot_ops, b) != 0) {
        fprintf(stderr, "majlis bot: %s\n", b->sess.error);
        return 1;
    }
    if (mj_loop_timer_set(&b->loop, &b->deadline, mj_loop_now(&b->loop) + CONNECT_MAX) != 0)
        return 1;
    b->rc = 0;
    mj_loop_run(&b->loop);
    return b->rc;
}

void mj_bot_run_dispose(mj_bot_run *b)
{
    mj_csess_dispose(&b->sess);
    mj_client_free(b->cl);
    b->cl = NULL;
    if (b->loop.epfd > 0) mj_loop_dispose(&b->loop);
}
