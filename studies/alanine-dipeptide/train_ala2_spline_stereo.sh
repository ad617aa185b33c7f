#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes studies/alanine-dipeptide/models/ala2-spline-stereo-300-600K.pt, the flow that refine_ala2_spline_chisq.sh
# refines into the default (not shipped itself): the basin-balanced recipe (train_ala2_spline_balanced.sh,
# whose data it makes first) plus cis amides at high temperature, trained with the stereo torsions confined
# (--confine-stereo: the flow never proposes a mirror-image alpha hydrogen or a methyl with relabelled hydrogens,
# which MD never visits). MD never turns an amide cis, while the Boltzmann distribution holds a few per cent of them
# at 600 K, which a flow trained on MD alone never proposes (huge importance weights).
# cis_amide.py builds each cis isomer, short MD runs at 424 K and 600 K sample them, and balance_basins.py adds
# their cis frames at 0.5% (424 K) and 4% (600 K) of the data, a little above the shares that TSF replica exchange
# found. Every step resumes or is skipped if its output exists. About 2 minutes of MD and 35 minutes of training
# on one core, after the balanced recipe's data. 12 000 iterations: three times the first version's 4 000 raised the
# reverse ESS at 300, 450 and 600 K.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
PDB=examples/data/alanine-dipeptide.pdb
export OMP_NUM_THREADS=1
TRAIN=0 studies/alanine-dipeptide/train_ala2_spline_balanced.sh  # its data
for amide in 1 2; do
    [ -f data/cis/cis$amide.pdb ] ||
        "$PY" studies/common/cis_amide.py "$PDB" --amide $amide --output data/cis/cis$amide.pdb
    "$PY" -m openmmtsf md --pdb "$PDB" --start-pdb data/cis/cis$amide.pdb --temperature 600 --nanoseconds 0.5 \
        --frame-interval 0.2 --seed $((700 + amide)) --output data/cis/cis$amide-600K.npz
    "$PY" -m openmmtsf md --pdb "$PDB" --start-pdb data/cis/cis$amide.pdb --temperature 424 --nanoseconds 0.3 \
        --frame-interval 0.2 --seed $((710 + amide)) --output data/cis/cis$amide-424K.npz
done
balance() { "$PY" studies/common/balance_basins.py "$@"; }
balance data/train/balanced-424K.npz --phi-positive-share 0.05 --cis data/cis/cis1-424K.npz data/cis/cis2-424K.npz \
    --cis-share 0.005 --output data/train/balanced-cis-424K.npz
balance data/train/balanced-600K.npz --phi-positive-share 0.065 --cis data/cis/cis1-600K.npz data/cis/cis2-600K.npz \
    --cis-share 0.04 --output data/train/balanced-cis-600K.npz
"$PY" -m openmmtsf train --pdb "$PDB" --architecture spline --iterations 12000 --batch-size 512 --cosine-schedule \
    --seed 0 --confine-stereo --output data/models/ala2-spline-stereo-300-600K.pt \
    --data data/train/balanced-300K.npz data/train/balanced-cis-424K.npz data/train/balanced-cis-600K.npz
mkdir -p studies/alanine-dipeptide/models
cp data/models/ala2-spline-stereo-300-600K.pt data/models/ala2-spline-stereo-300-600K.pt.log.csv \
    studies/alanine-dipeptide/models/
