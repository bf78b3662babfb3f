/*
 * ternctl's commands on the fleet's Redis (tern.conf(5), REDIS), with the
 * synchronous hiredis API: a short-lived tool may block.
 *
 *   ternctl secret add SECRET     ZADD <prefix>secrets <now ms> SECRET
 *   ternctl secret remove SECRET  ZREM <prefix>secrets SECRET
 *   ternctl secret list           the secrets, newest (minting) first
 *   ternctl revoke NAME [--until UNIX_TIME]
 *                                 ZADD <prefix>revoked UNTIL NAME
 *   ternctl unrevoke NAME         ZREM <prefix>revoked NAME
 *   ternctl revoked               the revocations in force
 *
 * Revocations whose end has passed are removed by each of the last three.
 * Every change is followed by PUBLISH <prefix>events, so each ternd of the
 * fleet reloads at once. Where Redis is comes from the redis group of a
 * configuration file (-c) and/or the --redis-* options.
 */
#include "ternctl_redis.h"

#include "auth/auth_rest.h"
#include "conf/conf.h"
#include "util/clock.h"
#include "util/number.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct ternctl_redis_args {
    struct conf conf;
    const char *words[3]; /* the command and its operands */
    size_t word_count;
    const char *until; /* --until, or NULL */
};

enum ternctl_redis_option {
    TERNCTL_REDIS_CONFIG = 'c',
    TERNCTL_REDIS_HOST = 256,
    TERNCTL_REDIS_PORT,
    TERNCTL_REDIS_SOCKET,
    TERNCTL_REDIS_DB,
    TERNCTL_REDIS_PREFIX,
    TERNCTL_REDIS_UNTIL,
};

static const struct option ternctl_redis_options[] = {
    {"config", required_argument, NULL, TERNCTL_REDIS_CONFIG},
    {"redis-host", required_argument, NULL, TERNCTL_REDIS_HOST},
    {"redis-port", required_argument, NULL, TERNCTL_REDIS_PORT},
    {"redis-socket", required_argument, NULL, TERNCTL_REDIS_SOCKET},
    {"redis-db", required_argument, NULL, TERNCTL_REDIS_DB},
    {"key-prefix", required_argument, NULL, TERNCTL_REDIS_PREFIX},
    {"until", required_argument, NULL, TERNCTL_REDIS_UNTIL},
    {NULL, 0, NULL, 0},
};

bool ternctl_redis_is_command(const char *cmd)
{
    return strcmp(cmd, "secret") == 0 || strcmp(cmd, "revoke") == 0 ||
           strcmp(cmd, "unrevoke") == 0 || strcmp(cmd, "revoked") == 0;
}

void ternctl_redis_usage(FILE *out)
{
    (void)fprintf(
        out, "       ternctl secret add|remove SECRET [redis options]\n"
             "       ternctl secret list [redis options]\n"
             "       ternctl revoke NAME [--until UNIX_TIME] [redis options]\n"
             "       ternctl unrevoke NAME [redis options]\n"
             "       ternctl revoked [redis options]\n"
             "redis options (default: the redis group of the configuration):\n"
             "  -c, --config FILE     read redis.* from FILE (tern.conf(5))\n"
             "  --redis-host IP       --redis-port PORT      --redis-socket PATH\n"
             "  --redis-db N          --key-prefix PREFIX    (password: TERN_REDIS_PASSWORD)\n");
}

/* Replaces the string *field by an owned copy of v. */
static void ternctl_redis_set(char **field, const char *v)
{
    xfree(field);
    *field = xstrdup(v);
}

static int ternctl_redis_option(struct ternctl_redis_args *a, int opt, const char *v)
{
    char err[CONF_ERR_LEN];
    unsigned long n;

    switch (opt) {
    case TERNCTL_REDIS_CONFIG:
        if (conf_load_file(&a->conf, v, err) < 0) {
            (void)fprintf(stderr, "ternctl: %s\n", err);
            return -1;
        }
        return 0;
    case TERNCTL_REDIS_HOST:
        ternctl_redis_set(&a->conf.redis.host, v);
        return 0;
    case TERNCTL_REDIS_PORT:
        if (number_parse_ulong(v, 1, 65535, &n) < 0) {
            return -1;
        }
        a->conf.redis.port = (uint16_t)n;
        return 0;
    case TERNCTL_REDIS_SOCKET:
        ternctl_redis_set(&a->conf.redis.socket, v);
        return 0;
    case TERNCTL_REDIS_DB:
        if (number_parse_ulong(v, 0, 65535, &n) < 0) {
            return -1;
        }
        a->conf.redis.db = (unsigned)n;
        return 0;
    case TERNCTL_REDIS_PREFIX:
        ternctl_redis_set(&a->conf.redis.key_prefix, v);
        return 0;
    case TERNCTL_REDIS_UNTIL:
        a->until = v;
        return 0;
    default:
        return -1;
    }
}

/* Connects, authenticates and selects the database. Returns the context or NULL (reported). */
static redisContext *ternctl_redis_connect(const struct store_options *o)
{
    struct timeval tv = {.tv_sec = o->connect_timeout_ms / 1000,
                         .tv_usec = (long)(o->connect_timeout_ms % 1000) * 1000};
    redisContext *c = o->socket != NULL ? redisConnectUnixWithTimeout(o->socket, tv)
                                        : redisConnectWithTimeout(o->host, o->port, tv);
    const char *password = getenv("TERN_REDIS_PASSWORD");
    redisReply *r = NULL;

    if (password == NULL) {
        password = o->password;
    }
    if (c == NULL || c->err) {
        (void)fprintf(stderr, "ternctl: cannot connect to Redis at %s: %s\n",
                      o->socket != NULL ? o->socket : o->host, c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    (void)redisSetTimeout(c, tv);
    if (password != NULL && password[0] != '\0') {
        r = redisCommand(c, "AUTH %s", password);
    } else if (o->db != 0) {
        r = redisCommand(c, "SELECT %u", o->db);
    } else {
        r = redisCommand(c, "PING");
    }
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        (void)fprintf(stderr, "ternctl: Redis refused: %s\n", r ? r->str : c->errstr);
        freeReplyObject(r);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(r);
    if (password != NULL && password[0] != '\0' && o->db != 0) {
        r = redisCommand(c, "SELECT %u", o->db);
        bool bad = r == NULL || r->type == REDIS_REPLY_ERROR;
        freeReplyObject(r);
        if (bad) {
            (void)fprintf(stderr, "ternctl: SELECT %u failed\n", o->db);
            redisFree(c);
            return NULL;
        }
    }
    return c;
}

/* Runs one command; returns its reply or NULL (reported). */
static redisReply *ternctl_redis_run(redisContext *c, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);

    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        (void)fprintf(stderr, "ternctl: %s failed: %s\n", argv[0], r ? r->str : c->errstr);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* Runs a change, then announces it on <prefix>events. Returns 0 or 1. */
static int ternctl_redis_change(redisContext *c, const struct store_options *o, int argc,
                                const char **argv, const char *event)
{
    char channel[128];
    redisReply *r = ternctl_redis_run(c, argc, argv);

    if (r == NULL) {
        return 1;
    }
    freeReplyObject(r);
    (void)snprintf(channel, sizeof(channel), "%sevents", o->key_prefix);
    const char *publish[] = {"PUBLISH", channel, event};
    r = ternctl_redis_run(c, 3, publish);
    if (r == NULL) {
        return 1;
    }
    (void)printf("%s (%lld nodes notified)\n", event, r->integer);
    freeReplyObject(r);
    return 0;
}

/* Prints the entries of a ZRANGE ... WITHSCORES reply. */
static int ternctl_redis_list(redisContext *c, int argc, const char **argv, bool scores_are_ms)
{
    redisReply *r = ternctl_redis_run(c, argc, argv);

    if (r == NULL) {
        return 1;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *score = r->element[i + 1]->str;
        if (strcmp(score, "inf") == 0) {
            (void)printf("%s\tfor ever\n", r->element[i]->str);
        } else {
            double v = strtod(score, NULL);
            (void)printf("%s\t%s %lld\n", r->element[i]->str, scores_are_ms ? "added" : "until",
                         (long long)(scores_are_ms ? v / 1000 : v));
        }
    }
    freeReplyObject(r);
    return 0;
}

/* The moment a revocation of name ends: --until, else the expiry of a REST username, else for
 * ever. Returns 0, or -1 for a bad --until. */
static int ternctl_redis_until(const struct ternctl_redis_args *a, const char *name, char *out,
                               size_t cap)
{
    struct auth_rest_username u;
    unsigned long v;

    if (a->until != NULL) {
        if (number_parse_ulong(a->until, 1, 253402300799ul, &v) < 0) {
            return -1;
        }
        (void)snprintf(out, cap, "%lu", v);
    } else if (auth_rest_parse(&u, name, strlen(name)) == 0) {
        (void)snprintf(out, cap, "%" PRId64, u.expiry_s);
    } else {
        (void)snprintf(out, cap, "+inf");
    }
    return 0;
}

static int ternctl_redis_secret(redisContext *c, const struct ternctl_redis_args *a)
{
    const struct store_options *o = &a->conf.redis;
    char key[128];
    const char *op = a->word_count > 1 ? a->words[1] : "";
    struct timeval tv;

    (void)snprintf(key, sizeof(key), "%ssecrets", o->key_prefix);
    if (strcmp(op, "list") == 0 && a->word_count == 2) {
        const char *argv[] = {"ZREVRANGE", key, "0", "-1", "WITHSCORES"};
        return ternctl_redis_list(c, 5, argv, true);
    }
    if (a->word_count != 3 || a->words[2][0] == '\0') {
        return 2;
    }
    if (strcmp(op, "add") == 0) {
        char now_ms[32];
        (void)gettimeofday(&tv, NULL);
        (void)snprintf(now_ms, sizeof(now_ms), "%lld",
                       (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
        const char *argv[] = {"ZADD", key, now_ms, a->words[2]};
        return ternctl_redis_change(c, o, 4, argv, "secrets");
    }
    if (strcmp(op, "remove") == 0) {
        const char *argv[] = {"ZREM", key, a->words[2]};
        return ternctl_redis_change(c, o, 3, argv, "secrets");
    }
    return 2;
}

static int ternctl_redis_revocation(redisContext *c, const struct ternctl_redis_args *a)
{
    const struct store_options *o = &a->conf.redis;
    char key[128];
    char until[32];
    char now[32];
    char event[600];
    const char *cmd = a->words[0];

    (void)snprintf(key, sizeof(key), "%srevoked", o->key_prefix);
    (void)snprintf(now, sizeof(now), "%lld", (long long)clock_wall_s());
    /* Revocations that ended are pruned by every change and never listed. */
    const char *prune[] = {"ZREMRANGEBYSCORE", key, "-inf", now};
    redisReply *r = ternctl_redis_run(c, 4, prune);
    if (r == NULL) {
        return 1;
    }
    freeReplyObject(r);
    if (strcmp(cmd, "revoked") == 0) {
        const char *argv[] = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
        return a->word_count == 1 ? ternctl_redis_list(c, 5, argv, false) : 2;
    }
    if (a->word_count != 2 || a->words[1][0] == '\0' || strlen(a->words[1]) > 508) {
        return 2;
    }
    (void)snprintf(event, sizeof(event), "%s %s", cmd, a->words[1]);
    if (strcmp(cmd, "unrevoke") == 0) {
        const char *argv[] = {"ZREM", key, a->words[1]};
        return ternctl_redis_change(c, o, 3, argv, event);
    }
    if (ternctl_redis_until(a, a->words[1], until, sizeof(until)) < 0) {
        (void)fprintf(stderr, "ternctl: --until: expected a Unix time\n");
        return 2;
    }
    const char *argv[] = {"ZADD", key, until, a->words[1]};
    return ternctl_redis_change(c, o, 4, argv, event);
}

/* Reads the options and operands. Returns 0, or 2 for a usage error (reported). */
static int ternctl_redis_parse(struct ternctl_redis_args *a, int argc, char **argv)
{
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", ternctl_redis_options, NULL)) != -1) {
        if (opt == '?' || ternctl_redis_option(a, opt, optarg) < 0) {
            (void)fprintf(stderr, "ternctl: invalid option or value\n");
            return 2;
        }
    }
    a->words[a->word_count++] = argv[0];
    for (int i = optind; i < argc && a->word_count < 3; i++) {
        a->words[a->word_count++] = argv[i];
    }
    if (optind < argc && argc - optind >= 3) {
        (void)fprintf(stderr, "ternctl: too many operands\n");
        return 2;
    }
    return 0;
}

int ternctl_redis_main(int argc, char **argv)
{
    struct ternctl_redis_args a;
    redisContext *c;
    int rc;

    memset(&a, 0, sizeof(a));
    conf_init(&a.conf);
    rc = ternctl_redis_parse(&a, argc, argv);
    if (rc != 0) {
        conf_fini(&a.conf);
        return rc;
    }
    c = ternctl_redis_connect(&a.conf.redis);
    if (c == NULL) {
        conf_fini(&a.conf);
        return 1;
    }
    rc = strcmp(a.words[0], "secret") == 0 ? ternctl_redis_secret(c, &a)
                                           : ternctl_redis_revocation(c, &a);
    if (rc == 2) {
        ternctl_redis_usage(stderr);
    }
    redisFree(c);
    conf_fini(&a.conf);
    return rc;
}
