/*
 * tern-forward: the kernel's limit for a UDP relay on this machine. A plain
 * UDP forwarder with the shape of a TURN relay and none of its protocol:
 *
 *   client --UDP--> listen socket   [forwarder]   flow socket --UDP--> peer
 *   client <--UDP-- listen socket   [forwarder]   flow socket <--UDP-- peer
 *
 * Each client address seen on the listen socket gets its own flow socket
 * (as a TURN allocation gets its relayed transport address), connected to
 * the one peer. Datagrams are read with recvmmsg() and written with
 * sendmmsg(); the datagrams of one epoll round that go back to clients leave
 * in one sendmmsg() on the listen socket, whatever flow they came from.
 * With --gso 1, datagrams of one flow and one size that meet in a batch
 * leave as one UDP_SEGMENT send. tern-bench --relay-mode raw drives it
 * (BENCHMARKS.md). It only talks to loopback, and stops after --duration
 * seconds or on SIGTERM/SIGINT, printing its counts as one JSON line.
 */
#include "util/addr.h"
#include "util/xalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define FWD_MAX_BATCH 128
#define FWD_BUF_LEN   2048
#define FWD_EVENTS    256
/* Most datagrams one UDP_SEGMENT send carries, and their bytes in all. */
#define FWD_GSO_SEGS  64
#define FWD_GSO_BYTES 65000
#define FWD_LISTEN_ID UINT32_MAX

struct fwd_flow {
    struct sockaddr_storage client;
    socklen_t client_len;
    int fd;
};

/* Datagrams waiting to go back to clients through the listen socket. */
struct fwd_out {
    struct mmsghdr msgs[FWD_MAX_BATCH];
    struct iovec iov[FWD_MAX_BATCH][FWD_GSO_SEGS];
    uint8_t cmsg[FWD_MAX_BATCH][CMSG_SPACE(sizeof(uint16_t))];
    uint8_t buf[FWD_MAX_BATCH][FWD_BUF_LEN];
    uint32_t flow[FWD_MAX_BATCH];
    size_t len[FWD_MAX_BATCH];
    unsigned count;
};

struct fwd {
    int listen_fd;
    int epfd;
    struct addr peer;
    unsigned batch;
    bool gso;
    struct fwd_flow *flows;
    size_t nflows;
    size_t max_flows;
    struct fwd_out out;
    struct mmsghdr in_msgs[FWD_MAX_BATCH];
    struct iovec in_iov[FWD_MAX_BATCH];
    struct sockaddr_storage in_addr[FWD_MAX_BATCH];
    uint8_t in_buf[FWD_MAX_BATCH][FWD_BUF_LEN];
    uint64_t to_peer;
    uint64_t to_client;
    uint64_t sends;
    uint64_t dropped;
};

static volatile sig_atomic_t fwd_stop;

static void fwd_on_signal(int sig)
{
    (void)sig;
    fwd_stop = 1;
}

static bool fwd_is_loopback(const struct addr *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    if (a->family == AF_INET) {
        return a->ip[0] == 127;
    }
    return memcmp(a->ip, one, 16) == 0 || (memcmp(a->ip, mapped, 12) == 0 && a->ip[12] == 127);
}

/* A non-blocking UDP socket bound to local, connected to remote when not NULL. */
static int fwd_socket(const struct addr *local, const struct addr *remote)
{
    struct sockaddr_storage ss;
    int fd = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int size = 4 * 1024 * 1024;

    if (fd < 0) {
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    socklen_t len = addr_to_sockaddr(local, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
        (void)close(fd);
        return -1;
    }
    if (remote != NULL) {
        len = addr_to_sockaddr(remote, &ss);
        if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
            (void)close(fd);
            return -1;
        }
    }
    return fd;
}

/* The flow of client address sa, made on first sight. Returns its index or -1. A linear
 * search from the last hit: the benchmark has few flows, and the cost is the same for every
 * batch size. */
static long fwd_flow_of(struct fwd *f, const struct sockaddr_storage *sa, socklen_t len)
{
    static size_t last;

    for (size_t k = 0; k < f->nflows; k++) {
        size_t i = (last + k) % f->nflows;
        if (f->flows[i].client_len == len && memcmp(&f->flows[i].client, sa, len) == 0) {
            last = i;
            return (long)i;
        }
    }
    if (f->nflows >= f->max_flows) {
        return -1;
    }
    struct addr local;
    (void)addr_parse(&local, f->peer.family == AF_INET6 ? "::1" : "127.0.0.1", 0);
    int fd = fwd_socket(&local, &f->peer);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)f->nflows};
    if (fd < 0 || epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        if (fd >= 0) {
            (void)close(fd);
        }
        return -1;
    }
    struct fwd_flow *fl = &f->flows[f->nflows];
    memcpy(&fl->client, sa, len);
    fl->client_len = len;
    fl->fd = fd;
    last = f->nflows;
    return (long)f->nflows++;
}

static void fwd_set_gso(struct msghdr *h, uint8_t *cbuf, uint16_t size)
{
    h->msg_control = cbuf;
    h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
    struct cmsghdr *cm = CMSG_FIRSTHDR(h);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(cm), &size, sizeof(size));
}

/* Sends the k datagrams idx[0..k) of the input batch on flow socket fd to the peer. */
static void fwd_to_peer(struct fwd *f, int fd, const unsigned *idx, unsigned k)
{
    struct mmsghdr msgs[FWD_MAX_BATCH];
    struct iovec iov[FWD_MAX_BATCH];
    size_t size = f->in_msgs[idx[0]].msg_len;
    bool same = k > 1 && f->gso && k <= FWD_GSO_SEGS && size * k <= FWD_GSO_BYTES;

    for (unsigned i = 0; i < k; i++) {
        iov[i].iov_base = f->in_buf[idx[i]];
        iov[i].iov_len = f->in_msgs[idx[i]].msg_len;
        same = same && iov[i].iov_len == size;
    }
    if (same) {
        uint8_t cbuf[CMSG_SPACE(sizeof(uint16_t))];
        struct msghdr h = {.msg_iov = iov, .msg_iovlen = k};
        fwd_set_gso(&h, cbuf, (uint16_t)size);
        f->sends++;
        if (sendmsg(fd, &h, MSG_DONTWAIT) >= 0) {
            f->to_peer += k;
            return;
        }
    }
    memset(msgs, 0, sizeof(msgs[0]) * k);
    for (unsigned i = 0; i < k; i++) {
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    f->sends++;
    int n = sendmmsg(fd, msgs, k, MSG_DONTWAIT);
    f->to_peer += n > 0 ? (uint64_t)n : 0;
    f->dropped += k - (n > 0 ? (unsigned)n : 0);
}

/* Reads client datagrams from the listen socket and sends each flow's share on its socket. */
static int fwd_from_clients(struct fwd *f)
{
    long flow_of[FWD_MAX_BATCH];
    bool done[FWD_MAX_BATCH];
    unsigned idx[FWD_MAX_BATCH];

    for (unsigned i = 0; i < f->batch; i++) {
        memset(&f->in_msgs[i], 0, sizeof(f->in_msgs[i]));
        f->in_iov[i].iov_base = f->in_buf[i];
        f->in_iov[i].iov_len = FWD_BUF_LEN;
        f->in_msgs[i].msg_hdr.msg_iov = &f->in_iov[i];
        f->in_msgs[i].msg_hdr.msg_iovlen = 1;
        f->in_msgs[i].msg_hdr.msg_name = &f->in_addr[i];
        f->in_msgs[i].msg_hdr.msg_namelen = sizeof(f->in_addr[i]);
    }
    int n = recvmmsg(f->listen_fd, f->in_msgs, f->batch, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++) {
        flow_of[i] = fwd_flow_of(f, &f->in_addr[i], f->in_msgs[i].msg_hdr.msg_namelen);
        done[i] = flow_of[i] < 0;
        f->dropped += done[i] ? 1 : 0;
    }
    for (int i = 0; i < n; i++) {
        if (done[i]) {
            continue;
        }
        unsigned k = 0;
        idx[k++] = (unsigned)i;
        for (int j = i + 1; j < n; j++) {
            if (!done[j] && flow_of[j] == flow_of[i]) {
                idx[k++] = (unsigned)j;
                done[j] = true;
            }
        }
        fwd_to_peer(f, f->flows[flow_of[i]].fd, idx, k);
    }
    return n;
}

/* Sends what waits for clients: one sendmmsg() on the listen socket. With GSO, runs of one
 * flow and one size become one message. */
static void fwd_flush(struct fwd *f)
{
    struct fwd_out *o = &f->out;
    unsigned m = 0;

    for (unsigned i = 0; i < o->count; m++) {
        struct mmsghdr *msg = &o->msgs[m];
        const struct fwd_flow *fl = &f->flows[o->flow[i]];
        unsigned k = 0;
        memset(msg, 0, sizeof(*msg));
        do {
            o->iov[m][k].iov_base = o->buf[i + k];
            o->iov[m][k].iov_len = o->len[i + k];
            k++;
        } while (f->gso && i + k < o->count && k < FWD_GSO_SEGS && o->flow[i + k] == o->flow[i] &&
                 o->len[i + k] == o->len[i] && (k + 1) * o->len[i] <= FWD_GSO_BYTES);
        msg->msg_hdr.msg_iov = o->iov[m];
        msg->msg_hdr.msg_iovlen = k;
        msg->msg_hdr.msg_name = (void *)&fl->client;
        msg->msg_hdr.msg_namelen = fl->client_len;
        if (k > 1) {
            fwd_set_gso(&msg->msg_hdr, o->cmsg[m], (uint16_t)o->len[i]);
        }
        i += k;
    }
    if (m > 0) {
        f->sends++;
        int n = sendmmsg(f->listen_fd, o->msgs, m, MSG_DONTWAIT);
        for (int j = 0; j < n; j++) {
            f->to_client += o->msgs[j].msg_hdr.msg_iovlen;
        }
        for (unsigned j = n > 0 ? (unsigned)n : 0; j < m; j++) {
            f->dropped += o->msgs[j].msg_hdr.msg_iovlen;
        }
    }
    o->count = 0;
}

/* Reads peer datagrams of flow i into the outgoing batch, flushing it when full. */
static void fwd_from_peer(struct fwd *f, uint32_t i)
{
    struct fwd_out *o = &f->out;
    struct mmsghdr msgs[FWD_MAX_BATCH];
    struct iovec iov[FWD_MAX_BATCH];

    for (int round = 0; round < 4; round++) {
        if (o->count == f->batch) {
            fwd_flush(f);
        }
        unsigned room = f->batch - o->count;
        memset(msgs, 0, sizeof(msgs[0]) * room);
        for (unsigned j = 0; j < room; j++) {
            iov[j].iov_base = o->buf[o->count + j];
            iov[j].iov_len = FWD_BUF_LEN;
            msgs[j].msg_hdr.msg_iov = &iov[j];
            msgs[j].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(f->flows[i].fd, msgs, room, MSG_DONTWAIT, NULL);
        for (int j = 0; j < n; j++) {
            o->flow[o->count] = i;
            o->len[o->count] = msgs[j].msg_len;
            o->count++;
        }
        if (n < (int)room) {
            return;
        }
    }
}

/* A few batches from the listen socket, while they come full. */
static void fwd_drain_clients(struct fwd *f)
{
    for (int r = 0; r < 4; r++) {
        if (fwd_from_clients(f) < (int)f->batch) {
            return;
        }
    }
}

static double fwd_now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fwd_loop(struct fwd *f, double duration_s)
{
    struct epoll_event evs[FWD_EVENTS];
    double end = fwd_now_s() + duration_s;

    while (!fwd_stop && fwd_now_s() < end) {
        int n = epoll_wait(f->epfd, evs, FWD_EVENTS, 100);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u32 == FWD_LISTEN_ID) {
                fwd_drain_clients(f);
            } else if (evs[i].data.u32 < f->nflows) {
                fwd_from_peer(f, evs[i].data.u32);
            }
        }
        fwd_flush(f);
    }
}

static int fwd_usage(void)
{
    (void)fprintf(stderr, "usage: tern-forward --listen IP:PORT --peer IP:PORT [--batch N] "
                          "[--gso 0|1] [--max-flows N] [--duration S]\n"
                          "A plain UDP forwarder on loopback: the kernel's limit for a relay.\n");
    return 2;
}

/* Applies one option k with value v. Returns 0, or -1 when it is unknown or malformed. */
static int fwd_arg(struct fwd *f, struct addr *listen, double *duration, const char *k,
                   const char *v)
{
    char *end = NULL;

    if (strcmp(k, "--listen") == 0) {
        return addr_parse(listen, v, 0) == 0 && listen->port != 0 ? 0 : -1;
    }
    if (strcmp(k, "--peer") == 0) {
        return addr_parse(&f->peer, v, 0) == 0 && f->peer.port != 0 ? 0 : -1;
    }
    if (strcmp(k, "--batch") == 0) {
        f->batch = (unsigned)strtoul(v, &end, 10);
    } else if (strcmp(k, "--gso") == 0) {
        f->gso = strtoul(v, &end, 10) != 0;
    } else if (strcmp(k, "--max-flows") == 0) {
        f->max_flows = strtoul(v, &end, 10);
    } else if (strcmp(k, "--duration") == 0) {
        *duration = strtod(v, &end);
    } else {
        return -1;
    }
    return end != NULL && *end == '\0' && end != v ? 0 : -1;
}

/* Parses the command line into f. Returns 0, or 2 on a usage error. */
static int fwd_args(struct fwd *f, struct addr *listen, double *duration, int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc || fwd_arg(f, listen, duration, argv[i], argv[i + 1]) != 0) {
            return fwd_usage();
        }
    }
    if (listen->family == 0 || f->peer.family == 0 || f->batch < 1 || f->batch > FWD_MAX_BATCH ||
        f->max_flows < 1 || f->max_flows > 100000 || !(*duration > 0)) {
        return fwd_usage();
    }
    if (!fwd_is_loopback(listen) || !fwd_is_loopback(&f->peer)) {
        (void)fprintf(stderr, "tern-forward: loopback addresses only\n");
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct fwd f;
    struct addr listen;
    double duration = 600;

    memset(&listen, 0, sizeof(listen));
    f.batch = 32;
    f.max_flows = 10000;
    int rc = fwd_args(&f, &listen, &duration, argc, argv);
    if (rc != 0) {
        return rc;
    }
    f.flows = xcalloc(f.max_flows, sizeof(*f.flows));
    f.listen_fd = fwd_socket(&listen, NULL);
    f.epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = FWD_LISTEN_ID};
    if (f.listen_fd < 0 || f.epfd < 0 || epoll_ctl(f.epfd, EPOLL_CTL_ADD, f.listen_fd, &ev) != 0) {
        (void)fprintf(stderr, "tern-forward: cannot listen: %s\n", strerror(errno));
        return 1;
    }
    (void)signal(SIGTERM, fwd_on_signal);
    (void)signal(SIGINT, fwd_on_signal);
    fwd_loop(&f, duration);
    (void)printf("{\"flows\": %zu, \"to_peer\": %llu, \"to_client\": %llu, \"sends\": %llu, "
                 "\"dropped\": %llu, \"gso\": %s}\n",
                 f.nflows, (unsigned long long)f.to_peer, (unsigned long long)f.to_client,
                 (unsigned long long)f.sends, (unsigned long long)f.dropped,
                 f.gso ? "true" : "false");
    for (size_t i = 0; i < f.nflows; i++) {
        (void)close(f.flows[i].fd);
    }
    xfree(&f.flows);
    (void)close(f.epfd);
    (void)close(f.listen_fd);
    return 0;
}
