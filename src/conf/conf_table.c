#include "conf/conf_table.h"

#include "conf/conf_list.h"
#include "conf/conf_user.h"
#include "conf/conf_value.h"
#include "util/assert.h"

#include <stdio.h>
#include <string.h>

#define CONF_TABLE_MEMBER(m) ((struct conf *)NULL)->m

#define CONF_TABLE_AT(m) .offset = offsetof(struct conf, m), .size = sizeof(CONF_TABLE_MEMBER(m))

#define CONF_TABLE_BOOL(p, m, d)                                                                   \
    {                                                                                              \
        .path = (p), .kind = &conf_value_bool, CONF_TABLE_AT(m), .def = (d)                        \
    }

#define CONF_TABLE_UINT(p, m, lo, hi, d)                                                           \
    {                                                                                              \
        .path = (p), .kind = &conf_value_uint, CONF_TABLE_AT(m), .min = (lo), .max = (hi),         \
        .def = (d)                                                                                 \
    }

#define CONF_TABLE_STRING(p, m, lo, hi, f, d)                                                      \
    {                                                                                              \
        .path = (p), .kind = &conf_value_string, CONF_TABLE_AT(m), .min = (lo), .max = (hi),       \
        .flags = (f), .def = (d)                                                                   \
    }

#define CONF_TABLE_LIST(p, k, m, n, lo, hi, f, d, x)                                               \
    {                                                                                              \
        .path = (p), .kind = &(k), .offset = offsetof(struct conf, m),                             \
        .size = sizeof(CONF_TABLE_MEMBER(m)[0]), .count_offset = offsetof(struct conf, n),         \
        .capacity = TERN_ARRAY_LEN(CONF_TABLE_MEMBER(m)), .min = (lo), .max = (hi), .flags = (f),  \
        .def = (d), .expect = (x)                                                                  \
    }

#define CONF_TABLE_IPS   "a list of IP addresses such as [\"192.0.2.1\", \"2001:db8::1\"]"
#define CONF_TABLE_ADDRS "a list of addresses such as [\"192.0.2.1:3478\", \"[2001:db8::1]:3478\"]"
#define CONF_TABLE_CIDRS "a list of prefixes such as [\"192.0.2.0/24\", \"2001:db8::/32\"]"

/*
 * Every key, in the order of etc/tern.conf and man/tern.conf.5 (keep the three in step). Ranges
 * and the reasons for them are documented in the man page.
 */
static const struct conf_table_row conf_table_all[] = {
    CONF_TABLE_UINT("server.threads", server.threads, 0, 256, "0"),
    {.path = "server.log_level",
     .kind = &conf_value_log_level,
     CONF_TABLE_AT(server.log_level),
     .def = "\"info\""},
    CONF_TABLE_BOOL("server.log_syslog", server.log_syslog, "false"),
    CONF_TABLE_STRING("server.software", server.software, 0, 127, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_UINT("server.drain_timeout_s", server.drain_timeout_s, 1, 604800, "3600"),
    CONF_TABLE_UINT("server.stop_timeout_s", server.stop_timeout_s, 0, 3600, "5"),
    CONF_TABLE_STRING("server.user", server.user, 0, 255, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_STRING("server.group", server.group, 0, 255, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_BOOL("server.allow_root", server.allow_root, "false"),
    CONF_TABLE_BOOL("server.core_dumps", server.core_dumps, "false"),
    /* 107: the room in sockaddr_un.sun_path before its terminating NUL. */
    CONF_TABLE_STRING("server.admin_socket", server.admin_socket, 0, 107, CONF_TABLE_NULL_EMPTY,
                      "\"/run/tern/ternd.sock\""),

    CONF_TABLE_LIST("listen.addresses", conf_list_ip, net.listen_ips, net.listen_ip_count, 0, 0,
                    CONF_TABLE_NONEMPTY, "[\"0.0.0.0\", \"::\"]", CONF_TABLE_IPS),
    CONF_TABLE_UINT("listen.port", net.port, 1, 65535, "3478"),
    CONF_TABLE_BOOL("listen.udp", net.udp, "true"),
    CONF_TABLE_BOOL("listen.tcp", net.tcp, "true"),
    CONF_TABLE_UINT("listen.udp_batch", net.udp_batch, 1, 256, "32"),
    CONF_TABLE_UINT("listen.tcp_max_connections", net.tcp_max_conns, 1, 1000000, "4096"),
    CONF_TABLE_UINT("listen.tcp_idle_timeout_s", net.tcp_idle_timeout_s, 10, 86400, "300"),
    CONF_TABLE_UINT("listen.tcp_max_connections_per_ip", net.tcp_max_conns_per_ip, 0, 1000000, "0"),

    CONF_TABLE_STRING("tls.cert", net.tls_cert, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_STRING("tls.key", net.tls_key, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_UINT("tls.port", net.tls_port, 0, 65535, "5349"),
    CONF_TABLE_STRING("tls.ciphers", net.tls_ciphers, 0, 1023, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_BOOL("tls.dtls", net.tls_dtls, "true"),
    CONF_TABLE_UINT("tls.handshake_timeout_s", net.tls_handshake_timeout_s, 1, 300, "10"),

    CONF_TABLE_LIST("relay.addresses", conf_list_ip, net.relay_ips, net.relay_ip_count, 0, 0,
                    CONF_TABLE_SPECIFIC, "[]", CONF_TABLE_IPS),
    CONF_TABLE_LIST("relay.external_addresses", conf_list_ip, net.relay_external_ips,
                    net.relay_ip_count, 0, 0, CONF_TABLE_SPECIFIC | CONF_TABLE_PARALLEL, "[]",
                    CONF_TABLE_IPS),
    CONF_TABLE_UINT("relay.port_min", net.relay_port_min, 1024, 65535, "49152"),
    CONF_TABLE_UINT("relay.port_max", net.relay_port_max, 1024, 65535, "65535"),

    CONF_TABLE_STRING("auth.realm", auth.realm, 1, 127, 0, "\"tern\""),
    CONF_TABLE_LIST("auth.secrets", conf_list_secret, auth.secrets, auth.secret_count, 1, 512,
                    CONF_TABLE_SECRET, "[]", "a list of strings such as [\"a long random text\"]"),
    CONF_TABLE_LIST("auth.users", conf_user_list, auth.users, auth.user_count, 1, 512,
                    CONF_TABLE_SECRET, "()",
                    "a list of users such as ( { name = \"alice\"; password = \"...\"; } )"),
    CONF_TABLE_UINT("auth.nonce_lifetime_s", auth.nonce_lifetime_s, 2, 86400, "600"),
    CONF_TABLE_UINT("auth.credential_ttl_s", auth.credential_ttl_s, 60, 2592000, "86400"),

    CONF_TABLE_UINT("turn.lifetime_default_s", turn.lifetime_default_s, 60, 86400, "600"),
    CONF_TABLE_UINT("turn.lifetime_max_s", turn.lifetime_max_s, 60, 86400, "3600"),
    CONF_TABLE_BOOL("turn.channel_strict", turn.channel_strict, "false"),
    CONF_TABLE_UINT("turn.max_allocations", turn.max_allocations, 0, UINT32_MAX, "0"),
    CONF_TABLE_UINT("turn.max_allocations_per_user", turn.max_allocations_per_user, 0, UINT32_MAX,
                    "0"),
    CONF_TABLE_UINT("turn.max_allocations_per_ip", turn.max_allocations_per_ip, 0, UINT32_MAX, "0"),
    CONF_TABLE_UINT("turn.max_permissions", turn.max_permissions, 1, 65535, "64"),
    CONF_TABLE_UINT("turn.max_channels", turn.max_channels, 1, 16383, "64"),
    CONF_TABLE_UINT("turn.bandwidth_bps", turn.bandwidth_bps, 0, UINT64_C(1000000000000), "0"),
    CONF_TABLE_UINT("turn.unauth_rate", turn.unauth_rate, 0, 1000000, "20"),
    CONF_TABLE_UINT("turn.unauth_burst", turn.unauth_burst, 1, 1000000, "40"),
    CONF_TABLE_LIST("turn.alternate_servers", conf_list_ip, turn.alternate_servers,
                    turn.alternate_count, 0, 0, CONF_TABLE_SPECIFIC | CONF_TABLE_WITH_PORT, "[]",
                    CONF_TABLE_ADDRS),

    CONF_TABLE_LIST("peers.allow", conf_list_cidr, turn.peer_allow, turn.peer_allow_count, 0, 0, 0,
                    "[]", CONF_TABLE_CIDRS),
    CONF_TABLE_LIST("peers.deny", conf_list_cidr, turn.peer_deny, turn.peer_deny_count, 0, 0, 0,
                    "[]", CONF_TABLE_CIDRS),

    CONF_TABLE_BOOL("http.enabled", http.enabled, "true"),
    CONF_TABLE_STRING("http.listen", http.listen, 2, 45, 0, "\"127.0.0.1\""),
    CONF_TABLE_UINT("http.port", http.port, 1, 65535, "9641"),
    CONF_TABLE_STRING("http.token", http.token, 0, 255, CONF_TABLE_NULL_EMPTY | CONF_TABLE_SECRET,
                      "\"\""),
    CONF_TABLE_STRING("http.tls_cert", http.tls_cert, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_STRING("http.tls_key", http.tls_key, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_UINT("http.top_n", http.top_n, 0, 100, "10"),
    CONF_TABLE_UINT("http.max_request_bytes", http.max_request_bytes, 1024, 1048576, "4096"),
    CONF_TABLE_STRING("http.api_key", http.api_key, 0, 255,
                      CONF_TABLE_NULL_EMPTY | CONF_TABLE_SECRET, "\"\""),
    CONF_TABLE_LIST("http.ice_urls", conf_list_text, http.ice_urls, http.ice_url_count, 5, 255, 0,
                    "[]", "a list of URIs such as [\"turn:turn.example.com:3478?transport=udp\"]"),
    CONF_TABLE_UINT("http.credential_rate", http.credential_rate, 0, 1000000, "10"),

    CONF_TABLE_STRING("usage.file", server.usage_file, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),

    CONF_TABLE_BOOL("redis.enabled", redis.enabled, "false"),
    CONF_TABLE_STRING("redis.host", redis.host, 1, 255, 0, "\"127.0.0.1\""),
    CONF_TABLE_UINT("redis.port", redis.port, 1, 65535, "6379"),
    CONF_TABLE_STRING("redis.socket", redis.socket, 0, 107, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_STRING("redis.password", redis.password, 0, 512,
                      CONF_TABLE_NULL_EMPTY | CONF_TABLE_SECRET, "\"\""),
    CONF_TABLE_UINT("redis.db", redis.db, 0, 65535, "0"),
    CONF_TABLE_UINT("redis.connect_timeout_ms", redis.connect_timeout_ms, 100, 60000, "2000"),
    CONF_TABLE_UINT("redis.command_timeout_ms", redis.command_timeout_ms, 100, 60000, "2000"),
    CONF_TABLE_STRING("redis.key_prefix", redis.key_prefix, 0, 64, 0, "\"tern:\""),
    CONF_TABLE_UINT("redis.refresh_s", redis.refresh_s, 1, 86400, "30"),
    CONF_TABLE_STRING("redis.node_id", redis.node_id, 0, 64, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_UINT("redis.usage_maxlen", redis.usage_maxlen, 0, 1000000000, "1000000"),
    CONF_TABLE_STRING("redis.journal", redis.journal, 0, 4095, CONF_TABLE_NULL_EMPTY, "\"\""),
    CONF_TABLE_UINT("redis.queue_max", redis.queue_max, 1, 1000000, "10000"),
};

const struct conf_table_row *conf_table_rows(size_t *n)
{
    *n = TERN_ARRAY_LEN(conf_table_all);
    return conf_table_all;
}

size_t conf_table_group_len(const struct conf_table_row *row)
{
    const char *dot = strchr(row->path, '.');

    TERN_ASSERT(dot != NULL);
    return (size_t)(dot - row->path);
}

const char *conf_table_key(const struct conf_table_row *row)
{
    return row->path + conf_table_group_len(row) + 1;
}

/* True when row belongs to group. */
static bool conf_table_in_group(const struct conf_table_row *row, const char *group)
{
    size_t n = conf_table_group_len(row);

    return strncmp(row->path, group, n) == 0 && group[n] == '\0';
}

const struct conf_table_row *conf_table_find(const char *group, const char *key)
{
    for (size_t i = 0; i < TERN_ARRAY_LEN(conf_table_all); i++) {
        const struct conf_table_row *row = &conf_table_all[i];
        if (conf_table_in_group(row, group) && strcmp(conf_table_key(row), key) == 0) {
            return row;
        }
    }
    return NULL;
}

bool conf_table_is_group(const char *name)
{
    for (size_t i = 0; i < TERN_ARRAY_LEN(conf_table_all); i++) {
        if (conf_table_in_group(&conf_table_all[i], name)) {
            return true;
        }
    }
    return false;
}

bool conf_table_opens_group(const struct conf_table_row *row)
{
    if (row == conf_table_all) {
        return true;
    }
    const struct conf_table_row *prev = row - 1;
    size_t n = conf_table_group_len(row);
    return conf_table_group_len(prev) != n || strncmp(prev->path, row->path, n) != 0;
}

const char *conf_table_names(const char *group, char *buf, size_t cap)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < TERN_ARRAY_LEN(conf_table_all) && used < cap; i++) {
        const struct conf_table_row *row = &conf_table_all[i];
        const char *sep = used == 0 ? "" : ", ";
        int n = 0;
        if (group != NULL && conf_table_in_group(row, group)) {
            n = snprintf(buf + used, cap - used, "%s%s", sep, conf_table_key(row));
        } else if (group == NULL && conf_table_opens_group(row)) {
            n = snprintf(buf + used, cap - used, "%s%.*s", sep, (int)conf_table_group_len(row),
                         row->path);
        }
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

void *conf_table_field(const struct conf_table_row *row, struct conf *c)
{
    return (char *)c + row->offset;
}

const void *conf_table_cfield(const struct conf_table_row *row, const struct conf *c)
{
    return (const char *)c + row->offset;
}

size_t *conf_table_count(const struct conf_table_row *row, struct conf *c)
{
    void *p = (char *)c + row->count_offset;

    return p;
}

size_t conf_table_ccount(const struct conf_table_row *row, const struct conf *c)
{
    size_t n;

    memcpy(&n, (const char *)c + row->count_offset, sizeof(n));
    return n;
}
