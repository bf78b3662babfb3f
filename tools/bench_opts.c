#include "bench_opts.h"

#include "bench_cycle.h"
#include "bench_flow.h"
#include "bench_net.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum bench_opt_kind {
    BENCH_OPT_STR,    /* const char * */
    BENCH_OPT_SIZE,   /* size_t */
    BENCH_OPT_UINT,   /* unsigned */
    BENCH_OPT_ULONG,  /* unsigned long */
    BENCH_OPT_LONG,   /* long */
    BENCH_OPT_U64,    /* uint64_t */
    BENCH_OPT_DOUBLE, /* double */
    BENCH_OPT_SERVER, /* struct addr, loopback with a port */
    BENCH_OPT_HELP,
};

/* One option: where its value goes and the range it must lie in. */
struct bench_opt_row {
    const char *name;
    const char *arg;
    enum bench_opt_kind kind;
    size_t offset;
    double min;
    double max;
    const char *help;
};

#define BENCH_OPT(name, arg, kind, field, min, max, help)                                          \
    {                                                                                              \
        name, arg, kind, offsetof(struct bench_opts, field), min, max, help                        \
    }

static const struct bench_opt_row bench_opt_rows[] = {
    BENCH_OPT("server", "IP:PORT", BENCH_OPT_SERVER, server, 0, 0,
              "TURN server on loopback (127.0.0.0/8 or [::1]), required"),
    BENCH_OPT("user", "NAME", BENCH_OPT_STR, user, 0, 0,
              "static user, or the user part of a REST username"),
    BENCH_OPT("password", "PW", BENCH_OPT_STR, password, 0, 0, "password of the static user"),
    BENCH_OPT("secret", "S", BENCH_OPT_STR, secret, 0, 0,
              "REST shared secret: mint <expiry>:<user> credentials"),
    BENCH_OPT("ttl", "S", BENCH_OPT_ULONG, ttl_s, 60, 31536000, "REST credential lifetime (3600)"),
    BENCH_OPT("rfc8489", "0|1", BENCH_OPT_UINT, rfc8489, 0, 1,
              "1: use PASSWORD-ALGORITHMS when the nonce cookie offers them (0: MD5, as browsers)"),
    BENCH_OPT("clients", "N", BENCH_OPT_SIZE, clients, 0, 100000,
              "setup phase: allocations set up, 0 = skip (200)"),
    BENCH_OPT("concurrency", "N", BENCH_OPT_SIZE, concurrency, 1, 10000,
              "set-up transactions in flight at once (32)"),
    BENCH_OPT("allocations", "M", BENCH_OPT_SIZE, allocations, 0, 10000,
              "traffic phases: relayed flows, 0 = skip (8)"),
    BENCH_OPT("size", "BYTES", BENCH_OPT_SIZE, size, BENCH_PKT_HDR_LEN, BENCH_PKT_MAX_LEN,
              "payload bytes per packet (200)"),
    BENCH_OPT("duration", "S", BENCH_OPT_DOUBLE, duration_s, 0, 3600,
              "throughput run length, 0 = skip (5)"),
    BENCH_OPT("packets", "N", BENCH_OPT_U64, packets, 1, 1e10,
              "most packets sent per traffic run (10000000)"),
    BENCH_OPT("rate", "PPS", BENCH_OPT_U64, rate, 0, 1e8,
              "throughput pacing in packets/s, 0 = closed loop (0)"),
    BENCH_OPT("window", "W", BENCH_OPT_UINT, window, 1, 4096,
              "closed loop: packets in flight per allocation (32)"),
    BENCH_OPT("batch", "B", BENCH_OPT_UINT, batch, 1, BENCH_FLOW_MAX_BATCH,
              "datagrams per sendmmsg/recvmmsg (32)"),
    BENCH_OPT("latency-rate", "PPS", BENCH_OPT_U64, latency_rate, 0, 1e7,
              "latency runs' rate in packets/s, 0 = skip (2000)"),
    BENCH_OPT("latency-duration", "S", BENCH_OPT_DOUBLE, latency_duration_s, 0, 600,
              "length of each latency run (2)"),
    BENCH_OPT("relay-mode", "M", BENCH_OPT_STR, relay_mode, 0, 0,
              "traffic: channel (ChannelData), send (Send/Data indications), or raw: --server is "
              "a plain UDP forwarder to the echo peer (channel)"),
    BENCH_OPT("echo-port", "PORT", BENCH_OPT_UINT, echo_port, 0, 65535,
              "the echo peer's UDP port on loopback, 0 = any (0)"),
    BENCH_OPT("source", "S", BENCH_OPT_UINT, source, 0, 255,
              "clients bind 127.0.S.2-4: a new S per run against one server (0)"),
    BENCH_OPT("binding", "S", BENCH_OPT_DOUBLE, binding_s, 0, 3600,
              "Binding phase: seconds of Binding requests, 0 = skip (0)"),
    BENCH_OPT("cycle", "S", BENCH_OPT_DOUBLE, cycle_s, 0, 3600,
              "cycle phase: seconds of 401/Allocate/Refresh(0) on new connections, 0 = skip (0)"),
    BENCH_OPT("transport", "T", BENCH_OPT_STR, transport, 0, 0,
              "binding and cycle phases: udp, tcp or tls (udp)"),
    BENCH_OPT("threads", "N", BENCH_OPT_UINT, threads, 1, BENCH_CYCLE_MAX_THREADS,
              "binding and cycle phases: threads, one connection each at a time (2)"),
    BENCH_OPT("binding-window", "W", BENCH_OPT_UINT, binding_window, 1, BENCH_CYCLE_MAX_WINDOW,
              "Binding requests in flight per thread (8)"),
    BENCH_OPT("tls-resume", "0|1", BENCH_OPT_UINT, tls_resume, 0, 1,
              "cycle phase over TLS: resume the previous session (0)"),
    BENCH_OPT("capacity", "K", BENCH_OPT_SIZE, capacity, 0, 200000,
              "capacity phase: allocations held at once, 0 = skip (0)"),
    BENCH_OPT("refresh-passes", "N", BENCH_OPT_UINT, refresh_passes, 0, 100,
              "capacity phase: Refresh every allocation held N times (0)"),
    BENCH_OPT("per-ip", "N", BENCH_OPT_SIZE, per_ip, 1, 30000,
              "capacity phase: clients per local address 127.N.0.4 (20000)"),
    BENCH_OPT("settle", "S", BENCH_OPT_DOUBLE, settle_s, 0, 60,
              "capacity phase: wait after release before reading memory (1)"),
    BENCH_OPT("server-pid", "PID", BENCH_OPT_LONG, server_pid, 0, 4194304,
              "read the server's CPU time and memory from /proc"),
    BENCH_OPT("rto", "MS", BENCH_OPT_U64, rto_ms, 10, 10000, "first retransmission timeout (500)"),
    BENCH_OPT("tries", "N", BENCH_OPT_UINT, max_tries, 1, 10, "transmissions per request (4)"),
    BENCH_OPT("phase-timeout", "S", BENCH_OPT_DOUBLE, phase_timeout_s, 1, 3600,
              "bound of one set-up phase (60)"),
    BENCH_OPT("timeout", "S", BENCH_OPT_DOUBLE, timeout_s, 1, 86400,
              "bound of the whole run (300)"),
    BENCH_OPT("label", "TEXT", BENCH_OPT_STR, label, 0, 0, "copied into the output"),
    {"help", NULL, BENCH_OPT_HELP, 0, 0, 0, "this text"},
};

#define BENCH_OPT_COUNT (sizeof(bench_opt_rows) / sizeof(bench_opt_rows[0]))

static void bench_opts_defaults(struct bench_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->ttl_s = 3600;
    o->clients = 200;
    o->concurrency = 32;
    o->allocations = 8;
    o->size = 200;
    o->window = 32;
    o->batch = 32;
    o->max_tries = 4;
    o->packets = 10000000;
    o->latency_rate = 2000;
    o->rto_ms = 500;
    o->duration_s = 5;
    o->latency_duration_s = 2;
    o->timeout_s = 300;
    o->phase_timeout_s = 60;
    o->transport = "udp";
    o->relay_mode = "channel";
    o->threads = 2;
    o->binding_window = 8;
    o->per_ip = 20000;
    o->settle_s = 1;
}

static void bench_opts_usage(FILE *out)
{
    (void)fprintf(out, "usage: tern-bench --server IP:PORT (--user U --password P | --secret S "
                       "[--user U]) [options]\n"
                       "Prints one JSON object with the results on standard output.\n");
    for (size_t i = 0; i < BENCH_OPT_COUNT; i++) {
        const struct bench_opt_row *r = &bench_opt_rows[i];
        char left[40];
        (void)snprintf(left, sizeof(left), "--%s%s%s", r->name, r->arg ? " " : "",
                       r->arg ? r->arg : "");
        (void)fprintf(out, "  %-24s %s\n", left, r->help);
    }
}

/* Parses a number and checks it against the row's range. Returns 0 or -1. */
static int bench_opts_number(const struct bench_opt_row *r, const char *s, double *out)
{
    char *end = NULL;

    if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '+') {
        return -1;
    }
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < r->min || v > r->max) {
        return -1;
    }
    if (r->kind != BENCH_OPT_DOUBLE && floor(v) != v) {
        return -1;
    }
    *out = v;
    return 0;
}

/* Stores a parsed number into the field the row names. */
static void bench_opts_store(struct bench_opts *o, const struct bench_opt_row *r, double v)
{
    char *field = (char *)o + r->offset;

    switch (r->kind) {
    case BENCH_OPT_SIZE:
        *(size_t *)(void *)field = (size_t)v;
        break;
    case BENCH_OPT_UINT:
        *(unsigned *)(void *)field = (unsigned)v;
        break;
    case BENCH_OPT_ULONG:
        *(unsigned long *)(void *)field = (unsigned long)v;
        break;
    case BENCH_OPT_LONG:
        *(long *)(void *)field = (long)v;
        break;
    case BENCH_OPT_U64:
        *(uint64_t *)(void *)field = (uint64_t)v;
        break;
    default:
        *(double *)(void *)field = v;
        break;
    }
}

/* Applies one option. Returns 0, or -1 when its value is wrong (reported). */
static int bench_opts_apply(struct bench_opts *o, const struct bench_opt_row *r, const char *val)
{
    double v = 0;

    if (r->kind == BENCH_OPT_STR) {
        *(const char **)(void *)((char *)o + r->offset) = val;
        return 0;
    }
    if (r->kind == BENCH_OPT_SERVER) {
        if (addr_parse(&o->server, val, 0) != 0 || o->server.port == 0) {
            (void)fprintf(stderr, "tern-bench: --server wants IP:PORT, not '%s'\n", val);
            return -1;
        }
        return 0;
    }
    if (bench_opts_number(r, val, &v) != 0) {
        (void)fprintf(stderr, "tern-bench: --%s wants a number in %.0f..%.0f, not '%s'\n", r->name,
                      r->min, r->max, val);
        return -1;
    }
    bench_opts_store(o, r, v);
    return 0;
}

/* The checks that span several options. Returns 0 or -1 (reported). */
static int bench_opts_check(const struct bench_opts *o)
{
    if (o->server.family == 0) {
        (void)fprintf(stderr, "tern-bench: --server is required\n");
        return -1;
    }
    if (!bench_net_is_loopback(&o->server)) {
        (void)fprintf(stderr, "tern-bench: refusing %s: the benchmark only talks to loopback\n",
                      "a server outside 127.0.0.0/8 and ::1");
        return -1;
    }
    bool static_user = o->user != NULL && o->password != NULL && o->secret == NULL;
    bool rest = o->secret != NULL && o->password == NULL;
    if (!static_user && !rest) {
        (void)fprintf(stderr, "tern-bench: give --user and --password, or --secret\n");
        return -1;
    }
    if (bench_cycle_xport(o->transport) < 0) {
        (void)fprintf(stderr, "tern-bench: --transport wants udp, tcp or tls\n");
        return -1;
    }
    if (strcmp(o->relay_mode, "channel") != 0 && strcmp(o->relay_mode, "send") != 0 &&
        strcmp(o->relay_mode, "raw") != 0) {
        (void)fprintf(stderr, "tern-bench: --relay-mode wants channel, send or raw\n");
        return -1;
    }
    if ((o->user != NULL && strlen(o->user) > 200) ||
        (o->password != NULL && strlen(o->password) > 255)) {
        (void)fprintf(stderr, "tern-bench: user or password too long\n");
        return -1;
    }
    return 0;
}

int bench_opts_parse(struct bench_opts *o, int argc, char **argv)
{
    struct option longs[BENCH_OPT_COUNT + 1];
    int opt;

    bench_opts_defaults(o);
    memset(longs, 0, sizeof(longs));
    for (size_t i = 0; i < BENCH_OPT_COUNT; i++) {
        longs[i].name = bench_opt_rows[i].name;
        longs[i].has_arg = bench_opt_rows[i].arg ? required_argument : no_argument;
        longs[i].val = (int)i + 256;
    }
    while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (opt < 256 || (size_t)(opt - 256) >= BENCH_OPT_COUNT) {
            bench_opts_usage(stderr);
            return -1;
        }
        const struct bench_opt_row *r = &bench_opt_rows[opt - 256];
        if (r->kind == BENCH_OPT_HELP) {
            bench_opts_usage(stdout);
            return 1;
        }
        if (bench_opts_apply(o, r, optarg) != 0) {
            return -1;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "tern-bench: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return bench_opts_check(o);
}
