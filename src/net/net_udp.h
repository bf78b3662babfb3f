/*
 * UDP listening sockets of a worker. Datagrams are read in batches with
 * recvmmsg(), each is classified by its first byte (RFC 7983), STUN goes to
 * the protocol core, and the answers leave in one sendmmsg() per batch,
 * from the address the request arrived on (IP_PKTINFO), so a server bound
 * to 0.0.0.0 on a multi-homed host answers from the right address.
 */
#ifndef TERN_NET_UDP_H
#define TERN_NET_UDP_H

#include "net/net_socket.h"
#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for one IP_PKTINFO or IPV6_PKTINFO control message. */
#define NET_UDP_CTL_LEN 64

struct net_worker;
struct net_udp;
struct net_udp_batch;

/* Allocates the receive/send buffers for batches of batch_len datagrams. Returns an owned batch
 * (never NULL). */
struct net_udp_batch *net_udp_batch_new(unsigned batch_len);

/* Releases a batch. NULL is a no-op. */
void net_udp_batch_free(struct net_udp_batch *b);

/* Opens a SO_REUSEPORT UDP socket on addr for worker w and arms its read event. Returns an owned
 * listener, or NULL with err set. */
struct net_udp *net_udp_open(struct net_worker *w, const struct addr *addr, char err[NET_ERR_LEN]);

/* Closes the socket and frees its event. NULL is a no-op. */
void net_udp_free(struct net_udp *u);

/* Writes into ctl (at least NET_UDP_CTL_LEN bytes) a control message that makes a datagram leave
 * from local's IP; returns its length for msg_controllen. */
size_t net_udp_source_control(uint8_t *ctl, size_t cap, const struct addr *local);

/* Sends count prepared datagrams through u's socket with sendmmsg(); what the kernel refuses is
 * dropped and counted. */
void net_udp_send_batch(struct net_udp *u, struct mmsghdr *msgs, unsigned count);

/* Sends one datagram of len bytes to client from local's IP through u's socket (DTLS records).
 * Returns 0, or -1 when the kernel refused it (counted as dropped). */
int net_udp_send_one(struct net_udp *u, const struct addr *client, const struct addr *local,
                     const void *data, size_t len);

#endif
