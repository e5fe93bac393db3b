#!/usr/bin/env bash
# The claim explorer: regenerates plots/claim/ and prints its numbers (docs/claim.md reads them).
#
# For the 2 GW scenario (scenarios/trainium-vs-gpu-2gw.toml), two pairs, each at AWS's claim
# levels 1.30 and 1.40, in both readings of "x % better":
#   - perf per dollar (AWS's reading):  rho >= 1 + x          -> rho >= 1.30, 1.40
#   - cost per unit (the stricter one): 1 - 1/rho >= x        -> rho >= 1/0.7 = 1.4286, 1/0.6 = 1.6667
# Pairs: Trainium3 vs GB200 (baseline gb200) and Trainium2 vs H200 (baseline h200, as shipped).
# For each: the break-even chip price at base MFU and the break-even MFU at base price
# (`fleetcost solve`), the price x MFU heatmap with the 1.30 and 1.40 contours (`fleetcost sweep`
# with two --param), a price line with the claim band, and the Monte Carlo probability of each
# level under the scenario's [uncertainty] (`fleetcost montecarlo`).
#
# Every run is the shipped file with command-line overrides only: --baseline and --claim for the
# [compare] table, --set workload.precision=fp8 for the fp8 variant (and --set name=... so its
# charts say so). Every output folder holds scenario.resolved.toml and provenance.json, which
# record them.
set -euo pipefail
cd "$(dirname "$0")/.."

DRAWS=1000000
SEED=1
SRC=scenarios/trainium-vs-gpu-2gw.toml
OUT=plots/claim

cargo build --release --quiet
fc() { target/release/fleetcost "$@"; }

# The derived copies of earlier versions of this script are gone.
rm -rf "$OUT/scenarios"

NAME=$(sed -n 's/^name = "\(.*\)"/\1/p' "$SRC")
AWS="1.30,1.40"
BOTH="1.30,1.40,1.4285714285714286,1.6666666666666667"
# Variants: the flags that make each from $SRC.
VS_GB200=(--baseline gb200 --claim "$AWS")
VS_GB200_BOTH=(--baseline gb200 --claim "$BOTH")
VS_H200=(--baseline h200 --claim "$AWS")
VS_H200_BOTH=(--baseline h200 --claim "$BOTH")
# Sensitivity: the same comparison in fp8, Trainium3's MXFP8 rate (2517 TFLOP/s, 3.75x its bf16)
# against GB200's fp8 (5000, 2x its bf16).
FP8=(--set workload.precision=fp8 --set "name=${NAME/in bf16/in fp8}")
VS_GB200_FP8=("${VS_GB200[@]}" "${FP8[@]}")
VS_GB200_FP8_BOTH=("${VS_GB200_BOTH[@]}" "${FP8[@]}")

# pair NAME VARIANT CANDIDATE PRICE_TO MFU_FROM MFU_TO MFU_STEPS (VARIANT: an array's name)
pair() {
    local name=$1 cand=$3 price_to=$4 mfu_from=$5 mfu_to=$6 mfu_steps=$7
    local -n flags=$2
    local scen=$SRC
    echo
    echo "=== $name ($SRC ${flags[*]}) ==="
    for target in rho=1.30 rho=1.40 cost_reduction=0.30 cost_reduction=0.40; do
        case $target in
            rho=*) reading="perf per dollar" ;;
            *) reading="cost per unit" ;;
        esac
        echo "--- $target ($reading reading)"
        fc solve "$scen" "${flags[@]}" --candidate "$cand" --param "fleet.$cand.chip.price" --target "$target" \
            --from "0 USD" --to "200k USD" | tail -n +2
        fc solve "$scen" "${flags[@]}" --candidate "$cand" --param "fleet.$cand.mfu" --target "$target" \
            --from 0.01 --to 1 | tail -n +2
    done
    fc sweep "$scen" "${flags[@]}" --candidate "$cand" --metric rho \
        --param "fleet.$cand.chip.price" --from "0 USD" --to "$price_to" --steps 41 \
        --param "fleet.$cand.mfu" --from "$mfu_from" --to "$mfu_to" --steps "$mfu_steps" \
        --out "$OUT/$name-heatmap" --quiet | tail -n 3
    # The folder's sweep.csv and results.json hold every fleet at every grid point (~10 MB, not
    # committed: plots/claim/.gitignore); rho.csv keeps the candidate's rho and cost reduction.
    awk -F, -v c="$cand" 'NR == 1 { print $1 "," $2 ",rho,cost_reduction"; next }
        $3 == "comparison" && $4 == c { print $1 "," $2 "," $(NF - 1) "," $NF }' \
        "$OUT/$name-heatmap/sweep.csv" > "$OUT/$name-heatmap/rho.csv"
    fc sweep "$scen" "${flags[@]}" --candidate "$cand" --metric rho \
        --param "fleet.$cand.chip.price" --from "0 USD" --to "$price_to" --steps 41 \
        --out "$OUT/$name-price" --format csv --quiet > /dev/null
}

pair trn3-vs-gb200 VS_GB200 trn3 "40k USD" 0.20 1.00 41
pair trn2-vs-h200 VS_H200 trn2 "40k USD" 0.10 0.60 51
pair trn3-vs-gb200-fp8 VS_GB200_FP8 trn3 "40k USD" 0.20 1.00 41

echo
echo "=== what else would carry trn3 vs gb200 (bf16, trn3 at base price and mfu) ==="
for target in rho=1.30 rho=1.40; do
    fc solve "$SRC" "${VS_GB200[@]}" --candidate trn3 --param fleet.gb200.mfu --target "$target" \
        --from 0.01 --to 1 | tail -n +2
    fc solve "$SRC" "${VS_GB200[@]}" --candidate trn3 --param fleet.gb200.chip.price --target "$target" \
        --from "1k USD" --to "1M USD" | tail -n +2
    fc solve "$SRC" "${VS_GB200[@]}" --candidate trn3 --set fleet.trn3.mfu=1 \
        --param fleet.trn3.chip.price --target "$target" --from "0 USD" --to "200k USD" | tail -n +2
done

echo
echo "=== the customer's view: renting Trn2 vs P5e (scenarios/aws-trn2-vs-p5e-rental.toml) ==="
fc run scenarios/aws-trn2-vs-p5e-rental.toml | sed -n '/^Price-performance/,/^$/p'
for target in rho=1.30 rho=1.40 cost_reduction=0.30 cost_reduction=0.40; do
    fc solve scenarios/aws-trn2-vs-p5e-rental.toml --candidate trn2 --param fleet.trn2.mfu --target "$target" \
        --from 0.01 --to 1 | tail -n +2
done

echo
echo "=== Monte Carlo, $DRAWS draws, seed $SEED: levels 1.30, 1.40 (perf per dollar) and 1.4286, 1.6667 (cost per unit: 30 %, 40 % lower) ==="
fc montecarlo "$SRC" "${VS_GB200_BOTH[@]}" -n "$DRAWS" --seed "$SEED" \
    --out "$OUT/montecarlo-vs-gb200" --quiet
fc montecarlo "$SRC" "${VS_H200_BOTH[@]}" -n "$DRAWS" --seed "$SEED" \
    --out "$OUT/montecarlo-vs-h200" --quiet
fc montecarlo "$SRC" "${VS_GB200_FP8_BOTH[@]}" -n "$DRAWS" --seed "$SEED" \
    --out "$OUT/montecarlo-vs-gb200-fp8" --quiet
echo
echo "exact probabilities (results.json):"
if command -v jq > /dev/null; then
    for d in "$OUT/montecarlo-vs-gb200" "$OUT/montecarlo-vs-h200" "$OUT/montecarlo-vs-gb200-fp8"; do
        jq -r '.comparisons[] | . as $c | .claims[] |
            "\($c.candidate) vs \($c.baseline): P(rho >= \(.level * 10000 | round / 10000)) = \(.probability) (se \(.se))"' \
            "$d/results.json"
    done
else
    echo "(install jq to print them; they are in $OUT/montecarlo-*/results.json)"
fi
echo
echo "wrote $OUT/"
