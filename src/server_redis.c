/*
 * Redis in the composition root: the store's view of the shared secrets
 * and revocations is kept here and merged into every snapshot the workers
 * read (at start, on a change in Redis, on a reload, on a drain), so a
 * reload of the file never drops what Redis said, even while Redis is down.
 */
#define LOG_MODULE "server"
#include "server_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <string.h>

struct auth_store *server_redis_auth_new(const struct server *s, const struct auth_options *opts,
                                         char err[AUTH_STORE_ERR_LEN])
{
    /* Large (room for every user): a shallow copy on the heap, pointing into opts. */
    struct auth_options *merged = xmalloc(sizeof(*merged));
    struct auth_store *store;

    *merged = *opts;
    merged->secret_count = 0;
    for (size_t i = 0; i < s->redis.secret_count && merged->secret_count < AUTH_MAX_SECRETS; i++) {
        merged->secrets[merged->secret_count++] = s->redis.secrets[i];
    }
    for (size_t i = 0; i < opts->secret_count && merged->secret_count < AUTH_MAX_SECRETS; i++) {
        merged->secrets[merged->secret_count++] = opts->secrets[i];
    }
    store = auth_store_new(merged, err);
    xfree(&merged);
    if (store != NULL && s->redis.revoked != NULL) {
        auth_store_set_revoked(store, auth_revoked_copy(s->redis.revoked));
    }
    return store;
}

/* Replaces the kept view by c's. Takes ownership of c->revoked. */
static void server_redis_keep(struct server *s, const struct store_credentials *c)
{
    server_redis_fini(s);
    for (size_t i = 0; i < c->secret_count && i < STORE_SECRETS_MAX; i++) {
        s->redis.secrets[s->redis.secret_count++] = xstrdup(c->secrets[i]);
    }
    s->redis.revoked = c->revoked;
}

static void server_redis_job_revoke(struct net_worker *w, void *arg)
{
    (void)turn_worker_end_user(w->turn, arg, TURN_USAGE_REVOKED);
}

/* The store's hook: new shared secrets or revocations. A new snapshot goes to every worker;
 * then names newly revoked lose their live allocations on every worker. */
static void server_redis_on_credentials(void *ctx, const struct store_credentials *c)
{
    struct server *s = ctx;
    char err[SERVER_MSG_LEN];

    server_redis_keep(s, c);
    struct server_snapshot *snap = server_snapshot_new(s, &s->live->conf, err);
    if (snap == NULL) {
        log_error("credentials from Redis refused: %s", err);
    } else {
        server_snapshot_install(s, snap);
    }
    for (size_t i = 0; i < c->newly_revoked_count; i++) {
        log_notice("revoked %s: ending its allocations", c->newly_revoked[i]);
        for (unsigned w = 0; w < s->worker_count; w++) {
            (void)net_worker_call(s->workers[w], server_redis_job_revoke,
                                  (void *)c->newly_revoked[i]);
        }
    }
}

int server_redis_step(struct server *s)
{
    char err[STORE_ERR_LEN];
    struct store_hooks hooks = {.credentials = server_redis_on_credentials, .ctx = s};

    if (!s->conf->redis.enabled) {
        return 0;
    }
    s->store = store_new(s->control, &s->conf->redis, &hooks, err);
    if (s->store == NULL) {
        log_error("%s", err);
        return -1;
    }
    if (s->conf->redis.usage_maxlen > 0) {
        s->sinks.line = store_usage_record;
        s->sinks.line_ctx = s->store;
    }
    return 0;
}

void server_redis_fini(struct server *s)
{
    for (size_t i = 0; i < s->redis.secret_count; i++) {
        explicit_bzero(s->redis.secrets[i], strlen(s->redis.secrets[i]));
        xfree(&s->redis.secrets[i]);
    }
    s->redis.secret_count = 0;
    auth_revoked_free(s->redis.revoked);
    s->redis.revoked = NULL;
}
