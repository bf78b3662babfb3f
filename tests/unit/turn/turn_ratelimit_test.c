#include "tap.h"
#include "turn/turn_ratelimit.h"
#include "util/addr.h"

#include <stdint.h>
#include <string.h>

#define TURN_RATELIMIT_TEST_SEED 0x5eed1234u

/* A limiter is 200 kB: keep it out of the stack. */
static struct turn_ratelimit turn_ratelimit_test_rl;

/* Parses s (which the test expects to be valid) with port 3478 when it has none. */
static struct addr turn_ratelimit_test_addr(const char *s)
{
    struct addr a;

    memset(&a, 0, sizeof(a));
    if (addr_parse(&a, s, 3478) < 0) {
        TAP_CHECK(false, "test setup: parse %s", s);
    }
    return a;
}

/* The slot the limiter uses for a, as the header describes it: a seeded hash of the canonical
 * IP modulo the slot count. */
static uint32_t turn_ratelimit_test_slot(const struct addr *a)
{
    struct addr ip = addr_canonical(a);

    ip.port = 0;
    return addr_hash_ip(&ip, TURN_RATELIMIT_TEST_SEED) % TURN_RATELIMIT_SLOTS;
}

/* Finds an address 10.x.y.z (port 4000), not a's IP, that lands in a's slot. Returns 0, or -1
 * when there is none. */
static int turn_ratelimit_test_collide(const struct addr *a, struct addr *out)
{
    uint32_t want = turn_ratelimit_test_slot(a);

    memset(out, 0, sizeof(*out));
    out->family = AF_INET;
    out->port = 4000;
    out->ip[0] = 10;
    for (uint32_t i = 1; i < (1u << 24); i++) {
        out->ip[1] = (uint8_t)(i >> 16);
        out->ip[2] = (uint8_t)(i >> 8);
        out->ip[3] = (uint8_t)i;
        if (!addr_equal_ip(out, a) && turn_ratelimit_test_slot(out) == want) {
            return 0;
        }
    }
    return -1;
}

/* Sends requests from a at now_ms until refused; returns how many passed (at most limit). */
static int turn_ratelimit_test_drain(const struct addr *a, uint64_t now_ms, int limit)
{
    int n = 0;

    while (n < limit && turn_ratelimit_allow(&turn_ratelimit_test_rl, a, now_ms)) {
        n++;
    }
    return n;
}

static void turn_ratelimit_test_limit(void)
{
    struct addr a = turn_ratelimit_test_addr("198.51.100.1:1000");
    struct addr a_port = turn_ratelimit_test_addr("198.51.100.1:2000");
    struct addr a_mapped = turn_ratelimit_test_addr("[::ffff:198.51.100.1]:1000");
    struct addr b = turn_ratelimit_test_addr("[2001:db8::1]:1000");
    struct addr unset;

    memset(&unset, 0, sizeof(unset));
    TAP_CHECK(turn_ratelimit_test_slot(&a) != turn_ratelimit_test_slot(&b),
              "test setup: a and b in different slots");
    /* 2 a second, bursts of 3. */
    turn_ratelimit_init(&turn_ratelimit_test_rl, 2, 3, TURN_RATELIMIT_TEST_SEED);
    TAP_EQ_INT(turn_ratelimit_test_drain(&a, 0, 100), 3, "a source gets its burst of 3");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a, 0), "then is refused");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a_port, 0),
              "from another port too: the limit is per IP");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a_mapped, 0),
              "and in the IPv4-mapped spelling");
    TAP_EQ_INT(turn_ratelimit_test_drain(&b, 0, 100), 3, "another source is not limited by it");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a, 499),
              "499 ms later the first source is still refused");
    TAP_CHECK(turn_ratelimit_allow(&turn_ratelimit_test_rl, &a, 500),
              "500 ms later (one request at 2/s) it may send one");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a, 500), "and only one");
    TAP_EQ_INT(turn_ratelimit_test_drain(&a, 60000, 100), 3, "after a long pause a full burst");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &unset, 60000),
              "a source without an address family is refused");
}

static void turn_ratelimit_test_disabled(void)
{
    struct addr a = turn_ratelimit_test_addr("198.51.100.1:1000");

    turn_ratelimit_init(&turn_ratelimit_test_rl, 0, 3, TURN_RATELIMIT_TEST_SEED);
    TAP_EQ_INT(turn_ratelimit_test_drain(&a, 0, 10000), 10000, "rate 0: no limit");
}

/* a drains its slot at 0 ms; then c (same slot, another IP) comes at now_ms. Returns how many
 * requests c gets and leaves the slot's tracked IP in *tracked. */
static int turn_ratelimit_test_newcomer(const struct addr *a, const struct addr *c, uint64_t now_ms,
                                        struct addr *tracked)
{
    turn_ratelimit_init(&turn_ratelimit_test_rl, 2, 3, TURN_RATELIMIT_TEST_SEED);
    if (turn_ratelimit_test_drain(a, 0, 100) != 3 ||
        turn_ratelimit_allow(&turn_ratelimit_test_rl, c, 0)) {
        TAP_CHECK(false, "test setup: a drains the slot and c shares the empty bucket");
    }
    int n = turn_ratelimit_test_drain(c, now_ms, 100);
    *tracked = turn_ratelimit_test_rl.slots[turn_ratelimit_test_slot(a)].ip;
    return n;
}

static void turn_ratelimit_test_takeover(void)
{
    struct addr a = turn_ratelimit_test_addr("198.51.100.1:1000");
    struct addr c;
    struct addr tracked;

    if (turn_ratelimit_test_collide(&a, &c) < 0) {
        TAP_CHECK(false, "test setup: no address shares a's slot");
        return;
    }
    /* At 1499 ms a's bucket holds 2.998 of 3 tokens: not quiet, c shares it. */
    TAP_EQ_INT(turn_ratelimit_test_newcomer(&a, &c, 1499, &tracked), 2,
               "before the slot is quiet a newcomer spends the tracked source's tokens");
    TAP_CHECK(addr_equal_ip(&tracked, &a), "and the slot still tracks the first source");
    /* At 1500 ms it is full again: c takes the slot over with a fresh bucket. */
    TAP_EQ_INT(turn_ratelimit_test_newcomer(&a, &c, 1500, &tracked), 3,
               "once the bucket has refilled to burst a newcomer gets its own burst");
    TAP_CHECK(addr_equal_ip(&tracked, &c), "and the slot tracks the newcomer");
    TAP_CHECK(tracked.port == 0, "a slot tracks an IP, not a port");
    TAP_CHECK(!turn_ratelimit_allow(&turn_ratelimit_test_rl, &a, 1500),
              "the first source now shares the newcomer's drained bucket");
}

int main(void)
{
    turn_ratelimit_test_limit();
    turn_ratelimit_test_disabled();
    turn_ratelimit_test_takeover();
    return tap_done();
}
