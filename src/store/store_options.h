/* Redis: shared secrets, revocations and the usage stream. Filled by conf/, read by store/ and
 * server.c. */
#ifndef TERN_STORE_OPTIONS_H
#define TERN_STORE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct store_options {
    bool enabled;                /* default false: everything comes from the config file */
    char *host;                  /* default "127.0.0.1" */
    uint16_t port;               /* default 6379 */
    char *socket;                /* a unix socket path instead of host:port, or NULL */
    char *password;              /* AUTH, or NULL */
    unsigned db;                 /* SELECT, default 0 */
    unsigned connect_timeout_ms; /* default 2000 */
    unsigned command_timeout_ms; /* default 2000 */
    char *key_prefix;            /* default "tern:" */
    unsigned refresh_s;          /* full reload of secrets and revocations, default 30 */
    char *node_id;               /* in usage record ids, or NULL for the host name */
    unsigned usage_maxlen;       /* XADD MAXLEN ~, default 1000000; 0 = no usage stream */
    char *journal;               /* records waiting for Redis, or NULL for memory only */
    unsigned queue_max;          /* records kept in memory, default 10000 */
};

#endif
