#include "rtc/peer.h"

#include "base/log.h"
#include "proto/demux.h"
#include "proto/stun.h"

#include <string.h>

enum { EV_CONNECTED = 1, EV_CLOSED = 2, EV_HANDSHAKE_DONE = 4 };

int mj_peer_init(mj_peer *p, const mj_peer_config *cfg, mj_time now)
{
    memset(p, 0, sizeof *p);
    p->is_server = cfg->is_server;
    p->outbound_only = cfg->outbound_only;
    p->inbound_later = cfg->outbound_only && cfg->inbound_later;
    p->external_dtls = cfg->external_dtls;
    p->dtls_release_at = MJ_TIME_NEVER;
    p->connect_deadline = cfg->connect_timeout > 0 ? now + cfg->connect_timeout : MJ_TIME_NEVER;
    mj_ice_config ic = {
        .role = cfg->is_server ? MJ_ICE_LITE : MJ_ICE_CONTROLLING,
        .local_ufrag = cfg->local_ufrag,
        .local_pwd = cfg->local_pwd,
        .remote_ufrag = cfg->remote_ufrag,
        .remote_pwd = cfg->remote_pwd,
        .consent_timeout = cfg->consent_timeout,
    };
    int err = mj_ice_init(&p->ice, &ic, now);
    if (err || p->external_dtls) return err;
    /* The server's DTLS object exists from the start so the ClientHello,
     * which follows the first successful check, meets a ready handshake;
     * the client creates its own when ICE connects. */
    err = mj_dtls_new(&p->dtls, cfg->identity, cfg->is_server, cfg->remote_fp_alg, cfg->remote_fp,
                      cfg->remote_fp_len);
    if (err) return err;
    return 0;
}

static void forget_keys(mj_peer *p)
{
    mj_srtp_keys_wipe(&p->kept);
    p->keys_kept = false;
}

void mj_peer_dispose(mj_peer *p)
{
    forget_keys(p);
    if (p->dtls) mj_dtls_free(p->dtls);
    p->dtls = NULL;
    if (p->srtp_ready) mj_srtp_dispose(&p->srtp);
    p->srtp_ready = false;
}

int mj_peer_add_remote_candidate(mj_peer *p, const mj_addr *addr, uint32_t priority)
{
    return mj_ice_add_remote_candidate(&p->ice, addr, priority);
}

static void close_with(mj_peer *p, enum mj_peer_close_reason why)
{
    if (p->state == MJ_PEER_CLOSED) return;
    p->state = MJ_PEER_CLOSED;
    p->close_reason = (uint8_t)why;
    p->pending |= EV_CLOSED;
}

static void release_dtls(mj_peer *p)
{
    if (p->dtls) {
        mj_dtls_free(p->dtls);
        p->dtls = NULL;
    }
    p->dtls_release_at = MJ_TIME_NEVER;
}

/* The handshake is done: SRTP from its keys, and the peer is CONNECTED. */
static int keys_ready(mj_peer *p, mj_time now, const mj_srtp_keys *keys)
{
    int err = mj_srtp_init(&p->srtp, keys, p->outbound_only ? MJ_SRTP_OUTBOUND_ONLY : 0);
    if (err) {
        mj_warn("peer: cannot set up SRTP: %s", mj_strerror(err));
        return err;
    }
    if (p->outbound_only && p->inbound_later) {
        /* Only what reading needs: the remote's key and salt. */
        p->kept = *keys;
        explicit_bzero(p->kept.local_key, sizeof p->kept.local_key);
        explicit_bzero(p->kept.local_salt, sizeof p->kept.local_salt);
        p->keys_kept = true;
    }
    p->srtp_ready = true;
    p->state = MJ_PEER_CONNECTED;
    p->pending |= EV_CONNECTED;
    p->connect_deadline = MJ_TIME_NEVER;
    if (!p->external_dtls) p->dtls_release_at = now + MJ_PEER_DTLS_RELEASE;
    return 0;
}

/* After every input: follow ICE and DTLS state into the peer's state. */
static void update_state(mj_peer *p, mj_time now)
{
    if (p->state == MJ_PEER_CLOSED) return;
    enum mj_ice_state is = mj_ice_state_get(&p->ice);
    if (is == MJ_ICE_FAILED) {
        close_with(p, p->state == MJ_PEER_NEW && !p->is_server ? MJ_PEER_ICE_FAILED
                                                               : MJ_PEER_CONSENT_EXPIRED);
        return;
    }
    if (p->state == MJ_PEER_NEW && mj_ice_selected(&p->ice) &&
        (is == MJ_ICE_CONNECTED || p->is_server)) {
        p->state = MJ_PEER_CONNECTING;
        if (!p->is_server && p->dtls && !p->dtls_started) {
            p->dtls_started = true;
            if (mj_dtls_start(p->dtls) != 0) {
                close_with(p, MJ_PEER_DTLS_FAILED);
                return;
            }
        }
    }
    if (!p->dtls) return;
    enum mj_dtls_state ds = mj_dtls_state_get(p->dtls);
    if (p->srtp_ready) {
        /* A close_notify while the DTLS state is still held ends the
         * peer now rather than at the consent timeout. */
        if (ds == MJ_DTLS_CLOSED) close_with(p, MJ_PEER_DTLS_CLOSED);
        return;
    }
    if (ds == MJ_DTLS_FAILED) {
        close_with(p, MJ_PEER_DTLS_FAILED);
    } else if (ds == MJ_DTLS_CLOSED) {
        close_with(p, MJ_PEER_DTLS_CLOSED);
    } else if (ds == MJ_DTLS_CONNECTED) {
        mj_srtp_keys keys;
        int err = mj_dtls_srtp_keys(p->dtls, &keys);
        if (!err) err = keys_ready(p, now, &keys);
        mj_srtp_keys_wipe(&keys);
        if (err) close_with(p, MJ_PEER_DTLS_FAILED);
    }
}

bool mj_peer_accepts(const mj_peer *p, const uint8_t *d, size_t n, const mj_addr *from)
{
    if (mj_demux_classify(d, n) == MJ_PKT_STUN) {
        mj_slice local;
        if (mj_stun_peek_ufrag(d, n, &local, NULL) == 0) {
            mj_slice mine = mj_ice_local_ufrag(&p->ice);
            return mj_slice_eq(local, mine);
        }
    }
    return mj_ice_validated(&p->ice, from);
}

static int handle_stun(mj_peer *p, mj_time now, const uint8_t *d, size_t n, const mj_addr *from)
{
    mj_wbuf w;
    mj_wbuf_init(&w, p->reply, sizeof p->reply);
    int r = mj_ice_handle_stun(&p->ice, now, d, n, from, &w);
    if (r > 0) {
        p->reply_len = (uint8_t)r;
        p->reply_to = *from;
    }
    update_state(p, now);
    return r < 0 ? r : 0;
}

static int handle_dtls(mj_peer *p, mj_time now, const uint8_t *d, size_t n)
{
    if (!p->dtls) return MJ_ESTATE; /* released: late retransmissions are dropped */
    int err = mj_dtls_handle_datagram(p->dtls, now, d, n);
    update_state(p, now);
    return err;
}

static void remote_has_keys(mj_peer *p)
{
    /* An authenticated packet proves the remote finished its handshake,
     * so it will never need our DTLS retransmissions again. */
    if (p->dtls) release_dtls(p);
    if (p->external_dtls && !p->remote_keyed) {
        p->remote_keyed = true;
        p->pending |= EV_HANDSHAKE_DONE;
    }
}

int mj_peer_handle_datagram(mj_peer *p, mj_time now, uint8_t *d, size_t n, const mj_addr *from,
                            mj_peer_input *in)
{
    in->kind = MJ_PEER_IN_NONE;
    in->data = NULL;
    in->len = 0;
    if (p->state == MJ_PEER_CLOSED) return MJ_ESTATE;
    mj_pkt_kind kind = mj_demux_classify(d, n);
    if (kind == MJ_PKT_STUN) return handle_stun(p, now, d, n, from);
    /* Everything else must come from an address ICE validated. */
    if (!mj_ice_validated(&p->ice, from)) return MJ_EAUTH;
    long len;
    if (p->outbound_only && (kind == MJ_PKT_RTP || kind == MJ_PKT_RTCP)) {
        if (p->srtp_ready) remote_has_keys(p);
        return 0; /* nothing to read: a listener's reports are not used */
    }
    switch (kind) {
    case MJ_PKT_DTLS:
        if (p->external_dtls) {
            in->kind = MJ_PEER_IN_DTLS;
            len = (long)n;
            break;
        }
        p->dtls_to = *from;
        p->has_dtls_to = true;
        return handle_dtls(p, now, d, n);
    case MJ_PKT_RTP:
        if (!p->srtp_ready) return MJ_ESTATE;
        len = mj_srtp_unprotect_rtp(&p->srtp, d, n);
        if (len < 0) return (int)len;
        remote_has_keys(p);
        in->kind = MJ_PEER_IN_RTP;
        break;
    case MJ_PKT_RTCP:
        if (!p->srtp_ready) return MJ_ESTATE;
        len = mj_srtp_unprotect_rtcp(&p->srtp, d, n);
        if (len < 0) return (int)len;
        remote_has_keys(p);
        in->kind = MJ_PEER_IN_RTCP;
        break;
    default: return MJ_EINVAL;
    }
    in->data = d;
    in->len = (size_t)len;
    return 0;
}

void mj_peer_handle_timeout(mj_peer *p, mj_time now)
{
    if (p->state == MJ_PEER_CLOSED) return;
    if (mj_ice_next_timeout(&p->ice) <= now) mj_ice_handle_timeout(&p->ice, now);
    if (p->dtls && mj_dtls_next_timeout(p->dtls, now) <= now) mj_dtls_handle_timeout(p->dtls, now);
    if (p->dtls_release_at <= now) release_dtls(p);
    update_state(p, now);
    if (p->connect_deadline <= now && p->state != MJ_PEER_CONNECTED)
        close_with(p, MJ_PEER_CONNECT_TIMEOUT);
}

mj_time mj_peer_next_timeout(const mj_peer *p, mj_time now)
{
    if (p->state == MJ_PEER_CLOSED) return MJ_TIME_NEVER;
    mj_time t = mj_ice_next_timeout(&p->ice);
    t = mj_time_min(t, p->dtls_release_at);
    t = mj_time_min(t, p->connect_deadline);
    /* A server's DTLS has no timer until the ClientHello arrives; a
     * client's is started when ICE connects. */
    if (p->dtls && (p->is_server || p->dtls_started)) {
        mj_time d = mj_dtls_next_timeout(p->dtls, now);
        if (d != MJ_TIME_NEVER) t = mj_time_min(t, d);
    }
    return t;
}

long mj_peer_poll_transmit(mj_peer *p, mj_time now, uint8_t *buf, size_t cap, mj_addr *to)
{
    if (p->reply_len) {
        size_t n = p->reply_len;
        p->reply_len = 0;
        if (n > cap) return MJ_ENOSPC;
        memcpy(buf, p->reply, n);
        *to = p->reply_to;
        return (long)n;
    }
    if (!p->is_server && p->state != MJ_PEER_CLOSED) {
        int r = mj_ice_poll_transmit(&p->ice, now, buf, cap, to);
        if (r != 0) return r;
    }
    /* DTLS answers go back where the handshake came from; before any
     * arrived (a client's ClientHello), to the selected address. */
    const mj_addr *dest = p->has_dtls_to ? &p->dtls_to : mj_ice_selected(&p->ice);
    if (p->dtls && dest) {
        long r = mj_dtls_poll_transmit(p->dtls, buf, cap);
        if (r > 0) *to = *dest;
        return r;
    }
    return 0;
}

enum mj_peer_event mj_peer_poll_event(mj_peer *p)
{
    if (p->pending & EV_CONNECTED) {
        p->pending &= (uint8_t)~EV_CONNECTED;
        return MJ_PEER_EV_CONNECTED;
    }
    if (p->pending & EV_HANDSHAKE_DONE) {
        p->pending &= (uint8_t)~EV_HANDSHAKE_DONE;
        return MJ_PEER_EV_HANDSHAKE_DONE;
    }
    if (p->pending & EV_CLOSED) {
        p->pending &= (uint8_t)~EV_CLOSED;
        return MJ_PEER_EV_CLOSED;
    }
    return MJ_PEER_EV_NONE;
}

int mj_peer_start_inbound(mj_peer *p)
{
    if (!p->outbound_only) return 0;
    if (p->srtp_ready && !mj_srtp_has_inbound(&p->srtp)) {
        if (!p->keys_kept) return MJ_ESTATE;
        int err = mj_srtp_add_inbound(&p->srtp, &p->kept);
        if (err) return err; /* the key stays for another try */
        forget_keys(p);
    }
    p->outbound_only = false;
    return 0;
}

long mj_peer_protect_rtcp(mj_peer *p, uint8_t *buf, size_t len, size_t cap)
{
    if (!p->srtp_ready) return MJ_ESTATE;
    return mj_srtp_protect_rtcp(&p->srtp, buf, len, cap);
}

enum mj_peer_close_reason mj_peer_close_reason_get(const mj_peer *p)
{
    return (enum mj_peer_close_reason)p->close_reason;
}

const char *mj_peer_close_reason_name(enum mj_peer_close_reason r)
{
    switch (r) {
    case MJ_PEER_OPEN: return "open";
    case MJ_PEER_ICE_FAILED: return "ice failed";
    case MJ_PEER_CONSENT_EXPIRED: return "consent expired";
    case MJ_PEER_DTLS_FAILED: return "dtls failed";
    case MJ_PEER_DTLS_CLOSED: return "dtls closed";
    case MJ_PEER_LOCAL_CLOSE: return "closed";
    case MJ_PEER_CONNECT_TIMEOUT: return "not connected in time";
    case MJ_PEER_TRANSPORT_CLOSED: return "transport closed";
    }
    return "?";
}

int mj_peer_handshake_done(mj_peer *p, mj_time now, const mj_srtp_keys *keys)
{
    if (!p->external_dtls || p->srtp_ready || p->state == MJ_PEER_CLOSED) return MJ_ESTATE;
    int err = keys_ready(p, now, keys);
    if (err) close_with(p, MJ_PEER_DTLS_FAILED);
    return err;
}

void mj_peer_handshake_failed(mj_peer *p, bool closed)
{
    if (p->external_dtls) close_with(p, closed ? MJ_PEER_DTLS_CLOSED : MJ_PEER_DTLS_FAILED);
}

void mj_peer_close(mj_peer *p)
{
    if (p->dtls && p->state != MJ_PEER_CLOSED) mj_dtls_close(p->dtls);
    close_with(p, MJ_PEER_LOCAL_CLOSE);
}

void mj_peer_transport_closed(mj_peer *p)
{
    close_with(p, MJ_PEER_TRANSPORT_CLOSED);
}
