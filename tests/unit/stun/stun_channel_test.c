/* stun_channel.c: channel number ranges and ChannelData framing over datagrams and streams. */
#include "stun/stun_channel.h"
#include "stun/stun_msg.h"
#include "tap.h"

#include <string.h>

static void test_numbers(void)
{
    TAP_CHECK(!stun_channel_number_valid(0x3FFF, false), "0x3FFF is below the range");
    TAP_CHECK(stun_channel_number_valid(0x4000, false), "0x4000 is the first channel");
    TAP_CHECK(stun_channel_number_valid(0x4FFF, false), "0x4FFF is the last RFC 8656 channel");
    TAP_CHECK(!stun_channel_number_valid(0x5000, false), "0x5000 is past RFC 8656");
    TAP_CHECK(stun_channel_number_valid(0x5000, true), "0x5000 is an RFC 5766 channel");
    TAP_CHECK(stun_channel_number_valid(0x7FFE, true), "0x7FFE is the last RFC 5766 channel");
    TAP_CHECK(!stun_channel_number_valid(0x7FFF, true), "0x7FFF was reserved");
    TAP_CHECK(!stun_channel_number_valid(0x8000, true), "0x8000 is not a channel");
}

static void test_header_and_pad(void)
{
    uint8_t hdr[STUN_CHANNEL_HDR_LEN];
    int ok = 1;

    stun_channel_header(hdr, 0x4001, 0x0102);
    TAP_CHECK(hdr[0] == 0x40 && hdr[1] == 0x01 && hdr[2] == 0x01 && hdr[3] == 0x02, "header bytes");
    for (uint16_t len = 0; len < 16; len++) {
        ok =
            ok && (len + stun_channel_stream_pad(len)) % 4 == 0 && stun_channel_stream_pad(len) < 4;
    }
    TAP_CHECK(ok, "stream padding rounds up to 4");
    TAP_EQ_INT(stun_channel_stream_pad(65535), 1, "padding of 65535");
}

static void test_datagram(void)
{
    uint8_t buf[16] = {0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0};
    struct stun_channel_data cd;

    TAP_EQ_INT(stun_channel_decode(&cd, buf, 9, false), 9, "an unpadded datagram");
    TAP_CHECK(cd.channel == 0x4000 && cd.len == 5 && cd.data == buf + 4, "its fields");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 12, false), 9, "a padded datagram: padding ignored");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 8, false), STUN_ERR_TRUNCATED, "a short datagram");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 3, false), STUN_ERR_TRUNCATED, "a short header");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 0, false), STUN_ERR_TRUNCATED, "nothing");
    buf[0] = 0x00;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 9, false), STUN_ERR_NOT_STUN, "leading bits 00");
    buf[0] = 0x80;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 9, false), STUN_ERR_NOT_STUN, "leading bits 10");
    buf[0] = 0xC0;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 9, false), STUN_ERR_NOT_STUN, "leading bits 11");
    buf[0] = 0x7F;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 9, false), 9, "channel range is not checked here");
}

static void test_stream(void)
{
    uint8_t buf[16] = {0x4F, 0xFF, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0x40};
    struct stun_channel_data cd;
    int need_more = 0;

    for (size_t len = 0; len < 12; len++) {
        need_more += stun_channel_decode(&cd, buf, len, true) == STUN_NEED_MORE;
    }
    TAP_EQ_INT(need_more, 12, "every prefix of the padded frame needs more");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 12, true), 12, "the frame includes its padding");
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 16, true), 12, "bytes after it are left alone");
    TAP_CHECK(cd.channel == 0x4FFF && cd.len == 5 && memcmp(cd.data, "hello", 5) == 0,
              "its fields");
    buf[3] = 0;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 4, true), 4, "an empty frame is 4 bytes");
    buf[0] = 0x01;
    TAP_EQ_INT(stun_channel_decode(&cd, buf, 1, true), STUN_ERR_NOT_STUN, "a STUN byte is not");
}

int main(void)
{
    test_numbers();
    test_header_and_pad();
    test_datagram();
    test_stream();
    return tap_done();
}
