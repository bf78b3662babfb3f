#include "stun/stun_demux.h"

#include "stun/stun_channel.h"
#include "stun/stun_msg.h"
#include "util/bytes.h"

/* RFC 5246 section 6.2.1: a TLS handshake record starts with content type 22. */
#define STUN_DEMUX_TLS_HANDSHAKE 22u

/* RFC 7983 section 7, with ChannelData widened to 64-127 for RFC 5766 channel numbers. */
enum stun_demux_kind stun_demux_datagram(uint8_t first_byte)
{
    if (first_byte <= 3) {
        return STUN_DEMUX_STUN;
    }
    if (first_byte >= 16 && first_byte <= 19) {
        return STUN_DEMUX_ZRTP;
    }
    if (first_byte >= 20 && first_byte <= 63) {
        return STUN_DEMUX_DTLS;
    }
    if (first_byte >= 64 && first_byte <= 127) {
        return STUN_DEMUX_CHANNEL;
    }
    if (first_byte >= 128 && first_byte <= 191) {
        return STUN_DEMUX_RTP;
    }
    return STUN_DEMUX_UNKNOWN;
}

enum stun_demux_kind stun_demux_stream(uint8_t first_byte)
{
    if (first_byte <= 3) {
        return STUN_DEMUX_STUN;
    }
    if (first_byte >= 64 && first_byte <= 127) {
        return STUN_DEMUX_CHANNEL;
    }
    if (first_byte == STUN_DEMUX_TLS_HANDSHAKE) {
        return STUN_DEMUX_TLS;
    }
    return STUN_DEMUX_UNKNOWN;
}

/* A STUN frame is the 20-byte header plus the length it announces (RFC 8489 section 6.2.2).
 * Bad cookies and lengths are refused as soon as their bytes are in. */
static int stun_demux_stun_frame_len(const uint8_t *buf, size_t len)
{
    if (len >= 4 && bytes_get_u16(buf + 2) % 4u != 0) {
        return STUN_ERR_BAD_LENGTH;
    }
    if (len >= 8 && bytes_get_u32(buf + 4) != STUN_MAGIC_COOKIE) {
        return STUN_ERR_NOT_STUN;
    }
    if (len < STUN_HEADER_LEN) {
        return STUN_NEED_MORE;
    }
    return (int)(STUN_HEADER_LEN + bytes_get_u16(buf + 2));
}

/* A ChannelData frame over a stream is padded to 4 bytes (RFC 8656 section 12.5). */
static int stun_demux_channel_frame_len(const uint8_t *buf, size_t len)
{
    if (len < STUN_CHANNEL_HDR_LEN) {
        return STUN_NEED_MORE;
    }
    uint16_t data_len = bytes_get_u16(buf + 2);

    return (int)(STUN_CHANNEL_HDR_LEN + data_len + stun_channel_stream_pad(data_len));
}

int stun_demux_frame_len(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < 1) {
        return STUN_NEED_MORE;
    }
    switch (stun_demux_stream(buf[0])) {
    case STUN_DEMUX_STUN:
        return stun_demux_stun_frame_len(buf, len);
    case STUN_DEMUX_CHANNEL:
        return stun_demux_channel_frame_len(buf, len);
    default:
        return STUN_ERR_NOT_STUN;
    }
}
