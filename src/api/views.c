/* JSON views of members, as the API shows them to other members. */
#include "api/call.h"

#include "api/names.h"

json_t *mj_json_avatar(const char *handle, const char *display_name)
{
    char initials[MJ_INITIALS_MAX];
    mj_initials(display_name, initials);
    return json_pack("{s:s, s:i}", "initials", initials, "hue", mj_avatar_hue(handle));
}

json_t *mj_json_user_brief(const char *handle, const char *display_name)
{
    if (!handle[0]) return json_pack("{s:n, s:n, s:b}", "handle", "display_name", "deleted", 1);
    return json_pack("{s:s, s:s, s:o}", "handle", handle, "display_name", display_name, "avatar",
                     mj_json_avatar(handle, display_name));
}

json_t *mj_json_brief_list(const mj_user_brief *list, size_t n, size_t cap)
{
    json_t *users = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *b = mj_json_user_brief(list[i].handle, list[i].display_name);
        if (list[i].suspended && list[i].handle[0])
            json_object_set_new(b, "suspended", json_true());
        json_array_append_new(users, b);
    }
    json_t *next = n == cap && n ? json_integer(list[n - 1].cursor) : json_null();
    return json_pack("{s:o, s:o}", "users", users, "next", next);
}

json_t *mj_json_user_public(const mj_user *u)
{
    json_t *o = mj_json_user_brief(u->handle, u->display_name);
    if (o && u->handle[0]) json_object_set_new(o, "bio", json_string(u->bio));
    return o;
}
