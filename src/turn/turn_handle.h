/*
 * The entry point of the protocol core: one STUN message in, at most one
 * response out, written into the caller's buffer. net/ calls it for every
 * STUN packet a client sends; it performs no I/O itself.
 */
#ifndef TERN_TURN_HANDLE_H
#define TERN_TURN_HANDLE_H

#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

enum turn_transport {
    TURN_TRANSPORT_UDP,
    TURN_TRANSPORT_TCP,
    TURN_TRANSPORT_TLS,
    TURN_TRANSPORT_DTLS,
};

/* Where a packet came from and how. */
struct turn_packet_info {
    struct addr client; /* the client's transport address as the server sees it */
    struct addr local;  /* the server address the packet arrived on */
    enum turn_transport transport;
    uint64_t now_ms;
};

/* The caller's buffer for the response. */
struct turn_reply {
    uint8_t *buf;
    size_t cap;
    size_t len; /* set by the handler; 0 when nothing is to be sent */
};

/* Handles one STUN message of len bytes from a client. A malformed message, a response, an
 * indication the server does not act on or a message failing FINGERPRINT is dropped: reply->len
 * is 0. Otherwise the response is in reply. Returns 0 when the packet was handled (answered or
 * not) or a negative enum stun_err saying why it was dropped, for the caller's counters. */
int turn_handle_stun(const struct turn_packet_info *info, const uint8_t *pkt, size_t len,
                     struct turn_reply *reply);

#endif
