#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The declared validation of `fit`'s models at 300 K (studies/fit/README.md, fixed before any fit model was
# sampled), for each molecule whose model fit_dipeptides.sh made (data/fit/<molecule>-fit.pt):
#   TSF: five replica-exchange runs, `openmmtsf sample` with 6 geometric temperatures over 300-600 K, 15 000 steps
#     after 1 000 of adaptation, 80% prior moves, seeds 1-5;
#   reference: three replica-exchange MD runs on the same ladder, 5 ns per replica at a 1 fs step, seeds 21-23;
#   compared (studies/common/validate_runs.py): phi > 0, the alpha_R / beta / alpha_L populations and <U> at 300 K
#     over all frames, with error bars from each side's spread of runs, combined in quadrature; pass: every
#     difference within two combined standard errors.
# Every simulation resumes or is skipped if its output exists. MOLECULES="ala2" validates one; SEEDS="1 2 3" and,
# in a second shell, SEEDS="4 5" REFERENCE_SEEDS="" ANALYSE=0 share the TSF runs between two cores.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
RESULTS=studies/fit/results
declare -A PDB=([ala2]=examples/data/alanine-dipeptide.pdb [val2]=studies/valine-dipeptide/valine-dipeptide.pdb
                [gly2]=studies/glycine-dipeptide/glycine-dipeptide.pdb)
export OMP_NUM_THREADS=1

for molecule in ${MOLECULES:-ala2 val2 gly2}; do
    model=data/fit/$molecule-fit.pt
    [ -f "$model" ] || { echo "$model is missing: run studies/fit/fit_dipeptides.sh first" >&2; exit 1; }
    runs=data/fit-validation/$molecule
    for seed in ${REFERENCE_SEEDS-21 22 23}; do
        "$PY" -m openmmtsf remd --pdb "${PDB[$molecule]}" --nanoseconds 5 --timestep 1 --seed $seed \
            --output "$runs/remd-5ns-1fs-seed$seed.npz"
    done
    for seed in ${SEEDS:-1 2 3 4 5}; do
        [ -f "$runs/tsf-300K-$seed/summary.txt" ] || "$PY" -m openmmtsf sample --pdb "${PDB[$molecule]}" \
            --model "$model" --steps 15000 --adaptation-steps 1000 --prior-move-probability 0.8 --seed $seed \
            --output "$runs/tsf-300K-$seed"
    done
    [ "${ANALYSE:-1}" = 1 ] || continue
    "$PY" studies/common/validate_runs.py --pdb "${PDB[$molecule]}" --temperature 300 --results "$RESULTS" \
        --reference "$runs"/remd-5ns-1fs-seed2[123].npz --runs "$runs"/tsf-300K-[1-5] \
        --title "TSF replica exchange, $molecule flow from fit" --name "validation_${molecule}_fit_300K"
done
