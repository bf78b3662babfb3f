/* The Allocate method (RFC 8656 section 7.2) through the worker, with fake I/O. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_error.h"
#include "tap.h"
#include "turn/turn_error.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;

/* Collects the XOR-RELAYED-ADDRESS attributes of the reply. Returns how many. */
static size_t relayed_addrs(const struct turn_fake *f, struct addr *out, size_t cap)
{
    size_t n = 0;

    memset(out, 0, cap * sizeof(out[0]));
    for (size_t i = 0; f->has_resp && i < f->resp.attr_count; i++) {
        if (f->resp.attrs[i].type == STUN_ATTR_XOR_RELAYED_ADDRESS && n < cap &&
            stun_attr_decode_addr(&f->resp, &f->resp.attrs[i], &out[n]) == 0) {
            n++;
        }
    }
    return n;
}

/* Attributes of an Allocate, each optional. */
struct alloc_ask {
    int transport; /* -1: absent */
    long long lifetime;
    int family;
    int additional;
    int even_port; /* -1 absent, else the byte */
    unsigned long long token;
    bool dont_fragment;
};

static struct alloc_ask ask_default(void)
{
    struct alloc_ask a = {STUN_TRANSPORT_UDP, -1, -1, -1, -1, 0, false};

    return a;
}

static void attrs_ask(struct stun_builder *b, const void *ctx)
{
    const struct alloc_ask *a = ctx;

    if (a->transport >= 0) {
        stun_build_u8(b, STUN_ATTR_REQUESTED_TRANSPORT, (uint8_t)a->transport);
    }
    if (a->lifetime >= 0) {
        stun_build_u32(b, STUN_ATTR_LIFETIME, (uint32_t)a->lifetime);
    }
    if (a->family >= 0) {
        stun_build_u8(b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, (uint8_t)a->family);
    }
    if (a->additional >= 0) {
        stun_build_u8(b, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, (uint8_t)a->additional);
    }
    if (a->even_port >= 0) {
        stun_build_u8(b, STUN_ATTR_EVEN_PORT, (uint8_t)a->even_port);
    }
    if (a->token != 0) {
        stun_build_u64(b, STUN_ATTR_RESERVATION_TOKEN, a->token);
    }
    if (a->dont_fragment) {
        stun_build_raw(b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    }
}

static int allocate_with(struct alloc_ask a)
{
    return turn_fake_call(&fake, STUN_METHOD_ALLOCATE, attrs_ask, &a);
}

static void test_challenge(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 401,
               "RFC 8656 s7.2 / RFC 8489 s9.2.4: unsigned Allocate is 401");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_REALM) != NULL, "401 carries REALM");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_NONCE) != NULL, "401 carries NONCE");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_PASSWORD_ALGORITHMS) != NULL,
              "401 carries PASSWORD-ALGORITHMS");
    TAP_CHECK(fake.resp.integrity_idx < 0 && fake.resp.integrity_sha256_idx < 0,
              "401 carries no integrity");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "a challenge allocates nothing");
    TAP_EQ_INT(fake.quota_calls, 0, "a challenge asks no quota");
    turn_fake_teardown(&fake);
}

static void test_success(void)
{
    struct addr relayed[2];
    struct addr mapped;
    struct addr want;

    turn_fake_setup(&fake);
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "RFC 8656 s7.2: authenticated Allocate succeeds");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the success is signed with the client's key");
    TAP_CHECK(fake.resp.integrity_sha256_idx >= 0,
              "RFC 8489 s9.2.4: MESSAGE-INTEGRITY-SHA256 answers MESSAGE-INTEGRITY-SHA256");
    TAP_CHECK(fake.resp.fingerprint_idx >= 0, "FINGERPRINT answers FINGERPRINT");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_SOFTWARE) != NULL, "SOFTWARE is sent");
    TAP_EQ_INT(relayed_addrs(&fake, relayed, 2), 1, "one XOR-RELAYED-ADDRESS");
    turn_fake_addr(&want, "203.0.113.1:49152");
    TAP_CHECK(addr_equal(&relayed[0], &want), "XOR-RELAYED-ADDRESS is the advertised address");
    TAP_EQ_INT(stun_attr_get_addr(&fake.resp, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), 0,
               "XOR-MAPPED-ADDRESS present");
    TAP_CHECK(addr_equal(&mapped, &fake.client), "XOR-MAPPED-ADDRESS is the client's address");
    TAP_EQ_INT(turn_fake_lifetime(&fake), 600, "no LIFETIME: the default 600 s");
    TAP_EQ_INT(fake.last_req.family, AF_INET, "RFC 8656 s7.2: no family asked is IPv4");
    TAP_CHECK(addr_equal(&fake.last_req.local, &fake.local), "relay_request.local is info->local");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "one allocation");
    TAP_EQ_INT(fake.quota_live, 1, "the quota is held");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_created, 1, "allocations_created");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_active, 1, "allocations_active");
    turn_fake_teardown(&fake);
}

static void test_retransmit(void)
{
    uint8_t first[TURN_FAKE_BUF];
    size_t first_len;

    turn_fake_setup(&fake);
    (void)turn_fake_allocate(&fake);
    first_len = fake.out.reply_len;
    memcpy(first, fake.reply, first_len);
    TAP_EQ_INT(turn_fake_resend(&fake), 0,
               "RFC 8656 s7.2: a retransmitted Allocate gets the original success, not 437");
    TAP_EQ_INT(fake.out.reply_len, first_len, "the same length");
    TAP_EQ_MEM(fake.reply, first, first_len, "the same bytes");
    TAP_EQ_INT(fake.opens, 1, "no second relay");
    TAP_EQ_INT(allocate_with(ask_default()), 437,
               "RFC 8656 s7.2: a new Allocate on an allocated 5-tuple is 437");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the 437 after authentication is signed");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 1, "still one allocation");
    fake.client.port++;
    TAP_EQ_INT(allocate_with(ask_default()), 0, "another 5-tuple allocates");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 2, "two allocations");
    turn_fake_teardown(&fake);
}

static void test_transport(void)
{
    struct alloc_ask a = ask_default();

    turn_fake_setup(&fake);
    a.transport = -1;
    TAP_EQ_INT(allocate_with(a), 400, "RFC 8656 s7.2: no REQUESTED-TRANSPORT is 400");
    a.transport = STUN_TRANSPORT_TCP;
    TAP_EQ_INT(allocate_with(a), 442, "RFC 8656 s7.2: REQUESTED-TRANSPORT TCP is 442");
    TAP_EQ_INT(fake.quota_calls, 0, "refused before the quota is asked");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_refused, 2, "allocations_refused");
    turn_fake_teardown(&fake);
}

static void test_lifetime(void)
{
    static const struct {
        long long asked;
        long long granted;
        const char *why;
    } cases[] = {
        {10, 600, "RFC 8656 s7.2: a LIFETIME below the default gets the default"},
        {1200, 1200, "RFC 8656 s7.2: a LIFETIME between default and max is granted"},
        {100000, 3600, "RFC 8656 s7.2: a LIFETIME above the max gets the max"},
        {0, 600, "an Allocate LIFETIME 0 gets the default"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct alloc_ask a = ask_default();

        turn_fake_setup(&fake);
        a.lifetime = cases[i].asked;
        TAP_EQ_INT(allocate_with(a), 0, "Allocate with LIFETIME %lld", cases[i].asked);
        TAP_EQ_INT(turn_fake_lifetime(&fake), cases[i].granted, "%s", cases[i].why);
        turn_fake_teardown(&fake);
    }
}

static void test_family(void)
{
    struct alloc_ask a = ask_default();
    struct addr relayed[2];
    struct addr want;

    turn_fake_setup(&fake);
    a.family = STUN_FAMILY_IPV6;
    TAP_EQ_INT(allocate_with(a), 0, "REQUESTED-ADDRESS-FAMILY IPv6 succeeds");
    TAP_EQ_INT(relayed_addrs(&fake, relayed, 2), 1, "one relay");
    turn_fake_addr(&want, "[2001:db8::1]:49152");
    TAP_CHECK(addr_equal(&relayed[0], &want), "the relay is IPv6");
    fake.client.port++;
    a.family = 0x03;
    TAP_EQ_INT(allocate_with(a), 440, "RFC 8656 s7.2: an unknown REQUESTED-ADDRESS-FAMILY is 440");
    a.family = STUN_FAMILY_IPV4;
    a.additional = STUN_FAMILY_IPV6;
    TAP_EQ_INT(allocate_with(a), 400,
               "RFC 8656 s7.2: REQUESTED- with ADDITIONAL-ADDRESS-FAMILY is 400");
    a.family = -1;
    a.additional = STUN_FAMILY_IPV4;
    TAP_EQ_INT(allocate_with(a), 400, "RFC 8656 s7.2: ADDITIONAL-ADDRESS-FAMILY IPv4 is 400");
    fake.fail_v4 = TURN_IO_ERR_FAMILY;
    a = ask_default();
    TAP_EQ_INT(allocate_with(a), 440, "RFC 8656 s7.2: no IPv4 relay address is 440");
    TAP_EQ_INT(fake.quota_live, 1, "the quota of the failed Allocate is released");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 1, "only the first allocation's relay is open");
    turn_fake_teardown(&fake);
}

static void test_dual_stack(void)
{
    struct alloc_ask a = ask_default();
    struct addr relayed[2];
    struct stun_error_value ev;

    memset(&ev, 0, sizeof(ev));
    turn_fake_setup(&fake);
    a.additional = STUN_FAMILY_IPV6;
    TAP_EQ_INT(allocate_with(a), 0, "RFC 8656 s7.2: ADDITIONAL-ADDRESS-FAMILY IPv6 succeeds");
    TAP_EQ_INT(relayed_addrs(&fake, relayed, 2), 2, "two XOR-RELAYED-ADDRESS");
    TAP_CHECK(relayed[0].family == AF_INET && relayed[1].family == AF_INET6,
              "an IPv4 and an IPv6 relay");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_ADDRESS_ERROR_CODE) == NULL,
              "no ADDRESS-ERROR-CODE when both were had");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 2, "two relays open");

    fake.client.port++;
    fake.fail_v6 = TURN_IO_ERR_FAMILY;
    TAP_EQ_INT(allocate_with(a), 0, "RFC 8656 s7.2: a partial dual allocation succeeds");
    TAP_EQ_INT(relayed_addrs(&fake, relayed, 2), 1, "with one relay");
    TAP_EQ_INT(stun_attr_get_error(&fake.resp, STUN_ATTR_ADDRESS_ERROR_CODE, &ev), 0,
               "RFC 8656 s7.2: ADDRESS-ERROR-CODE tells the missing family");
    TAP_EQ_INT(ev.family, STUN_FAMILY_IPV6, "for IPv6");
    TAP_EQ_INT(ev.code, 440, "no IPv6 address: 440");

    fake.client.port++;
    fake.fail_v6 = 0;
    fake.fail_v4 = TURN_IO_ERR_NO_PORT;
    TAP_EQ_INT(allocate_with(a), 0, "an IPv6-only dual allocation succeeds");
    TAP_EQ_INT(relayed_addrs(&fake, relayed, 2), 1, "with one relay");
    TAP_CHECK(relayed[0].family == AF_INET6, "the IPv6 one");
    TAP_EQ_INT(stun_attr_get_error(&fake.resp, STUN_ATTR_ADDRESS_ERROR_CODE, &ev), 0,
               "ADDRESS-ERROR-CODE present");
    TAP_CHECK(ev.family == STUN_FAMILY_IPV4 && ev.code == 508, "IPv4 out of ports: 508");

    fake.client.port++;
    fake.fail_v6 = TURN_IO_ERR_FAMILY;
    int quota_before = fake.quota_live;
    TAP_EQ_INT(allocate_with(a), 508, "RFC 8656 s7.2: a dual allocation with neither is 508");
    TAP_EQ_INT(fake.quota_live, quota_before, "its quota is released");
    turn_fake_teardown(&fake);
}

static void test_even_port(void)
{
    struct alloc_ask a = ask_default();
    uint64_t token = 0;

    turn_fake_setup(&fake);
    a.even_port = STUN_EVEN_PORT_RESERVE;
    TAP_EQ_INT(allocate_with(a), 0, "EVEN-PORT with R succeeds");
    TAP_CHECK(fake.last_req.even_port && fake.last_req.reserve_next,
              "relay_request asks an even port and the next one reserved");
    TAP_EQ_INT(stun_attr_get_u64(&fake.resp, STUN_ATTR_RESERVATION_TOKEN, &token), 0,
               "RFC 8656 s7.2: RESERVATION-TOKEN in the success");
    TAP_CHECK(token != 0 && token == fake.reserved_token, "the token net gave");

    fake.client.port++;
    a = ask_default();
    a.token = token;
    TAP_EQ_INT(allocate_with(a), 0, "RESERVATION-TOKEN claims the reservation");
    TAP_CHECK(fake.last_req.token == token, "relay_request carries the token");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_RESERVATION_TOKEN) == NULL,
              "no token returned when none was reserved");

    fake.client.port++;
    a.token = token + 99;
    TAP_EQ_INT(allocate_with(a), 508, "RFC 8656 s7.2: an unknown RESERVATION-TOKEN is 508");

    a.even_port = 0;
    TAP_EQ_INT(allocate_with(a), 400, "RFC 8656 s7.2: RESERVATION-TOKEN with EVEN-PORT is 400");
    a.even_port = -1;
    a.family = STUN_FAMILY_IPV4;
    TAP_EQ_INT(allocate_with(a), 400,
               "RFC 8656 s7.2: RESERVATION-TOKEN with REQUESTED-ADDRESS-FAMILY is 400");
    a = ask_default();
    a.even_port = STUN_EVEN_PORT_RESERVE;
    a.additional = STUN_FAMILY_IPV6;
    TAP_EQ_INT(allocate_with(a), 400,
               "RFC 8656 s7.2: EVEN-PORT R with ADDITIONAL-ADDRESS-FAMILY is 400");
    a.even_port = 0;
    TAP_EQ_INT(allocate_with(a), 0, "EVEN-PORT without R and a dual allocation is fine");
    turn_fake_teardown(&fake);
}

static void test_dont_fragment(void)
{
    struct alloc_ask a = ask_default();

    turn_fake_setup(&fake);
    a.dont_fragment = true;
    TAP_EQ_INT(allocate_with(a), 0, "RFC 8656 s7.2: DONT-FRAGMENT is supported");
    TAP_CHECK(fake.last_req.dont_fragment, "relay_request.dont_fragment is set");
    fake.client.port++;
    TAP_EQ_INT(allocate_with(ask_default()), 0, "Allocate without DONT-FRAGMENT");
    TAP_CHECK(!fake.last_req.dont_fragment, "relay_request.dont_fragment is clear");
    turn_fake_teardown(&fake);
}

static void test_quota(void)
{
    static const int codes[] = {486, 508};

    for (size_t i = 0; i < 2; i++) {
        turn_fake_setup(&fake);
        fake.quota_refuse = codes[i];
        TAP_EQ_INT(turn_fake_allocate(&fake), codes[i], "RFC 8656 s7.2: quota refusal is %d",
                   codes[i]);
        TAP_EQ_INT(fake.open_calls, 0, "no relay is opened over the quota");
        TAP_EQ_INT(turn_worker_counters(fake.w)->quota_refused, 1, "quota_refused counted");
        TAP_CHECK(turn_fake_reply_verifies(&fake), "the refusal is signed");
        turn_fake_teardown(&fake);
    }
}

/* Draining: no new allocation (300 to an alternate of the client's family, else 508); the
 * live ones refresh. */
static void test_drain(void)
{
    struct addr alt;

    turn_fake_setup(&fake);
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "an allocation before the drain");
    fake.cfg.draining = true;
    turn_worker_set_config(fake.w, &fake.cfg);
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 0, "draining: the live allocation refreshes");
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 508, "RFC 8656 s7.2: draining with no alternate: 508");
    TAP_EQ_INT(fake.open_calls, 1, "no relay is opened while draining");
    TAP_EQ_INT(turn_worker_counters(fake.w)->allocations_refused_by[TURN_FAIL_DRAINING], 1,
               "counted as draining");
    turn_fake_addr(&fake.opts.alternate_servers[0], "[2001:db8::9]:3478");
    fake.opts.alternate_count = 1;
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 508, "an alternate of the other family is not offered");
    turn_fake_addr(&fake.opts.alternate_servers[1], "203.0.113.9:3479");
    fake.opts.alternate_count = 2;
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 300, "RFC 8489 s10: 300 Try Alternate");
    TAP_CHECK(stun_attr_get_addr(&fake.resp, STUN_ATTR_ALTERNATE_SERVER, &alt) == 0 &&
                  addr_equal(&alt, &fake.opts.alternate_servers[1]),
              "ALTERNATE-SERVER names the IPv4 alternate");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "RFC 8489 s10: the 300 is integrity-protected");
    fake.cfg.draining = false;
    turn_worker_set_config(fake.w, &fake.cfg);
    fake.client.port++;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "after the drain is called off, allocations resume");
    turn_fake_teardown(&fake);
}

static void test_relay_errors(void)
{
    static const struct {
        int err;
        int code;
    } cases[] = {
        {TURN_IO_ERR_NO_PORT, 508},
        {TURN_IO_ERR_FAMILY, 440},
        {TURN_IO_ERR_TOKEN, 508},
        {TURN_IO_ERR_SOCKET, 508},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        turn_fake_setup(&fake);
        fake.fail_v4 = cases[i].err;
        TAP_EQ_INT(turn_fake_allocate(&fake), cases[i].code, "relay_open error %d is %d",
                   cases[i].err, cases[i].code);
        TAP_EQ_INT(fake.quota_live, 0, "the quota is released");
        TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "nothing is allocated");
        turn_fake_teardown(&fake);
    }
}

static void test_credentials(void)
{
    turn_fake_setup(&fake);
    turn_fake_use_static(&fake, TURN_FAKE_USER, TURN_FAKE_PASSWORD, STUN_PASSWORD_ALG_MD5);
    fake.use_sha256 = false;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "an MD5 key with MESSAGE-INTEGRITY allocates");
    TAP_CHECK(fake.resp.integrity_idx >= 0 && fake.resp.integrity_sha256_idx < 0,
              "RFC 8489 s9.2.4: MESSAGE-INTEGRITY answers MESSAGE-INTEGRITY");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "and verifies under the MD5 key");

    fake.client.port++;
    turn_fake_use_rest(&fake, "carol", fake.now_s + 3600, STUN_PASSWORD_ALG_SHA256);
    fake.use_sha256 = true;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "a REST username allocates");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "signed with the REST key");

    fake.client.port++;
    turn_fake_use_rest(&fake, "carol", fake.now_s - 1, STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(turn_fake_allocate(&fake), 401, "an expired REST username is 401");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 2, "two allocations");
    turn_fake_teardown(&fake);
}

static void test_tcp_client(void)
{
    turn_fake_setup(&fake);
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "a UDP client allocates");
    fake.transport = TURN_TRANSPORT_TCP;
    fake.conn = &fake;
    fake.nonce[0] = '\0';
    TAP_EQ_INT(turn_fake_allocate(&fake), 0,
               "the same addresses over TCP are another 5-tuple and allocate too");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 2, "two allocations");
    turn_fake_teardown(&fake);
    TAP_EQ_INT(fake.quota_live, 0, "turn_worker_free releases every quota");
    TAP_EQ_INT(turn_fake_live_relays(&fake), 0, "turn_worker_free closes every relay");
}

int main(void)
{
    test_drain();
    test_challenge();
    test_success();
    test_retransmit();
    test_transport();
    test_lifetime();
    test_family();
    test_dual_stack();
    test_even_port();
    test_dont_fragment();
    test_quota();
    test_relay_errors();
    test_credentials();
    test_tcp_client();
    return tap_done();
}
