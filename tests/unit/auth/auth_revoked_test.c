/* Revoked usernames: exact names, REST user parts, moments, duplicates, and the store's refusal. */
#include "auth/auth_revoked.h"
#include "auth/auth_store.h"
#include "stun/stun_attr.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

#define NOW_S 1700000000

static struct auth_revoked *revoked_of(const char *const *names, const int64_t *until, size_t n)
{
    struct auth_revoked *r = auth_revoked_new();

    for (size_t i = 0; i < n; i++) {
        (void)auth_revoked_add(r, names[i], strlen(names[i]), until[i]);
    }
    auth_revoked_seal(r);
    return r;
}

static bool has(const struct auth_revoked *r, const char *name, int64_t now_s)
{
    return auth_revoked_has(r, name, strlen(name), now_s);
}

static void test_matching(void)
{
    static const char *const names[] = {"alice", "1800000000:bob", "carol", "dave"};
    static const int64_t until[] = {INT64_MAX, INT64_MAX, NOW_S + 10, NOW_S};
    struct auth_revoked *r = revoked_of(names, until, 4);

    TAP_EQ_INT(auth_revoked_count(r), 4, "holds four names");
    TAP_CHECK(has(r, "alice", NOW_S), "refuses the exact name");
    TAP_CHECK(has(r, "1800000000:alice", NOW_S), "refuses a REST username of the user");
    TAP_CHECK(!has(r, "1800000000:alice2", NOW_S), "not a longer user");
    TAP_CHECK(!has(r, "alic", NOW_S), "not a prefix");
    TAP_CHECK(!has(r, "x1800000000:alice", NOW_S), "not a malformed REST username");
    TAP_CHECK(has(r, "1800000000:bob", NOW_S), "refuses one revoked credential");
    TAP_CHECK(!has(r, "1800000001:bob", NOW_S), "but not another of the same user");
    TAP_CHECK(!has(r, "bob", NOW_S), "nor the user part alone");
    TAP_CHECK(has(r, "1800000000:carol", NOW_S + 9), "refused before its moment");
    TAP_CHECK(!has(r, "1800000000:carol", NOW_S + 10), "accepted from its moment on");
    TAP_CHECK(!has(r, "dave", NOW_S), "a moment already past revokes nothing");
    TAP_CHECK(!has(r, "", NOW_S), "the empty name is not revoked");
    TAP_CHECK(!has(NULL, "alice", NOW_S), "NULL is the empty set");
    TAP_CHECK(auth_revoked_holds(r, "alice", 5, NOW_S), "holds alice itself");
    TAP_CHECK(!auth_revoked_holds(r, "1800000000:alice", 16, NOW_S), "holds no REST username");
    auth_revoked_free(r);
}

static void test_building(void)
{
    static const char *const names[] = {"zed", "amy", "zed", "amy"};
    static const int64_t until[] = {NOW_S + 5, NOW_S + 50, NOW_S + 60, NOW_S + 1};
    struct auth_revoked *r = revoked_of(names, until, 4);
    int64_t u = 0;
    char long_name[AUTH_REVOKED_NAME_MAX + 2];

    TAP_EQ_INT(auth_revoked_count(r), 2, "duplicates are merged");
    TAP_CHECK(strcmp(auth_revoked_name(r, 0, &u), "amy") == 0, "names are sorted");
    TAP_EQ_INT(u, NOW_S + 50, "a duplicate keeps the later moment (first)");
    (void)auth_revoked_name(r, 1, &u);
    TAP_EQ_INT(u, NOW_S + 60, "a duplicate keeps the later moment (second)");
    TAP_EQ_INT(auth_revoked_add(r, "x", 1, NOW_S), -1, "a sealed set takes no more names");
    struct auth_revoked *c = auth_revoked_copy(r);
    TAP_CHECK(auth_revoked_count(c) == 2 && has(c, "1800000000:zed", NOW_S + 59) &&
                  !has(c, "amy", NOW_S + 50),
              "a copy holds the same names and moments");
    auth_revoked_free(c);
    c = auth_revoked_copy(NULL);
    TAP_EQ_INT(auth_revoked_count(c), 0, "a copy of NULL is empty");
    auth_revoked_free(c);
    auth_revoked_free(r);
    r = auth_revoked_new();
    memset(long_name, 'a', sizeof(long_name));
    TAP_EQ_INT(auth_revoked_add(r, "", 0, NOW_S), -1, "refuses an empty name");
    TAP_EQ_INT(auth_revoked_add(r, long_name, AUTH_REVOKED_NAME_MAX + 1, NOW_S), -1,
               "refuses a name longer than a USERNAME");
    TAP_EQ_INT(auth_revoked_add(r, long_name, AUTH_REVOKED_NAME_MAX, NOW_S), 0,
               "takes the longest name");
    auth_revoked_seal(r);
    auth_revoked_free(r);
    auth_revoked_free(NULL);
    TAP_CHECK(true, "freeing NULL is a no-op");
}

static void test_store(void)
{
    static struct auth_options opts;
    static const char *const names[] = {"mallory", "alice"};
    static const int64_t until[] = {INT64_MAX, INT64_MAX};
    char err[AUTH_STORE_ERR_LEN];
    struct auth_store_iter it;

    opts.realm = "tern";
    opts.users[0] = (struct auth_user){"alice", "wonderland"};
    opts.users[1] = (struct auth_user){"bob", "builder"};
    opts.user_count = 2;
    opts.secrets[0] = "north-secret";
    opts.secret_count = 1;
    struct auth_store *store = auth_store_new(&opts, err);

    TAP_CHECK(store != NULL, "builds a store");
    TAP_EQ_INT(
        auth_store_lookup(&it, store, "1800000000:mallory", 18, STUN_PASSWORD_ALG_MD5, NOW_S), 0,
        "mallory is accepted before the revocation");
    auth_store_set_revoked(store, revoked_of(names, until, 2));
    TAP_EQ_INT(
        auth_store_lookup(&it, store, "1800000000:mallory", 18, STUN_PASSWORD_ALG_MD5, NOW_S),
        AUTH_STORE_ERR_REVOKED, "a revoked REST user is refused");
    TAP_EQ_INT(auth_store_lookup(&it, store, "alice", 5, STUN_PASSWORD_ALG_SHA256, NOW_S),
               AUTH_STORE_ERR_REVOKED, "a revoked static user is refused");
    TAP_EQ_INT(auth_store_lookup(&it, store, "bob", 3, STUN_PASSWORD_ALG_MD5, NOW_S), 0,
               "another user still works");
    TAP_CHECK(strcmp(auth_store_mint_secret(store), "north-secret") == 0, "the first secret mints");
    auth_store_set_revoked(store, NULL);
    TAP_EQ_INT(auth_store_lookup(&it, store, "alice", 5, STUN_PASSWORD_ALG_MD5, NOW_S), 0,
               "a store without revocations accepts alice again");
    auth_store_free(store);
}

int main(void)
{
    test_matching();
    test_building();
    test_store();
    return tap_done();
}
