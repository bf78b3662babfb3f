/* Fuzz target: stun_channel_decode() as a datagram and as a stream, with its invariants. */
#include "stun/stun_channel.h"
#include "stun/stun_msg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(int cond)
{
    if (!cond) {
        abort();
    }
}

static void fuzz_channel_once(const uint8_t *data, size_t size, bool stream)
{
    struct stun_channel_data cd;
    int rc = stun_channel_decode(&cd, data, size, stream);

    if (rc < 0) {
        fuzz_require(rc == STUN_ERR_NOT_STUN ||
                     rc == (stream ? STUN_NEED_MORE : STUN_ERR_TRUNCATED));
        return;
    }
    fuzz_require((size_t)rc <= size && rc >= STUN_CHANNEL_HDR_LEN);
    fuzz_require(cd.data == data + STUN_CHANNEL_HDR_LEN);
    fuzz_require((size_t)STUN_CHANNEL_HDR_LEN + cd.len <= (size_t)rc);
    fuzz_require(!stream || rc % 4 == 0);
    fuzz_require((cd.channel & 0xC000u) == 0x4000u);
    (void)stun_channel_number_valid(cd.channel, stream);
    (void)stun_channel_stream_pad(cd.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_channel_once(data, size, false);
    fuzz_channel_once(data, size, true);
    return 0;
}
