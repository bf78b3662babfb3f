/*
 * tern-bench: the UDP echo peer. One thread on one socket bound to
 * 127.0.0.1 (::1 for a server on IPv6) returns every datagram to its source (the relayed address of
 * an allocation, or a client socket for the direct baseline), using
 * recvmmsg()/sendmmsg(). It counts the datagrams of the current run, so the
 * generator can count the relay's client-to-peer direction. Sources other
 * than loopback are never answered.
 */
#ifndef TERN_TOOLS_BENCH_ECHO_H
#define TERN_TOOLS_BENCH_ECHO_H

#include "util/addr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct bench_echo {
    int fd;
    struct addr addr; /* where it listens */
    unsigned batch;   /* datagrams per recvmmsg() */
    uint64_t deadline_ns;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    atomic_uint run;                /* the run whose packets are counted */
    atomic_uint_least64_t received; /* datagrams of that run */
    atomic_uint_least64_t refused;  /* echoes the socket would not take (buffer full) */
    atomic_uint_least64_t foreign;  /* datagrams that were not ours or not from loopback */
};

/* Binds a socket on 127.0.0.1 (::1 when family is AF_INET6), port `port` or any, and starts the
 * thread, which stops by itself at deadline_ns (monotonic) if bench_echo_stop() is not called
 * before. Returns 0, or -1 with err filled. */
int bench_echo_start(struct bench_echo *e, int family, uint16_t port, unsigned batch,
                     uint64_t deadline_ns, char *err, size_t err_len);

/* Stops the thread and closes the socket. A no-op when it is not running. */
void bench_echo_stop(struct bench_echo *e);

/* Starts counting the packets of run (and forgets the previous counts). */
void bench_echo_new_run(struct bench_echo *e, uint32_t run);

/* Datagrams of the current run received so far. */
uint64_t bench_echo_received(struct bench_echo *e);

/* CPU seconds the echo thread has used, or 0 when unknown. */
double bench_echo_cpu_s(const struct bench_echo *e);

#endif
