#!/usr/bin/python3
"""Summarises a scripts/bench.sh work directory: medians, spread, ratios, targets.

usage: bench-summary.py WORKDIR OUT.json REPEATS THREADS COMMIT COTURN-VERSION COMMAND

Reads WORKDIR/runs.jsonl (one tern-bench JSON object per line, labelled
SERVER/WORKLOAD/ROUND), WORKDIR/counts.jsonl (callgrind instruction counts)
and WORKDIR/strace-SERVER.txt; writes the summary as JSON to OUT.json and a
Markdown table with the targets of issue 8 on standard error.
"""

import json
import os
import platform
import statistics
import sys

SERVERS = ("tern", "coturn", "forward", "forward_gso")


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
            out[key] = float(v)
    return out


def derived(flat):
    """Numbers computed from a run: round trips rather than packets."""
    for prefix in ("throughput.",):
        v = flat.get(prefix + "relayed_per_server_cpu_s")
        if v is not None:
            flat[prefix + "round_trips_per_server_cpu_s"] = v / 2
        v = flat.get(prefix + "relayed_pps")
        if v is not None:
            flat[prefix + "round_trips_per_s"] = v / 2
    return flat


def load_lines(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    return out


def summarise(runs):
    values = {}
    oks = {}
    for run in runs:
        server, workload, _ = run["label"].split("/")
        flat = derived(flatten({k: v for k, v in run.items() if k != "params"}))
        oks.setdefault((server, workload), []).append(bool(run.get("ok")))
        for k, v in flat.items():
            values.setdefault(server, {}).setdefault(workload, {}).setdefault(k, []).append(v)
    out = {}
    for server, workloads in values.items():
        for workload, metrics in workloads.items():
            out.setdefault(server, {})[workload] = {
                "runs": len(oks[(server, workload)]),
                "runs_ok": sum(oks[(server, workload)]),
                "median": {k: statistics.median(v) for k, v in sorted(metrics.items())},
                "min": {k: min(v) for k, v in sorted(metrics.items())},
                "max": {k: max(v) for k, v in sorted(metrics.items())},
            }
    return out


def instructions_per_round_trip(work, runs):
    counts = {c["label"]: c["instructions"] for c in load_lines(os.path.join(work, "counts.jsonl"))}
    by_label = {r["label"]: r for r in runs}
    out = {}
    for server in SERVERS:
        lo, hi = "%s/callgrind-300/1" % server, "%s/callgrind-900/1" % server
        if lo not in counts or hi not in counts or lo not in by_label or hi not in by_label:
            continue
        t_lo = by_label[lo].get("throughput") or {}
        t_hi = by_label[hi].get("throughput") or {}
        rt_lo = (t_lo.get("to_peer", 0) + t_lo.get("to_client", 0)) / 2
        rt_hi = (t_hi.get("to_peer", 0) + t_hi.get("to_client", 0)) / 2
        if rt_hi > rt_lo:
            out[server] = {"instructions_per_round_trip": (counts[hi] - counts[lo]) /
                           (rt_hi - rt_lo), "round_trips": [rt_lo, rt_hi],
                           "instructions": [counts[lo], counts[hi]],
                           "loss": [t_lo.get("loss"), t_hi.get("loss")]}
    return out


def syscalls_per_packet(work, runs):
    by_label = {r["label"]: r for r in runs}
    out = {}
    for server in SERVERS:
        run = by_label.get("%s/strace/1" % server)
        path = os.path.join(work, "strace-%s.txt" % server)
        if run is None or not os.path.exists(path):
            continue
        total = None
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 4 and parts[-1] == "total" and parts[3].isdigit():
                    total = int(parts[3])
        t = run.get("throughput") or {}
        relayed = t.get("to_peer", 0) + t.get("to_client", 0)
        if total and relayed:
            out[server] = {"syscalls_per_relayed_packet": total / relayed}
    return out


def med(s, server, workload, key):
    w = s.get(server, {}).get(workload)
    if not w:
        return None
    return w["median"].get(key)


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000 or float(v).is_integer():
        return "{:,.0f}".format(v)
    if abs(v) >= 10:
        return "{:.1f}".format(v)
    return "{:.3g}".format(v)


def cell(s, server, workload, key):
    w = s.get(server, {}).get(workload)
    if not w or key not in w["median"]:
        return "-"
    if w["runs"] == 1:
        return fmt(w["median"][key])
    return "%s (%s-%s)" % (fmt(w["median"][key]), fmt(w["min"][key]), fmt(w["max"][key]))


def rows_of(s):
    """(title, workload, key, target-check) rows of the table."""
    rows = []
    for t in ("udp", "tcp", "tls"):
        rows.append(("Binding per server CPU-s, %s" % t.upper(), "bind-" + t,
                     "binding.per_server_cpu_s", ("ratio", 1.5)))
    for t, target in (("udp", 10), ("tcp", None), ("tls", 3), ("tlsr", 3)):
        title = "TLS, resumed" if t == "tlsr" else t.upper()
        rows.append(("allocation cycles per server CPU-s, %s" % title, "cycle-" + t,
                     "cycle.per_server_cpu_s", ("ratio", target) if target else None))
        rows.append(("  allocation cycles per second, %s" % title, "cycle-" + t, "cycle.per_s",
                     None))
    for mode in ("channel", "send"):
        for n in (1, 100, 1000):
            for size in (100, 1200):
                w = "relay-%s-%d-%d" % (mode, n, size)
                rows.append(("relay %s, %d alloc, %d B: round trips per server CPU-s" %
                             (mode, n, size), w, "throughput.round_trips_per_server_cpu_s",
                             ("relay", n, size)))
                rows.append(("  loss", w, "throughput.loss", ("loss", size)))
                rows.append(("  round trip p50 (us)", w, "throughput.rtt_us.median", None))
                rows.append(("  round trip p99 (us)", w, "throughput.rtt_us.p99", None))
    for n in (1, 100, 1000):
        w = "paced-channel-%d" % n
        rows.append(("paced 20,000 pkt/s, %d alloc: round trips per server CPU-s" % n, w,
                     "throughput.round_trips_per_server_cpu_s", None))
        rows.append(("  round trip p50 (us)", w, "throughput.rtt_us.median", None))
        rows.append(("  round trip p99 (us)", w, "throughput.rtt_us.p99", None))
    rows.append(("RSS per allocation at 1k (bytes)", "mem-1k",
                 "capacity.server_bytes_per_allocation", ("max", 2048)))
    rows.append(("  after they are freed (bytes per allocation still held)", "mem-1k",
                 "capacity.server_bytes_per_allocation_freed", None))
    rows.append(("RSS per allocation at 10k (bytes)", "mem-10k",
                 "capacity.server_bytes_per_allocation", ("max", 2048)))
    rows.append(("  after they are freed (bytes per allocation still held)", "mem-10k",
                 "capacity.server_bytes_per_allocation_freed", None))
    rows.append(("concurrent allocations held", "capacity", "capacity.ok", None))
    rows.append(("  refreshed", "capacity", "capacity.refresh.ok", None))
    rows.append(("  server RSS with them (KiB)", "capacity", "capacity.server_rss_kib_after",
                 ("max", 300 * 1024)))
    return rows


def raw_workload(workload):
    """The forwarder's workload for a TURN relay workload (same N, size)."""
    for mode in ("relay-channel-", "relay-send-"):
        if workload.startswith(mode):
            return "relay-raw-" + workload[len(mode):]
    if workload.startswith("paced-channel-"):
        return "paced-raw-" + workload[len("paced-channel-"):]
    return None


def verdict(s, check, workload, key):
    if check is None:
        return ""
    t = med(s, "tern", workload, key)
    c = med(s, "coturn", workload, key)
    if t is None:
        return "not measured"
    kind = check[0]
    if kind == "ratio":
        if c is None or c == 0:
            return "no coturn figure"
        r = t / c
        return "%s (>= %gx)" % ("met" if r >= check[1] else "MISSED", check[1])
    if kind == "max":
        return "%s (<= %s)" % ("met" if t <= check[1] else "MISSED", fmt(check[1]))
    if kind == "loss":
        if check[1] != 1200:
            return ""
        return "met (0)" if t == 0 else "MISSED (0)"
    if kind == "relay":
        _, n, size = check
        notes = []
        ok = c is not None and c > 0 and t / c >= 1.4
        notes.append(">= 1.4x")
        if n == 1:
            ok = ok and t >= 100000
            notes.append(">= 100k")
        if n == 1000:
            one = med(s, "tern", workload.replace("-1000-", "-1-"), key)
            ok = ok and one is not None and t >= 0.9 * one
            notes.append(">= 0.9 x 1 alloc")
        return "%s (%s)" % ("met" if ok else "MISSED", ", ".join(notes))
    return ""


def table(s, counts, syscalls):
    lines = ["| figure | tern | coturn | raw fwd | raw fwd GSO | tern/coturn | target |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for title, workload, key, check in rows_of(s):
        if not any(workload in s.get(x, {}) for x in SERVERS):
            continue
        raw = raw_workload(workload)
        t, c = med(s, "tern", workload, key), med(s, "coturn", workload, key)
        ratio = "%.2f" % (t / c) if t is not None and c else "-"
        fwd = cell(s, "forward", raw, key) if raw else "-"
        gso = cell(s, "forward_gso", raw, key) if raw else "-"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            title, cell(s, "tern", workload, key), cell(s, "coturn", workload, key), fwd, gso,
            ratio, verdict(s, check, workload, key)))
    ipr = {k: v["instructions_per_round_trip"] for k, v in counts.items()}
    if ipr:
        t = ipr.get("tern")
        lines.append("| user-space instructions per relayed round trip (callgrind) | %s | %s | "
                     "%s | - | %s | %s |" % (
                         fmt(t), fmt(ipr.get("coturn")), fmt(ipr.get("forward")),
                         "%.2f" % (t / ipr["coturn"]) if t and ipr.get("coturn") else "-",
                         ("met" if t <= 2500 else "MISSED") + " (<= 2,500)" if t else ""))
    spp = {k: v["syscalls_per_relayed_packet"] for k, v in syscalls.items()}
    if spp:
        lines.append("| system calls per relayed packet (strace, 4,000/s) | %s | %s | - | - | "
                     "- | |" % (fmt(spp.get("tern")), fmt(spp.get("coturn"))))
    return "\n".join(lines) + "\n"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main():
    work, out_path, repeats, threads, commit, coturn_version, command = sys.argv[1:8]
    runs = load_lines(os.path.join(work, "runs.jsonl"))
    s = summarise(runs)
    counts = instructions_per_round_trip(work, runs)
    syscalls = syscalls_per_packet(work, runs)
    ratio = {}
    for workload, w in s.get("tern", {}).items():
        c = s.get("coturn", {}).get(workload)
        if not c:
            continue
        for k, v in w["median"].items():
            if c["median"].get(k):
                ratio.setdefault(workload, {})[k] = v / c["median"][k]
    md = table(s, counts, syscalls)
    summary = {
        "command": command,
        "source_commit": commit,
        "coturn": coturn_version,
        "machine": {"nproc": os.cpu_count(), "kernel": platform.release(), "cpu": cpu_model()},
        "repeats": int(repeats),
        "threads": int(threads),
        "counts": {"callgrind": counts, "strace": syscalls},
        "servers": s,
        "ratio_tern_over_coturn": ratio,
        "table": md,
    }
    with open(out_path, "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    sys.stderr.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
