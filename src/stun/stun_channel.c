#include "stun/stun_channel.h"

#include "stun/stun_msg.h"
#include "util/bytes.h"

bool stun_channel_number_valid(uint16_t number, bool legacy_range)
{
    uint16_t max = legacy_range ? STUN_CHANNEL_MAX_RFC5766 : STUN_CHANNEL_MAX;

    return number >= STUN_CHANNEL_MIN && number <= max;
}

size_t stun_channel_stream_pad(uint16_t len)
{
    return (4u - (len & 3u)) & 3u;
}

void stun_channel_header(uint8_t hdr[STUN_CHANNEL_HDR_LEN], uint16_t channel, uint16_t len)
{
    bytes_put_u16(hdr, channel);
    bytes_put_u16(hdr + 2, len);
}

int stun_channel_decode(struct stun_channel_data *cd, const uint8_t *buf, size_t len, bool stream)
{
    int short_result = stream ? STUN_NEED_MORE : STUN_ERR_TRUNCATED;

    cd->channel = 0;
    cd->len = 0;
    cd->data = NULL;
    if (buf == NULL || len < 1) {
        return short_result;
    }
    /* RFC 8656 section 12: a channel number starts with the bits 01. */
    if ((buf[0] & 0xC0u) != 0x40u) {
        return STUN_ERR_NOT_STUN;
    }
    if (len < STUN_CHANNEL_HDR_LEN) {
        return short_result;
    }
    uint16_t data_len = bytes_get_u16(buf + 2);
    /* RFC 8656 section 12.5: over a stream the padding is part of the frame. */
    size_t frame =
        STUN_CHANNEL_HDR_LEN + data_len + (stream ? stun_channel_stream_pad(data_len) : 0);

    if (frame > len) {
        return short_result;
    }
    cd->channel = bytes_get_u16(buf);
    cd->len = data_len;
    cd->data = buf + STUN_CHANNEL_HDR_LEN;
    return (int)frame;
}
