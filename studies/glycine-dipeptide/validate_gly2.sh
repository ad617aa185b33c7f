#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Glycine dipeptide at 300 K against its mirror symmetry (studies/glycine-dipeptide/README.md): 10 ns of MD at 600 K,
# a TSF trained on it (5 000 iterations), TSF replica exchange over 300-600 K (100 000 steps), then
# validate_gly2.py writes results/validation_gly2.md. Every simulation resumes or is skipped if its output exists.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=studies/glycine-dipeptide/glycine-dipeptide.pdb
export OMP_NUM_THREADS=1
"$PY" -m openmmtsf md --pdb "$PDB" --temperature 600 --nanoseconds 10 --output data/gly2-600K.npz --seed 600
[ -f data/gly2-tsf-600K.pt ] || "$PY" -m openmmtsf train --pdb "$PDB" --data data/gly2-600K.npz \
    --output data/gly2-tsf-600K.pt --iterations 5000
[ -f data/gly2-tsf-300K/summary.txt ] || "$PY" -m openmmtsf sample --pdb "$PDB" --model data/gly2-tsf-600K.pt \
    --steps 100000 --output data/gly2-tsf-300K --seed 5
"$PY" studies/glycine-dipeptide/validate_gly2.py
