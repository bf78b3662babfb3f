# Fuzz target of src/http/ (the credential request's body reader), built with gcc as a corpus
# replayer for make check; scripts/fuzz.sh builds the same source with libFuzzer. The reader is
# pure, so the replayer takes only its object from the edge library (no libmicrohttpd).
check_PROGRAMS += tests/fuzz/fuzz_http_user_replay
TESTS += tests/fuzz/fuzz_http_user_replay
tests_fuzz_fuzz_http_user_replay_SOURCES = tests/fuzz/fuzz_http_user.c tests/fuzz/replay.c
tests_fuzz_fuzz_http_user_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/http_user"'
tests_fuzz_fuzz_http_user_replay_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_fuzz_fuzz_http_user_replay_LDADD = libtern_edge.a $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/http_user tests/fuzz/http_user.dict
