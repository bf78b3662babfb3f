#!/usr/bin/python3
"""tern-bench, the benchmark tool, in about a second against a real ternd.

This is not a timing test: it checks that the tool works, with counts so
small that no machine is too slow for them.

  - a run of every phase (set-up, latency, throughput, capacity) with a
    static user exits 0 and prints one JSON object on one line; every
    allocation is set up and released; relayed packet counts are above
    zero in both directions and nothing is lost;
  - credentials minted from a REST secret work the same;
  - the Binding and allocation-cycle phases (401, Allocate, Refresh 0 on a
    new socket or connection each time) complete over UDP and TCP with no
    failure;
  - relaying with Send and Data indications loses nothing; refreshing the
    allocations of the capacity phase works, and the server's memory after
    they are released is reported;
  - tern-forward, the raw UDP forwarder, carries a run of --relay-mode raw
    both ways and reports its counts when stopped;
  - a server address outside loopback is refused before anything is sent
    (exit status 2), and so is a run without credentials.

tern-bench is found next to the ternd under test ($TERND).
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

USER, PASSWORD, SECRET = "alice", "secret1", "bench-smoke-secret"
TOOL_TIMEOUT_S = 40
TINY = ["--clients", "10", "--concurrency", "4", "--allocations", "2", "--window", "8",
        "--duration", "1", "--latency-rate", "200", "--latency-duration", "0.3",
        "--capacity", "20", "--timeout", "30"]


def bench_path():
    return os.path.join(os.path.dirname(os.path.abspath(h.ternd_path())), "tern-bench")


def run_bench(args):
    """Runs tern-bench; returns (status, stdout, stderr); status None after a timeout."""
    proc = h.track_process(subprocess.Popen([bench_path()] + list(args),
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE))
    try:
        out, err = proc.communicate(timeout=TOOL_TIMEOUT_S)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        status = None
    h.stop_process(proc)
    return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def parse(t, name, out, err):
    """The single JSON object of out, or None (reported)."""
    lines = out.splitlines()
    try:
        obj = json.loads(out)
    except ValueError as e:
        t.ok(False, "%s: output is one JSON object" % name,
             "%s\nstdout: %r\nstderr: %s" % (e, out[:500], err[-500:]))
        return None
    t.ok(isinstance(obj, dict) and len(lines) == 1, "%s: output is one JSON object on one line"
         % name, out[:300])
    return obj


def check_flow(t, name, flow):
    diag = json.dumps(flow)[:600]
    t.ok(flow.get("to_peer", 0) > 0, "%s: packets reached the echo peer" % name, diag)
    t.ok(flow.get("to_client", 0) > 0, "%s: packets came back to the clients" % name, diag)
    t.eq(flow.get("lost"), 0, "%s: nothing lost" % name, diag)
    t.eq((flow.get("sent"), flow.get("to_peer")), (flow.get("to_client"), flow.get("to_client")),
         "%s: sent, to_peer and to_client agree" % name, diag)
    t.ok(flow.get("rtt_us", {}).get("median", 0) > 0, "%s: round trips were measured" % name,
         diag)


def full_run(t, d):
    status, out, err = run_bench(["--server", "%s:%d" % (h.LOOPBACK4, d.port), "--user", USER,
                                  "--password", PASSWORD, "--server-pid", str(d.proc.pid)]
                                 + TINY)
    t.eq(status, 0, "full run: exit status 0", err[-800:] + out[-800:])
    obj = parse(t, "full run", out, err)
    if obj is None:
        return
    setup = obj.get("setup", {})
    t.eq((setup.get("ok"), setup.get("failed")), (10, 0),
         "full run: 10 allocations set up (401, Allocate, CreatePermission, ChannelBind)",
         json.dumps(setup))
    t.eq(setup.get("released"), 10, "full run: the 10 allocations are released",
         json.dumps(setup))
    check_flow(t, "throughput", obj.get("throughput", {}))
    latency = obj.get("latency", {})
    check_flow(t, "latency through the relay", latency.get("relay", {}))
    check_flow(t, "latency straight to the peer", latency.get("direct", {}))
    t.ok(obj.get("throughput", {}).get("cpu_s", {}).get("server") is not None,
         "full run: the server's CPU time was read from /proc", json.dumps(obj.get("throughput")))
    cap = obj.get("capacity", {})
    t.eq((cap.get("ok"), cap.get("released")), (20, 20),
         "capacity: 20 allocations held, then released", json.dumps(cap))
    t.eq(obj.get("ok"), True, "full run: reports ok")


def rest_run(t, d):
    status, out, err = run_bench(["--server", "%s:%d" % (h.LOOPBACK4, d.port), "--secret",
                                  SECRET, "--user", "smoke", "--clients", "5",
                                  "--allocations", "0", "--timeout", "20"])
    t.eq(status, 0, "REST secret: exit status 0", err[-800:])
    obj = parse(t, "REST secret", out, err)
    if obj is not None:
        t.eq(obj.get("setup", {}).get("ok"), 5, "REST secret: 5 allocations set up",
             json.dumps(obj.get("setup")))


def base_args(d):
    return ["--server", "%s:%d" % (h.LOOPBACK4, d.port), "--user", USER, "--password",
            PASSWORD, "--server-pid", str(d.proc.pid), "--clients", "0", "--latency-rate", "0",
            "--timeout", "20"]


def rates_run(t, d):
    for transport in ("udp", "tcp"):
        for phase in ("binding", "cycle"):
            name = "%s over %s" % (phase, transport)
            status, out, err = run_bench(base_args(d) + ["--allocations", "0", "--" + phase, "0.3",
                                                         "--transport", transport])
            t.eq(status, 0, "%s: exit status 0" % name, err[-800:] + out[-800:])
            obj = parse(t, name, out, err)
            if obj is None:
                continue
            res = obj.get(phase, {})
            t.ok(res.get("ok", 0) > 0, "%s: answers counted" % name, json.dumps(res)[:600])
            t.eq(res.get("failed"), 0, "%s: no failure" % name, json.dumps(res)[:600])
            t.ok(res.get("server_cpu_s") is not None, "%s: the server's CPU time was read"
                 % name, json.dumps(res)[:600])


def send_and_refresh_run(t, d):
    status, out, err = run_bench(base_args(d) + ["--allocations", "2", "--relay-mode", "send",
                                                 "--duration", "0.5", "--window", "8",
                                                 "--capacity", "20", "--refresh-passes", "1",
                                                 "--settle", "0.2"])
    t.eq(status, 0, "Send indications: exit status 0", err[-800:] + out[-800:])
    obj = parse(t, "Send indications", out, err)
    if obj is None:
        return
    check_flow(t, "Send indications", obj.get("throughput", {}))
    cap = obj.get("capacity", {})
    t.eq((cap.get("refresh") or {}).get("ok"), 20, "capacity: 20 allocations refreshed",
         json.dumps(cap))
    t.eq(cap.get("released"), 20, "capacity: then released", json.dumps(cap))
    t.ok(cap.get("server_rss_kib_freed") is not None,
         "capacity: the server's memory after the release is read", json.dumps(cap))


def forward_run(t):
    fwd = os.path.join(os.path.dirname(bench_path()), "tern-forward")
    if not os.access(fwd, os.X_OK):
        t.ok(False, "tern-forward is built next to tern-bench", fwd)
        return
    port = h.free_port()
    echo = h.free_port(avoid=(port,))
    proc = h.track_process(subprocess.Popen(
        [fwd, "--listen", "%s:%d" % (h.LOOPBACK4, port), "--peer", "%s:%d" % (h.LOOPBACK4, echo),
         "--gso", "1", "--duration", "15"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE))
    status, out, err = run_bench(["--server", "%s:%d" % (h.LOOPBACK4, port), "--user", USER,
                                  "--password", PASSWORD, "--server-pid", str(proc.pid),
                                  "--relay-mode", "raw", "--echo-port", str(echo),
                                  "--clients", "0", "--allocations", "2", "--window", "8",
                                  "--duration", "0.5", "--latency-rate", "200",
                                  "--latency-duration", "0.3", "--timeout", "20"])
    h.stop_process(proc)
    fwd_out = proc.stdout.read().decode("utf-8", "replace")
    t.eq(status, 0, "raw forwarder: exit status 0", err[-800:] + out[-800:])
    obj = parse(t, "raw forwarder", out, err)
    if obj is not None:
        check_flow(t, "raw forwarder", obj.get("throughput", {}))
    try:
        counts = json.loads(fwd_out)
    except ValueError:
        counts = {}
    t.ok(counts.get("to_peer", 0) > 0 and counts.get("to_client", 0) > 0,
         "tern-forward prints its counts when stopped", fwd_out[:300])


def refusals(t):
    status, out, err = run_bench(["--server", "192.0.2.1:9", "--user", USER, "--password",
                                  PASSWORD])
    t.eq(status, 2, "a server outside loopback is refused (exit status 2)", err)
    t.eq(out, "", "nothing is printed on stdout for it")
    t.ok("loopback" in err, "the refusal names loopback", err)
    status, _, err = run_bench(["--server", "%s:9" % h.LOOPBACK4])
    t.eq(status, 2, "a run without credentials is refused", err)


def main():
    t = h.Tap(timeout_s=120)
    if not os.access(bench_path(), os.X_OK):
        t.ok(False, "tern-bench is built next to ternd", bench_path())
        return t.finish()
    t.run("refusals", refusals, t)
    window = h.pick_relay_window(size=200)
    config = h.turn_config(window=window, users=[(USER, PASSWORD)], secrets=[SECRET],
                           realm="tern")
    with h.Ternd(t, config=config, args=["-t", "2"], avoid_ports=window) as d:
        t.run("full run", full_run, t, d)
        t.run("REST secret", rest_run, t, d)
        t.run("Binding and allocation cycles", rates_run, t, d)
        t.run("Send indications and refreshes", send_and_refresh_run, t, d)
    t.run("raw forwarder", forward_run, t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
