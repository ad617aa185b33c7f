#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The paper's TSF baseline (models/ala2-tsf-600K.pt, trained at 600 K only) at 300 K against replica-exchange MD
# (studies/alanine-dipeptide/README.md): a 5 ns-per-replica REMD run (6 replicas, 300-600 K), two TSF
# replica-exchange runs of 100 000 steps (20% prior moves, seeds 11 and 12), 10 ns of plain MD at 300 K, and the
# flow's direct samples; studies/common/validate_dipeptide.py writes results/tsf_baseline_300K.md and .png.
# Every simulation resumes or is skipped if its output exists.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
MODEL=models/ala2-tsf-600K.pt
export OMP_NUM_THREADS=1
"$PY" -m openmmtsf remd --pdb "$PDB" --nanoseconds 5 --output data/ala2-remd-300K.npz
"$PY" -m openmmtsf md --pdb "$PDB" --temperature 300 --nanoseconds 10 --seed 300 --output data/ala2-300K.npz
[ -f data/tsf-remc-300K/summary.txt ] || "$PY" -m openmmtsf sample --pdb "$PDB" --model "$MODEL" --steps 100000 \
    --prior-move-probability 0.2 --seed 11 --output data/tsf-remc-300K
[ -f data/tsf-remc-300K-b/summary.txt ] || "$PY" -m openmmtsf sample --pdb "$PDB" --model "$MODEL" --steps 100000 \
    --prior-move-probability 0.2 --seed 12 --output data/tsf-remc-300K-b
"$PY" studies/common/validate_dipeptide.py --pdb "$PDB" --model "$MODEL"
