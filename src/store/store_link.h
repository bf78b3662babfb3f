/*
 * One connection to Redis through hiredis's asynchronous API, on the
 * control thread's event_base, that keeps itself up: it connects (TCP or a
 * unix socket), sends AUTH and SELECT when configured, and reports "up"
 * once Redis answered a PING. A connection that fails, closes, or leaves a
 * command unanswered longer than command_timeout_ms is dropped and tried
 * again after a backoff that doubles from 100 ms to 10 s. Nothing here
 * blocks; nothing here runs on a worker.
 */
#ifndef TERN_STORE_LINK_H
#define TERN_STORE_LINK_H

#include "store/store_options.h"

#include <hiredis/async.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct store_link;

/* What the link tells its owner. why is a short reason ("Connection refused"). */
struct store_link_ops {
    void (*up)(void *ctx, struct store_link *l);
    void (*down)(void *ctx, const struct store_link *l, const char *why);
    void *ctx;
};

/* Creates a link to the Redis of o (borrowed; outlives the link) on base. ops is copied.
 * Connects once store_link_start() is called. Returns an owned link. */
struct store_link *store_link_new(struct event_base *base, const struct store_options *o,
                                  const struct store_link_ops *ops);

/* Starts connecting. */
void store_link_start(struct store_link *l);

/* True between the up and down reports. */
bool store_link_is_up(const struct store_link *l);

/* Sends a command; fn(ac, reply, privdata) runs with the reply, or with a NULL reply when the
 * connection is dropped first. Returns 0, or -1 when the link is not up (fn will not run). */
int store_link_command(struct store_link *l, redisCallbackFn *fn, void *privdata, int argc,
                       const char **argv, const size_t *argvlen);

/* Sends SUBSCRIBE channel; fn runs for the confirmation and for every message, and once with a
 * NULL reply when the connection drops. Not watched by the command timeout. Returns 0 or -1. */
int store_link_subscribe(struct store_link *l, redisCallbackFn *fn, void *privdata,
                         const char *channel);

/* Where the link connects, for logs ("127.0.0.1:6379" or "/run/redis.sock"). */
const char *store_link_where(const struct store_link *l);

/* Drops the connection (pending callbacks run with NULL replies, no down report) and releases
 * the link. NULL is a no-op. */
void store_link_free(struct store_link *l);

#endif
