/*
 * Fuzzes the TURN core over sequences of operations against one worker
 * with fake I/O and a fake clock. The input is:
 *
 *     flags (1 byte)  bit 0 channel_strict, bit 1 a small bandwidth cap,
 *                     bit 2 a rate limit on unauthenticated requests
 *     then operations until the input ends, each an opcode byte
 *     (low 4 bits the kind, bit 4 the client: 0 UDP IPv4, 1 TCP IPv6)
 *     followed by its operands:
 *
 *     0 advance   u16 big-endian, in tenths of a second
 *     1 stun      u16 length, then a raw message from the client
 *     2 channel   u16 length, then a raw ChannelData from the client
 *     3 peer      u8 relay index, u8 peer index, u16 length, then the
 *                 datagram a peer sends to that relay
 *     4 expire    turn_worker_expire() now
 *     5 closed    the TCP client's connection closes
 *     6 signed    u16 length, then u16 (method, bit 15: MD5 key and
 *                 MESSAGE-INTEGRITY instead of SHA-256 and -SHA256, bit 14:
 *                 no FINGERPRINT) and raw attributes; the harness adds
 *                 USERNAME, REALM, a valid NONCE, PASSWORD-ALGORITHM(S) and
 *                 integrity for a user it knows, so the authenticated paths
 *                 are reached
 *
 * Raw messages can name the static user "locked", whose password the
 * fuzzer cannot know. Invariants: every answer decodes as a response to
 * the request's transaction; data to a peer lies inside the packet; a
 * framed peer message lies inside its buffer; after turn_worker_free()
 * every relay is closed and every quota given back.
 */
#include "auth/auth_key.h"
#include "auth/auth_nonce.h"
#include "auth/auth_options.h"
#include "auth/auth_store.h"
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_msg.h"
#include "turn/turn_auth.h"
#include "turn/turn_handle.h"
#include "turn/turn_worker.h"
#include "util/addr.h"
#include "util/bytes.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TURN_NOW_S      1700000000
#define FUZZ_TURN_NOW_MS     1000000u
#define FUZZ_TURN_MAX_RELAYS 64
#define FUZZ_TURN_BUF        4096
#define FUZZ_TURN_MAX_BODY   2048

enum fuzz_turn_op {
    FUZZ_TURN_ADVANCE = 0,
    FUZZ_TURN_STUN = 1,
    FUZZ_TURN_CHANNEL = 2,
    FUZZ_TURN_PEER = 3,
    FUZZ_TURN_EXPIRE = 4,
    FUZZ_TURN_CLOSED = 5,
    FUZZ_TURN_SIGNED = 6,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_turn {
    struct turn_options opts;
    struct turn_worker_config cfg;
    struct turn_io_ops ops;
    struct turn_worker *w;
    struct turn_relay *relays[FUZZ_TURN_MAX_RELAYS];
    int opens;
    int closes;
    int quota;
    uint16_t next_port;
    uint64_t now_ms;
    int64_t now_s;
    struct turn_packet_info client[2];
    int tcp_conn;
};

static struct auth_options fuzz_turn_auth;
static struct auth_store *fuzz_turn_store;
static struct auth_key fuzz_turn_md5;
static struct auth_key fuzz_turn_sha256;
static struct addr fuzz_turn_own;
static struct addr fuzz_turn_peers[4];
static uint8_t fuzz_turn_nonce_key[AUTH_NONCE_KEY_LEN];

static int fuzz_turn_relay_open(void *ctx, const struct turn_relay_request *req,
                                struct turn_relay *relay, uint64_t *token_out)
{
    struct fuzz_turn *f = ctx;
    int slot = -1;

    for (int i = 0; i < FUZZ_TURN_MAX_RELAYS && slot < 0; i++) {
        slot = f->relays[i] == NULL ? i : -1;
    }
    if (slot < 0 || (req->token != 0 && req->token != 0x77)) {
        return slot < 0 ? TURN_IO_ERR_NO_PORT : TURN_IO_ERR_TOKEN;
    }
    f->next_port = (uint16_t)(f->next_port + 2);
    (void)addr_parse(&relay->bound, req->family == AF_INET6 ? "[2001:db8::1]" : "203.0.113.1",
                     f->next_port);
    relay->advertised = relay->bound;
    relay->handle = NULL;
    if (req->reserve_next) {
        *token_out = 0x77;
    }
    f->relays[slot] = relay;
    f->opens++;
    return 0;
}

static void fuzz_turn_relay_close(void *ctx, struct turn_relay *relay)
{
    struct fuzz_turn *f = ctx;

    for (int i = 0; i < FUZZ_TURN_MAX_RELAYS; i++) {
        if (f->relays[i] == relay) {
            f->relays[i] = NULL;
        }
    }
    f->closes++;
}

static int fuzz_turn_quota_acquire(void *ctx, const char *username, const struct addr *client)
{
    struct fuzz_turn *f = ctx;

    (void)client;
    if (username == NULL || f->quota >= 32) {
        return 486;
    }
    f->quota++;
    return 0;
}

static void fuzz_turn_quota_release(void *ctx, const char *username, const struct addr *client)
{
    struct fuzz_turn *f = ctx;

    (void)username;
    (void)client;
    f->quota--;
}

/* Builds what every input shares, once. */
static void fuzz_turn_global_init(void)
{
    char err[AUTH_STORE_ERR_LEN];
    struct auth_key_id id = {"fuzz", 4, "tern", 4};

    if (fuzz_turn_store != NULL) {
        return;
    }
    fuzz_turn_auth.realm = "tern";
    fuzz_turn_auth.users[0] = (struct auth_user){"fuzz", "fuzz-password"};
    fuzz_turn_auth.users[1] = (struct auth_user){"locked", "a password no input can know"};
    fuzz_turn_auth.user_count = 2;
    fuzz_turn_auth.secrets[0] = "fuzz-secret";
    fuzz_turn_auth.secret_count = 1;
    fuzz_turn_store = auth_store_new(&fuzz_turn_auth, err);
    if (fuzz_turn_store == NULL ||
        auth_key_derive(&fuzz_turn_md5, STUN_PASSWORD_ALG_MD5, &id, "fuzz-password", 13) != 0 ||
        auth_key_derive(&fuzz_turn_sha256, STUN_PASSWORD_ALG_SHA256, &id, "fuzz-password", 13) !=
            0) {
        abort();
    }
    memset(fuzz_turn_nonce_key, 0x4e, sizeof(fuzz_turn_nonce_key));
    (void)addr_parse(&fuzz_turn_own, "192.0.2.1", 0);
    (void)addr_parse(&fuzz_turn_peers[0], "198.51.100.7:4000", 0);
    (void)addr_parse(&fuzz_turn_peers[1], "198.51.100.8:5000", 0);
    (void)addr_parse(&fuzz_turn_peers[2], "[2001:db8:5::9]:4000", 0);
    (void)addr_parse(&fuzz_turn_peers[3], "10.0.0.1:53", 0);
}

static void fuzz_turn_start(struct fuzz_turn *f, uint8_t flags)
{
    memset(f, 0, sizeof(*f));
    f->opts.lifetime_default_s = 600;
    f->opts.lifetime_max_s = 3600;
    f->opts.max_permissions = 8;
    f->opts.max_channels = 8;
    f->opts.channel_strict = (flags & 1u) != 0;
    f->opts.bandwidth_bps = (flags & 2u) != 0 ? 80000 : 0;
    f->opts.unauth_rate = (flags & 4u) != 0 ? 2 : 0;
    f->opts.unauth_burst = 4;
    (void)addr_cidr_parse(&f->opts.peer_allow[0], "198.51.100.0/24");
    (void)addr_cidr_parse(&f->opts.peer_allow[1], "2001:db8:5::/48");
    f->opts.peer_allow_count = 2;
    f->cfg.turn = &f->opts;
    f->cfg.auth = fuzz_turn_store;
    f->cfg.nonce_key = fuzz_turn_nonce_key;
    f->cfg.nonce_lifetime_s = 600;
    f->cfg.software = "fuzz";
    f->cfg.self.ips = &fuzz_turn_own;
    f->cfg.self.ip_count = 1;
    f->cfg.seed = 7;
    f->ops.relay_open = fuzz_turn_relay_open;
    f->ops.relay_close = fuzz_turn_relay_close;
    f->ops.quota_acquire = fuzz_turn_quota_acquire;
    f->ops.quota_release = fuzz_turn_quota_release;
    f->now_ms = FUZZ_TURN_NOW_MS;
    f->now_s = FUZZ_TURN_NOW_S;
    f->next_port = 49152;
    (void)addr_parse(&f->client[0].client, "192.0.2.10:50000", 0);
    (void)addr_parse(&f->client[0].local, "192.0.2.1:3478", 0);
    f->client[0].transport = TURN_TRANSPORT_UDP;
    f->client[0].conn = &f->client[0];
    (void)addr_parse(&f->client[1].client, "[2001:db8:7::2]:50001", 0);
    (void)addr_parse(&f->client[1].local, "[2001:db8:7::1]:3478", 0);
    f->client[1].transport = TURN_TRANSPORT_TCP;
    f->client[1].conn = &f->tcp_conn;
    f->w = turn_worker_new(&f->cfg, &f->ops, f);
}

static struct turn_packet_info fuzz_turn_info(const struct fuzz_turn *f, int who)
{
    struct turn_packet_info info = f->client[who];

    info.now_ms = f->now_ms;
    info.now_s = f->now_s;
    return info;
}

/* Checks what a client packet produced. */
static void fuzz_turn_check_out(const struct turn_out *out, const uint8_t *pkt, size_t len)
{
    struct stun_msg req;
    struct stun_msg resp;

    if (out->reply_len > out->reply_cap) {
        abort();
    }
    if (out->reply_len > 0) {
        if (stun_msg_decode(&req, pkt, len) < 0 ||
            stun_msg_decode(&resp, out->reply, out->reply_len) != (int)out->reply_len ||
            memcmp(req.txid, resp.txid, STUN_TXID_LEN) != 0 || resp.cls < STUN_CLASS_SUCCESS) {
            abort();
        }
    }
    if (out->relay != NULL && (out->data < pkt || out->data + out->data_len > pkt + len)) {
        abort();
    }
}

static void fuzz_turn_stun(struct fuzz_turn *f, int who, const uint8_t *pkt, size_t len)
{
    static uint8_t reply[FUZZ_TURN_BUF];
    struct turn_packet_info info = fuzz_turn_info(f, who);
    struct turn_out out;

    memset(&out, 0, sizeof(out));
    out.reply = reply;
    out.reply_cap = sizeof(reply);
    (void)turn_handle_stun(f->w, &info, pkt, len, &out);
    fuzz_turn_check_out(&out, pkt, len);
}

static void fuzz_turn_channel(struct fuzz_turn *f, int who, const uint8_t *pkt, size_t len)
{
    static uint8_t reply[64];
    struct turn_packet_info info = fuzz_turn_info(f, who);
    struct turn_out out;

    memset(&out, 0, sizeof(out));
    out.reply = reply;
    out.reply_cap = sizeof(reply);
    (void)turn_handle_channel(f->w, &info, pkt, len, &out);
    if (out.reply_len != 0) {
        abort();
    }
    fuzz_turn_check_out(&out, pkt, len);
}

static void fuzz_turn_peer(struct fuzz_turn *f, uint8_t relay_idx, uint8_t peer_idx,
                           const uint8_t *payload, size_t len)
{
    static uint8_t buf[TURN_PEER_HEADROOM + FUZZ_TURN_MAX_BODY + TURN_PEER_TAILROOM];
    struct turn_relay *relay = NULL;
    int live = 0;

    for (int i = 0; i < FUZZ_TURN_MAX_RELAYS; i++) {
        if (f->relays[i] != NULL && live++ == relay_idx % 8) {
            relay = f->relays[i];
        }
    }
    if (relay == NULL) {
        return;
    }
    if (len > 0) {
        memcpy(buf + TURN_PEER_HEADROOM, payload, len);
    }
    struct turn_peer_packet p = {.relay = relay,
                                 .peer = fuzz_turn_peers[peer_idx % 4],
                                 .buf = buf,
                                 .len = len,
                                 .now_ms = f->now_ms};
    if (turn_handle_peer(f->w, &p) == 0 &&
        (p.msg < buf || p.msg + p.msg_len > buf + sizeof(buf) || p.msg_len < len)) {
        abort();
    }
}

/* Builds a signed request from body (method word and raw attributes) and handles it. */
static void fuzz_turn_signed(struct fuzz_turn *f, int who, const uint8_t *body, size_t len)
{
    static uint8_t pkt[FUZZ_TURN_BUF];
    static const uint16_t algs[] = {STUN_PASSWORD_ALG_SHA256, STUN_PASSWORD_ALG_MD5};
    uint8_t txid[STUN_TXID_LEN] = {0};
    char nonce[AUTH_NONCE_LEN + 1];
    struct stun_builder b;
    struct turn_packet_info info = fuzz_turn_info(f, who);

    if (len < 2) {
        return;
    }
    uint16_t word = bytes_get_u16(body);
    bool md5 = (word & 0x8000u) != 0;
    size_t attrs = (len - 2) & ~(size_t)3u;

    memcpy(txid, &f->now_ms, sizeof(f->now_ms));
    txid[11] = (uint8_t)len;
    stun_build_init(&b, pkt, sizeof(pkt), (uint16_t)(word & 0x0FFFu), STUN_CLASS_REQUEST, txid);
    /* The raw attributes go in as they are, then the builder continues after them. */
    memcpy(pkt + STUN_HEADER_LEN, body + 2, attrs);
    b.len += attrs;
    bytes_put_u16(pkt + 2, (uint16_t)(b.len - STUN_HEADER_LEN));
    if (auth_nonce_make(nonce, sizeof(nonce), fuzz_turn_nonce_key, &info.client, f->now_s,
                        TURN_AUTH_FEATURES) < 0) {
        abort();
    }
    stun_build_string(&b, STUN_ATTR_USERNAME, "fuzz");
    stun_build_string(&b, STUN_ATTR_REALM, "tern");
    stun_build_string(&b, STUN_ATTR_NONCE, nonce);
    stun_build_algorithms(&b, algs, 2);
    stun_build_algorithm(&b, md5 ? STUN_PASSWORD_ALG_MD5 : STUN_PASSWORD_ALG_SHA256);
    if (md5) {
        stun_build_integrity(&b, fuzz_turn_md5.bytes, fuzz_turn_md5.len);
    } else {
        stun_build_integrity_sha256(&b, fuzz_turn_sha256.bytes, fuzz_turn_sha256.len, 32);
    }
    if ((word & 0x4000u) == 0) {
        stun_build_fingerprint(&b);
    }
    int n = stun_build_finish(&b);

    if (n > 0) {
        fuzz_turn_stun(f, who, pkt, (size_t)n);
    }
}

/* Reads a u16 length and returns the body that follows, capped to what is left. */
static const uint8_t *fuzz_turn_body(struct bytes_reader *r, size_t *len)
{
    size_t want = bytes_read_u16(r);
    size_t left = bytes_reader_left(r);

    *len = want < left ? want : left;
    if (*len > FUZZ_TURN_MAX_BODY) {
        *len = FUZZ_TURN_MAX_BODY;
    }
    return *len > 0 ? bytes_read_span(r, *len) : NULL;
}

/* Copies a body into a block of its exact size, so an overread is caught. */
static void fuzz_turn_run_body(struct fuzz_turn *f, int kind, int who, const uint8_t *body,
                               size_t len)
{
    uint8_t *copy = xmalloc(len > 0 ? len : 1);

    if (len > 0) {
        memcpy(copy, body, len);
    }
    if (kind == FUZZ_TURN_STUN) {
        fuzz_turn_stun(f, who, copy, len);
    } else if (kind == FUZZ_TURN_CHANNEL) {
        fuzz_turn_channel(f, who, copy, len);
    } else {
        fuzz_turn_signed(f, who, copy, len);
    }
    xfree(&copy);
}

static void fuzz_turn_step(struct fuzz_turn *f, struct bytes_reader *r)
{
    uint8_t op = bytes_read_u8(r);
    int kind = op & 0x0F;
    int who = (op >> 4) & 1;
    const uint8_t *body;
    size_t len;

    if (kind == FUZZ_TURN_ADVANCE) {
        uint64_t ms = (uint64_t)bytes_read_u16(r) * 100u;

        f->now_ms += ms;
        f->now_s += (int64_t)(ms / 1000u);
    } else if (kind == FUZZ_TURN_STUN || kind == FUZZ_TURN_CHANNEL || kind == FUZZ_TURN_SIGNED) {
        body = fuzz_turn_body(r, &len);
        fuzz_turn_run_body(f, kind, who, body, len);
    } else if (kind == FUZZ_TURN_PEER) {
        uint8_t relay_idx = bytes_read_u8(r);
        uint8_t peer_idx = bytes_read_u8(r);

        body = fuzz_turn_body(r, &len);
        fuzz_turn_peer(f, relay_idx, peer_idx, body, len);
    } else if (kind == FUZZ_TURN_EXPIRE) {
        turn_worker_expire(f->w, f->now_ms, f->now_s);
    } else if (kind == FUZZ_TURN_CLOSED) {
        turn_worker_conn_closed(f->w, &f->tcp_conn);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_turn f;
    struct bytes_reader r;

    if (size < 1) {
        return 0;
    }
    fuzz_turn_global_init();
    bytes_reader_init(&r, data + 1, size - 1);
    fuzz_turn_start(&f, data[0]);
    while (bytes_reader_left(&r) > 0) {
        fuzz_turn_step(&f, &r);
    }
    if (turn_worker_alloc_count(f.w) > 64) {
        abort();
    }
    turn_worker_free(f.w);
    if (f.opens != f.closes || f.quota != 0) {
        abort();
    }
    return 0;
}
