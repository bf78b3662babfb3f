/* The allocation table: 5-tuple keys, growth, connection index, iteration. */
#include "auth/auth_key.h"
#include "tap.h"
#include "turn/turn_table.h"
#include "util/addr.h"

#include <string.h>

#define COUNT 300

static struct turn_alloc *allocs[COUNT];
static int conn_a;
static int conn_b;

static struct turn_alloc *make(uint16_t port, enum turn_transport transport, void *conn)
{
    struct turn_packet_info info;
    struct auth_key key;

    memset(&info, 0, sizeof(info));
    memset(&key, 0, sizeof(key));
    (void)addr_parse(&info.client, "192.0.2.10", port);
    (void)addr_parse(&info.local, "192.0.2.1:3478", 0);
    info.transport = transport;
    info.conn = conn;
    return turn_alloc_new(&info, "u", 1, &key);
}

static void drop_odd(struct turn_alloc *a, void *ctx)
{
    struct turn_table *t = ctx;

    if (a->client.port % 2 == 1) {
        turn_table_remove(t, a);
        turn_alloc_free(a);
    }
}

static void count_one(struct turn_alloc *a, void *ctx)
{
    (void)a;
    (*(size_t *)ctx)++;
}

/* A DTLS session is a connection too: its allocation must be found by it, so that it ends with
 * the session (RFC 8656 section 3.1), as TLS and TCP ones do. */
static void test_conn_transports(void)
{
    static int conn_c;
    struct turn_table t;

    const enum turn_transport kinds[] = {TURN_TRANSPORT_UDP, TURN_TRANSPORT_TCP, TURN_TRANSPORT_TLS,
                                         TURN_TRANSPORT_DTLS};

    int found[4] = {0, 0, 0, 0};

    turn_table_init(&t, 7);
    for (int i = 0; i < 4; i++) {
        turn_table_insert(&t, make((uint16_t)(2000 + i), kinds[i], &conn_c));
    }
    struct turn_alloc *a;

    while ((a = turn_table_find_conn(&t, &conn_c)) != NULL) {
        found[a->transport]++;
        turn_table_remove(&t, a);
        turn_alloc_free(a);
    }
    TAP_EQ_INT(found[TURN_TRANSPORT_DTLS], 1, "a DTLS allocation is found by its session");
    TAP_EQ_INT(found[TURN_TRANSPORT_TLS], 1, "a TLS allocation is found by its connection");
    TAP_EQ_INT(found[TURN_TRANSPORT_TCP], 1, "a TCP allocation is found by its connection");
    TAP_EQ_INT(found[TURN_TRANSPORT_UDP], 0, "a UDP allocation is not indexed by listener");
    TAP_EQ_INT(t.count, 1, "the UDP allocation stays");
    for (uint16_t port = 2000; port < 2004; port++) {
        struct addr client;
        struct addr local;

        (void)addr_parse(&client, "192.0.2.10", port);
        (void)addr_parse(&local, "192.0.2.1:3478", 0);
        a = turn_table_find(&t, &client, &local, TURN_TRANSPORT_UDP);
        if (a != NULL) {
            turn_table_remove(&t, a);
            turn_alloc_free(a);
        }
    }
    turn_table_fini(&t);
}

int main(void)
{
    struct turn_table t;
    struct addr local;
    size_t seen = 0;

    (void)addr_parse(&local, "192.0.2.1:3478", 0);
    turn_table_init(&t, 42);
    for (int i = 0; i < COUNT; i++) {
        void *conn = i % 2 == 0 ? (void *)&conn_a : (void *)&conn_b;

        allocs[i] =
            make((uint16_t)(1000 + i), i < 10 ? TURN_TRANSPORT_TCP : TURN_TRANSPORT_UDP, conn);
        turn_table_insert(&t, allocs[i]);
    }
    TAP_EQ_INT(t.count, COUNT, "300 allocations");
    TAP_CHECK(t.bucket_count >= COUNT, "the table grew past its first 64 buckets");
    int found = 0;

    for (int i = 0; i < COUNT; i++) {
        found += turn_table_find(&t, &allocs[i]->client, &local, allocs[i]->transport) == allocs[i];
    }
    TAP_EQ_INT(found, COUNT, "each is found by its 5-tuple after growth");
    TAP_CHECK(turn_table_find(&t, &allocs[0]->client, &local, TURN_TRANSPORT_UDP) == NULL,
              "the transport is part of the key");
    struct addr other = allocs[0]->client;

    other.port = 9;
    TAP_CHECK(turn_table_find(&t, &other, &local, TURN_TRANSPORT_TCP) == NULL,
              "the client port is part of the key");
    struct turn_alloc *by_conn = turn_table_find_conn(&t, &conn_b);

    TAP_CHECK(by_conn != NULL && by_conn->conn == &conn_b &&
                  by_conn->transport == TURN_TRANSPORT_TCP,
              "a stream allocation is found by its connection");
    int stream_b = 0;

    while ((by_conn = turn_table_find_conn(&t, &conn_b)) != NULL) {
        turn_table_remove(&t, by_conn);
        for (int i = 0; i < COUNT; i++) {
            if (allocs[i] == by_conn) {
                allocs[i] = NULL;
            }
        }
        turn_alloc_free(by_conn);
        stream_b++;
    }
    TAP_EQ_INT(stream_b, 5, "five TCP allocations on conn_b; UDP ones are not indexed");
    TAP_EQ_INT(t.count, COUNT - 5, "removed");
    turn_table_foreach(&t, drop_odd, &t);
    turn_table_foreach(&t, count_one, &seen);
    TAP_EQ_INT(seen, t.count, "foreach visits each once");
    TAP_EQ_INT(t.count, COUNT / 2, "foreach may remove what it visits (every odd port gone)");
    for (int i = 0; i < COUNT; i++) {
        if (allocs[i] != NULL && i % 2 == 0) {
            turn_table_remove(&t, allocs[i]);
            turn_alloc_free(allocs[i]);
        }
    }
    TAP_EQ_INT(t.count, 0, "all removed");
    turn_table_fini(&t);
    test_conn_transports();
    return tap_done();
}
