#define LOG_MODULE "redis"
#include "store/store_link.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

#define STORE_LINK_BACKOFF_MIN_MS 100u
#define STORE_LINK_BACKOFF_MAX_MS 10000u
/* How often the watchdog looks at unanswered commands and idle links. */
#define STORE_LINK_TICK_MS 250u
/* An idle link is probed with PING this often. */
#define STORE_LINK_PING_MS 1000u

struct store_link {
    const struct store_options *opts;
    struct store_link_ops ops;
    struct event_base *base;
    redisAsyncContext *ac; /* NULL while waiting to reconnect */
    bool up;
    bool closing;
    unsigned attempts;    /* failed attempts since the last up */
    uint64_t started_ms;  /* when the current attempt began */
    uint64_t progress_ms; /* the last reply, or when the first pending command was sent */
    uint64_t pending;     /* commands sent and not answered */
    struct event *retry;
    struct event *tick;
    char where[128];
};

/* What a command's reply goes through: the timeout bookkeeping, then the caller's callback. */
struct store_link_call {
    struct store_link *link;
    redisCallbackFn *fn;
    void *privdata;
};

static void store_link_connect(struct store_link *l);

static struct timeval store_link_tv(unsigned ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000};

    return tv;
}

/* Schedules the next attempt after the backoff. */
static void store_link_schedule(struct store_link *l)
{
    unsigned shift = l->attempts < 7 ? l->attempts : 7;
    unsigned ms = STORE_LINK_BACKOFF_MIN_MS << shift;
    struct timeval tv;

    if (ms > STORE_LINK_BACKOFF_MAX_MS) {
        ms = STORE_LINK_BACKOFF_MAX_MS;
    }
    l->attempts++;
    tv = store_link_tv(ms);
    (void)event_add(l->retry, &tv);
}

/* The connection is gone (already released by hiredis or by us): report and retry. */
static void store_link_lost(struct store_link *l, const char *why)
{
    bool was_up = l->up;

    l->ac = NULL;
    l->up = false;
    l->pending = 0;
    if (l->closing) {
        return;
    }
    store_link_schedule(l);
    if (was_up || l->attempts == 1) {
        l->ops.down(l->ops.ctx, l, why);
    }
}

/* Drops the live connection ourselves (timeout, refused handshake). */
static void store_link_drop(struct store_link *l, const char *why)
{
    redisAsyncContext *ac = l->ac;

    if (ac == NULL) {
        return;
    }
    /* The disconnect callback sees data NULL and leaves the bookkeeping to us. */
    ac->data = NULL;
    l->ac = NULL;
    redisAsyncFree(ac);
    store_link_lost(l, why);
}

static void store_link_on_disconnect(const redisAsyncContext *ac, int status)
{
    struct store_link *l = ac->data;

    if (l == NULL || l->ac != ac) {
        return;
    }
    char why[128];
    (void)snprintf(why, sizeof(why), "%s",
                   status == REDIS_OK ? "closed" : (ac->errstr[0] ? ac->errstr : "error"));
    store_link_lost(l, why);
}

static void store_link_on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store_link_call *call = privdata;
    struct store_link *l = call->link;

    if (l != NULL && l->ac == ac && l->pending > 0) {
        l->pending--;
        l->progress_ms = clock_now_ms();
    }
    if (call->fn != NULL) {
        call->fn(ac, reply, call->privdata);
    }
    xfree(&call);
}

/* Sends a command on the connection, whether or not it is up yet (the handshake uses it). */
static int store_link_send(struct store_link *l, redisCallbackFn *fn, void *privdata, int argc,
                           const char **argv, const size_t *argvlen)
{
    struct store_link_call *call = xmalloc(sizeof(*call));

    call->link = l;
    call->fn = fn;
    call->privdata = privdata;
    if (redisAsyncCommandArgv(l->ac, store_link_on_reply, call, argc, argv, argvlen) != REDIS_OK) {
        xfree(&call);
        return -1;
    }
    if (l->pending++ == 0) {
        l->progress_ms = clock_now_ms();
    }
    return 0;
}

/* A handshake reply (AUTH, SELECT): an error drops the connection. A reply is never NULL but
 * from the live connection: a dropped one calls back with NULL. */
static void store_link_on_step(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store_link *l = privdata;
    const redisReply *r = reply;
    char why[160];

    (void)ac;
    if (r == NULL || l->ac == NULL || r->type != REDIS_REPLY_ERROR) {
        return;
    }
    (void)snprintf(why, sizeof(why), "refused: %s", r->str);
    store_link_drop(l, why);
}

/* The PING that ends the handshake: the link is up. */
static void store_link_on_ready(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store_link *l = privdata;
    const redisReply *r = reply;

    (void)ac;
    if (r == NULL || l->ac == NULL) {
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        char why[160];
        (void)snprintf(why, sizeof(why), "refused: %s", r->str);
        store_link_drop(l, why);
        return;
    }
    l->up = true;
    l->attempts = 0;
    l->ops.up(l->ops.ctx, l);
}

static void store_link_handshake(struct store_link *l)
{
    const char *ping[] = {"PING"};

    if (l->opts->password != NULL) {
        const char *auth[] = {"AUTH", l->opts->password};
        (void)store_link_send(l, store_link_on_step, l, 2, auth, NULL);
    }
    if (l->opts->db != 0) {
        char db[16];
        const char *select[] = {"SELECT", db};
        (void)snprintf(db, sizeof(db), "%u", l->opts->db);
        (void)store_link_send(l, store_link_on_step, l, 2, select, NULL);
    }
    (void)store_link_send(l, store_link_on_ready, l, 1, ping, NULL);
}

static void store_link_on_connect(const redisAsyncContext *ac, int status)
{
    struct store_link *l = ac->data;

    if (l == NULL || l->ac != ac) {
        return;
    }
    if (status != REDIS_OK) {
        char why[128];
        /* hiredis releases the context after this callback. */
        (void)snprintf(why, sizeof(why), "%s", ac->errstr[0] ? ac->errstr : "connect failed");
        store_link_lost(l, why);
        return;
    }
    store_link_handshake(l);
}

static void store_link_connect(struct store_link *l)
{
    const struct store_options *o = l->opts;
    redisAsyncContext *ac =
        o->socket != NULL ? redisAsyncConnectUnix(o->socket) : redisAsyncConnect(o->host, o->port);

    if (ac == NULL) {
        store_link_lost(l, "out of memory");
        return;
    }
    if (ac->err) {
        char why[128];
        (void)snprintf(why, sizeof(why), "%s", ac->errstr);
        redisAsyncFree(ac);
        store_link_lost(l, why);
        return;
    }
    ac->data = l;
    l->ac = ac;
    l->started_ms = clock_now_ms();
    l->pending = 0;
    if (redisLibeventAttach(ac, l->base) != REDIS_OK) {
        store_link_drop(l, "cannot attach to the event loop");
        return;
    }
    (void)redisAsyncSetConnectCallback(ac, store_link_on_connect);
    (void)redisAsyncSetDisconnectCallback(ac, store_link_on_disconnect);
}

static void store_link_on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    store_link_connect(arg);
}

static void store_link_on_ping(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    (void)reply;
    (void)privdata;
}

/* The watchdog: an attempt that takes too long, or a command left unanswered, drops the
 * connection; an idle link is probed. */
static void store_link_on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct store_link *l = arg;
    uint64_t now = clock_now_ms();
    char why[96];

    (void)fd;
    (void)what;
    if (l->ac == NULL) {
        return;
    }
    if (!l->up && now - l->started_ms > l->opts->connect_timeout_ms) {
        (void)snprintf(why, sizeof(why), "no connection within %u ms", l->opts->connect_timeout_ms);
        store_link_drop(l, why);
    } else if (l->pending > 0 && now - l->progress_ms > l->opts->command_timeout_ms) {
        (void)snprintf(why, sizeof(why), "no reply within %u ms", l->opts->command_timeout_ms);
        store_link_drop(l, why);
    } else if (l->up && l->pending == 0 && !(l->ac->c.flags & REDIS_SUBSCRIBED) &&
               now - l->progress_ms > STORE_LINK_PING_MS) {
        const char *ping[] = {"PING"};
        (void)store_link_send(l, store_link_on_ping, NULL, 1, ping, NULL);
    }
}

struct store_link *store_link_new(struct event_base *base, const struct store_options *o,
                                  const struct store_link_ops *ops)
{
    struct store_link *l = xcalloc(1, sizeof(*l));
    struct timeval tick = store_link_tv(STORE_LINK_TICK_MS);

    l->opts = o;
    l->ops = *ops;
    l->base = base;
    l->retry = evtimer_new(base, store_link_on_retry, l);
    l->tick = event_new(base, -1, EV_PERSIST, store_link_on_tick, l);
    if (l->retry == NULL || l->tick == NULL) {
        log_error("event_new() for the Redis link failed");
    } else {
        (void)event_add(l->tick, &tick);
    }
    if (o->socket != NULL) {
        (void)snprintf(l->where, sizeof(l->where), "%s", o->socket);
    } else {
        (void)snprintf(l->where, sizeof(l->where), strchr(o->host, ':') ? "[%s]:%u" : "%s:%u",
                       o->host, (unsigned)o->port);
    }
    return l;
}

void store_link_start(struct store_link *l)
{
    if (l->retry != NULL) {
        store_link_connect(l);
    }
}

bool store_link_is_up(const struct store_link *l)
{
    return l->up;
}

int store_link_command(struct store_link *l, redisCallbackFn *fn, void *privdata, int argc,
                       const char **argv, const size_t *argvlen)
{
    if (!l->up || l->ac == NULL) {
        return -1;
    }
    return store_link_send(l, fn, privdata, argc, argv, argvlen);
}

int store_link_subscribe(struct store_link *l, redisCallbackFn *fn, void *privdata,
                         const char *channel)
{
    const char *argv[] = {"SUBSCRIBE", channel};

    if (!l->up || l->ac == NULL) {
        return -1;
    }
    return redisAsyncCommandArgv(l->ac, fn, privdata, 2, argv, NULL) == REDIS_OK ? 0 : -1;
}

const char *store_link_where(const struct store_link *l)
{
    return l->where;
}

void store_link_free(struct store_link *l)
{
    if (l == NULL) {
        return;
    }
    l->closing = true;
    store_link_drop(l, "stopping");
    if (l->retry != NULL) {
        event_free(l->retry);
    }
    if (l->tick != NULL) {
        event_free(l->tick);
    }
    xfree(&l);
}
