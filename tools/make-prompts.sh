#!/usr/bin/env bash
# Generates the conference application's voice prompts and tones (spec §3.3 names) with espeak-ng and sox,
# as 16 kHz mono 16-bit WAV files. The output is committed, so building the server does not need these tools;
# run this again (apt-get install espeak-ng sox) only to change a prompt.
# Usage: tools/make-prompts.sh [output-dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/sylk-sar/conference/src/main/resources/sounds}"
mkdir -p "$out" "$out/moh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

say() { # say <file> <text>
    espeak-ng -v en-us -s 150 -p 45 -w "$tmp/raw.wav" "$2"
    sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$out/$1.wav" norm -3
    echo "  $1.wav: $2"
}

echo "voice prompts -> $out"
say co_welcome_conference "Welcome to the conference."
say co_only_one "You are the only participant."
say co_there_is_one "There is one other participant."
say co_there_are "There are"
say co_more_participants "other participants."
say co_enter_pin "Please enter the conference PIN, followed by the pound key."
say co_right_pin "Thank you. Joining the conference."
say co_wrong_pin "That PIN is not correct."
say co_pin_refused "Too many wrong attempts. Goodbye."
for n in $(seq 0 24) 30 40 50 60 70 80 90; do
    say "bi_$n" "$n"
done

echo "tones -> $out"
# a rising two-note chime when the caller is connected, a short high beep when someone joins, a low one on leave
sox -n -r 16000 -c 1 -b 16 "$tmp/low.wav" synth 0.15 sine 660 fade 0.01 0.15 0.02 vol 0.5
sox -n -r 16000 -c 1 -b 16 "$tmp/high.wav" synth 0.25 sine 880 fade 0 0.25 0.05 vol 0.5
sox "$tmp/low.wav" "$tmp/high.wav" "$out/connected_tone.wav"
sox -n -r 16000 -c 1 -b 16 "$out/joined_tone.wav" synth 0.2 sine 1000 fade 0.01 0.2 0.05 vol 0.4
sox -n -r 16000 -c 1 -b 16 "$out/left_tone.wav" synth 0.2 sine 500 fade 0.01 0.2 0.05 vol 0.4

echo "music on hold -> $out/moh"
# two slow arpeggios of plucked strings, about 20 s each
notes_a="C4 E4 G4 C5 G4 E4 A3 C4 E4 A4 E4 C4 F3 A3 C4 F4 C4 A3 G3 B3 D4 G4 D4 B3"
notes_b="D4 F4 A4 D5 A4 F4 G3 B3 D4 G4 D4 B3 C4 E4 G4 C5 G4 E4 A3 C4 E4 A4 E4 C4"
for piece in a b; do
    eval "notes=\$notes_$piece"
    parts=()
    i=0
    for note in $notes; do
        sox -n -r 16000 -c 1 -b 16 "$tmp/n$i.wav" synth 0.8 pluck "$note" fade 0 0.8 0.3 vol 0.3
        parts+=("$tmp/n$i.wav")
        i=$((i + 1))
    done
    sox "${parts[@]}" "$out/moh/moh_$piece.wav" reverb 30 norm -9
    echo "  moh/moh_$piece.wav"
done
