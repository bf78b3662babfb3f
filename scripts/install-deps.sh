#!/bin/sh
# Installs what Tern needs to build and test on Debian 12. Run as root.
# Usage: scripts/install-deps.sh [--build-only]
set -e
build="build-essential autoconf automake libtool pkg-config
    libevent-dev libssl-dev libhiredis-dev libconfig-dev libmicrohttpd-dev"
test_tools="clang libclang-rt-14-dev clang-format clang-tidy cppcheck python3 coturn
    python3-aioice iproute2 procps prometheus openssl"
packages=$build
[ "${1:-}" = "--build-only" ] || packages="$packages $test_tools"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: missing packages:$missing; run as root or apt-get install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# coturn's package would start a service where init is systemd; tests never use its port.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
