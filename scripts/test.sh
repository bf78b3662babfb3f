#!/bin/bash
# The second README command: installs the dependencies, then builds Tern twice (plainly with
# warnings as errors, and with AddressSanitizer + UndefinedBehaviorSanitizer), runs the whole
# suite under both, checks formatting and static analysis, fuzzes each parser for a bounded time,
# and ends with one line: "N passed, M failed".
#   FUZZ_SECONDS=N   seconds per fuzz target (default 20)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=${TERN_TEST_OUT:-$top/build-test}
passed=0
failed=0

step() { echo; echo "=== $*"; }
count() {
    if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi
}
# Adds the PASS/FAIL totals of an automake test-suite.log summary.
count_suite() {
    local log=$1 p f
    p=$(sed -n 's/^# PASS: *\([0-9]*\)$/\1/p' "$log" | tail -n1)
    f=$(sed -n 's/^# \(FAIL\|ERROR\|XPASS\): *\([0-9]*\)$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    [ -n "$p" ] || { failed=$((failed + 1)); echo "FAILED: no test summary in $log"; }
}

step "dependencies"
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$out"
mkdir -p "$out"

# build NAME CONFIGURE-ARGS...: configures and builds in $out/NAME, then runs make check (only
# the tests in $check_tests when it is set).
build_and_check() {
    local name=$1
    shift
    step "build $name: $*"
    mkdir -p "$out/$name"
    (cd "$out/$name" && "$top/configure" --quiet "$@" >configure.out 2>&1 && make -j2 >make.out 2>&1)
    if [ $? -ne 0 ]; then
        tail -n 40 "$out/$name/make.out" "$out/$name/configure.out" 2>/dev/null
        count fail "build $name"
        return
    fi
    count ok "build $name"
    step "make check ($name)"
    if [ -n "${check_tests:-}" ]; then
        (cd "$out/$name" && make -j2 check TESTS="$check_tests" >check.out 2>&1)
    else
        (cd "$out/$name" && make -j2 check >check.out 2>&1)
    fi
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$out/$name/check.out" | grep -v '^PASS' | head -50
    grep -A3 -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$out/$name/check.out" | head -8
    count_suite "$out/$name/test-suite.log"
    if grep -qE '^(FAIL|ERROR)' "$out/$name/check.out"; then
        for log in $(grep -lE '^(not ok|# failed)|ERROR:' $(find "$out/$name/tests" "$out/$name/scripts" -name '*.log' 2>/dev/null) 2>/dev/null | head -5); do
            echo "--- $log"; tail -n 30 "$log"
        done
    fi
}

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
build_and_check plain --enable-werror
build_and_check sanitizers --enable-werror --enable-sanitizers=address,undefined
# ThreadSanitizer on what crosses threads: workers sharing port pools and quotas, the HTTP
# thread reading counters and snapshots, the usage writer, reload and drain handing snapshots to
# the workers, shutdown.
check_tests="tests/unit/net/net_ports_test tests/unit/net/net_quota_test \
    tests/integration/signals.py tests/integration/relay_to_relay.py \
    tests/integration/metrics.py tests/integration/uclient.py \
    tests/integration/reload.py tests/integration/drain.py \
    tests/integration/redis_usage.py tests/integration/redis_fleet.py" \
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    build_and_check threads --enable-werror --enable-sanitizers=thread

step "make distcheck"
if (cd "$out/plain" && make distcheck >distcheck.out 2>&1); then
    count ok "make distcheck"
else
    tail -n 30 "$out/plain/distcheck.out"
    count fail "make distcheck"
fi

step "clang-format"
files=$(git ls-files 'src/*.c' 'src/*.h' 'tools/*.c' 'tools/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find src tools tests -name '*.[ch]')
if clang-format --dry-run -Werror $files; then count ok "clang-format"; else count fail "clang-format"; fi

step "clang-tidy"
tidy_fail=0
for f in $(echo "$files" | tr ' ' '\n' | grep '^src/.*\.c$'); do
    clang-tidy --quiet "$f" -- -std=c11 -D_GNU_SOURCE -I"$top/src" -I"$out/plain" \
        $(pkg-config --cflags libevent libssl hiredis libconfig libmicrohttpd) >"$out/tidy.out" 2>&1 ||
        { tidy_fail=1; grep -E 'error|warning' "$out/tidy.out" | head -20; }
done
if [ $tidy_fail = 0 ]; then count ok "clang-tidy"; else count fail "clang-tidy"; fi

step "cppcheck"
if cppcheck --quiet --enable=warning,style,performance,portability --error-exitcode=1 \
    --inline-suppr --suppress=missingIncludeSystem -I src -I "$out/plain" src tools 2>&1; then
    count ok "cppcheck"
else
    count fail "cppcheck"
fi

step "fuzzing (${FUZZ_SECONDS:-20} s per target)"
if [ -x scripts/fuzz.sh ]; then
    if scripts/fuzz.sh "${FUZZ_SECONDS:-20}"; then count ok "fuzz"; else count fail "fuzz"; fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
