#define LOG_MODULE "tcp"
#include "net/net_tcp.h"

#include "net/net_relay.h"
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
#include <event2/event.h>
#include <event2/listener.h>
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

struct net_tcp_listener {
    struct net_worker *worker;
    struct evconnlistener *listener;
    struct addr local;
};

struct net_tcp_conn {
    struct net_worker *worker;
    struct bufferevent *bev;
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
    bufferevent_free(c->bev);
    xfree(&c);
}

void net_tcp_conn_list_close_all(struct net_tcp_conn_list *list)
{
    while (list->head != NULL) {
        net_tcp_conn_free(list->head);
    }
}

int net_tcp_conn_send(struct net_tcp_conn *c, const void *data, size_t len)
{
    struct evbuffer *output = bufferevent_get_output(c->bev);

    if (evbuffer_get_length(output) + len > NET_TCP_OUTPUT_MAX ||
        evbuffer_add(output, data, len) < 0) {
        COUNTER_ADD(&c->worker->counters.tcp_output_dropped, 1);
        return -1;
    }
    return 0;
}

/* Handles one whole frame; returns 0 (a frame with a valid length but a broken body leaves the
 * stream in sync, so the connection stays). */
static int net_tcp_handle_frame(struct net_tcp_conn *c, const uint8_t *frame, size_t len)
{
    uint8_t reply[NET_TCP_REPLY_MAX];
    struct turn_out out = {.reply = reply, .reply_cap = sizeof(reply)};
    struct turn_packet_info info = {.client = c->client,
                                    .local = c->local,
                                    .transport = TURN_TRANSPORT_TCP,
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

    if (net_tcp_drain_frames(c, bufferevent_get_input(bev)) < 0) {
        char a[ADDR_STR_LEN];
        log_debug("closing %s: stream is not STUN or ChannelData",
                  addr_format(&c->client, a, sizeof(a)));
        COUNTER_ADD(&c->worker->counters.tcp_closed_bad_frame, 1);
        net_tcp_conn_free(c);
    }
}

static void net_tcp_on_event(struct bufferevent *bev, short what, void *arg)
{
    struct net_tcp_conn *c = arg;

    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        net_tcp_conn_free(c);
    }
}

static int net_tcp_conn_setup(struct net_tcp_conn *c, evutil_socket_t fd)
{
    const struct net_options *o = c->worker->opts;
    struct timeval idle = {.tv_sec = (time_t)o->tcp_idle_timeout_s};
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
        addr_from_sockaddr(&c->local, (struct sockaddr *)&ss, len) < 0) {
        return -1;
    }
    c->bev = bufferevent_socket_new(c->worker->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        return -1;
    }
    bufferevent_setcb(c->bev, net_tcp_on_read, NULL, net_tcp_on_event, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, NET_TCP_INPUT_MAX);
    if (o->tcp_idle_timeout_s > 0) {
        bufferevent_set_timeouts(c->bev, &idle, &idle);
    }
    return bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void net_tcp_on_accept(struct evconnlistener *listener, evutil_socket_t fd,
                              struct sockaddr *sa, int salen, void *arg)
{
    struct net_tcp_listener *l = arg;
    struct net_worker *w = l->worker;

    (void)listener;
    if (w->conns.count >= w->opts->tcp_max_conns) {
        COUNTER_ADD(&w->counters.tcp_refused, 1);
        close(fd);
        return;
    }
    struct net_tcp_conn *c = xcalloc(1, sizeof(*c));
    c->worker = w;
    if (addr_from_sockaddr(&c->client, sa, (socklen_t)salen) < 0 || net_tcp_conn_setup(c, fd) < 0) {
        if (c->bev != NULL) {
            bufferevent_free(c->bev);
        } else {
            close(fd);
        }
        xfree(&c);
        return;
    }
    c->next = w->conns.head;
    if (c->next != NULL) {
        c->next->prev = c;
    }
    w->conns.head = c;
    w->conns.count++;
    COUNTER_ADD(&w->counters.tcp_accepted, 1);
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
