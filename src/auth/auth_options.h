/* Credentials: static users and shared secrets. Filled by conf/, read by auth/ via snapshots. */
#ifndef TERN_AUTH_OPTIONS_H
#define TERN_AUTH_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_MAX_SECRETS 16
#define AUTH_MAX_USERS   1024

struct auth_user {
    char *name;
    char *password; /* plain text from the config; keys are derived at load */
};

struct auth_options {
    char *realm;                     /* default "tern" */
    char *secrets[AUTH_MAX_SECRETS]; /* shared secrets valid at once; first one mints */
    size_t secret_count;
    struct auth_user users[AUTH_MAX_USERS];
    size_t user_count;
    uint32_t nonce_lifetime_s; /* stale after this, default 600 */
    uint32_t credential_ttl_s; /* lifetime of credentials ternd mints, default 86400 */
};

#endif
