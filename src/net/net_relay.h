/*
 * Relay sockets: one UDP socket per relayed transport address of an
 * allocation (RFC 8656 section 7.2), bound to a relay IP and a port from
 * the shared pool. What a peer sends arrives here, goes through the
 * protocol core (permission, channel) and leaves for the client in place
 * as ChannelData or a Data indication; what the client sends to a peer
 * leaves from here.
 */
#ifndef TERN_NET_RELAY_H
#define TERN_NET_RELAY_H

#include "turn/turn_worker.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_relay_batch;
struct net_worker;

/* The operations the protocol core calls to open and close relay sockets and to count quotas;
 * their ctx is the struct net_worker. */
extern const struct turn_io_ops net_relay_io_ops;

/* Allocates receive buffers for batches of batch_len datagrams from peers. Never NULL. */
struct net_relay_batch *net_relay_batch_new(unsigned batch_len);

/* Releases a batch. NULL is a no-op. */
void net_relay_batch_free(struct net_relay_batch *b);

/* Sends len bytes at data from relay's socket to peer, with the DF bit when dont_fragment.
 * Returns 0, or -1 when the datagram was dropped (the kernel refused it). */
int net_relay_send(const struct turn_relay *relay, const struct addr *peer, const uint8_t *data,
                   size_t len, bool dont_fragment);

/* Queues len bytes at data to leave relay's socket for peer (with the DF bit when
 * dont_fragment) at the next net_relay_flush() of the worker, which must come before data is
 * overwritten: datagrams from one batch of a client socket leave together, one sendmmsg() per
 * relay, a run of one peer's datagrams of one length as one UDP GSO send. Returns 0, or -1 when
 * the relay has no socket. */
int net_relay_queue(const struct turn_relay *relay, const struct addr *peer, const uint8_t *data,
                    size_t len, bool dont_fragment);

/* Sends what net_relay_queue() queued on worker w. */
void net_relay_flush(struct net_worker *w);

#endif
