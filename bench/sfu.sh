#!/usr/bin/env bash
# Benchmark (issue 13): forwarded SRTP packets per second per core of the video rooms' SFU at under 0.1 % loss,
# against Janus 1.1's videoroom plugin (Debian package janus) driven with the same load in the same run.
#
# Usage: [DIST=<distribution>] [XMX=1g] [PUBLISHERS=2] [SUBSCRIBERS=5] [VIDEO_RATE=200] [SECONDS_PER_STEP=10]
#        [TARGETS="sylk janus"] [PORT=25090] (SIP; the web server takes PORT + 3019) [JANUS_PORT=28188]
#        (TARGETS may name sylk-shared: a second server of ours, SIP on PORT + 10, with every video room leg on one UDP
#        port, [RTP] webrtc_port = 49992)
#        (TARGETS may also name the machine's baselines, bench/sfu/relay, on RELAY_PORT=29090 and up: relay-sendto,
#        relay-sendmmsg, relay-batch (relay.c: recvfrom + one sendto per subscriber, recvfrom + one sendmmsg,
#        recvmmsg + sendmmsg), relay-java, relay-java-heap (JavaRelay.java: a selector thread, sending the direct
#        receive buffer or a heap copy), relay-netty (NettyRelay.java: Netty's epoll transport, recvmmsg + one
#        sendmmsg per read batch; its jars from bench/sfu/relay/pom.xml), relay-uring, relay-uring-legs,
#        relay-epoll-legs (LegRelay.java: Netty's io_uring or epoll transport, one socket for all, or a socket per
#        subscriber whose copies leave from it, every leg written to flushed once per read batch); no crypto, plain UDP peers with one reader
#        thread each, same packet sizes, fan-out, sender and CPU accounting; TARGETS="sylk relay-sendto ..."
#        measures ours against them in one run)
#        [WARMUP_ROOMS=8] [WARMUP_SECONDS=30] (the uncounted warm-up step per SFU)
#        [JAVA_OPTS=...] (the server's extra JVM options, e.g. -XX:StartFlightRecording=...)
#        [WEBRTC_THREADS=N] ([RTP] webrtc_threads of both servers: sylk-shared's port threads, sylk's io_uring loops;
#        unset: the server's default, one per core) [WEBRTC_IO_URING=true] (sylk's [RTP] webrtc_io_uring: the legs'
#        own sockets on io_uring loops; main before session 24 has no such option)
#        [OWN_SESSION=1] (start each SFU in a session of its own, setsid: with kernel.sched_autogroup_enabled = 1 a
#        session is one scheduling group, so by default the SFU shares one group's CPU share with the load generator's
#        ~200 threads, and with every other session's busy group on the machine; docs/benchmarks.md, issue 13,
#        session 25)
#        [GENERATORS="poll select ice4j ..."] (the load generator's variants, each step run with each in turn against
#        the same servers: a reader, poll (the default) or select (after ICE and DTLS every peer's socket read from the
#        kernel by GENERATOR_READERS=1 selector threads, which also keep the peers' ICE consent: polling every 1 ms, so
#        that the SFU's sends wake no thread of the generator, as remote browsers' would not; or blocked in select and
#        woken by the datagrams) or ice4j (a reader thread per peer on ice4j's socket, the generator before session
#        26, whose peers sent no consent checks after ICE), optionally with :batch (the generator under chrt --batch 0,
#        SCHED_BATCH: a woken generator thread does not preempt the SFU's running thread))
#        [GENERATOR_SCHED=batch] (the default variant under SCHED_BATCH, as GENERATORS=poll:batch)
#        [SFU_CPUS=0 GENERATOR_CPUS=1] (the servers and the load generator pinned, taskset -c)
#        [SERVER_LOG_LEVEL=info] (our servers' log level, warning by default: at info each feed logs its pipeline's
#        counts when it closes, the SFU's side of a per-feed comparison; BENCH_KEEP=1 keeps the logs)
#        [PERF=<prefix>] (perf record -g of each SFU process over each step's measured window, into
#        <prefix>-<sfu>-<rooms>.data, with <prefix>-<sfu>-<rooms>.map/.txt for sylk: the JIT's symbols and the report;
#        add JAVA_OPTS=-XX:+PreserveFramePointer for Java call graphs)
#        bench/sfu.sh [rooms ...]          (default: 1 2 4 6 8 12 16)
# Each step is one run of bench/sfu/SfuBench.java against each SFU in turn (both servers stay up for the whole
# run): N rooms, each with PUBLISHERS publishers sending VP8-like video (VIDEO_RATE packets/s of 1,200 bytes) and
# Opus (50 packets/s), and SUBSCRIBERS subscribers attaching every publisher of their room (so each room forwards
# PUBLISHERS x SUBSCRIBERS feeds). Every peer is an ice4j agent doing ICE checks, a DTLS handshake and SRTP
# (media-engine's test BrowserPeer) on loopback. On sylkRTC a subscriber is a room member, so it also joins with
# an audio-only offer of its own whose connection stays idle; on Janus it holds subscriber handles only.
# A step prints, per SFU: feeds, packets/s sent by the publishers and forwarded to the subscribers, loss (each feed's
# packets of the window counted by the sender's sequence numbers; beside it the loss from sequence gaps), the SFU's
# CPU (100 % = one core) and forwarded packets/s per core of it, and per feed the shortfall. A step passes when the window's loss is at most 0.1 % and no feed lost more than 0.1 % of its own packets (each
# feed counted exactly by the sender's sequence numbers, session 26); an SFU's stepping stops at its first failing
# step. Then per SFU the highest passing step's figures
# and "RESULT sylk pps_per_core=N janus pps_per_core=M ratio=R". The load generator runs on the same cores as the
# servers (its CPU is not counted). BENCH_KEEP=1 keeps the work directory (logs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(1 2 4 6 8 12 16)
publishers=${PUBLISHERS:-2}
subscribers=${SUBSCRIBERS:-5}
video_rate=${VIDEO_RATE:-200}
seconds=${SECONDS_PER_STEP:-10}
port=${PORT:-25090}
janus_port=${JANUS_PORT:-28188}
xmx=${XMX:-1g}
work=$(mktemp -d /tmp/sylk-sfu-bench.XXXXXX)
server=
janus=
relays=
targets=${TARGETS:-sylk janus}
wants() { [[ " $targets " == *" $1"* ]]; }
trap 'for p in $server $janus $relays; do kill $p 2>/dev/null || true; wait $p 2>/dev/null || true; done; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

! wants janus || command -v janus >/dev/null || { echo "bench: Janus is needed (apt-get install janus)" >&2; exit 2; }
[ -f "$dist/webapps/webrtcgateway.war" ] || { echo "bench: build the distribution first (mvn -B -DskipTests package)" >&2; exit 2; }
[ -f "$here/media-engine/target/test-classes/org/sylkserver/media/webrtc/BrowserPeer.class" ] \
    || { echo "bench: compile media-engine's tests first (mvn -B -o -q -pl media-engine -am test-compile)" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# the load generator: bench/sfu/*.java against the distribution's libraries, media-engine's test peer and the
# JSON library the gateway ships
mkdir -p "$work/classes"
unzip -q -j -o "$dist/webapps/webrtcgateway.war" 'WEB-INF/lib/jakarta.json-*' -d "$work/classes"
# a copy of media-engine's test classes: a build in the worktree during the run must not pull them away
cp -r "$here/media-engine/target/test-classes" "$work/test-classes"
cp="$work/classes:$work/classes/*:$work/test-classes:$dist/lib/*"
javac -d "$work/classes" -cp "$cp" "$here"/bench/sfu/*.java
bench() { java -Xms512m -Xmx2g -cp "$cp" SfuBench "$@"; }
# one of GENERATORS: reader[:batch]
generators=${GENERATORS:-poll${GENERATOR_SCHED:+:$GENERATOR_SCHED}}
bench_as() {
    local g=$1 sched=; shift
    [[ $g != *:* ]] || sched=${g#*:}
    case $sched in
        "") "${pin[@]}" java -Xms512m -Xmx2g -cp "$cp" SfuBench --reader "${g%%:*}" --readers "${GENERATOR_READERS:-1}" "$@" ;;
        batch) "${pin[@]}" chrt --batch 0 java -Xms512m -Xmx2g -cp "$cp" SfuBench --reader "${g%%:*}" --readers "${GENERATOR_READERS:-1}" "$@" ;;
        *) echo "bench: unknown scheduling $sched (batch)" >&2; return 2 ;;
    esac
}
# OWN_SESSION: the SFUs in sessions of their own (setsid does not fork here: a background job of this script is no
# process group leader, so $! stays the SFU's pid)
launch=()
[ -z "${OWN_SESSION:-}" ] || launch=(setsid)
# SFU_CPUS, GENERATOR_CPUS: the SFUs and the load generator on cores of their own (taskset -c), e.g. 0 and 1
[ -z "${SFU_CPUS:-}" ] || launch+=(taskset -c "$SFU_CPUS")
pin=()
[ -z "${GENERATOR_CPUS:-}" ] || pin=(taskset -c "$GENERATOR_CPUS")
bench --target self-check

# our server: loopback, the rooms' defaults for this load (VP8, as the peers offer; room size); sylk-shared is a
# second one with every video room leg on one UDP port ([RTP] webrtc_port), SIP on PORT + 10
has() { [[ " $targets " == *" $1 "* ]]; }
start_sylk() {
    local name=$1 sip=$2 rtp=$3
    mkdir -p "$work/config-$name"
    { server_ini "$sip" $((sip + 3019)) | sed "s/^log_level = .*/log_level = ${SERVER_LOG_LEVEL:-warning}/"; printf '[RTP]\n%s\nmax_streams_per_address = 0\n' "$rtp"; } > "$work/config-$name/config.ini"
    cat > "$work/config-$name/webrtcgateway.ini" <<INI
[General]
max_connections = 0
max_connections_per_address = 0
[Janus]
video_codec = vp8
[VideoRooms]
max_publishers = 1000
INI
    "${launch[@]}" java "@$dist/conf/jvm.options" -Xms512m -Xmx"$xmx" ${JAVA_OPTS:-} -Dsylk.home="$dist" -cp "$dist/lib/*" \
        org.sylkserver.core.SylkServer --config-dir "$work/config-$name" --var-dir "$work/var-$name" \
        > "$work/server-$name.log" 2>&1 &
    pid[$name]=$!
    url[$name]="ws://127.0.0.1:$((sip + 3019))/webrtcgateway/ws"
    server="$server $!"
}
declare -A url=() pid=()
! has sylk || start_sylk sylk "$port" "port_range = 50000:54000${WEBRTC_THREADS:+
webrtc_threads = $WEBRTC_THREADS}${WEBRTC_IO_URING:+
webrtc_io_uring = $WEBRTC_IO_URING}"
! has sylk-shared || start_sylk sylk-shared $((port + 10)) "port_range = 46000:49990
webrtc_port = 49992${WEBRTC_THREADS:+
webrtc_threads = $WEBRTC_THREADS}"

# Janus: the videoroom plugin and the HTTP transport only, loopback only, warnings only
if wants janus; then
mkdir -p "$work/janus"
lib=$(dirname "$(find /usr/lib -path '*janus/plugins/libjanus_videoroom.so' | head -1)")/..
cat > "$work/janus/janus.jcfg" <<JCFG
general: { configs_folder = "$work/janus", plugins_folder = "$lib/plugins", transports_folder = "$lib/transports",
    events_folder = "$lib/events", loggers_folder = "$lib/loggers", debug_level = 3 }
media: { rtp_port_range = "55000-59000" }
nat: { nice_debug = false, ice_enforce_list = "lo", ignore_mdns = true }
plugins: { disable = "$(cd "$lib/plugins" && ls libjanus_*.so | grep -v videoroom | paste -sd, -)" }
transports: { disable = "$(cd "$lib/transports" && ls libjanus_*.so | grep -v http | paste -sd, -)" }
events: { broadcast = false }
loggers: { disable = "$(cd "$lib/loggers" && ls libjanus_*.so 2>/dev/null | paste -sd, -)" }
JCFG
printf 'general: { base_path = "/janus", http = true, port = %d, ip = "127.0.0.1", https = false }\nadmin: { admin_http = false }\n' \
    "$janus_port" > "$work/janus/janus.transport.http.jcfg"
printf 'general: { }\n' > "$work/janus/janus.plugin.videoroom.jcfg"
"${launch[@]}" janus -C "$work/janus/janus.jcfg" -F "$work/janus" > "$work/server-janus.log" 2>&1 &
janus=$!
fi

url[janus]="http://127.0.0.1:$janus_port/janus"
pid[janus]=$janus
# the baselines: each relay on a port of its own
relay_port=${RELAY_PORT:-29090}
if wants relay-; then
    gcc -O2 -Wall -o "$work/relay" "$here/bench/sfu/relay/relay.c"
    javac -d "$work/classes" "$here/bench/sfu/relay/JavaRelay.java"
fi
if wants relay-netty || wants relay-uring || wants relay-epoll-legs; then
    # offline first (the jars are usually in the local repository), else from the registry
    mvn -B -q -o -f "$here/bench/sfu/relay/pom.xml" dependency:copy-dependencies -DoutputDirectory="$work/netty" 2>/dev/null \
        || mvn -B -q -f "$here/bench/sfu/relay/pom.xml" dependency:copy-dependencies -DoutputDirectory="$work/netty"
    javac -d "$work/classes" -cp "$work/netty/*" "$here/bench/sfu/relay/NettyRelay.java" "$here/bench/sfu/relay/LegRelay.java"
fi
for t in $targets; do
    case $t in
        relay-sendto|relay-sendmmsg|relay-batch) "${launch[@]}" "$work/relay" "$relay_port" "${t#relay-}" > "$work/server-$t.log" 2>&1 & ;;
        relay-java) "${launch[@]}" java -Xms64m -Xmx256m -cp "$work/classes" JavaRelay "$relay_port" direct > "$work/server-$t.log" 2>&1 & ;;
        relay-java-heap) "${launch[@]}" java -Xms64m -Xmx256m -cp "$work/classes" JavaRelay "$relay_port" heap > "$work/server-$t.log" 2>&1 & ;;
        relay-netty) "${launch[@]}" java -Xms64m -Xmx256m -cp "$work/classes:$work/netty/*" NettyRelay "$relay_port" > "$work/server-$t.log" 2>&1 & ;;
        relay-uring|relay-uring-legs|relay-epoll-legs)
            mode=${t#relay-}; io=${mode%%-*}; [ "$io" = uring ] && io=io_uring; [[ $mode = *-legs ]] && mode=legs || mode=shared
            "${launch[@]}" java -Xms64m -Xmx256m -cp "$work/classes:$work/netty/*" LegRelay "$relay_port" "$io" "$mode" > "$work/server-$t.log" 2>&1 & ;;
        sylk|sylk-shared|janus) continue ;;
        *) echo "bench: unknown target $t" >&2; exit 2 ;;
    esac
    relays="$relays $!"
    pid[$t]=$!
    url[$t]="udp://127.0.0.1:$relay_port"
    relay_port=$((relay_port + 1))
done

for t in sylk sylk-shared; do ! has $t || await_started "$work/server-$t.log" 600; done
if wants janus; then
for _ in $(seq 30); do curl -sf "http://127.0.0.1:$janus_port/janus/info" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$janus_port/janus/info" >/dev/null || { echo "Janus did not start:"; tail -20 "$work/server-janus.log"; exit 1; }
fi
declare -A best=() done_=()
# PERF: waits for the step's set-up to end (its "set up" line), then the warm-up, then samples the measured window
perf_step() {
    # $3: the row's name (target or target-variant), for the files
    local t=$1 rooms=$2 out="$PERF-$3-$2" err="$work/step-$3-$2.err"
    for _ in $(seq 600); do grep -q '^set up' "$err" 2>/dev/null && break; sleep 0.5; done
    sleep 3
    perf record -q -F 499 -g -p "${pid[$t]}" -o "$out.data" -- sleep "$seconds" 2>/dev/null || return 0
    if [[ $t = sylk* ]]; then
        jcmd "${pid[$t]}" Compiler.perfmap >/dev/null 2>&1 && cp "/tmp/perf-${pid[$t]}.map" "$out.map"
        perf report -i "$out.data" --no-children --sort comm,dso,sym --stdio -g none 2>/dev/null | head -80 > "$out.txt"
    fi
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $(janus --version 2>/dev/null | head -1)"
echo "load: rooms x $publishers publishers x $subscribers subscribers, video $video_rate packets/s x 1200 B + opus 50 packets/s per publisher, $seconds s per step"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# the scheduling groups (autogroups) of the SFUs and of this script, whose session the load generator runs in
echo "scheduling groups (kernel.sched_autogroup_enabled = $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo -)):" \
    "load generator $(cut -d' ' -f1 /proc/$$/autogroup 2>/dev/null || echo -)$(for t in $targets; do
        printf ', %s %s' "$t" "$(cut -d' ' -f1 "/proc/${pid[$t]}/autogroup" 2>/dev/null || echo -)"; done)"
echo "load generator variants: $generators"
printf '%-6s %5s %5s %9s %12s %8s %9s %7s %13s\n' sfu rooms feeds sent/s forwarded/s loss% gap-loss% cpu% "pps/core"
# a warm-up step per SFU (JIT, Janus's first handles), not counted: WARMUP_ROOMS (8) for WARMUP_SECONDS (30); a
# perf profile of 1 room for 5 s found C1/C2 still compiling our forwarding path in the first measured step (17 % of
# the server's CPU there), and one of 8 rooms after a warm-up of 4 rooms for 20 s still 8 % (session 19); with --rare
# the warm-up also has what a running SFU meets now and then (sequence number rollovers, lost packets): without them a
# stream's first rollover or loss in a measured step threw C2's compiled receive path away and C2 compiled it and
# its callees again inside the window (session 22)
for t in $targets; do
    bench_as "${generators%% *}" --target "${t%%-*}" --url "${url[$t]}" --pid "${pid[$t]}" --rooms "${WARMUP_ROOMS:-8}" --publishers "$publishers" \
        --subscribers "$subscribers" --video-rate "$video_rate" --seconds "${WARMUP_SECONDS:-30}" --warmup 2 --rare 500 \
        > "$work/warmup-$t.out" 2> "$work/warmup-$t.err" || true
done
for rooms in "${steps[@]}"; do
    for t0 in $targets; do
    for g in $generators; do
        # with more than one generator variant a row is named target/variant
        t=$t0; [ "$generators" = "${generators%% *}" ] || t="$t0/$g"
        [ -z "${done_[$t]:-}" ] || continue
        sleep 3   # the previous step's sessions torn down
        [ -z "${PERF:-}" ] || perf_step "$t0" "$rooms" "${t//\//-}" &
        err="$work/step-${t//\//-}-$rooms.err"
        line=$(bench_as "$g" --target "${t0%%-*}" --url "${url[$t0]}" --pid "${pid[$t0]}" --rooms "$rooms" --publishers "$publishers" \
            --subscribers "$subscribers" --video-rate "$video_rate" --seconds "$seconds" 2> "$err" \
            | grep '^RESULT' || true)
        if [ -z "$line" ]; then
            echo "$t: step with $rooms rooms failed: $(tail -3 "$err" | tr '\n' ' ')"
            done_[$t]=1
            continue
        fi
        declare -A f=()
        for kv in ${line#RESULT }; do f[${kv%%=*}]=${kv#*=}; done
        printf '%-6s %5d %5d %9s %12s %8s %9s %7s %13s\n' "$t" "$rooms" "${f[feeds]}" "${f[sent_pps]}" \
            "${f[forwarded_pps]}" "${f[loss_pct]}" "${f[gap_loss_pct]}" "${f[server_cpu_pct]}" "${f[pps_per_core]}"
        echo "  ($t's busiest thread ${f[busiest_thread]:-?}: ${f[busiest_cpu_pct]:-?} % of a core, ${f[busiest_nvcsw_ps]:-?} nonvoluntary and ${f[busiest_vcsw_ps]:-?} voluntary context switches/s${f[busiest_wait_pct]:+, runnable but waiting for a core ${f[busiest_wait_pct]} % of the time})"
        [ "${f[auth_failed]}" = 0 ] || echo "  $t: ${f[auth_failed]} sampled packets failed SRTP authentication"
        [ "${f[late_ticks]}" = 0 ] || echo "  (load generator: ${f[late_ticks]} pacing ticks late by 5 ms or more)"
        [ -z "${f[queued_sfu_bytes]:-}" ] || echo "  (queued when the window closed: ${f[queued_sfu_bytes]} bytes at $t's sockets, ${f[queued_peers_bytes]} at the peers'; feeds that got nothing in the window ${f[feeds_empty]:-?}, more than 1 % short ${f[feeds_short]:-?}; retransmission-type packets, not counted: ${f[rtx_packets]:-?})"
        [ -z "${f[machine_busy_pct]:-}" ] || echo "  (CPU in the window, 100 % = one core: the load generator ${f[generator_cpu_pct]} %, the machine ${f[machine_busy_pct]} % of ${f[machine_cores]}00 %)"
        [ -z "${f[verdict]:-}" ] || echo "  (per feed, short of the window's packets 2 s after it: ${f[feeds_short_any]} feeds short, ${f[feeds_short_over]} by more than 0.1 %, per feed min ${f[feed_short_min]} max ${f[feed_short_max]} packets (${f[feed_short_max_pct]} %); at the window's end ${f[short_packets_0s]} packets short in ${f[feeds_short_0s]} feeds, 5 s after it ${f[short_packets_5s]} in ${f[feeds_short_5s]}; the old count's loss ${f[count_loss_pct]} %; sender's numbers mismatched ${f[offset_mismatches]}, feeds unmapped ${f[unmapped_feeds]}: ${f[verdict]})"
        [ -z "${f[reader]:-}" ] || echo "  (load generator: reader ${f[reader]}, ${f[generator_threads]} threads, ${f[generator_switches_ps]} context switches/s, ${f[reader_datagrams_per_wakeup]} datagrams a reader wake-up; ICE consent checks sent ${f[consent_sent]}, answered ${f[consent_answered]}, peers unanswered for 10 s ${f[consent_stale]}; the machine's rescheduling and function-call interrupts ${f[ipis_ps]:-?}/s)"
        [ "${f[server_drops]}${f[peer_drops]}${f[rcvbuf_errors]}${f[sndbuf_errors]}" = 0000 ] \
            || echo "  (full receive buffers: ${f[server_drops]} datagrams dropped at $t's sockets, ${f[peer_drops]} at the peers'; machine-wide UDP RcvbufErrors +${f[rcvbuf_errors]}, SndbufErrors +${f[sndbuf_errors]})"
        if [ "${f[verdict]:-}" = pass ] \
            || { [ -z "${f[verdict]:-}" ] && awk -v l="${f[loss_pct]}" 'BEGIN { exit !(l <= 0.1) }'; }; then
            best[$t]="${f[pps_per_core]} (at ${f[forwarded_pps]} forwarded/s, $rooms rooms)"
        else
            done_[$t]=1
        fi
    done
    done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for t0 in $targets; do
    for g in $generators; do
        t=$t0; [ "$generators" = "${generators%% *}" ] || t="$t0/$g"
        echo "  $t: highest passing step: ${best[$t]:-none}; RSS $(($(ps -o rss= -p "${pid[$t0]}" | tr -d ' ') / 1024)) MiB"
    done
done
for t in sylk sylk-shared; do
    ! has $t || echo "  $t log: $(grep -c -E '(WARN|ERROR|SEVERE)' "$work/server-$t.log" || true) warnings/errors"
done
for g in $generators; do
    v=; [ "$generators" = "${generators%% *}" ] || v="/$g"
    for ours in sylk sylk-shared; do
        for t in $targets; do
            [[ $t != relay-* ]] || ! has $ours || awk -v s="${best[$ours$v]:-0}" -v r="${best[$t$v]:-0}" -v t="$t$v" -v o="$ours$v" \
                'BEGIN { if (r + 0 > 0) printf "RESULT %s vs %s: %s forwards %.2f of the baseline packets/s per core\n", o, t, o, s / r }'
        done
    done
done
v=; [ "$generators" = "${generators%% *}" ] || v="/${generators%% *}"
s=${best[sylk$v]:-0}; j=${best[janus$v]:-0}
awk -v s="${s%% *}" -v j="${j%% *}" 'BEGIN { printf "RESULT sylk pps_per_core=%d janus pps_per_core=%d ratio=%s\n", s, j, (j > 0 ? sprintf("%.2f", s / j) : "n/a") }'
