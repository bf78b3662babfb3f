#include "conf/conf_user.h"

#include "conf/conf_list.h"
#include "conf/conf_value.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Room for conf_err_found() and for quoted values. */
#define CONF_USER_TEXT_LEN 256

#define CONF_USER_EXPECT "a user such as { name = \"alice\"; password = \"...\"; }"

/* Limits of a user name: RFC 8489 §14.3 keeps USERNAME under 513 bytes. The password limits and
 * the secret flag come from the auth.users row itself. */
static const struct conf_table_row conf_user_name_row = {
    .path = "auth.users[].name",
    .min = 1,
    .max = 512,
};

/* The members of one user entry. */
struct conf_user_members {
    const config_setting_t *name;
    const config_setting_t *password;
};

/* Finds name and password in entry s; refuses other members and missing ones. */
static int conf_user_members(const config_setting_t *s, const char *key,
                             struct conf_user_members *m, struct conf_err *e)
{
    char sub[CONF_TABLE_PATH_LEN + 32];

    m->name = NULL;
    m->password = NULL;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *member = config_setting_get_elem(s, (unsigned)i);
        const char *member_name = config_setting_name(member);
        if (strcmp(member_name, "name") == 0) {
            m->name = member;
        } else if (strcmp(member_name, "password") == 0) {
            m->password = member;
        } else {
            (void)snprintf(sub, sizeof(sub), "%s.%s", key, member_name);
            (void)conf_err_at(e, member, sub, "unknown key; expected name or password");
            return -1;
        }
    }
    if (m->name == NULL || m->password == NULL) {
        (void)conf_err_at(e, s, key, "no %s; expected " CONF_USER_EXPECT,
                          m->name == NULL ? "name" : "password");
        return -1;
    }
    return 0;
}

/* Returns the string of member s (key.what), or NULL with e set when it is not a string. */
static const char *conf_user_string(const config_setting_t *s, const char *key, const char *what,
                                    const struct conf_table_row *limits, struct conf_err *e)
{
    char sub[CONF_TABLE_PATH_LEN + 16];
    bool hide = (limits->flags & CONF_TABLE_SECRET) != 0;

    (void)snprintf(sub, sizeof(sub), "%s.%s", key, what);
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        char found[CONF_USER_TEXT_LEN];
        (void)conf_err_at(e, s, sub, "%s; expected a string of %llu to %llu bytes",
                          conf_err_found(s, hide, found, sizeof(found)),
                          (unsigned long long)limits->min, (unsigned long long)limits->max);
        return NULL;
    }
    const char *v = config_setting_get_string(s);
    if (conf_value_string_test(limits, v, config_setting_source_line(s), sub, e) < 0) {
        return NULL;
    }
    return v;
}

/* Refuses user i when an earlier user has its name. */
static int conf_user_test_unique(const struct auth_user *users, size_t i, unsigned line,
                                 const char *key, struct conf_err *e)
{
    char quoted[CONF_USER_TEXT_LEN];

    for (size_t j = 0; j < i; j++) {
        if (strcmp(users[j].name, users[i].name) == 0) {
            return conf_err_set(e, line, key, "user %s is listed twice; expected each name once",
                                conf_err_quote(users[i].name, quoted, sizeof(quoted)));
        }
    }
    return 0;
}

static int conf_user_entry(const struct conf_table_row *row, const config_setting_t *s, size_t i,
                           const char *key, struct conf *c, struct conf_err *e)
{
    struct auth_user *users = conf_table_field(row, c);
    struct conf_user_members m;

    if (!config_setting_is_group(s)) {
        char found[CONF_USER_TEXT_LEN];
        return conf_err_at(e, s, key, "%s; expected " CONF_USER_EXPECT,
                           conf_err_found(s, true, found, sizeof(found)));
    }
    if (conf_user_members(s, key, &m, e) < 0) {
        return -1;
    }
    const char *name = conf_user_string(m.name, key, "name", &conf_user_name_row, e);
    const char *password =
        name != NULL ? conf_user_string(m.password, key, "password", row, e) : NULL;
    if (password == NULL) {
        return -1;
    }
    users[i].name = xstrdup(name);
    users[i].password = xstrdup(password);
    if (conf_user_test_unique(users, i, config_setting_source_line(m.name), key, e) < 0) {
        xfree(&users[i].name);
        xfree(&users[i].password);
        return -1;
    }
    return 0;
}

static int conf_user_load(const struct conf_table_row *row, const config_setting_t *s,
                          struct conf *c, struct conf_err *e)
{
    return conf_list_load(row, s, c, e, conf_user_entry);
}

static int conf_user_check(const struct conf_table_row *row, const struct conf *c,
                           struct conf_err *e)
{
    const struct auth_user *users = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);
    char key[CONF_TABLE_PATH_LEN];
    char sub[CONF_TABLE_PATH_LEN + 16];

    if (conf_list_check_count(row, n, e) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        (void)conf_list_key(row, i, key);
        (void)snprintf(sub, sizeof(sub), "%s.name", key);
        if (conf_value_string_test(&conf_user_name_row, users[i].name, 0, sub, e) < 0) {
            return -1;
        }
        (void)snprintf(sub, sizeof(sub), "%s.password", key);
        if (conf_value_string_test(row, users[i].password, 0, sub, e) < 0 ||
            conf_user_test_unique(users, i, 0, key, e) < 0) {
            return -1;
        }
    }
    return 0;
}

static void conf_user_print(const struct conf_table_row *row, const struct conf *c, FILE *out)
{
    const struct auth_user *users = conf_table_cfield(row, c);
    size_t n = conf_table_ccount(row, c);

    if (n == 0) {
        (void)fputs("()", out);
        return;
    }
    (void)fputs("(\n", out);
    for (size_t i = 0; i < n && i < row->capacity; i++) {
        (void)fputs("        { name = ", out);
        conf_value_print_string(out, users[i].name);
        (void)fputs("; password = ", out);
        conf_value_print_string(out, CONF_TABLE_HIDDEN);
        (void)fputs(i + 1 < n ? "; },\n" : "; }\n", out);
    }
    (void)fputs("    )", out);
}

static void conf_user_copy(const struct conf_table_row *row, struct conf *c)
{
    struct auth_user *users = conf_table_field(row, c);
    size_t n = conf_table_ccount(row, c);

    for (size_t i = 0; i < n && i < row->capacity; i++) {
        users[i].name = users[i].name != NULL ? xstrdup(users[i].name) : NULL;
        users[i].password = users[i].password != NULL ? xstrdup(users[i].password) : NULL;
    }
}

static void conf_user_fini(const struct conf_table_row *row, struct conf *c)
{
    struct auth_user *users = conf_table_field(row, c);
    size_t *n = conf_table_count(row, c);

    for (size_t i = 0; i < *n && i < row->capacity; i++) {
        xfree(&users[i].name);
        xfree(&users[i].password);
    }
    *n = 0;
}

const struct conf_table_kind conf_user_list = {
    .load = conf_user_load,
    .check = conf_user_check,
    .print = conf_user_print,
    .copy = conf_user_copy,
    .fini = conf_user_fini,
};
