#!/usr/bin/python3
"""STUN Binding over UDP against the real ternd, on 127.0.0.1 and ::1.

RFC 8489 §7-§14: the success response carries XOR-MAPPED-ADDRESS (the
request's source transport address), echoes the transaction id, carries
FINGERPRINT only when the request did; an unknown comprehension-required
attribute gets 420 with UNKNOWN-ATTRIBUTES; malformed datagrams are dropped
silently; no response is much larger than its request (amplification).
"""

import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

# A response to a request may exceed it by at most this many bytes.
AMPLIFICATION_SLACK = 40
UNKNOWN_REQUIRED_ATTR = 0x7F01


# RFC 5769 §2.2 and §2.3: sample Binding responses (IPv4, IPv6), used to
# check this harness's own decoder before trusting it with ternd's answers.
RFC5769_IPV4 = bytes.fromhex(
    "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
    "002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    "80280004c07d4c96")
RFC5769_IPV6 = bytes.fromhex(
    "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
    "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf1"
    "1784c97c8292c275bfe3ed4180280004c8fb0b4c")


def group_harness_vectors(t):
    for label, raw, expected in (
            ("IPv4", RFC5769_IPV4, ("192.0.2.1", 32853)),
            ("IPv6", RFC5769_IPV6, ("2001:db8:1234:5678:11:2233:4455:6677", 32853))):
        msg = h.parse_message(raw)
        t.ok(msg.xor_mapped_address() == expected and msg.fingerprint_status() is True,
             "harness: decodes the RFC 5769 %s response (address, FINGERPRINT)" % label)
    broken = RFC5769_IPV4[:-1] + b"\x97"
    t.eq(h.parse_message(broken).fingerprint_status(), False,
         "harness: notices a wrong FINGERPRINT")


def check_amplification(t, label, request, res):
    if res.raw is None:
        t.ok(False, "%s: amplification rule (no response to measure)" % label)
        return
    t.ok(len(res.raw) <= len(request) + AMPLIFICATION_SLACK,
         "%s: response (%d bytes) <= request (%d bytes) + %d"
         % (label, len(res.raw), len(request), AMPLIFICATION_SLACK))


def expect_success(t, label, sock, server, request, txid):
    """One transaction that must end in a parsed success response."""
    res = h.udp_transaction(sock, server, request, txid)
    if not t.ok(res.msg is not None, "%s: response received and well formed" % label,
                res.error or "no response within the timeout (%d sends)" % res.sent):
        return None, res
    t.eq(res.msg.txid, txid, "%s: transaction id echoed" % label)
    t.eq((res.msg.method, res.msg.cls), (h.METHOD_BINDING, h.CLASS_SUCCESS),
         "%s: Binding success response" % label,
         "error code: %r" % (res.msg.error_code(),))
    return res.msg, res


def group_mapped(t, host, port):
    server = (host, port)
    with h.udp_socket(host) as s:
        req, txid = h.binding_request()
        msg, res = expect_success(t, "%s plain request" % host, s, server, req, txid)
        if msg is not None:
            mapped = msg.xor_mapped_address()
            t.ok(h.same_address(mapped, s.getsockname()),
                 "%s: XOR-MAPPED-ADDRESS is the client's own address and port" % host,
                 "mapped %r, socket %r" % (mapped, s.getsockname()[:2]))
            t.eq(msg.fingerprint_status(), None,
                 "%s: no FINGERPRINT when the request had none" % host)
        check_amplification(t, "%s plain request" % host, req, res)

        req, txid = h.binding_request(fingerprint=True)
        msg, res = expect_success(t, "%s request with FINGERPRINT" % host, s, server, req, txid)
        if msg is not None:
            t.eq(msg.fingerprint_status(), True,
                 "%s: response carries a valid FINGERPRINT" % host)
            t.ok(h.same_address(msg.xor_mapped_address(), s.getsockname()),
                 "%s: mapped address right with FINGERPRINT too" % host)
        check_amplification(t, "%s request with FINGERPRINT" % host, req, res)


def group_unknown_attr(t, host, port):
    server = (host, port)
    label = "%s unknown comprehension-required attribute" % host
    with h.udp_socket(host) as s:
        attrs = [(UNKNOWN_REQUIRED_ATTR, b"\x01\x02\x03\x04")]
        req, txid = h.binding_request(attrs=attrs)
        res = h.udp_transaction(s, server, req, txid)
        if not t.ok(res.msg is not None, "%s: response received and well formed" % label,
                    res.error or "no response"):
            return
        msg = res.msg
        t.eq(msg.txid, txid, "%s: transaction id echoed" % label)
        t.eq(msg.cls, h.CLASS_ERROR, "%s: error response" % label)
        code = msg.error_code()
        t.eq(code[0] if code else None, 420, "%s: ERROR-CODE 420" % label, "%r" % (code,))
        t.eq(msg.unknown_attributes(), [UNKNOWN_REQUIRED_ATTR],
             "%s: UNKNOWN-ATTRIBUTES lists 0x%04X" % (label, UNKNOWN_REQUIRED_ATTR))
        check_amplification(t, label, req, res)

        # A comprehension-optional unknown attribute (0x8000-0xFFFF) is ignored.
        req, txid = h.binding_request(attrs=[(0xC0DE, b"\0\0\0\0")])
        msg, res = expect_success(t, "%s unknown comprehension-optional attribute" % host,
                                  s, server, req, txid)
        if msg is not None:
            t.ok(h.same_address(msg.xor_mapped_address(), s.getsockname()),
                 "%s: optional attribute ignored, mapped address right" % host)


def malformed_datagrams(rng):
    good, _ = h.binding_request()
    with_fp, _ = h.binding_request(fingerprint=True)
    bad_cookie = good[:4] + b"\x21\x12\xa4\x43" + good[8:]
    random_bytes = bytes([0xC5]) + bytes(rng.getrandbits(8) for _ in range(63))
    random_stun_like = bytes([0x00, 0x01]) + bytes(rng.getrandbits(8) for _ in range(46))
    bad_fp = with_fp[:-1] + bytes([with_fp[-1] ^ 0xFF])
    overrun = (struct.pack("!HHI", 0x0001, 8, h.MAGIC_COOKIE) + os.urandom(12)
               + struct.pack("!HH", 0x8022, 200) + b"abcd")
    not_request, _ = h.build_message(h.METHOD_BINDING, h.CLASS_SUCCESS)
    return [
        ("0-byte datagram", b""),
        ("truncated header (10 bytes)", good[:10]),
        ("header one byte short (19 bytes)", good[:19]),
        ("bad magic cookie", bad_cookie),
        ("length field 8 with no body", good[:2] + b"\x00\x08" + good[4:]),
        ("length field not a multiple of 4", good[:2] + b"\x00\x03" + good[4:] + b"abc"),
        ("length field shorter than the datagram", good + b"\x80\x22\x00\x04abcd"),
        ("attribute overrunning the message", overrun),
        ("wrong FINGERPRINT", bad_fp),
        ("random bytes", random_bytes),
        ("random bytes after a Binding type", random_stun_like),
        ("top two bits set", bytes([good[0] | 0xC0]) + good[1:]),
        ("a Binding success response (not a request)", not_request),
    ]


def group_malformed(t, host, port):
    server = (host, port)
    rng = h.seeded_random(5389)
    with h.udp_socket(host) as s:
        for label, payload in malformed_datagrams(rng):
            got = h.udp_expect_silence(s, server, payload, wait=0.3)
            t.ok(not got, "%s: no response to %s" % (host, label),
                 "received %d datagram(s): %s" % (len(got), [g.hex() for g in got]))
        req, txid = h.binding_request()
        msg, _ = expect_success(t, "%s good request after the malformed ones" % host,
                                s, server, req, txid)
        if msg is not None:
            t.ok(h.same_address(msg.xor_mapped_address(), s.getsockname()),
                 "%s: still answering correctly after malformed datagrams" % host)


def run_load(host, port, clients=20, per_client=10, limit_s=10.0):
    """per_client requests from each of clients sockets, retransmitted until
    answered. Returns (answered, wrong mapped, seconds)."""
    server = (host, port)
    socks = [h.udp_socket(host) for _ in range(clients)]
    pending = {}
    for i, s in enumerate(socks):
        for _ in range(per_client):
            req, txid = h.binding_request()
            pending[txid] = (i, req)
    answered, wrong = 0, []
    t0 = time.monotonic()
    last_send = 0.0
    try:
        while pending and time.monotonic() - t0 < limit_s:
            if time.monotonic() - last_send > 0.5:
                for txid, (i, req) in pending.items():
                    socks[i].sendto(req, server)
                last_send = time.monotonic()
            ready, _, _ = select.select(socks, [], [], 0.1)
            for s in ready:
                data, _ = s.recvfrom(2048)
                try:
                    msg = h.parse_message(data)
                except h.StunParseError:
                    continue
                entry = pending.pop(msg.txid, None)
                if entry is None:
                    continue
                answered += 1
                if socks[entry[0]] is not s or not h.same_address(msg.xor_mapped_address(),
                                                                  s.getsockname()):
                    wrong.append((msg.xor_mapped_address(), s.getsockname()[:2]))
    finally:
        for s in socks:
            s.close()
    return answered, wrong, time.monotonic() - t0


def group_load(t, hosts):
    with h.Ternd(t, args=["-t", "2"], listen=hosts, name="ternd -t 2") as d:
        for host in hosts:
            answered, wrong, secs = run_load(host, d.port)
            t.eq(answered, 200, "%s -t 2: 200 requests from 20 sockets all answered "
                 "(%.3f s)" % (host, secs))
            t.ok(not wrong, "%s -t 2: every response went to its socket with its mapped "
                 "address" % host, "wrong: %r" % wrong[:5])


def main():
    t = h.Tap(timeout_s=55)
    t.run("harness vectors", group_harness_vectors, t)
    hosts = [h.LOOPBACK4]
    v6 = h.ipv6_usable()
    if v6:
        hosts.append(h.LOOPBACK6)
    try:
        with h.Ternd(t, listen=hosts) as d:
            for host in hosts:
                t.run("mapped " + host, group_mapped, t, host, d.port)
                t.run("unknown attribute " + host, group_unknown_attr, t, host, d.port)
                t.run("malformed " + host, group_malformed, t, host, d.port)
            if not v6:
                t.skip("::1 Binding over UDP", "IPv6 loopback (::1) unusable here")
        t.run("load", group_load, t, hosts)
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
