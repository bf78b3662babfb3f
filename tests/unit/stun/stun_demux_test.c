/* stun_demux.c: RFC 7983 first-byte classes and stream framing of STUN and ChannelData. */
#include "stun/stun_demux.h"
#include "stun/stun_msg.h"
#include "tap.h"

#include <string.h>

/* The classes of RFC 7983 section 7, ChannelData widened to 64-127. */
static enum stun_demux_kind test_expected_datagram(unsigned b)
{
    if (b <= 3) {
        return STUN_DEMUX_STUN;
    }
    if (b >= 16 && b <= 19) {
        return STUN_DEMUX_ZRTP;
    }
    if (b >= 20 && b <= 63) {
        return STUN_DEMUX_DTLS;
    }
    if (b >= 64 && b <= 127) {
        return STUN_DEMUX_CHANNEL;
    }
    if (b >= 128 && b <= 191) {
        return STUN_DEMUX_RTP;
    }
    return STUN_DEMUX_UNKNOWN;
}

static void test_datagram_classes(void)
{
    int wrong = 0;

    for (unsigned b = 0; b < 256; b++) {
        wrong += stun_demux_datagram((uint8_t)b) != test_expected_datagram(b);
    }
    TAP_EQ_INT(wrong, 0, "every first byte is classified per RFC 7983");
    TAP_EQ_INT(stun_demux_datagram(0), STUN_DEMUX_STUN, "0 is STUN");
    TAP_EQ_INT(stun_demux_datagram(22), STUN_DEMUX_DTLS, "22 is DTLS");
    TAP_EQ_INT(stun_demux_datagram(0x4F), STUN_DEMUX_CHANNEL, "0x4F is ChannelData");
    TAP_EQ_INT(stun_demux_datagram(0x7F), STUN_DEMUX_CHANNEL, "0x7F is RFC 5766 ChannelData");
    TAP_EQ_INT(stun_demux_datagram(0x80), STUN_DEMUX_RTP, "0x80 is RTP");
    TAP_EQ_INT(stun_demux_datagram(4), STUN_DEMUX_UNKNOWN, "4 is unassigned");
    TAP_EQ_INT(stun_demux_datagram(0xC0), STUN_DEMUX_UNKNOWN, "0xC0 is unassigned");
}

static void test_stream_classes(void)
{
    int wrong = 0;

    for (unsigned b = 0; b < 256; b++) {
        enum stun_demux_kind want = STUN_DEMUX_UNKNOWN;

        if (b <= 3) {
            want = STUN_DEMUX_STUN;
        } else if (b >= 64 && b <= 127) {
            want = STUN_DEMUX_CHANNEL;
        } else if (b == 22) {
            want = STUN_DEMUX_TLS;
        }
        wrong += stun_demux_stream((uint8_t)b) != want;
    }
    TAP_EQ_INT(wrong, 0, "stream first bytes: STUN, ChannelData, TLS handshake, else unknown");
}

static void test_frame_len(void)
{
    uint8_t stun[28] = {0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42};
    uint8_t chan[12] = {0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0};
    int need_more = 0;

    for (size_t len = 0; len < STUN_HEADER_LEN; len++) {
        need_more += stun_demux_frame_len(stun, len) == STUN_NEED_MORE;
    }
    TAP_EQ_INT(need_more, 20, "every prefix of a STUN header needs more");
    TAP_EQ_INT(stun_demux_frame_len(stun, 20), 28, "a STUN header gives 20 + length");
    TAP_EQ_INT(stun_demux_frame_len(stun, sizeof(stun)), 28, "so does the whole frame");
    TAP_EQ_INT(stun_demux_frame_len(chan, 3), STUN_NEED_MORE, "3 bytes of ChannelData");
    TAP_EQ_INT(stun_demux_frame_len(chan, 4), 12, "a ChannelData header gives the padded frame");
    TAP_EQ_INT(stun_demux_frame_len(chan, 12), 12, "so does the whole frame");
    stun[7] = 0x43;
    TAP_EQ_INT(stun_demux_frame_len(stun, 8), STUN_ERR_NOT_STUN, "a wrong cookie");
    stun[7] = 0x42;
    stun[3] = 0x06;
    TAP_EQ_INT(stun_demux_frame_len(stun, 4), STUN_ERR_BAD_LENGTH, "length 6, seen in 4 bytes");
    TAP_EQ_INT(stun_demux_frame_len((const uint8_t *)"\x16\x03\x01", 3), STUN_ERR_NOT_STUN,
               "a TLS ClientHello is neither");
    TAP_EQ_INT(stun_demux_frame_len((const uint8_t *)"\xff", 1), STUN_ERR_NOT_STUN, "0xFF");
}

static void test_frame_sequence(void)
{
    /* A STUN message, a ChannelData with padding, and half of another STUN header. */
    uint8_t stream[20 + 8 + 10] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    size_t pos = 0;
    int frames = 0;
    int rc;

    memcpy(stream + 20,
           "\x40\x00\x00\x03"
           "abc\0",
           8);
    memcpy(stream + 28, stream, 10);
    while ((rc = stun_demux_frame_len(stream + pos, sizeof(stream) - pos)) > 0 &&
           (size_t)rc <= sizeof(stream) - pos) {
        pos += (size_t)rc;
        frames++;
    }
    TAP_EQ_INT(frames, 2, "two complete frames are cut");
    TAP_EQ_INT(pos, 28, "ending where the partial one starts");
    TAP_EQ_INT(rc, STUN_NEED_MORE, "whose header needs more");
}

int main(void)
{
    test_datagram_classes();
    test_stream_classes();
    test_frame_len();
    test_frame_sequence();
    return tap_done();
}
