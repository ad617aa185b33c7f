#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes studies/alanine-dipeptide/models/ala2-spline-300-600K.pt, the first temperature-conditioned spline flow
# (superseded by the default, refine_ala2_spline_chisq.sh; not shipped): MD data at 300, 424 and 600 K, then
# maximum-likelihood training of one temperature-conditioned spline flow (docs/training.md). Every step resumes if
# interrupted.
# About 12 minutes of MD on two cores and 15 minutes of training on one core here.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
export OMP_NUM_THREADS=1
md() { "$PY" -m openmmtsf md --pdb "$PDB" "$@"; }
md --temperature 600 --nanoseconds 10 --seed 600 --output data/ala2-600K.npz
md --temperature 300 --nanoseconds 6 --frame-interval 0.1 --seed 301 --output data/train/ala2-300K.npz
md --temperature 300 --nanoseconds 1.5 --frame-interval 0.1 --seed 302 --output data/train/ala2-300K-phi-positive.npz \
    --start-pdb examples/data/alanine-dipeptide-phi-positive.pdb
md --temperature 424 --nanoseconds 3 --frame-interval 0.1 --seed 424 --output data/train/ala2-424K.npz
md --temperature 600 --nanoseconds 6 --frame-interval 0.1 --seed 601 --output data/train/ala2-600K.npz
"$PY" -m openmmtsf train --pdb "$PDB" --architecture spline --iterations 4000 --batch-size 512 --cosine-schedule \
    --seed 0 --output data/models/ala2-spline-300-600K.pt \
    --data data/train/ala2-300K.npz data/train/ala2-300K-phi-positive.npz data/train/ala2-424K.npz \
           data/train/ala2-600K.npz data/ala2-600K.npz
mkdir -p studies/alanine-dipeptide/models
cp data/models/ala2-spline-300-600K.pt data/models/ala2-spline-300-600K.pt.log.csv studies/alanine-dipeptide/models/
