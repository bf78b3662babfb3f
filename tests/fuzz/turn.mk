# Fuzz target of src/turn/, built with gcc as a corpus replayer for make check; scripts/fuzz.sh
# builds the same source with libFuzzer. tests/fuzz/make_turn_seeds.py regenerates the corpus.
check_PROGRAMS += tests/fuzz/fuzz_turn_handle_replay
TESTS += tests/fuzz/fuzz_turn_handle_replay
tests_fuzz_fuzz_turn_handle_replay_SOURCES = tests/fuzz/fuzz_turn_handle.c tests/fuzz/replay.c
tests_fuzz_fuzz_turn_handle_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/turn_handle"'
EXTRA_DIST += tests/fuzz/corpus/turn_handle tests/fuzz/turn_handle.dict \
	tests/fuzz/make_turn_seeds.py
