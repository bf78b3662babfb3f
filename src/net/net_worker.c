#define LOG_MODULE "net"
#include "net/net_worker.h"

#include "turn/turn_worker.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

size_t net_worker_ports(const struct net_options *opts, uint16_t ports[2])
{
    size_t n = 0;

    ports[n++] = opts->port;
    if (opts->tls_cert != NULL && opts->tls_port != 0 && opts->tls_port != opts->port) {
        ports[n++] = opts->tls_port;
    }
    return n;
}

static int net_worker_open_sockets(struct net_worker *w, char err[NET_ERR_LEN])
{
    const struct net_options *o = w->opts;
    uint16_t ports[2];
    size_t port_count = net_worker_ports(o, ports);

    for (size_t k = 0; k < o->listen_ip_count * port_count; k++) {
        struct addr a = o->listen_ips[k % o->listen_ip_count];
        a.port = ports[k / o->listen_ip_count];
        if (o->udp) {
            w->udp[w->udp_count] = net_udp_open(w, &a, err);
            if (w->udp[w->udp_count] == NULL) {
                return -1;
            }
            w->udp_count++;
        }
        if (o->tcp) {
            w->tcp[w->tcp_count] = net_tcp_listener_open(w, &a, err);
            if (w->tcp[w->tcp_count] == NULL) {
                return -1;
            }
            w->tcp_count++;
        }
    }
    return 0;
}

/* Publishes the top-N allocations for the HTTP thread: computed here, outside the lock. */
static void net_worker_publish(struct net_worker *w)
{
    size_t n = 0;

    if (w->hooks.top_n > 0) {
        n = turn_worker_top(w->turn, w->top_scratch, w->hooks.top_n);
    }
    (void)pthread_mutex_lock(&w->snapshot_lock);
    w->snapshot->top_count = n;
    if (n > 0) {
        memcpy(w->snapshot->top, w->top_scratch, n * sizeof(w->top_scratch[0]));
    }
    (void)pthread_mutex_unlock(&w->snapshot_lock);
}

void net_worker_snapshot_read(struct net_worker *w, struct net_worker_snapshot *out)
{
    (void)pthread_mutex_lock(&w->snapshot_lock);
    out->top_count = w->snapshot->top_count;
    memcpy(out->top, w->snapshot->top, out->top_count * sizeof(out->top[0]));
    (void)pthread_mutex_unlock(&w->snapshot_lock);
}

/* Once a second: allocations, permissions and channels whose time is up end. */
static void net_worker_on_expire(evutil_socket_t fd, short what, void *arg)
{
    struct net_worker *w = arg;

    (void)fd;
    (void)what;
    turn_worker_expire(w->turn, clock_now_ms(), clock_wall_s());
    net_worker_publish(w);
}

static int net_worker_start_timer(struct net_worker *w, char err[NET_ERR_LEN])
{
    struct timeval second = {.tv_sec = 1};

    w->expire_timer = event_new(w->base, -1, EV_PERSIST, net_worker_on_expire, w);
    if (w->expire_timer == NULL || event_add(w->expire_timer, &second) < 0) {
        (void)snprintf(err, NET_ERR_LEN, "event_add() of the expiry timer of worker %u failed",
                       w->index);
        return -1;
    }
    return 0;
}

struct net_worker *net_worker_new(unsigned index, const struct net_options *opts,
                                  struct net_shared *shared,
                                  const struct turn_worker_config *turn_cfg,
                                  const struct net_worker_hooks *hooks, char err[NET_ERR_LEN])
{
    struct net_worker *w = xcalloc_aligned(COUNTER_LINE, sizeof(*w));

    if (hooks != NULL) {
        w->hooks = *hooks;
    }
    if (w->hooks.top_n > NET_WORKER_TOP_MAX) {
        w->hooks.top_n = NET_WORKER_TOP_MAX;
    }
    w->top_scratch = xcalloc(w->hooks.top_n + 1, sizeof(*w->top_scratch));
    w->snapshot = xcalloc(1, sizeof(*w->snapshot));
    (void)pthread_mutex_init(&w->snapshot_lock, NULL);
    w->snapshot_lock_ready = true;
    w->index = index;
    w->opts = opts;
    w->shared = shared;
    w->base = event_base_new();
    if (w->base == NULL) {
        (void)snprintf(err, NET_ERR_LEN, "event_base_new() for worker %u failed", index);
        goto out_free;
    }
    w->batch = net_udp_batch_new(opts->udp_batch);
    w->relay_batch = net_relay_batch_new(opts->udp_batch);
    w->turn = turn_worker_new(turn_cfg, &net_relay_io_ops, w);
    w->dtls = net_dtls_new(w);
    if (net_worker_start_timer(w, err) < 0 || net_worker_open_sockets(w, err) < 0) {
        goto out_free;
    }
    return w;

out_free:
    net_worker_free(w);
    return NULL;
}

static void *net_worker_main(void *arg)
{
    struct net_worker *w = arg;

    log_debug("worker %u: running", w->index);
    /* EVLOOP_NO_EXIT_ON_EMPTY: a worker with no socket left still waits for stop. */
    (void)event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
    log_debug("worker %u: loop ended", w->index);
    return NULL;
}

/* A job on the worker's thread: new handshakes take the context in arg (a held reference). */
static void net_worker_job_tls(struct net_worker *w, void *arg)
{
    struct net_tls *old = w->tls;

    w->tls = arg;
    net_dtls_tls_changed(w->dtls);
    /* SSL objects made from the old context hold it: their connections carry on. */
    net_tls_release(old);
}

int net_worker_set_tls(struct net_worker *w, struct net_tls *tls)
{
    struct net_tls *held = tls != NULL ? net_tls_hold(tls) : NULL;

    if (net_worker_call(w, net_worker_job_tls, held) < 0) {
        net_tls_release(held);
        return -1;
    }
    return 0;
}

int net_worker_start(struct net_worker *w, char err[NET_ERR_LEN])
{
    int rc = pthread_create(&w->thread, NULL, net_worker_main, w);

    if (rc != 0) {
        (void)snprintf(err, NET_ERR_LEN, "pthread_create() for worker %u failed: %s", w->index,
                       strerror(rc));
        return -1;
    }
    w->running = true;
    return 0;
}

/* A job of net_worker_call() in flight: the caller waits on done. */
struct net_worker_call {
    struct net_worker *w;
    net_worker_job_fn fn;
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
};

/* Runs on the worker's thread: the job, then wakes the caller. */
static void net_worker_on_call(evutil_socket_t fd, short what, void *arg)
{
    struct net_worker_call *c = arg;

    (void)fd;
    (void)what;
    c->fn(c->w, c->arg);
    (void)pthread_mutex_lock(&c->lock);
    c->done = true;
    (void)pthread_cond_signal(&c->cond);
    (void)pthread_mutex_unlock(&c->lock);
}

int net_worker_call(struct net_worker *w, net_worker_job_fn fn, void *arg)
{
    struct net_worker_call c = {.w = w, .fn = fn, .arg = arg};
    int rc = 0;

    if (!w->running) {
        fn(w, arg);
        return 0;
    }
    (void)pthread_mutex_init(&c.lock, NULL);
    (void)pthread_cond_init(&c.cond, NULL);
    /* event_base_once() is thread-safe once libevent's pthread locking is on (server.c). */
    if (event_base_once(w->base, -1, EV_TIMEOUT, net_worker_on_call, &c, NULL) < 0) {
        rc = -1;
    } else {
        (void)pthread_mutex_lock(&c.lock);
        while (!c.done) {
            (void)pthread_cond_wait(&c.cond, &c.lock);
        }
        (void)pthread_mutex_unlock(&c.lock);
    }
    (void)pthread_cond_destroy(&c.cond);
    (void)pthread_mutex_destroy(&c.lock);
    return rc;
}

void net_worker_stop(struct net_worker *w)
{
    if (!w->running) {
        return;
    }
    /* Thread-safe because server.c enabled libevent's pthread locking. */
    (void)event_base_loopexit(w->base, NULL);
    (void)pthread_join(w->thread, NULL);
    w->running = false;
}

void net_worker_free(struct net_worker *w)
{
    if (w == NULL) {
        return;
    }
    /* The protocol state goes first: ending its allocations closes their relay sockets, which
     * needs the event base. Connections closed after it find no allocation to end. */
    turn_worker_free(w->turn);
    w->turn = NULL;
    if (w->expire_timer != NULL) {
        event_free(w->expire_timer);
    }
    net_tcp_conn_list_close_all(&w->conns);
    net_dtls_free(w->dtls);
    net_tls_release(w->tls);
    for (size_t i = 0; i < w->tcp_count; i++) {
        net_tcp_listener_free(w->tcp[i]);
    }
    for (size_t i = 0; i < w->udp_count; i++) {
        net_udp_free(w->udp[i]);
    }
    net_udp_batch_free(w->batch);
    net_relay_batch_free(w->relay_batch);
    if (w->base != NULL) {
        event_base_free(w->base);
    }
    if (w->snapshot_lock_ready) {
        (void)pthread_mutex_destroy(&w->snapshot_lock);
    }
    xfree(&w->snapshot);
    xfree(&w->top_scratch);
    xfree(&w);
}
