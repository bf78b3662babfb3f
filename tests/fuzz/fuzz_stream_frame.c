/*
 * Fuzz target: a TCP byte stream cut into frames by stun_demux_frame_len(),
 * each frame classified and decoded as STUN or ChannelData. A frame's
 * length must be what its own decoder consumes, and must be known from the
 * header alone (the framer reads no further).
 */
#include "stun/stun_channel.h"
#include "stun/stun_demux.h"
#include "stun/stun_msg.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(int cond)
{
    if (!cond) {
        abort();
    }
}

static void fuzz_frame(const uint8_t *frame, size_t len)
{
    struct stun_msg msg;
    struct stun_channel_data cd;

    if (stun_demux_stream(frame[0]) == STUN_DEMUX_STUN) {
        int rc = stun_msg_decode(&msg, frame, len);

        /* The framer checked the cookie and the length: decode agrees on both. */
        fuzz_require(rc == (int)len || (rc != STUN_ERR_TRUNCATED && rc != STUN_ERR_BAD_LENGTH &&
                                        rc != STUN_ERR_NOT_STUN && rc < 0));
        return;
    }
    fuzz_require(stun_demux_stream(frame[0]) == STUN_DEMUX_CHANNEL);
    fuzz_require(stun_channel_decode(&cd, frame, len, true) == (int)len);
    fuzz_require(stun_channel_decode(&cd, frame, len, false) <= (int)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;

    for (size_t i = 0; i < size && i < 64; i++) {
        (void)stun_demux_datagram(data[i]);
    }
    while (pos < size) {
        int rc = stun_demux_frame_len(data + pos, size - pos);

        if (rc <= 0) {
            fuzz_require(rc == STUN_NEED_MORE || rc == STUN_ERR_NOT_STUN ||
                         rc == STUN_ERR_BAD_LENGTH);
            break;
        }
        fuzz_require(rc >= STUN_CHANNEL_HDR_LEN);
        size_t head = stun_demux_stream(data[pos]) == STUN_DEMUX_STUN ? STUN_HEADER_LEN
                                                                      : STUN_CHANNEL_HDR_LEN;
        fuzz_require(stun_demux_frame_len(data + pos, head) == rc);
        if ((size_t)rc > size - pos) {
            break;
        }
        fuzz_frame(data + pos, (size_t)rc);
        pos += (size_t)rc;
    }
    return 0;
}
