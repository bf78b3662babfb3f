# Fuzz target of the admin socket's request line splitter (src/server_admin_line.c), built with
# gcc as a corpus replayer for make check; scripts/fuzz.sh builds the same source with
# libFuzzer. The splitter is pure, so the replayer takes only its object from the edge library.
check_PROGRAMS += tests/fuzz/fuzz_admin_line_replay
TESTS += tests/fuzz/fuzz_admin_line_replay
tests_fuzz_fuzz_admin_line_replay_SOURCES = tests/fuzz/fuzz_admin_line.c tests/fuzz/replay.c
tests_fuzz_fuzz_admin_line_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/admin_line"'
tests_fuzz_fuzz_admin_line_replay_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_fuzz_fuzz_admin_line_replay_LDADD = libtern_edge.a $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/admin_line tests/fuzz/admin_line.dict
