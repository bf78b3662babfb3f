#include "tap.h"
#include "turn/turn_policy.h"
#include "util/addr.h"
#include "util/assert.h"

#include <string.h>

/* Parses s (which the test expects to be valid) as an address with port 3478. */
static struct addr turn_policy_test_addr(const char *s)
{
    struct addr a;

    memset(&a, 0, sizeof(a));
    if (addr_parse(&a, s, 3478) < 0) {
        TAP_CHECK(false, "test setup: parse %s", s);
    }
    return a;
}

/* Appends the CIDR s to a rule list of *count entries. */
static void turn_policy_test_rule(struct addr_cidr *rules, size_t *count, const char *s)
{
    if (*count >= TURN_MAX_PEER_RULES || addr_cidr_parse(&rules[*count], s) < 0) {
        TAP_CHECK(false, "test setup: rule %s", s);
        return;
    }
    (*count)++;
}

/* The verdict for peer s with options opts and no own addresses. */
static enum turn_policy_verdict turn_policy_test_check(const struct turn_options *opts,
                                                       const char *s)
{
    struct addr peer = turn_policy_test_addr(s);

    return turn_policy_check(opts, NULL, &peer);
}

/* Every built-in range, by its first and last address and one inside where it matters. */
static const char *const turn_policy_test_denied[] = {
    "0.0.0.0",
    "0.255.255.255",
    "10.0.0.0",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.0",
    "127.0.0.1",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.169.254",
    "169.254.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "192.0.0.0",
    "192.0.0.10",
    "192.0.0.255",
    "192.0.2.0",
    "192.0.2.255",
    "192.88.99.0",
    "192.88.99.255",
    "192.168.0.0",
    "192.168.1.1",
    "192.168.255.255",
    "198.18.0.0",
    "198.19.255.255",
    "198.51.100.0",
    "198.51.100.255",
    "203.0.113.0",
    "203.0.113.255",
    "224.0.0.0",
    "239.255.255.255",
    "240.0.0.0",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:0:0:0",
    "::ffff:0:ffff:ffff",
    "64:ff9b::",
    "64:ff9b::8.8.8.8",
    "64:ff9b::ffff:ffff",
    "64:ff9b:1::",
    "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
    "100::",
    "100::ffff:ffff:ffff:ffff",
    "2001::",
    "2001:0:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:1::2",
    "2001:2::",
    "2001:2:0:ffff:ffff:ffff:ffff:ffff",
    "2001:3::1",
    "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db8::",
    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    "2002::",
    "2002:c000:204::1",
    "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "3fff::",
    "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
    "5f00::",
    "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fc00::",
    "fd12:3456::1",
    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::",
    "fe80::1",
    "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fec0::",
    "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "ff00::",
    "ff02::1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "::1:0:0:0",
    "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "4000::",
    "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "8000::",
    "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    /* IPv4-mapped and IPv4-compatible spellings of denied IPv4 addresses. */
    "::ffff:10.0.0.1",
    "::10.0.0.1",
    "::ffff:127.0.0.1",
    "::127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:255.255.255.255",
    "::0.0.0.2",
};

/* Public addresses, and the neighbours just outside each built-in range. */
static const char *const turn_policy_test_allowed[] = {
    "8.8.8.8",
    "1.1.1.1",
    "1.0.0.0",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "191.255.255.255",
    "192.0.1.0",
    "192.0.3.0",
    "192.31.196.1",
    "192.52.193.1",
    "192.88.98.255",
    "192.88.100.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "198.51.101.0",
    "203.0.112.255",
    "203.0.114.0",
    "223.255.255.255",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2000::",
    "2001:200::",
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db9::",
    "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "2003::",
    "2620:4f:8000::1",
    "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "3fff:1000::",
    "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "::ffff:8.8.8.8",
    "::8.8.8.8",
};

static void turn_policy_test_defaults(void)
{
    struct turn_options opts;

    memset(&opts, 0, sizeof(opts));
    for (size_t i = 0; i < TERN_ARRAY_LEN(turn_policy_test_denied); i++) {
        const char *s = turn_policy_test_denied[i];
        TAP_EQ_INT(turn_policy_test_check(&opts, s), TURN_POLICY_DENY_DEFAULT, "%s denied", s);
    }
    for (size_t i = 0; i < TERN_ARRAY_LEN(turn_policy_test_allowed); i++) {
        const char *s = turn_policy_test_allowed[i];
        TAP_EQ_INT(turn_policy_test_check(&opts, s), TURN_POLICY_ALLOW, "%s allowed", s);
    }
}

static void turn_policy_test_allow_list(void)
{
    struct turn_options opts;

    memset(&opts, 0, sizeof(opts));
    turn_policy_test_rule(opts.peer_allow, &opts.peer_allow_count, "127.0.0.0/8");
    turn_policy_test_rule(opts.peer_allow, &opts.peer_allow_count, "fd00::/8");
    turn_policy_test_rule(opts.peer_deny, &opts.peer_deny_count, "127.0.0.0/24");
    TAP_EQ_INT(turn_policy_test_check(&opts, "127.0.0.1"), TURN_POLICY_ALLOW,
               "allow 127.0.0.0/8 allows 127.0.0.1 (and wins over a configured deny)");
    TAP_EQ_INT(turn_policy_test_check(&opts, "127.255.255.255"), TURN_POLICY_ALLOW,
               "allow 127.0.0.0/8 allows its last address");
    TAP_EQ_INT(turn_policy_test_check(&opts, "::ffff:127.0.0.1"), TURN_POLICY_ALLOW,
               "allow 127.0.0.0/8 allows the mapped ::ffff:127.0.0.1");
    TAP_EQ_INT(turn_policy_test_check(&opts, "::127.0.0.2"), TURN_POLICY_ALLOW,
               "allow 127.0.0.0/8 allows the compatible ::127.0.0.2");
    TAP_EQ_INT(turn_policy_test_check(&opts, "fd12::1"), TURN_POLICY_ALLOW,
               "allow fd00::/8 allows fd12::1");
    TAP_EQ_INT(turn_policy_test_check(&opts, "fc00::1"), TURN_POLICY_DENY_DEFAULT,
               "allow fd00::/8 leaves fc00::1 denied");
    TAP_EQ_INT(turn_policy_test_check(&opts, "10.0.0.1"), TURN_POLICY_DENY_DEFAULT,
               "allow 127.0.0.0/8 leaves 10.0.0.1 denied");
    TAP_EQ_INT(turn_policy_test_check(&opts, "128.0.0.1"), TURN_POLICY_ALLOW,
               "128.0.0.1 stays allowed");
}

static void turn_policy_test_deny_list(void)
{
    struct turn_options opts;

    memset(&opts, 0, sizeof(opts));
    turn_policy_test_rule(opts.peer_deny, &opts.peer_deny_count, "8.8.8.0/24");
    turn_policy_test_rule(opts.peer_deny, &opts.peer_deny_count, "2606:4700::/32");
    turn_policy_test_rule(opts.peer_deny, &opts.peer_deny_count, "10.0.0.0/8");
    TAP_EQ_INT(turn_policy_test_check(&opts, "8.8.8.8"), TURN_POLICY_DENY_CONFIG,
               "configured deny 8.8.8.0/24 denies 8.8.8.8");
    TAP_EQ_INT(turn_policy_test_check(&opts, "::ffff:8.8.8.8"), TURN_POLICY_DENY_CONFIG,
               "configured deny 8.8.8.0/24 denies ::ffff:8.8.8.8");
    TAP_EQ_INT(turn_policy_test_check(&opts, "8.8.9.0"), TURN_POLICY_ALLOW,
               "configured deny 8.8.8.0/24 leaves 8.8.9.0 allowed");
    TAP_EQ_INT(turn_policy_test_check(&opts, "2606:4700::1111"), TURN_POLICY_DENY_CONFIG,
               "configured deny 2606:4700::/32 denies 2606:4700::1111");
    TAP_EQ_INT(turn_policy_test_check(&opts, "2606:4701::1"), TURN_POLICY_ALLOW,
               "configured deny 2606:4700::/32 leaves 2606:4701::1 allowed");
    TAP_EQ_INT(turn_policy_test_check(&opts, "10.1.2.3"), TURN_POLICY_DENY_CONFIG,
               "a configured deny is reported before the built-in one");
    TAP_EQ_INT(turn_policy_test_check(&opts, "192.168.1.1"), TURN_POLICY_DENY_DEFAULT,
               "the built-in list still applies next to a configured one");
}

/* A fake registry of live relayed addresses: 1.2.3.4:50000 and 127.0.0.1:50002. */
static bool turn_policy_test_relay_in_use(void *ctx, const struct addr *a)
{
    struct addr live[2];

    (void)ctx;
    live[0] = turn_policy_test_addr("1.2.3.4:50000");
    live[1] = turn_policy_test_addr("127.0.0.1:50002");
    return addr_equal(a, &live[0]) || addr_equal(a, &live[1]);
}

static void turn_policy_test_own(void)
{
    static const uint16_t listen_ports[] = {3478, 5349};
    struct turn_options opts;
    struct addr own[5];
    struct addr peer;
    struct turn_policy_self self = {.ips = own,
                                    .ip_count = 5,
                                    .listen_ports = listen_ports,
                                    .listen_port_count = 2,
                                    .relay_in_use = turn_policy_test_relay_in_use};

    memset(&opts, 0, sizeof(opts));
    own[0] = turn_policy_test_addr("0.0.0.0:3478");
    own[1] = turn_policy_test_addr("[::]:3478");
    own[2] = turn_policy_test_addr("[::ffff:1.2.3.4]:3478");
    own[3] = turn_policy_test_addr("[2606:4700::5]:5349");
    own[4] = turn_policy_test_addr("127.0.0.1:3478");

    peer = turn_policy_test_addr("1.2.3.4:22");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "another service on an own address (given mapped) is denied");
    peer = turn_policy_test_addr("[::ffff:1.2.3.4]:22");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "the same in the mapped spelling");
    peer = turn_policy_test_addr("[2606:4700::5]:1");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "own IPv6 address denied outside the relay range");
    peer = turn_policy_test_addr("1.2.3.4:50000");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "a live relayed address of this server is another allocation: allowed");
    peer = turn_policy_test_addr("1.2.3.4:50001");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "a relay-range port of an own IP with no allocation is denied");
    peer = turn_policy_test_addr("127.0.0.1:50002");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "a loopback relayed address of this server is allowed without an allow list");
    peer = turn_policy_test_addr("127.0.0.1:50003");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "another loopback port of the server is denied");
    peer = turn_policy_test_addr("1.2.3.4:3478");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "an own listening transport address is denied");
    peer = turn_policy_test_addr("1.2.3.5:22");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "the neighbour of an own address is allowed");

    turn_policy_test_rule(opts.peer_allow, &opts.peer_allow_count, "0.0.0.0/0");
    turn_policy_test_rule(opts.peer_allow, &opts.peer_allow_count, "::/0");
    peer = turn_policy_test_addr("1.2.3.4:22");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "an allow list naming an own address lets its other ports through");
    peer = turn_policy_test_addr("[::ffff:1.2.3.4]:5349");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_SELF,
               "a listening port stays denied even when allowed");
    peer = turn_policy_test_addr("8.8.8.8:3478");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "unspecified own entries cover nothing");
    peer = turn_policy_test_addr("0.0.0.0:3478");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_ALLOW,
               "own 0.0.0.0 is a wildcard, not an address: 0.0.0.0 falls to the allow list");
    memset(&opts, 0, sizeof(opts));
    peer = turn_policy_test_addr("0.0.0.0:3478");
    TAP_EQ_INT(turn_policy_check(&opts, &self, &peer), TURN_POLICY_DENY_DEFAULT,
               "0.0.0.0 with own 0.0.0.0 is denied as unspecified, not as self");
    peer = turn_policy_test_addr("1.2.3.4:3478");
    TAP_EQ_INT(turn_policy_check(&opts, NULL, &peer), TURN_POLICY_ALLOW,
               "without own addresses a public address is allowed");
}

static void turn_policy_test_names(void)
{
    TAP_CHECK(strcmp(turn_policy_verdict_name(TURN_POLICY_ALLOW), "allow") == 0, "name allow");
    TAP_CHECK(strcmp(turn_policy_verdict_name(TURN_POLICY_DENY_DEFAULT), "default") == 0,
              "name default");
    TAP_CHECK(strcmp(turn_policy_verdict_name(TURN_POLICY_DENY_CONFIG), "config") == 0,
              "name config");
    TAP_CHECK(strcmp(turn_policy_verdict_name(TURN_POLICY_DENY_SELF), "self") == 0, "name self");
    TAP_CHECK(strcmp(turn_policy_verdict_name((enum turn_policy_verdict)42), "unknown") == 0,
              "name of an out-of-range verdict");
}

int main(void)
{
    turn_policy_test_defaults();
    turn_policy_test_allow_list();
    turn_policy_test_deny_list();
    turn_policy_test_own();
    turn_policy_test_names();
    return tap_done();
}
