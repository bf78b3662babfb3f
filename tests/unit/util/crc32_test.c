/* CRC-32 of util/crc32.c against published check values and a bit-at-a-time reference. */
#include "tap.h"
#include "util/crc32.h"

#include <stdint.h>
#include <string.h>

/* The textbook bitwise CRC-32 (reflected polynomial 0xEDB88320), independent of the table. */
static uint32_t test_crc32_bitwise(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;

    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
    }
    return ~crc;
}

static void test_check_values(void)
{
    const char *fox = "The quick brown fox jumps over the lazy dog";

    TAP_EQ_INT(crc32_ieee((const uint8_t *)"123456789", 9), 0xCBF43926u, "CRC-32 check value");
    TAP_EQ_INT(crc32_ieee((const uint8_t *)fox, strlen(fox)), 0x414FA339u, "CRC-32 of the fox");
    TAP_EQ_INT(crc32_ieee(NULL, 0), 0, "CRC-32 of nothing is 0");
    TAP_EQ_INT(crc32_ieee((const uint8_t *)"a", 1), 0xE8B7BE43u, "CRC-32 of \"a\"");
}

static void test_against_reference(void)
{
    uint8_t data[1024];
    uint32_t x = 0x12345678u;
    int mismatches = 0;

    for (size_t i = 0; i < sizeof(data); i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    for (size_t len = 0; len <= sizeof(data); len += 37) {
        if (crc32_ieee(data, len) != test_crc32_bitwise(data, len)) {
            mismatches++;
        }
    }
    TAP_EQ_INT(mismatches, 0, "table CRC matches the bitwise reference on 28 lengths");
    /* Every byte value goes through the table. */
    for (unsigned b = 0; b < 256; b++) {
        uint8_t one = (uint8_t)b;

        if (crc32_ieee(&one, 1) != test_crc32_bitwise(&one, 1)) {
            mismatches++;
        }
    }
    TAP_EQ_INT(mismatches, 0, "every table entry matches the reference");
}

static void test_update_chains(void)
{
    const uint8_t *msg = (const uint8_t *)"123456789";
    int ok = 1;

    for (size_t split = 0; split <= 9; split++) {
        uint32_t crc = crc32_ieee_update(crc32_ieee(msg, split), msg + split, 9 - split);

        ok = ok && crc == 0xCBF43926u;
    }
    TAP_CHECK(ok, "crc32_ieee_update continues a CRC at every split point");
    TAP_EQ_INT(crc32_ieee_update(0xCBF43926u, NULL, 0), 0xCBF43926u, "empty update is identity");
}

int main(void)
{
    test_check_values();
    test_against_reference();
    test_update_chains();
    return tap_done();
}
