#include "auth/auth_key.h"

#include "stun/stun_attr.h"
#include "util/crypto.h"

#include <string.h>

size_t auth_key_alg_len(uint16_t alg)
{
    /* RFC 8489 section 18.5.1: MD5 keys are 16 bytes, SHA-256 keys 32. */
    switch (alg) {
    case STUN_PASSWORD_ALG_MD5:
        return CRYPTO_MD5_LEN;
    case STUN_PASSWORD_ALG_SHA256:
        return CRYPTO_SHA256_LEN;
    default:
        return 0;
    }
}

bool auth_key_alg_is_supported(uint16_t alg)
{
    return auth_key_alg_len(alg) != 0;
}

int auth_key_derive(struct auth_key *key, uint16_t alg, const struct auth_key_id *id,
                    const char *password, size_t password_len)
{
    /* RFC 8489 section 9.2.2: the five fields username, ":", realm, ":", password. */
    const struct crypto_chunk chunks[5] = {
        {id->username, id->username_len}, {":", 1}, {id->realm, id->realm_len}, {":", 1},
        {password, password_len},
    };
    size_t len = auth_key_alg_len(alg);
    int rc = -1;

    memset(key, 0, sizeof(*key));
    if (alg == STUN_PASSWORD_ALG_MD5) {
        rc = crypto_md5(chunks, 5, key->bytes);
    } else if (alg == STUN_PASSWORD_ALG_SHA256) {
        rc = crypto_sha256(chunks, 5, key->bytes);
    }
    if (rc != 0) {
        auth_key_wipe(key);
        return -1;
    }
    key->alg = alg;
    key->len = (uint8_t)len;
    return 0;
}

int auth_key_userhash(uint8_t out[AUTH_KEY_USERHASH_LEN], const struct auth_key_id *id)
{
    /* RFC 8489 section 14.4: userhash = SHA-256(OpaqueString(username) ":" OpaqueString(realm)). */
    const struct crypto_chunk chunks[3] = {
        {id->username, id->username_len},
        {":", 1},
        {id->realm, id->realm_len},
    };

    return crypto_sha256(chunks, 3, out) == 0 ? 0 : -1;
}

void auth_key_wipe(struct auth_key *key)
{
    /* explicit_bzero, unlike memset, is not removed when the key is about to go out of scope. */
    explicit_bzero(key, sizeof(*key));
}
