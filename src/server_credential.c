#include "server_credential.h"

#include "auth/auth_rest.h"
#include "util/addr.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void server_credential_init(struct server_credential *m, const struct conf *c)
{
    memset(m, 0, sizeof(*m));
    (void)pthread_mutex_init(&m->lock, NULL);
    m->conf = c;
}

void server_credential_fini(struct server_credential *m)
{
    server_credential_set_secret(m, NULL);
    (void)pthread_mutex_destroy(&m->lock);
}

void server_credential_set_secret(struct server_credential *m, const char *secret)
{
    char *copy = secret != NULL ? xstrdup(secret) : NULL;
    char *old;

    (void)pthread_mutex_lock(&m->lock);
    old = m->secret;
    m->secret = copy;
    (void)pthread_mutex_unlock(&m->lock);
    if (old != NULL) {
        explicit_bzero(old, strlen(old));
        xfree(&old);
    }
}

/* Writes the configured URIs, or turn: URIs of the first listener over UDP and TCP. */
static void server_credential_urls(const struct conf *c, struct http_body *out)
{
    const struct net_options *o = &c->net;
    char host[ADDR_STR_LEN];
    struct addr a;

    if (c->http.ice_url_count > 0) {
        for (size_t i = 0; i < c->http.ice_url_count; i++) {
            http_body_printf(out, "%s", i ? "," : "");
            http_body_json_string(out, c->http.ice_urls[i]);
        }
        return;
    }
    a = o->listen_ips[0];
    if (o->listen_ip_count == 0 || addr_is_any(&a)) {
        (void)addr_parse_ip(&a, o->listen_ip_count && a.family == AF_INET6 ? "::1" : "127.0.0.1");
    }
    a.port = o->port;
    addr_format(&a, host, sizeof(host));
    http_body_printf(out, "\"turn:%s?transport=udp\",\"turn:%s?transport=tcp\"", host, host);
}

int server_credential_mint(void *ctx, const char *user, struct http_body *out)
{
    struct server_credential *m = ctx;
    const struct conf *c = m->conf;
    char username[AUTH_REST_USERNAME_MAX + 1];
    char password[AUTH_REST_PASSWORD_LEN + 1];
    int rc = -1;

    if (auth_rest_username_make(user, strlen(user), clock_wall_s(), c->auth.credential_ttl_s,
                                username, sizeof(username)) < 0) {
        return -1;
    }
    (void)pthread_mutex_lock(&m->lock);
    if (m->secret != NULL) {
        rc = auth_rest_password(m->secret, strlen(m->secret), username, strlen(username), password,
                                sizeof(password)) < 0
                 ? -1
                 : 0;
    }
    (void)pthread_mutex_unlock(&m->lock);
    if (rc < 0) {
        return -1;
    }
    http_body_printf(out, "{\"username\":");
    http_body_json_string(out, username);
    http_body_printf(out, ",\"password\":\"%s\",\"ttl\":%u,\"uris\":[", password,
                     c->auth.credential_ttl_s);
    server_credential_urls(c, out);
    http_body_printf(out, "],\"iceServers\":[{\"urls\":[");
    server_credential_urls(c, out);
    http_body_printf(out, "],\"username\":");
    http_body_json_string(out, username);
    http_body_printf(out, ",\"credential\":\"%s\"}]}\n", password);
    explicit_bzero(password, sizeof(password));
    return 0;
}
