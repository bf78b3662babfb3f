#include "bench_cycle.h"

#include "bench_net.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_error.h"
#include "stun/stun_msg.h"
#include "util/xalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for a few pipelined answers on a stream. */
#define BENCH_CONN_BUF      8192
#define BENCH_CYCLE_REQ_MAX 1024
/* Streams: how long a connection may stay silent before the thread gives it up. */
#define BENCH_CYCLE_STREAM_TIMEOUT_MS 2000
/* Source addresses per thread: 127.B+T.x.y with x, y in 1..250. */
#define BENCH_CYCLE_HOSTS 250u

/* One socket or connection with blocking I/O and a receive timeout. */
struct bench_conn {
    int fd;
    int xport;
    SSL *ssl;
    size_t have; /* bytes in `in` (streams) */
    uint8_t in[BENCH_CONN_BUF];
};

/* One load thread and what it counts. */
struct bench_cycle_thread {
    const struct bench_cycle_opts *o;
    SSL_CTX *tls;         /* shared */
    SSL_SESSION *session; /* TLS resumption: the previous connection's session */
    struct bench_turn_cred cred;
    struct bench_turn_ctx ctx;
    struct bench_samples lat;
    struct bench_conn conn;
    pthread_t tid;
    unsigned index;
    uint32_t sources; /* source addresses used so far */
    uint32_t txid_counter;
    uint64_t end_ns;
    uint64_t ok;
    uint64_t failed;
    uint64_t resumed;
    uint16_t first_error;
};

int bench_cycle_xport(const char *s)
{
    if (strcmp(s, "udp") == 0) {
        return BENCH_XPORT_UDP;
    }
    if (strcmp(s, "tcp") == 0) {
        return BENCH_XPORT_TCP;
    }
    return strcmp(s, "tls") == 0 ? BENCH_XPORT_TLS : -1;
}

static void bench_cycle_fail(struct bench_cycle_thread *t, uint16_t code)
{
    t->failed++;
    if (t->first_error == 0) {
        t->first_error = code;
    }
}

/* A fresh transaction id: the thread's index, then a counter. */
static void bench_cycle_txid(struct bench_cycle_thread *t, uint8_t *txid)
{
    memset(txid, 0, STUN_TXID_LEN);
    txid[0] = 't';
    txid[1] = (uint8_t)t->index;
    t->txid_counter++;
    memcpy(txid + 4, &t->txid_counter, sizeof(t->txid_counter));
}

/* The next source address of thread t (port 0), from its own range. */
static void bench_cycle_source(struct bench_cycle_thread *t, struct addr *local)
{
    uint32_t k = t->sources++ % (BENCH_CYCLE_HOSTS * BENCH_CYCLE_HOSTS);

    if (t->o->server.family == AF_INET6) {
        (void)addr_parse(local, "::1", 0);
        return;
    }
    (void)addr_parse(local, "127.0.0.1", 0);
    local->ip[1] = (uint8_t)(t->o->thread_base + t->index);
    local->ip[2] = (uint8_t)(1 + k / BENCH_CYCLE_HOSTS);
    local->ip[3] = (uint8_t)(1 + k % BENCH_CYCLE_HOSTS);
}

static void bench_conn_close(struct bench_conn *c)
{
    if (c->ssl != NULL) {
        (void)SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    bench_net_close(&c->fd);
    c->have = 0;
}

static void bench_conn_timeouts(int fd, uint64_t rcv_ns)
{
    struct timeval rcv = {.tv_sec = (time_t)(rcv_ns / BENCH_NS_PER_S),
                          .tv_usec = (suseconds_t)(rcv_ns % BENCH_NS_PER_S / 1000)};
    struct timeval snd = {.tv_sec = BENCH_CYCLE_STREAM_TIMEOUT_MS / 1000};
    int one = 1;

    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd));
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The TLS handshake on a connected c->fd. Returns 0 or -1. */
static int bench_conn_tls(struct bench_cycle_thread *t, struct bench_conn *c)
{
    c->ssl = SSL_new(t->tls);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        return -1;
    }
    if (t->o->tls_resume && t->session != NULL) {
        (void)SSL_set_session(c->ssl, t->session);
    }
    if (SSL_connect(c->ssl) != 1) {
        ERR_clear_error();
        return -1;
    }
    t->resumed += SSL_session_reused(c->ssl) ? 1 : 0;
    return 0;
}

/* Opens t's next socket or connection to the server. Returns 0 or -1. */
static int bench_conn_open(struct bench_cycle_thread *t, struct bench_conn *c)
{
    struct sockaddr_storage ss;
    struct addr local;
    bool stream = t->o->xport != BENCH_XPORT_UDP;

    c->xport = t->o->xport;
    c->have = 0;
    c->ssl = NULL;
    bench_cycle_source(t, &local);
    c->fd = socket(t->o->server.family, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        return -1;
    }
    bench_conn_timeouts(c->fd,
                        stream ? BENCH_CYCLE_STREAM_TIMEOUT_MS * BENCH_NS_PER_MS : t->o->rto_ns);
    socklen_t len = addr_to_sockaddr(&local, &ss);
    if (bind(c->fd, (struct sockaddr *)&ss, len) != 0) {
        return -1;
    }
    len = addr_to_sockaddr(&t->o->server, &ss);
    if (connect(c->fd, (struct sockaddr *)&ss, len) != 0) {
        return -1;
    }
    return c->xport == BENCH_XPORT_TLS ? bench_conn_tls(t, c) : 0;
}

/* Keeps the session of a TLS connection for the next one to resume. */
static void bench_conn_keep_session(struct bench_cycle_thread *t, const struct bench_conn *c)
{
    if (!t->o->tls_resume || c->ssl == NULL) {
        return;
    }
    SSL_SESSION *s = SSL_get1_session(c->ssl);
    if (s != NULL) {
        SSL_SESSION_free(t->session);
        t->session = s;
    }
}

/* Sends len bytes. Returns 0 or -1. */
static int bench_conn_send(struct bench_conn *c, const uint8_t *buf, size_t len)
{
    if (c->ssl != NULL) {
        return SSL_write(c->ssl, buf, (int)len) == (int)len ? 0 : -1;
    }
    while (len > 0) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads more bytes of a stream. Returns the count, 0 at the end, or -1 (EAGAIN: timeout). */
static ssize_t bench_conn_read(struct bench_conn *c)
{
    size_t room = sizeof(c->in) - c->have;

    if (c->ssl != NULL) {
        int n = SSL_read(c->ssl, c->in + c->have, (int)room);
        if (n <= 0) {
            ERR_clear_error();
            errno = EIO;
            return -1;
        }
        return n;
    }
    return recv(c->fd, c->in + c->have, room, 0);
}

/* The length of the STUN message at the head of a stream buffer, or 0 when incomplete. */
static size_t bench_conn_framed(const struct bench_conn *c)
{
    if (c->have < STUN_HEADER_LEN) {
        return 0;
    }
    size_t need = STUN_HEADER_LEN + ((size_t)c->in[2] << 8 | c->in[3]);
    return c->have >= need ? need : 0;
}

/* Waits for the next message; returns its length at c->in (drop it with bench_conn_consume),
 * or -1 (errno EAGAIN after a timeout). */
static ssize_t bench_conn_next(struct bench_conn *c)
{
    if (c->xport == BENCH_XPORT_UDP) {
        c->have = 0;
        ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);
        if (n >= 0) {
            c->have = (size_t)n;
        }
        return n;
    }
    for (;;) {
        size_t len = bench_conn_framed(c);
        if (len > 0) {
            return (ssize_t)len;
        }
        if (c->have == sizeof(c->in)) {
            errno = EMSGSIZE;
            return -1;
        }
        ssize_t n = bench_conn_read(c);
        if (n <= 0) {
            errno = n == 0 ? ECONNRESET : errno;
            return -1;
        }
        c->have += (size_t)n;
    }
}

static void bench_conn_consume(struct bench_conn *c, size_t len)
{
    if (len >= c->have) {
        c->have = 0;
        return;
    }
    memmove(c->in, c->in + len, c->have - len);
    c->have -= len;
}

/* Sends one Binding request. Returns 0 or -1. */
static int bench_cycle_binding_send(struct bench_cycle_thread *t)
{
    uint8_t buf[STUN_HEADER_LEN];
    uint8_t txid[STUN_TXID_LEN];
    struct stun_builder b;

    bench_cycle_txid(t, txid);
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, txid);
    int len = stun_build_finish(&b);
    return len > 0 ? bench_conn_send(&t->conn, buf, (size_t)len) : -1;
}

/* Binding: window requests in flight on one connection until the end of the run. */
static void bench_cycle_binding(struct bench_cycle_thread *t)
{
    unsigned out = 0;

    if (bench_conn_open(t, &t->conn) != 0) {
        bench_cycle_fail(t, BENCH_TURN_FAIL_SOCKET);
        bench_conn_close(&t->conn);
        return;
    }
    while (bench_now_ns() < t->end_ns) {
        for (; out < t->o->window; out++) {
            if (bench_cycle_binding_send(t) != 0) {
                bench_cycle_fail(t, BENCH_TURN_FAIL_SOCKET);
                goto done;
            }
        }
        ssize_t n = bench_conn_next(&t->conn);
        if (n < 0) {
            if (t->conn.xport != BENCH_XPORT_UDP || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                bench_cycle_fail(t, BENCH_TURN_FAIL_SOCKET);
                goto done;
            }
            t->failed += out; /* a silence: the window was lost */
            out = 0;
            continue;
        }
        bool answer = stun_msg_is_stun(t->conn.in, (size_t)n) &&
                      stun_msg_type_method((uint16_t)(t->conn.in[0] << 8 | t->conn.in[1])) ==
                          STUN_METHOD_BINDING &&
                      t->conn.in[8] == 't' && t->conn.in[9] == (uint8_t)t->index;
        bench_conn_consume(&t->conn, (size_t)n);
        if (answer && out > 0) {
            t->ok++;
            out--;
        }
    }
done:
    bench_conn_close(&t->conn);
}

/* Sends c's current step and waits for its answer. Returns 0 with *msg decoded from t->conn,
 * or a failure code. */
static uint16_t bench_cycle_transact(struct bench_cycle_thread *t, struct bench_turn *c,
                                     struct stun_msg *msg)
{
    uint8_t buf[BENCH_CYCLE_REQ_MAX];

    bench_cycle_txid(t, c->txid);
    int len = bench_turn_build(&t->ctx, c, buf, sizeof(buf));
    if (len < 0 || bench_conn_send(&t->conn, buf, (size_t)len) != 0) {
        return BENCH_TURN_FAIL_SOCKET;
    }
    for (;;) {
        ssize_t n = bench_conn_next(&t->conn);
        if (n < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK ? BENCH_TURN_FAIL_TIMEOUT
                                                           : BENCH_TURN_FAIL_SOCKET;
        }
        if (stun_msg_is_stun(t->conn.in, (size_t)n) &&
            stun_msg_decode(msg, t->conn.in, (size_t)n) >= 0 &&
            memcmp(msg->txid, c->txid, STUN_TXID_LEN) == 0) {
            return 0;
        }
        bench_conn_consume(&t->conn, (size_t)n);
    }
}

/* The error code of an answer: 0 for a success, else the STUN code or a failure code. */
static uint16_t bench_cycle_answer(const struct stun_msg *msg)
{
    struct stun_error_value ev;

    if (msg->cls == STUN_CLASS_SUCCESS) {
        return 0;
    }
    if (msg->cls == STUN_CLASS_ERROR && stun_attr_get_error(msg, STUN_ATTR_ERROR_CODE, &ev) == 0) {
        return ev.code;
    }
    return BENCH_TURN_FAIL_BAD_RESPONSE;
}

/* One step: send, wait, and check the answer is want (0 for a success, or an error code).
 * Returns 0 or the failure. Leaves the answer at the head of t->conn's buffer in *msg. */
static uint16_t bench_cycle_step(struct bench_cycle_thread *t, struct bench_turn *c, uint8_t step,
                                 struct stun_msg *msg, uint16_t want)
{
    c->step = step;
    uint16_t rc = bench_cycle_transact(t, c, msg);
    if (rc != 0) {
        return rc;
    }
    uint16_t code = bench_cycle_answer(msg);
    return code == want ? 0 : (code != 0 ? code : BENCH_TURN_FAIL_BAD_RESPONSE);
}

/* One whole cycle: a new connection, 401, Allocate, Refresh(0), close. Returns 0 or a failure. */
static uint16_t bench_cycle_once(struct bench_cycle_thread *t)
{
    struct bench_turn c;
    struct stun_msg msg;

    memset(&c, 0, sizeof(c));
    if (bench_conn_open(t, &t->conn) != 0) {
        return BENCH_TURN_FAIL_SOCKET;
    }
    uint16_t rc = bench_cycle_step(t, &c, BENCH_TURN_PROBE, &msg, STUN_ERROR_UNAUTHENTICATED);
    if (rc == 0 && bench_turn_learn(&t->ctx, &c, &msg) != 0) {
        rc = BENCH_TURN_FAIL_BAD_RESPONSE;
    }
    if (rc == 0) {
        bench_conn_consume(&t->conn, msg.len);
        rc = bench_cycle_step(t, &c, BENCH_TURN_ALLOCATE, &msg, 0);
    }
    if (rc == 0) {
        bench_conn_consume(&t->conn, msg.len);
        rc = bench_cycle_step(t, &c, BENCH_TURN_RELEASE, &msg, 0);
    }
    if (rc == 0) {
        bench_conn_consume(&t->conn, msg.len);
        bench_conn_keep_session(t, &t->conn);
    }
    return rc;
}

static void bench_cycle_allocations(struct bench_cycle_thread *t)
{
    while (bench_now_ns() < t->end_ns) {
        uint64_t start = bench_now_ns();
        uint16_t rc = bench_cycle_once(t);
        bench_conn_close(&t->conn);
        if (rc != 0) {
            bench_cycle_fail(t, rc);
            continue;
        }
        t->ok++;
        bench_samples_add(&t->lat, bench_now_ns() - start);
    }
}

static void *bench_cycle_main(void *arg)
{
    struct bench_cycle_thread *t = arg;

    t->conn.fd = -1;
    if (t->o->allocate) {
        bench_cycle_allocations(t);
    } else {
        bench_cycle_binding(t);
    }
    return NULL;
}

/* A client TLS context: no certificate check (a loopback benchmark), any TLS version. */
static SSL_CTX *bench_cycle_tls_ctx(char *err, size_t err_len)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL) {
        (void)snprintf(err, err_len, "SSL_CTX_new() failed");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    return ctx;
}

/* Prepares thread i of threads. */
static void bench_cycle_thread_init(struct bench_cycle_thread *t, const struct bench_cycle_opts *o,
                                    unsigned i, SSL_CTX *tls)
{
    memset(t, 0, sizeof(*t));
    t->o = o;
    t->index = i;
    t->tls = tls;
    t->conn.fd = -1;
    if (o->cred != NULL) {
        t->cred = *o->cred;
    }
    t->ctx.cred = &t->cred;
    t->ctx.server = o->server;
    t->ctx.epfd = -1;
    bench_samples_init(&t->lat, 100000);
}

/* Adds thread t's counts and samples to r. */
static void bench_cycle_merge(struct bench_cycle_thread *t, struct bench_cycle_result *r)
{
    r->ok += t->ok;
    r->failed += t->failed;
    r->resumed += t->resumed;
    if (r->first_error == 0) {
        r->first_error = t->first_error;
    }
    for (size_t k = 0; r->latency != NULL && k < t->lat.count; k++) {
        bench_samples_add(r->latency, t->lat.ns[k]);
    }
    bench_samples_fini(&t->lat);
    SSL_SESSION_free(t->session);
}

/* Reads the server's CPU seconds, or a negative number. */
static double bench_cycle_server_cpu(pid_t pid)
{
    double user = 0;
    double sys = 0;

    return pid > 0 && bench_proc_cpu_s(pid, &user, &sys) == 0 ? user + sys : -1.0;
}

int bench_cycle_run(const struct bench_cycle_opts *o, struct bench_cycle_result *r, char *err,
                    size_t err_len)
{
    struct bench_cycle_thread *threads = xcalloc(o->threads, sizeof(*threads));
    SSL_CTX *tls = o->xport == BENCH_XPORT_TLS ? bench_cycle_tls_ctx(err, err_len) : NULL;
    unsigned started = 0;
    int rc = 0;

    if (o->xport == BENCH_XPORT_TLS && tls == NULL) {
        xfree(&threads);
        return -1;
    }
    double server0 = bench_cycle_server_cpu(o->server_pid);
    double cpu0 = bench_cpu_process_s();
    uint64_t start = bench_now_ns();
    for (unsigned i = 0; i < o->threads; i++) {
        bench_cycle_thread_init(&threads[i], o, i, tls);
        threads[i].end_ns = start + o->duration_ns;
        int e = pthread_create(&threads[i].tid, NULL, bench_cycle_main, &threads[i]);
        if (e != 0) {
            (void)snprintf(err, err_len, "pthread_create() failed: %s", strerror(e));
            bench_samples_fini(&threads[i].lat);
            rc = -1;
            break;
        }
        started++;
    }
    for (unsigned i = 0; i < started; i++) {
        (void)pthread_join(threads[i].tid, NULL);
    }
    r->seconds = (double)(bench_now_ns() - start) / 1e9;
    r->client_cpu_s = bench_cpu_process_s() - cpu0;
    double server1 = bench_cycle_server_cpu(o->server_pid);
    r->server_cpu_s = server0 >= 0 && server1 >= 0 ? server1 - server0 : -1.0;
    for (unsigned i = 0; i < started; i++) {
        bench_cycle_merge(&threads[i], r);
    }
    SSL_CTX_free(tls);
    xfree(&threads);
    return rc;
}
