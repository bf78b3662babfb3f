#!/bin/bash
# Benchmarks ternd against coturn's turnserver on this machine, in one run, with tern-bench
# (tools/tern-bench.c). See BENCHMARKS.md for what is measured and how to read it.
#
#   scripts/bench.sh [-b BUILDDIR] [-r REPEATS] [-t THREADS] [-o FILE] [-k] [-x]
#                    [-- TERN-BENCH ARGS]
#
#   -b DIR   use the ternd and tern-bench built in DIR (built there first when missing;
#            default: build this tree in /tmp/tern-bench-build, a plain -O2 build)
#   -r N     repeats (default 5); the servers alternate, and which goes first alternates too
#   -t N     worker threads of both servers: ternd server.threads, turnserver --relay-threads
#            (default 1)
#   -o FILE  write the JSON summary to FILE (default: standard output)
#   -k       keep the work directory (configurations, server logs, every run's JSON)
#   -x       skip the counts: system calls (strace -c) and user-space instructions (valgrind
#            --tool=callgrind) per relayed packet, from small paced runs of each server
#   extra arguments after -- are appended to every tern-bench run (for both servers alike)
#
# Each round runs tern-bench twice against each server: the full run (set-up rate, latency,
# closed-loop throughput, capacity), then a paced run at a fixed rate. Every run gets a freshly
# started server, alone on the machine, stopped by its PID afterwards. Every port is on
# 127.0.0.1 and is checked free before use (never 3478). The summary holds, per server, the
# median of every number over the repeats, the spread (min, max), and the ratio tern/coturn; a
# Markdown table of the main numbers goes to standard error. Then, unless -x, each server
# relays a small paced load once under strace -c and twice under callgrind: counts that do not
# depend on how busy the machine is.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cmdline="$0 $*"
builddir=""
repeats=5
threads=1
outfile=""
keep=0
profile=1
turnserver=${TURNSERVER:-/usr/bin/turnserver}
python=/usr/bin/python3

while getopts "b:r:t:o:kxh" opt; do
    case $opt in
    b) builddir=$OPTARG ;;
    r) repeats=$OPTARG ;;
    t) threads=$OPTARG ;;
    o) outfile=$OPTARG ;;
    k) keep=1 ;;
    x) profile=0 ;;
    h) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
extra_args=("$@")

case $repeats in '' | *[!0-9]*) echo "bench: -r wants a number" >&2; exit 2 ;; esac
case $threads in '' | *[!0-9]*) echo "bench: -t wants a number" >&2; exit 2 ;; esac
if [ "$repeats" -lt 1 ] || [ "$repeats" -gt 50 ]; then echo "bench: -r 1..50" >&2; exit 2; fi
if [ "$threads" -lt 1 ] || [ "$threads" -gt 64 ]; then echo "bench: -t 1..64" >&2; exit 2; fi
[ -x "$turnserver" ] || {
    echo "bench: $turnserver not found (apt-get install coturn)" >&2
    exit 2
}
[ -x "$python" ] || { echo "bench: $python not found" >&2; exit 2; }

# The same tern-bench parameters for both servers. "full" measures everything at the most the
# machine gives; "paced" offers both servers the same fixed load, so their CPU per packet
# compares at equal work.
full_args=(--clients 2000 --concurrency 32 --allocations 16 --size 200 --duration 4 --window 32
    --batch 32 --latency-rate 2000 --latency-duration 2 --capacity 5000)
paced_args=(--clients 0 --allocations 16 --size 200 --duration 4 --rate 40000 --batch 32
    --latency-rate 0 --capacity 0)
# Relay port ranges, disjoint from each other and from the listening ports picked below.
tern_relay=(50000 57499)
coturn_relay=(57500 64999)
user=alice
password=secret1
realm=tern

log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- build

if [ -z "$builddir" ]; then
    builddir=/tmp/tern-bench-build
fi
if [ ! -x "$builddir/ternd" ] || [ ! -x "$builddir/tern-bench" ]; then
    log "building ternd and tern-bench in $builddir"
    (cd "$top" && { [ -x configure ] || ./autogen.sh >/dev/null 2>&1; }) || exit 1
    mkdir -p "$builddir" || exit 1
    (cd "$builddir" && { [ -f Makefile ] || "$top/configure" --quiet; } &&
        make -j"$(nproc)" --quiet ternd tern-bench) >&2 || { log "build failed"; exit 1; }
fi
ternd=$builddir/ternd
bench=$builddir/tern-bench

# ---------------------------------------------------------------- processes

work=$(mktemp -d /tmp/tern-bench.XXXXXX) || exit 1
running="" # the PID of the server started and not yet stopped
tracer=""  # the PID of strace while it is attached
wrap=()    # a command the servers are started under (valgrind), or none

# Stops one process we started: SIGTERM to its PID, SIGKILL after $2 seconds (default 5).
stop_pid() {
    local pid=$1 _
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq $((${2:-5} * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    if [ -n "$tracer" ]; then
        kill -INT "$tracer" 2>/dev/null
        wait "$tracer" 2>/dev/null
    fi
    if [ -n "$running" ]; then
        stop_pid "$running"
        running=""
    fi
    if [ "$keep" = 1 ]; then
        log "work directory kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every allocation holds a socket in the server and one in tern-bench.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# A port free for UDP and TCP on 127.0.0.1, in 20000-29999 (outside the relay ranges and the
# kernel's ephemeral range), never a STUN/TURN default.
free_port() {
    "$python" - <<'EOF'
import random, socket, sys
reserved = {3478, 3479, 5349, 5350}
for _ in range(500):
    port = random.randrange(20000, 30000)
    if port in reserved:
        continue
    socks = []
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        print(port)
        sys.exit(0)
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
sys.exit(1)
EOF
}

# Waits until a STUN Binding request to 127.0.0.1:$1 is answered ($2 seconds at most, 10 by
# default).
wait_stun() {
    "$python" - "$1" "${2:-10}" <<'EOF'
import os, socket, struct, sys, time
port = int(sys.argv[1])
deadline = time.monotonic() + float(sys.argv[2])
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(0.2)
    while time.monotonic() < deadline:
        txid = os.urandom(12)
        s.sendto(struct.pack("!HHI", 0x0001, 0, 0x2112A442) + txid, ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(2048)
            if data[8:20] == txid:
                sys.exit(0)
        except OSError:
            pass
sys.exit(1)
EOF
}

# True when every UDP socket on 127.0.0.1:$1 belongs to process $2: another process sharing the
# port through SO_REUSEPORT would take part of the traffic.
port_is_ours() {
    local port=$1 pid=$2 lines
    command -v ss >/dev/null 2>&1 || return 0
    lines=$(ss -Hulnp 2>/dev/null | awk -v p="127.0.0.1:$port" '$4 == p || $5 == p')
    [ -n "$lines" ] || return 1
    ! echo "$lines" | grep -v "pid=$pid," >/dev/null
}

start_tern() {
    local port=$1 conf=$work/tern.conf
    cat >"$conf" <<EOF
server = { threads = $threads; allow_root = true; admin_socket = ""; };
listen = { addresses = ["127.0.0.1"]; port = $port; };
relay = { port_min = ${tern_relay[0]}; port_max = ${tern_relay[1]}; };
auth = { realm = "$realm"; users = ( { name = "$user"; password = "$password"; } ); };
turn = { unauth_rate = 0; };
peers = { allow = ["127.0.0.0/8"]; };
EOF
    "${wrap[@]}" "$ternd" -c "$conf" >>"$work/ternd.log" 2>&1 &
    server_pid=$!
}

start_coturn() {
    local port=$1
    "${wrap[@]}" "$turnserver" -n --listening-ip=127.0.0.1 --listening-port="$port" \
        --relay-ip=127.0.0.1 --min-port="${coturn_relay[0]}" --max-port="${coturn_relay[1]}" \
        --lt-cred-mech --user="$user:$password" --realm="$realm" --allow-loopback-peers \
        --no-cli --no-tls --no-dtls --log-file=stdout --simple-log --relay-threads="$threads" \
        --pidfile="$work/turnserver.pid" --userdb="$work/turndb" >>"$work/coturn.log" 2>&1 &
    server_pid=$!
}

# Starts server $1 alone, runs tern-bench ($2: full or paced) against it, stops it by its PID;
# appends the JSON to runs.jsonl.
run_server() {
    local name=$1 kind=$2 round=$3 port status
    port=$(free_port) || { log "no free port"; return 1; }
    "start_$name" "$port"
    running=$server_pid
    if ! wait_stun "$port" || ! kill -0 "$server_pid" 2>/dev/null; then
        log "$name did not answer on 127.0.0.1:$port (log in $work)"
        keep=1
        stop_pid "$server_pid"
        running=""
        return 1
    fi
    if port_is_ours "$port" "$server_pid"; then
        if [ "$kind" = full ]; then args=("${full_args[@]}"); else args=("${paced_args[@]}"); fi
        "$bench" --server "127.0.0.1:$port" --user "$user" --password "$password" \
            --server-pid "$server_pid" --label "$name/$kind/$round" "${args[@]}" \
            "${extra_args[@]}" >"$work/run.json" 2>>"$work/tern-bench.err"
        status=$?
        [ -s "$work/run.json" ] && cat "$work/run.json" >>"$work/runs.jsonl"
        [ $status = 0 ] || log "$name $kind round $round: tern-bench exit status $status"
    else
        log "another process shares 127.0.0.1:$port with $name; run skipped"
    fi
    stop_pid "$server_pid"
    running=""
    return 0
}

# ---------------------------------------------------------------- the rounds

log "ternd: $ternd; turnserver: $("$turnserver" --version 2>/dev/null | head -n 1)"
log "$repeats rounds, $threads thread(s) per server, work directory $work"
for round in $(seq "$repeats"); do
    if [ $((round % 2)) = 1 ]; then order="tern coturn"; else order="coturn tern"; fi
    for kind in full paced; do
        for name in $order; do
            log "round $round/$repeats: $name, $kind"
            run_server "$name" "$kind" "$round"
        done
    done
done

# ---------------------------------------------------------------- counts

# Small paced runs for the counts: 4 allocations, no set-up or capacity phase.
count_args=(--clients 0 --allocations 4 --size 200 --duration 2 --latency-rate 0 --capacity 0)

# Starts server $1 (under "${wrap[@]}") and waits up to $2 s for it; sets port.
start_alone() {
    local name=$1
    port=$(free_port) || return 1
    "start_$name" "$port"
    running=$server_pid
    if ! wait_stun "$port" "$2" || ! port_is_ours "$port" "$server_pid"; then
        log "$name did not start alone on 127.0.0.1:$port"
        stop_pid "$server_pid" 20
        running=""
        return 1
    fi
}

# System calls of server $1 while it relays 2,000 packets/s each way for 2 s, from strace -c
# attached to every thread; the run's JSON goes to count-strace-$1.json.
count_syscalls() {
    local name=$1
    start_alone "$name" 10 || return 1
    strace -f -c -p "$server_pid" -o "$work/strace-$name.txt" 2>/dev/null &
    tracer=$!
    sleep 0.5
    "$bench" --server "127.0.0.1:$port" --user "$user" --password "$password" --rate 2000 \
        --label "$name/strace" "${count_args[@]}" >"$work/count-strace-$name.json" \
        2>>"$work/tern-bench.err"
    kill -INT "$tracer" 2>/dev/null
    wait "$tracer" 2>/dev/null
    tracer=""
    stop_pid "$server_pid"
    running=""
}

# Instructions executed by every thread of the valgrind process $1 so far.
instructions() {
    callgrind_control -e Ir "$1" 2>/dev/null |
        awk '$1 == "Th" { gsub(",", "", $3); sum += $3 } END { printf "%.0f\n", sum }'
}

# User-space instructions of server $1 under callgrind for two paced runs (500 and 1,500
# packets/s sent); their difference divided by the difference in relayed packets is the cost
# of one more relayed packet, free of start-up and set-up. Writes count-callgrind-$1-RATE.json
# with the run's JSON plus an "instructions" member.
count_instructions() {
    local name=$1 rate before after status
    wrap=(valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$name.%p")
    start_alone "$name" 60
    status=$?
    wrap=()
    [ $status = 0 ] || return 1
    for rate in 500 1500; do
        before=$(instructions "$server_pid")
        "$bench" --server "127.0.0.1:$port" --user "$user" --password "$password" \
            --rate "$rate" --rto 2000 --label "$name/callgrind/$rate" "${count_args[@]}" \
            >"$work/count-run.json" 2>>"$work/tern-bench.err"
        after=$(instructions "$server_pid")
        "$python" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["instructions"] = int(sys.argv[3]) - int(sys.argv[2])
json.dump(d, open(sys.argv[4], "w"))' "$work/count-run.json" "$before" "$after" \
            "$work/count-callgrind-$name-$rate.json"
    done
    stop_pid "$server_pid" 30
    running=""
}

if [ "$profile" = 1 ]; then
    for name in tern coturn; do
        if command -v strace >/dev/null 2>&1; then
            log "counting system calls of $name (strace -c)"
            count_syscalls "$name"
        fi
        if command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1; then
            log "counting instructions of $name (valgrind --tool=callgrind)"
            count_instructions "$name"
        fi
    done
fi

# ---------------------------------------------------------------- summary

perf_note="unavailable"
if command -v perf >/dev/null 2>&1; then
    if perf stat -x, -e instructions true 2>&1 >/dev/null | grep -q "not supported"; then
        perf_note="perf stat -e instructions: <not supported> on this machine"
    else
        perf_note="available, not used by this script"
    fi
fi

summary=$work/summary.json
"$python" - "$work/runs.jsonl" "$summary" "$repeats" "$threads" "$perf_note" \
    "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$("$turnserver" --version 2>/dev/null | head -n 1)" \
    "$cmdline" "$work" <<'EOF' || exit 1
import json, os, platform, statistics, sys

runs_path, out_path, repeats, threads, perf_note, commit, coturn_version, command, work = \
    sys.argv[1:10]
runs = []
if os.path.exists(runs_path):
    with open(runs_path) as f:
        runs = [json.loads(line) for line in f if line.strip()]


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


values = {}
oks = {}
for run in runs:
    server, kind, _ = run["label"].split("/")
    flat = flatten({k: v for k, v in run.items() if k != "params"})
    oks.setdefault(server, []).append(bool(run.get("ok")))
    for k, v in flat.items():
        values.setdefault(server, {}).setdefault(kind + "." + k, []).append(v)

servers = {}
for server, metrics in values.items():
    servers[server] = {
        "runs_ok": sum(oks[server]),
        "runs": len(oks[server]),
        "median": {k: statistics.median(v) for k, v in sorted(metrics.items())},
        "min": {k: min(v) for k, v in sorted(metrics.items())},
        "max": {k: max(v) for k, v in sorted(metrics.items())},
    }

ratio = {}
if "tern" in servers and "coturn" in servers:
    t, c = servers["tern"]["median"], servers["coturn"]["median"]
    for k in t:
        if k in c and c[k] != 0:
            ratio[k] = t[k] / c[k]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def relayed(run):
    t = (run or {}).get("throughput") or {}
    return t.get("to_peer", 0) + t.get("to_client", 0)


def strace_calls(path):
    """{syscall: calls} from strace -c output, with the total under "total"."""
    calls = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and parts[0][0].isdigit() and parts[3].isdigit():
                    calls[parts[-1]] = int(parts[3])
    except OSError:
        pass
    return calls


counts = {}
for server in ("tern", "coturn"):
    c = {}
    run = load(os.path.join(work, "count-strace-%s.json" % server))
    calls = strace_calls(os.path.join(work, "strace-%s.txt" % server))
    if run and calls.get("total") and relayed(run):
        c["syscalls_per_relayed"] = calls["total"] / relayed(run)
        c["strace"] = {"relayed": relayed(run), "calls": calls, "rate_pps": 2000,
                       "loss": run["throughput"].get("loss")}
    cg = [load(os.path.join(work, "count-callgrind-%s-%d.json" % (server, r))) for r in (500, 1500)]
    if all(cg) and relayed(cg[1]) > relayed(cg[0]):
        c["instructions_per_relayed"] = ((cg[1]["instructions"] - cg[0]["instructions"])
                                         / (relayed(cg[1]) - relayed(cg[0])))
        c["callgrind"] = [{"rate_pps": r, "relayed": relayed(x), "instructions": x["instructions"],
                           "loss": x["throughput"].get("loss")} for r, x in zip((500, 1500), cg)]
    if c:
        counts[server] = c
for key in ("syscalls_per_relayed", "instructions_per_relayed"):
    if key in counts.get("tern", {}) and counts.get("coturn", {}).get(key):
        ratio["counts." + key] = counts["tern"][key] / counts["coturn"][key]

params = {}
for run in runs:
    kind = run["label"].split("/")[1]
    params.setdefault(kind, run.get("params"))
summary = {
    "command": command,
    "source_commit": commit,
    "coturn": coturn_version,
    "machine": {"nproc": os.cpu_count(), "kernel": platform.release(), "cpu": cpu_model()},
    "repeats": int(repeats),
    "threads": int(threads),
    "params": params,
    "perf_instructions": perf_note,
    "counts": counts,
    "servers": servers,
    "ratio_tern_over_coturn": ratio,
}
with open(out_path, "w") as f:
    json.dump(summary, f, indent=1, sort_keys=False)
    f.write("\n")

paced_rate = (params.get("paced") or {}).get("rate_pps", "?")
latency_rate = (params.get("full") or {}).get("latency_rate_pps", "?")
capacity = (params.get("full") or {}).get("capacity", "?")
rows = [
    ("allocation set-ups per second", "full.setup.allocations_per_s"),
    ("set-up time median (us)", "full.setup.latency_us.median"),
    ("set-up time p99 (us)", "full.setup.latency_us.p99"),
    ("relayed packets/s, closed loop", "full.throughput.relayed_pps"),
    ("  server CPU-seconds in that window", "full.throughput.cpu_s.server"),
    ("  of which in the kernel (system time)", "full.throughput.cpu_s.server_sys"),
    ("  relayed packets per server CPU-second", "full.throughput.relayed_per_server_cpu_s"),
    ("  generator: busiest thread, share of a core", "full.throughput.generator_busy"),
    ("  whole machine: share of all cores busy", "full.throughput.machine.busy"),
    ("  loss", "full.throughput.loss"),
    ("  round trip median (us)", "full.throughput.rtt_us.median"),
    ("  round trip p99 (us)", "full.throughput.rtt_us.p99"),
    ("relayed packets/s, paced at %s/s sent" % paced_rate, "paced.throughput.relayed_pps"),
    ("  server CPU-seconds in that window", "paced.throughput.cpu_s.server"),
    ("  of which in the kernel (system time)", "paced.throughput.cpu_s.server_sys"),
    ("  relayed packets per server CPU-second", "paced.throughput.relayed_per_server_cpu_s"),
    ("  loss", "paced.throughput.loss"),
    ("added latency median at %s/s (us)" % latency_rate, "full.latency.added_us.median"),
    ("added latency p99 at %s/s (us)" % latency_rate, "full.latency.added_us.p99"),
    ("concurrent allocations (of %s asked)" % capacity, "full.capacity.ok"),
    ("server memory per allocation (bytes)", "full.capacity.server_bytes_per_allocation"),
    ("system calls per relayed packet (strace, 2000/s)", "counts.syscalls_per_relayed"),
    ("user-space instructions per relayed packet (callgrind)", "counts.instructions_per_relayed"),
]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000 or float(v).is_integer():
        return "{:,.0f}".format(v)
    if abs(v) >= 10:
        return "{:.1f}".format(v)
    return "{:.3g}".format(v)


def cell(server, key):
    if key.startswith("counts."):
        v = counts.get(server, {}).get(key[len("counts."):])
        return fmt(v) if v is not None else "-"
    s = servers.get(server)
    if not s or key not in s["median"]:
        return "-"
    return "%s (%s-%s)" % (fmt(s["median"][key]), fmt(s["min"][key]), fmt(s["max"][key]))


lines = ["| metric | tern: median (min-max) | coturn: median (min-max) | tern/coturn |",
         "| --- | --- | --- | --- |"]
for title, key in rows:
    r = ratio.get(key)
    lines.append("| %s | %s | %s | %s |" % (title, cell("tern", key), cell("coturn", key),
                                             "%.2f" % r if r is not None else "-"))
sys.stderr.write("\n".join(lines) + "\n")
EOF

if [ -n "$outfile" ]; then
    cp "$summary" "$outfile" && log "summary written to $outfile"
else
    cat "$summary"
fi
