#include "util/crypto.h"

#include "util/xalloc.h"

#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>

/*
 * Algorithm objects are fetched once and shared: in OpenSSL 3 a fetch walks
 * the provider tables under a lock, which the packet path must not pay per
 * message. A fetched EVP_MAC/EVP_MD is immutable and safe to share between
 * threads; each call gets its own context.
 */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static EVP_MAC *crypto_hmac;
static EVP_MD *crypto_md_sha256;
static EVP_MD *crypto_md_md5;

/*
 * Each thread keeps one HMAC context per digest and gives it a new key per message: making a
 * context and setting its digest by name costs several times the MAC itself (a digest fetch per
 * call). The contexts go with the thread (the key's destructor).
 */
enum { CRYPTO_HMAC_SHA1, CRYPTO_HMAC_SHA256, CRYPTO_HMAC_COUNT };

static pthread_key_t crypto_thread_key;
static int crypto_thread_key_ok;

struct crypto_thread {
    EVP_MAC_CTX *hmac[CRYPTO_HMAC_COUNT];
};

static void crypto_thread_free(void *arg)
{
    struct crypto_thread *t = arg;

    for (int i = 0; i < CRYPTO_HMAC_COUNT; i++) {
        EVP_MAC_CTX_free(t->hmac[i]);
    }
    xfree(&t);
}

static void crypto_fetch_all(void)
{
    crypto_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    crypto_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    crypto_md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    crypto_thread_key_ok = pthread_key_create(&crypto_thread_key, crypto_thread_free) == 0;
}

static int crypto_ready(void)
{
    return pthread_once(&crypto_once, crypto_fetch_all) == 0 ? 0 : -1;
}

static int crypto_mac_chunks(EVP_MAC_CTX *ctx, const struct crypto_chunk *chunks, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (chunks[i].len > 0 && EVP_MAC_update(ctx, chunks[i].data, chunks[i].len) != 1) {
            return -1;
        }
    }
    return 0;
}

/* A digest for HMAC: its OpenSSL name, output size and slot in struct crypto_thread. */
struct crypto_hmac_alg {
    const char *digest;
    size_t out_len;
    int slot;
};

static const struct crypto_hmac_alg crypto_alg_sha1 = {"SHA1", CRYPTO_SHA1_LEN, CRYPTO_HMAC_SHA1};
static const struct crypto_hmac_alg crypto_alg_sha256 = {"SHA256", CRYPTO_SHA256_LEN,
                                                         CRYPTO_HMAC_SHA256};

/* A new HMAC context for alg's digest, or NULL. */
static EVP_MAC_CTX *crypto_hmac_ctx_new(const struct crypto_hmac_alg *alg)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(crypto_hmac);
    OSSL_PARAM params[2];

    if (ctx == NULL) {
        return NULL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)alg->digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* This thread's HMAC context for alg, made on first use; NULL when that fails (the caller then
 * makes one of its own). */
static EVP_MAC_CTX *crypto_hmac_ctx_cached(const struct crypto_hmac_alg *alg)
{
    if (!crypto_thread_key_ok) {
        return NULL;
    }
    struct crypto_thread *t = pthread_getspecific(crypto_thread_key);
    if (t == NULL) {
        t = xcalloc(1, sizeof(*t));
        if (pthread_setspecific(crypto_thread_key, t) != 0) {
            xfree(&t);
            return NULL;
        }
    }
    if (t->hmac[alg->slot] == NULL) {
        t->hmac[alg->slot] = crypto_hmac_ctx_new(alg);
    }
    return t->hmac[alg->slot];
}

/* HMAC under alg into out, which holds alg->out_len bytes. Returns 0 or -1. */
static int crypto_hmac_run(const struct crypto_hmac_alg *alg, const void *key, size_t key_len,
                           const struct crypto_chunk *chunks, size_t count, uint8_t *out)
{
    /* An empty key must still be a non-NULL pointer: NULL asks EVP_MAC_init to reuse a key. */
    static const uint8_t empty_key[1] = {0};
    size_t written = 0;
    int rc = -1;

    if (crypto_ready() != 0 || crypto_hmac == NULL) {
        return -1;
    }
    EVP_MAC_CTX *cached = crypto_hmac_ctx_cached(alg);
    EVP_MAC_CTX *ctx = cached != NULL ? cached : crypto_hmac_ctx_new(alg);
    if (ctx == NULL) {
        return -1;
    }
    if (EVP_MAC_init(ctx, key_len > 0 ? key : empty_key, key_len, NULL) == 1 &&
        crypto_mac_chunks(ctx, chunks, count) == 0 &&
        EVP_MAC_final(ctx, out, &written, alg->out_len) == 1 && written == alg->out_len) {
        rc = 0;
    }
    if (ctx != cached) {
        EVP_MAC_CTX_free(ctx);
    }
    return rc;
}

static int crypto_digest_run(const EVP_MD *md, const struct crypto_chunk *chunks, size_t count,
                             uint8_t *out, unsigned int out_len)
{
    unsigned int written = 0;
    int rc = -1;

    if (md == NULL) {
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    if (EVP_DigestInit_ex2(ctx, md, NULL) != 1) {
        goto out_free_ctx;
    }
    for (size_t i = 0; i < count; i++) {
        if (chunks[i].len > 0 && EVP_DigestUpdate(ctx, chunks[i].data, chunks[i].len) != 1) {
            goto out_free_ctx;
        }
    }
    if (EVP_DigestFinal_ex(ctx, out, &written) == 1 && written == out_len) {
        rc = 0;
    }
out_free_ctx:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int crypto_hmac_sha1(const void *key, size_t key_len, const struct crypto_chunk *chunks,
                     size_t chunk_count, uint8_t out[CRYPTO_SHA1_LEN])
{
    return crypto_hmac_run(&crypto_alg_sha1, key, key_len, chunks, chunk_count, out);
}

int crypto_hmac_sha256(const void *key, size_t key_len, const struct crypto_chunk *chunks,
                       size_t chunk_count, uint8_t out[CRYPTO_SHA256_LEN])
{
    return crypto_hmac_run(&crypto_alg_sha256, key, key_len, chunks, chunk_count, out);
}

int crypto_md5(const struct crypto_chunk *chunks, size_t chunk_count, uint8_t out[CRYPTO_MD5_LEN])
{
    if (crypto_ready() != 0) {
        return -1;
    }
    return crypto_digest_run(crypto_md_md5, chunks, chunk_count, out, CRYPTO_MD5_LEN);
}

int crypto_sha256(const struct crypto_chunk *chunks, size_t chunk_count,
                  uint8_t out[CRYPTO_SHA256_LEN])
{
    if (crypto_ready() != 0) {
        return -1;
    }
    return crypto_digest_run(crypto_md_sha256, chunks, chunk_count, out, CRYPTO_SHA256_LEN);
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

int crypto_random(void *buf, size_t len)
{
    uint8_t *p = buf;

    /* RAND_bytes takes an int: feed large requests in pieces. */
    while (len > 0) {
        size_t n = len > INT_MAX ? (size_t)INT_MAX : len;

        if (RAND_bytes(p, (int)n) != 1) {
            return -1;
        }
        p += n;
        len -= n;
    }
    return 0;
}
