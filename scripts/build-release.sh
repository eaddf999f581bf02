#!/usr/bin/env bash
# One command for a release:
#
#   scripts/build-release.sh
#
# writes
#   dist/finality                          one self-contained binary: the Swift runtime and
#                                          FoundationEssentials linked statically (not full
#                                          Foundation: no ICU); needs only glibc,
#                                          libncursesw6/libtinfo6 and zlib at run time
#   dist/finality_<version>_<arch>.deb     the same binary, its man page and its bash/zsh/fish
#                                          completions, as a Debian package (scripts/package-deb.sh)
#   dist/man/finality.1                    the man page (swift-argument-parser's generate-manual
#                                          on dist/finality, plus packaging/man-sections.sh)
#   dist/completions/                      finality --generate-completion-script bash|zsh|fish
#
# The version is ToolVersion.number (Sources/finality/Version.swift); the binary also
# carries the commit it was built from (`finality --version`, and every audit record).
# Environment: FINALITY_RELEASE_SCRATCH (build folder, default .build-release; the
# generate-manual tool is built in the same path with -tools appended),
# FINALITY_NO_STRIP=1 (keep the symbol table).
set -euo pipefail

started=$(date +%s)
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scratch=${FINALITY_RELEASE_SCRATCH:-$repo/.build-release}
dist=$repo/dist

say() { printf '== %s\n' "$*"; }
fail() {
    printf 'build-release: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- the commit compiled in
commit=unknown
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git -C "$repo" rev-parse --short=12 HEAD)
    if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
        commit="$commit-dirty"
    fi
fi
generated=$repo/Sources/finality/ReleaseCommit.generated.swift
content="// Written by scripts/build-release.sh (gitignored). Compiled only with -D FINALITY_RELEASE_COMMIT.
#if FINALITY_RELEASE_COMMIT
extension ToolVersion {
    static let releaseCommit = \"$commit\"
}
#endif"
# Rewritten only when it changes, so a second run rebuilds nothing.
if [ ! -f "$generated" ] || [ "$(cat "$generated")" != "$content" ]; then
    printf '%s\n' "$content" >"$generated"
fi

# ---------------------------------------------------------------- the static binary
say "swift build -c release --static-swift-stdlib (commit $commit)"
swift build -c release --static-swift-stdlib --product finality --scratch-path "$scratch" \
    -Xswiftc -DFINALITY_RELEASE_COMMIT
built=$(swift build -c release --static-swift-stdlib --product finality --scratch-path "$scratch" \
    -Xswiftc -DFINALITY_RELEASE_COMMIT --show-bin-path)/finality

rm -rf "$dist"
mkdir -p "$dist/man" "$dist/completions"
cp "$built" "$dist/finality"
unstripped=$(stat -c %s "$dist/finality")
# FoundationEssentials only: full Foundation (a module that imports it, or a package such
# as swift-crypto 3.x that does) brings FoundationInternationalization and ICU, 43 MB of
# the 64 MB binary. Its symbols: Foundation's own ($s10Foundation...) and ICU's C API
# (swift_udat_open...). Counted, not grep -q: with pipefail nm's SIGPIPE would hide a hit.
full_foundation=$(nm "$dist/finality" | grep -c ' \$s10Foundation\| swift_udat_open$' || true)
[ "$full_foundation" -eq 0 ] ||
    fail "dist/finality links full Foundation and ICU ($full_foundation symbols): import FoundationEssentials instead (issue 11)"
if [ "${FINALITY_NO_STRIP:-0}" != 1 ]; then
    # The symbol table only names functions in a crash trace; the runtime needs none of it.
    strip "$dist/finality"
fi

# Only these may be NEEDED: glibc's libraries, ncurses/terminfo, zlib, and the C++ runtime
# the Swift static runtime is linked against (libstdc++6, libgcc-s1: installed on every
# Debian and Ubuntu host, apt itself needs them). No Swift library.
needed=$(objdump -p "$dist/finality" | awk '$1 == "NEEDED" { print $2 }')
for lib in $needed; do
    case "$lib" in
        libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | libutil.so.1 | ld-linux-*.so.* | \
            libncursesw.so.6 | libtinfo.so.6 | libz.so.1 | libstdc++.so.6 | libgcc_s.so.1) ;;
        *) fail "dist/finality needs $lib: only glibc, libncursesw6/libtinfo6, zlib and libstdc++/libgcc_s are allowed" ;;
    esac
done
ldd "$dist/finality" | grep -qi 'swift\|foundation\|dispatch' && fail "ldd lists a Swift library"

version_line=$("$dist/finality" --version)
case "$version_line" in
    *"(commit $commit)") ;;
    *) fail "dist/finality --version says '$version_line', expected commit $commit" ;;
esac
version=${version_line%% *}

# ---------------------------------------------------------------- man page and completions
say "man page (swift-argument-parser's generate-manual) and completions"
# Its own build folder: building it in $scratch rebuilds ArgumentParser, and so finality,
# on every run (the two products want ArgumentParserToolInfo built differently).
swift build -c release --product generate-manual --scratch-path "$scratch-tools" >/dev/null
generate_manual=$(swift build -c release --product generate-manual --scratch-path "$scratch-tools" --show-bin-path)/generate-manual
# The page's date is the commit's, so the same commit gives the same page.
page_date=$(git -C "$repo" log -1 --format=%cs 2>/dev/null || date -u +%F)
"$generate_manual" "$dist/finality" --date "$page_date" --section 1 --output-directory "$dist/man"
[ -f "$dist/man/finality.1" ] || fail "generate-manual wrote no finality.1"
"$repo/packaging/man-sections.sh" "$dist/man/finality.1" "$repo/README.md"
for shell in bash zsh fish; do
    case $shell in
        bash) out=finality.bash ;;
        zsh) out=_finality ;;
        fish) out=finality.fish ;;
    esac
    "$dist/finality" --generate-completion-script "$shell" >"$dist/completions/$out"
done

# ---------------------------------------------------------------- the Debian package
say "Debian package"
"$repo/scripts/package-deb.sh" "$dist" "$dist" "$version"

say "done in $(($(date +%s) - started))s"
size=$(stat -c %s "$dist/finality")
echo "dist/finality: $size bytes, $(((size + 500000) / 1000000)) MB (unstripped $unstripped), version $version_line"
echo "NEEDED: $(echo $needed)"
ls -l "$dist"/*.deb
