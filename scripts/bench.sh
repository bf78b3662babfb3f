#!/bin/bash
# Benchmarks ternd against coturn's turnserver, and both against a raw UDP forwarder
# (tools/tern-forward.c), on this machine, in one run, with tern-bench (tools/tern-bench.c). See
# BENCHMARKS.md for what is measured and how to read it.
#
#   scripts/bench.sh [-b BUILDDIR] [-r REPEATS] [-t THREADS] [-o FILE] [-w REGEX] [-k] [-x] [-c]
#                    [-P] [-- TERN-BENCH ARGS]
#
#   -b DIR   use the ternd, tern-bench and tern-forward built in DIR (built there first when
#            missing; default: build this tree in /tmp/tern-bench-build, a plain -O2 build)
#   -r N     rounds (default 3, 0 for only the counts); the servers alternate, and which goes
#            first alternates too
#   -t N     worker threads of both servers: ternd server.threads, turnserver --relay-threads
#            (default 1)
#   -o FILE  write the JSON summary to FILE (default: standard output)
#   -w RE    run only the workloads whose name matches the extended regular expression RE
#            (e.g. 'bind|cycle'); memory is always measured
#   -k       keep the work directory (configurations, server logs, every run's JSON)
#   -x       skip the counts: user-space instructions per relayed round trip (valgrind
#            --tool=callgrind) and system calls per relayed packet (strace -c)
#   -c       also the capacity runs: each server is asked for 100,000 allocations (fewer when
#            the descriptor limit, ulimit -Hn, is lower) over 8 relay addresses (127.0.0.10-17),
#            holds them, refreshes each once, then releases them
#            (COUNT_SERVERS="tern" in the environment: count only those servers; SERVERS="tern
#            coturn": run the rounds with only those)
#   -P       do not pin: by default the server runs on CPU 1 and tern-bench on CPU 0 (taskset)
#   extra arguments after -- are appended to every tern-bench run (for both servers alike)
#
# Every round starts each server afresh, alone on the machine, measures its memory per
# allocation (1,000 and 10,000 allocations, then after they are released), then runs every
# workload against it (Binding and allocation cycles over UDP, TCP and TLS; relaying through 1,
# 100 and 1,000 allocations with ChannelData and Send indications, 100 and 1,200 bytes, closed
# loop and paced), then stops it by its PID. The raw forwarder (with and without UDP GSO) runs
# the relay workloads with plain datagrams. The summary holds per server and workload the
# median of every number over the rounds, the spread (min, max) and the ratio tern/coturn; a
# Markdown table of the main numbers, with the targets of issue 8, goes to standard error.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cmdline="$0 $*"
builddir=""
repeats=3
threads=1
outfile=""
keep=0
profile=1
capacity=0
pin=1
only=""
turnserver=${TURNSERVER:-/usr/bin/turnserver}
python=/usr/bin/python3

while getopts "b:r:t:o:w:kxcPh" opt; do
    case $opt in
    b) builddir=$OPTARG ;;
    r) repeats=$OPTARG ;;
    t) threads=$OPTARG ;;
    o) outfile=$OPTARG ;;
    k) keep=1 ;;
    x) profile=0 ;;
    c) capacity=1 ;;
    P) pin=0 ;;
    w) only=$OPTARG ;;
    h) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
extra_args=("$@")

case $repeats in '' | *[!0-9]*) echo "bench: -r wants a number" >&2; exit 2 ;; esac
case $threads in '' | *[!0-9]*) echo "bench: -t wants a number" >&2; exit 2 ;; esac
if [ "$repeats" -gt 50 ]; then echo "bench: -r 0..50" >&2; exit 2; fi
if [ "$threads" -lt 1 ] || [ "$threads" -gt 64 ]; then echo "bench: -t 1..64" >&2; exit 2; fi
[ -x "$turnserver" ] || {
    echo "bench: $turnserver not found (apt-get install coturn)" >&2
    exit 2
}
[ -x "$python" ] || { echo "bench: $python not found" >&2; exit 2; }

# The workloads, each one tern-bench run against an already running server. Every round starts
# each server afresh, measures its memory first (1,000 then 10,000 allocations, held, then
# released), then runs the rest in this order. "relay-MODE-N-SIZE" is closed-loop relaying
# through N allocations of SIZE-byte payloads (ChannelData or Send indications; the raw
# forwarder takes plain datagrams); "paced-N" offers a fixed 20,000 packets/s of 100 bytes.
# Short runs on purpose: the machine is shared.
common_args=(--clients 0 --capacity 0 --latency-rate 0 --timeout 120)
relay_seconds=1.5
declare -A workload
workload[bind-udp]="--binding 1 --transport udp --allocations 0"
workload[bind-tcp]="--binding 1 --transport tcp --allocations 0"
workload[bind-tls]="--binding 1 --transport tls --allocations 0"
workload[cycle-udp]="--cycle 1 --transport udp --allocations 0"
workload[cycle-tcp]="--cycle 1 --transport tcp --allocations 0"
workload[cycle-tls]="--cycle 1 --transport tls --allocations 0"
workload[cycle-tlsr]="--cycle 1 --transport tls --tls-resume 1 --allocations 0"
relay_cells=()
for mode in channel send raw; do
    for n in 1 100 1000; do
        # Packets in flight: 128 for one allocation, about 400 for 100 and 1,000 allocations.
        case $n in 1) win=128 ;; 100) win=4 ;; *) win=1 ;; esac
        for size in 100 1200; do
            relay_cells+=("relay-$mode-$n-$size")
            workload[relay-$mode-$n-$size]="--relay-mode $mode --allocations $n --size $size
                --window $win --duration $relay_seconds --concurrency 64"
        done
    done
done
for n in 1 100 1000; do
    for mode in channel raw; do
        workload[paced-$mode-$n]="--relay-mode $mode --allocations $n --size 100 --rate 20000
            --duration $relay_seconds --concurrency 64"
    done
done
# What each server runs: TURN servers everything but raw relaying, the forwarders only that.
turn_list="bind-udp bind-tcp bind-tls cycle-udp cycle-tcp cycle-tls cycle-tlsr
    $(printf '%s\n' "${relay_cells[@]}" | grep -v raw | tr '\n' ' ') paced-channel-1
    paced-channel-100 paced-channel-1000"
forward_list="$(printf '%s\n' "${relay_cells[@]}" | grep raw | tr '\n' ' ') paced-raw-1
    paced-raw-100 paced-raw-1000"
# The same relay port range for both servers (they never run at the same time).
relay_range=(40000 59999)
echo_port=""
source=0
user=alice
password=secret1
realm=tern

log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- build

if [ -z "$builddir" ]; then
    builddir=/tmp/tern-bench-build
fi
if [ ! -x "$builddir/ternd" ] || [ ! -x "$builddir/tern-bench" ] ||
    [ ! -x "$builddir/tern-forward" ]; then
    log "building ternd and tern-bench in $builddir"
    (cd "$top" && { [ -x configure ] || ./autogen.sh >/dev/null 2>&1; }) || exit 1
    mkdir -p "$builddir" || exit 1
    (cd "$builddir" && { [ -f Makefile ] || "$top/configure" --quiet; } &&
        make -j2 --quiet ternd tern-bench tern-forward) >&2 || { log "build failed"; exit 1; }
fi
ternd=$builddir/ternd
bench=$builddir/tern-bench
forward=$builddir/tern-forward

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

# Every allocation holds a socket in the server and one in tern-bench: 100,000 of them for -c.
ulimit -Hn 300000 2>/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# Pinning: the server on CPU 1, tern-bench on CPU 0 (when there are two CPUs and taskset).
server_pin=()
bench_pin=()
if [ "$pin" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    server_pin=(taskset -c 1)
    bench_pin=(taskset -c 0)
fi

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


# A self-signed certificate for the TLS listeners of both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1 ||
    log "openssl could not make a certificate: no TLS workloads"
# ternd takes TLS when it knows the keys (the TLS listener may not be merged yet).
tern_tls=0
if [ -s "$work/cert.pem" ] && grep -q 'tls\.cert' "$ternd" && grep -q 'tls\.port' "$ternd"; then
    tern_tls=1
fi

# Writes ternd's configuration for listening port $1 (TLS on $2) and relay addresses $3 (a
# libconfig list, may be empty).
tern_conf() {
    local port=$1 tls_port=$2 relay=$3
    cat <<EOF
server = { threads = $threads; allow_root = true; admin_socket = ""; };
listen = { addresses = ["127.0.0.1"]; port = $port; tcp_max_connections = 100000; };
relay = { addresses = [$relay]; port_min = ${relay_range[0]}; port_max = ${relay_range[1]}; };
auth = { realm = "$realm"; users = ( { name = "$user"; password = "$password"; } ); };
turn = { unauth_rate = 0; };
peers = { allow = ["127.0.0.0/8"]; };
http = { enabled = false; };
EOF
    if [ "$tern_tls" = 1 ]; then
        echo "tls = { cert = \"$work/cert.pem\"; key = \"$work/key.pem\"; port = $tls_port;"
        grep -q 'tls\.dtls' "$ternd" && echo "  dtls = false;"
        echo "};"
    fi
}

start_tern() {
    tern_conf "$1" "$2" "${3:-}" >"$work/tern.conf"
    "${server_pin[@]}" "${wrap[@]}" "$ternd" -c "$work/tern.conf" >>"$work/ternd.log" 2>&1 &
    server_pid=$!
}

start_coturn() {
    local port=$1 tls_port=$2 relays=() ip
    for ip in ${3:-127.0.0.1}; do relays+=(--relay-ip="$ip"); done
    "${server_pin[@]}" "${wrap[@]}" "$turnserver" -n --listening-ip=127.0.0.1 \
        --listening-port="$port" --tls-listening-port="$tls_port" "${relays[@]}" \
        --min-port="${relay_range[0]}" --max-port="${relay_range[1]}" --cert="$work/cert.pem" \
        --pkey="$work/key.pem" --lt-cred-mech --user="$user:$password" --realm="$realm" \
        --allow-loopback-peers --no-cli --no-dtls --log-file=stdout --simple-log \
        --relay-threads="$threads" --pidfile="$work/turnserver.pid" --userdb="$work/turndb" \
        >>"$work/coturn.log" 2>&1 &
    server_pid=$!
}

start_forward() {
    "${server_pin[@]}" "${wrap[@]}" "$forward" --listen "127.0.0.1:$1" \
        --peer "127.0.0.1:$echo_port" --gso 0 --max-flows 5000 --duration 600 \
        >>"$work/forward.log" 2>&1 &
    server_pid=$!
}

start_forward_gso() {
    "${server_pin[@]}" "${wrap[@]}" "$forward" --listen "127.0.0.1:$1" \
        --peer "127.0.0.1:$echo_port" --gso 1 --max-flows 5000 --duration 600 \
        >>"$work/forward.log" 2>&1 &
    server_pid=$!
}

# Starts server $1 (under "${wrap[@]}") alone, waits up to $2 s; sets port, tls_port and
# running. Extra argument $3: relay addresses.
start_alone() {
    local name=$1 _
    port=$(free_port) || return 1
    tls_port=$(free_port) || return 1
    "start_$name" "$port" "$tls_port" "${3:-}"
    running=$server_pid
    case $name in
    forward*)
        for _ in $(seq 30); do
            ss -Hulnp 2>/dev/null | grep -q "127.0.0.1:$port .*pid=$server_pid," && break
            sleep 0.1
        done
        ;;
    *) wait_stun "$port" "$2" ;;
    esac
    if ! kill -0 "$server_pid" 2>/dev/null || ! port_is_ours "$port" "$server_pid"; then
        log "$name did not start alone on 127.0.0.1:$port (log in $work)"
        keep=1
        stop_pid "$server_pid" 20
        running=""
        return 1
    fi
}

stop_running() {
    stop_pid "$running" "${1:-5}"
    running=""
}

# Runs tern-bench against the running server with label $1 and the arguments that follow;
# appends its JSON to runs.jsonl.
bench_run() {
    local label=$1 status server=127.0.0.1:$port
    shift
    # Each run's clients on addresses of their own: a server may refuse (437) for a while a
    # 5-tuple whose allocation an earlier run released.
    source=$((source % 250 + 1))
    case $label in */*-tls*/*) server=127.0.0.1:$tls_port ;; esac
    "${bench_pin[@]}" "$bench" --server "$server" --user "$user" --password "$password" \
        --server-pid "$server_pid" --echo-port "$echo_port" --source "$source" --label "$label" \
        "${common_args[@]}" "$@" "${extra_args[@]}" >"$work/run.json" 2>>"$work/tern-bench.err"
    status=$?
    [ -s "$work/run.json" ] && cat "$work/run.json" >>"$work/runs.jsonl"
    [ $status = 0 ] || log "$label: tern-bench exit status $status"
}

selected() { [ -z "$only" ] || [[ $1 =~ $only ]]; }

# One round of server $1: memory, then its workloads.
run_server() {
    local name=$1 round=$2 list w
    start_alone "$name" 10 || return 0
    case $name in
    forward*) list=$forward_list ;;
    *)
        bench_run "$name/mem-1k/$round" --capacity 1000 --allocations 0 --concurrency 64
        bench_run "$name/mem-10k/$round" --capacity 10000 --allocations 0 --concurrency 64
        list=$turn_list
        ;;
    esac
    for w in $list; do
        selected "$w" || continue
        case $name/$w in tern/*tls*) [ "$tern_tls" = 1 ] || continue ;; esac
        # shellcheck disable=SC2086 # the workload's words are options
        bench_run "$name/$w/$round" ${workload[$w]}
    done
    stop_running
}

# ---------------------------------------------------------------- the rounds

echo_port=$(free_port) || { log "no free port"; exit 1; }
log "ternd: $ternd (TLS: $tern_tls); turnserver: $("$turnserver" --version 2>/dev/null | head -n 1)"
log "$repeats rounds, $threads thread(s) per server, pinned: ${server_pin[*]:-no}; work $work"
for round in $(seq 1 "$repeats"); do
    order=${SERVERS:-tern coturn forward forward_gso}
    if [ $((round % 2)) = 0 ]; then order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    for name in $order; do
        log "round $round/$repeats: $name"
        run_server "$name" "$round"
    done
done

# ---------------------------------------------------------------- capacity

if [ "$capacity" = 1 ]; then
    relays="127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14 127.0.0.15 127.0.0.16 127.0.0.17"
    for name in tern coturn; do
        log "capacity of $name"
        # 100,000 where the descriptor limit allows it; every allocation holds a descriptor in
        # the server and one in tern-bench.
        ask=$(($(ulimit -n) - 500))
        [ "$ask" -le 100000 ] || ask=100000
        if [ $name = tern ]; then
            arg=$(echo "$relays" | sed 's/\([0-9.]*\)/"\1"/g; s/ /, /g')
        else
            arg=$relays
        fi
        start_alone "$name" 10 "$arg" || continue
        bench_run "$name/capacity/1" --capacity "$ask" --allocations 0 --concurrency 256 \
            --refresh-passes 1 --per-ip 20000 --settle 2 --phase-timeout 120 --tries 3 \
            --rto 1000 --timeout 600
        stop_running 20
    done
fi

# ---------------------------------------------------------------- counts

# Instructions executed by every thread of the valgrind process $1 so far.
instructions() {
    callgrind_control -e Ir "$1" 2>/dev/null |
        awk '$1 == "Th" { gsub(",", "", $3); sum += $3 } END { printf "%.0f\n", sum }'
}

# User-space instructions of server $1 under callgrind for two paced runs (300 and 900
# packets/s sent through 4 allocations, 100 bytes, 3 s each); their difference divided by the
# difference in relayed round trips is the cost of one more round trip, free of start-up and
# set-up. The rates are low on purpose: every packet is its own wake-up whatever the load of the
# machine, so the count does not depend on how fast valgrind ran (at higher rates, batches form
# when the server falls behind, and the count falls with them).
count_instructions() {
    local name=$1 rate before after mode=channel
    case $name in forward*) mode=raw ;; esac
    wrap=(valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$name.%p")
    start_alone "$name" 60
    status=$?
    wrap=()
    [ $status = 0 ] || return 1
    for rate in 300 900; do
        before=$(instructions "$server_pid")
        bench_run "$name/callgrind-$rate/1" --relay-mode "$mode" --allocations 4 --size 100 \
            --rate "$rate" --duration 3 --rto 2000
        after=$(instructions "$server_pid")
        echo "{\"label\": \"$name/callgrind-$rate/1\", \"instructions\": $((after - before))}" \
            >>"$work/counts.jsonl"
    done
    stop_running 30
}

# System calls of server $1 while 16 allocations relay 4,000 packets/s sent for 2 s.
count_syscalls() {
    local name=$1
    start_alone "$name" 10 || return 1
    strace -f -c -p "$server_pid" -o "$work/strace-$name.txt" 2>/dev/null &
    tracer=$!
    sleep 0.5
    bench_run "$name/strace/1" --allocations 16 --size 100 --rate 4000 --duration 2
    kill -INT "$tracer" 2>/dev/null
    wait "$tracer" 2>/dev/null
    tracer=""
    stop_running
}

if [ "$profile" = 1 ]; then
    for name in ${COUNT_SERVERS:-tern coturn forward}; do
        if command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1
        then
            log "counting instructions of $name (valgrind --tool=callgrind)"
            count_instructions "$name"
        fi
        if [ "$name" != forward ] && command -v strace >/dev/null 2>&1; then
            log "counting system calls of $name (strace -c)"
            count_syscalls "$name"
        fi
    done
fi

# ---------------------------------------------------------------- summary

summary=$work/summary.json
"$python" "$top/scripts/bench-summary.py" "$work" "$summary" "$repeats" "$threads" \
    "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$("$turnserver" --version 2>/dev/null | head -n 1)" "$cmdline" || exit 1
if [ -n "$outfile" ]; then
    cp "$summary" "$outfile" && log "summary written to $outfile"
else
    cat "$summary"
fi
