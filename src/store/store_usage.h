/*
 * Usage records to the Redis stream <prefix>usage, exactly once.
 *
 * Workers hand lines (store_record.h) to store_usage_push() under a mutex
 * (once per allocation that ends); the control thread gives each an id
 * "<node>-<start ms>-<seq>", appends it to the journal file when one is
 * configured, and keeps up to queue_max of them in memory (past that they
 * stay in the journal only, and are read back as the queue drains).
 *
 * Sending: records go out in order, each through one server-side script
 * that adds it to the stream (XADD MAXLEN ~ usage_maxlen) only when its
 * seq is above the highest seq already added for its source, which the
 * script keeps in the hash <prefix>usage:acked; then it records the seq.
 * A record is removed from memory only once its reply arrived, and the
 * journal is emptied only when every record in it was acknowledged. So a
 * record sent twice (the reply was lost with the connection, or ternd
 * restarted and replays its journal) is added once: none lost while the
 * journal is there, none duplicated.
 */
#ifndef TERN_STORE_USAGE_H
#define TERN_STORE_USAGE_H

#include "store/store_link.h"
#include "store/store_options.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_USAGE_ERR_LEN 256

struct event_base;
struct store_usage;

/* Creates the sender on base; opens (creating, 0640) and reads the journal when o->journal is
 * set. Returns an owned sender or NULL with err set. o is borrowed. */
struct store_usage *store_usage_new(struct event_base *base, const struct store_options *o,
                                    char err[STORE_USAGE_ERR_LEN]);

/* Sends on link (borrowed; NULL while there is none) whatever waits. Control thread. */
void store_usage_kick(struct store_usage *u, struct store_link *link);

/* Queues a copy of line[0..len) (any thread). */
void store_usage_push(struct store_usage *u, const char *line, size_t len);

/* True while records wait (pushed, queued, or in the journal only). Control thread. */
bool store_usage_pending(struct store_usage *u);

/* The records acknowledged, waiting, dropped and journaled. Any thread. */
void store_usage_figures(struct store_usage *u, uint64_t out[4]);

/* Takes in what workers pushed, keeps the journal (memory records are all in it), and releases
 * the sender. NULL is a no-op. */
void store_usage_free(struct store_usage *u);

#endif
