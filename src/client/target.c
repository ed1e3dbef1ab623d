#include "client/target.h"

#include "io/clock.h"
#include "io/sockaddr.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int mj_target_check_url(const char *url, mj_local_set *l, char *why, size_t cap)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int err = MJ_EINVAL;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, cap, "cannot read the host in %s", url);
        goto out;
    }
    /* IPv6 literals come back in brackets. */
    char name[256];
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
        snprintf(name, sizeof name, "%.*s", (int)(hl - 2), host + 1);
    else
        snprintf(name, sizeof name, "%s", host);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
        snprintf(why, cap, "cannot resolve %s", name);
        goto out;
    }
    err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen < sizeof ss ? ai->ai_addrlen : sizeof ss);
        mj_addr a;
        if (mj_sockaddr_to_addr(&ss, &a) != 0 || !mj_local_set_has(l, &a, mj_clock_now())) {
            char ip[MJ_ADDR_STRLEN] = "?";
            if (a.family) mj_addr_ip_str(&a, ip);
            snprintf(why, cap,
                     "%s (%s) is not a loopback address or an address of this machine's network "
                     "namespace; the load generator only targets those",
                     name, ip);
            err = MJ_EAUTH;
            break;
        }
    }
    freeaddrinfo(res);
out:
    curl_free(host);
    curl_url_cleanup(u);
    return err;
}
