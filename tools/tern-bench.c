/*
 * tern-bench: the project's benchmark. It drives any TURN server listening
 * on loopback (Tern, coturn, ...) over UDP and prints one JSON object on
 * standard output:
 *
 *   setup       N clients each Allocate (401, then authenticated),
 *               CreatePermission and ChannelBind: allocations per second
 *               and the setup time of each (median, p99);
 *   throughput  M allocations send ChannelData of S bytes to an in-process
 *               echo peer which sends it back through the relay: packets
 *               per second in each direction, loss, and, given the
 *               server's PID, packets per CPU-second of the server;
 *   latency     the same paced at a low rate, once through the relay and
 *               once straight to the echo peer: the added round-trip time;
 *   capacity    (optional) K allocations held at once: how many succeed,
 *               and the server's memory per allocation.
 *
 * Every phase is bounded in packets and in time; the tool refuses to talk
 * to anything but loopback.
 */
#include "auth/auth_rest.h"
#include "bench_cycle.h"
#include "bench_echo.h"
#include "bench_flow.h"
#include "bench_json.h"
#include "bench_net.h"
#include "bench_opts.h"
#include "bench_stats.h"
#include "bench_turn.h"
#include "config.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Descriptors kept aside for stdio, epoll and the echo peer. */
#define BENCH_FD_SPARE 32
/* Latency samples kept per measurement (reservoir beyond). */
#define BENCH_SAMPLES_MAX 1000000
/* Time allowed to release allocations after a phase. */
#define BENCH_RELEASE_NS (10 * BENCH_NS_PER_S)

/* The phases that set up allocations; each has its own client address. */
enum bench_phase {
    BENCH_PHASE_SETUP,
    BENCH_PHASE_TRAFFIC,
    BENCH_PHASE_CAPACITY,
};

/* What the phases share. */
struct bench_main {
    struct bench_opts *o;
    struct bench_turn_cred cred;
    struct bench_echo echo;
    struct bench_json json;
    uint64_t deadline_ns;
    uint32_t run;
    bool failed; /* a phase did not produce its measurement */
};

/*
 * The setup context of a phase: full set-up or Allocate alone. With an IPv4 server, each
 * phase's clients bind their own loopback address (127.0.0.2, .3, .4), never 127.0.0.1: a
 * client then never reuses the 5-tuple of an allocation released in an earlier phase (a
 * server may keep such a 5-tuple a while and answer 437), and client ports never take relay
 * ports, which servers bind on 127.0.0.1. --source S moves them to 127.0.S.x, for runs one
 * after the other against the same server.
 */
static void bench_ctx_prepare(struct bench_main *m, struct bench_turn_ctx *ctx, bool full,
                              int phase)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->cred = &m->cred;
    ctx->server = m->o->server;
    if (m->o->server.family == AF_INET6) {
        (void)addr_parse(&ctx->local, "::1", 0);
    } else {
        (void)addr_parse(&ctx->local, "127.0.0.2", 0);
        ctx->local.ip[2] = (uint8_t)m->o->source;
        ctx->local.ip[3] = (uint8_t)(2 + phase);
    }
    ctx->peer = m->echo.addr;
    ctx->full = full;
    ctx->rfc8489 = m->o->rfc8489 != 0;
    ctx->concurrency = m->o->concurrency;
    ctx->rto_ns = m->o->rto_ms * BENCH_NS_PER_MS;
    ctx->max_tries = m->o->max_tries;
    ctx->epfd = -1;
}

static uint64_t bench_deadline(const struct bench_main *m, double seconds)
{
    uint64_t t = bench_now_ns() + (uint64_t)(seconds * (double)BENCH_NS_PER_S);

    return t < m->deadline_ns ? t : m->deadline_ns;
}

static void bench_json_pct(struct bench_json *j, const char *key, const struct bench_pct *p)
{
    bench_json_open(j, key);
    bench_json_num(j, "median", p->median_us);
    bench_json_num(j, "p99", p->p99_us);
    bench_json_num(j, "max", p->max_us);
    bench_json_num(j, "mean", p->mean_us);
    bench_json_u64(j, "samples", p->count);
    bench_json_close(j);
}

static void bench_json_error(struct bench_json *j, uint16_t code)
{
    bench_json_u64(j, "first_error", code);
    bench_json_str(j, "first_error_reason", bench_turn_fail_name(code));
}

/* Sets up clients[0..n) with timing; writes the counts. Returns the successes. */
static uint64_t bench_setup_clients(struct bench_main *m, struct bench_turn_ctx *ctx,
                                    struct bench_turn *clients, size_t n, struct bench_samples *lat)
{
    struct bench_turn_stats st = {.latency = lat};

    bench_turn_setup(ctx, clients, n, bench_deadline(m, m->o->phase_timeout_s), &st);
    double secs = st.last_ns > st.first_ns ? (double)(st.last_ns - st.first_ns) / 1e9 : 0.0;
    bench_json_u64(&m->json, "requested", n);
    bench_json_u64(&m->json, "ok", st.ok);
    bench_json_u64(&m->json, "failed", st.failed);
    bench_json_u64(&m->json, "retransmits", st.retransmits);
    bench_json_error(&m->json, st.first_error);
    bench_json_num(&m->json, "seconds", secs);
    bench_json_num(&m->json, "allocations_per_s", secs > 0 ? (double)st.ok / secs : 0.0);
    return st.ok;
}

/* Phase "setup": N clients through the whole set-up, then released. */
static void bench_phase_setup(struct bench_main *m)
{
    struct bench_turn_ctx ctx;
    struct bench_samples lat;
    struct bench_pct pct;
    char err[160];

    bench_ctx_prepare(m, &ctx, true, BENCH_PHASE_SETUP);
    bench_json_open(&m->json, "setup");
    if (bench_turn_ctx_init(&ctx, err, sizeof(err)) != 0) {
        bench_json_str(&m->json, "error", err);
        bench_json_close(&m->json);
        m->failed = true;
        return;
    }
    bench_samples_init(&lat, m->o->clients);
    struct bench_turn *clients = bench_turn_clients_new(m->o->clients);
    uint64_t ok = bench_setup_clients(m, &ctx, clients, m->o->clients, &lat);
    bench_samples_summary(&lat, &pct);
    bench_json_pct(&m->json, "latency_us", &pct);
    uint64_t released =
        bench_turn_release(&ctx, clients, m->o->clients, bench_now_ns() + BENCH_RELEASE_NS);
    bench_json_u64(&m->json, "released", released);
    bench_json_close(&m->json);
    m->failed |= ok == 0;
    xfree(&clients);
    bench_samples_fini(&lat);
    bench_turn_ctx_fini(&ctx);
}

/* Writes one flow result; returns false when nothing came back. */
static bool bench_json_flow(struct bench_json *j, const struct bench_flow_result *r)
{
    struct bench_pct pct;
    double s = r->seconds > 0 ? r->seconds : 1.0;
    uint64_t relayed = r->to_peer + r->received;
    double server = r->server_user_s >= 0 ? r->server_user_s + r->server_sys_s : -1.0;

    bench_json_u64(j, "sent", r->sent);
    bench_json_u64(j, "to_peer", r->to_peer);
    bench_json_u64(j, "to_client", r->received);
    bench_json_u64(j, "lost", r->sent > r->received ? r->sent - r->received : 0);
    bench_json_num(j, "loss", r->sent > 0 ? 1.0 - (double)r->received / (double)r->sent : 0.0);
    bench_json_num(j, "seconds", r->seconds);
    bench_json_num(j, "sent_pps", (double)r->sent / s);
    bench_json_num(j, "to_peer_pps", (double)r->to_peer / s);
    bench_json_num(j, "to_client_pps", (double)r->received / s);
    bench_json_num(j, "relayed_pps", (double)relayed / s);
    bench_json_u64(j, "send_refused", r->send_refused);
    bench_json_u64(j, "stalls", r->stalls);
    bench_json_u64(j, "stray", r->stray);
    bench_samples_summary(r->rtt, &pct);
    bench_json_pct(j, "rtt_us", &pct);
    bench_json_open(j, "cpu_s");
    bench_json_num(j, "generator", r->client_cpu_s);
    bench_json_num(j, "echo", r->echo_cpu_s);
    bench_json_num(j, "server", server >= 0 ? server : (double)NAN);
    bench_json_num(j, "server_user", server >= 0 ? r->server_user_s : (double)NAN);
    bench_json_num(j, "server_sys", server >= 0 ? r->server_sys_s : (double)NAN);
    bench_json_close(j);
    bench_json_num(j, "relayed_per_server_cpu_s",
                   server > 0 ? (double)relayed / server : (double)NAN);
    double busiest = r->client_cpu_s > r->echo_cpu_s ? r->client_cpu_s : r->echo_cpu_s;
    bench_json_num(j, "generator_busy", busiest / s);
    bench_json_open(j, "machine");
    bench_json_num(j, "busy", r->machine_busy >= 0 ? r->machine_busy : (double)NAN);
    bench_json_num(j, "softirq_s", r->softirq_s >= 0 ? r->softirq_s : (double)NAN);
    bench_json_close(j);
    return r->received > 0;
}

/* Runs one flow over fds and writes it under key. Returns false when nothing came back. */
static bool bench_flow(struct bench_main *m, const char *key, struct bench_flow_opts *fo,
                       const int *fds, size_t n, struct bench_pct *rtt)
{
    struct bench_flow_result r;
    struct bench_samples samples;
    bool ok = false;

    memset(&r, 0, sizeof(r));
    memset(rtt, 0, sizeof(*rtt));
    bench_samples_init(&samples, BENCH_SAMPLES_MAX);
    r.rtt = &samples;
    fo->run = ++m->run;
    bench_json_open(&m->json, key);
    if (bench_flow_run(fo, fds, n, &m->echo, &r) != 0) {
        bench_json_str(&m->json, "error", strerror(errno));
    } else {
        ok = bench_json_flow(&m->json, &r);
        bench_samples_summary(&samples, rtt);
    }
    bench_json_close(&m->json);
    bench_samples_fini(&samples);
    return ok;
}

/* Sets the packet format of the relayed flows: ChannelData, Send indications, or plain
 * datagrams to a raw forwarder. */
static void bench_flow_opts_relay(const struct bench_main *m, struct bench_flow_opts *fo)
{
    fo->channel = strcmp(m->o->relay_mode, "channel") == 0;
    fo->indication = strcmp(m->o->relay_mode, "send") == 0;
}

static void bench_flow_opts_base(const struct bench_main *m, struct bench_flow_opts *fo)
{
    memset(fo, 0, sizeof(*fo));
    fo->size = m->o->size;
    fo->window = m->o->window;
    fo->batch = m->o->batch;
    bench_flow_opts_relay(m, fo);
    fo->peer = m->echo.addr;
    fo->server_pid = (pid_t)m->o->server_pid;
}

/* Phase "throughput": closed loop (or paced at --rate) through the relay. */
static void bench_phase_throughput(struct bench_main *m, const int *fds, size_t n)
{
    struct bench_flow_opts fo;
    struct bench_pct rtt;

    bench_flow_opts_base(m, &fo);
    fo.rate_pps = m->o->rate;
    fo.duration_ns = (uint64_t)(m->o->duration_s * (double)BENCH_NS_PER_S);
    fo.max_packets = m->o->packets;
    if (!bench_flow(m, "throughput", &fo, fds, n, &rtt)) {
        m->failed = true;
    }
}

/* Opens n sockets connected straight to the echo peer. Returns 0 or -1 (err filled). */
static int bench_direct_open(struct bench_main *m, int *fds, size_t n, char *err, size_t len)
{
    struct addr local = m->echo.addr;

    local.port = 0;
    for (size_t i = 0; i < n; i++) {
        fds[i] = bench_net_udp_open(&local, &m->echo.addr, 0, err, len);
        if (fds[i] < 0) {
            return -1;
        }
    }
    return 0;
}

/* Phase "latency": the same paced load straight to the echo peer, then through the relay. */
static void bench_phase_latency(struct bench_main *m, const int *fds, size_t n)
{
    struct bench_flow_opts fo;
    struct bench_pct direct;
    struct bench_pct relay;
    char err[160];
    int *direct_fds = xcalloc(n, sizeof(*direct_fds));

    bench_flow_opts_base(m, &fo);
    fo.rate_pps = m->o->latency_rate;
    fo.duration_ns = (uint64_t)(m->o->latency_duration_s * (double)BENCH_NS_PER_S);
    fo.max_packets = m->o->packets;
    memset(direct_fds, -1, n * sizeof(*direct_fds));
    bench_json_open(&m->json, "latency");
    bench_json_u64(&m->json, "rate_pps", fo.rate_pps);
    if (bench_direct_open(m, direct_fds, n, err, sizeof(err)) != 0) {
        bench_json_str(&m->json, "error", err);
        m->failed = true;
    } else {
        fo.channel = false;
        fo.indication = false;
        bool ok = bench_flow(m, "direct", &fo, direct_fds, n, &direct);
        bench_flow_opts_relay(m, &fo);
        ok &= bench_flow(m, "relay", &fo, fds, n, &relay);
        bench_json_open(&m->json, "added_us");
        bench_json_num(&m->json, "median", relay.median_us - direct.median_us);
        bench_json_num(&m->json, "p99", relay.p99_us - direct.p99_us);
        bench_json_close(&m->json);
        m->failed |= !ok;
    }
    bench_json_close(&m->json);
    for (size_t i = 0; i < n; i++) {
        bench_net_close(&direct_fds[i]);
    }
    xfree(&direct_fds);
}

/* Runs the traffic phases on fds[0..n). */
static void bench_traffic_run(struct bench_main *m, const int *fds, size_t n)
{
    if (m->o->latency_rate > 0 && m->o->latency_duration_s > 0) {
        bench_phase_latency(m, fds, n);
    }
    if (m->o->duration_s > 0) {
        bench_phase_throughput(m, fds, n);
    }
}

/* Traffic through a raw forwarder at --server: M plain sockets connected to it. */
static void bench_phase_raw(struct bench_main *m)
{
    size_t n = m->o->allocations;
    int *fds = xcalloc(n, sizeof(*fds));
    struct addr local;
    char err[160];
    bool ok = true;

    (void)addr_parse(&local, m->o->server.family == AF_INET6 ? "::1" : "127.0.0.3", 0);
    if (local.family == AF_INET) {
        local.ip[2] = (uint8_t)m->o->source;
    }
    for (size_t i = 0; i < n; i++) {
        fds[i] = -1;
    }
    for (size_t i = 0; i < n && ok; i++) {
        fds[i] = bench_net_udp_open(&local, &m->o->server, BENCH_FLOW_SOCK_BUF, err, sizeof(err));
        ok = fds[i] >= 0;
    }
    bench_json_open(&m->json, "flows");
    bench_json_str(&m->json, "mode", "raw");
    bench_json_u64(&m->json, "ok", ok ? n : 0);
    if (!ok) {
        bench_json_str(&m->json, "error", err);
    }
    bench_json_close(&m->json);
    if (ok) {
        bench_traffic_run(m, fds, n);
    }
    m->failed |= !ok;
    for (size_t i = 0; i < n; i++) {
        bench_net_close(&fds[i]);
    }
    xfree(&fds);
}

/* Sets up the M allocations the traffic phases share, runs those phases, releases them. */
static void bench_phase_traffic(struct bench_main *m)
{
    struct bench_turn_ctx ctx;
    char err[160];
    size_t n = m->o->allocations;

    bench_ctx_prepare(m, &ctx, true, BENCH_PHASE_TRAFFIC);
    ctx.sock_buf = BENCH_FLOW_SOCK_BUF;
    ctx.no_channel = strcmp(m->o->relay_mode, "send") == 0;
    bench_json_open(&m->json, "flows");
    if (bench_turn_ctx_init(&ctx, err, sizeof(err)) != 0) {
        bench_json_str(&m->json, "error", err);
        bench_json_close(&m->json);
        m->failed = true;
        return;
    }
    struct bench_turn *clients = bench_turn_clients_new(n);
    uint64_t ok = bench_setup_clients(m, &ctx, clients, n, NULL);
    bench_json_close(&m->json);
    if (ok == n) {
        int *fds = xcalloc(n, sizeof(*fds));
        for (size_t i = 0; i < n; i++) {
            fds[i] = clients[i].fd;
        }
        bench_traffic_run(m, fds, n);
        xfree(&fds);
    } else {
        m->failed = true;
    }
    (void)bench_turn_release(&ctx, clients, n, bench_now_ns() + BENCH_RELEASE_NS);
    xfree(&clients);
    bench_turn_ctx_fini(&ctx);
}

/* Writes the server's resident memory (when its PID is known) under key. */
static void bench_json_rss(struct bench_main *m, const char *key, uint64_t *kib)
{
    if (m->o->server_pid > 0 && bench_proc_rss_kib((pid_t)m->o->server_pid, kib) == 0) {
        bench_json_u64(&m->json, key, *kib);
    } else {
        *kib = 0;
        bench_json_null(&m->json, key);
    }
}

/* Capacity: Refreshes every allocation held, --refresh-passes times. */
static void bench_capacity_refresh(struct bench_main *m, struct bench_turn_ctx *ctx,
                                   struct bench_turn *clients)
{
    struct bench_turn_stats st = {0};

    if (m->o->refresh_passes == 0) {
        return;
    }
    uint64_t t0 = bench_now_ns();
    for (unsigned pass = 0; pass < m->o->refresh_passes; pass++) {
        bench_turn_refresh(ctx, clients, m->o->capacity, bench_deadline(m, m->o->phase_timeout_s),
                           &st);
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    uint64_t kib = 0;
    bench_json_open(&m->json, "refresh");
    bench_json_u64(&m->json, "passes", m->o->refresh_passes);
    bench_json_u64(&m->json, "ok", st.ok);
    bench_json_u64(&m->json, "failed", st.failed);
    bench_json_error(&m->json, st.first_error);
    bench_json_num(&m->json, "seconds", secs);
    bench_json_rss(m, "server_rss_kib", &kib);
    bench_json_close(&m->json);
}

/* Capacity: the server's memory a while after the allocations were released. */
static void bench_capacity_freed(struct bench_main *m, uint64_t rss_before, uint64_t ok)
{
    uint64_t kib = 0;
    struct timespec ts = {.tv_sec = (time_t)m->o->settle_s,
                          .tv_nsec = (long)((m->o->settle_s - floor(m->o->settle_s)) * 1e9)};

    (void)nanosleep(&ts, NULL);
    bench_json_rss(m, "server_rss_kib_freed", &kib);
    if (ok > 0 && rss_before > 0 && kib > 0) {
        bench_json_num(&m->json, "server_bytes_per_allocation_freed",
                       ((double)kib - (double)rss_before) * 1024.0 / (double)ok);
    } else {
        bench_json_null(&m->json, "server_bytes_per_allocation_freed");
    }
}

/* Phase "binding" (cycle false) or "cycle": request rates over --transport from threads. */
static void bench_phase_cycle(struct bench_main *m, bool cycle)
{
    struct bench_cycle_opts co;
    struct bench_cycle_result r;
    struct bench_samples lat;
    struct bench_pct pct;
    char err[160];

    memset(&co, 0, sizeof(co));
    memset(&r, 0, sizeof(r));
    co.server = m->o->server;
    co.cred = &m->cred;
    co.xport = bench_cycle_xport(m->o->transport);
    co.allocate = cycle;
    co.tls_resume = m->o->tls_resume != 0;
    co.threads = m->o->threads;
    co.window = m->o->binding_window;
    co.duration_ns = (uint64_t)((cycle ? m->o->cycle_s : m->o->binding_s) * 1e9);
    co.rto_ns = m->o->rto_ms * BENCH_NS_PER_MS;
    co.server_pid = (pid_t)m->o->server_pid;
    co.thread_base = cycle ? 40 : 20;
    bench_samples_init(&lat, BENCH_SAMPLES_MAX);
    r.latency = cycle ? &lat : NULL;
    bench_json_open(&m->json, cycle ? "cycle" : "binding");
    bench_json_str(&m->json, "transport", m->o->transport);
    bench_json_u64(&m->json, "threads", co.threads);
    if (bench_cycle_run(&co, &r, err, sizeof(err)) != 0) {
        bench_json_str(&m->json, "error", err);
    }
    bench_json_u64(&m->json, "ok", r.ok);
    bench_json_u64(&m->json, "failed", r.failed);
    bench_json_error(&m->json, r.first_error);
    if (co.xport == BENCH_XPORT_TLS) {
        bench_json_u64(&m->json, "resumed", r.resumed);
    }
    bench_json_num(&m->json, "seconds", r.seconds);
    bench_json_num(&m->json, "per_s", r.seconds > 0 ? (double)r.ok / r.seconds : 0.0);
    bench_json_num(&m->json, "server_cpu_s", r.server_cpu_s >= 0 ? r.server_cpu_s : (double)NAN);
    bench_json_num(&m->json, "per_server_cpu_s",
                   r.server_cpu_s > 0 ? (double)r.ok / r.server_cpu_s : (double)NAN);
    bench_json_num(&m->json, "generator_cpu_s", r.client_cpu_s);
    if (cycle) {
        bench_samples_summary(&lat, &pct);
        bench_json_pct(&m->json, "latency_us", &pct);
    }
    bench_json_close(&m->json);
    m->failed |= r.ok == 0;
    bench_samples_fini(&lat);
}

/* Phase "capacity": K allocations (Allocate only) held at once. */
static void bench_phase_capacity(struct bench_main *m)
{
    struct bench_turn_ctx ctx;
    char err[160];
    uint64_t rss_before = 0;
    uint64_t rss_after = 0;

    bench_ctx_prepare(m, &ctx, false, BENCH_PHASE_CAPACITY);
    ctx.per_ip = m->o->per_ip;
    bench_json_open(&m->json, "capacity");
    if (bench_turn_ctx_init(&ctx, err, sizeof(err)) != 0) {
        bench_json_str(&m->json, "error", err);
        bench_json_close(&m->json);
        m->failed = true;
        return;
    }
    bench_json_rss(m, "server_rss_kib_before", &rss_before);
    struct bench_turn *clients = bench_turn_clients_new(m->o->capacity);
    uint64_t ok = bench_setup_clients(m, &ctx, clients, m->o->capacity, NULL);
    bench_json_rss(m, "server_rss_kib_after", &rss_after);
    if (ok > 0 && rss_before > 0 && rss_after > rss_before) {
        bench_json_num(&m->json, "server_bytes_per_allocation",
                       (double)(rss_after - rss_before) * 1024.0 / (double)ok);
    } else {
        bench_json_null(&m->json, "server_bytes_per_allocation");
    }
    bench_capacity_refresh(m, &ctx, clients);
    uint64_t released = bench_turn_release(&ctx, clients, m->o->capacity,
                                           bench_now_ns() + BENCH_RELEASE_NS +
                                               (uint64_t)m->o->capacity * BENCH_NS_PER_MS / 10);
    bench_json_u64(&m->json, "released", released);
    bench_capacity_freed(m, rss_before, ok);
    bench_json_close(&m->json);
    m->failed |= ok == 0;
    xfree(&clients);
    bench_turn_ctx_fini(&ctx);
}

/* The credential: a static user, or one minted from a REST secret. Returns 0 or -1. */
static int bench_credential(struct bench_main *m)
{
    const struct bench_opts *o = m->o;
    struct bench_turn_cred *c = &m->cred;

    memset(c, 0, sizeof(*c));
    if (o->secret == NULL) {
        (void)snprintf(c->username, sizeof(c->username), "%s", o->user);
        (void)snprintf(c->password, sizeof(c->password), "%s", o->password);
        return 0;
    }
    const char *user = o->user != NULL ? o->user : "bench";
    if (auth_rest_username_make(user, strlen(user), clock_wall_s(), (uint32_t)o->ttl_s, c->username,
                                sizeof(c->username)) < 0 ||
        auth_rest_password(o->secret, strlen(o->secret), c->username, strlen(c->username),
                           c->password, sizeof(c->password)) < 0) {
        return -1;
    }
    return 0;
}

/* Raises the descriptor limit to what the run needs (every client holds a socket). */
static int bench_fd_limit(const struct bench_opts *o)
{
    struct rlimit rl;
    size_t most = o->clients > o->capacity ? o->clients : o->capacity;
    rlim_t need = (rlim_t)(most + 2 * o->allocations + BENCH_FD_SPARE);

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return -1;
    }
    if (rl.rlim_cur >= need) {
        return 0;
    }
    if (need > rl.rlim_max) {
        struct rlimit raised = {.rlim_cur = need, .rlim_max = need};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            return 0; /* allowed (CAP_SYS_RESOURCE) */
        }
    }
    rl.rlim_cur = need <= rl.rlim_max ? need : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < need) {
        (void)fprintf(stderr, "tern-bench: %llu descriptors needed, the limit is %llu\n",
                      (unsigned long long)need, (unsigned long long)rl.rlim_cur);
        return -1;
    }
    return 0;
}

static void bench_json_params(struct bench_main *m)
{
    const struct bench_opts *o = m->o;

    bench_json_open(&m->json, "params");
    bench_json_u64(&m->json, "clients", o->clients);
    bench_json_u64(&m->json, "concurrency", o->concurrency);
    bench_json_u64(&m->json, "allocations", o->allocations);
    bench_json_u64(&m->json, "size", o->size);
    bench_json_num(&m->json, "duration_s", o->duration_s);
    bench_json_u64(&m->json, "packets", o->packets);
    bench_json_u64(&m->json, "rate_pps", o->rate);
    bench_json_u64(&m->json, "window", o->window);
    bench_json_u64(&m->json, "batch", o->batch);
    bench_json_u64(&m->json, "latency_rate_pps", o->latency_rate);
    bench_json_num(&m->json, "latency_duration_s", o->latency_duration_s);
    bench_json_u64(&m->json, "capacity", o->capacity);
    bench_json_str(&m->json, "relay_mode", o->relay_mode);
    bench_json_str(&m->json, "transport", o->transport);
    bench_json_num(&m->json, "binding_s", o->binding_s);
    bench_json_num(&m->json, "cycle_s", o->cycle_s);
    bench_json_u64(&m->json, "threads", o->threads);
    bench_json_str(&m->json, "auth", o->secret != NULL ? "rest-secret" : "static-user");
    bench_json_bool(&m->json, "rfc8489", o->rfc8489 != 0);
    bench_json_close(&m->json);
}

/* Runs the phases the options ask for and writes the JSON object. */
static void bench_run(struct bench_main *m)
{
    char server[ADDR_STR_LEN];
    uint64_t t0 = bench_now_ns();
    double cpu0 = bench_cpu_process_s();

    bench_json_init(&m->json, stdout);
    bench_json_str(&m->json, "tool", "tern-bench " PACKAGE_VERSION);
    bench_json_str(&m->json, "label", m->o->label != NULL ? m->o->label : "");
    bench_json_str(&m->json, "server", addr_format(&m->o->server, server, sizeof(server)));
    bench_json_u64(&m->json, "server_pid", (uint64_t)m->o->server_pid);
    bench_json_params(m);
    if (m->o->clients > 0) {
        bench_phase_setup(m);
    }
    if (m->o->binding_s > 0) {
        bench_phase_cycle(m, false);
    }
    if (m->o->cycle_s > 0) {
        bench_phase_cycle(m, true);
    }
    if (m->o->allocations > 0 && strcmp(m->o->relay_mode, "raw") == 0) {
        bench_phase_raw(m);
    } else if (m->o->allocations > 0) {
        bench_phase_traffic(m);
    }
    if (m->o->capacity > 0) {
        bench_phase_capacity(m);
    }
    bench_json_open(&m->json, "tool_cpu_s");
    bench_json_num(&m->json, "process", bench_cpu_process_s() - cpu0);
    bench_json_close(&m->json);
    bench_json_num(&m->json, "elapsed_s", (double)(bench_now_ns() - t0) / 1e9);
    bench_json_bool(&m->json, "ok", !m->failed);
    bench_json_finish(&m->json);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    struct bench_main m;
    char err[160];

    int rc = bench_opts_parse(&o, argc, argv);
    if (rc != 0) {
        return rc > 0 ? 0 : 2;
    }
    memset(&m, 0, sizeof(m));
    m.o = &o;
    m.deadline_ns = bench_now_ns() + (uint64_t)(o.timeout_s * (double)BENCH_NS_PER_S);
    if (bench_fd_limit(&o) != 0) {
        return 2;
    }
    if (bench_credential(&m) != 0) {
        (void)fprintf(stderr, "tern-bench: cannot mint a credential from the secret\n");
        return 2;
    }
    if (bench_echo_start(&m.echo, o.server.family, (uint16_t)o.echo_port, o.batch,
                         m.deadline_ns + 5 * BENCH_NS_PER_S, err, sizeof(err)) != 0) {
        (void)fprintf(stderr, "tern-bench: echo peer: %s\n", err);
        return 1;
    }
    bench_run(&m);
    bench_echo_stop(&m.echo);
    return m.failed ? 1 : 0;
}
