/*
 * tern-bench: request rates over UDP, TCP and TLS, from a few threads that
 * each drive one connection with blocking I/O.
 *
 *   binding  each thread keeps `window` Binding requests in flight on one
 *            socket or connection, for a fixed time: Binding answers per
 *            second and per server CPU-second;
 *   cycle    each thread, in a loop for a fixed time, opens a new socket or
 *            connection (a TLS handshake on TLS, resumed when asked), and
 *            goes through the whole life of an allocation:
 *
 *                Allocate (no credentials)     -> 401 with REALM and NONCE
 *                Allocate + MESSAGE-INTEGRITY  -> 200
 *                Refresh LIFETIME 0            -> 200
 *
 *            then closes it: complete cycles per second and per server
 *            CPU-second.
 *
 * Over TCP and TLS, STUN messages are framed by their own length field (RFC
 * 8489 section 6.2.2). Each thread binds its own range of loopback source
 * addresses (127.1+T.x.y) so that closed connections in TIME_WAIT and
 * released 5-tuples never stand in the way of new ones.
 */
#ifndef TERN_TOOLS_BENCH_CYCLE_H
#define TERN_TOOLS_BENCH_CYCLE_H

#include "bench_turn.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_CYCLE_MAX_THREADS 16
#define BENCH_CYCLE_MAX_WINDOW  64

enum bench_xport {
    BENCH_XPORT_UDP,
    BENCH_XPORT_TCP,
    BENCH_XPORT_TLS,
};

struct bench_cycle_opts {
    struct addr server;                 /* loopback */
    const struct bench_turn_cred *cred; /* cycle: the credential (copied per thread) */
    int xport;                          /* enum bench_xport */
    bool allocate;                      /* cycle; false: binding */
    bool tls_resume;                    /* TLS: offer the previous connection's session */
    unsigned threads;                   /* 1..BENCH_CYCLE_MAX_THREADS */
    unsigned window;                    /* binding: requests in flight per thread */
    uint64_t duration_ns;               /* length of the run */
    uint64_t rto_ns;                    /* UDP: a silence this long counts as a loss */
    pid_t server_pid;                   /* 0 = unknown */
    uint8_t thread_base;                /* second octet of the first thread's source addresses */
};

struct bench_cycle_result {
    uint64_t ok;          /* Binding answers, or complete cycles */
    uint64_t failed;      /* cycles that ended with an error or a timeout; binding: losses */
    uint64_t resumed;     /* TLS: handshakes that resumed a session */
    uint16_t first_error; /* STUN error code or enum bench_turn_fail of the first failure */
    double seconds;       /* length of the run */
    double server_cpu_s;  /* user + system CPU of server_pid during the run; negative if unknown */
    double client_cpu_s;  /* CPU of this process during the run */
    struct bench_samples *latency; /* borrowed, may be NULL: time of each cycle or request */
};

/* Returns the transport named s ("udp", "tcp", "tls"), or -1. */
int bench_cycle_xport(const char *s);

/* Runs the workload o describes. Fills *r (latency set by the caller). Returns 0, or -1 with
 * err filled when it cannot start (a thread, the TLS context). */
int bench_cycle_run(const struct bench_cycle_opts *o, struct bench_cycle_result *r, char *err,
                    size_t err_len);

#endif
