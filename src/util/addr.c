#include "util/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest textual IP accepted, without brackets or port (INET6_ADDRSTRLEN includes the NUL). */
#define ADDR_IP_TEXT_MAX (INET6_ADDRSTRLEN - 1)

/* Byte length of the IP for a family, or 0 for an unset or unknown family. */
static size_t addr_ip_len(uint16_t family)
{
    if (family == AF_INET) {
        return 4;
    }
    if (family == AF_INET6) {
        return 16;
    }
    return 0;
}

int addr_from_sockaddr(struct addr *a, const struct sockaddr *sa, socklen_t len)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;

    if (sa == NULL) {
        return -1;
    }
    memset(a, 0, sizeof(*a));
    /* memcpy rather than a cast: sa may point into a byte buffer (cmsg, recvmmsg). */
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(sin)) {
        memcpy(&sin, sa, sizeof(sin));
        a->family = AF_INET;
        a->port = ntohs(sin.sin_port);
        memcpy(a->ip, &sin.sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(sin6)) {
        memcpy(&sin6, sa, sizeof(sin6));
        a->family = AF_INET6;
        a->port = ntohs(sin6.sin6_port);
        memcpy(a->ip, &sin6.sin6_addr, 16);
        return 0;
    }
    return -1;
}

socklen_t addr_to_sockaddr(const struct addr *a, struct sockaddr_storage *ss)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;

    memset(ss, 0, sizeof(*ss));
    if (a->family == AF_INET) {
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = htons(a->port);
        memcpy(&sin.sin_addr, a->ip, 4);
        memcpy(ss, &sin, sizeof(sin));
        return (socklen_t)sizeof(sin);
    }
    if (a->family == AF_INET6) {
        memset(&sin6, 0, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(a->port);
        memcpy(&sin6.sin6_addr, a->ip, 16);
        memcpy(ss, &sin6, sizeof(sin6));
        return (socklen_t)sizeof(sin6);
    }
    return 0;
}

/* Parses a decimal number of digits only (no sign, no space, not empty) up to max. */
static int addr_parse_decimal(const char *s, unsigned long max, unsigned long *out)
{
    char *end = NULL;

    if (*s == '\0') {
        return -1;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
    }
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0' || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int addr_parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;

    if (addr_parse_decimal(s, 65535, &v) < 0) {
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

/* Parses the text of one family's address into a; the port is left at 0. */
static int addr_parse_family(struct addr *a, int family, const char *s)
{
    uint8_t ip[16] = {0};

    if (inet_pton(family, s, ip) != 1) {
        return -1;
    }
    memset(a, 0, sizeof(*a));
    a->family = (uint16_t)family;
    memcpy(a->ip, ip, addr_ip_len(a->family));
    return 0;
}

/* Copies the n bytes at s into buf (ADDR_IP_TEXT_MAX + 1 bytes) as a string. */
static int addr_copy_host(char *buf, const char *s, size_t n)
{
    if (n == 0 || n > ADDR_IP_TEXT_MAX) {
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return 0;
}

int addr_parse_ip(struct addr *a, const char *s)
{
    if (addr_parse_family(a, AF_INET, s) == 0) {
        return 0;
    }
    return addr_parse_family(a, AF_INET6, s);
}

/* "[v6]" or "[v6]:port": brackets hold an IPv6 address only. */
static int addr_parse_bracketed(struct addr *a, const char *s, uint16_t default_port)
{
    char host[ADDR_IP_TEXT_MAX + 1];
    const char *close = strchr(s, ']');

    if (close == NULL || addr_copy_host(host, s + 1, (size_t)(close - (s + 1))) < 0) {
        return -1;
    }
    if (addr_parse_family(a, AF_INET6, host) < 0) {
        return -1;
    }
    if (close[1] == '\0') {
        a->port = default_port;
        return 0;
    }
    if (close[1] != ':') {
        return -1;
    }
    return addr_parse_port(close + 2, &a->port);
}

int addr_parse(struct addr *a, const char *s, uint16_t default_port)
{
    char host[ADDR_IP_TEXT_MAX + 1];
    struct addr tmp;

    if (s == NULL) {
        return -1;
    }
    if (s[0] == '[') {
        if (addr_parse_bracketed(&tmp, s, default_port) < 0) {
            return -1;
        }
        *a = tmp;
        return 0;
    }
    /* A string that is an address as a whole has no port: "::1:80" is IPv6, not ::1 port 80. */
    if (addr_parse_ip(&tmp, s) == 0) {
        tmp.port = default_port;
        *a = tmp;
        return 0;
    }
    const char *colon = strchr(s, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL) {
        return -1;
    }
    if (addr_copy_host(host, s, (size_t)(colon - s)) < 0 ||
        addr_parse_family(&tmp, AF_INET, host) < 0 || addr_parse_port(colon + 1, &tmp.port) < 0) {
        return -1;
    }
    *a = tmp;
    return 0;
}

/* Writes the IP text of a into buf (INET6_ADDRSTRLEN bytes); "?" for an unset family. */
static void addr_ip_text(const struct addr *a, char *buf)
{
    int family = a->family == AF_INET ? AF_INET : AF_INET6;

    if (addr_ip_len(a->family) == 0 || inet_ntop(family, a->ip, buf, INET6_ADDRSTRLEN) == NULL) {
        buf[0] = '?';
        buf[1] = '\0';
    }
}

char *addr_format(const struct addr *a, char *buf, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];

    if (cap == 0) {
        return buf;
    }
    addr_ip_text(a, ip);
    if (a->family == AF_INET6) {
        (void)snprintf(buf, cap, "[%s]:%u", ip, (unsigned)a->port);
    } else {
        (void)snprintf(buf, cap, "%s:%u", ip, (unsigned)a->port);
    }
    return buf;
}

char *addr_format_ip(const struct addr *a, char *buf, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];

    if (cap == 0) {
        return buf;
    }
    addr_ip_text(a, ip);
    (void)snprintf(buf, cap, "%s", ip);
    return buf;
}

struct addr addr_canonical(const struct addr *a)
{
    static const uint8_t zero[12] = {0};
    struct addr out = *a;

    if (a->family != AF_INET6) {
        return out;
    }
    /* RFC 4291 §2.5.5.2: IPv4-mapped is ::ffff:a.b.c.d. */
    bool mapped = memcmp(a->ip, zero, 10) == 0 && a->ip[10] == 0xff && a->ip[11] == 0xff;
    /* RFC 4291 §2.5.5.1: IPv4-compatible is ::a.b.c.d, but :: and ::1 are IPv6 themselves. */
    bool above_loopback = (a->ip[12] | a->ip[13] | a->ip[14]) != 0 || a->ip[15] > 1;
    bool compatible = memcmp(a->ip, zero, 12) == 0 && above_loopback;
    if (!mapped && !compatible) {
        return out;
    }
    memset(out.ip, 0, sizeof(out.ip));
    memcpy(out.ip, a->ip + 12, 4);
    out.family = AF_INET;
    return out;
}

bool addr_equal_ip(const struct addr *a, const struct addr *b)
{
    return a->family == b->family && memcmp(a->ip, b->ip, addr_ip_len(a->family)) == 0;
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
    return a->port == b->port && addr_equal_ip(a, b);
}

bool addr_is_any(const struct addr *a)
{
    static const uint8_t zero[16] = {0};
    size_t n = addr_ip_len(a->family);

    return n != 0 && memcmp(a->ip, zero, n) == 0;
}

/*
 * SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): one
 * compression and three finalisation rounds. Keyed, so a sender who does not know the seed
 * cannot choose many addresses that land in one hash bucket.
 */
#define ADDR_SIP_C_ROUNDS 1
#define ADDR_SIP_D_ROUNDS 3

struct addr_sip {
    uint64_t v0, v1, v2, v3;
};

static uint64_t addr_rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64u - b));
}

static inline __attribute__((always_inline)) void addr_sip_round(struct addr_sip *s)
{
    s->v0 += s->v1;
    s->v1 = addr_rotl64(s->v1, 13) ^ s->v0;
    s->v0 = addr_rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = addr_rotl64(s->v3, 16) ^ s->v2;
    s->v0 += s->v3;
    s->v3 = addr_rotl64(s->v3, 21) ^ s->v0;
    s->v2 += s->v1;
    s->v1 = addr_rotl64(s->v1, 17) ^ s->v2;
    s->v2 = addr_rotl64(s->v2, 32);
}

static void addr_sip_block(struct addr_sip *s, uint64_t m)
{
    s->v3 ^= m;
    for (int i = 0; i < ADDR_SIP_C_ROUNDS; i++) {
        addr_sip_round(s);
    }
    s->v0 ^= m;
}

/* Little-endian load of n (at most 8) bytes, as SipHash reads its input. */
static uint64_t addr_load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n == 8) {
        /* The hot case (every full block): one load instead of eight. */
        memcpy(&v, p, sizeof(v));
        return v;
    }
#endif
    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8u * i);
    }
    return v;
}

static uint64_t addr_siphash(uint64_t k0, uint64_t k1, const uint8_t *msg, size_t len)
{
    struct addr_sip s = {
        k0 ^ 0x736f6d6570736575u,
        k1 ^ 0x646f72616e646f6du,
        k0 ^ 0x6c7967656e657261u,
        k1 ^ 0x7465646279746573u,
    };
    size_t full = len - len % 8;

    for (size_t i = 0; i < full; i += 8) {
        addr_sip_block(&s, addr_load_le(msg + i, 8));
    }
    addr_sip_block(&s, addr_load_le(msg + full, len - full) | ((uint64_t)(len & 0xffu) << 56));
    s.v2 ^= 0xffu;
    for (int i = 0; i < ADDR_SIP_D_ROUNDS; i++) {
        addr_sip_round(&s);
    }
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* The splitmix64 finaliser: spreads a 32-bit seed over the 128-bit SipHash key. */
static uint64_t addr_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Hashes family, the IP bytes the family uses and, when with_port, the port. */
static uint32_t addr_hash_fields(const struct addr *a, uint32_t seed, bool with_port)
{
    uint8_t msg[2 + 16 + 2];
    size_t ip_len = addr_ip_len(a->family);
    size_t n = 0;

    msg[n++] = (uint8_t)(a->family >> 8);
    msg[n++] = (uint8_t)a->family;
    memcpy(msg + n, a->ip, ip_len);
    n += ip_len;
    if (with_port) {
        msg[n++] = (uint8_t)(a->port >> 8);
        msg[n++] = (uint8_t)a->port;
    }
    uint64_t k0 = addr_mix64(seed);
    uint64_t k1 = addr_mix64(k0);
    uint64_t h = addr_siphash(k0, k1, msg, n);
    return (uint32_t)(h ^ (h >> 32));
}

uint32_t addr_hash(const struct addr *a, uint32_t seed)
{
    return addr_hash_fields(a, seed, true);
}

uint32_t addr_hash_ip(const struct addr *a, uint32_t seed)
{
    return addr_hash_fields(a, seed, false);
}

/* Clears every bit of ip (len bytes) past the first prefix_len bits. */
static void addr_clear_host_bits(uint8_t *ip, size_t len, unsigned prefix_len)
{
    for (size_t i = 0; i < len; i++) {
        size_t first_bit = 8u * i;
        if (prefix_len >= first_bit + 8u) {
            continue;
        }
        if (prefix_len <= first_bit) {
            ip[i] = 0;
        } else {
            ip[i] &= (uint8_t)(0xffu << (8u - (prefix_len - first_bit)));
        }
    }
}

/* Parses the address of s up to end (the '/'), or all of s when end is NULL. */
static int addr_cidr_parse_base(struct addr *base, const char *s, const char *end)
{
    char host[ADDR_IP_TEXT_MAX + 1];

    if (end == NULL) {
        return addr_parse_ip(base, s);
    }
    if (addr_copy_host(host, s, (size_t)(end - s)) < 0) {
        return -1;
    }
    return addr_parse_ip(base, host);
}

int addr_cidr_parse(struct addr_cidr *c, const char *s)
{
    struct addr_cidr tmp;
    unsigned long prefix_len = 0;

    if (s == NULL) {
        return -1;
    }
    memset(&tmp, 0, sizeof(tmp));
    const char *slash = strchr(s, '/');
    if (addr_cidr_parse_base(&tmp.base, s, slash) < 0) {
        return -1;
    }
    size_t bits = 8u * addr_ip_len(tmp.base.family);
    if (slash == NULL) {
        prefix_len = bits;
    } else if (addr_parse_decimal(slash + 1, bits, &prefix_len) < 0) {
        return -1;
    }
    tmp.base.port = 0;
    tmp.prefix_len = (uint8_t)prefix_len;
    addr_clear_host_bits(tmp.base.ip, sizeof(tmp.base.ip), tmp.prefix_len);
    *c = tmp;
    return 0;
}

bool addr_cidr_match(const struct addr_cidr *c, const struct addr *a)
{
    size_t ip_len = addr_ip_len(c->base.family);
    size_t full = c->prefix_len / 8u;
    unsigned rest = c->prefix_len % 8u;

    if (ip_len == 0 || a->family != c->base.family || c->prefix_len > 8u * ip_len) {
        return false;
    }
    if (memcmp(c->base.ip, a->ip, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8u - rest));
    return ((c->base.ip[full] ^ a->ip[full]) & mask) == 0;
}

char *addr_cidr_format(const struct addr_cidr *c, char *buf, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];

    if (cap == 0) {
        return buf;
    }
    addr_ip_text(&c->base, ip);
    (void)snprintf(buf, cap, "%s/%u", ip, (unsigned)c->prefix_len);
    return buf;
}
