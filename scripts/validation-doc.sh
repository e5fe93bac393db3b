#!/usr/bin/env bash
# Regenerates the tables of docs/validation.md section 2 from tests/validation.rs: each table
# follows a `<!-- table: NAME -->` line; the table's rows (the lines starting with `|` right
# after the marker) are replaced by what `print_the_doc_tables` prints for NAME. The prose
# around them is left as it is: read `git diff docs/validation.md` and mend it where a number
# it quotes moved. tests/validation.rs (docs_validation_md_holds_the_computed_tables) fails
# until the doc and the code agree.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.doc"' EXIT
cargo test --quiet --test validation print_the_doc_tables -- --nocapture --test-threads 1 \
    | grep -E '^(<!-- table: |\|)' > "$tmp"
awk -v tables="$tmp" '
    BEGIN {
        while ((getline line < tables) > 0) {
            if (line ~ /^<!-- table: /) { name = line; body[name] = "" }
            else { body[name] = body[name] line "\n" }
        }
    }
    skipping && /^\|/ { next }
    { skipping = 0 }
    /^<!-- table: / {
        if (!($0 in body)) { print "unknown table marker: " $0 > "/dev/stderr"; exit 1 }
        print; printf "%s", body[$0]; skipping = 1; next
    }
    { print }
' docs/validation.md > "$tmp.doc"
mv "$tmp.doc" docs/validation.md
echo "docs/validation.md: tables regenerated; review git diff docs/validation.md"
