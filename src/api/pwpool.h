/* Passphrase hashing off the control thread.
 *
 * argon2id (libsodium crypto_pwhash, INTERACTIVE limits: about 0.1 s and
 * 64 MiB per hash) would stall the control plane, which also answers WHIP
 * and WHEP, so a few threads do it. A handler fills a job (usually embedded
 * in a bigger struct of its own), defers its HTTP request and submits the
 * job; a pool thread hashes or verifies, then wakes the control loop; the
 * control thread takes finished jobs back and completes them.
 *
 * Ownership: submit hands the job to the pool; mj_pw_pool_take hands it
 * back. Pool threads touch only the job's own bytes: they never see the
 * store, the HTTP layer or any other shared state, so the store stays
 * single-threaded (every SQL statement runs on the control thread).
 * Passphrases in a job are wiped as soon as the work is done. */
#ifndef MJ_API_PWPOOL_H
#define MJ_API_PWPOOL_H

#include "api/names.h"
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
    mj_pw_job *next; /* the pool's */
    mj_pw_op op;
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t pass_len;
    char new_pass[MJ_PASS_MAX_BYTES + 1];
    size_t new_pass_len;
    char stored[MJ_PASS_HASH_MAX];
    /* results */
    char fresh[MJ_PASS_HASH_MAX];
    bool ran;      /* false when the pool stopped first */
    bool verified; /* VERIFY*: the passphrase matched */
    bool hashed;   /* HASH, VERIFY_THEN_HASH: fresh holds a new hash */
    /* for the submitter */
    uint64_t http; /* deferred request handle */
    void (*done)(void *ctx, mj_pw_job *job);
};

typedef struct mj_pw_pool mj_pw_pool;

/* wake is called from pool threads after a job finished. */
MJ_MUST_USE int mj_pw_pool_start(int threads, size_t max_pending, void (*wake)(void *ctx),
                                 void *wake_ctx, mj_pw_pool **out);
/* MJ_ELIMIT when max_pending jobs already wait: answer 503. */
MJ_MUST_USE int mj_pw_pool_submit(mj_pw_pool *p, mj_pw_job *job);
/* A finished job, or NULL. Control thread. */
mj_pw_job *mj_pw_pool_take(mj_pw_pool *p);
/* Joins the threads. Jobs never run come back from take() with ran false. */
void mj_pw_pool_stop(mj_pw_pool *p);
void mj_pw_pool_free(mj_pw_pool *p);

/* Wipes the secrets a job holds. */
void mj_pw_job_wipe(mj_pw_job *job);

#endif
