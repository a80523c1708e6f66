#!/usr/bin/env bash
# Fuzzes the parsers' Jazzer targets (docs/fuzzing.md) one after the other, each for DURATION seconds
# (default 600, the @FuzzTest maxDuration), and prints each target's last libFuzzer status line.
#
#   bench/fuzz.sh [-d SECONDS] [TARGET ...]     TARGET is Class#method (default: every target below)
#
# Jazzer fuzzes when JAZZER_FUZZ is set; it runs one @FuzzTest per JVM, so each target is its own Maven run.
# New interesting inputs go to <module>/.cifuzz-corpus/ (not checked in); an input that makes a target fail is
# written to the target's src/test/resources/.../<Class>Inputs/<method>/ directory, where the ordinary test run
# (mvn verify, CI) replays it from then on: fix the parser, keep the input. Logs: target/fuzz/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
usage_on_help "$@"

duration=600
if [[ "${1:-}" == "-d" ]]; then
    duration=$2
    shift 2
fi

declare -A module=(
    [SdpFuzzTest#offerIsAnsweredOrRefused]=media-engine
    [MsrpFuzzTest#connectionStreamYieldsMessagesOrErrors]=container-config/sylk-protocols
    [MsrpFuzzTest#uriParsesOrFails]=container-config/sylk-protocols
    [RtpFuzzTest#datagramIsRtpRtcpOrDropped]=media-engine
    [RtpFuzzTest#telephoneEventsAreFollowedOrRefused]=media-engine
    [StunFuzzTest#datagramIsCheckedOrDropped]=media-engine
    [CpimFuzzTest#cpimIsReadOrRefused]=container-config/sylk-protocols
    [CpimFuzzTest#imdnIsReadOrRefused]=container-config/sylk-protocols
    [ConfigFuzzTest#configIniLoadsOrIsRefused]=container-config/sylk-core
    [ConferenceSettingsFuzzTest#conferenceIniLoadsOrIsRefused]=sylk-sar/conference
    [SylkRtcDecodingFuzzTest#messageIsDecodedOrRefused]=sylk-war
)
# Jazzer instruments the project's classes only; where the parsing is a library's, name it too
declare -A instrument=(
    [StunFuzzTest#datagramIsCheckedOrDropped]='org.sylkserver.**,org.ice4j.**'
)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(printf '%s\n' "${!module[@]}" | sort)
fi

mkdir -p target/fuzz
for target in "${targets[@]}"; do
    dir=${module[$target]:?unknown target $target}
    log="target/fuzz/${target/\#/.}.log"
    echo "== $target ($dir), ${duration} s"
    # -am builds the module's reactor dependencies (never installed); the @FuzzTest maxDuration stops a
    # 10-minute run, a shorter one is ended with SIGINT to the whole Maven process group (libFuzzer stops;
    # its last status line is printed below). The clock starts when libFuzzer does (its "Seed:" line): Maven and
    # Jazzer's instrumentation take minutes on a loaded machine, and a timer started with Maven cut every
    # 10-minute run short (2026-12-04: about 8.5 minutes of fuzzing each)
    set +e
    setsid env JAZZER_FUZZ=1 ${instrument[$target]:+JAZZER_INSTRUMENT=${instrument[$target]}} \
        mvn -B -o test -pl "$dir" -am -Dexec.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
        -Dtest="$target" >"$log" 2>&1 &
    pid=$!
    ( while ! grep -a -q '^INFO: Seed:' "$log" 2>/dev/null; do kill -0 "$pid" 2>/dev/null || exit 0; sleep 1; done
      sleep "$duration"; kill -INT -- -"$pid" 2>/dev/null ) &
    timer=$!
    wait "$pid"
    status=$?
    kill "$timer" 2>/dev/null
    set -e
    grep -a -E '^#[0-9]+' "$log" | tail -1 || true
    if grep -a -q -E '== Java Exception|ERROR\] Tests run:.*(Failures: [1-9]|Errors: [1-9])|Deadly signal|out-of-memory' "$log"; then
        echo "   FINDING (exit $status): see $log"
    fi
done
