#!/usr/bin/env bash
# Benchmark (issue 16): concurrent Opus <-> PCMU transcoded calls (50 packets/s each way) on the real media engine
# over loopback, the codec work inline on the media I/O thread (as before) and on the engine's codec workers, both in
# one JVM, one after the other for each number of calls. Prints loss, delay (p50/p99) and CPU per input packet of the
# I/O thread and of the codec workers. The engine binds 127.0.0.1 ports 46000 and up (4 per call), not the ITs'.
#
# Usage: bench/transcode.sh [seconds] [calls ...]     (default: 10 s; 25 50 75 100 125 150)
#        DIST=/path/to/sylk-server bench/transcode.sh ...   (another build's libraries; this tree's media-engine first)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
[ -d "$dist/lib" ] || (cd "$here" && mvn -B -q -DskipTests package)
engine="$here/media-engine/target/media-engine-0.1.0-SNAPSHOT.jar"
[ -f "$engine" ] || engine=""
work=$(mktemp -d /tmp/sylk-transcode-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp="${engine:+$engine:}$dist/lib/*"
javac -d "$work" -cp "$cp" "$here/bench/transcode/TranscodeBench.java"
seconds="${1:-10}"
shift || true
calls=("$@")
[ ${#calls[@]} -gt 0 ] || calls=(25 50 75 100 125 150)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xms512m -Xmx2g -cp "$work:$cp" TranscodeBench "$seconds" "${calls[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
