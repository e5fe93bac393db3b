#!/usr/bin/env bash
# fleetcost Monte Carlo vs a straightforward numpy/scipy implementation of the same model, in
# one run, on the shipped 2 GW scenario (docs/performance.md, targets 1 and 2):
#   - fleetcost: `fleetcost montecarlo SCENARIO -n N_RUST --quiet` end to end (process start,
#     parse, sampling, model, summaries, printing), REPS times; draws/s = n / wall time, the
#     median and the best of the repetitions;
#   - numpy: benches/baseline/montecarlo.py -n N_NUMPY (parse, setup, sampling, model,
#     summaries; interpreter start and imports excluded), then its --check against fleetcost;
#   - the ratio fleetcost / numpy (median over the numpy figure) and whether the targets hold;
#     also both throughputs per CPU-second (user + sys), which other load disturbs least.
#
# Usage: benches/baseline/compare.sh [--no-build] [--no-check] [--table] [--strict]
#   --no-build  use $FLEETCOST or target/release/fleetcost as it is
#   --no-check  skip the faithfulness check (numpy summary vs fleetcost's, same n)
#   --table     also time the informational numpy variant with a tabulated PERT inverse
#   --strict    exit 1 when a target is missed (default: report only, exit 0)
# Environment: N_RUST (default 10000000), REPS (5), N_NUMPY (2000000), SEED (1),
#   FLEETCOST (a binary to use instead of building), RAYON_NUM_THREADS (passed through),
#   PYTHON (python3).
#
# numpy and scipy are not dependencies of the project: when they cannot be imported the script
# says so and exits 0 (so CI may call it unconditionally). `pip install numpy scipy` to run it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scenario=scenarios/trainium-vs-gpu-2gw.toml
n_rust=${N_RUST:-10000000}
reps=${REPS:-5}
n_numpy=${N_NUMPY:-2000000}
seed=${SEED:-1}
py=${PYTHON:-python3}
build=1 check=1 table=0 strict=0
for a in "$@"; do
    case $a in
        --no-build) build=0 ;;
        --no-check) check=0 ;;
        --table) table=1 ;;
        --strict) strict=1 ;;
        -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "compare.sh: unknown option $a (see --help)" >&2; exit 2 ;;
    esac
done

if ! "$py" -c 'import numpy, scipy' 2>/dev/null; then
    echo "compare.sh: note: numpy and scipy cannot be imported by $py; skipping the comparison."
    echo "compare.sh: they are not dependencies of fleetcost; 'pip install numpy scipy' to run it."
    exit 0
fi

if [[ -n ${FLEETCOST:-} ]]; then
    bin=$FLEETCOST
elif ((build)); then
    echo "building fleetcost (release)..."
    cargo build --release --quiet
    bin=target/release/fleetcost
else
    bin=target/release/fleetcost
fi
[[ -x $bin ]] || { echo "compare.sh: no fleetcost binary at $bin" >&2; exit 2; }

if [[ -n ${FLEETCOST:-} ]]; then
    commit="binary $bin (not built here)"
else
    commit="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null ||
        commit="$commit + uncommitted changes in src/"
fi
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $commit, $($bin --version)"
echo "== $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"\
     "RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-unset}, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- fleetcost: end to end, REPS repetitions (one warm-up run first) ---
"$bin" montecarlo "$scenario" -n 100000 --quiet >/dev/null
# Wall time by the clock around the process; CPU time (user + sys, all threads) by GNU time
# when present: wall-clock throughput is the target, CPU throughput is the figure that other
# load on the machine disturbs least.
gnu_time=$(command -v /usr/bin/time || true)
times=() cpus=()
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for ((i = 1; i <= reps; i++)); do
    t0=$(date +%s%N)
    if [[ -n $gnu_time ]]; then
        "$gnu_time" -f '%U %S' -o "$tmp" "$bin" montecarlo "$scenario" -n "$n_rust" --seed "$seed" --quiet >/dev/null
    else
        "$bin" montecarlo "$scenario" -n "$n_rust" --seed "$seed" --quiet >/dev/null
    fi
    t1=$(date +%s%N)
    times+=("$(((t1 - t0) / 1000))")   # microseconds
    [[ -n $gnu_time ]] && cpus+=("$(awk '{printf "%.0f", ($1 + $2) * 1e6}' "$tmp")")
done
read -r rust_med rust_best < <(printf '%s\n' "${times[@]}" | sort -n |
    awk '{t[NR] = $1} END {m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
         print m, t[1]}')
rust_rate=$(awk -v n="$n_rust" -v us="$rust_med" 'BEGIN {printf "%.0f", n / (us / 1e6)}')
rust_best_rate=$(awk -v n="$n_rust" -v us="$rust_best" 'BEGIN {printf "%.0f", n / (us / 1e6)}')
echo
echo "fleetcost montecarlo -n $n_rust --quiet, $reps runs (s):" \
    "$(printf '%s\n' "${times[@]}" | awk '{printf "%.3f ", $1 / 1e6}')"
printf 'fleetcost  %12s draws/s (median)  %12s draws/s (best)\n' "$rust_rate" "$rust_best_rate"
rust_cpu_rate=
if ((${#cpus[@]})); then
    rust_cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{t[NR] = $1} END {print t[int((NR + 1) / 2)]}')
    rust_cpu_rate=$(awk -v n="$n_rust" -v us="$rust_cpu" 'BEGIN {printf "%.0f", n / (us / 1e6)}')
    echo "CPU time (user + sys, s): $(printf '%s\n' "${cpus[@]}" | awk '{printf "%.2f ", $1 / 1e6}')"
    printf 'fleetcost  %12s draws per CPU-second (median)\n' "$rust_cpu_rate"
fi

# --- numpy baseline, same run ---
echo
flags=(-n "$n_numpy" --seed "$seed" --fleetcost "$bin")
((check)) && flags+=(--check)
set +e
out=$("$py" benches/baseline/montecarlo.py "${flags[@]}")
status=$?
set -e
echo "$out"
np_rate=$(echo "$out" | awk '/^draws\/s/ {print $2; exit}')
np_cpu_rate=$(echo "$out" | awk '/^cpu draws\/s/ {print $3; exit}')
[[ -n $np_rate ]] || { echo "compare.sh: the numpy baseline printed no draws/s" >&2; exit 2; }
if ((table)); then
    echo
    tab=$("$py" benches/baseline/montecarlo.py -n "$n_numpy" --seed "$seed" --pert-inverse table)
    echo "$tab"
    tab_rate=$(echo "$tab" | awk '/^draws\/s/ {print $2; exit}')
fi

# --- summary ---
ratio=$(awk -v a="$rust_rate" -v b="$np_rate" 'BEGIN {printf "%.1f", a / b}')
echo
echo "== summary"
printf 'fleetcost  %12s draws/s  (median of %d, n = %s, end to end)\n' "$rust_rate" "$reps" "$n_rust"
printf 'numpy      %12s draws/s  (n = %s, scipy inverse CDFs)\n' "$np_rate" "$n_numpy"
if ((table)); then
    printf 'numpy*     %12s draws/s  (informational: PERT by a tabulated inverse; ratio %s)\n' \
        "$tab_rate" "$(awk -v a="$rust_rate" -v b="$tab_rate" 'BEGIN {printf "%.1f", a / b}')"
fi
printf 'ratio      %12s x\n' "$ratio"
if [[ -n $rust_cpu_rate && -n $np_cpu_rate ]]; then
    printf 'per CPU-second: fleetcost %s, numpy %s, ratio %s x (less sensitive to other load)\n' \
        "$rust_cpu_rate" "$np_cpu_rate" "$(awk -v a="$rust_cpu_rate" -v b="$np_cpu_rate" 'BEGIN {printf "%.1f", a / b}')"
fi
ok1=$(awk -v r="$rust_rate" 'BEGIN {print (r >= 5e6) ? "met" : "MISSED"}')
ok2=$(awk -v r="$ratio" 'BEGIN {print (r >= 10) ? "met" : "MISSED"}')
echo "target >= 5,000,000 draws/s: $ok1; target >= 10x numpy: $ok2"
if ((check)); then
    ((status == 0)) && echo "faithfulness check: PASS" || echo "faithfulness check: FAIL (see the table above)"
fi
echo "== load average at the end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both figures)"
if ((strict)) && { [[ $ok1 != met || $ok2 != met ]] || ((check && status != 0)); }; then
    exit 1
fi
exit 0
