/*
 * The option table: one row per configuration key, giving its path
 * ("listen.port"), its kind (how a value is read, checked, printed, copied
 * and released), where it lives in struct conf, its limits and its default
 * in the file syntax. Loading, defaults, validation, printing and the
 * unknown-key check are all driven by this table.
 */
#ifndef TERN_CONF_TABLE_H
#define TERN_CONF_TABLE_H

#include "conf/conf.h"
#include "conf/conf_err.h"

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Row flags. */
#define CONF_TABLE_SECRET     0x01u /* printed as CONF_TABLE_HIDDEN, never echoed in messages */
#define CONF_TABLE_SPECIFIC   0x02u /* IP list: 0.0.0.0 and :: are refused */
#define CONF_TABLE_NONEMPTY   0x04u /* list: at least one entry */
#define CONF_TABLE_NULL_EMPTY 0x08u /* string: "" is stored as NULL */
#define CONF_TABLE_WITH_PORT                                                                       \
    0x20u /* IP list: entries are "IP:port" ("[IPv6]:port"), port 3478                             \
            when left out */
#define CONF_TABLE_PARALLEL                                                                        \
    0x10u /* list without a count of its own: one entry per entry of                               \
             the list counted by count_offset, or none */

/* What conf_print() writes for a secret, and what loading refuses as one. */
#define CONF_TABLE_HIDDEN "<hidden>"

/* Longest key path, "auth.users[1023].password" included. */
#define CONF_TABLE_PATH_LEN 64

struct conf_table_row;

/* How one kind of value is handled. copy and fini are NULL for kinds that own no memory. */
struct conf_table_kind {
    /* Stores the value of s into c, releasing what the row held. Returns 0, or -1 with e set. */
    int (*load)(const struct conf_table_row *row, const config_setting_t *s, struct conf *c,
                struct conf_err *e);
    /* Checks the value in c against the row's limits. Returns 0, or -1 with e set. */
    int (*check)(const struct conf_table_row *row, const struct conf *c, struct conf_err *e);
    /* Writes the value in the file syntax (no key, no ';'). */
    void (*print)(const struct conf_table_row *row, const struct conf *c, FILE *out);
    /* Replaces the pointers the row holds in c, which alias another conf, by owned copies. */
    void (*copy)(const struct conf_table_row *row, struct conf *c);
    /* Releases what the row owns in c. */
    void (*fini)(const struct conf_table_row *row, struct conf *c);
};

struct conf_table_row {
    const char *path; /* "group.key" */
    const struct conf_table_kind *kind;
    size_t offset;       /* of the value, or of the first entry of a list, in struct conf */
    size_t size;         /* of the value, or of one entry */
    size_t count_offset; /* lists: of the size_t count */
    size_t capacity;     /* lists: most entries */
    uint64_t min;        /* numbers: smallest value; strings: shortest length in bytes */
    uint64_t max;        /* numbers: largest value; strings: longest length in bytes */
    unsigned flags;      /* CONF_TABLE_* */
    const char *def;     /* the default, in the file syntax */
    const char *expect;  /* lists: what is expected, for messages */
};

/* Returns the rows (count in *n); rows of one group are adjacent. */
const struct conf_table_row *conf_table_rows(size_t *n);

/* Returns the row of "group.key" (group and key given apart), or NULL. */
const struct conf_table_row *conf_table_find(const char *group, const char *key);

/* True when name is a group of the table ("listen"). */
bool conf_table_is_group(const char *name);

/* True when row is the first of its group in the table. */
bool conf_table_opens_group(const struct conf_table_row *row);

/* Writes the groups ("server, listen, ...") or, when group is not NULL, the keys of group into
 * buf (cap bytes). Returns buf. */
const char *conf_table_names(const char *group, char *buf, size_t cap);

/* Returns the part of row->path after the dot. */
const char *conf_table_key(const struct conf_table_row *row);

/* Returns the length of the group part of row->path. */
size_t conf_table_group_len(const struct conf_table_row *row);

/* Returns the address of the row's value (or first entry) inside c. */
void *conf_table_field(const struct conf_table_row *row, struct conf *c);

/* Same for a read-only conf. */
const void *conf_table_cfield(const struct conf_table_row *row, const struct conf *c);

/* Returns the address of a list row's count inside c. */
size_t *conf_table_count(const struct conf_table_row *row, struct conf *c);

/* Returns a list row's count. */
size_t conf_table_ccount(const struct conf_table_row *row, const struct conf *c);

#endif
