/*
 * ternd: command line, configuration, then server_run(). Knows no protocol.
 */
#define LOG_MODULE "main"
#include "conf/conf.h"
#include "config.h"
#include "server.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/number.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum main_action {
    MAIN_RUN,
    MAIN_CHECK_CONFIG,
    MAIN_PRINT_CONFIG,
};

enum main_long_option {
    MAIN_OPT_CHECK = 256,
    MAIN_OPT_PRINT,
    MAIN_OPT_REALM,
    MAIN_OPT_SECRET,
    MAIN_OPT_SYSLOG,
    MAIN_OPT_HTTP_PORT,
};

/* What the command line asked for, applied over the configuration file. */
struct main_args {
    enum main_action action;
    const char *config_path;
    bool listen_reset;
    bool relay_reset;
    bool secrets_reset;
};

static const struct option main_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, MAIN_OPT_CHECK},
    {"print-config", no_argument, NULL, MAIN_OPT_PRINT},
    {"listen", required_argument, NULL, 'L'},
    {"port", required_argument, NULL, 'p'},
    {"relay", required_argument, NULL, 'r'},
    {"realm", required_argument, NULL, MAIN_OPT_REALM},
    {"secret", required_argument, NULL, MAIN_OPT_SECRET},
    {"threads", required_argument, NULL, 't'},
    {"log-level", required_argument, NULL, 'l'},
    {"syslog", no_argument, NULL, MAIN_OPT_SYSLOG},
    {"http-port", required_argument, NULL, MAIN_OPT_HTTP_PORT},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#if defined(__SANITIZE_ADDRESS__)
/* libconfig 1.5 leaks the token read before some syntax errors; that leak is not ours, and a
 * sanitized ternd refusing a broken file must still exit with its own status. */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}
#endif

static void main_usage(FILE *out)
{
    (void)fprintf(
        out,
        "usage: ternd [options]\n"
        "  -c, --config FILE      read FILE (default: the built-in defaults of etc/tern.conf)\n"
        "      --check-config     validate the configuration and exit\n"
        "      --print-config     print the effective configuration and exit\n"
        "  -L, --listen IP        listen on IP (repeat for several; replaces the file's)\n"
        "  -p, --port PORT        UDP and TCP port for STUN/TURN (default 3478)\n"
        "  -r, --relay IP         relay address (repeat for several)\n"
        "      --realm REALM      authentication realm\n"
        "      --secret SECRET    shared secret for REST credentials (repeat to rotate)\n"
        "  -t, --threads N        worker threads (0: one per core)\n"
        "  -l, --log-level LEVEL  error, warn, notice, info or debug\n"
        "      --syslog           log to syslog instead of stderr\n"
        "      --http-port PORT   port of the statistics endpoint (0: no endpoint)\n"
        "  -V, --version          print the version and exit\n"
        "  -h, --help             print this help and exit\n");
}

static int main_add_ip(struct addr *list, size_t *count, size_t cap, bool *reset, const char *s)
{
    if (*reset) {
        *count = 0;
        *reset = false;
    }
    if (*count >= cap || addr_parse_ip(&list[*count], s) < 0) {
        return -1;
    }
    (*count)++;
    return 0;
}

static int main_add_secret(struct auth_options *a, bool *reset, const char *s)
{
    if (*reset) {
        for (size_t i = 0; i < a->secret_count; i++) {
            xfree(&a->secrets[i]);
        }
        a->secret_count = 0;
        *reset = false;
    }
    if (s[0] == '\0' || a->secret_count >= AUTH_MAX_SECRETS) {
        return -1;
    }
    a->secrets[a->secret_count++] = xstrdup(s);
    return 0;
}

/* Applies one override option to c. Returns 0, or -1 when its value is wrong. */
static int main_apply(struct conf *c, struct main_args *args, int opt, const char *optval)
{
    const char *val = optval != NULL ? optval : "";
    unsigned long n = 0;
    int level;

    switch (opt) {
    case 'L':
        return main_add_ip(c->net.listen_ips, &c->net.listen_ip_count, NET_MAX_LISTEN,
                           &args->listen_reset, val);
    case 'r':
        if (main_add_ip(c->net.relay_ips, &c->net.relay_ip_count, NET_MAX_RELAY, &args->relay_reset,
                        val) < 0) {
            return -1;
        }
        /* A relay address given here is advertised as it is. */
        c->net.relay_external_ips[c->net.relay_ip_count - 1].family = 0;
        return 0;
    case 'p':
        if (number_parse_ulong(val, 1, 65535, &n) < 0) {
            return -1;
        }
        c->net.port = (uint16_t)n;
        return 0;
    case 't':
        if (number_parse_ulong(val, 0, 256, &n) < 0) {
            return -1;
        }
        c->server.threads = (unsigned)n;
        return 0;
    case 'l':
        level = log_level_parse(val);
        if (level < 0) {
            return -1;
        }
        c->server.log_level = (enum log_level)level;
        return 0;
    case MAIN_OPT_REALM:
        if (val[0] == '\0') {
            return -1;
        }
        xfree(&c->auth.realm);
        c->auth.realm = xstrdup(val);
        return 0;
    case MAIN_OPT_SECRET:
        /* Whoever gives a secret on the command line is trying the server by hand. */
        c->server.announce_credential = true;
        return main_add_secret(&c->auth, &args->secrets_reset, val);
    case MAIN_OPT_SYSLOG:
        c->server.log_syslog = true;
        return 0;
    case MAIN_OPT_HTTP_PORT:
        if (number_parse_ulong(val, 0, 65535, &n) < 0) {
            return -1;
        }
        /* Port 0 turns the endpoint off (tests running in parallel, or a host with no use for
         * it); any other port turns it on. */
        c->http.enabled = n != 0;
        if (n != 0) {
            c->http.port = (uint16_t)n;
        }
        return 0;
    default:
        return -1;
    }
}

/* First pass: options that decide what to do and which file to read. Returns -1 to exit 2, 1 to
 * exit 0 (help, version), else 0. */
static int main_parse_actions(int argc, char **argv, struct main_args *args)
{
    int opt;

    while ((opt = getopt_long(argc, argv, "c:L:p:r:t:l:Vh", main_options, NULL)) != -1) {
        if (opt == 'c') {
            args->config_path = optarg;
        } else if (opt == MAIN_OPT_CHECK) {
            args->action = MAIN_CHECK_CONFIG;
        } else if (opt == MAIN_OPT_PRINT) {
            args->action = MAIN_PRINT_CONFIG;
        } else if (opt == 'V') {
            (void)printf("ternd %s\n", PACKAGE_VERSION);
            return 1;
        } else if (opt == 'h') {
            main_usage(stdout);
            return 1;
        } else if (opt == '?') {
            main_usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "ternd: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Second pass: overrides, applied after the file was read. Returns 0 or -1. */
static int main_parse_overrides(int argc, char **argv, struct conf *c, struct main_args *args,
                                char err[CONF_ERR_LEN])
{
    int opt;

    args->listen_reset = true;
    args->relay_reset = true;
    args->secrets_reset = true;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:L:p:r:t:l:Vh", main_options, NULL)) != -1) {
        if (opt == 'c' || opt == MAIN_OPT_CHECK || opt == MAIN_OPT_PRINT) {
            continue;
        }
        if (main_apply(c, args, opt, optarg) < 0) {
            const struct option *o = main_options;
            while (o->name != NULL && o->val != opt) {
                o++;
            }
            (void)snprintf(err, CONF_ERR_LEN, "invalid value '%s' for --%s", optarg ? optarg : "",
                           o->name ? o->name : "?");
            return -1;
        }
    }
    return 0;
}

/* The command line, kept for reloads. */
struct main_cmdline {
    int argc;
    char **argv;
    struct main_args *args;
};

/* Reads the file, then the overrides, then validates. Returns 0, or -1 with err set. */
static int main_load(struct conf *c, const struct main_cmdline *cmd, char err[CONF_ERR_LEN])
{
    if (cmd->args->config_path != NULL && conf_load_file(c, cmd->args->config_path, err) < 0) {
        return -1;
    }
    if (main_parse_overrides(cmd->argc, cmd->argv, c, cmd->args, err) < 0) {
        return -1;
    }
    return conf_validate(c, err);
}

/* The server_loader of reloads: the same file and command line as at start. */
static int main_reload(void *ctx, struct conf *c, char err[CONF_ERR_LEN])
{
    return main_load(c, ctx, err);
}

int main(int argc, char **argv)
{
    struct main_args args = {.action = MAIN_RUN};
    struct main_cmdline cmd = {argc, argv, &args};
    struct server_loader loader = {main_reload, &cmd};
    char err[CONF_ERR_LEN];
    struct conf c;
    int status = 1;

    int rc = main_parse_actions(argc, argv, &args);
    if (rc != 0) {
        return rc > 0 ? 0 : 2;
    }
    conf_init(&c);
    if (main_load(&c, &cmd, err) < 0) {
        (void)fprintf(stderr, "ternd: %s\n", err);
        goto out;
    }
    if (args.action == MAIN_CHECK_CONFIG) {
        status = 0;
    } else if (args.action == MAIN_PRINT_CONFIG) {
        conf_print(&c, stdout);
        status = 0;
    } else {
        log_open(c.server.log_syslog);
        status = server_run(&c, &loader);
        log_close();
    }
out:
    conf_fini(&c);
    return status;
}
