/*
 * Usage records to a JSON-lines file, part of the composition root.
 *
 * Workers hand each record (turn_usage.h) to server_usage_push(), which
 * copies it into a queue under a mutex (taken once per allocation that
 * ends, never per packet) and wakes a writer thread; the writer appends
 * the records to usage.file, so a slow disk never stalls a worker.
 *
 * Overflow: the queue holds up to SERVER_USAGE_QUEUE_MAX records (about
 * 64 MiB). A worker never blocks on it; past the cap a record is counted
 * in tern_usage_records_dropped_total and logged, rather than letting a
 * dead disk exhaust memory. At shutdown the workers end every allocation
 * first, then server_usage_free() writes everything queued and fsyncs.
 */
#ifndef TERN_SERVER_USAGE_H
#define TERN_SERVER_USAGE_H

#include "store/store_record.h"
#include "turn/turn_usage.h"

#include <stddef.h>
#include <stdint.h>

#define SERVER_USAGE_ERR_LEN   256
#define SERVER_USAGE_QUEUE_MAX 65536

struct server_usage;

/* Opens path for appending (created 0640 when missing) and starts the writer thread. Returns an
 * owned writer, or NULL with err set. */
struct server_usage *server_usage_new(const char *path, char err[SERVER_USAGE_ERR_LEN]);

/* Queues a copy of rec (ctx is the struct server_usage). A net_worker_usage_cb: any thread,
 * never blocks for long. */
void server_usage_push(void *ctx, const struct turn_usage *rec);

/* The records written, dropped at the cap, and waiting now. */
void server_usage_figures(struct server_usage *u, uint64_t *written, uint64_t *dropped,
                          uint64_t *queued);

/* Writes every queued record, fsyncs and closes the file, stops the thread and releases u. NULL
 * is a no-op. Call once no worker pushes any more. */
void server_usage_free(struct server_usage *u);

/* Where the usage records of the workers go: the file writer and/or the Redis stream. */
struct server_usage_sinks {
    struct server_usage *file; /* NULL: no usage file */
    /* Takes one record line (store/store_record.h) without id; NULL: no stream. Any thread. */
    void (*line)(void *ctx, const char *line, size_t len);
    void *line_ctx;
};

/* Hands rec to every sink of ctx (a struct server_usage_sinks). A net_worker_usage_cb. */
void server_usage_dispatch(void *ctx, const struct turn_usage *rec);

/* Writes rec as a record line of fields (store/store_record.h) into out. Returns its length, or
 * -1 when it does not fit. */
int server_usage_line(const struct turn_usage *rec, struct store_record_line *out);

#endif
