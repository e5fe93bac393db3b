#!/usr/bin/env bash
# Regenerates plots/: the run charts of every shipped scenario (plots/<scenario>/) and the
# analysis charts of the 2 GW scenario (sweep heatmap, tornado, Monte Carlo histograms).
# Charts are never edited by hand; run this after changing a scenario, the model or the charts.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/fleetcost
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy_charts() { mkdir -p "$2"; cp "$1"/*.png "$1"/*.svg "$2"/; }
# Run charts keep the data they were drawn from (results.json, cashflow.csv, with programs the
# program tables, and for inference the resolved scenario the serving curves are computed
# from), so tests/plots.rs can check them against the code and redraw them.
for f in scenarios/*.toml; do
    stem=$(basename "$f" .toml)
    rm -rf "plots/$stem"
    "$bin" run "$f" --out "$tmp/$stem" > /dev/null 2>&1
    copy_charts "$tmp/$stem" "plots/$stem"
    for data in results.json cashflow.csv programs.csv program_years.csv; do
        [ -e "$tmp/$stem/$data" ] && cp "$tmp/$stem/$data" "plots/$stem/"
    done
    if grep -q '"workload": "inference"' "$tmp/$stem/results.json"; then
        cp "$tmp/$stem/scenario.resolved.toml" "plots/$stem/"
    fi
done
s=scenarios/trainium-vs-gpu-2gw.toml
out=plots/trainium-vs-gpu-2gw
"$bin" sweep "$s" --out "$tmp/sweep" > /dev/null
copy_charts "$tmp/sweep" "$out"
"$bin" tornado "$s" --candidate trn3 --out "$tmp/tornado" > /dev/null
copy_charts "$tmp/tornado" "$out"
"$bin" montecarlo "$s" -n 1000000 --seed 7 --quiet --out "$tmp/mc" > /dev/null
copy_charts "$tmp/mc" "$out"
echo "wrote $(find plots -name '*.png' | wc -l) PNG and $(find plots -name '*.svg' | wc -l) SVG charts under plots/"
