/* In-place framing of peer data for the client (RFC 8656 sections 11.3, 12.4, 12.5). */
#include "stun/stun_attr.h"
#include "stun/stun_channel.h"
#include "stun/stun_msg.h"
#include "tap.h"
#include "turn/turn_data.h"
#include "turn/turn_handle.h"
#include "util/addr.h"
#include "util/bytes.h"

#include <string.h>

static uint8_t buf[TURN_PEER_HEADROOM + 70000 + TURN_PEER_TAILROOM];
static const uint8_t *msg;
static size_t len;

static int frame_channel(size_t data_len, uint16_t channel, bool stream)
{
    struct turn_data_frame fr = {buf, data_len, NULL, 0};
    int rc = turn_data_frame_channel(&fr, channel, stream);

    msg = fr.msg;
    len = fr.msg_len;
    return rc;
}

static int frame_indication(size_t data_len, const struct addr *peer,
                            const uint8_t txid[STUN_TXID_LEN])
{
    struct turn_data_frame fr = {buf, data_len, NULL, 0};
    int rc = turn_data_frame_indication(&fr, peer, txid);

    msg = fr.msg;
    len = fr.msg_len;
    return rc;
}

int main(void)
{
    static const uint8_t txid[STUN_TXID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    struct addr peer;
    struct addr got;
    struct stun_msg m;
    uint8_t *data = buf + TURN_PEER_HEADROOM;

    TAP_EQ_INT(TURN_PEER_HEADROOM, STUN_HEADER_LEN + 4 + 20 + 4,
               "the headroom is exactly an IPv6 Data indication's header (20 + 24 + 4)");
    memset(buf, 0xEE, sizeof(buf));
    memcpy(data, "hello", 5);
    TAP_EQ_INT(frame_channel(5, 0x4001, false), 0, "UDP ChannelData");
    TAP_CHECK(msg == data - 4 && len == 9, "header before the data, no padding over UDP");
    TAP_CHECK(bytes_get_u16(msg) == 0x4001 && bytes_get_u16(msg + 2) == 5, "number and length");
    TAP_EQ_INT(data[5], 0xEE, "nothing written after the data");
    TAP_EQ_INT(frame_channel(5, 0x4001, true), 0, "TCP ChannelData");
    TAP_EQ_INT(len, 12, "RFC 8656 s12.5: padded to 4 bytes on a stream");
    TAP_CHECK(data[5] == 0 && data[6] == 0 && data[7] == 0, "with zeros");
    TAP_EQ_INT(frame_channel(65536, 0x4001, false), TURN_DROP_TOO_BIG,
               "a datagram past 65535 bytes does not fit ChannelData");

    (void)addr_parse(&peer, "198.51.100.7:4000", 0);
    memset(buf, 0xEE, sizeof(buf));
    memcpy(data, "hello", 5);
    TAP_EQ_INT(frame_indication(5, &peer, txid), 0, "IPv4 indication");
    TAP_CHECK(msg == data - 36, "20 + 12 + 4 bytes before the data");
    TAP_EQ_INT(len, 36 + 8, "and padding to 4 after it");
    TAP_EQ_INT(stun_msg_decode(&m, msg, len), (int)len, "it decodes");
    TAP_CHECK(m.method == STUN_METHOD_DATA && m.cls == STUN_CLASS_INDICATION, "a Data indication");
    TAP_EQ_MEM(m.txid, txid, STUN_TXID_LEN, "with the given transaction id");
    TAP_CHECK(stun_attr_get_addr(&m, STUN_ATTR_XOR_PEER_ADDRESS, &got) == 0 &&
                  addr_equal(&got, &peer),
              "XOR-PEER-ADDRESS");
    TAP_CHECK(data[5] == 0 && data[7] == 0, "zero padding");
    (void)addr_parse(&peer, "[2001:db8::7]:4000", 0);
    TAP_EQ_INT(frame_indication(0, &peer, txid), 0, "an empty IPv6 indication");
    TAP_CHECK(msg == buf && len == TURN_PEER_HEADROOM, "it fills the headroom exactly");
    TAP_EQ_INT(stun_msg_decode(&m, msg, len), (int)len, "and decodes");
    TAP_EQ_INT(frame_indication(65532 - 48 + 20 + 1, &peer, txid), TURN_DROP_TOO_BIG,
               "past the STUN length field: dropped");
    TAP_EQ_INT(frame_indication(65532 - 28, &peer, txid), 0, "the largest IPv6 indication fits");
    memset(&peer, 0, sizeof(peer));
    TAP_EQ_INT(frame_indication(1, &peer, txid), TURN_DROP_INVALID,
               "a peer of no family is refused");
    return tap_done();
}
