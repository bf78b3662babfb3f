#include "auth/auth_store.h"

#include "auth/auth_rest.h"
#include "stun/stun_attr.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 8489 section 14.9: a REALM is at most 763 bytes. */
#define AUTH_STORE_REALM_MAX 763

struct auth_store_user {
    char *name; /* owned, NUL-terminated */
    size_t name_len;
    struct auth_key md5;
    struct auth_key sha256;
};

/* One row of the USERHASH index. */
struct auth_store_hash {
    uint8_t userhash[AUTH_KEY_USERHASH_LEN];
    const struct auth_store_user *user;
};

struct auth_store_secret {
    char *bytes; /* owned, NUL-terminated */
    size_t len;
};

struct auth_store {
    char *realm; /* owned */
    size_t realm_len;
    struct auth_store_user *users; /* sorted by name, for binary search */
    size_t user_count;
    struct auth_store_hash *by_hash;   /* one row per user, sorted by USERHASH */
    struct auth_store_secret *secrets; /* in configuration order: the first one mints */
    size_t secret_count;
    struct auth_revoked *revoked; /* owned, or NULL */
};

/* Orders byte strings as memcmp does, a prefix before its extensions. */
static int auth_store_name_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);

    if (c != 0) {
        return c;
    }
    return (a_len > b_len) - (a_len < b_len);
}

static int auth_store_user_cmp(const void *a, const void *b)
{
    const struct auth_store_user *ua = a;
    const struct auth_store_user *ub = b;

    return auth_store_name_cmp(ua->name, ua->name_len, ub->name, ub->name_len);
}

static int auth_store_hash_cmp(const void *a, const void *b)
{
    const struct auth_store_hash *ha = a;
    const struct auth_store_hash *hb = b;

    return memcmp(ha->userhash, hb->userhash, AUTH_KEY_USERHASH_LEN);
}

/* Fills u from the configured user c: copies the name and derives the keys. */
static int auth_store_user_init(struct auth_store_user *u, const struct auth_user *c,
                                const struct auth_store *store)
{
    size_t password_len = strlen(c->password);
    struct auth_key_id id;

    u->name = xstrdup(c->name);
    u->name_len = strlen(c->name);
    id.username = u->name;
    id.username_len = u->name_len;
    id.realm = store->realm;
    id.realm_len = store->realm_len;
    if (auth_key_derive(&u->md5, STUN_PASSWORD_ALG_MD5, &id, c->password, password_len) != 0 ||
        auth_key_derive(&u->sha256, STUN_PASSWORD_ALG_SHA256, &id, c->password, password_len) !=
            0) {
        return -1;
    }
    return 0;
}

/* Checks the configured users before anything is derived. Returns 0, or -1 with err set. */
static int auth_store_check_users(const struct auth_options *opts, char *err)
{
    if (opts->user_count > AUTH_MAX_USERS) {
        (void)snprintf(err, AUTH_STORE_ERR_LEN, "too many users (%zu, at most %d)",
                       opts->user_count, AUTH_MAX_USERS);
        return -1;
    }
    for (size_t i = 0; i < opts->user_count; i++) {
        const struct auth_user *c = &opts->users[i];
        if (c->name == NULL || c->name[0] == '\0' || c->password == NULL) {
            (void)snprintf(err, AUTH_STORE_ERR_LEN, "user %zu has no name or no password", i + 1);
            return -1;
        }
        /* RFC 8489 section 14.3: a USERNAME is fewer than 509 bytes. */
        if (strlen(c->name) > AUTH_REST_USERNAME_MAX) {
            (void)snprintf(err, AUTH_STORE_ERR_LEN, "user %zu: name longer than %d bytes", i + 1,
                           AUTH_REST_USERNAME_MAX);
            return -1;
        }
    }
    return 0;
}

/* Builds the USERHASH index over the sorted users (RFC 8489 section 14.4). Returns 0 or -1. */
static int auth_store_index_hashes(struct auth_store *store)
{
    store->by_hash = xcalloc(store->user_count, sizeof(*store->by_hash));
    for (size_t i = 0; i < store->user_count; i++) {
        const struct auth_store_user *u = &store->users[i];
        const struct auth_key_id id = {u->name, u->name_len, store->realm, store->realm_len};
        store->by_hash[i].user = u;
        if (auth_key_userhash(store->by_hash[i].userhash, &id) != 0) {
            return -1;
        }
    }
    qsort(store->by_hash, store->user_count, sizeof(*store->by_hash), auth_store_hash_cmp);
    return 0;
}

/* Copies and derives every user, sorts them, rejects duplicates and indexes the USERHASHes.
 * Returns 0, or -1 with err set. */
static int auth_store_load_users(struct auth_store *store, const struct auth_options *opts,
                                 char *err)
{
    store->users = xcalloc(opts->user_count, sizeof(*store->users));
    for (size_t i = 0; i < opts->user_count; i++) {
        store->user_count = i + 1;
        if (auth_store_user_init(&store->users[i], &opts->users[i], store) != 0) {
            (void)snprintf(err, AUTH_STORE_ERR_LEN, "user %zu: key derivation failed", i + 1);
            return -1;
        }
    }
    qsort(store->users, store->user_count, sizeof(*store->users), auth_store_user_cmp);
    for (size_t i = 1; i < store->user_count; i++) {
        if (auth_store_user_cmp(&store->users[i - 1], &store->users[i]) == 0) {
            (void)snprintf(err, AUTH_STORE_ERR_LEN, "user \"%s\" is listed twice",
                           store->users[i].name);
            return -1;
        }
    }
    if (auth_store_index_hashes(store) != 0) {
        (void)snprintf(err, AUTH_STORE_ERR_LEN, "USERHASH computation failed");
        return -1;
    }
    return 0;
}

/* Copies the secrets. Returns 0, or -1 with err set. */
static int auth_store_load_secrets(struct auth_store *store, const struct auth_options *opts,
                                   char *err)
{
    if (opts->secret_count > AUTH_MAX_SECRETS) {
        (void)snprintf(err, AUTH_STORE_ERR_LEN, "too many secrets (%zu, at most %d)",
                       opts->secret_count, AUTH_MAX_SECRETS);
        return -1;
    }
    store->secrets = xcalloc(opts->secret_count, sizeof(*store->secrets));
    for (size_t i = 0; i < opts->secret_count; i++) {
        const char *s = opts->secrets[i];
        if (s == NULL || s[0] == '\0') {
            (void)snprintf(err, AUTH_STORE_ERR_LEN, "secret %zu is empty", i + 1);
            return -1;
        }
        store->secrets[i].bytes = xstrdup(s);
        store->secrets[i].len = strlen(s);
        store->secret_count = i + 1;
    }
    return 0;
}

/* Copies the realm. Returns 0, or -1 with err set. */
static int auth_store_load_realm(struct auth_store *store, const struct auth_options *opts,
                                 char *err)
{
    if (opts->realm == NULL || opts->realm[0] == '\0') {
        (void)snprintf(err, AUTH_STORE_ERR_LEN, "the realm is empty");
        return -1;
    }
    if (strlen(opts->realm) > AUTH_STORE_REALM_MAX) {
        (void)snprintf(err, AUTH_STORE_ERR_LEN, "the realm is longer than %d bytes",
                       AUTH_STORE_REALM_MAX);
        return -1;
    }
    store->realm = xstrdup(opts->realm);
    store->realm_len = strlen(opts->realm);
    return 0;
}

struct auth_store *auth_store_new(const struct auth_options *opts, char err[AUTH_STORE_ERR_LEN])
{
    struct auth_store *store;

    err[0] = '\0';
    if (auth_store_check_users(opts, err) != 0) {
        return NULL;
    }
    store = xcalloc(1, sizeof(*store));
    if (auth_store_load_realm(store, opts, err) != 0 ||
        auth_store_load_secrets(store, opts, err) != 0 ||
        auth_store_load_users(store, opts, err) != 0) {
        auth_store_free(store);
        return NULL;
    }
    return store;
}

void auth_store_free(struct auth_store *store)
{
    if (store == NULL) {
        return;
    }
    for (size_t i = 0; i < store->user_count; i++) {
        auth_key_wipe(&store->users[i].md5);
        auth_key_wipe(&store->users[i].sha256);
        xfree(&store->users[i].name);
    }
    for (size_t i = 0; i < store->secret_count; i++) {
        explicit_bzero(store->secrets[i].bytes, store->secrets[i].len);
        xfree(&store->secrets[i].bytes);
    }
    auth_revoked_free(store->revoked);
    xfree(&store->users);
    xfree(&store->by_hash);
    xfree(&store->secrets);
    xfree(&store->realm);
    xfree(&store);
}

void auth_store_set_revoked(struct auth_store *store, struct auth_revoked *revoked)
{
    auth_revoked_free(store->revoked);
    store->revoked = revoked;
}

const char *auth_store_mint_secret(const struct auth_store *store)
{
    return store->secret_count > 0 ? store->secrets[0].bytes : NULL;
}

const char *auth_store_realm(const struct auth_store *store)
{
    return store->realm;
}

/* Binary search of the users by name. Returns the user or NULL. */
static const struct auth_store_user *auth_store_find_user(const struct auth_store *store,
                                                          const char *name, size_t len)
{
    size_t lo = 0;
    size_t hi = store->user_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct auth_store_user *u = &store->users[mid];
        int c = auth_store_name_cmp(name, len, u->name, u->name_len);
        if (c == 0) {
            return u;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

/* Decides whether username has candidate keys: 0 for a static user (set in *user) or a live
 * REST username, else a negative enum auth_store_err. */
static int auth_store_classify(const struct auth_store *store, const char *username, size_t len,
                               int64_t now_s, const struct auth_store_user **user)
{
    *user = auth_store_find_user(store, username, len);
    if (*user != NULL) {
        return 0;
    }
    if (store->secret_count == 0) {
        return AUTH_STORE_ERR_UNKNOWN;
    }
    switch (auth_rest_check_expiry(username, len, now_s)) {
    case 0:
        return 0;
    case AUTH_REST_ERR_EXPIRED:
        return AUTH_STORE_ERR_EXPIRED;
    default:
        return AUTH_STORE_ERR_UNKNOWN;
    }
}

int auth_store_lookup(struct auth_store_iter *it, const struct auth_store *store,
                      const char *username, size_t len, uint16_t alg, int64_t now_s)
{
    const struct auth_store_user *user = NULL;
    int rc;

    /* A zeroed iterator yields nothing, so a refused lookup cannot be walked by mistake. */
    memset(it, 0, sizeof(*it));
    if (!auth_key_alg_is_supported(alg)) {
        return AUTH_STORE_ERR_ALG;
    }
    rc = auth_store_classify(store, username, len, now_s, &user);
    if (rc != 0) {
        return rc;
    }
    if (auth_revoked_has(store->revoked, username, len, now_s)) {
        return AUTH_STORE_ERR_REVOKED;
    }
    it->store = store;
    it->user = user;
    it->username = username;
    it->username_len = len;
    it->alg = alg;
    return 0;
}

/* The next key of a REST username: the one of the next secret. */
static bool auth_store_next_rest(struct auth_store_iter *it, struct auth_key *key)
{
    const struct auth_store *store = it->store;
    const struct auth_key_id id = {it->username, it->username_len, store->realm, store->realm_len};

    if (it->next >= store->secret_count) {
        return false;
    }
    const struct auth_store_secret *secret = &store->secrets[it->next];
    it->next++;
    return auth_rest_key(key, it->alg, &id, secret->bytes, secret->len) == 0;
}

bool auth_store_next(struct auth_store_iter *it, struct auth_key *key)
{
    bool found = false;

    if (it->store == NULL) {
        found = false;
    } else if (it->user != NULL) {
        if (it->next == 0) {
            *key = it->alg == STUN_PASSWORD_ALG_MD5 ? it->user->md5 : it->user->sha256;
            it->next = 1;
            found = true;
        }
    } else {
        found = auth_store_next_rest(it, key);
    }
    if (!found) {
        auth_key_wipe(key);
    }
    return found;
}

int auth_store_find_userhash(const struct auth_store *store,
                             const uint8_t hash[AUTH_KEY_USERHASH_LEN], const char **username,
                             size_t *len)
{
    size_t lo = 0;
    size_t hi = store->user_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct auth_store_hash *row = &store->by_hash[mid];
        int c = memcmp(hash, row->userhash, AUTH_KEY_USERHASH_LEN);
        if (c == 0) {
            *username = row->user->name;
            *len = row->user->name_len;
            return 0;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return AUTH_STORE_ERR_UNKNOWN;
}

size_t auth_store_user_count(const struct auth_store *store)
{
    return store->user_count;
}

size_t auth_store_secret_count(const struct auth_store *store)
{
    return store->secret_count;
}
