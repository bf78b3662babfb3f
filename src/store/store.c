#define LOG_MODULE "redis"
#include "store/store.h"

#include "store/store_link.h"
#include "store/store_usage.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The store's own tick: the periodic refresh and the usage sender's retries. */
#define STORE_TICK_MS 1000u

struct store {
    const struct store_options *opts;
    struct event_base *base;
    struct store_hooks hooks;
    struct store_link *cmd; /* commands */
    struct store_link *sub; /* the subscription to <prefix>events */
    struct store_usage *usage;
    struct event *tick;
    uint64_t last_load_ms;
    bool loading;
    bool reload_again; /* a change was announced while a load was under way */
    bool up;           /* as last logged */
    bool down_logged;  /* the current outage was logged */
    /* The last view handed to the hook. */
    char *secrets[STORE_SECRETS_MAX];
    size_t secret_count;
    bool have_view;
    struct auth_revoked *revoked; /* a copy of the last set, for the differences */
    /* The secrets of a load under way, between its two replies. */
    char *loaded[STORE_SECRETS_MAX];
    size_t loaded_count;
    bool loaded_ok;
    char key_secrets[96];
    char key_revoked[96];
    char channel[96];
    /* Figures, relaxed atomics. */
    bool fig_up;
    uint64_t connects;
    uint64_t reloads;
};

static void store_load(struct store *s);

static void store_strings_free(char **list, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        explicit_bzero(list[i], strlen(list[i]));
        xfree(&list[i]);
    }
    *n = 0;
}

/* Logs the state once per change: up when both connections are, else down (one line for a
 * lost connection, or one for a Redis never reached, whichever link noticed first). */
static void store_update_state(struct store *s, const char *why)
{
    bool up = store_link_is_up(s->cmd) && store_link_is_up(s->sub);

    if (up && !s->up) {
        log_notice("connected to %s: shared secrets, revocations and usage stream in use",
                   store_link_where(s->cmd));
        (void)__atomic_add_fetch(&s->connects, 1, __ATOMIC_RELAXED);
        s->down_logged = false;
    } else if (!up && !s->down_logged && why != NULL) {
        if (s->up) {
            log_warn("connection to %s lost (%s): serving with the last secrets; reconnecting",
                     store_link_where(s->cmd), why);
        } else {
            log_warn("%s is down (%s): serving with the %s secrets; retrying",
                     store_link_where(s->cmd), why, s->have_view ? "last" : "configuration file's");
        }
        s->down_logged = true;
    }
    s->up = up;
    __atomic_store_n(&s->fig_up, up, __ATOMIC_RELAXED);
}

/* True when the new secrets differ from the last view's. */
static bool store_secrets_changed(const struct store *s)
{
    if (!s->have_view || s->loaded_count != s->secret_count) {
        return true;
    }
    for (size_t i = 0; i < s->loaded_count; i++) {
        if (strcmp(s->loaded[i], s->secrets[i]) != 0) {
            return true;
        }
    }
    return false;
}

/* Reads the ZRANGE ... WITHSCORES reply of the revocations into a sealed set. */
static struct auth_revoked *store_revoked_from(const redisReply *r)
{
    struct auth_revoked *set = auth_revoked_new();

    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *name = r->element[i];
        const redisReply *score = r->element[i + 1];
        if (name->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING) {
            continue;
        }
        double until = strtod(score->str, NULL);
        int64_t until_s = until >= 9.2e18 ? INT64_MAX : (int64_t)until;
        (void)auth_revoked_add(set, name->str, name->len, until_s);
    }
    auth_revoked_seal(set);
    return set;
}

/* The names of next that the last view did not refuse: their allocations end now. */
static size_t store_revoked_new_names(const struct store *s, const struct auth_revoked *next,
                                      const char **out, size_t cap)
{
    int64_t now_s = clock_wall_s();
    size_t n = 0;

    for (size_t i = 0; i < auth_revoked_count(next) && n < cap; i++) {
        int64_t until_s;
        const char *name = auth_revoked_name(next, i, &until_s);
        if (until_s > now_s && !auth_revoked_holds(s->revoked, name, strlen(name), now_s)) {
            out[n++] = name;
        }
    }
    return n;
}

/* True when the two sets hold the same names and moments. */
static bool store_revoked_equal(const struct auth_revoked *a, const struct auth_revoked *b)
{
    if (auth_revoked_count(a) != auth_revoked_count(b)) {
        return false;
    }
    for (size_t i = 0; i < auth_revoked_count(a); i++) {
        int64_t ua;
        int64_t ub;
        if (strcmp(auth_revoked_name(a, i, &ua), auth_revoked_name(b, i, &ub)) != 0 || ua != ub) {
            return false;
        }
    }
    return true;
}

/* Hands the hook the loaded view when it differs from the last one. */
static void store_publish(struct store *s, struct auth_revoked *next)
{
    static const char *fresh[1024];
    struct store_credentials view;

    if (!store_secrets_changed(s) && s->revoked != NULL && store_revoked_equal(s->revoked, next)) {
        auth_revoked_free(next);
        store_strings_free(s->loaded, &s->loaded_count);
        return;
    }
    view.secrets = (const char *const *)s->loaded;
    view.secret_count = s->loaded_count;
    view.newly_revoked = fresh;
    view.newly_revoked_count = store_revoked_new_names(s, next, fresh, 1024);
    struct auth_revoked *copy = auth_revoked_copy(next);
    view.revoked = next;
    log_info("credentials from Redis: %zu secrets, %zu revoked names (%zu new)", s->loaded_count,
             auth_revoked_count(copy), view.newly_revoked_count);
    s->hooks.credentials(s->hooks.ctx, &view);
    (void)__atomic_add_fetch(&s->reloads, 1, __ATOMIC_RELAXED);
    auth_revoked_free(s->revoked);
    s->revoked = copy;
    store_strings_free(s->secrets, &s->secret_count);
    memcpy(s->secrets, s->loaded, sizeof(s->loaded));
    s->secret_count = s->loaded_count;
    s->loaded_count = 0;
    s->have_view = true;
}

static void store_on_secrets(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store *s = privdata;
    const redisReply *r = reply;

    (void)ac;
    store_strings_free(s->loaded, &s->loaded_count);
    s->loaded_ok = r != NULL && r->type == REDIS_REPLY_ARRAY;
    if (!s->loaded_ok) {
        if (r != NULL && r->type == REDIS_REPLY_ERROR) {
            log_warn("reading %s failed: %s", s->key_secrets, r->str);
        }
        return;
    }
    /* ZREVRANGE: newest first. */
    for (size_t i = 0; i < r->elements && s->loaded_count < STORE_SECRETS_MAX; i++) {
        const redisReply *e = r->element[i];
        if (e->type == REDIS_REPLY_STRING && e->len > 0 && strlen(e->str) == e->len) {
            s->loaded[s->loaded_count++] = xstrdup(e->str);
        }
    }
}

static void store_on_revoked(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store *s = privdata;
    const redisReply *r = reply;

    (void)ac;
    s->loading = false;
    if (!s->loaded_ok || r == NULL || r->type != REDIS_REPLY_ARRAY) {
        if (r != NULL && r->type == REDIS_REPLY_ERROR) {
            log_warn("reading %s failed: %s", s->key_revoked, r->str);
        }
        store_strings_free(s->loaded, &s->loaded_count);
        return;
    }
    store_publish(s, store_revoked_from(r));
    if (s->reload_again) {
        s->reload_again = false;
        store_load(s);
    }
}

/* Reads both sets; the view is published once the second reply is in. */
static void store_load(struct store *s)
{
    char now[32];
    const char *secrets[] = {"ZREVRANGE", s->key_secrets, "0", "-1"};
    const char *revoked[] = {"ZRANGEBYSCORE", s->key_revoked, now, "+inf", "WITHSCORES"};

    if (s->loading) {
        s->reload_again = true;
        return;
    }
    (void)snprintf(now, sizeof(now), "(%lld", (long long)clock_wall_s());
    if (store_link_command(s->cmd, store_on_secrets, s, 4, secrets, NULL) < 0) {
        return;
    }
    if (store_link_command(s->cmd, store_on_revoked, s, 5, revoked, NULL) < 0) {
        return;
    }
    s->loading = true;
    s->last_load_ms = clock_now_ms();
}

static void store_on_event(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct store *s = privdata;
    const redisReply *r = reply;

    (void)ac;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING) {
        return;
    }
    if (strcmp(r->element[0]->str, "message") == 0) {
        log_info("event on %s: %.*s", s->channel, (int)r->element[2]->len,
                 r->element[2]->type == REDIS_REPLY_STRING ? r->element[2]->str : "");
        store_load(s);
    }
}

static void store_on_up(void *ctx, struct store_link *l)
{
    struct store *s = ctx;

    if (l == s->sub) {
        (void)store_link_subscribe(l, store_on_event, s, s->channel);
    } else {
        s->loading = false;
        store_load(s);
    }
    store_usage_kick(s->usage, s->cmd);
    store_update_state(s, NULL);
}

static void store_on_down(void *ctx, const struct store_link *l, const char *why)
{
    struct store *s = ctx;

    if (l == s->cmd) {
        s->loading = false;
        store_usage_kick(s->usage, NULL);
    }
    store_update_state(s, why);
}

static void store_on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct store *s = arg;

    (void)fd;
    (void)what;
    if (store_link_is_up(s->cmd) &&
        clock_now_ms() - s->last_load_ms >= (uint64_t)s->opts->refresh_s * 1000) {
        store_load(s);
    }
    store_usage_kick(s->usage, store_link_is_up(s->cmd) ? s->cmd : NULL);
}

struct store *store_new(struct event_base *base, const struct store_options *o,
                        const struct store_hooks *hooks, char err[STORE_ERR_LEN])
{
    struct store *s = xcalloc(1, sizeof(*s));
    struct store_link_ops ops = {.up = store_on_up, .down = store_on_down, .ctx = s};
    struct timeval tv = {.tv_sec = STORE_TICK_MS / 1000, .tv_usec = 0};
    char usage_err[STORE_USAGE_ERR_LEN];

    s->opts = o;
    s->base = base;
    s->hooks = *hooks;
    (void)snprintf(s->key_secrets, sizeof(s->key_secrets), "%ssecrets", o->key_prefix);
    (void)snprintf(s->key_revoked, sizeof(s->key_revoked), "%srevoked", o->key_prefix);
    (void)snprintf(s->channel, sizeof(s->channel), "%sevents", o->key_prefix);
    s->usage = store_usage_new(base, o, usage_err);
    if (s->usage == NULL) {
        (void)snprintf(err, STORE_ERR_LEN, "%s", usage_err);
        store_free(s);
        return NULL;
    }
    s->cmd = store_link_new(base, o, &ops);
    s->sub = store_link_new(base, o, &ops);
    s->tick = event_new(base, -1, EV_PERSIST, store_on_tick, s);
    if (s->tick == NULL || event_add(s->tick, &tv) < 0) {
        (void)snprintf(err, STORE_ERR_LEN, "event_new() for the Redis store failed");
        store_free(s);
        return NULL;
    }
    return s;
}

void store_start(struct store *s)
{
    log_info("connecting to Redis at %s", store_link_where(s->cmd));
    store_link_start(s->cmd);
    store_link_start(s->sub);
}

void store_usage_record(void *ctx, const char *line, size_t len)
{
    struct store *s = ctx;

    store_usage_push(s->usage, line, len);
}

void store_figures_read(const struct store *s, struct store_figures *out)
{
    uint64_t u[4];

    memset(out, 0, sizeof(*out));
    out->up = __atomic_load_n(&s->fig_up, __ATOMIC_RELAXED);
    out->connects = __atomic_load_n(&s->connects, __ATOMIC_RELAXED);
    out->reloads = __atomic_load_n(&s->reloads, __ATOMIC_RELAXED);
    store_usage_figures(s->usage, u);
    out->usage_sent = u[0];
    out->usage_queued = u[1];
    out->usage_dropped = u[2];
    out->usage_journaled = u[3];
}

void store_flush(struct store *s, unsigned timeout_ms)
{
    uint64_t end_ms = clock_now_ms() + timeout_ms;
    struct timeval step = {.tv_sec = 0, .tv_usec = 50000};

    if (s == NULL) {
        return;
    }
    store_usage_kick(s->usage, store_link_is_up(s->cmd) ? s->cmd : NULL);
    while (store_usage_pending(s->usage) && store_link_is_up(s->cmd) && clock_now_ms() < end_ms) {
        (void)event_base_loopexit(s->base, &step);
        (void)event_base_dispatch(s->base);
    }
}

void store_free(struct store *s)
{
    if (s == NULL) {
        return;
    }
    if (s->tick != NULL) {
        event_free(s->tick);
    }
    store_link_free(s->sub);
    store_link_free(s->cmd);
    store_usage_free(s->usage);
    store_strings_free(s->secrets, &s->secret_count);
    store_strings_free(s->loaded, &s->loaded_count);
    auth_revoked_free(s->revoked);
    xfree(&s);
}
