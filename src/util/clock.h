/*
 * Clocks. Protocol timers (lifetimes, nonces' freshness on one node) use
 * the monotonic clock; anything compared with another machine's idea of
 * time (the expiry in a REST username, nonce timestamps) uses wall time.
 */
#ifndef TERN_UTIL_CLOCK_H
#define TERN_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds on the monotonic clock since an arbitrary origin. */
uint64_t clock_now_ms(void);

/* Microseconds on the monotonic clock since an arbitrary origin. */
uint64_t clock_now_us(void);

/* Seconds since the Unix epoch (wall clock). */
int64_t clock_wall_s(void);

#endif
