/*
 * Which peers an allocation may reach (RFC 8656 section 21, DESIGN.md
 * "Security defaults"). A relay that forwards to anything lets a client
 * reach the server's own network, cloud metadata services and loopback
 * services, so by default every special-purpose range is denied:
 * loopback, unspecified, RFC 1918, CGNAT, link-local, multicast, broadcast,
 * IPv6 ULA/link-local/site-local, documentation and benchmarking ranges,
 * and the server's own addresses. Addresses are canonicalised first, so
 * ::ffff:127.0.0.1 and ::127.0.0.1 are 127.0.0.1. The configured allow
 * list wins over every deny (tests allow 127.0.0.0/8); the configured deny
 * list adds to the built-in one.
 *
 * The server's own addresses (RFC 8656 section 21.2) are special: a peer
 * at one of the server's listening transport addresses is always denied
 * (a relay sending to its own listener loops); a peer that is the relayed
 * address of a live allocation is allowed, whatever range its IP is in:
 * two clients of one server relaying to each other is ordinary WebRTC,
 * and a loopback relay address is still only us; any other port of an own
 * IP is denied unless the allow list names it.
 */
#ifndef TERN_TURN_POLICY_H
#define TERN_TURN_POLICY_H

#include "turn/turn_options.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum turn_policy_verdict {
    TURN_POLICY_ALLOW,
    TURN_POLICY_DENY_DEFAULT, /* in a built-in special-purpose range */
    TURN_POLICY_DENY_CONFIG,  /* in the configured deny list */
    TURN_POLICY_DENY_SELF,    /* one of the server's own addresses */
};

/* The server's own addresses, as the policy needs them. */
struct turn_policy_self {
    const struct addr *ips; /* every IP the server has (ports ignored; unspecified ignored) */
    size_t ip_count;
    const uint16_t *listen_ports; /* the ports the server listens on */
    size_t listen_port_count;
    /* True when a (an own IP) is the relayed address of a live allocation of this server, on any
     * worker. NULL: no such address is known. */
    bool (*relay_in_use)(void *ctx, const struct addr *a);
    void *relay_ctx;
};

/* Decides whether peer may be relayed to. opts supplies the allow and deny lists; self the
 * server's own addresses (may be NULL). Never allocates. */
enum turn_policy_verdict turn_policy_check(const struct turn_options *opts,
                                           const struct turn_policy_self *self,
                                           const struct addr *peer);

/* A short name of a verdict for logs and metrics ("default", "config", "self", "allow"). */
const char *turn_policy_verdict_name(enum turn_policy_verdict v);

#endif
