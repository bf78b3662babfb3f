#include "turn/turn_worker.h"

#include "turn/turn_error.h"
#include "turn/turn_policy.h"
#include "turn/turn_worker_state.h"
#include "util/xalloc.h"

#include <string.h>

_Static_assert(TURN_FAIL_COUNT <= TURN_FAIL_SLOTS, "allocations_refused_by has a slot per failure");

const uint64_t turn_worker_duration_bounds_s[TURN_DURATION_BUCKETS] = {
    10, 60, 300, 600, 1800, 3600, 7200, 21600, 86400,
};

const uint64_t turn_worker_bytes_bounds[TURN_BYTES_BUCKETS] = {
    1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
};

/* Fills the rate limiter from the configuration in force. */
static void turn_worker_ratelimit_init(struct turn_worker *w)
{
    const struct turn_options *opts = w->cfg.turn;

    turn_ratelimit_init(w->ratelimit, opts->unauth_rate, opts->unauth_burst, w->cfg.seed);
}

struct turn_worker *turn_worker_new(const struct turn_worker_config *cfg,
                                    const struct turn_io_ops *ops, void *io_ctx)
{
    struct turn_worker *w = xcalloc_aligned(COUNTER_LINE, sizeof(*w));

    w->cfg = *cfg;
    w->ops = ops;
    w->io_ctx = io_ctx;
    w->txid_state = ((uint64_t)cfg->seed << 32) ^ 0x5deece66dull;
    turn_table_init(&w->table, cfg->seed);
    w->alloc_pool = xcalloc(1, sizeof(*w->alloc_pool));
    turn_pool_init(w->alloc_pool, sizeof(struct turn_alloc));
    w->ratelimit = xcalloc(1, sizeof(*w->ratelimit));
    turn_worker_ratelimit_init(w);
    return w;
}

void turn_worker_discard(struct turn_worker *w, struct turn_alloc *a)
{
    for (size_t i = 0; i < a->relay_count; i++) {
        w->ops->relay_close(w->io_ctx, &a->relays[i]);
    }
    a->relay_count = 0;
    if (a->quota_held) {
        w->ops->quota_release(w->io_ctx, a->username, &a->client);
        a->quota_held = false;
    }
    turn_alloc_free(a);
}

void turn_worker_clock(struct turn_worker *w, uint64_t now_ms, int64_t now_s)
{
    if (now_ms > w->now_ms) {
        w->now_ms = now_ms;
    }
    if (now_s > w->now_s) {
        w->now_s = now_s;
    }
}

/* The index of the first bound at or above v, or n (the +Inf bucket). */
static size_t turn_worker_bucket(const uint64_t *bounds, size_t n, uint64_t v)
{
    size_t i = 0;

    while (i < n && v > bounds[i]) {
        i++;
    }
    return i;
}

/* The family slot of the relay gauges. */
static size_t turn_worker_family_slot(const struct turn_relay *r)
{
    return r->bound.family == AF_INET6 ? 1 : 0;
}

void turn_worker_count_active(struct turn_worker *w, const struct turn_alloc *a)
{
    size_t t = (size_t)a->transport < TURN_TRANSPORTS ? (size_t)a->transport : 0;

    for (size_t i = 0; i < a->relay_count; i++) {
        TURN_COUNT(w, relays_active[t][turn_worker_family_slot(&a->relays[i])]);
    }
}

/* Takes a out of the gauges and into the histograms, and hands its usage record over. */
static void turn_worker_account_end(struct turn_worker *w, const struct turn_alloc *a,
                                    enum turn_usage_reason reason)
{
    size_t t = (size_t)a->transport < TURN_TRANSPORTS ? (size_t)a->transport : 0;
    uint64_t age_s = w->now_ms > a->stats.start_ms ? (w->now_ms - a->stats.start_ms) / 1000 : 0;
    uint64_t bytes = a->stats.bytes_to_peer + a->stats.bytes_to_client;

    for (size_t i = 0; i < a->relay_count; i++) {
        TURN_COUNT_SUB(w, relays_active[t][turn_worker_family_slot(&a->relays[i])], 1);
    }
    TURN_COUNT(w, allocations_ended[reason]);
    TURN_COUNT(w, duration_buckets[turn_worker_bucket(turn_worker_duration_bounds_s,
                                                      TURN_DURATION_BUCKETS, age_s)]);
    TURN_COUNT_ADD(w, duration_sum_s, age_s);
    TURN_COUNT(
        w, bytes_buckets[turn_worker_bucket(turn_worker_bytes_bounds, TURN_BYTES_BUCKETS, bytes)]);
    TURN_COUNT_ADD(w, bytes_sum, bytes);
    if (w->ops->usage_record != NULL) {
        struct turn_usage rec;
        turn_alloc_usage(a, auth_store_realm(w->cfg.auth), w->now_s, reason, &rec);
        w->ops->usage_record(w->io_ctx, &rec);
    }
}

void turn_worker_end(struct turn_worker *w, struct turn_alloc *a, enum turn_usage_reason reason)
{
    turn_table_remove(&w->table, a);
    TURN_COUNT_STORE(w, allocations_active, w->table.count);
    turn_worker_account_end(w, a, reason);
    turn_worker_discard(w, a);
}

/* Visitor of turn_worker_free(). */
static void turn_worker_end_one(struct turn_alloc *a, void *ctx)
{
    turn_worker_end(ctx, a, TURN_USAGE_SHUTDOWN);
}

void turn_worker_free(struct turn_worker *w)
{
    if (w == NULL) {
        return;
    }
    turn_table_foreach(&w->table, turn_worker_end_one, w);
    turn_table_fini(&w->table);
    turn_pool_fini(w->alloc_pool);
    xfree(&w->alloc_pool);
    xfree(&w->ratelimit);
    xfree(&w);
}

void turn_worker_set_config(struct turn_worker *w, const struct turn_worker_config *cfg)
{
    const struct turn_options *old = w->cfg.turn;
    bool rate_changed =
        old->unauth_rate != cfg->turn->unauth_rate || old->unauth_burst != cfg->turn->unauth_burst;
    uint32_t seed = w->cfg.seed;

    w->cfg = *cfg;
    /* The table's hash seed cannot change under live allocations. */
    w->cfg.seed = seed;
    if (rate_changed) {
        turn_worker_ratelimit_init(w);
    }
}

struct turn_worker_sweep {
    struct turn_worker *w;
    uint64_t now_ms;
};

/* Ends a when its time-to-expiry has run out (RFC 8656 section 7: "the allocation expires"
 * once it reaches zero), else drops its expired permissions and channels. */
static void turn_worker_sweep_one(struct turn_alloc *a, void *ctx)
{
    struct turn_worker_sweep *s = ctx;

    if (s->now_ms >= a->expires_ms) {
        TURN_COUNT(s->w, allocations_expired);
        turn_worker_end(s->w, a, TURN_USAGE_EXPIRED);
        return;
    }
    (void)turn_perm_expire(&a->perms, s->now_ms);
    (void)turn_channel_expire(&a->channels, s->now_ms);
}

void turn_worker_expire(struct turn_worker *w, uint64_t now_ms, int64_t now_s)
{
    struct turn_worker_sweep s = {w, now_ms};

    turn_worker_clock(w, now_ms, now_s);
    turn_table_foreach(&w->table, turn_worker_sweep_one, &s);
}

void turn_worker_conn_closed(struct turn_worker *w, void *conn)
{
    struct turn_alloc *a;

    /* Over TCP or TLS the connection is part of the allocation's 5-tuple (RFC 8656 section
     * 2.2): once it is gone no request can reach the allocation again, so it ends now rather
     * than at its expiry. */
    while ((a = turn_table_find_conn(&w->table, conn)) != NULL) {
        TURN_COUNT(w, allocations_deleted);
        turn_worker_end(w, a, TURN_USAGE_CLOSED);
    }
}

/* True when username names user: the whole username, or the user part of "<expiry>:<user>". */
static bool turn_worker_user_matches(const char *username, const char *user)
{
    const char *colon = strchr(username, ':');

    if (strcmp(username, user) == 0) {
        return true;
    }
    return colon != NULL && strcmp(colon + 1, user) == 0;
}

struct turn_worker_ender {
    struct turn_worker *w;
    const char *user;         /* or NULL */
    const struct addr *relay; /* or NULL */
    enum turn_usage_reason reason;
    size_t ended;
};

/* True when a relay of a is advertised at relay. */
static bool turn_worker_relay_matches(const struct turn_alloc *a, const struct addr *relay)
{
    for (size_t i = 0; i < a->relay_count; i++) {
        if (addr_equal(&a->relays[i].advertised, relay)) {
            return true;
        }
    }
    return false;
}

/* Visitor of turn_worker_end_user() and turn_worker_end_relay(). */
static void turn_worker_end_match(struct turn_alloc *a, void *ctx)
{
    struct turn_worker_ender *e = ctx;

    if ((e->user != NULL && turn_worker_user_matches(a->username, e->user)) ||
        (e->relay != NULL && turn_worker_relay_matches(a, e->relay))) {
        TURN_COUNT(e->w, allocations_deleted);
        turn_worker_end(e->w, a, e->reason);
        e->ended++;
    }
}

size_t turn_worker_end_user(struct turn_worker *w, const char *user, enum turn_usage_reason reason)
{
    struct turn_worker_ender e = {.w = w, .user = user, .reason = reason};

    turn_table_foreach(&w->table, turn_worker_end_match, &e);
    return e.ended;
}

size_t turn_worker_end_relay(struct turn_worker *w, const struct addr *relay,
                             enum turn_usage_reason reason)
{
    struct turn_worker_ender e = {.w = w, .relay = relay, .reason = reason};

    turn_table_foreach(&w->table, turn_worker_end_match, &e);
    return e.ended;
}

const struct turn_counters *turn_worker_counters(const struct turn_worker *w)
{
    return &w->counters;
}

size_t turn_worker_alloc_count(const struct turn_worker *w)
{
    return w->table.count;
}

struct turn_worker_topper {
    struct turn_worker_top_entry *out;
    size_t cap;
    size_t n;
};

/* Fills e from a. */
static void turn_worker_top_fill(struct turn_worker_top_entry *e, const struct turn_alloc *a)
{
    size_t len = strnlen(a->username, sizeof(e->username) - 1);

    memcpy(e->username, a->username, len);
    e->username[len] = '\0';
    e->client = a->client;
    memset(&e->relay, 0, sizeof(e->relay));
    if (a->relay_count > 0) {
        e->relay = a->relays[0].advertised;
    }
    e->bytes_to_peer = a->stats.bytes_to_peer;
    e->bytes_to_client = a->stats.bytes_to_client;
    e->start_s = a->stats.start_s;
    e->transport = (uint8_t)a->transport;
}

static uint64_t turn_worker_top_bytes(const struct turn_worker_top_entry *e)
{
    return e->bytes_to_peer + e->bytes_to_client;
}

/* Visitor of turn_worker_top(): insertion into the sorted list of the largest (n is small). */
static void turn_worker_top_one(struct turn_alloc *a, void *ctx)
{
    struct turn_worker_topper *t = ctx;
    uint64_t bytes = a->stats.bytes_to_peer + a->stats.bytes_to_client;
    size_t i = t->n;

    if (t->n == t->cap && (t->cap == 0 || bytes <= turn_worker_top_bytes(&t->out[t->n - 1]))) {
        return;
    }
    if (t->n < t->cap) {
        t->n++;
    } else {
        i = t->n - 1;
    }
    while (i > 0 && turn_worker_top_bytes(&t->out[i - 1]) < bytes) {
        t->out[i] = t->out[i - 1];
        i--;
    }
    turn_worker_top_fill(&t->out[i], a);
}

size_t turn_worker_top(const struct turn_worker *w, struct turn_worker_top_entry *out, size_t n)
{
    struct turn_worker_topper t = {out, n, 0};

    /* The table's walk takes a mutable table; it changes nothing. */
    turn_table_foreach((struct turn_table *)&w->table, turn_worker_top_one, &t);
    return t.n;
}

void turn_worker_txid(struct turn_worker *w, uint8_t txid[STUN_TXID_LEN])
{
    /* splitmix64: not a secret (Data indications are not authenticated), only distinct. */
    for (size_t i = 0; i < STUN_TXID_LEN; i += 4) {
        uint64_t z = (w->txid_state += 0x9e3779b97f4a7c15ull);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        txid[i] = (uint8_t)z;
        txid[i + 1] = (uint8_t)(z >> 8);
        txid[i + 2] = (uint8_t)(z >> 16);
        txid[i + 3] = (uint8_t)(z >> 24);
    }
}

const struct addr *turn_worker_alternate(const struct turn_worker *w, uint16_t family)
{
    const struct turn_options *o = w->cfg.turn;

    for (size_t i = 0; i < o->alternate_count; i++) {
        if (o->alternate_servers[i].family == family) {
            return &o->alternate_servers[i];
        }
    }
    return NULL;
}

bool turn_worker_peer_allowed(struct turn_worker *w, const struct addr *peer)
{
    const struct turn_worker_config *cfg = &w->cfg;

    if (turn_policy_check(cfg->turn, &cfg->self, peer) == TURN_POLICY_ALLOW) {
        return true;
    }
    TURN_COUNT(w, peer_denied);
    return false;
}

struct turn_worker_lister {
    struct turn_worker_top_entry *out;
    size_t cap;
    size_t n;
};

/* Visitor of turn_worker_list(). */
static void turn_worker_list_one(struct turn_alloc *a, void *ctx)
{
    struct turn_worker_lister *l = ctx;

    if (l->n < l->cap) {
        turn_worker_top_fill(&l->out[l->n++], a);
    }
}

size_t turn_worker_list(const struct turn_worker *w, struct turn_worker_top_entry *out, size_t n)
{
    struct turn_worker_lister l = {out, n, 0};

    /* The table's walk takes a mutable table; it changes nothing. */
    turn_table_foreach((struct turn_table *)&w->table, turn_worker_list_one, &l);
    return l.n;
}
