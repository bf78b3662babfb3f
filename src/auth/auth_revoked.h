/*
 * Revoked usernames: a set of names, each refused until a moment. A name
 * revokes the username equal to it and every REST
 * username "<expiry>:<name>" (auth_rest.h): revoking "alice" refuses
 * "alice" and "1700000000:alice"; revoking "1700000000:alice" refuses that
 * one credential only.
 *
 * Built on the control thread (auth_revoked_add() then auth_revoked_seal()),
 * then read-only: workers look names up without locks and without
 * allocating, through the credential store that owns the set
 * (auth_store_set_revoked()).
 */
#ifndef TERN_AUTH_REVOKED_H
#define TERN_AUTH_REVOKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest revoked name: a whole STUN USERNAME (RFC 8489 section 14.3). */
#define AUTH_REVOKED_NAME_MAX 508
/* The most names one set holds. */
#define AUTH_REVOKED_MAX 100000

struct auth_revoked;

/* Returns an owned empty set, open for auth_revoked_add(). */
struct auth_revoked *auth_revoked_new(void);

/* Releases the set. NULL is a no-op. */
void auth_revoked_free(struct auth_revoked *r);

/* Returns an owned sealed copy of r (NULL: an empty set). */
struct auth_revoked *auth_revoked_copy(const struct auth_revoked *r);

/* Adds name[0..len), refused until until_s (exclusive; INT64_MAX for ever). A name already in
 * the set keeps the later moment. Returns 0, or -1 for an empty or too long name or a full set.
 * Only before auth_revoked_seal(). */
int auth_revoked_add(struct auth_revoked *r, const char *name, size_t len, int64_t until_s);

/* Sorts the set for lookups; no more additions after it. */
void auth_revoked_seal(struct auth_revoked *r);

/* True when username[0..len) is refused at now_s: the set holds the username itself, or its
 * REST user part, with a moment after now_s. NULL is the empty set. Allocates nothing. */
bool auth_revoked_has(const struct auth_revoked *r, const char *username, size_t len,
                      int64_t now_s);

/* True when the set holds name[0..len) itself with a moment after now_s. */
bool auth_revoked_holds(const struct auth_revoked *r, const char *name, size_t len, int64_t now_s);

/* The number of names, and name i (NUL-terminated, owned by the set) with its moment, for
 * walking a sealed set. */
size_t auth_revoked_count(const struct auth_revoked *r);
const char *auth_revoked_name(const struct auth_revoked *r, size_t i, int64_t *until_s);

#endif
