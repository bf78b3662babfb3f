#include "turn/turn_worker.h"

#include "turn/turn_policy.h"
#include "turn/turn_worker_state.h"
#include "util/xalloc.h"

#include <string.h>

/* Fills the rate limiter from the configuration in force. */
static void turn_worker_ratelimit_init(struct turn_worker *w)
{
    const struct turn_options *opts = w->cfg.turn;

    turn_ratelimit_init(w->ratelimit, opts->unauth_rate, opts->unauth_burst, w->cfg.seed);
}

struct turn_worker *turn_worker_new(const struct turn_worker_config *cfg,
                                    const struct turn_io_ops *ops, void *io_ctx)
{
    struct turn_worker *w = xcalloc(1, sizeof(*w));

    w->cfg = *cfg;
    w->ops = ops;
    w->io_ctx = io_ctx;
    w->txid_state = ((uint64_t)cfg->seed << 32) ^ 0x5deece66dull;
    turn_table_init(&w->table, cfg->seed);
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

void turn_worker_end(struct turn_worker *w, struct turn_alloc *a)
{
    turn_table_remove(&w->table, a);
    TURN_COUNT_STORE(w, allocations_active, w->table.count);
    turn_worker_discard(w, a);
}

/* Visitor of turn_worker_free(). */
static void turn_worker_end_one(struct turn_alloc *a, void *ctx)
{
    turn_worker_end(ctx, a);
}

void turn_worker_free(struct turn_worker *w)
{
    if (w == NULL) {
        return;
    }
    turn_table_foreach(&w->table, turn_worker_end_one, w);
    turn_table_fini(&w->table);
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
        turn_worker_end(s->w, a);
        return;
    }
    (void)turn_perm_expire(&a->perms, s->now_ms);
    (void)turn_channel_expire(&a->channels, s->now_ms);
}

void turn_worker_expire(struct turn_worker *w, uint64_t now_ms)
{
    struct turn_worker_sweep s = {w, now_ms};

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
        turn_worker_end(w, a);
    }
}

const struct turn_counters *turn_worker_counters(const struct turn_worker *w)
{
    return &w->counters;
}

size_t turn_worker_alloc_count(const struct turn_worker *w)
{
    return w->table.count;
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

bool turn_worker_peer_allowed(struct turn_worker *w, const struct addr *peer)
{
    const struct turn_worker_config *cfg = &w->cfg;

    if (turn_policy_check(cfg->turn, &cfg->self, peer) == TURN_POLICY_ALLOW) {
        return true;
    }
    TURN_COUNT(w, peer_denied);
    return false;
}
