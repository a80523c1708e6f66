#!/usr/bin/env bash
# Benchmark: INVITE/ACK/BYE calls per second with zero failures, echo application vs. a trivial servlet
# (baseline) on the same server in the same run. Needs sipp (Debian package sip-tester).
#
# Usage: bench/echo-calls.sh [seconds-per-step] [rates...]
#   default: 10 s per step, rates 1000 1400 1800 2200 2600 (after a 40 s warm-up)
# Prints one line per step (target rate, and the rate achieved over the step's wall time when no call failed)
# and a summary: the highest achieved rate with no failed call for each application, their ratio, and the
# server's resident memory. sipp runs on the same 2 cores as the server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$here/container-config/target/sylk-server"
step=${1:-10}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(1000 1400 1800 2200 2600)
port=25060
work=$(mktemp -d /tmp/sylk-bench.XXXXXX)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

command -v sipp >/dev/null || { echo "bench: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }
[ -d "$dist/lib" ] || (cd "$here" && mvn -B -q -DskipTests package)

echo "== building the baseline servlet"
mkdir -p "$work/baseline/WEB-INF/classes" "$work/config"
javac -d "$work/baseline/WEB-INF/classes" -cp "$dist/lib/*" "$here/bench/baseline/BaselineServlet.java"
cp "$here/bench/baseline/sip.xml" "$work/baseline/WEB-INF/"
(cd "$work/baseline" && jar cf "$work/baseline.war" WEB-INF)

cat > "$work/config/config.ini" <<INI
[Server]
log_level = warning
[SIP]
local_ip = 127.0.0.1
local_udp_port = $port
local_tcp_port = $port
local_tls_port = $((port + 1))
[RTP]
port_range = 20000:60000
[WebServer]
local_port = 28088
INI
printf '[Echo]\nanswer_delay = 0\n' > "$work/config/echo.ini"
# hand-written routing (the operator's override): user "baseline" to the baseline, everything else to echo
cat > "$work/config/dar.properties" <<'DAR'
INVITE: ("baseline", "DAR:From", "NEUTRAL", "", "NO_ROUTE", "0", "REGEX=\\A[A-Z]+\\x20sips?:baseline@"), ("echo", "DAR:From", "NEUTRAL", "", "NO_ROUTE", "1")
DAR

echo "== starting the server"
java "@$dist/conf/jvm.options" -Xms512m -Xmx1g -Dsylk.home="$dist" -cp "$dist/lib/*" org.sylkserver.core.SylkServer \
    --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do grep -q ' started: ' "$work/server.log" 2>/dev/null && break; sleep 1; done
grep -q ' started: ' "$work/server.log" || { echo "server did not start:"; tail -20 "$work/server.log"; exit 1; }
cp "$work/baseline.war" "$work/var/container/webapps/baseline.war"
for _ in $(seq 30); do grep -q 'baseline.war has finished' "$work/server.log" && break; sleep 1; done

# one step: $1 application, $2 rate; echoes "ok <achieved calls/s>" when every call of the step succeeded
run_step() {
    local app=$1 rate=$2 calls=$(( $2 * step ))
    local out="$work/sipp-$app-$rate" start end
    mkdir -p "$out"
    start=$(date +%s.%N)
    if (cd "$out" && timeout $((step * 3 + 30)) sipp -sn uac -s "$app" "127.0.0.1:$port" -i 127.0.0.1 -p 0 \
            -r "$rate" -m "$calls" -l $((rate * 4)) -nostdin -timeout $((step * 2 + 20))s -recv_timeout 5000 \
            -max_socket 1000 -trace_stat -stf stat.csv >/dev/null 2>&1); then
        end=$(date +%s.%N)
        awk -v c="$calls" -v s="$start" -v e="$end" 'BEGIN { printf "ok %.0f\n", c / (e - s) }'
    else
        echo fail
    fi
}

echo "== warming up (JIT): 20 s at 400 calls/s per application, not counted"
for app in baseline echo; do
    step_saved=$step; step=20; run_step "$app" 400 >/dev/null; step=$step_saved
done

# best[app] = highest achieved rate (calls / wall time of the step) among steps without a failed call
declare -A best=([baseline]=0 [echo]=0)
for rate in "${rates[@]}"; do
    for app in baseline echo; do
        result=$(run_step "$app" "$rate")
        printf '%-9s target %5d calls/s for %d s: %s\n' "$app" "$rate" "$step" "$result"
        if [ "${result%% *}" = ok ]; then
            achieved=${result#ok }
            [ "$achieved" -gt "${best[$app]}" ] && best[$app]=$achieved
        fi
    done
done
rss_kb=$(ps -o rss= -p $server | tr -d ' ')
echo
echo "highest achieved rate with zero failed calls: baseline ${best[baseline]}/s, echo ${best[echo]}/s"
if [ "${best[baseline]}" -gt 0 ]; then
    awk -v e="${best[echo]}" -v b="${best[baseline]}" 'BEGIN { printf "echo / baseline = %.2f\n", e / b }'
fi
echo "server RSS after the run: $((rss_kb / 1024)) MiB"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
