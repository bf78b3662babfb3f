#!/usr/bin/python3
"""Two ternd nodes sharing one Redis, as in the README's fleet example.

  - a secret added once works on both nodes; a credential minted by node A's
    API allocates on node B;
  - a revocation ends the user's live allocations on both nodes within a
    second and refuses new ones on both;
  - each node's usage records carry its own node id, and every record is in
    the stream once.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis_harness as rh  # noqa: E402
import tern_harness as h  # noqa: E402

API_KEY = "fleet-api-key"


def ternctl(server, *args):
    return h.run_tool([h.ternctl_path()] + list(args) + ["--redis-socket", server.socket])


def rest_client(d, secret, user):
    name = h.rest_username(user)
    return h.TurnClient(("127.0.0.1", d.port), "udp", name, h.rest_password(secret, name))


def allocates(d, secret, user):
    with rest_client(d, secret, user) as c:
        return c.allocate().ok()


def relay_stops(c, start, limit=2.0):
    """Sends ChannelData on channel 0x4004 until limit s after start; returns the time of the
    last echo (None when none came)."""
    last = None
    while time.monotonic() - start < limit:
        c.send_channel_data(0x4004, b"ping")
        if c.receive(0.03) is not None:
            last = time.monotonic() - start
    return last


def check_fleet(t, a, b, redis, peer):
    rc = ternctl(redis, "secret", "add", "fleet-secret")[0]
    t.eq(rc, 0, "ternctl secret add")
    t.ok(rh.wait_for(lambda: allocates(a, "fleet-secret", "x"), timeout=3), "node A takes it")
    t.ok(rh.wait_for(lambda: allocates(b, "fleet-secret", "x"), timeout=3), "node B takes it")
    status, body = rh.http_post(a.http_port, "/v1/credentials?user=zoe", API_KEY)
    cred = json.loads(body) if status == 200 else {}
    with h.TurnClient(("127.0.0.1", b.port), "udp", cred.get("username"),
                      cred.get("password")) as c:
        t.ok(status == 200 and c.allocate().ok(),
             "a credential from node A's API allocates on node B")
    clients = []
    for d in (a, b):
        c = rest_client(d, "fleet-secret", "mallory")
        ok = c.allocate().ok() and c.channel_bind(0x4004, peer.address).ok()
        c.send_channel_data(0x4004, b"hello")
        t.ok(ok and c.receive(1.0) is not None, "mallory relays through node %s" % d.name)
        clients.append(c)
    start = time.monotonic()
    t.eq(ternctl(redis, "revoke", "mallory")[0], 0, "ternctl revoke mallory")
    for d, c in zip((a, b), clients):
        last = relay_stops(c, start)
        t.ok(last is None or last < 1.0, "node %s ends mallory's relay within 1 s (%s)" % (
            d.name, "last echo %.3f s" % last if last is not None else "no echo"))
        c.close()
        t.ok(not allocates(d, "fleet-secret", "mallory"), "node %s refuses mallory" % d.name)
    recs = rh.wait_for(lambda: [r for r in rh.stream_records(redis)
                                if r.get("username", "").endswith(":mallory")
                                and r.get("reason") == "revoked"], timeout=3) or []
    nodes = sorted(r.get("id", "").split("-")[0] for r in recs)
    t.eq(nodes, ["fleeta", "fleetb"], "one revoked record from each node")
    ids = [r.get("id") for r in rh.stream_records(redis)]
    t.eq(len(ids), len(set(ids)), "no record id twice in the stream")


def main():
    t = h.Tap(timeout_s=60)
    if not rh.have_redis():
        t.skip("redis tests", "redis-server is not installed (scripts/install-deps.sh)")
        return t.finish()
    window_a = h.pick_relay_window(size=100)
    window_b = h.pick_relay_window(size=100)
    with rh.RedisServer() as redis, h.UdpPeer(avoid=set(window_a) | set(window_b)) as peer:
        def config(window, node):
            return (h.turn_config(window=window) +
                    'http = { api_key = "%s"; };\n' % API_KEY + rh.redis_config(redis, node_id=node))
        avoid = set(window_a) | set(window_b)
        with h.Ternd(t, config=config(window_a, "fleeta"), avoid_ports=avoid, http_port="auto",
                     name="node-a") as a, \
                h.Ternd(t, config=config(window_b, "fleetb"), avoid_ports=avoid | {a.port},
                        http_port="auto", name="node-b") as b:
            for d in (a, b):
                rh.wait_for(lambda: rh.metric(d.http_port, "tern_redis_up") == 1.0, timeout=5)
            t.run("fleet", check_fleet, t, a, b, redis, peer)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
