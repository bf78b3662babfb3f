#include "turn/turn_policy.h"

#include "util/assert.h"

#include <stdint.h>

/*
 * The built-in deny list is compiled in as constant tables, one per family: no parsing, no heap,
 * nothing to initialise, so any number of worker threads may read it at once. Entries keep the
 * addr_cidr invariant (bits past the prefix are zero). The check runs on every CreatePermission,
 * ChannelBind and Send, so it is a short linear walk of one family's table (15 IPv4 or 18 IPv6
 * entries), each step a memcmp of the prefix's whole bytes and one masked byte.
 */
#define TURN_POLICY_V4(a, b, c, d, len)                                                            \
    {                                                                                              \
        .base = {.family = AF_INET, .ip = {a, b, c, d}}, .prefix_len = (len)                       \
    }

/* The prefix length comes first so that the IPv6 bytes (leading bytes only, the rest zero) can
 * be written as they read in the address. */
#define TURN_POLICY_V6(len, ...)                                                                   \
    {                                                                                              \
        .base = {.family = AF_INET6, .ip = {__VA_ARGS__}}, .prefix_len = (len)                     \
    }

/*
 * IANA IPv4 Special-Purpose Address Registry (RFC 6890) and the multicast and reserved blocks.
 * 192.0.0.0/24 is an IETF protocol-assignment block and is denied whole, although a few of its
 * entries are marked globally reachable (192.0.0.9 PCP anycast, 192.0.0.10 TURN anycast): they
 * are services, never a WebRTC peer. Special-purpose prefixes registered outside such a block as
 * globally reachable unicast (192.31.196.0/24 and 192.175.48.0/24 AS112, 192.52.193.0/24 AMT)
 * are ordinary Internet destinations and stay allowed.
 */
static const struct addr_cidr turn_policy_default_v4[] = {
    TURN_POLICY_V4(0, 0, 0, 0, 8),       /* RFC 791 section 3.2: "this network" */
    TURN_POLICY_V4(10, 0, 0, 0, 8),      /* RFC 1918 section 3: private */
    TURN_POLICY_V4(100, 64, 0, 0, 10),   /* RFC 6598: shared address space (CGNAT) */
    TURN_POLICY_V4(127, 0, 0, 0, 8),     /* RFC 1122 section 3.2.1.3: loopback */
    TURN_POLICY_V4(169, 254, 0, 0, 16),  /* RFC 3927: link-local, cloud metadata services */
    TURN_POLICY_V4(172, 16, 0, 0, 12),   /* RFC 1918 section 3: private */
    TURN_POLICY_V4(192, 0, 0, 0, 24),    /* RFC 6890: IETF protocol assignments */
    TURN_POLICY_V4(192, 0, 2, 0, 24),    /* RFC 5737: documentation (TEST-NET-1) */
    TURN_POLICY_V4(192, 88, 99, 0, 24),  /* RFC 7526: deprecated 6to4 relay anycast */
    TURN_POLICY_V4(192, 168, 0, 0, 16),  /* RFC 1918 section 3: private */
    TURN_POLICY_V4(198, 18, 0, 0, 15),   /* RFC 2544: benchmarking */
    TURN_POLICY_V4(198, 51, 100, 0, 24), /* RFC 5737: documentation (TEST-NET-2) */
    TURN_POLICY_V4(203, 0, 113, 0, 24),  /* RFC 5737: documentation (TEST-NET-3) */
    TURN_POLICY_V4(224, 0, 0, 0, 4),     /* RFC 5771: multicast */
    TURN_POLICY_V4(240, 0, 0, 0, 4),     /* RFC 1112 section 4: reserved; RFC 919: broadcast */
};

/*
 * IANA IPv6 Special-Purpose Address Registry (RFC 6890) and the IPv6 Address Space registry.
 * IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96 but :: and ::1) addresses never get
 * here: they are canonicalised to IPv4 first. Every prefix that embeds an IPv4 address (NAT64,
 * 6to4, Teredo, IPv4-translated) is denied, since through it a client could reach the IPv4
 * ranges denied above.
 *
 * 2001::/23 (IETF protocol assignments) is denied whole: besides Teredo (2001::/32) and
 * benchmarking (2001:2::/48) it holds anycast service addresses (PCP, TURN, DNS-SD SRP), AMT
 * relays, AS112 sinks and the ORCHID and DET identifier prefixes: none is a WebRTC peer, and RIR
 * allocations start above it at 2001:200::/23.
 *
 * Only 2000::/3 is allocated for global unicast (RFC 4291 section 2.4, IANA IPv6 Address Space);
 * the rest is reserved by the IETF or special-purpose. The last three entries deny all of it. The
 * named special-purpose ranges outside 2000::/3 are listed anyway, so that the table reads
 * against the registry and narrowing the catch-all cannot open them by accident.
 */
static const struct addr_cidr turn_policy_default_v6[] = {
    TURN_POLICY_V6(128, 0),                                 /* RFC 4291 section 2.5.2: :: */
    TURN_POLICY_V6(128, [15] = 1),                          /* RFC 4291 section 2.5.3: ::1 */
    TURN_POLICY_V6(96, [8] = 0xff, [9] = 0xff),             /* RFC 2765: IPv4-translated */
    TURN_POLICY_V6(96, 0x00, 0x64, 0xff, 0x9b),             /* RFC 6052 section 2.1: NAT64 */
    TURN_POLICY_V6(48, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01), /* RFC 8215: local NAT64 */
    TURN_POLICY_V6(64, 0x01, 0x00),                         /* RFC 6666: discard-only */
    TURN_POLICY_V6(23, 0x20, 0x01, 0x00, 0x00),             /* RFC 2928: IETF protocol */
    TURN_POLICY_V6(32, 0x20, 0x01, 0x0d, 0xb8),             /* RFC 3849: documentation */
    TURN_POLICY_V6(16, 0x20, 0x02),                         /* RFC 3056: 6to4 */
    TURN_POLICY_V6(20, 0x3f, 0xff, 0x00),                   /* RFC 9637: documentation */
    TURN_POLICY_V6(16, 0x5f, 0x00),                         /* RFC 9602: SRv6 SIDs */
    TURN_POLICY_V6(7, 0xfc),                                /* RFC 4193: unique local */
    TURN_POLICY_V6(10, 0xfe, 0x80),                         /* RFC 4291 section 2.5.6: link-local */
    TURN_POLICY_V6(10, 0xfe, 0xc0),                         /* RFC 3879: site-local */
    TURN_POLICY_V6(8, 0xff),                                /* RFC 4291 section 2.7: multicast */
    TURN_POLICY_V6(3, 0x00),                                /* reserved below 2000::/3 */
    TURN_POLICY_V6(2, 0x40),                                /* reserved 4000::/2 */
    TURN_POLICY_V6(1, 0x80),                                /* reserved 8000::/1 */
};

/* True when a lies in one of the count ranges. */
static bool turn_policy_match_any(const struct addr_cidr *ranges, size_t count,
                                  const struct addr *a)
{
    for (size_t i = 0; i < count; i++) {
        if (addr_cidr_match(&ranges[i], a)) {
            return true;
        }
    }
    return false;
}

/* True when peer (canonical) is one of the server's own addresses. Own entries are
 * canonicalised too (a dual-stack listener may report ::ffff:a.b.c.d); unset and unspecified
 * entries (a wildcard listener) cover nothing. */
static bool turn_policy_is_own(const struct addr *own, size_t own_count, const struct addr *peer)
{
    for (size_t i = 0; i < own_count; i++) {
        struct addr mine = addr_canonical(&own[i]);
        if (mine.family != AF_INET && mine.family != AF_INET6) {
            continue;
        }
        if (!addr_is_any(&mine) && addr_equal_ip(&mine, peer)) {
            return true;
        }
    }
    return false;
}

/* True when peer (canonical) lies in the built-in list of its family. */
static bool turn_policy_is_default_denied(const struct addr *peer)
{
    if (peer->family == AF_INET) {
        return turn_policy_match_any(turn_policy_default_v4, TERN_ARRAY_LEN(turn_policy_default_v4),
                                     peer);
    }
    return turn_policy_match_any(turn_policy_default_v6, TERN_ARRAY_LEN(turn_policy_default_v6),
                                 peer);
}

/* True when port is one of the server's listening ports. */
static bool turn_policy_is_listen_port(const struct turn_policy_self *self, uint16_t port)
{
    for (size_t i = 0; i < self->listen_port_count; i++) {
        if (self->listen_ports[i] == port) {
            return true;
        }
    }
    return false;
}

static bool turn_policy_is_live_relay(const struct turn_policy_self *self, const struct addr *a)
{
    return self->relay_in_use != NULL && self->relay_in_use(self->relay_ctx, a);
}

enum turn_policy_verdict turn_policy_check(const struct turn_options *opts,
                                           const struct turn_policy_self *self,
                                           const struct addr *peer)
{
    TERN_ASSERT(opts != NULL && peer != NULL);
    TERN_ASSERT(self == NULL || self->ips != NULL || self->ip_count == 0);
    TERN_ASSERT(opts->peer_allow_count <= TURN_MAX_PEER_RULES);
    TERN_ASSERT(opts->peer_deny_count <= TURN_MAX_PEER_RULES);

    /* RFC 4291 section 2.5.5: one address, several spellings; decide on one of them. */
    struct addr p = addr_canonical(peer);
    if (p.family != AF_INET && p.family != AF_INET6) {
        return TURN_POLICY_DENY_DEFAULT;
    }
    bool own = self != NULL && turn_policy_is_own(self->ips, self->ip_count, &p);
    /* RFC 8656 section 21.2: a relay sending to its own listener loops; never, not even when
     * allowed. */
    if (own && turn_policy_is_listen_port(self, p.port)) {
        return TURN_POLICY_DENY_SELF;
    }
    /* Another allocation's relayed address: the peer is this server, not what lies behind it. */
    if (own && turn_policy_is_live_relay(self, &p)) {
        return TURN_POLICY_ALLOW;
    }
    if (turn_policy_match_any(opts->peer_allow, opts->peer_allow_count, &p)) {
        return TURN_POLICY_ALLOW;
    }
    /* Other services on the server's own addresses are not for relaying to. */
    if (own) {
        return TURN_POLICY_DENY_SELF;
    }
    if (turn_policy_match_any(opts->peer_deny, opts->peer_deny_count, &p)) {
        return TURN_POLICY_DENY_CONFIG;
    }
    if (turn_policy_is_default_denied(&p)) {
        return TURN_POLICY_DENY_DEFAULT;
    }
    return TURN_POLICY_ALLOW;
}

const char *turn_policy_verdict_name(enum turn_policy_verdict v)
{
    static const char *const names[] = {
        [TURN_POLICY_ALLOW] = "allow",
        [TURN_POLICY_DENY_DEFAULT] = "default",
        [TURN_POLICY_DENY_CONFIG] = "config",
        [TURN_POLICY_DENY_SELF] = "self",
    };

    if ((size_t)v >= TERN_ARRAY_LEN(names)) {
        return "unknown";
    }
    return names[v];
}
