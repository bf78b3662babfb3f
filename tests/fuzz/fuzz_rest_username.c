/*
 * Fuzzes the REST username parser (auth_rest_parse) and what hangs off it.
 * Invariants checked on every input:
 *   - a username that parses is canonical: minting it again from its parts gives back the
 *     same bytes, and its expiry second is the first second it is expired;
 *   - a username that does not parse is malformed for auth_rest_check_expiry() too;
 *   - any bytes can be signed into a 28-character password without '"' or '\'.
 */
#include "auth/auth_rest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_rest_check_parsed(const char *s, size_t size, const struct auth_rest_username *u)
{
    char again[AUTH_REST_USERNAME_MAX + 1];
    int n = auth_rest_username_make(u->user, u->user_len, u->expiry_s, 0, again, sizeof(again));

    if (n < 0 || (size_t)n != size || memcmp(again, s, size) != 0) {
        abort();
    }
    if (auth_rest_check_expiry(s, size, u->expiry_s) != AUTH_REST_ERR_EXPIRED) {
        abort();
    }
    if (u->expiry_s > 0 && auth_rest_check_expiry(s, size, u->expiry_s - 1) != 0) {
        abort();
    }
}

static void fuzz_rest_check_password(const char *s, size_t size)
{
    char password[AUTH_REST_PASSWORD_LEN + 1];
    int n = auth_rest_password("fuzz-secret", 11, s, size, password, sizeof(password));

    if (n != AUTH_REST_PASSWORD_LEN || strlen(password) != AUTH_REST_PASSWORD_LEN ||
        strpbrk(password, "\"\\") != NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct auth_rest_username u;

    if (auth_rest_parse(&u, s, size) == 0) {
        fuzz_rest_check_parsed(s, size, &u);
    } else if (auth_rest_check_expiry(s, size, 0) != AUTH_REST_ERR_MALFORMED) {
        abort();
    }
    fuzz_rest_check_password(s, size);
    return 0;
}
