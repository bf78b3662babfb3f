# Fuzz target of tools/ (ternctl's reader of the admin socket's JSON answers), built with gcc as
# a corpus replayer for make check; scripts/fuzz.sh builds the same sources with libFuzzer.
check_PROGRAMS += tests/fuzz/fuzz_ternctl_json_replay
TESTS += tests/fuzz/fuzz_ternctl_json_replay
tests_fuzz_fuzz_ternctl_json_replay_SOURCES = tests/fuzz/fuzz_ternctl_json.c tests/fuzz/replay.c \
	tools/ternctl_json.c tools/ternctl_json.h
tests_fuzz_fuzz_ternctl_json_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/ternctl_json"'
EXTRA_DIST += tests/fuzz/corpus/ternctl_json tests/fuzz/ternctl_json.dict
