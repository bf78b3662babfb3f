/*
 * Logging: one line per event, to stderr or syslog, safe from any thread.
 * Each source file defines LOG_MODULE before including this header, e.g.
 *   #define LOG_MODULE "turn"
 * Never pass secrets, keys, HMACs or passwords to these functions.
 */
#ifndef TERN_UTIL_LOG_H
#define TERN_UTIL_LOG_H

#include <stdbool.h>

enum log_level {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_NOTICE = 2,
    LOG_LEVEL_INFO = 3,
    LOG_LEVEL_DEBUG = 4,
};

/* Directs output to syslog (facility daemon) when use_syslog, else stderr. */
void log_open(bool use_syslog);

/* Closes syslog if it was opened. */
void log_close(void);

/* Sets the most verbose level written. Safe while other threads log. */
void log_set_level(enum log_level level);

/* Returns true when a message at level would be written. */
bool log_enabled(enum log_level level);

/* Returns the level named by name ("error" ... "debug"), or -1. */
int log_level_parse(const char *name);

/* Returns the name of level. */
const char *log_level_name(enum log_level level);

/* Writes one line "LEVEL module: message". */
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifndef LOG_MODULE
#define LOG_MODULE "tern"
#endif

#define log_error(...)  log_write(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)   log_write(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_notice(...) log_write(LOG_LEVEL_NOTICE, LOG_MODULE, __VA_ARGS__)
#define log_info(...)   log_write(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_LEVEL_DEBUG)) {                                                        \
            log_write(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__);                                   \
        }                                                                                          \
    } while (0)

#endif
