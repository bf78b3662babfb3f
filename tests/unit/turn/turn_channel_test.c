/* The channel bindings of an allocation (RFC 8656 section 12). */
#include "tap.h"
#include "turn/turn_channel.h"
#include "util/addr.h"

static struct addr peer(const char *text)
{
    struct addr a;

    (void)addr_parse(&a, text, 0);
    return a;
}

int main(void)
{
    struct turn_channel_set set;
    struct addr a = peer("198.51.100.1:1000");
    struct addr a_port = peer("198.51.100.1:1001");
    struct addr b = peer("198.51.100.2:1000");
    const uint64_t t0 = 1000;
    const uint64_t end = t0 + TURN_CHANNEL_LIFETIME_MS;

    turn_channel_init(&set);
    TAP_EQ_INT(TURN_CHANNEL_LIFETIME_MS, 600000, "RFC 8656 s12: a binding lasts 10 minutes");
    TAP_EQ_INT(turn_channel_bind(&set, 0x4000, &a, t0, 2), TURN_CHANNEL_OK, "bind 0x4000 to a");
    TAP_CHECK(turn_channel_by_number(&set, 0x4000, t0) != NULL, "found by number");
    TAP_CHECK(turn_channel_by_peer(&set, &a, t0) != NULL, "found by peer");
    TAP_CHECK(turn_channel_by_peer(&set, &a_port, t0) == NULL,
              "RFC 8656 s12: a channel is bound to IP and port");
    TAP_EQ_INT(turn_channel_check(&set, 0x4000, &b, t0, 2), TURN_CHANNEL_NUMBER_TAKEN,
               "RFC 8656 s12.2: the number is bound to another peer");
    TAP_EQ_INT(turn_channel_check(&set, 0x4001, &a, t0, 2), TURN_CHANNEL_PEER_TAKEN,
               "RFC 8656 s12.2: the peer is bound to another number");
    TAP_EQ_INT(turn_channel_bind(&set, 0x4001, &b, t0, 2), TURN_CHANNEL_OK, "bind 0x4001 to b");
    TAP_EQ_INT(turn_channel_check(&set, 0x4002, &a_port, t0, 2), TURN_CHANNEL_FULL,
               "a third binding passes max 2");
    TAP_EQ_INT(turn_channel_bind(&set, 0x4000, &a, t0 + 1000, 2), TURN_CHANNEL_OK,
               "rebinding the same pair refreshes, even when full");
    TAP_CHECK(turn_channel_by_number(&set, 0x4000, end) != NULL,
              "the refresh moved the expiry 1 s later");
    TAP_CHECK(turn_channel_by_number(&set, 0x4001, end) == NULL, "0x4001 is unbound at 600 s");
    TAP_EQ_INT(turn_channel_check(&set, 0x4001, &a_port, end, 3), TURN_CHANNEL_NUMBER_TAKEN,
               "RFC 8656 s12: its number is held 5 more minutes");
    TAP_EQ_INT(turn_channel_check(&set, 0x4003, &b, end, 3), TURN_CHANNEL_PEER_TAKEN,
               "and its peer too");
    TAP_EQ_INT(turn_channel_check(&set, 0x4001, &b, end, 3), TURN_CHANNEL_OK,
               "the same pair may come back");
    TAP_EQ_INT(turn_channel_expire(&set, end + TURN_CHANNEL_REUSE_MS - 1), 0,
               "nothing is forgotten before the cooling ends");
    TAP_EQ_INT(turn_channel_bind(&set, 0x4001, &a_port, end + TURN_CHANNEL_REUSE_MS, 2),
               TURN_CHANNEL_OK, "after the cooling the number binds to another peer");
    TAP_EQ_INT(set.count, 2, "the old entry was replaced, not added to");
    TAP_EQ_INT(turn_channel_expire(&set, end + 1000 + TURN_CHANNEL_REUSE_MS), 1,
               "0x4000 is forgotten after its cooling");
    TAP_EQ_INT(set.count, 1, "one binding left");
    turn_channel_fini(&set);
    TAP_CHECK(set.items == NULL && set.count == 0, "fini releases the set");
    return tap_done();
}
