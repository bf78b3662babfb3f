/*
 * The configuration: one libconfig file (etc/tern.conf is the reference,
 * man/tern.conf.5 documents every key), read through one option table that
 * maps each key to a field of a module's option struct, with its type,
 * range and default. Unknown keys and wrong values are errors that name
 * file:line and what was expected.
 */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include "auth/auth_options.h"
#include "http/http_options.h"
#include "net/net_options.h"
#include "server_options.h"
#include "store/store_options.h"
#include "turn/turn_options.h"

#include <stdbool.h>
#include <stdio.h>

#define CONF_ERR_LEN 512

struct conf {
    struct server_options server;
    struct net_options net;
    struct auth_options auth;
    struct turn_options turn;
    struct http_options http;
    struct store_options redis;
};

/* Fills c with the built-in defaults (the values etc/tern.conf spells out). c is owned by the
 * caller and released with conf_fini(). */
void conf_init(struct conf *c);

/* Releases the strings c owns and resets it to zeros. */
void conf_fini(struct conf *c);

/* Makes dst (uninitialised) an independent copy of src: the strings are duplicated. Release it
 * with conf_fini(). */
void conf_copy(struct conf *dst, const struct conf *src);

/* Reads path (at most 1 MiB of text, no @include) over the values already in c: keys the file
 * leaves out keep them. Returns 0, or -1 with err set to
 * "path:line: key: what was wrong; expected what". On failure c is left as it was. */
int conf_load_file(struct conf *c, const char *path, char err[CONF_ERR_LEN]);

/* Same for configuration text in memory (tests, fuzzing); name is used in messages. */
int conf_load_string(struct conf *c, const char *text, const char *name, char err[CONF_ERR_LEN]);

/* Checks every key against its type and range, then the relations between keys (ranges that
 * must not cross, at least one listener...). Returns 0, or -1 with err set to
 * "key: what was wrong; expected what" (no location). conf_load_* call it; after command-line
 * overrides, call it again. */
int conf_validate(const struct conf *c, char err[CONF_ERR_LEN]);

/* Writes the effective configuration to out in the file syntax, every key included. Secrets
 * and passwords are written as "<hidden>", which conf_load_* refuses; without them, the output
 * loads back to the same configuration. */
void conf_print(const struct conf *c, FILE *out);

#endif
