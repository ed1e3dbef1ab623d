/* A transport address as the cores see it: family, IP bytes, port. Plain
 * data, no sockets: the I/O shell converts to and from sockaddr. */
#ifndef MJ_BASE_ADDR_H
#define MJ_BASE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_addr {
    uint8_t family; /* 4 or 6; 0 = unset */
    /* The remote end of a TCP connection (ICE-TCP, RFC 6544): the shell
     * frames what goes to it on that connection. Otherwise UDP. The same
     * IP and port over TCP and over UDP are two addresses. */
    bool tcp;
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
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address
 * it carries; anything else is left as it is. */
void mj_addr_unmap(mj_addr *a);

/* A network: an address and how many of its leading bits count. */
typedef struct mj_prefix {
    mj_addr net; /* port unused */
    uint8_t bits;
} mj_prefix;

/* "192.0.2.1" (a /32), "10.0.0.0/8", "::1" (a /128), "fd00::/8". Bits
 * beyond the prefix length must be zero. 0 or MJ_EINVAL. */
int mj_prefix_parse(const char *text, mj_prefix *out);
/* Whether a (unmapped first) is inside p. */
bool mj_prefix_contains(const mj_prefix *p, const mj_addr *a);
/* Copies the first `bits` bits of a's IP into out (whole bytes, the last
 * one masked) and returns how many bytes that is: a key for counting
 * clients by network (an IPv6 /64, an IPv4 /24). */
size_t mj_addr_prefix_bytes(const mj_addr *a, unsigned bits, uint8_t out[16]);

#endif
