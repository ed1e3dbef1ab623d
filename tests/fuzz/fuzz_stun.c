/* Fuzz target for the STUN codec and the ICE agent.
 *
 * Each input is run through: mj_stun_is_stun, mj_stun_parse (with
 * invariants on the view), the integrity and fingerprint checks,
 * mj_stun_peek_ufrag, a writer round trip of every field the parser
 * records, and a lite agent with fixed credentials. Because a fuzzer
 * cannot forge HMACs, the input is then "resealed" (MESSAGE-INTEGRITY and
 * FINGERPRINT recomputed with the right key) and fed again to the lite
 * agent, to a controlling agent as a request, and to a controlling agent
 * as the response to its outstanding check, so the authenticated paths
 * are fuzzed too. Any broken invariant aborts.
 *
 * Seeds: tests/fuzz/corpus/stun (credentials below match the Chromium
 * seeds there). */
#include "base/log.h"
#include "proto/crc32.h"
#include "proto/stun.h"
#include "rtc/ice.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#define SRV_UFRAG "majlisUF"
#define SRV_PWD   "majlisPassword1234567890"
#define BR_UFRAG  "Hm0b"
#define BR_PWD    "8Fz5ud0H1tBO3P4mRWeY+kkX"

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static bool in_input(mj_slice s, const uint8_t *d, size_t n)
{
    return s.n == 0 || (s.p >= d && s.p + s.n <= d + n);
}

static void check_view(const uint8_t *d, size_t n, const mj_stun_msg *m)
{
    ASSERT(m->data == d && m->len == n);
    ASSERT(in_input(m->username, d, n) && in_input(m->error_reason, d, n));
    ASSERT(!m->has_integrity || m->integrity_off + 24 <= n);
    ASSERT(!m->has_fingerprint || m->fingerprint_off + 8 == n);
    ASSERT(!(m->has_controlling && m->has_controlled));
    ASSERT(m->n_attrs <= MJ_STUN_MAX_ATTRS && m->n_unknown <= MJ_STUN_MAX_UNKNOWN);
    ASSERT(!m->has_error || (m->error_code >= 300 && m->error_code <= 699));
}

/* Re-encodes what the parser recorded and checks it parses back equal. */
static void round_trip(const mj_stun_msg *m)
{
    uint8_t buf[MJ_STUN_MAX_LEN + 64];
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, m->type, m->tid);
    if (m->has_username) mj_stun_add_username(&w, (const char *)m->username.p, m->username.n);
    if (m->has_priority) mj_stun_add_priority(&w, m->priority);
    if (m->use_candidate) mj_stun_add_use_candidate(&w);
    if (m->has_controlling) mj_stun_add_ice_controlling(&w, m->tiebreaker);
    if (m->has_controlled) mj_stun_add_ice_controlled(&w, m->tiebreaker);
    if (m->has_xor_mapped) mj_stun_add_xor_mapped(&w, &m->xor_mapped);
    if (m->has_error) {
        uint8_t v[4 + MJ_STUN_REASON_MAX] = {0, 0, (uint8_t)(m->error_code / 100),
                                             (uint8_t)(m->error_code % 100)};
        memcpy(v + 4, m->error_reason.p, m->error_reason.n);
        mj_stun_add(&w, MJ_STUN_ATTR_ERROR_CODE, v, 4 + m->error_reason.n);
    }
    mj_stun_add_integrity(&w, "k", 1);
    mj_stun_add_fingerprint(&w);
    int len = mj_stun_finish(&w);
    ASSERT(len > 0);
    mj_stun_msg r;
    if (mj_stun_parse(buf, (size_t)len, &r, NULL) != len)
        return; /* the original was near MJ_STUN_MAX_LEN; ours grew past it */
    ASSERT(r.type == m->type && memcmp(r.tid, m->tid, 12) == 0);
    ASSERT(r.has_username == m->has_username && mj_slice_eq(r.username, m->username));
    ASSERT(r.priority == m->priority && r.use_candidate == m->use_candidate);
    ASSERT(r.has_controlling == m->has_controlling && r.tiebreaker == m->tiebreaker);
    ASSERT(r.has_xor_mapped == m->has_xor_mapped);
    ASSERT(!r.has_xor_mapped || mj_addr_eq(&r.xor_mapped, &m->xor_mapped));
    ASSERT(r.error_code == m->error_code && mj_slice_eq(r.error_reason, m->error_reason));
    ASSERT(mj_stun_check_integrity(&r, "k", 1) == 0 && mj_stun_check_fingerprint(&r) == 0);
}

/* Copies m into out with a fresh MESSAGE-INTEGRITY (key) and FINGERPRINT
 * in place of whatever followed them, optionally with another
 * transaction id. Returns the new length, or 0 if it does not fit. */
static size_t reseal(const mj_stun_msg *m, const uint8_t *tid, const char *key, uint8_t *out,
                     size_t cap)
{
    size_t base = m->has_integrity     ? m->integrity_off
                  : m->has_fingerprint ? m->fingerprint_off
                                       : m->len;
    if (base + 32 > cap) return 0;
    memcpy(out, m->data, base);
    if (tid) memcpy(out + 8, tid, 12);
    mj_put_be16(out + 2, (uint16_t)(base + 24 - 20));
    mj_put_be32(out + base, 0x00080014);
    unsigned int maclen = 0;
    ASSERT(HMAC(EVP_sha1(), key, (int)strlen(key), out, base, out + base + 4, &maclen));
    mj_put_be16(out + 2, (uint16_t)(base + 32 - 20));
    mj_put_be32(out + base + 24, 0x80280004);
    mj_put_be32(out + base + 28, mj_crc32(out, base + 24) ^ MJ_STUN_FP_XOR);
    return base + 32;
}

static void init_agents(mj_ice *lite, mj_ice *cli, const mj_addr *srv_addr)
{
    mj_ice_config lc = {.role = MJ_ICE_LITE,
                        .local_ufrag = SRV_UFRAG,
                        .local_pwd = SRV_PWD,
                        .remote_ufrag = BR_UFRAG,
                        .remote_pwd = BR_PWD,
                        .tiebreaker = 1};
    mj_ice_config cc = {.role = MJ_ICE_CONTROLLING,
                        .local_ufrag = BR_UFRAG,
                        .local_pwd = BR_PWD,
                        .remote_ufrag = SRV_UFRAG,
                        .remote_pwd = SRV_PWD,
                        .tiebreaker = 2};
    ASSERT(mj_ice_init(lite, &lc, 0) == 0 && mj_ice_init(cli, &cc, 0) == 0);
    ASSERT(mj_ice_add_remote_candidate(cli, srv_addr, 100) == 0);
}

/* Feeds d to the lite agent; a response it writes must be valid STUN. */
static void feed_lite(mj_ice *lite, mj_time now, const uint8_t *d, size_t n, const mj_addr *from)
{
    uint8_t out[256];
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    enum mj_ice_state before = mj_ice_state_get(lite);
    int rc = mj_ice_handle_stun(lite, now, d, n, from, &reply);
    if (rc <= 0) {
        ASSERT(reply.len == 0);
        ASSERT(rc == 0 || mj_ice_state_get(lite) == before ||
               mj_ice_state_get(lite) == MJ_ICE_FAILED);
        return;
    }
    mj_stun_msg r;
    ASSERT(reply.len == (size_t)rc);
    ASSERT(mj_stun_parse(out, (size_t)rc, &r, NULL) == rc);
    ASSERT(mj_stun_check_integrity(&r, SRV_PWD, strlen(SRV_PWD)) == 0);
    ASSERT(mj_stun_check_fingerprint(&r) == 0);
    /* A success answer means the check counted; a 420 changes nothing. */
    if (r.type == MJ_STUN_BINDING_SUCCESS)
        ASSERT(mj_ice_selected(lite) != NULL && mj_ice_state_get(lite) != MJ_ICE_NEW);
    else
        ASSERT(r.type == MJ_STUN_BINDING_ERROR && r.error_code == 420 &&
               mj_ice_state_get(lite) == before);
}

/* Lets the controlling agent send its next check at `now`, then feeds it
 * m resealed as the answer to that check. Returns handle_stun's result. */
static int answer_check(mj_ice *cli, const mj_stun_msg *m, mj_time now, uint8_t *buf, size_t cap,
                        const mj_addr *srv)
{
    uint8_t out[256];
    mj_addr to;
    mj_ice_handle_timeout(cli, now);
    int q = mj_ice_poll_transmit(cli, now, out, sizeof out, &to);
    if (q <= 0) return -100;
    ASSERT(mj_addr_eq(&to, srv));
    mj_stun_msg req;
    ASSERT(mj_stun_parse(out, (size_t)q, &req, NULL) == q);
    size_t len = reseal(m, req.tid, SRV_PWD, buf, cap);
    if (!len) return -100;
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    int rc = mj_ice_handle_stun(cli, now + 1, buf, len, srv, &reply);
    ASSERT(rc != 0 || mj_stun_class_of(mj_be16(buf)) == MJ_STUN_SUCCESS ||
           mj_stun_class_of(mj_be16(buf)) == MJ_STUN_INDICATION);
    return rc;
}

static void fuzz_agents(const mj_stun_msg *m, const uint8_t *d, size_t n)
{
    mj_ice lite, cli;
    mj_addr srv = {.family = 4, .port = 40000, .ip = {203, 0, 113, 5}};
    mj_addr from = {.family = 6, .port = 5000, .ip = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    init_agents(&lite, &cli, &srv);
    feed_lite(&lite, 1, d, n, &from);
    if (!m) return;
    uint8_t buf[MJ_STUN_MAX_LEN + 32], out[256];
    size_t len = reseal(m, NULL, SRV_PWD, buf, sizeof buf);
    if (len) {
        feed_lite(&lite, 2, buf, len, &from);
        feed_lite(&lite, 3, buf, len, &srv);
        mj_ice_handle_timeout(&lite, MJ_SEC(40));
        feed_lite(&lite, MJ_SEC(41), buf, len, &from);
    }
    /* The controlling agent: first as a responder, then as the asker. */
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    len = reseal(m, NULL, BR_PWD, buf, sizeof buf);
    if (len) {
        int rc = mj_ice_handle_stun(&cli, 0, buf, len, &srv, &reply);
        ASSERT(rc <= 0 || (mj_stun_class_of(mj_be16(buf)) == MJ_STUN_REQUEST &&
                           mj_ice_state_get(&cli) == MJ_ICE_CHECKING));
    }
    if (answer_check(&cli, m, 0, buf, sizeof buf, &srv) == 0 &&
        mj_ice_state_get(&cli) == MJ_ICE_CONNECTED) {
        /* Connected: the same message answers a consent check too. */
        mj_time t = mj_ice_next_timeout(&cli);
        ASSERT(t >= MJ_SEC(4) && t <= MJ_SEC(6) + 1);
        ASSERT(answer_check(&cli, m, t, buf, sizeof buf, &srv) == 0);
        ASSERT(mj_ice_state_get(&cli) == MJ_ICE_CONNECTED);
    }
    mj_addr to;
    for (mj_time t = MJ_SEC(7); t < MJ_SEC(45); t += MJ_SEC(3)) {
        mj_ice_handle_timeout(&cli, t);
        while (mj_ice_poll_transmit(&cli, t, out, sizeof out, &to) > 0)
            ;
    }
    ASSERT(mj_ice_state_get(&cli) == MJ_ICE_FAILED);
}

static void silent_sink(enum mj_log_level level, const char *line)
{
    (void)level;
    (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once;
    if (!once) {
        /* Format the debug lines too, without printing them. */
        mj_log_set_sink(silent_sink);
        mj_log_set_level(MJ_LOG_DEBUG);
        once = true;
    }
    mj_stun_msg m;
    const char *why = NULL;
    bool is = mj_stun_is_stun(data, size);
    int rc = mj_stun_parse(data, size, &m, &why);
    ASSERT(rc < 0 ? why != NULL : (rc == (int)size && is));
    mj_slice local, remote;
    int prc = mj_stun_peek_ufrag(data, size, &local, &remote);
    if (prc == 0)
        ASSERT(local.n > 0 && remote.n > 0 && in_input(local, data, size) &&
               in_input(remote, data, size));
    if (rc >= 0) {
        check_view(data, size, &m);
        int irc = mj_stun_check_integrity(&m, SRV_PWD, strlen(SRV_PWD));
        ASSERT(irc == 0 ? m.has_integrity : irc == MJ_EAUTH);
        int frc = mj_stun_check_fingerprint(&m);
        ASSERT(frc == 0 ? m.has_fingerprint : frc == MJ_EINVAL);
        round_trip(&m);
    }
    fuzz_agents(rc >= 0 ? &m : NULL, data, size);
    return 0;
}
