#!/usr/bin/python3
"""Interop: coturn's turnutils_uclient relaying through ternd to turnutils_peer.

turnutils_uclient (Debian coturn 4.6.1) allocates, binds channels (or uses
Send indications), sends -n messages of -l bytes every -z ms per client to
the peer given by -e/-r, counts the echoes from turnutils_peer and prints,
at the end:

    N: : start_mclient: tot_send_msgs=S, tot_recv_msgs=R
    N: : start_mclient: tot_send_bytes ~ SB, tot_recv_bytes ~ RB
    N: : Total lost packets L (x%), total send dropped D (y%)

Each run must exit 0, lose nothing and send and receive exactly the
expected number of messages. Flags used (all runs: -p PORT, -e 127.0.0.1,
-r PEERPORT, server 127.0.0.1, -l 120, -z 5):

  -c           no RTCP allocation: one allocation per client. Without it
               each client makes a second allocation (EVEN-PORT with the R
               bit, then RESERVATION-TOKEN) and sends twice the messages;
               one run below keeps that default on purpose.
  -u/-w        static user (alice/secret1); -W s1 -u carol: shared secret
               (username "<now+86400>:carol").
  -s           Send/Data indications instead of channels.
  -t           TCP to the server (the relay leg stays UDP).
  -m 50        50 clients at once (fewer messages each).

Without -r the peer port defaults to 3480; without -p the server port to
3478: both are always given. The RTCP allocation's peer is the -r port + 1,
which turnutils_peer binds too: start_peer proves both ports echo. uclient 4.6.1 picks channel numbers across
0x4000-0x7FFF (RFC 5766), which ternd accepts unless turn.channel_strict.
A run takes 3-6 s whatever -n (it paces itself on 1 s ticks), so the
single-client runs go in parallel and the 50-client run after them; each
run is killed (by PID) after TOOL_TIMEOUT_S.
"""

import concurrent.futures
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

UCLIENT = "/usr/bin/turnutils_uclient"
PEER = "/usr/bin/turnutils_peer"
TOOL_TIMEOUT_S = 20
LOST = re.compile(r"Total lost packets (\d+) \(([\d.]+)%\)")
MSGS = re.compile(r"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$", re.MULTILINE)
BYTES = re.compile(r"tot_send_bytes ~ (\d+), tot_recv_bytes ~ (\d+)\s*$", re.MULTILINE)

COMMON = ["-l", "120", "-z", "5"]
STATIC = ["-u", "alice", "-w", "secret1"]
# (label, flags, clients, messages per allocation, allocations per client)
PARALLEL_RUNS = [
    ("channels, static user", ["-c", "-n", "40"] + STATIC, 1, 40, 1),
    ("Send indications", ["-c", "-s", "-n", "40"] + STATIC, 1, 40, 1),
    ("shared secret", ["-c", "-n", "40", "-W", "s1", "-u", "carol"], 1, 40, 1),
    ("TCP to the server", ["-t", "-c", "-n", "40"] + STATIC, 1, 40, 1),
    ("RTP and RTCP allocations (no -c)", ["-n", "20"] + STATIC, 1, 20, 2),
]
SERIAL_RUNS = [
    ("50 clients", ["-c", "-m", "50", "-n", "10"] + STATIC, 50, 10, 1),
]


def run_uclient(flags, port, peer_port):
    argv = [UCLIENT] + flags + COMMON + ["-e", h.LOOPBACK4, "-r", str(peer_port),
                                         "-p", str(port), h.LOOPBACK4]
    t0 = time.monotonic()
    status, out = h.run_client(argv, TOOL_TIMEOUT_S)
    return argv, status, out, time.monotonic() - t0


def report(t, label, result, clients, per_alloc, allocs):
    argv, status, out, secs = result
    tail = "\n".join(out.splitlines()[-15:])
    diag = "command: %s\n%.1f s, output (last lines):\n%s" % (" ".join(argv), secs, tail)
    t.eq(status, 0, "uclient %s: exits 0 within %d s" % (label, TOOL_TIMEOUT_S), diag)
    lost = LOST.findall(out)
    t.ok(lost and lost[-1][0] == "0",
         "uclient %s: Total lost packets 0" % label, diag)
    expected = clients * per_alloc * allocs
    msgs = MSGS.findall(out)
    got = (int(msgs[-1][0]), int(msgs[-1][1])) if msgs else None
    t.eq(got, (expected, expected), "uclient %s: %d messages sent and %d received"
         % (label, expected, expected), diag)
    sizes = BYTES.findall(out)
    got_b = (int(sizes[-1][0]), int(sizes[-1][1])) if sizes else None
    t.eq(got_b, (expected * 120, expected * 120), "uclient %s: %d bytes each way"
         % (label, expected * 120), diag)


def start_peer(avoid):
    """turnutils_peer on a free port P and on P + 1, outside avoid. Returns
    (Popen, P).

    turnutils_peer binds P and P + 1, and uclient's RTCP allocation (the
    run without -c) sends to P + 1. When a bind fails, turnutils_peer logs
    "Trying to bind ... errno=98" and keeps serving the ports it got: with
    P + 1 held by another process (P comes from the kernel's ephemeral
    range, which parallel tests crowd), the RTCP half of that run is echoed
    by nobody and the run loses exactly half its messages. So both ports
    must answer an echo probe before the runs; a peer missing one is
    stopped and another port tried."""
    for _ in range(20):
        port = h.free_port(avoid=avoid)
        if port + 1 in avoid or port + 1 in h.RESERVED_PORTS:
            continue
        proc = h.track_process(subprocess.Popen(
            [PEER, "-L", h.LOOPBACK4, "-p", str(port)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.3)
        if proc.poll() is None and peer_answers(port):
            return proc, port
        h.stop_process(proc)
    raise RuntimeError("turnutils_peer did not start on two free ports")


def peer_answers(port):
    """True when turnutils_peer echoes on port (RTP) and port + 1 (RTCP)."""
    return all(h.udp_echoes(h.LOOPBACK4, p) for p in (port, port + 1))


def group_runs(t, d, window):
    peer, peer_port = start_peer(set(window) | {d.port})
    try:
        with concurrent.futures.ThreadPoolExecutor(len(PARALLEL_RUNS)) as pool:
            futures = [(run, pool.submit(run_uclient, run[1], d.port, peer_port))
                       for run in PARALLEL_RUNS]
            for (label, _, clients, per_alloc, allocs), fut in futures:
                report(t, label, fut.result(), clients, per_alloc, allocs)
        for label, flags, clients, per_alloc, allocs in SERIAL_RUNS:
            report(t, label, run_uclient(flags, d.port, peer_port), clients, per_alloc,
                   allocs)
        t.ok(peer.poll() is None, "turnutils_peer still running after the runs")
        t.ok(peer_answers(peer_port), "turnutils_peer still echoes on %d and %d"
             % (peer_port, peer_port + 1))
    finally:
        h.stop_process(peer)


def main():
    t = h.Tap(timeout_s=55)
    for tool in (UCLIENT, PEER):
        if not os.access(tool, os.X_OK):
            t.skip("turnutils_uclient interop", "%s missing (Debian package coturn)" % tool)
            t.finish()
    window = h.pick_relay_window(size=300)
    conf = h.turn_config(window, users=[("alice", "secret1")], secrets=["s1"],
                         allow=["127.0.0.0/8"])
    try:
        with h.Ternd(t, config=conf, avoid_ports=window) as d:
            t.run("uclient", group_runs, t, d, window)
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
