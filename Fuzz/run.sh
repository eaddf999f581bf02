#!/usr/bin/env bash
# Fuzz the file-format decoder (and the text parsers) with libFuzzer.
#
#   Fuzz/run.sh [SECONDS]      build if needed, fuzz for SECONDS (default 120), summarize
#
# Targets (built from Sources/BLS12381 and Sources/FinalityFormat with swiftc
# -sanitize=fuzzer,address, one module at a time because FinalityFormat imports BLS12381):
#   verify  SafetyFileReader.verify on raw bytes; a file with no errors must encode back
#           to the same bytes; v1 inputs are also tried with their CRC fixed up.
#   text    KeyText.decode, Base64URL.decode, Bytes32(hex:), BlockTimestamp(iso8601:)
#           (first input byte picks the parser).
# verify gets 3/4 of the time, text 1/4. libFuzzer runs in fork mode and keeps going
# after a crash; every crashing input is saved as Fuzz/crashes/<target>-crash-<sha1>.
# Seeds: Fixtures/*.dat, ../shared/upstream/*.dat (copied into the ignored corpus dir at
# run time, never committed) and files written by the project's own writer (Seeds.swift).
#
# Environment: SWIFTC (default swiftc), FUZZ_SANITIZERS (default fuzzer,address),
# FUZZ_JOBS (parallel fuzzing processes per target, default 1: the machine is shared).
set -euo pipefail

TOTAL=${1:-120}
case "$TOTAL" in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=Fuzz/out
CORPUS=Fuzz/corpus
CRASHES=Fuzz/crashes
SWIFTC=${SWIFTC:-swiftc}
SAN=${FUZZ_SANITIZERS:-fuzzer,address}
JOBS=${FUZZ_JOBS:-1}
mkdir -p "$OUT/mods" "$CORPUS/verify" "$CORPUS/text" "$CRASHES"

# The Swift runtime's own backtracer fights ASan over the crashing process; let
# libFuzzer print the stack instead.
export SWIFT_BACKTRACE=enable=no
SYMBOLIZER=$(dirname "$(command -v "$SWIFTC")")/llvm-symbolizer
[ -x "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH="$SYMBOLIZER"
# Leaks are not what we look for, and a fuzzer exits without freeing.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

# ---- build (only what is out of date) -------------------------------------------------
FLAGS=(-O -g -wmo -parse-as-library -sanitize="$SAN")
stamp="$OUT/.flags"
want="$SWIFTC ${FLAGS[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || rm -f "$OUT"/*.o "$OUT"/fuzz-*

newer() { # target, sources... : true when target is missing or older than a source
    local t=$1; shift
    [ -e "$t" ] || return 0
    for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
    return 1
}
quiet_link() { grep -v "Cannot export local symbol" || true; }

BLS_SRC=(Sources/BLS12381/*.swift)
FMT_SRC=(Sources/FinalityFormat/*.swift)
build_started=$(date +%s)
if newer "$OUT/BLS12381.o" "${BLS_SRC[@]}"; then
    echo "building BLS12381"
    "$SWIFTC" "${FLAGS[@]}" -module-name BLS12381 -emit-module -emit-module-path "$OUT/mods/BLS12381.swiftmodule" \
        -c "${BLS_SRC[@]}" -o "$OUT/BLS12381.o"
fi
if newer "$OUT/FinalityFormat.o" "${FMT_SRC[@]}" "$OUT/BLS12381.o"; then
    echo "building FinalityFormat"
    "$SWIFTC" "${FLAGS[@]}" -module-name FinalityFormat -I "$OUT/mods" -I Sources/CZlib -emit-module \
        -emit-module-path "$OUT/mods/FinalityFormat.swiftmodule" -c "${FMT_SRC[@]}" -o "$OUT/FinalityFormat.o"
fi
link() { # name, sources...
    local name=$1; shift
    if newer "$OUT/fuzz-$name" "$@" "$OUT/FinalityFormat.o" "$OUT/BLS12381.o"; then
        echo "linking fuzz-$name"
        "$SWIFTC" -O -g -parse-as-library -sanitize="$SAN" -I "$OUT/mods" -I Sources/CZlib "$@" \
            "$OUT/BLS12381.o" "$OUT/FinalityFormat.o" -lz -o "$OUT/fuzz-$name" 2>&1 | quiet_link
        [ -x "$OUT/fuzz-$name" ] || { echo "link of fuzz-$name failed" >&2; exit 3; }
    fi
}
link verify Fuzz/Targets/VerifyTarget.swift Fuzz/Targets/Seeds.swift
link text Fuzz/Targets/TextTarget.swift
echo "$want" >"$stamp"
echo "build: $(($(date +%s) - build_started))s"

# ---- seeds ------------------------------------------------------------------------------
shopt -s nullglob
for f in Fixtures/*.dat; do cp -f "$f" "$CORPUS/verify/fixture-$(basename "$f")"; done
for f in ../shared/upstream/*.dat; do cp -f "$f" "$CORPUS/verify/upstream-$(basename "$f")"; done
FINALITY_FUZZ_WRITE_SEEDS="$CORPUS/verify" "$OUT/fuzz-verify" >/dev/null
seed_text() { printf "$1" >"$CORPUS/text/seed-$2"; }
KEY=PUB_BLS_82P3oM1u0IEv64u9i4vSzvg1-QDl4Fb2n50Mp8Sk7Fr1Tz0MJypzL39nSd5VPFgFC9WqrjopRbBm1Pf0RkP018fo1k2rXaJY7Wtzd9RKlE8PoQ6XhDm4PyZlIupQg_gOuiMhcg
seed_text "\x00$KEY" key
seed_text "\x00${KEY}==" key-padded
seed_text "\x01Zm9vYmFy" base64
seed_text "\x020000000aabababababababababababababababababababababababababababab" hex
seed_text "\x030x0000000aabababababababababababababababababababababababababababab" hex0x
seed_text "\x032024-05-01T12:00:00.500" time
seed_text "\x832000-01-01T00:00:00.250Z" time-round-down

# ---- fuzz -------------------------------------------------------------------------------
before=$(ls "$CRASHES" | wc -l)
t_verify=$((TOTAL * 3 / 4))
t_text=$((TOTAL - t_verify))
total_execs=0
run() { # target, seconds, max_len, dict
    local name=$1 secs=$2 maxlen=$3 dict=$4 log="$OUT/$1.log"
    [ "$secs" -gt 0 ] || return 0
    echo "fuzzing $name for ${secs}s (log: $log)"
    # Fork mode: a crash ends one child job, not the run.
    "$OUT/fuzz-$name" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" -dict="$dict" \
        -artifact_prefix="$CRASHES/$name-" "$CORPUS/$name" >"$log" 2>&1 || true
    local execs
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    echo "  $name: ${execs:-0} executions, $(ls "$CRASHES" | grep -c "^$name-" || true) crash inputs on file"
    total_execs=$((total_execs + ${execs:-0}))
}
run verify "$t_verify" 4096 Fuzz/safety.dict
run text "$t_text" 512 Fuzz/text.dict

# ---- crashes: replay each new one and group by where it stopped -------------------------
after=$(ls "$CRASHES" | wc -l)
new=$((after - before))
declare -A sites=()
for f in "$CRASHES"/*-crash-* "$CRASHES"/*-timeout-* "$CRASHES"/*-oom-*; do
    name=$(basename "$f"); target=${name%%-*}
    [ -x "$OUT/fuzz-$target" ] || continue
    # Fatal-error messages carry sizes and offsets: numbers are masked so one bug is one site.
    site=$(timeout 60 "$OUT/fuzz-$target" "$f" 2>&1 | swift demangle --simplified 2>/dev/null |
        grep -E "Fatal error|^ +#[0-9]+ .* in .*(FinalityFormat|BLS12381|Fuzz/Targets)" | head -2 |
        sed -E '/Fatal error/s/[0-9]+/N/g; s/^ +#[0-9]+ 0x[0-9a-f]+ in //; s/ \(.*BuildId.*//; s|'"$ROOT"'/||' |
        tr '\n' ' ' || true)
    sites["${site:-unknown}"]+="$name "
done
if [ "${#sites[@]}" -gt 0 ]; then
    echo "crash sites (replayed; inputs in $CRASHES):"
    for s in "${!sites[@]}"; do
        set -- ${sites[$s]}
        echo "  $# input(s): $s"
        echo "    e.g. $1"
    done
fi
echo "fuzz summary: $total_execs executions in ${TOTAL}s, $new new crash inputs ($after on file, ${#sites[@]} distinct sites)"
