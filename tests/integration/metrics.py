#!/usr/bin/python3
"""The statistics endpoint and usage records against the real ternd.

One ternd with the endpoint on a free loopback port, a bearer token and a
usage file in a temporary directory. A known number of packets and bytes
is relayed each way through Send indications and ChannelData (an echo
peer answers each datagram), then:

  - /metrics carries the exact counts, and passes `promtool check metrics`;
  - /stats has the same figures as JSON, the workers and the top
    allocations; /health and /ready answer;
  - 404, 401 (missing or wrong token, with WWW-Authenticate), 405, an
    oversized request and a request body are refused, and the server still
    relays afterwards;
  - scrapes in a loop while relaying lose no packet;
  - a real Prometheus server scrapes ternd and reports the target up
    (skipped when the prometheus binary is missing);
  - the usage records of an allocation deleted by Refresh 0 and of one
    ended at shutdown are in the file with the right counts.
"""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

TOKEN = "scrape-token-1"
USERS = [("alice", "secret1"), ("bob", "secret2")]
SEND_N, SEND_LEN = 10, 100
CHAN_N, CHAN_LEN = 15, 200
CHANNEL = 0x4000


def get(port, path, token=TOKEN, method="GET", headers=None, body=None):
    """(status, headers, body text) of one request to the endpoint."""
    conn = http.client.HTTPConnection(h.LOOPBACK4, port, timeout=5)
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    conn.request(method, path, body=body, headers=hdrs)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, dict(r.getheaders()), data


def parse_metrics(text):
    """{'name{labels}': value} of the Prometheus text."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        out[key] = float(value)
    return out


def relay_known_traffic(tap, c, peer):
    """Relays SEND_N Send indications and CHAN_N ChannelData each way."""
    tap.ok(c.allocate().ok(), "allocate")
    tap.ok(c.create_permission(peer.address).ok(), "create permission")
    for i in range(SEND_N):
        c.send_indication(peer.address, bytes([i]) * SEND_LEN)
    got = c.receive_n(SEND_N, timeout=5.0)
    tap.eq(len(got), SEND_N, "every Send indication echoed back")
    tap.ok(c.channel_bind(CHANNEL, peer.address).ok(), "channel bind")
    for i in range(CHAN_N):
        c.send_channel_data(CHANNEL, bytes([i]) * CHAN_LEN)
    got = c.receive_n(CHAN_N, timeout=5.0)
    tap.eq(len(got), CHAN_N, "every ChannelData echoed back")


def check_counts(tap, port):
    status, hdrs, text = get(port, "/metrics")
    tap.eq(status, 200, "/metrics answers 200")
    tap.ok(hdrs.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
           "/metrics has the Prometheus content type")
    m = parse_metrics(text)
    packets = SEND_N + CHAN_N
    nbytes = SEND_N * SEND_LEN + CHAN_N * CHAN_LEN
    for d in ("client_to_peer", "peer_to_client"):
        tap.eq(m.get('tern_relay_packets_total{direction="%s"}' % d), packets,
               "relay packets %s exact" % d)
        tap.eq(m.get('tern_relay_bytes_total{direction="%s"}' % d), nbytes,
               "relay bytes %s exact" % d)
    tap.eq(m.get("tern_allocations_created_total"), 1, "one allocation created")
    tap.eq(m.get('tern_allocations_active{transport="udp",family="ipv4"}'), 1,
           "one UDP IPv4 allocation active")
    tap.eq(m.get('tern_requests_total{method="channel_bind",result="success"}'), 1,
           "one ChannelBind counted")
    tap.ok(m.get('tern_requests_total{method="allocate",result="error"}', 0) >= 1,
           "the 401 challenge of Allocate counted as an error")
    tap.ok(m.get("tern_relay_ports_free", 0) > 0, "relay ports free reported")
    tap.eq(m.get("tern_ready"), 1, "tern_ready is 1")
    for name in ("tern_build_info", "tern_process_start_time_seconds",
                 "tern_allocation_duration_seconds_count", "tern_allocation_relayed_bytes_count",
                 'tern_worker_allocations_active{worker="0"}', "tern_peer_denied_total",
                 "tern_quota_refused_total", "tern_bandwidth_dropped_packets_total",
                 "tern_tcp_connections_accepted_total", 'tern_auth_failures_total{reason="integrity"}'):
        tap.ok(any(k.startswith(name) for k in m), "metric %s present" % name)
    bad = [k for k in m if not k.startswith("tern_")]
    tap.eq(bad, [], "every metric name starts with tern_")
    promtool = shutil.which("promtool")
    if promtool is None:
        tap.skip("promtool check metrics", "promtool not installed (Debian package prometheus)")
    else:
        p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=20)
        tap.eq(p.returncode, 0, "promtool check metrics passes",
               (p.stdout + p.stderr).decode("utf-8", "replace"))
    return m


def check_stats(tap, port, m):
    doc = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status, _, body = get(port, "/stats")
        doc = json.loads(body)
        if doc.get("top_allocations"):
            break
        time.sleep(0.3)
    tap.eq(status, 200, "/stats answers 200")
    totals = doc["totals"]
    tap.eq(totals["relay_packets"]["client_to_peer"],
           m['tern_relay_packets_total{direction="client_to_peer"}'], "/stats packets match /metrics")
    tap.eq(totals["relay_bytes"]["peer_to_client"],
           m['tern_relay_bytes_total{direction="peer_to_client"}'], "/stats bytes match /metrics")
    tap.eq(len(doc["workers"]), 2, "/stats lists both workers")
    top = doc["top_allocations"]
    nbytes = SEND_N * SEND_LEN + CHAN_N * CHAN_LEN
    tap.ok(len(top) == 1 and top[0]["username"] == "alice" and top[0]["bytes_to_peer"] == nbytes
           and top[0]["bytes_to_client"] == nbytes, "top allocation: alice with her bytes",
           repr(top))


def check_refusals(tap, port):
    tap.eq(get(port, "/health", token=None)[0], 200, "/health answers 200 without a token")
    status, _, body = get(port, "/ready", token=None)
    tap.ok(status == 200 and body.strip() == "ready", "/ready says ready")
    tap.eq(get(port, "/nope")[0], 404, "an unknown path gets 404")
    status, hdrs, _ = get(port, "/metrics", token="wrong")
    tap.eq(status, 401, "a wrong token gets 401")
    tap.ok(hdrs.get("WWW-Authenticate", "").startswith("Bearer"), "401 names the Bearer scheme")
    tap.eq(get(port, "/stats", token=None)[0], 401, "a missing token gets 401")
    tap.eq(get(port, "/metrics", method="POST", body=b"x")[0], 405, "POST gets 405")
    tap.eq(get(port, "/metrics", method="GET", body=b"abc")[0], 413, "a GET with a body gets 413")
    try:
        status = get(port, "/metrics", headers={"X-Big": "a" * 16000})[0]
    except (OSError, http.client.HTTPException):
        status = "closed"
    tap.ok(status == "closed" or status in (413, 414, 431), "an oversized request is refused",
           "got %r" % (status,))
    with socket.create_connection((h.LOOPBACK4, port), timeout=3) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        s.settimeout(3)
        try:
            s.recv(100)
        except OSError:
            pass
    tap.eq(get(port, "/health", token=None)[0], 200, "the endpoint still answers afterwards")


def check_scrape_under_load(tap, port, c, peer):
    stop = threading.Event()
    scrapes = [0]

    def scrape():
        while not stop.is_set():
            get(port, "/metrics")
            get(port, "/stats")
            scrapes[0] += 1

    t = threading.Thread(target=scrape, daemon=True)
    t.start()
    n = 300
    got = 0
    for i in range(n):
        c.send_channel_data(CHANNEL, b"%05d" % i + b"z" * 95)
        if i % 20 == 19:
            got += len(c.receive_n(20, timeout=3.0))
    stop.set()
    t.join(10)
    tap.eq(got, n, "no packet lost while /metrics and /stats are scraped in a loop")
    tap.ok(scrapes[0] > 0, "scrapes ran during relaying (%d)" % scrapes[0])


def check_prometheus(tap, port, tmp):
    prom = shutil.which("prometheus")
    if prom is None:
        tap.skip("a Prometheus server scrapes ternd", "prometheus not installed")
        return
    web = h.free_port()
    conf = os.path.join(tmp, "prometheus.yml")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: tern\n    authorization:\n"
                "      credentials: %s\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % (TOKEN, port))
    proc = h.track_process(subprocess.Popen(
        [prom, "--config.file=" + conf, "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
         "--web.listen-address=127.0.0.1:%d" % web],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    health = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and health != "up":
        time.sleep(0.5)
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/targets" % web,
                                        timeout=2) as r:
                targets = json.load(r)["data"]["activeTargets"]
            health = targets[0]["health"] if targets else None
        except (OSError, ValueError, KeyError, IndexError):
            continue
    h.stop_process(proc)
    tap.eq(health, "up", "a real Prometheus server reports the ternd target up")


def check_bind_failure(tap):
    with socket.socket() as s:
        s.bind((h.LOOPBACK4, 0))
        s.listen(1)
        status, _, err = h.run_ternd(["-L", h.LOOPBACK4, "-p", str(h.free_port()), "-t", "1",
                                      "--http-port", str(s.getsockname()[1])])
    tap.eq(status, 1, "a taken HTTP port stops ternd at start-up")
    tap.ok("for the statistics endpoint failed: Address already in use" in err,
           "the failed bind() is named", err[-400:])


def read_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    tap = h.Tap(timeout_s=110)
    tap.run("bind failure", check_bind_failure, tap)
    window = h.pick_relay_window()
    tmp = tempfile.mkdtemp(prefix="tern-metrics-")
    usage = os.path.join(tmp, "usage.jsonl")
    config = h.turn_config(window=window, users=USERS, realm="tern-test") + (
        'http = { token = "%s"; top_n = 5; };\nusage = { file = "%s"; };\n' % (TOKEN, usage))
    avoid = set(window)
    try:
        with h.Ternd(tap, config=config, args=["-t", "2"], http_port="auto",
                     avoid_ports=window) as d, h.UdpPeer(avoid=avoid | {d.port}) as peer:
            server = (h.LOOPBACK4, d.port)
            tap.ok(d.find_line("statistics on http://127.0.0.1:%d/metrics" % d.http_port),
                   "the endpoint's address is logged")
            c = h.TurnClient(server, "udp", "alice", "secret1")
            relay_known_traffic(tap, c, peer)
            m = check_counts(tap, d.http_port)
            check_stats(tap, d.http_port, m)
            check_refusals(tap, d.http_port)
            check_scrape_under_load(tap, d.http_port, c, peer)
            check_prometheus(tap, d.http_port, tmp)
            sent = SEND_N * SEND_LEN + CHAN_N * CHAN_LEN + 300 * 100
            tap.ok(c.refresh(lifetime=0).ok(), "Refresh 0 deletes alice's allocation")
            b = h.TurnClient(server, "udp", "bob", "secret2")
            tap.ok(b.allocate().ok(), "bob allocates")
            tap.ok(b.create_permission(peer.address).ok(), "bob's permission")
            for i in range(3):
                b.send_indication(peer.address, b"b" * 50)
            tap.eq(len(b.receive_n(3, timeout=3.0)), 3, "bob's data echoed")
            time.sleep(0.5)
            recs = read_records(usage)
            tap.ok(len(recs) == 1 and recs[0]["username"] == "alice"
                   and recs[0]["reason"] == "deleted" and recs[0]["bytes_to_peer"] == sent
                   and recs[0]["bytes_to_client"] == sent
                   and recs[0]["packets_to_peer"] == SEND_N + CHAN_N + 300
                   and recs[0]["peers"] == [h.LOOPBACK4] and recs[0]["end"] >= recs[0]["start"],
                   "alice's usage record is written when Refresh 0 ends it", repr(recs))
            c.close()
            b.close()
        recs = read_records(usage)
        bob = [r for r in recs if r["username"] == "bob"]
        tap.ok(len(recs) == 2 and len(bob) == 1 and bob[0]["reason"] == "shutdown"
               and bob[0]["bytes_to_peer"] == 150 and bob[0]["packets_to_client"] == 3,
               "bob's usage record is written at shutdown", repr(recs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.finish()


if __name__ == "__main__":
    main()
