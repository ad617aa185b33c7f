#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes studies/alanine-dipeptide/models/ala2-spline-balanced-300-600K.pt (not shipped; train_ala2_spline_stereo.sh
# runs this script with TRAIN=0 for its data): the recipe of train_ala2_spline.sh with more MD and
# training data whose phi > 0 share is set per temperature (balance_basins.py: 4% at 300 K, 5% at 424 K, 6.5% at
# 600 K, near the Boltzmann populations; studies/alanine-dipeptide/results/flow_quality.md). Every step resumes if
# interrupted. About 25 minutes of MD on one core (two runs in parallel halve it) and 13 minutes of training.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
PHI_POSITIVE=examples/data/alanine-dipeptide-phi-positive.pdb
export OMP_NUM_THREADS=1
md() { "$PY" -m openmmtsf md --pdb "$PDB" "$@"; }
md --temperature 600 --nanoseconds 10 --seed 600 --output data/ala2-600K.npz
md --temperature 300 --nanoseconds 6 --frame-interval 0.1 --seed 301 --output data/train/ala2-300K.npz
md --temperature 300 --nanoseconds 1.5 --frame-interval 0.1 --seed 302 --output data/train/ala2-300K-phi-positive.npz \
    --start-pdb "$PHI_POSITIVE"
md --temperature 424 --nanoseconds 3 --frame-interval 0.1 --seed 424 --output data/train/ala2-424K.npz
md --temperature 600 --nanoseconds 6 --frame-interval 0.1 --seed 601 --output data/train/ala2-600K.npz
md --temperature 300 --nanoseconds 30 --frame-interval 0.2 --seed 303 --output data/train/ala2-300K-long.npz
md --temperature 600 --nanoseconds 20 --frame-interval 0.2 --seed 603 --output data/train/ala2-600K-long.npz
md --temperature 424 --nanoseconds 15 --frame-interval 0.2 --seed 425 --output data/train/ala2-424K-long.npz
md --temperature 424 --nanoseconds 1.5 --frame-interval 0.2 --seed 426 --output data/train/ala2-424K-phi-positive.npz \
    --start-pdb "$PHI_POSITIVE"
# At 424 K a run started at phi > 0 leaves the basin within tens of ps: 40 short ones supply it.
for i in $(seq 0 39); do
    md --temperature 424 --nanoseconds 0.06 --frame-interval 0.2 --seed $((1000 + i)) --start-pdb "$PHI_POSITIVE" \
        --output data/train/p424/run$i.npz
done
balance() { "$PY" studies/common/balance_basins.py "$@"; }
balance data/train/ala2-300K.npz data/train/ala2-300K-long.npz data/train/ala2-300K-phi-positive.npz \
    --phi-positive-share 0.04 --output data/train/balanced-300K.npz
balance data/train/ala2-424K.npz data/train/ala2-424K-long.npz data/train/ala2-424K-phi-positive.npz \
    data/train/p424/run*.npz --phi-positive-share 0.05 --output data/train/balanced-424K.npz
balance data/train/ala2-600K.npz data/train/ala2-600K-long.npz data/ala2-600K.npz \
    --phi-positive-share 0.065 --output data/train/balanced-600K.npz
[ "${TRAIN:-1}" = 1 ] || exit 0  # TRAIN=0: the data only (train_ala2_spline_stereo.sh builds on it)
"$PY" -m openmmtsf train --pdb "$PDB" --architecture spline --iterations 4000 --batch-size 512 --cosine-schedule \
    --seed 0 --output data/models/ala2-spline-balanced-300-600K.pt \
    --data data/train/balanced-300K.npz data/train/balanced-424K.npz data/train/balanced-600K.npz
mkdir -p studies/alanine-dipeptide/models
cp data/models/ala2-spline-balanced-300-600K.pt data/models/ala2-spline-balanced-300-600K.pt.log.csv \
    studies/alanine-dipeptide/models/
