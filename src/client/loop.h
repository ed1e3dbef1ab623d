/* The client's event loop: epoll over file descriptors, a min-heap of
 * timers, and SIGINT/SIGTERM through a signalfd, in one thread. In the
 * spirit of Redis's ae.c, but with a heap (thousands of peers each have a
 * timer) and with every watcher and timer embedded in its owner, libuv
 * style: the loop allocates nothing per watcher.
 *
 * Time is CLOCK_MONOTONIC microseconds (io/clock.h), the same base the
 * sans-IO cores take. mj_loop_now() is read once per turn; call
 * mj_clock_now() where a fresher reading matters (delay measurement).
 *
 * Ownership: the caller owns the mj_loop and every mj_io / mj_timer it
 * registers, and must remove them before freeing their memory. */
#ifndef MJ_CLIENT_LOOP_H
#define MJ_CLIENT_LOOP_H

#include "base/err.h"
#include "base/heap.h"
#include "base/time.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mj_loop mj_loop;
typedef struct mj_io mj_io;
typedef struct mj_timer mj_timer;

/* events: EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP bits. */
typedef void (*mj_io_fn)(mj_loop *l, mj_io *io, uint32_t events);
typedef void (*mj_timer_fn)(mj_loop *l, mj_timer *t);

struct mj_io {
    int fd;
    uint32_t events; /* what is being watched */
    mj_io_fn fn;
    void *ctx;
    bool added;
};

struct mj_timer {
    mj_heap_node node; /* first: the heap hands back node pointers */
    mj_timer_fn fn;
    void *ctx;
};

struct mj_loop {
    int epfd;
    int sigfd; /* -1 unless mj_loop_catch_signals */
    mj_heap timers;
    mj_time now;
    bool stop;
    int signals; /* SIGINT/SIGTERM received so far */
    void (*on_signal)(mj_loop *l, int signo);
    void *ctx;
    mj_io sig_io;
    /* Memory freed at the end of the turn: a watcher removed by a callback
     * may still have an event later in the same epoll batch. */
    void **graveyard;
    uint32_t ngrave, grave_cap;
};

MJ_MUST_USE int mj_loop_init(mj_loop *l);
void mj_loop_dispose(mj_loop *l);

/* Watches io->fd for `events`; a second call changes them. */
MJ_MUST_USE int mj_loop_io_set(mj_loop *l, mj_io *io, int fd, uint32_t events, mj_io_fn fn,
                               void *ctx);
void mj_loop_io_remove(mj_loop *l, mj_io *io);
/* free(p) once the current turn's events are handled (p may hold a
 * removed mj_io). */
void mj_loop_free_later(mj_loop *l, void *p);

static inline void mj_timer_init(mj_timer *t, mj_timer_fn fn, void *ctx)
{
    mj_heap_node_init(&t->node);
    t->fn = fn;
    t->ctx = ctx;
}
/* Arms (or moves) the timer to fire at `at` (absolute). */
MJ_MUST_USE int mj_loop_timer_set(mj_loop *l, mj_timer *t, mj_time at);
void mj_loop_timer_stop(mj_loop *l, mj_timer *t);
static inline bool mj_timer_armed(const mj_timer *t)
{
    return mj_heap_node_queued(&t->node);
}

/* Blocks SIGINT and SIGTERM and delivers them through the loop: each one
 * calls on_signal (set it on the struct) and counts in l->signals. */
MJ_MUST_USE int mj_loop_catch_signals(mj_loop *l);

/* One turn: waits for I/O or the next timer, at most max_wait, then runs
 * the ready watchers and the due timers. */
void mj_loop_turn(mj_loop *l, mj_time max_wait);
/* Turns until l->stop is set. */
void mj_loop_run(mj_loop *l);

static inline mj_time mj_loop_now(const mj_loop *l)
{
    return l->now;
}

#endif
