#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Validation of the default alanine-dipeptide flow, models/ala2-spline-chisq-300-600K.pt
# (studies/alanine-dipeptide/README.md): references, independent TSF runs, and the comparison tables in
# studies/alanine-dipeptide/results. Every simulation resumes or is skipped if its output exists.
#   references: three replica-exchange MD runs that record every temperature and cis amides (seeds 21 and 22
#     continued to 15 ns per replica from their 5 ns state, seed 23 at 5 ns); six independent runs of plain MD at
#     600 K, 50 ns each (seeds 610-615); and four earlier REMD runs (seeds 11-14), whose pooled 300 K frames are the
#     main job's reference summary (examples/data/ala2-remd-300K-summary.npz);
#   300 K: five TSF replica-exchange runs (15 000 steps after 1 000 of adaptation, 80% prior moves, seeds 1-5)
#     against the three REMD runs, and F(phi>0) - F(phi<0) against temperature by MBAR over the whole ladder on
#     trans-amide frames;
#   600 K: five TSF replica-exchange runs (the ladder listed from 600 K, so replica 0 is 600 K), five
#     single-temperature runs of 15 000 steps and ten of 100 000 steps (seeds 11-20), each set against the six
#     plain-MD runs, over all frames and over frames whose amides are trans.
# SEEDS="1 2 3" and, in a second shell, SEEDS="4 5" ANALYSE=0 run the five-run sets on two cores (the long runs and
# the tables follow in the first shell).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
MODEL=${MODEL:-models/ala2-spline-chisq-300-600K.pt}
RUNS=${RUNS:-data/valchi}
RESULTS=studies/alanine-dipeptide/results
export OMP_NUM_THREADS=1

# References.
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 10 --seed 11 --output data/ref/ala2-remd-300K-10ns.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed 12 --output data/ref/ala2-remd-300K-5ns-seed12.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 10 --seed 13 --output data/ref/ala2-remd-ladder-10ns-seed13.npz
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed 14 --output data/ref/ala2-remd-ladder-5ns-seed14.npz
for seed in 21 22 23; do
    "$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --seed $seed \
        --output data/ref/ala2-remd-ladder-5ns-seed$seed.npz
done
# Seeds 21 and 22 continued to 15 ns per replica (resumed from their 5 ns state, about 17 minutes each on one core).
for seed in 21 22; do
    [ -f data/ref/ala2-remd-ladder-15ns-seed$seed.npz ] || for suffix in "" .state; do
        cp "data/ref/ala2-remd-ladder-5ns-seed$seed.npz$suffix" "data/ref/ala2-remd-ladder-15ns-seed$seed.npz$suffix"
    done
    "$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 15 --seed $seed \
        --output data/ref/ala2-remd-ladder-15ns-seed$seed.npz
done
REMD300=(data/ref/ala2-remd-ladder-15ns-seed21.npz data/ref/ala2-remd-ladder-15ns-seed22.npz
         data/ref/ala2-remd-ladder-5ns-seed23.npz)
# 600 K: six independent runs of plain MD, 50 ns each (about 16 minutes each on one core), so that the reference's
# error bar comes from their spread.
MD600=()
for seed in 610 611 612 613 614 615; do
    "$PY" -m openmmtsf md --pdb "$PDB" --temperature 600 --nanoseconds 50 --frame-interval 1 --seed $seed \
        --output data/md600/md-600K-50ns-seed$seed.npz
    MD600+=("data/md600/md-600K-50ns-seed$seed.npz")
done

# TSF runs.
run() {  # output folder, then sample's arguments
    local out=$1; shift
    [ -f "$out/summary.txt" ] || "$PY" -m openmmtsf sample --pdb "$PDB" --model "$MODEL" --steps "${STEPS:-15000}" \
        --prior-move-probability 0.8 --output "$out" "$@"
}
for seed in ${SEEDS:-1 2 3 4 5}; do
    run "$RUNS/remc-300K-$seed" --seed $seed
    run "$RUNS/remc-600K-$seed" --seed $seed --temperatures 600 522.33 454.71 395.85 344.61 300
    run "$RUNS/single-600K-$seed" --seed $seed --temperatures 600
done
[ "${ANALYSE:-1}" = 1 ] || exit 0
# Ten longer single-temperature runs (100 000 steps, about 2 minutes each), so that TSF's error bar at 600 K is well
# below the reference's.
for seed in 11 12 13 14 15 16 17 18 19 20; do
    STEPS=100000 run "$RUNS/single-600K-long-$seed" --seed $seed --temperatures 600
done

# Tables.
"$PY" studies/common/validate_runs.py --pdb "$PDB" --reference "${REMD300[@]}" --temperature 300 --results "$RESULTS" \
    --title "TSF replica exchange, chi-square-refined flow" --name validation_ala2_300K_chisq \
    --runs "$RUNS"/remc-300K-[0-9]
"$PY" -m openmmtsf analyze "$RUNS"/remc-300K-[0-9] --output "$RESULTS/ala2_free_energy_chisq" --trans-only \
    --reference "${REMD300[@]}"
compare_600K() {  # title, name of the table, then the run folders
    local title=$1 name=$2
    shift 2
    for trans in "" --trans-only; do
        "$PY" studies/common/validate_runs.py --pdb "$PDB" --reference "${MD600[@]}" --temperature 600 $trans \
            --runs "$@" --results "$RESULTS" --title "$title${trans:+, trans amides}" --name "$name${trans:+_trans}"
    done
}
compare_600K "TSF replica exchange, chi-square-refined flow" validation_ala2_600K_chisq_remc "$RUNS"/remc-600K-[0-9]
compare_600K "TSF at 600 K alone, chi-square-refined flow" validation_ala2_600K_chisq_single "$RUNS"/single-600K-[0-9]
compare_600K "TSF at 600 K alone, chi-square-refined flow, 100 000 steps per run" \
    validation_ala2_600K_chisq_single_long "$RUNS"/single-600K-long-*
# The main job's reference summary: the pooled 300 K frames of REMD seeds 11-14 (it depends on the references only;
# the comparison table written beside it goes to data/, not to the results).
"$PY" studies/common/validate_runs.py --pdb "$PDB" --reference data/ref/ala2-remd-300K-10ns.npz \
    data/ref/ala2-remd-300K-5ns-seed12.npz data/ref/ala2-remd-ladder-10ns-seed13.npz \
    data/ref/ala2-remd-ladder-5ns-seed14.npz --temperature 300 --results data/main-job-reference \
    --title "TSF replica exchange, chi-square-refined flow" --name main-job-reference --runs "$RUNS"/remc-300K-[0-9] \
    --summary examples/data/ala2-remd-300K-summary.npz
