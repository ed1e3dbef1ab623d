/* The members API (/api/...): invite-only sign-up, login and sessions,
 * profiles, follows and blocks, invites, and administration. Every
 * endpoint is described in docs/api.md; what is stored, in
 * docs/privacy.md.
 *
 * Runs on the control thread; passphrase hashing runs on a small pool
 * (account_jobs.h) and its requests are answered later through the
 * deferred responses of http.h. */
#ifndef MJ_API_ACCOUNT_H
#define MJ_API_ACCOUNT_H

#include "base/err.h"

#include <stdio.h>

struct mj_server;
typedef struct mj_http_req mj_http_req;

/* Reads the settings (environment, see docs/api.md) and starts the hashing
 * threads. The store must be open. */
MJ_MUST_USE int mj_account_start(struct mj_server *srv);
/* Stops the hashing threads and frees what is left. Before the HTTP layer
 * and the store go. */
void mj_account_stop(struct mj_server *srv);
/* Handles one request under /api/. */
void mj_account_route(struct mj_server *srv, mj_http_req *req);
/* Completes finished hashing jobs; called when the control loop wakes. */
void mj_account_poll(struct mj_server *srv);
/* On the first start (no account, no invite) creates the admin invite and
 * prints its link to out, once. Call when the HTTP port is bound. */
MJ_MUST_USE int mj_account_first_start(struct mj_server *srv, FILE *out);

#endif
