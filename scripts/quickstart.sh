#!/bin/sh
# The first README command: installs the dependencies, builds, and runs ternd in the foreground
# on the embedded default (etc/tern.conf; no Redis). Extra arguments go to ternd, e.g.
#   scripts/quickstart.sh -p 3479
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh --build-only
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --quiet ternd
echo "quickstart: starting ternd (Ctrl-C stops it)" >&2
# ternd refuses to relay as root unless told: a trial run as root (a container) is told here. A
# production server sets server.user instead (ternd(8), "Privileges").
if [ "$(id -u)" = 0 ]; then
    echo "quickstart: running as root: passing --allow-root (set server.user in production)" >&2
    set -- --allow-root "$@"
fi
exec ./ternd -c ../etc/tern.conf "$@"
