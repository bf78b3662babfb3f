/*
 * Ephemeral credentials minted from a shared secret, the scheme of the
 * "TURN REST API" (draft-uberti-behave-turn-rest-00 section 2.2) that
 * WebRTC services use:
 *
 *     username = <expiry>              e.g. "1700000000"
 *              | <expiry> ":" <user>   e.g. "1700000000:alice"
 *     password = base64(HMAC-SHA1(secret, username))
 *
 * <expiry> is the moment the credential stops working, in decimal seconds
 * since the Unix epoch; <user> is opaque to the server. The web service and
 * the TURN server share only the secret, so the server stores nothing per
 * user: it recomputes the password, then the ordinary long-term key
 * (auth_key.h), and tries it on MESSAGE-INTEGRITY. While secrets rotate,
 * several are live at once and the server tries the key of each in turn.
 *
 * Every function is pure: the current time comes in as now_s.
 */
#ifndef TERN_AUTH_REST_H
#define TERN_AUTH_REST_H

#include "auth/auth_key.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8489 section 14.3: a USERNAME is fewer than 509 bytes. */
#define AUTH_REST_USERNAME_MAX 508
/* INT64_MAX has 19 digits; a longer expiry cannot be a time. */
#define AUTH_REST_EXPIRY_MAX_DIGITS 19
/* The password is a base64 SHA-1 MAC: 28 characters (plus a NUL in buffers). */
#define AUTH_REST_PASSWORD_LEN 28

enum auth_rest_err {
    AUTH_REST_ERR_MALFORMED = -1, /* not <expiry> or <expiry>:<user> */
    AUTH_REST_ERR_EXPIRED = -2,   /* well formed, but now_s is at or past the expiry */
    AUTH_REST_ERR_SPACE = -3,     /* the caller's output buffer is too small */
    AUTH_REST_ERR_CRYPTO = -4,    /* libcrypto failed */
};

/* A parsed username. user borrows the parsed string. */
struct auth_rest_username {
    int64_t expiry_s; /* seconds since the Unix epoch */
    const char *user; /* the part after the first ':'; NULL when there is none */
    size_t user_len;
};

/* Parses username[0..len) strictly: 1 to 19 decimal digits without sign, spaces or leading
 * zeros, not above INT64_MAX; then either the end, or ':' and a non-empty user part (which
 * may hold further ':'). At most AUTH_REST_USERNAME_MAX bytes. Returns 0 and fills *out, or
 * AUTH_REST_ERR_MALFORMED. out->user borrows username. */
int auth_rest_parse(struct auth_rest_username *out, const char *username, size_t len);

/* True when the credential no longer works at now_s (the expiry second itself is expired). */
bool auth_rest_is_expired(const struct auth_rest_username *u, int64_t now_s);

/* Parses username and checks its expiry against now_s. Returns 0 while it is valid,
 * AUTH_REST_ERR_MALFORMED or AUTH_REST_ERR_EXPIRED. */
int auth_rest_check_expiry(const char *username, size_t len, int64_t now_s);

/* Writes the password base64(HMAC-SHA1(secret, username)) into out as a NUL-terminated
 * string. cap must be at least AUTH_REST_PASSWORD_LEN + 1. Returns the string length
 * (AUTH_REST_PASSWORD_LEN), AUTH_REST_ERR_SPACE or AUTH_REST_ERR_CRYPTO. The username is
 * not parsed: any bytes are signed as given. */
int auth_rest_password(const char *secret, size_t secret_len, const char *username,
                       size_t username_len, char *out, size_t cap);

/* Writes the username "<now_s + ttl_s>:<user>" (or "<now_s + ttl_s>" when user_len is 0)
 * into out as a NUL-terminated string. Returns its length, AUTH_REST_ERR_MALFORMED when the
 * expiry would overflow or the result would exceed AUTH_REST_USERNAME_MAX, or
 * AUTH_REST_ERR_SPACE when out is too small. */
int auth_rest_username_make(const char *user, size_t user_len, int64_t now_s, uint32_t ttl_s,
                            char *out, size_t cap);

/* Derives the long-term key under algorithm alg that a client holding the credential
 * (id->username, password from secret) uses in realm id->realm: the password is
 * auth_rest_password() of id->username, the key auth_key_derive() of it. Call once per live
 * secret until MESSAGE-INTEGRITY verifies. Does not check the expiry. Returns 0, or -1 for
 * an unsupported algorithm or a crypto failure. Borrows everything. */
int auth_rest_key(struct auth_key *key, uint16_t alg, const struct auth_key_id *id,
                  const char *secret, size_t secret_len);

#endif
