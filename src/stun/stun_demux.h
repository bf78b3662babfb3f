/*
 * Telling packets apart on a shared port (RFC 7983 section 7), and cutting
 * a byte stream into STUN and ChannelData frames (RFC 8656 section 12.5).
 *
 *                  +----------------+
 *                  |        [0..3] -+--> STUN
 *                  |      [16..19] -+--> ZRTP
 *  packet -->      |      [20..63] -+--> DTLS
 *                  |      [64..79] -+--> TURN ChannelData
 *                  |    [128..191] -+--> RTP/RTCP
 *                  +----------------+
 *
 * RFC 5766 clients use channel numbers up to 0x7FFE, whose first byte is
 * 64-127: they are classified as ChannelData too, since nothing else is
 * assigned there.
 */
#ifndef TERN_STUN_DEMUX_H
#define TERN_STUN_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum stun_demux_kind {
    STUN_DEMUX_STUN,
    STUN_DEMUX_ZRTP,
    STUN_DEMUX_DTLS,
    STUN_DEMUX_CHANNEL,
    STUN_DEMUX_RTP,
    STUN_DEMUX_TLS, /* stream only: 22 (handshake) is TLS on a TCP port */
    STUN_DEMUX_UNKNOWN,
};

/* Classifies a datagram by its first byte. */
enum stun_demux_kind stun_demux_datagram(uint8_t first_byte);

/* Classifies the first byte of a TCP connection: STUN, CHANNEL, TLS (0x16) or UNKNOWN. */
enum stun_demux_kind stun_demux_stream(uint8_t first_byte);

/* Returns the length of the frame at the start of a stream buffer (a STUN message, or ChannelData
 * with its padding) as soon as its header is in: 20 bytes for STUN, 4 for ChannelData. The frame
 * itself is complete once len reaches the returned length, which the caller checks; so a caller
 * may pass just the header it has peeked. Returns STUN_NEED_MORE while the header is incomplete,
 * STUN_ERR_NOT_STUN when the bytes are neither (a STUN first byte with a wrong magic cookie
 * included), or STUN_ERR_BAD_LENGTH for a STUN length that is not a multiple of 4; after either
 * error the stream cannot be resynchronised. */
int stun_demux_frame_len(const uint8_t *buf, size_t len);

#endif
