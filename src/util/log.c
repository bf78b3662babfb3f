#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 1024

static atomic_int log_level_now = LOG_LEVEL_INFO;
static atomic_bool log_to_syslog = false;

static const char *const log_names[] = {"error", "warn", "notice", "info", "debug"};

static const int log_syslog_priority[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

void log_open(bool use_syslog)
{
    if (use_syslog) {
        openlog("ternd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    }
    atomic_store(&log_to_syslog, use_syslog);
}

void log_close(void)
{
    if (atomic_exchange(&log_to_syslog, false)) {
        closelog();
    }
}

void log_set_level(enum log_level level)
{
    atomic_store_explicit(&log_level_now, (int)level, memory_order_relaxed);
}

bool log_enabled(enum log_level level)
{
    return (int)level <= atomic_load_explicit(&log_level_now, memory_order_relaxed);
}

int log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
        if (strcmp(name, log_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *log_level_name(enum log_level level)
{
    if ((int)level < 0 || (size_t)level >= sizeof(log_names) / sizeof(log_names[0])) {
        return "?";
    }
    return log_names[level];
}

/* Formats the UTC time as 2026-11-26T06:40:00.123Z into buf. */
static size_t log_timestamp(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000L);
    return m > 0 ? n + (size_t)m : n;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    size_t n = 0;
    va_list ap;

    if (!log_enabled(level)) {
        return;
    }
    bool syslog_on = atomic_load(&log_to_syslog);
    if (!syslog_on) {
        n = log_timestamp(line, sizeof(line));
        line[n++] = ' ';
    }
    int m = snprintf(line + n, sizeof(line) - n, "%s %s: ", log_level_name(level), module);
    n += m > 0 ? (size_t)m : 0;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    n += m > 0 ? (size_t)m : 0;
    if (n > sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }
    if (syslog_on) {
        line[n] = '\0';
        syslog(log_syslog_priority[level], "%s", line);
        return;
    }
    line[n++] = '\n';
    /* One write() per line keeps lines from threads whole. */
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}
