/* The handlers of the API, one file per resource. Each takes an mj_call
 * that the router (router.c) has checked (origin, sign-in, limits) and
 * answers it, now or later (the hashing pool). docs/api.md describes every
 * endpoint. */
#ifndef MJ_API_RESOURCES_H
#define MJ_API_RESOURCES_H

#include "api/call.h"

/* auth.c: sign-up, sign-in and out, and what needs the passphrase again */
void mj_api_signup(mj_call *c);
void mj_api_login(mj_call *c);
void mj_api_logout(mj_call *c);
void mj_api_me_delete(mj_call *c);
void mj_api_me_passphrase(mj_call *c);

/* me.c: the signed-in member's own account and sessions */
json_t *mj_json_me(mj_server *srv, const mj_user *u);
void mj_api_me_get(mj_call *c);
void mj_api_ice_servers(mj_call *c);
void mj_api_me_patch(mj_call *c);
void mj_api_sessions_list(mj_call *c);
void mj_api_session_delete(mj_call *c);

/* users.c: profiles, follows and blocks */
void mj_api_user_get(mj_call *c);
void mj_api_follow(mj_call *c);
void mj_api_unfollow(mj_call *c);
void mj_api_followers(mj_call *c);
void mj_api_following(mj_call *c);
void mj_api_block(mj_call *c);
void mj_api_unblock(mj_call *c);
void mj_api_blocks_list(mj_call *c);

/* invites.c */
void mj_invite_error(mj_http_req *req, mj_invite_state state);
void mj_api_invites_list(mj_call *c);
void mj_api_invites_create(mj_call *c);
void mj_api_invite_check(mj_call *c);
void mj_api_invite_revoke(mj_call *c);

/* admin.c: looking after the community */
void mj_api_admin_search(mj_call *c);
void mj_api_admin_user(mj_call *c);
void mj_api_admin_subtree(mj_call *c);
void mj_api_admin_suspend(mj_call *c);
void mj_api_admin_unsuspend(mj_call *c);
void mj_api_admin_patch(mj_call *c);

/* rooms.c: rooms and their stage */
void mj_api_rooms_create(mj_call *c);
void mj_api_room_get(mj_call *c);
void mj_api_room_patch(mj_call *c);
void mj_api_room_enter(mj_call *c);
void mj_api_visit_delete(mj_call *c);
void mj_api_room_leave(mj_call *c);
void mj_api_room_hand(mj_call *c);
void mj_api_room_invitation(mj_call *c);
void mj_api_room_mute(mj_call *c);
void mj_api_room_step_down(mj_call *c);
void mj_api_room_end(mj_call *c);
void mj_api_room_allow(mj_call *c);
void mj_api_room_token(mj_call *c);
void mj_api_person_invite(mj_call *c);
void mj_api_person_audience(mj_call *c);
void mj_api_person_mute(mj_call *c);
void mj_api_person_make_mod(mj_call *c);
void mj_api_person_unmake_mod(mj_call *c);
void mj_api_person_remove(mj_call *c);

/* schedules.c: the hallway over HTTP, and scheduled rooms */
void mj_api_hallway(mj_call *c);
void mj_api_schedules_create(mj_call *c);
void mj_api_schedules_list(mj_call *c);
void mj_api_schedule_delete(mj_call *c);
void mj_api_schedule_start(mj_call *c);

/* room_ws.c: the room page's event socket */
mj_ws_handler mj_room_ws_handler(mj_server *srv);

/* media.c: WHIP (/whip/ROOM[/SESSION]) and WHEP (/whep/...), authorized
 * by room tokens rather than the session cookie; `rest` is the path after
 * the prefix. */
void mj_media_route(mj_server *srv, mj_http_req *req, bool whep, const char *rest);

/* status.c: /healthz and /metrics */
void mj_status_health(mj_server *srv, mj_http_req *req);
void mj_status_metrics(mj_server *srv, mj_http_req *req);

#endif
