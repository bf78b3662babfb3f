"""TURN checks shared by turn_udp.py and turn_tcp.py (not a test itself).

Each function takes a Tap, a label for the check names and a TurnClient
that already holds an allocation, and reports TAP checks on the relayed
data: what the peer receives through the relay and what comes back.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

# Payload sizes: odd ones test padding, 1200 a typical media packet.
PAYLOAD_SIZES = (4, 5, 6, 7, 8, 13, 64, 99, 160, 333, 1000, 1200)
# Extra wait after the expected count arrived, to catch duplicates.
SETTLE_S = 0.2
# How long "nothing arrives" waits.
QUIET_S = 0.3


def payloads(rng, n, tag):
    """n distinct payloads: a 4-byte tag, a 4-byte sequence number, random
    bytes; sizes cycle through PAYLOAD_SIZES (at least 8 bytes)."""
    out = []
    for i in range(n):
        size = max(8, PAYLOAD_SIZES[i % len(PAYLOAD_SIZES)])
        body = bytes(rng.getrandbits(8) for _ in range(size - 8))
        out.append(tag[:4].ljust(4, b"_") + struct.pack("!I", i) + body)
    return out


def check_allocation(t, label, c, res, window, host, lifetime=600):
    """The success response to an Allocate: integrity, addresses, lifetime."""
    if not t.ok(res.ok(), "%s: Allocate succeeds" % label, res.describe()):
        return False
    t.ok(res.integrity is True and res.integrity_kind == c.integrity_kind,
         "%s: Allocate response carries a valid %s" % (label, integrity_name(c.integrity_kind)),
         res.describe())
    if c.fingerprint:
        t.eq(res.fingerprint, True, "%s: Allocate response carries a valid FINGERPRINT" % label)
    relayed = c.relayed
    t.ok(relayed is not None and h.same_address((host, relayed[1]), relayed)
         and relayed[1] in window,
         "%s: XOR-RELAYED-ADDRESS is %s with a port of the relay range %d-%d"
         % (label, host, window[0], window[-1]), "relayed: %r" % (relayed,))
    t.ok(h.same_address(c.mapped, c.local_address()),
         "%s: XOR-MAPPED-ADDRESS is the client's own address" % label,
         "mapped %r, local %r" % (c.mapped, c.local_address()))
    if lifetime is not None:
        t.eq(c.lifetime, lifetime, "%s: LIFETIME %d" % (label, lifetime))
    return relayed is not None


def integrity_name(kind):
    return "MESSAGE-INTEGRITY-SHA256" if kind == "sha256" else "MESSAGE-INTEGRITY"


def check_authed(t, label, c, res, code=0):
    """An answer to an authenticated request: the expected code and a valid
    integrity attribute of the kind the request used."""
    what = "succeeds" if code == 0 else "is refused with %d" % code
    good = t.eq(res.code(), code, "%s %s" % (label, what), res.describe())
    t.ok(res.integrity is True and res.integrity_kind == c.integrity_kind,
         "%s: response carries a valid %s" % (label, integrity_name(c.integrity_kind)),
         res.describe())
    return good


def check_no_permission(t, label, c, peer):
    """Before any permission: Send goes nowhere, the peer's data is dropped."""
    peer.reset()
    c.send_indication(peer.address, b"no permission yet")
    time.sleep(QUIET_S)
    t.eq(peer.count(), 0, "%s: Send indication without a permission reaches no peer" % label,
         "peer received %r" % (peer.payloads(),))
    peer.sendto(b"unpermitted data", c.relayed)
    got = c.drain(QUIET_S)
    t.eq(got, [], "%s: data from a peer without permission is not delivered" % label)
    peer.reset()


def same_payloads(t, got, expected, name):
    """One check: got holds exactly the payloads of expected, in any order."""
    diff = h.payload_diff(got, expected)
    return t.ok(diff is None, name, diff)


def _settled_count(peer, n, timeout):
    peer.wait_count(n, timeout)
    time.sleep(SETTLE_S)
    return peer.count()


def check_send_data(t, label, c, peer, msgs, timeout=3.0):
    """Send indications to peer (which echoes): the peer gets exactly msgs
    from the relayed address; the echoes come back as Data indications from
    the peer's address."""
    peer.reset()
    for m in msgs:
        c.send_indication(peer.address, m)
    events = c.receive_n(len(msgs), timeout)
    count = _settled_count(peer, len(msgs), 0.5)
    events += c.drain(SETTLE_S)
    t.eq(count, len(msgs), "%s: peer received exactly %d Send indications' data"
         % (label, len(msgs)))
    same_payloads(t, peer.payloads(), msgs, "%s: peer received the payloads intact" % label)
    t.eq(peer.sources(), [tuple(c.relayed)], "%s: peer saw them from XOR-RELAYED-ADDRESS" % label)
    t.eq(len(events), len(msgs), "%s: client received exactly %d Data indications"
         % (label, len(msgs)), "events: %r" % events[:5])
    t.ok(all(e.kind == "data" and h.same_address(e.peer, peer.address) for e in events),
         "%s: each is a Data indication with XOR-PEER-ADDRESS = the peer" % label,
         "events: %r" % events[:5])
    same_payloads(t, [e.data for e in events], msgs,
                  "%s: Data indications carry the echoed payloads intact" % label)


def check_channel_data(t, label, c, number, peer, msgs, timeout=3.0):
    """ChannelData on a bound channel to peer (which echoes): exact counts,
    intact payloads, echoes back as ChannelData on the same channel."""
    peer.reset()
    for m in msgs:
        c.send_channel_data(number, m)
    events = c.receive_n(len(msgs), timeout)
    count = _settled_count(peer, len(msgs), 0.5)
    events += c.drain(SETTLE_S)
    t.eq(count, len(msgs), "%s: peer received exactly %d ChannelData payloads"
         % (label, len(msgs)))
    same_payloads(t, peer.payloads(), msgs, "%s: peer received the payloads intact" % label)
    t.eq(peer.sources(), [tuple(c.relayed)], "%s: peer saw them from XOR-RELAYED-ADDRESS" % label)
    t.eq(len(events), len(msgs), "%s: client received exactly %d ChannelData messages"
         % (label, len(msgs)), "events: %r" % events[:5])
    t.ok(all(e.kind == "channel" and e.channel == number for e in events),
         "%s: each echo is ChannelData on channel 0x%04X" % (label, number),
         "events: %r" % events[:5])
    same_payloads(t, [e.data for e in events], msgs,
                  "%s: ChannelData carries the echoed payloads intact" % label)
    lengths_ok = [e for e in events if not _channel_framing_ok(c, e)]
    t.ok(not lengths_ok, "%s: ChannelData framing right (length field, padding %s)"
         % (label, "to 4 over TCP" if c.transport != "udp" else "optional over UDP"),
         "bad: %r" % [(e, e.raw[:8].hex(), len(e.raw)) for e in lengths_ok[:5]])
    return events


def _channel_framing_ok(c, ev):
    n = len(ev.data)
    padded = 4 + n + (4 - n % 4) % 4
    if c.transport == "udp":
        return len(ev.raw) in (4 + n, padded)
    return len(ev.raw) == padded


def relay_flow(t, label, c, peer, other_peer, rng, n=12, channel=0x4001):
    """The whole data path on a fresh allocation: no permission, then a
    permission and Send/Data both ways, then a channel and ChannelData both
    ways; other_peer (same IP, another port, no channel) still gets Data
    indications once the channel is bound."""
    check_no_permission(t, label, c, peer)
    res = c.create_permission(peer.address)
    if not check_authed(t, "%s: CreatePermission for the peer" % label, c, res):
        return
    check_send_data(t, "%s Send/Data" % label, c, peer, payloads(rng, n, b"SEND"))
    res = c.channel_bind(channel, peer.address)
    if not check_authed(t, "%s: ChannelBind 0x%04X to the peer" % (label, channel), c, res):
        return
    check_channel_data(t, "%s ChannelData" % label, c, channel, peer,
                       payloads(rng, n, b"CHAN"))
    res = c.channel_bind(channel, peer.address)
    check_authed(t, "%s: ChannelBind again (same channel, same peer) refreshes it" % label,
                 c, res)
    # A Send indication to the bound peer: its echo comes back on the channel.
    peer.reset()
    c.send_indication(peer.address, b"send to a bound peer")
    ev = c.receive(2.0)
    t.ok(ev is not None and ev.kind == "channel" and ev.channel == channel
         and ev.data == b"send to a bound peer",
         "%s: with a channel bound, the peer's data arrives as ChannelData" % label,
         "event: %r" % (ev,))
    if other_peer is not None:
        other_peer.reset()
        c.send_indication(other_peer.address, b"to the other peer")
        ev = c.receive(2.0)
        t.ok(ev is not None and ev.kind == "data" and ev.data == b"to the other peer"
             and h.same_address(ev.peer, other_peer.address),
             "%s: a permitted peer without a channel still gets Data indications" % label,
             "event: %r" % (ev,))
    leftovers = c.drain(SETTLE_S)
    t.eq(leftovers, [], "%s: nothing relayed beyond what was sent" % label)
