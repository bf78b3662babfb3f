#!/usr/bin/python3
"""Interop: Debian's aioice TURN client (python3-aioice 0.8.0) through ternd.

aioice.turn.create_turn_endpoint() allocates over UDP or TCP with
long-term credentials the RFC 5389 way (MD5 key, no PASSWORD-ALGORITHM),
then TurnTransport.sendto() binds a channel (0x4000 upwards) per peer and
sends ChannelData; what the relay delivers reaches the protocol's
datagram_received(data, peer address). close() deletes the allocation
(Refresh, LIFETIME 0).

Here it uses a shared-secret credential and a Python echo peer on
127.0.0.1: every datagram must reach the peer (from the relayed address)
and come back intact, in exact counts, over UDP and over TCP.
"""

import asyncio
import logging
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

try:
    import aioice.turn
except ImportError:  # pragma: no cover - depends on the machine
    aioice = None

SECRET = "aioice-secret"
MESSAGES = 30
WAIT_S = 5.0


class Receiver(asyncio.DatagramProtocol):
    def __init__(self):
        self.received = []
        self.changed = asyncio.Event()

    def datagram_received(self, data, addr):
        self.received.append((tuple(addr[:2]), bytes(data)))
        self.changed.set()


async def wait_for(proto, n, timeout):
    deadline = asyncio.get_running_loop().time() + timeout
    while len(proto.received) < n:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            break
        proto.changed.clear()
        try:
            await asyncio.wait_for(proto.changed.wait(), left)
        except asyncio.TimeoutError:
            break


async def exchange(server, transport, username, password, peer, msgs):
    """Returns (relayed address, [(source, data)] aioice received, [errors
    raised in aioice's background tasks])."""
    errors = []
    asyncio.get_running_loop().set_exception_handler(
        lambda loop, ctx: errors.append(repr(ctx.get("exception") or ctx.get("message"))))
    turn, proto = await asyncio.wait_for(aioice.turn.create_turn_endpoint(
        Receiver, server_addr=server, username=username, password=password,
        transport=transport), WAIT_S)
    try:
        relayed = turn.get_extra_info("sockname")
        for m in msgs:
            turn.sendto(m, peer.address)
            await asyncio.sleep(0.002)
        await wait_for(proto, len(msgs), WAIT_S)
        await asyncio.sleep(0.2)
        return relayed, list(proto.received), errors
    finally:
        turn.close()
        await asyncio.sleep(0.2)


def group_transport(t, d, window, transport, rng):
    label = "aioice over %s" % transport.upper()
    username = h.rest_username("aioice-%s" % transport, 3600)
    password = h.rest_password(SECRET, username)
    msgs = [b"%s-%03d-" % (transport.encode(), i)
            + bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
            for i in range(MESSAGES)]
    with h.UdpPeer(h.LOOPBACK4, avoid=set(window) | {d.port}) as peer:
        try:
            relayed, received, errors = asyncio.run(exchange((h.LOOPBACK4, d.port), transport,
                                                     username, password, peer, msgs))
        except Exception as e:  # noqa: BLE001 - aioice raises its own types
            t.ok(False, "%s: allocation and channel set up" % label,
                 "%s: %s\n%s" % (type(e).__name__, e, d.log_tail()))
            return
        t.ok(relayed is not None and relayed[0] == h.LOOPBACK4 and relayed[1] in window,
             "%s: relayed address 127.0.0.1 with a port of the relay range" % label,
             "relayed %r" % (relayed,))
        t.eq(peer.count(), len(msgs), "%s: the peer received exactly %d datagrams"
             % (label, len(msgs)))
        t.ok(h.payload_diff(peer.payloads(), msgs) is None,
             "%s: the peer received them intact" % label, h.payload_diff(peer.payloads(), msgs))
        t.eq(peer.sources(), [tuple(relayed)] if relayed else [],
             "%s: the peer saw them from the relayed address" % label)
        t.eq(len(received), len(msgs), "%s: aioice received exactly %d echoes"
             % (label, len(msgs)))
        echoes = [data for _, data in received]
        t.ok(h.payload_diff(echoes, msgs) is None, "%s: the echoes are intact" % label,
             h.payload_diff(echoes, msgs))
        t.eq(errors, [], "%s: no error in aioice's background tasks (ChannelBind, "
             "Refresh)" % label)
        t.ok(all(h.same_address(addr, peer.address) for addr, _ in received),
             "%s: every echo is attributed to the peer's address" % label,
             "sources %r" % sorted(set(a for a, _ in received))[:5])


def main():
    t = h.Tap(timeout_s=55)
    if aioice is None:
        t.skip("aioice TURN interop", "python3-aioice not installed")
        t.finish()
    logging.getLogger("aioice").setLevel(logging.CRITICAL)
    window = h.pick_relay_window()
    conf = h.turn_config(window, secrets=[SECRET], allow=["127.0.0.0/8"])
    rng = random.Random(8445)
    try:
        with h.Ternd(t, config=conf, avoid_ports=window) as d:
            for transport in ("udp", "tcp"):
                t.run("aioice " + transport, group_transport, t, d, window, transport, rng)
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
