/* Classifies one UDP datagram that arrived on a shared media port as STUN,
 * DTLS, RTP or RTCP, by its first two bytes, before any per-protocol
 * parsing.
 *
 * Implements RFC 7983 §7 (first byte ranges, updating RFC 5764 §5.1.2) and
 * RFC 5761 §4 (RTP and RTCP on one port). First byte:
 *
 *     0..3      STUN (RFC 5389: the two top bits are zero)
 *     20..63    DTLS (content types 20..63)
 *     128..191  RTP or RTCP (version 2)
 *     anything else (ZRTP 16..19, TURN channels 64..79, QUIC 192..255 in
 *     RFC 9443, ...) is not spoken here: MJ_PKT_UNKNOWN, drop and count.
 *
 * RTP versus RTCP: the second byte is the RTCP packet type, or the RTP marker
 * bit followed by the payload type. RTCP types in use are 192..223 (SR 200,
 * RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207, ...).
 * RFC 5761 §4 has senders that multiplex avoid RTP payload types 64..95,
 * precisely so that PT 64..95 with the marker bit set (second byte
 * 192..223) can never be taken for RTP. So:
 *
 *     second byte 192..223  RTCP (an RTP packet with PT 72 and the marker
 *                           bit set is indistinguishable from an SR and is
 *                           RTCP here, as RFC 5761 intends)
 *     second byte 64..95    UNKNOWN: RTP PT 64..95 without the marker is
 *                           forbidden under rtcp-mux and no RTCP type lies
 *                           there (libwebrtc masks the marker and calls it
 *                           RTCP; either way the packet gets dropped, this
 *                           way it is counted as such and never reaches
 *                           SRTCP)
 *     anything else         RTP
 *
 * Too-short datagrams are UNKNOWN. The minimum sizes are the fixed headers:
 * STUN 20, DTLS record 13, RTP 12, RTCP 8 (header and sender SSRC: the
 * smallest valid sub-packet is an empty RR). So a caller that got
 * MJ_PKT_RTP may read the 12-byte fixed header (SSRC, sequence number)
 * without checking the length again.
 *
 * Pure, header-only, no state: one compare chain per datagram. */
#ifndef MJ_PROTO_DEMUX_H
#define MJ_PROTO_DEMUX_H

#include <stddef.h>
#include <stdint.h>

typedef enum mj_pkt_kind {
    MJ_PKT_UNKNOWN = 0,
    MJ_PKT_STUN,
    MJ_PKT_DTLS,
    MJ_PKT_RTP,
    MJ_PKT_RTCP,
} mj_pkt_kind;

#define MJ_DEMUX_MIN_STUN 20
#define MJ_DEMUX_MIN_DTLS 13
#define MJ_DEMUX_MIN_RTP  12
#define MJ_DEMUX_MIN_RTCP 8

static inline mj_pkt_kind mj_demux_classify(const uint8_t *d, size_t n)
{
    if (n == 0) return MJ_PKT_UNKNOWN;
    uint8_t b0 = d[0];
    if (b0 <= 3) return n >= MJ_DEMUX_MIN_STUN ? MJ_PKT_STUN : MJ_PKT_UNKNOWN;
    if (b0 >= 20 && b0 <= 63) return n >= MJ_DEMUX_MIN_DTLS ? MJ_PKT_DTLS : MJ_PKT_UNKNOWN;
    if (b0 < 128 || b0 > 191 || n < MJ_DEMUX_MIN_RTCP) return MJ_PKT_UNKNOWN;
    uint8_t b1 = d[1];
    if (b1 >= 192 && b1 <= 223) return MJ_PKT_RTCP;
    if (b1 >= 64 && b1 <= 95) return MJ_PKT_UNKNOWN;
    return n >= MJ_DEMUX_MIN_RTP ? MJ_PKT_RTP : MJ_PKT_UNKNOWN;
}

/* Static name for counters and debug logs ("stun", "dtls", ...). */
static inline const char *mj_pkt_kind_name(mj_pkt_kind k)
{
    switch (k) {
    case MJ_PKT_STUN: return "stun";
    case MJ_PKT_DTLS: return "dtls";
    case MJ_PKT_RTP: return "rtp";
    case MJ_PKT_RTCP: return "rtcp";
    default: return "unknown";
    }
}

#endif
