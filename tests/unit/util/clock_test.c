#include "tap.h"
#include "util/clock.h"

#include <time.h>

static void clock_test_monotonic(void)
{
    uint64_t prev_ms = clock_now_ms();
    uint64_t prev_us = clock_now_us();
    int backwards = 0;

    for (int i = 0; i < 100000; i++) {
        uint64_t ms = clock_now_ms();
        uint64_t us = clock_now_us();
        if (ms < prev_ms || us < prev_us) {
            backwards++;
        }
        prev_ms = ms;
        prev_us = us;
    }
    TAP_EQ_INT(backwards, 0, "the monotonic clock never goes backwards");
}

static void clock_test_units(void)
{
    uint64_t before_us = clock_now_us();
    uint64_t ms = clock_now_ms();
    uint64_t after_us = clock_now_us();

    TAP_CHECK(before_us / 1000u <= ms && ms <= after_us / 1000u,
              "ms (%llu) lies between the us readings around it (%llu..%llu)",
              (unsigned long long)ms, (unsigned long long)before_us, (unsigned long long)after_us);
}

static void clock_test_sleep(void)
{
    struct timespec nap = {0, 20000000L};
    uint64_t start_ms = clock_now_ms();
    uint64_t start_us = clock_now_us();

    /* nanosleep() leaves the time still to sleep in nap when a signal cuts it short. */
    int rc = nanosleep(&nap, &nap);
    while (rc != 0) {
        rc = nanosleep(&nap, &nap);
    }
    uint64_t slept_ms = clock_now_ms() - start_ms;
    uint64_t slept_us = clock_now_us() - start_us;
    TAP_CHECK(slept_ms >= 20 && slept_ms < 5000, "a 20 ms sleep takes 20 ms (%llu)",
              (unsigned long long)slept_ms);
    TAP_CHECK(slept_us >= 20000 && slept_us < 5000000, "a 20 ms sleep takes 20000 us (%llu)",
              (unsigned long long)slept_us);
}

static void clock_test_wall(void)
{
    int64_t now_s = clock_wall_s();
    time_t libc_s = time(NULL);

    TAP_CHECK(now_s > 1577836800, "wall clock is after 2020-01-01 (%lld)", (long long)now_s);
    TAP_CHECK(now_s - (int64_t)libc_s <= 1 && (int64_t)libc_s - now_s <= 1,
              "wall clock agrees with time()");
}

int main(void)
{
    clock_test_monotonic();
    clock_test_units();
    clock_test_sleep();
    clock_test_wall();
    return tap_done();
}
