#!/usr/bin/env bash
# Post-processing of the man page that swift-argument-parser's generate-manual writes from
# the command definitions (scripts/build-release.sh runs it):
#
#   packaging/man-sections.sh dist/man/finality.1 README.md
#
# - replaces the generator's one-line EXIT STATUS (".Ex -std") with the sections in
#   packaging/finality.1.sections (EXIT STATUS, ENVIRONMENT, FILES: facts no option
#   definition carries);
# - appends EXAMPLES, taken from README.md: the ```sh block after the line starting
#   "The same on the command line" (the guided recovery), one example per line,
#   its "# comment" as the text above it.
# - turns the empty lines generate-manual leaves where a discussion has a blank line into
#   paragraph breaks (.Pp): man warns "Empty input line" on them otherwise.
# Options and subcommands are never touched otherwise: they stay exactly as generated.
set -euo pipefail
page=$1
readme=$2
here=$(cd "$(dirname "$0")" && pwd)
sections=$here/finality.1.sections

grep -q '^\.Sh "\{0,1\}EXIT STATUS"\{0,1\}$' "$page" || { echo "man-sections: no EXIT STATUS in $page (generator changed?)" >&2; exit 1; }

examples=$(awk '
    /^The same on the command line/ { found = 1; next }
    found && !open && /^```sh/ { open = 1; next }
    open && /^```/ { exit }
    open { print }
' "$readme")
[ -n "$examples" ] || { echo "man-sections: no guided-recovery command block found in $readme" >&2; exit 1; }

mdoc_examples() {
    echo ".Sh EXAMPLES"
    echo "The guided recovery of README.md, on the command line (for scripts and for pasting into a ticket):"
    printf '%s\n' "$examples" | while IFS= read -r line; do
        [ -n "$line" ] || continue
        cmd=$(printf '%s' "$line" | sed -E 's/[[:space:]]+#.*$//')
        comment=$(printf '%s' "$line" | sed -nE 's/^.*[[:space:]]#[[:space:]]*//p')
        # roff: a backslash is written \e; a line must not start with . or '
        cmd=$(printf '%s' "$cmd" | sed -e 's/\\/\\e/g')
        comment=$(printf '%s' "$comment" | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/")
        echo ".Pp"
        [ -n "$comment" ] && echo "\\&$comment"
        echo ".Dl $cmd"
    done
}

tmp=$(mktemp)
awk -v sections="$sections" '
    function insert(  line) {
        while ((getline line < sections) > 0) if (line !~ /^\.\\"/) print line
        close(sections)
    }
    /^$/ { print ".Pp"; next }
    /^\.Sh "?EXIT STATUS"?$/ { insert(); skipping = 1; next }
    skipping && /^\.Sh / { skipping = 0 }
    skipping { next }
    { print }
' "$page" >"$tmp"
# EXAMPLES goes before SEE ALSO / AUTHORS if the generator wrote them, else at the end.
{
    if grep -qE '^\.Sh "?(SEE ALSO|AUTHORS)"?$' "$tmp"; then
        # (through ENVIRON: awk -v would eat the roff backslashes)
        EXAMPLES_MDOC="$(mdoc_examples)" awk '
            !done && /^\.Sh "?(SEE ALSO|AUTHORS)"?$/ { print ENVIRON["EXAMPLES_MDOC"]; done = 1 }
            { print }
        ' "$tmp"
    else
        cat "$tmp"
        mdoc_examples
    fi
} >"$page"
rm -f "$tmp"
