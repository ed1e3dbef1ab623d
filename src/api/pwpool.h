/* Passphrase hashing off the control thread.
 *
 * argon2id (libsodium crypto_pwhash, INTERACTIVE limits: about 0.1 s and
 * 64 MiB per hash) would stall the control plane, which also answers WHIP
 * and WHEP, so a few threads do it. A handler fills a job (usually embedded
 * in a bigger struct of its own), defers its HTTP request and submits the
 * job; a pool thread hashes or verifies, then wakes the control loop; the
 * control thread takes finished jobs back and completes them.
 *
 * Jobs do not wait first come, first served: each names a group (the
 * client's network), groups take turns, a group holds at most a share of
 * the queue, and when the queue is full a job of a smaller group takes the
 * place of the newest waiting job of the largest (base/fairq.h). A flood
 * from one network, or from many addresses of one, then slows only
 * itself. A job pushed out comes back from take() with `evicted` set.
 *
 * Ownership: submit hands the job to the pool; mj_pw_pool_take hands it
 * back. Pool threads touch only the job's own bytes: they never see the
 * store, the HTTP layer or any other shared state, so the store stays
 * single-threaded (every SQL statement runs on the control thread).
 * Passphrases in a job are wiped as soon as the work is done. */
#ifndef MJ_API_PWPOOL_H
#define MJ_API_PWPOOL_H

#include "api/names.h"
#include "base/fairq.h"
#include "store/members.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mj_pw_op {
    MJ_PW_HASH,            /* pass -> fresh */
    MJ_PW_VERIFY,          /* pass against stored; stored "" burns the same time and fails */
    MJ_PW_VERIFY_THEN_HASH /* pass against stored, then new_pass -> fresh */
} mj_pw_op;

typedef struct mj_pw_job mj_pw_job;
struct mj_pw_job {
    mj_pw_job *next;  /* the pool's */
    mj_fairq_item fq; /* the pool's */
    uint64_t group;   /* the submitter's: whose turn the job waits for */
    mj_pw_op op;
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t pass_len;
    char new_pass[MJ_PASS_MAX_BYTES + 1];
    size_t new_pass_len;
    char stored[MJ_PASS_HASH_MAX];
    /* results */
    char fresh[MJ_PASS_HASH_MAX];
    bool ran;      /* false when the pool stopped first, or it was pushed out */
    bool evicted;  /* pushed out of a full queue by another group's job */
    bool verified; /* VERIFY*: the passphrase matched */
    bool hashed;   /* HASH, VERIFY_THEN_HASH: fresh holds a new hash */
    /* for the submitter */
    uint64_t http; /* deferred request handle */
    void (*done)(void *ctx, mj_pw_job *job);
};

typedef struct mj_pw_pool mj_pw_pool;

/* wake is called from pool threads after a job finished (and from
 * submit when it pushed a job out). At most max_pending jobs wait or run,
 * at most max_per_group of one group. */
MJ_MUST_USE int mj_pw_pool_start(int threads, size_t max_pending, size_t max_per_group,
                                 void (*wake)(void *ctx), void *wake_ctx, mj_pw_pool **out);
/* MJ_EAGAIN when the job's group has its share in already (answer 429),
 * MJ_ELIMIT when the queue is full of others' (answer 503). */
MJ_MUST_USE int mj_pw_pool_submit(mj_pw_pool *p, mj_pw_job *job);
/* A finished job, or NULL. Control thread. */
mj_pw_job *mj_pw_pool_take(mj_pw_pool *p);
/* Joins the threads. Jobs never run come back from take() with ran false. */
void mj_pw_pool_stop(mj_pw_pool *p);
void mj_pw_pool_free(mj_pw_pool *p);

/* Wipes the secrets a job holds. */
void mj_pw_job_wipe(mj_pw_job *job);

#endif
