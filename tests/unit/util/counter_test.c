#include "tap.h"
#include "util/counter.h"

#include <stdint.h>

struct counter_test_block {
    _Alignas(COUNTER_LINE) uint64_t packets;
    uint64_t bytes;
};

int main(void)
{
    struct counter_test_block b = {0};

    COUNTER_ADD(&b.packets, 1);
    COUNTER_ADD(&b.packets, 1);
    COUNTER_ADD(&b.bytes, 1500);
    TAP_CHECK(counter_read(&b.packets) == 2, "two adds of one");
    TAP_CHECK(counter_read(&b.bytes) == 1500, "an add of n");
    COUNTER_SUB(&b.bytes, 500);
    TAP_CHECK(counter_read(&b.bytes) == 1000, "a subtraction");
    COUNTER_STORE(&b.bytes, 7);
    TAP_CHECK(counter_read(&b.bytes) == 7, "a store");
    COUNTER_ADD(&b.bytes, UINT64_MAX);
    TAP_CHECK(counter_read(&b.bytes) == 6, "counters wrap modulo 2^64");
    TAP_CHECK(((uintptr_t)&b.packets % COUNTER_LINE) == 0, "the block starts on a cache line");
    return tap_done();
}
