/*
 * ChannelData messages (RFC 8656 section 12.4):
 *
 *     0                   1                   2                   3
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |         Channel Number        |            Length             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                                                               |
 *    /                       Application Data                        /
 *    |                                                               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Over UDP the datagram may carry padding past Length; over TCP and TLS the
 * message is padded to a multiple of 4 bytes and the padding is part of the
 * frame (RFC 8656 section 12.5).
 */
#ifndef TERN_STUN_CHANNEL_H
#define TERN_STUN_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_CHANNEL_HDR_LEN 4
/* RFC 8656 section 12: the channel numbers a client may bind. */
#define STUN_CHANNEL_MIN 0x4000u
#define STUN_CHANNEL_MAX 0x4FFFu
/* RFC 5766 allowed 0x4000-0x7FFE; 0x7FFF was reserved. */
#define STUN_CHANNEL_MAX_RFC5766 0x7FFEu

/* A decoded ChannelData message; data borrows the packet. */
struct stun_channel_data {
    uint16_t channel;
    uint16_t len;
    const uint8_t *data;
};

/* True when number is a channel in 0x4000-0x4FFF, or up to 0x7FFE when legacy_range. */
bool stun_channel_number_valid(uint16_t number, bool legacy_range);

/* Decodes a ChannelData message at buf. On a datagram (stream false) the message must fit in
 * len and trailing bytes are ignored. On a stream the frame is padded to 4 bytes and
 * STUN_NEED_MORE is returned until it is complete. Returns the bytes the message occupies (with
 * padding on a stream), STUN_NEED_MORE, or STUN_ERR_TRUNCATED / STUN_ERR_NOT_STUN for a first
 * two bits other than 01. The channel number range is not checked here. */
int stun_channel_decode(struct stun_channel_data *cd, const uint8_t *buf, size_t len, bool stream);

/* Writes the 4-byte ChannelData header for len bytes of data on channel into hdr. */
void stun_channel_header(uint8_t hdr[STUN_CHANNEL_HDR_LEN], uint16_t channel, uint16_t len);

/* The padding to add after len data bytes on a stream (0-3). */
size_t stun_channel_stream_pad(uint16_t len);

#endif
