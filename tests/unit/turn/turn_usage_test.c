#include "tap.h"
#include "turn/turn_handle.h"
#include "turn/turn_usage.h"

#include <string.h>

static void turn_usage_test_json(void)
{
    struct turn_usage u;
    char buf[TURN_USAGE_JSON_MAX];

    memset(&u, 0, sizeof(u));
    memcpy(u.username, "1764300000:al\"ice\\\n", 20);
    memcpy(u.realm, "tern", 5);
    u.transport = TURN_TRANSPORT_TCP;
    (void)addr_parse(&u.client, "192.0.2.7", 50000);
    (void)addr_parse(&u.relays[0], "203.0.113.1", 49170);
    (void)addr_parse(&u.relays[1], "[2001:db8::1]", 49170);
    u.relay_count = 2;
    (void)addr_parse_ip(&u.peers[0], "198.51.100.9");
    u.peer_count = 1;
    u.bytes_to_peer = 1200;
    u.packets_to_peer = 10;
    u.bytes_to_client = 800;
    u.packets_to_client = 8;
    u.start_s = 1764300000;
    u.end_s = 1764300042;
    u.reason = TURN_USAGE_DELETED;
    int n = turn_usage_json(&u, buf, sizeof(buf));
    const char *want =
        "{\"username\":\"1764300000:al\\\"ice\\\\\\u000a\",\"realm\":\"tern\",\"transport\":"
        "\"tcp\","
        "\"client\":\"192.0.2.7:50000\",\"relays\":[\"203.0.113.1:49170\",\"[2001:db8::1]:49170\"],"
        "\"peers\":[\"198.51.100.9\"],\"peers_truncated\":false,\"bytes_to_peer\":1200,"
        "\"packets_to_peer\":10,\"bytes_to_client\":800,\"packets_to_client\":8,"
        "\"start\":1764300000,\"end\":1764300042,\"reason\":\"deleted\"}\n";
    TAP_EQ_INT(n, (int)strlen(want), "the line's length is returned");
    TAP_CHECK(strcmp(buf, want) == 0, "the record as one JSON line, escapes included");
    TAP_EQ_INT(turn_usage_json(&u, buf, 40), -1, "a buffer too small is refused");
}

static void turn_usage_test_worst_case(void)
{
    struct turn_usage u;
    char buf[TURN_USAGE_JSON_MAX];

    memset(&u, 0, sizeof(u));
    memset(u.username, 0x01, TURN_USAGE_USERNAME_MAX);
    memset(u.realm, '"', TURN_USAGE_REALM_MAX);
    u.relay_count = 2;
    u.peer_count = TURN_USAGE_MAX_PEERS;
    for (size_t i = 0; i < TURN_USAGE_MAX_PEERS; i++) {
        (void)addr_parse_ip(&u.peers[i], "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
    }
    TAP_CHECK(turn_usage_json(&u, buf, sizeof(buf)) > 0, "the longest record fits the maximum");
}

static void turn_usage_test_names(void)
{
    TAP_CHECK(strcmp(turn_usage_reason_name(TURN_USAGE_EXPIRED), "expired") == 0, "expired");
    TAP_CHECK(strcmp(turn_usage_reason_name(TURN_USAGE_SHUTDOWN), "shutdown") == 0, "shutdown");
    TAP_CHECK(strcmp(turn_usage_reason_name(TURN_USAGE_REASON_COUNT), "unknown") == 0,
              "an unknown reason");
    TAP_CHECK(strcmp(turn_usage_transport_name(TURN_TRANSPORT_UDP), "udp") == 0, "udp");
    TAP_CHECK(strcmp(turn_usage_transport_name(99), "unknown") == 0, "an unknown transport");
}

int main(void)
{
    turn_usage_test_json();
    turn_usage_test_worst_case();
    turn_usage_test_names();
    return tap_done();
}
