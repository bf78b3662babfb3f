#include "conf/conf_value.h"

#include "util/assert.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Room for conf_err_found(). */
#define CONF_VALUE_FOUND_LEN 256

static int conf_value_bool_load(const struct conf_table_row *row, const config_setting_t *s,
                                struct conf *c, struct conf_err *e)
{
    bool v;

    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        char found[CONF_VALUE_FOUND_LEN];
        return conf_err_at(e, s, row->path, "%s; expected true or false",
                           conf_err_found(s, false, found, sizeof(found)));
    }
    v = config_setting_get_bool(s) != 0;
    memcpy(conf_table_field(row, c), &v, sizeof(v));
    return 0;
}

static void conf_value_bool_print(const struct conf_table_row *row, const struct conf *c, FILE *out)
{
    bool v;

    memcpy(&v, conf_table_cfield(row, c), sizeof(v));
    (void)fputs(v ? "true" : "false", out);
}

const struct conf_table_kind conf_value_bool = {
    .load = conf_value_bool_load,
    .print = conf_value_bool_print,
};

static uint64_t conf_value_uint_get(const struct conf_table_row *row, const struct conf *c)
{
    const void *p = conf_table_cfield(row, c);
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    if (row->size == sizeof(v16)) {
        memcpy(&v16, p, sizeof(v16));
        return v16;
    }
    if (row->size == sizeof(v32)) {
        memcpy(&v32, p, sizeof(v32));
        return v32;
    }
    memcpy(&v64, p, sizeof(v64));
    return v64;
}

/* Stores v, which the caller checked against row->max (which fits the field). The table gives
 * every integer row a field of 2, 4 or 8 bytes. */
static void conf_value_uint_set(const struct conf_table_row *row, struct conf *c, uint64_t v)
{
    void *p = conf_table_field(row, c);
    uint16_t v16 = (uint16_t)v;
    uint32_t v32 = (uint32_t)v;

    if (row->size == sizeof(v16)) {
        memcpy(p, &v16, sizeof(v16));
    } else if (row->size == sizeof(v32)) {
        memcpy(p, &v32, sizeof(v32));
    } else {
        memcpy(p, &v, sizeof(v));
    }
}

static int conf_value_uint_load(const struct conf_table_row *row, const config_setting_t *s,
                                struct conf *c, struct conf_err *e)
{
    int type = config_setting_type(s);

    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
        char found[CONF_VALUE_FOUND_LEN];
        return conf_err_at(e, s, row->path, "%s; expected an integer from %" PRIu64 " to %" PRIu64,
                           conf_err_found(s, false, found, sizeof(found)), row->min, row->max);
    }
    long long v = config_setting_get_int64(s);
    if (v < 0 || (uint64_t)v < row->min || (uint64_t)v > row->max) {
        return conf_err_at(e, s, row->path,
                           "%lld is out of range; expected an integer from %" PRIu64 " to %" PRIu64,
                           v, row->min, row->max);
    }
    conf_value_uint_set(row, c, (uint64_t)v);
    return 0;
}

static int conf_value_uint_check(const struct conf_table_row *row, const struct conf *c,
                                 struct conf_err *e)
{
    uint64_t v = conf_value_uint_get(row, c);

    if (v < row->min || v > row->max) {
        return conf_err_set(e, 0, row->path,
                            "%" PRIu64 " is out of range; expected an integer from %" PRIu64
                            " to %" PRIu64,
                            v, row->min, row->max);
    }
    return 0;
}

static void conf_value_uint_print(const struct conf_table_row *row, const struct conf *c, FILE *out)
{
    uint64_t v = conf_value_uint_get(row, c);

    /* libconfig 1.5 reads integers without the L suffix as 32-bit ones. */
    (void)fprintf(out, "%" PRIu64 "%s", v, v > INT32_MAX ? "L" : "");
}

const struct conf_table_kind conf_value_uint = {
    .load = conf_value_uint_load,
    .check = conf_value_uint_check,
    .print = conf_value_uint_print,
};

/* True when s holds a control character. */
static bool conf_value_has_control(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return true;
        }
    }
    return false;
}

int conf_value_string_test(const struct conf_table_row *row, const char *v, unsigned line,
                           const char *key, struct conf_err *e)
{
    char quoted[CONF_ERR_VALUE_MAX * 4 + 8];
    size_t len = v != NULL ? strlen(v) : 0;
    bool secret = (row->flags & CONF_TABLE_SECRET) != 0;

    if (len < row->min || len > row->max) {
        if (len == 0) {
            return conf_err_set(e, line, key,
                                "empty; expected a string of %" PRIu64 " to %" PRIu64 " bytes",
                                row->min, row->max);
        }
        return conf_err_set(e, line, key,
                            "%s%s%zu bytes long; expected a string of %" PRIu64 " to %" PRIu64
                            " bytes",
                            secret ? "" : conf_err_quote(v, quoted, sizeof(quoted)),
                            secret ? "" : " is ", len, row->min, row->max);
    }
    if (secret && v != NULL && strcmp(v, CONF_TABLE_HIDDEN) == 0) {
        return conf_err_set(e, line, key,
                            "\"%s\" is the placeholder the printed configuration shows; expected "
                            "the real value",
                            CONF_TABLE_HIDDEN);
    }
    if (!secret && v != NULL && conf_value_has_control(v)) {
        return conf_err_set(e, line, key, "%s holds a control character; expected printable text",
                            conf_err_quote(v, quoted, sizeof(quoted)));
    }
    return 0;
}

static int conf_value_string_load(const struct conf_table_row *row, const config_setting_t *s,
                                  struct conf *c, struct conf_err *e)
{
    char **field = conf_table_field(row, c);

    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        char found[CONF_VALUE_FOUND_LEN];
        return conf_err_at(
            e, s, row->path, "%s; expected a string of %" PRIu64 " to %" PRIu64 " bytes",
            conf_err_found(s, (row->flags & CONF_TABLE_SECRET) != 0, found, sizeof(found)),
            row->min, row->max);
    }
    const char *v = config_setting_get_string(s);
    if (conf_value_string_test(row, v, config_setting_source_line(s), row->path, e) < 0) {
        return -1;
    }
    xfree(field);
    if (v[0] != '\0' || (row->flags & CONF_TABLE_NULL_EMPTY) == 0) {
        *field = xstrdup(v);
    }
    return 0;
}

static int conf_value_string_check(const struct conf_table_row *row, const struct conf *c,
                                   struct conf_err *e)
{
    char *const *field = conf_table_cfield(row, c);

    return conf_value_string_test(row, *field, 0, row->path, e);
}

void conf_value_print_string(FILE *out, const char *s)
{
    (void)fputc('"', out);
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            (void)fputc('\\', out);
            (void)fputc(ch, out);
        } else if (ch < 0x20 || ch == 0x7f) {
            (void)fprintf(out, "\\x%02x", ch);
        } else {
            (void)fputc(ch, out);
        }
    }
    (void)fputc('"', out);
}

static void conf_value_string_print(const struct conf_table_row *row, const struct conf *c,
                                    FILE *out)
{
    char *const *field = conf_table_cfield(row, c);

    /* An unset secret (an empty token) hides nothing, and must load back. */
    if ((row->flags & CONF_TABLE_SECRET) != 0 && *field != NULL) {
        conf_value_print_string(out, CONF_TABLE_HIDDEN);
    } else {
        conf_value_print_string(out, *field);
    }
}

static void conf_value_string_copy(const struct conf_table_row *row, struct conf *c)
{
    char **field = conf_table_field(row, c);

    if (*field != NULL) {
        *field = xstrdup(*field);
    }
}

static void conf_value_string_fini(const struct conf_table_row *row, struct conf *c)
{
    char **field = conf_table_field(row, c);

    xfree(field);
}

const struct conf_table_kind conf_value_string = {
    .load = conf_value_string_load,
    .check = conf_value_string_check,
    .print = conf_value_string_print,
    .copy = conf_value_string_copy,
    .fini = conf_value_string_fini,
};

#define CONF_VALUE_LEVELS "one of \"error\", \"warn\", \"notice\", \"info\", \"debug\""

static int conf_value_log_level_load(const struct conf_table_row *row, const config_setting_t *s,
                                     struct conf *c, struct conf_err *e)
{
    const char *name = config_setting_get_string(s);
    int level = name != NULL ? log_level_parse(name) : -1;

    if (level < 0) {
        char found[CONF_VALUE_FOUND_LEN];
        return conf_err_at(e, s, row->path, "%s; expected " CONF_VALUE_LEVELS,
                           conf_err_found(s, false, found, sizeof(found)));
    }
    enum log_level v = (enum log_level)level;
    memcpy(conf_table_field(row, c), &v, sizeof(v));
    return 0;
}

static int conf_value_log_level_check(const struct conf_table_row *row, const struct conf *c,
                                      struct conf_err *e)
{
    enum log_level v;

    memcpy(&v, conf_table_cfield(row, c), sizeof(v));
    if (log_level_parse(log_level_name(v)) != (int)v) {
        return conf_err_set(e, 0, row->path, "%d is not a level; expected " CONF_VALUE_LEVELS,
                            (int)v);
    }
    return 0;
}

static void conf_value_log_level_print(const struct conf_table_row *row, const struct conf *c,
                                       FILE *out)
{
    enum log_level v;

    memcpy(&v, conf_table_cfield(row, c), sizeof(v));
    conf_value_print_string(out, log_level_name(v));
}

const struct conf_table_kind conf_value_log_level = {
    .load = conf_value_log_level_load,
    .check = conf_value_log_level_check,
    .print = conf_value_log_level_print,
};
