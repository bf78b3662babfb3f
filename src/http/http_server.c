#define LOG_MODULE "http"
#include "http/http_server.h"

#include "http/http_request.h"
#include "util/addr.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Connections served at once; more wait in the listen backlog. */
#define HTTP_SERVER_MAX_CONNS 64
/* Seconds an idle connection is kept. */
#define HTTP_SERVER_TIMEOUT_S 10
/* The largest response body (/stats with the largest top-N fits many times over). */
#define HTTP_SERVER_BODY_MAX ((size_t)8 * 1024 * 1024)
/* The largest body of a credential request. */
#define HTTP_SERVER_POST_MAX 1024
/* The largest TLS certificate or key file read. */
#define HTTP_SERVER_PEM_MAX ((size_t)1024 * 1024)

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_routes routes;
    char *token;              /* owned, or NULL */
    char *api_key;            /* owned, or NULL: no credential API */
    unsigned credential_rate; /* per second, 0 = unlimited */
    /* The rate window; only the daemon's one polling thread touches it. */
    int64_t rate_window_s;
    unsigned rate_count;
    char *cert; /* owned PEM text, or NULL */
    char *key;  /* owned PEM text, or NULL */
    int fd;
};

enum http_server_route {
    HTTP_SERVER_METRICS,
    HTTP_SERVER_STATS,
    HTTP_SERVER_HEALTH,
    HTTP_SERVER_READY,
    HTTP_SERVER_CREDENTIAL,
};

struct http_server_path {
    const char *path;
    enum http_server_route route;
    bool needs_token;
    const char *content_type;
};

static const struct http_server_path http_server_paths[] = {
    {"/metrics", HTTP_SERVER_METRICS, true, "text/plain; version=0.0.4; charset=utf-8"},
    {"/stats", HTTP_SERVER_STATS, true, "application/json"},
    {"/health", HTTP_SERVER_HEALTH, false, "text/plain; charset=utf-8"},
    {"/ready", HTTP_SERVER_READY, false, "text/plain; charset=utf-8"},
    {"/v1/credentials", HTTP_SERVER_CREDENTIAL, false, "application/json"},
};

/* The body of a POST being read, kept across libmicrohttpd's calls. */
struct http_server_post {
    char body[HTTP_SERVER_POST_MAX + 1];
    size_t len;
    bool too_large;
};

static const struct http_server_path *http_server_path_find(const char *url)
{
    for (size_t i = 0; i < sizeof(http_server_paths) / sizeof(http_server_paths[0]); i++) {
        if (strcmp(url, http_server_paths[i].path) == 0) {
            return &http_server_paths[i];
        }
    }
    return NULL;
}

/* Queues a response of len bytes copied from text. */
static enum MHD_Result http_server_send(struct MHD_Connection *conn, unsigned status,
                                        const char *content_type, const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);

    if (r == NULL) {
        return MHD_NO;
    }
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tern\"");
    } else if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
    }
    enum MHD_Result rc = MHD_queue_response(conn, status, r);

    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result http_server_error(struct MHD_Connection *conn, unsigned status,
                                         const char *text)
{
    return http_server_send(conn, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* True when the request carries "Authorization: Bearer <token>" (compared in constant time);
 * a NULL token lets every request in. */
static bool http_server_bearer_ok(const char *token, struct MHD_Connection *conn)
{
    static const char prefix[] = "Bearer ";
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

    if (token == NULL) {
        return true;
    }
    if (v == NULL || strncmp(v, prefix, sizeof(prefix) - 1) != 0) {
        return false;
    }
    v += sizeof(prefix) - 1;
    size_t len = strlen(token);

    return strlen(v) == len && crypto_equal(v, token, len);
}

static bool http_server_authorized(const struct http_server *h, struct MHD_Connection *conn)
{
    return http_server_bearer_ok(h->token, conn);
}

/* Counts a credential request in the window of the current second. True while under the
 * rate. */
static bool http_server_rate_ok(struct http_server *h)
{
    int64_t now_s = (int64_t)time(NULL);

    if (h->credential_rate == 0) {
        return true;
    }
    if (now_s != h->rate_window_s) {
        h->rate_window_s = now_s;
        h->rate_count = 0;
    }
    return ++h->rate_count <= h->credential_rate;
}

/* Answers a complete POST /v1/credentials. */
static enum MHD_Result http_server_credential(struct http_server *h, struct MHD_Connection *conn,
                                              const struct http_server_post *post)
{
    const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "user");
    char user[HTTP_REQUEST_USER_MAX + 1];
    struct http_body body;

    if (!http_server_bearer_ok(h->api_key, conn)) {
        return http_server_error(conn, MHD_HTTP_UNAUTHORIZED, "API key required\n");
    }
    if (!http_server_rate_ok(h)) {
        return http_server_error(conn, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests\n");
    }
    if (post->too_large || http_request_body_user(post->body, post->len, user, sizeof(user)) < 0) {
        return http_server_error(conn, MHD_HTTP_BAD_REQUEST,
                                 "expected no body or {\"user\": \"name\"}\n");
    }
    if (q != NULL) {
        if (!http_request_user_ok(q, strlen(q))) {
            return http_server_error(conn, MHD_HTTP_BAD_REQUEST,
                                     "user: 1 to 64 of A-Z a-z 0-9 . _ @ + -\n");
        }
        (void)snprintf(user, sizeof(user), "%s", q);
    }
    http_body_init(&body, HTTP_SERVER_BODY_MAX);
    if (h->routes.credential(h->routes.credential_ctx, user, &body) < 0 || body.overflow) {
        http_body_fini(&body);
        return http_server_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no secret to mint with\n");
    }
    enum MHD_Result rc = http_server_send(conn, MHD_HTTP_OK, "application/json",
                                          body.data ? body.data : "", body.len);

    http_body_fini(&body);
    return rc;
}

/* A POST: the body arrives over several calls and is answered once complete. */
static enum MHD_Result http_server_on_post(struct http_server *h, struct MHD_Connection *conn,
                                           const char *upload_data, size_t *upload_data_size,
                                           void **req_cls)
{
    struct http_server_post *post = *req_cls;

    if (post == NULL) {
        *req_cls = xcalloc(1, sizeof(*post));
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (post->len + n > HTTP_SERVER_POST_MAX) {
            post->too_large = true;
        } else {
            memcpy(post->body + post->len, upload_data, n);
            post->len += n;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return http_server_credential(h, conn, post);
}

/* Releases what a request kept across calls. */
static void http_server_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                                     enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    xfree(req_cls);
}

/* Renders the body of a known path and queues it. */
static enum MHD_Result http_server_route(struct http_server *h, struct MHD_Connection *conn,
                                         const struct http_server_path *p)
{
    struct http_body body;
    unsigned status = MHD_HTTP_OK;

    http_body_init(&body, HTTP_SERVER_BODY_MAX);
    if (p->route == HTTP_SERVER_METRICS) {
        h->routes.metrics(h->routes.ctx, &body);
    } else if (p->route == HTTP_SERVER_STATS) {
        h->routes.stats(h->routes.ctx, &body);
    } else if (p->route == HTTP_SERVER_HEALTH) {
        http_body_printf(&body, "ok\n");
    } else if (h->routes.ready(h->routes.ctx)) {
        http_body_printf(&body, "ready\n");
    } else {
        status = MHD_HTTP_SERVICE_UNAVAILABLE;
        http_body_printf(&body, "not ready\n");
    }
    if (body.overflow) {
        http_body_fini(&body);
        return http_server_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "response too large\n");
    }
    enum MHD_Result rc =
        http_server_send(conn, status, p->content_type, body.data ? body.data : "", body.len);

    http_body_fini(&body);
    return rc;
}

/* True when the request announces or carries a body: a GET needs none. */
static bool http_server_has_body(struct MHD_Connection *conn, size_t upload_len)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

    return upload_len > 0 || te != NULL || (cl != NULL && strcmp(cl, "0") != 0);
}

/* The signature is libmicrohttpd's MHD_AccessHandlerCallback: eight parameters, past the
 * style's six. Called once the headers are in; every answer is queued on that first call. */
/* NOLINTBEGIN(readability-function-size, readability-non-const-parameter): libmicrohttpd's
 * callback signature, as said above. */
static enum MHD_Result http_server_on_request(void *cls, struct MHD_Connection *conn,
                                              const char *url, const char *method,
                                              const char *version, const char *upload_data,
                                              size_t *upload_data_size, void **req_cls)
/* NOLINTEND(readability-function-size, readability-non-const-parameter) */
{
    struct http_server *h = cls;
    const struct http_server_path *p = http_server_path_find(url);

    (void)version;
    if (p != NULL && p->route == HTTP_SERVER_CREDENTIAL) {
        if (h->api_key == NULL || h->routes.credential == NULL) {
            return http_server_error(conn, MHD_HTTP_NOT_FOUND, "not found\n");
        }
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
            return http_server_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only POST\n");
        }
        return http_server_on_post(h, conn, upload_data, upload_data_size, req_cls);
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        return http_server_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    }
    if (http_server_has_body(conn, *upload_data_size)) {
        return http_server_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "no body expected\n");
    }
    if (p == NULL) {
        return http_server_error(conn, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    if (p->needs_token && !http_server_authorized(h, conn)) {
        return http_server_error(conn, MHD_HTTP_UNAUTHORIZED, "bearer token required\n");
    }
    return http_server_route(h, conn, p);
}

/* libmicrohttpd's own messages go to our log. */
static void http_server_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[256];

    (void)cls;
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_debug("libmicrohttpd: %s", line);
}

/* Opens the listening socket, so a bind failure is reported with its errno. */
static int http_server_listen(struct http_server *h, const struct http_options *o,
                              char err[HTTP_ERR_LEN])
{
    struct addr a;
    struct sockaddr_storage ss;
    int one = 1;

    if (o->listen == NULL || addr_parse_ip(&a, o->listen) < 0) {
        (void)snprintf(err, HTTP_ERR_LEN, "http.listen: not an IP address");
        return -1;
    }
    a.port = o->port;
    socklen_t len = addr_to_sockaddr(&a, &ss);

    h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(h->fd, (const struct sockaddr *)&ss, len) < 0 || listen(h->fd, 64) < 0) {
        char text[ADDR_STR_LEN];
        (void)snprintf(err, HTTP_ERR_LEN, "bind() to %s for the statistics endpoint failed: %s",
                       addr_format(&a, text, sizeof(text)), strerror(errno));
        return -1;
    }
    return 0;
}

/* Reads a whole PEM file (at most HTTP_SERVER_PEM_MAX bytes) into an owned string. */
static char *http_server_read_pem(const char *path, char err[HTTP_ERR_LEN])
{
    FILE *f = fopen(path, "rb");
    char *text = xmalloc(HTTP_SERVER_PEM_MAX + 1);
    size_t n = 0;

    if (f == NULL) {
        (void)snprintf(err, HTTP_ERR_LEN, "cannot open %s: %s", path, strerror(errno));
        xfree(&text);
        return NULL;
    }
    n = fread(text, 1, HTTP_SERVER_PEM_MAX + 1, f);
    (void)fclose(f);
    if (n == 0 || n > HTTP_SERVER_PEM_MAX) {
        (void)snprintf(err, HTTP_ERR_LEN, "%s: empty, unreadable or over %zu bytes", path,
                       HTTP_SERVER_PEM_MAX);
        xfree(&text);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

static int http_server_load_tls(struct http_server *h, const struct http_options *o,
                                char err[HTTP_ERR_LEN])
{
    if (o->tls_cert == NULL) {
        return 0;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        (void)snprintf(err, HTTP_ERR_LEN, "http.tls_cert: libmicrohttpd was built without TLS");
        return -1;
    }
    h->cert = http_server_read_pem(o->tls_cert, err);
    h->key = h->cert != NULL ? http_server_read_pem(o->tls_key, err) : NULL;
    return h->key != NULL ? 0 : -1;
}

static struct MHD_Daemon *http_server_start(struct http_server *h, const struct http_options *o)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

    if (h->cert != NULL) {
        return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, http_server_on_request, h,
                                MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)HTTP_SERVER_MAX_CONNS, MHD_OPTION_CONNECTION_TIMEOUT,
                                (unsigned)HTTP_SERVER_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                (size_t)o->max_request_bytes, MHD_OPTION_EXTERNAL_LOGGER,
                                http_server_on_mhd_log, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                                http_server_on_completed, NULL, MHD_OPTION_HTTPS_MEM_CERT, h->cert,
                                MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_END);
    }
    return MHD_start_daemon(
        flags, 0, NULL, NULL, http_server_on_request, h, MHD_OPTION_LISTEN_SOCKET, h->fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_SERVER_MAX_CONNS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)HTTP_SERVER_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)o->max_request_bytes, MHD_OPTION_EXTERNAL_LOGGER, http_server_on_mhd_log, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, http_server_on_completed, NULL, MHD_OPTION_END);
}

struct http_server *http_server_new(const struct http_options *opts,
                                    const struct http_routes *routes, char err[HTTP_ERR_LEN])
{
    struct http_server *h = xcalloc(1, sizeof(*h));

    h->fd = -1;
    h->routes = *routes;
    h->token = opts->token != NULL ? xstrdup(opts->token) : NULL;
    h->api_key = opts->api_key != NULL ? xstrdup(opts->api_key) : NULL;
    h->credential_rate = opts->credential_rate;
    if (http_server_load_tls(h, opts, err) < 0 || http_server_listen(h, opts, err) < 0) {
        goto out_free;
    }
    h->daemon = http_server_start(h, opts);
    if (h->daemon != NULL) {
        /* The daemon owns the listening socket now: MHD_stop_daemon() closes it. */
        h->fd = -1;
    }
    if (h->daemon == NULL) {
        (void)snprintf(err, HTTP_ERR_LEN, "MHD_start_daemon() failed%s",
                       h->cert != NULL ? " (is the TLS certificate or key valid?)" : "");
        goto out_free;
    }
    return h;

out_free:
    http_server_free(h);
    return NULL;
}

void http_server_free(struct http_server *h)
{
    if (h == NULL) {
        return;
    }
    if (h->daemon != NULL) {
        MHD_stop_daemon(h->daemon);
    }
    if (h->fd >= 0) {
        (void)close(h->fd);
    }
    if (h->token != NULL) {
        explicit_bzero(h->token, strlen(h->token));
    }
    if (h->key != NULL) {
        explicit_bzero(h->key, strlen(h->key));
    }
    if (h->api_key != NULL) {
        explicit_bzero(h->api_key, strlen(h->api_key));
    }
    xfree(&h->api_key);
    xfree(&h->token);
    xfree(&h->cert);
    xfree(&h->key);
    xfree(&h);
}
