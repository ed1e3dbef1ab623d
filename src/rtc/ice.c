#include "rtc/ice.h"

#include "base/log.h"
#include "base/rand.h"
#include "proto/stun.h"

#include <string.h>

/* ---- credentials ---- */

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). Keeping ':' and
 * anything exotic out also keeps "A:B" USERNAMEs unambiguous. */
static bool is_ice_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
        if (!ok) return false;
    }
    return true;
}

/* Copies s into dst (not NUL-terminated) if it is valid; 0 or MJ_EINVAL. */
static int copy_cred(char *dst, uint8_t *dstlen, const char *s, size_t min, size_t max)
{
    if (!s) return MJ_EINVAL;
    size_t n = strnlen(s, max + 1);
    if (n < min || n > max || !is_ice_chars(s, n)) return MJ_EINVAL;
    memcpy(dst, s, n);
    *dstlen = (uint8_t)n;
    return 0;
}

int mj_ice_init(mj_ice *ice, const mj_ice_config *cfg, mj_time now)
{
    memset(ice, 0, sizeof *ice);
    ice->state = MJ_ICE_FAILED; /* until fully initialised */
    if (cfg->role != MJ_ICE_LITE && cfg->role != MJ_ICE_CONTROLLING) return MJ_EINVAL;
    ice->role = (uint8_t)cfg->role;
    if (copy_cred(ice->local_ufrag, &ice->local_ufrag_len, cfg->local_ufrag, MJ_ICE_UFRAG_MIN,
                  MJ_ICE_UFRAG_MAX) < 0 ||
        copy_cred(ice->local_pwd, &ice->local_pwd_len, cfg->local_pwd, MJ_ICE_PWD_MIN,
                  MJ_ICE_PWD_MAX) < 0)
        return MJ_EINVAL;
    ice->state = MJ_ICE_NEW;
    if ((cfg->remote_ufrag || cfg->remote_pwd) &&
        mj_ice_set_remote(ice, cfg->remote_ufrag, cfg->remote_pwd) < 0) {
        ice->state = MJ_ICE_FAILED;
        return MJ_EINVAL;
    }
    ice->tiebreaker = cfg->tiebreaker ? cfg->tiebreaker : mj_rand_u64();
    ice->priority = cfg->priority ? cfg->priority : MJ_ICE_PRFLX_PRIORITY;
    ice->consent_timeout = cfg->consent_timeout > 0 ? cfg->consent_timeout : MJ_ICE_CONSENT_TIMEOUT;
    ice->connect_timeout = cfg->connect_timeout > 0 ? cfg->connect_timeout : MJ_ICE_CONNECT_TIMEOUT;
    ice->started = now;
    /* A lite agent nobody connects to expires like one that went silent. */
    ice->deadline = ice->role == MJ_ICE_LITE ? now + ice->consent_timeout : MJ_TIME_NEVER;
    ice->next_consent = MJ_TIME_NEVER;
    return 0;
}

int mj_ice_set_remote(mj_ice *ice, const char *ufrag, const char *pwd)
{
    if (ice->state != MJ_ICE_NEW) return MJ_ESTATE;
    char u[MJ_ICE_UFRAG_MAX], p[MJ_ICE_PWD_MAX];
    uint8_t ulen = 0, plen = 0;
    if (copy_cred(u, &ulen, ufrag, MJ_ICE_UFRAG_MIN, MJ_ICE_UFRAG_MAX) < 0) return MJ_EINVAL;
    if ((pwd || ice->role == MJ_ICE_CONTROLLING) &&
        copy_cred(p, &plen, pwd, MJ_ICE_PWD_MIN, MJ_ICE_PWD_MAX) < 0)
        return MJ_EINVAL;
    memcpy(ice->remote_ufrag, u, ulen);
    ice->remote_ufrag_len = ulen;
    memcpy(ice->remote_pwd, p, plen);
    ice->remote_pwd_len = plen;
    return 0;
}

int mj_ice_add_remote_candidate(mj_ice *ice, const mj_addr *addr, uint32_t priority)
{
    if (ice->role != MJ_ICE_CONTROLLING ||
        (ice->state != MJ_ICE_NEW && ice->state != MJ_ICE_CHECKING))
        return MJ_ESTATE;
    if (addr->family != 4 && addr->family != 6) return MJ_EINVAL;
    for (size_t i = 0; i < ice->n_remote; i++)
        if (mj_addr_eq(&ice->remote[i].addr, addr)) return MJ_EEXIST;
    if (ice->n_remote == MJ_ICE_MAX_REMOTE) return MJ_ENOSPC;
    size_t at = ice->n_remote;
    if (ice->state == MJ_ICE_NEW) {
        /* Highest priority first, so it is checked first. Transactions
         * refer to candidates by index, so once checking has started new
         * ones only go at the end. */
        while (at > 0 && ice->remote[at - 1].priority < priority) {
            ice->remote[at] = ice->remote[at - 1];
            at--;
        }
    }
    ice->remote[at] = (mj_ice_remote){.addr = *addr, .priority = priority};
    ice->n_remote++;
    if (ice->state == MJ_ICE_CHECKING) {
        /* Trickled during checks: give it a transaction, due at once. */
        for (size_t i = 0; i < MJ_ICE_TXNS; i++) {
            mj_ice_txn *t = &ice->txn[i];
            if (t->active) continue;
            mj_rand_bytes(t->tid, sizeof t->tid);
            t->cand = (uint8_t)at;
            t->active = true;
            t->next_at = ice->started;
            t->rto = MJ_ICE_RTO_INITIAL;
            break;
        }
    }
    return 0;
}

/* ---- state ---- */

static void set_state(mj_ice *ice, enum mj_ice_state s)
{
    if (ice->state == s) return;
    if (mj_log_level_current >= MJ_LOG_DEBUG) {
        char a[MJ_ADDR_STRLEN];
        mj_debug("ice %.*s: %s -> %s%s%s", ice->local_ufrag_len, ice->local_ufrag,
                 mj_ice_state_name((enum mj_ice_state)ice->state), mj_ice_state_name(s),
                 ice->has_selected ? " selected " : "",
                 ice->has_selected ? mj_addr_str(&ice->selected, a) : "");
    }
    ice->state = (uint8_t)s;
    if (s == MJ_ICE_FAILED) {
        memset(ice->txn, 0, sizeof ice->txn);
        ice->deadline = MJ_TIME_NEVER;
        ice->next_consent = MJ_TIME_NEVER;
    }
}

static bool remote_ready(const mj_ice *ice)
{
    return ice->remote_ufrag_len && ice->remote_pwd_len && ice->n_remote;
}

static void start_checks(mj_ice *ice, mj_time now)
{
    for (size_t i = 0; i < ice->n_remote && i < MJ_ICE_TXNS; i++) {
        mj_ice_txn *t = &ice->txn[i];
        mj_rand_bytes(t->tid, sizeof t->tid);
        t->cand = (uint8_t)i;
        t->active = true;
        t->next_at = now + (mj_time)i * MJ_ICE_PACING;
        t->rto = MJ_ICE_RTO_INITIAL;
    }
    ice->deadline = now + ice->connect_timeout;
    set_state(ice, MJ_ICE_CHECKING);
}

/* Consent checks: a new transaction each time, sent once; the slot is
 * reused round-robin so late answers to the last few still count. */
static void queue_consent_check(mj_ice *ice, mj_time now)
{
    mj_ice_txn *t = &ice->txn[ice->next_slot];
    ice->next_slot = (uint8_t)((ice->next_slot + 1) % MJ_ICE_TXNS);
    mj_rand_bytes(t->tid, sizeof t->tid);
    t->cand = ice->sel_cand;
    t->active = true;
    t->next_at = now;
    t->rto = 0;
    /* 4-6 s, uniformly (RFC 7675 §5.1: 0.8-1.2 times 5 s). */
    ice->next_consent = now + MJ_MSEC(4000 + mj_rand_u32() % 2001);
}

void mj_ice_handle_timeout(mj_ice *ice, mj_time now)
{
    if (ice->state == MJ_ICE_FAILED) return;
    if (ice->role == MJ_ICE_CONTROLLING && ice->state == MJ_ICE_NEW && remote_ready(ice))
        start_checks(ice, now);
    if (now >= ice->deadline) {
        set_state(ice, MJ_ICE_FAILED);
        return;
    }
    if (ice->role == MJ_ICE_CONTROLLING && ice->state == MJ_ICE_CONNECTED &&
        now >= ice->next_consent)
        queue_consent_check(ice, now);
}

mj_time mj_ice_next_timeout(const mj_ice *ice)
{
    if (ice->state == MJ_ICE_FAILED) return MJ_TIME_NEVER;
    if (ice->role == MJ_ICE_LITE) return ice->deadline;
    if (ice->state == MJ_ICE_NEW) return remote_ready(ice) ? ice->started : MJ_TIME_NEVER;
    mj_time t = mj_time_min(ice->deadline, ice->next_consent);
    for (size_t i = 0; i < MJ_ICE_TXNS; i++)
        if (ice->txn[i].active) t = mj_time_min(t, ice->txn[i].next_at);
    return t;
}

enum mj_ice_state mj_ice_state_get(const mj_ice *ice)
{
    return (enum mj_ice_state)ice->state;
}

const char *mj_ice_state_name(enum mj_ice_state state)
{
    switch (state) {
    case MJ_ICE_NEW: return "new";
    case MJ_ICE_CHECKING: return "checking";
    case MJ_ICE_CONNECTED: return "connected";
    case MJ_ICE_FAILED: return "failed";
    }
    return "?";
}

const mj_addr *mj_ice_selected(const mj_ice *ice)
{
    return ice->has_selected ? &ice->selected : NULL;
}

bool mj_ice_validated(const mj_ice *ice, const mj_addr *a)
{
    if (ice->has_selected && mj_addr_eq(&ice->selected, a)) return true;
    if (ice->role != MJ_ICE_LITE) return false;
    for (size_t i = 0; i < ice->n_remote; i++)
        if (mj_addr_eq(&ice->remote[i].addr, a)) return true;
    return false;
}

size_t mj_ice_validated_count(const mj_ice *ice)
{
    return ice->role == MJ_ICE_LITE ? ice->n_remote : 0;
}

const mj_addr *mj_ice_validated_at(const mj_ice *ice, size_t i)
{
    return ice->role == MJ_ICE_LITE && i < ice->n_remote ? &ice->remote[i].addr : NULL;
}

mj_time mj_ice_last_check(const mj_ice *ice, const mj_addr *a)
{
    for (size_t i = 0; ice->role == MJ_ICE_LITE && i < ice->n_remote; i++)
        if (mj_addr_eq(&ice->remote[i].addr, a)) return ice->remote[i].seen;
    return MJ_TIME_NEVER;
}

void mj_ice_forget(mj_ice *ice, const mj_addr *a)
{
    if (ice->role != MJ_ICE_LITE) return;
    size_t at = ice->n_remote;
    for (size_t i = 0; i < ice->n_remote; i++)
        if (mj_addr_eq(&ice->remote[i].addr, a)) at = i;
    if (at == ice->n_remote) return;
    for (size_t i = at; i + 1 < ice->n_remote; i++)
        ice->remote[i] = ice->remote[i + 1];
    ice->n_remote--;
    ice->next_slot = (uint8_t)(ice->n_remote % MJ_ICE_MAX_REMOTE);
    if (!ice->has_selected || !mj_addr_eq(&ice->selected, a)) return;
    ice->nominated = false;
    ice->has_selected = false;
    size_t best = ice->n_remote;
    for (size_t i = 0; i < ice->n_remote; i++)
        if (best == ice->n_remote || ice->remote[i].seen > ice->remote[best].seen) best = i;
    if (best < ice->n_remote) {
        ice->selected = ice->remote[best].addr;
        ice->has_selected = true;
    }
}

bool mj_ice_nominated(const mj_ice *ice)
{
    return ice->nominated;
}

mj_slice mj_ice_local_ufrag(const mj_ice *ice)
{
    return mj_slice_make(ice->local_ufrag, ice->local_ufrag_len);
}

/* ---- requests (both roles answer them) ---- */

/* Every check but the role: USERNAME, FINGERPRINT, then the HMAC last
 * because it is the expensive one. */
static int verify_request(const mj_ice *ice, const mj_stun_msg *m)
{
    if (!m->has_username || !m->has_integrity) return MJ_EAUTH;
    if (!ice->remote_ufrag_len) return MJ_ESTATE;
    size_t lu = ice->local_ufrag_len, ru = ice->remote_ufrag_len;
    const uint8_t *u = m->username.p;
    if (m->username.n != lu + 1 + ru || memcmp(u, ice->local_ufrag, lu) != 0 || u[lu] != ':' ||
        memcmp(u + lu + 1, ice->remote_ufrag, ru) != 0)
        return MJ_EAUTH;
    if (m->has_fingerprint && mj_stun_check_fingerprint(m) < 0) return MJ_EINVAL;
    return mj_stun_check_integrity(m, ice->local_pwd, ice->local_pwd_len);
}

/* Appends the answer to m to reply: a success response with
 * XOR-MAPPED-ADDRESS, or a 420 naming the unknown attributes. */
static int write_answer(const mj_ice *ice, const mj_stun_msg *m, const mj_addr *from,
                        mj_wbuf *reply)
{
    if (!reply || reply->failed || reply->len > reply->cap) return MJ_ENOSPC;
    mj_stun_writer w;
    if (m->n_unknown) {
        mj_stun_writer_init(&w, reply->p + reply->len, reply->cap - reply->len,
                            MJ_STUN_BINDING_ERROR, m->tid);
        mj_stun_add_error(&w, 420, "Unknown Attribute");
        mj_stun_add_unknown(&w, m->unknown, m->n_unknown);
    } else {
        mj_stun_writer_init(&w, reply->p + reply->len, reply->cap - reply->len,
                            MJ_STUN_BINDING_SUCCESS, m->tid);
        mj_stun_add_xor_mapped(&w, from);
    }
    mj_stun_add_integrity(&w, ice->local_pwd, ice->local_pwd_len);
    mj_stun_add_fingerprint(&w);
    int len = mj_stun_finish(&w);
    if (len > 0) reply->len += (size_t)len;
    return len;
}

/* Remembers an address that passed a check (lite role). The controlling
 * peer may check from several of its candidates and start DTLS on the pair
 * it prefers before it nominates that pair, so every recently validated
 * address may carry DTLS and media; the oldest is forgotten first. */
static void lite_validate(mj_ice *ice, mj_time now, const mj_addr *from)
{
    for (size_t i = 0; i < ice->n_remote; i++) {
        if (mj_addr_eq(&ice->remote[i].addr, from)) {
            ice->remote[i].seen = now;
            return;
        }
    }
    size_t at = ice->n_remote < MJ_ICE_MAX_REMOTE ? ice->n_remote++ : ice->next_slot;
    ice->next_slot = (uint8_t)((at + 1) % MJ_ICE_MAX_REMOTE);
    ice->remote[at].addr = *from;
    ice->remote[at].priority = 0;
    ice->remote[at].seen = now;
}

/* RFC 8445 §7.3.1.5 / §8.2 for a lite agent, RFC 7675 for its consent. */
static void lite_accept(mj_ice *ice, mj_time now, bool nominate, const mj_addr *from)
{
    lite_validate(ice, now, from);
    if (nominate) {
        ice->selected = *from;
        ice->has_selected = true;
        ice->nominated = true;
        set_state(ice, MJ_ICE_CONNECTED);
    } else if (!ice->has_selected) {
        ice->selected = *from;
        ice->has_selected = true;
        set_state(ice, MJ_ICE_CHECKING);
    }
    if (!ice->nominated || mj_addr_eq(from, &ice->selected))
        ice->deadline = now + ice->consent_timeout;
}

static uint64_t seen_key(const mj_addr *from)
{
    return mj_addr_hash(from) | 1;
}

/* Lite: whether this check was answered before from another address.
 * Its integrity binds the credentials and the transaction, not the
 * address, so someone who saw a check can send it again from an address
 * of their own (or one they forge) and move the session's media there; a
 * browser's new checks have new transaction ids. A retransmission from
 * the same address is answered again. */
static bool lite_replayed(const mj_ice *ice, const mj_stun_msg *m, const mj_addr *from)
{
    for (size_t i = 0; i < MJ_ICE_TXNS; i++)
        if (ice->seen[i].from && memcmp(ice->seen[i].tid, m->tid, 12) == 0)
            return ice->seen[i].from != seen_key(from);
    return false;
}

static void lite_remember(mj_ice *ice, const mj_stun_msg *m, const mj_addr *from)
{
    for (size_t i = 0; i < MJ_ICE_TXNS; i++)
        if (ice->seen[i].from && memcmp(ice->seen[i].tid, m->tid, 12) == 0) return;
    memcpy(ice->seen[ice->next_seen].tid, m->tid, 12);
    ice->seen[ice->next_seen].from = seen_key(from);
    ice->next_seen = (uint8_t)((ice->next_seen + 1) % MJ_ICE_TXNS);
}

static int handle_request(mj_ice *ice, mj_time now, const mj_stun_msg *m, const mj_addr *from,
                          mj_wbuf *reply)
{
    int rc = verify_request(ice, m);
    if (rc < 0) return rc;
    /* The peer must claim the role opposite ours. */
    bool lite = ice->role == MJ_ICE_LITE;
    if (lite ? !m->has_controlling : !m->has_controlled) return MJ_EPROTO;
    if (lite && lite_replayed(ice, m, from)) return MJ_EREPLAY;
    rc = write_answer(ice, m, from, reply);
    if (rc < 0 || m->n_unknown || !lite) return rc;
    lite_accept(ice, now, m->use_candidate, from);
    lite_remember(ice, m, from);
    return rc;
}

/* ---- responses (controlling role) ---- */

static mj_ice_txn *find_txn(mj_ice *ice, const uint8_t tid[12])
{
    for (size_t i = 0; i < MJ_ICE_TXNS; i++)
        if (ice->txn[i].active && memcmp(ice->txn[i].tid, tid, 12) == 0) return &ice->txn[i];
    return NULL;
}

static bool find_active(const mj_ice *ice)
{
    for (size_t i = 0; i < MJ_ICE_TXNS; i++)
        if (ice->txn[i].active) return true;
    return false;
}

static void controlling_connect(mj_ice *ice, mj_time now, uint8_t cand)
{
    memset(ice->txn, 0, sizeof ice->txn);
    ice->next_slot = 0;
    ice->sel_cand = cand;
    ice->selected = ice->remote[cand].addr;
    ice->has_selected = true;
    ice->nominated = true; /* aggressive: the request carried USE-CANDIDATE */
    ice->deadline = now + ice->consent_timeout;
    ice->next_consent = now + MJ_MSEC(4000 + mj_rand_u32() % 2001);
    set_state(ice, MJ_ICE_CONNECTED);
}

static int handle_response(mj_ice *ice, mj_time now, const mj_stun_msg *m, const mj_addr *from)
{
    if (ice->role != MJ_ICE_CONTROLLING) return MJ_EPROTO; /* a lite agent never asked anything */
    mj_ice_txn *t = find_txn(ice, m->tid);
    if (!t) return MJ_ENOTFOUND;
    if (m->has_fingerprint && mj_stun_check_fingerprint(m) < 0) return MJ_EINVAL;
    int rc = mj_stun_check_integrity(m, ice->remote_pwd, ice->remote_pwd_len);
    if (rc < 0) return rc;
    if (m->n_unknown) return MJ_EUNSUPP; /* RFC 8489 §6.3.3: discard */
    uint8_t cand = t->cand;
    if (!mj_addr_eq(from, &ice->remote[cand].addr))
        return MJ_EPROTO; /* not symmetric, §7.2.5.2.1 */
    t->active = false;
    if (mj_stun_class_of(m->type) == MJ_STUN_ERROR) {
        /* This pair failed (§7.2.5.2.4); give up once every pair has. */
        if (ice->state == MJ_ICE_CHECKING && !find_active(ice)) set_state(ice, MJ_ICE_FAILED);
        return MJ_EPROTO;
    }
    if (ice->state == MJ_ICE_CHECKING)
        controlling_connect(ice, now, cand);
    else if (ice->state == MJ_ICE_CONNECTED && cand == ice->sel_cand)
        ice->deadline = now + ice->consent_timeout;
    return 0;
}

int mj_ice_handle_stun(mj_ice *ice, mj_time now, const uint8_t *d, size_t n, const mj_addr *from,
                       mj_wbuf *reply)
{
    mj_stun_msg m;
    int rc = mj_stun_parse(d, n, &m, NULL);
    if (rc < 0) return rc;
    mj_ice_handle_timeout(ice, now);
    if (ice->state == MJ_ICE_FAILED) return MJ_ESTATE;
    if (mj_stun_method(m.type) != MJ_STUN_BINDING) return MJ_EUNSUPP;
    switch (mj_stun_class_of(m.type)) {
    case MJ_STUN_REQUEST: return handle_request(ice, now, &m, from, reply);
    case MJ_STUN_INDICATION: return 0; /* keepalive, RFC 8445 §11 */
    default: return handle_response(ice, now, &m, from);
    }
}

/* ---- requests we send (controlling role) ---- */

static int write_request(const mj_ice *ice, const mj_ice_txn *t, uint8_t *buf, size_t cap)
{
    char user[2 * MJ_ICE_UFRAG_MAX + 1];
    size_t ru = ice->remote_ufrag_len, lu = ice->local_ufrag_len;
    memcpy(user, ice->remote_ufrag, ru);
    user[ru] = ':';
    memcpy(user + ru + 1, ice->local_ufrag, lu);
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, cap, MJ_STUN_BINDING_REQUEST, t->tid);
    mj_stun_add_username(&w, user, ru + 1 + lu);
    mj_stun_add_priority(&w, ice->priority);
    mj_stun_add_ice_controlling(&w, ice->tiebreaker);
    mj_stun_add_use_candidate(&w);
    mj_stun_add_integrity(&w, ice->remote_pwd, ice->remote_pwd_len);
    mj_stun_add_fingerprint(&w);
    return mj_stun_finish(&w);
}

int mj_ice_poll_transmit(mj_ice *ice, mj_time now, uint8_t *buf, size_t cap, mj_addr *to)
{
    if (ice->role != MJ_ICE_CONTROLLING) return 0;
    mj_ice_handle_timeout(ice, now);
    if (ice->state != MJ_ICE_CHECKING && ice->state != MJ_ICE_CONNECTED) return 0;
    for (size_t i = 0; i < MJ_ICE_TXNS; i++) {
        mj_ice_txn *t = &ice->txn[i];
        if (!t->active || t->next_at > now) continue;
        int len = write_request(ice, t, buf, cap);
        if (len < 0) return len;
        *to = ice->remote[t->cand].addr;
        if (t->rto == 0) {
            t->next_at = MJ_TIME_NEVER;
        } else {
            t->next_at = now + t->rto;
            t->rto = t->rto * 2 < MJ_ICE_RTO_MAX ? t->rto * 2 : MJ_ICE_RTO_MAX;
        }
        return len;
    }
    return 0;
}
