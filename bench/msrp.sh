#!/usr/bin/env bash
# Benchmark (issue 5): MSRP chat in a 10-participant conference room and file upload into a room, against the
# media engine's MSRP transport alone in the same run (the baseline).
#
# Usage: [DIST=<distribution>] [RUNS=2] [CHAT=1] [SECONDS_CHAT=10] [WINDOW=32] [MB="100 1024"] [TRANSPORTS="tls tcp"] [PROFILE=1] bench/msrp.sh
#
# Chat: 10 participants join room "benchroom" over SIP/TCP and bind their MSRP connections; each sends CPIM text
# messages, at most WINDOW unanswered at a time, for 3 s of warm-up then SECONDS_CHAT s measured. Every receiver
# counts each sender's sequence numbers: the run reports messages answered 200 per second (sent/s), copies
# received per second (delivered/s, ideally 9 x sent/s), the send-to-delivery latency percentiles and whether
# every answered message reached all 9 others exactly once (ZERO LOSS). The baseline ("relay") is the same client
# against a relay built on MsrpServer alone (bench/msrp/MsrpBench.java relay): 10 sessions, each SEND copied to
# the 9 others on the thread that read it, as the conference's ChatStream does, without SIP, CPIM or the room.
# Upload: an RFC 5547 push of an MB MiB file (offered with its SHA-1) in 1 MiB chunks (the parser's limit), 8
# unanswered at a time, timed from the first byte to the success REPORT (which the room sends after storing and
# hashing the file). Baseline: the same bytes through one TLS (and TCP) socket on loopback into a file.
# CHAT=0 skips the chat runs (relay and room), for upload-only measurements.
# Each transport in TRANSPORTS runs its own server ([MSRP] use_tls true / false). PROFILE=1 records a JFR
# profile of each server into /tmp/msrp-bench-<transport>.jfr. Client, relay and server share the machine's cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
runs=${RUNS:-2}
chat=${CHAT:-1}
chat_seconds=${SECONDS_CHAT:-10}
window=${WINDOW:-32}
sizes=${MB:-"100 1024"}
transports=${TRANSPORTS:-"tls tcp"}
port=25080
work=$(mktemp -d /tmp/sylk-msrp-bench.XXXXXX)
server=
relay=
stop() { [ -z "$1" ] || { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
trap 'stop "$server"; stop "$relay"; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

[ -f "$dist/webapps/conference.war" ] || { echo "bench: build the distribution first (mvn -B -DskipTests package)" >&2; exit 2; }
client() { java -Xms1g -Xmx2g -cp "$dist/lib/*" "$here/bench/msrp/MsrpBench.java" "$@"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB," \
    "$(java -version 2>&1 | head -1); load: $(uptime | sed 's/.*load average: //')"

# the baseline's certificate: RSA 2048, self-signed, like the one the server makes for itself
keytool -genkeypair -alias bench -keyalg RSA -keysize 2048 -dname CN=127.0.0.1 -validity 2 -storetype PKCS12 \
    -keystore "$work/bench.p12" -storepass benchpass -keypass benchpass >/dev/null 2>&1

clk=$(getconf CLK_TCK)
cpu_report() {  # $1 pid, $2 ticks and $3 time at the start of the client run
    awk -v t="$(cpu_ticks "$1")" -v t0="$2" -v s="$3" -v e="$(date +%s.%N)" -v clk="$clk" \
        'BEGIN { printf "server CPU over the whole client run (joins, warm-up, drain): %.0f%%\n", 100 * (t - t0) / clk / (e - s) }'
}

start_server() {  # $1: tls or tcp
    rm -rf "$work/var" "$work/config"
    mkdir -p "$work/config"
    { server_ini $port 28090; printf '[MSRP]\nuse_tls = %s\n' "$([ "$1" = tls ] && echo true || echo false)"; } \
        > "$work/config/config.ini"
    printf '[Conference]\nanswer_delay = 0\n' > "$work/config/conference.ini"
    local jfr=()
    [ -z "${PROFILE:-}" ] || jfr=("-XX:StartFlightRecording=filename=/tmp/msrp-bench-$1.jfr,settings=profile")
    java "@$dist/conf/jvm.options" -Xms1g -Xmx2g "${jfr[@]}" -Dsylk.home="$dist" -cp "$dist/lib/*" \
        org.sylkserver.core.SylkServer --config-dir "$work/config" --var-dir "$work/var" > "$work/server-$1.log" 2>&1 &
    server=$!
    await_started "$work/server-$1.log"
}

for transport in $transports; do
    proto=$([ "$transport" = tls ] && echo TCP/TLS/MSRP || echo TCP/MSRP)
    tls_options=()
    [ "$transport" = tcp ] || tls_options=(--keystore "$work/bench.p12" --password benchpass)

    if [ "$chat" != 0 ]; then
        echo "== $transport: baseline, MsrpServer relay alone"
        java -Xms1g -Xmx2g -cp "$dist/lib/*" "$here/bench/msrp/MsrpBench.java" relay --participants 10 \
            --paths "$work/relay-paths" "${tls_options[@]}" > "$work/relay.log" 2>&1 &
        relay=$!
        for _ in $(seq 60); do grep -q 'relay ready' "$work/relay.log" 2>/dev/null && break; sleep 0.5; done
        for run in $(seq "$runs"); do
            echo "-- run $run"
            cpu0=$(cpu_ticks "$relay"); t0=$(date +%s.%N)
            client chat --paths "$work/relay-paths" --participants 10 --window "$window" --seconds "$chat_seconds"
            cpu_report "$relay" "$cpu0" "$t0"
        done
        stop "$relay"; relay=
    fi

    echo "== $transport: conference room (server [MSRP] use_tls = $([ "$transport" = tls ] && echo true || echo false))"
    start_server "$transport"
    if [ "$chat" != 0 ]; then
        for run in $(seq "$runs"); do
            echo "-- run $run"
            cpu0=$(cpu_ticks "$server"); t0=$(date +%s.%N)
            client chat --sip "127.0.0.1:$port" --room "benchroom$run" --proto "$proto" --participants 10 \
                --window "$window" --seconds "$chat_seconds"
            cpu_report "$server" "$cpu0" "$t0"
        done
    fi
    for mb in $sizes; do
        for run in $(seq "$runs"); do
            echo "-- upload $mb MiB, run $run"
            client copy --mb "$mb" --file "$work/copy.bin" "${tls_options[@]}"
            client upload --sip "127.0.0.1:$port" --room "fileroom$mb$run" --proto "$proto" --mb "$mb" || true
        done
    done
    echo "server log: $(grep -c -E 'WARN|SEVERE|Exception' "$work/server-$transport.log" || true) warning/exception lines"
    stop "$server"; server=
done
