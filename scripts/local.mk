TESTS += scripts/check-source.sh
EXTRA_DIST += scripts/check-source.sh scripts/install-deps.sh scripts/quickstart.sh scripts/test.sh \
	scripts/fuzz.sh scripts/bench.sh scripts/bench-summary.py autogen.sh .clang-format .clang-tidy
