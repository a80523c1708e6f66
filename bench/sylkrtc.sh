#!/usr/bin/env bash
# Benchmark (issue 6): concurrent idle sylkRTC connections and the round trip of ping -> ack at a fixed rate,
# against a plain WebSocket echo endpoint on the same server in the same run (the baseline).
#
# Usage: bench/sylkrtc.sh [connections] [rate] [seconds]     (defaults: 10000 1000 20)
# Prints, for the baseline and for sylkRTC: connections opened and how fast, requests sent/answered, and the
# round-trip percentiles; then the server's resident memory with every connection open.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="$here/container-config/target/sylk-server"
connections=${1:-10000}
rate=${2:-1000}
seconds=${3:-20}
work=$(mktemp -d /tmp/sylk-bench.XXXXXX)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; cp "$work/server.log" /tmp/sylkrtc-bench-server.log; rm -rf "$work"' EXIT

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -d "$dist/lib" ] || (cd "$here" && mvn -B -q -DskipTests package)

echo "== building the baseline echo endpoint"
mkdir -p "$work/baseline/WEB-INF/classes" "$work/config"
javac -d "$work/baseline/WEB-INF/classes" -cp "$dist/lib/*" "$here/bench/sylkrtc/baseline/EchoEndpoint.java"
(cd "$work/baseline" && jar cf "$work/baseline-ws.war" WEB-INF)

server_ini 25060 28088 > "$work/config/config.ini"
# every connection comes from 127.0.0.1: lift the per-address and total caps for the benchmark
cat > "$work/config/webrtcgateway.ini" <<INI
[General]
max_connections = 0
max_connections_per_address = 0
INI

echo "== starting the server"
home_with "$work/home" "$dist" "$work/baseline-ws.war"
java "@$dist/conf/jvm.options" -Xms1g -Xmx2g -Dsylk.home="$work/home" -cp "$dist/lib/*" org.sylkserver.core.SylkServer \
    --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
await_started "$work/server.log"

bench() {
    java -Xmx1g -XX:+UseParallelGC "$here/bench/sylkrtc/SylkRtcBench.java" "$@"
}
echo "== baseline: plain WebSocket echo, $connections connections, $rate req/s"
bench --mode echo --url ws://127.0.0.1:28088/baseline-ws/echo --connections "$connections" --rate "$rate" --seconds "$seconds"
echo "== sylkRTC: ping -> ack, $connections connections, $rate req/s"
bench --mode sylkrtc --url ws://127.0.0.1:28088/webrtcgateway/ws --connections "$connections" --rate "$rate" \
    --seconds "$seconds" &
client=$!
# the server's memory while the sylkRTC connections are open (sampled mid-run)
sleep $(( seconds / 2 + 15 ))
echo "server resident memory: $(ps -o rss= -p $server | awk '{printf "%.0f MB", $1/1024}')"
wait $client
echo "server log SEVERE/Exception lines: $(grep -c 'SEVERE\|Exception' "$work/server.log" || true)"
