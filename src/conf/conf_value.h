/*
 * Scalar kinds of the option table: booleans, unsigned integers, strings
 * and log levels, plus the string writer conf_print() uses.
 */
#ifndef TERN_CONF_VALUE_H
#define TERN_CONF_VALUE_H

#include "conf/conf_err.h"
#include "conf/conf_table.h"

#include <stdio.h>

extern const struct conf_table_kind conf_value_bool;
extern const struct conf_table_kind conf_value_uint;
extern const struct conf_table_kind conf_value_string;
extern const struct conf_table_kind conf_value_log_level;

/* Checks string v (NULL reads as "") against row's length limits, refuses control characters
 * unless the row is secret, and refuses the CONF_TABLE_HIDDEN placeholder for secret rows.
 * Messages name key at line (0: none) and never echo a secret. Returns 0, or -1 with e set. */
int conf_value_string_test(const struct conf_table_row *row, const char *v, unsigned line,
                           const char *key, struct conf_err *e);

/* Writes s (NULL reads as "") to out as a string literal of the file syntax. */
void conf_value_print_string(FILE *out, const char *s);

#endif
