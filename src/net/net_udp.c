#define LOG_MODULE "udp"
#include "net/net_udp.h"

#include "net/net_dtls.h"
#include "net/net_relay.h"
#include "net/net_worker.h"
#include "stun/stun_demux.h"
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

/* The largest datagram read; a longer one is truncated by the kernel and dropped. */
#define NET_UDP_DGRAM_MAX 65536
/* Room for one IP_PKTINFO or IPV6_PKTINFO control message. */
#define NET_UDP_CTL_LEN 64
/* Batches read per wakeup before yielding to the other events of the loop. */
#define NET_UDP_ROUNDS 8
/* Kernel socket buffer asked for: bursts of small packets must not overflow it. */
#define NET_UDP_SOCKBUF (4 * 1024 * 1024)

struct net_udp {
    struct net_worker *worker;
    int fd;
    struct event *ev;
    struct addr local; /* the bound address; its IP may be unspecified */
};

/* One slot of a batch in each direction. */
struct net_udp_slot {
    struct sockaddr_storage peer;
    struct iovec iov;
    uint8_t ctl[NET_UDP_CTL_LEN] __attribute__((aligned(8)));
};

struct net_udp_batch {
    unsigned len;
    unsigned used;    /* receive slots the last recvmmsg() filled: the ones to re-arm */
    uint8_t *rx_data; /* len * NET_UDP_DGRAM_MAX */
    uint8_t *tx_data;
    struct net_udp_slot *rx;
    struct net_udp_slot *tx;
    struct mmsghdr *rx_msgs;
    struct mmsghdr *tx_msgs;
};

static void net_udp_batch_prepare_rx(struct net_udp_batch *b);

struct net_udp_batch *net_udp_batch_new(unsigned batch_len)
{
    struct net_udp_batch *b = xcalloc(1, sizeof(*b));

    b->len = batch_len ? batch_len : 1;
    b->rx_data = xmalloc((size_t)b->len * NET_UDP_DGRAM_MAX);
    b->tx_data = xmalloc((size_t)b->len * NET_UDP_DGRAM_MAX);
    b->rx = xcalloc(b->len, sizeof(*b->rx));
    b->tx = xcalloc(b->len, sizeof(*b->tx));
    b->rx_msgs = xcalloc(b->len, sizeof(*b->rx_msgs));
    b->tx_msgs = xcalloc(b->len, sizeof(*b->tx_msgs));
    b->used = b->len;
    net_udp_batch_prepare_rx(b);
    b->used = 0;
    return b;
}

void net_udp_batch_free(struct net_udp_batch *b)
{
    if (b == NULL) {
        return;
    }
    xfree(&b->rx_data);
    xfree(&b->tx_data);
    xfree(&b->rx);
    xfree(&b->tx);
    xfree(&b->rx_msgs);
    xfree(&b->tx_msgs);
    xfree(&b);
}

/* Re-arms the receive slots the last recvmmsg() used: it overwrites the lengths it is given,
 * and only those (the rest are still armed). */
static void net_udp_batch_prepare_rx(struct net_udp_batch *b)
{
    for (unsigned i = 0; i < b->used; i++) {
        struct net_udp_slot *s = &b->rx[i];
        struct msghdr *h = &b->rx_msgs[i].msg_hdr;
        s->iov.iov_base = b->rx_data + (size_t)i * NET_UDP_DGRAM_MAX;
        s->iov.iov_len = NET_UDP_DGRAM_MAX;
        memset(h, 0, sizeof(*h));
        h->msg_name = &s->peer;
        h->msg_namelen = sizeof(s->peer);
        h->msg_iov = &s->iov;
        h->msg_iovlen = 1;
        h->msg_control = s->ctl;
        h->msg_controllen = sizeof(s->ctl);
    }
}

/* Finds the destination address of a received datagram in its IP_PKTINFO/IPV6_PKTINFO. */
static void net_udp_local_of(const struct msghdr *h, const struct net_udp *u, struct addr *local)
{
    *local = u->local;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR((struct msghdr *)h, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            memcpy(local->ip, &pi.ipi_addr, 4);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            memcpy(local->ip, &pi.ipi6_addr, 16);
        }
    }
}

size_t net_udp_source_control(uint8_t *ctl, size_t cap, const struct addr *local)
{
    struct msghdr h = {.msg_control = ctl, .msg_controllen = cap};
    struct cmsghdr *c = CMSG_FIRSTHDR(&h);

    memset(ctl, 0, cap);
    if (local->family == AF_INET) {
        struct in_pktinfo pi = {0};
        memcpy(&pi.ipi_spec_dst, local->ip, 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
        return CMSG_SPACE(sizeof(pi));
    }
    struct in6_pktinfo pi6 = {0};
    memcpy(&pi6.ipi6_addr, local->ip, 16);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi6));
    memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
    return CMSG_SPACE(sizeof(pi6));
}

/* Queues reply slot out of the batch for the peer of receive slot i. */
static void net_udp_queue_reply(struct net_udp_batch *b, unsigned i, unsigned out, size_t len,
                                const struct addr *local)
{
    struct net_udp_slot *s = &b->tx[out];
    struct msghdr *h = &b->tx_msgs[out].msg_hdr;

    memcpy(&s->peer, &b->rx[i].peer, sizeof(s->peer));
    s->iov.iov_base = b->tx_data + (size_t)out * NET_UDP_DGRAM_MAX;
    s->iov.iov_len = len;
    memset(h, 0, sizeof(*h));
    h->msg_name = &s->peer;
    h->msg_namelen = b->rx_msgs[i].msg_hdr.msg_namelen;
    h->msg_iov = &s->iov;
    h->msg_iovlen = 1;
    h->msg_control = s->ctl;
    h->msg_controllen = net_udp_source_control(s->ctl, sizeof(s->ctl), local);
}

/* Passes a client datagram to the core: STUN messages and ChannelData. Returns 0, or negative
 * when it was dropped. */
static int net_udp_dispatch(struct net_udp *u, const struct turn_packet_info *info,
                            const uint8_t *data, size_t len, struct turn_out *out)
{
    switch (stun_demux_datagram(data[0])) {
    case STUN_DEMUX_STUN:
        COUNTER_ADD(&u->worker->counters.stun_requests, 1);
        return turn_handle_stun(u->worker->turn, info, data, len, out);
    case STUN_DEMUX_CHANNEL:
        return turn_handle_channel(u->worker->turn, info, data, len, out);
    case STUN_DEMUX_DTLS:
        /* Answers leave from inside the DTLS session, encrypted, not through this batch. */
        return net_dtls_input(u->worker->dtls, u, info, data, len);
    default:
        return -1;
    }
}

/* Handles datagram i of the batch; returns 1 when it queued a reply in slot out, else 0. */
static unsigned net_udp_handle_one(struct net_udp *u, unsigned i, unsigned out,
                                   const struct turn_packet_info *now)
{
    struct net_udp_batch *b = u->worker->batch;
    struct msghdr *h = &b->rx_msgs[i].msg_hdr;
    size_t len = b->rx_msgs[i].msg_len;
    const uint8_t *data = b->rx[i].iov.iov_base;
    struct turn_packet_info info = *now;
    struct turn_out o = {.reply = b->tx_data + (size_t)out * NET_UDP_DGRAM_MAX,
                         .reply_cap = NET_UDP_DGRAM_MAX};

    if ((h->msg_flags & MSG_TRUNC) || len == 0 ||
        addr_from_sockaddr(&info.client, h->msg_name, h->msg_namelen) < 0) {
        COUNTER_ADD(&u->worker->counters.udp_dropped, 1);
        return 0;
    }
    net_udp_local_of(h, u, &info.local);
    if (net_udp_dispatch(u, &info, data, len, &o) < 0) {
        COUNTER_ADD(&u->worker->counters.udp_dropped, 1);
        return 0;
    }
    if (o.relay != NULL) {
        (void)net_relay_queue(o.relay, &o.peer, o.data, o.data_len, o.dont_fragment);
    }
    if (o.reply_len == 0) {
        return 0;
    }
    net_udp_queue_reply(b, i, out, o.reply_len, &info.local);
    return 1;
}

void net_udp_send_batch(struct net_udp *u, struct mmsghdr *msgs, unsigned count)
{
    unsigned sent = 0;

    while (sent < count) {
        int n = sendmmsg(u->fd, msgs + sent, count - sent, MSG_DONTWAIT);
        if (n > 0) {
            /* A message carries several datagrams when it is a UDP GSO send (net_relay.c). */
            for (unsigned i = sent; i < sent + (unsigned)n; i++) {
                COUNTER_ADD(&u->worker->counters.udp_tx_packets, msgs[i].msg_hdr.msg_iovlen);
            }
            sent += (unsigned)n;
            continue;
        }
        /* A full socket buffer (EAGAIN) is the expected failure; skip the datagram that
         * failed and try the rest. */
        log_debug("sendmmsg() failed: %s", strerror(errno));
        COUNTER_ADD(&u->worker->counters.udp_dropped, 1);
        sent++;
    }
}

int net_udp_send_one(struct net_udp *u, const struct addr *client, const struct addr *local,
                     const void *data, size_t len)
{
    struct sockaddr_storage to;
    uint8_t ctl[NET_UDP_CTL_LEN] __attribute__((aligned(8)));
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    struct msghdr h = {.msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl};

    h.msg_namelen = addr_to_sockaddr(client, &to);
    h.msg_controllen = net_udp_source_control(ctl, sizeof(ctl), local);
    if (sendmsg(u->fd, &h, MSG_DONTWAIT) < 0) {
        COUNTER_ADD(&u->worker->counters.udp_dropped, 1);
        return -1;
    }
    COUNTER_ADD(&u->worker->counters.udp_tx_packets, 1);
    return 0;
}

static void net_udp_on_read(evutil_socket_t fd, short what, void *arg)
{
    struct net_udp *u = arg;
    struct net_udp_batch *b = u->worker->batch;

    (void)what;
    for (int round = 0; round < NET_UDP_ROUNDS; round++) {
        net_udp_batch_prepare_rx(b);
        int n = recvmmsg(fd, b->rx_msgs, b->len, MSG_DONTWAIT, NULL);
        b->used = n > 0 ? (unsigned)n : 0;
        if (n <= 0) {
            return;
        }
        COUNTER_ADD(&u->worker->counters.udp_rx_packets, n);
        struct turn_packet_info now = {.transport = TURN_TRANSPORT_UDP,
                                       .conn = u,
                                       .now_ms = clock_now_ms(),
                                       .now_s = clock_wall_s()};
        unsigned out = 0;
        for (unsigned i = 0; i < (unsigned)n; i++) {
            out += net_udp_handle_one(u, i, out, &now);
        }
        net_relay_flush(u->worker); /* before the next recvmmsg() reuses the buffers */
        net_udp_send_batch(u, b->tx_msgs, out);
        if ((unsigned)n < b->len) {
            return;
        }
    }
}

static int net_udp_enable_pktinfo(int fd, int family)
{
    int on = 1;

    if (family == AF_INET) {
        return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
    }
    return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
}

struct net_udp *net_udp_open(struct net_worker *w, const struct addr *addr, char err[NET_ERR_LEN])
{
    struct net_udp *u = xcalloc(1, sizeof(*u));

    u->worker = w;
    u->local = *addr;
    u->fd = net_socket_open(addr, SOCK_DGRAM, true, err);
    if (u->fd < 0) {
        goto out_free;
    }
    net_socket_set_buffers(u->fd, NET_UDP_SOCKBUF);
    if (net_udp_enable_pktinfo(u->fd, addr->family) < 0) {
        (void)snprintf(err, NET_ERR_LEN, "setsockopt(PKTINFO) failed: %s", strerror(errno));
        goto out_free;
    }
    u->ev = event_new(w->base, u->fd, EV_READ | EV_PERSIST, net_udp_on_read, u);
    if (u->ev == NULL || event_add(u->ev, NULL) < 0) {
        (void)snprintf(err, NET_ERR_LEN, "event_add() for a UDP socket failed");
        goto out_free;
    }
    return u;

out_free:
    net_udp_free(u);
    return NULL;
}

void net_udp_free(struct net_udp *u)
{
    if (u == NULL) {
        return;
    }
    if (u->ev != NULL) {
        event_free(u->ev);
    }
    if (u->fd >= 0) {
        close(u->fd);
    }
    xfree(&u);
}
