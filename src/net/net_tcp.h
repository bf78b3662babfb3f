/*
 * TCP listening sockets and connections of a worker. A connection carries
 * STUN messages and ChannelData back to back (RFC 8656 section 12.5); each
 * frame is cut out by its own length and handed to the protocol core.
 * Input is bounded by one frame, output by a fixed ceiling per connection,
 * and an idle connection is closed after the configured timeout.
 */
#ifndef TERN_NET_TCP_H
#define TERN_NET_TCP_H

#include "net/net_socket.h"
#include "util/addr.h"

#include <stddef.h>

struct net_worker;
struct net_tcp_listener;
struct net_tcp_conn;

/* The connections of one worker, for closing them all at shutdown. */
struct net_tcp_conn_list {
    struct net_tcp_conn *head;
    size_t count;
};

/* Opens a SO_REUSEPORT TCP listener on addr for worker w. Returns an owned listener, or NULL
 * with err set. */
struct net_tcp_listener *net_tcp_listener_open(struct net_worker *w, const struct addr *addr,
                                               char err[NET_ERR_LEN]);

/* Closes the listening socket. NULL is a no-op. */
void net_tcp_listener_free(struct net_tcp_listener *l);

/* Closes and frees every connection of the list. */
void net_tcp_conn_list_close_all(struct net_tcp_conn_list *list);

/* Queues len bytes for the client of connection c; when its output already holds the ceiling the
 * message is dropped and counted. Returns 0, or -1 when dropped. */
int net_tcp_conn_send(struct net_tcp_conn *c, const void *data, size_t len);

#endif
