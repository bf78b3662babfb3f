/* The request context: response endings, limits, families. */
#include "stun/stun_attr.h"
#include "tap.h"
#include "turn/turn_request.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;

static void test_helpers(void)
{
    bool present = true;

    TAP_EQ_INT(turn_request_limit(0), TURN_REQUEST_HARD_LIMIT, "0 (unlimited) has a ceiling");
    TAP_EQ_INT(turn_request_limit(10), 10, "a configured limit is kept");
    TAP_EQ_INT(turn_request_limit(1000000), TURN_REQUEST_HARD_LIMIT, "and capped");
    TAP_CHECK(turn_request_optional(0, &present) == 0 && present, "found: present");
    TAP_CHECK(turn_request_optional(STUN_ERR_NOT_FOUND, &present) == 0 && !present,
              "not found: absent");
    TAP_EQ_INT(turn_request_optional(STUN_ERR_ATTR_INVALID, &present), -1, "malformed: -1");
    TAP_EQ_INT(turn_request_family(STUN_FAMILY_IPV4), AF_INET, "0x01 is IPv4");
    TAP_EQ_INT(turn_request_family(STUN_FAMILY_IPV6), AF_INET6, "0x02 is IPv6");
    TAP_EQ_INT(turn_request_family(3), 0, "0x03 is nothing");
    TAP_EQ_INT(turn_request_stun_family(AF_INET6), STUN_FAMILY_IPV6, "AF_INET6 is 0x02");
    TAP_EQ_INT(turn_request_stun_family(AF_INET), STUN_FAMILY_IPV4, "AF_INET is 0x01");
    TAP_CHECK(turn_request_is_stream(TURN_TRANSPORT_TCP) &&
                  turn_request_is_stream(TURN_TRANSPORT_TLS),
              "TCP and TLS are streams");
    TAP_CHECK(!turn_request_is_stream(TURN_TRANSPORT_UDP) &&
                  !turn_request_is_stream(TURN_TRANSPORT_DTLS),
              "UDP and DTLS are datagrams");
}

static void test_finish(void)
{
    struct turn_request req;
    struct stun_msg msg;
    struct stun_builder b;
    struct turn_packet_info info;

    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false);
    (void)stun_msg_decode(&msg, fake.req, fake.req_len);
    info = turn_fake_info(&fake);
    turn_request_init(&req, fake.w, &info, &msg, &fake.out);
    turn_request_begin(&req, &b, STUN_CLASS_SUCCESS);
    TAP_EQ_INT(turn_request_finish(&req, &b), 0, "an unauthenticated answer");
    TAP_EQ_INT(stun_msg_decode(&fake.resp, fake.reply, fake.out.reply_len), (int)fake.out.reply_len,
               "decodes");
    TAP_EQ_INT(fake.resp.attr_count, 1, "FINGERPRINT only");
    req.authenticated = true;
    req.key = fake.key;
    req.sha256 = false;
    turn_request_begin(&req, &b, STUN_CLASS_SUCCESS);
    TAP_EQ_INT(turn_request_finish(&req, &b), 0, "an authenticated answer");
    (void)stun_msg_decode(&fake.resp, fake.reply, fake.out.reply_len);
    fake.has_resp = true;
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_SOFTWARE) != NULL, "SOFTWARE");
    TAP_CHECK(fake.resp.integrity_idx >= 0 && turn_fake_reply_verifies(&fake),
              "MESSAGE-INTEGRITY under the key");
    TAP_CHECK(fake.resp.fingerprint_idx >= 0, "then FINGERPRINT");
    fake.out.reply_cap = 30;
    turn_request_begin(&req, &b, STUN_CLASS_SUCCESS);
    TAP_EQ_INT(turn_request_finish(&req, &b), -1, "too small a buffer fails");
    TAP_EQ_INT(fake.out.reply_len, 0, "and sends nothing");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_helpers();
    test_finish();
    return tap_done();
}
