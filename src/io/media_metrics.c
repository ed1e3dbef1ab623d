/* /metrics for the media plane: each worker's counters (a line per
 * worker), the handshake threads', and the control side's refusals. */
#include "io/media_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct metric {
    const char *name, *help, *type;
    size_t offset; /* into mj_worker_stats */
} metric;

#define SFU(field)   offsetof(mj_worker_stats, sfu.field)
#define SHELL(field) offsetof(mj_worker_stats, field)

static const metric metrics[] = {
    {"majlis_media_rx_datagrams_total", "UDP datagrams received", "counter", SFU(rx_datagrams)},
    {"majlis_media_rx_bytes_total", "UDP bytes received", "counter", SFU(rx_bytes)},
    {"majlis_media_rx_stun_total", "STUN datagrams received", "counter", SFU(rx_stun)},
    {"majlis_media_rx_dtls_total", "DTLS datagrams received", "counter", SFU(rx_dtls)},
    {"majlis_media_rx_rtp_total", "RTP datagrams received", "counter", SFU(rx_rtp)},
    {"majlis_media_rx_rtcp_total", "RTCP datagrams received", "counter", SFU(rx_rtcp)},
    {"majlis_media_drop_unknown_total", "datagrams that are not STUN, DTLS, RTP or RTCP", "counter",
     SFU(drop_unknown)},
    {"majlis_media_drop_no_session_total", "datagrams for no known session", "counter",
     SFU(drop_no_session)},
    {"majlis_media_drop_stun_total", "STUN refused (malformed or bad credentials)", "counter",
     SFU(drop_stun)},
    {"majlis_media_drop_dtls_total", "DTLS datagrams refused", "counter", SFU(drop_dtls)},
    {"majlis_media_drop_srtp_auth_total", "SRTP/SRTCP failing authentication", "counter",
     SFU(drop_srtp_auth)},
    {"majlis_media_drop_srtp_replay_total", "replayed SRTP/SRTCP", "counter",
     SFU(drop_srtp_replay)},
    {"majlis_media_drop_rtp_total", "RTP not forwarded (malformed, wrong payload type)", "counter",
     SFU(drop_rtp)},
    {"majlis_media_drop_not_allowed_total",
     "RTP refused unread from sessions not allowed to send (listeners, muted, off stage)",
     "counter", SFU(drop_not_allowed)},
    {"majlis_media_drop_addr_taken_total",
     "checks from an address another live session holds (spoofed, or a NAT reusing a port)",
     "counter", SFU(drop_addr_taken)},
    {"majlis_media_drop_remote_total", "speaker packets from other workers with nowhere to go",
     "counter", SFU(drop_remote)},
    {"majlis_media_remote_packets_total", "speaker packets a room's branch workers handed over",
     "counter", SFU(rx_remote)},
    {"majlis_media_handed_off_packets_total", "speaker packets handed to the room's home worker",
     "counter", SHELL(handed_off)},
    {"majlis_media_rx_truncated_total", "datagrams larger than the receive buffer", "counter",
     SHELL(rx_truncated)},
    {"majlis_media_rx_not_local_total",
     "datagrams from other machines to a server for this machine only (refused)", "counter",
     SHELL(rx_not_local)},
    {"majlis_media_tx_dropped_total", "datagrams the socket refused", "counter", SHELL(tx_dropped)},
    {"majlis_media_forwarded_packets_total", "RTP packets forwarded to listeners", "counter",
     SFU(fwd_packets)},
    {"majlis_media_exported_packets_total",
     "packets handed to other workers for their share of a room", "counter", SHELL(exported)},
    {"majlis_media_injected_packets_total", "packets received from other workers", "counter",
     SHELL(injected)},
    {"majlis_media_export_dropped_total", "packets lost to another worker's full inbox", "counter",
     SHELL(inbox_dropped)},
    {"majlis_media_forward_errors_total",
     "failures to protect for listeners (SRTP of forwarded packets, SRTCP of reports)", "counter",
     SFU(fwd_errors)},
    {"majlis_media_sender_reports_total", "RTCP sender reports sent to listeners", "counter",
     SFU(tx_reports)},
    {"majlis_media_sessions_created_total", "media sessions created", "counter",
     SFU(sessions_created)},
    {"majlis_media_sessions_closed_total", "media sessions ended", "counter", SFU(sessions_closed)},
    {"majlis_media_sessions", "media sessions now", "gauge", SFU(sessions_active)},
    {"majlis_media_rooms", "rooms with sessions on a worker now", "gauge", SFU(rooms_active)},
    {"majlis_media_dtls_handshakes_total", "completed DTLS handshakes", "counter",
     SFU(dtls_handshakes)},
    {"majlis_media_dtls_failures_total", "failed DTLS handshakes", "counter", SFU(dtls_failures)},
    {"majlis_media_handshake_tx_dropped_total", "handshake datagrams the socket refused", "counter",
     SHELL(hs_tx_dropped)},
    {"majlis_media_tcp_accepted_total", "ICE-TCP connections accepted", "counter",
     SHELL(tcp.accepted)},
    {"majlis_media_tcp_refused_total",
     "ICE-TCP connections closed at once: the worker held its most, or had no descriptor left",
     "counter", SHELL(tcp.refused_full)},
    {"majlis_media_tcp_closed_ice_total",
     "ICE-TCP connections closed without a session (no valid check in time, or it ended)",
     "counter", SHELL(tcp.closed_ice)},
    {"majlis_media_tcp_closed_slow_total",
     "ICE-TCP connections dropped because the peer did not read (queue full)", "counter",
     SHELL(tcp.closed_slow)},
    {"majlis_media_tcp_closed_bad_total", "ICE-TCP connections closed for a frame too long",
     "counter", SHELL(tcp.closed_bad)},
    {"majlis_media_tcp_closed_remote_total", "ICE-TCP connections the peer closed, or that failed",
     "counter", SHELL(tcp.closed_remote)},
    {"majlis_media_tcp_rx_frames_total", "RFC 4571 frames received over ICE-TCP", "counter",
     SHELL(tcp.rx_frames)},
    {"majlis_media_tcp_tx_frames_total", "RFC 4571 frames sent over ICE-TCP", "counter",
     SHELL(tcp.tx_frames)},
    {"majlis_media_tcp_connections", "ICE-TCP connections now", "gauge", SHELL(tcp.open)},
};

static void handshaker_metrics(mj_media *m, mj_wbuf *out)
{
    if (!m->handshaker) return;
    mj_handshaker_stats hs;
    mj_handshaker_stats_get(m->handshaker, &hs);
    const struct {
        const char *name, *help, *type;
        unsigned long long v;
    } rows[] = {
        {"majlis_handshakes_opened_total", "sessions handed to the handshake threads", "counter",
         hs.tables.opened},
        {"majlis_handshakes_done_total", "handshakes that produced keys", "counter",
         hs.tables.done},
        {"majlis_handshakes_failed_total", "handshakes that failed", "counter", hs.tables.failed},
        {"majlis_handshakes_queue_dropped_total",
         "DTLS datagrams dropped at a full handshake queue", "counter", hs.queue_dropped},
        {"majlis_handshakes_active", "sessions the handshake threads hold", "gauge",
         hs.tables.active},
        {"majlis_handshakes_connections", "DTLS connections the handshake threads hold", "gauge",
         hs.tables.connections},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        mj_wbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", rows[i].name, rows[i].help,
                       rows[i].name, rows[i].type, rows[i].name, rows[i].v);
}

void mj_media_metrics(mj_media *m, mj_wbuf *out)
{
    int nw = m->cfg.workers;
    mj_worker_stats *st = calloc((size_t)nw, sizeof *st);
    if (!st) return;
    for (int i = 0; i < nw; i++)
        mj_worker_stats_get(m->workers[i], &st[i]);
    for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; k++) {
        const metric *mt = &metrics[k];
        mj_wbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", mt->name, mt->help, mt->name, mt->type);
        for (int i = 0; i < nw; i++) {
            uint64_t v;
            memcpy(&v, (const uint8_t *)&st[i] + mt->offset, sizeof v);
            mj_wbuf_printf(out, "%s{worker=\"%d\"} %llu\n", mt->name, i, (unsigned long long)v);
        }
    }
    mj_wbuf_printf(out,
                   "# HELP majlis_whip_whep_sessions WHIP and WHEP sessions known to the control "
                   "plane\n# TYPE majlis_whip_whep_sessions gauge\nmajlis_whip_whep_sessions %d\n",
                   m->nsessions);
    mj_wbuf_printf(out,
                   "# HELP majlis_offers_refused_total offers refused as malformed or unusable\n"
                   "# TYPE majlis_offers_refused_total counter\nmajlis_offers_refused_total %llu\n",
                   (unsigned long long)m->offers_bad);
    mj_wbuf_printf(out, "# HELP majlis_media_worker_load worker thread CPU time over wall time\n"
                        "# TYPE majlis_media_worker_load gauge\n");
    for (int i = 0; i < nw; i++)
        mj_wbuf_printf(out, "majlis_media_worker_load{worker=\"%d\"} %.3f\n", i,
                       st[i].load_permille / 1000.0);
    mj_wbuf_printf(out,
                   "# HELP majlis_listeners_refused_busy_total listeners refused while their "
                   "worker was saturated\n# TYPE majlis_listeners_refused_busy_total counter\n"
                   "majlis_listeners_refused_busy_total %llu\n",
                   (unsigned long long)m->refused_busy);
    mj_wbuf_printf(out,
                   "# HELP majlis_sessions_refused_full_total sessions refused at the limit\n"
                   "# TYPE majlis_sessions_refused_full_total counter\n"
                   "majlis_sessions_refused_full_total %llu\n",
                   (unsigned long long)m->refused_full);
    mj_wbuf_printf(out,
                   "# HELP majlis_sessions_refused_owner_total sessions refused at the limit "
                   "per token or member\n# TYPE majlis_sessions_refused_owner_total counter\n"
                   "majlis_sessions_refused_owner_total %llu\n"
                   "# HELP majlis_sessions_refused_address_total sessions refused at the limit "
                   "per client address\n# TYPE majlis_sessions_refused_address_total counter\n"
                   "majlis_sessions_refused_address_total %llu\n",
                   (unsigned long long)m->refused_owner, (unsigned long long)m->refused_address);
    handshaker_metrics(m, out);
    free(st);
}
