# Fuzz targets of src/stun/, built with gcc as corpus replayers for make check; scripts/fuzz.sh
# builds the same sources with libFuzzer. tests/fuzz/make_seeds.py regenerates the corpora.
check_PROGRAMS += tests/fuzz/fuzz_stun_decode_replay
TESTS += tests/fuzz/fuzz_stun_decode_replay
tests_fuzz_fuzz_stun_decode_replay_SOURCES = tests/fuzz/fuzz_stun_decode.c tests/fuzz/replay.c
tests_fuzz_fuzz_stun_decode_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/stun_decode"'

check_PROGRAMS += tests/fuzz/fuzz_channel_replay
TESTS += tests/fuzz/fuzz_channel_replay
tests_fuzz_fuzz_channel_replay_SOURCES = tests/fuzz/fuzz_channel.c tests/fuzz/replay.c
tests_fuzz_fuzz_channel_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/channel"'

check_PROGRAMS += tests/fuzz/fuzz_stream_frame_replay
TESTS += tests/fuzz/fuzz_stream_frame_replay
tests_fuzz_fuzz_stream_frame_replay_SOURCES = tests/fuzz/fuzz_stream_frame.c tests/fuzz/replay.c
tests_fuzz_fuzz_stream_frame_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/stream_frame"'

EXTRA_DIST += tests/fuzz/corpus/stun_decode tests/fuzz/stun_decode.dict \
	tests/fuzz/corpus/channel tests/fuzz/channel.dict \
	tests/fuzz/corpus/stream_frame tests/fuzz/stream_frame.dict \
	tests/fuzz/make_seeds.py
