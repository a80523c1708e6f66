#!/usr/bin/env bash
# Benchmark (issue 14, Cassandra backend): what the second copy of a message id costs the Cassandra store. A message
# between two local accounts is stored twice under one id (the sender's outgoing and the recipient's incoming copy);
# chat_message_created_at_by_id (the original's layout) names the copy stored last, and the other is found through
# the store's index of the journal's message_id, or without it by reading the account's whole journal.
#
# Usage: [DIST=<distribution>] bench/store-lookup.sh [journal-size] [messages]
#   defaults: alice's journal holds 10000 messages; 1000 messages measured each way
# Starts the tests' one-node Cassandra (module cassandra-test-node, built by `mvn -B -DskipTests package`; its own
# JVM, 512 MiB heap), fills alice's journal, then stores each measured message as the gateway does (alice's copy,
# bob's copy, two IMDN updates of alice's copy) with the index, and again after DROP INDEX in the same run. Prints
# the time per message of each and their ratio.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
usage_on_help "$@"
dist="${DIST:-$here/container-config/target/sylk-server}"
journal=${1:-10000}
messages=${2:-1000}
tool="$dist/tools/webrtcgateway/WEB-INF"
[ -d "$tool/classes" ] || { echo "bench: build the server first (mvn -B -DskipTests package)" >&2; exit 2; }
work=$(mktemp -d /tmp/sylk-bench.XXXXXX)
cassandra=
cleanup() {
    [ -z "$cassandra" ] || { exec 7>&-; wait $cassandra 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
echo "starting Cassandra (about 20 s) ..."
start_cassandra "$work"
echo "Cassandra at $contact; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx256m -Djava.util.logging.config.file=/dev/null -cp "$tool/classes:$tool/lib/*:$dist/lib/*" \
    "$here/bench/messaging/StoreLookupBench.java" "$contact" "$journal" "$messages"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
