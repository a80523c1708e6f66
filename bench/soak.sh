#!/usr/bin/env bash
# Soak test (issue 11): the real server, every application deployed on its defaults as ./sylk-server runs it, under
# a mixed load on loopback for a long time; run on demand, never in CI. Needs sipp (Debian package sip-tester).
#
# Usage: [CALL_RATE=1] [CALL_SECONDS=10] [ROOMS=5] [RTC=1000] [RTC_RATE=100] [CHAT_PARTICIPANTS=3] [CHAT_WINDOW=1] [CHAT_SECONDS=10] [SETTLE_MINUTES=10]
#        bench/soak.sh [seconds]                      (default 3600)
#
# Load, in rounds of 60 s until the duration is over (each round bounded in count and time):
#   - echo calls: sipp at CALL_RATE calls/s to "echo", each held CALL_SECONDS s with PCMA RTP both ways
#   - conference joins: the same calls to rooms soakroom1..ROOMS
#   - SUBSCRIBEs (Event: conference) to those rooms, 1/s, each answered, NOTIFYed and un-SUBSCRIBEd
#   - MSRP chat: each round, CHAT_PARTICIPANTS join a new room over SIP/TCP + MSRP and send CPIM messages as fast
#     as WINDOW allows for CHAT_SECONDS (bench/msrp/MsrpBench.java chat, which has no rate option: the short burst
#     keeps the load moderate), every copy checked for loss and duplication
#   - RTC sylkRTC WebSocket connections open for the whole run, RTC_RATE pings/s among them
#     (bench/sylkrtc/SylkRtcBench.java), every ping answered
# Every minute the server's RSS, thread count and open file descriptors are sampled from /proc/<pid>.
# At the end: failed calls, lost messages, RSS growth after the first SETTLE_MINUTES (heap sizing, JIT; pass under 10 %),
# threads and fds at the start and end. Exits non-zero when any check fails.
# Ports: SIP 25060 (UDP/TCP) / 25061 (TLS), HTTP 28088, RTP 42000-44000 (none of the integration tests' ports).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$here/container-config/target/sylk-server"
duration=${1:-3600}
call_rate=${CALL_RATE:-1}
call_seconds=${CALL_SECONDS:-10}
rooms=${ROOMS:-5}
rtc=${RTC:-1000}
rtc_rate=${RTC_RATE:-100}
chat_participants=${CHAT_PARTICIPANTS:-3}
chat_window=${CHAT_WINDOW:-1}
chat_seconds=${CHAT_SECONDS:-10}
settle=${SETTLE_MINUTES:-10}
sip_port=25060
round=60
work=$(mktemp -d /tmp/sylk-soak.XXXXXX)
server=
loads=()
stop() { [ -z "$1" ] || { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
cleanup() {
    # a round's sipp or chat client (under timeout) is a child of the load's subshell
    for pid in "${loads[@]}"; do pkill -P "$pid" 2>/dev/null || true; stop "$pid"; done
    stop "$server"
    cp "$work/server.log" /tmp/sylk-soak-server.log 2>/dev/null || true
    [ -n "${SOAK_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

command -v sipp >/dev/null || { echo "soak: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ ! -d "$dist/lib" ] || [ -z "$(ls -A "$dist/webapps" 2>/dev/null)" ]; then
    echo "soak: building the server (mvn -DskipTests package) ..."
    (cd "$here" && mvn -B -q -DskipTests package)
fi
log() { echo "$(date -u +%H:%M:%S) $*"; }
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); load: $(uptime | sed 's/.*load average: //')"

# the server's own config: defaults, except loopback and ports of its own; every application deployed
mkdir -p "$work/config"
cat > "$work/config/config.ini" <<INI
[Server]
log_level = warning
[SIP]
local_ip = 127.0.0.1
local_udp_port = $sip_port
local_tcp_port = $sip_port
local_tls_port = $((sip_port + 1))
[MSRP]
use_tls = false
[RTP]
port_range = 42000:44000
[WebServer]
local_ip = 127.0.0.1
local_port = 28088
INI

# --- sipp scenarios --------------------------------------------------------------------------------------------
# 1 s of PCMA silence (0xD5), streamed in a loop by sipp's rtp_stream while the call is up
head -c 8000 /dev/zero | tr '\0' '\325' > "$work/silence.pcma"
cat > "$work/call.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="soak call">
  <send retrans="500"><![CDATA[

INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:soak@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:soak@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=soak 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio [rtpstream_audio_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000
a=sendrecv

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[

ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:soak@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
[routes]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <nop><action><exec rtp_stream="$work/silence.pcma,-1,8"/></action></nop>
  <pause milliseconds="$((call_seconds * 1000))"/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send retrans="500"><![CDATA[

BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:soak@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
[routes]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200"/>
</scenario>
XML
# RFC 4575 / RFC 6665: subscribe to a room's conference events, take the first NOTIFY, un-subscribe (Expires: 0),
# take the final NOTIFY; NOTIFYs caused by the joins going on meanwhile are answered as they come.
subscribe() {  # $1 CSeq, $2 Expires, $3 To tag
    cat <<XML
  <send retrans="500"><![CDATA[

SUBSCRIBE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:watcher@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>$3
Call-ID: [call_id]
CSeq: $1 SUBSCRIBE
Contact: <sip:watcher@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Event: conference
Accept: application/conference-info+xml
Expires: $2
Content-Length: 0

  ]]></send>
XML
}
ok='<send><![CDATA[

SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

  ]]></send>'
{
    echo '<?xml version="1.0" encoding="ISO-8859-1" ?>'
    echo '<scenario name="soak subscription">'
    subscribe 1 600 ""
    # a room exists only while someone is in it: between two rounds of joins it may answer 480 (RFC 4579 §5.4)
    echo '  <recv response="480" optional="true" next="end"/>'
    echo '  <recv response="200" rrs="true"/>'
    echo '  <recv request="NOTIFY"/>'
    echo "  $ok"
    subscribe 2 0 "[peer_tag_param]"
    echo '  <label id="more"/>'
    echo '  <recv response="200" optional="true" next="more"/>'
    # the room ended (its last participant left) and its subscriptions with it: RFC 6665 §4.1.2.2
    echo '  <recv response="481" optional="true" next="end"/>'
    echo '  <recv request="NOTIFY">'
    echo '    <action><ereg regexp="terminated" search_in="hdr" header="Subscription-State:" assign_to="done"/></action>'
    echo '  </recv>'
    echo "  $ok"
    echo '  <nop test="done" next="end"/>'
    echo '  <nop next="more"/>'
    echo '  <label id="end"/>'
    echo '</scenario>'
} > "$work/subscribe.xml"

# --- the server ------------------------------------------------------------------------------------------------
log "starting the server (every application, defaults; SIP $sip_port, HTTP 28088, RTP 42000-44000)"
java "@$dist/conf/jvm.options" ${SYLK_JAVA_OPTS:--Xms256m -Xmx1g} -Dsylk.home="$dist" -cp "$dist/lib/*" \
    org.sylkserver.core.SylkServer --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 90); do grep -q ' started: ' "$work/server.log" 2>/dev/null && break; sleep 1; done
grep -q ' started: ' "$work/server.log" || { echo "server did not start:"; tail -20 "$work/server.log"; exit 1; }

sample() {  # RSS kB, threads, fds of the server
    echo "$(awk '/VmRSS/ {print $2}' "/proc/$server/status") $(awk '/Threads/ {print $2}' "/proc/$server/status")" \
        "$(ls "/proc/$server/fd" | wc -l)"
}
start=$(date +%s)
end=$((start + duration))
read -r rss0 threads0 fds0 <<< "$(sample)"
log "server pid $server: RSS $((rss0 / 1024)) MiB, $threads0 threads, $fds0 fds before the load"

# sipp rounds: $1 name, $2 scenario, $3 service (user), $4 rate, $5 calls per round; counts from -trace_stat
sipp_rounds() {
    local name=$1 scenario=$2 service=$3 rate=$4 calls=$5 media=$6 n=0 dir
    while [ $(( $(date +%s) + round )) -le "$end" ]; do
        n=$((n + 1)); dir="$work/$name/$n"; mkdir -p "$dir"
        (cd "$dir" && timeout $((round * 3)) sipp -sf "$scenario" -s "$service" "127.0.0.1:$sip_port" -i 127.0.0.1 \
            -p 0 -mp "$media" -r "$rate" -m "$calls" -l $((calls + 10)) -nostdin -trace_stat \
            -stf stat.csv -trace_err -timeout $((round * 2))s -recv_timeout 10000 >sipp.out 2>&1) || true
        awk -F';' -v name="$name" -v n="$n" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
            END { ok = $col["SuccessfulCall(C)"] + 0; failed = $col["FailedCall(C)"] + 0
                  printf "%s round %d: %d ok, %d failed\n", name, n, ok, failed }' "$dir/stat.csv" 2>/dev/null \
            || { echo "$name round $n: 0 ok, $calls failed"; echo "$name round $n: no statistics" >> "$work/errors"; }
    done >> "$work/results"
}
chat_rounds() {
    local n=0
    while [ $(( $(date +%s) + round )) -le "$end" ]; do
        n=$((n + 1))
        timeout $((round * 2)) java -Xmx256m -cp "$dist/lib/*" "$here/bench/msrp/MsrpBench.java" chat \
            --sip "127.0.0.1:$sip_port" --room "soakchat$n" --proto TCP/MSRP --participants "$chat_participants" \
            --window "$chat_window" --seconds "$chat_seconds" > "$work/chat-$n.out" 2>&1 || true
        sleep $((round - chat_seconds - 10))
        if grep -q 'RESULT chat' "$work/chat-$n.out"; then
            lost=$(sed -n 's/^RESULT chat .*lost=\([0-9]*\).*/\1/p' "$work/chat-$n.out")
            sent=$(sed -n 's/^check over the whole run: \([0-9,]*\) messages sent.*/\1/p' "$work/chat-$n.out" | tr -d ,)
            echo "chat round $n: $sent messages, $lost lost"
        else
            echo "chat round $n: 0 messages, 1 lost"
            echo "chat round $n: the client failed: $(tail -1 "$work/chat-$n.out")" >> "$work/errors"
        fi
    done >> "$work/results"
}

log "load for $duration s: echo + conference calls $call_rate/s each (${call_seconds} s, RTP), SUBSCRIBEs 1/s," \
    "$rtc sylkRTC connections pinging $rtc_rate/s, MSRP chat $chat_participants participants"
: > "$work/results"
per_round=$((call_rate * (round - call_seconds - 5)))
# each sipp its own local media ports (-mp), away from the server's RTP range
sipp_rounds echo "$work/call.xml" echo "$call_rate" "$per_round" 30000 & loads+=($!)
for r in $(seq "$rooms"); do
    # the rooms share the conference call rate
    sipp_rounds "room$r" "$work/call.xml" "soakroom$r" "$call_rate" $(( (per_round + rooms - 1) / rooms )) \
        $((30000 + r * 1000)) & loads+=($!)
done
sipp_rounds subscribe "$work/subscribe.xml" soakroom1 1 $((round - 10)) 39000 & loads+=($!)
chat_rounds & loads+=($!)
java -Xmx512m -XX:+UseParallelGC "$here/bench/sylkrtc/SylkRtcBench.java" --mode sylkrtc \
    --url ws://127.0.0.1:28088/webrtcgateway/ws --connections "$rtc" --rate "$rtc_rate" --warmup 1 \
    --seconds $((duration - 60)) > "$work/sylkrtc.out" 2>&1 & loads+=($!)
rtc_pid=$!

# progress and samples every minute
rss10=
minute=0
while [ "$(date +%s)" -lt "$end" ]; do
    sleep 60
    minute=$((minute + 1))
    kill -0 "$server" 2>/dev/null || { log "the server died"; tail -20 "$work/server.log"; exit 1; }
    read -r rss threads fds <<< "$(sample)"
    echo "$minute $rss $threads $fds" >> "$work/samples"
    [ "$minute" -ne "$settle" ] || rss10=$rss
    failed=$(awk '/round/ { f += $(NF - 1) } END { print f + 0 }' "$work/results")
    log "minute $minute: RSS $((rss / 1024)) MiB, $threads threads, $fds fds; $(grep -c round "$work/results") rounds done, $failed failed/lost"
done

log "waiting for the last rounds to finish"
wait "$rtc_pid" || true
for pid in "${loads[@]}"; do wait "$pid" 2>/dev/null || true; done
loads=()
sleep 5
read -r rss1 threads1 fds1 <<< "$(sample)"

echo
echo "== summary ($duration s)"
status=0
calls_ok=$(awk '/^(echo|room)/ { s += $(NF - 3) } END { print s + 0 }' "$work/results")
calls_failed=$(awk '/^(echo|room)/ { s += $(NF - 1) } END { print s + 0 }' "$work/results")
subs_ok=$(awk '/^subscribe/ { s += $(NF - 3) } END { print s + 0 }' "$work/results")
subs_failed=$(awk '/^subscribe/ { s += $(NF - 1) } END { print s + 0 }' "$work/results")
chat_sent=$(awk '/^chat/ { s += $4 } END { print s + 0 }' "$work/results")
chat_lost=$(awk '/^chat/ { s += $(NF - 1) } END { print s + 0 }' "$work/results")
rtc_line=$(grep '^rate=' "$work/sylkrtc.out" || echo "no result: $(tail -1 "$work/sylkrtc.out")")
echo "calls (echo + conference, with RTP): $calls_ok ok, $calls_failed failed"
echo "subscriptions: $subs_ok ok, $subs_failed failed"
echo "MSRP chat: $chat_sent messages, $chat_lost lost or duplicated"
echo "sylkRTC ($rtc connections): $rtc_line"
[ "$calls_ok" -gt 0 ] && [ "$calls_failed" -eq 0 ] || { echo "FAIL: failed calls"; status=1; }
[ "$subs_ok" -gt 0 ] && [ "$subs_failed" -eq 0 ] || { echo "FAIL: failed subscriptions"; status=1; }
[ "$chat_sent" -gt 0 ] && [ "$chat_lost" -eq 0 ] || { echo "FAIL: lost chat messages"; status=1; }
[[ "$rtc_line" =~ lost=0\ errors=0 ]] || { echo "FAIL: lost sylkRTC pings"; status=1; }
echo "threads: $threads0 before, $threads1 after; fds: $fds0 before, $fds1 after"
echo "RSS: $((rss0 / 1024)) MiB before, $((rss1 / 1024)) MiB after"
if [ -n "$rss10" ]; then
    growth=$(awk -v a="$rss10" -v b="$rss1" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
    echo "RSS growth after the first $settle minutes: $((rss10 / 1024)) -> $((rss1 / 1024)) MiB = $growth %"
    awk -v g="$growth" 'BEGIN { exit !(g < 10) }' || { echo "FAIL: RSS grew by 10 % or more"; status=1; }
else
    echo "RSS growth after the first $settle minutes: not measured (the run was shorter)"
fi
[ ! -s "$work/errors" ] || { echo "client errors:"; sed 's/^/  /' "$work/errors"; }
echo "server log: $(grep -c -E 'SEVERE|Exception' "$work/server.log" || true) SEVERE/exception lines (kept in /tmp/sylk-soak-server.log)"
echo "samples (minute RSS-kB threads fds):"; sed 's/^/  /' "$work/samples" 2>/dev/null || true
[ "$status" -eq 0 ] && echo "PASS" || echo "FAIL"
exit "$status"
