#!/bin/sh
# Builds the libFuzzer targets of tests/fuzz/ with clang and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS is the time per target (default 30); TARGET is a name such as stun_decode (the
# tests/fuzz/fuzz_<name>.c file); default: every target this script knows. Everything is
# built and run in a temporary directory: the seed corpus is copied there, and nothing is
# copied back into the tree. Exits non-zero when a target fails to build or the fuzzer
# finds a crash, leak or timeout; the temporary directory is then kept for the artifacts.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"stun_decode channel stream_frame rest_username nonce conf turn_handle journal_line ternctl_json http_user admin_line"}
CC=${CC:-clang}

case "$seconds" in
'' | *[!0-9]*)
    echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2
    exit 2
    ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tern-fuzz.XXXXXX")
mkdir -p "$work/config" "$work/bin"
# util/assert.h includes config.h; the fuzz build checks invariants.
echo '#define TERN_ASSERTS 1' >"$work/config/config.h"

# The library sources a target links, by the module it exercises.
sources_for() {
    case "$1" in
    stun_decode | channel | stream_frame) echo "$top/src/util/*.c $top/src/stun/*.c" ;;
    rest_username | nonce) echo "$top/src/util/*.c $top/src/stun/*.c $top/src/auth/*.c" ;;
    conf) echo "$top/src/util/*.c $top/src/conf/*.c" ;;
    journal_line) echo "$top/src/util/*.c $top/src/store/store_record.c" ;;
    ternctl_json) echo "$top/src/util/*.c $top/tools/ternctl_json.c" ;;
    http_user) echo "$top/src/util/*.c $top/src/http/http_request.c" ;;
    admin_line) echo "$top/src/util/*.c $top/src/server_admin_line.c" ;;
    turn_handle) echo "$top/src/util/*.c $top/src/stun/*.c $top/src/auth/*.c $top/src/turn/*.c" ;;
    *) return 1 ;;
    esac
}

# Third-party libraries a target links besides libcrypto.
extra_libs_for() {
    case "$1" in
    conf) echo "-lconfig" ;;
    esac
}

status=0
for target in $targets; do
    src="$top/tests/fuzz/fuzz_$target.c"
    if ! libs=$(sources_for "$target") || [ ! -f "$src" ]; then
        echo "fuzz.sh: unknown target '$target'" >&2
        status=1
        continue
    fi
    bin="$work/bin/fuzz_$target"
    echo "== $target: building"
    # shellcheck disable=SC2086 # $libs is a list of globs
    if ! $CC -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I"$top/src" -I"$top/tools" -I"$top/tests" -I"$work/config" \
        -o "$bin" "$src" $libs -lcrypto -lpthread $(extra_libs_for "$target"); then
        echo "fuzz.sh: $target does not build" >&2
        status=1
        continue
    fi
    corpus="$work/corpus/$target"
    mkdir -p "$corpus" "$work/artifacts"
    if [ -d "$top/tests/fuzz/corpus/$target" ]; then
        cp "$top/tests/fuzz/corpus/$target"/* "$corpus/" 2>/dev/null || true
    fi
    dict=""
    [ -f "$top/tests/fuzz/$target.dict" ] && dict="-dict=$top/tests/fuzz/$target.dict"
    echo "== $target: fuzzing for ${seconds}s"
    # shellcheck disable=SC2086 # $dict is empty or one option
    if ! ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
        "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$target-" $dict "$corpus" >"$work/$target.log" 2>&1; then
        tail -n 40 "$work/$target.log" >&2
        echo "fuzz.sh: $target found a failure; artifacts in $work/artifacts" >&2
        status=1
        continue
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
        "$work/$target.log" || true
done

if [ "$status" -eq 0 ]; then
    rm -rf "$work"
else
    echo "fuzz.sh: kept $work" >&2
fi
exit "$status"
