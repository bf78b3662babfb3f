/*
 * The parts of a credential request (POST /v1/credentials) that need no HTTP library: the user
 * part a request may name, and the JSON body that names it. Pure functions of their input, so
 * they are unit-tested and fuzzed alone (tests/fuzz/fuzz_http_user.c).
 */
#ifndef TERN_HTTP_REQUEST_H
#define TERN_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* The longest user part a credential request may name. */
#define HTTP_REQUEST_USER_MAX 64

/* True when user (len bytes) is 1 to HTTP_REQUEST_USER_MAX bytes of [A-Za-z0-9._@+-]. */
bool http_request_user_ok(const char *user, size_t len);

/* Reads the body (len bytes, not NUL-terminated) of a credential request: nothing but white
 * space (no user named), or one JSON object with at most one top-level "user" member, a string
 * that passes http_request_user_ok(). Other members may hold any JSON value and are skipped; a
 * "user" inside a string or a nested value is not the user. Copies the user into user (cap
 * bytes, NUL included, cap > 0). Returns 0 (user is "" when none is named), or -1 when the body
 * is anything else (user is then ""). */
int http_request_body_user(const char *body, size_t len, char *user, size_t cap);

#endif
