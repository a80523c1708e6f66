#!/usr/bin/env bash
# Benchmark: short calls per second with zero failures into conference rooms of 3 participants, against the
# conference application, and the same calls to the echo application (baseline) in the same run. Needs sipp
# (Debian package sip-tester).
#
# Usage: [DIST=<distribution>] [XMX=1g] [WARMUP=10] [WARMUP_RATE=50] [PAUSE=5] [APPS="conference echo"] [JAVA_OPTS=...]
#        [THREADS=1] [PORT=25070] (SIP; the web server takes PORT + 3019: another port for runs alongside another bench)
#        [RTP=1] [ROUNDS=N] [BENCH_KEEP=1] bench/conference-calls.sh [seconds-per-step] [rates...]
#   default: 10 s per step, rates 50 100 150 200 300 400 600 800 1000 1200 calls/s, after a warm-up of
#   WARMUP s at WARMUP_RATE calls/s (50); PAUSE s between steps; server heap -Xms512m -Xmx$XMX (as bench/echo-calls.sh)
# Every call is INVITE (SDP offer: PCMU) -> 200 -> ACK, held 1 s, then BYE from sipp. Call i of a step goes to
# room "room<i/3>" (sipp injection file), so every room has 3 participants for about 1 s; the echo calls all go
# to user "echo". Both applications answer at once (answer_delay = 0). sipp sends no RTP (the server's RTP to
# sipp's media port is sent and dropped), so this measures call set-up and tear-down with media ports opened,
# prompts and the mixer running, not the mixing of real audio (see bench/mixer.sh for that).
# Each application gets its own server (same distribution and configuration, started in turn), so that one
# exhausting its heap cannot spoil the other's figures.
# Prints one line per step: attempted, successful and failed calls, the rate sipp achieved (calls / (wall time
# - hold)), the server JVM's CPU over the step from /proc/<pid>/stat (100% = one core) and that CPU time divided
# by the step's successful calls ("ms/call", steadier than the highest passing rate on a shared machine); an application's
# stepping stops at its first step with a failed call. Then per server its RSS and the count of warnings,
# OutOfMemoryErrors and mixer 'tick failed' in its log, and a line
# "RESULT conference max_rate=N echo max_rate=M ratio=R" (highest target rate with zero failed calls).
# With THREADS=1, each step's line is followed by the SIP messages per call that sipp sent, received and
# retransmitted, and by the server's CPU per call per thread group (from /proc/<pid>/task: GC, JIT compiler and
# kernel time included, which a JFR execution sample never sees), and the kernel's (system time's) part of each.
# With RTP=1 every caller also talks, as a real one does: sipp streams one second of a 440 Hz PCMU tone (50 packets
# of 20 ms, from a file made with ffmpeg) from a port of its own per call, so echo sends it back and the
# conference decodes and mixes it; without it echo sends no RTP at all while every joiner is sent its welcome.
# With ROUNDS=N (the steady measure of issue 12) one server serves both applications: after a warm-up of each, every
# rate is measured N times alternately (conference step, echo step, conference, echo, ...), so both see the same
# machine, the same JVM and the same compiled code; every step is measured (a failed one is marked, not a stop).
# Each step's line also gives "ms/call" without the JIT compiler threads (C1/C2: compiling is the JVM's catching
# up, shared by both applications of the one server, and swung 0.2-0.7 ms per call between runs). At the end, per
# rate, each round's ratio conference/echo with and without the compiler threads, and their medians over the
# rounds whose two steps lost at most 1 % of their calls ("MEDIAN rate=R ratio=X ratio_without_compilers=Y
# rounds=K"; the conference failed a call or two of 9,000 at 600/s in session 20, at a load of 9).
# The warm-up of ROUNDS=N runs WARMUP_PASSES (2) passes of a conference warm-up then an echo warm-up, each WARMUP s at
# WARMUP_RATE calls/s (default there: the first measured rate): after one pass the first measured conference step
# still took 0.6-0.75 ms per call of compiling (session 20, session 21 at 600/s), which the second pass absorbs.
# sipp runs on the same cores as the server. BENCH_KEEP=1 keeps the work directory (logs, sipp errors).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
step=${1:-10}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(50 100 150 200 300 400 600 800 1000 1200)
hold_ms=1000
pause=${PAUSE:-5}
xmx=${XMX:-1g}
port=${PORT:-25070}
work=$(mktemp -d /tmp/sylk-conf-bench.XXXXXX)
server=
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; fi; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

command -v sipp >/dev/null || { echo "bench: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }
[ -f "$dist/webapps/conference.war" ] && [ -f "$dist/webapps/echo.war" ] \
    || { echo "bench: build the distribution first (mvn -B -DskipTests package)" >&2; exit 2; }

mkdir -p "$work/config"
{ server_ini $port $((port + 3019)); cat <<INI
[RTP]
port_range = 20000:25000
; every sipp call comes from 127.0.0.1: no cap on the streams of one address (issue 11's default is 100)
max_streams_per_address = 0
INI
} > "$work/config/config.ini"
printf '[Conference]\nanswer_delay = 0\n' > "$work/config/conference.ini"
printf '[Echo]\nanswer_delay = 0\n' > "$work/config/echo.ini"
# routing: the generated dar.properties (default application_map echo:echo, default application conference)

# the sipp scenario (bench/sipp/room-call.xml): UAC, PCMU offer, hold (-d), BYE; the request user is field 0 of
# the injection file. RTP=1: the same scenario, offering a per-call port and streaming the tone after the ACK.
scenario="$here/bench/sipp/room-call.xml"
if [ -n "${RTP:-}" ]; then
    command -v ffmpeg >/dev/null || { echo "bench: RTP=1 needs ffmpeg (apt-get install ffmpeg)" >&2; exit 2; }
    ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:duration=1:sample_rate=8000" -ac 1 -c:a pcm_mulaw \
        "$work/tone.wav"
    awk -v tone="$work/tone.wav" '
        { gsub(/\[media_port\]/, "[rtpstream_audio_port]"); print }
        /CSeq: 1 ACK/ { ack = 1 }
        ack && /<\/send>/ { printf "  <nop><action><exec rtp_stream=\"%s,1,0\"/></action></nop>\n", tone; ack = 0 }
    ' "$scenario" > "$work/room-call-rtp.xml"
    scenario="$work/room-call-rtp.xml"
fi

# injection files: line i (from 0) = room<i/3> for the conference, "echo" for the baseline. SEQUENTIAL: each
# new call takes the next line, so each sipp run (one step) starts again at room0.
max_calls=0
for rate in "${rates[@]}"; do [ $((rate * step)) -gt $max_calls ] && max_calls=$((rate * step)); done
[ $max_calls -ge 3000 ] || max_calls=3000   # at least the warm-up
awk -v n=$max_calls 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "room%d\n", int(i / 3) }' \
    > "$work/conference.csv"
awk -v n=$max_calls 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) print "echo" }' > "$work/echo.csv"

# one server per application, so that a step that exhausts the conference's heap cannot spoil the echo figures
start_server() {
    rm -rf "$work/var"
    # shellcheck disable=SC2086 # JAVA_OPTS: extra JVM options, e.g. -XX:StartFlightRecording=... to profile
    java "@$dist/conf/jvm.options" -Xms512m -Xmx"$xmx" ${JAVA_OPTS:-} -Dsylk.home="$dist" -cp "$dist/lib/*" \
        org.sylkserver.core.SylkServer --config-dir "$work/config" --var-dir "$work/var" > "$work/server-$1.log" 2>&1 &
    server=$!
    await_started "$work/server-$1.log" 600
}
stop_server() {
    kill $server 2>/dev/null || true
    wait $server 2>/dev/null || true
    server=
}

clk=$(getconf CLK_TCK)

# one step: $1 application, $2 rate, $3 seconds; prints "attempted successful failed achieved/s cpu% ms/call
# ms/call-without-the-JIT-compiler-threads" (the step's files in $work/sipp-$1-$2-$3, or -$4 for a round's suffix)
run_step() {
    local app=$1 rate=$2 secs=$3 calls=$(( $2 * $3 ))
    local out="$work/sipp-$app-$rate-$secs${4:+-$4}" start end t0 t1 jit
    mkdir -p "$out"
    thread_ticks $server > "$out/threads-before"
    t0=$(cpu_ticks $server)
    start=$(date +%s.%N)
    (cd "$out" && timeout $((secs * 3 + 40)) sipp -sf "$scenario" -d "$hold_ms" -inf "$work/$app.csv" "127.0.0.1:$port" \
        -i 127.0.0.1 -p "$(free_udp_port)" -r "$rate" -m "$calls" -l $((rate * 4)) -nostdin -timeout $((secs * 2 + 30))s \
        -recv_timeout 5000 -trace_err -trace_stat -stf stat.csv -trace_counts >sipp.out 2>&1) || true
    end=$(date +%s.%N)
    t1=$(cpu_ticks $server)
    thread_ticks $server > "$out/threads-after"
    # SIP messages per call on sipp's side (its message counts file: one column per scenario element)
    awk -F';' -v calls="$calls" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { last = $0 }
        END {
            split(last, f, ";")
            for (k in col) {
                if (k ~ /_Sent$/) sent += f[col[k]]; else if (k ~ /_Recv$/) recv += f[col[k]]
                else if (k ~ /_Retrans$/) re += f[col[k]]; else if (k ~ /_Unexp$/) unexp += f[col[k]]
            }
            printf "  SIP messages per call (sipp): sent %.2f, received %.2f, retransmitted %.3f, unexpected %.3f\n",
                sent / calls, recv / calls, re / calls, unexp / calls
        }' "$out"/*_counts.csv > "$out/breakdown" 2>/dev/null || true
    thread_cpu_per_call "$out/threads-before" "$out/threads-after" "$calls" >> "$out/breakdown"
    thread_kernel_per_call "$out/threads-before" "$out/threads-after" "$calls" >> "$out/breakdown"
    jit=$(compiler_ticks "$out/threads-before" "$out/threads-after")
    # the last line of sipp's statistics file holds the cumulative counters
    awk -F';' -v s="$start" -v e="$end" -v hold=$hold_ms -v dt=$((t1 - t0)) -v jit="$jit" -v clk="$clk" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { last = $0 }
        END {
            split(last, f, ";")
            created = f[col["TotalCallCreated"]]; ok = f[col["SuccessfulCall(C)"]]; bad = f[col["FailedCall(C)"]]
            wall = e - s - hold / 1000
            printf "%d %d %d %.0f %.0f %.3f %.3f\n", created, ok, bad, created / wall, 100 * dt / clk / (e - s),
                (ok > 0 ? 1000 * dt / clk / ok : 0), (ok > 0 ? 1000 * (dt - jit) / clk / ok : 0)
        }' "$out/stat.csv" 2>/dev/null || echo "0 0 0 0 0 0 0"
}

machine() {
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), server -Xmx$xmx"
}

# ROUNDS=N: one server, both applications warmed up, then per rate N rounds of a conference step and an echo step
alternate_rounds() {
    local rounds=$ROUNDS rate round app created ok bad achieved cpu ms msnojit mark
    local results="$work/rounds"
    : > "$results"
    echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_server both
    local pass
    for pass in $(seq "${WARMUP_PASSES:-2}"); do
        for app in conference echo; do
            run_step "$app" "${WARMUP_RATE:-${rates[0]}}" "$warmup" "warmup$pass" >/dev/null
            sleep "$pause"
        done
    done
    printf '%-10s %6s %5s %9s %10s %6s %10s %8s %8s %8s\n' app target round attempted successful failed achieved "cpu" \
        "ms/call" "-JIT"
    for rate in "${rates[@]}"; do
        for round in $(seq "$rounds"); do
            for app in conference echo; do
                read -r created ok bad achieved cpu ms msnojit < <(run_step "$app" "$rate" "$step" "$round")
                # a step that lost more than 1 % of its calls measured an overload, not the cost of a call
                mark=; [ "$bad" = 0 ] && [ "$ok" = $((rate * step)) ] || mark=' (failed calls)'
                [ $(( (rate * step - ok) * 100 )) -le $((rate * step)) ] || mark=' (over 1 % of the calls failed)'
                printf '%-10s %4d/s %5d %9d %10d %6d %8d/s %7d%% %8s %8s%s\n' "$app" "$rate" "$round" "$created" "$ok" \
                    "$bad" "$achieved" "$cpu" "$ms" "$msnojit" "$mark"
                [ -z "${THREADS:-}" ] || cat "$work/sipp-$app-$rate-$step-$round/breakdown"
                echo "$rate $round $app $ms $msnojit $([[ "$mark" == *1* ]] && echo overload)" >> "$results"
                sleep "$pause"
            done
        done
    done
    local rss_kb log="$work/server-both.log"
    rss_kb=$(ps -o rss= -p $server | tr -d ' ')
    stop_server
    echo "  server: RSS at the end $((rss_kb / 1024)) MiB; log: $(grep -c -E '^[0-9-]+ [0-9:.]+ (WARN|ERROR|SEVERE)' "$log" || true)" \
        "warnings/errors, $(grep -c 'OutOfMemoryError' "$log" || true) OutOfMemoryError, $(grep -c 'no free RTP port pair' "$log" || true) 'no free RTP port pair'"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    machine
    echo "ratio conference/echo per round (ms of server CPU per call; without the JIT compiler threads), steps of $step s:"
    awk '
        function median(a, n,   i, j, x) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { key = $1 " " $2; ms[key, $3] = $4; nojit[key, $3] = $5; if ($6 == "overload") bad[key] = 1
          if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
        END {
            for (i = 1; i <= n; i++) {
                split(order[i], k, " "); key = order[i]
                r = ms[key, "conference"] / ms[key, "echo"]; rn = nojit[key, "conference"] / nojit[key, "echo"]
                printf "  %4d/s round %d: %.3f / %.3f = %.2fx (without the compilers %.3f / %.3f = %.2fx)%s\n", k[1], k[2],
                    ms[key, "conference"], ms[key, "echo"], r, nojit[key, "conference"], nojit[key, "echo"], rn,
                    (key in bad ? ", over 1 % of the calls failed: not in the median" : "")
                if (!(key in bad)) { c[k[1]]++; rr[k[1], c[k[1]]] = r; rrn[k[1], c[k[1]]] = rn }
                if (!(k[1] in rs)) { rs[k[1]] = 1; rate[++m] = k[1] }
            }
            for (j = 1; j <= m; j++) {
                q = rate[j]; cnt = c[q] + 0
                if (cnt == 0) { printf "MEDIAN rate=%d ratio=n/a ratio_without_compilers=n/a rounds=0\n", q; continue }
                for (i = 1; i <= cnt; i++) { a[i] = rr[q, i]; b[i] = rrn[q, i] }
                printf "MEDIAN rate=%d ratio=%.2f ratio_without_compilers=%.2f rounds=%d\n", q, median(a, cnt), median(b, cnt), cnt
            }
        }' "$results"
}

warmup=${WARMUP:-10}
# a server that has run at the measured rate for a while (as operators run one) has compiled what that rate
# exercises; at 50 calls/s the JIT was still compiling in the first measured steps (session 18)
warmup_rate=${WARMUP_RATE:-50}
declare -A best=([conference]=0 [echo]=0)
if [ -n "${ROUNDS:-}" ]; then
    alternate_rounds
    exit 0
fi
printf '%-10s %6s %9s %10s %6s %10s %8s %8s\n' app target attempted successful failed achieved "cpu" "ms/call"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for app in ${APPS:-conference echo}; do
    start_server "$app"
    run_step "$app" "$warmup_rate" "$warmup" >/dev/null   # JIT warm-up, not counted
    sleep "$pause"
    for rate in "${rates[@]}"; do
        read -r created ok bad achieved cpu mspercall _ < <(run_step "$app" "$rate" "$step")
        printf '%-10s %4d/s %9d %10d %6d %8d/s %7d%% %8s\n' "$app" "$rate" "$created" "$ok" "$bad" "$achieved" "$cpu" \
            "$mspercall"
        [ -z "${THREADS:-}" ] || cat "$work/sipp-$app-$rate-$step/breakdown"
        if [ "$bad" = 0 ] && [ "$ok" = $((rate * step)) ]; then best[$app]=$rate; else break; fi
        sleep "$pause"   # let the server finish the step's calls (and free their memory) before the next step
    done
    rss_kb=$(ps -o rss= -p $server | tr -d ' ')
    stop_server
    log="$work/server-$app.log"
    echo "  $app server: RSS at the end $((rss_kb / 1024)) MiB; log: $(grep -c -E '^[0-9-]+ [0-9:.]+ (WARN|ERROR|SEVERE)' "$log" || true)" \
        "warnings/errors, $(grep -c 'OutOfMemoryError' "$log" || true) OutOfMemoryError, $(grep -c 'tick failed' "$log" || true) 'tick failed'"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
machine
echo "highest target rate with zero failed calls (steps of $step s, cpu 100% = one core):"
awk -v c="${best[conference]}" -v e="${best[echo]}" \
    'BEGIN { printf "RESULT conference max_rate=%d echo max_rate=%d ratio=%s\n", c, e, (e > 0 ? sprintf("%.2f", c / e) : "n/a") }'
