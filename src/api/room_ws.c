/* The room page's event socket: GET /api/rooms/ID/visits/VISIT/events
 * with the subprotocol majlis.room.v1 (docs/protocol.md). The same rules
 * as the API: a same-origin page, a signed-in member, and the visit must
 * be theirs. A refusal is one error message, then a close with a 44xx
 * code, so the page can tell a lost connection from a refusal. */
#include "api/live.h"
#include "api/resources.h"

#include "io/clock.h"

#include <stdio.h>
#include <string.h>

static void refuse(mj_ws *ws, int close_code, const char *code, const char *message)
{
    char text[300];
    int n = snprintf(text, sizeof text, "{\"type\":\"error\",\"error\":\"%s\",\"message\":\"%s\"}",
                     code, message);
    (void)mj_ws_send_text(ws, text, (size_t)n);
    mj_ws_close(ws, close_code, code);
}

/* "/api/rooms/ROOM/visits/VISIT/events" -> room and visit. */
static bool parse_path(const char *path, char room[MJ_ROOM_ID_LEN + 1],
                       char visit[MJ_MEDIA_RESOURCE_LEN + 1])
{
    static const char head[] = "/api/rooms/", mid[] = "/visits/", tail[] = "/events";
    if (strncmp(path, head, sizeof head - 1) != 0) return false;
    path += sizeof head - 1;
    if (strlen(path) < MJ_ROOM_ID_LEN || strncmp(path + MJ_ROOM_ID_LEN, mid, sizeof mid - 1) != 0)
        return false;
    memcpy(room, path, MJ_ROOM_ID_LEN);
    room[MJ_ROOM_ID_LEN] = '\0';
    path += MJ_ROOM_ID_LEN + sizeof mid - 1;
    if (strlen(path) != MJ_MEDIA_RESOURCE_LEN + sizeof tail - 1 ||
        strcmp(path + MJ_MEDIA_RESOURCE_LEN, tail) != 0)
        return false;
    memcpy(visit, path, MJ_MEDIA_RESOURCE_LEN);
    visit[MJ_MEDIA_RESOURCE_LEN] = '\0';
    return true;
}

static void on_open(void *ctx, mj_ws *ws, mj_http_req *upgrade)
{
    mj_server *srv = ctx;
    char room[MJ_ROOM_ID_LEN + 1], visit[MJ_MEDIA_RESOURCE_LEN + 1];
    if (!parse_path(mj_http_path(upgrade), room, visit)) {
        refuse(ws, 4404, "not_found", "no such event stream");
        return;
    }
    mj_call c;
    memset(&c, 0, sizeof c);
    c.srv = srv;
    c.req = upgrade;
    c.now = mj_clock_unix();
    c.mono = mj_clock_now();
    c.no_reply = true;
    /* Browsers always send Origin on a WebSocket handshake, and any page
     * may open one to any site: the cookie alone proves nothing. */
    if (!mj_call_same_origin(&c)) {
        refuse(ws, 4403, "cross_origin", "event sockets must come from this site");
        return;
    }
    int err = mj_call_authenticate(&c);
    /* Knocking with dead cookies counts against the address, sockets of a
     * session against the session, as for the rest of the API. */
    bool within = err ? mj_call_limit_address(&c, MJ_LIMIT_API_ADDRESS)
                      : mj_call_limit(&c, MJ_LIMIT_API_SESSION, c.session.id, strlen(c.session.id));
    if (!within) {
        refuse(ws, 4429, "rate_limited", "too many requests; try again later");
        return;
    }
    if (err) {
        refuse(ws, 4401, err == MJ_ENOTFOUND ? "unauthorized" : "internal",
               err == MJ_ENOTFOUND ? "sign in first" : "something went wrong on the server");
        return;
    }
    mj_live_room *lr = mj_live_get(srv->live, room);
    if (!lr) {
        refuse(ws, 4410, "room_ended", "this room has ended");
        return;
    }
    if (mj_live_socket_attach(lr, visit, c.me.id, ws) != 0)
        refuse(ws, 4404, "no_visit", "this visit is over; enter the room again");
}

static void on_message(void *ctx, mj_ws *ws, const uint8_t *data, size_t len)
{
    (void)ctx;
    /* Pages only listen; actions are HTTP requests. A ping is answered so
     * a page can measure that its socket still works. */
    if (len == 15 && memcmp(data, "{\"type\":\"ping\"}", 15) == 0)
        (void)mj_ws_send_text(ws, "{\"type\":\"pong\"}", 15);
}

static void on_closed(void *ctx, mj_ws *ws, int code)
{
    (void)ctx;
    mj_live_socket_closed(ws, code);
}

mj_ws_handler mj_room_ws_handler(mj_server *srv)
{
    mj_ws_handler h = {
        .protocol = MJ_LIVE_WS_PROTOCOL,
        .open = on_open,
        .message = on_message,
        .closed = on_closed,
        .ctx = srv,
        .max_message = 1024,
        .max_queued = 4 << 20,
    };
    return h;
}
