#define LOG_MODULE "server"
#include "server.h"

#include "auth/auth_rest.h"
#include "http/http_server.h"
#include "net/net_socket.h"
#include "net/net_tls.h"
#include "server_admin.h"
#include "server_internal.h"
#include "server_privs.h"
#include "server_usage.h"
#include "store/store.h"
#include "util/addr.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <ifaddrs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes of the secret generated when the configuration names no credential at all. */
#define SERVER_SECRET_BYTES 32
/* How long the records of allocations ended at shutdown may take to reach Redis. */
#define SERVER_STORE_FLUSH_MS 2000
/* The user part of the credential printed at start. */
#define SERVER_CREDENTIAL_USER "quickstart"

static unsigned server_thread_count(const struct server_options *o)
{
    if (o->threads > 0) {
        return o->threads;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) {
        return 1;
    }
    return cores > SERVER_MAX_THREADS ? SERVER_MAX_THREADS : (unsigned)cores;
}

/* Refuses to start when another process already listens on one of our ports: with
 * SO_REUSEPORT it could otherwise silently share our traffic. */
static int server_step_probe_ports(const struct net_options *o)
{
    char err[NET_ERR_LEN];
    uint16_t ports[2];
    size_t port_count = net_worker_ports(o, ports);

    for (size_t k = 0; k < o->listen_ip_count * port_count; k++) {
        struct addr a = o->listen_ips[k % o->listen_ip_count];
        a.port = ports[k / o->listen_ip_count];
        if ((o->udp && net_socket_probe_free(&a, SOCK_DGRAM, err) < 0) ||
            (o->tcp && net_socket_probe_free(&a, SOCK_STREAM, err) < 0)) {
            log_error("%s", err);
            return -1;
        }
    }
    return 0;
}

/* Builds the TLS and DTLS contexts from tls.cert and tls.key and hands them to every worker.
 * Returns 0 (also when no certificate is configured), or -1 with the reason logged. */
static int server_tls_load(struct server *s, const struct net_options *o)
{
    char err[NET_ERR_LEN];
    int rc = 0;

    if (o->tls_cert == NULL) {
        return 0;
    }
    struct net_tls *tls = net_tls_new(o, err);
    if (tls == NULL) {
        log_error("tls: %s", err);
        return -1;
    }
    for (unsigned i = 0; i < s->worker_count; i++) {
        if (s->workers[i] != NULL && net_worker_set_tls(s->workers[i], tls) < 0) {
            log_error("tls: worker %u could not be handed the new certificate", i);
            rc = -1;
        }
    }
    log_notice("tls: certificate %s (%s) for TLS%s", o->tls_cert, net_tls_subject(tls),
               net_tls_has_dtls(tls) ? " and DTLS" : "");
    net_tls_release(tls);
    return rc;
}

void server_tls_reload(struct server *s)
{
    /* TLS turned on by a reload would lack its tls.port listeners: that needs a restart. */
    if (s->conf->net.tls_cert == NULL) {
        return;
    }
    const struct net_options *o = s->live != NULL ? &s->live->conf.net : &s->conf->net;
    if (server_tls_load(s, o) < 0) {
        log_error("tls: reload failed; the previous certificate stays in use");
    }
}

static int server_step_start_workers(struct server *s)
{
    char err[NET_ERR_LEN];
    struct net_worker_hooks hooks = {
        .usage = s->sinks.file != NULL || s->sinks.line != NULL ? server_usage_dispatch : NULL,
        .usage_ctx = &s->sinks,
        .top_n = s->conf->http.enabled ? s->conf->http.top_n : 0,
    };

    for (unsigned i = 0; i < s->worker_count; i++) {
        s->workers[i] =
            net_worker_new(i, &s->conf->net, &s->shared, &s->live->turn_cfg, &hooks, err);
        if (s->workers[i] == NULL) {
            log_error("worker %u: %s", i, err);
            return -1;
        }
    }
    if (server_tls_load(s, &s->conf->net) < 0) {
        return -1;
    }
    for (unsigned i = 0; i < s->worker_count; i++) {
        if (net_worker_start(s->workers[i], err) < 0) {
            log_error("%s", err);
            return -1;
        }
    }
    return 0;
}

/* Adds a to the own addresses unless it is unspecified or already there. */
static void server_own_add(struct server *s, const struct addr *a)
{
    struct turn_policy_self *self = &s->turn_base.self;
    struct addr c = addr_canonical(a);

    if (c.family == 0 || addr_is_any(&c) || self->ip_count >= SERVER_MAX_OWN_ADDRS) {
        return;
    }
    for (size_t i = 0; i < self->ip_count; i++) {
        if (addr_equal_ip(&s->own[i], &c)) {
            return;
        }
    }
    c.port = 0;
    s->own[self->ip_count++] = c;
}

/* Every address of this host's interfaces: a wildcard listener is reached on all of them. */
static void server_own_add_interfaces(struct server *s)
{
    struct ifaddrs *list = NULL;

    if (getifaddrs(&list) < 0) {
        log_warn("getifaddrs() failed: %s", strerror(errno));
        return;
    }
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        struct addr a;
        if (i->ifa_addr != NULL &&
            addr_from_sockaddr(&a, i->ifa_addr, sizeof(struct sockaddr_storage)) == 0) {
            server_own_add(s, &a);
        }
    }
    freeifaddrs(list);
}

/* The server's own addresses, which no allocation may relay to (RFC 8656 section 21.2). */
static void server_step_own_addresses(struct server *s)
{
    const struct net_options *o = &s->conf->net;
    struct turn_policy_self *self = &s->turn_base.self;
    bool wildcard = false;

    self->ips = s->own;
    self->listen_ports = s->listen_ports;
    self->listen_port_count = net_worker_ports(o, s->listen_ports);
    self->relay_in_use = net_shared_relay_in_use;
    self->relay_ctx = &s->shared;
    for (size_t i = 0; i < o->listen_ip_count; i++) {
        wildcard = wildcard || addr_is_any(&o->listen_ips[i]);
        server_own_add(s, &o->listen_ips[i]);
    }
    for (size_t i = 0; i < o->relay_ip_count; i++) {
        server_own_add(s, &o->relay_ips[i]);
        server_own_add(s, &o->relay_external_ips[i]);
    }
    if (wildcard) {
        server_own_add_interfaces(s);
    }
}

/* The configuration snapshot every worker's protocol core reads. */
static int server_step_protocol(struct server *s)
{
    char err[SERVER_MSG_LEN];
    const struct conf *c = s->conf;

    if (crypto_random(s->nonce_key, sizeof(s->nonce_key)) < 0 ||
        crypto_random(&s->turn_base.seed, sizeof(s->turn_base.seed)) < 0) {
        log_error("cannot read random bytes for the nonce key");
        return -1;
    }
    s->turn_base.nonce_key = s->nonce_key;
    server_step_own_addresses(s);
    s->live = server_snapshot_new(s, c, err);
    if (s->live == NULL) {
        log_error("%s", err);
        return -1;
    }
    server_credential_set_secret(&s->mint, auth_store_mint_secret(s->live->auth));
    net_shared_init(&s->shared, &c->net, c->turn.max_allocations, c->turn.max_allocations_per_user,
                    c->turn.max_allocations_per_ip);
    s->shared_ready = true;
    return 0;
}

/* The usage writer starts before the workers, which hand it their records. */
static int server_step_usage(struct server *s)
{
    char err[SERVER_USAGE_ERR_LEN];

    if (s->conf->server.usage_file == NULL) {
        return 0;
    }
    s->usage = server_usage_new(s->conf->server.usage_file, err);
    if (s->usage == NULL) {
        log_error("%s", err);
        return -1;
    }
    s->sinks.file = s->usage;
    return 0;
}

/* The statistics endpoint starts once the workers whose counters it reads run. */
static int server_step_http(struct server *s)
{
    const struct http_options *o = &s->conf->http;
    char err[HTTP_ERR_LEN];
    struct http_routes routes = {
        .metrics = server_stats_metrics,
        .stats = server_stats_json,
        .ready = server_stats_ready,
        .ctx = &s->stats,
        .credential = server_credential_mint,
        .credential_ctx = &s->mint,
    };

    if (!o->enabled) {
        return 0;
    }
    s->stats.workers = s->workers;
    s->stats.worker_count = s->worker_count;
    s->stats.shared = &s->shared;
    s->stats.usage = s->usage;
    s->stats.store = s->store;
    s->stats.start_s = clock_wall_s();
    s->stats.top_n = s->conf->http.top_n;
    s->http = http_server_new(o, &routes, err);
    if (s->http == NULL) {
        log_error("%s", err);
        return -1;
    }
    log_notice("statistics on %s://%s%s%s:%u/metrics", o->tls_cert != NULL ? "https" : "http",
               strchr(o->listen, ':') != NULL ? "[" : "", o->listen,
               strchr(o->listen, ':') != NULL ? "]" : "", (unsigned)o->port);
    return 0;
}

static void server_step_stop_workers(struct server *s)
{
    for (unsigned i = 0; i < s->worker_count; i++) {
        if (s->workers[i] != NULL) {
            net_worker_stop(s->workers[i]);
        }
    }
    for (unsigned i = 0; i < s->worker_count; i++) {
        net_worker_free(s->workers[i]);
        s->workers[i] = NULL;
    }
}

/* Logs one line naming every socket the server listens on. */
static void server_log_ready(const struct server *s)
{
    const struct net_options *o = &s->conf->net;
    const char *protocols = o->udp && o->tcp ? "udp+tcp" : (o->udp ? "udp" : "tcp");
    char line[1024];
    size_t n = 0;

    line[0] = '\0';
    for (size_t i = 0; i < o->listen_ip_count && n < sizeof(line); i++) {
        char a[ADDR_STR_LEN];
        struct addr l = o->listen_ips[i];
        l.port = o->port;
        int m = snprintf(line + n, sizeof(line) - n, "%s%s %s", i ? ", " : "", protocols,
                         addr_format(&l, a, sizeof(a)));
        n += m > 0 ? (size_t)m : 0;
    }
    uint16_t ports[2];
    if (net_worker_ports(o, ports) > 1) {
        log_notice("tls: also listening on port %u", (unsigned)ports[1]);
    }
    log_notice("ready: %u workers, listening on %s", s->worker_count, line);
}

/* With no secret and no user configured nobody could authenticate: generate a secret for this
 * run, and print a credential minted from it. */
static int server_step_ensure_secret(struct server *s, struct conf *c)
{
    struct auth_options *a = &c->auth;
    struct server_options *o = &c->server;
    uint8_t raw[SERVER_SECRET_BYTES];
    char text[BASE64_ENCODED_LEN(SERVER_SECRET_BYTES) + 1];

    /* With Redis, the secrets come from there: a secret nobody else knows would only be one
     * more way in. */
    if (a->secret_count > 0 || a->user_count > 0 || c->redis.enabled) {
        return 0;
    }
    if (crypto_random(raw, sizeof(raw)) < 0 ||
        base64_encode(raw, sizeof(raw), text, sizeof(text)) < 0) {
        log_error("cannot generate a random secret");
        return -1;
    }
    a->secrets[a->secret_count++] = xstrdup(text);
    /* Kept for reloads of a file that still names no credential. */
    s->generated_secret = xstrdup(text);
    explicit_bzero(text, sizeof(text));
    explicit_bzero(raw, sizeof(raw));
    o->announce_credential = true;
    log_notice("no secret or user configured: generated a random secret for this run "
               "(set auth.secrets in the configuration for credentials that survive a restart)");
    return 0;
}

/* The address a client on this machine reaches the first listener at. */
static void server_credential_host(const struct net_options *o, char *buf, size_t cap)
{
    struct addr a = o->listen_ips[0];

    if (o->listen_ip_count == 0 || addr_is_any(&a)) {
        (void)addr_parse_ip(&a, o->listen_ip_count && a.family == AF_INET6 ? "::1" : "127.0.0.1");
    }
    a.port = o->port;
    addr_format(&a, buf, cap);
}

/* Prints a credential minted from the first secret, and an iceServers entry using it. */
static void server_log_credential(const struct conf *c)
{
    char username[AUTH_REST_USERNAME_MAX + 1];
    char password[AUTH_REST_PASSWORD_LEN + 1];
    char host[ADDR_STR_LEN];
    const char *secret = c->auth.secrets[0];

    if (!c->server.announce_credential || c->auth.secret_count == 0 ||
        auth_rest_username_make(SERVER_CREDENTIAL_USER, strlen(SERVER_CREDENTIAL_USER),
                                clock_wall_s(), c->auth.credential_ttl_s, username,
                                sizeof(username)) < 0 ||
        auth_rest_password(secret, strlen(secret), username, strlen(username), password,
                           sizeof(password)) < 0) {
        return;
    }
    server_credential_host(&c->net, host, sizeof(host));
    log_notice("credential: username=%s password=%s (valid %u s, realm %s)", username, password,
               c->auth.credential_ttl_s, c->auth.realm);
    log_notice("iceServers: [{\"urls\": [\"turn:%s?transport=udp\", \"turn:%s?transport=tcp\"], "
               "\"username\": \"%s\", \"credential\": \"%s\"}]",
               host, host, username, password);
}

void server_notify(const char *state)
{
    if (notify_send(state) < 0) {
        log_warn("sending %s to $NOTIFY_SOCKET failed: %s", state, strerror(errno));
    }
}

void server_stop(struct server *s)
{
    server_notify("STOPPING=1");
    (void)event_base_loopexit(s->control, NULL);
}

/* SIGINT stops at once. The first SIGTERM drains for server.stop_timeout_s (the live allocations
 * may end by themselves meanwhile); a second one stops at once. */
static void server_on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;
    uint32_t timeout_s = s->live->conf.server.stop_timeout_s;

    (void)what;
    if (sig == SIGTERM && s->terms++ == 0 && timeout_s > 0) {
        log_notice("SIGTERM received: draining for at most %u s (a second SIGTERM stops at once)",
                   timeout_s);
        server_notify("STOPPING=1");
        if (server_drain_for(s, timeout_s, "SIGTERM") == 0) {
            return;
        }
    }
    log_notice("%s received: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server_stop(s);
}

static void server_on_hup(evutil_socket_t sig, short what, void *arg)
{
    char msg[SERVER_MSG_LEN];

    (void)sig;
    (void)what;
    log_notice("SIGHUP received");
    (void)server_reload(arg, msg, sizeof(msg));
}

static void server_on_usr1(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    log_notice("SIGUSR1 received");
    server_drain(arg);
}

static int server_step_signals(struct server *s)
{
    s->sig_term = evsignal_new(s->control, SIGTERM, server_on_stop_signal, s);
    s->sig_int = evsignal_new(s->control, SIGINT, server_on_stop_signal, s);
    s->sig_hup = evsignal_new(s->control, SIGHUP, server_on_hup, s);
    s->sig_usr1 = evsignal_new(s->control, SIGUSR1, server_on_usr1, s);
    if (s->sig_term == NULL || s->sig_int == NULL || s->sig_hup == NULL || s->sig_usr1 == NULL ||
        evsignal_add(s->sig_term, NULL) < 0 || evsignal_add(s->sig_int, NULL) < 0 ||
        evsignal_add(s->sig_hup, NULL) < 0 || evsignal_add(s->sig_usr1, NULL) < 0) {
        log_error("cannot install signal handlers");
        return -1;
    }
    return 0;
}

static void server_free_control(struct server *s)
{
    if (s->sig_term != NULL) {
        event_free(s->sig_term);
    }
    if (s->sig_int != NULL) {
        event_free(s->sig_int);
    }
    if (s->sig_hup != NULL) {
        event_free(s->sig_hup);
    }
    if (s->sig_usr1 != NULL) {
        event_free(s->sig_usr1);
    }
    if (s->drain_timer != NULL) {
        event_free(s->drain_timer);
    }
    if (s->control != NULL) {
        event_base_free(s->control);
    }
}

static int server_admin_on_reload(void *ctx, char *msg, size_t cap)
{
    return server_reload(ctx, msg, cap);
}

static void server_admin_on_drain(void *ctx)
{
    server_drain(ctx);
}

static bool server_admin_on_draining(void *ctx)
{
    const struct server *s = ctx;

    return s->draining;
}

/* The admin socket (ternctl), created before the privilege drop and given to the user ternd
 * switches to. Optional: without it (no directory, no right to bind) ternd warns and goes on. */
static void server_step_admin(struct server *s)
{
    char err[SERVER_ADMIN_ERR_LEN];
    const char *path = s->conf->server.admin_socket;
    struct server_admin_target target = {
        .workers = s->workers,
        .worker_count = s->worker_count,
        .config_path = s->conf->server.config_path,
        .start_s = s->start_s,
        .reload = server_admin_on_reload,
        .drain = server_admin_on_drain,
        .draining = server_admin_on_draining,
        .ctx = s,
    };
    uid_t uid = s->privs.switch_user ? s->privs.uid : (uid_t)-1;
    gid_t gid = s->privs.switch_user ? s->privs.gid : (gid_t)-1;

    if (path == NULL) {
        return;
    }
    s->admin = server_admin_new(s->control, path, uid, gid, &target, err);
    if (s->admin == NULL) {
        log_warn("admin socket: %s; running without it (ternctl status, sessions, kill, drain "
                 "and reload will not reach this ternd)",
                 err);
        return;
    }
    log_info("admin socket on %s", path);
}

/* The checks and limits that come before anything is opened (server_privs.h). */
static int server_step_privileges(struct server *s)
{
    char err[SERVER_PRIVS_ERR_LEN];

    if (server_privs_prepare(&s->privs, &s->conf->server, err) < 0) {
        log_error("%s", err);
        return -1;
    }
    return 0;
}

/* Every port is bound and every key read: give up root and every capability. */
static int server_step_drop(struct server *s)
{
    char err[SERVER_PRIVS_ERR_LEN];

    if (server_step_drop_privileges(&s->privs, s->workers, s->worker_count, err) < 0) {
        log_error("%s", err);
        return -1;
    }
    return 0;
}

int server_run(struct conf *c, const struct server_loader *loader)
{
    struct server s = {.conf = c, .loader = loader};
    int status = 1;

    server_credential_init(&s.mint, c);
    log_set_level(c->server.log_level);
    /* Workers' loops are stopped from this thread: libevent must lock. */
    if (evthread_use_pthreads() < 0) {
        log_error("evthread_use_pthreads() failed");
        return 1;
    }
    /* A peer closing a TCP connection must not kill the process on write. */
    (void)signal(SIGPIPE, SIG_IGN);
    s.worker_count = server_thread_count(&c->server);
    s.start_s = clock_wall_s();
    if (server_step_privileges(&s) < 0) {
        return 1;
    }
    s.control = event_base_new();
    if (s.control == NULL || server_step_signals(&s) < 0 || server_step_ensure_secret(&s, c) < 0 ||
        server_step_protocol(&s) < 0 || server_step_probe_ports(&c->net) < 0 ||
        server_step_usage(&s) < 0 || server_redis_step(&s) < 0 ||
        server_step_start_workers(&s) < 0 || server_step_http(&s) < 0) {
        goto out_stop;
    }
    if (s.store != NULL) {
        store_start(s.store);
    }
    server_step_admin(&s);
    if (server_step_drop(&s) < 0) {
        goto out_stop;
    }
    server_log_ready(&s);
    /* Every socket is open: a Type=notify service manager may now start what depends on us. */
    server_notify("READY=1");
    server_log_credential(c);
    (void)event_base_dispatch(s.control);
    status = 0;

out_stop:
    /* The endpoint reads the workers: it stops first. Freeing the workers ends every allocation,
     * whose usage records the writer then drains before it stops. */
    server_admin_free(s.admin);
    http_server_free(s.http);
    server_step_stop_workers(&s);
    store_flush(s.store, SERVER_STORE_FLUSH_MS);
    store_free(s.store);
    server_usage_free(s.usage);
    if (s.shared_ready) {
        net_shared_fini(&s.shared);
    }
    server_snapshot_free(s.live);
    server_redis_fini(&s);
    server_credential_fini(&s.mint);
    if (s.generated_secret != NULL) {
        explicit_bzero(s.generated_secret, strlen(s.generated_secret));
        xfree(&s.generated_secret);
    }
    explicit_bzero(s.nonce_key, sizeof(s.nonce_key));
    server_free_control(&s);
    log_notice("stopped");
    return status;
}
