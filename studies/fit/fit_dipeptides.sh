#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `openmmtsf fit` from scratch, default settings (300-600 K, 90-minute budget, seed 0), on alanine, valine and
# glycine dipeptide (amber99sb-ildn + OBC), each followed by `openmmtsf evaluate` on 100 000 direct samples per
# temperature at 300, 450 and 600 K with a 1 000-resample bootstrap and 3 000 prior-move steps. Each fit resumes
# from its work folder if interrupted; an evaluation is skipped if its page exists. MOLECULES="ala2" runs one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${TSF_VENV:-$ROOT/.venv}/bin/python
RESULTS=studies/fit/results
declare -A PDB=([ala2]=examples/data/alanine-dipeptide.pdb [val2]=studies/valine-dipeptide/valine-dipeptide.pdb
                [gly2]=studies/glycine-dipeptide/glycine-dipeptide.pdb)
mkdir -p "$RESULTS" data/fit
for molecule in ${MOLECULES:-ala2 val2 gly2}; do
    "$PY" -m openmmtsf fit --pdb "${PDB[$molecule]}" --output "data/fit/$molecule-fit.pt"
    cp "data/fit/$molecule-fit.pt.md" "$RESULTS/$molecule-fit.md"
    cp "data/fit/$molecule-fit.pt.rounds.png" "data/fit/$molecule-fit.pt.losses.png" "$RESULTS/"
    [ -f "$RESULTS/$molecule-fit-evaluation.md" ] ||
        "$PY" -m openmmtsf evaluate "data/fit/$molecule-fit.pt" --pdb "${PDB[$molecule]}" --temperatures 300 450 600 \
            --samples 100000 --bootstrap 1000 --prior-steps 3000 --output "$RESULTS/$molecule-fit-evaluation.md"
done
