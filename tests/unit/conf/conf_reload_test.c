/* What a reload applies live, and what it puts back because it needs a restart. */
#include "conf/conf.h"
#include "conf/conf_reload.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define CONF_RELOAD_TEST_NOTES 16

struct notes {
    char paths[CONF_RELOAD_TEST_NOTES][64];
    bool live[CONF_RELOAD_TEST_NOTES];
    size_t n;
};

static void note(void *ctx, const char *path, bool live)
{
    struct notes *n = ctx;

    if (n->n < CONF_RELOAD_TEST_NOTES) {
        (void)snprintf(n->paths[n->n], sizeof(n->paths[0]), "%s", path);
        n->live[n->n++] = live;
    }
}

/* The index of path among the notes, or -1. */
static int noted(const struct notes *n, const char *path)
{
    for (size_t i = 0; i < n->n; i++) {
        if (strcmp(n->paths[i], path) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void load(struct conf *c, const char *text)
{
    char err[CONF_ERR_LEN];

    conf_init(c);
    if (conf_load_string(c, text, "test.conf", err) < 0) {
        TAP_CHECK(false, "test configuration loads: %s", err);
    }
}

static void test_is_live(void)
{
    TAP_CHECK(conf_reload_is_live("auth.secrets"), "auth.* is live");
    TAP_CHECK(conf_reload_is_live("turn.max_allocations"), "turn.* is live");
    TAP_CHECK(conf_reload_is_live("peers.allow"), "peers.* is live");
    TAP_CHECK(conf_reload_is_live("server.log_level"), "server.log_level is live");
    TAP_CHECK(!conf_reload_is_live("server.threads"), "server.threads needs a restart");
    TAP_CHECK(!conf_reload_is_live("listen.port"), "listen.port needs a restart");
    TAP_CHECK(!conf_reload_is_live("relay.port_min"), "relay.port_min needs a restart");
    TAP_CHECK(!conf_reload_is_live("http.port"), "http.port needs a restart");
    TAP_CHECK(!conf_reload_is_live("authx.secrets"), "a group prefix matches whole groups only");
    TAP_CHECK(!conf_reload_is_live("server.log"), "a full key matches whole keys only");
}

static void test_merge(void)
{
    struct conf running;
    struct conf fresh;
    struct notes n = {.n = 0};

    load(&running, "auth = { secrets = [\"one\"]; };\n"
                   "listen = { port = 4000; addresses = [\"127.0.0.1\"]; };\n");
    load(&fresh, "auth = { secrets = [\"two\", \"one\"]; };\n"
                 "listen = { port = 4001; addresses = [\"127.0.0.1\", \"::1\"]; };\n"
                 "turn = { max_allocations = 7; };\n");
    TAP_EQ_INT(conf_reload_merge(&fresh, &running, note, &n), 4, "four keys differ");
    TAP_CHECK(noted(&n, "auth.secrets") >= 0 && n.live[noted(&n, "auth.secrets")],
              "auth.secrets: applied (a secret differs, though secrets print hidden)");
    TAP_CHECK(noted(&n, "turn.max_allocations") >= 0 && n.live[noted(&n, "turn.max_allocations")],
              "turn.max_allocations: applied");
    TAP_CHECK(noted(&n, "listen.port") >= 0 && !n.live[noted(&n, "listen.port")],
              "listen.port: needs a restart");
    TAP_CHECK(noted(&n, "listen.addresses") >= 0 && !n.live[noted(&n, "listen.addresses")],
              "listen.addresses: needs a restart");
    TAP_EQ_INT(fresh.net.port, 4000, "listen.port put back to the running value");
    TAP_EQ_INT(fresh.net.listen_ip_count, 1, "listen.addresses put back (count)");
    TAP_EQ_INT(fresh.auth.secret_count, 2, "the new secrets kept");
    TAP_CHECK(strcmp(fresh.auth.secrets[0], "two") == 0, "in their new order");
    TAP_EQ_INT(fresh.turn.max_allocations, 7, "the new quota kept");
    n.n = 0;
    TAP_EQ_INT(conf_reload_merge(&fresh, &running, NULL, NULL), 2,
               "merged again: only the live changes still differ");
    conf_fini(&fresh);
    conf_fini(&running);
}

static void test_strings_restored(void)
{
    struct conf running;
    struct conf fresh;

    load(&running, "http = { listen = \"127.0.0.1\"; };\n");
    load(&fresh, "http = { listen = \"127.0.0.2\"; };\n");
    TAP_EQ_INT(conf_reload_merge(&fresh, &running, NULL, NULL), 1, "http.listen differs");
    TAP_CHECK(strcmp(fresh.http.listen, "127.0.0.1") == 0, "and is put back");
    TAP_CHECK(fresh.http.listen != running.http.listen, "as a copy of its own");
    conf_fini(&running);
    TAP_CHECK(strcmp(fresh.http.listen, "127.0.0.1") == 0, "which outlives the running one");
    conf_fini(&fresh);
}

int main(void)
{
    test_is_live();
    test_merge();
    test_strings_restored();
    return tap_done();
}
