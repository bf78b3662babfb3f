#!/usr/bin/python3
"""STUN Binding over TCP against the real ternd, on 127.0.0.1 and ::1.

Over TCP, STUN messages are framed by their own length field (RFC 8489
§6.2.2). Checks: several requests in one write, one request dribbled byte by
byte, XOR-MAPPED-ADDRESS equal to the client's TCP source address, and a
connection that sends garbage is closed while other connections go on.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

UNKNOWN_REQUIRED_ATTR = 0x7F01


READ_TIMEOUT_S = 2.0


class Conn:
    """A client TCP connection to ternd that remembers why it stopped
    answering, so one stalled connection costs one timeout, not one per
    expected response."""

    def __init__(self, host, port):
        self.sock = h.tcp_connect(host, port)
        self.reader = h.TcpReader(self.sock)
        self.broken = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
        return False

    def send(self, data):
        self.sock.sendall(data)

    def read(self, timeout=READ_TIMEOUT_S):
        """The next response, or None (and self.broken says why)."""
        if self.broken:
            return None
        try:
            msg = self.reader.read(timeout)
        except h.ConnectionClosed as e:
            self.broken = "server closed the connection (%s)" % e
            return None
        except h.StunParseError as e:
            self.broken = "malformed response: %s" % e
            return None
        if msg is None:
            self.broken = ("no response within %.1f s; connection still open (%d bytes of a "
                           "partial message buffered)" % (timeout, len(self.reader.buf)))
        return msg


def check_success(t, label, conn, msg, txid):
    if not t.ok(msg is not None, "%s: response received" % label, conn.broken):
        return
    sock = conn.sock
    t.eq(msg.txid, txid, "%s: transaction id matches" % label)
    t.eq((msg.method, msg.cls), (h.METHOD_BINDING, h.CLASS_SUCCESS),
         "%s: Binding success response" % label, "error code: %r" % (msg.error_code(),))
    t.ok(h.same_address(msg.xor_mapped_address(), sock.getsockname()),
         "%s: XOR-MAPPED-ADDRESS is the client's TCP source address and port" % label,
         "mapped %r, socket %r" % (msg.xor_mapped_address(), sock.getsockname()[:2]))


def group_pipelined(t, host, port):
    label = "%s pipelined" % host
    with Conn(host, port) as c:
        first, tx1 = h.binding_request()
        second, tx2 = h.binding_request(fingerprint=True)
        third, tx3 = h.binding_request(attrs=[(UNKNOWN_REQUIRED_ATTR, b"\0\0\0\1")])
        fourth, tx4 = h.binding_request()
        c.send(first + second + third + fourth)

        check_success(t, "%s request 1 of 4 (one write)" % label, c, c.read(), tx1)

        msg = c.read()
        check_success(t, "%s request 2 of 4 (FINGERPRINT)" % label, c, msg, tx2)
        if msg is not None:
            t.eq(msg.fingerprint_status(), True, "%s: response 2 has a valid FINGERPRINT" % label)

        msg = c.read()
        if t.ok(msg is not None, "%s request 3 of 4 (unknown attribute): response" % label,
                c.broken):
            t.eq(msg.txid, tx3, "%s request 3 of 4: transaction id matches" % label)
            code = msg.error_code()
            t.eq(code[0] if code else None, 420, "%s request 3 of 4: ERROR-CODE 420" % label)
            t.eq(msg.unknown_attributes(), [UNKNOWN_REQUIRED_ATTR],
                 "%s request 3 of 4: UNKNOWN-ATTRIBUTES lists 0x7F01" % label)

        msg = c.read()
        check_success(t, "%s request 4 of 4" % label, c, msg, tx4)
        if msg is not None:
            t.eq(msg.fingerprint_status(), None, "%s: response 4 has no FINGERPRINT" % label)

        again, tx5 = h.binding_request()
        c.send(again)
        check_success(t, "%s later request on the same connection" % label, c, c.read(), tx5)


def group_dribble(t, host, port):
    label = "%s byte-by-byte" % host
    with Conn(host, port) as c:
        req, txid = h.binding_request(fingerprint=True)
        for i in range(len(req)):
            c.send(req[i:i + 1])
            time.sleep(0.01)
        msg = c.read()
        check_success(t, label, c, msg, txid)
        if msg is not None:
            t.eq(msg.fingerprint_status(), True, "%s: valid FINGERPRINT" % label)

    # Two requests whose boundary falls inside the second header.
    with Conn(host, port) as c:
        a, txa = h.binding_request()
        b, txb = h.binding_request(fingerprint=True)
        both = a + b
        cut = len(a) + 7
        c.send(both[:cut])
        time.sleep(0.1)
        c.send(both[cut:])
        check_success(t, "%s split inside a header, first" % label, c, c.read(), txa)
        check_success(t, "%s split inside a header, second" % label, c, c.read(), txb)


def garbage_payloads():
    good, _ = h.binding_request()
    bad_cookie = good[:4] + b"\xde\xad\xbe\xef" + good[8:]
    return [
        ("64 bytes of 0xFF", b"\xff" * 64),
        ("a STUN header with a bad magic cookie", bad_cookie + good),
    ]


def group_garbage(t, host, port):
    with Conn(host, port) as keeper:
        req, txid = h.binding_request()
        keeper.send(req)
        check_success(t, "%s bystander connection before" % host, keeper, keeper.read(), txid)

        for label, payload in garbage_payloads():
            with h.tcp_connect(host, port) as bad:
                bad.sendall(payload)
                closed, got = h.tcp_wait_closed(bad, timeout=2.0)
                t.ok(closed, "%s: server closes a connection that sent %s" % (host, label),
                     "still open after 2 s; received %r" % got[:64])

            req, txid = h.binding_request()
            keeper.send(req)
            check_success(t, "%s bystander connection after %s" % (host, label),
                          keeper, keeper.read(), txid)

    with Conn(host, port) as fresh:
        req, txid = h.binding_request(fingerprint=True)
        fresh.send(req)
        check_success(t, "%s new connection after the garbage" % host, fresh, fresh.read(),
                      txid)


def main():
    t = h.Tap(timeout_s=55)
    hosts = [h.LOOPBACK4]
    v6 = h.ipv6_usable()
    if v6:
        hosts.append(h.LOOPBACK6)
    try:
        with h.Ternd(t, listen=hosts) as d:
            for host in hosts:
                t.run("pipelined " + host, group_pipelined, t, host, d.port)
                t.run("dribble " + host, group_dribble, t, host, d.port)
                t.run("garbage " + host, group_garbage, t, host, d.port)
            if not v6:
                t.skip("::1 Binding over TCP", "IPv6 loopback (::1) unusable here")
        with h.Ternd(t, listen=hosts, args=["-t", "2"], name="ternd -t 2") as d:
            for host in hosts:
                t.run("pipelined -t 2 " + host, group_pipelined, t, host, d.port)
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
