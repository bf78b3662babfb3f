#include "ternctl_admin.h"

#include "ternctl_json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* The longest answer read (a "sessions" of 10000 allocations is about 3 MB). */
#define TERNCTL_ADMIN_ANSWER_MAX (64u << 20)
/* How long ternd may take to answer, in seconds. */
#define TERNCTL_ADMIN_TIMEOUT_S 30
/* The longest argument sent (the server takes lines of up to 512 bytes). */
#define TERNCTL_ADMIN_ARG_MAX 400
/* Columns of the sessions table. */
#define TERNCTL_ADMIN_COLUMNS 7

struct ternctl_admin_args {
    const char *command;
    const char *target; /* kill's argument, or NULL */
    const char *socket;
    bool json;
};

static const char *const ternctl_admin_commands[] = {"status", "sessions", "kill", "drain",
                                                     "reload"};

bool ternctl_admin_is_command(const char *name)
{
    for (size_t i = 0; i < sizeof(ternctl_admin_commands) / sizeof(ternctl_admin_commands[0]);
         i++) {
        if (strcmp(name, ternctl_admin_commands[i]) == 0) {
            return true;
        }
    }
    return false;
}

static const struct option ternctl_admin_options[] = {
    {"socket", required_argument, NULL, 's'},
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void ternctl_admin_usage(FILE *out)
{
    (void)fprintf(out,
                  "usage: ternctl status|sessions|drain|reload [-s PATH] [--json]\n"
                  "       ternctl kill USER|RELAY-ADDRESS:PORT [-s PATH] [--json]\n"
                  "  -s, --socket PATH     the admin socket of ternd (default " TERNCTL_ADMIN_SOCKET
                  ")\n"
                  "      --json            print ternd's JSON answer as it is\n");
}

/* Reads the command line. Returns -1 for a usage error (reported), 1 for --help, else 0. */
static int ternctl_admin_parse(struct ternctl_admin_args *a, int argc, char **argv)
{
    int opt;

    a->command = argv[0];
    a->socket = TERNCTL_ADMIN_SOCKET;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "s:h", ternctl_admin_options, NULL)) != -1) {
        if (opt == 's') {
            a->socket = optarg;
        } else if (opt == 'j') {
            a->json = true;
        } else if (opt == 'h') {
            return 1;
        } else {
            return -1;
        }
    }
    int want = strcmp(a->command, "kill") == 0 ? 1 : 0;
    if (argc - optind != want) {
        (void)fprintf(stderr, "ternctl %s: %s\n", a->command,
                      want ? "give one user name or relayed address" : "takes no argument");
        return -1;
    }
    a->target = want ? argv[optind] : NULL;
    if (a->target != NULL && (a->target[0] == '\0' || strlen(a->target) > TERNCTL_ADMIN_ARG_MAX ||
                              strpbrk(a->target, " \t\r\n") != NULL)) {
        (void)fprintf(stderr, "ternctl kill: '%s' is not a user name or an address\n", a->target);
        return -1;
    }
    return 0;
}

/* Connects to the admin socket. Returns the socket, or -1 (reported). */
static int ternctl_admin_connect(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval timeout = {TERNCTL_ADMIN_TIMEOUT_S, 0};

    if (strlen(path) >= sizeof(sun.sun_path)) {
        (void)fprintf(stderr, "ternctl: socket path too long: %s\n", path);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
        int e = errno;
        (void)fprintf(stderr, "ternctl: cannot reach ternd at %s: %s%s\n", path, strerror(e),
                      e == ENOENT || e == ECONNREFUSED ? " (is ternd running? see -s)" : "");
        if (fd >= 0) {
            (void)close(fd);
        }
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    return fd;
}

/* Sends the request line and reads the answer to its end. Returns the owned NUL-terminated
 * answer, or NULL (reported). */
static char *ternctl_admin_exchange(int fd, const char *request, size_t *len)
{
    size_t cap = 65536;
    char *buf = xmalloc(cap);
    ssize_t n = 0;

    *len = 0;
    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        (void)fprintf(stderr, "ternctl: sending the request failed: %s\n", strerror(errno));
        xfree(&buf);
        return NULL;
    }
    while ((n = read(fd, buf + *len, cap - *len - 1)) > 0) {
        *len += (size_t)n;
        if (cap - *len - 1 == 0 && cap < TERNCTL_ADMIN_ANSWER_MAX) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        } else if (cap - *len - 1 == 0) {
            n = -1;
            errno = EFBIG;
            break;
        }
    }
    if (n < 0) {
        (void)fprintf(stderr, "ternctl: reading the answer failed: %s\n", strerror(errno));
        xfree(&buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static void ternctl_admin_print_status(const struct ternctl_json *doc)
{
    for (size_t i = 0; i < doc->count; i++) {
        const struct ternctl_json_member *m = &doc->members[i];
        if (m->object == 0 && strcmp(m->key, "ok") != 0) {
            (void)printf("%-13s%s\n", m->key, m->value);
        }
    }
}

static const char *const ternctl_admin_keys[TERNCTL_ADMIN_COLUMNS] = {
    "user", "client", "relay", "transport", "age_s", "bytes_to_peer", "bytes_to_client"};
static const char *const ternctl_admin_heads[TERNCTL_ADMIN_COLUMNS] = {
    "USER", "CLIENT", "RELAY", "TRANSPORT", "AGE_S", "TO_PEER", "TO_CLIENT"};

static void ternctl_admin_print_row(const char *const *cells, const int *width)
{
    for (size_t c = 0; c < TERNCTL_ADMIN_COLUMNS; c++) {
        /* Text columns to the left, numbers to the right. */
        int w = c < 4 ? -width[c] : width[c];
        (void)printf("%*s%s", w, cells[c], c + 1 < TERNCTL_ADMIN_COLUMNS ? "  " : "\n");
    }
}

static void ternctl_admin_print_sessions(const struct ternctl_json *doc)
{
    int width[TERNCTL_ADMIN_COLUMNS];
    const char *cells[TERNCTL_ADMIN_COLUMNS];

    for (size_t c = 0; c < TERNCTL_ADMIN_COLUMNS; c++) {
        width[c] = (int)strlen(ternctl_admin_heads[c]);
        for (size_t o = 1; o < doc->objects; o++) {
            const char *v = ternctl_json_get(doc, o, ternctl_admin_keys[c]);
            int n = v != NULL ? (int)strlen(v) : 0;
            width[c] = n > width[c] ? n : width[c];
        }
    }
    if (doc->objects <= 1) {
        (void)printf("no live allocation\n");
        return;
    }
    ternctl_admin_print_row(ternctl_admin_heads, width);
    for (size_t o = 1; o < doc->objects; o++) {
        for (size_t c = 0; c < TERNCTL_ADMIN_COLUMNS; c++) {
            const char *v = ternctl_json_get(doc, o, ternctl_admin_keys[c]);
            cells[c] = v != NULL ? v : "-";
        }
        ternctl_admin_print_row(cells, width);
    }
    const char *truncated = ternctl_json_get(doc, 0, "truncated");
    if (truncated != NULL && strcmp(truncated, "true") == 0) {
        (void)printf("(%s of %s allocations listed)\n", ternctl_json_get(doc, 0, "count"),
                     ternctl_json_get(doc, 0, "total"));
    }
}

/* The exit status an answer means: a kill that matched nothing and a drain that did not start
 * are refusals too. */
static int ternctl_admin_verdict(const struct ternctl_admin_args *a, const struct ternctl_json *doc)
{
    const char *ended = ternctl_json_get(doc, 0, "ended");
    const char *draining = ternctl_json_get(doc, 0, "draining");

    if (strcmp(ternctl_json_get(doc, 0, "ok"), "true") != 0) {
        return TERNCTL_EXIT_REFUSED;
    }
    if (strcmp(a->command, "kill") == 0 && (ended == NULL || strcmp(ended, "0") == 0)) {
        return TERNCTL_EXIT_REFUSED;
    }
    if (strcmp(a->command, "drain") == 0 && (draining == NULL || strcmp(draining, "true") != 0)) {
        return TERNCTL_EXIT_REFUSED;
    }
    return TERNCTL_EXIT_OK;
}

/* Prints an answer as text, given its exit status. */
static void ternctl_admin_print(const struct ternctl_admin_args *a, const struct ternctl_json *doc,
                                int status)
{
    const char *err = ternctl_json_get(doc, 0, "error");
    const char *msg = ternctl_json_get(doc, 0, "message");

    if (err != NULL) {
        (void)fprintf(stderr, "ternctl: ternd: %s\n", err);
    } else if (strcmp(a->command, "status") == 0) {
        ternctl_admin_print_status(doc);
    } else if (strcmp(a->command, "sessions") == 0) {
        ternctl_admin_print_sessions(doc);
    } else if (strcmp(a->command, "kill") == 0 && status != TERNCTL_EXIT_OK) {
        (void)fprintf(stderr, "ternctl: no allocation of user or relay %s\n", a->target);
    } else if (strcmp(a->command, "kill") == 0) {
        (void)printf("ended %s allocation(s)\n", ternctl_json_get(doc, 0, "ended"));
    } else if (strcmp(a->command, "drain") == 0 && status != TERNCTL_EXIT_OK) {
        (void)fprintf(stderr, "ternctl: ternd did not start draining (see its log)\n");
    } else if (strcmp(a->command, "drain") == 0) {
        (void)printf("draining\n");
    } else {
        (void)printf("%s\n", msg != NULL ? msg : "done");
    }
}

/* Reads the answer: prints it (as JSON or text) and returns the exit status. */
static int ternctl_admin_answer(const struct ternctl_admin_args *a, const char *text, size_t len)
{
    struct ternctl_json doc;

    if (ternctl_json_parse(&doc, text, len) < 0 || ternctl_json_get(&doc, 0, "ok") == NULL) {
        (void)fprintf(stderr, "ternctl: %s did not answer like ternd (%zu bytes)\n", a->socket,
                      len);
        return TERNCTL_EXIT_UNREACHABLE;
    }
    int status = ternctl_admin_verdict(a, &doc);
    if (a->json) {
        (void)fwrite(text, 1, len, stdout);
    } else {
        ternctl_admin_print(a, &doc, status);
    }
    ternctl_json_fini(&doc);
    return status;
}

int ternctl_admin_main(int argc, char **argv)
{
    struct ternctl_admin_args a = {.json = false};
    char request[TERNCTL_ADMIN_ARG_MAX + 32];
    size_t len = 0;

    int rc = ternctl_admin_parse(&a, argc, argv);
    if (rc != 0) {
        ternctl_admin_usage(rc > 0 ? stdout : stderr);
        return rc > 0 ? TERNCTL_EXIT_OK : TERNCTL_EXIT_USAGE;
    }
    (void)snprintf(request, sizeof(request), "%s%s%s\n", a.command, a.target ? " " : "",
                   a.target ? a.target : "");
    int fd = ternctl_admin_connect(a.socket);
    if (fd < 0) {
        return TERNCTL_EXIT_UNREACHABLE;
    }
    char *answer = ternctl_admin_exchange(fd, request, &len);
    (void)close(fd);
    if (answer == NULL) {
        return TERNCTL_EXIT_UNREACHABLE;
    }
    int status = ternctl_admin_answer(&a, answer, len);
    xfree(&answer);
    return status;
}
