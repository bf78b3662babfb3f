#!/usr/bin/python3
"""TURN over TCP to the server (RFC 8656), relaying to UDP peers.

The client-to-server leg is a TCP connection carrying STUN messages framed
by their length and ChannelData padded to a multiple of 4 (RFC 8656
§12.5, both directions); the relay leg to the Python echo peers is UDP.

Checks: allocation (XOR-MAPPED-ADDRESS is the TCP client's address), the
data path with no permission, Send/Data and ChannelData both ways with
exact counts and intact payloads, the stream staying in step (a Binding
on the same connection afterwards), requests pipelined in one segment and
dribbled a byte at a time, SHA-256 integrity with a shared-secret user,
442 for a TCP relay, the allocation ending with its connection (quota
max_allocations_per_user = 1 frees up), garbage on a connection, IPv6.
"""

import os
import random
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402
import turn_checks as tc  # noqa: E402

REALM = "tern-tcp"
USERS = [("alice", "secret1"), ("bob", "secret2"), ("dave", "secret4"), ("erin", "secret5"),
         ("frank", "secret6"), ("gina", "secret7"), ("hana", "secret8")]
SECRETS = ["s1"]


class Ctx:
    def __init__(self, d, window, host=h.LOOPBACK4):
        self.d = d
        self.window = window
        self.host = host
        self.server = (host, d.port)
        self.avoid = set(window) | {d.port}
        self.rng = random.Random(6062)

    def client(self, user="alice", **kw):
        return h.TurnClient(self.server, "tcp", user, dict(USERS)[user], **kw)

    def rest_client(self, user="carol", secret="s1", **kw):
        name = h.rest_username(user, 3600)
        return h.TurnClient(self.server, "tcp", name, h.rest_password(secret, name), **kw)

    def peer(self, host=None, echo=True):
        return h.UdpPeer(host or self.host, echo=echo, avoid=self.avoid)


def binding_in_step(t, label, c):
    """A Binding request on the connection gets its own answer: the stream
    is still framed correctly after everything before it."""
    req, txid = h.binding_request()
    res = c.transact(req, txid)
    t.ok(res.msg is not None and res.msg.is_success() and res.msg.txid == txid
         and h.same_address(res.msg.xor_mapped_address(), c.local_address()),
         "%s: a Binding on the same connection afterwards is answered (stream in step)"
         % label, res.describe())


def group_core(t, ctx):
    with ctx.client("alice") as c, ctx.peer() as p1, ctx.peer() as p2:
        res = c.allocate()
        if not tc.check_allocation(t, "TCP static user", c, res, ctx.window, ctx.host):
            return
        tc.relay_flow(t, "TCP", c, p1, p2, ctx.rng)
        # Odd payload sizes one by one: each echo must arrive whole, padded.
        for size in (1, 2, 3, 5):
            data = bytes(ctx.rng.getrandbits(8) for _ in range(size))
            c.send_channel_data(0x4001, data)
            ev = c.receive(2.0)
            padded = 4 + size + (4 - size % 4) % 4
            t.ok(ev is not None and ev.data == data and len(ev.raw) == padded,
                 "TCP: a %d-byte ChannelData echo arrives padded to %d bytes" % (size, padded),
                 "event %r raw %r" % (ev, ev.raw.hex() if ev else None))
        binding_in_step(t, "TCP", c)


def group_padding(t, ctx):
    """The bytes on the wire: each ChannelData the server sends over TCP is
    padded to a multiple of 4 (RFC 8656 §12.5), read raw from the socket so
    a missing padding shows as such rather than as a stream out of step."""
    with ctx.client("hana") as c, ctx.peer() as p:
        if not tc.check_authed(t, "padding: Allocate", c, c.allocate()):
            return
        if not tc.check_authed(t, "padding: ChannelBind", c, c.channel_bind(0x4ABC, p.address)):
            return
        for size in (13, 5, 6, 7, 8):
            c.send_channel_data(0x4ABC, b"p" * size)
            raw = _read_raw_quiet(c.sock, 0.5)
            want = h.channel_data(0x4ABC, b"p" * size, pad=True)
            t.ok(len(raw) == len(want) and raw[:4 + size] == want[:4 + size],
                 "padding: a %d-byte ChannelData from the server is %d bytes on the wire"
                 % (size, len(want)), "received %d bytes: %s" % (len(raw), raw.hex()))


def _read_raw_quiet(sock, quiet_s):
    """Every byte that arrives until quiet_s passes without any."""
    got = b""
    while True:
        r, _, _ = select.select([sock], [], [], quiet_s)
        if not r:
            return got
        data = sock.recv(65536)
        if not data:
            return got
        got += data


def group_rest_sha256(t, ctx):
    with ctx.rest_client(algorithm="sha256", integrity="sha256") as c, ctx.peer() as p:
        res = c.allocate()
        if not tc.check_allocation(t, "TCP shared secret SHA-256", c, res, ctx.window,
                                   ctx.host):
            return
        if not tc.check_authed(t, "TCP SHA-256: ChannelBind", c,
                               c.channel_bind(0x4444, p.address)):
            return
        tc.check_channel_data(t, "TCP SHA-256 ChannelData", c, 0x4444, p,
                              tc.payloads(ctx.rng, 6, b"SHA2"))


def _read_responses(c, txids, timeout=3.0):
    got = {}
    deadline = time.monotonic() + timeout
    while len(got) < len(txids) and time.monotonic() < deadline:
        c.pump(0.05)
        while c.late:
            msg = c.late.pop(0)
            got[msg.txid] = msg
    return [got.get(x) for x in txids]


def group_pipelined(t, ctx):
    with ctx.client("dave") as c, ctx.peer() as p:
        if not tc.check_authed(t, "pipelined: Allocate", c, c.allocate()):
            return
        txid1, txid2 = h.new_txid(), h.new_txid()
        perm, _, _ = c.build(h.METHOD_CREATE_PERMISSION, [
            (h.ATTR_XOR_PEER_ADDRESS, h.encode_xor_address(p.host, p.port, txid1))], txid=txid1)
        bind, _, _ = c.build(h.METHOD_CHANNEL_BIND, [
            (h.ATTR_CHANNEL_NUMBER, struct.pack("!HH", 0x4321, 0)),
            (h.ATTR_XOR_PEER_ADDRESS, h.encode_xor_address(p.host, p.port, txid2))], txid=txid2)
        data = [b"pipelined-%d" % i for i in range(3)]
        blob = perm + bind + b"".join(h.channel_data(0x4321, d, pad=True) for d in data)
        c.send_raw(blob)
        responses = _read_responses(c, [txid1, txid2])
        t.ok(all(r is not None and r.is_success() for r in responses),
             "pipelined: CreatePermission and ChannelBind in one segment both succeed",
             "%r" % [(r.cls, r.error_code()) if r else None for r in responses])
        events = c.receive_n(3, 3.0)
        t.eq(sorted(e.data for e in events), sorted(data),
             "pipelined: the 3 ChannelData messages of the same segment are relayed and "
             "echoed", "events %r" % events)
        # A Refresh dribbled one byte at a time.
        req, txid, _ = c.build(h.METHOD_REFRESH, [(h.ATTR_LIFETIME, struct.pack("!I", 600))])
        for b in req:
            c.send_raw(bytes([b]))
            time.sleep(0.002)
        got = _read_responses(c, [txid])[0]
        t.ok(got is not None and got.is_success(),
             "dribbled: a Refresh sent a byte at a time succeeds",
             "%r" % (((got.cls, got.error_code()) if got else None),))
        # ChannelData split across two writes.
        msg = h.channel_data(0x4321, b"split in two", pad=True)
        c.send_raw(msg[:3])
        time.sleep(0.05)
        c.send_raw(msg[3:])
        ev = c.receive(2.0)
        t.ok(ev is not None and ev.data == b"split in two",
             "dribbled: a ChannelData split across two writes is relayed", "event %r" % (ev,))
        binding_in_step(t, "pipelined", c)


def group_errors(t, ctx):
    with ctx.client("erin") as c:
        tc.check_authed(t, "TCP: REQUESTED-TRANSPORT TCP", c,
                        c.allocate(transport=h.TRANSPORT_TCP), 442)
        res = c.allocate()
        tc.check_authed(t, "TCP: Allocate after the 442", c, res)
        tc.check_authed(t, "TCP: a second Allocate on the same connection", c, c.allocate(),
                        437)
        tc.check_authed(t, "TCP: CreatePermission for the server's own port", c,
                        c.create_permission((ctx.host, ctx.d.port)), 403)


def group_close_frees(t, ctx):
    """max_allocations_per_user = 1: bob's second allocation is refused while
    the first connection is open, and allowed once it is closed."""
    first = ctx.client("bob")
    try:
        if not tc.check_authed(t, "close: bob's first allocation", first, first.allocate()):
            return
        with ctx.client("bob") as second:
            tc.check_authed(t, "close: bob's second allocation while the first lives", second,
                            second.allocate(), 486)
    finally:
        first.close()
    deadline = time.monotonic() + 3.0
    while True:
        with ctx.client("bob") as third:
            res = third.allocate()
            if res.ok() or time.monotonic() > deadline:
                break
        time.sleep(0.2)
    t.eq(res.code(), 0, "close: closing the first connection ends its allocation (a new one "
         "for bob succeeds)", res.describe())


def group_garbage(t, ctx):
    rng = random.Random(7983)
    for label, data in (
            ("random bytes", bytes([0xFF]) + bytes(rng.getrandbits(8) for _ in range(63))),
            ("a STUN header with a bad magic cookie",
             struct.pack("!HHI", 0x0003, 0, 0x01020304) + os.urandom(12)),
            ("ChannelData on an unbound channel", h.channel_data(0x4000, b"nobody", pad=True))):
        with h.tcp_connect(ctx.host, ctx.d.port) as s:
            s.sendall(data)
            closed, got = h.tcp_wait_closed(s, timeout=1.0)
            ok = True
            if got:
                try:
                    ok = not h.parse_message(got[:h.HEADER_LEN + struct.unpack(
                        "!H", got[2:4])[0]]).is_success()
                except (h.StunParseError, struct.error):
                    ok = False
            t.ok(ok, "garbage over TCP (%s): no success answer (closed: %s)" % (label, closed),
                 "got %r" % got[:64])
    with ctx.client("frank") as c:
        tc.check_authed(t, "garbage over TCP: a new connection still allocates", c, c.allocate())


def group_ipv6(t, ctx6):
    with ctx6.client("gina") as c, ctx6.peer() as p:
        if not tc.check_allocation(t, "TCP IPv6 (REQUESTED-ADDRESS-FAMILY IPv6)", c,
                                   c.allocate(family=h.FAMILY_IPV6), ctx6.window, h.LOOPBACK6):
            return
        if not tc.check_authed(t, "TCP IPv6: ChannelBind", c, c.channel_bind(0x4066, p.address)):
            return
        tc.check_channel_data(t, "TCP IPv6 ChannelData", c, 0x4066, p,
                              tc.payloads(ctx6.rng, 5, b"TCP6"))


def main():
    t = h.Tap(timeout_s=55)
    v6 = h.ipv6_usable()
    hosts = [h.LOOPBACK4] + ([h.LOOPBACK6] if v6 else [])
    window = h.pick_relay_window(hosts=hosts)
    conf = h.turn_config(window, users=USERS, secrets=SECRETS, realm=REALM,
                         turn={"max_allocations_per_user": 1})
    try:
        with h.Ternd(t, config=conf, listen=hosts, avoid_ports=window, name="ternd") as d:
            ctx = Ctx(d, window)
            t.run("padding", group_padding, t, ctx)
            t.run("core", group_core, t, ctx)
            t.run("rest sha256", group_rest_sha256, t, ctx)
            t.run("pipelined", group_pipelined, t, ctx)
            t.run("errors", group_errors, t, ctx)
            t.run("close", group_close_frees, t, ctx)
            t.run("garbage", group_garbage, t, ctx)
            if v6:
                t.run("ipv6", group_ipv6, t, Ctx(d, window, h.LOOPBACK6))
            else:
                t.skip("TURN over TCP to [::1]", "IPv6 loopback unusable here")
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
