/*
 * tern-bench: UDP sockets on loopback and the layout of the benchmark's own
 * packets.
 *
 * The tool only ever talks to loopback: bench_net_is_loopback() guards the
 * server address given on the command line, every address a socket is
 * bound or connected to, and every source the echo peer answers.
 *
 * Every packet the traffic generator sends starts with this header (host
 * byte order: the packets go out through the relay and come back to the
 * same process), then filler up to the requested size:
 *
 *     0               4               8               12              16
 *    +---------------+---------------+---------------+---------------+
 *    | magic "TBEN"  |    run id     |  flow index   |   sequence    |
 *    +---------------+---------------+---------------+---------------+
 *    |     send time, monotonic ns   |  filler ...
 *    +---------------+---------------+
 */
#ifndef TERN_TOOLS_BENCH_NET_H
#define TERN_TOOLS_BENCH_NET_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_PKT_MAGIC   0x4E454254u /* "TBEN" read as a little-endian word */
#define BENCH_PKT_HDR_LEN 24
/* Largest payload the generator sends; buffers are sized for it plus a ChannelData header. */
#define BENCH_PKT_MAX_LEN 1400
#define BENCH_PKT_BUF_LEN 1536

struct bench_pkt {
    uint32_t run;
    uint32_t flow;
    uint32_t seq;
    uint64_t sent_ns;
};

/* Writes the header of p at buf (BENCH_PKT_HDR_LEN bytes). */
void bench_pkt_write(uint8_t *buf, const struct bench_pkt *p);

/* Reads a header from buf[0..len). Returns true when len is long enough and the magic is
 * right; *p is filled then. */
bool bench_pkt_read(const uint8_t *buf, size_t len, struct bench_pkt *p);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool bench_net_is_loopback(const struct addr *a);

/* Opens a non-blocking UDP socket bound to local (port 0 for any) with send and receive
 * buffers of buf_bytes (0 keeps the kernel's), connected to remote when remote is not NULL.
 * Both addresses must be loopback. Returns the descriptor, or -1 with err filled. */
int bench_net_udp_open(const struct addr *local, const struct addr *remote, int buf_bytes,
                       char *err, size_t err_len);

/* Fills *out with the address fd is bound to. Returns 0 or -1. */
int bench_net_local_addr(int fd, struct addr *out);

/* Closes *fd when it is open and sets it to -1. */
void bench_net_close(int *fd);

#endif
