#!/usr/bin/env bash
# Proves the release on a Debian 12 host that has never seen Swift.
#
#   scripts/build-release.sh            # writes dist/finality and dist/finality_<version>_<arch>.deb
#   sudo scripts/test-on-clean-debian.sh [DIST_DIR]
#
# Builds (once, then cached outside the repo) a minimal Debian bookworm root with
# debootstrap, copies a fresh copy of it, puts ONLY dist/finality, the .deb (and a second
# .deb of the same binary with a higher version, for the upgrade) and the test fixtures in
# it, and runs inside it with chroot:
#   - no Swift library anywhere in the root; `ldd finality` resolves everything;
#   - finality --version; verify on a good and a bad fixture; list --json;
#   - finality demo in tmux at 80x24: open Help with `?`, back with ESC, quit with `q`;
#   - a full `reset --yes` on a copy of the demo data dir: backup, audit record (whose
#     tool_version is the --version string), verify afterwards, history;
#   - dpkg -i (files in place, `man finality` shows the page with its extra sections,
#     completions load), dpkg -i of the higher version (upgrade), dpkg -r and dpkg -P
#     (nothing left behind).
# Exits non-zero on the first failed check and prints its time.
#
# Needs root (debootstrap, chroot, mount), debootstrap (installed with apt-get if
# missing), python3 on the host (to check JSON). Environment:
#   FINALITY_DEBIAN_CACHE   where the pristine root is kept (default /var/cache/finality/debootstrap-bookworm)
#   FINALITY_DEBIAN_MIRROR  Debian mirror for debootstrap (default: the one in this host's apt sources)
#   FINALITY_KEEP_ROOT=1    keep the working root afterwards (its path is printed)
set -euo pipefail

started=$(date +%s)
repo=$(cd "$(dirname "$0")/.." && pwd)
dist=$(cd "${1:-$repo/dist}" && pwd)
suite=bookworm
cache=${FINALITY_DEBIAN_CACHE:-/var/cache/finality/debootstrap-$suite}
# Runtime libraries of the binary, plus what the checks use (tmux, man-db). No Swift.
include=libncursesw6,libtinfo6,zlib1g,tmux,man-db

say() { printf '== %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
elapsed() { echo "$(($(date +%s) - started))s"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot and mount)"
[ -x "$dist/finality" ] || fail "$dist/finality missing: run scripts/build-release.sh first"
shopt -s nullglob
debs=("$dist"/finality_*.deb)
shopt -u nullglob
[ "${#debs[@]}" -eq 1 ] || fail "expected exactly one finality_*.deb in $dist, found ${#debs[@]}"
deb=${debs[0]}
command -v python3 >/dev/null || fail "python3 is needed on the host to check JSON output"

# ---------------------------------------------------------------- the cached root
mirror() {
    if [ -n "${FINALITY_DEBIAN_MIRROR:-}" ]; then
        echo "$FINALITY_DEBIAN_MIRROR"
        return
    fi
    # The first non-security Debian URI of this host's apt sources (deb822 or one-line).
    local m=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        m=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
        m=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(http|https|file):/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "$m" ] || fail "no Debian mirror found in /etc/apt; set FINALITY_DEBIAN_MIRROR"
    echo "$m"
}

if [ ! -f "$cache/.complete" ]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >/dev/null ||
            { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >/dev/null; }
    fi
    say "debootstrap $suite (minbase + $include) into $cache (once; cached)"
    rm -rf --one-file-system "$cache.partial"
    mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase --include="$include" "$suite" "$cache.partial" "$(mirror)" >"$cache.partial.log" 2>&1 ||
        fail "debootstrap failed; see $cache.partial.log"
    chroot "$cache.partial" apt-get clean
    touch "$cache.partial/.complete"
    rm -rf --one-file-system "$cache"
    mv "$cache.partial" "$cache"
    mv "$cache.partial.log" "$cache.log"
    say "root ready ($(elapsed))"
fi

# ---------------------------------------------------------------- a fresh working copy
work=$(mktemp -d /var/tmp/finality-clean-debian.XXXXXX)
root=$work/root
cleanup() {
    local rc=$?
    # The tmux server started inside the root, then the mounts, then the copy.
    chroot "$root" /usr/bin/tmux -L finality kill-server >/dev/null 2>&1 || true
    for m in "$root/dev/pts" "$root/proc"; do
        if mountpoint -q "$m" 2>/dev/null; then umount "$m" || umount -l "$m" || true; fi
    done
    if [ "${FINALITY_KEEP_ROOT:-0}" = 1 ]; then
        echo "working root kept: $root"
    elif ! mountpoint -q "$root/proc" && ! mountpoint -q "$root/dev/pts"; then
        rm -rf --one-file-system "$work"
    fi
    echo "test-on-clean-debian: $([ $rc -eq 0 ] && echo PASSED || echo FAILED) in $(elapsed)"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp -a "$cache" "$root"
mount -t proc proc "$root/proc"
# A private devpts instance (tmux needs ptys); the host's /dev is never bound in.
mkdir -p "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
rm -f "$root/dev/ptmx"
ln -s pts/ptmx "$root/dev/ptmx"

# Runs a shell command inside the root with a clean environment.
in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 TERM=xterm \
        /bin/sh -c "$1"
}

say "the root has no Swift"
if in_root 'find / -xdev \( -name "libswift*" -o -name "libFoundation*" -o -name "libdispatch*" -o -name "swift*" \) -print | head -5' | grep .; then
    fail "Swift files found in the clean root"
fi

mkdir -p "$root/test/fixtures"
cp "$dist/finality" "$root/usr/local/bin/finality"
cp "$deb" "$root/test/"
cp "$repo/Fixtures/v1-five-entries.dat" "$repo/Fixtures/bad-crc.dat" "$root/test/fixtures/"

# Second package of the same binary with a higher version, for the upgrade check.
version=$(dpkg-deb -f "$deb" Version)
upgrade_dir=$work/upgrade
mkdir -p "$upgrade_dir"
FINALITY_DEB_COMPRESSION=gzip "$repo/scripts/package-deb.sh" "$dist" "$upgrade_dir" "$version+upgradetest1" >/dev/null
upgrade_deb=$(echo "$upgrade_dir"/finality_*.deb)
cp "$upgrade_deb" "$root/test/"

# ---------------------------------------------------------------- the single binary
say "single binary: ldd"
ldd_out=$(in_root 'ldd /usr/local/bin/finality')
echo "$ldd_out" | sed 's/^/   /'
echo "$ldd_out" | grep -q 'not found' && fail "a library is missing on clean Debian"
echo "$ldd_out" | grep -qi 'swift\|foundation\|dispatch' && fail "the binary links a Swift library"

say "finality --version"
got_version=$(in_root 'finality --version')
echo "   $got_version"
echo "$got_version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$' ||
    fail "--version is not 'X.Y.Z (commit HASH)': $got_version"
[ "$got_version" = "$("$dist/finality" --version)" ] || fail "--version differs from the host's run of the same binary"
[ "${got_version%% *}" = "${version%%+*}" ] || fail "the .deb's version $version is not the binary's ${got_version%% *}"

say "finality verify (good fixture: exit 0; bad CRC: exit 1)"
in_root 'finality verify /test/fixtures/v1-five-entries.dat' | sed 's/^/   /' || fail "verify of a good fixture failed"
set +e
bad=$(in_root 'finality verify /test/fixtures/bad-crc.dat' 2>&1)
bad_rc=$?
set -e
echo "$bad" | sed 's/^/   /'
[ "$bad_rc" -eq 1 ] || fail "verify of bad-crc.dat exited $bad_rc, expected 1"

say "finality list --json"
in_root 'finality list --json /test/fixtures/v1-five-entries.dat' >"$work/list.json" || fail "list --json failed"
python3 - "$work/list.json" <<'PY' || fail "list --json output is not the expected JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
entries = doc["entries"] if isinstance(doc, dict) else doc
assert len(entries) == 5, len(entries)
print("   %d entries, first key %s" % (len(entries), str(entries[0].get("key", "?"))[:24]))
PY

say "finality demo in tmux at 80x24: ? opens Help, ESC goes back, q quits"
tmux_in() { in_root "tmux -L finality $1"; }
tmux_in "-f /dev/null new-session -d -x 80 -y 24 -s demo 'finality demo; echo \$? > /tmp/demo-exit; sleep 30'"
wait_screen() { # text, what
    local i
    for i in $(seq 1 100); do
        if tmux_in 'capture-pane -p -t demo' >"$work/screen" 2>/dev/null && grep -qF -- "$1" "$work/screen"; then
            return 0
        fi
        sleep 0.1
    done
    sed 's/^/   | /' "$work/screen" >&2
    fail "tmux: '$1' never appeared ($2)"
}
wait_screen "nodeos will load this file" "the Entries screen of the demo"
[ "$(wc -l <"$work/screen")" -le 24 ] || fail "the screen is taller than 24 rows"
head -5 "$work/screen" | sed 's/^/   | /'
tmux_in "send-keys -t demo '?'"
wait_screen " finality  Help" "Help after ?"
tmux_in "send-keys -t demo Escape"
wait_screen " finality  Entries" "back to Entries after ESC"
tmux_in "send-keys -t demo q"
for i in $(seq 1 50); do [ -f "$root/tmp/demo-exit" ] && break; sleep 0.1; done
[ "$(cat "$root/tmp/demo-exit" 2>/dev/null)" = 0 ] || fail "finality demo did not exit 0 after q"
tmux_in kill-server || true

say "reset --yes on a copy of the demo data dir"
demo_dir=$(in_root 'finality demo --print-only')
in_root "cp -a '$demo_dir' /tmp/demo-copy"
in_root 'finality list --json /tmp/demo-copy' >"$work/demo.json"
key=$(python3 - "$work/demo.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
entries = doc["entries"] if isinstance(doc, dict) else doc
print(entries[4]["key"])   # the demo's entry whose lock is 22 blocks behind LIB
PY
)
echo "   key $key"
in_root "sha256sum /tmp/demo-copy/finalizers/safety.dat" >"$work/before.sha"
in_root "finality reset /tmp/demo-copy --key '$key' --blocks-dir /tmp/demo-copy/blocks --yes" >"$work/reset.out" 2>&1 ||
    { sed 's/^/   /' "$work/reset.out"; fail "reset --yes failed"; }
tail -5 "$work/reset.out" | sed 's/^/   /'
in_root "sha256sum -c --quiet /dev/stdin" <"$work/before.sha" >/dev/null 2>&1 && fail "reset exited 0 but the file is unchanged"
in_root 'finality verify /tmp/demo-copy' >/dev/null || fail "the file does not verify after the reset"
in_root 'ls /tmp/demo-copy/finalizers/backups/' | grep -q . || fail "no backup after the reset"
audit=$(in_root 'cat /tmp/demo-copy/finalizers/*.log /tmp/demo-copy/finalizers/*/*.log /tmp/demo-copy/finalizers/*.jsonl /tmp/demo-copy/finalizers/*/*.jsonl 2>/dev/null' || true)
[ -n "$audit" ] || { in_root 'find /tmp/demo-copy -type f' >&2; fail "no audit log found"; }
echo "$audit" | grep -qF "\"tool_version\":\"$got_version\"" ||
    echo "$audit" | grep -qF "\"tool_version\": \"$got_version\"" ||
    { echo "$audit" | tail -2 >&2; fail "the audit record's tool_version is not the --version string"; }
echo "   audit record carries tool_version \"$got_version\""
in_root 'finality history /tmp/demo-copy' | head -8 | sed 's/^/   /'
rm -f "$root/usr/local/bin/finality"

# ---------------------------------------------------------------- the Debian package
files=(/usr/bin/finality /usr/share/man/man1/finality.1.gz /usr/share/bash-completion/completions/finality
    /usr/share/zsh/vendor-completions/_finality /usr/share/fish/vendor_completions.d/finality.fish
    /usr/share/doc/finality/copyright)
check_installed() {
    local f
    for f in "${files[@]}"; do [ -f "$root$f" ] || fail "$f missing after dpkg -i"; done
    [ "$(in_root 'dpkg-query -W -f="\${Status} \${Version}" finality')" = "install ok installed $1" ] ||
        fail "dpkg-query does not show finality $1 installed"
}

say "dpkg -i $(basename "$deb")"
in_root "dpkg -i /test/$(basename "$deb")" | sed 's/^/   /' || fail "dpkg -i failed (Depends: not satisfied?)"
check_installed "$version"
[ "$(in_root 'finality --version')" = "$got_version" ] || fail "/usr/bin/finality --version differs"
in_root 'dpkg --audit' | grep . && fail "dpkg --audit reports problems"

say "man finality"
in_root 'MANPAGER=cat MANWIDTH=80 man finality' >"$work/man.txt" 2>"$work/man.err" || { cat "$work/man.err" >&2; fail "man finality failed"; }
for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" FILES ENVIRONMENT EXAMPLES; do
    grep -q "^$s" "$work/man.txt" || fail "man finality has no $s section"
done
grep -q 'NO_COLOR' "$work/man.txt" || fail "man page: ENVIRONMENT does not mention NO_COLOR"
grep -q 'finality reset' "$work/man.txt" || fail "man page: no reset example"
grep -q -- '--dry-run' "$work/man.txt" || fail "man page: the options of reset are missing"
[ -s "$work/man.err" ] && { sed 's/^/   man: /' "$work/man.err"; fail "man printed warnings"; }
echo "   $(wc -l <"$work/man.txt") lines; sections: $(grep -E '^[A-Z][A-Z ]+$' "$work/man.txt" | tr '\n' ',' | sed 's/,$//')"

say "completions load"
in_root 'bash -c ". /usr/share/bash-completion/completions/finality && complete -p finality"' | sed 's/^/   /' ||
    fail "the bash completion does not register"
grep -q '^#compdef finality' "$root/usr/share/zsh/vendor-completions/_finality" || fail "the zsh completion has no #compdef"
grep -qE "complete -c '?finality'? " "$root/usr/share/fish/vendor_completions.d/finality.fish" || fail "the fish completion has no 'complete -c finality'"

say "upgrade: dpkg -i $(basename "$upgrade_deb")"
in_root "dpkg -i /test/$(basename "$upgrade_deb")" | sed 's/^/   /' || fail "upgrade failed"
check_installed "$version+upgradetest1"

say "dpkg -r finality, then dpkg -P finality"
in_root 'dpkg -r finality' | sed 's/^/   /' || fail "dpkg -r failed"
for f in "${files[@]}"; do [ ! -e "$root$f" ] || [ "$f" = /usr/share/doc/finality/copyright ] || fail "$f left after dpkg -r"; done
# The package has no conffiles: after -r dpkg forgets it, and -P has nothing left to do.
if in_root 'dpkg-query -W finality' >/dev/null 2>&1; then
    in_root 'dpkg -P finality' | sed 's/^/   /' || fail "dpkg -P failed"
fi
# (man-db's own cache of formatted pages, /var/cache/man, is man-db's to expire.)
in_root 'find / -xdev -name "*finality*" -not -path "/test/*" -not -path "/tmp/*" -not -path "/var/cache/man/*" -print' >"$work/left"
[ -s "$work/left" ] && { cat "$work/left" >&2; fail "files left after dpkg -P"; }
in_root 'dpkg-query -W finality' >/dev/null 2>&1 && fail "dpkg still knows finality after -P"

say "all checks passed"
