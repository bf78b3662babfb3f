/*
 * A test bench for the TURN core: one worker with fake I/O, a fake clock,
 * and a fake client that speaks the long-term credential mechanism.
 *
 *   fake I/O     relay_open() hands out 203.0.113.1:49152+n (IPv4) and
 *                [2001:db8::1]:49152+n (IPv6) as advertised addresses,
 *                can be told to fail per family with an enum turn_io_err,
 *                reserves tokens for EVEN-PORT's R bit, counts opens and
 *                closes; quota_acquire() can be told to refuse.
 *   fake clock   now_ms (monotonic) and now_s (wall), advanced by tests.
 *   fake client  builds requests with the stun builder, signs them with
 *                MESSAGE-INTEGRITY or -SHA256 under an MD5 or SHA-256 key of
 *                a static user or a REST username, does the 401 -> retry
 *                dance, decodes responses and checks their integrity.
 *
 * Header-only; every function is static inline so a test uses what it
 * needs. One struct turn_fake per test program (it is large: it holds the
 * configuration).
 */
#ifndef TERN_TESTS_TURN_FAKE_H
#define TERN_TESTS_TURN_FAKE_H

#include "auth/auth_key.h"
#include "auth/auth_nonce.h"
#include "auth/auth_options.h"
#include "auth/auth_rest.h"
#include "auth/auth_store.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_channel.h"
#include "stun/stun_error.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "turn/turn_handle.h"
#include "turn/turn_options.h"
#include "turn/turn_worker.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TURN_FAKE_REALM      "tern"
#define TURN_FAKE_USER       "alice"
#define TURN_FAKE_PASSWORD   "wonderland"
#define TURN_FAKE_USER2      "bob"
#define TURN_FAKE_PASSWORD2  "builder"
#define TURN_FAKE_SECRET     "north-secret"
#define TURN_FAKE_NOW_S      1700000000
#define TURN_FAKE_NOW_MS     5000000u
#define TURN_FAKE_FIRST_PORT 49152u
#define TURN_FAKE_MAX_RELAYS 256
#define TURN_FAKE_BUF        2048
#define TURN_FAKE_TOKEN_BASE 0x1122334455660000ull
#define TURN_FAKE_SOFTWARE   "tern-test"

/* Extra attributes for one request: a test fills what it needs. */
typedef void (*turn_fake_attrs_cb)(struct stun_builder *b, const void *ctx);

struct turn_fake {
    /* Configuration. */
    struct turn_options opts;
    struct auth_options auth_opts;
    struct auth_store *store;
    uint8_t nonce_key[AUTH_NONCE_KEY_LEN];
    struct addr own[1];
    struct turn_worker_config cfg;
    struct turn_io_ops ops;
    struct turn_worker *w;
    /* Fake I/O. */
    int fail_v4;      /* 0, or the enum turn_io_err relay_open() returns for AF_INET */
    int fail_v6;      /* the same for AF_INET6 */
    int quota_refuse; /* 0, or the STUN code quota_acquire() returns */
    int opens;        /* successful relay_open() calls */
    int open_calls;
    int closes;
    int quota_live; /* acquired and not yet released */
    int quota_calls;
    uint64_t reserved_token;
    struct turn_relay_request last_req;
    struct turn_relay *relays[TURN_FAKE_MAX_RELAYS]; /* each opened relay, NULL once closed */
    int relay_count;
    /* Fake clock. */
    uint64_t now_ms;
    int64_t now_s;
    /* Fake client. */
    struct addr client;
    struct addr local;
    enum turn_transport transport;
    void *conn;
    char username[AUTH_REST_USERNAME_MAX + 1];
    struct auth_key key;  /* the client's long-term key */
    uint16_t alg;         /* PASSWORD-ALGORITHM the client uses */
    bool use_sha256;      /* sign with MESSAGE-INTEGRITY-SHA256 */
    bool use_fingerprint; /* add FINGERPRINT */
    bool send_algorithms; /* add PASSWORD-ALGORITHM(S) as RFC 8489 asks */
    char nonce[256];      /* the NONCE last received */
    uint32_t txn;         /* transaction counter */
    uint8_t req[TURN_FAKE_BUF];
    size_t req_len;
    uint8_t reply[TURN_FAKE_BUF];
    struct turn_out out;
    struct stun_msg resp; /* the decoded reply, when out.reply_len > 0 */
    bool has_resp;
    int rc; /* the last turn_handle_* result */
};

/* --- fake I/O ------------------------------------------------------------------------------ */

static inline int turn_fake_relay_open(void *ctx, const struct turn_relay_request *req,
                                       struct turn_relay *relay, uint64_t *token_out)
{
    struct turn_fake *f = ctx;
    int fail = req->family == AF_INET6 ? f->fail_v6 : f->fail_v4;

    f->open_calls++;
    f->last_req = *req;
    if (fail != 0) {
        return fail;
    }
    if (req->token != 0 && req->token != f->reserved_token) {
        return TURN_IO_ERR_TOKEN;
    }
    if (f->relay_count >= TURN_FAKE_MAX_RELAYS) {
        return TURN_IO_ERR_NO_PORT;
    }
    uint16_t port = (uint16_t)(TURN_FAKE_FIRST_PORT + 2u * (unsigned)f->relay_count);

    if (req->family == AF_INET6) {
        (void)addr_parse(&relay->advertised, "[2001:db8::1]", port);
        relay->bound = relay->advertised;
    } else {
        (void)addr_parse(&relay->advertised, "203.0.113.1", port);
        (void)addr_parse(&relay->bound, "192.0.2.1", port);
    }
    relay->handle = &f->relays[f->relay_count];
    if (req->reserve_next) {
        f->reserved_token = TURN_FAKE_TOKEN_BASE + (uint64_t)port + 1u;
        *token_out = f->reserved_token;
    }
    f->relays[f->relay_count++] = relay;
    f->opens++;
    return 0;
}

static inline void turn_fake_relay_close(void *ctx, struct turn_relay *relay)
{
    struct turn_fake *f = ctx;

    for (int i = 0; i < f->relay_count; i++) {
        if (f->relays[i] == relay) {
            f->relays[i] = NULL;
        }
    }
    f->closes++;
}

static inline int turn_fake_quota_acquire(void *ctx, const char *username,
                                          const struct addr *client)
{
    struct turn_fake *f = ctx;

    (void)client;
    f->quota_calls++;
    if (f->quota_refuse != 0 || username == NULL) {
        return f->quota_refuse != 0 ? f->quota_refuse : STUN_ERROR_SERVER_ERROR;
    }
    f->quota_live++;
    return 0;
}

static inline void turn_fake_quota_release(void *ctx, const char *username,
                                           const struct addr *client)
{
    struct turn_fake *f = ctx;

    (void)username;
    (void)client;
    f->quota_live--;
}

/* The relays the worker has open now. */
static inline int turn_fake_live_relays(const struct turn_fake *f)
{
    return f->opens - f->closes;
}

/* The most recently opened relay that is still open, or NULL. */
static inline struct turn_relay *turn_fake_relay(const struct turn_fake *f, int back)
{
    for (int i = f->relay_count - 1; i >= 0; i--) {
        if (f->relays[i] != NULL && back-- == 0) {
            return f->relays[i];
        }
    }
    return NULL;
}

/* --- set-up -------------------------------------------------------------------------------- */

static inline void turn_fake_addr(struct addr *a, const char *text)
{
    if (addr_parse(a, text, 0) != 0) {
        fprintf(stderr, "turn_fake: bad address %s\n", text);
        abort();
    }
}

/* Sets the client's credentials to the static user name / password under alg. */
static inline void turn_fake_use_static(struct turn_fake *f, const char *name, const char *password,
                                        uint16_t alg)
{
    struct auth_key_id id = {name, strlen(name), TURN_FAKE_REALM, strlen(TURN_FAKE_REALM)};

    (void)snprintf(f->username, sizeof(f->username), "%s", name);
    f->alg = alg;
    if (auth_key_derive(&f->key, alg, &id, password, strlen(password)) != 0) {
        abort();
    }
}

/* Sets the client's credentials to a REST username for user, valid ttl_s from now. */
static inline void turn_fake_use_rest(struct turn_fake *f, const char *user, int64_t expiry_s,
                                      uint16_t alg)
{
    int n = snprintf(f->username, sizeof(f->username), "%lld:%s", (long long)expiry_s, user);
    struct auth_key_id id = {f->username, (size_t)n, TURN_FAKE_REALM, strlen(TURN_FAKE_REALM)};

    f->alg = alg;
    if (auth_rest_key(&f->key, alg, &id, TURN_FAKE_SECRET, strlen(TURN_FAKE_SECRET)) != 0) {
        abort();
    }
}

/* Starts the worker with the configuration in f->opts (call turn_fake_init first). */
static inline void turn_fake_start(struct turn_fake *f)
{
    char err[AUTH_STORE_ERR_LEN];

    f->store = auth_store_new(&f->auth_opts, err);
    if (f->store == NULL) {
        fprintf(stderr, "turn_fake: %s\n", err);
        abort();
    }
    f->cfg.turn = &f->opts;
    f->cfg.auth = f->store;
    f->cfg.nonce_key = f->nonce_key;
    f->cfg.nonce_lifetime_s = 600;
    f->cfg.software = TURN_FAKE_SOFTWARE;
    f->cfg.self.ips = f->own;
    f->cfg.self.ip_count = 1;
    f->cfg.seed = 0x12345678u;
    f->ops.relay_open = turn_fake_relay_open;
    f->ops.relay_close = turn_fake_relay_close;
    f->ops.quota_acquire = turn_fake_quota_acquire;
    f->ops.quota_release = turn_fake_quota_release;
    f->w = turn_worker_new(&f->cfg, &f->ops, f);
}

/* Fills f with the defaults: options as conf/ sets them, the peers 198.51.100.0/24 and
 * 2001:db8:5::/48 allowed (documentation ranges are denied by default), user alice, secret
 * north-secret, a UDP client 192.0.2.10:50000 reaching 192.0.2.1:3478. Does not start the
 * worker: tests may change the options first. */
static inline void turn_fake_init(struct turn_fake *f)
{
    memset(f, 0, sizeof(*f));
    f->opts.lifetime_default_s = 600;
    f->opts.lifetime_max_s = 3600;
    f->opts.max_permissions = 64;
    f->opts.max_channels = 64;
    (void)addr_cidr_parse(&f->opts.peer_allow[0], "198.51.100.0/24");
    (void)addr_cidr_parse(&f->opts.peer_allow[1], "2001:db8:5::/48");
    f->opts.peer_allow_count = 2;
    f->auth_opts.realm = TURN_FAKE_REALM;
    f->auth_opts.users[0] = (struct auth_user){TURN_FAKE_USER, TURN_FAKE_PASSWORD};
    f->auth_opts.users[1] = (struct auth_user){TURN_FAKE_USER2, TURN_FAKE_PASSWORD2};
    f->auth_opts.user_count = 2;
    f->auth_opts.secrets[0] = TURN_FAKE_SECRET;
    f->auth_opts.secret_count = 1;
    for (size_t i = 0; i < AUTH_NONCE_KEY_LEN; i++) {
        f->nonce_key[i] = (uint8_t)(0xA0u + i);
    }
    turn_fake_addr(&f->own[0], "192.0.2.1");
    turn_fake_addr(&f->client, "192.0.2.10:50000");
    turn_fake_addr(&f->local, "192.0.2.1:3478");
    f->transport = TURN_TRANSPORT_UDP;
    f->conn = &f->local;
    f->now_ms = TURN_FAKE_NOW_MS;
    f->now_s = TURN_FAKE_NOW_S;
    f->use_sha256 = true;
    f->use_fingerprint = true;
    f->send_algorithms = true;
    turn_fake_use_static(f, TURN_FAKE_USER, TURN_FAKE_PASSWORD, STUN_PASSWORD_ALG_SHA256);
}

/* turn_fake_init() then turn_fake_start(). */
static inline void turn_fake_setup(struct turn_fake *f)
{
    turn_fake_init(f);
    turn_fake_start(f);
}

static inline void turn_fake_teardown(struct turn_fake *f)
{
    turn_worker_free(f->w);
    f->w = NULL;
    auth_store_free(f->store);
    f->store = NULL;
}

/* Advances both clocks by ms milliseconds. */
static inline void turn_fake_advance(struct turn_fake *f, uint64_t ms)
{
    f->now_ms += ms;
    f->now_s += (int64_t)(ms / 1000u);
}

/* Advances both clocks by s seconds. */
static inline void turn_fake_advance_s(struct turn_fake *f, uint32_t s)
{
    turn_fake_advance(f, (uint64_t)s * 1000u);
}

static inline struct turn_packet_info turn_fake_info(const struct turn_fake *f)
{
    struct turn_packet_info info;

    memset(&info, 0, sizeof(info));
    info.client = f->client;
    info.local = f->local;
    info.transport = f->transport;
    info.conn = f->conn;
    info.now_ms = f->now_ms;
    info.now_s = f->now_s;
    return info;
}

/* --- requests ------------------------------------------------------------------------------ */

/* Starts a message of method and class in f->req with a fresh transaction id. */
static inline void turn_fake_begin(struct turn_fake *f, struct stun_builder *b, uint16_t method,
                                   uint8_t cls)
{
    uint8_t txid[STUN_TXID_LEN];

    f->txn++;
    memset(txid, 0x5A, sizeof(txid));
    memcpy(txid, &f->txn, sizeof(f->txn));
    stun_build_init(b, f->req, sizeof(f->req), method, cls, txid);
}

/* Adds the credentials and the integrity of the long-term mechanism (RFC 8489 section 9.2.3),
 * then FINGERPRINT when the client uses it. */
static inline void turn_fake_sign(struct turn_fake *f, struct stun_builder *b)
{
    static const uint16_t algs[] = {STUN_PASSWORD_ALG_SHA256, STUN_PASSWORD_ALG_MD5};

    stun_build_string(b, STUN_ATTR_USERNAME, f->username);
    stun_build_string(b, STUN_ATTR_REALM, TURN_FAKE_REALM);
    stun_build_string(b, STUN_ATTR_NONCE, f->nonce);
    if (f->send_algorithms) {
        stun_build_algorithms(b, algs, 2);
        stun_build_algorithm(b, f->alg);
    }
    if (f->use_sha256) {
        stun_build_integrity_sha256(b, f->key.bytes, f->key.len, 32);
    } else {
        stun_build_integrity(b, f->key.bytes, f->key.len);
    }
}

/* Ends the message in f->req: FINGERPRINT when the client uses it. */
static inline void turn_fake_end(struct turn_fake *f, struct stun_builder *b)
{
    if (f->use_fingerprint) {
        stun_build_fingerprint(b);
    }
    int len = stun_build_finish(b);

    if (len < 0) {
        fprintf(stderr, "turn_fake: request does not build: %s\n", stun_err_str(len));
        abort();
    }
    f->req_len = (size_t)len;
}

/* Hands f->req to the worker as a STUN message from the client; decodes the reply. */
static inline int turn_fake_deliver(struct turn_fake *f)
{
    struct turn_packet_info info = turn_fake_info(f);

    memset(&f->out, 0, sizeof(f->out));
    f->out.reply = f->reply;
    f->out.reply_cap = sizeof(f->reply);
    f->rc = turn_handle_stun(f->w, &info, f->req, f->req_len, &f->out);
    f->has_resp = f->out.reply_len > 0 &&
                  stun_msg_decode(&f->resp, f->reply, f->out.reply_len) == (int)f->out.reply_len;
    return f->rc;
}

/* The ERROR-CODE of the reply, 0 for a success, -1 for no reply. */
static inline int turn_fake_code(const struct turn_fake *f)
{
    struct stun_error_value ev;

    if (!f->has_resp) {
        return -1;
    }
    if (f->resp.cls == STUN_CLASS_SUCCESS) {
        return 0;
    }
    return stun_attr_get_error(&f->resp, STUN_ATTR_ERROR_CODE, &ev) == 0 ? ev.code : -1;
}

/* Keeps the NONCE of a 401 or 438 reply. True when there was one. */
static inline bool turn_fake_take_nonce(struct turn_fake *f)
{
    const uint8_t *v;
    size_t len;

    if (!f->has_resp || stun_attr_get_bytes(&f->resp, STUN_ATTR_NONCE, &v, &len) != 0 ||
        len >= sizeof(f->nonce)) {
        return false;
    }
    memcpy(f->nonce, v, len);
    f->nonce[len] = '\0';
    return true;
}

/* True when the reply's integrity verifies under the client's key (the SHA-256 variant when
 * present, as RFC 8489 section 9.2.5 has the client check). */
static inline bool turn_fake_reply_verifies(const struct turn_fake *f)
{
    if (!f->has_resp) {
        return false;
    }
    if (f->resp.integrity_sha256_idx >= 0) {
        return stun_integrity_check_sha256(&f->resp, f->key.bytes, f->key.len) == 0;
    }
    return stun_integrity_check_sha1(&f->resp, f->key.bytes, f->key.len) == 0;
}

/* Builds and delivers a request of method with attrs, signed when signed is true. */
static inline int turn_fake_send(struct turn_fake *f, uint16_t method, turn_fake_attrs_cb attrs,
                                 const void *ctx, bool sign)
{
    struct stun_builder b;

    turn_fake_begin(f, &b, method, STUN_CLASS_REQUEST);
    if (attrs != NULL) {
        attrs(&b, ctx);
    }
    if (sign) {
        turn_fake_sign(f, &b);
    }
    turn_fake_end(f, &b);
    return turn_fake_deliver(f);
}

/* Sends method signed with the nonce the client holds; a 401 or 438 carrying a NONCE (the
 * first request, or a stale nonce) is answered by one retry with the new nonce, as a client
 * does (RFC 8489 section 9.2.5). Returns the reply's code (turn_fake_code). */
static inline int turn_fake_call(struct turn_fake *f, uint16_t method, turn_fake_attrs_cb attrs,
                                 const void *ctx)
{
    if (f->nonce[0] == '\0') {
        (void)turn_fake_send(f, method, attrs, ctx, false);
        if (!turn_fake_take_nonce(f)) {
            return turn_fake_code(f);
        }
    }
    (void)turn_fake_send(f, method, attrs, ctx, true);
    int code = turn_fake_code(f);

    if ((code == STUN_ERROR_STALE_NONCE || code == STUN_ERROR_UNAUTHENTICATED) &&
        turn_fake_take_nonce(f)) {
        (void)turn_fake_send(f, method, attrs, ctx, true);
        code = turn_fake_code(f);
    }
    return code;
}

/* Resends the last request unchanged (a retransmission: same transaction id). */
static inline int turn_fake_resend(struct turn_fake *f)
{
    (void)turn_fake_deliver(f);
    return turn_fake_code(f);
}

/* --- common attributes --------------------------------------------------------------------- */

static inline void turn_fake_attrs_udp(struct stun_builder *b, const void *ctx)
{
    (void)ctx;
    stun_build_u8(b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
}

/* Allocates an IPv4 relay with the defaults. Returns the reply's code. */
static inline int turn_fake_allocate(struct turn_fake *f)
{
    return turn_fake_call(f, STUN_METHOD_ALLOCATE, turn_fake_attrs_udp, NULL);
}

/* XOR-PEER-ADDRESS of the struct addr at ctx. */
static inline void turn_fake_attrs_peer(struct stun_builder *b, const void *ctx)
{
    stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, ctx);
}

/* CreatePermission for one peer. Returns the reply's code. */
static inline int turn_fake_permit(struct turn_fake *f, const struct addr *peer)
{
    return turn_fake_call(f, STUN_METHOD_CREATE_PERMISSION, turn_fake_attrs_peer, peer);
}

/* What a ChannelBind sends. */
struct turn_fake_bind {
    uint16_t number;
    struct addr peer;
};

static inline void turn_fake_attrs_bind(struct stun_builder *b, const void *ctx)
{
    const struct turn_fake_bind *bind = ctx;

    stun_build_u16(b, STUN_ATTR_CHANNEL_NUMBER, bind->number);
    stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, &bind->peer);
}

/* ChannelBind of number to peer. Returns the reply's code. */
static inline int turn_fake_bind(struct turn_fake *f, uint16_t number, const struct addr *peer)
{
    struct turn_fake_bind bind = {number, *peer};

    return turn_fake_call(f, STUN_METHOD_CHANNEL_BIND, turn_fake_attrs_bind, &bind);
}

static inline void turn_fake_attrs_lifetime(struct stun_builder *b, const void *ctx)
{
    stun_build_u32(b, STUN_ATTR_LIFETIME, *(const uint32_t *)ctx);
}

/* Refresh with LIFETIME lifetime_s. Returns the reply's code. */
static inline int turn_fake_refresh(struct turn_fake *f, uint32_t lifetime_s)
{
    return turn_fake_call(f, STUN_METHOD_REFRESH, turn_fake_attrs_lifetime, &lifetime_s);
}

/* The LIFETIME of the reply, or -1. */
static inline long long turn_fake_lifetime(const struct turn_fake *f)
{
    uint32_t v;

    if (!f->has_resp || stun_attr_get_u32(&f->resp, STUN_ATTR_LIFETIME, &v) != 0) {
        return -1;
    }
    return v;
}

/* --- data ---------------------------------------------------------------------------------- */

/* What the client sends in a Send indication. */
struct turn_fake_send_ind {
    struct addr peer;
    const uint8_t *data;
    size_t len;
    bool dont_fragment;
};

static inline void turn_fake_attrs_send(struct stun_builder *b, const void *ctx)
{
    const struct turn_fake_send_ind *s = ctx;

    stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, &s->peer);
    stun_build_raw(b, STUN_ATTR_DATA, s->data, s->len);
    if (s->dont_fragment) {
        stun_build_raw(b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    }
}

/* Sends a Send indication (unsigned, as indications are). Returns the handler's result. */
static inline int turn_fake_send_indication(struct turn_fake *f, const struct addr *peer,
                                            const uint8_t *data, size_t len, bool df)
{
    struct turn_fake_send_ind s = {*peer, data, len, df};
    struct stun_builder b;

    turn_fake_begin(f, &b, STUN_METHOD_SEND, STUN_CLASS_INDICATION);
    turn_fake_attrs_send(&b, &s);
    turn_fake_end(f, &b);
    return turn_fake_deliver(f);
}

/* Sends ChannelData on channel with len bytes of data (padded on a stream). */
static inline int turn_fake_channel_data(struct turn_fake *f, uint16_t channel, const uint8_t *data,
                                         size_t len)
{
    struct turn_packet_info info = turn_fake_info(f);
    size_t pad = 0;

    stun_channel_header(f->req, channel, (uint16_t)len);
    memcpy(f->req + STUN_CHANNEL_HDR_LEN, data, len);
    if (f->transport == TURN_TRANSPORT_TCP || f->transport == TURN_TRANSPORT_TLS) {
        pad = stun_channel_stream_pad((uint16_t)len);
        memset(f->req + STUN_CHANNEL_HDR_LEN + len, 0, pad);
    }
    f->req_len = STUN_CHANNEL_HDR_LEN + len + pad;
    memset(&f->out, 0, sizeof(f->out));
    f->out.reply = f->reply;
    f->out.reply_cap = sizeof(f->reply);
    f->rc = turn_handle_channel(f->w, &info, f->req, f->req_len, &f->out);
    return f->rc;
}

/* A datagram from a peer arriving on a relay, framed in place. */
struct turn_fake_peer_msg {
    uint8_t buf[TURN_PEER_HEADROOM + TURN_FAKE_BUF + TURN_PEER_TAILROOM];
    const uint8_t *msg;
    size_t msg_len;
    void *conn;
    int rc;
};

static inline int turn_fake_from_peer(struct turn_fake *f, struct turn_relay *relay,
                                      const struct addr *peer, const uint8_t *data, size_t len,
                                      struct turn_fake_peer_msg *pm)
{
    memset(pm, 0xEE, sizeof(pm->buf));
    memcpy(pm->buf + TURN_PEER_HEADROOM, data, len);
    struct turn_peer_packet p = {
        .relay = relay, .peer = *peer, .buf = pm->buf, .len = len, .now_ms = f->now_ms};

    pm->rc = turn_handle_peer(f->w, &p);
    pm->msg = p.msg;
    pm->msg_len = p.msg_len;
    pm->conn = p.conn;
    return pm->rc;
}

#endif
