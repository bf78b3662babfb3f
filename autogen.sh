#!/bin/sh
# Generates configure and Makefile.in from a git checkout (tarballs ship them).
set -e
cd "$(dirname "$0")"
autoreconf -fi
# automake ships the TAP driver but does not install it by itself.
for d in /usr/share/automake-*; do
    if [ -f "$d/tap-driver.sh" ]; then
        cp "$d/tap-driver.sh" build-aux/tap-driver.sh
        break
    fi
done
test -f build-aux/tap-driver.sh || { echo "autogen.sh: tap-driver.sh not found: apt-get install automake" >&2; exit 1; }
