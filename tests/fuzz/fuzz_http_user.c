/*
 * Fuzzes the credential request's body reader (http_request_body_user) on arbitrary bytes. The
 * first byte picks the size of the user buffer (1 to 80 bytes, allocated to that size so that
 * ASan sees any write past it); the rest is the body. Invariants: the user is NUL-terminated
 * inside the buffer; it is "" after an error; a user read passes http_request_user_ok() and
 * appears quoted in the body; a body written back from it reads the same user.
 */
#include "http/http_request.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest user buffer tried: past HTTP_REQUEST_USER_MAX + 1, to test the length check. */
#define FUZZ_USER_CAP_MAX 80

/* Writes {"user": "<user>"} and reads it again. */
static void fuzz_http_user_again(const char *user)
{
    char body[FUZZ_USER_CAP_MAX + 16];
    char again[HTTP_REQUEST_USER_MAX + 1];
    int n = snprintf(body, sizeof(body), "{\"user\": \"%s\"}", user);

    if (n < 0 || (size_t)n >= sizeof(body) ||
        http_request_body_user(body, (size_t)n, again, sizeof(again)) != 0 ||
        strcmp(again, user) != 0) {
        abort();
    }
}

static void fuzz_http_user_check(const char *body, size_t len, const char *user, size_t cap)
{
    char quoted[FUZZ_USER_CAP_MAX + 2];
    size_t n = strlen(user);

    if (n >= cap) {
        abort();
    }
    if (n == 0) {
        return;
    }
    if (!http_request_user_ok(user, n)) {
        abort();
    }
    (void)snprintf(quoted, sizeof(quoted), "\"%s\"", user);
    if (memmem(body, len, quoted, n + 2) == NULL) {
        abort();
    }
    fuzz_http_user_again(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t cap = 1 + (size_t)data[0] % FUZZ_USER_CAP_MAX;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char *user = malloc(cap);

    if (user == NULL) {
        return 0;
    }
    memset(user, 'x', cap);
    int rc = http_request_body_user(body, len, user, cap);
    if (memchr(user, '\0', cap) == NULL || (rc < 0 && user[0] != '\0') || (rc != 0 && rc != -1)) {
        abort();
    }
    if (rc == 0) {
        fuzz_http_user_check(body, len, user, cap);
    }
    (void)http_request_user_ok(body, len);
    free(user);
    return 0;
}
