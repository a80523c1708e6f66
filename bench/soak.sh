#!/usr/bin/env bash
# Soak (issue 11): the real server, every application deployed as ./sylk-server runs it, under a mixed load on
# loopback for a long time; checks that nothing fails or is lost and that memory, threads and file descriptors
# stay flat. Run on demand (never in CI). Needs sipp (Debian package sip-tester).
#
# Usage: [SETTLE=600] [SAMPLE=60] [CONF_RATE=2] [ECHO_RATE=2] [SUB_RATE=1] [RTC_CONNECTIONS=1000] [RTC_RATE=50]
#        [CHAT_PARTICIPANTS=5] [CHAT_INTERVAL=200] [CHAT_ROUND=50] [SOAK_KEEP=1] bench/soak.sh [seconds]
#   seconds: how long the load runs (default 3600)
#
# The load, all at once for the whole run, every part bounded in count and time:
#   - conference joins: sipp calls (bench/sipp/room-call.xml) into rooms of 3, CONF_RATE calls/s, each held 5 s;
#   - echo calls: sipp's built-in UAC to user "echo", ECHO_RATE calls/s, each held 2 s;
#   - SUBSCRIBEs (bench/sipp/room-subscription.xml): SUB_RATE watchers/s subscribe to the conference events of
#     room "soakwatch", hold 5 s, un-subscribe; the room is kept open by one sipp call for the whole run;
#   - sylkRTC: RTC_CONNECTIONS WebSocket connections (bench/sylkrtc/SylkRtcBench.java) sending RTC_RATE pings/s
#     in all, each answered by an ack;
#   - MSRP chat (bench/msrp/MsrpBench.java chat): rounds of CHAT_ROUND s, each in a new room: CHAT_PARTICIPANTS
#     join over SIP/TCP, bind MSRP over TLS and send one message every CHAT_INTERVAL ms each (every copy checked
#     by every receiver), then leave with BYE.
# Every SAMPLE s it prints a progress line with the server's RSS, thread count and open file descriptors (from
# /proc/<pid>) and the calls so far. At the end: failed calls and lost messages (zero expected), RSS growth
# from the first sample after SETTLE s of load to the last one (pass if under 10 %), threads and fds before the
# load and after it; exits 1 when a check fails (the work directory with every log is then kept).
#
# The server's per-address limits are meant for the internet, and all of this load comes from 127.0.0.1, so the
# soak lifts them: webrtcgateway.ini [General] max_connections(_per_address) = 0 (1,000 sylkRTC connections),
# config.ini [RTP] max_streams_per_address = 0 (every call's media is at 127.0.0.1). Those it stays under are
# left at their defaults: [SIP] tcp_max_connections_per_address (100; the chat opens CHAT_PARTICIPANTS SIP/TCP
# connections at a time, sipp uses UDP) and [MSRP] max_connections_per_address (50; CHAT_PARTICIPANTS).
# [RTP] timeout = 0, because sipp sends no RTP: the call that keeps room "soakwatch" open must last the run.
# Ports (loopback only, apart from the integration tests' 15060/15061/18088/41000-41200 and 5060-5080, and from
# the other bench/ scripts' 25060-25081/28088-28090): SIP 26060 UDP and TCP, 26061 TLS; HTTP/WebSocket 28188; RTP
# 44100-46100; sipp's SIP ports 26160-26166 and media ports 47000-47030; MSRP on a port the system picks.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="$here/container-config/target/sylk-server"
duration=${1:-3600}
settle=${SETTLE:-600}
sample=${SAMPLE:-60}
conf_rate=${CONF_RATE:-2}
echo_rate=${ECHO_RATE:-2}
sub_rate=${SUB_RATE:-1}
rtc_connections=${RTC_CONNECTIONS:-1000}
rtc_rate=${RTC_RATE:-50}
chat_participants=${CHAT_PARTICIPANTS:-5}
chat_interval=${CHAT_INTERVAL:-200}
chat_round=${CHAT_ROUND:-50}
port=26060
http_port=28188
[ "$duration" -gt "$settle" ] || { echo "soak: the run ($duration s) must last longer than SETTLE ($settle s)" >&2; exit 2; }
[ "$duration" -ge 60 ] || { echo "soak: run at least 60 s" >&2; exit 2; }
if ss -Htuln | grep -qE ":($port|$((port + 1))|$http_port|2616[0-6]) "; then
    echo "soak: a port it uses is taken (another soak running?):"; ss -tulnp | grep -E ":($port|$http_port|2616[0-6]) "; exit 2
fi
command -v sipp >/dev/null || { echo "soak: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }

work=$(mktemp -d /tmp/sylk-soak.XXXXXX)
server=
clients=()
failed=0
cleanup() {
    for pid in "${clients[@]}" $server; do kill "$pid" 2>/dev/null || true; done
    for pid in "${clients[@]}" $server; do wait "$pid" 2>/dev/null || true; done
    if [ -n "${SOAK_KEEP:-}" ] || [ "$failed" != 0 ]; then echo "soak: logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # so that a stopped soak also stops its server and clients
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

if [ ! -d "$dist/lib" ] || [ -z "$(ls -A "$dist/webapps" 2>/dev/null)" ]; then
    echo "== building the server (mvn -DskipTests package)"
    (cd "$here" && mvn -B -q -DskipTests package)
fi
echo "== compiling the load generators"
mkdir -p "$work/classes" "$work/config"
javac -nowarn -d "$work/classes" -cp "$dist/lib/*" "$here/bench/msrp/MsrpBench.java" "$here/bench/sylkrtc/SylkRtcBench.java"

{ server_ini $port $http_port; cat <<INI
[RTP]
port_range = 44100:46100
max_streams_per_address = 0
timeout = 0
INI
} > "$work/config/config.ini"
printf '[Conference]\nanswer_delay = 0\n' > "$work/config/conference.ini"
printf '[Echo]\nanswer_delay = 0\n' > "$work/config/echo.ini"
printf '[General]\nmax_connections = 0\nmax_connections_per_address = 0\n' > "$work/config/webrtcgateway.ini"

echo "== starting the server (./sylk-server, every application, heap as its default)"
"$here/sylk-server" --config-dir "$work/config" --var-dir "$work/var" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 90); do grep -q ' started: ' "$work/server.log" 2>/dev/null && break; sleep 1; done
grep -q ' started: ' "$work/server.log" || { failed=1; echo "server did not start:"; tail -20 "$work/server.log"; exit 1; }
sleep 5

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server/status"; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }
before="RSS $(( $(rss_kb) / 1024 )) MiB, $(threads) threads, $(fds) fds"
echo "server pid $server before the load: $before"

# sipp: $1 name, $2 its SIP port, then its options; bounded by -m (count), -timeout and timeout(1).
# SIPP_TRACE=1 also logs every message (-trace_msg), for looking into a failed call. A message a call does not
# expect is logged and ignored (-default_behaviors all,-abortunexp) instead of aborting the call: on a loaded
# machine sipp retransmits a request before its answer comes, and the server rightly answers the retransmission
# too (RFC 3261 §17.2.2: a 200 to a SUBSCRIBE again; a 100 to an INVITE), which arrives after the call moved on.
# A real failure still fails the call: the message the scenario waits for never comes (-recv_timeout).
sipp_run() {
    local name=$1 sip_port=$2; shift 2
    local trace=()
    [ -z "${SIPP_TRACE:-}" ] || trace=(-trace_msg)
    mkdir -p "$work/$name"
    (cd "$work/$name" && exec timeout $((duration + 180)) sipp "127.0.0.1:$port" -i 127.0.0.1 -p "$sip_port" -nostdin \
        -timeout $((duration + 150))s -recv_timeout 10000 -trace_err -trace_stat -stf stat.csv -fd 30 -default_behaviors all,-abortunexp "${trace[@]}" "$@" \
        > sipp.out 2>&1) &
    clients+=($!)
}
# the last line of a sipp statistics file: "created successful failed"
sipp_counts() {
    awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 }
        END { if (last == "") { print "0 0 0"; exit } split(last, f, ";")
              print f[col["TotalCallCreated"]] + 0, f[col["SuccessfulCall(C)"]] + 0, f[col["FailedCall(C)"]] + 0 }' \
        "$work/$1/stat.csv" 2>/dev/null || echo "0 0 0"
}

start=$(date +%s)
end=$((start + duration))
echo "== load for $duration s: conference $conf_rate calls/s, echo $echo_rate calls/s, $sub_rate SUBSCRIBEs/s," \
    "$rtc_connections sylkRTC connections at $rtc_rate pings/s, chat rooms of $chat_participants every $chat_interval ms"
printf 'SEQUENTIAL\nsoakwatch\n' > "$work/watch.csv"
sipp_run anchor 26160 -sf "$here/bench/sipp/room-call.xml" -inf "$work/watch.csv" -d $(( (duration + 20) * 1000 )) \
    -m 1 -mp 47000
sleep 3
conf_calls=$((conf_rate * duration))
awk -v n=$conf_calls 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "soakroom%d\n", int(i / 3) }' \
    > "$work/rooms.csv"
sipp_run conference 26162 -sf "$here/bench/sipp/room-call.xml" -inf "$work/rooms.csv" -d 5000 -r "$conf_rate" \
    -m "$conf_calls" -mp 47010
sipp_run echo 26164 -sn uac -s echo -d 2000 -r "$echo_rate" -m $((echo_rate * duration)) -mp 47020
awk -v n=$((sub_rate * duration)) 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) print "soakwatch" }' \
    > "$work/watchers.csv"
sipp_run subscribe 26166 -sf "$here/bench/sipp/room-subscription.xml" -inf "$work/watchers.csv" -d 5000 -r "$sub_rate" \
    -m $((sub_rate * duration)) -mp 47030

(exec timeout $((duration + 240)) java -Xmx512m -cp "$work/classes:$dist/lib/*" SylkRtcBench --mode sylkrtc \
    --url "ws://127.0.0.1:$http_port/webrtcgateway/ws" --connections "$rtc_connections" --rate "$rtc_rate" \
    --warmup 5 --seconds $((duration - 60)) > "$work/sylkrtc.log" 2>&1) &
clients+=($!)

# chat rounds, one room each, until less than a round is left
(
    round=0
    chat=
    trap '[ -z "$chat" ] || kill $chat 2>/dev/null; exit 0' TERM
    while [ $(( $(date +%s) + chat_round + 20 )) -lt "$end" ] && [ $round -lt $((duration / chat_round + 1)) ]; do
        timeout $((chat_round + 120)) java -Xmx256m -cp "$work/classes:$dist/lib/*" MsrpBench chat \
            --sip "127.0.0.1:$port" --room "soakchat$round" --proto TCP/TLS/MSRP --participants "$chat_participants" \
            --window 1 --interval "$chat_interval" --warmup 1 --seconds "$chat_round" > "$work/chat-$round.log" 2>&1 &
        chat=$!
        wait $chat || echo "exit status $?" >> "$work/chat-$round.log"
        chat=
        round=$((round + 1))
    done
) &
clients+=($!)

chat_lost() {  # lost messages over the rounds; a round without its RESULT line (failed to join, ...) counts one
    local lost=0 n
    for log in "$work"/chat-*.log; do
        [ -e "$log" ] || continue
        n=$(sed -n 's/^RESULT chat .*lost=\([0-9]*\).*/\1/p' "$log")
        lost=$((lost + ${n:-1}))
    done
    echo $lost
}

echo "elapsed  rss_mib threads  fds  conference(ok/failed) echo(ok/failed) subscribe(ok/failed) chat_rounds"
: > "$work/samples"
while :; do
    now=$(date +%s)
    [ -d "/proc/$server" ] || { echo "soak: the server died"; failed=1; break; }
    elapsed=$((now - start))
    r=$(rss_kb); t=$(threads); f=$(fds)
    echo "$elapsed $r $t $f" >> "$work/samples"
    read -r _ c_ok c_bad < <(sipp_counts conference)
    read -r _ e_ok e_bad < <(sipp_counts echo)
    read -r _ s_ok s_bad < <(sipp_counts subscribe)
    printf '%6ds %8d %7d %4d %10d/%-6d %9d/%-6d %10d/%-6d %6d\n' "$elapsed" $((r / 1024)) "$t" "$f" "$c_ok" "$c_bad" \
        "$e_ok" "$e_bad" "$s_ok" "$s_bad" "$(ls "$work"/chat-*.log 2>/dev/null | wc -l)"
    [ "$now" -lt "$end" ] || break
    sleep $(( sample < end - now ? sample : end - now ))
done

echo "== load time over: waiting for the clients to finish (at most 4 minutes)"
for pid in "${clients[@]}"; do wait "$pid" 2>/dev/null || true; done
clients=()
sleep 10
after="RSS $(( $(rss_kb) / 1024 )) MiB, $(threads) threads, $(fds) fds"

echo
echo "== summary ($duration s of load; machine: $(nproc) cores, $(java -version 2>&1 | head -1))"
check() {  # $1 label, $2 value, $3 pass (yes/no)
    printf '%-58s %s\n' "$1" "$2 $([ "$3" = yes ] && echo PASS || echo FAIL)"
    [ "$3" = yes ] || failed=1
}
for name in anchor conference echo subscribe; do
    echo "$name: $(cat "$work/$name"/*errors.log 2>/dev/null | grep -c 'call on unexpected message' || true)" \
        "unexpected messages ignored (answers to retransmitted requests)"
    read -r created ok bad < <(sipp_counts "$name")
    check "$name calls: created / successful / failed" "$created / $ok / $bad" \
        "$([ "$bad" = 0 ] && [ "$ok" = "$created" ] && [ "$created" -gt 0 ] && echo yes || echo no)"
done
rtc=$(grep '^rate=' "$work/sylkrtc.log" || true)
rtc_lost=$(sed -n 's/.* lost=\([0-9-]*\) errors=\([0-9]*\).*/\1 \2/p' <<< "$rtc")
check "sylkRTC pings: $(sed 's/^rate=[0-9]* req\/s for [0-9]* s: //' <<< "${rtc:-no result line}")" "" \
    "$([ "$rtc_lost" = "0 0" ] && echo yes || echo no)"
rounds=$(ls "$work"/chat-*.log 2>/dev/null | wc -l)
sent=$(sed -n 's/^check over the whole run: \([0-9,]*\) messages sent.*/\1/p' "$work"/chat-*.log 2>/dev/null | tr -d , \
    | awk '{ s += $1 } END { print s + 0 }')
lost=$(chat_lost)
check "MSRP chat: $rounds rounds, $sent messages sent, lost/duplicated/refused" "$lost" \
    "$([ "$lost" = 0 ] && [ "$rounds" -gt 0 ] && echo yes || echo no)"
growth=$(awk -v settle="$settle" '$1 >= settle && base == "" { base = $2; at = $1 } { last = $2; lastAt = $1 }
    END { if (base == "") print "n/a"; else printf "%.1f%% (%d MiB at %d s -> %d MiB at %d s)\n",
          100 * (last - base) / base, base / 1024, at, last / 1024, lastAt }' "$work/samples")
check "RSS growth after the first $settle s (under 10 %)" "$growth" \
    "$(awk -v g="${growth%%%*}" 'BEGIN { print (g != "n/a" && g + 0 < 10) ? "yes" : "no" }')"
echo "before the load: $before"
echo "after the load:  $after"
peak=$(sort -k3 -n "$work/samples" | tail -1 | awk '{ print $3 }')
echo "under load, highest: $(sort -k2 -n "$work/samples" | tail -1 | awk '{ printf "%d MiB RSS", $2 / 1024 }'), $peak threads," \
    "$(sort -k4 -n "$work/samples" | tail -1 | awk '{ print $4 }') fds"
oom=$(grep -c 'OutOfMemoryError' "$work/server.log" || true)
check "server log: OutOfMemoryError" "$oom" "$([ "$oom" = 0 ] && echo yes || echo no)"
echo "server log: $(grep -c -E 'WARN|SEVERE|ERROR' "$work/server.log" || true) warning/error lines," \
    "$(grep -c 'Exception' "$work/server.log" || true) mentioning an exception"
[ "$failed" = 0 ] && echo "RESULT soak PASS" || echo "RESULT soak FAIL"
exit "$failed"
