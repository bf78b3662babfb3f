#include "bench_flow.h"

#include "bench_net.h"
#include "bench_turn.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_channel.h"
#include "stun/stun_msg.h"
#include "util/xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BENCH_FLOW_EVENTS 64
/* Closed loop: a flow that has heard nothing for this long has lost its window. */
#define BENCH_FLOW_STALL_NS (200 * BENCH_NS_PER_MS)
/* After the window: wait for stragglers until this much silence, or the drain limit. */
#define BENCH_FLOW_QUIET_NS (300 * BENCH_NS_PER_MS)
#define BENCH_FLOW_DRAIN_NS (2 * BENCH_NS_PER_S)
/* recvmmsg() rounds per readable socket per wake-up. */
#define BENCH_FLOW_READ_ROUNDS 4

/* The state of one flow. */
struct bench_flow_one {
    int fd;
    uint32_t seq;
    uint64_t sent;
    uint64_t received;
    uint64_t written_off; /* sent packets given up as lost (closed loop) */
    uint64_t last_rx_ns;
};

/* One batch of buffers, shared by sending and receiving (never at the same time). */
struct bench_flow_io {
    struct mmsghdr msgs[BENCH_FLOW_MAX_BATCH];
    struct iovec iov[BENCH_FLOW_MAX_BATCH];
    uint8_t buf[BENCH_FLOW_MAX_BATCH][BENCH_PKT_BUF_LEN];
};

/* Everything one run works on. */
struct bench_flow_run {
    const struct bench_flow_opts *o;
    struct bench_flow_one *flows;
    size_t nflows;
    struct bench_flow_io *io;
    struct bench_flow_result *r;
    int epfd;
    uint64_t start_ns;
    uint64_t sent_total;
    uint64_t received_total;
    uint64_t last_progress_ns;
};

static uint64_t bench_flow_in_flight(const struct bench_flow_one *f)
{
    uint64_t out = f->sent - f->written_off;

    return out > f->received ? out - f->received : 0;
}

/* How many packets flow idx may send now. */
static uint64_t bench_flow_due(const struct bench_flow_run *run, size_t idx, uint64_t now)
{
    const struct bench_flow_opts *o = run->o;
    const struct bench_flow_one *f = &run->flows[idx];

    if (o->rate_pps == 0) {
        uint64_t out = bench_flow_in_flight(f);
        return out < o->window ? o->window - out : 0;
    }
    /* Paced: flow idx owns every nflows-th packet of the schedule. */
    double elapsed_s = (double)(now - run->start_ns) / (double)BENCH_NS_PER_S;
    uint64_t total = (uint64_t)(elapsed_s * (double)o->rate_pps);
    uint64_t mine = total / run->nflows + (idx < total % run->nflows ? 1 : 0);
    return mine > f->sent ? mine - f->sent : 0;
}

/* Writes a Send indication to the echo peer carrying pkt and filler at buf. Returns its
 * length. */
static size_t bench_flow_indication(struct bench_flow_run *run, uint8_t *buf,
                                    const struct bench_pkt *pkt)
{
    static const uint8_t txid[STUN_TXID_LEN] = {'t', 'e', 'r', 'n', '-', 'b', 'e', 'n', 'c', 'h'};
    uint8_t payload[BENCH_PKT_MAX_LEN];
    struct stun_builder b;

    memset(payload, 0, run->o->size);
    bench_pkt_write(payload, pkt);
    stun_build_init(&b, buf, BENCH_PKT_BUF_LEN, STUN_METHOD_SEND, STUN_CLASS_INDICATION, txid);
    stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &run->o->peer);
    stun_build_raw(&b, STUN_ATTR_DATA, payload, run->o->size);
    int len = stun_build_finish(&b);
    return len > 0 ? (size_t)len : 0;
}

/* Fills the first k send buffers for flow idx; returns the bytes of each datagram. */
static size_t bench_flow_fill(struct bench_flow_run *run, size_t idx, unsigned k)
{
    const struct bench_flow_opts *o = run->o;
    struct bench_flow_one *f = &run->flows[idx];
    size_t hdr = o->channel ? STUN_CHANNEL_HDR_LEN : 0;
    size_t len = hdr + o->size;
    struct bench_pkt pkt = {.run = o->run, .flow = (uint32_t)idx, .sent_ns = bench_now_ns()};

    for (unsigned i = 0; i < k; i++) {
        uint8_t *buf = run->io->buf[i];
        pkt.seq = f->seq + i;
        if (o->indication) {
            len = bench_flow_indication(run, buf, &pkt);
        } else {
            if (o->channel) {
                stun_channel_header(buf, BENCH_TURN_CHANNEL_NUMBER, (uint16_t)o->size);
            }
            bench_pkt_write(buf + hdr, &pkt);
        }
        run->io->iov[i].iov_base = buf;
        run->io->iov[i].iov_len = len;
        memset(&run->io->msgs[i], 0, sizeof(run->io->msgs[i]));
        run->io->msgs[i].msg_hdr.msg_iov = &run->io->iov[i];
        run->io->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return len;
}

/* Sends what flow idx is due. Returns true when it still had more due than one batch. */
static bool bench_flow_send(struct bench_flow_run *run, size_t idx, uint64_t now)
{
    uint64_t due = bench_flow_due(run, idx, now);
    uint64_t left = run->o->max_packets > 0 ? run->o->max_packets - run->sent_total : due;
    uint64_t k = due < left ? due : left;
    struct bench_flow_one *f = &run->flows[idx];

    if (k == 0) {
        return false;
    }
    if (k > run->o->batch) {
        k = run->o->batch;
    }
    (void)bench_flow_fill(run, idx, (unsigned)k);
    int n = sendmmsg(f->fd, run->io->msgs, (unsigned)k, MSG_DONTWAIT);
    if (n < 0) {
        run->r->send_refused += k;
        return false;
    }
    run->r->send_refused += k - (uint64_t)n;
    f->seq += (uint32_t)n;
    f->sent += (uint64_t)n;
    run->sent_total += (uint64_t)n;
    return due > k && (uint64_t)n == k;
}

/* Sends on every flow; returns true when some flow is still behind. */
static bool bench_flow_send_all(struct bench_flow_run *run)
{
    uint64_t now = bench_now_ns();
    bool behind = false;

    for (size_t i = 0; i < run->nflows; i++) {
        if (run->o->max_packets > 0 && run->sent_total >= run->o->max_packets) {
            return false;
        }
        behind |= bench_flow_send(run, i, now);
    }
    return behind;
}

/* Points *buf and *len at the DATA of a Data indication. Returns 0, or -1 for anything else. */
static int bench_flow_data(const uint8_t **buf, size_t *len)
{
    struct stun_msg msg;
    const uint8_t *data = NULL;
    size_t data_len = 0;

    if (!stun_msg_is_stun(*buf, *len) || stun_msg_decode(&msg, *buf, *len) < 0 ||
        msg.method != STUN_METHOD_DATA || msg.cls != STUN_CLASS_INDICATION ||
        stun_attr_get_bytes(&msg, STUN_ATTR_DATA, &data, &data_len) != 0) {
        return -1;
    }
    *buf = data;
    *len = data_len;
    return 0;
}

/* Accounts one datagram received on flow idx. */
static void bench_flow_on_packet(struct bench_flow_run *run, size_t idx, const uint8_t *buf,
                                 size_t len, uint64_t now)
{
    struct stun_channel_data cd;
    struct bench_pkt pkt;
    struct bench_flow_one *f = &run->flows[idx];

    if (run->o->indication) {
        if (bench_flow_data(&buf, &len) != 0) {
            run->r->stray++;
            return;
        }
    } else if (run->o->channel) {
        if (stun_channel_decode(&cd, buf, len, false) < 0 ||
            cd.channel != BENCH_TURN_CHANNEL_NUMBER) {
            run->r->stray++;
            return;
        }
        buf = cd.data;
        len = cd.len;
    }
    if (!bench_pkt_read(buf, len, &pkt) || pkt.run != run->o->run || pkt.flow != idx) {
        run->r->stray++;
        return;
    }
    f->received++;
    f->last_rx_ns = now;
    run->received_total++;
    run->last_progress_ns = now;
    if (run->r->rtt != NULL && now >= pkt.sent_ns) {
        bench_samples_add(run->r->rtt, now - pkt.sent_ns);
    }
}

/* Reads flow idx's socket in batches. */
static void bench_flow_read(struct bench_flow_run *run, size_t idx)
{
    struct bench_flow_io *io = run->io;

    for (int round = 0; round < BENCH_FLOW_READ_ROUNDS; round++) {
        for (unsigned i = 0; i < run->o->batch; i++) {
            io->iov[i].iov_base = io->buf[i];
            io->iov[i].iov_len = sizeof(io->buf[i]);
            memset(&io->msgs[i], 0, sizeof(io->msgs[i]));
            io->msgs[i].msg_hdr.msg_iov = &io->iov[i];
            io->msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(run->flows[idx].fd, io->msgs, run->o->batch, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            return;
        }
        uint64_t now = bench_now_ns();
        for (int i = 0; i < n; i++) {
            bench_flow_on_packet(run, idx, io->buf[i], io->msgs[i].msg_len, now);
        }
        if ((unsigned)n < run->o->batch) {
            return;
        }
    }
}

/* Waits up to wait_ms for readable sockets and reads them. */
static void bench_flow_poll(struct bench_flow_run *run, int wait_ms)
{
    struct epoll_event evs[BENCH_FLOW_EVENTS];
    int got = epoll_wait(run->epfd, evs, BENCH_FLOW_EVENTS, wait_ms);

    for (int i = 0; i < got; i++) {
        if (evs[i].data.u64 < run->nflows) {
            bench_flow_read(run, (size_t)evs[i].data.u64);
        }
    }
}

/* Closed loop: writes off the window of a flow that has heard nothing for a while, so that a
 * loss does not stop the flow for the rest of the run. */
static void bench_flow_unstall(struct bench_flow_run *run, uint64_t now)
{
    if (run->o->rate_pps != 0) {
        return;
    }
    for (size_t i = 0; i < run->nflows; i++) {
        struct bench_flow_one *f = &run->flows[i];
        uint64_t quiet_since = f->last_rx_ns > run->start_ns ? f->last_rx_ns : run->start_ns;
        if (bench_flow_in_flight(f) >= run->o->window && now - quiet_since > BENCH_FLOW_STALL_NS) {
            f->written_off = f->sent - f->received;
            f->last_rx_ns = now;
            run->r->stalls++;
        }
    }
}

/* The sending window: until duration or max_packets. */
static void bench_flow_window(struct bench_flow_run *run)
{
    const struct bench_flow_opts *o = run->o;
    uint64_t end = run->start_ns + o->duration_ns;

    for (uint64_t now = bench_now_ns(); now < end; now = bench_now_ns()) {
        if (o->max_packets > 0 && run->sent_total >= o->max_packets) {
            break;
        }
        bool behind = bench_flow_send_all(run);
        bench_flow_poll(run, behind ? 0 : 1);
        bench_flow_unstall(run, now);
    }
}

/* After the window: reads until everything is back, a silence, or the drain limit. */
static void bench_flow_drain(struct bench_flow_run *run)
{
    uint64_t start = bench_now_ns();

    run->last_progress_ns = start;
    for (uint64_t now = start; now - start < BENCH_FLOW_DRAIN_NS; now = bench_now_ns()) {
        if (run->received_total >= run->sent_total ||
            now - run->last_progress_ns > BENCH_FLOW_QUIET_NS) {
            return;
        }
        bench_flow_poll(run, 5);
    }
}

/* Makes the epoll set of the flows. Returns 0, or -1 with errno set. */
static int bench_flow_epoll(struct bench_flow_run *run)
{
    run->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (run->epfd < 0) {
        return -1;
    }
    for (size_t i = 0; i < run->nflows; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(run->epfd, EPOLL_CTL_ADD, run->flows[i].fd, &ev) != 0) {
            int saved = errno;
            bench_net_close(&run->epfd);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

/* The CPU clocks read around the sending window; server ones are negative when unknown. */
struct bench_flow_cpu {
    double generator;
    double echo;
    double server_user;
    double server_sys;
    struct bench_machine_cpu machine; /* total_s < 0 when unknown */
};

static void bench_flow_cpu(const struct bench_flow_opts *o, struct bench_echo *echo,
                           struct bench_flow_cpu *cpu)
{
    cpu->generator = bench_cpu_thread_s();
    cpu->echo = bench_echo_cpu_s(echo);
    if (o->server_pid <= 0 ||
        bench_proc_cpu_s(o->server_pid, &cpu->server_user, &cpu->server_sys) != 0) {
        cpu->server_user = -1.0;
        cpu->server_sys = -1.0;
    }
    if (bench_machine_cpu_read(&cpu->machine) != 0) {
        cpu->machine.total_s = -1.0;
    }
}

/* Fills r's CPU figures from the clocks read before and after the window. */
static void bench_flow_cpu_result(const struct bench_flow_cpu *before,
                                  const struct bench_flow_cpu *after, struct bench_flow_result *r)
{
    r->client_cpu_s = after->generator - before->generator;
    r->echo_cpu_s = after->echo - before->echo;
    r->server_user_s = -1.0;
    r->server_sys_s = -1.0;
    if (before->server_user >= 0 && after->server_user >= 0) {
        r->server_user_s = after->server_user - before->server_user;
        r->server_sys_s = after->server_sys - before->server_sys;
    }
    r->machine_busy = -1.0;
    r->softirq_s = -1.0;
    double total = after->machine.total_s - before->machine.total_s;
    if (before->machine.total_s >= 0 && after->machine.total_s >= 0 && total > 0) {
        double idle = after->machine.idle_s - before->machine.idle_s;
        r->machine_busy = (total - idle) / total;
        r->softirq_s = after->machine.softirq_s - before->machine.softirq_s;
    }
}

int bench_flow_run(const struct bench_flow_opts *o, const int *fds, size_t nfds,
                   struct bench_echo *echo, struct bench_flow_result *r)
{
    struct bench_flow_run run = {.o = o, .nflows = nfds, .r = r};
    struct bench_flow_cpu before;
    struct bench_flow_cpu after;

    run.flows = xcalloc(nfds > 0 ? nfds : 1, sizeof(*run.flows));
    for (size_t i = 0; i < nfds; i++) {
        run.flows[i].fd = fds[i];
    }
    if (bench_flow_epoll(&run) != 0) {
        int saved = errno;
        xfree(&run.flows);
        errno = saved;
        return -1;
    }
    run.io = xcalloc(1, sizeof(*run.io));
    bench_echo_new_run(echo, o->run);
    bench_flow_cpu(o, echo, &before);
    run.start_ns = bench_now_ns();
    bench_flow_window(&run);
    r->seconds = (double)(bench_now_ns() - run.start_ns) / (double)BENCH_NS_PER_S;
    bench_flow_cpu(o, echo, &after);
    bench_flow_drain(&run);
    r->sent = run.sent_total;
    r->received = run.received_total;
    r->to_peer = bench_echo_received(echo);
    bench_flow_cpu_result(&before, &after, r);
    bench_net_close(&run.epfd);
    xfree(&run.io);
    xfree(&run.flows);
    return 0;
}
