#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A new molecule as a new user takes it (issue 28's acceptance trial): Ace-Ala-Ser-Nme, which no shipped model
# knows, in amber14 + OBC2 saved as System XML, through md -> train -> sample -> analyze with the README's commands
# (examples/custom_system.py with its defaults: MD 1 ns at 300, 424 and 600 K, a spline flow of 3000 iterations,
# 10 000 tempering steps over 300-600 K, basin phi2 > 0), then `openmmtsf evaluate` on the flow. Everything resumes;
# the run goes to data/ace-ala-ser-nme/ and the pages to results/. About 35 minutes on two cores.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
RUN=$ROOT/data/ace-ala-ser-nme
RESULTS=$ROOT/studies/ace-ala-ser-nme/results
"$PYTHON" "$ROOT/examples/custom_system.py" --output "$RUN"
"$PYTHON" -m openmmtsf evaluate "$RUN/flow.pt" --pdb "$ROOT/examples/data/ace-ala-ser-nme.pdb" --system "$RUN/system.xml" \
    --samples 20000 --prior-steps 1000 --bootstrap 500 --quiet --output "$RESULTS/evaluate.md"
cp "$RUN/tempering/summary.txt" "$RUN/tempering/ramachandran.png" "$RUN/free-energy/free_energy.md" \
    "$RUN/free-energy/free_energy.png" "$RESULTS/"
