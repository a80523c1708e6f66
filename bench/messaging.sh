#!/usr/bin/env bash
# Benchmark (issue 14): messages per second end to end through the gateway's message store (the embedded SQLite
# store, [FileStorage] fsync = false), both ways, against the echo application's SIP MESSAGE rate in the same run,
# and the time of a 5,000-message sync. Needs sipp (Debian package sip-tester).
#
# Usage: [DIST=<distribution>] [JAVA_OPTS=...] [BACKEND=sqlite|cassandra] [SENDER=sipp|flood] bench/messaging.sh [seconds-per-step] [accounts] [messages-per-account] [rates...]
#   defaults: 5 s per step at 1000, 2000, 3000, 5000 MESSAGEs/s; 4 sylkRTC accounts x 5000 account-messages (0
#   accounts: the SIP side only, no sylkRTC -> SIP part and no sync)
# Prints:
#   - SIP -> gateway, per target rate: sipp sends CPIM MESSAGEs for carol (X-Sylk-App: webrtcgateway); each is
#     stored and delivered as a message event to carol's 2 connections before its 200. Achieved rate, failed calls,
#     MESSAGE -> 200 round trip (sipp rtd) p50/p99, and the event rate each connection saw.
#   - baseline: the same MESSAGEs with X-Sylk-App: echo (the echo application answers 200, CPIM parsed, nothing sent
#     back for a non-text payload), same rate, same measures. Summary: the highest achieved rate (MESSAGEs / wall
#     time of the step) with no failed MESSAGE for each, and their ratio. sipp times round trips in whole ms.
#   - sylkRTC -> SIP: each account sends account-messages (50 in flight) -> stored (ack) -> SIP MESSAGE to the
#     outbound proxy (a sipp UAS) -> 200 -> accepted event; rate and latencies. Right before it, OUTGOING_WARMUP
#     (default 5000) account-messages per account as a JIT warm-up after the SIP steps (its rate shown, not counted).
#     The run's first warm-up sends WARMUP (default 5000) per account from 4 accounts: smaller for BACKEND=cassandra,
#     whose node took 815 account-messages/s on two cores (session 22).
#   - sync: alice-1's journal, account-sync-conversations with limit 5000, SYNC_WARMUPS (default 5) times as a JIT
#     warm-up (shown, not counted: the server's very first sync runs cold code), 5 times on one connection, then
#     FRESH_SYNCS (default 20) times each on a new connection (its first sync), with p50/p99.
# STEP_HOOK=<executable> runs "<executable> <application> <rate> <server pid>" in the background during each measured
# step and stops it with SIGINT at the step's end: a profiler, e.g. a script that runs
# `exec perf record -g -o perf-$1-$2.data -p $3` (with JAVA_OPTS='-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
# -XX:+PreserveFramePointer' for the Java frames).
# SENDER=flood sends the SIP MESSAGEs with bench/messaging/SipFlood.java instead of sipp (the same requests, timer E
# retransmissions, 10 s limit): sipp tops out near 2,800/s on two cores, below the issue's 5,000/s.
# BACKEND=cassandra keeps the messages on a one-node Apache Cassandra instead ([Cassandra] cluster_contact_points):
# the tests' node (module cassandra-test-node, built by `mvn -B -DskipTests package`) in its own JVM with a 512 MiB
# heap, on the same two cores as everything else.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
seconds=${1:-5}
accounts=${2:-4}
per_account=${3:-5000}
shift 3 || shift $#
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(1000 2000 3000 5000)
# PORTS="<sip> <proxy> <web>" when another benchmark holds the defaults (bench/conference-calls.sh's server uses 25070)
read -r port proxy_port web <<< "${PORTS:-25060 25070 28088}"
work=$(mktemp -d /tmp/sylk-bench.XXXXXX)
backend=${BACKEND:-sqlite}
cassandra=
trap 'kill $proxy 2>/dev/null || true; kill $server 2>/dev/null || true; wait $server 2>/dev/null || true;
      [ -z "$cassandra" ] || { exec 7>&-; wait $cassandra 2>/dev/null || true; }
      cp "$work/server.log" /tmp/messaging-bench-server.log 2>/dev/null || true; rm -rf "$work"' EXIT

command -v sipp >/dev/null || { echo "bench: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }
[ -d "$dist/lib" ] || (cd "$here" && mvn -B -q -DskipTests package)

mkdir -p "$work/config"
server_ini $port $web > "$work/config/config.ini"
cat > "$work/config/webrtcgateway.ini" <<INI
[General]
outbound_sip_proxy = 127.0.0.1:$proxy_port;transport=udp
sip_domains = example.com
; every client comes from 127.0.0.1
max_connections_per_address = 0
INI
case "$backend" in
    sqlite) ;;
    cassandra)
        echo "== starting a one-node Cassandra"
        start_cassandra "$work"
        printf '[Cassandra]\ncluster_contact_points = %s\nkeyspace = sylkbench\n' "$contact" >> "$work/config/webrtcgateway.ini"
        echo "Cassandra node at $contact" ;;
    *) echo "bench: BACKEND is sqlite or cassandra, not '$backend'" >&2; exit 2 ;;
esac

echo "== starting the server and the outbound proxy (sipp UAS)"
# the proxy's socket buffers at 4 MiB (capped by net.core.rmem_max), as a proxy's are: at sipp's default of 64 KiB
# a burst of MESSAGEs (a commit's worth of account-messages sent at once, session 24) overflowed its receive buffer
# on loopback, and the lost MESSAGEs waited for timer E's retransmissions (0.5 + 1 + 2 s)
(cd "$work" && exec sipp -sf "$here/bench/sipp/proxy-uas.xml" -i 127.0.0.1 -p $proxy_port -m 100000000 -nostdin \
    -buff_size 4194304 >/dev/null 2>&1) &
proxy=$!
# shellcheck disable=SC2086 # JAVA_OPTS: extra JVM options, e.g. -XX:StartFlightRecording=... to profile
java "@$dist/conf/jvm.options" -Xms1g -Xmx1g ${JAVA_OPTS:-} -Dsylk.home="$dist" -cp "$dist/lib/*" \
    org.sylkserver.core.SylkServer --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
await_started "$work/server.log" 300
# compiled once per run, not by each client JVM from its source (javac ran at every client's start, beside the SIP
# steps); it did not steady the client's CPU per account-message (session 22)
mkdir -p "$work/client"
javac -d "$work/client" "$here/bench/messaging/MessagingBench.java"
client() { java -Xmx1g -XX:+UseParallelGC -cp "$work/client" MessagingBench "$@"; }
url=ws://127.0.0.1:$web/webrtcgateway/ws
# the machine's UDP datagrams dropped for a full socket receive buffer so far (RcvbufErrors of /proc/net/snmp)
udp_receive_drops() { awk '/^Udp:/ { if (n++) print $6 }' /proc/net/snmp; }

# one sipp run of $2 MESSAGEs at $1/s to application $3; prints "<achieved/s> <failed> <rtd p50 ms> <rtd p99 ms>
# <refused>", refused being the failed calls answered with another final response than 200 (the gateway's 503 when
# its store queue is full), the others having timed out
sipp_run() {
    if [ "${SENDER:-sipp}" = flood ]; then
        java -Xmx256m -XX:+UseSerialGC "$here/bench/messaging/SipFlood.java" "127.0.0.1:$port" "$3" "$1" "$2" \
            2>>"$work/flood.err" || echo "0 $2 0 0 0"
        return
    fi
    local out="$work/sipp-$3-$RANDOM" start end
    mkdir -p "$out"
    start=$(date +%s.%N)
    (cd "$out" && timeout $(( $2 / $1 + 60 )) sipp "127.0.0.1:$port" -sf "$here/bench/sipp/message-uac.xml" -key app "$3" \
        -i 127.0.0.1 -p "$(free_udp_port)" -r "$1" -m "$2" -l $(( $1 * 2 )) -nostdin -timeout $(( $2 / $1 + 40 ))s -max_socket 1000 \
        -trace_stat -stf stat.csv -trace_rtt -rtt_freq 1000 >/dev/null 2>&1) || true
    end=$(date +%s.%N)
    local failed refused
    failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 }
        END { split(last, f, ";"); print f[col["FailedCall(C)"]] + 0 }' "$out/stat.csv" 2>/dev/null || echo "?")
    refused=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 }
        END { split(last, f, ";"); print f[col["FailedUnexpectedMessage(C)"]] + 0 }' "$out/stat.csv" 2>/dev/null || echo "?")
    # the rtt file: one line per call, "date_ms;response_time_ms;rtd_no"; achieved = calls / wall time
    awk -F';' '$2 ~ /^[0-9.]+$/ { print $2 }' "$out"/*_rtt.csv 2>/dev/null | sort -g | awk -v n="$2" -v s="$start" \
        -v e="$end" -v failed="$failed" -v refused="$refused" '{ t[++c] = $1 }
        END { printf "%.0f %s %.2f %.2f %s\n", n / (e - s), failed, (c ? t[int(c * 0.5) + 1] : 0),
              (c ? t[int(c * 0.99) + 1] : 0), refused }'
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== warming up (JIT), not counted: 10 s of MESSAGEs at 1000/s to each application, 4 x ${WARMUP:-5000} account-messages"
client incoming "$url" carol@example.com 2 10000 "$work/ready-warm" > /dev/null &
warm=$!
while [ ! -e "$work/ready-warm" ]; do kill -0 $warm 2>/dev/null || { echo "clients could not register"; exit 1; }; sleep 0.2; done
sipp_run 1000 10000 webrtcgateway > /dev/null || true
wait $warm || true
sipp_run 1000 10000 echo > /dev/null || true
# a store that refuses some (a loaded Cassandra node) must not end the run here
# 20,000 account-messages: with 4,000 (and still with 10,000) C2 compiled the path's large methods through the measured
# part, 0.14-0.27 ms of compiler CPU per account-message, 30 % of the server's CPU in a perf profile (session 18)
client outgoing "$url" 4 "${WARMUP:-5000}" 50 warm > /dev/null || echo "warm-up account-messages: the client reported failures"

# starts STEP_HOOK for step $1 (application) at rate $2; step_hook_end stops it
step_hook() {
    hook=
    [ -n "${STEP_HOOK:-}" ] || return 0
    "$STEP_HOOK" "$1" "$2" "$server" > "$work/hook.out" 2>&1 &
    hook=$!
}
step_hook_end() {
    [ -n "${hook:-}" ] || return 0
    kill -INT "$hook" 2>/dev/null || true
    wait "$hook" 2>/dev/null || true
}

# the server's CPU over a step, per MESSAGE sent: "server CPU <us> us per MESSAGE", then its threads' share (ms per
# call, as the other benchmarks print it); $1 = MESSAGEs, $2 = the thread snapshot and $3 the CPU ticks before the step
step_cpu() {
    local after
    after=$(mktemp "$work/threads.XXXX")
    thread_ticks $server > "$after"
    awk -v t="$(cpu_ticks $server)" -v t0="$3" -v n="$1" -v clk="$(getconf CLK_TCK)" \
        'BEGIN { printf "  server CPU %.0f us per MESSAGE\n", (t - t0) * 1e6 / clk / n }'
    thread_cpu_per_call "$2" "$after" "$1" 8
}

# each rate: echo first, then the gateway, the same number of MESSAGEs; a step counts only without a failed call
declare -A best=([echo]=0 [webrtcgateway]=0)
for rate in "${rates[@]}"; do
    total=$(( rate * seconds ))
    thread_ticks $server > "$work/threads-before"; ticks=$(cpu_ticks $server)
    step_hook echo "$rate"
    read -r achieved failed p50 p99 _ <<< "$(sipp_run "$rate" "$total" echo)"
    step_hook_end
    printf 'echo           target %5d/s: %5d MESSAGE/s achieved, %s failed; MESSAGE -> 200 p50 %s ms, p99 %s ms\n' \
        "$rate" "$achieved" "$failed" "$p50" "$p99"
    step_cpu "$total" "$work/threads-before" "$ticks"
    [ "$failed" = 0 ] && [ "$achieved" -gt "${best[echo]}" ] && best[echo]=$achieved
    client incoming "$url" carol@example.com 2 "$total" "$work/ready-$rate" > "$work/incoming.out" &
    events=$!
    while [ ! -e "$work/ready-$rate" ]; do
        kill -0 $events 2>/dev/null || { echo "webrtcgateway  target $rate/s: the clients could not register"; break; }
        sleep 0.2
    done
    [ -e "$work/ready-$rate" ] || break
    thread_ticks $server > "$work/threads-before"; ticks=$(cpu_ticks $server)
    step_hook webrtcgateway "$rate"
    read -r achieved failed p50 p99 refused <<< "$(sipp_run "$rate" "$total" webrtcgateway)"
    wait $events || true
    step_hook_end
    printf 'webrtcgateway  target %5d/s: %5d MESSAGE/s achieved, %s failed (%s of them answered, e.g. 503); MESSAGE -> stored -> 200 p50 %s ms, p99 %s ms\n' \
        "$rate" "$achieved" "$failed" "$refused" "$p50" "$p99"
    step_cpu "$total" "$work/threads-before" "$ticks"
    cat "$work/incoming.out"
    [ "$failed" = 0 ] && [ "$achieved" -gt "${best[webrtcgateway]}" ] && best[webrtcgateway]=$achieved
done
echo "highest achieved rate with zero failed MESSAGEs: echo ${best[echo]}/s, webrtcgateway ${best[webrtcgateway]}/s"
awk -v g="${best[webrtcgateway]}" -v b="${best[echo]}" 'BEGIN { if (b > 0) printf "gateway / echo = %.2f\n", g / b }'
baseline=${best[echo]}

if [ "$accounts" -gt 0 ]; then
# a second warm-up right before the measured part, as the sync has one: the SIP steps' requests (other clients'
# account-add and REGISTERs, the incoming MESSAGEs' store writes) deoptimize the path's compiled code, and without
# this C2 compiled it again in the measured seconds, 0.1-0.2 ms per account-message (session 20)
echo "== sylkRTC -> SIP warm-up after the SIP steps, not counted: $accounts accounts x ${OUTGOING_WARMUP:-5000}"
client outgoing "$url" "$accounts" "${OUTGOING_WARMUP:-5000}" 50 rewarm | sed -n 's/^outgoing: /  warm-up: /p' \
    || echo "warm-up account-messages: the client reported failures"
echo "== sylkRTC -> store -> SIP MESSAGE -> sipp UAS -> accepted: $accounts accounts x $per_account"
thread_ticks $server > "$work/threads-before"; ticks=$(cpu_ticks $server); drops=$(udp_receive_drops)
client outgoing "$url" "$accounts" "$per_account" 50 run || echo "sylkRTC -> SIP: the client reported failures"
step_cpu $(( accounts * per_account )) "$work/threads-before" "$ticks" | sed 's/MESSAGE/account-message/'
echo "  UDP datagrams dropped for a full receive buffer (the whole machine): $(( $(udp_receive_drops) - drops ))"
awk -v b="$baseline" 'BEGIN { printf "(echo baseline above: %s MESSAGE/s)\n", b }'

echo "== sync: alice-1's journal (>= $per_account entries), limit 5000: ${SYNC_WARMUPS:-5} not counted (JIT warm-up), 5 on one connection, then ${FRESH_SYNCS:-20} on fresh ones"
thread_ticks $server > "$work/threads-before"; ticks=$(cpu_ticks $server)
client sync "$url" alice-1@example.com 5000 "${SYNC_WARMUPS:-5}" 5 "${FRESH_SYNCS:-20}" || echo "sync: the client reported failures"
step_cpu $(( ${SYNC_WARMUPS:-5} + 5 + ${FRESH_SYNCS:-20} )) "$work/threads-before" "$ticks" | sed 's/MESSAGE/sync (and its connection)/'
fi

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ ! -s "$work/flood.err" ] || { echo "sender (SipFlood):"; sed 's/^/  /' "$work/flood.err"; }
echo "server log SEVERE lines: $(grep -c 'SEVERE' "$work/server.log" || true)"
echo "store queue full warnings: $(grep -c 'message store queue full' "$work/server.log" || true)"
[ "$backend" = cassandra ] || echo "journal database: $(du -h "$work/var/webrtcgateway/storage/messages.db" 2>/dev/null | cut -f1)"
echo "backend: $backend"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
