#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Validation of the alanine-dipeptide flows (docs/validation.md): references, independent TSF runs, and the
# comparison tables in docs/results. Every simulation resumes or is skipped if its output exists.
#   300 K: five independent TSF replica-exchange runs against three runs of replica-exchange MD (10, 5 and 10 ns per
#          replica), and F(phi>0) - F(phi<0) against temperature by MBAR over the whole ladder (TSF against the REMD
#          runs that record every temperature);
#   600 K: five TSF replica-exchange runs (the ladder listed from 600 K, so replica 0 is 600 K) and five
#          single-temperature TSF runs, each against 50 ns of plain MD at 600 K, over all frames and over frames
#          whose amides are trans.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
MODEL=${MODEL:-examples/models/ala2-spline-300-600K.pt}
STEPS=${STEPS:-15000}
# SEEDS="1 2 3" and, in a second shell, SEEDS="4 5" ANALYSE=0 run the TSF runs on two cores; the tables need all five.
export OMP_NUM_THREADS=1
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 10 --seed 11 --output data/ref/ala2-remd-300K-10ns.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed 12 --output data/ref/ala2-remd-300K-5ns-seed12.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 10 --seed 13 --output data/ref/ala2-remd-ladder-10ns-seed13.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed 14 --output data/ref/ala2-remd-ladder-5ns-seed14.npz
"$PY" -m openmmtsf md --pdb "$PDB" --temperature 600 --nanoseconds 50 --seed 6001 --output data/ref/ala2-600K-50ns.npz
run() {  # output folder, then sample's arguments
    local out=$1; shift
    [ -f "$out/summary.txt" ] || "$PY" -m openmmtsf sample --pdb "$PDB" --model "$MODEL" --steps "$STEPS" \
        --prior-probability 0.8 --output "$out" "$@"
}
for seed in ${SEEDS:-1 2 3 4 5}; do
    run data/val/remc-300K-$seed --seed $seed
    run data/val/remc-600K-$seed --seed $seed --temperatures 600 522.33 454.71 395.85 344.61 300
    run data/val/single-600K-$seed --seed $seed --temperatures 600
done
[ "${ANALYSE:-1}" = 1 ] || exit 0
"$PY" examples/validate_runs.py --reference data/ref/ala2-remd-300K-10ns.npz data/ref/ala2-remd-300K-5ns-seed12.npz \
    data/ref/ala2-remd-ladder-10ns-seed13.npz data/ref/ala2-remd-ladder-5ns-seed14.npz --temperature 300 \
    --title "TSF replica exchange" --name validation_ala2_300K --runs data/val/remc-300K-* \
    --summary examples/data/ala2-remd-300K-summary.npz
"$PY" examples/validate_runs.py --reference data/ref/ala2-600K-50ns.npz --temperature 600 \
    --title "TSF replica exchange" --name validation_ala2_600K_remc --runs data/val/remc-600K-*
"$PY" examples/validate_runs.py --reference data/ref/ala2-600K-50ns.npz --temperature 600 \
    --title "TSF at 600 K alone" --name validation_ala2_600K_single --runs data/val/single-600K-*
for kind in remc single; do
    "$PY" examples/validate_runs.py --reference data/ref/ala2-600K-50ns.npz --temperature 600 --trans-only \
        --title "TSF $kind, trans amides" --name validation_ala2_600K_${kind}_trans --runs data/val/$kind-600K-*
done
"$PY" -m openmmtsf analyze data/val/remc-300K-* --output docs/results/ala2_free_energy \
    --reference data/ref/ala2-remd-ladder-10ns-seed13.npz data/ref/ala2-remd-ladder-5ns-seed14.npz
# Two later flows (docs/validation.md: "ΔF(T) restricted to trans amides" and "The default flow"): five TSF
# replica-exchange runs each, against three more replica-exchange MD runs that record cis amides, compared at 300 K
# and by MBAR over the ladder on trans-amide frames.
for seed in 21 22 23; do
    "$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed $seed \
        --output data/ref/ala2-remd-ladder-5ns-seed$seed.npz
done
validate_300K() {  # model, runs folder, title, name of the 300 K table, folder of the dF(T) report, then the references
    local model=$1 runs=$2 title=$3 name=$4 report=$5
    shift 5
    for seed in 1 2 3 4 5; do
        MODEL=$model run "$runs/remc-300K-$seed" --seed $seed
    done
    "$PY" examples/validate_runs.py --reference "$@" --temperature 300 \
        --title "$title" --name "$name" --runs "$runs"/remc-300K-*
    "$PY" -m openmmtsf analyze "$runs"/remc-300K-* --output "$report" --trans-only --reference "$@"
}
validate_300K examples/models/ala2-spline-balanced-300-600K.pt data/valb "TSF replica exchange, basin-balanced flow" \
    validation_ala2_300K_balanced docs/results/ala2_free_energy_trans data/ref/ala2-remd-ladder-5ns-seed2[123].npz
# The default flow (stereo-confined, trained 12 000 iterations; its first version of 4 000 iterations was checked the
# same way in data/vals, against the three training MD runs at 600 K). 600 K reference: six independent runs of
# plain MD at 600 K, 50 ns each (about 16 minutes each on one core), so that its error bar comes from their spread.
# 300 K reference: the runs of seeds 21 and 22 continued to 15 ns per replica (resumed from their 5 ns state, about
# 17 minutes each on one core), and seed 23's 5 ns.
for seed in 21 22; do
    [ -f data/ref/ala2-remd-ladder-15ns-seed$seed.npz ] || for suffix in "" .state; do
        cp "data/ref/ala2-remd-ladder-5ns-seed$seed.npz$suffix" "data/ref/ala2-remd-ladder-15ns-seed$seed.npz$suffix"
    done
    "$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 15 --seed $seed \
        --output data/ref/ala2-remd-ladder-15ns-seed$seed.npz
done
STEREO=examples/models/ala2-spline-stereo-300-600K.pt
validate_300K $STEREO data/vals12k "TSF replica exchange, stereo-confined flow" validation_ala2_300K_stereo \
    docs/results/ala2_free_energy_stereo data/ref/ala2-remd-ladder-15ns-seed2[12].npz \
    data/ref/ala2-remd-ladder-5ns-seed23.npz
MD600=()
for seed in 610 611 612 613 614 615; do
    "$PY" -m openmmtsf md --pdb "$PDB" --temperature 600 --nanoseconds 50 --frame-interval 1 --seed $seed \
        --output data/md600/md-600K-50ns-seed$seed.npz
    MD600+=("data/md600/md-600K-50ns-seed$seed.npz")
done
runs_600K() {  # model, runs folder
    local model=$1 runs=$2 seed
    for seed in 1 2 3 4 5; do
        MODEL=$model run "$runs/remc-600K-$seed" --seed $seed --temperatures 600 522.33 454.71 395.85 344.61 300
        MODEL=$model run "$runs/single-600K-$seed" --seed $seed --temperatures 600
    done
    # Ten longer single-temperature runs (100 000 steps, about 2 minutes each), so that TSF's error bar at 600 K is
    # well below the reference's.
    for seed in 11 12 13 14 15 16 17 18 19 20; do
        MODEL=$model STEPS=100000 run "$runs/single-600K-long-$seed" --seed $seed --temperatures 600
    done
}
runs_600K $STEREO data/vals12k
compare_600K() {  # title, name of the table, then the run folders
    local title=$1 name=$2
    shift 2
    for trans in "" --trans-only; do
        "$PY" examples/validate_runs.py --reference "${MD600[@]}" --temperature 600 $trans --runs "$@" \
            --title "$title${trans:+, trans amides}" --name "$name${trans:+_trans}"
    done
}
compare_600K "TSF replica exchange, stereo-confined flow" validation_ala2_600K_stereo_remc data/vals12k/remc-600K-[0-9]
compare_600K "TSF at 600 K alone, stereo-confined flow" validation_ala2_600K_stereo_single \
    data/vals12k/single-600K-[0-9]
compare_600K "TSF at 600 K alone, 100 000 steps per run" validation_ala2_600K_stereo_single_long \
    data/vals12k/single-600K-long-*
# The default flow now: the stereo flow refined by chi-square steps (examples/models/refine_ala2_spline_chisq.sh),
# checked as the stereo flow was, against the same references.
CHISQ=examples/models/ala2-spline-chisq-300-600K.pt
validate_300K $CHISQ data/valchi "TSF replica exchange, chi-square-refined flow" validation_ala2_300K_chisq \
    docs/results/ala2_free_energy_chisq data/ref/ala2-remd-ladder-15ns-seed2[12].npz \
    data/ref/ala2-remd-ladder-5ns-seed23.npz
runs_600K $CHISQ data/valchi
compare_600K "TSF replica exchange, chi-square-refined flow" validation_ala2_600K_chisq_remc data/valchi/remc-600K-[0-9]
compare_600K "TSF at 600 K alone, chi-square-refined flow" validation_ala2_600K_chisq_single data/valchi/single-600K-[0-9]
compare_600K "TSF at 600 K alone, chi-square-refined flow, 100 000 steps per run" validation_ala2_600K_chisq_single_long \
    data/valchi/single-600K-long-*
