/* The worker: expiry with the fake clock, connection close, free, counters, reload. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "tap.h"
#include "turn/turn_worker_state.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;
static const uint8_t payload[4] = {1, 2, 3, 4};

static struct turn_alloc *the_alloc(void)
{
    return turn_table_find(&fake.w->table, &fake.client, &fake.local, fake.transport);
}

static void test_alloc_expiry(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    turn_fake_advance(&fake, 599999);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "RFC 8656 s7.2: alive just before 600 s");
    turn_fake_advance(&fake, 1);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "expired at its lifetime");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_expired, 1, "allocations_expired");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_active, 0, "allocations_active");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 0, "its relay is closed");
    TAP_EQ_INT(fake.quota_live, 0, "its quota is released");
    turn_fake_teardown(&fake);

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    turn_fake_advance_s(&fake, 600);
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 437,
               "an allocation past its lifetime is gone before the sweep runs");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 0, "and its relay closed");
    turn_fake_teardown(&fake);
}

static void test_sweep(void)
{
    struct addr peer;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_refresh(&fake, 3600);
    (void)turn_fake_bind(&fake, 0x4000, &peer);
    TAP_EQ_INT(the_alloc()->perms.count, 1, "one permission");
    TAP_EQ_INT(the_alloc()->channels.count, 1, "one channel");
    turn_fake_advance_s(&fake, 299);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(the_alloc()->perms.count, 1, "RFC 8656 s9: the permission lives at 299 s");
    turn_fake_advance(&fake, 1000);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(the_alloc()->perms.count, 0, "RFC 8656 s9: the sweep drops it at 300 s");
    TAP_EQ_INT(the_alloc()->channels.count, 1, "the channel remains");
    turn_fake_advance_s(&fake, 300);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 4), TURN_DROP_NO_CHANNEL,
               "RFC 8656 s12: the channel is unbound at 600 s");
    TAP_EQ_INT(the_alloc()->channels.count, 1, "but kept while cooling");
    turn_fake_advance_s(&fake, 300);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(the_alloc()->channels.count, 0, "forgotten 5 minutes after expiry");
    turn_fake_teardown(&fake);
}

static void test_conn_closed(void)
{
    static int tcp_conn;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    fake.transport = TURN_TRANSPORT_TCP;
    fake.conn = &tcp_conn;
    fake.client.port++;
    (void)turn_fake_allocate(&fake);
    fake.client.port++;
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 3, "one UDP and two TCP allocations");
    turn_worker_conn_closed(fake.w, &tcp_conn);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "closing the connection ends its allocations");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 1, "their relays are closed");
    TAP_EQ_INT(fake.quota_live, 1, "their quota released");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_deleted, 2, "allocations_deleted");
    turn_worker_conn_closed(fake.w, &fake.local);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1,
               "a UDP listener handle is not a connection: nothing ends");
    turn_fake_teardown(&fake);
}

static void attrs_dual(struct stun_builder *b, const void *ctx)
{
    (void)ctx;
    stun_build_u8(b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
    stun_build_u8(b, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, STUN_FAMILY_IPV6);
}

static void test_free(void)
{
    turn_fake_setup(&fake);
    for (int i = 0; i < 100; i++) {
        fake.client.port = (uint16_t)(40000 + i);
        if (i % 3 == 0) {
            (void)turn_fake_call(&fake, STUN_METHOD_ALLOCATE, attrs_dual, NULL);
        } else {
            (void)turn_fake_allocate(&fake);
        }
    }
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 100, "100 allocations (the table grew)");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 134, "134 relays (34 dual-stack allocations)");
    turn_fake_teardown(&fake);
    TAP_EQ_INT(turn_fake_live_relays(&fake), 0, "turn_worker_free closes every relay");
    TAP_EQ_INT(fake.quota_live, 0, "and releases every quota");
    turn_worker_free(NULL);
    TAP_CHECK(true, "turn_worker_free(NULL) is a no-op");
}

static void test_reload(void)
{
    struct turn_worker_config cfg;
    static struct turn_options longer;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    longer = fake.opts;
    longer.lifetime_default_s = 900;
    cfg = fake.cfg;
    cfg.turn = &longer;
    turn_worker_set_config(fake.w, &cfg);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "live allocations survive a reload");
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "a new allocation after the reload");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 900, "gets the new default lifetime");
    TAP_EQ_INT(turn_worker_counters(fake.w)->requests[STUN_METHOD_ALLOCATE][0], 2,
               "Allocate successes counted");
    TAP_EQ_INT(
        turn_worker_counters(fake.w)->requests[STUN_METHOD_ALLOCATE][1], 2,
        "Allocate errors counted (the 401 challenge, the 438 of a nonce bound to the old port)");
    turn_fake_teardown(&fake);
}

static void test_end_user_relay_list(void)
{
    struct turn_worker_top_entry list[8];
    struct addr relay;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    turn_fake_use_rest(&fake, "carol", fake.now_s + 3600, STUN_PASSWORD_ALG_SHA256);
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "a REST allocation of carol");
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "and a second one");
    TAP_EQ_INT(turn_worker_list(fake.w, list, 8), 3, "list: the three allocations");
    TAP_EQ_INT(turn_worker_list(fake.w, list, 2), 2, "list: at most n");
    TAP_EQ_INT(turn_worker_end_user(fake.w, "bob", TURN_USAGE_KILLED), 0,
               "end_user: nobody named bob");
    TAP_EQ_INT(turn_worker_end_user(fake.w, "arol", TURN_USAGE_REVOKED), 0,
               "end_user: a suffix of the user part is not the user");
    TAP_EQ_INT(turn_worker_end_user(fake.w, "carol", TURN_USAGE_REVOKED), 2,
               "end_user: the user part of <expiry>:carol matches both");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 1, "their relays are closed");
    TAP_EQ_INT(fake.quota_live, 1, "their quotas released");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_ended[TURN_USAGE_REVOKED], 2,
               "counted as revoked");
    TAP_EQ_INT(turn_worker_list(fake.w, list, 8), 1, "one allocation left");
    relay = list[0].relay;
    relay.port++;
    TAP_EQ_INT(turn_worker_end_relay(fake.w, &relay, TURN_USAGE_KILLED), 0,
               "end_relay: another port ends nothing");
    relay.port--;
    TAP_EQ_INT(turn_worker_end_relay(fake.w, &relay, TURN_USAGE_KILLED), 1,
               "end_relay: its relay address ends it");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "none left");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_ended[TURN_USAGE_KILLED], 1,
               "counted as killed");
    TAP_CHECK(strcmp(turn_usage_reason_name(TURN_USAGE_KILLED), "killed") == 0 &&
                  strcmp(turn_usage_reason_name(TURN_USAGE_REVOKED), "revoked") == 0,
              "reason names");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_end_user_relay_list();
    test_alloc_expiry();
    test_sweep();
    test_conn_closed();
    test_free();
    test_reload();
    return tap_done();
}
