#include "bench_echo.h"

#include "bench_net.h"
#include "bench_stats.h"
#include "util/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BENCH_ECHO_MAX_BATCH 256
/* The echo socket carries every flow at once: give it room for bursts. */
#define BENCH_ECHO_SOCK_BUF (4 * 1024 * 1024)
#define BENCH_ECHO_POLL_MS  20
/* recvmmsg() rounds per wake-up before the stop flag is looked at again. */
#define BENCH_ECHO_ROUNDS 64

/* One batch worth of receive state, allocated by the thread. */
struct bench_echo_batch {
    struct mmsghdr msgs[BENCH_ECHO_MAX_BATCH];
    struct iovec iov[BENCH_ECHO_MAX_BATCH];
    struct sockaddr_storage from[BENCH_ECHO_MAX_BATCH];
    uint8_t buf[BENCH_ECHO_MAX_BATCH][BENCH_PKT_BUF_LEN];
};

/* Counts msgs[i] if it is ours and from loopback. Returns true when it should be echoed. */
static bool bench_echo_accept(struct bench_echo *e, struct bench_echo_batch *b, unsigned i,
                              uint32_t run)
{
    struct addr src;
    struct bench_pkt pkt;
    const struct mmsghdr *m = &b->msgs[i];

    if (addr_from_sockaddr(&src, (struct sockaddr *)&b->from[i], m->msg_hdr.msg_namelen) != 0 ||
        !bench_net_is_loopback(&src) || !bench_pkt_read(b->buf[i], m->msg_len, &pkt)) {
        atomic_fetch_add_explicit(&e->foreign, 1, memory_order_relaxed);
        return false;
    }
    if (pkt.run == run) {
        atomic_fetch_add_explicit(&e->received, 1, memory_order_relaxed);
    }
    return true;
}

/* Sends out[0..n) back; what the socket refuses is counted and dropped, as a network would. */
static void bench_echo_send(struct bench_echo *e, struct mmsghdr *out, unsigned n)
{
    unsigned done = 0;

    while (done < n) {
        int sent = sendmmsg(e->fd, out + done, n - done, MSG_DONTWAIT);
        if (sent <= 0) {
            if (sent < 0 && errno == EINTR) {
                continue;
            }
            atomic_fetch_add_explicit(&e->refused, n - done, memory_order_relaxed);
            return;
        }
        done += (unsigned)sent;
    }
}

/* Reads one batch and echoes it. Returns the datagrams read (0 when none was waiting). */
static int bench_echo_round(struct bench_echo *e, struct bench_echo_batch *b)
{
    struct mmsghdr out[BENCH_ECHO_MAX_BATCH];
    unsigned kept = 0;

    for (unsigned i = 0; i < e->batch; i++) {
        b->iov[i].iov_base = b->buf[i];
        b->iov[i].iov_len = sizeof(b->buf[i]);
        memset(&b->msgs[i], 0, sizeof(b->msgs[i]));
        b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
        b->msgs[i].msg_hdr.msg_iovlen = 1;
        b->msgs[i].msg_hdr.msg_name = &b->from[i];
        b->msgs[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
    }
    int n = recvmmsg(e->fd, b->msgs, e->batch, MSG_DONTWAIT, NULL);
    if (n <= 0) {
        return 0;
    }
    uint32_t run = atomic_load_explicit(&e->run, memory_order_relaxed);
    for (unsigned i = 0; i < (unsigned)n; i++) {
        if (!bench_echo_accept(e, b, i, run)) {
            continue;
        }
        out[kept] = b->msgs[i];
        b->iov[i].iov_len = b->msgs[i].msg_len;
        out[kept].msg_len = 0;
        kept++;
    }
    bench_echo_send(e, out, kept);
    return n;
}

static void *bench_echo_main(void *arg)
{
    struct bench_echo *e = arg;
    struct bench_echo_batch *b = xcalloc(1, sizeof(*b));
    struct pollfd pfd = {.fd = e->fd, .events = POLLIN};

    while (!atomic_load(&e->stop) && bench_now_ns() < e->deadline_ns) {
        if (poll(&pfd, 1, BENCH_ECHO_POLL_MS) <= 0) {
            continue;
        }
        for (int r = 0; r < BENCH_ECHO_ROUNDS; r++) {
            if (bench_echo_round(e, b) <= 0) {
                break;
            }
        }
    }
    xfree(&b);
    return NULL;
}

int bench_echo_start(struct bench_echo *e, int family, uint16_t port, unsigned batch,
                     uint64_t deadline_ns, char *err, size_t err_len)
{
    struct addr any;

    memset(e, 0, sizeof(*e));
    e->fd = -1;
    e->batch = batch == 0 ? 1 : (batch > BENCH_ECHO_MAX_BATCH ? BENCH_ECHO_MAX_BATCH : batch);
    e->deadline_ns = deadline_ns;
    atomic_init(&e->stop, false);
    atomic_init(&e->run, 0);
    atomic_init(&e->received, 0);
    atomic_init(&e->refused, 0);
    atomic_init(&e->foreign, 0);
    if (addr_parse(&any, family == AF_INET6 ? "::1" : "127.0.0.1", port) != 0) {
        (void)snprintf(err, err_len, "cannot parse the loopback address");
        return -1;
    }
    e->fd = bench_net_udp_open(&any, NULL, BENCH_ECHO_SOCK_BUF, err, err_len);
    if (e->fd < 0 || bench_net_local_addr(e->fd, &e->addr) != 0) {
        bench_net_close(&e->fd);
        return -1;
    }
    int rc = pthread_create(&e->thread, NULL, bench_echo_main, e);
    if (rc != 0) {
        (void)snprintf(err, err_len, "pthread_create() failed: %s", strerror(rc));
        bench_net_close(&e->fd);
        return -1;
    }
    e->running = true;
    return 0;
}

void bench_echo_stop(struct bench_echo *e)
{
    if (!e->running) {
        return;
    }
    atomic_store(&e->stop, true);
    (void)pthread_join(e->thread, NULL);
    e->running = false;
    bench_net_close(&e->fd);
}

void bench_echo_new_run(struct bench_echo *e, uint32_t run)
{
    atomic_store(&e->run, run);
    atomic_store(&e->received, 0);
}

uint64_t bench_echo_received(struct bench_echo *e)
{
    return atomic_load(&e->received);
}

double bench_echo_cpu_s(const struct bench_echo *e)
{
    clockid_t id;
    struct timespec ts;

    if (!e->running || pthread_getcpuclockid(e->thread, &id) != 0 || clock_gettime(id, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
