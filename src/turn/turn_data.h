/*
 * Framing data from a peer for the client, in place (RFC 8656 sections 11.3
 * and 12.7): the payload is never copied. The caller's buffer has
 * TURN_PEER_HEADROOM bytes before the data and TURN_PEER_TAILROOM after:
 *
 *   buf                                  buf + TURN_PEER_HEADROOM
 *   |                                    |
 *   v                                    v
 *   +------------------------------------+-------------------+-----+
 *   |            headroom (48)           |   data (len)      | pad |
 *   +------------------------------------+-------------------+-----+
 *
 *   ChannelData, a channel is bound to the peer (section 12.4):
 *                                +-------+-------------------+-----+
 *                                |ch|len |   data            | pad |  pad on streams only
 *                                +-------+-------------------+-----+
 *   Data indication, no channel (section 11.3):
 *   +--------+-------------------+-------+-------------------+-----+
 *   | header | XOR-PEER-ADDRESS  | DATA  |   data            | pad |  pad always (STUN)
 *   |   20   |  4 + 8 or 4 + 20  |   4   |                   |     |
 *   +--------+-------------------+-------+-------------------+-----+
 *
 * An IPv6 peer needs 20 + 24 + 4 = 48 bytes before the data, which is what
 * TURN_PEER_HEADROOM gives. Data indications carry no FINGERPRINT: a
 * client tells them from other traffic by the magic cookie and method, and
 * a CRC over every relayed payload would cost what ChannelData saves.
 */
#ifndef TERN_TURN_DATA_H
#define TERN_TURN_DATA_H

#include "stun/stun_msg.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One datagram to frame: the caller fills buf and len; the framing functions fill msg and
 * msg_len. */
struct turn_data_frame {
    uint8_t *buf;       /* headroom, then len data bytes, then tailroom */
    size_t len;         /* the data at buf + TURN_PEER_HEADROOM */
    const uint8_t *msg; /* the framed message, inside buf */
    size_t msg_len;
};

/* Writes a ChannelData header for channel before the data of fr, and on a stream the zero
 * padding after it. Returns 0, or TURN_DROP_TOO_BIG when the data does not fit 16 bits. */
int turn_data_frame_channel(struct turn_data_frame *fr, uint16_t channel, bool stream);

/* Writes a Data indication with transaction id txid and XOR-PEER-ADDRESS peer around the data
 * of fr, and its zero padding after it. Returns 0, TURN_DROP_TOO_BIG when the message would
 * pass the STUN length field, or TURN_DROP_INVALID for a peer of no IP family. */
int turn_data_frame_indication(struct turn_data_frame *fr, const struct addr *peer,
                               const uint8_t txid[STUN_TXID_LEN]);

#endif
