/* The credential store: static users, REST usernames over several secrets, USERHASH. */
#include "auth/auth_options.h"
#include "auth/auth_store.h"
#include "stun/stun_attr.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

#define NOW_S 1600000000

/* Known answers, from md5sum and sha256sum over "name:realm:password" and "name:realm". */
static const uint8_t alice_md5[16] = {0xd9, 0x14, 0x23, 0x43, 0xfa, 0x7d, 0xa9, 0x73,
                                      0x91, 0xd7, 0x3d, 0xa9, 0xc4, 0x2b, 0x1b, 0x43};
static const uint8_t alice_sha256[32] = {
    0x9e, 0xa3, 0x68, 0x93, 0x14, 0x64, 0x9f, 0x2e, 0x2e, 0xfa, 0xde, 0xfa, 0x1d, 0xf8, 0xdd, 0x95,
    0x6b, 0x3a, 0x2b, 0x68, 0x8a, 0x38, 0xd1, 0xb4, 0x23, 0x01, 0x80, 0x9c, 0x83, 0x41, 0x1b, 0xb0,
};
static const uint8_t alice_userhash[32] = {
    0x98, 0x84, 0x2e, 0x7c, 0x91, 0x63, 0x40, 0x55, 0x8d, 0xd3, 0xfb, 0x3a, 0x7e, 0x8b, 0xd6, 0x80,
    0x15, 0xc2, 0xae, 0xb1, 0x04, 0xda, 0x3a, 0xd1, 0x2a, 0x4a, 0x00, 0x98, 0xc5, 0xc3, 0x99, 0x68,
};
static const uint8_t bob_userhash[32] = {
    0x4b, 0xa1, 0xa1, 0xe0, 0x7a, 0x42, 0xe9, 0xd4, 0x81, 0xb2, 0xc9, 0x85, 0x05, 0xe7, 0x6a, 0xf9,
    0xbc, 0xd5, 0xf5, 0x38, 0xff, 0x71, 0xde, 0x36, 0x0c, 0x1d, 0xf1, 0x8c, 0x10, 0x13, 0xb2, 0xf4,
};
/* "1700000000:alice" in realm "tern" under the secrets "north-secret" and "south-secret". */
static const uint8_t rest_north_md5[16] = {0x92, 0x47, 0x42, 0x7b, 0x14, 0x77, 0xd7, 0x83,
                                           0xde, 0xea, 0xfd, 0xf6, 0x72, 0x12, 0x2f, 0xc4};
static const uint8_t rest_south_md5[16] = {0x89, 0xc5, 0xc4, 0x1c, 0xd8, 0x82, 0x33, 0x4d,
                                           0x94, 0xda, 0x3a, 0xb9, 0x7b, 0xe6, 0x19, 0xcb};
static const uint8_t rest_north_sha256[32] = {
    0xbe, 0x35, 0xc6, 0xa0, 0xb8, 0x4c, 0x67, 0xed, 0x89, 0x84, 0x7b, 0xef, 0xde, 0xc8, 0xb0, 0x95,
    0x26, 0x51, 0x3f, 0x21, 0x85, 0xa5, 0x98, 0x97, 0x7d, 0xa7, 0xd4, 0xac, 0x4c, 0x31, 0x18, 0xfc,
};

/* struct auth_options is large (room for every user), so tests share one. */
static struct auth_options opts;

static void opts_reset(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.realm = "tern";
    opts.users[0] = (struct auth_user){"zed", "last"};
    opts.users[1] = (struct auth_user){"alice", "wonderland"};
    opts.users[2] = (struct auth_user){"bob", "builder"};
    opts.user_count = 3;
    opts.secrets[0] = "north-secret";
    opts.secrets[1] = "south-secret";
    opts.secret_count = 2;
}

static void test_static_user(const struct auth_store *store)
{
    struct auth_store_iter it;
    struct auth_key key;

    TAP_EQ_INT(auth_store_lookup(&it, store, "alice", 5, STUN_PASSWORD_ALG_MD5, NOW_S), 0,
               "finds a static user");
    TAP_CHECK(auth_store_next(&it, &key), "a static user has a key");
    TAP_CHECK(key.len == 16 && memcmp(key.bytes, alice_md5, 16) == 0,
              "the MD5 key is MD5(alice:tern:wonderland)");
    TAP_CHECK(!auth_store_next(&it, &key), "a static user has one key only");
    TAP_EQ_INT(key.len, 0, "the exhausted walk leaves a wiped key");
    TAP_EQ_INT(auth_store_lookup(&it, store, "alice", 5, STUN_PASSWORD_ALG_SHA256, NOW_S), 0,
               "finds a static user for SHA-256");
    TAP_CHECK(auth_store_next(&it, &key) && key.len == 32 &&
                  memcmp(key.bytes, alice_sha256, 32) == 0,
              "the SHA-256 key is SHA-256(alice:tern:wonderland)");
}

static void test_static_names(const struct auth_store *store)
{
    struct auth_store_iter it;

    TAP_EQ_INT(auth_store_lookup(&it, store, "zed", 3, STUN_PASSWORD_ALG_MD5, NOW_S), 0,
               "finds the user listed first in the configuration");
    TAP_EQ_INT(auth_store_lookup(&it, store, "alic", 4, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_UNKNOWN, "a prefix of a name is unknown");
    TAP_EQ_INT(auth_store_lookup(&it, store, "alicea", 6, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_UNKNOWN, "an extension of a name is unknown");
    TAP_EQ_INT(auth_store_lookup(&it, store, "carol", 5, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_UNKNOWN, "an unlisted plain name is unknown");
    TAP_EQ_INT(auth_store_lookup(&it, store, "alice", 5, 0x0003, NOW_S), AUTH_STORE_ERR_ALG,
               "an unknown algorithm is refused");
}

static void test_rest_user(const struct auth_store *store)
{
    struct auth_store_iter it;
    struct auth_key key;

    TAP_EQ_INT(auth_store_lookup(&it, store, "1700000000:alice", 16, STUN_PASSWORD_ALG_MD5, NOW_S),
               0, "a live REST username is accepted");
    TAP_CHECK(auth_store_next(&it, &key) && memcmp(key.bytes, rest_north_md5, 16) == 0,
              "the first candidate is the first secret's key");
    TAP_CHECK(auth_store_next(&it, &key) && memcmp(key.bytes, rest_south_md5, 16) == 0,
              "the second candidate is the second secret's key");
    TAP_CHECK(!auth_store_next(&it, &key), "one candidate per secret, no more");
    TAP_EQ_INT(
        auth_store_lookup(&it, store, "1700000000:alice", 16, STUN_PASSWORD_ALG_SHA256, NOW_S), 0,
        "a REST username is accepted for SHA-256");
    TAP_CHECK(auth_store_next(&it, &key) && key.len == 32 &&
                  memcmp(key.bytes, rest_north_sha256, 32) == 0,
              "the SHA-256 candidate of the first secret");
    TAP_EQ_INT(auth_store_lookup(&it, store, "1500000000:alice", 16, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_EXPIRED, "an expired REST username is refused");
    TAP_CHECK(!auth_store_next(&it, &key), "a refused lookup yields no key");
    TAP_EQ_INT(auth_store_lookup(&it, store, "17x:alice", 9, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_UNKNOWN, "a malformed REST username is unknown");
}

static void test_userhash(const struct auth_store *store)
{
    const char *name = NULL;
    size_t len = 0;
    uint8_t other[32];

    TAP_EQ_INT(auth_store_find_userhash(store, alice_userhash, &name, &len), 0,
               "finds alice by USERHASH");
    TAP_CHECK(len == 5 && name != NULL && strcmp(name, "alice") == 0, "the hash names alice");
    TAP_EQ_INT(auth_store_find_userhash(store, bob_userhash, &name, &len), 0,
               "finds bob by USERHASH");
    TAP_CHECK(len == 3 && strcmp(name, "bob") == 0, "the hash names bob");
    memcpy(other, alice_userhash, sizeof(other));
    other[31] ^= 1;
    TAP_EQ_INT(auth_store_find_userhash(store, other, &name, &len), AUTH_STORE_ERR_UNKNOWN,
               "an unknown USERHASH is unknown");
}

static void test_lookup(void)
{
    char err[AUTH_STORE_ERR_LEN];
    struct auth_store *store;

    opts_reset();
    store = auth_store_new(&opts, err);
    TAP_CHECK(store != NULL, "builds a store (%s)", store ? "ok" : err);
    if (store == NULL) {
        return;
    }
    TAP_CHECK(strcmp(auth_store_realm(store), "tern") == 0, "keeps the realm");
    TAP_EQ_INT(auth_store_user_count(store), 3, "counts the users");
    TAP_EQ_INT(auth_store_secret_count(store), 2, "counts the secrets");
    opts.users[1].password = "changed after load";
    test_static_user(store);
    test_static_names(store);
    test_rest_user(store);
    test_userhash(store);
    auth_store_free(store);
}

static void test_no_secrets(void)
{
    char err[AUTH_STORE_ERR_LEN];
    struct auth_store_iter it;
    struct auth_store *store;

    opts_reset();
    opts.secret_count = 0;
    store = auth_store_new(&opts, err);
    TAP_CHECK(store != NULL, "builds a store without secrets");
    if (store == NULL) {
        return;
    }
    TAP_EQ_INT(auth_store_lookup(&it, store, "1700000000:alice", 16, STUN_PASSWORD_ALG_MD5, NOW_S),
               AUTH_STORE_ERR_UNKNOWN, "without secrets a REST username is unknown");
    auth_store_free(store);
}

static void test_refusals(void)
{
    char err[AUTH_STORE_ERR_LEN];

    opts_reset();
    opts.users[2].name = "alice";
    TAP_CHECK(auth_store_new(&opts, err) == NULL, "refuses a user listed twice");
    TAP_CHECK(strstr(err, "alice") != NULL, "names the duplicate: %s", err);
    opts_reset();
    opts.realm = "";
    TAP_CHECK(auth_store_new(&opts, err) == NULL, "refuses an empty realm");
    opts_reset();
    opts.secrets[1] = "";
    TAP_CHECK(auth_store_new(&opts, err) == NULL, "refuses an empty secret");
    TAP_CHECK(strstr(err, "secret 2") != NULL, "says which secret: %s", err);
    opts_reset();
    opts.users[0].password = NULL;
    TAP_CHECK(auth_store_new(&opts, err) == NULL, "refuses a user without a password");
    opts_reset();
    opts.user_count = AUTH_MAX_USERS + 1;
    TAP_CHECK(auth_store_new(&opts, err) == NULL, "refuses too many users");
    auth_store_free(NULL);
    TAP_CHECK(true, "freeing NULL is a no-op");
}

int main(void)
{
    test_lookup();
    test_no_secrets();
    test_refusals();
    return tap_done();
}
