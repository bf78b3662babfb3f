#!/usr/bin/python3
"""Reload (SIGHUP) of a live ternd: what changes, what survives, what is refused.

One ternd with a configuration file that the test rewrites six times, with a
SIGHUP after each, while a UDP allocation keeps relaying ChannelData to an
echo peer on 127.0.0.1 (a batch sent right after each signal, another after
the reload is logged; every datagram must come back):

  1  a second secret (B) added: credentials of A and B both allocate
  2  secret A removed: A's credentials are refused (401), B's still work;
     the allocation made with A keeps relaying (data needs no credential)
  3  max_allocations_per_user = 1: a second allocation of one user is 486
  4  peers.allow narrowed to 127.0.0.2/32: a permission for 127.0.0.1 is now
     403, the existing one keeps relaying
  5  a broken file: the running configuration stays in force (the error
     names file:line; B still allocates)
  6  a changed server.threads is reported as needing a restart, not applied,
     and the reload goes on

TLS certificates swapped by SIGHUP are tested with the TLS transport.
Relay ports come from a random window in 20000-32000; only loopback is used.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

REALM = "tern-reload"
SECRET_A = "secret-a-0123456789"
SECRET_B = "secret-b-9876543210"
CHANNEL = 0x4000
BATCH = 40


def config(window, secrets, turn=None, allow=("127.0.0.0/8",), server=None):
    return h.turn_config(window=window, secrets=secrets, realm=REALM, allow=allow,
                         turn=turn or {}, server=server)


def rest_client(d, user, secret):
    name = h.rest_username(user, 3600)
    return h.TurnClient((h.LOOPBACK4, d.port), "udp", name, h.rest_password(secret, name))


def count_lines(d, needle):
    return sum(1 for line in d.log_lines() if needle in line)


def wait_count(d, needle, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while count_lines(d, needle) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return count_lines(d, needle)


def relay_batch(t, c, peer, label, tag):
    """BATCH ChannelData datagrams out and back; True when all returned."""
    msgs = [("%s-%d" % (tag, i)).encode() * 4 for i in range(BATCH)]
    for m in msgs:
        c.send_channel_data(CHANNEL, m)
    got = [e.data for e in c.receive_n(BATCH, 3.0)]
    t.eq(sorted(got), sorted(msgs), "%s: all %d ChannelData datagrams relayed both ways"
         % (label, BATCH), "got %d" % len(got))


def reload(t, d, text, n, label):
    """Writes text, sends SIGHUP; returns once the nth reload is logged."""
    with open(d.config_path, "w") as f:
        f.write(text)
    d.send(signal.SIGHUP)


def main():
    t = h.Tap(timeout_s=90)
    window = h.pick_relay_window()
    with h.UdpPeer(avoid=window) as peer, \
            h.Ternd(t, config=config(window, [SECRET_A]), avoid_ports=window) as d:
        first = rest_client(d, "anna", SECRET_A)
        res = first.allocate()
        t.ok(res.ok(), "before: an allocation with secret A", res.describe())
        t.ok(first.channel_bind(CHANNEL, peer.address).ok(), "before: a channel to the peer")
        relay_batch(t, first, peer, "before", "b")

        def step(n, text, label):
            reload(t, d, text, n, label)
            relay_batch(t, first, peer, "reload %d (%s) while it is applied" % (n, label),
                        "r%d" % n)
            seen = wait_count(d, "reload", n)
            t.ok(seen >= n, "reload %d (%s): logged" % (n, label), d.log_tail(10))
            relay_batch(t, first, peer, "reload %d (%s) after it" % (n, label), "a%d" % n)

        # 1: a second secret.
        step(1, config(window, [SECRET_B, SECRET_A]), "secret B added")
        t.ok(wait_count(d, "reloaded:", 1) >= 1, "reload 1: summary logged", d.log_tail(10))
        with rest_client(d, "bert", SECRET_B) as c:
            t.ok(c.allocate().ok(), "reload 1: secret B's credentials allocate")
            c.refresh(0)
        with rest_client(d, "cora", SECRET_A) as c:
            t.ok(c.allocate().ok(), "reload 1: secret A's still do")
            c.refresh(0)
        t.ok(first.refresh(600).ok(), "reload 1: the first allocation refreshes")

        # 2: secret A removed.
        step(2, config(window, [SECRET_B]), "secret A removed")
        t.ok(wait_count(d, "reloaded:", 2) >= 2, "reload 2: summary logged", d.log_tail(10))
        with rest_client(d, "dora", SECRET_A) as c:
            res = c.allocate()
            t.eq(res.code(), 401, "reload 2: secret A's credentials are refused", res.describe())
        with rest_client(d, "emil", SECRET_B) as c:
            t.ok(c.allocate().ok(), "reload 2: secret B's still allocate")
            c.refresh(0)
        t.eq(first.refresh(600).code(), 401,
             "reload 2: the allocation made with A cannot refresh with A any more")

        # 3: a per-user quota.
        step(3, config(window, [SECRET_B], turn={"max_allocations_per_user": 1}),
             "per-user quota 1")
        t.ok(wait_count(d, "reloaded:", 3) >= 3, "reload 3: summary logged", d.log_tail(10))
        name = h.rest_username("fred", 3600)
        pw = h.rest_password(SECRET_B, name)
        with h.TurnClient((h.LOOPBACK4, d.port), "udp", name, pw) as c1, \
                h.TurnClient((h.LOOPBACK4, d.port), "udp", name, pw) as c2:
            t.ok(c1.allocate().ok(), "reload 3: one allocation of fred")
            res = c2.allocate()
            t.eq(res.code(), 486, "reload 3: a second one is over the new quota (486)",
                 res.describe())
            c1.refresh(0)

        # 4: peers narrowed.
        step(4, config(window, [SECRET_B], turn={"max_allocations_per_user": 1},
                       allow=("127.0.0.2/32",)), "peers narrowed")
        t.ok(wait_count(d, "reloaded:", 4) >= 4, "reload 4: summary logged", d.log_tail(10))
        with rest_client(d, "gina", SECRET_B) as c:
            t.ok(c.allocate().ok(), "reload 4: an allocation")
            res = c.create_permission(peer.address)
            t.eq(res.code(), 403, "reload 4: a permission for 127.0.0.1 is now 403",
                 res.describe())
            c.refresh(0)

        # 5: a broken file, then a restart-only change.
        good = config(window, [SECRET_B], turn={"max_allocations_per_user": 1},
                      allow=("127.0.0.2/32",))
        reload(t, d, good + "turn = {\n  lifetime_max_s = ;\n};\n", 5, "broken")
        relay_batch(t, first, peer, "reload 5 (broken) while it is refused", "r5")
        line = d.wait_line("reload failed", 5.0)
        t.ok(line is not None and (d.config_path + ":") in line,
             "reload 5: a broken file is refused with file:line", d.log_tail(10))
        with rest_client(d, "hans", SECRET_B) as c:
            t.ok(c.allocate().ok(), "reload 5: the running configuration stays in force")
            c.refresh(0)
        restart = config(window, [SECRET_B], turn={"max_allocations_per_user": 1},
                         allow=("127.0.0.2/32",), server={"threads": 3})
        reload(t, d, restart, 6, "threads changed")
        line = d.wait_line("server.threads changed: needs a restart", 5.0)
        t.ok(line is not None, "reload 6: a changed server.threads is reported as needing a "
             "restart", d.log_tail(10))
        t.ok(wait_count(d, "reloaded:", 5) >= 5, "reload 6: and the rest is applied",
             d.log_tail(10))
        relay_batch(t, first, peer, "after every reload", "z")
        with rest_client(d, "ivan", SECRET_B) as c:
            t.ok(c.allocate().ok(), "reload 6: still serving")
            c.refresh(0)
        first.close()
    t.finish()


if __name__ == "__main__":
    main()
