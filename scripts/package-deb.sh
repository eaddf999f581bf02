#!/usr/bin/env bash
# Builds finality_<version>_<arch>.deb with dpkg-deb from what scripts/build-release.sh
# put in DIST (the binary, dist/man/finality.1, dist/completions/):
#
#   scripts/package-deb.sh DIST OUTDIR VERSION
#
#   /usr/bin/finality
#   /usr/share/man/man1/finality.1.gz
#   /usr/share/bash-completion/completions/finality
#   /usr/share/zsh/vendor-completions/_finality
#   /usr/share/fish/vendor_completions.d/finality.fish
#   /usr/share/doc/finality/copyright
#
# Depends: is derived from the binary's NEEDED entries by dpkg-shlibdeps (the versions
# come from the symbols it uses, per this host's Debian symbol files). The test for a
# clean host (scripts/test-on-clean-debian.sh) calls this again with a higher VERSION to
# check an upgrade.
set -euo pipefail
dist=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
version=$3
here=$(cd "$(dirname "$0")" && pwd)
packaging=$here/../packaging

fail() {
    printf 'package-deb: %s\n' "$*" >&2
    exit 1
}
for f in finality man/finality.1 completions/finality.bash completions/_finality completions/finality.fish; do
    [ -f "$dist/$f" ] || fail "$dist/$f missing (run scripts/build-release.sh)"
done
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps not found: apt-get install dpkg-dev"
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
install -D -m 0755 "$dist/finality" "$pkg/usr/bin/finality"
install -d -m 0755 "$pkg/usr/share/man/man1"
gzip -9n <"$dist/man/finality.1" >"$pkg/usr/share/man/man1/finality.1.gz"
chmod 0644 "$pkg/usr/share/man/man1/finality.1.gz"
install -D -m 0644 "$dist/completions/finality.bash" "$pkg/usr/share/bash-completion/completions/finality"
install -D -m 0644 "$dist/completions/_finality" "$pkg/usr/share/zsh/vendor-completions/_finality"
install -D -m 0644 "$dist/completions/finality.fish" "$pkg/usr/share/fish/vendor_completions.d/finality.fish"
install -D -m 0644 "$packaging/copyright" "$pkg/usr/share/doc/finality/copyright"

# Depends from the binary: dpkg-shlibdeps wants a debian/control to run in.
mkdir -p "$work/src/debian"
printf 'Source: finality\n\nPackage: finality\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$pkg/usr/bin/finality" 2>"$work/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') ||
    { cat "$work/shlibdeps.err" >&2; fail "dpkg-shlibdeps failed"; }
[ -n "$depends" ] || { cat "$work/shlibdeps.err" >&2; fail "dpkg-shlibdeps found no dependencies"; }
case "$depends" in
    *swift* | *icu* | *curl* | *xml*) fail "unexpected dependency: $depends" ;;
esac

mkdir -p "$pkg/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    "$packaging/control.in" >"$pkg/DEBIAN/control"
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"

deb=$out/finality_${version}_${arch}.deb
# FINALITY_DEB_COMPRESSION=gzip (the clean-Debian test's upgrade package): faster than xz.
dpkg-deb --root-owner-group -Z"${FINALITY_DEB_COMPRESSION:-xz}" --build "$pkg" "$deb" >/dev/null
echo "$deb"
echo "Depends: $depends"
