/* Process-wide settings: threads, logging, privileges. Filled by conf/, read by server.c. */
#ifndef TERN_SERVER_OPTIONS_H
#define TERN_SERVER_OPTIONS_H

#include "util/log.h"

#include <stdbool.h>

struct server_options {
    unsigned threads;         /* worker threads; 0 means one per online core */
    enum log_level log_level; /* most verbose level written */
    bool log_syslog;          /* syslog instead of stderr */
    char *software;           /* SOFTWARE attribute in responses, or NULL for none */
    bool announce_credential; /* print a ready-to-use credential at start (not a file key) */
    char *usage_file;         /* usage records appended here as JSON lines, or NULL for none */
    uint32_t drain_timeout_s; /* a drain (SIGUSR1) ends the last allocations after this */
    uint32_t stop_timeout_s;  /* SIGTERM drains this long first; 0: stop at once */
};

#endif
