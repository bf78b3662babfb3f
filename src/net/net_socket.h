/*
 * Creating the sockets of the server: listening UDP and TCP sockets that
 * every worker opens on the same address with SO_REUSEPORT, so that the
 * kernel spreads clients over workers by their 5-tuple.
 */
#ifndef TERN_NET_SOCKET_H
#define TERN_NET_SOCKET_H

#include "util/addr.h"

#include <stdbool.h>

#define NET_ERR_LEN 256

/* Checks that nobody listens on addr with the given type (SOCK_DGRAM or SOCK_STREAM) by binding
 * a plain socket there without SO_REUSEPORT; a process of the same user already in a reuseport
 * group would otherwise silently share our traffic. Returns 0, or -1 with err set. */
int net_socket_probe_free(const struct addr *addr, int type, char err[NET_ERR_LEN]);

/* Opens a non-blocking, close-on-exec socket of the given type bound to addr, with
 * SO_REUSEPORT when reuseport and IPV6_V6ONLY for IPv6, and listen() for SOCK_STREAM. Returns the
 * owned descriptor, or -1 with err set to the failing call, its argument and errno. */
int net_socket_open(const struct addr *addr, int type, bool reuseport, char err[NET_ERR_LEN]);

/* Sets the socket buffer sizes (best effort; a smaller kernel limit is not an error). */
void net_socket_set_buffers(int fd, int bytes);

#endif
