bin_PROGRAMS += ternctl
ternctl_SOURCES = tools/ternctl.c tools/ternctl_redis.c tools/ternctl_redis.h \
	tools/ternctl_admin.c tools/ternctl_admin.h \
	tools/ternctl_json.c tools/ternctl_json.h
ternctl_CFLAGS = $(AM_CFLAGS) $(HIREDIS_CFLAGS) $(LIBCONFIG_CFLAGS)
ternctl_LDADD = libtern_edge.a $(CORE_LIBS) $(HIREDIS_LIBS) $(LIBCONFIG_LIBS)

# The benchmark (BENCHMARKS.md): drives any TURN server on loopback, prints JSON.
bin_PROGRAMS += tern-bench
tern_bench_SOURCES = tools/tern-bench.c \
	tools/bench_cycle.c tools/bench_cycle.h \
	tools/bench_echo.c tools/bench_echo.h \
	tools/bench_flow.c tools/bench_flow.h \
	tools/bench_json.c tools/bench_json.h \
	tools/bench_net.c tools/bench_net.h \
	tools/bench_opts.c tools/bench_opts.h \
	tools/bench_stats.c tools/bench_stats.h \
	tools/bench_turn.c tools/bench_turn.h
tern_bench_CFLAGS = $(AM_CFLAGS) -pthread
tern_bench_LDFLAGS = $(AM_LDFLAGS) -pthread
tern_bench_LDADD = $(CORE_LIBS) -lm

# The raw UDP forwarder the benchmark compares relays with (BENCHMARKS.md); not installed.
noinst_PROGRAMS = tern-forward
tern_forward_SOURCES = tools/tern-forward.c
tern_forward_LDADD = $(CORE_LIBS)
