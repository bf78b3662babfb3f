#include "conf/conf.h"
#include "tap.h"
#include "util/addr.h"
#include "util/xalloc.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for a printed configuration. */
#define CONF_TEST_PRINT_LEN 32768

/* Writes the conf_print() output of c into buf (NUL-terminated). */
static void conf_test_print(const struct conf *c, char *buf, size_t cap)
{
    FILE *f = tmpfile();
    size_t n = 0;

    if (f != NULL) {
        conf_print(c, f);
        rewind(f);
        n = fread(buf, 1, cap - 1, f);
        (void)fclose(f);
    }
    buf[n] = '\0';
}

/* True when the defaults and c print alike. */
static bool conf_test_is_default(const struct conf *c)
{
    static char want[CONF_TEST_PRINT_LEN];
    static char got[CONF_TEST_PRINT_LEN];
    struct conf d;

    conf_init(&d);
    conf_test_print(&d, want, sizeof(want));
    conf_fini(&d);
    conf_test_print(c, got, sizeof(got));
    return strcmp(want, got) == 0;
}

static const char *conf_test_srcdir(void)
{
    const char *dir = getenv("TERN_TOP_SRCDIR");

    return dir != NULL ? dir : ".";
}

static void conf_test_defaults(void)
{
    struct conf c;
    char err[CONF_ERR_LEN];
    char ip[ADDR_STR_LEN];

    conf_init(&c);
    TAP_EQ_INT(c.server.threads, 0, "default threads");
    TAP_EQ_INT(c.server.log_level, LOG_LEVEL_INFO, "default log level");
    TAP_CHECK(!c.server.log_syslog && c.server.software == NULL,
              "default log to stderr, no SOFTWARE");
    TAP_EQ_INT(c.net.listen_ip_count, 2, "two default listen addresses");
    TAP_CHECK(strcmp(addr_format_ip(&c.net.listen_ips[0], ip, sizeof(ip)), "0.0.0.0") == 0,
              "first listen address 0.0.0.0");
    TAP_CHECK(strcmp(addr_format_ip(&c.net.listen_ips[1], ip, sizeof(ip)), "::") == 0,
              "second listen address ::");
    TAP_EQ_INT(c.net.port, 3478, "default port");
    TAP_CHECK(c.net.udp && c.net.tcp, "UDP and TCP on by default");
    TAP_EQ_INT(c.net.udp_batch, 32, "default UDP batch");
    TAP_EQ_INT(c.net.tcp_max_conns, 4096, "default TCP connections");
    TAP_EQ_INT(c.net.tcp_idle_timeout_s, 300, "default TCP idle timeout");
    TAP_EQ_INT(c.net.relay_ip_count, 0, "no relay address by default");
    TAP_EQ_INT(c.net.relay_port_min, 49152, "default relay port_min");
    TAP_EQ_INT(c.net.relay_port_max, 65535, "default relay port_max");
    TAP_CHECK(c.auth.realm != NULL && strcmp(c.auth.realm, "tern") == 0, "default realm");
    TAP_CHECK(c.auth.secret_count == 0 && c.auth.user_count == 0, "no secret, no user");
    TAP_EQ_INT(c.auth.nonce_lifetime_s, 600, "default nonce lifetime");
    TAP_EQ_INT(c.auth.credential_ttl_s, 86400, "default credential ttl");
    TAP_EQ_INT(c.turn.lifetime_default_s, 600, "default lifetime");
    TAP_EQ_INT(c.turn.lifetime_max_s, 3600, "default max lifetime");
    TAP_CHECK(!c.turn.channel_strict, "channel numbers not strict by default");
    TAP_CHECK(c.turn.max_allocations == 0 && c.turn.max_allocations_per_user == 0 &&
                  c.turn.max_allocations_per_ip == 0 && c.turn.bandwidth_bps == 0,
              "no allocation or bandwidth quota by default");
    TAP_EQ_INT(c.turn.max_permissions, 64, "default max permissions");
    TAP_EQ_INT(c.turn.max_channels, 64, "default max channels");
    TAP_EQ_INT(c.turn.unauth_rate, 20, "default unauthenticated rate");
    TAP_EQ_INT(c.turn.unauth_burst, 40, "default unauthenticated burst");
    TAP_CHECK(c.turn.peer_allow_count == 0 && c.turn.peer_deny_count == 0, "no peer rule");
    TAP_CHECK(c.http.enabled, "the statistics endpoint is on by default");
    TAP_CHECK(c.http.listen != NULL && strcmp(c.http.listen, "127.0.0.1") == 0,
              "default http listen address");
    TAP_EQ_INT(c.http.port, 9641, "default http port");
    TAP_CHECK(c.http.token == NULL && c.http.tls_cert == NULL && c.http.tls_key == NULL,
              "no token and no TLS by default");
    TAP_EQ_INT(c.http.top_n, 10, "default top_n");
    TAP_EQ_INT(c.http.max_request_bytes, 4096, "default max_request_bytes");
    TAP_CHECK(c.server.usage_file == NULL, "no usage file by default");
    TAP_EQ_INT(conf_validate(&c, err), 0, "the defaults validate");
    conf_fini(&c);
}

/* etc/tern.conf spells out the defaults: loading it over the defaults changes nothing. */
static void conf_test_reference_values(void)
{
    char path[4096];
    char err[CONF_ERR_LEN] = "";
    struct conf c;

    (void)snprintf(path, sizeof(path), "%s/etc/tern.conf", conf_test_srcdir());
    conf_init(&c);
    if (!TAP_CHECK(conf_load_file(&c, path, err) == 0, "etc/tern.conf loads")) {
        printf("#   %s\n", err);
    }
    TAP_CHECK(conf_test_is_default(&c), "etc/tern.conf holds the built-in defaults");
    conf_fini(&c);
}

/* Counts the keys of the groups of cfg that other lacks; sets *total to all keys of cfg. */
static int conf_test_missing_keys(const config_t *cfg, const config_t *other, int *total)
{
    const config_setting_t *root = config_root_setting(cfg);
    char path[256];
    int missing = 0;

    *total = 0;
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *group = config_setting_get_elem(root, (unsigned)i);
        for (int j = 0; j < config_setting_length(group); j++) {
            const config_setting_t *s = config_setting_get_elem(group, (unsigned)j);
            (void)snprintf(path, sizeof(path), "%s.%s", config_setting_name(group),
                           config_setting_name(s));
            (*total)++;
            if (config_lookup(other, path) == NULL) {
                printf("# %s is missing\n", path);
                missing++;
            }
        }
    }
    return missing;
}

/* etc/tern.conf holds every key: the same key set as the printed configuration. */
static void conf_test_reference_keys(void)
{
    static char printed[CONF_TEST_PRINT_LEN];
    char path[4096];
    config_t ref;
    config_t out;
    struct conf c;
    int ref_total = 0;
    int out_total = 0;

    (void)snprintf(path, sizeof(path), "%s/etc/tern.conf", conf_test_srcdir());
    conf_init(&c);
    conf_test_print(&c, printed, sizeof(printed));
    conf_fini(&c);
    config_init(&ref);
    config_init(&out);
    TAP_CHECK(config_read_file(&ref, path) == CONFIG_TRUE, "libconfig reads etc/tern.conf");
    TAP_CHECK(config_read_string(&out, printed) == CONFIG_TRUE, "libconfig reads the print");
    TAP_EQ_INT(conf_test_missing_keys(&out, &ref, &out_total), 0,
               "every printed key is in etc/tern.conf");
    TAP_EQ_INT(conf_test_missing_keys(&ref, &out, &ref_total), 0,
               "every key of etc/tern.conf is printed");
    TAP_CHECK(out_total >= 30 && out_total == ref_total, "%d keys printed, %d in etc/tern.conf",
              out_total, ref_total);
    config_destroy(&ref);
    config_destroy(&out);
}

struct conf_test_bad {
    const char *text;
    const char *want; /* expected within the message */
};

/* One case per kind of wrong value; each message gives file, line, key and what was expected. */
static const struct conf_test_bad conf_test_bad_cases[] = {
    {"listen = {\n  port = \"abc\";\n};",
     "t.conf:2: listen.port: found \"abc\" (a string); expected an integer from 1 to 65535"},
    {"listen = {\n  port = 70000;\n};",
     "t.conf:2: listen.port: 70000 is out of range; expected an integer from 1 to 65535"},
    {"listen = { port = 0; };", "t.conf:1: listen.port: 0 is out of range"},
    {"server = {\n\n threads = -1;\n};", "t.conf:3: server.threads: -1 is out of range"},
    {"listen = { port = 3478.0; };",
     "listen.port: found 3478 (a real number); expected an integer"},
    {"listen = { udp_batch = 257; };", "listen.udp_batch: 257 is out of range; expected an integer "
                                       "from 1 to 256"},
    {"listen = { udp = 1; };",
     "t.conf:1: listen.udp: found 1 (an integer); expected true or false"},
    {"listen = { tcp = \"yes\"; };",
     "listen.tcp: found \"yes\" (a string); expected true or false"},
    {"server = { log_level = \"loud\"; };",
     "server.log_level: found \"loud\" (a string); expected one of \"error\", \"warn\""},
    {"server = { log_level = 3; };", "server.log_level: found 3 (an integer); expected one of"},
    {"auth = { realm = \"\"; };",
     "t.conf:1: auth.realm: empty; expected a string of 1 to 127 bytes"},
    {"auth = { realm = \"a\\nb\"; };", "auth.realm: \"a\\x0ab\" holds a control character"},
    {"auth = { realm = ( ); };", "auth.realm: found a list; expected a string"},
    {"server = { software = 12; };", "server.software: found 12 (an integer); expected a string"},
    {"listen = { addresses = \"0.0.0.0\"; };",
     "listen.addresses: found \"0.0.0.0\" (a string); expected a list of IP addresses"},
    {"listen = { addresses = [\"1.2.3\"]; };",
     "t.conf:1: listen.addresses[0]: \"1.2.3\" is not an IP address; expected an IP address"},
    /* libconfig dates an entry by the token after it: the last one of a list spread over lines
     * gets the line of the closing bracket, so the bad entry here is not the last. */
    {"listen = {\n addresses = [\n  \"::1\",\n  \"[::1]\",\n  \"::2\"\n ];\n};",
     "t.conf:4: listen.addresses[1]: \"[::1]\" is not an IP address"},
    {"listen = { addresses = (\"::1\", 5); };", "listen.addresses[1]: found 5 (an integer)"},
    {"listen = { addresses = [\"192.0.2.1\", \"192.0.2.1\"]; };",
     "listen.addresses[1]: \"192.0.2.1\" is listed twice; expected each once"},
    {"relay = { addresses = [\"0.0.0.0\"]; };",
     "relay.addresses[0]: \"0.0.0.0\" is the unspecified address; expected an address of this "
     "host"},
    {"relay = { addresses = [\"192.0.2.1\"]; external_addresses = [\"::\"]; };",
     "relay.external_addresses[0]: \"::\" is the unspecified address"},
    {"listen = { addresses = [\"::1\", \"::2\", \"::3\", \"::4\", \"::5\", \"::6\", \"::7\", "
     "\"::8\", \"::9\", \"::10\", \"::11\", \"::12\", \"::13\", \"::14\", \"::15\", \"::16\", "
     "\"::17\"]; };",
     "listen.addresses: 17 entries; expected at most 16"},
    {"peers = { deny = [\"10.0.0.0/33\"]; };",
     "peers.deny[0]: \"10.0.0.0/33\" is not a prefix; expected a prefix such as"},
    {"peers = { allow = [\"10.1.0.0/8\"]; };",
     "peers.allow[0]: \"10.1.0.0/8\" has bits set past the prefix length; expected \"10.0.0.0/8\""},
    {"peers = { allow = [\"fc00::/7\", \"fc00::/7\"]; };",
     "peers.allow[1]: \"fc00::/7\" is listed twice"},
    {"peers = { deny = ( 10 ); };", "peers.deny[0]: found 10 (an integer); expected a prefix"},
    {"auth = { secrets = [\"\"]; };",
     "t.conf:1: auth.secrets[0]: empty; expected a string of 1 to 512 bytes"},
    {"auth = { secrets = [\"ok\", \"<hidden>\"]; };",
     "auth.secrets[1]: \"<hidden>\" is the placeholder the printed configuration shows"},
    {"auth = { secrets = \"s3cret\"; };",
     "auth.secrets: found a string; expected a list of strings"},
    {"auth = { users = ( { name = \"a\"; pasword = \"x\"; } ); };",
     "t.conf:1: auth.users[0].pasword: unknown key; expected name or password"},
    {"auth = {\n users = (\n  { name = \"a\"; password = \"x\"; },\n  { name = \"b\"; }\n );\n};",
     "t.conf:4: auth.users[1]: no password; expected a user such as"},
    {"auth = { users = ( { password = \"x\"; } ); };", "auth.users[0]: no name"},
    {"auth = { users = ( { name = \"a\"; password = \"x\"; },\n { name = \"a\"; password = \"y\"; "
     "} "
     "); };",
     "t.conf:2: auth.users[1]: user \"a\" is listed twice; expected each name once"},
    {"auth = { users = ( \"alice\" ); };", "auth.users[0]: found a string; expected a user"},
    {"auth = { users = ( { name = \"\"; password = \"x\"; } ); };",
     "auth.users[0].name: empty; expected a string of 1 to 512 bytes"},
    {"auth = { users = ( { name = \"a\"; password = \"\"; } ); };",
     "auth.users[0].password: empty; expected a string of 1 to 512 bytes"},
    {"auth = { users = ( { name = \"a\"; password = 7; } ); };",
     "auth.users[0].password: found an integer; expected a string"},
    {"auth = { nonce_lifetime_s = 1; };", "auth.nonce_lifetime_s: 1 is out of range"},
    {"turn = { max_channels = 16384; };",
     "turn.max_channels: 16384 is out of range; expected an integer from 1 to 16383"},
    {"turn = { bandwidth_bps = 2000000000000L; };",
     "turn.bandwidth_bps: 2000000000000 is out of range; expected an integer from 0 to "
     "1000000000000"},
    {"listen = {\n  prot = 3478;\n};",
     "t.conf:2: listen.prot: unknown key; expected one of addresses, port, udp, tcp, udp_batch, "
     "tcp_max_connections, tcp_idle_timeout_s"},
    {"\nlsiten = { port = 1; };", "t.conf:2: lsiten: unknown group; expected one of server, "
                                  "listen, tls, relay, auth, turn, peers"},
    {"port = 3478;", "t.conf:1: port: unknown group"},
    {"listen = 5;", "t.conf:1: listen: found 5 (an integer); expected a group: listen = { ... };"},
    {"listen = {\n  port = ;\n};", "t.conf:2: syntax error; expected the syntax of tern.conf(5)"},
    {"listen = { port = 1; };\nlisten = { udp = true; };", "t.conf:2: duplicate setting name"},
    {"turn = {\n  max_allocations = 4294967296;\n};",
     "t.conf:2: 4294967296 does not fit in 32 bits; expected at most 2147483647, or the L suffix"},
    {"turn = { max_allocations = 0x80000000; };", "t.conf:1: 0x80000000 does not fit in 32 bits"},
    {"turn = { max_allocations = -5000000000; };", "5000000000 does not fit in 32 bits"},
    {"auth = { realm = \"x\"; };\n@include \"/etc/hostname\"\n",
     "t.conf:2: @ directives (@include) are not supported"},
    {"listen = {\n  udp = false;\n  tcp = false;\n};",
     "t.conf:2: listen.udp: false, and listen.tcp is false too; expected at least one of them "
     "true"},
    {"listen = {\n  addresses = [];\n};",
     "t.conf:2: listen.addresses: empty; expected a list of IP addresses"},
    {"relay = {\n  port_min = 60000;\n  port_max = 50000;\n};",
     "t.conf:2: relay.port_min: 60000 is above relay.port_max (50000); expected port_min <= "
     "port_max"},
    {"relay = { port_min = 80; };", "relay.port_min: 80 is out of range; expected an integer "
                                    "from 1024 to 65535"},
    {"relay = {\n  addresses = [\"192.0.2.1\"];\n  external_addresses = [\"198.51.100.1\", "
     "\"198.51.100.2\"];\n};",
     "t.conf:3: relay.external_addresses: 2 entries for 1 in relay.addresses; expected one for "
     "each relay address, or none"},
    {"relay = { external_addresses = [\"198.51.100.1\"]; };",
     "relay.external_addresses: 1 entries for 0 in relay.addresses"},
    {"relay = { addresses = [\"192.0.2.1\"]; external_addresses = [\"2001:db8::1\"]; };",
     "relay.external_addresses: \"2001:db8::1\" is advertised for \"192.0.2.1\"; expected an "
     "address of the same family"},
    {"turn = {\n  lifetime_max_s = 600;\n  lifetime_default_s = 900;\n};",
     "t.conf:3: turn.lifetime_default_s: 900 is above turn.lifetime_max_s (600)"},
};

static void conf_test_refusals(void)
{
    char err[CONF_ERR_LEN];

    for (size_t i = 0; i < sizeof(conf_test_bad_cases) / sizeof(conf_test_bad_cases[0]); i++) {
        const struct conf_test_bad *t = &conf_test_bad_cases[i];
        struct conf c;
        conf_init(&c);
        err[0] = '\0';
        int rc = conf_load_string(&c, t->text, "t.conf", err);
        if (!TAP_CHECK(rc == -1 && strstr(err, t->want) != NULL, "refused: %s", t->want)) {
            printf("#   got: %s\n", rc == 0 ? "(accepted)" : err);
        }
        TAP_CHECK(conf_test_is_default(&c), "left unchanged after: %s", t->want);
        conf_fini(&c);
    }
}

/* A configuration that changes every key but the secret ones. */
static const char conf_test_full[] =
    "# every key away from its default\n"
    "server = { threads = 4; log_level = \"debug\"; log_syslog = true;\n"
    "  software = \"tern \\\"test\\\" \\\\ build\"; };\n"
    "listen = { addresses = [\"192.0.2.10\", \"2001:db8::10\"]; port = 3479; udp = false;\n"
    "  tcp = true; udp_batch = 8; tcp_max_connections = 100; tcp_idle_timeout_s = 60; };\n"
    "relay = { addresses = [\"10.0.0.5\", \"fd00::5\"];\n"
    "  external_addresses = [\"203.0.113.5\", \"2001:db8:1::5\"];\n"
    "  port_min = 50000; port_max = 50999; };\n"
    "auth = { realm = \"example.org\"; nonce_lifetime_s = 300; credential_ttl_s = 3600; };\n"
    "turn = { lifetime_default_s = 300; lifetime_max_s = 1200; channel_strict = true;\n"
    "  max_allocations = 4000000000L; max_allocations_per_user = 10;\n"
    "  max_allocations_per_ip = 20; max_permissions = 16; max_channels = 8;\n"
    "  bandwidth_bps = 10000000000L; unauth_rate = 0; unauth_burst = 5; };\n"
    "peers = { allow = [\"10.0.0.0/8\", \"fd00::/8\"]; deny = [\"198.51.100.7\"]; };\n";

static void conf_test_full_values(const struct conf *c)
{
    char ip[ADDR_STR_LEN];

    TAP_CHECK(c->server.threads == 4 && c->server.log_level == LOG_LEVEL_DEBUG &&
                  c->server.log_syslog,
              "server group read");
    TAP_CHECK(c->server.software != NULL &&
                  strcmp(c->server.software, "tern \"test\" \\ build") == 0,
              "escaped string read");
    TAP_CHECK(c->net.listen_ip_count == 2 && c->net.port == 3479 && !c->net.udp && c->net.tcp &&
                  c->net.udp_batch == 8 && c->net.tcp_max_conns == 100 &&
                  c->net.tcp_idle_timeout_s == 60,
              "listen group read");
    TAP_CHECK(strcmp(addr_format_ip(&c->net.listen_ips[1], ip, sizeof(ip)), "2001:db8::10") == 0,
              "IPv6 listen address read");
    TAP_CHECK(c->net.relay_ip_count == 2 && c->net.relay_port_min == 50000 &&
                  c->net.relay_port_max == 50999,
              "relay group read");
    TAP_CHECK(
        strcmp(addr_format_ip(&c->net.relay_external_ips[1], ip, sizeof(ip)), "2001:db8:1::5") == 0,
        "external address read");
    TAP_CHECK(strcmp(c->auth.realm, "example.org") == 0 && c->auth.nonce_lifetime_s == 300 &&
                  c->auth.credential_ttl_s == 3600,
              "auth group read");
    TAP_CHECK(c->turn.lifetime_default_s == 300 && c->turn.lifetime_max_s == 1200 &&
                  c->turn.channel_strict && c->turn.max_allocations == 4000000000u &&
                  c->turn.max_allocations_per_user == 10 && c->turn.max_allocations_per_ip == 20 &&
                  c->turn.max_permissions == 16 && c->turn.max_channels == 8 &&
                  c->turn.unauth_rate == 0 && c->turn.unauth_burst == 5,
              "turn group read");
    TAP_CHECK(c->turn.bandwidth_bps == 10000000000ull, "64-bit integer with L suffix read");
    TAP_CHECK(c->turn.peer_allow_count == 2 && c->turn.peer_deny_count == 1 &&
                  c->turn.peer_deny[0].prefix_len == 32 && c->turn.peer_allow[1].prefix_len == 8,
              "peers group read");
}

/* Prints a configuration, loads the print, prints again: the same text and values. */
static void conf_test_round_trip(void)
{
    static char first[CONF_TEST_PRINT_LEN];
    static char second[CONF_TEST_PRINT_LEN];
    char err[CONF_ERR_LEN] = "";
    struct conf a;
    struct conf b;

    conf_init(&a);
    if (!TAP_CHECK(conf_load_string(&a, conf_test_full, "full.conf", err) == 0,
                   "a configuration setting every key loads")) {
        printf("#   %s\n", err);
    }
    conf_test_full_values(&a);
    conf_test_print(&a, first, sizeof(first));
    conf_init(&b);
    if (!TAP_CHECK(conf_load_string(&b, first, "printed", err) == 0, "the print loads")) {
        printf("#   %s\n", err);
    }
    conf_test_full_values(&b);
    conf_test_print(&b, second, sizeof(second));
    TAP_CHECK(strcmp(first, second) == 0, "printing the loaded print gives the same text");
    TAP_CHECK(!conf_test_is_default(&b), "and it is not the defaults");
    conf_fini(&a);
    conf_fini(&b);
}

/* Secrets and passwords never appear in the print, and the placeholder does not load. */
static void conf_test_hidden(void)
{
    static char out[CONF_TEST_PRINT_LEN];
    char err[CONF_ERR_LEN] = "";
    struct conf c;
    struct conf d;

    conf_init(&c);
    TAP_EQ_INT(conf_load_string(&c,
                                "auth = { secrets = [\"k3y-one\", \"k3y-two\"];\n"
                                "  users = ( { name = \"alice\"; password = \"pa55word\"; },\n"
                                "            { name = \"bob\"; password = \"x\"; } ); };",
                                "s.conf", err),
               0, "secrets and users load");
    TAP_CHECK(c.auth.secret_count == 2 && strcmp(c.auth.secrets[1], "k3y-two") == 0,
              "secrets read");
    TAP_CHECK(c.auth.user_count == 2 && strcmp(c.auth.users[0].name, "alice") == 0 &&
                  strcmp(c.auth.users[0].password, "pa55word") == 0,
              "users read");
    conf_test_print(&c, out, sizeof(out));
    TAP_CHECK(strstr(out, "k3y") == NULL && strstr(out, "pa55") == NULL,
              "no secret nor password printed");
    TAP_CHECK(strstr(out, "name = \"alice\"; password = \"<hidden>\"") != NULL,
              "user names printed, passwords hidden");
    conf_init(&d);
    TAP_CHECK(conf_load_string(&d, out, "printed", err) == -1 && strstr(err, "placeholder"),
              "a print with hidden secrets is refused: %s", err);
    conf_fini(&d);
    conf_fini(&c);
}

/* A load reads over what is there; a failed one changes nothing. */
static void conf_test_layering(void)
{
    char err[CONF_ERR_LEN] = "";
    struct conf c;

    conf_init(&c);
    TAP_EQ_INT(conf_load_string(&c, "listen = { port = 4000; }; auth = { secrets = [\"a\"]; };",
                                "one.conf", err),
               0, "first load");
    TAP_EQ_INT(conf_load_string(&c, "listen = { udp_batch = 4; };", "two.conf", err), 0,
               "second load");
    TAP_CHECK(c.net.port == 4000 && c.net.udp_batch == 4 && c.auth.secret_count == 1,
              "the second load kept what the first set");
    TAP_EQ_INT(conf_load_string(&c,
                                "listen = { port = 5000; }; auth = { secrets = [\"b\", \"c\"]; "
                                "realm = \"\"; };",
                                "three.conf", err),
               -1, "a load failing late is refused");
    TAP_CHECK(c.net.port == 4000 && c.auth.secret_count == 1 &&
                  strcmp(c.auth.secrets[0], "a") == 0 && strcmp(c.auth.realm, "tern") == 0,
              "and left everything as it was");
    TAP_EQ_INT(conf_load_string(&c, "server = { software = \"x\"; };", "four.conf", err), 0,
               "software set");
    TAP_EQ_INT(conf_load_string(&c, "server = { software = \"\"; };", "five.conf", err), 0,
               "software emptied");
    TAP_CHECK(c.server.software == NULL, "an empty software string means none (NULL)");
    TAP_EQ_INT(conf_load_string(&c, "", "empty.conf", err), 0, "an empty text loads");
    TAP_EQ_INT(c.net.port, 4000, "and changes nothing");
    conf_fini(&c);
}

/* conf_validate() checks what the command line may have changed, without a location. */
static void conf_test_validate(void)
{
    char err[CONF_ERR_LEN] = "";
    struct conf c;

    conf_init(&c);
    c.net.port = 0;
    TAP_CHECK(conf_validate(&c, err) == -1 &&
                  strcmp(err, "listen.port: 0 is out of range; expected an "
                              "integer from 1 to 65535") == 0,
              "port 0 refused without a location: %s", err);
    c.net.port = 3478;
    c.server.log_level = (enum log_level)9;
    TAP_CHECK(conf_validate(&c, err) == -1 && strstr(err, "server.log_level: 9 is not a level"),
              "unknown log level refused: %s", err);
    c.server.log_level = LOG_LEVEL_INFO;
    c.auth.secrets[0] = xstrdup("");
    c.auth.secret_count = 1;
    TAP_CHECK(conf_validate(&c, err) == -1 && strstr(err, "auth.secrets[0]: empty"),
              "empty secret refused: %s", err);
    xfree(&c.auth.secrets[0]);
    c.auth.secret_count = 0;
    (void)addr_parse_ip(&c.net.relay_ips[0], "::");
    c.net.relay_ip_count = 1;
    TAP_CHECK(conf_validate(&c, err) == -1 &&
                  strstr(err, "relay.addresses[0]: \"::\" is the unspecified address"),
              "unspecified relay address refused: %s", err);
    c.net.listen_ip_count = 0;
    c.net.relay_ip_count = 0;
    TAP_CHECK(conf_validate(&c, err) == -1 && strstr(err, "listen.addresses: empty"),
              "no listen address refused: %s", err);
    conf_fini(&c);
}

/* The relay list replaced on the command line: stale external entries past it do not count. */
static void conf_test_validate_external(void)
{
    char err[CONF_ERR_LEN] = "";
    struct conf c;

    conf_init(&c);
    TAP_EQ_INT(conf_load_string(&c,
                                "relay = { addresses = [\"10.0.0.1\", \"10.0.0.2\"];\n"
                                "  external_addresses = [\"192.0.2.1\", \"192.0.2.2\"]; };",
                                "r.conf", err),
               0, "relay with external addresses loads");
    (void)addr_parse_ip(&c.net.relay_ips[0], "10.0.0.9");
    c.net.relay_external_ips[0].family = 0;
    c.net.relay_ip_count = 1;
    TAP_EQ_INT(conf_validate(&c, err), 0, "one relay without external address validates");
    c.net.relay_ip_count = 2;
    TAP_CHECK(conf_validate(&c, err) == -1 &&
                  strstr(err, "relay.external_addresses: 1 entries for 2 in relay.addresses"),
              "external addresses for some relays only refused: %s", err);
    conf_fini(&c);
}

/* Numbers, @ and names inside strings and comments are no business of the pre-scan. */
static void conf_test_lexer(void)
{
    char err[CONF_ERR_LEN] = "";
    struct conf c;

    conf_init(&c);
    TAP_EQ_INT(
        conf_load_string(&c,
                         "# 99999999999 @include \"x\"\n"
                         "/* 0xFFFFFFFFFF\n @include \"y\" */\n"
                         "auth = { realm = \"99999999999 @include \\\"z\\\"\"; // 4294967296\n"
                         "  credential_ttl_s = 0x00E10; };\n"
                         "turn = { max_allocations = 2147483647; bandwidth_bps = 0x10L; };\n",
                         "lex.conf", err),
        0, "big numbers in strings and comments are ignored: %s", err);
    TAP_CHECK(strcmp(c.auth.realm, "99999999999 @include \"z\"") == 0, "realm read whole");
    TAP_EQ_INT(c.auth.credential_ttl_s, 3600, "hexadecimal integer read");
    TAP_EQ_INT(c.turn.max_allocations, 2147483647, "largest 32-bit integer read");
    TAP_EQ_INT(c.turn.bandwidth_bps, 16, "hexadecimal 64-bit integer read");
    TAP_EQ_INT(
        conf_load_string(&c, "turn = {\n\n\n max_permissions = 99999999999;\n};", "n.conf", err),
        -1, "a big number after comments is refused");
    TAP_CHECK(strstr(err, "n.conf:4: 99999999999 does not fit in 32 bits") != NULL,
              "on its own line: %s", err);
    conf_fini(&c);
}

/* Writes text to a new temporary file; returns its path in path (PATH_MAX bytes). */
static bool conf_test_write(char *path, size_t cap, const char *text, size_t len)
{
    (void)snprintf(path, cap, "/tmp/conf_test.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        return false;
    }
    bool ok = write(fd, text, len) == (ssize_t)len;
    return close(fd) == 0 && ok;
}

static void conf_test_files(void)
{
    char err[CONF_ERR_LEN] = "";
    char path[256];
    char want[512];
    struct conf c;

    conf_init(&c);
    TAP_CHECK(conf_load_file(&c, "/nonexistent/tern.conf", err) == -1 &&
                  strcmp(err, "/nonexistent/tern.conf: cannot open: No such file or directory; "
                              "expected a readable file") == 0,
              "missing file refused: %s", err);
    TAP_CHECK(conf_test_write(path, sizeof(path), "listen = {\n  port = 99999;\n};\n", 29),
              "temporary file written");
    (void)snprintf(want, sizeof(want), "%s:2: listen.port: 99999 is out of range", path);
    TAP_CHECK(conf_load_file(&c, path, err) == -1 && strstr(err, want) == err,
              "errors in a file name it and the line: %s", err);
    (void)unlink(path);
    TAP_CHECK(conf_test_write(path, sizeof(path), "auth = { realm = \"a\0b\"; };\n", 27),
              "temporary file with a NUL written");
    TAP_CHECK(conf_load_file(&c, path, err) == -1 && strstr(err, "holds a NUL byte") != NULL,
              "a NUL byte refused: %s", err);
    (void)unlink(path);
    TAP_CHECK(conf_load_file(&c, "/", err) == -1 && strstr(err, "/: cannot read: Is a directory"),
              "a directory refused: %s", err);
    TAP_CHECK(conf_test_is_default(&c), "failed file loads changed nothing");
    conf_fini(&c);
}

int main(void)
{
    conf_test_defaults();
    conf_test_reference_values();
    conf_test_reference_keys();
    conf_test_refusals();
    conf_test_round_trip();
    conf_test_hidden();
    conf_test_layering();
    conf_test_validate();
    conf_test_validate_external();
    conf_test_lexer();
    conf_test_files();
    return tap_done();
}
