#define LOG_MODULE "relay"
#include "net/net_relay.h"

#include "net/net_dtls.h"
#include "net/net_shared.h"
#include "net/net_tcp.h"
#include "net/net_udp.h"
#include "net/net_worker.h"
#include "turn/turn_handle.h"
#include "turn/turn_pool.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/event.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/udp.h>
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
/* UDP GSO (UDP_SEGMENT): the most segments in one send, their bytes in all, and the largest
 * segment sent that way. Larger datagrams go one by one: a segment above the path MTU would make
 * the whole send fail, and 1,232 bytes fit any IPv6 link (1,280 less the headers). */
#define NET_RELAY_GSO_SEGS  64
#define NET_RELAY_GSO_BYTES 65000
#define NET_RELAY_GSO_MAX   1232
#define NET_RELAY_CTL_LEN   (NET_UDP_CTL_LEN + 32)
/* Memory given back: once this many relays closed, this long after. */
#define NET_RELAY_TRIM_AFTER   256
#define NET_RELAY_TRIM_DELAY_S 1
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

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

/* A datagram for a peer, queued while a batch from clients is handled (net_relay_queue). */
struct net_relay_out {
    struct net_relay *nr; /* NULL once the relay closed before the flush */
    struct sockaddr_storage to;
    socklen_t to_len;
    struct iovec iov;
};

struct net_relay_batch {
    unsigned len;
    unsigned used; /* receive slots the last recvmmsg() filled: the ones to re-arm */
    bool gso;      /* the kernel takes UDP_SEGMENT */
    uint8_t *data; /* len * NET_RELAY_SLOT_LEN */
    struct sockaddr_storage *peers;
    struct iovec *rx_iov;
    struct mmsghdr *rx;
    struct iovec *tx_iov;
    struct mmsghdr *tx;
    uint8_t (*ctl)[NET_RELAY_CTL_LEN]; /* per message sent: source address and segment size */
    struct net_relay_out *out;         /* datagrams for peers waiting for net_relay_flush() */
    unsigned out_count;
    struct iovec *gso_iov; /* the segments of the messages of one flush to peers */
    struct event *trim;    /* one-shot: gives freed memory back (net_relay_trim_soon) */
    /* Datagrams for UDP clients wait in their receive slots [0, filled) until the end of the
     * event loop's round (the flush event), so that what many relays read leaves together. */
    unsigned filled;
    unsigned armed_from; /* slots [armed_from, len) are armed for recvmmsg() */
    unsigned pend_count;
    struct iovec *pend_iov;
    struct sockaddr_storage *pend_to;
    socklen_t *pend_to_len;
    struct net_udp **pend_u;
    uint8_t (*pend_ctl)[NET_RELAY_CTL_LEN];
    size_t *pend_ctl_len;
    struct mmsghdr *pend_msgs;
    struct event *flush; /* activated when the first datagram waits */
    /* Every struct net_relay, each with its struct event after it (event_assign()). */
    struct turn_pool relays;
    unsigned closed; /* relays closed since the last trim */
};

static void net_relay_prepare_rx(struct net_relay_batch *b);

/* Where a relay's struct event starts, after the struct net_relay, in one pool object. */
static size_t net_relay_event_offset(void)
{
    return (sizeof(struct net_relay) + 15u) & ~(size_t)15u;
}

/* True when the kernel knows UDP_SEGMENT (Linux 4.18 and later). */
static bool net_relay_gso_probe(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int size = NET_RELAY_GSO_MAX;
    bool ok = fd >= 0 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof(size)) == 0;

    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

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
    b->ctl = xcalloc(b->len, sizeof(*b->ctl));
    b->out = xcalloc(b->len, sizeof(*b->out));
    b->gso_iov = xcalloc(b->len, sizeof(*b->gso_iov));
    b->gso = net_relay_gso_probe();
    turn_pool_init(&b->relays, net_relay_event_offset() + event_get_struct_event_size());
    b->pend_iov = xcalloc(b->len, sizeof(*b->pend_iov));
    b->pend_to = xcalloc(b->len, sizeof(*b->pend_to));
    b->pend_to_len = xcalloc(b->len, sizeof(*b->pend_to_len));
    b->pend_u = xcalloc(b->len, sizeof(struct net_udp *));
    b->pend_ctl = xcalloc(b->len, sizeof(*b->pend_ctl));
    b->pend_ctl_len = xcalloc(b->len, sizeof(*b->pend_ctl_len));
    b->pend_msgs = xcalloc(b->len, sizeof(*b->pend_msgs));
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
    xfree(&b->ctl);
    xfree(&b->out);
    xfree(&b->gso_iov);
    if (b->trim != NULL) {
        event_free(b->trim);
    }
    if (b->flush != NULL) {
        event_free(b->flush);
    }
    xfree(&b->pend_iov);
    xfree(&b->pend_to);
    xfree(&b->pend_to_len);
    xfree(&b->pend_u);
    xfree(&b->pend_ctl);
    xfree(&b->pend_ctl_len);
    xfree(&b->pend_msgs);
    turn_pool_fini(&b->relays);
    xfree(&b);
}

static uint8_t *net_relay_slot(const struct net_relay_batch *b, unsigned i)
{
    return b->data + (size_t)i * NET_RELAY_SLOT_LEN;
}

/* Re-arms the free receive slots a recvmmsg() used since they were last armed (slots
 * [filled, used)); the others are still armed, or hold datagrams waiting for the flush. */
static void net_relay_prepare_rx(struct net_relay_batch *b)
{
    for (unsigned i = b->filled; i < b->used; i++) {
        struct msghdr *h = &b->rx[i].msg_hdr;
        b->rx_iov[i].iov_base = net_relay_slot(b, i) + TURN_PEER_HEADROOM;
        b->rx_iov[i].iov_len = NET_RELAY_DGRAM_MAX;
        memset(h, 0, sizeof(*h));
        h->msg_name = &b->peers[i];
        h->msg_namelen = sizeof(b->peers[i]);
        h->msg_iov = &b->rx_iov[i];
        h->msg_iovlen = 1;
    }
    if (b->used > b->filled) {
        b->used = b->filled;
    }
}

/* Appends a UDP_SEGMENT control message of segment size seg after the first used bytes of the
 * control buffer of h. */
static void net_relay_add_gso(struct msghdr *h, size_t used, uint16_t seg)
{
    struct cmsghdr *c = (struct cmsghdr *)(void *)((uint8_t *)h->msg_control + used);

    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(seg));
    memcpy(CMSG_DATA(c), &seg, sizeof(seg));
    h->msg_controllen = used + CMSG_SPACE(sizeof(seg));
}

/* How many datagrams from iov[i] on (of count) can leave as one UDP GSO send: same length, at
 * most NET_RELAY_GSO_MAX bytes each, NET_RELAY_GSO_SEGS and NET_RELAY_GSO_BYTES in all. 1 when
 * they cannot. */
static unsigned net_relay_gso_run(const struct net_relay_batch *b, const struct iovec *iov,
                                  unsigned i, unsigned count)
{
    size_t len = iov[i].iov_len;
    unsigned k = 1;

    if (!b->gso || i + 1 >= count || len > NET_RELAY_GSO_MAX || len == 0) {
        return 1;
    }
    while (i + k < count && k < NET_RELAY_GSO_SEGS && iov[i + k].iov_len == len &&
           (k + 1) * len <= NET_RELAY_GSO_BYTES) {
        k++;
    }
    return k;
}

/* Sends every datagram waiting for UDP clients: one sendmmsg() per listening socket, runs of one
 * client's datagrams of one length as one UDP GSO send each. Then every slot is free again. */
static void net_relay_flush_clients(struct net_relay_batch *b)
{
    unsigned m = 0;

    for (unsigned i = 0; i < b->pend_count; m++) {
        struct msghdr *h = &b->pend_msgs[m].msg_hdr;
        unsigned k = net_relay_gso_run(b, b->pend_iov, i, b->pend_count);
        while (k > 1 && (b->pend_u[i + k - 1] != b->pend_u[i] ||
                         b->pend_to_len[i + k - 1] != b->pend_to_len[i] ||
                         memcmp(&b->pend_to[i + k - 1], &b->pend_to[i], b->pend_to_len[i]) != 0 ||
                         b->pend_ctl_len[i + k - 1] != b->pend_ctl_len[i] ||
                         memcmp(b->pend_ctl[i + k - 1], b->pend_ctl[i], b->pend_ctl_len[i]) != 0)) {
            k--; /* a run is one client's, from one local address */
        }
        memset(h, 0, sizeof(*h));
        h->msg_name = &b->pend_to[i];
        h->msg_namelen = b->pend_to_len[i];
        h->msg_iov = &b->pend_iov[i];
        h->msg_iovlen = k;
        h->msg_control = b->pend_ctl[i];
        h->msg_controllen = b->pend_ctl_len[i];
        if (k > 1) {
            net_relay_add_gso(h, b->pend_ctl_len[i], (uint16_t)b->pend_iov[i].iov_len);
        }
        b->pend_u[m] = b->pend_u[i]; /* m <= i: the socket of message m */
        i += k;
    }
    for (unsigned j = 0; j < m;) {
        unsigned end = j + 1;
        while (end < m && b->pend_u[end] == b->pend_u[j]) {
            end++;
        }
        net_udp_send_batch(b->pend_u[j], &b->pend_msgs[j], end - j);
        j = end;
    }
    b->pend_count = 0;
    b->filled = 0;
}

static void net_relay_on_flush(evutil_socket_t fd, short what, void *arg);

/* Sends what waits for UDP clients now when no other event of this round of the loop is left
 * to add to it; else at the end of the round, from the flush event. */
static void net_relay_flush_soon(struct net_worker *w)
{
    struct net_relay_batch *b = w->relay_batch;

    if (b->pend_count == 0) {
        return;
    }
    if (event_base_get_num_events(w->base, EVENT_BASE_COUNT_ACTIVE) == 0) {
        net_relay_flush_clients(b);
        return;
    }
    if (b->flush == NULL) {
        b->flush = event_new(w->base, -1, 0, net_relay_on_flush, b);
    }
    if (b->flush != NULL) {
        event_active(b->flush, EV_TIMEOUT, 0);
    } else {
        net_relay_flush_clients(b); /* no memory for the event: send now */
    }
}

static void net_relay_on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    net_relay_flush_clients(arg);
}

/* Queues the count messages prepared in b->tx_iov (in slots from b->filled on) for the client,
 * to leave through the listening socket u from the address it reached (net_relay_flush_soon). */
static bool net_relay_queue_udp(struct net_relay *nr, struct net_udp *u, const struct addr *client,
                                const struct addr *local, unsigned count)
{
    struct net_relay_batch *b = nr->worker->relay_batch;

    for (unsigned i = 0; i < count; i++) {
        unsigned q = b->pend_count++;
        b->pend_iov[q] = b->tx_iov[i];
        b->pend_u[q] = u;
        b->pend_to_len[q] = addr_to_sockaddr(client, &b->pend_to[q]);
        b->pend_ctl_len[q] = net_udp_source_control(b->pend_ctl[q], NET_UDP_CTL_LEN, local);
    }
    return true;
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

/* Sends or queues the count messages of this read for the client. Returns true when they were
 * queued (their slots must wait for the flush). */
static bool net_relay_deliver(struct net_relay *nr, void *conn, unsigned count)
{
    struct addr client;
    struct addr local;
    enum turn_transport transport;

    if (count == 0) {
        return false;
    }
    turn_handle_client_of(nr->relay, &client, &local, &transport);
    if (transport == TURN_TRANSPORT_UDP) {
        return net_relay_queue_udp(nr, conn, &client, &local, count);
    }
    for (unsigned i = 0; i < count; i++) {
        struct iovec *v = &nr->worker->relay_batch->tx_iov[i];
        if (transport == TURN_TRANSPORT_DTLS) {
            (void)net_dtls_session_send(conn, v->iov_base, v->iov_len);
        } else {
            (void)net_tcp_conn_send(conn, v->iov_base, v->iov_len);
        }
    }
    return false;
}

static void net_relay_on_read(evutil_socket_t fd, short what, void *arg)
{
    struct net_relay *nr = arg;
    struct net_relay_batch *b = nr->worker->relay_batch;

    (void)what;
    for (int round = 0; round < NET_RELAY_ROUNDS; round++) {
        if (b->filled == b->len) {
            net_relay_flush_clients(b); /* every slot waits: send them now */
        }
        net_relay_prepare_rx(b);
        unsigned first = b->filled;
        unsigned room = b->len - first;
        int n = recvmmsg(fd, b->rx + first, room, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            break;
        }
        b->used = first + (unsigned)n;
        uint64_t now_ms = clock_now_ms();
        void *conn = NULL;
        unsigned out = 0;
        for (unsigned i = first; i < first + (unsigned)n; i++) {
            out += net_relay_handle_one(nr, i, out, now_ms, &conn);
        }
        if (net_relay_deliver(nr, conn, out)) {
            b->filled = first + (unsigned)n; /* the slots wait for the flush */
        }
        if ((unsigned)n < room) {
            break;
        }
    }
    net_relay_flush_soon(nr->worker);
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
    struct net_relay_batch *b = nr->worker->relay_batch;

    for (unsigned i = 0; i < b->out_count; i++) {
        if (b->out[i].nr == nr) {
            b->out[i].nr = NULL; /* closed before the flush: its datagrams are dropped */
        }
    }
    if (nr->ev != NULL) {
        (void)event_del(nr->ev); /* its memory is the pool's (event_assign()) */
    }
    if (nr->fd >= 0) {
        close(nr->fd);
        net_ports_give_back(nr->pool, nr->port, clock_now_ms());
    }
    turn_pool_put(&b->relays, nr);
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
    struct net_relay *nr = turn_pool_get(&w->relay_batch->relays);
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
    struct event *ev = (struct event *)(void *)((uint8_t *)nr + net_relay_event_offset());
    if (event_assign(ev, w->base, nr->fd, EV_READ | EV_PERSIST, net_relay_on_read, nr) < 0) {
        relay->handle = NULL;
        net_relay_free(nr);
        return TURN_IO_ERR_SOCKET;
    }
    nr->ev = ev;
    if (event_add(nr->ev, NULL) < 0) {
        relay->handle = NULL;
        net_relay_free(nr);
        return TURN_IO_ERR_SOCKET;
    }
    COUNTER_ADD(&w->counters.relays_open, 1);
    return 0;
}

static void net_relay_trim(evutil_socket_t fd, short what, void *arg)
{
    struct net_relay_batch *b = arg;

    (void)fd;
    (void)what;
    b->closed = 0;
    (void)malloc_trim(0);
}

/* After many allocations ended, gives the memory they held back to the system a moment later
 * (malloc keeps freed memory otherwise): one malloc_trim() for a burst of ends, not one each. */
static void net_relay_trim_soon(struct net_worker *w)
{
    struct net_relay_batch *b = w->relay_batch;
    struct timeval later = {.tv_sec = NET_RELAY_TRIM_DELAY_S};

    if (++b->closed < NET_RELAY_TRIM_AFTER) {
        return;
    }
    if (b->trim == NULL) {
        b->trim = evtimer_new(w->base, net_relay_trim, b);
    }
    if (b->trim != NULL && !evtimer_pending(b->trim, NULL)) {
        (void)evtimer_add(b->trim, &later);
    }
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
    net_relay_trim_soon(w);
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

int net_relay_queue(const struct turn_relay *relay, const struct addr *peer, const uint8_t *data,
                    size_t len, bool dont_fragment)
{
    struct net_relay *nr = relay->handle;

    if (nr == NULL) {
        return -1;
    }
    struct net_relay_batch *b = nr->worker->relay_batch;
    if (dont_fragment && !nr->dont_fragment) {
        /* What was queued before leaves as it was asked: without DF. */
        net_relay_flush(nr->worker);
        net_relay_set_df(nr, true);
    }
    if (b->out_count == b->len) {
        net_relay_flush(nr->worker);
    }
    struct net_relay_out *o = &b->out[b->out_count++];
    o->nr = nr;
    o->to_len = addr_to_sockaddr(peer, &o->to);
    o->iov.iov_base = (void *)data;
    o->iov.iov_len = len;
    return 0;
}

/* True when queued datagrams i and j go to the same peer through the same relay. */
static bool net_relay_out_same(const struct net_relay_out *i, const struct net_relay_out *j)
{
    return i->nr == j->nr && i->to_len == j->to_len && memcmp(&i->to, &j->to, i->to_len) == 0;
}

/* Sends m prepared messages (their segments counted in segs) on nr's socket. */
static void net_relay_send_msgs(struct net_relay *nr, struct mmsghdr *msgs, unsigned m)
{
    unsigned sent = 0;

    while (sent < m) {
        int n = sendmmsg(nr->fd, msgs + sent, m - sent, MSG_DONTWAIT);
        unsigned done = n > 0 ? (unsigned)n : 1;
        for (unsigned i = sent; i < sent + done; i++) {
            if (n > 0) {
                COUNTER_ADD(&nr->worker->counters.relay_tx_packets, msgs[i].msg_hdr.msg_iovlen);
            } else {
                /* A full socket buffer: the datagrams of this message are lost. */
                COUNTER_ADD(&nr->worker->counters.relay_dropped, msgs[i].msg_hdr.msg_iovlen);
            }
        }
        sent += done;
    }
}

/* Sends the queued datagrams from out[*i] on that go through the same relay; advances *i. */
static void net_relay_flush_one(struct net_relay_batch *b, unsigned *i)
{
    struct net_relay *nr = b->out[*i].nr;
    unsigned m = 0;
    unsigned end = *i + 1;

    while (end < b->out_count && b->out[end].nr == nr) {
        end++;
    }
    if (end == *i + 1 && nr != NULL) {
        /* The common case at low rates: one datagram, no message to build. */
        const struct net_relay_out *o = &b->out[*i];
        bool ok = sendto(nr->fd, o->iov.iov_base, o->iov.iov_len, MSG_DONTWAIT,
                         (const struct sockaddr *)&o->to, o->to_len) >= 0;
        COUNTER_ADD(
            ok ? &nr->worker->counters.relay_tx_packets : &nr->worker->counters.relay_dropped, 1);
        *i = end;
        return;
    }
    for (unsigned j = *i; j < end; j++) {
        b->gso_iov[j] = b->out[j].iov;
    }
    for (unsigned j = *i; j < end && nr != NULL; m++) {
        struct msghdr *h = &b->tx[m].msg_hdr;
        unsigned k = net_relay_gso_run(b, b->gso_iov, j, end);
        while (k > 1 && !net_relay_out_same(&b->out[j], &b->out[j + k - 1])) {
            k--; /* a run is one peer's (the queue is in arrival order) */
        }
        memset(h, 0, sizeof(*h));
        h->msg_name = &b->out[j].to;
        h->msg_namelen = b->out[j].to_len;
        h->msg_iov = &b->gso_iov[j];
        h->msg_iovlen = k;
        if (k > 1) {
            h->msg_control = b->ctl[m];
            net_relay_add_gso(h, 0, (uint16_t)b->gso_iov[j].iov_len);
        }
        j += k;
    }
    if (nr != NULL) {
        net_relay_send_msgs(nr, b->tx, m);
    }
    *i = end;
}

void net_relay_flush(struct net_worker *w)
{
    struct net_relay_batch *b = w->relay_batch;

    for (unsigned i = 0; i < b->out_count;) {
        net_relay_flush_one(b, &i);
    }
    b->out_count = 0;
}
