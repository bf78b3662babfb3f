/*
 * The entry points of the protocol core: what a worker does with a packet.
 * net/ calls them for every packet from a client or a peer; they perform
 * no I/O and write their answers into buffers the caller owns.
 */
#ifndef TERN_TURN_HANDLE_H
#define TERN_TURN_HANDLE_H

#include "turn/turn_worker.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum turn_transport {
    TURN_TRANSPORT_UDP,
    TURN_TRANSPORT_TCP,
    TURN_TRANSPORT_TLS,
    TURN_TRANSPORT_DTLS,
};

/* Where a client packet came from and how: its 5-tuple is (client, local, transport). */
struct turn_packet_info {
    struct addr client; /* the client's transport address as the server sees it */
    struct addr local;  /* the server address the packet arrived on */
    enum turn_transport transport;
    void *conn;      /* net's handle for answering this client (listener or connection) */
    uint64_t now_ms; /* monotonic time */
    int64_t now_s;   /* wall-clock time, for REST expiries and nonce timestamps */
};

/* What the core asks net/ to send after a client packet. */
struct turn_out {
    /* A message for the client (a response), in the caller's buffer. */
    uint8_t *reply;
    size_t reply_cap;
    size_t reply_len; /* 0: nothing to send */
    /* Data for a peer: when relay is not NULL, send data_len bytes at data (inside the packet
     * handed in) from relay to peer. */
    const struct turn_relay *relay;
    struct addr peer;
    const uint8_t *data;
    size_t data_len;
    bool dont_fragment;
};

/* Why a packet was dropped without an answer: the negative returns of the turn_handle_*
 * functions besides the negative enum stun_err of a message that does not decode. Below -100 so
 * the two never collide. */
enum turn_drop {
    TURN_DROP_NO_ALLOCATION = -101, /* no allocation on the 5-tuple or on the relay */
    TURN_DROP_NO_CHANNEL = -102,    /* ChannelData on a channel that is not bound */
    TURN_DROP_NO_PERMISSION = -103, /* no live permission for the peer's IP */
    TURN_DROP_POLICY = -104,        /* the peer is denied by policy */
    TURN_DROP_BANDWIDTH = -105,     /* the allocation is over its bandwidth */
    TURN_DROP_RATE_LIMIT = -106,    /* unauthenticated requests over the per-source rate */
    TURN_DROP_IGNORED = -107,       /* a response, or an indication the server does not act on */
    TURN_DROP_INVALID = -108,       /* a well-formed message missing what its method needs */
    TURN_DROP_TOO_BIG = -109,       /* the framed message would not fit its length field */
};

/* Room handle_peer needs before the data for a Data indication's header and attributes. */
#define TURN_PEER_HEADROOM 48
/* Room it needs after the data for padding. */
#define TURN_PEER_TAILROOM 4

/* Handles one STUN message of len bytes from a client: requests are answered in out->reply;
 * a Send indication may fill out's peer fields. Malformed messages, responses and anything not
 * to be answered leave out->reply_len 0. Returns 0 when handled, or a negative value saying why
 * the packet was dropped (for counters). */
int turn_handle_stun(struct turn_worker *w, const struct turn_packet_info *info, const uint8_t *pkt,
                     size_t len, struct turn_out *out);

/* Handles a ChannelData message from a client: when its channel is bound and live, fills out's
 * peer fields with its data. Returns 0, or negative when dropped. */
int turn_handle_channel(struct turn_worker *w, const struct turn_packet_info *info,
                        const uint8_t *pkt, size_t len, struct turn_out *out);

/* A datagram from a peer, and the message it becomes for the client. */
struct turn_peer_packet {
    struct turn_relay *relay; /* the relay it arrived on */
    struct addr peer;         /* its source */
    uint8_t *buf;             /* the data is at buf + TURN_PEER_HEADROOM ... */
    size_t len;               /* ... len bytes, with TURN_PEER_TAILROOM writable bytes after */
    uint64_t now_ms;
    /* Set by turn_handle_peer() on success: */
    const uint8_t *msg; /* the message for the client, inside buf */
    size_t msg_len;
    void *conn; /* the client's handle */
};

/* Handles the datagram p describes. When a permission allows it, the message for the client
 * (ChannelData when a channel is bound to the peer, else a Data indication) is written around
 * the data in place and p->msg, p->msg_len and p->conn say where it is and whom it is for.
 * Returns 0, or negative when dropped. */
int turn_handle_peer(struct turn_worker *w, struct turn_peer_packet *p);

/* The 5-tuple of the client of relay's allocation (client and local addresses). */
void turn_handle_client_of(const struct turn_relay *relay, struct addr *client, struct addr *local,
                           enum turn_transport *transport);

#endif
