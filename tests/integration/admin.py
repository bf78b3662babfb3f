#!/usr/bin/python3
"""The admin socket and ternctl's admin commands against a running ternd.

  - status: version, workers, allocations, draining, config file;
  - sessions lists live allocations (user, client, relay, transport, age,
    bytes each way) over UDP and TCP, with static and REST users;
  - kill by user and by relayed address ends them: the client's Refresh
    then gets 437, sessions no longer lists them, the others live on;
  - malformed, oversized, unknown and idle requests get an error or are
    closed, and the server keeps answering;
  - ternctl's exit statuses: 0 done, 1 refused, 2 usage, 3 no ternd;
  - the socket is mode 0660; a missing directory only costs a warning; a
    stale socket file is replaced.
"""

import json
import os
import socket
import stat
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

TOOL_TIMEOUT_S = 15
SECRET = "admin-test-secret"


def ctl(*args):
    """ternctl with args: (status, stdout, stderr)."""
    return h.run_tool([h.ternctl_path()] + list(args), TOOL_TIMEOUT_S)


def ctl_json(sock, *args):
    """ternctl --json: (status, parsed answer or None, raw output)."""
    status, out, err = ctl(*(list(args) + ["-s", sock, "--json"]))
    try:
        return status, json.loads(out), out + err
    except ValueError:
        return status, None, out + err


def raw_request(path, data, timeout=8.0):
    """Sends data on the admin socket and reads to the end: (answer bytes, seconds)."""
    t0 = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(data)
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            got += chunk
    return got, time.monotonic() - t0


def fmt_addr(addr):
    ip, port = addr[0], addr[1]
    return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)


def find_session(answer, user):
    for s in (answer or {}).get("sessions", []):
        if s.get("user") == user:
            return s
    return None


def check_listing(t, d, clients, peer):
    """sessions lists each client with its user, client, relay and transport."""
    status, ans, raw = ctl_json(d.admin_socket, "sessions")
    t.eq(status, 0, "sessions --json: exit status 0", raw)
    t.eq(ans and ans.get("count"), len(clients), "sessions: %d allocations listed" % len(clients),
         raw)
    for label, user, c, transport in clients:
        s = find_session(ans, user)
        if not t.ok(s is not None, "sessions: %s (%s) is listed" % (label, user), raw):
            continue
        t.eq(s.get("client"), fmt_addr(c.local_address()), "sessions: %s's client address" % label)
        t.eq(s.get("relay"), fmt_addr(c.relayed), "sessions: %s's relayed address" % label)
        t.eq(s.get("transport"), transport, "sessions: %s's transport" % label)
        t.ok(isinstance(s.get("age_s"), int) and 0 <= s["age_s"] < 60,
             "sessions: %s's age is a small number of seconds" % label, repr(s))
    alice = find_session(ans, "alice")
    t.ok(alice is not None and alice.get("bytes_to_peer", 0) >= 100
         and alice.get("bytes_to_client", 0) >= 100,
         "sessions: alice's bytes each way count the 100-byte echo", repr(alice))
    status, out, err = ctl("sessions", "-s", d.admin_socket)
    lines = out.splitlines()
    t.ok(status == 0 and lines and lines[0].split()[:3] == ["USER", "CLIENT", "RELAY"]
         and any("alice" in l and fmt_addr(clients[0][2].relayed) in l for l in lines[1:]),
         "sessions (table): a header, and alice's row with her relayed address", out + err)


def check_status(t, d, allocations):
    status, ans, raw = ctl_json(d.admin_socket, "status")
    t.eq(status, 0, "status --json: exit status 0", raw)
    ans = ans or {}
    t.eq((ans.get("ok"), ans.get("workers"), ans.get("allocations"), ans.get("draining")),
         (True, 2, allocations, False),
         "status: ok, 2 workers, %d allocations, not draining" % allocations, raw)
    t.eq(ans.get("config"), d.config_path, "status: names the configuration file", raw)
    t.eq(ans.get("pid"), d.proc.pid, "status: names the process", raw)
    t.ok(isinstance(ans.get("version"), str) and ans.get("uptime_s", -1) >= 0,
         "status: version and uptime", raw)
    status, out, err = ctl("status", "-s", d.admin_socket)
    t.ok(status == 0 and any(l.split() == ["allocations", str(allocations)]
                             for l in out.splitlines()),
         "status (table): an 'allocations %d' line" % allocations, out + err)


def check_kills(t, d, a, b, c, carol):
    sock = d.admin_socket
    status, out, err = ctl("kill", "alice", "-s", sock)
    t.ok(status == 0 and "ended 1" in out, "kill alice: exit status 0, 1 allocation ended",
         out + err)
    t.eq(a.refresh().code(), 437, "after kill alice: her Refresh gets 437")
    status, ans, raw = ctl_json(sock, "kill", fmt_addr(c.relayed))
    t.ok(status == 0 and ans and ans.get("ended") == 1,
         "kill <carol's relayed address>: 1 allocation ended", raw)
    t.eq(c.refresh().code(), 437, "after kill by relay: carol's Refresh gets 437")
    status, ans, raw = ctl_json(sock, "sessions")
    users = sorted(s.get("user") for s in (ans or {}).get("sessions", []))
    t.eq(users, ["bob"], "sessions after both kills: only bob is left", raw)
    t.eq(b.refresh().code(), 0, "bob's Refresh still succeeds")
    status, out, err = ctl("kill", "bob", "-s", sock)
    t.eq(status, 0, "kill bob (TCP): exit status 0", out + err)
    t.eq(b.refresh().code(), 437, "after kill bob: his Refresh gets 437")
    status, out, err = ctl("kill", "nobody-here", "-s", sock)
    t.ok(status == 1 and "no allocation" in err, "kill of an unknown user: exit status 1",
         "%r %s" % (status, out + err))
    status, out, err = ctl("kill", "127.0.0.1:1", "-s", sock)
    t.eq(status, 1, "kill of an unknown relayed address: exit status 1", out + err)
    log = d.wait_line("kill user alice", 2.0)
    t.ok(log is not None and "1 allocation" in log, "the kill is logged", d.log_tail())


def group_sessions_and_kill(t):
    window = h.pick_relay_window(size=20)
    conf = h.turn_config(window, users=[("alice", "pw-a"), ("bob", "pw-b")], secrets=[SECRET])
    with h.Ternd(t, config=conf, args=["-t", "2"], avoid_ports=window) as d:
        server = (h.LOOPBACK4, d.port)
        mode = os.stat(d.admin_socket).st_mode
        t.ok(stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o660,
             "the admin socket is a socket of mode 0660", oct(mode))
        carol = h.rest_username("carol")
        with h.TurnClient(server, "udp", "alice", "pw-a") as a, \
                h.TurnClient(server, "tcp", "bob", "pw-b") as b, \
                h.TurnClient(server, "udp", carol, h.rest_password(SECRET, carol)) as c, \
                h.UdpPeer(avoid=window) as peer:
            for label, cl in (("alice", a), ("bob", b), ("carol", c)):
                t.eq(cl.allocate().code(), 0, "%s allocates" % label)
            a.create_permission(peer.address)
            a.send_indication(peer.address, b"x" * 100)
            ev = a.receive(2.0)
            t.ok(ev is not None and ev.data == b"x" * 100, "alice relays 100 bytes to an echo "
                 "peer and back", repr(ev))
            clients = [("alice", "alice", a, "udp"), ("bob", "bob", b, "tcp"),
                       ("carol", carol, c, "udp")]
            check_listing(t, d, clients, peer)
            check_status(t, d, 3)
            check_kills(t, d, a, b, c, carol)
            check_status(t, d, 0)


def check_flood(t, sock):
    """20 idle connections: 16 are held, the others closed at once; once the
    idle ones go, the socket answers again."""
    conns = []
    for _ in range(20):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(sock)
        conns.append(c)
    # Well within the server's 5 s timeout of an idle client: only the refused ones are closed.
    time.sleep(0.5)
    closed = 0
    for c in conns:
        c.setblocking(False)
        try:
            closed += c.recv(10) == b""
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed += 1
    t.eq(closed, 4, "20 idle connections: the 4 beyond the 16 served are closed at once")
    for c in conns:
        c.close()
    time.sleep(0.3)
    status, out, err = ctl("status", "-s", sock)
    t.eq(status, 0, "once they are gone, status answers again", out + err)


def group_bad_requests(t):
    with h.Ternd(t, args=["-t", "1"], name="ternd for bad requests") as d:
        sock = d.admin_socket
        for label, data, needle in (
                ("an oversized request (2000 bytes)", b"s" * 2000, "too long"),
                ("an oversized line (600 bytes and a newline)", b"k" * 600 + b"\n", "too long"),
                ("control bytes", b"sta\x01tus\n", "malformed"),
                ("an unknown command", b"frobnicate\n", "unknown command"),
                ("an empty line", b"\n", "empty"),
                ("kill without a target", b"kill\n", "usage"),
                ("too many words", b"kill a b c d e\n", "malformed")):
            got, _ = raw_request(sock, data)
            try:
                ans = json.loads(got)
            except ValueError:
                ans = None
            t.ok(ans is not None and ans.get("ok") is False and needle in ans.get("error", ""),
                 "%s: a JSON error answer mentioning '%s'" % (label, needle), repr(got[:200]))
        got, _ = raw_request(sock, b"status\r\n")
        t.ok(b'"ok": true' in got, "a request ending in CRLF is answered", repr(got[:200]))
        idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        idle.connect(sock)
        idle.sendall(b"stat")
        t0 = time.monotonic()
        status, out, err = ctl("status", "-s", sock)
        took = time.monotonic() - t0
        t.ok(status == 0 and took < 3.0, "with an idle half-sent request open, status answers "
             "at once (%.2f s)" % took, out + err)
        idle.settimeout(10.0)
        t0 = time.monotonic()
        try:
            rest = idle.recv(100)
        except (socket.timeout, ConnectionResetError):
            rest = None
        took = time.monotonic() - t0
        idle.close()
        t.ok(rest == b"" and took < 9.0, "the idle client is closed by the server (after %.1f s)"
             % took, repr(rest))
        check_flood(t, sock)
        t.ok(d.alive(), "ternd still runs after the bad requests")
        c = h.udp_socket(h.LOOPBACK4)
        req, txid = h.binding_request()
        res = h.udp_transaction(c, (h.LOOPBACK4, d.port), req, txid)
        c.close()
        t.ok(res.msg is not None and res.msg.is_success(), "and still answers STUN")


def group_exit_statuses(t, tmp):
    missing = os.path.join(tmp, "no-such.sock")
    for label, args, want in (
            ("status on a missing socket", ["status", "-s", missing], 3),
            ("kill without an argument", ["kill", "-s", missing], 2),
            ("status with an argument", ["status", "extra", "-s", missing], 2),
            ("an unknown option", ["sessions", "--frobnicate"], 2)):
        status, out, err = ctl(*args)
        t.eq(status, want, "ternctl %s: exit status %d" % (label, want), out + err)
        t.ok(err.strip() != "", "ternctl %s: says why on stderr" % label)
    # Something that is not ternd on the socket.
    path = os.path.join(tmp, "not-ternd.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(path)
        srv.listen(1)
        def answer():
            conn, _ = srv.accept()
            conn.recv(100)
            conn.sendall(b"hello, I am not ternd\n")
            conn.close()
        th = threading.Thread(target=answer, daemon=True)
        th.start()
        status, out, err = ctl("status", "-s", path)
        th.join(5)
    t.eq(status, 3, "ternctl status against a socket that is not ternd's: exit status 3",
         out + err)


def group_reload_drain(t):
    with h.Ternd(t, args=["-t", "1"], name="ternd for reload and drain") as d:
        status, ans, raw = ctl_json(d.admin_socket, "reload")
        t.ok(ans is not None and isinstance(ans.get("ok"), bool)
             and (status == 0) == ans.get("ok"),
             "reload: an answer, and exit status 0 exactly when it says ok", raw)
        status, out, err = ctl("reload", "-s", d.admin_socket)
        t.ok(status in (0, 1) and (out + err).strip(), "reload (text): a message", out + err)
        status, ans, raw = ctl_json(d.admin_socket, "drain")
        t.ok(ans is not None and ans.get("ok") is True
             and (status == 0) == (ans.get("draining") is True),
             "drain: ok, and exit status 0 exactly when draining", raw)


def group_socket_files(t, tmp):
    bad = os.path.join(tmp, "missing-dir", "ternd.sock")
    with h.Ternd(t, admin_socket=bad, name="ternd with an admin socket in a missing dir") as d:
        t.ok(d.wait_line("admin socket:", 2.0) is not None,
             "a missing directory: ternd warns and runs", d.log_tail())
    stale = os.path.join(tmp, "stale.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(stale)
    s.close()
    with h.Ternd(t, admin_socket=stale, name="ternd over a stale socket file") as d:
        status, out, err = ctl("status", "-s", stale)
        t.eq(status, 0, "a stale socket file is replaced: status answers", out + err)
        with h.Ternd(t, admin_socket=stale, name="a second ternd on the same socket") as d2:
            t.ok(d2.wait_line("another process serves", 2.0) is not None,
                 "a live socket is left alone: the second ternd warns", d2.log_tail())
        status, out, err = ctl("status", "-s", stale)
        t.ok(status == 0 and any(l.split() == ["pid", str(d.proc.pid)] for l in out.splitlines()),
             "the first ternd still owns the socket", out + err)


def main():
    t = h.Tap(timeout_s=100)
    if not os.access(h.ternctl_path(), os.X_OK):
        t.ok(False, "ternctl found", "no executable at %s (set TERNCTL)" % h.ternctl_path())
        t.finish()
    with tempfile.TemporaryDirectory(prefix="tern-admin-") as tmp:
        t.run("sessions and kill", group_sessions_and_kill, t)
        t.run("bad requests", group_bad_requests, t)
        t.run("exit statuses", group_exit_statuses, t, tmp)
        t.run("reload and drain", group_reload_drain, t)
        t.run("socket files", group_socket_files, t, tmp)
    t.finish()


if __name__ == "__main__":
    main()
