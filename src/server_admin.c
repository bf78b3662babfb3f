#define LOG_MODULE "admin"
#include "server_admin.h"

#include "config.h"
#include "server_admin_line.h"
#include "turn/turn_usage.h"
#include "turn/turn_worker.h"
#include "util/addr.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct server_admin_conn {
    struct server_admin *admin;
    struct bufferevent *bev;
    bool answered; /* the answer is queued: close once it is written */
};

struct server_admin {
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *resume; /* re-enables the listener after an accept() failure */
    char *path;
    struct server_admin_target target;
    struct server_admin_conn *conns[SERVER_ADMIN_CONNS_MAX];
};

/* Writes s as a JSON string. Bytes outside printable ASCII are escaped one by one, so the answer
 * is valid JSON whatever a client put in its username. */
static void server_admin_json_string(struct evbuffer *out, const char *s)
{
    (void)evbuffer_add(out, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            (void)evbuffer_add_printf(out, "\\%c", ch);
        } else if (ch < 0x20 || ch >= 0x7f) {
            (void)evbuffer_add_printf(out, "\\u%04x", ch);
        } else {
            (void)evbuffer_add(out, s, 1);
        }
    }
    (void)evbuffer_add(out, "\"", 1);
}

static void server_admin_error(struct evbuffer *out, const char *msg)
{
    (void)evbuffer_add_printf(out, "{\"ok\": false, \"error\": ");
    server_admin_json_string(out, msg);
    (void)evbuffer_add_printf(out, "}\n");
}

/* A job on a worker's thread: counts its allocations. arg: a size_t to add to. */
static void server_admin_count_job(struct net_worker *w, void *arg)
{
    size_t *total = arg;

    *total += turn_worker_alloc_count(w->turn);
}

/* Live allocations on every worker. */
static size_t server_admin_allocations(const struct server_admin *a)
{
    size_t total = 0;

    for (unsigned i = 0; i < a->target.worker_count; i++) {
        (void)net_worker_call(a->target.workers[i], server_admin_count_job, &total);
    }
    return total;
}

static bool server_admin_draining(const struct server_admin *a)
{
    return a->target.draining != NULL && a->target.draining(a->target.ctx);
}

static void server_admin_status(struct server_admin *a, const struct server_admin_line *r,
                                struct evbuffer *out)
{
    (void)r;
    (void)evbuffer_add_printf(
        out,
        "{\"ok\": true, \"version\": \"%s\", \"pid\": %ld, \"uptime_s\": %" PRId64
        ", \"workers\": %u, \"allocations\": %zu, \"draining\": %s, \"config\": ",
        PACKAGE_VERSION, (long)getpid(), clock_wall_s() - a->target.start_s, a->target.worker_count,
        server_admin_allocations(a), server_admin_draining(a) ? "true" : "false");
    if (a->target.config_path != NULL) {
        server_admin_json_string(out, a->target.config_path);
    } else {
        (void)evbuffer_add_printf(out, "null");
    }
    (void)evbuffer_add_printf(out, "}\n");
}

/* The allocations of one worker, copied on its thread. */
struct server_admin_list_job {
    size_t cap; /* the most to copy */
    struct turn_worker_top_entry *list;
    size_t count;
    size_t total; /* live allocations, copied or not */
};

/* A job on a worker's thread: copies at most cap of its allocations (control path: may
 * allocate). */
static void server_admin_list_job(struct net_worker *w, void *arg)
{
    struct server_admin_list_job *j = arg;
    size_t n = turn_worker_alloc_count(w->turn);

    j->total = n;
    n = n < j->cap ? n : j->cap;
    j->list = n > 0 ? xcalloc(n, sizeof(*j->list)) : NULL;
    j->count = n > 0 ? turn_worker_list(w->turn, j->list, n) : 0;
}

static void server_admin_session(struct evbuffer *out, const struct turn_worker_top_entry *e,
                                 unsigned worker, int64_t now_s)
{
    char client[ADDR_STR_LEN];
    char relay[ADDR_STR_LEN];
    int64_t age_s = now_s > e->start_s ? now_s - e->start_s : 0;

    (void)evbuffer_add_printf(out, "{\"user\": ");
    server_admin_json_string(out, e->username);
    (void)evbuffer_add_printf(out,
                              ", \"client\": \"%s\", \"relay\": \"%s\", \"transport\": \"%s\", "
                              "\"age_s\": %" PRId64 ", \"bytes_to_peer\": %" PRIu64
                              ", \"bytes_to_client\": %" PRIu64 ", \"worker\": %u}",
                              addr_format(&e->client, client, sizeof(client)),
                              e->relay.family != 0 ? addr_format(&e->relay, relay, sizeof(relay))
                                                   : "",
                              turn_usage_transport_name(e->transport), age_s, e->bytes_to_peer,
                              e->bytes_to_client, worker);
}

static void server_admin_sessions(struct server_admin *a, const struct server_admin_line *r,
                                  struct evbuffer *out)
{
    size_t left = SERVER_ADMIN_SESSIONS_MAX;
    size_t listed = 0;
    size_t total = 0;
    int64_t now_s = clock_wall_s();

    (void)r;
    (void)evbuffer_add_printf(out, "{\"ok\": true, \"sessions\": [");
    for (unsigned i = 0; i < a->target.worker_count; i++) {
        struct server_admin_list_job j = {.cap = left};
        if (net_worker_call(a->target.workers[i], server_admin_list_job, &j) < 0) {
            continue;
        }
        for (size_t k = 0; k < j.count; k++) {
            (void)evbuffer_add_printf(out, "%s", listed + k > 0 ? ", " : "");
            server_admin_session(out, &j.list[k], i, now_s);
        }
        listed += j.count;
        left -= j.count;
        total += j.total;
        xfree(&j.list);
    }
    (void)evbuffer_add_printf(out, "], \"count\": %zu, \"total\": %zu, \"truncated\": %s}\n",
                              listed, total, listed < total ? "true" : "false");
}

/* What "kill" ends: the allocations of a user, or the one with a relayed address. */
struct server_admin_kill_job {
    const char *user; /* or NULL */
    struct addr relay;
    size_t ended;
};

static void server_admin_kill_job(struct net_worker *w, void *arg)
{
    struct server_admin_kill_job *j = arg;

    if (j->user != NULL) {
        j->ended += turn_worker_end_user(w->turn, j->user, TURN_USAGE_KILLED);
    } else {
        j->ended += turn_worker_end_relay(w->turn, &j->relay, TURN_USAGE_KILLED);
    }
}

static void server_admin_kill(struct server_admin *a, const struct server_admin_line *r,
                              struct evbuffer *out)
{
    struct server_admin_kill_job j = {.user = NULL};

    if (r->count != 2) {
        server_admin_error(out, "usage: kill <user|relay address:port>");
        return;
    }
    /* An address with a port names a relayed address; anything else is a user name. */
    if (addr_parse(&j.relay, r->words[1], 0) < 0 || j.relay.port == 0) {
        j.user = r->words[1];
    } else {
        j.relay = addr_canonical(&j.relay);
    }
    for (unsigned i = 0; i < a->target.worker_count; i++) {
        (void)net_worker_call(a->target.workers[i], server_admin_kill_job, &j);
    }
    log_notice("kill %s %s: %zu allocation(s) ended", j.user != NULL ? "user" : "relay",
               r->words[1], j.ended);
    (void)evbuffer_add_printf(out, "{\"ok\": true, \"ended\": %zu}\n", j.ended);
}

static void server_admin_drain(struct server_admin *a, const struct server_admin_line *r,
                               struct evbuffer *out)
{
    (void)r;
    if (a->target.drain == NULL) {
        server_admin_error(out, "drain is not available");
        return;
    }
    a->target.drain(a->target.ctx);
    (void)evbuffer_add_printf(out, "{\"ok\": true, \"draining\": %s}\n",
                              server_admin_draining(a) ? "true" : "false");
}

static void server_admin_reload(struct server_admin *a, const struct server_admin_line *r,
                                struct evbuffer *out)
{
    char msg[1024] = "";

    (void)r;
    if (a->target.reload == NULL) {
        server_admin_error(out, "reload is not available");
        return;
    }
    int rc = a->target.reload(a->target.ctx, msg, sizeof(msg));
    (void)evbuffer_add_printf(out, "{\"ok\": %s, \"%s\": ", rc == 0 ? "true" : "false",
                              rc == 0 ? "message" : "error");
    server_admin_json_string(out, msg);
    (void)evbuffer_add_printf(out, "}\n");
}

typedef void (*server_admin_command_fn)(struct server_admin *a, const struct server_admin_line *r,
                                        struct evbuffer *out);

static const struct server_admin_command {
    const char *name;
    server_admin_command_fn fn;
} server_admin_commands[] = {
    {"status", server_admin_status}, {"sessions", server_admin_sessions},
    {"kill", server_admin_kill},     {"drain", server_admin_drain},
    {"reload", server_admin_reload},
};

/* Runs the command of line and queues its answer in out. */
static void server_admin_dispatch(struct server_admin *a, char *line, struct evbuffer *out)
{
    struct server_admin_line r;

    if (server_admin_line_parse(line, &r) < 0) {
        server_admin_error(out, "malformed request: expected one line of printable words");
        return;
    }
    if (r.count == 0) {
        server_admin_error(out, "empty request");
        return;
    }
    for (size_t i = 0; i < TERN_ARRAY_LEN(server_admin_commands); i++) {
        if (strcmp(r.words[0], server_admin_commands[i].name) == 0) {
            server_admin_commands[i].fn(a, &r, out);
            return;
        }
    }
    char msg[SERVER_ADMIN_REQUEST_MAX + 80];
    (void)snprintf(msg, sizeof(msg),
                   "unknown command \"%s\"; expected status, sessions, kill, drain or reload",
                   r.words[0]);
    server_admin_error(out, msg);
}

static void server_admin_conn_free(struct server_admin_conn *c)
{
    struct server_admin *a = c->admin;

    for (size_t i = 0; i < SERVER_ADMIN_CONNS_MAX; i++) {
        if (a->conns[i] == c) {
            a->conns[i] = NULL;
        }
    }
    bufferevent_free(c->bev);
    xfree(&c);
}

/* Queues the answer to the request line, and stops reading. */
static void server_admin_answer(struct server_admin_conn *c, char *line)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);

    (void)bufferevent_disable(c->bev, EV_READ);
    c->answered = true;
    if (line == NULL) {
        server_admin_error(out, "request too long: one line of at most 512 bytes");
    } else {
        server_admin_dispatch(c->admin, line, out);
    }
}

static void server_admin_on_read(struct bufferevent *bev, void *arg)
{
    struct server_admin_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char line[SERVER_ADMIN_REQUEST_MAX + 1];
    size_t eol_len = 0;

    if (c->answered) {
        return;
    }
    struct evbuffer_ptr eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
    if (eol.pos < 0 || (size_t)eol.pos >= SERVER_ADMIN_REQUEST_MAX) {
        if (evbuffer_get_length(in) >= SERVER_ADMIN_REQUEST_MAX) {
            server_admin_answer(c, NULL);
        }
        return;
    }
    (void)evbuffer_remove(in, line, (size_t)eol.pos);
    line[eol.pos] = '\0';
    server_admin_answer(c, line);
}

/* Called once the output buffer is empty: the answer is written. */
static void server_admin_on_write(struct bufferevent *bev, void *arg)
{
    struct server_admin_conn *c = arg;

    (void)bev;
    if (c->answered) {
        server_admin_conn_free(c);
    }
}

static void server_admin_on_event(struct bufferevent *bev, short what, void *arg)
{
    struct server_admin_conn *c = arg;

    (void)bev;
    /* A client that shut its side down after the request still gets the answer. */
    if ((what & BEV_EVENT_EOF) != 0 && (what & BEV_EVENT_READING) != 0 && c->answered &&
        evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
        return;
    }
    server_admin_conn_free(c);
}

/* The free slot for a new connection, or -1 when every slot is taken. */
static int server_admin_slot(const struct server_admin *a)
{
    for (int i = 0; i < SERVER_ADMIN_CONNS_MAX; i++) {
        if (a->conns[i] == NULL) {
            return i;
        }
    }
    return -1;
}

static void server_admin_on_accept(struct evconnlistener *l, evutil_socket_t fd,
                                   struct sockaddr *sa, int len, void *arg)
{
    struct server_admin *a = arg;
    struct timeval timeout = {SERVER_ADMIN_TIMEOUT_S, 0};
    int slot = server_admin_slot(a);

    (void)l;
    (void)sa;
    (void)len;
    if (slot < 0) {
        log_warn("%d connections already open; closing a new one", SERVER_ADMIN_CONNS_MAX);
        (void)evutil_closesocket(fd);
        return;
    }
    struct bufferevent *bev = bufferevent_socket_new(a->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        (void)evutil_closesocket(fd);
        return;
    }
    struct server_admin_conn *c = xcalloc(1, sizeof(*c));
    c->admin = a;
    c->bev = bev;
    a->conns[slot] = c;
    bufferevent_setcb(bev, server_admin_on_read, server_admin_on_write, server_admin_on_event, c);
    /* Reading stops at the longest request: a client cannot make the buffer grow. */
    bufferevent_setwatermark(bev, EV_READ, 0, SERVER_ADMIN_REQUEST_MAX);
    (void)bufferevent_set_timeouts(bev, &timeout, &timeout);
    (void)bufferevent_enable(bev, EV_READ);
}

static void server_admin_on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct server_admin *a = arg;

    (void)fd;
    (void)what;
    (void)evconnlistener_enable(a->listener);
}

/* accept() failed (out of descriptors, most likely): pause the listener for a second rather than
 * spin on a socket that stays readable. */
static void server_admin_on_accept_error(struct evconnlistener *l, void *arg)
{
    struct server_admin *a = arg;
    struct timeval pause = {1, 0};
    int e = EVUTIL_SOCKET_ERROR();

    log_warn("accept() failed: %s; pausing the admin socket for 1 s", strerror(e));
    (void)evconnlistener_disable(l);
    (void)evtimer_add(a->resume, &pause);
}

/* Removes a socket file left by a ternd that did not stop cleanly. Fails when path is not a
 * socket, or a live server answers on it. */
static int server_admin_clear_stale(const struct sockaddr_un *sun, char err[SERVER_ADMIN_ERR_LEN])
{
    struct stat st;

    if (lstat(sun->sun_path, &st) < 0) {
        return 0;
    }
    if (!S_ISSOCK(st.st_mode)) {
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "%s exists and is not a socket", sun->sun_path);
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
        (void)close(fd);
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "another process serves %s (another ternd?)",
                       sun->sun_path);
        return -1;
    }
    if (fd >= 0) {
        (void)close(fd);
    }
    (void)unlink(sun->sun_path);
    return 0;
}

/* Binds a listening socket at path with mode 0660 and owner uid:gid. Returns it, or -1. */
static int server_admin_bind(const char *path, uid_t uid, gid_t gid, char err[SERVER_ADMIN_ERR_LEN])
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    const char *call = "bind()";

    if (strlen(path) >= sizeof(sun.sun_path)) {
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "%s: path too long", path);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (server_admin_clear_stale(&sun, err) < 0) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "socket(AF_UNIX) failed: %s", strerror(errno));
        return -1;
    }
    /* Created 0600 whatever the umask, then opened to the group: never wider than 0660. */
    mode_t old = umask(0177);
    int rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
    (void)umask(old);
    if (rc == 0 && chmod(path, 0660) < 0) {
        call = "chmod()";
        rc = -1;
    } else if (rc == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0) {
        call = "chown()";
        rc = -1;
    }
    if (rc < 0) {
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "%s of %s failed: %s", call, path,
                       strerror(errno));
        (void)close(fd);
        return -1;
    }
    return fd;
}

struct server_admin *server_admin_new(struct event_base *base, const char *path, uid_t uid,
                                      gid_t gid, const struct server_admin_target *target,
                                      char err[SERVER_ADMIN_ERR_LEN])
{
    int fd = server_admin_bind(path, uid, gid, err);

    if (fd < 0) {
        return NULL;
    }
    struct server_admin *a = xcalloc(1, sizeof(*a));
    a->base = base;
    a->path = xstrdup(path);
    a->target = *target;
    a->listener = evconnlistener_new(base, server_admin_on_accept, a,
                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                     SERVER_ADMIN_CONNS_MAX, fd);
    a->resume = evtimer_new(base, server_admin_on_resume, a);
    if (a->listener == NULL || a->resume == NULL) {
        (void)snprintf(err, SERVER_ADMIN_ERR_LEN, "listen() on %s failed: %s", path,
                       strerror(errno));
        if (a->listener == NULL) {
            (void)close(fd);
        }
        server_admin_free(a);
        return NULL;
    }
    evconnlistener_set_error_cb(a->listener, server_admin_on_accept_error);
    return a;
}

void server_admin_free(struct server_admin *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < SERVER_ADMIN_CONNS_MAX; i++) {
        if (a->conns[i] != NULL) {
            server_admin_conn_free(a->conns[i]);
        }
    }
    if (a->listener != NULL) {
        evconnlistener_free(a->listener);
    }
    if (a->resume != NULL) {
        event_free(a->resume);
    }
    /* After the privilege drop the directory may no longer let us: the next start replaces a
     * stale socket anyway. */
    (void)unlink(a->path);
    xfree(&a->path);
    xfree(&a);
}
