/* Test keys for src/rtc/srtp: two mirrored random key sets for a profile
 * (a's local is b's remote), as the two ends of one DTLS-SRTP
 * association would hold them. Header-only, for the SRTP tests. */
#ifndef MJ_TESTS_SRTP_KEYS_H
#define MJ_TESTS_SRTP_KEYS_H

#include "test.h"

#include "base/rand.h"
#include "rtc/srtp.h"

static void keys_pair(int profile, mj_srtp_keys *a, mj_srtp_keys *b)
{
    size_t kl = 0, sl = 0;
    if (mj_srtp_profile_lengths(profile, &kl, &sl) != 0) MJ_TEST_FAIL("profile %d", profile);
    memset(a, 0, sizeof *a);
    a->profile = (uint16_t)profile;
    a->key_len = (uint8_t)kl;
    a->salt_len = (uint8_t)sl;
    mj_rand_bytes(a->local_key, kl);
    mj_rand_bytes(a->local_salt, sl);
    mj_rand_bytes(a->remote_key, kl);
    mj_rand_bytes(a->remote_salt, sl);
    *b = *a;
    memcpy(b->local_key, a->remote_key, kl);
    memcpy(b->local_salt, a->remote_salt, sl);
    memcpy(b->remote_key, a->local_key, kl);
    memcpy(b->remote_salt, a->local_salt, sl);
}

#endif
