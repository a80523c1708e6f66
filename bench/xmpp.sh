#!/usr/bin/env bash
# Benchmark (issue 16): messages per second through the XMPP gateway, both ways, against Prosody's own
# client-to-client rate on the same machine in the same run. Needs prosody (Debian package, with lua-unbound) and
# openssl.
#
# Usage: [DIST=<distribution>] [HEAP=<-Xmx>] [JAVA_OPTS=...] [WARMUP=seconds] [PAUSE=seconds]
#        bench/xmpp.sh [seconds-per-step] [rates...]
#   defaults: 10 s per step at 500, 1000, 2000, 5000 messages/s; 20 s of warm-up each way rising to the highest rate;
#   32 s of pause before each step; server heap 3g
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
    cat <<'TEXT'
bench/xmpp.sh [seconds-per-step] [rates...]   (defaults: 10 s per step at 500 1000 2000 5000 messages/s)

Starts, on loopback: our server from the distribution (DIST, default container-config/target/sylk-server) with the
XMPP gateway serving sylk.test (S2S on 25369, STARTTLS offered), and a Prosody serving xmpp.test with a config of
its own (c2s 25322, s2s 25370, self-signed certificate, s2s TLS required, dialback), which finds sylk.test by an SRV
record its resolver (libunbound) is given. The client (bench/xmpp/XmppBench.java, Smack) holds every end in one JVM:
Smack users romeo and juliet on Prosody, a SIP user agent alice@sylk.test (UDP, RFC 3261 retransmissions) and the
server's outbound proxy (a UDP UAS answering 200).

Per rate, four steps of the same length, one after the other (same machine, same minute):
  c2c        romeo -> juliet through Prosody alone: the baseline
  sip->xmpp  alice's MESSAGE -> gateway -> S2S -> Prosody -> juliet
  xmpp->sip  romeo -> Prosody -> S2S -> gateway -> MESSAGE -> proxy (200)
  sip-echo   alice's MESSAGE -> our echo application (the SIP container's own MESSAGE rate)
Each step prints: messages sent and the send rate, received, lost, received per second (first send to last
arrival), latency p50/p99/max (send -> arrival; for sip-echo MESSAGE -> 200), SIP failures (no 2xx) and
retransmissions, the CPU in ms per message of our server, Prosody and the client, and the ratio to the c2c step.

Under each step of our server: its CPU by thread group, and its garbage collector's figures in the step (G1 log):
the heap after the first and the last collection and the most, the pauses and their time, full collections.

Steady state (what a server under that load for minutes does):
  WARMUP  seconds of warm-up each way before any step (default 20; 0: none), a quarter each at 1/4, 2/4, 3/4 and
          all of the highest rate: C2 compiles the hot paths then, not in the measured steps
  PAUSE   seconds of pause before each step (default 32; 0: none): the SIP container keeps every UDP non-INVITE
          server transaction for Timer J, 64*T1 = 32 s (RFC 3261 §17.2.2), with its request and response; after the
          pause the previous step's are gone, so no step runs in another's heap
  HEAP    the server's -Xms/-Xmx (default 3g). At 5,000 MESSAGEs/s Timer J alone holds 160,000 transactions
          (and retransmissions more): the launcher's default (./sylk-server: -Xms256m -Xmx1g), what a new operator
          gets, fills up (docs/benchmarks.md, issue 16)
Other environment: DIST, JAVA_OPTS (extra JVM options of our server, e.g. -XX:StartFlightRecording=filename=x.jfr),
BENCH_KEEP=1 keeps the work directory (logs) and says where.
TEXT
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

. "$here/bench/lib.sh"
dist="${DIST:-$here/container-config/target/sylk-server}"
seconds=${1:-10}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(500 1000 2000 5000)
sip_port=25300
proxy_port=25310
web=28300
s2s_port=25369
prosody_c2s=25322
prosody_s2s=25370
warmup=${WARMUP:-20}
pause=${PAUSE:-32}
heap=${HEAP:-3g}
work=$(mktemp -d /tmp/sylk-xmpp-bench.XXXXXX)
server=
prosody=
trap 'for p in $server $prosody; do kill $p 2>/dev/null || true; wait $p 2>/dev/null || true; done
      cp "$work/server.log" /tmp/xmpp-bench-server.log 2>/dev/null || true
      if [ -n "${BENCH_KEEP:-}" ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi' EXIT

command -v prosody >/dev/null || { echo "bench: prosody is needed (apt-get install prosody lua-unbound)" >&2; exit 2; }
[ -f "$dist/webapps/xmppgateway.war" ] || { echo "bench: build the distribution first (mvn -B -DskipTests package)" >&2; exit 2; }
smack=$(sed -n 's:.*<smack.version>\(.*\)</smack.version>.*:\1:p' "$here/pom.xml")

# the client's classpath: the Smack, jxmpp and MiniDNS the gateway ships, plus Smack's TCP client from the local
# Maven repository (the arquillian tests use the same)
mkdir -p "$work/lib"
unzip -q -j -o "$dist/webapps/xmppgateway.war" 'WEB-INF/lib/*' -d "$work/lib"
for artifact in smack-tcp smack-java8 smack-resolver-javax smack-sasl-javax smack-streammanagement; do
    jar="$HOME/.m2/repository/org/igniterealtime/smack/$artifact/$smack/$artifact-$smack.jar"
    [ -f "$jar" ] || { echo "bench: $jar is missing (mvn -B dependency:go-offline)" >&2; exit 2; }
    cp "$jar" "$work/lib/"
done

echo "== starting Prosody (xmpp.test) and our server (sylk.test)"
mkdir -p "$work/prosody/data"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/prosody/xmpp.test.key" -out "$work/prosody/xmpp.test.crt" \
    -subj /CN=xmpp.test -days 2 >/dev/null 2>&1
cat > "$work/prosody/prosody.cfg.lua" <<LUA
pidfile = "$work/prosody/prosody.pid"
data_path = "$work/prosody/data"
certificates = "$work/prosody"
run_as_root = true
log = { warn = "$work/prosody/prosody.log" }
modules_enabled = { "roster", "saslauth", "tls", "dialback", "disco", "ping" }
modules_disabled = { "posix" }
interfaces = { "127.0.0.1" }
c2s_ports = { $prosody_c2s }
s2s_ports = { $prosody_s2s }
c2s_direct_tls_ports = {}
s2s_direct_tls_ports = {}
http_ports = {}
https_ports = {}
s2s_require_encryption = true
s2s_secure_auth = false
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "insecure"
insecure_open_authentication = "Yes please, I know what I'm doing!"
storage = "memory"
-- our domain by DNS, as a public server would find it: an SRV record given to Prosody's resolver
unbound = { hoststxt = false; options = { ["local-data:"] = "_xmpp-server._tcp.sylk.test. 60 IN SRV 0 0 $s2s_port localhost." } }
VirtualHost "xmpp.test"
  ssl = { key = "$work/prosody/xmpp.test.key"; certificate = "$work/prosody/xmpp.test.crt" }
LUA
prosody --config "$work/prosody/prosody.cfg.lua" -F > "$work/prosody/prosody.out" 2>&1 &
prosody=$!

mkdir -p "$work/config"
# every request the server originates (the MESSAGEs made from XMPP) goes to the client's proxy UAS
server_ini $sip_port $web | sed "/^local_tls_port/a outbound_proxy = 127.0.0.1:$proxy_port;transport=udp" \
    > "$work/config/config.ini"
cat > "$work/config/xmppgateway.ini" <<INI
[general]
domains = sylk.test
local_ip = 127.0.0.1
local_port = $s2s_port
transport = tcp
use_msrp_for_chat = false
remote_servers = xmpp.test:127.0.0.1:$prosody_s2s
INI
# shellcheck disable=SC2086 # JAVA_OPTS: extra JVM options, e.g. -XX:StartFlightRecording=... to profile
java "@$dist/conf/jvm.options" -Xms"$heap" -Xmx"$heap" -Xlog:gc:file="$work/gc.log":time ${JAVA_OPTS:-} -Dsylk.home="$dist" -cp "$dist/lib/*" \
    org.sylkserver.core.SylkServer --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
await_started "$work/server.log" 300
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$prosody_c2s) 2>/dev/null && break; sleep 0.2; done

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); server heap -Xms$heap -Xmx$heap, warm-up ${warmup} s, pause ${pause} s"
java -Xms512m -Xmx1g -XX:+UseParallelGC -cp "$work/lib/*" "$here/bench/xmpp/XmppBench.java" $sip_port $proxy_port \
    $prosody_c2s "$server" "$prosody" "$seconds" "$warmup" "$pause" "$work/gc.log" "${rates[@]}"
echo "server log SEVERE/WARNING lines: $(grep -c -E 'SEVERE|WARNING' "$work/server.log" || true)"
grep -E -A1 'SEVERE|WARNING' "$work/server.log" | head -6 || true
echo "Prosody warnings and errors: $(wc -l < "$work/prosody/prosody.log" 2>/dev/null || echo 0)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), Prosody $(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo '?')"
