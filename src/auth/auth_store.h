/*
 * The credentials of one configuration snapshot, read-only once built:
 * the realm, the static users with their keys derived at load, and the
 * shared secrets of the REST scheme (auth_rest.h). Built on the control
 * thread; looked up from any worker without locks and without allocating.
 *
 * A request names its user by USERNAME or, with the username anonymity
 * feature, by USERHASH. Finding the key is a loop, because while secrets
 * rotate a REST username has one candidate key per live secret:
 *
 *     struct auth_store_iter it;
 *     struct auth_key key;
 *     if (auth_store_lookup(&it, store, name, name_len, alg, now_s) == 0) {
 *         while (auth_store_next(&it, &key)) {
 *             if (stun_integrity_check_sha256(msg, key.bytes, key.len) == 0) {
 *                 ... authenticated ...
 *             }
 *         }
 *     }
 *
 * A static user whose name also parses as a REST username is a static
 * user: static users are looked up first and yield their one key only.
 */
#ifndef TERN_AUTH_STORE_H
#define TERN_AUTH_STORE_H

#include "auth/auth_key.h"
#include "auth/auth_options.h"
#include "auth/auth_revoked.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the reason auth_store_new() gives when it refuses a configuration. */
#define AUTH_STORE_ERR_LEN 256

enum auth_store_err {
    AUTH_STORE_ERR_UNKNOWN = -1, /* no static user by that name, and not a usable REST username */
    AUTH_STORE_ERR_EXPIRED = -2, /* a REST username whose expiry has passed */
    AUTH_STORE_ERR_ALG = -3,     /* the algorithm is not MD5 or SHA-256 */
    AUTH_STORE_ERR_REVOKED = -4, /* the username, or its REST user part, is revoked */
};

struct auth_store;
struct auth_store_user;

/* Walks the candidate keys for one username. Caller storage; filled by auth_store_lookup(). */
struct auth_store_iter {
    const struct auth_store *store;
    const struct auth_store_user *user; /* the static user, or NULL for a REST username */
    const char *username;               /* borrows the caller's bytes */
    size_t username_len;
    uint16_t alg;
    size_t next; /* the next candidate: 0 for a static user, else the next secret's index */
};

/* Builds a store from opts: copies the realm (empty is refused), the secrets (empty ones are
 * refused) and the users (names must be non-empty, at most 508 bytes and distinct), and
 * derives each user's MD5 and SHA-256 keys and USERHASH. Returns an owned store to release
 * with auth_store_free(), or NULL with the reason in err. Borrows opts; the store keeps no
 * pointer into it. Control path only (allocates). */
struct auth_store *auth_store_new(const struct auth_options *opts, char err[AUTH_STORE_ERR_LEN]);

/* Gives the store the revoked usernames its lookups refuse (takes ownership of revoked, a
 * sealed set; NULL for none), replacing any earlier set. Only before the store is shared with
 * the workers. */
void auth_store_set_revoked(struct auth_store *store, struct auth_revoked *revoked);

/* Releases the store, wiping the keys and secrets it holds. NULL is a no-op. */
void auth_store_free(struct auth_store *store);

/* The realm as a NUL-terminated string owned by the store. */
const char *auth_store_realm(const struct auth_store *store);

/* Starts the walk over the keys under algorithm alg for username[0..len) at now_s. A static
 * user comes first; otherwise a REST username that has not expired yields one key per secret.
 * Returns 0, AUTH_STORE_ERR_ALG, AUTH_STORE_ERR_UNKNOWN (also for a REST username when no
 * secret is configured), AUTH_STORE_ERR_EXPIRED or AUTH_STORE_ERR_REVOKED. it borrows store and
 * username, which must outlive the walk. Allocates nothing. */
int auth_store_lookup(struct auth_store_iter *it, const struct auth_store *store,
                      const char *username, size_t len, uint16_t alg, int64_t now_s);

/* Writes the next candidate key into *key. Returns true, or false when there are no more
 * (then *key is zeroed). Allocates nothing; computes the REST keys on the spot. */
bool auth_store_next(struct auth_store_iter *it, struct auth_key *key);

/* Finds the static user whose USERHASH (RFC 8489 section 14.4) is hash. Returns 0 and points
 * *username (owned by the store, NUL-terminated) and *len at the name, or
 * AUTH_STORE_ERR_UNKNOWN. A REST credential cannot be found by hash: its username holds an
 * expiry the server cannot guess, so the hash would have to be computed for every possible
 * username. Servers that announce username anonymity serve static users only. */
int auth_store_find_userhash(const struct auth_store *store,
                             const uint8_t hash[AUTH_KEY_USERHASH_LEN], const char **username,
                             size_t *len);

/* The secret that mints new credentials (the first one, NUL-terminated, owned by the store),
 * or NULL when the store has none. */
const char *auth_store_mint_secret(const struct auth_store *store);

/* The number of static users and of secrets, for logs and statistics. */
size_t auth_store_user_count(const struct auth_store *store);
size_t auth_store_secret_count(const struct auth_store *store);

#endif
