/* tern-bench: the command line. */
#ifndef TERN_TOOLS_BENCH_OPTS_H
#define TERN_TOOLS_BENCH_OPTS_H

#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

struct bench_opts {
    struct addr server;        /* loopback only */
    const char *user;          /* static user, or the user part of a REST username */
    const char *password;      /* static user's password */
    const char *secret;        /* REST shared secret (instead of a password) */
    const char *label;         /* copied into the output */
    unsigned long ttl_s;       /* REST credential lifetime */
    long server_pid;           /* 0 = unknown */
    size_t clients;            /* setup phase */
    size_t concurrency;        /* setup transactions in flight */
    size_t allocations;        /* traffic phases */
    size_t capacity;           /* capacity phase */
    size_t size;               /* payload bytes */
    unsigned window;           /* closed loop: packets in flight per allocation */
    unsigned batch;            /* datagrams per sendmmsg()/recvmmsg() */
    unsigned max_tries;        /* transmissions of one request */
    unsigned rfc8489;          /* 1: follow the nonce cookie's password algorithms */
    uint64_t packets;          /* cap of packets per traffic run */
    uint64_t rate;             /* throughput pacing, packets/s in all; 0 = closed loop */
    uint64_t latency_rate;     /* latency runs' rate, packets/s in all; 0 = no latency runs */
    uint64_t rto_ms;           /* first retransmission timeout */
    double duration_s;         /* throughput run length; 0 = no throughput run */
    double latency_duration_s; /* length of each latency run */
    double timeout_s;          /* the whole run */
    double phase_timeout_s;    /* one set-up phase */
    const char *transport;     /* binding and cycle phases: "udp", "tcp" or "tls" */
    const char *relay_mode;    /* traffic: "channel", "send" or "raw" (a plain forwarder) */
    double binding_s;          /* Binding phase length, 0 = skip */
    double cycle_s;            /* allocation cycle phase length, 0 = skip */
    unsigned threads;          /* binding and cycle phases */
    unsigned binding_window;   /* Binding requests in flight per thread */
    unsigned tls_resume;       /* 1: resume TLS sessions in the cycle phase */
    unsigned echo_port;        /* the echo peer's port, 0 = any */
    unsigned source;           /* third octet of the phases' client addresses 127.0.S.x */
    unsigned refresh_passes;   /* capacity: Refresh every allocation this many times */
    size_t per_ip;             /* capacity: clients per local address */
    double settle_s;           /* capacity: wait after releasing before reading memory */
};

/* Parses argv into *o with defaults for what is not given. Returns 0 to run, 1 when help was
 * printed, or -1 on a usage error (reported on stderr). */
int bench_opts_parse(struct bench_opts *o, int argc, char **argv);

#endif
