#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes models/val2-spline-stereo-300-600K.pt, the valine-dipeptide flow, with alanine's default recipe
# (studies/alanine-dipeptide/train_ala2_spline_balanced.sh and train_ala2_spline_stereo.sh): MD at 300, 424 and
# 600 K, runs started in the phi > 0 (alpha_L) basin at 300 and 424 K (phi_positive_start.py takes the start from the 600 K run), cis-amide runs
# at 424 and 600 K (cis_amide.py), training files whose phi > 0 and cis shares are set per temperature
# (balance_basins.py), then 12 000 iterations of maximum likelihood of one temperature-conditioned spline flow with
# the stereo torsions confined. Valine's phi > 0 basin is rarer than alanine's (MD: 1.5% at 600 K; REMD: about 0.5% at
# 300 K), so every training file holds 1.5% of phi > 0 frames: near the Boltzmann share at 600 K and a little above it
# below, as for alanine. Every step resumes or is skipped if its output exists. About 24 minutes of MD and 35 minutes
# of training on one core.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=studies/valine-dipeptide/valine-dipeptide.pdb
DATA=data/val2train
PHI_POSITIVE=$DATA/val2-phi-positive.pdb
export OMP_NUM_THREADS=1
md() { "$PY" -m openmmtsf md --pdb "$PDB" --frame-interval 0.2 "$@"; }
md --temperature 600 --nanoseconds 15 --seed 620 --output $DATA/val2-600K.npz
[ -f "$PHI_POSITIVE" ] ||
    "$PY" studies/common/phi_positive_start.py "$PDB" $DATA/val2-600K.npz --output "$PHI_POSITIVE"
md --temperature 300 --nanoseconds 15 --seed 320 --output $DATA/val2-300K.npz
md --temperature 300 --nanoseconds 1.5 --seed 321 --start-pdb "$PHI_POSITIVE" --output $DATA/val2-300K-phi-positive.npz
md --temperature 424 --nanoseconds 10 --seed 430 --output $DATA/val2-424K.npz
for i in $(seq 0 19); do
    md --temperature 424 --nanoseconds 0.06 --seed $((1100 + i)) --start-pdb "$PHI_POSITIVE" \
        --output $DATA/p424/run$i.npz
done
for amide in 1 2; do
    [ -f $DATA/cis$amide.pdb ] || "$PY" studies/common/cis_amide.py "$PDB" --amide $amide --output $DATA/cis$amide.pdb
    md --start-pdb $DATA/cis$amide.pdb --temperature 600 --nanoseconds 0.5 --seed $((720 + amide)) \
        --output $DATA/cis$amide-600K.npz
    md --start-pdb $DATA/cis$amide.pdb --temperature 424 --nanoseconds 0.3 --seed $((730 + amide)) \
        --output $DATA/cis$amide-424K.npz
done
balance() { "$PY" studies/common/balance_basins.py --pdb "$PDB" "$@"; }
balance $DATA/val2-300K.npz $DATA/val2-300K-phi-positive.npz --phi-positive-share 0.015 \
    --output $DATA/balanced-300K.npz
balance $DATA/val2-424K.npz $DATA/p424/run*.npz --phi-positive-share 0.015 \
    --cis $DATA/cis1-424K.npz $DATA/cis2-424K.npz --cis-share 0.005 --output $DATA/balanced-cis-424K.npz
balance $DATA/val2-600K.npz --phi-positive-share 0.015 \
    --cis $DATA/cis1-600K.npz $DATA/cis2-600K.npz --cis-share 0.04 --output $DATA/balanced-cis-600K.npz
"$PY" -m openmmtsf train --pdb "$PDB" --architecture spline --iterations 12000 --batch-size 512 --cosine-schedule \
    --seed 0 --confine-stereo --output data/models/val2-spline-stereo-300-600K.pt \
    --data $DATA/balanced-300K.npz $DATA/balanced-cis-424K.npz $DATA/balanced-cis-600K.npz
cp data/models/val2-spline-stereo-300-600K.pt data/models/val2-spline-stereo-300-600K.pt.log.csv models/
