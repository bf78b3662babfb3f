/*
 * Reload and drain: the two ways the control thread changes what running
 * workers do. Both build a new snapshot (configuration, credential store,
 * the protocol core's view of them), hand it to every worker on the
 * worker's own thread, and release the old one once no worker reads it.
 * Allocations, permissions and channels live in the workers, not in the
 * snapshot, so they survive both.
 */
#define LOG_MODULE "server"
#include "conf/conf_reload.h"
#include "server_internal.h"
#include "util/clock.h"
#include "util/counter.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

/* How often a drain counts the allocations left. */
#define SERVER_DRAIN_CHECK_US 200000L

struct server_snapshot *server_snapshot_new(const struct server *s, const struct conf *c,
                                            char err[SERVER_MSG_LEN])
{
    struct server_snapshot *snap = xcalloc(1, sizeof(*snap));
    char why[AUTH_STORE_ERR_LEN];

    conf_copy(&snap->conf, c);
    snap->auth = server_redis_auth_new(s, &snap->conf.auth, why);
    if (snap->auth == NULL) {
        (void)snprintf(err, SERVER_MSG_LEN, "credentials: %s", why);
        server_snapshot_free(snap);
        return NULL;
    }
    snap->turn_cfg = s->turn_base;
    snap->turn_cfg.turn = &snap->conf.turn;
    snap->turn_cfg.auth = snap->auth;
    snap->turn_cfg.nonce_lifetime_s = snap->conf.auth.nonce_lifetime_s;
    snap->turn_cfg.software = snap->conf.server.software;
    snap->turn_cfg.draining = s->draining;
    return snap;
}

void server_snapshot_free(struct server_snapshot *snap)
{
    if (snap == NULL) {
        return;
    }
    auth_store_free(snap->auth);
    conf_fini(&snap->conf);
    xfree(&snap);
}

/* A job on a worker's thread: from now on it reads the snapshot in arg. */
static void server_job_set_config(struct net_worker *w, void *arg)
{
    const struct server_snapshot *snap = arg;

    turn_worker_set_config(w->turn, &snap->turn_cfg);
}

void server_snapshot_install(struct server *s, struct server_snapshot *snap)
{
    struct server_snapshot *old = s->live;
    const struct turn_options *t = &snap->conf.turn;

    /* The quotas shared by every worker take the new limits first; counts are kept. */
    net_quota_set_limits(&s->shared.quota, t->max_allocations, t->max_allocations_per_user,
                         t->max_allocations_per_ip);
    for (unsigned i = 0; i < s->worker_count; i++) {
        if (s->workers[i] != NULL &&
            net_worker_call(s->workers[i], server_job_set_config, snap) < 0) {
            /* Cannot happen short of memory exhaustion in libevent; the worker would keep
             * reading old, so old must not be freed. */
            log_error("worker %u: the new configuration could not be handed over", i);
            old = NULL;
        }
    }
    s->live = snap;
    server_credential_set_secret(&s->mint, auth_store_mint_secret(snap->auth));
    /* Every worker has returned from the job: none reads old any more. */
    server_snapshot_free(old);
}

/* Notes of conf_reload_merge(), counted for the summary. */
struct server_reload_notes {
    unsigned applied;
    unsigned restart;
};

static void server_reload_note(void *ctx, const char *path, bool live)
{
    struct server_reload_notes *n = ctx;

    if (live) {
        n->applied++;
        log_notice("reload: %s changed: applied", path);
    } else {
        n->restart++;
        log_warn("reload: %s changed: needs a restart to take effect; the running value is kept",
                 path);
    }
}

/* Loads the configuration again into fresh, with the generated secret of this run when the
 * file still names no credential. Returns 0, or -1 with msg set. */
static int server_reload_load(struct server *s, struct conf *fresh, char *msg, size_t cap)
{
    char err[CONF_ERR_LEN];

    conf_init(fresh);
    if (s->loader == NULL || s->loader->load(s->loader->ctx, fresh, err) < 0) {
        (void)snprintf(msg, cap, "%s", s->loader == NULL ? "no configuration to reload" : err);
        return -1;
    }
    if (s->generated_secret != NULL && fresh->auth.secret_count == 0 &&
        fresh->auth.user_count == 0) {
        fresh->auth.secrets[fresh->auth.secret_count++] = xstrdup(s->generated_secret);
    }
    return 0;
}

int server_reload(struct server *s, char *msg, size_t cap)
{
    struct conf fresh;
    struct server_reload_notes notes = {0, 0};
    char err[SERVER_MSG_LEN];

    server_notify("RELOADING=1");
    log_notice("reloading the configuration");
    if (server_reload_load(s, &fresh, msg, cap) < 0) {
        conf_fini(&fresh);
        log_error("reload failed: %s; the running configuration stays in force", msg);
        server_notify("READY=1");
        return -1;
    }
    (void)conf_reload_merge(&fresh, &s->live->conf, server_reload_note, &notes);
    struct server_snapshot *snap = server_snapshot_new(s, &fresh, err);
    conf_fini(&fresh);
    if (snap == NULL) {
        (void)snprintf(msg, cap, "%s", err);
        log_error("reload failed: %s; the running configuration stays in force", msg);
        server_notify("READY=1");
        return -1;
    }
    server_snapshot_install(s, snap);
    log_set_level(snap->conf.server.log_level);
    /* The certificate files are read again even when their names did not change: that is how
     * a renewed certificate is taken. */
    server_tls_reload(s);
    (void)snprintf(msg, cap, "reloaded: %u change(s) applied, %u need a restart", notes.applied,
                   notes.restart);
    log_notice("%s", msg);
    server_notify("READY=1");
    return 0;
}

/* The allocations alive on every worker (relaxed reads of their gauges). */
static uint64_t server_allocations(const struct server *s)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < s->worker_count; i++) {
        if (s->workers[i] != NULL) {
            n += counter_read(&turn_worker_counters(s->workers[i]->turn)->allocations_active);
        }
    }
    return n;
}

/* The drain's check: stop once no allocation is left or the deadline has passed. */
static void server_on_drain_check(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    uint64_t left = server_allocations(s);

    (void)fd;
    (void)what;
    if (left == 0) {
        log_notice("drained: no allocation left; stopping");
        server_stop(s);
    } else if (clock_now_ms() >= s->drain_deadline_ms) {
        log_notice("drain deadline reached with %llu allocation(s) left; stopping",
                   (unsigned long long)left);
        server_stop(s);
    }
}

/* Hands every worker a snapshot that refuses new allocations. */
static int server_drain_begin(struct server *s)
{
    char err[SERVER_MSG_LEN];
    struct timeval every = {0, SERVER_DRAIN_CHECK_US};

    s->draining = true;
    struct server_snapshot *snap = server_snapshot_new(s, &s->live->conf, err);
    if (snap == NULL) {
        s->draining = false;
        log_error("drain failed: %s", err);
        return -1;
    }
    server_snapshot_install(s, snap);
    __atomic_store_n(&s->stats.draining, true, __ATOMIC_RELAXED);
    s->drain_timer = event_new(s->control, -1, EV_PERSIST, server_on_drain_check, s);
    if (s->drain_timer == NULL || event_add(s->drain_timer, &every) < 0) {
        log_error("drain: cannot start its timer; stopping now");
        server_stop(s);
    }
    return 0;
}

int server_drain_for(struct server *s, uint32_t timeout_s, const char *why)
{
    uint64_t deadline = clock_now_ms() + (uint64_t)timeout_s * 1000;

    if (!s->draining) {
        s->drain_deadline_ms = deadline;
        if (server_drain_begin(s) < 0) {
            return -1;
        }
    } else if (deadline < s->drain_deadline_ms) {
        s->drain_deadline_ms = deadline;
    }
    log_notice("%s: draining: new allocations refused (%s), %llu live ones kept for at most "
               "%u s",
               why, s->live->conf.turn.alternate_count > 0 ? "300 to an alternate server" : "508",
               (unsigned long long)server_allocations(s), timeout_s);
    /* The first check comes with the timer, not now: whoever asked (ternctl) gets its answer
     * before a server with no allocation stops. */
    return 0;
}

void server_drain(struct server *s)
{
    (void)server_drain_for(s, s->live->conf.server.drain_timeout_s, "drain requested");
}
