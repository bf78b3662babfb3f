/* The entry points of the core: dispatch, Binding, 420/437/441, ChannelData and peer data. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_channel.h"
#include "stun/stun_error.h"
#include "tap.h"
#include "turn_fake.h"
#include "util/bytes.h"

#include <string.h>

static struct turn_fake fake;

static void test_binding(void)
{
    struct addr mapped;

    turn_fake_setup(&fake);
    TAP_EQ_INT(turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false), 0,
               "Binding is handled");
    TAP_EQ_INT(turn_fake_code(&fake), 0, "RFC 8489 s3: Binding needs no authentication");
    TAP_EQ_INT(stun_attr_get_addr(&fake.resp, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), 0,
               "XOR-MAPPED-ADDRESS present");
    TAP_CHECK(addr_equal(&mapped, &fake.client), "it is the client's address");
    TAP_CHECK(fake.resp.fingerprint_idx >= 0, "FINGERPRINT answers FINGERPRINT");
    TAP_EQ_INT(fake.resp.attr_count, 2, "nothing else is added (no SOFTWARE, no integrity)");
    fake.use_fingerprint = false;
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false);
    TAP_CHECK(fake.has_resp && fake.resp.fingerprint_idx < 0, "no FINGERPRINT when none came");
    TAP_CHECK(fake.out.reply_len <= fake.req_len + 12,
              "the unauthenticated answer is barely larger than the request");
    TAP_EQ_INT(turn_worker_counters(fake.w)->requests[STUN_METHOD_BINDING][0], 2,
               "Binding successes counted");
    turn_fake_teardown(&fake);
}

static void attrs_unknown(struct stun_builder *b, const void *ctx)
{
    (void)ctx;
    stun_build_u8(b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
    stun_build_raw(b, 0x7F01, "abcd", 4);
}

static void test_unknown(void)
{
    uint16_t types[4];

    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, attrs_unknown, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 420,
               "RFC 8489 s6.3.1: an unknown comprehension-required attribute is 420");
    TAP_EQ_INT(stun_attr_get_type_list(&fake.resp, STUN_ATTR_UNKNOWN_ATTRIBUTES, types, 4), 1,
               "UNKNOWN-ATTRIBUTES lists one type");
    TAP_EQ_INT(types[0], 0x7F01, "the unknown type");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_ALLOCATE, attrs_unknown, NULL), 420,
               "an authenticated Allocate with an unknown attribute is 420");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "after authentication the 420 is signed");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "and allocates nothing");
    (void)turn_fake_send(&fake, 0x0FF, NULL, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 400, "an unknown method is 400");
    TAP_EQ_INT(turn_worker_counters(fake.w)->requests[0][1], 1, "counted as method 0 error");
    turn_fake_teardown(&fake);
}

static void test_mismatch(void)
{
    struct addr peer;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 437,
               "RFC 8656 s8.2: Refresh without allocation is 437");
    TAP_EQ_INT(turn_fake_permit(&fake, &peer), 437,
               "RFC 8656 s10.2: CreatePermission without allocation is 437");
    TAP_EQ_INT(turn_fake_bind(&fake, 0x4000, &peer), 437,
               "RFC 8656 s12.2: ChannelBind without allocation is 437");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the 437 is signed");
    turn_fake_teardown(&fake);
}

static void test_wrong_credentials(void)
{
    turn_fake_setup(&fake);
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "alice allocates");
    turn_fake_use_static(&fake, TURN_FAKE_USER2, TURN_FAKE_PASSWORD2, STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 441,
               "RFC 8656 s5: a Refresh with other credentials is 441");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the 441 is signed with the sender's key");
    turn_fake_use_static(&fake, TURN_FAKE_USER, TURN_FAKE_PASSWORD, STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 0, "the creator's credentials refresh");
    turn_fake_teardown(&fake);
}

static void test_drops(void)
{
    struct stun_builder b;

    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false);
    fake.req[fake.req_len - 1] ^= 0x01;
    TAP_EQ_INT(turn_fake_deliver(&fake), STUN_ERR_INTEGRITY,
               "RFC 8489 s7.3: a bad FINGERPRINT is dropped");
    TAP_EQ_INT(fake.out.reply_len, 0, "with no answer");
    fake.req_len = 10;
    TAP_CHECK(turn_fake_deliver(&fake) < 0 && fake.out.reply_len == 0,
              "a truncated message is dropped");
    turn_fake_begin(&fake, &b, STUN_METHOD_BINDING, STUN_CLASS_SUCCESS);
    turn_fake_end(&fake, &b);
    TAP_EQ_INT(turn_fake_deliver(&fake), TURN_DROP_IGNORED, "a response from a client is dropped");
    turn_fake_begin(&fake, &b, STUN_METHOD_BINDING, STUN_CLASS_INDICATION);
    turn_fake_end(&fake, &b);
    TAP_EQ_INT(turn_fake_deliver(&fake), 0, "a Binding indication is a keepalive");
    TAP_EQ_INT(fake.out.reply_len, 0, "and gets no answer");
    turn_fake_begin(&fake, &b, STUN_METHOD_SEND, STUN_CLASS_INDICATION);
    stun_build_raw(&b, 0x7F02, "x", 1);
    turn_fake_end(&fake, &b);
    TAP_EQ_INT(turn_fake_deliver(&fake), TURN_DROP_INVALID,
               "RFC 8489 s6.3.2: an indication with an unknown required attribute is dropped");
    turn_fake_teardown(&fake);
}

static void test_amplification(void)
{
    struct stun_builder b;

    turn_fake_setup(&fake);
    fake.use_fingerprint = false;
    turn_fake_begin(&fake, &b, STUN_METHOD_REFRESH, STUN_CLASS_REQUEST);
    turn_fake_end(&fake, &b);
    (void)turn_fake_deliver(&fake);
    TAP_EQ_INT(turn_fake_code(&fake), 401, "a bare 20-byte Refresh is challenged");
    TAP_CHECK(fake.out.reply_len <= fake.req_len + 100,
              "DESIGN.md: the challenge is at most 100 bytes larger (%zu -> %zu)", fake.req_len,
              fake.out.reply_len);
    turn_fake_teardown(&fake);
}

static void test_rate_limit(void)
{
    turn_fake_init(&fake);
    fake.opts.unauth_rate = 1;
    fake.opts.unauth_burst = 2;
    turn_fake_start(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 401, "the first unsigned request is challenged");
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 401, "the second (burst 2) too");
    TAP_EQ_INT(turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false),
               TURN_DROP_RATE_LIMIT, "the third within the second is dropped");
    TAP_EQ_INT(fake.out.reply_len, 0, "with no answer");
    TAP_EQ_INT(turn_worker_counters(fake.w)->unauth_dropped, 1, "unauth_dropped counted");
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 0, "Binding is not rate limited");
    turn_fake_advance(&fake, 1000);
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 401, "a second later one more is answered");
    TAP_CHECK(turn_fake_take_nonce(&fake), "with a nonce");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL), 0,
               "authenticated requests are not limited");
    turn_fake_teardown(&fake);
}

/* Sets up an allocation with a permission for peer and, when number != 0, a channel. */
static struct turn_relay *relay_with_peer(const struct addr *peer, uint16_t number)
{
    if (turn_fake_allocate(&fake) != 0 || turn_fake_permit(&fake, peer) != 0) {
        return NULL;
    }
    if (number != 0 && turn_fake_bind(&fake, number, peer) != 0) {
        return NULL;
    }
    return turn_fake_relay(&fake, 0);
}

static void test_channel_data(void)
{
    static const uint8_t payload[5] = {1, 2, 3, 4, 5};
    struct addr peer;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    struct turn_relay *relay = relay_with_peer(&peer, 0x4001);

    TAP_CHECK(relay != NULL, "allocation, permission and channel");
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4001, payload, 5), 0,
               "RFC 8656 s12.6: ChannelData on a bound channel is relayed");
    TAP_CHECK(fake.out.relay == relay, "from the allocation's relay");
    TAP_CHECK(addr_equal(&fake.out.peer, &peer), "to the bound peer");
    TAP_EQ_INT(fake.out.data_len, 5, "the data length");
    TAP_CHECK(fake.out.data == fake.req + STUN_CHANNEL_HDR_LEN, "the data points into the packet");
    TAP_CHECK(!fake.out.dont_fragment, "no DF for ChannelData");
    TAP_EQ_INT(fake.out.reply_len, 0, "nothing for the client");
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4002, payload, 5), TURN_DROP_NO_CHANNEL,
               "RFC 8656 s12.6: ChannelData on an unbound channel is discarded");
    TAP_CHECK(fake.out.relay == NULL, "nothing to send");
    fake.client.port++;
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4001, payload, 5), TURN_DROP_NO_ALLOCATION,
               "ChannelData from another 5-tuple is discarded");
    fake.client.port--;
    TAP_EQ_INT(turn_worker_counters(fake.w)->rx_packets_client, 1, "rx_packets_client");
    TAP_EQ_INT(turn_worker_counters(fake.w)->rx_bytes_client, 5, "rx_bytes_client");
    fake.req_len = 3;
    struct turn_packet_info info = turn_fake_info(&fake);
    TAP_CHECK(turn_handle_channel(fake.w, &info, fake.req, 3, &fake.out) < 0,
              "a truncated ChannelData is dropped");
    turn_fake_teardown(&fake);
}

static void test_peer_to_client_udp(void)
{
    static const uint8_t payload[7] = {'p', 'a', 'y', 'l', 'o', 'a', 'd'};
    struct turn_fake_peer_msg pm;
    struct addr peer;
    struct addr other;
    struct stun_msg ind;
    struct addr got;
    const uint8_t *data;
    size_t len;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    turn_fake_addr(&other, "198.51.100.8:4000");
    struct turn_relay *relay = relay_with_peer(&peer, 0);

    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &other, payload, 7, &pm), TURN_DROP_NO_PERMISSION,
               "RFC 8656 s9: data from a peer without permission is discarded");
    TAP_EQ_INT(turn_worker_counters(fake.w)->no_permission_dropped, 1, "no_permission_dropped");
    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &peer, payload, 7, &pm), 0,
               "RFC 8656 s11.3: data from a permitted peer is relayed");
    TAP_CHECK(pm.conn == fake.conn, "to the client's connection handle");
    TAP_EQ_INT(stun_msg_decode(&ind, pm.msg, pm.msg_len), (int)pm.msg_len,
               "as a well-formed STUN message");
    TAP_CHECK(ind.method == STUN_METHOD_DATA && ind.cls == STUN_CLASS_INDICATION,
              "RFC 8656 s11.3: a Data indication");
    TAP_CHECK(stun_attr_get_addr(&ind, STUN_ATTR_XOR_PEER_ADDRESS, &got) == 0 &&
                  addr_equal(&got, &peer),
              "XOR-PEER-ADDRESS is the peer's transport address");
    TAP_CHECK(stun_attr_get_bytes(&ind, STUN_ATTR_DATA, &data, &len) == 0 && len == 7 &&
                  memcmp(data, payload, 7) == 0,
              "DATA is the datagram");
    TAP_CHECK(data == pm.buf + TURN_PEER_HEADROOM, "the payload was not moved");
    TAP_EQ_INT(pm.msg_len % 4, 0, "padded to 4 bytes");
    TAP_CHECK(pm.msg + pm.msg_len == pm.buf + TURN_PEER_HEADROOM + 8, "padding follows the data");
    TAP_EQ_INT(pm.buf[TURN_PEER_HEADROOM + 7], 0, "the padding is zero");
    TAP_CHECK(ind.fingerprint_idx < 0, "no FINGERPRINT on Data indications");
    TAP_EQ_INT(turn_worker_counters(fake.w)->tx_packets_peer, 1, "tx_packets_peer");
    TAP_EQ_INT(turn_worker_counters(fake.w)->tx_bytes_peer, 7, "tx_bytes_peer");

    TAP_EQ_INT(turn_fake_bind(&fake, 0x4009, &peer), 0, "bind a channel to the peer");
    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &peer, payload, 7, &pm), 0,
               "RFC 8656 s12.7: with a channel, ChannelData");
    TAP_EQ_INT(pm.msg_len, STUN_CHANNEL_HDR_LEN + 7, "over UDP no padding");
    TAP_CHECK(pm.msg == pm.buf + TURN_PEER_HEADROOM - STUN_CHANNEL_HDR_LEN,
              "the header sits just before the data");
    TAP_EQ_INT(bytes_get_u16(pm.msg), 0x4009, "the channel number");
    TAP_EQ_INT(bytes_get_u16(pm.msg + 2), 7, "the data length");
    TAP_EQ_MEM(pm.msg + 4, payload, 7, "then the data");
    other = peer;
    other.port++;
    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &other, payload, 7, &pm), 0,
               "another port of the permitted IP is relayed (s9: port ignored)");
    TAP_EQ_INT(stun_msg_decode(&ind, pm.msg, pm.msg_len), (int)pm.msg_len,
               "as a Data indication, the channel being bound to the other port");
    turn_fake_teardown(&fake);
}

static void attrs_ipv6(struct stun_builder *b, const void *ctx)
{
    (void)ctx;
    stun_build_u8(b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
    stun_build_u8(b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, STUN_FAMILY_IPV6);
}

static void test_peer_to_client_tcp(void)
{
    static const uint8_t payload[5] = {9, 8, 7, 6, 5};
    struct turn_fake_peer_msg pm;
    struct addr peer;

    turn_fake_setup(&fake);
    fake.transport = TURN_TRANSPORT_TCP;
    fake.conn = &pm;
    turn_fake_addr(&peer, "198.51.100.9:4000");
    struct turn_relay *relay = relay_with_peer(&peer, 0x4000);

    TAP_CHECK(relay != NULL, "TCP client: allocation, permission, channel");
    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &peer, payload, 5, &pm), 0, "relayed");
    TAP_EQ_INT(pm.msg_len, STUN_CHANNEL_HDR_LEN + 8,
               "RFC 8656 s12.5: over TCP ChannelData is padded to 4 bytes");
    TAP_CHECK(pm.msg[STUN_CHANNEL_HDR_LEN + 5] == 0 && pm.msg[STUN_CHANNEL_HDR_LEN + 7] == 0,
              "with zero bytes");
    TAP_EQ_INT(bytes_get_u16(pm.msg + 2), 5, "the length field excludes the padding");
    TAP_CHECK(pm.conn == &pm, "to the TCP connection");
    TAP_EQ_INT(turn_fake_channel_data(&fake, 0x4000, payload, 5), 0,
               "padded ChannelData from a TCP client is relayed");
    TAP_EQ_INT(fake.out.data_len, 5, "without its padding");
    turn_fake_teardown(&fake);
}

static void test_ipv6_indication(void)
{
    static const uint8_t payload[1] = {0x42};
    struct turn_fake_peer_msg pm;
    struct stun_msg ind;
    struct addr peer;
    struct addr got;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "[2001:db8:5::9]:4000");
    TAP_EQ_INT(turn_fake_call(&fake, STUN_METHOD_ALLOCATE, attrs_ipv6, NULL), 0,
               "an IPv6 allocation");
    struct turn_relay *relay = turn_fake_relay(&fake, 0);

    TAP_EQ_INT(turn_fake_permit(&fake, &peer), 0, "permission for an IPv6 peer");
    TAP_EQ_INT(turn_fake_from_peer(&fake, relay, &peer, payload, 1, &pm), 0, "relayed");
    TAP_CHECK(pm.msg == pm.buf, "an IPv6 Data indication uses all of TURN_PEER_HEADROOM (48)");
    TAP_EQ_INT(pm.msg_len, TURN_PEER_HEADROOM + 4, "header, attributes, data and padding");
    TAP_EQ_INT(stun_msg_decode(&ind, pm.msg, pm.msg_len), (int)pm.msg_len, "it decodes");
    TAP_CHECK(stun_attr_get_addr(&ind, STUN_ATTR_XOR_PEER_ADDRESS, &got) == 0 &&
                  addr_equal(&got, &peer),
              "XOR-PEER-ADDRESS is the IPv6 peer");
    turn_fake_teardown(&fake);
}

static void test_send_indication(void)
{
    static const uint8_t payload[3] = {'a', 'b', 'c'};
    struct addr peer;
    struct addr other;

    turn_fake_setup(&fake);
    turn_fake_addr(&peer, "198.51.100.7:4000");
    turn_fake_addr(&other, "198.51.100.8:4000");
    struct turn_relay *relay = relay_with_peer(&peer, 0);

    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, payload, 3, true), 0,
               "RFC 8656 s11.2: a Send indication to a permitted peer is relayed");
    TAP_CHECK(fake.out.relay == relay && addr_equal(&fake.out.peer, &peer), "from the relay");
    TAP_CHECK(fake.out.data_len == 3 && memcmp(fake.out.data, payload, 3) == 0 &&
                  fake.out.data > fake.req && fake.out.data < fake.req + fake.req_len,
              "the data points into the packet");
    TAP_CHECK(fake.out.dont_fragment, "RFC 8656 s11.2: DONT-FRAGMENT asks DF");
    TAP_EQ_INT(fake.out.reply_len, 0, "an indication is never answered");
    TAP_EQ_INT(turn_fake_send_indication(&fake, &peer, payload, 3, false), 0, "again without DF");
    TAP_CHECK(!fake.out.dont_fragment, "no DF");
    TAP_EQ_INT(turn_fake_send_indication(&fake, &other, payload, 3, false), TURN_DROP_NO_PERMISSION,
               "RFC 8656 s11.2: no permission: discarded");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_binding();
    test_unknown();
    test_mismatch();
    test_wrong_credentials();
    test_drops();
    test_amplification();
    test_rate_limit();
    test_channel_data();
    test_peer_to_client_udp();
    test_peer_to_client_tcp();
    test_ipv6_indication();
    test_send_indication();
    return tap_done();
}
