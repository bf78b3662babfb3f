/*
 * tern-bench: the traffic generator. Each flow is one connected UDP socket:
 * a TURN client whose allocation has a channel to the echo peer (relay
 * mode: ChannelData out, ChannelData back), or a plain socket connected to
 * the echo peer (direct mode, the baseline for added latency).
 *
 *   client --ChannelData--> server --UDP--> echo peer
 *   client <--ChannelData-- server <--UDP-- echo peer
 *
 * Packets leave in batches (sendmmsg) and are read in batches (recvmmsg)
 * from one epoll loop. Sending is either closed-loop (at most `window`
 * packets in flight per flow: the most the path carries without queueing
 * losses) or paced at a total rate. The run stops after duration_ns or
 * max_packets, whichever comes first, then drains the packets still in
 * flight for a bounded time. Every received packet gives a round-trip
 * sample (its send time travels in the payload).
 */
#ifndef TERN_TOOLS_BENCH_FLOW_H
#define TERN_TOOLS_BENCH_FLOW_H

#include "bench_echo.h"
#include "bench_stats.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_FLOW_MAX_BATCH 256
/* Socket buffers of the flows' client sockets: room for a full window of every size. */
#define BENCH_FLOW_SOCK_BUF (1024 * 1024)

struct bench_flow_opts {
    size_t size;          /* payload bytes, BENCH_PKT_HDR_LEN..BENCH_PKT_MAX_LEN */
    uint64_t rate_pps;    /* total send rate; 0 = closed loop */
    unsigned window;      /* closed loop: packets in flight per flow */
    uint64_t duration_ns; /* length of the sending window */
    uint64_t max_packets; /* stop sending after this many in all; 0 = no limit */
    unsigned batch;       /* datagrams per sendmmsg()/recvmmsg(), 1..BENCH_FLOW_MAX_BATCH */
    bool channel;         /* relay mode: ChannelData on channel BENCH_TURN_CHANNEL_NUMBER */
    bool indication;      /* relay mode: Send indications out, Data indications back */
    struct addr peer;     /* XOR-PEER-ADDRESS of Send indications (the echo peer) */
    uint32_t run;         /* run id written in every packet */
    pid_t server_pid;     /* process whose CPU time is read around the window; 0 = none */
};

struct bench_flow_result {
    uint64_t sent;         /* packets the client sockets took */
    uint64_t to_peer;      /* packets that reached the echo peer */
    uint64_t received;     /* packets back at the clients */
    uint64_t send_refused; /* packets a full client socket refused (not counted as sent) */
    uint64_t stalls;       /* closed loop: windows written off after a silence (losses) */
    uint64_t stray;        /* datagrams on client sockets that were not this run's */
    double seconds;        /* length of the sending window */
    double client_cpu_s;   /* CPU of the generator thread during the window */
    double echo_cpu_s;     /* CPU of the echo thread during the window */
    double server_user_s;  /* user CPU of server_pid during the window; negative when unknown */
    double server_sys_s;   /* its system CPU (the kernel's UDP work done for it) */
    double machine_busy;   /* share of the machine's CPU time (all cores) not idle; <0 unknown */
    double softirq_s;      /* machine's softirq CPU seconds (loopback delivery); <0 unknown */
    struct bench_samples *rtt; /* borrowed, may be NULL: round-trip times */
};

/* Runs traffic on fds[0..nfds) (non-blocking, connected sockets; flow i is fds[i]) through
 * echo, which must be running. Fills *r (rtt set by the caller). Returns 0, or -1 with errno
 * set when the epoll set cannot be made. */
int bench_flow_run(const struct bench_flow_opts *o, const int *fds, size_t nfds,
                   struct bench_echo *echo, struct bench_flow_result *r);

#endif
