/*
 * ternctl: the operator's command-line tool. Today it mints TURN REST
 * credentials from a shared secret, the same way ternd checks them:
 *
 *   username = "<unix expiry>:<user>"
 *   password = base64(HMAC-SHA1(secret, username))
 *
 * and prints them with a JSON iceServers entry a WebRTC application can
 * hand to RTCPeerConnection.
 */
#include "auth/auth_rest.h"
#include "config.h"
#include "ternctl_redis.h"
#include "util/clock.h"
#include "util/number.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERNCTL_MAX_URLS      8
#define TERNCTL_SECRET_MAX    512
#define TERNCTL_DEFAULT_TTL_S 86400u

struct ternctl_credential_args {
    const char *secret;
    char secret_buf[TERNCTL_SECRET_MAX + 2];
    const char *user;
    unsigned long ttl_s;
    const char *urls[TERNCTL_MAX_URLS];
    size_t url_count;
    const char *host;
    unsigned long port;
    bool json_only;
};

static void ternctl_usage(FILE *out)
{
    (void)fprintf(out, "usage: ternctl credential [options]\n"
                       "  --secret SECRET       the shared secret (visible to other users in ps;\n"
                       "                        prefer --secret-file or TERN_SECRET)\n"
                       "  --secret-file FILE    read the secret from the first line of FILE\n"
                       "  --user NAME           the user part of the username (default: none)\n"
                       "  --ttl SECONDS         how long the credential is valid (default 86400)\n"
                       "  --url URL             a turn:/turns: URL for iceServers (repeatable)\n"
                       "  --host HOST           host of the default URLs (default 127.0.0.1)\n"
                       "  --port PORT           port of the default URLs (default 3478)\n"
                       "  --json                print only the JSON iceServers entry\n");
    ternctl_redis_usage(out);
}

/* Reads the first line of path as the secret. Returns 0 or -1 (reported). */
static int ternctl_read_secret(struct ternctl_credential_args *a, const char *path)
{
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        (void)fprintf(stderr, "ternctl: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = fgets(a->secret_buf, sizeof(a->secret_buf), f);
    (void)fclose(f);
    if (line == NULL) {
        (void)fprintf(stderr, "ternctl: %s is empty\n", path);
        return -1;
    }
    a->secret_buf[strcspn(a->secret_buf, "\r\n")] = '\0';
    a->secret = a->secret_buf;
    return 0;
}

enum ternctl_option {
    TERNCTL_OPT_SECRET = 256,
    TERNCTL_OPT_SECRET_FILE,
    TERNCTL_OPT_USER,
    TERNCTL_OPT_TTL,
    TERNCTL_OPT_URL,
    TERNCTL_OPT_HOST,
    TERNCTL_OPT_PORT,
    TERNCTL_OPT_JSON,
    TERNCTL_OPT_HELP,
};

static const struct option ternctl_credential_options[] = {
    {"secret", required_argument, NULL, TERNCTL_OPT_SECRET},
    {"secret-file", required_argument, NULL, TERNCTL_OPT_SECRET_FILE},
    {"user", required_argument, NULL, TERNCTL_OPT_USER},
    {"ttl", required_argument, NULL, TERNCTL_OPT_TTL},
    {"url", required_argument, NULL, TERNCTL_OPT_URL},
    {"host", required_argument, NULL, TERNCTL_OPT_HOST},
    {"port", required_argument, NULL, TERNCTL_OPT_PORT},
    {"json", no_argument, NULL, TERNCTL_OPT_JSON},
    {"help", no_argument, NULL, TERNCTL_OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Applies one option; returns 0, or -1 when its value is wrong (reported). */
static int ternctl_credential_option(struct ternctl_credential_args *a, int opt, const char *val)
{
    switch (opt) {
    case TERNCTL_OPT_SECRET:
        a->secret = val;
        return 0;
    case TERNCTL_OPT_SECRET_FILE:
        return ternctl_read_secret(a, val);
    case TERNCTL_OPT_USER:
        a->user = val;
        return 0;
    case TERNCTL_OPT_TTL:
        return number_parse_ulong(val, 1, 365ul * 86400, &a->ttl_s);
    case TERNCTL_OPT_URL:
        if (a->url_count >= TERNCTL_MAX_URLS) {
            return -1;
        }
        a->urls[a->url_count++] = val;
        return 0;
    case TERNCTL_OPT_HOST:
        a->host = val;
        return 0;
    case TERNCTL_OPT_PORT:
        return number_parse_ulong(val, 1, 65535, &a->port);
    case TERNCTL_OPT_JSON:
        a->json_only = true;
        return 0;
    default:
        return -1;
    }
}

/* Writes s as a JSON string (the characters a username or URL may hold are escaped). */
static void ternctl_json_string(const char *s)
{
    (void)putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            (void)printf("\\%c", ch);
        } else if (ch < 0x20) {
            (void)printf("\\u%04x", ch);
        } else {
            (void)putchar(ch);
        }
    }
    (void)putchar('"');
}

static void ternctl_print_ice_servers(const struct ternctl_credential_args *a, const char *username,
                                      const char *password)
{
    (void)printf("{\"iceServers\": [{\"urls\": [");
    if (a->url_count == 0) {
        char defaults[2][300];
        const char *h = a->host ? a->host : "127.0.0.1";
        (void)snprintf(defaults[0], sizeof(defaults[0]), "turn:%s:%lu?transport=udp", h, a->port);
        (void)snprintf(defaults[1], sizeof(defaults[1]), "turn:%s:%lu?transport=tcp", h, a->port);
        ternctl_json_string(defaults[0]);
        (void)printf(", ");
        ternctl_json_string(defaults[1]);
    }
    for (size_t i = 0; i < a->url_count; i++) {
        (void)printf("%s", i ? ", " : "");
        ternctl_json_string(a->urls[i]);
    }
    (void)printf("], \"username\": ");
    ternctl_json_string(username);
    (void)printf(", \"credential\": ");
    ternctl_json_string(password);
    (void)printf("}]}\n");
}

static int ternctl_credential(int argc, char **argv)
{
    struct ternctl_credential_args a = {.ttl_s = TERNCTL_DEFAULT_TTL_S, .port = 3478};
    char username[AUTH_REST_USERNAME_MAX + 1];
    char password[AUTH_REST_PASSWORD_LEN + 1];
    int opt;
    int index = 0;

    a.secret = getenv("TERN_SECRET");
    while ((opt = getopt_long(argc, argv, "", ternctl_credential_options, &index)) != -1) {
        if (opt == TERNCTL_OPT_HELP) {
            ternctl_usage(stdout);
            return 0;
        }
        if (opt == '?') {
            return 2;
        }
        if (ternctl_credential_option(&a, opt, optarg) < 0) {
            (void)fprintf(stderr, "ternctl: invalid value '%s' for --%s\n", optarg ? optarg : "",
                          ternctl_credential_options[index].name);
            return 2;
        }
    }
    if (a.secret == NULL || a.secret[0] == '\0') {
        (void)fprintf(stderr, "ternctl: no secret: give --secret-file, --secret or TERN_SECRET\n");
        return 2;
    }
    const char *user = a.user ? a.user : "";
    if (auth_rest_username_make(user, strlen(user), clock_wall_s(), (uint32_t)a.ttl_s, username,
                                sizeof(username)) < 0 ||
        auth_rest_password(a.secret, strlen(a.secret), username, strlen(username), password,
                           sizeof(password)) < 0) {
        (void)fprintf(stderr, "ternctl: cannot mint a credential for user '%s'\n", user);
        return 1;
    }
    if (!a.json_only) {
        (void)printf("username: %s\npassword: %s\nttl: %lu\n", username, password, a.ttl_s);
    }
    ternctl_print_ice_servers(&a, username, password);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "credential") == 0) {
        return ternctl_credential(argc - 1, argv + 1);
    }
    if (argc >= 2 && ternctl_redis_is_command(argv[1])) {
        return ternctl_redis_main(argc - 1, argv + 1);
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        (void)printf("ternctl %s\n", PACKAGE_VERSION);
        return 0;
    }
    ternctl_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
