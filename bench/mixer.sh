#!/usr/bin/env bash
# Benchmark (issue 3): how many participants one core mixes in real time, for G.711 and for Opus, half of them
# talking; the same run measures the mixer with every talker mixed (maxSpeakers 0) as the baseline.
#
# Usage: bench/mixer.sh [codec ...]     (default: PCMU opus)
#        bench/mixer.sh --room [seconds] [members ...]   (one G.711 room over real sockets; default 10 s, 50..400)
# Prints, per room size tried, the CPU time per 20 ms tick and per member, and the largest real-time room.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="$here/container-config/target/sylk-server"
[ -d "$dist/lib" ] || (cd "$here" && mvn -B -q -DskipTests package)
work=$(mktemp -d /tmp/sylk-mixer-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp "$dist/lib/*" "$here/bench/mixer/MixerBench.java" "$here/bench/mixer/RoomBench.java"
if [ "${1:-}" = "--room" ]; then
    shift
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
    exec java -Xms1g -Xmx4g -cp "$work:$dist/lib/*" RoomBench "$@"
fi
codecs=("$@")
[ ${#codecs[@]} -gt 0 ] || codecs=(PCMU opus)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
for codec in "${codecs[@]}"; do
    for speakers in 4 0; do
        echo "== $codec, maxSpeakers=$speakers"
        java -Xms1g -Xmx4g -cp "$work:$dist/lib/*" MixerBench "$codec" "$speakers"
    done
done
