#include "turn/turn_usage.h"

#include "turn/turn_handle.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const turn_usage_reasons[TURN_USAGE_REASON_COUNT] = {
    "expired", "deleted", "closed", "shutdown", "killed", "revoked",
};

const char *turn_usage_reason_name(enum turn_usage_reason r)
{
    return (unsigned)r < TURN_USAGE_REASON_COUNT ? turn_usage_reasons[r] : "unknown";
}

const char *turn_usage_transport_name(unsigned t)
{
    switch ((enum turn_transport)t) {
    case TURN_TRANSPORT_UDP:
        return "udp";
    case TURN_TRANSPORT_TCP:
        return "tcp";
    case TURN_TRANSPORT_TLS:
        return "tls";
    case TURN_TRANSPORT_DTLS:
        return "dtls";
    }
    return "unknown";
}

/* Appends printf output at *used. Returns 0, or -1 when it does not fit. */
static int turn_usage_put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int turn_usage_put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    va_list ap;

    if (*used >= cap) {
        return -1;
    }
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *used) {
        return -1;
    }
    *used += (size_t)n;
    return 0;
}

int turn_usage_json_string(const char *s, char *buf, size_t cap, size_t *used)
{
    if (turn_usage_put(buf, cap, used, "\"") < 0) {
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        int rc;
        if (*p == '"' || *p == '\\') {
            rc = turn_usage_put(buf, cap, used, "\\%c", *p);
        } else if (*p < 0x20 || *p > 0x7e) {
            rc = turn_usage_put(buf, cap, used, "\\u%04x", (unsigned)*p);
        } else {
            rc = turn_usage_put(buf, cap, used, "%c", *p);
        }
        if (rc < 0) {
            return -1;
        }
    }
    return turn_usage_put(buf, cap, used, "\"");
}

/* A list of addresses to write. */
struct turn_usage_list {
    const char *name;
    const struct addr *list;
    size_t n;
    bool with_port;
};

/* Appends "name":[addresses] (with ports when with_port). */
static int turn_usage_addrs(char *buf, size_t cap, size_t *used, const struct turn_usage_list *l)
{
    const char *name = l->name;
    const struct addr *list = l->list;
    size_t n = l->n;
    bool with_port = l->with_port;

    if (turn_usage_put(buf, cap, used, ",\"%s\":[", name) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char a[ADDR_STR_LEN];
        const char *text = with_port ? addr_format(&list[i], a, sizeof(a))
                                     : addr_format_ip(&list[i], a, sizeof(a));
        if (turn_usage_put(buf, cap, used, "%s\"%s\"", i ? "," : "", text) < 0) {
            return -1;
        }
    }
    return turn_usage_put(buf, cap, used, "]");
}

int turn_usage_json(const struct turn_usage *u, char *buf, size_t cap)
{
    size_t used = 0;
    char client[ADDR_STR_LEN];
    struct turn_usage_list relays = {"relays", u->relays, u->relay_count, true};
    struct turn_usage_list peers = {"peers", u->peers, u->peer_count, false};

    if (turn_usage_put(buf, cap, &used, "{\"username\":") < 0 ||
        turn_usage_json_string(u->username, buf, cap, &used) < 0 ||
        turn_usage_put(buf, cap, &used, ",\"realm\":") < 0 ||
        turn_usage_json_string(u->realm, buf, cap, &used) < 0 ||
        turn_usage_put(buf, cap, &used, ",\"transport\":\"%s\",\"client\":\"%s\"",
                       turn_usage_transport_name(u->transport),
                       addr_format(&u->client, client, sizeof(client))) < 0 ||
        turn_usage_addrs(buf, cap, &used, &relays) < 0 ||
        turn_usage_addrs(buf, cap, &used, &peers) < 0) {
        return -1;
    }
    if (turn_usage_put(buf, cap, &used,
                       ",\"peers_truncated\":%s,\"bytes_to_peer\":%llu,\"packets_to_peer\":%llu,"
                       "\"bytes_to_client\":%llu,\"packets_to_client\":%llu,\"start\":%lld,"
                       "\"end\":%lld,\"reason\":\"%s\"}\n",
                       u->peers_truncated ? "true" : "false", (unsigned long long)u->bytes_to_peer,
                       (unsigned long long)u->packets_to_peer,
                       (unsigned long long)u->bytes_to_client,
                       (unsigned long long)u->packets_to_client, (long long)u->start_s,
                       (long long)u->end_s, turn_usage_reason_name(u->reason)) < 0) {
        return -1;
    }
    return (int)used;
}
