/*
 * List kinds of the option table: IP addresses, CIDR prefixes and secrets,
 * and the list walk that conf_user.c shares.
 */
#ifndef TERN_CONF_LIST_H
#define TERN_CONF_LIST_H

#include "conf/conf_err.h"
#include "conf/conf_table.h"

#include <libconfig.h>
#include <stddef.h>

extern const struct conf_table_kind conf_list_ip;
extern const struct conf_table_kind conf_list_cidr;
extern const struct conf_table_kind conf_list_secret;
extern const struct conf_table_kind conf_list_text;

/* Reads entry i of a list row from setting s into c; key names the entry ("peers.deny[2]").
 * Stores nothing on failure. Returns 0, or -1 with e set. */
typedef int (*conf_list_entry_cb)(const struct conf_table_row *row, const config_setting_t *s,
                                  size_t i, const char *key, struct conf *c, struct conf_err *e);

/* Replaces the list of row in c by the entries of s (an array or a list), read one by one with
 * load_entry. The count follows each entry read, so that fini releases exactly what was stored.
 * Returns 0, or -1 with e set. */
int conf_list_load(const struct conf_table_row *row, const config_setting_t *s, struct conf *c,
                   struct conf_err *e, conf_list_entry_cb load_entry);

/* Refuses a list count above row->capacity. Returns 0, or -1 with e set. */
int conf_list_check_count(const struct conf_table_row *row, size_t n, struct conf_err *e);

/* Writes "name[i]" of row into key (CONF_TABLE_PATH_LEN bytes); returns key. */
const char *conf_list_key(const struct conf_table_row *row, size_t i, char *key);

#endif
