/* The statistics endpoint. Filled by conf/, read by http/ and server.c. */
#ifndef TERN_HTTP_OPTIONS_H
#define TERN_HTTP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most URIs one iceServers entry lists. */
#define HTTP_MAX_ICE_URLS 8

struct http_options {
    bool enabled;               /* serve /metrics, /stats, /health, /ready; default true */
    char *listen;               /* the IP to bind, default "127.0.0.1" */
    uint16_t port;              /* default 9641 */
    char *token;                /* bearer token for /metrics and /stats, or NULL for none */
    char *tls_cert;             /* PEM certificate file: serve HTTPS; NULL for plain HTTP */
    char *tls_key;              /* PEM private key file, with tls_cert */
    unsigned top_n;             /* allocations in the /stats top list, 0-100, default 10 */
    unsigned max_request_bytes; /* larger requests are refused, default 4096 */
    char *api_key;              /* bearer key of POST /v1/credentials, or NULL: no credential API */
    char *ice_urls[HTTP_MAX_ICE_URLS]; /* turn:/turns: URIs put in minted iceServers */
    size_t ice_url_count;
    unsigned credential_rate; /* credential requests per second, 0 = unlimited, default 10 */
};

#endif
