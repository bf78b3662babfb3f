#!/usr/bin/python3
"""Drain: a ternd taken out of service without cutting a call.

  usr1       SIGUSR1 with one allocation live: /ready turns 503, a new
             Allocate is 508, the live allocation refreshes and keeps
             relaying; when its client deletes it, ternd exits by itself
             with status 0 and its usage record is written
  alternate  turn.alternate_servers set: a new Allocate during the drain is
             300 Try Alternate with the IPv4 alternate in ALTERNATE-SERVER,
             integrity-protected (RFC 8489 section 10)
  deadline   server.drain_timeout_s = 1: an allocation that never ends is
             ended by the deadline (usage reason "shutdown"), exit status 0
  sigterm    SIGTERM with server.stop_timeout_s = 2 drains first (relaying
             goes on meanwhile) and exits once the deadline passes; a second
             SIGTERM stops at once

Every packet goes to 127.0.0.1; relay ports in a random window in 20000-32000.
"""

import json
import os
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

USER = ("drainer", "drain-pass")
CHANNEL = 0x4001
ATTR_ALTERNATE_SERVER = 0x8023


def ready_status(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/ready" % port, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_ready_status(port, want, timeout=3.0):
    deadline = time.monotonic() + timeout
    got = ready_status(port)
    while got != want and time.monotonic() < deadline:
        time.sleep(0.05)
        got = ready_status(port)
    return got


def wait_exit(d, timeout):
    try:
        d.proc.wait(timeout)
        return True
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
        return False


def client(d):
    return h.TurnClient((h.LOOPBACK4, d.port), "udp", USER[0], USER[1])


def relays(t, c, peer, label, n=20):
    msgs = [b"%s-%d" % (label.encode(), i) for i in range(n)]
    for m in msgs:
        c.send_channel_data(CHANNEL, m)
    got = [e.data for e in c.receive_n(n, 3.0)]
    t.eq(sorted(got), sorted(msgs), "%s: %d datagrams relayed both ways" % (label, n),
         "got %d" % len(got))


def usage_records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def config(window, tmp, server=None, turn=None):
    text = h.turn_config(window=window, users=[USER], server=server, turn=turn)
    return text + 'usage = {\n    file = "%s";\n};\n' % os.path.join(tmp, "usage.jsonl")


def test_usr1(t, window, peer, tmp):
    usage = os.path.join(tmp, "usage.jsonl")
    with h.Ternd(t, config=config(window, tmp), avoid_ports=window, http_port="auto",
                 name="usr1") as d:
        c = client(d)
        t.ok(c.allocate().ok() and c.channel_bind(CHANNEL, peer.address).ok(),
             "usr1: an allocation with a channel")
        t.eq(ready_status(d.http_port), 200, "usr1: /ready is 200 before the drain")
        d.send(signal.SIGUSR1)
        t.eq(wait_ready_status(d.http_port, 503), 503, "usr1: /ready turns 503")
        with client(d) as other:
            res = other.allocate()
            t.eq(res.code(), 508, "usr1: a new Allocate is 508 (RFC 8656)", res.describe())
        t.ok(c.refresh(600).ok(), "usr1: the live allocation refreshes")
        relays(t, c, peer, "usr1 while draining")
        t.ok(d.alive(), "usr1: still running while an allocation lives")
        t.ok(c.refresh(0).ok(), "usr1: the client deletes its allocation")
        t.ok(wait_exit(d, 3.0), "usr1: ternd exits by itself once none is left",
             d.log_tail(10))
        c.close()
    t.ok(d.find_line("drained") is not None, "usr1: logged why it stopped", d.log_tail(5))
    reasons = [r.get("reason") for r in usage_records(usage)]
    t.eq(reasons, ["deleted"], "usr1: the usage record of the allocation was written")


def test_alternate(t, window, peer, tmp):
    alt_port = h.free_port(avoid=set(window))
    turn = {"alternate_servers": ["[::1]:%d" % alt_port, "127.0.0.1:%d" % alt_port]}
    with h.Ternd(t, config=config(window, tmp, turn=turn), avoid_ports=window,
                 name="alternate") as d:
        c = client(d)
        t.ok(c.allocate().ok(), "alternate: an allocation before the drain")
        d.send(signal.SIGUSR1)
        t.ok(d.wait_line("draining", 3.0) is not None, "alternate: the drain is logged")
        with client(d) as other:
            res = other.allocate()
            t.eq(res.code(), 300, "alternate: a new Allocate is 300 Try Alternate",
                 res.describe())
            value = res.msg.attr(ATTR_ALTERNATE_SERVER) if res.msg else None
            where = h.decode_address(value, res.msg.txid, False) if value else None
            t.eq(tuple(where) if where else None, (h.LOOPBACK4, alt_port),
                 "alternate: ALTERNATE-SERVER is the IPv4 alternate")
            t.eq(res.integrity, True, "alternate: the 300 is integrity-protected")
        c.refresh(0)
        c.close()
        t.ok(wait_exit(d, 3.0), "alternate: exits once the allocation is deleted")


def test_deadline(t, window, peer, tmp):
    usage = os.path.join(tmp, "usage.jsonl")
    if os.path.exists(usage):
        os.unlink(usage)
    with h.Ternd(t, config=config(window, tmp, server={"drain_timeout_s": 1}),
                 avoid_ports=window, name="deadline") as d:
        c = client(d)
        t.ok(c.allocate().ok(), "deadline: an allocation that will not end")
        t0 = time.monotonic()
        d.send(signal.SIGUSR1)
        t.ok(wait_exit(d, 4.0), "deadline: ternd exits at the drain deadline", d.log_tail(10))
        took = time.monotonic() - t0
        t.ok(0.8 <= took <= 3.5, "deadline: after about 1 s (%.2f s)" % took)
        c.close()
    t.ok(d.find_line("drain deadline reached") is not None, "deadline: logged", d.log_tail(5))
    reasons = [r.get("reason") for r in usage_records(usage)]
    t.eq(reasons, ["shutdown"], "deadline: the ended allocation's usage record was written")


def test_sigterm(t, window, peer, tmp):
    with h.Ternd(t, config=config(window, tmp, server={"stop_timeout_s": 2}),
                 avoid_ports=window, name="sigterm") as d:
        c = client(d)
        t.ok(c.allocate().ok() and c.channel_bind(CHANNEL, peer.address).ok(),
             "sigterm: an allocation with a channel")
        t0 = time.monotonic()
        d.send(signal.SIGTERM)
        relays(t, c, peer, "sigterm: while the stop drains")
        t.ok(wait_exit(d, 5.0), "sigterm: exits after the stop deadline", d.log_tail(10))
        took = time.monotonic() - t0
        t.ok(1.5 <= took <= 4.5, "sigterm: after about 2 s (%.2f s)" % took)
        c.close()
    with h.Ternd(t, config=config(window, tmp, server={"stop_timeout_s": 30}),
                 avoid_ports=window, name="sigterm2") as d:
        c = client(d)
        t.ok(c.allocate().ok(), "sigterm2: an allocation")
        d.send(signal.SIGTERM)
        t.ok(d.wait_line("draining", 3.0) is not None, "sigterm2: the first SIGTERM drains")
        t0 = time.monotonic()
        d.send(signal.SIGTERM)
        t.ok(wait_exit(d, 3.0), "sigterm2: a second SIGTERM stops at once", d.log_tail(10))
        t.ok(time.monotonic() - t0 < 2.0, "sigterm2: within 2 s")
        c.close()


def main():
    t = h.Tap(timeout_s=90)
    window = h.pick_relay_window()
    with h.UdpPeer(avoid=window) as peer:
        with tempfile.TemporaryDirectory(prefix="tern-drain-") as tmp:
            test_usr1(t, window, peer, tmp)
            test_alternate(t, window, peer, tmp)
            test_deadline(t, window, peer, tmp)
            test_sigterm(t, window, peer, tmp)
    t.finish()


if __name__ == "__main__":
    main()
