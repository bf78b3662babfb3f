#include "tap.h"
#include "util/log.h"

#include <string.h>

static void log_test_names(void)
{
    static const char *const names[] = {"error", "warn", "notice", "info", "debug"};

    for (int level = LOG_LEVEL_ERROR; level <= LOG_LEVEL_DEBUG; level++) {
        const char *name = log_level_name((enum log_level)level);
        TAP_CHECK(name != NULL && strcmp(name, names[level]) == 0, "level %d is named %s", level,
                  names[level]);
        TAP_EQ_INT(log_level_parse(name), level, "\"%s\" parses back to %d", names[level], level);
    }
    TAP_EQ_INT(log_level_parse("warning"), -1, "an unknown name is -1");
    TAP_EQ_INT(log_level_parse(""), -1, "the empty name is -1");
    TAP_EQ_INT(log_level_parse("debugx"), -1, "a name with a suffix is -1");
    TAP_CHECK(log_level_name((enum log_level)17) != NULL, "an out-of-range level has a name");
}

static void log_test_enabled(void)
{
    log_set_level(LOG_LEVEL_WARN);
    TAP_CHECK(log_enabled(LOG_LEVEL_ERROR), "error is written at level warn");
    TAP_CHECK(log_enabled(LOG_LEVEL_WARN), "warn is written at level warn");
    TAP_CHECK(!log_enabled(LOG_LEVEL_INFO), "info is not written at level warn");
    log_set_level(LOG_LEVEL_DEBUG);
    TAP_CHECK(log_enabled(LOG_LEVEL_DEBUG), "debug is written at level debug");
    log_set_level(LOG_LEVEL_ERROR);
    TAP_CHECK(!log_enabled(LOG_LEVEL_WARN), "warn is not written at level error");
}

int main(void)
{
    log_test_names();
    log_test_enabled();
    return tap_done();
}
