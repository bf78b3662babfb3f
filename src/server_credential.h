/*
 * The credential API's minting, part of the composition root: the HTTP
 * thread asks for a credential (http_credential_cb), minted with the
 * secret the control thread last made current (the newest secret in Redis,
 * else the first of auth.secrets), for auth.credential_ttl_s seconds, with
 * the URIs of http.ice_urls (or turn: URIs of the first listener).
 */
#ifndef TERN_SERVER_CREDENTIAL_H
#define TERN_SERVER_CREDENTIAL_H

#include "conf/conf.h"
#include "http/http_body.h"

#include <pthread.h>

struct server_credential {
    pthread_mutex_t lock; /* guards secret: taken once per request and per change */
    char *secret;         /* owned copy, or NULL */
    const struct conf *conf;
};

/* Prepares m for c (borrowed; outlives m), with no secret yet. */
void server_credential_init(struct server_credential *m, const struct conf *c);

/* Wipes and releases the secret. */
void server_credential_fini(struct server_credential *m);

/* Makes secret (copied; NULL for none) the one that mints. Control thread. */
void server_credential_set_secret(struct server_credential *m, const char *secret);

/* Writes {"username", "password", "ttl", "uris": [...], "iceServers": [...]} (uris as in the
 * TURN REST API draft, iceServers for RTCPeerConnection) for user ("" for none) into out.
 * Returns 0, or -1 when there is no secret. An http_credential_cb (ctx is m). */
int server_credential_mint(void *ctx, const char *user, struct http_body *out);

#endif
