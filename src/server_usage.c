#define LOG_MODULE "usage"
#include "server_usage.h"

#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct server_usage_node {
    struct server_usage_node *next;
    struct turn_usage rec;
};

struct server_usage {
    int fd;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;
    struct server_usage_node *head;
    struct server_usage_node *tail;
    uint64_t queued;
    uint64_t written;
    uint64_t dropped;
    bool stopping;
};

/* Writes all of buf[0..len), retrying short writes. Returns 0 or -1 (errno set). */
static int server_usage_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes the records of list and frees them. Returns how many were written. */
static uint64_t server_usage_write_list(struct server_usage *u, struct server_usage_node *list)
{
    char line[TURN_USAGE_JSON_MAX];
    uint64_t n = 0;

    while (list != NULL) {
        struct server_usage_node *next = list->next;
        int len = turn_usage_json(&list->rec, line, sizeof(line));
        if (len > 0 && server_usage_write_all(u->fd, line, (size_t)len) == 0) {
            n++;
        } else {
            log_error("write() of a usage record failed: %s", strerror(errno));
        }
        xfree(&list);
        list = next;
    }
    return n;
}

static void *server_usage_main(void *arg)
{
    struct server_usage *u = arg;

    (void)pthread_mutex_lock(&u->lock);
    for (;;) {
        while (u->head == NULL && !u->stopping) {
            (void)pthread_cond_wait(&u->wake, &u->lock);
        }
        if (u->head == NULL) {
            break;
        }
        struct server_usage_node *list = u->head;
        uint64_t taken = u->queued;
        u->head = NULL;
        u->tail = NULL;
        (void)pthread_mutex_unlock(&u->lock);
        uint64_t n = server_usage_write_list(u, list);
        (void)pthread_mutex_lock(&u->lock);
        u->queued -= taken;
        u->written += n;
        u->dropped += taken - n;
    }
    (void)pthread_mutex_unlock(&u->lock);
    return NULL;
}

struct server_usage *server_usage_new(const char *path, char err[SERVER_USAGE_ERR_LEN])
{
    struct server_usage *u = xcalloc(1, sizeof(*u));
    int rc;

    u->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (u->fd < 0) {
        (void)snprintf(err, SERVER_USAGE_ERR_LEN, "open() of usage.file %s failed: %s", path,
                       strerror(errno));
        xfree(&u);
        return NULL;
    }
    (void)pthread_mutex_init(&u->lock, NULL);
    (void)pthread_cond_init(&u->wake, NULL);
    rc = pthread_create(&u->thread, NULL, server_usage_main, u);
    if (rc != 0) {
        (void)snprintf(err, SERVER_USAGE_ERR_LEN,
                       "pthread_create() for the usage writer failed: %s", strerror(rc));
        server_usage_free(u);
        return NULL;
    }
    u->thread_started = true;
    return u;
}

void server_usage_push(void *ctx, const struct turn_usage *rec)
{
    struct server_usage *u = ctx;
    struct server_usage_node *node = NULL;

    (void)pthread_mutex_lock(&u->lock);
    if (u->queued >= SERVER_USAGE_QUEUE_MAX) {
        u->dropped++;
        (void)pthread_mutex_unlock(&u->lock);
        log_warn("usage record of %s dropped: %d records wait for the disk", rec->username,
                 SERVER_USAGE_QUEUE_MAX);
        return;
    }
    (void)pthread_mutex_unlock(&u->lock);
    /* Allocation ends are the control path: the copy is made outside the lock. */
    node = xmalloc(sizeof(*node));
    node->next = NULL;
    node->rec = *rec;
    (void)pthread_mutex_lock(&u->lock);
    if (u->tail != NULL) {
        u->tail->next = node;
    } else {
        u->head = node;
    }
    u->tail = node;
    u->queued++;
    (void)pthread_cond_signal(&u->wake);
    (void)pthread_mutex_unlock(&u->lock);
}

void server_usage_figures(struct server_usage *u, uint64_t *written, uint64_t *dropped,
                          uint64_t *queued)
{
    (void)pthread_mutex_lock(&u->lock);
    *written = u->written;
    *dropped = u->dropped;
    *queued = u->queued;
    (void)pthread_mutex_unlock(&u->lock);
}

void server_usage_free(struct server_usage *u)
{
    if (u == NULL) {
        return;
    }
    if (u->thread_started) {
        (void)pthread_mutex_lock(&u->lock);
        u->stopping = true;
        (void)pthread_cond_signal(&u->wake);
        (void)pthread_mutex_unlock(&u->lock);
        (void)pthread_join(u->thread, NULL);
    }
    if (fsync(u->fd) < 0) {
        log_error("fsync() of usage.file failed: %s", strerror(errno));
    }
    (void)close(u->fd);
    (void)pthread_cond_destroy(&u->wake);
    (void)pthread_mutex_destroy(&u->lock);
    xfree(&u);
}

/* Appends the addresses of list as one comma-separated field. */
static void server_usage_line_addrs(struct store_record_line *out, const char *key,
                                    const struct addr *list, size_t n, bool with_port)
{
    char text[TURN_USAGE_MAX_PEERS * (ADDR_STR_LEN + 1)];
    size_t used = 0;

    text[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof(text); i++) {
        char a[ADDR_STR_LEN];
        const char *s = with_port ? addr_format(&list[i], a, sizeof(a))
                                  : addr_format_ip(&list[i], a, sizeof(a));
        int m = snprintf(text + used, sizeof(text) - used, "%s%s", i ? "," : "", s);
        used += m > 0 ? (size_t)m : 0;
    }
    store_record_line_add_str(out, key, text);
}

/* Appends key=<decimal v>. */
static void server_usage_line_num(struct store_record_line *out, const char *key, long long v)
{
    char text[24];

    (void)snprintf(text, sizeof(text), "%lld", v);
    store_record_line_add_str(out, key, text);
}

int server_usage_line(const struct turn_usage *rec, struct store_record_line *out)
{
    char client[ADDR_STR_LEN];

    store_record_line_init(out);
    store_record_line_add_str(out, "username", rec->username);
    store_record_line_add_str(out, "realm", rec->realm);
    store_record_line_add_str(out, "transport", turn_usage_transport_name(rec->transport));
    store_record_line_add_str(out, "client", addr_format(&rec->client, client, sizeof(client)));
    server_usage_line_addrs(out, "relays", rec->relays, rec->relay_count, true);
    server_usage_line_addrs(out, "peers", rec->peers, rec->peer_count, false);
    store_record_line_add_str(out, "peers_truncated", rec->peers_truncated ? "true" : "false");
    server_usage_line_num(out, "bytes_to_peer", (long long)rec->bytes_to_peer);
    server_usage_line_num(out, "packets_to_peer", (long long)rec->packets_to_peer);
    server_usage_line_num(out, "bytes_to_client", (long long)rec->bytes_to_client);
    server_usage_line_num(out, "packets_to_client", (long long)rec->packets_to_client);
    server_usage_line_num(out, "start", rec->start_s);
    server_usage_line_num(out, "end", rec->end_s);
    store_record_line_add_str(out, "reason", turn_usage_reason_name(rec->reason));
    return store_record_line_end(out);
}

void server_usage_dispatch(void *ctx, const struct turn_usage *rec)
{
    const struct server_usage_sinks *sinks = ctx;
    /* Allocation ends are the control path; the line is large for a worker's stack. */
    struct store_record_line *line;

    if (sinks->file != NULL) {
        server_usage_push(sinks->file, rec);
    }
    if (sinks->line == NULL) {
        return;
    }
    line = xmalloc(sizeof(*line));
    int len = server_usage_line(rec, line);
    if (len > 0) {
        sinks->line(sinks->line_ctx, line->text, (size_t)len);
    } else {
        log_warn("usage record of %s does not fit a stream record", rec->username);
    }
    xfree(&line);
}
