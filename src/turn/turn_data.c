#include "turn/turn_data.h"

#include "stun/stun_attr.h"
#include "stun/stun_channel.h"
#include "turn/turn_handle.h"
#include "util/bytes.h"

#include <string.h>

/* The most an XOR-PEER-ADDRESS value takes: an IPv6 address (RFC 8489 section 14.2). */
#define TURN_DATA_ADDR_MAX 20
/* The STUN length field counts the attributes in whole 32-bit words up to 65535 bytes. */
#define TURN_DATA_BODY_MAX 65532u

_Static_assert(TURN_PEER_HEADROOM >=
                   STUN_HEADER_LEN + STUN_ATTR_HDR_LEN + TURN_DATA_ADDR_MAX + STUN_ATTR_HDR_LEN,
               "the headroom holds a Data indication's header for an IPv6 peer");
_Static_assert(TURN_PEER_HEADROOM >= STUN_CHANNEL_HDR_LEN, "the headroom holds ChannelData's");
_Static_assert(TURN_PEER_TAILROOM >= 3, "the tailroom holds the padding to 4 bytes");

static size_t turn_data_pad(size_t len)
{
    return (4u - (len & 3u)) & 3u;
}

int turn_data_frame_channel(struct turn_data_frame *fr, uint16_t channel, bool stream)
{
    uint8_t *data = fr->buf + TURN_PEER_HEADROOM;
    size_t len = fr->len;

    if (len > UINT16_MAX) {
        return TURN_DROP_TOO_BIG;
    }
    uint8_t *hdr = data - STUN_CHANNEL_HDR_LEN;

    stun_channel_header(hdr, channel, (uint16_t)len);
    size_t pad = 0;

    /* RFC 8656 section 12.5: over TCP and TLS the message is padded to a multiple of 4 bytes;
     * over UDP the padding is not sent. */
    if (stream) {
        pad = stun_channel_stream_pad((uint16_t)len);
        memset(data + len, 0, pad);
    }
    fr->msg = hdr;
    fr->msg_len = STUN_CHANNEL_HDR_LEN + len + pad;
    return 0;
}

int turn_data_frame_indication(struct turn_data_frame *fr, const struct addr *peer,
                               const uint8_t txid[STUN_TXID_LEN])
{
    uint8_t value[TURN_DATA_ADDR_MAX];
    uint8_t *data = fr->buf + TURN_PEER_HEADROOM;
    size_t len = fr->len;
    int vlen = stun_attr_encode_addr(value, sizeof(value), peer, true, txid);

    if (vlen < 0) {
        return TURN_DROP_INVALID;
    }
    size_t pad = turn_data_pad(len);
    size_t attrs = STUN_ATTR_HDR_LEN + (size_t)vlen + STUN_ATTR_HDR_LEN;

    if (len > TURN_DATA_BODY_MAX - attrs - pad) {
        return TURN_DROP_TOO_BIG;
    }
    uint8_t *start = data - attrs - STUN_HEADER_LEN;
    uint8_t *p = start;

    /* RFC 8656 section 11.3: a Data indication with XOR-PEER-ADDRESS (the peer's source
     * transport address) and DATA (the datagram's payload). */
    bytes_put_u16(p, stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION));
    bytes_put_u16(p + 2, (uint16_t)(attrs + len + pad));
    bytes_put_u32(p + 4, STUN_MAGIC_COOKIE);
    memcpy(p + 8, txid, STUN_TXID_LEN);
    p += STUN_HEADER_LEN;
    bytes_put_u16(p, STUN_ATTR_XOR_PEER_ADDRESS);
    bytes_put_u16(p + 2, (uint16_t)vlen);
    memcpy(p + STUN_ATTR_HDR_LEN, value, (size_t)vlen);
    p += STUN_ATTR_HDR_LEN + (size_t)vlen;
    bytes_put_u16(p, STUN_ATTR_DATA);
    bytes_put_u16(p + 2, (uint16_t)len);
    memset(data + len, 0, pad);
    fr->msg = start;
    fr->msg_len = STUN_HEADER_LEN + attrs + len + pad;
    return 0;
}
