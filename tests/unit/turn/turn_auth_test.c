/* The long-term credential mechanism (RFC 8489 section 9.2.4) as the worker applies it. */
#include "auth/auth_key.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_nonce.h"
#include "tap.h"
#include "turn_fake.h"

#include <string.h>

static struct turn_fake fake;

/* Which parts a hand-built Allocate carries. */
struct parts {
    bool username;
    bool userhash;
    bool realm;
    bool nonce;
    int algorithms; /* 0: none, 1: ours, 2: MD5 only */
    int algorithm;  /* 0: none, else the number */
    bool sha1;
    bool sha256;
};

static const struct parts all_parts = {true,  false, true, true, 1, STUN_PASSWORD_ALG_SHA256,
                                       false, true};

static int send_parts(const struct parts *p)
{
    static const uint16_t ours[] = {STUN_PASSWORD_ALG_SHA256, STUN_PASSWORD_ALG_MD5};
    static const uint16_t md5_only[] = {STUN_PASSWORD_ALG_MD5};
    struct stun_builder b;

    turn_fake_begin(&fake, &b, STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST);
    stun_build_u8(&b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
    if (p->username) {
        stun_build_string(&b, STUN_ATTR_USERNAME, fake.username);
    }
    if (p->userhash) {
        uint8_t hash[AUTH_KEY_USERHASH_LEN];
        struct auth_key_id id = {fake.username, strlen(fake.username), TURN_FAKE_REALM,
                                 strlen(TURN_FAKE_REALM)};

        (void)auth_key_userhash(hash, &id);
        stun_build_raw(&b, STUN_ATTR_USERHASH, hash, sizeof(hash));
    }
    if (p->realm) {
        stun_build_string(&b, STUN_ATTR_REALM, TURN_FAKE_REALM);
    }
    if (p->nonce) {
        stun_build_string(&b, STUN_ATTR_NONCE, fake.nonce);
    }
    if (p->algorithms == 1) {
        stun_build_algorithms(&b, ours, 2);
    } else if (p->algorithms == 2) {
        stun_build_algorithms(&b, md5_only, 1);
    }
    if (p->algorithm != 0) {
        stun_build_algorithm(&b, (uint16_t)p->algorithm);
    }
    if (p->sha1) {
        stun_build_integrity(&b, fake.key.bytes, fake.key.len);
    }
    if (p->sha256) {
        stun_build_integrity_sha256(&b, fake.key.bytes, fake.key.len, 32);
    }
    turn_fake_end(&fake, &b);
    (void)turn_fake_deliver(&fake);
    return turn_fake_code(&fake);
}

/* A fresh worker and a nonce from a first challenge. */
static void start(void)
{
    turn_fake_setup(&fake);
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    (void)turn_fake_take_nonce(&fake);
}

static void test_challenge(void)
{
    uint16_t algs[4];
    uint32_t features = 0;

    start();
    TAP_EQ_INT(turn_fake_code(&fake), 401, "RFC 8489 s9.2.4: no integrity is 401");
    TAP_EQ_INT(stun_attr_get_algorithms(&fake.resp, algs, 4), 2,
               "PASSWORD-ALGORITHMS offers two algorithms");
    TAP_CHECK(algs[0] == STUN_PASSWORD_ALG_SHA256 && algs[1] == STUN_PASSWORD_ALG_MD5,
              "SHA-256 first, then MD5");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)fake.nonce, strlen(fake.nonce), &features),
               0, "RFC 8489 s9.2: the nonce starts with the cookie");
    TAP_EQ_INT(features, STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS,
               "RFC 8489 s9.2.4: PASSWORD-ALGORITHMS sent: the feature bit is set");
    TAP_EQ_INT(send_parts(&all_parts), 0, "all parts: authenticated");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "the response is signed");
    turn_fake_teardown(&fake);
}

static void test_missing(void)
{
    struct parts p;

    start();
    p = all_parts;
    p.username = false;
    TAP_EQ_INT(send_parts(&p), 400, "RFC 8489 s9.2.4: integrity without USERNAME is 400");
    TAP_CHECK(fake.resp.integrity_idx < 0 && fake.resp.integrity_sha256_idx < 0,
              "the 400 cannot carry integrity");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_NONCE) == NULL, "nor a NONCE");
    p = all_parts;
    p.realm = false;
    TAP_EQ_INT(send_parts(&p), 400, "RFC 8489 s9.2.4: integrity without REALM is 400");
    p = all_parts;
    p.nonce = false;
    TAP_EQ_INT(send_parts(&p), 400, "RFC 8489 s9.2.4: integrity without NONCE is 400");
    TAP_EQ_INT(turn_worker_counters(fake.w)->auth_failures[TURN_AUTH_FAILURE_BAD_REQUEST], 3,
               "auth_failures[BAD_REQUEST]");
    turn_fake_teardown(&fake);
}

static void test_bid_down(void)
{
    struct parts p;

    start();
    p = all_parts;
    p.algorithms = 2;
    p.algorithm = STUN_PASSWORD_ALG_MD5;
    turn_fake_use_static(&fake, TURN_FAKE_USER, TURN_FAKE_PASSWORD, STUN_PASSWORD_ALG_MD5);
    TAP_EQ_INT(send_parts(&p), 400,
               "RFC 8489 s9.2.4: PASSWORD-ALGORITHMS other than the server's is 400");
    p = all_parts;
    p.algorithm = 0;
    TAP_EQ_INT(send_parts(&p), 400, "PASSWORD-ALGORITHMS without PASSWORD-ALGORITHM is 400");
    p = all_parts;
    p.algorithms = 0;
    TAP_EQ_INT(send_parts(&p), 400, "PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS is 400");
    p = all_parts;
    p.algorithm = 0x0003;
    TAP_EQ_INT(send_parts(&p), 400, "a PASSWORD-ALGORITHM not offered is 400");
    p = all_parts;
    p.algorithms = 0;
    p.algorithm = 0;
    TAP_EQ_INT(send_parts(&p), 0, "RFC 8489 s9.2.4: neither attribute: MD5 (an MD5 key works)");
    fake.client.port++;
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    (void)turn_fake_take_nonce(&fake);
    turn_fake_use_static(&fake, TURN_FAKE_USER, TURN_FAKE_PASSWORD, STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(send_parts(&p), 401, "neither attribute and a SHA-256 key: 401");
    p = all_parts;
    p.algorithm = STUN_PASSWORD_ALG_SHA256;
    TAP_EQ_INT(send_parts(&p), 0, "PASSWORD-ALGORITHM SHA-256 with a SHA-256 key works");
    turn_fake_teardown(&fake);
}

static void test_wrong(void)
{
    struct parts p = all_parts;

    start();
    turn_fake_use_static(&fake, "mallory", "guess", STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(send_parts(&p), 401, "RFC 8489 s9.2.4: an unknown user is 401");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_REALM) != NULL &&
                  stun_msg_find(&fake.resp, STUN_ATTR_NONCE) != NULL,
              "with REALM and NONCE");
    turn_fake_use_static(&fake, TURN_FAKE_USER, "wrong", STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(send_parts(&p), 401, "RFC 8489 s9.2.4: a wrong password is 401");
    TAP_CHECK(fake.resp.integrity_sha256_idx < 0, "with no integrity");
    TAP_EQ_INT(turn_worker_counters(fake.w)->auth_failures[TURN_AUTH_FAILURE_UNKNOWN_USER], 1,
               "auth_failures[UNKNOWN_USER]");
    TAP_EQ_INT(turn_worker_counters(fake.w)->auth_failures[TURN_AUTH_FAILURE_INTEGRITY], 1,
               "auth_failures[INTEGRITY]");
    turn_fake_teardown(&fake);
}

static void test_nonce(void)
{
    struct parts p = all_parts;

    start();
    fake.now_s += 601;
    TAP_EQ_INT(send_parts(&p), 438, "RFC 8489 s9.2.4: a stale nonce is 438");
    TAP_CHECK(fake.resp.integrity_sha256_idx < 0 && fake.resp.integrity_idx < 0,
              "the 438 carries no integrity");
    TAP_CHECK(stun_msg_find(&fake.resp, STUN_ATTR_PASSWORD_ALGORITHMS) != NULL,
              "RFC 8489 s9.2.4: the 438 carries PASSWORD-ALGORITHMS");
    TAP_CHECK(turn_fake_take_nonce(&fake), "and a fresh NONCE");
    TAP_EQ_INT(send_parts(&p), 0, "which works");
    fake.client.port++;
    TAP_EQ_INT(send_parts(&p), 438, "a nonce from another client port is 438");
    (void)turn_fake_take_nonce(&fake);
    fake.nonce[20] = fake.nonce[20] == 'A' ? 'B' : 'A';
    TAP_EQ_INT(send_parts(&p), 438, "a forged nonce (integrity good) is 438");
    TAP_EQ_INT(turn_worker_counters(fake.w)->auth_failures[TURN_AUTH_FAILURE_STALE_NONCE], 3,
               "auth_failures[STALE_NONCE]");
    turn_fake_teardown(&fake);
}

static void test_integrity_kinds(void)
{
    struct parts p = all_parts;

    start();
    p.sha1 = true;
    p.sha256 = true;
    TAP_EQ_INT(send_parts(&p), 0, "both integrity attributes: accepted");
    TAP_CHECK(fake.resp.integrity_sha256_idx >= 0, "RFC 8489 s9.2.4: SHA-256 preferred");
    fake.client.port++;
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    (void)turn_fake_take_nonce(&fake);
    p.sha256 = false;
    TAP_EQ_INT(send_parts(&p), 0, "MESSAGE-INTEGRITY alone with a SHA-256 key works");
    TAP_CHECK(fake.resp.integrity_idx >= 0 && fake.resp.integrity_sha256_idx < 0,
              "and is answered with MESSAGE-INTEGRITY");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "that verifies");
    turn_fake_teardown(&fake);
}

static void test_userhash(void)
{
    struct parts p = all_parts;

    start();
    p.username = false;
    p.userhash = true;
    TAP_EQ_INT(send_parts(&p), 0, "RFC 8489 s14.4: USERHASH of a static user authenticates");
    TAP_EQ_INT(turn_fake_refresh(&fake, 600), 0, "a later USERNAME request is the same user");
    fake.client.port++;
    (void)turn_fake_send(&fake, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL, false);
    (void)turn_fake_take_nonce(&fake);
    turn_fake_use_static(&fake, "nobody", "x", STUN_PASSWORD_ALG_SHA256);
    TAP_EQ_INT(send_parts(&p), 401, "an unknown USERHASH is 401");
    turn_fake_teardown(&fake);
}

static void test_rotation(void)
{
    turn_fake_init(&fake);
    fake.auth_opts.secrets[0] = "new-secret";
    fake.auth_opts.secrets[1] = TURN_FAKE_SECRET;
    fake.auth_opts.secret_count = 2;
    turn_fake_start(&fake);
    turn_fake_use_rest(&fake, "dave", fake.now_s + 60, STUN_PASSWORD_ALG_MD5);
    fake.use_sha256 = false;
    TAP_EQ_INT(turn_fake_allocate(&fake), 0, "a REST username under the second live secret");
    TAP_CHECK(turn_fake_reply_verifies(&fake), "is answered under its key");
    turn_fake_teardown(&fake);
}

int main(void)
{
    test_challenge();
    test_missing();
    test_bid_down();
    test_wrong();
    test_nonce();
    test_integrity_kinds();
    test_userhash();
    test_rotation();
    return tap_done();
}
