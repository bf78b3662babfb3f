/*
 * The statistics endpoint: libmicrohttpd on a thread of its own, serving
 *
 *     GET /metrics   Prometheus text format        bearer token when set
 *     GET /stats     the same figures as JSON       bearer token when set
 *     GET /health    200 while the process runs
 *     GET /ready     200 when it takes new allocations, else 503
 *     POST /v1/credentials   a TURN credential as JSON    http.api_key
 *
 * The credential API answers only when http.api_key is set: the request
 * carries "Authorization: Bearer <api_key>" (401 otherwise), may name the
 * user part of the username in a query "?user=alice" or a JSON body
 * {"user": "alice"} (1 to 64 bytes of [A-Za-z0-9._@+-]; 400 otherwise), and
 * is answered 429 past http.credential_rate requests per second.
 *
 * Anything else is answered 404 (unknown path), 405 (not GET or HEAD),
 * 401 (token missing or wrong, with WWW-Authenticate: Bearer) or 413 (a
 * request body, or a request larger than max_request_bytes, which
 * libmicrohttpd refuses itself with 413, 414 or 431).
 *
 * http/ knows no worker: the bodies come from callbacks the composition
 * root gives, which read counters with relaxed loads and per-worker
 * snapshots, never worker state.
 */
#ifndef TERN_HTTP_SERVER_H
#define TERN_HTTP_SERVER_H

#include "http/http_body.h"
#include "http/http_options.h"

#include <stdbool.h>

#define HTTP_ERR_LEN 256

/* Writes a response body into out. Runs on the HTTP thread. */
typedef void (*http_render_cb)(void *ctx, struct http_body *out);
/* True when the server takes new allocations. Runs on the HTTP thread. */
typedef bool (*http_ready_cb)(void *ctx);

/* Writes the JSON credential for user ("" for none) into out. Returns 0, or -1 when no secret
 * can mint one (answered 503). Runs on the HTTP thread. */
typedef int (*http_credential_cb)(void *ctx, const char *user, struct http_body *out);

struct http_routes {
    http_render_cb metrics; /* the body of /metrics */
    http_render_cb stats;   /* the body of /stats */
    http_ready_cb ready;    /* the answer of /ready */
    void *ctx;
    http_credential_cb credential; /* POST /v1/credentials; NULL: no credential API */
    void *credential_ctx;
};

struct http_server;

/* Binds opts->listen:opts->port, reads the TLS files when set, and starts serving routes (copied;
 * what ctx points to must outlive the server). Returns an owned server, or NULL with err set
 * ("bind() to 127.0.0.1:9641 failed: Address already in use"). */
struct http_server *http_server_new(const struct http_options *opts,
                                    const struct http_routes *routes, char err[HTTP_ERR_LEN]);

/* Stops the HTTP thread (answers in progress finish) and releases the server. NULL is a no-op. */
void http_server_free(struct http_server *h);

#endif
