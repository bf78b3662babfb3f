#!/usr/bin/python3
"""Clean shutdown: SIGTERM and SIGINT stop ternd with exit status 0 within
5 s, with one worker and with several, idle or with a client connected, and
the log records the shutdown (a line containing "stopped")."""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

STOP_LIMIT_S = 5.0


def answers(host, port):
    with h.udp_socket(host) as s:
        req, txid = h.binding_request()
        res = h.udp_transaction(s, (host, port), req, txid, timeout=2.0)
        return res.msg is not None and res.msg.is_success()


def group_stop(t, sig, args=(), label=None, hold_tcp=False):
    label = label or signal.Signals(sig).name
    d = h.Ternd(t, args=args, name="ternd %s" % label, stop_timeout=STOP_LIMIT_S)
    with d:
        t.ok(answers(h.LOOPBACK4, d.port), "%s: answers a Binding request before the signal"
             % label, d.log_tail())
        conn = h.tcp_connect(h.LOOPBACK4, d.port) if hold_tcp else None
        try:
            status = d.stop(sig, STOP_LIMIT_S)
        finally:
            if conn is not None:
                conn.close()
        t.ok(not d.killed, "%s: exits within %.0f s (took %.2f s)"
             % (label, STOP_LIMIT_S, d.stop_seconds), d.log_tail())
        t.eq(status, 0, "%s: exit status 0" % label, d.log_tail())
        stopped = [l for l in d.log_lines() if "stopped" in l]
        t.ok(stopped, "%s: the log has a shutdown line containing 'stopped'" % label,
             d.log_tail())
        t.ok(not d.alive(), "%s: process is gone" % label)
    # Leaving the block reports the exit status and sanitizer output again
    # (under the name "ternd <label>"), with the stop already done.


def main():
    t = h.Tap(timeout_s=55)
    cases = [
        (signal.SIGTERM, (), "SIGTERM", False),
        (signal.SIGINT, (), "SIGINT", False),
        (signal.SIGTERM, ("-t", "4"), "SIGTERM -t 4", False),
        (signal.SIGINT, ("-t", "4"), "SIGINT -t 4", False),
        (signal.SIGTERM, ("-t", "2"), "SIGTERM with a TCP client connected", True),
    ]
    for sig, args, label, hold in cases:
        try:
            t.run(label, group_stop, t, sig, args, label, hold)
        except h.TerndStartError:
            pass
    t.finish()


if __name__ == "__main__":
    main()
