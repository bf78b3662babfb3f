#!/usr/bin/python3
"""Two clients of one ternd relaying to each other, with no peers.allow.

This is what two browsers on one machine do with iceTransportPolicy
"relay": each one's peer is the other's relayed address, an address of
the server itself. The peer policy must let a live relayed address through
(whatever range its IP is in, loopback included), and still refuse the
server's listening port and any other port of its own addresses.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

USER, PASSWORD = "alice", "secret1"
CONFIG = """
auth = { users = ( { name = "%s"; password = "%s"; } ); };
""" % (USER, PASSWORD)


def main():
    t = h.Tap()
    with h.Ternd(t, config=CONFIG, args=["-t", "2"]) as d:
        server = (h.LOOPBACK4, d.port)
        with h.TurnClient(server, "udp", USER, PASSWORD) as a, \
                h.TurnClient(server, "udp", USER, PASSWORD) as b:
            t.ok(a.allocate().ok(), "client A allocates")
            t.ok(b.allocate().ok(), "client B allocates")
            t.ok(a.relayed is not None and a.relayed[0] == h.LOOPBACK4,
                 "A's relayed address is on 127.0.0.1", str(a.relayed))
            res = a.create_permission(b.relayed)
            t.eq(res.code(), 0, "A may send to B's relayed address without an allow list")
            res = b.create_permission(a.relayed)
            t.eq(res.code(), 0, "B may send to A's relayed address")
            payloads = [b"relay-%03d" % i for i in range(20)]
            for p in payloads:
                a.send_indication(b.relayed, p)
            got = b.receive_n(len(payloads), timeout=3.0)
            t.eq([e.data for e in got], payloads, "B receives A's 20 datagrams in order")
            t.ok(all(e.peer == a.relayed for e in got),
                 "they come from A's relayed address", repr(got[:1]))
            t.eq(b.channel_bind(0x4001, a.relayed).code(), 0, "B binds a channel to A's relay")
            b.send_channel_data(0x4001, b"over-the-channel")
            ev = a.receive(timeout=2.0)
            t.ok(ev is not None and ev.data == b"over-the-channel" and ev.peer == b.relayed,
                 "A receives B's ChannelData as a Data indication from B's relay", repr(ev))
            res = a.create_permission((h.LOOPBACK4, d.port))
            t.eq(res.code(), 403, "the server's listening address is refused")
            free = h.free_port((h.LOOPBACK4,))
            res = a.create_permission((h.LOOPBACK4, free))
            t.eq(res.code(), 403, "another loopback port of the server is refused")
            gone = b.relayed
            t.eq(b.refresh(lifetime=0).code(), 0, "B deletes its allocation")
            res = a.channel_bind(0x4002, gone)
            t.eq(res.code(), 403, "a relayed address no longer in use is refused again")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
