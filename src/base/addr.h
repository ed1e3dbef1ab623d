/* A transport address as the cores see it: family, IP bytes, port. Plain
 * data, no sockets: the I/O shell converts to and from sockaddr. */
#ifndef MJ_BASE_ADDR_H
#define MJ_BASE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_addr {
    uint8_t family; /* 4 or 6; 0 = unset */
    uint16_t port;  /* host byte order */
    uint8_t ip[16]; /* IPv4 in the first 4 bytes */
} mj_addr;

#define MJ_ADDR_STRLEN 64 /* "[v6]:port" with NUL */

bool mj_addr_eq(const mj_addr *a, const mj_addr *b);
uint64_t mj_addr_hash(const mj_addr *a);
/* "1.2.3.4:5" or "[::1]:5". Returns the buffer. */
const char *mj_addr_str(const mj_addr *a, char buf[MJ_ADDR_STRLEN]);
/* IP only, no port ("1.2.3.4", "::1"), for SDP candidates. */
const char *mj_addr_ip_str(const mj_addr *a, char buf[MJ_ADDR_STRLEN]);
/* Parses an IP literal (no port) into a with the given port. 0 or MJ_EINVAL. */
int mj_addr_parse_ip(const char *ip, uint16_t port, mj_addr *a);
/* Parses "IP:PORT" or "[IPv6]:PORT". 0 or MJ_EINVAL. */
int mj_addr_parse(const char *text, mj_addr *a);
bool mj_addr_is_loopback(const mj_addr *a);

#endif
