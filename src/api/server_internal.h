/* State shared by the server's request handlers (control thread only). */
#ifndef MJ_API_SERVER_INTERNAL_H
#define MJ_API_SERVER_INTERNAL_H

#include "api/http.h"
#include "io/media.h"
#include "api/server.h"
#include "store/store.h"

typedef struct mj_server {
    mj_server_config cfg;
    mj_store *store;
    uint8_t secret[MJ_SECRET_LEN];
    mj_http_server *http;
    mj_media *media;
    struct mj_accounts *accounts; /* the members API (account.h) */
    uint64_t http_requests;
    uint64_t http_status[6]; /* by class: [2] = 2xx ... [5] = 5xx */
} mj_server;

/* routes.c */
void mj_server_handle(void *ctx, mj_http_req *req);
/* whip.c: WHIP (/whip/...) and WHEP (/whep/...) endpoints. `rest` is the
 * path after the prefix. */
void mj_whip_handle(mj_server *srv, mj_http_req *req, bool whep, const char *rest);

#endif
