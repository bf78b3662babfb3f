# Fuzz targets of src/auth/, built with gcc as corpus replayers for make check.
check_PROGRAMS += tests/fuzz/fuzz_rest_username_replay
TESTS += tests/fuzz/fuzz_rest_username_replay
tests_fuzz_fuzz_rest_username_replay_SOURCES = tests/fuzz/fuzz_rest_username.c tests/fuzz/replay.c
tests_fuzz_fuzz_rest_username_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/rest_username"'
EXTRA_DIST += tests/fuzz/corpus/rest_username tests/fuzz/rest_username.dict

check_PROGRAMS += tests/fuzz/fuzz_nonce_replay
TESTS += tests/fuzz/fuzz_nonce_replay
tests_fuzz_fuzz_nonce_replay_SOURCES = tests/fuzz/fuzz_nonce.c tests/fuzz/replay.c
tests_fuzz_fuzz_nonce_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/nonce"'
EXTRA_DIST += tests/fuzz/corpus/nonce tests/fuzz/nonce.dict
