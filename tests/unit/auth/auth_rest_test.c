/* The <expiry>:<user> shared-secret scheme: parsing, expiry, passwords, minting, keys. */
#include "auth/auth_rest.h"
#include "stun/stun_attr.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

#define NOW_S 1600000000

static void check_parse_ok(const char *s, int64_t expiry_s, const char *user)
{
    struct auth_rest_username u;
    int rc = auth_rest_parse(&u, s, strlen(s));

    TAP_EQ_INT(rc, 0, "\"%s\" parses", s);
    if (rc != 0) {
        return;
    }
    TAP_EQ_INT(u.expiry_s, expiry_s, "\"%s\" has expiry %lld", s, (long long)expiry_s);
    if (user == NULL) {
        TAP_CHECK(u.user == NULL && u.user_len == 0, "\"%s\" has no user part", s);
    } else {
        TAP_CHECK(u.user_len == strlen(user) && memcmp(u.user, user, u.user_len) == 0,
                  "\"%s\" has user \"%s\"", s, user);
    }
}

static void check_parse_bad(const char *s, size_t len)
{
    struct auth_rest_username u;

    /* Long inputs are shown by their first 40 bytes. */
    TAP_EQ_INT(auth_rest_parse(&u, s, len), AUTH_REST_ERR_MALFORMED,
               "\"%.*s\" (%zu bytes) is refused", (int)(len < 40 ? len : 40), s, len);
}

static void test_parse(void)
{
    static char longest[AUTH_REST_USERNAME_MAX + 2];
    struct auth_rest_username u;

    check_parse_ok("1700000000", 1700000000, NULL);
    check_parse_ok("1700000000:alice", 1700000000, "alice");
    check_parse_ok("1700000000:a:b", 1700000000, "a:b");
    check_parse_ok("0", 0, NULL);
    check_parse_ok("9223372036854775807:x", INT64_MAX, "x");
    check_parse_bad("", 0);
    check_parse_bad(":alice", 6);
    check_parse_bad("-5:a", 4);
    check_parse_bad("+5:a", 4);
    check_parse_bad(" 5:a", 4);
    check_parse_bad("99999999999999999999:a", 22);
    check_parse_bad("9223372036854775808:a", 21);
    check_parse_bad("abc", 3);
    check_parse_bad("17a:alice", 9);
    check_parse_bad("0170:alice", 10);
    check_parse_bad("1700000000:", 11);
    check_parse_bad("1700\0000000", 10);
    memset(longest, '1', sizeof(longest));
    longest[10] = ':';
    check_parse_bad(longest, AUTH_REST_USERNAME_MAX + 1);
    TAP_EQ_INT(auth_rest_parse(&u, longest, AUTH_REST_USERNAME_MAX), 0,
               "a username of exactly %d bytes parses", AUTH_REST_USERNAME_MAX);
}

static void test_expiry(void)
{
    struct auth_rest_username u;

    TAP_EQ_INT(auth_rest_check_expiry("1700000000:alice", 16, NOW_S), 0, "a future expiry works");
    TAP_EQ_INT(auth_rest_check_expiry("1700000000:alice", 16, 1700000000), AUTH_REST_ERR_EXPIRED,
               "the expiry second itself is expired");
    TAP_EQ_INT(auth_rest_check_expiry("1700000000:alice", 16, 1699999999), 0,
               "the second before the expiry works");
    TAP_EQ_INT(auth_rest_check_expiry("1500000000:alice", 16, NOW_S), AUTH_REST_ERR_EXPIRED,
               "a past expiry is refused");
    TAP_EQ_INT(auth_rest_check_expiry("alice", 5, NOW_S), AUTH_REST_ERR_MALFORMED,
               "a plain name is malformed, not expired");
    TAP_EQ_INT(auth_rest_parse(&u, "1700000000", 10), 0, "parses for is_expired");
    TAP_CHECK(!auth_rest_is_expired(&u, NOW_S), "not expired before");
    TAP_CHECK(auth_rest_is_expired(&u, 1800000000), "expired after");
}

static void test_password(void)
{
    /* Known answers from: printf '%s' USERNAME | openssl dgst -sha1 -hmac SECRET -binary | base64
     */
    char out[AUTH_REST_PASSWORD_LEN + 1];

    TAP_EQ_INT(auth_rest_password("north-secret", 12, "1700000000:alice", 16, out, sizeof(out)),
               AUTH_REST_PASSWORD_LEN, "mints a 28-character password");
    TAP_CHECK(strcmp(out, "g+jb180fcj+xlpA/2mP60OdIgU0=") == 0, "password of 1700000000:alice");
    TAP_EQ_INT(auth_rest_password("south-secret", 12, "1700000000:alice", 16, out, sizeof(out)),
               AUTH_REST_PASSWORD_LEN, "mints under another secret");
    TAP_CHECK(strcmp(out, "vrczJ4LAk4Vli1P7hiL4bQgl7AE=") == 0, "the other secret's password");
    TAP_EQ_INT(auth_rest_password("north-secret", 12, "1700000000", 10, out, sizeof(out)),
               AUTH_REST_PASSWORD_LEN, "mints for an expiry-only username");
    TAP_CHECK(strcmp(out, "KSVUc7JbPzLiz2XwcNjXxFmbP04=") == 0, "password of 1700000000");
    TAP_EQ_INT(auth_rest_password("north-secret", 12, "1700000000", 10, out, sizeof(out) - 1),
               AUTH_REST_ERR_SPACE, "refuses a buffer without room for the NUL");
}

static void test_username_make(void)
{
    char out[AUTH_REST_USERNAME_MAX + 1];
    static char long_user[AUTH_REST_USERNAME_MAX];
    char small[12];
    struct auth_rest_username u;

    TAP_EQ_INT(auth_rest_username_make("alice", 5, NOW_S, 86400, out, sizeof(out)), 16,
               "mints a username");
    TAP_CHECK(strcmp(out, "1600086400:alice") == 0, "the username is <now+ttl>:<user>");
    TAP_EQ_INT(auth_rest_username_make(NULL, 0, NOW_S, 60, out, sizeof(out)), 10,
               "mints an expiry-only username");
    TAP_CHECK(strcmp(out, "1600000060") == 0, "an expiry-only username has no colon");
    TAP_EQ_INT(auth_rest_username_make("alice", 5, NOW_S, 60, small, sizeof(small)),
               AUTH_REST_ERR_SPACE, "refuses a small buffer");
    TAP_EQ_INT(auth_rest_username_make("a", 1, INT64_MAX - 5, 60, out, sizeof(out)),
               AUTH_REST_ERR_MALFORMED, "refuses an expiry past INT64_MAX");
    TAP_EQ_INT(auth_rest_username_make("a", 1, -1, 60, out, sizeof(out)), AUTH_REST_ERR_MALFORMED,
               "refuses a time before the epoch");
    memset(long_user, 'u', sizeof(long_user));
    TAP_EQ_INT(auth_rest_username_make(long_user, sizeof(long_user), NOW_S, 60, out, sizeof(out)),
               AUTH_REST_ERR_MALFORMED, "refuses a username longer than STUN allows");
    TAP_EQ_INT(auth_rest_username_make("bob:x", 5, NOW_S, 60, out, sizeof(out)), 16,
               "mints with a colon in the user");
    TAP_EQ_INT(auth_rest_parse(&u, out, strlen(out)), 0, "a minted username parses");
    TAP_CHECK(u.expiry_s == NOW_S + 60 && u.user_len == 5 && memcmp(u.user, "bob:x", 5) == 0,
              "parsing gives back what was minted");
}

static void test_two_secrets(void)
{
    /* MD5("1700000000:alice:tern:" password) for each secret's password, from md5sum. */
    static const uint8_t want_north[16] = {0x92, 0x47, 0x42, 0x7b, 0x14, 0x77, 0xd7, 0x83,
                                           0xde, 0xea, 0xfd, 0xf6, 0x72, 0x12, 0x2f, 0xc4};
    static const uint8_t want_south[16] = {0x89, 0xc5, 0xc4, 0x1c, 0xd8, 0x82, 0x33, 0x4d,
                                           0x94, 0xda, 0x3a, 0xb9, 0x7b, 0xe6, 0x19, 0xcb};
    const struct auth_key_id id = {"1700000000:alice", 16, "tern", 4};
    struct auth_key key;

    TAP_EQ_INT(auth_rest_key(&key, STUN_PASSWORD_ALG_MD5, &id, "north-secret", 12), 0,
               "derives the key under the first secret");
    TAP_EQ_MEM(key.bytes, want_north, 16, "the first secret's key is MD5(user:realm:password)");
    TAP_EQ_INT(auth_rest_key(&key, STUN_PASSWORD_ALG_MD5, &id, "south-secret", 12), 0,
               "derives the key under the second secret");
    TAP_EQ_MEM(key.bytes, want_south, 16, "the second secret gives its own key");
    TAP_EQ_INT(auth_rest_key(&key, 0x0009, &id, "south-secret", 12), -1,
               "refuses an unknown algorithm");
}

int main(void)
{
    test_parse();
    test_expiry();
    test_password();
    test_username_make();
    test_two_secrets();
    return tap_done();
}
