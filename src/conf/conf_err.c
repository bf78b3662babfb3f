#include "conf/conf_err.h"

#include "conf/conf.h"
#include "util/assert.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What each libconfig type is called in a message. */
static const char *const conf_err_type_names[] = {
    [CONFIG_TYPE_NONE] = "nothing",        [CONFIG_TYPE_GROUP] = "a group",
    [CONFIG_TYPE_INT] = "an integer",      [CONFIG_TYPE_INT64] = "an integer",
    [CONFIG_TYPE_FLOAT] = "a real number", [CONFIG_TYPE_STRING] = "a string",
    [CONFIG_TYPE_BOOL] = "a boolean",      [CONFIG_TYPE_ARRAY] = "an array",
    [CONFIG_TYPE_LIST] = "a list",
};

/* Appends to buf (CONF_ERR_LEN bytes, used of them taken); returns the new length. */
__attribute__((format(printf, 3, 0))) static size_t conf_err_vappend(char *buf, size_t used,
                                                                     const char *fmt, va_list ap)
{
    if (used + 1 >= CONF_ERR_LEN) {
        return used;
    }
    int n = vsnprintf(buf + used, CONF_ERR_LEN - used, fmt, ap);
    if (n < 0) {
        buf[used] = '\0';
        return used;
    }
    return used + (size_t)n >= CONF_ERR_LEN ? CONF_ERR_LEN - 1 : used + (size_t)n;
}

__attribute__((format(printf, 3, 4))) static size_t conf_err_append(char *buf, size_t used,
                                                                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    used = conf_err_vappend(buf, used, fmt, ap);
    va_end(ap);
    return used;
}

__attribute__((format(printf, 4, 0))) static int
conf_err_vset(struct conf_err *e, unsigned line, const char *key, const char *fmt, va_list ap)
{
    size_t used = 0;

    if (line == 0 && key != NULL && e->cfg != NULL) {
        const config_setting_t *s = config_lookup(e->cfg, key);
        if (s != NULL) {
            line = config_setting_source_line(s);
        }
    }
    e->buf[0] = '\0';
    if (e->name != NULL && line != 0) {
        used = conf_err_append(e->buf, used, "%s:%u: ", e->name, line);
    } else if (e->name != NULL) {
        used = conf_err_append(e->buf, used, "%s: ", e->name);
    }
    if (key != NULL) {
        used = conf_err_append(e->buf, used, "%s: ", key);
    }
    (void)conf_err_vappend(e->buf, used, fmt, ap);
    return -1;
}

int conf_err_set(struct conf_err *e, unsigned line, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)conf_err_vset(e, line, key, fmt, ap);
    va_end(ap);
    return -1;
}

int conf_err_at(struct conf_err *e, const config_setting_t *s, const char *key, const char *fmt,
                ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)conf_err_vset(e, config_setting_source_line(s), key, fmt, ap);
    va_end(ap);
    return -1;
}

const char *conf_err_quote(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    size_t i = 0;

    TERN_ASSERT(cap >= 8);
    buf[n++] = '"';
    for (; i < CONF_ERR_VALUE_MAX && n + 6 < cap && s[i] != '\0'; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", ch);
        } else {
            buf[n++] = (char)ch;
        }
    }
    buf[n++] = '"';
    buf[n] = '\0';
    if (s[i] != '\0' && n + 3 < cap) {
        memcpy(buf + n, "...", 4);
    }
    return buf;
}

/* Writes the value of a scalar s into buf; returns false for aggregates. */
static bool conf_err_scalar_text(const config_setting_t *s, char *buf, size_t cap)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        (void)snprintf(buf, cap, "%lld", config_setting_get_int64(s));
        return true;
    case CONFIG_TYPE_FLOAT:
        (void)snprintf(buf, cap, "%g", config_setting_get_float(s));
        return true;
    case CONFIG_TYPE_BOOL:
        (void)snprintf(buf, cap, "%s", config_setting_get_bool(s) ? "true" : "false");
        return true;
    case CONFIG_TYPE_STRING:
        (void)conf_err_quote(config_setting_get_string(s), buf, cap);
        return true;
    default:
        return false;
    }
}

const char *conf_err_found(const config_setting_t *s, bool hide, char *buf, size_t cap)
{
    char value[CONF_ERR_VALUE_MAX * 4 + 8];
    int type = config_setting_type(s);
    const char *what = "something else";

    if (type >= 0 && (size_t)type < TERN_ARRAY_LEN(conf_err_type_names)) {
        what = conf_err_type_names[type];
    }
    if (!hide && conf_err_scalar_text(s, value, sizeof(value))) {
        (void)snprintf(buf, cap, "found %s (%s)", value, what);
    } else {
        (void)snprintf(buf, cap, "found %s", what);
    }
    return buf;
}
