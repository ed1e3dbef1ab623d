/* The members' side of the store: accounts, the invite tree, sessions,
 * follows and blocks, and the administrative actions on them.
 *
 * Like store.h this is an interface without SQLite types, implemented for
 * SQLite by users.c, invites.c, sessions.c, relations.c and admin.c in this
 * folder (schema: migration 2 in migrations.c). Everything a check-then-act
 * needs (redeeming an invite, the invite quota, suspending a branch) runs
 * in one transaction, so two racing requests, or the server and an
 * operator command on the same database, cannot both win.
 *
 * Secrets never reach the store in clear: invite codes and session tokens
 * arrive as SHA-256 hashes, passphrases as argon2id strings. Times are unix
 * seconds passed in by the caller. Used by one thread, like mj_store. */
#ifndef MJ_STORE_MEMBERS_H
#define MJ_STORE_MEMBERS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_HASH_LEN             32   /* SHA-256 of an invite code or a session token */
#define MJ_USER_HANDLE_MAX      20   /* = MJ_HANDLE_MAX */
#define MJ_USER_NAME_MAX        256  /* = MJ_NAME_MAX_BYTES */
#define MJ_USER_BIO_MAX         1024 /* = MJ_BIO_MAX_BYTES */
#define MJ_PASS_HASH_MAX        128  /* = crypto_pwhash_STRBYTES */
#define MJ_SESSION_ID_LEN       16   /* hex; names a session in lists, not a credential */
#define MJ_DEFAULT_INVITE_QUOTA 3

typedef struct mj_user {
    int64_t id;                          /* internal; never shown by the API */
    char handle[MJ_USER_HANDLE_MAX + 1]; /* "" once deleted */
    char display_name[MJ_USER_NAME_MAX + 1];
    char bio[MJ_USER_BIO_MAX + 1];
    int64_t invited_by; /* 0: joined through an operator's invite */
    bool is_admin;
    int invite_quota;
    int64_t created_at;
    int64_t suspended_at; /* 0: not suspended */
    int64_t deleted_at;   /* 0: not deleted */
} mj_user;

static inline bool mj_user_active(const mj_user *u)
{
    return u->suspended_at == 0 && u->deleted_at == 0;
}

/* ---- accounts (users.c) ---- */

typedef enum mj_invite_state {
    MJ_INVITE_OK = 0,
    MJ_INVITE_UNKNOWN,
    MJ_INVITE_EXPIRED,
    MJ_INVITE_USED,    /* every use taken */
    MJ_INVITE_REVOKED, /* withdrawn, or its maker is suspended or deleted */
} mj_invite_state;

typedef struct mj_new_session {
    uint8_t token_hash[MJ_HASH_LEN];
    int64_t expires_at;
    char id[MJ_SESSION_ID_LEN + 1]; /* filled in */
} mj_new_session;

typedef struct mj_new_user {
    uint8_t invite_hash[MJ_HASH_LEN];
    const char *handle; /* canonical (lower case) */
    const char *display_name;
    const char *pass_hash;
    int invite_quota;
} mj_new_user;

/* Redeems the invite, creates the account and its first session, all in
 * one transaction. MJ_EAUTH when the invite cannot be used (*state says
 * why), MJ_EEXIST when the handle is taken or was retired, MJ_EIO. */
MJ_MUST_USE int mj_store_signup(mj_store *s, const mj_new_user *nu, mj_new_session *sess,
                                int64_t now, mj_user *out, mj_invite_state *state);

/* Whether a handle is in use or was retired by a deletion. */
MJ_MUST_USE int mj_store_handle_taken(mj_store *s, const char *handle, bool *taken);
/* MJ_ENOTFOUND when there is no such account (deleted ones have no
 * handle and are never found by it). */
MJ_MUST_USE int mj_store_user_by_handle(mj_store *s, const char *handle, mj_user *out);
MJ_MUST_USE int mj_store_user_by_id(mj_store *s, int64_t id, mj_user *out);
/* The argon2id string of an account that may log in (not deleted). */
MJ_MUST_USE int mj_store_user_pass_hash(mj_store *s, int64_t id, char out[MJ_PASS_HASH_MAX]);
/* Replaces the passphrase hash and ends every session but keep_session
 * (may be NULL). */
MJ_MUST_USE int mj_store_user_set_pass(mj_store *s, int64_t id, const char *pass_hash,
                                       const char *keep_session);
/* NULL leaves a field as it is. */
MJ_MUST_USE int mj_store_user_update_profile(mj_store *s, int64_t id, const char *display_name,
                                             const char *bio);
/* Deletes an account: name, bio, passphrase, sessions, follows, blocks
 * and unused invites go; the row stays as an anonymous node of the invite
 * tree, and a hash of the handle stays so nobody can take it over. */
MJ_MUST_USE int mj_store_user_delete(mj_store *s, int64_t id, int64_t now);
/* Accounts in all, deleted ones included. */
MJ_MUST_USE int mj_store_user_count(mj_store *s, int64_t *count);

/* ---- invites (invites.c) ---- */

/* SHA-256 of an invite code or a session token: what the store keeps. */
void mj_store_hash_secret(const void *secret, size_t len, uint8_t out[MJ_HASH_LEN]);

typedef struct mj_invite {
    int64_t id;
    int64_t created_by; /* 0: an operator */
    int max_uses, uses;
    bool grants_admin;
    int64_t created_at, expires_at, revoked_at;
} mj_invite;

/* Creates an invite and returns its code (base64url, 22 characters; shown
 * this once, only its hash is kept). creator 0 is an operator: no quota.
 * A member's invite must fit in their quota (see docs/api.md): MJ_ELIMIT
 * otherwise. Admins have no quota. */
MJ_MUST_USE int mj_store_invite_create(mj_store *s, int64_t creator, int max_uses, int64_t ttl_s,
                                       bool grants_admin, int64_t now, char code[32],
                                       mj_invite *out);
/* State of the invite with this code hash, and the invite itself when it
 * exists. */
MJ_MUST_USE int mj_store_invite_check(mj_store *s, const uint8_t hash[MJ_HASH_LEN], int64_t now,
                                      mj_invite *out, mj_invite_state *state);
/* Seats of a member's quota in use: uses taken plus uses still open on
 * live invites. */
MJ_MUST_USE int mj_store_invite_seats(mj_store *s, int64_t creator, int64_t now, int *used);
/* A member's invites, newest first: up to cap, those with id < before (0:
 * from the newest). */
MJ_MUST_USE int mj_store_invites_of(mj_store *s, int64_t creator, int64_t before, mj_invite *out,
                                    size_t cap, size_t *n);
/* Withdraws one of creator's invites. MJ_ENOTFOUND if it is not theirs. */
MJ_MUST_USE int mj_store_invite_revoke(mj_store *s, int64_t creator, int64_t id, int64_t now);
/* True when no account and no invite exist yet: a first start. */
MJ_MUST_USE int mj_store_members_empty(mj_store *s, bool *empty);

typedef struct mj_user_brief {
    int64_t cursor;                      /* pass as `before`/`after` to get the next page */
    char handle[MJ_USER_HANDLE_MAX + 1]; /* "" for a deleted account */
    char display_name[MJ_USER_NAME_MAX + 1];
    bool suspended;
} mj_user_brief;

/* Who joined through an invite (at most cap), oldest first. */
MJ_MUST_USE int mj_store_invite_joined(mj_store *s, int64_t invite_id, mj_user_brief *out,
                                       size_t cap, size_t *n);

/* ---- sessions (sessions.c) ---- */

typedef struct mj_session {
    char id[MJ_SESSION_ID_LEN + 1];
    int64_t user_id;
    int64_t created_at, last_seen_at, expires_at;
} mj_session;

MJ_MUST_USE int mj_store_session_create(mj_store *s, int64_t user_id, mj_new_session *sess,
                                        int64_t now);
/* Finds the live session with this token hash and its account. A session
 * idle for idle_s seconds or past its expiry, or whose account is
 * suspended or deleted, is removed and MJ_ENOTFOUND returned. last_seen_at
 * is written at most every refresh_s seconds. */
MJ_MUST_USE int mj_store_session_lookup(mj_store *s, const uint8_t hash[MJ_HASH_LEN], int64_t now,
                                        int64_t idle_s, int64_t refresh_s, mj_session *sess,
                                        mj_user *user);
MJ_MUST_USE int mj_store_sessions_of(mj_store *s, int64_t user_id, mj_session *out, size_t cap,
                                     size_t *n);
/* MJ_ENOTFOUND if user_id has no session with this id. */
MJ_MUST_USE int mj_store_session_delete(mj_store *s, int64_t user_id, const char *id);
/* Removes every expired or idle session. */
MJ_MUST_USE int mj_store_sessions_purge(mj_store *s, int64_t now, int64_t idle_s);

/* ---- follows and blocks (relations.c) ---- */

typedef struct mj_relation {
    bool following;   /* viewer follows the user */
    bool followed_by; /* the user follows viewer */
    bool blocking;    /* viewer blocked the user */
    bool blocked_by;  /* the user blocked viewer */
} mj_relation;

MJ_MUST_USE int mj_store_relation(mj_store *s, int64_t viewer, int64_t user, mj_relation *out);
/* MJ_EAUTH when either has blocked the other. Following twice is fine. */
MJ_MUST_USE int mj_store_follow(mj_store *s, int64_t follower, int64_t followee);
MJ_MUST_USE int mj_store_unfollow(mj_store *s, int64_t follower, int64_t followee);
/* Blocking also ends follows both ways. */
MJ_MUST_USE int mj_store_block(mj_store *s, int64_t blocker, int64_t blocked);
MJ_MUST_USE int mj_store_unblock(mj_store *s, int64_t blocker, int64_t blocked);
/* True when `blocker` has blocked `user` (rooms will ask this). */
MJ_MUST_USE int mj_store_is_blocked(mj_store *s, int64_t blocker, int64_t user, bool *blocked);

/* Followers (followers = true) or followees of user, newest first, as
 * viewer may see them: suspended and deleted accounts and those who
 * blocked viewer are left out. Pages by cursor: before = 0 starts at the
 * newest. */
MJ_MUST_USE int mj_store_follow_list(mj_store *s, int64_t user, bool followers, int64_t viewer,
                                     int64_t before, mj_user_brief *out, size_t cap, size_t *n);
/* Follower and followee counts as anyone may see them (active accounts). */
MJ_MUST_USE int mj_store_follow_counts(mj_store *s, int64_t user, int64_t *followers,
                                       int64_t *following);
/* Accounts viewer has blocked, newest first. */
MJ_MUST_USE int mj_store_block_list(mj_store *s, int64_t viewer, int64_t before, mj_user_brief *out,
                                    size_t cap, size_t *n);

/* ---- administration (admin.c) ---- */

typedef struct mj_subtree_count {
    int64_t accounts; /* the member and everyone below them, deleted included */
    int64_t active;   /* of those, neither suspended nor deleted */
    int64_t suspended;
    bool contains; /* the `actor` passed in is in it */
} mj_subtree_count;

/* Counts the member (and, with subtree, their invite subtree). */
MJ_MUST_USE int mj_store_subtree_count(mj_store *s, int64_t root, bool subtree, int64_t actor,
                                       mj_subtree_count *out);
/* Suspends the member (and, with subtree, everyone they brought in,
 * directly or not) and ends their sessions, in one transaction. *changed:
 * accounts newly suspended. */
MJ_MUST_USE int mj_store_suspend(mj_store *s, int64_t root, bool subtree, int64_t now,
                                 int64_t *changed);
/* Lifts the suspension of the member (or of the whole branch). */
MJ_MUST_USE int mj_store_unsuspend(mj_store *s, int64_t root, bool subtree, int64_t *changed);
MJ_MUST_USE int mj_store_user_set_quota(mj_store *s, int64_t id, int quota);
MJ_MUST_USE int mj_store_user_set_admin(mj_store *s, int64_t id, bool admin);
/* Members (not deleted) whose handle starts with `q` or whose display
 * name contains it, by handle, at most cap: an admin's search. `q` is
 * matched literally (no wildcards). */
MJ_MUST_USE int mj_store_users_search(mj_store *s, const char *q, mj_user_brief *out, size_t cap,
                                      size_t *n);
/* Direct invitees of a member (at most cap), oldest first, after cursor. */
MJ_MUST_USE int mj_store_invitees(mj_store *s, int64_t id, int64_t after, mj_user_brief *out,
                                  size_t cap, size_t *n);

#endif
