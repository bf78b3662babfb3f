# Fuzz target of src/conf/, built with gcc as a corpus replayer for make check. conf/ is an edge
# module (libconfig), so the replayer links the edge library.
check_PROGRAMS += tests/fuzz/fuzz_conf_replay
TESTS += tests/fuzz/fuzz_conf_replay
tests_fuzz_fuzz_conf_replay_SOURCES = tests/fuzz/fuzz_conf.c tests/fuzz/replay.c
tests_fuzz_fuzz_conf_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_fuzz_conf_replay_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_fuzz_fuzz_conf_replay_LDADD = libtern_edge.a $(CORE_LIBS) $(LIBCONFIG_LIBS)
EXTRA_DIST += tests/fuzz/corpus/conf tests/fuzz/conf.dict
