#!/usr/bin/env bash
# Regenerates the golden outputs: tests/golden/<stem>.json = `fleetcost run scenarios/<stem>.toml
# --format json`, for every shipped scenario, and removes goldens whose scenario is gone.
# tests/golden.rs compares the current output with these files (1e-9 relative). They are the
# reviewed reference: read `git diff tests/golden` before committing, and re-check the hand
# calculation at the top of tests/golden.rs when the 2 GW scenario changes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
mkdir -p tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in scenarios/*.toml; do
    stem=$(basename "$f" .toml)
    cargo run --release --quiet -- run "$f" --format json > "$tmp/$stem.json"
done
for g in tests/golden/*.json; do
    [ -e "$g" ] || continue
    stem=$(basename "$g" .json)
    if [ ! -e "scenarios/$stem.toml" ]; then
        rm "$g"
        echo "removed $g (no scenarios/$stem.toml)"
    fi
done
for f in "$tmp"/*.json; do
    mv "$f" "tests/golden/$(basename "$f")"
done
echo "wrote $(ls tests/golden/*.json | wc -l) golden files to tests/golden/"
