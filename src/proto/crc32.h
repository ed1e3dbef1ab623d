/* CRC-32 as used by STUN's FINGERPRINT attribute (RFC 8489 §14.7): the
 * ISO-HDLC / zlib polynomial 0x04C11DB7, reflected, initial value and final
 * xor 0xFFFFFFFF. A plain table-driven byte loop: STUN messages are a few
 * hundred bytes and arrive a few times a second per peer. */
#ifndef MJ_PROTO_CRC32_H
#define MJ_PROTO_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of n bytes. mj_crc32("123456789", 9) == 0xCBF43926. */
uint32_t mj_crc32(const void *p, size_t n);

/* Continues a CRC: mj_crc32_update(mj_crc32(a, na), b, nb) is the CRC of a
 * followed by b. Start from 0 for an empty prefix. */
uint32_t mj_crc32_update(uint32_t crc, const void *p, size_t n);

#endif
