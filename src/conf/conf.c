#include "conf/conf.h"

#include "conf/conf_err.h"
#include "conf/conf_lex.h"
#include "conf/conf_table.h"
#include "util/addr.h"
#include "util/assert.h"
#include "util/xalloc.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

/* Largest configuration file read: a thousand users fit many times over. */
#define CONF_FILE_MAX ((size_t)1 << 20)

/* Room for "v = <default>;" of the longest default of the table. */
#define CONF_DEFAULT_LEN 256

/* Room for conf_err_found(). */
#define CONF_FOUND_LEN 256

/* Loads the default of row into c; a default the row refuses is a bug of the table. */
static void conf_load_default(const struct conf_table_row *row, struct conf *c)
{
    char text[CONF_DEFAULT_LEN];
    char err[CONF_ERR_LEN] = "";
    struct conf_err e = {.buf = err, .name = "built-in default"};
    config_t cfg;

    (void)snprintf(text, sizeof(text), "v = %s;", row->def);
    config_init(&cfg);
    bool ok = config_read_string(&cfg, text) == CONFIG_TRUE &&
              row->kind->load(row, config_lookup(&cfg, "v"), c, &e) == 0;
    config_destroy(&cfg);
    TERN_ASSERT(ok);
    (void)ok;
}

void conf_init(struct conf *c)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);

    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        conf_load_default(&rows[i], c);
    }
}

void conf_fini(struct conf *c)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);

    for (size_t i = 0; i < n; i++) {
        if (rows[i].kind->fini != NULL) {
            rows[i].kind->fini(&rows[i], c);
        }
    }
    memset(c, 0, sizeof(*c));
}

void conf_copy(struct conf *dst, const struct conf *src)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);

    *dst = *src;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].kind->copy != NULL) {
            rows[i].kind->copy(&rows[i], dst);
        }
    }
}

/* Loads the members of one group; a member the table does not know is an error. */
static int conf_load_group(struct conf *c, const config_setting_t *group, struct conf_err *e)
{
    char names[CONF_ERR_LEN];
    char path[CONF_TABLE_PATH_LEN * 2];
    const char *group_name = config_setting_name(group);

    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *key = config_setting_name(s);
        const struct conf_table_row *row = conf_table_find(group_name, key);
        if (row == NULL) {
            (void)snprintf(path, sizeof(path), "%s.%s", group_name, key);
            return conf_err_at(e, s, path, "unknown key; expected one of %s",
                               conf_table_names(group_name, names, sizeof(names)));
        }
        if (row->kind->load(row, s, c, e) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Loads every group of the file root; a name that is not a group of the table is an error. */
static int conf_load_root(struct conf *c, const config_setting_t *root, struct conf_err *e)
{
    char names[CONF_ERR_LEN];
    char found[CONF_FOUND_LEN];

    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (!conf_table_is_group(name)) {
            return conf_err_at(e, s, name, "unknown group; expected one of %s",
                               conf_table_names(NULL, names, sizeof(names)));
        }
        if (!config_setting_is_group(s)) {
            return conf_err_at(e, s, name, "%s; expected a group: %s = { ... };",
                               conf_err_found(s, false, found, sizeof(found)), name);
        }
        if (conf_load_group(c, s, e) < 0) {
            return -1;
        }
    }
    return 0;
}

/* What only the file shows: an external address list whose length fits no relay list. */
static int conf_check_file(const struct conf *c, const config_t *cfg, struct conf_err *e)
{
    const config_setting_t *s = config_lookup(cfg, "relay.external_addresses");
    size_t n = s != NULL ? (size_t)config_setting_length(s) : 0;

    if (n != 0 && n != c->net.relay_ip_count) {
        return conf_err_at(e, s, "relay.external_addresses",
                           "%zu entries for %zu in relay.addresses; expected one for each relay "
                           "address, or none",
                           n, c->net.relay_ip_count);
    }
    return 0;
}

static int conf_check_listeners(const struct conf *c, struct conf_err *e)
{
    if (!c->net.udp && !c->net.tcp) {
        return conf_err_set(e, 0, "listen.udp",
                            "false, and listen.tcp is false too; expected at least one of them "
                            "true");
    }
    return 0;
}

static int conf_check_relay_ports(const struct conf *c, struct conf_err *e)
{
    if (c->net.relay_port_min > c->net.relay_port_max) {
        return conf_err_set(e, 0, "relay.port_min",
                            "%u is above relay.port_max (%u); expected port_min <= port_max",
                            (unsigned)c->net.relay_port_min, (unsigned)c->net.relay_port_max);
    }
    return 0;
}

static int conf_check_external(const struct conf *c, struct conf_err *e)
{
    const struct net_options *net = &c->net;
    char ip[ADDR_STR_LEN];
    char ext[ADDR_STR_LEN];
    size_t given = 0;

    for (size_t i = 0; i < net->relay_ip_count && i < NET_MAX_RELAY; i++) {
        if (net->relay_external_ips[i].family == 0) {
            continue;
        }
        given++;
        if (net->relay_external_ips[i].family != net->relay_ips[i].family) {
            return conf_err_set(
                e, 0, "relay.external_addresses",
                "\"%s\" is advertised for \"%s\"; expected an address of the same family",
                addr_format_ip(&net->relay_external_ips[i], ext, sizeof(ext)),
                addr_format_ip(&net->relay_ips[i], ip, sizeof(ip)));
        }
    }
    if (given != 0 && given != net->relay_ip_count) {
        return conf_err_set(e, 0, "relay.external_addresses",
                            "%zu entries for %zu in relay.addresses; expected one for each "
                            "relay address, or none",
                            given, net->relay_ip_count);
    }
    return 0;
}

static int conf_check_lifetimes(const struct conf *c, struct conf_err *e)
{
    if (c->turn.lifetime_default_s > c->turn.lifetime_max_s) {
        return conf_err_set(e, 0, "turn.lifetime_default_s",
                            "%u is above turn.lifetime_max_s (%u); expected at most that",
                            (unsigned)c->turn.lifetime_default_s, (unsigned)c->turn.lifetime_max_s);
    }
    return 0;
}

static int conf_check_http(const struct conf *c, struct conf_err *e)
{
    struct addr a;

    if (c->http.listen != NULL && addr_parse_ip(&a, c->http.listen) < 0) {
        return conf_err_set(e, 0, "http.listen",
                            "\"%s\" is not an IP address; expected one such "
                            "as \"127.0.0.1\" or \"::1\"",
                            c->http.listen);
    }
    if ((c->http.tls_cert == NULL) != (c->http.tls_key == NULL)) {
        return conf_err_set(e, 0, c->http.tls_cert == NULL ? "http.tls_cert" : "http.tls_key",
                            "missing; expected http.tls_cert and http.tls_key together");
    }
    return 0;
}

static int conf_check_tls(const struct conf *c, struct conf_err *e)
{
    if ((c->net.tls_cert == NULL) != (c->net.tls_key == NULL)) {
        return conf_err_set(e, 0, c->net.tls_cert == NULL ? "tls.cert" : "tls.key",
                            "missing; expected tls.cert and tls.key together");
    }
    return 0;
}

/* Checks between keys, after each key was checked alone. */
static int (*const conf_relations[])(const struct conf *c, struct conf_err *e) = {
    conf_check_listeners, conf_check_relay_ports, conf_check_external,
    conf_check_lifetimes, conf_check_http,        conf_check_tls,
};

/* Checks every key against its row, then the relations between keys. */
static int conf_check_all(const struct conf *c, struct conf_err *e)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);

    for (size_t i = 0; i < n; i++) {
        if (rows[i].kind->check != NULL && rows[i].kind->check(&rows[i], c, e) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < TERN_ARRAY_LEN(conf_relations); i++) {
        if (conf_relations[i](c, e) < 0) {
            return -1;
        }
    }
    return 0;
}

int conf_validate(const struct conf *c, char err[CONF_ERR_LEN])
{
    struct conf_err e = {.buf = err};

    err[0] = '\0';
    return conf_check_all(c, &e);
}

int conf_load_string(struct conf *c, const char *text, const char *name, char err[CONF_ERR_LEN])
{
    struct conf_err e = {.buf = err, .name = name != NULL ? name : "configuration"};
    struct conf next;
    config_t cfg;
    int rc = -1;

    err[0] = '\0';
    if (conf_lex_check(text, &e) < 0) {
        return -1;
    }
    config_init(&cfg);
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        int line = config_error_line(&cfg);
        (void)conf_err_set(&e, line > 0 ? (unsigned)line : 0, NULL,
                           "%s; expected the syntax of tern.conf(5): key = value;",
                           config_error_text(&cfg));
        goto out_destroy;
    }
    e.cfg = &cfg;
    conf_copy(&next, c);
    if (conf_load_root(&next, config_root_setting(&cfg), &e) < 0 ||
        conf_check_file(&next, &cfg, &e) < 0 || conf_check_all(&next, &e) < 0) {
        conf_fini(&next);
        goto out_destroy;
    }
    conf_fini(c);
    *c = next;
    rc = 0;
out_destroy:
    config_destroy(&cfg);
    return rc;
}

/* Returns the owned NUL-terminated contents of path, or NULL with err set. */
static char *conf_read_file(const char *path, char err[CONF_ERR_LEN])
{
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        (void)snprintf(err, CONF_ERR_LEN, "%s: cannot open: %s; expected a readable file", path,
                       strerror(errno));
        return NULL;
    }
    char *text = xmalloc(CONF_FILE_MAX + 1);
    size_t n = fread(text, 1, CONF_FILE_MAX + 1, f);
    int read_errno = ferror(f) ? errno : 0;
    (void)fclose(f);
    if (read_errno != 0) {
        (void)snprintf(err, CONF_ERR_LEN, "%s: cannot read: %s; expected a readable file", path,
                       strerror(read_errno));
    } else if (n > CONF_FILE_MAX) {
        (void)snprintf(err, CONF_ERR_LEN, "%s: larger than %zu bytes; expected a smaller file",
                       path, CONF_FILE_MAX);
    } else if (memchr(text, '\0', n) != NULL) {
        (void)snprintf(err, CONF_ERR_LEN, "%s: holds a NUL byte; expected a text file", path);
    } else {
        text[n] = '\0';
        return text;
    }
    xfree(&text);
    return NULL;
}

int conf_load_file(struct conf *c, const char *path, char err[CONF_ERR_LEN])
{
    char *text = conf_read_file(path, err);

    if (text == NULL) {
        return -1;
    }
    int rc = conf_load_string(c, text, path, err);
    xfree(&text);
    return rc;
}

void conf_print(const struct conf *c, FILE *out)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);

    (void)fputs(
        "# The effective configuration of ternd. Secrets and passwords show as \"" CONF_TABLE_HIDDEN
        "\",\n# which loading refuses: put the real ones back before using it.\n",
        out);
    for (size_t i = 0; i < n; i++) {
        const struct conf_table_row *row = &rows[i];
        if (conf_table_opens_group(row)) {
            (void)fprintf(out, "%s%.*s = {\n", i == 0 ? "\n" : "};\n\n",
                          (int)conf_table_group_len(row), row->path);
        }
        (void)fprintf(out, "    %s = ", conf_table_key(row));
        row->kind->print(row, c, out);
        (void)fputs(";\n", out);
    }
    (void)fputs("};\n", out);
}
