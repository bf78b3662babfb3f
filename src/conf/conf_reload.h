/*
 * What a reload may change on a running server. A reload reads the whole
 * file again into a fresh configuration; keys the running server can take
 * live (credentials, TURN policy and quotas, peer rules, log level, TLS
 * files...) keep their new values, and every other key that changed (the
 * sockets, the thread count...) is put back to the running value and
 * reported as needing a restart, never silently ignored.
 */
#ifndef TERN_CONF_RELOAD_H
#define TERN_CONF_RELOAD_H

#include "conf/conf.h"

#include <stdbool.h>

/* Told of each key whose value differs between the running and the fresh configuration: live is
 * true when the reload applies it, false when it needs a restart (and was put back). */
typedef void (*conf_reload_note_cb)(void *ctx, const char *path, bool live);

/* True when a reload applies path ("auth.secrets") to the running server. */
bool conf_reload_is_live(const char *path);

/* Compares fresh with running key by key, calling note (may be NULL) for each key that differs,
 * and puts back in fresh the running value of each changed key that needs a restart. Returns
 * the number of keys that differ. */
size_t conf_reload_merge(struct conf *fresh, const struct conf *running, conf_reload_note_cb note,
                         void *ctx);

#endif
