#include "bench_turn.h"

#include "bench_net.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_error.h"
#include "stun/stun_integrity.h"
#include "stun/stun_nonce.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Largest request built: header, REQUESTED-TRANSPORT or peer and channel, USERNAME, REALM,
 * NONCE and MESSAGE-INTEGRITY, each at its maximum here. */
#define BENCH_TURN_REQ_MAX  1024
#define BENCH_TURN_RESP_MAX 1500
#define BENCH_TURN_EVENTS   128
/* epoll_wait() timeout: also the granularity of retransmission timers. */
#define BENCH_TURN_TICK_MS 2
/* Responses read from one socket per readiness event. */
#define BENCH_TURN_READS 4

/* Transaction ids: a random prefix for this process, then a counter. */
static uint8_t bench_turn_txid_prefix[8];
static uint32_t bench_turn_txid_counter;
static bool bench_turn_txid_ready;

static void bench_turn_new_txid(struct bench_turn *c)
{
    if (!bench_turn_txid_ready) {
        if (crypto_random(bench_turn_txid_prefix, sizeof(bench_turn_txid_prefix)) != 0) {
            uint64_t now = bench_now_ns();
            memcpy(bench_turn_txid_prefix, &now, sizeof(bench_turn_txid_prefix));
        }
        bench_turn_txid_ready = true;
    }
    bench_turn_txid_counter++;
    memcpy(c->txid, bench_turn_txid_prefix, sizeof(bench_turn_txid_prefix));
    memcpy(c->txid + sizeof(bench_turn_txid_prefix), &bench_turn_txid_counter,
           sizeof(bench_turn_txid_counter));
}

const char *bench_turn_fail_name(uint16_t code)
{
    switch (code) {
    case 0:
        return "none";
    case BENCH_TURN_FAIL_TIMEOUT:
        return "timeout";
    case BENCH_TURN_FAIL_BAD_RESPONSE:
        return "malformed response";
    case BENCH_TURN_FAIL_INTEGRITY:
        return "response integrity mismatch";
    case BENCH_TURN_FAIL_SOCKET:
        return "socket error";
    case BENCH_TURN_FAIL_DEADLINE:
        return "phase deadline";
    default:
        return stun_error_reason(code);
    }
}

int bench_turn_ctx_init(struct bench_turn_ctx *ctx, char *err, size_t err_len)
{
    ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ctx->epfd < 0) {
        (void)snprintf(err, err_len, "epoll_create1() failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void bench_turn_ctx_fini(struct bench_turn_ctx *ctx)
{
    bench_net_close(&ctx->epfd);
}

struct bench_turn *bench_turn_clients_new(size_t n)
{
    struct bench_turn *clients = xcalloc(n > 0 ? n : 1, sizeof(*clients));

    for (size_t i = 0; i < n; i++) {
        clients[i].fd = -1;
    }
    return clients;
}

static bool bench_turn_busy(const struct bench_turn *c)
{
    return c->step == BENCH_TURN_PROBE || c->step == BENCH_TURN_ALLOCATE ||
           c->step == BENCH_TURN_PERMISSION || c->step == BENCH_TURN_CHANNEL ||
           c->step == BENCH_TURN_RELEASE || c->step == BENCH_TURN_REFRESH;
}

static uint16_t bench_turn_method(uint8_t step)
{
    switch (step) {
    case BENCH_TURN_PERMISSION:
        return STUN_METHOD_CREATE_PERMISSION;
    case BENCH_TURN_CHANNEL:
        return STUN_METHOD_CHANNEL_BIND;
    case BENCH_TURN_RELEASE:
    case BENCH_TURN_REFRESH:
        return STUN_METHOD_REFRESH;
    default:
        return STUN_METHOD_ALLOCATE;
    }
}

/* The key for algorithm alg (0: MD5 without PASSWORD-ALGORITHM); derived by bench_turn_learn. */
static const struct auth_key *bench_turn_key(const struct bench_turn_cred *cred, uint16_t alg)
{
    return alg == STUN_PASSWORD_ALG_SHA256 ? &cred->sha256 : &cred->md5;
}

int bench_turn_build(const struct bench_turn_ctx *ctx, const struct bench_turn *c, uint8_t *buf,
                     size_t cap)
{
    struct stun_builder b;
    const struct bench_turn_cred *cred = ctx->cred;

    stun_build_init(&b, buf, cap, bench_turn_method(c->step), STUN_CLASS_REQUEST, c->txid);
    if (c->step == BENCH_TURN_PROBE || c->step == BENCH_TURN_ALLOCATE) {
        stun_build_u8(&b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
        if (ctx->peer.family == AF_INET6) {
            /* RFC 8656 section 7.1: without it the relayed address would be IPv4. */
            stun_build_u8(&b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, STUN_FAMILY_IPV6);
        }
    } else if (c->step == BENCH_TURN_RELEASE) {
        stun_build_u32(&b, STUN_ATTR_LIFETIME, 0);
    } else if (c->step == BENCH_TURN_REFRESH) {
        stun_build_u32(&b, STUN_ATTR_LIFETIME, BENCH_TURN_REFRESH_LIFETIME_S);
    } else {
        if (c->step == BENCH_TURN_CHANNEL) {
            stun_build_u16(&b, STUN_ATTR_CHANNEL_NUMBER, BENCH_TURN_CHANNEL_NUMBER);
        }
        stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &ctx->peer);
    }
    if (c->step != BENCH_TURN_PROBE) {
        const struct auth_key *key = bench_turn_key(cred, c->alg);
        stun_build_string(&b, STUN_ATTR_USERNAME, cred->username);
        stun_build_string(&b, STUN_ATTR_REALM, cred->realm);
        stun_build_raw(&b, STUN_ATTR_NONCE, c->nonce, c->nonce_len);
        if (c->alg != 0) {
            stun_build_raw(&b, STUN_ATTR_PASSWORD_ALGORITHMS, c->algs, c->algs_len);
            stun_build_algorithm(&b, c->alg);
        }
        stun_build_integrity(&b, key->bytes, key->len);
    }
    return stun_build_finish(&b);
}

/* Records c's failure and closes its transaction. */
static void bench_turn_fail(struct bench_turn *c, uint16_t code, struct bench_turn_stats *st)
{
    bool was_setup = c->step != BENCH_TURN_RELEASE;

    c->error = code;
    c->step = BENCH_TURN_CLOSED;
    if (st != NULL && was_setup) {
        st->failed++;
        if (st->first_error == 0) {
            st->first_error = code;
        }
    }
}

/* (Re)sends the request of c's current step with its current transaction id. */
static void bench_turn_send(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                            struct bench_turn_stats *st)
{
    uint8_t buf[BENCH_TURN_REQ_MAX];
    int len = bench_turn_build(ctx, c, buf, sizeof(buf));

    if (len < 0) {
        bench_turn_fail(c, BENCH_TURN_FAIL_BAD_RESPONSE, st);
        return;
    }
    c->sent_ns = bench_now_ns();
    c->tries++;
    /* A full send buffer is a lost datagram: the retransmission timer covers it. */
    if (send(c->fd, buf, (size_t)len, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS) {
        bench_turn_fail(c, BENCH_TURN_FAIL_SOCKET, st);
    }
}

/* Moves c to step with a fresh transaction and sends its request. */
static void bench_turn_goto(const struct bench_turn_ctx *ctx, struct bench_turn *c, uint8_t step,
                            struct bench_turn_stats *st)
{
    c->step = step;
    c->tries = 0;
    bench_turn_new_txid(c);
    bench_turn_send(ctx, c, st);
}

/* Derives the key of algorithm alg (0 for MD5) for cred's realm unless it is there. Returns 0
 * or -1. */
static int bench_turn_derive(struct bench_turn_cred *cred, uint16_t alg)
{
    bool sha256 = alg == STUN_PASSWORD_ALG_SHA256;
    bool *has = sha256 ? &cred->has_sha256 : &cred->has_md5;
    struct auth_key *key = sha256 ? &cred->sha256 : &cred->md5;
    struct auth_key_id id = {cred->username, strlen(cred->username), cred->realm,
                             strlen(cred->realm)};

    if (!*has) {
        *has = auth_key_derive(key, sha256 ? STUN_PASSWORD_ALG_SHA256 : STUN_PASSWORD_ALG_MD5, &id,
                               cred->password, strlen(cred->password)) == 0;
    }
    return *has ? 0 : -1;
}

/* Keeps the realm; a new one makes every derived key stale. Returns 0, or -1 when it is not
 * a usable realm. */
static int bench_turn_learn_realm(struct bench_turn_cred *cred, const struct stun_msg *msg)
{
    const uint8_t *realm = NULL;
    size_t len = 0;

    if (stun_attr_get_bytes(msg, STUN_ATTR_REALM, &realm, &len) != 0 || len == 0 ||
        len > BENCH_TURN_REALM_MAX || memchr(realm, '\0', len) != NULL) {
        return -1;
    }
    if (strlen(cred->realm) == len && memcmp(cred->realm, realm, len) == 0) {
        return 0;
    }
    memcpy(cred->realm, realm, len);
    cred->realm[len] = '\0';
    cred->has_md5 = false;
    cred->has_sha256 = false;
    return 0;
}

/* RFC 8489 section 9.2.4: when the nonce cookie announces password algorithms and the 401
 * lists them, the request names the algorithm used and echoes the list. Picks the first one
 * listed that auth_key supports; 0 (plain MD5) otherwise. */
static void bench_turn_learn_algorithm(struct bench_turn *c, const struct stun_msg *msg)
{
    uint16_t listed[BENCH_TURN_ALGS_MAX / 4];
    const uint8_t *raw = NULL;
    size_t raw_len = 0;
    uint32_t features = 0;

    c->alg = 0;
    c->algs_len = 0;
    if (stun_nonce_cookie_parse(c->nonce, c->nonce_len, &features) != 0 ||
        (features & STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS) == 0 ||
        stun_attr_get_bytes(msg, STUN_ATTR_PASSWORD_ALGORITHMS, &raw, &raw_len) != 0 ||
        raw_len > BENCH_TURN_ALGS_MAX) {
        return;
    }
    int n = stun_attr_get_algorithms(msg, listed, sizeof(listed) / sizeof(listed[0]));
    for (int i = 0; i < n && (size_t)i < sizeof(listed) / sizeof(listed[0]); i++) {
        if (auth_key_alg_is_supported(listed[i])) {
            c->alg = listed[i];
            memcpy(c->algs, raw, raw_len);
            c->algs_len = (uint8_t)raw_len;
            return;
        }
    }
}

int bench_turn_learn(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                     const struct stun_msg *msg)
{
    const uint8_t *nonce = NULL;
    size_t nonce_len = 0;

    if (bench_turn_learn_realm(ctx->cred, msg) != 0 ||
        stun_attr_get_bytes(msg, STUN_ATTR_NONCE, &nonce, &nonce_len) != 0 ||
        nonce_len > BENCH_TURN_NONCE_MAX) {
        return -1;
    }
    memcpy(c->nonce, nonce, nonce_len);
    c->nonce_len = (uint8_t)nonce_len;
    c->alg = 0;
    c->algs_len = 0;
    if (ctx->rfc8489) {
        bench_turn_learn_algorithm(c, msg);
    }
    return bench_turn_derive(ctx->cred, c->alg);
}

static void bench_turn_on_error(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                                const struct stun_msg *msg, struct bench_turn_stats *st)
{
    struct stun_error_value ev;
    uint16_t code = BENCH_TURN_FAIL_BAD_RESPONSE;

    if (stun_attr_get_error(msg, STUN_ATTR_ERROR_CODE, &ev) == 0) {
        code = ev.code;
    }
    bool challenge = code == STUN_ERROR_UNAUTHENTICATED && c->step == BENCH_TURN_PROBE;
    bool stale = code == STUN_ERROR_STALE_NONCE && !c->stale_retried;
    if (!challenge && !stale) {
        bench_turn_fail(c, code, st);
        return;
    }
    if (bench_turn_learn(ctx, c, msg) != 0) {
        bench_turn_fail(c, BENCH_TURN_FAIL_BAD_RESPONSE, st);
        return;
    }
    c->stale_retried = stale;
    bench_turn_goto(ctx, c, challenge ? BENCH_TURN_ALLOCATE : c->step, st);
}

/* The step after a success of c's current step. */
static uint8_t bench_turn_next(const struct bench_turn_ctx *ctx, const struct bench_turn *c)
{
    switch (c->step) {
    case BENCH_TURN_PROBE:
    case BENCH_TURN_ALLOCATE:
        return ctx->full ? BENCH_TURN_PERMISSION : BENCH_TURN_READY;
    case BENCH_TURN_PERMISSION:
        return ctx->no_channel ? BENCH_TURN_READY : BENCH_TURN_CHANNEL;
    case BENCH_TURN_CHANNEL:
    case BENCH_TURN_REFRESH:
        return BENCH_TURN_READY;
    default:
        return BENCH_TURN_CLOSED;
    }
}

static void bench_turn_on_success(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                                  const struct stun_msg *msg, struct bench_turn_stats *st)
{
    const struct auth_key *key = bench_turn_key(ctx->cred, c->alg);

    if (c->step != BENCH_TURN_PROBE && msg->integrity_idx >= 0 &&
        stun_integrity_check_sha1(msg, key->bytes, key->len) != 0) {
        bench_turn_fail(c, BENCH_TURN_FAIL_INTEGRITY, st);
        return;
    }
    if ((c->step == BENCH_TURN_PROBE || c->step == BENCH_TURN_ALLOCATE) &&
        stun_attr_get_addr(msg, STUN_ATTR_XOR_RELAYED_ADDRESS, &c->relayed) != 0) {
        bench_turn_fail(c, BENCH_TURN_FAIL_BAD_RESPONSE, st);
        return;
    }
    c->stale_retried = false;
    c->allocated = c->step != BENCH_TURN_RELEASE;
    uint8_t next = bench_turn_next(ctx, c);
    if (next == BENCH_TURN_READY || next == BENCH_TURN_CLOSED) {
        uint64_t now = bench_now_ns();
        if (next == BENCH_TURN_READY && st != NULL) {
            st->ok++;
            st->last_ns = now;
            if (st->latency != NULL) {
                bench_samples_add(st->latency, now - c->start_ns);
            }
        }
        c->step = next;
        return;
    }
    bench_turn_goto(ctx, c, next, st);
}

/* Handles one datagram on c's socket: an answer to its transaction, or something to ignore
 * (a late answer to an earlier one, relayed data). */
static void bench_turn_on_packet(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                                 const uint8_t *buf, size_t len, struct bench_turn_stats *st)
{
    struct stun_msg msg;

    if (!bench_turn_busy(c) || !stun_msg_is_stun(buf, len) || stun_msg_decode(&msg, buf, len) < 0 ||
        memcmp(msg.txid, c->txid, STUN_TXID_LEN) != 0) {
        return;
    }
    if (msg.cls == STUN_CLASS_ERROR) {
        bench_turn_on_error(ctx, c, &msg, st);
    } else if (msg.cls == STUN_CLASS_SUCCESS) {
        bench_turn_on_success(ctx, c, &msg, st);
    }
}

/* Reads what c's socket holds (a few datagrams at most). */
static void bench_turn_readable(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                                struct bench_turn_stats *st)
{
    uint8_t buf[BENCH_TURN_RESP_MAX];

    for (int i = 0; i < BENCH_TURN_READS && c->fd >= 0; i++) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n <= 0) {
            return;
        }
        bench_turn_on_packet(ctx, c, buf, (size_t)n, st);
    }
}

/* Opens c's socket, registers it as index idx and sends the first Allocate. */
static void bench_turn_begin(const struct bench_turn_ctx *ctx, struct bench_turn *c, size_t idx,
                             struct bench_turn_stats *st)
{
    char err[160];
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = idx};

    c->start_ns = bench_now_ns();
    if (st->first_ns == 0) {
        st->first_ns = c->start_ns;
    }
    struct addr local = ctx->local;
    if (ctx->per_ip > 0 && local.family == AF_INET) {
        /* 127.N.0.x for the N-th group of per_ip clients: each address has its own ports. */
        local.ip[1] = (uint8_t)(local.ip[1] + idx / ctx->per_ip);
    }
    c->fd = bench_net_udp_open(&local, &ctx->server, ctx->sock_buf, err, sizeof(err));
    if (c->fd < 0 || epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        c->step = BENCH_TURN_PROBE;
        bench_turn_fail(c, BENCH_TURN_FAIL_SOCKET, st);
        return;
    }
    bench_turn_goto(ctx, c, BENCH_TURN_PROBE, st);
}

/* Retransmits or fails the busy clients of clients[*low..end) whose timer ran out; advances
 * *low past the finished ones. */
static void bench_turn_timers(const struct bench_turn_ctx *ctx, struct bench_turn *clients,
                              size_t *low, size_t end, struct bench_turn_stats *st)
{
    uint64_t now = bench_now_ns();

    while (*low < end && !bench_turn_busy(&clients[*low])) {
        (*low)++;
    }
    for (size_t i = *low; i < end; i++) {
        struct bench_turn *c = &clients[i];
        if (!bench_turn_busy(c) || now - c->sent_ns < ctx->rto_ns << (c->tries - 1)) {
            continue;
        }
        if (c->tries >= ctx->max_tries) {
            bench_turn_fail(c, BENCH_TURN_FAIL_TIMEOUT, st);
            continue;
        }
        st->retransmits++;
        bench_turn_send(ctx, c, st);
    }
}

/* Counts the busy clients in clients[low..end). */
static size_t bench_turn_count_busy(const struct bench_turn *clients, size_t low, size_t end)
{
    size_t busy = 0;

    for (size_t i = low; i < end; i++) {
        busy += bench_turn_busy(&clients[i]) ? 1 : 0;
    }
    return busy;
}

/* Waits one tick and handles every readable socket. */
static void bench_turn_poll(const struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                            struct bench_turn_stats *st)
{
    struct epoll_event evs[BENCH_TURN_EVENTS];
    int got = epoll_wait(ctx->epfd, evs, BENCH_TURN_EVENTS, BENCH_TURN_TICK_MS);

    for (int i = 0; i < got; i++) {
        uint64_t idx = evs[i].data.u64;
        if (idx < n) {
            bench_turn_readable(ctx, &clients[idx], st);
        }
    }
}

/* Fails whatever is still in flight at the deadline. */
static void bench_turn_expire(struct bench_turn *clients, size_t n, struct bench_turn_stats *st)
{
    for (size_t i = 0; i < n; i++) {
        if (bench_turn_busy(&clients[i])) {
            bench_turn_fail(&clients[i], BENCH_TURN_FAIL_DEADLINE, st);
        }
    }
}

void bench_turn_setup(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                      uint64_t deadline_ns, struct bench_turn_stats *st)
{
    size_t next = 0;
    size_t low = 0;
    size_t limit = ctx->concurrency > 0 ? ctx->concurrency : 1;

    while (bench_now_ns() < deadline_ns) {
        size_t busy = bench_turn_count_busy(clients, low, next);
        while (busy < limit && next < n) {
            bench_turn_begin(ctx, &clients[next], next, st);
            busy += bench_turn_busy(&clients[next]) ? 1 : 0;
            next++;
        }
        if (busy == 0 && next >= n) {
            return;
        }
        bench_turn_poll(ctx, clients, n, st);
        bench_turn_timers(ctx, clients, &low, next, st);
    }
    bench_turn_expire(clients, n, st);
}

/* Moves every allocated, idle client of clients[0..n) to step (RELEASE or REFRESH),
 * ctx->concurrency at a time, until all have answered or deadline_ns passes. Counts into *st. */
static void bench_turn_each(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                            uint8_t step, uint64_t deadline_ns, struct bench_turn_stats *st)
{
    size_t next = 0;
    size_t low = 0;
    size_t limit = ctx->concurrency > 0 ? ctx->concurrency : 1;

    while (bench_now_ns() < deadline_ns) {
        size_t busy = bench_turn_count_busy(clients, low, next);
        for (; busy < limit && next < n; next++) {
            if (clients[next].allocated && !bench_turn_busy(&clients[next])) {
                bench_turn_goto(ctx, &clients[next], step, st);
                busy++;
            }
        }
        if (busy == 0 && next >= n) {
            return;
        }
        bench_turn_poll(ctx, clients, n, st);
        bench_turn_timers(ctx, clients, &low, next, st);
    }
    bench_turn_expire(clients, n, st);
}

void bench_turn_refresh(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                        uint64_t deadline_ns, struct bench_turn_stats *st)
{
    bench_turn_each(ctx, clients, n, BENCH_TURN_REFRESH, deadline_ns, st);
}

uint64_t bench_turn_release(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                            uint64_t deadline_ns)
{
    struct bench_turn_stats st = {0};
    uint64_t held = 0;
    uint64_t released = 0;

    for (size_t i = 0; i < n; i++) {
        held += clients[i].allocated ? 1 : 0;
    }
    bench_turn_each(ctx, clients, n, BENCH_TURN_RELEASE, deadline_ns, &st);
    for (size_t i = 0; i < n; i++) {
        released += clients[i].allocated ? 1 : 0;
        bench_net_close(&clients[i].fd);
    }
    return held - released;
}
