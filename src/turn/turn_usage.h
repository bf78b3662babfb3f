/*
 * Usage records: when an allocation ends, the core hands one record to
 * net/ through turn_io_ops.usage_record(); the composition root queues it
 * and a writer appends it as one JSON line:
 *
 *     {"username":"1764300000:alice","realm":"tern","transport":"udp",
 *      "client":"192.0.2.7:50000","relays":["203.0.113.1:49170"],
 *      "peers":["198.51.100.9"],"peers_truncated":false,
 *      "bytes_to_peer":1200,"packets_to_peer":10,"bytes_to_client":800,
 *      "packets_to_client":8,"start":1764300000,"end":1764300042,
 *      "reason":"deleted"}
 *
 * A record is a plain value (no pointer), so it can be copied into a queue
 * and outlive the allocation.
 */
#ifndef TERN_TURN_USAGE_H
#define TERN_TURN_USAGE_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Peer IPs kept per allocation; later ones set peers_truncated. */
#define TURN_USAGE_MAX_PEERS 8
/* RFC 8489 section 14.3: USERNAME is less than 513 bytes. */
#define TURN_USAGE_USERNAME_MAX 513
/* The longest realm the configuration accepts. */
#define TURN_USAGE_REALM_MAX 127
/* Room for the JSON line of any record, newline included (every username byte escaped). */
#define TURN_USAGE_JSON_MAX 8192

/* Why an allocation ended. */
enum turn_usage_reason {
    TURN_USAGE_EXPIRED = 0,  /* its lifetime ran out */
    TURN_USAGE_DELETED = 1,  /* Refresh with LIFETIME 0 */
    TURN_USAGE_CLOSED = 2,   /* its TCP or TLS client connection closed */
    TURN_USAGE_SHUTDOWN = 3, /* the server stopped */
    TURN_USAGE_KILLED = 4,   /* an operator ended it (ternctl kill) */
    TURN_USAGE_REVOKED = 5,  /* its username was revoked */
    TURN_USAGE_REASON_COUNT = 6,
};

struct turn_usage {
    char username[TURN_USAGE_USERNAME_MAX + 1];
    char realm[TURN_USAGE_REALM_MAX + 1];
    unsigned transport; /* enum turn_transport (turn_handle.h, which includes this header) */
    struct addr client;
    struct addr relays[2];
    size_t relay_count;
    struct addr peers[TURN_USAGE_MAX_PEERS]; /* IPs given a permission, port 0 */
    size_t peer_count;
    bool peers_truncated;
    uint64_t packets_to_peer;
    uint64_t bytes_to_peer;
    uint64_t packets_to_client;
    uint64_t bytes_to_client;
    int64_t start_s; /* wall clock, seconds since the epoch */
    int64_t end_s;
    enum turn_usage_reason reason;
};

/* The name of a reason in records and metrics ("expired"), or "unknown". */
const char *turn_usage_reason_name(enum turn_usage_reason r);

/* The name of a transport in records and metrics ("udp"), or "unknown". */
const char *turn_usage_transport_name(unsigned t);

/* Writes u as one JSON object followed by a newline into buf (cap bytes, at least
 * TURN_USAGE_JSON_MAX for any record). Returns the length written (no NUL counted; buf is
 * NUL-terminated), or -1 when it does not fit. */
int turn_usage_json(const struct turn_usage *u, char *buf, size_t cap);

/* Writes s as a JSON string, quotes included, into buf at *used (cap bytes in all), escaping
 * '"', '\\', control characters and bytes above 0x7e as \u00XX. Returns 0, or -1 when it does
 * not fit (*used is then unspecified). */
int turn_usage_json_string(const char *s, char *buf, size_t cap, size_t *used);

#endif
