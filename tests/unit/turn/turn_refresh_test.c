/* The Refresh method (RFC 8656 section 8.2). */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "tap.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;

static void attrs_family(struct stun_builder *b, const void *ctx)
{
    stun_build_u8(b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, *(const uint8_t *)ctx);
}

static void test_lifetimes(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_fake_refresh(&fake, 1200), 0, "RFC 8656 s8.2: Refresh succeeds");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 1200, "LIFETIME between default and max is granted");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the success is signed");
    TAP_EQ_INT(turn_fake_refresh(&fake, 5), 0, "a LIFETIME of 5 s");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 600, "RFC 8656 s8.2: below the default: the default");
    TAP_EQ_INT(turn_fake_refresh(&fake, 1000000), 0, "a huge LIFETIME");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 3600, "RFC 8656 s8.2: capped to the max");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_REFRESH, NULL, NULL), 0, "no LIFETIME");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 600, "RFC 8656 s8.2: no LIFETIME: the default");
    turn_fake_teardown(&fake);
}

static void test_extends(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    turn_fake_advance_s(&fake, 500);
    TAP_EQ_INT(turn_fake_refresh(&fake, 1200), 0, "refresh at 500 s for 1200 s");
    turn_fake_advance_s(&fake, 1199);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "alive 1199 s after the refresh");
    turn_fake_advance(&fake, 1000);
    turn_worker_expire(fake.w, fake.now_ms, fake.now_s);
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "gone 1200 s after it");
    turn_fake_teardown(&fake);
}

static void test_delete(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_fake_refresh(&fake, 0), 0, "RFC 8656 s8.2: LIFETIME 0 succeeds");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 0, "with LIFETIME 0");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "signed");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "and deletes the allocation");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 0, "its relay is closed");
    TAP_EQ_INT(fake.quota_live, 0, "its quota released");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_deleted, 1, "allocations_deleted");
    TAP_EQ_INT(turn_fake_resend(&fake), 437,
               "RFC 8656 s8.2 note: a retransmitted deletion gets 437 (taken as success, s8.3)");
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "the 5-tuple can allocate again");
    turn_fake_teardown(&fake);
}

static void test_retransmit(void)
{
    uint8_t first[TURN_FAKE_BUF];
    size_t len;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_refresh(&fake, 1200);
    len = fake.out.reply_len;
    memcpy(first, fake.reply, len);
    turn_fake_advance(&fake, 2000);
    TAP_EQ_INT(turn_fake_resend(&fake), 0, "a retransmitted Refresh succeeds");
    TAP_CHECK(fake.out.reply_len == len && memcmp(fake.reply, first, len) == 0,
              "with the same answer");
    turn_fake_teardown(&fake);
}

static void test_family(void)
{
    uint8_t v6 = STUN_FAMILY_IPV6;
    uint8_t v4 = STUN_FAMILY_IPV4;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_REFRESH, attrs_family, &v6), 443,
               "RFC 8656 s8.2: REQUESTED-ADDRESS-FAMILY not the allocation's is 443");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_REFRESH, attrs_family, &v4), 0,
               "the allocation's own family is fine");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_lifetimes();
    test_extends();
    test_delete();
    test_retransmit();
    test_family();
    return tap_done();
}
