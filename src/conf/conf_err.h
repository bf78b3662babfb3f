/*
 * Error messages of the configuration module, in one shape:
 *   "FILE:LINE: KEY: what was wrong; expected WHAT"
 * The location is left out when there is none (a value set on the command
 * line is checked by conf_validate() without a file).
 */
#ifndef TERN_CONF_ERR_H
#define TERN_CONF_ERR_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest value echoed in a message; longer ones are cut and end in "...". */
#define CONF_ERR_VALUE_MAX 48

struct conf_err {
    char *buf;           /* CONF_ERR_LEN bytes, owned by the caller */
    const char *name;    /* file name for the location, or NULL for none */
    const config_t *cfg; /* when set, a key reported without a line is looked up here for one */
};

/* Formats "NAME:LINE: KEY: message" into e->buf. line 0 means unknown: the key is then looked up
 * in e->cfg for its line. key may be NULL (syntax errors). Returns -1, for callers to return. */
int conf_err_set(struct conf_err *e, unsigned line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same, at the line of setting s. */
int conf_err_at(struct conf_err *e, const config_setting_t *s, const char *key, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

/* Describes the value of s for a message: "found \"abc\" (a string)", "found a group". With hide
 * set, the value itself is left out (secrets). Writes into buf (cap bytes) and returns buf. */
const char *conf_err_found(const config_setting_t *s, bool hide, char *buf, size_t cap);

/* Writes s into buf (cap bytes) quoted and escaped for a message, cut after CONF_ERR_VALUE_MAX
 * bytes. Returns buf. */
const char *conf_err_quote(const char *s, char *buf, size_t cap);

#endif
