#include "turn/turn_auth.h"

#include "auth/auth_nonce.h"
#include "auth/auth_store.h"
#include "stun/stun_attr.h"
#include "stun/stun_integrity.h"
#include "stun/stun_nonce.h"
#include "turn/turn_worker_state.h"

#include <string.h>

/* RFC 8489 section 9.2.4: the most PASSWORD-ALGORITHMS entries read from a request. */
#define TURN_AUTH_MAX_ALGS 8

/* SHA-256 first: the stronger algorithm is preferred (RFC 8489 section 14.11). */
static const uint16_t turn_auth_offered[] = {STUN_PASSWORD_ALG_SHA256, STUN_PASSWORD_ALG_MD5};

const uint16_t *turn_auth_algorithms(size_t *count)
{
    *count = sizeof(turn_auth_offered) / sizeof(turn_auth_offered[0]);
    return turn_auth_offered;
}

void turn_auth_add_challenge(const struct turn_request *req, struct stun_builder *b)
{
    const struct turn_worker_config *cfg = &req->w->cfg;
    char nonce[AUTH_NONCE_LEN + 1];
    size_t count;
    const uint16_t *algs = turn_auth_algorithms(&count);

    stun_build_string(b, STUN_ATTR_REALM, auth_store_realm(cfg->auth));
    /* RFC 8489 section 9.2.4: a NONCE bound to the source address and port; section 9.2.1:
     * the "Password algorithms" feature bit is set because PASSWORD-ALGORITHMS is sent. */
    if (auth_nonce_make(nonce, sizeof(nonce), cfg->nonce_key, &req->info->client, req->info->now_s,
                        TURN_AUTH_FEATURES) > 0) {
        stun_build_string(b, STUN_ATTR_NONCE, nonce);
    }
    stun_build_algorithms(b, algs, count);
}

/* Counts one failure and returns f. */
static enum turn_fail turn_auth_refuse(const struct turn_request *req, enum turn_auth_failure why,
                                       enum turn_fail f)
{
    TURN_COUNT(req->w, auth_failures[why]);
    return f;
}

/* True when the PASSWORD-ALGORITHMS of msg lists exactly what the server offers. */
static bool turn_auth_list_is_ours(const struct stun_msg *msg)
{
    uint16_t listed[TURN_AUTH_MAX_ALGS];
    size_t count;
    const uint16_t *ours = turn_auth_algorithms(&count);
    int n = stun_attr_get_algorithms(msg, listed, TURN_AUTH_MAX_ALGS);

    return n >= 0 && (size_t)n == count && memcmp(listed, ours, count * sizeof(ours[0])) == 0;
}

/*
 * Chooses the password algorithm (RFC 8489 section 9.2.4). When the nonce's
 * cookie announces password algorithms: neither attribute means MD5;
 * otherwise both must be there, PASSWORD-ALGORITHMS must be what the
 * server sent, and PASSWORD-ALGORITHM one of its entries. A nonce without
 * the cookie is not ours and fails later (438); its request is read as MD5.
 */
static enum turn_fail turn_auth_algorithm(const struct stun_msg *msg, const struct stun_attr *nonce,
                                          uint16_t *alg)
{
    uint32_t features = 0;

    *alg = STUN_PASSWORD_ALG_MD5;
    if (stun_nonce_cookie_parse(nonce->value, nonce->len, &features) != 0 ||
        (features & STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS) == 0) {
        return TURN_OK;
    }
    bool has_list = stun_msg_find(msg, STUN_ATTR_PASSWORD_ALGORITHMS) != NULL;
    bool has_one = stun_msg_find(msg, STUN_ATTR_PASSWORD_ALGORITHM) != NULL;

    if (!has_list && !has_one) {
        return TURN_OK;
    }
    if (!has_list || !has_one || !turn_auth_list_is_ours(msg) ||
        stun_attr_get_algorithm(msg, alg) != 0) {
        return TURN_FAIL_BAD_REQUEST;
    }
    /* The list is ours, so an algorithm found in it is one the server can derive. */
    for (size_t i = 0; i < sizeof(turn_auth_offered) / sizeof(turn_auth_offered[0]); i++) {
        if (turn_auth_offered[i] == *alg) {
            return TURN_OK;
        }
    }
    return TURN_FAIL_BAD_REQUEST;
}

/* Finds the username: USERHASH names a static user (RFC 8489 section 14.4), else USERNAME. */
static int turn_auth_username(struct turn_request *req)
{
    const struct stun_attr *hash = stun_msg_find(req->msg, STUN_ATTR_USERHASH);

    if (hash != NULL) {
        return auth_store_find_userhash(req->w->cfg.auth, hash->value, &req->username,
                                        &req->username_len);
    }
    const struct stun_attr *name = stun_msg_find(req->msg, STUN_ATTR_USERNAME);

    req->username = (const char *)name->value;
    req->username_len = name->len;
    return 0;
}

/* Verifies the integrity of the request under one key; SHA-256 when present. */
static bool turn_auth_key_fits(const struct turn_request *req, const struct auth_key *key)
{
    if (req->msg->integrity_sha256_idx >= 0) {
        return stun_integrity_check_sha256(req->msg, key->bytes, key->len) == 0;
    }
    return stun_integrity_check_sha1(req->msg, key->bytes, key->len) == 0;
}

/* Tries each candidate key of the user (one per live secret for a REST username). */
static enum turn_fail turn_auth_verify(struct turn_request *req, uint16_t alg)
{
    struct auth_store_iter it;
    struct auth_key key;

    if (auth_store_lookup(&it, req->w->cfg.auth, req->username, req->username_len, alg,
                          req->info->now_s) != 0) {
        return turn_auth_refuse(req, TURN_AUTH_FAILURE_UNKNOWN_USER, TURN_FAIL_UNAUTHENTICATED);
    }
    while (auth_store_next(&it, &key)) {
        if (turn_auth_key_fits(req, &key)) {
            req->key = key;
            auth_key_wipe(&key);
            return TURN_OK;
        }
    }
    return turn_auth_refuse(req, TURN_AUTH_FAILURE_INTEGRITY, TURN_FAIL_UNAUTHENTICATED);
}

/* The nonce is checked once integrity is known good (RFC 8489 section 9.2.4: 438). */
static enum turn_fail turn_auth_nonce(struct turn_request *req, const struct stun_attr *nonce)
{
    const struct turn_worker_config *cfg = &req->w->cfg;
    enum auth_nonce_status st =
        auth_nonce_verify(cfg->nonce_key, &req->info->client, (const char *)nonce->value,
                          nonce->len, req->info->now_s, cfg->nonce_lifetime_s);

    if (st != AUTH_NONCE_OK) {
        auth_key_wipe(&req->key);
        return turn_auth_refuse(req, TURN_AUTH_FAILURE_STALE_NONCE, TURN_FAIL_STALE_NONCE);
    }
    return TURN_OK;
}

enum turn_fail turn_auth_check(struct turn_request *req)
{
    const struct stun_msg *msg = req->msg;

    if (msg->integrity_idx < 0 && msg->integrity_sha256_idx < 0) {
        return TURN_FAIL_UNAUTHENTICATED;
    }
    const struct stun_attr *nonce = stun_msg_find(msg, STUN_ATTR_NONCE);
    bool has_user = stun_msg_find(msg, STUN_ATTR_USERNAME) != NULL ||
                    stun_msg_find(msg, STUN_ATTR_USERHASH) != NULL;
    uint16_t alg;

    if (!has_user || nonce == NULL || stun_msg_find(msg, STUN_ATTR_REALM) == NULL ||
        turn_auth_algorithm(msg, nonce, &alg) != TURN_OK) {
        return turn_auth_refuse(req, TURN_AUTH_FAILURE_BAD_REQUEST, TURN_FAIL_BAD_REQUEST);
    }
    if (turn_auth_username(req) != 0) {
        return turn_auth_refuse(req, TURN_AUTH_FAILURE_UNKNOWN_USER, TURN_FAIL_UNAUTHENTICATED);
    }
    enum turn_fail f = turn_auth_verify(req, alg);

    if (f == TURN_OK) {
        f = turn_auth_nonce(req, nonce);
    }
    if (f != TURN_OK) {
        return f;
    }
    req->authenticated = true;
    req->sha256 = msg->integrity_sha256_idx >= 0;
    return TURN_OK;
}
