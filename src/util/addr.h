/*
 * Transport addresses: an IP address (IPv4 or IPv6) and a port, in a small
 * fixed-size value type that the pure core can copy, compare and hash
 * without touching sockets. Conversion to and from struct sockaddr lives
 * here too, so every module formats and parses addresses one way.
 *
 * An IPv4 address is always stored as family AF_INET; addr_canonical()
 * turns the IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d)
 * IPv6 forms into it, so policy checks cannot be bypassed by spelling.
 */
#ifndef TERN_UTIL_ADDR_H
#define TERN_UTIL_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "[ffff:...:ffff]:65535" plus NUL, rounded up. */
#define ADDR_STR_LEN 64

struct addr {
    uint16_t family; /* AF_INET or AF_INET6; 0 when unset */
    uint16_t port;   /* host byte order */
    uint8_t ip[16];  /* network byte order; IPv4 uses the first 4 bytes, the rest are zero */
};

struct addr_cidr {
    struct addr base; /* port unused (0); bits past prefix_len are zero */
    uint8_t prefix_len;
};

/* Fills a from a sockaddr (AF_INET or AF_INET6). Returns 0, or -1 for another family or a
 * length too short for the family. */
int addr_from_sockaddr(struct addr *a, const struct sockaddr *sa, socklen_t len);

/* Writes a to ss; returns the sockaddr length to pass to the kernel, or 0 if a is unset. */
socklen_t addr_to_sockaddr(const struct addr *a, struct sockaddr_storage *ss);

/* Parses "1.2.3.4", "1.2.3.4:5", "::1", "[::1]", "[::1]:5". Without a port, port is
 * default_port. Returns 0, or -1 with a left unspecified. */
int addr_parse(struct addr *a, const char *s, uint16_t default_port);

/* Parses an IP address alone ("1.2.3.4" or "::1", no brackets, no port). Returns 0 or -1. */
int addr_parse_ip(struct addr *a, const char *s);

/* Formats "1.2.3.4:5" or "[::1]:5" into buf (ADDR_STR_LEN bytes); returns buf. */
char *addr_format(const struct addr *a, char *buf, size_t cap);

/* Formats the IP only ("1.2.3.4" or "::1") into buf; returns buf. */
char *addr_format_ip(const struct addr *a, char *buf, size_t cap);

/* Returns the IPv4 form of an IPv4-mapped or IPv4-compatible IPv6 address, else a copy of a.
 * "::" and "::1" are not IPv4-compatible (they stay IPv6). */
struct addr addr_canonical(const struct addr *a);

/* True when family, IP and port are equal (no canonicalisation). */
bool addr_equal(const struct addr *a, const struct addr *b);

/* True when family and IP are equal, ignoring the port. */
bool addr_equal_ip(const struct addr *a, const struct addr *b);

/* True when the IP is the unspecified address (0.0.0.0 or ::). */
bool addr_is_any(const struct addr *a);

/* A 32-bit hash of family, IP and port, seeded so that it cannot be predicted from outside. */
uint32_t addr_hash(const struct addr *a, uint32_t seed);

/* A hash of family and IP only. */
uint32_t addr_hash_ip(const struct addr *a, uint32_t seed);

/* Parses "10.0.0.0/8", "fc00::/7", or a bare address (a host prefix). Returns 0, or -1 for a
 * bad address or a prefix longer than the family allows. Bits past the prefix are cleared. */
int addr_cidr_parse(struct addr_cidr *c, const char *s);

/* True when a (canonicalised by the caller if wanted) lies inside c. Families must match. */
bool addr_cidr_match(const struct addr_cidr *c, const struct addr *a);

/* Formats "10.0.0.0/8" into buf; returns buf. */
char *addr_cidr_format(const struct addr_cidr *c, char *buf, size_t cap);

#endif
