#include "conf/conf_list.h"

#include "conf/conf_value.h"
#include "util/addr.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Room for conf_err_found() and for quoted values. */
#define CONF_LIST_TEXT_LEN 256

#define CONF_LIST_ADDR_EXPECT "an address such as \"192.0.2.1:3478\" or \"[2001:db8::1]:3478\""
/* The port of an address list entry that names none: the STUN/TURN port. */
#define CONF_LIST_DEFAULT_PORT 3478
#define CONF_LIST_IP_EXPECT    "an IP address such as \"192.0.2.1\" or \"2001:db8::1\""
#define CONF_LIST_CIDR_EXPECT  "a prefix such as \"192.0.2.0/24\" or \"2001:db8::/32\""

const char *conf_list_key(const struct conf_table_row *row, size_t i, char *key)
{
    (void)snprintf(key, CONF_TABLE_PATH_LEN, "%s[%zu]", row->path, i);
    return key;
}

int conf_list_check_count(const struct conf_table_row *row, size_t n, struct conf_err *e)
{
    if (n > row->capacity) {
        return conf_err_set(e, 0, row->path, "%zu entries; expected at most %zu", n, row->capacity);
    }
    if (n == 0 && (row->flags & CONF_TABLE_NONEMPTY) != 0) {
        return conf_err_set(e, 0, row->path, "empty; expected %s with at least one entry",
                            row->expect);
    }
    return 0;
}

int conf_list_load(const struct conf_table_row *row, const config_setting_t *s, struct conf *c,
                   struct conf_err *e, conf_list_entry_cb load_entry)
{
    char key[CONF_TABLE_PATH_LEN];
    bool parallel = (row->flags & CONF_TABLE_PARALLEL) != 0;

    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        char text[CONF_LIST_TEXT_LEN];
        return conf_err_at(
            e, s, row->path, "%s; expected %s",
            conf_err_found(s, (row->flags & CONF_TABLE_SECRET) != 0, text, sizeof(text)),
            row->expect);
    }
    size_t n = (size_t)config_setting_length(s);
    if (n > row->capacity) {
        return conf_err_at(e, s, row->path, "%zu entries; expected at most %zu", n, row->capacity);
    }
    if (row->kind->fini != NULL) {
        row->kind->fini(row, c);
    }
    memset(conf_table_field(row, c), 0, row->capacity * row->size);
    if (!parallel) {
        *conf_table_count(row, c) = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *entry = config_setting_get_elem(s, (unsigned)i);
        if (load_entry(row, entry, i, conf_list_key(row, i, key), c, e) < 0) {
            return -1;
        }
        if (!parallel) {
            *conf_table_count(row, c) = i + 1;
        }
    }
    return 0;
}

/* Returns the string of entry s, or NULL with e set when s is not a string. */
static const char *conf_list_string(const config_setting_t *s, const char *key, bool hide,
                                    const char *expect, struct conf_err *e)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        char found[CONF_LIST_TEXT_LEN];
        (void)conf_err_at(e, s, key, "%s; expected %s",
                          conf_err_found(s, hide, found, sizeof(found)), expect);
        return NULL;
    }
    return config_setting_get_string(s);
}

/* Checks entry i of an IP list against the row's flags and the entries before it. */
static int conf_list_ip_test(const struct conf_table_row *row, const struct addr *ips, size_t i,
                             unsigned line, struct conf_err *e)
{
    char key[CONF_TABLE_PATH_LEN];
    char ip[ADDR_STR_LEN];

    (void)conf_list_key(row, i, key);
    if (ips[i].family != AF_INET && ips[i].family != AF_INET6) {
        return conf_err_set(e, line, key, "no address; expected " CONF_LIST_IP_EXPECT);
    }
    (void)addr_format_ip(&ips[i], ip, sizeof(ip));
    if ((row->flags & CONF_TABLE_SPECIFIC) != 0 && addr_is_any(&ips[i])) {
        return conf_err_set(e, line, key,
                            "\"%s\" is the unspecified address; expected an address of this host",
                            ip);
    }
    for (size_t j = 0; j < i; j++) {
        if ((row->flags & CONF_TABLE_WITH_PORT) != 0 ? addr_equal(&ips[j], &ips[i])
                                                     : addr_equal_ip(&ips[j], &ips[i])) {
            return conf_err_set(e, line, key, "\"%s\" is listed twice; expected each once", ip);
        }
    }
    return 0;
}

static int conf_list_ip_entry(const struct conf_table_row *row, const config_setting_t *s, size_t i,
                              const char *key, struct conf *c, struct conf_err *e)
{
    struct addr *ips = conf_table_field(row, c);
    struct addr ip;

    const char *text = conf_list_string(s, key, false, CONF_LIST_IP_EXPECT, e);
    if (text == NULL) {
        return -1;
    }
    if ((row->flags & CONF_TABLE_WITH_PORT) != 0) {
        if (addr_parse(&ip, text, CONF_LIST_DEFAULT_PORT) < 0) {
            char quoted[CONF_LIST_TEXT_LEN];
            return conf_err_at(e, s, key, "%s is not an address; expected " CONF_LIST_ADDR_EXPECT,
                               conf_err_quote(text, quoted, sizeof(quoted)));
        }
    } else if (addr_parse_ip(&ip, text) < 0) {
        char quoted[CONF_LIST_TEXT_LEN];
        return conf_err_at(e, s, key, "%s is not an IP address; expected " CONF_LIST_IP_EXPECT,
                           conf_err_quote(text, quoted, sizeof(quoted)));
    } else {
        ip.port = 0;
    }
    ips[i] = ip;
    if (conf_list_ip_test(row, ips, i, config_setting_source_line(s), e) < 0) {
        memset(&ips[i], 0, sizeof(ips[i]));
        return -1;
    }
    return 0;
}

static int conf_list_ip_load(const struct conf_table_row *row, const config_setting_t *s,
                             struct conf *c, struct conf_err *e)
{
    return conf_list_load(row, s, c, e, conf_list_ip_entry);
}

static int conf_list_ip_check(const struct conf_table_row *row, const struct conf *c,
                              struct conf_err *e)
{
    const struct addr *ips = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);
    bool parallel = (row->flags & CONF_TABLE_PARALLEL) != 0;

    if (conf_list_check_count(row, n, e) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        /* Unset entries of a parallel list mean "none"; conf.c checks they agree. */
        if (parallel && ips[i].family == 0) {
            continue;
        }
        if (conf_list_ip_test(row, ips, i, 0, e) < 0) {
            return -1;
        }
    }
    return 0;
}

static void conf_list_ip_print(const struct conf_table_row *row, const struct conf *c, FILE *out)
{
    const struct addr *ips = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);
    char ip[ADDR_STR_LEN];
    const char *sep = "";

    (void)fputc('[', out);
    for (size_t i = 0; i < n && i < row->capacity; i++) {
        if (ips[i].family == 0) {
            continue;
        }
        (void)fprintf(out, "%s\"%s\"", sep,
                      (row->flags & CONF_TABLE_WITH_PORT) != 0
                          ? addr_format(&ips[i], ip, sizeof(ip))
                          : addr_format_ip(&ips[i], ip, sizeof(ip)));
        sep = ", ";
    }
    (void)fputc(']', out);
}

const struct conf_table_kind conf_list_ip = {
    .load = conf_list_ip_load,
    .check = conf_list_ip_check,
    .print = conf_list_ip_print,
};

/* Checks entry i of a prefix list: a known family, a prefix that fits it, listed once. */
static int conf_list_cidr_test(const struct conf_table_row *row, const struct addr_cidr *nets,
                               size_t i, unsigned line, struct conf_err *e)
{
    char key[CONF_TABLE_PATH_LEN];
    char net[ADDR_STR_LEN];
    unsigned bits = nets[i].base.family == AF_INET ? 32 : 128;

    (void)conf_list_key(row, i, key);
    if ((nets[i].base.family != AF_INET && nets[i].base.family != AF_INET6) ||
        nets[i].prefix_len > bits) {
        return conf_err_set(e, line, key, "no prefix; expected " CONF_LIST_CIDR_EXPECT);
    }
    (void)addr_cidr_format(&nets[i], net, sizeof(net));
    for (size_t j = 0; j < i; j++) {
        if (nets[j].prefix_len == nets[i].prefix_len &&
            addr_equal_ip(&nets[j].base, &nets[i].base)) {
            return conf_err_set(e, line, key, "\"%s\" is listed twice; expected each once", net);
        }
    }
    return 0;
}

/* True when text, a prefix addr_cidr_parse() accepted as net, has no bits set past the prefix
 * length (which addr_cidr_parse() clears without a word: "10.1.2.3/8" is most likely a typo). */
static bool conf_list_cidr_is_exact(const char *text, const struct addr_cidr *net)
{
    char host[ADDR_STR_LEN];
    struct addr base;
    const char *slash = strchr(text, '/');
    size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);

    if (n >= sizeof(host)) {
        return false;
    }
    memcpy(host, text, n);
    host[n] = '\0';
    return addr_parse_ip(&base, host) == 0 && addr_equal_ip(&base, &net->base);
}

static int conf_list_cidr_entry(const struct conf_table_row *row, const config_setting_t *s,
                                size_t i, const char *key, struct conf *c, struct conf_err *e)
{
    struct addr_cidr *nets = conf_table_field(row, c);
    struct addr_cidr net;

    const char *text = conf_list_string(s, key, false, CONF_LIST_CIDR_EXPECT, e);
    if (text == NULL) {
        return -1;
    }
    if (addr_cidr_parse(&net, text) < 0) {
        char quoted[CONF_LIST_TEXT_LEN];
        return conf_err_at(e, s, key, "%s is not a prefix; expected " CONF_LIST_CIDR_EXPECT,
                           conf_err_quote(text, quoted, sizeof(quoted)));
    }
    if (!conf_list_cidr_is_exact(text, &net)) {
        char quoted[CONF_LIST_TEXT_LEN];
        char exact[ADDR_STR_LEN];
        return conf_err_at(e, s, key, "%s has bits set past the prefix length; expected \"%s\"",
                           conf_err_quote(text, quoted, sizeof(quoted)),
                           addr_cidr_format(&net, exact, sizeof(exact)));
    }
    nets[i] = net;
    if (conf_list_cidr_test(row, nets, i, config_setting_source_line(s), e) < 0) {
        memset(&nets[i], 0, sizeof(nets[i]));
        return -1;
    }
    return 0;
}

static int conf_list_cidr_load(const struct conf_table_row *row, const config_setting_t *s,
                               struct conf *c, struct conf_err *e)
{
    return conf_list_load(row, s, c, e, conf_list_cidr_entry);
}

static int conf_list_cidr_check(const struct conf_table_row *row, const struct conf *c,
                                struct conf_err *e)
{
    const struct addr_cidr *nets = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);

    if (conf_list_check_count(row, n, e) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (conf_list_cidr_test(row, nets, i, 0, e) < 0) {
            return -1;
        }
    }
    return 0;
}

static void conf_list_cidr_print(const struct conf_table_row *row, const struct conf *c, FILE *out)
{
    const struct addr_cidr *nets = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);
    char net[ADDR_STR_LEN];

    (void)fputc('[', out);
    for (size_t i = 0; i < n && i < row->capacity; i++) {
        (void)fprintf(out, "%s\"%s\"", i == 0 ? "" : ", ",
                      addr_cidr_format(&nets[i], net, sizeof(net)));
    }
    (void)fputc(']', out);
}

const struct conf_table_kind conf_list_cidr = {
    .load = conf_list_cidr_load,
    .check = conf_list_cidr_check,
    .print = conf_list_cidr_print,
};

static int conf_list_secret_entry(const struct conf_table_row *row, const config_setting_t *s,
                                  size_t i, const char *key, struct conf *c, struct conf_err *e)
{
    char expect[CONF_LIST_TEXT_LEN];
    char **secrets = conf_table_field(row, c);

    (void)snprintf(expect, sizeof(expect), "a string of %llu to %llu bytes",
                   (unsigned long long)row->min, (unsigned long long)row->max);
    const char *text = conf_list_string(s, key, true, expect, e);
    if (text == NULL ||
        conf_value_string_test(row, text, config_setting_source_line(s), key, e) < 0) {
        return -1;
    }
    secrets[i] = xstrdup(text);
    return 0;
}

static int conf_list_secret_load(const struct conf_table_row *row, const config_setting_t *s,
                                 struct conf *c, struct conf_err *e)
{
    return conf_list_load(row, s, c, e, conf_list_secret_entry);
}

static int conf_list_secret_check(const struct conf_table_row *row, const struct conf *c,
                                  struct conf_err *e)
{
    char *const *secrets = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);
    char key[CONF_TABLE_PATH_LEN];

    if (conf_list_check_count(row, n, e) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (conf_value_string_test(row, secrets[i], 0, conf_list_key(row, i, key), e) < 0) {
            return -1;
        }
    }
    return 0;
}

static void conf_list_secret_print(const struct conf_table_row *row, const struct conf *c,
                                   FILE *out)
{
    size_t n = conf_table_ccount(row, c);

    char *const *strings = conf_table_cfield(row, c);

    (void)fputc('[', out);
    for (size_t i = 0; i < n && i < row->capacity; i++) {
        (void)fputs(i == 0 ? "" : ", ", out);
        conf_value_print_string(out, (row->flags & CONF_TABLE_SECRET) != 0 ? CONF_TABLE_HIDDEN
                                                                           : strings[i]);
    }
    (void)fputc(']', out);
}

static void conf_list_secret_copy(const struct conf_table_row *row, struct conf *c)
{
    char **secrets = conf_table_field(row, c);
    size_t n = conf_table_ccount(row, c);

    for (size_t i = 0; i < n && i < row->capacity; i++) {
        if (secrets[i] != NULL) {
            secrets[i] = xstrdup(secrets[i]);
        }
    }
}

static void conf_list_secret_fini(const struct conf_table_row *row, struct conf *c)
{
    char **secrets = conf_table_field(row, c);
    size_t *n = conf_table_count(row, c);

    for (size_t i = 0; i < *n && i < row->capacity; i++) {
        xfree(&secrets[i]);
    }
    *n = 0;
}

const struct conf_table_kind conf_list_secret = {
    .load = conf_list_secret_load,
    .check = conf_list_secret_check,
    .print = conf_list_secret_print,
    .copy = conf_list_secret_copy,
    .fini = conf_list_secret_fini,
};

/* The same list of strings, printed as they are unless the row is CONF_TABLE_SECRET. */
const struct conf_table_kind conf_list_text = {
    .load = conf_list_secret_load,
    .check = conf_list_secret_check,
    .print = conf_list_secret_print,
    .copy = conf_list_secret_copy,
    .fini = conf_list_secret_fini,
};
