#define LOG_MODULE "tcp"
#include "net/net_tcp.h"

#include "net/net_relay.h"
#include "net/net_tls.h"
#include "net/net_worker.h"
#include "stun/stun_demux.h"
#include "stun/stun_msg.h"
#include "turn/turn_handle.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Output a connection may queue before further replies are dropped (a reader that does not read
 * cannot make the worker buffer without bound). */
#define NET_TCP_OUTPUT_MAX ((size_t)256 * 1024)
/* Input kept at most: one whole frame plus what may follow it in the same read. */
#define NET_TCP_INPUT_MAX ((size_t)2 * STUN_MAX_MSG_LEN)
/* Enough for the header of either frame kind and its length. */
#define NET_TCP_PEEK_LEN  4
#define NET_TCP_REPLY_MAX 4096
/* Reading from a client pauses while its output holds more than this, and resumes once the
 * output drained below the low mark. */
#define NET_TCP_OUTPUT_PAUSE (NET_TCP_OUTPUT_MAX / 2)
#define NET_TCP_OUTPUT_LOW   (NET_TCP_OUTPUT_MAX / 4)
/* Answers to the frames of one read, gathered to leave in one send(). */
#define NET_TCP_BATCH_LEN 8192

/* The answers of one read of a plain TCP connection, kept on the stack of net_tcp_on_read(). */
struct net_tcp_batch {
    size_t len;
    uint8_t buf[NET_TCP_BATCH_LEN];
};

struct net_tcp_listener {
    struct net_worker *worker;
    struct evconnlistener *listener;
    struct addr local;
};

/*
 * A connection starts with no bufferevent: its first byte decides whether it is plain STUN and
 * ChannelData or TLS (RFC 7983 on a stream: 22 is a TLS handshake record). Until then, and
 * until a TLS handshake is done, the deadline event bounds how long the client may take.
 */
struct net_tcp_conn {
    struct net_worker *worker;
    evutil_socket_t fd;      /* owned until bev takes it */
    struct bufferevent *bev; /* NULL while the first byte is awaited */
    struct event *deadline;  /* first byte or handshake not done in time; NULL after */
    enum turn_transport transport;
    bool handshake_done;         /* TLS only */
    bool read_paused;            /* output above NET_TCP_OUTPUT_PAUSE */
    bool ip_counted;             /* counted in the per-IP connection quota */
    struct net_tcp_batch *batch; /* set while a plain TCP read is handled */
    struct addr client;
    struct addr local;
    struct net_tcp_conn *prev;
    struct net_tcp_conn *next;
};

static void net_tcp_conn_free(struct net_tcp_conn *c)
{
    struct net_tcp_conn_list *list = &c->worker->conns;

    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        list->head = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    list->count--;
    COUNTER_ADD(&c->worker->counters.tcp_closed, 1);
    /* RFC 8656 section 3.1: an allocation made over a connection ends with it. */
    if (c->worker->turn != NULL) {
        turn_worker_conn_closed(c->worker->turn, c);
    }
    if (c->ip_counted) {
        net_shared_conn_release(c->worker->shared, &c->client);
    }
    if (c->deadline != NULL) {
        event_free(c->deadline);
    }
    if (c->bev != NULL) {
        bufferevent_free(c->bev);
    } else if (c->fd >= 0) {
        close(c->fd);
    }
    xfree(&c);
}

void net_tcp_conn_list_close_all(struct net_tcp_conn_list *list)
{
    while (list->head != NULL) {
        net_tcp_conn_free(list->head);
    }
}

/* Appends one message to the output. Over TLS it gets its own buffer chain, which the OpenSSL
 * bufferevent writes with its own SSL_write(): one message per TLS record. The stream does not
 * need it, but clients that read one message per record (coturn's turnutils_uclient) do. */
static int net_tcp_queue(struct net_tcp_conn *c, struct evbuffer *output, const void *data,
                         size_t len)
{
    if (c->transport != TURN_TRANSPORT_TLS) {
        return evbuffer_add(output, data, len);
    }
    struct evbuffer *one = evbuffer_new();
    int rc = -1;

    if (one != NULL && evbuffer_add(one, data, len) == 0) {
        rc = evbuffer_add_buffer(output, one);
    }
    if (one != NULL) {
        evbuffer_free(one);
    }
    return rc;
}

/* Queues data in the bufferevent's output; returns 0, or -1 when the output is full. */
static int net_tcp_conn_queue(struct net_tcp_conn *c, const void *data, size_t len)
{
    struct evbuffer *output = bufferevent_get_output(c->bev);
    size_t queued = evbuffer_get_length(output);

    if (queued + len > NET_TCP_OUTPUT_MAX || net_tcp_queue(c, output, data, len) < 0) {
        COUNTER_ADD(&c->worker->counters.tcp_output_dropped, 1);
        return -1;
    }
    if (queued + len > NET_TCP_OUTPUT_PAUSE && !c->read_paused) {
        /* A client that does not read its answers gets no more requests served until it
         * does: the kernel's window then pushes back on it. */
        c->read_paused = true;
        (void)bufferevent_disable(c->bev, EV_READ);
    }
    return 0;
}

/*
 * Sends the answers gathered during a read. With nothing queued before them they go straight to
 * the socket: through the bufferevent they would wait for the next loop round and cost two
 * epoll_ctl() calls (watch for writable, then stop). What the socket does not take is queued.
 */
static void net_tcp_batch_flush(struct net_tcp_conn *c)
{
    struct net_tcp_batch *b = c->batch;
    size_t sent = 0;

    if (b == NULL || b->len == 0) {
        return;
    }
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        ssize_t n = send(bufferevent_getfd(c->bev), b->buf, b->len, MSG_DONTWAIT | MSG_NOSIGNAL);
        /* On an error the bufferevent's own write finds it again and ends the connection. */
        sent = n > 0 ? (size_t)n : 0;
    }
    if (sent < b->len) {
        (void)net_tcp_conn_queue(c, b->buf + sent, b->len - sent);
    }
    b->len = 0;
}

int net_tcp_conn_send(struct net_tcp_conn *c, const void *data, size_t len)
{
    if (c->bev == NULL) {
        return -1;
    }
    struct net_tcp_batch *b = c->batch;
    if (b != NULL && len <= sizeof(b->buf)) {
        if (b->len + len > sizeof(b->buf)) {
            net_tcp_batch_flush(c);
        }
        memcpy(b->buf + b->len, data, len);
        b->len += len;
        return 0;
    }
    net_tcp_batch_flush(c);
    return net_tcp_conn_queue(c, data, len);
}

/* The output drained below NET_TCP_OUTPUT_LOW: reading resumes. */
static void net_tcp_on_write(struct bufferevent *bev, void *arg)
{
    struct net_tcp_conn *c = arg;

    if (c->read_paused) {
        c->read_paused = false;
        (void)bufferevent_enable(bev, EV_READ);
    }
}

/* Handles one whole frame; returns 0 (a frame with a valid length but a broken body leaves the
 * stream in sync, so the connection stays). */
static int net_tcp_handle_frame(struct net_tcp_conn *c, const uint8_t *frame, size_t len)
{
    uint8_t reply[NET_TCP_REPLY_MAX];
    struct turn_out out = {.reply = reply, .reply_cap = sizeof(reply)};
    struct turn_packet_info info = {.client = c->client,
                                    .local = c->local,
                                    .transport = c->transport,
                                    .conn = c,
                                    .now_ms = clock_now_ms(),
                                    .now_s = clock_wall_s()};
    int rc;

    if (stun_demux_stream(frame[0]) == STUN_DEMUX_STUN) {
        COUNTER_ADD(&c->worker->counters.stun_requests, 1);
        rc = turn_handle_stun(c->worker->turn, &info, frame, len, &out);
    } else {
        rc = turn_handle_channel(c->worker->turn, &info, frame, len, &out);
    }
    if (rc < 0) {
        return 0;
    }
    if (out.relay != NULL) {
        (void)net_relay_send(out.relay, &out.peer, out.data, out.data_len, out.dont_fragment);
    }
    if (out.reply_len > 0) {
        (void)net_tcp_conn_send(c, out.reply, out.reply_len);
    }
    return 0;
}

/* Cuts every complete frame out of the input. Returns 0, or -1 on a stream out of sync. */
static int net_tcp_drain_frames(struct net_tcp_conn *c, struct evbuffer *input)
{
    for (;;) {
        size_t avail = evbuffer_get_length(input);
        if (avail < NET_TCP_PEEK_LEN) {
            return 0;
        }
        size_t head = avail < STUN_HEADER_LEN ? avail : STUN_HEADER_LEN;
        int frame_len = stun_demux_frame_len(evbuffer_pullup(input, (ev_ssize_t)head), head);
        if (frame_len == STUN_NEED_MORE) {
            return 0;
        }
        if (frame_len < 0) {
            return -1;
        }
        if (avail < (size_t)frame_len) {
            return 0;
        }
        const uint8_t *frame = evbuffer_pullup(input, frame_len);
        if (frame == NULL || net_tcp_handle_frame(c, frame, (size_t)frame_len) < 0) {
            return -1;
        }
        (void)evbuffer_drain(input, (size_t)frame_len);
    }
}

static void net_tcp_on_read(struct bufferevent *bev, void *arg)
{
    struct net_tcp_conn *c = arg;
    struct net_tcp_batch batch;
    int rc;

    /* Over TLS every answer is its own record (see net_tcp_queue()): no batch. */
    batch.len = 0;
    c->batch = c->transport == TURN_TRANSPORT_TCP ? &batch : NULL;
    rc = net_tcp_drain_frames(c, bufferevent_get_input(bev));
    net_tcp_batch_flush(c);
    c->batch = NULL;
    if (rc < 0) {
        char a[ADDR_STR_LEN];
        log_debug("closing %s: stream is not STUN or ChannelData",
                  addr_format(&c->client, a, sizeof(a)));
        COUNTER_ADD(&c->worker->counters.tcp_closed_bad_frame, 1);
        net_tcp_conn_free(c);
    }
}

static void net_tcp_set_idle_timeout(struct net_tcp_conn *c)
{
    const struct net_options *o = c->worker->opts;
    struct timeval idle = {.tv_sec = (time_t)o->tcp_idle_timeout_s};

    if (o->tcp_idle_timeout_s > 0) {
        bufferevent_set_timeouts(c->bev, &idle, &idle);
    }
}

/* The handshake completed: the deadline gives way to the idle timeout. */
static void net_tcp_tls_done(struct net_tcp_conn *c)
{
    c->handshake_done = true;
    COUNTER_ADD(&c->worker->counters.tls_handshakes, 1);
    if (c->deadline != NULL) {
        event_free(c->deadline);
        c->deadline = NULL;
    }
    net_tcp_set_idle_timeout(c);
}

static void net_tcp_on_event(struct bufferevent *bev, short what, void *arg)
{
    struct net_tcp_conn *c = arg;

    (void)bev;
    if ((what & BEV_EVENT_CONNECTED) && c->transport == TURN_TRANSPORT_TLS) {
        net_tcp_tls_done(c);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        if (c->transport == TURN_TRANSPORT_TLS && !c->handshake_done) {
            COUNTER_ADD(&c->worker->counters.tls_handshake_failed, 1);
        }
        net_tcp_conn_free(c);
    }
}

/* The client did not send its first byte, or finish its TLS handshake, in time. */
static void net_tcp_on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct net_tcp_conn *c = arg;
    char a[ADDR_STR_LEN];

    (void)fd;
    (void)what;
    log_debug("closing %s: no %s within %u s", addr_format(&c->client, a, sizeof(a)),
              c->bev == NULL ? "data" : "TLS handshake", c->worker->opts->tls_handshake_timeout_s);
    COUNTER_ADD(&c->worker->counters.tls_handshake_timeouts, 1);
    if (c->transport == TURN_TRANSPORT_TLS) {
        COUNTER_ADD(&c->worker->counters.tls_handshake_failed, 1);
    }
    net_tcp_conn_free(c);
}

/* Wraps the socket in a plain or TLS bufferevent. Returns 0, or -1 (fd still owned by c). */
static int net_tcp_conn_start(struct net_tcp_conn *c, bool tls)
{
    struct net_worker *w = c->worker;

    if (tls) {
        SSL *ssl = w->tls != NULL ? net_tls_ssl_new(w->tls, false) : NULL;
        if (ssl == NULL) {
            return -1;
        }
        c->bev = bufferevent_openssl_socket_new(w->base, c->fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                BEV_OPT_CLOSE_ON_FREE);
        if (c->bev == NULL) {
            SSL_free(ssl);
            return -1;
        }
        /* A client that just closes its socket has ended the connection as much as one
         * that sends close_notify first. */
        bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
        c->transport = TURN_TRANSPORT_TLS;
    } else {
        c->bev = bufferevent_socket_new(w->base, c->fd, BEV_OPT_CLOSE_ON_FREE);
        if (c->bev == NULL) {
            return -1;
        }
        net_tcp_set_idle_timeout(c);
    }
    c->fd = -1;
    bufferevent_setcb(c->bev, net_tcp_on_read, net_tcp_on_write, net_tcp_on_event, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, NET_TCP_INPUT_MAX);
    bufferevent_setwatermark(c->bev, EV_WRITE, NET_TCP_OUTPUT_LOW, 0);
    return bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Reads the first byte without taking it, and picks the protocol by it. */
static void net_tcp_on_first_byte(evutil_socket_t fd, short what, void *arg)
{
    struct net_tcp_conn *c = arg;
    uint8_t first;

    if (what & EV_TIMEOUT) {
        net_tcp_on_deadline(fd, what, arg);
        return;
    }
    ssize_t n = recv(fd, &first, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        net_tcp_conn_free(c);
        return;
    }
    enum stun_demux_kind kind = stun_demux_stream(first);
    bool tls = kind == STUN_DEMUX_TLS && c->worker->tls != NULL;
    if (kind == STUN_DEMUX_UNKNOWN || (kind == STUN_DEMUX_TLS && !tls)) {
        COUNTER_ADD(&c->worker->counters.tcp_closed_bad_frame, 1);
        net_tcp_conn_free(c);
        return;
    }
    /* The event waiting for the first byte becomes the handshake deadline (TLS only). */
    struct timeval left = {.tv_sec = (time_t)c->worker->opts->tls_handshake_timeout_s};
    event_free(c->deadline);
    c->deadline = NULL;
    if (tls) {
        c->deadline = evtimer_new(c->worker->base, net_tcp_on_deadline, c);
        if (c->deadline == NULL || evtimer_add(c->deadline, &left) < 0) {
            net_tcp_conn_free(c);
            return;
        }
    }
    if (net_tcp_conn_start(c, tls) < 0) {
        net_tcp_conn_free(c);
    }
}

/* The local address of c: the listener's own when it is bound to one address and port (no
 * getsockname() per connection), else the socket's. */
static int net_tcp_conn_local(struct net_tcp_conn *c, const struct addr *listening)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (!addr_is_any(listening) && listening->port != 0) {
        c->local = *listening;
        return 0;
    }
    if (getsockname(c->fd, (struct sockaddr *)&ss, &len) < 0 ||
        addr_from_sockaddr(&c->local, (struct sockaddr *)&ss, len) < 0) {
        return -1;
    }
    return 0;
}

/* Waits for the first byte, at most tls.handshake_timeout_s. */
static int net_tcp_conn_setup(struct net_tcp_conn *c, const struct addr *listening)
{
    struct timeval limit = {.tv_sec = (time_t)c->worker->opts->tls_handshake_timeout_s};

    if (net_tcp_conn_local(c, listening) < 0) {
        return -1;
    }
    c->transport = TURN_TRANSPORT_TCP;
    /* Answers are small and must leave at once: with Nagle's algorithm, an answer written in two
     * pieces (a TLS record, then the next) waits for the client's delayed ACK, about 40 ms. */
    int one = 1;
    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->deadline = event_new(c->worker->base, c->fd, EV_READ | EV_PERSIST, net_tcp_on_first_byte, c);
    if (c->deadline == NULL || event_add(c->deadline, &limit) < 0) {
        return -1;
    }
    return 0;
}

/* Links c into the worker's list. */
static void net_tcp_conn_link(struct net_worker *w, struct net_tcp_conn *c)
{
    c->next = w->conns.head;
    if (c->next != NULL) {
        c->next->prev = c;
    }
    w->conns.head = c;
    w->conns.count++;
    COUNTER_ADD(&w->counters.tcp_accepted, 1);
}

static void net_tcp_on_accept(struct evconnlistener *listener, evutil_socket_t fd,
                              struct sockaddr *sa, int salen, void *arg)
{
    struct net_tcp_listener *l = arg;
    struct net_worker *w = l->worker;
    struct addr client;

    (void)listener;
    if (w->conns.count >= w->opts->tcp_max_conns ||
        addr_from_sockaddr(&client, sa, (socklen_t)salen) < 0) {
        COUNTER_ADD(&w->counters.tcp_refused, 1);
        close(fd);
        return;
    }
    int counted = net_shared_conn_acquire(w->shared, &client);
    if (counted < 0) {
        COUNTER_ADD(&w->counters.conn_refused_per_ip, 1);
        close(fd);
        return;
    }
    struct net_tcp_conn *c = xcalloc(1, sizeof(*c));
    c->worker = w;
    c->fd = fd;
    c->client = client;
    c->ip_counted = counted > 0;
    net_tcp_conn_link(w, c);
    if (net_tcp_conn_setup(c, &l->local) < 0) {
        net_tcp_conn_free(c);
    }
}

struct net_tcp_listener *net_tcp_listener_open(struct net_worker *w, const struct addr *addr,
                                               char err[NET_ERR_LEN])
{
    int fd = net_socket_open(addr, SOCK_STREAM, true, err);

    if (fd < 0) {
        return NULL;
    }
    struct net_tcp_listener *l = xcalloc(1, sizeof(*l));
    l->worker = w;
    l->local = *addr;
    l->listener = evconnlistener_new(w->base, net_tcp_on_accept, l, LEV_OPT_CLOSE_ON_FREE, -1, fd);
    if (l->listener == NULL) {
        (void)snprintf(err, NET_ERR_LEN, "evconnlistener_new() failed");
        close(fd);
        xfree(&l);
        return NULL;
    }
    return l;
}

void net_tcp_listener_free(struct net_tcp_listener *l)
{
    if (l == NULL) {
        return;
    }
    evconnlistener_free(l->listener);
    xfree(&l);
}
