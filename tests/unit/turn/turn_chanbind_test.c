/* The ChannelBind method (RFC 8656 section 12.2) and channel lifetimes. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_channel.h"
#include "tap.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;
static const uint8_t payload[4] = {1, 2, 3, 4};

static struct addr peer_of(const char *text)
{
    struct addr a;

    turn_fake_addr(&a, text);
    return a;
}

static int bind_text(uint16_t number, const char *peer)
{
    struct addr a = peer_of(peer);

    return turn_fake_bind(&fake, number, &a);
}

static void attrs_number_only(struct stun_builder *b, const void *ctx)
{
    (void)ctx;
    stun_build_u16(b, STUN_ATTR_CHANNEL_NUMBER, 0x4000);
}

static void test_bind(void)
{
    struct turn_fake_peer_msg pm;
    struct addr peer = peer_of("198.51.100.7:4000");

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.7:4000"), 0, "RFC 8656 s12.2: ChannelBind succeeds");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "signed");
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 4), 0, "the channel carries data");
    TAP_EQ_INT(turn_fake_from_peer(&fake, turn_fake_relay(&fake, 0), &peer, payload, 4, &pm), 0,
               "RFC 8656 s12.2: ChannelBind installs the permission too");
    TAP_EQ_INT(pm.msg_len, 8, "as ChannelData");
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.7:4000"), 0,
               "RFC 8656 s12.2: rebinding the same pair refreshes");
    turn_fake_teardown(&fake);
}

static void test_refusals(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    (void)bind_text(0x4000, "198.51.100.7:4000");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_CHANNEL_BIND, attrs_number_only, NULL), 400,
               "RFC 8656 s12.2: no XOR-PEER-ADDRESS is 400");
    TAP_EQ_INT(bind_text(0x3FFF, "198.51.100.8:1"), 400, "RFC 8656 s12.2: 0x3FFF is 400");
    TAP_EQ_INT(bind_text(0x7FFF, "198.51.100.8:1"), 400, "0x7FFF is 400");
    TAP_EQ_INT(bind_text(0x5000, "198.51.100.8:1"), 0,
               "0x5000 (RFC 5766 range) is accepted unless channel_strict");
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.9:1"), 400,
               "RFC 8656 s12.2: a number bound to another peer is 400");
    TAP_EQ_INT(bind_text(0x4001, "198.51.100.7:4000"), 400,
               "RFC 8656 s12.2: a peer bound to another number is 400");
    TAP_EQ_INT(bind_text(0x4002, "[2001:db8:5::1]:1"), 443,
               "RFC 8656 s12.2: an IPv6 peer on an IPv4 allocation is 443");
    TAP_EQ_INT(bind_text(0x4003, "10.1.2.3:1"), 403, "RFC 8656 s12.2: a denied peer is 403");
    TAP_EQ_INT(turn_worker_counters(fake.w)->peer_denied, 1, "peer_denied counted");
    turn_fake_teardown(&fake);

    turn_fake_init(&fake);
    fake.opts.channel_strict = true;
    fake.opts.max_channels = 1;
    turn_fake_start(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(bind_text(0x5000, "198.51.100.8:1"), 400, "channel_strict refuses 0x5000");
    TAP_EQ_INT(bind_text(0x4FFF, "198.51.100.8:1"), 0, "0x4FFF is fine");
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.9:1"), 508, "past max_channels is 508");
    turn_fake_teardown(&fake);
}

static void test_missing_number(void)
{
    struct addr peer = peer_of("198.51.100.7:4000");

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_CHANNEL_BIND, turn_fake_attrs_peer, &peer), 400,
               "RFC 8656 s12.2: no CHANNEL-NUMBER is 400");
    turn_fake_teardown(&fake);
}

static void test_lifetime_and_reuse(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_refresh(&fake, 3600);
    (void)bind_text(0x4000, "198.51.100.7:4000");
    struct addr peer = peer_of("198.51.100.7:4000");

    /* Permissions last 300 s: keep one alive to watch the channel's own 600 s. */
    turn_fake_advance_s(&fake, 290);
    (void)turn_fake_permit(&fake, &peer);
    turn_fake_advance_s(&fake, 290);
    (void)turn_fake_permit(&fake, &peer);
    turn_fake_advance_s(&fake, 19);
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 4), 0,
               "RFC 8656 s12: the channel lives at 599 s");
    turn_fake_advance(&fake, 1000);
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 4), TURN_DROP_NO_CHANNEL,
               "RFC 8656 s12: the channel is unbound at 600 s");
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.9:1"), 400,
               "RFC 8656 s12: the number stays unusable for another peer 5 minutes");
    TAP_EQ_INT(bind_text(0x4005, "198.51.100.7:4000"), 400,
               "the peer stays unusable for another number 5 minutes");
    turn_fake_advance_s(&fake, 300);
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.9:1"), 0, "after 5 minutes the number is free");
    TAP_EQ_INT(bind_text(0x4005, "198.51.100.7:4000"), 0, "and the peer too");
    turn_fake_teardown(&fake);

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_refresh(&fake, 3600);
    (void)bind_text(0x4000, "198.51.100.7:4000");
    turn_fake_advance_s(&fake, 700);
    TAP_EQ_INT(bind_text(0x4000, "198.51.100.7:4000"), 0,
               "the same pair may be bound again while cooling");
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 4), 0, "and carries data again");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_bind();
    test_refusals();
    test_missing_number();
    test_lifetime_and_reuse();
    return tap_done();
}
