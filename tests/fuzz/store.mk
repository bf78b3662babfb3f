# Fuzz target of src/store/ (the journal line parser), built with gcc as a corpus replayer for
# make check; scripts/fuzz.sh builds the same source with libFuzzer.
check_PROGRAMS += tests/fuzz/fuzz_journal_line_replay
TESTS += tests/fuzz/fuzz_journal_line_replay
tests_fuzz_fuzz_journal_line_replay_SOURCES = tests/fuzz/fuzz_journal_line.c tests/fuzz/replay.c
tests_fuzz_fuzz_journal_line_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/journal_line"'
tests_fuzz_fuzz_journal_line_replay_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_fuzz_fuzz_journal_line_replay_LDADD = libtern_edge.a $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/journal_line tests/fuzz/journal_line.dict
