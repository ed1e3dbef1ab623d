/* Where the load generator may send: only to this machine. A target is
 * allowed when it is a loopback address (127.0.0.0/8, ::1) or an address
 * assigned to an interface of the current network namespace (getifaddrs),
 * as in a test's own namespace. Checked for the URL's host before any
 * request and for every media address the server's answers name, so a
 * server announcing some other address cannot point the load elsewhere. */
#ifndef MJ_CLIENT_TARGET_H
#define MJ_CLIENT_TARGET_H

#include "base/addr.h"
#include "base/err.h"
#include "io/localaddr.h"

#include <stdbool.h>
#include <stddef.h>

/* Resolves the host of an http(s) URL: 0 when every address it resolves
 * to is local; MJ_EAUTH when one is not, MJ_EINVAL when the host cannot be
 * read or resolved, with a sentence in why. */
MJ_MUST_USE int mj_target_check_url(const char *url, mj_local_set *l, char *why, size_t cap);

#endif
