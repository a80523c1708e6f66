#!/usr/bin/env bash
# Benchmark: INVITE/ACK/BYE calls per second with zero failures, echo application vs. a trivial servlet
# (baseline) on the same server in the same run. Needs sipp (Debian package sip-tester).
#
# Usage: [DIST=<distribution>] [JAVA_OPTS=...] bench/echo-calls.sh [seconds-per-step] [rates...]
#   default: 10 s per step, rates 1000 1400 1800 2200 2600 (after a 40 s warm-up)
# Prints one line per step (target rate, and the rate achieved over the step's wall time when no call failed,
# with the server JVM's CPU time over the step divided by its calls, from /proc/<pid>/stat) and a summary: the
# highest achieved rate with no failed call for each application, their ratio, and the server's resident memory.
# sipp runs on the same 2 cores as the server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
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

{ server_ini $port 28088; cat <<INI
[RTP]
port_range = 20000:25000
; every sipp call comes from 127.0.0.1: no cap on the streams of one address (issue 11's default is 100)
max_streams_per_address = 0
INI
} > "$work/config/config.ini"
printf '[Echo]\nanswer_delay = 0\n' > "$work/config/echo.ini"
# hand-written routing (the operator's override): user "baseline" to the baseline, everything else to echo
cat > "$work/config/dar.properties" <<'DAR'
INVITE: ("baseline", "DAR:From", "NEUTRAL", "", "NO_ROUTE", "0", "REGEX=\\A[A-Z]+\\x20sips?:baseline@"), ("echo", "DAR:From", "NEUTRAL", "", "NO_ROUTE", "1")
DAR

echo "== starting the server"
home_with "$work/home" "$dist" "$work/baseline.war"
# shellcheck disable=SC2086 # JAVA_OPTS: extra JVM options, e.g. -XX:StartFlightRecording=... to profile
java "@$dist/conf/jvm.options" -Xms512m -Xmx1g ${JAVA_OPTS:-} -Dsylk.home="$work/home" -cp "$dist/lib/*" org.sylkserver.core.SylkServer \
    --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
await_started "$work/server.log" 600

clk=$(getconf CLK_TCK)

# one step: $1 application, $2 rate; echoes "ok|fail <achieved calls/s> <server CPU ms per successful call>", ok
# when every call of the step succeeded
run_step() {
    local app=$1 rate=$2 calls=$(( $2 * step ))
    local out="$work/sipp-$app-$rate" start end t0 status=ok
    mkdir -p "$out"
    t0=$(cpu_ticks $server)
    start=$(date +%s.%N)
    (cd "$out" && timeout $((step * 3 + 30)) sipp -sn uac -s "$app" "127.0.0.1:$port" -i 127.0.0.1 -p "$(free_udp_port)" \
            -r "$rate" -m "$calls" -l $((rate * 4)) -nostdin -timeout $((step * 2 + 20))s -recv_timeout 5000 \
            -max_socket 1000 -trace_stat -stf stat.csv >/dev/null 2>&1) || status=fail
    end=$(date +%s.%N)
    # the last line of sipp's statistics file holds the cumulative counters
    awk -F';' -v st=$status -v c="$calls" -v s="$start" -v e="$end" -v dt=$(($(cpu_ticks $server) - t0)) -v clk="$clk" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { last = $0 }
        END {
            split(last, f, ";"); ok = f[col["SuccessfulCall(C)"]]
            printf "%s %.0f %.3f\n", st, c / (e - s), (ok > 0 ? 1000 * dt / clk / ok : 0)
        }' "$out/stat.csv" 2>/dev/null || echo "fail 0 0"
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== warming up (JIT): 20 s at 400 calls/s per application, not counted"
for app in baseline echo; do
    step_saved=$step; step=20; run_step "$app" 400 >/dev/null; step=$step_saved
done

# best[app] = highest achieved rate (calls / wall time of the step) among steps without a failed call
declare -A best=([baseline]=0 [echo]=0)
for rate in "${rates[@]}"; do
    for app in baseline echo; do
        result=$(run_step "$app" "$rate")
        read -r status achieved mspercall <<< "$result"
        if [ "$status" = ok ]; then
            printf '%-9s target %5d calls/s for %d s: ok %d calls/s, server CPU %s ms/call\n' "$app" "$rate" "$step" \
                "$achieved" "$mspercall"
            [ "$achieved" -gt "${best[$app]}" ] && best[$app]=$achieved
        else
            printf '%-9s target %5d calls/s for %d s: failed calls, server CPU %s ms per successful call\n' "$app" \
                "$rate" "$step" "$mspercall"
        fi
    done
done
rss_kb=$(ps -o rss= -p $server | tr -d ' ')
echo
echo "highest achieved rate with zero failed calls: baseline ${best[baseline]}/s, echo ${best[echo]}/s"
if [ "${best[baseline]}" -gt 0 ]; then
    awk -v e="${best[echo]}" -v b="${best[baseline]}" 'BEGIN { printf "echo / baseline = %.2f\n", e / b }'
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server RSS after the run: $((rss_kb / 1024)) MiB"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
