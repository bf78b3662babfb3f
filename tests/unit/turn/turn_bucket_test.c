#include "tap.h"
#include "turn/turn_bucket.h"

#include <stdint.h>

/* Takes cost tokens at now_ms until refused; returns how many takes succeeded (at most limit). */
static int turn_bucket_test_drain(struct turn_bucket *b, uint64_t cost, uint64_t now_ms, int limit)
{
    int n = 0;

    while (n < limit && turn_bucket_take(b, cost, now_ms)) {
        n++;
    }
    return n;
}

static void turn_bucket_test_burst(void)
{
    struct turn_bucket b;

    turn_bucket_init(&b, 10, 5, 1000);
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 1000, 100), 5, "a new bucket grants its burst of 5");
    TAP_CHECK(!turn_bucket_take(&b, 1, 1000), "then refuses");
    TAP_EQ_INT(b.tokens_milli, 0, "a refusal spends nothing and leaves it empty");

    turn_bucket_init(&b, 10, 5, 1000);
    TAP_CHECK(!turn_bucket_take(&b, 6, 1000), "a cost above what is there is refused");
    TAP_CHECK(turn_bucket_take(&b, 5, 1000), "and spent nothing: the whole burst is still there");
    TAP_CHECK(turn_bucket_take(&b, 0, 1000), "a cost of 0 always passes");
}

static void turn_bucket_test_refill(void)
{
    struct turn_bucket b;

    /* 10 a second: one token every 100 ms. */
    turn_bucket_init(&b, 10, 5, 1000);
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 1000, 100), 5, "drained");
    TAP_CHECK(!turn_bucket_take(&b, 1, 1099), "99 ms later there is not yet a token");
    TAP_CHECK(turn_bucket_take(&b, 1, 1100), "100 ms later there is exactly one");
    TAP_CHECK(!turn_bucket_take(&b, 1, 1100), "and only one");
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 1350, 100), 2, "250 ms later two (half a token kept)");
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 1400, 100), 1, "50 ms more make the half a whole");
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 1000000, 100), 5, "a long idle refills to burst only");

    turn_bucket_init(&b, 10, 5, 0);
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 10000, 100), 5,
               "a bucket idle while full does not grow past burst");

    /* 3 a second: a token takes 333.33 ms, so fractions must carry over between refills. */
    turn_bucket_init(&b, 3, 2, 0);
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 0, 100), 2, "rate 3: the burst of 2");
    TAP_CHECK(!turn_bucket_take(&b, 1, 333), "rate 3: 333 ms hold 0.999 tokens");
    TAP_CHECK(turn_bucket_take(&b, 1, 334), "rate 3: 334 ms hold 1.002 tokens");
    TAP_EQ_INT(b.tokens_milli, 2, "rate 3: the 0.002 left over is kept");
    for (uint64_t t = 335; t < 667; t++) {
        if (turn_bucket_take(&b, 1, t)) {
            TAP_CHECK(false, "rate 3: refused until 667 ms, but granted at %llu",
                      (unsigned long long)t);
            break;
        }
    }
    TAP_CHECK(turn_bucket_take(&b, 1, 667), "rate 3: 1 ms steps add up to a token at 667 ms");
}

static void turn_bucket_test_unlimited(void)
{
    struct turn_bucket b;

    turn_bucket_init(&b, 0, 0, 5);
    TAP_EQ_INT(turn_bucket_test_drain(&b, UINT64_MAX, 5, 1000), 1000,
               "rate 0: every take passes, whatever the cost");
    TAP_CHECK(turn_bucket_take(&b, 1, 0), "rate 0: even with the clock going backwards");
}

static void turn_bucket_test_large(void)
{
    struct turn_bucket b;
    const uint64_t tera = 1000000000000u;

    /* 8 Tbit/s as bytes: 10^12 tokens a second, a burst of one second. */
    turn_bucket_init(&b, tera, tera, 0);
    TAP_CHECK(turn_bucket_take(&b, tera, 0), "rate 10^12: the burst of 10^12");
    TAP_CHECK(!turn_bucket_take(&b, 1, 0), "rate 10^12: then empty");
    TAP_CHECK(turn_bucket_take(&b, 1000000000u, 1), "rate 10^12: 1 ms brings 10^9");
    TAP_CHECK(!turn_bucket_take(&b, 1, 1), "rate 10^12: and no more");
    TAP_CHECK(!turn_bucket_take(&b, tera, 999), "rate 10^12: 998 ms more are short of 10^12");
    TAP_CHECK(turn_bucket_take(&b, tera - 2000000000u, 999), "rate 10^12: but hold 10^12 - 2e9");
    TAP_CHECK(!turn_bucket_take(&b, 1, 999), "rate 10^12: spent");
    /* 10^9 ms idle at 10^12 a second would be 10^24 milli-tokens: the refill must saturate. */
    TAP_CHECK(!turn_bucket_take(&b, tera + 1, 1000000999u),
              "rate 10^12: idle refills to burst only");
    TAP_CHECK(turn_bucket_take(&b, tera, 1000000999u), "rate 10^12: idle refills to burst exactly");
    TAP_CHECK(turn_bucket_take(&b, tera, UINT64_MAX), "rate 10^12: a clock at UINT64_MAX");
    TAP_CHECK(!turn_bucket_take(&b, 1, UINT64_MAX), "rate 10^12: spent at UINT64_MAX");

    turn_bucket_init(&b, UINT64_MAX, UINT64_MAX, 0);
    TAP_CHECK(!turn_bucket_take(&b, UINT64_MAX, 0),
              "a cost beyond milli-token range is refused, even from a saturated bucket");
    TAP_CHECK(turn_bucket_take(&b, UINT64_MAX / 1000, 0), "burst UINT64_MAX: a huge take passes");
    TAP_CHECK(turn_bucket_take(&b, 1, UINT64_MAX), "rate UINT64_MAX: refills without overflow");
    TAP_CHECK(b.tokens_milli == UINT64_MAX - 1000, "rate UINT64_MAX: saturated, less the take");
}

static void turn_bucket_test_backwards(void)
{
    struct turn_bucket b;

    turn_bucket_init(&b, 10, 5, 10000);
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 10000, 100), 5, "drained at 10000 ms");
    TAP_CHECK(!turn_bucket_take(&b, 1, 5000), "the clock back at 5000 ms refills nothing");
    TAP_CHECK(!turn_bucket_take(&b, 1, 0), "nor at 0 ms");
    TAP_EQ_INT(b.last_ms, 10000, "the refill point is not moved back");
    TAP_CHECK(!turn_bucket_take(&b, 1, 10099), "forward again: 99 ms after 10000 nothing yet");
    TAP_EQ_INT(turn_bucket_test_drain(&b, 1, 10100, 100), 1,
               "100 ms after 10000 one token, not the 51 a moved refill point would give");
}

int main(void)
{
    turn_bucket_test_burst();
    turn_bucket_test_refill();
    turn_bucket_test_unlimited();
    turn_bucket_test_large();
    turn_bucket_test_backwards();
    return tap_done();
}
