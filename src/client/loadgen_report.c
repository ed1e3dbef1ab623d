/* majlis loadgen: samples, the live progress line, the summary and the
 * JSON file. */
#include "client/loadgen_internal.h"

#include "io/clock.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* ---- Samples ------------------------------------------------------------------ */

void lg_sample_take(loadgen *g, lg_sample *s)
{
    memset(s, 0, sizeof *s);
    s->ok = true;
    s->at = mj_clock_now();
    s->server_ok = g->o->server_pid && mj_proc_read((int)g->o->server_pid, &s->server) == 0;
    s->self_cpu_us = mj_proc_self_cpu_us();
    s->rx_packets = g->received;
    s->sent_packets = g->sent;
}

typedef struct text_buf {
    char *p;
    size_t len, cap;
} text_buf;

static size_t on_text(char *data, size_t size, size_t nmemb, void *userp)
{
    text_buf *b = userp;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        if (b->len + n + 1 > (1u << 22)) return 0;
        size_t cap = b->cap ? b->cap * 2 : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

/* Sum of every sample of a Prometheus counter, labels or not. */
static uint64_t metric_sum(const char *text, const char *name)
{
    size_t nl = strlen(name);
    uint64_t sum = 0;
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, name, nl) != 0 || (line[nl] != '{' && line[nl] != ' ')) continue;
        const char *end = strchr(line, '\n');
        const char *sp = end ? end : line + strlen(line);
        while (sp > line && sp[-1] != ' ')
            sp--;
        sum += (uint64_t)strtod(sp, NULL);
    }
    return sum;
}

int lg_metrics_read(const char *base_url, lg_metrics *m)
{
    char url[1100];
    size_t bl = strlen(base_url);
    while (bl > 8 && base_url[bl - 1] == '/')
        bl--;
    snprintf(url, sizeof url, "%.*s/metrics", (int)bl, base_url);
    CURL *e = curl_easy_init();
    if (!e) return -1;
    text_buf b = {0};
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_text);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    long status = 0;
    int rc = -1;
    if (curl_easy_perform(e) == CURLE_OK &&
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200 && b.p) {
        m->forwarded = metric_sum(b.p, "majlis_media_forwarded_packets_total");
        m->tx_dropped = metric_sum(b.p, "majlis_media_tx_dropped_total");
        m->no_session = metric_sum(b.p, "majlis_media_drop_no_session_total");
        m->handshakes = metric_sum(b.p, "majlis_media_dtls_handshakes_total");
        rc = 0;
    }
    free(b.p);
    curl_easy_cleanup(e);
    return rc;
}

/* ---- Aggregates ------------------------------------------------------------------- */

typedef struct totals {
    uint64_t expected, received, lost, duplicates, reordered, too_old;
} totals;

static totals sum_listeners(const loadgen *g)
{
    totals t = {0};
    for (long i = 0; i < g->o->listeners; i++) {
        const lg_listener *l = &g->listeners[i];
        for (unsigned k = 0; k < MJ_CSESS_MAX_SLOTS; k++) {
            const mj_seqtrack *s = &l->seq[k];
            t.expected += mj_seqtrack_expected(s);
            t.received += s->received;
            t.lost += mj_seqtrack_lost(s);
            t.duplicates += s->duplicates;
            t.reordered += s->reordered;
            t.too_old += s->too_old;
        }
    }
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct dist {
    size_t n;
    double p50, p95, p99, max, mean;
} dist;

/* Percentiles of a per-listener time in ms; which: 0 join (POST -> first
 * RTP), 1 POST -> answer, 2 POST -> SRTP ready. */
static dist listener_dist(const loadgen *g, int which)
{
    dist d = {0};
    double *v = malloc(((size_t)g->o->listeners + 1) * sizeof *v);
    if (!v) return d;
    double sum = 0.0;
    for (long i = 0; i < g->o->listeners; i++) {
        const lg_listener *l = &g->listeners[i];
        const mj_csess *s = &l->sess;
        double x;
        if (which == 0 && l->joined)
            x = l->join_ms;
        else if (which == 1 && l->started && s->t_answer > s->t_post && s->location)
            x = (double)(s->t_answer - s->t_post) / 1000.0;
        else if (which == 2 && l->started && s->t_connected > s->t_post)
            x = (double)(s->t_connected - s->t_post) / 1000.0;
        else
            continue;
        v[d.n++] = x;
        sum += x;
    }
    qsort(v, d.n, sizeof *v, cmp_double);
    d.p50 = mj_pct(v, d.n, 50);
    d.p95 = mj_pct(v, d.n, 95);
    d.p99 = mj_pct(v, d.n, 99);
    d.max = d.n ? v[d.n - 1] : 0.0;
    d.mean = d.n ? sum / (double)d.n : 0.0;
    free(v);
    return d;
}

/* The measurement window: steady (every listener in) to the end of
 * sending, or from the speakers' start when no steady sample was taken. */
typedef struct window {
    const char *name;
    const lg_sample *a, *b;
    double wall_s;
    uint64_t rx, server_cpu_us, self_cpu_us;
    bool server;
} window;

static window pick_window(const loadgen *g)
{
    window w = {0};
    bool steady = g->s_steady.ok && g->s_end.ok && g->s_end.at - g->s_steady.at >= MJ_SEC(1);
    w.name = steady ? "steady" : "whole run";
    w.a = steady ? &g->s_steady : &g->s_base;
    w.b = &g->s_end;
    if (!w.a->ok || !w.b->ok || w.b->at <= w.a->at) return w;
    w.wall_s = (double)(w.b->at - w.a->at) / 1e6;
    w.rx = w.b->rx_packets - w.a->rx_packets;
    w.self_cpu_us = w.b->self_cpu_us - w.a->self_cpu_us;
    w.server = w.a->server_ok && w.b->server_ok;
    if (w.server) w.server_cpu_us = w.b->server.cpu_us - w.a->server.cpu_us;
    return w;
}

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

/* ---- Progress ------------------------------------------------------------------------ */

void lg_progress_line(loadgen *g, mj_time now, bool final)
{
    const lg_sample *last = &g->s_last;
    double dt = (double)(now - last->at) / 1e6;
    if (dt <= 0) dt = 1;
    totals t = sum_listeners(g);
    double rx_rate = (double)(g->received - last->rx_packets) / dt;
    char server[64] = "";
    lg_sample cur;
    lg_sample_take(g, &cur);
    if (cur.server_ok && last->server_ok)
        snprintf(server, sizeof server, "  server %3.0f%% %llu MiB",
                 (double)(cur.server.cpu_us - last->server.cpu_us) / 1e4 / dt,
                 (unsigned long long)(cur.server.rss_kib / 1024));
    fprintf(stderr,
            "%s[%5.1fs] joined %u/%ld (%u failed)  rx %6.1fk/s  lost %.2f%%  delay p50 %.2f p99 "
            "%.2f ms%s  loadgen %3.0f%%  ",
            isatty(2) ? "\r" : "", (double)(now - g->t_start) / 1e6, g->joined, g->o->listeners,
            g->failed, rx_rate / 1000.0,
            t.expected ? 100.0 * (double)t.lost / (double)t.expected : 0.0,
            ms(mj_hist_percentile(&g->delay_tick, 50)), ms(mj_hist_percentile(&g->delay_tick, 99)),
            server, (double)(cur.self_cpu_us - last->self_cpu_us) / 1e4 / dt);
    if (!isatty(2) || final) fputc('\n', stderr);
}

/* ---- Summary and JSON ------------------------------------------------------------------- */

static json_t *dist_json(const dist *d)
{
    return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f}", "count", (json_int_t)d->n, "p50", d->p50, "p95",
                     d->p95, "p99", d->p99, "max", d->max, "mean", d->mean);
}

static json_t *hist_json(const mj_hist *h)
{
    return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "count", (json_int_t)h->count, "p50",
                     ms(mj_hist_percentile(h, 50)), "p90", ms(mj_hist_percentile(h, 90)), "p99",
                     ms(mj_hist_percentile(h, 99)), "p999", ms(mj_hist_percentile(h, 99.9)), "max",
                     ms(h->max), "mean", mj_hist_mean(h) / 1000.0);
}

static json_t *sample_json(const lg_sample *s)
{
    if (!s->ok || !s->server_ok) return json_null();
    return json_pack("{s:f,s:I,s:I}", "cpu_s", (double)s->server.cpu_us / 1e6, "rss_kib",
                     (json_int_t)s->server.rss_kib, "hwm_kib", (json_int_t)s->server.hwm_kib);
}

static json_t *listeners_json(const loadgen *g)
{
    json_t *arr = json_array();
    for (long i = 0; i < g->o->listeners; i++) {
        const lg_listener *l = &g->listeners[i];
        uint64_t exp = 0, lost = 0;
        for (unsigned k = 0; k < MJ_CSESS_MAX_SLOTS; k++) {
            exp += mj_seqtrack_expected(&l->seq[k]);
            lost += mj_seqtrack_lost(&l->seq[k]);
        }
        json_t *o = json_pack(
            "{s:I,s:s,s:b,s:o,s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I}", "id", (json_int_t)l->id, "state",
            mj_csess_state_name((enum mj_csess_state)l->sess.state), "joined", l->joined, "join_ms",
            l->joined ? json_real(l->join_ms) : json_null(), "expected", (json_int_t)exp,
            "received", (json_int_t)l->received, "lost", (json_int_t)lost, "max_delay_ms",
            l->max_delay_us / 1000.0, "srtp_auth_failures", (json_int_t)l->srtp_auth, "bad_ssrc",
            (json_int_t)l->bad_ssrc, "bad_origin", (json_int_t)l->bad_origin, "bad_payload",
            (json_int_t)l->bad_payload);
        if (l->sess.state == MJ_CSESS_FAILED && l->sess.error[0])
            json_object_set_new(o, "error", json_string(l->sess.error));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *machine_json(void)
{
    struct utsname u;
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    snprintf(model, sizeof model, "%s", c + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    return json_pack("{s:I,s:s,s:s}", "cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "cpu",
                     model, "kernel", uname(&u) == 0 ? u.release : "unknown");
}

static void write_json(const loadgen *g, const totals *t, const dist *join, const dist *http,
                       const dist *conn, const window *w)
{
    const mj_loadgen_opts *o = g->o;
    const mj_hist *delay = g->delay_steady.count ? &g->delay_steady : &g->delay_all;
    json_t *root = json_object();
    json_object_set_new(root, "config",
                        json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "url", o->url, "room",
                                  o->room, "transport", o->tcp ? "tcp" : "udp", "listeners",
                                  (json_int_t)o->listeners, "speakers", (json_int_t)o->speakers,
                                  "ramp_per_s", (json_int_t)o->ramp, "duration_s",
                                  (json_int_t)o->duration, "slots", (json_int_t)o->slots,
                                  "server_pid", (json_int_t)o->server_pid));
    json_object_set_new(root, "machine", machine_json());
    json_object_set_new(root, "interrupted", json_boolean(g->interrupted));
    json_t *errs = json_array();
    for (uint32_t i = 0; i < g->nerrors; i++)
        json_array_append_new(errs, json_pack("{s:s,s:I}", "message", g->errors[i].text, "count",
                                              (json_int_t)g->errors[i].count));
    json_object_set_new(root, "joins",
                        json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:I}", "attempted",
                                  (json_int_t)g->started, "joined", (json_int_t)g->joined, "failed",
                                  (json_int_t)g->failed, "dropped", (json_int_t)g->dropped,
                                  "join_ms", dist_json(join), "answer_ms", dist_json(http),
                                  "connected_ms", dist_json(conn), "errors", errs,
                                  "errors_not_listed", (json_int_t)g->errors_other));
    json_object_set_new(
        root, "packets",
        json_pack("{s:I,s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "sent",
                  (json_int_t)g->sent, "expected", (json_int_t)t->expected, "received",
                  (json_int_t)t->received, "lost", (json_int_t)t->lost, "loss_pct",
                  t->expected ? 100.0 * (double)t->lost / (double)t->expected : 0.0, "duplicates",
                  (json_int_t)t->duplicates, "reordered", (json_int_t)t->reordered, "too_old",
                  (json_int_t)t->too_old, "srtp_auth_failures", (json_int_t)g->srtp_auth,
                  "srtp_replays", (json_int_t)g->srtp_replay, "srtp_other_errors",
                  (json_int_t)g->srtp_other, "bad_ssrc", (json_int_t)g->bad_ssrc, "bad_origin",
                  (json_int_t)g->bad_origin, "bad_payload", (json_int_t)g->bad_payload));
    json_object_set_new(root, "delay_ms", hist_json(delay));
    json_object_set_new(root, "delay_window",
                        json_string(g->delay_steady.count ? "steady" : "whole run"));
    json_object_set_new(root, "delay_all_ms", hist_json(&g->delay_all));
    json_object_set_new(root, "delay_app_ms", hist_json(&g->delay_app));
    double cores = w->wall_s > 0 ? (double)w->server_cpu_us / 1e6 / w->wall_s : 0;
    json_t *server = json_object();
    json_object_set_new(server, "window", json_string(w->name));
    json_object_set_new(server, "window_s", json_real(w->wall_s));
    json_object_set_new(server, "packets_in_window", json_integer((json_int_t)w->rx));
    json_object_set_new(server, "packets_per_s", json_real(w->wall_s > 0 ? w->rx / w->wall_s : 0));
    if (w->server) {
        double us = w->rx ? (double)w->server_cpu_us / (double)w->rx : 0;
        json_object_set_new(server, "cpu_s", json_real((double)w->server_cpu_us / 1e6));
        json_object_set_new(server, "cores_used", json_real(cores));
        json_object_set_new(server, "cpu_us_per_packet", json_real(us));
        json_object_set_new(server, "packets_per_s_per_core", json_real(us > 0 ? 1e6 / us : 0));
        json_object_set_new(server, "listeners_per_core",
                            json_real(cores > 0 ? g->joined / cores : 0));
        json_object_set_new(server, "cpu_us_per_listener_s",
                            json_real(g->joined && w->wall_s > 0
                                          ? (double)w->server_cpu_us / g->joined / w->wall_s
                                          : 0));
    }
    if (g->s_base.server_ok && g->s_end.server_ok) {
        double per = g->joined
                         ? ((double)g->s_end.server.rss_kib - (double)g->s_base.server.rss_kib) *
                               1024.0 / g->joined
                         : 0;
        json_object_set_new(server, "rss_per_listener_bytes", json_real(per));
        json_object_set_new(server, "rss_peak_kib",
                            json_integer((json_int_t)g->server_rss_peak_kib));
    }
    json_object_set_new(server, "at_start", sample_json(&g->s_start));
    json_object_set_new(server, "speakers_in", sample_json(&g->s_base));
    json_object_set_new(server, "steady", sample_json(&g->s_steady));
    json_object_set_new(server, "at_end", sample_json(&g->s_end));
    if (g->metrics_ok)
        json_object_set_new(
            server, "metrics",
            json_pack("{s:I,s:I,s:I,s:I}", "forwarded_packets",
                      (json_int_t)(g->m_end.forwarded - g->m_start.forwarded), "tx_dropped",
                      (json_int_t)(g->m_end.tx_dropped - g->m_start.tx_dropped),
                      "dropped_no_session",
                      (json_int_t)(g->m_end.no_session - g->m_start.no_session), "dtls_handshakes",
                      (json_int_t)(g->m_end.handshakes - g->m_start.handshakes)));
    json_object_set_new(root, "server", server);
    json_object_set_new(root, "loadgen",
                        json_pack("{s:f,s:f,s:f,s:f,s:I}", "cpu_s",
                                  (double)(g->s_end.self_cpu_us - g->s_start.self_cpu_us) / 1e6,
                                  "cpu_s_window", (double)w->self_cpu_us / 1e6, "cores_used",
                                  w->wall_s > 0 ? (double)w->self_cpu_us / 1e6 / w->wall_s : 0,
                                  "cpu_us_per_packet",
                                  w->rx ? (double)w->self_cpu_us / (double)w->rx : 0, "rx_syscalls",
                                  (json_int_t)g->cl->rx_syscalls));
    json_object_set_new(root, "listeners", listeners_json(g));
    if (json_dump_file(root, o->json, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) != 0)
        fprintf(stderr, "majlis loadgen: cannot write %s\n", o->json);
    json_decref(root);
}

void lg_report(loadgen *g)
{
    totals t = sum_listeners(g);
    dist join = listener_dist(g, 0), http = listener_dist(g, 1), conn = listener_dist(g, 2);
    window w = pick_window(g);
    const mj_hist *delay = g->delay_steady.count ? &g->delay_steady : &g->delay_all;
    printf("majlis loadgen: %ld listeners, %ld speakers, ramp %ld/s, %ld s%s\n", g->o->listeners,
           g->o->speakers, g->o->ramp, g->o->duration, g->interrupted ? " (interrupted)" : "");
    printf("  joins      %u joined, %u failed, %u dropped after joining\n", g->joined, g->failed,
           g->dropped);
    printf("  join ms    p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  (POST -> first packet)\n",
           join.p50, join.p95, join.p99, join.max);
    printf("             answer p50 %.1f p99 %.1f;  SRTP ready p50 %.1f p99 %.1f\n", http.p50,
           http.p99, conn.p50, conn.p99);
    printf("  packets    sent %llu by speakers; expected %llu, received %llu, lost %llu (%.3f%%)\n",
           (unsigned long long)g->sent, (unsigned long long)t.expected,
           (unsigned long long)t.received, (unsigned long long)t.lost,
           t.expected ? 100.0 * (double)t.lost / (double)t.expected : 0.0);
    printf("             duplicates %llu, reordered %llu; SRTP auth failures %llu, replays %llu; "
           "bad SSRC %llu, bad origin %llu, bad payload %llu\n",
           (unsigned long long)t.duplicates, (unsigned long long)t.reordered,
           (unsigned long long)g->srtp_auth, (unsigned long long)g->srtp_replay,
           (unsigned long long)g->bad_ssrc, (unsigned long long)g->bad_origin,
           (unsigned long long)g->bad_payload);
    printf("  delay ms   p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%s, %llu packets)\n",
           ms(mj_hist_percentile(delay, 50)), ms(mj_hist_percentile(delay, 90)),
           ms(mj_hist_percentile(delay, 99)), ms(mj_hist_percentile(delay, 99.9)), ms(delay->max),
           g->delay_steady.count ? "steady" : "whole run", (unsigned long long)delay->count);
    if (g->delay_app.count)
        printf("             with the load generator's own wait: p50 %.3f  p99 %.3f  max %.3f\n",
               ms(mj_hist_percentile(&g->delay_app, 50)), ms(mj_hist_percentile(&g->delay_app, 99)),
               ms(g->delay_app.max));
    if (w.wall_s > 0) {
        printf("  window     %s, %.1f s, %.0f packets/s to listeners\n", w.name, w.wall_s,
               (double)w.rx / w.wall_s);
        if (w.server) {
            double cores = (double)w.server_cpu_us / 1e6 / w.wall_s;
            double us = w.rx ? (double)w.server_cpu_us / (double)w.rx : 0;
            printf("  server     %.2f cores; %.2f us CPU per forwarded packet (%.0f packets/s per "
                   "core); %.0f listeners per core\n",
                   cores, us, us > 0 ? 1e6 / us : 0.0, cores > 0 ? g->joined / cores : 0.0);
        }
        printf("  loadgen    %.2f cores; %.2f us CPU per received packet\n",
               (double)w.self_cpu_us / 1e6 / w.wall_s,
               w.rx ? (double)w.self_cpu_us / (double)w.rx : 0.0);
    }
    if (g->s_base.server_ok && g->s_end.server_ok)
        printf(
            "  memory     server RSS %llu KiB with speakers only, %llu KiB at the end, peak %llu "
            "KiB: %.0f bytes per listener\n",
            (unsigned long long)g->s_base.server.rss_kib,
            (unsigned long long)g->s_end.server.rss_kib, (unsigned long long)g->server_rss_peak_kib,
            g->joined ? ((double)g->s_end.server.rss_kib - (double)g->s_base.server.rss_kib) *
                            1024.0 / g->joined
                      : 0.0);
    if (g->metrics_ok)
        printf("  metrics    server forwarded %llu packets, its socket refused %llu; %llu "
               "datagrams for no session yet; %llu DTLS handshakes\n",
               (unsigned long long)(g->m_end.forwarded - g->m_start.forwarded),
               (unsigned long long)(g->m_end.tx_dropped - g->m_start.tx_dropped),
               (unsigned long long)(g->m_end.no_session - g->m_start.no_session),
               (unsigned long long)(g->m_end.handshakes - g->m_start.handshakes));
    for (uint32_t i = 0; i < g->nerrors; i++)
        printf("  error      %u x %s\n", g->errors[i].count, g->errors[i].text);
    if (g->o->json) {
        write_json(g, &t, &join, &http, &conn, &w);
        printf("  json       %s\n", g->o->json);
    }
    fflush(stdout);
}
