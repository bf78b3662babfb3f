#!/usr/bin/python3
"""ternd speaks the service manager's readiness protocol (systemd Type=notify).

With $NOTIFY_SOCKET set, ternd sends "READY=1" once every socket is open
and "STOPPING=1" when asked to stop; without it, nothing. The test plays
the service manager with a datagram socket of its own.
"""

import os
import signal
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402


def receive(sock, timeout):
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode("ascii", "replace")
    except socket.timeout:
        return None


def main():
    t = h.Tap()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "notify.sock")
        manager = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        manager.bind(path)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        with h.Ternd(t, env=env) as d:
            msg = receive(manager, 5.0)
            t.eq(msg, "READY=1", "READY=1 arrives once ternd is ready")
            t.ok(d.find_line("server: ready:") is not None, "after the ready line was logged")
            d.send(signal.SIGTERM)
            msg = receive(manager, 5.0)
            t.eq(msg, "STOPPING=1", "STOPPING=1 arrives on SIGTERM")
        manager.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
