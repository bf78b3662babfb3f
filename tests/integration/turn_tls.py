#!/usr/bin/python3
"""TURN over TLS and DTLS, with UDP, TCP, TLS and DTLS on one port.

A self-signed P-256 certificate is made with `openssl req` in a temporary
directory; ternd gets it as tls.cert/tls.key and listens on one port for
everything (plus tls.port, a second free port).

Checks:
  - one port: a Binding over UDP, TCP and TLS, and coturn's
    turnutils_uclient over UDP, TCP, TLS (-t -S) and DTLS (-S) relaying to
    turnutils_peer with zero loss and exact counts, all on the same port
    number at the same time; the tls.port answers TLS too;
  - TLS: Allocate, permissions, Send/Data and ChannelData both ways over
    the Python ssl module, the allocation ending with its connection;
    TLS 1.3 by default, TLS 1.2 with an ECDHE AEAD
    suite, TLS 1.1 refused by the server (its protocol_version alert),
    session resumption (TLS 1.2 ticket), ALPN stun.turn answered, another
    ALPN and none accepted;
  - DTLS: a hand-made ClientHello gets a HelloVerifyRequest and no session
    (tern_dtls_sessions stays 0); echoing the cookie gets a ServerHello; a
    wrong cookie does not; the half-done session is dropped at the timeout;
  - handshake timeout (2 s): a TCP client sending nothing, and one sending
    half a ClientHello, are closed after about 2 s, not before 1.5 s;
  - SIGHUP: with a TLS allocation relaying, the certificate files are
    replaced and SIGHUP sent: the old connection keeps relaying, a new
    connection sees the new certificate; a broken file then keeps it;
  - a TLS client that stops reading while its peer floods 9.6 MB: the
    excess is dropped and counted, the rest arrives, the stream stays in step;
  - a DTLS client restarting from the same port (openssl s_client -bind)
    is answered at once;
  - listen.tcp_max_connections_per_ip = 3 (a second ternd, with
    tls.dtls = false): the fourth connection from 127.0.0.1 is closed at
    once while the three answer; DTLS gets no answer.
"""

import concurrent.futures
import os
import random
import re
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402
import turn_checks as tc  # noqa: E402

UCLIENT = "/usr/bin/turnutils_uclient"
PEER = "/usr/bin/turnutils_peer"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
USERS = [("alice", "secret1"), ("bob", "secret2")]
HANDSHAKE_TIMEOUT_S = 2
TOOL_TIMEOUT_S = 20
LOST = re.compile(r"Total lost packets (\d+) \(")
MSGS = re.compile(r"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$", re.MULTILINE)


def make_cert(directory, name, cn):
    cert = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    h.run_tool([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                "-keyout", key, "-out", cert], timeout=20)
    if not (os.path.exists(cert) and os.path.exists(key)):
        raise RuntimeError("openssl req made no certificate")
    return cert, key


def cert_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def tls_ctx(minimum=None, maximum=None, alpn=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if ciphers:
        ctx.set_ciphers(ciphers)
    if minimum:
        ctx.minimum_version = minimum
    if maximum:
        ctx.maximum_version = maximum
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def tls_connect(port, ctx=None, session=None):
    raw = h.tcp_connect(h.LOOPBACK4, port)
    try:
        return (ctx or tls_ctx()).wrap_socket(raw, server_hostname="localhost", session=session)
    except Exception:
        raw.close()
        raise


def metrics(d, label=None):
    """The sum of each tern_* sample over its labels (only samples carrying label, a text such
    as 'transport="tls"', when given)."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % d.http_port, timeout=3) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        if label is not None and label not in name:
            continue
        name = name.split("{", 1)[0]
        out[name] = out.get(name, 0) + float(value)
    return out


def binding_ok(c):
    req, txid = h.binding_request()
    res = c.transact(req, txid)
    return res.msg is not None and res.msg.is_success() and h.same_address(
        res.msg.xor_mapped_address(), c.local_address())


class Ctx:
    def __init__(self, d, window, tmp, tls_port):
        self.d = d
        self.window = window
        self.tmp = tmp
        self.tls_port = tls_port
        self.server = (h.LOOPBACK4, d.port)
        self.avoid = set(window) | {d.port, tls_port}

    def client(self, transport, user="alice", **kw):
        return h.TurnClient(self.server, transport, user, dict(USERS)[user], **kw)

    def peer(self):
        return h.UdpPeer(h.LOOPBACK4, echo=True, avoid=self.avoid)


# ---------------------------------------------------------------- one port


def group_one_port(t, ctx):
    for transport in ("udp", "tcp", "tls"):
        with ctx.client(transport) as c:
            t.ok(binding_ok(c), "port %d: a Binding over %s is answered" % (ctx.d.port, transport))
    with h.TurnClient((h.LOOPBACK4, ctx.tls_port), "tls", "alice", "secret1") as c:
        t.ok(binding_ok(c), "tls.port %d: a Binding over TLS is answered" % ctx.tls_port)
    with h.TurnClient((h.LOOPBACK4, ctx.tls_port), "udp", "alice", "secret1") as c:
        t.ok(binding_ok(c), "tls.port %d: a Binding over UDP is answered" % ctx.tls_port)


def run_uclient(flags, port, peer_port):
    argv = [UCLIENT] + flags + ["-c", "-n", "40", "-l", "120", "-z", "5", "-u", "alice",
                                "-w", "secret1", "-e", h.LOOPBACK4, "-r", str(peer_port),
                                "-p", str(port), h.LOOPBACK4]
    status, out = h.run_client(argv, TOOL_TIMEOUT_S)
    return argv, status, out


def start_peer(avoid):
    """turnutils_peer on a free port outside avoid. Returns (Popen, port).
    turnutils_peer keeps running when its bind fails, so the port must
    answer an echo probe (the runs use -c: only this port, not port + 1)."""
    for _ in range(20):
        port = h.free_port(avoid=avoid)
        proc = h.track_process(subprocess.Popen(
            [PEER, "-L", h.LOOPBACK4, "-p", str(port)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.3)
        if proc.poll() is None and h.udp_echoes(h.LOOPBACK4, port):
            return proc, port
        h.stop_process(proc)
    raise RuntimeError("turnutils_peer did not start")


def group_uclient(t, ctx):
    if not (os.access(UCLIENT, os.X_OK) and os.access(PEER, os.X_OK)):
        t.skip("turnutils_uclient over UDP, TCP, TLS and DTLS", "coturn tools missing")
        return
    runs = [("UDP", []), ("TCP", ["-t"]), ("TLS", ["-t", "-S"]), ("DTLS", ["-S"])]
    before = metrics(ctx.d)
    peer, peer_port = start_peer(ctx.avoid)
    try:
        with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
            futures = [(label, pool.submit(run_uclient, flags, ctx.d.port, peer_port))
                       for label, flags in runs]
            for label, fut in futures:
                argv, status, out = fut.result()
                diag = "command: %s\n%s" % (" ".join(argv), "\n".join(out.splitlines()[-12:]))
                lost = LOST.findall(out)
                msgs = MSGS.findall(out)
                t.ok(status == 0 and lost and lost[-1] == "0" and msgs
                     and msgs[-1] == ("40", "40"),
                     "uclient over %s on port %d (shared): 40 sent, 40 received, 0 lost"
                     % (label, ctx.d.port), diag)
    finally:
        h.stop_process(peer)
    after = metrics(ctx.d)
    for name in ("tern_tls_handshakes_total", "tern_dtls_handshakes_total"):
        t.ok(after.get(name, 0) > before.get(name, 0), "metrics: %s grew (%s -> %s)"
             % (name, before.get(name), after.get(name)))


# ---------------------------------------------------------------- TLS


def group_tls_relay(t, ctx):
    rng = random.Random(5349)
    with ctx.client("tls") as c, ctx.peer() as p1, ctx.peer() as p2:
        t.eq(c.sock.version(), "TLSv1.3", "TLS: a default client negotiates TLS 1.3")
        res = c.allocate()
        if not tc.check_allocation(t, "TLS allocation", c, res, ctx.window, h.LOOPBACK4):
            return
        tc.relay_flow(t, "TLS", c, p1, p2, rng)
        live = metrics(ctx.d, 'transport="tls"').get("tern_allocations_active")
        t.ok(live is not None and live >= 1, "TLS: the allocation counts as a tls one (%s)" % live)
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        live = metrics(ctx.d, 'transport="tls"').get("tern_allocations_active")
        if live == 0:
            break
        time.sleep(0.1)
    t.eq(live, 0, "TLS: closing the connection ends its allocation (tls allocations active)")


def group_tls_versions(t, ctx):
    with tls_connect(ctx.d.port, tls_ctx(maximum=ssl.TLSVersion.TLSv1_2)) as s:
        name, version, _ = s.cipher()
        t.ok(s.version() == "TLSv1.2" and name.startswith("ECDHE-") and
             ("GCM" in name or "CHACHA20" in name),
             "TLS 1.2: negotiated with an ECDHE AEAD suite (%s %s)" % (s.version(), name))
    # The client allows TLS 1.0-1.1 (security level 0), so a refusal is the server's.
    old = tls_ctx(minimum=ssl.TLSVersion.TLSv1, maximum=ssl.TLSVersion.TLSv1_1,
                  ciphers="DEFAULT:@SECLEVEL=0")
    err = None
    try:
        with tls_connect(ctx.d.port, old):
            pass
    except (ssl.SSLError, OSError) as e:
        err = str(e)
    t.ok(err is not None and "PROTOCOL_VERSION" in err.upper(),
         "TLS 1.1: refused by the server with a protocol_version alert", "error: %r" % err)


def group_tls_resume(t, ctx):
    c12 = tls_ctx(maximum=ssl.TLSVersion.TLSv1_2)
    with tls_connect(ctx.d.port, c12) as s:
        first = s.session
        t.ok(not s.session_reused, "resumption: the first connection is a full handshake")
    with tls_connect(ctx.d.port, c12, session=first) as s:
        t.ok(s.session_reused, "resumption: the second connection resumes the session "
             "(session ticket)")


def group_alpn(t, ctx):
    for offered, expected in ((["stun.turn"], "stun.turn"), (["h2", "stun.turn"], "stun.turn"),
                              (["h2"], None), (None, None)):
        with tls_connect(ctx.d.port, tls_ctx(alpn=offered)) as s:
            t.eq(s.selected_alpn_protocol(), expected,
                 "ALPN: offered %s, server selects %s" % (offered, expected))


def group_slow_reader(t, ctx):
    """A TLS client that stops reading while its peer floods: the server queues a bounded
    amount, drops and counts the rest, and the connection is still in step afterwards."""
    before = metrics(ctx.d).get("tern_tcp_output_dropped_total", 0)
    with ctx.client("tls") as c, h.UdpPeer(h.LOOPBACK4, echo=False, avoid=ctx.avoid) as p:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
        if not tc.check_authed(t, "slow reader: TLS allocation", c, c.allocate()):
            return
        if not tc.check_authed(t, "slow reader: ChannelBind", c, c.channel_bind(0x4003,
                                                                               p.address)):
            return
        chunk = b"F" * 1200
        for i in range(8000):
            p.sendto(chunk, c.relayed)
            if i % 500 == 499:
                time.sleep(0.02)
        deadline = time.monotonic() + 5.0
        dropped = before
        while dropped <= before and time.monotonic() < deadline:
            time.sleep(0.2)
            dropped = metrics(ctx.d).get("tern_tcp_output_dropped_total", 0)
        t.ok(dropped > before, "slow reader: 9.6 MB for a client that does not read: the excess "
             "is dropped and counted (tern_tcp_output_dropped_total +%d)" % (dropped - before))
        got = c.drain(wait=1.5)
        t.ok(0 < len(got) < 8000 and all(ev.data == chunk for ev in got),
             "slow reader: what was queued arrives intact once it reads (%d of 8000)" % len(got))
        t.ok(binding_ok(c), "slow reader: the connection is still in step (a Binding answered)")
    t.ok(ctx.d.alive(), "slow reader: ternd still runs")


# ---------------------------------------------------------------- DTLS


def dtls_client_hello(cookie=b"", seq=0):
    """A minimal DTLS 1.2 ClientHello record (RFC 6347 section 4.2.1)."""
    suites = struct.pack("!HHHH", 0xC02B, 0xC02F, 0xC02C, 0xC030)
    groups = struct.pack("!HHH", 4, 0x001D, 0x0017)
    sigs = struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401)
    ext = (struct.pack("!HH", 0x000A, len(groups)) + groups
           + struct.pack("!HHBB", 0x000B, 2, 1, 0)
           + struct.pack("!HH", 0x000D, len(sigs)) + sigs)
    body = (b"\xfe\xfd" + os.urandom(32) + b"\x00" + bytes([len(cookie)]) + cookie
            + struct.pack("!H", len(suites)) + suites + b"\x01\x00"
            + struct.pack("!H", len(ext)) + ext)
    hs = (b"\x01" + struct.pack("!I", len(body))[1:] + struct.pack("!H", seq)
          + b"\x00\x00\x00" + struct.pack("!I", len(body))[1:] + body)
    return b"\x16\xfe\xfd" + b"\x00\x00" + struct.pack("!Q", seq)[2:] + \
        struct.pack("!H", len(hs)) + hs


def dtls_read(sock, timeout=2.0):
    sock.settimeout(timeout)
    try:
        return sock.recv(65536)
    except socket.timeout:
        return None


def group_dtls_cookie(t, ctx):
    m0 = metrics(ctx.d)
    with h.udp_socket(h.LOOPBACK4) as s:
        s.connect(ctx.server)
        s.send(dtls_client_hello())
        hvr = dtls_read(s)
        t.ok(hvr is not None and len(hvr) > 28 and hvr[0] == 22 and hvr[13] == 3,
             "DTLS: a ClientHello without cookie gets a HelloVerifyRequest",
             "reply: %r" % (hvr[:40].hex() if hvr else None))
        if not hvr or len(hvr) <= 28:
            return
        cookie = hvr[28:28 + hvr[27]]
        t.eq(metrics(ctx.d).get("tern_dtls_sessions", -1), m0.get("tern_dtls_sessions", 0),
             "DTLS: no session kept before the cookie comes back")
        bad = bytes(b ^ 0xFF for b in cookie)
        s.send(dtls_client_hello(bad, seq=1))
        reply = dtls_read(s, 1.0)
        t.ok(reply is None or reply[13] != 2,
             "DTLS: a wrong cookie gets no ServerHello", "reply: %r" % (reply,))
        t.eq(metrics(ctx.d).get("tern_dtls_sessions", -1), m0.get("tern_dtls_sessions", 0),
             "DTLS: still no session after a wrong cookie")
        s.send(dtls_client_hello(cookie, seq=1))
        reply = dtls_read(s)
        t.ok(reply is not None and reply[0] == 22 and reply[13] == 2,
             "DTLS: the ClientHello echoing the cookie gets a ServerHello",
             "reply: %r" % (reply[:40].hex() if reply else None))
        t.eq(metrics(ctx.d).get("tern_dtls_sessions"), m0.get("tern_dtls_sessions", 0) + 1,
             "DTLS: one session once the cookie verified")
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT_S + 3
        while time.monotonic() < deadline:
            if metrics(ctx.d).get("tern_dtls_sessions") == m0.get("tern_dtls_sessions", 0):
                break
            time.sleep(0.2)
        m1 = metrics(ctx.d)
        t.ok(m1.get("tern_dtls_sessions") == m0.get("tern_dtls_sessions", 0) and
             m1.get("tern_handshake_timeouts_total", 0) > m0.get("tern_handshake_timeouts_total",
                                                                  0),
             "DTLS: the session that never finished its handshake is dropped at the timeout")


def dtls_binding(port, local_port, timeout=4.0):
    """A Binding request over DTLS with `openssl s_client -dtls1_2` from local_port; the client
    is then killed, sending no close_notify. True when the answer came."""
    argv = [OPENSSL, "s_client", "-dtls1_2", "-quiet", "-bind", "%s:%d" % (h.LOOPBACK4,
            local_port), "-connect", "%s:%d" % (h.LOOPBACK4, port)]
    proc = h.track_process(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL))
    req, txid = h.binding_request()
    got = b""
    try:
        time.sleep(0.3)
        proc.stdin.write(req)
        proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while txid not in got and time.monotonic() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
            if not r:
                break
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            got += chunk
    finally:
        proc.kill()
        h.stop_process(proc)
    return txid in got


def group_dtls_restart(t, ctx):
    """A client that restarts from the same address and port with a new handshake gets a new
    session at once (after the cookie), rather than waiting for the old one to time out."""
    local = h.free_port(avoid=ctx.avoid)
    t.ok(dtls_binding(ctx.d.port, local), "DTLS (openssl s_client): a Binding is answered")
    t.ok(dtls_binding(ctx.d.port, local),
         "DTLS: the same client address and port, restarted, handshakes again and is answered")


# ---------------------------------------------------------------- timeouts


def wait_closed_timed(sock, limit):
    t0 = time.monotonic()
    closed, _ = h.tcp_wait_closed(sock, limit)
    return closed, time.monotonic() - t0


def group_stall(t, ctx):
    silent = h.tcp_connect(h.LOOPBACK4, ctx.d.port)
    half = h.tcp_connect(h.LOOPBACK4, ctx.d.port)
    # A TLS record header announcing 512 bytes, and only the first few of them.
    half.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            fs = {label: pool.submit(wait_closed_timed, sock, HANDSHAKE_TIMEOUT_S + 4)
                  for label, sock in (("silent", silent), ("half ClientHello", half))}
            for label, fut in fs.items():
                closed, secs = fut.result()
                t.ok(closed and 1.5 <= secs <= HANDSHAKE_TIMEOUT_S + 3,
                     "handshake timeout: a %s client is closed after %d s (took %.1f s)"
                     % (label, HANDSHAKE_TIMEOUT_S, secs))
    finally:
        silent.close()
        half.close()


# ---------------------------------------------------------------- reload


def group_sighup(t, ctx, cert, key):
    old_der = cert_der(cert)
    new_cert, new_key = make_cert(ctx.tmp, "second", "second.test")
    new_der = cert_der(new_cert)
    with ctx.client("tls") as c, ctx.peer() as p:
        t.eq(c.sock.getpeercert(binary_form=True), old_der,
             "reload: the first connection sees the first certificate")
        if not tc.check_authed(t, "reload: TLS allocation", c, c.allocate()):
            return
        if not tc.check_authed(t, "reload: ChannelBind", c, c.channel_bind(0x4002, p.address)):
            return
        tc.check_channel_data(t, "reload: before SIGHUP, ChannelData", c, 0x4002, p,
                              [b"before-%d" % i for i in range(5)])
        shutil.copyfile(new_cert, cert)
        shutil.copyfile(new_key, key)
        ctx.d.send(signal.SIGHUP)
        t.ok(ctx.d.wait_line("CN=second.test", timeout=3.0),
             "reload: SIGHUP logs the new certificate")
        time.sleep(0.3)
        with tls_connect(ctx.d.port) as s:
            t.eq(s.getpeercert(binary_form=True), new_der,
                 "reload: a new connection sees the new certificate")
        with tls_connect(ctx.tls_port) as s:
            t.eq(s.getpeercert(binary_form=True), new_der,
                 "reload: a new connection to tls.port sees the new certificate")
        tc.check_channel_data(t, "reload: the old connection after SIGHUP, ChannelData", c,
                              0x4002, p, [b"after-%d" % i for i in range(5)])
        t.ok(binding_ok(c), "reload: the old connection still answers a Binding")
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        ctx.d.send(signal.SIGHUP)
        t.ok(ctx.d.wait_line("previous certificate stays", timeout=3.0),
             "reload: a broken certificate file is logged and refused")
        with tls_connect(ctx.d.port) as s:
            t.eq(s.getpeercert(binary_form=True), new_der,
                 "reload: after a failed reload new connections keep the last good certificate")
        tc.check_channel_data(t, "reload: the old connection still relays", c, 0x4002, p,
                              [b"last-%d" % i for i in range(3)])
    shutil.copyfile(new_cert, cert)


# ---------------------------------------------------------------- per-IP limit


def group_per_ip(t, conf, window):
    with h.Ternd(t, config=conf, avoid_ports=window, name="ternd per-ip",
                 args=["-t", "2"]) as d:
        held = []
        try:
            for i in range(3):
                c = h.TurnClient((h.LOOPBACK4, d.port), "tcp" if i % 2 else "tls")
                held.append(c)
            t.ok(all(binding_ok(c) for c in held),
                 "per-IP limit 3: three connections (TCP and TLS) from 127.0.0.1 answer")
            extra = h.tcp_connect(h.LOOPBACK4, d.port)
            closed, secs = wait_closed_timed(extra, 2.0)
            extra.close()
            t.ok(closed and secs < 1.0, "per-IP limit 3: a fourth connection is closed at once "
                 "(%.2f s)" % secs)
            t.ok(all(binding_ok(c) for c in held), "per-IP limit 3: the three still answer")
            held.pop().close()
            ok = False
            deadline = time.monotonic() + 3.0
            while not ok and time.monotonic() < deadline:
                time.sleep(0.2)
                try:
                    with h.TurnClient((h.LOOPBACK4, d.port), "tcp") as c:
                        ok = binding_ok(c)
                except (h.ConnectionClosed, OSError):
                    ok = False
            t.ok(ok, "per-IP limit 3: once one closes, a new connection is served")
            with h.udp_socket(h.LOOPBACK4) as u:
                u.connect((h.LOOPBACK4, d.port))
                u.send(dtls_client_hello())
                t.eq(dtls_read(u, 0.7), None, "tls.dtls = false: a DTLS ClientHello gets no answer")
        finally:
            for c in held:
                c.close()


def main():
    # TLS 1.0/1.1 on the client are deprecated in Python: asked for on purpose here.
    warnings.simplefilter("ignore", DeprecationWarning)
    t = h.Tap(timeout_s=90)
    if not os.access(OPENSSL, os.X_OK):
        t.skip("TURN over TLS and DTLS", "openssl command missing")
        t.finish()
    tmp = tempfile.mkdtemp(prefix="tern-tls-")
    try:
        cert, key = make_cert(tmp, "first", "localhost")
        window = h.pick_relay_window(size=200)
        tls_port = h.free_port(avoid=set(window))
        base = h.turn_config(window, users=USERS)
        conf = base + ('tls = {\n    cert = "%s";\n    key = "%s";\n    port = %d;\n'
                       '    handshake_timeout_s = %d;\n};\n'
                       % (cert, key, tls_port, HANDSHAKE_TIMEOUT_S))
        with h.Ternd(t, config=conf, avoid_ports=set(window) | {tls_port},
                     http_port="auto", args=["-t", "2"]) as d:
            ctx = Ctx(d, window, tmp, tls_port)
            t.run("one port", group_one_port, t, ctx)
            t.run("uclient", group_uclient, t, ctx)
            t.run("tls relay", group_tls_relay, t, ctx)
            t.run("tls versions", group_tls_versions, t, ctx)
            t.run("tls resume", group_tls_resume, t, ctx)
            t.run("alpn", group_alpn, t, ctx)
            t.run("slow reader", group_slow_reader, t, ctx)
            t.run("dtls cookie", group_dtls_cookie, t, ctx)
            t.run("dtls restart", group_dtls_restart, t, ctx)
            t.run("stall", group_stall, t, ctx)
            t.run("sighup", group_sighup, t, ctx, cert, key)
        limit_conf = conf.replace("port = %d;" % tls_port, "port = 0;\n    dtls = false;") + \
            "listen = {\n    tcp_max_connections_per_ip = 3;\n};\n"
        t.run("per-ip", group_per_ip, t, limit_conf, window)
    except h.TerndStartError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
