#include "api/pwpool.h"

#include "base/log.h"

#include <pthread.h>
#include <stddef.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct mj_pw_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mj_fairq todo; /* waiting, running, and finished until taken */
    mj_pw_job *done_head, *done_tail;
    bool stopping;
    pthread_t *threads;
    int nthreads;
    void (*wake)(void *ctx);
    void *wake_ctx;
};

static void push(mj_pw_job **head, mj_pw_job **tail, mj_pw_job *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

static mj_pw_job *job_of(mj_fairq_item *it)
{
    return it ? (mj_pw_job *)((char *)it - offsetof(mj_pw_job, fq)) : NULL;
}

static mj_pw_job *pop(mj_pw_job **head, mj_pw_job **tail)
{
    mj_pw_job *job = *head;
    if (job) {
        *head = job->next;
        if (!*head) *tail = NULL;
        job->next = NULL;
    }
    return job;
}

void mj_pw_job_wipe(mj_pw_job *job)
{
    sodium_memzero(job->pass, sizeof job->pass);
    sodium_memzero(job->new_pass, sizeof job->new_pass);
    job->pass_len = job->new_pass_len = 0;
}

static bool hash_into(char out[MJ_PASS_HASH_MAX], const char *pass, size_t len)
{
    return crypto_pwhash_str(out, pass, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

static void run(mj_pw_job *job)
{
    if (job->op == MJ_PW_HASH) {
        job->hashed = hash_into(job->fresh, job->pass, job->pass_len);
    } else if (job->stored[0]) {
        job->verified = crypto_pwhash_str_verify(job->stored, job->pass, job->pass_len) == 0;
    } else {
        /* No such account: spend the same time as a real check, so that
         * timing does not tell which handles exist. */
        char scratch[MJ_PASS_HASH_MAX];
        (void)hash_into(scratch, job->pass, job->pass_len);
        sodium_memzero(scratch, sizeof scratch);
        job->verified = false;
    }
    if (job->op == MJ_PW_VERIFY_THEN_HASH && job->verified)
        job->hashed = hash_into(job->fresh, job->new_pass, job->new_pass_len);
    job->ran = true;
    mj_pw_job_wipe(job);
}

static void *thread_main(void *arg)
{
    mj_pw_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        mj_pw_job *job = NULL;
        while (!p->stopping && !(job = job_of(mj_fairq_pop(&p->todo))))
            pthread_cond_wait(&p->cond, &p->lock);
        if (!job) break; /* stopping */
        pthread_mutex_unlock(&p->lock);
        run(job);
        pthread_mutex_lock(&p->lock);
        push(&p->done_head, &p->done_tail, job);
        pthread_mutex_unlock(&p->lock);
        p->wake(p->wake_ctx);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int mj_pw_pool_start(int threads, size_t max_pending, size_t max_per_group, void (*wake)(void *ctx),
                     void *wake_ctx, mj_pw_pool **out)
{
    mj_pw_pool *p = calloc(1, sizeof *p);
    if (!p) return MJ_ENOMEM;
    p->threads = calloc(threads > 0 ? (size_t)threads : 1, sizeof *p->threads);
    if (!p->threads || mj_fairq_init(&p->todo, max_pending, max_per_group) != 0) {
        free(p->threads);
        free(p);
        return MJ_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->wake = wake;
    p->wake_ctx = wake_ctx;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, thread_main, p) != 0) {
            mj_pw_pool_stop(p);
            mj_pw_pool_free(p);
            return MJ_EIO;
        }
        p->nthreads++;
    }
    *out = p;
    return 0;
}

int mj_pw_pool_submit(mj_pw_pool *p, mj_pw_job *job)
{
    job->ran = job->verified = job->hashed = job->evicted = false;
    job->fq.group = job->group;
    pthread_mutex_lock(&p->lock);
    mj_fairq_item *out = NULL;
    int err = p->stopping ? MJ_ELIMIT : mj_fairq_push(&p->todo, &job->fq, &out);
    mj_pw_job *gone = job_of(out);
    if (gone) {
        /* It never ran: its owner answers "busy", as if it came too late. */
        gone->evicted = true;
        mj_pw_job_wipe(gone);
        push(&p->done_head, &p->done_tail, gone);
    }
    if (!err) pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (gone) p->wake(p->wake_ctx);
    return err;
}

mj_pw_job *mj_pw_pool_take(mj_pw_pool *p)
{
    pthread_mutex_lock(&p->lock);
    mj_pw_job *job = pop(&p->done_head, &p->done_tail);
    /* A finished job holds its place until taken, so that the queue's
     * bounds count what the control thread has yet to answer; those that
     * never ran left the queue already. */
    if (job && job->ran) mj_fairq_done(&p->todo, &job->fq);
    pthread_mutex_unlock(&p->lock);
    return job;
}

void mj_pw_pool_stop(mj_pw_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    p->nthreads = 0;
    /* What never ran goes back through take(), so its owner frees it. */
    mj_pw_job *job;
    while ((job = job_of(mj_fairq_pop(&p->todo)))) {
        mj_fairq_done(&p->todo, &job->fq);
        mj_pw_job_wipe(job);
        push(&p->done_head, &p->done_tail, job);
    }
}

void mj_pw_pool_free(mj_pw_pool *p)
{
    if (!p) return;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    mj_fairq_dispose(&p->todo);
    free(p->threads);
    free(p);
}
