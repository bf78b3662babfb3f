/* The CreatePermission method (RFC 8656 sections 9 and 10.2). */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "tap.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;
static const uint8_t payload[4] = {1, 2, 3, 4};

/* Several XOR-PEER-ADDRESS. */
struct peers {
    struct addr a[4];
    size_t n;
};

static void attrs_peers(struct stun_builder *b, const void *ctx)
{
    const struct peers *p = ctx;

    for (size_t i = 0; i < p->n; i++) {
        stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, &p->a[i]);
    }
}

static int permit_many(const char *a, const char *b, const char *c)
{
    struct peers p;
    const char *texts[3] = {a, b, c};

    p.n = 0;
    for (size_t i = 0; i < 3; i++) {
        if (texts[i] != NULL) {
            turn_fake_addr(&p.a[p.n++], texts[i]);
        }
    }
    return turn_fake_call(&fake, STUN_METHOD_CREATE_PERMISSION, attrs_peers, &p);
}

/* True when data from peer (text) on the newest relay reaches the client. */
static bool reaches(const char *peer_text)
{
    struct turn_fake_peer_msg pm;
    struct addr peer;

    turn_fake_addr(&peer, peer_text);
    return turn_fake_from_peer(&fake, turn_fake_relay(&fake, 0), &peer, payload, 4, &pm) == 0;
}

static void test_install(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_CHECK(!reaches("198.51.100.7:1"), "RFC 8656 s9: without permission nothing reaches");
    TAP_EQ_INT(permit_many("198.51.100.7:4000", NULL, NULL), 0,
               "RFC 8656 s10.2: CreatePermission succeeds");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "signed");
    TAP_EQ_INT(fake.resp.attr_count, 3, "no attributes but SOFTWARE, integrity, FINGERPRINT");
    TAP_CHECK(reaches("198.51.100.7:1"), "RFC 8656 s9: any port of the IP reaches");
    TAP_CHECK(!reaches("198.51.100.8:4000"), "another IP does not");
    TAP_EQ_INT(permit_many("198.51.100.8:1", "198.51.100.9:2", NULL), 0,
               "RFC 8656 s10.2: several XOR-PEER-ADDRESS in one request");
    TAP_CHECK(reaches("198.51.100.8:7") && reaches("198.51.100.9:7"), "all are installed");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_CREATE_PERMISSION, NULL, NULL), 400,
               "RFC 8656 s10.2: no XOR-PEER-ADDRESS is 400");
    turn_fake_teardown(&fake);
}

static void test_refusals(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(permit_many("10.0.0.1:1", NULL, NULL), 403,
               "RFC 8656 s10.2: a peer denied by policy is 403");
    TAP_EQ_INT(turn_worker_counters(fake.w)->peer_denied, 1, "peer_denied counted");
    TAP_EQ_INT(permit_many("198.51.100.7:1", "127.0.0.1:1", NULL), 403,
               "one denied peer refuses the whole request");
    TAP_CHECK(!reaches("198.51.100.7:1"), "all or nothing: the allowed peer got no permission");
    TAP_EQ_INT(permit_many("[2001:db8:5::1]:1", NULL, NULL), 443,
               "RFC 8656 s10.2: an IPv6 peer on an IPv4 allocation is 443");
    TAP_EQ_INT(permit_many("192.0.2.1:9", NULL, NULL), 403, "the server's own address is 403");
    turn_fake_teardown(&fake);
}

static void test_limit(void)
{
    turn_fake_init(&fake);
    fake.opts.max_permissions = 2;
    turn_fake_start(&fake);
    (void)turn_fake_allocate(&fake);
    TAP_EQ_INT(permit_many("198.51.100.1:1", "198.51.100.1:2", NULL), 0,
               "one IP listed twice counts once");
    TAP_EQ_INT(permit_many("198.51.100.2:1", NULL, NULL), 0, "the second permission");
    TAP_EQ_INT(permit_many("198.51.100.3:1", NULL, NULL), 508,
               "RFC 8656 s10.2: past max_permissions is 508 (capacity limit)");
    TAP_CHECK(!reaches("198.51.100.3:1"), "nothing installed");
    TAP_EQ_INT(permit_many("198.51.100.2:5", NULL, NULL), 0, "refreshing an existing one is fine");
    turn_fake_advance_s(&fake, 300);
    TAP_EQ_INT(permit_many("198.51.100.3:1", NULL, NULL), 0,
               "expired permissions free their place");
    turn_fake_teardown(&fake);
}

static void test_lifetime(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    (void)turn_fake_refresh(&fake, 3600);
    (void)permit_many("198.51.100.7:1", NULL, NULL);
    turn_fake_advance_s(&fake, 299);
    TAP_CHECK(reaches("198.51.100.7:1"), "RFC 8656 s9: alive at 299 s");
    turn_fake_advance(&fake, 1000);
    TAP_CHECK(!reaches("198.51.100.7:1"), "RFC 8656 s9: expired at 300 s");
    TAP_EQ_INT(permit_many("198.51.100.7:1", NULL, NULL), 0, "reinstalled");
    turn_fake_advance_s(&fake, 200);
    TAP_EQ_INT(permit_many("198.51.100.7:1", NULL, NULL), 0, "refreshed at 200 s");
    turn_fake_advance_s(&fake, 250);
    TAP_CHECK(reaches("198.51.100.7:1"), "RFC 8656 s9: a refresh resets the 300 s");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_install();
    test_refusals();
    test_limit();
    test_lifetime();
    return tap_done();
}
