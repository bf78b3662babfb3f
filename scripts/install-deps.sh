#!/bin/sh
# Installs what Tern needs to build and test on Debian 12. Run as root.
# Usage: scripts/install-deps.sh [--build-only]
# Without --build-only it also installs the browser test's npm packages
# (playwright-core, pinned by tests/browser/package-lock.json) with npm ci
# into tests/browser/node_modules; that step needs no root.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build="build-essential autoconf automake libtool pkg-config
    libevent-dev libssl-dev libhiredis-dev libconfig-dev libmicrohttpd-dev"
test_tools="clang libclang-rt-14-dev clang-format clang-tidy cppcheck python3 coturn
    python3-aioice iproute2 procps prometheus openssl chromium redis-server"
packages=$build
[ "${1:-}" = "--build-only" ] || packages="$packages $test_tools"
# Node.js and npm drive chromium in tests/integration/browser.py. A machine may
# already have them from elsewhere than Debian; Debian's are taken only when
# there are none.
if [ "${1:-}" != "--build-only" ] && ! command -v npm >/dev/null 2>&1; then
    packages="$packages nodejs npm"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps.sh: missing packages:$missing; run as root or apt-get install them" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # coturn's package would start a service where init is systemd; tests never use its port.
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
[ "${1:-}" != "--build-only" ] || exit 0

# playwright-core for the browser test: npm ci when node_modules does not
# hold the locked version (never `npx playwright install`: the browser is
# Debian's chromium).
browser=$top/tests/browser
want=$(sed -n '/"node_modules\/playwright-core"/,/}/s/.*"version": *"\([^"]*\)".*/\1/p' \
    "$browser/package-lock.json")
have=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' \
    "$browser/node_modules/playwright-core/package.json" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error) ||
        { echo "install-deps.sh: npm ci in tests/browser failed" >&2; exit 1; }
fi
