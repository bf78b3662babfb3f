/*
 * The fleet's shared state in Redis, followed from the control thread:
 *
 *   <prefix>secrets   ZSET  shared secrets, scored by when they were added;
 *                           the newest one mints (ternctl secret add|remove)
 *   <prefix>revoked   ZSET  revoked usernames or user parts, scored by the
 *                           Unix time the revocation ends (ternctl revoke)
 *   <prefix>events    pub/sub channel: any message makes every node reload
 *                           both sets at once ("secrets", "revoke <name>")
 *   <prefix>usage     STREAM usage records (store_usage.h)
 *
 * The sets are read when the connection comes up, on every message of the
 * channel, and every refresh_s seconds. A change is handed to the
 * composition root (struct store_hooks), which builds a new credential
 * store for the workers. While Redis is down, the last sets stay in force.
 */
#ifndef TERN_STORE_H
#define TERN_STORE_H

#include "auth/auth_revoked.h"
#include "store/store_options.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_ERR_LEN 256
/* The most secrets read from Redis (the newest ones). */
#define STORE_SECRETS_MAX 8

struct event_base;
struct store;

/* A new view of the shared sets. */
struct store_credentials {
    const char *const *secrets; /* newest first, borrowed for the call */
    size_t secret_count;
    struct auth_revoked *revoked;     /* sealed; ownership passes to the hook */
    const char *const *newly_revoked; /* names revoked since the last view, borrowed */
    size_t newly_revoked_count;
};

struct store_hooks {
    /* Runs on the control thread when the secrets or the revocations changed. */
    void (*credentials)(void *ctx, const struct store_credentials *c);
    void *ctx;
};

/* Figures for /metrics and /ready, readable from any thread. */
struct store_figures {
    bool up;
    uint64_t connects;        /* times the connection came up */
    uint64_t reloads;         /* credential views handed to the hook */
    uint64_t usage_sent;      /* records the stream acknowledged */
    uint64_t usage_queued;    /* records waiting, in memory and in the journal */
    uint64_t usage_dropped;   /* records lost to a full queue without a journal */
    uint64_t usage_journaled; /* records written to the journal */
};

/* Creates the store on base (the control thread's loop) with o (borrowed; outlives it) and
 * opens the journal when configured. Connects on store_start(). Returns an owned store or NULL
 * with err set. */
struct store *store_new(struct event_base *base, const struct store_options *o,
                        const struct store_hooks *hooks, char err[STORE_ERR_LEN]);

/* Starts connecting; the first view arrives through the hook once Redis answers. */
void store_start(struct store *s);

/* Queues one usage record line (store_record.h, without id): any thread, never blocks for
 * long. ctx is the store. */
void store_usage_record(void *ctx, const char *line, size_t len);

/* Copies the figures. Any thread. */
void store_figures_read(const struct store *s, struct store_figures *out);

/* Runs the control loop for at most timeout_ms while usage records wait and Redis is up, so
 * the records of allocations ended at shutdown reach the stream. Control thread, after the
 * workers stopped. */
void store_flush(struct store *s, unsigned timeout_ms);

/* Writes the records still in memory to the journal (when configured), drops the connections
 * and releases the store. NULL is a no-op. Control thread. */
void store_free(struct store *s);

#endif
