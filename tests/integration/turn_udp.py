#!/usr/bin/python3
"""TURN over UDP (RFC 8656) against the real ternd, with the project's own client.

Four ternd instances, each on a free port, relay ports in a random window
inside 20000-32000, peers (Python echo peers) on 127.0.0.1 / ::1 outside it:

  main      static users and shared secrets, peers.allow = loopback:
            allocation, Send/Data and ChannelData both ways, lifetimes,
            refresh and deletion, Allocate retransmission, SHA-256
            integrity, the 401 challenge and refused credentials, Allocate
            and ChannelBind errors, malformed and truncated datagrams, IPv6;
  stale     auth.nonce_lifetime_s = 2: an old nonce gets 438 (skipped when
            the configuration refuses so short a lifetime);
  quota     the default peer policy (private and loopback peers denied)
            and max_allocations_per_user = 1, per_ip = 2;
  capacity  a relay range of two ports (508) and turn.channel_strict.

Unauthenticated responses are measured against the amplification rule
(response <= request + 100 bytes); the largest ratio is printed.
Only 127.0.0.1 and ::1 are ever sent to: denied peers (10.0.0.1,
169.254.169.254, 192.168.1.1) appear in CreatePermission requests only.
"""

import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402
import turn_checks as tc  # noqa: E402

REALM = "tern-test"
USERS = [("alice", "secret1"), ("bob", "secret2"), ("dave", "secret4"),
         ("erin", "secret5"), ("frank", "secret6")]
SECRETS = ["s1", "s2"]
AMPLIFICATION_SLACK = 100
DENIED_PEERS = [("10.0.0.1", 5000), ("169.254.169.254", 80), ("192.168.1.1", 5000)]


class Ctx:
    """What the groups of one ternd share."""

    def __init__(self, d, window, host=h.LOOPBACK4):
        self.d = d
        self.window = window
        self.host = host
        self.server = (host, d.port)
        self.avoid = set(window) | {d.port}
        self.rng = random.Random(8656)

    def client(self, user="alice", password=None, **kw):
        if password is None:
            password = dict(USERS).get(user)
        return h.TurnClient(self.server, "udp", user, password, **kw)

    def rest_client(self, user="carol", secret="s1", valid_for_s=3600, **kw):
        name = h.rest_username(user, valid_for_s)
        return h.TurnClient(self.server, "udp", name, h.rest_password(secret, name), **kw)

    def peer(self, host=None, echo=True):
        return h.UdpPeer(host or self.host, echo=echo, avoid=self.avoid)


# Every response to an unauthenticated request: (label, request bytes, response bytes).
AMPLIFICATION = []


def note_unauthenticated(label, clients):
    """Records the responses the server sent without integrity: it did not
    authenticate those requests (none sent, or a wrong one)."""
    for c in clients:
        for res in c.exchanges:
            if res.raw is not None and (not res.authenticated or res.integrity is None):
                AMPLIFICATION.append((label, len(res.request), len(res.raw)))


# ---------------------------------------------------------------- main instance


def group_static_user(t, ctx):
    with ctx.client("alice") as c, ctx.peer() as p1, ctx.peer() as p2:
        res = c.allocate()
        note_unauthenticated("static user", [c])
        ch = c.challenges[0] if c.challenges else None
        t.ok(ch is not None and ch.code() == 401,
             "static user: the first (unauthenticated) Allocate is challenged with 401",
             ch.describe() if ch else "no challenge seen")
        if not tc.check_allocation(t, "static user", c, res, ctx.window, ctx.host):
            return
        tc.relay_flow(t, "static user", c, p1, p2, ctx.rng)


def group_rest_user(t, ctx):
    for secret in SECRETS:
        label = "shared secret %s" % secret
        with ctx.rest_client("carol", secret) as c, ctx.peer() as p1:
            res = c.allocate()
            note_unauthenticated(label, [c])
            if not tc.check_allocation(t, label, c, res, ctx.window, ctx.host):
                continue
            tc.relay_flow(t, label, c, p1, None, ctx.rng, n=5, channel=0x4abc)


def group_lifetimes(t, ctx):
    with ctx.client("bob") as c:
        res = c.allocate(lifetime=5000)
        if not tc.check_authed(t, "Allocate with LIFETIME 5000", c, res):
            return
        t.eq(c.lifetime, 3600, "Allocate LIFETIME 5000 is capped at turn.lifetime_max_s 3600")
        res = c.refresh(1200)
        if tc.check_authed(t, "Refresh LIFETIME 1200", c, res):
            t.eq(h.lifetime_of(res.msg), 1200, "Refresh LIFETIME 1200 grants 1200")
        res = c.refresh(100000)
        if tc.check_authed(t, "Refresh LIFETIME 100000", c, res):
            t.eq(h.lifetime_of(res.msg), 3600, "Refresh LIFETIME 100000 grants 3600 (the cap)")
        res = c.refresh()
        if tc.check_authed(t, "Refresh without LIFETIME", c, res):
            t.eq(h.lifetime_of(res.msg), 600, "Refresh without LIFETIME grants the default 600")
        with ctx.peer() as p:
            res = c.create_permission(p.address)
            tc.check_authed(t, "CreatePermission after the refreshes", c, res)
            res = c.refresh(0)
            if tc.check_authed(t, "Refresh LIFETIME 0", c, res):
                t.eq(h.lifetime_of(res.msg), 0, "Refresh LIFETIME 0 answers LIFETIME 0")
            res = c.create_permission(p.address)
            tc.check_authed(t, "CreatePermission after Refresh 0 (allocation deleted)", c,
                            res, 437)
            res = c.refresh(600)
            tc.check_authed(t, "Refresh after the deletion", c, res, 437)
            p.sendto(b"to a deleted allocation", c.relayed)
            t.eq(c.drain(tc.QUIET_S), [], "nothing relayed from a deleted allocation's address")
        res = c.allocate()
        tc.check_authed(t, "a new Allocate on the 5-tuple of a deleted allocation", c, res)
    with ctx.client("dave") as c:
        res = c.allocate(lifetime=30)
        if tc.check_authed(t, "Allocate with LIFETIME 30", c, res):
            t.eq(c.lifetime, 600, "Allocate LIFETIME 30 is raised to the least granted, 600")


def group_retransmit(t, ctx):
    with ctx.client("erin") as c:
        res = c.allocate()
        if not tc.check_authed(t, "retransmission: first Allocate", c, res):
            return
        first_relayed = c.relayed
        again = c.transact(res.request, res.txid, authenticated=True)
        t.eq(again.code(), 0, "Allocate retransmitted (same transaction id) gets a success",
             again.describe())
        if again.ok():
            relayed = h.decode_address(again.msg.attr(h.ATTR_XOR_RELAYED_ADDRESS),
                                       again.txid, True) \
                if again.msg.has(h.ATTR_XOR_RELAYED_ADDRESS) else None
            t.eq(relayed, first_relayed,
                 "the retransmission's answer has the same XOR-RELAYED-ADDRESS")
            t.eq(again.integrity, True, "the retransmission's answer has valid integrity")
        res = c.allocate()
        tc.check_authed(t, "a new Allocate (new transaction id) on an allocated 5-tuple",
                        c, res, 437)


def group_integrity_kinds(t, ctx):
    kinds = [("sha256", "sha256"), ("md5", "sha256"), ("sha256", "sha1"),
             ("legacy", "sha1")]
    for algorithm, integrity in kinds:
        label = "PASSWORD-ALGORITHM %s with %s" % (algorithm, tc.integrity_name(integrity))
        if algorithm == "legacy":
            label = "no PASSWORD-ALGORITHM(S) (RFC 5389 client) with MESSAGE-INTEGRITY"
        with ctx.client("frank", algorithm=algorithm, integrity=integrity) as c:
            res = c.allocate()
            if not tc.check_authed(t, label + ": Allocate", c, res):
                continue
            with ctx.peer() as p:
                res = c.create_permission(p.address)
                tc.check_authed(t, label + ": CreatePermission", c, res)
            res = c.refresh(0)
            tc.check_authed(t, label + ": Refresh 0", c, res)


def group_challenge(t, ctx):
    """An Allocate without credentials: 401 and what it must carry."""
    for fp in (False, True):
        label = "Allocate without credentials%s" % (" (with FINGERPRINT)" if fp else "")
        req, txid = h.build_message(h.METHOD_ALLOCATE, h.CLASS_REQUEST, attrs=[
            (h.ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", h.TRANSPORT_UDP, 0, 0))],
            fingerprint=fp)
        with h.udp_socket(ctx.host) as s:
            res = h.udp_transaction(s, ctx.server, req, txid)
        if not t.ok(res.msg is not None, "%s: answered" % label, res.error or "no answer"):
            continue
        AMPLIFICATION.append((label, len(req), len(res.raw)))
        msg = res.msg
        code = msg.error_code() if msg.is_error() else None
        t.eq(code[0] if code else None, 401, "%s: 401" % label, "%r" % (code,))
        t.eq(msg.attr(h.ATTR_REALM), REALM.encode(), "%s: REALM is auth.realm" % label)
        nonce = msg.attr(h.ATTR_NONCE) or b""
        t.ok(h.nonce_features(nonce) is not None,
             "%s: NONCE starts with obMatJos2 and 4 feature characters" % label,
             "nonce %r" % nonce)
        feats = h.nonce_features(nonce) or 0
        t.ok(feats & 0x800000 or feats & 0x1,
             "%s: the nonce's feature bits announce password algorithms" % label,
             "features 0x%06x" % feats)
        try:
            algs = [a for a, _ in h.parse_password_algorithms(
                msg.attr(h.ATTR_PASSWORD_ALGORITHMS) or b"")]
        except h.StunParseError as e:
            algs = str(e)
        t.ok(isinstance(algs, list) and h.PASSWORD_ALG_MD5 in algs
             and h.PASSWORD_ALG_SHA256 in algs,
             "%s: PASSWORD-ALGORITHMS lists MD5 (1) and SHA-256 (2)" % label, "%r" % (algs,))
        t.ok(not msg.has(h.ATTR_MESSAGE_INTEGRITY) and not msg.has(
            h.ATTR_MESSAGE_INTEGRITY_SHA256), "%s: no integrity attribute in the 401" % label)
        t.eq(msg.fingerprint_status(), True if fp else None,
             "%s: FINGERPRINT %s" % (label, "valid" if fp else "absent, as in the request"))


def expect_refused(t, label, c, code=401):
    res = c.allocate()
    note_unauthenticated(label, [c])
    t.eq(res.code(), code, "%s: Allocate refused with %d" % (label, code), res.describe())
    if res.msg is not None and res.code() == 401:
        t.ok(res.msg.has(h.ATTR_NONCE) and res.msg.has(h.ATTR_REALM),
             "%s: the 401 carries NONCE and REALM" % label)
    return res


def group_bad_credentials(t, ctx):
    with ctx.client("alice", "not-the-password") as c:
        expect_refused(t, "wrong password", c)
    with ctx.client("mallory", "whatever") as c:
        expect_refused(t, "unknown user", c)
    with ctx.rest_client("carol", "s1", valid_for_s=-60) as c:
        expect_refused(t, "expired shared-secret username", c)
    with ctx.rest_client("carol", "not-a-listed-secret") as c:
        expect_refused(t, "shared-secret username signed with an unlisted secret", c)
    # RFC 8489 §9.2.4: PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS is a 400.
    with ctx.client("alice") as c:
        if not tc.check_authed(t, "PASSWORD-ALGORITHM alone: a first Allocate to learn a nonce",
                               c, c.allocate()):
            return
        c.refresh(0)
        saved = c.algorithms_raw
        c.algorithms_raw = None
        c.algorithm = "legacy"
        req, txid, _ = c.build(h.METHOD_ALLOCATE, [
            (h.ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", h.TRANSPORT_UDP, 0, 0)),
            (h.ATTR_PASSWORD_ALGORITHM, struct.pack("!HH", h.PASSWORD_ALG_MD5, 0))])
        res = c.transact(req, txid, authenticated=True)
        t.eq(res.code(), 400, "PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS: 400",
             res.describe())
        c.algorithms_raw = saved


def group_allocate_errors(t, ctx):
    with ctx.client("alice") as c:
        tc.check_authed(t, "REQUESTED-TRANSPORT TCP", c, c.allocate(transport=h.TRANSPORT_TCP),
                        442)
        tc.check_authed(t, "REQUESTED-ADDRESS-FAMILY 0x03", c, c.allocate(family=0x03), 440)
        res = c.request(h.METHOD_ALLOCATE, [])
        tc.check_authed(t, "Allocate without REQUESTED-TRANSPORT", c, res, 400)
        res = c.allocate(extra=[(0x7F01, b"\0\0\0\0")])
        tc.check_authed(t, "Allocate with an unknown comprehension-required attribute", c,
                        res, 420)
        if res.msg is not None:
            t.eq(res.msg.unknown_attributes(), [0x7F01], "the 420 lists 0x7F01 in "
                 "UNKNOWN-ATTRIBUTES")
        res = c.allocate()
        tc.check_authed(t, "after the refused Allocates, the same 5-tuple allocates", c, res)
        c.refresh(0)


def group_peer_errors(t, ctx):
    with ctx.client("alice") as c, ctx.peer(echo=False) as p1, ctx.peer(echo=False) as p2, \
            ctx.peer(echo=False) as p3, ctx.peer(echo=False) as p4, ctx.peer(echo=False) as p5:
        if not tc.check_authed(t, "peer errors: Allocate", c, c.allocate()):
            return
        own = (ctx.host, ctx.d.port)
        tc.check_authed(t, "CreatePermission for the server's own listening address", c,
                        c.create_permission(own), 403)
        tc.check_authed(t, "ChannelBind to the server's own listening address", c,
                        c.channel_bind(0x4100, own), 403)
        tc.check_authed(t, "CreatePermission for ::1 on an IPv4 allocation", c,
                        c.create_permission((h.LOOPBACK6, p1.port)), 443)
        for number in (0x3FFF, 0x8000, 0x7FFF, 0xFFFF):
            tc.check_authed(t, "ChannelBind with channel number 0x%04X" % number, c,
                            c.channel_bind(number, p1.address), 400)
        good = [(0x4000, p1), (0x4FFF, p2), (0x5000, p3), (0x7FFE, p4)]
        for number, p in good:
            tc.check_authed(t, "ChannelBind with channel number 0x%04X" % number, c,
                            c.channel_bind(number, p.address))
        tc.check_authed(t, "ChannelBind of channel 0x4000 (bound) to another peer", c,
                        c.channel_bind(0x4000, p5.address), 400)
        tc.check_authed(t, "ChannelBind of a bound peer to another channel", c,
                        c.channel_bind(0x4001, p1.address), 400)
        tc.check_authed(t, "ChannelBind of 0x4000 to its own peer again", c,
                        c.channel_bind(0x4000, p1.address))
        # The relay still works on the channels that were accepted.
        p5.echo = True
        tc.check_authed(t, "ChannelBind 0x4002 to a fifth peer", c,
                        c.channel_bind(0x4002, p5.address))
        c.send_channel_data(0x4002, b"still relaying")
        ev = c.receive(2.0)
        t.ok(ev is not None and ev.channel == 0x4002 and ev.data == b"still relaying",
             "after the refused ChannelBinds, data flows on an accepted channel",
             "event %r" % (ev,))


def malformed_variants(c, rng):
    """(label, bytes) datagrams that are malformed or cut short."""
    out = []
    bind, _ = h.binding_request(fingerprint=True)
    for n in range(len(bind)):
        fresh, _ = h.binding_request(fingerprint=True)
        out.append(("Binding cut to %d bytes" % n, fresh[:n]))
    rt = [(h.ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", h.TRANSPORT_UDP, 0, 0))]
    full, _, _ = c.build(h.METHOD_ALLOCATE, rt, fingerprint=False)
    for n in range(1, len(full)):
        req, _, _ = c.build(h.METHOD_ALLOCATE, rt, fingerprint=False)
        out.append(("authenticated Allocate cut to %d bytes" % n, req[:n]))
        if n >= h.HEADER_LEN and (n - h.HEADER_LEN) % 4 == 0:
            req, _, _ = c.build(h.METHOD_ALLOCATE, rt, fingerprint=False)
            out.append(("authenticated Allocate cut to %d bytes, length field fixed" % n,
                        req[:2] + struct.pack("!H", n - h.HEADER_LEN) + req[4:n]))
    req, _, _ = c.build(h.METHOD_ALLOCATE, rt, fingerprint=True)
    body = len(req) - h.HEADER_LEN
    for delta in (-8, -4, -1, 1, 4, 100, 0xFFFF - body):
        out.append(("Allocate with length field %+d" % delta,
                    req[:2] + struct.pack("!H", (body + delta) & 0xFFFF) + req[4:]))
    overrun, _ = h.build_message(h.METHOD_ALLOCATE, h.CLASS_REQUEST, attrs=rt)
    overrun = overrun[:2] + struct.pack("!H", 12) + overrun[4:] + struct.pack("!HH", 0x8022, 200)
    out.append(("Allocate with an attribute overrunning the message", overrun))
    for i in range(40):
        size = rng.randrange(1, 300)
        out.append(("random bytes #%d (%d bytes)" % (i, size),
                    bytes(rng.getrandbits(8) for _ in range(size))))
    for method in (h.METHOD_ALLOCATE, h.METHOD_REFRESH, h.METHOD_CREATE_PERMISSION,
                   h.METHOD_CHANNEL_BIND):
        for i in range(5):
            nattr = rng.randrange(1, 6)
            attrs = [(rng.choice((0x000C, 0x000D, 0x0012, 0x0013, 0x0019, 0x0006, 0x0014,
                                  0x0015, 0x0008, 0x001C, 0x8002, 0x001D, 0x8028)),
                      bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 40))))
                     for _ in range(nattr)]
            msg, _ = h.build_message(method, h.CLASS_REQUEST, attrs=attrs)
            out.append(("method 0x%03x with random attribute values #%d" % (method, i), msg))
    out.append(("ChannelData 0x4000 with a length past the datagram",
                struct.pack("!HH", 0x4000, 500) + b"short"))
    out.append(("ChannelData on an unbound channel, no allocation",
                h.channel_data(0x4123, b"nobody home")))
    out.append(("a lone ChannelData header", struct.pack("!HH", 0x4000, 0)))
    return out


def group_malformed(t, ctx):
    rng = h.seeded_random(8656)
    with ctx.client("alice") as c:
        c.request(h.METHOD_ALLOCATE, [(h.ATTR_REQUESTED_TRANSPORT, b"\x11\0\0\0")])
        c.refresh(0)
        # Without a nonce the Allocates below go unauthenticated: still cut.
        t.ok(c.can_authenticate(), "malformed: a nonce to build authenticated requests")
        variants = malformed_variants(c, rng)
    by_txid = {}
    answers = []
    with h.udp_socket(ctx.host) as s:
        for i, (label, data) in enumerate(variants):
            if len(data) >= h.HEADER_LEN:
                by_txid.setdefault(data[8:20], (label, data))
            s.sendto(data, ctx.server)
            if i % 20 == 19:
                answers += _collect(s, 0.02)
        answers += _collect(s, 0.6)
    successes, unparsed, unmatched, answered = [], [], [], []
    for raw in answers:
        try:
            msg = h.parse_message(raw)
        except h.StunParseError as e:
            unparsed.append((str(e), raw[:24].hex()))
            continue
        origin = by_txid.get(msg.txid)
        if origin is None:
            unmatched.append(raw[:24].hex())
            continue
        AMPLIFICATION.append(("malformed: " + origin[0], len(origin[1]), len(raw)))
        ec = msg.error_code() if msg.is_error() else None
        answered.append("%s -> %s" % (origin[0], ec[0] if ec else "class %d" % msg.cls))
        if not msg.is_error():
            successes.append(origin[0])
    t.diag("malformed: %d datagrams sent, %d answers:" % (len(variants), len(answers)))
    for line in answered:
        t.diag("  " + line)
    t.ok(not successes, "malformed: no truncated or corrupted request gets a success",
         "successes: %r" % successes[:10])
    t.ok(not unparsed, "malformed: every answer is a well-formed STUN message",
         "unparsed: %r" % unparsed[:5])
    t.ok(not unmatched, "malformed: every answer matches a request's transaction id",
         "unmatched: %r" % unmatched[:5])
    t.ok(ctx.d.alive(), "malformed: ternd still running", ctx.d.log_tail())
    with h.udp_socket(ctx.host) as s:
        req, txid = h.binding_request()
        res = h.udp_transaction(s, ctx.server, req, txid)
        t.ok(res.msg is not None and res.msg.is_success(),
             "malformed: a Binding request afterwards succeeds", res.error or "no answer")
    with ctx.client("alice") as c:
        tc.check_authed(t, "malformed: an Allocate afterwards", c, c.allocate())
        c.refresh(0)


def _collect(sock, wait):
    got = []
    deadline = time.monotonic() + wait
    while True:
        data = h._recv_until(sock, deadline)
        if data is None:
            return got
        got.append(data)


def group_unauth_methods(t, ctx):
    """Requests without credentials for each method: measured, never a success."""
    cases = [
        ("Binding", h.METHOD_BINDING, []),
        ("Allocate", h.METHOD_ALLOCATE,
         [(h.ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", 17, 0, 0))]),
        ("Refresh", h.METHOD_REFRESH, []),
        ("CreatePermission", h.METHOD_CREATE_PERMISSION,
         [(h.ATTR_XOR_PEER_ADDRESS, h.encode_xor_address("127.0.0.1", 9, b"\0" * 12))]),
        ("ChannelBind", h.METHOD_CHANNEL_BIND,
         [(h.ATTR_CHANNEL_NUMBER, b"\x40\x00\0\0"),
          (h.ATTR_XOR_PEER_ADDRESS, h.encode_xor_address("127.0.0.1", 9, b"\0" * 12))]),
        ("Allocate with USERNAME alice but no integrity", h.METHOD_ALLOCATE,
         [(h.ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", 17, 0, 0)),
          (h.ATTR_USERNAME, b"alice")]),
    ]
    with h.udp_socket(ctx.host) as s:
        for label, method, attrs in cases:
            req, txid = h.build_message(method, h.CLASS_REQUEST, attrs=attrs)
            res = h.udp_transaction(s, ctx.server, req, txid, timeout=1.5)
            if res.raw is not None:
                AMPLIFICATION.append(("unauthenticated " + label, len(req), len(res.raw)))
            if method == h.METHOD_BINDING:
                t.ok(res.msg is not None and res.msg.is_success(),
                     "unauthenticated Binding is answered with a success")
            else:
                t.ok(res.msg is None or res.msg.is_error(),
                     "unauthenticated %s gets no success" % label,
                     res.msg and "class %d" % res.msg.cls)


def group_ipv6(t, ctx6):
    # RFC 8656 §7.2: without REQUESTED-ADDRESS-FAMILY the relayed address is
    # IPv4, whatever the family of the client's own transport.
    with ctx6.client("alice") as c:
        res = c.allocate()
        if tc.check_authed(t, "IPv6 client, no REQUESTED-ADDRESS-FAMILY: Allocate", c, res):
            t.ok(c.relayed is not None and ":" not in c.relayed[0],
                 "IPv6 client, no REQUESTED-ADDRESS-FAMILY: the relayed address is IPv4",
                 "relayed %r" % (c.relayed,))
            c.refresh(0)
    with ctx6.client("alice") as c, ctx6.peer() as p1:
        res = c.allocate(family=h.FAMILY_IPV6)
        if not tc.check_allocation(t, "IPv6 (REQUESTED-ADDRESS-FAMILY IPv6)", c, res,
                                   ctx6.window, h.LOOPBACK6):
            return
        res = c.create_permission(p1.address)
        if not tc.check_authed(t, "IPv6: CreatePermission for [::1]", c, res):
            return
        tc.check_send_data(t, "IPv6 Send/Data", c, p1, tc.payloads(ctx6.rng, 5, b"SND6"))
        if not tc.check_authed(t, "IPv6: ChannelBind", c, c.channel_bind(0x4006, p1.address)):
            return
        tc.check_channel_data(t, "IPv6 ChannelData", c, 0x4006, p1,
                              tc.payloads(ctx6.rng, 5, b"CHN6"))
        tc.check_authed(t, "IPv6: CreatePermission for 127.0.0.1 on an IPv6 allocation", c,
                        c.create_permission((h.LOOPBACK4, p1.port)), 443)
        tc.check_authed(t, "IPv6: CreatePermission for the server's own [::1] port", c,
                        c.create_permission((h.LOOPBACK6, ctx6.d.port)), 403)


def group_amplification(t):
    if not t.ok(AMPLIFICATION, "amplification: responses to unauthenticated requests measured"):
        return
    worst = max(AMPLIFICATION, key=lambda a: a[2] / max(a[1], 1))
    over = [a for a in AMPLIFICATION if a[2] > a[1] + AMPLIFICATION_SLACK]
    biggest = max(AMPLIFICATION, key=lambda a: a[2] - a[1])
    t.diag("amplification: %d responses measured; largest ratio %.2f (%s: %d -> %d bytes); "
           "largest growth %+d bytes (%s)" % (
               len(AMPLIFICATION), worst[2] / max(worst[1], 1), worst[0], worst[1], worst[2],
               biggest[2] - biggest[1], biggest[0]))
    t.ok(not over, "amplification: every response to an unauthenticated request is at most "
         "request + %d bytes (largest ratio %.2f: %d -> %d bytes)"
         % (AMPLIFICATION_SLACK, worst[2] / max(worst[1], 1), worst[1], worst[2]),
         "over: %r" % over[:10])


def run_main(t):
    v6 = h.ipv6_usable()
    hosts = [h.LOOPBACK4] + ([h.LOOPBACK6] if v6 else [])
    window = h.pick_relay_window(hosts=hosts)
    conf = h.turn_config(window, users=USERS, secrets=SECRETS, realm=REALM)
    with h.Ternd(t, config=conf, listen=hosts, avoid_ports=window, name="ternd main") as d:
        ctx = Ctx(d, window)
        t.run("static user", group_static_user, t, ctx)
        t.run("shared secret", group_rest_user, t, ctx)
        t.run("lifetimes", group_lifetimes, t, ctx)
        t.run("retransmit", group_retransmit, t, ctx)
        t.run("integrity kinds", group_integrity_kinds, t, ctx)
        t.run("challenge", group_challenge, t, ctx)
        t.run("bad credentials", group_bad_credentials, t, ctx)
        t.run("allocate errors", group_allocate_errors, t, ctx)
        t.run("peer errors", group_peer_errors, t, ctx)
        t.run("unauthenticated methods", group_unauth_methods, t, ctx)
        t.run("malformed", group_malformed, t, ctx)
        if v6:
            t.run("ipv6", group_ipv6, t, Ctx(d, window, h.LOOPBACK6))
        else:
            t.skip("TURN over [::1]", "IPv6 loopback unusable here")


# ---------------------------------------------------------------- other instances


def run_stale_nonce(t):
    window = h.pick_relay_window(size=20)
    conf = h.turn_config(window, users=USERS, realm=REALM, auth={"nonce_lifetime_s": 2})
    accepted, why = h.config_accepted(conf)
    if not accepted:
        t.skip("stale nonce: 438 with a new NONCE",
               "auth.nonce_lifetime_s = 2 refused by the configuration: %s" % why)
        return
    with h.Ternd(t, config=conf, avoid_ports=window, name="ternd nonce_lifetime_s=2") as d:
        ctx = Ctx(d, window)
        with ctx.client("alice") as c:
            if not tc.check_authed(t, "stale nonce: Allocate with a fresh nonce", c,
                                   c.allocate()):
                return
            old = c.nonce
            time.sleep(3.5)
            res = c.refresh(600)
            stale = c.challenges[-1] if c.challenges else None
            t.ok(stale is not None and stale.code() == 438,
                 "stale nonce: a request with a 3.5 s old nonce gets 438",
                 stale.describe() if stale else "no challenge: %s" % res.describe())
            if stale is not None and stale.msg is not None:
                new = stale.msg.attr(h.ATTR_NONCE)
                t.ok(new is not None and new != old, "stale nonce: the 438 carries a new NONCE",
                     "old %r new %r" % (old, new))
                t.ok(stale.msg.has(h.ATTR_REALM), "stale nonce: the 438 carries REALM")
                AMPLIFICATION.append(("438 stale nonce", len(stale.request), len(stale.raw)))
            tc.check_authed(t, "stale nonce: the request retried with the new nonce", c, res)


def run_quota(t):
    window = h.pick_relay_window(size=20)
    conf = h.turn_config(window, users=USERS, secrets=SECRETS, realm=REALM, allow=None,
                         turn={"max_allocations_per_user": 1, "max_allocations_per_ip": 2})
    with h.Ternd(t, config=conf, avoid_ports=window, name="ternd quota") as d:
        ctx = Ctx(d, window)
        with ctx.client("alice") as a1, ctx.client("alice") as a2, ctx.client("bob") as b, \
                ctx.rest_client("carol") as c3, ctx.peer() as p:
            if not tc.check_authed(t, "quota: alice's first allocation", a1, a1.allocate()):
                return
            for ip, port in DENIED_PEERS:
                tc.check_authed(t, "default policy: CreatePermission for %s" % ip, a1,
                                a1.create_permission((ip, port)), 403)
            tc.check_authed(t, "default policy: CreatePermission for 127.0.0.1 (loopback)", a1,
                            a1.create_permission(p.address), 403)
            tc.check_authed(t, "default policy: ChannelBind to 10.0.0.1", a1,
                            a1.channel_bind(0x4000, DENIED_PEERS[0]), 403)
            tc.check_authed(t, "default policy: ChannelBind to 127.0.0.1 (loopback)", a1,
                            a1.channel_bind(0x4001, p.address), 403)
            a1.send_indication(p.address, b"denied peer")
            time.sleep(tc.QUIET_S)
            t.eq(p.count(), 0, "default policy: a Send indication to 127.0.0.1 is not relayed")
            tc.check_authed(t, "max_allocations_per_user 1: alice's second allocation", a2,
                            a2.allocate(), 486)
            tc.check_authed(t, "max_allocations_per_user 1: bob's allocation", b, b.allocate())
            tc.check_authed(t, "max_allocations_per_ip 2: a third allocation from 127.0.0.1",
                            c3, c3.allocate(), 486)
            tc.check_authed(t, "quota: alice deletes her allocation", a1, a1.refresh(0))
            tc.check_authed(t, "max_allocations_per_ip 2: after a deletion, the third "
                            "allocation succeeds", c3, c3.allocate())


def run_capacity(t):
    window = h.pick_relay_window(size=2)
    conf = h.turn_config(window, users=USERS, realm=REALM, turn={"channel_strict": True})
    with h.Ternd(t, config=conf, avoid_ports=window, name="ternd 2 relay ports") as d:
        ctx = Ctx(d, window)
        with ctx.client("alice") as c1, ctx.client("bob") as c2, ctx.client("dave") as c3, \
                ctx.peer() as p:
            tc.check_authed(t, "2 relay ports: first allocation", c1, c1.allocate())
            tc.check_authed(t, "2 relay ports: second allocation", c2, c2.allocate())
            tc.check_authed(t, "2 relay ports: third allocation", c3, c3.allocate(), 508)
            tc.check_authed(t, "2 relay ports: first allocation deleted", c1, c1.refresh(0))
            tc.check_authed(t, "2 relay ports: third allocation once a port is free", c3,
                            c3.allocate())
            tc.check_authed(t, "channel_strict: ChannelBind 0x5000", c2,
                            c2.channel_bind(0x5000, p.address), 400)
            tc.check_authed(t, "channel_strict: ChannelBind 0x4FFF", c2,
                            c2.channel_bind(0x4FFF, p.address))


def main():
    t = h.Tap(timeout_s=55)
    for name, func in (("main", run_main), ("stale nonce", run_stale_nonce),
                       ("quota", run_quota), ("capacity", run_capacity)):
        try:
            t.run(name, func, t)
        except h.TerndStartError:
            pass
    group_amplification(t)
    t.finish()


if __name__ == "__main__":
    main()
