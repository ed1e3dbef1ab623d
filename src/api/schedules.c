/* The hallway over HTTP, and scheduled rooms: announcing one, seeing what
 * is coming, cancelling, and starting it (docs/api.md, "The hallway"). */
#include "api/hallway.h"
#include "api/resources.h"

#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mj_api_hallway(mj_call *c)
{
    json_t *o = mj_hallway_json(c->srv->live, &c->me);
    if (!o) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, o);
}

void mj_api_schedules_create(mj_call *c)
{
    mj_schedule_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    if (mj_schedule_req_parse(body, len, c->now, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_schedule in = {.host = c->me.id, .kind = r.kind, .starts_at = r.starts_at}, sc;
    memcpy(in.title, r.title, sizeof r.title);
    int err = mj_store_schedule_create(c->srv->store, &in, c->now, &sc);
    if (err == MJ_ELIMIT) {
        mj_call_error(c, 409, "too_many_schedules", "you have announced as many rooms as one may");
        return;
    }
    if (err) {
        mj_call_internal(c);
        return;
    }
    mj_hallway_schedule(c->srv->live, &sc, true);
    mj_http_respond_json(c->req, 201,
                         json_pack("{s:o}", "schedule", mj_schedule_json(c->srv, &sc, c->me.id)));
}

void mj_api_schedules_list(mj_call *c)
{
    mj_schedule *list = malloc(MJ_LIST_MAX * sizeof *list);
    size_t n = 0;
    if (!list ||
        mj_store_schedules_for(c->srv->store, c->me.id, c->now, 3600, list, MJ_LIST_MAX, &n) != 0) {
        free(list);
        mj_call_internal(c);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, mj_schedule_json(c->srv, &list[i], c->me.id));
    free(list);
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "schedules", arr));
}

/* The caller's own announcement that c->arg names; answers otherwise. */
static bool mine(mj_call *c, mj_schedule *sc)
{
    char *end;
    long long id = strtoll(c->arg, &end, 10);
    int err = *end || id <= 0 ? MJ_ENOTFOUND : mj_store_schedule_get(c->srv->store, id, sc);
    if (!err && sc->host != c->me.id)
        err = MJ_ENOTFOUND; /* others' plans are not yours to change */
    if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such announcement of yours");
    else if (err)
        mj_call_internal(c);
    return err == 0;
}

void mj_api_schedule_delete(mj_call *c)
{
    mj_schedule sc;
    if (!mine(c, &sc)) return;
    if (mj_store_schedule_delete(c->srv->store, sc.id, c->me.id) != 0) {
        mj_call_internal(c);
        return;
    }
    mj_hallway_schedule(c->srv->live, &sc, false);
    mj_http_respond(c->req, 204, NULL, NULL, 0);
}

void mj_api_schedule_start(mj_call *c)
{
    mj_schedule sc;
    if (!mine(c, &sc)) return;
    mj_new_room nr = {.title = sc.title,
                      .kind = sc.kind,
                      .created_by = c->me.id,
                      .max_hosted = c->srv->cfg.max_hosted};
    mj_room_rec rec;
    int err = mj_store_room_create(c->srv->store, &nr, c->now, &rec);
    if (err == MJ_ELIMIT) {
        mj_call_error(c, 409, "too_many_rooms", "you host as many live rooms as one may; end one");
        return;
    }
    mj_live_room *lr = NULL;
    if (!err) err = mj_live_add(c->srv->live, &rec, &lr);
    if (!err) err = mj_store_schedule_delete(c->srv->store, sc.id, c->me.id);
    if (err) {
        mj_call_internal(c);
        return;
    }
    mj_hallway_schedule(c->srv->live, &sc, false);
    mj_info("rooms: member %lld started announced room %s", (long long)c->me.id, rec.id);
    char location[64];
    snprintf(location, sizeof location, "/api/rooms/%s", rec.id);
    mj_http_add_header(c->req, "location", location);
    mj_http_respond_json(c->req, 201,
                         json_pack("{s:o, s:n}", "room", mj_live_room_json(lr), "you"));
}
