/* Fuzz target for the SFU's datagram entry point, with live sessions: a
 * speaker and two listeners in one room, connected for real (ICE, DTLS,
 * SRTP) through memnet, then fed what the input says.
 *
 * The first byte picks who sends and what:
 *   bits 0-1  the source: the speaker's address, a listener's, another
 *             listener's, or an address no session has
 *   bits 2-4  0-3: the rest as a raw datagram (STUN, DTLS, junk, forged
 *             SRTP); 4: the rest as an RTP packet that the source's own
 *             keys protect, so the SFU reads it (an authenticated sender
 *             with a malformed or hostile packet); 5: the same for RTCP;
 *             6: time moves on by the next byte's milliseconds x 100 and
 *             the timers run; 7: the speaker sends a well-formed packet
 *   bit 5     then the source's connection closes (an ICE-TCP connection,
 *             mj_sfu_addr_closed): nothing is routed to it any more
 *
 * Sessions that close (consent, close_notify) are made again, so every
 * input meets live ones. What the SFU sends is delivered to the clients,
 * which checks it decrypts, and forwarded packets must come from the
 * speaker's voice. */
#include "memnet.h"

#include "proto/rtp.h"

#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static mj_dtls_identity *server_id, *client_id;
static memnet net;
static memnet_client *who[3]; /* speaker, listener, listener */
static mj_addr stranger;
static uint16_t seq = 1;

static void heard(memnet *n, memnet_client *c, const uint8_t *p, size_t len)
{
    (void)n, (void)c;
    mj_rtp_hdr h;
    /* Whatever is forwarded parses, and only the speaker's packets (or
     * authenticated ones the fuzzer made as the speaker) are. */
    ASSERT(mj_rtp_parse(p, len, &h, NULL) == 0);
}

static bool alive(memnet_client *c)
{
    return c && memnet_session_connected(&net, c->session) &&
           mj_peer_state_get(&c->peer) == MJ_PEER_CONNECTED;
}

static void setup(void)
{
    if (!server_id) {
        if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
            mj_dtls_identity_new(&client_id) != 0)
            abort();
        mj_addr_parse("192.0.2.77:4444", &stranger);
    }
    if (alive(who[0]) && alive(who[1]) && alive(who[2])) return;
    if (net.sfu) memnet_free(&net);
    if (memnet_init(&net, server_id, client_id, 16) != 0) abort();
    net.on_rtp = heard;
    who[0] = memnet_speaker(&net, "room1");
    who[1] = memnet_listener(&net, 3, "room1");
    who[2] = memnet_listener(&net, 1, "room1");
    if (!who[0] || !who[1] || !who[2]) abort();
}

static void send_from(int src, uint8_t *d, size_t n)
{
    const mj_addr *from = src < 3 ? &who[src]->addr : &stranger;
    mj_sfu_handle_datagram(net.sfu, net.now, d, n, from, &net.txq);
    mj_txq_flush(&net.txq);
}

/* The input's bytes as an RTP or RTCP packet protected with the source's
 * own keys. */
static void send_protected(int src, bool rtcp, const uint8_t *d, size_t n)
{
    if (src >= 3 || n < (rtcp ? 8u : 12u) || n > 1200) return;
    uint8_t buf[1500];
    memcpy(buf, d, n);
    buf[0] = (uint8_t)((buf[0] & 0x3f) | 0x80); /* version 2, or the demux drops it */
    if (rtcp)
        buf[1] = (uint8_t)(200 + buf[1] % 8); /* RTCP packet types */
    else
        buf[1] &= 0x7f; /* not an RTCP type */
    long len = rtcp ? mj_peer_protect_rtcp(&who[src]->peer, buf, n, sizeof buf)
                    : mj_peer_protect_rtp(&who[src]->peer, buf, n, sizeof buf);
    if (len > 0) send_from(src, buf, (size_t)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    setup();
    int src = data[0] & 3;
    int mode = (data[0] >> 2) & 7;
    uint8_t buf[2048];
    size_t n = size - 1 < sizeof buf ? size - 1 : sizeof buf;
    memcpy(buf, data + 1, n);
    switch (mode) {
    case 4: send_protected(src, false, buf, n); break;
    case 5: send_protected(src, true, buf, n); break;
    case 6: memnet_pump(&net, MJ_MSEC(100) * (n ? buf[0] : 1)); break;
    case 7: memnet_speak(&net, who[0], seq++, n ? buf[0] & 127 : 10, 0x5a); break;
    default: send_from(src, buf, n); break;
    }
    if (data[0] & 0x20) {
        mj_addr gone = src < 3 ? who[src]->addr : stranger;
        mj_sfu_addr_closed(net.sfu, net.now, &gone, &net.txq);
        ASSERT(!mj_sfu_addr_routed(net.sfu, net.now, &gone));
    }
    mj_sfu_handle_timeouts(net.sfu, net.now, &net.txq);
    mj_txq_flush(&net.txq);
    mj_sfu_event ev;
    while (mj_sfu_poll_event(net.sfu, &ev)) {}
    const mj_sfu_stats *st = mj_sfu_stats_get(net.sfu);
    ASSERT(st->sessions_active <= 3);
    return 0;
}
