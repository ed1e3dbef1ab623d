#include "client/target.h"

#include "io/sockaddr.h"

#include <curl/curl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int mj_local_addrs_load(mj_local_addrs *out)
{
    memset(out, 0, sizeof *out);
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0) return MJ_EIO;
    for (struct ifaddrs *i = ifs; i && out->n < MJ_LOCAL_ADDRS_MAX; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        int fam = i->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6) continue;
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        memcpy(&ss, i->ifa_addr,
               fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
        mj_addr a;
        if (mj_sockaddr_to_addr(&ss, &a) == 0) {
            a.port = 0;
            out->a[out->n++] = a;
        }
    }
    freeifaddrs(ifs);
    return 0;
}

bool mj_local_addrs_has(const mj_local_addrs *l, const mj_addr *a)
{
    if (mj_addr_is_loopback(a)) return true;
    size_t len = a->family == 4 ? 4 : 16;
    if (a->family != 4 && a->family != 6) return false;
    for (size_t i = 0; i < l->n; i++)
        if (l->a[i].family == a->family && memcmp(l->a[i].ip, a->ip, len) == 0) return true;
    return false;
}

int mj_target_check_url(const char *url, const mj_local_addrs *l, char *why, size_t cap)
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
        if (mj_sockaddr_to_addr(&ss, &a) != 0 || !mj_local_addrs_has(l, &a)) {
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
