#define LOG_MODULE "redis"
#include "store/store_usage.h"

#include "store/store_record.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Records sent and not yet answered, at most. */
#define STORE_USAGE_WINDOW 64
/* What workers may queue before the control thread takes them in. */
#define STORE_USAGE_INBOX_MAX 65536
/* The journal is read back in chunks of this size. */
#define STORE_USAGE_READ_CHUNK (2 * STORE_RECORD_LINE_MAX)
/* EVAL's arguments besides the fields: EVAL script 2 stream acked source seq maxlen. */
#define STORE_USAGE_ARGS_FIXED 8

/* Adds ARGV[4..] to the stream only when ARGV[2] (the seq) is above the highest seq added for
 * source ARGV[1]: a record sent twice is added once. Returns 1 when added, 0 when skipped. */
static const char store_usage_script[] =
    "local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')\n"
    "local seq = tonumber(ARGV[2])\n"
    "if seq <= last then return 0 end\n"
    "local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*'}\n"
    "for i = 4, #ARGV do args[#args + 1] = ARGV[i] end\n"
    "redis.call(unpack(args))\n"
    "redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])\n"
    "return 1\n";

struct store_usage_rec {
    struct store_usage_rec *next;
    size_t len;
    char line[]; /* len bytes, newline included, then a NUL */
};

struct store_usage_list {
    struct store_usage_rec *head;
    struct store_usage_rec *tail;
    size_t count;
};

struct store_usage {
    const struct store_options *opts;
    struct event *wake; /* activated by store_usage_push() from any thread */
    pthread_mutex_t lock;
    struct store_usage_list inbox; /* guarded by lock */
    /* Control thread only. */
    struct store_usage_list queue; /* oldest first: in flight, then waiting */
    struct store_usage_rec *next_send;
    size_t in_flight;
    size_t stale; /* replies still due for sends already given up on */
    struct store_link *link;
    int journal_fd;
    off_t journal_read; /* journal bytes already taken into memory (or skipped) */
    uint64_t spilled;   /* records in the journal only */
    char source[96];
    uint64_t seq;
    char stream_key[96];
    char acked_key[96];
    bool warned_full;
    bool warned_refused;
    /* Figures, read by other threads with relaxed loads. */
    uint64_t sent;
    uint64_t waiting;
    uint64_t dropped;
    uint64_t journaled;
};

/* NOLINTNEXTLINE(readability-non-const-parameter): written by __atomic_add_fetch. */
static void store_usage_count(uint64_t *c, int64_t delta)
{
    (void)__atomic_add_fetch(c, (uint64_t)delta, __ATOMIC_RELAXED);
}

static struct store_usage_rec *store_usage_rec_new(const char *a, size_t a_len, const char *b,
                                                   size_t b_len)
{
    struct store_usage_rec *r = xmalloc(sizeof(*r) + a_len + b_len + 1);

    r->next = NULL;
    r->len = a_len + b_len;
    memcpy(r->line, a, a_len);
    memcpy(r->line + a_len, b, b_len);
    r->line[r->len] = '\0';
    return r;
}

static void store_usage_list_push(struct store_usage_list *l, struct store_usage_rec *r)
{
    if (l->tail != NULL) {
        l->tail->next = r;
    } else {
        l->head = r;
    }
    l->tail = r;
    l->count++;
}

static struct store_usage_rec *store_usage_list_pop(struct store_usage_list *l)
{
    struct store_usage_rec *r = l->head;

    if (r != NULL) {
        l->head = r->next;
        if (l->head == NULL) {
            l->tail = NULL;
        }
        l->count--;
        r->next = NULL;
    }
    return r;
}

/* Writes all of buf[0..len) to the journal. Returns 0 or -1 (logged). */
static int store_usage_journal_write(struct store_usage *u, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(u->journal_fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            log_error("write() to the journal %s failed: %s", u->opts->journal, strerror(errno));
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static off_t store_usage_journal_size(const struct store_usage *u)
{
    struct stat st;

    return fstat(u->journal_fd, &st) == 0 ? st.st_size : 0;
}

/* Takes one journal line into memory when it parses; a damaged line is skipped with a
 * warning. */
static void store_usage_take_line(struct store_usage *u, const char *line, size_t len)
{
    static struct store_record_view view;
    static char buf[STORE_RECORD_LINE_MAX + 2 * STORE_RECORD_FIELDS_MAX];
    size_t source_len;
    uint64_t seq;
    size_t id_len = 0;
    const char *id = NULL;

    if (store_record_parse(line, len, &view, buf, sizeof(buf)) > 0) {
        id = store_record_get(&view, "id", &id_len);
    }
    if (id == NULL || store_record_id_split(id, id_len, &source_len, &seq) < 0) {
        log_warn("journal %s: skipped a damaged record line", u->opts->journal);
        return;
    }
    store_usage_list_push(&u->queue, store_usage_rec_new(line, len, "", 0));
}

/* Reads journal lines past journal_read into memory while the queue has room. */
static void store_usage_refill(struct store_usage *u)
{
    static char chunk[STORE_USAGE_READ_CHUNK];

    while (u->spilled > 0 && u->queue.count < u->opts->queue_max) {
        ssize_t n = pread(u->journal_fd, chunk, sizeof(chunk), u->journal_read);
        if (n <= 0) {
            u->spilled = 0;
            return;
        }
        size_t used = 0;
        const char *nl;
        while (u->spilled > 0 && u->queue.count < u->opts->queue_max &&
               (nl = memchr(chunk + used, '\n', (size_t)n - used)) != NULL) {
            size_t len = (size_t)(nl - (chunk + used)) + 1;
            store_usage_take_line(u, chunk + used, len);
            used += len;
            u->spilled--;
        }
        if (used == 0) {
            /* A last line without its newline: a write cut short. */
            log_warn("journal %s: skipped an incomplete last line", u->opts->journal);
            u->journal_read += n;
            u->spilled = 0;
            return;
        }
        u->journal_read += (off_t)used;
    }
}

/* Counts the lines of a journal left by an earlier run: they are all waiting. */
static void store_usage_journal_scan(struct store_usage *u)
{
    static char chunk[STORE_USAGE_READ_CHUNK];
    off_t at = 0;
    ssize_t n;

    while ((n = pread(u->journal_fd, chunk, sizeof(chunk), at)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            u->spilled += chunk[i] == '\n';
        }
        at += n;
    }
    if (u->spilled > 0) {
        log_notice("journal %s: %llu usage records from an earlier run wait for Redis",
                   u->opts->journal, (unsigned long long)u->spilled);
        store_usage_count(&u->waiting, (int64_t)u->spilled);
    }
}

/* Empties the journal once nothing in it waits. */
static void store_usage_journal_trim(struct store_usage *u)
{
    if (u->journal_fd < 0 || u->queue.count > 0 || u->spilled > 0 || u->journal_read == 0) {
        return;
    }
    if (ftruncate(u->journal_fd, 0) < 0) {
        log_error("ftruncate() of the journal %s failed: %s", u->opts->journal, strerror(errno));
        return;
    }
    u->journal_read = 0;
}

/* Names the record, journals it, and queues it in memory when there is room. */
static void store_usage_admit(struct store_usage *u, struct store_usage_rec *in)
{
    char id[160];
    int n = snprintf(id, sizeof(id), "id=%s-%llu ", u->source, (unsigned long long)++u->seq);
    struct store_usage_rec *r = store_usage_rec_new(id, (size_t)n, in->line, in->len);
    bool room = u->queue.count < u->opts->queue_max && u->spilled == 0;

    xfree(&in);
    if (u->journal_fd >= 0 && store_usage_journal_write(u, r->line, r->len) == 0) {
        store_usage_count(&u->journaled, 1);
        if (!room) {
            u->spilled++;
            store_usage_count(&u->waiting, 1);
            xfree(&r);
            return;
        }
        u->journal_read = store_usage_journal_size(u);
    } else if (!room) {
        if (!u->warned_full) {
            log_warn("usage records dropped: %u wait for Redis and no journal is configured",
                     u->opts->queue_max);
            u->warned_full = true;
        }
        store_usage_count(&u->dropped, 1);
        xfree(&r);
        return;
    }
    store_usage_list_push(&u->queue, r);
    store_usage_count(&u->waiting, 1);
}

/* Takes in everything workers pushed. */
static void store_usage_drain(struct store_usage *u)
{
    struct store_usage_list in;

    (void)pthread_mutex_lock(&u->lock);
    in = u->inbox;
    memset(&u->inbox, 0, sizeof(u->inbox));
    (void)pthread_mutex_unlock(&u->lock);
    for (struct store_usage_rec *r = in.head, *next; r != NULL; r = next) {
        next = r->next;
        store_usage_admit(u, r);
    }
}

/* Every record in flight is sent again from the oldest. */
static void store_usage_rewind(struct store_usage *u)
{
    u->next_send = u->queue.head;
    u->in_flight = 0;
}

static void store_usage_send_more(struct store_usage *u);

static void store_usage_on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store_usage *u = privdata;
    const redisReply *r = reply;

    struct store_usage_rec *done;

    (void)ac;
    if (u->stale > 0) {
        u->stale--;
        return;
    }
    if (u->in_flight == 0) {
        return;
    }
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        if (r != NULL && !u->warned_refused) {
            /* Once until a record goes through: the same record is retried every second. */
            log_warn("usage stream: Redis refused a record (retrying every second): %s",
                     r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            u->warned_refused = true;
        }
        /* The replies of the records sent after this one no longer count: they go again. */
        u->stale = u->in_flight - 1;
        store_usage_rewind(u);
        return;
    }
    u->warned_refused = false;
    done = store_usage_list_pop(&u->queue);
    xfree(&done);
    u->in_flight--;
    store_usage_count(&u->sent, 1);
    store_usage_count(&u->waiting, -1);
    store_usage_refill(u);
    if (u->next_send == NULL && u->in_flight == 0) {
        u->next_send = u->queue.head;
    }
    store_usage_journal_trim(u);
    store_usage_send_more(u);
}

/* Sends one record. Returns 0, or -1 when it could not be sent now. */
static int store_usage_send(struct store_usage *u, const struct store_usage_rec *rec)
{
    static struct store_record_view view;
    static char buf[STORE_RECORD_LINE_MAX + 2 * STORE_RECORD_FIELDS_MAX];
    const char *argv[STORE_USAGE_ARGS_FIXED + 2 * STORE_RECORD_FIELDS_MAX];
    size_t argvlen[STORE_USAGE_ARGS_FIXED + 2 * STORE_RECORD_FIELDS_MAX];
    char seq[24];
    char maxlen[16];
    size_t id_len;
    size_t source_len;
    uint64_t n;
    int argc = 0;

    if (store_record_parse(rec->line, rec->len, &view, buf, sizeof(buf)) <= 0) {
        return -1;
    }
    const char *id = store_record_get(&view, "id", &id_len);
    if (id == NULL || store_record_id_split(id, id_len, &source_len, &n) < 0) {
        return -1;
    }
    (void)snprintf(seq, sizeof(seq), "%llu", (unsigned long long)n);
    (void)snprintf(maxlen, sizeof(maxlen), "%u", u->opts->usage_maxlen);
    const char *fixed[] = {"EVAL", store_usage_script, "2", u->stream_key, u->acked_key, id, seq,
                           maxlen};
    for (size_t i = 0; i < STORE_USAGE_ARGS_FIXED; i++) {
        argv[argc] = fixed[i];
        argvlen[argc++] = i == 5 ? source_len : strlen(fixed[i]);
    }
    for (size_t i = 0; i < view.count; i++) {
        argv[argc] = view.fields[i].key;
        argvlen[argc++] = view.fields[i].key_len;
        argv[argc] = view.fields[i].value;
        argvlen[argc++] = view.fields[i].value_len;
    }
    return store_link_command(u->link, store_usage_on_reply, u, argc, argv, argvlen);
}

static void store_usage_send_more(struct store_usage *u)
{
    if (u->link == NULL || !store_link_is_up(u->link) || u->opts->usage_maxlen == 0) {
        return;
    }
    if (u->next_send == NULL && u->in_flight == 0) {
        u->next_send = u->queue.head;
    }
    while (u->next_send != NULL && u->in_flight < STORE_USAGE_WINDOW) {
        if (store_usage_send(u, u->next_send) < 0) {
            return;
        }
        u->next_send = u->next_send->next;
        u->in_flight++;
    }
}

void store_usage_kick(struct store_usage *u, struct store_link *link)
{
    if (link != u->link || link == NULL || !store_link_is_up(link)) {
        store_usage_rewind(u);
    }
    u->link = link;
    if (link != NULL && store_link_is_up(link)) {
        u->warned_full = false;
    }
    store_usage_drain(u);
    store_usage_send_more(u);
}

static void store_usage_on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct store_usage *u = arg;

    (void)fd;
    (void)what;
    store_usage_drain(u);
    store_usage_send_more(u);
}

void store_usage_push(struct store_usage *u, const char *line, size_t len)
{
    struct store_usage_rec *r = store_usage_rec_new(line, len, "", 0);
    bool full;

    (void)pthread_mutex_lock(&u->lock);
    full = u->inbox.count >= STORE_USAGE_INBOX_MAX;
    if (!full) {
        store_usage_list_push(&u->inbox, r);
    }
    (void)pthread_mutex_unlock(&u->lock);
    if (full) {
        xfree(&r);
        store_usage_count(&u->dropped, 1);
        return;
    }
    event_active(u->wake, EV_READ, 0);
}

bool store_usage_pending(struct store_usage *u)
{
    store_usage_drain(u);
    return u->queue.count > 0 || u->spilled > 0;
}

void store_usage_figures(struct store_usage *u, uint64_t out[4])
{
    out[0] = __atomic_load_n(&u->sent, __ATOMIC_RELAXED);
    out[1] = __atomic_load_n(&u->waiting, __ATOMIC_RELAXED);
    out[2] = __atomic_load_n(&u->dropped, __ATOMIC_RELAXED);
    out[3] = __atomic_load_n(&u->journaled, __ATOMIC_RELAXED);
}

/* Names this process's records: the node id (or host name) and the start time in ms. */
static void store_usage_name_source(struct store_usage *u)
{
    char host[64] = "tern";
    struct timespec ts;

    if (u->opts->node_id == NULL && gethostname(host, sizeof(host) - 1) < 0) {
        (void)snprintf(host, sizeof(host), "tern");
    }
    host[sizeof(host) - 1] = '\0';
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    (void)snprintf(u->source, sizeof(u->source), "%s-%lld",
                   u->opts->node_id != NULL ? u->opts->node_id : host,
                   (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

struct store_usage *store_usage_new(struct event_base *base, const struct store_options *o,
                                    char err[STORE_USAGE_ERR_LEN])
{
    struct store_usage *u = xcalloc(1, sizeof(*u));

    u->opts = o;
    u->journal_fd = -1;
    (void)pthread_mutex_init(&u->lock, NULL);
    store_usage_name_source(u);
    (void)snprintf(u->stream_key, sizeof(u->stream_key), "%susage", o->key_prefix);
    (void)snprintf(u->acked_key, sizeof(u->acked_key), "%susage:acked", o->key_prefix);
    u->wake = event_new(base, -1, 0, store_usage_on_wake, u);
    if (u->wake == NULL) {
        (void)snprintf(err, STORE_USAGE_ERR_LEN, "event_new() for the usage sender failed");
        store_usage_free(u);
        return NULL;
    }
    if (o->journal != NULL) {
        u->journal_fd = open(o->journal, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (u->journal_fd < 0) {
            (void)snprintf(err, STORE_USAGE_ERR_LEN, "open() of redis.journal %s failed: %s",
                           o->journal, strerror(errno));
            store_usage_free(u);
            return NULL;
        }
        store_usage_journal_scan(u);
        store_usage_refill(u);
    }
    return u;
}

void store_usage_free(struct store_usage *u)
{
    if (u == NULL) {
        return;
    }
    if (u->wake != NULL) {
        store_usage_drain(u);
        event_free(u->wake);
    }
    if (u->queue.count > 0 || u->spilled > 0) {
        log_notice("%llu usage records not yet in Redis %s",
                   (unsigned long long)(u->queue.count + u->spilled),
                   u->journal_fd >= 0 ? "stay in the journal for the next start" : "are lost");
    }
    for (struct store_usage_rec *r; (r = store_usage_list_pop(&u->queue)) != NULL;) {
        xfree(&r);
    }
    if (u->journal_fd >= 0) {
        (void)fsync(u->journal_fd);
        (void)close(u->journal_fd);
    }
    (void)pthread_mutex_destroy(&u->lock);
    xfree(&u);
}
