# Shell functions shared by the benchmark scripts (sourced, not run).

# Prints the calling script's header comment (its usage: everything above its `set -euo pipefail`) and exits, when its
# first argument is -h or --help. Scripts call it right after sourcing this file, before they build or start anything.
usage_on_help() {
    case "${1:-}" in
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    esac
}

# Writes the [Server], [SIP] and [WebServer] sections every benchmark server uses to stdout: loopback only,
# warnings only, SIP on $1 (UDP and TCP) and $1+1 (TLS), HTTP/WebSocket on $2. Callers append their own sections.
server_ini() {
    cat <<INI
[Server]
log_level = warning
[SIP]
local_ip = 127.0.0.1
local_udp_port = $1
local_tcp_port = $1
local_tls_port = $(($1 + 1))
[WebServer]
local_ip = 127.0.0.1
local_port = $2
INI
}

# Waits up to $2 seconds (default 60) for the server writing log $1 to say it started; on timeout prints the log's
# tail and exits the script.
await_started() {
    local log=$1 seconds=${2:-60}
    for _ in $(seq "$seconds"); do grep -q ' started: ' "$log" 2>/dev/null && return 0; sleep 1; done
    echo "server did not start:"; tail -20 "$log"; exit 1
}

# User + system CPU time of process $1 so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One line per thread of process $1: "<tid> <name> <user + system clock ticks> <system clock ticks>", the name with its digits replaced by
# N (thread pools' members fall into one group) and blanks by _. The name is the kernel's (15 characters at most):
# the JVM gives Java threads theirs, its own threads (GC, JIT compiler) have names of their own too.
thread_ticks() {
    for f in /proc/"$1"/task/*/stat; do cat "$f" 2>/dev/null || true; echo; done | sed -n 's/^\([0-9]*\) (\(.*\)) [A-Z] \(.*\)$/\1\t\2\t\3/p' |
        awk -F'\t' '{ split($3, f, " "); n = $2; gsub(/[0-9]+/, "N", n); gsub(/ /, "_", n); print $1, n, f[11] + f[12], f[12] }'
}

# Prints the CPU of the threads of a process between two thread_ticks snapshots $1 (before) and $2 (after), by thread
# name group, in ms per call for $3 calls, the largest first ($4 lines at most): "  threads: name=ms ..." on one line.
thread_cpu_per_call() {
    thread_ticks_per_call "  threads (ms per call):" 3 "$@"
}

# The kernel's part of thread_cpu_per_call (system time: system calls such as a datagram's send, page faults), for the
# same snapshots, calls and thread groups, as "  of which in the kernel (ms per call): name=ms ...". Issue 12: two
# thirds of the conference mixer's CPU was its RTP sends in the kernel, which JFR's execution samples never see.
thread_kernel_per_call() {
    thread_ticks_per_call "  of which in the kernel (ms per call):" 4 "$@"
}

# What both print: after the label $1, field $2 of thread_ticks' lines (3: all ticks, 4: system ticks) between the
# snapshots $3 and $4, in ms per call for $5 calls, the groups ordered by all their ticks ($6 groups at most).
thread_ticks_per_call() {
    awk -v label="$1" -v field="$2" -v calls="$5" -v clk="$(getconf CLK_TCK)" -v max="${6:-12}" '
        FNR == NR { before[$1] = $3; shown[$1] = $field; next }
        { t[$2] += $3 - ($1 in before ? before[$1] : 0); v[$2] += $field - ($1 in shown ? shown[$1] : 0) }
        END {
            n = 0; for (g in t) keys[n++] = g
            for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (t[keys[j]] > t[keys[i]]) { x = keys[i]; keys[i] = keys[j]; keys[j] = x }
            line = label
            for (i = 0; i < n && i < max; i++) if (t[keys[i]] > 0) line = line sprintf(" %s=%.3f", keys[i], 1000 * v[keys[i]] / clk / calls)
            print line
        }' "$3" "$4"
}

# Makes directory $1 a server home that runs the distribution $2 plus the archives given after it (a benchmark's
# baseline application): the server deploys what its home's webapps/ holds when it starts (it has no hot deploy).
home_with() {
    local home=$1 dist=$2
    shift 2
    mkdir -p "$home/webapps"
    for entry in "$dist"/*; do [ "$(basename "$entry")" = webapps ] || ln -sfn "$entry" "$home/"; done
    ln -sf "$dist"/webapps/*.war "$home/webapps/"
    cp "$@" "$home/webapps/"
}

# A free UDP port on 127.0.0.1 for sipp's own socket: with -p 0 sipp takes 5060 when it is free, the port the
# end-to-end tests' SIP users need.
free_udp_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The clock ticks of the JIT compiler threads (the JVM names them "C1 CompilerThreadN", "C2 CompilerThreadN") between two
# thread_ticks snapshots $1 (before) and $2 (after). A compiler thread that the JVM retired between them (it starts
# and stops them with the load) is not counted.
compiler_ticks() {
    awk 'FNR == NR { before[$1] = $3; next }
         $2 ~ /^CN_CompilerThre/ { t += $3 - ($1 in before ? before[$1] : 0) }
         END { print t + 0 }' "$1" "$2"
}

# Starts the tests' one-node Cassandra (module cassandra-test-node, built by `mvn -B -DskipTests package`) in its own
# JVM with a 512 MiB heap, its data and output under directory $1, and waits until it takes CQL connections. Sets
# `contact` (host:port) and `cassandra` (the launcher's pid). The node stops when the caller closes fd 7, the
# launcher's standard input: `exec 7>&-; wait $cassandra`.
start_cassandra() {
    local node_classes="$here/container-config/cassandra-test-node/target/classes"
    [ -d "$node_classes" ] || { echo "bench: build the cassandra-test-node module first" >&2; exit 2; }
    exec 7> >(cd "$1" && exec java -cp "$node_classes" "$here/bench/messaging/CassandraForBench.java" \
        > "$1/cassandra.out" 2>&1)
    cassandra=$!
    for _ in $(seq 1 300); do grep -q '^contact ' "$1/cassandra.out" 2>/dev/null && break; sleep 0.5; done
    contact=$(awk '/^contact / { print $2 }' "$1/cassandra.out")
    [ -n "$contact" ] || { echo "bench: Cassandra did not start:"; cat "$1/cassandra.out"; exit 1; }
}
