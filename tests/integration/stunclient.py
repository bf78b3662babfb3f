#!/usr/bin/python3
"""Interop: coturn's turnutils_stunclient against ternd (UDP Binding).

turnutils_stunclient 4.6.1 sends one plain Binding request and prints
"UDP reflexive addr: IP:PORT" per answer; it waits forever when nothing
answers, so each run is bounded by a timeout. The port it reports is its own
ephemeral one, unknown to us: we check that a valid port is reported.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

STUNCLIENT = "/usr/bin/turnutils_stunclient"
REFLEXIVE = re.compile(r"reflexive addr:\s*(\S+):(\d+)")
TOOL_TIMEOUT_S = 10


def run_stunclient(args):
    """Returns (exit status or None on timeout, combined output)."""
    return h.run_client([STUNCLIENT] + args, TOOL_TIMEOUT_S)


def group_stunclient(t, label, args):
    status, out = run_stunclient(args)
    diag = "command: %s %s\noutput:\n%s" % (STUNCLIENT, " ".join(args), out)
    t.eq(status, 0, "%s: turnutils_stunclient exits 0 within %d s" % (label, TOOL_TIMEOUT_S),
         diag)
    found = REFLEXIVE.findall(out)
    if not t.ok(found, "%s: reports a reflexive address" % label, diag):
        return
    ip, port = found[0]
    t.eq(ip, h.LOOPBACK4, "%s: reflexive address is 127.0.0.1" % label, diag)
    t.ok(1 <= int(port) <= 65535, "%s: reflexive port %s is a valid port" % (label, port), diag)
    t.ok(all(f == found[0] for f in found),
         "%s: every reported reflexive address is the same" % label, diag)


def main():
    t = h.Tap(timeout_s=55)
    if not os.access(STUNCLIENT, os.X_OK):
        t.skip("turnutils_stunclient interop", "%s missing (Debian package coturn)"
               % STUNCLIENT)
        t.finish()
    try:
        with h.Ternd(t, listen=[h.LOOPBACK4]) as d:
            port = str(d.port)
            t.run("plain", group_stunclient, t, "stunclient",
                  ["-p", port, h.LOOPBACK4])
            t.run("-L", group_stunclient, t, "stunclient -L 127.0.0.1",
                  ["-p", port, "-L", h.LOOPBACK4, h.LOOPBACK4])
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
