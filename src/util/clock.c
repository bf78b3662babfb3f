#include "util/clock.h"

#include <time.h>

static struct timespec clock_read(clockid_t id)
{
    struct timespec ts = {0, 0};

    (void)clock_gettime(id, &ts);
    return ts;
}

uint64_t clock_now_ms(void)
{
    struct timespec ts = clock_read(CLOCK_MONOTONIC);

    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t clock_now_us(void)
{
    struct timespec ts = clock_read(CLOCK_MONOTONIC);

    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int64_t clock_wall_s(void)
{
    return (int64_t)clock_read(CLOCK_REALTIME).tv_sec;
}
