/* Internals of rtc/srtp that its tests check against published vectors.
 * Not for other modules. */
#ifndef MJ_RTC_SRTP_INTERNAL_H
#define MJ_RTC_SRTP_INTERNAL_H

#include "rtc/srtp.h"

/* RFC 3711 section 4.3.1 with key_derivation_rate 0: n bytes of the AES-CM
 * PRF under the master key (16 or 32 bytes) for one label (0..5). A 12-byte
 * master salt is used as its 14-byte form times 2^16 (RFC 7714 erratum
 * 4938). */
MJ_MUST_USE int mj_srtp_kdf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt,
                            size_t salt_len, uint8_t label, uint8_t *out, size_t n);

/* Sets up s with both directions using the given session keys as they are
 * (SRTP and SRTCP alike), skipping key derivation: the published packet
 * vectors are given that way. auth_key is 20 bytes for AES-CM profiles and
 * NULL for AES-GCM. */
MJ_MUST_USE int mj_srtp_init_session(mj_srtp *s, int profile, const uint8_t *key,
                                     const uint8_t *salt, const uint8_t *auth_key);

/* The rollover counter of one SSRC's stream, sent (inbound false) or
 * received; -1 when the context has no such stream. */
long long mj_srtp_stream_roc(const mj_srtp *s, bool inbound, uint32_t ssrc);

#endif
