#!/usr/bin/env bash
# Benchmark (issue 15): HTTP file transfer (spec §4.10.2) upload and download MB/s on loopback for 1 MiB, 100 MiB and
# 1 GiB files, against a plain copy through Tomcat's DefaultServlet (PUT and GET, readonly=false) on the same server in
# the same run (the baseline), and the server's heap during the 1 GiB upload.
#
# Usage: [DIST=<distribution>] [JAVA_OPTS=...] [RUNS=3] [MB="1 100 1024"] [SETTLE_MS=300] [WARMUP=<1000 / MiB of the first file, at least 5>]
#        [SERVER_CPUS=<list> CLIENT_CPUS=<list>] bench/filetransfer.sh
#
# sipp is the proxy of example.com: alice@example.com registers on a sylkRTC connection, which is what lets this
# address upload as alice; it answers the uploads' SIP notifications too. Each file is uploaded alice -> bob and downloaded from its hashed URL, RUNS times, the
# baseline likewise. The files are random bytes in a temporary directory; the upload reads them from disk, the
# download discards what it gets, so the figures are the server's path plus loopback. Heap: jstat samples the
# server's used heap (survivor + eden + old) every 200 ms during that upload; the script reports min and max within the first 1 GiB
# upload and the heap's maximum size (-Xmx). Client and server share the machine's cores unless SERVER_CPUS and
# CLIENT_CPUS pin them (taskset -c lists, e.g. 0 and 1). The runs alternate which path goes first; the client also
# reports the server's CPU time per transfer (its threads' schedstat, from the transfer's start to the end of the
# pause after it, so an upload's notifications after its answer count).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
runs=${RUNS:-3}
sizes=${MB:-"1 100 1024"}
work=$(mktemp -d /tmp/sylk-ft-bench.XXXXXX)
server=
registrar=
sampler=
stop() { [ -z "$1" ] || { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
trap 'stop "$sampler"; stop "$registrar"; stop "$server"; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

[ -f "$dist/webapps/webrtcgateway.war" ] || [ -n "$(ls "$dist"/webapps/*.war 2>/dev/null)" ] \
    || { echo "bench: build the distribution first (mvn -B -DskipTests package)" >&2; exit 2; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1);" \
    "load: $(uptime | sed 's/.*load average: //')"

echo "== files"
files=()
for mb in $sizes; do
    head -c $((mb * 1024 * 1024)) /dev/urandom > "$work/f$mb.bin"
    files+=("$work/f$mb.bin")
done

echo "== baseline: Tomcat DefaultServlet with PUT"
mkdir -p "$work/ftbaseline"
cp -r "$here/bench/filetransfer/baseline/WEB-INF" "$work/ftbaseline/"
(cd "$work/ftbaseline" && jar cf "$work/ftbaseline.war" WEB-INF)

mkdir -p "$work/config"
server_ini 25160 28188 > "$work/config/config.ini"
cat > "$work/config/webrtcgateway.ini" <<INI
[General]
outbound_sip_proxy = 127.0.0.1:25170;transport=udp
sip_domains = example.com
filetransfer_max_size = 4096
INI
# it runs for the whole bench: a loaded machine must not trip its watchdog into ending it (120 late wake-ups by default)
sipp -sf "$here/bench/filetransfer/registrar.xml" -i 127.0.0.1 -p 25170 -nostdin -trace_err \
    -watchdog_minor_maxtriggers 1000000 -watchdog_major_maxtriggers 1000000 \
    -error_file "$work/registrar-errors.log" > /dev/null 2>&1 &
registrar=$!

echo "== starting the server"
home_with "$work/home" "$dist" "$work/ftbaseline.war"
pin() { if [ -n "${1:-}" ]; then echo taskset -c "$1"; fi; }
# shellcheck disable=SC2046,SC2086 # pin: nothing or the taskset words; JAVA_OPTS: extra JVM options, e.g.
# -XX:StartFlightRecording=... to profile
$(pin "${SERVER_CPUS:-}") java "@$dist/conf/jvm.options" -Xms1g -Xmx2g ${JAVA_OPTS:-} -Dsylk.home="$work/home" -cp "$dist/lib/*" org.sylkserver.core.SylkServer \
    --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
await_started "$work/server.log" 300

# used heap in KiB (S0U + S1U + EU + OU) with its time in ms, only between the client's two marks (each jstat is a JVM
# start: sampling all along took CPU from the transfers being timed)
( while kill -0 "$server" 2>/dev/null; do
      marked=$(grep -c '^mark ' "$work/client.log" 2>/dev/null || true)
      if [ "$marked" = 1 ]; then
          jstat -gc "$server" 2>/dev/null | awk -v t="$(date +%s%3N)" 'NR == 2 { printf "%s %.0f\n", t, $3 + $4 + $6 + $8 }'
          sleep 0.2
      elif [ "$marked" = 2 ]; then
          break
      else
          sleep 0.05
      fi
  done > "$work/heap.log" ) &
sampler=$!

# shellcheck disable=SC2046
SERVER_PID=$server $(pin "${CLIENT_CPUS:-}") java -Xmx512m "$here/bench/filetransfer/FileTransferBench.java" http://127.0.0.1:28188 "$runs" "${files[@]}" \
    | tee "$work/client.log"

marks=($(awk '/^mark / { print $2 }' "$work/client.log"))
if [ ${#marks[@]} -eq 2 ]; then
    awk -v a="${marks[0]}" -v b="${marks[1]}" '$1 >= a && $1 <= b { n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
        END { printf "server heap used during the first %s upload: min %.0f MiB, max %.0f MiB (%d samples); -Xmx 2048 MiB\n", \
              "biggest", min / 1024, max / 1024, n }' "$work/heap.log"
fi
echo "server log SEVERE/Exception lines: $(grep -c 'SEVERE\|Exception' "$work/server.log" || true)"
