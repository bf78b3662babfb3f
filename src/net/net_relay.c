#define LOG_MODULE "relay"
#include "net/net_relay.h"

#include "net/net_shared.h"
#include "net/net_tcp.h"
#include "net/net_udp.h"
#include "net/net_worker.h"
#include "turn/turn_handle.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest datagram read from a peer. */
#define NET_RELAY_DGRAM_MAX 65536
/* One slot: room for the Data indication header, the datagram, and the padding after it. */
#define NET_RELAY_SLOT_LEN (TURN_PEER_HEADROOM + NET_RELAY_DGRAM_MAX + TURN_PEER_TAILROOM)
/* Batches read per wakeup before yielding to the other events of the loop. */
#define NET_RELAY_ROUNDS 4
/* Ports tried when the one drawn is held by another process. */
#define NET_RELAY_BIND_TRIES 8
#define NET_RELAY_SOCKBUF    (1024 * 1024)

/* The socket behind one struct turn_relay. */
struct net_relay {
    struct net_worker *worker;
    struct turn_relay *relay;
    struct net_ports *pool;
    int fd;
    struct event *ev;
    uint16_t port;
    bool dont_fragment; /* DF is set on the socket */
};

struct net_relay_batch {
    unsigned len;
    unsigned used; /* receive slots the last recvmmsg() filled: the ones to re-arm */
    uint8_t *data; /* len * NET_RELAY_SLOT_LEN */
    struct sockaddr_storage *peers;
    struct iovec *rx_iov;
    struct mmsghdr *rx;
    struct iovec *tx_iov;
    struct mmsghdr *tx;
};

static void net_relay_prepare_rx(struct net_relay_batch *b);

struct net_relay_batch *net_relay_batch_new(unsigned batch_len)
{
    struct net_relay_batch *b = xcalloc(1, sizeof(*b));

    b->len = batch_len ? batch_len : 1;
    b->data = xmalloc((size_t)b->len * NET_RELAY_SLOT_LEN);
    b->peers = xcalloc(b->len, sizeof(*b->peers));
    b->rx_iov = xcalloc(b->len, sizeof(*b->rx_iov));
    b->rx = xcalloc(b->len, sizeof(*b->rx));
    b->tx_iov = xcalloc(b->len, sizeof(*b->tx_iov));
    b->tx = xcalloc(b->len, sizeof(*b->tx));
    b->used = b->len;
    net_relay_prepare_rx(b);
    b->used = 0;
    return b;
}

void net_relay_batch_free(struct net_relay_batch *b)
{
    if (b == NULL) {
        return;
    }
    xfree(&b->data);
    xfree(&b->peers);
    xfree(&b->rx_iov);
    xfree(&b->rx);
    xfree(&b->tx_iov);
    xfree(&b->tx);
    xfree(&b);
}

static uint8_t *net_relay_slot(const struct net_relay_batch *b, unsigned i)
{
    return b->data + (size_t)i * NET_RELAY_SLOT_LEN;
}

/* Re-arms the receive slots the last recvmmsg() used (the others are still armed). */
static void net_relay_prepare_rx(struct net_relay_batch *b)
{
    for (unsigned i = 0; i < b->used; i++) {
        struct msghdr *h = &b->rx[i].msg_hdr;
        b->rx_iov[i].iov_base = net_relay_slot(b, i) + TURN_PEER_HEADROOM;
        b->rx_iov[i].iov_len = NET_RELAY_DGRAM_MAX;
        memset(h, 0, sizeof(*h));
        h->msg_name = &b->peers[i];
        h->msg_namelen = sizeof(b->peers[i]);
        h->msg_iov = &b->rx_iov[i];
        h->msg_iovlen = 1;
    }
}

/* Sends the count messages prepared in b->tx_iov to the client over UDP, through the listening
 * socket the client talks to, from the address it reached. */
static void net_relay_flush_udp(struct net_relay *nr, struct net_udp *u, const struct addr *client,
                                const struct addr *local, unsigned count)
{
    struct net_relay_batch *b = nr->worker->relay_batch;
    struct sockaddr_storage to;
    uint8_t ctl[NET_UDP_CTL_LEN] __attribute__((aligned(8)));

    socklen_t to_len = addr_to_sockaddr(client, &to);
    size_t ctl_len = net_udp_source_control(ctl, sizeof(ctl), local);
    for (unsigned i = 0; i < count; i++) {
        struct msghdr *h = &b->tx[i].msg_hdr;
        memset(h, 0, sizeof(*h));
        h->msg_name = &to;
        h->msg_namelen = to_len;
        h->msg_iov = &b->tx_iov[i];
        h->msg_iovlen = 1;
        h->msg_control = ctl;
        h->msg_controllen = ctl_len;
    }
    net_udp_send_batch(u, b->tx, count);
}

/* Passes datagram i of the batch through the core; returns 1 when it queued a message for the
 * client in tx slot out (and set *conn), else 0. */
static unsigned net_relay_handle_one(struct net_relay *nr, unsigned i, unsigned out,
                                     uint64_t now_ms, void **conn)
{
    struct net_relay_batch *b = nr->worker->relay_batch;
    struct turn_peer_packet p = {
        .relay = nr->relay, .buf = net_relay_slot(b, i), .len = b->rx[i].msg_len, .now_ms = now_ms};

    COUNTER_ADD(&nr->worker->counters.relay_rx_packets, 1);
    if ((b->rx[i].msg_hdr.msg_flags & MSG_TRUNC) ||
        addr_from_sockaddr(&p.peer, (struct sockaddr *)&b->peers[i], b->rx[i].msg_hdr.msg_namelen) <
            0 ||
        turn_handle_peer(nr->worker->turn, &p) < 0) {
        COUNTER_ADD(&nr->worker->counters.relay_dropped, 1);
        return 0;
    }
    b->tx_iov[out].iov_base = (void *)p.msg;
    b->tx_iov[out].iov_len = p.msg_len;
    *conn = p.conn;
    return 1;
}

static void net_relay_deliver(struct net_relay *nr, void *conn, unsigned count)
{
    struct addr client;
    struct addr local;
    enum turn_transport transport;

    if (count == 0) {
        return;
    }
    turn_handle_client_of(nr->relay, &client, &local, &transport);
    if (transport == TURN_TRANSPORT_UDP) {
        net_relay_flush_udp(nr, conn, &client, &local, count);
        return;
    }
    for (unsigned i = 0; i < count; i++) {
        struct iovec *v = &nr->worker->relay_batch->tx_iov[i];
        net_tcp_conn_send(conn, v->iov_base, v->iov_len);
    }
}

static void net_relay_on_read(evutil_socket_t fd, short what, void *arg)
{
    struct net_relay *nr = arg;
    struct net_relay_batch *b = nr->worker->relay_batch;

    (void)what;
    for (int round = 0; round < NET_RELAY_ROUNDS; round++) {
        net_relay_prepare_rx(b);
        int n = recvmmsg(fd, b->rx, b->len, MSG_DONTWAIT, NULL);
        b->used = n > 0 ? (unsigned)n : 0;
        if (n <= 0) {
            return;
        }
        uint64_t now_ms = clock_now_ms();
        void *conn = NULL;
        unsigned out = 0;
        for (unsigned i = 0; i < (unsigned)n; i++) {
            out += net_relay_handle_one(nr, i, out, now_ms, &conn);
        }
        net_relay_deliver(nr, conn, out);
        if ((unsigned)n < b->len) {
            return;
        }
    }
}

/* Picks the relay IP for req: a configured relay address of the family (in turn, when several),
 * else the address the client reached when it has the family, else a listening address of it. */
static int net_relay_choose_ip(struct net_worker *w, const struct turn_relay_request *req,
                               struct addr *bound, struct addr *advertised)
{
    const struct net_options *o = w->opts;

    for (size_t k = 0; k < o->relay_ip_count; k++) {
        size_t i = (w->relay_next + k) % o->relay_ip_count;
        if (o->relay_ips[i].family == req->family) {
            w->relay_next = i + 1;
            *bound = o->relay_ips[i];
            bool external = o->relay_external_ips[i].family != 0;
            *advertised = external ? o->relay_external_ips[i] : o->relay_ips[i];
            return 0;
        }
    }
    if (o->relay_ip_count > 0) {
        return TURN_IO_ERR_FAMILY;
    }
    if (req->local.family == req->family && !addr_is_any(&req->local)) {
        *bound = *advertised = req->local;
        return 0;
    }
    for (size_t i = 0; i < o->listen_ip_count; i++) {
        if (o->listen_ips[i].family == req->family && !addr_is_any(&o->listen_ips[i])) {
            *bound = *advertised = o->listen_ips[i];
            return 0;
        }
    }
    return TURN_IO_ERR_FAMILY;
}

static uint16_t net_relay_take_port(struct net_ports *pool, const struct turn_relay_request *req,
                                    uint64_t now_ms, uint64_t *token_out)
{
    if (req->token != 0) {
        return net_ports_claim(pool, req->token, now_ms);
    }
    if (req->reserve_next) {
        return net_ports_take_pair(pool, now_ms, token_out);
    }
    return net_ports_take(pool, req->even_port, now_ms);
}

/* Opens a UDP socket bound to ip:port. Returns the descriptor, or -1 with errno set. */
static int net_relay_bind(const struct addr *ip, uint16_t port)
{
    struct sockaddr_storage ss;
    struct addr a = *ip;

    a.port = port;
    socklen_t len = addr_to_sockaddr(&a, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Draws ports until one binds. Returns 0 with nr->fd and nr->port set, or an enum turn_io_err. */
static int net_relay_open_socket(struct net_relay *nr, const struct turn_relay_request *req,
                                 const struct addr *ip, uint64_t *token_out)
{
    uint64_t now_ms = clock_now_ms();

    for (int attempt = 0; attempt < NET_RELAY_BIND_TRIES; attempt++) {
        uint16_t port = net_relay_take_port(nr->pool, req, now_ms, token_out);
        if (port == 0) {
            return req->token != 0 ? TURN_IO_ERR_TOKEN : TURN_IO_ERR_NO_PORT;
        }
        nr->fd = net_relay_bind(ip, port);
        if (nr->fd >= 0) {
            nr->port = port;
            return 0;
        }
        int bind_errno = errno;
        net_ports_give_back(nr->pool, port, now_ms);
        if (bind_errno != EADDRINUSE || req->token != 0) {
            char a[ADDR_STR_LEN];
            log_warn("bind() of a relay socket on %s port %u failed: %s",
                     addr_format_ip(ip, a, sizeof(a)), port, strerror(bind_errno));
            return TURN_IO_ERR_SOCKET;
        }
    }
    return TURN_IO_ERR_NO_PORT;
}

/* Sets or clears the DF bit on what the socket sends (RFC 8656 section 7.2, DONT-FRAGMENT). */
static void net_relay_set_df(struct net_relay *nr, bool on)
{
    int v4 = on ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
    int v6 = on ? 1 : 0;

    if (nr->relay->bound.family == AF_INET) {
        (void)setsockopt(nr->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));
    } else {
        (void)setsockopt(nr->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &v6, sizeof(v6));
    }
    nr->dont_fragment = on;
}

static void net_relay_free(struct net_relay *nr)
{
    if (nr->ev != NULL) {
        event_free(nr->ev);
    }
    if (nr->fd >= 0) {
        close(nr->fd);
        net_ports_give_back(nr->pool, nr->port, clock_now_ms());
    }
    xfree(&nr);
}

static int net_relay_open(void *ctx, const struct turn_relay_request *req, struct turn_relay *relay,
                          uint64_t *token_out)
{
    struct net_worker *w = ctx;
    struct addr ip;
    struct addr advertised;

    int rc = net_relay_choose_ip(w, req, &ip, &advertised);
    if (rc < 0) {
        return rc;
    }
    struct net_relay *nr = xcalloc(1, sizeof(*nr));
    nr->worker = w;
    nr->relay = relay;
    nr->fd = -1;
    nr->pool = net_shared_pool(w->shared, &ip);
    rc = nr->pool != NULL ? net_relay_open_socket(nr, req, &ip, token_out) : TURN_IO_ERR_NO_PORT;
    if (rc < 0) {
        net_relay_free(nr);
        return rc;
    }
    relay->bound = ip;
    relay->bound.port = nr->port;
    relay->advertised = advertised;
    relay->advertised.port = nr->port;
    relay->handle = nr;
    net_socket_set_buffers(nr->fd, NET_RELAY_SOCKBUF);
    if (req->dont_fragment) {
        net_relay_set_df(nr, true);
    }
    nr->ev = event_new(w->base, nr->fd, EV_READ | EV_PERSIST, net_relay_on_read, nr);
    if (nr->ev == NULL || event_add(nr->ev, NULL) < 0) {
        relay->handle = NULL;
        net_relay_free(nr);
        return TURN_IO_ERR_SOCKET;
    }
    COUNTER_ADD(&w->counters.relays_open, 1);
    return 0;
}

static void net_relay_close(void *ctx, struct turn_relay *relay)
{
    struct net_worker *w = ctx;

    if (relay->handle == NULL) {
        return;
    }
    net_relay_free(relay->handle);
    relay->handle = NULL;
    COUNTER_SUB(&w->counters.relays_open, 1);
}

static int net_relay_quota_acquire(void *ctx, const char *username, const struct addr *client)
{
    struct net_worker *w = ctx;

    return net_quota_acquire(&w->shared->quota, username, client);
}

static void net_relay_quota_release(void *ctx, const char *username, const struct addr *client)
{
    struct net_worker *w = ctx;

    net_quota_release(&w->shared->quota, username, client);
}

/* Hands the record to the composition root's queue (it copies and never blocks). */
static void net_relay_usage_record(void *ctx, const struct turn_usage *rec)
{
    struct net_worker *w = ctx;

    if (w->hooks.usage != NULL) {
        w->hooks.usage(w->hooks.usage_ctx, rec);
    }
}

const struct turn_io_ops net_relay_io_ops = {
    .relay_open = net_relay_open,
    .relay_close = net_relay_close,
    .quota_acquire = net_relay_quota_acquire,
    .quota_release = net_relay_quota_release,
    .usage_record = net_relay_usage_record,
};

int net_relay_send(const struct turn_relay *relay, const struct addr *peer, const uint8_t *data,
                   size_t len, bool dont_fragment)
{
    struct net_relay *nr = relay->handle;
    struct sockaddr_storage to;

    if (nr == NULL) {
        return -1;
    }
    if (dont_fragment && !nr->dont_fragment) {
        /* RFC 8656 section 11.2: once a Send indication asks for DF, keep it on. */
        net_relay_set_df(nr, true);
    }
    socklen_t to_len = addr_to_sockaddr(peer, &to);
    if (sendto(nr->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, to_len) < 0) {
        COUNTER_ADD(&nr->worker->counters.relay_dropped, 1);
        return -1;
    }
    COUNTER_ADD(&nr->worker->counters.relay_tx_packets, 1);
    return 0;
}
