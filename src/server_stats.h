/*
 * The figures of /metrics (Prometheus text format) and /stats (JSON),
 * part of the composition root: the one place that knows both the workers
 * (net/, turn/) and the HTTP endpoint (http/). A scrape sums every
 * worker's counters with relaxed loads and copies each worker's snapshot
 * under its lock once: its cost grows with the number of workers and the
 * top-N list, never with the number of allocations.
 */
#ifndef TERN_SERVER_STATS_H
#define TERN_SERVER_STATS_H

#include "http/http_body.h"

#include <stdbool.h>
#include <stdint.h>

struct net_shared;
struct net_worker;
struct server_usage;
struct store;

struct server_stats {
    struct net_worker *const *workers; /* borrowed, live while the endpoint runs */
    unsigned worker_count;
    struct net_shared *shared;
    struct server_usage *usage; /* NULL when no usage file */
    struct store *store;        /* NULL without Redis */
    int64_t start_s;            /* wall clock at start */
    unsigned top_n;             /* allocations in the /stats top list, over every worker */
    bool draining;              /* set by the control thread (atomic); no drain exists yet */
};

/* Writes the Prometheus text of ctx (a struct server_stats) into out. An http_render_cb. */
void server_stats_metrics(void *ctx, struct http_body *out);

/* Writes the JSON of /stats into out. An http_render_cb. */
void server_stats_json(void *ctx, struct http_body *out);

/* True when a new allocation could be made: not draining, and a relay port left. An
 * http_ready_cb. */
bool server_stats_ready(void *ctx);

#endif
