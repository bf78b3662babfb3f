/* The Send indication (RFC 8656 section 11.2) and the bandwidth cap. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "tap.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;
static uint8_t big[TURN_FAKE_BUF];

static void send_without(uint16_t keep_type)
{
    struct stun_builder b;
    struct addr peer;

    turn_fake_addr(&peer, "198.51.100.7:4000");
    turn_fake_begin(&fake, &b, STUN_METHOD_SEND, STUN_CLASS_INDICATION);
    if (keep_type == STUN_ATTR_XOR_PEER_ADDRESS) {
        stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &peer);
    } else {
        stun_build_raw(&b, STUN_ATTR_DATA, "xy", 2);
    }
    turn_fake_end(&fake, &b);
    (void)turn_fake_deliver(&fake);
}

static void test_send(void)
{
    struct addr peer;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 4, false), TURN_DROP_NO_ALLOCATION,
               "a Send indication without allocation is dropped");
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 4, false), TURN_DROP_NO_PERMISSION,
               "RFC 8656 s11.2: no permission: dropped");
    (void)turn_fake_permit(&fake, &peer);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 0, false), 0,
               "RFC 8656 s11.2: DATA may be empty");
    TAP_EQ_INT(fake.out.data_len, 0, "zero bytes to send");
    TAP_CHECK(fake.out.relay != NULL, "but a datagram all the same");
    send_without(STUN_ATTR_XOR_PEER_ADDRESS);
    TAP_CHECK(fake.rc == TURN_DROP_INVALID && fake.out.relay == NULL,
              "RFC 8656 s11.2: no DATA: dropped");
    send_without(STUN_ATTR_DATA);
    TAP_CHECK(fake.rc == TURN_DROP_INVALID && fake.out.relay == NULL,
              "RFC 8656 s11.2: no XOR-PEER-ADDRESS: dropped");
    TAP_EQ_INT(fake.out.reply_len, 0, "and never answered");
    turn_fake_teardown(&fake);
}

static void test_no_refresh(void)
{
    struct addr peer;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_permit(&fake, &peer);
    turn_fake_advance_s(&fake, 200);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 4, false), 0, "sent at 200 s");
    turn_fake_advance_s(&fake, 100);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 4, false), TURN_DROP_NO_PERMISSION,
               "RFC 8656 s11.2: a Send indication never refreshes the permission");
    turn_fake_teardown(&fake);
}

static void test_policy_reload(void)
{
    struct addr peer;
    struct turn_worker_config cfg;
    static struct turn_options stricter;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_permit(&fake, &peer);
    stricter = fake.opts;
    stricter.peer_allow_count = 0;
    cfg = fake.cfg;
    cfg.turn = &stricter;
    turn_worker_set_config(fake.w, &cfg);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 4, false), TURN_DROP_POLICY,
               "RFC 8656 s11.2: a peer the policy now denies is dropped");
    TAP_EQ_INT(turn_worker_counters(fake.w)->peer_denied, 1, "peer_denied counted");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "the allocation survives the reload");
    turn_fake_teardown(&fake);
}

static void test_bandwidth(void)
{
    struct addr peer;
    struct turn_fake_peer_msg pm;
    size_t sent = 0;
    int rc = 0;

    turn_fake_init(&fake);
    fake.opts.bandwidth_bps = (uint64_t)8 * 65536; /* 64 KiB/s, burst 64 KiB */
    turn_fake_start(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_permit(&fake, &peer);
    while (sent < 70000 && (rc = turn_fake_send_indication(&fake, &peer, big, 1000, false)) == 0) {
        sent += 1000;
    }
    TAP_EQ_INT(rc, TURN_DROP_BANDWIDTH, "over the bandwidth cap Send is dropped");
    TAP_EQ_INT(sent, 65000, "after one burst of 64 KiB");
    TAP_EQ_INT(turn_worker_counters(fake.w)->bandwidth_dropped, 1, "bandwidth_dropped counted");
    TAP_EQ_INT(turn_fake_from_peer(&fake, turn_fake_relay(&fake, 0), &peer, big, 1000, &pm), 0,
               "the other direction has its own bucket");
    turn_fake_advance(&fake, 1000);
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, big, 1000, false), 0,
               "a second later it flows again");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_send();
    test_no_refresh();
    test_policy_reload();
    test_bandwidth();
    return tap_done();
}
