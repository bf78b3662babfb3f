/* stun_msg.c: message type packing, header validation, the attribute walk and its rules. */
#include "stun/stun_attr.h"
#include "stun/stun_msg.h"
#include "tap.h"

#include <string.h>

/* A message written by hand, so that malformed ones can be made. */
struct test_msg {
    uint8_t buf[4096];
    size_t len;
};

static void test_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void test_msg_init(struct test_msg *m, unsigned type)
{
    static const uint8_t txid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    memset(m->buf, 0, sizeof(m->buf));
    test_put16(m->buf, type);
    m->buf[4] = 0x21;
    m->buf[5] = 0x12;
    m->buf[6] = 0xa4;
    m->buf[7] = 0x42;
    memcpy(m->buf + 8, txid, sizeof(txid));
    m->len = STUN_HEADER_LEN;
}

/* Appends an attribute with zero padding and keeps the header length current. */
static void test_msg_attr(struct test_msg *m, unsigned type, const void *value, size_t len)
{
    test_put16(m->buf + m->len, type);
    test_put16(m->buf + m->len + 2, (unsigned)len);
    if (len > 0) {
        memcpy(m->buf + m->len + 4, value, len);
    }
    m->len += 4 + ((len + 3) & ~(size_t)3);
    test_put16(m->buf + 2, (unsigned)(m->len - STUN_HEADER_LEN));
}

static void test_msg_u32(struct test_msg *m, unsigned type, uint32_t v)
{
    uint8_t value[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    test_msg_attr(m, type, value, sizeof(value));
}

static int test_decode(struct stun_msg *msg, const struct test_msg *m)
{
    return stun_msg_decode(msg, m->buf, m->len);
}

static void test_type_packing(void)
{
    int mismatches = 0;

    TAP_EQ_INT(stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_REQUEST), 0x0001, "Binding request");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_INDICATION), 0x0011,
               "Binding indication");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS), 0x0101, "Binding success");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_ERROR), 0x0111, "Binding error");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS), 0x0103, "Allocate success");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_SEND, STUN_CLASS_INDICATION), 0x0016, "Send indication");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION), 0x0017, "Data indication");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_CHANNEL_BIND, STUN_CLASS_ERROR), 0x0119,
               "ChannelBind error");
    TAP_EQ_INT(stun_msg_type(STUN_METHOD_CONNECTION_ATTEMPT, STUN_CLASS_INDICATION), 0x001c,
               "ConnectionAttempt indication");
    /* Figure 3: M0-M3, C0, M4-M6, C1, M7-M11. */
    TAP_EQ_INT(stun_msg_type(0x0FFF, 0), 0x3EEF, "all method bits land outside the class bits");
    TAP_EQ_INT(stun_msg_type(0, 3), 0x0110, "class bits are 4 and 8");
    for (unsigned method = 0; method <= 0x0FFF; method++) {
        for (unsigned cls = 0; cls < 4; cls++) {
            uint16_t type = stun_msg_type((uint16_t)method, (uint8_t)cls);

            if (stun_msg_type_method(type) != method || stun_msg_type_class(type) != cls ||
                (type & 0xC000u) != 0) {
                mismatches++;
            }
        }
    }
    TAP_EQ_INT(mismatches, 0, "every method and class round-trips through the type");
}

static void test_is_stun(void)
{
    struct test_msg m;

    test_msg_init(&m, 0x0001);
    TAP_CHECK(stun_msg_is_stun(m.buf, m.len), "a header is STUN");
    TAP_CHECK(stun_msg_is_stun(m.buf, 1), "one zero-led byte may be STUN");
    TAP_CHECK(!stun_msg_is_stun(m.buf, 0), "no bytes are not STUN");
    m.buf[7] ^= 1;
    TAP_CHECK(!stun_msg_is_stun(m.buf, m.len), "a wrong cookie is not STUN");
    m.buf[7] ^= 1;
    m.buf[0] = 0x40;
    TAP_CHECK(!stun_msg_is_stun(m.buf, m.len), "leading bits 01 are not STUN");
}

static void test_header_errors(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0001);
    TAP_EQ_INT(test_decode(&msg, &m), 20, "a bare header decodes");
    TAP_EQ_INT(msg.attr_count, 0, "with no attributes");
    TAP_EQ_INT(stun_msg_decode(&msg, m.buf, 19), STUN_ERR_TRUNCATED, "19 bytes are truncated");
    TAP_EQ_INT(stun_msg_decode(&msg, NULL, 0), STUN_ERR_TRUNCATED, "no buffer is truncated");
    m.buf[0] = 0x80;
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_NOT_STUN, "leading bit 1 is rejected");
    m.buf[0] = 0x40;
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_NOT_STUN, "leading bits 01 are rejected");
    m.buf[0] = 0x00;
    m.buf[4] = 0x20;
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_NOT_STUN, "a wrong cookie is rejected");
    m.buf[4] = 0x21;
    test_put16(m.buf + 2, 2);
    m.len = 22;
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_BAD_LENGTH, "length 2 is not a multiple of 4");
    test_put16(m.buf + 2, 8);
    m.len = 24;
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_TRUNCATED, "length past the datagram truncates");
    test_put16(m.buf + 2, 0);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_BAD_LENGTH, "bytes past the length are rejected");
}

static void test_attr_overflow(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0001);
    test_msg_u32(&m, STUN_ATTR_LIFETIME, 600);
    /* The attribute claims 8 bytes; the message holds 4. */
    test_put16(m.buf + 22, 8);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_OVERFLOW, "attribute past the end");
    /* A value of 5 needs 8 with padding; only 4 are there. */
    test_put16(m.buf + 22, 5);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_OVERFLOW, "padding past the end");
    /* A 65535-byte value in a 24-byte message. */
    test_put16(m.buf + 22, 0xFFFF);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_OVERFLOW, "huge attribute length");
}

static void test_attr_invalid(void)
{
    struct test_msg m;
    struct stun_msg msg;
    uint8_t three[3] = {0, 0, 1};

    test_msg_init(&m, 0x0001);
    test_msg_attr(&m, STUN_ATTR_LIFETIME, three, sizeof(three));
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_INVALID, "3-byte LIFETIME is invalid");
    test_msg_init(&m, 0x0001);
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY, "0123456789012345678", 19);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_INVALID, "19-byte MESSAGE-INTEGRITY");
}

static void test_too_many_attrs(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0001);
    for (int i = 0; i < STUN_MAX_ATTRS; i++) {
        test_msg_attr(&m, STUN_ATTR_SOFTWARE, "x", 1);
    }
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "STUN_MAX_ATTRS attributes decode");
    TAP_EQ_INT(msg.attr_count, STUN_MAX_ATTRS, "and all are kept");
    test_msg_attr(&m, STUN_ATTR_SOFTWARE, "x", 1);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_TOO_MANY_ATTRS, "one more is too many");
}

static void test_fingerprint_last(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0001);
    test_msg_u32(&m, STUN_ATTR_FINGERPRINT, 0);
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "a final FINGERPRINT decodes");
    TAP_EQ_INT(msg.fingerprint_idx, 0, "and is indexed");
    test_msg_u32(&m, STUN_ATTR_LIFETIME, 600);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_INVALID, "an attribute after FINGERPRINT");
    test_msg_init(&m, 0x0001);
    test_msg_u32(&m, STUN_ATTR_FINGERPRINT, 0);
    test_msg_u32(&m, STUN_ATTR_FINGERPRINT, 0);
    TAP_EQ_INT(test_decode(&msg, &m), STUN_ERR_ATTR_INVALID, "two FINGERPRINTs");
}

static void test_after_integrity(void)
{
    struct test_msg m;
    struct stun_msg msg;
    uint8_t mac[32];

    memset(mac, 0xAB, sizeof(mac));
    test_msg_init(&m, 0x0001);
    test_msg_attr(&m, STUN_ATTR_USERNAME, "user", 4);
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY, mac, 20);
    test_msg_attr(&m, STUN_ATTR_SOFTWARE, "ignored", 7);
    test_msg_attr(&m, 0x7777, "?", 1); /* unknown and required, but ignored here */
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac, 32);
    test_msg_attr(&m, STUN_ATTR_LIFETIME, "bad", 3); /* invalid, but ignored */
    test_msg_u32(&m, STUN_ATTR_FINGERPRINT, 0);
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "message with ignored attributes decodes");
    TAP_EQ_INT(msg.attr_count, 4, "USERNAME, MI, MI-SHA256 and FINGERPRINT are kept");
    TAP_CHECK(msg.integrity_idx == 1 && msg.integrity_sha256_idx == 2 && msg.fingerprint_idx == 3,
              "trailer indexes");
    TAP_CHECK(stun_msg_find(&msg, STUN_ATTR_SOFTWARE) == NULL, "SOFTWARE after MI is ignored");
    TAP_EQ_INT(msg.unknown_count, 0, "unknown types after MI are not reported");
    TAP_EQ_INT(msg.attrs[3].offset, m.len - 8, "FINGERPRINT offset");
}

static void test_after_integrity_sha256(void)
{
    struct test_msg m;
    struct stun_msg msg;
    uint8_t mac[32];

    memset(mac, 0xCD, sizeof(mac));
    test_msg_init(&m, 0x0001);
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac, 16);
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY, mac, 20);
    test_msg_attr(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac, 32);
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "MI-SHA256 then others decodes");
    TAP_EQ_INT(msg.attr_count, 1, "only the first MI-SHA256 is kept");
    TAP_CHECK(msg.integrity_idx == -1 && msg.integrity_sha256_idx == 0,
              "MESSAGE-INTEGRITY after MI-SHA256 is ignored");
}

static void test_unknown(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0003);
    test_msg_attr(&m, 0x0030, "a", 1);
    test_msg_attr(&m, 0x8FFF, "b", 1); /* optional: not reported */
    test_msg_attr(&m, 0x0030, "c", 1); /* a duplicate: reported once */
    for (unsigned t = 0x7000; t < 0x7010; t++) {
        test_msg_attr(&m, t, NULL, 0);
    }
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "unknown attributes are not an error");
    TAP_EQ_INT(msg.unknown_count, STUN_MAX_UNKNOWN, "the list stops at STUN_MAX_UNKNOWN");
    TAP_CHECK(msg.unknown[0] == 0x0030 && msg.unknown[1] == 0x7000, "in order, no duplicate");
    TAP_EQ_INT(msg.attr_count, 19, "unknown attributes are still kept");
    TAP_CHECK(stun_msg_find(&msg, 0x8FFF) != NULL, "and can be found");
}

static void test_find_and_names(void)
{
    struct test_msg m;
    struct stun_msg msg;

    test_msg_init(&m, 0x0001);
    test_msg_u32(&m, STUN_ATTR_LIFETIME, 1);
    test_msg_u32(&m, STUN_ATTR_LIFETIME, 2);
    TAP_EQ_INT(test_decode(&msg, &m), (int)m.len, "duplicate attributes decode");
    const struct stun_attr *a = stun_msg_find(&msg, STUN_ATTR_LIFETIME);
    TAP_CHECK(a != NULL && a->value[3] == 1, "find returns the first occurrence");
    TAP_CHECK(stun_msg_find(&msg, STUN_ATTR_REALM) == NULL, "find returns NULL when absent");
    TAP_CHECK(strcmp(stun_method_name(STUN_METHOD_ALLOCATE), "Allocate") == 0, "method name");
    TAP_CHECK(strcmp(stun_method_name(0x0FF), "unknown") == 0, "unknown method name");
    TAP_CHECK(strcmp(stun_err_str(STUN_ERR_TRUNCATED), "truncated message") == 0, "err string");
    TAP_CHECK(strcmp(stun_err_str(-99), "unknown error") == 0, "unknown err string");
}

int main(void)
{
    test_type_packing();
    test_is_stun();
    test_header_errors();
    test_attr_overflow();
    test_attr_invalid();
    test_too_many_attrs();
    test_fingerprint_last();
    test_after_integrity();
    test_after_integrity_sha256();
    test_unknown();
    test_find_and_names();
    return tap_done();
}
