#define LOG_MODULE "dtls"
#include "net/net_dtls.h"

#include "net/net_relay.h"
#include "net/net_tls.h"
#include "net/net_udp.h"
#include "net/net_worker.h"
#include "stun/stun_demux.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

/* Largest datagram a handshake flight is cut into (a safe size on any path). */
#define NET_DTLS_MTU 1200
/* A DTLS record carries at most this much plaintext (RFC 6347 section 4.1). */
#define NET_DTLS_PLAIN_MAX 16384
#define NET_DTLS_REPLY_MAX 4096
/* Hash buckets of the session table (a power of two). */
#define NET_DTLS_BUCKETS 4096

/* Where the writes of one SSL's BIO go: a datagram to client from local through udp. */
struct net_dtls_peer {
    struct net_dtls *dtls;
    struct net_udp *udp;
    struct addr client;
    struct addr local;
};

struct net_dtls_session {
    struct net_dtls_peer peer;
    SSL *ssl;
    BIO *rbio; /* a memory BIO each datagram is written into, owned by ssl */
    struct event *timer;
    uint64_t started_ms;
    uint64_t last_rx_ms;
    bool established;
    bool ip_counted;
    struct net_dtls_session *next; /* hash chain */
};

struct net_dtls {
    struct net_worker *worker;
    BIO_METHOD *method;
    /* The reusable SSL DTLSv1_listen() runs on, with its BIOs and the peer its cookie
     * answers go to; NULL until the first datagram needs it. */
    SSL *listen;
    BIO *listen_rbio;
    struct net_dtls_peer listen_peer;
    BIO_ADDR *listen_addr;
    struct net_tls_cookie_ctx cookie;
    uint8_t *plain; /* NET_DTLS_PLAIN_MAX: one decrypted record */
    struct net_dtls_session *buckets[NET_DTLS_BUCKETS];
    size_t count;
    uint32_t seed;
};

static int net_dtls_bio_write(BIO *b, const char *data, int len)
{
    struct net_dtls_peer *p = BIO_get_data(b);

    /* Each write is one record flight piece: one datagram. A refused send is a lost datagram,
     * which DTLS retransmits. */
    if (p != NULL && p->udp != NULL && len > 0) {
        (void)net_udp_send_one(p->udp, &p->client, &p->local, data, (size_t)len);
    }
    return len;
}

static long net_dtls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
        return NET_DTLS_MTU;
    default:
        return 0;
    }
}

static int net_dtls_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *net_dtls_bio_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tern dtls");

    if (m == NULL || BIO_meth_set_write(m, net_dtls_bio_write) != 1 ||
        BIO_meth_set_ctrl(m, net_dtls_bio_ctrl) != 1 ||
        BIO_meth_set_create(m, net_dtls_bio_create) != 1) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

struct net_dtls *net_dtls_new(struct net_worker *w)
{
    struct net_dtls *d = xcalloc(1, sizeof(*d));

    d->worker = w;
    d->plain = xmalloc(NET_DTLS_PLAIN_MAX);
    (void)crypto_random(d->cookie.secret, sizeof(d->cookie.secret));
    (void)crypto_random(&d->seed, sizeof(d->seed));
    return d;
}

static size_t net_dtls_slot(const struct net_dtls *d, const struct addr *client,
                            const struct addr *local)
{
    uint32_t h = addr_hash(client, d->seed) ^ addr_hash(local, d->seed * 31u + 7u);

    return h & (NET_DTLS_BUCKETS - 1);
}

static struct net_dtls_session *net_dtls_find(const struct net_dtls *d, const struct addr *client,
                                              const struct addr *local)
{
    for (struct net_dtls_session *s = d->buckets[net_dtls_slot(d, client, local)]; s != NULL;
         s = s->next) {
        if (addr_equal(&s->peer.client, client) && addr_equal(&s->peer.local, local)) {
            return s;
        }
    }
    return NULL;
}

/* Unlinks and frees s; its allocation ends (RFC 8656 section 3.1, as over TCP). */
static void net_dtls_session_free(struct net_dtls_session *s)
{
    struct net_dtls *d = s->peer.dtls;
    struct net_worker *w = d->worker;

    for (struct net_dtls_session **p =
             &d->buckets[net_dtls_slot(d, &s->peer.client, &s->peer.local)];
         *p != NULL; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    d->count--;
    COUNTER_SUB(&w->counters.dtls_sessions, 1);
    if (w->turn != NULL) {
        turn_worker_conn_closed(w->turn, s);
    }
    if (s->ip_counted) {
        net_shared_conn_release(w->shared, &s->peer.client);
    }
    if (s->timer != NULL) {
        event_free(s->timer);
    }
    SSL_free(s->ssl);
    ERR_clear_error();
    xfree(&s);
}

/* Arms the session's timer: the next retransmission or the handshake deadline while the
 * handshake runs, the idle timeout after. */
static void net_dtls_arm(struct net_dtls_session *s, uint64_t now_ms)
{
    const struct net_options *o = s->peer.dtls->worker->opts;
    uint64_t wait_ms;

    if (!s->established) {
        uint64_t end = s->started_ms + (uint64_t)o->tls_handshake_timeout_s * 1000;
        struct timeval retransmit;
        wait_ms = end > now_ms ? end - now_ms : 0;
        if (DTLSv1_get_timeout(s->ssl, &retransmit) == 1) {
            uint64_t r = (uint64_t)retransmit.tv_sec * 1000 + (uint64_t)retransmit.tv_usec / 1000;
            wait_ms = r < wait_ms ? r : wait_ms;
        }
    } else {
        uint64_t idle = (uint64_t)o->tcp_idle_timeout_s * 1000;
        uint64_t end = s->last_rx_ms + idle;
        wait_ms = end > now_ms ? end - now_ms : 0;
    }
    struct timeval tv = {.tv_sec = (time_t)(wait_ms / 1000),
                         .tv_usec = (suseconds_t)(wait_ms % 1000) * 1000};
    (void)evtimer_add(s->timer, &tv);
}

static void net_dtls_on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct net_dtls_session *s = arg;
    struct net_worker *w = s->peer.dtls->worker;
    uint64_t now_ms = clock_now_ms();

    (void)fd;
    (void)what;
    if (!s->established) {
        if (now_ms >= s->started_ms + (uint64_t)w->opts->tls_handshake_timeout_s * 1000) {
            COUNTER_ADD(&w->counters.tls_handshake_timeouts, 1);
            COUNTER_ADD(&w->counters.dtls_handshake_failed, 1);
            net_dtls_session_free(s);
            return;
        }
        if (DTLSv1_handle_timeout(s->ssl) < 0) {
            COUNTER_ADD(&w->counters.dtls_handshake_failed, 1);
            net_dtls_session_free(s);
            return;
        }
    } else if (now_ms >= s->last_rx_ms + (uint64_t)w->opts->tcp_idle_timeout_s * 1000) {
        /* Tell the client, so that it does not keep sending into nothing. */
        (void)SSL_shutdown(s->ssl);
        net_dtls_session_free(s);
        return;
    }
    net_dtls_arm(s, now_ms);
}

/* Passes one decrypted record (a STUN message or ChannelData) to the core, and encrypts the
 * answer back. */
static void net_dtls_handle_record(struct net_dtls_session *s, const uint8_t *rec, size_t len,
                                   uint64_t now_ms)
{
    struct net_worker *w = s->peer.dtls->worker;
    uint8_t reply[NET_DTLS_REPLY_MAX];
    struct turn_out out = {.reply = reply, .reply_cap = sizeof(reply)};
    struct turn_packet_info info = {.client = s->peer.client,
                                    .local = s->peer.local,
                                    .transport = TURN_TRANSPORT_DTLS,
                                    .conn = s,
                                    .now_ms = now_ms,
                                    .now_s = clock_wall_s()};
    int rc;

    switch (stun_demux_datagram(rec[0])) {
    case STUN_DEMUX_STUN:
        COUNTER_ADD(&w->counters.stun_requests, 1);
        rc = turn_handle_stun(w->turn, &info, rec, len, &out);
        break;
    case STUN_DEMUX_CHANNEL:
        rc = turn_handle_channel(w->turn, &info, rec, len, &out);
        break;
    default:
        rc = -1;
        break;
    }
    if (rc < 0) {
        COUNTER_ADD(&w->counters.udp_dropped, 1);
        return;
    }
    if (out.relay != NULL) {
        (void)net_relay_send(out.relay, &out.peer, out.data, out.data_len, out.dont_fragment);
    }
    if (out.reply_len > 0) {
        (void)net_dtls_session_send(s, out.reply, out.reply_len);
    }
}

int net_dtls_session_send(struct net_dtls_session *s, const void *data, size_t len)
{
    if (!s->established || len > NET_DTLS_PLAIN_MAX || SSL_write(s->ssl, data, (int)len) <= 0) {
        ERR_clear_error();
        COUNTER_ADD(&s->peer.dtls->worker->counters.udp_dropped, 1);
        return -1;
    }
    return 0;
}

/* Moves the handshake on. Returns 0, or -1 when it failed (s must be freed). */
static int net_dtls_handshake(struct net_dtls_session *s, uint64_t now_ms)
{
    struct net_worker *w = s->peer.dtls->worker;
    int rc = SSL_do_handshake(s->ssl);

    if (rc == 1) {
        s->established = true;
        COUNTER_ADD(&w->counters.dtls_handshakes, 1);
        net_dtls_arm(s, now_ms);
        return 0;
    }
    int e = SSL_get_error(s->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        net_dtls_arm(s, now_ms);
        return 0;
    }
    char a[ADDR_STR_LEN];
    log_debug("DTLS handshake with %s failed: %s", addr_format(&s->peer.client, a, sizeof(a)),
              ERR_reason_error_string(ERR_peek_last_error()));
    COUNTER_ADD(&w->counters.dtls_handshake_failed, 1);
    return -1;
}

/* Reads every record the datagram held. Returns 0, or -1 when the session ended (s must be
 * freed). */
static int net_dtls_read_records(struct net_dtls_session *s, uint64_t now_ms)
{
    uint8_t *plain = s->peer.dtls->plain;

    for (;;) {
        int n = SSL_read(s->ssl, plain, NET_DTLS_PLAIN_MAX);
        if (n > 0) {
            net_dtls_handle_record(s, plain, (size_t)n, now_ms);
            continue;
        }
        int e = SSL_get_error(s->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            return 0;
        }
        /* close_notify (SSL_ERROR_ZERO_RETURN) or a fatal alert: the session is over. */
        return -1;
    }
}

static int net_dtls_session_input(struct net_dtls_session *s, const uint8_t *data, size_t len)
{
    uint64_t now_ms = clock_now_ms();

    s->last_rx_ms = now_ms;
    if (BIO_write(s->rbio, data, (int)len) != (int)len) {
        return -1;
    }
    if ((!s->established && net_dtls_handshake(s, now_ms) < 0) ||
        (s->established && net_dtls_read_records(s, now_ms) < 0)) {
        net_dtls_session_free(s);
        return 0;
    }
    /* What the SSL did not take (a broken record) must not prefix the next datagram. */
    (void)BIO_reset(s->rbio);
    return 0;
}

/* Makes the SSL DTLSv1_listen() runs on, from the worker's current context. Returns 0 or -1. */
static int net_dtls_listen_prepare(struct net_dtls *d)
{
    struct net_worker *w = d->worker;

    if (d->listen != NULL) {
        return 0;
    }
    if (d->method == NULL) {
        d->method = net_dtls_bio_method();
        d->listen_addr = BIO_ADDR_new();
    }
    SSL *ssl = net_tls_has_dtls(w->tls) ? net_tls_ssl_new(w->tls, true) : NULL;
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO *wbio = d->method != NULL ? BIO_new(d->method) : NULL;
    if (ssl == NULL || rbio == NULL || wbio == NULL || d->listen_addr == NULL) {
        SSL_free(ssl);
        BIO_free(rbio);
        BIO_free(wbio);
        ERR_clear_error();
        return -1;
    }
    /* An empty memory BIO means "try again later", not end of file. */
    BIO_set_mem_eof_return(rbio, -1);
    BIO_set_data(wbio, &d->listen_peer);
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
    (void)SSL_set_mtu(ssl, NET_DTLS_MTU);
    SSL_set_app_data(ssl, &d->cookie);
    d->listen = ssl;
    d->listen_rbio = rbio;
    return 0;
}

static void net_dtls_listen_drop(struct net_dtls *d)
{
    SSL_free(d->listen);
    d->listen = NULL;
    d->listen_rbio = NULL;
    ERR_clear_error();
}

/* Turns the listen SSL, whose client just proved its address, into a session. */
static void net_dtls_session_start(struct net_dtls *d, int ip_counted)
{
    struct net_dtls_session *s = xcalloc(1, sizeof(*s));
    uint64_t now_ms = clock_now_ms();
    struct net_worker *w = d->worker;

    s->peer = d->listen_peer;
    s->ssl = d->listen;
    s->rbio = d->listen_rbio;
    s->ip_counted = ip_counted > 0;
    s->started_ms = s->last_rx_ms = now_ms;
    d->listen = NULL;
    d->listen_rbio = NULL;
    BIO_set_data(SSL_get_wbio(s->ssl), &s->peer);
    s->timer = evtimer_new(w->base, net_dtls_on_timer, s);
    size_t slot = net_dtls_slot(d, &s->peer.client, &s->peer.local);
    s->next = d->buckets[slot];
    d->buckets[slot] = s;
    d->count++;
    COUNTER_ADD(&w->counters.dtls_sessions, 1);
    if (s->timer == NULL || net_dtls_handshake(s, now_ms) < 0) {
        net_dtls_session_free(s);
    }
}

/* A datagram from a client without a session: only a ClientHello with a valid cookie goes
 * further; anything else is answered with a cookie or dropped, and nothing is kept. */
static int net_dtls_listen(struct net_dtls *d, struct net_udp *u,
                           const struct turn_packet_info *info, const uint8_t *data, size_t len)
{
    struct net_worker *w = d->worker;

    if (net_dtls_listen_prepare(d) < 0) {
        return -1;
    }
    d->listen_peer =
        (struct net_dtls_peer){.dtls = d, .udp = u, .client = info->client, .local = info->local};
    d->cookie.client = info->client;
    if (BIO_write(d->listen_rbio, data, (int)len) != (int)len) {
        net_dtls_listen_drop(d);
        return -1;
    }
    int rc = DTLSv1_listen(d->listen, d->listen_addr);
    if (rc <= 0) {
        (void)BIO_reset(d->listen_rbio);
        if (rc < 0) {
            net_dtls_listen_drop(d);
        }
        ERR_clear_error();
        return rc < 0 ? -1 : 0;
    }
    /* A client that restarted from the same address and port proved it with the cookie: its
     * old session is gone on its side, so it goes here too. */
    struct net_dtls_session *old = net_dtls_find(d, &info->client, &info->local);
    if (old != NULL) {
        net_dtls_session_free(old);
    }
    int counted = net_shared_conn_acquire(w->shared, &info->client);
    if (d->count >= w->opts->tcp_max_conns || counted < 0) {
        COUNTER_ADD(&w->counters.conn_refused_per_ip, counted < 0 ? 1 : 0);
        COUNTER_ADD(&w->counters.tcp_refused, counted < 0 ? 0 : 1);
        if (counted > 0) {
            net_shared_conn_release(w->shared, &info->client);
        }
        net_dtls_listen_drop(d);
        return -1;
    }
    net_dtls_session_start(d, counted);
    return 0;
}

/* True for a handshake record of epoch 0 (RFC 6347 section 4.1: type 22, version, epoch): a
 * ClientHello starting a new session, which an established session never receives. */
static bool net_dtls_is_new_hello(const uint8_t *data, size_t len)
{
    return len >= 13 && data[0] == 22 && data[3] == 0 && data[4] == 0;
}

int net_dtls_input(struct net_dtls *d, struct net_udp *u, const struct turn_packet_info *info,
                   const uint8_t *data, size_t len)
{
    struct net_dtls_session *s = net_dtls_find(d, &info->client, &info->local);

    if (s != NULL && !(s->established && net_dtls_is_new_hello(data, len))) {
        return net_dtls_session_input(s, data, len);
    }
    if (!net_tls_has_dtls(d->worker->tls)) {
        return -1;
    }
    return net_dtls_listen(d, u, info, data, len);
}

void net_dtls_tls_changed(struct net_dtls *d)
{
    if (d->listen != NULL) {
        net_dtls_listen_drop(d);
    }
}

void net_dtls_free(struct net_dtls *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < NET_DTLS_BUCKETS; i++) {
        while (d->buckets[i] != NULL) {
            net_dtls_session_free(d->buckets[i]);
        }
    }
    if (d->listen != NULL) {
        net_dtls_listen_drop(d);
    }
    BIO_ADDR_free(d->listen_addr);
    BIO_meth_free(d->method);
    explicit_bzero(d->cookie.secret, sizeof(d->cookie.secret));
    xfree(&d->plain);
    xfree(&d);
}
