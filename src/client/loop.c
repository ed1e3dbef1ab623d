#include "client/loop.h"

#include "base/log.h"
#include "io/clock.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_EVENTS      256
#define TIMERS_PER_TURN 4096 /* then I/O gets a turn again */

int mj_loop_init(mj_loop *l)
{
    memset(l, 0, sizeof *l);
    l->sigfd = -1;
    mj_heap_init(&l->timers);
    l->now = mj_clock_now();
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    return l->epfd < 0 ? MJ_EIO : 0;
}

void mj_loop_dispose(mj_loop *l)
{
    if (l->sigfd >= 0) {
        mj_loop_io_remove(l, &l->sig_io);
        close(l->sigfd);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    }
    if (l->epfd >= 0) close(l->epfd);
    mj_heap_dispose(&l->timers);
    for (uint32_t i = 0; i < l->ngrave; i++)
        free(l->graveyard[i]);
    free(l->graveyard);
    l->graveyard = NULL;
    l->ngrave = l->grave_cap = 0;
    l->epfd = l->sigfd = -1;
}

int mj_loop_io_set(mj_loop *l, mj_io *io, int fd, uint32_t events, mj_io_fn fn, void *ctx)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};
    int op = io->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (io->added && io->fd != fd) {
        mj_loop_io_remove(l, io);
        op = EPOLL_CTL_ADD;
    }
    io->fd = fd;
    io->fn = fn;
    io->ctx = ctx;
    if (io->added && io->events == events) return 0;
    if (epoll_ctl(l->epfd, op, fd, &ev) != 0) return MJ_EIO;
    io->events = events;
    io->added = true;
    return 0;
}

void mj_loop_io_remove(mj_loop *l, mj_io *io)
{
    if (!io->added) return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->added = false;
    io->events = 0;
}

void mj_loop_free_later(mj_loop *l, void *p)
{
    if (l->ngrave == l->grave_cap) {
        uint32_t cap = l->grave_cap ? l->grave_cap * 2 : 16;
        void **g = realloc(l->graveyard, cap * sizeof *g);
        if (!g) {
            /* Leaking beats a use after free. */
            mj_warn("event loop: out of memory");
            return;
        }
        l->graveyard = g;
        l->grave_cap = cap;
    }
    l->graveyard[l->ngrave++] = p;
}

static void bury(mj_loop *l)
{
    for (uint32_t i = 0; i < l->ngrave; i++)
        free(l->graveyard[i]);
    l->ngrave = 0;
}

int mj_loop_timer_set(mj_loop *l, mj_timer *t, mj_time at)
{
    return mj_heap_set(&l->timers, &t->node, at);
}

void mj_loop_timer_stop(mj_loop *l, mj_timer *t)
{
    if (mj_heap_node_queued(&t->node)) mj_heap_remove(&l->timers, &t->node);
}

static void on_signalfd(mj_loop *l, mj_io *io, uint32_t events)
{
    struct signalfd_siginfo si;
    while (read(io->fd, &si, sizeof si) == (ssize_t)sizeof si) {
        l->signals++;
        if (l->on_signal)
            l->on_signal(l, (int)si.ssi_signo);
        else
            l->stop = true;
    }
}

int mj_loop_catch_signals(mj_loop *l)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return MJ_EIO;
    l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (l->sigfd < 0) return MJ_EIO;
    return mj_loop_io_set(l, &l->sig_io, l->sigfd, EPOLLIN, on_signalfd, NULL);
}

static void run_timers(mj_loop *l)
{
    for (int i = 0; i < TIMERS_PER_TURN; i++) {
        mj_heap_node *n = mj_heap_peek(&l->timers);
        if (!n || n->at > l->now) return;
        mj_heap_remove(&l->timers, n);
        mj_timer *t = (mj_timer *)n; /* node is the first member */
        t->fn(l, t);
    }
}

void mj_loop_turn(mj_loop *l, mj_time max_wait)
{
    l->now = mj_clock_now();
    mj_time wake = l->now + max_wait;
    mj_heap_node *n = mj_heap_peek(&l->timers);
    if (n && n->at < wake) wake = n->at;
    int timeout_ms = wake <= l->now ? 0 : (int)((wake - l->now + 999) / 1000);
    struct epoll_event evs[MAX_EVENTS];
    int k = epoll_wait(l->epfd, evs, MAX_EVENTS, timeout_ms);
    if (k < 0 && errno != EINTR) {
        mj_error("event loop: epoll_wait: %s", strerror(errno));
        l->stop = true;
        return;
    }
    l->now = mj_clock_now();
    for (int i = 0; i < k; i++) {
        mj_io *io = evs[i].data.ptr;
        /* A callback earlier in this batch may have removed it. */
        if (io->added) io->fn(l, io, evs[i].events);
    }
    bury(l);
    l->now = mj_clock_now();
    run_timers(l);
    bury(l);
}

void mj_loop_run(mj_loop *l)
{
    while (!l->stop)
        mj_loop_turn(l, MJ_SEC(1));
}
