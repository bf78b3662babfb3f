/*
 * tern-bench: many TURN clients at once over UDP (RFC 8656), each on its
 * own socket connected to the server, driven by one epoll loop.
 *
 * Setting up one allocation is the sequence every WebRTC client goes
 * through:
 *
 *     Allocate (no credentials)      -> 401 with REALM and NONCE
 *     Allocate + MESSAGE-INTEGRITY   -> 200 with XOR-RELAYED-ADDRESS
 *     CreatePermission (peer)        -> 200     (when full is set)
 *     ChannelBind (0x4000, peer)     -> 200     (when full is set)
 *
 * with long-term credentials (RFC 8489 section 9.2): the MD5 key without
 * PASSWORD-ALGORITHM, as RFC 5389 clients (browsers among them) do; or,
 * with rfc8489 set and a 401 whose NONCE carries the cookie announcing
 * password algorithms, the first algorithm of PASSWORD-ALGORITHMS this tool
 * supports, with that list echoed back (section 9.2.4). A retry on
 * 438 Stale Nonce, and retransmission on timeout (a fixed RTO doubled per
 * try, as RFC 8489 section 6.2.1 does, with a small initial value suited
 * to loopback). Releasing is Refresh with LIFETIME 0.
 *
 * Responses are matched by transaction id; MESSAGE-INTEGRITY of success
 * responses is checked when present. The loops stop at a deadline.
 */
#ifndef TERN_TOOLS_BENCH_TURN_H
#define TERN_TOOLS_BENCH_TURN_H

#include "auth/auth_key.h"
#include "bench_stats.h"
#include "stun/stun_msg.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_TURN_USERNAME_MAX 255
#define BENCH_TURN_PASSWORD_MAX 255
#define BENCH_TURN_REALM_MAX    127
#define BENCH_TURN_NONCE_MAX    127
/* Longest PASSWORD-ALGORITHMS value echoed back (eight algorithms without parameters). */
#define BENCH_TURN_ALGS_MAX       32
#define BENCH_TURN_CHANNEL_NUMBER 0x4000u
/* LIFETIME a refresh asks for (the default lifetime of RFC 8656). */
#define BENCH_TURN_REFRESH_LIFETIME_S 600u

/* Failures that are not a STUN error code (those are 300-699). */
enum bench_turn_fail {
    BENCH_TURN_FAIL_TIMEOUT = 1,      /* no answer after the last retransmission */
    BENCH_TURN_FAIL_BAD_RESPONSE = 2, /* a success or 401 without what it must carry */
    BENCH_TURN_FAIL_INTEGRITY = 3,    /* MESSAGE-INTEGRITY of a response did not verify */
    BENCH_TURN_FAIL_SOCKET = 4,       /* a socket could not be opened or written */
    BENCH_TURN_FAIL_DEADLINE = 5,     /* the phase ended before this client finished */
};

/* The credential every client uses, and its keys, derived once the realm is known. */
struct bench_turn_cred {
    char username[BENCH_TURN_USERNAME_MAX + 1];
    char password[BENCH_TURN_PASSWORD_MAX + 1];
    char realm[BENCH_TURN_REALM_MAX + 1];
    struct auth_key md5;    /* valid when has_md5 */
    struct auth_key sha256; /* valid when has_sha256 */
    bool has_md5;
    bool has_sha256;
};

enum bench_turn_step {
    BENCH_TURN_IDLE,       /* not started */
    BENCH_TURN_PROBE,      /* Allocate without credentials in flight */
    BENCH_TURN_ALLOCATE,   /* authenticated Allocate in flight */
    BENCH_TURN_PERMISSION, /* CreatePermission in flight */
    BENCH_TURN_CHANNEL,    /* ChannelBind in flight */
    BENCH_TURN_READY,      /* the allocation is set up */
    BENCH_TURN_RELEASE,    /* Refresh with LIFETIME 0 in flight */
    BENCH_TURN_CLOSED,     /* released, or failed */
    BENCH_TURN_REFRESH,    /* Refresh with the default lifetime in flight */
};

/* One client and its allocation. Zero it, then set fd to -1 (bench_turn_clients_new does). */
struct bench_turn {
    int fd;
    uint8_t step; /* enum bench_turn_step */
    uint8_t tries;
    bool stale_retried;
    bool allocated; /* the server granted an allocation not released since */
    uint8_t nonce_len;
    uint16_t error; /* the failure: a STUN error code or enum bench_turn_fail; 0 for none */
    uint16_t alg;   /* PASSWORD-ALGORITHM sent, or 0: none sent, MD5 key (RFC 5389) */
    uint8_t algs_len;
    uint8_t txid[STUN_TXID_LEN];
    uint8_t nonce[BENCH_TURN_NONCE_MAX];
    uint8_t algs[BENCH_TURN_ALGS_MAX]; /* PASSWORD-ALGORITHMS of the 401, echoed back */
    uint64_t start_ns;
    uint64_t sent_ns;
    struct addr relayed;
};

/* What a run of clients shares. */
struct bench_turn_ctx {
    struct bench_turn_cred *cred; /* borrowed; keys are filled in on the first 401 */
    struct addr server;           /* loopback */
    struct addr local;            /* the IP client sockets bind to (port 0) */
    struct addr peer;             /* target of CreatePermission and ChannelBind */
    bool full;                    /* CreatePermission and ChannelBind after Allocate */
    bool no_channel;              /* full, but without ChannelBind (Send indications) */
    bool rfc8489;                 /* follow the nonce cookie's password algorithms */
    size_t concurrency;           /* clients with a request in flight at once */
    uint64_t rto_ns;              /* first retransmission timeout */
    unsigned max_tries;           /* transmissions of one request before giving up */
    int sock_buf;                 /* SO_RCVBUF/SO_SNDBUF of client sockets, 0 = default */
    size_t per_ip;                /* IPv4: clients per local address (127.N.x.x), 0 = one */
    int epfd;                     /* owned; bench_turn_ctx_init opens it */
};

struct bench_turn_stats {
    uint64_t ok;
    uint64_t failed;
    uint64_t retransmits;
    uint16_t first_error;          /* the error of the first failure, 0 for none */
    uint64_t first_ns;             /* when the first client started */
    uint64_t last_ns;              /* when the last client finished */
    struct bench_samples *latency; /* borrowed, may be NULL: setup time of each success */
};

/* Opens the epoll descriptor of ctx. Returns 0, or -1 with err filled. */
int bench_turn_ctx_init(struct bench_turn_ctx *ctx, char *err, size_t err_len);

/* Closes the epoll descriptor. */
void bench_turn_ctx_fini(struct bench_turn_ctx *ctx);

/* Returns an owned, zeroed array of n clients with no socket (release with xfree). */
struct bench_turn *bench_turn_clients_new(size_t n);

/* Sets up clients[0..n) (each IDLE) with ctx->concurrency in flight, until every one is READY
 * or failed, or deadline_ns passes (the rest fail with BENCH_TURN_FAIL_DEADLINE). Counts into
 * *st, which the caller zeroes. */
void bench_turn_setup(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                      uint64_t deadline_ns, struct bench_turn_stats *st);

/* Releases every allocation of clients[0..n) the server granted (READY ones, and those whose
 * later steps failed) with Refresh, LIFETIME 0, until deadline_ns; then closes every socket.
 * Returns how many releases the server confirmed. */
uint64_t bench_turn_release(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                            uint64_t deadline_ns);

/* Builds the request of c's current step (PROBE, ALLOCATE, PERMISSION, CHANNEL or RELEASE) with
 * c's transaction id into buf. Returns its length or a negative error. */
int bench_turn_build(const struct bench_turn_ctx *ctx, const struct bench_turn *c, uint8_t *buf,
                     size_t cap);

/* Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401 or 438 into c and ctx->cred and derives
 * the key they call for. Returns 0, or -1 when something is missing, too long or unusable. */
int bench_turn_learn(const struct bench_turn_ctx *ctx, struct bench_turn *c,
                     const struct stun_msg *msg);

/* Refreshes every allocation of clients[0..n) the server granted (Refresh with LIFETIME
 * BENCH_TURN_REFRESH_LIFETIME_S), ctx->concurrency at a time, until deadline_ns. Counts the
 * confirmed ones in st->ok, the rest in st->failed. */
void bench_turn_refresh(struct bench_turn_ctx *ctx, struct bench_turn *clients, size_t n,
                        uint64_t deadline_ns, struct bench_turn_stats *st);

/* A short name for a failure code: the STUN reason phrase, or the enum bench_turn_fail's. */
const char *bench_turn_fail_name(uint16_t code);

#endif
