/* The ICE agent, sans-IO: STUN connectivity checks and consent freshness
 * for one media stream (one component, rtcp-mux, BUNDLE).
 *
 * Two roles:
 *
 *  MJ_ICE_LITE — the server (majlis). RFC 8445 §2.5 / §6.1.1 lite
 *   implementation, always controlled; RFC 8839 credentials. It never sends
 *   checks; it answers Binding requests (§7.3) that pass every check:
 *     USERNAME == "LOCALUFRAG:REMOTEUFRAG" (§7.2.2),
 *     FINGERPRINT correct when present (RFC 8489 §14.7),
 *     MESSAGE-INTEGRITY keyed with the LOCAL password (§7.2.2, RFC 8489
 *       §9.1.3),
 *     ICE-CONTROLLING present (the browser is controlling).
 *   The answer is a Binding success response with XOR-MAPPED-ADDRESS = the
 *   source, MESSAGE-INTEGRITY (local password) and FINGERPRINT. A request
 *   that fails a check gets no answer (we prefer silence to 400/401 for
 *   unauthenticated traffic), a negative code, and never changes the
 *   agent. An authenticated request with unknown comprehension-required
 *   attributes is answered 420 (RFC 8489 §6.3.1) without changing state.
 *   Selection (§8.2, §7.3.1.5): the first valid check's source becomes the
 *   provisional selected address (state CHECKING, nominated false); a
 *   valid check with USE-CANDIDATE selects its source (state CONNECTED,
 *   nominated true); a later nominating check from another address moves
 *   the selection there (the client roamed or its NAT rebound).
 *   Consent (RFC 7675 §5.1, receiver side): every valid check from the
 *   selected address (any valid check before nomination) pushes the
 *   deadline to now + consent_timeout (30 s). At the deadline the agent is
 *   FAILED for good: the caller must stop sending and tear the peer down.
 *   The first deadline is counted from mj_ice_init.
 *
 *  MJ_ICE_CONTROLLING — our own C client (bot, loadgen) against a lite
 *   server: a full agent with aggressive nomination (RFC 8445 §8.1.1 allows
 *   it towards a lite peer), host candidates only and one local address
 *   (the socket the caller sends from). Every remote candidate gets one
 *   Binding transaction with USERNAME "REMOTEUFRAG:LOCALUFRAG", PRIORITY,
 *   ICE-CONTROLLING (tie-breaker), USE-CANDIDATE, MESSAGE-INTEGRITY (REMOTE
 *   password) and FINGERPRINT, retransmitted after 50 ms, doubling up to
 *   1 s, until connect_timeout (10 s) → FAILED. The first authenticated
 *   success response whose transaction id matches and whose source is the
 *   address the request went to (§7.2.5.2.1) selects that candidate →
 *   CONNECTED, nominated. Then a consent check (new transaction each time,
 *   sent once, USE-CANDIDATE kept so the server follows a rebinding NAT)
 *   goes out every 4–6 s, randomized (RFC 7675 §5.1); responses to any of
 *   the last MJ_ICE_TXNS checks count; none for consent_timeout → FAILED.
 *   It also answers authenticated requests that carry ICE-CONTROLLED
 *   (a full controlled peer), without changing state. Role conflicts
 *   (§7.3.1.1) are not resolved: such requests are dropped.
 *
 * Not implemented: candidate gathering, TURN, multiple components, ICE
 * restarts (make a new agent), the 487 role-conflict dance.
 *
 * Driving (str0m/quicly style). The caller owns the struct (embed it; no
 * heap), one thread drives it, time is passed in:
 *
 *   mj_ice_init(&ice, &cfg, now);
 *   on a STUN datagram (mj_stun_is_stun):
 *       n = mj_ice_handle_stun(&ice, now, d, len, &from, &reply);
 *       n > 0: send the n bytes appended to reply back to `from`, FROM THE
 *              SAME LOCAL SOCKET the request arrived on (the browser's
 *              check only succeeds if the response comes from the address
 *              it sent to);
 *       n < 0: dropped; count it by code (MJ_EAUTH, MJ_EINVAL, ...).
 *   when now >= mj_ice_next_timeout(&ice): mj_ice_handle_timeout(&ice, now);
 *   controlling: after each of the above,
 *       while ((n = mj_ice_poll_transmit(&ice, now, buf, cap, &to)) > 0)
 *           send buf[0..n) to `to`;
 *   check mj_ice_state_get() / mj_ice_selected() after each call.
 *
 * The agent keeps copies of the credentials; the config's strings may be
 * freed after mj_ice_init / mj_ice_set_remote. */
#ifndef MJ_RTC_ICE_H
#define MJ_RTC_ICE_H

#include "base/addr.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_ICE_UFRAG_MIN  4  /* RFC 8839 §5.4 */
#define MJ_ICE_UFRAG_MAX  32 /* ours; RFC allows 256 */
#define MJ_ICE_PWD_MIN    22
#define MJ_ICE_PWD_MAX    64 /* ours; RFC allows 256 */
#define MJ_ICE_MAX_REMOTE 4  /* remote candidates (controlling role) */
#define MJ_ICE_TXNS       4  /* outstanding transactions (controlling role) */

#define MJ_ICE_CONSENT_TIMEOUT MJ_SEC(30) /* RFC 7675 §5.1 */
#define MJ_ICE_CONNECT_TIMEOUT MJ_SEC(10)
#define MJ_ICE_RTO_INITIAL     MJ_MSEC(50)
#define MJ_ICE_RTO_MAX         MJ_SEC(1)
#define MJ_ICE_PACING          MJ_MSEC(50) /* Ta between first checks, RFC 8445 §14.2 */
/* The largest datagrams the agent writes: an answer (a 420 naming
 * MJ_STUN_MAX_UNKNOWN types; a success response is at most 76 bytes) and
 * a check with both ufrags at their longest. */
#define MJ_ICE_REPLY_MAX   100
#define MJ_ICE_REQUEST_MAX 148
/* PRIORITY sent by the controlling role: a peer-reflexive candidate
 * (type preference 110), local preference 65535, component 1 (§5.1.2.1). */
#define MJ_ICE_PRFLX_PRIORITY ((110u << 24) | (65535u << 8) | 255u)

enum mj_ice_role { MJ_ICE_LITE = 0, MJ_ICE_CONTROLLING = 1 };

enum mj_ice_state {
    MJ_ICE_NEW = 0,   /* nothing valid yet */
    MJ_ICE_CHECKING,  /* lite: a valid check, not nominated; controlling: checks out */
    MJ_ICE_CONNECTED, /* a nominated, selected address */
    MJ_ICE_FAILED,    /* gave up, or consent expired; terminal */
};

typedef struct mj_ice_config {
    enum mj_ice_role role;
    const char *local_ufrag;  /* required: ice-chars, 4..32 */
    const char *local_pwd;    /* required: ice-chars, 22..64 */
    const char *remote_ufrag; /* may be NULL here and given to mj_ice_set_remote */
    const char *remote_pwd;   /* the lite role does not need it */
    uint64_t tiebreaker;      /* 0: drawn from mj_rand_u64 */
    uint32_t priority;        /* controlling: PRIORITY sent; 0: MJ_ICE_PRFLX_PRIORITY */
    mj_time consent_timeout;  /* 0: MJ_ICE_CONSENT_TIMEOUT */
    mj_time connect_timeout;  /* controlling: 0: MJ_ICE_CONNECT_TIMEOUT */
} mj_ice_config;

typedef struct mj_ice_remote {
    mj_addr addr;
    uint32_t priority;
    mj_time seen; /* lite: the last valid check from addr */
} mj_ice_remote;

typedef struct mj_ice_txn {
    uint8_t tid[12];
    uint8_t cand;    /* index into remote[] */
    bool active;     /* waiting for a response */
    mj_time next_at; /* next (re)transmission; MJ_TIME_NEVER for a consent check */
    mj_time rto;     /* 0 for a consent check (sent once) */
} mj_ice_txn;

/* Plain data; the fields are private to ice.c. */
typedef struct mj_ice {
    uint8_t role, state;
    bool nominated, has_selected;
    uint8_t n_remote, sel_cand, next_slot, next_seen;
    uint8_t local_ufrag_len, local_pwd_len, remote_ufrag_len, remote_pwd_len;
    char local_ufrag[MJ_ICE_UFRAG_MAX], remote_ufrag[MJ_ICE_UFRAG_MAX];
    char local_pwd[MJ_ICE_PWD_MAX], remote_pwd[MJ_ICE_PWD_MAX];
    uint32_t priority;
    uint64_t tiebreaker;
    mj_time consent_timeout, connect_timeout;
    mj_time started;      /* mj_ice_init's now */
    mj_time deadline;     /* consent expiry, or (controlling, CHECKING) give-up time */
    mj_time next_consent; /* controlling, CONNECTED */
    mj_addr selected;
    /* Controlling: the candidates to check. Lite: the addresses that
     * passed a check, most recent MJ_ICE_MAX_REMOTE (next_slot rotates). */
    mj_ice_remote remote[MJ_ICE_MAX_REMOTE];
    union {
        mj_ice_txn txn[MJ_ICE_TXNS]; /* controlling: its checks */
        /* Lite: the last checks answered, and where from (mj_addr_hash
         * | 1; 0: none), so that a check replayed from elsewhere is
         * refused. */
        struct {
            uint8_t tid[12];
            uint64_t from;
        } seen[MJ_ICE_TXNS];
    };
} mj_ice;

/* Copies the configuration. 0, or MJ_EINVAL for missing or malformed
 * credentials (not ice-chars, too short or too long), which leaves the
 * agent FAILED. */
MJ_MUST_USE int mj_ice_init(mj_ice *ice, const mj_ice_config *cfg, mj_time now);

/* Sets the remote credentials learnt from the peer's SDP (pwd may be NULL
 * in the lite role). Only before any check: MJ_ESTATE afterwards. */
MJ_MUST_USE int mj_ice_set_remote(mj_ice *ice, const char *ufrag, const char *pwd);

/* Controlling role: adds a remote candidate (kept sorted by priority).
 * MJ_ENOSPC when MJ_ICE_MAX_REMOTE are known, MJ_EEXIST for a duplicate,
 * MJ_EINVAL for an unset address, MJ_ESTATE in the lite role or once
 * CONNECTED/FAILED. */
MJ_MUST_USE int mj_ice_add_remote_candidate(mj_ice *ice, const mj_addr *addr, uint32_t priority);

/* Handles one STUN datagram from `from`. Appends any answer to *reply
 * (which must not be NULL) and returns its length; 0 when there is nothing
 * to send; negative when the datagram was dropped: MJ_EINVAL/MJ_ETRUNC/
 * MJ_ELIMIT (malformed, bad FINGERPRINT), MJ_EAUTH (USERNAME or
 * MESSAGE-INTEGRITY missing or wrong), MJ_EPROTO (wrong role, error
 * response, response from the wrong address), MJ_ENOTFOUND (response to
 * no outstanding transaction), MJ_EUNSUPP (not Binding, or a response
 * with unknown comprehension-required attributes), MJ_ESTATE (FAILED, or
 * remote credentials unknown), MJ_ENOSPC (reply too small). A rejected
 * datagram never changes the agent, with one exception: an authenticated
 * error response to our own check (MJ_EPROTO) ends that check, and FAILS
 * a controlling agent whose every check has ended so. Timers due at `now`
 * run first, as in mj_ice_handle_timeout. `from` must be a set address. */
MJ_MUST_USE int mj_ice_handle_stun(mj_ice *ice, mj_time now, const uint8_t *d, size_t n,
                                   const mj_addr *from, mj_wbuf *reply);

/* Controlling role: writes the next due request into buf and its
 * destination into *to; returns its length, 0 when nothing is due, or a
 * negative error (MJ_ENOSPC: cap too small, the request stays due). Call
 * until it returns 0. Always 0 in the lite role. */
MJ_MUST_USE int mj_ice_poll_transmit(mj_ice *ice, mj_time now, uint8_t *buf, size_t cap,
                                     mj_addr *to);

/* Runs the timers due at now (consent expiry, give-up, consent checks). */
void mj_ice_handle_timeout(mj_ice *ice, mj_time now);

/* When mj_ice_handle_timeout (or, controlling, mj_ice_poll_transmit) must
 * next be called; MJ_TIME_NEVER when FAILED. May be in the past. */
mj_time mj_ice_next_timeout(const mj_ice *ice);

enum mj_ice_state mj_ice_state_get(const mj_ice *ice);
const char *mj_ice_state_name(enum mj_ice_state state);

/* The address to send media to, or NULL until there is one. In the lite
 * role it may be provisional (not nominated) while CHECKING, and it may
 * change later; read it again after every mj_ice_handle_stun. */
const mj_addr *mj_ice_selected(const mj_ice *ice);
bool mj_ice_nominated(const mj_ice *ice);
/* May datagrams from a carry DTLS and media? True for the selected address
 * and, in the lite role, for the last MJ_ICE_MAX_REMOTE addresses that
 * passed a check (a controlling peer may start DTLS on a pair before it
 * nominates it). */
bool mj_ice_validated(const mj_ice *ice, const mj_addr *a);
/* Lite role: the validated addresses (0..MJ_ICE_MAX_REMOTE), for callers
 * that route datagrams by source address. */
size_t mj_ice_validated_count(const mj_ice *ice);
const mj_addr *mj_ice_validated_at(const mj_ice *ice, size_t i);

/* Lite role: when the last valid check from a arrived; MJ_TIME_NEVER when
 * a is not a validated address. */
mj_time mj_ice_last_check(const mj_ice *ice, const mj_addr *a);
/* Lite role: a is no longer a validated address (its owner is another
 * peer, and a check from it is taken for a spoof). If it was the selected
 * address, the most recently checked other one is selected (not
 * nominated), or none. */
void mj_ice_forget(mj_ice *ice, const mj_addr *a);

/* The local ufrag, for confirming a ufrag-keyed lookup (mj_stun_peek_ufrag). */
mj_slice mj_ice_local_ufrag(const mj_ice *ice);

#endif
