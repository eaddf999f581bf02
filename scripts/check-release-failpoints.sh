#!/usr/bin/env bash
# Shows that a release build carries no failpoints (issue 8): the fault injection and the
# kill points are compiled only under `#if DEBUG` (Sources/FinalityEngine/System/FaultInjection.swift,
# Recovery/Failpoint.swift). Builds `finality` in release mode, then
#   1. looks for the environment variables' names in the binary (none may be there), and
#   2. runs a reset with FINALITY_FAULT=rename:EXDEV and FINALITY_FAILPOINT=after-lock set:
#      it must succeed (a debug build fails with exit 3, or is killed).
# Usage: scripts/check-release-failpoints.sh [scratch dir]   (slow: a full release build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${1:-${TMPDIR:-/tmp}/finality-release-check}"
swift build -c release --product finality --scratch-path "$scratch" >&2
bin="$(swift build -c release --product finality --scratch-path "$scratch" --show-bin-path)/finality"

fail=0
for name in FINALITY_FAULT FINALITY_FAULT_TRACE FINALITY_FAILPOINT FINALITY_FAILPOINT_ACTION; do
    if grep -a -q "$name" "$bin"; then
        echo "FAIL: the release binary contains the string $name" >&2
        fail=1
    else
        echo "ok: no $name in $bin"
    fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data/finalizers" "$work/data/state"
cp Fixtures/v1-five-entries.dat "$work/data/finalizers/safety.dat"
key="$("$bin" list "$work/data" --json | grep -o 'PUB_BLS_[A-Za-z0-9_-]*' | head -1)"
set +e
FINALITY_FAULT=rename:EXDEV FINALITY_FAILPOINT=after-lock \
    "$bin" reset "$work/data" --key "$key" --lib-id "$(printf '%08x' 5190)$(printf 'cd%.0s' {1..28})" --lib-slot 10380 --yes \
    >"$work/out" 2>"$work/err"
status=$?
set -e
if [ "$status" -eq 0 ]; then
    echo "ok: with FINALITY_FAULT=rename:EXDEV and FINALITY_FAILPOINT=after-lock set, the release binary applied the reset (exit 0)"
else
    echo "FAIL: the release binary exited $status: $(cat "$work/err")" >&2
    fail=1
fi
exit "$fail"
