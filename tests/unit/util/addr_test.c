#include "tap.h"
#include "util/addr.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/un.h>

/* Parses s (which the test expects to be valid) with default port 0. */
static struct addr addr_test_get(const char *s)
{
    struct addr a;

    memset(&a, 0, sizeof(a));
    if (addr_parse(&a, s, 0) < 0) {
        TAP_CHECK(false, "test setup: parse %s", s);
    }
    return a;
}

struct addr_test_parse_case {
    const char *in;
    uint16_t default_port;
    uint16_t family;
    uint16_t port;
    uint8_t ip[16];
};

static const struct addr_test_parse_case addr_test_parse_cases[] = {
    {"192.0.2.7", 3478, AF_INET, 3478, {192, 0, 2, 7}},
    {"192.0.2.7:5", 3478, AF_INET, 5, {192, 0, 2, 7}},
    {"0.0.0.0:0", 9, AF_INET, 0, {0}},
    {"255.255.255.255:65535", 9, AF_INET, 65535, {255, 255, 255, 255}},
    {"1.2.3.4:00080", 9, AF_INET, 80, {1, 2, 3, 4}},
    {"::1", 3478, AF_INET6, 3478, {[15] = 1}},
    {"[::1]", 3478, AF_INET6, 3478, {[15] = 1}},
    {"[::1]:5", 3478, AF_INET6, 5, {[15] = 1}},
    {"[::]:0", 7, AF_INET6, 0, {0}},
    /* Without brackets every colon belongs to the address: 0:0:0:0:0:0:1:80, no port. */
    {"::1:80", 3478, AF_INET6, 3478, {[13] = 1, [15] = 0x80}},
    {"[2001:db8::ffff:1.2.3.4]:65535",
     0,
     AF_INET6,
     65535,
     {0x20, 0x01, 0x0d, 0xb8, [10] = 0xff, [11] = 0xff, [12] = 1, [13] = 2, [14] = 3, [15] = 4}},
    {"::ffff:192.0.2.1",
     1,
     AF_INET6,
     1,
     {[10] = 0xff, [11] = 0xff, [12] = 192, [14] = 2, [15] = 1}},
};

static void addr_test_parse_valid(void)
{
    for (size_t i = 0; i < sizeof(addr_test_parse_cases) / sizeof(addr_test_parse_cases[0]); i++) {
        const struct addr_test_parse_case *t = &addr_test_parse_cases[i];
        struct addr a;

        memset(&a, 0xee, sizeof(a));
        TAP_EQ_INT(addr_parse(&a, t->in, t->default_port), 0, "parses \"%s\"", t->in);
        TAP_EQ_INT(a.family, t->family, "\"%s\" family", t->in);
        TAP_EQ_INT(a.port, t->port, "\"%s\" port", t->in);
        TAP_EQ_MEM(a.ip, t->ip, 16, "\"%s\" address bytes (unused bytes zero)", t->in);
    }
}

static void addr_test_parse_rejects(void)
{
    static const char *const bad[] = {
        "",
        "1.2.3.4:",
        "[::1",
        "1.2.3.4:99999",
        "1.2.3.4:65536",
        "1.2.3.4:-1",
        "1.2.3.4:+5",
        "1.2.3.4: 5",
        "1.2.3.4:5 ",
        "1.2.3.4:5x",
        "1.2.3.4:0x50",
        "1.2.3.4:80:90",
        " 1.2.3.4",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "example.org:80",
        ":80",
        "[::1]:",
        "[::1]x",
        "[::1]x5",
        "[::1]55",
        "[::1]]5",
        "[::1]:5:6",
        "[::1]]",
        "[]",
        "[]:80",
        "[1.2.3.4]",
        "[1.2.3.4]:80",
        "::1]",
        ":::1",
        "fe80::1%eth0",
        "1:2:3:4:5:6:7:8:9",
        "[1111:2222:3333:4444:5555:6666:7777:8888:9999]:1",
        "1111:2222:3333:4444:5555:6666:255.255.255.255.255.255:1",
    };
    struct addr a;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(addr_parse(&a, bad[i], 1), -1, "rejects \"%s\"", bad[i]);
    }
    TAP_EQ_INT(addr_parse(&a, NULL, 1), -1, "rejects NULL");
}

static void addr_test_parse_ip(void)
{
    static const struct addr_test_parse_case cases[] = {
        {"198.51.100.1", 0, AF_INET, 0, {198, 51, 100, 1}},
        {"2001:db8::2", 0, AF_INET6, 0, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}},
    };
    static const char *const bad[] = {"[::1]", "1.2.3.4:5", "", "::1/128"};
    struct addr a;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TAP_EQ_INT(addr_parse_ip(&a, cases[i].in), 0, "parse_ip takes \"%s\"", cases[i].in);
        TAP_EQ_INT(a.family, cases[i].family, "parse_ip \"%s\" family", cases[i].in);
        TAP_EQ_MEM(a.ip, cases[i].ip, 16, "parse_ip \"%s\" bytes", cases[i].in);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(addr_parse_ip(&a, bad[i]), -1, "parse_ip refuses \"%s\"", bad[i]);
    }
}

static void addr_test_format(void)
{
    char buf[ADDR_STR_LEN];
    char small[8];
    struct addr a = addr_test_get("192.0.2.7:5");
    struct addr b = addr_test_get("[2001:db8::1]:3478");
    struct addr widest = addr_test_get("[1111:2222:3333:4444:5555:6666:255.255.255.255]:65535");
    struct addr unset;

    TAP_CHECK(strcmp(addr_format(&a, buf, sizeof(buf)), "192.0.2.7:5") == 0, "formats IPv4:port");
    TAP_CHECK(strcmp(addr_format(&b, buf, sizeof(buf)), "[2001:db8::1]:3478") == 0,
              "formats [IPv6]:port");
    TAP_CHECK(strcmp(addr_format_ip(&a, buf, sizeof(buf)), "192.0.2.7") == 0, "formats IPv4 IP");
    TAP_CHECK(strcmp(addr_format_ip(&b, buf, sizeof(buf)), "2001:db8::1") == 0, "formats IPv6 IP");
    addr_format(&widest, buf, sizeof(buf));
    TAP_CHECK(strcmp(buf, "[1111:2222:3333:4444:5555:6666:ffff:ffff]:65535") == 0,
              "the widest address fits ADDR_STR_LEN (%s)", buf);
    TAP_CHECK(strlen(addr_format(&b, small, sizeof(small))) == sizeof(small) - 1,
              "a small buffer is truncated and terminated");
    TAP_CHECK(strncmp(small, "[2001:d", sizeof(small)) == 0, "truncation keeps the prefix");
    memset(&unset, 0, sizeof(unset));
    TAP_CHECK(strlen(addr_format(&unset, buf, sizeof(buf))) > 0, "an unset address formats");

    struct addr back;
    addr_format(&b, buf, sizeof(buf));
    TAP_CHECK(addr_parse(&back, buf, 0) == 0 && addr_equal(&back, &b), "format then parse");
}

static void addr_test_sockaddr_ipv4(void)
{
    struct sockaddr_storage ss;
    struct sockaddr_in sin;
    struct addr a = addr_test_get("203.0.113.9:3478");
    struct addr back;

    socklen_t len = addr_to_sockaddr(&a, &ss);
    TAP_EQ_INT(len, sizeof(struct sockaddr_in), "IPv4 sockaddr length");
    memcpy(&sin, &ss, sizeof(sin));
    TAP_EQ_INT(sin.sin_family, AF_INET, "sockaddr_in family");
    TAP_EQ_INT(sin.sin_port, htons(3478), "sockaddr_in port in network order");
    TAP_EQ_INT(sin.sin_addr.s_addr, htonl(0xcb007109u), "sockaddr_in address");
    TAP_EQ_INT(addr_from_sockaddr(&back, (const struct sockaddr *)&ss, len), 0,
               "IPv4 sockaddr converts back");
    TAP_CHECK(addr_equal(&a, &back), "IPv4 sockaddr round trip is lossless");
    TAP_EQ_INT(addr_from_sockaddr(&back, (const struct sockaddr *)&ss, len - 1), -1,
               "a short sockaddr_in is refused");
}

static void addr_test_sockaddr_ipv6(void)
{
    struct sockaddr_storage ss;
    struct sockaddr_in6 sin6;
    struct sockaddr_un sun;
    struct addr a = addr_test_get("[2001:db8::42]:49152");
    struct addr back;
    struct addr unset;

    socklen_t len = addr_to_sockaddr(&a, &ss);
    TAP_EQ_INT(len, sizeof(struct sockaddr_in6), "IPv6 sockaddr length");
    memcpy(&sin6, &ss, sizeof(sin6));
    TAP_EQ_INT(sin6.sin6_family, AF_INET6, "sockaddr_in6 family");
    TAP_EQ_INT(sin6.sin6_port, htons(49152), "sockaddr_in6 port in network order");
    TAP_EQ_MEM(&sin6.sin6_addr, a.ip, 16, "sockaddr_in6 address");
    TAP_EQ_INT(addr_from_sockaddr(&back, (const struct sockaddr *)&ss, len), 0,
               "IPv6 sockaddr converts back");
    TAP_CHECK(addr_equal(&a, &back), "IPv6 sockaddr round trip is lossless");
    TAP_EQ_INT(addr_from_sockaddr(&back, (const struct sockaddr *)&ss, len - 1), -1,
               "a short sockaddr_in6 is refused");

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    TAP_EQ_INT(addr_from_sockaddr(&back, (const struct sockaddr *)&sun, sizeof(sun)), -1,
               "AF_UNIX is refused");
    memset(&unset, 0, sizeof(unset));
    TAP_EQ_INT(addr_to_sockaddr(&unset, &ss), 0, "an unset address has no sockaddr");
}

/* Canonicalises in and compares with want (both parsed). */
static void addr_test_canon_one(const char *in, const char *want)
{
    struct addr a = addr_test_get(in);
    struct addr w = addr_test_get(want);
    struct addr c = addr_canonical(&a);

    TAP_CHECK(addr_equal(&c, &w), "canonical(%s) is %s", in, want);
}

static void addr_test_canonical(void)
{
    addr_test_canon_one("[::ffff:192.0.2.1]:80", "192.0.2.1:80");
    addr_test_canon_one("::ffff:0.0.0.0", "0.0.0.0");
    addr_test_canon_one("::ffff:127.0.0.1", "127.0.0.1");
    addr_test_canon_one("[::10.0.0.1]:7", "10.0.0.1:7");
    addr_test_canon_one("::0.0.0.2", "0.0.0.2");
    addr_test_canon_one("::0.0.1.0", "0.0.1.0");
    addr_test_canon_one("::1.0.0.0", "1.0.0.0");
    addr_test_canon_one("::", "::");
    addr_test_canon_one("::1", "::1");
    addr_test_canon_one("::0.0.0.1", "::1");
    addr_test_canon_one("::ffff:0:192.0.2.1", "::ffff:0:192.0.2.1");
    addr_test_canon_one("1::ffff:192.0.2.1", "1::ffff:192.0.2.1");
    addr_test_canon_one("::1:ffff:192.0.2.1", "::1:ffff:192.0.2.1");
    addr_test_canon_one("::fffe:192.0.2.1", "::fffe:192.0.2.1");
    addr_test_canon_one("2001:db8::1", "2001:db8::1");
    addr_test_canon_one("192.0.2.1:9", "192.0.2.1:9");

    struct addr m = addr_test_get("::ffff:192.0.2.1");
    struct addr c = addr_canonical(&m);
    static const uint8_t want_ip[16] = {192, 0, 2, 1};
    TAP_EQ_MEM(c.ip, want_ip, 16, "canonical IPv4 clears the bytes past the first four");
}

static void addr_test_equal(void)
{
    struct addr a = addr_test_get("192.0.2.1:80");
    struct addr b = addr_test_get("192.0.2.1:81");
    struct addr c = addr_test_get("192.0.2.2:80");
    struct addr m = addr_test_get("[::ffff:192.0.2.1]:80");

    TAP_CHECK(addr_equal(&a, &a), "an address equals itself");
    TAP_CHECK(!addr_equal(&a, &b), "a different port is not equal");
    TAP_CHECK(addr_equal_ip(&a, &b), "equal_ip ignores the port");
    TAP_CHECK(!addr_equal(&a, &c), "a different IP is not equal");
    TAP_CHECK(!addr_equal_ip(&a, &c), "a different IP is not equal_ip");
    TAP_CHECK(!addr_equal(&a, &m), "equal does not canonicalise");
    TAP_CHECK(!addr_equal_ip(&a, &m), "equal_ip does not canonicalise");
}

static void addr_test_is_any(void)
{
    struct addr a4 = addr_test_get("0.0.0.0:3478");
    struct addr a6 = addr_test_get("[::]:3478");
    struct addr one = addr_test_get("0.0.0.1");
    struct addr loop6 = addr_test_get("::1");
    struct addr unset;

    memset(&unset, 0, sizeof(unset));
    TAP_CHECK(addr_is_any(&a4), "0.0.0.0 is any");
    TAP_CHECK(addr_is_any(&a6), ":: is any");
    TAP_CHECK(!addr_is_any(&one), "0.0.0.1 is not any");
    TAP_CHECK(!addr_is_any(&loop6), "::1 is not any");
    TAP_CHECK(!addr_is_any(&unset), "an unset address is not any");
}

/* Hashes 4096 consecutive IPv4 addresses into 64 buckets; returns the fullest bucket's count. */
static int addr_test_worst_bucket(uint32_t seed)
{
    int buckets[64] = {0};
    int worst = 0;
    struct addr a = addr_test_get("10.0.0.0:3478");

    for (unsigned i = 0; i < 4096; i++) {
        a.ip[2] = (uint8_t)(i >> 8);
        a.ip[3] = (uint8_t)i;
        uint32_t b = addr_hash(&a, seed) % 64u;
        buckets[b]++;
        if (buckets[b] > worst) {
            worst = buckets[b];
        }
    }
    return worst;
}

static void addr_test_hash(void)
{
    struct addr a = addr_test_get("192.0.2.1:80");
    struct addr a2 = addr_test_get("192.0.2.1:80");
    struct addr b = addr_test_get("192.0.2.1:81");
    struct addr m = addr_test_get("[::ffff:192.0.2.1]:80");

    TAP_EQ_INT(addr_hash(&a, 7), addr_hash(&a2, 7), "equal addresses hash equally");
    TAP_CHECK(addr_hash(&a, 7) != addr_hash(&a, 8), "the seed changes the hash");
    TAP_CHECK(addr_hash(&a, 7) != addr_hash(&b, 7), "the port changes the hash");
    TAP_EQ_INT(addr_hash_ip(&a, 7), addr_hash_ip(&b, 7), "hash_ip ignores the port");
    TAP_CHECK(addr_hash_ip(&a, 7) != addr_hash_ip(&a, 8), "the seed changes hash_ip");
    TAP_CHECK(addr_hash(&a, 7) != addr_hash(&m, 7), "family is part of the hash");
    TAP_CHECK(addr_hash_ip(&a, 7) != addr_hash_ip(&m, 7), "family is part of hash_ip");

    /* 64 expected per bucket; a fair hash stays far below twice that. */
    int worst = addr_test_worst_bucket(0x5eed);
    TAP_CHECK(worst < 100, "consecutive addresses spread over buckets (worst %d)", worst);
}

struct addr_test_cidr_case {
    const char *in;
    const char *formatted;
    unsigned prefix_len;
};

static const struct addr_test_cidr_case addr_test_cidr_cases[] = {
    {"10.0.0.0/8", "10.0.0.0/8", 8},
    {"10.1.2.3/12", "10.0.0.0/12", 12},
    {"10.31.2.3/12", "10.16.0.0/12", 12},
    {"192.168.1.77/23", "192.168.0.0/23", 23},
    {"fd12:3456::1/7", "fc00::/7", 7},
    {"febf::1/10", "fe80::/10", 10},
    {"2001:db8:ffff::1/33", "2001:db8:8000::/33", 33},
    {"192.0.2.1", "192.0.2.1/32", 32},
    {"::1", "::1/128", 128},
    {"0.0.0.0/0", "0.0.0.0/0", 0},
    {"203.0.113.9/0", "0.0.0.0/0", 0},
    {"2001:db8::/128", "2001:db8::/128", 128},
    {"1.2.3.4/008", "1.0.0.0/8", 8},
};

static void addr_test_cidr_parse(void)
{
    char buf[ADDR_STR_LEN];

    for (size_t i = 0; i < sizeof(addr_test_cidr_cases) / sizeof(addr_test_cidr_cases[0]); i++) {
        const struct addr_test_cidr_case *t = &addr_test_cidr_cases[i];
        struct addr_cidr c;

        memset(&c, 0xee, sizeof(c));
        TAP_EQ_INT(addr_cidr_parse(&c, t->in), 0, "cidr parses \"%s\"", t->in);
        TAP_EQ_INT(c.prefix_len, t->prefix_len, "\"%s\" prefix length", t->in);
        TAP_EQ_INT(c.base.port, 0, "\"%s\" base port is 0", t->in);
        addr_cidr_format(&c, buf, sizeof(buf));
        TAP_CHECK(strcmp(buf, t->formatted) == 0, "\"%s\" formats as \"%s\" (got \"%s\")", t->in,
                  t->formatted, buf);
    }
}

static void addr_test_cidr_rejects(void)
{
    static const char *const bad[] = {
        "1.2.3.4/33", "::/129",     "1.2.3.4/", "/8",           "1.2.3.4/8x",
        "1.2.3.4/+8", "1.2.3.4/-1", "[::1]/64", "1.2.3.4:80/8", "1.2.3.4/8/8",
        "1.2.3.4/ 8", "",           "10/8",     "1.2.3.4/0x8",
    };
    struct addr_cidr c;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(addr_cidr_parse(&c, bad[i]), -1, "cidr rejects \"%s\"", bad[i]);
    }
    TAP_EQ_INT(addr_cidr_parse(&c, NULL), -1, "cidr rejects NULL");
}

/* Checks whether the address s lies in the prefix p. */
static bool addr_test_in(const char *p, const char *s)
{
    struct addr_cidr c;
    struct addr a = addr_test_get(s);

    if (addr_cidr_parse(&c, p) < 0) {
        TAP_CHECK(false, "test setup: cidr %s", p);
    }
    return addr_cidr_match(&c, &a);
}

static void addr_test_cidr_match(void)
{
    TAP_CHECK(addr_test_in("10.0.0.0/8", "10.255.1.2:80"), "10.255.1.2 is in 10/8");
    TAP_CHECK(!addr_test_in("10.0.0.0/8", "11.0.0.1"), "11.0.0.1 is not in 10/8");
    TAP_CHECK(!addr_test_in("10.0.0.0/8", "9.255.255.255"), "9.255.255.255 is not in 10/8");
    TAP_CHECK(addr_test_in("100.64.0.0/10", "100.127.255.255"), "top of 100.64/10 is in it");
    TAP_CHECK(!addr_test_in("100.64.0.0/10", "100.128.0.0"), "100.128.0.0 is not in 100.64/10");
    TAP_CHECK(addr_test_in("192.168.0.0/23", "192.168.1.255"), "192.168.1.255 in /23");
    TAP_CHECK(!addr_test_in("192.168.0.0/23", "192.168.2.0"), "192.168.2.0 not in /23");
    TAP_CHECK(addr_test_in("0.0.0.0/0", "203.0.113.1"), "/0 holds every IPv4 address");
    TAP_CHECK(!addr_test_in("0.0.0.0/0", "::1"), "an IPv4 /0 holds no IPv6 address");
    TAP_CHECK(addr_test_in("192.0.2.1", "192.0.2.1:9"), "a host prefix holds its host");
    TAP_CHECK(!addr_test_in("192.0.2.1", "192.0.2.0"), "a host prefix holds nothing else");
    TAP_CHECK(addr_test_in("fc00::/7", "fdff::1"), "fdff::1 is in fc00::/7");
    TAP_CHECK(!addr_test_in("fc00::/7", "fe80::1"), "fe80::1 is not in fc00::/7");
    TAP_CHECK(addr_test_in("fe80::/10", "febf:ffff::1"), "febf:ffff::1 is in fe80::/10");
    TAP_CHECK(!addr_test_in("fe80::/10", "fec0::1"), "fec0::1 is not in fe80::/10");
    TAP_CHECK(addr_test_in("::/0", "2001:db8::1"), "::/0 holds every IPv6 address");
    TAP_CHECK(!addr_test_in("::/0", "1.2.3.4"), "an IPv6 /0 holds no IPv4 address");
    TAP_CHECK(!addr_test_in("127.0.0.0/8", "::ffff:127.0.0.1"),
              "families must match (no implicit canonicalisation)");
    TAP_CHECK(addr_test_in("2001:db8::1/128", "[2001:db8::1]:5"), "/128 holds its host");
    TAP_CHECK(!addr_test_in("2001:db8::1/128", "2001:db8::2"), "/128 holds nothing else");

    struct addr_cidr unset;
    struct addr any = addr_test_get("0.0.0.0");
    memset(&unset, 0, sizeof(unset));
    TAP_CHECK(!addr_cidr_match(&unset, &any), "an unset prefix matches nothing");
}

int main(void)
{
    addr_test_parse_valid();
    addr_test_parse_rejects();
    addr_test_parse_ip();
    addr_test_format();
    addr_test_sockaddr_ipv4();
    addr_test_sockaddr_ipv6();
    addr_test_canonical();
    addr_test_equal();
    addr_test_is_any();
    addr_test_hash();
    addr_test_cidr_parse();
    addr_test_cidr_rejects();
    addr_test_cidr_match();
    return tap_done();
}
