/*
 * tern-bench: clocks, latency samples and percentiles, and the CPU time and
 * memory of another process read from /proc.
 *
 * Latency samples are kept in a fixed array given at init; once it is full,
 * reservoir sampling keeps a uniform subset, so a long run costs bounded
 * memory and the percentiles stay unbiased.
 */
#ifndef TERN_TOOLS_BENCH_STATS_H
#define TERN_TOOLS_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_NS_PER_S  1000000000ull
#define BENCH_NS_PER_MS 1000000ull

struct bench_samples {
    uint32_t *ns;   /* owned; each sample in nanoseconds, saturated at UINT32_MAX */
    size_t count;   /* samples held */
    size_t cap;     /* size of ns */
    uint64_t seen;  /* samples offered, held or not */
    uint64_t rng;   /* xorshift state for the reservoir */
    uint64_t total; /* sum of every sample offered, for the mean */
};

/* Summary of a sample set, in microseconds. All zero when there were no samples. */
struct bench_pct {
    double median_us;
    double p99_us;
    double max_us;
    double mean_us;
    uint64_t count; /* samples offered */
};

/* Prepares s to hold at most cap samples (cap >= 1). Allocates; release with _fini. */
void bench_samples_init(struct bench_samples *s, size_t cap);

/* Releases the array of s. */
void bench_samples_fini(struct bench_samples *s);

/* Forgets every sample (keeps the array). */
void bench_samples_reset(struct bench_samples *s);

/* Offers one sample of ns nanoseconds. */
void bench_samples_add(struct bench_samples *s, uint64_t ns);

/* Fills *out from s. Sorts the held samples in place. */
void bench_samples_summary(struct bench_samples *s, struct bench_pct *out);

/* Nanoseconds on the monotonic clock. */
uint64_t bench_now_ns(void);

/* CPU seconds (user + system) used by this process, and by the calling thread. */
double bench_cpu_process_s(void);
double bench_cpu_thread_s(void);

/* Reads the user and the system CPU seconds of every thread of process pid from
 * /proc/PID/stat. Returns 0, or -1 when the file cannot be read or parsed. */
int bench_proc_cpu_s(pid_t pid, double *user_s, double *sys_s);

/* Reads VmRSS of process pid, in KiB, from /proc/PID/status. Returns 0 or -1. */
int bench_proc_rss_kib(pid_t pid, uint64_t *out);

/* Seconds of CPU time of the whole machine since boot, all cores, from the first line of
 * /proc/stat: everything, idle (with iowait), and softirq (where the loopback device delivers
 * packets, accounted to no process). */
struct bench_machine_cpu {
    double total_s;
    double idle_s;
    double softirq_s;
};

/* Fills *out from /proc/stat. Returns 0 or -1. */
int bench_machine_cpu_read(struct bench_machine_cpu *out);

#endif
