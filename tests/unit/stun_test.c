/* Tests for src/proto/stun.c and crc32.c: RFC 5769 vectors, writer round
 * trips, and hostile framing (truncation, bad lengths, late attributes). */
#include "test.h"

#include "proto/crc32.h"
#include "proto/stun.h"

#include <openssl/evp.h>

/* RFC 5769 §2.1: Binding request, short-term credentials, password
 * "VOkJxbRl1RmTxUk/WvJxBt". USERNAME is padded with spaces, not zeros. */
static const uint8_t rfc_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 §2.2: IPv4 success response, mapped 192.0.2.1:32853. */
static const uint8_t rfc_response_v4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 §2.3: IPv6 success response, mapped
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc_response_v6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 §2.4: request with long-term credentials (USERNAME "マトリックス",
 * NONCE, REALM "example.org", MESSAGE-INTEGRITY, no FINGERPRINT). */
static const uint8_t rfc_long_term[] = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72,
    0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88,
    0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00,
    0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
    0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,
    0x41, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72,
    0x67, 0x00, 0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02,
    0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

static const char rfc_pwd[] = "VOkJxbRl1RmTxUk/WvJxBt";
static const uint8_t tid1[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* Parses a heap copy of exactly n bytes so ASan sees any read past it. */
static int parse_copy(const uint8_t *d, size_t n, mj_stun_msg *m, uint8_t **copy)
{
    *copy = malloc(n ? n : 1);
    if (n) memcpy(*copy, d, n);
    return mj_stun_parse(*copy, n, m, NULL);
}

/* Builds a request with every ICE attribute; returns its length. */
static int build_request(uint8_t *buf, size_t cap, const char *key)
{
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, cap, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add_username(&w, "abcd:efgh", 9);
    mj_stun_add_priority(&w, 0x6e7f1eff);
    mj_stun_add_ice_controlling(&w, 0x0102030405060708ull);
    mj_stun_add_use_candidate(&w);
    mj_stun_add_integrity(&w, key, strlen(key));
    mj_stun_add_fingerprint(&w);
    return mj_stun_finish(&w);
}

TEST(crc32_check_value)
{
    CHECK_EQ(mj_crc32("123456789", 9), 0xCBF43926u);
    CHECK_EQ(mj_crc32("", 0), 0);
    CHECK_EQ(mj_crc32_update(mj_crc32("1234", 4), "56789", 5), 0xCBF43926u);
}

TEST(rfc5769_sample_request)
{
    mj_stun_msg m;
    const char *why = NULL;
    REQUIRE(mj_stun_parse(rfc_request, sizeof rfc_request, &m, &why) == (int)sizeof rfc_request);
    CHECK_EQ(m.type, MJ_STUN_BINDING_REQUEST);
    CHECK_EQ(mj_stun_method(m.type), MJ_STUN_BINDING);
    CHECK_EQ(mj_stun_class_of(m.type), MJ_STUN_REQUEST);
    CHECK_MEM(m.tid, rfc_request + 8, 12);
    CHECK(m.has_username);
    CHECK(mj_slice_eq(m.username, mj_slice_make("evtj:h6vY", 9)));
    CHECK(m.has_priority);
    CHECK_EQ(m.priority, 0x6e0001ff);
    CHECK(m.has_controlled && !m.has_controlling);
    CHECK(m.tiebreaker == 0x932ff9b151263b36ull);
    CHECK(!m.use_candidate && !m.has_xor_mapped && !m.has_error);
    CHECK_EQ(m.n_unknown, 0); /* SOFTWARE is comprehension-optional */
    CHECK_EQ(m.n_attrs, 6);
    CHECK_EQ(m.integrity_off, 76);
    CHECK_EQ(m.fingerprint_off, 100);
    CHECK_EQ(mj_stun_check_integrity(&m, rfc_pwd, strlen(rfc_pwd)), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
    CHECK_EQ(mj_stun_check_integrity(&m, "VOkJxbRl1RmTxUk/WvJxBT", 22), MJ_EAUTH);
    CHECK_EQ(mj_stun_check_integrity(&m, "", 0), MJ_EAUTH);
    CHECK(mj_stun_is_stun(rfc_request, sizeof rfc_request));
}

TEST(rfc5769_ipv4_response)
{
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(rfc_response_v4, sizeof rfc_response_v4, &m, NULL) > 0);
    CHECK_EQ(m.type, MJ_STUN_BINDING_SUCCESS);
    CHECK_EQ(mj_stun_class_of(m.type), MJ_STUN_SUCCESS);
    REQUIRE(m.has_xor_mapped);
    mj_addr want;
    REQUIRE(mj_addr_parse("192.0.2.1:32853", &want) == 0);
    CHECK(mj_addr_eq(&m.xor_mapped, &want));
    CHECK_EQ(mj_stun_check_integrity(&m, rfc_pwd, strlen(rfc_pwd)), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
}

TEST(rfc5769_ipv6_response)
{
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(rfc_response_v6, sizeof rfc_response_v6, &m, NULL) > 0);
    REQUIRE(m.has_xor_mapped);
    mj_addr want;
    REQUIRE(mj_addr_parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853", &want) == 0);
    CHECK(mj_addr_eq(&m.xor_mapped, &want));
    CHECK_EQ(mj_stun_check_integrity(&m, rfc_pwd, strlen(rfc_pwd)), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
}

TEST(rfc5769_long_term_request)
{
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(rfc_long_term, sizeof rfc_long_term, &m, NULL) > 0);
    static const char user[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3"
                               "\x82\xb9";
    CHECK(mj_slice_eq(m.username, mj_slice_make(user, 18)));
    CHECK(m.has_integrity && !m.has_fingerprint);
    CHECK_EQ(mj_stun_check_fingerprint(&m), MJ_EINVAL);
    /* Long-term key = MD5(username ":" realm ":" SASLprep(password)); the
     * RFC's password "The<U+00AD>M<U+00AA>tr<U+2168>" prepares to "TheMatrIX". */
    static const char keysrc[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
                                 "\xe3\x82\xb9:example.org:TheMatrIX";
    uint8_t key[16];
    unsigned int klen = 0;
    REQUIRE(EVP_Digest(keysrc, strlen(keysrc), key, &klen, EVP_md5(), NULL) == 1);
    CHECK_EQ(mj_stun_check_integrity(&m, key, klen), 0);
    key[0] ^= 1;
    CHECK_EQ(mj_stun_check_integrity(&m, key, klen), MJ_EAUTH);
}

TEST(round_trip_request)
{
    uint8_t buf[256];
    int len = build_request(buf, sizeof buf, "pass-word-of-22-chars!");
    REQUIRE(len > 0);
    CHECK(mj_stun_is_stun(buf, (size_t)len));
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(buf, (size_t)len, &m, NULL) == len);
    CHECK_EQ(m.type, MJ_STUN_BINDING_REQUEST);
    CHECK_MEM(m.tid, tid1, 12);
    CHECK(mj_slice_eq(m.username, mj_slice_make("abcd:efgh", 9)));
    CHECK(m.has_priority && m.priority == 0x6e7f1eff);
    CHECK(m.has_controlling && m.tiebreaker == 0x0102030405060708ull);
    CHECK(m.use_candidate);
    CHECK_EQ(mj_stun_check_integrity(&m, "pass-word-of-22-chars!", 22), 0);
    CHECK_EQ(mj_stun_check_integrity(&m, "pass-word-of-22-chars?", 22), MJ_EAUTH);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
    /* Padding after the 9-byte username is zero. */
    CHECK_EQ(buf[20 + 4 + 9], 0);
    CHECK_EQ(buf[20 + 4 + 11], 0);
}

TEST(round_trip_response_and_error)
{
    uint8_t buf[256];
    mj_addr v6, v4;
    REQUIRE(mj_addr_parse("[2001:db8::1]:443", &v6) == 0);
    REQUIRE(mj_addr_parse("10.1.2.3:65535", &v4) == 0);
    const mj_addr *addrs[] = {&v4, &v6};
    for (size_t i = 0; i < 2; i++) {
        mj_stun_writer w;
        mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_SUCCESS, tid1);
        mj_stun_add_xor_mapped(&w, addrs[i]);
        mj_stun_add_integrity(&w, "k", 1);
        mj_stun_add_fingerprint(&w);
        int len = mj_stun_finish(&w);
        REQUIRE(len == (i == 0 ? 20 + 12 + 24 + 8 : 20 + 24 + 24 + 8));
        mj_stun_msg m;
        REQUIRE(mj_stun_parse(buf, (size_t)len, &m, NULL) == len);
        CHECK(m.has_xor_mapped && mj_addr_eq(&m.xor_mapped, addrs[i]));
        CHECK_EQ(mj_stun_check_integrity(&m, "k", 1), 0);
        CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
    }
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_ERROR, tid1);
    mj_stun_add_error(&w, 420, "Unknown Attribute");
    uint16_t unk[] = {0x7777, 0x0042, 0x1234};
    mj_stun_add_unknown(&w, unk, 3);
    mj_stun_add_fingerprint(&w);
    int len = mj_stun_finish(&w);
    REQUIRE(len > 0);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(buf, (size_t)len, &m, NULL) == len);
    CHECK_EQ(mj_stun_class_of(m.type), MJ_STUN_ERROR);
    CHECK(m.has_error && m.error_code == 420);
    CHECK(mj_slice_eq(m.error_reason, mj_slice_make("Unknown Attribute", 17)));
    CHECK_EQ(mj_be16(buf + 20 + 4 + 4 + 20 + 4), 0x7777);    /* UNKNOWN-ATTRIBUTES value */
    CHECK_EQ(mj_stun_check_integrity(&m, "k", 1), MJ_EAUTH); /* none present */
}

TEST(fingerprint_fails_after_any_flipped_bit)
{
    uint8_t buf[256];
    int len = build_request(buf, sizeof buf, "pass-word-of-22-chars!");
    REQUIRE(len > 0);
    int parsed = 0;
    for (int bit = 0; bit < len * 8; bit++) {
        uint8_t copy[256];
        memcpy(copy, buf, (size_t)len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        mj_stun_msg m;
        if (mj_stun_parse(copy, (size_t)len, &m, NULL) < 0) continue;
        parsed++;
        /* CRC-32 catches every single-bit error it covers. */
        if (m.has_fingerprint && mj_stun_check_fingerprint(&m) == 0)
            MJ_TEST_FAIL("fingerprint still verifies after flipping bit %d", bit);
        if (m.has_integrity && (size_t)bit / 8 < m.integrity_off + 24 &&
            mj_stun_check_integrity(&m, "pass-word-of-22-chars!", 22) == 0)
            MJ_TEST_FAIL("integrity still verifies after flipping bit %d", bit);
    }
    CHECK(parsed > len * 4); /* most flips keep the framing intact */
}

TEST(truncated_at_every_length)
{
    const uint8_t *msgs[] = {rfc_request, rfc_response_v4, rfc_response_v6, rfc_long_term};
    size_t lens[] = {sizeof rfc_request, sizeof rfc_response_v4, sizeof rfc_response_v6,
                     sizeof rfc_long_term};
    for (size_t k = 0; k < 4; k++) {
        for (size_t n = 0; n < lens[k]; n++) {
            mj_stun_msg m;
            uint8_t *copy;
            int rc = parse_copy(msgs[k], n, &m, &copy);
            if (rc >= 0) MJ_TEST_FAIL("message %zu cut to %zu bytes parsed", k, n);
            CHECK(!mj_stun_is_stun(copy, n));
            /* Also with the length field fixed up: the attribute walk
             * must stop at the cut, never read past it. */
            if (n >= 20 && (n - 20) % 4 == 0) {
                mj_put_be16(copy + 2, (uint16_t)(n - 20));
                rc = mj_stun_parse(copy, n, &m, NULL);
                CHECK(rc == (int)n || rc == MJ_ETRUNC || rc == MJ_EINVAL);
            }
            free(copy);
        }
    }
}

TEST(rejects_bad_headers)
{
    uint8_t b[sizeof rfc_request] = {0};
    mj_stun_msg m;
    const char *why = NULL;
    CHECK_EQ(mj_stun_parse(b, 0, &m, &why), MJ_ETRUNC);
    CHECK(why != NULL);
    CHECK(!mj_stun_is_stun(b, 0));

    memcpy(b, rfc_request, sizeof b);
    b[7] ^= 1; /* cookie */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_EINVAL);
    CHECK(!mj_stun_is_stun(b, sizeof b));

    memcpy(b, rfc_request, sizeof b);
    b[0] |= 0x80; /* top bits: RTP/DTLS territory */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_EINVAL);
    CHECK(!mj_stun_is_stun(b, sizeof b));

    memcpy(b, rfc_request, sizeof b);
    b[3] = 0x57; /* length not a multiple of 4 */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_EINVAL);

    memcpy(b, rfc_request, sizeof b);
    b[3] = 0x5c; /* length past the datagram */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_ETRUNC);
    CHECK(!mj_stun_is_stun(b, sizeof b));

    memcpy(b, rfc_request, sizeof b);
    b[3] = 0x54; /* datagram longer than the message */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_EINVAL);
}

TEST(rejects_attribute_past_end)
{
    uint8_t b[sizeof rfc_request];
    memcpy(b, rfc_request, sizeof b);
    mj_put_be16(b + 22, 0x0011); /* SOFTWARE claims 17 bytes, padded 20: still fits */
    mj_stun_msg m;
    CHECK(mj_stun_parse(b, sizeof b, &m, NULL) < 0); /* but the next header is now garbage */
    mj_put_be16(b + 22, 0x0100);
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_ETRUNC);
    mj_put_be16(b + 22, 0xffff);
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_ETRUNC);
    /* The last attribute's padding must fit too. */
    memcpy(b, rfc_request, sizeof b);
    mj_put_be16(b + 102, 5); /* FINGERPRINT: 5 bytes, padded 8 */
    CHECK_EQ(mj_stun_parse(b, sizeof b, &m, NULL), MJ_ETRUNC);
}

TEST(rejects_oversized_messages)
{
    size_t n = MJ_STUN_MAX_LEN + 4;
    uint8_t *b = calloc(1, n);
    REQUIRE(b);
    mj_put_be16(b, MJ_STUN_BINDING_REQUEST);
    mj_put_be16(b + 2, (uint16_t)(n - 20));
    mj_put_be32(b + 4, MJ_STUN_MAGIC);
    mj_put_be16(b + 20, 0x8022); /* one big SOFTWARE attribute */
    mj_put_be16(b + 22, (uint16_t)(n - 24));
    mj_stun_msg m;
    CHECK_EQ(mj_stun_parse(b, n, &m, NULL), MJ_ELIMIT);
    /* Exactly at the cap is fine. */
    n = MJ_STUN_MAX_LEN;
    mj_put_be16(b + 2, (uint16_t)(n - 20));
    mj_put_be16(b + 22, (uint16_t)(n - 24));
    CHECK_EQ(mj_stun_parse(b, n, &m, NULL), (int)n);
    free(b);
}

TEST(rejects_attributes_after_fingerprint)
{
    uint8_t buf[256];
    int len = build_request(buf, sizeof buf, "pass-word-of-22-chars!");
    REQUIRE(len > 0);
    /* Append a SOFTWARE attribute after FINGERPRINT and fix the length. */
    mj_put_be16(buf + len, 0x8022);
    mj_put_be16(buf + len + 2, 4);
    memcpy(buf + len + 4, "late", 4);
    mj_put_be16(buf + 2, (uint16_t)(len + 8 - 20));
    mj_stun_msg m;
    const char *why = NULL;
    CHECK_EQ(mj_stun_parse(buf, (size_t)len + 8, &m, &why), MJ_EINVAL);
    CHECK_STR(why, "attribute after FINGERPRINT");
}

TEST(ignores_attributes_after_integrity)
{
    uint8_t buf[256];
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add_username(&w, "abcd:efgh", 9);
    mj_stun_add_integrity(&w, "key", 3);
    int len = mj_stun_finish(&w);
    REQUIRE(len == 20 + 16 + 24);
    /* Hand-append PRIORITY, an unknown required attribute, a duplicate
     * USERNAME, then FINGERPRINT: only FINGERPRINT may count. */
    uint8_t *p = buf + len;
    mj_put_be32(p, 0x00240004), mj_put_be32(p + 4, 7);
    mj_put_be32(p + 8, 0x77770000);
    mj_put_be32(p + 12, 0x00060001), mj_put_be32(p + 16, 0x78000000);
    len += 20;
    mj_put_be16(buf + 2, (uint16_t)(len + 8 - 20));
    mj_put_be32(p + 20, 0x80280004);
    mj_put_be32(p + 24, mj_crc32(buf, (size_t)len) ^ MJ_STUN_FP_XOR);
    len += 8;
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(buf, (size_t)len, &m, NULL) == len);
    CHECK(!m.has_priority);
    CHECK_EQ(m.n_unknown, 0);
    CHECK(mj_slice_eq(m.username, mj_slice_make("abcd:efgh", 9)));
    CHECK_EQ(mj_stun_check_integrity(&m, "key", 3), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
    CHECK_EQ(m.n_attrs, 6);
}

/* Builds header + one or two raw attributes and parses. */
static int parse_attrs(uint16_t t1, const void *v1, size_t n1, uint16_t t2, const void *v2,
                       size_t n2, mj_stun_msg *m)
{
    static uint8_t buf[128];
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add(&w, t1, v1, n1);
    if (t2) mj_stun_add(&w, t2, v2, n2);
    int len = mj_stun_finish(&w);
    if (len < 0) return len;
    return mj_stun_parse(buf, (size_t)len, m, NULL);
}

TEST(rejects_duplicates_and_bad_lengths)
{
    mj_stun_msg m;
    uint8_t eight[8] = {0}, four[4] = {0};
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_USERNAME, "a:b", 3, MJ_STUN_ATTR_USERNAME, "c:d", 3, &m),
             MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_PRIORITY, four, 4, MJ_STUN_ATTR_PRIORITY, four, 4, &m),
             MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_ICE_CONTROLLING, eight, 8, MJ_STUN_ATTR_ICE_CONTROLLED, eight,
                         8, &m),
             MJ_EINVAL);
    CHECK_EQ(
        parse_attrs(MJ_STUN_ATTR_USE_CANDIDATE, NULL, 0, MJ_STUN_ATTR_USE_CANDIDATE, NULL, 0, &m),
        MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_PRIORITY, eight, 5, 0, NULL, 0, &m), MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_ICE_CONTROLLED, eight, 4, 0, NULL, 0, &m), MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_USE_CANDIDATE, four, 4, 0, NULL, 0, &m), MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_MESSAGE_INTEGRITY, eight, 8, 0, NULL, 0, &m), MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_FINGERPRINT, eight, 8, 0, NULL, 0, &m), MJ_EINVAL);
    /* XOR-MAPPED-ADDRESS: family 1 needs 8 bytes, family 2 needs 20. */
    uint8_t xa[20] = {0, 1};
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_XOR_MAPPED_ADDRESS, xa, 20, 0, NULL, 0, &m), MJ_EINVAL);
    xa[1] = 2;
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_XOR_MAPPED_ADDRESS, xa, 8, 0, NULL, 0, &m), MJ_EINVAL);
    xa[1] = 3;
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_XOR_MAPPED_ADDRESS, xa, 8, 0, NULL, 0, &m), MJ_EINVAL);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_XOR_MAPPED_ADDRESS, xa, 2, 0, NULL, 0, &m), MJ_EINVAL);
    /* ERROR-CODE class 3..6, number 0..99. */
    uint8_t ec[4] = {0, 0, 7, 0};
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_ERROR_CODE, ec, 4, 0, NULL, 0, &m), MJ_EINVAL);
    ec[2] = 4, ec[3] = 100;
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_ERROR_CODE, ec, 4, 0, NULL, 0, &m), MJ_EINVAL);
    ec[3] = 87;
    CHECK(parse_attrs(MJ_STUN_ATTR_ERROR_CODE, ec, 4, 0, NULL, 0, &m) > 0);
    CHECK(m.error_code == 487 && m.error_reason.n == 0);
    CHECK_EQ(parse_attrs(MJ_STUN_ATTR_ERROR_CODE, ec, 3, 0, NULL, 0, &m), MJ_EINVAL);
    /* An empty USERNAME parses (the ICE agent rejects it). */
    CHECK(parse_attrs(MJ_STUN_ATTR_USERNAME, NULL, 0, 0, NULL, 0, &m) > 0);
    CHECK(m.has_username && m.username.n == 0);
}

TEST(unknown_attributes)
{
    mj_stun_msg m;
    /* Optional ones (>= 0x8000) are skipped silently. */
    REQUIRE(parse_attrs(MJ_STUN_ATTR_GOOG_NETWORK_INFO, "\0\1\0\12", 4, 0xC059, "x", 1, &m) > 0);
    CHECK_EQ(m.n_unknown, 0);
    /* Required ones are listed once each. */
    REQUIRE(parse_attrs(0x7777, "abc", 3, 0x0042, NULL, 0, &m) > 0);
    CHECK_EQ(m.n_unknown, 2);
    CHECK(m.unknown[0] == 0x7777 && m.unknown[1] == 0x0042);
    REQUIRE(parse_attrs(0x7777, "abc", 3, 0x7777, NULL, 0, &m) > 0);
    CHECK_EQ(m.n_unknown, 1);
    /* Understood but unused ones (REALM, NONCE) are not unknown. */
    REQUIRE(parse_attrs(MJ_STUN_ATTR_REALM, "r", 1, MJ_STUN_ATTR_NONCE, "n", 1, &m) > 0);
    CHECK_EQ(m.n_unknown, 0);
}

TEST(caps_attribute_count)
{
    uint8_t buf[512];
    for (int count = MJ_STUN_MAX_ATTRS; count <= MJ_STUN_MAX_ATTRS + 1; count++) {
        mj_stun_writer w;
        mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
        for (int i = 0; i < count; i++)
            mj_stun_add(&w, (uint16_t)(0x8100 + i), NULL, 0);
        int len = mj_stun_finish(&w);
        REQUIRE(len > 0);
        mj_stun_msg m;
        CHECK_EQ(mj_stun_parse(buf, (size_t)len, &m, NULL),
                 count <= MJ_STUN_MAX_ATTRS ? len : MJ_ELIMIT);
    }
}

TEST(peek_ufrag)
{
    uint8_t buf[256];
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add_username(&w, "srvUfrag:Hm0b", 13);
    mj_stun_add_fingerprint(&w);
    int len = mj_stun_finish(&w);
    REQUIRE(len > 0);
    mj_slice local, remote;
    REQUIRE(mj_stun_peek_ufrag(buf, (size_t)len, &local, &remote) == 0);
    CHECK(mj_slice_eq(local, mj_slice_make("srvUfrag", 8)));
    CHECK(mj_slice_eq(remote, mj_slice_make("Hm0b", 4)));
    CHECK_EQ(mj_stun_peek_ufrag(buf, (size_t)len, &local, NULL), 0);
    /* RFC 5769's request is a Binding request too. */
    REQUIRE(mj_stun_peek_ufrag(rfc_request, sizeof rfc_request, &local, &remote) == 0);
    CHECK(mj_slice_eq(local, mj_slice_make("evtj", 4)));
    /* Responses, malformed names and garbage are refused. */
    CHECK_EQ(mj_stun_peek_ufrag(rfc_response_v4, sizeof rfc_response_v4, &local, NULL),
             MJ_ENOTFOUND);
    const char *bad[] = {"nocolon", ":Hm0b", "srv:", ""};
    for (size_t i = 0; i < 4; i++) {
        mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
        mj_stun_add_username(&w, bad[i], strlen(bad[i]));
        len = mj_stun_finish(&w);
        REQUIRE(len > 0);
        CHECK_EQ(mj_stun_peek_ufrag(buf, (size_t)len, &local, NULL), MJ_ENOTFOUND);
    }
    CHECK(mj_stun_peek_ufrag((const uint8_t *)"\x16\xfe\xfd", 3, &local, NULL) < 0);
}

TEST(writer_never_overruns)
{
    uint8_t full[256];
    int want = build_request(full, sizeof full, "pass-word-of-22-chars!");
    REQUIRE(want > 0);
    for (size_t cap = 0; cap <= (size_t)want; cap++) {
        uint8_t buf[300];
        memset(buf, 0xAB, sizeof buf);
        int len = build_request(buf, cap, "pass-word-of-22-chars!");
        if (cap < (size_t)want)
            CHECK_EQ(len, MJ_ENOSPC);
        else
            CHECK(len == want && memcmp(buf, full, (size_t)want) == 0);
        for (size_t i = cap; i < sizeof buf; i++)
            if (buf[i] != 0xAB) {
                MJ_TEST_FAIL("cap %zu: byte %zu written", cap, i);
                break;
            }
    }
}

TEST(writer_rejects_misuse)
{
    uint8_t buf[256];
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add_fingerprint(&w);
    mj_stun_add_username(&w, "a:b", 3); /* nothing after FINGERPRINT */
    CHECK_EQ(mj_stun_finish(&w), MJ_EINVAL);

    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    mj_stun_add_integrity(&w, "k", 1);
    mj_stun_add_priority(&w, 1); /* only FINGERPRINT after MESSAGE-INTEGRITY */
    CHECK_EQ(mj_stun_finish(&w), MJ_EINVAL);

    mj_addr none = {0};
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_SUCCESS, tid1);
    mj_stun_add_xor_mapped(&w, &none);
    CHECK_EQ(mj_stun_finish(&w), MJ_EINVAL);

    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_ERROR, tid1);
    mj_stun_add_error(&w, 700, NULL);
    CHECK_EQ(mj_stun_finish(&w), MJ_EINVAL);

    mj_stun_writer_init(&w, buf, sizeof buf, 0xC001, tid1); /* top bits set */
    CHECK_EQ(mj_stun_finish(&w), MJ_EINVAL);

    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid1);
    CHECK_EQ(mj_stun_finish(&w), 20);
    CHECK_EQ(mj_be16(buf + 2), 0);
}

TEST(message_type_helpers)
{
    CHECK_EQ(mj_stun_method(MJ_STUN_BINDING_ERROR), MJ_STUN_BINDING);
    CHECK_EQ(mj_stun_class_of(MJ_STUN_BINDING_INDICATION), MJ_STUN_INDICATION);
    CHECK_EQ(mj_stun_class_of(MJ_STUN_BINDING_ERROR), MJ_STUN_ERROR);
    CHECK_EQ(mj_stun_method(0x0003), 0x003); /* TURN Allocate */
    CHECK_EQ(mj_stun_method(0x3eef), 0xfff);
}

TEST_MAIN(crc32_check_value, rfc5769_sample_request, rfc5769_ipv4_response, rfc5769_ipv6_response,
          rfc5769_long_term_request, round_trip_request, round_trip_response_and_error,
          fingerprint_fails_after_any_flipped_bit, truncated_at_every_length, rejects_bad_headers,
          rejects_attribute_past_end, rejects_oversized_messages,
          rejects_attributes_after_fingerprint, ignores_attributes_after_integrity,
          rejects_duplicates_and_bad_lengths, unknown_attributes, caps_attribute_count, peek_ufrag,
          writer_never_overruns, writer_rejects_misuse, message_type_helpers)
