#define LOG_MODULE "tls"
#include "net/net_tls.h"

#include "util/clock.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* TLS 1.2 suites when tls.ciphers is empty: forward secret, AEAD only. */
#define NET_TLS_CIPHERS                                                                            \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                                   \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                                   \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
/* TLS 1.3 suites, the server's order: those hashing with SHA-256 first. The key schedule of a
 * TLS 1.3 handshake is a dozen HKDF steps over the suite's hash; with SHA-384 they cost more than
 * twice as much. All three are AEAD and forward secret. */
#define NET_TLS_SUITES "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"
/* X25519 first: the cheapest key exchange for the server, which pays for every handshake. */
#define NET_TLS_GROUPS "X25519:P-256:P-384"
/* One ticket per full handshake is enough for a client that reconnects. */
#define NET_TLS_TICKETS 1
/* A cookie stays valid for one to two slots of this many milliseconds. */
#define NET_TLS_COOKIE_SLOT_MS 60000
#define NET_TLS_COOKIE_LEN     20
#define NET_TLS_SUBJECT_LEN    256

struct net_tls {
    atomic_uint refs;
    SSL_CTX *tls;
    SSL_CTX *dtls; /* NULL when DTLS is off */
    char subject[NET_TLS_SUBJECT_LEN];
};

/* Writes OpenSSL's last queued error after what into err, and empties the queue. */
static void net_tls_error(char err[NET_ERR_LEN], const char *what, const char *path)
{
    char reason[160] = "unknown error";
    unsigned long code = ERR_peek_error();

    if (code != 0) {
        ERR_error_string_n(code, reason, sizeof(reason));
    }
    ERR_clear_error();
    (void)snprintf(err, NET_ERR_LEN, "%s %s failed: %s", what, path, reason);
}

/* RFC 7443: answer "stun.turn" when offered; a client offering other protocols only is served
 * without ALPN rather than refused. */
static int net_tls_on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                           const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    for (unsigned i = 0; i < inlen;) {
        unsigned n = in[i];
        if (i + 1 + n > inlen) {
            break;
        }
        if (n + 1 == NET_TLS_ALPN_LEN && memcmp(in + i, NET_TLS_ALPN, NET_TLS_ALPN_LEN) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)n;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + n;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

/* The cookie of client in time slot slot: HMAC-SHA256(secret, slot | family | port | ip). */
static int net_tls_cookie_make(const struct net_tls_cookie_ctx *c, uint64_t slot,
                               uint8_t out[NET_TLS_COOKIE_LEN])
{
    uint8_t mac[CRYPTO_SHA256_LEN];
    uint8_t head[12];
    struct addr a = addr_canonical(&c->client);

    for (int i = 0; i < 8; i++) {
        head[i] = (uint8_t)(slot >> (56 - 8 * i));
    }
    head[8] = (uint8_t)(a.family >> 8);
    head[9] = (uint8_t)a.family;
    head[10] = (uint8_t)(a.port >> 8);
    head[11] = (uint8_t)a.port;
    struct crypto_chunk chunks[] = {{head, sizeof(head)}, {a.ip, sizeof(a.ip)}};
    if (crypto_hmac_sha256(c->secret, sizeof(c->secret), chunks, 2, mac) < 0) {
        return -1;
    }
    memcpy(out, mac, NET_TLS_COOKIE_LEN);
    return 0;
}

static int net_tls_on_cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
    const struct net_tls_cookie_ctx *c = SSL_get_app_data(ssl);

    if (c == NULL || net_tls_cookie_make(c, clock_now_ms() / NET_TLS_COOKIE_SLOT_MS, cookie) < 0) {
        return 0;
    }
    *len = NET_TLS_COOKIE_LEN;
    return 1;
}

/* Accepts the cookie of this slot or of the previous one. */
static int net_tls_on_cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
    const struct net_tls_cookie_ctx *c = SSL_get_app_data(ssl);
    uint64_t slot = clock_now_ms() / NET_TLS_COOKIE_SLOT_MS;
    uint8_t want[NET_TLS_COOKIE_LEN];

    if (c == NULL || len != NET_TLS_COOKIE_LEN) {
        return 0;
    }
    if (net_tls_cookie_make(c, slot, want) == 0 && crypto_equal(want, cookie, sizeof(want))) {
        return 1;
    }
    if (slot > 0 && net_tls_cookie_make(c, slot - 1, want) == 0 &&
        crypto_equal(want, cookie, sizeof(want))) {
        return 1;
    }
    return 0;
}

/* What both contexts share: versions, suites, groups, tickets, ALPN. */
static int net_tls_ctx_common(SSL_CTX *ctx, const struct net_options *o, char err[NET_ERR_LEN])
{
    const char *ciphers = o->tls_ciphers != NULL ? o->tls_ciphers : NET_TLS_CIPHERS;

    /* No renegotiation: it buys a client nothing here and costs the server. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* An idle connection gives its read and write buffers back (tens of KB each). */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    /* Resumption by stateless tickets only: no server-side cache to grow or lock. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    (void)SSL_CTX_set_num_tickets(ctx, NET_TLS_TICKETS);
    if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
        net_tls_error(err, "setting tls.ciphers to", ciphers);
        return -1;
    }
    if (SSL_CTX_set_ciphersuites(ctx, NET_TLS_SUITES) != 1) {
        net_tls_error(err, "SSL_CTX_set_ciphersuites()", NET_TLS_SUITES);
        return -1;
    }
    if (SSL_CTX_set1_groups_list(ctx, NET_TLS_GROUPS) != 1) {
        net_tls_error(err, "SSL_CTX_set1_groups_list()", NET_TLS_GROUPS);
        return -1;
    }
    SSL_CTX_set_alpn_select_cb(ctx, net_tls_on_alpn, NULL);
    if (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1) {
        net_tls_error(err, "loading the certificate chain", o->tls_cert);
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM) != 1) {
        net_tls_error(err, "loading the private key", o->tls_key);
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        net_tls_error(err, "matching the private key to the certificate", o->tls_key);
        return -1;
    }
    return 0;
}

static SSL_CTX *net_tls_ctx_tls(const struct net_options *o, char err[NET_ERR_LEN])
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL) {
        net_tls_error(err, "SSL_CTX_new()", "for TLS");
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        net_tls_ctx_common(ctx, o, err) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static SSL_CTX *net_tls_ctx_dtls(const struct net_options *o, char err[NET_ERR_LEN])
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_server_method());

    if (ctx == NULL) {
        net_tls_error(err, "SSL_CTX_new()", "for DTLS");
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
        net_tls_ctx_common(ctx, o, err) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_COOKIE_EXCHANGE);
    SSL_CTX_set_cookie_generate_cb(ctx, net_tls_on_cookie_generate);
    SSL_CTX_set_cookie_verify_cb(ctx, net_tls_on_cookie_verify);
    return ctx;
}

static void net_tls_read_subject(struct net_tls *t)
{
    X509 *cert = SSL_CTX_get0_certificate(t->tls);

    (void)snprintf(t->subject, sizeof(t->subject), "?");
    if (cert != NULL) {
        (void)X509_NAME_oneline(X509_get_subject_name(cert), t->subject, sizeof(t->subject));
    }
}

struct net_tls *net_tls_new(const struct net_options *o, char err[NET_ERR_LEN])
{
    struct net_tls *t;

    if (o->tls_cert == NULL || o->tls_key == NULL) {
        (void)snprintf(err, NET_ERR_LEN, "tls.cert and tls.key are not set");
        return NULL;
    }
    t = xcalloc(1, sizeof(*t));
    atomic_init(&t->refs, 1);
    t->tls = net_tls_ctx_tls(o, err);
    if (t->tls == NULL) {
        goto out_free;
    }
    if (o->tls_dtls) {
        t->dtls = net_tls_ctx_dtls(o, err);
        if (t->dtls == NULL) {
            goto out_free;
        }
    }
    net_tls_read_subject(t);
    return t;

out_free:
    SSL_CTX_free(t->tls);
    xfree(&t);
    return NULL;
}

struct net_tls *net_tls_hold(struct net_tls *t)
{
    atomic_fetch_add(&t->refs, 1);
    return t;
}

void net_tls_release(struct net_tls *t)
{
    if (t == NULL || atomic_fetch_sub(&t->refs, 1) != 1) {
        return;
    }
    SSL_CTX_free(t->tls);
    SSL_CTX_free(t->dtls);
    xfree(&t);
}

bool net_tls_has_dtls(const struct net_tls *t)
{
    return t != NULL && t->dtls != NULL;
}

SSL *net_tls_ssl_new(struct net_tls *t, bool datagram)
{
    SSL_CTX *ctx = datagram ? t->dtls : t->tls;
    SSL *ssl;

    if (ctx == NULL) {
        return NULL;
    }
    ssl = SSL_new(ctx);
    if (ssl == NULL) {
        ERR_clear_error();
    }
    return ssl;
}

const char *net_tls_subject(const struct net_tls *t)
{
    return t->subject;
}
