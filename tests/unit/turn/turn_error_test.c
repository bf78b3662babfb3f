/* The one table of failures and their STUN codes, and the error responses built from it. */
#include "stun/stun_attr.h"
#include "stun/stun_error.h"
#include "tap.h"
#include "turn/turn_error.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;

static void test_table(void)
{
    static const struct {
        enum turn_fail f;
        int code;
    } rows[] = {
        {TURN_FAIL_BAD_REQUEST, 400},
        {TURN_FAIL_UNAUTHENTICATED, 401},
        {TURN_FAIL_FORBIDDEN, 403},
        {TURN_FAIL_UNKNOWN_ATTRIBUTE, 420},
        {TURN_FAIL_ALLOCATION_MISMATCH, 437},
        {TURN_FAIL_STALE_NONCE, 438},
        {TURN_FAIL_FAMILY_NOT_SUPPORTED, 440},
        {TURN_FAIL_WRONG_CREDENTIALS, 441},
        {TURN_FAIL_UNSUPPORTED_TRANSPORT, 442},
        {TURN_FAIL_PEER_FAMILY_MISMATCH, 443},
        {TURN_FAIL_QUOTA, 486},
        {TURN_FAIL_SERVER_ERROR, 500},
        {TURN_FAIL_CAPACITY, 508},
        {TURN_FAIL_TRY_ALTERNATE, 300},
        {TURN_FAIL_DRAINING, 508},
    };

    TAP_EQ_INT(sizeof(rows) / sizeof(rows[0]), TURN_FAIL_COUNT - 1, "every failure is listed");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        TAP_EQ_INT(turn_error_code(rows[i].f), rows[i].code, "%s is %d", turn_error_name(rows[i].f),
                   rows[i].code);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(turn_error_name(rows[i].f), turn_error_name(rows[j].f)) == 0) {
                TAP_CHECK(false, "names are distinct");
            }
        }
    }
    TAP_EQ_INT(turn_error_code(TURN_OK), 0, "TURN_OK has no code");
    TAP_EQ_INT(turn_error_code((enum turn_fail)99), 0, "out of range has no code");
    TAP_EQ_INT(turn_error_from_io(TURN_IO_ERR_FAMILY), TURN_FAIL_FAMILY_NOT_SUPPORTED,
               "no relay address of the family: 440");
    TAP_EQ_INT(turn_error_from_io(TURN_IO_ERR_NO_PORT), TURN_FAIL_CAPACITY, "no port: 508");
    TAP_EQ_INT(turn_error_from_io(TURN_IO_ERR_TOKEN), TURN_FAIL_CAPACITY,
               "RFC 8656 s7.2: a bad token: 508");
    TAP_EQ_INT(turn_error_from_io(TURN_IO_ERR_SOCKET), TURN_FAIL_CAPACITY, "socket: 508");
    TAP_EQ_INT(turn_error_from_code(486), TURN_FAIL_QUOTA, "quota 486");
    TAP_EQ_INT(turn_error_from_code(508), TURN_FAIL_CAPACITY, "quota 508");
    TAP_EQ_INT(turn_error_from_code(499), TURN_FAIL_CAPACITY, "another code is taken as 508");
}

static void test_reply(void)
{
    struct turn_request req;
    struct stun_msg msg;
    struct turn_packet_info info;
    struct stun_error_value ev;

    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_REFRESH, NULL, NULL, false);
    TAP_EQ_INT(stun_msg_decode(&msg, fake.req, fake.req_len), (int)fake.req_len, "a request");
    info = turn_fake_info(&fake);
    turn_request_init(&req, fake.w, &info, &msg, &fake.out);
    turn_error_reply(&req, TURN_FAIL_STALE_NONCE);
    TAP_EQ_INT(stun_msg_decode(&fake.resp, fake.reply, fake.out.reply_len), (int)fake.out.reply_len,
               "the 438 decodes");
    TAP_CHECK(stun_attr_get_error(&fake.resp, STUN_ATTR_ERROR_CODE, &ev) == 0 && ev.code == 438,
              "ERROR-CODE 438");
    TAP_EQ_INT(ev.reason_len, 0, "a challenge has an empty reason phrase (no amplification)");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_REALM) != NULL &&
                  stun_msg_find(&fake.resp, STUN_ATTR_NONCE) != NULL &&
                  stun_msg_find(&fake.resp, STUN_ATTR_PASSWORD_ALGORITHMS) != NULL,
              "RFC 8489 s9.2.4: the 438 carries NONCE, REALM and PASSWORD-ALGORITHMS");
    TAP_CHECK(memcmp(fake.resp.txid, msg.txid, STUN_TXID_LEN) == 0, "the request's txid");
    TAP_CHECK(fake.resp.method == STUN_METHOD_REFRESH && fake.resp.cls == STUN_CLASS_ERROR,
              "a Refresh error response");
    turn_error_reply(&req, TURN_FAIL_FORBIDDEN);
    TAP_EQ_INT(stun_msg_decode(&fake.resp, fake.reply, fake.out.reply_len), (int)fake.out.reply_len,
               "the 403 decodes");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_NONCE) == NULL, "a 403 has no challenge");
    TAP_CHECK(stun_attr_get_error(&fake.resp, STUN_ATTR_ERROR_CODE, &ev) == 0 &&
                  ev.reason_len == strlen("Forbidden") &&
                  memcmp(ev.reason, "Forbidden", ev.reason_len) == 0,
              "other errors carry their reason phrase");
    TAP_CHECK(fake.resp.integrity_idx < 0, "nor integrity when unauthenticated");
    fake.out.reply_cap = 24;
    turn_error_reply(&req, TURN_FAIL_FORBIDDEN);
    TAP_EQ_INT(fake.out.reply_len, 0, "an answer that does not fit is not sent");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_table();
    test_reply();
    return tap_done();
}
