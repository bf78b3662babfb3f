#include "server_stats.h"

#include "config.h"
#include "net/net_shared.h"
#include "net/net_worker.h"
#include "server_usage.h"
#include "store/store.h"
#include "turn/turn_error.h"
#include "turn/turn_usage.h"
#include "turn/turn_worker.h"
#include "util/addr.h"
#include "util/clock.h"
#include "util/counter.h"
#include "util/xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Every worker's counters summed, and the figures of the whole process. */
struct server_stats_sum {
    struct turn_counters turn;
    struct net_worker_counters net;
    uint64_t relay_ports_free;
    uint64_t usage_written;
    uint64_t usage_dropped;
    uint64_t usage_queued;
};

_Static_assert(sizeof(struct turn_counters) % sizeof(uint64_t) == 0, "only uint64_t counters");
_Static_assert(sizeof(struct net_worker_counters) % sizeof(uint64_t) == 0, "only uint64_t");

/* One counter or gauge without labels. */
struct server_stats_scalar {
    const char *name; /* Prometheus name; the JSON key is the name without "tern_" */
    const char *type;
    size_t offset; /* of the uint64_t in struct server_stats_sum */
    const char *help;
};

#define SERVER_STATS_AT(f) offsetof(struct server_stats_sum, f)

static const struct server_stats_scalar server_stats_scalars[] = {
    {"tern_allocations_created_total", "counter", SERVER_STATS_AT(turn.allocations_created),
     "Allocations created."},
    {"tern_allocations_refused_all_total", "counter", SERVER_STATS_AT(turn.allocations_refused),
     "Allocate requests refused, every reason."},
    {"tern_peer_denied_total", "counter", SERVER_STATS_AT(turn.peer_denied),
     "Peers refused by the peer policy (CreatePermission, ChannelBind, Send)."},
    {"tern_quota_refused_total", "counter", SERVER_STATS_AT(turn.quota_refused),
     "Allocations refused by a quota (per user, per client IP, in total)."},
    {"tern_bandwidth_dropped_packets_total", "counter", SERVER_STATS_AT(turn.bandwidth_dropped),
     "Relayed packets dropped by the bandwidth cap of their allocation."},
    {"tern_no_permission_dropped_packets_total", "counter",
     SERVER_STATS_AT(turn.no_permission_dropped),
     "Packets from peers dropped for want of a permission."},
    {"tern_unauthenticated_dropped_total", "counter", SERVER_STATS_AT(turn.unauth_dropped),
     "Unauthenticated requests dropped by the per-source rate limit."},
    {"tern_relay_ports_free", "gauge", SERVER_STATS_AT(relay_ports_free),
     "Relay ports free for new allocations."},
    {"tern_relay_sockets_open", "gauge", SERVER_STATS_AT(net.relays_open), "Relay sockets open."},
    {"tern_udp_received_packets_total", "counter", SERVER_STATS_AT(net.udp_rx_packets),
     "Datagrams received on the listening UDP sockets."},
    {"tern_udp_sent_packets_total", "counter", SERVER_STATS_AT(net.udp_tx_packets),
     "Datagrams sent from the listening UDP sockets."},
    {"tern_udp_dropped_packets_total", "counter", SERVER_STATS_AT(net.udp_dropped),
     "Datagrams dropped on the listening UDP sockets (malformed, unknown, send failed)."},
    {"tern_stun_messages_total", "counter", SERVER_STATS_AT(net.stun_requests),
     "STUN messages received from clients, any transport."},
    {"tern_peer_received_packets_total", "counter", SERVER_STATS_AT(net.relay_rx_packets),
     "Datagrams received from peers on relay sockets."},
    {"tern_peer_sent_packets_total", "counter", SERVER_STATS_AT(net.relay_tx_packets),
     "Datagrams sent to peers from relay sockets."},
    {"tern_peer_dropped_packets_total", "counter", SERVER_STATS_AT(net.relay_dropped),
     "Datagrams to or from peers dropped on relay sockets."},
    {"tern_tcp_connections_accepted_total", "counter", SERVER_STATS_AT(net.tcp_accepted),
     "TCP client connections accepted."},
    {"tern_tcp_connections_refused_total", "counter", SERVER_STATS_AT(net.tcp_refused),
     "TCP client connections refused over listen.tcp_max_connections."},
    {"tern_tcp_connections_closed_total", "counter", SERVER_STATS_AT(net.tcp_closed),
     "TCP client connections closed."},
    {"tern_tcp_bad_frames_total", "counter", SERVER_STATS_AT(net.tcp_closed_bad_frame),
     "TCP client connections closed on a bad frame."},
    {"tern_tcp_output_dropped_total", "counter", SERVER_STATS_AT(net.tcp_output_dropped),
     "Messages dropped on a full TCP client connection."},
    {"tern_connections_refused_per_ip_total", "counter", SERVER_STATS_AT(net.conn_refused_per_ip),
     "TCP, TLS and DTLS clients refused over listen.tcp_max_connections_per_ip."},
    {"tern_tls_handshakes_total", "counter", SERVER_STATS_AT(net.tls_handshakes),
     "TLS handshakes completed."},
    {"tern_tls_handshake_failures_total", "counter", SERVER_STATS_AT(net.tls_handshake_failed),
     "TLS handshakes failed, cut short or timed out."},
    {"tern_dtls_handshakes_total", "counter", SERVER_STATS_AT(net.dtls_handshakes),
     "DTLS handshakes completed."},
    {"tern_dtls_handshake_failures_total", "counter", SERVER_STATS_AT(net.dtls_handshake_failed),
     "DTLS handshakes failed or timed out."},
    {"tern_handshake_timeouts_total", "counter", SERVER_STATS_AT(net.tls_handshake_timeouts),
     "Clients dropped at tls.handshake_timeout_s (no first byte, or no TLS/DTLS handshake)."},
    {"tern_dtls_sessions", "gauge", SERVER_STATS_AT(net.dtls_sessions),
     "DTLS sessions open, handshakes in progress included."},
    {"tern_usage_records_written_total", "counter", SERVER_STATS_AT(usage_written),
     "Usage records written to usage.file."},
    {"tern_usage_records_dropped_total", "counter", SERVER_STATS_AT(usage_dropped),
     "Usage records lost because the queue reached its cap."},
    {"tern_usage_records_queued", "gauge", SERVER_STATS_AT(usage_queued),
     "Usage records waiting for the writer."},
};

/* Names of the request methods counted (STUN method numbers); others count as "other". */
static const struct {
    unsigned method;
    const char *name;
} server_stats_methods[] = {
    {1, "binding"}, {3, "allocate"}, {4, "refresh"}, {8, "create_permission"}, {9, "channel_bind"},
};

static const char *const server_stats_auth_reasons[] = {
    "bad_request",
    "unknown_user",
    "integrity",
    "stale_nonce",
};

static const char *const server_stats_families[TURN_FAMILIES] = {"ipv4", "ipv6"};

/* Adds n uint64_t counters read with relaxed loads from src to dst. */
static void server_stats_add(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] += counter_read(&src[i]);
    }
}

static void server_stats_collect(const struct server_stats *s, struct server_stats_sum *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (unsigned i = 0; i < s->worker_count; i++) {
        const struct net_worker *w = s->workers[i];
        server_stats_add((uint64_t *)&sum->turn, (const uint64_t *)turn_worker_counters(w->turn),
                         sizeof(sum->turn) / sizeof(uint64_t));
        server_stats_add((uint64_t *)&sum->net, (const uint64_t *)&w->counters,
                         sizeof(sum->net) / sizeof(uint64_t));
    }
    sum->relay_ports_free = net_shared_ports_available(s->shared);
    if (s->usage != NULL) {
        server_usage_figures(s->usage, &sum->usage_written, &sum->usage_dropped,
                             &sum->usage_queued);
    }
}

static uint64_t server_stats_value(const struct server_stats_sum *sum, size_t offset)
{
    uint64_t v;

    memcpy(&v, (const char *)sum + offset, sizeof(v));
    return v;
}

/* Writes # HELP and # TYPE of one family. */
static void server_stats_head(struct http_body *out, const char *name, const char *type,
                              const char *help)
{
    http_body_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The requests of method row i of server_stats_methods, or of "other" for i past them. */
static uint64_t server_stats_requests(const struct server_stats_sum *sum, size_t i, int result)
{
    size_t known = sizeof(server_stats_methods) / sizeof(server_stats_methods[0]);
    uint64_t n = 0;

    if (i < known) {
        return sum->turn.requests[server_stats_methods[i].method][result];
    }
    for (size_t m = 0; m < 16; m++) {
        bool named = false;
        for (size_t k = 0; k < known; k++) {
            named = named || server_stats_methods[k].method == m;
        }
        n += named ? 0 : sum->turn.requests[m][result];
    }
    return n;
}

static void server_stats_prom_requests(struct http_body *out, const struct server_stats_sum *sum)
{
    size_t known = sizeof(server_stats_methods) / sizeof(server_stats_methods[0]);

    server_stats_head(out, "tern_requests_total", "counter",
                      "STUN/TURN requests answered, by method and result.");
    for (size_t i = 0; i <= known; i++) {
        const char *name = i < known ? server_stats_methods[i].name : "other";
        http_body_printf(out, "tern_requests_total{method=\"%s\",result=\"success\"} %llu\n", name,
                         (unsigned long long)server_stats_requests(sum, i, 0));
        http_body_printf(out, "tern_requests_total{method=\"%s\",result=\"error\"} %llu\n", name,
                         (unsigned long long)server_stats_requests(sum, i, 1));
    }
}

static void server_stats_prom_allocations(struct http_body *out, const struct server_stats_sum *sum)
{
    server_stats_head(out, "tern_allocations_active", "gauge",
                      "Live allocations by client transport and relay address family (a "
                      "dual-stack allocation counts in both families).");
    for (size_t t = 0; t < TURN_TRANSPORTS; t++) {
        for (size_t f = 0; f < TURN_FAMILIES; f++) {
            http_body_printf(out, "tern_allocations_active{transport=\"%s\",family=\"%s\"} %llu\n",
                             turn_usage_transport_name((unsigned)t), server_stats_families[f],
                             (unsigned long long)sum->turn.relays_active[t][f]);
        }
    }
    server_stats_head(out, "tern_allocations_refused_total", "counter",
                      "Allocate requests refused, by reason (the STUN error).");
    for (size_t f = 1; f < TURN_FAIL_COUNT; f++) {
        http_body_printf(out, "tern_allocations_refused_total{reason=\"%s\"} %llu\n",
                         turn_error_name((enum turn_fail)f),
                         (unsigned long long)sum->turn.allocations_refused_by[f]);
    }
    server_stats_head(out, "tern_allocations_ended_total", "counter",
                      "Allocations ended, by reason.");
    for (size_t r = 0; r < TURN_USAGE_REASON_COUNT; r++) {
        http_body_printf(out, "tern_allocations_ended_total{reason=\"%s\"} %llu\n",
                         turn_usage_reason_name((enum turn_usage_reason)r),
                         (unsigned long long)sum->turn.allocations_ended[r]);
    }
}

static void server_stats_prom_relay(struct http_body *out, const struct server_stats_sum *sum)
{
    server_stats_head(out, "tern_relay_packets_total", "counter",
                      "Packets relayed, by direction (counted as each packet passes).");
    http_body_printf(out, "tern_relay_packets_total{direction=\"client_to_peer\"} %llu\n",
                     (unsigned long long)sum->turn.rx_packets_client);
    http_body_printf(out, "tern_relay_packets_total{direction=\"peer_to_client\"} %llu\n",
                     (unsigned long long)sum->turn.tx_packets_peer);
    server_stats_head(out, "tern_relay_bytes_total", "counter",
                      "Application bytes relayed (payload, without STUN or ChannelData framing), "
                      "by direction.");
    http_body_printf(out, "tern_relay_bytes_total{direction=\"client_to_peer\"} %llu\n",
                     (unsigned long long)sum->turn.rx_bytes_client);
    http_body_printf(out, "tern_relay_bytes_total{direction=\"peer_to_client\"} %llu\n",
                     (unsigned long long)sum->turn.tx_bytes_peer);
    server_stats_head(out, "tern_auth_failures_total", "counter",
                      "Authenticated requests refused, by reason.");
    for (size_t r = 0; r < 4; r++) {
        http_body_printf(out, "tern_auth_failures_total{reason=\"%s\"} %llu\n",
                         server_stats_auth_reasons[r],
                         (unsigned long long)sum->turn.auth_failures[r]);
    }
}

/* One histogram: per-bucket (not cumulative) counts, n bounds and a +Inf bucket. */
struct server_stats_histogram {
    const char *name;
    const char *help;
    const uint64_t *bounds;
    const uint64_t *buckets;
    size_t n;
    uint64_t total;
};

static void server_stats_prom_histogram(struct http_body *out,
                                        const struct server_stats_histogram *hg)
{
    const char *name = hg->name;
    const uint64_t *bounds = hg->bounds;
    const uint64_t *buckets = hg->buckets;
    size_t n = hg->n;
    uint64_t total = hg->total;
    const char *help = hg->help;
    uint64_t cum = 0;

    server_stats_head(out, name, "histogram", help);
    for (size_t i = 0; i < n; i++) {
        cum += buckets[i];
        http_body_printf(out, "%s_bucket{le=\"%llu\"} %llu\n", name, (unsigned long long)bounds[i],
                         (unsigned long long)cum);
    }
    cum += buckets[n];
    http_body_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %llu\n%s_count %llu\n", name,
                     (unsigned long long)cum, name, (unsigned long long)total, name,
                     (unsigned long long)cum);
}

static void server_stats_prom_workers(struct http_body *out, const struct server_stats *s)
{
    server_stats_head(out, "tern_worker_allocations_active", "gauge",
                      "Live allocations of each worker thread.");
    for (unsigned i = 0; i < s->worker_count; i++) {
        const struct turn_counters *c = turn_worker_counters(s->workers[i]->turn);
        http_body_printf(out, "tern_worker_allocations_active{worker=\"%u\"} %llu\n", i,
                         (unsigned long long)counter_read(&c->allocations_active));
    }
    server_stats_head(out, "tern_worker_received_packets_total", "counter",
                      "Datagrams each worker thread received (clients and peers).");
    for (unsigned i = 0; i < s->worker_count; i++) {
        const struct net_worker_counters *c = &s->workers[i]->counters;
        http_body_printf(out, "tern_worker_received_packets_total{worker=\"%u\"} %llu\n", i,
                         (unsigned long long)counter_read(&c->udp_rx_packets) +
                             (unsigned long long)counter_read(&c->relay_rx_packets));
    }
}

static void server_stats_prom_process(struct http_body *out, const struct server_stats *s)
{
    server_stats_head(out, "tern_build_info", "gauge", "Always 1; the labels name the build.");
    http_body_printf(out, "tern_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
    server_stats_head(out, "tern_process_start_time_seconds", "gauge",
                      "Start time of the process, in seconds since the Unix epoch.");
    http_body_printf(out, "tern_process_start_time_seconds %lld\n", (long long)s->start_s);
    server_stats_head(out, "tern_workers", "gauge", "Worker threads.");
    http_body_printf(out, "tern_workers %u\n", s->worker_count);
    server_stats_head(out, "tern_ready", "gauge", "1 when new allocations are taken (/ready).");
    http_body_printf(out, "tern_ready %d\n", server_stats_ready((void *)s) ? 1 : 0);
}

/* The Redis figures, only when Redis is configured. */
static void server_stats_prom_redis(struct http_body *out, const struct server_stats *s)
{
    struct store_figures f;

    const struct {
        const char *name;
        const char *type;
        const char *help;
    } rows[] = {
        {"tern_redis_up", "gauge", "1 while Redis is connected (/ready does not depend on it)."},
        {"tern_redis_connects_total", "counter", "Times the Redis connection came up."},
        {"tern_redis_credential_reloads_total", "counter",
         "Changes of the shared secrets or revocations applied."},
        {"tern_redis_usage_sent_total", "counter", "Usage records the Redis stream acknowledged."},
        {"tern_redis_usage_queued", "gauge", "Usage records waiting for Redis (memory, journal)."},
        {"tern_redis_usage_dropped_total", "counter",
         "Usage records dropped: the queue was full and no journal is configured."},
        {"tern_redis_usage_journaled_total", "counter", "Usage records written to the journal."},
    };

    uint64_t values[7];

    if (s->store == NULL) {
        return;
    }
    store_figures_read(s->store, &f);
    values[0] = f.up ? 1 : 0;
    values[1] = f.connects;
    values[2] = f.reloads;
    values[3] = f.usage_sent;
    values[4] = f.usage_queued;
    values[5] = f.usage_dropped;
    values[6] = f.usage_journaled;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        server_stats_head(out, rows[i].name, rows[i].type, rows[i].help);
        http_body_printf(out, "%s %llu\n", rows[i].name, (unsigned long long)values[i]);
    }
}

void server_stats_metrics(void *ctx, struct http_body *out)
{
    const struct server_stats *s = ctx;
    struct server_stats_sum sum;

    server_stats_collect(s, &sum);
    server_stats_prom_process(out, s);
    server_stats_prom_allocations(out, &sum);
    server_stats_prom_relay(out, &sum);
    server_stats_prom_requests(out, &sum);
    for (size_t i = 0; i < sizeof(server_stats_scalars) / sizeof(server_stats_scalars[0]); i++) {
        const struct server_stats_scalar *r = &server_stats_scalars[i];
        server_stats_head(out, r->name, r->type, r->help);
        http_body_printf(out, "%s %llu\n", r->name,
                         (unsigned long long)server_stats_value(&sum, r->offset));
    }
    struct server_stats_histogram duration = {
        .name = "tern_allocation_duration_seconds",
        .help = "Lifetime of ended allocations, in seconds.",
        .bounds = turn_worker_duration_bounds_s,
        .buckets = sum.turn.duration_buckets,
        .n = TURN_DURATION_BUCKETS,
        .total = sum.turn.duration_sum_s,
    };
    struct server_stats_histogram bytes = {
        .name = "tern_allocation_relayed_bytes",
        .help = "Bytes relayed by ended allocations, both directions.",
        .bounds = turn_worker_bytes_bounds,
        .buckets = sum.turn.bytes_buckets,
        .n = TURN_BYTES_BUCKETS,
        .total = sum.turn.bytes_sum,
    };

    server_stats_prom_histogram(out, &duration);
    server_stats_prom_histogram(out, &bytes);
    server_stats_prom_workers(out, s);
    server_stats_prom_redis(out, s);
}

bool server_stats_ready(void *ctx)
{
    const struct server_stats *s = ctx;

    return !__atomic_load_n(&s->draining, __ATOMIC_RELAXED) &&
           net_shared_ports_available(s->shared) > 0;
}

static void server_stats_json_labelled(struct http_body *out, const struct server_stats_sum *sum)
{
    size_t known = sizeof(server_stats_methods) / sizeof(server_stats_methods[0]);

    http_body_printf(out, "\"allocations_active\":{");
    for (size_t t = 0; t < TURN_TRANSPORTS; t++) {
        for (size_t f = 0; f < TURN_FAMILIES; f++) {
            http_body_printf(out, "%s\"%s_%s\":%llu", (t + f) != 0 ? "," : "",
                             turn_usage_transport_name((unsigned)t), server_stats_families[f],
                             (unsigned long long)sum->turn.relays_active[t][f]);
        }
    }
    http_body_printf(out, "},\"allocations_refused\":{");
    for (size_t f = 1; f < TURN_FAIL_COUNT; f++) {
        http_body_printf(out, "%s\"%s\":%llu", f > 1 ? "," : "", turn_error_name((enum turn_fail)f),
                         (unsigned long long)sum->turn.allocations_refused_by[f]);
    }
    http_body_printf(out, "},\"allocations_ended\":{");
    for (size_t r = 0; r < TURN_USAGE_REASON_COUNT; r++) {
        http_body_printf(out, "%s\"%s\":%llu", r ? "," : "",
                         turn_usage_reason_name((enum turn_usage_reason)r),
                         (unsigned long long)sum->turn.allocations_ended[r]);
    }
    http_body_printf(out, "},\"auth_failures\":{");
    for (size_t r = 0; r < 4; r++) {
        http_body_printf(out, "%s\"%s\":%llu", r ? "," : "", server_stats_auth_reasons[r],
                         (unsigned long long)sum->turn.auth_failures[r]);
    }
    http_body_printf(out, "},\"requests\":{");
    for (size_t i = 0; i <= known; i++) {
        http_body_printf(out, "%s\"%s\":{\"success\":%llu,\"error\":%llu}", i ? "," : "",
                         i < known ? server_stats_methods[i].name : "other",
                         (unsigned long long)server_stats_requests(sum, i, 0),
                         (unsigned long long)server_stats_requests(sum, i, 1));
    }
    http_body_printf(out,
                     "},\"relay_packets\":{\"client_to_peer\":%llu,\"peer_to_client\":%llu},"
                     "\"relay_bytes\":{\"client_to_peer\":%llu,\"peer_to_client\":%llu}",
                     (unsigned long long)sum->turn.rx_packets_client,
                     (unsigned long long)sum->turn.tx_packets_peer,
                     (unsigned long long)sum->turn.rx_bytes_client,
                     (unsigned long long)sum->turn.tx_bytes_peer);
}

static void server_stats_json_totals(struct http_body *out, const struct server_stats_sum *sum)
{
    http_body_printf(out, "\"totals\":{");
    for (size_t i = 0; i < sizeof(server_stats_scalars) / sizeof(server_stats_scalars[0]); i++) {
        const struct server_stats_scalar *r = &server_stats_scalars[i];
        http_body_printf(out, "\"%s\":%llu,", r->name + strlen("tern_"),
                         (unsigned long long)server_stats_value(sum, r->offset));
    }
    server_stats_json_labelled(out, sum);
    http_body_printf(out, "}");
}

static uint64_t server_stats_top_bytes(const struct turn_worker_top_entry *e)
{
    return e->bytes_to_peer + e->bytes_to_client;
}

/* qsort() order: most bytes relayed (both ways) first. */
static int server_stats_top_cmp(const void *a, const void *b)
{
    uint64_t x = server_stats_top_bytes(a);
    uint64_t y = server_stats_top_bytes(b);

    return x < y ? 1 : (x > y ? -1 : 0);
}

/* One allocation of the top list as a JSON object. */
static void server_stats_json_top_entry(struct http_body *out,
                                        const struct turn_worker_top_entry *e, int64_t now_s)
{
    char client[ADDR_STR_LEN];
    char relay[ADDR_STR_LEN];

    http_body_printf(out, "{\"username\":");
    http_body_json_string(out, e->username);
    http_body_printf(out,
                     ",\"client\":\"%s\",\"relay\":\"%s\",\"bytes_to_peer\":%llu,"
                     "\"bytes_to_client\":%llu,\"age_s\":%lld}",
                     addr_format(&e->client, client, sizeof(client)),
                     addr_format(&e->relay, relay, sizeof(relay)),
                     (unsigned long long)e->bytes_to_peer, (unsigned long long)e->bytes_to_client,
                     (long long)(now_s > e->start_s ? now_s - e->start_s : 0));
}

/* The top allocations of the whole server: every worker publishes its own top-N, so the first N
 * of their union, by bytes, are the server's top N. */
static void server_stats_json_top(struct http_body *out, const struct server_stats *s,
                                  struct net_worker_snapshot *snap)
{
    size_t cap = (size_t)s->worker_count * NET_WORKER_TOP_MAX;
    struct turn_worker_top_entry *all = xcalloc(cap ? cap : 1, sizeof(*all));
    size_t count = 0;

    for (unsigned i = 0; i < s->worker_count; i++) {
        net_worker_snapshot_read(s->workers[i], snap);
        for (size_t k = 0; k < snap->top_count && count < cap; k++) {
            all[count++] = snap->top[k];
        }
    }
    qsort(all, count, sizeof(*all), server_stats_top_cmp);
    int64_t now_s = clock_wall_s();
    for (size_t i = 0; i < count && i < s->top_n; i++) {
        http_body_printf(out, "%s", i ? "," : "");
        server_stats_json_top_entry(out, &all[i], now_s);
    }
    xfree(&all);
}

static void server_stats_json_workers(struct http_body *out, const struct server_stats *s,
                                      struct net_worker_snapshot *snap)
{
    http_body_printf(out, ",\"workers\":[");
    for (unsigned i = 0; i < s->worker_count; i++) {
        const struct turn_counters *t = turn_worker_counters(s->workers[i]->turn);
        const struct net_worker_counters *c = &s->workers[i]->counters;
        http_body_printf(
            out,
            "%s{\"worker\":%u,\"allocations_active\":%llu,\"received_packets\":%llu,"
            "\"relay_packets_client_to_peer\":%llu,\"relay_packets_peer_to_client\":%llu}",
            i ? "," : "", i, (unsigned long long)counter_read(&t->allocations_active),
            (unsigned long long)counter_read(&c->udp_rx_packets) +
                (unsigned long long)counter_read(&c->relay_rx_packets),
            (unsigned long long)counter_read(&t->rx_packets_client),
            (unsigned long long)counter_read(&t->tx_packets_peer));
    }
    http_body_printf(out, "],\"top_allocations\":[");
    server_stats_json_top(out, s, snap);
    http_body_printf(out, "]");
}

void server_stats_json(void *ctx, struct http_body *out)
{
    struct server_stats *s = ctx;
    struct server_stats_sum sum;
    /* Large (the top-N of one worker): on the heap of the HTTP thread, once per scrape. */
    struct net_worker_snapshot *snap = xcalloc(1, sizeof(*snap));

    server_stats_collect(s, &sum);
    http_body_printf(out,
                     "{\"version\":\"%s\",\"start_time\":%lld,\"ready\":%s,\"workers_count\":%u,",
                     PACKAGE_VERSION, (long long)s->start_s,
                     server_stats_ready(s) ? "true" : "false", s->worker_count);
    if (s->store != NULL) {
        struct store_figures f;
        store_figures_read(s->store, &f);
        http_body_printf(out,
                         "\"redis\":{\"up\":%s,\"usage_sent\":%llu,\"usage_queued\":%llu,"
                         "\"usage_dropped\":%llu},",
                         f.up ? "true" : "false", (unsigned long long)f.usage_sent,
                         (unsigned long long)f.usage_queued, (unsigned long long)f.usage_dropped);
    }
    server_stats_json_totals(out, &sum);
    server_stats_json_workers(out, s, snap);
    http_body_printf(out, "}\n");
    xfree(&snap);
}
