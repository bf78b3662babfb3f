/* One allocation: lifetime rule, credentials, relays, the last-answer cache. */
#include "auth/auth_key.h"
#include "stun/stun_attr.h"
#include "tap.h"
#include "turn/turn_alloc.h"
#include "util/addr.h"

#include <string.h>

static struct turn_alloc *make(const char *user, const struct auth_key *key)
{
    struct turn_packet_info info;

    memset(&info, 0, sizeof(info));
    (void)addr_parse(&info.client, "192.0.2.10:5000", 0);
    (void)addr_parse(&info.local, "192.0.2.1:3478", 0);
    info.transport = TURN_TRANSPORT_UDP;
    info.now_ms = 10000;
    return turn_alloc_new(&info, user, strlen(user), key);
}

static void test_lifetime_rule(void)
{
    struct turn_options o;

    memset(&o, 0, sizeof(o));
    o.lifetime_default_s = 600;
    o.lifetime_max_s = 3600;
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, false, 0), 600, "RFC 8656 s7.2: absent: the default");
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, true, 599), 600, "RFC 8656 s7.2: below: the default");
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, true, 601), 601, "between: as asked");
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, true, 3601), 3600, "RFC 8656 s7.2: above: the max");
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, true, UINT32_MAX), 3600, "no overflow");
    o.lifetime_max_s = 300;
    TAP_EQ_INT(turn_alloc_lifetime_s(&o, true, 1000), 600,
               "a max below the default still grants the default");
}

static void test_alloc(void)
{
    struct auth_key key;
    struct auth_key other;

    memset(&key, 0, sizeof(key));
    key.alg = STUN_PASSWORD_ALG_SHA256;
    key.len = 32;
    memset(key.bytes, 7, 32);
    other = key;
    other.bytes[31] = 8;
    struct turn_alloc *a = make("alice", &key);
    struct addr client;
    struct addr local;

    (void)addr_parse(&client, "192.0.2.10:5000", 0);
    (void)addr_parse(&local, "192.0.2.1:3478", 0);
    TAP_CHECK(strcmp(a->username, "alice") == 0, "the username is copied");
    TAP_CHECK(turn_alloc_matches(a, &client, &local, TURN_TRANSPORT_UDP), "matches its 5-tuple");
    TAP_CHECK(!turn_alloc_matches(a, &client, &local, TURN_TRANSPORT_TLS), "not another transport");
    TAP_CHECK(turn_alloc_same_credentials(a, "alice", 5, &key), "RFC 8656 s5: same credentials");
    TAP_CHECK(!turn_alloc_same_credentials(a, "alic", 4, &key), "another username is not");
    TAP_CHECK(!turn_alloc_same_credentials(a, "alice", 5, &other), "another key is not");
    other.alg = STUN_PASSWORD_ALG_MD5;
    TAP_CHECK(turn_alloc_same_credentials(a, "alice", 5, &other),
              "the key under the other password algorithm is the same credentials");
    turn_alloc_set_lifetime(a, 600, 10000);
    TAP_EQ_INT(turn_alloc_remaining_s(a, 10000), 600, "600 s left");
    TAP_EQ_INT(turn_alloc_remaining_s(a, 10001), 600, "599.999 s rounds up to 600");
    TAP_EQ_INT(turn_alloc_remaining_s(a, 610000), 0, "none at expiry");
    TAP_CHECK(turn_alloc_relay_for(a, AF_INET) == NULL, "no relay yet");
    a->relays[0].bound.family = AF_INET6;
    a->relay_count = 1;
    TAP_CHECK(turn_alloc_relay_for(a, AF_INET6) == &a->relays[0], "the IPv6 relay");
    TAP_CHECK(turn_alloc_relay_for(a, AF_INET) == NULL, "no IPv4 relay");
    turn_alloc_free(a);
    turn_alloc_free(NULL);
}

static void test_cache(void)
{
    struct auth_key key;
    uint8_t txid[STUN_TXID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t other_txid[STUN_TXID_LEN] = {0};
    uint8_t reply[TURN_ALLOC_CACHE_LEN + 1];
    size_t len = 99;

    memset(&key, 0, sizeof(key));
    memset(reply, 0x33, sizeof(reply));
    struct turn_alloc *a = make("bob", &key);

    TAP_CHECK(turn_alloc_cache_find(a, STUN_METHOD_ALLOCATE, txid, &len) == NULL && len == 0,
              "an empty cache finds nothing");
    turn_alloc_cache_store(a, STUN_METHOD_ALLOCATE, txid, reply, 100);
    const uint8_t *got = turn_alloc_cache_find(a, STUN_METHOD_ALLOCATE, txid, &len);

    TAP_CHECK(got != NULL && len == 100 && memcmp(got, reply, 100) == 0, "the kept answer");
    TAP_CHECK(turn_alloc_cache_find(a, STUN_METHOD_REFRESH, txid, &len) == NULL,
              "not for another method");
    TAP_CHECK(turn_alloc_cache_find(a, STUN_METHOD_ALLOCATE, other_txid, &len) == NULL,
              "not for another transaction");
    turn_alloc_cache_store(a, STUN_METHOD_REFRESH, txid, reply, sizeof(reply));
    TAP_CHECK(turn_alloc_cache_find(a, STUN_METHOD_ALLOCATE, txid, &len) == NULL &&
                  turn_alloc_cache_find(a, STUN_METHOD_REFRESH, txid, &len) == NULL,
              "an answer too long to keep empties the cache");
    turn_alloc_free(a);
}

static void test_bandwidth(void)
{
    struct auth_key key;

    memset(&key, 0, sizeof(key));
    struct turn_alloc *a = make("carol", &key);

    turn_alloc_bandwidth_init(a, 8000, 0);
    TAP_EQ_INT(a->to_peer.rate_per_s, 1000, "8000 bit/s is 1000 bytes a second");
    TAP_EQ_INT(a->to_peer.burst, TURN_ALLOC_MIN_BURST, "the burst is at least 64 KiB");
    turn_alloc_bandwidth_init(a, (uint64_t)8 * 1000000, 0);
    TAP_EQ_INT(a->to_client.burst, 1000000, "a second's worth above 64 KiB");
    turn_alloc_free(a);
}

int main(void)
{
    test_lifetime_rule();
    test_alloc();
    test_cache();
    test_bandwidth();
    return tap_done();
}
