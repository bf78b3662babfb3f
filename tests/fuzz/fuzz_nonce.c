/*
 * Fuzzes nonce verification (auth_nonce_verify, stun_nonce_cookie_parse) on arbitrary bytes, then
 * runs a make/verify round trip whose client, time and features come from the input.
 * Invariants: only a nonce of exactly AUTH_NONCE_LEN characters can be accepted; features
 * read from a cookie fit in 24 bits; a made nonce verifies for its client and time and is
 * refused for a neighbouring port.
 */
#include "auth/auth_nonce.h"
#include "stun/stun_nonce.h"
#include "util/addr.h"
#include "util/bytes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FUZZ_NONCE_NOW_S      1700000000
#define FUZZ_NONCE_LIFETIME_S 600

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_nonce_key[AUTH_NONCE_KEY_LEN] = {
    0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30,
    0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x21,
};

static void fuzz_nonce_check_verify(const uint8_t *data, size_t size)
{
    struct addr client;
    uint32_t features = 0;

    memset(&client, 0, sizeof(client));
    client.family = AF_INET;
    client.port = 3478;
    memcpy(client.ip, "\xc0\x00\x02\x01", 4);
    if (auth_nonce_verify(fuzz_nonce_key, &client, (const char *)data, size, FUZZ_NONCE_NOW_S,
                          FUZZ_NONCE_LIFETIME_S) != AUTH_NONCE_INVALID &&
        size != AUTH_NONCE_LEN) {
        abort();
    }
    if (stun_nonce_cookie_parse(data, size, &features) == 0 && features > STUN_NONCE_FEATURE_MASK) {
        abort();
    }
}

/* Input layout: issue time (8), port (2), features (3), IPv6 flag (1), IP (16). */
static void fuzz_nonce_round_trip(const uint8_t *data, size_t size)
{
    char nonce[AUTH_NONCE_LEN + 1];
    struct addr client;
    int64_t now_s;
    uint32_t features;

    if (size < 30) {
        return;
    }
    now_s = (int64_t)(((uint64_t)bytes_get_u32(data) << 32) | bytes_get_u32(data + 4));
    memset(&client, 0, sizeof(client));
    client.port = bytes_get_u16(data + 8);
    features = ((uint32_t)data[10] << 16) | ((uint32_t)data[11] << 8) | data[12];
    client.family = (data[13] & 1) ? AF_INET6 : AF_INET;
    memcpy(client.ip, data + 14, client.family == AF_INET6 ? 16 : 4);
    if (auth_nonce_make(nonce, sizeof(nonce), fuzz_nonce_key, &client, now_s, features) !=
        AUTH_NONCE_LEN) {
        abort();
    }
    if (auth_nonce_verify(fuzz_nonce_key, &client, nonce, AUTH_NONCE_LEN, now_s, 0) !=
        AUTH_NONCE_OK) {
        abort();
    }
    client.port = (uint16_t)(client.port + 1);
    if (auth_nonce_verify(fuzz_nonce_key, &client, nonce, AUTH_NONCE_LEN, now_s, 0) !=
        AUTH_NONCE_INVALID) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_nonce_check_verify(data, size);
    fuzz_nonce_round_trip(data, size);
    return 0;
}
