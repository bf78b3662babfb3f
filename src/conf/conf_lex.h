/*
 * A pass over the configuration text before libconfig parses it, for what
 * libconfig 1.5 would otherwise accept wrongly:
 *  - an integer without the L suffix that does not fit in 32 bits, which
 *    libconfig 1.5 silently truncates (4294967296 reads as 0);
 *  - @include, which would make the meaning of a file depend on others and
 *    lets configuration text in memory (tests, fuzzing) open files.
 * Strings and comments are skipped as libconfig skips them.
 */
#ifndef TERN_CONF_LEX_H
#define TERN_CONF_LEX_H

#include "conf/conf_err.h"

/* Scans text (NUL-terminated). Returns 0, or -1 with e set to "NAME:LINE: ...". */
int conf_lex_check(const char *text, struct conf_err *e);

#endif
