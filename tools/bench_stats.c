#include "bench_stats.h"

#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* /proc/PID/stat fields 14 and 15 (utime, stime) come 11 fields after the ')' that ends
 * field 2 (comm, which may itself hold spaces and parentheses). */
#define BENCH_STAT_FIELDS_BEFORE_UTIME 11

void bench_samples_init(struct bench_samples *s, size_t cap)
{
    memset(s, 0, sizeof(*s));
    s->cap = cap > 0 ? cap : 1;
    s->ns = xcalloc(s->cap, sizeof(*s->ns));
    s->rng = 0x9E3779B97F4A7C15ull;
}

void bench_samples_fini(struct bench_samples *s)
{
    xfree(&s->ns);
    s->count = 0;
    s->cap = 0;
}

void bench_samples_reset(struct bench_samples *s)
{
    s->count = 0;
    s->seen = 0;
    s->total = 0;
}

/* xorshift64: enough to pick reservoir slots. */
static uint64_t bench_samples_rand(struct bench_samples *s)
{
    uint64_t x = s->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return x;
}

void bench_samples_add(struct bench_samples *s, uint64_t ns)
{
    uint32_t v = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;

    s->seen++;
    s->total += v;
    if (s->count < s->cap) {
        s->ns[s->count++] = v;
        return;
    }
    /* Algorithm R: the n-th sample replaces a held one with probability cap/n. */
    uint64_t slot = bench_samples_rand(s) % s->seen;
    if (slot < s->cap) {
        s->ns[slot] = v;
    }
}

static int bench_samples_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples: the smallest value with at least p of them at or
 * below it. */
static double bench_samples_rank_us(const struct bench_samples *s, double p)
{
    double rank = p * (double)s->count;
    size_t idx = (size_t)rank;

    if ((double)idx < rank) {
        idx++;
    }
    idx = idx > 0 ? idx - 1 : 0;
    if (idx >= s->count) {
        idx = s->count - 1;
    }
    return (double)s->ns[idx] / 1000.0;
}

void bench_samples_summary(struct bench_samples *s, struct bench_pct *out)
{
    memset(out, 0, sizeof(*out));
    out->count = s->seen;
    if (s->count == 0) {
        return;
    }
    qsort(s->ns, s->count, sizeof(*s->ns), bench_samples_cmp);
    out->median_us = bench_samples_rank_us(s, 0.5);
    out->p99_us = bench_samples_rank_us(s, 0.99);
    out->max_us = (double)s->ns[s->count - 1] / 1000.0;
    out->mean_us = (double)s->total / (double)s->seen / 1000.0;
}

static double bench_clock_s(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * BENCH_NS_PER_S + (uint64_t)ts.tv_nsec;
}

double bench_cpu_process_s(void)
{
    return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

double bench_cpu_thread_s(void)
{
    return bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* Reads the whole of a small /proc file (of process pid, or of the machine when pid is 0) into
 * buf as a string. Returns 0 or -1. */
static int bench_proc_read(pid_t pid, const char *name, char *buf, size_t cap)
{
    char path[64];

    if (pid > 0) {
        (void)snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
    } else {
        (void)snprintf(path, sizeof(path), "/proc/%s", name);
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    (void)fclose(f);
    buf[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* Parses an unsigned decimal at *p, advancing *p past it. Returns 0 or -1. */
static int bench_parse_field(const char **p, unsigned long long *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtoull(*p, &end, 10);
    if (errno != 0 || end == *p) {
        return -1;
    }
    *p = end;
    return 0;
}

int bench_proc_cpu_s(pid_t pid, double *user_s, double *sys_s)
{
    char buf[1024];
    unsigned long long utime = 0;
    unsigned long long stime = 0;

    if (bench_proc_read(pid, "stat", buf, sizeof(buf)) < 0) {
        return -1;
    }
    const char *p = strrchr(buf, ')');
    if (p == NULL) {
        return -1;
    }
    p++;
    for (int i = 0; i < BENCH_STAT_FIELDS_BEFORE_UTIME; i++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) {
            return -1;
        }
    }
    if (bench_parse_field(&p, &utime) < 0 || bench_parse_field(&p, &stime) < 0) {
        return -1;
    }
    long hz = sysconf(_SC_CLK_TCK);
    *user_s = (double)utime / (double)(hz > 0 ? hz : 100);
    *sys_s = (double)stime / (double)(hz > 0 ? hz : 100);
    return 0;
}

int bench_proc_rss_kib(pid_t pid, uint64_t *out)
{
    char buf[4096];
    unsigned long long kib = 0;

    if (bench_proc_read(pid, "status", buf, sizeof(buf)) < 0) {
        return -1;
    }
    const char *p = strstr(buf, "VmRSS:");
    if (p == NULL) {
        return -1;
    }
    p += strlen("VmRSS:");
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (bench_parse_field(&p, &kib) < 0) {
        return -1;
    }
    *out = kib;
    return 0;
}

/* /proc/stat "cpu" columns: user nice system idle iowait irq softirq steal. */
enum bench_stat_col {
    BENCH_STAT_IDLE = 3,
    BENCH_STAT_IOWAIT = 4,
    BENCH_STAT_SOFTIRQ = 6,
    BENCH_STAT_COLS = 8,
};

int bench_machine_cpu_read(struct bench_machine_cpu *out)
{
    char buf[4096];
    unsigned long long col[BENCH_STAT_COLS];
    unsigned long long total = 0;

    if (bench_proc_read(0, "stat", buf, sizeof(buf)) < 0 || strncmp(buf, "cpu ", 4) != 0) {
        return -1;
    }
    const char *p = buf + 4;
    for (int i = 0; i < BENCH_STAT_COLS; i++) {
        if (bench_parse_field(&p, &col[i]) < 0) {
            return -1;
        }
        total += col[i];
    }
    long hz = sysconf(_SC_CLK_TCK);
    double tick = 1.0 / (double)(hz > 0 ? hz : 100);
    out->total_s = (double)total * tick;
    out->idle_s = (double)(col[BENCH_STAT_IDLE] + col[BENCH_STAT_IOWAIT]) * tick;
    out->softirq_s = (double)col[BENCH_STAT_SOFTIRQ] * tick;
    return 0;
}
